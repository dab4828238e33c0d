"""Measuring equivariance and invariance, and a layer that is exactly rotation-equivariant.

A function :math:`f` is *equivariant* to a transformation :math:`g` when
transforming the input transforms the output in a matching way,

.. math:: f(g(x)) = g'(f(x)),

(usually :math:`g' = g`), and *invariant* when the output does not move at
all, :math:`f(g(x)) = f(x)`. The errors below measure how far a layer is
from either, relative to the size of its output, so 0 means exact and 1
means "as large as the signal itself".

The p4 group convolution (Cohen and Welling, 2016) makes a layer exactly
equivariant to quarter turns: it correlates the input with all four
rotations of each kernel, so its output has an extra *rotation axis* of
length 4, ``(N, C, 4, H, W)``. Turning the input by 90 degrees
counter-clockwise turns every output map by 90 degrees and moves the maps one
step along the rotation axis (:func:`p4_rotate`).

Notebook: ``notebooks/03_equivariance.ipynb``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import as_float_array, check_choice, check_int, check_ndim, check_real, check_shape
from .pool import max_pool2d
from .transforms import shift

__all__ = [
    "equivariance_error",
    "invariance_error",
    "equivariance_curve",
    "oriented_kernel",
    "p4_lifting_conv",
    "p4_group_conv",
    "p4_pool",
    "p4_rotate",
    "fraction_changed",
    "shift_change_fractions",
]


# --- errors ---------------------------------------------------------------------------------------


def _relative_difference(a: Any, b: Any, ref: Any, names: tuple[str, str]) -> float:
    """||a - b|| / ||ref||, refusing to broadcast ``a`` against ``b`` (that would hide a mistake)."""
    a, b = jnp.asarray(a), jnp.asarray(b)
    if a.shape != b.shape:
        raise ValueError(
            f"`{names[0]}` and `{names[1]}` must have the same shape to be compared; "
            f"got {tuple(a.shape)} and {tuple(b.shape)}."
        )
    return _relative(a - b, jnp.asarray(ref))


def _relative(diff: jax.Array, ref: jax.Array) -> float:
    num = float(jnp.linalg.norm(jnp.ravel(diff)))
    den = float(jnp.linalg.norm(jnp.ravel(ref)))
    if den == 0.0:
        return 0.0 if num == 0.0 else float("inf")
    return num / den


def _check_callable(value: Any, name: str) -> None:
    if not callable(value):
        raise TypeError(f"`{name}` must be a function of one array; got {type(value).__name__}.")


def equivariance_error(f: Callable, g: Callable, x: Any, *, g_out: Callable | None = None) -> float:
    """How far ``f`` is from commuting with ``g`` on ``x``, relative to the output.

    .. math:: e = \\frac{\\|f(g(x)) - g'(f(x))\\|}{\\|f(x)\\|}

    What exactly is measured:

    * the norm is the Frobenius (Euclidean) norm over *all* entries of the
      arrays, the square root of the sum of squares;
    * the difference is divided by :math:`\\|f(x)\\|` itself, not by
      :math:`\\|f(x) - \\overline{f(x)}\\|` (the mean is not removed), so a
      large constant part of the output makes the error look smaller;
    * the output transformation :math:`g'` is ``g_out`` (default ``g``),
      applied to the array ``f(x)`` exactly as given: with ``cl.shift`` that
      is a whole-pixel (grid) shift, never an interpolated sub-pixel one.

    0 means exactly equivariant on this input; round-off in float32 gives
    about 1e-7. After a stride-2 layer and an odd input shift no whole-pixel
    ``g_out`` gives 0; whether the output moved by half a sample instead is
    another question, measured by :func:`cnnlib.shift_equivariance_errors`
    (Fourier half-sample shift, mean-removed norm; notebook 05).

    Parameters
    ----------
    f : callable
        The layer, an array to an array.
    g : callable
        The transformation of the input.
    x : array
        The input.
    g_out : callable, optional
        The matching transformation of the output, when it differs from ``g``
        (for example half the shift after a stride-2 layer, or
        :func:`p4_rotate` after a p4 convolution).

    Returns
    -------
    float
        ``0.0`` if ``f(x)`` and the difference are both zero, ``inf`` if only
        ``f(x)`` is.

    Examples
    --------
    >>> import cnnlib as cl, jax.numpy as jnp
    >>> x = jnp.array([[0.0, 1.0, 2.0, 3.0]])
    >>> right = lambda z: cl.shift(z, 0, 1)
    >>> cl.equivariance_error(lambda z: 2 * z, right, x)   # scaling commutes with shifting
    0.0
    >>> weigh = lambda z: z * jnp.arange(4.0)   # a weight that depends on the position
    >>> round(cl.equivariance_error(weigh, right, x), 2)   # does not commute
    0.94
    """
    _check_callable(f, "f")
    _check_callable(g, "g")
    g_out = g if g_out is None else g_out
    _check_callable(g_out, "g_out")
    x = as_float_array(x, "x")
    fx = f(x)
    return _relative_difference(f(g(x)), g_out(fx), fx, ("f(g(x))", "g_out(f(x))"))


def invariance_error(f: Callable, g: Callable, x: Any) -> float:
    """How much ``f`` changes when the input is transformed, relative to the output.

    .. math:: e = \\frac{\\|f(g(x)) - f(x)\\|}{\\|f(x)\\|}

    Examples
    --------
    >>> import cnnlib as cl, jax.numpy as jnp
    >>> x = jnp.array([[0.0, 1.0, 5.0, 3.0]])
    >>> cl.invariance_error(jnp.max, lambda z: cl.shift(z, 0, 1), x)  # the maximum does not move
    0.0
    """
    _check_callable(f, "f")
    _check_callable(g, "g")
    x = as_float_array(x, "x")
    fx = f(x)
    return _relative_difference(f(g(x)), fx, fx, ("f(g(x))", "f(x)"))


def equivariance_curve(
    f: Callable,
    transform: Callable,
    params: Iterable[Any],
    x: Any,
    *,
    transform_out: Callable | None = None,
    invariant: bool = False,
) -> np.ndarray:
    """Errors over a sweep of a transformation's parameter, e.g. the angle of a rotation.

    For each ``p`` in ``params``: :func:`equivariance_error` with
    ``g = transform(., p)`` and ``g' = transform_out(., p)`` (default
    ``transform``), or :func:`invariance_error` when ``invariant=True``.

    Returns
    -------
    numpy.ndarray, shape (len(params),), float64

    Examples
    --------
    >>> import cnnlib as cl, jax.numpy as jnp
    >>> x = jnp.array([[0.0, 1.0, 5.0, 3.0]])
    >>> cl.equivariance_curve(jnp.square, lambda z, d: cl.shift(z, 0, d), [0, 1, 2], x).tolist()
    [0.0, 0.0, 0.0]
    """
    _check_callable(f, "f")
    _check_callable(transform, "transform")
    out = transform if transform_out is None else transform_out
    _check_callable(out, "transform_out")
    x = as_float_array(x, "x")
    if isinstance(params, (str, bytes)) or not isinstance(params, Iterable):
        raise TypeError(f"`params` must be a sequence of parameter values, e.g. [0, 15, 30]; got {type(params).__name__}.")
    errors = []
    for p in params:
        g = partial(_call, transform, p)
        if invariant:
            errors.append(invariance_error(f, g, x))
        else:
            errors.append(equivariance_error(f, g, x, g_out=partial(_call, out, p)))
    return np.asarray(errors, dtype=np.float64)


def _call(transform: Callable, p: Any, z: Any) -> Any:
    return transform(z, p)


# --- a kernel with an orientation ----------------------------------------------------------------


def oriented_kernel(size: int = 9, angle: float = 30.0, sigma: float = 2.0) -> jax.Array:
    """An edge detector with one preferred direction: a derivative of a Gaussian.

    .. math:: w(u, v) \\propto -(u\\cos\\theta - v\\sin\\theta)\\, e^{-(u^2 + v^2) / (2\\sigma^2)}

    with :math:`u` to the right and :math:`v` down from the kernel centre. Its
    response (a cross-correlation) is most positive where the image gets
    darker along the direction ``angle`` degrees (counter-clockwise from "to
    the right"), most negative where it gets brighter, and it is
    antisymmetric: turned by 180 degrees it is its own negative. Normalised so
    that the absolute values sum to 1.

    Parameters
    ----------
    size : int
        Side ``k`` of the ``(k, k)`` kernel, >= 2.
    angle : float
        Preferred direction in degrees.
    sigma : float
        Width of the Gaussian in pixels, > 0.

    Examples
    --------
    >>> import cnnlib as cl
    >>> w = cl.oriented_kernel(3, angle=0.0, sigma=1.0)
    >>> round(float(w[1, 0]), 3), round(float(w[1, 2]), 3)   # + on the left, - on the right
    (0.226, -0.226)
    """
    size = check_int(size, "size", minimum=2)
    angle = check_real(angle, "angle")
    sigma = check_real(sigma, "sigma", minimum=0.0, min_inclusive=False)
    t = np.arange(size) - (size - 1) / 2
    v, u = np.meshgrid(t, t, indexing="ij")  # (k, k): v down, u right
    a = np.deg2rad(angle)
    across = u * np.cos(a) - v * np.sin(a)
    w = -across * np.exp(-(u**2 + v**2) / (2 * sigma**2))
    return jnp.asarray(w / np.abs(w).sum(), dtype=jnp.float32)


# --- p4: exact equivariance to quarter turns -------------------------------------------------------


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


def _check_conv_options(padding: Any, boundary: str) -> Any:
    check_choice(boundary, ("zeros", "circular", "reflect", "replicate"), "boundary")
    if isinstance(padding, list):
        padding = tuple(tuple(p) if isinstance(p, list) else p for p in padding)
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
    w = as_float_array(w, "w")
    _check_square_kernel(w, "(C_out, C_in, k, k)", 4)
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"`w` has C_in = {w.shape[1]} but `x` has {x.shape[1]} channels; `w` must be (C_out, C_in, k, k).")
    return _lift(x, w, padding=_check_conv_options(padding, boundary), boundary=boundary)


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
    w = as_float_array(w, "w")
    _check_square_kernel(w, "(C_out, C_in, 4, k, k)", 5)
    check_shape(w, (None, y.shape[1], 4, None, None), "w", f"(C_out, C_in={y.shape[1]}, 4, k, k) to match `y`")
    return _group(y, w, padding=_check_conv_options(padding, boundary), boundary=boundary)


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
    return _p4_pool(y, mode=check_choice(mode, ("max", "mean"), "mode"))


# --- pooling and small shifts ------------------------------------------------------------------


def fraction_changed(a: Any, b: Any, tol: float = 1e-6) -> float:
    """The fraction of entries where ``a`` and ``b`` differ by more than ``tol``.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.fraction_changed([1, 2, 3, 4], [1, 2, 3.5, 4])
    0.25
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"`a` and `b` must have the same shape; got {tuple(a.shape)} and {tuple(b.shape)}.")
    tol = check_real(tol, "tol", minimum=0.0)
    if a.size == 0:
        raise ValueError("`a` and `b` must not be empty.")
    return float(jnp.mean(jnp.abs(a - b) > tol))


def shift_change_fractions(x: Any, *, size: int = 3, shift_by: int = 1, tol: float = 1e-6) -> tuple[float, float]:
    """How many values change under a small shift, before and after max pooling.

    Shifts the detector output ``x`` circularly by ``shift_by`` samples
    (along the last axis) and max-pools both versions with width ``size``,
    stride 1 and centred windows that wrap around (so every sample has a
    pooled value, and the pooled signal has the same length). Returns the
    fraction of detector values that change and the fraction of pooled
    values that change. A shift changes almost every detector value, but a
    pooled value changes only when the largest value in its window changes.

    Parameters
    ----------
    x : array, shape (L,) or (H, W)
        The detector stage (e.g. a ReLU'd convolution).
    size : int
        Pooling width; the window of sample ``i`` is ``i - size // 2, ...,
        i - size // 2 + size - 1`` (modulo the length).
    shift_by : int
        Shift in samples (columns for 2-D).
    tol : float
        Changes up to ``tol`` do not count.

    Returns
    -------
    (float, float)
        ``(fraction of detector values changed, fraction of pooled values changed)``

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.shift_change_fractions([0.1, 1.0, 0.2, 0.1, 0.0, 0.3])
    (1.0, 0.5)
    """
    x = as_float_array(x, "x")
    check_ndim(x, {1, 2}, "x", "(L,) or (H, W)")
    size = check_int(size, "size", minimum=1)
    shift_by = check_int(shift_by, "shift_by")
    lo, hi = size // 2, size - 1 - size // 2
    rows = x[None] if x.ndim == 1 else x  # (1, L) or (H, W)
    moved = shift(rows, 0, shift_by)

    def pool(z: jax.Array) -> jax.Array:
        pads = ((lo, hi), (lo, hi)) if x.ndim == 2 else ((0, 0), (lo, hi))
        wrapped = jnp.pad(z, pads, mode="wrap")  # circular: the windows wrap around the ends
        window = (1, size) if x.ndim == 1 else (size, size)
        return max_pool2d(wrapped, window, stride=1)

    return fraction_changed(rows, moved, tol), fraction_changed(pool(rows), pool(moved), tol)
