"""Nearest neighbours: the classifier that the concentration of distances defeats."""
from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import as_float_array, check_finite, check_int, check_key, check_real, check_size
from ._checks import integers

__all__ = ["knn_predict", "knn_accuracy"]


def _sq_dist(a: jax.Array, b: jax.Array) -> jax.Array:
    """Squared Euclidean distances (M, N) between rows of a (M, D) and b (N, D)."""
    return jnp.sum(a * a, 1)[:, None] + jnp.sum(b * b, 1)[None, :] - 2.0 * a @ b.T


def _vote(sq: jax.Array, y_train: jax.Array, k: int, num_classes: int) -> jax.Array:
    _, idx = jax.lax.top_k(-sq, k)  # (M, k), nearest first
    voters = y_train[idx]  # (M, k)
    counts = jnp.sum(jax.nn.one_hot(voters, num_classes), axis=1)  # (M, C)
    tied = counts == counts.max(axis=1, keepdims=True)  # (M, C): the classes with most votes
    first = jnp.argmax(jnp.take_along_axis(tied, voters, axis=1), axis=1)  # nearest voter of a top class
    return jnp.take_along_axis(voters, first[:, None], axis=1)[:, 0]  # (M,)


@partial(jax.jit, static_argnames=("k", "num_classes"))
def _knn(x_train: jax.Array, y_train: jax.Array, x_test: jax.Array, k: int, num_classes: int) -> jax.Array:
    return _vote(_sq_dist(x_test, x_train), y_train, k, num_classes)


@partial(jax.jit, static_argnames=("k", "num_classes", "m_max"))
def _knn_noise(key, x_train, y_train, x_test, y_test, m, scale, k: int, num_classes: int, m_max: int):
    """Accuracy after appending the first m[i] of m_max noise features, for each i."""
    k_train, k_test = jax.random.split(key)
    noise_train = scale * jax.random.uniform(k_train, (x_train.shape[0], m_max))  # (N, m_max)
    noise_test = scale * jax.random.uniform(k_test, (x_test.shape[0], m_max))  # (M, m_max)
    signal = _sq_dist(x_test, x_train)  # (M, N), shared by every m

    def one(m_i: jax.Array) -> jax.Array:
        keep = (jnp.arange(m_max) < m_i).astype(noise_train.dtype)  # the first m_i noise features
        pred = _vote(signal + _sq_dist(noise_test * keep, noise_train * keep), y_train, k, num_classes)
        return jnp.mean(pred == y_test)

    return jax.lax.map(one, m)


def _examples(x: Any, name: str, features: int | None = None) -> jax.Array:
    """``x`` as a finite (N, D) float array, N, D >= 1; everything after the first axis is flattened."""
    x = as_float_array(x, name)
    layout = "(N, features...)" if features is None else f"(M, features...) with {features} features"
    if x.ndim < 2 or x.size == 0:
        raise ValueError(f"`{name}` must have shape {layout}, at least one example and one feature; got {tuple(x.shape)}.")
    check_finite(x, name)
    x = x.reshape(x.shape[0], -1)  # (N, D): images are flattened
    if features is not None and x.shape[1] != features:
        raise ValueError(f"`{name}` must have {features} features per example, like `x_train`; got {x.shape[1]}.")
    return x


def _labelled(x: Any, y: Any, xname: str, yname: str, features: int | None = None) -> tuple[jax.Array, np.ndarray]:
    x = _examples(x, xname, features)
    labels = integers(y, yname, minimum=0)
    if labels.shape != (x.shape[0],):
        raise ValueError(f"`{yname}` must have shape ({x.shape[0]},), one label per row of `{xname}`; got {labels.shape}.")
    return x, labels


def _classes(labels: np.ndarray, name: str, rows: int, k: int) -> int:
    """The number of classes, refusing labels so large that the vote's (rows, k, classes) table would not fit."""
    num_classes = int(labels.max()) + 1
    check_size(rows * k * num_classes, name, f"the vote over {num_classes} classes")
    return num_classes


def knn_predict(x_train: Any, y_train: Any, x_test: Any, *, k: int = 1) -> jax.Array:
    """Label each test point by a majority vote of its ``k`` nearest training points (Euclidean).

    Ties go to the class whose voters are nearer.

    Parameters
    ----------
    x_train : array, (N, ...)
        Training examples (finite, N >= 1); everything after the first axis is flattened.
    y_train : int array, (N,)
        Labels ``0, 1, ...``.
    x_test : array, (M, ...)
        Finite, M >= 1, with as many features as ``x_train``.
    k : int, 1 <= k <= N

    Returns
    -------
    jax.Array
        int32 labels, shape ``(M,)``.

    Raises
    ------
    ValueError
        For NaN or inf in the examples, empty arrays, mismatched shapes, or a
        distance table ``(M, N)`` larger than 1 GiB.

    Examples
    --------
    >>> knn_predict(jnp.array([[0.0], [1.0], [10.0]]), jnp.array([0, 0, 1]), jnp.array([[2.0], [8.0]]))
    Array([0, 1], dtype=int32)
    """
    x_train, labels = _labelled(x_train, y_train, "x_train", "y_train")
    x_test = _examples(x_test, "x_test", x_train.shape[1])
    k = check_int(k, "k", minimum=1, maximum=x_train.shape[0])
    check_size(x_test.shape[0] * x_train.shape[0], "x_test", "the distance table")
    num_classes = _classes(labels, "y_train", x_test.shape[0], k)
    return _knn(x_train, jnp.asarray(labels, jnp.int32), x_test, k, num_classes).astype(jnp.int32)


def knn_accuracy(
    x_train: Any,
    y_train: Any,
    x_test: Any,
    y_test: Any,
    *,
    k: int = 1,
    num_noise: Any = 0,
    key: jax.Array | None = None,
    scale: float = 1.0,
) -> jax.Array:
    """Test accuracy of :func:`knn_predict`, optionally after appending irrelevant noise features.

    Each example gets ``num_noise`` extra features drawn uniformly from
    ``[0, scale)``, independent of its label. They carry no information, yet
    they swamp the distances that the vote relies on.

    Parameters
    ----------
    x_train, y_train, x_test, y_test
        As for :func:`knn_predict`; ``y_test`` has shape ``(M,)``.
    k : int
        Neighbours that vote.
    num_noise : int or int array, >= 0
        Noise features to append; an array gives one accuracy per entry, all
        from one noise sample drawn at ``max(num_noise)`` and masked to its
        first ``m`` features (one compile for any values with the same maximum).
    key : jax.Array
        PRNG key for the noise; required when any ``num_noise > 0``.
    scale : float, > 0
        Width of the noise interval (1 matches pixels in [0, 1]).

    Returns
    -------
    jax.Array
        Accuracies in [0, 1], shaped like ``num_noise``.

    Examples
    --------
    >>> x = jnp.array([[0.0], [1.0], [10.0], [11.0]]); y = jnp.array([0, 0, 1, 1])
    >>> float(knn_accuracy(x, y, jnp.array([[0.5], [9.0]]), jnp.array([0, 1])))
    1.0
    """
    x_train, labels = _labelled(x_train, y_train, "x_train", "y_train")
    x_test, test_labels = _labelled(x_test, y_test, "x_test", "y_test", x_train.shape[1])
    k = check_int(k, "k", minimum=1, maximum=x_train.shape[0])
    m = integers(num_noise, "num_noise", minimum=0)
    scale = check_real(scale, "scale", minimum=0.0, min_inclusive=False)
    if m.max() > 0 and key is None:
        raise TypeError("`key` must be a JAX PRNG key such as `jax.random.key(0)` when `num_noise` > 0; got None.")
    key = jax.random.key(0) if key is None else check_key(key)
    rows, cols = x_test.shape[0], x_train.shape[0]
    check_size(rows * cols, "x_test", "the distance table")
    check_size(max((rows + cols) * int(m.max()), m.size), "num_noise", "the noise features")
    num_classes = _classes(np.concatenate([labels, test_labels]), "y_train", rows, k)
    acc = _knn_noise(
        key, x_train, jnp.asarray(labels, jnp.int32), x_test, jnp.asarray(test_labels, jnp.int32),
        jnp.asarray(m.ravel(), jnp.int32), jnp.float32(scale), k, num_classes, int(m.max()),
    )
    return acc.reshape(m.shape)
