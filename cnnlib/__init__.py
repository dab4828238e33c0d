"""cnnlib: a small JAX library that makes the properties of convolution measurable.

Import it as ``import cnnlib as cl``; the main functions are re-exported here
(``cl.conv2d``, ``cl.max_pool2d``, ``cl.shift``, ...). The modules that pull in
heavy optional packages (``cl.plot`` needs matplotlib, ``cl.widgets`` needs
ipywidgets, ``cl.nets`` needs optax) are imported on first use, so that
``import cnnlib`` stays fast.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Each block below belongs to one module; keep the names explicit.
# --- conv ---
from .conv import conv1d, conv2d, conv_matrix, conv_output_size
# --- pool ---
from .pool import (
    avg_pool1d,
    avg_pool2d,
    global_avg_pool,
    global_max_pool,
    lp_pool1d,
    lp_pool2d,
    max_pool1d,
    max_pool2d,
    weighted_pool1d,
    weighted_pool2d,
)
# --- transforms ---
from .transforms import flow_gradient_norm, rescale, rotate, rotate90, shift, smooth_flow, warp
# --- equivariance ---
from .equivariance import (
    equivariance_curve,
    equivariance_error,
    fraction_changed,
    invariance_error,
    oriented_kernel,
    p4_group_conv,
    p4_lifting_conv,
    p4_pool,
    p4_rotate,
    shift_change_fractions,
)
# --- filters ---
from .filters import KERNELS, argmax2d, box_kernel, gaussian_kernel, kernel, match_template
# --- data ---
from .data import load_digits, load_image, load_mnist
# --- receptive ---
from .receptive import connectivity, dense_connectivity, receptive_field
# --- sharing ---
from .sharing import layer_summary, locally_connected2d, mac_count, param_count, separable_approx, tiled_conv2d
# --- dimensionality ---
from .dimensionality import (
    ball_volume_fraction,
    ball_volume_fraction_mc,
    distance_contrast,
    half_length,
    half_length_mc,
    knn_accuracy,
    knn_predict,
    log10_samples_needed,
    pairwise_distances,
    rind_fraction,
    rind_fraction_mc,
    sample_ball,
    sample_cube,
    sample_torus,
)
# --- aliasing ---
from .aliasing import (
    aliased_fraction,
    binomial_filter,
    blur_pool1d,
    blur_pool2d,
    downsample,
    local_spectrum,
    max_blur_pool1d,
    max_blur_pool2d,
    shift_consistency,
    shift_equivariance_errors,
    spectrum,
    stripes,
    toy_signal,
    zone_plate,
)
# --- invariance ---
from .invariance import (
    deformation_sizes,
    random_deformations,
    representation_change,
    rotation_match,
    template_scores,
    train_rotation_detector,
)
# --- priors ---
from .priors import canvas_experiment, global_max_net
# --- end of re-exports ---

# Submodules imported lazily on first attribute access (cl.plot, cl.widgets, ...).
_LAZY_SUBMODULES = {
    "lenet",
    "lenet_measures",
    "plot",
    "widgets",
    "exercises",
    "nets",
    "data",
    "conv",
    "pool",
    "transforms",
    "equivariance",
    "filters",
    "receptive",
    "scaling",
    "sharing",
    "training",
    "dimensionality",
    "aliasing",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'cnnlib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY_SUBMODULES)
