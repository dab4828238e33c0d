"""Widgets for notebook 03: does a layer commute with a transformation, and what does pooling keep?

* :func:`equivariance_explorer`: pick a transformation g (shift, rotation,
  scaling, smooth deformation) and a layer f (conv, conv + ReLU,
  conv + ReLU + 2x2 max pool, p4 conv); see f(g(x)), g(f(x)), their
  difference and the relative error. One jitted function serves every
  combination (``lax.switch`` on the choices, every amount traced), so no
  tick compiles anything after the first.
* :func:`pooling_shift_explorer`: the lecture's picture of a detector row and
  a max-pooled row before and after a shift, with the values that changed
  marked and counted.

Each has a ``*_figure`` twin that draws one frame as a static figure.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import transforms as _t
from .._validate import as_float_array, as_unit_image, check_choice, check_finite, check_int, check_ndim, check_real
from ..conv import conv2d
from ..equivariance import oriented_kernel
from ..pool import max_pool2d
from ..plot import signed_limits
from ._core import Canvas, explorer

__all__ = [
    "TRANSFORMS",
    "LAYERS",
    "equivariance_explorer",
    "equivariance_figure",
    "pooling_shift_explorer",
    "pooling_shift_figure",
]

#: The transformations g, in the order of the dropdown.
TRANSFORMS = ("shift", "rotate", "scale", "deform")
#: The layers f, in the order of the dropdown.
LAYERS = ("conv", "conv + ReLU", "conv + ReLU + max pool", "p4 conv")
#: Which sliders each transform reads.
SLIDERS_OF = {"shift": ("dx", "dy"), "rotate": ("angle",), "scale": ("scale",), "deform": ("amplitude",)}


def _transform(t: jax.Array, z: jax.Array, p: dict, flow: jax.Array) -> jax.Array:
    """g(z) for the chosen transformation index t; z (H, W) at any resolution matching `flow`."""
    branches = [
        lambda z: jnp.roll(z, (p["dy"], p["dx"]), axis=(-2, -1)),  # circular shift S_v
        lambda z: _t._rotate(z, p["angle"], order=1),
        lambda z: _t._rescale(z, p["scale"]),
        lambda z: _t._warp(z, p["amplitude"] * flow),
    ]
    return jax.lax.switch(t, branches, z)


@jax.jit
def _frame(x, kernel, flow, half_flow, t, layer, dy, dx, angle, scale, amplitude):
    """(g(x), f(g(x)), g(f(x))) at full resolution, for the chosen transform t and layer.

    One 4-kernel convolution serves every layer: its first map is the plain
    convolution, and the max over the four turned kernels is the p4 layer.
    """
    full = {"dy": dy, "dx": dx, "angle": angle, "scale": scale, "amplitude": amplitude}
    half = dict(full, dy=dy // 2, dx=dx // 2)  # after 2x2 pooling a shift by v is a shift by v / 2
    gx = _transform(t, x, full, flow)
    bank = jnp.stack([jnp.rot90(kernel, r) for r in range(4)])[:, None]  # (4, 1, k, k)
    resp = conv2d(jnp.stack([x, gx])[:, None], bank, padding="same", boundary="circular")  # (2, 4, H, W)

    def pool(z):  # ReLU, then 2x2 max pooling: (H, W) -> (H/2, W/2)
        return max_pool2d(jax.nn.relu(z), 2)

    def up(z):  # (H/2, W/2) -> (H, W), for display
        return jnp.repeat(jnp.repeat(z, 2, axis=0), 2, axis=1)

    def layers(r):  # every layer's output for one input: (4, H, W)
        c = r[0]
        return jnp.stack([c, jax.nn.relu(c), up(pool(c)), jnp.max(r, axis=0)])

    f_x, f_gx = layers(resp[0])[layer], layers(resp[1])[layer]
    g_full = _transform(t, f_x, full, flow)
    g_half = up(_transform(t, pool(resp[0, 0]), half, half_flow))
    return gx, f_gx, jnp.where(layer == 2, g_half, g_full)


class _EquivarianceState:
    """Everything built once: the image, kernel, deformation field, figure and artists."""

    def __init__(self, img: Any, kernel: Any, key: Any) -> None:
        x = as_unit_image(img, "img")
        check_ndim(x, 2, "img", "(H, W)")
        check_finite(x, "img")
        if 0 in x.shape:
            raise ValueError(f"`img` must not be empty; got shape {tuple(x.shape)}.")
        if x.shape[0] % 2 or x.shape[1] % 2:
            raise ValueError(f"`img` must have even height and width (for the 2x2 pooling); got {tuple(x.shape)}.")
        self.x = x
        self.kernel = oriented_kernel() if kernel is None else as_float_array(kernel, "kernel")
        check_ndim(self.kernel, 2, "kernel", "(k, k)")
        check_finite(self.kernel, "kernel")
        if 0 in self.kernel.shape:
            raise ValueError(f"`kernel` must not be empty; got shape {tuple(self.kernel.shape)}.")
        if self.kernel.shape[0] != self.kernel.shape[1]:
            raise ValueError(f"`kernel` must be square (k, k), so that it can be turned; got {tuple(self.kernel.shape)}.")
        key = jax.random.key(0) if key is None else key
        self.flow = _t.smooth_flow(key, x.shape, 1.0, max(x.shape) / 16)  # unit amplitude, scaled by the slider
        self.half_flow = self.flow.reshape(2, x.shape[0] // 2, 2, x.shape[1] // 2, 2).mean(axis=(2, 4)) / 2
        self.canvas = Canvas(1, 4, size=3.0)
        ax = self.canvas.axes[0]
        blank = np.zeros(x.shape)
        self.images = [
            ax[0].imshow(blank, cmap="gray", vmin=0, vmax=1),
            ax[1].imshow(blank, cmap="viridis"),
            ax[2].imshow(blank, cmap="viridis"),
            ax[3].imshow(blank, cmap="RdBu_r"),
        ]
        for a, title in zip(ax, ["input g(x)", "f(g(x))", "g(f(x))", "f(g(x)) - g(f(x))"]):
            a.set_title(title)
            a.set_xticks([])
            a.set_yticks([])
        self.title = self.canvas.fig.suptitle("")
        self.canvas.fig.set_layout_engine("none")  # fixed positions: no layout pass per tick
        for i, a in enumerate(ax):
            a.set_position([0.01 + 0.2475 * i, 0.02, 0.235, 0.78])

    def update(self, transform="shift", layer="conv", dx=0, dy=0, angle=0.0, scale=1.0, amplitude=0.0) -> str:
        t = TRANSFORMS.index(check_choice(transform, TRANSFORMS, "transform"))
        h, w = self.x.shape
        dx, dy = check_int(dx, "dx", minimum=-w, maximum=w), check_int(dy, "dy", minimum=-h, maximum=h)
        angle = check_real(angle, "angle")  # any angle; turned into [0, 360) in float64 below
        scale = check_real(scale, "scale", minimum=0.0, min_inclusive=False)
        if not 0.01 <= scale <= 100.0:  # beyond, float32 loses the grid (1e-50 gave a NaN readout)
            raise ValueError(f"`scale` must be between 0.01 and 100; got {scale:g}.")
        amplitude = check_real(amplitude, "amplitude", minimum=0.0, maximum=float(max(h, w)))
        l = LAYERS.index(check_choice(layer, LAYERS, "layer"))  # noqa: E741
        gx, fgx, gfx = _frame(
            self.x, self.kernel, self.flow, self.half_flow, jnp.int32(t), jnp.int32(l),
            jnp.int32(dy), jnp.int32(dx), jnp.float32(angle % 360.0), jnp.float32(scale), jnp.float32(amplitude),
        )
        fgx, gfx = np.asarray(fgx), np.asarray(gfx)
        diff = fgx - gfx
        err = float(np.linalg.norm(diff) / max(np.linalg.norm(gfx), 1e-12))
        lo, hi = min(fgx.min(), gfx.min()), max(fgx.max(), gfx.max(), fgx.min() + 1e-6)
        self.images[0].set_data(np.asarray(gx))
        for im, data in zip(self.images[1:3], (fgx, gfx)):
            im.set_data(data)
            im.set_clim(lo, hi)
        self.images[3].set_data(diff)
        self.images[3].set_clim(*signed_limits(diff, 1e-3 * max(abs(lo), abs(hi), 1e-6)))
        amount = {"shift": f"v = ({dy}, {dx})", "rotate": f"{angle:.0f} deg", "scale": f"x{scale:.2f}",
                  "deform": f"max |tau| = {amplitude:.1f} px"}[transform]
        text = f"{layer} vs {transform} ({amount}): relative error {err:.3f}"
        self.title.set_text(text)
        return text


def equivariance_explorer(img: Any, *, kernel: Any = None, key: Any = None):
    """Sliders for g (shift, angle, scale, deformation) and a choice of layer f; shows the error.

    Parameters
    ----------
    img : array, shape (H, W)
        Even height and width (a 2x2 max pool is one of the layers).
    kernel : array, shape (k, k), optional
        The convolution kernel; default :func:`cnnlib.oriented_kernel` (an edge at 30 degrees).
    key : jax PRNG key, optional
        For the smooth deformation field.

    Returns
    -------
    ipywidgets.VBox
        ``.update`` is the plain update function (for tests).
    """
    import ipywidgets as w

    state = _EquivarianceState(img, kernel, key)
    state.canvas.animate(*state.images, state.title)
    controls = {
        "transform": w.Dropdown(options=TRANSFORMS, value="shift", description="g"),
        "layer": w.Dropdown(options=LAYERS, value="conv", description="f"),
        "dx": w.IntSlider(value=5, min=-16, max=16, description="shift dx"),
        "dy": w.IntSlider(value=0, min=-16, max=16, description="shift dy"),
        "angle": w.FloatSlider(value=30.0, min=-180.0, max=180.0, step=5.0, description="angle"),
        "scale": w.FloatSlider(value=1.25, min=0.5, max=2.0, step=0.05, description="scale"),
        "amplitude": w.FloatSlider(value=3.0, min=0.0, max=10.0, step=0.5, description="deform px"),
    }
    # Only the sliders of the chosen transform act: the others are greyed out.
    def enable_sliders(change: Any = None) -> None:
        for name in ("dx", "dy", "angle", "scale", "amplitude"):
            controls[name].disabled = name not in SLIDERS_OF[controls["transform"].value]

    controls["transform"].observe(enable_sliders, names="value")
    enable_sliders()
    box = explorer(controls, state.update, state.canvas, title="Does f commute with g?")
    box.update = state.update
    return box


def equivariance_figure(img: Any, *, kernel: Any = None, key: Any = None, **values: Any):
    """One frame of :func:`equivariance_explorer` as a static figure (values as in ``update``)."""
    state = _EquivarianceState(img, kernel, key)
    state.update(**values)
    return state.canvas.fig


# --- pooling and a small shift ---------------------------------------------------------------------

_MAX_WIDTH = 7


@jax.jit
def _pool_rows(x, shift, width):
    """Circular max pooling of width `width` (traced, <= 7), stride 1, centred; before and after a shift."""
    offsets = jnp.arange(_MAX_WIDTH) - _MAX_WIDTH // 2  # (7,)
    lo = -(width // 2)
    use = (offsets >= lo) & (offsets < lo + width)  # which offsets lie in the window

    def pool(z):
        stack = jnp.stack([jnp.roll(z, -o) for o in range(-(_MAX_WIDTH // 2), _MAX_WIDTH // 2 + 1)])  # (7, L)
        return jnp.max(jnp.where(use[:, None], stack, -jnp.inf), axis=0)  # (L,)

    moved = jnp.roll(x, shift)
    return moved, pool(x), pool(moved)


class _PoolingState:
    def __init__(self, signal: Any) -> None:
        x = as_float_array(signal, "signal")
        check_ndim(x, 1, "signal", "(L,)")
        check_finite(x, "signal")
        if not 3 <= x.shape[0] <= 24:
            raise ValueError(f"`signal` must have 3 to 24 values (one box each); got {x.shape[0]}.")
        self.x = x
        n = x.shape[0]
        self.canvas = Canvas(2, 1, figsize=(0.62 * n + 1.6, 3.6))
        self.texts, self.boxes, self.titles = [], [], []
        for ax in self.canvas.axes[:, 0]:
            ax.set_xlim(-0.5, n - 0.5)
            ax.set_ylim(-0.6, 1.6)
            ax.set_axis_off()
            self.titles.append(ax.set_title("", fontsize=12, loc="left"))
            ax.text(-0.6, 1, "pooled", ha="right", va="center", fontsize=11)
            ax.text(-0.6, 0, "detector", ha="right", va="center", fontsize=11)
            row_t, row_b = [], []
            for row in (1, 0):
                for i in range(n):
                    box = ax.add_patch(_box(i, row))
                    row_b.append(box)
                    row_t.append(ax.text(i, row, "", ha="center", va="center", fontsize=11))
            self.texts.append(row_t)
            self.boxes.append(row_b)
        self.canvas.fig.set_layout_engine("none")
        for i, ax in enumerate(self.canvas.axes[:, 0]):
            ax.set_position([0.1, 0.52 - 0.48 * i, 0.89, 0.36])

    def update(self, shift: int = 1, width: int = 3) -> str:
        shift = check_int(shift, "shift", minimum=0, maximum=self.x.shape[0] - 1)
        width = check_int(width, "width", minimum=1, maximum=_MAX_WIDTH)
        moved, p0, p1 = (np.asarray(a) for a in _pool_rows(self.x, jnp.int32(shift), jnp.int32(width)))
        x = np.asarray(self.x)
        det_changed = ~np.isclose(x, moved)
        pool_changed = ~np.isclose(p0, p1)
        rows = [(p0, x, np.zeros_like(det_changed), np.zeros_like(pool_changed)), (p1, moved, det_changed, pool_changed)]
        for texts, boxes, (pooled, det, dch, pch) in zip(self.texts, self.boxes, rows):
            values = np.concatenate([pooled, det])
            changed = np.concatenate([pch, dch])
            for text, box, v, c in zip(texts, boxes, values, changed):
                text.set_text(f"{v:.1f}")
                box.set_facecolor("#f4a582" if c else "white")
        n = x.size
        self.titles[0].set_text("original input")
        self.titles[1].set_text(
            f"input shifted right by {shift}: {det_changed.sum()}/{n} detector values change, "
            f"{pool_changed.sum()}/{n} pooled values change"
        )
        return (
            f"shift {shift}, pooling width {width}: detector values changed {det_changed.sum()}/{n}, "
            f"pooled values changed {pool_changed.sum()}/{n}"
        )


def _box(i: int, row: int):
    from matplotlib.patches import FancyBboxPatch

    return FancyBboxPatch((i - 0.42, row - 0.36), 0.84, 0.72, boxstyle="round,pad=0.02", facecolor="white", edgecolor="0.3")


def pooling_shift_explorer(signal: Any):
    """A detector row, its max-pooled row (stride 1, circular), and the same after a shift.

    Changed values are shaded in the shifted picture; the readout counts them.
    Controls: the shift (0 to 4 samples) and the pooling width (1 to 7).
    """
    import ipywidgets as w

    state = _PoolingState(signal)
    n = state.x.shape[0]
    # Only what a tick can change is redrawn: the pooled values of the original row (the width
    # changes them) and everything in the shifted row. The original detector values, the white
    # boxes of the original row and its title never change: they stay in the static bitmap.
    state.canvas.animate(*state.texts[0][:n], *state.texts[1], *state.boxes[1], state.titles[1])
    controls = {
        "shift": w.IntSlider(value=1, min=0, max=4, description="shift"),
        "width": w.IntSlider(value=3, min=1, max=_MAX_WIDTH, description="pool width"),
    }
    box = explorer(controls, state.update, state.canvas, title="What survives a shift after max pooling?")
    box.update = state.update
    return box


def pooling_shift_figure(signal: Any, *, shift: int = 1, width: int = 3):
    """One frame of :func:`pooling_shift_explorer` as a static figure; returns ``(figure, readout)``."""
    state = _PoolingState(signal)
    text = state.update(shift=shift, width=width)
    return state.canvas.fig, text
