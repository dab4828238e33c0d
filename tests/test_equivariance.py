"""Equivariance measures and p4 convolutions: closed forms, exact laws, error messages."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cnnlib as cl


def rand(seed, shape):
    return jax.random.normal(jax.random.key(seed), shape)


def test_errors_closed_form():
    x = jnp.array([[1.0, 2.0, 3.0]])
    double = lambda z: 2 * z  # noqa: E731
    assert cl.equivariance_error(double, lambda z: z + 1, x) == pytest.approx(np.linalg.norm([1, 1, 1]) / np.linalg.norm([2, 4, 6]))
    assert cl.invariance_error(jnp.sum, lambda z: cl.shift(z, 0, 1), x) == 0.0
    assert cl.invariance_error(double, lambda z: 3 * z, x) == pytest.approx(2.0)
    g, g_out = (lambda z: z * 2), (lambda z: z * 4)
    assert cl.equivariance_error(jnp.square, g, x, g_out=g_out) == pytest.approx(0.0, abs=1e-7)
    zero = lambda z: 0 * z  # noqa: E731
    assert cl.equivariance_error(zero, lambda z: z, x) == 0.0
    assert cl.equivariance_error(zero, lambda z: z, x, g_out=lambda z: z + 1) == float("inf")


def test_circular_conv_commutes_with_shifts_and_plain_conv_not_with_rotation():
    x = rand(0, (1, 1, 24, 24))
    w = rand(1, (2, 1, 5, 5))
    conv = lambda z: cl.conv2d(z, w, padding="same", boundary="circular")  # noqa: E731
    for dy, dx in [(1, 0), (3, -5), (12, 7)]:
        assert cl.equivariance_error(conv, lambda z: cl.shift(z, dy, dx), x) < 1e-5
    assert cl.equivariance_error(conv, cl.rotate90, x) > 0.5  # a random kernel: order 1


def test_equivariance_curve():
    x = rand(2, (1, 1, 16, 16))
    w = rand(3, (1, 1, 3, 3))
    conv = lambda z: cl.conv2d(z, w, padding="same", boundary="circular")  # noqa: E731
    errs = cl.equivariance_curve(conv, lambda z, d: cl.shift(z, 0, d), range(4), x)
    assert isinstance(errs, np.ndarray) and errs.shape == (4,) and errs.max() < 1e-5
    inv = cl.equivariance_curve(lambda z: cl.global_max_pool(conv(z)), lambda z, d: cl.shift(z, d, 0), [0, 5], x, invariant=True)
    assert inv.max() < 1e-6
    strided = lambda z: cl.conv2d(z, w, stride=2, padding="same", boundary="circular")  # noqa: E731
    errs = cl.equivariance_curve(strided, lambda z, d: cl.shift(z, 0, d), [2, 4, 1, 3], x,
                                 transform_out=lambda z, d: cl.shift(z, 0, d // 2))
    assert errs[:2].max() < 1e-5 and errs[2:].min() > 0.1  # only even shifts survive stride 2


@pytest.mark.parametrize("k, padding, n", [(3, "same", 8), (4, "valid", 7)])
def test_p4_lifting_conv_is_exactly_equivariant(k, padding, n):
    x = rand(4, (1, 2, n, n))
    w = rand(5, (3, 2, k, k))
    lift = lambda z: cl.p4_lifting_conv(z, w, padding=padding)  # noqa: E731
    for r in (1, 3):
        err = cl.equivariance_error(lift, lambda z: cl.rotate90(z, r), x, g_out=lambda y: cl.p4_rotate(y, r))
        assert err < 1e-5
    # The output law is not the naive one (no roll of the rotation axis):
    naive = cl.equivariance_error(lift, cl.rotate90, x, g_out=cl.rotate90)
    assert naive > 0.5


def test_lifting_conv_slices_are_plain_convs_with_turned_kernels():
    x = rand(6, (1, 2, 8, 8))
    w = rand(7, (3, 2, 3, 3))
    y = cl.p4_lifting_conv(x, w)
    for r in range(4):
        want = cl.conv2d(x, np.rot90(np.asarray(w), r, axes=(-2, -1)).copy(), padding="same")
        np.testing.assert_allclose(y[:, :, r], want, rtol=1e-5, atol=1e-5)


def test_p4_group_conv_is_exactly_equivariant_and_stacks():
    x = rand(8, (1, 1, 9, 9))
    w1 = rand(9, (2, 1, 3, 3))
    w2 = rand(10, (2, 2, 4, 3, 3))
    y = cl.p4_lifting_conv(x, w1)
    group = lambda z: cl.p4_group_conv(z, w2)  # noqa: E731
    assert cl.equivariance_error(group, cl.p4_rotate, y) < 1e-5
    net = lambda z: cl.p4_group_conv(jax.nn.relu(cl.p4_lifting_conv(z, w1)), w2)  # noqa: E731
    assert cl.equivariance_error(net, cl.rotate90, x, g_out=cl.p4_rotate) < 1e-5
    pooled = lambda z: cl.p4_pool(net(z))  # noqa: E731
    assert cl.equivariance_error(pooled, cl.rotate90, x) < 1e-5
    invariant = lambda z: cl.global_max_pool(pooled(z))  # noqa: E731
    for r in (1, 2):
        assert cl.invariance_error(invariant, lambda z: cl.rotate90(z, r), x) < 1e-5


def test_group_conv_oracle_loop():
    from scipy.signal import correlate2d

    y = np.asarray(rand(11, (1, 2, 4, 6, 6)), np.float64)
    w = np.asarray(rand(12, (1, 2, 4, 3, 3)), np.float64)
    z = np.asarray(cl.p4_group_conv(y, w, padding="valid"))
    for r in range(4):
        want = sum(
            correlate2d(y[0, c, s], np.rot90(w[0, c, (s - r) % 4], r), mode="valid") for c in range(2) for s in range(4)
        )
        np.testing.assert_allclose(z[0, 0, r], want, rtol=1e-4, atol=1e-4)


def test_p4_rotate_and_pool():
    y = rand(13, (1, 2, 4, 5, 5))
    np.testing.assert_array_equal(cl.p4_rotate(y, 4), y)
    np.testing.assert_allclose(cl.p4_rotate(cl.p4_rotate(y, 1), 3), y)
    np.testing.assert_allclose(cl.p4_pool(y), y.max(axis=2))
    np.testing.assert_allclose(cl.p4_pool(y, "mean"), y.mean(axis=2), rtol=1e-6)


def test_fraction_changed_and_pooling_shift():
    assert cl.fraction_changed([0, 1, 2, 3], [0, 1, 2, 3.5]) == 0.25
    assert cl.fraction_changed([0, 1], [0, 1 + 1e-9]) == 0.0
    before, after = cl.shift_change_fractions([0.1, 1.0, 0.2, 0.1, 0.0, 0.3])
    assert (before, after) == (1.0, 0.5)
    signal = np.asarray(jax.nn.relu(rand(14, (64,))))
    before, after = cl.shift_change_fractions(signal + 0.01 * np.arange(64))
    assert before == 1.0 and after < 0.8
    b2, a2 = cl.shift_change_fractions(np.random.default_rng(0).random((12, 12)))
    assert b2 > 0.9 and a2 < b2


@pytest.mark.parametrize(
    "call, kind, message",
    [
        (lambda: cl.equivariance_error("f", jnp.abs, np.zeros(3)), TypeError, "`f` must be a function of one array; got str"),
        (lambda: cl.invariance_error(jnp.abs, 3, np.zeros(3)), TypeError, "`g` must be a function"),
        (lambda: cl.p4_lifting_conv(np.zeros((4, 4)), np.zeros((1, 1, 3, 3))), ValueError, r"`x` must have shape \(N, C_in, H, W\)"),
        (lambda: cl.p4_lifting_conv(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 2))), ValueError, "`w` must be square"),
        (lambda: cl.p4_lifting_conv(np.zeros((1, 2, 4, 4)), np.zeros((1, 1, 3, 3))), ValueError, "`w` has C_in = 1 but `x` has 2 channels"),
        (lambda: cl.p4_group_conv(np.zeros((1, 2, 3, 4, 4)), np.zeros((1, 2, 4, 3, 3))), ValueError, r"`y` must have shape \(N, C_in, 4, H, W\)"),
        (lambda: cl.p4_group_conv(np.zeros((1, 2, 4, 4, 4)), np.zeros((1, 3, 4, 3, 3))), ValueError, r"`w` must have shape \(C_out, C_in=2, 4, k, k\)"),
        (lambda: cl.p4_pool(np.zeros((1, 2, 4, 4, 4)), "min"), ValueError, "`mode` must be one of 'max', 'mean'"),
        (lambda: cl.fraction_changed(np.zeros(3), np.zeros(4)), ValueError, "`a` and `b` must have the same shape"),
        (lambda: cl.shift_change_fractions(np.zeros((1, 2, 3))), ValueError, r"`x` must have shape \(L,\) or \(H, W\)"),
    ],
)
def test_error_messages(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


def test_equivariance_widget_never_recompiles():
    from cnnlib.widgets import equivariance as W

    img = np.random.default_rng(5).random((16, 16)).astype(np.float32)
    box = cl.widgets.equivariance_explorer(img)
    assert "relative error 0.000" in box.update(transform="shift", layer="conv", dx=3, dy=-2)
    before = W._frame._cache_size()
    for t in W.TRANSFORMS:
        for layer in W.LAYERS:
            for v in (1,):
                box.update(transform=t, layer=layer, dx=v, dy=-v, angle=40.0 * v, scale=0.6 * v, amplitude=1.5 * v)
    assert W._frame._cache_size() == before
    assert "relative error 0.000" in box.update(transform="rotate", layer="p4 conv", angle=90.0)
    assert "relative error 0.000" in box.update(transform="shift", layer="conv + ReLU + max pool", dx=2, dy=4)
    assert "relative error 0.000" not in box.update(transform="shift", layer="conv + ReLU + max pool", dx=1)
    fig = W.equivariance_figure(img, transform="rotate", layer="conv", angle=30.0)
    assert len(fig.axes) == 4


def test_pooling_widget_counts_and_never_recompiles():
    from cnnlib.widgets import equivariance as W

    box = cl.widgets.pooling_shift_explorer([0.1, 1.0, 0.2, 0.1, 0.0, 0.3])
    before = W._pool_rows._cache_size()
    texts = [box.update(shift=s, width=k) for s in range(5) for k in range(1, 8)]
    assert W._pool_rows._cache_size() == before
    assert "detector values changed 0/6" in texts[0]
    fig, text = cl.widgets.pooling_shift_figure([0.1, 1.0, 0.2, 0.1, 0.0, 0.3], shift=1, width=1)
    assert "pooled values changed 6/6" in text  # width 1 pools nothing


def test_oriented_kernel():
    w = np.asarray(cl.oriented_kernel(9, angle=30.0, sigma=2.0))
    assert w.shape == (9, 9) and np.isclose(np.abs(w).sum(), 1.0)
    np.testing.assert_allclose(np.rot90(w, 2), -w, atol=1e-7)  # antisymmetric
    np.testing.assert_allclose(cl.oriented_kernel(9, angle=120.0), np.rot90(w), atol=1e-6)  # turning = adding 90 degrees
    with pytest.raises(ValueError, match="`sigma` must be > 0.0"):
        cl.oriented_kernel(5, sigma=0)


def test_explorer_greys_out_the_sliders_the_chosen_transform_ignores():
    img = np.random.default_rng(0).random((32, 32)).astype(np.float32)
    box = cl.widgets.equivariance_explorer(img)
    enabled = lambda: sorted(n for n in ("dx", "dy", "angle", "scale", "amplitude") if not box.controls[n].disabled)
    assert enabled() == ["dx", "dy"]
    box.controls["transform"].value = "rotate"
    assert enabled() == ["angle"]
    box.controls["transform"].value = "deform"
    assert enabled() == ["amplitude"]


def test_grid_shift_error_and_half_sample_error_answer_different_questions():
    """equivariance_error compares with a whole-pixel shift of f(x), relative to ||f(x)||; after a stride-2
    layer and an odd input shift none reproduces the output. shift_equivariance_errors (notebook 05) asks
    whether the output moved by half a sample, read by Fourier interpolation: for a band-limited map, yes."""
    j = np.arange(32)
    x = jnp.asarray(np.cos(2 * np.pi * 3 * j / 32)[None, :].repeat(32, axis=0), jnp.float32)   # 3 cycles, circular
    subsample = lambda z: z[..., ::2]  # noqa: E731  (32, 16): well below the new Nyquist frequency
    right = lambda z: cl.shift(z, 0, 1)  # noqa: E731
    grid = [cl.equivariance_error(subsample, right, x, g_out=lambda z, d=d: cl.shift(z, 0, d)) for d in (-1, 0, 1)]
    # a shift of the cosine by one input pixel changes its phase by 2 pi 3 / 32: error 2 sin(pi 3 / 32) either way
    np.testing.assert_allclose(min(grid), 2 * np.sin(np.pi * 3 / 32), rtol=1e-4)
    half = cl.shift_equivariance_errors(subsample, x, [1])[0, 0]
    assert half < 1e-4
