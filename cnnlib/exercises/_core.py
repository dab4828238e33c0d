"""How every exercise checker reports: a tick, or "Not yet" with a specific hint.

A notebook exercise is a stub cell (tagged ``exercise``) such as::

    answer = None  # replace None with your answer
    cl.exercises.check_output_size(answer)

followed by a worked solution cell (tagged ``solution``, hidden by default,
stripped from the student edition) that sets ``answer`` and calls the same
checker. A checker never raises, whatever it is given: it prints exactly one
line, ``✓ Correct. ...`` or ``✗ Not yet. ...``, and returns a :class:`Verdict`,
so the cells after it still run. Answers are read by :mod:`._answers` (one
reader for numbers, whole numbers, shapes, sets and arrays), and every public
checker is wrapped by :func:`checker`, which turns any unexpected error into a
"Not yet" line.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._validate import check_int
from ._answers import Unreadable, read_array, read_number, read_shape, read_side, read_whole

__all__ = [
    "Verdict",
    "NotYet",
    "SettingError",
    "not_answered",
    "report",
    "checker",
    "setting",
    "array_answer",
    "check_number",
    "check_whole",
    "check_shape",
    "check_array",
]

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


class NotYet(Exception):
    """Raised inside a checker to end it with ``✗ Not yet. <text>`` (:func:`checker` prints it)."""


class SettingError(ValueError):
    """A checker's own setting (``n``, ``k``, ``d``, ...) is wrong: a mistake of the notebook's author.

    The one error a checker lets through: a student's answer, however odd,
    gets "Not yet", but a checker asked about a layer with -3 outputs cannot
    say what is right, and a "Not yet" would send the student after an error
    that is not theirs. Raised as a ``ValueError`` naming the setting.
    """


def setting(value: Any, name: str, *, minimum: int, maximum: int = 10**5) -> int:
    """An exercise's own setting: a Python or NumPy int in [minimum, maximum], else :class:`SettingError`."""
    try:
        return check_int(value, name, minimum=minimum, maximum=maximum)
    except (TypeError, ValueError) as err:
        raise SettingError(f"The exercise's {err}") from None


def not_answered(answer: Any) -> bool:
    """True for the stub's placeholder (``None`` or ``...``)."""
    return answer is None or answer is Ellipsis


def report(ok: bool, praise: str, hint: str) -> Verdict:
    """Print ``"✓ Correct. <praise>"`` or ``"✗ Not yet. <hint>"`` and return the :class:`Verdict`."""
    print(f"{TICK} Correct. {praise}" if ok else f"{CROSS} Not yet. {hint}")
    return Verdict(ok)


def checker(fn: Callable[..., Verdict]) -> Callable[..., Verdict]:
    """Wrap a checker so that it never raises: an unexpected error becomes a "Not yet" line.

    The known odd answers are refused by the readers with a specific hint;
    this is the safety net for the unknown ones (and for a checker called
    with the wrong arguments). :class:`NotYet` raised inside prints its text
    as the hint; :class:`SettingError` (a bad setting such as
    ``n_outputs=-3``, the notebook author's mistake) is raised, not hidden.

    Examples
    --------
    >>> @checker
    ... def check_half(answer):
    ...     return report(1 / answer == 2, "1/2.", "Which number is half of 1?")
    >>> check_half(0)
    ✗ Not yet. This answer could not be checked (ZeroDivisionError: division by zero). Give the kind of answer the exercise asks for.
    Verdict(False)
    """

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Verdict:
        try:
            verdict = fn(*args, **kwargs)
        except SettingError:
            raise
        except NotYet as err:
            return report(False, "", str(err))
        except Exception as err:  # the promise: a checker never raises on an answer
            text = str(err).splitlines()[0] if str(err) else ""
            text = text if len(text) <= 120 else text[:117] + "..."
            return report(False, "", f"This answer could not be checked ({type(err).__name__}: {text}). "
                          "Give the kind of answer the exercise asks for.")
        return verdict if isinstance(verdict, Verdict) else Verdict(bool(verdict))

    return wrapped


def check_number(
    answer: Any,
    expected: float,
    *,
    praise: str,
    hint: str,
    rtol: float = 0.0,
    atol: float = 0.0,
    wrong: dict[float, str] | None = None,
    what: str = "a number",
) -> Verdict:
    """Check a numeric answer; ``wrong`` maps common wrong answers to specific hints.

    The answer is read by :func:`._answers.read_number` (scalars, 1-element
    lists and arrays); ``what`` names the kind of answer in the message when
    it cannot be read.
    """
    if not_answered(answer):
        return report(False, praise, hint)
    try:
        value = float(read_number(answer, what))
    except Unreadable as err:
        return report(False, praise, f"{err} {hint}")
    ok = math.isclose(value, expected, rel_tol=rtol, abs_tol=atol) or value == expected
    if not ok and wrong:
        for bad, specific in wrong.items():
            if math.isclose(value, bad, rel_tol=rtol, abs_tol=atol) or value == bad:
                return report(False, praise, specific)
    return report(ok, praise, hint)


def check_whole(
    answer: Any,
    expected: int,
    *,
    praise: str,
    hint: str,
    wrong: dict[int, str] | None = None,
    what: str = "a whole number",
    near: dict[float, str] | None = None,
    near_tol: float = 1e-3,
    side: bool = False,
) -> Verdict:
    """Check an answer that must be exactly the integer ``expected``.

    ``15.0`` counts as 15, but ``15.5`` gets "should be <what>; got 15.5"
    (never rounded or truncated), unless ``near`` has a hint for a value
    within ``near_tol`` of it (e.g. the unrounded bound). ``wrong`` maps
    common wrong integers to specific hints. With ``side=True`` the answer may
    also be the shape of a square, ``(n, n)`` (see :func:`._answers.read_side`).
    """
    if not_answered(answer):
        return report(False, praise, hint)
    try:
        whole = read_side(answer, what) if side else read_whole(answer, what)
    except Unreadable as err:
        number = _number_or_none(answer)
        for bad, specific in (near or {}).items():
            if number is not None and abs(number - bad) <= near_tol:
                return report(False, praise, specific)
        return report(False, praise, f"{err} {hint}")
    if whole == expected:
        return report(True, praise, hint)
    if wrong and whole in wrong:
        return report(False, praise, wrong[whole])
    return report(False, praise, hint)


def _number_or_none(answer: Any) -> float | None:
    try:
        return float(read_number(answer))
    except Unreadable:
        return None


def array_answer(answer: Any, what: str, hint: str) -> np.ndarray:
    """The answer as a float array, read by :func:`._answers.read_array`; else :class:`NotYet`.

    The stub (``None``) gets the hint alone; an unreadable answer gets why, then the hint.
    """
    if not_answered(answer):
        raise NotYet(hint)
    try:
        return read_array(answer, what)
    except Unreadable as err:
        raise NotYet(f"{err} {hint}") from None


def check_shape(
    answer: Any,
    expected: tuple[int, int, int],
    *,
    praise: str,
    hint: str,
    wrong: dict[tuple[int, int, int], str] | None = None,
    what: str = "a shape of three whole numbers, (C, H, W) or (H, W, C)",
) -> Verdict:
    """Check a feature map's shape, ``expected = (C, H, W)``; ``(H, W, C)`` is right too.

    The answer is read by :func:`._answers.read_shape` (a tuple, list, 1-D
    array or ``.shape``); the keys of ``wrong`` are ``(C, H, W)`` and match in
    either layout.
    """
    if not_answered(answer):
        return report(False, praise, hint)
    try:
        shape = read_shape(answer, 3, what)
    except Unreadable as err:
        return report(False, praise, f"{err} {hint}")

    def layouts(s: tuple) -> tuple:
        return (tuple(s), (s[1], s[2], s[0]))

    if shape in layouts(expected):
        return report(True, praise, hint)
    for bad, specific in (wrong or {}).items():
        if shape in layouts(bad):
            return report(False, praise, specific)
    return report(False, praise, hint)


def check_array(
    answer: Any,
    expected: Any,
    *,
    praise: str,
    hint: str,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> Verdict:
    """Check an array answer: readable (not ragged, no text or NaN), shape first (with its own hint), then values."""
    try:
        got = array_answer(answer, "an array of numbers", hint)
    except NotYet as err:  # check_array is public: it reports, never raises
        return report(False, praise, str(err))
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        return report(False, praise, f"Your array has shape {got.shape}; it should have shape {want.shape}. {hint}")
    return report(bool(np.allclose(got, want, rtol=rtol, atol=atol)), praise, hint)
