"""Following one output unit of a stack down to the input: its footprint, its path counts, its gradient.

:func:`footprint` is the set of input pixels one unit depends on (the
receptive field of :func:`~cnnlib.receptive.receptive_field` is its span),
:func:`path_counts` how many chains of kernel taps lead to each of them, and
:func:`empirical_receptive_field` measures the same with ``jax.grad``.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import check_int, check_size
from ..conv import conv2d
from .stacks import Layer, _below, _layer_sizes, _parse_layers, _stack

__all__ = ["footprint", "path_counts", "EmpiricalField", "empirical_receptive_field"]


def _units_per_layer(parsed: Sequence[Layer], sizes: list[int], unit: int) -> list[np.ndarray]:
    """For output ``unit`` of the last layer: the units of every layer it depends on (input first)."""
    reached = [np.array([unit])]
    for layer, n in zip(reversed(parsed), reversed(sizes[:-1])):
        idx, inside = _below(reached[0], layer, n)
        reached.insert(0, np.unique(idx[inside]))  # padding has no units
    return reached


def footprint(layers: Sequence[Any], input_size: int, unit: int | None = None) -> np.ndarray:
    """Exactly which input pixels (per axis) one output unit of a stack depends on.

    The receptive field of :func:`receptive_field` is the *span* of this set;
    with dilation the set can have holes. ``unit`` defaults to the middle
    output unit; pixels of the zero padding are not inputs and are left out.

    Examples
    --------
    >>> footprint([3, 3], input_size=9).tolist()
    [2, 3, 4, 5, 6]
    >>> footprint([(2, 1, 2), (2, 1, 2)], input_size=5).tolist()
    [0, 2, 4]
    """
    parsed = _parse_layers(layers)
    sizes = _layer_sizes(parsed, input_size)
    unit = (sizes[-1] - 1) // 2 if unit is None else check_int(unit, "unit", minimum=0, maximum=sizes[-1] - 1)
    return _units_per_layer(parsed, sizes, unit)[0]


def _axis_paths(parsed: Sequence[Layer], sizes: list[int], unit: int) -> np.ndarray:
    """Per axis: how many chains of kernel taps lead from each input index to output ``unit``."""
    counts = np.zeros(sizes[-1], dtype=np.int64)
    counts[unit] = 1
    for layer, n in zip(reversed(parsed), reversed(sizes[:-1])):
        live = np.flatnonzero(counts)
        idx, inside = _below(live, layer, n)
        below = np.zeros(n, dtype=np.int64)
        np.add.at(below, idx[inside], np.broadcast_to(counts[live][:, None], idx.shape)[inside])
        counts = below
    return counts


def path_counts(layers: Sequence[Any], input_size: int, unit: tuple[int, int] | None = None) -> np.ndarray:
    r"""How many paths of connections lead from each input pixel to one output unit of a stack.

    A path picks one kernel tap in every layer. Rows and columns are picked
    independently, so the count is the outer product of two 1-D counts, and
    it is the gradient of the unit with respect to the input when every
    kernel is all ones (what :func:`empirical_receptive_field` measures).

    With stride 1 the counts form a hill that peaks in the middle of the
    field. With a stride, the windows of neighbouring units in the strided
    layer overlap in fewer pixels than they cover, so pixels on an overlap
    get more paths than their neighbours: a checkerboard, whose largest
    value need not be in the middle.

    Parameters
    ----------
    layers : sequence
        As in :func:`receptive_field`; every kernel is square.
    input_size : int
        Side of the square input (refused when ``input_size**2`` entries would need more than 1 GiB).
    unit : (int, int), optional
        The output unit; default the middle one.

    Returns
    -------
    numpy.ndarray of int64, shape (input_size, input_size)
        Zero outside the footprint (:func:`footprint`) of the unit.

    Examples
    --------
    Two 3x3 layers: the 1-D counts are 1 2 3 2 1, the centre gets 3 x 3 = 9.

    >>> path_counts([3, 3], input_size=5)[2].tolist()
    [3, 6, 9, 6, 3]

    A 3x3 stride-2 layer under a 3x3 layer: 1-D counts 1 1 2 1 2 1 1, so the
    centre gets 1 and the four pixels diagonally next to it 2 x 2 = 4.

    >>> c = path_counts([(3, 2), 3], input_size=7)
    >>> int(c[3, 3]), int(c.max()), np.argwhere(c == c.max()).tolist()
    (1, 4, [[2, 2], [2, 4], [4, 2], [4, 4]])
    """
    parsed, sizes, (row, col) = _stack(layers, input_size, unit)
    check_size(sizes[0] ** 2, "input_size", "the map of path counts")
    return np.outer(_axis_paths(parsed, sizes, row), _axis_paths(parsed, sizes, col))  # (input_size, input_size)


class EmpiricalField(NamedTuple):
    """What :func:`empirical_receptive_field` measured."""

    grad: np.ndarray  # (H, W): d output[unit] / d input
    mask: np.ndarray  # (H, W): grad != 0
    unit: tuple[int, int]  # the output unit, (row, column)
    output_shape: tuple[int, int]
    rows: tuple[int, int] | None  # first and last input row with a non-zero gradient (None: no input at all)
    cols: tuple[int, int] | None

    @property
    def size(self) -> tuple[int, int]:
        """Height and width of the region with a non-zero gradient ((0, 0) if the unit reads only padding)."""
        if self.rows is None or self.cols is None:
            return 0, 0
        return self.rows[1] - self.rows[0] + 1, self.cols[1] - self.cols[0] + 1


@partial(jax.jit, static_argnames=("parsed", "unit"))
def _stack_grad(x, parsed, unit):
    def top(x):  # (H, W) -> one output unit
        for k, s, d, p in parsed:
            x = conv2d(x, jnp.ones((k, k), x.dtype), stride=s, padding=p, dilation=d)  # (H_l, W_l)
        return x[unit]

    return jax.grad(top)(x)


def empirical_receptive_field(layers: Sequence[Any], input_size: int, unit: tuple[int, int] | None = None) -> EmpiricalField:
    r"""Measure the receptive field: the gradient of one output of a conv stack w.r.t. the input.

    Every layer is ``cl.conv2d`` with an all-ones ``k x k`` kernel, so no
    paths cancel and :math:`\partial s_{\text{unit}} / \partial x_{ij} \neq 0`
    exactly on the pixels the unit depends on. Its value counts the paths from
    the pixel to the unit (:func:`path_counts`): a hill peaking in the middle
    for stride 1, a checkerboard when a layer has a stride.

    Parameters
    ----------
    layers : sequence
        As in :func:`receptive_field`.
    input_size : int
        Side of the square input (refused when ``input_size**2`` entries would need more than 1 GiB).
    unit : (int, int), optional
        The output unit; default the middle one.

    Examples
    --------
    >>> e = empirical_receptive_field([5, 5], input_size=11)
    >>> e.size, e.unit, int(e.grad.max())
    ((9, 9), (1, 1), 25)
    """
    parsed, sizes, unit = _stack(layers, input_size, unit)
    check_size(sizes[0] ** 2, "input_size", "the input image")
    n = sizes[-1]
    grad = np.asarray(_stack_grad(jnp.ones((sizes[0], sizes[0]), jnp.float32), parsed, unit))
    mask = grad != 0
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:  # the unit reads only zero padding
        return EmpiricalField(grad, mask, unit, (n, n), None, None)
    return EmpiricalField(grad, mask, unit, (n, n), (int(rows[0]), int(rows[-1])), (int(cols[0]), int(cols[-1])))
