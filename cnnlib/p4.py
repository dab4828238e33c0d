"""A layer that is exactly rotation-equivariant: the p4 group convolution.

The p4 group convolution (Cohen and Welling, 2016) makes a layer exactly
equivariant to quarter turns: it correlates the input with all four
rotations of each kernel, so its output has an extra *rotation axis* of
length 4, ``(N, C, 4, H, W)``. Turning the input by 90 degrees
counter-clockwise turns every output map by 90 degrees and moves the maps one
step along the rotation axis (:func:`p4_rotate`). How close a layer comes to
such a law is measured by :func:`cnnlib.equivariance_error`.

Notebook: ``notebooks/03_equivariance.ipynb``.
"""
from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import as_float_array, check_choice, check_finite, check_int, check_ndim, check_shape, check_size, describe

__all__ = ["p4_lifting_conv", "p4_group_conv", "p4_pool", "p4_rotate"]


def _array(value: Any, name: str) -> jax.Array:
    """A finite, non-empty float array."""
    arr = as_float_array(value, name)
    if arr.size == 0:
        raise ValueError(f"`{name}` must not be empty; got shape {tuple(arr.shape)}.")
    check_finite(arr, name)
    return arr


def _check_square_kernel(w: jax.Array, layout: str, ndim: int) -> None:
    check_ndim(w, ndim, "w", layout)
    if w.shape[-1] != w.shape[-2]:
        raise ValueError(f"`w` must be square (k x k) so that its rotations have one shape; got {tuple(w.shape)}.")


@partial(jax.jit, static_argnames=("padding", "boundary"))
def _lift(x: jax.Array, w: jax.Array, *, padding: Any, boundary: str) -> jax.Array:
    from .conv import conv2d

    c_out, c_in, k, _ = w.shape
    bank = jnp.stack([jnp.rot90(w, r, axes=(-2, -1)) for r in range(4)], axis=1)  # (C_out, 4, C_in, k, k)
    y = conv2d(x, bank.reshape(c_out * 4, c_in, k, k), padding=padding, boundary=boundary)  # (N, C_out*4, H', W')
    return y.reshape((x.shape[0], c_out, 4) + y.shape[-2:])  # (N, C_out, 4, H', W')


@partial(jax.jit, static_argnames=("padding", "boundary"))
def _group(y: jax.Array, w: jax.Array, *, padding: Any, boundary: str) -> jax.Array:
    from .conv import conv2d

    c_out, c_in, _, k, _ = w.shape
    # For output rotation r: turn each kernel by r and roll its rotation axis by r.
    bank = jnp.stack([jnp.rot90(jnp.roll(w, r, axis=2), r, axes=(-2, -1)) for r in range(4)], axis=1)  # (C_out, 4, C_in, 4, k, k)
    flat = y.reshape((y.shape[0], c_in * 4) + y.shape[-2:])  # (N, C_in*4, H, W)
    out = conv2d(flat, bank.reshape(c_out * 4, c_in * 4, k, k), padding=padding, boundary=boundary)  # (N, C_out*4, H', W')
    return out.reshape((y.shape[0], c_out, 4) + out.shape[-2:])  # (N, C_out, 4, H', W')


_PADDING = "'valid', 'same', 'full', an int >= 0, a pair (ph, pw) or ((top, bottom), (left, right))"


def _padding(padding: Any) -> Any:
    """``padding`` as conv2d takes it, in plain Python ints and tuples (hashable, and (1.0, 1) is not (1, 1))."""

    def whole(v: Any) -> int:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"`padding` must be {_PADDING}; got {describe(padding)}.")
        return check_int(v, "padding", minimum=0, maximum=2**20)

    if isinstance(padding, str):
        return check_choice(padding, ("valid", "same", "full"), "padding")
    if isinstance(padding, (int, np.integer)) and not isinstance(padding, (bool, np.bool_)):
        return whole(padding)
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        if all(isinstance(p, (tuple, list)) and len(p) == 2 for p in padding):
            return tuple((whole(p[0]), whole(p[1])) for p in padding)
        if not any(isinstance(p, (tuple, list)) for p in padding):
            return (whole(padding[0]), whole(padding[1]))
    raise TypeError(f"`padding` must be {_PADDING}; got {describe(padding)}.")


def _check_conv_options(padding: Any, boundary: str, x_shape: tuple, c_out: int) -> Any:
    """Checked ``boundary`` and ``padding``; a padding whose output would need more than 1 GiB is refused."""
    check_choice(boundary, ("zeros", "circular", "reflect", "replicate"), "boundary")
    padding = _padding(padding)
    if not isinstance(padding, str):
        pairs = padding if isinstance(padding, tuple) and isinstance(padding[0], tuple) else (
            ((padding, padding),) * 2 if isinstance(padding, int) else tuple((p, p) for p in padding))
        h, w = (n + lo + hi for n, (lo, hi) in zip(x_shape[-2:], pairs))
        check_size(x_shape[0] * c_out * 4 * h * w, "padding", "the padded output")
    return padding


def p4_lifting_conv(x: Any, w: Any, *, padding: Any = "same", boundary: str = "zeros") -> jax.Array:
    """Lifting convolution: correlate with each kernel turned by 0, 90, 180 and 270 degrees.

    .. math:: y_{o, r} = \\sum_c x_c \\star R^r w_{o, c},\\qquad r = 0, 1, 2, 3

    with :math:`\\star` the cross-correlation of :func:`cnnlib.conv2d` and
    :math:`R` a quarter turn counter-clockwise. **How the output transforms:**
    for :math:`x' = R x`,

    .. math:: y'_{o, r} = R\\, y_{o, r - 1 \\bmod 4},

    every map turns by 90 degrees and the maps move one step along the
    rotation axis; that is ``p4_rotate(y, 1)``. This holds exactly (up to
    float32 round-off) when the padding is symmetric: ``'valid'``, or
    ``'same'`` with an odd ``k``.

    Parameters
    ----------
    x : array, shape (N, C_in, H, W)
    w : array, shape (C_out, C_in, k, k)
    padding, boundary
        As in :func:`cnnlib.conv2d`.

    Returns
    -------
    jax.Array, shape (N, C_out, 4, H', W')

    Examples
    --------
    >>> import cnnlib as cl, jax
    >>> x = jax.random.normal(jax.random.key(0), (1, 1, 9, 9))
    >>> w = jax.random.normal(jax.random.key(1), (2, 1, 3, 3))
    >>> y = cl.p4_lifting_conv(x, w)
    >>> y.shape
    (1, 2, 4, 9, 9)
    >>> bool(cl.equivariance_error(lambda z: cl.p4_lifting_conv(z, w), cl.rotate90, x, g_out=cl.p4_rotate) < 1e-5)
    True
    """
    x = as_float_array(x, "x")
    check_ndim(x, 4, "x", "(N, C_in, H, W)")
    x = _array(x, "x")
    w = _array(w, "w")
    _check_square_kernel(w, "(C_out, C_in, k, k)", 4)
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"`w` has C_in = {w.shape[1]} but `x` has {x.shape[1]} channels; `w` must be (C_out, C_in, k, k).")
    return _lift(x, w, padding=_check_conv_options(padding, boundary, x.shape, w.shape[0]), boundary=boundary)


def p4_group_conv(y: Any, w: Any, *, padding: Any = "same", boundary: str = "zeros") -> jax.Array:
    """Group convolution on p4 feature maps: a layer that follows :func:`p4_lifting_conv`.

    .. math:: z_{o, r} = \\sum_{c} \\sum_{s=0}^{3} y_{c, s} \\star R^r\\, w_{o, c, (s - r) \\bmod 4}

    The kernel is turned spatially by :math:`r` *and* its rotation axis is
    rolled by :math:`r`, so the layer keeps the same law as the lifting layer:
    if ``y`` becomes ``p4_rotate(y, 1)`` then the output becomes
    ``p4_rotate(z, 1)`` (exactly, up to round-off, with symmetric padding).

    Parameters
    ----------
    y : array, shape (N, C_in, 4, H, W)
    w : array, shape (C_out, C_in, 4, k, k)

    Returns
    -------
    jax.Array, shape (N, C_out, 4, H', W')

    Examples
    --------
    >>> import cnnlib as cl, jax
    >>> y = jax.random.normal(jax.random.key(0), (1, 2, 4, 8, 8))
    >>> w = jax.random.normal(jax.random.key(1), (3, 2, 4, 3, 3))
    >>> cl.p4_group_conv(y, w).shape
    (1, 3, 4, 8, 8)
    """
    y = as_float_array(y, "y")
    check_shape(y, (None, None, 4, None, None), "y", "(N, C_in, 4, H, W)")
    y = _array(y, "y")
    w = _array(w, "w")
    _check_square_kernel(w, "(C_out, C_in, 4, k, k)", 5)
    check_shape(w, (None, y.shape[1], 4, None, None), "w", f"(C_out, C_in={y.shape[1]}, 4, k, k) to match `y`")
    return _group(y, w, padding=_check_conv_options(padding, boundary, y.shape, w.shape[0]), boundary=boundary)


def p4_rotate(y: Any, k: int = 1) -> jax.Array:
    """How p4 feature maps transform when the input turns by ``k`` quarter turns.

    Every map ``(H, W)`` turns by ``k * 90`` degrees counter-clockwise and the
    rotation axis (axis 2 of ``(N, C, 4, H, W)``) is rolled by ``k``:
    ``out[:, :, r] = rot90(y[:, :, r - k])``.

    Examples
    --------
    >>> import cnnlib as cl, numpy as np
    >>> y = np.zeros((1, 1, 4, 2, 2)); y[0, 0, 0, 0, 0] = 1   # orientation 0, top-left
    >>> z = cl.p4_rotate(y)
    >>> [int(v) for v in np.argwhere(np.asarray(z) == 1)[0]]   # orientation 1, bottom-left
    [0, 0, 1, 1, 0]
    """
    y = as_float_array(y, "y")
    check_shape(y, (None, None, 4, None, None), "y", "(N, C, 4, H, W)")
    y = _array(y, "y")
    k = check_int(k, "k") % 4
    return jnp.roll(jnp.rot90(y, k, axes=(-2, -1)), k, axis=2)


@partial(jax.jit, static_argnames=("mode",))
def _p4_pool(y: jax.Array, *, mode: str) -> jax.Array:
    return jnp.max(y, axis=2) if mode == "max" else jnp.mean(y, axis=2)  # (N, C, H, W)


def p4_pool(y: Any, mode: str = "max") -> jax.Array:
    """Pool over the rotation axis: ``(N, C, 4, H, W) -> (N, C, H, W)``.

    The result no longer says *which* orientation answered, so turning the
    input by a quarter turn only turns these maps: ``p4_pool(p4_rotate(y))``
    equals ``rot90(p4_pool(y))``. A global pooling after it gives numbers
    that are invariant to quarter turns.

    Parameters
    ----------
    mode : {'max', 'mean'}

    Examples
    --------
    >>> import cnnlib as cl, numpy as np
    >>> y = np.arange(4.0).reshape(1, 1, 4, 1, 1)
    >>> cl.p4_pool(y).tolist(), cl.p4_pool(y, "mean").tolist()
    ([[[[3.0]]]], [[[[1.5]]]])
    """
    y = as_float_array(y, "y")
    check_shape(y, (None, None, 4, None, None), "y", "(N, C, 4, H, W)")
    y = _array(y, "y")
    return _p4_pool(y, mode=check_choice(mode, ("max", "mean"), "mode"))
