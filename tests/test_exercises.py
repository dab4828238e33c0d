"""Exercise checkers a student can trust: every correct form accepted, every plausible slip refused
with the hint for that slip, and nothing, however odd, makes a checker raise.

One table, ``EXERCISES``, holds every exercise of notebooks 00-05: the solution in several natural
forms, plausible wrong answers with the hint each must show, and the stub. Every expected value is
computed here independently (by brute force, a loop or a closed form written out), never by calling
the checker's own formula. The solution cells themselves are run too (``test_solution_cell_...``).
"""
from __future__ import annotations

import json
import math
import pathlib
import re
from fractions import Fraction
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cnnlib as cl
from cnnlib.exercises import Verdict
from cnnlib.exercises._answers import Unreadable, read_array, read_number, read_shape, read_side, read_whole, read_whole_set

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ex = cl.exercises


def said(call: Callable[[], Any], capsys) -> tuple[bool, str]:
    """Run a checker call; it must print exactly one verdict line and return a Verdict (never raise)."""
    capsys.readouterr()
    verdict = call()
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert isinstance(verdict, Verdict), f"returned {verdict!r}"
    assert len(lines) == 1, f"printed {len(lines)} lines: {out!r}"
    assert lines[0].startswith("\u2713 Correct.") or lines[0].startswith("\u2717 Not yet."), lines[0]
    assert bool(verdict) == lines[0].startswith("\u2713 Correct."), "the verdict and the printed line disagree"
    return bool(verdict), lines[0]


# --------------------------------------------------------------------- independent oracles
def full_convolution(u, w):
    """s_t = sum_a u_a w_{t-a}, by a double loop."""
    s = [0.0] * (len(u) + len(w) - 1)
    for t in range(len(s)):
        for a in range(len(u)):
            if 0 <= t - a < len(w):
                s[t] += u[a] * w[t - a]
    return s


def count_windows(n, k, stride=1, padding=0):
    """How many window starts fit in the padded input, counted one by one."""
    return sum(1 for start in range(0, n + 2 * padding, stride) if start + k <= n + 2 * padding)


def receptive_side(layers):
    """Side of the input region one top unit sees, by following the unit's inputs down layer by layer."""
    seen = {0}
    for k, stride in reversed(layers):
        seen = {p * stride + a for p in seen for a in range(k)}
    return max(seen) - min(seen) + 1


def cross_correlate_same(x, w):
    """out[i, j] = sum_ab x[i + a - 1, j + b - 1] w[a, b] with zeros outside, by loops (3x3 w)."""
    h, wd = x.shape
    pad = np.pad(x, 1)
    return np.array([[np.sum(pad[i:i + 3, j:j + 3] * w) for j in range(wd)] for i in range(h)])


X4 = [[6, 1, 2, 4], [1, 6, 7, 8], [3, 5, 2, 0], [1, 2, 3, 4]]  # notebook 03's 4x4 example, written out


def block_means(x, size=2):
    return [[sum(x[r][c] for r in range(i, i + size) for c in range(j, j + size)) / size**2
             for j in range(0, len(x[0]), size)] for i in range(0, len(x), size)]


def quarter_average(w):
    """(w + R w + R^2 w + R^3 w) / 4, rotating by index arithmetic: R w[i, j] = w[j, k - 1 - i]."""
    w = np.asarray(w, dtype=float)
    k = w.shape[0]
    turns = [w]
    for _ in range(3):
        prev = turns[-1]
        turns.append(np.array([[prev[j, k - 1 - i] for j in range(k)] for i in range(k)]))
    return sum(turns) / 4


def pascal_row(taps):
    row = [1]
    for _ in range(taps - 1):
        row = [a + b for a, b in zip([0] + row, row + [0])]
    return row


BY_HAND = full_convolution([1, 2, 3, 4], [1, 0, -1])  # [1, 2, 2, 2, -3, -4]
MATCH = count_windows(128, 24)  # 105
RF_STACK = receptive_side([(3, 1)] * 3)  # 7
RF_STRIDED = receptive_side([(3, 2), (3, 1), (3, 1)])  # 11
CONV_EDGES = sum(9 for i in range(count_windows(6, 3)) for j in range(count_windows(6, 3)))  # 144
DENSE_EDGES = 36 * count_windows(6, 3) ** 2  # 576
OUT_11 = count_windows(11, 5, stride=2, padding=2)  # 6
CONV_SIDE = count_windows(32, 5, padding=2)  # 32
POOL_SIDE = count_windows(CONV_SIDE, 2, stride=2)  # 16
CONV_PARAMS = np.zeros((6, 1, 5, 5)).size + 6  # 156
DENSE_PARAMS = np.zeros((10, POOL_SIDE * POOL_SIDE * 6)).size + 10  # 15370
LOCAL_PARAMS = CONV_SIDE * CONV_SIDE * CONV_PARAMS  # 159744
STACK_WEIGHTS = 3 * np.zeros((3, 3)).size  # 27
AVG = block_means(X4)  # [[3.5, 5.25], [2.75, 2.25]]
POOLED = count_windows(32, 3, stride=2)  # 15
HALF_N = next(n for n in range(1, 1000) if 2 ** (-1 / n) >= 0.99)  # 69
CORNERS = 1 - (4 / 3) * math.pi * 0.5**3
BIN5 = [v / 16 for v in pascal_row(5)]
BLUR = [(x + 2 * y + z) / 4 for x, y, z in ((1, 0, 0), (0, 1, 1), (1, 0, 0), (0, 1, 1))]  # (x[i-1], x[i], x[i+1]) at 0, 2, 4, 6 of [0,0,1,1,0,0,1,1]


def _shift_kernel():
    w = np.zeros((3, 3))
    w[1, 0] = 1.0
    return w


def _stride_shifts():
    """Shifts v in 0..8 for which a stride-3 circular correlation commutes with the shift (v // 3 on the output)."""
    rng = np.random.default_rng(0)
    x, w = rng.random((12, 126)), rng.random((3, 3))

    def layer(z):  # circular 'same' correlation with a 3x3 kernel, then stride 3
        out = sum(w[a, b] * np.roll(z, (1 - a, 1 - b), axis=(0, 1)) for a in range(3) for b in range(3))
        return out[::3, ::3]

    return [v for v in range(9) if np.allclose(layer(np.roll(x, v, axis=1)), np.roll(layer(x), v // 3, axis=1))]


SHIFTS = _stride_shifts()  # [0, 3, 6]


def _torus_estimate(seed, metric):
    k1, k2 = jax.random.split(jax.random.key(seed))
    query, points = cl.sample_torus(1, 500, k1)[0], cl.sample_torus(2000, 500, k2)
    return float(jnp.mean(cl.pairwise_distances(query, points, metric=metric)) / (np.sqrt(500) / 2))


def _smallest_filter():
    zone = cl.zone_plate(128)
    return next(k for k in range(1, 8) if cl.aliased_fraction(zone, 2, filter_size=k) < 0.05)


def sym_np(w):
    return sum(np.rot90(w, k) for k in range(4)) / 4


def sym_explicit(w):
    return (w + np.rot90(w) + np.rot90(w, 2) + np.rot90(w, 3)) / 4


def sym_stack(w):
    return jnp.mean(jnp.stack([cl.rotate90(w, k) for k in range(4)]), axis=0)


def sym_centre(w):
    out = np.zeros_like(w)
    c = w.shape[0] // 2
    out[c, c] = w[c, c]
    return out


def sym_only_5x5(w):
    return sym_np(np.asarray(w).reshape(5, 5))


# --------------------------------------------------------------------- the table
class Exercise(NamedTuple):
    notebook: str
    checker: str
    right: list  # the solution in several natural forms
    wrong: list  # (answer, regex the hint must match)
    kwargs: dict = {}
    pair: bool = False  # check_stack takes two answers

    def call(self, answer):
        fn = getattr(ex, self.checker)
        return fn(*answer, **self.kwargs) if self.pair else fn(answer, **self.kwargs)

    def stub(self):
        return (None, None) if self.pair else None


EXERCISES = [
    # ---- 00 convolution
    Exercise("00", "check_conv1d_by_hand",
             [BY_HAND, [int(v) for v in BY_HAND], tuple(BY_HAND), np.asarray(BY_HAND, np.float32), jnp.asarray(BY_HAND),
              np.convolve([1, 2, 3, 4], [1, 0, -1])],
             [([-v for v in BY_HAND], "cross-correlation"), (BY_HAND[2:4], "'valid'"), (BY_HAND[1:5], "'same'"),
              (BY_HAND[::-1], "reverse order"), ([1, 2, 2, 0, -3, -4], "Check s_3 again"),
              (BY_HAND[:3], r"full mode gives L \+ k - 1"), ([BY_HAND], "flat list"),
              ([1, 2, 2, 2, -3], r"full mode gives L \+ k - 1")]),
    Exercise("00", "check_shift_kernel",
             [_shift_kernel(), _shift_kernel().tolist(), jnp.asarray(_shift_kernel(), jnp.float32),
              _shift_kernel().astype(int), np.pad([[1]], ((1, 1), (0, 2)))],
             [(_shift_kernel()[:, ::-1], "moves the image to the left"), (_shift_kernel().T, "up or down"),
              (np.pad([[1.0]], 1), "leaves the image where it is"), (np.ones((2, 2)), r"shape \(2, 2\)"),
              (2 * _shift_kernel(), "sum to 2"), ([[0, 0, 0], [1, 0], [0, 0, 0]], "ragged")]),
    Exercise("00", "check_match_size",
             [MATCH, float(MATCH), np.int64(MATCH), [MATCH], (MATCH, MATCH), np.array([MATCH]), jnp.asarray(MATCH),
              np.zeros((MATCH, MATCH)).shape],
             [(128 - 24, "Off by one"), (128, "'same' size"), (128 + 24 - 1, "'full' size"), (MATCH**2, "one axis"),
              (MATCH + 0.5, "whole number of positions"), (str(MATCH), "text"), ((105, 104), "two different sides")]),
    # ---- 01 sparse interactions
    Exercise("01", "check_stack_receptive_field",
             [RF_STACK, float(RF_STACK), np.int64(RF_STACK), (RF_STACK, RF_STACK), [RF_STACK], jnp.asarray(RF_STACK)],
             [(9, "number of inputs of one 3x3 layer"), (3, "field of one layer"), (49, "area"), (6, "starts at 1 pixel"),
              (7.5, "whole number of pixels")]),
    Exercise("01", "check_strided_receptive_field",
             [RF_STRIDED, float(RF_STRIDED), np.int32(RF_STRIDED), [RF_STRIDED], jnp.asarray([RF_STRIDED])],
             [(7, "ignores the stride"), (9, "only the last layer"), (15, "stride 2 in every layer"),
              (13, "first layer's own growth"), (11.5, "whole number of pixels")]),
    Exercise("01", "check_edge_count",
             [(CONV_EDGES, DENSE_EDGES), [CONV_EDGES, DENSE_EDGES], np.array([CONV_EDGES, DENSE_EDGES]),
              (float(CONV_EDGES), float(DENSE_EDGES)), (np.int64(CONV_EDGES), jnp.asarray(DENSE_EDGES))],
             [((324, 576), "count per output"), ((9, 576), "number of weights"), ((576, 144), "wrong order"),
              ((144, 1296), r"16 \(4x4\), not 36"), ((144, 100), "36 inputs times 16 outputs"), ((16, 576), "number of outputs"),
              ((144.9, 576.7), "144.9 is not a whole number"), (("144", "576"), "text"), ({144: 0, 576: 0}, "dict"),
              ({144, 576}, "no order"), (144, "single number")]),
    # ---- 02 parameter sharing
    Exercise("02", "check_output_size",
             [OUT_11, float(OUT_11), np.int64(OUT_11), [OUT_11], jnp.asarray(OUT_11), (11 - 5 + 2 * 2) / 2 + 1],
             [(5, r"add 2P, not P(.|\n)*\+ 1"), (4, "without padding"), (11, "divide"), (6.5, "whole number of outputs")],
             kwargs=dict(n=11, k=5, stride=2, padding=2)),
    Exercise("02", "check_conv_shape",
             [(CONV_SIDE, CONV_SIDE, 6), (6, CONV_SIDE, CONV_SIDE), [CONV_SIDE, CONV_SIDE, 6], np.array([CONV_SIDE, CONV_SIDE, 6]),
              jnp.zeros((6, CONV_SIDE, CONV_SIDE)).shape, (32.0, 32.0, 6.0)],
             [((28, 28, 6), "without padding"), ((32, 32, 1), "own output channel"), ((30, 30, 6), "add 2P = 4"),
              ((31, 31, 6), "first window"), ((32, 32), "yours has 2"), ((32.9, 32.5, 6.7), "32.9 is not a whole number"),
              (np.zeros((6, 32, 32)), "Give its shape"), ((6, 28, 28), "without padding")]),
    Exercise("02", "check_conv_params",
             [CONV_PARAMS, float(CONV_PARAMS), np.int64(CONV_PARAMS), [CONV_PARAMS], jnp.asarray(CONV_PARAMS)],
             [(150, "forgot the bias"), (26, "one filter"), (25, "weights of one filter"), (151, "its own bias"),
              (159744, "locally connected"), (156.5, "whole number of parameters")]),
    Exercise("02", "check_pool_shape",
             [(POOL_SIDE, POOL_SIDE, 6), (6, POOL_SIDE, POOL_SIDE), [POOL_SIDE, POOL_SIDE, 6], np.array([6, POOL_SIDE, POOL_SIDE]),
              cl.max_pool2d(jnp.zeros((1, 6, 32, 32)), 2).shape[1:]],
             [((31, 31, 6), "window jumps two pixels"), ((16, 16, 1), "each channel separately"), ((8, 8, 6), "halves each side once"),
              ((14, 14, 6), "unpadded convolution")]),
    Exercise("02", "check_pool_params",
             [0, 0.0, np.int64(0), [0], jnp.asarray(0)],
             [(4, "4 cells"), (24, "2x2 kernel per channel"), (6, "no bias per channel"), (False, "True and False are not numbers")]),
    Exercise("02", "check_dense_params",
             [DENSE_PARAMS, float(DENSE_PARAMS), np.int64(DENSE_PARAMS), [DENSE_PARAMS], jnp.asarray(DENSE_PARAMS)],
             [(DENSE_PARAMS - 10, "forgot the biases"), ((32 * 32 * 6 + 1) * 10, "after the pooling layer"),
              (16 * 16 * 6 + 1, "one output unit"), (16 * 16 * 6 * 10 + 1, "its own bias")],
             kwargs=dict(n_outputs=10)),
    Exercise("02", "check_local_params",
             [LOCAL_PARAMS, float(LOCAL_PARAMS), np.int64(LOCAL_PARAMS), [LOCAL_PARAMS], jnp.asarray(LOCAL_PARAMS, jnp.int32)],
             [(156, "shared convolution"), (32 * 32 * 6 * 25, "forgot the biases"), (28 * 28 * 6 * 26, "32\\*32 positions"),
              (32 * 32 * 26, "multiply by 6")]),
    Exercise("02", "check_stack",
             [(RF_STACK, STACK_WEIGHTS), ((RF_STACK, RF_STACK), STACK_WEIGHTS), (np.array([RF_STACK]), STACK_WEIGHTS),
              (float(RF_STACK), float(STACK_WEIGHTS)), (jnp.asarray(RF_STACK), np.int64(STACK_WEIGHTS)),
              (np.array([RF_STACK, RF_STACK]), [STACK_WEIGHTS])],
             [((9, 27), "3 - 1 = 2"), ((5, 27), "two layers"), ((7, 49), "single 7x7"), ((7, 9), "one layer"),
              ((7, 30), "no bias"), ((49, 27), "area"), (((7, 5), 27), "two different sides"), ((7.5, 27), "whole number of pixels"),
              ((7, None), "Fill in both")],
             pair=True),
    # ---- 03 equivariance
    Exercise("03", "check_symmetrize",
             [lambda w: sum(jnp.rot90(w, k) for k in range(4)) / 4, sym_np, sym_explicit, sym_stack, quarter_average],
             [(lambda w: w, "off after a quarter turn"), (lambda w: 4 * sym_np(w), "4 times the average"),
              (lambda w: np.full_like(w, w.mean()), "constant kernel"), (sym_centre, "centre tap"),
              (lambda w: (sym_np(w) + sym_np(w.T)) / 2, "mirror-symmetric"), (lambda w: np.full_like(w, np.nan), "NaN or infinity"),
              (lambda w: np.full_like(w, np.inf), "NaN or infinity"), (lambda w: 1 / 0, "raised ZeroDivisionError"),
              (lambda w: None, "forget `return`"), (lambda w: sym_np(w)[:3, :3], "should keep the shape"),
              (lambda w: sym_np(w) > 0, "True/False"), (sym_only_5x5, r"on a 3x3 kernel raised ValueError"),
              (lambda w: np.zeros_like(w), "zero kernel"), (lambda w: sym_np(w) + 1, "does not keep w's content"),
              (lambda w: str(w), "text"), (np.ones((5, 5)), "should be a function")]),
    Exercise("03", "check_stride_shifts",
             [SHIFTS, set(SHIFTS), tuple(SHIFTS[::-1]), np.array(SHIFTS), range(0, 9, 3), jnp.asarray(SHIFTS), [float(v) for v in SHIFTS]],
             [([0, 1, 2], "shifts of the output"), (list(range(9)), "Not every shift"), ([0], r"left out \[3, 6\]"),
              ([0, 3, 6, 7], r"For \[7\] the error"), ([0.5, 3.5, 6.5], "0.5 is not a whole number"),
              ([v % 3 == 0 for v in range(9)], "mask"), (np.arange(9) % 3 == 0, "mask"), ([0, 3, 9], "outside"),
              (3, "single number")]),
    Exercise("03", "check_avg_pool",
             [AVG, np.array(AVG), jnp.asarray(AVG), tuple(tuple(r) for r in AVG), np.array(AVG, np.float32),
              cl.avg_pool2d(jnp.asarray(X4, jnp.float32), 2)],
             [([[6, 8], [5, 4]], r"\*max\*"), ((4 * np.array(AVG)).tolist(), "sums of the blocks"), (np.array(AVG).T, "swapped"),
              (np.ravel(AVG).tolist(), "nested list"), ([[3.5, 5.25], [2.75]], "ragged"), (np.ones((3, 3)), "stride 1"),
              ([[3.5, 5.25], [2.75, 2.5]], "Cut the 4x4 array")]),
    Exercise("03", "check_pooled_length",
             [POOLED, float(POOLED), (POOLED,), cl.max_pool1d(np.zeros(32), 3, stride=2).shape, np.int64(POOLED), np.array([POOLED])],
             [(16, "padding='same'"), (30, "stride 1"), (14, "starts at 0"), (15.5, "Round the division down")]),
    # ---- 04 curse of dimensionality
    Exercise("04", "check_digit_samples",
             [64 * 2, 128.0, -64 * np.log10(0.01), np.float32(128), [128], jnp.asarray(128.0)],
             [(64, "eps = 0.1"), (2, "one pixel"), (-128, "sign"), (10**128, "N itself")]),
    Exercise("04", "check_half_length_dimension",
             [HALF_N, float(HALF_N), math.ceil(math.log(2) / -math.log(0.99)), np.int64(HALF_N), [HALF_N]],
             [(70, "first-order rule"), (68, "Round up"), (math.log(2) / -math.log(0.99), "a dimension is a whole number"),
              (69.5, "whole dimension")]),
    Exercise("04", "check_corner_share",
             [CORNERS, 0.476, np.float32(CORNERS), [CORNERS], jnp.asarray(CORNERS), 1 - math.pi / 6],
             [(math.pi / 6, "ball's share"), (1 - math.pi / 4, "2-D answer"), (1 - 4 * math.pi / 3, "radius 1/2"),
              (47.6, "percentage")]),
    Exercise("04", "check_torus_mean",
             [math.sqrt(1 / 3), 0.577, np.array([0.5776]), jnp.asarray(0.5776), [0.578], np.float32(0.5772)],
             [(_torus_estimate(7, "euclidean"), "looks like the Euclidean distance in the cube: use metric='torus'"), (math.sqrt(1 / 3) / 2, r"not by sqrt\(d\)"),
              (math.sqrt(1 / 3) * math.sqrt(500) / 2, "Normalise"), (0.0, "distance to itself"),
              (1 / math.sqrt(6), r"Euclidean distance in the cube divided by sqrt\(d\)")],
             kwargs=dict(d=500)),
    # ---- 05 aliasing
    Exercise("05", "check_folded_frequency",
             [0.25, np.float64(0.25), [0.25], abs(0.75 - round(0.75)), jnp.float32(0.25), Fraction(1, 4)],
             [(0.75, "cannot show more than 0.5"), (0.375, "old grid"), (0.1875, "wrong way"), (0.125, "fold around 0.5"),
              (-0.25, "up to the sign")]),
    Exercise("05", "check_blur_pool_by_hand",
             [BLUR, np.array(BLUR), jnp.asarray(BLUR), tuple(BLUR),
              cl.blur_pool1d(np.array([0, 0, 1, 1, 0, 0, 1, 1.0]), filter_size=3, stride=2, boundary="circular")],
             [([0.25, 0.5, 0.75, 0.75, 0.25, 0.5, 0.75, 0.75], "before subsampling"), ([0, 1, 0, 1], "plain subsampling"),
              (BLUR[1:] + BLUR[:1], "Shifted by one place"), ([0.0, 0.75, 0.25, 0.75], "Wrap around"),
              ([1, 3, 1, 3], "Divide by 4")]),
    Exercise("05", "check_binomial_5",
             [BIN5, np.array(pascal_row(5)) / 16, jnp.asarray(BIN5), tuple(BIN5), np.array(BIN5, np.float32)],
             [(pascal_row(5), "divide by its sum, 16"), (np.array(pascal_row(5)) / 6, "not by its largest"),
              (np.array(pascal_row(4)) / 8, "row with 4 numbers"), (np.array(pascal_row(6)) / 32, "6 numbers")]),
    Exercise("05", "check_smallest_filter",
             [_smallest_filter(), 5.0, np.int64(5), [5], jnp.asarray(5)],
             [(7, "find the smallest"), (6, "find the smallest"), (4, "about 7%"), (3, "about 17%"),
              (0.0383, "aliased fraction"), (5.5, "whole number of taps")]),
    # ---- 06 LeNet
    Exercise("06", "check_dense_instead_of_conv2",
             [885760, 885760.0, np.int64(885760), [885760], jnp.asarray(885760),
              np.zeros((16 * count_windows(12, 5) ** 2, 6 * count_windows(24, 2, stride=2) ** 2)).size + 16 * 8 * 8],
             [(884736, "weights only"), (2416, "conv layer itself"), (864 * 256 + 256, "256 units"),
              (784 * 1024 + 1024, "not the 784 pixels"), (865 * 16, "its own weights"), (885760.5, "whole number of parameters")]),
    Exercise("06", "check_lenet_shape_32",
             [(16, 5, 5), (5, 5, 16), [16, 5, 5], np.array([16, 5, 5]),
              jnp.zeros((16, count_windows(count_windows(count_windows(32, 5), 2, stride=2), 5) // 2, 5)).shape, (16.0, 5.0, 5.0)],
             [((16, 4, 4), "28 x 28 digit"), ((4, 4, 16), "28 x 28 digit"), ((16, 10, 10), "second pool halves"),
              ((6, 5, 5), "16 channels"), ((16, 6, 6), "takes away 4 pixels, not 2"), ((16, 5), "yours has 2"),
              (np.zeros((16, 5, 5)), "Give its shape")]),
    Exercise("06", "check_pool2_receptive_field",
             [receptive_side([(5, 1), (2, 2), (5, 1), (2, 2)]), 16.0, np.int64(16), (16, 16), [16], jnp.asarray(16)],
             [(14, "second-layer conv unit"), (15, r"adds \(2 - 1\) x 2 = 2, not 1"), (9, "leaves out both pools"),
              (11, "forgets the jump"), (256, "area"), (18, "jump is 2, not 4"), (16.5, "whole number of pixels")]),
]
IDS = [f"{e.notebook}-{e.checker}" for e in EXERCISES]


class RaisesInFloat:
    def __float__(self):
        raise RuntimeError("no float for you")


class RaisesInArray:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array for you")


ODD = [float("nan"), float("inf"), -float("inf"), 10**400, [[1, 2], [3]], "abc", "144", {"a": 1}, RaisesInFloat(),
       RaisesInArray(), True, 1 + 2j, [None], object(), Ellipsis, np.array([]), np.float64("nan"), jnp.asarray(jnp.inf)]


# --------------------------------------------------------------------- the table's tests
def test_the_table_covers_every_checker_and_every_notebook_exercise():
    public = {n for n in ex.__dict__ if n.startswith("check_")} - {"check_number", "check_array", "check_whole", "check_shape"}
    assert {e.checker for e in EXERCISES} == public
    in_notebooks = set()
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            if "exercise" in cell.get("metadata", {}).get("tags", []):
                in_notebooks |= set(re.findall(r"cl\.exercises\.(check_\w+)", "".join(cell["source"])))
    assert in_notebooks <= public


def test_the_oracles_agree_with_the_hand_values():
    # The numbers a student would write down, against the brute-force oracles above.
    assert BY_HAND == [1, 2, 2, 2, -3, -4] and MATCH == 105 and (RF_STACK, RF_STRIDED) == (7, 11)
    assert (CONV_EDGES, DENSE_EDGES, OUT_11, CONV_SIDE, POOL_SIDE) == (144, 576, 6, 32, 16)
    assert (CONV_PARAMS, DENSE_PARAMS, LOCAL_PARAMS, STACK_WEIGHTS) == (156, 15370, 159744, 27)
    assert AVG == [[3.5, 5.25], [2.75, 2.25]] and POOLED == 15 and SHIFTS == [0, 3, 6] and HALF_N == 69
    assert BIN5 == [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16] and BLUR == [0.25, 0.75, 0.25, 0.75]
    assert _smallest_filter() == 5
    x = np.random.default_rng(1).random((6, 7))
    moved = cross_correlate_same(x, _shift_kernel())
    np.testing.assert_allclose(moved[:, 1:], x[:, :-1])  # the kernel moves the image one pixel right
    m = np.arange(16)
    np.testing.assert_allclose(np.cos(2 * np.pi * 0.375 * 2 * m), np.cos(2 * np.pi * 0.25 * m), atol=1e-9)  # folds to 0.25


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_natural_form_of_the_solution_is_accepted(exercise, capsys):
    assert len(exercise.right) >= 3
    for answer in exercise.right:
        ok, line = said(lambda: exercise.call(answer), capsys)
        assert ok, f"{answer!r} refused: {line}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_plausible_slip_gets_its_own_hint(exercise, capsys):
    assert len(exercise.wrong) >= 2
    for answer, hint in exercise.wrong:
        ok, line = said(lambda: exercise.call(answer), capsys)
        assert not ok, f"{answer!r} accepted"
        assert re.search(hint, line), f"{answer!r}: expected /{hint}/ in {line!r}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_the_stub_is_not_yet(exercise, capsys):
    ok, line = said(lambda: exercise.call(exercise.stub()), capsys)
    assert not ok and line.startswith("\u2717 Not yet.")


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_odd_inputs_are_not_yet_and_never_raise(exercise, capsys):
    for odd in ODD:
        if exercise.pair:
            answers = [(odd, STACK_WEIGHTS), (RF_STACK, odd), (odd, odd)]
        elif exercise.checker == "check_symmetrize":
            answers = [odd, lambda w, odd=odd: odd]  # odd answers, and functions that return them
        else:
            answers = [odd]
        for answer in answers:
            ok, line = said(lambda: exercise.call(answer), capsys)
            assert not ok, f"{odd!r} accepted"
            assert "could not be checked" not in line, f"{odd!r} reached the safety net: {line}"


# --------------------------------------------------------------------- the notebooks' own cells
def _cells(tag):
    for path in NOTEBOOKS:
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            if tag in cell.get("metadata", {}).get("tags", []):
                yield pytest.param("".join(cell["source"]), id=f"{path.name[:2]}-cell{i}")


# These solution cells use variables of their notebook (the cat and kernel `w` of 03, the zone plate
# `zone` of 05): nbval re-runs them in the notebook and compares their stored "✓ Correct." output.
NEEDS_THE_NOTEBOOK = {"cat", "w", "zone"}


def _run_cell(source, capsys):
    namespace = {"cl": cl, "np": np, "jnp": jnp, "jax": jax, "math": math}
    capsys.readouterr()
    try:
        exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102
    except NameError as err:
        if err.name in NEEDS_THE_NOTEBOOK:
            pytest.skip(f"uses the notebook's `{err.name}`: nbval runs this cell")
        raise
    calls = len(re.findall(r"cl\.exercises\.check_\w+\(", source))
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("\u2713", "\u2717"))]
    assert len(lines) == calls, lines
    return lines


@pytest.mark.parametrize("source", list(_cells("solution")))
def test_solution_cell_is_accepted(source, capsys):
    assert all(line.startswith("\u2713 Correct.") for line in _run_cell(source, capsys))


@pytest.mark.parametrize("source", list(_cells("exercise")))
def test_exercise_cell_stub_is_not_yet(source, capsys):
    assert all(line.startswith("\u2717 Not yet.") for line in _run_cell(source, capsys))


# --------------------------------------------------------------------- the known problems (issues 18 and 19), each failed before
def test_shapes_and_one_element_arrays_are_read_as_numbers(capsys):
    assert said(lambda: ex.check_pooled_length(cl.max_pool1d(np.zeros(32), 3, stride=2).shape), capsys)[0]
    assert said(lambda: ex.check_torus_mean(np.array([0.5776]), d=500), capsys)[0]
    assert said(lambda: ex.check_match_size([105]), capsys)[0]
    summary = cl.sharing.stacked_conv_summary([3, 3, 3], (1, 32, 32))
    assert said(lambda: ex.check_stack(summary.receptive_field, summary.params), capsys)[0]  # (7, 7), 27
    assert said(lambda: ex.check_stack(np.array([7]), 27), capsys)[0]


def test_a_set_of_shifts_is_read_in_any_order(capsys):
    assert said(lambda: ex.check_stride_shifts({0, 3, 6}), capsys)[0]
    assert said(lambda: ex.check_stride_shifts((6, 0, 3)), capsys)[0]


def test_fractions_are_never_truncated_to_whole_numbers(capsys):
    ok, line = said(lambda: ex.check_stride_shifts([0.5, 3.5, 6.5]), capsys)
    assert not ok and "whole number" in line
    ok, line = said(lambda: ex.check_stride_shifts([0.5, 3.2, 6.9]), capsys)
    assert not ok and "whole number" in line
    ok, line = said(lambda: ex.check_edge_count((144.9, 576.7)), capsys)
    assert not ok and "144.9 is not a whole number" in line
    ok, line = said(lambda: ex.check_conv_shape((32.9, 32.5, 6.7)), capsys)
    assert not ok and "32.9 is not a whole number" in line
    ok, line = said(lambda: ex.check_match_size(105.5), capsys)
    assert not ok and "whole number of positions; got 105.5" in line


def test_text_and_dicts_are_not_numbers(capsys):
    ok, line = said(lambda: ex.check_edge_count(("144", "576")), capsys)
    assert not ok and "'144'" in line and "without quotes" in line
    ok, line = said(lambda: ex.check_edge_count({144: 0, 576: 0}), capsys)
    assert not ok and "dict" in line
    ok, line = said(lambda: ex.check_conv_params("156"), capsys)
    assert not ok and "without quotes" in line


def test_symmetrize_must_keep_the_kernels_content(capsys):
    for fn, hint in [
        (lambda w: np.full_like(w, w.mean()), "constant kernel"),
        (sym_centre, "centre tap"),
        (lambda w: np.full_like(w, np.nan), "NaN"),
        (lambda w: np.full_like(w, np.inf), "infinity"),
        (lambda w: sum(np.rot90(w, k) for k in range(4)), "4 times the average"),
    ]:
        ok, line = said(lambda: ex.check_symmetrize(fn), capsys)
        assert not ok and hint in line, line


def test_symmetrize_is_tested_on_several_sizes_and_a_symmetric_kernel(capsys):
    sizes = []

    def recording(w):
        sizes.append(np.shape(w))
        return sym_np(w)

    assert said(lambda: ex.check_symmetrize(recording), capsys)[0]
    assert {s[0] for s in sizes} >= {3, 4, 5, 7}
    # A kernel that already equals its quarter turn must come back unchanged (a pinwheel: not mirror-symmetric).
    pinwheel = quarter_average(np.random.default_rng(5).normal(size=(5, 5)))
    np.testing.assert_allclose(sym_np(pinwheel), pinwheel, atol=1e-12)
    assert not np.allclose(pinwheel, pinwheel.T)
    ok, line = said(lambda: ex.check_symmetrize(lambda w: np.where(np.abs(w - np.rot90(w)).max() < 1e-6, 2 * w, sym_np(w))), capsys)
    assert not ok and "come back unchanged" in line


def test_exercise_settings_are_checked_too(capsys):
    # A setting is the notebook author's choice, not the student's answer: a bad one raises, naming it
    # (before issue 18: check_dense_params(-9231, n_outputs=-3) said "Correct").
    with pytest.raises(ValueError, match="`n_outputs` must be >= 1; got -3"):
        ex.check_dense_params((16 * 16 * 6 + 1) * -3, n_outputs=-3)
    assert said(lambda: ex.check_dense_params((16 * 16 * 6 + 1) * 7, n_outputs=7), capsys)[0]
    with pytest.raises(ValueError, match="`stride` must be >= 1"):
        ex.check_output_size(6, n=11, k=5, stride=0, padding=2)
    with pytest.raises(ValueError, match="`n` must be an integer; got 11.0"):
        ex.check_output_size(6, n=11.0, k=5, stride=2, padding=2)
    with pytest.raises(ValueError, match="`d` must be >= 1"):
        ex.check_torus_mean(0.577, d=-5)


def test_torus_mean_target_is_exact_in_low_dimensions(capsys):
    # The wrapped gap per coordinate is uniform on [0, 1/2]. d = 1: E g / (1/2) = 1/2 exactly.
    # d = 2: E sqrt(u^2 + v^2) over [0, 1/2]^2 is (sqrt(2) + asinh(1)) / 6, divided by sqrt(2)/2.
    # The old target sqrt(1/3) (1 - 1/(10 d)) was 0.520 and 0.548: both right answers were refused.
    exact_2 = (math.sqrt(2) + math.asinh(1)) / 6 / (math.sqrt(2) / 2)
    assert said(lambda: ex.check_torus_mean(0.5, d=1), capsys)[0]
    assert said(lambda: ex.check_torus_mean(exact_2, d=2), capsys)[0]
    assert not said(lambda: ex.check_torus_mean(math.sqrt(1 / 3) * 0.9, d=1), capsys)[0]
    rng = np.random.default_rng(0)  # d = 3 against Monte Carlo (1e6 pairs: standard error 2e-4)
    gaps = rng.random((10**6, 3)) / 2
    assert said(lambda: ex.check_torus_mean(float(np.sqrt((gaps**2).sum(1)).mean() / (math.sqrt(3) / 2)), d=3), capsys)[0]


def test_one_shape_checker_and_one_array_reader():
    # Issue 18: sharing.py had two near-copies of a shape check, lenet.py a third, and the checkers of
    # notebooks 00 and 03 repeated the preamble that reads an array answer.
    import inspect

    from cnnlib.exercises import equivariance, filters, lenet, sharing

    for module in (sharing, lenet):
        assert "read_shape" not in inspect.getsource(module) and "check_shape(" in inspect.getsource(module)
    for module in (filters, equivariance):
        assert "read_array(answer" not in inspect.getsource(module)


def test_output_size_when_the_window_does_not_fit(capsys):
    assert count_windows(3, 5) == 0
    ok, line = said(lambda: ex.check_output_size(-1, n=3, k=5), capsys)
    assert not ok and "fit" in line
    ok, line = said(lambda: ex.check_output_size(0, n=3, k=5), capsys)
    assert ok and "does not fit" in line
    assert said(lambda: ex.check_output_size(count_windows(3, 5, padding=1), n=3, k=5, padding=1), capsys)[0]


def test_a_ragged_answer_does_not_raise(capsys):
    ok, line = said(lambda: ex.check_avg_pool([[3.5, 5.25], [2.75]]), capsys)
    assert not ok and "ragged" in line


def test_output_size_names_both_slips_that_give_the_same_number(capsys):
    # P instead of 2P: (11 - 5 + 2) // 2 + 1 = 5; forgetting the + 1: (11 - 5 + 4) // 2 = 5.
    assert (11 - 5 + 2) // 2 + 1 == (11 - 5 + 4) // 2 == 5
    ok, line = said(lambda: ex.check_output_size(5, n=11, k=5, stride=2, padding=2), capsys)
    assert not ok and "add 2P, not P" in line and "+ 1" in line


def test_a_boolean_mask_is_not_read_as_the_shifts_0_and_1(capsys):
    for mask in ([v % 3 == 0 for v in range(9)], np.arange(9) % 3 == 0, jnp.arange(9) % 3 == 0):
        ok, line = said(lambda: ex.check_stride_shifts(mask), capsys)
        assert not ok and "mask" in line, line


def test_euclidean_hint_for_every_seed(capsys):
    values = [_torus_estimate(seed, "euclidean") for seed in range(8)]
    assert 0.78 < np.mean(values) < 0.85  # 2 / sqrt(6) = 0.816, the cube's mean normalised distance
    for value in values:
        ok, line = said(lambda: ex.check_torus_mean(value, d=500), capsys)
        assert not ok and "looks like the Euclidean distance in the cube: use metric='torus'" in line, (value, line)
    for seed in range(3):  # and the torus metric is accepted for every seed
        assert said(lambda: ex.check_torus_mean(_torus_estimate(seed, "torus"), d=500), capsys)[0]


def test_aliasing_hint_names_the_notebooks_variable(capsys):
    ok, line = said(lambda: ex.check_smallest_filter(None), capsys)
    assert not ok and "cl.aliased_fraction(zone, 2, filter_size=k)" in line


def test_a_checker_called_wrongly_says_not_yet(capsys):
    ok, line = said(lambda: ex.check_stack(7), capsys)  # the second answer forgotten
    assert not ok and "could not be checked" in line and "TypeError" in line


# --------------------------------------------------------------------- the reader
@pytest.mark.parametrize(
    "answer, value",
    [(15, 15), (15.0, 15), (np.int64(15), 15), (np.float32(15), 15), (jnp.asarray(15), 15), ([15], 15), ((15,), 15),
     (np.array([15]), 15), (np.array([[15]]), 15), (jnp.asarray([15.0]), 15), (Fraction(30, 2), 15), (10**20, 10**20)],
    ids=lambda v: type(v).__name__,
)
def test_read_whole_accepts_every_form_of_a_whole_number(answer, value):
    got = read_whole(answer)
    assert got == value and type(got) is int


@pytest.mark.parametrize(
    "answer, message",
    [(3.5, "whole number; got 3.5"), (144.9, "got 144.9"), (True, "True and False are not numbers"),
     ("144", "text, not a number"), (float("nan"), "NaN"), (float("inf"), "infinity"), (10**400, "too large"),
     ([1, 2], "2 values"), (np.zeros(3), r"shape \(3,\)"), ({1: 2}, "dict"), (None, "None"), (1 + 2j, "complex"),
     (RaisesInFloat(), "RuntimeError"), (RaisesInArray(), "RuntimeError"), (object(), "object")],
    ids=lambda v: v[:24] if isinstance(v, str) else type(v).__name__,
)
def test_read_whole_refuses_with_what_was_expected(answer, message):
    with pytest.raises(Unreadable, match=message):
        read_whole(answer)


def test_the_other_readers():
    assert read_number(np.array([0.5])) == 0.5 and read_number(jnp.float32(0.25)) == 0.25
    assert read_shape(jnp.zeros((6, 32, 32)).shape, 3) == (6, 32, 32) and read_shape(np.array([1, 2]), 2) == (1, 2)
    assert read_side((7, 7)) == 7 and read_side(np.array([7])) == 7 and read_side(7.0) == 7
    assert read_whole_set(range(0, 9, 3)) == {0, 3, 6} and read_whole_set(np.array([6, 0, 3, 3])) == {0, 3, 6}
    np.testing.assert_array_equal(read_array(jnp.ones((2, 2))), np.ones((2, 2)))
    for reader, answer, message in [
        (lambda a: read_shape(a, 3), {32, 6}, "no order"),
        (lambda a: read_shape(a, 3), np.zeros((2, 2)), "Give its shape"),
        (lambda a: read_shape(a, 3), 32, "single number"),
        (read_side, (7, 5), "two different sides"),
        (read_whole_set, [True, False, True], "mask"),
        (read_whole_set, 3, "single number"),
        (read_array, [[1, 2], [3]], "ragged"),
        (read_array, [1, "2"], "text"),
        (read_array, [1, None], "None"),
        (read_array, [1, float("nan")], "NaN"),
        (read_array, [1, 10**400], "too large"),
    ]:
        with pytest.raises(Unreadable, match=message):
            reader(answer)
