"""The curse of dimensionality in closed form: rinds, half-lengths, the ball in the cube, grid sizes.

Notebook ``04_curse_of_dimensionality`` checks each against a Monte-Carlo
estimate (:mod:`cnnlib.dimensionality.monte_carlo`).
"""
from __future__ import annotations

import math
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import gammaln

from .._validate import check_bool
from ._checks import broadcast, in_interval, integers

__all__ = ["rind_fraction", "half_length", "ball_volume_fraction", "log10_samples_needed"]

_LOG2 = math.log(2.0)


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
        If ``alpha`` is outside (0, 1], ``n < 1``, either is empty, or their shapes do not broadcast.

    Examples
    --------
    >>> float(rind_fraction(0.5, 2))  # a pizza shrunk to half its radius keeps a quarter
    0.75
    >>> [round(v, 3) for v in rind_fraction(0.9, jnp.array([1, 2, 3])).tolist()]  # 1 - 0.9, 0.81, 0.729
    [0.1, 0.19, 0.271]
    """
    alpha = in_interval(alpha, "alpha", 0.0, 1.0, lo_open=True)
    n = integers(n, "n")
    broadcast(alpha, "alpha", n, "n")
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
    n = integers(n, "n")
    first_order = check_bool(first_order, "first_order")
    return _half_length(jnp.asarray(n, jnp.float32), first_order)


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
    d = integers(d, "d")
    log10 = check_bool(log10, "log10")
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
    in_interval(eps, "eps", 0.0, 1.0, lo_open=True)
    d = integers(d, "d")
    broadcast(eps, "eps", d, "d")
    return -d * np.log10(np.asarray(eps, dtype=np.float64))
