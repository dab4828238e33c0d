"""cnnlib.filters, its widget and its exercise checkers: oracles, hand cases, properties, messages."""
import logging

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.signal import correlate2d

import cnnlib as cl
from cnnlib.widgets.filters import FILTERS, filter_kernel


# ------------------------------------------------------------------ kernels ---
@pytest.mark.parametrize(
    "name, total",
    [("identity", 1), ("edge", 0), ("laplacian4", 0), ("laplacian8", 0), ("sharpen", 1), ("box", 1), ("gaussian3", 1)],
)
def test_kernel_sums_and_symmetry(name, total):
    w = np.asarray(cl.kernel(name))
    assert w.shape == (3, 3) and w.dtype == np.float32
    assert np.isclose(w.sum(), total, atol=1e-6)
    # every classic kernel is unchanged by a half turn; all but 'edge' by a mirror too
    np.testing.assert_array_equal(w, w[::-1, ::-1])
    if name != "edge":
        np.testing.assert_array_equal(w, w[:, ::-1])
        np.testing.assert_array_equal(w, w.T)


# The table "Examples of different filter effects" of the lecture deck
# (shared/seeds/001_*.txt), written out by hand, signs included.
LECTURE_KERNELS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "edge": [[1, 0, -1], [0, 0, 0], [-1, 0, 1]],
    "laplacian4": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "laplacian8": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "box": np.full((3, 3), 1 / 9),
    "gaussian3": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
}


def test_kernels_are_the_lecture_values():
    assert set(cl.KERNELS) == set(LECTURE_KERNELS)
    for name, want in LECTURE_KERNELS.items():
        np.testing.assert_allclose(cl.kernel(name), want, rtol=1e-7, err_msg=name)
        np.testing.assert_allclose(cl.KERNELS[name], want, rtol=1e-7, err_msg=name)


def test_laplacian_signs_follow_the_deck():
    # a bright spot on a dark background: laplacian8 (centre +8) answers positively, laplacian4 (centre -4) negatively
    spot = np.zeros((3, 3), dtype=np.float32)
    spot[1, 1] = 1.0
    assert float(cl.conv2d(spot, cl.kernel("laplacian8"))[0, 0]) == 8.0
    assert float(cl.conv2d(spot, cl.kernel("laplacian4"))[0, 0]) == -4.0


def test_kernels_mapping_is_read_only():
    with pytest.raises(TypeError):
        cl.KERNELS["mine"] = np.ones((3, 3))
    with pytest.raises(ValueError):
        cl.KERNELS["box"][0, 0] = 5.0


@pytest.mark.parametrize("size", [1, 2, 4, 7])
def test_box_kernel(size):
    w = np.asarray(cl.filters.box_kernel(size))
    assert w.shape == (size, size)
    assert np.isclose(w.sum(), 1.0) and np.ptp(w) == 0


@pytest.mark.parametrize("size, sigma", [(1, None), (3, None), (5, 1.0), (8, 2.5), (15, None)])
def test_gaussian_is_normalised_symmetric_and_separable(size, sigma):
    w = np.asarray(cl.gaussian_kernel(size, sigma), dtype=np.float64)
    assert w.shape == (size, size)
    assert np.isclose(w.sum(), 1.0, atol=1e-6)
    np.testing.assert_allclose(w, w.T, atol=1e-7)
    np.testing.assert_allclose(w, w[::-1, ::-1], atol=1e-7)
    # separable: the outer product of its marginals, i.e. rank one
    np.testing.assert_allclose(w, np.outer(w.sum(1), w.sum(0)), atol=1e-7)
    if size > 1:
        s = np.linalg.svd(w, compute_uv=False)
        assert s[1] < 1e-6 * s[0]


def test_gaussian_closed_form_and_default_sigma():
    g = np.exp(-np.array([1.0, 0.0, 1.0]) ** 2 / 2)
    g /= g.sum()
    np.testing.assert_allclose(cl.gaussian_kernel(3, 1.0), np.outer(g, g), rtol=1e-6)
    # with exp(-1 / 2 sigma^2) = 1/2 the 3-tap Gaussian is the binomial [1, 2, 1] / 4
    np.testing.assert_allclose(cl.gaussian_kernel(3, 1 / np.sqrt(2 * np.log(2))), cl.kernel("gaussian3"), atol=1e-6)
    np.testing.assert_allclose(cl.gaussian_kernel(8), cl.gaussian_kernel(8, 2.0))  # default sigma = size / 4


def test_kernel_errors():
    with pytest.raises(ValueError, match=r"`name` must be one of 'identity', .*; got 'sobel'"):
        cl.kernel("sobel")
    with pytest.raises(ValueError, match=r"`size` must be >= 1; got 0"):
        cl.gaussian_kernel(0)
    with pytest.raises(ValueError, match=r"`sigma` must be > 0.0; got 0.0"):
        cl.gaussian_kernel(3, 0.0)
    with pytest.raises(TypeError, match=r"`size` must be an integer; got 2.5"):
        cl.filters.box_kernel(2.5)


# --------------------------------------------------------- template matching ---
def _ncc_loop(x, t, eps=1e-4):
    """NumPy loop oracle for zero-mean NCC; windows with variance <= eps * var(x) score 0."""
    x, t = np.asarray(x, np.float64), np.asarray(t, np.float64)
    h, w = t.shape
    tc = t - t.mean()
    out = np.zeros((x.shape[0] - h + 1, x.shape[1] - w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            win = x[i : i + h, j : j + w]
            wc = win - win.mean()
            if wc.var() > eps * x.var():
                out[i, j] = (wc * tc).sum() / np.sqrt((wc**2).sum() * (tc**2).sum())
    return out


@pytest.mark.parametrize("seed, shape, tshape", [(0, (9, 11), (3, 4)), (1, (12, 7), (5, 5)), (2, (6, 6), (6, 6)), (3, (8, 10), (2, 3)), (4, (5, 9), (1, 3))])
def test_ncc_matches_a_loop_oracle(seed, shape, tshape):
    rng = np.random.default_rng(seed)
    x = rng.random(shape).astype(np.float32)
    t = rng.random(tshape).astype(np.float32)
    got = np.asarray(cl.match_template(x, t))
    np.testing.assert_allclose(got, _ncc_loop(x, t), atol=1e-4)
    assert np.all(np.abs(got) <= 1.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_raw_score_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    h, w = rng.integers(6, 14, size=2)
    x = rng.normal(size=(h, w)).astype(np.float32)
    t = rng.normal(size=tuple(rng.integers(1, 6, size=2))).astype(np.float32)
    got = cl.match_template(x, t, normalised=False)
    np.testing.assert_allclose(got, correlate2d(x, t, mode="valid"), rtol=1e-5, atol=1e-4)


def test_exact_copy_scores_one_at_its_own_place_even_brightened():
    rng = np.random.default_rng(5)
    x = rng.random((20, 24)).astype(np.float32)
    t = x[7:12, 11:17]
    score = cl.match_template(x, t)
    assert cl.argmax2d(score) == (7, 11)
    assert np.isclose(float(score[7, 11]), 1.0, atol=1e-5)
    # NCC ignores brightness and contrast changes of the template: 2 t + 0.3 matches as well
    score2 = cl.match_template(x, 2 * t + 0.3)
    np.testing.assert_allclose(score2, score, atol=1e-5)
    # and an inverted copy scores -1 there
    assert np.isclose(float(cl.match_template(x, 1 - t)[7, 11]), -1.0, atol=1e-5)


def test_raw_score_is_fooled_by_brightness():
    x = np.zeros((8, 8), np.float32)
    x[1:3, 1:3] = [[1, 2], [3, 4]]
    x[5:7, 5:7] = 10.0  # a bright flat square
    t = x[1:3, 1:3]
    assert cl.argmax2d(cl.match_template(x, t, normalised=False)) == (5, 5)
    assert cl.argmax2d(cl.match_template(x, t)) == (1, 1)


def test_flat_windows_score_zero_not_nan():
    x = np.zeros((10, 10), np.float32)
    x[6:, 6:] = np.arange(16, dtype=np.float32).reshape(4, 4)
    score = np.asarray(cl.match_template(x, x[6:9, 6:9]))
    assert np.all(np.isfinite(score))
    assert score[0, 0] == 0.0  # all-zero window
    assert np.isclose(score[6, 6], 1.0, atol=1e-5)
    # a constant image gives zeros everywhere
    assert np.all(np.asarray(cl.match_template(np.ones((5, 5)), np.eye(2))) == 0.0)


def test_match_template_is_jittable_and_integer_input_works():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 255, size=(10, 12))
    t = x[2:5, 3:7]
    eager = cl.match_template(x, t)
    jitted = jax.jit(lambda a, b: cl.match_template(a, b))(jnp.asarray(x, jnp.float32), jnp.asarray(t, jnp.float32))
    np.testing.assert_allclose(eager, jitted, atol=1e-6)
    assert eager.dtype == jnp.float32 and eager.shape == (8, 9)


def test_match_template_errors():
    with pytest.raises(ValueError, match=r"`image` must have shape \(H, W\); got \(2, 3, 4\)"):
        cl.match_template(np.zeros((2, 3, 4)), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"`template` must fit inside `image`; got template shape \(5, 2\) for image shape \(4, 4\)"):
        cl.match_template(np.zeros((4, 4)), np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"`template` is constant"):
        cl.match_template(np.eye(4), np.ones((2, 2)))
    with pytest.raises(TypeError, match=r"`normalised` must be True or False; got 'yes'"):
        cl.match_template(np.eye(4), np.eye(2), normalised="yes")
    with pytest.raises(TypeError, match=r"`template` must be a real numeric array; got dtype bool"):
        cl.match_template(np.eye(4), np.eye(2, dtype=bool))
    with pytest.raises(ValueError, match=r"`score` must have shape \(H, W\); got \(3,\)"):
        cl.argmax2d(np.zeros(3))


def test_argmax2d_first_maximum():
    assert cl.argmax2d([[0, 7, 7], [7, 0, 0]]) == (0, 1)


# -------------------------------------------------------------------- widget ---
@pytest.fixture(scope="module")
def update():
    img = np.random.default_rng(0).random((24, 28)).astype(np.float32)
    return cl.widgets.filter_update(img, max_size=7), img


def test_widget_applies_the_chosen_kernel(update):
    upd, img = update
    text = upd(name="laplacian4", size=1)
    assert "laplacian4: 3x3 kernel, weights sum to 0.00" in text
    want = cl.conv2d(img, cl.kernel("laplacian4"), padding="same", boundary="reflect")
    np.testing.assert_allclose(upd.last_output, want, atol=1e-5)
    upd(name="gaussian", size=5)
    want = cl.conv2d(img, cl.gaussian_kernel(5), padding="same", boundary="reflect")
    np.testing.assert_allclose(upd.last_output, want, atol=1e-5)


def test_the_size_slider_acts_on_every_filter_as_a_gaussian_blur_first(update):
    upd, img = update
    upd(name="edge", size=1)
    sharp = upd.last_output.copy()
    text = upd(name="edge", size=3)
    assert "edge: 5x5 kernel (edge after a 3x3 Gaussian)" in text
    assert not np.allclose(upd.last_output, sharp)
    # One combined kernel equals blurring first, then filtering (away from the reflected border).
    blurred = cl.conv2d(img, cl.gaussian_kernel(3), padding="same", boundary="reflect")
    then_edge = cl.conv2d(blurred, cl.kernel("edge"), padding="same", boundary="reflect")
    np.testing.assert_allclose(upd.last_output[3:-3, 3:-3], np.asarray(then_edge)[3:-3, 3:-3], atol=1e-5)
    with pytest.raises(ValueError, match=r"`size` must be <= 5 for 'edge'; got 7"):
        upd(name="edge", size=7)


def test_widget_changes_the_image_and_compiles_nothing_after_the_first_tick(update, caplog):
    upd, _ = update
    upd(name="identity", size=1)
    first = upd.last_output.copy()
    artist = upd.canvas.axes[0, 2].images[0]
    with jax.log_compiles(True), caplog.at_level(logging.WARNING):
        caplog.clear()
        for name in ["edge", "laplacian8", "sharpen", "box", "gaussian", "gaussian3"]:
            for size in (1, 3, 5, 7):
                if name in ("box", "gaussian") or size <= 5:
                    upd(name=name, size=size)
        compiles = [r.getMessage() for r in caplog.records if "Compiling" in r.getMessage()]
    assert compiles == []
    assert upd.apply._cache_size() == 1
    assert not np.allclose(upd.last_output, first)
    np.testing.assert_array_equal(artist.get_array(), upd.last_output)
    assert len(upd.canvas.axes[0, 2].images) == 1  # the same artist, updated in place


def test_explorer_builds_with_every_option():
    img = np.random.default_rng(1).random((16, 16)).astype(np.float32)
    box = cl.widgets.filter_explorer(img, max_size=7)
    assert set(box.controls) == {"name", "size"}
    assert set(box.controls["name"].options) == set(FILTERS.items())
    box.controls["name"].value = "box"
    box.controls["size"].value = 5
    assert "box: 5x5 kernel" in box.readout.value
    assert box.image.value[:4] == b"\x89PNG"


def test_widget_errors():
    with pytest.raises(ValueError, match=r"`img` must have shape \(H, W\); got \(4, 4, 3\)"):
        cl.widgets.filter_update(np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match=r"`max_size` must be odd; got 8"):
        cl.widgets.filter_update(np.zeros((9, 9)), max_size=8)
    with pytest.raises(ValueError, match=r"`size` must be odd"):
        filter_kernel("box", 4)


def test_gallery_has_a_kernel_and_an_output_per_filter():
    import matplotlib.pyplot as plt

    fig = cl.widgets.filter_gallery(np.random.default_rng(2).random((12, 12)), ["edge", "box"])
    assert len(fig.axes) == 4
    plt.close(fig)


# ----------------------------------------------------------------- exercises ---
def test_conv1d_by_hand_checker(capsys):
    ex = cl.exercises
    assert ex.check_conv1d_by_hand(None) == False
    assert "Not yet" in capsys.readouterr().out
    assert ex.check_conv1d_by_hand([1, 2, 2, 2, -3, -4]) == True
    assert capsys.readouterr().out.startswith("\u2713 Correct.")
    ex.check_conv1d_by_hand([-1, -2, -2, -2, 3, 4])
    assert "cross-correlation" in capsys.readouterr().out
    ex.check_conv1d_by_hand([2, 2])
    assert "'valid'" in capsys.readouterr().out
    ex.check_conv1d_by_hand([1, 2, 2])
    assert "full mode gives L + k - 1" in capsys.readouterr().out
    ex.check_conv1d_by_hand([1, 2, 2, 0, -3, -4])
    assert "Check s_3 again" in capsys.readouterr().out
    assert ex.check_conv1d_by_hand("one two") == False
    assert "flat list" in capsys.readouterr().out


def test_shift_kernel_checker(capsys):
    ex = cl.exercises
    right = np.zeros((3, 3))
    right[1, 0] = 1
    assert ex.check_shift_kernel(right) == True
    assert capsys.readouterr().out.startswith("\u2713 Correct.")
    assert ex.check_shift_kernel(right[:, ::-1]) == False
    assert "moves the image to the left" in capsys.readouterr().out
    assert ex.check_shift_kernel(right.T) == False
    assert "up or down" in capsys.readouterr().out
    assert ex.check_shift_kernel(np.ones((2, 2))) == False
    assert "shape (2, 2)" in capsys.readouterr().out
    assert ex.check_shift_kernel(None) == False
    assert "Not yet" in capsys.readouterr().out


def test_match_size_checker(capsys):
    ex = cl.exercises
    assert ex.check_match_size(105) == True
    assert "128 - 24 + 1" in capsys.readouterr().out
    assert ex.check_match_size(104) == False
    assert "Off by one" in capsys.readouterr().out
    assert ex.check_match_size(151) == False
    assert "'full'" in capsys.readouterr().out
