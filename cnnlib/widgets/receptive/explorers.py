"""Notebook 01's explorers: the receptive field of a stack on an image, and one unit's connections.

Pattern of :mod:`cnnlib.widgets._core`; nothing here calls JAX, so a tick
compiles nothing. What a tick redraws is kept small: the table's header, the
"image side" mark and the node labels' backgrounds are static, the footprint
tint is a uint8 image drawn without smoothing, the matrix multiply's title is static.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..._validate import check_choice, check_int
from ...receptive.connectivity import Connectivity, connectivity, dense_connectivity
from ...receptive.stacks import receptive_field
from .._core import Canvas, explorer
from .drawing import FAINT, HIGHLIGHT, NODE, _field_on_image, _image

__all__ = ["receptive_field_explorer", "connectivity_explorer"]

#: The largest slider ranges a receptive-field explorer accepts (a bar per layer; kernel, stride, dilation).
MAX_LAYERS, MAX_SIZE = 32, 1024


def _tint_u8(mask: np.ndarray) -> np.ndarray:
    """The footprint tint as uint8 RGBA (orange, partly transparent): no float conversion per tick."""
    rgba = np.zeros(mask.shape + (4,), np.uint8)
    rgba[mask] = (255, 153, 0, 153)
    return rgba


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

    img = _image(img)
    max_layers = check_int(max_layers, "max_layers", minimum=1, maximum=MAX_LAYERS)
    max_kernel = check_int(max_kernel, "max_kernel", minimum=1, maximum=MAX_SIZE)
    max_stride = check_int(max_stride, "max_stride", minimum=1, maximum=MAX_SIZE)
    max_dilation = check_int(max_dilation, "max_dilation", minimum=1, maximum=MAX_SIZE)
    h, wd = img.shape
    canvas = Canvas(1, 2, fixed_layout=True, figsize=(10.5, 5.0), gridspec_kw={"width_ratios": [1, 1.0]})
    ax, ax_table = canvas.axes[0]
    ax.imshow(img, cmap="gray")
    overlay = ax.imshow(_tint_u8(np.zeros(img.shape, bool)), interpolation="nearest")
    box = ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5))
    ax.set_xlim(-0.5, wd - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    heading = ax.set_title("")
    ax_table.set_axis_off()
    header, _ = receptive_field([1]).table().split("\n")
    ax_table.text(0.0, 1.0, header, family="monospace", fontsize=11, va="top", ha="left", transform=ax_table.transAxes)
    table = ax_table.text(0.0, 1.0, "", family="monospace", fontsize=11, va="top", ha="left", transform=ax_table.transAxes)
    canvas.fig.subplots_adjust(left=0.02, right=0.99, top=0.9, bottom=0.03, wspace=0.05)
    ax_bars = canvas.fig.add_axes((0.60, 0.12, 0.37, 0.38))  # below the table
    bars = ax_bars.bar(np.arange(1, max_layers + 1), np.zeros(max_layers), color=HIGHLIGHT)
    ax_bars.axhline(h, color="black", linestyle="--", linewidth=1, zorder=0.5)  # static, under the bars
    ax_bars.text(0.6, h, "image side", va="bottom", fontsize=10, zorder=0.5)
    ax_bars.set_ylim(0, 1.15 * h)
    ax_bars.set_xticks(np.arange(1, max_layers + 1))
    ax_bars.set_xlabel("layer")
    ax_bars.set_ylabel("receptive field (px)")
    canvas.animate(overlay, box, heading, table, *bars)  # what a tick changes

    def update(layers: int, kernel: int, stride: int, dilation: int) -> str:
        layers = check_int(layers, "layers", minimum=1, maximum=max_layers)
        kernel = check_int(kernel, "kernel", minimum=1, maximum=max_kernel)
        stride = check_int(stride, "stride", minimum=1, maximum=max_stride)
        dilation = check_int(dilation, "dilation", minimum=1, maximum=max_dilation)
        spec = [(kernel, stride, dilation)] * layers
        rf = receptive_field(spec)
        (top, left, bh, bw), mask, fits = _field_on_image(spec, (h, wd))
        overlay.set_data(_tint_u8(mask))
        box.set_bounds(left - 0.5, top - 0.5, bw, bh)
        heading.set_text(f"one unit sees {rf.size} x {rf.size} pixels")
        note = "" if fits else "\n\nlarger than the image:\nno valid output unit"
        table.set_text("\n" + rf.table().split("\n", 1)[1] + note)  # under the static header
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
        for j in range(n):  # drawn every tick (they sit on the nodes); the canvas draws them from its text cache
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
    canvas = Canvas(1, 2, fixed_layout=True, figsize=(11.0, 2.9))
    conv_graph = _Graph(canvas.axes[0, 0], n, "convolution")
    dense_graph = _Graph(canvas.axes[0, 1], n, "matrix multiply")
    dense = dense_connectivity(n, n)
    dense_graph.title.set_text(f"matrix multiply: {dense.n_edges} edges")  # never changes: static
    canvas.fig.subplots_adjust(left=0.01, right=0.99, top=0.85, bottom=0.02, wspace=0.08)
    canvas.animate(conv_graph.title)
    for graph, ax in ((conv_graph, canvas.axes[0, 0]), (dense_graph, canvas.axes[0, 1])):
        canvas.animate(graph.lines, graph.nodes, *[t for t in ax.texts if t is not graph.title])  # labels sit on nodes

    def update(kernel: int, pick: str, index: int) -> str:
        kernel = check_int(kernel, "kernel", minimum=1, maximum=max_kernel)
        pick = check_choice(pick, ("input", "output"), "pick")
        index = check_int(index, "index", minimum=1, maximum=n)  # 1-based, as x_1 ... x_n
        conv = connectivity(n, kernel, padding="same")
        i = index - 1
        near = conv_graph.paint(conv, pick, i)
        far = dense_graph.paint(dense, pick, i)
        conv_graph.title.set_text(f"convolution, kernel width {kernel}: {conv.n_edges} edges")
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
