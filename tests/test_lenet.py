"""LeNet (cnnlib.lenet), its widget and the bundled MNIST subset, against independent oracles."""
from __future__ import annotations

import hashlib
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.signal import correlate2d

import cnnlib as cl
from cnnlib import lenet

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mnist():
    return cl.load_mnist()


@pytest.fixture(scope="module")
def net():
    model = lenet.lenet("max")
    return model, model.init(jax.random.key(0))


# ------------------------------------------------------------------ data
def test_load_mnist_shapes_values_and_classes(mnist):
    images, labels = mnist
    assert images.shape == (5000, 28, 28) and images.dtype == jnp.float32
    assert labels.shape == (5000,) and labels.dtype == jnp.int32
    assert float(images.min()) == 0.0 and float(images.max()) == 1.0
    assert np.bincount(np.asarray(labels), minlength=10).tolist() == [500] * 10
    raw = np.load(ROOT / "data" / "mnist_5k.npz")
    np.testing.assert_array_equal(np.round(np.asarray(images) * 255).astype(np.uint8), raw["images"])
    np.testing.assert_array_equal(np.asarray(labels), raw["labels"])


def test_mnist_file_matches_its_recorded_checksum():
    digest = hashlib.sha256((ROOT / "data" / "mnist_5k.npz").read_bytes()).hexdigest()
    lines = (ROOT / "data" / "checksums.sha256").read_text().splitlines()
    assert f"{digest}  mnist_5k.npz" in lines
    assert "mnist_5k.npz" in (ROOT / "data" / "README.md").read_text()


def test_a_corrupted_mnist_file_is_refused(tmp_path):
    from cnnlib import data

    (tmp_path / "mnist_5k.npz").write_bytes(b"not the digits")
    (tmp_path / "checksums.sha256").write_text((ROOT / "data" / "checksums.sha256").read_text())
    with pytest.raises(data.DataCorruptedError, match="`mnist_5k.npz` is corrupted"):
        data._read_checked(tmp_path, "mnist_5k.npz")


# ------------------------------------------------------------------ the network
def _numpy_lenet(params, x):
    """LeNet with scipy's correlate2d and NumPy reshapes: conv 'valid', ReLU, 2x2 max, twice; then dense, dense."""
    p = [{k: np.asarray(v, np.float64) for k, v in layer.items()} for layer in params]

    def conv(maps, w, b):  # maps (C_in, H, W), w (C_out, C_in, 5, 5)
        return np.stack([sum(correlate2d(maps[c], w[o, c], mode="valid") for c in range(maps.shape[0])) + b[o]
                         for o in range(w.shape[0])])

    def pool(maps):  # (C, H, W) -> (C, H/2, W/2)
        c, h, w = maps.shape
        return maps.reshape(c, h // 2, 2, w // 2, 2).max(axis=(2, 4))

    out = []
    for img in np.asarray(x, np.float64):
        a = pool(np.maximum(conv(img[None], p[0]["w"], p[0]["b"]), 0))
        a = pool(np.maximum(conv(a, p[1]["w"], p[1]["b"]), 0))
        h = np.maximum(a.ravel() @ p[2]["w"] + p[2]["b"], 0)
        out.append(h @ p[3]["w"] + p[3]["b"])
    return np.array(out)


def test_lenet_matches_a_numpy_oracle(net, mnist):
    model, params = net
    x = mnist[0][:3]
    np.testing.assert_allclose(model.apply(params, x), _numpy_lenet(params, x), rtol=1e-4, atol=1e-4)


def test_layer_shapes_and_parameter_counts_are_the_closed_forms(net):
    model, params = net
    rows = lenet.layer_summary(model, params)
    assert [r[0] for r in rows] == list(lenet.LAYERS)
    assert [r[1] for r in rows] == [(6, 24, 24), (6, 12, 12), (16, 8, 8), (16, 4, 4), (120,), (10,)]
    assert [r[2] for r in rows] == [6 * 26, 0, 16 * (6 * 25 + 1), 0, 120 * 257, 10 * 121]
    assert cl.nets.count_params(params) == sum(r[2] for r in rows) == 34622


def test_blur_variant_has_the_same_shapes_and_uses_max_blur_pool(net, mnist):
    _, params = net
    blur = lenet.lenet("blur")
    maps = lenet.features(blur, params, mnist[0][:2])
    assert maps["pool1"].shape == (2, 6, 12, 12) and maps["pool2"].shape == (2, 16, 4, 4)
    np.testing.assert_allclose(maps["pool1"], cl.max_blur_pool2d(maps["conv1"], 2, filter_size=3), atol=1e-6)
    assert not np.allclose(maps["pool1"], cl.max_pool2d(maps["conv1"], 2))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="`pool`"):
        lenet.lenet("avg")
    model = lenet.lenet()
    with pytest.raises(ValueError, match="`x`"):
        lenet.features(model, model.init(jax.random.key(0)), jnp.zeros((28, 28)))
    with pytest.raises(TypeError, match="`model` must come from cnnlib.lenet"):
        lenet.features(cl.nets.dense_net((1, 28, 28)), None, jnp.zeros((1, 28, 28)))


# ------------------------------------------------------------------ training
def test_training_lowers_the_loss_and_compiles_the_step_once(mnist):
    model = lenet.lenet("max")
    x, y = np.asarray(mnist[0][::25]), np.asarray(mnist[1][::25])  # 200 digits, every class
    params, history = lenet.train(model, model.init(jax.random.key(1)), (x, y), (x, y), key=jax.random.key(2), epochs=3)
    assert history["loss"].shape == (3,) and history["step_loss"].shape == (3 * 4,)
    assert history["loss"][-1] < history["loss"][0]
    assert history["test_accuracy"][-1] == pytest.approx(lenet.accuracy(model, params, x, y))
    before = lenet._step._cache_size()
    lenet.train(model, model.init(jax.random.key(3)), (x[:100], y[:100]), key=jax.random.key(4), epochs=5, lr=1e-3)
    assert lenet._step._cache_size() == before


def test_accuracy_counts_by_hand(net, mnist):
    model, params = net
    x, y = np.asarray(mnist[0][:700]), np.asarray(mnist[1][:700])
    predicted = np.argmax(_numpy_lenet(params, x[:5]), axis=1)
    assert lenet.accuracy(model, params, x[:5], predicted) == 1.0
    by_hand = np.mean(np.argmax(np.asarray(model.apply(params, x)), axis=1) == y)
    assert lenet.accuracy(model, params, x, y) == pytest.approx(by_hand)


# ------------------------------------------------------------------ measurements
def test_first_layer_is_exactly_equivariant_and_pooling_only_for_even_shifts(net, mnist):
    model, params = net
    x = mnist[0][:8]
    for pool in lenet.POOLS:
        eq = lenet.first_layer_equivariance(lenet.lenet(pool), params, x, [0, 1, 2, 3, 4])
        assert eq["before"].max() < 1e-6
        assert eq["after"][[0, 2, 4]].max() < 1e-6
        assert eq["after"][[1, 3]].min() > 1e-2


def test_probability_change_is_zero_without_a_shift_and_a_distance_otherwise(net, mnist):
    model, params = net
    x = mnist[0][:50]
    r = lenet.probability_change(model, params, x, [0, 2])
    assert r["change"][0] < 1e-6 and r["same"][0] == 1.0
    p, q = lenet.probabilities(model, params, x), lenet.probabilities(model, params, cl.shift(x, 0, 2, boundary="zeros"))
    assert r["change"][1] == pytest.approx(float(np.mean(0.5 * np.abs(np.asarray(p) - np.asarray(q)).sum(axis=1))), rel=1e-5)
    np.testing.assert_allclose(np.asarray(p).sum(axis=1), 1, atol=1e-5)


def test_gradient_support_is_the_receptive_field_formula(net):
    model, params = net
    noise = jax.random.uniform(jax.random.key(7), (128, 28, 28))
    for unit in [(0, 0, 0), (3, 3, 5), (15, 7, 7)]:
        mask = lenet.gradient_support(model, params, noise, unit)
        field = cl.receptive_field([5, (2, 2), 5])
        expected = np.zeros((28, 28), bool)
        r0, c0 = field.start + unit[1] * field.jump, field.start + unit[2] * field.jump
        expected[r0 : r0 + field.size, c0 : c0 + field.size] = True
        np.testing.assert_array_equal(mask, expected)


# ------------------------------------------------------------------ widget
def test_widget_frame_is_shift_and_rotate_and_compiles_nothing_after_the_first_tick(net, mnist):
    from cnnlib.widgets import lenet as W

    model, params = net
    images = np.asarray(mnist[0][:5])
    state = W._LeNetState(model, params, images, np.asarray(mnist[1][:5]))
    text = state.update(digit=1, shift_y=2, shift_x=-3, angle=0)
    assert text.startswith("digit 1 (label 0), shifted +2 rows and -3 columns, rotated +0 degrees: predicted ")
    np.testing.assert_array_equal(state.input.get_array(), cl.shift(images[1], 2, -3, boundary="zeros"))
    before = W.frame._cache_size()
    for d in range(5):
        for s in (-4, 0, 4):
            for a in (-90, 45):
                state.update(digit=d, shift_y=s, shift_x=-s, angle=a)
    assert W.frame._cache_size() == before
    moved, _, _, probs = W.frame(params, jnp.asarray(images[2]), jnp.int32(0), jnp.int32(0), jnp.float32(30), "max")
    np.testing.assert_allclose(moved, cl.rotate(images[2], 30), atol=1e-6)
    np.testing.assert_allclose(probs, lenet.probabilities(model, params, cl.rotate(images[2], 30)[None])[0], atol=1e-6)
    state.update(digit=0)
    heights = [bar.get_height() for bar in state.bars.patches]
    np.testing.assert_allclose(heights, lenet.probabilities(model, params, images[:1])[0], atol=1e-6)


def test_widget_montage_tiles_the_maps_scaled_to_their_maximum():
    from cnnlib.widgets import lenet as W

    maps = jnp.arange(6 * 2 * 3, dtype=jnp.float32).reshape(6, 2, 3) + 1
    tiled = np.asarray(W._montage(maps, 2, 3))
    assert tiled.shape == (2 * 3 - 1, 3 * 4 - 1)
    np.testing.assert_allclose(tiled[3:5, 4:7], maps[4] / maps[4].max())
    assert np.isnan(tiled[2]).all() and np.isnan(tiled[:, 3]).all()


def test_widget_builders_and_their_errors(net, mnist):
    pytest.importorskip("ipywidgets")
    model, params = net
    box = cl.widgets.lenet_explorer(model, params, mnist[0][:10], mnist[1][:10])
    assert set(box.controls) == {"digit", "shift_y", "shift_x", "angle"}
    box.controls["shift_x"].value = 3
    assert "shifted +0 rows and +3 columns" in box.readout.value and box.image.value[:4] == b"\x89PNG"
    fig, text = cl.widgets.lenet_figure(model, params, mnist[0][:10], digit=2, angle=15)
    assert text.startswith("digit 2, shifted +0 rows and +0 columns, rotated +15 degrees") and len(fig.axes) == 4
    with pytest.raises(ValueError, match="`model` and `params` go together"):
        cl.widgets.lenet_explorer(model, None, mnist[0][:10])
    with pytest.raises(ValueError, match="`shift_x` must be <= 4"):
        cl.widgets.lenet_figure(model, params, mnist[0][:10], shift_x=5)
    with pytest.raises(ValueError, match=r"`images` must have shape \(N, 28, 28\)"):
        cl.widgets.lenet_figure(model, params, np.zeros((3, 8, 8)))
    with pytest.raises(ValueError, match="8-bit"):
        cl.widgets.lenet_figure(model, params, (np.asarray(mnist[0][:3]) * 255).astype(np.uint8))
