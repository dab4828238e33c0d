"""Outside review of pool, transforms, equivariance and dimensionality: regressions and oracle probes.

Each test in the first part failed before the fix it guards; the second part holds probes
against independent oracles (NumPy loops, jax.lax.reduce_window, SciPy) that passed already.
"""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import ndimage
from scipy.special import gammaln

import cnnlib as cl

# --- regressions -------------------------------------------------------------------------------


def test_lp_pool_large_p_does_not_overflow():
    # |x|^p overflowed float32: p = 50 on a window of 10s gave inf instead of 10 * 4^(1/50).
    x = np.full((2, 2), 10.0)
    np.testing.assert_allclose(cl.lp_pool2d(x, 2, p=50), [[10.0 * 4 ** (1 / 50)]], rtol=1e-6)
    # p -> inf tends to max pooling of |x| (the docstring's claim), also on pixel values 0..255.
    img = np.random.default_rng(0).integers(0, 256, (8, 8)).astype(np.float32)
    y = cl.lp_pool2d(img, 2, p=200)
    assert np.isfinite(np.asarray(y)).all()
    np.testing.assert_allclose(y, cl.max_pool2d(img, 2), rtol=0.01)
    np.testing.assert_allclose(cl.lp_pool1d([-300.0, 400.0], 2, p=30), [400.0 * (1 + 0.75**30) ** (1 / 30)], rtol=1e-6)


def test_lp_pool_gradient_is_finite_on_an_all_zero_window():
    # sqrt(sum x^2) at 0 had an infinite derivative: NaN gradients after a ReLU (all-zero windows).
    x = jnp.array([[0.0, 0.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]])
    g = jax.grad(lambda z: cl.lp_pool2d(z, 2).sum())(x)
    assert np.isfinite(np.asarray(g)).all()
    np.testing.assert_allclose(g[:, 2:], [[0.6, 0.8], [0.0, 0.0]], atol=1e-6)  # x / ||x|| where it is defined
    assert float(jnp.linalg.norm(g[:, :2])) <= 1.0 + 1e-6  # a subgradient of the norm at 0


def test_weighted_pool_tiny_sigma_is_not_nan():
    # All Gaussian weights underflowed to 0 for an even window and a small sigma: 0 / 0 = NaN.
    x = np.arange(16.0).reshape(4, 4)
    np.testing.assert_allclose(cl.weighted_pool2d(x, 2, sigma=1e-3), cl.avg_pool2d(x, 2), rtol=1e-6)
    np.testing.assert_allclose(cl.weighted_pool2d(x, 3, sigma=1e-3, stride=1), x[1:-1, 1:-1], rtol=1e-6)
    y = cl.weighted_pool2d(x, 2, sigma=0.01, stride=1, padding="same")
    np.testing.assert_allclose(y, cl.avg_pool2d(x, 2, stride=1, padding="same"), rtol=1e-6)


def test_numpy_integer_padding_is_accepted():
    x = np.arange(16.0).reshape(4, 4)
    np.testing.assert_array_equal(cl.max_pool2d(x, 3, padding=np.int64(1)), cl.max_pool2d(x, 3, padding=1))
    np.testing.assert_array_equal(cl.max_pool1d(np.arange(5.0), 3, padding=np.int32(1)), [1.0, 4.0])


def test_shift_by_a_huge_integer_is_not_an_overflow():
    x = np.arange(12.0).reshape(3, 4)
    big = 2**40 + 1
    np.testing.assert_array_equal(cl.shift(x, big, 0), np.roll(x, big % 3, axis=0))
    np.testing.assert_array_equal(cl.shift(x, 0, -big), np.roll(x, -big, axis=1))
    np.testing.assert_array_equal(cl.shift(x, big, 0, boundary="zeros"), np.zeros_like(x))
    np.testing.assert_array_equal(cl.shift(x, 0, -big, boundary="zeros"), np.zeros_like(x))


def test_rotate_by_a_large_angle_keeps_its_precision():
    x = np.arange(16.0).reshape(4, 4)
    np.testing.assert_allclose(cl.rotate(x, 360.0 * 10**6 + 90), np.rot90(x), atol=1e-5)


def test_equivariance_error_refuses_to_broadcast_mismatched_outputs():
    # f(g(x)) of shape (1, 2) minus g(f(x)) of shape (3, 1) broadcast silently to 0.0.
    x = jnp.ones((2, 3))
    with pytest.raises(ValueError, match=r"`f\(g\(x\)\)` and `g_out\(f\(x\)\)` must have the same shape.*\(1, 2\) and \(3, 1\)"):
        cl.equivariance_error(lambda z: z[:1], cl.rotate90, x)
    with pytest.raises(ValueError, match=r"`f\(g\(x\)\)` and `f\(x\)` must have the same shape"):
        cl.invariance_error(lambda z: z[:1], cl.rotate90, x)
    # a scalar output stays fine
    assert cl.invariance_error(jnp.max, lambda z: cl.shift(z, 0, 1), x) == 0.0


def test_equivariance_curve_names_a_bad_params():
    with pytest.raises(TypeError, match=r"`params` must be a sequence"):
        cl.equivariance_curve(jnp.sum, cl.rotate, 3, jnp.ones((5, 5)), invariant=True)
    out = cl.equivariance_curve(jnp.sum, cl.rotate, (a for a in (0, 90)), jnp.ones((5, 5)), invariant=True)
    np.testing.assert_allclose(out, [0.0, 0.0], atol=1e-6)


def test_rind_fraction_at_alpha_one_is_plus_zero():
    r = cl.rind_fraction(1.0, 3)
    assert float(r) == 0.0 and math.copysign(1.0, float(r)) == 1.0  # printed "0.0", not "-0.0"


@pytest.mark.parametrize(
    "call",
    [
        lambda k: cl.ball_volume_fraction_mc(np.array([], int), k),
        lambda k: cl.half_length_mc(np.array([], int), k),
        lambda k: cl.rind_fraction_mc(0.5, np.array([], int), k),
        lambda k: cl.distance_contrast(np.array([], int), 10, k),
    ],
)
def test_monte_carlo_refuses_an_empty_dimension_list(call):
    with pytest.raises(ValueError, match=r"must hold at least one value; got an empty array"):
        call(jax.random.key(0))


# --- oracle probes -----------------------------------------------------------------------------


def _lp_loop(x, k, s, p):
    h, w = x.shape
    out = np.zeros(((h - k) // s + 1, (w - k) // s + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (np.abs(x[i * s : i * s + k, j * s : j * s + k]) ** p).sum() ** (1 / p)
    return out


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 7.0])
def test_lp_pool_matches_a_loop_with_batches_and_padding(p):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 7, 6)).astype(np.float32)
    for k, s, pad in [(2, 2, 0), (3, 1, 1), (3, 4, 0), (2, 1, ((1, 0), (0, 1)))]:
        got = np.asarray(cl.lp_pool2d(x, k, p=p, stride=s, padding=pad))
        pads = ((pad, pad), (pad, pad)) if isinstance(pad, int) else pad
        want = np.stack([[_lp_loop(np.pad(x[n, c], pads), k, s, p) for c in range(3)] for n in range(2)])
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)
    # the L2 pool is the square root of the sum of squares (not of the mean), as documented
    np.testing.assert_allclose(cl.lp_pool2d(x, 2), np.sqrt(np.asarray(cl.avg_pool2d(x**2, 2)) * 4), rtol=1e-5)
    # jit of a user's function gives the same
    np.testing.assert_allclose(jax.jit(lambda z: cl.lp_pool2d(z, 3, p=p, stride=2))(x), cl.lp_pool2d(x, 3, p=p, stride=2), rtol=1e-6)


def test_pools_match_reduce_window_with_stride_larger_than_size():
    rng = np.random.default_rng(4)
    x = jnp.asarray(rng.normal(size=(2, 2, 11, 9)), jnp.float32)
    for k, s, pad in [((2, 3), (4, 5), "valid"), ((1, 1), (3, 2), "same"), ((3, 2), (5, 4), "same"), ((11, 9), None, "valid")]:
        got = cl.max_pool2d(x, k, stride=s, padding=pad)
        want = jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1) + k, (1, 1) + (s or k), pad.upper())
        np.testing.assert_array_equal(got, want)
    assert cl.global_max_pool(x).shape == (2, 2)
    np.testing.assert_allclose(cl.global_avg_pool(x), x.mean(axis=(2, 3)), rtol=1e-6)
    np.testing.assert_allclose(cl.avg_pool2d(x, (11, 9))[..., 0, 0], cl.global_avg_pool(x), rtol=1e-6)


def test_rotate_matches_scipy_grid_constant_on_non_square_images():
    # JAX's constant mode reads 0 beyond the border and interpolates across it, like SciPy's 'grid-constant'.
    rng = np.random.default_rng(5)
    for shape in [(15, 24), (20, 9), (21, 21)]:
        x = rng.normal(size=shape).astype(np.float32)
        for angle in (-47.0, 33.3, 90.0, 200.0):
            want = ndimage.rotate(x.astype(float), angle, reshape=False, order=1, mode="grid-constant", cval=0.0)
            np.testing.assert_allclose(cl.rotate(x, angle), want, atol=1e-4)


def test_rescale_matches_scipy_affine_about_the_centre():
    rng = np.random.default_rng(6)
    for shape in [(16, 16), (15, 20)]:
        x = rng.normal(size=shape)
        c = (np.array(shape) - 1) / 2
        for s in (0.5, 0.8, 1.3, 3.7):
            want = ndimage.affine_transform(x, np.eye(2) / s, offset=c - c / s, order=1, mode="grid-constant", cval=0.0)
            np.testing.assert_allclose(cl.rescale(x, s), want, atol=1e-4)


def test_p4_layers_match_a_correlation_loop():
    from scipy.signal import correlate2d

    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3, 7, 7)).astype(np.float32)
    w = rng.normal(size=(2, 3, 3, 3)).astype(np.float32)
    y = np.asarray(cl.p4_lifting_conv(x, w, padding="valid"))
    want = np.array([[[sum(correlate2d(x[n, c], np.rot90(w[o, c], r), "valid") for c in range(3)) for r in range(4)] for o in range(2)] for n in range(2)])
    np.testing.assert_allclose(y, want, atol=1e-4)
    w2 = rng.normal(size=(2, 2, 4, 3, 3)).astype(np.float32)
    z = np.asarray(cl.p4_group_conv(y, w2, padding="valid"))
    want = np.array([[[sum(correlate2d(y[n, c, s], np.rot90(w2[o, c, (s - r) % 4], r), "valid") for c in range(2) for s in range(4)) for r in range(4)] for o in range(2)] for n in range(2)])
    np.testing.assert_allclose(z, want, atol=1e-3, rtol=1e-4)


def test_dimensionality_closed_forms_against_scipy_and_high_d():
    d = np.array([1, 2, 3, 8, 20, 10**4, 10**6])
    log_ref = (d / 2) * np.log(np.pi) - gammaln(d / 2 + 1) - d * np.log(2)
    got = np.asarray(cl.ball_volume_fraction(d, log10=True), float)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, log_ref / np.log(10), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(cl.ball_volume_fraction(np.array([2, 3])), [np.pi / 4, np.pi / 6], rtol=1e-6)
    assert round(1 - float(cl.ball_volume_fraction(8)), 3) == 0.984
    assert np.isfinite(np.asarray(cl.half_length(np.array([10**4, 10**6])))).all()
    assert float(cl.log10_samples_needed(0.1, 36_000_000)) == 36e6


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: cl.max_pool1d(np.arange(5.0), 8, padding=1), r"`size` 8 is larger than the padded signal \(5 \+ 1 \+ 1 = 7 samples\)"),
        (lambda: cl.avg_pool1d(np.arange(5.0), 3, padding=3), r"`padding` \(3, 3\) must be smaller than the window `size` 3"),
        (lambda: cl.max_pool1d(np.arange(5.0), 3, padding=-1), r"`padding` must be 'valid', 'same', an int >= 0 or \(left, right\); got -1\."),
        (lambda: cl.max_pool1d(np.arange(5.0), 3, padding=(1, 1.5)), r"`padding` must be .* \(left, right\); got \(1, 1\.5\)\."),
    ],
)
def test_one_d_errors_speak_in_one_d_terms(call, message):
    # They used to describe the internal 2-D image: "`size` (1, 7) is larger than the padded input (1, 5) ...".
    with pytest.raises(ValueError, match=message):
        call()


def test_one_d_valid_window_larger_than_signal():
    with pytest.raises(ValueError, match=r"`size` 7 is larger than the signal \(5 samples\)"):
        cl.lp_pool1d(np.zeros((2, 3, 5)), 7)
