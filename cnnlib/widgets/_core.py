"""The pattern every widget in the collection follows.

A widget has three parts, so that tests can call the logic without a browser
and a slider tick never recompiles JAX code:

1. **State built once**: jitted cnnlib functions with fixed shapes (pad a
   kernel to the largest size a slider allows instead of changing its shape),
   and a :class:`Canvas` whose artists are created once. The artists that a
   tick changes are registered with :meth:`Canvas.animate`; everything else
   (axes, ticks, labels, fixed images) is drawn once and reused.
2. **A plain update function** ``update(**values) -> str``: computes with the
   jitted functions, moves data into the existing artists (``set_data``,
   ``set_ydata``, ``set_text``) and returns the readout text (numbers shown
   under the figure). Tests call it directly. When it changes the static part
   of the figure (tick labels set by hand, an artist that is not animated)
   it calls :meth:`Canvas.invalidate`; new axis limits are noticed without.
3. :func:`explorer` wires ipywidgets controls to ``update`` and sends the
   canvas to the browser as a PNG in an ``ipywidgets.Image``: no ``Output``
   widget, no new figure per tick.

Widget cells in the notebooks start with ``# NBVAL_IGNORE_OUTPUT``.
"""
from __future__ import annotations

import html
import io

import numpy as np
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._validate import check_bool, check_positive_int, check_real, describe

__all__ = ["Canvas", "explorer"]


class Canvas:
    """A matplotlib figure that lives as long as its widget, redrawn by blitting.

    Made without pyplot, it never displays itself; :meth:`png` renders it.

    Most of a widget's figure never changes: axes, tick labels, titles, a fixed
    input image. Rendering that text is most of the cost of a full redraw, so
    a widget registers the artists its update function changes with
    :meth:`animate`. The first frame draws the static rest once and keeps it
    as a bitmap; every later frame restores that bitmap and draws only the
    animated artists on top (matplotlib's blitting). A canvas with no animated
    artists is redrawn in full every frame. Text is drawn from a cache of
    rendered strings (:mod:`cnnlib.widgets._text`): a slider revisits values.

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
    fixed_layout : bool
        No layout engine, whatever the rcParams say: the widget places its
        axes itself (``fig.subplots_adjust``, ``ax.set_position``).
    **subplot_kw
        Passed on to :meth:`matplotlib.figure.Figure.subplots`, e.g.
        ``gridspec_kw={"width_ratios": [2, 1]}`` or ``subplot_kw={"projection": "polar"}``.
    """

    def __init__(
        self,
        nrows: int = 1,
        ncols: int = 1,
        *,
        size: float = 3.2,
        figsize: tuple[float, float] | None = None,
        dpi: int = 96,
        fixed_layout: bool = False,
        **subplot_kw: Any,
    ) -> None:
        from matplotlib.figure import Figure

        from ._text import TextCachingCanvas

        nrows, ncols = check_positive_int(nrows, "nrows"), check_positive_int(ncols, "ncols")
        size = check_real(size, "size", minimum=0.0, min_inclusive=False)
        dpi = check_positive_int(dpi, "dpi")
        if figsize is not None:
            if isinstance(figsize, (str, bytes)) or not isinstance(figsize, Sequence) or len(figsize) != 2:
                raise TypeError(f"`figsize` must be a pair (width, height) in inches; got {describe(figsize)}.")
            figsize = tuple(check_real(v, "figsize", minimum=0.0, min_inclusive=False) for v in figsize)
        self.fig = Figure(figsize=figsize or (size * ncols, size * nrows), dpi=dpi,
                          layout="none" if check_bool(fixed_layout, "fixed_layout") else None)
        TextCachingCanvas(self.fig)  # Agg, with text drawn from a cache of rendered strings
        self.axes = self.fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)

        self._frames = 0
        self._animated: list[Any] = []
        self._background: Any = None
        self._layout: Any = None
        self._blit = True

    def animate(self, *artists: Any) -> None:
        """Register artists that the update function changes (drawn every frame, on top).

        Everything not registered is treated as static: drawn once, then
        reused as a bitmap until :meth:`invalidate`, or until axis limits or
        scales, axes positions, the figure size or its dpi change. Animated
        artists are drawn in z-order over the static part, so a static artist
        that overlaps one and should lie above it must be animated too. What
        an axes draws over its contents is animated with its artists: the
        spines, and the axis (ticks, grid, label) when it has a grid or
        inward ticks.

        The figure itself stays an ordinary figure (``canvas.fig.savefig``
        draws everything): artists are hidden from the static bitmap only
        while it is being drawn.
        """
        from matplotlib.artist import Artist

        for artist in artists:
            if not isinstance(artist, Artist):
                hint = " (pass several as animate(*artists))" if isinstance(artist, (list, tuple)) else ""
                raise TypeError(
                    f"`artists` must be matplotlib artists drawn on this canvas (lines, images, texts, ...); "
                    f"got {type(artist).__name__}{hint}."
                )
            if artist.get_figure(root=True) is not self.fig or artist is self.fig:
                raise ValueError(
                    f"`artists` must be artists on this canvas' figure (canvas.fig), not the figure itself; "
                    f"this {type(artist).__name__} is not one. Create it on canvas.axes or canvas.fig."
                )
            for a in (artist, *self._drawn_over(artist)):
                if a not in self._animated:
                    self._animated.append(a)
        self._background = None

    @staticmethod
    def _drawn_over(artist: Any) -> list[Any]:
        """What the artist's axes draws on top of its contents: spines, and axes with a grid or inward ticks."""
        from matplotlib import rcParams
        from matplotlib.axes import Axes

        ax = getattr(artist, "axes", None)
        if ax is None or isinstance(artist, Axes) or not ax.axison:
            return []
        over = list(ax.spines.values())
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            params = axis.get_tick_params(which="major")
            inward = params.get("direction", rcParams[f"{name}tick.direction"]) != "out"
            if params.get("gridOn", False) or inward:
                over.append(axis)
        return [a for a in over if a is not artist]

    @property
    def animated(self) -> tuple[Any, ...]:
        """The artists drawn every frame (see :meth:`animate`)."""
        return tuple(self._animated)

    def invalidate(self) -> None:
        """Redraw the static part at the next frame.

        Call it after changing anything that is not animated: a tick label set
        by hand, a title, an artist added or removed (``ax.clear()`` included),
        an axes hidden or its axis turned off.
        """
        self._background = None

    def _layout_key(self) -> tuple[Any, ...]:
        """What the static bitmap depends on besides artists: figure size and dpi, axes positions, limits, scales."""
        axes = []
        for ax in self.fig.axes:
            key = [tuple(ax.get_position().bounds), ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale()]
            if hasattr(ax, "get_zlim"):  # 3-D axes: depth and view too
                key += [ax.get_zlim(), getattr(ax, "elev", None), getattr(ax, "azim", None), getattr(ax, "roll", None)]
            axes.append(tuple(key))
        return tuple(self.fig.bbox.bounds), self.fig.dpi, tuple(axes)

    def _draw_static(self) -> None:
        """Draw everything but the animated artists, and keep it as the background bitmap."""
        # Figure.draw and Axes.draw skip animated artists; an axis draws its label and offset text
        # whether they are animated or not, so those are hidden instead.
        hidden = [a for a in self._animated if a.get_visible() and self._axis_text(a)]
        for artist in self._animated:
            artist.set_animated(True)
        for artist in hidden:
            artist.set_visible(False)
        try:
            self.fig.canvas.draw()
        finally:
            for artist in self._animated:
                artist.set_animated(False)
            for artist in hidden:
                artist.set_visible(True)
        self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        self._layout = self._layout_key()  # after the draw: autoscaling may have moved the limits

    def _axis_text(self, artist: Any) -> bool:
        """Is ``artist`` an axis label or offset text (drawn by its axis, not by the axes)?"""
        return any(
            artist is text
            for ax in self.fig.axes
            for axis in (ax.xaxis, ax.yaxis)
            for text in (axis.label, axis.offsetText)
        )

    def _drawable(self, artist: Any) -> bool:
        """Visible, still on this figure, and on a visible axes that is still there."""
        if not artist.get_visible() or artist.get_figure(root=True) is not self.fig:
            return False
        ax = getattr(artist, "axes", None)
        if ax is None or ax is artist:
            return True
        from matplotlib.axis import Axis
        from matplotlib.spines import Spine

        parent = ax.get_figure(root=False)  # None once the axes is removed
        on_axes = ax.get_visible() and parent is not None and ax in parent.axes
        return on_axes and (ax.axison or not isinstance(artist, (Spine, Axis)))

    def frame(self) -> np.ndarray:
        """Render the current state and return it as an ``(H, W, 3)`` uint8 array.

        The first call runs the figure's layout engine once and then freezes
        it, so no later frame pays for a layout pass or shifts the panels. If
        the engine cannot be frozen (it keeps moving the panels), every frame
        is drawn in full.
        """
        from matplotlib.layout_engine import PlaceHolderLayoutEngine

        canvas = self.fig.canvas
        if self._frames == 0:
            canvas.draw()  # the layout engine places the panels around everything, animated or not
            try:
                self.fig.set_layout_engine("none")  # keep the positions the first layout found
            except RuntimeError:  # then the engine keeps running
                pass
            engine = self.fig.get_layout_engine()
            self._blit = engine is None or isinstance(engine, PlaceHolderLayoutEngine)
        if not (self._animated and self._blit):
            if self._frames:
                canvas.draw()
            self._frames += 1
            return np.asarray(canvas.buffer_rgba())[..., :3].copy()
        if self._background is None or self._layout_key() != self._layout:
            self._draw_static()
        else:
            canvas.restore_region(self._background)
        for artist in sorted(self._animated, key=lambda a: a.get_zorder()):  # z-order may have changed
            if self._drawable(artist):
                self.fig.draw_artist(artist)
        self._frames += 1
        return np.asarray(canvas.buffer_rgba())[..., :3].copy()

    def full_frame(self) -> np.ndarray:
        """Render everything from scratch, without blitting: the reference :meth:`frame` must match."""
        self.fig.canvas.draw()
        return np.asarray(self.fig.canvas.buffer_rgba())[..., :3].copy()

    def png(self) -> bytes:
        """The figure as PNG bytes, as the browser receives it.

        The first frame is compressed well: it is the one stored in the
        notebook. Later frames are encoded with light compression, which is
        several times faster and a little larger.
        """
        from PIL import Image

        first = self._frames == 0
        buf = io.BytesIO()
        Image.fromarray(self.frame()).save(buf, format="png", compress_level=6 if first else 1)
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

    if not isinstance(controls, Mapping) or not all(
        isinstance(c, w.ValueWidget) or (hasattr(c, "observe") and hasattr(c, "value")) for c in controls.values()
    ):
        raise TypeError(
            "`controls` must map keyword names to ipywidgets controls, e.g. {'size': ipywidgets.IntSlider(...)}; "
            f"got {describe(controls)}."
        )
    if not callable(update):
        raise TypeError(f"`update` must be a function update(**values) -> str; got {describe(update)}.")
    if not isinstance(canvas, Canvas):
        raise TypeError(f"`canvas` must be a cnnlib.widgets.Canvas; got {describe(canvas)}.")
    image = w.Image(format="png", layout=w.Layout(max_width="100%", height="auto", align_self="flex-start"))
    readout = w.HTML(layout=w.Layout(min_height="1.6em"))
    for control in controls.values():
        if hasattr(control, "continuous_update"):
            control.continuous_update = continuous

    def refresh(_change: Any = None) -> None:
        values = {name: control.value for name, control in controls.items()}
        try:
            text = update(**values)
            if text is not None and not isinstance(text, str):
                raise TypeError(f"`update` must return the readout as a str (or None); it returned {describe(text)}.")
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
