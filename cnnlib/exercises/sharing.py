"""Checkers for notebook 02 (parameter sharing): output sizes and parameter counts.

Each prints ``✓ Correct. ...`` or ``✗ Not yet. <hint>``, returns a
:class:`Verdict` and never raises. Shapes may be given in the lecture's order
(H, W, C) or in cnnlib's (C, H, W), as a tuple, a list, an array or a ``.shape``.
"""
from __future__ import annotations

from typing import Any

from ._answers import Unreadable, read_side, read_whole
from ._core import Verdict, check_shape, check_whole, checker, not_answered, report, setting

__all__ = [
    "check_output_size",
    "check_conv_shape",
    "check_conv_params",
    "check_pool_shape",
    "check_pool_params",
    "check_dense_params",
    "check_local_params",
    "check_stack",
]

_PARAMS = "a whole number of parameters"
_SHAPE = "a shape of three whole numbers, e.g. (H, W, C)"


@checker
def check_output_size(answer: Any, *, n: int, k: int, stride: int = 1, padding: int = 0) -> Verdict:
    """Output size along one axis, ``(N - K + 2P)/S + 1`` (rounded down); 0 when the window does not fit.

    ``n``, ``k``, ``stride`` and ``padding`` are the exercise's settings (whole
    numbers up to 10^5): a bad one raises a ``ValueError`` naming it.
    """
    n, k = setting(n, "n", minimum=1), setting(k, "k", minimum=1)
    stride, padding = setting(stride, "stride", minimum=1), setting(padding, "padding", minimum=0)
    span = n - k + 2 * padding
    if span < 0:  # the window is larger than the padded input: no output at all
        return check_whole(
            answer, 0, what="a whole number of outputs",
            praise=f"0: the {k}-wide window does not fit in {n} + 2*{padding} = {n + 2 * padding} pixels, "
            "so there is no output (cl.conv2d refuses such a layer).",
            hint=f"Does a {k}-wide window fit in {n} pixels plus {padding} of padding on each side?",
        )
    expected = span // stride + 1
    slips = {}  # wrong value -> the slips that give it (two slips may give the same number)

    def slip(value: int, text: str) -> None:
        if value != expected:
            slips.setdefault(value, []).append(text)

    if padding:
        slip((n - k) // stride + 1, "That is the size without padding: the padding adds 2P to the input, P on each side.")
        slip((n - k + padding) // stride + 1, "Padding goes on both sides of the input: add 2P, not P.")
    slip(span // stride, "Count the first window too: the formula ends in + 1.")
    if stride > 1:
        slip(span + 1, f"With stride {stride} the window jumps {stride} pixels: divide (N - K + 2P) by S before adding 1.")
        slip(-(-span // stride) + 1, "Round the division down: a window that would stick out past the padding does not count.")
    wrong = {}
    for value, texts in slips.items():
        if len(texts) == 1:
            wrong[value] = texts[0]
        else:
            wrong[value] = f"{len(texts)} slips give {value}. " + " Or: ".join(texts)
    return check_whole(
        answer,
        expected,
        what="a whole number of outputs",
        near={span / stride + 1: "Round the division down: (N - K + 2P)/S is a whole number of steps."} if span % stride else None,
        near_tol=1e-6,
        praise=f"({n} - {k} + 2*{padding})/{stride} + 1 = {expected}.",
        hint="Use (N - K + 2P)/S + 1 and round the division down.",
        wrong=wrong,
    )


@checker
def check_conv_shape(answer: Any) -> Verdict:
    """The lecture's conv layer: 32x32x1 input, six 5x5 filters, padding 2, stride 1."""
    return check_shape(
        answer,
        (6, 32, 32),
        what=_SHAPE,
        praise="Padding 2 = (5 - 1)/2 is 'same' padding: (32 - 5 + 4)/1 + 1 = 32, and 6 filters give 6 channels.",
        hint="Apply (N - K + 2P)/S + 1 to height and width; each filter makes one output channel.",
        wrong={
            (6, 28, 28): "28 is the size without padding; here P = 2 is added on each side.",
            (1, 32, 32): "Each of the 6 filters produces its own output channel.",
            (6, 30, 30): "Padding goes on both sides: add 2P = 4, not 2.",
            (6, 31, 31): "Count the first window too: the formula ends in + 1.",
        },
    )


@checker
def check_conv_params(answer: Any) -> Verdict:
    """Parameters of the lecture's conv layer: 6 * (5*5*1 + 1) = 156."""
    return check_whole(
        answer,
        156,
        what=_PARAMS,
        praise="Each filter has 5*5*1 = 25 weights and 1 bias: 6 * 26 = 156, whatever the image size.",
        hint="Count the parameters of one filter (I*J*K weights plus a bias), then multiply by the number of filters.",
        wrong={
            150: "You forgot the bias: every filter has one bias, 6 * (25 + 1).",
            26: "That is one filter; the layer has 6.",
            25: "That is the weights of one filter; the layer has 6 filters, each with a bias too.",
            6: "There are 6 filters, but each has 25 weights and a bias.",
            151: "Every filter has its own bias: 6 biases, not 1.",
            159744: "That is a locally connected layer (a filter per position). A convolution shares one filter per channel across all 32*32 positions.",
        },
    )


@checker
def check_pool_shape(answer: Any) -> Verdict:
    """The 2x2 max pool with stride 2 after the conv layer: 16x16x6."""
    return check_shape(
        answer,
        (6, 16, 16),
        what=_SHAPE,
        praise="(32 - 2)/2 + 1 = 16 along each axis; pooling keeps the 6 channels.",
        hint="Pooling uses the same output-size formula (K = 2, S = 2, P = 0) and works channel by channel.",
        wrong={
            (6, 31, 31): "With stride 2 the window jumps two pixels: (32 - 2)/2 + 1.",
            (1, 16, 16): "Pooling acts on each channel separately; it does not mix the 6 channels.",
            (6, 8, 8): "One 2x2 pool halves each side once: 32 -> 16.",
            (6, 14, 14): "That pools the 28x28 map of an unpadded convolution; with padding 2 the conv output is 32x32.",
        },
    )


@checker
def check_pool_params(answer: Any) -> Verdict:
    """Max pooling has nothing to learn: 0 parameters."""
    return check_whole(
        answer,
        0,
        what=_PARAMS,
        praise="Max pooling only takes a maximum: there is nothing to learn.",
        hint="Count what the pooling layer would have to learn: which numbers of it change in training?",
        wrong={
            4: "A 2x2 window has 4 cells, but taking their maximum needs no weights.",
            24: "Pooling does not have a 2x2 kernel per channel: it only takes a maximum.",
            6: "Pooling has no bias per channel either: it only takes a maximum.",
        },
    )


@checker
def check_dense_params(answer: Any, n_outputs: int = 10) -> Verdict:
    """A dense layer from the flattened 16x16x6 map to ``n_outputs`` units: (16*16*6 + 1) * N.

    ``n_outputs`` is the exercise's setting (1 to 10^5): a bad one raises a ``ValueError`` naming it.
    """
    n_outputs = setting(n_outputs, "n_outputs", minimum=1)
    n_in = 16 * 16 * 6
    wrong = {
        n_in * n_outputs: f"You forgot the biases: one per output, ({n_in} + 1) * {n_outputs}.",
        (32 * 32 * 6 + 1) * n_outputs: "The dense layer comes after the pooling layer: its input is 16x16x6, not 32x32x6.",
        n_in + 1: f"That is one output unit; there are {n_outputs}.",
        n_in * n_outputs + 1: f"Every output unit has its own bias: {n_outputs} biases, not 1.",
    }
    wrong.pop((n_in + 1) * n_outputs, None)
    return check_whole(
        answer,
        (n_in + 1) * n_outputs,
        what=_PARAMS,
        praise=f"Flattening gives {n_in} inputs; each of the {n_outputs} outputs has {n_in} weights and a bias: ({n_in} + 1) * {n_outputs} = {(n_in + 1) * n_outputs}.",
        hint="Flatten the pooled feature map into one vector; every output unit has a weight for each input plus a bias.",
        wrong=wrong,
    )


@checker
def check_local_params(answer: Any) -> Verdict:
    """The lecture's conv layer without sharing (locally connected): 32*32*6*(25+1) = 159,744."""
    return check_whole(
        answer,
        32 * 32 * 6 * 26,
        what=_PARAMS,
        praise="32*32 positions, each with its own 6 filters of 25 weights and a bias: 159,744, 1024 times the 156 of the convolution.",
        hint="Without sharing, every one of the 32*32 output positions has its own 6 filters (each 5*5*1 weights plus a bias).",
        wrong={
            156: "156 is the shared convolution; without sharing each output position needs its own filters.",
            32 * 32 * 6 * 25: "You forgot the biases: one per filter, and now there is a filter per position.",
            28 * 28 * 6 * 26: "With padding 2 the output is 32x32, so there are 32*32 positions.",
            32 * 32 * 26: "Every position has its own 6 filters, one per output channel: multiply by 6 too.",
        },
    )


@checker
def check_stack(receptive_field: Any, weights: Any) -> Verdict:
    """Three stacked 3x3 layers (one channel, no bias): receptive field 7, 27 weights (vs 49 for one 7x7).

    The receptive field may be one side (7) or the (H, W) pair that
    ``stacked_conv_summary`` reports, ``(7, 7)``.
    """
    if not_answered(receptive_field) or not_answered(weights):
        return report(False, "", "Fill in both numbers: the receptive field (one side) and the number of weights.")
    try:
        rf = read_side(receptive_field, "a whole number of pixels (one side of the receptive field)")
        wt = read_whole(weights, "a whole number of weights")
    except Unreadable as err:
        return report(False, "", str(err))
    if rf != 7:
        hints = {
            9: "Each 3x3 layer widens the field by 3 - 1 = 2, not 3: 1 + 2 + 2 + 2.",
            5: "That is two layers; there are three.",
            3: "Stacking widens the field: each layer adds 2 pixels.",
            49: "49 is the area of the field (7 x 7); give one side.",
        }
        return report(False, "", hints.get(rf, "Start from 1 pixel and add k - 1 per layer."))
    if wt != 27:
        hints = {
            49: "49 is the single 7x7 kernel; count 3 kernels of 3x3.",
            9: "That is one layer; there are three.",
            30: "These layers have no bias: count the weights only, 3 x 9.",
        }
        return report(False, "", hints.get(wt, "Each 3x3 layer has 9 weights."))
    return report(True, "1 + 3*(3 - 1) = 7 pixels, with 3*9 = 27 weights instead of 7*7 = 49, and two extra non-linearities.", "")
