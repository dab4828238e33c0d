"""Notebook 00: pick a classic filter and a size, see the kernel and what it does.

The slider means the same for every filter: how far the filter reaches. For
the two blurs it is the kernel's side; for the 3x3 filters it is the side of
a Gaussian blur applied first, folded into one kernel (an edge detector on a
smoothed image is the classic Laplacian-of-Gaussian idea).

``cl.widgets.filter_explorer(img)`` builds the widget in one line;
``filter_update(img)`` is the plain update function behind it (tests call it);
``filter_gallery(img)`` is the static figure for readers without a kernel.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

from .._validate import as_unit_image, check_choice, check_finite, check_int, check_ndim, check_real, check_size, describe
from ..conv import conv2d
from ..filters import KERNELS, box_kernel, gaussian_kernel
from ._core import Canvas, explorer

__all__ = ["FILTERS", "filter_kernel", "smoothed_kernel", "filter_update", "filter_explorer", "filter_gallery"]

#: Dropdown label -> filter name. The two blurs take their size from the slider;
#: the 3x3 filters are applied after a Gaussian blur of that size.
FILTERS: dict[str, str] = {
    "identity": "identity",
    "edge [[1,0,-1],[0,0,0],[-1,0,1]]": "edge",
    "Laplacian, 4 neighbours": "laplacian4",
    "Laplacian, 8 neighbours": "laplacian8",
    "sharpen": "sharpen",
    "box blur (size from slider)": "box",
    "Gaussian blur (size from slider)": "gaussian",
}
_SIZED = {"box", "gaussian"}


def filter_kernel(name: str, size: int = 3) -> np.ndarray:
    """The kernel the explorer applies: a classic 3x3 one, or a box / Gaussian blur of side ``size``.

    Parameters
    ----------
    name : {'identity', 'edge', 'laplacian4', 'laplacian8', 'sharpen', 'gaussian3', 'box', 'gaussian'}
        ``'box'`` and ``'gaussian'`` use ``size``; the others are 3x3.
    size : int
        Side of the blur kernels, odd, at least 1.

    Returns
    -------
    numpy.ndarray, shape (k, k), float32

    Examples
    --------
    >>> from cnnlib.widgets.filters import filter_kernel
    >>> filter_kernel("box", 1).tolist()
    [[1.0]]
    """
    name = check_choice(name, (*KERNELS, "gaussian"), "name")
    size = check_int(size, "size", minimum=1)
    check_size(size * size, "size", "the kernel")
    if size % 2 == 0:
        raise ValueError(f"`size` must be odd so the kernel has a centre pixel; got {size}.")
    if name == "box":
        return np.asarray(box_kernel(size))
    if name == "gaussian":
        return np.asarray(gaussian_kernel(size))
    return np.asarray(KERNELS[name])


def smoothed_kernel(name: str, size: int = 1) -> np.ndarray:
    """The kernel the explorer applies for ``name`` and slider value ``size``.

    Blurs (``'box'``, ``'gaussian'``) are ``size x size``. A 3x3 filter ``K``
    applied after a ``size x size`` Gaussian blur ``G`` is one kernel of side
    ``size + 2``: cross-correlating with ``G`` and then with ``K`` equals
    cross-correlating with the full convolution ``K * G``; ``size=1`` gives
    ``K`` itself.

    Examples
    --------
    >>> from cnnlib.widgets.filters import smoothed_kernel
    >>> smoothed_kernel("identity", 3).shape, smoothed_kernel("edge", 1).shape
    ((5, 5), (3, 3))
    """
    if name in _SIZED:
        return filter_kernel(name, size)
    k3 = filter_kernel(name)
    size = check_int(size, "size", minimum=1)
    if size == 1:
        return k3
    g = filter_kernel("gaussian", size)
    out = np.zeros((size + 2, size + 2), dtype=np.float32)
    for (i, j), value in np.ndenumerate(k3):  # full convolution as a sum of shifted copies
        out[i : i + size, j : j + size] += value * g
    return out


def _pad_to(w: np.ndarray, size: int) -> np.ndarray:
    """Centre an odd ``(k, k)`` kernel in a ``(size, size)`` array of zeros (same output, fixed shape)."""
    out = np.zeros((size, size), dtype=np.float32)
    lo = (size - w.shape[0]) // 2
    out[lo : lo + w.shape[0], lo : lo + w.shape[1]] = w
    return out


def filter_update(img: Any, *, max_size: int = 15) -> Callable[..., str]:
    """Build the explorer's state once and return its plain update function.

    Every kernel is zero-padded to ``max_size x max_size`` before the jitted
    convolution, so changing filter or size never compiles anything new.

    Parameters
    ----------
    img : array_like, shape (H, W)
        Grey image with values in [0, 1].
    max_size : int
        Largest blur size the slider offers (odd).

    Returns
    -------
    callable
        ``update(name, size) -> str`` draws into ``update.canvas`` and returns
        the readout; ``update.apply`` is the jitted convolution (tests count
        its compilations) and ``update.last_output`` the latest output image.
    """
    img = as_unit_image(img, "img")
    check_ndim(img, 2, "img", "(H, W)")
    check_finite(img, "img")
    max_size = check_int(max_size, "max_size", minimum=3)
    if max_size % 2 == 0:
        raise ValueError(f"`max_size` must be odd; got {max_size}.")
    if min(img.shape) <= max_size // 2:
        side = max_size // 2 + 1
        raise ValueError(
            f"`img` must be at least {side}x{side} pixels for `max_size` = {max_size} (the border is mirrored by "
            f"up to {max_size // 2} pixels); got {tuple(img.shape)}."
        )
    x = np.asarray(img, dtype=np.float32)
    # Every kernel the controls can ask for, built once and padded to one shape:
    # a tick only looks one up, so it computes (and compiles) nothing new.
    kernels = {
        (name, size): smoothed_kernel(name, size)
        for name in (*FILTERS.values(), "gaussian3")
        for size in range(1, max_size + 1, 2)
        if size + (0 if name in _SIZED else 2) <= max_size
    }
    padded = {key: _pad_to(w, max_size) for key, w in kernels.items()}

    @jax.jit
    def apply(image: jax.Array, w: jax.Array) -> jax.Array:
        return conv2d(image, w, padding="same", boundary="reflect")  # (H, W): same centre as the unpadded kernel

    canvas = Canvas(1, 3, figsize=(11.0, 4.0), dpi=72)
    ax_in, ax_w, ax_out = canvas.axes[0]
    for ax in canvas.axes[0]:
        ax.set_xticks([])
        ax.set_yticks([])
    ax_in.imshow(x, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax_in.set_title("input", fontsize=15)
    w_img = ax_w.imshow(np.zeros((max_size, max_size)), cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    texts = np.empty((max_size, max_size), dtype=object)
    for (i, j), _ in np.ndenumerate(texts):
        texts[i, j] = ax_w.text(j, i, "", ha="center", va="center", fontsize=12, visible=False)
    out_img = ax_out.imshow(x, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    fig = canvas.fig
    fig.set_layout_engine("none")  # fixed positions (in figure fractions): no layout pass per tick
    for j, ax in enumerate(canvas.axes[0]):
        ax.set_position([0.01 + j * 0.33, 0.02, 0.31, 0.86])

    def update(name: str = "edge", size: int = 3) -> str:
        check_choice(name, (*FILTERS.values(), "gaussian3"), "name")
        size = check_int(size, "size", minimum=1)
        if size + (0 if name in _SIZED else 2) > max_size:
            raise ValueError(f"`size` must be <= {max_size if name in _SIZED else max_size - 2} for {name!r}; got {size}.")
        if (name, size) not in kernels:
            smoothed_kernel(name, size)  # raises the argument's own error
        w = kernels[name, size]
        k = w.shape[0]
        y = np.asarray(apply(x, padded[name, size]))  # (H, W)
        update.last_output = y
        # Kernel panel: the padded array, zoomed to the k x k part that is not padding.
        m = float(np.max(np.abs(w))) or 1.0
        w_img.set_data(padded[name, size])
        w_img.set_clim(-m, m)
        lo, hi = (max_size - k) // 2 - 0.5, (max_size + k) // 2 - 0.5
        ax_w.set_xlim(lo, hi)
        ax_w.set_ylim(hi, lo)
        show_values = k <= 5
        fontsize = {1: 22, 3: 18, 5: 13}.get(k, 9)
        values, scale = _integer_form(w)  # box blurs print as 1/k^2 x ones
        whole = values is not w
        for (i, j), t in np.ndenumerate(texts):
            inside = show_values and abs(i - max_size // 2) <= k // 2 and abs(j - max_size // 2) <= k // 2
            t.set_visible(bool(inside))
            if inside:
                v = float(values[i - (max_size - k) // 2, j - (max_size - k) // 2])
                t.set_text(f"{v:.0f}" if whole else f"{v:.2f}")
                t.set_fontsize(fontsize)
                t.set_color("white" if abs(v) > 0.6 * m * scale else "black")
        fraction = f" = 1/{scale} x" if scale > 1 and show_values else ""
        ax_w.set_title(f"kernel {k}x{k}{fraction}" + ("" if show_values else " (too big to print)"), fontsize=15)
        # Output panel: kernels that sum to 0 give signed edges, shown with 0 as mid-grey.
        total = float(w.sum())
        out_img.set_data(y)
        if abs(total) < 1e-6:
            s = float(np.quantile(np.abs(y), 0.99)) or 1.0
            out_img.set_clim(-s, s)
            ax_out.set_title("output (grey = 0)", fontsize=15)
        else:
            out_img.set_clim(0.0, 1.0)
            ax_out.set_title("output (clipped to [0, 1])", fontsize=15)
        how = f" ({name} after a {size}x{size} Gaussian)" if name not in _SIZED and size > 1 else ""
        return (
            f"{name}: {k}x{k} kernel{how}, weights sum to {total:.2f}; "
            f"output range [{float(y.min()):.2f}, {float(y.max()):.2f}]"
        )

    canvas.animate(w_img, *texts.flat, ax_w.title, out_img, ax_out.title)
    update.canvas = canvas
    update.apply = apply
    update.last_output = None
    return update


def filter_explorer(img: Any, *, max_size: int = 15):
    """A dropdown for the filter and a size slider; shows input, kernel, output.

    The slider is the blur's side for the two blurs, and the side of a
    Gaussian blur applied before the 3x3 filters (1: none).

    Parameters
    ----------
    img : array_like, shape (H, W)
        Grey image in [0, 1], e.g. ``cl.load_image("cat", grey=True, size=128)``.
    max_size : int
        Largest blur size (odd); kernels are padded to it so ticks never recompile.

    Returns
    -------
    ipywidgets.VBox
        See :func:`cnnlib.widgets.explorer`.
    """
    import ipywidgets as w

    update = filter_update(img, max_size=max_size)
    controls = {
        "name": w.Dropdown(options=list(FILTERS.items()), value="edge", description="filter"),
        "size": w.IntSlider(value=1, min=1, max=max_size - 2, step=2, description="size"),
    }
    box = explorer(controls, update, update.canvas, title="Classic filters: pick a kernel, see what it does")
    box.update = update
    return box


def _integer_form(w: np.ndarray) -> tuple[np.ndarray, int]:
    """``(w * d, d)`` with small integers ``w * d`` when there is such a ``d`` (1/9, 1/16 ...), else ``(w, 1)``."""
    nonzero = np.abs(w[w != 0])
    d = int(round(1 / nonzero.min())) if nonzero.size else 1
    for scale in (1, d):
        if scale >= 1 and np.allclose(w * scale, np.round(w * scale), atol=1e-4):
            return np.round(w * scale), scale
    return w, 1


def filter_gallery(img: Any, names: Sequence[str] = tuple(KERNELS), *, ncols: int = 4, size: float = 2.6):
    """The static companion of the explorer: each kernel with its values, above its output.

    Kernels such as the box blur are printed as small integers times a fraction
    (``1/9 x`` ones), so the values stay readable on a projector.

    Parameters
    ----------
    img : array_like, shape (H, W)
        Grey image in [0, 1].
    names : sequence of str
        Kernel names from :data:`cnnlib.filters.KERNELS`.
    ncols : int
        Filters per row.
    size : float
        Inches per column, 0.1 to 20.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..plot import new_figure, show_kernel

    img = as_unit_image(img, "img")
    check_ndim(img, 2, "img", "(H, W)")
    check_finite(img, "img")
    if 0 in img.shape:
        raise ValueError(f"`img` must not be empty; got shape {tuple(img.shape)}.")
    if isinstance(names, (str, bytes, dict)) or not isinstance(names, (list, tuple)):
        raise TypeError(f"`names` must be a list of kernel names, e.g. ['edge', 'sharpen']; got {describe(names)}.")
    if not names:
        raise ValueError("`names` must name at least one kernel; got an empty list.")
    names = [check_choice(n, KERNELS, "names") for n in names]
    ncols = min(check_int(ncols, "ncols", minimum=1), len(names))
    size = check_real(size, "size", minimum=0.1, maximum=20.0)
    blocks = -(-len(names) // ncols)
    ratios = [0.7, 1.0] * blocks  # a kernel row above each image row
    fig, axes = new_figure(2 * blocks, ncols, figsize=(size * ncols, size * sum(ratios)),
                           gridspec_kw={"height_ratios": ratios})
    for ax in axes.flat:
        ax.set_axis_off()
    for n, name in enumerate(names):
        ax_w, ax = axes[2 * (n // ncols), n % ncols], axes[2 * (n // ncols) + 1, n % ncols]
        ax_w.set_axis_on()
        ax.set_axis_on()
        w = KERNELS[name]
        values, scale = _integer_form(w)
        show_kernel(values, ax_w, fmt="{:.2f}" if values is w else "{:.0f}", fontsize=14)
        ax_w.set_title(name if scale == 1 else f"{name} = 1/{scale} x")
        y = np.asarray(conv2d(img, w, padding="same", boundary="reflect"))  # (H, W)
        if abs(float(w.sum())) < 1e-6:
            s = float(np.quantile(np.abs(y), 0.99)) or 1.0
            ax.imshow(y, cmap="gray", vmin=-s, vmax=s)
        else:
            ax.imshow(y, cmap="gray", vmin=0.0, vmax=1.0)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig
