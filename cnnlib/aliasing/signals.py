"""Test signals for aliasing: a zone plate, sinusoidal stripes, and the lecture's toy signal 0, 0, 1, 1, ..."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import check_int, check_positive_int, check_real
from ._common import _check_entries

__all__ = ["zone_plate", "stripes", "toy_signal"]


def zone_plate(n: int = 128) -> jax.Array:
    """A zone plate: rings whose frequency grows linearly from the centre to the edge.

    .. math::

        z_{i,j} = \\tfrac12 + \\tfrac12 \\cos\\bigl(\\pi (u^2 + v^2) / n\\bigr),
        \\qquad u = i - n/2,\\; v = j - n/2.

    The local frequency along each axis is :math:`|u| / n` cycles per pixel:
    0 at the centre, the Nyquist limit 1/2 at the edges. Its spectrum is a
    zone plate too, so every frequency appears at a known place.

    Parameters
    ----------
    n : int
        Side in pixels (>= 2).

    Returns
    -------
    jax.Array, float32, shape (n, n), values in [0, 1], 1 at the centre ``(n // 2, n // 2)``

    Examples
    --------
    >>> z = zone_plate(4)
    >>> float(z[2, 2]), float(z[2, 3]), float(z[2, 0])   # cos(0), cos(pi/4), cos(pi)
    (1.0, 0.8535534143447876, 0.0)
    """
    n = check_int(n, "n", minimum=2)
    _check_entries(n * n, "n", "the zone plate")
    u = np.arange(n) - n / 2
    r2 = u[:, None] ** 2 + u[None, :] ** 2
    return jnp.asarray(0.5 + 0.5 * np.cos(np.pi * r2 / n), dtype=jnp.float32)


def stripes(n: int, frequency: float, *, angle: float = 0.0) -> jax.Array:
    """Sinusoidal stripes at ``frequency`` cycles per pixel.

    .. math:: s_{i,j} = \\tfrac12 + \\tfrac12 \\cos\\bigl(2\\pi f (j \\cos\\theta + i \\sin\\theta)\\bigr)

    Parameters
    ----------
    n : int
        Side in pixels (>= 1).
    frequency : float
        ``f`` in cycles per pixel, 0 to 0.5 (the Nyquist limit).
    angle : float
        ``theta`` in degrees; 0 gives vertical stripes (varying along a row).

    Returns
    -------
    jax.Array, float32, shape (n, n), values in [0, 1]

    Examples
    --------
    >>> stripes(4, 0.5)[0]                          # the Nyquist frequency: alternate pixels
    Array([1., 0., 1., 0.], dtype=float32)
    >>> stripes(4, 0.25)[0]
    Array([1. , 0.5, 0. , 0.5], dtype=float32)
    """
    n = check_positive_int(n, "n")
    _check_entries(n * n, "n", "the stripes")
    f = check_real(frequency, "frequency", minimum=0.0, maximum=0.5)
    theta = np.deg2rad(check_real(angle, "angle"))
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    phase = 2 * np.pi * f * (j * np.cos(theta) + i * np.sin(theta))
    return jnp.asarray(np.round(0.5 + 0.5 * np.cos(phase), 7), dtype=jnp.float32)


def toy_signal(length: int = 8, *, period: int = 4) -> jax.Array:
    """The lecture's toy signal: 0, 0, 1, 1, 0, 0, 1, 1, ... (rises to 1 and falls back, repeatedly).

    Max pooling it (width 2, stride 2) gives ``[0, 1, 0, 1]``; shifted by one
    sample it gives ``[1, 1, 1, 1]``: a one-pixel shift changes the output completely.

    Parameters
    ----------
    length : int
        Number of samples (>= 1).
    period : int
        Samples per repeat, even and >= 2; the first half are 0, the second 1.

    Returns
    -------
    jax.Array, float32, shape (length,)

    Examples
    --------
    >>> toy_signal()
    Array([0., 0., 1., 1., 0., 0., 1., 1.], dtype=float32)
    >>> toy_signal(6, period=2)
    Array([0., 1., 0., 1., 0., 1.], dtype=float32)
    """
    length = check_positive_int(length, "length")
    _check_entries(length, "length", "the signal")
    period = check_int(period, "period", minimum=2)
    if period % 2:
        raise ValueError(f"`period` must be even (half zeros, half ones); got {period}.")
    period = min(period, 2 * length)  # a longer period shows only zeros, as this one does (no int64 overflow)
    return jnp.asarray((np.arange(length) % period) >= period // 2, dtype=jnp.float32)
