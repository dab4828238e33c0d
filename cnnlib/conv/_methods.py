"""The jitted convolutions: every method on 4-D arrays with explicit padding.

Inside this module every array is 4-D: ``x`` is ``(N, C_in, H, W)`` and
``w`` is ``(C_out, C_in, kH, kW)`` (OIHW). :func:`_conv_impl` reshapes the
caller's arrays to that, pads them as the boundary rule says, and runs one of
'lax', 'direct', 'im2col', 'fft' or 'dense'; they all compute the same sum.
"""
from __future__ import annotations

from functools import lru_cache

import jax
import jax.numpy as jnp
import numpy as np

from .._xla import cpu_jit
from ._auto import _fft_len

_NP_MODE = {"zeros": "constant", "circular": "wrap", "reflect": "reflect", "replicate": "edge"}


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
# of 32x32); they run 0-12 % slower; the shift-and-add of "direct" runs faster with the default
# ones, so only "lax" uses them. `make bench` measures both: first call and warm time.
# (cnnlib._xla.cpu_jit: only a top-level call gets the options; inside a trace the defaults apply.)
_conv_lax = cpu_jit(_conv_impl, static_argnames=_STATIC)
_conv_cpu_lax = _conv_lax.cpu  # the classic-emitter version itself
