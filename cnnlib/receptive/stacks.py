"""Receptive fields of a stack of convolutions (and poolings): the closed-form table.

Each layer widens the field by ``(k - 1) d`` times the distance between the
units below (the *jump*); a stride multiplies the jump. Plain Python (no
JAX). Notebook: ``notebooks/01_sparse_interactions.ipynb``.
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .._validate import MAX_ELEMENTS, check_int, check_positive_int, describe

__all__ = ["LayerField", "ReceptiveField", "receptive_field"]

Layer = tuple[int, int, int, int]  # (kernel, stride, dilation, padding)

_LAYER_KEYS = ("kernel", "stride", "dilation", "padding")


class LayerField(NamedTuple):
    """One row of the receptive-field table (per axis; 2-D stacks apply it to rows and columns).

    ``size`` is the receptive field of one unit of this layer, in input pixels;
    ``jump`` the distance in input pixels between neighbouring units; ``start``
    the input index of the first pixel seen by unit 0 (negative inside padding).
    """

    layer: int
    kernel: int
    stride: int
    dilation: int
    padding: int
    size: int
    jump: int
    start: int


def _parse_layer(spec: Any, i: int) -> tuple[int, int, int, int]:
    name = f"layers[{i}]"
    if isinstance(spec, Mapping):
        unknown = [key for key in spec if key not in _LAYER_KEYS]
        if unknown or "kernel" not in spec:
            raise ValueError(
                f"`{name}` must have the key 'kernel' and optionally 'stride', 'dilation', 'padding'; got keys {sorted(map(str, spec))}."
            )
        values = [spec.get(key, default) for key, default in zip(_LAYER_KEYS, (None, 1, 1, 0))]
    elif isinstance(spec, (numbers.Integral, np.integer)) and not isinstance(spec, bool):
        values = [spec, 1, 1, 0]
    elif isinstance(spec, Sequence) and not isinstance(spec, str) and 1 <= len(spec) <= 4:
        values = list(spec) + [1, 1, 0][len(spec) - 1:]
    else:
        raise TypeError(
            f"`{name}` must be a kernel size, a tuple (kernel, stride, dilation[, padding]) "
            f"or a dict with keys 'kernel', 'stride', 'dilation', 'padding'; got {describe(spec)}."
        )
    k, s, d = (check_positive_int(v, f"{name}.{key}") for v, key in zip(values[:3], _LAYER_KEYS))
    return k, s, d, check_int(values[3], f"{name}.padding", minimum=0)


def _parse_layers(layers: Any) -> tuple[tuple[int, int, int, int], ...]:
    if isinstance(layers, (str, Mapping)) or not isinstance(layers, Sequence):
        raise TypeError(f"`layers` must be a list of layers such as [(3, 1, 1), (3, 2, 1)]; got {describe(layers)}.")
    return tuple(_parse_layer(spec, i) for i, spec in enumerate(layers))


@dataclass(frozen=True)
class ReceptiveField:
    """The receptive-field table of a stack: one :class:`LayerField` per layer.

    ``size``, ``jump`` and ``start`` are those of the last layer (1, 1, 0 for
    an empty stack: a pixel sees itself).
    """

    rows: tuple[LayerField, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> LayerField:
        return self.rows[i]

    def __iter__(self):
        return iter(self.rows)

    @property
    def size(self) -> int:
        return self.rows[-1].size if self.rows else 1

    @property
    def jump(self) -> int:
        return self.rows[-1].jump if self.rows else 1

    @property
    def start(self) -> int:
        return self.rows[-1].start if self.rows else 0

    def region(self, unit: int) -> tuple[int, int]:
        """First and last input index (inclusive) spanned by output ``unit`` of the last layer."""
        first = self.start + check_int(unit, "unit", minimum=0) * self.jump
        return first, first + self.size - 1

    def table(self) -> str:
        """The table as text, one line per layer (the widget's readout)."""
        head = ("layer", "kernel", "stride", "dilation", "size", "jump", "start")
        width = [len(h) for h in head]
        lines = [" ".join(head)]
        lines += [" ".join(f"{v:>{w}}" for v, w in zip((r.layer, r.kernel, r.stride, r.dilation, r.size, r.jump, r.start), width)) for r in self.rows]
        return "\n".join(lines)


def receptive_field(layers: Sequence[Any]) -> ReceptiveField:
    r"""Receptive field of every layer of a stack of convolutions (and poolings).

    With :math:`r_0 = 1`, :math:`j_0 = 1`, :math:`\text{start}_0 = 0`:

    .. math::

        r_l = r_{l-1} + (k_l - 1)\, d_l\, j_{l-1}, \qquad
        j_l = j_{l-1}\, s_l, \qquad
        \text{start}_l = \text{start}_{l-1} - p_l\, j_{l-1}.

    Unit ``u`` of layer ``l`` spans inputs ``start_l + u j_l`` to
    ``start_l + u j_l + r_l - 1``. A pooling layer counts as a layer with its
    window as ``kernel``.

    Parameters
    ----------
    layers : sequence
        One entry per layer: a kernel size ``k``, a tuple ``(k, stride,
        dilation[, padding])`` or a dict with keys ``'kernel'``, ``'stride'``,
        ``'dilation'``, ``'padding'`` (defaults 1, 1, 0). ``padding`` is the
        zero padding before the first pixel; it moves ``start`` only.

    Returns
    -------
    ReceptiveField
        ``.size``, ``.jump``, ``.start`` of the last layer and ``.rows``, one
        :class:`LayerField` per layer.

    Raises
    ------
    TypeError, ValueError
        If a layer is not of one of these forms or has a size below 1.

    See Also
    --------
    empirical_receptive_field : the same number measured with ``jax.grad``.

    Examples
    --------
    Three 5x5 layers see 13x13; with stride 2 in the first layer, 21x21
    (notebook 01 asks the same for 3x3 layers as an exercise).

    >>> receptive_field([5, 5, 5]).size
    13
    >>> [row.size for row in receptive_field([(5, 2), (5, 1), (5, 1)])]
    [5, 13, 21]
    >>> receptive_field([{"kernel": 3, "dilation": 2}]).size
    5
    """
    rows, size, jump, start = [], 1, 1, 0
    for i, (k, s, d, p) in enumerate(_parse_layers(layers)):
        size, start = size + (k - 1) * d * jump, start - p * jump
        jump *= s
        rows.append(LayerField(i + 1, k, s, d, p, size, jump, start))
    return ReceptiveField(tuple(rows))


def _layer_sizes(parsed: Sequence[Layer], input_size: int) -> list[int]:
    """Units per axis in every layer, input first; the input side is refused beyond 2**28 pixels."""
    sizes = [check_int(input_size, "input_size", minimum=1, maximum=MAX_ELEMENTS)]
    for i, (k, s, d, p) in enumerate(parsed):
        n = (sizes[-1] + 2 * p - (k - 1) * d - 1) // s + 1
        if n < 1:
            raise ValueError(
                f"`input_size` = {input_size} is too small for this stack: layer {i + 1} gets {sizes[-1]} units "
                f"and its kernel spans {(k - 1) * d + 1}; use a larger input (at least the receptive field)."
            )
        sizes.append(n)
    return sizes




def _stack(layers: Any, input_size: Any, unit: Any = None) -> tuple[tuple[Layer, ...], list[int], tuple[int, int]]:
    """The normalised layers, the units per layer and the (row, column) of an output unit (default: the middle one).

    The one preamble of every function that follows one unit of a stack down to the input.
    """
    parsed = _parse_layers(layers)
    sizes = _layer_sizes(parsed, input_size)
    n = sizes[-1]
    if unit is None:
        return parsed, sizes, ((n - 1) // 2, (n - 1) // 2)
    if not isinstance(unit, Sequence) or len(unit) != 2:
        raise ValueError(f"`unit` must be a pair (row, column); got {describe(unit)}.")
    row, col = (check_int(u, "unit", minimum=0, maximum=n - 1) for u in unit)
    return parsed, sizes, (row, col)


def _below(units: np.ndarray, layer: Layer, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The units of the layer below that ``units`` read: ``(len(units), k)`` indices and a mask of those
    inside ``[0, n)`` (a tap on the zero padding reads nothing)."""
    k, s, d, p = layer
    idx = units[:, None] * s - p + np.arange(k)[None, :] * d  # (len(units), k)
    return idx, (idx >= 0) & (idx < n)
