"""cnnlib's top-level jits on a CPU: compiled with XLA's classic emitters, same results."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from cnnlib import _xla, lenet, lenet_model, training

pytestmark = pytest.mark.skipif(jax.default_backend() != "cpu", reason="the options apply on a CPU only")


def test_cpu_jit_uses_the_options_at_the_top_level_and_the_defaults_inside_a_trace(monkeypatch):
    seen, clean = [], _xla.no_trace_active
    monkeypatch.setattr(_xla, "no_trace_active", lambda: seen.append(clean()) or seen[-1])
    f = _xla.cpu_jit(lambda x: jnp.sin(x) * 2.0)
    x = jnp.arange(5.0)
    before = (f.default._cache_size(), f.cpu._cache_size())
    top = f(x)
    assert (f.default._cache_size(), f.cpu._cache_size()) == (before[0], before[1] + 1)
    assert f._cache_size() == sum(before) + 1
    inside = jax.jit(lambda z: f(z))(x)  # traced: part of the caller's computation, compiled with its options
    assert f.cpu._cache_size() == before[1] + 1 and seen == [True, False]
    np.testing.assert_array_equal(top, inside)
    np.testing.assert_allclose(top, 2.0 * np.sin(np.arange(5.0)), rtol=1e-6)


@pytest.mark.parametrize("kind", ["max", "blur"])
def test_lenet_training_steps_are_bit_identical_with_either_emitters(kind):
    model = lenet.lenet(kind)
    loss = training.classification_loss(lenet_model._APPLY[kind])
    rng = np.random.default_rng(0)
    x = rng.random((16, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 16)
    runs = []
    for step in (training._step.default, training._step.cpu):
        params = model.init(jax.random.key(0))
        state = training.adam_init(params)
        for _ in range(5):
            params, state, _ = step(loss, params, state, (x, y), np.float32(3e-3))
        runs.append(np.concatenate([np.ravel(leaf) for leaf in jax.tree.leaves(params)]))
    np.testing.assert_array_equal(runs[0], runs[1])
