"""The pattern every widget in the collection follows.

A widget has three parts, so that tests can call the logic without a browser
and a slider tick never recompiles JAX code:

1. **State built once**: jitted cnnlib functions with fixed shapes (pad a
   kernel to the largest size a slider allows instead of changing its shape),
   and a :class:`Canvas` whose artists are created once.
2. **A plain update function** ``update(**values) -> str``: computes with the
   jitted functions, moves data into the existing artists (``set_data``,
   ``set_ydata``, ``set_text``) and returns the readout text (numbers shown
   under the figure). Tests call it directly.
3. :func:`explorer` wires ipywidgets controls to ``update`` and sends the
   canvas to the browser as a PNG in an ``ipywidgets.Image``: no ``Output``
   widget, no new figure per tick.

Widget cells in the notebooks start with ``# NBVAL_IGNORE_OUTPUT``.
"""
from __future__ import annotations

import html
import io

import numpy as np
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["Canvas", "explorer"]


class Canvas:
    """A matplotlib figure that lives as long as its widget.

    It is made without pyplot, so creating it never displays anything by
    itself; :meth:`png` renders it for the browser.

    Parameters
    ----------
    nrows, ncols : int
        Grid of axes, available as ``canvas.axes[i, j]`` (always 2-D).
    size : float
        Inches per panel (ignored when ``figsize`` is given).
    figsize : (float, float), optional
        Whole-figure size in inches.
    dpi : int
        Resolution of the PNG sent to the browser; modest keeps ticks fast.
    """

    def __init__(
        self,
        nrows: int = 1,
        ncols: int = 1,
        *,
        size: float = 3.2,
        figsize: tuple[float, float] | None = None,
        dpi: int = 96,
        **subplot_kw: Any,
    ) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=figsize or (size * ncols, size * nrows), dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.axes = self.fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)

        self._frames = 0

    def png(self) -> bytes:
        """The figure as PNG bytes, as the browser receives it.

        The first frame is laid out (if the figure has a layout engine) and
        compressed well: it is the one stored in the notebook. Then the layout
        is frozen, so a tick never pays for a layout pass, and later frames are
        encoded with light compression, which is several times faster.
        """
        buf = io.BytesIO()
        if self._frames == 0:
            self.fig.canvas.print_png(buf)
            try:
                self.fig.set_layout_engine("none")  # keep the positions the first layout found
            except RuntimeError:  # a colour bar can pin the engine; then it keeps running
                pass
        else:
            from PIL import Image

            self.fig.canvas.draw()
            rgba = np.asarray(self.fig.canvas.buffer_rgba())  # (H, W, 4) uint8
            Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=1)
        self._frames += 1
        return buf.getvalue()


def explorer(
    controls: Mapping[str, Any],
    update: Callable[..., str | None],
    canvas: Canvas,
    *,
    title: str | None = None,
    continuous: bool = False,
):
    """Wire ipywidgets ``controls`` to ``update`` and show ``canvas`` as an image.

    Parameters
    ----------
    controls : mapping of keyword -> ipywidgets control
        ``update`` is called as ``update(**{name: control.value})``.
    update : callable
        The plain update function (see the module docstring). It returns the
        readout text, shown as a line of text under the figure, or ``None``.
    canvas : Canvas
        The figure ``update`` draws into.
    title : str, optional
        A heading above the controls.
    continuous : bool
        Redraw while a slider is dragged (default: when it is released).

    Returns
    -------
    ipywidgets.VBox
        With ``.refresh()`` to redraw with the current values, and
        ``.controls``, ``.image``, ``.readout`` for tests.
    """
    import ipywidgets as w

    image = w.Image(format="png", layout=w.Layout(max_width="100%", height="auto", align_self="flex-start"))
    readout = w.HTML(layout=w.Layout(min_height="1.6em"))
    for control in controls.values():
        if hasattr(control, "continuous_update"):
            control.continuous_update = continuous

    def refresh(_change: Any = None) -> None:
        values = {name: control.value for name, control in controls.items()}
        try:
            text = update(**values)
        except Exception as err:  # show the student what went wrong, in the widget
            readout.value = f"<span style='color:#b00'>{html.escape(type(err).__name__)}: {html.escape(str(err))}</span>"
            raise
        image.value = canvas.png()
        readout.value = f"<code>{html.escape(text)}</code>" if text else ""

    for control in controls.values():
        control.observe(refresh, names="value")

    children = []
    if title:
        children.append(w.HTML(f"<b>{html.escape(title)}</b>"))
    children.append(w.HBox(list(controls.values()), layout=w.Layout(flex_flow="row wrap")))
    children.extend([image, readout])
    box = w.VBox(children)
    box.controls = dict(controls)
    box.image = image
    box.readout = readout
    box.canvas = canvas
    box.refresh = refresh
    refresh()
    return box
