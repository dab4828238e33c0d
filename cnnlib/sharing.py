"""Parameter sharing: counting weights, and the layers that share less than a convolution.

A convolution uses the same filter at every output position, so its weights do
not grow with the image. This module makes that countable and comparable:

* :func:`layer_summary` / :func:`param_count` give the output shape, the number
  of parameters and the multiply-accumulates (MACs) of a dense, convolutional,
  tiled, locally connected, pooling or flattening layer. One rule covers the
  four layers with weights: ``params = (number of distinct filters) * (I*J*K + 1)``
  with the ``+ 1`` only when there is a bias.
* :func:`stacked_conv_summary` compares stacks such as two 3x3 layers with one
  5x5 layer.
* :func:`locally_connected2d` has a separate filter at every output position
  (no sharing); :func:`tiled_conv2d` cycles through a ``t x t`` bank of
  filters (partial sharing, Goodfellow et al. 2016, section 9.5). With every
  filter equal, both are :func:`cnnlib.conv2d`. :func:`separable_approx`
  splits a kernel into rank-1 pieces (a column times a row) with the SVD.
  (In :mod:`cnnlib.sharing_layers`, re-exported here.)
* :func:`learning_curve` measures statistical efficiency: test accuracy of a
  model trained on growing training sets, for several seeds (in
  :mod:`cnnlib.efficiency`, re-exported here; it imports optax on first use).

Shapes are channel-first, as everywhere in cnnlib: an input is (C, H, W).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ._validate import check_bool, check_choice, check_positive_int, describe, ntuple
from .conv import conv_output_size

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
    b = int(check_bool(bias, "bias"))
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
    out_hw = tuple(_out_size(n, k, si, _axis_padding(padding, axis)) for axis, (n, k, si) in enumerate(zip((h, w), (kh, kw), s)))
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


def _out_size(n: int, k: int, stride: int, padding: Any) -> int:
    """:func:`conv_output_size`, with a kernel that does not fit blamed on `kernel`."""
    try:
        return conv_output_size(n, k, stride=stride, padding=padding)
    except ValueError as err:
        if "larger than the padded input" not in str(err):
            raise
        raise ValueError(f"`kernel` {k} is larger than the padded input ({n} plus `padding`).") from None


def _axis_padding(padding: Any, axis: int) -> Any:
    """The padding of one axis, in a form :func:`conv_output_size` accepts."""
    if isinstance(padding, str) or isinstance(padding, (int, np.integer)):
        return padding
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        return padding[axis]
    raise ValueError(f"`padding` must be 'valid', 'same', 'full', an int or a pair; got {describe(padding)}.")


_OPTIONS = ("out_channels", "out_features", "kernel", "stride", "padding", "tile", "bias")


def _check_options(options: dict[str, Any]) -> None:
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise TypeError(f"`{unknown[0]}` is not an option of layer_summary; the options are {', '.join(_OPTIONS)}.")


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
    _check_options(options)
    return layer_summary(kind, in_shape, **options).params


def mac_count(kind: str, in_shape: Any, **options: Any) -> int:
    """Multiply-accumulates of one layer on one example (FLOPs are about twice this).

    Examples
    --------
    >>> mac_count("conv", (1, 5, 5), out_channels=1, kernel=3)               # 3*3 outputs, 9 MACs each
    81
    """
    _check_options(options)
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
    if isinstance(kernels, (int, np.integer, str)) or not isinstance(kernels, Sequence) or len(kernels) == 0:
        raise ValueError(f"`kernels` must be a non-empty sequence of kernel sizes; got {describe(kernels)}.")
    shape = _in_shape(in_shape, "conv")
    c_out = shape[0] if channels is None else check_positive_int(channels, "channels")
    bias = check_bool(bias, "bias")
    layers = []
    field = [1, 1]
    for k in kernels:
        kh, kw = ntuple(k, 2, "kernels")
        layer = layer_summary("conv", shape, out_channels=c_out, kernel=(kh, kw), padding="same", bias=bias)
        layers.append(layer)
        field = [field[0] + kh - 1, field[1] + kw - 1]
        shape = layer.out_shape
    return StackSummary(tuple(field), sum(l.params for l in layers), sum(l.macs for l in layers), tuple(layers))


# The layers and the learning curve live in their own files; imported last (they do not use the names above).
from .sharing_layers import SeparableApprox, _check_bank, _local, _pick_tiles, locally_connected2d, separable_approx, tiled_conv2d  # noqa: E402
from .efficiency import _CURVE_CACHE, LearningCurve, _curve_runner, _labelled, learning_curve  # noqa: E402, F401
