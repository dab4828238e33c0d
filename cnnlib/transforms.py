"""Transformations g of an image: shift, rotation, scaling and smooth deformation.

These are the g in the equivariance test :math:`f(g(x)) = g(f(x))`. All act on
the last two axes of ``(H, W)`` or ``(..., H, W)`` and keep the shape (except
:func:`rotate90` of a non-square image, which swaps ``H`` and ``W``).

Coordinates: row ``i`` grows downwards, column ``j`` to the right; the centre
of an ``H x W`` image is ``((H - 1) / 2, (W - 1) / 2)``. Positive angles turn
the picture counter-clockwise *as displayed* (like :func:`numpy.rot90`).

Every transform that is not an integer shift resamples the image: it asks
for the value at a non-integer point :math:`p` of the source and
interpolates (bilinear for ``order=1``, nearest for ``order=0``); points
outside the image read as 0.

The continuous parameters (angle, factor, flow, shift) are traced, not
static, so a slider that moves them reuses one compiled function, and they
may themselves be traced: ``jax.vmap(lambda a: cl.rotate(x, a))(angles)``
turns one image by many angles at once.

Notebook: ``notebooks/03_equivariance.ipynb``.
"""
from __future__ import annotations

import math
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from jax.scipy.ndimage import map_coordinates

from ._validate import as_float_array, check_image_shape, check_choice, check_int, check_key, check_ndim, check_real, check_shape, describe

__all__ = ["shift", "rotate90", "rotate", "rescale", "warp", "smooth_flow", "flow_gradient_norm"]


def _image(x: Any) -> jax.Array:
    x = as_float_array(x, "x")
    if x.ndim < 2:
        raise ValueError(f"`x` must have shape (H, W) or (..., H, W); got {tuple(x.shape)} ({x.ndim}-D).")
    return x


def _number(value: Any, check: Any, name: str, **limits: Any) -> Any:
    """Check a scalar parameter in plain Python, but let a traced one (under jit or vmap) through."""
    return value if isinstance(value, jax.core.Tracer) else check(value, name, **limits)


# --- shift: the operator S_v of the notebook ----------------------------------------------------


@partial(jax.jit, static_argnames=("boundary",))
def _shift(x: jax.Array, dy: jax.Array, dx: jax.Array, *, boundary: str) -> jax.Array:
    y = jnp.roll(x, (dy, dx), axis=(-2, -1))  # a traced roll: one compilation for every (dy, dx)
    if boundary == "circular":
        return y
    rows = jnp.arange(x.shape[-2])[:, None] - dy  # (H, 1): the source row of each output row
    cols = jnp.arange(x.shape[-1])[None, :] - dx  # (1, W)
    inside = (rows >= 0) & (rows < x.shape[-2]) & (cols >= 0) & (cols < x.shape[-1])  # (H, W)
    return jnp.where(inside, y, 0.0)


def _fold(v: Any, n: int, boundary: str) -> Any:
    """An equivalent shift within int32: modulo ``n`` on the torus, at most ``n`` either way with zeros."""
    if isinstance(v, jax.core.Tracer) or n == 0:
        return v
    return v % n if boundary == "circular" else max(-n, min(n, v))


def shift(x: Any, dy: int, dx: int, *, boundary: str = "circular") -> jax.Array:
    """Shift an image by whole pixels: the operator :math:`S_v` with :math:`v = (d_y, d_x)`.

    .. math:: (S_v x)_{i,j} = x_{i - d_y,\\ j - d_x}

    so ``shift(x, 0, 1)`` moves the picture one pixel to the right (the
    lecture's :math:`I'(x, y) = I(x - 1, y)`), and positive ``dy`` moves it down.

    Parameters
    ----------
    x : array, shape (H, W) or (..., H, W)
    dy, dx : int
        Shift in rows (down) and columns (right); negative moves up / left.
    boundary : {'circular', 'zeros'}
        ``'circular'``: what leaves one side enters on the other (a torus;
        :math:`S_v` is then exactly invertible). ``'zeros'``: what enters is 0.

    Returns
    -------
    jax.Array, same shape as ``x``

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.shift([[1, 2, 3]], 0, 1).tolist()
    [[3.0, 1.0, 2.0]]
    >>> cl.shift([[1, 2, 3]], 0, 1, boundary="zeros").tolist()
    [[0.0, 1.0, 2.0]]
    """
    x = _image(x)
    dy, dx = _number(dy, check_int, "dy"), _number(dx, check_int, "dx")
    check_choice(boundary, ("circular", "zeros"), "boundary")
    dy, dx = _fold(dy, x.shape[-2], boundary), _fold(dx, x.shape[-1], boundary)
    return _shift(x, jnp.asarray(dy, jnp.int32), jnp.asarray(dx, jnp.int32), boundary=boundary)


def rotate90(x: Any, k: int = 1) -> jax.Array:
    """Rotate by ``k`` quarter turns counter-clockwise (exact: pixels are only moved).

    Acts on the last two axes, so a stack ``(N, C, H, W)`` becomes
    ``(N, C, W, H)``. ``rotate90(x, 4)`` is ``x``; ``k`` may be negative.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.rotate90([[1, 2], [3, 4]]).tolist()
    [[2.0, 4.0], [1.0, 3.0]]
    """
    x = _image(x)
    k = check_int(k, "k") % 4
    return jnp.rot90(x, k, axes=(-2, -1))


# --- resampling: rotate, rescale, warp all read x at non-integer points -------------------------


def _sample(x: jax.Array, rows: jax.Array, cols: jax.Array, order: int) -> jax.Array:
    """x (..., H, W) read at the points (rows, cols), each (H, W); 0 outside."""
    flat = x.reshape((-1,) + x.shape[-2:])  # (B, H, W)
    out = jax.vmap(lambda img: map_coordinates(img, [rows, cols], order=order, mode="constant", cval=0.0))(flat)
    return out.reshape(x.shape)


def _grid(shape: tuple) -> tuple[jax.Array, jax.Array, float, float]:
    """Pixel coordinates (H, W) relative to the image centre, and the centre."""
    cy, cx = (shape[-2] - 1) / 2.0, (shape[-1] - 1) / 2.0
    rows, cols = jnp.meshgrid(jnp.arange(shape[-2], dtype=jnp.float32), jnp.arange(shape[-1], dtype=jnp.float32), indexing="ij")
    return rows - cy, cols - cx, cy, cx


def _cos_sin(angle: jax.Array) -> tuple[jax.Array, jax.Array]:
    """cos and sin of an angle in degrees, exactly 0 and +-1 at multiples of 90 degrees."""
    rad = jnp.deg2rad(jnp.mod(angle, 360.0))
    c, s = jnp.cos(rad), jnp.sin(rad)
    clean = lambda v: jnp.where(jnp.abs(v) < 1e-6, 0.0, jnp.where(jnp.abs(jnp.abs(v) - 1) < 1e-6, jnp.sign(v), v))  # noqa: E731
    return clean(c), clean(s)


@partial(jax.jit, static_argnames=("order",))
def _rotate(x: jax.Array, angle: jax.Array, *, order: int) -> jax.Array:
    v, u, cy, cx = _grid(x.shape)  # v: down, u: right, both from the centre
    c, s = _cos_sin(angle)
    # The output at (u, -v) (maths axes, y up) reads the input at the point turned back by -angle.
    src_u = c * u - s * v
    src_v = s * u + c * v
    return _sample(x, cy + src_v, cx + src_u, order)


def rotate(x: Any, angle: float, *, order: int = 1) -> jax.Array:
    """Rotate about the image centre by ``angle`` degrees counter-clockwise, keeping the shape.

    .. math:: (R_\\theta x)(p) = x\\big(c + R_{-\\theta}(p - c)\\big)

    Corners that come from outside the image are 0. For a square image and a
    multiple of 90 degrees every pixel centre lands on a pixel centre, so the
    result equals :func:`rotate90` exactly (odd and even sizes alike).

    Parameters
    ----------
    x : array, shape (H, W) or (..., H, W)
    angle : float
        Degrees, counter-clockwise as displayed.
    order : {0, 1}
        0: nearest pixel; 1: bilinear interpolation (default).

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.rotate([[1, 2], [3, 4]], 90).tolist()
    [[2.0, 4.0], [1.0, 3.0]]
    """
    x = _image(x)
    angle = _number(angle, check_real, "angle")
    if not isinstance(angle, jax.core.Tracer):
        angle = angle % 360.0  # in float64, before float32 rounds away the digits of a large angle
    order = _check_order(order)
    return _rotate(x, jnp.asarray(angle, jnp.float32), order=order)


def _check_order(order: Any) -> int:
    order = check_int(order, "order")
    if order not in (0, 1):
        raise ValueError(f"`order` must be 0 (nearest) or 1 (bilinear); got {order}.")
    return order


@jax.jit
def _rescale(x: jax.Array, factor: jax.Array) -> jax.Array:
    v, u, cy, cx = _grid(x.shape)
    return _sample(x, cy + v / factor, cx + u / factor, 1)


def rescale(x: Any, factor: float) -> jax.Array:
    """Zoom about the image centre by ``factor``, keeping the shape (bilinear, 0 outside).

    .. math:: (A_s x)(p) = x\\big(c + (p - c) / s\\big)

    ``factor > 1`` enlarges the picture (its edges leave the frame);
    ``factor < 1`` shrinks it (a black frame appears).

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.rescale([[0, 0, 0], [0, 1, 0], [0, 0, 0]], 2.0).tolist()
    [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]
    """
    x = _image(x)
    factor = _number(factor, check_real, "factor", minimum=0.0, min_inclusive=False)
    return _rescale(x, jnp.asarray(factor, jnp.float32))


@partial(jax.jit, static_argnames=("order",))
def _warp(x: jax.Array, flow: jax.Array, *, order: int = 1) -> jax.Array:
    rows, cols = jnp.meshgrid(jnp.arange(x.shape[-2], dtype=x.dtype), jnp.arange(x.shape[-1], dtype=x.dtype), indexing="ij")
    return _sample(x, rows - flow[0], cols - flow[1], order)  # flow: (2, H, W) = (down, right)


def warp(x: Any, flow: Any, *, order: int = 1) -> jax.Array:
    """Deform an image by a displacement field: the operator :math:`D_\\tau`.

    .. math:: (D_\\tau x)(p) = x\\big(p - \\tau(p)\\big)

    (the convention of Mallat's deformation stability): the content near
    :math:`p - \\tau(p)` moves to :math:`p`, so a constant field
    :math:`\\tau \\equiv v` with integer :math:`v` is exactly the shift
    :func:`shift` ``(x, *v, boundary="zeros")``, and :math:`\\tau = 0` is the
    identity. Non-integer points are read bilinearly, and points outside the
    image read as 0.

    Parameters
    ----------
    x : array, shape (H, W) or (..., H, W)
    flow : array, shape (2, H, W)
        ``flow[0]``: displacement down (rows), ``flow[1]``: right (columns), in pixels.
    order : {0, 1}
        Nearest or bilinear reading.

    Examples
    --------
    >>> import cnnlib as cl, numpy as np
    >>> flow = np.stack([np.zeros((1, 3)), np.ones((1, 3))])  # one pixel to the right
    >>> cl.warp([[1, 2, 3]], flow).tolist()
    [[0.0, 1.0, 2.0]]
    """
    x = _image(x)
    flow = as_float_array(flow, "flow")
    check_shape(flow, (2,) + tuple(x.shape[-2:]), "flow", f"(2, H, W) = {(2,) + tuple(x.shape[-2:])} to match `x`")
    return _warp(x, flow.astype(x.dtype), order=_check_order(order))


# --- random smooth deformations -----------------------------------------------------------------


@partial(jax.jit, static_argnames=("shape",))
def _unit_flow(key: jax.Array, smoothness: jax.Array, *, shape: tuple) -> jax.Array:
    noise = jax.random.normal(key, (2, 1) + shape)  # (2, 1, H, W): two fields, one channel each
    return _blurred_unit_flow(noise, smoothness)


def _blurred_unit_flow(noise: jax.Array, smoothness: jax.Array) -> jax.Array:
    """White noise (2, 1, H, W) blurred by a Gaussian of width ``smoothness``, scaled to a largest length of 1."""
    from .conv import conv2d  # the one convolution

    shape = noise.shape[-2:]
    radius = (min(shape) - 1) // 2  # fixed, so that `smoothness` can be traced (one compilation per shape)
    t = jnp.arange(-radius, radius + 1, dtype=jnp.float32)
    g = jnp.exp(-(t**2) / (2 * smoothness**2))
    g = g / g.sum()  # (2r + 1,)
    blur = partial(conv2d, padding="same", boundary="reflect", method="fft")
    flow = blur(blur(noise, g[None, None, None, :]), g[None, None, :, None])[:, 0]  # rows, then columns: (2, H, W)
    return flow / jnp.max(jnp.sqrt(flow[0] ** 2 + flow[1] ** 2))


def smooth_flow(key: Any, shape: tuple[int, int], amplitude: float, smoothness: float) -> jax.Array:
    """A random smooth displacement field :math:`\\tau` for :func:`warp`.

    White noise in each component, blurred by a Gaussian of width
    ``smoothness`` pixels (reflecting at the border; the Gaussian is cut off
    ``(min(H, W) - 1) // 2`` pixels from its centre), then scaled so that the
    longest displacement :math:`\\max_p \\|\\tau(p)\\|` equals ``amplitude``.
    Its gradient is about ``amplitude / smoothness``: a large ``smoothness``
    gives a gentle, almost constant field; a small one a crumpled image.

    Parameters
    ----------
    key : jax PRNG key
    shape : (int, int)
        ``(H, W)`` of the image to warp.
    amplitude : float
        Largest displacement in pixels, >= 0.
    smoothness : float
        Width of the Gaussian blur in pixels, > 0.

    Returns
    -------
    jax.Array, shape (2, H, W)

    Examples
    --------
    >>> import cnnlib as cl, jax
    >>> tau = cl.smooth_flow(jax.random.key(0), (32, 32), 3.0, 4.0)
    >>> tau.shape, round(float(jax.numpy.hypot(tau[0], tau[1]).max()), 4)
    ((2, 32, 32), 3.0)
    """
    key = check_key(key)
    shape = check_image_shape(shape, "shape")
    amplitude = check_real(amplitude, "amplitude", minimum=0.0)
    smoothness = check_real(smoothness, "smoothness", minimum=0.0, min_inclusive=False)
    return amplitude * _unit_flow(key, jnp.float32(smoothness), shape=shape)


@jax.jit
def _flow_gradient_norm(flow: jax.Array) -> jax.Array:
    dy = jnp.stack(jnp.gradient(flow[0]))  # (2, H, W): d tau_y / d(row, col)
    dx = jnp.stack(jnp.gradient(flow[1]))
    return jnp.max(jnp.sqrt(jnp.sum(dy**2 + dx**2, axis=0)))  # largest Frobenius norm of the Jacobian


def flow_gradient_norm(flow: Any) -> float:
    """:math:`\\|\\nabla\\tau\\|_\\infty`: the largest Frobenius norm of the Jacobian of a field.

    Central differences inside, one-sided at the border. A constant field
    (a pure shift) has 0, however long its arrows.

    Examples
    --------
    >>> import cnnlib as cl, numpy as np
    >>> shift_field = np.stack([np.full((4, 4), 5.0), np.zeros((4, 4))])
    >>> cl.flow_gradient_norm(shift_field)
    0.0
    """
    flow = as_float_array(flow, "flow")
    check_ndim(flow, 3, "flow", "(2, H, W)")
    check_shape(flow, (2, None, None), "flow", "(2, H, W)")
    return float(_flow_gradient_norm(flow))
