"""Aliasing: why a network must blur before it subsamples, and how to measure it.

Subsampling keeps every ``s``-th sample. A frequency above the new Nyquist
limit (half a cycle per *new* sample) cannot be represented and folds back
as a false, lower frequency: moire on a zone plate, and outputs that jump
when the input moves by one pixel. The cure from signal processing is a
low-pass filter before the subsampling; Zhang (2019, "Making Convolutional
Networks Shift-Invariant Again") uses binomial filters, the rows of Pascal's
triangle,

.. math::

    b_k = \\frac{1}{2^{k-1}}\\left[\\binom{k-1}{0}, \\binom{k-1}{1}, \\dots, \\binom{k-1}{k-1}\\right],
    \\qquad k = 1, \\dots, 7,

and replaces ``max_pool(size=2, stride=2)`` by *MaxBlurPool*: max with
stride 1, then blur with :math:`b_k \\otimes b_k`, then keep every second
sample. Here: the filters (:func:`binomial_filter`), the blurred subsampling
(:func:`blur_pool2d`, :func:`max_blur_pool2d` and their 1-D twins,
:func:`downsample`), the spectrum (:func:`spectrum`), test signals
(:func:`zone_plate`, :func:`stripes`, :func:`toy_signal`) and three
measurements (:func:`aliased_fraction`, :func:`shift_equivariance_errors`,
:func:`shift_consistency`).

Every blur is a depthwise :func:`cnnlib.conv2d`: each channel is blurred on
its own, as the batch ``(N*C, 1, H, W)``.

Notebook: ``notebooks/05_aliasing.ipynb``.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import (
    as_float_array,
    check_choice,
    check_int,
    check_key,
    check_ndim,
    check_positive_int,
    check_real,
    describe,
)
from .conv import conv1d, conv2d
from .pool import max_pool2d
from .transforms import shift

__all__ = [
    "MAX_FILTER_SIZE",
    "binomial_filter",
    "blur_pool1d",
    "blur_pool2d",
    "max_blur_pool1d",
    "max_blur_pool2d",
    "downsample",
    "spectrum",
    "local_spectrum",
    "zone_plate",
    "stripes",
    "toy_signal",
    "aliased_fraction",
    "shift_equivariance_errors",
    "shift_consistency",
    "folding_figure",
]

#: Largest binomial filter offered (Zhang 2019 tests sizes 1 to 7).
MAX_FILTER_SIZE = 7
BOUNDARIES = ("reflect", "circular", "zeros", "replicate")


# --------------------------------------------------------------------------- #
# Filters
# --------------------------------------------------------------------------- #
@lru_cache(maxsize=None)
def _pascal(size: int) -> np.ndarray:
    """Row ``size`` of Pascal's triangle, normalised to sum 1 (any size >= 1)."""
    row = np.array([math.comb(size - 1, i) for i in range(size)], dtype=np.float64)
    row = row / row.sum()
    row.flags.writeable = False
    return row


def _check_filter_size(value: Any, name: str = "filter_size") -> int:
    value = check_int(value, name)
    if not 1 <= value <= MAX_FILTER_SIZE:
        raise ValueError(
            f"`{name}` must be between 1 and {MAX_FILTER_SIZE} (a row of Pascal's triangle); got {value}."
        )
    return value


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


# --------------------------------------------------------------------------- #
# Blurred subsampling
# --------------------------------------------------------------------------- #
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


def _binomial(taps: int) -> jax.Array:
    return jnp.asarray(_pascal(taps), dtype=jnp.float32)


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
        Subsampling factor ``s`` (>= 1).
    boundary : {'reflect', 'circular', 'zeros', 'replicate'}
        How the padding is filled (as in :func:`cnnlib.conv2d`).

    Returns
    -------
    jax.Array, shape (H', W') or (N, C, H', W'), with :math:`H' = \\lceil H / s \\rceil`.

    Raises
    ------
    ValueError
        If ``x`` is not 2-D or 4-D, ``filter_size`` is outside 1..7, or ``stride`` < 1.

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
    x = as_float_array(x, "x")
    check_ndim(x, {2, 4}, "x", "(H, W) or (N, C, H, W)")
    taps = _check_filter_size(filter_size)
    stride = check_positive_int(stride, "stride")
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
    x = as_float_array(x, "x")
    check_ndim(x, {1, 3}, "x", "(L,) or (N, C, L)")
    taps = _check_filter_size(filter_size)
    stride = check_positive_int(stride, "stride")
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
    x = as_float_array(x, "x")
    check_ndim(x, {2, 4}, "x", "(H, W) or (N, C, H, W)")
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
    x = as_float_array(x, "x")
    check_ndim(x, {1, 3}, "x", "(L,) or (N, C, L)")
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


def _default_taps(factor: int) -> int:
    """Taps of the anti-aliasing blur for ``factor``: factor^2 + 1 (std factor / 2 pixels; 5 taps at factor 2)."""
    return factor * factor + 1


def downsample(x: Any, factor: int, *, antialias: bool = True, filter_size: int | None = None) -> jax.Array:
    """Shrink an image by an integer ``factor``, with or without a low-pass blur first.

    Without the blur this is ``x[..., ::factor, ::factor]``: every frequency
    above the new Nyquist limit of ``1 / (2 factor)`` cycles per pixel folds
    back as a false one (aliasing). With it, a binomial blur with
    ``factor**2 + 1`` taps (standard deviation ``factor / 2`` pixels; the
    5 taps Zhang found best for a factor of 2) removes most of them first.

    Parameters
    ----------
    x : array, shape (H, W) or (N, C, H, W)
    factor : int
        Keep every ``factor``-th row and column (>= 1).
    antialias : bool
        Blur first (default) or subsample plainly.
    filter_size : int, optional
        Use the binomial filter of this many taps (1 to 7) instead of the default.

    Returns
    -------
    jax.Array, shape (..., ceil(H / factor), ceil(W / factor))

    Examples
    --------
    >>> x = jnp.array([[0., 1.] * 4] * 8)           # the finest stripes an image can hold
    >>> downsample(x, 2, antialias=False)[0]         # keep the even columns: all black
    Array([0., 0., 0., 0.], dtype=float32)
    >>> downsample(x, 2)[0]                          # blurred first: uniform grey
    Array([0.5, 0.5, 0.5, 0.5], dtype=float32)
    """
    x = as_float_array(x, "x")
    check_ndim(x, {2, 4}, "x", "(H, W) or (N, C, H, W)")
    factor = check_positive_int(factor, "factor")
    if not isinstance(antialias, (bool, np.bool_)):
        raise TypeError(f"`antialias` must be True or False; got {describe(antialias)}.")
    if filter_size is None:
        taps = _default_taps(factor) if antialias else 1
    else:
        taps = _check_filter_size(filter_size) if antialias else 1
    boundary = "reflect" if min(x.shape[-2:]) > taps // 2 else "replicate"
    y = _blur_subsample(_as4d(x), _binomial(taps), stride=(factor, factor), boundary=boundary)
    return y[0, 0] if x.ndim == 2 else y


# --------------------------------------------------------------------------- #
# Frequencies and test signals
# --------------------------------------------------------------------------- #
@jax.jit
def _spectrum(x: jax.Array) -> jax.Array:
    return jnp.log1p(jnp.abs(jnp.fft.fftshift(jnp.fft.fft2(x), axes=(-2, -1))))


def spectrum(x: Any) -> jax.Array:
    """Centred log-magnitude of the 2-D discrete Fourier transform.

    .. math::

        S_{u,v} = \\log\\bigl(1 + |\\hat x_{u,v}|\\bigr), \\qquad
        \\hat x_{u,v} = \\sum_{i,j} x_{i,j}\\, e^{-2\\pi \\mathrm{i}\\,(u i / H + v j / W)},

    shifted so that frequency 0 sits at the centre, pixel ``(H // 2, W // 2)``;
    the edges are the Nyquist frequency, half a cycle per pixel.

    Parameters
    ----------
    x : array, shape (..., H, W)

    Returns
    -------
    jax.Array, same shape, float32

    Examples
    --------
    >>> s = spectrum(jnp.ones((4, 4)))              # a flat image: only frequency 0
    >>> round(float(s[2, 2]), 3), float(s.sum() - s[2, 2])    # log(1 + 16)
    (2.833, 0.0)
    """
    x = as_float_array(x, "x")
    if x.ndim < 2:
        raise ValueError(f"`x` must have shape (..., H, W); got {tuple(x.shape)} ({x.ndim}-D).")
    return _spectrum(x)


@partial(jax.jit, static_argnames=("window",))
def _local_spectrum(x: jax.Array, window: int) -> jax.Array:
    length = x.shape[-1]
    idx = (jnp.arange(length)[:, None] + jnp.arange(window)[None, :] - window // 2) % length  # (L, window)
    hann = 0.5 - 0.5 * jnp.cos(2 * jnp.pi * jnp.arange(window) / window)  # periodic Hann, (window,)
    x = x - x.mean(axis=-1, keepdims=True)
    return jnp.abs(jnp.fft.rfft(x[..., idx] * hann, axis=-1)) / (window / 2)  # (..., L, window // 2 + 1)


def local_spectrum(x: Any, window: int = 32) -> jax.Array:
    """How strong each frequency is *around each position* of a signal (short-time Fourier transform).

    .. math::

        A_{t,k} = \\frac{2}{w} \\Bigl|\\sum_{j=0}^{w-1} h_j\\, (x - \\bar x)_{(t - w/2 + j) \\bmod L}\\,
        e^{-2\\pi \\mathrm{i}\\, k j / w}\\Bigr|, \\qquad k = 0, \\dots, w/2,

    with the periodic Hann window :math:`h_j = \\tfrac12 - \\tfrac12\\cos(2\\pi j / w)`
    of ``window`` samples centred on position ``t`` (circular at the ends).
    Row ``t`` is the spectrum of the stretch around ``t``, at the frequencies
    :math:`k / w` cycles per sample. A zone plate's row, whose frequency
    grows with the distance from the centre, shows a V; subsampled, the V
    folds at the new Nyquist limit (notebook 05).

    Parameters
    ----------
    x : array, shape (..., L)
        Signal(s), along the last axis.
    window : int
        Even number of samples ``w`` in the window, 2 to ``L``.

    Returns
    -------
    jax.Array, shape (..., L, window // 2 + 1)
        A cosine of amplitude ``a`` at a frequency ``k / w`` gives about
        ``a / 2`` in column ``k`` (the Hann window halves the peak).

    Examples
    --------
    >>> wave = jnp.cos(2 * jnp.pi * jnp.arange(64) / 8)          # 1/8 cycle per sample
    >>> a = local_spectrum(wave, window=16)                     # frequencies 0, 1/16, ..., 8/16
    >>> a.shape, int(a[10].argmax()), round(float(a[10, 2]), 3) # column 2 = 2/16 cycle per sample
    ((64, 9), 2, 0.5)
    """
    x = as_float_array(x, "x")
    if x.ndim < 1:
        raise ValueError("`x` must have shape (..., L); got a scalar.")
    window = check_int(window, "window", minimum=2)
    if window % 2 or window > x.shape[-1]:
        raise ValueError(f"`window` must be even and at most the signal's length {x.shape[-1]}; got {window}.")
    return _local_spectrum(x, window)


def zone_plate(n: int = 128) -> jax.Array:
    """A zone plate: rings whose frequency grows linearly from the centre to the edge.

    .. math::

        z_{i,j} = \\tfrac12 + \\tfrac12 \\cos\\bigl(\\pi (u^2 + v^2) / n\\bigr),
        \\qquad u = i - n/2,\\; v = j - n/2.

    The local frequency along each axis is :math:`|u| / n` cycles per pixel:
    0 at the centre, the Nyquist limit 1/2 at the edges. Its spectrum is a
    zone plate too, so every frequency appears at a known place.

    Parameters
    ----------
    n : int
        Side in pixels (>= 2).

    Returns
    -------
    jax.Array, float32, shape (n, n), values in [0, 1], 1 at the centre ``(n // 2, n // 2)``

    Examples
    --------
    >>> z = zone_plate(4)
    >>> float(z[2, 2]), float(z[2, 3]), float(z[2, 0])   # cos(0), cos(pi/4), cos(pi)
    (1.0, 0.8535534143447876, 0.0)
    """
    n = check_int(n, "n", minimum=2)
    u = np.arange(n) - n / 2
    r2 = u[:, None] ** 2 + u[None, :] ** 2
    return jnp.asarray(0.5 + 0.5 * np.cos(np.pi * r2 / n), dtype=jnp.float32)


def stripes(n: int, frequency: float, *, angle: float = 0.0) -> jax.Array:
    """Sinusoidal stripes at ``frequency`` cycles per pixel.

    .. math:: s_{i,j} = \\tfrac12 + \\tfrac12 \\cos\\bigl(2\\pi f (j \\cos\\theta + i \\sin\\theta)\\bigr)

    Parameters
    ----------
    n : int
        Side in pixels (>= 1).
    frequency : float
        ``f`` in cycles per pixel, 0 to 0.5 (the Nyquist limit).
    angle : float
        ``theta`` in degrees; 0 gives vertical stripes (varying along a row).

    Returns
    -------
    jax.Array, float32, shape (n, n), values in [0, 1]

    Examples
    --------
    >>> stripes(4, 0.5)[0]                          # the Nyquist frequency: alternate pixels
    Array([1., 0., 1., 0.], dtype=float32)
    >>> stripes(4, 0.25)[0]
    Array([1. , 0.5, 0. , 0.5], dtype=float32)
    """
    n = check_positive_int(n, "n")
    f = check_real(frequency, "frequency", minimum=0.0, maximum=0.5)
    theta = np.deg2rad(check_real(angle, "angle"))
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    phase = 2 * np.pi * f * (j * np.cos(theta) + i * np.sin(theta))
    return jnp.asarray(np.round(0.5 + 0.5 * np.cos(phase), 7), dtype=jnp.float32)


def toy_signal(length: int = 8, *, period: int = 4) -> jax.Array:
    """The lecture's toy signal: 0, 0, 1, 1, 0, 0, 1, 1, ... (rises to 1 and falls back, repeatedly).

    Max pooling it (width 2, stride 2) gives ``[0, 1, 0, 1]``; shifted by one
    sample it gives ``[1, 1, 1, 1]``: a one-pixel shift changes the output completely.

    Parameters
    ----------
    length : int
        Number of samples (>= 1).
    period : int
        Samples per repeat, even and >= 2; the first half are 0, the second 1.

    Returns
    -------
    jax.Array, float32, shape (length,)

    Examples
    --------
    >>> toy_signal()
    Array([0., 0., 1., 1., 0., 0., 1., 1.], dtype=float32)
    >>> toy_signal(6, period=2)
    Array([0., 1., 0., 1., 0., 1.], dtype=float32)
    """
    length = check_positive_int(length, "length")
    period = check_int(period, "period", minimum=2)
    if period % 2:
        raise ValueError(f"`period` must be even (half zeros, half ones); got {period}.")
    return jnp.asarray((np.arange(length) % period) >= period // 2, dtype=jnp.float32)


# --------------------------------------------------------------------------- #
# Measurements
# --------------------------------------------------------------------------- #
def aliased_fraction(x: Any, factor: int, *, antialias: bool = True, filter_size: int | None = None) -> float:
    """Share of a downsampled image's energy that is aliased (folded-back high frequencies).

    Split the (mean-free) image exactly into the part the smaller grid can
    hold and the rest, :math:`x = x_{low} + x_{high}`, where :math:`x_{low}`
    keeps the frequencies below ``1 / (2 factor)`` cycles per pixel on both
    axes. :func:`downsample` is linear, so its output is
    :math:`D x_{low} + D x_{high}`; the second term is aliasing, energy that
    lands on false (mostly low) frequencies. This returns

    .. math:: \\frac{\\|D x_{high}\\|^2}{\\|D x_{low}\\|^2 + \\|D x_{high}\\|^2} \\in [0, 1].

    Parameters
    ----------
    x : array, shape (H, W)
    factor, antialias, filter_size
        As in :func:`downsample`.

    Returns
    -------
    float
        0: nothing folded; near 1: the output is mostly aliases.

    Examples
    --------
    >>> z = zone_plate(128)        # 3/4 of its area is above the new Nyquist limit of a factor-2 grid
    >>> round(aliased_fraction(z, 2, antialias=False), 2)
    0.76
    >>> round(aliased_fraction(z, 2), 2)            # blurred first (5 taps)
    0.04
    """
    x = as_float_array(x, "x")
    check_ndim(x, 2, "x", "(H, W)")
    factor = check_positive_int(factor, "factor")
    low, high = _split_band(x, factor)
    y_low = downsample(low, factor, antialias=antialias, filter_size=filter_size)
    y_high = downsample(high, factor, antialias=antialias, filter_size=filter_size)
    e_low, e_high = float(jnp.sum(y_low**2)), float(jnp.sum(y_high**2))
    return e_high / (e_low + e_high) if e_low + e_high > 0 else 0.0


@jax.jit
def _split_band(x: jax.Array, factor: Any) -> tuple[jax.Array, jax.Array]:
    """``x - mean`` split into frequencies below ``1 / (2 factor)`` cycles per pixel on both axes, and the rest.

    ``factor`` is traced, so a widget can change it without recompiling.
    """
    x = x - x.mean()
    fy = jnp.abs(jnp.fft.fftfreq(x.shape[0]))[:, None]
    fx = jnp.abs(jnp.fft.fftfreq(x.shape[1]))[None, :]
    keep = (fy < 0.5 / factor) & (fx < 0.5 / factor)  # (H, W): below the new Nyquist on both axes
    low = jnp.real(jnp.fft.ifft2(jnp.where(keep, jnp.fft.fft2(x), 0)))
    return low, x - low


@jax.jit
def _fourier_shift(y: jax.Array, dy: jax.Array, dx: jax.Array) -> jax.Array:
    """Circularly shift the last two axes by (dy, dx) samples, fractions allowed (band-limited interpolation).

    For whole numbers this equals ``cl.shift(y, dy, dx, boundary='circular')``;
    for fractions it is the only shift that a band-limited map can be asked
    to follow, the reference against which aliasing is measured.
    """
    ky = jnp.fft.fftfreq(y.shape[-2])[:, None]
    kx = jnp.fft.fftfreq(y.shape[-1])[None, :]
    ramp = jnp.exp(-2j * jnp.pi * (ky * dy + kx * dx))  # (h, w)
    return jnp.real(jnp.fft.ifft2(jnp.fft.fft2(y) * ramp)).astype(y.dtype)


def _as_shift_pairs(shifts: Any) -> list[tuple[int, int]]:
    out = []
    for s in shifts:
        if isinstance(s, (tuple, list)) and len(s) == 2:
            out.append((check_int(s[0], "shifts"), check_int(s[1], "shifts")))
        else:
            out.append((0, check_int(s, "shifts")))
    if not out:
        raise ValueError("`shifts` must hold at least one shift; got an empty sequence.")
    return out


def shift_equivariance_errors(features: Callable[[jax.Array], Any], x: Any, shifts: Sequence[Any]) -> np.ndarray:
    """Band-limited shift-equivariance error of each feature map, for each input shift.

    The question it answers: after the input moves by :math:`\\Delta` pixels,
    is each map the *same smooth signal as before, moved along* by
    :math:`\\Delta / s` of its own samples? Here ``s`` is how many times
    smaller the map is than the input (read from the shapes, per axis).
    The reference is the original map shifted by :math:`\\Delta / s` samples
    with band-limited (Fourier, circular) interpolation, :math:`S^F`: for a
    whole number that is a plain circular shift; for a fraction (an odd
    input shift before a stride-2 layer: half a sample) it moves the map's
    trigonometric interpolant, the only way to move a sampled signal by part
    of a sample. If the layer's full-resolution map (before it keeps every
    ``s``-th sample) holds no frequency above the new Nyquist limit, the
    subsampled map follows every circular input shift exactly in this
    sense; what is left is aliasing. The error is

    .. math::

        e_\\ell(\\Delta) = \\frac{\\|F_\\ell(S_\\Delta x) - S^F_{\\Delta/s}\\, F_\\ell(x)\\|}
        {\\|F_\\ell(x) - \\overline{F_\\ell(x)}\\|},

    with Frobenius norms over all entries (batch and channels included) and
    :math:`\\overline{F_\\ell(x)}` the mean of all entries. The denominator is
    the map's variation around its mean: a shift never changes the mean, so
    a constant offset (a bright image, the positive mean of a ReLU map)
    must not make an error look small. 0: the map follows the shift
    exactly; 1: the error is as large as the map's own variation (plain
    subsampling of ``0, 0, 1, 1, ...`` after a one-sample shift, below);
    values above 1 are possible.

    This is *not* :func:`cnnlib.equivariance_error` with a half-pixel shift.
    That function (notebook 03) compares with a whole-sample shift of the
    output and divides by :math:`\\|F(x)\\|`: it asks whether the new map is
    the old one moved by whole samples, which after an odd input shift and
    stride 2 no map can be, however smooth. For a smooth stride-2 filter on
    a photo the two give about 0.4 and 0.01 (notebook 05, section 4).

    Input shifts are circular (:func:`cnnlib.shift`), so use circular
    padding inside ``features`` for exact zeros at multiples of the stride.

    Parameters
    ----------
    features : callable
        ``features(x)`` returns one map or a sequence of maps, each ``(..., h, w)``.
    x : array, shape (H, W) or (N, C, H, W)
    shifts : sequence of int or (dy, dx)
        An int ``d`` means ``(0, d)``, a horizontal shift.

    Returns
    -------
    ndarray, shape (n_layers, n_shifts)

    See Also
    --------
    cnnlib.equivariance_error : the whole-sample (grid) measure of notebook 03.

    Examples
    --------
    >>> x = jnp.array([[0., 0., 1., 1., 0., 0., 1., 1.]] * 8)
    >>> errs = shift_equivariance_errors(lambda v: v[::2, ::2], x, [0, 1, 2])
    >>> np.round(errs, 3).tolist()                  # odd shifts break it, even ones do not
    [[0.0, 1.0, 0.0]]

    A slow cosine is smooth enough for every second sample to follow a
    one-pixel shift as a half-sample shift; no whole-sample shift fits:

    >>> wave = jnp.cos(2 * jnp.pi * jnp.arange(32) / 16) * jnp.ones((4, 1))   # (4, 32)
    >>> sub = lambda v: v[..., ::2, ::2]
    >>> round(float(shift_equivariance_errors(sub, wave, [1])[0, 0]), 3)
    0.0
    >>> from cnnlib import equivariance_error, shift
    >>> round(equivariance_error(sub, lambda v: shift(v, 0, 1), wave, g_out=lambda v: v), 2)   # 2 sin(pi / 16)
    0.39
    """
    x = as_float_array(x, "x")
    check_ndim(x, {2, 4}, "x", "(H, W) or (N, C, H, W)")
    if not callable(features):
        raise TypeError(f"`features` must be a function of x returning feature maps; got {describe(features)}.")
    pairs = _as_shift_pairs(shifts)

    def as_list(out: Any) -> list[jax.Array]:
        return [jnp.asarray(m) for m in (out if isinstance(out, (list, tuple)) else [out])]

    base = as_list(features(x))
    errors = np.zeros((len(base), len(pairs)))
    for j, (dy, dx) in enumerate(pairs):
        moved = as_list(features(shift(x, dy, dx, boundary="circular")))
        for i, (m0, m1) in enumerate(zip(base, moved)):
            sy, sx = x.shape[-2] / m0.shape[-2], x.shape[-1] / m0.shape[-1]
            want = _fourier_shift(m0, dy / sy, dx / sx)
            scale = float(jnp.linalg.norm(m0 - m0.mean()))
            errors[i, j] = float(jnp.linalg.norm(m1 - want)) / scale if scale > 0 else 0.0
    return errors


def shift_consistency(
    predict: Callable[[jax.Array], Any],
    images: Any,
    *,
    max_shift: int,
    n_pairs: int = 1,
    key: jax.Array,
    boundary: str = "circular",
) -> float:
    """Zhang's consistency: how often two random shifts of an input get the same predicted class.

    For every image and every pair, two shifts :math:`(dy, dx)` are drawn
    uniformly from :math:`\\{-m, \\dots, m\\}^2`, and

    .. math:: \\text{consistency} = P\\bigl[\\arg\\max f(\\mathrm{shift}_1 x) = \\arg\\max f(\\mathrm{shift}_2 x)\\bigr].

    Parameters
    ----------
    predict : callable
        ``predict(batch)`` for a batch like ``images`` returns logits
        ``(N, n_classes)`` or classes ``(N,)``. It is called on one batch
        of the ``2 n_pairs N`` shifted images the pairs use, or once per
        distinct shift on all ``N`` images, whichever classifies fewer.
    images : array, shape (N, H, W) or (N, C, H, W)
    max_shift : int
        ``m``, the largest shift along each axis (>= 0).
    n_pairs : int
        Pairs of shifts per image.
    key : jax.Array
        Draws the shifts.
    boundary : {'circular', 'zeros'}
        As in :func:`cnnlib.shift` ('circular' keeps every pixel).

    Returns
    -------
    float in [0, 1]; 1 for a shift-invariant ``predict``.

    Examples
    --------
    >>> x = jax.random.uniform(jax.random.key(1), (20, 6, 6))
    >>> brightness = lambda b: (b.sum(axis=(1, 2)) > 18).astype(int)      # blind to shifts
    >>> shift_consistency(brightness, x, max_shift=2, n_pairs=3, key=jax.random.key(0))
    1.0
    """
    if not callable(predict):
        raise TypeError(f"`predict` must be a function of a batch of images; got {describe(predict)}.")
    images = as_float_array(images, "images")
    check_ndim(images, {3, 4}, "images", "(N, H, W) or (N, C, H, W)")
    m = check_int(max_shift, "max_shift", minimum=0)
    n_pairs = check_positive_int(n_pairs, "n_pairs")
    key = check_key(key)
    check_choice(boundary, ("circular", "zeros"), "boundary")
    n = images.shape[0]
    draws = np.asarray(jax.random.randint(key, (n_pairs, n, 2, 2), -m, m + 1))  # (pair, image, first/second, (dy, dx))
    flat = draws[..., 0] * (2 * m + 1) + draws[..., 1] + m * (2 * m + 2)  # (pair, image, 2): one index per shift, 0 .. (2m+1)^2 - 1
    image = np.broadcast_to(np.arange(n)[None, :, None], flat.shape)  # (pair, image, 2): which image each shift moves
    unique_shifts = np.unique(flat)
    if 2 * n_pairs < len(unique_shifts):
        # Fewer images to classify if only the (shift, image) combinations the pairs use are made:
        # 2 n_pairs N of them, gathered in NumPy (no compilation per subset size) and classified in one batch.
        dy, dx = np.divmod(flat.ravel(), 2 * m + 1)
        moved = _shift_each(np.asarray(images), image.ravel(), dy - m, dx - m, boundary)
        classes = _as_classes(predict(jnp.asarray(moved)), flat.size).reshape(flat.shape)
    else:  # every shift applied to the whole batch once
        per_shift = {}
        for index in unique_shifts:
            dy, dx = divmod(int(index), 2 * m + 1)
            per_shift[int(index)] = _as_classes(predict(shift(images, dy - m, dx - m, boundary=boundary)), n)
        classes = np.stack([per_shift[int(i)][k] for i, k in zip(flat.ravel(), image.ravel())]).reshape(flat.shape)
    return float(np.mean(classes[..., 0] == classes[..., 1]))


def _shift_each(images: np.ndarray, which: np.ndarray, dy: np.ndarray, dx: np.ndarray, boundary: str) -> np.ndarray:
    """``cl.shift(images[which[t]], dy[t], dx[t], boundary=boundary)`` for every t, stacked: (T, ...) like images."""
    h, w = images.shape[-2:]
    flat = images.reshape(images.shape[0], -1, h, w).transpose(0, 2, 3, 1)  # (N, H, W, C)
    rows = np.arange(h)[None, :] - dy[:, None]  # (T, H): output row i reads input row i - dy
    cols = np.arange(w)[None, :] - dx[:, None]  # (T, W)
    out = flat[which[:, None, None], rows[:, :, None] % h, cols[:, None, :] % w]  # (T, H, W, C)
    if boundary == "zeros":
        inside = ((rows >= 0) & (rows < h))[:, :, None] & ((cols >= 0) & (cols < w))[:, None, :]  # (T, H, W)
        out = out * inside[..., None]
    return out.transpose(0, 3, 1, 2).reshape((len(which),) + images.shape[1:])


def _as_classes(out: Any, n: int) -> np.ndarray:
    """``predict``'s output as classes (n,): logits (n, n_classes) become their argmax."""
    out = np.asarray(out)
    if out.ndim == 2:
        out = out.argmax(axis=-1)
    if out.shape != (n,):
        raise ValueError(f"`predict` must return logits (N, n_classes) or classes (N,) for N = {n}; got shape {out.shape}.")
    return out


# --------------------------------------------------------------------------- #
# Figure
# --------------------------------------------------------------------------- #
def folding_figure(n: int = 128, *, factor: int = 2, filter_size: int = 7, window: int = 32):
    """Where a zone plate's fast frequencies land when it is subsampled: local spectra of its middle row.

    Three panels, position along the middle row of ``zone_plate(n)``
    against frequency (cycles per *original* pixel), coloured by
    :func:`local_spectrum`. The colours come from the exact split of
    :func:`aliased_fraction`, :math:`x = x_{low} + x_{high}`: grey-blue is
    what a grid ``factor`` times coarser can hold, red is the rest.

    1. The zone plate: its frequency rises from 0 at the centre to 1/2 at
       the edges (a V); the red part lies above the new Nyquist limit
       ``1 / (2 factor)`` (dashed).
    2. Every ``factor``-th pixel: the red part has not gone, it is folded
       back below the limit, to :math:`|f - \\operatorname{round}(f s)/s|`
       (for ``factor`` 2: mirrored at 1/4, :math:`f \\to \\tfrac12 - f`);
       the dotted red line is where it was, the dashed red line where the
       formula puts it.
    3. The binomial blur of ``filter_size`` taps first, then every
       ``factor``-th pixel: almost no red is left.

    The titles give :func:`aliased_fraction` of the whole image for panels 2
    and 3. Needs matplotlib (imported here, not with :mod:`cnnlib`).

    Parameters
    ----------
    n : int
        Side of the zone plate, a multiple of ``2 * factor``, at least ``window``.
    factor : int
        Subsampling factor ``s`` (2 to 4).
    filter_size : int
        Taps of the blur in panel 3, 2 to 7.
    window : int
        Samples of the local-spectrum window on the original grid (a multiple of ``2 * factor``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    n = check_int(n, "n", minimum=8)
    factor = check_int(factor, "factor", minimum=2, maximum=4)
    taps = _check_filter_size(filter_size)
    if taps < 2:
        raise ValueError(f"`filter_size` must be at least 2 (1 is no blur); got {taps}.")
    window = check_int(window, "window", minimum=2 * factor)
    if window % (2 * factor) or n % (2 * factor) or window > n:
        raise ValueError(
            f"`n` and `window` must be multiples of 2 * factor = {2 * factor}, with window <= n; got n={n}, window={window}."
        )
    zone = zone_plate(n)
    low, high = _split_band(zone, factor)  # (n, n) each: below the new Nyquist limit on both axes, and the rest
    row = n // 2  # the middle row: local frequency |u| / n along it
    limit = 0.5 / factor

    def coarse(part: jax.Array, blur: bool) -> jax.Array:
        return downsample(part, factor, antialias=blur, filter_size=taps if blur else None)[row // factor]

    panels = [
        (local_spectrum(low[row], window), local_spectrum(high[row], window), 1),
        (local_spectrum(coarse(low, False), window // factor), local_spectrum(coarse(high, False), window // factor), factor),
        (local_spectrum(coarse(low, True), window // factor), local_spectrum(coarse(high, True), window // factor), factor),
    ]
    scale = float(jnp.max(panels[0][0] + panels[0][1]))
    plain = aliased_fraction(zone, factor, antialias=False)
    blurred = aliased_fraction(zone, factor, filter_size=taps)
    nth = {2: "2nd", 3: "3rd", 4: "4th"}[factor]
    titles = [
        f"zone plate: red lies above the new limit 1/{2 * factor}",
        f"every {nth} pixel: the red folds below it\n({plain:.0%} of the energy aliased)",
        f"blur ({taps} taps), then every {nth} pixel:\nlittle red left ({blurred:.0%} aliased)",
    ]
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.6), sharey=True, layout="constrained")
    u = np.arange(n) - row  # position from the centre, original pixels
    f_true = np.abs(u) / n  # the zone plate's local frequency along the row
    f_seen = np.abs(f_true - np.round(f_true * factor) / factor)  # where it lands on the coarse grid
    above = f_true > limit
    for ax, (true, alias, step), title in zip(axes, panels, titles):
        t = np.clip(np.asarray(true) / scale, 0, 1).T  # (frequency, position)
        a = np.clip(np.asarray(alias) / scale, 0, 1).T
        rgb = np.clip(1 - t[..., None] * np.array([0.85, 0.85, 0.55]) - a[..., None] * np.array([0.0, 0.9, 0.9]), 0, 1)
        df = 1 / window  # frequency step in cycles per original pixel
        x0 = -row - step / 2
        ax.imshow(rgb, origin="lower", aspect="auto", extent=(x0, x0 + n, -df / 2, (t.shape[0] - 0.5) * df), interpolation="bilinear")
        ax.axhline(limit, color="k", ls="--", lw=1.2)
        ax.set_title(title, fontsize=12)
        ax.set_xlabel("position along the middle row (pixels)")
    axes[0].set_ylabel("frequency (cycles per pixel)")
    axes[0].set_ylim(0, 0.5)
    axes[0].text(-row + 2, limit + 0.01, f"new Nyquist limit 1/{2 * factor}", fontsize=10, va="bottom")
    for ax in axes[1:]:
        ax.axhspan(limit, 0.5, color="0.88", zorder=0.5)
        ax.text(0, (limit + 0.5) / 2, "no such frequencies\non the coarse grid", ha="center", va="center", fontsize=10, color="0.35")
    for side in (-1, 1):  # where the red part was, and where it lands
        part = above & (np.sign(u) == side)
        axes[1].plot(u[part], f_true[part], ":", color="C3", lw=1.5)
        axes[1].plot(u[part], f_seen[part], "--", color="C3", lw=1.2, alpha=0.8)
    for pos in (-0.4 * n, 0.4 * n):
        f0 = abs(pos) / n
        axes[1].annotate(
            "", xy=(pos, abs(f0 - round(f0 * factor) / factor)), xytext=(pos, f0),
            arrowprops={"arrowstyle": "->", "color": "C3", "lw": 1.5},
        )
    axes[1].text(0.4 * n - 2, 0.5 * (0.4 + limit), "folds", color="C3", ha="right", va="center", fontsize=10,
                 bbox={"facecolor": "0.88", "edgecolor": "none", "pad": 1})
    return fig
