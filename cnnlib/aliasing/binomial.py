"""The binomial filters of BlurPool, and the one blur-then-subsample kernel every part uses.

Zhang (2019, "Making Convolutional Networks Shift-Invariant Again") blurs
with binomial filters, the rows of Pascal's triangle,

.. math::

    b_k = \\frac{1}{2^{k-1}}\\left[\\binom{k-1}{0}, \\binom{k-1}{1}, \\dots, \\binom{k-1}{k-1}\\right],

and in 2-D with the outer product :math:`b_k b_k^\\top`, which is separable:
two 1-D passes give the same result with :math:`2k` taps instead of :math:`k^2`.
Every blur is a depthwise :func:`cnnlib.conv2d`: each channel is blurred on
its own, as the batch ``(N*C, 1, H, W)``.
"""
from __future__ import annotations

import math
from functools import lru_cache, partial

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import check_int
from ..conv import conv2d
from ._common import MAX_FILTER_SIZE, _check_filter_size

__all__ = ["binomial_filter"]


@lru_cache(maxsize=64)
def _pascal(size: int) -> np.ndarray:
    """Row ``size`` of Pascal's triangle over :math:`2^{size-1}` (the binomial weights): sums to 1, for any size >= 1.

    Up to 64 taps each entry is an exact ratio of integers; beyond, it is
    computed in logs, :math:`\\exp(\\ln\\Gamma(n+1) - \\ln\\Gamma(i+1) - \\ln\\Gamma(n-i+1) - n \\ln 2)`,
    so nothing overflows (dividing by the float sum of the integers did beyond
    1025 taps: all zeros, then OverflowError).
    """
    n = size - 1
    if size <= 64:
        row = np.array([math.comb(n, i) for i in range(size)], dtype=np.float64) / 2.0**n
    else:
        lg = np.frompyfunc(math.lgamma, 1, 1)
        i = np.arange(size, dtype=np.float64)
        row = np.exp(math.lgamma(n + 1) - lg(i + 1).astype(np.float64) - lg(n - i + 1).astype(np.float64) - n * math.log(2.0))
        row = row / row.sum()
    row.flags.writeable = False
    return row


def binomial_filter(size: int, *, ndim: int = 1) -> jax.Array:
    """The normalised binomial (Pascal's triangle) filter of ``size`` taps.

    .. math::

        b_k[i] = \\binom{k-1}{i} \\big/ 2^{k-1}, \\qquad i = 0, \\dots, k-1,

    and in 2-D the outer product :math:`b_k b_k^\\top`. Both sum to 1 (a flat
    image stays flat) and are symmetric; size 1 is the identity ``[1]``.

    Parameters
    ----------
    size : int
        Number of taps ``k``, from 1 to 7.
    ndim : {1, 2}
        Return the 1-D filter ``(k,)`` or the 2-D one ``(k, k)``.

    Returns
    -------
    jax.Array, float32, shape (k,) or (k, k)

    Raises
    ------
    ValueError
        If ``size`` is outside 1..7 or ``ndim`` is not 1 or 2.

    Examples
    --------
    >>> binomial_filter(3)
    Array([0.25, 0.5 , 0.25], dtype=float32)
    >>> binomial_filter(5) * 16
    Array([1., 4., 6., 4., 1.], dtype=float32)
    >>> binomial_filter(2, ndim=2)
    Array([[0.25, 0.25],
           [0.25, 0.25]], dtype=float32)
    """
    size = _check_filter_size(size, "size")
    ndim = check_int(ndim, "ndim")
    if ndim not in (1, 2):
        raise ValueError(f"`ndim` must be 1 or 2; got {ndim}.")
    row = _pascal(size)
    return jnp.asarray(row if ndim == 1 else np.outer(row, row), dtype=jnp.float32)


def _pads(taps: int) -> tuple[int, int]:
    """Zhang's padding: floor((k-1)/2) before, ceil((k-1)/2) after."""
    return (taps - 1) // 2, taps // 2


def _padded_filter(size: int, length: int = MAX_FILTER_SIZE) -> np.ndarray:
    """``b_size`` inside ``length`` taps (odd), placed so that padding ((length-1)/2, (length-1)/2) equals Zhang's padding.

    Used where the filter is data rather than a static option (widgets, the
    digits CNN), so that changing the filter size compiles nothing.
    """
    out = np.zeros(length, dtype=np.float32)
    start = (length - 1) // 2 - (size - 1) // 2
    out[start : start + size] = _pascal(size)
    return out


def _binomial(taps: int) -> jax.Array:
    return jnp.asarray(_pascal(taps), dtype=jnp.float32)


@partial(jax.jit, static_argnames=("stride", "boundary"))
def _blur_subsample(x: jax.Array, b: jax.Array, *, stride: tuple[int, int], boundary: str) -> jax.Array:
    """Blur every channel of ``x`` (N, C, H, W) with ``b`` (k,) along both axes, then keep every stride-th sample.

    ``b`` is an array, so the filter's values may change without recompiling;
    its length ``k`` fixes the padding, floor((k-1)/2) before and ceil((k-1)/2) after.
    """
    n, c, h, w = x.shape
    taps = b.shape[0]
    if taps == 1:
        return x[:, :, :: stride[0], :: stride[1]] * b[0]
    b = b.astype(x.dtype)
    lo, hi = _pads(taps)
    y = x.reshape(n * c, 1, h, w)  # (N*C, 1, H, W): depthwise, every channel on its own
    # The 2-D kernel b b^T is separable: two 1-D passes give the same result with 2k taps instead of k^2.
    if h > 1:  # a single row (the 1-D functions) needs no vertical pass
        y = conv2d(y, b.reshape(1, 1, taps, 1), stride=(stride[0], 1), padding=((lo, hi), (0, 0)), boundary=boundary)
    y = conv2d(y, b.reshape(1, 1, 1, taps), stride=(1, stride[1]), padding=((0, 0), (lo, hi)), boundary=boundary)
    return y.reshape(n, c, *y.shape[-2:])  # (N, C, H', W')
