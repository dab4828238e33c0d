"""Widgets for notebook 05: subsampling with and without a blur.

* :func:`zone_plate_explorer`: stride and blur-size sliders on a zone plate
  (or any image). Left, the subsampled image (each kept sample drawn as an
  ``s x s`` block); right, its spectrum, drawn on the original image's
  frequency axes: the smaller grid holds only the frequencies inside the
  new Nyquist limit (dashed square), and whatever lay outside has folded
  into it unless the blur removed it first. The readout is
  :func:`cnnlib.aliasing.aliased_fraction`.
* :func:`toy_shift_explorer`: the lecture's toy signal, its max-pooled
  output and its MaxBlurPool output, before and after a shift of a few
  samples.

Both compute at fixed shapes with the blur filter as data (7 taps,
zero-padded), so no slider tick compiles anything after the first. Each has
a ``*_figure`` twin that draws one frame as a static figure.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import as_float_array, as_unit_image, check_int, check_ndim
from ..aliasing import (
    MAX_FILTER_SIZE,
    _blur_subsample,
    _check_filter_size,
    _max_stride1,
    _padded_filter,
    _spectrum,
    _split_band,
    toy_signal,
    zone_plate,
)
from ._core import Canvas, explorer

__all__ = [
    "zone_plate_explorer",
    "zone_plate_figure",
    "toy_shift_explorer",
    "toy_shift_figure",
    "MAX_STRIDE",
]

#: Largest stride offered by :func:`zone_plate_explorer`.
MAX_STRIDE = 4


def _filter(filter_size: int) -> jax.Array:
    return jnp.asarray(_padded_filter(_check_filter_size(filter_size)))  # (7,), zero-padded


# --- the zone plate: stride and blur ----------------------------------------------------------------


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
        x = zone_plate(128) if img is None else as_unit_image(img, "img")
        check_ndim(x, 2, "img", "(H, W)")
        if min(x.shape) < 2 * MAX_FILTER_SIZE:
            raise ValueError(f"`img` must be at least {2 * MAX_FILTER_SIZE} pixels on each side; got {tuple(x.shape)}.")
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
        s = check_int(stride, "stride", minimum=1, maximum=MAX_STRIDE)
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
        Default: ``zone_plate(128)``.

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
    state = _ZonePlateState(img)
    text = state.update(stride=stride, filter_size=filter_size)
    return state.canvas.fig, text


# --- the toy signal: shift, max pool, MaxBlurPool -----------------------------------------------------


@jax.jit
def _toy_frame(x: jax.Array, taps: jax.Array, shift: jax.Array):
    """Max pool (2, stride 2) and MaxBlurPool of x and of x shifted, circular; how far each shifted output is from a copy."""
    moved = jnp.roll(x, shift)
    both = jnp.stack([x, moved])[:, None, None, :]  # (2, 1, 1, L)
    m = _max_stride1(both, 2, "circular")  # (2, 1, 1, L)
    plain = m[..., ::2][:, 0, 0]  # (2, L/2): max_pool1d(size 2, stride 2)
    blurred = _blur_subsample(m, taps, stride=(1, 2), boundary="circular")[:, 0, 0]  # (2, L/2)

    def change(out):  # the largest change of a value, against the best-aligned shifted copy of the original output
        copies = jnp.stack([jnp.roll(out[0], t) for t in range(out.shape[1])])  # (L/2, L/2)
        return jnp.min(jnp.max(jnp.abs(copies - out[1][None]), axis=1))

    return moved, plain, blurred, change(plain), change(blurred)


class _ToyState:
    def __init__(self, signal: Any = None) -> None:
        x = toy_signal(16) if signal is None else as_float_array(signal, "signal")
        check_ndim(x, 1, "signal", "(L,)")
        if x.shape[0] % 2 or not 4 <= x.shape[0] <= 64:
            raise ValueError(f"`signal` must have an even length from 4 to 64; got {x.shape[0]}.")
        self.x = x
        n = x.shape[0]
        self.canvas = Canvas(3, 1, figsize=(8.0, 6.4))
        axes = self.canvas.axes[:, 0]
        t, t2 = np.arange(n), np.arange(0, n, 2) + 0.5  # an output sample sits between the two inputs it pools
        lo, hi = float(jnp.min(x)), float(jnp.max(x))
        pad = 0.15 * (hi - lo if hi > lo else 1.0)
        self.lines = []
        for ax, pos, label in zip(axes, (t, t2, t2), ("input", "max pool 2", "MaxBlurPool")):
            before = ax.plot(pos, np.zeros(pos.size), "o-", color="0.6", lw=1.5, label="original")[0]
            after = ax.plot(pos, np.zeros(pos.size), "s--", color="C3", lw=2, label="shifted")[0]
            self.lines.append((before, after))
            ax.set_xlim(-0.5, n - 0.5)
            ax.set_ylim(lo - pad, hi + pad)
            ax.set_ylabel(label)
            ax.set_xticks(t[::2])
        axes[0].legend(loc="upper right", ncols=2, fontsize=10)
        axes[-1].set_xlabel("sample index (input)")
        self.titles = [ax.set_title("", loc="left", fontsize=12) for ax in axes]
        self.canvas.fig.set_layout_engine("none")
        for i, ax in enumerate(axes):
            ax.set_position([0.12, 0.72 - 0.31 * i, 0.85, 0.21])

    def update(self, shift: int = 1, filter_size: int = 3) -> str:
        d = check_int(shift, "shift", minimum=0, maximum=self.x.shape[0] - 1)
        moved, plain, blurred, e_plain, e_blur = _toy_frame(self.x, _filter(filter_size), jnp.int32(d))
        e_plain, e_blur = float(e_plain), float(e_blur)
        for (before, after), (a, b) in zip(self.lines, ((self.x, moved), plain, blurred)):
            before.set_ydata(np.asarray(a))
            after.set_ydata(np.asarray(b))
        self.titles[0].set_text(f"input, and shifted right by {d}")
        self.titles[1].set_text(f"max pool (2, stride 2): largest change {e_plain:.2f}")
        self.titles[2].set_text(f"MaxBlurPool, blur {filter_size} taps: largest change {e_blur:.2f}")
        return (
            f"shift {d}: an output value changes by up to {e_plain:.2f} with max pooling, "
            f"{e_blur:.2f} with MaxBlurPool ({filter_size} taps)"
        )


def toy_shift_explorer(signal: Any = None):
    """A shift slider on the toy signal 0, 0, 1, 1, ...: max pool and MaxBlurPool outputs before and after.

    The readout is the largest change of an output value, measured against
    the best-aligned circular shift of the original output: 0 when the
    output simply moves along with the input (every even shift), up to 1
    for plain max pooling after an odd shift.

    Parameters
    ----------
    signal : array, shape (L,), optional
        Even length, 4 to 64. Default: ``toy_signal(16)``.
    """
    import ipywidgets as w

    state = _ToyState(signal)
    legend = state.canvas.axes[0, 0].get_legend()  # drawn over the lines: redrawn with them
    state.canvas.animate(*(line for pair in state.lines for line in pair), *state.titles, legend)
    controls = {
        "shift": w.IntSlider(value=1, min=0, max=min(7, state.x.shape[0] - 1), description="shift"),
        "filter_size": w.IntSlider(value=3, min=1, max=MAX_FILTER_SIZE, description="blur taps"),
    }
    box = explorer(controls, state.update, state.canvas, title="Max pooling before and after a shift")
    box.update = state.update
    return box


def toy_shift_figure(signal: Any = None, *, shift: int = 1, filter_size: int = 3):
    """One frame of :func:`toy_shift_explorer` as a static figure; returns ``(figure, readout)``."""
    state = _ToyState(signal)
    text = state.update(shift=shift, filter_size=filter_size)
    return state.canvas.fig, text
