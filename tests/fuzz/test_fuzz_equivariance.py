"""Bad input for notebook 03's library: transforms, equivariance measures, p4 layers and their widgets.

Every public function of cnnlib.transforms, cnnlib.equivariance and cnnlib.p4, the widgets of
cnnlib.widgets.equivariance and cnnlib.widgets.filters (constructors and update functions): each
argument gets values that must be refused with a ValueError/TypeError naming it, and valid edge cases
(lists, ints, float64, 1x1 kernels, kernel = image size, factor 1) are compared with NumPy.
"""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from harness import accepts, bad_arrays, bad_flags, bad_functions, bad_ints, bad_options, bad_reals, fuzz, refuses
from hypothesis import given
from hypothesis import strategies as st

import cnnlib as cl
from cnnlib.widgets import equivariance as weq
from cnnlib.widgets import filters as wfi

IMG = np.linspace(0.0, 1.0, 64, dtype=np.float32).reshape(8, 8)
X4 = IMG[None, None]  # (1, 1, 8, 8)
W4 = np.arange(18, dtype=np.float32).reshape(2, 1, 3, 3) / 10
Y5 = np.ones((1, 2, 4, 8, 8), np.float32)
WG = np.ones((3, 2, 4, 3, 3), np.float32)
ROLL = lambda z: cl.shift(z, 0, 1)  # noqa: E731
ARR = st.one_of(bad_arrays((2,)), st.sampled_from([np.zeros((0, 8), np.float32), np.zeros((8, 0), np.float32)]))
BOUNDARIES = ("zeros", "circular", "reflect", "replicate")


# --- transforms ------------------------------------------------------------------------------------


@fuzz
@given(x=st.sampled_from([np.ones(8), np.array(1.0), np.zeros((0, 0)), np.zeros((3, 0)), np.zeros((0, 8, 8)),
                          np.full((8, 8), np.nan), np.full((2, 8, 8), -np.inf), np.ones((8, 8), bool), np.ones((8, 8), np.complex64),
                          np.full((8, 8), "a"), None, "img", [[1, 2], [3]], object(), 3.0]))
def test_transforms_refuse_a_bad_image(x):
    refuses(cl.shift, "x", x, 0, 1)
    refuses(cl.rotate90, "x", x)
    refuses(cl.rotate, "x", x, 30.0)
    refuses(cl.rescale, "x", x, 1.5)
    refuses(cl.warp, "x", x, np.zeros((2, 8, 8)))


@fuzz
@given(v=bad_ints())
def test_transform_amounts_must_be_whole(v):
    refuses(cl.shift, "dy", IMG, v, 0)
    refuses(cl.shift, "dx", IMG, 0, v)
    refuses(cl.rotate90, "k", IMG, v)


@fuzz
@given(v=bad_reals())
def test_rotate_angle(v):
    refuses(cl.rotate, "angle", IMG, v)


@fuzz
@given(v=st.one_of(bad_reals(minimum=0.0, exclusive=True), st.sampled_from([1e-50, 1e-30, 1e39, 1e300])))
def test_rescale_factor(v):
    refuses(cl.rescale, "factor", IMG, v)


@fuzz
@given(v=st.one_of(bad_ints(), st.sampled_from([2, -1, 3])))
def test_resampling_order(v):
    refuses(cl.rotate, "order", IMG, 10.0, order=v)
    refuses(cl.warp, "order", IMG, np.zeros((2, 8, 8)), order=v)


@fuzz
@given(b=bad_options(("circular", "zeros")))
def test_shift_boundary(b):
    refuses(cl.shift, "boundary", IMG, 0, 1, boundary=b)


@fuzz
@given(flow=st.one_of(bad_arrays((3,)), st.sampled_from([np.zeros((2, 4, 4)), np.zeros((3, 8, 8)), np.full((2, 8, 8), np.nan)])))
def test_warp_flow(flow):
    refuses(cl.warp, "flow", IMG, flow)


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("key"), st.sampled_from([0, None, "k", np.zeros(3), np.uint32(3)])),
    st.tuples(st.just("shape"), st.sampled_from([(8,), (1, 8), (8, 8.0), None, "88", (8, 8, 8), (True, 8), (10**6, 10**6)])),
    st.tuples(st.just("amplitude"), bad_reals(minimum=0.0)),
    st.tuples(st.just("smoothness"), bad_reals(minimum=0.0, exclusive=True)),
))
def test_smooth_flow(case):
    name, value = case
    args = {"key": jax.random.key(0), "shape": (8, 8), "amplitude": 1.0, "smoothness": 2.0, name: value}
    refuses(cl.smooth_flow, name, args["key"], args["shape"], args["amplitude"], args["smoothness"])


@fuzz
@given(flow=st.one_of(bad_arrays((3,)), st.sampled_from([np.zeros((3, 8, 8)), np.zeros((2, 0, 8))])))
def test_flow_gradient_norm(flow):
    refuses(cl.flow_gradient_norm, "flow", flow)


def test_transforms_valid_edge_cases_match_numpy():
    x = np.arange(20.0).reshape(4, 5)  # float64, non-square
    np.testing.assert_array_equal(accepts(cl.shift, x.tolist(), 1, -2), np.roll(x, (1, -2), axis=(0, 1)))
    np.testing.assert_array_equal(accepts(cl.shift, x.astype(int), 0, 5), x)  # a full turn of the torus
    np.testing.assert_array_equal(accepts(cl.rotate90, x, -1), np.rot90(x, -1))
    np.testing.assert_array_equal(accepts(cl.rotate, [[5.0]], 33.0), [[5.0]])  # 1x1: the centre stays
    sq = np.arange(25.0).reshape(5, 5)
    np.testing.assert_allclose(accepts(cl.rotate, sq, 90), np.rot90(sq), atol=1e-4)
    np.testing.assert_allclose(accepts(cl.rotate, sq, 360.0 * 10**6 + 180), np.rot90(sq, 2), atol=1e-4)
    np.testing.assert_allclose(accepts(cl.rescale, sq, 1), sq, atol=1e-5)  # factor 1 (an int)
    np.testing.assert_allclose(accepts(cl.warp, sq, np.zeros((2, 5, 5))), sq, atol=1e-6)
    assert accepts(cl.flow_gradient_norm, np.ones((2, 3, 3))) == 0.0


# --- equivariance measures -----------------------------------------------------------------------------


NOT_AN_ARRAY = [k for k in ("none", "text", "nan", "list")]


@fuzz
@given(f=st.one_of(bad_functions(IMG).filter(lambda fn: fn.__name__[8:] in NOT_AN_ARRAY), st.sampled_from([None, "f", 3, np.ones(3)])))
def test_equivariance_error_user_function(f):
    refuses(cl.equivariance_error, ("f", "g_out"), f, ROLL, IMG)
    refuses(cl.invariance_error, "f", f, ROLL, IMG)  # (a scalar f(x) is fine here: jnp.max is invariant)


def test_equivariance_error_scalar_output_with_a_shift():
    refuses(cl.equivariance_error, ("f", "g_out"), jnp.sum, ROLL, IMG)


@fuzz
@given(g=st.one_of(bad_functions(IMG), st.sampled_from([None, "g", 3])))
def test_equivariance_error_transformation(g):
    refuses(cl.equivariance_error, "g", jnp.abs, g, IMG)
    refuses(cl.invariance_error, "g", jnp.abs, g, IMG)
    if g is not None:  # g_out=None means g_out = g
        refuses(cl.equivariance_error, "g_out", jnp.abs, ROLL, IMG, g_out=g)


@fuzz
@given(x=st.sampled_from([np.zeros((8, 0)), np.zeros(0), np.full((8, 8), np.nan), np.full((2, 2), np.inf), np.ones((8, 8), bool),
                          np.ones((8, 8), np.complex64), np.full((8, 8), "a"), None, "img", [[1, 2], [3]], object()]))
def test_equivariance_error_input(x):
    refuses(cl.equivariance_error, "x", jnp.abs, ROLL, x)
    refuses(cl.invariance_error, "x", jnp.abs, ROLL, x)


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("params"), st.sampled_from([3, None, "abc", 2.5, b"12"])),
    st.tuples(st.just("invariant"), bad_flags()),
    st.tuples(st.just("transform"), st.sampled_from([None, 3, "shift"])),
))
def test_equivariance_curve(case):
    name, value = case
    args = {"transform": lambda z, d: cl.shift(z, 0, d), "params": [0, 1], "invariant": False, name: value}
    refuses(cl.equivariance_curve, name, jnp.abs, args["transform"], args["params"], IMG, invariant=args["invariant"])


def test_equivariance_measures_valid_edge_cases():
    x = [[0.0, 1.0, 2.0, 3.0]]
    assert accepts(cl.equivariance_error, lambda z: 2 * z, ROLL, x) == 0.0
    want = np.linalg.norm(np.roll(np.arange(4.0), 1) - np.arange(4.0)) / np.linalg.norm(np.arange(4.0))
    assert accepts(cl.invariance_error, lambda z: z, ROLL, np.arange(4.0)[None]) == pytest.approx(want, rel=1e-6)
    assert accepts(cl.invariance_error, jnp.sum, ROLL, x) == 0.0  # a scalar output is fine for invariance
    errs = accepts(cl.equivariance_curve, jnp.square, lambda z, d: cl.shift(z, 0, d), range(3), x)
    np.testing.assert_array_equal(errs, [0.0, 0.0, 0.0])


# --- oriented kernel, p4 -------------------------------------------------------------------------------


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("size"), bad_ints(minimum=2, huge=True)),
    st.tuples(st.just("angle"), bad_reals()),
    st.tuples(st.just("sigma"), bad_reals(minimum=0.0, exclusive=True)),
))
def test_oriented_kernel(case):
    name, value = case
    refuses(cl.oriented_kernel, name, **{name: value})


@pytest.mark.parametrize("size, sigma", [(9, 0.01), (3, 1e-200), (2, 1e-3), (9, 1e6), (4, 0.05)])
def test_oriented_kernel_is_finite_for_every_accepted_sigma(size, sigma):
    w = np.asarray(accepts(cl.oriented_kernel, size, 30.0, sigma))
    assert np.isfinite(w).all() and abs(np.abs(w).sum() - 1) < 1e-5
    np.testing.assert_allclose(w, -np.rot90(w, 2), atol=1e-6)  # antisymmetric
    t = np.arange(size) - (size - 1) / 2
    v, u = np.meshgrid(t, t, indexing="ij")
    if sigma >= 0.5:  # the plain formula is representable: compare with it
        ref = -(u * np.cos(np.pi / 6) - v * np.sin(np.pi / 6)) * np.exp(-(u**2 + v**2) / (2 * sigma**2))
        np.testing.assert_allclose(w, ref / np.abs(ref).sum(), atol=1e-6)


@fuzz
@given(x=st.one_of(bad_arrays((4,)), st.sampled_from([np.zeros((1, 1, 0, 8), np.float32)])))
def test_p4_lifting_conv_x(x):
    refuses(cl.p4_lifting_conv, "x", x, W4)


@fuzz
@given(w=st.one_of(bad_arrays((4,), size=3), st.sampled_from([np.ones((2, 1, 3, 2)), np.ones((2, 3, 3, 3))])))
def test_p4_lifting_conv_w(w):
    refuses(cl.p4_lifting_conv, ("w", "x"), X4, w)


PADDINGS = st.one_of(
    st.sampled_from([{1: 1}, {1}, np.array([1, 1]), (1.0, 1), (True, 1), -1, 1.5, "SAME", "", None,
                     ((1, 1), (1,)), (1, 2, 3), [[1, 1], 1], 10**6, 10**400, object()]),
    bad_options(("same", "valid", "full")).filter(lambda v: isinstance(v, bool) or not isinstance(v, int)),  # 0 and 1 are fine
)


@fuzz
@given(padding=PADDINGS)
def test_p4_padding(padding):
    cl.p4_lifting_conv(X4, W4, padding=(1, 1))  # a hashable equal value in the cache first
    refuses(cl.p4_lifting_conv, "padding", X4, W4, padding=padding)
    refuses(cl.p4_group_conv, "padding", Y5, WG, padding=padding)


@fuzz
@given(b=bad_options(BOUNDARIES))
def test_p4_boundary(b):
    refuses(cl.p4_lifting_conv, "boundary", X4, W4, boundary=b)
    refuses(cl.p4_group_conv, "boundary", Y5, WG, boundary=b)


@fuzz
@given(y=st.one_of(bad_arrays((5,)), st.sampled_from([np.ones((1, 2, 3, 8, 8)), np.zeros((1, 2, 4, 0, 8))])))
def test_p4_maps(y):
    refuses(cl.p4_group_conv, "y", y, WG)
    refuses(cl.p4_pool, "y", y)
    refuses(cl.p4_rotate, "y", y)


@fuzz
@given(w=st.one_of(bad_arrays((5,), size=3), st.sampled_from([np.ones((3, 1, 4, 3, 3)), np.ones((3, 2, 4, 3, 2))])))
def test_p4_group_w(w):
    refuses(cl.p4_group_conv, "w", Y5, w)


@fuzz
@given(case=st.one_of(st.tuples(st.just("mode"), bad_options(("max", "mean"))), st.tuples(st.just("k"), bad_ints())))
def test_p4_pool_mode_and_rotate_k(case):
    name, value = case
    if name == "mode":
        refuses(cl.p4_pool, "mode", Y5, value)
    else:
        refuses(cl.p4_rotate, "k", Y5, value)


def test_p4_valid_edge_cases_match_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 5, 5))  # float64
    w1 = rng.normal(size=(2, 3, 1, 1))  # 1x1 kernels: every rotation is the same
    y = np.asarray(accepts(cl.p4_lifting_conv, x.tolist(), w1))
    ref = np.einsum("oc,nchw->nohw", w1[:, :, 0, 0], x)
    np.testing.assert_allclose(y, np.repeat(ref[:, :, None], 4, axis=2), atol=1e-4)
    wk = rng.normal(size=(1, 3, 5, 5))  # kernel = image size, 'valid': one number per rotation
    y = np.asarray(accepts(cl.p4_lifting_conv, x, wk, padding="valid"))
    ref = [[np.sum(x[n] * np.rot90(wk[0], r, axes=(-2, -1))) for r in range(4)] for n in range(2)]
    np.testing.assert_allclose(y[:, 0, :, 0, 0], ref, rtol=1e-4, atol=1e-4)
    y = np.asarray(accepts(cl.p4_lifting_conv, x, wk, padding=[[0, 0], [0, 0]]))  # lists become tuples
    np.testing.assert_allclose(y[:, 0, :, 0, 0], ref, rtol=1e-4, atol=1e-4)
    maps = rng.normal(size=(1, 2, 4, 3, 3))
    np.testing.assert_allclose(accepts(cl.p4_pool, maps), maps.max(axis=2), atol=1e-6)
    np.testing.assert_allclose(accepts(cl.p4_pool, maps, "mean"), maps.mean(axis=2), atol=1e-6)
    np.testing.assert_allclose(accepts(cl.p4_rotate, maps, -3), np.roll(np.rot90(maps, 1, axes=(-2, -1)), 1, axis=2), atol=0)
    wg = rng.normal(size=(1, 2, 4, 1, 1))
    z = np.asarray(accepts(cl.p4_group_conv, maps, wg))
    ref = np.stack([np.einsum("cs,ncshw->nhw", np.roll(wg[0, :, :, 0, 0], r, axis=1), maps) for r in range(4)], axis=1)
    np.testing.assert_allclose(z[:, 0], ref, atol=1e-4)


# --- pooling and small shifts ------------------------------------------------------------------------


BAD_VECTORS = [np.zeros(0), np.array([np.nan, 1.0]), np.array([1.0, np.inf]), np.ones(2, bool), np.ones(2, np.complex64),
               np.full(2, "a"), None, "ab", [[1, 2], [3]], object()]


@fuzz
@given(a=st.sampled_from(BAD_VECTORS))
def test_fraction_changed_arrays(a):
    good = np.zeros(np.shape(a)) if isinstance(a, np.ndarray) else np.zeros(2)
    refuses(cl.fraction_changed, ("a", "b"), a, good)
    refuses(cl.fraction_changed, ("b", "a"), good, a)


@fuzz
@given(tol=bad_reals(minimum=0.0))
def test_fraction_changed_tol(tol):
    refuses(cl.fraction_changed, "tol", [1.0, 2.0], [1.0, 2.5], tol)


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("x"), st.one_of(bad_arrays((1, 2)), st.sampled_from([[np.nan, 1.0, 0.0], np.zeros((2, 0))]))),
    st.tuples(st.just("size"), bad_ints(minimum=1, huge=True)),
    st.tuples(st.just("shift_by"), bad_ints()),
    st.tuples(st.just("tol"), bad_reals(minimum=0.0)),
))
def test_shift_change_fractions(case):
    name, value = case
    args = {"x": [0.1, 1.0, 0.2, 0.1, 0.0, 0.3], "size": 3, "shift_by": 1, "tol": 1e-6, name: value}
    x = args.pop("x")
    refuses(cl.shift_change_fractions, name, x, **args)


def test_pooling_shift_valid_edge_cases_match_numpy():
    assert accepts(cl.fraction_changed, np.array([1, 2, 3, 4]), [1.0, 2.0, 3.5, 4.0]) == 0.25
    x = np.array([0.1, 1.0, 0.2, 0.1, 0.0, 0.3])

    def pooled(z, size):
        lo = size // 2
        return np.array([max(z[(i - lo + t) % z.size] for t in range(size)) for i in range(z.size)])

    for size, s in [(1, 1), (3, 1), (6, 2), (3, 6)]:  # window = signal, shift by the whole length
        moved = np.roll(x, s)
        want = (np.mean(np.abs(moved - x) > 1e-6), np.mean(np.abs(pooled(moved, size) - pooled(x, size)) > 1e-6))
        assert accepts(cl.shift_change_fractions, x.tolist(), size=size, shift_by=s) == pytest.approx(want)


# --- widgets -------------------------------------------------------------------------------------------

DISC = np.pad(np.ones((8, 8), np.float32) * 0.5, 4)  # (16, 16), even


@pytest.fixture(scope="module")
def eq_update():
    update = weq._EquivarianceState(DISC, None, None).update
    update()  # the one compilation, outside the timed cases
    return update


@pytest.fixture(scope="module")
def pool_update():
    return weq._PoolingState([0.1, 1.0, 0.2, 0.1, 0.0, 0.3]).update


@pytest.fixture(scope="module")
def filter_upd():
    return wfi.filter_update(np.full((16, 16), 0.5, np.float32), max_size=5)


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("img"), st.one_of(bad_arrays((2,), size=16), st.sampled_from([np.ones((15, 16)), np.full((16, 16), 255)]))),
    st.tuples(st.just("kernel"), st.one_of(bad_arrays((2,), size=3).filter(lambda v: v is not None),
                                           st.sampled_from([np.ones((3, 2)), np.full((3, 3), np.nan)]))),
    st.tuples(st.just("key"), st.sampled_from([0, "k", np.zeros(3), 1.5])),
))
def test_equivariance_explorer_arguments(case):
    name, value = case
    args = {"img": DISC, "kernel": None, "key": None, name: value}
    img = args.pop("img")
    refuses(weq.equivariance_explorer, name, img, **args)
    refuses(weq.equivariance_figure, name, img, **args)


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("transform"), bad_options(weq.TRANSFORMS)),
    st.tuples(st.just("layer"), bad_options(weq.LAYERS)),
    st.tuples(st.just("dx"), st.one_of(bad_ints(), st.sampled_from([10**400, 2**31]))),
    st.tuples(st.just("dy"), st.one_of(bad_ints(), st.sampled_from([10**400, -(2**40)]))),
    st.tuples(st.just("angle"), bad_reals()),
    st.tuples(st.just("scale"), st.one_of(bad_reals(minimum=0.0, exclusive=True), st.sampled_from([1e-50, 1e-9, 1e39, 1e9]))),
    st.tuples(st.just("amplitude"), st.one_of(bad_reals(minimum=0.0), st.sampled_from([1e39, 1e9]))),
))
def test_equivariance_update_arguments(eq_update, case):
    name, value = case
    transform = {"angle": "rotate", "scale": "scale", "amplitude": "deform"}.get(name, "shift")
    refuses(eq_update, name, **{"transform": transform, name: value})


@pytest.mark.parametrize("values", [dict(transform="rotate", angle=1e39), dict(transform="rotate", angle=-7e20),
                                    dict(transform="shift", dx=16, dy=-16), dict(transform="scale", scale=1.0),
                                    dict(transform="deform", amplitude=0.0, layer="p4 conv")])
def test_equivariance_readout_is_a_number_for_every_accepted_value(eq_update, values):
    text = accepts(eq_update, **values)
    assert "nan" not in text and "inf" not in text, text


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("signal"), st.one_of(bad_arrays((1,)), st.sampled_from([[1.0, 2.0], list(range(25)), [0.0, np.nan, 1.0]]))),
))
def test_pooling_explorer_signal(case):
    _, value = case
    refuses(weq.pooling_shift_explorer, "signal", value)
    refuses(weq.pooling_shift_figure, "signal", value)


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("shift"), bad_ints(minimum=0, maximum=5)),
    st.tuples(st.just("width"), bad_ints(minimum=1, maximum=7)),
))
def test_pooling_update_arguments(pool_update, case):
    name, value = case
    refuses(pool_update, name, **{name: value})


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("name"), bad_options(tuple(cl.KERNELS) + ("gaussian",))),
    st.tuples(st.just("size"), st.one_of(bad_ints(minimum=1, huge=True), st.sampled_from([2, 4]))),
))
def test_filter_kernels(case):
    name, value = case
    args = {"name": "box", "size": 3, name: value}
    refuses(wfi.filter_kernel, name, args["name"], args["size"])
    refuses(wfi.smoothed_kernel, name, args["name"], args["size"])


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("img"), st.one_of(bad_arrays((2,), size=16), st.sampled_from([np.ones((2, 16)), np.full((16, 16), 255)]))),
    st.tuples(st.just("max_size"), st.one_of(bad_ints(minimum=3, huge=True), st.sampled_from([4, 6]))),
))
def test_filter_update_and_explorer(case):
    name, value = case
    args = {"img": np.full((16, 16), 0.5), "max_size": 5, name: value}
    img = args.pop("img")
    refuses(wfi.filter_update, (name, "img"), img, **args)  # a huge max_size: the image is too small for it
    refuses(wfi.filter_explorer, (name, "img"), img, **args)


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("name"), bad_options(tuple(wfi.FILTERS.values()))),
    st.tuples(st.just("size"), st.one_of(bad_ints(minimum=1, maximum=3), st.sampled_from([2]))),
))
def test_filter_update_arguments(filter_upd, case):
    name, value = case
    refuses(filter_upd, name, **{name: value})


@fuzz
@given(case=st.one_of(
    st.tuples(st.just("img"), st.one_of(bad_arrays((2,), size=16), st.sampled_from([np.full((16, 16), 255)]))),
    st.tuples(st.just("names"), st.sampled_from([[], (), "edge", None, ["nope"], [3], "", {"edge": 1}, ["edge", None]])),
    st.tuples(st.just("ncols"), bad_ints(minimum=1)),
    st.tuples(st.just("size"), st.one_of(bad_reals(minimum=0.0, exclusive=True), st.sampled_from([1e6, 1e300]))),
))
def test_filter_gallery(case):
    name, value = case
    args = {"img": np.full((16, 16), 0.5), "names": ("edge",), "ncols": 1, "size": 1.0, name: value}
    img = args.pop("img")
    refuses(wfi.filter_gallery, name, img, **args)


def test_widgets_valid_edge_cases(filter_upd, pool_update):
    import matplotlib.pyplot as plt

    assert "weights sum to 0.00" in accepts(filter_upd, "edge", 1)
    np.testing.assert_allclose(filter_upd.last_output, np.zeros((16, 16)), atol=1e-6)  # edge of a flat image
    assert "pooled values changed 0/6" in accepts(pool_update, shift=0, width=1)
    np.testing.assert_array_equal(accepts(wfi.filter_kernel, "box", 1), [[1.0]])
    fig = accepts(wfi.filter_gallery, np.full((16, 16), 0.5), ["identity"], ncols=5, size=1.0)
    plt.close(fig)
