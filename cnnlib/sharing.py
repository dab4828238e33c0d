"""Parameter sharing: counting weights, and the layers that share less than a convolution.

A convolution uses the same filter at every output position, so its weights do
not grow with the image. This module makes that countable and comparable:

* :func:`layer_summary` / :func:`param_count` give the output shape, the number
  of parameters and the multiply-accumulates (MACs) of a dense, convolutional,
  tiled, locally connected, pooling or flattening layer. One rule covers the
  four layers with weights: ``params = (number of distinct filters) * (I*J*K + 1)``
  with the ``+ 1`` only when there is a bias.
* :func:`locally_connected2d` has a separate filter at every output position
  (no sharing); :func:`tiled_conv2d` cycles through a ``t x t`` bank of
  filters (partial sharing, Goodfellow et al. 2016, section 9.5). With every
  filter equal, both are :func:`cnnlib.conv2d`.
* :func:`stacked_conv_summary` compares stacks such as two 3x3 layers with one
  5x5 layer, and :func:`separable_approx` splits a kernel into rank-1 pieces
  (a column times a row) with the SVD.
* :func:`learning_curve` measures statistical efficiency: test accuracy of a
  model trained on growing training sets, for several seeds (it needs optax,
  which it imports on first use).

Shapes are channel-first, as everywhere in cnnlib: an input is (C, H, W).
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import as_float_array, check_choice, check_int, check_key, check_ndim, check_positive_int, check_real, describe, ntuple
from .conv import _pads_for, conv2d, conv_output_size

__all__ = [
    "LayerSummary",
    "layer_summary",
    "param_count",
    "mac_count",
    "StackSummary",
    "stacked_conv_summary",
    "locally_connected2d",
    "tiled_conv2d",
    "SeparableApprox",
    "separable_approx",
    "LearningCurve",
    "learning_curve",
]

KINDS = ("dense", "conv", "tiled", "local", "maxpool", "flatten")


class LayerSummary(NamedTuple):
    """What one layer does to a single example: shapes, parameters and MACs."""

    kind: str
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    params: int
    macs: int


def _in_shape(in_shape: Any, kind: str) -> tuple[int, ...]:
    if isinstance(in_shape, (int, np.integer)) and not isinstance(in_shape, bool):
        in_shape = (in_shape,)
    if not isinstance(in_shape, Sequence) or isinstance(in_shape, str):
        raise TypeError(f"`in_shape` must be a tuple such as (C, H, W); got {describe(in_shape)}.")
    shape = tuple(check_positive_int(s, "in_shape") for s in in_shape)
    if kind in ("conv", "tiled", "local", "maxpool"):
        if len(shape) == 2:
            shape = (1, *shape)  # (H, W) -> (1, H, W)
        if len(shape) != 3:
            raise ValueError(f"`in_shape` of a {kind} layer must be (C, H, W) or (H, W); got {shape}.")
    return shape


def layer_summary(
    kind: str,
    in_shape: Any,
    *,
    out_channels: int | None = None,
    out_features: int | None = None,
    kernel: int | tuple[int, int] | None = None,
    stride: int | tuple[int, int] | None = None,
    padding: Any = "valid",
    tile: int | tuple[int, int] | None = None,
    bias: bool = True,
) -> LayerSummary:
    """Output shape, parameter count and MACs of one layer applied to one example.

    A layer with weights has some number of distinct filters, each with
    :math:`I J K` weights (input channels times kernel height times width) and
    one bias:

    .. math::

        \\text{params} = F \\,(I J K + 1), \\qquad
        F = \\begin{cases}
        C_{out} & \\text{conv (one filter per channel, shared everywhere)} \\\\
        t_H t_W C_{out} & \\text{tiled (a } t \\times t \\text{ bank per channel)} \\\\
        H' W' C_{out} & \\text{local (one filter per output position)}
        \\end{cases}

    and a dense layer has ``(n_in + 1) * n_out``. The output size along each
    axis is :math:`(N - K + 2P)/S + 1` (rounded down); MACs count one
    multiply-add per weight use, ``H' W' C_out I J K`` for the three
    convolution-like layers and ``n_in n_out`` for a dense layer (FLOPs are
    about twice the MACs).

    Parameters
    ----------
    kind : {'dense', 'conv', 'tiled', 'local', 'maxpool', 'flatten'}
        The layer. 'local' is locally connected (unshared).
    in_shape : tuple of int
        One example: (C, H, W) or (H, W) for the spatial layers; any shape for
        'dense' and 'flatten' (it is flattened).
    out_channels : int
        Filters per position (conv, tiled, local).
    out_features : int
        Width of a dense layer.
    kernel : int or (kH, kW)
        Kernel size (conv, tiled, local) or pooling window (maxpool).
    stride : int or (sH, sW), optional
        Default 1, or the window size for 'maxpool'.
    padding : {'valid', 'same', 'full'} or int or pair
        As in :func:`cnnlib.conv2d`.
    tile : int or (tH, tW)
        Size of the filter bank of a tiled layer.
    bias : bool
        Count one bias per filter (per output unit for 'dense').

    Returns
    -------
    LayerSummary
        ``(kind, in_shape, out_shape, params, macs)``.

    Raises
    ------
    ValueError
        For an unknown kind, or a size the kind needs but did not get.

    See Also
    --------
    param_count, mac_count : the two numbers on their own.

    Examples
    --------
    The lecture's exercise: 32x32x1 input, six 5x5 filters, padding 2.

    >>> layer_summary("conv", (1, 32, 32), out_channels=6, kernel=5, padding=2)
    LayerSummary(kind='conv', in_shape=(1, 32, 32), out_shape=(6, 32, 32), params=156, macs=153600)
    >>> layer_summary("maxpool", (6, 32, 32), kernel=2).out_shape
    (6, 16, 16)
    """
    check_choice(kind, KINDS, "kind")
    shape = _in_shape(in_shape, kind)
    if not isinstance(bias, (bool, np.bool_)):
        raise TypeError(f"`bias` must be True or False; got {describe(bias)}.")
    b = int(bool(bias))
    if kind == "flatten":
        return LayerSummary(kind, shape, (int(np.prod(shape)),), 0, 0)
    if kind == "dense":
        if out_features is None:
            raise ValueError("`out_features` is needed for a 'dense' layer; got None.")
        n_out = check_positive_int(out_features, "out_features")
        n_in = int(np.prod(shape))
        return LayerSummary(kind, shape, (n_out,), (n_in + b) * n_out, n_in * n_out)
    if kernel is None:
        raise ValueError(f"`kernel` is needed for a {kind!r} layer; got None.")
    kh, kw = ntuple(kernel, 2, "kernel")
    default_stride = (kh, kw) if kind == "maxpool" else 1
    s = ntuple(default_stride if stride is None else stride, 2, "stride")
    c, h, w = shape
    out_hw = tuple(conv_output_size(n, k, stride=si, padding=_axis_padding(padding, axis)) for axis, (n, k, si) in enumerate(zip((h, w), (kh, kw), s)))
    if kind == "maxpool":
        return LayerSummary(kind, shape, (c, *out_hw), 0, 0)
    if out_channels is None:
        raise ValueError(f"`out_channels` is needed for a {kind!r} layer; got None.")
    c_out = check_positive_int(out_channels, "out_channels")
    per_filter = c * kh * kw
    if kind == "conv":
        filters = c_out
    elif kind == "local":
        filters = out_hw[0] * out_hw[1] * c_out
    else:
        if tile is None:
            raise ValueError("`tile` is needed for a 'tiled' layer; got None.")
        th, tw = ntuple(tile, 2, "tile")
        filters = th * tw * c_out
    macs = out_hw[0] * out_hw[1] * c_out * per_filter
    return LayerSummary(kind, shape, (c_out, *out_hw), filters * (per_filter + b), macs)


def _axis_padding(padding: Any, axis: int) -> Any:
    """The padding of one axis, in a form :func:`conv_output_size` accepts."""
    if isinstance(padding, str) or isinstance(padding, (int, np.integer)):
        return padding
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        return padding[axis]
    raise ValueError(f"`padding` must be 'valid', 'same', 'full', an int or a pair; got {describe(padding)}.")


def param_count(kind: str, in_shape: Any, **options: Any) -> int:
    """Number of parameters of one layer; the options are those of :func:`layer_summary`.

    Examples
    --------
    >>> param_count("conv", (3, 32, 32), out_channels=1, kernel=5)            # 5*5*3 + 1
    76
    >>> param_count("conv", (3, 32, 32), out_channels=1, kernel=3, bias=False)
    27
    >>> param_count("dense", (6, 16, 16), out_features=10)                   # (16*16*6 + 1) * 10
    15370
    """
    return layer_summary(kind, in_shape, **options).params


def mac_count(kind: str, in_shape: Any, **options: Any) -> int:
    """Multiply-accumulates of one layer on one example (FLOPs are about twice this).

    Examples
    --------
    >>> mac_count("conv", (1, 5, 5), out_channels=1, kernel=3)               # 3*3 outputs, 9 MACs each
    81
    """
    return layer_summary(kind, in_shape, **options).macs


class StackSummary(NamedTuple):
    """A stack of stride-1 convolutions: receptive field, parameters, MACs."""

    receptive_field: tuple[int, int]
    params: int
    macs: int
    layers: tuple[LayerSummary, ...]


def stacked_conv_summary(
    kernels: Sequence[int | tuple[int, int]],
    in_shape: Any,
    *,
    channels: int | None = None,
    bias: bool = False,
) -> StackSummary:
    """Compare stacks of stride-1, 'same'-padded convolutions (e.g. two 3x3 with one 5x5).

    Each layer widens the receptive field by :math:`k - 1`, so a stack of
    kernels :math:`k_1, k_2, \\dots` sees :math:`1 + \\sum_l (k_l - 1)` pixels
    along each axis.

    Parameters
    ----------
    kernels : sequence of int or (kH, kW)
        Kernel size of each layer, e.g. ``[3, 3]``, ``[5]`` or ``[(1, 5), (5, 1)]``.
    in_shape : (C, H, W) or (H, W)
        The input.
    channels : int, optional
        Channels of every layer's output (default: the input's C).
    bias : bool
        Count biases (default False, to compare kernels alone).

    Returns
    -------
    StackSummary
        ``(receptive_field, params, macs, layers)``.

    Examples
    --------
    >>> two, one = stacked_conv_summary([3, 3], (8, 8)), stacked_conv_summary([5], (8, 8))
    >>> two.receptive_field, two.params, one.receptive_field, one.params
    ((5, 5), 18, (5, 5), 25)
    >>> stacked_conv_summary([(1, 5), (5, 1)], (8, 8)).params
    10
    """
    if isinstance(kernels, (int, np.integer)) or not isinstance(kernels, Sequence) or len(kernels) == 0:
        raise ValueError(f"`kernels` must be a non-empty sequence of kernel sizes; got {describe(kernels)}.")
    shape = _in_shape(in_shape, "conv")
    c_out = shape[0] if channels is None else check_positive_int(channels, "channels")
    layers = []
    field = [1, 1]
    for k in kernels:
        kh, kw = ntuple(k, 2, "kernels")
        layer = layer_summary("conv", shape, out_channels=c_out, kernel=(kh, kw), padding="same", bias=bias)
        layers.append(layer)
        field = [field[0] + kh - 1, field[1] + kw - 1]
        shape = layer.out_shape
    return StackSummary(tuple(field), sum(l.params for l in layers), sum(l.macs for l in layers), tuple(layers))


# ---------------------------------------------------------------- unshared and tiled layers


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
    single = x.ndim == 2
    if single:
        check_ndim(w, 4, "w", f"({lead}, kH, kW) for an (H, W) input")
        x, w = x[None, None], w[:, :, None, None]  # (1, 1, H, W), (.., .., 1, 1, kH, kW)
    else:
        check_ndim(w, 6, "w", f"({lead}, C_out, C_in, kH, kW) for an (N, C_in, H, W) input")
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
    out = tuple(conv_output_size(n, k, stride=si, padding=p) for n, k, si, p in zip(x4.shape[2:], (kh, kw), s, pads))
    if tuple(w6.shape[:2]) != out:
        raise ValueError(
            f"`w` must have one kernel per output position, leading axes (H', W') = {out}; got {tuple(w.shape[:2])}."
        )
    y = _local(x4, w6.astype(x4.dtype), stride=s, pads=pads)
    return y[0, 0] if single else y


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
    rank = check_int(rank, "rank", minimum=1, maximum=min(k.shape))
    cols, rows, approx, err, s = _svd_factors(k, rank)
    return SeparableApprox(cols, rows, approx, float(err), s)


# ---------------------------------------------------------------- statistical efficiency


class LearningCurve(NamedTuple):
    """Accuracies of one model trained from scratch on growing training sets, for several seeds."""

    sizes: tuple[int, ...]  # training-set sizes n
    test_accuracy: np.ndarray  # (seeds, len(sizes))
    train_accuracy: np.ndarray  # (seeds, len(sizes)): on the n examples the run was trained on
    train_indices: np.ndarray  # (seeds, max(sizes)): seed s trains on train_indices[s, :n]
    params: Any  # the trained parameters, every leaf a NumPy array with leading axes (seeds, len(sizes))


_CURVE_CACHE: dict[tuple[Any, ...], Any] = {}


def _curve_runner(model: Any, batch_size: int, lr: float) -> Any:
    """One jitted function that trains one run of ``model`` (a scan over the rows of a batch table) and scores it.

    Built once per (model, batch_size, lr): every run has the same shapes, so
    the compiled code serves every seed and every training-set size.
    """
    cache_key = (model.apply, batch_size, lr)  # holding the function keeps its identity unique
    if cache_key in _CURVE_CACHE:
        return _CURVE_CACHE[cache_key]
    import optax  # lazily: `import cnnlib` must not load optax

    optimiser = optax.adam(lr)

    def loss_fn(params, xb, yb):
        logits = model.apply(params, xb)  # (B, n_classes)
        return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

    @jax.jit
    def one_run(params, x, y, x_test, y_test, subset, n, table):
        def step(carry, pick):  # pick (B,): positions in [0, n) of this step's examples
            params, opt_state = carry
            idx = subset[pick]  # (B,) rows of x
            grads = jax.grad(loss_fn)(params, x[idx], y[idx])
            updates, opt_state = optimiser.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state), None

        (params, _), _ = jax.lax.scan(step, (params, optimiser.init(params)), table)
        test_hits = jnp.sum(jnp.argmax(model.apply(params, x_test), axis=-1) == y_test)
        seen = jnp.arange(subset.shape[0]) < n  # (max n,): the examples of this run
        train_hits = jnp.sum((jnp.argmax(model.apply(params, x[subset]), axis=-1) == y[subset]) & seen)
        return params, test_hits, train_hits  # counts: the accuracies are exact fractions

    _CURVE_CACHE[cache_key] = one_run
    return one_run


def _labelled(data: Any, name: str) -> tuple[jax.Array, jax.Array]:
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise ValueError(f"`{name}` must be a pair (x, y) of images and labels; got {describe(data)}.")
    x = as_float_array(data[0], f"{name}[0]")
    check_ndim(x, {3, 4}, f"{name}[0]", "(N, H, W) or (N, C, H, W)")
    y = np.asarray(data[1])
    if not np.issubdtype(y.dtype, np.integer) or y.shape != (x.shape[0],):
        raise ValueError(f"`{name}[1]` must be integer labels of shape ({x.shape[0]},); got {y.shape} and dtype {y.dtype}.")
    return x, jnp.asarray(y, jnp.int32)


def learning_curve(
    model: Any,
    train: tuple[Any, Any],
    test: tuple[Any, Any],
    *,
    sizes: Sequence[int],
    key: jax.Array,
    seeds: int = 3,
    steps: int = 400,
    batch_size: int = 32,
    lr: float = 1e-2,
) -> LearningCurve:
    """Train ``model`` from scratch on ``n`` examples for every ``n`` in ``sizes`` and several seeds; test accuracy of each.

    The statistical-efficiency experiment of notebook 02: how test accuracy
    grows with the size of the training set. Every run takes the same number
    of Adam steps on softmax cross-entropy, each on a batch of ``batch_size``
    examples drawn at random (with replacement) from its ``n`` examples, so
    all ``seeds * len(sizes)`` runs have the same shapes and share one
    compiled function (a ``lax.scan`` over the steps), compiled once per
    model, ``batch_size`` and ``lr``.

    Seed ``s`` uses ``k = jax.random.fold_in(key, s)`` and
    ``k_subset, k_init, k_batch = jax.random.split(k, 3)``: its training sets
    are the first ``n`` entries of ``jax.random.permutation(k_subset, N)``
    (nested: a larger set contains the smaller ones), every size starts from
    ``model.init(k_init)``, and step ``t`` trains on the examples at positions
    ``jax.random.randint(k_batch, (steps, batch_size), 0, n)[t]`` of its set.

    Parameters
    ----------
    model : cnnlib.nets.Model
        Anything with ``init(key) -> params`` and ``apply(params, x) -> logits``.
    train, test : (x, y)
        Images (N, H, W) or (N, C, H, W) and integer labels (N,); the training
        sets are drawn from ``train``.
    sizes : sequence of int
        Training-set sizes, each between 1 and ``len(train[1])``.
    key : jax.Array
        Decides the subsets, the initial weights and the batches.
    seeds : int
        Independent repetitions.
    steps, batch_size : int
        Adam steps per run and examples per step.
    lr : float
        Adam's learning rate.

    Returns
    -------
    LearningCurve
        ``test_accuracy`` and ``train_accuracy`` of shape (seeds, len(sizes)),
        ``train_indices`` (seeds, max(sizes)) and the trained ``params``
        (NumPy arrays with leading axes (seeds, len(sizes))).

    Raises
    ------
    ValueError
        If a size is larger than the training pool, or the data are not (images, labels).
    TypeError
        If ``model`` has no ``init``/``apply``, or ``key`` is not a PRNG key.

    See Also
    --------
    cnnlib.nets.train : one run, with epochs and a progress bar.

    Examples
    --------
    >>> from cnnlib.nets import dense_net
    >>> x = jnp.zeros((6, 2, 2)).at[3:, 0, 0].set(1.0)     # class 1: a bright top-left pixel
    >>> y = jnp.array([0, 0, 0, 1, 1, 1])
    >>> curve = learning_curve(dense_net((1, 2, 2), hidden=(), n_classes=2), (x, y), (x, y),
    ...                        sizes=[6], key=jax.random.key(0), seeds=2, steps=100, lr=0.1)
    >>> curve.test_accuracy
    array([[1.],
           [1.]])
    """
    if not (callable(getattr(model, "init", None)) and callable(getattr(model, "apply", None))):
        raise TypeError(f"`model` must have init(key) and apply(params, x), e.g. cl.nets.conv_net(); got {describe(model)}.")
    x, y = _labelled(train, "train")
    x_test, y_test = _labelled(test, "test")
    if isinstance(sizes, (int, np.integer)) or not isinstance(sizes, Sequence) or len(sizes) == 0:
        raise ValueError(f"`sizes` must be a non-empty sequence of training-set sizes; got {describe(sizes)}.")
    sizes = tuple(check_int(n, "sizes", minimum=1, maximum=x.shape[0]) for n in sizes)
    key = check_key(key)
    seeds = check_positive_int(seeds, "seeds")
    steps = check_int(steps, "steps", minimum=0)
    batch_size = check_positive_int(batch_size, "batch_size")
    lr = check_real(lr, "lr", minimum=0.0, min_inclusive=False)

    n_max = max(sizes)
    run = _curve_runner(model, batch_size, lr)
    indices = np.zeros((seeds, n_max), np.int64)
    test_acc = np.zeros((seeds, len(sizes)))
    train_acc = np.zeros((seeds, len(sizes)))
    trained = []
    for s in range(seeds):
        k_subset, k_init, k_batch = jax.random.split(jax.random.fold_in(key, s), 3)
        indices[s] = np.asarray(jax.random.permutation(k_subset, x.shape[0]))[:n_max]
        subset = jnp.asarray(indices[s], jnp.int32)  # (n_max,)
        params0 = model.init(k_init)
        for i, n in enumerate(sizes):
            table = jax.random.randint(k_batch, (steps, batch_size), 0, n)  # (steps, B): positions in [0, n)
            params, test_hits, train_hits = run(params0, x, y, x_test, y_test, subset, jnp.int32(n), table)
            test_acc[s, i], train_acc[s, i] = int(test_hits) / x_test.shape[0], int(train_hits) / n
            trained.append(params)
    stack = lambda *leaves: np.stack([np.asarray(a) for a in leaves]).reshape((seeds, len(sizes)) + np.shape(leaves[0]))
    params = jax.tree_util.tree_map(stack, *trained)  # NumPy: stacking compiles nothing
    return LearningCurve(sizes, test_acc, train_acc, indices, params)
