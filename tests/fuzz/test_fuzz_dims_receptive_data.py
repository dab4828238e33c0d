"""Fuzz of dimensionality, receptive, data and scaling, with their two widget modules.

Every public function, widget constructor and widget update function of these
modules gets bad values for each argument (it must raise ValueError/TypeError
naming the argument, see ``harness.py``), and valid edge cases (lists, ints,
float64, 1x1 kernels, kernel = image size, factor 1) compared with a NumPy or
closed-form reference.
"""
from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import correlate2d
from scipy.special import gamma, gammaln

from harness import accepts, bad_arrays, bad_flags, bad_ints, bad_options, bad_reals, fuzz, refuses

import cnnlib as cl
from cnnlib import data, receptive, scaling
from cnnlib import dimensionality as dim

matplotlib.use("Agg")

KEY = jax.random.key(0)
PTS = np.linspace(0.0, 1.0, 12, dtype=np.float32).reshape(4, 3)  # (N, d) points
LABELS = np.array([0, 1, 0, 1])
IMG = np.linspace(0.0, 1.0, 64, dtype=np.float32).reshape(8, 8)
DIGITS = np.ones((3, 4, 4), np.float32)
BAD_KEYS = st.sampled_from([None, 0, "key", 1.5, np.zeros(3, np.uint32), jnp.zeros((2,), jnp.float32), [0, 0]])
BAD_UNIT_INTERVAL = st.one_of(  # not a float (array) in (0, 1]
    bad_reals(minimum=0.0, maximum=1.0),
    st.sampled_from([0.0, -0.5, 1.5, np.array([0.5, np.nan]), np.array([]), [0.5, "a"]]),
)
BAD_INT_ARRAYS = st.one_of(  # not an int (array) >= 1
    bad_ints(minimum=1),
    st.sampled_from([np.array([2, 0]), np.array([2.0, 3.0]), np.array([], int), np.array([True]), [2, "a"], 10**400]),
)
LAYER_NAMES = ("layers", "layers[0]", *(f"layers[0].{k}" for k in ("kernel", "stride", "dilation", "padding")))
BAD_LAYERS = st.sampled_from(
    [None, "3", 3, [0], [3.5], [None], [(3, 0)], [(3, 1, 1, -1)], [(3, 1, 1, 0, 9)], [{"kernel": 3, "x": 1}],
     [{"stride": 2}], [True], [(3, True)], {3: 1}]
)


def _close(*_: Any) -> None:
    import matplotlib.pyplot as plt

    plt.close("all")


# --- bad values: one table row per (function, argument) -----------------------------------------


class Case(NamedTuple):
    fn: Callable
    arg: str | tuple
    values: st.SearchStrategy
    call: Callable  # (fn, value) -> result


_WIDGETS: dict[str, Any] = {}


def widget(name: str):
    """One small widget of each kind, built on first use (its update function is fuzzed)."""
    if name not in _WIDGETS:
        make = {
            "dimension": lambda: cl.widgets.dimension_explorer(d_max=16, num_points=50),
            "rind": lambda: cl.widgets.rind_explorer(),
            "receptive_field": lambda: cl.widgets.receptive_field_explorer(IMG),
            "connectivity": lambda: cl.widgets.connectivity_explorer(5),
        }[name]
        _WIDGETS[name] = make()
    return _WIDGETS[name]


def _dimension_update(**kw):
    return widget("dimension").update(**kw)


def _rind_update(**kw):
    return widget("rind").update(**kw)


def _receptive_update(**kw):
    return widget("receptive_field").update(**{"layers": 2, "kernel": 3, "stride": 1, "dilation": 1, **kw})


def _connectivity_update(**kw):
    return widget("connectivity").update(**{"kernel": 3, "pick": "input", "index": 2, **kw})


def _figure(name):
    from cnnlib.widgets import dimensionality as wd

    return getattr(wd, name)


def _draw(name):
    from cnnlib.widgets import receptive as wr

    return getattr(wr, name)


CONN = receptive.connectivity((4, 4), (2, 2))
RF = receptive.receptive_field([3, 3])

CASES = {
    # dimensionality: closed forms
    "rind_fraction.alpha": Case(dim.rind_fraction, "alpha", BAD_UNIT_INTERVAL, lambda f, v: f(v, 2)),
    "rind_fraction.n": Case(dim.rind_fraction, "n", BAD_INT_ARRAYS, lambda f, v: f(0.5, v)),
    "rind_fraction.broadcast": Case(dim.rind_fraction, ("alpha", "n"), st.sampled_from([np.array([2, 3])]),
                                    lambda f, v: f(np.array([0.5, 0.6, 0.7]), v)),
    "half_length.n": Case(dim.half_length, "n", BAD_INT_ARRAYS, lambda f, v: f(v)),
    "half_length.first_order": Case(dim.half_length, "first_order", bad_flags(), lambda f, v: f(3, first_order=v)),
    "ball_volume_fraction.d": Case(dim.ball_volume_fraction, "d", BAD_INT_ARRAYS, lambda f, v: f(v)),
    "ball_volume_fraction.log10": Case(dim.ball_volume_fraction, "log10", bad_flags(), lambda f, v: f(3, log10=v)),
    "log10_samples_needed.eps": Case(dim.log10_samples_needed, "eps", BAD_UNIT_INTERVAL, lambda f, v: f(v, 3)),
    "log10_samples_needed.d": Case(dim.log10_samples_needed, "d", BAD_INT_ARRAYS, lambda f, v: f(0.1, v)),
    "log10_samples_needed.broadcast": Case(dim.log10_samples_needed, ("eps", "d"), st.sampled_from([[1, 2]]),
                                           lambda f, v: f([0.1, 0.2, 0.3], v)),
    # dimensionality: sampling and distances
    **{f"{fn.__name__}.{arg}": Case(fn, arg, bad_ints(minimum=1), (lambda a: lambda f, v: f(**{"n": 3, "d": 2, "key": KEY, a: v}))(arg))
       for fn in (dim.sample_cube, dim.sample_torus, dim.sample_ball) for arg in ("n", "d")},
    **{f"{fn.__name__}.huge": Case(fn, ("n", "d"), st.sampled_from([(10**6, 10**6), (10**9, 3), (2**31, 1), (10**400, 2)]),
                                   lambda f, v: f(v[0], v[1], KEY))
       for fn in (dim.sample_cube, dim.sample_torus, dim.sample_ball)},
    **{f"{fn.__name__}.key": Case(fn, "key", BAD_KEYS, lambda f, v: f(3, 2, v))
       for fn in (dim.sample_cube, dim.sample_torus, dim.sample_ball)},
    "pairwise_distances.x": Case(dim.pairwise_distances, "x", bad_arrays((1, 2)), lambda f, v: f(v, PTS)),
    "pairwise_distances.y": Case(dim.pairwise_distances, "y", bad_arrays((2,)).filter(lambda v: v is not None), lambda f, v: f(PTS, v)),
    "pairwise_distances.d": Case(dim.pairwise_distances, ("x", "y"), st.sampled_from([np.ones((2, 4), np.float32)]),
                                 lambda f, v: f(PTS, v)),
    "pairwise_distances.metric": Case(dim.pairwise_distances, "metric", bad_options(("euclidean", "torus")),
                                      lambda f, v: f(PTS, metric=v)),
    "pairwise_distances.dims": Case(dim.pairwise_distances, "dims", bad_ints(minimum=1, maximum=3).filter(lambda v: v is not None), lambda f, v: f(PTS, dims=v)),
    "pairwise_distances.huge": Case(dim.pairwise_distances, ("x", "y"), st.sampled_from([np.zeros((20_000, 1), np.float32)]),
                                    lambda f, v: f(v)),
    # dimensionality: Monte Carlo
    "rind_fraction_mc.alpha": Case(dim.rind_fraction_mc, "alpha", BAD_UNIT_INTERVAL, lambda f, v: f(v, 2, KEY, num_samples=10)),
    "rind_fraction_mc.n": Case(dim.rind_fraction_mc, "n", BAD_INT_ARRAYS, lambda f, v: f(0.5, v, KEY, num_samples=10)),
    "rind_fraction_mc.broadcast": Case(dim.rind_fraction_mc, ("alpha", "n"), st.sampled_from([np.array([2, 3])]),
                                       lambda f, v: f(np.array([0.5, 0.6, 0.7]), v, KEY, num_samples=10)),
    "rind_fraction_mc.key": Case(dim.rind_fraction_mc, "key", BAD_KEYS, lambda f, v: f(0.5, 2, v, num_samples=10)),
    "rind_fraction_mc.num_samples": Case(dim.rind_fraction_mc, "num_samples", bad_ints(minimum=1),
                                         lambda f, v: f(0.5, 2, KEY, num_samples=v)),
    "rind_fraction_mc.huge": Case(dim.rind_fraction_mc, ("num_samples", "n"), st.sampled_from([(10**9, 2), (10**5, 10**5)]),
                                  lambda f, v: f(0.5, v[1], KEY, num_samples=v[0])),
    "rind_fraction_mc.shape": Case(dim.rind_fraction_mc, "shape", bad_options(("ball", "cube")),
                                   lambda f, v: f(0.5, 2, KEY, num_samples=10, shape=v)),
    "half_length_mc.n": Case(dim.half_length_mc, "n", BAD_INT_ARRAYS, lambda f, v: f(v, KEY, num_samples=10)),
    "half_length_mc.key": Case(dim.half_length_mc, "key", BAD_KEYS, lambda f, v: f(2, v, num_samples=10)),
    "half_length_mc.num_samples": Case(dim.half_length_mc, "num_samples", bad_ints(minimum=1),
                                       lambda f, v: f(2, KEY, num_samples=v)),
    "half_length_mc.huge": Case(dim.half_length_mc, ("num_samples", "n"), st.sampled_from([(10**9, 2), (10**5, 10**5)]),
                                lambda f, v: f(v[1], KEY, num_samples=v[0])),
    "half_length_mc.shape": Case(dim.half_length_mc, "shape", bad_options(("ball", "cube")),
                                 lambda f, v: f(2, KEY, num_samples=10, shape=v)),
    "ball_volume_fraction_mc.d": Case(dim.ball_volume_fraction_mc, "d", BAD_INT_ARRAYS, lambda f, v: f(v, KEY, num_samples=10)),
    "ball_volume_fraction_mc.key": Case(dim.ball_volume_fraction_mc, "key", BAD_KEYS, lambda f, v: f(2, v, num_samples=10)),
    "ball_volume_fraction_mc.num_samples": Case(dim.ball_volume_fraction_mc, "num_samples", bad_ints(minimum=1),
                                                lambda f, v: f(2, KEY, num_samples=v)),
    "ball_volume_fraction_mc.huge": Case(dim.ball_volume_fraction_mc, ("num_samples", "d"),
                                         st.sampled_from([(10**9, 2), (10**5, 10**5)]), lambda f, v: f(v[1], KEY, num_samples=v[0])),
    "distance_contrast.d": Case(dim.distance_contrast, "d", BAD_INT_ARRAYS, lambda f, v: f(v, 5, KEY)),
    "distance_contrast.n": Case(dim.distance_contrast, "n", bad_ints(minimum=2), lambda f, v: f(2, v, KEY)),
    "distance_contrast.key": Case(dim.distance_contrast, "key", BAD_KEYS, lambda f, v: f(2, 5, v)),
    "distance_contrast.num_queries": Case(dim.distance_contrast, "num_queries", bad_ints(minimum=1),
                                          lambda f, v: f(2, 5, KEY, num_queries=v)),
    "distance_contrast.metric": Case(dim.distance_contrast, "metric", bad_options(("euclidean", "torus")),
                                     lambda f, v: f(2, 5, KEY, metric=v)),
    "distance_contrast.huge": Case(dim.distance_contrast, ("n", "d"), st.sampled_from([(10**9, 2), (10**5, 10**5)]),
                                   lambda f, v: f(v[1], v[0], KEY)),
    # dimensionality: nearest neighbours
    "knn_predict.x_train": Case(dim.knn_predict, "x_train", bad_arrays((2,), size=4), lambda f, v: f(v, LABELS, PTS)),
    "knn_predict.y_train": Case(dim.knn_predict, "y_train", st.sampled_from(
        [None, "a", np.array([0, 1, 0]), np.array([0.0, 1, 0, 1]), np.array([0, -1, 0, 1]), np.array([True] * 4), [[0, 1, 0, 1]]]),
        lambda f, v: f(PTS, v, PTS)),
    "knn_predict.x_test": Case(dim.knn_predict, "x_test", bad_arrays((2,), size=3), lambda f, v: f(PTS, LABELS, v)),
    "knn_predict.k": Case(dim.knn_predict, "k", bad_ints(minimum=1, maximum=4), lambda f, v: f(PTS, LABELS, PTS, k=v)),
    "knn_accuracy.x_test": Case(dim.knn_accuracy, "x_test", bad_arrays((2,), size=4), lambda f, v: f(PTS, LABELS, v, LABELS)),
    "knn_accuracy.y_test": Case(dim.knn_accuracy, "y_test", st.sampled_from([None, np.array([0, 1]), np.array([0.5] * 4)]),
                                lambda f, v: f(PTS, LABELS, PTS, v)),
    "knn_accuracy.num_noise": Case(dim.knn_accuracy, "num_noise", st.one_of(bad_ints(minimum=0), st.sampled_from([np.array([], int)])),
                                   lambda f, v: f(PTS, LABELS, PTS, LABELS, num_noise=v, key=KEY)),
    "knn_accuracy.huge": Case(dim.knn_accuracy, "num_noise", st.sampled_from([10**9, 2**40]),
                              lambda f, v: f(PTS, LABELS, PTS, LABELS, num_noise=v, key=KEY)),
    "knn_accuracy.key": Case(dim.knn_accuracy, "key", BAD_KEYS, lambda f, v: f(PTS, LABELS, PTS, LABELS, num_noise=2, key=v)),
    "knn_accuracy.scale": Case(dim.knn_accuracy, "scale", bad_reals(minimum=0.0, exclusive=True),
                               lambda f, v: f(PTS, LABELS, PTS, LABELS, num_noise=2, key=KEY, scale=v)),
    # widgets/dimensionality
    "dimension_explorer.d_max": Case(cl.widgets.dimension_explorer, "d_max", bad_ints(minimum=1, maximum=10_000),
                                     lambda f, v: f(d_max=v, num_points=10)),
    "dimension_explorer.num_points": Case(cl.widgets.dimension_explorer, "num_points", bad_ints(minimum=2, maximum=10**5),
                                          lambda f, v: f(d_max=4, num_points=v)),
    "dimension_explorer.key": Case(cl.widgets.dimension_explorer, "key", BAD_KEYS.filter(lambda k: k is not None),
                                   lambda f, v: f(d_max=4, num_points=10, key=v)),
    "dimension_explorer.update.d": Case(_dimension_update, "d", bad_ints(minimum=1, maximum=16), lambda f, v: f(d=v)),
    "dimension_figure.dims": Case(_figure("dimension_figure"), "dims", st.sampled_from(
        [None, "abc", [], [0], [2.5], [2, None], [10**9], [[2, 8]], np.array([np.nan])]), lambda f, v: f(dims=v, num_points=10)),
    "dimension_figure.num_points": Case(_figure("dimension_figure"), "num_points", bad_ints(minimum=2, maximum=10**5),
                                        lambda f, v: f(dims=(2,), num_points=v)),
    "dimension_figure.key": Case(_figure("dimension_figure"), "key", BAD_KEYS.filter(lambda k: k is not None),
                                 lambda f, v: f(dims=(2,), num_points=10, key=v)),
    "rind_explorer.alpha": Case(cl.widgets.rind_explorer, "alpha", bad_reals(minimum=0.5, maximum=1.0), lambda f, v: f(alpha=v)),
    "rind_explorer.update.alpha": Case(_rind_update, "alpha", bad_reals(minimum=0.5, maximum=1.0), lambda f, v: f(alpha=v)),
    "rind_figure.alphas": Case(_figure("rind_figure"), "alphas", st.sampled_from(
        [None, "abc", [], 0.5, [0.0], [1.5], [math.nan], [0.5, None], [[0.5]], [True]]), lambda f, v: f(alphas=v)),
    # receptive: connectivity
    "connectivity.input_shape": Case(receptive.connectivity, "input_shape", st.sampled_from(
        [None, "abc", 0, -3, 2.5, (), (0, 3), (3, 3, 3), (3.0, 3), (True, 3), [[3]]]), lambda f, v: f(v, 1)),
    "connectivity.huge": Case(receptive.connectivity, ("input_shape", "kernel_shape"), st.sampled_from(
        [((10**5, 10**5), 3), ((2**40,), 1), ((10**4, 10**4), (30, 30))]), lambda f, v: f(v[0], v[1])),
    "connectivity.kernel_shape": Case(receptive.connectivity, "kernel_shape", st.one_of(bad_ints(minimum=1), st.sampled_from(
        [(3,), (3, 3, 3), (2, 0), (9, 9)])), lambda f, v: f((5, 5), v)),
    "connectivity.stride": Case(receptive.connectivity, "stride", bad_ints(minimum=1), lambda f, v: f((5, 5), 2, stride=v)),
    "connectivity.dilation": Case(receptive.connectivity, "dilation", bad_ints(minimum=1), lambda f, v: f((5, 5), 2, dilation=v)),
    "connectivity.padding": Case(receptive.connectivity, "padding", st.one_of(bad_options(("valid", "same", "full")).filter(lambda v: not isinstance(v, int)), st.sampled_from(
        [-1, 1.5, (True, 1), (1, 2, 3), ((1, 1), (1, -1)), None, 10**9])), lambda f, v: f((5, 5), 2, padding=v)),
    "connectivity.boundary": Case(receptive.connectivity, "boundary", bad_options(("zeros", "circular", "reflect", "replicate")),
                                  lambda f, v: f((5, 5), 2, boundary=v)),
    "connectivity.flip": Case(receptive.connectivity, "flip", bad_flags(), lambda f, v: f((5, 5), 2, flip=v)),
    "Connectivity.inputs_of": Case(CONN.inputs_of, "output", st.sampled_from([None, -1, 9, 2.0, (0,), (0, 3), (0, 0, 0), "a", (True, 0)]),
                                   lambda f, v: f(v)),
    "Connectivity.outputs_of": Case(CONN.outputs_of, "input", st.sampled_from([None, -1, 16, 2.0, (4, 0), "a"]), lambda f, v: f(v)),
    "Connectivity.matrix": Case(CONN.matrix, "w", st.sampled_from(
        [None, "abcd", np.ones(3), np.array([1.0, np.nan, 0, 0]), np.array([1.0, np.inf, 0, 0]), np.ones(4, complex), [[1, 2], [3]]]),
        lambda f, v: f(v)),
    "dense_connectivity.n_in": Case(receptive.dense_connectivity, "n_in", st.one_of(bad_ints(minimum=1), st.sampled_from([(0, 3), (2.0,)])),
                                    lambda f, v: f(v, 3)),
    "dense_connectivity.n_out": Case(receptive.dense_connectivity, "n_out", bad_ints(minimum=1), lambda f, v: f(3, v)),
    "dense_connectivity.huge": Case(receptive.dense_connectivity, ("n_in", "n_out"), st.sampled_from([(10**5, 10**5), (2**40, 1)]),
                                    lambda f, v: f(v[0], v[1])),
    # receptive: stacks
    "receptive_field.layers": Case(receptive.receptive_field, LAYER_NAMES, BAD_LAYERS, lambda f, v: f(v)),
    "ReceptiveField.region": Case(RF.region, "unit", bad_ints(minimum=0), lambda f, v: f(v)),
    "footprint.layers": Case(receptive.footprint, LAYER_NAMES, BAD_LAYERS, lambda f, v: f(v, 9)),
    "footprint.input_size": Case(receptive.footprint, "input_size", bad_ints(minimum=1, huge=True).filter(lambda v: v != 10**6),
                                 lambda f, v: f([3], v)),
    "footprint.unit": Case(receptive.footprint, "unit", bad_ints(minimum=0, maximum=6), lambda f, v: f([3], 9, unit=v)),
    "path_counts.layers": Case(receptive.path_counts, LAYER_NAMES, BAD_LAYERS, lambda f, v: f(v, 9)),
    "path_counts.input_size": Case(receptive.path_counts, "input_size", bad_ints(minimum=1, huge=True), lambda f, v: f([3], v)),
    "path_counts.unit": Case(receptive.path_counts, "unit", st.sampled_from([3, (0,), (0, 7), (-1, 0), (0.0, 0), "ab", (True, 0)]),
                             lambda f, v: f([3], 9, unit=v)),
    "empirical_receptive_field.layers": Case(receptive.empirical_receptive_field, LAYER_NAMES, BAD_LAYERS, lambda f, v: f(v, 9)),
    "empirical_receptive_field.input_size": Case(receptive.empirical_receptive_field, "input_size", bad_ints(minimum=1, huge=True),
                                                 lambda f, v: f([3], v)),
    "empirical_receptive_field.unit": Case(receptive.empirical_receptive_field, "unit", st.sampled_from(
        [3, (0,), (0, 7), (-1, 0), (0.0, 0), "ab", (True, 0)]), lambda f, v: f([3], 9, unit=v)),
    # widgets/receptive
    "draw_connectivity.conn": Case(_draw("draw_connectivity"), "conn", st.sampled_from([None, "abc", 3, RF]), lambda f, v: f(v)),
    "draw_connectivity.output": Case(_draw("draw_connectivity"), "output", st.sampled_from([-1, 9, 2.0, "a", True]),
                                     lambda f, v: f(CONN, output=v)),
    "draw_connectivity.input": Case(_draw("draw_connectivity"), "input", st.sampled_from([-1, 16, 2.0, "a", True]),
                                    lambda f, v: f(CONN, input=v)),
    "draw_connectivity.output_x": Case(_draw("draw_connectivity"), "output_x", st.sampled_from(
        ["abc", [1.0], np.ones(3), np.array([0, 1, np.nan, 3.0]), [[0, 1], [2, 3]]]), lambda f, v: f(CONN, output_x=v)),
    "draw_connectivity.title": Case(_draw("draw_connectivity"), "title", st.sampled_from([3, b"t", ["t"]]), lambda f, v: f(CONN, title=v)),
    "draw_connectivity.labels": Case(_draw("draw_connectivity"), "labels", bad_flags(), lambda f, v: f(CONN, labels=v)),
    "draw_connectivity.ax": Case(_draw("draw_connectivity"), "ax", st.sampled_from(["ax", 3, [1]]), lambda f, v: f(CONN, v)),
    "draw_stack.layers": Case(_draw("draw_stack"), LAYER_NAMES, BAD_LAYERS, lambda f, v: f(v, 9)),
    "draw_stack.input_size": Case(_draw("draw_stack"), "input_size", bad_ints(minimum=1, maximum=256, huge=True),
                                  lambda f, v: f([3], v)),
    "draw_stack.unit": Case(_draw("draw_stack"), "unit", bad_ints(minimum=0, maximum=6), lambda f, v: f([3], 9, unit=v)),
    "draw_stack.title": Case(_draw("draw_stack"), "title", st.sampled_from([3, b"t"]), lambda f, v: f([3], 9, title=v)),
    "draw_stack.ax": Case(_draw("draw_stack"), "ax", st.sampled_from(["ax", 3]), lambda f, v: f([3], 9, v)),
    "draw_receptive_field.img": Case(_draw("draw_receptive_field"), "img", bad_arrays((2,)), lambda f, v: f(v, [3])),
    "draw_receptive_field.layers": Case(_draw("draw_receptive_field"), LAYER_NAMES, BAD_LAYERS, lambda f, v: f(IMG, v)),
    "draw_receptive_field.title": Case(_draw("draw_receptive_field"), "title", st.sampled_from([3, b"t"]), lambda f, v: f(IMG, [3], title=v)),
    "draw_receptive_field.ax": Case(_draw("draw_receptive_field"), "ax", st.sampled_from(["ax", 3]), lambda f, v: f(IMG, [3], v)),
    "receptive_field_explorer.img": Case(cl.widgets.receptive_field_explorer, "img", bad_arrays((2,)), lambda f, v: f(v)),
    **{f"receptive_field_explorer.{a}": Case(cl.widgets.receptive_field_explorer, a, bad_ints(minimum=1, huge=True),
                                             (lambda a: lambda f, v: f(IMG, **{a: v}))(a))
       for a in ("max_layers", "max_kernel", "max_stride", "max_dilation")},
    **{f"receptive_field_explorer.update.{a}": Case(_receptive_update, a, bad_ints(minimum=1, maximum=m),
                                                    (lambda a: lambda f, v: f(**{a: v}))(a))
       for a, m in (("layers", 6), ("kernel", 7), ("stride", 3), ("dilation", 4))},
    "connectivity_explorer.n": Case(cl.widgets.connectivity_explorer, "n", bad_ints(minimum=2, maximum=16, huge=True), lambda f, v: f(v)),
    "connectivity_explorer.max_kernel": Case(cl.widgets.connectivity_explorer, "max_kernel", bad_ints(minimum=1, maximum=5),
                                             lambda f, v: f(5, max_kernel=v)),
    "connectivity_explorer.update.kernel": Case(_connectivity_update, "kernel", bad_ints(minimum=1, maximum=5), lambda f, v: f(kernel=v)),
    "connectivity_explorer.update.pick": Case(_connectivity_update, "pick", bad_options(("input", "output")), lambda f, v: f(pick=v)),
    "connectivity_explorer.update.index": Case(_connectivity_update, "index", bad_ints(minimum=1, maximum=5), lambda f, v: f(index=v)),
    # data
    "load_image.name": Case(data.load_image, "name", bad_options(("cat", "astronaut")), lambda f, v: f(v)),
    "load_image.grey": Case(data.load_image, "grey", bad_flags(), lambda f, v: f("cat", grey=v)),
    "load_image.size": Case(data.load_image, "size", st.one_of(bad_ints(minimum=1, huge=True),
                                                               st.sampled_from([(0, 3), (3,), (3, 3, 3), (10**5, 10**5)])),
                            lambda f, v: f("cat", grey=True, size=v)),
    "as_batch.img": Case(data.as_batch, "img", bad_arrays((2, 3)), lambda f, v: f(v)),
    "digits_on_canvas.key": Case(data.digits_on_canvas, "key", BAD_KEYS, lambda f, v: f(v, DIGITS, canvas=6)),
    "digits_on_canvas.images": Case(data.digits_on_canvas, "images", bad_arrays((3,), size=4), lambda f, v: f(KEY, v, canvas=6)),
    "digits_on_canvas.labels": Case(data.digits_on_canvas, "labels", st.sampled_from(
        ["abc", np.array([0, 1]), np.array([0.5, 1, 2]), np.array([[0, 1, 2]]), [0, "a", 2], np.array([True, False, True])]),
        lambda f, v: f(KEY, DIGITS, v, canvas=6)),
    "digits_on_canvas.canvas": Case(data.digits_on_canvas, "canvas", bad_ints(minimum=4, huge=True), lambda f, v: f(KEY, DIGITS, canvas=v)),
    "digits_on_canvas.scale": Case(data.digits_on_canvas, "scale", bad_ints(minimum=1, huge=True), lambda f, v: f(KEY, DIGITS, canvas=8, scale=v)),
    "digits_on_canvas.max_offset": Case(data.digits_on_canvas, "max_offset", bad_ints(minimum=0, maximum=1).filter(lambda v: v is not None),
                                        lambda f, v: f(KEY, DIGITS, canvas=6, max_offset=v)),
    "train_test_split.key": Case(data.train_test_split, "key", BAD_KEYS, lambda f, v: f(v, 10)),
    "train_test_split.n": Case(data.train_test_split, "n", bad_ints(minimum=2, huge=True).filter(lambda v: v != 10**6),
                               lambda f, v: f(KEY, v)),
    "train_test_split.test_fraction": Case(data.train_test_split, "test_fraction", bad_reals(minimum=0.0, maximum=1.0, exclusive=True),
                                           lambda f, v: f(KEY, 10, v)),
    # scaling
    "measure_dense_vs_conv.sides": Case(scaling.measure_dense_vs_conv, "sides", st.sampled_from(
        [None, "8", [], [0], [2.5], [10**6], np.array([[2]]), [True]]), lambda f, v: f(v, key=KEY)),
    "measure_dense_vs_conv.batch": Case(scaling.measure_dense_vs_conv, "batch", bad_ints(minimum=1, huge=True).filter(lambda v: v != 10**6),
                                        lambda f, v: f([4], batch=v, key=KEY)),
    "measure_dense_vs_conv.k": Case(scaling.measure_dense_vs_conv, "k", bad_ints(minimum=1, huge=True).filter(lambda v: v != 10**6),
                                    lambda f, v: f([4], k=v, key=KEY)),
    "measure_dense_vs_conv.repeats": Case(scaling.measure_dense_vs_conv, "repeats", bad_ints(minimum=1, maximum=1000, huge=True),
                                          lambda f, v: f([4], repeats=v, key=KEY)),
    "measure_dense_vs_conv.key": Case(scaling.measure_dense_vs_conv, "key", BAD_KEYS, lambda f, v: f([4], key=v)),
    "measure_dense_vs_conv.max_dense_mib": Case(scaling.measure_dense_vs_conv, "max_dense_mib", st.one_of(
        bad_reals(minimum=0.0), st.sampled_from([-math.inf, math.nan])).filter(lambda v: v is not math.inf and v != math.inf),
        lambda f, v: f([4], key=KEY, max_dense_mib=v)),
    "fit_loglog_slope.x": Case(scaling.fit_loglog_slope, "x", st.sampled_from(
        [None, "abc", [], [1.0], [1, 2, 3], [0, 1], [-1, 2], [1, math.nan], [1, math.inf], [[1, 2]], [1, "a"], [1 + 1j, 2]]),
        lambda f, v: f(v, [1.0, 2.0])),
    "fit_loglog_slope.y": Case(scaling.fit_loglog_slope, "y", st.sampled_from(
        [None, "abc", [1.0], [0, 1], [-1, 2], [1, math.inf], [[1, 2]], [1, "a"], [math.nan, math.nan]]),
        lambda f, v: f([1.0, 2.0], v)),
}


@pytest.mark.parametrize("name", list(CASES))
@settings(fuzz, max_examples=15)  # 156 rows: half the harness's examples keeps the file quick
@given(data=st.data())
def test_bad_values_are_refused(name, data):
    case = CASES[name]
    kind = name.split("_explorer.update")[0] if "_explorer.update" in name else None
    if kind:
        widget(kind)  # built outside the time limit of the call
    value = data.draw(case.values, label=name)

    def call(v):
        return case.call(case.fn, v)

    call.__qualname__ = name  # the case is counted under the function and argument it fuzzes
    try:
        refuses(call, case.arg, value, timeout=5)
    finally:
        _close()


# --- issue 18's list, each a plain test -----------------------------------------------------------


def test_flags_are_not_truthiness():
    with pytest.raises(TypeError, match="`first_order`"):
        dim.half_length(3, first_order="no")
    with pytest.raises(TypeError, match="`log10`"):
        dim.ball_volume_fraction(3, log10="no")


def test_huge_samples_are_refused_before_allocating():
    with pytest.raises(ValueError, match=r"`n` is too large|`d` is too large"):
        dim.sample_cube(10**6, 10**6, KEY)


def test_knn_refuses_nan_and_empty():
    with pytest.raises(ValueError, match="`x_test`"):
        dim.knn_predict(PTS, LABELS, np.array([[np.nan, 0, 0]], np.float32))
    with pytest.raises(ValueError, match="`x_train`"):
        dim.knn_predict(np.zeros((0, 3)), np.zeros(0, int), PTS)


def test_rind_fraction_mismatched_broadcast():
    with pytest.raises(ValueError, match="`alpha`"):
        dim.rind_fraction(np.array([0.5, 0.6, 0.7]), np.array([2, 3]))


def test_dimension_explorer_refuses_a_huge_slider():
    with pytest.raises(ValueError, match="`d_max`"):
        cl.widgets.dimension_explorer(d_max=10**9)


# --- valid edge cases against references ---------------------------------------------------------


@fuzz
@given(alpha=st.floats(0.01, 1.0), n=st.integers(1, 400))
def test_closed_forms_match_numpy(alpha, n):
    np.testing.assert_allclose(accepts(dim.rind_fraction, alpha, n), 1 - np.float64(alpha) ** n, atol=1e-6)
    np.testing.assert_allclose(accepts(dim.rind_fraction, [alpha], [n]), [1 - np.float64(alpha) ** n], atol=1e-6)
    np.testing.assert_allclose(accepts(dim.half_length, n), 2.0 ** (-1 / n), rtol=1e-6)
    np.testing.assert_allclose(accepts(dim.half_length, [n], first_order=True), [1 - math.log(2) / n], rtol=1e-6)
    np.testing.assert_allclose(accepts(dim.half_length, np.int64(n), first_order=np.bool_(False)), 2.0 ** (-1 / n), rtol=1e-6)
    ref = math.pi ** (n / 2) / gamma(n / 2 + 1) / 2.0**n
    log10_ref = (n / 2 * math.log(math.pi) - gammaln(n / 2 + 1) - n * math.log(2)) / math.log(10)
    np.testing.assert_allclose(accepts(dim.ball_volume_fraction, n, log10=True), log10_ref, rtol=1e-5, atol=1e-3)
    if n < 30:
        np.testing.assert_allclose(accepts(dim.ball_volume_fraction, [n]), [ref], rtol=1e-4)
    np.testing.assert_allclose(accepts(dim.log10_samples_needed, np.float64(alpha), [n]), [-n * math.log10(alpha)], rtol=1e-12)


def test_sampling_distances_and_knn_edge_cases():
    for fn in (dim.sample_cube, dim.sample_ball):  # sample_torus is sample_cube
        assert accepts(fn, np.int64(1), 1, KEY).shape == (1, 1)
    x = [[0.0, 0.0], [3.0, 4.0]]  # a list of ints/floats
    np.testing.assert_allclose(accepts(dim.pairwise_distances, x), [[0, 5], [5, 0]])
    np.testing.assert_allclose(accepts(dim.pairwise_distances, np.float64(x), dims=1), [[0, 3], [3, 0]])
    np.testing.assert_allclose(accepts(dim.pairwise_distances, [0.1], [[0.9], [0.1]], metric="torus"), [0.2, 0.0], atol=1e-6)
    rng = np.random.default_rng(0)
    xt, yt, xq = rng.random((7, 2)), rng.integers(0, 3, 7), rng.random((5, 2))
    nearest = np.argmin(((xq[:, None] - xt[None]) ** 2).sum(-1), axis=1)
    np.testing.assert_array_equal(accepts(dim.knn_predict, xt, yt, xq), yt[nearest])
    np.testing.assert_array_equal(accepts(dim.knn_predict, xt.tolist(), yt.tolist(), xq.tolist()), yt[nearest])
    one = accepts(dim.knn_predict, xt, yt, xq, k=7)  # k = N: every query gets the majority (ties: the nearer voters)
    counts = np.bincount(yt)
    assert set(np.asarray(one)) <= set(np.flatnonzero(counts == counts.max()))
    assert float(accepts(dim.knn_accuracy, xt, yt, xt, yt)) == 1.0
    assert accepts(dim.rind_fraction_mc, 1.0, 1, KEY, num_samples=1).shape == ()
    assert float(accepts(dim.ball_volume_fraction_mc, 1, KEY, num_samples=10)) == 1.0


def test_connectivity_edge_cases_match_scipy():
    rng = np.random.default_rng(1)
    x = rng.random((5, 6))
    for k in ((1, 1), (5, 6), (2, 3)):  # 1x1 kernel, kernel = image size, in between
        w = rng.random(k)
        conn = accepts(receptive.connectivity, list(x.shape), list(k))
        got = conn.matrix(w) @ x.ravel()
        np.testing.assert_allclose(got, correlate2d(x, w, mode="valid").ravel(), rtol=1e-12)
    conn = accepts(receptive.connectivity, 5, 1, stride=1, dilation=1, padding="same")
    np.testing.assert_array_equal(conn.adjacency(), np.eye(5, dtype=bool))
    assert accepts(receptive.dense_connectivity, 1, 1).n_edges == 1
    np.testing.assert_array_equal(accepts(receptive.path_counts, [1], 1), [[1]])
    np.testing.assert_array_equal(accepts(receptive.path_counts, [4], 4), np.ones((4, 4)))  # kernel = input size
    np.testing.assert_array_equal(accepts(receptive.footprint, [(4, 1)], 4), np.arange(4))
    assert accepts(receptive.receptive_field, []).size == 1
    e = accepts(receptive.empirical_receptive_field, [1], 1)
    assert e.size == (1, 1) and float(e.grad[0, 0]) == 1.0


def test_data_edge_cases():
    img = accepts(data.load_image, "cat", grey=True, size=1)
    assert img.shape == (1, 1) and 0 <= float(img[0, 0]) <= 1
    assert accepts(data.as_batch, [[1, 2], [3, 4]]).shape == (1, 1, 2, 2)
    x = np.arange(2 * 4 * 4, dtype=np.float64).reshape(2, 4, 4) / 32
    out = accepts(data.digits_on_canvas, KEY, x, canvas=4)  # canvas = digit size: nothing moves
    np.testing.assert_allclose(out[0], x, rtol=1e-6)
    np.testing.assert_array_equal(out[1], np.zeros((2, 2)))
    train, test = accepts(data.train_test_split, KEY, 2, 0.5)
    assert sorted(np.r_[train, test].tolist()) == [0, 1]
    assert accepts(scaling.fit_loglog_slope, [1, 2], [1, 2]) == pytest.approx(1.0)


def test_widget_edge_cases():
    widget("rind")  # built before the timed calls
    box = accepts(cl.widgets.dimension_explorer, d_max=1, num_points=2)
    assert accepts(box.update, d=1).startswith("d = 1:")
    box = accepts(cl.widgets.connectivity_explorer, 2, max_kernel=1)
    assert "1 output(s)" in accepts(box.update, kernel=1, pick="input", index=2)
    box = accepts(cl.widgets.receptive_field_explorer, np.ones((1, 1)), max_layers=1, max_kernel=1)
    assert "receptive field 1 x 1" in accepts(box.update, layers=1, kernel=1, stride=1, dilation=1)
    assert "α = 1.000" in accepts(widget("rind").update, alpha=1)
    _close()
