"""What ``method='auto'`` picks, and the FFT crossover it measures on the machine it runs on.

One input channel: the direct sum (one fused pass, cost ~ kH*kW) until the
FFT (cost about the same for every k) is cheaper. Where that happens depends
on the processor: on a 2-core AVX2 EPYC ``make bench`` fitted k = 13-14 on two
runs, while another CPU may cross at 9 or 17. So the crossover is *measured*,
once per machine and JAX version, by :func:`cnnlib.conv.calibrate_auto` (about a second),
and kept in a small JSON file in the user's cache folder
(``$XDG_CACHE_HOME/cnnlib`` or ``~/.cache/cnnlib``).

When is it measured? Only when asked: ``make bench`` (benchmarks/conv_methods.py)
calls :func:`calibrate_auto`, and a user may call it once. Never during
``import cnnlib``, never behind the back of a test or a notebook (which would
make their run time jump by a second at an unpredictable call). Without a
measurement for this machine, ``auto`` uses the rule measured on the CPU above
(FFT from 121 taps, k = 11). Either way only the *method* changes, never the
result beyond float32 round-off (every method computes the same sum), so a
notebook prints the same on every machine.
"""
from __future__ import annotations

import json
import os
import pathlib
import platform
from functools import lru_cache

import numpy as np

AUTO_FFT_MIN_TAPS = 121  # the fallback: one input channel, fft once kH*kW >= 121 * sH*sW (k >= 11 at stride 1)
AUTO_MAX_DIRECT_TAPS = 256  # beyond this the direct sum stops fusing into one loop (k = 17: 28 ms, fft 0.3 ms)
AUTO_FFT_COST = 15  # multi-channel cost model, in units of one lax multiply-add
AUTO_FFT_MAX_SPECTRUM = 16 * 2**20  # bytes of kernel spectra (complex64) beyond which fft slows down 3-4x

_MEASURED: dict = {}  # {"loaded": bool, "taps": float | None} for this process


def cache_file() -> pathlib.Path:
    """Where the measured crossover is kept: ``$XDG_CACHE_HOME/cnnlib/conv_auto.json`` or ``~/.cache/...``."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(root) / "cnnlib" / "conv_auto.json"


def machine_key() -> str:
    """This processor, its core count, the JAX/jaxlib versions and the backend, as one string."""
    import jax
    import jaxlib

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{cpu} | {os.cpu_count()} cpus | jax {jax.__version__} | jaxlib {jaxlib.__version__} | {jax.default_backend()}"


def measured_min_taps() -> float | None:
    """The crossover (in kernel taps) measured on this machine, or None (read once per process)."""
    if not _MEASURED.get("loaded"):
        _MEASURED.update(loaded=True, taps=None)
        try:
            entry = json.loads(cache_file().read_text()).get(machine_key())
            if entry is not None and np.isfinite(entry["fft_min_taps"]) and entry["fft_min_taps"] > 0:
                _MEASURED["taps"] = float(entry["fft_min_taps"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
    return _MEASURED["taps"]


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


@lru_cache(maxsize=512)
def pick_method(n: int, c_in: int, c_out: int, k: tuple, out: tuple, padded: tuple, stride: tuple) -> str:
    """The rule behind ``method='auto'`` (measurements on a shared 2-core EPYC, jax 0.10.2, float32).

    One input channel (any C_out): 'direct' beats lax by far (1x1x256x256,
    k = 3/5/7/9: 0.10/0.12/0.16/0.29-0.40 ms against lax 2.2/2.5/2.6/6-8 ms).
    Its cost grows like kH*kW while the FFT's does not (0.3-0.7 ms at 256x256
    for every k), so 'fft' from the measured crossover (:func:`calibrate_auto`;
    without one, 121 taps), times sH*sW (only 'direct' profits from a stride),
    and always from 256 taps, where direct stops fusing into one loop.

    Several input channels: lax against fft by a cost model in units of one
    lax multiply-add. lax does N C_out H' W' C_in kH kW of them and is slower
    per multiply-add with few channels, most with few outputs (4->4 10-24x,
    3->16 2-4x, 16->16 2x relative to 64->64), hence the factor
    1 + 64/(C_in C_out) + 16/C_out. fft transforms N C_in + N C_out + C_in C_out
    arrays of P = Hf*Wf points (~15 P log2 P each) and mixes channels with
    N C_in C_out P complex products (~15 each); it is never used once the
    kernel spectra (8 C_in C_out P bytes) pass 16 MiB (3-4x slower than the
    model there). Measured lax/fft: 8x16->16x32x32 'same' k = 5/7/9:
    0.85/1.3-1.6/2.1-2.7; 8x4->4x64x64 k = 3/5/9: 1.4-1.7/4.4-4.9/5.5;
    1x16->16x64x64 k = 9/11/15: 0.65/0.8-1.1/1.2-1.4; 4x64->64x32x32
    k = 9/13/17: 0.36/0.7-0.8/1.2. 'im2col' beat lax at k = 3 for a few
    few-channel cases but lost by 1.4-10x elsewhere, so it is never picked.
    """
    ho, wo = out
    if c_in == 1:
        taps = k[0] * k[1]
        min_taps = measured_min_taps() or AUTO_FFT_MIN_TAPS
        return "fft" if taps >= min(min_taps * stride[0] * stride[1], AUTO_MAX_DIRECT_TAPS) else "direct"
    lax_cost = n * c_out * ho * wo * c_in * k[0] * k[1] * (1 + 64 / (c_in * c_out) + 16 / c_out)
    p = _fft_len(padded[0]) * _fft_len(padded[1])
    if 8 * c_in * c_out * p > AUTO_FFT_MAX_SPECTRUM:  # the kernels' spectra spill out of the cache
        return "lax"
    fft_cost = AUTO_FFT_COST * p * ((n * c_in + n * c_out + c_in * c_out) * np.log2(max(p, 2)) + n * c_in * c_out)
    return "fft" if fft_cost < lax_cost else "lax"
