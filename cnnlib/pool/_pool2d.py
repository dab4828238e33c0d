"""2-D pooling: max, average, :math:`L_p` and distance-weighted, channel by channel."""
from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from .._validate import check_real
from ._lp import lp_norms
from ._window import Pairs, _normalise

__all__ = ["max_pool2d", "avg_pool2d", "lp_pool2d", "weighted_pool2d"]


@partial(jax.jit, static_argnames=("window", "strides", "pads", "op"))
def _pool(x: jax.Array, p: jax.Array, *, window: tuple, strides: tuple, pads: Pairs, op: str) -> jax.Array:
    """The one pooling routine: reduce_window over the last two axes with `op`."""
    lead = x.ndim - 2  # 0 for (H, W), 2 for (N, C, H, W): pooling never mixes channels
    dims = (1,) * lead + window
    steps = (1,) * lead + strides
    padding = ((0, 0),) * lead + pads
    if op == "max":
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, dims, steps, padding)
    total = jax.lax.reduce_window(x, 0.0, jax.lax.add, dims, steps, padding)  # op == "avg"
    count = jax.lax.reduce_window(jnp.ones(x.shape[-2:], x.dtype), 0.0, jax.lax.add, window, strides, pads)
    return total / count  # count: (H', W'), real cells per window


def max_pool2d(x: Any, size: Any, *, stride: Any = None, padding: Any = "valid") -> jax.Array:
    """Max pooling over the last two axes, channel by channel.

    .. math:: y_{i,j} = \\max_{0 \\le a < k_H,\\ 0 \\le b < k_W} x_{s_H i + a,\\ s_W j + b}

    Parameters
    ----------
    x : array, shape (H, W) or (N, C, H, W)
        Feature map(s); integers become float32.
    size : int or (int, int)
        Window ``(kH, kW)``, each >= 1.
    stride : int or (int, int), optional
        Step between windows; ``None`` (default) means ``stride = size``
        (windows that touch but do not overlap).
    padding : {'valid', 'same'} or int or ((top, bottom), (left, right))
        ``'valid'`` uses only whole windows; ``'same'`` pads so the output has
        ``ceil(H / s_H)`` rows. Padded cells hold ``-inf``, so they never win.
        Each pad must be smaller than the window.

    Returns
    -------
    jax.Array, shape (H', W') or (N, C, H', W')
        ``H' = floor((H + top + bottom - kH) / s_H) + 1``, same for ``W'``.

    Raises
    ------
    ValueError
        If ``x`` is not 2-D or 4-D, a size or stride is < 1, or the window is
        larger than the padded input.

    See Also
    --------
    jax.lax.reduce_window, avg_pool2d, lp_pool2d

    Examples
    --------
    >>> import cnnlib as cl
    >>> x = [[6, 1, 2, 4], [1, 6, 7, 8], [3, 5, 2, 0], [1, 2, 3, 4]]
    >>> cl.max_pool2d(x, 2).tolist()
    [[6.0, 8.0], [5.0, 4.0]]
    """
    x, window, strides, pads = _normalise(x, size, stride, padding)
    return _pool(x, jnp.float32(1.0), window=window, strides=strides, pads=pads, op="max")


def avg_pool2d(x: Any, size: Any, *, stride: Any = None, padding: Any = "valid") -> jax.Array:
    """Average pooling over the last two axes, channel by channel.

    .. math:: y_{i,j} = \\frac{1}{|W_{ij}|} \\sum_{(a, b) \\in W_{ij}} x_{s_H i + a,\\ s_W j + b}

    where :math:`W_{ij}` holds the *real* (not padded) cells of the window.
    Parameters, output shape and errors as in :func:`max_pool2d`.

    Examples
    --------
    >>> import cnnlib as cl
    >>> x = [[6, 1, 2, 4], [1, 6, 7, 8], [3, 5, 2, 0], [1, 2, 3, 4]]
    >>> cl.avg_pool2d(x, 2).tolist()
    [[3.5, 5.25], [2.75, 2.25]]
    >>> cl.avg_pool2d([[1, 1, 1]], (1, 3), stride=1, padding="same").tolist()  # padding not counted
    [[1.0, 1.0, 1.0]]
    """
    x, window, strides, pads = _normalise(x, size, stride, padding)
    return _pool(x, jnp.float32(1.0), window=window, strides=strides, pads=pads, op="avg")


def lp_pool2d(x: Any, size: Any, *, p: float = 2.0, stride: Any = None, padding: Any = "valid") -> jax.Array:
    """:math:`L_p` pooling over the last two axes: the p-norm of each window.

    .. math:: y_{i,j} = \\Big(\\sum_{(a, b) \\in W} |x_{s_H i + a,\\ s_W j + b}|^p\\Big)^{1/p}

    ``p = 1`` sums absolute values, ``p = 2`` is the Euclidean length of the
    window (the lecture's "L2 pooling"), and ``p -> inf`` tends to max pooling
    of ``|x|``. Padded cells count as 0. Other parameters as in
    :func:`max_pool2d`; ``p`` must be >= 1. One ``reduce_window`` whatever
    the window's size (see :mod:`cnnlib.pool._lp`); differentiable in ``x``
    (reverse mode, ``jax.grad``), not in ``p``.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.lp_pool2d([[3, 4], [0, 0]], 2).tolist()
    [[5.0]]
    """
    p = check_real(p, "p", minimum=1.0)
    x, window, strides, pads = _normalise(x, size, stride, padding)
    return _lp(x, p=p, window=window, strides=strides, pads=pads)


@partial(jax.jit, static_argnames=("p", "window", "strides", "pads"))
def _lp(x: jax.Array, *, p: float, window: tuple, strides: tuple, pads: Pairs) -> jax.Array:
    lead = x.ndim - 2  # 0 for (H, W), 2 for (N, C, H, W)
    return lp_norms(x, p, (1,) * lead + window, (1,) * lead + strides, ((0, 0),) * lead + pads)


def _gaussian_window(window: tuple, sigma: float) -> jax.Array:
    """Weights exp(-d^2 / (2 sigma^2)), d the distance from the window centre, summing to 1."""
    rows = jnp.arange(window[0]) - (window[0] - 1) / 2  # (kH,)
    cols = jnp.arange(window[1]) - (window[1] - 1) / 2  # (kW,)
    d2 = rows[:, None] ** 2 + cols[None, :] ** 2  # (kH, kW)
    d2 = d2 - d2.min()  # the nearest cells weigh exactly 1: no 0 / 0 for a tiny sigma (sigma**2 = 0 in float32)
    w = jnp.exp(-jnp.where(d2 > 0, d2 / (2.0 * sigma**2), 0.0))
    return (w / w.sum()).astype(jnp.float32)


def weighted_pool2d(
    x: Any, size: Any, *, sigma: float | None = None, stride: Any = None, padding: Any = "valid"
) -> jax.Array:
    """Distance-weighted average pooling: cells near the window centre count more.

    .. math::

        y_{i,j} = \\frac{\\sum_{(a,b) \\in W} \\omega_{ab}\\, x_{s_H i + a,\\ s_W j + b}}
                       {\\sum_{(a,b) \\in W} \\omega_{ab}},\\qquad
        \\omega_{ab} = \\exp\\!\\Big(-\\frac{(a - c_H)^2 + (b - c_W)^2}{2\\sigma^2}\\Big)

    with :math:`(c_H, c_W) = ((k_H - 1)/2, (k_W - 1)/2)` the window centre.
    As in :func:`avg_pool2d`, padded cells are left out of both sums. A large
    ``sigma`` gives plain average pooling. Computed as a depthwise
    :func:`cnnlib.conv2d` with the fixed Gaussian kernel.

    Parameters
    ----------
    x, size, stride, padding
        As in :func:`max_pool2d`.
    sigma : float, optional
        Width of the Gaussian in pixels, > 0; default ``max(size) / 3``
        (1 for a 3x3 window: corner weight :math:`e^{-1} \\approx 0.37` of the centre's).

    Examples
    --------
    >>> import cnnlib as cl
    >>> y = cl.weighted_pool2d([[0, 0, 0], [0, 9, 0], [0, 0, 0]], 3, sigma=1.0)
    >>> round(float(y[0, 0]), 3)  # the centre's weight 1 / (1 + 4 e^-0.5 + 4 e^-1)
    1.838
    """
    x, window, strides, pads = _normalise(x, size, stride, padding)
    sigma = max(window) / 3.0 if sigma is None else check_real(sigma, "sigma", minimum=0.0, min_inclusive=False)
    sigma = min(max(sigma, 1e-30), 1e30)  # beyond these the float32 weights are the same (the limits)
    return _weighted(x, jnp.float32(sigma), window=window, strides=strides, pads=pads)


@partial(jax.jit, static_argnames=("window", "strides", "pads"))
def _weighted(x: jax.Array, sigma: jax.Array, *, window: tuple, strides: tuple, pads: Pairs) -> jax.Array:
    from ..conv import conv2d as conv  # the one convolution (imported when first traced)

    w = _gaussian_window(window, sigma)[None, None]  # (1, 1, kH, kW): one filter, applied to every channel
    flat = x.reshape((-1, 1) + x.shape[-2:])  # (N*C, 1, H, W)
    total = conv(flat, w, stride=strides, padding=pads)  # (N*C, 1, H', W')
    norm = conv(jnp.ones((1, 1) + x.shape[-2:], x.dtype), w, stride=strides, padding=pads)  # (1, 1, H', W')
    y = total / norm
    return y.reshape(x.shape[:-2] + y.shape[-2:])  # (H', W') or (N, C, H', W')
