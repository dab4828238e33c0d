"""Checkers for notebook 03 (equivariance, invariance and pooling).

Each prints ``✓ Correct. ...`` or ``✗ Not yet. <hint>`` and returns a
:class:`Verdict`; no answer (nor a student's function that raises) makes one raise.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._answers import Unreadable, describe, read_array, read_whole_set
from ._core import Verdict, array_answer, check_array, check_whole, checker, not_answered, report

__all__ = ["check_avg_pool", "check_pooled_length", "check_stride_shifts", "check_symmetrize"]

_X = np.array([[6, 1, 2, 4], [1, 6, 7, 8], [3, 5, 2, 0], [1, 2, 3, 4]], dtype=float)


@checker
def check_avg_pool(answer: Any) -> Verdict:
    """2x2 average pooling, stride 2, of the lecture's 4x4 example, by hand."""
    expected = _X.reshape(2, 2, 2, 2).mean(axis=(1, 3))  # (2, 2): [[3.5, 5.25], [2.75, 2.25]]
    praise = "Each output is the mean of one 2x2 block, e.g. (6 + 1 + 1 + 6) / 4 = 3.5 at the top left."
    hint = "Cut the 4x4 array into four 2x2 blocks and average each; the answer is a 2x2 array."
    got = array_answer(answer, "a 2x2 nested list of numbers", hint)
    if got.shape == (2, 2):
        if np.allclose(got, _X.reshape(2, 2, 2, 2).max(axis=(1, 3))):
            return report(False, praise, "That is the *max* pooled result; average the four numbers of each block instead.")
        if np.allclose(got, 4 * expected):
            return report(False, praise, "Those are the sums of the blocks; divide each by 4, the number of values in a block.")
        if np.allclose(got, expected.T) and not np.allclose(got, expected):
            return report(False, praise, "Rows and columns are swapped: the first row holds the top-left and top-right blocks.")
    if got.shape == (4,) and np.allclose(got, expected.reshape(-1)):
        return report(False, praise, "The right four numbers; write them as a 2x2 nested list, "
                      "[[top-left, top-right], [bottom-left, bottom-right]].")
    if got.shape == (3, 3):
        return report(False, praise, "That is stride 1 (overlapping windows give 3x3); with stride 2 the 2x2 blocks do not overlap.")
    return check_array(answer, expected, praise=praise, hint=hint)


@checker
def check_pooled_length(answer: Any) -> Verdict:
    """Pooled length for L = 32, width 3, stride 2, no padding: 15 (also accepts the ``(15,)`` of a ``.shape``)."""
    return check_whole(
        answer,
        15,
        what="a whole number of pooled values",
        praise="floor((32 - 3) / 2) + 1 = 15: the last window starts at 28 and covers 28, 29, 30.",
        hint="Count the window starts 0, 2, 4, ... whose whole window (3 samples) fits in 32 samples.",
        wrong={
            16: "16 is what padding='same' gives (ceil(32 / 2)); here there is no padding, so the last window must fit.",
            30: "30 would be stride 1; with stride 2 the windows start two samples apart.",
            14: "Close: also count the window that starts at 0.",
        },
        near={15.5: "Round the division down: (32 - 3) / 2 = 14.5 means 14 whole steps after the first window, so 14 + 1."},
    )


@checker
def check_stride_shifts(answer: Any) -> Verdict:
    """The shifts 0..8 for which a stride-3 circular conv layer's output is an exact shift: 0, 3, 6 (in any order)."""
    expected = {0, 3, 6}
    if not_answered(answer):
        return report(False, "", "Give a list of shifts, e.g. [0, 1]; try each shift with cl.equivariance_error.")
    try:
        got = set(read_whole_set(answer, "a list of shifts (whole numbers from 0 to 8)"))
    except Unreadable as err:
        return report(False, "", str(err))
    if got == expected:
        return report(True, "Only multiples of the stride move the output by a whole number of output pixels (by v / 3).", "")
    outside = sorted(v for v in got if not 0 <= v <= 8)
    if outside:
        return report(False, "", f"The question asks about the shifts 0, 1, ..., 8; {outside} is outside that range.")
    if got == set(range(9)):
        return report(False, "", "Not every shift works: a shift by 1 moves the output by 1/3 of an output pixel.")
    if got == {0, 1, 2}:
        return report(False, "", "0, 1, 2 are the shifts of the output (v // 3); the question asks for the input shifts v.")
    missing = sorted(expected - got)
    extra = sorted(got - expected)
    hint = "Which shifts move the output grid onto itself? "
    if missing:
        hint += f"You left out {missing}. "
    if extra:
        hint += f"For {extra} the error is far from 0."
    return report(False, "", hint.strip())


def _quarter_average(w: np.ndarray) -> np.ndarray:
    """The average of the four quarter turns of w: the rotation-invariant kernel closest to w."""
    return sum(np.rot90(w, k) for k in range(4)) / 4


def _symmetrize_kernels() -> list[np.ndarray]:
    """Random square kernels of several sizes, and one that already equals its quarter turn (a pinwheel)."""
    rng = np.random.default_rng(3)
    kernels = [rng.normal(size=(k, k)).astype(np.float32) for k in (5, 3, 4, 7)]
    kernels.append(_quarter_average(rng.normal(size=(5, 5))).astype(np.float32))  # rot90-invariant, not mirror-symmetric
    return kernels


@checker
def check_symmetrize(fn: Any) -> Verdict:
    """``fn(w)`` must turn any square kernel into one that equals its own quarter turn, keeping its content.

    Keeping the content means: ``fn`` returns the average of the four quarter
    turns of ``w`` (the rotation-invariant kernel closest to ``w``). So it
    keeps the sum of ``w``, and a kernel that already equals its quarter turn
    comes back unchanged. Tested on random 3x3, 4x4, 5x5 and 7x7 kernels and
    on a 5x5 pinwheel that is rotation-invariant but not mirror-symmetric.
    """
    if not_answered(fn):
        return report(False, "", "Write a function `symmetrize(w)` that returns a (k, k) kernel.")
    if not callable(fn):
        return report(False, "", "Your answer should be a function, e.g. `def symmetrize(w): ...`.")
    for w in _symmetrize_kernels():
        k = w.shape[0]
        try:
            out = fn(w.copy())
        except Exception as err:  # show the student's error as a hint, never raise
            return report(False, "", f"Calling your function on a {k}x{k} kernel raised {type(err).__name__}: {err}")
        if out is None:
            return report(False, "", "Your function returned None: did you forget `return`?")
        try:
            sym = read_array(out, f"a {k}x{k} array of numbers")
        except Unreadable as err:
            return report(False, "", str(err).replace("Your answer should be", "Your function should return", 1)
                          + f" (it returned {describe(out)} for a {k}x{k} kernel)")
        if sym.shape != w.shape:
            return report(False, "", f"Your kernel has shape {sym.shape}; it should keep the shape {w.shape}.")
        hint = _symmetrize_hint(w.astype(float), sym)
        if hint:
            return report(False, "", hint)
    return report(True, "Averaging w over the four quarter turns gives a kernel equal to its own rotation, so the layer commutes with rot90.", "")


def _symmetrize_hint(w: np.ndarray, sym: np.ndarray) -> str | None:
    """Why ``sym`` is not the quarter-turn average of ``w`` (None when it is)."""
    scale = max(1.0, float(np.abs(w).max()))
    close = lambda a, b: bool(np.allclose(a, b, rtol=1e-4, atol=1e-5 * scale))  # noqa: E731
    want = _quarter_average(w)
    if close(sym, want):
        return None
    if np.allclose(sym, 0):
        return "The zero kernel commutes with everything, but it detects nothing: keep the kernel's content."
    turned = float(np.abs(np.rot90(sym) - sym).max() / np.abs(sym).max())
    if turned > 1e-5:
        return (f"conv with your kernel is off after a quarter turn (rot90 changes your kernel by {turned:.2f} of its "
                "largest value); average the four rotations of w.")
    keep = "a kernel that already equals its quarter turn must come back unchanged, and the sum of w must stay the same"
    ratio = float(np.vdot(sym, want) / np.vdot(want, want)) if np.vdot(want, want) > 0 else 0.0
    if close(sym, ratio * want):
        return (f"Your kernel is {ratio:.3g} times the average of the four rotations: {keep}. "
                + ("Divide the sum of the four rotations by 4." if abs(ratio - 4) < 1e-3 else "Average them."))
    if close(sym, (want + want.T) / 2):
        return ("Your kernel is also mirror-symmetric: averaging the flips as well throws away the part of w that "
                "turns one way (a pinwheel). Average the four quarter turns only.")
    if close(sym, np.full_like(sym, sym.mean())):
        return (f"A constant kernel commutes with rotations but keeps only the mean of w, so it detects nothing but "
                f"brightness: {keep}. Average the four rotations of w.")
    centre = np.zeros_like(sym)
    if w.shape[0] % 2:
        c = w.shape[0] // 2
        centre[c, c] = sym[c, c]
    if close(sym, centre):
        return f"Keeping only the centre tap throws away the rest of w: {keep}. Average the four rotations of w."
    return f"Your kernel commutes with quarter turns but does not keep w's content: {keep}. Average the four rotations of w."
