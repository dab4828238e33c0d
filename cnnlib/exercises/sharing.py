"""Checkers for notebook 02 (parameter sharing): output sizes and parameter counts.

Each prints ``✓ Correct. ...`` or ``✗ Not yet. <hint>``, returns a bool and
never raises on a wrong or missing answer. Shapes may be given in the
lecture's order (H, W, C) or in cnnlib's (C, H, W).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Verdict, check_number, not_answered, report

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


def _formula(n: int, k: int, stride: int, padding: int) -> int:
    return (n - k + 2 * padding) // stride + 1


def check_output_size(answer: Any, *, n: int, k: int, stride: int = 1, padding: int = 0) -> Verdict:
    """Output size along one axis, ``(N - K + 2P)/S + 1`` (rounded down)."""
    expected = _formula(n, k, stride, padding)
    wrong = {}
    if padding:
        wrong[_formula(n, k, stride, 0)] = "That is the size without padding: the padding adds 2P to the input, P on each side."
        wrong[(n - k + padding) // stride + 1] = "Padding goes on both sides of the input: add 2P, not P."
    wrong[(n - k + 2 * padding) // stride] = "Count the first window too: the formula ends in + 1."
    if stride > 1:
        wrong[n - k + 2 * padding + 1] = f"With stride {stride} the window jumps {stride} pixels: divide (N - K + 2P) by S before adding 1."
    wrong.pop(expected, None)
    return check_number(
        answer,
        expected,
        praise=f"({n} - {k} + 2*{padding})/{stride} + 1 = {expected}.",
        hint="Use (N - K + 2P)/S + 1 and round the division down.",
        wrong=wrong,
    )


def _as_shape(answer: Any) -> tuple[int, ...] | None:
    try:
        shape = tuple(int(v) for v in np.asarray(answer).reshape(-1))
    except (TypeError, ValueError):
        return None
    return shape


def _check_shape(answer: Any, hwc: tuple[int, int, int], praise: str, hint: str, wrong: dict | None = None) -> bool:
    if not_answered(answer):
        return report(False, praise, hint)
    shape = _as_shape(answer)
    if shape is None or len(shape) != 3:
        return report(False, praise, f"Give a shape of three numbers, e.g. (H, W, C); got {answer!r}. {hint}")
    h, w, c = hwc
    if shape in ((h, w, c), (c, h, w)):
        return report(True, praise, hint)
    for bad, specific in (wrong or {}).items():
        if shape in (bad, (bad[2], bad[0], bad[1])):
            return report(False, praise, specific)
    return report(False, praise, hint)


def check_conv_shape(answer: Any) -> Verdict:
    """The lecture's conv layer: 32x32x1 input, six 5x5 filters, padding 2, stride 1."""
    return _check_shape(
        answer,
        (32, 32, 6),
        praise="Padding 2 = (5 - 1)/2 is 'same' padding: (32 - 5 + 4)/1 + 1 = 32, and 6 filters give 6 channels.",
        hint="Apply (N - K + 2P)/S + 1 to height and width; each filter makes one output channel.",
        wrong={
            (28, 28, 6): "28 is the size without padding; here P = 2 is added on each side.",
            (32, 32, 1): "Each of the 6 filters produces its own output channel.",
            (30, 30, 6): "Padding goes on both sides: add 2P = 4, not 2.",
        },
    )


def check_conv_params(answer: Any) -> Verdict:
    """Parameters of the lecture's conv layer: 6 * (5*5*1 + 1) = 156."""
    return check_number(
        answer,
        156,
        praise="Each filter has 5*5*1 = 25 weights and 1 bias: 6 * 26 = 156, whatever the image size.",
        hint="Count the parameters of one filter (I*J*K weights plus a bias), then multiply by the number of filters.",
        wrong={
            150: "You forgot the bias: every filter has one bias, 6 * (25 + 1).",
            26: "That is one filter; the layer has 6.",
            25: "That is the weights of one filter; the layer has 6 filters, each with a bias too.",
            6: "There are 6 filters, but each has 25 weights and a bias.",
            159744: "That is a locally connected layer (a filter per position). A convolution shares one filter per channel across all 32*32 positions.",
        },
    )


def check_pool_shape(answer: Any) -> Verdict:
    """The 2x2 max pool with stride 2 after the conv layer: 16x16x6."""
    return _check_shape(
        answer,
        (16, 16, 6),
        praise="(32 - 2)/2 + 1 = 16 along each axis; pooling keeps the 6 channels.",
        hint="Pooling uses the same output-size formula (K = 2, S = 2, P = 0) and works channel by channel.",
        wrong={
            (31, 31, 6): "With stride 2 the window jumps two pixels: (32 - 2)/2 + 1.",
            (16, 16, 1): "Pooling acts on each channel separately; it does not mix the 6 channels.",
            (8, 8, 6): "One 2x2 pool halves each side once: 32 -> 16.",
        },
    )


def check_pool_params(answer: Any) -> Verdict:
    """Max pooling has nothing to learn: 0 parameters."""
    return check_number(
        answer,
        0,
        praise="Max pooling only takes a maximum: there is nothing to learn.",
        hint="What would a max-pooling layer need to learn? It compares values, it does not weight them.",
        wrong={4: "A 2x2 window has 4 cells, but taking their maximum needs no weights.", 24: "Pooling does not have a 2x2 kernel per channel: it only takes a maximum."},
    )


def check_dense_params(answer: Any, n_outputs: int = 10) -> Verdict:
    """A dense layer from the flattened 16x16x6 map to ``n_outputs`` units: (16*16*6 + 1) * N."""
    n_in = 16 * 16 * 6
    return check_number(
        answer,
        (n_in + 1) * n_outputs,
        praise=f"Flattening gives {n_in} inputs; each of the {n_outputs} outputs has {n_in} weights and a bias: ({n_in} + 1) * {n_outputs} = {(n_in + 1) * n_outputs}.",
        hint="Flatten 16x16x6 into one vector; every output unit has a weight for each input plus a bias.",
        wrong={
            n_in * n_outputs: f"You forgot the biases: one per output, ({n_in} + 1) * {n_outputs}.",
            (32 * 32 * 6 + 1) * n_outputs: "The dense layer comes after the pooling layer: its input is 16x16x6, not 32x32x6.",
            n_in + 1: f"That is one output unit; there are {n_outputs}.",
        },
    )


def check_local_params(answer: Any) -> Verdict:
    """The lecture's conv layer without sharing (locally connected): 32*32*6*(25+1) = 159,744."""
    return check_number(
        answer,
        32 * 32 * 6 * 26,
        praise="32*32 positions, each with its own 6 filters of 25 weights and a bias: 159,744, 1024 times the 156 of the convolution.",
        hint="Without sharing, every one of the 32*32 output positions has its own 6 filters (each 5*5*1 weights plus a bias).",
        wrong={
            156: "156 is the shared convolution; without sharing each output position needs its own filters.",
            32 * 32 * 6 * 25: "You forgot the biases: one per filter, and now there is a filter per position.",
            28 * 28 * 6 * 26: "With padding 2 the output is 32x32, so there are 32*32 positions.",
        },
    )


def check_stack(receptive_field: Any, weights: Any) -> Verdict:
    """Three stacked 3x3 layers (one channel, no bias): receptive field 7, 27 weights (vs 49 for one 7x7)."""
    if not_answered(receptive_field) or not_answered(weights):
        return report(False, "", "Fill in both numbers: the receptive field (one side) and the number of weights.")
    try:
        rf, wt = float(np.asarray(receptive_field)), float(np.asarray(weights))
    except (TypeError, ValueError):
        return report(False, "", "Both answers should be numbers.")
    if rf != 7:
        hints = {9: "Each 3x3 layer widens the field by 3 - 1 = 2, not 3: 1 + 2 + 2 + 2.", 5: "That is two layers; there are three.", 3: "Stacking widens the field: each layer adds 2 pixels."}
        return report(False, "", hints.get(rf, "Start from 1 pixel and add k - 1 per layer."))
    if wt != 27:
        hints = {49: "49 is the single 7x7 kernel; count 3 kernels of 3x3.", 9: "That is one layer; there are three."}
        return report(False, "", hints.get(wt, "Each 3x3 layer has 9 weights."))
    return report(True, "1 + 3*(3 - 1) = 7 pixels, with 3*9 = 27 weights instead of 7*7 = 49, and two extra non-linearities.", "")
