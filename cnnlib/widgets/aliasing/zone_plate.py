"""The zone-plate explorer of notebook 05: stride and blur-size sliders, the subsampled image and its spectrum.

Left, the subsampled image (each kept sample drawn as an ``s x s`` block);
right, its spectrum, drawn on the original image's frequency axes: the
smaller grid holds only the frequencies inside the new Nyquist limit
(dashed square), and whatever lay outside has folded into it unless the
blur removed it first. The readout is :func:`cnnlib.aliasing.aliased_fraction`.
Computed at fixed shapes with the blur filter as data (7 taps, zero-padded),
so no slider tick compiles anything after the first.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..._validate import as_unit_image, check_finite, check_int, check_ndim
from ...aliasing import MAX_FILTER_SIZE, _blur_subsample, _check_filter_size, _padded_filter, _spectrum, _split_band, zone_plate
from .._core import Canvas, explorer

__all__ = ["zone_plate_explorer", "zone_plate_figure", "MAX_STRIDE"]

#: Largest stride offered by :func:`zone_plate_explorer`.
MAX_STRIDE = 4
#: Largest side of an image the explorer takes (a tick must stay interactive).
MAX_SIDE = 1024


def _filter(filter_size: int) -> jax.Array:
    """The binomial filter of ``filter_size`` taps (checked before), zero-padded to 7 taps: data, not a static shape."""
    return jnp.asarray(_padded_filter(filter_size))  # (7,)


def _zone_input(img: Any) -> jax.Array:
    """The explorer's image: (H, W) grey levels in [0, 1], finite, 14 to 1024 pixels a side; default the zone plate."""
    if img is None:
        return zone_plate(128)
    x = as_unit_image(img, "img")
    check_ndim(x, 2, "img", "(H, W)")
    if min(x.shape) < 2 * MAX_FILTER_SIZE or max(x.shape) > MAX_SIDE:
        raise ValueError(
            f"`img` must be {2 * MAX_FILTER_SIZE} to {MAX_SIDE} pixels on each side; got {tuple(x.shape)}."
        )
    check_finite(x, "img")
    return x


def _zone_options(stride: Any, filter_size: Any) -> tuple[int, int]:
    return check_int(stride, "stride", minimum=1, maximum=MAX_STRIDE), _check_filter_size(filter_size)


@jax.jit
def _zone_frame(x: jax.Array, taps: jax.Array, s: jax.Array):
    """Blur with ``taps`` (7,), sample every ``s``-th pixel; all at full size (H, W) so shapes never change."""
    h, w = x.shape

    def blur(z):  # (H, W) -> (H, W)
        return _blur_subsample(z[None, None], taps, stride=(1, 1), boundary="reflect")[0, 0]

    rows, cols = jnp.arange(h), jnp.arange(w)
    kept = ((rows % s) == 0)[:, None] & ((cols % s) == 0)[None, :]  # (H, W): the samples that survive
    blurred = blur(x)
    held = blurred[(rows // s) * s][:, (cols // s) * s]  # each kept sample drawn as an s x s block
    sampled = jnp.where(kept, blurred, 0.0) * (s * s)  # zeros between the samples: its spectrum repeats
    fy = (rows - h // 2)[:, None] / h  # frequency of each row of the centred spectrum, cycles per pixel
    fx = (cols - w // 2)[None, :] / w
    band = (jnp.abs(fy + 0.5 / h) <= 0.5 / s) & (jnp.abs(fx + 0.5 / w) <= 0.5 / s)  # one period: the small image's spectrum
    spec = jnp.where(band, _spectrum(sampled), jnp.nan)
    low, high = _split_band(x, s)
    e_low = jnp.sum(jnp.where(kept, blur(low), 0.0) ** 2)
    e_high = jnp.sum(jnp.where(kept, blur(high), 0.0) ** 2)
    fraction = e_high / jnp.maximum(e_low + e_high, 1e-30)
    return held, spec, fraction


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ... for the widget's titles."""
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class _ZonePlateState:
    """The image, the figure and its artists, built once."""

    def __init__(self, img: Any = None) -> None:
        x = _zone_input(img)
        self.x = x
        h, w = x.shape
        self.canvas = Canvas(1, 2, figsize=(8.4, 4.4))
        ax_img, ax_spec = self.canvas.axes[0]
        _, spec0, _ = _zone_frame(x, _filter(1), jnp.int32(1))
        self.spec_max = float(jnp.max(spec0))
        self.image = ax_img.imshow(np.asarray(x), cmap="gray", vmin=0, vmax=1)
        ax_img.set_xticks([])
        ax_img.set_yticks([])
        self.spec = ax_spec.imshow(
            np.asarray(spec0), cmap="viridis", vmin=0, vmax=self.spec_max, extent=(-0.5, 0.5, 0.5, -0.5)
        )
        ax_spec.set_facecolor("0.85")
        ax_spec.set_xlabel("cycles per pixel")
        ax_spec.set_ylabel("cycles per pixel")
        from matplotlib.patches import Rectangle

        self.nyquist = ax_spec.add_patch(Rectangle((-0.5, -0.5), 1.0, 1.0, fill=False, ls="--", lw=2, ec="0.1"))
        self.titles = (ax_img.set_title(""), ax_spec.set_title(""))
        self.canvas.fig.set_layout_engine("none")  # fixed positions: no layout pass per tick
        ax_img.set_position([0.02, 0.05, 0.44, 0.8])
        ax_spec.set_position([0.57, 0.14, 0.4, 0.72])

    def update(self, stride: int = 2, filter_size: int = 1) -> str:
        s, filter_size = _zone_options(stride, filter_size)
        held, spec, fraction = _zone_frame(self.x, _filter(filter_size), jnp.int32(s))
        fraction = float(fraction)
        self.image.set_data(np.asarray(held))
        self.spec.set_data(np.asarray(spec))
        half = 0.5 / s
        self.nyquist.set_bounds(-half, -half, 2 * half, 2 * half)
        blur = "no blur" if filter_size == 1 else f"blur {filter_size} taps"
        self.titles[0].set_text(f"every {_ordinal(s)} pixel, {blur}")
        self.titles[1].set_text("its spectrum (dashed: new Nyquist limit)")
        return f"stride {s}, {blur}: {fraction:.0%} of the subsampled image's energy is aliased"


def zone_plate_explorer(img: Any = None):
    """Sliders for the stride (1 to 4) and the blur size (1 to 7 taps) on a zone plate or an image.

    Parameters
    ----------
    img : array, shape (H, W), optional
        Grey levels in [0, 1], finite, 14 to 1024 pixels a side. Default: ``zone_plate(128)``.

    Returns
    -------
    ipywidgets.VBox
        ``.update(stride, filter_size)`` is the plain update function (for tests).
    """
    import ipywidgets as w

    state = _ZonePlateState(img)
    state.canvas.animate(state.image, state.spec, state.nyquist, *state.titles)
    controls = {
        "stride": w.IntSlider(value=2, min=1, max=MAX_STRIDE, description="stride"),
        "filter_size": w.IntSlider(value=1, min=1, max=MAX_FILTER_SIZE, description="blur taps"),
    }
    box = explorer(controls, state.update, state.canvas, title="Subsample with and without a blur")
    box.update = state.update
    return box


def zone_plate_figure(img: Any = None, *, stride: int = 2, filter_size: int = 1):
    """One frame of :func:`zone_plate_explorer` as a static figure; returns ``(figure, readout)``."""
    x = _zone_input(img)
    stride, filter_size = _zone_options(stride, filter_size)  # before the figure is built
    state = _ZonePlateState(x)
    text = state.update(stride=stride, filter_size=filter_size)
    return state.canvas.fig, text
