"""Checkers for notebook 03 (equivariance, invariance and pooling)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Verdict, check_array, check_number, not_answered, report

__all__ = ["check_avg_pool", "check_pooled_length", "check_stride_shifts", "check_symmetrize"]

_X = np.array([[6, 1, 2, 4], [1, 6, 7, 8], [3, 5, 2, 0], [1, 2, 3, 4]], dtype=float)


def check_avg_pool(answer: Any) -> Verdict:
    """2x2 average pooling, stride 2, of the lecture's 4x4 example, by hand."""
    expected = _X.reshape(2, 2, 2, 2).mean(axis=(1, 3))
    if not not_answered(answer):
        got = np.asarray(answer, dtype=float) if np.size(answer) == 4 else None
        if got is not None and got.shape == (2, 2) and np.allclose(got, [[6, 8], [5, 4]]):
            return report(False, "", "That is the *max* pooled result; average the four numbers of each block instead.")
    return check_array(
        answer,
        expected,
        praise="Each output is the mean of one 2x2 block, e.g. (6 + 1 + 1 + 6) / 4 = 3.5 at the top left.",
        hint="Cut the 4x4 array into four 2x2 blocks and average each; the answer is a 2x2 array.",
    )


def check_pooled_length(answer: Any) -> Verdict:
    """Pooled length for L = 32, width 3, stride 2, no padding."""
    return check_number(
        answer,
        15,
        praise="floor((32 - 3) / 2) + 1 = 15: the last window starts at 28 and covers 28, 29, 30.",
        hint="Count the window starts 0, 2, 4, ... whose whole window (3 samples) fits in 32 samples.",
        wrong={
            16.0: "16 is what padding='same' gives (ceil(32 / 2)); here there is no padding, so the last window must fit.",
            30.0: "30 would be stride 1; with stride 2 the windows start two samples apart.",
            14.0: "Close: also count the window that starts at 0.",
        },
    )


def check_stride_shifts(answer: Any) -> Verdict:
    """The shifts 0..8 for which a stride-3 circular conv layer's output is an exact shift."""
    expected = [0, 3, 6]
    if not_answered(answer):
        return report(False, "", "Give a list of shifts, e.g. [0, 1]; try each shift with cl.equivariance_error.")
    try:
        got = sorted({int(v) for v in np.ravel(np.asarray(answer))})
    except (TypeError, ValueError):
        return report(False, "", f"Your answer should be a list of integers; got {answer!r}.")
    if got == expected:
        return report(True, "Only multiples of the stride move the output by a whole number of output pixels (by v / 3).", "")
    if got == list(range(9)):
        return report(False, "", "Not every shift works: a shift by 1 moves the output by 1/3 of an output pixel.")
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    hint = "Which shifts move the output grid onto itself? "
    if missing:
        hint += f"You left out {missing}. "
    if extra:
        hint += f"For {extra} the error is far from 0."
    return report(False, "", hint.strip())


def check_symmetrize(fn: Any) -> Verdict:
    """``fn(w)`` must return a kernel whose convolution commutes with quarter turns."""
    if not_answered(fn):
        return report(False, "", "Write a function `symmetrize(w)` that returns a (k, k) kernel.")
    if not callable(fn):
        return report(False, "", "Your answer should be a function, e.g. `def symmetrize(w): ...`.")
    import cnnlib as cl

    w = np.random.default_rng(3).normal(size=(5, 5)).astype(np.float32)
    try:
        sym = np.asarray(fn(w), dtype=float)
    except Exception as err:  # show the student's error as a hint, never raise
        return report(False, "", f"Calling your function raised {type(err).__name__}: {err}")
    if sym.shape != w.shape:
        return report(False, "", f"Your kernel has shape {sym.shape}; it should keep the shape {w.shape}.")
    if np.allclose(sym, 0):
        return report(False, "", "The zero kernel commutes with everything, but it detects nothing: keep the kernel's content.")
    x = np.random.default_rng(4).random((16, 16)).astype(np.float32)
    err = cl.equivariance_error(lambda z: cl.conv2d(z, sym.astype(np.float32), padding="same"), cl.rotate90, x)
    if err > 1e-5:
        return report(False, "", f"conv with your kernel is off by {err:.2f} after a quarter turn; average the four rotations of w.")
    return report(True, "Averaging w over the four quarter turns gives a kernel equal to its own rotation, so the layer commutes with rot90.", "")
