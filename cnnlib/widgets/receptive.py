"""Notebook 01's pictures: who is connected to whom, and how far one unit sees.

Drawing helpers (used by the static figures and the widgets alike):

* :func:`draw_connectivity`: the neuron-wise graph of a layer, inputs below,
  outputs above, one line per connection (Goodfellow et al., figs 9.2-9.3).
* :func:`draw_stack`: a 1-D stack of layers with the units one top unit depends
  on highlighted, layer by layer (Goodfellow et al., fig 9.4).
* :func:`draw_receptive_field`: the receptive field of one unit on an image.

Widgets (pattern of :mod:`cnnlib.widgets._core`; nothing here calls JAX, so a
tick compiles nothing): :func:`receptive_field_explorer` and
:func:`connectivity_explorer`.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validate import as_unit_image, check_choice, check_int, check_ndim
from ..receptive import (
    Connectivity,
    _layer_sizes,
    _parse_layers,
    _units_per_layer,
    connectivity,
    dense_connectivity,
    footprint,
    receptive_field,
)
from ._core import Canvas, explorer

__all__ = [
    "draw_connectivity",
    "draw_stack",
    "draw_receptive_field",
    "receptive_field_explorer",
    "connectivity_explorer",
]

HIGHLIGHT = "#d62728"  # red: the chosen unit and its connections
FAINT = "#b0b0b0"  # grey: every other connection
NODE = "#ffffff"


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

    ax = _new_axes(ax, (0.55 * conn.n_inputs + 1.0, 2.6))
    xin = np.arange(conn.n_inputs, dtype=float)
    xout = _default_output_x(conn) if output_x is None else np.asarray(output_x, dtype=float)
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
    sizes = _layer_sizes(parsed, input_size)
    rf = receptive_field(layers)
    unit = (sizes[-1] - 1) // 2 if unit is None else check_int(unit, "unit", minimum=0, maximum=sizes[-1] - 1)
    reached = _units_per_layer(parsed, sizes, unit)
    ax = _new_axes(ax, (0.42 * input_size + 1.5, 0.9 * len(parsed) + 1.4))
    xs = [np.arange(input_size, dtype=float)]
    for row, n in zip(rf.rows, sizes[1:]):  # unit u of a layer sits over the middle of its field
        xs.append(row.start + np.arange(n) * row.jump + (row.size - 1) / 2)
    for level, (k, s, d, p) in enumerate(parsed, start=1):
        lo, hi = np.meshgrid(np.arange(sizes[level]), np.arange(k), indexing="ij")
        below = lo * s - p + hi * d
        ok = (below >= 0) & (below < sizes[level - 1])
        up, down = lo[ok], below[ok]
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
    are the ones the unit really reads (:func:`cnnlib.receptive.footprint`).
    """
    from matplotlib.patches import Rectangle

    img = np.asarray(as_unit_image(img, "img"))
    check_ndim(img, 2, "img", "(H, W)")
    ax = _new_axes(ax, (4, 4))
    (top, left, hh, ww), mask, _ = _field_on_image(layers, img.shape)
    ax.imshow(img, cmap="gray")
    ax.imshow(_tint(mask))
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), ww, hh, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title if title is not None else f"receptive field {hh} x {ww} pixels")
    return ax


def _tint(mask: np.ndarray) -> np.ndarray:
    rgba = np.zeros(mask.shape + (4,))
    rgba[mask] = (1.0, 0.6, 0.0, 0.6)  # orange, partly transparent
    return rgba


# ----------------------------------------------------------------------------- widgets
def _fixed_canvas(**kwargs: Any) -> Canvas:
    """A 1 x 2 canvas with fixed margins (no layout engine: nothing is re-laid-out per tick)."""
    import matplotlib

    with matplotlib.rc_context({"figure.constrained_layout.use": False}):
        return Canvas(1, 2, **kwargs)


def receptive_field_explorer(img: Any, *, max_layers: int = 6, max_kernel: int = 7, max_stride: int = 3, max_dilation: int = 4) -> Any:
    """Sliders for depth, kernel size, stride and dilation; the receptive field of one unit on ``img``.

    Every layer of the stack gets the same kernel, stride and dilation (no
    padding). The red box is the receptive field of the middle output unit,
    the tinted pixels the ones it really reads (holes appear with dilation),
    and the right panel the per-layer table of :func:`cnnlib.receptive_field`.
    Plain index arithmetic: a tick runs no JAX at all.

    Returns
    -------
    ipywidgets.VBox
        See :func:`cnnlib.widgets.explorer`.
    """
    import ipywidgets as w
    from matplotlib.patches import Rectangle

    img = np.asarray(as_unit_image(img, "img"))
    check_ndim(img, 2, "img", "(H, W)")
    if 0 in img.shape:
        raise ValueError(f"`img` must not be empty; got shape {img.shape}.")
    max_layers = check_int(max_layers, "max_layers", minimum=1)
    max_kernel = check_int(max_kernel, "max_kernel", minimum=1)
    max_stride = check_int(max_stride, "max_stride", minimum=1)
    max_dilation = check_int(max_dilation, "max_dilation", minimum=1)
    h, wd = img.shape
    canvas = _fixed_canvas(figsize=(10.5, 5.0), gridspec_kw={"width_ratios": [1, 1.0]})
    ax, ax_table = canvas.axes[0]
    ax.imshow(img, cmap="gray")
    overlay = ax.imshow(_tint(np.zeros(img.shape, bool)))
    box = ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5))
    ax.set_xlim(-0.5, wd - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    heading = ax.set_title("")
    ax_table.set_axis_off()
    table = ax_table.text(0.0, 1.0, "", family="monospace", fontsize=11, va="top", ha="left", transform=ax_table.transAxes)
    canvas.fig.subplots_adjust(left=0.02, right=0.99, top=0.9, bottom=0.03, wspace=0.05)
    ax_bars = canvas.fig.add_axes((0.60, 0.12, 0.37, 0.38))  # below the table
    bars = ax_bars.bar(np.arange(1, max_layers + 1), np.zeros(max_layers), color=HIGHLIGHT)
    ax_bars.axhline(h, color="black", linestyle="--", linewidth=1)
    ax_bars.text(0.6, h, "image side", va="bottom", fontsize=10)
    ax_bars.set_ylim(0, 1.15 * h)
    ax_bars.set_xticks(np.arange(1, max_layers + 1))
    ax_bars.set_xlabel("layer")
    ax_bars.set_ylabel("receptive field (px)")
    # What a tick changes, plus the "image side" line and label drawn over the bars.
    canvas.animate(overlay, box, heading, table, *bars, *ax_bars.lines, *ax_bars.texts)

    def update(layers: int, kernel: int, stride: int, dilation: int) -> str:
        layers = check_int(layers, "layers", minimum=1, maximum=max_layers)
        kernel = check_int(kernel, "kernel", minimum=1, maximum=max_kernel)
        stride = check_int(stride, "stride", minimum=1, maximum=max_stride)
        dilation = check_int(dilation, "dilation", minimum=1, maximum=max_dilation)
        spec = [(kernel, stride, dilation)] * layers
        rf = receptive_field(spec)
        (top, left, bh, bw), mask, fits = _field_on_image(spec, (h, wd))
        overlay.set_data(_tint(mask))
        box.set_bounds(left - 0.5, top - 0.5, bw, bh)
        heading.set_text(f"one unit sees {rf.size} x {rf.size} pixels")
        note = "" if fits else "\n\nlarger than the image:\nno valid output unit"
        table.set_text(rf.table() + note)
        for bar, height in zip(bars, [row.size for row in rf] + [0] * (max_layers - layers)):
            bar.set_height(min(height, 1.15 * h))
        share = min(rf.size, h) * min(rf.size, wd) / (h * wd)
        return (
            f"{layers} layer(s) of {kernel}x{kernel}, stride {stride}, dilation {dilation}: receptive field "
            f"{rf.size} x {rf.size} ({share:.0%} of the image); neighbouring units are {rf.jump} pixel(s) apart"
        )

    controls = {
        "layers": w.IntSlider(value=3, min=1, max=max_layers, description="layers"),
        "kernel": w.IntSlider(value=3, min=1, max=max_kernel, description="kernel"),
        "stride": w.IntSlider(value=1, min=1, max=max_stride, description="stride"),
        "dilation": w.IntSlider(value=1, min=1, max=max_dilation, description="dilation"),
    }
    out = explorer(controls, update, canvas, title="Receptive field of a stack of convolutions")
    out.update = update
    return out


class _Graph:
    """Fixed artists for an ``n``-input, ``n``-output graph with every possible edge; :meth:`paint` colours them."""

    def __init__(self, ax: Any, n: int, title: str) -> None:
        from matplotlib.collections import LineCollection

        self.n = n
        self.o, self.i = np.divmod(np.arange(n * n), n)  # every (output, input) pair
        seg = np.stack([np.stack([self.i, np.zeros(n * n)], 1), np.stack([self.o, np.ones(n * n)], 1)], 1).astype(float)
        self.lines = ax.add_collection(LineCollection(seg, zorder=1))
        xs = np.arange(n, dtype=float)
        self.nodes = ax.scatter(np.r_[xs, xs], np.r_[np.zeros(n), np.ones(n)], s=620, linewidths=1.5, zorder=3)
        for j in range(n):
            ax.text(j, 0, f"$x_{{{j + 1}}}$", ha="center", va="center", fontsize=12, zorder=4)
            ax.text(j, 1, f"$s_{{{j + 1}}}$", ha="center", va="center", fontsize=12, zorder=4)
        ax.set_xlim(-0.7, n - 0.3)
        ax.set_ylim(-0.3, 1.3)
        ax.set_axis_off()
        self.title = ax.set_title(title)

    def paint(self, conn: Connectivity, pick: str, index: int) -> np.ndarray:
        """Colour the edges of ``conn``; red for those of the picked unit. Returns the units it reaches."""
        from matplotlib.colors import to_rgba

        adj = conn.adjacency()[self.o, self.i]  # (n * n,) is this pair an edge?
        chosen = (self.o if pick == "output" else self.i) == index
        hot = adj & chosen
        colours = np.zeros((self.n * self.n, 4))
        colours[adj] = to_rgba(FAINT)
        colours[hot] = to_rgba(HIGHLIGHT)
        self.lines.set_color(colours)
        self.lines.set_linewidth(np.where(hot, 2.6, 1.0))
        reached = np.unique((self.i if pick == "output" else self.o)[hot])
        lit = np.zeros(2 * self.n, bool)
        lit[(reached if pick == "output" else self.n + reached)] = True
        lit[(self.n + index if pick == "output" else index)] = True
        self.nodes.set_facecolor(np.where(lit[:, None], to_rgba("#f4b6b6"), to_rgba(NODE)))
        self.nodes.set_edgecolor(np.where(lit[:, None], to_rgba(HIGHLIGHT), to_rgba("black")))
        return reached


def connectivity_explorer(n: int = 7, *, max_kernel: int | None = None) -> Any:
    """Pick an input ``x_i`` or an output ``s_i``: its connections under a convolution and under a matrix multiply.

    A 1-D layer of ``n`` units with ``padding='same'``; the kernel width is a
    slider. Drawn as in Goodfellow et al. figs 9.2 and 9.3. A tick only
    recolours existing lines.
    """
    import ipywidgets as w

    n = check_int(n, "n", minimum=2, maximum=16)
    max_kernel = n if max_kernel is None else check_int(max_kernel, "max_kernel", minimum=1, maximum=n)
    canvas = _fixed_canvas(figsize=(11.0, 2.9))
    conv_graph = _Graph(canvas.axes[0, 0], n, "convolution")
    dense_graph = _Graph(canvas.axes[0, 1], n, "matrix multiply")
    dense = dense_connectivity(n, n)
    canvas.fig.subplots_adjust(left=0.01, right=0.99, top=0.85, bottom=0.02, wspace=0.08)
    for graph, ax in ((conv_graph, canvas.axes[0, 0]), (dense_graph, canvas.axes[0, 1])):
        canvas.animate(graph.lines, graph.nodes, graph.title, *ax.texts)  # the labels sit on the nodes

    def update(kernel: int, pick: str, index: int) -> str:
        kernel = check_int(kernel, "kernel", minimum=1, maximum=max_kernel)
        pick = check_choice(pick, ("input", "output"), "pick")
        index = check_int(index, "index", minimum=1, maximum=n)  # 1-based, as x_1 ... x_n
        conv = connectivity(n, kernel, padding="same")
        i = index - 1
        near = conv_graph.paint(conv, pick, i)
        far = dense_graph.paint(dense, pick, i)
        conv_graph.title.set_text(f"convolution, kernel width {kernel}: {conv.n_edges} edges")
        dense_graph.title.set_text(f"matrix multiply: {dense.n_edges} edges")
        if pick == "input":
            return f"x_{index} affects {len(near)} output(s) of the convolution and all {len(far)} of the matrix multiply"
        return f"s_{index} sees {len(near)} input(s) through the convolution and all {len(far)} through the matrix multiply"

    controls = {
        "kernel": w.IntSlider(value=3, min=1, max=max_kernel, description="kernel"),
        "pick": w.ToggleButtons(options=[("input x_i", "input"), ("output s_i", "output")], value="input", description="pick"),
        "index": w.IntSlider(value=(n + 1) // 2, min=1, max=n, description="i"),
    }
    out = explorer(controls, update, canvas, title="Sparse connectivity: one unit's connections")
    out.update = update
    return out
