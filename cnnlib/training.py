"""One training loop for every net in cnnlib: Adam steps on a loss, in a scan or epoch by epoch.

Every trainer of the library is this module's Adam step,

.. math::

    m \\leftarrow \\beta_1 m + (1 - \\beta_1) g, \\quad
    v \\leftarrow \\beta_2 v + (1 - \\beta_2) g^2, \\quad
    \\theta \\leftarrow \\theta - \\eta\\, \\frac{\\hat m}{\\sqrt{\\hat v} + \\epsilon}

(:func:`adam_step`; :math:`g` the gradient of the loss, :math:`\\hat m, \\hat v`
the bias-corrected moments of ``optax.scale_by_adam``, :math:`\\eta` the step
size), repeated by one of two drivers:

* :func:`adam_scan`: a ``lax.scan`` over a table of batches, for use inside a
  caller's ``jit`` or ``vmap`` (``cl.sharing.learning_curve``,
  ``cl.train_rotation_detector``): a whole run is one compiled program.
* :func:`fit_epochs`: epochs over a labelled data set in a fresh random order
  each (``cl.nets.train``, ``cl.lenet.train``, and through them
  ``cl.canvas_experiment`` and ``cl.nets.digits_shift_experiment``): one
  compiled step per loss function and batch shape, whatever the number of
  examples, the number of epochs or the step size.

The step size is data, never a compile-time constant, so a new learning rate
or schedule compiles nothing. optax is imported on first use, so
``import cnnlib`` stays light.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._xla import cpu_jit

__all__ = ["adam_init", "adam_step", "adam_scan", "classification_loss", "epoch_order", "fit_epochs"]

Params = Any  # a pytree of arrays


@functools.lru_cache(maxsize=1)
def _adam() -> Any:
    import optax  # lazily: `import cnnlib` must not load optax

    return optax.scale_by_adam()  # Adam's moment estimates; the step size is applied in adam_step


def adam_init(params: Params) -> Any:
    """Adam's state for ``params``: zero first and second moments, step count 0."""
    return _adam().init(params)


def adam_step(loss_fn: Callable[..., jax.Array], params: Params, state: Any, batch: tuple[Any, ...], lr: Any):
    """One Adam step of size ``lr`` on ``loss_fn(params, *batch)``; returns ``(params, state, loss)``.

    Pure and traceable: call it inside ``jit``, ``scan`` or ``vmap``.

    Examples
    --------
    >>> loss = lambda p, t: jnp.sum((p - t) ** 2)
    >>> p, s, value = adam_step(loss, jnp.array([1.0]), adam_init(jnp.array([1.0])), (jnp.array([0.0]),), 0.1)
    >>> round(float(p[0]), 4), float(value)      # Adam's first step moves by lr, whatever the gradient's size
    (0.9, 1.0)
    """
    loss, grads = jax.value_and_grad(loss_fn)(params, *batch)
    direction, state = _adam().update(grads, state, params)
    return jax.tree.map(lambda p, d: p - lr * d, params, direction), state, loss


def adam_scan(loss_fn: Callable[..., jax.Array], params: Params, batches: tuple[Any, ...], lr: Any, state: Any = None):
    """Adam steps over the leading axis of ``batches`` in one ``lax.scan``: step ``t`` uses ``[b[t] for b in batches]``.

    ``lr`` is one step size or one per step, shape (steps,). Returns
    ``(params, state, losses)`` with ``losses`` of shape (steps,).

    Examples
    --------
    >>> loss = lambda p, t: jnp.sum((p - t) ** 2)
    >>> p, _, losses = adam_scan(loss, jnp.array([1.0]), (jnp.zeros((3, 1)),), 0.1)
    >>> losses.shape, round(float(p[0]), 2)
    ((3,), 0.7)
    """
    if state is None:
        state = adam_init(params)
    steps = jax.tree_util.tree_leaves(batches)[0].shape[0]
    rates = jnp.broadcast_to(jnp.asarray(lr, jnp.float32), (steps,))

    def body(carry, step_in):
        *batch, rate = step_in
        params, state, loss = adam_step(loss_fn, *carry, tuple(batch), rate)
        return (params, state), loss

    (params, state), losses = jax.lax.scan(body, (params, state), (*batches, rates))
    return params, state, losses


def classification_loss(apply: Callable[..., jax.Array]) -> Callable[..., jax.Array]:
    """``loss(params, x, y)``: mean softmax cross-entropy of ``apply(params, x)`` (logits) against integer labels ``y``.

    One function per ``apply`` (cached), so a compiled step keyed on it is reused.
    """
    return _classification_loss(apply)


@functools.lru_cache(maxsize=None)  # holding `apply` keeps its identity unique
def _classification_loss(apply: Callable[..., jax.Array]) -> Callable[..., jax.Array]:
    import optax

    def loss(params: Params, xb: jax.Array, yb: jax.Array) -> jax.Array:
        logits = apply(params, xb)  # (B, n_classes)
        return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

    return loss


# compiled once per loss function and batch shape; on a CPU with XLA's classic emitters, which
# compile LeNet's step in 1.2 s instead of 2.0 (1.6 against 2.8 with MaxBlurPool) and run it as
# fast, with bit-identical parameters after 61 steps (cnnlib._xla)
_step = cpu_jit(adam_step, static_argnums=(0,))


def epoch_order(key: jax.Array, epoch: int, n: int, batch_size: int) -> np.ndarray:
    """The order of epoch ``epoch``: ``jax.random.permutation(fold_in(key, epoch), n)``, topped up to whole batches.

    The last, short batch is filled from the start of the same order, so
    every batch has ``batch_size`` examples: shape ``(steps * batch_size,)``.
    """
    order = np.asarray(jax.random.permutation(jax.random.fold_in(key, epoch), n))
    steps = -(-n // batch_size)
    return np.concatenate([order, order[: steps * batch_size - n]])


def fit_epochs(
    loss_fn: Callable[..., jax.Array],
    params: Params,
    x: np.ndarray,
    y: np.ndarray,
    *,
    key: jax.Array,
    epochs: int,
    batch_size: int,
    lr: float,
    schedule: Callable[[float, int, int], float] | None = None,
    bar: Any = None,
    after_epoch: Callable[[int, Params, np.ndarray], None] | None = None,
) -> tuple[Params, np.ndarray]:
    """Train on ``(x, y)`` for ``epochs`` epochs of Adam steps; returns ``(params, step_losses)``.

    The arguments are already checked by the caller (``cl.nets.train``,
    ``cl.lenet.train``). Each epoch visits the examples in
    :func:`epoch_order`; step ``t`` of ``T`` has size ``schedule(lr, t, T)``
    (default: ``lr``). ``bar`` (a tqdm bar) is advanced once per step;
    ``after_epoch(epoch, params, epoch_losses)`` runs after each epoch.
    ``step_losses``, float32 of shape (epochs, steps per epoch), is the loss
    of every batch.
    """
    state = adam_init(params)
    n = len(x)
    steps = -(-n // batch_size)
    total = epochs * steps
    losses = np.zeros((epochs, steps), np.float32)
    for epoch in range(epochs):
        order = epoch_order(key, epoch, n, batch_size)
        epoch_losses = []
        for s in range(steps):
            idx = order[s * batch_size : (s + 1) * batch_size]
            rate = np.float32(lr if schedule is None else schedule(lr, epoch * steps + s, total))
            params, state, loss = _step(loss_fn, params, state, (x[idx], y[idx]), rate)
            epoch_losses.append(loss)  # kept on the device: no wait for each step
            if bar is not None:
                bar.update(1)
        if steps:
            losses[epoch] = np.asarray(jnp.stack(epoch_losses))
        if after_epoch is not None:
            after_epoch(epoch, params, losses[epoch])
    return params, losses
