"""What every part of :mod:`cnnlib.aliasing` checks the same way: inputs, filter sizes, factors."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jax

from .._validate import as_float_array, check_finite, check_int, check_ndim, check_size

#: Largest binomial filter offered (Zhang 2019 tests sizes 1 to 7).
MAX_FILTER_SIZE = 7
BOUNDARIES = ("reflect", "circular", "zeros", "replicate")


def _as_input(x: Any, ndims: int | Iterable[int], layout: str, name: str = "x") -> jax.Array:
    """``x`` as a float array of one of ``ndims`` dimensions, not empty, every entry finite."""
    x = as_float_array(x, name)
    check_ndim(x, ndims, name, layout)
    if x.size == 0:
        raise ValueError(f"`{name}` must not be empty; got shape {tuple(x.shape)}.")
    check_finite(x, name)
    return x


def _check_filter_size(value: Any, name: str = "filter_size") -> int:
    """Taps of a binomial filter: a whole number from 1 to 7."""
    value = check_int(value, name)
    if not 1 <= value <= MAX_FILTER_SIZE:
        raise ValueError(
            f"`{name}` must be between 1 and {MAX_FILTER_SIZE} (a row of Pascal's triangle); got {value}."
        )
    return value


def _check_step(value: Any, name: str, spatial: tuple[int, ...]) -> int:
    """A stride or factor: a whole number from 1 to the longest side (one output sample per axis there)."""
    value = check_int(value, name, minimum=1)
    if value > max(spatial):
        raise ValueError(
            f"`{name}` must be at most the input's longest side {max(spatial)} (which leaves one sample); got {value}."
        )
    return value


def _check_entries(entries: int, name: str, what: str) -> None:
    """:func:`cnnlib._validate.check_size`, also for counts too large to write as a float (10**400 squared)."""
    if entries > 2**64:
        raise ValueError(f"`{name}` is too large: {what} would have more than 2**64 entries.")
    check_size(entries, name, what)


def _check_work(entries: int, name: str) -> None:
    """Refuse a blur whose padded input would need more than 1 GiB, before allocating."""
    _check_entries(entries, name, "the padded input of the blur")
