"""Monte-Carlo checks of the closed forms, and the concentration of distances.

Every function takes a ``key`` as its last positional argument. Sweeps over
the dimension sample once at the largest one and read off the first ``d``
coordinates (a prefix sum or a mask), so one compiled function serves every
``d`` and the estimates for neighbouring ``d`` share their samples. Sizes
whose arrays would need more than 1 GiB are refused before anything is drawn.
"""
from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import MAX_ELEMENTS, check_choice, check_int, check_key
from ._checks import broadcast, in_interval, integers, refuse_huge

__all__ = ["rind_fraction_mc", "half_length_mc", "ball_volume_fraction_mc", "distance_contrast"]


@partial(jax.jit, static_argnames=("n_max", "num_samples", "shape"))
def _gauges(key: jax.Array, n_max: int, num_samples: int, shape: str) -> jax.Array:
    """How far out each sample sits, for every dimension n <= n_max at once: (num_samples, n_max).

    Column n - 1 holds the gauge of n-dimensional uniform samples: 1 on the boundary, alpha on the
    boundary shrunk by alpha. Ball: the first n of n + 2 coordinates of a uniform point on the
    sphere S^(n+1) are uniform in the n-ball, so only Gaussians and prefix sums are needed (not the
    U^(1/n) radius that :func:`sample_ball` uses). Cube [-1, 1]^n: the largest |coordinate| so far.
    """
    if shape == "ball":
        g = jax.random.normal(key, (num_samples, n_max + 2))
        head = jnp.cumsum(g[:, :n_max] ** 2, axis=1)  # (num_samples, n_max)
        tail = g[:, n_max] ** 2 + g[:, n_max + 1] ** 2  # two more coordinates, independent of the head
        return jnp.sqrt(head / (head + tail[:, None]))
    x = jax.random.uniform(key, (num_samples, n_max), minval=-1.0, maxval=1.0)
    return jax.lax.cummax(jnp.abs(x), axis=1)


def _gauges_for(n: np.ndarray, key: Any, num_samples: Any, shape: Any) -> jax.Array:
    """Gauges of the dimensions in ``n`` (flattened): (num_samples, n.size)."""
    num = check_int(num_samples, "num_samples", minimum=1, maximum=MAX_ELEMENTS)
    shape = check_choice(shape, ("ball", "cube"), "shape")
    key = check_key(key)
    n_max = int(n.max())
    refuse_huge(num * (max(n_max, n.size) + 2), "the samples", num_samples=num, n=max(n_max, n.size))
    gauges = _gauges(key, n_max, num, shape)
    return gauges[:, jnp.asarray(n.ravel() - 1)]


def rind_fraction_mc(
    alpha: Any, n: Any, key: jax.Array, *, num_samples: int = 20_000, shape: str = "ball"
) -> jax.Array:
    """Monte-Carlo estimate of :func:`rind_fraction`: the share of uniform samples outside the shrunk shape.

    Parameters
    ----------
    alpha : float or array, in (0, 1]
        Shrink factor(s).
    n : int or int array, >= 1
        Dimension(s); broadcast with ``alpha``. All share one sample drawn at ``max(n)``.
    key : jax.Array
        PRNG key.
    num_samples : int
        Samples; the standard error is at most ``0.5 / sqrt(num_samples)``.
    shape : {'ball', 'cube'}
        The shape that is shrunk (the answer does not depend on it).

    Examples
    --------
    >>> est = rind_fraction_mc(0.5, 2, jax.random.key(0))
    >>> abs(float(est) - 0.75) < 0.02
    True
    """
    alpha = in_interval(alpha, "alpha", 0.0, 1.0, lo_open=True)
    n = integers(n, "n")
    broadcast(alpha, "alpha", n, "n")
    alpha_b, n_b = np.broadcast_arrays(np.asarray(alpha), n)
    gauges = _gauges_for(n_b, key, num_samples, shape)  # (num_samples, B)
    return jnp.mean(gauges > jnp.asarray(alpha_b.ravel(), jnp.float32), axis=0).reshape(n_b.shape)


def half_length_mc(n: Any, key: jax.Array, *, num_samples: int = 20_000, shape: str = "ball") -> jax.Array:
    """Monte-Carlo estimate of :func:`half_length`: the median "radius" of uniform samples.

    For the ball the radius is the Euclidean norm, for the cube ``[-1, 1]^n``
    the largest coordinate in absolute value; half the samples lie inside it.
    All dimensions in ``n`` share one sample drawn at ``max(n)``.

    Examples
    --------
    >>> est = half_length_mc(jnp.array([1, 2]), jax.random.key(0))
    >>> bool(abs(est[0] - 0.5) < 0.01), bool(abs(est[1] - 0.7071) < 0.01)
    (True, True)
    """
    n = integers(n, "n")
    return jnp.median(_gauges_for(n, key, num_samples, shape), axis=0).reshape(n.shape)


@partial(jax.jit, static_argnames=("num_samples", "d_max"))
def _inside_ball(key: jax.Array, d: jax.Array, num_samples: int, d_max: int) -> jax.Array:
    x = jax.random.uniform(key, (num_samples, d_max), minval=-0.5, maxval=0.5)
    r2 = jnp.cumsum(x * x, axis=1)  # (num_samples, d_max): squared radius in the first j + 1 coordinates
    return jnp.mean(r2[:, d - 1] <= 0.25, axis=0)


def ball_volume_fraction_mc(d: Any, key: jax.Array, *, num_samples: int = 100_000) -> jax.Array:
    """Monte-Carlo estimate of :func:`ball_volume_fraction`: uniform cube samples inside the ball.

    All dimensions in ``d`` are measured on one set of samples drawn at ``max(d)``.

    Examples
    --------
    >>> est = ball_volume_fraction_mc(jnp.array([1, 2]), jax.random.key(0))
    >>> est.shape, abs(float(est[1]) - 0.785) < 0.01
    ((2,), True)
    """
    d = integers(d, "d")
    num = check_int(num_samples, "num_samples", minimum=1, maximum=MAX_ELEMENTS)
    key = check_key(key)
    d_max = max(int(d.max()), d.size)
    refuse_huge(num * d_max, "the samples", num_samples=num, d=d_max)
    inside = _inside_ball(key, jnp.asarray(d.ravel(), jnp.int32), num, int(d.max()))
    return inside.reshape(d.shape)


@partial(jax.jit, static_argnames=("n", "d_max", "num_queries", "torus"))
def _contrast(key: jax.Array, d: jax.Array, n: int, d_max: int, num_queries: int, torus: bool) -> jax.Array:
    k_points, k_queries = jax.random.split(key)
    points = jax.random.uniform(k_points, (n, d_max))
    queries = jax.random.uniform(k_queries, (num_queries, d_max))

    def one(query: jax.Array) -> jax.Array:
        diff = jnp.abs(points - query)  # (n, d_max)
        if torus:
            diff = jnp.minimum(diff, 1.0 - diff)
        dist = jnp.sqrt(jnp.cumsum(diff * diff, axis=1)[:, d - 1])  # (n, len(d))
        return (dist.max(axis=0) - dist.min(axis=0)) / dist.min(axis=0)

    return jnp.mean(jax.lax.map(one, queries), axis=0)


def distance_contrast(
    d: Any, n: int, key: jax.Array, *, num_queries: int = 1, metric: str = "euclidean"
) -> jax.Array:
    r"""Relative contrast of distances from a query to ``n`` uniform points in ``[0, 1]^d``.

    .. math:: C_d = \frac{\max_i \|x_i - q\| - \min_i \|x_i - q\|}{\min_i \|x_i - q\|}
              \;\longrightarrow\; 0 \quad (d \to \infty)

    It shrinks roughly like ``1/sqrt(d)``: in high dimension the nearest point
    is hardly nearer than the farthest.

    Parameters
    ----------
    d : int or int array, >= 1
        Dimension(s); all share one sample drawn at ``max(d)``.
    n : int, >= 2
        Points per query.
    key : jax.Array
        PRNG key.
    num_queries : int
        Uniform query points; the contrast is averaged over them.
    metric : {'euclidean', 'torus'}

    Returns
    -------
    jax.Array
        float32, shaped like ``d``.

    Examples
    --------
    >>> c = distance_contrast(jnp.array([2, 200]), 100, jax.random.key(0), num_queries=4)
    >>> bool(c[0] > 10 * c[1])
    True
    """
    d = integers(d, "d")
    n = check_int(n, "n", minimum=2, maximum=MAX_ELEMENTS)
    q = check_int(num_queries, "num_queries", minimum=1, maximum=MAX_ELEMENTS)
    torus = check_choice(metric, ("euclidean", "torus"), "metric") == "torus"
    key = check_key(key)
    d_max = int(d.max())
    refuse_huge((2 * n + q) * max(d_max, d.size), "the points", n=n, d=max(d_max, d.size), num_queries=q)
    out = _contrast(key, jnp.asarray(d.ravel(), jnp.int32), n, d_max, q, torus)
    return out.reshape(d.shape)
