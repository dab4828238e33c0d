"""Notebook 02's pictures: where a window slides, and where one shared weight is used.

* :class:`SlidingWindow` draws a padded input grid with the current window and
  the output grid with the cell that window produces; :func:`stride_figure`
  shows several cases side by side (the static figure) and
  :func:`stride_explorer` puts sliders on one (the widget).
* :class:`WeightSharingView` (drawn by :func:`draw_weight_sharing`) shows a
  2x2 kernel on a 3x3 input as a graph (inputs below, outputs above) with
  every use of one weight highlighted, next to the input grid with the four
  windows; :func:`weight_sharing_explorer` lets you pick the weight.

Nothing here runs JAX: a slider tick is plain index arithmetic
(:func:`cnnlib.conv_output_size` and NumPy), so it compiles nothing.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validate import check_int, check_positive_int
from ..conv import conv_output_size
from ..receptive import connectivity, dense_connectivity
from ._core import Canvas, explorer

__all__ = [
    "SlidingWindow",
    "stride_figure",
    "stride_explorer",
    "WeightSharingView",
    "draw_weight_sharing",
    "weight_sharing_figure",
    "weight_sharing_explorer",
]

HIGHLIGHT = "#d62728"  # red: the current window, the chosen weight
BLANK = (1.0, 1.0, 1.0)
INPUT = (0.80, 0.88, 0.96)  # light blue: input pixels
PADDING = (0.86, 0.86, 0.86)  # grey: the zeros of the padding
MISSED = (0.99, 0.80, 0.55)  # orange: input pixels no window ever reads
OUTPUT = (0.78, 0.92, 0.78)  # light green: output cells
WEIGHT_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd")


def output_size(n: int, k: int, padding: int, stride: int) -> int:
    """``(N - K + 2P)/S + 1`` rounded down, via :func:`cnnlib.conv_output_size` (0 if the kernel does not fit)."""
    if n + 2 * padding < k:
        return 0
    return conv_output_size(n, k, stride=stride, padding=padding)


class SlidingWindow:
    """Fixed artists on two axes: the padded input with a window, and the output grid.

    Parameters
    ----------
    ax_in, ax_out : matplotlib Axes
        Where the input and the output grids go.
    max_side : int
        The largest padded input side the view will show (fixes the image size,
        so :meth:`show` only moves data into existing artists).
    """

    def __init__(self, ax_in: Any, ax_out: Any, max_side: int) -> None:
        from matplotlib.collections import LineCollection
        from matplotlib.patches import Rectangle

        self.m = int(max_side)
        blank = np.ones((self.m, self.m, 3))
        self.ax_in, self.ax_out = ax_in, ax_out
        self.grid_in = ax_in.imshow(blank, interpolation="nearest")
        self.grid_out = ax_out.imshow(blank, interpolation="nearest")
        self.lines_in = ax_in.add_collection(LineCollection([], colors="white", linewidths=1.0))
        self.lines_out = ax_out.add_collection(LineCollection([], colors="white", linewidths=1.0))
        self.centres = ax_in.scatter([], [], s=14, c="black", zorder=3)
        self.window = ax_in.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=3, zorder=4))
        self.cell = ax_out.add_patch(Rectangle((0, 0), 1, 1, fill=True, facecolor=HIGHLIGHT, alpha=0.8, zorder=4))
        for ax in (ax_in, ax_out):
            ax.set_xlim(-0.5, self.m - 0.5)
            ax.set_ylim(self.m - 0.5, -0.5)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_aspect("equal")
            for spine in ax.spines.values():
                spine.set_visible(False)
        self.title_in = ax_in.set_title("", loc="left")
        self.title_out = ax_out.set_title("", loc="left")

    @staticmethod
    def _gridlines(side: int) -> list:
        edges = np.arange(side + 1) - 0.5
        return [[(e, -0.5), (e, side - 0.5)] for e in edges] + [[(-0.5, e), (side - 0.5, e)] for e in edges]

    def show(self, n: int, k: int, padding: int, stride: int, step: int = 0) -> dict[str, Any]:
        """Draw an ``n x n`` input, ``k x k`` window, zero padding ``padding``, stride ``stride``.

        ``step`` picks the window (row-major, wrapping around). Returns the
        numbers the readout needs: ``out`` (output side), ``row``, ``col`` (the
        output cell), ``top``, ``left`` (the window's corner in padded
        coordinates), ``steps`` and ``missed`` (input pixels no window reads).
        """
        side = n + 2 * padding
        out = output_size(n, k, padding, stride)
        rgb = np.ones((self.m, self.m, 3))
        rgb[:side, :side] = PADDING
        rgb[padding : padding + n, padding : padding + n] = INPUT
        read = np.zeros(side, bool)  # rows (and columns) some window reads
        for start in range(0, out * stride, stride):
            read[start : start + k] = True  # with stride > k the rows between windows stay unread
        covered = np.outer(read, read)
        missed_mask = np.zeros((side, side), bool)
        missed_mask[padding : padding + n, padding : padding + n] = ~covered[padding : padding + n, padding : padding + n]
        rgb[:side, :side][missed_mask] = MISSED
        self.grid_in.set_data(rgb)
        self.lines_in.set_segments(self._gridlines(side))
        steps = max(out * out, 1)
        step = int(step) % steps
        row, col = divmod(step, out) if out else (0, 0)
        top, left = row * stride, col * stride
        grid = np.arange(out) * stride + (k - 1) / 2
        cy, cx = np.meshgrid(grid, grid, indexing="ij")
        self.centres.set_offsets(np.stack([cx.ravel(), cy.ravel()], axis=1) if out else np.zeros((0, 2)))
        self.window.set_visible(bool(out))
        self.window.set_bounds(left - 0.5, top - 0.5, k, k)
        rgb_out = np.ones((self.m, self.m, 3))
        rgb_out[:out, :out] = OUTPUT
        self.grid_out.set_data(rgb_out)
        self.lines_out.set_segments(self._gridlines(out) if out else [])
        self.cell.set_visible(bool(out))
        self.cell.set_bounds(col - 0.5, row - 0.5, 1, 1)
        self.title_in.set_text(f"input {n}x{n}, padding {padding}")
        self.title_out.set_text(f"output {out}x{out}")
        return {"out": out, "row": row, "col": col, "top": top, "left": left, "steps": steps, "missed": int(missed_mask.sum())}


def _readout(n: int, k: int, padding: int, stride: int, info: dict[str, Any]) -> str:
    out = info["out"]
    if not out:
        return f"the {k}x{k} window does not fit in the padded {n + 2 * padding}x{n + 2 * padding} input: no output"
    exact = (n - k + 2 * padding) % stride == 0
    text = (
        f"({n} - {k} + 2*{padding})/{stride} + 1 = {out}{'' if exact else ' (rounded down)'}: output {out}x{out}; "
        f"window {info['row'] * out + info['col'] + 1} of {out * out} -> output cell ({info['row'] + 1}, {info['col'] + 1})"
    )
    if info["missed"]:
        text += f"; {info['missed']} input pixels (orange) are never read"
    return text


def _fixed_canvas(nrows: int, ncols: int, **kwargs: Any) -> Canvas:
    import matplotlib

    with matplotlib.rc_context({"figure.constrained_layout.use": False}):
        return Canvas(nrows, ncols, **kwargs)


def stride_explorer(*, max_n: int = 9, max_kernel: int = 5, max_padding: int = 2, max_stride: int = 3):
    """Sliders for input size N, kernel size K, padding P, stride S and the window's step.

    The left panel is the padded input (grey: zeros of the padding; orange:
    pixels no window reaches; dots: the centre of every window position), the
    red square the current window; the right panel the output grid with the
    cell that window computes. The readout evaluates ``(N - K + 2P)/S + 1``.

    Returns
    -------
    ipywidgets.VBox
        See :func:`cnnlib.widgets.explorer`; ``.update(n, k, padding, stride, step)``
        is the plain update function.
    """
    import ipywidgets as w

    max_n = check_positive_int(max_n, "max_n")
    max_kernel = check_positive_int(max_kernel, "max_kernel")
    max_padding = check_int(max_padding, "max_padding", minimum=0)
    max_stride = check_positive_int(max_stride, "max_stride")
    side = max_n + 2 * max_padding
    canvas = _fixed_canvas(1, 2, figsize=(9.0, 4.6))
    canvas.fig.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.02, wspace=0.08)
    view = SlidingWindow(canvas.axes[0, 0], canvas.axes[0, 1], side)
    canvas.animate(view.grid_in, view.grid_out, view.lines_in, view.lines_out, view.centres, view.window, view.cell,
                   view.title_in, view.title_out)

    def update(n: int, k: int, padding: int, stride: int, step: int) -> str:
        n = check_int(n, "n", minimum=1, maximum=max_n)
        k = check_int(k, "k", minimum=1, maximum=max_kernel)
        padding = check_int(padding, "padding", minimum=0, maximum=max_padding)
        stride = check_int(stride, "stride", minimum=1, maximum=max_stride)
        step = check_int(step, "step", minimum=0)
        info = view.show(n, k, padding, stride, step)
        return _readout(n, k, padding, stride, info)

    controls = {
        "n": w.IntSlider(value=7, min=1, max=max_n, description="N (input)"),
        "k": w.IntSlider(value=3, min=1, max=max_kernel, description="K (kernel)"),
        "padding": w.IntSlider(value=0, min=0, max=max_padding, description="P (padding)"),
        "stride": w.IntSlider(value=2, min=1, max=max_stride, description="S (stride)"),
        "step": w.IntSlider(value=0, min=0, max=side * side - 1, description="window"),
    }
    box = explorer(controls, update, canvas, title="Sliding a window: (N - K + 2P)/S + 1")
    box.update = update
    return box


def stride_figure(cases: Sequence[tuple[int, int, int, int]] = ((7, 3, 0, 1), (7, 3, 0, 2), (7, 3, 1, 1), (7, 3, 1, 2)), *, step: int = 0):
    """A static grid of :class:`SlidingWindow` views, one row per ``(N, K, P, S)`` case.

    Returns the matplotlib Figure (made with pyplot, so a notebook shows it).
    """
    import matplotlib.pyplot as plt

    cases = [tuple(int(v) for v in case) for case in cases]
    side = max(n + 2 * p for n, _, p, _ in cases)
    ncols = 2 * min(len(cases), 2)
    nrows = -(-len(cases) // 2)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.3 * ncols, 2.5 * nrows), squeeze=False,
                             gridspec_kw={"width_ratios": [1.0, 1.0] * (ncols // 2)})
    for i, (n, k, p, s) in enumerate(cases):
        r, c = divmod(i, 2)
        view = SlidingWindow(axes[r, 2 * c], axes[r, 2 * c + 1], side)
        info = view.show(n, k, p, s, step)
        view.title_in.set_text(f"N={n}, K={k}, P={p}, S={s}")
        view.title_out.set_text(f"-> {info['out']}x{info['out']}")
    for ax in axes.ravel()[2 * len(cases):]:
        ax.set_axis_off()
    return fig


# ---------------------------------------------------------------- one weight, many uses


def _kernel_label(w_index: int, kshape: tuple[int, int]) -> str:
    a, b = divmod(w_index, kshape[1])
    return f"$w_{{{a + 1}{b + 1}}}$"


class WeightSharingView:
    """Fixed artists for a ``k x k`` kernel on an ``n x n`` input: the layer's graph and the input grid.

    :meth:`show` highlights every use of one weight by moving data into these
    artists (edge colours, label positions, the tinted cells), so the widget
    never rebuilds its axes.

    The graph comes from :func:`cnnlib.connectivity` (edge colour = which of
    the ``k*k`` weights it uses); the grid shows the input pixel that the
    chosen weight multiplies in each window.
    """

    def __init__(self, ax_graph: Any, ax_grid: Any, *, n: int = 3, k: int = 2) -> None:
        from matplotlib.collections import LineCollection
        from matplotlib.patches import Rectangle

        self.n, self.k = check_positive_int(n, "n"), check_positive_int(k, "k")
        if self.k > self.n:
            raise ValueError(f"`k` must be at most `n` = {self.n} (the kernel must fit); got {self.k}.")
        self.conn = connectivity((self.n, self.n), (self.k, self.k))
        self.dense = dense_connectivity(self.n * self.n, self.conn.n_outputs)
        o, i, self.weight_of_edge = self.conn.edges.T
        xin = np.arange(self.conn.n_inputs, dtype=float)
        xout = np.linspace(0, self.conn.n_inputs - 1, self.conn.n_outputs + 2)[1:-1]
        self.segments = np.stack([np.stack([xin[i], np.zeros(len(i))], 1), np.stack([xout[o], np.ones(len(o))], 1)], 1)
        self.edge_colours = np.array([WEIGHT_COLOURS[v % len(WEIGHT_COLOURS)] for v in self.weight_of_edge])
        self.cold = ax_graph.add_collection(LineCollection([], linewidths=1.0, alpha=0.35))
        self.hot = ax_graph.add_collection(LineCollection([], linewidths=3.5))
        self.nodes, self.node_labels = [], []
        for xs, y, prefix, shape in ((xin, 0.0, "x", self.conn.input_shape), (xout, 1.0, "s", self.conn.output_shape)):
            self.nodes.append(ax_graph.scatter(xs, np.full_like(xs, y), s=560, c="white", edgecolors="black", zorder=3))
            for j, x in enumerate(xs):
                r, c = np.unravel_index(j, shape)
                label = ax_graph.text(x, y, f"${prefix}_{{{r + 1}{c + 1}}}$", ha="center", va="center", fontsize=11, zorder=4)
                self.node_labels.append(label)
        # Each weight is used once per output, so there are as many highlighted edges as outputs.
        self.edge_labels = [
            ax_graph.text(0, 0, "", fontsize=11, ha="center", va="center",
                          bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5}, zorder=5)
            for _ in range(self.conn.n_outputs)
        ]
        ax_graph.set_xlim(-0.7, self.conn.n_inputs - 0.3)
        ax_graph.set_ylim(-0.3, 1.3)
        ax_graph.set_axis_off()
        self.title = ax_graph.set_title("")
        # the input grid: the pixel under the chosen weight in each window
        ax_grid.imshow(np.ones((self.n, self.n, 3)) * np.array(INPUT), interpolation="nearest")
        rows, cols = self.conn.output_shape
        self.cells = [ax_grid.add_patch(Rectangle((0, 0), 0.9, 0.9, alpha=0.35)) for _ in range(rows * cols)]
        self.cell_labels = [ax_grid.text(0, 0, "", ha="center", va="center", fontsize=11) for _ in range(rows * cols)]
        ax_grid.set_xticks(range(self.n), [str(j + 1) for j in range(self.n)])
        ax_grid.set_yticks(range(self.n), [str(j + 1) for j in range(self.n)])
        ax_grid.set_xlim(-0.5, self.n - 0.5)
        ax_grid.set_ylim(self.n - 0.5, -0.5)
        for e in np.arange(self.n + 1) - 0.5:
            ax_grid.axhline(e, color="white", linewidth=2)
            ax_grid.axvline(e, color="white", linewidth=2)
        ax_grid.set_title("the pixels it multiplies")

    @property
    def changing(self) -> list[Any]:
        """The artists :meth:`show` changes, and those drawn over them (for :meth:`Canvas.animate`)."""
        return [self.cold, self.hot, *self.nodes, *self.node_labels, *self.edge_labels, self.title,
                *self.cells, *self.cell_labels]

    def show(self, weight: int) -> dict[str, int]:
        """Highlight every use of weight ``weight`` (row-major index into the kernel).

        Returns
        -------
        dict
            ``uses`` (edges carrying the weight), ``weights`` (distinct weights of
            the convolution) and ``dense_weights`` (a dense layer with the same
            inputs and outputs).
        """
        weight = check_int(weight, "weight", minimum=0, maximum=self.k * self.k - 1)
        colour = WEIGHT_COLOURS[weight % len(WEIGHT_COLOURS)]
        name = _kernel_label(weight, (self.k, self.k))
        hot = self.weight_of_edge == weight
        self.cold.set_segments(self.segments[~hot])
        self.cold.set_color(list(self.edge_colours[~hot]))
        self.hot.set_segments(self.segments[hot])
        self.hot.set_color(colour)
        for label, ((x0, y0), (x1, y1)) in zip(self.edge_labels, self.segments[hot]):  # in the middle of each edge
            label.set_position((0.6 * x0 + 0.4 * x1, 0.6 * y0 + 0.4 * y1))
            label.set_text(name)
            label.set_color(colour)
        self.title.set_text(f"{name} is used {int(hot.sum())} times")
        a, b = divmod(weight, self.k)
        positions = np.ndindex(*self.conn.output_shape)
        for cell, label, (r, c) in zip(self.cells, self.cell_labels, positions):
            cell.set_xy((c + b - 0.45, r + a - 0.45))
            cell.set_facecolor(colour)
            label.set_position((c + b, r + a))
            label.set_text(f"$x_{{{r + a + 1}{c + b + 1}}}$\nfor $s_{{{r + 1}{c + 1}}}$")
        return {"uses": int(hot.sum()), "weights": self.conn.n_weights, "dense_weights": self.dense.n_weights}


def draw_weight_sharing(ax_graph: Any, ax_grid: Any, weight: int = 0, *, n: int = 3, k: int = 2) -> dict[str, int]:
    """Highlight every use of one kernel weight: on the layer's graph and on the input grid.

    Draws a :class:`WeightSharingView` on the two axes and shows ``weight``;
    returns what :meth:`WeightSharingView.show` returns.
    """
    return WeightSharingView(ax_graph, ax_grid, n=n, k=k).show(weight)


def weight_sharing_figure(weight: int = 0):
    """Static figure: :func:`draw_weight_sharing` for one weight (default ``w_11``)."""
    import matplotlib.pyplot as plt

    fig, (ax_graph, ax_grid) = plt.subplots(1, 2, figsize=(10.5, 3.4), gridspec_kw={"width_ratios": [2.4, 1]})
    draw_weight_sharing(ax_graph, ax_grid, weight)
    return fig


def weight_sharing_explorer():
    """Pick one of the four weights of a 2x2 kernel; see its four uses on a 3x3 input."""
    import ipywidgets as w

    canvas = _fixed_canvas(1, 2, figsize=(10.5, 3.4), gridspec_kw={"width_ratios": [2.4, 1]})
    canvas.fig.subplots_adjust(left=0.02, right=0.98, top=0.86, bottom=0.08, wspace=0.1)
    view = WeightSharingView(*canvas.axes[0])
    canvas.animate(*view.changing)

    def update(weight: int) -> str:
        info = view.show(weight)
        return (f"{_kernel_label(weight, (2, 2)).strip('$')} multiplies {info['uses']} pixels; the layer has "
                f"{info['weights']} weights, a dense layer would have {info['dense_weights']}")

    options = [(f"w{a + 1}{b + 1}", 2 * a + b) for a in range(2) for b in range(2)]
    controls = {"weight": w.Dropdown(options=options, value=0, description="weight")}
    box = explorer(controls, update, canvas, title="One weight, four uses")
    box.update = update
    return box
