"""Reading a student's answer: the one place that turns what was typed into a number, a shape or a set.

A notebook exercise may be answered in many natural forms: ``15``, ``15.0``,
``np.int64(15)``, ``jnp.array(15)``, ``[15]``, ``np.array([15])`` or the
``(15,)`` that ``y.shape`` gives are all the number 15. The readers below
accept every such form and refuse everything else with :class:`Unreadable`,
whose text says what kind of answer was expected and what arrived, e.g.
``"Your answer should be a whole number of pixels; got 3.5."``. Checkers
turn that text into a "Not yet" line (see :func:`._core.checker`).

The rules, decided once:

* ``True``/``False`` are not numbers, and text is not a number (``'144'``).
* NaN, infinities and numbers too large for a float are refused.
* Where a whole number is asked, ``15.0`` is 15 but ``15.5`` (or ``144.9``) is
  refused, never rounded or truncated.
* A set of whole numbers may come as a list, tuple, set, range or 1-D array,
  in any order; a list of ``True``/``False`` (a mask) is refused, not read as
  the numbers 0 and 1.

Examples
--------
>>> import numpy as np
>>> read_number(np.array([0.5]))
0.5
>>> read_whole((15,))
15
>>> read_shape(np.zeros((6, 32, 32)).shape, 3)
(6, 32, 32)
>>> sorted(read_whole_set({6, 0, 3}))
[0, 3, 6]
>>> read_whole(3.5, "a whole number of pixels")
Traceback (most recent call last):
...
cnnlib.exercises._answers.Unreadable: Your answer should be a whole number of pixels; got 3.5.
"""
from __future__ import annotations

import math
import numbers
import operator
import warnings
from typing import Any

import numpy as np

__all__ = [
    "Unreadable",
    "describe",
    "read_number",
    "read_whole",
    "read_side",
    "read_shape",
    "read_whole_set",
    "read_array",
]


class Unreadable(Exception):
    """The answer is not of the kind asked for; ``str(err)`` is the sentence to show the student."""


def describe(value: Any) -> str:
    """A short, friendly description of ``value``: ``"the text '144'"``, ``"an array of shape (3,)"``."""
    if isinstance(value, str):
        return f"the text {str(value)!r} (a string)"
    if isinstance(value, bytes):
        return f"the text {bytes(value)!r} (bytes)"
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, dict):
        return "a dict"
    if isinstance(value, (set, frozenset)):
        return f"a set of {len(value)} values"
    if isinstance(value, float) or isinstance(value, np.floating):
        return _float_text(float(value))
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and hasattr(value, "dtype"):
        return f"an array of shape {shape}"
    try:
        text = repr(value)
    except Exception:  # a repr that raises must not make the checker raise
        text = f"an object of type {type(value).__name__}"
    return text if len(text) <= 60 else text[:57] + "..."


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN (not a number)"
    if math.isinf(value):
        return "infinity" if value > 0 else "minus infinity"
    return format(value, ".10g")


def _as_array(value: Any, what: str) -> np.ndarray:
    """``np.asarray`` with warnings silenced; any failure becomes ``Unreadable``."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return np.asarray(value)
    except Exception as err:
        if isinstance(value, (list, tuple)):
            raise Unreadable(f"Your answer should be {what}; got a list whose rows have different lengths "
                             "(a ragged list). Check that every row has the same number of values.") from None
        raise Unreadable(f"Your answer should be {what}; got {describe(value)}, which could not be read "
                         f"as numbers ({type(err).__name__}).") from None


def _scalar(answer: Any, what: str, depth: int = 0) -> int | float:
    """One real number from ``answer``, or ``Unreadable`` saying why not."""
    refuse = f"Your answer should be {what}; got {describe(answer)}"
    if answer is None or answer is Ellipsis:
        raise Unreadable(f"{refuse}. Replace it with your answer.")
    if isinstance(answer, (bool, np.bool_)):
        raise Unreadable(f"{refuse}: True and False are not numbers.")
    if isinstance(answer, (str, bytes)):
        raise Unreadable(f"{refuse}: that is text, not a number. Write the number without quotes.")
    if isinstance(answer, (dict, set, frozenset)):
        raise Unreadable(f"{refuse}. Give one number.")
    if isinstance(answer, numbers.Integral):  # int, np.int64, ...
        value = int(answer)
        try:
            float(value)
        except OverflowError:  # beyond a float's range (about 10^308)
            digits = int(value.bit_length() * math.log10(2))
            raise Unreadable(f"Your answer should be {what}; got a number with about {digits} digits, too large for a float.") from None
        return value
    if isinstance(answer, numbers.Complex) and not isinstance(answer, numbers.Real):
        raise Unreadable(f"{refuse}: a complex number. Give a real number.")
    if isinstance(answer, numbers.Real) and not isinstance(answer, np.ndarray):  # float, np.float32, Fraction, ...
        return _finite(answer, what, refuse)
    if isinstance(answer, (list, tuple)):
        if len(answer) != 1:
            raise Unreadable(f"{refuse}: that is {len(answer)} values. Give one number.")
        if depth > 3:
            raise Unreadable(f"{refuse}.")
        return _scalar(answer[0], what, depth + 1)
    if hasattr(answer, "__array__") or isinstance(answer, np.ndarray):  # NumPy and JAX arrays, 0-d or 1 element
        arr = _as_array(answer, what)
        if arr.size != 1:
            raise Unreadable(f"Your answer should be {what}; got an array of shape {arr.shape}. Give one number.")
        if depth > 3:
            raise Unreadable(f"{refuse}.")
        element = arr.reshape(-1)[0]  # a NumPy scalar (or the object itself for dtype object)
        return _scalar(element, what, depth + 1)
    if hasattr(answer, "__float__"):  # Decimal and other number-like objects
        return _finite(answer, what, refuse)
    if hasattr(answer, "__index__"):
        try:
            return int(operator.index(answer))
        except Exception:
            pass
    raise Unreadable(f"{refuse}.")


def _finite(answer: Any, what: str, refuse: str) -> float:
    """``float(answer)``, refusing NaN, infinities and numbers too large for a float."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(answer)
    except OverflowError:
        raise Unreadable(f"Your answer should be {what}; got a number too large for a float.") from None
    except Exception as err:
        raise Unreadable(f"{refuse}, which could not be read as a number ({type(err).__name__}).") from None
    if not math.isfinite(value):
        raise Unreadable(f"Your answer should be {what}; got {_float_text(value)}. Check the computation that produced it.")
    return value


def read_number(answer: Any, what: str = "a number") -> int | float:
    """A finite real number from a Python or NumPy/JAX scalar, or a 1-element list or array.

    Ints stay ints (so ``10**20`` is exact); everything else becomes a float.
    """
    return _scalar(answer, what)


def _whole(value: int | float, what: str) -> int:
    if isinstance(value, int):
        return value
    nearest = round(value)
    if abs(value - nearest) <= 1e-9 * max(1.0, abs(value)):
        return int(nearest)
    raise Unreadable(f"Your answer should be {what}; got {_float_text(value)}.")


def read_whole(answer: Any, what: str = "a whole number") -> int:
    """An exact integer: ``15``, ``15.0``, ``np.int64(15)``, ``[15]`` and ``(15,)`` are 15; ``15.5`` is refused."""
    return _whole(_scalar(answer, what), what)


def _elements(answer: Any, what: str) -> list:
    """The elements of a flat list, tuple, set, range or 1-D array (``Unreadable`` for anything else)."""
    refuse = f"Your answer should be {what}; got {describe(answer)}"
    if answer is None or answer is Ellipsis:
        raise Unreadable(f"{refuse}. Replace it with your answer.")
    if isinstance(answer, (str, bytes)):
        raise Unreadable(f"{refuse}: that is text. Write the numbers without quotes.")
    if isinstance(answer, dict):
        raise Unreadable(f"{refuse}. Give the numbers themselves in a list or tuple.")
    if isinstance(answer, (list, tuple, set, frozenset, range)):
        return list(answer)
    if hasattr(answer, "__array__") or isinstance(answer, np.ndarray):
        arr = _as_array(answer, what)
        if arr.ndim != 1:
            raise Unreadable(f"Your answer should be {what}; got an array of shape {arr.shape}.")
        return [a.item() if arr.dtype == object else a for a in arr]
    raise Unreadable(f"{refuse}.")


def _read_wholes(answer: Any, what: str, each: str) -> list[int]:
    items = _elements(answer, what)
    if items and all(isinstance(v, (bool, np.bool_)) for v in items):
        raise Unreadable(
            f"Your answer should be {what}; got a list of True/False values (a mask). "
            "Give the numbers where it is True, e.g. [v for v, ok in enumerate(mask) if ok]."
        )
    out = []
    for v in items:
        try:
            out.append(read_whole(v, each))
        except Unreadable:
            raise Unreadable(f"Your answer should be {what}; {_problem(v, each)}") from None
    return out


def _problem(value: Any, each: str) -> str:
    """Why one element of a list is not ``each`` (a whole number, a number)."""
    if isinstance(value, (str, bytes)):
        return f"{describe(value)} is text. Write the numbers without quotes."
    if isinstance(value, (bool, np.bool_)):
        return f"{value} is not a number."
    if value is None:
        return "one of the values is still None."
    try:
        _scalar(value, each)
    except Unreadable as err:  # NaN, infinity, too large, not a number at all: say which
        reason = str(err).split("; got ", 1)[-1]
        return f"one of the values is {reason}" if reason != str(err) else f"{describe(value)} is not {each}."
    return f"{describe(value)} is not {each}."


def read_shape(answer: Any, ndim: int, what: str | None = None) -> tuple[int, ...]:
    """A shape of ``ndim`` whole numbers from a tuple, list, 1-D array or an array's ``.shape``."""
    what = what or f"a shape of {ndim} whole numbers"
    if hasattr(answer, "__array__") or isinstance(answer, np.ndarray):
        arr = _as_array(answer, what)
        if arr.ndim > 1:
            raise Unreadable(f"Your answer should be {what}; got an array of shape {arr.shape}. "
                             "Give its shape (e.g. `y.shape`), not the array itself.")
    if isinstance(answer, (set, frozenset)):
        raise Unreadable(f"Your answer should be {what}; got {describe(answer)}, which has no order. Use a tuple.")
    if isinstance(answer, numbers.Number) or isinstance(answer, np.generic) or (
        hasattr(answer, "__array__") and _as_array(answer, what).ndim == 0
    ):
        raise Unreadable(f"Your answer should be {what}; got the single number {describe(answer)}.")
    shape = tuple(_read_wholes(answer, what, "a whole number"))
    if len(shape) != ndim:
        raise Unreadable(f"Your answer should be {what}; yours has {len(shape)}.")
    return shape


def read_side(answer: Any, what: str = "a whole number") -> int:
    """A whole number, or the side of a square given as its shape: ``7``, ``(7, 7)`` and ``np.array([7])`` are 7.

    A pair with two different sides, such as ``(7, 5)``, is refused.
    """
    pair = isinstance(answer, (list, tuple)) and len(answer) == 2
    if not pair and (hasattr(answer, "__array__") or isinstance(answer, np.ndarray)):
        arr = _as_array(answer, what)
        pair = arr.shape == (2,)
    if not pair:
        return read_whole(answer, what)
    h, w = read_shape(answer, 2, what)
    if h != w:
        raise Unreadable(f"Your answer should be {what}; got two different sides, {h} and {w}.")
    return h


def read_whole_set(answer: Any, what: str = "a list of whole numbers") -> frozenset[int]:
    """A set of whole numbers from a list, tuple, set, range or 1-D array, order and repeats ignored."""
    if isinstance(answer, numbers.Number) or isinstance(answer, np.generic):
        raise Unreadable(f"Your answer should be {what}; got the single number {describe(answer)}. Put it in a list.")
    return frozenset(_read_wholes(answer, what, "a whole number"))


def read_array(answer: Any, what: str = "an array of numbers") -> np.ndarray:
    """A float array of finite numbers from nested lists or a NumPy/JAX array (ragged lists are refused)."""
    refuse = f"Your answer should be {what}; got {describe(answer)}"
    if answer is None or answer is Ellipsis:
        raise Unreadable(f"{refuse}. Replace it with your answer.")
    if isinstance(answer, (str, bytes)):
        raise Unreadable(f"{refuse}: that is text. Write the numbers without quotes.")
    if isinstance(answer, (dict, set, frozenset)):
        raise Unreadable(f"{refuse}. Use a (nested) list or an array.")
    arr = _as_array(answer, what)
    if arr.dtype == np.bool_:
        raise Unreadable(f"Your answer should be {what}; got True/False values.")
    if arr.dtype.kind in "USV":
        raise Unreadable(f"Your answer should be {what}; it contains text. Write the numbers without quotes.")
    if arr.dtype.kind == "c":
        raise Unreadable(f"Your answer should be {what}; got complex numbers.")
    if arr.dtype == object:
        values = []
        for v in arr.reshape(-1):
            try:
                values.append(float(_scalar(v, "a number")))
            except Unreadable:
                raise Unreadable(f"Your answer should be {what}; {_problem(v, 'a number')}") from None
        arr = np.array(values, dtype=float).reshape(arr.shape)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        raise Unreadable(f"Your answer should be {what}; it contains NaN or infinity.")
    return arr
