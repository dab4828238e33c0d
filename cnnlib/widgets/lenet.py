"""Widget for notebook 06: move a digit and watch a trained LeNet's feature maps and class probabilities.

* :func:`lenet_explorer`: sliders for the digit, a shift (rows, columns)
  and a rotation. Panels: the input, the six first-layer feature maps, the
  sixteen second-layer maps, and the ten class probabilities as bars.
* :func:`lenet_figure`: one frame of it as a static figure.

The shift (zeros enter), the rotation and the whole forward pass run in one
jitted function whose shift and angle are data, not static arguments, so no
tick compiles anything after the first. Without a trained net the widget
trains one itself (:func:`default_net`, a few seconds, once per process).
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import as_unit_image, check_finite, check_int, check_ndim, check_real, describe
from ._core import Canvas, explorer

if TYPE_CHECKING:  # cnnlib.nets imports optax: only when a net is trained
    from ..nets import Model

__all__ = ["lenet_explorer", "lenet_figure", "default_net", "MAX_SHIFT", "MAX_ANGLE", "frame"]

#: Largest shift (pixels, each axis) and rotation (degrees, either way) the sliders offer.
MAX_SHIFT = 4
MAX_ANGLE = 90


def _montage(maps: jax.Array, rows: int, cols: int) -> jax.Array:
    """(C, h, w) maps, each scaled to its own maximum, tiled rows x cols with a one-pixel gap (NaN)."""
    c, h, w = maps.shape
    scaled = maps / jnp.maximum(maps.max(axis=(1, 2), keepdims=True), 1e-12)  # (C, h, w), 0..1
    padded = jnp.pad(scaled, ((0, rows * cols - c), (0, 1), (0, 1)), constant_values=jnp.nan)  # (rows*cols, h+1, w+1)
    tiled = padded.reshape(rows, cols, h + 1, w + 1).transpose(0, 2, 1, 3).reshape(rows * (h + 1), cols * (w + 1))
    return tiled[:-1, :-1]


@functools.partial(jax.jit, static_argnames=("kind",))
def frame(params: Any, img: jax.Array, dy: jax.Array, dx: jax.Array, angle: jax.Array, kind: str):
    """Rotate ``img`` (H, W) by ``angle`` degrees, shift it by (dy, dx) with zeros entering; LeNet's maps and probabilities."""
    from ..lenet import _forward
    from ..transforms import _rotate

    h, w = img.shape
    turned = _rotate(img, angle, order=1)  # (H, W), bilinear, 0 outside
    rows, cols = jnp.arange(h)[:, None] - dy, jnp.arange(w)[None, :] - dx  # where each output pixel comes from
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    moved = jnp.where(inside, turned[jnp.clip(rows, 0, h - 1), jnp.clip(cols, 0, w - 1)], 0.0)  # (H, W)
    a1, _, a2, _, _, logits = _forward(params, moved[None], kind)
    probs = jax.nn.softmax(logits[0])  # (10,)
    return moved, _montage(a1[0], 2, 3), _montage(a2[0], 4, 4), probs


@functools.lru_cache(maxsize=1)
def default_net() -> tuple[Model, Any, np.ndarray, np.ndarray]:
    """A LeNet (MaxPool) trained for two epochs on 4000 of the bundled digits; (model, params, test images, test labels).

    The split and the training are notebook 06's (keys 1 and 0, 2); only the
    number of epochs is smaller. Cached: trained once per process.
    """
    from .. import lenet
    from ..data import load_mnist, train_test_split

    images, labels = load_mnist()
    train, test = train_test_split(jax.random.key(1), len(labels), test_fraction=0.2)
    model = lenet.lenet("max")
    x, y = np.asarray(images[train]), np.asarray(labels[train])
    params, _ = lenet.train(model, model.init(jax.random.key(0)), (x, y), key=jax.random.key(2), epochs=2)
    return model, params, np.asarray(images[test]), np.asarray(labels[test])


class _LeNetState:
    """The net, the digits, the figure and its artists, built once."""

    def __init__(self, model: Model | None, params: Any, images: Any, labels: Any) -> None:
        from ..lenet import _check_params, _kind

        if model is None or params is None:
            if model is not None or params is not None:
                raise ValueError("`model` and `params` go together: pass both (a trained LeNet) or neither.")
            model, params, default_images, default_labels = default_net()
            images = default_images if images is None else images
            labels = default_labels if labels is None and images is default_images else labels
        if images is None:
            raise ValueError("`images` must be given with a trained net: digits of shape (N, 28, 28) in [0, 1].")
        self.kind = _kind(model)
        _check_params(params, self.kind)
        self.params = params
        self.images = np.asarray(as_unit_image(images, "images"))
        check_ndim(self.images, 3, "images", "(N, 28, 28)")
        if self.images.shape[1:] != (28, 28) or len(self.images) == 0:
            raise ValueError(f"`images` must have shape (N, 28, 28) with N >= 1; got {self.images.shape}.")
        check_finite(self.images, "images")
        self.labels = None if labels is None else np.asarray(labels)
        if self.labels is not None and (
            self.labels.shape != (len(self.images),) or self.labels.dtype == np.bool_ or not np.issubdtype(self.labels.dtype, np.integer)
        ):
            raise ValueError(f"`labels` must be integer labels, one per image, shape ({len(self.images)},); got {describe(labels)}.")
        self.canvas = Canvas(1, 4, figsize=(12.0, 3.6), gridspec_kw={"width_ratios": [1, 1.5, 1, 1.6]})
        ax_in, ax_c1, ax_c2, ax_p = self.canvas.axes[0]
        moved, m1, m2, probs = frame(params, jnp.asarray(self.images[0]), jnp.int32(0), jnp.int32(0), jnp.float32(0), self.kind)
        self.input = ax_in.imshow(np.asarray(moved), cmap="gray", vmin=0, vmax=1)
        self.maps1 = ax_c1.imshow(np.asarray(m1), cmap="magma", vmin=0, vmax=1)
        self.maps2 = ax_c2.imshow(np.asarray(m2), cmap="magma", vmin=0, vmax=1)
        for ax, title in ((ax_in, "input"), (ax_c1, "layer 1: 6 maps (24x24)"), (ax_c2, "layer 2: 16 maps (8x8)")):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(title, fontsize=12)
        self.bars = ax_p.bar(np.arange(10), np.asarray(probs), color="C0")
        ax_p.set_ylim(0, 1)
        ax_p.set_xticks(range(10))
        ax_p.set_xlabel("class")
        ax_p.set_ylabel("probability")
        self.title = ax_p.set_title("", fontsize=12)
        self.canvas.fig.set_layout_engine("none")  # fixed positions: no layout pass per tick
        for ax, box in zip((ax_in, ax_c1, ax_c2, ax_p), ([0.01, 0.08, 0.2, 0.76], [0.23, 0.08, 0.28, 0.76], [0.53, 0.08, 0.2, 0.76], [0.79, 0.18, 0.2, 0.66])):
            ax.set_position(box)

    def artists(self) -> tuple[Any, ...]:
        return (self.input, self.maps1, self.maps2, *self.bars.patches, self.title)

    def update(self, digit: int = 0, shift_y: int = 0, shift_x: int = 0, angle: float = 0.0) -> str:
        i = check_int(digit, "digit", minimum=0, maximum=len(self.images) - 1)
        dy = check_int(shift_y, "shift_y", minimum=-MAX_SHIFT, maximum=MAX_SHIFT)
        dx = check_int(shift_x, "shift_x", minimum=-MAX_SHIFT, maximum=MAX_SHIFT)
        theta = check_real(angle, "angle", minimum=-MAX_ANGLE, maximum=MAX_ANGLE)
        moved, m1, m2, probs = frame(
            self.params, jnp.asarray(self.images[i]), jnp.int32(dy), jnp.int32(dx), jnp.float32(theta), self.kind
        )
        probs = np.asarray(probs)
        self.input.set_data(np.asarray(moved))
        self.maps1.set_data(np.asarray(m1))
        self.maps2.set_data(np.asarray(m2))
        best = int(np.argmax(probs))
        for k, (bar, p) in enumerate(zip(self.bars.patches, probs)):
            bar.set_height(float(p))
            bar.set_color("C3" if k == best else "C0")
        self.title.set_text(f"predicted {best} (p = {probs[best]:.2f})")
        truth = "" if self.labels is None else f" (label {int(self.labels[i])})"
        return (
            f"digit {i}{truth}, shifted {dy:+d} rows and {dx:+d} columns, rotated {theta:+.0f} degrees: "
            f"predicted {best} with probability {probs[best]:.2f}"
        )


def lenet_explorer(model: Model | None = None, params: Any = None, images: Any = None, labels: Any = None):
    """Sliders for the digit, its shift (-4 to 4 pixels along each axis) and its rotation (-90 to 90 degrees).

    Parameters
    ----------
    model, params : Model and its trained parameters, optional
        From :func:`cnnlib.lenet.lenet` and :func:`cnnlib.lenet.train`.
        Omit both to use :func:`default_net` (trained on first use).
    images : array, shape (N, 28, 28), values in [0, 1]
        The digits to choose from (the slider offers the first 100).
    labels : array, shape (N,), optional
        Shown in the readout.

    Returns
    -------
    ipywidgets.VBox
        ``.update(digit, shift_y, shift_x, angle)`` is the plain update function.
    """
    import ipywidgets as w

    state = _LeNetState(model, params, images, labels)
    state.canvas.animate(*state.artists())
    controls = {
        "digit": w.IntSlider(value=0, min=0, max=min(len(state.images), 100) - 1, description="digit"),
        "shift_y": w.IntSlider(value=0, min=-MAX_SHIFT, max=MAX_SHIFT, description="shift down"),
        "shift_x": w.IntSlider(value=0, min=-MAX_SHIFT, max=MAX_SHIFT, description="shift right"),
        "angle": w.IntSlider(value=0, min=-MAX_ANGLE, max=MAX_ANGLE, step=15, description="rotate (deg)"),
    }
    box = explorer(controls, state.update, state.canvas, title="A trained LeNet: move the digit, watch the maps and the probabilities")
    box.update = state.update
    return box


def lenet_figure(
    model: Model | None = None,
    params: Any = None,
    images: Any = None,
    labels: Any = None,
    *,
    digit: int = 0,
    shift_y: int = 0,
    shift_x: int = 0,
    angle: float = 0.0,
):
    """One frame of :func:`lenet_explorer` as a static figure; returns ``(figure, readout)``."""
    state = _LeNetState(model, params, images, labels)
    text = state.update(digit=digit, shift_y=shift_y, shift_x=shift_x, angle=angle)
    return state.canvas.fig, text
