"""Section "conv": every way cnnlib can convolve, against lax, NumPy, SciPy and (if present) torch.

Each case is a valid (unpadded) cross-correlation of an ``(N, C_in, H, W)``
batch with a ``(C_out, C_in, k, k)`` kernel, called through the public
``cl.conv2d(x, w, method=...)``, so the numbers include what a student pays
per call (validation and dispatch). The methods are timed in turn, one sample
each per round (see :func:`benchmarks.core.interleaved`; a sample of a fast
method is the mean of enough calls in a row to last 2 ms), at least 61
rounds, and every median is divided by lax's median from the same rounds.

``jax.lax`` is ``jax.lax.conv_general_dilated`` jitted directly, with JAX's
default compiler options: XLA as a JAX user meets it, outside cnnlib.

Also measured here: ``cnnlib.conv.calibrate_auto`` first (it measures the FFT
crossover on this machine, caches it in the user's cache folder, and ``auto``
uses it from then on: this section is what triggers that measurement), the
first call (trace + compile + run; ``auto`` first, in a cleared jit cache),
the crossover kernel size from which FFT beats the direct sum, the
Python-side cost of ``conv2d`` per call, ``lp_pool2d`` with a window as large
as the image, and ``import cnnlib`` against ``import jax`` in the same run.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .core import CompileCounter, cpu_seconds, hold, interleaved, median, record, time_once

SECTION = "conv"
CNNLIB_METHODS = ("lax", "direct", "im2col", "fft", "dense")
# im2col materialises a (C_in k^2, H' W') column matrix per image; beyond this
# many bytes it takes seconds to compile (26 s for k=31 on 256x256) and is
# skipped as "does not apply".
IM2COL_MAX_BYTES = 64 * 2**20
IMPORT_RATIO_LIMIT = 1.15  # import cnnlib / import jax, both timed in this run
CALIBRATION_LIMIT_S = 2.0
LAZY_MODULES = ("matplotlib", "ipywidgets", "scipy", "optax")
# A sample is the mean of enough calls in a row to last this long (see core.interleaved).
MIN_SAMPLE_S = 0.002
TORCH_WORKER = pathlib.Path(__file__).with_name("torch_conv.py")


@dataclass(frozen=True)
class Case:
    n: int
    c_in: int
    side: int
    c_out: int
    k: int

    @property
    def name(self) -> str:
        if self.c_in == self.c_out == 1:
            return f"{self.n}x1x{self.side}x{self.side} k={self.k}"
        return f"{self.n}x{self.c_in}x{self.side}x{self.side} to {self.c_out} k={self.k}"

    @property
    def single_channel(self) -> bool:
        return self.c_in == 1 and self.c_out == 1

    @property
    def x_shape(self) -> tuple[int, int, int, int]:
        return (self.n, self.c_in, self.side, self.side)  # (N, C_in, H, W)

    @property
    def w_shape(self) -> tuple[int, int, int, int]:
        return (self.c_out, self.c_in, self.k, self.k)  # (C_out, C_in, kH, kW)


def cases(quick: bool = False) -> list[Case]:
    """The cases the issue names; ``quick`` drops k=31 (whose slow methods dominate the run)."""
    ks = (3, 5, 9, 15) if quick else (3, 5, 9, 15, 31)
    return [Case(1, 1, 64, 1, 3), *(Case(1, 1, 256, 1, k) for k in ks), Case(32, 16, 32, 32, 3), Case(8, 3, 128, 16, 5)]


def applies(method: str, case: Case) -> str | None:
    """``None`` if ``method`` runs on ``case``, else why not (shown in the table)."""
    out = case.side - case.k + 1
    if method == "dense":
        from cnnlib import conv

        limit = getattr(conv, "DENSE_MAX_INPUT", 4096)
        if case.c_in * case.side**2 > limit:
            return f"dense refuses C_in*H*W > {limit}"
    if method == "im2col" and 4 * case.n * case.c_in * case.k**2 * out**2 > IM2COL_MAX_BYTES:
        return f"column matrix > {IM2COL_MAX_BYTES >> 20} MiB"
    if method == "scipy" and not case.single_channel:
        return "correlate2d is single-channel"
    return None


def numpy_loop(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Valid cross-correlation as a plain NumPy loop over the kernel taps (one shifted slice per tap)."""
    n, c_in, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    ho, wo = h - kh + 1, wd - kw + 1
    y = np.zeros((n, c_out, ho, wo), np.float32)  # (N, C_out, H', W')
    for a in range(kh):
        for b in range(kw):
            patch = x[:, :, a : a + ho, b : b + wo]  # (N, C_in, H', W')
            if c_in == c_out == 1:
                y[:, 0] += w[0, 0, a, b] * patch[:, 0]
            else:
                y += np.tensordot(w[:, :, a, b], patch, axes=([1], [1])).transpose(1, 0, 2, 3)
    return y


def _scipy_call(x: np.ndarray, w: np.ndarray) -> Callable[[], Any]:
    from scipy.signal import correlate2d

    return lambda: correlate2d(x[0, 0], w[0, 0], mode="valid")


def torch_medians(case_list: list[Case], python: str | None, budget_s: float) -> tuple[dict[str, float], str]:
    """Medians of ``torch.nn.functional.conv2d`` per case, run in a separate interpreter; (medians, status)."""
    python = python or sys.executable
    spec = [{"name": c.name, "x": c.x_shape, "w": c.w_shape} for c in case_list]
    try:
        proc = subprocess.run([python, str(TORCH_WORKER), json.dumps(spec), str(budget_s)], capture_output=True,
                              text=True, timeout=600, check=False)
    except (OSError, subprocess.SubprocessError) as err:
        return {}, f"not run ({type(err).__name__})"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {}, "not installed" if "No module named 'torch'" in last else f"failed: {last[:80]}"
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out["medians"], f"torch {out['version']}, {out['threads']} threads"


def _first_call(fn: Callable[[], Any]) -> tuple[float, int, float, float]:
    """Seconds of the first call, the compilations (count, seconds) it triggered, and its CPU seconds."""
    with CompileCounter() as counter:
        c0 = cpu_seconds()
        seconds = time_once(fn)
        cpu = cpu_seconds() - c0
    return seconds, counter.count, counter.seconds, cpu


def run_case(case: Case, *, budget_s: float, torch_s: float | None, torch_status: str, log: Callable[[str], None]):
    import jax

    import cnnlib as cl

    started = time.perf_counter()
    kx, kw = jax.random.split(jax.random.key(0))
    x = jax.random.normal(kx, case.x_shape, "float32")
    w = jax.random.normal(kw, case.w_shape, "float32") / case.k
    xn, wn = np.asarray(x), np.asarray(w)
    jax.clear_caches()  # "auto" compiles first, in an empty cache; the method it resolves to then reuses it

    calls: dict[str, Callable[[], Any]] = {}
    skipped: dict[str, str] = {}
    first: dict[str, tuple[float, int, float]] = {}
    for method in ("auto", *CNNLIB_METHODS):
        why = applies(method, case)
        if why:
            skipped[method] = why
            continue
        calls[method] = (lambda m: lambda: cl.conv2d(x, w, method=m))(method)
        first[method] = _first_call(calls[method])
    # XLA's convolution as JAX users call it (default compiler options), outside cnnlib: the reference
    # that cnnlib's own "lax" method (which compiles with its own options on a CPU) is held against.
    bare = jax.jit(lambda a, b: jax.lax.conv_general_dilated(a, b, (1, 1), "VALID", precision="highest"))
    calls["jax.lax"] = lambda: bare(x, w)
    first["jax.lax"] = _first_call(calls["jax.lax"])
    calls["numpy"] = lambda: numpy_loop(xn, wn)
    if applies("scipy", case) is None:
        calls["scipy"] = _scipy_call(xn, wn)
    else:
        skipped["scipy"] = applies("scipy", case)

    reference = np.asarray(calls["lax"]())
    errors, once = {}, {}
    for m, f in calls.items():
        t0 = time.perf_counter()
        errors[m] = float(np.max(np.abs(np.asarray(f()) - reference)))
        once[m] = time.perf_counter() - t0
    # NumPy and SciPy calls slower than 20 ms are timed on their own (3 calls), not in every round
    alone = {}
    for m in ("numpy", "scipy"):
        if m in calls and once[m] > 0.02:
            f = calls.pop(m)
            alone[m] = [time_once(f) for _ in range(3)]
    # slow cases get more time (61 rounds at least), up to 20 s
    lax_once = min(time_once(calls["lax"]) for _ in range(3))
    times = interleaved(calls, budget_s=max(budget_s, min(20.0, 61 * len(calls) * lax_once)), min_rounds=61,
                        max_rounds=200, warm=[m for m in calls if m not in ("numpy", "scipy")], min_sample_s=MIN_SAMPLE_S)
    med = {m: median(t) for m, t in (times | alone).items()}
    lax = med["lax"]
    times |= alone
    fastest_method = min((m for m in CNNLIB_METHODS if m in times), key=med.__getitem__)
    fastest = med[fastest_method]
    records = []
    for method in ("auto", *CNNLIB_METHODS, "jax.lax", "numpy", "scipy", "torch"):
        if method in skipped:
            records.append(record(SECTION, case.name, method, note=f"n/a: {skipped[method]}"))
            continue
        if method == "torch":
            rec = record(SECTION, case.name, "torch", torch_s, ratio=None if torch_s is None else torch_s / lax,
                         note="" if torch_s is not None else torch_status)
            records.append(rec)
            continue
        rec = record(SECTION, case.name, method, med[method], ratio=med[method] / lax, rounds=len(times[method]),
                     max_abs_err=errors[method], fastest=fastest_method, vs_fastest=med[method] / fastest)
        if method in alone:
            rec["note"] = "timed alone (3 calls), not in the rounds"
        if method in first:
            seconds, count, compile_s, cpu = first[method]
            rec.update(first_call_s=seconds, first_call_compiles=count, compile_s=compile_s, first_call_cpu_s=cpu)
            if count == 0:
                rec["note"] = "auto's pick (compiled by auto's first call)"
        records.append(rec)
    by_method = {r["method"]: r for r in records}
    auto = by_method["auto"]
    picks = [m for m in CNNLIB_METHODS if m in first and first[m][1] == 0]
    auto["picks"] = picks[0] if len(picks) == 1 else None
    auto["note"] = f"picks {auto['picks'] or '?'}; first call CPU {auto['first_call_cpu_s'] * 1e3:.0f} ms"
    hold(auto, "<= 1.2x fastest cnnlib", auto["vs_fastest"], "<=", 1.2)
    hold(auto, "<= lax (5% noise)", auto["ratio"], "<=", 1.05)
    if case.single_channel and case.side == 256 and case.k <= 9:
        hold(auto, ">= 5x faster than lax", auto["ratio"], "<=", 0.2)
    if case.single_channel and case.side == 256 and case.k <= 15:
        vs_torch = None if torch_s is None else auto["median_s"] / torch_s
        auto["vs_torch"] = vs_torch
        hold(auto, "faster than torch" + ("" if torch_s is not None else f" ({torch_status})"), vs_torch, "<", 1.0)
    if not case.single_channel:
        hold(auto, "<= 1.1x lax", auto["ratio"], "<=", 1.1)
        auto["vs_jax_lax"] = auto["median_s"] / med["jax.lax"]
        # An eager "lax" call compiles with XLA's classic emitters (cnnlib.conv._methods): on
        # 2 cores a first call of 8x3x128x128 -> 16, k=5 then compiles in about 85 ms instead
        # of 145, and the warm call runs 4-12% slower than jax.lax with the default emitters
        # (their layout transposes are slower). 1.2x allows that trade and no more.
        hold(auto, "<= 1.2x jax.lax", auto["vs_jax_lax"], "<=", 1.2)
    if case.k <= 5:
        hold(auto, "first call - warm < 100 ms", auto["first_call_s"] - auto["median_s"], "<", 0.100)
    for rec in records:
        if rec.get("max_abs_err") is not None:
            scale = float(np.max(np.abs(reference))) or 1.0
            hold(rec, "agrees with lax (1e-4 rel.)", rec["max_abs_err"] / scale, "<=", 1e-4)
    log(f"  {case.name}: auto ({auto['picks']}) {auto['median_s'] * 1e3:.3f} ms, lax {lax * 1e3:.3f} ms, "
        f"fastest cnnlib {fastest * 1e3:.3f} ms ({time.perf_counter() - started:.0f} s)")
    return records


def auto_pick(call: Callable[[str], Any], candidates: tuple[str, ...]) -> str | None:
    """Which method ``auto`` resolves to, read off the jit cache rather than cnnlib's internals.

    ``call(method)`` runs the convolution. In an empty cache ``auto`` compiles
    the implementation it picks; calling that method explicitly afterwards
    compiles nothing, any other method compiles.
    """
    import jax

    jax.clear_caches()
    call("auto")
    for method in candidates:
        with CompileCounter() as counter:
            call(method)
        if counter.count == 0:
            return method
    return None


def fitted_crossover(rows: list[dict[str, Any]], max_taps: int = 256) -> float | None:
    """The kernel size where FFT and the direct sum cost the same, from a line through the whole scan.

    ``log(fft / direct)`` against ``log k`` is close to a line (direct costs
    ``k^2``, FFT about the same for every k); the least-squares line crosses
    zero at the crossover. Using every scanned k, rather than the first k
    FFT wins at, keeps one noisy measurement from moving the answer by a
    step. Kernels of more than ``max_taps`` taps are left out: there the
    direct sum stops fusing into one loop and its cost jumps.

    Examples
    --------
    >>> rows = [{"k": k, "fft_vs_direct": (11 / k) ** 2} for k in (3, 5, 7, 9, 13)]
    >>> round(fitted_crossover(rows), 6)
    11.0
    """
    pts = [(np.log(r["k"]), np.log(r["fft_vs_direct"])) for r in rows if r["k"] ** 2 <= max_taps]
    if len(pts) < 2:
        return None
    slope, intercept = np.polyfit(*zip(*pts), 1)
    if slope >= 0:
        return None
    return float(np.exp(-intercept / slope))


def crossover(*, budget_s: float, log: Callable[[str], None], side: int = 256) -> list[dict[str, Any]]:
    """Direct sum against FFT on one ``side x side`` image, odd k upwards.

    The scan stops once FFT has won twice in a row and ``auto`` has switched
    to FFT (or at k = 31). The measured crossover is the first k of FFT's
    winning run; the encoded one the first k from which ``auto`` picks FFT.
    """
    import jax

    import cnnlib as cl

    x = jax.random.normal(jax.random.key(1), (1, 1, side, side), "float32")
    wins, k_star, k_auto, rows = 0, None, None, []
    for k in range(3, 33, 2):
        w = jax.random.normal(jax.random.key(k), (1, 1, k, k), "float32")
        call = lambda m: cl.conv2d(x, w, method=m).block_until_ready()  # noqa: E731
        pick = auto_pick(call, ("direct", "fft", "lax", "im2col"))
        calls = {m: (lambda m: lambda: cl.conv2d(x, w, method=m))(m) for m in ("direct", "fft")}
        times = interleaved(calls, budget_s=budget_s / 2, min_rounds=9, max_rounds=200, min_sample_s=MIN_SAMPLE_S)
        med = {m: median(t) for m, t in times.items()}
        fft_vs_direct = med["fft"] / med["direct"]
        rows.append({"k": k, "direct_s": med["direct"], "fft_s": med["fft"], "fft_vs_direct": fft_vs_direct, "auto": pick})
        if fft_vs_direct < 1.0:
            wins += 1
            k_star = k if wins == 1 else k_star
        else:
            wins, k_star = 0, None
        k_auto = (k_auto or k) if pick == "fft" else None
        if wins >= 2 and k_auto is not None:
            break
    k_fit = fitted_crossover(rows)
    rec = record(SECTION, f"FFT crossover 1x1x{side}x{side}", "direct vs fft", None, measured_k=k_fit,
                 first_win_k=k_star, encoded_k=k_auto, scan=rows)
    rec["note"] = (f"fitted crossover k={k_fit:.1f} (FFT first wins at k={k_star}); auto picks FFT from k={k_auto}"
                   if k_fit is not None else f"no crossover found; auto picks FFT from k={k_auto}")
    hold(rec, "auto switches within 2 of the fitted crossover", None if k_fit is None or k_auto is None
         else abs(k_auto - k_fit), "<=", 2)
    log("  crossover: " + rec["note"] + "; scan " + ", ".join(
        f"k={r['k']}: {r['direct_s'] * 1e3:.2f}/{r['fft_s'] * 1e3:.2f} ms, {r['fft_vs_direct']:.2f}x ({r['auto']})"
        for r in rows))
    return [rec]


def _bare_call(x: Any, w: Any) -> tuple[Callable[..., Any], str]:
    """The jitted computation ``cl.conv2d(x, w)`` dispatches, without the Python around it.

    cnnlib's private ``_normalise``/``_conv`` pair where it exists (the exact
    function conv2d ends in); otherwise ``jax.jit`` around conv2d, which runs
    the validation once at trace time.
    """
    import jax

    from cnnlib import conv

    try:
        _, _, (stride, pads, dilation, flip, method) = conv._normalise(
            x, w, 2, 1, "valid", 1, "zeros", False, "auto")
        statics = dict(stride=stride, pads=pads, dilation=dilation, boundary="zeros", flip=flip, method=method)
        conv._conv(x, w, **statics)
        return (lambda x, w: conv._conv(x, w, **statics)), "cnnlib.conv._conv"
    except (AttributeError, TypeError, ValueError):
        return jax.jit(lambda x, w: conv.conv2d(x, w)), "jax.jit(conv2d)"


def validation_overhead(*, log: Callable[[str], None], calls: int = 200, repeats: int = 9) -> list[dict[str, Any]]:
    """Seconds per ``cl.conv2d`` call beyond the jitted computation it dispatches (tiny input, blocking).

    Each of the two loops is run ``repeats`` times in turn; the fastest run of
    each is kept (a microsecond difference drowns in a median of loaded runs).
    """
    import jax

    import cnnlib as cl

    x = jax.random.normal(jax.random.key(2), (1, 1, 8, 8), "float32")
    w = jax.random.normal(jax.random.key(3), (1, 1, 3, 3), "float32")
    bare, bare_name = _bare_call(x, w)

    def loop(fn):
        def go():
            for _ in range(calls):
                fn(x, w).block_until_ready()
        return go

    fns = {"cl.conv2d": loop(cl.conv2d), "bare": loop(bare)}
    times = interleaved(fns, min_rounds=repeats, max_rounds=repeats)
    per_call = {m: min(t) / calls for m, t in times.items()}  # the least disturbed loop of each, as timeit does
    extra = per_call["cl.conv2d"] - per_call["bare"]
    rec = record(SECTION, "validation, 1x1x8x8 k=3", "auto", extra, per_call_s=per_call["cl.conv2d"],
                 bare_s=per_call["bare"], bare=bare_name)
    rec["note"] = (f"conv2d {per_call['cl.conv2d'] * 1e6:.1f} µs/call, {bare_name} "
                   f"{per_call['bare'] * 1e6:.1f} µs/call")
    hold(rec, "< 50 µs per call", extra, "<", 50e-6)
    log(f"  validation: {extra * 1e6:.1f} µs per call")
    return [rec]


def import_time(*, repeats: int = 5, log: Callable[[str], None]) -> list[dict[str, Any]]:
    """``import cnnlib`` against ``import jax`` in fresh interpreters, in turn (medians), and the heavy modules.

    cnnlib cannot import faster than JAX, which it needs; the target is what it adds:
    at most 15 % on top of ``import jax`` timed in the same run (so on any machine).
    """
    def code(module: str) -> str:
        return ("import sys, time; c = time.process_time(); t = time.perf_counter(); "
                f"import {module}; dt = time.perf_counter() - t; dc = time.process_time() - c; "
                f"print(dt, dc, ','.join(m for m in {LAZY_MODULES!r} if m in sys.modules))")

    env = dict(os.environ, MPLBACKEND="Agg")
    seconds, jax_seconds, cpu, import_cpu, loaded = [], [], [], [], set()
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code("jax")], capture_output=True, text=True, check=True,
                             env=env).stdout.split()
        jax_seconds.append(float(out[0]))
        c0 = cpu_seconds(children=True)
        out = subprocess.run([sys.executable, "-c", code("cnnlib")], capture_output=True, text=True, check=True,
                             env=env).stdout.split()
        cpu.append(cpu_seconds(children=True) - c0)
        seconds.append(float(out[0]))
        import_cpu.append(float(out[1]))
        loaded.update(out[2].split(",") if len(out) > 2 else [])
    ratio = median(seconds) / median(jax_seconds)
    rec = record(SECTION, "import cnnlib", "python -c", median(seconds), ratio=ratio, import_jax_s=median(jax_seconds),
                 eager_heavy_modules=sorted(loaded), runs=seconds, jax_runs=jax_seconds,
                 interpreter_cpu_s=median(cpu), import_cpu_s=median(import_cpu))
    rec["note"] = (f"cnnlib {', '.join(f'{s:.2f}' for s in seconds)} s, jax {', '.join(f'{s:.2f}' for s in jax_seconds)} s; "
                   f"the import's CPU {median(import_cpu):.2f} s; heavy modules imported: " + (", ".join(sorted(loaded)) or "none"))
    hold(rec, f"<= {IMPORT_RATIO_LIMIT}x import jax", ratio, "<=", IMPORT_RATIO_LIMIT)
    hold(rec, "no matplotlib/ipywidgets/scipy/optax", len(loaded), "==", 0)
    log(f"  import cnnlib: {rec['median_s']:.2f} s, import jax {median(jax_seconds):.2f} s ({ratio:.2f}x); "
        f"heavy modules: {sorted(loaded) or 'none'}")
    return [rec]


def calibration(*, log: Callable[[str], None]) -> list[dict[str, Any]]:
    """Measure auto's FFT crossover on this machine (``cnnlib.conv.calibrate_auto``, saved for later runs)."""
    import jax.numpy as jnp

    from cnnlib.conv import calibrate_auto

    # JAX starts its CPU backend on the first computation of a process (about a second
    # on 2 cores): every program pays that once, so it is not counted as calibrating.
    jnp.zeros(1).block_until_ready()
    result = calibrate_auto(save=True)
    rec = record(SECTION, "auto: FFT crossover calibration", "calibrate_auto", result["seconds"],
                 measured_k=result["k"], fft_min_taps=result["fft_min_taps"], file=result["file"],
                 direct_s={str(k): v for k, v in result["direct_s"].items()}, fft_s=result["fft_s"])
    where = result["file"] or result.get("not_saved") and f"not saved: {result['not_saved']}" or "not saved (not writable)"
    rec["note"] = f"FFT from k = {result['k']:.1f} on this machine; {where}"
    hold(rec, f"< {CALIBRATION_LIMIT_S:g} s", result["seconds"], "<", CALIBRATION_LIMIT_S)
    log(f"  calibration: {rec['note']} ({result['seconds']:.2f} s)")
    return [rec]


def lp_pool_window(*, log: Callable[[str], None], side: int = 32) -> list[dict[str, Any]]:
    """``lp_pool2d`` with a window as large as the image against a 2x2 window: first call and warm call.

    The first call traces and compiles; its cost must not grow with the window
    (it used to trace one slice per window cell: more than 12 s for 32x32).
    """
    import jax

    import cnnlib as cl

    x = jax.random.normal(jax.random.key(4), (8, 4, side, side), "float32")
    first, warm = {}, {}
    for k in (2, side):
        jax.clear_caches()
        call = (lambda k: lambda: cl.lp_pool2d(x, k, p=3.0))(k)
        first[k] = _first_call(call)[0]
        warm[k] = median(interleaved({"lp": call}, min_rounds=21, max_rounds=50, min_sample_s=MIN_SAMPLE_S)["lp"])
    ratio = first[side] / first[2]
    rec = record(SECTION, f"lp_pool2d {side}x{side} window on 8x4x{side}x{side}", "lp_pool2d", warm[side],
                 ratio=ratio, first_call_s=first[side], first_call_2x2_s=first[2], warm_2x2_s=warm[2])
    rec["note"] = (f"first call {first[side] * 1e3:.0f} ms against {first[2] * 1e3:.0f} ms with a 2x2 window; "
                   f"warm {warm[side] * 1e3:.2f} / {warm[2] * 1e3:.2f} ms")
    hold(rec, "first call <= 2x the 2x2 window's", ratio, "<=", 2.0)
    log(f"  lp_pool2d: {rec['note']}")
    return [rec]


def run(*, quick: bool = False, log: Callable[[str], None] = print, torch_python: str | None = None,
        **_: Any) -> list[dict[str, Any]]:
    budget = 0.5 if quick else 2.0
    records = calibration(log=log)  # first: every auto below uses this machine's crossover
    case_list = cases(quick)
    torch_times, torch_status = torch_medians(case_list, torch_python, budget)
    log(f"  torch: {torch_status}")
    for case in case_list:
        records += run_case(case, budget_s=budget, torch_s=torch_times.get(case.name), torch_status=torch_status, log=log)
    records += crossover(budget_s=budget, log=log)
    records += validation_overhead(log=log)
    records += lp_pool_window(log=log)
    records += import_time(log=log, repeats=3 if quick else 5)
    return records
