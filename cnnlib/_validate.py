"""Argument checking shared by every public function: one voice for errors.

Every public function in cnnlib validates and normalises its arguments here,
in plain Python, before any JAX code runs. The messages name the argument,
say what was expected and show what arrived, e.g.::

    `w` must have shape (C_out, C_in, kH, kW); got (3, 3).

Never ``assert`` on user input: assertions vanish under ``python -O`` and say
nothing useful to a student.
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "MAX_ELEMENTS",
    "check_bool",
    "check_finite",
    "check_size",
    "check_image_shape",
    "as_float_array",
    "check_ndim",
    "check_shape",
    "check_choice",
    "check_positive_int",
    "check_int",
    "check_real",
    "check_key",
    "ntuple",
    "describe",
]


# The most array entries one public call may ask for (1 GiB of float32). A size beyond
# this is refused up front, with what it would need, instead of starting to allocate.
MAX_ELEMENTS = 2**28


def describe(value: Any) -> str:
    """A short description of ``value`` for error messages."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"array of shape {tuple(value.shape)} and dtype {value.dtype}"
    if isinstance(value, str):
        return repr(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_float_array(x: Any, name: str) -> jax.Array:
    """Convert ``x`` to a float array, refusing what cannot be an image.

    Integer and unsigned arrays become float32 (values are kept, not rescaled),
    also inside a caller's ``jax.jit``; float16 and bfloat16 become float32;
    float64 (and long double) is kept as float64 when JAX runs in x64 mode,
    otherwise float32. Booleans, complex numbers, strings and objects raise
    ``TypeError``.
    """
    if isinstance(x, jax.core.Tracer):
        # Inside someone else's jit or grad: keep a float dtype, integers become float32 as outside.
        if jnp.issubdtype(x.dtype, jnp.floating):
            return x
        if jnp.issubdtype(x.dtype, jnp.integer) and x.dtype != jnp.bool_:
            return x.astype(jnp.float32)
        raise TypeError(f"`{name}` must be a real numeric array; got dtype {x.dtype}.")
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"`{name}` must be a numeric array; got {describe(x)}.")
    try:
        arr = np.asarray(x) if not isinstance(x, jax.Array) else x
    except Exception as err:  # ragged lists and the like
        raise TypeError(f"`{name}` must be a numeric array; could not convert {describe(x)}: {err}") from None
    dtype = np.dtype(arr.dtype)
    if dtype == np.bool_:
        raise TypeError(
            f"`{name}` must be a real numeric array; got dtype bool. "
            f"Convert it first, e.g. `{name}.astype('float32')`."
        )
    if np.issubdtype(dtype, np.complexfloating):
        raise TypeError(f"`{name}` must be real; got complex dtype {dtype}. Pass the real part or the magnitude.")
    is_float = jnp.issubdtype(dtype, jnp.floating)  # also bfloat16, which NumPy does not call floating
    if not (np.issubdtype(dtype, np.integer) or is_float):
        raise TypeError(f"`{name}` must be a real numeric array; got dtype {dtype}.")
    if dtype in (np.float32, np.float64):
        return jnp.asarray(arr)
    if is_float and dtype.itemsize > 8:  # long double: JAX has no such type
        return jnp.asarray(np.asarray(arr, dtype=np.float64))
    return jnp.asarray(arr, dtype=jnp.float32)


def as_unit_image(x: Any, name: str = "img") -> jax.Array:
    """:func:`as_float_array` for a picture shown on a 0-to-1 grey scale.

    An integer array with values above 1 is almost always 8-bit pixels
    (0-255), which would show as a white square: that gets a ``ValueError``
    saying how to scale it.
    """
    arr = as_float_array(x, name)  # refuses what is not a numeric array, with its own message
    integer = not isinstance(x, jax.core.Tracer) and np.issubdtype(np.asarray(x).dtype, np.integer)
    if integer and arr.size and float(jnp.max(arr)) > 1:
        raise ValueError(
            f"`{name}` looks like 8-bit pixel values (largest {float(jnp.max(arr)):g}); pictures here are "
            f"grey levels in [0, 1]. Pass `{name} / 255`, or load it with cl.load_image."
        )
    return arr


def check_ndim(x: Any, ndims: int | Iterable[int], name: str, layout: str | None = None) -> None:
    """Raise ``ValueError`` unless ``x.ndim`` is one of ``ndims``.

    ``layout`` is the expected layout in words, e.g. ``"(H, W) or (N, C, H, W)"``.
    """
    allowed = {ndims} if isinstance(ndims, int) else set(ndims)
    if x.ndim not in allowed:
        want = layout or " or ".join(f"{d}-D" for d in sorted(allowed))
        raise ValueError(f"`{name}` must have shape {want}; got {tuple(x.shape)} ({x.ndim}-D).")


def check_shape(x: Any, shape: Sequence[int | None], name: str, layout: str, hint: str = "") -> None:
    """Raise ``ValueError`` unless ``x.shape`` matches ``shape`` (``None`` matches any size)."""
    ok = x.ndim == len(shape) and all(s is None or s == t for s, t in zip(shape, x.shape))
    if not ok:
        extra = f" {hint}" if hint else ""
        raise ValueError(f"`{name}` must have shape {layout}; got {tuple(x.shape)}.{extra}")


def check_choice(value: Any, choices: Iterable[str], name: str) -> str:
    """Return ``value`` if it is one of the option strings ``choices``."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"`{name}` must be one of {listed}; got {describe(value)}.")
    return value


def check_int(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as a Python int, checking type and range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        if isinstance(value, (np.ndarray, jax.Array)) and value.ndim == 0 and np.issubdtype(value.dtype, np.integer):
            value = int(value)
        else:
            raise TypeError(f"`{name}` must be an integer; got {describe(value)}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}; got {value}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"`{name}` must be <= {maximum}; got {value}.")
    return value


def check_image_shape(shape: Any, name: str = "shape", *, minimum: int = 2) -> tuple[int, int]:
    """A 2-D image size ``(H, W)`` of whole numbers, each at least ``minimum``."""
    try:
        h, w = shape
        return (check_int(h, name, minimum=minimum), check_int(w, name, minimum=minimum))
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be (H, W) with H, W >= {minimum}; got {describe(shape)}.") from None


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an int >= 1."""
    return check_int(value, name, minimum=1)


def check_real(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    min_inclusive: bool = True,
    max_inclusive: bool = True,
) -> float:
    """Return ``value`` as a finite Python float within the given range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        if isinstance(value, (np.ndarray, jax.Array)) and value.ndim == 0 and not jnp.iscomplexobj(value):
            value = float(value)
        else:
            raise TypeError(f"`{name}` must be a real number; got {describe(value)}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"`{name}` must be finite; got {value}.")
    if minimum is not None and (value < minimum or (not min_inclusive and value == minimum)):
        op = ">=" if min_inclusive else ">"
        raise ValueError(f"`{name}` must be {op} {minimum}; got {value}.")
    if maximum is not None and (value > maximum or (not max_inclusive and value == maximum)):
        op = "<=" if max_inclusive else "<"
        raise ValueError(f"`{name}` must be {op} {maximum}; got {value}.")
    return value


def check_key(key: Any, name: str = "key") -> jax.Array:
    """Return ``key`` if it is a JAX PRNG key (new-style or raw uint32[2])."""
    if isinstance(key, jax.Array):
        if jnp.issubdtype(key.dtype, jax.dtypes.prng_key) and key.ndim == 0:
            return key
        if key.dtype == jnp.uint32 and key.shape == (2,):
            return key
    raise TypeError(f"`{name}` must be a JAX PRNG key such as `jax.random.key(0)`; got {describe(key)}.")


def ntuple(value: Any, n: int, name: str, *, minimum: int = 1) -> tuple[int, ...]:
    """Normalise an int or a length-``n`` sequence of ints to an ``n``-tuple.

    ``stride=2`` and ``stride=(2, 2)`` become the same ``(2, 2)``.
    """
    if isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_)):
        items = (value,) * n
    elif isinstance(value, Sequence) and not isinstance(value, str):
        items = tuple(value)
        if len(items) != n:
            raise ValueError(f"`{name}` must be an int or a sequence of {n} ints; got {describe(value)}.")
    else:
        raise TypeError(f"`{name}` must be an int or a sequence of {n} ints; got {describe(value)}.")
    return tuple(check_int(v, name, minimum=minimum) for v in items)


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` if it is ``True`` or ``False`` (also NumPy's); refuse ``'no'``, 0, None."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"`{name}` must be True or False; got {describe(value)}.")


def check_finite(x: Any, name: str) -> Any:
    """Return ``x`` (an array) if every entry is finite; NaN or inf get a ``ValueError``.

    Inside a caller's ``jit`` (a tracer) nothing can be checked and ``x`` passes.
    """
    if isinstance(x, jax.core.Tracer):
        return x
    arr = np.asarray(x)
    if arr.size and np.issubdtype(arr.dtype, np.inexact) and not np.isfinite(arr).all():
        bad = "NaN" if np.isnan(arr).any() else "inf"
        raise ValueError(f"`{name}` must be finite; it contains {bad}.")
    return x


def _gib(nbytes: int) -> str:
    """``nbytes`` in GiB, in integer arithmetic (a Python int can exceed any float)."""
    whole, rest = divmod(nbytes, 2**30)
    return f"{whole}.{10 * rest // 2**30} GiB" if whole < 10**6 else f"about 10^{len(str(whole)) - 1} GiB"


def check_size(entries: Any, name: str, what: str = "the result", *, limit: int = MAX_ELEMENTS) -> int:
    """Refuse a call whose arrays would hold more than ``limit`` entries, before allocating.

    ``entries`` is the number of entries the call would create (a Python int, so
    it cannot overflow); ``name`` is the argument that set it.
    """
    entries = int(entries)
    if entries > limit:
        count = f"{entries:,}" if entries < 10**18 else f"about 10^{len(str(entries)) - 1}"
        raise ValueError(
            f"`{name}` is too large: {what} would have {count} entries "
            f"({_gib(4 * entries)} of float32; the limit is {_gib(4 * limit)})."
        )
    return entries
