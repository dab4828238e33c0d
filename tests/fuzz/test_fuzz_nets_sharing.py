"""Bad input for the nets of notebooks 02-06: sharing, nets, invariance, priors, LeNet, and their widgets.

Every public function of cnnlib.sharing, cnnlib.nets, cnnlib.invariance, cnnlib.priors,
cnnlib.lenet (and lenet_measures), the widgets of cnnlib.widgets.sharing and cnnlib.widgets.lenet
(constructors and update functions): each argument gets values that must be refused with a
ValueError/TypeError naming it, and valid edge cases (lists, ints, float64, 1x1 kernels, kernel =
image size) are compared with NumPy references.
"""
from __future__ import annotations

import functools

import jax
import numpy as np
from harness import accepts, bad_arrays, bad_flags, bad_functions, bad_ints, bad_options, bad_reals, fuzz, refuses
from hypothesis import given
from hypothesis import strategies as st

import cnnlib as cl
from cnnlib import lenet, nets


class _Widgets:
    """cnnlib.widgets.<name>, imported on first use (the widget tests are the only ones that need matplotlib)."""

    def __init__(self, name):
        self.name = name

    def __getattr__(self, attr):
        import importlib

        if attr.startswith("__"):  # pytest's collection looks for __test__ and the like
            raise AttributeError(attr)
        return getattr(importlib.import_module(f"cnnlib.widgets.{self.name}"), attr)


wle, wsh = _Widgets("lenet"), _Widgets("sharing")

KEY = jax.random.key(0)
IMG = np.linspace(0.0, 1.0, 36, dtype=np.float32).reshape(6, 6)
X3 = np.stack([IMG, IMG[::-1], IMG.T, IMG[:, ::-1]])  # (4, 6, 6)
Y3 = np.array([0, 1, 0, 1])
DENSE = nets.dense_net((1, 6, 6), hidden=(3,), n_classes=2)
P_DENSE = DENSE.init(KEY)
LENET = lenet.lenet("max")
P_LENET = LENET.init(KEY)
X28 = np.zeros((2, 28, 28), np.float32)
X28[:, 10:18, 12:16] = 1.0
LOCAL_W = np.ones((4, 4, 3, 3), np.float32)  # a 6x6 input, 3x3 kernels: 4x4 outputs
TILE_W = np.ones((2, 2, 3, 3), np.float32)
# Sizes that would need more than 1 GiB (10**6 alone can be a fair width; these never are).
TOO_BIG = st.sampled_from([2**31, 2**40, 2**63, 10**400])
SIZES = st.one_of(bad_ints(minimum=1), TOO_BIG)
KIND_OPTS = {"conv": {"out_channels": 2, "kernel": 3}, "dense": {"out_features": 3}}


@functools.lru_cache(maxsize=None)
def _lenet_box():
    return wle.lenet_explorer(LENET, P_LENET, X28)


@functools.lru_cache(maxsize=None)
def _stride_box():
    return wsh.stride_explorer()


@functools.lru_cache(maxsize=None)
def _sharing_box():
    return wsh.weight_sharing_explorer()


# --- sharing: counting ----------------------------------------------------------------------------


@fuzz
@given(kind=bad_options(("dense", "conv", "tiled", "local", "maxpool", "flatten")))
def test_layer_summary_kind(kind):
    refuses(cl.layer_summary, "kind", kind, (1, 8, 8), out_channels=2, kernel=3)


@fuzz
@given(v=st.one_of(bad_ints(minimum=1), st.sampled_from([None, "8", (8, 0), (8, -1), (8, 2.0), (), (1, 2, 3, 4)])))
def test_layer_summary_in_shape(v):
    # counting only: a huge layer is a fair question (exact Python ints), so huge sizes are not refused here
    shape = (1, v, 8) if not isinstance(v, tuple) else v
    refuses(cl.layer_summary, "in_shape", "conv", shape, out_channels=2, kernel=3)


@fuzz
@given(v=bad_ints(minimum=1))
def test_layer_summary_sizes(v):
    refuses(cl.layer_summary, "out_channels", "conv", (1, 8, 8), out_channels=v, kernel=3)
    refuses(cl.layer_summary, "out_features", "dense", (1, 8, 8), out_features=v)
    refuses(cl.layer_summary, "kernel", "conv", (1, 8, 8), out_channels=2, kernel=v)
    if v is not None:  # stride=None is the default
        refuses(cl.layer_summary, "stride", "conv", (1, 8, 8), out_channels=2, kernel=3, stride=v)
    refuses(cl.layer_summary, "tile", "tiled", (1, 8, 8), out_channels=2, kernel=3, tile=v)
    refuses(cl.param_count, "out_channels", "local", (1, 8, 8), out_channels=v, kernel=3)
    refuses(cl.mac_count, "kernel", "conv", (1, 8, 8), out_channels=1, kernel=v)


@fuzz
@given(v=bad_flags())
def test_layer_summary_bias(v):
    refuses(cl.layer_summary, "bias", "conv", (1, 8, 8), out_channels=2, kernel=3, bias=v)
    refuses(cl.sharing.stacked_conv_summary, "bias", [3], (1, 8, 8), bias=v)


@fuzz
@given(v=st.one_of(bad_options(("valid", "same", "full")), st.sampled_from([-1, 2.5, True, (1,), (1, 2, 3), (1, None), [1.0, 1]]))
       .filter(lambda v: not (isinstance(v, int) and not isinstance(v, bool))))  # 0 and 1 are fair paddings
def test_layer_summary_padding(v):
    refuses(cl.layer_summary, "padding", "conv", (1, 8, 8), out_channels=2, kernel=3, padding=v)


def test_layer_summary_kernel_larger_than_input_and_unknown_option():
    refuses(cl.layer_summary, "kernel", "conv", (1, 4, 4), out_channels=2, kernel=5)
    refuses(cl.layer_summary, "kernel", "maxpool", (1, 4, 4), kernel=5)
    refuses(cl.layer_summary, "stride", "conv", (1, 8, 8), out_channels=1, kernel=3, stride=0)
    refuses(cl.param_count, "colour", "conv", (1, 8, 8), out_channels=2, kernel=3, colour=1)  # unknown option
    refuses(cl.mac_count, "colour", "conv", (1, 8, 8), out_channels=2, kernel=3, colour=1)


@fuzz
@given(v=st.one_of(bad_ints(minimum=1), st.sampled_from([None, [], "3", [3, None], 3.0, [0], [(3, 0)], {3: 1}])))
def test_stacked_conv_summary_kernels(v):
    refuses(cl.sharing.stacked_conv_summary, "kernels", v if isinstance(v, (list, dict)) or v is None or isinstance(v, str) else [v], (1, 8, 8))


@fuzz
@given(v=bad_ints(minimum=1))
def test_stacked_conv_summary_channels(v):
    refuses(cl.sharing.stacked_conv_summary, "channels", [3], (1, 8, 8), channels=v)


def test_counting_valid_edge_cases_against_closed_forms():
    s = accepts(cl.layer_summary, "conv", [1, 6, 6], out_channels=np.int64(2), kernel=6)  # kernel = image size, list
    assert s.out_shape == (2, 1, 1) and s.params == 2 * (36 + 1) and s.macs == 2 * 36
    s = accepts(cl.layer_summary, "local", (2, 5, 5), out_channels=1, kernel=1)  # 1x1 kernel
    assert s.out_shape == (1, 5, 5) and s.params == 25 * (2 + 1)
    assert accepts(cl.param_count, "tiled", (1, 8, 8), out_channels=3, kernel=3, tile=1) == cl.param_count("conv", (1, 8, 8), out_channels=3, kernel=3)
    assert accepts(cl.sharing.stacked_conv_summary, [1], (3, 4, 4)).params == 9


# --- sharing: layers --------------------------------------------------------------------------------


@fuzz
@given(x=bad_arrays((2,), size=6))
def test_sharing_layers_refuse_a_bad_x(x):
    refuses(cl.locally_connected2d, "x", x, LOCAL_W)
    refuses(cl.tiled_conv2d, "x", x, TILE_W)


@fuzz
@given(w=bad_arrays((4,), size=3))
def test_sharing_layers_refuse_a_bad_w(w):
    refuses(cl.locally_connected2d, "w", IMG, w)
    refuses(cl.tiled_conv2d, "w", IMG, w)


@fuzz
@given(v=bad_ints(minimum=1))  # a huge stride is fair: one output
def test_sharing_layers_stride(v):
    refuses(cl.locally_connected2d, "stride", IMG, LOCAL_W, stride=v)
    refuses(cl.tiled_conv2d, "stride", IMG, TILE_W, stride=v)


@fuzz
@given(v=st.one_of(bad_options(("valid", "same", "full")), st.sampled_from([-1, 2.5, True, 10**6, 2**63, [[0, 1]]]))
       .filter(lambda v: not (isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10**6)))
def test_sharing_layers_padding(v):
    refuses(cl.locally_connected2d, "padding", IMG, LOCAL_W, padding=v)
    refuses(cl.tiled_conv2d, "padding", IMG, TILE_W, padding=v)


def test_sharing_layers_mismatched_channels_and_kernel_too_large():
    refuses(cl.locally_connected2d, ("w", "x"), np.ones((1, 2, 6, 6)), np.ones((4, 4, 1, 3, 3, 3)))
    refuses(cl.tiled_conv2d, ("w", "x"), np.ones((1, 2, 6, 6)), np.ones((2, 2, 1, 3, 3, 3)))
    refuses(cl.tiled_conv2d, ("w", "x"), IMG, np.ones((1, 1, 7, 7)))
    refuses(cl.locally_connected2d, ("w", "x"), IMG, np.ones((1, 1, 7, 7)))
    refuses(cl.tiled_conv2d, "w", IMG, np.ones((0, 1, 3, 3)))


def _local_ref(x, w, s=1):
    oh, ow, kh, kw = w.shape
    return np.array([[np.sum(x[i * s : i * s + kh, j * s : j * s + kw] * w[i, j]) for j in range(ow)] for i in range(oh)])


def test_sharing_layers_valid_edge_cases_against_numpy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 6))
    w = rng.standard_normal((1, 1, 6, 6))  # kernel = image size: one output
    np.testing.assert_allclose(accepts(cl.locally_connected2d, x.tolist(), w), _local_ref(x, w), rtol=1e-5, atol=1e-5)
    w1 = rng.standard_normal((6, 6, 1, 1))  # 1x1 kernels: a per-pixel gain
    np.testing.assert_allclose(accepts(cl.locally_connected2d, x, w1), x * w1[:, :, 0, 0], rtol=1e-5, atol=1e-5)
    w3 = rng.standard_normal((2, 2, 3, 3))
    np.testing.assert_allclose(accepts(cl.locally_connected2d, x, w3, stride=3), _local_ref(x, w3, 3), rtol=1e-5, atol=1e-5)
    xi = np.arange(36).reshape(6, 6)  # integers become float32
    t = rng.standard_normal((1, 1, 3, 3))
    np.testing.assert_allclose(accepts(cl.tiled_conv2d, xi, t), _local_ref(xi, np.broadcast_to(t, (4, 4, 3, 3))), rtol=1e-5, atol=1e-4)


@fuzz
@given(k=st.one_of(bad_arrays((2,), size=3), st.sampled_from([np.zeros((0, 3)), np.zeros((3, 0))])))
def test_separable_approx_kernel(k):
    refuses(cl.separable_approx, "kernel", k)


@fuzz
@given(v=bad_ints(minimum=1, maximum=3, huge=True))
def test_separable_approx_rank(v):
    refuses(cl.separable_approx, "rank", np.eye(3), v)


def test_separable_approx_valid_against_numpy():
    k = np.random.default_rng(1).standard_normal((4, 3))
    sep = accepts(cl.separable_approx, k.tolist(), 3)
    np.testing.assert_allclose(sep.kernel, k, atol=1e-5)
    s = np.linalg.svd(k, compute_uv=False)
    assert abs(accepts(cl.separable_approx, k, 1).rel_error - np.sqrt((s[1:] ** 2).sum() / (s**2).sum())) < 1e-5
    assert accepts(cl.separable_approx, [[2.0]]).rel_error == 0.0  # 1x1


# --- learning_curve -------------------------------------------------------------------------------


def _lc(**kw):
    args = {"sizes": [2], "key": KEY, "seeds": 1, "steps": 1, "batch_size": 2}
    args.update(kw)
    model = args.pop("model", DENSE)
    train = args.pop("train", (X3, Y3))
    test = args.pop("test", (X3, Y3))
    return cl.sharing.learning_curve(model, train, test, **args)


@fuzz
@given(v=bad_ints(minimum=1, huge=True))
def test_learning_curve_counts(v):
    refuses(_lc, "sizes", sizes=[v])
    refuses(_lc, "seeds", seeds=v)
    refuses(_lc, "batch_size", batch_size=v)


@fuzz
@given(v=st.one_of(bad_ints(minimum=0, huge=True)))
def test_learning_curve_steps(v):
    refuses(_lc, "steps", steps=v)


@fuzz
@given(v=bad_reals(minimum=0.0, exclusive=True))
def test_learning_curve_lr(v):
    refuses(_lc, "lr", lr=v)


@fuzz
@given(x=bad_arrays((3,), size=6))
def test_learning_curve_data(x):
    n = len(x) if hasattr(x, "shape") and x.ndim else 4
    refuses(_lc, ("train", "train[0]", "train[1]"), train=(x, np.zeros(n, int)))
    refuses(_lc, ("test", "test[0]", "test[1]"), test=(x, np.zeros(n, int)))


def test_learning_curve_other_bad_input():
    refuses(_lc, ("train", "train[1]"), train=(X3, np.array([0.5, 1, 0, 1])))
    refuses(_lc, ("train", "train[1]"), train=(X3, np.array([0, 1, -1, 1])))
    refuses(_lc, "train", train=X3)
    refuses(_lc, ("train", "train[0]"), train=(X3[:0], Y3[:0]))
    refuses(_lc, ("test", "test[0]"), test=(np.ones((4, 5, 5)), Y3))  # not the training images' shape
    refuses(_lc, "model", model=None)
    refuses(_lc, "key", key=0)
    refuses(_lc, "sizes", sizes=[])
    refuses(_lc, "sizes", sizes=5)


# --- nets -----------------------------------------------------------------------------------------


@fuzz
@given(v=bad_ints(minimum=1, huge=True))
def test_net_builders_sizes(v):
    refuses(nets.dense_net, "in_shape", (1, v, 6))
    refuses(nets.dense_net, "hidden", (1, 6, 6), hidden=(v,))
    refuses(nets.dense_net, "n_classes", (1, 6, 6), n_classes=v)
    refuses(nets.conv_net, "channels", (1, 6, 6), channels=(v,), kernel=3)
    refuses(nets.conv_net, "kernel", (1, 6, 6), kernel=v)
    refuses(nets.conv_net, "pool", (1, 6, 6), kernel=3, pool=v)
    refuses(nets.locally_connected_net, "n_classes", (1, 6, 6), kernel=3, n_classes=v)
    refuses(nets.digits_cnn, "channels", channels=(2, v))
    refuses(nets.digits_cnn, "n_classes", n_classes=v)


@fuzz
@given(v=bad_flags())
def test_net_builders_global_pool(v):
    refuses(nets.conv_net, "global_pool", (1, 6, 6), kernel=3, global_pool=v)
    refuses(nets.locally_connected_net, "global_pool", (1, 6, 6), kernel=3, global_pool=v)


@fuzz
@given(v=st.sampled_from([None, 3, "abc", (1, 2, 3, 4), (), [1, None, 2], {1: 2}]))
def test_net_builders_in_shape_and_sequences(v):
    refuses(nets.dense_net, "in_shape", v)
    refuses(nets.conv_net, "in_shape", v)
    refuses(nets.digits_cnn, "in_shape", in_shape=v)
    if v is not None and not isinstance(v, (tuple, list)):
        refuses(nets.dense_net, "hidden", (1, 6, 6), hidden=v)
        refuses(nets.conv_net, "channels", (1, 6, 6), channels=v)


def test_net_builders_huge_layers_and_options():
    refuses(nets.dense_net, ("in_shape", "hidden"), (1, 6, 6), hidden=(10**9,))
    refuses(nets.locally_connected_net, ("in_shape", "channels"), (1, 4000, 4000), channels=(64,), kernel=3)
    refuses(nets.conv_net, ("in_shape", "kernel"), (1, 4, 4), kernel=5)
    refuses(nets.digits_cnn, "downsampling", "avg")
    refuses(nets.digits_cnn, "filter_size", "maxblur", 9)


@fuzz
@given(v=SIZES)
def test_layer_initialisers(v):
    refuses(nets.init_dense, "n_in", KEY, v, 3)
    refuses(nets.init_dense, "n_out", KEY, 3, v)
    refuses(nets.init_conv, "c_in", KEY, v, 2, 3)
    refuses(nets.init_conv, "c_out", KEY, 1, v, 3)
    refuses(nets.init_conv, "kernel", KEY, 1, 2, v)
    refuses(nets.init_local, "out_hw", KEY, 1, 2, 3, (v, 2))


def test_layer_initialisers_key_and_as_nchw():
    refuses(nets.init_dense, "key", 0, 3, 3)
    refuses(nets.init_conv, "key", None, 1, 2, 3)
    refuses(nets.init_local, "key", "k", 1, 2, 3, (2, 2))
    refuses(nets.init_local, "out_hw", KEY, 1, 2, 3, (4, 4, 4))
    refuses(nets.as_nchw, "x", np.ones((6, 6)))
    refuses(nets.as_nchw, "x", None)
    refuses(nets.count_params, "params", None)
    refuses(nets.count_params, "params", "abc")


def _train(**kw):
    args = {"key": KEY, "epochs": 1, "batch_size": 2, "progress": False}
    args.update(kw)
    data = args.pop("data", (X3, Y3))
    return nets.train(DENSE, P_DENSE, data, **args)


@fuzz
@given(v=bad_ints(minimum=1, huge=True))
def test_train_counts(v):
    refuses(_train, "batch_size", batch_size=v)
    if not (isinstance(v, int) and not isinstance(v, bool) and v >= 0):
        refuses(_train, "epochs", epochs=v)


@fuzz
@given(v=bad_reals(minimum=0.0, exclusive=True))
def test_train_lr(v):
    refuses(_train, "lr", lr=v)


@fuzz
@given(v=bad_flags())
def test_train_progress(v):
    refuses(_train, "progress", progress=v)


@fuzz
@given(x=bad_arrays((3,), size=6))
def test_train_and_accuracy_data(x):
    n = len(x) if hasattr(x, "shape") and x.ndim else 4
    refuses(_train, ("data", "data[0]", "data[1]"), data=(x, np.zeros(n, int)))
    refuses(nets.accuracy, ("x", "y"), DENSE, P_DENSE, x, np.zeros(n, int))
    refuses(nets.predict, "x", DENSE, P_DENSE, x)


def test_train_predict_accuracy_other_bad_input():
    refuses(_train, ("data", "data[1]"), data=(X3, np.array([0.5, 1, 0, 1])))
    refuses(_train, ("data", "data[1]"), data=(X3, np.array([0, 1, 99, 1])))  # no such class
    refuses(_train, ("data", "data[1]"), data=(X3, np.array([0, -1, 0, 1])))
    refuses(_train, ("data", "data[0]"), data=(X3[:0], Y3[:0]))
    refuses(_train, "key", key=None)
    refuses(_train, ("data", "data[0]"), data=(np.ones((4, 5, 5)), Y3))  # not the model's shape
    refuses(nets.train, "model", None, P_DENSE, (X3, Y3), key=KEY)
    refuses(nets.predict, "batch_size", DENSE, P_DENSE, X3, batch_size=0)
    refuses(nets.predict, "batch_size", DENSE, P_DENSE, X3, batch_size=2.0)
    refuses(nets.accuracy, "y", DENSE, P_DENSE, X3, Y3[:3])
    refuses(nets.accuracy, ("x", "y"), DENSE, P_DENSE, X3[:0], Y3[:0])


def test_nets_valid_edge_cases_against_numpy():
    params = [{"w": np.eye(36, 2, dtype=np.float64), "b": np.zeros(2)}]
    model = nets.dense_net((6, 6), hidden=(), n_classes=2)
    logits = X3.reshape(4, -1) @ params[0]["w"]
    np.testing.assert_array_equal(accepts(nets.predict, model, params, X3.tolist()), np.argmax(logits, 1))
    assert accepts(nets.accuracy, model, params, X3, Y3.tolist()) == np.mean(np.argmax(logits, 1) == Y3)
    assert accepts(nets.count_params, params) == 74


@fuzz
@given(v=st.one_of(bad_ints(minimum=1, huge=True)))
def test_digits_shift_experiment_counts(v):
    f = nets.digits_shift_experiment
    refuses(f, "seeds", [("max", 1)], seeds=[v] if isinstance(v, int) and not isinstance(v, bool) and v < 0 else v)
    refuses(f, "batch_size", [("max", 1)], batch_size=v)
    refuses(f, "n_pairs", [("max", 1)], n_pairs=v)
    refuses(f, "canvas", [("max", 1)], canvas=v)
    refuses(f, "channels", [("max", 1)], channels=(2, v))


@fuzz
@given(v=bad_reals(minimum=0.0, exclusive=True))
def test_digits_shift_experiment_lr(v):
    refuses(nets.digits_shift_experiment, "lr", [("max", 1)], lr=v)


def test_digits_shift_experiment_other_bad_input():
    f = nets.digits_shift_experiment
    refuses(f, "variants", None)
    refuses(f, "variants", "max")
    refuses(f, "variants", [("max", 1.5)])
    refuses(f, "max_shift", [("max", 1)], max_shift=-1)
    refuses(f, "max_shift", [("max", 1)], max_shift=10**6)
    refuses(f, "epochs", [("max", 1)], epochs=2.0)
    refuses(f, "canvas", [("max", 1)], canvas=10**5)


# --- invariance -----------------------------------------------------------------------------------


@fuzz
@given(w=bad_arrays((3,), size=3))
def test_template_scores_w(w):
    refuses(cl.template_scores, "w", w, X3)


@fuzz
@given(x=bad_arrays((2, 3), size=6))
def test_template_scores_x(x):
    refuses(cl.template_scores, "x", np.ones((1, 3, 3)), x)


def test_template_scores_mismatch_and_valid_against_numpy():
    refuses(cl.template_scores, ("x", "w"), np.ones((1, 7, 7)), X3)
    refuses(cl.template_scores, "w", np.ones((0, 3, 3)), X3)
    w = np.random.default_rng(2).standard_normal((2, 6, 6))  # template = image size
    wn = w - w.mean(axis=(1, 2), keepdims=True)
    wn /= np.linalg.norm(wn.reshape(2, -1), axis=1)[:, None, None]
    ref = np.einsum("nij,kij->nk", X3, wn) / np.linalg.norm(X3.reshape(4, -1), axis=1)[:, None]
    np.testing.assert_allclose(accepts(cl.template_scores, w.tolist(), X3.astype(np.float64)), ref, atol=1e-5)


def _rot(**kw):
    args = {"n_channels": 1, "size": 3, "steps": 1, "batch": 1}
    args.update(kw)
    images = args.pop("images", X3)
    target = args.pop("is_target", Y3 == 1)
    key = args.pop("key", KEY)
    return cl.train_rotation_detector(key, images, target, **args)


@fuzz
@given(v=bad_ints(minimum=1, huge=True))
def test_train_rotation_detector_counts(v):
    for name in ("n_channels", "n_runs", "steps", "batch"):
        refuses(_rot, name, **{name: v})
    refuses(_rot, "size", size=v)


@fuzz
@given(v=bad_reals(minimum=0.0, exclusive=True))
def test_train_rotation_detector_reals(v):
    refuses(_rot, "lr", lr=v)
    refuses(_rot, "temperature", temperature=v)


@fuzz
@given(v=bad_reals(minimum=0.0, maximum=180.0))
def test_train_rotation_detector_max_angle(v):
    refuses(_rot, "max_angle", max_angle=v)


@fuzz
@given(x=bad_arrays((3,), size=6))
def test_train_rotation_detector_images(x):
    refuses(_rot, ("images", "is_target"), images=x)


@fuzz
@given(t=st.sampled_from([None, "yes", [1, 0], np.array([0.5, 1, 0, 1]), np.array([np.nan, 1, 0, 1]), np.ones(4), np.zeros(4, bool), np.array([0, 1, 2, 1])]))
def test_train_rotation_detector_is_target(t):
    refuses(_rot, "is_target", is_target=t)


def test_train_rotation_detector_key():
    refuses(_rot, "key", key=0)


@fuzz
@given(a=st.one_of(bad_arrays((2,), size=5), st.sampled_from([np.zeros((0, 0))])))
def test_rotation_match_arrays(a):
    b = np.ones((5, 5))
    refuses(cl.rotation_match, "a", a, b, [0.0])
    if hasattr(a, "shape") and a.shape == (5, 5):
        refuses(cl.rotation_match, "b", b, a, [0.0])


@fuzz
@given(v=st.one_of(st.sampled_from([[np.nan], [np.inf], [], None, "30", [[1.0]], [True]]), bad_ints(minimum=0, huge=True)))
def test_rotation_match_angles_and_shift(v):
    b = np.ones((5, 5))
    if isinstance(v, list) or v is None or isinstance(v, str):
        refuses(cl.rotation_match, "angles", b, b, v)
    else:
        refuses(cl.rotation_match, "max_shift", b, b, [0.0], max_shift=v)


def test_rotation_match_valid():
    b = np.zeros((5, 5))
    b[2, 1:4] = 1
    out = accepts(cl.rotation_match, np.rot90(b).tolist(), b, [0, 90], max_shift=0)
    np.testing.assert_allclose(out, [(1 - 9 / 25) / (3 - 9 / 25), 1.0], atol=1e-5)


@fuzz
@given(v=bad_ints(minimum=1, huge=True))
def test_random_deformations_counts(v):
    refuses(cl.random_deformations, "n", KEY, (8, 8), v)
    refuses(cl.random_deformations, "shape", KEY, (v, 8), 1)


@fuzz
@given(v=st.one_of(bad_reals(minimum=0.0), st.sampled_from([(1.0,), (2.0, 1.0), (0.0, 1.0), (1.0, np.nan), "ab"])))
def test_random_deformations_amplitude(v):
    refuses(cl.random_deformations, "amplitude", KEY, (8, 8), 1, amplitude=v)


@fuzz
@given(v=st.one_of(bad_reals(minimum=0.0, exclusive=True), st.sampled_from([(1.0, 1e400), 1e300])))
def test_random_deformations_smoothness(v):
    refuses(cl.random_deformations, "smoothness", KEY, (8, 8), 1, smoothness=v)


@fuzz
@given(v=bad_ints(minimum=0, huge=True))
def test_random_deformations_max_shift(v):
    refuses(cl.random_deformations, "max_shift", KEY, (8, 8), 1, max_shift=v)


def test_random_deformations_huge_total_and_key():
    refuses(cl.random_deformations, ("n", "shape"), KEY, (4000, 4000), 100)
    refuses(cl.random_deformations, "key", 0, (8, 8), 1)


@fuzz
@given(f=st.one_of(bad_arrays((3, 4), size=6), st.sampled_from([np.ones((3, 6, 6)), np.ones((1, 2, 6, 0))])))
def test_deformation_sizes_flows(f):
    refuses(cl.deformation_sizes, "flows", f)


def test_deformation_sizes_valid_against_numpy():
    f = np.random.default_rng(3).standard_normal((2, 2, 5, 5))
    size, _ = accepts(cl.deformation_sizes, f.tolist())
    np.testing.assert_allclose(size, np.sqrt(f[:, 0] ** 2 + f[:, 1] ** 2).max(axis=(1, 2)), rtol=1e-5)
    s1, g1 = accepts(cl.deformation_sizes, np.ones((2, 2, 2)))  # the smallest field: a shift
    assert abs(float(s1) - np.sqrt(2)) < 1e-6 and float(g1) == 0.0
    refuses(cl.deformation_sizes, "flows", np.ones((2, 1, 1)))  # no gradient on one pixel


@fuzz
@given(phi=bad_functions(IMG).filter(lambda f: f.__name__ != "returns_wrong_shape"))  # any shape is a fair output
def test_representation_change_phi(phi):
    refuses(cl.representation_change, "phi", phi, IMG, np.zeros((1, 2, 6, 6)))


@fuzz
@given(x=bad_arrays((2,), size=6))
def test_representation_change_x(x):
    refuses(cl.representation_change, ("x", "flows"), lambda z: z, x, np.zeros((1, 2, 6, 6)))


@fuzz
@given(f=st.one_of(bad_arrays((4,), size=6), st.sampled_from([np.zeros((1, 2, 5, 6)), np.zeros((0, 2, 6, 6))])))
def test_representation_change_flows(f):
    refuses(cl.representation_change, "flows", lambda z: z, IMG, f)


def test_representation_change_other():
    refuses(cl.representation_change, "phi", None, IMG, np.zeros((1, 2, 6, 6)))
    refuses(cl.representation_change, "phi", lambda z: (z, "a"), IMG, np.zeros((1, 2, 6, 6)))
    out = accepts(cl.representation_change, lambda z: z, IMG.tolist(), np.zeros((2, 2, 6, 6)))
    np.testing.assert_array_equal(out, [0.0, 0.0])


# --- priors ---------------------------------------------------------------------------------------


@fuzz
@given(v=bad_ints(minimum=1, huge=True))
def test_global_max_net(v):
    refuses(cl.global_max_net, "channels", v)
    refuses(cl.global_max_net, "kernel", 4, v)
    refuses(cl.global_max_net, "n_classes", 4, 3, v)


def _canvas(**kw):
    args = {"images": X3, "labels": Y3, "train": [0, 1, 2], "test": [3], "canvases": [6], "key": KEY,
            "seeds": 1, "channels": 1, "kernel": 3, "epochs": 1, "batch_size": 2}
    args.update(kw)
    pos = [args.pop(k) for k in ("images", "labels", "train", "test", "canvases", "key")]
    return cl.canvas_experiment(*pos, **args)


@fuzz
@given(v=bad_ints(minimum=1, huge=True))
def test_canvas_experiment_counts(v):
    for name in ("seeds", "channels", "kernel", "epochs", "batch_size", "k"):
        refuses(_canvas, name, **{name: v})
    refuses(_canvas, "canvases", canvases=[v] if not isinstance(v, list) else v)


@fuzz
@given(v=bad_reals(minimum=0.0, exclusive=True))
def test_canvas_experiment_lr(v):
    refuses(_canvas, "lr", lr=v)


@fuzz
@given(x=bad_arrays((3,), size=6))
def test_canvas_experiment_images(x):
    refuses(_canvas, ("images", "labels"), images=x)


@fuzz
@given(v=st.sampled_from([None, [], [0.5], [[0, 1]], [-1], [4], "0", [True, False]]))
def test_canvas_experiment_indices_and_labels(v):
    refuses(_canvas, "train", train=v)
    refuses(_canvas, "test", test=v)
    if v is not None and v != [] and v != [4]:  # [4, 4, 4, 4] are fair labels
        refuses(_canvas, "labels", labels=np.array(v * 4)[:4] if isinstance(v, list) else v)


def test_canvas_experiment_other():
    refuses(_canvas, "key", key=1)
    refuses(_canvas, "canvases", canvases=[5])
    refuses(_canvas, "canvases", canvases=[10**5])
    refuses(_canvas, "labels", labels=np.array([0, 1, 0, np.nan]))


# --- lenet ----------------------------------------------------------------------------------------


@fuzz
@given(v=bad_options(("max", "blur")))
def test_lenet_pool(v):
    refuses(lenet.lenet, "pool", v)


@fuzz
@given(v=bad_ints(minimum=1, huge=True))
def test_lenet_sizes(v):
    refuses(lenet.lenet, "channels", channels=(6, v))
    refuses(lenet.lenet, "hidden", hidden=v)
    refuses(lenet.lenet, "n_classes", n_classes=v)


def test_lenet_channels_shape():
    refuses(lenet.lenet, "channels", channels=(6,))
    refuses(lenet.lenet, "channels", channels=None)
    refuses(lenet.lenet, "channels", channels=6)


@fuzz
@given(x=st.one_of(bad_arrays((3,), size=28), st.sampled_from([np.zeros((2, 20, 20)), np.zeros((0, 28, 28))])))
def test_lenet_functions_x(x):
    for fn in (lenet.features, lenet.probabilities):
        refuses(fn, "x", LENET, P_LENET, x)
    refuses(lenet.accuracy, ("x", "y"), LENET, P_LENET, x, np.zeros(2, int))
    refuses(lenet.probability_change, "x", LENET, P_LENET, x, [1])
    if not (hasattr(x, "shape") and x.shape == (2, 20, 20)):  # any size on the torus is fair here
        refuses(lenet.first_layer_equivariance, "x", LENET, P_LENET, x, [1])
    refuses(lenet.gradient_support, "x", LENET, P_LENET, x, (0, 0, 0))
    refuses(lenet.train, ("train_data", "train_data[0]", "train_data[1]"), LENET, P_LENET, (x, np.zeros(2, int)), key=KEY, epochs=1)


@fuzz
@given(v=st.one_of(bad_ints(minimum=0, huge=True)))
def test_lenet_shifts(v):
    refuses(lenet.probability_change, "shifts", LENET, P_LENET, X28, [v])
    refuses(lenet.first_layer_equivariance, "shifts", LENET, P_LENET, X28, [v])


@fuzz
@given(v=st.one_of(st.sampled_from([None, 3, (0, 0), (0, 0, 0, 0), (16, 0, 0), (0, 8, 0), (0, -1, 0), (0, 0.5, 0), "abc"])))
def test_lenet_gradient_support_unit(v):
    refuses(lenet.gradient_support, "unit", LENET, P_LENET, X28, v)


def _lenet_train(**kw):
    args = {"key": KEY, "epochs": 1, "batch_size": 2}
    args.update(kw)
    data = args.pop("train_data", (X28, np.array([1, 2])))
    test = args.pop("test_data", None)
    return lenet.train(LENET, P_LENET, data, test, **args)


@fuzz
@given(v=bad_ints(minimum=1, huge=True))
def test_lenet_train_counts(v):
    refuses(_lenet_train, "batch_size", batch_size=v)
    if not (isinstance(v, int) and not isinstance(v, bool) and v >= 0):
        refuses(_lenet_train, "epochs", epochs=v)


@fuzz
@given(v=bad_reals(minimum=0.0, exclusive=True))
def test_lenet_train_lr(v):
    refuses(_lenet_train, "lr", lr=v)


@fuzz
@given(v=bad_flags())
def test_lenet_train_progress(v):
    refuses(_lenet_train, "progress", progress=v)


def test_lenet_other_bad_input():
    refuses(_lenet_train, ("train_data", "train_data[1]"), train_data=(X28, np.array([0.5, 1])))
    refuses(_lenet_train, ("train_data", "train_data[1]"), train_data=(X28, np.array([1])))
    refuses(_lenet_train, ("train_data", "train_data[1]"), train_data=(X28, np.array([1, 10])))
    refuses(_lenet_train, "train_data", train_data=X28)
    refuses(_lenet_train, ("test_data", "test_data[0]"), test_data=(np.zeros((2, 5, 5)), np.array([1, 2])))
    refuses(_lenet_train, "key", key=None)
    refuses(lenet.accuracy, "y", LENET, P_LENET, X28, np.array([1]))
    refuses(lenet.features, "model", DENSE, P_DENSE, X28)
    refuses(lenet.layer_summary, "model", DENSE, P_DENSE)


def test_lenet_valid_edge_cases():
    probs = accepts(lenet.probabilities, LENET, P_LENET, X28.astype(np.float64).tolist())
    np.testing.assert_allclose(np.asarray(probs).sum(1), 1.0, atol=1e-5)
    out = accepts(lenet.probability_change, LENET, P_LENET, X28, [0])
    assert out["change"][0] == 0.0 and out["same"][0] == 1.0


# --- widgets --------------------------------------------------------------------------------------


@fuzz
@given(v=bad_ints(minimum=1, huge=True))
def test_stride_explorer_constructor(v):
    refuses(wsh.stride_explorer, "max_n", max_n=v)
    refuses(wsh.stride_explorer, "max_kernel", max_kernel=v)
    refuses(wsh.stride_explorer, "max_stride", max_stride=v)
    refuses(wsh.stride_explorer, "max_padding", max_padding=v if not (isinstance(v, int) and v == 0) else -1)


@fuzz
@given(v=bad_ints(minimum=0, huge=True))
def test_stride_explorer_update(v):
    update = _stride_box().update
    good = {"n": 7, "k": 3, "padding": 0, "stride": 2, "step": 0}
    for name in good:
        value = v if not (name in ("padding", "step") and isinstance(v, int) and not isinstance(v, bool) and v >= 0 and v < 10**6) else -1
        if name in ("n", "k", "stride") and value is not None and isinstance(value, int) and not isinstance(value, bool) and 1 <= value:
            value = 10**6
        refuses(update, name, **{**good, name: value})


@fuzz
@given(v=st.one_of(bad_ints(minimum=1, huge=True), st.sampled_from([None, "x", [(7, 3, 0)], [(7, 3, 0, 0)], [(7, 9, 0, 1)], [], [(10**5, 3, 0, 1)]])))
def test_stride_figure_cases(v):
    cases = v if isinstance(v, list) or v is None or isinstance(v, str) else [(v, 3, 0, 1)]
    refuses(wsh.stride_figure, "cases", cases)


@fuzz
@given(v=bad_ints(minimum=0, maximum=3, huge=True))
def test_weight_sharing_update_and_figure(v):
    refuses(_sharing_box().update, "weight", v)
    refuses(wsh.weight_sharing_figure, "weight", v)


def test_weight_sharing_view_sizes():
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2)
    try:
        for n, k, name in ((10**5, 2, "n"), (3, 4, "k"), (0, 1, "n"), (3, 2.0, "k"), (10**4, 10**4, "n")):
            refuses(wsh.draw_weight_sharing, name, a, b, 0, n=n, k=k)
    finally:
        plt.close(fig)


@fuzz
@given(v=bad_ints(minimum=-4, maximum=4, huge=True))
def test_lenet_explorer_update_shifts(v):
    update = _lenet_box().update
    refuses(update, "shift_y", shift_y=v)
    refuses(update, "shift_x", shift_x=v)


@fuzz
@given(v=bad_ints(minimum=0, maximum=1, huge=True))
def test_lenet_explorer_update_digit(v):
    refuses(_lenet_box().update, "digit", digit=v)


@fuzz
@given(v=bad_reals(minimum=-90.0, maximum=90.0))
def test_lenet_explorer_update_angle(v):
    refuses(_lenet_box().update, "angle", angle=v)


@fuzz
@given(x=st.one_of(bad_arrays((3,), size=28), st.sampled_from([np.zeros((2, 20, 20)), np.zeros((0, 28, 28)), np.full((1, 28, 28), 255, np.uint8)])))
def test_lenet_explorer_images(x):
    refuses(wle.lenet_explorer, "images", LENET, P_LENET, x)
    refuses(wle.lenet_figure, "images", LENET, P_LENET, x)


def test_lenet_explorer_other():
    refuses(wle.lenet_explorer, "model", DENSE, P_DENSE, X28)
    refuses(wle.lenet_explorer, ("model", "params"), LENET, None, X28)
    refuses(wle.lenet_explorer, "labels", LENET, P_LENET, X28, [1])
    refuses(wle.lenet_explorer, "labels", LENET, P_LENET, X28, ["a", "b"])
    refuses(wle.lenet_explorer, "params", LENET, [1, 2], X28)
    refuses(wle.lenet_figure, "digit", LENET, P_LENET, X28, digit=5)
    refuses(wle.lenet_figure, "angle", LENET, P_LENET, X28, angle=float("nan"))
