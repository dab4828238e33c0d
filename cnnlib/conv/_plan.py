"""Checking a convolution's arguments and turning them into a static plan (plain Python).

Every call of :func:`cnnlib.conv2d` checks its options here, in full, before
anything is looked up in a cache: ``stride=(1.0, 1)`` or ``padding=(True, 1)``
is refused even right after a call with ``(1, 1)`` (equal hashes). Only the
work that depends on shapes and *normalised* options (output size, padding
amounts, the method ``'auto'`` picks) is cached, in :func:`_plan`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import as_float_array, check_bool, check_choice, check_size, describe, ntuple
from ._auto import pick_method

PADDINGS = ("valid", "same", "full")
BOUNDARIES = ("zeros", "circular", "reflect", "replicate")
METHODS = ("auto", "lax", "direct", "im2col", "fft", "dense")

def _check_entries(entries: int, name: str, what: str) -> None:
    """``check_size``, also for counts too large for its float arithmetic (``padding=10**400``)."""
    if entries > 2**62:
        raise ValueError(f"`{name}` is too large: {what} would have about 1e{len(str(entries)) - 1} entries.")
    check_size(entries, name, what)


# "dense" builds a (C_out H' W') x (C_in H W) matrix: refuse beyond these sizes.
DENSE_MAX_INPUT = 4096  # C_in * H * W per image
DENSE_MAX_ENTRIES = 2**25  # 128 MiB of float32


def _padding_spec(padding: Any, nd: int, name: str = "padding") -> str | tuple:
    """Check ``padding``; return one of PADDINGS or one ``(lo, hi)`` pair of ints per axis."""
    if isinstance(padding, str):
        return check_choice(padding, PADDINGS, name)
    expected = (
        "'valid', 'same', 'full', an int or a pair (lo, hi)"
        if nd == 1
        else "'valid', 'same', 'full', an int, a pair (ph, pw) or ((top, bottom), (left, right))"
    )

    def as_int(v: Any) -> int:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"`{name}` must be {expected}; got {describe(padding)}.")
        if v < 0:
            raise ValueError(f"`{name}` must be non-negative; got {describe(padding)}.")
        return int(v)

    if isinstance(padding, (int, np.integer)) and not isinstance(padding, (bool, np.bool_)):
        p = as_int(padding)
        return ((p, p),) * nd
    if not isinstance(padding, (tuple, list)):
        raise TypeError(f"`{name}` must be {expected}; got {describe(padding)}.")
    if nd == 1 and len(padding) == 2:
        return ((as_int(padding[0]), as_int(padding[1])),)
    if nd == 2 and len(padding) == 2:
        if all(isinstance(p, (tuple, list)) for p in padding):
            if all(len(p) == 2 for p in padding):
                return tuple((as_int(p[0]), as_int(p[1])) for p in padding)
        elif not any(isinstance(p, (tuple, list)) for p in padding):
            return tuple((as_int(p), as_int(p)) for p in padding)
    raise ValueError(f"`{name}` must be {expected}; got {describe(padding)}.")


def _pads_for(padding: Any, n: tuple, k_eff: tuple, stride: tuple, name: str = "padding") -> tuple:
    """Turn any accepted ``padding`` into one ``((lo, hi), ...)`` pair per spatial axis."""
    return _pads_from_spec(_padding_spec(padding, len(n), name), n, k_eff, stride)


def _pads_from_spec(spec: str | tuple, n: tuple, k_eff: tuple, stride: tuple) -> tuple:
    """The pairs of a checked spec (:func:`_padding_spec`): 'same' and 'full' depend on the kernel."""
    if not isinstance(spec, str):
        return spec
    if spec == "valid":
        return ((0, 0),) * len(n)
    if spec == "full":
        return tuple((k - 1, k - 1) for k in k_eff)
    pads = []  # "same" as in lax: output ceil(n / s), extra padding bottom/right
    for ni, ki, si in zip(n, k_eff, stride):
        total = max((-(-ni // si) - 1) * si + ki - ni, 0)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def conv_output_size(n: int, k: int, *, stride: int = 1, padding: Any = 0, dilation: int = 1) -> int:
    r"""Length of a convolution's output along one axis.

    .. math::

        n' = \left\lfloor \frac{n + p_{lo} + p_{hi} - d(k-1) - 1}{s} \right\rfloor + 1

    Parameters
    ----------
    n, k : int
        Input length and kernel length (both >= 1).
    stride, dilation : int, optional
        Step ``s`` between outputs and gap ``d`` between kernel taps (>= 1).
    padding : {'valid', 'same', 'full'} or int or (lo, hi), optional
        As in :func:`conv1d`. Default 0 (``'valid'``).

    Returns
    -------
    int
        The output length ``n'``; exactly the size :func:`conv2d` returns.

    Raises
    ------
    ValueError
        If the effective kernel ``d(k-1)+1`` is longer than the padded input.

    Examples
    --------
    >>> conv_output_size(5, 3), conv_output_size(5, 3, padding="same")
    (3, 5)
    >>> conv_output_size(7, 3, stride=2, padding=1)
    4
    """
    n = ntuple(n, 1, "n")[0]
    k = ntuple(k, 1, "k")[0]
    s = ntuple(stride, 1, "stride")[0]
    d = ntuple(dilation, 1, "dilation")[0]
    k_eff = d * (k - 1) + 1
    ((lo, hi),) = _pads_for(padding, (n,), (k_eff,), (s,))
    if n + lo + hi < k_eff:
        raise ValueError(
            f"the kernel (effective length {k_eff}, `k` {k}, `dilation` {d}) is larger than the padded input "
            f"(length {n + lo + hi})."
        )
    return (n + lo + hi - k_eff) // s + 1


_LAYOUTS = {
    2: ("(H, W) or (N, C_in, H, W)", "(kH, kW)", "(C_out, C_in, kH, kW)"),
    1: ("(L,) or (N, C_in, L)", "(k,)", "(C_out, C_in, k)"),
}


def _check_layout(xs: tuple, ws: tuple, nd: int) -> None:
    xlay, w_single, w_multi = _LAYOUTS[nd]
    if len(xs) not in (nd, nd + 2):
        hint = ""
        if len(xs) == nd + 1:
            one = "(C_in, H, W)" if nd == 2 else "(C_in, L)"
            hint = f" For one multi-channel input {one} pass `x[None]` and a {w_multi} kernel."
        raise ValueError(f"`x` must have shape {xlay}; got {xs} ({len(xs)}-D).{hint}")
    if 0 in xs[-nd - (len(xs) > nd):]:  # C_in and the spatial axes; an empty batch N = 0 is fine
        raise ValueError(f"`x` must not have an empty channel or spatial axis; got shape {xs}.")
    if len(xs) == nd:
        if len(ws) != nd:
            hint = f" For a {w_multi} kernel pass `x[None, None]`." if len(ws) == nd + 2 else ""
            raise ValueError(f"`w` must have shape {w_single} for a {xlay.split(' or ')[0]} input; got {ws}.{hint}")
    else:
        c_in = xs[1]
        if len(ws) != nd + 2 or ws[1] != c_in:
            hint = ""
            if len(ws) == 4 and nd == 2 and ws[2] == c_in:
                hint = " This looks like HWIO (kH, kW, C_in, C_out); cnnlib uses OIHW: `w.transpose(3, 2, 0, 1)`."
            elif len(ws) == nd + 2 and ws[-1] == c_in:
                order, lay = ("(0, 3, 1, 2)", "(C_out, kH, kW, C_in)") if nd == 2 else ("(0, 2, 1)", "(C_out, k, C_in)")
                hint = f" Its last axis equals C_in: this looks channels-last {lay}; cnnlib uses OIHW: `w.transpose{order}`."
            elif len(ws) == nd:
                hint = " For a single-channel kernel pass `w[None, None]`."
            raise ValueError(f"`w` must have shape {w_multi} with C_in = {c_in}; got {ws}.{hint}")
    if min(ws) < 1:
        raise ValueError(f"`w` must have a non-empty kernel; got shape {ws}.")


@lru_cache(maxsize=512)
def _plan(xs: tuple, ws: tuple, nd: int, s: tuple, padding: str | tuple, d: tuple, method: str):
    """Everything that depends only on shapes and *checked* options: ``(stride, pads, method)``.

    ``s`` and ``d`` are tuples of ints, ``padding`` a checked spec (:func:`_padding_spec`),
    ``method`` one of METHODS: the key holds nothing that merely hashes like a valid value.
    """
    _check_layout(xs, ws, nd)
    n, k = xs[-nd:], ws[-nd:]
    k_eff = tuple(di * (ki - 1) + 1 for di, ki in zip(d, k))
    pads = _pads_from_spec(padding, n, k_eff, s)
    padded = tuple(ni + lo + hi for ni, (lo, hi) in zip(n, pads))
    n_img = xs[0] if len(xs) == nd + 2 else 1
    c_in = xs[1] if len(xs) == nd + 2 else 1
    c_out = ws[0] if len(ws) == nd + 2 else 1
    if padded != n:  # refuse a padding that would need gigabytes, before allocating
        _check_entries(n_img * max(c_in, c_out) * int(np.prod(padded, dtype=object)), "padding", "the padded input")
    if any(p < ke for p, ke in zip(padded, k_eff)):
        hint = ""
        if nd == 2 and len(ws) == 4 and ws[2] == xs[1] and ws[3] != ws[2]:
            hint = " If `w` is HWIO (kH, kW, C_in, C_out): cnnlib uses OIHW, `w.transpose(3, 2, 0, 1)`."
        raise ValueError(
            f"`w` is larger than the padded input: effective kernel size {k_eff} "
            f"(`dilation` {d}) but padded input size {padded}.{hint}"
        )
    out = tuple((p - ke) // si + 1 for p, ke, si in zip(padded, k_eff, s))
    # any stride >= the padded size gives one output: use the smallest such, which XLA can hold
    s = tuple(min(si, p) for si, p in zip(s, padded))
    if nd == 1:  # a 1-D conv is a 2-D conv with height 1
        s, d, pads = (1,) + s, (1,) + d, ((0, 0),) + pads
    if method == "auto":
        k2 = (ws[-2] if nd == 2 else 1, ws[-1])
        method = pick_method(n_img, c_in, c_out, k2, (1,) * (2 - nd) + out, (1,) * (2 - nd) + padded, s)
    if method == "dense":
        entries = c_in * int(np.prod(n)) * c_out * int(np.prod(out))
        if c_in * int(np.prod(n)) > DENSE_MAX_INPUT or entries > DENSE_MAX_ENTRIES:
            raise ValueError(
                f"`method='dense'` builds a {c_out * int(np.prod(out))} x {c_in * int(np.prod(n))} matrix; "
                f"it is for small inputs only (C_in*H*W <= {DENSE_MAX_INPUT}, at most 2**25 entries). "
                f"Use another method."
            )
    return s, pads, d, method


def check_options(nd: int, stride, padding, dilation, boundary, flip, method) -> tuple:
    """Check every option, on every call (cheap: a few microseconds); return them normalised."""
    if (type(stride) is int and type(dilation) is int and stride >= 1 and dilation >= 1 and type(flip) is bool
            and type(padding) is str and type(boundary) is str and type(method) is str
            and padding in PADDINGS and boundary in BOUNDARIES and method in METHODS):
        return (stride,) * nd, padding, (dilation,) * nd, boundary, flip, method  # the common call, checked fast
    s = ntuple(stride, nd, "stride")
    d = ntuple(dilation, nd, "dilation")
    spec = _padding_spec(padding, nd)
    check_choice(boundary, BOUNDARIES, "boundary")
    check_choice(method, METHODS, "method")
    flip = check_bool(flip, "flip")
    return s, spec, d, boundary, flip, method


def full_plan(xs: tuple, ws: tuple, nd: int, stride, padding, dilation, boundary, flip, method) -> tuple:
    """Check the options, then the shapes (cached): ``(stride, pads, dilation, flip, method)``."""
    s, spec, d, boundary, flip, method = check_options(nd, stride, padding, dilation, boundary, flip, method)
    s, pads, d, method = _plan(xs, ws, nd, s, spec, d, method)
    if boundary == "reflect" and any(max(lo, hi) >= ni for ni, (lo, hi) in zip(xs[-nd:], pads[-nd:])):
        raise ValueError(
            f"`boundary='reflect'` needs each padding smaller than the input size; got padding {pads[-nd:]} "
            f"for input size {xs[-nd:]}. Use less padding or boundary='circular'/'replicate'."
        )
    return s, pads, d, flip, method


_READY = {np.dtype("float32"), np.dtype("float64")}


def _as_float(x: Any, name: str) -> Any:
    """``as_float_array`` with a fast path: float JAX arrays and float32 NumPy arrays pass as they are."""
    if isinstance(x, jax.Array) and x.dtype in _READY:
        return x
    if isinstance(x, np.ndarray) and x.dtype == np.float32:
        return x  # jit converts it on entry, cheaper than jnp.asarray here
    return as_float_array(x, name)


def _normalise(x: Any, w: Any, nd: int, stride, padding, dilation, boundary, flip, method):
    """Arrays as floats of one dtype, and the plan: ``x, w, (stride, pads, dilation, flip, method)``."""
    x = _as_float(x, "x")
    w = _as_float(w, "w")
    if w.dtype != x.dtype:
        dtype = jnp.promote_types(x.dtype, w.dtype)
        x, w = x.astype(dtype), w.astype(dtype)
    return x, w, full_plan(tuple(x.shape), tuple(w.shape), nd, stride, padding, dilation, boundary, flip, method)
