"""Notebook 01's pictures: who is connected to whom, and how far one unit sees.

* :func:`draw_connectivity`: the neuron-wise graph of a layer, inputs below,
  outputs above, one line per connection (Goodfellow et al., figs 9.2-9.3).
* :func:`draw_stack`: a 1-D stack of layers with the units one top unit depends
  on highlighted, layer by layer (Goodfellow et al., fig 9.4).
* :func:`draw_receptive_field`: the receptive field of one unit on an image.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..._validate import as_float_array, as_unit_image, check_bool, check_finite, check_int, check_ndim, describe
from ...receptive.connectivity import Connectivity
from ...receptive.paths import _units_per_layer, footprint
from ...receptive.stacks import _below, _layer_sizes, _parse_layers, receptive_field

__all__ = ["draw_connectivity", "draw_stack", "draw_receptive_field", "HIGHLIGHT", "FAINT", "NODE"]

#: Largest input drawn by :func:`draw_stack` (one node per unit).
STACK_LIMIT = 256

HIGHLIGHT = "#d62728"  # red: the chosen unit and its connections
FAINT = "#b0b0b0"  # grey: every other connection
NODE = "#ffffff"


def _check_axes(ax: Any, title: Any) -> None:
    """``ax`` must be None or a matplotlib Axes, ``title`` None or a str."""
    from matplotlib.axes import Axes

    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"`ax` must be a matplotlib Axes or None; got {describe(ax)}.")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"`title` must be a str or None; got {describe(title)}.")


def _image(img: Any) -> np.ndarray:
    """A finite, non-empty (H, W) picture on a 0-to-1 grey scale."""
    img = as_unit_image(img, "img")
    check_ndim(img, 2, "img", "(H, W)")
    if 0 in img.shape:
        raise ValueError(f"`img` must not be empty; got shape {tuple(img.shape)}.")
    return np.asarray(check_finite(img, "img"))


def _new_axes(ax: Any, size: tuple[float, float]):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size)
    return ax


def _label(prefix: str, flat: int, shape: tuple[int, ...]) -> str:
    idx = np.unravel_index(flat, shape)
    return f"${prefix}_{{{''.join(str(i + 1) for i in idx)}}}$"


def _default_output_x(conn: Connectivity) -> np.ndarray:
    if conn.kind == "conv":  # above the middle of what each output reads
        sums = np.bincount(conn.edges[:, 0], weights=conn.edges[:, 1], minlength=conn.n_outputs)
        return sums / np.maximum(np.bincount(conn.edges[:, 0], minlength=conn.n_outputs), 1)
    if conn.n_outputs == conn.n_inputs:
        return np.arange(conn.n_outputs, dtype=float)
    return np.linspace(0, conn.n_inputs - 1, conn.n_outputs + 2)[1:-1]


def draw_connectivity(
    conn: Connectivity,
    ax: Any = None,
    *,
    output: int | None = None,
    input: int | None = None,
    output_x: Sequence[float] | None = None,
    title: str | None = None,
    labels: bool = True,
) -> Any:
    """Draw a layer as a graph: inputs on the bottom row, outputs on the top, one line per edge.

    Parameters
    ----------
    conn : Connectivity
        From :func:`cnnlib.connectivity` or :func:`cnnlib.dense_connectivity`.
    ax : matplotlib Axes, optional
    output, input : int, optional
        Highlight one output and the inputs it reads (its receptive field), or
        one input and the outputs it affects. Flat indices.
    output_x : sequence of float, optional
        Horizontal positions of the outputs (inputs sit at 0, 1, 2, ...);
        default: above the middle of what each output reads.
    title : str, optional
    labels : bool
        Write ``x_i`` and ``s_j`` in the nodes (with row and column for 2-D grids).

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.collections import LineCollection

    if not isinstance(conn, Connectivity):
        raise TypeError(f"`conn` must come from cl.connectivity or cl.dense_connectivity; got {describe(conn)}.")
    output = None if output is None else check_int(output, "output", minimum=0, maximum=conn.n_outputs - 1)
    input = None if input is None else check_int(input, "input", minimum=0, maximum=conn.n_inputs - 1)
    if output_x is not None:
        output_x = np.asarray(check_finite(as_float_array(output_x, "output_x"), "output_x"), dtype=float)
        if output_x.shape != (conn.n_outputs,):
            raise ValueError(f"`output_x` must have shape ({conn.n_outputs},), one position per output; got {output_x.shape}.")
    labels = check_bool(labels, "labels")
    _check_axes(ax, title)
    ax = _new_axes(ax, (0.55 * conn.n_inputs + 1.0, 2.6))
    xin = np.arange(conn.n_inputs, dtype=float)
    xout = _default_output_x(conn) if output_x is None else output_x
    o, i = conn.edges[:, 0], conn.edges[:, 1]
    hot = np.zeros(len(o), bool)
    if output is not None:
        hot |= o == output
    if input is not None:
        hot |= i == input
    segments = np.stack([np.stack([xin[i], np.zeros_like(xin[i])], 1), np.stack([xout[o], np.ones_like(xout[o])], 1)], 1)
    # grey lines without anti-aliasing: a much smaller PNG, and the eye follows the red ones
    ax.add_collection(LineCollection(segments[~hot], colors=FAINT, linewidths=1.2, antialiaseds=False, zorder=1))
    ax.add_collection(LineCollection(segments[hot], colors=HIGHLIGHT, linewidths=2.6, zorder=2))
    hot_in = np.isin(np.arange(conn.n_inputs), i[hot]) | (np.arange(conn.n_inputs) == input)
    hot_out = np.isin(np.arange(conn.n_outputs), o[hot]) | (np.arange(conn.n_outputs) == output)
    radius = 620 if labels else 160
    for xs, y, lit in ((xin, 0.0, hot_in), (xout, 1.0, hot_out)):
        face = np.where(lit, "#f4b6b6", NODE)
        ax.scatter(xs, np.full_like(xs, y), s=radius, c=face, edgecolors=np.where(lit, HIGHLIGHT, "black"), linewidths=1.5, zorder=3)
    if labels:
        for j, x in enumerate(xin):
            ax.text(x, 0.0, _label("x", j, conn.input_shape), ha="center", va="center", fontsize=12, zorder=4)
        for j, x in enumerate(xout):
            ax.text(x, 1.0, _label("s", j, conn.output_shape), ha="center", va="center", fontsize=12, zorder=4)
    ax.set_xlim(-0.7, conn.n_inputs - 0.3)
    ax.set_ylim(-0.3, 1.3)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def draw_stack(layers: Sequence[Any], input_size: int, ax: Any = None, *, unit: int | None = None, title: str | None = None) -> Any:
    """Draw a 1-D stack of layers and light up what one top unit depends on.

    Each unit is drawn above the middle of its own receptive field, so the
    picture is to scale: the red units on the bottom row are the receptive
    field of the red unit on top. ``unit`` defaults to the middle top unit.

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.collections import LineCollection

    parsed = _parse_layers(layers)
    sizes = _layer_sizes(parsed, check_int(input_size, "input_size", minimum=1, maximum=STACK_LIMIT))
    rf = receptive_field(layers)
    unit = (sizes[-1] - 1) // 2 if unit is None else check_int(unit, "unit", minimum=0, maximum=sizes[-1] - 1)
    _check_axes(ax, title)
    reached = _units_per_layer(parsed, sizes, unit)
    ax = _new_axes(ax, (0.42 * input_size + 1.5, 0.9 * len(parsed) + 1.4))
    xs = [np.arange(input_size, dtype=float)]
    for row, n in zip(rf.rows, sizes[1:]):  # unit u of a layer sits over the middle of its field
        xs.append(row.start + np.arange(n) * row.jump + (row.size - 1) / 2)
    for level, layer in enumerate(parsed, start=1):
        units = np.arange(sizes[level])
        below, ok = _below(units, layer, sizes[level - 1])  # (units, k) indices in the layer below
        up, down = np.broadcast_to(units[:, None], below.shape)[ok], below[ok]
        hot = np.isin(up, reached[level])
        seg = np.stack([np.stack([xs[level - 1][down], np.full(len(down), level - 1.0)], 1),
                        np.stack([xs[level][up], np.full(len(up), float(level))], 1)], 1)
        ax.add_collection(LineCollection(seg[~hot], colors=FAINT, linewidths=0.8, antialiaseds=False, zorder=1))
        ax.add_collection(LineCollection(seg[hot], colors=HIGHLIGHT, linewidths=1.8, zorder=2))
    for level, x in enumerate(xs):
        lit = np.isin(np.arange(len(x)), reached[level])
        ax.scatter(x, np.full_like(x, level), s=70, c=np.where(lit, HIGHLIGHT, NODE), edgecolors="black", linewidths=1, zorder=3)
    fp = reached[0]
    ax.annotate("", xy=(fp[-1] + 0.4, -0.45), xytext=(fp[0] - 0.4, -0.45), arrowprops={"arrowstyle": "<->", "color": HIGHLIGHT, "lw": 2})
    ax.text((fp[0] + fp[-1]) / 2, -0.6, f"receptive field {fp[-1] - fp[0] + 1}", ha="center", va="top", color=HIGHLIGHT)
    ax.set_yticks(range(len(xs)), ["input"] + [f"layer {i}" for i in range(1, len(xs))])
    ax.set_xticks([])
    ax.set_ylim(-1.1, len(xs) - 0.6)
    ax.set_xlim(-0.8, input_size - 0.2)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(title if title is not None else f"{len(parsed)} layers: one top unit sees {rf.size} inputs")
    return ax


def _field_on_image(layers: Sequence[Any], shape: tuple[int, int]):
    """Rectangle (top, left, height, width) and footprint mask of the middle unit, or a centred box if none fits."""
    rf = receptive_field(layers)
    h, w = shape
    try:
        rows, cols = footprint(layers, input_size=h), footprint(layers, input_size=w)
        n_rows = _layer_sizes(_parse_layers(layers), h)[-1]
        n_cols = _layer_sizes(_parse_layers(layers), w)[-1]
        top, _ = rf.region((n_rows - 1) // 2)
        left, _ = rf.region((n_cols - 1) // 2)
        mask = np.zeros(shape, bool)
        mask[np.ix_(rows, cols)] = True
        return (top, left, rf.size, rf.size), mask, True
    except ValueError:  # the stack has no valid output on an image this small
        return ((h - rf.size) / 2, (w - rf.size) / 2, rf.size, rf.size), np.zeros(shape, bool), False


def draw_receptive_field(img: Any, layers: Sequence[Any], ax: Any = None, *, title: str | None = None) -> Any:
    """Draw the receptive field of the middle output unit of ``layers`` on ``img`` (H, W).

    The red box is the span from :func:`cnnlib.receptive_field`; tinted pixels
    are the ones the unit really reads (:func:`cnnlib.receptive.footprint`),
    each also marked with a square when the footprint has holes (dilation).
    """
    from matplotlib.patches import Rectangle

    img = _image(img)
    receptive_field(layers)  # refuses bad layers before anything is drawn
    _check_axes(ax, title)
    ax = _new_axes(ax, (4, 4))
    (top, left, hh, ww), mask, _ = _field_on_image(layers, img.shape)
    ax.imshow(img, cmap="gray")
    ax.imshow(_tint(mask), interpolation="nearest")  # pixel for pixel: no smoothing
    if mask.sum() < hh * ww:  # holes (dilation): single pixels would be too small to see; mark each one read
        rows, cols = np.nonzero(mask)
        ax.scatter(cols, rows, s=14, marker="s", color=(1.0, 0.6, 0.0), edgecolors="black", linewidths=0.5, zorder=3)
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), ww, hh, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title if title is not None else f"receptive field {hh} x {ww} pixels")
    return ax


def _tint(mask: np.ndarray) -> np.ndarray:
    rgba = np.zeros(mask.shape + (4,))
    rgba[mask] = (1.0, 0.6, 0.0, 0.6)  # orange, partly transparent
    return rgba
