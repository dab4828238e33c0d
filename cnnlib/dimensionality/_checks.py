"""Argument checks shared by the dimensionality modules (plain Python and NumPy, before any JAX)."""
from __future__ import annotations

import warnings
from typing import Any

import jax
import numpy as np

from .._validate import as_float_array, check_finite, check_ndim, check_size, describe


def in_interval(x: Any, name: str, lo: float, hi: float, *, lo_open: bool, hi_open: bool = False) -> jax.Array:
    """``x`` as a non-empty float array whose every entry lies in the interval; tracers pass unchecked."""
    if isinstance(x, jax.core.Tracer):
        return as_float_array(x, name)
    with warnings.catch_warnings():  # checked in float64 first: 1 + 1e-16 or 1e300 must not round into range
        warnings.simplefilter("ignore")
        try:
            wide = None if isinstance(x, (str, bytes)) else np.asarray(x, dtype=np.float64)
        except Exception:  # text, ragged lists, complex: as_float_array says what is wrong
            wide = None
    if wide is not None:
        _check_range(wide, name, lo, hi, lo_open, hi_open)
    arr = as_float_array(x, name)
    _check_range(np.asarray(arr), name, lo, hi, lo_open, hi_open)
    return arr


def _check_range(a: np.ndarray, name: str, lo: float, hi: float, lo_open: bool, hi_open: bool) -> None:
    if a.size == 0:
        raise ValueError(f"`{name}` must hold at least one value; got an empty array of shape {a.shape}.")
    ok = np.isfinite(a) & ((a > lo) if lo_open else (a >= lo)) & ((a < hi) if hi_open else (a <= hi))
    if not ok.all():
        text = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
        where = "" if a.ndim == 0 else f" in an array of shape {a.shape}"
        raise ValueError(f"`{name}` must be in {text}; got {a[~ok].flat[0]:g}{where}.")


def integers(x: Any, name: str, minimum: int = 1) -> np.ndarray:
    """``x`` as a non-empty NumPy integer array (scalar or any shape) with every entry >= ``minimum``."""
    a = np.asarray(x) if not isinstance(x, (str, bytes)) else np.asarray(None)
    if a.dtype == np.bool_ or not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"`{name}` must be an integer or an array of integers; got {describe(x)}.")
    if a.size == 0:
        raise ValueError(f"`{name}` must hold at least one value; got an empty array of shape {a.shape}.")
    if (a < minimum).any():
        raise ValueError(f"`{name}` must be >= {minimum}; got {a[a < minimum].flat[0]}.")
    return a


def broadcast(a: Any, a_name: str, b: Any, b_name: str) -> tuple[int, ...]:
    """The broadcast shape of ``a`` and ``b``, or a ``ValueError`` naming both."""
    try:
        return np.broadcast_shapes(np.shape(a), np.shape(b))
    except ValueError:
        raise ValueError(
            f"`{a_name}` and `{b_name}` must broadcast together; got shapes {np.shape(a)} and {np.shape(b)}."
        ) from None


def largest(**sizes: int) -> str:
    """The name of the largest of several sizes (the argument to blame for a call that is too large)."""
    return max(sizes, key=lambda k: sizes[k])


def refuse_huge(entries: int, what: str, **sizes: int) -> None:
    """:func:`check_size` naming whichever of ``sizes`` is largest."""
    check_size(entries, largest(**sizes), what)


def points(x: Any, name: str, layout: str = "(N, d)", ndims: tuple[int, ...] = (2,)) -> jax.Array:
    """A finite, non-empty float array of points with one of ``ndims`` dimensions."""
    arr = as_float_array(x, name)
    check_ndim(arr, ndims, name, layout)
    if arr.size == 0:
        raise ValueError(f"`{name}` must hold at least one point with at least one coordinate; got shape {tuple(arr.shape)}.")
    check_finite(arr, name)
    return arr
