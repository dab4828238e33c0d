"""Where the energy of an image sits in frequency, and how much of it folds when the image is subsampled.

:func:`spectrum` is the centred log-magnitude of the 2-D DFT;
:func:`local_spectrum` shows, around each position of a signal, how strong
each frequency is (a zone plate's row shows a V, which folds at the new
Nyquist limit once subsampled); :func:`aliased_fraction` splits an image
exactly into the part a coarser grid can hold and the rest, and reports
the share of the downsampled image's energy that the rest contributes.
"""
from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from .._validate import check_int
from ._common import _as_input, _check_entries
from .downsample import _check_downsample, downsample

__all__ = ["spectrum", "local_spectrum", "aliased_fraction"]


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
    x = _as_input(x, range(2, 33), "(..., H, W)")
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
    x = _as_input(x, range(1, 33), "(..., L)")
    window = check_int(window, "window", minimum=2)
    if window % 2 or window > x.shape[-1]:
        raise ValueError(f"`window` must be even and at most the signal's length {x.shape[-1]}; got {window}.")
    _check_entries(x.size * window, "window", "the windowed signal")
    return _local_spectrum(x, window)


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
        Finite values, not empty.
    factor, antialias, filter_size
        As in :func:`downsample`.

    Returns
    -------
    float
        0: nothing folded (always for ``factor`` 1, which keeps every
        sample, and for a flat image); near 1: the output is mostly aliases.

    Examples
    --------
    >>> from cnnlib import zone_plate
    >>> z = zone_plate(128)        # 3/4 of its area is above the new Nyquist limit of a factor-2 grid
    >>> round(aliased_fraction(z, 2, antialias=False), 2)
    0.76
    >>> round(aliased_fraction(z, 2), 2)            # blurred first (5 taps)
    0.04
    """
    x = _as_input(x, 2, "(H, W)")
    factor, _ = _check_downsample(x, factor, antialias, filter_size)
    if factor == 1:
        return 0.0  # every sample kept: nothing folds
    low, high = _split_band(x, factor)
    y_low = downsample(low, factor, antialias=antialias, filter_size=filter_size)
    y_high = downsample(high, factor, antialias=antialias, filter_size=filter_size)
    e_low, e_high = float(jnp.sum(y_low**2)), float(jnp.sum(y_high**2))
    return e_high / (e_low + e_high) if e_low + e_high > 0 else 0.0


@jax.jit
def _split_band(x: jax.Array, factor: Any) -> tuple[jax.Array, jax.Array]:
    """``x - mean`` split into frequencies below ``1 / (2 factor)`` cycles per pixel on both axes, and the rest.

    ``factor`` is traced, so a widget can change it without recompiling. A
    factor of 1 keeps every sample, so everything is "low" (the Nyquist
    frequency included: nothing folds).
    """
    x = x - x.mean()
    fy = jnp.abs(jnp.fft.fftfreq(x.shape[0]))[:, None]
    fx = jnp.abs(jnp.fft.fftfreq(x.shape[1]))[None, :]
    keep = ((fy < 0.5 / factor) & (fx < 0.5 / factor)) | (factor <= 1)  # (H, W): below the new Nyquist on both axes
    low = jnp.real(jnp.fft.ifft2(jnp.where(keep, jnp.fft.fft2(x), 0)))
    return low, x - low
