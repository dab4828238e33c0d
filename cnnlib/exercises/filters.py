"""Checkers for notebook 00 (convolution basics).

Each prints ``✓ Correct. ...`` or ``✗ Not yet. <hint>`` and returns a
:class:`Verdict`; no answer, however odd, makes one raise.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Verdict, array_answer, check_whole, checker, report

__all__ = [
    "BY_HAND_U",
    "BY_HAND_W",
    "check_conv1d_by_hand",
    "check_shift_kernel",
    "check_match_size",
]

#: The signal and kernel of the by-hand exercise in notebook 00.
BY_HAND_U = (1.0, 2.0, 3.0, 4.0)
BY_HAND_W = (1.0, 0.0, -1.0)


@checker
def check_conv1d_by_hand(answer: Any) -> Verdict:
    """Check the full 1-D convolution of ``u = [1, 2, 3, 4]`` with ``w = [1, 0, -1]``.

    The answer is the list ``[s_0, ..., s_5]`` with ``s_t = sum_a u_a w_{t-a}``.
    """
    expected = np.convolve(BY_HAND_U, BY_HAND_W)  # full mode, (6,): [1, 2, 2, 2, -3, -4]
    praise = "s = " + str(expected.astype(int).tolist()) + ": the kernel is flipped, so w_0 = 1 meets each u_a first."
    hint = (
        "Write s_t = sum_a u_a w_{t-a} for t = 0, ..., 5 (full mode: L + k - 1 = 6 values), "
        "treating w as 0 outside indices 0..2. For example s_2 = u_0 w_2 + u_1 w_1 + u_2 w_0."
    )
    got = array_answer(answer, "a flat list of 6 numbers", hint)
    if got.ndim != 1:
        return report(False, praise, f"Give a flat list of 6 numbers; yours has shape {got.shape}. {hint}")
    if got.shape == (2,) and np.allclose(got, expected[2:4]):
        return report(False, praise, "Those are the 2 'valid' values, where w fits entirely inside u. "
                      "Full mode also keeps the partial overlaps at both ends: 6 values.")
    if got.shape == (4,) and np.allclose(got, expected[1:5]):
        return report(False, praise, "Those are the 4 'same' values, cut to the length of u. "
                      "Full mode also keeps the partial overlaps at both ends: 6 values.")
    if got.shape != expected.shape:
        return report(False, praise, f"Your list has {got.size} values; full mode gives L + k - 1 = 4 + 3 - 1 = 6.")
    if np.allclose(got, expected):
        return report(True, praise, hint)
    if np.allclose(got, -expected):
        return report(False, praise, "Every sign is the wrong way round: you slid w without flipping it, "
                      "which is cross-correlation. Convolution uses w_{t-a}: reverse w first.")
    if np.allclose(got, expected[::-1]):
        return report(False, praise, "Your values are in reverse order: s_0 is the overlap of u_0 with w_0 only.")
    wrong = np.flatnonzero(~np.isclose(got, expected))
    return report(False, praise, f"Check s_{wrong[0]} again. {hint}")


@checker
def check_shift_kernel(answer: Any) -> Verdict:
    """Check a 3x3 kernel that moves an image one pixel to the right under ``cl.conv2d``.

    ``cl.conv2d(x, w, padding="same")`` computes ``y[i, j] = sum_ab x[i + a - 1, j + b - 1] w[a, b]``;
    ``y[i, j] = x[i, j - 1]`` for every image ``x`` holds exactly when ``w`` is 1 at ``(1, 0)`` and 0 elsewhere.
    """
    praise = ("out[i, j] = x[i, j - 1]: cl.conv2d slides w without flipping it, so a 1 in the "
              "left column picks up the left neighbour and everything moves right.")
    hint = ("A 3x3 array with a single 1 and zeros elsewhere. With cross-correlation, out[i, j] = "
            "sum_ab x[i + a - 1, j + b - 1] w[a, b]: which (a, b) reads x[i, j - 1]?")
    got = array_answer(answer, "a 3x3 array of numbers", hint)
    if got.shape != (3, 3):
        return report(False, praise, f"Your kernel has shape {got.shape}; it should be (3, 3). {hint}")

    def single_one(a: int, b: int) -> bool:  # w is the unit kernel with its 1 at (a, b)
        unit = np.zeros((3, 3))
        unit[a, b] = 1.0
        return bool(np.allclose(got, unit, rtol=0.0, atol=1e-6))

    if single_one(1, 0):
        return report(True, praise, hint)
    if single_one(1, 2):
        return report(False, praise, "That moves the image to the left. With cross-correlation (no flip), a 1 "
                      "at column b reads the pixel at offset b - 1: you want offset -1.")
    if single_one(0, 1) or single_one(2, 1):
        return report(False, praise, "That moves the image up or down; rows are the first index. "
                      "Put the 1 in the middle row.")
    if single_one(1, 1):
        return report(False, praise, "A 1 in the centre leaves the image where it is. Move the 1 so that it reads "
                      "the left neighbour.")
    if not np.isclose(got.sum(), 1.0):
        return report(False, praise, f"Your weights sum to {got.sum():.3g}; a pure shift keeps brightness, "
                      "so they must sum to 1. " + hint)
    return report(False, praise, hint)


@checker
def check_match_size(answer: Any) -> Verdict:
    """Check the size of the score map for a 24x24 template in a 128x128 image (valid placements)."""
    expected = 128 - 24 + 1
    return check_whole(
        answer,
        expected,
        what="a whole number of positions",
        side=True,
        praise=f"{expected} x {expected}: the template's top-left corner can sit at 128 - 24 + 1 = {expected} positions per axis.",
        hint="Count the positions of the template's top-left corner so that the whole template stays inside the image.",
        wrong={
            128 - 24: "Off by one: the corner can sit at 0 and at 128 - 24 too, both ends count.",
            128: "That is the 'same' size; template matching only scores windows fully inside the image.",
            128 + 24 - 1: "That is the 'full' size, with partial overlaps; only complete windows count here.",
            expected * expected: "That is the number of entries of the whole 2-D map; the question asks for one axis.",
        },
    )
