"""Checkers for the notebooks' exercises: ``cl.exercises.check_...(answer)``.

Each prints a tick, or "Not yet" with a specific hint (see :mod:`._core`).
"""
from ._core import check_array, check_number, not_answered, report

# Each block below belongs to one topic module; keep the names explicit.
# --- filters (notebook 00) ---
# --- receptive (notebook 01) ---
# --- sharing (notebook 02) ---
# --- equivariance (notebook 03) ---
# --- dimensionality (notebook 04) ---
# --- aliasing (notebook 05) ---
# --- end ---
