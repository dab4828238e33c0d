"""Checkers for notebook 05 (aliasing and shift invariance)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Verdict, check_array, check_number, not_answered, report

__all__ = ["check_binomial_5", "check_folded_frequency", "check_blur_pool_by_hand", "check_smallest_filter"]


def check_binomial_5(answer: Any) -> Verdict:
    """The normalised binomial filter with 5 taps, written from Pascal's triangle."""
    expected = np.array([1, 4, 6, 4, 1]) / 16
    if not not_answered(answer):
        try:
            got = np.asarray(answer, dtype=float)
        except (TypeError, ValueError):
            got = None
        if got is not None and got.shape == (5,) and np.allclose(got, [1, 4, 6, 4, 1]):
            return report(False, "", "Right row of Pascal's triangle; now divide by its sum, 16, so that a flat image stays flat.")
    return check_array(
        answer,
        expected,
        praise="[1, 4, 6, 4, 1] / 16: the fifth row of Pascal's triangle, normalised to sum 1 (Zhang's Bin-5).",
        hint="Each row of Pascal's triangle adds neighbours of the row above: 1 / 1 1 / 1 2 1 / 1 3 3 1 / ... "
        "Take the row with 5 numbers and divide by its sum.",
    )


def check_folded_frequency(answer: Any) -> Verdict:
    """Stripes at 0.375 cycles per pixel, every second pixel kept: the frequency seen, in cycles per *new* pixel."""
    return check_number(
        answer,
        0.25,
        atol=1e-3,
        praise="0.375 cycles per pixel is 0.75 cycles per new pixel, above the limit 0.5; it folds back to 1 - 0.75 = 0.25.",
        hint="First express the frequency in cycles per new pixel (a new pixel is 2 old ones), then fold it "
        "into the range 0 to 0.5: a frequency f and 1 - f give the same samples.",
        wrong={
            0.75: "0.75 cycles per new pixel is what the stripes would need, but a grid cannot show more than 0.5; "
            "0.75 and 1 - 0.75 give the same samples.",
            0.375: "That is the frequency on the old grid; one new pixel spans two old ones.",
            0.1875: "Dividing by 2 goes the wrong way: one new pixel spans two old ones, so there are more cycles per new pixel.",
            0.125: "Close, but fold around 0.5: f and 1 - f look the same on the grid.",
        },
    )


def check_blur_pool_by_hand(answer: Any) -> Verdict:
    """blur_pool1d of [0, 0, 1, 1, 0, 0, 1, 1] with [1, 2, 1] / 4, stride 2, circular."""
    expected = np.array([0.25, 0.75, 0.25, 0.75])
    if not not_answered(answer):
        try:
            got = np.asarray(answer, dtype=float)
        except (TypeError, ValueError):
            got = None
        if got is not None and got.shape == (8,):
            return report(False, "", "That is the blurred signal before subsampling; keep samples 0, 2, 4 and 6 only.")
        if got is not None and got.shape == (4,) and np.allclose(got, [0, 1, 0, 1]):
            return report(False, "", "That is plain subsampling; blur first: each output is (left + 2 * centre + right) / 4.")
        if got is not None and got.shape == (4,) and np.allclose(got, [0.75, 0.25, 0.75, 0.25]):
            return report(False, "", "Shifted by one place: output 0 is centred on sample 0, with neighbours 7 and 1.")
    return check_array(
        answer,
        expected,
        praise="Output 0 is (x[7] + 2 x[0] + x[1]) / 4 = (1 + 0 + 0) / 4 = 0.25, output 1 is (x[1] + 2 x[2] + x[3]) / 4 = 0.75, and so on.",
        hint="At the kept positions 0, 2, 4, 6 compute (x[i-1] + 2 x[i] + x[i+1]) / 4, wrapping around at the ends.",
    )


def check_smallest_filter(answer: Any) -> Verdict:
    """The smallest blur (taps) for which less than 5% of zone_plate(128) downsampled by 2 is aliased."""
    return check_number(
        answer,
        5,
        praise="With 5 taps about 4% of the energy is aliased, with 4 taps still about 7%: Zhang's Bin-5 is the first below 5%.",
        hint="Loop over filter_size from 1 to 7 and print cl.aliasing.aliased_fraction(z, 2, filter_size=k) for each.",
        wrong={
            7.0: "7 taps is below 5%, but so is a smaller filter; find the smallest.",
            6.0: "6 taps is below 5%, but so is a smaller filter; find the smallest.",
            4.0: "With 4 taps about 7% of the energy is still aliased; one more tap.",
            3.0: "With 3 taps about 17% of the energy is still aliased.",
        },
    )
