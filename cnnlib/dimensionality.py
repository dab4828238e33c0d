"""The curse of dimensionality, measured: closed forms and their Monte-Carlo checks.

Notebook ``04_curse_of_dimensionality`` uses these to put numbers on four facts:

* covering ``[0, 1]^d`` to accuracy ``eps`` takes ``eps^-d`` samples
  (:func:`log10_samples_needed`, in log10 because the count overflows);
* a shape shrunk by ``alpha`` keeps ``alpha^n`` of its volume, so the rind
  ``1 - alpha^n`` holds almost everything in high dimension
  (:func:`rind_fraction`, :func:`half_length`, :func:`rind_fraction_mc`,
  :func:`half_length_mc`);
* the inscribed ball is a vanishing part of the cube: the rest is corners
  (:func:`ball_volume_fraction`, :func:`ball_volume_fraction_mc`);
* distances concentrate, so a nearest neighbour is barely nearer than the
  farthest point (:func:`pairwise_distances`, :func:`distance_contrast`,
  :func:`knn_predict`, :func:`knn_accuracy`).

Every Monte-Carlo function takes a ``key`` as its last positional argument.
Sweeps over the dimension ``d`` sample once at the largest ``d`` and read
off the first ``d`` coordinates (a prefix sum or a mask), so one compiled
function serves every ``d`` and the estimates for neighbouring ``d`` share
their samples.
"""
from __future__ import annotations

import math
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import gammaln

from ._validate import as_float_array, check_choice, check_int, check_key, check_ndim, check_real, describe

__all__ = [
    "rind_fraction",
    "half_length",
    "ball_volume_fraction",
    "log10_samples_needed",
    "sample_cube",
    "sample_torus",
    "sample_ball",
    "pairwise_distances",
    "rind_fraction_mc",
    "half_length_mc",
    "ball_volume_fraction_mc",
    "distance_contrast",
    "knn_predict",
    "knn_accuracy",
    "dimension_figure",
    "rind_figure",
]

_LOG2 = math.log(2.0)


# --- argument checks -------------------------------------------------------------------------


def _in_interval(x: Any, name: str, lo: float, hi: float, *, lo_open: bool, hi_open: bool = False) -> jax.Array:
    """``x`` as a float array whose every entry lies in the interval; tracers pass unchecked."""
    arr = as_float_array(x, name)
    if isinstance(arr, jax.core.Tracer):
        return arr
    a = np.asarray(arr)
    ok = np.isfinite(a) & ((a > lo) if lo_open else (a >= lo)) & ((a < hi) if hi_open else (a <= hi))
    if not ok.all():
        text = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
        where = "" if a.ndim == 0 else f" in an array of shape {a.shape}"
        raise ValueError(f"`{name}` must be in {text}; got {a[~ok].flat[0]:g}{where}.")
    return arr


def _integers(x: Any, name: str, minimum: int = 1, *, nonempty: bool = False) -> np.ndarray:
    """``x`` as a NumPy integer array (scalar or any shape) with every entry >= ``minimum``."""
    a = np.asarray(x) if not isinstance(x, (str, bytes)) else np.asarray(None)
    if nonempty and a.size == 0:
        raise ValueError(f"`{name}` must hold at least one value; got an empty array of shape {a.shape}.")
    if a.dtype == np.bool_ or not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"`{name}` must be an integer or an array of integers; got {describe(x)}.")
    if (a < minimum).any():
        raise ValueError(f"`{name}` must be >= {minimum}; got {a[a < minimum].flat[0]}.")
    return a


def _points(x: Any, name: str, layout: str = "(N, d)", ndims: tuple[int, ...] = (2,)) -> jax.Array:
    arr = as_float_array(x, name)
    check_ndim(arr, ndims, name, layout)
    return arr


# --- closed forms ----------------------------------------------------------------------------


@jax.jit
def _rind(alpha: jax.Array, n: jax.Array) -> jax.Array:
    return 0.0 - jnp.expm1(n * jnp.log(alpha))  # 1 - alpha^n without cancellation near alpha = 1 (and 0.0, not -0.0)


def rind_fraction(alpha: Any, n: Any) -> jax.Array:
    r"""Fraction of an ``n``-dimensional shape that lies in its rind after shrinking by ``alpha``.

    .. math:: \mathrm{rind}(\alpha, n) = 1 - \alpha^n

    Shrinking any shape about its centre by ``alpha`` keeps ``alpha^n`` of its
    volume; the rind is the rest. Its slope at ``alpha = 1`` is ``-n``: the rind
    grows ``n`` times faster than the shape shrinks (``jax.grad`` works here).

    Parameters
    ----------
    alpha : float or array, in (0, 1]
        Shrink factor (ratio of the inner to the outer size).
    n : int or int array, >= 1
        Dimension. ``alpha`` and ``n`` broadcast.

    Returns
    -------
    jax.Array
        ``1 - alpha**n``, float32, with the broadcast shape.

    Raises
    ------
    ValueError
        If ``alpha`` is outside (0, 1] or ``n < 1``.

    Examples
    --------
    >>> float(rind_fraction(0.5, 2))  # a pizza shrunk to half its radius keeps a quarter
    0.75
    >>> [round(v, 3) for v in rind_fraction(0.9, jnp.array([1, 2, 3])).tolist()]  # 1 - 0.9, 0.81, 0.729
    [0.1, 0.19, 0.271]
    """
    alpha = _in_interval(alpha, "alpha", 0.0, 1.0, lo_open=True)
    n = _integers(n, "n")
    return _rind(alpha, jnp.asarray(n, jnp.float32))


@partial(jax.jit, static_argnames="first_order")
def _half_length(n: jax.Array, first_order: bool) -> jax.Array:
    return 1.0 - _LOG2 / n if first_order else jnp.exp(-_LOG2 / n)


def half_length(n: Any, *, first_order: bool = False) -> jax.Array:
    r"""The shrink factor that leaves half the volume inside: the "half-length".

    .. math:: \alpha_{1/2}^n = \tfrac12 \;\Rightarrow\; \alpha_{1/2} = 2^{-1/n}
              = e^{-\log 2 / n} \approx 1 - \frac{\log 2}{n} \approx 1 - \frac{0.7}{n}

    Half the volume lies within ``(1 - alpha)/2`` of the diameter from the
    boundary (the rind is ``1 - alpha`` of the radius).

    Parameters
    ----------
    n : int or int array, >= 1
        Dimension.
    first_order : bool
        Return the first-order approximation ``1 - log(2)/n`` instead of the
        exact ``2**(-1/n)``. The approximation is always a little smaller.

    Returns
    -------
    jax.Array
        float32, shaped like ``n``.

    Examples
    --------
    >>> float(half_length(1)), round(float(half_length(2)), 4)
    (0.5, 0.7071)
    >>> round(float(half_length(2, first_order=True)), 4)  # 1 - 0.3466
    0.6534
    """
    n = _integers(n, "n")
    return _half_length(jnp.asarray(n, jnp.float32), bool(first_order))


@jax.jit
def _log_ball_fraction(d: jax.Array) -> jax.Array:
    half = 0.5 * d
    return half * jnp.log(jnp.pi) - gammaln(half + 1.0) - d * _LOG2  # log(V_d(1) / 2^d)


def ball_volume_fraction(d: Any, *, log10: bool = False) -> jax.Array:
    r"""Volume of the ball inscribed in a cube, as a fraction of the cube's volume.

    .. math:: \frac{V_{\mathrm{ball}}}{V_{\mathrm{cube}}}
              = \frac{\pi^{d/2}}{\Gamma(d/2 + 1)\, 2^d}

    Computed through ``gammaln`` so that nothing overflows; the rest of the
    cube, ``1 -`` this, lies in its ``2^d`` corners.

    Parameters
    ----------
    d : int or int array, >= 1
        Dimension.
    log10 : bool
        Return ``log10`` of the fraction (it underflows float32 beyond d ~ 60).

    Returns
    -------
    jax.Array
        float32, shaped like ``d``.

    Examples
    --------
    >>> ball_volume_fraction(jnp.array([1, 2, 3]))  # 1, pi/4, pi/6
    Array([1.       , 0.7853982, 0.5235988], dtype=float32)
    >>> round(1 - float(ball_volume_fraction(8)), 3)  # d = 8: the corners hold 98.4%
    0.984
    """
    d = _integers(d, "d")
    log_fraction = _log_ball_fraction(jnp.asarray(d, jnp.float32))
    return log_fraction / math.log(10.0) if log10 else jnp.exp(log_fraction)


def log10_samples_needed(eps: Any, d: Any) -> np.ndarray:
    r"""``log10`` of the samples needed to pin down a Lipschitz function on ``[0, 1]^d`` to ``eps``.

    .. math:: N(\varepsilon, d) \sim \varepsilon^{-d}, \qquad
              \log_{10} N = -d \log_{10} \varepsilon

    A grid with spacing ``eps`` has ``(1/eps)^d`` points. The count itself
    overflows any float long before images get interesting, so only its
    logarithm is returned. This one is plain NumPy in float64, so that the
    exponent keeps all its digits (float32 holds integers exactly only up to
    about 16 million; a 12-megapixel RGB image has d = 36 million).

    Parameters
    ----------
    eps : float or array, in (0, 1]
        Accuracy.
    d : int or int array, >= 1
        Input dimension. ``eps`` and ``d`` broadcast.

    Returns
    -------
    numpy.ndarray
        float64, with the broadcast shape.

    Examples
    --------
    >>> log10_samples_needed(0.1, [1, 2, 3])  # 10, 100, 1000 samples
    array([1., 2., 3.])
    """
    _in_interval(eps, "eps", 0.0, 1.0, lo_open=True)
    d = _integers(d, "d")
    return -d * np.log10(np.asarray(eps, dtype=np.float64))


# --- sampling and distances ------------------------------------------------------------------


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


def sample_cube(n: int, d: int, key: jax.Array) -> jax.Array:
    """``n`` points uniform in the unit cube ``[0, 1)^d``, shape ``(n, d)``.

    Examples
    --------
    >>> sample_cube(5, 3, jax.random.key(0)).shape
    (5, 3)
    """
    n, d = check_int(n, "n", minimum=1), check_int(d, "d", minimum=1)
    return _uniform(check_key(key), n, d)


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
    n, d = check_int(n, "n", minimum=1), check_int(d, "d", minimum=1)
    return _ball(check_key(key), n, d)


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
        One query point or ``N`` points.
    y : array, (M, d), optional
        The points to measure to (default: ``x`` itself, which must be 2-D).
    metric : {'euclidean', 'torus'}
    dims : int, optional
        Use only the first ``dims`` coordinates. This is a mask, not a slice:
        changing it compiles nothing.

    Returns
    -------
    jax.Array
        ``(M,)`` for a query point, ``(N, M)`` for a set. Memory grows as ``N M d``.

    Examples
    --------
    >>> pairwise_distances(jnp.array([[0.0, 0.0], [3.0, 4.0]]))
    Array([[0., 5.],
           [5., 0.]], dtype=float32)
    >>> pairwise_distances(jnp.array([0.1]), jnp.array([[0.9]]), metric="torus")  # 0.1 -> 0 -> 0.9
    Array([0.2], dtype=float32)
    """
    torus = check_choice(metric, ("euclidean", "torus"), "metric") == "torus"
    x = _points(x, "x", "(d,) or (N, d)", (1, 2))
    if y is None:
        check_ndim(x, 2, "x", "(N, d) when `y` is not given")
        y = x
    y = _points(y, "y", "(M, d)")
    if y.shape[1] != x.shape[-1]:
        raise ValueError(f"`x` and `y` must have the same number of coordinates d; got {x.shape[-1]} and {y.shape[1]}.")
    dims = x.shape[-1] if dims is None else check_int(dims, "dims", minimum=1, maximum=x.shape[-1])
    return _distances(x, y, jnp.asarray(dims, jnp.int32), torus)


# --- Monte-Carlo checks ----------------------------------------------------------------------


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
    num = check_int(num_samples, "num_samples", minimum=1)
    shape = check_choice(shape, ("ball", "cube"), "shape")
    gauges = _gauges(check_key(key), int(n.max()), num, shape)
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
    alpha = _in_interval(alpha, "alpha", 0.0, 1.0, lo_open=True)
    n = _integers(n, "n", nonempty=True)
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
    n = _integers(n, "n", nonempty=True)
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
    d = _integers(d, "d", nonempty=True)
    num = check_int(num_samples, "num_samples", minimum=1)
    inside = _inside_ball(check_key(key), jnp.asarray(d.ravel(), jnp.int32), num, int(d.max()))
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
    d = _integers(d, "d", nonempty=True)
    n = check_int(n, "n", minimum=2)
    q = check_int(num_queries, "num_queries", minimum=1)
    torus = check_choice(metric, ("euclidean", "torus"), "metric") == "torus"
    out = _contrast(check_key(key), jnp.asarray(d.ravel(), jnp.int32), n, int(d.max()), q, torus)
    return out.reshape(d.shape)


# --- nearest neighbours ----------------------------------------------------------------------


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


def _labelled(x: Any, y: Any, xname: str, yname: str) -> tuple[jax.Array, np.ndarray]:
    x = as_float_array(x, xname)
    if x.ndim < 2:
        raise ValueError(f"`{xname}` must have shape (N, features...) with N examples; got {tuple(x.shape)}.")
    x = x.reshape(x.shape[0], -1)  # (N, D): images are flattened
    labels = _integers(y, yname, minimum=0)
    if labels.shape != (x.shape[0],):
        raise ValueError(f"`{yname}` must have shape ({x.shape[0]},), one label per row of `{xname}`; got {labels.shape}.")
    return x, labels


def knn_predict(x_train: Any, y_train: Any, x_test: Any, *, k: int = 1) -> jax.Array:
    """Label each test point by a majority vote of its ``k`` nearest training points (Euclidean).

    Ties go to the class whose voters are nearer.

    Parameters
    ----------
    x_train : array, (N, ...)
        Training examples; everything after the first axis is flattened.
    y_train : int array, (N,)
        Labels ``0, 1, ...``.
    x_test : array, (M, ...)
    k : int, 1 <= k <= N

    Returns
    -------
    jax.Array
        int32 labels, shape ``(M,)``.

    Examples
    --------
    >>> knn_predict(jnp.array([[0.0], [1.0], [10.0]]), jnp.array([0, 0, 1]), jnp.array([[2.0], [8.0]]))
    Array([0, 1], dtype=int32)
    """
    x_train, labels = _labelled(x_train, y_train, "x_train", "y_train")
    x_test = as_float_array(x_test, "x_test")
    x_test = x_test.reshape(x_test.shape[0], -1) if x_test.ndim >= 2 else x_test
    check_ndim(x_test, 2, "x_test", f"(M, features...) with {x_train.shape[1]} features")
    if x_test.shape[1] != x_train.shape[1]:
        raise ValueError(f"`x_test` must have {x_train.shape[1]} features per example, like `x_train`; got {x_test.shape[1]}.")
    k = check_int(k, "k", minimum=1, maximum=x_train.shape[0])
    return _knn(x_train, jnp.asarray(labels, jnp.int32), x_test, k, int(labels.max()) + 1).astype(jnp.int32)


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
    x_test, test_labels = _labelled(x_test, y_test, "x_test", "y_test")
    if x_test.shape[1] != x_train.shape[1]:
        raise ValueError(f"`x_test` must have {x_train.shape[1]} features per example, like `x_train`; got {x_test.shape[1]}.")
    k = check_int(k, "k", minimum=1, maximum=x_train.shape[0])
    m = _integers(num_noise, "num_noise", minimum=0, nonempty=True)
    scale = check_real(scale, "scale", minimum=0.0, min_inclusive=False)
    if m.max() > 0 and key is None:
        raise TypeError("`key` must be a JAX PRNG key such as `jax.random.key(0)` when `num_noise` > 0; got None.")
    key = jax.random.key(0) if key is None else check_key(key)
    num_classes = int(max(labels.max(), test_labels.max())) + 1
    acc = _knn_noise(
        key, x_train, jnp.asarray(labels, jnp.int32), x_test, jnp.asarray(test_labels, jnp.int32),
        jnp.asarray(m.ravel(), jnp.int32), jnp.float32(scale), k, num_classes, int(m.max()),
    )
    return acc.reshape(m.shape)


# --- static figures (the explorers' companions for readers without a kernel) ----------------


def dimension_figure(dims: Any = (2, 8, 64, 512), *, num_points: int = 2000, key: jax.Array | None = None):
    """The three panels of ``cl.widgets.dimension_explorer()`` as one static figure, one colour per ``d``.

    Left, the rind ``1 - alpha^d`` with the half-length marked; middle, uniform
    cube samples by distance from the centre over the inscribed radius; right,
    normalised torus distances. Needs matplotlib (imported on call).
    """
    from .widgets.dimensionality import dimension_figure as draw

    return draw(dims, num_points=num_points, key=key)


def rind_figure(alphas: Any = (0.7, 0.9, 0.99)):
    """Static companion of ``cl.widgets.rind_explorer()``: the half-crust pizza and ``1 - alpha^n`` against n."""
    from .widgets.dimensionality import rind_figure as draw

    return draw(alphas)
