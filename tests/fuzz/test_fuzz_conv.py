"""Bad input for notebook 00's library: convolution, classic filters, template matching and pooling.

Every public function of cnnlib.conv, cnnlib.filters and cnnlib.pool: each argument gets values
that must be refused with a ValueError/TypeError naming it, and valid edge cases (lists, ints,
float64, 1x1 kernels, kernel = image size, factor 1, huge strides) are compared with NumPy/SciPy.

NaN and inf in an image are *allowed* by conv and pooling (documented: they stay in the outputs
whose window holds them), and refused where they would give a silently wrong answer
(match_template, argmax2d).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.signal
from harness import accepts, bad_arrays, bad_flags, bad_ints, bad_options, bad_reals, fuzz, refuses
from hypothesis import given
from hypothesis import strategies as st

import cnnlib as cl
from cnnlib import filters, pool

IMG = np.linspace(0.0, 1.0, 64, dtype=np.float32).reshape(8, 8)
X4 = IMG[None, None]  # (1, 1, 8, 8)
K3 = np.arange(9, dtype=np.float32).reshape(3, 3) / 10
W4 = K3[None, None]  # (1, 1, 3, 3)
BOUNDARIES = ("zeros", "circular", "reflect", "replicate")
METHODS = ("auto", "lax", "direct", "im2col", "fft", "dense")
POOLS2 = (cl.max_pool2d, cl.avg_pool2d, cl.lp_pool2d, cl.weighted_pool2d)
POOLS1 = (cl.max_pool1d, cl.avg_pool1d, cl.lp_pool1d, cl.weighted_pool1d)


def finite_bad_arrays(ndims):
    """bad_arrays without the NaN/inf ones (conv and pooling allow those)."""
    return bad_arrays(ndims).filter(
        lambda a: not (isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.size and not np.isfinite(a).all())
    )


BAD_TUPLES = st.sampled_from([(1.0, 1), (True, 1), (1, np.float32(1.0)), (1, 0), (0, 1), (1, -2), (1, 2, 3), (1,), "11"])
BAD_PADDING = st.sampled_from([
    -1, 1.5, True, None, "SAME", "valid ", b"same", (True, 1), (1.0, 1), (1, -1), ((1, 2), (3,)), ((1, True), (0, 0)),
    {1: 2}, [1, [2, 3]], 10**5, 10**400, (10**6, 10**6), ((0, 10**9), (0, 0)),
])


# --- conv2d / conv1d ---------------------------------------------------------------------------


@fuzz
@given(x=finite_bad_arrays((2, 4)))
def test_conv2d_refuses_a_bad_image(x):
    refuses(cl.conv2d, ("x", "w"), x, K3)


@fuzz
@given(w=finite_bad_arrays((2,)))
def test_conv2d_refuses_a_bad_kernel(w):
    refuses(cl.conv2d, "w", IMG, w)


@fuzz
@given(v=st.one_of(bad_ints(minimum=1), BAD_TUPLES))
def test_conv2d_stride_and_dilation(v):
    refuses(cl.conv2d, "stride", IMG, K3, stride=v)
    refuses(cl.conv2d, "dilation", IMG, K3, dilation=v)


@fuzz
@given(v=BAD_PADDING)
def test_conv2d_padding(v):
    refuses(cl.conv2d, "padding", IMG, K3, padding=v)


@pytest.mark.parametrize("arg, good, bad", [
    ("stride", (1, 1), (1.0, 1)), ("dilation", (1, 1), (True, 1)), ("padding", (1, 1), (True, 1)),
    ("stride", (1, 1), (np.float64(1.0), 1)), ("padding", ((0, 0), (0, 0)), ((0, 0), (0.0, 0))),
])
def test_conv2d_validation_is_not_skipped_by_the_plan_cache(arg, good, bad):
    cl.conv2d(IMG, K3, **{arg: good})  # fills the cache with an equal, hash-equal key
    refuses(cl.conv2d, arg, IMG, K3, **{arg: bad})


@fuzz
@given(v=bad_options(BOUNDARIES))
def test_conv2d_boundary(v):
    refuses(cl.conv2d, "boundary", IMG, K3, padding=1, boundary=v)


@fuzz
@given(v=bad_options(METHODS))
def test_conv2d_method(v):
    refuses(cl.conv2d, "method", IMG, K3, method=v)


@fuzz
@given(v=bad_flags())
def test_conv2d_flip(v):
    refuses(cl.conv2d, "flip", IMG, K3, flip=v)
    refuses(cl.conv1d, "flip", IMG[0], K3[0], flip=v)


def test_conv_refuses_mismatched_channels_and_huge_padding():
    refuses(cl.conv2d, ("x", "w"), np.ones((1, 2, 8, 8)), np.ones((1, 3, 3, 3)))
    refuses(cl.conv2d, ("x", "w"), IMG, W4)
    refuses(cl.conv2d, "padding", IMG, K3, padding=10**5)
    refuses(cl.conv2d, "padding", np.ones((2, 3, 8, 8)), np.ones((4, 3, 3, 3)), padding=(6000, 6000))
    refuses(cl.conv1d, "padding", IMG[0], K3[0], padding=10**9)
    refuses(cl.conv2d, "dilation", IMG, K3, dilation=10**9)
    refuses(cl.conv2d, "w", IMG, np.ones((9, 9)))


@fuzz
@given(x=finite_bad_arrays((1, 3)), v=st.one_of(bad_ints(minimum=1), st.sampled_from([(1, 1), [2, 2]])))
def test_conv1d_bad_arguments(x, v):
    refuses(cl.conv1d, ("x", "w"), x, K3[0])
    refuses(cl.conv1d, "stride", IMG[0], K3[0], stride=v)
    refuses(cl.conv1d, "dilation", IMG[0], K3[0], dilation=v)


@fuzz
@given(v=st.one_of(bad_ints(minimum=1), st.sampled_from([(1, 2), "3"])))
def test_conv_output_size(v):
    refuses(cl.conv_output_size, "n", v, 3)
    refuses(cl.conv_output_size, "k", 8, v)
    refuses(cl.conv_output_size, "stride", 8, 3, stride=v)
    refuses(cl.conv_output_size, "dilation", 8, 3, dilation=v)


@fuzz
@given(v=st.one_of(BAD_PADDING.filter(lambda p: not isinstance(p, tuple) or len(p) != 2 or p == (10**6, 10**6)
                                      or any(isinstance(q, (bool, float, tuple)) for q in p) or min(p) < 0)))
def test_conv_output_size_padding(v):
    if v in (10**5, 10**400, (10**6, 10**6)):
        assert cl.conv_output_size(8, 3, padding=v) >= 1  # a size, not an allocation: any whole number is fine
        return
    refuses(cl.conv_output_size, "padding", 8, 3, padding=v)


@fuzz
@given(shape=st.sampled_from([(0, 4), (4,), 4, "ab", (2.0, 3), (True, 3), None, (2, 1, 8, 8), (1, 1, 1, 8, 8),
                              (10**6, 10**6), (1, 10**9, 8), (8, -8)]))
def test_conv_matrix_input_shape(shape):
    refuses(cl.conv_matrix, ("input_shape", "w"), shape, K3)


@fuzz
@given(w=finite_bad_arrays((2,)), v=st.one_of(bad_ints(minimum=1), BAD_TUPLES))
def test_conv_matrix_kernel_and_options(w, v):
    refuses(cl.conv_matrix, "w", (8, 8), w)
    refuses(cl.conv_matrix, "stride", (8, 8), K3, stride=v)


# valid edge cases, against NumPy/SciPy -----------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_conv2d_valid_edge_cases(method):
    x64 = np.random.default_rng(0).standard_normal((6, 7))
    # lists, ints, float64, a 1x1 kernel, a kernel as large as the image
    got = accepts(cl.conv2d, x64.tolist(), [[2]], method=method)
    np.testing.assert_allclose(got, 2 * x64, rtol=1e-5, atol=1e-6)
    got = accepts(cl.conv2d, x64, x64, method=method)
    np.testing.assert_allclose(got, [[np.sum(x64 * x64)]], rtol=1e-4)
    got = accepts(cl.conv2d, np.arange(12).reshape(3, 4), np.ones((2, 2), int), method=method)
    np.testing.assert_allclose(got, scipy.signal.correlate2d(np.arange(12).reshape(3, 4), np.ones((2, 2)), "valid"),
                               rtol=1e-5)
    # a stride larger than the image: one output, as any stride >= the image size gives
    got = accepts(cl.conv2d, x64, np.ones((2, 2)), stride=10**9, method=method if method != "dense" else "auto")
    np.testing.assert_allclose(got, [[x64[:2, :2].sum()]], rtol=1e-5)


def test_conv_nan_stays_local_with_lax():
    x = IMG.copy()
    x[0, 0] = np.nan
    y = np.asarray(accepts(cl.conv2d, x, K3, method="lax"))
    assert np.isnan(y[0, 0]) and np.isfinite(y[3:, 3:]).all()


def test_conv_matrix_valid_edge_cases():
    m = accepts(cl.conv_matrix, [3, 3], [[1.0]])
    np.testing.assert_array_equal(m, np.eye(9))
    m = accepts(cl.conv_matrix, (3, 3), np.ones((3, 3)))
    np.testing.assert_array_equal(m, np.ones((1, 9)))
    assert accepts(cl.conv_output_size, np.int64(8), 8) == 1


# --- filters -----------------------------------------------------------------------------------


@fuzz
@given(v=bad_options(tuple(filters.KERNELS)))
def test_kernel_name(v):
    refuses(cl.kernel, "name", v)


@fuzz
@given(v=bad_ints(minimum=1, huge=True))
def test_kernel_sizes(v):
    refuses(cl.box_kernel, "size", v)
    refuses(cl.gaussian_kernel, "size", v)


@fuzz
@given(v=bad_reals(minimum=0.0, exclusive=True).filter(lambda v: v is not None))  # None: the default
def test_gaussian_sigma(v):
    refuses(cl.gaussian_kernel, "sigma", 5, sigma=v)


@pytest.mark.parametrize("size, sigma", [(2, 0.01), (3, 1e-200), (4, 1e-30), (9, 0.01), (1, 1e-300), (5, 1e300), (3, None)])
def test_gaussian_kernel_tiny_and_huge_sigma_are_finite(size, sigma):
    w = np.asarray(accepts(cl.gaussian_kernel, size, sigma=sigma), np.float64)
    assert np.isfinite(w).all() and abs(w.sum() - 1) < 1e-6
    a = np.arange(size) - (size - 1) / 2
    if sigma is not None and sigma < 0.1:  # the limit: all weight on the centre pixel(s)
        g = (np.abs(a) == np.abs(a).min()).astype(float)
    else:
        s = np.float64(size / 4 if sigma is None else sigma)
        with np.errstate(over="ignore"):
            g = np.exp(-(a**2) / (2 * s**2))
    g /= g.sum()
    np.testing.assert_allclose(w, np.outer(g, g), atol=1e-7)


@fuzz
@given(image=bad_arrays((2,)))
def test_match_template_image(image):
    refuses(cl.match_template, "image", image, K3)
    refuses(cl.argmax2d, "score", image)


@fuzz
@given(t=bad_arrays((2,)))
def test_match_template_template(t):
    refuses(cl.match_template, "template", IMG, t)


@fuzz
@given(v=bad_flags(), eps=bad_reals(minimum=0.0))
def test_match_template_options(v, eps):
    refuses(cl.match_template, "normalised", IMG, K3, normalised=v)
    refuses(cl.match_template, "eps", IMG, K3, eps=eps)


def test_filters_valid_edge_cases():
    x = np.random.default_rng(1).standard_normal((5, 6))
    np.testing.assert_allclose(accepts(cl.match_template, x, x[1:3, 2:5], normalised=False),
                               scipy.signal.correlate2d(x, x[1:3, 2:5], "valid"), rtol=1e-4, atol=1e-5)
    assert accepts(cl.argmax2d, cl.match_template(x, x)) == (0, 0)  # template = image: one score, 1
    assert accepts(cl.argmax2d, [[1]]) == (0, 0)
    assert accepts(cl.argmax2d, np.array([[1, 7], [7, 2]], np.int64)) == (0, 1)
    np.testing.assert_allclose(accepts(cl.box_kernel, np.int64(1)), [[1.0]])


# --- pooling -----------------------------------------------------------------------------------


@fuzz
@given(x=finite_bad_arrays((2, 4)))
def test_pool2d_image(x):
    for fn in POOLS2:
        refuses(fn, "x", x, 2)


@fuzz
@given(x=finite_bad_arrays((1, 3)))
def test_pool1d_signal(x):
    for fn in POOLS1:
        refuses(fn, "x", x, 2)


@fuzz
@given(x=finite_bad_arrays((4,)))
def test_global_pool_input(x):
    refuses(cl.global_max_pool, "x", x)
    refuses(cl.global_avg_pool, "x", x)


@fuzz
@given(v=bad_ints(minimum=1, huge=True))
def test_pool_size(v):
    for fn in POOLS2:
        refuses(fn, "size", IMG, v)
    for fn in POOLS1:
        refuses(fn, "size", IMG[0], v)


@fuzz
@given(v=st.one_of(bad_ints(minimum=1), BAD_TUPLES))
def test_pool_stride(v):
    for fn in POOLS2:
        refuses(fn, "stride", IMG, 2, stride=v)


@fuzz
@given(v=BAD_PADDING)
def test_pool_padding(v):
    for fn in POOLS2:
        refuses(fn, "padding", IMG, 3, padding=v)
    for fn in POOLS1:
        refuses(fn, "padding", IMG[0], 3, padding=v)


@fuzz
@given(p=bad_reals(minimum=1.0), sigma=bad_reals(minimum=0.0, exclusive=True).filter(lambda v: v is not None))
def test_pool_p_and_sigma(p, sigma):
    refuses(cl.lp_pool2d, "p", IMG, 2, p=p)
    refuses(cl.lp_pool1d, "p", IMG[0], 2, p=p)
    refuses(cl.weighted_pool2d, "sigma", IMG, 2, sigma=sigma)
    refuses(cl.weighted_pool1d, "sigma", IMG[0], 2, sigma=sigma)


def _np_pool(x, k, s, reduce):
    ho, wo = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
    return np.array([[reduce(x[i * s : i * s + k, j * s : j * s + k]) for j in range(wo)] for i in range(ho)])


@pytest.mark.parametrize("k, s", [(1, 1), (6, 1), (3, 2)])
def test_pool_valid_edge_cases(k, s):
    x = np.random.default_rng(2).standard_normal((6, 6))
    for fn, ref in [(cl.max_pool2d, np.max), (cl.avg_pool2d, np.mean),
                    (cl.lp_pool2d, lambda a: np.sqrt(np.sum(a * a)))]:
        got = accepts(fn, x.tolist(), k, stride=s)
        np.testing.assert_allclose(got, _np_pool(x, k, s, ref), rtol=1e-5, atol=1e-6)
    got = accepts(cl.lp_pool2d, (10 * x).astype(np.float64), k, stride=s, p=40.0)
    np.testing.assert_allclose(got, _np_pool(10 * x, k, s, lambda a: np.sum(np.abs(a) ** 40) ** (1 / 40)), rtol=1e-5)
    got = accepts(cl.weighted_pool2d, x, k, stride=s, sigma=1e6)  # a huge sigma: plain averages
    np.testing.assert_allclose(got, _np_pool(x, k, s, np.mean), rtol=1e-5, atol=1e-6)
    got = accepts(cl.max_pool1d, np.arange(6), k, stride=s)
    np.testing.assert_allclose(got, [min(i * s + k, 6) - 1 for i in range((6 - k) // s + 1)])


@pytest.mark.parametrize("sigma", [1e-200, 1e-30, 1e-3, 1e300])
def test_weighted_pool_tiny_and_huge_sigma(sigma):
    x = np.arange(16.0).reshape(4, 4)
    got = np.asarray(accepts(cl.weighted_pool2d, x, 3, stride=1, sigma=sigma))
    want = _np_pool(x, 3, 1, np.mean) if sigma > 1 else x[1:3, 1:3]  # the limits: plain mean, the centre cell
    np.testing.assert_allclose(got, want, rtol=1e-5)
    got = np.asarray(accepts(cl.weighted_pool2d, x, 2, sigma=sigma))  # even window: four nearest cells weigh 1
    np.testing.assert_allclose(got, _np_pool(x, 2, 2, np.mean), rtol=1e-5)


def test_pool_nan_stays_in_its_window():
    x = IMG.copy()
    x[0, 0] = np.nan
    for fn in POOLS2:
        y = np.asarray(accepts(fn, x, 2))
        assert np.isnan(y[0, 0]) and np.isfinite(y[1:, 1:]).all(), fn.__name__
    assert math.isnan(float(cl.global_avg_pool(x[None, None])[0, 0]))
