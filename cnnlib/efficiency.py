"""Statistical efficiency: test accuracy of a net trained from scratch on growing training sets.

Part of :mod:`cnnlib.sharing` (re-exported there: write ``cl.sharing.learning_curve``);
kept apart so each file stays short. Every run is one compiled
:func:`cnnlib.training.adam_scan`, the Adam loop every trainer in cnnlib shares.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import as_float_array, check_finite, check_int, check_key, check_ndim, check_positive_int, check_real, check_size, describe
from ._xla import cpu_jit
from .training import adam_scan, classification_loss

__all__ = ["LearningCurve", "learning_curve"]



class LearningCurve(NamedTuple):
    """Accuracies of one model trained from scratch on growing training sets, for several seeds."""

    sizes: tuple[int, ...]  # training-set sizes n
    test_accuracy: np.ndarray  # (seeds, len(sizes))
    train_accuracy: np.ndarray  # (seeds, len(sizes)): on the n examples the run was trained on
    train_indices: np.ndarray  # (seeds, max(sizes)): seed s trains on train_indices[s, :n]
    params: Any  # the trained parameters, every leaf a NumPy array with leading axes (seeds, len(sizes))


_CURVE_CACHE: dict[tuple[Any, ...], Any] = {}


def _curve_runner(model: Any, batch_size: int, lr: Any = None) -> Any:
    """One jitted function that trains one run of ``model`` and scores it; built once per (model, batch_size).

    A run is :func:`cnnlib.training.adam_scan` over the rows of a batch table.
    Every run has the same shapes (the subset is always a whole permutation
    of the pool, the size ``n`` and the step size are data), so the compiled
    code serves every seed, every training-set size and every learning rate.
    ``lr`` is accepted for older callers and ignored.
    """
    cache_key = (model.apply, batch_size)  # holding the function keeps its identity unique
    if cache_key in _CURVE_CACHE:
        return _CURVE_CACHE[cache_key]
    loss = classification_loss(model.apply)

    @cpu_jit  # on a CPU, XLA's classic emitters (cnnlib._xla): compiled faster, the same results
    def one_run(params, x, y, x_test, y_test, subset, n, table, lr):
        def loss_of_rows(params, pick):  # pick (B,): positions in [0, n) of this step's examples
            idx = subset[pick]  # (B,) rows of x
            return loss(params, x[idx], y[idx])

        params, _, _ = adam_scan(loss_of_rows, params, (table,), lr)
        test_hits = jnp.sum(jnp.argmax(model.apply(params, x_test), axis=-1) == y_test)
        seen = jnp.arange(subset.shape[0]) < n  # (N,): the examples of this run
        train_hits = jnp.sum((jnp.argmax(model.apply(params, x[subset]), axis=-1) == y[subset]) & seen)
        return params, test_hits, train_hits  # counts: the accuracies are exact fractions

    _CURVE_CACHE[cache_key] = one_run
    return one_run


def _labelled(data: Any, name: str) -> tuple[jax.Array, jax.Array]:
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise ValueError(f"`{name}` must be a pair (x, y) of images and labels; got {describe(data)}.")
    x = as_float_array(data[0], f"{name}[0]")
    check_ndim(x, {3, 4}, f"{name}[0]", "(N, H, W) or (N, C, H, W)")
    if 0 in x.shape:
        raise ValueError(f"`{name}[0]` must hold at least one image with H, W >= 1; got shape {tuple(x.shape)}.")
    check_finite(x, f"{name}[0]")
    y = np.asarray(data[1])
    if y.dtype == np.bool_ or not np.issubdtype(y.dtype, np.integer) or y.shape != (x.shape[0],):
        raise ValueError(f"`{name}[1]` must be integer labels of shape ({x.shape[0]},); got {y.shape} and dtype {y.dtype}.")
    if y.min() < 0:
        raise ValueError(f"`{name}[1]` must be class numbers >= 0; got {int(y.min())}.")
    return x, jnp.asarray(y, jnp.int32)


def learning_curve(
    model: Any,
    train: tuple[Any, Any],
    test: tuple[Any, Any],
    *,
    sizes: Sequence[int],
    key: jax.Array,
    seeds: int = 3,
    steps: int = 400,
    batch_size: int = 32,
    lr: float = 1e-2,
) -> LearningCurve:
    """Train ``model`` from scratch on ``n`` examples for every ``n`` in ``sizes`` and several seeds; test accuracy of each.

    The statistical-efficiency experiment of notebook 02: how test accuracy
    grows with the size of the training set. Every run takes the same number
    of Adam steps on softmax cross-entropy, each on a batch of ``batch_size``
    examples drawn at random (with replacement) from its ``n`` examples, so
    all ``seeds * len(sizes)`` runs have the same shapes and share one
    compiled function (:func:`cnnlib.training.adam_scan`, a ``lax.scan`` over
    the steps), compiled once per model and ``batch_size``: the sizes, the
    seeds and ``lr`` are data.

    Seed ``s`` uses ``k = jax.random.fold_in(key, s)`` and
    ``k_subset, k_init, k_batch = jax.random.split(k, 3)``: its training sets
    are the first ``n`` entries of ``jax.random.permutation(k_subset, N)``
    (nested: a larger set contains the smaller ones), every size starts from
    ``model.init(k_init)``, and step ``t`` trains on the examples at positions
    ``jax.random.randint(k_batch, (steps, batch_size), 0, n)[t]`` of its set.

    Parameters
    ----------
    model : cnnlib.nets.Model
        Anything with ``init(key) -> params`` and ``apply(params, x) -> logits``.
    train, test : (x, y)
        Images (N, H, W) or (N, C, H, W) and integer labels (N,); the training
        sets are drawn from ``train``.
    sizes : sequence of int
        Training-set sizes, each between 1 and ``len(train[1])``.
    key : jax.Array
        Decides the subsets, the initial weights and the batches.
    seeds : int
        Independent repetitions.
    steps, batch_size : int
        Adam steps per run and examples per step.
    lr : float
        Adam's learning rate.

    Returns
    -------
    LearningCurve
        ``test_accuracy`` and ``train_accuracy`` of shape (seeds, len(sizes)),
        ``train_indices`` (seeds, max(sizes)) and the trained ``params``
        (NumPy arrays with leading axes (seeds, len(sizes))).

    Raises
    ------
    ValueError
        If a size is larger than the training pool, or the data are not (images, labels).
    TypeError
        If ``model`` has no ``init``/``apply``, or ``key`` is not a PRNG key.

    See Also
    --------
    cnnlib.nets.train : one run, with epochs and a progress bar.

    Examples
    --------
    >>> from cnnlib.nets import dense_net
    >>> x = jnp.zeros((6, 2, 2)).at[3:, 0, 0].set(1.0)     # class 1: a bright top-left pixel
    >>> y = jnp.array([0, 0, 0, 1, 1, 1])
    >>> curve = learning_curve(dense_net((1, 2, 2), hidden=(), n_classes=2), (x, y), (x, y),
    ...                        sizes=[6], key=jax.random.key(0), seeds=2, steps=100, lr=0.1)
    >>> curve.test_accuracy
    array([[1.],
           [1.]])
    """
    if not (callable(getattr(model, "init", None)) and callable(getattr(model, "apply", None))):
        raise TypeError(f"`model` must have init(key) and apply(params, x), e.g. cl.nets.conv_net(); got {describe(model)}.")
    x, y = _labelled(train, "train")
    x_test, y_test = _labelled(test, "test")
    if x_test.shape[1:] != x.shape[1:]:
        raise ValueError(f"`test` images must have the `train` images' shape {tuple(x.shape[1:])}; got {tuple(x_test.shape[1:])}.")
    if isinstance(sizes, (int, np.integer)) or not isinstance(sizes, Sequence) or len(sizes) == 0:
        raise ValueError(f"`sizes` must be a non-empty sequence of training-set sizes; got {describe(sizes)}.")
    sizes = tuple(check_int(n, "sizes", minimum=1, maximum=x.shape[0]) for n in sizes)
    key = check_key(key)
    seeds = check_int(seeds, "seeds", minimum=1, maximum=1000)
    steps = check_int(steps, "steps", minimum=0, maximum=10**5)
    batch_size = check_int(batch_size, "batch_size", minimum=1, maximum=10**5)
    check_size(steps * batch_size, "batch_size", "the table of batches")
    check_size(batch_size * int(np.prod(x.shape[1:])), "batch_size", "one batch")
    lr = check_real(lr, "lr", minimum=0.0, min_inclusive=False)

    n_max = max(sizes)
    run = _curve_runner(model, batch_size)
    try:
        out = jax.eval_shape(lambda k, xs: model.apply(model.init(k), xs), key, jax.ShapeDtypeStruct((1, *x.shape[1:]), x.dtype))
    except Exception as err:  # the model's own shape error, from deep inside
        raise ValueError(f"`train` images of shape {tuple(x.shape[1:])} do not fit `model`: {type(err).__name__}: {str(err)[:200]}") from None
    if int(max(y.max(), y_test.max())) >= out.shape[-1]:
        raise ValueError(f"`train` and `test` labels must be below the model's {out.shape[-1]} outputs; got {int(max(y.max(), y_test.max()))}.")
    indices = np.zeros((seeds, n_max), np.int64)
    test_acc = np.zeros((seeds, len(sizes)))
    train_acc = np.zeros((seeds, len(sizes)))
    trained = []
    for s in range(seeds):
        k_subset, k_init, k_batch = jax.random.split(jax.random.fold_in(key, s), 3)
        order = np.asarray(jax.random.permutation(k_subset, x.shape[0]))
        indices[s] = order[:n_max]
        subset = jnp.asarray(order, jnp.int32)  # (N,): a whole permutation, the same shape for every call
        params0 = model.init(k_init)
        for i, n in enumerate(sizes):
            table = jax.random.randint(k_batch, (steps, batch_size), 0, n)  # (steps, B): positions in [0, n)
            params, test_hits, train_hits = run(params0, x, y, x_test, y_test, subset, jnp.int32(n), table, jnp.float32(lr))
            test_acc[s, i], train_acc[s, i] = int(test_hits) / x_test.shape[0], int(train_hits) / n
            trained.append(params)
    stack = lambda *leaves: np.stack([np.asarray(a) for a in leaves]).reshape((seeds, len(sizes)) + np.shape(leaves[0]))
    params = jax.tree_util.tree_map(stack, *trained)  # NumPy: stacking compiles nothing
    return LearningCurve(sizes, test_acc, train_acc, indices, params)
