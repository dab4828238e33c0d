"""Aliasing: why a network must blur before it subsamples, and how to measure it.

Subsampling keeps every ``s``-th sample. A frequency above the new Nyquist
limit (half a cycle per *new* sample) cannot be represented and folds back
as a false, lower frequency: moire on a zone plate, and outputs that jump
when the input moves by one pixel. The cure from signal processing is a
low-pass filter before the subsampling; Zhang (2019, "Making Convolutional
Networks Shift-Invariant Again") uses binomial filters (rows of Pascal's
triangle) and replaces ``max_pool(size=2, stride=2)`` by *MaxBlurPool*.

One idea per module; this package only re-exports them:

* :mod:`.binomial`: the filters (:func:`binomial_filter`) and the one
  blur-then-subsample kernel every other part uses;
* :mod:`.blurpool`: :func:`blur_pool2d`, :func:`max_blur_pool2d` and their
  1-D twins;
* :mod:`.downsample`: :func:`downsample`, shrinking by a factor with or
  without the blur;
* :mod:`.spectra`: :func:`spectrum`, :func:`local_spectrum` and
  :func:`aliased_fraction`;
* :mod:`.signals`: the test signals :func:`zone_plate`, :func:`stripes`,
  :func:`toy_signal`;
* :mod:`.shift_errors` and :mod:`.consistency`: :func:`shift_equivariance_errors`
  and :func:`shift_consistency`.

The figure of notebook 05, ``folding_figure``, is drawn by
:mod:`cnnlib.widgets.aliasing` (figures live above the core):
``cl.widgets.folding_figure``.

Notebook: ``notebooks/05_aliasing.ipynb``.
"""
from __future__ import annotations

from ._common import BOUNDARIES, MAX_FILTER_SIZE, _as_input, _check_filter_size, _check_step
from .binomial import _binomial, _blur_subsample, _padded_filter, _pads, _pascal, binomial_filter
from .blurpool import _as4d, _check_reflect, _max_stride1, blur_pool1d, blur_pool2d, max_blur_pool1d, max_blur_pool2d
from .consistency import _as_classes, _shift_each, shift_consistency
from .downsample import MAX_DEFAULT_FACTOR, _default_taps, downsample
from .shift_errors import _as_maps, _as_shift_pairs, _fourier_shift, shift_equivariance_errors
from .signals import stripes, toy_signal, zone_plate
from .spectra import _local_spectrum, _spectrum, _split_band, aliased_fraction, local_spectrum, spectrum

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
]

