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
