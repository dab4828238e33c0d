"""1-D pooling (a signal ``(L,)`` or ``(N, C, L)`` is an image with one row) and global pooling."""
from __future__ import annotations

import math
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import as_float_array, check_int, check_ndim, describe, ntuple
from ._pool2d import avg_pool2d, lp_pool2d, max_pool2d, weighted_pool2d

__all__ = ["max_pool1d", "avg_pool1d", "lp_pool1d", "weighted_pool1d", "global_max_pool", "global_avg_pool"]


def _as_rows(x: Any, size: Any, stride: Any, padding: Any) -> tuple[jax.Array, tuple, Any, Any]:
    """(L,) -> (1, L); (N, C, L) -> (N, C, 1, L); 1-D size/stride/padding -> 2-D."""
    x = as_float_array(x, "x")
    check_ndim(x, {1, 3}, "x", "(L,) or (N, C, L)")
    if x.shape[-1] == 0:
        raise ValueError(f"`x` must have at least one sample; got shape {tuple(x.shape)}.")
    (k,) = ntuple(size, 1, "size")
    s = None if stride is None else (1, ntuple(stride, 1, "stride")[0])
    if isinstance(padding, str):
        pad = padding  # checked by the 2-D routine; 'same' always fits
        if padding == "valid" and k > x.shape[-1]:
            raise ValueError(f"`size` {k} is larger than the signal ({x.shape[-1]} samples); use a smaller window or padding.")
    else:
        try:
            is_int = isinstance(padding, (int, np.integer)) and not isinstance(padding, (bool, np.bool_))
            lo, hi = (padding, padding) if is_int else padding
            lo, hi = check_int(lo, "padding", minimum=0), check_int(hi, "padding", minimum=0)
        except (TypeError, ValueError):
            raise ValueError(f"`padding` must be 'valid', 'same', an int >= 0 or (left, right); got {describe(padding)}.") from None
        if max(lo, hi) >= k:
            raise ValueError(f"`padding` ({lo}, {hi}) must be smaller than the window `size` {k} on each side.")
        if k > x.shape[-1] + lo + hi:
            raise ValueError(
                f"`size` {k} is larger than the padded signal ({x.shape[-1]} + {lo} + {hi} = {x.shape[-1] + lo + hi} samples); "
                "use a smaller window or more padding."
            )
        pad = ((0, 0), (lo, hi))
    rows = x[..., None, :]  # (1, L) or (N, C, 1, L)
    return rows, (1, k), (1, k) if s is None else s, pad


def _one_d(pool2d: Any, x: Any, size: Any, stride: Any, padding: Any, **kw: Any) -> jax.Array:
    rows, window, strides, pad = _as_rows(x, size, stride, padding)
    return pool2d(rows, window, stride=strides, padding=pad, **kw)[..., 0, :]  # (L',) or (N, C, L')


def max_pool1d(x: Any, size: int, *, stride: int | None = None, padding: Any = "valid") -> jax.Array:
    """Max pooling of a signal ``(L,)`` or ``(N, C, L)``; see :func:`max_pool2d`.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.max_pool1d([0.1, 1.0, 0.2, 0.1, 0.0], 3, stride=1).tolist()
    [1.0, 1.0, 0.2]
    """
    return _one_d(max_pool2d, x, size, stride, padding)


def avg_pool1d(x: Any, size: int, *, stride: int | None = None, padding: Any = "valid") -> jax.Array:
    """Average pooling of a signal ``(L,)`` or ``(N, C, L)``; see :func:`avg_pool2d`.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.avg_pool1d([1, 3, 5, 7], 2).tolist()
    [2.0, 6.0]
    """
    return _one_d(avg_pool2d, x, size, stride, padding)


def lp_pool1d(x: Any, size: int, *, p: float = 2.0, stride: int | None = None, padding: Any = "valid") -> jax.Array:
    """:math:`L_p` pooling of a signal ``(L,)`` or ``(N, C, L)``; see :func:`lp_pool2d`.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.lp_pool1d([3, 4, 6, 8], 2).tolist()
    [5.0, 10.0]
    """
    return _one_d(lp_pool2d, x, size, stride, padding, p=p)


def weighted_pool1d(
    x: Any, size: int, *, sigma: float | None = None, stride: int | None = None, padding: Any = "valid"
) -> jax.Array:
    """Distance-weighted pooling of a signal ``(L,)`` or ``(N, C, L)``; see :func:`weighted_pool2d`.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.weighted_pool1d([2, 2, 2], 3).tolist()  # weights sum to 1: a constant stays constant
    [2.0]
    """
    return _one_d(weighted_pool2d, x, size, stride, padding, sigma=sigma)


# --- global pooling: any (H, W) -> one number per channel -------------------------------------------


@partial(jax.jit, static_argnames=("op",))
def _global(x: jax.Array, *, op: str) -> jax.Array:
    return jnp.max(x, axis=(-2, -1)) if op == "max" else jnp.mean(x, axis=(-2, -1))  # (N, C)


def _check_global(x: Any) -> jax.Array:
    x = as_float_array(x, "x")
    check_ndim(x, 4, "x", "(N, C, H, W)")
    if math.prod(x.shape[-2:]) == 0:
        raise ValueError(f"`x` must have at least one pixel per channel; got {tuple(x.shape)}.")
    return x


def global_max_pool(x: Any) -> jax.Array:
    """The largest value of each channel: ``(N, C, H, W) -> (N, C)`` for any ``H, W``.

    Whatever the image size, the output has one number per channel, so a
    dense layer can follow a convolutional stack that accepts any size.

    Examples
    --------
    >>> import cnnlib as cl, numpy as np
    >>> cl.global_max_pool(np.arange(8).reshape(1, 2, 2, 2)).tolist()
    [[3.0, 7.0]]
    """
    return _global(_check_global(x), op="max")


def global_avg_pool(x: Any) -> jax.Array:
    """The mean of each channel: ``(N, C, H, W) -> (N, C)`` for any ``H, W``.

    Examples
    --------
    >>> import cnnlib as cl, numpy as np
    >>> cl.global_avg_pool(np.arange(8).reshape(1, 2, 2, 2)).tolist()
    [[1.5, 5.5]]
    """
    return _global(_check_global(x), op="mean")
