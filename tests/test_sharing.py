"""Parameter sharing: counts against closed forms and real arrays, unshared/tiled layers against NumPy loops."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cnnlib as cl
from cnnlib.sharing import layer_summary, stacked_conv_summary


# ---------------------------------------------------------------- NumPy oracles


def local_loop(x, w, stride=1):
    """y[o, i, j] = sum_{c, a, b} x[c, i*s + a, j*s + b] w[i, j, o, c, a, b], one position at a time."""
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    oh, ow, c_out, c_in, kh, kw = w.shape
    n = x.shape[0]
    y = np.zeros((n, c_out, oh, ow))
    for b in range(n):
        for o in range(c_out):
            for i in range(oh):
                for j in range(ow):
                    window = x[b, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
                    y[b, o, i, j] = np.sum(window * w[i, j, o])
    return y


def tiled_loop(x, w, stride=1):
    """Position (i, j) uses bank entry (i mod tH, j mod tW)."""
    th, tw, c_out, c_in, kh, kw = w.shape
    oh = (x.shape[2] - kh) // stride + 1
    ow = (x.shape[3] - kw) // stride + 1
    full = np.empty((oh, ow, c_out, c_in, kh, kw))
    for i in range(oh):
        for j in range(ow):
            full[i, j] = w[i % th, j % tw]
    return local_loop(x, full, stride)


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("shape", [(1, 1, 5, 6, 2, 3), (2, 3, 7, 7, 3, 3)])
def test_locally_connected_matches_a_loop(shape, stride):
    n, c_in, h, w_, kh, kw = shape
    kx, kw_ = jax.random.split(jax.random.key(1))
    x = jax.random.normal(kx, (n, c_in, h, w_))
    oh, ow = (h - kh) // stride + 1, (w_ - kw) // stride + 1
    w = jax.random.normal(kw_, (oh, ow, 2, c_in, kh, kw))
    y = cl.locally_connected2d(x, w, stride=stride)
    np.testing.assert_allclose(y, local_loop(x, w, stride), rtol=1e-5, atol=1e-5)


def test_locally_connected_with_equal_kernels_is_conv2d():
    kx, kw = jax.random.split(jax.random.key(2))
    x = jax.random.normal(kx, (2, 3, 9, 8))
    k = jax.random.normal(kw, (4, 3, 3, 2))
    for padding, stride in [("valid", 1), ("same", 1), (1, 2)]:
        ref = cl.conv2d(x, k, padding=padding, stride=stride)
        w = jnp.broadcast_to(k, ref.shape[2:] + k.shape)  # (H', W', C_out, C_in, kH, kW)
        y = cl.locally_connected2d(x, w, padding=padding, stride=stride)
        np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


def test_locally_connected_single_channel_form():
    x = jnp.arange(9.0).reshape(3, 3)
    w = jnp.ones((2, 2, 2, 2))
    np.testing.assert_allclose(cl.locally_connected2d(x, w), [[8, 12], [20, 24]])


@pytest.mark.parametrize(("tile", "stride"), [((1, 1), 1), ((2, 2), 2), ((3, 2), 1)])
def test_tiled_matches_a_loop(tile, stride):
    kx, kw = jax.random.split(jax.random.key(3))
    x = jax.random.normal(kx, (2, 2, 8, 9))
    w = jax.random.normal(kw, (*tile, 3, 2, 3, 3))
    y = cl.tiled_conv2d(x, w, stride=stride)
    np.testing.assert_allclose(y, tiled_loop(x, w, stride), rtol=1e-5, atol=1e-5)


def test_tiled_with_equal_kernels_is_conv2d_and_full_tile_is_local():
    kx, kw = jax.random.split(jax.random.key(4))
    x = jax.random.normal(kx, (1, 2, 7, 7))
    k = jax.random.normal(kw, (3, 2, 3, 3))
    bank = jnp.broadcast_to(k, (2, 2) + k.shape)
    np.testing.assert_allclose(cl.tiled_conv2d(x, bank), cl.conv2d(x, k), rtol=1e-5, atol=1e-5)
    w = jax.random.normal(kw, (5, 5, 3, 2, 3, 3))  # tile = output size: nothing repeats
    np.testing.assert_allclose(cl.tiled_conv2d(x, w), cl.locally_connected2d(x, w), rtol=1e-5, atol=1e-5)


def test_tiled_is_jittable_and_single_channel():
    x = jnp.ones((2, 4))
    w = jnp.array([[[[1.0]], [[10.0]]]])  # (1, 2, 1, 1)
    np.testing.assert_allclose(cl.tiled_conv2d(x, w), [[1, 10, 1, 10], [1, 10, 1, 10]])
    np.testing.assert_allclose(jax.jit(cl.locally_connected2d)(x, jnp.ones((2, 4, 1, 1))), x)


# ---------------------------------------------------------------- counts


def test_lecture_numbers():
    # 100x100 colour image, one 5x5 filter with same padding, no bias: 75 weights
    assert cl.param_count("conv", (3, 100, 100), out_channels=1, kernel=5, padding="same", bias=False) == 75
    # a dense layer to a same-size hidden layer: 300,000,000
    assert cl.param_count("dense", (3, 100, 100), out_features=100 * 100, bias=False) == 300_000_000
    assert cl.param_count("conv", (3, 32, 32), out_channels=1, kernel=5) == 76  # CIFAR-10
    assert cl.param_count("conv", (3, 8, 8), out_channels=1, kernel=3) == 28
    conv = layer_summary("conv", (1, 32, 32), out_channels=6, kernel=5, padding=2)
    assert conv.out_shape == (6, 32, 32) and conv.params == 156
    pool = layer_summary("maxpool", conv.out_shape, kernel=2, stride=2)
    assert pool.out_shape == (6, 16, 16) and pool.params == 0
    for n in (1, 10):
        assert cl.param_count("dense", pool.out_shape, out_features=n) == (16 * 16 * 6 + 1) * n
    assert layer_summary("flatten", (64, 4, 4)).out_shape == (1024,)


@pytest.mark.parametrize(
    ("n", "k", "s", "p", "out"),
    [(5, 3, 1, 0, 3), (7, 3, 1, 0, 5), (7, 3, 2, 0, 3), (7, 3, 1, 1, 7), (7, 3, 2, 1, 4)],
)
def test_output_sizes_agree_with_conv2d(n, k, s, p, out):
    summary = layer_summary("conv", (n, n), out_channels=1, kernel=k, stride=s, padding=p)
    y = cl.conv2d(jnp.ones((n, n)), jnp.ones((k, k)), stride=s, padding=p)
    assert summary.out_shape == (1, out, out) and y.shape == (out, out)


def test_count_rule_for_every_kind():
    kw = dict(out_channels=4, kernel=3)
    c, h, w = 2, 10, 9
    per = c * 3 * 3 + 1
    assert cl.param_count("conv", (c, h, w), **kw) == 4 * per
    assert cl.param_count("tiled", (c, h, w), tile=2, **kw) == 2 * 2 * 4 * per
    assert cl.param_count("local", (c, h, w), **kw) == 8 * 7 * 4 * per
    assert cl.param_count("local", (c, h, w), bias=False, **kw) == 8 * 7 * 4 * (per - 1)
    assert cl.mac_count("conv", (c, h, w), **kw) == cl.mac_count("local", (c, h, w), **kw) == 8 * 7 * 4 * (per - 1)
    assert cl.mac_count("dense", (c, h, w), out_features=5) == c * h * w * 5


def test_counts_equal_the_sizes_of_real_params():
    pytest.importorskip("optax")
    nets = cl.nets
    key = jax.random.key(0)
    model = nets.conv_net((1, 12, 12), channels=(3,), kernel=5, pool=2, n_classes=10)
    conv = layer_summary("conv", (1, 12, 12), out_channels=3, kernel=5)
    pool = layer_summary("maxpool", conv.out_shape, kernel=2)
    head = layer_summary("dense", pool.out_shape, out_features=10)
    assert nets.count_params(model.init(key)) == conv.params + head.params
    model = nets.locally_connected_net((1, 12, 12), channels=(3,), kernel=5, pool=2, n_classes=10)
    local = layer_summary("local", (1, 12, 12), out_channels=3, kernel=5)
    assert nets.count_params(model.init(key)) == local.params + head.params
    model = nets.dense_net((1, 12, 12), hidden=(7,), n_classes=10)
    first = layer_summary("dense", (1, 12, 12), out_features=7)
    assert nets.count_params(model.init(key)) == first.params + layer_summary("dense", (7,), out_features=10).params


def test_stacks_two_3x3_versus_one_5x5_and_separable():
    two = stacked_conv_summary([3, 3], (1, 32, 32))
    one = stacked_conv_summary([5], (1, 32, 32))
    sep = stacked_conv_summary([(1, 5), (5, 1)], (1, 32, 32))
    assert two.receptive_field == one.receptive_field == sep.receptive_field == (5, 5)
    assert (two.params, one.params, sep.params) == (18, 25, 10)
    assert (two.macs, one.macs, sep.macs) == (18 * 32 * 32, 25 * 32 * 32, 10 * 32 * 32)
    assert stacked_conv_summary([3, 3], (4, 8, 8), bias=True).params == 2 * 4 * (4 * 9 + 1)


def test_two_stacked_3x3_really_see_5x5():
    impulse = jnp.zeros((9, 9)).at[4, 4].set(1.0)
    y = cl.conv2d(cl.conv2d(impulse, jnp.ones((3, 3)), padding="same"), jnp.ones((3, 3)), padding="same")
    rows, cols = np.nonzero(np.asarray(y))
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (5, 5)


# ---------------------------------------------------------------- separable


def test_rank_one_kernel_is_exact_and_1x5_then_5x1_equals_5x5():
    g = jnp.exp(-0.5 * (jnp.arange(5.0) - 2) ** 2)
    kernel = jnp.outer(g, g) / jnp.sum(g) ** 2  # a 5x5 Gaussian: rank 1
    sep = cl.separable_approx(kernel, 1)
    assert sep.rel_error < 1e-6 and sep.columns.shape == (1, 5) and sep.rows.shape == (1, 5)
    np.testing.assert_allclose(sep.kernel, kernel, atol=1e-7)
    x = jax.random.normal(jax.random.key(5), (20, 17))
    two_pass = cl.conv2d(cl.conv2d(x, sep.rows[0][None, :]), sep.columns[0][:, None])  # 1x5 then 5x1
    np.testing.assert_allclose(two_pass, cl.conv2d(x, kernel), rtol=1e-5, atol=1e-6)


def test_svd_error_matches_the_singular_values_and_full_rank_is_exact():
    k = jax.random.normal(jax.random.key(6), (5, 5))
    s = np.linalg.svd(np.asarray(k, np.float64), compute_uv=False)
    for r in range(1, 6):
        sep = cl.separable_approx(k, r)
        expected = np.sqrt(np.sum(s[r:] ** 2) / np.sum(s**2))
        assert sep.rel_error == pytest.approx(expected, abs=1e-5)
        direct = np.linalg.norm(np.asarray(k) - np.asarray(sep.kernel)) / np.linalg.norm(np.asarray(k))
        assert direct == pytest.approx(expected, abs=1e-5)
    assert cl.separable_approx(k, 5).rel_error < 1e-5


def test_sum_of_separable_passes_equals_the_approximation():
    k = jax.random.normal(jax.random.key(7), (5, 5))
    sep = cl.separable_approx(k, 2)
    x = jax.random.normal(jax.random.key(8), (12, 12))
    passes = sum(cl.conv2d(cl.conv2d(x, sep.rows[r][None, :]), sep.columns[r][:, None]) for r in range(2))
    np.testing.assert_allclose(passes, cl.conv2d(x, sep.kernel), rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- errors


def test_error_messages():
    with pytest.raises(ValueError, match="`kind` must be one of 'dense', 'conv'"):
        cl.param_count("convolution", (1, 5, 5))
    with pytest.raises(ValueError, match="`out_channels` is needed for a 'conv' layer"):
        cl.param_count("conv", (1, 5, 5), kernel=3)
    with pytest.raises(ValueError, match="`tile` is needed"):
        cl.param_count("tiled", (1, 5, 5), kernel=3, out_channels=1)
    with pytest.raises(ValueError, match="`out_features` is needed"):
        cl.param_count("dense", (1, 5, 5))
    with pytest.raises(ValueError, match=r"`in_shape` of a conv layer must be \(C, H, W\)"):
        cl.param_count("conv", (1, 1, 5, 5), kernel=3, out_channels=1)
    with pytest.raises(ValueError, match=r"leading axes \(H', W'\) = \(2, 2\) for this `x`, `stride` and `padding`; got \(3, 3\)"):
        cl.locally_connected2d(jnp.ones((3, 3)), jnp.ones((3, 3, 2, 2)))
    with pytest.raises(ValueError, match=r"`w` must have shape \(H', W', C_out, C_in, kH, kW\)"):
        cl.locally_connected2d(jnp.ones((1, 1, 3, 3)), jnp.ones((2, 2, 2, 2)))
    with pytest.raises(ValueError, match="C_in = 2 on axis 3"):
        cl.tiled_conv2d(jnp.ones((1, 2, 5, 5)), jnp.ones((2, 2, 1, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"`kernel` must have shape \(kH, kW\)"):
        cl.separable_approx(jnp.ones(5))
    with pytest.raises(ValueError, match="`rank` must be <= 3"):
        cl.separable_approx(jnp.ones((3, 5)), 4)
    with pytest.raises(ValueError, match="`kernels` must be a non-empty sequence"):
        stacked_conv_summary(3, (5, 5))


# ---------------------------------------------------------------- widgets and exercises


def test_sliding_window_update_reports_the_formula_and_compiles_nothing():
    import ipywidgets  # noqa: F401

    box = cl.widgets.stride_explorer()
    assert "(7 - 3 + 2*0)/2 + 1 = 3" in box.readout.value
    with jax.log_compiles(True):
        import logging

        records = []
        handler = logging.Handler()
        handler.emit = records.append
        logging.getLogger("jax").addHandler(handler)
        try:
            text = box.update(n=7, k=3, padding=0, stride=3, step=4)
            box.controls["n"].value = 9
        finally:
            logging.getLogger("jax").removeHandler(handler)
    assert not [r for r in records if "Compiling" in r.getMessage()]
    assert "= 2 (rounded down)" in text and "window 1 of 4" in text and "never read" in text
    assert "(9 - 3 + 2*0)/2 + 1 = 4" in box.readout.value
    assert "does not fit" in box.update(n=2, k=5, padding=0, stride=1, step=0)


def test_sliding_window_view_numbers():
    import matplotlib.pyplot as plt

    from cnnlib.widgets.sharing import SlidingWindow

    fig, (a, b) = plt.subplots(1, 2)
    view = SlidingWindow(a, b, 11)
    info = view.show(7, 3, 1, 2, step=5)  # 4x4 output, 6th window: row 1, col 1
    assert (info["out"], info["row"], info["col"], info["top"], info["left"], info["missed"]) == (4, 1, 1, 2, 2, 0)
    assert view.show(7, 3, 0, 3)["missed"] == 7 + 6  # last row and column never read
    plt.close(fig)


def _unread_by_brute_force(n, k, padding, stride):
    """Input pixels that no window reads, by listing every window's pixels."""
    side = n + 2 * padding
    out = max((side - k) // stride + 1, 0)
    read = set()
    for i in range(out):
        for j in range(out):
            read |= {(i * stride + a, j * stride + b) for a in range(k) for b in range(k)}
    inside = {(r, c) for r in range(padding, padding + n) for c in range(padding, padding + n)}
    return len(inside - read)


@pytest.mark.parametrize("n, k, padding, stride", [(7, 1, 0, 3), (7, 2, 0, 3), (9, 3, 1, 3), (6, 3, 1, 2), (7, 3, 0, 3), (8, 1, 2, 2)])
def test_sliding_window_marks_every_unread_pixel(n, k, padding, stride):
    """With stride > k the rows between windows are never read either (not only the last ones)."""
    import matplotlib.pyplot as plt

    from cnnlib.widgets.sharing import SlidingWindow

    fig, (a, b) = plt.subplots(1, 2)
    view = SlidingWindow(a, b, 13)
    assert view.show(n, k, padding, stride)["missed"] == _unread_by_brute_force(n, k, padding, stride)
    plt.close(fig)


def test_weight_sharing_figure_counts_uses():
    import matplotlib.pyplot as plt

    from cnnlib.widgets.sharing import draw_weight_sharing

    fig, (a, b) = plt.subplots(1, 2)
    assert draw_weight_sharing(a, b, 3) == {"uses": 4, "weights": 4, "dense_weights": 36}
    plt.close(fig)
    box = cl.widgets.weight_sharing_explorer()
    assert "w_{11} multiplies 4 pixels" in box.readout.value
    assert "w_{22}" in box.update(weight=3)


@pytest.mark.parametrize("n, k", [(3, 2), (4, 3), (5, 2), (4, 4)])
def test_weight_sharing_view_matches_closed_forms(n, k):
    """Each of the k*k weights is used once per output: (n - k + 1)^2 times; a dense layer needs n^2 (n - k + 1)^2."""
    from matplotlib.figure import Figure

    from cnnlib.widgets.sharing import WeightSharingView

    a, b = Figure().subplots(1, 2)
    view = WeightSharingView(a, b, n=n, k=k)
    outputs = (n - k + 1) ** 2
    for weight in range(k * k):
        assert view.show(weight) == {"uses": outputs, "weights": k * k, "dense_weights": n * n * outputs}
        r, c = divmod(weight, k)
        # The tinted cells sit on the pixels this weight multiplies: rows r .. r + n - k, columns c .. c + n - k.
        corners = sorted((round(cell.get_x() + 0.45), round(cell.get_y() + 0.45)) for cell in view.cells)
        assert corners == sorted((c + j, r + i) for i in range(n - k + 1) for j in range(n - k + 1))
        assert len(view.hot.get_segments()) == outputs
        assert len(view.cold.get_segments()) == outputs * (k * k - 1)
    with pytest.raises(ValueError, match="`weight`"):
        view.show(k * k)
    with pytest.raises(ValueError, match="`k`"):
        WeightSharingView(a, b, n=2, k=3)


def test_checkers_tick_and_give_specific_hints(capsys):
    ex = cl.exercises
    assert ex.check_conv_params(156) and not ex.check_conv_params(150)
    assert "forgot the bias" in capsys.readouterr().out
    assert ex.check_conv_shape((32, 32, 6)) and ex.check_conv_shape((6, 32, 32))
    assert not ex.check_conv_shape((28, 28, 6))
    assert "without padding" in capsys.readouterr().out
    assert ex.check_pool_shape([16, 16, 6]) and ex.check_pool_params(0) and not ex.check_pool_params(24)
    assert ex.check_dense_params((16 * 16 * 6 + 1) * 7, n_outputs=7)
    assert not ex.check_dense_params(16 * 16 * 6 * 7, n_outputs=7)
    assert "forgot the biases" in capsys.readouterr().out
    assert ex.check_output_size(6, n=11, k=5, stride=2, padding=2)
    assert not ex.check_output_size(4, n=11, k=5, stride=2, padding=2)  # no padding
    assert "without padding" in capsys.readouterr().out
    assert ex.check_local_params(159_744) and not ex.check_local_params(156)
    assert ex.check_stack(7, 27) and not ex.check_stack(9, 27)
    assert "3 - 1 = 2" in capsys.readouterr().out
    for checker in (ex.check_conv_params, ex.check_conv_shape, ex.check_local_params):
        assert checker(None) == False
    assert ex.check_stack(None, None) == False
    assert "Not yet" in capsys.readouterr().out


# ---------------------------------------------------------------- statistical efficiency: learning_curve


def _tiny_problem():
    """30 random 4x4 images in 3 classes, split 24 / 6, and a dense net with one hidden layer."""
    kx, ky = jax.random.split(jax.random.key(11))
    x = np.asarray(jax.random.normal(kx, (30, 4, 4)))
    y = np.asarray(jax.random.randint(ky, (30,), 0, 3))
    return (x[:24], y[:24]), (x[24:], y[24:]), cl.nets.dense_net((1, 4, 4), hidden=(5,), n_classes=3)


def adam_loop(model, params, x, y, table, lr, b1=0.9, b2=0.999, eps=1e-8):
    """Adam written out in NumPy (Kingma & Ba), one step per row of `table`, on the mean cross-entropy."""

    def loss(p, xb, yb):
        logits = model.apply(p, xb)
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), yb[:, None], axis=1))

    leaves, tree = jax.tree_util.tree_flatten(params)
    theta = [np.asarray(v, np.float64) for v in leaves]
    m = [np.zeros_like(v) for v in theta]
    v = [np.zeros_like(t) for t in theta]
    for t, rows in enumerate(np.asarray(table), start=1):
        p = jax.tree_util.tree_unflatten(tree, [jnp.asarray(a, jnp.float32) for a in theta])
        grads = jax.tree_util.tree_leaves(jax.grad(loss)(p, jnp.asarray(x[rows]), jnp.asarray(y[rows])))
        for i, g in enumerate(grads):
            g = np.asarray(g, np.float64)
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g**2
            theta[i] = theta[i] - lr * (m[i] / (1 - b1**t)) / (np.sqrt(v[i] / (1 - b2**t)) + eps)
    return jax.tree_util.tree_unflatten(tree, theta)


def test_learning_curve_matches_adam_written_out_for_every_seed_and_size():
    (x, y), (xt, yt), model = _tiny_problem()
    sizes, seeds, steps, batch, lr = (5, 12, 24), 2, 6, 4, 0.05
    key = jax.random.key(5)
    curve = cl.sharing.learning_curve(model, (x, y), (xt, yt), sizes=sizes, key=key, seeds=seeds,
                                      steps=steps, batch_size=batch, lr=lr)
    assert curve.sizes == sizes and curve.test_accuracy.shape == curve.train_accuracy.shape == (seeds, 3)
    for s in range(seeds):
        k_subset, k_init, k_batch = jax.random.split(jax.random.fold_in(key, s), 3)  # the documented scheme
        order = np.asarray(jax.random.permutation(k_subset, len(y)))
        np.testing.assert_array_equal(curve.train_indices[s], order[:24])
        for i, n in enumerate(sizes):
            table = np.asarray(jax.random.randint(k_batch, (steps, batch), 0, n))
            assert table.max() < n
            expected = adam_loop(model, model.init(k_init), x, y, order[:n][table], lr)
            got = jax.tree_util.tree_map(lambda leaf: leaf[s, i], curve.params)
            for a, b in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(expected)):
                np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
            # accuracies from the run's own parameters, counted in NumPy
            logits_test = np.asarray(model.apply(got, jnp.asarray(xt)))
            logits_train = np.asarray(model.apply(got, jnp.asarray(x[order[:n]])))
            assert curve.test_accuracy[s, i] == np.mean(logits_test.argmax(1) == yt)
            assert curve.train_accuracy[s, i] == np.mean(logits_train.argmax(1) == y[order[:n]])


def test_learning_curve_sets_are_nested_distinct_and_differ_between_seeds():
    (x, y), test, model = _tiny_problem()
    curve = cl.sharing.learning_curve(model, (x, y), test, sizes=[3, 10], key=jax.random.key(0), seeds=3, steps=0)
    idx = curve.train_indices
    assert idx.shape == (3, 10)
    for row in idx:
        assert len(set(row.tolist())) == 10 and row.min() >= 0 and row.max() < 24
    assert len({tuple(row) for row in idx}) == 3
    # zero steps: every run keeps its seed's initial weights, the same for both sizes
    first = curve.params[0]["w"]  # (seeds, sizes, 16, 5): the first layer's weights
    np.testing.assert_array_equal(first[:, 0], first[:, 1])
    assert not np.array_equal(first[0, 0], first[1, 0])


def test_learning_curve_compiles_one_training_function_for_all_runs():
    (x, y), test, model = _tiny_problem()
    cl.sharing.learning_curve(model, (x, y), test, sizes=[4, 9, 24], key=jax.random.key(0), seeds=3, steps=3, lr=0.01)
    run = cl.sharing._curve_runner(model, 32, 0.01)
    assert run._cache_size() == 1


def test_learning_curve_error_messages():
    (x, y), test, model = _tiny_problem()
    lc = cl.sharing.learning_curve
    key = jax.random.key(0)
    with pytest.raises(ValueError, match="`sizes` must be <= 24; got 25"):
        lc(model, (x, y), test, sizes=[5, 25], key=key)
    with pytest.raises(ValueError, match="`sizes` must be a non-empty sequence"):
        lc(model, (x, y), test, sizes=5, key=key)
    with pytest.raises(ValueError, match="`sizes` must be >= 1"):
        lc(model, (x, y), test, sizes=[0], key=key)
    with pytest.raises(TypeError, match="`model` must have init"):
        lc("conv", (x, y), test, sizes=[5], key=key)
    with pytest.raises(ValueError, match="`train` must be a pair"):
        lc(model, x, test, sizes=[5], key=key)
    with pytest.raises(ValueError, match=r"`test\[1\]` must be integer labels of shape \(6,\)"):
        lc(model, (x, y), (test[0], test[1].astype(float)), sizes=[5], key=key)
    with pytest.raises(TypeError, match="`key` must be a JAX PRNG key"):
        lc(model, (x, y), test, sizes=[5], key=0)
    with pytest.raises(ValueError, match="`lr` must be > 0.0"):
        lc(model, (x, y), test, sizes=[5], key=key, lr=0)


def test_learning_curve_compiles_once_for_every_size_set_seed_and_lr():
    """Notebook 02's sweep: one compiled training program per model, whatever the sizes, seeds or step size."""
    import logging

    (x, y), test, model = _tiny_problem()
    compiles = []

    class Count(logging.Handler):
        def emit(self, record):
            if "Finished XLA compilation of jit(one_run)" in record.getMessage():
                compiles.append(record.getMessage())

    handler = Count()
    logger = logging.getLogger("jax")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        with jax.log_compiles():
            for sizes, lr in (([4], 0.01), ([4, 9, 24], 0.01), ([3, 5], 0.02)):
                cl.sharing.learning_curve(model, (x, y), test, sizes=sizes, key=jax.random.key(0), seeds=2, steps=3, lr=lr)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert len(compiles) <= 1  # 0 when an earlier test compiled it already; never one per size or per call
    assert cl.sharing._curve_runner(model, 32)._cache_size() == 1
