"""Smooth deformations: the operator D_tau, random smooth fields tau, and the size of their gradient.

A deformation moves each point by its own small displacement :math:`\\tau(p)`;
a shift is the special case of a constant :math:`\\tau`. How much a
representation changes under :math:`D_\\tau` is measured in notebook 03
against :math:`\\|\\tau\\|` and :math:`\\|\\nabla\\tau\\|` (Mallat's deformation stability).
The names are importable from :mod:`cnnlib.transforms` too.

Notebook: ``notebooks/03_equivariance.ipynb``.
"""
from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from ._resample import _check_order, _image, _sample
from ._validate import as_float_array, check_finite, check_image_shape, check_key, check_ndim, check_real, check_shape, check_size

__all__ = ["warp", "smooth_flow", "flow_gradient_norm"]


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
    check_finite(flow, "flow")
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
    check_size(2 * shape[0] * shape[1], "shape", "the field")
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
    if flow.size == 0:
        raise ValueError(f"`flow` must not be empty; got shape {tuple(flow.shape)}.")
    check_finite(flow, "flow")
    return float(_flow_gradient_norm(flow))
