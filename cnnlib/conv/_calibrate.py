"""Measuring the FFT crossover of ``method='auto'`` on this machine (see :mod:`._auto` for when)."""
from __future__ import annotations

import json
import os
import time

import numpy as np

from .._validate import check_bool
from ._api import conv2d
from ._auto import _MEASURED, cache_file, machine_key, pick_method
from ._plan import _plan

__all__ = ["calibrate_auto", "forget_calibration"]


def _best_time(fn, calls: int = 9) -> float:
    """The fastest of ``calls`` calls (as timeit: the least disturbed one), after one warm-up call."""
    fn().block_until_ready()
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn().block_until_ready()
        times.append(time.perf_counter() - t0)
    return float(np.min(times))


SIDE = 128  # one side x side image (the crossover is the same at 128, 256 and 512: fft and direct both scale with H*W)
K_RANGE = (5.0, 16.0)  # a fit outside this is noise (a loaded machine); FFT always wins from 256 taps anyway
KS = (5, 9, 13)  # kernel sizes timed with the direct sum (compiling k = 15 and up costs more than timing)


def calibrate_auto(*, save: bool = True) -> dict:
    """Measure, on this machine, the kernel size from which ``conv2d(method='fft')`` beats ``'direct'``.

    Times the direct sum at each ``k`` of ``ks`` and the FFT once (its cost
    does not depend on ``k``) on one 128 x 128 image, fits
    ``log(direct time)`` against ``log k`` with a line, and solves for the
    ``k`` where it meets the FFT's time. ``method='auto'`` uses the result
    from then on, in this process and (``save=True``) in later ones on the
    same machine and JAX version. Takes about a second on 2 cores,
    most of it compiling the four timed functions.

    Parameters
    ----------
    save : bool, optional
        Also write the result to :func:`cnnlib.conv._auto.cache_file` for
        later processes. Not written when the machine is busy (load average
        above 1.5 per core: the timings would be noise) or the home
        folder is read-only; the result then holds for this process only.

    Returns
    -------
    dict
        ``{"fft_min_taps": k*^2, "k": k*, "direct_s": {k: s}, "fft_s": s, "seconds": s, "file": path}``.
    """
    import jax

    save = check_bool(save, "save")
    side, ks = SIDE, KS
    started = time.perf_counter()
    # NumPy draws the data: jax.random would compile a function per shape (most of the time here)
    rng = np.random.default_rng(0)
    x = jax.device_put(rng.standard_normal((side, side), dtype=np.float32))
    direct = {}
    for k in ks:
        w = jax.device_put(rng.standard_normal((k, k), dtype=np.float32))
        direct[k] = _best_time(lambda: conv2d(x, w, method="direct"))
    w = jax.device_put(rng.standard_normal((ks[0], ks[0]), dtype=np.float32))
    fft = _best_time(lambda: conv2d(x, w, method="fft"))
    slope, intercept = np.polyfit(np.log(ks), np.log([direct[k] for k in ks]), 1)
    # direct(k) = exp(intercept) k^slope meets fft at k*; a flat or falling fit: fft never wins below 256 taps
    k_star = float(np.exp((np.log(fft) - intercept) / slope)) if slope > 0.1 else K_RANGE[1]
    k_star = min(max(k_star, K_RANGE[0]), K_RANGE[1])
    result = {"fft_min_taps": k_star**2, "k": k_star, "direct_s": direct, "fft_s": fft,
              "seconds": time.perf_counter() - started, "file": None}
    _MEASURED.update(loaded=True, taps=k_star**2)
    _clear_caches()
    # On a busy machine (half again as many runnable processes as cores) the timings are noise: this process only.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    result["load"] = load
    if save and load > 1.5 * (os.cpu_count() or 1):
        result["not_saved"] = f"load average {load:.1f} on {os.cpu_count()} cores"
    elif save:
        path = cache_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                table = json.loads(path.read_text())
                table = table if isinstance(table, dict) else {}
            except (OSError, ValueError):
                table = {}
            table[machine_key()] = {"fft_min_taps": k_star**2, "k": k_star, "measured": time.strftime("%Y-%m-%d")}
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(table, indent=1))
            os.replace(tmp, path)
            result["file"] = str(path)
        except OSError:  # a read-only home: keep the measurement for this process only
            pass
    return result


def forget_calibration() -> None:
    """Use the built-in rule again in this process (the file stays); re-read the file on the next pick."""
    _MEASURED.clear()
    _clear_caches()


def _clear_caches() -> None:
    pick_method.cache_clear()  # the plans remember auto's picks too
    _plan.cache_clear()
