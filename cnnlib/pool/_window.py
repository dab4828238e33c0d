"""Checking a pooling's window, stride and padding (plain Python), shared by every pooling."""
from __future__ import annotations

from typing import Any

import jax
import numpy as np

from .._validate import as_float_array, check_choice, check_int, check_ndim, describe, ntuple

Pairs = tuple[tuple[int, int], tuple[int, int]]


def _normalise(x: Any, size: Any, stride: Any, padding: Any, name: str = "x") -> tuple[jax.Array, tuple, tuple, Pairs]:
    """Check the arguments of a 2-D pooling; return x, window, strides, explicit padding."""
    x = as_float_array(x, name)
    check_ndim(x, {2, 4}, name, "(H, W) or (N, C, H, W)")
    window = ntuple(size, 2, "size")
    strides = window if stride is None else ntuple(stride, 2, "stride")
    spatial = tuple(int(n) for n in x.shape[-2:])
    if 0 in spatial:
        raise ValueError(f"`{name}` must have at least one row and one column; got shape {tuple(x.shape)}.")
    pads = _padding(padding, spatial, window, strides)
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(spatial, pads))
    if any(k > n for k, n in zip(window, padded)):
        raise ValueError(
            f"`size` {window} is larger than the padded input {padded} "
            f"(input {spatial}, padding {pads}); use a smaller window or more padding."
        )
    return x, window, strides, pads


def _padding(padding: Any, spatial: tuple, window: tuple, strides: tuple) -> Pairs:
    """'valid' / 'same' / int / ((top, bottom), (left, right)) -> explicit pairs."""
    if isinstance(padding, str):
        check_choice(padding, ("valid", "same"), "padding")
        if padding == "valid":
            return ((0, 0), (0, 0))
        pairs = []
        for n, k, s in zip(spatial, window, strides):
            total = max((-(-n // s) - 1) * s + k - n, 0)  # so that the output has ceil(n / s) cells
            pairs.append((total // 2, total - total // 2))
        return tuple(pairs)  # type: ignore[return-value]
    try:
        if isinstance(padding, (int, np.integer)) and not isinstance(padding, (bool, np.bool_)):
            p = check_int(padding, "padding", minimum=0)
            pairs = ((p, p), (p, p))
        else:
            pairs = tuple((check_int(lo, "padding", minimum=0), check_int(hi, "padding", minimum=0)) for lo, hi in padding)
            if len(pairs) != 2:
                raise ValueError
    except (TypeError, ValueError):
        raise ValueError(
            "`padding` must be 'valid', 'same', an int >= 0 or ((top, bottom), (left, right)); "
            f"got {describe(padding)}."
        ) from None
    for (lo, hi), k in zip(pairs, window):
        if max(lo, hi) >= k:
            raise ValueError(f"`padding` {pairs} must be smaller than the window `size` {window} on each side.")
    return pairs  # type: ignore[return-value]
