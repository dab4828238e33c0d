"""Widgets and figures for notebook 05: subsampling with and without a blur.

* :mod:`.zone_plate`: :func:`zone_plate_explorer`, stride and blur-size
  sliders on a zone plate (or any image), the subsampled image and its
  spectrum; :func:`zone_plate_figure` draws one frame.
* :mod:`.toy_shift`: :func:`toy_shift_explorer`, the toy signal's max-pooled
  and MaxBlurPool outputs before and after a shift; :func:`toy_shift_figure`.
* :mod:`.folding`: :func:`folding_figure`, where a zone plate's aliases land.

This package only re-exports them.
"""
from .folding import folding_figure
from .toy_shift import _toy_frame, _toy_input, _toy_options, _ToyState, toy_shift_explorer, toy_shift_figure
from .zone_plate import (
    MAX_SIDE,
    MAX_STRIDE,
    _filter,
    _ordinal,
    _zone_frame,
    _zone_input,
    _zone_options,
    _ZonePlateState,
    zone_plate_explorer,
    zone_plate_figure,
)

__all__ = [
    "zone_plate_explorer",
    "zone_plate_figure",
    "toy_shift_explorer",
    "toy_shift_figure",
    "folding_figure",
    "MAX_STRIDE",
]
