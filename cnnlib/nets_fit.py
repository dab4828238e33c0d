"""Training and scoring a :class:`cnnlib.nets.Model`: :func:`train`, :func:`predict`, :func:`accuracy`.

Part of :mod:`cnnlib.nets` (its names are re-exported there, so write
``cl.nets.train(...)``); kept apart so each file stays short. The Adam loop is
:func:`cnnlib.training.fit_epochs`, the one every trainer in cnnlib uses.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import as_float_array, check_bool, check_finite, check_int, check_key, check_ndim, check_positive_int, check_real, describe
from .nets_model import Model, Params
from .training import classification_loss, fit_epochs

__all__ = ["train", "predict", "accuracy"]

_APPLY_CACHE: dict[Callable[..., Any], Callable[..., jax.Array]] = {}


def _check_model(model: Any) -> Model:
    if not (callable(getattr(model, "init", None)) and callable(getattr(model, "apply", None))):
        raise TypeError(f"`model` must have init(key) and apply(params, x), e.g. cl.nets.conv_net(); got {describe(model)}.")
    return model


def _check_images(x: Any, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """Images (N, H, W) or (N, C, H, W), finite."""
    x = np.asarray(as_float_array(x, name))
    check_ndim(x, {3, 4}, name, "(N, H, W) or (N, C, H, W)")
    if 0 in x.shape[1:] or (not allow_empty and x.shape[0] == 0):
        raise ValueError(f"`{name}` must hold at least one image with H, W >= 1; got shape {x.shape}.")
    check_finite(x, name)
    return x


def _check_data(x: Any, y: Any, xname: str = "data[0]", yname: str = "data[1]",
                *, allow_empty: bool = False) -> tuple[np.ndarray, np.ndarray]:
    x = _check_images(x, xname, allow_empty=allow_empty)
    y = np.asarray(y)
    if y.dtype == np.bool_ or not np.issubdtype(y.dtype, np.integer) or y.shape != (x.shape[0],):
        raise ValueError(
            f"`{yname}` must be integer labels of shape ({x.shape[0]},); got {y.shape} and dtype {y.dtype}."
        )
    if y.size and y.min() < 0:
        raise ValueError(f"`{yname}` must be class numbers >= 0; got {int(y.min())}.")
    return x, y.astype(np.int32)


def _check_fit(model: Model, params: Params, x: np.ndarray, y: np.ndarray, xname: str, yname: str) -> None:
    """The images must fit the model, and labels beyond its outputs would train on nothing (a missing logit)."""
    try:
        out = jax.eval_shape(model.apply, params, jax.ShapeDtypeStruct((1, *x.shape[1:]), x.dtype))
    except Exception as err:  # the model's own shape error, from deep inside
        raise ValueError(f"`{xname}` of shape {x.shape} does not fit the model {model.name!r} (or `params` do not): "
                         f"{type(err).__name__}: {str(err)[:200]}") from None
    if not hasattr(out, "shape") or len(out.shape) != 2 or out.shape[0] != 1:
        raise ValueError(f"`model` must map (N, ...) images to (N, n_classes) logits; got {describe(out)}.")
    n_classes = out.shape[-1]
    if y.size and y.max() >= n_classes:
        raise ValueError(f"`{yname}` must be class numbers below the model's {n_classes} outputs; got {int(y.max())}.")


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
    model = _check_model(model)
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise ValueError(f"`data` must be a pair (x, y) of images and labels; got {type(data).__name__}.")
    x, y = _check_data(*data)
    key = check_key(key)
    epochs = check_int(epochs, "epochs", minimum=0, maximum=10_000)
    batch_size = min(check_int(batch_size, "batch_size", minimum=1, maximum=10**5), x.shape[0])
    lr = check_real(lr, "lr", minimum=0.0, min_inclusive=False)
    progress = check_bool(progress, "progress")
    _check_fit(model, params, x, y, "data[0]", "data[1]")

    losses = np.zeros(epochs)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc=f"training {model.name} net", unit="epoch")

    def after_epoch(epoch: int, _params: Params, step_losses: np.ndarray) -> None:
        losses[epoch] = sum(float(v) for v in step_losses) / len(step_losses)  # in order, in float64
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{losses[epoch]:.3f}")

    params, _ = fit_epochs(classification_loss(model.apply), params, x, y, key=key, epochs=epochs,
                           batch_size=batch_size, lr=lr, after_epoch=after_epoch)
    if bar is not None:
        bar.close()
    return params, losses


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
    model = _check_model(model)
    x = _check_images(x, "x", allow_empty=True)
    batch_size = check_int(batch_size, "batch_size", minimum=1, maximum=10**5)
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
        try:
            logits = apply(params, chunk)
        except (TypeError, ValueError) as err:  # the model's own shape error, from deep inside
            raise ValueError(f"`x` of shape {x.shape} does not fit the model {model.name!r}: {str(err)[:200]}") from None
        out.append(np.asarray(jnp.argmax(logits, axis=-1))[:real])
    return np.concatenate(out)


def accuracy(model: Model, params: Params, x: Any, y: Any) -> float:
    """Fraction of examples whose largest logit is the true label.

    Examples
    --------
    >>> from cnnlib.nets import dense_net
    >>> model = dense_net((1, 2, 2), hidden=(), n_classes=2)
    >>> params = [{"w": jnp.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 1.0]]), "b": jnp.zeros(2)}]
    >>> x = jnp.array([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 1.0]]])
    >>> accuracy(model, params, x, jnp.array([0, 0]))
    0.5
    """
    model = _check_model(model)
    x, y = _check_data(x, y, "x", "y")
    _check_fit(model, params, x, y, "x", "y")
    return float(np.mean(predict(model, params, x) == y))
