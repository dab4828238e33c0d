"""Checkers for notebook 05 (aliasing and shift invariance).

Each prints ``✓ Correct. ...`` or ``✗ Not yet. <hint>`` and returns a
:class:`Verdict`; no answer makes one raise.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._answers import Unreadable, read_array, read_number
from ._core import Verdict, check_array, check_number, check_whole, checker, not_answered, report

__all__ = ["check_binomial_5", "check_folded_frequency", "check_blur_pool_by_hand", "check_smallest_filter"]


def _array_or_none(answer: Any) -> np.ndarray | None:
    """The answer as a float array, or None when it is not one (check_array then says why)."""
    if not_answered(answer):
        return None
    try:
        return read_array(answer)
    except Unreadable:
        return None


@checker
def check_binomial_5(answer: Any) -> Verdict:
    """The normalised binomial filter with 5 taps, written from Pascal's triangle: [1, 4, 6, 4, 1] / 16."""
    expected = np.array([1, 4, 6, 4, 1]) / 16
    got = _array_or_none(answer)
    if got is not None and got.shape == (5,):
        if np.allclose(got, [1, 4, 6, 4, 1]):
            return report(False, "", "Right row of Pascal's triangle; now divide by its sum, 16, so that a flat image stays flat.")
        if np.allclose(got, np.array([1, 4, 6, 4, 1]) / 6):
            return report(False, "", "Divide by the sum of the row, 16, not by its largest value: the taps must add up to 1.")
    if got is not None and got.shape == (4,) and got.sum() != 0 and np.allclose(got / got.sum(), np.array([1, 3, 3, 1]) / 8):
        return report(False, "", "That is the row with 4 numbers (1 3 3 1); b_5 has 5 taps: one row further down.")
    if got is not None and got.shape == (6,) and got.sum() != 0 and np.allclose(got / got.sum(), np.array([1, 5, 10, 10, 5, 1]) / 32):
        return report(False, "", "That row has 6 numbers; b_5 has 5 taps: one row further up.")
    return check_array(
        answer,
        expected,
        praise="[1, 4, 6, 4, 1] / 16: the fifth row of Pascal's triangle, normalised to sum 1 (Zhang's Bin-5).",
        hint="Each row of Pascal's triangle adds neighbours of the row above: 1 / 1 1 / 1 2 1 / 1 3 3 1 / ... "
        "Take the row with 5 numbers and divide by its sum.",
    )


@checker
def check_folded_frequency(answer: Any) -> Verdict:
    """Stripes at 0.375 cycles per pixel, every second pixel kept: the frequency seen, in cycles per *new* pixel."""
    return check_number(
        answer,
        0.25,
        atol=1e-3,
        what="a number (a frequency in cycles per new pixel)",
        praise="0.375 cycles per pixel is 0.75 cycles per new pixel, above the limit 0.5; it folds back to 1 - 0.75 = 0.25.",
        hint="First express the frequency in cycles per new pixel (a new pixel is 2 old ones), then fold it "
        "into the range 0 to 0.5: a frequency f and 1 - f give the same samples.",
        wrong={
            0.75: "0.75 cycles per new pixel is what the stripes would need, but a grid cannot show more than 0.5; "
            "0.75 and 1 - 0.75 give the same samples.",
            0.375: "That is the frequency on the old grid; one new pixel spans two old ones.",
            0.1875: "Dividing by 2 goes the wrong way: one new pixel spans two old ones, so there are more cycles per new pixel.",
            0.125: "Close, but fold around 0.5: f and 1 - f look the same on the grid.",
            -0.25: "0.75 - 1 = -0.25 is right up to the sign: f and -f give the same stripes; give it between 0 and 0.5.",
        },
    )


@checker
def check_blur_pool_by_hand(answer: Any) -> Verdict:
    """blur_pool1d of [0, 0, 1, 1, 0, 0, 1, 1] with [1, 2, 1] / 4, stride 2, circular: [0.25, 0.75, 0.25, 0.75]."""
    expected = np.array([0.25, 0.75, 0.25, 0.75])
    got = _array_or_none(answer)
    if got is not None and got.shape == (8,):
        return report(False, "", "That is the blurred signal before subsampling; keep samples 0, 2, 4 and 6 only.")
    if got is not None and got.shape == (4,):
        if np.allclose(got, [0, 1, 0, 1]):
            return report(False, "", "That is plain subsampling; blur first: each output is (left + 2 * centre + right) / 4.")
        if np.allclose(got, [0.75, 0.25, 0.75, 0.25]):
            return report(False, "", "Shifted by one place: output 0 is centred on sample 0, with neighbours 7 and 1.")
        if np.allclose(got, [0.0, 0.75, 0.25, 0.75]):
            return report(False, "", "Wrap around at the ends: the left neighbour of x[0] is x[7] = 1, not 0.")
        if np.allclose(got, 4 * expected):
            return report(False, "", "Divide by 4, the sum of the weights 1, 2, 1, so that a flat signal stays flat.")
    return check_array(
        answer,
        expected,
        praise="Output 0 is (x[7] + 2 x[0] + x[1]) / 4 = (1 + 0 + 0) / 4 = 0.25, output 1 is (x[1] + 2 x[2] + x[3]) / 4 = 0.75, and so on.",
        hint="At the kept positions 0, 2, 4, 6 compute (x[i-1] + 2 x[i] + x[i+1]) / 4, wrapping around at the ends.",
    )


@checker
def check_smallest_filter(answer: Any) -> Verdict:
    """The smallest blur (taps) for which less than 5% of zone_plate(128) downsampled by 2 is aliased: 5."""
    if not not_answered(answer):
        try:
            value = float(read_number(answer))
        except Unreadable:
            value = None
        if value is not None and 0 < value < 1:
            return report(False, "", "That looks like an aliased fraction; the question asks for the filter size k, "
                          "a whole number of taps.")
    return check_whole(
        answer,
        5,
        what="a whole number of taps",
        praise="With 5 taps about 4% of the energy is aliased, with 4 taps still about 7%: Zhang's Bin-5 is the first below 5%.",
        hint="Loop over filter_size from 1 to 7 and print cl.aliased_fraction(zone, 2, filter_size=k) for each.",
        wrong={
            7: "7 taps is below 5%, but so is a smaller filter; find the smallest.",
            6: "6 taps is below 5%, but so is a smaller filter; find the smallest.",
            4: "With 4 taps about 7% of the energy is still aliased; one more tap.",
            3: "With 3 taps about 17% of the energy is still aliased.",
        },
    )
