"""Notebook 02's pictures: where a window slides, and where one shared weight is used.

* :class:`SlidingWindow` draws a padded input grid with the current window and
  the output grid with the cell that window produces; :func:`stride_figure`
  shows several cases side by side (the static figure) and
  :func:`stride_explorer` puts sliders on one (the widget).
* :class:`WeightSharingView` (drawn by :func:`draw_weight_sharing`) shows a
  2x2 kernel on a 3x3 input as a graph (inputs below, outputs above) with
  every use of one weight highlighted, next to the input grid with the four
  windows; :func:`weight_sharing_explorer` lets you pick the weight. (In
  :mod:`cnnlib.widgets.weight_sharing`, re-exported here.)

Nothing here runs JAX: a slider tick is plain index arithmetic
(:func:`cnnlib.conv_output_size` and NumPy), so it compiles nothing.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validate import check_int, describe
from ..conv import conv_output_size
from ._core import Canvas, explorer
# The weight-sharing views live in their own file; re-exported here (notebook 02 uses both from this module).
from .weight_sharing import WeightSharingView, draw_weight_sharing, weight_sharing_explorer, weight_sharing_figure  # noqa: F401

__all__ = [
    "SlidingWindow",
    "stride_figure",
    "stride_explorer",
    "WeightSharingView",
    "draw_weight_sharing",
    "weight_sharing_figure",
    "weight_sharing_explorer",
]

#: The largest input side, kernel, padding and stride the stride views draw (a grid of cells, not an image).
MAX_SIDE, MAX_KERNEL, MAX_PADDING, MAX_STRIDE = 32, 16, 8, 16

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

    max_n = check_int(max_n, "max_n", minimum=1, maximum=MAX_SIDE)
    max_kernel = check_int(max_kernel, "max_kernel", minimum=1, maximum=MAX_KERNEL)
    max_padding = check_int(max_padding, "max_padding", minimum=0, maximum=MAX_PADDING)
    max_stride = check_int(max_stride, "max_stride", minimum=1, maximum=MAX_STRIDE)
    side = max_n + 2 * max_padding
    canvas = Canvas(1, 2, fixed_layout=True, figsize=(9.0, 4.6))
    canvas.fig.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.02, wspace=0.08)
    view = SlidingWindow(canvas.axes[0, 0], canvas.axes[0, 1], side)
    canvas.animate(view.grid_in, view.grid_out, view.lines_in, view.lines_out, view.centres, view.window, view.cell,
                   view.title_in, view.title_out)

    def update(n: int, k: int, padding: int, stride: int, step: int) -> str:
        n = check_int(n, "n", minimum=1, maximum=max_n)
        k = check_int(k, "k", minimum=1, maximum=max_kernel)
        padding = check_int(padding, "padding", minimum=0, maximum=max_padding)
        stride = check_int(stride, "stride", minimum=1, maximum=max_stride)
        step = check_int(step, "step", minimum=0, maximum=side * side - 1)
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


def _check_cases(cases: Any) -> list[tuple[int, int, int, int]]:
    """A non-empty list of (N, K, P, S) cases that the views can draw, each a window that fits."""
    if not isinstance(cases, (list, tuple)) or not cases or len(cases) > 16:
        raise ValueError(f"`cases` must be a list of 1 to 16 (N, K, P, S) tuples; got {describe(cases)}.")
    out = []
    for case in cases:
        if not isinstance(case, (list, tuple)) or len(case) != 4:
            raise ValueError(f"`cases` must hold (N, K, P, S) tuples of 4 integers; got {describe(case)}.")
        n = check_int(case[0], "cases", minimum=1, maximum=MAX_SIDE)
        k = check_int(case[1], "cases", minimum=1, maximum=MAX_KERNEL)
        p = check_int(case[2], "cases", minimum=0, maximum=MAX_PADDING)
        s = check_int(case[3], "cases", minimum=1, maximum=MAX_STRIDE)
        if k > n + 2 * p:
            raise ValueError(f"`cases`: the {k}x{k} window does not fit the padded {n + 2 * p}x{n + 2 * p} input in {describe(case)}.")
        out.append((n, k, p, s))
    return out


def stride_figure(cases: Sequence[tuple[int, int, int, int]] = ((7, 3, 0, 1), (7, 3, 0, 2), (7, 3, 1, 1), (7, 3, 1, 2)), *, step: int = 0):
    """A static grid of :class:`SlidingWindow` views, one row per ``(N, K, P, S)`` case.

    Returns the matplotlib Figure (made with pyplot, so a notebook shows it).
    """
    import matplotlib.pyplot as plt

    cases = _check_cases(cases)
    step = check_int(step, "step", minimum=0)
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
