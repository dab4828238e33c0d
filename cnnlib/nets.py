"""Tiny functional networks and one training loop (pure JAX + optax).

A model is a pair of plain functions bundled in a :class:`Model`::

    params = model.init(key)            # a pytree of arrays (dicts of "w", "b")
    logits = model.apply(params, x)     # x (N, H, W) or (N, C, H, W) -> (N, n_classes)

Every builder below (:func:`dense_net`, :func:`conv_net`,
:func:`locally_connected_net`) returns such a model, and :func:`train` and
:func:`accuracy` work with any of them. To add a model of your own, write the
two functions, reuse the layer initialisers (:func:`init_dense`,
:func:`init_conv`, :func:`init_local`) and wrap them::

    def my_net(in_shape=(1, 24, 24)):
        def init(key):
            ...
        def apply(params, x):
            x = as_nchw(x)                 # (N, C, H, W)
            ...
        return Model("my net", init, apply)

The training step is compiled once per model (and batch shape, learning rate)
and reused across calls, so training the same model on several training-set
sizes costs one compilation.

This module imports optax, so it is loaded lazily as ``cl.nets``.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ._validate import as_float_array, check_int, check_key, check_ndim, check_positive_int, check_real, ntuple
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
    "train",
    "accuracy",
    "predict",
    "digits_cnn",
    "digits_shift_experiment",
]

Params = Any  # a pytree of arrays


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
    w = jax.random.normal(key, (n_in, n_out), jnp.float32) * math.sqrt(2.0 / n_in)
    return {"w": w, "b": jnp.zeros((n_out,), jnp.float32)}


def init_conv(key: jax.Array, c_in: int, c_out: int, kernel: int | tuple[int, int]) -> dict[str, jax.Array]:
    """He-initialised conv layer: ``w`` (C_out, C_in, kH, kW) (OIHW), ``b`` (C_out,)."""
    kh, kw = ntuple(kernel, 2, "kernel")
    fan_in = c_in * kh * kw
    w = jax.random.normal(key, (c_out, c_in, kh, kw), jnp.float32) * math.sqrt(2.0 / fan_in)
    return {"w": w, "b": jnp.zeros((c_out,), jnp.float32)}


def init_local(
    key: jax.Array, c_in: int, c_out: int, kernel: int | tuple[int, int], out_hw: tuple[int, int]
) -> dict[str, jax.Array]:
    """He-initialised locally connected layer (a separate filter at every output position).

    ``w`` has shape (H', W', C_out, C_in, kH, kW) and ``b`` shape (C_out, H', W'):
    one bias per output unit, as every position owns its filter.
    """
    kh, kw = ntuple(kernel, 2, "kernel")
    oh, ow = out_hw
    fan_in = c_in * kh * kw
    w = jax.random.normal(key, (oh, ow, c_out, c_in, kh, kw), jnp.float32) * math.sqrt(2.0 / fan_in)
    return {"w": w, "b": jnp.zeros((c_out, oh, ow), jnp.float32)}


def as_nchw(x: jax.Array) -> jax.Array:
    """Add the channel axis to a batch of grey images: (N, H, W) -> (N, 1, H, W)."""
    return x[:, None] if x.ndim == 3 else x


def _dense(p: dict[str, jax.Array], x: jax.Array) -> jax.Array:
    return x @ p["w"] + p["b"]


def _check_in_shape(in_shape: Sequence[int]) -> tuple[int, int, int]:
    shape = tuple(in_shape)
    if len(shape) == 2:
        shape = (1, *shape)
    if len(shape) != 3:
        raise ValueError(f"`in_shape` must be (H, W) or (C, H, W); got {tuple(in_shape)}.")
    return tuple(check_positive_int(s, "in_shape") for s in shape)  # type: ignore[return-value]


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
    widths = [c * h * w, *(check_positive_int(n, "hidden") for n in hidden), check_positive_int(n_classes, "n_classes")]

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
    channels = [check_positive_int(n, "channels") for n in channels]
    kernel = check_positive_int(kernel, "kernel")
    pool = check_positive_int(pool, "pool")
    n_classes = check_positive_int(n_classes, "n_classes")
    # Shapes through the stack: conv 'valid' then pool, layer by layer.
    shapes = []  # (C_in, C_out, conv output (H', W'))
    c_in = c
    for c_out in channels:
        if min(h, w) < kernel or min(h, w) - kernel + 1 < pool:
            raise ValueError(f"`in_shape` {tuple(in_shape)} is too small for {len(channels)} layers of {kernel}x{kernel} kernels with {pool}x{pool} pooling.")
        oh, ow = (conv_output_size(n, kernel, stride=1, padding="valid", dilation=1) for n in (h, w))
        shapes.append((c_in, c_out, (oh, ow)))
        h, w = oh // pool, ow // pool
        c_in = c_out
    if global_pool:
        h, w = 1, 1
    n_flat = c_in * h * w

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
    return _conv_like_net("conv", in_shape, channels, kernel, pool, n_classes, bool(global_pool))


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
    return _conv_like_net("local", in_shape, channels, kernel, pool, n_classes, bool(global_pool))


def count_params(params: Params) -> int:
    """Total number of scalars in a params pytree (counts the actual arrays)."""
    return int(sum(np.prod(np.shape(leaf), dtype=np.int64) for leaf in jax.tree_util.tree_leaves(params)))


# ---------------------------------------------------------------- training

_STEP_CACHE: dict[tuple[Any, ...], Any] = {}
_APPLY_CACHE: dict[Callable[..., Any], Callable[..., jax.Array]] = {}


def _train_step(model: Model, lr: float) -> tuple[optax.GradientTransformation, Callable[..., Any]]:
    """The optimiser and one jitted Adam step for ``model``; built once per (model, lr)."""
    cache_key = (model.apply, lr)  # holding the function keeps its identity unique
    if cache_key in _STEP_CACHE:
        return _STEP_CACHE[cache_key]
    optimiser = optax.adam(lr)

    def loss_fn(params: Params, xb: jax.Array, yb: jax.Array) -> jax.Array:
        logits = model.apply(params, xb)  # (B, n_classes)
        return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

    @jax.jit
    def step(params: Params, opt_state: Any, xb: jax.Array, yb: jax.Array):
        loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
        updates, opt_state = optimiser.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    _STEP_CACHE[cache_key] = (optimiser, step)
    return optimiser, step


def _check_data(x: Any, y: Any, xname: str = "data[0]", yname: str = "data[1]") -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(as_float_array(x, xname))
    check_ndim(x, {3, 4}, xname, "(N, H, W) or (N, C, H, W)")
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.integer) or y.shape != (x.shape[0],):
        raise ValueError(
            f"`{yname}` must be integer labels of shape ({x.shape[0]},); got {y.shape} and dtype {y.dtype}."
        )
    return x, y.astype(np.int32)


def train(
    model: Model,
    params: Params,
    data: tuple[Any, Any],
    *,
    key: jax.Array,
    epochs: int = 20,
    batch_size: int = 32,
    lr: float = 3e-3,
    progress: bool = True,
) -> tuple[Params, np.ndarray]:
    """Train ``model`` with Adam on softmax cross-entropy; deterministic given ``key``.

    Each epoch visits every example once in an order drawn from
    ``jax.random.fold_in(key, epoch)``. Every batch has exactly ``batch_size``
    examples (the last one is topped up from the start of the epoch's order),
    so the step is compiled once and reused.

    Parameters
    ----------
    model : Model
        From :func:`dense_net`, :func:`conv_net`, ... or your own.
    params : pytree
        Initial parameters, ``model.init(key)``.
    data : (x, y)
        Images (N, H, W) or (N, C, H, W) and integer labels (N,).
    key : jax.Array
        Decides the order of the examples.
    epochs, batch_size : int
        Passes over the data; examples per step (at most N).
    lr : float
        Adam's learning rate.
    progress : bool
        Show a tqdm progress bar (its text varies between runs: in a notebook
        cell, add ``# NBVAL_IGNORE_OUTPUT`` or pass ``progress=False``).

    Returns
    -------
    params : pytree
        The trained parameters.
    losses : ndarray of shape (epochs,)
        Mean training loss of each epoch.

    Raises
    ------
    ValueError
        If ``data`` is not (images, labels) with matching lengths.
    """
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise ValueError(f"`data` must be a pair (x, y) of images and labels; got {type(data).__name__}.")
    x, y = _check_data(*data)
    key = check_key(key)
    epochs = check_int(epochs, "epochs", minimum=0)
    batch_size = min(check_positive_int(batch_size, "batch_size"), x.shape[0])
    lr = check_real(lr, "lr", minimum=0.0, min_inclusive=False)

    optimiser, step = _train_step(model, lr)
    opt_state = optimiser.init(params)
    n = x.shape[0]
    steps = -(-n // batch_size)
    losses = np.zeros(epochs)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc=f"training {model.name} net", unit="epoch")
    for epoch in range(epochs):
        order = np.asarray(jax.random.permutation(jax.random.fold_in(key, epoch), n))
        order = np.concatenate([order, order[: steps * batch_size - n]])  # (steps * B,)
        total = 0.0
        for s in range(steps):
            idx = order[s * batch_size : (s + 1) * batch_size]
            params, opt_state, loss = step(params, opt_state, x[idx], y[idx])
            total += float(loss)
        losses[epoch] = total / steps
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{losses[epoch]:.3f}")
    if bar is not None:
        bar.close()
    return params, losses


@jax.jit
def _count_correct(logits: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.sum(jnp.argmax(logits, axis=-1) == y)


def _jitted_apply(model: Model) -> Callable[..., jax.Array]:
    if model.apply not in _APPLY_CACHE:
        _APPLY_CACHE[model.apply] = jax.jit(model.apply)
    return _APPLY_CACHE[model.apply]


def predict(model: Model, params: Params, x: Any, *, batch_size: int = 512) -> np.ndarray:
    """Predicted class of each example, computed in batches: (N,) int.

    Every batch has the same size, the smallest power of two that holds all
    of ``x`` or ``batch_size`` if that is smaller; the last batch is topped
    up with zeros (their predictions are dropped). So calls with many
    different N compile the model only a few times.
    """
    x = np.asarray(as_float_array(x, "x"))
    check_ndim(x, {3, 4}, "x", "(N, H, W) or (N, C, H, W)")
    batch_size = check_positive_int(batch_size, "batch_size")
    n = len(x)
    if n == 0:
        return np.zeros((0,), np.int32)
    size = min(batch_size, 1 << (n - 1).bit_length())  # (n - 1).bit_length(): 2**that >= n
    apply = _jitted_apply(model)
    out = []
    for i in range(0, n, size):
        chunk = x[i : i + size]  # (<= size, ...)
        real = len(chunk)
        if real < size:
            chunk = np.concatenate([chunk, np.zeros((size - real, *chunk.shape[1:]), chunk.dtype)])  # (size, ...)
        out.append(np.asarray(jnp.argmax(apply(params, chunk), axis=-1))[:real])
    return np.concatenate(out)


def accuracy(model: Model, params: Params, x: Any, y: Any) -> float:
    """Fraction of examples whose largest logit is the true label.

    Examples
    --------
    >>> model = dense_net((1, 2, 2), hidden=(), n_classes=2)
    >>> params = [{"w": jnp.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 1.0]]), "b": jnp.zeros(2)}]
    >>> x = jnp.array([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 1.0]]])
    >>> accuracy(model, params, x, jnp.array([0, 0]))
    0.5
    """
    x, y = _check_data(x, y, "x", "y")
    return float(np.mean(predict(model, params, x) == y))


# --- aliasing: digits CNN with selectable downsampling ---
#: The downsampling choices of :func:`digits_cnn` (Zhang 2019, notebook 05).
DOWNSAMPLINGS = ("max", "maxblur", "strided", "strided_blur")


def _digits_cnn_forward(params: Params, x: jax.Array, use_max: bool, return_features: bool) -> Any:
    """conv 3x3 + ReLU, then [max 2x2 with stride 1], blur with ``params['blur']``, keep every 2nd sample; repeat."""
    from .aliasing import _blur_subsample

    blur = jax.lax.stop_gradient(params["blur"])  # (7,), fixed: not learned
    x = as_nchw(x)  # (N, C, H, W)
    maps = []
    convs = params["convs"]
    for i, layer in enumerate(convs):
        x = jax.nn.relu(conv2d(x, layer["w"], padding="same") + layer["b"][:, None, None])  # (N, C_i, H_i, W_i)
        if i == len(convs) - 1:
            break
        if use_max:  # max over 2x2 windows, stride 1; the -inf row/column at the end keeps the size
            x = max_pool2d(x, 2, stride=1, padding=((0, 1), (0, 1)))
        x = _blur_subsample(x, blur, stride=(2, 2), boundary="reflect")  # (N, C_i, H_i / 2, W_i / 2)
        maps.append(x)
    if return_features:
        return maps
    return _dense(params["head"], x.mean(axis=(-2, -1)))  # global average pool (N, C), then (N, n_classes)


@partial(jax.jit, static_argnames=("widths", "n_classes"))
def _digits_cnn_init(key: jax.Array, widths: tuple[int, ...], n_classes: int) -> tuple[list[dict[str, jax.Array]], dict[str, jax.Array]]:
    """He-initialised 3x3 convs ``widths[i] -> widths[i + 1]`` and the dense head; one compilation instead of one per shape."""
    keys = jax.random.split(key, len(widths))
    convs = [init_conv(kk, a, b, 3) for kk, a, b in zip(keys, widths[:-1], widths[1:])]
    return convs, init_dense(keys[-1], widths[-1], n_classes)


def _max_family_apply(params: Params, x: jax.Array, return_features: bool = False) -> Any:
    return _digits_cnn_forward(params, x, True, return_features)


def _conv_family_apply(params: Params, x: jax.Array, return_features: bool = False) -> Any:
    return _digits_cnn_forward(params, x, False, return_features)


def digits_cnn(
    downsampling: str = "max",
    filter_size: int = 3,
    *,
    in_shape: Sequence[int] = (1, 24, 24),
    channels: Sequence[int] = (8, 16, 32),
    n_classes: int = 10,
) -> Model:
    """A small all-convolutional digits classifier whose downsampling is selectable (Zhang 2019).

    ``len(channels) - 1`` blocks of 3x3 conv ('same', zero padding) + ReLU +
    a factor-2 downsampling, one more 3x3 conv + ReLU, global average
    pooling and a dense read-out. The downsampling is one of

    * ``'max'``: ``max_pool2d(size=2)``, the baseline;
    * ``'maxblur'``: MaxBlurPool, max over 2x2 windows with stride 1, a
      binomial blur of ``filter_size`` taps, every second sample
      (``filter_size=1`` is the baseline again);
    * ``'strided'``: a stride-2 conv (computed as the stride-1 conv followed
      by keeping every second sample, which is the same thing);
    * ``'strided_blur'``: stride-1 conv, ReLU, then ``blur_pool2d(filter_size=k)``.

    The blur filter is stored in ``params['blur']`` (7 taps, zero-padded;
    its gradient is stopped, so training leaves it fixed). All 'max' and
    'maxblur' models share one ``apply`` function, and so do the two strided
    ones: training every variant compiles only two training steps.

    Parameters
    ----------
    downsampling : {'max', 'maxblur', 'strided', 'strided_blur'}
    filter_size : int
        Taps of the binomial blur, 1 to 7 (ignored by 'max' and 'strided').
    in_shape : (H, W) or (C, H, W)
        Shape of one example.
    channels : sequence of int
        Output channels of each conv layer (at least 2 layers).
    n_classes : int

    Returns
    -------
    Model
        ``apply(params, x, return_features=False)``; with ``return_features=True``
        it returns the list of maps after each downsampling (for
        :func:`cnnlib.aliasing.shift_equivariance_errors`).

    Examples
    --------
    >>> model = digits_cnn("maxblur", 5, in_shape=(1, 8, 8), channels=(2, 3), n_classes=4)
    >>> model.name
    'MaxBlurPool-5'
    >>> params = model.init(jax.random.key(0))
    >>> params["blur"] * 16                          # [1, 4, 6, 4, 1] / 16 inside 7 taps
    Array([0., 1., 4., 6., 4., 1., 0.], dtype=float32)
    >>> count_params(params)                        # (9 + 1) * 2 + (2 * 9 + 1) * 3 + (3 + 1) * 4 + 7 fixed taps
    100
    >>> model.apply(params, jnp.zeros((5, 8, 8))).shape
    (5, 4)
    """
    from ._validate import check_choice
    from .aliasing import _check_filter_size, _padded_filter

    check_choice(downsampling, DOWNSAMPLINGS, "downsampling")
    k = _check_filter_size(filter_size)
    if downsampling in ("max", "strided"):
        k = 1
    c, h, w = _check_in_shape(in_shape)
    channels = [check_positive_int(n, "channels") for n in channels]
    if len(channels) < 2:
        raise ValueError(f"`channels` must list at least 2 conv layers; got {tuple(channels)}.")
    n_classes = check_positive_int(n_classes, "n_classes")
    n_down = len(channels) - 1
    if min(h, w) < 2 ** (n_down + 1):
        raise ValueError(f"`in_shape` {tuple(in_shape)} is too small for {n_down} factor-2 downsamplings.")
    widths = [c, *channels]
    blur = jnp.asarray(_padded_filter(k))

    def init(key: jax.Array) -> Params:
        convs, head = _digits_cnn_init(check_key(key), tuple(widths), n_classes)  # compiled once per widths, for every variant
        return {"convs": convs, "head": head, "blur": blur}

    names = {"max": "MaxPool", "maxblur": f"MaxBlurPool-{k}", "strided": "strided conv", "strided_blur": f"strided conv + Blur-{k}"}
    apply = _max_family_apply if downsampling in ("max", "maxblur") else _conv_family_apply
    return Model(names[downsampling], init, apply, (c, h, w))


def digits_shift_experiment(
    variants: Sequence[tuple[str, int]],
    *,
    seeds: int | Sequence[int] = 3,
    epochs: int = 10,
    lr: float = 1e-2,
    batch_size: int = 32,
    n_pairs: int = 5,
    max_shift: int = 2,
    canvas: int = 16,
    channels: Sequence[int] = (8, 16, 32),
) -> dict[str, Any]:
    """A small reproduction of Zhang (2019) on digits: accuracy and shift consistency of :func:`digits_cnn` variants.

    For every seed ``i``, ``jax.random.split(jax.random.key(1000 + i), 6)``
    draws, in this order: the train/test split of the 1797 digits (3/4 for
    training), the random places of the training digits and of the test
    digits on a ``canvas x canvas`` canvas, the initial weights (the same for
    every variant of a seed), the batch order, and the shift pairs of the
    consistency measure. Every variant then trains with :func:`train` (Adam,
    softmax cross-entropy) on that seed's data, and is scored on the seed's
    test digits with :func:`accuracy` and
    :func:`cnnlib.aliasing.shift_consistency` (``n_pairs`` pairs of circular
    shifts per test image, each of up to ``max_shift`` pixels along each
    axis). Notebook 05 and ``scripts/zhang_reproduction.py`` both call this,
    with different settings.

    Parameters
    ----------
    variants : sequence of (downsampling, filter_size)
        As in :func:`digits_cnn`, e.g. ``[("max", 1), ("maxblur", 3)]``.
    seeds : int or sequence of int
        The seeds, or their number ``s`` for ``0 .. s-1``.
    epochs, batch_size, lr
        Passed to :func:`train`.
    n_pairs, max_shift
        Passed to :func:`cnnlib.aliasing.shift_consistency`.
    canvas : int
        Side of the canvas the 8x8 digits are placed on.
    channels : sequence of int
        Passed to :func:`digits_cnn`.

    Returns
    -------
    dict
        ``"settings"``: every setting above, plus ``"n_train"``, ``"n_test"``
        and ``"optimiser"``; ``"results"``: one dict per variant with
        ``"name"``, ``"downsampling"``, ``"filter_size"``, and
        ``"accuracy"`` and ``"consistency"``, lists with one value per seed;
        ``"trained"``: ``{name: (model, [params of each seed])}``.
    """
    from . import data
    from ._validate import check_choice
    from .aliasing import _check_filter_size, shift_consistency

    variants = list(variants)
    if not variants:
        raise ValueError("`variants` must list at least one (downsampling, filter_size) pair; got none.")
    for v in variants:
        if not (isinstance(v, (tuple, list)) and len(v) == 2):
            raise ValueError(f"`variants` must hold (downsampling, filter_size) pairs; got {v!r}.")
        check_choice(v[0], DOWNSAMPLINGS, "variants")
        _check_filter_size(v[1], "variants")
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        seeds = list(range(check_positive_int(seeds, "seeds")))
    seeds = [check_int(s, "seeds", minimum=0) for s in seeds]
    if not seeds:
        raise ValueError("`seeds` must hold at least one seed; got none.")
    epochs = check_int(epochs, "epochs", minimum=0)
    batch_size = check_positive_int(batch_size, "batch_size")
    lr = check_real(lr, "lr", minimum=0.0, min_inclusive=False)
    n_pairs = check_positive_int(n_pairs, "n_pairs")
    max_shift = check_int(max_shift, "max_shift", minimum=0)
    canvas = check_int(canvas, "canvas", minimum=8)
    channels = tuple(check_positive_int(c, "channels") for c in channels)

    images, labels = data.load_digits()
    models = [digits_cnn(d, k, in_shape=(1, canvas, canvas), channels=channels) for d, k in variants]
    results = [
        {"name": m.name, "downsampling": d, "filter_size": int(k) if d in ("maxblur", "strided_blur") else 1, "accuracy": [], "consistency": []}
        for m, (d, k) in zip(models, variants)
    ]
    trained: dict[str, tuple[Model, list[Params]]] = {m.name: (m, []) for m in models}
    sizes = set()
    for seed in seeds:
        k_split, k_train, k_test, k_init, k_order, k_pairs = jax.random.split(jax.random.key(1000 + seed), 6)
        train_idx, test_idx = data.train_test_split(k_split, len(labels))
        x_train, _, y_train = data.digits_on_canvas(k_train, images[train_idx], labels[train_idx], canvas=canvas)
        x_test, _, y_test = data.digits_on_canvas(k_test, images[test_idx], labels[test_idx], canvas=canvas)
        sizes.add((len(y_train), len(y_test)))
        for model, row in zip(models, results):
            params, _ = train(
                model, model.init(k_init), (x_train, y_train), key=k_order, epochs=epochs, batch_size=batch_size, lr=lr, progress=False
            )
            row["accuracy"].append(accuracy(model, params, x_test, y_test))
            row["consistency"].append(
                shift_consistency(
                    lambda b, m=model, p=params: predict(m, p, b), x_test, max_shift=max_shift, n_pairs=n_pairs, key=k_pairs
                )
            )
            trained[model.name][1].append(params)
    (n_train, n_test), = sizes
    settings = {
        "seeds": seeds,
        "epochs": epochs,
        "lr": lr,
        "batch_size": batch_size,
        "optimiser": "Adam",
        "n_train": n_train,
        "n_test": n_test,
        "canvas": canvas,
        "max_shift": max_shift,
        "pairs_per_image": n_pairs,
        "channels": list(channels),
    }
    return {"settings": settings, "results": results, "trained": trained}
