"""Figure helpers shared by the notebooks: projector-friendly and small on disk.

Every notebook calls :func:`setup` once in its setup cell. Long plotting code
lives here or in a topic's own plotting helpers, never pasted into notebooks.

Conventions
-----------
* Images are shown in grey (``cmap="gray"``), magnitudes in ``"viridis"``
  (monotone in lightness, so it survives a greyscale printout), signed maps
  (kernels, differences) in ``"RdBu_r"`` centred on zero with a colour bar.
* Titles say what to see ("error lives at the border"), not what is drawn.
* Figures render at a modest resolution so a notebook file stays small.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "setup",
    "STYLE",
    "show_images",
    "show_kernel",
    "signed_limits",
    "png_bytes",
    "new_figure",
]

#: rcParams applied by :func:`setup`: large fonts for a projector, modest dpi.
STYLE: dict[str, Any] = {
    "figure.figsize": (8.0, 4.0),
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "lines.linewidth": 2.0,
    "lines.markersize": 6,
    "image.cmap": "gray",
    "image.interpolation": "nearest",
    "axes.grid": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.constrained_layout.use": True,
}


def setup(**overrides: Any) -> None:
    """Apply the collection's plotting defaults (call once per notebook).

    Parameters
    ----------
    **overrides
        rcParams to change on top of :data:`STYLE`, e.g. ``setup(**{"font.size": 16})``.
    """
    matplotlib.rcParams.update(STYLE)
    matplotlib.rcParams.update(overrides)


def signed_limits(*arrays: Any) -> tuple[float, float]:
    """Symmetric colour limits ``(-m, m)`` covering every array (``m > 0``)."""
    m = max(float(np.max(np.abs(np.asarray(a)))) for a in arrays) if arrays else 1.0
    m = m if m > 0 else 1.0
    return -m, m


def new_figure(nrows: int = 1, ncols: int = 1, *, size: float = 3.2, **kwargs: Any):
    """A figure with ``nrows x ncols`` axes of about ``size`` inches each.

    Returns ``(fig, axes)`` with ``axes`` always a 2-D object array.
    """
    figsize = kwargs.pop("figsize", (size * ncols, size * nrows))
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, **kwargs)
    return fig, axes


def show_images(
    images: Sequence[Any],
    titles: Sequence[str] | None = None,
    *,
    ncols: int | None = None,
    cmap: str | Sequence[str] = "gray",
    signed: bool | Sequence[bool] = False,
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = False,
    suptitle: str | None = None,
    size: float = 3.2,
    axes: Any = None,
):
    """Show images side by side, without ticks, with titles.

    Parameters
    ----------
    images : sequence of arrays, each (H, W) or (H, W, 3)
        What to show. JAX arrays are fine.
    titles : sequence of str, optional
        One title per image.
    ncols : int, optional
        Images per row (default: all in one row).
    cmap : str or sequence of str
        Colour map(s) for single-channel images.
    signed : bool or sequence of bool
        Centre the colour map on zero (use with ``cmap="RdBu_r"``).
    vmin, vmax : float, optional
        Shared colour limits for unsigned images (default: each image's own).
    colorbar : bool
        Draw a colour bar beside each image.
    suptitle : str, optional
        A title for the whole figure.
    size : float
        Inches per panel.
    axes : array of Axes, optional
        Draw into existing axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    n = len(images)
    ncols = n if ncols is None else max(1, min(ncols, n))
    nrows = -(-n // ncols)
    if axes is None:
        fig, axs = new_figure(nrows, ncols, size=size)
    else:
        axs = np.atleast_1d(np.asarray(axes, dtype=object)).reshape(-1)
        fig = axs[0].figure
    flat = np.asarray(axs, dtype=object).reshape(-1)
    cmaps = [cmap] * n if isinstance(cmap, str) else list(cmap)
    signs = [signed] * n if isinstance(signed, bool) else list(signed)
    for i, ax in enumerate(flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.set_axis_off()
            continue
        img = np.asarray(images[i])
        if signs[i]:
            lo, hi = signed_limits(img)
        else:
            lo, hi = vmin, vmax
        im = ax.imshow(img, cmap=cmaps[i], vmin=lo, vmax=hi)
        if titles is not None and i < len(titles):
            ax.set_title(titles[i])
        if colorbar:
            fig.colorbar(im, ax=ax, shrink=0.8)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def show_kernel(
    w: Any,
    ax: Any = None,
    *,
    title: str | None = None,
    fmt: str = "{:.2g}",
    cmap: str = "RdBu_r",
    fontsize: int = 12,
):
    """Show a small 2-D kernel as coloured cells with each value printed in its cell.

    Returns the Axes drawn into.
    """
    w = np.asarray(w)
    if w.ndim != 2:
        raise ValueError(f"`w` must have shape (kH, kW); got {w.shape}.")
    if ax is None:
        _, axs = new_figure(1, 1, size=0.6 * max(w.shape) + 1.2)
        ax = axs[0, 0]
    lo, hi = signed_limits(w)
    ax.imshow(w, cmap=cmap, vmin=lo, vmax=hi)
    for (i, j), value in np.ndenumerate(w):
        colour = "white" if abs(value) > 0.6 * hi else "black"
        ax.text(j, i, fmt.format(value), ha="center", va="center", color=colour, fontsize=fontsize)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def png_bytes(fig: Any, *, dpi: float | None = None) -> bytes:
    """Render ``fig`` to PNG bytes (what a widget sends to the browser)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi)
    return buf.getvalue()
