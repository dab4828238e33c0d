"""Pooling: NumPy loops as the oracle, hand-worked cases, properties and error messages."""
import math

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnnlib as cl
from cnnlib.pool import _padding

LECTURE_4X4 = [[6, 1, 2, 4], [1, 6, 7, 8], [3, 5, 2, 0], [1, 2, 3, 4]]


def oracle(x, size, stride, pads, op, p=2.0, sigma=1.0):
    """Loop over windows of a single (H, W) image; padded cells are NaN and left out."""
    (kh, kw), (sh, sw) = size, stride
    xp = np.pad(np.asarray(x, float), pads, constant_values=np.nan)
    out_h = (xp.shape[0] - kh) // sh + 1
    out_w = (xp.shape[1] - kw) // sw + 1
    a = np.arange(kh) - (kh - 1) / 2
    b = np.arange(kw) - (kw - 1) / 2
    gauss = np.exp(-(a[:, None] ** 2 + b[None, :] ** 2) / (2 * sigma**2))
    y = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            win = xp[i * sh : i * sh + kh, j * sw : j * sw + kw]
            real = ~np.isnan(win)
            if op == "max":
                y[i, j] = win[real].max()
            elif op == "avg":
                y[i, j] = win[real].mean()
            elif op == "lp":
                y[i, j] = (np.abs(win[real]) ** p).sum() ** (1 / p)
            else:
                y[i, j] = (gauss[real] * win[real]).sum() / gauss[real].sum()
    return y


POOLS = {
    "max": lambda x, k, **kw: cl.max_pool2d(x, k, **kw),
    "avg": lambda x, k, **kw: cl.avg_pool2d(x, k, **kw),
    "lp": lambda x, k, **kw: cl.lp_pool2d(x, k, p=3.0, **kw),
    "weighted": lambda x, k, **kw: cl.weighted_pool2d(x, k, sigma=1.3, **kw),
}


@settings(max_examples=25, deadline=None)
@given(
    h=st.integers(3, 9),
    w=st.integers(3, 9),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    sh=st.integers(1, 3),
    sw=st.integers(1, 3),
    padding=st.sampled_from(["valid", "same", 0, 1, ((0, 1), (1, 0))]),
    op=st.sampled_from(sorted(POOLS)),
    seed=st.integers(0, 2**16),
)
def test_matches_numpy_loop(h, w, kh, kw, sh, sw, padding, op, seed):
    if isinstance(padding, int) and padding >= min(kh, kw) or isinstance(padding, tuple) and min(kh, kw) < 2:
        return  # padding must be smaller than the window
    x = np.random.default_rng(seed).normal(size=(h, w)).astype(np.float32)
    got = POOLS[op](x, (kh, kw), stride=(sh, sw), padding=padding)
    pads = _padding(padding, (h, w), (kh, kw), (sh, sw))
    want = oracle(x, (kh, kw), (sh, sw), pads, op, p=3.0, sigma=1.3)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-5)


def test_lecture_example_max_and_average():
    assert cl.max_pool2d(LECTURE_4X4, 2).tolist() == [[6, 8], [5, 4]]
    assert cl.avg_pool2d(LECTURE_4X4, 2).tolist() == [[3.5, 5.25], [2.75, 2.25]]


def test_stride_defaults_to_size_and_same_gives_ceil():
    x = np.zeros((1, 1, 7, 10))
    assert cl.max_pool2d(x, 2).shape == (1, 1, 3, 5)
    assert cl.max_pool2d(x, 3, stride=2, padding="same").shape == (1, 1, 4, 5)  # ceil(7/2), ceil(10/2)
    assert cl.avg_pool2d(np.zeros((128, 128)), 3, stride=2, padding="same").shape == (64, 64)  # halves


def test_pooling_is_per_channel():
    x = np.random.default_rng(0).normal(size=(2, 3, 6, 6)).astype(np.float32)
    for name, pool in POOLS.items():
        whole = np.asarray(pool(x, 2))
        for n in range(2):
            for c in range(3):
                np.testing.assert_allclose(whole[n, c], np.asarray(pool(x[n, c], 2)), rtol=1e-6, err_msg=name)


def test_padding_is_not_counted():
    ones = np.ones((5, 5), np.float32)
    for pool in (cl.avg_pool2d, cl.weighted_pool2d):
        np.testing.assert_allclose(pool(ones, 3, stride=1, padding="same"), ones, rtol=1e-6)
    negative = -ones  # a -inf pad never wins, so a 0 never appears
    np.testing.assert_array_equal(cl.max_pool2d(negative, 3, stride=1, padding=1), negative)


def test_lp_limits():
    x = np.random.default_rng(1).normal(size=(6, 6)).astype(np.float32)
    np.testing.assert_allclose(cl.lp_pool2d(x, 2, p=1), cl.avg_pool2d(np.abs(x), 2) * 4, rtol=1e-5)
    np.testing.assert_allclose(cl.lp_pool2d(x, 2, p=60), cl.max_pool2d(np.abs(x), 2), rtol=0.05)


def test_lp_pool_traces_the_same_program_for_any_window():
    # It traced one slice per window cell: a 32x32 window on a 32x32 image took more than 12 s.
    x = np.random.default_rng(4).normal(size=(2, 3, 32, 32)).astype(np.float32)
    sizes = {k: len(jax.make_jaxpr(lambda z, k=k: cl.lp_pool2d(z, k, p=3.0))(x).jaxpr.eqns) for k in (2, 8, 32)}
    assert sizes[2] == sizes[8] == sizes[32], sizes
    want = (np.abs(x.astype(np.float64)) ** 3).sum(axis=(2, 3), keepdims=True) ** (1 / 3)
    np.testing.assert_allclose(cl.lp_pool2d(x, 32, p=3.0), want, rtol=1e-5)


@pytest.mark.parametrize("k, s, pad, p", [(3, 1, 1, 2.0), (3, 2, 0, 3.0), (2, 2, 0, 1.0), (4, 1, ((1, 0), (2, 1)), 1.5), (6, 6, 0, 40.0)])
def test_lp_pool_gradient_matches_the_formula(k, s, pad, p):
    """d y_w / d x_q = sign(x_q) (|x_q| / y_w)^(p-1), summed over the windows w that hold q (NumPy loop)."""
    x = np.random.default_rng(5).normal(size=(6, 6))
    g_out = np.random.default_rng(6).normal(size=np.asarray(cl.lp_pool2d(x, k, stride=s, padding=pad, p=p)).shape)
    got = jax.grad(lambda z: (cl.lp_pool2d(z, k, stride=s, padding=pad, p=p) * g_out).sum())(x.astype(np.float32))
    pads = ((pad, pad), (pad, pad)) if isinstance(pad, int) else pad
    xp = np.pad(x, pads)
    grad = np.zeros_like(xp)
    for i in range(g_out.shape[0]):
        for j in range(g_out.shape[1]):
            win = (slice(i * s, i * s + k), slice(j * s, j * s + k))
            y = (np.abs(xp[win]) ** p).sum() ** (1 / p)
            grad[win] += g_out[i, j] * np.sign(xp[win]) * (np.abs(xp[win]) / y) ** (p - 1)
    want = grad[pads[0][0] : pads[0][0] + 6, pads[1][0] : pads[1][0] + 6]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_weighted_with_wide_gaussian_is_average():
    x = np.random.default_rng(2).normal(size=(6, 6)).astype(np.float32)
    np.testing.assert_allclose(cl.weighted_pool2d(x, 3, sigma=1e4), cl.avg_pool2d(x, 3), rtol=1e-4, atol=1e-6)


def test_one_d_wrappers_match_two_d():
    x = np.random.default_rng(3).normal(size=(2, 3, 11)).astype(np.float32)
    pairs = [
        (cl.max_pool1d, cl.max_pool2d, {}),
        (cl.avg_pool1d, cl.avg_pool2d, {}),
        (cl.lp_pool1d, cl.lp_pool2d, {"p": 2.0}),
        (cl.weighted_pool1d, cl.weighted_pool2d, {"sigma": 1.0}),
    ]
    for one, two, kw in pairs:
        got = one(x, 3, stride=2, padding="same", **kw)
        want = two(x[:, :, None, :], (1, 3), stride=(1, 2), padding="same", **kw)[:, :, 0]
        np.testing.assert_allclose(got, want, rtol=1e-6)
        assert one(x[0, 0], 3, stride=1).shape == (9,)
    assert cl.max_pool1d([0, 1, 0, 0], 3, stride=1, padding=(1, 1)).tolist() == [1, 1, 1, 0]


def test_global_pools_any_size():
    for h, w in [(5, 7), (16, 16), (1, 3)]:
        x = np.random.default_rng(h).normal(size=(2, 4, h, w)).astype(np.float32)
        assert cl.global_max_pool(x).shape == (2, 4)
        np.testing.assert_allclose(cl.global_max_pool(x), x.max(axis=(2, 3)), rtol=1e-6)
        np.testing.assert_allclose(cl.global_avg_pool(x), x.mean(axis=(2, 3)), rtol=1e-5, atol=1e-6)


def test_jit_matches_eager():
    x = np.random.default_rng(4).normal(size=(1, 2, 8, 8)).astype(np.float32)
    f = jax.jit(lambda z: cl.max_pool2d(z, 3, stride=2, padding="same") + cl.avg_pool2d(z, 3, stride=2, padding="same"))
    np.testing.assert_allclose(f(x), cl.max_pool2d(x, 3, stride=2, padding="same") + cl.avg_pool2d(x, 3, stride=2, padding="same"), rtol=1e-6)


def test_integer_input_becomes_float32():
    assert cl.max_pool2d(np.arange(16).reshape(4, 4), 2).dtype == np.float32


@pytest.mark.parametrize(
    "call, kind, message",
    [
        (lambda: cl.max_pool2d(np.zeros((4, 4)), 0), ValueError, "`size` must be >= 1; got 0"),
        (lambda: cl.max_pool2d(np.zeros((4, 4)), 2, stride=0), ValueError, "`stride` must be >= 1; got 0"),
        (lambda: cl.max_pool2d(np.zeros((3, 3)), 5), ValueError, r"`size` \(5, 5\) is larger than the padded input \(3, 3\)"),
        (lambda: cl.avg_pool2d(np.zeros((4, 4)), 2, padding="full"), ValueError, "`padding` must be one of 'valid', 'same'"),
        (lambda: cl.avg_pool2d(np.zeros((4, 4)), 2, padding=2), ValueError, "must be smaller than the window"),
        (lambda: cl.avg_pool2d(np.zeros((4, 4)), 2, padding="x" and [1, 2, 3]), ValueError, "`padding` must be 'valid', 'same'"),
        (lambda: cl.max_pool2d(np.zeros((2, 4, 4)), 2), ValueError, r"`x` must have shape \(H, W\) or \(N, C, H, W\); got \(2, 4, 4\)"),
        (lambda: cl.max_pool1d(np.zeros((4, 4)), 2), ValueError, r"`x` must have shape \(L,\) or \(N, C, L\)"),
        (lambda: cl.lp_pool2d(np.zeros((4, 4)), 2, p=0.5), ValueError, "`p` must be >= 1.0; got 0.5"),
        (lambda: cl.weighted_pool2d(np.zeros((4, 4)), 2, sigma=0), ValueError, "`sigma` must be > 0.0; got 0.0"),
        (lambda: cl.global_max_pool(np.zeros((4, 4))), ValueError, r"`x` must have shape \(N, C, H, W\)"),
        (lambda: cl.max_pool2d(np.zeros((4, 4)), 2.5), TypeError, "`size` must be an int or a sequence of 2 ints"),
        (lambda: cl.max_pool2d(np.zeros((4, 4), bool), 2), TypeError, "`x` must be a real numeric array; got dtype bool"),
    ],
)
def test_error_messages(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


def test_output_size_formula():
    for n, k, s in [(10, 3, 1), (10, 3, 2), (9, 2, 2), (128, 3, 2)]:
        assert cl.max_pool1d(np.zeros(n), k, stride=s).shape == (math.floor((n - k) / s) + 1,)
