"""Transforms: SciPy and NumPy as oracles, exact identities, no recompilation, error messages."""
import jax
import numpy as np
import pytest
import scipy.ndimage as ndi

import cnnlib as cl
from cnnlib import transforms as T


@pytest.fixture
def img():
    return np.random.default_rng(0).random((2, 3, 9, 9)).astype(np.float32)


@pytest.mark.parametrize("dy, dx", [(0, 0), (1, 0), (0, 1), (-2, 3), (11, -13)])
def test_shift_matches_numpy(dy, dx, img):
    np.testing.assert_array_equal(cl.shift(img, dy, dx), np.roll(img, (dy, dx), axis=(-2, -1)))
    want = ndi.shift(img, (0, 0, dy, dx), order=0, mode="constant", cval=0.0)
    np.testing.assert_array_equal(cl.shift(img, dy, dx, boundary="zeros"), want)


def test_shift_moves_content_right_and_down():
    x = np.zeros((3, 3))
    x[0, 0] = 1
    assert np.argwhere(np.asarray(cl.shift(x, 1, 2))).tolist() == [[1, 2]]  # I'(x, y) = I(x - 1, y)


def test_four_quarter_turns_are_the_identity(img):
    np.testing.assert_array_equal(cl.rotate90(cl.rotate90(cl.rotate90(cl.rotate90(img)))), img)
    np.testing.assert_array_equal(cl.rotate90(img, 4), img)
    np.testing.assert_array_equal(cl.rotate90(img, -1), cl.rotate90(img, 3))
    np.testing.assert_array_equal(cl.rotate90(img[0, 0]), np.rot90(img[0, 0]))
    assert cl.rotate90(np.zeros((2, 5)), 1).shape == (5, 2)


@pytest.mark.parametrize("n", [7, 8])
def test_rotate_by_multiples_of_90_is_exact(n):
    x = np.random.default_rng(n).random((n, n)).astype(np.float32)
    for k in range(-4, 5):
        np.testing.assert_array_equal(cl.rotate(x, 90 * k), cl.rotate90(x, k))
        np.testing.assert_array_equal(cl.rotate(x, 90 * k, order=0), cl.rotate90(x, k))


@pytest.mark.parametrize("angle", [13.0, -40.0, 75.5, 200.0])
def test_rotate_matches_scipy(angle):
    x = np.random.default_rng(1).random((11, 14))
    want = ndi.rotate(x, angle, reshape=False, order=1, mode="grid-constant", cval=0.0)
    np.testing.assert_allclose(cl.rotate(x, angle), want, atol=1e-5)


def test_rotate_nearest_keeps_values(img):
    y = np.asarray(cl.rotate(img[0, 0], 33.0, order=0))
    assert set(np.unique(y)) <= set(np.unique(img[0, 0])) | {0.0}


def test_rescale_matches_scipy_zoom_about_centre():
    x = np.random.default_rng(2).random((10, 12))
    for s in (0.5, 1.0, 1.7):
        c = (np.array(x.shape) - 1) / 2
        want = ndi.affine_transform(x, np.diag([1 / s, 1 / s]), offset=c - c / s, order=1, mode="grid-constant")
        np.testing.assert_allclose(cl.rescale(x, s), want, atol=1e-5)
    np.testing.assert_allclose(cl.rescale(x, 1.0), x, atol=1e-6)


def test_warp_identities(img):
    zero = np.zeros((2, 9, 9), np.float32)
    np.testing.assert_array_equal(cl.warp(img, zero), img)
    for dy, dx in [(1, 0), (0, -2), (3, 2)]:
        flow = np.stack([np.full((9, 9), dy), np.full((9, 9), dx)]).astype(np.float32)
        np.testing.assert_allclose(cl.warp(img, flow), cl.shift(img, dy, dx, boundary="zeros"), atol=1e-6)
    half = np.stack([np.zeros((9, 9)), np.full((9, 9), 0.5)]).astype(np.float32)
    x = img[0, 0]
    np.testing.assert_allclose(cl.warp(x, half)[:, 1:], (x[:, 1:] + x[:, :-1]) / 2, atol=1e-6)  # bilinear


def test_smooth_flow_amplitude_and_smoothness(key):
    for amp in (0.0, 1.0, 4.0):
        tau = np.asarray(cl.smooth_flow(key, (32, 24), amp, 3.0))
        assert tau.shape == (2, 32, 24)
        np.testing.assert_allclose(np.hypot(tau[0], tau[1]).max(), amp, rtol=1e-5)
    rough = cl.flow_gradient_norm(cl.smooth_flow(key, (32, 32), 2.0, 1.0))
    gentle = cl.flow_gradient_norm(cl.smooth_flow(key, (32, 32), 2.0, 6.0))
    assert gentle < rough
    assert cl.flow_gradient_norm(np.ones((2, 5, 5))) == 0.0
    ramp = np.stack([np.tile(np.arange(6.0), (6, 1)), np.zeros((6, 6))])  # d tau_y / d col = 1
    assert cl.flow_gradient_norm(ramp) == pytest.approx(1.0)


def test_sliders_never_recompile():
    x = np.random.default_rng(3).random((16, 16)).astype(np.float32)
    flow = np.asarray(cl.smooth_flow(jax.random.key(1), (16, 16), 1.0, 3.0))
    cl.shift(x, 1, 1)
    cl.rotate(x, 1.0)
    cl.rescale(x, 1.1)
    cl.warp(x, flow)
    before = [f._cache_size() for f in (T._shift, T._rotate, T._rescale, T._warp)]
    for v in range(1, 6):
        cl.shift(x, v, -v)
        cl.rotate(x, 17.0 * v)
        cl.rescale(x, 0.5 + 0.2 * v)
        cl.warp(x, flow * v)
    after = [f._cache_size() for f in (T._shift, T._rotate, T._rescale, T._warp)]
    assert after == before


@pytest.mark.parametrize(
    "call, kind, message",
    [
        (lambda: cl.shift(np.zeros(4), 1, 1), ValueError, r"`x` must have shape \(H, W\) or \(\.\.\., H, W\); got \(4,\)"),
        (lambda: cl.shift(np.zeros((4, 4)), 0.5, 1), TypeError, "`dy` must be an integer; got 0.5"),
        (lambda: cl.shift(np.zeros((4, 4)), 1, 1, boundary="reflect"), ValueError, "`boundary` must be one of 'circular', 'zeros'"),
        (lambda: cl.rotate(np.zeros((4, 4)), "90"), TypeError, "`angle` must be a real number"),
        (lambda: cl.rotate(np.zeros((4, 4)), 10, order=3), ValueError, r"`order` must be 0 \(nearest\) or 1 \(bilinear\); got 3"),
        (lambda: cl.rescale(np.zeros((4, 4)), 0), ValueError, "`factor` must be >= 1e-06; got 0.0"),
        (lambda: cl.warp(np.zeros((4, 4)), np.zeros((2, 4, 5))), ValueError, r"`flow` must have shape \(2, H, W\) = \(2, 4, 4\)"),
        (lambda: cl.smooth_flow(0, (8, 8), 1.0, 2.0), TypeError, "`key` must be a JAX PRNG key"),
        (lambda: cl.smooth_flow(jax.random.key(0), (8,), 1.0, 2.0), ValueError, r"`shape` must be \(H, W\)"),
        (lambda: cl.smooth_flow(jax.random.key(0), (8, 8), -1.0, 2.0), ValueError, "`amplitude` must be >= 0.0"),
        (lambda: cl.smooth_flow(jax.random.key(0), (8, 8), 1.0, 0.0), ValueError, "`smoothness` must be > 0.0"),
        (lambda: cl.rotate90(np.zeros((4, 4)), 1.5), TypeError, "`k` must be an integer"),
    ],
)
def test_error_messages(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


def test_parameters_may_be_traced():
    x = np.random.default_rng(4).random((8, 8)).astype(np.float32)
    angles = np.array([0.0, 90.0, 33.0], np.float32)
    stacked = jax.vmap(lambda a: cl.rotate(x, a))(angles)
    for got, a in zip(stacked, angles):
        np.testing.assert_allclose(got, cl.rotate(x, float(a)), atol=1e-6)
    np.testing.assert_array_equal(jax.jit(lambda d: cl.shift(x, d, 1))(3), cl.shift(x, 3, 1))
    np.testing.assert_allclose(jax.jit(lambda s: cl.rescale(x, s))(1.5), cl.rescale(x, 1.5), atol=1e-6)
