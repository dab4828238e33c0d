"""Convolution, the one operation every later notebook builds on (re-exports only).

* :mod:`._api` -- :func:`conv2d` and :func:`conv1d`, the public entry points;
* :mod:`._plan` -- checking the arguments and the static plan (plain Python);
* :mod:`._auto` -- what ``method='auto'`` picks (and when it is measured);
* :mod:`._calibrate` -- :func:`calibrate_auto`, which measures the FFT
  crossover on this machine (``make bench`` calls it);
* :mod:`._methods` -- the jitted methods (lax, direct, im2col, fft, dense);
* :mod:`._matrix` -- :func:`conv_matrix`, the convolution as a matrix.

Taught in ``notebooks/00_convolution.ipynb``.
"""
from __future__ import annotations

from ._api import conv1d, conv2d
from ._auto import AUTO_FFT_COST, AUTO_FFT_MAX_SPECTRUM, AUTO_FFT_MIN_TAPS, _fft_len
from ._auto import pick_method as _pick_method
from ._calibrate import calibrate_auto, forget_calibration
from ._matrix import CONV_MATRIX_MAX_ENTRIES, _matrix, conv_matrix
from ._methods import _NP_MODE, _conv, _conv_cpu_lax, _conv_impl, _dense_matrix, _direct, _fft, _im2col
from ._plan import (
    BOUNDARIES,
    DENSE_MAX_ENTRIES,
    DENSE_MAX_INPUT,
    METHODS,
    PADDINGS,
    _as_float,
    _check_layout,
    _normalise,
    _pads_for,
    _plan,
    conv_output_size,
)

__all__ = ["conv1d", "conv2d", "conv_matrix", "conv_output_size", "calibrate_auto"]
