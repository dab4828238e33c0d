"""The dense-versus-conv measurement: counts by closed form, timings only as shapes of records (no timed asserts)."""
import math
import subprocess
import sys

import jax
import numpy as np
import pytest

from cnnlib.scaling import DENSE_MAX_MIB, fit_loglog_slope, measure_dense_vs_conv


def test_records_hold_the_closed_form_counts(key):
    records = measure_dense_vs_conv([4, 6], batch=2, k=3, repeats=1, key=key)
    assert [r["side"] for r in records] == [4, 6]
    for r in records:
        m = r["side"] ** 2
        assert (r["m"], r["n"]) == (m, m)
        assert r["dense_params"] == m * m and r["sparse_params"] == 9 * m and r["conv_params"] == 9
        assert r["dense_flops"] == 2 * 2 * m * m and r["conv_flops"] == 2 * 2 * 9 * m
        assert r["dense_seconds"] > 0 and r["conv_seconds"] > 0 and not r["dense_skipped"]


def test_dense_matrix_beyond_the_memory_cap_is_skipped(key):
    # side 8: a 64 x 64 float32 matrix is 16 KiB; a cap of 0.01 MiB refuses it
    (rec,) = measure_dense_vs_conv([8], batch=1, repeats=1, key=key, max_dense_mib=0.01)
    assert rec["dense_skipped"] and math.isnan(rec["dense_seconds"]) and rec["conv_seconds"] > 0
    assert 4 * 16384**2 / 2**20 == 1024 > DENSE_MAX_MIB  # side 128 is skipped by default


def test_loglog_slope_recovers_exponents_and_skips_nan():
    x = np.array([4.0, 8.0, 16.0, 32.0])
    assert fit_loglog_slope(x, 5 * x**2) == pytest.approx(2.0)
    assert fit_loglog_slope(x, 0.1 * x) == pytest.approx(1.0)
    assert fit_loglog_slope(x, [1.0, 2.0, 4.0, float("nan")]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "call, error, pattern",
    [
        (lambda: measure_dense_vs_conv([], key=jax.random.key(0)), TypeError, r"`sides` must be a non-empty sequence"),
        (lambda: measure_dense_vs_conv([0], key=jax.random.key(0)), ValueError, r"`sides` must be >= 1; got 0"),
        (lambda: measure_dense_vs_conv([4], key=0), TypeError, r"`key` must be a JAX PRNG key"),
        (lambda: measure_dense_vs_conv([4], batch=2.5, key=jax.random.key(0)), TypeError, r"`batch` must be an integer"),
        (lambda: fit_loglog_slope([1, 2], [1, 2, 3]), ValueError, r"`x` and `y` must be 1-D of the same length"),
        (lambda: fit_loglog_slope([1, 2], [1, -2]), ValueError, r"must be positive"),
        (lambda: fit_loglog_slope([1, 2], [1, float("nan")]), ValueError, r"need at least two distinct `x`"),
    ],
)
def test_errors_name_the_argument(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_module_import_pulls_in_nothing_heavy():
    code = "import sys, cnnlib.scaling\nprint(','.join(m for m in ('matplotlib', 'scipy', 'optax') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_numpy_sides_and_an_infinite_dense_limit_are_accepted():
    key = jax.random.key(0)
    records = measure_dense_vs_conv(2 ** np.arange(2, 4), batch=1, repeats=1, key=key, max_dense_mib=float("inf"))
    assert [r["side"] for r in records] == [4, 8]
    assert not any(r["dense_skipped"] for r in records)
    with pytest.raises(ValueError, match="`max_dense_mib` must be finite"):
        measure_dense_vs_conv([4], key=key, max_dense_mib=float("nan"))
