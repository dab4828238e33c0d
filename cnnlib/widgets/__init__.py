"""Interactive explorers for the notebooks, one line each: ``cl.widgets.filter_explorer(img)``.

Every widget follows the pattern in :mod:`cnnlib.widgets._core`: state built
once, a plain update function the tests call, and an existing figure updated
in place. ipywidgets and matplotlib are imported here, so ``import cnnlib``
does not pay for them; this package is loaded on first use of ``cl.widgets``.
"""
from ._core import Canvas, explorer

# Each block below belongs to one topic module; keep the names explicit.
# --- filters (notebook 00) ---
# --- receptive (notebook 01) ---
# --- sharing (notebook 02) ---
# --- equivariance (notebook 03) ---
# --- dimensionality (notebook 04) ---
# --- aliasing (notebook 05) ---
# --- end ---
