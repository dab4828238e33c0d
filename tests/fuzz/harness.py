"""What every fuzz test here uses: bad values to draw, and one way to say "refused".

The rule (CONTRIBUTING.md, "Bad input"): a public function, widget constructor,
widget update or exercise checker given a bad argument raises ``ValueError`` or
``TypeError`` whose message names that argument in backticks (`` `stride` ``).
Anything else fails the test: accepting the value, a raw XLA/NumPy/Python
error (``OverflowError``, ``ZeroDivisionError``, ``MemoryError``, ...), a
message that does not name the argument, or a call that runs past ``timeout``.

Use::

    from harness import fuzz, refuses, bad_ints, bad_reals, bad_flags, bad_options, bad_arrays

    @fuzz
    @given(stride=bad_ints(minimum=1))
    def test_conv2d_stride(stride):
        refuses(cl.conv2d, "stride", IMG, KERNEL, stride=stride)

Every call is counted (``build/fuzz_cases.json`` after the run): distinct
cases, and how many were refused properly.
"""
from __future__ import annotations

import contextlib
import math
import signal
from typing import Any, Callable

import jax
import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Every fuzz test is decorated with this: few examples, drawn the same way on every run
# (derandomize: no flaky CI), no example database.
fuzz = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

CASES: dict[str, dict[str, Any]] = {}  # "fn: arg=value" -> {"function", "argument", "ok"}


def _short(value: Any) -> str:
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        text = f"array{tuple(value.shape)}:{value.dtype}"
        try:
            flat = np.asarray(value).ravel()
            if flat.size and np.issubdtype(flat.dtype, np.inexact) and not np.isfinite(flat).all():
                text += ":nonfinite"
        except Exception:
            pass
        return text
    if callable(value):
        return getattr(value, "__name__", type(value).__name__)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@contextlib.contextmanager
def _time_limit(seconds: float):
    def fire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _name(fn: Callable) -> str:
    return getattr(fn, "__qualname__", getattr(fn, "__name__", repr(fn)))


def refuses(fn: Callable, argument: str | tuple[str, ...], *args: Any, timeout: float = 20, **kwargs: Any) -> BaseException:
    """Call ``fn(*args, **kwargs)`` and require a ValueError/TypeError naming ``argument``.

    ``argument`` may be a tuple of names when any of them is a fair answer
    (``("x", "w")`` for a channel mismatch). Returns the error.
    """
    names = (argument,) if isinstance(argument, str) else tuple(argument)
    case = f"{_name(fn)}: {names[0]} | " + ", ".join([_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()])
    record = CASES.setdefault(case, {"function": _name(fn), "argument": names[0], "ok": False})
    try:
        with _time_limit(timeout):
            result = fn(*args, **kwargs)
            jax.block_until_ready(result) if isinstance(result, jax.Array) else None
    except (ValueError, TypeError) as err:
        message = str(err)
        if not any(f"`{n}`" in message for n in names):
            raise AssertionError(
                f"{_name(fn)} refused a bad `{names[0]}` but its message does not name it: {type(err).__name__}: {message}"
            ) from err
        if "Traceback" in message or "XlaRuntimeError" in message:
            raise AssertionError(f"{_name(fn)}: message carries an internal error: {message}") from err
        record["ok"] = True
        return err
    except Exception as err:
        raise AssertionError(
            f"{_name(fn)} with a bad `{names[0]}` raised a raw {type(err).__name__}: {str(err)[:300]}"
        ) from err
    raise AssertionError(f"{_name(fn)} accepted a bad `{names[0]}` ({case}) and returned {_short(result)}")


def accepts(fn: Callable, *args: Any, timeout: float = 20, **kwargs: Any) -> Any:
    """Call ``fn`` on a valid edge case and return its result (counted as a case too)."""
    case = f"{_name(fn)}: valid | " + ", ".join([_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()])
    record = CASES.setdefault(case, {"function": _name(fn), "argument": "(valid)", "ok": False})
    with _time_limit(timeout):
        result = fn(*args, **kwargs)
    record["ok"] = True
    return result


# --- strategies: values that must be refused -------------------------------------------

HUGE_INTS = st.sampled_from([10**6, 10**9, 2**31, 2**63, 10**400])
NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
JUNK = st.sampled_from([None, "3", "abc", b"1", [], {}, (), object(), 1 + 2j, [1, "a"], {3: 0}])


def bad_ints(minimum: int | None = None, maximum: int | None = None, *, huge: bool = False) -> st.SearchStrategy:
    """Values that are not a whole number in [minimum, maximum]: floats (even 2.0), bools, NaN, junk,
    and ints just outside the range. ``huge=True`` adds 10**6 .. 10**400 (for sizes with no natural
    maximum that must still be refused before allocating)."""
    parts = [
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([2.0, 0.5, 3.2, np.float64(3.0), np.float32(2.0)]),
        st.booleans(),
        st.sampled_from([np.bool_(True)]),
        NON_FINITE,
        JUNK,
    ]
    if minimum is not None:
        parts.append(st.integers(max_value=minimum - 1).filter(lambda v: v > -(10**20)))
    if maximum is not None:
        parts.append(st.integers(min_value=maximum + 1, max_value=maximum + 10**6))
    if huge:
        parts.append(HUGE_INTS)
    return st.one_of(*parts)


def bad_reals(minimum: float | None = None, maximum: float | None = None, *, exclusive: bool = False) -> st.SearchStrategy:
    """Values that are not a finite real in the range: NaN, inf, bools, strings, None, complex,
    and numbers just outside. ``exclusive=True``: the bounds themselves are bad too."""
    parts = [NON_FINITE, st.booleans(), JUNK]
    if minimum is not None:
        parts.append(st.floats(max_value=minimum, exclude_max=not exclusive, allow_nan=False, allow_infinity=False))
    if maximum is not None:
        parts.append(st.floats(min_value=maximum, exclude_min=not exclusive, allow_nan=False, allow_infinity=False))
    return st.one_of(*parts)


def bad_flags() -> st.SearchStrategy:
    """Values that are not True/False: 'no', 'False', 0, 1, None, [] ..."""
    return st.sampled_from(["no", "yes", "False", "", 0, 1, 0.0, None, [], [True], np.int64(1)])


def bad_options(valid: tuple[str, ...]) -> st.SearchStrategy:
    """Option strings that are not in ``valid`` (also other case, padded, None, numbers)."""
    near = [v.upper() for v in valid] + [v + " " for v in valid] + [v[:-1] for v in valid if len(v) > 1]
    return st.one_of(
        st.sampled_from([v for v in near if v not in valid] + ["", "none", "auto!"]),
        st.text(max_size=8).filter(lambda s: s not in valid),
        st.sampled_from([None, 0, 1, True, b"same", ["same"]]),
    )


def bad_arrays(ndims: tuple[int, ...] = (2,), *, size: int = 8) -> st.SearchStrategy:
    """Arrays that are not a finite real array with one of ``ndims`` dimensions (of side ``size``):
    wrong ndim, empty, NaN/inf inside, bool, complex, strings, ragged lists, None, object."""
    wrong = [n for n in (0, 1, 2, 3, 4, 5) if n not in ndims]
    good_shape = (size,) * ndims[0]
    with_nan = np.ones(good_shape, np.float32)
    with_nan.flat[0] = np.nan
    with_inf = np.ones(good_shape, np.float32)
    with_inf.flat[-1] = np.inf
    empty = np.zeros(good_shape[:-1] + (0,), np.float32)
    return st.one_of(
        st.sampled_from([np.ones((size,) * n, np.float32) for n in wrong]),
        st.sampled_from([empty, with_nan, with_inf]),
        st.sampled_from([np.ones(good_shape, bool), np.ones(good_shape, np.complex64), np.full(good_shape, "a")]),
        st.sampled_from([None, "img", [[1, 2], [3]], 3.0, object()]),
    )


def bad_functions(good_output: Any) -> st.SearchStrategy:
    """User functions that return the wrong thing: None, a string, a scalar, a wrong shape, NaN."""
    good = np.asarray(good_output, np.float32)
    nan = np.full(good.shape, np.nan, np.float32)
    wrong_shape = np.ones(good.shape + (2,), np.float32)
    outputs = {"none": None, "text": "abc", "scalar": 1.0, "wrong_shape": wrong_shape, "nan": nan, "list": [[1, 2], [3]]}

    def make(kind):
        def fn(x):
            return outputs[kind]

        fn.__name__ = f"returns_{kind}"
        return fn

    return st.sampled_from([make(k) for k in outputs])
