"""cnnlib.dimensionality: closed forms against known values, SciPy and their own Monte Carlo."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gamma, gammaln

import cnnlib as cl
from cnnlib import dimensionality as dim

LECTURE_DIMS = np.array([2, 3, 10, 100, 350])


def mc_tolerance(p, num_samples, sigmas=4.0):
    """A binomial proportion's standard error, times `sigmas` (plus a floor for p near 0 or 1)."""
    return sigmas * math.sqrt(max(p * (1 - p), 1e-4) / num_samples)


# --- closed forms -----------------------------------------------------------------------------


def test_rind_known_values_and_broadcasting():
    assert float(cl.rind_fraction(0.5, 2)) == pytest.approx(0.75)
    assert float(cl.rind_fraction(1.0, 7)) == 0.0
    got = cl.rind_fraction(jnp.array([[0.9], [0.5]]), jnp.array([1, 2, 3]))  # (2, 1) with (3,)
    want = 1 - np.array([[0.9], [0.5]]) ** np.array([1, 2, 3])
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_rind_is_stable_near_one_and_in_high_dimension():
    # 1 - (1 - 1e-7)^1 computed naively in float32 gives 0 or 1.2e-7; expm1 keeps it.
    assert float(cl.rind_fraction(1 - 1e-7, 1)) == pytest.approx(1e-7, rel=0.2)
    assert float(cl.rind_fraction(0.99, 36_000_000)) == 1.0
    assert np.isfinite(np.asarray(cl.rind_fraction(1e-30, 10**9))).all()


@pytest.mark.parametrize("n", [1, 2, 3, 10, 350])
def test_rind_initial_growth_rate_is_n(n):
    slope = jax.grad(lambda a: cl.rind_fraction(a, n))(1.0)
    assert float(slope) == pytest.approx(-n, rel=1e-6)


def test_half_length_exact_and_first_order():
    n = LECTURE_DIMS
    np.testing.assert_allclose(cl.half_length(n), 2.0 ** (-1.0 / n), rtol=1e-6)
    np.testing.assert_allclose(cl.half_length(n, first_order=True), 1 - np.log(2) / n, rtol=1e-6)
    # the shrunk shape holds exactly half
    np.testing.assert_allclose(cl.rind_fraction(cl.half_length(n), n), 0.5, rtol=1e-5)
    # first order undershoots, by less as n grows
    gap = np.asarray(cl.half_length(n) - cl.half_length(n, first_order=True))
    assert (gap > 0).all() and (np.diff(gap) < 0).all()


def test_half_length_lecture_numbers():
    """Half the volume lies within (1 - alpha)/2 of the diameter from the boundary."""
    lecture = (0.7 / LECTURE_DIMS) / 2  # the lecture's rule 1 - 0.7/n
    assert round(100 * lecture[0]) == 18 and round(100 * lecture[1]) == 12
    exact = (1 - np.asarray(cl.half_length(LECTURE_DIMS))) / 2
    np.testing.assert_allclose(exact[:2], [0.1464, 0.1031], atol=1e-4)
    assert float(cl.half_length(350)) > 0.98
    assert exact[-1] < 0.01  # within 1% of the diameter (in fact 0.1%)


def test_ball_fraction_known_values_and_scipy():
    np.testing.assert_allclose(cl.ball_volume_fraction(jnp.array([1, 2, 3])), [1, np.pi / 4, np.pi / 6], rtol=1e-6)
    assert 1 - float(cl.ball_volume_fraction(8)) == pytest.approx(0.98415, abs=1e-5)
    d = np.arange(1, 41)
    oracle = np.pi ** (d / 2) / gamma(d / 2 + 1) / 2.0**d
    np.testing.assert_allclose(cl.ball_volume_fraction(d), oracle, rtol=2e-5)
    np.testing.assert_allclose(cl.ball_volume_fraction(d, log10=True), np.log10(oracle), atol=1e-4)


def test_ball_fraction_in_very_high_dimension_stays_finite():
    log10 = np.asarray(cl.ball_volume_fraction(np.array([100, 10_000, 36_000_000]), log10=True))
    assert np.isfinite(log10).all() and (np.diff(log10) < 0).all()
    assert log10[0] == pytest.approx((gammaln(1) + 50 * np.log(np.pi) - gammaln(51) - 100 * np.log(2)) / np.log(10), abs=1e-3)
    assert float(cl.ball_volume_fraction(10_000)) == 0.0  # underflows to zero, not NaN


def test_log10_samples_needed_lecture_numbers():
    np.testing.assert_array_equal(cl.log10_samples_needed(0.1, np.array([1, 2, 3])), [1, 2, 3])
    assert float(cl.log10_samples_needed(0.1, 12_000_000 * 3)) == 36_000_000  # every digit kept (float64)
    assert float(cl.log10_samples_needed(0.5, 36_000_000)) == pytest.approx(36e6 * math.log10(2), abs=1e-6)
    assert float(cl.log10_samples_needed(0.1, 36_000_000)) > 82  # more than atoms in the universe
    assert float(cl.log10_samples_needed(1.0, 5)) == 0.0


# --- sampling and distances -------------------------------------------------------------------


def test_samplers_shapes_ranges_and_keys(key):
    for sample in (cl.sample_cube, cl.sample_torus, cl.sample_ball):
        x = sample(50, 4, key)
        assert x.shape == (50, 4) and x.dtype == jnp.float32
        np.testing.assert_array_equal(x, sample(50, 4, key))  # same key, same points
    cube = cl.sample_cube(1000, 3, key)
    assert float(cube.min()) >= 0 and float(cube.max()) < 1
    ball = cl.sample_ball(20_000, 5, key)
    r = np.asarray(jnp.linalg.norm(ball, axis=1))
    assert r.max() <= 1 + 1e-6
    assert np.mean(r < 0.8) == pytest.approx(0.8**5, abs=mc_tolerance(0.8**5, 20_000))
    assert np.abs(np.asarray(ball).mean(axis=0)).max() < 0.02  # centred


def numpy_distances(x, y, torus):
    diff = np.abs(x[:, None, :] - y[None, :, :])
    if torus:
        diff = np.minimum(diff % 1.0, 1.0 - diff % 1.0)
    return np.sqrt((diff**2).sum(-1))


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 6), m=st.integers(1, 6), d=st.integers(1, 7), torus=st.booleans(), seed=st.integers(0, 99))
def test_pairwise_distances_match_numpy(n, m, d, torus, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-1, 2, (n, d)).astype(np.float32), rng.uniform(-1, 2, (m, d)).astype(np.float32)
    metric = "torus" if torus else "euclidean"
    got = cl.pairwise_distances(x, y, metric=metric)
    np.testing.assert_allclose(got, numpy_distances(x, y, torus), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(cl.pairwise_distances(x[0], y, metric=metric), got[0], rtol=1e-6)
    dims = rng.integers(1, d + 1)
    np.testing.assert_allclose(
        cl.pairwise_distances(x, y, metric=metric, dims=dims),
        numpy_distances(x[:, :dims], y[:, :dims], torus), rtol=1e-5, atol=1e-5,
    )


def test_changing_dims_compiles_nothing(key):
    x = cl.sample_torus(30, 64, key)
    cl.pairwise_distances(x[0], x, metric="torus", dims=1)
    before = dim._distances._cache_size()
    for d in (2, 5, 17, 64):
        cl.pairwise_distances(x[0], x, metric="torus", dims=d)
    assert dim._distances._cache_size() == before


def test_torus_has_no_edge():
    """On the torus a point at the corner is as typical as one in the middle."""
    y = cl.sample_torus(4000, 3, jax.random.key(1))
    mid = cl.pairwise_distances(jnp.full((3,), 0.5), y, metric="torus")
    corner = cl.pairwise_distances(jnp.zeros(3), y, metric="torus")
    assert float(mid.mean()) == pytest.approx(float(corner.mean()), abs=0.01)
    assert float(corner.max()) <= math.sqrt(3) / 2


def test_torus_normalised_distance_concentrates_at_sqrt_one_third(key):
    k1, k2 = jax.random.split(key)
    for d, tol in [(10, 0.01), (1000, 0.002)]:
        query, points = cl.sample_torus(1, d, k1)[0], cl.sample_torus(2000, d, k2)
        r = np.asarray(cl.pairwise_distances(query, points, metric="torus")) / (math.sqrt(d) / 2)
        # wrapped gaps are uniform on [0, 1/2]: E = 1/12 and Var = 1/180 per squared gap, so
        # the mean -> sqrt(1/3) (1 - 1/(10 d)) and the spread -> 2 sqrt(1/60) / sqrt(d)
        assert r.mean() == pytest.approx(math.sqrt(1 / 3) * (1 - 1 / (10 * d)), abs=tol)
        assert r.std() == pytest.approx(2 * math.sqrt(1 / 60) / math.sqrt(d), rel=0.1)


# --- Monte Carlo against closed forms --------------------------------------------------------


@pytest.mark.parametrize("shape", ["ball", "cube"])
def test_rind_monte_carlo_matches_closed_form(shape, key):
    alpha = jnp.array([[0.3], [0.5], [0.8], [0.95], [1.0]])  # (5, 1) against n (4,)
    n = jnp.array([1, 2, 3, 10])
    est = np.asarray(cl.rind_fraction_mc(alpha, n, key, num_samples=20_000, shape=shape))
    exact = np.asarray(cl.rind_fraction(alpha, n))
    assert est.shape == exact.shape == (5, 4)
    for e, x in zip(est.ravel(), exact.ravel()):
        assert e == pytest.approx(x, abs=mc_tolerance(x, 20_000))


@pytest.mark.parametrize("n", LECTURE_DIMS.tolist())
def test_half_length_monte_carlo_matches_exact_not_first_order(n, key):
    est = float(cl.half_length_mc(int(n), key, num_samples=20_000))
    exact, first = float(cl.half_length(int(n))), float(cl.half_length(int(n), first_order=True))
    tol = 4 * exact / (n * math.sqrt(20_000))  # 4 standard errors of a median where the density is n / (2 exact)
    assert est == pytest.approx(exact, abs=tol)
    if n <= 3:
        assert abs(est - first) > 2 * tol


def test_half_length_monte_carlo_cube(key):
    est = float(cl.half_length_mc(3, key, shape="cube"))
    assert est == pytest.approx(2 ** (-1 / 3), abs=0.005)


def test_ball_fraction_monte_carlo_matches_closed_form(key):
    d = np.arange(1, 11)
    est = np.asarray(cl.ball_volume_fraction_mc(d, key, num_samples=100_000))
    exact = np.asarray(cl.ball_volume_fraction(d))
    for e, x in zip(est, exact):
        assert e == pytest.approx(x, abs=mc_tolerance(x, 100_000))
    assert 1 - est[7] == pytest.approx(0.984, abs=0.002)  # the lecture's d = 8 corners


def test_distance_contrast_falls_like_one_over_sqrt_d(key):
    d = np.array([10, 30, 100, 300, 1000, 3000])
    c = np.asarray(cl.distance_contrast(d, 500, key, num_queries=8))
    assert (np.diff(c) < 0).all()
    slope = np.polyfit(np.log(d[2:]), np.log(c[2:]), 1)[0]  # steeper at small d, -1/2 in the limit
    assert -0.62 < slope < -0.45
    torus = np.asarray(cl.distance_contrast(np.array([10, 100, 1000]), 200, key, num_queries=4, metric="torus"))
    assert (np.diff(torus) < 0).all()


# --- nearest neighbours -----------------------------------------------------------------------


def numpy_knn(x_train, y_train, x_test, k):
    pred = []
    for x in x_test:
        order = np.argsort(((x_train - x) ** 2).sum(1), kind="stable")[:k]
        counts = np.bincount(y_train[order], minlength=y_train.max() + 1)
        best = np.flatnonzero(counts == counts.max())
        pred.append(next(y_train[i] for i in order if y_train[i] in best))  # tie: nearest voter wins
    return np.array(pred)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_knn_matches_brute_force(k):
    rng = np.random.default_rng(k)
    x_train = rng.normal(size=(60, 4)).astype(np.float32)
    y_train = rng.integers(0, 3, 60)
    x_test = rng.normal(size=(25, 4)).astype(np.float32)
    np.testing.assert_array_equal(cl.knn_predict(x_train, y_train, x_test, k=k), numpy_knn(x_train, y_train, x_test, k))


def test_knn_flattens_images_and_scores():
    x = np.zeros((4, 2, 2), np.float32)
    x[2:] = 1.0
    y = np.array([0, 0, 1, 1])
    np.testing.assert_array_equal(cl.knn_predict(x, y, x + 0.1), y)
    assert float(cl.knn_accuracy(x, y, x + 0.1, y)) == 1.0


def test_noise_features_hurt_and_zero_noise_changes_nothing(key):
    rng = np.random.default_rng(0)
    centres = rng.uniform(size=(3, 5))
    y = rng.integers(0, 3, 300)
    x = (centres[y] + 0.05 * rng.normal(size=(300, 5))).astype(np.float32)
    m = np.array([0, 5, 50, 500])
    acc = np.asarray(cl.knn_accuracy(x[:200], y[:200], x[200:], y[200:], num_noise=m, key=key))
    assert acc[0] == float(cl.knn_accuracy(x[:200], y[:200], x[200:], y[200:]))
    assert acc[0] == 1.0 and acc[-1] < 0.8 and (np.diff(acc) <= 0.02).all()


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: cl.rind_fraction(1.5, 2), ValueError, r"`alpha` must be in \(0, 1\]; got 1.5\."),
        (lambda: cl.rind_fraction(0.0, 2), ValueError, r"`alpha` must be in \(0, 1\]; got 0\."),
        (lambda: cl.rind_fraction([0.5, 2.0], 2), ValueError, r"got 2 in an array of shape \(2,\)"),
        (lambda: cl.rind_fraction(0.5, 0), ValueError, r"`n` must be >= 1; got 0\."),
        (lambda: cl.rind_fraction(0.5, 2.0), TypeError, r"`n` must be an integer or an array of integers; got 2\.0\."),
        (lambda: cl.half_length("3"), TypeError, r"`n` must be an integer"),
        (lambda: cl.ball_volume_fraction(0), ValueError, r"`d` must be >= 1; got 0\."),
        (lambda: cl.log10_samples_needed(0.0, 3), ValueError, r"`eps` must be in \(0, 1\]; got 0\."),
        (lambda: cl.log10_samples_needed(-0.1, 3), ValueError, r"`eps` must be in \(0, 1\]; got -0.1\."),
        (lambda: cl.log10_samples_needed(0.1, -3), ValueError, r"`d` must be >= 1; got -3\."),
        (lambda: cl.sample_ball(10, 0, jax.random.key(0)), ValueError, r"`d` must be >= 1; got 0\."),
        (lambda: cl.sample_cube(10, 2, 0), TypeError, r"`key` must be a JAX PRNG key"),
        (lambda: cl.pairwise_distances(np.ones((2, 3)), metric="cosine"), ValueError, r"`metric` must be one of 'euclidean', 'torus'; got 'cosine'\."),
        (lambda: cl.pairwise_distances(np.ones(3)), ValueError, r"`x` must have shape \(N, d\) when `y` is not given; got \(3,\)"),
        (lambda: cl.pairwise_distances(np.ones((2, 3)), np.ones((2, 4))), ValueError, r"same number of coordinates d; got 3 and 4"),
        (lambda: cl.pairwise_distances(np.ones((2, 3)), dims=4), ValueError, r"`dims` must be <= 3; got 4\."),
        (lambda: cl.rind_fraction_mc(0.5, 2, jax.random.key(0), shape="star"), ValueError, r"`shape` must be one of 'ball', 'cube'"),
        (lambda: cl.distance_contrast(10, 1, jax.random.key(0)), ValueError, r"`n` must be >= 2; got 1\."),
        (lambda: cl.knn_predict(np.ones((3, 2)), [0, 1], np.ones((1, 2))), ValueError, r"`y_train` must have shape \(3,\), one label per row of `x_train`; got \(2,\)"),
        (lambda: cl.knn_predict(np.ones((3, 2)), [0, 1, 1], np.ones((1, 2)), k=4), ValueError, r"`k` must be <= 3; got 4\."),
        (lambda: cl.knn_predict(np.ones((3, 2)), [0, 1, 1], np.ones((1, 5))), ValueError, r"`x_test` must have 2 features per example"),
        (lambda: cl.knn_accuracy(np.ones((3, 2)), [0, 1, 1], np.ones((1, 2)), [0], num_noise=4), TypeError, r"`key` must be a JAX PRNG key .* when `num_noise` > 0; got None\."),
        (lambda: cl.knn_accuracy(np.ones((3, 2)), [0, 1, 1], np.ones((1, 2)), [0], num_noise=-1), ValueError, r"`num_noise` must be >= 0; got -1\."),
    ],
)
def test_error_messages(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_jit_of_public_functions_agrees():
    n = jnp.array([2, 3, 10])
    np.testing.assert_allclose(jax.jit(lambda a: cl.rind_fraction(a, 3))(0.7), cl.rind_fraction(0.7, 3))
    np.testing.assert_allclose(cl.half_length(n), jax.jit(lambda m: 2.0 ** (-1.0 / m))(n.astype(jnp.float32)), rtol=1e-6)


def test_monte_carlo_is_vectorised_over_dimension(key):
    n = np.array([[2, 3], [10, 350]])
    est = np.asarray(cl.half_length_mc(n, key, num_samples=20_000, shape="cube"))
    assert est.shape == (2, 2)
    np.testing.assert_allclose(est, cl.half_length(n), atol=4 / np.sqrt(20_000))
    rind = np.asarray(cl.rind_fraction_mc(jnp.array([0.5, 0.9]), jnp.array([[2], [3]]), key))
    assert rind.shape == (2, 2)
    np.testing.assert_allclose(rind, cl.rind_fraction(jnp.array([0.5, 0.9]), jnp.array([[2], [3]])), atol=0.015)


# --- widgets and exercises --------------------------------------------------------------------


def test_dimension_explorer_updates_in_place_without_compiling():
    from cnnlib.widgets import dimensionality as wd

    box = cl.widgets.dimension_explorer(d_max=64, num_points=500)
    assert "d = 8:" in box.readout.value and "98.4% of the cube is corners" in box.readout.value
    artists = list(box.canvas.axes[0, 2].patches)
    compiled = wd._tick._cache_size()
    for d in (1, 2, 64, 3):
        text = box.update(d=d)
        assert text.startswith(f"d = {d}:")
    assert wd._tick._cache_size() == compiled  # slider ticks compile nothing
    assert list(box.canvas.axes[0, 2].patches) == artists  # the same artists, moved
    assert "14.64% of the diameter" in box.update(d=2)
    with pytest.raises(ValueError, match=r"`d` must be <= 64; got 65\."):
        box.update(d=65)


def test_rind_explorer_and_static_figures():
    import matplotlib.pyplot as plt

    box = cl.widgets.rind_explorer(alpha=0.9)
    compiled = dim._rind._cache_size()
    assert box.update(alpha=0.9) == "α = 0.900: pizza 19.0%; watermelon 27.1%; n = 350 100.0%"
    box.update(alpha=0.5)
    assert dim._rind._cache_size() == compiled  # slider ticks compile nothing
    assert box.update(alpha=0.99).startswith("α = 0.990: pizza 2.0%; watermelon 3.0%; n = 350 97.0%")
    assert len(cl.widgets.dimension_figure(dims=(2, 8)).axes) == 3
    assert len(cl.widgets.rind_figure().axes) == 2
    plt.close("all")


@pytest.mark.parametrize(
    "checker, right, wrong, hint",
    [
        (cl.exercises.check_digit_samples, 128, 64, "That is eps = 0.1"),
        (cl.exercises.check_half_length_dimension, 69, 70, "first-order rule"),
        (cl.exercises.check_corner_share, 1 - math.pi / 6, math.pi / 6, "That is the ball's share"),
        (cl.exercises.check_torus_mean, 0.577, 2 / math.sqrt(6), "metric='torus'"),
    ],
)
def test_exercise_checkers(checker, right, wrong, hint, capsys):
    assert checker(right) == True
    assert capsys.readouterr().out.startswith("✓ Correct.")
    assert checker(wrong) == False
    assert hint in capsys.readouterr().out
    assert checker(None) == False
    assert capsys.readouterr().out.startswith("✗ Not yet.")
    assert checker("abc") == False  # never raises


# --- notebook 04 gives no answer away --------------------------------------------------------


def _notebook_text_before(path, title):
    """Sources and printed outputs of every cell before the markdown cell that contains ``title``."""
    from notebook_text import text_before

    return text_before(path, title)


def notebook_04_leaks(path):
    """The exercises of notebook 04 whose answer an earlier cell prints, asserts or states."""
    import re

    leaks = []
    if re.search(r"\b128\b", _notebook_text_before(path, "Exercise 1")):  # log10 N = -64 log10(0.01) = 128
        leaks.append(1)
    if re.search(r"\b69\b|68\.97", _notebook_text_before(path, "Exercise 2")):  # 2^(-1/n) >= 0.99 from n = 69
        leaks.append(2)
    if re.search(r"47\.6|0\.476|52\.4|\\pi\s*/\s*6", _notebook_text_before(path, "Exercise 3")):  # 1 - pi/6
        leaks.append(3)
    earlier = _notebook_text_before(path, "Exercise 4")  # the mean normalised torus distance, sqrt(1/3) = 0.577
    if re.search(r"0\.57\d|0\.58\b|sqrt\{1/3\}|sqrt\{\\tfrac13\}|√\(1/3\)|sqrt\(1 / 3\)", earlier):
        leaks.append(4)
    return leaks


def test_notebook_04_shows_no_exercise_answer_before_its_exercise():
    """Issue 15: the table of corner shares printed 47.6% for d = 3 before Exercise 3 asked for it, and the
    torus formula and table gave 0.577 before Exercise 4 asked to measure it."""
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "04_curse_of_dimensionality.ipynb"
    assert notebook_04_leaks(path) == []
