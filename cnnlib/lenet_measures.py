"""What notebook 06 measures on a trained LeNet: probabilities, shift equivariance, invariance, receptive field.

Part of :mod:`cnnlib.lenet` (its names are re-exported there, so write
``lenet.probability_change(...)``); kept apart so each file stays short.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import as_float_array, check_finite, check_int, check_ndim, describe
from .aliasing import max_blur_pool2d
from .conv import conv2d
from .lenet_model import Model, Params, _check_digits, _check_params, _kind, _pool
from .pool import max_pool2d
from .transforms import shift

__all__ = ["probabilities", "first_layer_equivariance", "probability_change", "gradient_support"]


@partial(jax.jit, static_argnames=("apply",))
def _probabilities(apply, params: Params, x: jax.Array) -> jax.Array:
    return jax.nn.softmax(apply(params, x), axis=-1)


def probabilities(model: Model, params: Params, x: Any) -> jax.Array:
    """Class probabilities, softmax of the logits: (N, 10), each row sums to 1."""
    _check_params(params, _kind(model))
    x = _check_digits(x)
    return _probabilities(model.apply, params, x)


def _shifts(shifts: Any, limit: int) -> list[int]:
    """A non-empty list of whole shifts, 0 to ``limit`` pixels."""
    if not isinstance(shifts, (list, tuple, range, np.ndarray)) or len(shifts) == 0:
        raise ValueError(f"`shifts` must be a non-empty list of shifts in pixels; got {describe(shifts)}.")
    return [check_int(s, "shifts", minimum=0, maximum=limit) for s in shifts]


@jax.jit
def _torus_maps(params: Params, x: jax.Array) -> jax.Array:
    """The trained first layer on the torus: circular padding keeps all 28 x 28 positions."""
    c1 = params[0]
    return jax.nn.relu(conv2d(x[:, None], c1["w"], padding="same", boundary="circular") + c1["b"][:, None, None])


def _torus_pool(maps: jax.Array, kind: str) -> jax.Array:
    if kind == "max":
        return max_pool2d(maps, 2)
    return max_blur_pool2d(maps, 2, filter_size=3, boundary="circular")


def _relative(a: jax.Array, b: jax.Array) -> float:
    return float(jnp.linalg.norm(a - b) / jnp.linalg.norm(b))


def first_layer_equivariance(model: Model, params: Params, x: Any, shifts: Sequence[int]) -> dict[str, np.ndarray]:
    """How well the first feature maps follow a circular shift of the input, before and after the net's pooling.

    The trained first layer is computed on the torus (circular padding), so
    that a circular shift of the input is a symmetry of the layer. For each
    shift ``s`` (to the right): ``before[i]`` is ``||F(S_s x) - S_s F(x)|| /
    ||F(x)||`` for the conv + ReLU maps ``F``, ``after[i]`` the same for the
    pooled maps (the model's pooling, circular), measured against the better of
    the output shifts ``floor(s/2)`` and ``ceil(s/2)``.
    """
    kind = _kind(model)
    _check_params(params, kind)
    x = as_float_array(x, "x")
    check_ndim(x, 3, "x", "(N, H, W)")
    if x.shape[0] == 0 or min(x.shape[1:]) < 5:
        raise ValueError(f"`x` must hold at least one image of at least 5x5 (the kernels); got shape {tuple(x.shape)}.")
    check_finite(x, "x")
    shifts = _shifts(shifts, x.shape[-1])
    maps = _torus_maps(params, x)  # (N, 6, H, W)
    pooled = _torus_pool(maps, kind)  # (N, 6, H/2, W/2)
    before, after = [], []
    for s in shifts:
        moved = _torus_maps(params, shift(x, 0, s))
        before.append(_relative(moved, shift(maps, 0, s)))
        pm = _torus_pool(moved, kind)
        after.append(min(_relative(pm, shift(pooled, 0, t)) for t in sorted({s // 2, -(-s // 2)})))
    return {"shifts": np.asarray(shifts), "before": np.asarray(before), "after": np.asarray(after)}


def probability_change(model: Model, params: Params, x: Any, shifts: Sequence[int]) -> dict[str, np.ndarray]:
    """How much the class probabilities change when the digits move right by ``s`` pixels (zeros enter).

    Returns ``{"shifts", "change", "same"}``: ``change[i]`` is the mean over
    the digits of half the L1 distance between the two probability vectors
    (the total-variation distance, 0 to 1); ``same[i]`` the fraction of
    digits whose predicted class stays the same.
    """
    x = _check_digits(x, "x", (3,))
    shifts = _shifts(shifts, x.shape[-1])
    base = probabilities(model, params, x)  # (N, 10)
    change, same = [], []
    for s in shifts:
        moved = probabilities(model, params, shift(x, 0, s, boundary="zeros"))
        change.append(float(0.5 * jnp.abs(moved - base).sum(axis=1).mean()))
        same.append(float(jnp.mean(jnp.argmax(moved, axis=1) == jnp.argmax(base, axis=1))))
    return {"shifts": np.asarray(list(shifts)), "change": np.asarray(change), "same": np.asarray(same)}


@partial(jax.jit, static_argnames=("kind", "unit"))
def _unit_grads(params: Params, x: jax.Array, kind: str, unit: tuple[int, int, int]) -> jax.Array:
    c, i, j = unit

    def value(img):  # one second-layer unit, before its ReLU would hide a negative input
        c1, c2 = params[0], params[1]
        a1 = jax.nn.relu(conv2d(img[None, None], c1["w"]) + c1["b"][:, None, None])
        z2 = conv2d(_pool(a1, kind), c2["w"]) + c2["b"][:, None, None]  # (1, 16, 8, 8)
        return z2[0, c, i, j]

    return jax.vmap(jax.grad(value))(x)  # (N, 28, 28)


def gradient_support(model: Model, params: Params, x: Any, unit: tuple[int, int, int]) -> np.ndarray:
    """Where the gradient of one second-layer unit (channel, row, col) is non-zero for any of the images ``x``.

    Returns a boolean (28, 28) mask: the union over the images of the pixels
    that moved the unit. Max pooling passes the gradient through one pixel
    per window and the ReLU blocks some paths, so one image shows only part
    of the receptive field; many random images together show all of it.
    """
    kind = _kind(model)
    _check_params(params, kind)
    x = _check_digits(x, "x", (3,))
    if not (isinstance(unit, (tuple, list)) and len(unit) == 3):
        raise ValueError(f"`unit` must be (channel, row, col) of a second-layer unit; got {describe(unit)}.")
    channels = params[1]["w"].shape[0]
    unit = tuple(check_int(u, "unit", minimum=0, maximum=m - 1) for u, m in zip(unit, (channels, 8, 8)))
    return np.asarray(jnp.any(_unit_grads(params, x, kind, unit) != 0, axis=0))
