"""LeNet itself (:mod:`cnnlib.lenet` re-exports it): the network, its layers and its training.

Read :mod:`cnnlib.lenet` first.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import as_float_array, check_bool, check_choice, check_finite, check_int, check_key, check_ndim, check_positive_int, check_real, check_size, describe
from .aliasing import max_blur_pool2d
from .conv import conv2d
from .nets_model import MAX_WIDTH, Model, as_nchw, count_params, init_conv, init_dense
from .nets_fit import _check_data, _check_fit, _check_model
from .pool import max_pool2d
from .training import _step, classification_loss, fit_epochs  # noqa: F401  (_step: the one compiled Adam step)

__all__ = [
    "POOLS",
    "LAYERS",
    "lenet",
    "features",
    "layer_summary",
    "train",
    "accuracy",
]

#: The pooling choices: plain max pooling, or MaxBlurPool with a 3-tap binomial blur (Zhang 2019, notebook 05).
POOLS = ("max", "blur")
#: Names of the maps :func:`features` returns, in order.
LAYERS = ("conv1", "pool1", "conv2", "pool2", "dense1", "logits")

Params = Any


def _pool(x: jax.Array, kind: str) -> jax.Array:
    if kind == "max":
        return max_pool2d(x, 2)  # (N, C, H/2, W/2)
    return max_blur_pool2d(x, 2, filter_size=3)  # max (stride 1), blur [1, 2, 1]/4, every second sample


def _forward(params: Params, x: jax.Array, kind: str) -> list[jax.Array]:
    """Every layer's output, in the order of :data:`LAYERS`."""
    c1, c2, d1, d2 = params
    x = as_nchw(x)  # (N, 1, 28, 28)
    a1 = jax.nn.relu(conv2d(x, c1["w"]) + c1["b"][:, None, None])  # (N, 6, 24, 24)
    p1 = _pool(a1, kind)  # (N, 6, 12, 12)
    a2 = jax.nn.relu(conv2d(p1, c2["w"]) + c2["b"][:, None, None])  # (N, 16, 8, 8)
    p2 = _pool(a2, kind)  # (N, 16, 4, 4)
    h = jax.nn.relu(p2.reshape(p2.shape[0], -1) @ d1["w"] + d1["b"])  # (N, 120)
    return [a1, p1, a2, p2, h, h @ d2["w"] + d2["b"]]  # logits (N, 10)


def _apply_max(params: Params, x: jax.Array) -> jax.Array:
    return _forward(params, x, "max")[-1]


def _apply_blur(params: Params, x: jax.Array) -> jax.Array:
    return _forward(params, x, "blur")[-1]


_APPLY = {"max": _apply_max, "blur": _apply_blur}  # one function per pooling: compiled once, reused by every call


def lenet(pool: str = "max", *, channels: Sequence[int] = (6, 16), hidden: int = 120, n_classes: int = 10) -> Model:
    """LeNet for 28 x 28 digits: two (conv 5x5 + ReLU + pool 2) blocks, then two dense layers.

    Parameters
    ----------
    pool : {'max', 'blur'}
        ``'max'``: ``cl.max_pool2d(x, 2)``. ``'blur'``: ``cl.max_blur_pool2d(x, 2,
        filter_size=3)`` (max with stride 1, a [1, 2, 1] / 4 blur, every second
        sample); both give the same shapes.
    channels : (int, int)
        Filters of the two conv layers.
    hidden : int
        Width of the first dense layer.
    n_classes : int

    Returns
    -------
    Model
        ``init(key)`` gives ``[conv1, conv2, dense1, dense2]``, each a dict of
        ``"w"`` and ``"b"``; ``apply(params, x)`` maps (N, 28, 28) or
        (N, 1, 28, 28) to (N, n_classes) logits. Its name is ``"LeNet (MaxPool)"``
        or ``"LeNet (BlurPool)"``.

    Examples
    --------
    >>> model = lenet()
    >>> params = model.init(jax.random.key(0))
    >>> count_params(params)          # 6*(25+1) + 16*(6*25+1) + (256+1)*120 + (120+1)*10
    34622
    >>> model.apply(params, jnp.zeros((3, 28, 28))).shape
    (3, 10)
    """
    kind = check_choice(pool, POOLS, "pool")
    if not (isinstance(channels, (tuple, list)) and len(channels) == 2):
        raise ValueError(f"`channels` must be a pair (C1, C2) of filter counts; got {describe(channels)}.")
    c1, c2 = (check_int(c, "channels", minimum=1, maximum=MAX_WIDTH) for c in channels)
    hidden = check_int(hidden, "hidden", minimum=1, maximum=MAX_WIDTH)
    n_classes = check_int(n_classes, "n_classes", minimum=1, maximum=MAX_WIDTH)
    check_size(c2 * c1 * 25 + c2 * 16 * hidden + hidden * n_classes, "channels` and `hidden", "the weights")

    def init(key: jax.Array) -> Params:
        k1, k2, k3, k4 = jax.random.split(check_key(key), 4)
        return [init_conv(k1, 1, c1, 5), init_conv(k2, c1, c2, 5), init_dense(k3, c2 * 4 * 4, hidden), init_dense(k4, hidden, n_classes)]

    name = "LeNet (MaxPool)" if kind == "max" else "LeNet (BlurPool)"
    return Model(name, init, _APPLY[kind], (1, 28, 28))


def _kind(model: Model) -> str:
    for kind, apply in _APPLY.items():
        if getattr(model, "apply", None) is apply:
            return kind
    raise TypeError(f"`model` must come from cnnlib.lenet.lenet(); got the model {getattr(model, 'name', describe(model))!r}.")


def _check_params(params: Params, kind: str) -> int:
    """LeNet's parameters, ``[conv1, conv2, dense1, dense2]`` as :func:`lenet` makes them; returns the number of classes."""
    try:
        out = jax.eval_shape(lambda p: _forward(p, jnp.zeros((1, 28, 28), jnp.float32), kind), params)
        finite = all(np.isfinite(np.asarray(leaf)).all() for leaf in jax.tree_util.tree_leaves(params))
    except Exception as err:  # whatever the wrong structure made fail, deep inside
        raise TypeError(f"`params` must be LeNet's [conv1, conv2, dense1, dense2] from model.init(key); "
                        f"{type(err).__name__}: {str(err)[:160]}") from None
    if not finite:
        raise ValueError("`params` must be finite; they contain NaN or inf.")
    return int(out[-1].shape[-1])


def _check_digits(x: Any, name: str = "x", ndims: tuple[int, ...] = (3, 4)) -> jax.Array:
    """Finite digits (N, 28, 28) (or (N, 1, 28, 28) where ``ndims`` has 4) with N >= 1."""
    x = as_float_array(x, name)
    check_ndim(x, set(ndims), name, "(N, 28, 28)" if ndims == (3,) else "(N, 28, 28) or (N, 1, 28, 28)")
    if tuple(x.shape[-2:]) != (28, 28) or (x.ndim == 4 and x.shape[1] != 1) or x.shape[0] == 0:
        raise ValueError(f"`{name}` must be digits of shape (N, 28, 28) with N >= 1; got {tuple(x.shape)}.")
    check_finite(x, name)
    return x


@partial(jax.jit, static_argnames=("kind",))
def _features(params: Params, x: jax.Array, kind: str) -> list[jax.Array]:
    return _forward(params, x, kind)


def features(model: Model, params: Params, x: Any) -> dict[str, jax.Array]:
    """Every layer's output for images ``x`` (N, 28, 28): ``{"conv1": (N, 6, 24, 24), ..., "logits": (N, 10)}``."""
    kind = _kind(model)
    _check_params(params, kind)
    x = _check_digits(x)
    return dict(zip(LAYERS, _features(params, x, kind)))


def layer_summary(model: Model, params: Params) -> list[tuple[str, tuple[int, ...], int]]:
    """(layer, output shape of one example, parameters of the layer) for every layer of LeNet.

    Examples
    --------
    >>> model = lenet()
    >>> [(name, shape, n) for name, shape, n in layer_summary(model, model.init(jax.random.key(0)))][:2]
    [('conv1', (6, 24, 24), 156), ('pool1', (6, 12, 12), 0)]
    """
    maps = features(model, params, jnp.zeros((1, 28, 28), jnp.float32))
    counts = dict(zip(("conv1", "conv2", "dense1", "logits"), (count_params(p) for p in params)))
    return [(name, tuple(int(s) for s in maps[name].shape[1:]), counts.get(name, 0)) for name in LAYERS]


# ---------------------------------------------------------------- training


@partial(jax.jit, static_argnames=("apply",))
def _correct(apply, params: Params, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.sum(jnp.argmax(apply(params, x), axis=-1) == y)


def _cosine(lr: float, step: int, total: int) -> float:
    """The step size of step ``step`` of ``total``: ``lr`` falling to 0 along half a cosine."""
    return 0.5 * lr * (1.0 + math.cos(math.pi * step / max(total, 1)))


def _accuracy(apply, params: Params, x: np.ndarray, y: np.ndarray, size: int = 500) -> float:
    """Accuracy in fixed-size chunks (the last one padded), so every call reuses one compilation."""
    correct = 0
    for i in range(0, len(x), size):
        xb, yb = x[i : i + size], y[i : i + size]
        pad = size - len(xb)
        if pad:
            xb = np.concatenate([xb, np.zeros((pad, *xb.shape[1:]), xb.dtype)])
            yb = np.concatenate([yb, np.full(pad, -1, yb.dtype)])  # label -1: never counted correct
        correct += int(_correct(apply, params, xb, yb))
    return correct / len(x)


def _apply_of(model: Model, params: Params) -> tuple[Any, int | None]:
    """LeNet's own apply (its params checked, its number of classes), or any other Model's apply (checked later)."""
    try:
        kind = _kind(model)
    except TypeError:  # any cnnlib.nets Model trains and scores the same way (notebook 06 compares a dense net)
        return _check_model(model).apply, None
    return _APPLY[kind], _check_params(params, kind)


def _digits(data: Any, name: str, n_classes: int | None, any_shape: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)``: finite digits (N, 28, 28) or (N, 1, 28, 28) with N >= 1, and labels 0 .. n_classes - 1."""
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise ValueError(f"`{name}` must be a pair (x, y) of digits and labels; got {describe(data)}.")
    x = data[0] if any_shape else _check_digits(data[0], f"{name}[0]")
    x, y = _check_data(x, data[1], f"{name}[0]", f"{name}[1]")
    if n_classes is not None and y.max() >= n_classes:
        raise ValueError(f"`{name}[1]` must be class numbers below {n_classes}; got {int(y.max())}.")
    return x, y


def train(
    model: Model,
    params: Params,
    train_data: tuple[Any, Any],
    test_data: tuple[Any, Any] | None = None,
    *,
    key: jax.Array,
    epochs: int = 6,
    batch_size: int = 50,
    lr: float = 2e-3,
    progress: bool = False,
) -> tuple[Params, dict[str, np.ndarray]]:
    """Train with Adam on softmax cross-entropy; every batch has ``batch_size`` examples.

    The step size falls from ``lr`` to 0 along half a cosine over the run.
    Each epoch visits the training examples in an order drawn from
    ``jax.random.fold_in(key, epoch)``; a last, short batch is topped up from
    the start of that order, so the step compiles once per model and batch
    size. The loop is :func:`cnnlib.training.fit_epochs`, shared by every
    trainer in cnnlib.

    Returns
    -------
    params : pytree
    history : dict of ndarray
        ``"loss"``: mean training loss of each epoch; ``"step_loss"``: the
        loss of every batch; ``"test_accuracy"`` (when ``test_data`` is
        given): accuracy on it after each epoch.
    """
    apply, n_classes = _apply_of(model, params)
    x, y = _digits(train_data, "train_data", n_classes, apply is model.apply and model.apply not in _APPLY.values())
    test = None if test_data is None else _digits(test_data, "test_data", n_classes, apply not in _APPLY.values())
    if apply not in _APPLY.values():
        _check_fit(model, params, x, y, "train_data[0]", "train_data[1]")
    key = check_key(key)
    epochs = check_int(epochs, "epochs", minimum=0, maximum=10_000)
    batch_size = min(check_int(batch_size, "batch_size", minimum=1, maximum=10**5), len(x))
    lr = check_real(lr, "lr", minimum=0.0, min_inclusive=False)
    progress = check_bool(progress, "progress")
    steps = -(-len(x) // batch_size)
    history: dict[str, list[Any]] = {"loss": [], "step_loss": [], "test_accuracy": []}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs * steps, desc=f"training {model.name}", unit="step")

    def after_epoch(epoch: int, params: Params, losses: np.ndarray) -> None:
        history["step_loss"].extend(losses.tolist())
        history["loss"].append(float(losses.mean()))
        if test is not None:
            history["test_accuracy"].append(_accuracy(apply, params, *test))
        if bar is not None:
            bar.set_postfix(loss=f"{history['loss'][-1]:.3f}")

    params, _ = fit_epochs(classification_loss(apply), params, x, y, key=key, epochs=epochs,
                           batch_size=batch_size, lr=lr, schedule=_cosine, bar=bar, after_epoch=after_epoch)
    if bar is not None:
        bar.close()
    return params, {k: np.asarray(v) for k, v in history.items() if v or k != "test_accuracy"}


def accuracy(model: Model, params: Params, x: Any, y: Any) -> float:
    """Fraction of the digits ``x`` (N, 28, 28) whose largest logit is the label ``y`` (N,)."""
    apply, _ = _apply_of(model, params)
    x, y = _check_data(_check_digits(x, "x", (3,)), y, "x", "y")
    return _accuracy(apply, params, x, y)
