"""Sparse interactions and receptive fields: which inputs each output of a convolution reads.

A dense layer connects every input to every output. A convolution with a
``k``-tap kernel connects each output to only ``k`` inputs, its *receptive
field*; stacking layers makes the receptive field grow. The parts:
:mod:`.connectivity` (one layer, by index arithmetic), :mod:`.stacks` (the
receptive-field table of a stack) and :mod:`.paths` (one unit followed down
to the input: footprint, path counts, and the field measured with
``jax.grad``). Notebook: ``notebooks/01_sparse_interactions.ipynb``.
"""
from .connectivity import Connectivity, connectivity, dense_connectivity
from .paths import EmpiricalField, _axis_paths, _units_per_layer, empirical_receptive_field, footprint, path_counts
from .stacks import LayerField, ReceptiveField, _layer_sizes, _parse_layer, _parse_layers, receptive_field

__all__ = [
    "Connectivity",
    "connectivity",
    "dense_connectivity",
    "LayerField",
    "ReceptiveField",
    "receptive_field",
    "footprint",
    "path_counts",
    "EmpiricalField",
    "empirical_receptive_field",
]
