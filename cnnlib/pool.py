"""Pooling: summarise each window of a feature map by one number.

One routine, :func:`_pool`, slides a window over the last two axes with
:func:`jax.lax.reduce_window` and applies a reduction; max, average and
:math:`L_p` pooling differ only in that reduction (:math:`L_p` reads the
windows as strided slices, so that it can divide each window by its largest
:math:`|x|` first: no overflow for a large ``p``, no NaN gradient at 0):

.. math::

    \\text{max: } y_{i,j} = \\max_{(a,b) \\in W} x_{si+a,\\,sj+b},\\qquad
    \\text{avg: } y_{i,j} = \\frac{1}{|W|}\\sum_{(a,b) \\in W} x_{si+a,\\,sj+b},\\qquad
    L_p\\text{: } y_{i,j} = \\Big(\\sum_{(a,b) \\in W} |x_{si+a,\\,sj+b}|^p\\Big)^{1/p}.

Distance-weighted pooling (:func:`weighted_pool2d`) replaces the plain mean by
a mean with Gaussian weights that fall with the distance from the window
centre. Pooling acts on every channel separately: ``(N, C, H, W)`` becomes
``(N, C, H', W')`` with the same ``N`` and ``C``. The 1-D versions are thin
wrappers that treat a signal ``(L,)`` as an image with one row.

Output size along an axis of length ``n`` with window ``k``, stride ``s`` and
padding ``lo + hi``: ``floor((n + lo + hi - k) / s) + 1``; ``padding='same'``
gives ``ceil(n / s)``.

Padding: max pooling pads with ``-inf`` (a padded cell never wins); average
and distance-weighted pooling divide by the weight of the *real* cells in the
window only (padded cells are not counted, like PyTorch's
``count_include_pad=False``), so a constant image stays constant up to the
border; :math:`L_p` pooling pads with zeros (which add nothing to the sum).

Notebook: ``notebooks/03_equivariance.ipynb``.
"""
from __future__ import annotations

import math
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import as_float_array, check_choice, check_int, check_ndim, check_real, describe, ntuple

__all__ = [
    "max_pool2d",
    "avg_pool2d",
    "lp_pool2d",
    "weighted_pool2d",
    "max_pool1d",
    "avg_pool1d",
    "lp_pool1d",
    "weighted_pool1d",
    "global_max_pool",
    "global_avg_pool",
]

Pairs = tuple[tuple[int, int], tuple[int, int]]


def _normalise(x: Any, size: Any, stride: Any, padding: Any, name: str = "x") -> tuple[jax.Array, tuple, tuple, Pairs]:
    """Check the arguments of a 2-D pooling; return x, window, strides, explicit padding."""
    x = as_float_array(x, name)
    check_ndim(x, {2, 4}, name, "(H, W) or (N, C, H, W)")
    window = ntuple(size, 2, "size")
    strides = window if stride is None else ntuple(stride, 2, "stride")
    spatial = tuple(int(n) for n in x.shape[-2:])
    pads = _padding(padding, spatial, window, strides)
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(spatial, pads))
    if any(k > n for k, n in zip(window, padded)):
        raise ValueError(
            f"`size` {window} is larger than the padded input {padded} "
            f"(input {spatial}, padding {pads}); use a smaller window or more padding."
        )
    return x, window, strides, pads


def _padding(padding: Any, spatial: tuple, window: tuple, strides: tuple) -> Pairs:
    """'valid' / 'same' / int / ((top, bottom), (left, right)) -> explicit pairs."""
    if isinstance(padding, str):
        check_choice(padding, ("valid", "same"), "padding")
        if padding == "valid":
            return ((0, 0), (0, 0))
        pairs = []
        for n, k, s in zip(spatial, window, strides):
            total = max((-(-n // s) - 1) * s + k - n, 0)  # so that the output has ceil(n / s) cells
            pairs.append((total // 2, total - total // 2))
        return tuple(pairs)  # type: ignore[return-value]
    try:
        if isinstance(padding, (int, np.integer)) and not isinstance(padding, (bool, np.bool_)):
            p = check_int(padding, "padding", minimum=0)
            pairs = ((p, p), (p, p))
        else:
            pairs = tuple((check_int(lo, "padding", minimum=0), check_int(hi, "padding", minimum=0)) for lo, hi in padding)
            if len(pairs) != 2:
                raise ValueError
    except (TypeError, ValueError):
        raise ValueError(
            "`padding` must be 'valid', 'same', an int >= 0 or ((top, bottom), (left, right)); "
            f"got {describe(padding)}."
        ) from None
    for (lo, hi), k in zip(pairs, window):
        if max(lo, hi) >= k:
            raise ValueError(f"`padding` {pairs} must be smaller than the window `size` {window} on each side.")
    return pairs  # type: ignore[return-value]


@partial(jax.jit, static_argnames=("window", "strides", "pads", "op"))
def _pool(x: jax.Array, p: jax.Array, *, window: tuple, strides: tuple, pads: Pairs, op: str) -> jax.Array:
    """The one pooling routine: reduce_window over the last two axes with `op`."""
    lead = x.ndim - 2  # 0 for (H, W), 2 for (N, C, H, W): pooling never mixes channels
    dims = (1,) * lead + window
    steps = (1,) * lead + strides
    padding = ((0, 0),) * lead + pads
    if op == "max":
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, dims, steps, padding)
    if op == "lp":
        # Scale each window by its largest |x| so that |x|^p neither overflows (large p, large x) nor
        # gives a NaN gradient (an all-zero window): y = m * (sum (|x| / m)^p)^(1/p).
        a = jnp.pad(jnp.abs(x), padding)  # zeros add nothing to the sum
        out = [(n - k) // s + 1 for n, k, s in zip(a.shape[-2:], window, strides)]  # (H', W')
        patches = jnp.stack([
            a[..., i : i + strides[0] * (out[0] - 1) + 1 : strides[0], j : j + strides[1] * (out[1] - 1) + 1 : strides[1]]
            for i in range(window[0]) for j in range(window[1])
        ])  # (kH*kW, ..., H', W'): one slice per cell of the window
        m = jnp.max(patches, axis=0)  # (..., H', W')
        nonzero = m > 0
        total = jnp.sum((patches / jnp.where(nonzero, m, 1.0)) ** p, axis=0)  # >= 1 where m > 0
        return m * jnp.where(nonzero, total, 1.0) ** (1.0 / p)
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
    :func:`max_pool2d`; ``p`` must be >= 1.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.lp_pool2d([[3, 4], [0, 0]], 2).tolist()
    [[5.0]]
    """
    p = check_real(p, "p", minimum=1.0)
    x, window, strides, pads = _normalise(x, size, stride, padding)
    return _pool(x, jnp.float32(p), window=window, strides=strides, pads=pads, op="lp")


def _gaussian_window(window: tuple, sigma: float) -> jax.Array:
    """Weights exp(-d^2 / (2 sigma^2)), d the distance from the window centre, summing to 1."""
    rows = jnp.arange(window[0]) - (window[0] - 1) / 2  # (kH,)
    cols = jnp.arange(window[1]) - (window[1] - 1) / 2  # (kW,)
    d2 = rows[:, None] ** 2 + cols[None, :] ** 2  # (kH, kW)
    w = jnp.exp(-(d2 - d2.min()) / (2.0 * sigma**2))  # the nearest cells weigh 1: no 0 / 0 for a tiny sigma
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
    return _weighted(x, jnp.float32(sigma), window=window, strides=strides, pads=pads)


@partial(jax.jit, static_argnames=("window", "strides", "pads"))
def _weighted(x: jax.Array, sigma: jax.Array, *, window: tuple, strides: tuple, pads: Pairs) -> jax.Array:
    from .conv import conv2d as conv  # the one convolution (imported here: conv.py loads lazily)

    w = _gaussian_window(window, sigma)[None, None]  # (1, 1, kH, kW): one filter, applied to every channel
    flat = x.reshape((-1, 1) + x.shape[-2:])  # (N*C, 1, H, W)
    total = conv(flat, w, stride=strides, padding=pads)  # (N*C, 1, H', W')
    norm = conv(jnp.ones((1, 1) + x.shape[-2:], x.dtype), w, stride=strides, padding=pads)  # (1, 1, H', W')
    y = total / norm
    return y.reshape(x.shape[:-2] + y.shape[-2:])  # (H', W') or (N, C, H', W')


# --- 1-D: a signal (L,) or (N, C, L) is an image with one row ------------------------------------


def _as_rows(x: Any, size: Any, stride: Any, padding: Any) -> tuple[jax.Array, tuple, Any, Any]:
    """(L,) -> (1, L); (N, C, L) -> (N, C, 1, L); 1-D size/stride/padding -> 2-D."""
    x = as_float_array(x, "x")
    check_ndim(x, {1, 3}, "x", "(L,) or (N, C, L)")
    (k,) = ntuple(size, 1, "size")
    s = None if stride is None else (1, ntuple(stride, 1, "stride")[0])
    if isinstance(padding, str):
        pad = padding  # checked by the 2-D routine; 'same' always fits
        if padding == "valid" and k > x.shape[-1]:
            raise ValueError(f"`size` {k} is larger than the signal ({x.shape[-1]} samples); use a smaller window or padding.")
    else:
        try:
            is_int = isinstance(padding, (int, np.integer)) and not isinstance(padding, (bool, np.bool_))
            lo, hi = (padding, padding) if is_int else padding
            lo, hi = check_int(lo, "padding", minimum=0), check_int(hi, "padding", minimum=0)
        except (TypeError, ValueError):
            raise ValueError(f"`padding` must be 'valid', 'same', an int >= 0 or (left, right); got {describe(padding)}.") from None
        if max(lo, hi) >= k:
            raise ValueError(f"`padding` ({lo}, {hi}) must be smaller than the window `size` {k} on each side.")
        if k > x.shape[-1] + lo + hi:
            raise ValueError(
                f"`size` {k} is larger than the padded signal ({x.shape[-1]} + {lo} + {hi} = {x.shape[-1] + lo + hi} samples); "
                "use a smaller window or more padding."
            )
        pad = ((0, 0), (lo, hi))
    rows = x[..., None, :]  # (1, L) or (N, C, 1, L)
    return rows, (1, k), (1, k) if s is None else s, pad


def _one_d(pool2d: Any, x: Any, size: Any, stride: Any, padding: Any, **kw: Any) -> jax.Array:
    rows, window, strides, pad = _as_rows(x, size, stride, padding)
    return pool2d(rows, window, stride=strides, padding=pad, **kw)[..., 0, :]  # (L',) or (N, C, L')


def max_pool1d(x: Any, size: int, *, stride: int | None = None, padding: Any = "valid") -> jax.Array:
    """Max pooling of a signal ``(L,)`` or ``(N, C, L)``; see :func:`max_pool2d`.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.max_pool1d([0.1, 1.0, 0.2, 0.1, 0.0], 3, stride=1).tolist()
    [1.0, 1.0, 0.2]
    """
    return _one_d(max_pool2d, x, size, stride, padding)


def avg_pool1d(x: Any, size: int, *, stride: int | None = None, padding: Any = "valid") -> jax.Array:
    """Average pooling of a signal ``(L,)`` or ``(N, C, L)``; see :func:`avg_pool2d`.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.avg_pool1d([1, 3, 5, 7], 2).tolist()
    [2.0, 6.0]
    """
    return _one_d(avg_pool2d, x, size, stride, padding)


def lp_pool1d(x: Any, size: int, *, p: float = 2.0, stride: int | None = None, padding: Any = "valid") -> jax.Array:
    """:math:`L_p` pooling of a signal ``(L,)`` or ``(N, C, L)``; see :func:`lp_pool2d`.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.lp_pool1d([3, 4, 6, 8], 2).tolist()
    [5.0, 10.0]
    """
    return _one_d(lp_pool2d, x, size, stride, padding, p=p)


def weighted_pool1d(
    x: Any, size: int, *, sigma: float | None = None, stride: int | None = None, padding: Any = "valid"
) -> jax.Array:
    """Distance-weighted pooling of a signal ``(L,)`` or ``(N, C, L)``; see :func:`weighted_pool2d`.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.weighted_pool1d([2, 2, 2], 3).tolist()  # weights sum to 1: a constant stays constant
    [2.0]
    """
    return _one_d(weighted_pool2d, x, size, stride, padding, sigma=sigma)


# --- global pooling: any (H, W) -> one number per channel -------------------------------------------


@partial(jax.jit, static_argnames=("op",))
def _global(x: jax.Array, *, op: str) -> jax.Array:
    return jnp.max(x, axis=(-2, -1)) if op == "max" else jnp.mean(x, axis=(-2, -1))  # (N, C)


def _check_global(x: Any) -> jax.Array:
    x = as_float_array(x, "x")
    check_ndim(x, 4, "x", "(N, C, H, W)")
    if math.prod(x.shape[-2:]) == 0:
        raise ValueError(f"`x` must have at least one pixel per channel; got {tuple(x.shape)}.")
    return x


def global_max_pool(x: Any) -> jax.Array:
    """The largest value of each channel: ``(N, C, H, W) -> (N, C)`` for any ``H, W``.

    Whatever the image size, the output has one number per channel, so a
    dense layer can follow a convolutional stack that accepts any size.

    Examples
    --------
    >>> import cnnlib as cl, numpy as np
    >>> cl.global_max_pool(np.arange(8).reshape(1, 2, 2, 2)).tolist()
    [[3.0, 7.0]]
    """
    return _global(_check_global(x), op="max")


def global_avg_pool(x: Any) -> jax.Array:
    """The mean of each channel: ``(N, C, H, W) -> (N, C)`` for any ``H, W``.

    Examples
    --------
    >>> import cnnlib as cl, numpy as np
    >>> cl.global_avg_pool(np.arange(8).reshape(1, 2, 2, 2)).tolist()
    [[1.5, 5.5]]
    """
    return _global(_check_global(x), op="mean")
