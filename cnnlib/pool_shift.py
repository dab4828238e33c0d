"""What max pooling keeps when its input moves a little.

A shift by one sample changes almost every value of a detector map (a
convolution followed by a ReLU), but a max-pooled value changes only when the
largest value in its window changes. :func:`shift_change_fractions` counts
both; :func:`fraction_changed` is the count itself.

Notebook: ``notebooks/03_equivariance.ipynb``.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from ._validate import as_float_array, check_finite, check_int, check_ndim, check_real
from .pool import max_pool2d
from .transforms import shift

__all__ = ["fraction_changed", "shift_change_fractions"]


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
    check_finite(a, "a")
    check_finite(b, "b")
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
        Pooling width, at most the length of ``x`` (its smaller side in 2-D); the window of sample ``i`` is ``i - size // 2, ...,
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
    if x.size == 0:
        raise ValueError(f"`x` must not be empty; got shape {tuple(x.shape)}.")
    check_finite(x, "x")
    size = check_int(size, "size", minimum=1, maximum=min(x.shape))
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
