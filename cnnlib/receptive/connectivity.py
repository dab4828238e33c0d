"""Who reads whom: the connections of one convolution or one dense layer, by index arithmetic.

A dense layer connects every input to every output. A convolution with a
``k``-tap kernel connects each output to only ``k`` inputs, its *receptive
field*. Plain Python/NumPy (no JAX), so widgets redraw without compiling.
Notebook: ``notebooks/01_sparse_interactions.ipynb``.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import (
    as_float_array,
    MAX_ELEMENTS,
    check_bool,
    check_choice,
    check_finite,
    check_int,
    check_positive_int,
    check_size,
    describe,
    ntuple,
)
from ..conv import BOUNDARIES, _pads_for

__all__ = ["Connectivity", "connectivity", "dense_connectivity"]


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
        check_size(self.n_outputs * self.n_inputs, "self", "the adjacency matrix")
        a = np.zeros((self.n_outputs, self.n_inputs), dtype=bool)
        a[self.edges[:, 0], self.edges[:, 1]] = True
        return a

    def matrix(self, w: Any) -> np.ndarray:
        """The layer as a ``(n_outputs, n_inputs)`` matrix filled with the weights ``w``.

        For a convolution this is the banded (Toeplitz, or doubly block
        Toeplitz in 2-D) matrix with ``M @ x.ravel() == conv(x, w).ravel()``.
        """
        check_finite(as_float_array(w, "w"), "w")  # a real, finite array (refused otherwise), used in float64
        w = np.asarray(w, dtype=float).ravel()
        if w.size != self.n_weights:
            raise ValueError(f"`w` must have {self.n_weights} entries for this layer; got {w.size}.")
        check_size(self.n_outputs * self.n_inputs, "w", "the layer's matrix")
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
    for value, name in ((input_shape, "input_shape"), (kernel_shape, "kernel_shape")):  # each side alone must fit
        for side in (value if isinstance(value, Sequence) else (value,)):
            if isinstance(side, (int, np.integer)) and not isinstance(side, bool):
                check_int(side, name, maximum=MAX_ELEMENTS)
    if isinstance(kernel_shape, Sequence) and len(kernel_shape) != ndim:
        raise ValueError(f"`kernel_shape` must have {ndim} entries like `input_shape` {shape_in}; got {describe(kernel_shape)}.")
    kshape = ntuple(kernel_shape, ndim, "kernel_shape")
    strides = ntuple(stride, ndim, "stride")
    dils = ntuple(dilation, ndim, "dilation")
    check_choice(boundary, BOUNDARIES, "boundary")
    check_bool(flip, "flip")
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
    blame = {"input_shape": math.prod(shape_in), "kernel_shape": math.prod(kshape),
             "padding": math.prod(shape_out) // max(1, math.prod(shape_in))}
    check_size(4 * math.prod(shape_out) * math.prod(kshape), max(blame, key=blame.get), "the list of connections")
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
        if isinstance(shape, Sequence) and not isinstance(shape, (str, bytes)):
            shapes.append(ntuple(tuple(shape), len(shape), name))
        else:
            shapes.append((check_positive_int(shape, name),))
        if math.prod(shapes[-1]) > MAX_ELEMENTS:
            check_int(math.prod(shapes[-1]), name, maximum=MAX_ELEMENTS)
    m, n = math.prod(shapes[0]), math.prod(shapes[1])
    check_size(3 * m * n, "n_in" if m >= n else "n_out", "the list of connections")
    o, i = np.divmod(np.arange(m * n, dtype=np.int64), m)
    return Connectivity(np.stack([o, i, o * m + i], axis=1), shapes[0], shapes[1], m * n, "dense")
