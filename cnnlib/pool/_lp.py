"""L_p pooling in one ``reduce_window``, whatever the window's size, with its gradient.

Summing :math:`|x|^p` directly overflows float32 for a large ``p`` (``10**50``
for ``p = 50`` on a window of 10s). So each partial sum is kept as a pair
``(m, s)``: ``m`` the largest :math:`|x|` so far, ``s`` the sum of
:math:`(|x|/m)^p` (between 1 and the number of cells). Two pairs merge as

.. math:: (m_1, s_1) \\oplus (m_2, s_2) = \\big(m,\\; s_1 (m_1/m)^p + s_2 (m_2/m)^p\\big),
          \\qquad m = \\max(m_1, m_2),

and the window's norm is :math:`m\\, s^{1/p}`. XLA's ``reduce_window`` applies
that merge over each window: one operation, however large the window (a
32x32 window used to be traced as 1024 slices). JAX cannot differentiate a
custom reduction, so the gradient is written out: for a cell ``q``,

.. math:: \\frac{\\partial L}{\\partial x_q} = \\operatorname{sign}(x_q)
          \\sum_{w \\ni q} g_w \\Big(\\frac{|x_q|}{y_w}\\Big)^{p-1},

a sum over the windows that hold ``q``; it is the same kind of merge (with
``c`` the smallest :math:`y_w` so far) over the output spread back onto the
input grid. Every ratio is at most 1, so nothing overflows, and an all-zero
window gives a zero gradient, not NaN.
"""
from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp


def _norms(a: jax.Array, p: float, dims: tuple, steps: tuple, padding: tuple) -> jax.Array:
    """``(sum |a|^p)^(1/p)`` of every window of ``a >= 0`` (zeros in the padding)."""
    def merge(u, v):
        m = jnp.maximum(u[0], v[0])
        ru = jnp.where(m > u[0], u[0] / m, 1.0)  # 1 where u holds the maximum (also for m = 0)
        rv = jnp.where(m > v[0], v[0] / m, 1.0)
        return m, u[1] * ru**p + v[1] * rv**p

    zero = jnp.zeros((), a.dtype)
    m, s = jax.lax.reduce_window((a, (a > 0).astype(a.dtype)), (zero, zero), merge, dims, steps, padding)
    return m * s ** (1.0 / p)  # an all-zero window: 0 * 0 = 0


@partial(jax.custom_vjp, nondiff_argnums=(1, 2, 3, 4))
def lp_norms(x: jax.Array, p: float, dims: tuple, steps: tuple, padding: tuple) -> jax.Array:
    """The L_p norm of every window of ``x`` (window ``dims``, strides ``steps``, explicit ``padding``)."""
    return _norms(jnp.abs(x), p, dims, steps, padding)


def _forward(x, p, dims, steps, padding):
    y = _norms(jnp.abs(x), p, dims, steps, padding)
    return y, (x, y)


def _backward(p, dims, steps, padding, residuals, g):
    x, y = residuals
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape, padding))
    # Spread the output back onto the padded input grid: output i sits at i*s + k - 1, so that a
    # stride-1 window of size k at cell q covers exactly the windows that hold q.
    config = [(k - 1, pn - s * (n - 1) - 1, s - 1) for k, pn, s, n in zip(dims, padded, steps, y.shape)]
    inf = jnp.asarray(jnp.inf, y.dtype)
    zero = jnp.zeros((), y.dtype)

    def merge(u, v):  # (c, t): c the smallest y_w, t = sum of g_w (c / y_w)^(p-1)
        c = jnp.minimum(u[0], v[0])
        ru = jnp.where(u[0] > c, c / u[0], 1.0)
        rv = jnp.where(v[0] > c, c / v[0], 1.0)
        return c, u[1] * ru ** (p - 1) + v[1] * rv ** (p - 1)

    spread = (jax.lax.pad(y, inf, config), jax.lax.pad(g.astype(y.dtype), zero, config))
    c, t = jax.lax.reduce_window(spread, (inf, zero), merge, dims, (1,) * len(dims), "VALID")
    inside = tuple(slice(lo, lo + n) for (lo, _), n in zip(padding, x.shape))
    c, t = c[inside], t[inside]
    a = jnp.abs(x)
    ratio = jnp.where(c > 0, a / jnp.where(c > 0, c, 1.0), 0.0)  # <= 1; c = 0 only in an all-zero window
    return (jnp.sign(x) * ratio ** (p - 1) * t,)


lp_norms.defvjp(_forward, _backward)
