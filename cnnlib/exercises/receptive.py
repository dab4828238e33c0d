"""Checkers for notebook 01 (sparse interactions and receptive fields).

Each prints ``✓ Correct. ...`` or ``✗ Not yet. <hint>`` and returns a
:class:`Verdict`; wrong answers that come from a common slip get their own
hint, and no answer makes one raise.
"""
from __future__ import annotations

from typing import Any

from ..receptive import connectivity, dense_connectivity, receptive_field
from ._answers import Unreadable, read_shape
from ._core import Verdict, check_whole, checker, not_answered, report

__all__ = ["check_stack_receptive_field", "check_strided_receptive_field", "check_edge_count"]


@checker
def check_stack_receptive_field(answer: Any) -> Verdict:
    """Receptive field (side, in pixels) of three stacked 3x3 convolutions, stride 1: 7."""
    expected = receptive_field([3, 3, 3]).size
    return check_whole(
        answer,
        expected,
        what="a whole number of pixels",
        side=True,
        praise="Each 3x3 layer adds one pixel on every side: 1 + 3 * 2 = 7.",
        hint="Start from one output pixel and go down one layer at a time: each 3x3 layer widens what is seen by 2.",
        wrong={
            9: "9 is the number of inputs of one 3x3 layer (3 x 3). The question asks for the side of the field of the whole stack.",
            3: "3 is the field of one layer. Every further layer adds k - 1 = 2.",
            49: "49 is the area (7 x 7). Give the side in pixels.",
            6: "Close: the field of one output pixel starts at 1 pixel, and each layer adds k - 1 = 2: 1 + 3 * 2.",
        },
    )


@checker
def check_strided_receptive_field(answer: Any) -> Verdict:
    """The same three 3x3 layers with stride 2 in the first layer: 11."""
    expected = receptive_field([(3, 2), (3, 1), (3, 1)]).size
    return check_whole(
        answer,
        expected,
        what="a whole number of pixels",
        side=True,
        praise="After the stride-2 layer, neighbouring units are 2 pixels apart, so each later 3x3 layer adds (3 - 1) * 2 = 4: 3 + 4 + 4 = 11.",
        hint="Use r_l = r_(l-1) + (k_l - 1) * j_(l-1), where the jump j is the product of the strides of the layers below.",
        wrong={
            7: "7 ignores the stride. After a stride-2 layer one step in the next layer covers 2 input pixels.",
            9: "9 multiplies only the last layer's growth by the stride. Both layers after the strided one grow by (3 - 1) * 2.",
            15: "15 would be stride 2 in every layer. Here only the first layer has stride 2.",
            13: "13 also doubles the first layer's own growth. The stride of a layer only widens the steps of the layers above it: 3 + 4 + 4.",
        },
    )


@checker
def check_edge_count(answer: Any) -> Verdict:
    """Connections of a 3x3 'valid' convolution on a 6x6 input, and of a dense layer with the same inputs and outputs.

    ``answer`` is a pair ``(conv_edges, dense_edges)``: ``(144, 576)``.
    """
    conv = connectivity((6, 6), (3, 3)).n_edges
    dense = dense_connectivity(36, 16).n_edges
    hint = "A 'valid' 3x3 convolution on 6x6 gives a 4x4 output; each output reads 9 inputs. The dense layer joins every input to every output."
    if not_answered(answer):
        return report(False, "", hint)
    try:
        got_conv, got_dense = read_shape(answer, 2, "a pair of whole numbers (conv_edges, dense_edges)")
    except Unreadable as err:
        return report(False, "", f"{err} {hint}")
    if (got_conv, got_dense) == (conv, dense):
        return report(True, f"{conv} = 16 outputs x 9 inputs against {dense} = 16 x 36: a quarter of the connections.", hint)
    if (got_conv, got_dense) == (dense, conv):
        return report(False, "", "Both numbers are right, but in the wrong order: give (conv_edges, dense_edges).")
    if got_conv == 36 * 9:
        return report(False, "", "324 counts 9 taps for each of the 36 inputs; count per output: the output is only 4x4.")
    if got_conv == 9:
        return report(False, "", "9 is the number of weights; the question asks for connections (edges): 9 per output.")
    if got_conv == 16:
        return report(False, "", "16 is the number of outputs (4x4); each of them is joined to 9 inputs.")
    if got_conv == conv and got_dense == 36 * 36:
        return report(False, "", "The convolution is right. The dense layer has the same outputs as the convolution, "
                      "16 (4x4), not 36: 36 inputs times 16 outputs.")
    if got_conv == conv:
        return report(False, "", f"The convolution is right. For the dense layer: 36 inputs times 16 outputs. {hint}")
    return report(False, "", hint)
