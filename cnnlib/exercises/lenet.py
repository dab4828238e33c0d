"""Checkers for notebook 06 (LeNet): one layer made dense, LeNet on its original 32 x 32 input, a deep receptive field.

Each prints ``✓ Correct. ...`` or ``✗ Not yet. <hint>``, returns a
:class:`Verdict` and never raises. Shapes may be given as (C, H, W) or
(H, W, C), as a tuple, a list, an array or a ``.shape``.
"""
from __future__ import annotations

from typing import Any

from ..receptive import receptive_field
from ._core import Verdict, check_shape, check_whole, checker

__all__ = ["check_dense_instead_of_conv2", "check_lenet_shape_32", "check_pool2_receptive_field"]


@checker
def check_dense_instead_of_conv2(answer: Any) -> Verdict:
    """Parameters of a dense layer from pool1's 6x12x12 outputs to conv2's 16x8x8 outputs: 864 * 1024 + 1024."""
    n_in, n_out = 6 * 12 * 12, 16 * 8 * 8
    return check_whole(
        answer,
        n_in * n_out + n_out,
        what="a whole number of parameters",
        praise=f"{n_in} inputs x {n_out} outputs + {n_out} biases = {n_in * n_out + n_out:,}: "
        "about 367 times the 2,416 of the conv layer, for the same shapes.",
        hint="A dense layer joins every input to every output: count the inputs (6 x 12 x 12) and the outputs "
        "(16 x 8 x 8), multiply, and add one bias per output.",
        wrong={
            n_in * n_out: "That is the weights only: every one of the 1,024 outputs has its own bias too.",
            16 * (6 * 25 + 1): "2,416 is the conv layer itself. The question asks for a dense layer with the same inputs and outputs.",
            n_in * 256 + 256: "That maps to 256 units (the dense net's width after pooling); conv2 has 16 x 8 x 8 = 1,024 outputs.",
            784 * n_out + n_out: "The second conv layer reads the pooled maps (6 x 12 x 12 = 864 values), not the 784 pixels.",
            (n_in + 1) * 16: "That gives each of the 16 channels one weight per input; every output position needs its own weights.",
        },
    )


@checker
def check_lenet_shape_32(answer: Any) -> Verdict:
    """Output of the second pool when LeNet gets a 32 x 32 image (LeNet-5's input): 16 x 5 x 5."""
    side = ((32 - 4) // 2 - 4) // 2
    return check_shape(
        answer,
        (16, side, side),
        praise="32 -> 28 (conv) -> 14 (pool) -> 10 (conv) -> 5 (pool), with the 16 channels of conv2.",
        hint="Follow one side through the four layers: conv 5x5 'valid' takes away 4, a 2x2 pool halves: 32 -> ? -> ? -> ? -> ?.",
        wrong={
            (16, 4, 4): "16 x 4 x 4 is the shape for a 28 x 28 digit. Start from 32.",
            (16, 10, 10): "That is the output of the second conv layer; the second pool halves it.",
            (6, 5, 5): "The second conv layer has 16 filters, so 16 channels come out of it.",
            (16, 6, 6): "A 'valid' 5x5 conv takes away 4 pixels, not 2: 14 -> 10.",
            (16, 8, 8): "Each 'valid' 5x5 conv takes away 4 pixels from the side, and each pool halves it: 32 -> 28 -> 14 -> 10 -> 5.",
            (16, 7, 7): "A 'valid' conv takes 4 pixels from the side at both conv layers: 32 -> 28 -> 14 -> 10 -> 5.",
        },
    )


@checker
def check_pool2_receptive_field(answer: Any) -> Verdict:
    """Receptive field (side, pixels) of one unit after LeNet's second pool: conv 5, pool 2, conv 5, pool 2 -> 16."""
    expected = receptive_field([5, (2, 2), 5, (2, 2)]).size
    return check_whole(
        answer,
        expected,
        what="a whole number of pixels",
        side=True,
        praise="5, then 5 + 1 = 6 (pool), then 6 + 4 x 2 = 14 (conv2, jump 2), then 14 + 1 x 2 = 16 (pool2, jump 2).",
        hint="Use r_l = r_(l-1) + (k_l - 1) * j_(l-1): a pool is a layer with k = 2 and stride 2, and the jump j is the "
        "product of the strides below.",
        wrong={
            14: "14 is the field of a second-layer conv unit. The second pool adds (2 - 1) x 2 more.",
            15: "The second pool sits on a grid with jump 2: it adds (2 - 1) x 2 = 2, not 1.",
            9: "9 = 5 + 4 leaves out both pools: the first pool adds 1 and makes the jump 2, so conv2 adds 4 x 2.",
            11: "11 forgets the jump: after the first pool, neighbouring taps of conv2 are 2 input pixels apart, so conv2 adds 4 x 2.",
            256: "256 is the area (16 x 16). Give the side in pixels.",
            18: "After the first pool the jump is 2, not 4: the second pool adds (2 - 1) x 2 = 2 to 14.",
        },
    )
