"""The model of :mod:`cnnlib.nets`: :class:`Model`, the builders and the layer initialisers.

Read :mod:`cnnlib.nets` first; it re-exports everything here.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import MAX_ELEMENTS, check_bool, check_int, check_key, check_positive_int, check_size, describe, ntuple
from .conv import conv2d, conv_output_size
from .pool import max_pool2d
from .sharing import locally_connected2d

__all__ = [
    "Model",
    "dense_net",
    "conv_net",
    "locally_connected_net",
    "init_dense",
    "init_conv",
    "init_local",
    "as_nchw",
    "count_params",
]

Params = Any  # a pytree of arrays

#: The most units one layer may have (channels, hidden units, classes): beyond it a net is a typo, not a lesson.
MAX_WIDTH = 100_000


class Model(NamedTuple):
    """A functional model: ``init(key) -> params`` and ``apply(params, x) -> logits``.

    ``name`` is used in progress bars and figure legends; ``in_shape`` is the
    shape of one example, ``(C, H, W)``.
    """

    name: str
    init: Callable[[jax.Array], Params]
    apply: Callable[[Params, jax.Array], jax.Array]
    in_shape: tuple[int, ...] = ()


# ---------------------------------------------------------------- layers


def init_dense(key: jax.Array, n_in: int, n_out: int) -> dict[str, jax.Array]:
    """He-initialised dense layer: ``w`` (n_in, n_out), ``b`` (n_out,) of zeros."""
    n_in, n_out = (check_int(v, name, minimum=1, maximum=MAX_ELEMENTS) for v, name in ((n_in, "n_in"), (n_out, "n_out")))
    check_size(n_in * n_out, "n_in` x `n_out", "the weights")
    w = jax.random.normal(check_key(key), (n_in, n_out), jnp.float32) * math.sqrt(2.0 / n_in)
    return {"w": w, "b": jnp.zeros((n_out,), jnp.float32)}


def init_conv(key: jax.Array, c_in: int, c_out: int, kernel: int | tuple[int, int]) -> dict[str, jax.Array]:
    """He-initialised conv layer: ``w`` (C_out, C_in, kH, kW) (OIHW), ``b`` (C_out,)."""
    c_in, c_out = (check_int(v, name, minimum=1, maximum=MAX_ELEMENTS) for v, name in ((c_in, "c_in"), (c_out, "c_out")))
    kh, kw = (check_int(k, "kernel", maximum=MAX_ELEMENTS) for k in ntuple(kernel, 2, "kernel"))
    fan_in = c_in * kh * kw
    check_size(c_out * fan_in, "c_out` x `c_in` x `kernel", "the weights")
    w = jax.random.normal(check_key(key), (c_out, c_in, kh, kw), jnp.float32) * math.sqrt(2.0 / fan_in)
    return {"w": w, "b": jnp.zeros((c_out,), jnp.float32)}


def init_local(
    key: jax.Array, c_in: int, c_out: int, kernel: int | tuple[int, int], out_hw: tuple[int, int]
) -> dict[str, jax.Array]:
    """He-initialised locally connected layer (a separate filter at every output position).

    ``w`` has shape (H', W', C_out, C_in, kH, kW) and ``b`` shape (C_out, H', W'):
    one bias per output unit, as every position owns its filter.
    """
    c_in, c_out = (check_int(v, name, minimum=1, maximum=MAX_ELEMENTS) for v, name in ((c_in, "c_in"), (c_out, "c_out")))
    kh, kw = ntuple(kernel, 2, "kernel")
    oh, ow = (check_int(v, "out_hw", maximum=MAX_ELEMENTS) for v in ntuple(out_hw, 2, "out_hw"))
    fan_in = c_in * kh * kw
    check_size(oh * ow * c_out * fan_in, "out_hw` x `c_out` x `c_in` x `kernel", "the weights")
    w = jax.random.normal(check_key(key), (oh, ow, c_out, c_in, kh, kw), jnp.float32) * math.sqrt(2.0 / fan_in)
    return {"w": w, "b": jnp.zeros((c_out, oh, ow), jnp.float32)}


def as_nchw(x: jax.Array) -> jax.Array:
    """Add the channel axis to a batch of grey images: (N, H, W) -> (N, 1, H, W); (N, C, H, W) passes."""
    if not hasattr(x, "ndim") or x.ndim not in (3, 4):
        raise ValueError(f"`x` must be a batch of images, (N, H, W) or (N, C, H, W); got {describe(x)}.")
    return x[:, None] if x.ndim == 3 else x


def _dense(p: dict[str, jax.Array], x: jax.Array) -> jax.Array:
    return x @ p["w"] + p["b"]


def _check_in_shape(in_shape: Sequence[int]) -> tuple[int, int, int]:
    if not isinstance(in_shape, (tuple, list)):
        raise ValueError(f"`in_shape` must be (H, W) or (C, H, W); got {describe(in_shape)}.")
    shape = tuple(in_shape)
    if len(shape) == 2:
        shape = (1, *shape)
    if len(shape) != 3:
        raise ValueError(f"`in_shape` must be (H, W) or (C, H, W); got {tuple(in_shape)}.")
    shape = tuple(check_int(s, "in_shape", minimum=1, maximum=MAX_ELEMENTS) for s in shape)
    check_size(math.prod(shape), "in_shape", "one example")
    return shape  # type: ignore[return-value]


def _check_widths(values: Any, name: str) -> list[int]:
    """A sequence of layer widths (may be empty), each a positive int."""
    if not isinstance(values, (tuple, list)):
        raise TypeError(f"`{name}` must be a sequence of layer widths such as (8,); got {describe(values)}.")
    return [check_int(n, name, minimum=1, maximum=MAX_WIDTH) for n in values]


# ---------------------------------------------------------------- models


def dense_net(in_shape: Sequence[int] = (1, 24, 24), hidden: Sequence[int] = (64,), n_classes: int = 10) -> Model:
    """A fully connected net: flatten, ``len(hidden)`` ReLU layers, a linear read-out.

    Parameters
    ----------
    in_shape : (H, W) or (C, H, W)
        Shape of one example.
    hidden : sequence of int
        Widths of the hidden layers.
    n_classes : int
        Number of outputs (logits).

    Examples
    --------
    >>> model = dense_net((1, 8, 8), hidden=(4,), n_classes=3)
    >>> count_params(model.init(jax.random.key(0)))    # (64 + 1) * 4 + (4 + 1) * 3
    275
    """
    c, h, w = _check_in_shape(in_shape)
    widths = [c * h * w, *_check_widths(hidden, "hidden"), check_int(n_classes, "n_classes", minimum=1, maximum=MAX_WIDTH)]
    for a, b in zip(widths[:-1], widths[1:]):
        check_size(a * b, "in_shape` / `hidden` / `n_classes", "a dense layer's weights")

    def init(key: jax.Array) -> Params:
        keys = jax.random.split(key, len(widths) - 1)
        return [init_dense(k, a, b) for k, a, b in zip(keys, widths[:-1], widths[1:])]

    def apply(params: Params, x: jax.Array) -> jax.Array:
        x = as_nchw(x).reshape(x.shape[0], -1)  # (N, C*H*W)
        for layer in params[:-1]:
            x = jax.nn.relu(_dense(layer, x))
        return _dense(params[-1], x)  # (N, n_classes)

    return Model("dense", init, apply, (c, h, w))


def _conv_like_net(kind: str, in_shape, channels, kernel, pool, n_classes, global_pool) -> Model:
    c, h, w = _check_in_shape(in_shape)
    channels = _check_widths(channels, "channels")
    if not channels:
        raise ValueError("`channels` must list at least one conv layer; got none.")
    kernel = check_int(kernel, "kernel", minimum=1, maximum=min(h, w))
    pool = check_int(pool, "pool", minimum=1, maximum=min(h, w))
    n_classes = check_int(n_classes, "n_classes", minimum=1, maximum=MAX_WIDTH)
    # Shapes through the stack: conv 'valid' then pool, layer by layer.
    shapes = []  # (C_in, C_out, conv output (H', W'))
    c_in = c
    for c_out in channels:
        if min(h, w) < kernel or min(h, w) - kernel + 1 < pool:
            raise ValueError(f"`in_shape` {tuple(in_shape)} is too small for {len(channels)} layers of {kernel}x{kernel} kernels "
                             f"(`kernel`) with {pool}x{pool} pooling (`pool`).")
        oh, ow = (conv_output_size(n, kernel, stride=1, padding="valid", dilation=1) for n in (h, w))
        per_filter = c_in * kernel * kernel * c_out
        check_size(per_filter * (oh * ow if kind == "local" else 1), "channels", "a layer's weights")
        check_size(c_out * oh * ow, "in_shape", "one example's feature maps")
        shapes.append((c_in, c_out, (oh, ow)))
        h, w = oh // pool, ow // pool
        c_in = c_out
    if global_pool:
        h, w = 1, 1
    n_flat = c_in * h * w
    check_size(n_flat * n_classes, "n_classes", "the read-out's weights")

    def init(key: jax.Array) -> Params:
        keys = jax.random.split(key, len(shapes) + 1)
        if kind == "conv":
            layers = [init_conv(k, a, b, kernel) for k, (a, b, _) in zip(keys, shapes)]
        else:
            layers = [init_local(k, a, b, kernel, hw) for k, (a, b, hw) in zip(keys, shapes)]
        return {"features": layers, "head": init_dense(keys[-1], n_flat, n_classes)}

    def apply(params: Params, x: jax.Array) -> jax.Array:
        x = as_nchw(x)  # (N, C, H, W)
        for layer in params["features"]:
            if kind == "conv":
                x = conv2d(x, layer["w"]) + layer["b"][:, None, None]  # (N, C_out, H', W')
            else:
                x = locally_connected2d(x, layer["w"]) + layer["b"]  # (N, C_out, H', W')
            x = jax.nn.relu(x)
            if pool > 1:
                x = max_pool2d(x, pool)  # (N, C_out, H'/pool, W'/pool)
        if global_pool:
            x = max_pool2d(x, x.shape[-2:])  # (N, C, 1, 1): the largest response anywhere
        x = x.reshape(x.shape[0], -1)  # (N, n_flat)
        return _dense(params["head"], x)

    name = "conv" if kind == "conv" else "locally connected"
    return Model(name, init, apply, _check_in_shape(in_shape))


def conv_net(
    in_shape: Sequence[int] = (1, 24, 24),
    channels: Sequence[int] = (8,),
    kernel: int = 5,
    pool: int = 2,
    n_classes: int = 10,
    global_pool: bool = False,
) -> Model:
    """A small CNN: per layer ``cl.conv2d`` ('valid') + bias, ReLU, ``cl.max_pool2d``; then a dense read-out.

    Parameters
    ----------
    in_shape : (H, W) or (C, H, W)
        Shape of one example.
    channels : sequence of int
        Output channels of each conv layer.
    kernel : int
        Kernel size (square) of every conv layer.
    pool : int
        Max-pooling window and stride after each layer (1: no pooling).
    n_classes : int
        Number of outputs (logits).
    global_pool : bool
        Max-pool the last feature map over all positions before the read-out,
        so the head sees *whether* a feature occurs, not *where*.

    See Also
    --------
    locally_connected_net : the same architecture without weight sharing.

    Examples
    --------
    >>> model = conv_net((1, 8, 8), channels=(2,), kernel=3, pool=2, n_classes=3)
    >>> count_params(model.init(jax.random.key(0)))    # 2 * (9 + 1) + (2 * 3 * 3 + 1) * 3
    77
    """
    return _conv_like_net("conv", in_shape, channels, kernel, pool, n_classes, check_bool(global_pool, "global_pool"))


def locally_connected_net(
    in_shape: Sequence[int] = (1, 24, 24),
    channels: Sequence[int] = (8,),
    kernel: int = 5,
    pool: int = 2,
    n_classes: int = 10,
    global_pool: bool = False,
) -> Model:
    """:func:`conv_net` with every conv layer replaced by an unshared (locally connected) one.

    Same receptive fields, same shapes, same number of units; only the weight
    sharing is gone, so each of the H' x W' positions has its own filters.

    Examples
    --------
    >>> model = locally_connected_net((1, 8, 8), channels=(2,), kernel=3, pool=2, n_classes=3)
    >>> count_params(model.init(jax.random.key(0)))    # 36 * 2 * (9 + 1) + (2 * 3 * 3 + 1) * 3
    777
    """
    return _conv_like_net("local", in_shape, channels, kernel, pool, n_classes, check_bool(global_pool, "global_pool"))


def count_params(params: Params) -> int:
    """Total number of scalars in a params pytree (counts the actual arrays).

    Examples
    --------
    >>> count_params({"w": jnp.zeros((2, 3)), "b": [jnp.zeros(4)]})
    10
    """
    leaves = jax.tree_util.tree_leaves(params)
    numeric = lambda leaf: hasattr(leaf, "shape") or (isinstance(leaf, (int, float, np.number)) and not isinstance(leaf, bool))  # noqa: E731
    if params is None or not leaves or not all(numeric(leaf) for leaf in leaves):
        raise TypeError(f"`params` must be a pytree of arrays, e.g. model.init(key); got {describe(params)}.")
    return int(sum(math.prod(np.shape(leaf)) for leaf in leaves))
