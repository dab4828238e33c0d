"""Shared test setup: headless matplotlib, float32 JAX, a fixed PRNG key."""
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import jax  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def key():
    return jax.random.key(0)
