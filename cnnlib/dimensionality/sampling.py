"""Uniform samples in the cube, on the torus and in the ball, and the distances between them."""
from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from .._validate import MAX_ELEMENTS, check_choice, check_int, check_key, check_ndim
from ._checks import points, refuse_huge

__all__ = ["sample_cube", "sample_torus", "sample_ball", "pairwise_distances"]


@partial(jax.jit, static_argnames=("n", "d"))
def _uniform(key: jax.Array, n: int, d: int) -> jax.Array:
    return jax.random.uniform(key, (n, d))


@partial(jax.jit, static_argnames=("n", "d"))
def _ball(key: jax.Array, n: int, d: int) -> jax.Array:
    k_dir, k_rad = jax.random.split(key)
    g = jax.random.normal(k_dir, (n, d))
    direction = g / jnp.linalg.norm(g, axis=1, keepdims=True)  # (n, d), uniform on the sphere
    u = jax.random.uniform(k_rad, (n, 1))
    return direction * jnp.exp(jnp.log(u) / d)  # radius U^(1/d): P(r < a) = a^d


def _sizes(n: Any, d: Any, key: Any) -> tuple[int, int, jax.Array]:
    n, d = check_int(n, "n", minimum=1, maximum=MAX_ELEMENTS), check_int(d, "d", minimum=1, maximum=MAX_ELEMENTS)
    refuse_huge(n * d, f"the ({n}, {d}) sample", n=n, d=d)
    return n, d, check_key(key)


def sample_cube(n: int, d: int, key: jax.Array) -> jax.Array:
    """``n`` points uniform in the unit cube ``[0, 1)^d``, shape ``(n, d)``.

    Sizes whose ``n * d`` entries would need more than 1 GiB are refused
    (``ValueError``) before anything is allocated.

    Examples
    --------
    >>> sample_cube(5, 3, jax.random.key(0)).shape
    (5, 3)
    """
    n, d, key = _sizes(n, d, key)
    return _uniform(key, n, d)


def sample_torus(n: int, d: int, key: jax.Array) -> jax.Array:
    """``n`` points uniform on the ``d``-torus: ``[0, 1)^d`` with 0 and 1 glued, shape ``(n, d)``.

    The points are drawn as by :func:`sample_cube`; what makes them a torus is
    the distance, ``pairwise_distances(..., metric="torus")``, under which no
    point is nearer the edge than any other.
    """
    return sample_cube(n, d, key)


def sample_ball(n: int, d: int, key: jax.Array) -> jax.Array:
    """``n`` points uniform in the unit ball of ``R^d`` (radius 1, centre 0), shape ``(n, d)``.

    A Gaussian direction times the radius ``U^(1/d)``, with ``U`` uniform.

    Examples
    --------
    >>> x = sample_ball(1000, 3, jax.random.key(0))
    >>> bool((jnp.linalg.norm(x, axis=1) <= 1).all())
    True
    """
    n, d, key = _sizes(n, d, key)
    return _ball(key, n, d)


@partial(jax.jit, static_argnames="torus")
def _distances(x: jax.Array, y: jax.Array, dims: jax.Array, torus: bool) -> jax.Array:
    diff = x[..., None, :] - y  # (N, M, D) or (M, D)
    if torus:
        r = jnp.mod(diff, 1.0)
        diff = jnp.minimum(r, 1.0 - r)  # the shorter way round each circle
    keep = jnp.arange(x.shape[-1]) < dims  # (D,): the first `dims` coordinates
    return jnp.sqrt(jnp.sum(jnp.where(keep, diff * diff, 0.0), axis=-1))


def pairwise_distances(x: Any, y: Any = None, *, metric: str = "euclidean", dims: int | None = None) -> jax.Array:
    r"""Distances between the points of ``x`` and ``y``, Euclidean or on the torus.

    .. math:: \|x - y\| = \Big(\sum_{j < d} \delta_j^2\Big)^{1/2}, \qquad
              \delta_j = |x_j - y_j| \;\text{(euclidean)} \;\text{or}\;
              \min(r_j, 1 - r_j),\; r_j = (x_j - y_j) \bmod 1 \;\text{(torus)}

    On the torus the largest possible distance is ``sqrt(d)/2``; dividing by it
    gives the normalised distance, whose mean tends to ``sqrt(1/3) ~ 0.577``.

    Parameters
    ----------
    x : array, (d,) or (N, d)
        One query point or ``N`` points (finite, at least one).
    y : array, (M, d), optional
        The points to measure to (default: ``x`` itself, which must be 2-D).
    metric : {'euclidean', 'torus'}
    dims : int, optional
        Use only the first ``dims`` coordinates. This is a mask, not a slice:
        changing it compiles nothing.

    Returns
    -------
    jax.Array
        ``(M,)`` for a query point, ``(N, M)`` for a set. Memory grows as
        ``N M d``; beyond 1 GiB the call is refused before it starts.

    Examples
    --------
    >>> pairwise_distances(jnp.array([[0.0, 0.0], [3.0, 4.0]]))
    Array([[0., 5.],
           [5., 0.]], dtype=float32)
    >>> pairwise_distances(jnp.array([0.1]), jnp.array([[0.9]]), metric="torus")  # 0.1 -> 0 -> 0.9
    Array([0.2], dtype=float32)
    """
    torus = check_choice(metric, ("euclidean", "torus"), "metric") == "torus"
    x = points(x, "x", "(d,) or (N, d)", (1, 2))
    if y is None:
        check_ndim(x, 2, "x", "(N, d) when `y` is not given")
        y = x
    y = points(y, "y", "(M, d)")
    if y.shape[1] != x.shape[-1]:
        raise ValueError(f"`x` and `y` must have the same number of coordinates d; got {x.shape[-1]} and {y.shape[1]}.")
    n = x.shape[0] if x.ndim == 2 else 1
    refuse_huge(n * y.shape[0] * y.shape[1], "the coordinate differences", x=n, y=y.shape[0])
    dims = x.shape[-1] if dims is None else check_int(dims, "dims", minimum=1, maximum=x.shape[-1])
    return _distances(x, y, jnp.asarray(dims, jnp.int32), torus)
