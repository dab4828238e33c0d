"""An outsider's review of the finished modules: oracles, bad input, and the bugs they found.

Each test either guards a property a new user relies on (SciPy/NumPy/lax
oracles for every method, the closed forms of the lecture) or reproduces a
bug found in review (the docstring of the test says which).
"""
from __future__ import annotations

import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.signal

import cnnlib as cl
from cnnlib import data as cldata

METHODS = ("lax", "direct", "im2col", "fft", "dense", "auto")
rng = np.random.default_rng(20261121)


def _lax(x, w, stride, padding, dilation):
    return np.asarray(
        jax.lax.conv_general_dilated(
            jnp.asarray(x), jnp.asarray(w), stride, padding, rhs_dilation=dilation,
            dimension_numbers=("NCHW", "OIHW", "NCHW"), precision="highest",
        )
    )


# ----------------------------------------------------------------------------- oracles (guards)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("mode", ["valid", "full"])
@pytest.mark.parametrize("flip", [False, True])
def test_scipy_oracle_odd_even_nonsquare(method, mode, flip):
    oracle = scipy.signal.convolve2d if flip else scipy.signal.correlate2d
    for (h, w_, kh, kw) in [(6, 7, 2, 3), (5, 3, 5, 3), (4, 4, 4, 4)]:  # even/odd, non-square, kernel = input
        x = rng.standard_normal((h, w_))
        w = rng.standard_normal((kh, kw))
        got = np.asarray(cl.conv2d(x, w, padding=mode, flip=flip, method=method))
        np.testing.assert_allclose(got, oracle(x, w, mode), atol=1e-4)


@pytest.mark.parametrize("method", METHODS)
def test_same_matches_lax_same_with_stride_and_dilation(method):
    """'same' is lax SAME: output ceil(n/s); for an even kernel the extra pad goes bottom/right."""
    x = rng.standard_normal((2, 2, 7, 6)).astype(np.float32)
    w = rng.standard_normal((3, 2, 2, 4)).astype(np.float32)  # even kernels
    for stride, dilation in [((1, 1), (1, 1)), ((2, 3), (1, 1)), ((1, 1), (2, 2))]:
        got = np.asarray(cl.conv2d(x, w, stride=stride, padding="same", dilation=dilation, method=method))
        np.testing.assert_allclose(got, _lax(x, w, stride, "SAME", dilation), atol=1e-4)
    # stride 1: the output has the input's size, extra padding at the bottom/right
    y = np.asarray(cl.conv2d(np.ones((5, 6)), np.ones((2, 2)), padding="same", method=method))
    assert y.shape == (5, 6)
    assert y[0, 0] == 4 and y[-1, -1] == 1  # top-left reads no padding, bottom-right reads three zeros


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("boundary", ["circular", "reflect", "replicate"])
def test_boundaries_against_numpy_pad(method, boundary):
    mode = {"circular": "wrap", "reflect": "reflect", "replicate": "edge"}[boundary]
    x = rng.standard_normal((2, 2, 6, 5)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 2)).astype(np.float32)
    pads = ((2, 1), (0, 3))
    xp = np.pad(x, ((0, 0), (0, 0)) + pads, mode=mode)
    got = np.asarray(cl.conv2d(x, w, padding=pads, boundary=boundary, stride=(2, 1), dilation=(1, 2), method=method))
    np.testing.assert_allclose(got, _lax(xp, w, (2, 1), "VALID", (1, 2)), atol=1e-4)


@pytest.mark.parametrize("method", METHODS)
def test_conv1d_full_flip_is_np_convolve(method):
    a, b = rng.standard_normal(9), rng.standard_normal(4)
    np.testing.assert_allclose(np.asarray(cl.conv1d(a, b, padding="full", flip=True, method=method)),
                               np.convolve(a, b, "full"), atol=1e-5)
    np.testing.assert_allclose(np.asarray(cl.conv1d(a, b, method=method)), np.correlate(a, b, "valid"), atol=1e-5)


def test_output_size_closed_form_cases():
    """(N - K + 2P)/S + 1 as the lecture states it."""
    assert cl.conv_output_size(5, 3) == 3
    assert cl.conv_output_size(7, 3) == 5
    assert cl.conv_output_size(7, 3, stride=2) == 3
    assert cl.conv_output_size(7, 3, padding=1) == 7
    assert cl.conv_output_size(7, 3, stride=2, padding=1) == 4
    for n, k, s, p in [(7, 3, 1, 0), (7, 3, 2, 0), (7, 3, 1, 1), (7, 3, 2, 1), (6, 2, 3, "same")]:
        shape = cl.conv2d(np.ones((n, n)), np.ones((k, k)), stride=s, padding=p).shape
        assert shape == (cl.conv_output_size(n, k, stride=s, padding=p),) * 2


def test_tracing_transformations():
    x, w = rng.standard_normal((5, 6)).astype(np.float32), rng.standard_normal((3, 2)).astype(np.float32)
    eager = np.asarray(cl.conv2d(x, w, padding="same"))
    np.testing.assert_allclose(np.asarray(jax.jit(lambda a, b: cl.conv2d(a, b, padding="same"))(x, w)), eager, atol=1e-5)
    batched = jax.vmap(lambda a: cl.conv2d(a, w, padding="same"))(np.stack([x, 2 * x]))
    np.testing.assert_allclose(np.asarray(batched[1]), 2 * eager, atol=1e-4)
    g = jax.grad(lambda a: cl.conv2d(a, w).sum())(x)  # d/dx of sum = full correlation of ones with w
    np.testing.assert_allclose(np.asarray(g), scipy.signal.convolve2d(np.ones((3, 5)), w, "full"), atol=1e-5)


def test_options_accept_numpy_ints_and_lists():
    x, w = np.ones((7, 7)), np.ones((3, 3))
    assert cl.conv2d(x, w, stride=np.int64(2)).shape == (3, 3)
    assert cl.conv2d(x, w, stride=[2, 1], padding=[1, 0]).shape == (4, 5)
    assert cl.conv2d(x, w, padding=[[1, 0], [0, 1]]).shape == (6, 6)


@pytest.mark.parametrize("kwargs, pattern", [
    ({"padding": "Same"}, r"`padding` must be one of 'valid', 'same', 'full'; got 'Same'"),
    ({"boundary": "circ"}, r"`boundary` must be one of .*; got 'circ'"),
    ({"method": "FFT"}, r"`method` must be one of .*; got 'FFT'"),
    ({"stride": 0}, r"`stride` must be >= 1; got 0"),
    ({"dilation": -1}, r"`dilation` must be >= 1; got -1"),
    ({"padding": -1}, r"`padding` must be non-negative"),
])
def test_near_miss_options(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        cl.conv2d(np.ones((5, 5)), np.ones((3, 3)), **kwargs)


@pytest.mark.parametrize("method", ["lax", "direct", "im2col"])
def test_nan_stays_local(method):
    x = np.ones((6, 6))
    x[0, 0] = np.nan
    y = np.asarray(cl.conv2d(x, np.ones((3, 3)), method=method))
    assert np.isnan(y).sum() == 1 and np.isnan(y[0, 0])


def test_import_is_light():
    code = "import sys, cnnlib; print(sorted(m for m in ('matplotlib', 'ipywidgets', 'scipy', 'optax') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_data_results_are_not_aliased_to_the_cache():
    first = np.array(cl.load_image("cat", grey=True, size=16))
    first[:] = -1.0
    assert float(cl.load_image("cat", grey=True, size=16).min()) >= 0.0
    images, labels = cl.load_digits()
    np.array(images)[:] = 7.0
    assert float(cl.load_digits()[0].max()) == 1.0
    assert np.bincount(np.asarray(labels)).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_digits_on_canvas_bounds_and_determinism():
    images = cl.load_digits()[0][:200]
    a, pos, _ = cldata.digits_on_canvas(jax.random.key(3), images, canvas=16, max_offset=2)
    b, _, _ = cldata.digits_on_canvas(jax.random.key(3), images, canvas=16, max_offset=2)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    pos = np.asarray(pos)
    assert pos.min() >= 2 and pos.max() <= 6  # centre 4, shifted by at most 2
    np.testing.assert_allclose(np.asarray(a).sum(axis=(1, 2)), np.asarray(images).sum(axis=(1, 2)), rtol=1e-5)


def test_receptive_field_closed_form():
    for _ in range(50):
        layers = [tuple(int(v) for v in rng.integers(1, 5, 3)) for _ in range(int(rng.integers(1, 5)))]
        size, jump = 1, 1
        for k, s, d in layers:
            size, jump = size + (k - 1) * d * jump, jump * s
        rf = cl.receptive_field(layers)
        assert (rf.size, rf.jump) == (size, jump)


# ----------------------------------------------------------------------------- bugs found in review
@pytest.mark.parametrize("method", ["direct", "fft"])
def test_integer_input_under_a_users_jit(method):
    """Bug: `jax.jit(f)(int_image)` raised TypeError although integers become float32 eagerly."""
    x = np.arange(30).reshape(5, 6)
    w = np.ones((2, 3))
    got = jax.jit(lambda a: cl.conv2d(a, w, method=method))(x)
    assert got.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(got), scipy.signal.correlate2d(x, w, "valid"), atol=1e-4)
    with pytest.raises(TypeError, match=r"`x` must be a real numeric array; got dtype bool"):
        jax.jit(lambda a: cl.conv2d(a > 3, w))(x)


def test_bfloat16_and_long_double_inputs():
    """Bug: bfloat16 was refused as "not numeric"; long double gave a raw JAX TypeError."""
    x, w = np.arange(9.0).reshape(3, 3), np.arange(4.0).reshape(2, 2)
    want = [[19.0, 25.0], [37.0, 43.0]]
    assert np.asarray(cl.conv2d(jnp.asarray(x, jnp.bfloat16), w)).tolist() == want
    assert np.asarray(cl.conv2d(x.astype(np.longdouble), w)).tolist() == want
    assert cl.conv2d(jnp.asarray(x, jnp.bfloat16), w).dtype == jnp.float32


def test_empty_channel_axes_raise_clearly():
    """Bug: C_in = 0 (or C_out = 0) with method 'auto' raised ZeroDivisionError from the auto rule."""
    with pytest.raises(ValueError, match=r"`x` must not have an empty channel or spatial axis; got shape \(1, 0, 5, 5\)"):
        cl.conv2d(np.ones((1, 0, 5, 5)), np.ones((2, 0, 3, 3)))
    with pytest.raises(ValueError, match=r"`x` must not have an empty channel or spatial axis; got shape \(0, 5\)"):
        cl.conv2d(np.ones((0, 5)), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"`w` must have a non-empty kernel; got shape \(0, 2, 3, 3\)"):
        cl.conv2d(np.ones((1, 2, 5, 5)), np.ones((0, 2, 3, 3)))


@pytest.mark.parametrize("method", METHODS)
def test_empty_batch_works_for_every_method(method):
    """Bug: an empty batch (N = 0) with method='dense' raised ZeroDivisionError (reshape(0, -1))."""
    y = cl.conv2d(np.ones((0, 2, 5, 5)), np.ones((3, 2, 3, 3)), method=method)
    assert y.shape == (0, 3, 3, 3)


def test_three_d_input_says_what_to_do():
    """A (C, H, W) image is the likeliest wrong shape: the message now says `x[None]`."""
    with pytest.raises(ValueError, match=r"got \(3, 5, 5\) \(3-D\)\. For one multi-channel input \(C_in, H, W\) pass `x\[None\]`"):
        cl.conv2d(np.ones((3, 5, 5)), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"For one multi-channel input \(C_in, L\) pass `x\[None\]`"):
        cl.conv1d(np.ones((3, 5)), np.ones(2))


def test_conv_matrix_refuses_huge_matrices():
    """Bug: conv_matrix((200, 200), 3x3) silently allocated a 39204 x 40000 float32 matrix (6 GB)."""
    with pytest.raises(ValueError, match=r"`input_shape` \(200, 200\) gives a 39204 x 40000 matrix .*conv_matrix is for small inputs"):
        cl.conv_matrix((200, 200), np.ones((3, 3)))
    assert cl.conv_matrix((64, 64), np.ones((3, 3))).shape == (62 * 62, 64 * 64)


def test_connectivity_flip_must_be_bool():
    """Bug: connectivity accepted flip=1 while cl.conv2d refuses it."""
    with pytest.raises(TypeError, match=r"`flip` must be True or False; got 1"):
        cl.connectivity((5, 5), 3, flip=1)


def test_fit_loglog_slope_refuses_non_finite_x():
    """Bug: a NaN or inf in `x` ended in numpy's LinAlgError ("SVD did not converge") and LAPACK noise."""
    from cnnlib.scaling import fit_loglog_slope

    with pytest.raises(ValueError, match=r"`x` must be finite where `y` is"):
        fit_loglog_slope([1, np.nan, 4], [1, 2, 3])
    with pytest.raises(ValueError, match=r"`x` must be finite where `y` is"):
        fit_loglog_slope([1, 2, np.inf], [1, 2, 3])
    assert round(fit_loglog_slope([1, np.nan, 4], [1, np.nan, 16]), 6) == 2.0  # a skipped pair may have any x
    with pytest.raises(TypeError, match=r"`x` and `y` must be sequences of numbers"):
        fit_loglog_slope(["a"], [1])


def test_hwio_kernel_with_k_equal_to_c_in_gets_the_hint():
    """An HWIO 3x3 kernel on an RGB batch has w.shape[1] == C_in == 3, so only the size check caught it, without the hint."""
    with pytest.raises(ValueError, match=r"larger than the padded input.*HWIO .*`w.transpose\(3, 2, 0, 1\)`"):
        cl.conv2d(np.ones((1, 3, 5, 5)), np.ones((3, 3, 3, 8)))
