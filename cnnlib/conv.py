"""Convolution, the one operation every later notebook builds on.

One general routine computes a 2-D cross-correlation (what deep-learning
libraries call "convolution") by any of six methods; ``conv1d`` is the same
routine with height 1. Arguments are checked and normalised in plain Python,
then a jitted implementation runs with hashable static options.

Inside the jitted code every array is 4-D: ``x`` is ``(N, C_in, H, W)`` and
``w`` is ``(C_out, C_in, kH, kW)`` (OIHW).
"""
from __future__ import annotations

from functools import cache, lru_cache, partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import as_float_array, check_choice, describe, ntuple

__all__ = ["conv1d", "conv2d", "conv_matrix", "conv_output_size"]

PADDINGS = ("valid", "same", "full")
BOUNDARIES = ("zeros", "circular", "reflect", "replicate")
METHODS = ("auto", "lax", "direct", "im2col", "fft", "dense")
_NP_MODE = {"zeros": "constant", "circular": "wrap", "reflect": "reflect", "replicate": "edge"}

# "dense" builds a (C_out H' W') x (C_in H W) matrix: refuse beyond these sizes.
DENSE_MAX_INPUT = 4096  # C_in * H * W per image
DENSE_MAX_ENTRIES = 2**25  # 128 MiB of float32
CONV_MATRIX_MAX_ENTRIES = 2**26  # conv_matrix: 256 MiB of float32 (a 90 x 90 image with a 3 x 3 kernel)

# method="auto": constants measured on a shared 2-core CPU (jax 0.10.2, float32);
# the measurements are in the comments of _pick_method.
AUTO_FFT_MIN_TAPS = 121  # one input channel: fft once kH*kW >= 121 * sH*sW (k >= 11 at stride 1)
AUTO_FFT_COST = 15  # multi-channel cost model, in units of one lax multiply-add
AUTO_FFT_MAX_SPECTRUM = 16 * 2**20  # bytes of kernel spectra (complex64) beyond which fft slows down 3-4x


# --------------------------------------------------------------------------- #
# Option normalisation (plain Python, cached by shape and options)
# --------------------------------------------------------------------------- #
def _pads_for(padding: Any, n: tuple, k_eff: tuple, stride: tuple, name: str = "padding") -> tuple:
    """Turn any accepted ``padding`` into one ``((lo, hi), ...)`` pair per spatial axis."""
    nd = len(n)
    if isinstance(padding, str):
        check_choice(padding, PADDINGS, name)
        if padding == "valid":
            return ((0, 0),) * nd
        if padding == "full":
            return tuple((k - 1, k - 1) for k in k_eff)
        pads = []  # "same" as in lax: output ceil(n / s), extra padding bottom/right
        for ni, ki, si in zip(n, k_eff, stride):
            total = max((-(-ni // si) - 1) * si + ki - ni, 0)
            pads.append((total // 2, total - total // 2))
        return tuple(pads)
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
            f"the kernel (effective length {k_eff}) is larger than the padded input (length {n + lo + hi})."
        )
    return (n + lo + hi - k_eff) // s + 1


_LAYOUTS = {
    2: ("x", "(H, W) or (N, C_in, H, W)", "(kH, kW)", "(C_out, C_in, kH, kW)"),
    1: ("x", "(L,) or (N, C_in, L)", "(k,)", "(C_out, C_in, k)"),
}


def _check_layout(xs: tuple, ws: tuple, nd: int) -> None:
    _, xlay, w_single, w_multi = _LAYOUTS[nd]
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
def _plan(xs: tuple, ws: tuple, nd: int, stride: Any, padding: Any, dilation: Any, boundary: str, flip: Any, method: str,
          types: tuple = ()):
    """Check everything that depends only on shapes and options; return the static plan."""
    _check_layout(xs, ws, nd)
    s = ntuple(stride, nd, "stride")
    d = ntuple(dilation, nd, "dilation")
    check_choice(boundary, BOUNDARIES, "boundary")
    check_choice(method, METHODS, "method")
    if not isinstance(flip, (bool, np.bool_)):
        raise TypeError(f"`flip` must be True or False; got {describe(flip)}.")
    n, k = xs[-nd:], ws[-nd:]
    k_eff = tuple(di * (ki - 1) + 1 for di, ki in zip(d, k))
    pads = _pads_for(padding, n, k_eff, s)
    padded = tuple(ni + lo + hi for ni, (lo, hi) in zip(n, pads))
    if any(p < ke for p, ke in zip(padded, k_eff)):
        hint = ""
        if nd == 2 and len(ws) == 4 and ws[2] == xs[1] and ws[3] != ws[2]:
            hint = " If `w` is HWIO (kH, kW, C_in, C_out): cnnlib uses OIHW, `w.transpose(3, 2, 0, 1)`."
        raise ValueError(
            f"`w` is larger than the padded input: effective kernel size {k_eff} "
            f"(dilation {d}) but padded input size {padded}.{hint}"
        )
    if boundary == "reflect" and any(max(lo, hi) >= ni for ni, (lo, hi) in zip(n, pads)):
        raise ValueError(
            f"`boundary='reflect'` needs each padding smaller than the input size; got padding {pads} "
            f"for input size {n}. Use less padding or boundary='circular'/'replicate'."
        )
    if nd == 1:  # a 1-D conv is a 2-D conv with height 1
        s, d, pads = (1,) + s, (1,) + d, ((0, 0),) + pads
    c_in = xs[1] if len(xs) == nd + 2 else 1
    c_out = ws[0] if len(ws) == nd + 2 else 1
    out = tuple((p - ke) // si + 1 for p, ke, si in zip(padded, k_eff, s[-nd:]))
    if method == "auto":
        n_img = xs[0] if len(xs) == nd + 2 else 1
        k2 = (ws[-2] if nd == 2 else 1, ws[-1])
        method = _pick_method(n_img, c_in, c_out, k2, (1,) * (2 - nd) + out, (1,) * (2 - nd) + padded, s)
    if method == "dense":
        entries = c_in * int(np.prod(n)) * c_out * int(np.prod(out))
        if c_in * int(np.prod(n)) > DENSE_MAX_INPUT or entries > DENSE_MAX_ENTRIES:
            raise ValueError(
                f"`method='dense'` builds a {c_out * int(np.prod(out))} x {c_in * int(np.prod(n))} matrix; "
                f"it is for small inputs only (C_in*H*W <= {DENSE_MAX_INPUT}, at most 2**25 entries). "
                f"Use another method."
            )
    return s, pads, d, bool(flip), method


def _pick_method(n: int, c_in: int, c_out: int, k: tuple, out: tuple, padded: tuple, stride: tuple) -> str:
    """The measured rule behind ``method='auto'``.

    One input channel (C_in == 1, any C_out): 'direct' is a single fused pass
    over the image and beats lax by far (1x1x256x256, k = 3/5/7/9: 0.10/0.12/
    0.16/0.29-0.40 ms against lax 2.2/2.5/2.6/6-8 ms, 15-22x). Its cost grows
    like kH*kW while the FFT's does not: at 256x256 fft takes 0.3-0.7 ms for
    every k. direct/fft with padding 'valid' was 0.5-0.7 at k = 9, 0.9-1.4 at
    k = 10, 0.8-1.3 at k = 11, 1.4-2.5 at k = 12 (the same at 128x128 and
    512x512; below 64x64 both are ~0.07 ms of call overhead); with 'same'
    (FFT length 270, not 256) 0.5-0.7 at k = 9, 0.76 at k = 10, 0.74-0.86 at
    k = 11, 1.0-1.1 at k = 12, 1.0-1.5 at k = 13. So fft from kH*kW >= 121
    (times sH*sW: only 'direct' profits from a stride), and
    always from 256 taps, where direct stops fusing into one loop (k = 15:
    0.8 ms, k = 17: 28 ms, fft 0.3 ms).

    Several input channels: lax against fft by a cost model in units of one
    lax multiply-add. lax does N C_out H' W' C_in kH kW of them and is slower
    per multiply-add with few channels, most with few outputs (per
    multiply-add, relative to 64->64: 4->4 10-24x, 3->16 2-4x, 16->16 2x),
    hence the factor 1 + 64/(C_in C_out) + 16/C_out. fft transforms
    N C_in + N C_out + C_in C_out arrays of P = Hf*Wf points (~15 P log2 P
    each) and mixes channels with N C_in C_out P complex products (~15 each);
    it is never used once the kernel spectra (8 C_in C_out P bytes) pass
    16 MiB, where it measured 3-4x slower than the model (64->64 at 32x32).
    Measured lax/fft (time per call):
    8x16->16x32x32 'same' k = 5/7/9: 0.85/1.3-1.6/2.1-2.7; 8x4->4x64x64
    k = 3/5/9: 1.4-1.7/4.4-4.9/5.5; 1x16->16x64x64 k = 9/11/15: 0.65/0.8-1.1/
    1.2-1.4; 4x64->64x32x32 k = 9/13/17: 0.36/0.7-0.8/1.2; 32x32->32x16x16
    k = 5/7: 0.85-1.1/1.0-2.6; 8x3->16x128x128 'valid' k = 3/5/7: 0.55/
    0.8-0.9/1.0-1.3. The rule picks the faster in these but two: 8x4->4 at
    k = 3 (lax; fft 1.4-1.7x faster) and 4x64->64 at k = 17 (lax; fft 1.2x
    faster). Not used: 'im2col'
    beat lax at k = 3 for 8x4->4x64x64 (2.3x), 8x3->16x128x128 (1.5x) and
    4x64->64x32x32 (1.7x) but lost by 1.4-2x for 8x16->16, 32x16->32 and
    1x32->32 at k = 3, and by 3-10x from k = 5 on.
    """
    ho, wo = out
    if c_in == 1:
        taps = k[0] * k[1]
        return "fft" if taps >= min(AUTO_FFT_MIN_TAPS * stride[0] * stride[1], 256) else "direct"
    lax_cost = n * c_out * ho * wo * c_in * k[0] * k[1] * (1 + 64 / (c_in * c_out) + 16 / c_out)
    p = _fft_len(padded[0]) * _fft_len(padded[1])
    if 8 * c_in * c_out * p > AUTO_FFT_MAX_SPECTRUM:  # the kernels' spectra spill out of the cache
        return "lax"
    fft_cost = AUTO_FFT_COST * p * ((n * c_in + n * c_out + c_in * c_out) * np.log2(max(p, 2)) + n * c_in * c_out)
    return "fft" if fft_cost < lax_cost else "lax"


_READY = {np.dtype("float32"), np.dtype("float64")}


def _as_float(x: Any, name: str) -> Any:
    """``as_float_array`` with a fast path: float JAX arrays and float32 NumPy arrays pass as they are."""
    if isinstance(x, jax.Array) and x.dtype in _READY:
        return x
    if isinstance(x, np.ndarray) and x.dtype == np.float32:
        return x  # jit converts it on entry, cheaper than jnp.asarray here
    return as_float_array(x, name)


def _normalise(x: Any, w: Any, nd: int, stride, padding, dilation, boundary, flip, method):
    x = _as_float(x, "x")
    w = _as_float(w, "w")
    if w.dtype != x.dtype:
        dtype = jnp.promote_types(x.dtype, w.dtype)
        x, w = x.astype(dtype), w.astype(dtype)
    return x, w, _cached_plan(tuple(x.shape), tuple(w.shape), nd, stride, padding, dilation, boundary, flip, method)


def _cached_plan(xs, ws, nd, stride, padding, dilation, boundary, flip, method):
    """``_plan`` through its cache: lists become tuples, and the types join the key (True is not 1)."""
    if isinstance(padding, (list, tuple)):
        padding = tuple(tuple(p) if isinstance(p, list) else p for p in padding)
    types = (type(stride), type(padding), type(dilation), type(flip), type(boundary), type(method))
    key = (xs, ws, nd, stride, padding, dilation, boundary, flip, method, types)
    try:
        return _plan(*key)
    except TypeError as err:
        if "unhashable" not in str(err):
            raise
        return _plan.__wrapped__(*key)  # e.g. a dict as padding: let _plan say what is wrong


# --------------------------------------------------------------------------- #
# The jitted implementation: everything 4-D, padding explicit
# --------------------------------------------------------------------------- #
def _to4d(x: jax.Array, w: jax.Array) -> tuple[jax.Array, jax.Array]:
    nx = x.ndim
    if nx in (1, 2):  # (L,) or (H, W) -> (1, 1, H, W)
        x = x.reshape((1, 1) + ((1,) if nx == 1 else ()) + x.shape)
        w = w.reshape((1, 1) + ((1,) if nx == 1 else ()) + w.shape)
    elif nx == 3:  # (N, C, L) -> (N, C, 1, L)
        x, w = x[:, :, None, :], w[:, :, None, :]
    return x, w


def _from4d(y: jax.Array, nx: int) -> jax.Array:
    return {1: lambda: y[0, 0, 0], 2: lambda: y[0, 0], 3: lambda: y[:, :, 0], 4: lambda: y}[nx]()


def _taps(xp: jax.Array, kh: int, kw: int, out: tuple, stride: tuple, dilation: tuple):
    """Yield ``(a, b, slice)`` with ``slice[..., i, j] = xp[..., i*s + a*d, j*s + b*d]``."""
    n, c = xp.shape[:2]
    for a in range(kh):
        for b in range(kw):
            start = (0, 0, a * dilation[0], b * dilation[1])
            limit = (n, c, start[2] + (out[0] - 1) * stride[0] + 1, start[3] + (out[1] - 1) * stride[1] + 1)
            yield a, b, jax.lax.slice(xp, start, limit, (1, 1) + stride)


def _direct(xp, w, out, stride, dilation):
    """Sum over kernel offsets (a, b) of w[:, :, a, b] times the input shifted by (a d, b d)."""
    c_out, c_in, kh, kw = w.shape
    if c_in == 1:  # unrolled: XLA fuses all kH*kW multiply-adds into one pass over the image
        taps = w.reshape(1, c_out, kh * kw, 1, 1)  # (1, C_out, kH*kW, 1, 1)
        y = None
        for a, b, patch in _taps(xp, kh, kw, out, stride, dilation):  # patch: (N, 1, H', W')
            term = patch * jax.lax.index_in_dim(taps, a * kw + b, axis=2, keepdims=False)  # (N, C_out, H', W')
            y = term if y is None else y + term
        return y
    # many channels: a loop over the offsets keeps the compiled program small
    span = ((out[0] - 1) * stride[0] + 1, (out[1] - 1) * stride[1] + 1)

    def tap(y, ab):
        a, b = ab // kw, ab % kw
        patch = jax.lax.dynamic_slice(xp, (0, 0, a * dilation[0], b * dilation[1]), xp.shape[:2] + span)
        patch = patch[:, :, :: stride[0], :: stride[1]]  # (N, C_in, H', W')
        wab = jax.lax.dynamic_index_in_dim(w.reshape(c_out, c_in, kh * kw), ab, axis=2, keepdims=False)  # (C_out, C_in)
        return y + jnp.einsum("nchw,oc->nohw", patch, wab, precision="highest"), None

    y0 = jnp.zeros((xp.shape[0], c_out) + out, xp.dtype)
    return jax.lax.scan(tap, y0, jnp.arange(kh * kw))[0]


def _im2col(xp, w, out, stride, dilation):
    c_out, c_in, kh, kw = w.shape
    # patch (a, b) of output pixel (i, j) reads xp[..., i*s + a*d, j*s + b*d]; iota, not big constants
    rows = jnp.arange(kh)[:, None, None, None] * dilation[0] + jnp.arange(out[0])[:, None] * stride[0]  # (kH, 1, H', 1)
    cols = jnp.arange(kw)[:, None, None] * dilation[1] + jnp.arange(out[1]) * stride[1]  # (kW, 1, W')
    patches = xp[:, :, rows, cols]  # (N, C_in, kH, kW, H', W'): one gather
    patches = patches.reshape(xp.shape[0], c_in * kh * kw, out[0] * out[1])  # (N, C_in kH kW, H' W')
    y = jnp.einsum("ok,nkp->nop", w.reshape(c_out, -1), patches, precision="highest")  # (N, C_out, H' W')
    return y.reshape(y.shape[:2] + out)  # (N, C_out, H', W')


@lru_cache(maxsize=256)
def _fft_len(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n: FFTs of such lengths are fast."""
    best = 1 << max(n - 1, 0).bit_length()
    p3 = 1
    while p3 < best:
        p35 = p3
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 5
        p3 *= 3
    return best


def _fft(xp, w, out, stride, dilation):
    c_out, c_in, kh, kw = w.shape
    hp, wp = _fft_len(xp.shape[2]), _fft_len(xp.shape[3])  # zero-padding at the end changes no valid output
    wd = jnp.zeros((c_out, c_in, dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1), w.dtype)
    wd = wd.at[:, :, :: dilation[0], :: dilation[1]].set(w)  # zero-inserted kernel
    fx = jnp.fft.rfft2(xp, s=(hp, wp))  # (N, C_in, Hp, Wp//2+1), Hp, Wp rounded up to fast lengths
    # the kernel's FFT row by row first: only its d(kH-1)+1 nonzero rows need transforming
    fw = jnp.conj(jnp.fft.fft(jnp.fft.rfft(wd, n=wp, axis=-1), n=hp, axis=-2))  # (C_out, C_in, Hp, Wp//2+1)
    if c_in == 1:
        fy = fx * fw[None, :, 0]
    else:
        fy = jnp.einsum("ncij,ocij->noij", fx, fw, precision="highest")  # (N, C_out, Hp, Wp//2+1)
    y = jnp.fft.irfft2(fy, s=(hp, wp))  # circular correlation; the valid part does not wrap
    return y[:, :, : (out[0] - 1) * stride[0] + 1 : stride[0], : (out[1] - 1) * stride[1] + 1 : stride[1]]


@lru_cache(maxsize=64)
def _matrix_indices(c_out: int, c_in: int, n: tuple, k: tuple, stride: tuple, pads: tuple, dilation: tuple, boundary: str):
    """Row, column and kernel-entry indices of the nonzeros of the convolution matrix (NumPy)."""
    h, wd = n
    idx = np.arange(h * wd).reshape(h, wd)
    if boundary == "zeros":
        idx = np.pad(idx, pads, mode="constant", constant_values=-1)  # -1: a padded zero
    else:
        idx = np.pad(idx, pads, mode=_NP_MODE[boundary])
    ho = (idx.shape[0] - dilation[0] * (k[0] - 1) - 1) // stride[0] + 1
    wo = (idx.shape[1] - dilation[1] * (k[1] - 1) - 1) // stride[1] + 1
    o, c, i, j, a, b = np.meshgrid(*(np.arange(m) for m in (c_out, c_in, ho, wo, k[0], k[1])), indexing="ij")
    src = idx[i * stride[0] + a * dilation[0], j * stride[1] + b * dilation[1]]
    keep = src >= 0
    rows = ((o * ho + i) * wo + j)[keep]
    cols = (c * h * wd + src)[keep]
    widx = (((o * c_in + c) * k[0] + a) * k[1] + b)[keep]
    return rows, cols, widx, (c_out * ho * wo, c_in * h * wd)


def _dense_matrix(w, n, stride, pads, dilation, boundary):
    rows, cols, widx, shape = _matrix_indices(w.shape[0], w.shape[1], n, w.shape[2:], stride, pads, dilation, boundary)
    return jnp.zeros(shape, w.dtype).at[rows, cols].add(w.reshape(-1)[widx])


def _conv_impl(x, w, *, stride, pads, dilation, boundary, flip, method):
    nx = x.ndim
    x, w = _to4d(x, w)  # (N, C_in, H, W), (C_out, C_in, kH, kW)
    if flip:
        w = w[:, :, ::-1, ::-1]
    # output size per axis: floor((n + lo + hi - d(k-1) - 1) / s) + 1
    out = tuple((x.shape[2 + i] + sum(pads[i]) - dilation[i] * (w.shape[2 + i] - 1) - 1) // stride[i] + 1 for i in (0, 1))
    if method == "dense":
        m = _dense_matrix(w, x.shape[2:], stride, pads, dilation, boundary)  # (C_out H' W', C_in H W)
        y = jnp.einsum("pq,nq->np", m, x.reshape(x.shape[0], m.shape[1]), precision="highest")  # (N, C_out H' W')
        return _from4d(y.reshape((x.shape[0], w.shape[0]) + out), nx)
    if method == "lax" and boundary == "zeros":
        y = jax.lax.conv_general_dilated(
            x, w, stride, pads, rhs_dilation=dilation, dimension_numbers=("NCHW", "OIHW", "NCHW"), precision="highest"
        )
        return _from4d(y, nx)
    if any(p for pair in pads for p in pair):
        x = jnp.pad(x, ((0, 0), (0, 0)) + pads, mode=_NP_MODE[boundary])  # (N, C_in, Hp, Wp)
    if method == "lax":
        y = jax.lax.conv_general_dilated(
            x, w, stride, "VALID", rhs_dilation=dilation, dimension_numbers=("NCHW", "OIHW", "NCHW"), precision="highest"
        )
    else:
        y = {"direct": _direct, "im2col": _im2col, "fft": _fft}[method](x, w, out, stride, dilation)
    return _from4d(y, nx)


_STATIC = ("stride", "pads", "dilation", "boundary", "flip", "method")
_conv = jax.jit(_conv_impl, static_argnames=_STATIC)
# On a CPU, XLA wraps lax.conv_general_dilated in layout transposes (NCHW to the NHWC its
# convolution routine wants, and back). Its classic loop emitters compile those about three
# times faster than the default fusion emitters (about 35 ms against 100 ms for 16 channels
# of 32x32), and they run as fast; the shift-and-add of "direct" runs faster with the default
# ones, so only "lax" uses this. `make bench` measures both: first call and warm time.
# (JAX accepts compiler options only on a top-level jit, so a call made while tracing uses `_conv`.)
_CPU_LAX_OPTIONS = {"xla_cpu_use_fusion_emitters": False}
_conv_cpu_lax = jax.jit(_conv_impl, static_argnames=_STATIC, compiler_options=_CPU_LAX_OPTIONS)


@cache
def _default_is_cpu() -> bool:
    return jax.default_backend() == "cpu"


try:  # JAX has no public "is anything being traced right now?"; without this one, never use the options
    from jax._src.core import trace_state_clean as _no_trace_active
except ImportError:  # pragma: no cover - a JAX without it
    def _no_trace_active() -> bool:
        return False


def _run(x, w, nd, stride, padding, dilation, boundary, flip, method):
    x, w, (s, pads, d, flip, method) = _normalise(x, w, nd, stride, padding, dilation, boundary, flip, method)
    # Only a top-level call may carry compiler options: inside jit, scan, grad, vmap ... (even when x and w
    # are constants captured from outside, not tracers) the call becomes part of the enclosing computation.
    conv = _conv
    if method == "lax" and _default_is_cpu() and _no_trace_active():
        conv = _conv_cpu_lax
    return conv(x, w, stride=s, pads=pads, dilation=d, boundary=boundary, flip=flip, method=method)


# --------------------------------------------------------------------------- #
# Public functions
# --------------------------------------------------------------------------- #
def conv2d(
    x: Any,
    w: Any,
    *,
    stride: int | tuple[int, int] = 1,
    padding: str | int | tuple = "valid",
    dilation: int | tuple[int, int] = 1,
    boundary: str = "zeros",
    flip: bool = False,
    method: str = "auto",
) -> jax.Array:
    r"""Slide a kernel over an image: the 2-D cross-correlation of deep-learning libraries.

    .. math::

        s_{ij} = \sum_{a=0}^{k_H-1} \sum_{b=0}^{k_W-1} x_{i s + a d,\; j s + b d}\, w_{a,b}

    with stride :math:`s`, dilation :math:`d` and ``x`` already padded. With
    channels, :math:`s_{n,o,i,j} = \sum_c \sum_{a,b} x_{n,c,is+ad,js+bd}\, w_{o,c,a,b}`.
    ``flip=True`` flips the kernel on both axes (:math:`w_{k_H-1-a,\,k_W-1-b}`),
    which turns the cross-correlation into the convolution of mathematics.

    Parameters
    ----------
    x : array_like, shape (H, W) or (N, C_in, H, W)
        The image(s). Integers become float32.
    w : array_like, shape (kH, kW) or (C_out, C_in, kH, kW)
        The kernel, 2-D for a 2-D ``x``, OIHW for a 4-D ``x``.
    stride : int or (int, int), optional
        Step between output positions (>= 1).
    padding : {'valid', 'same', 'full'} or int or (ph, pw) or ((top, bottom), (left, right)), optional
        'valid': none; 'same': as ``lax`` SAME, output ``ceil(n / s)``, the odd
        extra pixel at the bottom/right; 'full': ``d(k-1)`` on each side.
    dilation : int or (int, int), optional
        Gap ``d`` between kernel taps; the kernel spans ``d(k-1)+1`` pixels.
    boundary : {'zeros', 'circular', 'reflect', 'replicate'}, optional
        What the padded border holds: zeros, the image wrapped around, its
        mirror image (without repeating the edge), or the edge pixel repeated.
    flip : bool, optional
        True computes the true convolution (kernel flipped on both axes).
    method : {'auto', 'lax', 'direct', 'im2col', 'fft', 'dense'}, optional
        How to compute it; all give the same numbers up to float32 round-off.
        'lax': ``jax.lax.conv_general_dilated``; 'direct': a sum over the
        kernel offsets of shifted copies of ``x``; 'im2col': a matrix of
        patches times the flattened kernel; 'fft': the convolution theorem
        (``rfft2``); 'dense': the matrix of :func:`conv_matrix` times the
        flattened image (only for ``C_in*H*W <= 4096`` and matrices of at
        most 2**25 entries); 'auto': measured
        rules: one input channel -> 'direct' (15-20x faster than lax), or 'fft'
        from 11x11 kernels; several channels -> 'lax', or 'fft' when a
        cost model says the kernel is large enough (see ``_pick_method``).

    Returns
    -------
    jax.Array, shape (H', W') or (N, C_out, H', W')
        With :math:`H' = \lfloor (H + p_{top} + p_{bottom} - d(k_H-1) - 1)/s \rfloor + 1`,
        and likewise :math:`W'` (see :func:`conv_output_size`).

    Raises
    ------
    TypeError
        If ``x`` or ``w`` is boolean, complex or not numeric.
    ValueError
        If the shapes do not match the layouts above, the kernel is larger than
        the padded input, ``stride``/``dilation`` < 1, an option is unknown,
        reflect padding is not smaller than the input, or 'dense' is asked
        for a large input.

    See Also
    --------
    jax.lax.conv_general_dilated : the XLA convolution ('lax').
    conv1d : the same for signals.
    conv_matrix : the convolution as a matrix.
    conv_output_size : the output-size formula.

    Notes
    -----
    Taught in ``notebooks/00_convolution.ipynb``.

    A NaN or infinity in ``x`` stays local with 'lax', 'direct' and 'im2col'
    (only the outputs whose window holds it), but 'fft' and 'dense' mix every
    pixel into every output (``0 * nan = nan``) and turn the whole image NaN;
    'auto' may pick 'fft'. Pass ``method='lax'`` for data with NaNs.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(9.0).reshape(3, 3)
    >>> w = np.arange(4.0).reshape(2, 2)
    >>> np.asarray(conv2d(x, w)).tolist()  # 0*0 + 1*1 + 3*2 + 4*3 = 19, ...
    [[19.0, 25.0], [37.0, 43.0]]
    >>> np.asarray(conv2d(x, w, flip=True)).tolist()  # 0*3 + 1*2 + 3*1 + 4*0 = 5, ...
    [[5.0, 11.0], [23.0, 29.0]]
    >>> conv2d(x, w, padding="same").shape, conv2d(x, w, padding="full").shape
    ((3, 3), (4, 4))
    >>> np.asarray(conv2d(x, w, method="fft")).round(3).tolist()
    [[19.0, 25.0], [37.0, 43.0]]
    """
    return _run(x, w, 2, stride, padding, dilation, boundary, flip, method)


def conv1d(
    x: Any,
    w: Any,
    *,
    stride: int = 1,
    padding: str | int | tuple[int, int] = "valid",
    dilation: int = 1,
    boundary: str = "zeros",
    flip: bool = False,
    method: str = "auto",
) -> jax.Array:
    r"""Slide a kernel along a signal: :func:`conv2d` with height 1.

    .. math::

        s_i = \sum_{a=0}^{k-1} x_{i s + a d}\, w_a

    Parameters
    ----------
    x : array_like, shape (L,) or (N, C_in, L)
        The signal(s).
    w : array_like, shape (k,) or (C_out, C_in, k)
        The kernel.
    stride, dilation : int, optional
        Step between outputs and gap between taps (>= 1).
    padding : {'valid', 'same', 'full'} or int or (lo, hi), optional
        As in :func:`conv2d`.
    boundary, flip, method :
        As in :func:`conv2d`.

    Returns
    -------
    jax.Array, shape (L',) or (N, C_out, L')
        :math:`L' = \lfloor (L + p_{lo} + p_{hi} - d(k-1) - 1)/s \rfloor + 1`.

    Raises
    ------
    TypeError, ValueError
        As in :func:`conv2d`.

    See Also
    --------
    conv2d, numpy.correlate, jax.numpy.convolve

    Examples
    --------
    >>> import numpy as np
    >>> np.asarray(conv1d(np.arange(5.0), np.array([1.0, -1.0]))).tolist()  # x_i - x_{i+1}
    [-1.0, -1.0, -1.0, -1.0]
    >>> np.asarray(conv1d([1, 2, 3], [1, 1], padding="full", flip=True)).tolist()
    [1.0, 3.0, 5.0, 3.0]
    """
    return _run(x, w, 1, stride, padding, dilation, boundary, flip, method)


def conv_matrix(
    input_shape: tuple[int, ...],
    w: Any,
    *,
    stride: int | tuple[int, int] = 1,
    padding: str | int | tuple = "valid",
    dilation: int | tuple[int, int] = 1,
    boundary: str = "zeros",
    flip: bool = False,
    method: str | None = None,
) -> jax.Array:
    r"""The matrix :math:`M` of the linear map ``x -> conv2d(x, w, ...)``.

    .. math::

        \operatorname{vec}(s) = M \operatorname{vec}(x), \qquad
        M_{(i,j),(p,q)} = \sum_{a,b:\; \pi(is+ad,\, js+bd) = (p,q)} w_{a,b}

    where :math:`\pi` maps a padded position to the input pixel it holds
    (nothing for a zero border, wrap-around for 'circular', ...). Each row is
    the kernel laid over the image: few nonzeros (sparse interactions), the
    same numbers in every row (parameter sharing).

    Parameters
    ----------
    input_shape : (H, W) or (C_in, H, W) or (1, C_in, H, W)
        Shape of one input; (H, W) with a (kH, kW) kernel, otherwise an OIHW kernel.
    w : array_like, shape (kH, kW) or (C_out, C_in, kH, kW)
        The kernel.
    stride, padding, dilation, boundary, flip :
        As in :func:`conv2d`. ``method`` is accepted and ignored, so that the
        options of a ``conv2d`` call can be passed unchanged.

    Returns
    -------
    jax.Array, shape (C_out H' W', C_in H W)
        Built exactly by scattering the kernel entries; rows ordered like
        ``conv2d(...).ravel()``, columns like ``x.ravel()``.

    Raises
    ------
    ValueError
        As in :func:`conv2d`, when ``input_shape`` is not a shape, and when the
        matrix would have more than 2**26 entries (256 MiB of float32).

    See Also
    --------
    conv2d : ``method='dense'`` multiplies by this matrix.

    Examples
    --------
    >>> import numpy as np
    >>> m = conv_matrix((3, 3), np.arange(4.0).reshape(2, 2))
    >>> np.asarray(m).astype(int).tolist()
    [[0, 1, 0, 2, 3, 0, 0, 0, 0], [0, 0, 1, 0, 2, 3, 0, 0, 0], [0, 0, 0, 0, 1, 0, 2, 3, 0], [0, 0, 0, 0, 0, 1, 0, 2, 3]]
    >>> (m @ np.arange(9.0)).tolist()
    [19.0, 25.0, 37.0, 43.0]
    """
    del method  # every method gives the same matrix
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else input_shape
    if (
        not isinstance(shape, tuple)
        or len(shape) not in (2, 3, 4)
        or (len(shape) == 4 and shape[0] != 1)
        or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in shape)
    ):
        raise ValueError(f"`input_shape` must be (H, W), (C_in, H, W) or (1, C_in, H, W) of positive ints; got {describe(input_shape)}.")
    xs = (1,) + shape if len(shape) == 3 else shape
    w = _as_float(w, "w")
    s, pads, d, flip, _ = _cached_plan(xs, tuple(w.shape), 2, stride, padding, dilation, boundary, flip, "lax")
    c_out = w.shape[0] if w.ndim == 4 else 1
    n_out = c_out * int(np.prod([(n + lo + hi - di * (k - 1) - 1) // si + 1
                                 for n, (lo, hi), di, k, si in zip(xs[-2:], pads, d, w.shape[-2:], s)]))
    n_in = int(np.prod(xs[-3:])) if len(xs) == 4 else int(np.prod(xs))
    if n_out * n_in > CONV_MATRIX_MAX_ENTRIES:
        raise ValueError(
            f"`input_shape` {describe(input_shape)} gives a {n_out} x {n_in} matrix ({4 * n_out * n_in / 2**20:.0f} MiB "
            f"of float32); conv_matrix is for small inputs (at most 2**26 entries: about 90 x 90 pixels, one channel). "
            f"Use a smaller input, or cl.conv2d to apply the convolution."
        )
    return _matrix(jnp.asarray(w), xs[-2:], s, pads, d, boundary, flip)


@partial(jax.jit, static_argnames=("n", "stride", "pads", "dilation", "boundary", "flip"))
def _matrix(w, n, stride, pads, dilation, boundary, flip):
    w = w.reshape((1, 1) + w.shape) if w.ndim == 2 else w  # (C_out, C_in, kH, kW)
    return _dense_matrix(w[:, :, ::-1, ::-1] if flip else w, n, stride, pads, dilation, boundary)
