"""Notebook 01's pictures and explorers: :mod:`.drawing` (static figures) and :mod:`.explorers` (widgets)."""
from .drawing import FAINT, HIGHLIGHT, NODE, draw_connectivity, draw_receptive_field, draw_stack
from .explorers import connectivity_explorer, receptive_field_explorer

__all__ = ["draw_connectivity", "draw_stack", "draw_receptive_field", "receptive_field_explorer", "connectivity_explorer"]
