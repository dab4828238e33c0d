"""Notebook 02's weight-sharing picture: one kernel weight and every place it is used.

:class:`WeightSharingView` (drawn by :func:`draw_weight_sharing`) shows a 2x2
kernel on a 3x3 input as a graph (inputs below, outputs above) with every use
of one weight highlighted, next to the input grid with the four windows;
:func:`weight_sharing_explorer` lets you pick the weight. Re-exported by
:mod:`cnnlib.widgets.sharing`. Nothing here runs JAX.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import check_int
from ..receptive import connectivity, dense_connectivity
from ._core import Canvas, explorer

__all__ = ["WeightSharingView", "draw_weight_sharing", "weight_sharing_figure", "weight_sharing_explorer"]

INPUT = (0.80, 0.88, 0.96)  # light blue: input pixels
WEIGHT_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd")
#: The largest input side the graph draws (n*n input nodes in a row).
MAX_N = 6


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

        self.n = check_int(n, "n", minimum=1, maximum=MAX_N)
        self.k = check_int(k, "k", minimum=1)
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

    weight = check_int(weight, "weight", minimum=0, maximum=3)
    fig, (ax_graph, ax_grid) = plt.subplots(1, 2, figsize=(10.5, 3.4), gridspec_kw={"width_ratios": [2.4, 1]})
    draw_weight_sharing(ax_graph, ax_grid, weight)
    return fig


def weight_sharing_explorer():
    """Pick one of the four weights of a 2x2 kernel; see its four uses on a 3x3 input."""
    import ipywidgets as w

    canvas = Canvas(1, 2, fixed_layout=True, figsize=(10.5, 3.4), gridspec_kw={"width_ratios": [2.4, 1]})
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
