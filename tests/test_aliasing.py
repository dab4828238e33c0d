"""Tests for cnnlib.aliasing, the aliasing widgets and checkers, and the digits CNN of notebook 05."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnnlib as cl
from cnnlib import aliasing as A

SETTINGS = settings(max_examples=6, deadline=None)


def _pascal_row(k):
    row = np.array([math.comb(k - 1, i) for i in range(k)], float)
    return row / row.sum()


# --------------------------------------------------------------------- filters


@pytest.mark.parametrize("size", range(1, 8))
def test_binomial_filter_is_a_normalised_symmetric_row_of_pascals_triangle(size):
    b = np.asarray(A.binomial_filter(size))
    assert b.shape == (size,)
    np.testing.assert_allclose(b, _pascal_row(size), rtol=1e-6)
    assert b.sum() == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_array_equal(b, b[::-1])
    b2 = np.asarray(A.binomial_filter(size, ndim=2))
    np.testing.assert_allclose(b2, np.outer(b, b), rtol=1e-6)
    assert b2.sum() == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_array_equal(b2, b2.T)
    np.testing.assert_array_equal(b2, b2[::-1, ::-1])


def test_binomial_filter_hand_values():
    np.testing.assert_array_equal(np.asarray(A.binomial_filter(1)), [1.0])
    np.testing.assert_array_equal(np.asarray(A.binomial_filter(4)) * 8, [1, 3, 3, 1])
    np.testing.assert_array_equal(np.asarray(A.binomial_filter(7)) * 64, [1, 6, 15, 20, 15, 6, 1])


@pytest.mark.parametrize("bad", [0, 8, -1])
def test_binomial_filter_rejects_sizes_outside_1_to_7(bad):
    with pytest.raises(ValueError, match=r"`size` must be between 1 and 7 \(a row of Pascal's triangle\); got"):
        A.binomial_filter(bad)


def test_binomial_filter_rejects_non_integers_and_bad_ndim():
    with pytest.raises(TypeError, match="`size` must be an integer; got 2.5"):
        A.binomial_filter(2.5)
    with pytest.raises(ValueError, match="`ndim` must be 1 or 2; got 3"):
        A.binomial_filter(3, ndim=3)


@pytest.mark.parametrize("size", range(1, 8))
def test_padded_filter_matches_zhangs_padding(size):
    """The 7-tap zero-padded filter (used by widgets and the net) gives exactly blur_pool2d."""
    x = jax.random.uniform(jax.random.key(size), (2, 3, 11, 10))
    want = A.blur_pool2d(x, filter_size=size, stride=2)
    got = A._blur_subsample(x, jnp.asarray(A._padded_filter(size)), stride=(2, 2), boundary="reflect")
    np.testing.assert_allclose(got, want, atol=1e-6)


# --------------------------------------------------------------------- blur pooling


@pytest.mark.parametrize("h, w, stride, boundary", [(1, 7, 2, "circular"), (9, 4, 3, "zeros"), (6, 6, 1, "replicate")])
def test_filter_size_one_is_plain_subsampling(h, w, stride, boundary):
    x = jax.random.normal(jax.random.key(h * 13 + w), (2, 3, h, w))
    np.testing.assert_array_equal(A.blur_pool2d(x, filter_size=1, stride=stride, boundary=boundary), x[:, :, ::stride, ::stride])
    np.testing.assert_array_equal(A.blur_pool2d(x[0, 0], filter_size=1, stride=stride), x[0, 0, ::stride, ::stride])


@SETTINGS
@given(
    size=st.integers(2, 7),
    shape=st.sampled_from([(8, 9), (11, 10)]),
    stride=st.integers(1, 3),
    boundary=st.sampled_from(["reflect", "circular", "zeros", "replicate"]),
)
def test_blur_pool2d_is_depthwise_conv2d_with_the_binomial_kernel_then_striding(size, shape, stride, boundary):
    h, w = shape
    x = jax.random.normal(jax.random.key(size + 7 * h), (2, 3, h, w))
    k2 = A.binomial_filter(size, ndim=2)
    lo, hi = (size - 1) // 2, size // 2
    full = cl.conv2d(x.reshape(6, 1, h, w), k2[None, None], padding=((lo, hi), (lo, hi)), boundary=boundary)  # (N*C, 1, H, W)
    want = full.reshape(2, 3, h, w)[:, :, ::stride, ::stride]
    got = A.blur_pool2d(x, filter_size=size, stride=stride, boundary=boundary)
    assert got.shape == (2, 3, -(-h // stride), -(-w // stride))
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_blur_pool2d_against_numpy_loops():
    x = np.arange(36, dtype=np.float32).reshape(6, 6) ** 1.5
    b = _pascal_row(3)
    xp = np.pad(x, 1, mode="reflect")
    want = np.array([[sum(b[a] * b[c] * xp[i + a, j + c] for a in range(3) for c in range(3)) for j in range(6)] for i in range(6)])
    np.testing.assert_allclose(A.blur_pool2d(x, filter_size=3, stride=2), want[::2, ::2], rtol=1e-5)


def test_blur_keeps_a_flat_image_flat_and_jit_agrees():
    x = jnp.full((1, 2, 9, 9), 3.0)
    for k in range(1, 8):
        np.testing.assert_allclose(A.blur_pool2d(x, filter_size=k), 3.0, rtol=1e-6)
    y = jax.random.normal(jax.random.key(0), (1, 2, 9, 9))
    np.testing.assert_allclose(jax.jit(lambda v: A.blur_pool2d(v, filter_size=5))(y), A.blur_pool2d(y, filter_size=5), atol=1e-6)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7])
def test_circular_blur_pool_commutes_with_shifts_by_the_stride(size):
    x = jax.random.normal(jax.random.key(1), (1, 1, 16, 16))
    f = lambda v: A.blur_pool2d(v, filter_size=size, stride=2, boundary="circular")  # noqa: E731
    np.testing.assert_allclose(f(cl.shift(x, 2, 4)), cl.shift(f(x), 1, 2), atol=1e-5)


def test_blur_pool1d_matches_numpy_convolve():
    x = np.random.default_rng(0).normal(size=13).astype(np.float32)
    for k in range(1, 8):
        lo, hi = (k - 1) // 2, k // 2
        want = np.convolve(np.pad(x, (lo, hi), mode="wrap"), _pascal_row(k), mode="valid")[::2]
        np.testing.assert_allclose(A.blur_pool1d(x, filter_size=k, boundary="circular"), want, atol=1e-5)
    batch = jnp.asarray(np.stack([x, 2 * x])[:, None])  # (2, 1, 13)
    np.testing.assert_allclose(A.blur_pool1d(batch)[1, 0], 2 * A.blur_pool1d(x), atol=1e-5)


def test_max_blur_pool_is_max_with_stride_one_then_blur_pool():
    x = jax.random.normal(jax.random.key(2), (2, 3, 12, 10))
    for k in (1, 2, 3, 5):
        want = A.blur_pool2d(cl.max_pool2d(x, 2, stride=1), filter_size=k, stride=2)
        np.testing.assert_allclose(A.max_blur_pool2d(x, 2, filter_size=k), want, atol=1e-6)
    np.testing.assert_allclose(A.max_blur_pool2d(x, filter_size=1), cl.max_pool2d(x, 2), atol=0)
    np.testing.assert_allclose(A.max_blur_pool2d(x, 3, filter_size=1), cl.max_pool2d(x, 3, stride=1)[:, :, ::3, ::3])


def test_max_blur_pool_circular_is_exactly_equivariant_to_even_shifts():
    x = jax.random.normal(jax.random.key(3), (1, 2, 16, 16))
    f = lambda v: A.max_blur_pool2d(v, filter_size=3, boundary="circular")  # noqa: E731
    assert f(x).shape == (1, 2, 8, 8)
    np.testing.assert_allclose(f(cl.shift(x, -2, 6)), cl.shift(f(x), -1, 3), atol=1e-6)


def test_the_lecture_toy_signal():
    x = A.toy_signal()
    np.testing.assert_array_equal(x, [0, 0, 1, 1, 0, 0, 1, 1])
    moved = cl.shift(x[None], 0, 1)[0]
    np.testing.assert_array_equal(cl.max_pool1d(x, 2), [0, 1, 0, 1])
    np.testing.assert_array_equal(cl.max_pool1d(moved, 2), [1, 1, 1, 1])
    np.testing.assert_array_equal(A.max_blur_pool1d(x, filter_size=1, boundary="circular"), [0, 1, 0, 1])
    np.testing.assert_allclose(A.max_blur_pool1d(x, filter_size=3, boundary="circular"), [0.5, 1, 0.5, 1])
    np.testing.assert_allclose(A.max_blur_pool1d(moved, filter_size=3, boundary="circular"), [0.75] * 4)
    with pytest.raises(ValueError, match="`period` must be even"):
        A.toy_signal(8, period=3)


def test_downsample():
    x = jax.random.uniform(jax.random.key(4), (20, 18))
    np.testing.assert_array_equal(A.downsample(x, 3, antialias=False), x[::3, ::3])
    np.testing.assert_allclose(A.downsample(x, 2), A.blur_pool2d(x, filter_size=5, stride=2), atol=1e-6)
    np.testing.assert_allclose(A.downsample(x, 2, filter_size=3), A.blur_pool2d(x, filter_size=3, stride=2), atol=1e-6)
    assert A.downsample(x, 4).shape == (5, 5)
    assert A.downsample(x[None, None], 3).shape == (1, 1, 7, 6)
    with pytest.raises(TypeError, match="`antialias` must be True or False"):
        A.downsample(x, 2, antialias="yes")


# --------------------------------------------------------------------- frequencies and signals


def test_spectrum_puts_frequency_zero_in_the_centre_and_finds_stripes():
    x = jax.random.uniform(jax.random.key(5), (8, 6))
    s = A.spectrum(x)
    assert s.shape == (8, 6)
    assert float(s[4, 3]) == pytest.approx(math.log1p(float(x.sum())), rel=1e-5)
    s = np.array(A.spectrum(A.stripes(32, 0.25)))  # 8 cycles across 32 pixels
    s[16, 16] = 0
    peaks = sorted(zip(*np.unravel_index(np.argsort(s, axis=None)[-2:], s.shape)))
    assert [tuple(map(int, p)) for p in peaks] == [(16, 8), (16, 24)]


def test_zone_plate_and_stripes():
    z = np.asarray(A.zone_plate(64))
    assert z.shape == (64, 64) and z.min() >= 0 and z.max() <= 1
    assert z[32, 32] == 1.0
    np.testing.assert_allclose(z[1:, 1:], z[1:, 1:][::-1, ::-1], atol=1e-6)  # symmetric about the centre
    np.testing.assert_allclose(z, z.T)
    s = np.asarray(A.stripes(8, 0.125, angle=90))
    np.testing.assert_allclose(s[:, 0], 0.5 + 0.5 * np.cos(2 * np.pi * np.arange(8) / 8), atol=1e-6)
    np.testing.assert_allclose(s, s[:, :1].repeat(8, axis=1))
    with pytest.raises(ValueError, match=r"`frequency` must be <= 0.5; got 0.7"):
        A.stripes(8, 0.7)


# --------------------------------------------------------------------- measurements


def test_aliased_fraction():
    assert A.aliased_fraction(A.stripes(32, 0.125), 2, antialias=False) == pytest.approx(0.0, abs=1e-6)
    assert A.aliased_fraction(A.stripes(32, 0.375), 2, antialias=False) == pytest.approx(1.0, abs=1e-6)
    z = A.zone_plate(128)
    fractions = [A.aliased_fraction(z, 2, filter_size=k) for k in range(1, 8)]
    assert fractions[0] > 0.7 and fractions[-1] < 0.02
    assert all(a > b for a, b in zip(fractions, fractions[1:]))


def test_fourier_shift_is_cl_shift_for_whole_numbers_and_halves_twice_make_one():
    x = jax.random.normal(jax.random.key(8), (2, 10, 12))
    np.testing.assert_allclose(A._fourier_shift(x, 2, -3), cl.shift(x, 2, -3), atol=1e-5)
    half = A._fourier_shift(A._fourier_shift(x, 0.5, 0.0), 0.5, 0.0)
    smooth = A.blur_pool2d(x[:, None], filter_size=7, stride=1, boundary="circular")[:, 0]  # no Nyquist content
    twice = A._fourier_shift(A._fourier_shift(smooth, 0.5, 0.0), 0.5, 0.0)
    np.testing.assert_allclose(twice, cl.shift(smooth, 1, 0), atol=1e-4)
    assert half.shape == x.shape


def test_shift_equivariance_errors():
    x = jax.random.normal(jax.random.key(6), (16, 16))
    errs = A.shift_equivariance_errors(lambda v: [v, v[::2, ::2]], x, [0, 1, 2, 3, (2, 4), (1, 0)])
    assert errs.shape == (2, 6)
    np.testing.assert_allclose(errs[0], 0, atol=1e-5)  # the identity commutes with every shift
    np.testing.assert_allclose(errs[1, [0, 2, 4]], 0, atol=1e-5)  # even shifts: a plain circular shift
    assert (errs[1, [1, 3, 5]] > 0.5).all()  # odd shifts: aliasing
    cat = cl.load_image("cat", grey=True, size=64)
    odd = [
        A.shift_equivariance_errors(lambda v, k=k: A.blur_pool2d(v, filter_size=k, boundary="circular"), cat, [1])[0, 0]
        for k in range(1, 8)
    ]
    assert all(a > b for a, b in zip(odd, odd[1:]))
    with pytest.raises(TypeError, match="`features` must be a function"):
        A.shift_equivariance_errors(3, x, [1])
    with pytest.raises(ValueError, match="`shifts` must hold at least one shift"):
        A.shift_equivariance_errors(lambda v: v, x, [])


def test_shift_consistency(key):
    x = jax.random.uniform(jax.random.key(7), (40, 8, 8))

    def invariant(batch):  # the class depends on the total brightness only
        return (batch.sum(axis=(1, 2)) * 3).astype(jnp.int32) % 10

    def brightest_row(batch):  # the class is where the brightest pixel is: moves with the input
        return jnp.argmax(batch.max(axis=2), axis=1)

    assert A.shift_consistency(invariant, x, max_shift=3, n_pairs=4, key=key) == 1.0
    c = A.shift_consistency(brightest_row, x, max_shift=3, n_pairs=4, key=key)
    assert 0.0 <= c < 0.5
    assert A.shift_consistency(brightest_row, x, max_shift=0, n_pairs=2, key=key) == 1.0  # no shift, no change
    assert A.shift_consistency(brightest_row, x, max_shift=3, n_pairs=4, key=key) == c  # the key decides

    logits = lambda batch: jax.nn.one_hot(brightest_row(batch[:, 0]), 8)  # noqa: E731
    assert A.shift_consistency(logits, x[:, None], max_shift=3, n_pairs=4, key=key) == c
    with pytest.raises(ValueError, match="`max_shift` must be >= 0; got -1"):
        A.shift_consistency(invariant, x, max_shift=-1, key=key)
    with pytest.raises(TypeError, match="`predict` must be a function"):
        A.shift_consistency(None, x, max_shift=1, key=key)
    with pytest.raises(ValueError, match=r"`predict` must return logits \(N, n_classes\) or classes \(N,\)"):
        A.shift_consistency(lambda b: b, x, max_shift=1, key=key)
    with pytest.raises(ValueError, match=r"`images` must have shape \(N, H, W\) or \(N, C, H, W\)"):
        A.shift_consistency(invariant, x[0], max_shift=1, key=key)


def _consistency_by_loops(predict, images, *, max_shift, n_pairs, key, boundary="circular"):
    """Oracle: every pair of every image shifted on its own with cl.shift and classified on its own."""
    m = max_shift
    draws = np.asarray(jax.random.randint(key, (n_pairs, len(images), 2, 2), -m, m + 1))
    same = []
    for p in range(n_pairs):
        for i in range(len(images)):
            (dy1, dx1), (dy2, dx2) = draws[p, i]
            a = np.asarray(predict(cl.shift(images[i : i + 1], int(dy1), int(dx1), boundary=boundary)))
            b = np.asarray(predict(cl.shift(images[i : i + 1], int(dy2), int(dx2), boundary=boundary)))
            a, b = (a.argmax(-1) if a.ndim == 2 else a), (b.argmax(-1) if b.ndim == 2 else b)
            same.append(a[0] == b[0])
    return float(np.mean(same))


@pytest.mark.parametrize("boundary", ["circular", "zeros"])
@pytest.mark.parametrize("max_shift, n_pairs", [(2, 3), (1, 6), (3, 1)])
def test_shift_consistency_matches_a_loop_over_every_pair(boundary, max_shift, n_pairs):
    """Both ways of evaluating (the pairs' images only, or each distinct shift on the whole batch) equal the oracle."""
    x = jax.random.uniform(jax.random.key(11), (12, 2, 7, 9))

    def where_brightest(batch):  # moves with the input, and sees the zeros that enter with boundary='zeros'
        return jnp.argmax(batch[:, 0].reshape(batch.shape[0], -1), axis=1) % 10

    key = jax.random.key(5)
    got = A.shift_consistency(where_brightest, x, max_shift=max_shift, n_pairs=n_pairs, key=key, boundary=boundary)
    want = _consistency_by_loops(where_brightest, x, max_shift=max_shift, n_pairs=n_pairs, key=key, boundary=boundary)
    assert got == pytest.approx(want, abs=1e-12)
    # (2, 3): 6 images per image < 25 shifts; (1, 6): 12 > 9 shifts; so both paths are exercised
    with pytest.raises(ValueError, match="`boundary` must be one of 'circular', 'zeros'; got 'reflect'"):
        A.shift_consistency(where_brightest, x, max_shift=1, key=key, boundary="reflect")


def test_shift_each_is_cl_shift_image_by_image():
    x = np.asarray(jax.random.normal(jax.random.key(2), (4, 3, 5, 6)))
    which, dy, dx = np.array([0, 3, 3, 1]), np.array([1, -2, 7, 0]), np.array([-1, 2, 0, 13])
    for boundary in ("circular", "zeros"):
        got = A._shift_each(x, which, dy, dx, boundary)
        want = np.stack([np.asarray(cl.shift(x[w], int(a), int(b), boundary=boundary)) for w, a, b in zip(which, dy, dx)])
        np.testing.assert_array_equal(got, want)


def test_shift_equivariance_errors_is_its_formula_and_not_the_grid_measure():
    """The band-limited error: ||F(S x) - S^F F(x)|| / ||F(x) - mean||, with S^F the Fourier shift by shift / stride.

    Oracle with NumPy's FFT; and the contrast with cl.equivariance_error (notebook 03) on the same stride-2 conv.
    """
    x = np.asarray(jax.random.normal(jax.random.key(4), (16, 16)))
    f = lambda v: jnp.tanh(v[..., ::2, ::2]) + 3.0  # noqa: E731  (an offset: the mean-centred norm ignores it)
    got = A.shift_equivariance_errors(f, x, [(1, 3)])[0, 0]
    m0 = np.asarray(f(x), np.float64)
    m1 = np.asarray(f(np.roll(x, (1, 3), axis=(0, 1))), np.float64)
    ky, kx = np.fft.fftfreq(8)[:, None], np.fft.fftfreq(8)[None, :]
    want_map = np.real(np.fft.ifft2(np.fft.fft2(m0) * np.exp(-2j * np.pi * (ky * 0.5 + kx * 1.5))))
    want = np.linalg.norm(m1 - want_map) / np.linalg.norm(m0 - m0.mean())
    assert got == pytest.approx(want, rel=1e-4)
    # Notebook 03's conv: a smooth oriented filter with stride 2, and a 1-pixel shift
    cat = cl.load_image("cat", grey=True, size=128)
    w = cl.oriented_kernel(9, angle=30.0, sigma=2.0)
    conv = lambda v: cl.conv2d(v, w, stride=2, padding="same", boundary="circular")  # noqa: E731
    grid = [cl.equivariance_error(conv, lambda v: cl.shift(v, 0, 1), cat, g_out=lambda v, t=t: cl.shift(v, 0, t)) for t in (0, 1)]
    fourier = A.shift_equivariance_errors(conv, cat, [1])[0, 0]
    assert all(0.3 < g < 0.5 for g in grid)  # no whole-sample shift of the output fits
    assert fourier < 0.02  # the same smooth map moved by half a sample does


def test_local_spectrum_against_a_numpy_loop_and_a_cosine():
    x = np.asarray(jax.random.normal(jax.random.key(9), (2, 20)))
    got = np.asarray(A.local_spectrum(x, window=8))
    assert got.shape == (2, 20, 5)
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(8) / 8)
    for b in range(2):
        centred = x[b] - x[b].mean()
        for t in range(20):
            seg = np.array([centred[(t - 4 + j) % 20] for j in range(8)]) * hann
            want = np.abs([sum(seg[j] * np.exp(-2j * np.pi * k * j / 8) for j in range(8)) for k in range(5)]) / 4
            np.testing.assert_allclose(got[b, t], want, atol=1e-5)
    wave = np.cos(2 * np.pi * np.arange(64) * 3 / 16)  # 3/16 cycle per sample
    a = np.asarray(A.local_spectrum(wave, window=16))
    assert (a.argmax(axis=1) == 3).all()
    np.testing.assert_allclose(a[:, 3], 0.5, atol=1e-5)  # amplitude 1, halved by the Hann window
    with pytest.raises(ValueError, match="`window` must be even and at most the signal's length 20; got 7"):
        A.local_spectrum(x, window=7)
    with pytest.raises(ValueError, match="`window` must be even and at most the signal's length 20; got 22"):
        A.local_spectrum(x, window=22)


def test_a_zone_plate_row_folds_where_the_formula_says():
    """The aliased part of every second sample of the zone plate's middle row sits at 1/2 - f, f = |u| / n."""
    n, window = 128, 32
    _, high = A._split_band(A.zone_plate(n), 2)
    coarse = np.asarray(A.local_spectrum(high[n // 2, ::2], window // 2))  # (64, 9): frequencies k / 32 cycles per pixel
    for u in (40, 44, 48, 52, 56):  # well above the new limit n / 4 = 32, away from the edge
        f_true = u / n
        landed = coarse[(n // 2 + u) // 2].argmax() / window
        assert abs(landed - (0.5 - f_true)) <= 1 / window


def test_folding_figure():
    import matplotlib.pyplot as plt

    fig = cl.widgets.folding_figure(64, factor=2, filter_size=5, window=16)
    try:
        axes = fig.axes
        assert len(axes) == 3
        plain = A.aliased_fraction(A.zone_plate(64), 2, antialias=False)
        blurred = A.aliased_fraction(A.zone_plate(64), 2, filter_size=5)
        assert f"{plain:.0%}" in axes[1].get_title() and f"{blurred:.0%}" in axes[2].get_title()
        assert axes[0].get_ylabel() == "frequency (cycles per pixel)"
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="`filter_size` must be at least 2"):
        cl.widgets.folding_figure(filter_size=1)
    with pytest.raises(ValueError, match="`n` and `window` must be multiples of 2 \\* factor = 4"):
        cl.widgets.folding_figure(64, window=30)


# --------------------------------------------------------------------- error messages


def test_error_messages():
    x = jnp.zeros((8, 8))
    with pytest.raises(ValueError, match=r"`filter_size` must be between 1 and 7 \(a row of Pascal's triangle\); got 9"):
        A.blur_pool2d(x, filter_size=9)
    with pytest.raises(ValueError, match=r"`x` must have shape \(H, W\) or \(N, C, H, W\); got \(8,\)"):
        A.blur_pool2d(x[0])
    with pytest.raises(ValueError, match=r"`x` must have shape \(L,\) or \(N, C, L\)"):
        A.blur_pool1d(x)
    with pytest.raises(ValueError, match="`boundary` must be one of 'reflect', 'circular', 'zeros', 'replicate'; got 'wrap'"):
        A.blur_pool2d(x, boundary="wrap")
    with pytest.raises(ValueError, match="`stride` must be >= 1; got 0"):
        A.blur_pool2d(x, stride=0)
    with pytest.raises(ValueError, match="`boundary='reflect'` needs the input to be longer than the padding"):
        A.blur_pool2d(jnp.zeros((3, 3)), filter_size=7)
    with pytest.raises(ValueError, match=r"`size` must be at most the input's side; got size 4"):
        A.max_blur_pool2d(jnp.zeros((3, 3)), 4)
    with pytest.raises(TypeError, match="`x` must be a real numeric array; got dtype bool"):
        A.downsample(np.zeros((4, 4), bool), 2)
    with pytest.raises(ValueError, match=r"`x` must have shape \(\.\.\., H, W\)"):
        A.spectrum(jnp.zeros(4))


# --------------------------------------------------------------------- bad input (issue 18, part 3)


def test_downsample_by_one_is_the_image_itself():
    x = jax.random.uniform(jax.random.key(11), (2, 3, 9, 7))
    for antialias in (True, False):
        np.testing.assert_array_equal(A.downsample(x, 1, antialias=antialias), x)  # was blurred by [1/2, 1/2]: off by 0.6
    np.testing.assert_array_equal(A.downsample(x[0, 0], 1), x[0, 0])
    np.testing.assert_allclose(A.downsample(x, 1, filter_size=3), A.blur_pool2d(x, filter_size=3, stride=1), atol=1e-6)


def _binomial_pmf(taps):
    from scipy import stats

    return stats.binom.pmf(np.arange(taps), taps - 1, 0.5)


@pytest.mark.parametrize("factor", [32, 33, 64])
def test_downsample_by_a_large_factor_blurs_with_factor_squared_plus_one_taps(factor):
    """A 64x64 image by 32 gave all zeros, by 33 an OverflowError (the filter was divided by an overflowing sum)."""
    x = np.asarray(jax.random.uniform(jax.random.key(12), (64, 64)), np.float64)
    taps = factor * factor + 1
    b = _binomial_pmf(taps)
    np.testing.assert_allclose(np.asarray(A._pascal(taps)), b, rtol=1e-9, atol=1e-300)
    lo, hi = (taps - 1) // 2, taps // 2
    pad = np.pad(x, ((lo, hi), (lo, hi)), mode="edge")  # the filter is longer than the image: replicate
    rows = np.stack([b @ pad[i : i + taps, :] for i in range(0, 64, factor)])
    want = np.stack([rows[:, j : j + taps] @ b for j in range(0, 64, factor)], axis=1)
    np.testing.assert_allclose(A.downsample(x.astype(np.float32), factor), want, atol=1e-5)
    np.testing.assert_allclose(A.downsample(np.full((64, 64), 0.7, np.float32), factor), 0.7, atol=1e-5)


def test_downsample_refuses_a_factor_beyond_the_image_and_checks_every_option():
    x = jnp.zeros((64, 64))
    for factor in (65, 10**4, 10**400):  # 10**4 used to hang building a 10**8-tap filter
        with pytest.raises(ValueError, match="`factor` must be at most the input's longest side 64"):
            A.downsample(x, factor)
    with pytest.raises(ValueError, match="`factor` must be at most"):
        A.aliased_fraction(x, 65)
    with pytest.raises(TypeError, match="`filter_size` must be an integer; got 'abc'"):
        A.downsample(x, 2, antialias=False, filter_size="abc")  # was ignored
    with pytest.raises(TypeError, match="`antialias` must be True or False; got 'no'"):
        A.downsample(x, 2, antialias="no")
    with pytest.raises(TypeError, match="`antialias` must be True or False; got 'no'"):
        A.aliased_fraction(x, 2, antialias="no")
    assert A.downsample(jnp.zeros((4, 100)), 10).shape == (1, 10)  # longer than one side, not the other: fine
    with pytest.raises(ValueError, match="above 64 pass `filter_size`"):
        A.downsample(jnp.zeros((4, 100)), 65)
    assert A.downsample(jnp.zeros((4, 100)), 65, filter_size=3).shape == (1, 2)
    with pytest.raises(ValueError, match="`stride` must be at most the input's longest side 8"):
        A.blur_pool2d(jnp.zeros((8, 8)), stride=9)


def test_nan_and_empty_inputs_are_refused_not_measured_as_zero():
    x = np.ones((16, 16), np.float32)
    x[3, 4] = np.nan
    with pytest.raises(ValueError, match="`x` must be finite; it contains NaN"):
        A.aliased_fraction(x, 2)  # was 0.0
    with pytest.raises(ValueError, match="`x` must be finite; it contains NaN"):
        A.shift_equivariance_errors(lambda v: v[::2, ::2], x, [1])  # was [[0.]]
    with pytest.raises(ValueError, match="`images` must be finite; it contains NaN"):
        A.shift_consistency(lambda b: np.zeros(len(b)), x[None], max_shift=1, key=jax.random.key(0))
    for fn in (A.blur_pool2d, A.max_blur_pool2d, A.spectrum):
        with pytest.raises(ValueError, match="`x` must be finite; it contains NaN"):
            fn(x)
    with pytest.raises(ValueError, match=r"`x` must not be empty; got shape \(4, 0\)"):
        A.spectrum(np.zeros((4, 0)))
    assert A.aliased_fraction(np.indices((8, 8)).sum(0) % 2.0, 1) == 0.0  # factor 1 folds nothing (the Nyquist part included)


@pytest.mark.parametrize("output, error, words", [
    (None, TypeError, "map 0 is None"),
    ("abc", TypeError, "map 0 is 'abc'"),
    (1.0, ValueError, r"map 0 has shape \(\)"),
    (np.full((8, 8), np.nan), ValueError, "NaN or inf in map 0"),
    (np.ones((8, 8)), ValueError, "a constant map"),
    ([], ValueError, "empty sequence"),
])
def test_shift_equivariance_errors_refuses_what_features_returns_wrongly(output, error, words):
    """None and text used to end in raw JAX errors, a scalar in an IndexError, NaN and a constant map in 0."""
    with pytest.raises(error, match=f"`features`.*{words}"):
        A.shift_equivariance_errors(lambda v: output, jnp.ones((16, 16)).at[0].set(0), [1])


def test_shift_equivariance_errors_refuses_bad_shifts_and_changing_shapes():
    x = jax.random.uniform(jax.random.key(13), (16, 16))
    with pytest.raises(TypeError, match="`shifts` must be a sequence of ints or \\(dy, dx\\) pairs; got 3"):
        A.shift_equivariance_errors(lambda v: v, x, 3)  # was "'int' object is not iterable"
    with pytest.raises(ValueError, match="`shifts` must be at most the image's size"):
        A.shift_equivariance_errors(lambda v: v, x, [10**400])
    calls = []

    def changes(v):
        calls.append(1)
        return v[::2, ::2] if len(calls) == 1 else v[::4, ::4]

    with pytest.raises(ValueError, match="`features` must return maps of the same shapes"):
        A.shift_equivariance_errors(changes, x, [1])
    np.testing.assert_allclose(A.shift_equivariance_errors(lambda v: v, x, np.array([0, 16])), 0, atol=1e-5)


def test_shift_consistency_refuses_what_predict_returns_wrongly():
    x = jax.random.uniform(jax.random.key(14), (4, 8, 8))
    key = jax.random.key(0)
    with pytest.raises(ValueError, match="`predict` returned NaN or inf"):
        A.shift_consistency(lambda b: np.full((len(b), 3), np.nan), x, max_shift=1, key=key)  # argmax of NaN: class 0
    with pytest.raises(TypeError, match="`predict` must return logits"):
        A.shift_consistency(lambda b: None, x, max_shift=1, key=key)
    with pytest.raises(ValueError, match="`max_shift` must be <= 8"):
        A.shift_consistency(lambda b: np.zeros(len(b)), x, max_shift=10**400, key=key)
    with pytest.raises(ValueError, match="`n_pairs` is too large"):
        A.shift_consistency(lambda b: np.zeros(len(b)), x, max_shift=1, n_pairs=10**9, key=key)


def test_sizes_that_need_gigabytes_are_refused_up_front():
    for fn, name in ((A.zone_plate, "n"), (A.stripes, "n"), (A.toy_signal, "length")):
        args = (10**6, 0.1) if fn is A.stripes else (10**6,) if fn is A.zone_plate else (10**9,)
        with pytest.raises(ValueError, match=f"`{name}` is too large"):
            fn(*args)


# --------------------------------------------------------------------- the digits CNN


def test_digits_cnn_variants_share_their_compiled_apply_and_shapes(key):
    nets = cl.nets
    models = {(d, k): nets.digits_cnn(d, k, in_shape=(12, 12), channels=(2, 3, 4)) for d in nets.DOWNSAMPLINGS for k in (1, 3)}
    assert models["max", 3].apply is models["maxblur", 5 - 2].apply is models["max", 1].apply
    assert models["strided", 1].apply is models["strided_blur", 3].apply
    assert models["maxblur", 3].name == "MaxBlurPool-3" and models["strided_blur", 3].name == "strided conv + Blur-3"
    x = jax.random.uniform(key, (3, 12, 12))
    params = models["max", 1].init(key)
    maps = models["max", 1].apply(params, x, return_features=True)
    assert [m.shape for m in maps] == [(3, 2, 6, 6), (3, 3, 3, 3)]
    # 'max' is max_pool2d(2); 'maxblur' with 1 tap is the same network
    first = jax.nn.relu(cl.conv2d(x[:, None], params["convs"][0]["w"], padding="same") + params["convs"][0]["b"][:, None, None])
    np.testing.assert_allclose(maps[0], cl.max_pool2d(first, 2), atol=1e-6)
    np.testing.assert_array_equal(models["maxblur", 1].init(key)["blur"], params["blur"])
    # 'maxblur' k: max with stride 1, then blur_pool2d
    p3 = models["maxblur", 3].init(key)
    got = models["maxblur", 3].apply(p3, x, return_features=True)[0]
    want = A.blur_pool2d(cl.max_pool2d(first, 2, stride=1, padding=((0, 1), (0, 1))), filter_size=3)
    np.testing.assert_allclose(got, want, atol=1e-6)
    # 'strided': the stride-1 conv, every second sample
    ps = models["strided", 1].init(key)
    got = models["strided", 1].apply(ps, x, return_features=True)[0]
    np.testing.assert_allclose(got, first[:, :, ::2, ::2], atol=1e-6)
    assert models["strided", 1].apply(ps, x).shape == (3, 10)


def test_digits_cnn_trains_and_keeps_its_blur_fixed(key):
    nets = cl.nets
    model = nets.digits_cnn("maxblur", 3, in_shape=(8, 8), channels=(2, 3), n_classes=2)
    x = jax.random.uniform(key, (16, 8, 8))
    y = (x[:, :, :4].sum(axis=(1, 2)) > x[:, :, 4:].sum(axis=(1, 2))).astype(jnp.int32)
    params = model.init(key)
    trained, losses = nets.train(model, params, (x, y), key=key, epochs=3, batch_size=8, progress=False)
    np.testing.assert_array_equal(trained["blur"], params["blur"])
    assert not np.allclose(trained["convs"][0]["w"], params["convs"][0]["w"])
    assert losses.shape == (3,)


def test_digits_cnn_errors():
    nets = cl.nets
    with pytest.raises(ValueError, match="`downsampling` must be one of 'max', 'maxblur', 'strided', 'strided_blur'; got 'avg'"):
        nets.digits_cnn("avg")
    with pytest.raises(ValueError, match="`filter_size` must be between 1 and 7"):
        nets.digits_cnn("maxblur", 8)
    with pytest.raises(ValueError, match="`channels` must list at least 2 conv layers"):
        nets.digits_cnn(channels=(4,))
    with pytest.raises(ValueError, match="too small for 2 factor-2 downsamplings"):
        nets.digits_cnn(in_shape=(6, 6))


# --------------------------------------------------------------------- widgets


def test_zone_plate_widget_compiles_nothing_after_the_first_tick():
    from cnnlib.widgets import aliasing as W

    state = W._ZonePlateState(A.zone_plate(64))
    state.update(stride=2, filter_size=1)
    before = W._zone_frame._cache_size()
    for s in range(1, W.MAX_STRIDE + 1):
        for k in range(1, 8):
            text = state.update(stride=s, filter_size=k)
    assert W._zone_frame._cache_size() == before
    assert text == "stride 4, blur 7 taps: " + f"{A.aliased_fraction(A.zone_plate(64), 4, filter_size=7):.0%}" + " of the subsampled image's energy is aliased"


@pytest.mark.parametrize("stride, size", [(2, 1), (2, 5), (3, 3)])
def test_zone_plate_widget_readout_is_aliased_fraction_and_image_is_the_subsampled_one(stride, size):
    from cnnlib.widgets import aliasing as W

    z = A.zone_plate(48)
    held, spec, fraction = W._zone_frame(z, jnp.asarray(A._padded_filter(size)), jnp.int32(stride))
    assert float(fraction) == pytest.approx(A.aliased_fraction(z, stride, filter_size=size), abs=1e-4)
    small = A.blur_pool2d(z, filter_size=size, stride=stride)
    np.testing.assert_allclose(np.asarray(held)[::stride, ::stride], small, atol=1e-5)
    band = np.isfinite(np.asarray(spec))
    assert band.sum(axis=1).max() in (48 // stride, 48 // stride + 1)  # one period of the small image's spectrum


def test_toy_widget_compiles_nothing_after_the_first_tick_and_reads_out_the_lecture_numbers():
    from cnnlib.widgets import aliasing as W

    state = W._ToyState()
    assert state.update(shift=1, filter_size=3) == (
        "shift 1: an output value changes by up to 1.00 with max pooling, 0.25 with MaxBlurPool (3 taps)"
    )
    before = W._toy_frame._cache_size()
    for d in range(8):
        for k in range(1, 8):
            text = state.update(shift=d, filter_size=k)
            if d % 2 == 0:
                assert text.startswith(f"shift {d}: an output value changes by up to 0.00 with max pooling, 0.00")
    assert W._toy_frame._cache_size() == before


def test_widget_builders_and_figures():
    pytest.importorskip("ipywidgets")
    box = cl.widgets.zone_plate_explorer()
    assert set(box.controls) == {"stride", "filter_size"}
    box.controls["filter_size"].value = 5  # a tick through the real wiring
    assert "blur 5 taps" in box.readout.value and box.image.value[:4] == b"\x89PNG"
    box = cl.widgets.toy_shift_explorer()
    box.controls["shift"].value = 2
    assert "shift 2" in box.readout.value
    fig, text = cl.widgets.toy_shift_figure(shift=1, filter_size=1)
    assert "1.00 with MaxBlurPool (1 taps)" in text and len(fig.axes) == 3
    fig, text = cl.widgets.zone_plate_figure(stride=2, filter_size=5)
    assert text == "stride 2, blur 5 taps: 4% of the subsampled image's energy is aliased"
    with pytest.raises(ValueError, match="`signal` must have an even length from 4 to 64; got 5"):
        cl.widgets.toy_shift_figure(jnp.zeros(5))
    with pytest.raises(ValueError, match="`stride` must be <= 4; got 5"):
        cl.widgets.zone_plate_figure(stride=5)


def test_widgets_refuse_non_finite_inputs_and_bad_slider_values():
    from cnnlib.widgets import aliasing as W

    img = np.ones((32, 32), np.float32)
    img[0, 0] = np.nan
    with pytest.raises(ValueError, match="`img` must be finite"):
        W._ZonePlateState(img)
    with pytest.raises(ValueError, match="`signal` must be finite"):
        W._ToyState(np.full(8, np.inf))
    with pytest.raises(TypeError, match="`filter_size` must be an integer"):
        W._ToyState().update(shift=1, filter_size=2.0)
    with pytest.raises(TypeError, match="`filter_size` must be an integer"):
        cl.widgets.zone_plate_figure(filter_size=True)
    with pytest.raises(ValueError, match="`shift` must be <= 15"):
        cl.widgets.toy_shift_figure(shift=10**400)


# --------------------------------------------------------------------- exercises


def _said(capsys):
    return capsys.readouterr().out


def test_checkers_tick_the_right_answers_and_never_raise(capsys):
    ex = cl.exercises
    assert ex.check_binomial_5([1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16]) and _said(capsys).startswith("\u2713 Correct.")
    assert ex.check_folded_frequency(0.25) and ex.check_blur_pool_by_hand([0.25, 0.75, 0.25, 0.75])
    assert ex.check_smallest_filter(5)
    capsys.readouterr()
    for checker in (ex.check_binomial_5, ex.check_folded_frequency, ex.check_blur_pool_by_hand, ex.check_smallest_filter):
        for wrong in (None, "abc", [1, 2], 0.3):
            assert checker(wrong) == False
            assert _said(capsys).startswith("\u2717 Not yet.")


def test_checkers_give_specific_hints(capsys):
    ex = cl.exercises
    ex.check_binomial_5([1, 4, 6, 4, 1])
    assert "divide by its sum, 16" in _said(capsys)
    ex.check_folded_frequency(0.75)
    assert "cannot show more than 0.5" in _said(capsys)
    ex.check_blur_pool_by_hand([0, 1, 0, 1])
    assert "That is plain subsampling" in _said(capsys)
    ex.check_blur_pool_by_hand([0.25, 0.5, 0.75, 0.75, 0.25, 0.5, 0.75, 0.75])
    assert "before subsampling" in _said(capsys)
    ex.check_smallest_filter(7)
    assert "find the smallest" in _said(capsys)


# --------------------------------------------------------------------- notebook 05 gives no answer away


def test_notebook_05_shows_no_exercise_answer_before_its_exercise():
    """Issue 19: no cell before an exercise may print, assert or state its answer (the old 'by hand' paragraph did)."""
    import pathlib
    import re

    from notebook_text import text_before

    path = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "05_aliasing.ipynb"

    def before(title):
        return text_before(path, title)

    assert "0.375" not in before("Exercise 1")  # stripes at 0.375 cycle per pixel, subsampled by 2
    earlier = before("Exercise 2")  # blur_pool1d([0, 0, 1, 1, 0, 0, 1, 1], b_3, stride 2) = [0.25, 0.75, 0.25, 0.75]
    assert not re.search(r"0\.25,\s*0\.75,\s*0\.25", earlier) and "exercise 2" not in earlier.lower()
    assert not re.search(r"1,\s*4,\s*6,\s*4,\s*1", before("Exercise 3"))  # b_5 = [1, 4, 6, 4, 1] / 16
    earlier = before("Exercise 4")  # the smallest filter with less than 5 % aliased: 5 taps (4 %)
    assert not re.search(r"\b5 taps?\b[^\n]*%", earlier) and not re.search(r"filter_size=5\)?\s*<", earlier)
