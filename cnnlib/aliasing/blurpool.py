"""BlurPool and MaxBlurPool (Zhang 2019): blur before keeping every ``s``-th sample.

:func:`blur_pool2d` blurs each channel with the binomial filter
:math:`b_k \\otimes b_k`, then keeps every ``stride``-th sample.
:func:`max_blur_pool2d` replaces ``max_pool(size=2, stride=2)``: max with
stride 1, then the blur, then every second sample. Their 1-D twins work on
signals ``(L,)`` or ``(N, C, L)``.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .._validate import check_choice, check_positive_int
from ..pool import max_pool2d
from ._common import BOUNDARIES, _as_input, _check_filter_size, _check_step
from .binomial import _binomial, _blur_subsample, _pads

__all__ = ["blur_pool1d", "blur_pool2d", "max_blur_pool1d", "max_blur_pool2d"]


def _check_reflect(spatial: tuple[int, ...], taps: int, boundary: str) -> None:
    if boundary == "reflect" and taps > 1 and any(max(_pads(taps)) >= n for n in spatial if n > 1):
        raise ValueError(
            f"`boundary='reflect'` needs the input to be longer than the padding {_pads(taps)}; got size "
            f"{spatial}. Use a smaller `filter_size` or boundary='replicate'."
        )


def _as4d(x: jax.Array) -> jax.Array:
    return x[None, None] if x.ndim == 2 else x  # (N, C, H, W)


def blur_pool2d(x: Any, *, filter_size: int = 3, stride: int = 2, boundary: str = "reflect") -> jax.Array:
    """Blur each channel with the binomial filter, then keep every ``stride``-th sample (BlurPool).

    .. math::

        y_{c,i,j} = \\sum_{a,b} b_k[a]\\, b_k[b]\\; \\tilde x_{c,\\, s i + a,\\, s j + b},

    where :math:`\\tilde x` is ``x`` padded by :math:`\\lfloor (k-1)/2 \\rfloor`
    before and :math:`\\lceil (k-1)/2 \\rceil` after on each axis.

    Parameters
    ----------
    x : array, shape (H, W) or (N, C, H, W)
        Image or batch of feature maps.
    filter_size : int
        Taps ``k`` of the binomial filter, 1 to 7; 1 is plain subsampling ``x[..., ::s, ::s]``.
    stride : int
        Subsampling factor ``s``, 1 to the longest side (which leaves one sample).
    boundary : {'reflect', 'circular', 'zeros', 'replicate'}
        How the padding is filled (as in :func:`cnnlib.conv2d`).

    Returns
    -------
    jax.Array, shape (H', W') or (N, C, H', W'), with :math:`H' = \\lceil H / s \\rceil`.

    Raises
    ------
    ValueError
        If ``x`` is not 2-D or 4-D, empty or not finite, ``filter_size`` is outside 1..7,
        or ``stride`` is not a whole number from 1 to the longest side.

    See Also
    --------
    max_blur_pool2d : max with stride 1, then this.
    binomial_filter : the filter.

    Examples
    --------
    >>> x = jnp.array([[0., 0., 4., 4.]] * 4)
    >>> blur_pool2d(x, filter_size=1)           # plain subsampling: columns 0 and 2
    Array([[0., 4.],
           [0., 4.]], dtype=float32)
    >>> blur_pool2d(x, filter_size=3)           # [1, 2, 1] / 4 along each row first
    Array([[0., 3.],
           [0., 3.]], dtype=float32)
    """
    x = _as_input(x, {2, 4}, "(H, W) or (N, C, H, W)")
    taps = _check_filter_size(filter_size)
    stride = _check_step(stride, "stride", tuple(x.shape[-2:]))
    check_choice(boundary, BOUNDARIES, "boundary")
    _check_reflect(tuple(x.shape[-2:]), taps, boundary)
    y = _blur_subsample(_as4d(x), _binomial(taps), stride=(stride, stride), boundary=boundary)
    return y[0, 0] if x.ndim == 2 else y


def blur_pool1d(x: Any, *, filter_size: int = 3, stride: int = 2, boundary: str = "reflect") -> jax.Array:
    """:func:`blur_pool2d` for signals: ``(L,)`` or ``(N, C, L)``.

    Examples
    --------
    >>> blur_pool1d(jnp.array([0., 0., 4., 4., 0., 0., 4., 4.]), filter_size=3, boundary="circular")
    Array([1., 3., 1., 3.], dtype=float32)
    """
    x = _as_input(x, {1, 3}, "(L,) or (N, C, L)")
    taps = _check_filter_size(filter_size)
    stride = _check_step(stride, "stride", (x.shape[-1],))
    check_choice(boundary, BOUNDARIES, "boundary")
    _check_reflect((x.shape[-1],), taps, boundary)
    x4 = x[None, None, None] if x.ndim == 1 else x[:, :, None, :]  # (N, C, 1, L)
    y = _blur_subsample(x4, _binomial(taps), stride=(1, stride), boundary=boundary)
    return y[0, 0, 0] if x.ndim == 1 else y[:, :, 0]


def _max_stride1(x4: jax.Array, size: int, boundary: str) -> jax.Array:
    """Max over ``size x size`` windows with stride 1; 'circular' wraps so the size is kept."""
    if boundary == "circular":
        x4 = jnp.pad(x4, ((0, 0), (0, 0), (0, size - 1 if x4.shape[2] > 1 else 0), (0, size - 1)), mode="wrap")
    window = (size if x4.shape[2] > 1 else 1, size)
    return max_pool2d(x4, window, stride=1)


def max_blur_pool2d(x: Any, size: int = 2, *, filter_size: int = 3, boundary: str = "reflect") -> jax.Array:
    """MaxBlurPool (Zhang 2019): max over ``size x size`` windows with stride 1, then :func:`blur_pool2d` with stride ``size``.

    With ``filter_size=1`` this is exactly ``max_pool2d(x, size)`` for an
    input whose side is a multiple of ``size``: the blur does nothing and the
    subsampling keeps the windows that plain max pooling uses.

    Parameters
    ----------
    x : array, shape (H, W) or (N, C, H, W)
    size : int
        Window of the max and stride of the subsampling (>= 1).
    filter_size : int
        Taps of the binomial blur, 1 to 7.
    boundary : {'reflect', 'circular', 'zeros', 'replicate'}
        Padding of the blur. With 'circular' the max wraps around too, so
        the whole operation commutes exactly with circular shifts by
        multiples of ``size``.

    Returns
    -------
    jax.Array, shape (..., ceil((H - size + 1) / size), ...); with 'circular' ceil(H / size).

    Examples
    --------
    >>> x = jnp.array([[0., 0., 1., 1., 0., 0., 1., 1.]] * 2)
    >>> max_blur_pool2d(x, filter_size=1, boundary="circular")[0]
    Array([0., 1., 0., 1.], dtype=float32)
    >>> max_blur_pool2d(x, filter_size=3, boundary="circular")[0]
    Array([0.5, 1. , 0.5, 1. ], dtype=float32)
    >>> max_blur_pool2d(jnp.roll(x, 1, axis=1), filter_size=3, boundary="circular")[0]   # shifted by one
    Array([0.75, 0.75, 0.75, 0.75], dtype=float32)
    """
    x = _as_input(x, {2, 4}, "(H, W) or (N, C, H, W)")
    size = check_positive_int(size, "size")
    taps = _check_filter_size(filter_size)
    check_choice(boundary, BOUNDARIES, "boundary")
    if min(x.shape[-2:]) < size:
        raise ValueError(f"`size` must be at most the input's side; got size {size} for x of shape {tuple(x.shape)}.")
    _check_reflect(tuple(x.shape[-2:]), taps, boundary)
    m = _max_stride1(_as4d(x), size, boundary)  # (N, C, H - size + 1, W - size + 1), or (N, C, H, W) if circular
    y = _blur_subsample(m, _binomial(taps), stride=(size, size), boundary=boundary)
    return y[0, 0] if x.ndim == 2 else y


def max_blur_pool1d(x: Any, size: int = 2, *, filter_size: int = 3, boundary: str = "reflect") -> jax.Array:
    """:func:`max_blur_pool2d` for signals: ``(L,)`` or ``(N, C, L)``.

    Examples
    --------
    >>> x = jnp.array([0., 0., 1., 1., 0., 0., 1., 1.])
    >>> max_blur_pool1d(x, filter_size=1, boundary="circular")        # = max_pool1d(x, 2)
    Array([0., 1., 0., 1.], dtype=float32)
    >>> max_blur_pool1d(jnp.roll(x, 1), filter_size=1, boundary="circular")   # shifted by one sample
    Array([1., 1., 1., 1.], dtype=float32)
    """
    x = _as_input(x, {1, 3}, "(L,) or (N, C, L)")
    size = check_positive_int(size, "size")
    taps = _check_filter_size(filter_size)
    check_choice(boundary, BOUNDARIES, "boundary")
    if x.shape[-1] < size:
        raise ValueError(f"`size` must be at most the signal's length; got size {size} for x of shape {tuple(x.shape)}.")
    _check_reflect((x.shape[-1],), taps, boundary)
    x4 = x[None, None, None] if x.ndim == 1 else x[:, :, None, :]  # (N, C, 1, L)
    m = _max_stride1(x4, size, boundary)  # (N, C, 1, L')
    y = _blur_subsample(m, _binomial(taps), stride=(1, size), boundary=boundary)
    return y[0, 0, 0] if x.ndim == 1 else y[:, :, 0]
