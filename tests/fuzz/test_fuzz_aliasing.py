"""Bad input for notebook 05's library: cnnlib.aliasing and the widgets of cnnlib.widgets.aliasing.

Every public function of cnnlib.aliasing (filters, BlurPool, downsample, spectra, test signals, the
three measurements, the folding figure) and every widget constructor and update function of
cnnlib.widgets.aliasing: each argument gets values that must be refused with a ValueError/TypeError
naming it, and valid edge cases (lists, ints, float64, filter size 1, factor 1, factor = image side,
window = image side) are compared with NumPy/SciPy references.

``FUZZ_SURVEY=1`` turns a failed refusal into a recorded case instead of a test failure, so that one
run counts every failing case (how the "before the fixes" count was taken).
"""
from __future__ import annotations

import functools
import math
import os

import harness
import jax
import numpy as np
from harness import accepts, bad_arrays, bad_flags, bad_functions, bad_ints, bad_options, bad_reals, fuzz
from harness import refuses as _refuses
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import cnnlib as cl
from cnnlib import aliasing as A
from cnnlib.widgets import aliasing as W

RNG = np.random.default_rng(5)
IMG = RNG.random((16, 16)).astype(np.float32)
BIG = RNG.random((64, 64)).astype(np.float32)
X4 = RNG.random((2, 3, 16, 16)).astype(np.float32)
SIG = RNG.random(16).astype(np.float32)
BATCH = RNG.random((4, 8, 8)).astype(np.float32)
KEY = jax.random.key(0)
BOUNDARIES = ("reflect", "circular", "zeros", "replicate")
NP_MODE = {"reflect": "reflect", "circular": "wrap", "zeros": "constant", "replicate": "edge"}
SURVEY = bool(os.environ.get("FUZZ_SURVEY"))
NON_FINITE_2D = st.sampled_from([np.full((8, 8), np.nan, np.float32), np.where(np.eye(8) > 0, np.inf, 0).astype(np.float32)])
EMPTY = st.sampled_from([np.zeros((0, 8), np.float32), np.zeros((8, 0), np.float32), np.zeros((1, 0, 8, 8), np.float32)])
FILTER_SIZES = st.one_of(bad_ints(minimum=1, maximum=7), st.sampled_from([0, 8, 10**400]))


def refuses(fn, argument, *args, **kwargs):
    if not SURVEY:
        return _refuses(fn, argument, *args, **kwargs)
    if _aborts_the_process(fn, argument, kwargs):  # the unfixed code aborted XLA here: record a failure, do not run it
        name = getattr(fn, "__qualname__", fn)
        text = ", ".join([harness._short(a) for a in args] + [f"{k}={harness._short(v)}" for k, v in kwargs.items()])
        harness.CASES.setdefault(f"{name}: {argument} | {text}", {"function": name, "argument": argument, "ok": False})
        return None
    try:
        return _refuses(fn, argument, *args, **kwargs)
    except AssertionError:
        return None  # counted as a failed case in build/fuzz_cases.json


def _aborts_the_process(fn, argument, kwargs):
    value = kwargs.get(argument)
    huge = isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**6
    return getattr(fn, "__name__", "") == "shift_consistency" and huge


# --- images ------------------------------------------------------------------------------------------


@fuzz
@given(x=st.one_of(bad_arrays((2, 4)), EMPTY))
def test_two_d_functions_refuse_a_bad_image(x):
    refuses(cl.blur_pool2d, "x", x)
    refuses(cl.max_blur_pool2d, "x", x)
    refuses(cl.downsample, "x", x, 2)


@fuzz
@given(x=st.one_of(bad_arrays((2,)), EMPTY))
def test_aliased_fraction_refuses_a_bad_image(x):
    refuses(cl.aliased_fraction, "x", x, 2)
    refuses(cl.aliased_fraction, "x", x, 2, antialias=False)


@fuzz
@given(x=st.one_of(bad_arrays((1, 3)), st.sampled_from([np.zeros(0, np.float32), np.zeros((2, 0, 8), np.float32)])))
def test_one_d_functions_refuse_a_bad_signal(x):
    refuses(cl.blur_pool1d, "x", x)
    refuses(cl.max_blur_pool1d, "x", x)


@fuzz
@given(x=st.one_of(NON_FINITE_2D, EMPTY, st.sampled_from([np.ones(8, np.float32), np.float32(3.0), None, "x", np.ones((8, 8), bool),
                                                         np.ones((8, 8), np.complex64), [[1, 2], [3]]])))
def test_spectrum_refuses_a_bad_image(x):
    refuses(cl.spectrum, "x", x)


@fuzz
@given(x=st.one_of(NON_FINITE_2D, st.sampled_from([np.zeros(0, np.float32), np.float32(3.0), None, "x", np.ones(8, bool), [[1, 2], [3]]])))
def test_local_spectrum_refuses_a_bad_signal(x):
    refuses(cl.local_spectrum, "x", x, 4)


# --- filter sizes, strides, boundaries, factors, flags ------------------------------------------------


@fuzz
@given(k=FILTER_SIZES)
def test_filter_size(k):
    refuses(cl.binomial_filter, "size", k)
    refuses(cl.blur_pool2d, "filter_size", IMG, filter_size=k)
    refuses(cl.blur_pool1d, "filter_size", SIG, filter_size=k)
    refuses(cl.max_blur_pool2d, "filter_size", IMG, filter_size=k)
    refuses(cl.max_blur_pool1d, "filter_size", SIG, filter_size=k)
    refuses(cl.downsample, "filter_size", IMG, 2, filter_size=k)
    refuses(cl.downsample, "filter_size", IMG, 2, antialias=False, filter_size=k)  # checked even when unused
    refuses(cl.aliased_fraction, "filter_size", IMG, 2, filter_size=k)


@fuzz
@given(nd=st.one_of(bad_ints(), st.sampled_from([0, 3, -1])))
def test_binomial_filter_ndim(nd):
    refuses(cl.binomial_filter, "ndim", 3, ndim=nd)


@fuzz
@given(s=st.one_of(bad_ints(minimum=1), st.sampled_from([17, 10**6, 10**400])))
def test_stride_and_size(s):
    refuses(cl.blur_pool2d, "stride", IMG, stride=s)
    refuses(cl.blur_pool1d, "stride", SIG, stride=s)
    refuses(cl.max_blur_pool2d, "size", IMG, s)
    refuses(cl.max_blur_pool1d, "size", SIG, s)


@fuzz
@given(b=bad_options(BOUNDARIES))
def test_boundary(b):
    refuses(cl.blur_pool2d, "boundary", IMG, boundary=b)
    refuses(cl.blur_pool1d, "boundary", SIG, boundary=b)
    refuses(cl.max_blur_pool2d, "boundary", IMG, boundary=b)
    refuses(cl.max_blur_pool1d, "boundary", SIG, boundary=b)


@fuzz
@given(f=st.one_of(bad_ints(minimum=1), st.sampled_from([65, 10**4, 10**6, 10**400])))
def test_factor(f):
    refuses(cl.downsample, "factor", BIG, f)
    refuses(cl.downsample, "factor", BIG, f, antialias=False)
    refuses(cl.aliased_fraction, "factor", BIG, f)


@fuzz
@given(flag=bad_flags())
def test_antialias_flag(flag):
    refuses(cl.downsample, "antialias", IMG, 2, antialias=flag)
    refuses(cl.aliased_fraction, "antialias", IMG, 2, antialias=flag)


@fuzz
@given(window=st.one_of(bad_ints(minimum=2), st.sampled_from([3, 15, 18, 10**6, 10**400])))
def test_local_spectrum_window(window):
    refuses(cl.local_spectrum, "window", SIG, window)


# --- test signals -------------------------------------------------------------------------------------


@fuzz
@given(n=bad_ints(minimum=2, huge=True))
def test_zone_plate_n(n):
    refuses(cl.zone_plate, "n", n)


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("n"), bad_ints(minimum=1, huge=True)),
    st.tuples(st.just("frequency"), bad_reals(minimum=0.0, maximum=0.5, exclusive=False)),
    st.tuples(st.just("angle"), bad_reals()),
))
def test_stripes(case):
    name, value = case
    args = {"n": 8, "frequency": 0.25, "angle": 0.0, name: value}
    refuses(cl.stripes, name, args["n"], args["frequency"], angle=args["angle"])


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("length"), st.one_of(bad_ints(minimum=1), st.sampled_from([10**9, 2**31, 2**63, 10**400]))),
    st.tuples(st.just("period"), st.one_of(bad_ints(minimum=2), st.sampled_from([3, 5, 2**63 + 1]))),
))
def test_toy_signal(case):
    name, value = case
    args = {"length": 8, "period": 4, name: value}
    refuses(cl.toy_signal, name, args["length"], period=args["period"])


# --- measurements ---------------------------------------------------------------------------------------


@fuzz
@given(f=st.one_of(bad_functions(IMG[::2, ::2]), st.sampled_from([None, "f", 3, np.ones(3)])))
def test_shift_equivariance_errors_features(f):
    refuses(cl.shift_equivariance_errors, "features", f, IMG, [1])


def _constant(v):
    return np.ones((4, 4), np.float32)


def _one_d(v):
    return v[0]


def _changes_shape(v, calls=[0]):  # noqa: B006 - counts its calls: the second output has another shape
    calls[0] += 1
    return v[::2, ::2] if calls[0] % 2 else v[::4, ::4]


@fuzz
@given(f=st.sampled_from([_constant, _one_d, _changes_shape, lambda v: [v, None], lambda v: [], lambda v: {"a": v}]))
def test_shift_equivariance_errors_odd_features(f):
    refuses(cl.shift_equivariance_errors, "features", f, IMG, [1])


@fuzz
@given(x=st.one_of(bad_arrays((2, 4)), EMPTY))
def test_shift_equivariance_errors_x(x):
    refuses(cl.shift_equivariance_errors, "x", lambda v: v, x, [1])


@fuzz
@given(shifts=st.sampled_from([3, None, "ab", [], [1.5], [True], [(1, 2, 3)], [(1, "a")], [10**400], [17], [(0, -17)], [math.nan], {1: 2}]))
def test_shift_equivariance_errors_shifts(shifts):
    refuses(cl.shift_equivariance_errors, "shifts", lambda v: v, IMG, shifts)


def _returns(kind):
    outputs = {
        "none": None, "text": "abc", "scalar": 1.0, "wrong_n": np.zeros(3), "nan": np.full((8, 3), np.nan),
        "ragged": [[1, 2], [3]], "three_d": np.zeros((8, 3, 2)), "complex": np.zeros(8, np.complex64),
    }

    def fn(batch):
        value = outputs[kind]
        return value if kind not in ("nan", "three_d") else np.resize(value, (len(batch),) + value.shape[1:])

    fn.__name__ = f"returns_{kind}"
    return fn


@fuzz
@given(p=st.one_of(st.sampled_from([_returns(k) for k in ("none", "text", "scalar", "wrong_n", "nan", "ragged", "three_d", "complex")]),
                   st.sampled_from([None, 3, "predict"])))
def test_shift_consistency_predict(p):
    refuses(cl.shift_consistency, "predict", p, BATCH, max_shift=1, key=KEY)


@fuzz
@given(images=st.one_of(bad_arrays((3, 4)), st.sampled_from([np.zeros((0, 8, 8), np.float32), np.zeros((2, 8, 0), np.float32)])))
def test_shift_consistency_images(images):
    refuses(cl.shift_consistency, "images", lambda b: np.zeros(len(b)), images, max_shift=1, key=KEY)


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("max_shift"), st.one_of(bad_ints(minimum=0), st.sampled_from([9, 10**6, 10**400]))),
    st.tuples(st.just("n_pairs"), bad_ints(minimum=1, huge=True)),
    st.tuples(st.just("key"), st.sampled_from([0, None, "k", np.zeros(3), np.uint32(3)])),
    st.tuples(st.just("boundary"), bad_options(("circular", "zeros"))),
))
def test_shift_consistency_options(case):
    name, value = case
    args = {"max_shift": 1, "n_pairs": 1, "key": KEY, "boundary": "circular", name: value}
    refuses(cl.shift_consistency, name, lambda b: np.zeros(len(b), int), BATCH, **args)


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("n"), st.one_of(bad_ints(minimum=8, huge=True), st.sampled_from([34, 30]))),
    st.tuples(st.just("factor"), st.one_of(bad_ints(minimum=2, maximum=4), st.sampled_from([1, 5, 10**400]))),
    st.tuples(st.just("filter_size"), st.one_of(FILTER_SIZES, st.just(1))),
    st.tuples(st.just("window"), st.one_of(bad_ints(minimum=4), st.sampled_from([6, 10, 10**400, 2**31]))),
))
def test_folding_figure(case):
    name, value = case
    args = {"n": 32, "factor": 2, "filter_size": 7, "window": 8, name: value}
    refuses(W.folding_figure, name if name != "window" else ("window", "n"), **args)


# --- widgets: constructors and update functions --------------------------------------------------------


@functools.cache
def _zone_state():
    return W._ZonePlateState(IMG)


@functools.cache
def _toy_state():
    return W._ToyState(None)


@fuzz
@given(img=st.one_of(bad_arrays((2,), size=16).filter(lambda v: v is not None), EMPTY, st.sampled_from([np.ones((8, 8), np.float32), np.ones((13, 40), np.float32)])))
def test_zone_plate_widget_image(img):
    refuses(cl.widgets.zone_plate_explorer, "img", img)
    refuses(cl.widgets.zone_plate_figure, "img", img)


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("stride"), st.one_of(bad_ints(minimum=1, maximum=W.MAX_STRIDE), st.just(10**400))),
    st.tuples(st.just("filter_size"), FILTER_SIZES),
))
def test_zone_plate_widget_update(case):
    name, value = case
    refuses(_zone_state().update, name, **{name: value})
    refuses(cl.widgets.zone_plate_figure, name, IMG, **{name: value})


@fuzz
@given(signal=st.one_of(bad_arrays((1,), size=16).filter(lambda v: v is not None), st.sampled_from([np.ones(5, np.float32), np.ones(2, np.float32), np.ones(66, np.float32),
                                                                    np.zeros(0, np.float32)])))
def test_toy_widget_signal(signal):
    refuses(cl.widgets.toy_shift_explorer, "signal", signal)
    refuses(cl.widgets.toy_shift_figure, "signal", signal)


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("shift"), st.one_of(bad_ints(minimum=0, maximum=15), st.just(10**400))),
    st.tuples(st.just("filter_size"), FILTER_SIZES),
))
def test_toy_widget_update(case):
    name, value = case
    refuses(_toy_state().update, name, **{name: value})
    refuses(cl.widgets.toy_shift_figure, name, **{name: value})


# --- valid edge cases against NumPy ----------------------------------------------------------------------


def _binomial(taps):
    return stats.binom.pmf(np.arange(taps), taps - 1, 0.5)


def _np_blur_subsample(x, taps, stride, mode):
    """Reference: pad (Zhang: floor((k-1)/2) before, ceil after), correlate with b_k along both axes, subsample."""
    b = _binomial(taps)
    lo, hi = (taps - 1) // 2, taps // 2
    pad = np.pad(np.asarray(x, np.float64), [(0, 0)] * (np.ndim(x) - 2) + [(lo, hi), (lo, hi)], mode=mode)
    h, w = np.shape(x)[-2:]
    rows = np.stack([np.tensordot(pad[..., i : i + taps, :], b, axes=([-2], [0])) for i in range(0, h, stride)], axis=-2)
    return np.stack([rows[..., j : j + taps] @ b for j in range(0, w, stride)], axis=-1)


def test_downsample_factor_one_is_the_identity():
    for x in (IMG, IMG.astype(np.float64), IMG.tolist(), (IMG * 10).astype(np.int32), X4):
        np.testing.assert_array_equal(accepts(cl.downsample, x, 1), np.asarray(x, np.float32))
        np.testing.assert_array_equal(accepts(cl.downsample, x, 1, antialias=False), np.asarray(x, np.float32))


def test_downsample_every_factor_against_numpy():
    for f in (2, 64):
        np.testing.assert_array_equal(accepts(cl.downsample, BIG, f, antialias=False), BIG[::f, ::f])
    for f in (3, 33, 64):  # 33: 1090 taps, longer than the image
        taps = f * f + 1
        mode = "reflect" if 64 > taps // 2 else "edge"
        got = accepts(cl.downsample, BIG, f)
        np.testing.assert_allclose(got, _np_blur_subsample(BIG, taps, f, mode), atol=2e-5, err_msg=f"factor {f}")
    np.testing.assert_allclose(accepts(cl.downsample, np.ones((4, 100)), 10), np.ones((1, 10)), atol=1e-5)  # factor > H, <= W


def test_blur_pools_against_numpy():
    for taps, boundary in zip((1, 2, 4, 7), BOUNDARIES):
        got = accepts(cl.blur_pool2d, X4, filter_size=taps, boundary=boundary)
        np.testing.assert_allclose(got, _np_blur_subsample(X4, taps, 2, NP_MODE[boundary]), atol=2e-6)
    np.testing.assert_array_equal(accepts(cl.blur_pool2d, IMG.tolist(), filter_size=1, stride=16), IMG[:1, :1])  # stride = side
    row = _np_blur_subsample(np.repeat(SIG[None], 5, 0), 5, 3, "reflect")[1]  # identical rows: the vertical blur keeps them
    np.testing.assert_allclose(accepts(cl.blur_pool1d, SIG.astype(np.float64), filter_size=5, stride=3), row, atol=2e-6)
    whole = accepts(cl.max_blur_pool2d, IMG, 16, filter_size=1)  # window = image
    np.testing.assert_array_equal(whole, [[IMG.max()]])
    np.testing.assert_array_equal(accepts(cl.max_blur_pool1d, [0, 0, 1, 1], filter_size=1, boundary="circular"), [0.0, 1.0])


def test_filters_spectra_and_signals_against_numpy():
    for k in range(1, 8):
        np.testing.assert_allclose(accepts(cl.binomial_filter, k), _binomial(k), atol=1e-7)
    np.testing.assert_allclose(accepts(cl.binomial_filter, np.int64(3), ndim=2), np.outer(_binomial(3), _binomial(3)), atol=1e-7)
    x = RNG.random((3, 6, 10))
    want = np.log1p(np.abs(np.fft.fftshift(np.fft.fft2(x), axes=(-2, -1))))
    np.testing.assert_allclose(accepts(cl.spectrum, x), want, rtol=1e-5)
    np.testing.assert_allclose(accepts(cl.spectrum, [[2]]), [[np.log1p(2)]], rtol=1e-6)
    window = 16  # window = signal length
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(window) / window)
    s = SIG.astype(np.float64) - SIG.mean()
    want = np.stack([np.abs(np.fft.rfft(np.roll(s, -(t - window // 2))[:window] * hann)) / (window / 2) for t in range(16)])
    np.testing.assert_allclose(accepts(cl.local_spectrum, SIG.tolist(), window), want, atol=1e-5)
    np.testing.assert_array_equal(accepts(cl.zone_plate, 2), [[0.0, 0.5], [0.5, 1.0]])
    np.testing.assert_array_equal(accepts(cl.stripes, 1, 0), [[1.0]])
    np.testing.assert_array_equal(accepts(cl.toy_signal, 1, period=np.int64(2)), [0.0])


def test_measurements_valid_edge_cases():
    assert accepts(cl.aliased_fraction, IMG, 1) == 0.0  # factor 1 keeps every sample: nothing folds
    assert accepts(cl.aliased_fraction, np.ones((8, 8)), 2) == 0.0  # a flat image holds nothing to fold
    checker = np.indices((8, 8)).sum(0) % 2.0
    assert accepts(cl.aliased_fraction, checker, 1) == 0.0
    assert accepts(cl.aliased_fraction, checker.tolist(), 2, antialias=False) > 0.999  # all of it folds to frequency 0
    errs = accepts(cl.shift_equivariance_errors, lambda v: v, IMG.tolist(), [[1, 2], 3, (0, 16)])
    np.testing.assert_allclose(errs, np.zeros((1, 3)), atol=1e-5)
    assert accepts(cl.shift_consistency, lambda b: np.zeros((len(b), 3)), BATCH, max_shift=0, key=KEY) == 1.0
    assert accepts(cl.shift_consistency, lambda b: np.asarray(b).sum((1, 2)) > 30, BATCH.tolist(), max_shift=8, key=KEY) == 1.0
