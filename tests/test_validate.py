"""The shared argument checks speak with one voice and refuse what they should."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from cnnlib import _validate as v


def test_integer_arrays_become_float32_with_values_kept():
    out = v.as_float_array(np.arange(4, dtype=np.uint8), "x")
    assert out.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(out), [0, 1, 2, 3])


def test_float_arrays_and_lists_are_accepted():
    assert v.as_float_array([[1.5, 2.0]], "x").shape == (1, 2)
    assert v.as_float_array(jnp.ones(3, jnp.float32), "x").dtype == jnp.float32


@pytest.mark.parametrize(
    "bad, pattern",
    [
        (np.array([True, False]), r"`x` must be a real numeric array; got dtype bool"),
        (np.array([1 + 2j]), r"`x` must be real; got complex dtype complex128"),
        (np.array(["a", "b"]), r"`x` must be a real numeric array; got dtype <U1"),
        ("cat", r"`x` must be a numeric array; got 'cat'"),
        (None, r"`x` must be a numeric array; got None"),
        ([[1, 2], [3]], r"`x` must be a numeric array; could not convert"),
    ],
)
def test_non_numeric_arrays_raise_type_error_naming_the_argument(bad, pattern):
    with pytest.raises(TypeError, match=pattern):
        v.as_float_array(bad, "x")


def test_check_ndim_message_shows_expected_layout_and_shape():
    with pytest.raises(ValueError, match=r"`w` must have shape \(kH, kW\) or \(C_out, C_in, kH, kW\); got \(3,\) \(1-D\)\."):
        v.check_ndim(jnp.ones(3), {2, 4}, "w", "(kH, kW) or (C_out, C_in, kH, kW)")
    v.check_ndim(jnp.ones((2, 2)), {2, 4}, "w")  # no error


def test_check_shape_with_wildcards_and_hint():
    v.check_shape(jnp.ones((5, 3, 2, 2)), (None, 3, None, None), "w", "(C_out, 3, kH, kW)")
    with pytest.raises(ValueError, match=r"`w` must have shape \(C_out, 3, kH, kW\); got \(2, 2, 3, 5\)\. this looks like HWIO"):
        v.check_shape(jnp.ones((2, 2, 3, 5)), (None, 3, None, None), "w", "(C_out, 3, kH, kW)", hint="this looks like HWIO")


def test_check_choice_lists_the_options():
    assert v.check_choice("same", ("valid", "same"), "padding") == "same"
    with pytest.raises(ValueError, match=r"`padding` must be one of 'valid', 'same'; got 'sam'\."):
        v.check_choice("sam", ("valid", "same"), "padding")
    with pytest.raises(ValueError, match=r"got 3"):
        v.check_choice(3, ("valid",), "padding")


@pytest.mark.parametrize("value", [0, -1])
def test_positive_int_rejects_small_values(value):
    with pytest.raises(ValueError, match=rf"`stride` must be >= 1; got {value}\."):
        v.check_positive_int(value, "stride")


@pytest.mark.parametrize("value", [1.5, "2", True, None])
def test_int_rejects_non_integers(value):
    with pytest.raises(TypeError, match=r"`stride` must be an integer"):
        v.check_int(value, "stride")


def test_int_accepts_numpy_integers():
    assert v.check_int(np.int64(3), "k") == 3
    assert v.check_int(np.array(4), "k") == 4


def test_check_real_ranges():
    assert v.check_real(0.5, "alpha", minimum=0, maximum=1, min_inclusive=False) == 0.5
    with pytest.raises(ValueError, match=r"`alpha` must be > 0"):
        v.check_real(0.0, "alpha", minimum=0, min_inclusive=False)
    with pytest.raises(ValueError, match=r"`alpha` must be <= 1"):
        v.check_real(1.5, "alpha", maximum=1)
    with pytest.raises(ValueError, match=r"`alpha` must be finite"):
        v.check_real(float("nan"), "alpha")
    with pytest.raises(TypeError, match=r"`alpha` must be a real number"):
        v.check_real("0.5", "alpha")


def test_ntuple_normalises_ints_and_pairs():
    assert v.ntuple(2, 2, "stride") == (2, 2)
    assert v.ntuple((1, 3), 2, "stride") == (1, 3)
    with pytest.raises(ValueError, match=r"`stride` must be an int or a sequence of 2 ints; got \(1, 2, 3\)"):
        v.ntuple((1, 2, 3), 2, "stride")
    with pytest.raises(ValueError, match=r"`stride` must be >= 1; got 0"):
        v.ntuple((1, 0), 2, "stride")


def test_check_key_accepts_keys_and_refuses_ints():
    assert v.check_key(jax.random.key(0)) is not None
    assert v.check_key(jax.random.PRNGKey(0)) is not None
    with pytest.raises(TypeError, match=r"`key` must be a JAX PRNG key such as `jax.random.key\(0\)`; got 0"):
        v.check_key(0)
