"""Layers that share less than a convolution, and kernels split into rank-1 pieces.

Part of :mod:`cnnlib.sharing` (re-exported there and as ``cl.locally_connected2d``,
``cl.tiled_conv2d``, ``cl.separable_approx``); kept apart so each file stays short.

* :func:`locally_connected2d`: a separate filter at every output position (no sharing);
* :func:`tiled_conv2d`: a ``t x t`` bank of filters cycled over the positions
  (partial sharing, Goodfellow et al. 2016, section 9.5);
* :func:`separable_approx`: a kernel as a sum of column-times-row kernels (SVD).
"""
from __future__ import annotations

from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import MAX_ELEMENTS, as_float_array, check_finite, check_int, check_ndim, check_size, describe, ntuple
from .conv import _pads_for, conv2d, conv_output_size

__all__ = ["locally_connected2d", "tiled_conv2d", "SeparableApprox", "separable_approx"]



@partial(jax.jit, static_argnames=("stride", "pads"))
def _local(x: jax.Array, w: jax.Array, *, stride: tuple[int, int], pads: tuple) -> jax.Array:
    """x (N, C_in, H, W), w (H', W', C_out, C_in, kH, kW) -> (N, C_out, H', W')."""
    oh, ow, _, _, kh, kw = w.shape
    x = jnp.pad(x, ((0, 0), (0, 0)) + pads)  # (N, C_in, Hp, Wp)
    rows = np.arange(oh)[:, None] * stride[0] + np.arange(kh)[None, :]  # (H', kH): row i*s + a
    cols = np.arange(ow)[:, None] * stride[1] + np.arange(kw)[None, :]  # (W', kW): column j*s + b
    windows = x[:, :, rows[:, None, :, None], cols[None, :, None, :]]  # (N, C_in, H', W', kH, kW)
    return jnp.einsum("ncijab,ijocab->noij", windows, w, precision="highest")  # (N, C_out, H', W')


def _check_bank(x: jax.Array, w: jax.Array, lead: str) -> tuple[bool, jax.Array, jax.Array]:
    """Bring x to (N, C_in, H, W) and w to (lead..., C_out, C_in, kH, kW); say whether x was (H, W)."""
    check_ndim(x, {2, 4}, "x", "(H, W) or (N, C_in, H, W)")
    if 0 in x.shape:
        raise ValueError(f"`x` must not be empty; got shape {tuple(x.shape)}.")
    check_finite(x, "x")
    if 0 in w.shape:
        raise ValueError(f"`w` must not be empty; got shape {tuple(w.shape)}.")
    check_finite(w, "w")
    single = x.ndim == 2
    if single:
        check_ndim(w, 4, "w", f"({lead}, kH, kW) for an (H, W) input `x`")
        x, w = x[None, None], w[:, :, None, None]  # (1, 1, H, W), (.., .., 1, 1, kH, kW)
    else:
        check_ndim(w, 6, "w", f"({lead}, C_out, C_in, kH, kW) for an (N, C_in, H, W) input `x`")
        if w.shape[3] != x.shape[1]:
            raise ValueError(f"`w` must have C_in = {x.shape[1]} on axis 3 to match `x`; got shape {tuple(w.shape)}.")
    return single, x, w


def locally_connected2d(x: Any, w: Any, *, stride: int | tuple[int, int] = 1, padding: Any = "valid") -> jax.Array:
    """An unshared convolution: a different filter at every output position.

    .. math::

        y_{o,i,j} = \\sum_{c,a,b} x_{c,\\, iS + a,\\, jS + b}\\; w_{i,j,o,c,a,b}

    It is :func:`cnnlib.conv2d` (cross-correlation) with the kernel allowed to
    depend on the position ``(i, j)``; with ``w[i, j]`` the same for all
    positions it *is* ``conv2d``. There is no bias (add one per output unit).

    Parameters
    ----------
    x : array, (H, W) or (N, C_in, H, W)
        Input.
    w : array, (H', W', kH, kW) or (H', W', C_out, C_in, kH, kW)
        One kernel per output position; H', W' must equal the output size.
    stride : int or (sH, sW)
        Step between windows.
    padding : {'valid', 'same', 'full'} or int or pair
        Zero padding, as in :func:`cnnlib.conv2d`.

    Returns
    -------
    jax.Array, (H', W') or (N, C_out, H', W')
        With :math:`H' = \\lfloor (H - kH + 2P)/S \\rfloor + 1`.

    Raises
    ------
    ValueError
        If the shapes do not fit together (the message says which).

    See Also
    --------
    tiled_conv2d : a bank of t x t filters, between this and conv2d.
    cnnlib.conv2d : all positions share one filter.

    Examples
    --------
    A 3x3 input, a 2x2 output, four 2x2 kernels: each picks one pixel of its window.

    >>> x = jnp.arange(9.0).reshape(3, 3)
    >>> w = jnp.zeros((2, 2, 2, 2)).at[0, 0, 0, 0].set(1).at[0, 1, 0, 1].set(1).at[1, 0, 1, 0].set(1).at[1, 1, 1, 1].set(1)
    >>> locally_connected2d(x, w)
    Array([[0., 2.],
           [6., 8.]], dtype=float32)
    """
    x = as_float_array(x, "x")
    w = as_float_array(w, "w")
    single, x4, w6 = _check_bank(x, w, "H', W'")
    s = ntuple(stride, 2, "stride")
    kh, kw = w6.shape[-2:]
    pads = _pads_for(padding, tuple(x4.shape[2:]), (kh, kw), s)
    n, c_in, h, wd = x4.shape
    if max(max(p) for p in pads) > MAX_ELEMENTS:
        raise ValueError(f"`padding` is too large: {describe(padding)}.")
    check_size(n * c_in * (h + sum(pads[0])) * (wd + sum(pads[1])), "padding", "the padded input")
    out = tuple(_fit(n, k, si, p) for n, k, si, p in zip(x4.shape[2:], (kh, kw), s, pads))
    if tuple(w6.shape[:2]) != out:
        raise ValueError(
            f"`w` must have one kernel per output position, leading axes (H', W') = {out} for this `x`, `stride` "
            f"and `padding`; got {tuple(w.shape[:2])}."
        )
    check_size(n * c_in * out[0] * out[1] * kh * kw, "x", "the windows")
    y = _local(x4, w6.astype(x4.dtype), stride=s, pads=pads)
    return y[0, 0] if single else y


def _fit(n: int, k: int, stride: int, pads: tuple[int, int]) -> int:
    """:func:`conv_output_size`, with a kernel that does not fit blamed on `w` (and `x`)."""
    if n + pads[0] + pads[1] < k:
        raise ValueError(f"`w` has {k}-pixel kernels, larger than the padded `x` ({n + pads[0] + pads[1]} pixels).")
    return conv_output_size(n, k, stride=stride, padding=pads)


@jax.jit
def _pick_tiles(y_all: jax.Array, mask: jax.Array) -> jax.Array:
    """y_all (N, tH, tW, C_out, H', W'), mask (tH, tW, H', W') one-hot -> (N, C_out, H', W')."""
    return jnp.einsum("ntuohw,tuhw->nohw", y_all, mask)


def tiled_conv2d(x: Any, w: Any, *, stride: int | tuple[int, int] = 1, padding: Any = "valid") -> jax.Array:
    """Tiled convolution: output position (i, j) uses filter ``w[i mod tH, j mod tW]``.

    .. math::

        y_{o,i,j} = \\sum_{c,a,b} x_{c,\\, iS + a,\\, jS + b}\\; w_{i \\bmod t_H,\\, j \\bmod t_W,\\, o,c,a,b}

    Neighbouring outputs use different filters, and the bank repeats every
    ``t`` positions (Goodfellow et al. 2016, section 9.5). ``t = 1`` is
    :func:`cnnlib.conv2d`; ``t`` equal to the output size is
    :func:`locally_connected2d`. Each filter runs as one ``cl.conv2d`` and
    every position keeps the output of its own filter.

    Parameters
    ----------
    x : array, (H, W) or (N, C_in, H, W)
        Input.
    w : array, (tH, tW, kH, kW) or (tH, tW, C_out, C_in, kH, kW)
        The bank of ``tH * tW`` kernels (per output channel).
    stride, padding
        As in :func:`cnnlib.conv2d`.

    Returns
    -------
    jax.Array, (H', W') or (N, C_out, H', W')

    Examples
    --------
    Two 1x1 kernels (x1 and x10) alternating along each row:

    >>> tiled_conv2d(jnp.ones((2, 4)), jnp.array([[[[1.0]], [[10.0]]]]))
    Array([[ 1., 10.,  1., 10.],
           [ 1., 10.,  1., 10.]], dtype=float32)
    """
    x = as_float_array(x, "x")
    w = as_float_array(w, "w")
    single, x4, w6 = _check_bank(x, w, "tH, tW")
    th, tw, c_out, c_in, kh, kw = w6.shape
    s = ntuple(stride, 2, "stride")
    pads = _pads_for(padding, tuple(x4.shape[2:]), (kh, kw), s)
    for n, k, si, p in zip(x4.shape[2:], (kh, kw), s, pads):
        _fit(n, k, si, p)
    bank = w6.reshape(th * tw * c_out, c_in, kh, kw)  # (tH tW C_out, C_in, kH, kW)
    y_all = conv2d(x4, bank.astype(x4.dtype), stride=stride, padding=padding)  # (N, tH tW C_out, H', W')
    n, _, oh, ow = y_all.shape
    y_all = y_all.reshape(n, th, tw, c_out, oh, ow)
    ii, jj = np.arange(oh) % th, np.arange(ow) % tw
    mask = (np.arange(th)[:, None, None, None] == ii[None, None, :, None]) & (
        np.arange(tw)[None, :, None, None] == jj[None, None, None, :]
    )  # (tH, tW, H', W'): which filter serves each position
    y = _pick_tiles(y_all, jnp.asarray(mask, y_all.dtype))
    return y[0, 0] if single else y


# ---------------------------------------------------------------- separable kernels


class SeparableApprox(NamedTuple):
    """A kernel as a sum of ``rank`` outer products ``column[r] (x) row[r]``."""

    columns: jax.Array  # (rank, kH): vertical kH x 1 kernels
    rows: jax.Array  # (rank, kW): horizontal 1 x kW kernels
    kernel: jax.Array  # (kH, kW): the approximation, sum_r outer(columns[r], rows[r])
    rel_error: float  # ||K - approximation||_F / ||K||_F
    singular_values: jax.Array  # (min(kH, kW),)


@partial(jax.jit, static_argnames=("rank",))
def _svd_factors(k: jax.Array, rank: int):
    u, s, vt = jnp.linalg.svd(k, full_matrices=False)  # (kH, m), (m,), (m, kW)
    sign = jnp.where(jnp.sum(u[:, :rank], axis=0) < 0, -1.0, 1.0)  # a fixed sign: columns sum >= 0
    root = jnp.sqrt(s[:rank])
    cols = (u[:, :rank] * (sign * root)).T  # (rank, kH)
    rows = (vt[:rank] * (sign * root)[:, None])  # (rank, kW)
    approx = cols.T @ rows  # (kH, kW)
    total = jnp.sqrt(jnp.sum(s**2))
    err = jnp.sqrt(jnp.sum(s[rank:] ** 2)) / jnp.where(total > 0, total, 1.0)
    return cols, rows, approx, err, s


def separable_approx(kernel: Any, rank: int = 1) -> SeparableApprox:
    """The best rank-``r`` approximation of a 2-D kernel, as column and row kernels (SVD).

    With :math:`K = U \\Sigma V^T`,

    .. math::

        K \\approx \\sum_{r < R} (\\sqrt{\\sigma_r} u_r)(\\sqrt{\\sigma_r} v_r)^T,
        \\qquad
        \\frac{\\lVert K - K_R \\rVert_F}{\\lVert K \\rVert_F}
        = \\sqrt{\\frac{\\sum_{r \\ge R} \\sigma_r^2}{\\sum_r \\sigma_r^2}}

    so a rank-1 kernel (a Gaussian, a box, Sobel) is exactly a ``kH x 1``
    kernel followed by a ``1 x kW`` one: ``kH + kW`` weights instead of
    ``kH * kW``. Convolving with each column then its row and summing over
    ``r`` equals convolving with ``kernel`` (approximation).

    Parameters
    ----------
    kernel : array, (kH, kW)
    rank : int
        Number of separable pieces, 1 <= rank <= min(kH, kW).

    Returns
    -------
    SeparableApprox
        ``columns`` (rank, kH), ``rows`` (rank, kW), ``kernel`` (the
        approximation), ``rel_error`` (a float) and ``singular_values``.

    Examples
    --------
    >>> sep = separable_approx(jnp.outer(jnp.array([1.0, 2.0, 1.0]), jnp.array([1.0, 0.0, -1.0])))
    >>> round(sep.rel_error, 6), sep.columns.shape, sep.rows.shape
    (0.0, (1, 3), (1, 3))
    >>> print(separable_approx(jnp.eye(3)).rel_error.__round__(3))        # identity: rank 3
    0.816
    """
    k = as_float_array(kernel, "kernel")
    check_ndim(k, 2, "kernel", "(kH, kW)")
    if 0 in k.shape:
        raise ValueError(f"`kernel` must be at least 1x1; got shape {tuple(k.shape)}.")
    check_finite(k, "kernel")
    rank = check_int(rank, "rank", minimum=1, maximum=min(k.shape))
    cols, rows, approx, err, s = _svd_factors(k, rank)
    return SeparableApprox(cols, rows, approx, float(err), s)


