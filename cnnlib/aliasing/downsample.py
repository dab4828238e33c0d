"""Shrink an image by a whole factor, with or without the low-pass blur that prevents aliasing."""
from __future__ import annotations

from typing import Any

import jax

from .._validate import check_bool
from ._common import _as_input, _check_filter_size, _check_step, _check_work
from .binomial import _binomial, _blur_subsample

__all__ = ["downsample", "MAX_DEFAULT_FACTOR"]

#: Largest factor that gets the default blur (factor**2 + 1 = 4097 taps); beyond it pass ``filter_size``.
MAX_DEFAULT_FACTOR = 64


def _default_taps(factor: int) -> int:
    """Taps of the anti-aliasing blur for ``factor``: factor^2 + 1 (std factor / 2 pixels; 5 taps at factor 2).

    A factor of 1 keeps every sample, so nothing can fold and nothing is blurred: 1 tap.
    """
    return 1 if factor == 1 else factor * factor + 1


def _check_downsample(
    x: jax.Array, factor: Any, antialias: Any, filter_size: Any
) -> tuple[int, int]:
    """Check ``downsample``'s options against the image ``x`` (already checked); return (factor, taps)."""
    factor = _check_step(factor, "factor", tuple(x.shape[-2:]))
    antialias = check_bool(antialias, "antialias")
    size = None if filter_size is None else _check_filter_size(filter_size)  # checked even when not used
    if not antialias:
        return factor, 1
    if size is not None:
        return factor, size
    if factor > MAX_DEFAULT_FACTOR:
        raise ValueError(
            f"`factor` {factor} would get a default blur of factor**2 + 1 = {factor * factor + 1} taps; above "
            f"{MAX_DEFAULT_FACTOR} pass `filter_size` (1 to 7) or antialias=False."
        )
    taps = _default_taps(factor)
    h, w = x.shape[-2:]
    channels = x.size // (h * w)
    _check_work(channels * max((h + taps - 1) * w, h * (w + taps - 1)), "factor")
    return factor, taps


def downsample(x: Any, factor: int, *, antialias: bool = True, filter_size: int | None = None) -> jax.Array:
    """Shrink an image by an integer ``factor``, with or without a low-pass blur first.

    Without the blur this is ``x[..., ::factor, ::factor]``: every frequency
    above the new Nyquist limit of ``1 / (2 factor)`` cycles per pixel folds
    back as a false one (aliasing). With it, a binomial blur with
    ``factor**2 + 1`` taps (standard deviation ``factor / 2`` pixels; the
    5 taps Zhang found best for a factor of 2) removes most of them first.
    A factor of 1 keeps every sample and returns ``x`` itself (as float):
    nothing can fold, so nothing is blurred unless ``filter_size`` asks.

    Parameters
    ----------
    x : array, shape (H, W) or (N, C, H, W)
        Finite values, not empty.
    factor : int
        Keep every ``factor``-th row and column: 1 to the longest side
        (which leaves one sample along it). The default blur stops at
        factor 64 (4097 taps); beyond, pass ``filter_size`` or ``antialias=False``.
    antialias : bool
        Blur first (default) or subsample plainly.
    filter_size : int, optional
        Use the binomial filter of this many taps (1 to 7) instead of the
        default; checked also when ``antialias=False`` (then unused).

    Returns
    -------
    jax.Array, shape (..., ceil(H / factor), ceil(W / factor))

    Raises
    ------
    ValueError, TypeError
        Naming the argument: a bad image, a factor that is not a whole
        number from 1 to the longest side, a flag that is not True/False,
        a filter size outside 1..7.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> x = jnp.array([[0., 1.] * 4] * 8)           # the finest stripes an image can hold
    >>> downsample(x, 2, antialias=False)[0]         # keep the even columns: all black
    Array([0., 0., 0., 0.], dtype=float32)
    >>> downsample(x, 2)[0]                          # blurred first: uniform grey
    Array([0.5, 0.5, 0.5, 0.5], dtype=float32)
    >>> bool((downsample(x, 1) == x).all())          # factor 1: the image itself
    True
    """
    x = _as_input(x, {2, 4}, "(H, W) or (N, C, H, W)")
    factor, taps = _check_downsample(x, factor, antialias, filter_size)
    if factor == 1 and taps == 1:
        return x
    boundary = "reflect" if min(x.shape[-2:]) > taps // 2 else "replicate"
    y = _blur_subsample(x[None, None] if x.ndim == 2 else x, _binomial(taps), stride=(factor, factor), boundary=boundary)
    return y[0, 0] if x.ndim == 2 else y
