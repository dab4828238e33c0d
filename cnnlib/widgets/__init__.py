"""Interactive explorers for the notebooks, one line each: ``cl.widgets.filter_explorer(img)``.

Every widget follows the pattern in :mod:`cnnlib.widgets._core`: state built
once, a plain update function the tests call, and an existing figure updated
in place. ipywidgets and matplotlib are imported here, so ``import cnnlib``
does not pay for them; this package is loaded on first use of ``cl.widgets``.
"""
from ._core import Canvas, explorer

# Each block below belongs to one topic module; keep the names explicit.
# --- filters (notebook 00) ---
from .filters import filter_explorer, filter_gallery, filter_update
# --- receptive (notebook 01) ---
from .receptive import connectivity_explorer, receptive_field_explorer
# --- sharing (notebook 02) ---
from .sharing import stride_explorer, stride_figure, weight_sharing_explorer, weight_sharing_figure
# --- equivariance (notebook 03) ---
from .equivariance import equivariance_explorer, equivariance_figure, pooling_shift_explorer, pooling_shift_figure
# --- dimensionality (notebook 04) ---
from .dimensionality import dimension_explorer, dimension_figure, rind_explorer, rind_figure
# --- aliasing (notebook 05) ---
from .aliasing import folding_figure, toy_shift_explorer, toy_shift_figure, zone_plate_explorer, zone_plate_figure
# --- lenet ---
from .lenet import lenet_explorer, lenet_figure
# --- end ---
