"""Learned rotation detectors and deformation stability: NumPy oracles, closed forms, error messages."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cnnlib as cl


def rng(seed):
    return np.random.default_rng(seed)


# --- template_scores --------------------------------------------------------------------------------


def _scores_oracle(w, x):
    """NumPy loops: zero-mean unit templates, every 'valid' window, best one, divided by ||x||."""
    k = w.shape[-1]
    out = np.zeros((x.shape[0], w.shape[0]))
    for n in range(x.shape[0]):
        for c in range(w.shape[0]):
            t = w[c] - w[c].mean()
            t = t / np.linalg.norm(t)
            best = -np.inf
            for i in range(x.shape[1] - k + 1):
                for j in range(x.shape[2] - k + 1):
                    best = max(best, float(np.sum(x[n, i:i + k, j:j + k] * t)))
            out[n, c] = best / np.linalg.norm(x[n])
    return out


@pytest.mark.parametrize("seed, shape, k", [(0, (2, 6, 7), 3), (1, (3, 5, 5), 5), (2, (1, 9, 6), 2)])
def test_template_scores_matches_numpy_loops(seed, shape, k):
    w = rng(seed).standard_normal((2, k, k))
    x = rng(seed + 10).standard_normal(shape)
    np.testing.assert_allclose(cl.template_scores(w, x), _scores_oracle(w, x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cl.template_scores(w, x[0]), _scores_oracle(w, x[:1])[0], rtol=1e-5, atol=1e-6)


def test_template_scores_is_one_for_the_template_itself_and_ignores_its_position():
    t = rng(3).standard_normal((3, 3))
    t = (t - t.mean()) / np.linalg.norm(t - t.mean())
    x = np.zeros((2, 9, 9))
    x[0, 1:4, 2:5] = t
    x[1, 5:8, 4:7] = t                      # the same pattern elsewhere
    s = np.asarray(cl.template_scores(t[None] * 7 + 2, x))   # scale and mean of w do not matter
    np.testing.assert_allclose(s[:, 0], [1.0, 1.0], rtol=1e-5)


def test_template_scores_errors():
    with pytest.raises(ValueError, match=r"`w` must have shape \(K, k, k\)"):
        cl.template_scores(np.ones((3, 3)), np.ones((5, 5)))
    with pytest.raises(ValueError, match="`x` images .* at least as large as the templates"):
        cl.template_scores(np.ones((1, 4, 4)), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"`x` must have shape \(N, H, W\) or \(H, W\)"):
        cl.template_scores(np.ones((1, 2, 2)), np.ones(5))


# --- rotation_match ---------------------------------------------------------------------------------


def _blob(size=15):
    """A smooth, asymmetric pattern (an L of two Gaussian bars) that fits inside its frame when turned."""
    t = np.arange(size) - (size - 1) / 2
    v, u = np.meshgrid(t, t, indexing="ij")
    return np.exp(-((v - 3) ** 2) / 1.5 - u**2 / 12) + 0.6 * np.exp(-(v**2) / 12 - (u + 3) ** 2 / 1.5)


def test_rotation_match_peaks_at_the_turn():
    b = _blob()
    angles = np.arange(-90, 91, 10)
    for turn in (-40, 30, 70):
        m = cl.rotation_match(cl.rotate(b, turn), b, angles)
        assert angles[np.argmax(m)] == turn and m.max() > 0.98
        assert m[angles == 0][0] < m.max() - 0.15     # unturned it matches clearly worse


def test_rotation_match_without_turning_is_the_best_shifted_correlation():
    a, b = rng(4).standard_normal((2, 7, 7))
    a0, b0 = a - a.mean(), b - b.mean()
    best = -np.inf
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            s = np.zeros_like(b0)                     # b0 shifted by (dy, dx), zeros entering
            s[max(dy, 0):7 + min(dy, 0), max(dx, 0):7 + min(dx, 0)] = b0[max(-dy, 0):7 + min(-dy, 0), max(-dx, 0):7 + min(-dx, 0)]
            best = max(best, float(np.sum(a0 * s)) / (np.linalg.norm(a0) * np.linalg.norm(b0)))
    np.testing.assert_allclose(cl.rotation_match(a, b, [0], max_shift=2), [best], rtol=1e-5)
    np.testing.assert_allclose(cl.rotation_match(a, b, [0], max_shift=0),
                               [np.sum(a0 * b0) / (np.linalg.norm(a0) * np.linalg.norm(b0))], rtol=1e-5)


def test_rotation_match_errors():
    with pytest.raises(ValueError, match="`b` must have shape"):
        cl.rotation_match(np.ones((5, 5)), np.ones((4, 4)), [0])
    with pytest.raises(ValueError, match="`max_shift` must be >= 0"):
        cl.rotation_match(np.ones((5, 5)), np.ones((5, 5)), [0], max_shift=-1)
    with pytest.raises(ValueError, match="`angles` must have shape"):
        cl.rotation_match(np.ones((5, 5)), np.ones((5, 5)), 30.0)


# --- train_rotation_detector ------------------------------------------------------------------------


def _bars(n=40):
    """Targets: a horizontal bar somewhere; the others: two dots. On an 8x8 canvas."""
    x = np.zeros((2 * n, 8, 8), np.float32)
    r = rng(5)
    for i in range(n):
        row, col = r.integers(2, 6), r.integers(0, 2)
        x[i, row, col:col + 6] = 1
        x[n + i, r.integers(0, 8, 2), r.integers(0, 8, 2)] = 1
    return x, np.arange(2 * n) < n


def test_train_rotation_detector_learns_a_toy_task_and_is_deterministic():
    x, target = _bars()
    params, losses = cl.train_rotation_detector(jax.random.key(0), x, target, n_channels=2, size=6, n_runs=2,
                                                steps=60, batch=8, max_angle=20.0)
    assert params["w"].shape == (2, 2, 6, 6) and params["scale"].shape == (2,) and losses.shape == (2, 60)
    losses = np.asarray(losses)
    assert np.all(np.isfinite(losses)) and np.all(losses[:, -10:].mean(axis=1) < losses[:, :10].mean(axis=1))
    for r in range(2):                                 # the trained detector separates the two kinds
        s = np.asarray(cl.template_scores(params["w"][r], x)).max(axis=1)
        assert s[target].min() > s[~target].max()
    assert not np.allclose(params["w"][0], params["w"][1])   # the runs differ
    again, _ = cl.train_rotation_detector(jax.random.key(0), x, target, n_channels=2, size=6, n_runs=2,
                                          steps=60, batch=8, max_angle=20.0)
    np.testing.assert_array_equal(np.asarray(again["w"]), np.asarray(params["w"]))


@pytest.mark.parametrize("kwargs, message", [
    (dict(is_target=np.ones(4, bool)), "some images as targets and some as not"),
    (dict(is_target=np.ones(3, bool)), "`is_target` must be 4 booleans"),
    (dict(size=9), "`size` must be <= 8"),
    (dict(temperature=0.0), "`temperature` must be > 0"),
    (dict(images=np.ones((8, 8))), r"`images` must have shape \(N, H, W\)"),
    (dict(key=0), "`key` must be a JAX PRNG key"),
])
def test_train_rotation_detector_errors(kwargs, message):
    args = dict(key=jax.random.key(0), images=np.ones((4, 8, 8)), is_target=np.array([1, 0, 1, 0]), size=6)
    args.update(kwargs)
    key, images, target = args.pop("key"), args.pop("images"), args.pop("is_target")
    with pytest.raises((ValueError, TypeError), match=message):
        cl.train_rotation_detector(key, images, target, steps=1, **args)


# --- deformations -----------------------------------------------------------------------------------


def test_deformation_sizes_closed_forms():
    h, w, c = 5, 7, 0.3
    j = np.arange(w)[None, :].repeat(h, 0)
    linear = np.stack([np.zeros((h, w)), c * j])        # tau_x = c * column: stretches by c
    size, grad = cl.deformation_sizes(linear)
    assert size == pytest.approx(c * (w - 1), rel=1e-6) and grad == pytest.approx(c, rel=1e-5)
    field = rng(6).standard_normal((3, 2, h, w))
    size, grad = cl.deformation_sizes(field)
    np.testing.assert_allclose(size, np.hypot(field[:, 0], field[:, 1]).max(axis=(1, 2)), rtol=1e-5)
    jac = np.stack([np.stack(np.gradient(f[k])) for f in field for k in range(2)]).reshape(3, 2, 2, h, w)
    np.testing.assert_allclose(grad, np.sqrt((jac**2).sum(axis=(1, 2))).max(axis=(1, 2)), rtol=1e-5)


def test_random_deformations_sizes_shifts_and_ranges():
    key = jax.random.key(1)
    tau = cl.random_deformations(key, (20, 24), 6, amplitude=1.5, smoothness=4.0)
    assert tau.shape == (6, 2, 20, 24)
    np.testing.assert_allclose(cl.deformation_sizes(tau)[0], 1.5, rtol=1e-5)   # the wobble's largest length
    shifts = np.asarray(cl.random_deformations(key, (10, 10), 50, amplitude=0.0, max_shift=3))
    assert np.all(shifts == shifts[:, :, :1, :1])                             # constant fields ...
    assert np.all(shifts == np.round(shifts)) and np.abs(shifts).max() == 3   # ... of whole pixels, up to 3
    assert np.all(cl.deformation_sizes(shifts)[1] == 0)
    ranged = cl.random_deformations(key, (16, 16), 40, amplitude=(0.5, 2.0), smoothness=(2.0, 6.0))
    size = cl.deformation_sizes(ranged)[0]
    assert size.min() >= 0.5 - 1e-5 and size.max() <= 2.0 + 1e-5 and size.std() > 0.1
    np.testing.assert_array_equal(np.asarray(cl.random_deformations(key, (16, 16), 4)),
                                  np.asarray(cl.random_deformations(key, (16, 16), 4)))
    assert not np.allclose(cl.random_deformations(key, (16, 16), 4), cl.random_deformations(jax.random.key(2), (16, 16), 4))


def test_random_deformations_errors():
    key = jax.random.key(0)
    with pytest.raises(ValueError, match="low <= high"):
        cl.random_deformations(key, (8, 8), 2, amplitude=(2.0, 1.0))
    with pytest.raises(ValueError, match="`amplitude` must be > 0"):
        cl.random_deformations(key, (8, 8), 2, amplitude=(0.0, 1.0))
    with pytest.raises(ValueError, match=r"`shape` must be \(H, W\)"):
        cl.random_deformations(key, (8,), 2)
    with pytest.raises(ValueError, match="`n` must be >= 1"):
        cl.random_deformations(key, (8, 8), 0)
    with pytest.raises(ValueError, match="`smoothness` must be >= 0.001"):
        cl.random_deformations(key, (8, 8), 2, smoothness=0.0)
    # a width whose square underflows float32 gave all-NaN fields before it was refused
    with pytest.raises(ValueError, match="`smoothness` must be >= 0.001"):
        cl.random_deformations(key, (8, 8), 2, smoothness=1e-30)


def test_representation_change_refuses_a_phi_that_returns_nan_or_no_array():
    x, flows = np.ones((6, 6)), np.zeros((2, 2, 6, 6))
    with pytest.raises(ValueError, match="`phi` returned NaN or inf"):  # was 0.0: "nothing changed"
        cl.representation_change(lambda z: z * jnp.nan, x, flows)
    with pytest.raises(TypeError, match="`phi` must"):
        cl.representation_change(lambda z: None, x, flows)
    with pytest.raises(TypeError, match="`phi` must return an array"):
        cl.representation_change(lambda z: 1.0, x, flows)


def test_representation_change_oracles():
    x = rng(7).random((6, 9)).astype(np.float32)
    flows = np.zeros((3, 2, 6, 9), np.float32)
    flows[1, 1] = 2                                    # two pixels right
    flows[2, 0] = -1                                   # one pixel up
    moved = [x, np.pad(x, ((0, 0), (2, 0)))[:, :9], np.pad(x, ((0, 1), (0, 0)))[1:]]   # zeros enter
    want = [np.linalg.norm(m - x) / np.linalg.norm(x) for m in moved]
    np.testing.assert_allclose(cl.representation_change(lambda z: z, x, flows), want, rtol=1e-5, atol=1e-7)
    both = cl.representation_change(lambda z: (z, z.sum(axis=0)), x, flows)            # several at once
    assert both.shape == (3, 2)
    np.testing.assert_allclose(both[:, 0], want, rtol=1e-5, atol=1e-7)
    assert both[0, 1] == 0.0 and both[2, 1] > 0         # column sums: unchanged at rest, changed going up


def test_representation_change_zero_reference_and_errors():
    x = np.zeros((3, 5), np.float32)
    x[1, 1] = 1
    right = np.zeros((2, 2, 3, 5), np.float32)
    right[0, 1] = 1
    out = cl.representation_change(lambda z: z[:, 2], x, right)   # column 2 is empty until the pixel arrives
    assert out[0] == np.inf and out[1] == 0.0
    with pytest.raises(TypeError, match="`phi` must be a function"):
        cl.representation_change(3, x, right)
    with pytest.raises(ValueError, match="`flows` must have shape"):
        cl.representation_change(lambda z: z, x, right[0])
