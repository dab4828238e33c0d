"""What every resampling transform shares: the image check, and reading an image at non-integer points.

Private to :mod:`cnnlib.transforms` and :mod:`cnnlib.flow` (one place, no import cycle).
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax.scipy.ndimage import map_coordinates

from ._validate import as_float_array, check_finite, check_int

__all__: list[str] = []


def _image(x: Any) -> jax.Array:
    """A finite, non-empty float image ``(H, W)`` or stack ``(..., H, W)``."""
    x = as_float_array(x, "x")
    if x.ndim < 2:
        raise ValueError(f"`x` must have shape (H, W) or (..., H, W); got {tuple(x.shape)} ({x.ndim}-D).")
    if x.size == 0:
        raise ValueError(f"`x` must not be empty; got shape {tuple(x.shape)}.")
    return check_finite(x, "x")


def _number(value: Any, check: Any, name: str, **limits: Any) -> Any:
    """Check a scalar parameter in plain Python, but let a traced one (under jit or vmap) through."""
    return value if isinstance(value, jax.core.Tracer) else check(value, name, **limits)


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


def _check_order(order: Any) -> int:
    order = check_int(order, "order")
    if order not in (0, 1):
        raise ValueError(f"`order` must be 0 (nearest) or 1 (bilinear); got {order}.")
    return order
