"""Checkers for the notebooks' exercises: ``cl.exercises.check_...(answer)``.

Each prints a tick, or "Not yet" with a specific hint (see :mod:`._core`),
and never raises on an answer (a bad setting of the exercise, such as
``n_outputs=-3``, raises a ValueError naming it); a student's answer is read
in one place, :mod:`._answers`.
"""
from ._answers import Unreadable, read_array, read_number, read_shape, read_side, read_whole, read_whole_set
from ._core import NotYet, SettingError, Verdict, array_answer, check_array, check_number, check_shape, check_whole, checker
from ._core import not_answered, report, setting

# Each block below belongs to one topic module; keep the names explicit.
# --- filters (notebook 00) ---
from .filters import check_conv1d_by_hand, check_match_size, check_shift_kernel
# --- receptive (notebook 01) ---
from .receptive import check_edge_count, check_stack_receptive_field, check_strided_receptive_field
# --- sharing (notebook 02) ---
from .sharing import (
    check_conv_params,
    check_conv_shape,
    check_dense_params,
    check_local_params,
    check_output_size,
    check_pool_params,
    check_pool_shape,
    check_stack,
)
# --- equivariance (notebook 03) ---
from .equivariance import check_avg_pool, check_pooled_length, check_stride_shifts, check_symmetrize
# --- dimensionality (notebook 04) ---
from .dimensionality import check_corner_share, check_digit_samples, check_half_length_dimension, check_torus_mean
# --- aliasing (notebook 05) ---
from .aliasing import check_binomial_5, check_blur_pool_by_hand, check_folded_frequency, check_smallest_filter
# --- lenet (notebook 06) ---
from .lenet import check_dense_instead_of_conv2, check_lenet_shape_32, check_pool2_receptive_field
# --- end ---
