"""Tiny nets: shapes, parameter counts, deterministic training, and that they learn."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cnnlib as cl

nets = pytest.importorskip("cnnlib.nets")


def toy_data(n=96, size=8, key=1):
    """Two classes: a bright vertical or horizontal bar at a random place (needs no bundled data)."""
    rng = np.random.default_rng(key)
    x = np.zeros((n, size, size), np.float32)
    y = rng.integers(0, 2, n).astype(np.int32)
    pos = rng.integers(1, size - 1, n)
    for i in range(n):
        if y[i] == 0:
            x[i, 1:-1, pos[i]] = 1.0
        else:
            x[i, pos[i], 1:-1] = 1.0
    return jnp.asarray(x), jnp.asarray(y)


MODELS = {
    "dense": lambda: nets.dense_net((8, 8), hidden=(16,), n_classes=2),
    "conv": lambda: nets.conv_net((1, 8, 8), channels=(4,), kernel=3, n_classes=2, global_pool=True),
    "local": lambda: nets.locally_connected_net((1, 8, 8), channels=(4,), kernel=3, n_classes=2),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_logits_have_one_row_per_example(name):
    model = MODELS[name]()
    params = model.init(jax.random.key(0))
    x, _ = toy_data(5)
    assert model.apply(params, x).shape == (5, 2)
    assert model.apply(params, x[:, None]).shape == (5, 2)  # (N, 1, H, W) works too


def test_conv_net_applies_conv2d_bias_relu_pool():
    model = nets.conv_net((1, 6, 6), channels=(1,), kernel=3, pool=2, n_classes=1)
    params = model.init(jax.random.key(0))
    x = jax.random.normal(jax.random.key(1), (2, 6, 6))
    p = params["features"][0]
    h = jax.nn.relu(cl.conv2d(x[:, None], p["w"]) + p["b"][:, None, None])
    h = cl.max_pool2d(h, 2).reshape(2, -1)
    np.testing.assert_allclose(model.apply(params, x), h @ params["head"]["w"] + params["head"]["b"], rtol=1e-5)


def test_locally_connected_net_with_shared_weights_is_the_conv_net():
    conv = nets.conv_net((1, 8, 8), channels=(3,), kernel=3, n_classes=2)
    local = nets.locally_connected_net((1, 8, 8), channels=(3,), kernel=3, n_classes=2)
    pc = conv.init(jax.random.key(0))
    f = pc["features"][0]
    pl = {
        "features": [{"w": jnp.broadcast_to(f["w"], (6, 6) + f["w"].shape), "b": jnp.broadcast_to(f["b"][:, None, None], (3, 6, 6))}],
        "head": pc["head"],
    }
    x, _ = toy_data(4)
    np.testing.assert_allclose(local.apply(pl, x), conv.apply(pc, x), rtol=1e-5, atol=1e-5)


def test_training_is_deterministic_given_the_key():
    model = MODELS["conv"]()
    data = toy_data(40)
    runs = [
        nets.train(model, model.init(jax.random.key(0)), data, key=jax.random.key(3), epochs=2, batch_size=16, progress=False)
        for _ in range(2)
    ]
    for a, b in zip(jax.tree_util.tree_leaves(runs[0][0]), jax.tree_util.tree_leaves(runs[1][0])):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    other, _ = nets.train(model, model.init(jax.random.key(0)), data, key=jax.random.key(4), epochs=2, batch_size=16, progress=False)
    assert not np.array_equal(other["head"]["w"], runs[0][0]["head"]["w"])  # another key, another order


def test_a_tiny_conv_net_learns():
    model = MODELS["conv"]()
    x, y = toy_data(96)
    params = model.init(jax.random.key(0))
    params, losses = nets.train(model, params, (x[:64], y[:64]), key=jax.random.key(1), epochs=30, batch_size=16, lr=1e-2, progress=False)
    assert losses.shape == (30,) and losses[-1] < 0.5 * losses[0]
    assert nets.accuracy(model, params, x[64:], y[64:]) >= 0.75  # chance is 0.5
    assert nets.predict(model, params, x[:3]).shape == (3,)


def test_progress_bar_can_be_shown(capsys):
    model = MODELS["dense"]()
    nets.train(model, model.init(jax.random.key(0)), toy_data(16), key=jax.random.key(0), epochs=1, progress=True)
    assert "training dense net" in capsys.readouterr().err


def test_count_params_counts_every_array():
    assert nets.count_params({"a": jnp.zeros((2, 3)), "b": [jnp.zeros(4)]}) == 10


def test_error_messages():
    model = MODELS["dense"]()
    params = model.init(jax.random.key(0))
    x, y = toy_data(8)
    with pytest.raises(ValueError, match="`data` must be a pair"):
        nets.train(model, params, x, key=jax.random.key(0))
    with pytest.raises(ValueError, match=r"`data\[1\]` must be integer labels of shape \(8,\)"):
        nets.train(model, params, (x, y[:4]), key=jax.random.key(0))
    with pytest.raises(TypeError, match="`key` must be a JAX PRNG key"):
        nets.train(model, params, (x, y), key=0)
    with pytest.raises(ValueError, match="`lr` must be > 0"):
        nets.train(model, params, (x, y), key=jax.random.key(0), lr=0)
    with pytest.raises(ValueError, match=r"`in_shape` must be \(H, W\) or \(C, H, W\)"):
        nets.dense_net((1, 1, 8, 8))
    with pytest.raises(ValueError, match="too small"):
        nets.conv_net((1, 4, 4), channels=(2, 2), kernel=3)


# ---------------------------------------------------------------- predict, digits_cnn, the notebook-05 experiment


def test_predict_pads_to_one_batch_size_and_drops_the_padding():
    model = nets.conv_net((1, 8, 8), channels=(3,), kernel=3, n_classes=4, global_pool=True)
    params = model.init(jax.random.key(1))
    x = jax.random.normal(jax.random.key(2), (300, 8, 8))
    want = np.asarray(jnp.argmax(model.apply(params, x), axis=-1))  # oracle: one call, no batching
    np.testing.assert_array_equal(nets.predict(model, params, x, batch_size=128), want)
    apply = nets._jitted_apply(model)
    before = apply._cache_size()
    for n in (200, 256, 131):  # every batch is 128 images (the last topped up): no new compilation
        np.testing.assert_array_equal(nets.predict(model, params, x[:n], batch_size=128), want[:n])
    assert apply._cache_size() == before
    assert nets.predict(model, params, x[:0]).shape == (0,)
    with pytest.raises(ValueError, match="`batch_size` must be >= 1; got 0"):
        nets.predict(model, params, x, batch_size=0)


def test_digits_cnn_init_is_the_eager_he_init_compiled_once():
    models = [nets.digits_cnn(d, k, in_shape=(1, 16, 16)) for d, k in (("max", 1), ("maxblur", 3), ("strided", 1))]
    key = jax.random.key(3)
    before = nets._digits_cnn_init._cache_size()
    params = [m.init(key) for m in models]
    assert nets._digits_cnn_init._cache_size() <= before + 1  # one compilation for every variant
    keys = jax.random.split(key, 4)
    for i, (a, b) in enumerate([(1, 8), (8, 16), (16, 32)]):
        eager = nets.init_conv(keys[i], a, b, 3)
        np.testing.assert_allclose(params[0]["convs"][i]["w"], eager["w"], atol=1e-6)
        np.testing.assert_array_equal(params[1]["convs"][i]["w"], params[0]["convs"][i]["w"])  # same init for every variant
    np.testing.assert_allclose(params[2]["head"]["w"], nets.init_dense(keys[3], 32, 10)["w"], atol=1e-6)


def test_digits_shift_experiment_is_train_accuracy_and_shift_consistency_with_the_documented_keys():
    """Oracle: the documented recipe written out by hand for one seed and one variant."""
    variants = [("max", 1), ("strided_blur", 3)]
    run = nets.digits_shift_experiment(variants, seeds=[4], epochs=1, lr=5e-3, batch_size=64, n_pairs=2, max_shift=1, canvas=12, channels=(2, 3))
    s = run["settings"]
    assert s == {
        "seeds": [4], "epochs": 1, "lr": 5e-3, "batch_size": 64, "optimiser": "Adam", "n_train": 1348, "n_test": 449,
        "canvas": 12, "max_shift": 1, "pairs_per_image": 2, "channels": [2, 3],
    }
    assert [r["name"] for r in run["results"]] == ["MaxPool", "strided conv + Blur-3"]
    assert [r["filter_size"] for r in run["results"]] == [1, 3]
    images, labels = cl.load_digits()
    k_split, k_train, k_test, k_init, k_order, k_pairs = jax.random.split(jax.random.key(1004), 6)
    tr, te = cl.data.train_test_split(k_split, len(labels))
    x_train, _, y_train = cl.data.digits_on_canvas(k_train, images[tr], labels[tr], canvas=12)
    x_test, _, y_test = cl.data.digits_on_canvas(k_test, images[te], labels[te], canvas=12)
    model = nets.digits_cnn("strided_blur", 3, in_shape=(1, 12, 12), channels=(2, 3))
    params, _ = nets.train(model, model.init(k_init), (x_train, y_train), key=k_order, epochs=1, batch_size=64, lr=5e-3, progress=False)
    acc = nets.accuracy(model, params, x_test, y_test)
    con = cl.shift_consistency(lambda b: nets.predict(model, params, b), x_test, max_shift=1, n_pairs=2, key=k_pairs)
    row = run["results"][1]
    assert row["accuracy"] == [pytest.approx(acc, abs=1e-9)] and row["consistency"] == [pytest.approx(con, abs=1e-9)]
    trained_model, trained_params = run["trained"]["strided conv + Blur-3"]
    assert trained_model.name == model.name and len(trained_params) == 1
    np.testing.assert_allclose(trained_params[0]["convs"][0]["w"], params["convs"][0]["w"], atol=1e-6)


def test_digits_shift_experiment_errors():
    with pytest.raises(ValueError, match="`variants` must list at least one"):
        nets.digits_shift_experiment([])
    with pytest.raises(ValueError, match=r"`variants` must hold \(downsampling, filter_size\) pairs; got 'max'"):
        nets.digits_shift_experiment(["max"])
    with pytest.raises(ValueError, match="`variants` must be one of 'max', 'maxblur', 'strided', 'strided_blur'; got 'avg'"):
        nets.digits_shift_experiment([("avg", 1)])
    with pytest.raises(ValueError, match="`variants` must be between 1 and 7"):
        nets.digits_shift_experiment([("maxblur", 9)])
    with pytest.raises(ValueError, match="`seeds` must hold at least one seed"):
        nets.digits_shift_experiment([("max", 1)], seeds=[])
    with pytest.raises(ValueError, match="`seeds` must be >= 1; got 0"):
        nets.digits_shift_experiment([("max", 1)], seeds=0)


# ---------------------------------------------------------------- the one training loop (cnnlib.training)


def test_adam_scan_is_adam_step_repeated_and_adam_written_out():
    from cnnlib import training

    def loss(p, t):
        return jnp.sum((p["a"] - t) ** 2) + 0.5 * jnp.sum(p["b"] ** 2)

    params = {"a": jnp.array([1.0, -2.0]), "b": jnp.array([0.5])}
    targets = jnp.array([[0.0, 0.0], [1.0, 1.0], [3.0, -1.0]])
    rates = jnp.array([0.1, 0.05, 0.2])
    scanned, _, losses = training.adam_scan(loss, params, (targets,), rates)
    p, state = params, training.adam_init(params)
    for t in range(3):
        p, state, value = training.adam_step(loss, p, state, (targets[t],), rates[t])
        assert float(value) == float(losses[t])
    for a, b in zip(jax.tree_util.tree_leaves(scanned), jax.tree_util.tree_leaves(p)):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    # Kingma & Ba, in NumPy
    theta = {k: np.asarray(v, np.float64) for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in theta.items()}
    v = {k: np.zeros_like(t) for k, t in theta.items()}
    for t in range(1, 4):
        g = {"a": 2 * (theta["a"] - np.asarray(targets[t - 1])), "b": theta["b"]}
        for k in theta:
            m[k] = 0.9 * m[k] + 0.1 * g[k]
            v[k] = 0.999 * v[k] + 0.001 * g[k] ** 2
            theta[k] = theta[k] - float(rates[t - 1]) * (m[k] / (1 - 0.9**t)) / (np.sqrt(v[k] / (1 - 0.999**t)) + 1e-8)
    for k in theta:
        np.testing.assert_allclose(scanned[k], theta[k], rtol=1e-5, atol=1e-5)


def test_every_trainer_uses_the_one_step_and_it_compiles_once_per_model_and_batch_shape():
    from cnnlib import training

    model = MODELS["dense"]()
    x, y = toy_data(40)
    nets.train(model, model.init(jax.random.key(0)), (x, y), key=jax.random.key(1), epochs=1, batch_size=8, progress=False)
    before = training._step._cache_size()
    for n, lr in ((40, 1e-2), (24, 3e-3), (17, 0.1)):  # other sizes, other step sizes: the same compiled step
        nets.train(model, model.init(jax.random.key(0)), (x[:n], y[:n]), key=jax.random.key(1), epochs=2, batch_size=8, lr=lr, progress=False)
    assert training._step._cache_size() == before


def test_train_refuses_labels_the_model_has_no_output_for_and_images_that_do_not_fit():
    model = MODELS["dense"]()  # 2 classes, 8x8 images
    x, y = toy_data(8)
    with pytest.raises(ValueError, match=r"`data\[1\]` must be class numbers below the model's 2 outputs; got 2"):
        nets.train(model, model.init(jax.random.key(0)), (x, y + 1), key=jax.random.key(0), progress=False)
    with pytest.raises(ValueError, match=r"`data\[0\]` of shape \(8, 6, 6\) does not fit the model"):
        nets.train(model, model.init(jax.random.key(0)), (x[:, :6, :6], y), key=jax.random.key(0), progress=False)
    with pytest.raises(TypeError, match="`progress` must be True or False"):
        nets.train(model, model.init(jax.random.key(0)), (x, y), key=jax.random.key(0), progress="no")
