"""Connectivity and receptive fields: hand-worked cases, conv_matrix as the oracle, jax.grad as the measurement."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnnlib as cl
import itertools

from cnnlib.receptive import empirical_receptive_field, footprint, path_counts


# ----------------------------------------------------------------------------- hand-worked cases
def test_3x3_input_2x2_kernel_has_16_edges_against_36_dense():
    conv, dense = cl.connectivity((3, 3), (2, 2)), cl.dense_connectivity(9, 4)
    assert conv.output_shape == (2, 2) and conv.n_weights == 4
    assert (conv.n_edges, dense.n_edges) == (16, 36)
    assert conv.receptive_sizes.tolist() == [4, 4, 4, 4]
    assert dense.receptive_sizes.tolist() == [9, 9, 9, 9]
    # the centre pixel feeds all four outputs, a corner only one
    assert conv.fan_out.reshape(3, 3).tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    assert conv.inputs_of((1, 0)).tolist() == [3, 4, 6, 7]
    assert conv.inputs_of(2).tolist() == conv.inputs_of((1, 0)).tolist()
    assert conv.outputs_of((0, 2)).tolist() == [1]
    assert conv.density == pytest.approx(16 / 36)


def test_edges_carry_the_weight_each_connection_uses():
    conv = cl.connectivity((3, 3), (2, 2))
    of_output_3 = conv.edges[conv.edges[:, 0] == 3]
    # output (1, 1) reads x[1:3, 1:3] with w[0, 0], w[0, 1], w[1, 0], w[1, 1]
    assert of_output_3[:, 1:].tolist() == [[4, 0], [5, 1], [7, 2], [8, 3]]
    flipped = cl.connectivity((3, 3), (2, 2), flip=True)
    assert flipped.edges[flipped.edges[:, 0] == 3][:, 2].tolist() == [3, 2, 1, 0]


def test_1d_kernel_width_3_each_input_affects_3_outputs_each_output_sees_3_inputs():
    conv = cl.connectivity(7, 3, padding="same")
    assert conv.output_shape == (7,)
    assert conv.outputs_of(2).tolist() == [1, 2, 3]  # x_3 (1-based) affects s_2, s_3, s_4
    assert conv.inputs_of(2).tolist() == [1, 2, 3]  # s_3 sees x_2, x_3, x_4
    assert conv.receptive_sizes.tolist() == [2, 3, 3, 3, 3, 3, 2]  # the ends lose a tap to the zero padding
    dense = cl.dense_connectivity(7, 7)
    assert dense.outputs_of(2).tolist() == list(range(7)) and dense.inputs_of(2).tolist() == list(range(7))


def test_dense_weight_index_is_the_matrix_entry():
    dense = cl.dense_connectivity(3, 2)
    w = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(dense.matrix(w), w)
    assert dense.adjacency().all()


def test_valid_edge_count_closed_form():
    for (h, w), (kh, kw) in [((5, 5), (3, 3)), ((6, 4), (2, 3)), ((8, 8), (1, 1))]:
        conv = cl.connectivity((h, w), (kh, kw))
        assert conv.n_edges == (h - kh + 1) * (w - kw + 1) * kh * kw


# ----------------------------------------------------------------------------- conv_matrix is the oracle
options = st.fixed_dictionaries(
    {
        "stride": st.integers(1, 3),
        "dilation": st.integers(1, 2),
        "padding": st.sampled_from(["valid", "same", "full", 0, 1, 2]),
        "boundary": st.sampled_from(["zeros", "circular", "replicate", "reflect"]),
        "flip": st.booleans(),
    }
)


@settings(max_examples=40, deadline=None)
@given(h=st.integers(1, 7), w=st.integers(1, 7), kh=st.integers(1, 4), kw=st.integers(1, 4), opts=options)
def test_index_arithmetic_matches_conv_matrix(h, w, kh, kw, opts):
    weights = np.arange(1.0, kh * kw + 1).reshape(kh, kw)  # distinct and positive: no cancellation
    try:
        expected = np.asarray(cl.conv_matrix((h, w), weights, **opts))
    except ValueError:
        with pytest.raises(ValueError):
            cl.connectivity((h, w), (kh, kw), **opts)
        return
    conv = cl.connectivity((h, w), (kh, kw), **opts)
    np.testing.assert_array_equal(conv.matrix(weights), expected)
    np.testing.assert_array_equal(conv.adjacency(), expected != 0)
    if opts["boundary"] == "zeros":  # one edge per non-zero, and the entry names its weight
        assert conv.n_edges == np.count_nonzero(expected)
        np.testing.assert_array_equal(expected[conv.edges[:, 0], conv.edges[:, 1]] - 1, conv.edges[:, 2])


@settings(max_examples=15, deadline=None)
@given(n=st.integers(3, 12), k=st.integers(1, 3), stride=st.integers(1, 2), padding=st.sampled_from(["valid", "same", 1]))
def test_1d_matrix_reproduces_conv1d(n, k, stride, padding):
    x = np.random.default_rng(n).normal(size=n).astype(np.float32)
    w = np.arange(1.0, k + 1, dtype=np.float32)
    conv = cl.connectivity(n, k, stride=stride, padding=padding)
    y = np.asarray(cl.conv1d(x, w, stride=stride, padding=padding))
    np.testing.assert_allclose(conv.matrix(w) @ x, y, rtol=1e-5, atol=1e-5)


def test_wrapped_boundary_counts_each_input_once():
    conv = cl.connectivity(2, 3, padding="same", boundary="circular")  # output 0 reads x_1, x_0, x_1
    assert conv.n_edges == 6 and conv.receptive_sizes.tolist() == [2, 2]
    np.testing.assert_array_equal(conv.matrix([1.0, 2.0, 3.0]), np.asarray(cl.conv_matrix((1, 2), np.array([[1.0, 2.0, 3.0]]), padding=(0, 1), boundary="circular")))


# ----------------------------------------------------------------------------- receptive fields of stacks
def test_receptive_field_closed_forms():
    for depth in range(5):
        assert cl.receptive_field([3] * depth).size == 1 + 2 * depth  # stride 1: grows linearly
    assert cl.receptive_field([(2, 2)] * 4).size == 16  # 2x2 stride-2 layers tile the input
    sizes = [row.size for row in cl.receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4), (3, 1, 8)])]
    assert sizes == [3, 7, 15, 31]  # doubling dilation: grows exponentially
    rf = cl.receptive_field([(3, 2), (3, 2), (3, 2)])
    assert [(r.size, r.jump) for r in rf] == [(3, 2), (7, 4), (15, 8)]


def test_stride_makes_the_receptive_field_grow_faster():
    plain = cl.receptive_field([3, 3, 3]).size
    strided = cl.receptive_field([(3, 2), 3, 3]).size
    assert (plain, strided) == (7, 11)


def test_layer_forms_agree_and_padding_moves_the_start():
    as_tuple = cl.receptive_field([(5, 2, 1, 2), (3, 1, 2, 2)])
    as_dict = cl.receptive_field([{"kernel": 5, "stride": 2, "padding": 2}, {"kernel": 3, "dilation": 2, "padding": 2}])
    assert as_tuple == as_dict
    assert [r.start for r in as_tuple] == [-2, -6]
    assert as_tuple.region(3) == (-6 + 3 * 2, -6 + 3 * 2 + 13 - 1)
    assert cl.receptive_field([]).size == 1 and len(cl.receptive_field([])) == 0
    assert "size" in as_tuple.table().splitlines()[0] and len(as_tuple.table().splitlines()) == 3


def test_empirical_hand_case_counts_paths():
    e = empirical_receptive_field([3, 3, 3], input_size=9)
    assert e.size == (7, 7) and e.output_shape == (3, 3) and e.unit == (1, 1)
    # paths from a pixel to the unit: the 1-D counts 1 3 6 7 6 3 1, squared
    np.testing.assert_array_equal(e.grad[1:8, 4], np.array([1, 3, 6, 7, 6, 3, 1]) * 7)


def test_stride_2_first_gives_a_checkerboard_whose_centre_is_not_the_maximum():
    # three 3x3 layers, the first with stride 2, on 15x15: the field is rows/columns 2..12, centre (7, 7)
    c = path_counts([(3, 2), 3, 3], input_size=15)
    np.testing.assert_array_equal(c[7, 2:13], np.array([1, 1, 3, 2, 5, 3, 5, 2, 3, 1, 1]) * 3)
    assert c[7, 7] == 9 and c.max() == 25
    assert np.argwhere(c == 25).tolist() == [[6, 6], [6, 8], [8, 6], [8, 8]]
    # stride 1: a hill, largest in the middle only
    hill = path_counts([3, 3, 3], input_size=9)
    assert hill[4, 4] == 49 and np.argwhere(hill == hill.max()).tolist() == [[4, 4]]


def _brute_force_paths_1d(layers, n, unit):
    """Enumerate every chain of taps (one per layer, top down) and count where it lands."""
    sizes = [n]
    for k, s, d, p in layers:
        sizes.append((sizes[-1] + 2 * p - (k - 1) * d - 1) // s + 1)
    counts = np.zeros(n, dtype=np.int64)
    for taps in itertools.product(*[range(k) for k, _, _, _ in reversed(layers)]):
        pos, inside = unit, True
        for (k, s, d, p), a, below in zip(reversed(layers), taps, reversed(sizes[:-1])):
            pos = pos * s - p + a * d
            if not 0 <= pos < below:
                inside = False
                break
        if inside:
            counts[pos] += 1
    return counts


@settings(max_examples=25, deadline=None)
@given(layers=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 2), st.integers(0, 1)), min_size=1, max_size=3),
       extra=st.integers(0, 5), data=st.data())
def test_path_counts_match_brute_force_and_the_gradient(layers, extra, data):
    n = cl.receptive_field(layers).size + extra
    e = empirical_receptive_field(layers, input_size=n)
    n_out = e.output_shape[0]
    unit = (data.draw(st.integers(0, n_out - 1)), data.draw(st.integers(0, n_out - 1)))
    c = path_counts(layers, input_size=n, unit=unit)
    want = np.outer(_brute_force_paths_1d(layers, n, unit[0]), _brute_force_paths_1d(layers, n, unit[1]))
    np.testing.assert_array_equal(c, want)
    # all-ones kernels: the gradient is the number of paths (small integers, exact in float32)
    np.testing.assert_array_equal(empirical_receptive_field(layers, input_size=n, unit=unit).grad, c)


layer = st.tuples(st.integers(1, 4), st.integers(1, 2), st.integers(1, 2), st.integers(0, 1))


@settings(max_examples=20, deadline=None)
@given(layers=st.lists(layer, min_size=1, max_size=3), extra=st.integers(0, 6))
def test_formula_and_footprint_match_the_gradient(layers, extra):
    rf = cl.receptive_field(layers)
    n = rf.size + extra
    e = empirical_receptive_field(layers, input_size=n)
    fp = footprint(layers, input_size=n)
    mask = np.zeros((n, n), bool)
    mask[np.ix_(fp, fp)] = True
    np.testing.assert_array_equal(e.mask, mask)  # exactly the pixels the unit depends on
    if fp.size == 0:  # a unit over the padding only, e.g. a 1x1 kernel with padding 1
        assert e.size == (0, 0)
        return
    first, last = rf.region(e.unit[0])
    assert first <= fp[0] and fp[-1] <= last  # inside the span of the formula
    if 0 <= first and last < n:  # away from the padding the span is reached exactly
        assert (fp[0], fp[-1]) == (first, last) and e.size == (rf.size, rf.size)


def test_a_unit_over_the_padding_reads_nothing():
    e = empirical_receptive_field([(1, 2, 1, 1)], input_size=1)  # output 0 sits on the zero padding
    assert e.size == (0, 0) and e.rows is None and not e.mask.any()
    assert footprint([(1, 2, 1, 1)], input_size=1).size == 0


def test_dilation_leaves_holes_the_span_does_not_show():
    layers = [(3, 1, 2), (3, 1, 2)]
    assert cl.receptive_field(layers).size == 9
    assert footprint(layers, input_size=9).tolist() == [0, 2, 4, 6, 8]


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "call, error, pattern",
    [
        (lambda: cl.connectivity((3, 3), (4, 4)), ValueError, r"`kernel_shape` \(4, 4\) \(dilated span 4\) does not fit"),
        (lambda: cl.connectivity((3, 3, 3), 2), ValueError, r"`input_shape` must be \(L,\) or \(H, W\); got \(3, 3, 3\)"),
        (lambda: cl.connectivity((3, 3), (2, 2, 2)), ValueError, r"`kernel_shape` must have 2 entries"),
        (lambda: cl.connectivity((3, 3), 2, padding="circular"), ValueError, r"`padding` must be one of 'valid', 'same', 'full'"),
        (lambda: cl.connectivity((3, 3), 2, boundary="wrap"), ValueError, r"`boundary` must be one of 'zeros'"),
        (lambda: cl.connectivity((3, 3), 2, stride=0), ValueError, r"`stride` must be >= 1; got 0"),
        (lambda: cl.connectivity((3, 3), 2).inputs_of(4), ValueError, r"`output` must be <= 3; got 4"),
        (lambda: cl.connectivity((3, 3), 2).outputs_of((3, 0)), ValueError, r"`input` must be a flat index below 9"),
        (lambda: cl.connectivity((3, 3), 2).matrix(np.ones(3)), ValueError, r"`w` must have 4 entries"),
        (lambda: cl.dense_connectivity(0, 4), ValueError, r"`n_in` must be >= 1; got 0"),
        (lambda: cl.receptive_field([(3, 0)]), ValueError, r"`layers\[0\].stride` must be >= 1; got 0"),
        (lambda: cl.receptive_field([3, "3"]), TypeError, r"`layers\[1\]` must be a kernel size"),
        (lambda: cl.receptive_field([{"kernel": 3, "size": 2}]), ValueError, r"`layers\[0\]` must have the key 'kernel'"),
        (lambda: cl.receptive_field(3), TypeError, r"`layers` must be a list of layers"),
        (lambda: empirical_receptive_field([5, 5], input_size=8), ValueError, r"`input_size` = 8 is too small for this stack: layer 2"),
        (lambda: empirical_receptive_field([3], input_size=8, unit=(6, 0)), ValueError, r"`unit` must be <= 5; got 6"),
        (lambda: path_counts([3], input_size=8, unit=(0, 6)), ValueError, r"`unit` must be <= 5; got 6"),
        (lambda: path_counts([3], input_size=8, unit=3), ValueError, r"`unit` must be a pair \(row, column\); got 3"),
        (lambda: path_counts([5, 5], input_size=8), ValueError, r"`input_size` = 8 is too small for this stack"),
    ],
)
def test_errors_name_the_argument(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


# ----------------------------------------------------------------------------- pictures, widgets, exercises
def _red_segments(ax):
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba

    from cnnlib.widgets.receptive import HIGHLIGHT

    return sum(len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection)
               and len(c.get_segments()) and tuple(c.get_colors()[0]) == to_rgba(HIGHLIGHT))


def test_graph_drawing_highlights_the_receptive_field():
    import matplotlib.pyplot as plt

    from cnnlib.widgets import receptive as draw

    _, axes = plt.subplots(1, 3)
    draw.draw_connectivity(cl.connectivity((3, 3), (2, 2)), axes[0], output=0)
    draw.draw_connectivity(cl.dense_connectivity((3, 3), (2, 2)), axes[1], output=0)
    draw.draw_stack([(3, 2), 3, 3], 15, axes[2])
    assert (_red_segments(axes[0]), _red_segments(axes[1])) == (4, 9)
    assert "11" in axes[2].texts[-1].get_text()
    plt.close("all")


def test_receptive_field_widget_updates_in_place_without_compiling(caplog):
    import logging

    import jax

    img = np.random.default_rng(0).random((32, 32))
    box = cl.widgets.receptive_field_explorer(img)
    ax = box.canvas.axes[0, 0]
    n_artists = len(ax.get_children())
    first = box.image.value
    assert "receptive field 7 x 7" in box.readout.value  # three 3x3 layers by default
    with caplog.at_level(logging.WARNING), jax.log_compiles():
        text = box.update(layers=2, kernel=3, stride=2, dilation=1)
        box.controls["dilation"].value = 2
    assert not [r for r in caplog.records if "Compiling" in r.getMessage()]
    assert text.startswith("2 layer(s) of 3x3, stride 2, dilation 1: receptive field 7 x 7")
    assert box.image.value != first and len(ax.get_children()) == n_artists
    rect = [p for p in ax.patches][0]
    assert (rect.get_width(), rect.get_height()) == (cl.receptive_field([(3, 2, 2)] * 2).size,) * 2
    box.update(layers=6, kernel=7, stride=3, dilation=4)  # a field far larger than the 32x32 image
    assert "no valid output" in box.canvas.axes[0, 1].texts[-1].get_text()  # the table under its static header


def test_connectivity_widget_counts_the_picked_units_connections():
    box = cl.widgets.connectivity_explorer(7)
    assert box.update(kernel=3, pick="input", index=3) == "x_3 affects 3 output(s) of the convolution and all 7 of the matrix multiply"
    assert box.update(kernel=5, pick="output", index=4) == "s_4 sees 5 input(s) through the convolution and all 7 through the matrix multiply"
    assert box.update(kernel=3, pick="output", index=1).startswith("s_1 sees 2 input(s)")  # the border loses a tap
    with pytest.raises(ValueError, match=r"`n` must be <= 16; got 20"):
        cl.widgets.connectivity_explorer(20)


@pytest.mark.parametrize(
    "checker, right, wrong, hint",
    [
        ("check_stack_receptive_field", 7, 9, "number of inputs of one 3x3 layer"),
        ("check_strided_receptive_field", 11, 7, "ignores the stride"),
        ("check_edge_count", (144, 576), (324, 576), "count per output"),
    ],
)
def test_exercise_checkers(capsys, checker, right, wrong, hint):
    check = getattr(cl.exercises, checker)
    assert check(None) == False and "Not yet" in capsys.readouterr().out
    assert check(wrong) == False and hint in capsys.readouterr().out
    assert check(right) == True and capsys.readouterr().out.startswith("\u2713 Correct.")


@pytest.mark.parametrize("layers, holes", [([3, 3, 3], False), ([(3, 2)] * 4, False), ([(3, 1, 4)] * 2, True)])
def test_the_receptive_field_picture_marks_every_pixel_read_when_the_footprint_has_holes(layers, holes):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cnnlib.widgets.receptive import draw_receptive_field

    img = np.random.default_rng(0).random((64, 64))
    ax = draw_receptive_field(img, layers)
    read = np.asarray(footprint(layers, input_size=64))  # the inputs the middle unit reads, per axis
    marks = [c for c in ax.collections if c.get_offsets().shape[0]]
    if holes:
        (squares,) = marks
        cols, rows = np.asarray(squares.get_offsets()).T
        assert sorted(set(cols.tolist())) == sorted(set(rows.tolist())) and len(cols) == len(set(cols)) ** 2
        assert np.array_equal(np.unique(cols), read)  # the 1-D footprint, holes included, on both axes
    else:
        assert not marks
    plt.close(ax.figure)
