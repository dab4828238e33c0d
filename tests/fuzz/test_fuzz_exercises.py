"""Every exercise checker, fed answers of every kind: it never raises, never reaches its safety net,
and never calls a wrong answer correct.

The answers are drawn around each checker's right answer, so that they are *nearly* right: floats
next to the right whole number (144.9), the right digits as text ('144'), dicts and sets keyed by the
right numbers, one value too many, NaN, inf, 10**400, bools, None, ragged lists, NumPy scalars and
arrays, and (for the checker of a function) functions that return NaN, inf, None, text or the wrong
shape. The checkers' own settings (``n``, ``k``, ``n_outputs``, ``d``) come from the notebook's
author, not the student: a bad one raises a ValueError naming it (see ``cnnlib/exercises/_core.py``).
"""
from __future__ import annotations

import contextlib
import io
import math

import jax.numpy as jnp
import numpy as np
import pytest
from harness import CASES, accepts, bad_ints, fuzz, refuses
from hypothesis import given
from hypothesis import strategies as st

import cnnlib as cl

ex = cl.exercises

SHIFT_KERNEL = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
#: checker -> (right answer, tolerance of a real-valued answer (0: a whole number or exact), keyword settings)
RIGHT = {
    "check_conv1d_by_hand": ([1, 2, 2, 2, -3, -4], 0, {}),
    "check_shift_kernel": (SHIFT_KERNEL, 0, {}),
    "check_match_size": (105, 0, {}),
    "check_stack_receptive_field": (7, 0, {}),
    "check_strided_receptive_field": (11, 0, {}),
    "check_edge_count": ((144, 576), 0, {}),
    "check_output_size": (6, 0, {"n": 11, "k": 5, "stride": 2, "padding": 2}),
    "check_conv_shape": ((32, 32, 6), 0, {}),
    "check_conv_params": (156, 0, {}),
    "check_pool_shape": ((16, 16, 6), 0, {}),
    "check_pool_params": (0, 0, {}),
    "check_dense_params": (15370, 0, {"n_outputs": 10}),
    "check_local_params": (159744, 0, {}),
    "check_stack": ((7, 27), 0, {}),
    "check_symmetrize": (None, 0, {}),
    "check_stride_shifts": ([0, 3, 6], 0, {}),
    "check_avg_pool": ([[3.5, 5.25], [2.75, 2.25]], 0, {}),
    "check_pooled_length": (15, 0, {}),
    "check_digit_samples": (128.0, 1e-3, {}),
    "check_half_length_dimension": (69, 0, {}),
    "check_corner_share": (1 - math.pi / 6, 1e-3, {}),
    "check_torus_mean": (0.5774, 0.005, {"d": 500}),
    "check_folded_frequency": (0.25, 1e-3, {}),
    "check_blur_pool_by_hand": ([0.25, 0.75, 0.25, 0.75], 0, {}),
    "check_binomial_5": ([1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16], 0, {}),
    "check_smallest_filter": (5, 0, {}),
    "check_dense_instead_of_conv2": (885760, 0, {}),
    "check_lenet_shape_32": ((16, 5, 5), 0, {}),
    "check_pool2_receptive_field": (16, 0, {}),
}
NAMES = sorted(RIGHT)
SIDE = {"check_match_size", "check_stack_receptive_field", "check_strided_receptive_field", "check_pool2_receptive_field"}


def test_every_checker_is_fuzzed():
    public = {n for n in dir(ex) if n.startswith("check_")} - {"check_number", "check_array", "check_whole", "check_shape"}
    assert public == set(RIGHT) and len(RIGHT) == 29


def verdict_of(name, answer):
    """Call the checker (check_stack gets its two answers); it must print one verdict line, never raise."""
    right, _, kwargs = RIGHT[name]
    fn = getattr(ex, name)
    case = f"{name}: answer | {_short(answer)}"
    record = CASES.setdefault(case, {"function": name, "argument": "answer", "ok": False})
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        verdict = fn(*answer, **kwargs) if name == "check_stack" else fn(answer, **kwargs)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(("\u2713 Correct.", "\u2717 Not yet.")), lines
    assert bool(verdict) == lines[0].startswith("\u2713"), lines
    assert "could not be checked" not in lines[0], f"{name}({answer!r}) reached the safety net: {lines[0]}"
    record["ok"] = True
    return bool(verdict), lines[0]


def _short(value):
    text = repr(value) if not callable(value) else getattr(value, "__name__", "fn")
    return text if len(text) <= 80 else text[:77] + "..."


# --- answers that are wrong, drawn near the right one -------------------------------------------------


def _numbers(value):
    """The numbers of an answer, flattened."""
    return [float(v) for v in np.ravel(np.asarray(value, dtype=float))]


def wrong_answers(name):
    right, tol, _ = RIGHT[name]
    nums = _numbers(right)
    digits = [str(int(v)) if float(v).is_integer() else str(v) for v in nums]
    junk = [None, Ellipsis, True, False, np.bool_(True), math.nan, math.inf, -math.inf, 10**400, -(10**400), 1 + 2j,
            "", "abc", b"1", {}, set(), [], (), object(), [[1, 2], [3]], [None], np.array([]), np.float64("nan"),
            jnp.asarray(jnp.inf), lambda: right, print, np.zeros((2, 3, 4))]
    near = [
        digits[0] if len(digits) == 1 else tuple(digits),  # the right digits, as text
        " ".join(digits),
        {v: 0 for v in nums},  # a dict keyed by the right numbers
        {int(v) if v.is_integer() else v: 0 for v in nums},
        [right, None],
        np.full(np.shape(right), np.nan),
        np.full(np.shape(right), np.inf),
        np.asarray(right, dtype=float) > 0,  # a mask of the right shape
        np.asarray(right, dtype=float).astype(str),
        np.asarray(right, dtype=float) * (1 + 1e-2) + 0.31,
    ]
    if len(nums) == 1:
        v = nums[0]
        if name not in SIDE:  # (7, 7) is the side of a square field: right, not one value too many
            near += [[right, right], np.asarray([right, right], dtype=object)]
        near += [v + 0.9, v - 0.5, v + 0.1, np.float32(v + 0.5), np.array([v + 0.7]), [v + 0.4], str(v), f"{v:.1f}",
                 -v - 1, v * 1e300 if v else 1e300, np.int64(int(v) + 1), complex(v, 1)]
        if tol:
            near += [v + 100 * tol, v - 100 * tol, 100 * v]
        else:
            near += [{int(v)}, (int(v), int(v) + 1)]
    else:
        arr = np.asarray(right, dtype=float)
        for i in range(arr.size):
            bumped = arr.copy().ravel()
            bumped[i] += 0.5 if tol == 0 else 10 * tol + 0.1
            near.append(bumped.reshape(arr.shape).tolist())
            near.append(tuple(bumped.reshape(arr.shape).tolist()) if arr.ndim == 1 else bumped.reshape(arr.shape))
        near.append(arr.ravel().tolist()[:-1])  # one value short
        flat = arr.ravel().tolist()
        near.append([flat[:1], flat[1:] if len(flat) > 2 else flat[1:] * 2])  # ragged
        near.append([str(v) for v in arr.ravel().tolist()])
        near.append(set(arr.ravel().tolist()) | {1234.5})
        near.append(jnp.asarray(arr) + 0.5)
    return st.sampled_from(junk + near)


def _still_right(name, answer):
    """A few drawn answers are right after all (an order-free set, the other layout): not wrong answers."""
    if name == "check_stride_shifts":
        try:
            return sorted(set(np.asarray(list(answer), dtype=float).tolist())) == [0.0, 3.0, 6.0]
        except Exception:
            return False
    return False


@pytest.mark.parametrize("name", [n for n in NAMES if n not in ("check_symmetrize", "check_stack")])
@fuzz
@given(data=st.data())
def test_a_wrong_answer_of_any_kind_is_not_yet(name, data):
    answer = data.draw(wrong_answers(name))
    if _still_right(name, answer):
        return
    ok, line = verdict_of(name, answer)
    assert not ok, f"{name}({answer!r}) was called correct: {line}"


@fuzz
@given(first=st.one_of(wrong_answers("check_stack_receptive_field"), st.just(7)),
       second=st.one_of(wrong_answers("check_conv_params"), st.just(27)))
def test_check_stack_with_any_pair(first, second):
    ok, line = verdict_of("check_stack", (first, second))
    right = (isinstance(first, int) and first == 7) and (isinstance(second, int) and second == 27)
    assert ok == right, line


def _returns(value, label):
    def fn(w):
        return value(w) if callable(value) else value

    fn.__name__ = f"returns_{label}"
    return fn


def _raises(w):
    raise RuntimeError("student bug")


SYMMETRIZE_WRONG = [
    _returns(lambda w: np.full_like(w, np.nan), "nan"), _returns(lambda w: np.full_like(w, np.inf), "inf"),
    _returns(None, "none"), _returns("abc", "text"), _returns(1.0, "scalar"), _returns(math.nan, "nan_scalar"),
    _returns(lambda w: np.ones(np.shape(w) + (2,)), "wrong_shape"), _returns([[1, 2], [3]], "ragged"),
    _returns(lambda w: w, "identity"), _returns(lambda w: np.zeros_like(w), "zeros"),
    _returns(lambda w: sum(np.rot90(w, k) for k in range(4)), "sum"), _returns(lambda w: np.asarray(w) > 0, "mask"),
    _returns(lambda w: sum(np.rot90(w, k) for k in range(4)) / 4 + 1e-3, "offset"),
    _returns(lambda w: (sum(np.rot90(w, k) for k in range(4)) / 4).astype(complex), "complex"),
    _returns(lambda w: {0: 1}, "dict"), _returns(lambda w: 10**400, "huge"), _returns(lambda w: w[:1], "slice"),
    _returns(lambda w: np.full_like(w, 1e300) * 10, "overflow"), _raises,
    None, 3, "def f(w): return w", np.ones((3, 3)), [lambda w: w],
]


@fuzz
@given(fn=st.sampled_from(SYMMETRIZE_WRONG))
def test_symmetrize_with_any_wrong_function(fn):
    ok, line = verdict_of("check_symmetrize", fn)
    assert not ok, line


# --- the checkers' settings, chosen by the notebook's author -------------------------------------------


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("n"), bad_ints(minimum=1, maximum=10**5)),
    st.tuples(st.just("k"), bad_ints(minimum=1, maximum=10**5)),
    st.tuples(st.just("stride"), bad_ints(minimum=1, maximum=10**5)),
    st.tuples(st.just("padding"), bad_ints(minimum=0, maximum=10**5)),
))
def test_output_size_settings(case):
    name, value = case
    settings = {"n": 11, "k": 5, "stride": 2, "padding": 2, name: value}
    refuses(ex.check_output_size, name, 6, **settings)


@fuzz
@given(n_outputs=bad_ints(minimum=1, maximum=10**5))
def test_dense_params_setting(n_outputs):
    refuses(ex.check_dense_params, "n_outputs", 15370, n_outputs=n_outputs)


@fuzz
@given(d=bad_ints(minimum=1, maximum=10**6))
def test_torus_mean_setting(d):
    refuses(ex.check_torus_mean, "d", 0.577, d=d)


def test_the_issue_list():
    """The answers issue 18 found marked correct or crashing, one by one."""
    for name, answer in [("check_edge_count", (144.9, 576.7)), ("check_edge_count", ("144", "576")),
                         ("check_edge_count", {144: 0, 576: 0}), ("check_stride_shifts", [0.5, 3.2, 6.9]),
                         ("check_conv_shape", (32.9, 32.5, 6.7)), ("check_conv_params", 10**400),
                         ("check_pooled_length", math.inf), ("check_avg_pool", [[3.5, 5.25], [2.75]]),
                         ("check_stride_shifts", "036"), ("check_symmetrize", SYMMETRIZE_WRONG[0]),
                         ("check_symmetrize", SYMMETRIZE_WRONG[1])]:
        assert not verdict_of(name, answer)[0], (name, answer)
    refuses(ex.check_dense_params, "n_outputs", (16 * 16 * 6 + 1) * -3, n_outputs=-3)


@fuzz
@given(n=st.integers(1, 40), k=st.integers(1, 45), stride=st.integers(1, 6), padding=st.integers(0, 4),
       off=st.sampled_from([1, -1, 0.5, 2]))
def test_output_size_for_any_setting(n, k, stride, padding, off):
    """Against a brute-force count of the windows (0 when k > n + 2p): right is right, anything else is not."""
    fits = sum(1 for s in range(0, n + 2 * padding, stride) if s + k <= n + 2 * padding)
    RIGHT["check_output_size"] = (fits, 0, {"n": n, "k": k, "stride": stride, "padding": padding})
    try:
        assert verdict_of("check_output_size", accepts(lambda v: v, fits))[0]
        assert not verdict_of("check_output_size", fits + off)[0]
    finally:
        RIGHT["check_output_size"] = (6, 0, {"n": 11, "k": 5, "stride": 2, "padding": 2})


@pytest.mark.parametrize("n_outputs", [1, 7, 10, 10**5])
def test_dense_params_for_any_setting(n_outputs):
    right = (16 * 16 * 6 + 1) * n_outputs
    RIGHT["check_dense_params"] = (right, 0, {"n_outputs": n_outputs})
    try:
        assert verdict_of("check_dense_params", right)[0]
        assert not verdict_of("check_dense_params", right - 1)[0]
        assert not verdict_of("check_dense_params", right + 0.5)[0]
    finally:
        RIGHT["check_dense_params"] = (15370, 0, {"n_outputs": 10})
