"""Sparse interactions and receptive fields: which inputs each output of a convolution reads.

A dense layer connects every input to every output. A convolution with a
``k``-tap kernel connects each output to only ``k`` inputs, its *receptive
field*; stacking layers makes the receptive field grow. This module computes
both exactly, by index arithmetic in plain Python/NumPy (no JAX is needed, so
widgets can redraw without compiling anything), and measures the receptive
field of a stack empirically with ``jax.grad`` for comparison.

Notebook: ``notebooks/01_sparse_interactions.ipynb``.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import check_choice, check_int, check_positive_int, describe, ntuple
from .conv import BOUNDARIES, _pads_for, conv2d

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


# ----------------------------------------------------------------------------- connectivity
@dataclass(frozen=True, eq=False)
class Connectivity:
    """Who reads whom in a layer: one row of ``edges`` per connection.

    Attributes
    ----------
    edges : ndarray of int, shape (E, 3)
        Columns ``(output, input, weight)``: flat (C-order) indices of the
        output unit, the input unit it reads and the weight it uses.
    input_shape, output_shape : tuple of int
        Shapes of the input and output grids the flat indices refer to.
    n_weights : int
        Number of distinct weights (``kH * kW`` for a convolution, ``m * n``
        for a dense layer).
    kind : {'conv', 'dense'}
    """

    edges: np.ndarray
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    n_weights: int
    kind: str

    @property
    def n_inputs(self) -> int:
        return math.prod(self.input_shape)

    @property
    def n_outputs(self) -> int:
        return math.prod(self.output_shape)

    @property
    def n_edges(self) -> int:
        """Number of connections (non-zeros of the layer's matrix)."""
        return int(self.edges.shape[0])

    @property
    def receptive_sizes(self) -> np.ndarray:
        """``(n_outputs,)``: how many inputs each output reads (its receptive field)."""
        pairs = np.unique(self.edges[:, :2], axis=0)  # a wrapped boundary can read one input twice
        return np.bincount(pairs[:, 0], minlength=self.n_outputs)

    @property
    def fan_out(self) -> np.ndarray:
        """``(n_inputs,)``: how many outputs each input affects."""
        pairs = np.unique(self.edges[:, :2], axis=0)
        return np.bincount(pairs[:, 1], minlength=self.n_inputs)

    @property
    def density(self) -> float:
        """Fraction of the ``n_outputs x n_inputs`` matrix that is non-zero."""
        return self.n_edges / (self.n_inputs * self.n_outputs)

    def _flat(self, index: Any, shape: tuple[int, ...], name: str) -> int:
        size = math.prod(shape)
        if isinstance(index, (tuple, list)):
            if len(index) != len(shape) or not all(0 <= check_int(i, name) < n for i, n in zip(index, shape)):
                raise ValueError(f"`{name}` must be a flat index below {size} or an index into shape {shape}; got {describe(index)}.")
            return int(np.ravel_multi_index(tuple(int(i) for i in index), shape))
        return check_int(index, name, minimum=0, maximum=size - 1)

    def inputs_of(self, output: int | Sequence[int]) -> np.ndarray:
        """Sorted flat indices of the inputs that ``output`` (flat or multi-index) reads."""
        o = self._flat(output, self.output_shape, "output")
        return np.unique(self.edges[self.edges[:, 0] == o, 1])

    def outputs_of(self, input: int | Sequence[int]) -> np.ndarray:
        """Sorted flat indices of the outputs that ``input`` (flat or multi-index) affects."""
        i = self._flat(input, self.input_shape, "input")
        return np.unique(self.edges[self.edges[:, 1] == i, 0])

    def adjacency(self) -> np.ndarray:
        """``(n_outputs, n_inputs)`` bool matrix, True where an output reads an input."""
        a = np.zeros((self.n_outputs, self.n_inputs), dtype=bool)
        a[self.edges[:, 0], self.edges[:, 1]] = True
        return a

    def matrix(self, w: Any) -> np.ndarray:
        """The layer as a ``(n_outputs, n_inputs)`` matrix filled with the weights ``w``.

        For a convolution this is the banded (Toeplitz, or doubly block
        Toeplitz in 2-D) matrix with ``M @ x.ravel() == conv(x, w).ravel()``.
        """
        w = np.asarray(w, dtype=float).ravel()
        if w.size != self.n_weights:
            raise ValueError(f"`w` must have {self.n_weights} entries for this layer; got {w.size}.")
        m = np.zeros((self.n_outputs, self.n_inputs))
        np.add.at(m, (self.edges[:, 0], self.edges[:, 1]), w[self.edges[:, 2]])
        return m


def connectivity(
    input_shape: int | Sequence[int],
    kernel_shape: int | Sequence[int],
    *,
    stride: int | Sequence[int] = 1,
    padding: str | int | Sequence[Any] = "valid",
    dilation: int | Sequence[int] = 1,
    boundary: str = "zeros",
    flip: bool = False,
) -> Connectivity:
    r"""The connections of a single-channel convolution, by index arithmetic.

    Output :math:`s_{\mathbf u}` reads input :math:`x_{\mathbf u s - p_{lo} + \mathbf a d}`
    with weight :math:`w_{\mathbf a}` for every kernel tap :math:`\mathbf a`
    whose input lies inside the image (zero padding adds no connections).

    Parameters
    ----------
    input_shape : int or (H, W) or (L,)
        The input grid (1-D or 2-D).
    kernel_shape : int or (kH, kW) or (k,)
        An int means a square (or 1-D) kernel of that size.
    stride, padding, dilation, boundary, flip
        As in ``cl.conv2d``: ``padding`` is one of ``{'valid', 'same', 'full'}``,
        an int, a pair or ``((top, bottom), (left, right))``; ``boundary`` one of
        ``{'zeros', 'circular', 'reflect', 'replicate'}`` (only zeros adds no
        connections; the others connect border outputs to the pixels they copy).

    Returns
    -------
    Connectivity
        With ``n_edges == n_outputs * prod(kernel_shape)`` minus the taps that
        fall in the padding. Output size per axis:
        ``(n + lo + hi - (k - 1) * d - 1) // s + 1``.

    Raises
    ------
    ValueError
        If the shapes do not match or the kernel does not fit the padded input.

    See Also
    --------
    dense_connectivity : the same record for a fully connected layer.
    cnnlib.conv_matrix : the matrix with these non-zeros.

    Examples
    --------
    A 3x3 input and a 2x2 kernel: 4 outputs, each reading 4 inputs.

    >>> c = connectivity((3, 3), (2, 2))
    >>> c.output_shape, c.n_edges, dense_connectivity(9, 4).n_edges
    ((2, 2), 16, 36)
    >>> c.inputs_of((0, 0)).tolist(), c.outputs_of((1, 1)).tolist()
    ([0, 1, 3, 4], [0, 1, 2, 3])
    """
    if isinstance(input_shape, (numbers.Integral, np.integer)):
        input_shape = (input_shape,)
    if not isinstance(input_shape, Sequence) or len(input_shape) not in (1, 2):
        raise ValueError(f"`input_shape` must be (L,) or (H, W); got {describe(input_shape)}.")
    ndim = len(input_shape)
    shape_in = ntuple(tuple(input_shape), ndim, "input_shape")
    if isinstance(kernel_shape, Sequence) and len(kernel_shape) != ndim:
        raise ValueError(f"`kernel_shape` must have {ndim} entries like `input_shape` {shape_in}; got {describe(kernel_shape)}.")
    kshape = ntuple(kernel_shape, ndim, "kernel_shape")
    strides = ntuple(stride, ndim, "stride")
    dils = ntuple(dilation, ndim, "dilation")
    check_choice(boundary, BOUNDARIES, "boundary")
    if not isinstance(flip, (bool, np.bool_)):
        raise TypeError(f"`flip` must be True or False; got {describe(flip)}.")
    spans = tuple((k - 1) * d + 1 for k, d in zip(kshape, dils))
    pads = _pads_for(padding, shape_in, spans, strides)  # the same rules as cl.conv2d
    if boundary == "reflect" and any(max(p) >= n for p, n in zip(pads, shape_in)):
        raise ValueError(f"`boundary='reflect'` needs each padding smaller than the input size; got padding {pads} for input size {shape_in}.")
    shape_out = []
    for ax, (n, span, s, (lo, hi)) in enumerate(zip(shape_in, spans, strides, pads)):
        if n + lo + hi < span:
            raise ValueError(
                f"`kernel_shape` {kshape} (dilated span {span}) does not fit the padded input along axis {ax} "
                f"({n} + {lo + hi} padding = {n + lo + hi})."
            )
        shape_out.append((n + lo + hi - span) // s + 1)
    shape_out = tuple(shape_out)
    # Per axis, padded position -> input index (-1 for a zero of the padding).
    mode = {"zeros": "constant", "circular": "wrap", "reflect": "reflect", "replicate": "edge"}[boundary]
    extra = {"constant_values": -1} if mode == "constant" else {}
    index_maps = [np.pad(np.arange(n), pad, mode=mode, **extra) for n, pad in zip(shape_in, pads)]
    # One grid over (output position, kernel tap) per axis: shapes (*shape_out, *kshape).
    grids = np.meshgrid(*[np.arange(n) for n in shape_out], *[np.arange(k) for k in kshape], indexing="ij")
    outs, taps = grids[:ndim], grids[ndim:]
    ins = [m[u * s + a * d] for m, u, a, s, d in zip(index_maps, outs, taps, strides, dils)]
    inside = np.logical_and.reduce([i >= 0 for i in ins])
    if flip:  # true convolution: tap a uses w[k - 1 - a]
        taps = [k - 1 - a for a, k in zip(taps, kshape)]
    edges = np.stack(
        [
            np.ravel_multi_index([u[inside] for u in outs], shape_out),
            np.ravel_multi_index([i[inside] for i in ins], shape_in),
            np.ravel_multi_index([a[inside] for a in taps], kshape),
        ],
        axis=1,
    ).astype(np.int64)
    order = np.lexsort((edges[:, 2], edges[:, 1], edges[:, 0]))  # by output, then input
    return Connectivity(edges[order], shape_in, shape_out, math.prod(kshape), "conv")


def dense_connectivity(n_in: int | Sequence[int], n_out: int | Sequence[int]) -> Connectivity:
    """The connections of a dense (fully connected) layer: every input to every output.

    ``n_in`` and ``n_out`` are unit counts or grid shapes such as ``(3, 3)``
    (the grids are flattened in C order). Weight ``o * m + i`` is the matrix
    entry ``W[o, i]`` for ``m`` inputs.

    Examples
    --------
    >>> d = dense_connectivity(9, 4)
    >>> d.n_edges, d.receptive_sizes.tolist(), d.outputs_of(4).tolist()
    (36, [9, 9, 9, 9], [0, 1, 2, 3])
    """
    shapes = []
    for shape, name in ((n_in, "n_in"), (n_out, "n_out")):
        if isinstance(shape, Sequence) and not isinstance(shape, str):
            shapes.append(ntuple(tuple(shape), len(shape), name))
        else:
            shapes.append((check_positive_int(shape, name),))
    m, n = math.prod(shapes[0]), math.prod(shapes[1])
    o, i = np.divmod(np.arange(m * n, dtype=np.int64), m)
    return Connectivity(np.stack([o, i, o * m + i], axis=1), shapes[0], shapes[1], m * n, "dense")


# ----------------------------------------------------------------------------- receptive fields of stacks
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


def _layer_sizes(parsed: Sequence[tuple[int, int, int, int]], input_size: int) -> list[int]:
    sizes = [check_positive_int(input_size, "input_size")]
    for i, (k, s, d, p) in enumerate(parsed):
        n = (sizes[-1] + 2 * p - (k - 1) * d - 1) // s + 1
        if n < 1:
            raise ValueError(
                f"`input_size` = {input_size} is too small for this stack: layer {i + 1} gets {sizes[-1]} units "
                f"and its kernel spans {(k - 1) * d + 1}; use a larger input (at least the receptive field)."
            )
        sizes.append(n)
    return sizes


def _units_per_layer(parsed, sizes: list[int], unit: int) -> list[np.ndarray]:
    """For output ``unit`` of the last layer: the units of every layer it depends on (input first)."""
    reached = [np.array([unit])]
    for (k, s, d, p), n in zip(reversed(parsed), reversed(sizes[:-1])):
        below = (reached[0][:, None] * s - p + np.arange(k)[None, :] * d).ravel()
        reached.insert(0, np.unique(below[(below >= 0) & (below < n)]))  # padding has no units
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


def _axis_paths(parsed, sizes: list[int], unit: int) -> np.ndarray:
    """Per axis: how many chains of kernel taps lead from each input index to output ``unit``."""
    counts = np.zeros(sizes[-1], dtype=np.int64)
    counts[unit] = 1
    for (k, s, d, p), n in zip(reversed(parsed), reversed(sizes[:-1])):
        below = np.zeros(n, dtype=np.int64)
        for u in np.flatnonzero(counts):
            idx = u * s - p + np.arange(k) * d  # the k units (or padding) that unit u reads
            idx = idx[(idx >= 0) & (idx < n)]  # a tap on the zero padding leads nowhere
            np.add.at(below, idx, counts[u])
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
        Side of the square input.
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
    parsed = _parse_layers(layers)
    sizes = _layer_sizes(parsed, input_size)
    n = sizes[-1]
    if unit is None:
        unit = ((n - 1) // 2, (n - 1) // 2)
    elif not isinstance(unit, Sequence) or len(unit) != 2:
        raise ValueError(f"`unit` must be a pair (row, column); got {describe(unit)}.")
    row, col = (check_int(u, "unit", minimum=0, maximum=n - 1) for u in unit)
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
        Side of the square input.
    unit : (int, int), optional
        The output unit; default the middle one.

    Examples
    --------
    >>> e = empirical_receptive_field([5, 5], input_size=11)
    >>> e.size, e.unit, int(e.grad.max())
    ((9, 9), (1, 1), 25)
    """
    parsed = _parse_layers(layers)
    sizes = _layer_sizes(parsed, input_size)
    n = sizes[-1]
    if unit is None:
        unit = ((n - 1) // 2, (n - 1) // 2)
    elif not isinstance(unit, Sequence) or len(unit) != 2:
        raise ValueError(f"`unit` must be a pair (row, column); got {describe(unit)}.")
    unit = tuple(check_int(u, "unit", minimum=0, maximum=n - 1) for u in unit)
    grad = np.asarray(_stack_grad(jnp.ones((input_size, input_size), jnp.float32), parsed, unit))
    mask = grad != 0
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:  # the unit reads only zero padding
        return EmpiricalField(grad, mask, unit, (n, n), None, None)
    return EmpiricalField(grad, mask, unit, (n, n), (int(rows[0]), int(rows[-1])), (int(cols[0]), int(cols[-1])))
