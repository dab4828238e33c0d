"""Tests for cnnlib.conv: oracles (lax, SciPy, a NumPy loop), agreement of every
method, exact hand-worked cases, properties (shift equivariance, jit) and the
text of every error message."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib.conv import BOUNDARIES, METHODS, conv1d, conv2d, conv_matrix, conv_output_size
from cnnlib.conv import _auto as conv_auto
from cnnlib.conv import forget_calibration
from cnnlib.conv._plan import full_plan

ALL = [m for m in METHODS if m != "auto"]
SETTINGS = settings(deadline=None, max_examples=20, derandomize=True)
FEW = settings(deadline=None, max_examples=8, derandomize=True)  # each example compiles every method
NP_MODE = {"zeros": "constant", "circular": "wrap", "reflect": "reflect", "replicate": "edge"}


# --------------------------------------------------------------------------- #
# Oracles, written independently of the library
# --------------------------------------------------------------------------- #
def oracle_pads(padding, n, k, s, d):
    """((lo, hi), (lo, hi)) for any accepted padding, from first principles."""
    keff = [d_ * (k_ - 1) + 1 for k_, d_ in zip(k, d)]
    if padding == "valid":
        return ((0, 0), (0, 0))
    if padding == "full":
        return tuple((ke - 1, ke - 1) for ke in keff)
    if padding == "same":
        return tuple(jax.lax.padtype_to_pads(n, keff, s, "SAME"))
    if isinstance(padding, int):
        return ((padding, padding), (padding, padding))
    if isinstance(padding[0], int):
        return tuple((p, p) for p in padding)
    return tuple(tuple(p) for p in padding)


def numpy_conv(x, w, stride, pads, dilation, boundary, flip):
    """A loop over output pixels, in float64. x (N, C, H, W), w (O, C, kH, kW)."""
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    if flip:
        w = w[:, :, ::-1, ::-1]
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple(pads), mode=NP_MODE[boundary])
    (sh, sw), (dh, dw), (kh, kw) = stride, dilation, w.shape[2:]
    ho = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    wo = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((x.shape[0], w.shape[0], ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, :, i * sh : i * sh + dh * (kh - 1) + 1 : dh, j * sw : j * sw + dw * (kw - 1) + 1 : dw]
            out[:, :, i, j] = np.einsum("nchw,ochw->no", patch, w)
    return out


def close(a, b, x, w, rtol=2e-5):
    """float32 round-off, scaled by the size of the sums involved."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape
    scale = np.abs(np.asarray(x)).max(initial=1.0) * np.abs(np.asarray(w)).sum() + 1e-12
    np.testing.assert_allclose(a, b, rtol=0, atol=rtol * scale * 10)


# --------------------------------------------------------------------------- #
# Strategies: small random problems with random options
# --------------------------------------------------------------------------- #
paddings = st.one_of(
    st.sampled_from(["valid", "same", "full"]),
    st.integers(0, 3),
    st.tuples(st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.tuples(st.integers(0, 2), st.integers(0, 2)), st.tuples(st.integers(0, 2), st.integers(0, 2))),
)


@st.composite
def problems(draw, multichannel=None):
    multi = draw(st.booleans()) if multichannel is None else multichannel
    h, w_ = draw(st.integers(3, 9)), draw(st.integers(3, 9))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    if multi:
        n, c, o = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
        xs, ws = (n, c, h, w_), (o, c, kh, kw)
    else:
        xs, ws = (h, w_), (kh, kw)
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=xs).astype(np.float32)
    w = rng.normal(size=ws).astype(np.float32)
    opts = dict(
        stride=draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))),
        padding=draw(paddings),
        dilation=draw(st.one_of(st.integers(1, 2), st.tuples(st.integers(1, 2), st.integers(1, 2)))),
        boundary=draw(st.sampled_from(BOUNDARIES)),
        flip=draw(st.booleans()),
    )
    return x, w, opts


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def expected_or_error(x, w, opts):
    """The NumPy-loop answer, or None when the options are invalid for this shape."""
    s, d = pair(opts["stride"]), pair(opts["dilation"])
    k = w.shape[-2:]
    n = x.shape[-2:]
    pads = oracle_pads(opts["padding"], n, k, s, d)
    keff = [d_ * (k_ - 1) + 1 for k_, d_ in zip(k, d)]
    if any(ni + lo + hi < ke for ni, (lo, hi), ke in zip(n, pads, keff)):
        return None
    if opts["boundary"] == "reflect" and any(max(p) >= ni for ni, p in zip(n, pads)):
        return None
    x4 = x if x.ndim == 4 else x[None, None]
    w4 = w if w.ndim == 4 else w[None, None]
    y = numpy_conv(x4, w4, s, pads, d, opts["boundary"], opts["flip"])
    return y if x.ndim == 4 else y[0, 0]


# --------------------------------------------------------------------------- #
# Hand-worked cases
# --------------------------------------------------------------------------- #
X9 = np.arange(9.0).reshape(3, 3)
W4 = np.arange(4.0).reshape(2, 2)


@pytest.mark.parametrize("method", METHODS)
def test_hand_worked_case(method):
    # s_00 = 0*0 + 1*1 + 3*2 + 4*3 = 19, s_01 = 1*0 + 2*1 + 4*2 + 5*3 = 25, ...
    np.testing.assert_allclose(conv2d(X9, W4, method=method), [[19, 25], [37, 43]], atol=1e-5)
    # flipped kernel [[3, 2], [1, 0]]: 0*3 + 1*2 + 3*1 + 4*0 = 5, ...
    np.testing.assert_allclose(conv2d(X9, W4, flip=True, method=method), [[5, 11], [23, 29]], atol=1e-5)
    # full padding, stride 2: 3*x00 = 0, 2*x01 + 3*x02 = 8, 1*x10 + 3*x20 = 21, 0*x11 + 1*x12 + 2*x21 + 3*x22 = 43
    y = conv2d(X9, W4, padding="full", stride=2, method=method)
    np.testing.assert_allclose(y, [[0, 8], [21, 43]], atol=1e-5)


def test_hand_worked_boundaries():
    x = np.array([[1.0, 2.0, 3.0]])
    w = np.array([[1.0, 0.0, 0.0]])  # picks the left neighbour
    assert np.asarray(conv2d(x, w, padding="same", boundary="zeros")).tolist() == [[0, 1, 2]]
    assert np.asarray(conv2d(x, w, padding="same", boundary="circular")).tolist() == [[3, 1, 2]]
    assert np.asarray(conv2d(x, w, padding="same", boundary="reflect")).tolist() == [[2, 1, 2]]
    assert np.asarray(conv2d(x, w, padding="same", boundary="replicate")).tolist() == [[1, 1, 2]]


def test_integer_input_becomes_float32():
    y = conv2d(np.arange(9).reshape(3, 3), np.arange(4).reshape(2, 2))
    assert y.dtype == jnp.float32
    assert np.asarray(y).tolist() == [[19, 25], [37, 43]]


# --------------------------------------------------------------------------- #
# Oracles on random problems
# --------------------------------------------------------------------------- #
@SETTINGS
@given(problems(), st.sampled_from(METHODS))
def test_against_numpy_loop(problem, method):
    x, w, opts = problem
    expected = expected_or_error(x, w, opts)
    if expected is None:
        with pytest.raises(ValueError, match="larger than the padded input|needs each padding smaller"):
            conv2d(x, w, method=method, **opts)
        return
    got = conv2d(x, w, method=method, **opts)
    close(got, expected, x, w)
    assert got.shape == expected.shape


@FEW
@given(problems(multichannel=True))
def test_every_method_agrees(problem):
    x, w, opts = problem
    if expected_or_error(x, w, opts) is None:
        return
    ref = conv2d(x, w, method="lax", **opts)
    for method in ALL:
        close(conv2d(x, w, method=method, **opts), ref, x, w)


@FEW
@given(problems(multichannel=True))
def test_against_lax_directly(problem):
    x, w, opts = problem
    opts = {**opts, "boundary": "zeros"}
    if expected_or_error(x, w, opts) is None:
        return
    s, d = pair(opts["stride"]), pair(opts["dilation"])
    pads = oracle_pads(opts["padding"], x.shape[2:], w.shape[2:], s, d)
    wk = w[:, :, ::-1, ::-1] if opts["flip"] else w
    ref = jax.lax.conv_general_dilated(x, wk, s, pads, rhs_dilation=d, dimension_numbers=("NCHW", "OIHW", "NCHW"))
    close(conv2d(x, w, **opts), ref, x, w)


@pytest.mark.parametrize("method", ALL)
@pytest.mark.parametrize("mode", ["valid", "same", "full"])
def test_against_scipy(method, mode):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(11, 8)).astype(np.float32)
    for kshape in [(3, 3), (2, 4)]:
        w = rng.normal(size=kshape).astype(np.float32)
        close(conv2d(x, w, padding=mode, method=method), scipy.signal.correlate2d(x, w, mode=mode), x, w)
        close(
            conv2d(x, w, padding=mode, boundary="circular", method=method),
            scipy.signal.correlate2d(x, w, mode=mode, boundary="wrap"),
            x,
            w,
        )
        if mode != "same" or all(k % 2 for k in kshape):  # SciPy centres even kernels differently
            close(conv2d(x, w, padding=mode, flip=True, method=method), scipy.signal.convolve2d(x, w, mode=mode), x, w)


@pytest.mark.parametrize("method", METHODS)
def test_conv1d_against_numpy(method):
    rng = np.random.default_rng(4)
    x, w = rng.normal(size=20).astype(np.float32), rng.normal(size=5).astype(np.float32)
    for mode in ["valid", "same", "full"]:
        close(conv1d(x, w, padding=mode, flip=True, method=method), np.convolve(x, w, mode=mode), x, w)
    close(conv1d(x, w, method=method), np.correlate(x, w, mode="valid"), x, w)
    close(conv1d(x, w, padding=(2, 1), stride=2, dilation=3, method=method), numpy_conv(
        x[None, None, None], w[None, None, None], (1, 2), ((0, 0), (2, 1)), (1, 3), "zeros", False)[0, 0, 0], x, w)


@pytest.mark.parametrize("method", ["lax", "direct", "fft"])
def test_conv1d_multichannel_against_conv2d(method):
    rng = np.random.default_rng(5)
    x, w = rng.normal(size=(2, 3, 17)).astype(np.float32), rng.normal(size=(4, 3, 4)).astype(np.float32)
    got = conv1d(x, w, padding="same", stride=2, boundary="reflect", method=method)
    ref = conv2d(x[:, :, None], w[:, :, None], padding=((0, 0), (1, 2)), stride=(1, 2), boundary="reflect")
    close(got, ref[:, :, 0], x, w)
    assert got.shape == (2, 4, conv_output_size(17, 4, stride=2, padding="same"))


# --------------------------------------------------------------------------- #
# conv_matrix, output size, properties
# --------------------------------------------------------------------------- #
@FEW
@given(problems())
def test_conv_matrix_agrees(problem):
    x, w, opts = problem
    if expected_or_error(x, w, opts) is None:
        return
    m = np.asarray(conv_matrix(x.shape[1:] if x.ndim == 4 else x.shape, w, **opts), np.float64)
    y = np.asarray(conv2d(x, w, **opts))
    for i in range(x.shape[0] if x.ndim == 4 else 1):
        xi, yi = (x[i], y[i]) if x.ndim == 4 else (x, y)
        close(m @ xi.ravel(), yi.ravel(), x, w)


def test_conv_matrix_is_exact_and_sparse():
    m = np.asarray(conv_matrix((4, 4), W4, padding=1, boundary="circular"))
    assert m.shape == (25, 16)
    assert sorted(m.sum(axis=1).tolist()) == [6.0] * 25  # every row holds the whole kernel
    np.testing.assert_array_equal(m @ np.arange(16.0), np.asarray(conv2d(np.arange(16.0).reshape(4, 4), W4, padding=1, boundary="circular")).ravel())


@settings(deadline=None, max_examples=60, derandomize=True)
@given(problems())
def test_output_size_matches_shape(problem):
    x, w, opts = problem
    if expected_or_error(x, w, opts) is None:
        return
    y = jax.eval_shape(lambda a, b: conv2d(a, b, **opts), x, w)  # the shape conv2d returns, without compiling
    s, d, p = pair(opts["stride"]), pair(opts["dilation"]), opts["padding"]
    for axis in (0, 1):
        pa = p if isinstance(p, (str, int)) else p[axis]  # (ph, pw) or ((top, bottom), (left, right))
        size = conv_output_size(x.shape[-2 + axis], w.shape[-2 + axis], stride=s[axis], padding=pa, dilation=d[axis])
        assert y.shape[-2 + axis] == size


def test_output_size_formula():
    assert conv_output_size(5, 3) == 3
    assert conv_output_size(5, 3, padding="same") == 5
    assert conv_output_size(5, 3, padding="full") == 7
    assert conv_output_size(7, 3, stride=2, padding=1) == 4
    assert conv_output_size(7, 3, stride=2, padding=(0, 1)) == 3
    assert conv_output_size(10, 3, dilation=2) == 6
    assert conv_output_size(10, 3, dilation=2, padding="same", stride=3) == 4


@pytest.mark.parametrize("method", ["lax", "direct", "im2col", "dense"])
def test_circular_convolution_commutes_with_roll(method):
    rng = np.random.default_rng(6)
    x = rng.integers(-4, 5, size=(8, 9)).astype(np.float32)  # small integers: every sum is exact
    w = rng.integers(-3, 4, size=(3, 4)).astype(np.float32)
    f = lambda z: np.asarray(conv2d(z, w, padding="same", boundary="circular", method=method))  # noqa: E731
    for shift in [(1, 0), (0, 3), (-2, 5), (4, 4)]:
        np.testing.assert_array_equal(f(np.roll(x, shift, axis=(0, 1))), np.roll(f(x), shift, axis=(0, 1)))
    x = rng.normal(size=(8, 9)).astype(np.float32)  # and bit-for-bit with real numbers for the direct sum
    g = lambda z: np.asarray(conv2d(z, w, padding="same", boundary="circular", method="direct"))  # noqa: E731
    np.testing.assert_array_equal(g(np.roll(x, (2, 3), axis=(0, 1))), np.roll(g(x), (2, 3), axis=(0, 1)))


def test_zero_padding_breaks_roll_equivariance():
    x = np.zeros((6, 6), np.float32)
    x[0, 2] = 1.0
    w = np.ones((3, 3), np.float32)
    f = lambda z: np.asarray(conv2d(z, w, padding="same"))  # noqa: E731
    assert not np.array_equal(f(np.roll(x, -1, axis=0)), np.roll(f(x), -1, axis=0))


@pytest.mark.parametrize("method", METHODS)
def test_jit_equals_eager(method):
    rng = np.random.default_rng(7)
    x, w = rng.normal(size=(2, 3, 9, 7)).astype(np.float32), rng.normal(size=(2, 3, 3, 2)).astype(np.float32)
    opts = dict(stride=(2, 1), padding="same", dilation=(1, 2), boundary="reflect", flip=True, method=method)
    eager = conv2d(x, w, **opts)
    jitted = jax.jit(lambda a, b: conv2d(a, b, **opts))(x, w)
    np.testing.assert_allclose(jitted, eager, rtol=1e-6, atol=1e-6)


def test_lax_path_under_vmap_and_eager_agree_with_jax_lax():
    """Eager calls on a CPU compile "lax" with their own XLA options; traced calls must not (and must agree)."""
    rng = np.random.default_rng(9)
    x, w = rng.normal(size=(4, 1, 3, 10, 9)).astype(np.float32), rng.normal(size=(2, 3, 3, 3)).astype(np.float32)
    reference = np.stack([
        jax.lax.conv_general_dilated(xi, w, (1, 1), "VALID", precision="highest") for xi in x
    ])
    eager = np.stack([conv2d(xi, w, method="lax") for xi in x])
    mapped = jax.vmap(lambda xi: conv2d(xi, w, method="lax"))(x)
    np.testing.assert_allclose(eager, reference, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(mapped, reference, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("transform", ["jit", "scan", "cond", "checkpoint", "eval_shape", "make_jaxpr", "grad"])
@pytest.mark.parametrize("method", ["lax", "auto"])
def test_lax_path_inside_transforms_with_captured_inputs(transform, method):
    """x and w captured from outside a traced function are constants, not tracers: still no compiler options."""
    rng = np.random.default_rng(10)
    x = rng.normal(size=(2, 4, 10, 9)).astype(np.float32)  # several channels: "auto" picks lax
    w = rng.normal(size=(3, 4, 3, 3)).astype(np.float32)
    want = np.asarray(jax.lax.conv_general_dilated(x, w, (1, 1), "VALID", precision="highest"))

    def f(s):
        return s * conv2d(x, w, method=method)

    if transform == "jit":
        got = jax.jit(f)(1.0)
    elif transform == "scan":
        got = jax.lax.scan(lambda c, s: (c, f(s)), 0.0, jnp.ones(2))[1][1]
    elif transform == "cond":
        got = jax.jit(lambda p: jax.lax.cond(p, f, lambda s: jnp.zeros_like(f(s)), 1.0))(True)
    elif transform == "checkpoint":
        got = jax.checkpoint(f)(1.0)
    elif transform == "eval_shape":
        assert jax.eval_shape(f, 1.0).shape == want.shape
        return
    elif transform == "make_jaxpr":
        assert jax.make_jaxpr(f)(1.0).out_avals[0].shape == want.shape
        return
    else:
        got = jax.grad(lambda s: jnp.sum(f(s)))(1.0)
        want = want.sum()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("method", ALL)
def test_gradients_agree(method):
    rng = np.random.default_rng(8)
    x, w = rng.normal(size=(1, 2, 7, 6)).astype(np.float32), rng.normal(size=(3, 2, 3, 3)).astype(np.float32)

    def loss(a, b, m):
        return jnp.sum(conv2d(a, b, padding="same", boundary="circular", method=m) ** 2)

    gx, gw = jax.grad(loss, argnums=(0, 1))(x, w, method)
    rx, rw = jax.grad(loss, argnums=(0, 1))(x, w, "lax")
    np.testing.assert_allclose(gx, rx, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(gw, rw, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize(
    "xs, ws, opts, method",
    [
        ((256, 256), (3, 3), {}, "direct"),
        ((256, 256), (9, 9), {"padding": "same"}, "direct"),
        ((256, 256), (11, 11), {}, "fft"),
        ((256, 256), (11, 11), {"stride": 2}, "direct"),  # only direct profits from the stride
        ((256, 256), (17, 17), {"stride": 3}, "fft"),  # direct stops fusing from 256 taps
        ((64, 1, 28, 28), (8, 1, 5, 5), {}, "direct"),  # one input channel, many outputs
        ((200,), (5,), {}, "direct"),
        ((8, 16, 32, 32), (16, 16, 3, 3), {"padding": "same"}, "lax"),
        ((8, 16, 32, 32), (16, 16, 9, 9), {"padding": "same"}, "fft"),
        ((4, 64, 32, 32), (64, 64, 9, 9), {"padding": "same"}, "lax"),
        ((4, 64, 32, 32), (64, 64, 17, 17), {"padding": "same"}, "lax"),  # kernel spectra > 16 MiB
        ((8, 3, 128, 128), (16, 3, 5, 5), {}, "lax"),
        ((8, 3, 128, 128), (16, 3, 7, 7), {}, "fft"),
    ],
)
def test_auto_rule(xs, ws, opts, method):
    """The built-in rule (no measurement on this machine): the test must not depend on a user's cache file."""
    forget_calibration()
    conv_auto._MEASURED.update(loaded=True, taps=None)
    try:
        nd = 1 if len(xs) in (1, 3) else 2
        assert full_plan(xs, ws, nd, opts.get("stride", 1), opts.get("padding", "valid"), 1, "zeros", False, "auto")[4] == method
    finally:
        forget_calibration()


def test_padding_forms_are_equivalent():
    rng = np.random.default_rng(9)
    x, w = rng.normal(size=(7, 7)), rng.normal(size=(3, 3))
    ref = np.asarray(conv2d(x, w, padding=((1, 1), (2, 2))))
    for p in [(1, 2), [1, 2], [[1, 1], [2, 2]], ((1, 1), [2, 2])]:
        np.testing.assert_array_equal(conv2d(x, w, padding=p), ref)
    np.testing.assert_array_equal(conv_matrix((7, 7), w, padding=((1, 1), [2, 2])), conv_matrix((7, 7), w, padding=(1, 2)))
    with pytest.raises(TypeError, match=r"`padding` must be .*; got \{'top': 1\}"):
        conv2d(x, w, padding={"top": 1})
    np.testing.assert_array_equal(conv2d(x, w, padding=1), conv2d(x, w, padding="same"))
    np.testing.assert_array_equal(conv2d(x, w, stride=(2, 2)), conv2d(x, w, stride=2))


# --------------------------------------------------------------------------- #
# Errors: the text of every message
# --------------------------------------------------------------------------- #
def test_shape_errors():
    with pytest.raises(ValueError, match=r"`x` must have shape \(H, W\) or \(N, C_in, H, W\); got \(3,\) \(1-D\)"):
        conv2d(np.ones(3), W4)
    with pytest.raises(ValueError, match=r"`w` must have shape \(kH, kW\) for a \(H, W\) input; got \(1, 1, 2, 2\)\. .*x\[None, None\]"):
        conv2d(X9, np.ones((1, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"`w` must have shape \(C_out, C_in, kH, kW\) with C_in = 4; got \(3, 3, 4, 8\)\. This looks like HWIO .*`w.transpose\(3, 2, 0, 1\)`"):
        conv2d(np.ones((1, 4, 8, 8)), np.ones((3, 3, 4, 8)))
    with pytest.raises(ValueError, match=r"with C_in = 4; got \(8, 3, 3, 4\)\. Its last axis equals C_in.*`w.transpose\(0, 3, 1, 2\)`"):
        conv2d(np.ones((1, 4, 8, 8)), np.ones((8, 3, 3, 4)))
    with pytest.raises(ValueError, match=r"with C_in = 1; got \(2, 2\)\. For a single-channel kernel pass `w\[None, None\]`"):
        conv2d(np.ones((1, 1, 8, 8)), W4)
    with pytest.raises(ValueError, match=r"`w` must have a non-empty kernel; got shape \(0, 2\)"):
        conv2d(X9, np.ones((0, 2)))
    with pytest.raises(ValueError, match=r"`x` must have shape \(L,\) or \(N, C_in, L\); got \(3, 3\)"):
        conv1d(X9, W4)
    with pytest.raises(ValueError, match=r"`w` must have shape \(C_out, C_in, k\) with C_in = 2"):
        conv1d(np.ones((1, 2, 5)), np.ones((1, 3, 2)))


def test_kernel_larger_than_input():
    with pytest.raises(ValueError, match=r"`w` is larger than the padded input: effective kernel size \(4, 4\) \(`dilation` \(1, 1\)\) but padded input size \(3, 3\)"):
        conv2d(X9, np.ones((4, 4)))
    with pytest.raises(ValueError, match=r"effective kernel size \(5, 5\) \(`dilation` \(2, 2\)\) but padded input size \(4, 4\)"):
        conv2d(X9, np.ones((3, 3)), dilation=2, padding=((1, 0), (0, 1)))
    with pytest.raises(ValueError, match=r"the kernel \(effective length 5, `k` 3, `dilation` 2\) is larger than the padded input \(length 3\)"):
        conv_output_size(3, 3, dilation=2)


def test_option_errors():
    with pytest.raises(ValueError, match=r"`stride` must be >= 1; got 0"):
        conv2d(X9, W4, stride=0)
    with pytest.raises(ValueError, match=r"`dilation` must be >= 1; got -1"):
        conv2d(X9, W4, dilation=(1, -1))
    with pytest.raises(ValueError, match=r"`stride` must be an int or a sequence of 2 ints; got \(1, 2, 3\)"):
        conv2d(X9, W4, stride=(1, 2, 3))
    with pytest.raises(ValueError, match=r"`padding` must be one of 'valid', 'same', 'full'; got 'SAME'"):
        conv2d(X9, W4, padding="SAME")
    with pytest.raises(ValueError, match=r"`padding` must be non-negative; got -1"):
        conv2d(X9, W4, padding=-1)
    with pytest.raises(ValueError, match=r"`padding` must be 'valid', 'same', 'full', an int, a pair \(ph, pw\) or \(\(top, bottom\), \(left, right\)\); got \(1, 2, 3\)"):
        conv2d(X9, W4, padding=(1, 2, 3))
    with pytest.raises(TypeError, match=r"`padding` must be 'valid', 'same', 'full', an int or a pair \(lo, hi\); got 1.5"):
        conv1d(np.ones(5), np.ones(2), padding=1.5)
    with pytest.raises(ValueError, match=r"`boundary` must be one of 'zeros', 'circular', 'reflect', 'replicate'; got 'wrap'"):
        conv2d(X9, W4, boundary="wrap")
    with pytest.raises(ValueError, match=r"`method` must be one of 'auto', 'lax', 'direct', 'im2col', 'fft', 'dense'; got 'winograd'"):
        conv2d(X9, W4, method="winograd")
    with pytest.raises(TypeError, match=r"`flip` must be True or False; got 1"):
        conv2d(X9, W4, flip=1)
    with pytest.raises(ValueError, match=r"`boundary='reflect'` needs each padding smaller than the input size; got padding \(\(3, 3\), \(3, 3\)\) for input size \(3, 3\)"):
        conv2d(X9, W4, padding=3, boundary="reflect")
    with pytest.raises(ValueError, match=r"`method='dense'` builds a 4160 x 4160 matrix; it is for small inputs only \(C_in\*H\*W <= 4096, at most 2\*\*25 entries\)"):
        conv2d(np.ones((65, 64)), W4, method="dense", padding="same")
    with pytest.raises(ValueError, match=r"`input_shape` must be \(H, W\), \(C_in, H, W\) or \(1, C_in, H, W\) of positive ints; got \(0, 3\)"):
        conv_matrix((0, 3), W4)


def test_cache_does_not_confuse_bool_and_int():
    conv2d(X9, W4, stride=1, flip=False)
    with pytest.raises(TypeError, match=r"`stride` must be an int or a sequence of 2 ints; got True"):
        conv2d(X9, W4, stride=True)
    with pytest.raises(TypeError, match=r"`flip` must be True or False; got 0"):
        conv2d(X9, W4, flip=0)


@pytest.mark.parametrize(
    "bad, pattern",
    [
        (np.ones((3, 3), bool), "`x` must be a real numeric array; got dtype bool"),
        (np.ones((3, 3), complex), "`x` must be real; got complex dtype complex128"),
        ("image", "`x` must be a numeric array; got 'image'"),
    ],
)
def test_type_errors(bad, pattern):
    with pytest.raises(TypeError, match=pattern):
        conv2d(bad, W4)


def test_auto_uses_the_crossover_measured_on_this_machine(tmp_path, monkeypatch):
    """A measurement in the cache file (per machine and JAX version) moves auto's switch to FFT; none: the rule."""
    import json

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = conv_auto.cache_file()
    assert path == tmp_path / "cnnlib" / "conv_auto.json"
    path.parent.mkdir(parents=True)
    pick = lambda k: full_plan((256, 256), (k, k), 2, 1, "valid", 1, "zeros", False, "auto")[4]  # noqa: E731
    try:
        path.write_text(json.dumps({"another machine": {"fft_min_taps": 1.0}}))
        forget_calibration()
        assert (pick(7), pick(9), pick(11)) == ("direct", "direct", "fft")  # not this machine's: the built-in rule
        path.write_text(json.dumps({conv_auto.machine_key(): {"fft_min_taps": 49.0}}))
        forget_calibration()
        assert (pick(5), pick(7), pick(9)) == ("direct", "fft", "fft")
        path.write_text("{not json")
        forget_calibration()
        assert pick(9) == "direct"
        x, w = np.random.default_rng(0).normal(size=(20, 20)), np.random.default_rng(1).normal(size=(7, 7))
        np.testing.assert_allclose(conv2d(x, w), conv2d(x, w, method="lax"), rtol=1e-4, atol=1e-4)
    finally:
        forget_calibration()


def test_nothing_is_measured_on_import_or_on_an_auto_call(tmp_path):
    """calibrate_auto runs only when called (make bench): import and auto calls never write the cache."""
    import subprocess
    import sys

    code = "import cnnlib as cl, numpy as np; cl.conv2d(np.ones((64, 64)), np.ones((15, 15)))"
    subprocess.run([sys.executable, "-c", code], check=True, env={"XDG_CACHE_HOME": str(tmp_path), "PATH": ""})
    assert not any(tmp_path.rglob("*"))
