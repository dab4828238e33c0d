"""cnnlib.priors: the position-blind net against a NumPy oracle, its invariance, and the canvas experiment."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.signal import correlate2d

import cnnlib as cl
from cnnlib import priors

nets = pytest.importorskip("cnnlib.nets")


def oracle_logits(params, x):
    """relu(correlate 'full' + b), max over positions, dense: NumPy and SciPy loops."""
    w = np.asarray(params["conv"]["w"], np.float64)  # (C, 1, k, k)
    b = np.asarray(params["conv"]["b"], np.float64)
    head_w, head_b = np.asarray(params["head"]["w"], np.float64), np.asarray(params["head"]["b"], np.float64)
    out = []
    for img in np.asarray(x, np.float64):
        z = [np.maximum(correlate2d(img, w[c, 0], mode="full") + b[c], 0).max() for c in range(w.shape[0])]
        out.append(np.asarray(z) @ head_w + head_b)
    return np.asarray(out)


def random_params(model, key):
    """Initialised weights plus random biases (init gives zero biases, which would hide a bias bug)."""
    params = model.init(jax.random.key(key))
    rng = np.random.default_rng(key)
    params["conv"]["b"] = jnp.asarray(rng.normal(size=params["conv"]["b"].shape), jnp.float32)
    params["head"]["b"] = jnp.asarray(rng.normal(size=params["head"]["b"].shape), jnp.float32)
    return params


@pytest.mark.parametrize(("channels", "kernel", "side"), [(3, 3, 5), (4, 8, 8), (2, 5, 13)])
def test_logits_match_numpy_oracle(channels, kernel, side):
    model = priors.global_max_net(channels, kernel, n_classes=4)
    params = random_params(model, side)
    x = np.random.default_rng(side).uniform(size=(3, side, side)).astype(np.float32)
    np.testing.assert_allclose(model.apply(params, jnp.asarray(x)), oracle_logits(params, x), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(model.apply(params, jnp.asarray(x)[:, None]), oracle_logits(params, x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("channels", "kernel", "n_classes"), [(16, 8, 10), (1, 1, 2), (3, 5, 7)])
def test_parameter_count_closed_form(channels, kernel, n_classes):
    shapes = jax.eval_shape(priors.global_max_net(channels, kernel, n_classes).init, jax.random.key(0))
    assert sum(int(np.prod(leaf.shape)) for leaf in jax.tree_util.tree_leaves(shapes)) == channels * (kernel * kernel + 1) + (channels + 1) * n_classes


def test_logits_do_not_depend_on_where_the_digit_sits_nor_on_the_canvas():
    images, _ = cl.load_digits()
    digits = np.asarray(images[:5])  # (5, 8, 8)
    model = priors.global_max_net(6, 8, n_classes=10)
    params = random_params(model, 3)
    apply = jax.jit(model.apply)
    logits = []
    for side, (r, c) in [(9, (0, 0)), (9, (1, 1)), (16, (0, 8)), (16, (5, 3)), (24, (16, 16)), (24, (11, 0))]:
        canvas = np.zeros((5, side, side), np.float32)
        canvas[:, r : r + 8, c : c + 8] = digits  # the same digits, elsewhere
        logits.append(np.asarray(apply(params, jnp.asarray(canvas))))
    for other in logits[1:]:
        np.testing.assert_allclose(other, logits[0], rtol=1e-5, atol=1e-5)


def test_global_max_net_checks_its_arguments():
    with pytest.raises(ValueError, match="`channels`"):
        priors.global_max_net(0)
    with pytest.raises(ValueError, match="`kernel`"):
        priors.global_max_net(4, 0)
    with pytest.raises(TypeError, match="`n_classes`"):
        priors.global_max_net(4, 3, 2.5)


# --- the experiment ---------------------------------------------------------------------------

SMALL = dict(seeds=2, channels=2, epochs=1, batch_size=16)


@pytest.fixture(scope="module")
def small_run():
    images, labels = cl.load_digits()
    images, labels = images[:90], labels[:90]
    train, test = np.arange(60), np.arange(60, 90)
    out = priors.canvas_experiment(images, labels, train, test, [8, 11], jax.random.key(7), **SMALL)
    return images, labels, train, test, out


def numpy_1nn_accuracy(x_train, y_train, x_test, y_test):
    a = np.asarray(x_train, np.float64).reshape(len(x_train), -1)
    b = np.asarray(x_test, np.float64).reshape(len(x_test), -1)
    d = ((b[:, None, :] - a[None, :, :]) ** 2).sum(-1)  # (M, N)
    return float(np.mean(np.asarray(y_train)[d.argmin(1)] == np.asarray(y_test)))


def test_experiment_shapes_and_settings(small_run):
    *_, out = small_run
    assert out["canvas"].tolist() == [8, 11]
    assert out["knn"].shape == out["cnn"].shape == (2, 2)
    assert ((out["knn"] >= 0) & (out["knn"] <= 1) & (out["cnn"] >= 0) & (out["cnn"] <= 1)).all()
    assert out["settings"] == {"train": 60, "test": 30, "seeds": 2, "k": 1, "channels": 2, "kernel": 8,
                               "epochs": 1, "batch_size": 16, "lr": 0.01}


def test_experiment_knn_matches_numpy_oracle_on_the_documented_placements(small_run):
    images, labels, train, test, out = small_run
    for a, side in enumerate([8, 11]):
        for i in range(2):
            k_place = jax.random.split(jax.random.fold_in(jax.random.fold_in(jax.random.key(7), side), i), 3)[0]
            x, _, _ = cl.data.digits_on_canvas(k_place, images, canvas=side)
            want = numpy_1nn_accuracy(x[train], labels[train], x[test], labels[test])
            assert out["knn"][a, i] == pytest.approx(want, abs=1e-6)  # one test digit is 1/30
    # On the 8x8 canvas there is one place only: k-NN sees the plain digits.
    plain = numpy_1nn_accuracy(images[train], labels[train], images[test], labels[test])
    assert out["knn"][0].tolist() == pytest.approx([plain, plain])


def test_experiment_cnn_is_the_documented_training(small_run):
    images, labels, train, test, out = small_run
    side, i = 11, 1
    _, k_init, k_order = jax.random.split(jax.random.fold_in(jax.random.fold_in(jax.random.key(7), side), i), 3)
    k_place = jax.random.split(jax.random.fold_in(jax.random.fold_in(jax.random.key(7), side), i), 3)[0]
    x, _, _ = cl.data.digits_on_canvas(k_place, images, canvas=side)
    model = priors.global_max_net(2, 8, 10)
    params, _ = nets.train(model, model.init(k_init), (x[train], labels[train]), key=k_order,
                           epochs=1, batch_size=16, lr=1e-2, progress=False)
    assert out["cnn"][1, 1] == pytest.approx(nets.accuracy(model, params, x[test], labels[test]))


def test_experiment_is_deterministic(small_run):
    images, labels, train, test, out = small_run
    again = priors.canvas_experiment(images, labels, train, test, [8, 11], jax.random.key(7), **SMALL)
    np.testing.assert_array_equal(again["knn"], out["knn"])
    np.testing.assert_array_equal(again["cnn"], out["cnn"])


def test_the_net_learns_position_blind_and_knn_does_not():
    """A two-class toy (a bar in a corner region vs a blob) on a large canvas: the net wins clearly."""
    images, labels = cl.load_digits()
    keep = np.flatnonzero(np.isin(np.asarray(labels), [0, 1]))[:200]
    x, y = images[keep], labels[keep]
    train, test = np.arange(150), np.arange(150, 200)
    out = priors.canvas_experiment(x, y, train, test, [24], jax.random.key(1), seeds=1, channels=4, epochs=4,
                                   batch_size=16)
    assert out["cnn"][0, 0] > 0.9 and out["cnn"][0, 0] > out["knn"][0, 0] + 0.15


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"canvases": [7, 12]}, ValueError, r"`canvases` must be at least 8"),
        ({"canvases": []}, ValueError, r"`canvases` must be a non-empty list"),
        ({"canvases": [8.5]}, ValueError, r"`canvases` must be a non-empty list of integer"),
        ({"train": np.array([0, 99])}, ValueError, r"`train` must index the 20 images \(0 to 19\); got 0 to 99"),
        ({"test": np.array([], int)}, ValueError, r"`test` must be a non-empty 1-D array"),
        ({"labels": np.zeros(19, int)}, ValueError, r"`labels` must be integer labels of shape \(20,\)"),
        ({"labels": -np.ones(20, int)}, ValueError, r"`labels` must be >= 0"),
        ({"images": np.zeros((20, 64))}, ValueError, r"`images`"),
        ({"seeds": 0}, ValueError, r"`seeds`"),
        ({"k": 11}, ValueError, r"`k`"),
        ({"lr": 0.0}, ValueError, r"`lr`"),
        ({"key": 0}, TypeError, r"`key`"),
    ],
)
def test_experiment_checks_its_arguments(change, error, match):
    images, labels = cl.load_digits()
    args = {"images": images[:20], "labels": labels[:20], "train": np.arange(10), "test": np.arange(10, 20),
            "canvases": [8], "key": jax.random.key(0)}
    args.update(change)
    kwargs = {name: args.pop(name) for name in ("seeds", "k", "lr") if name in args}
    with pytest.raises(error, match=match):
        priors.canvas_experiment(*args.values(), **kwargs)
