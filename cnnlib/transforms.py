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

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from ._resample import _check_order, _grid, _image, _number, _sample  # noqa: F401 (private names kept importable here)
from ._validate import check_choice, check_int, check_real
from .flow import _blurred_unit_flow, _flow_gradient_norm, _unit_flow, _warp  # noqa: F401 (used by cnnlib.deformations)
from .flow import flow_gradient_norm, smooth_flow, warp  # re-exported: cnnlib.transforms.warp, ...

__all__ = ["shift", "rotate90", "rotate", "rescale", "warp", "smooth_flow", "flow_gradient_norm"]


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


# --- resampling: rotate and rescale read x at non-integer points (as warp does) -------------------


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


@jax.jit
def _rescale(x: jax.Array, factor: jax.Array) -> jax.Array:
    v, u, cy, cx = _grid(x.shape)
    return _sample(x, cy + v / factor, cx + u / factor, 1)


def rescale(x: Any, factor: float) -> jax.Array:
    """Zoom about the image centre by ``factor``, keeping the shape (bilinear, 0 outside).

    .. math:: (A_s x)(p) = x\\big(c + (p - c) / s\\big)

    ``factor > 1`` enlarges the picture (its edges leave the frame);
    ``factor < 1`` shrinks it (a black frame appears). ``factor`` lies
    between 1e-6 and 1e6: beyond, float32 coordinates lose every pixel.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.rescale([[0, 0, 0], [0, 1, 0], [0, 0, 0]], 2.0).tolist()
    [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]
    """
    x = _image(x)
    factor = _number(factor, check_real, "factor", minimum=1e-6, maximum=1e6)
    return _rescale(x, jnp.asarray(factor, jnp.float32))


