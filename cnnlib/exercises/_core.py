"""How every exercise checker reports: a tick, or "Not yet" with a specific hint.

A notebook exercise is a stub cell (tagged ``exercise``) such as::

    answer = None  # replace None with your answer
    cl.exercises.check_output_size(answer)

followed by a worked solution cell (tagged ``solution``, hidden by default,
stripped from the student edition) that sets ``answer`` and calls the same
checker. A checker never raises on a wrong or missing answer: it prints one
line and returns ``True`` or ``False``, so the cells after it still run.
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Verdict", "not_answered", "report", "check_number", "check_array"]

TICK = "\u2713"
CROSS = "\u2717"


class Verdict:
    """What a checker returns: truthy when the answer is right.

    The checker has already printed its verdict, so in a notebook the result
    shows nothing more (no ``Out[n]: True`` under the tick): it defines an
    empty ``_ipython_display_``. It compares equal to ``True``/``False``.
    """

    __slots__ = ("ok",)

    def __init__(self, ok: bool) -> None:
        self.ok = bool(ok)

    def __bool__(self) -> bool:
        return self.ok

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (bool, Verdict)):
            return self.ok == bool(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.ok)

    def __repr__(self) -> str:
        return f"Verdict({self.ok})"

    def _ipython_display_(self) -> None:
        """Display nothing: the printed line is the verdict."""


def not_answered(answer: Any) -> bool:
    """True for the stub's placeholder (``None`` or ``...``)."""
    return answer is None or answer is Ellipsis


def report(ok: bool, praise: str, hint: str) -> Verdict:
    """Print ``"✓ Correct. <praise>"`` or ``"✗ Not yet. <hint>"`` and return the :class:`Verdict`."""
    print(f"{TICK} Correct. {praise}" if ok else f"{CROSS} Not yet. {hint}")
    return Verdict(ok)


def check_number(
    answer: Any,
    expected: float,
    *,
    praise: str,
    hint: str,
    rtol: float = 0.0,
    atol: float = 0.0,
    wrong: dict[float, str] | None = None,
) -> Verdict:
    """Check a numeric answer; ``wrong`` maps common wrong answers to specific hints."""
    if not_answered(answer):
        return report(False, praise, hint)
    try:
        value = float(np.asarray(answer))
    except (TypeError, ValueError):
        return report(False, praise, f"Your answer should be a number; got {answer!r}. {hint}")
    ok = bool(np.isclose(value, expected, rtol=rtol, atol=atol))
    if not ok and wrong:
        for bad, specific in wrong.items():
            if np.isclose(value, bad, rtol=rtol, atol=atol):
                return report(False, praise, specific)
    return report(ok, praise, hint)


def check_array(
    answer: Any,
    expected: Any,
    *,
    praise: str,
    hint: str,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> Verdict:
    """Check an array answer: shape first (with its own hint), then values."""
    if not_answered(answer):
        return report(False, praise, hint)
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return report(False, praise, f"Your answer should be an array of numbers. {hint}")
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        return report(False, praise, f"Your array has shape {got.shape}; it should have shape {want.shape}. {hint}")
    return report(bool(np.allclose(got, want, rtol=rtol, atol=atol)), praise, hint)
