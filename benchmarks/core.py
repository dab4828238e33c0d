"""The machinery every benchmark section shares: records, targets, timers, a compilation counter, output.

A *record* is one measurement, a plain dict with at least the keys in
:data:`RECORD_KEYS`::

    {"section": "conv", "case": "1x1x256x256 k=3", "method": "auto",
     "median_s": 1.1e-4, "ratio": 0.04, "target": "<= 1.2x fastest cnnlib",
     "passed": True}

``ratio`` is relative to the section's reference (lax for the convolution
methods, the target's limit elsewhere; see each section). A record may be
held to several targets: :func:`hold` appends each to ``rec["targets"]`` and
keeps ``target`` (the texts joined by "; ") and ``passed`` (all of them) in
step. ``passed`` is ``None`` where a target cannot be judged (torch missing,
a widget that failed to build).
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import os
import pathlib
import platform
import statistics
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

RECORD_KEYS = ("section", "case", "method", "median_s", "ratio", "target", "passed")

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "==": lambda a, b: a == b,
}


# --------------------------------------------------------------------------- records and targets
def record(section: str, case: str, method: str, median_s: float | None = None, *, ratio: float | None = None,
           **extra: Any) -> dict[str, Any]:
    """A new record with no target yet (``target`` ``None``, ``passed`` ``None``)."""
    rec = {"section": section, "case": case, "method": method, "median_s": median_s, "ratio": ratio,
           "target": None, "passed": None, "targets": []}
    rec.update(extra)
    return rec


def judge(value: Any, op: str, limit: Any) -> bool | None:
    """``value op limit``, or ``None`` when the value is missing (``None`` or NaN)."""
    if op not in _OPS:
        raise ValueError(f"`op` must be one of {sorted(_OPS)}; got {op!r}.")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return bool(_OPS[op](value, limit))


def hold(rec: dict[str, Any], text: str, value: Any, op: str, limit: Any) -> bool | None:
    """Hold ``rec`` to the target ``value op limit`` (described by ``text``); return the verdict.

    ``rec["passed"]`` becomes False if any target fails, True if all that can be
    judged pass, and stays None while none can be judged.
    """
    verdict = judge(value, op, limit)
    rec.setdefault("targets", []).append({"text": text, "value": value, "op": op, "limit": limit, "passed": verdict})
    rec["target"] = "; ".join(t["text"] for t in rec["targets"])
    verdicts = [t["passed"] for t in rec["targets"] if t["passed"] is not None]
    rec["passed"] = None if not verdicts else all(verdicts)
    return verdict


def summary(records: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many targets passed, failed and could not be judged (each target of each record counts once)."""
    out = {"passed": 0, "failed": 0, "not judged": 0}
    for rec in records:
        for t in rec.get("targets", []):
            out["passed" if t["passed"] else "not judged" if t["passed"] is None else "failed"] += 1
    return out


# --------------------------------------------------------------------------- timing
def median(times: Sequence[float]) -> float:
    return statistics.median(times) if times else float("nan")


def percentile(times: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between order statistics, as ``numpy.percentile``."""
    if not times:
        return float("nan")
    xs = sorted(times)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def cpu_seconds(children: bool = False) -> float:
    """User + system CPU seconds of this process (all threads), or of its finished children."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def time_once(fn: Callable[[], Any]) -> float:
    """Seconds for one call of ``fn()``; the result is waited for when it has ``block_until_ready``."""
    t0 = time.perf_counter()
    out = fn()
    if hasattr(out, "block_until_ready"):
        out.block_until_ready()
    return time.perf_counter() - t0


def time_calls(fn: Callable[[], Any], number: int) -> float:
    """Seconds per call over ``number`` calls in a row, each waited for (a latency, averaged)."""
    if number == 1:
        return time_once(fn)
    t0 = time.perf_counter()
    for _ in range(number):
        out = fn()
        if hasattr(out, "block_until_ready"):
            out.block_until_ready()
    return (time.perf_counter() - t0) / number


def interleaved(fns: Mapping[str, Callable[[], Any]], *, min_rounds: int = 5, max_rounds: int = 50,
                budget_s: float = 1.0, seed: int = 0, warm: Iterable[str] | None = None,
                min_sample_s: float = 0.0) -> dict[str, list[float]]:
    """Warm timings of several functions, taken in turn (one timed call of each per round).

    Taking them in turn means that a burst of load from other processes hits
    every method alike, so the ratios between them stay meaningful on a
    shared machine. Each round visits the functions in a new random order,
    and each timed call follows an untimed call of the same function: XLA's
    worker threads go to sleep while NumPy runs, and without the untimed call
    whichever function came after NumPy would pay for waking them. Rounds
    continue until ``budget_s`` is spent (at least ``min_rounds``, at most
    ``max_rounds``). ``warm`` names the functions that get the untimed call
    (default: all; plain NumPy needs none). Compilation is not timed here:
    call each function once before.

    A call of a few microseconds is timed as the average of enough calls in
    a row to last ``min_sample_s`` (each call still waited for): on a small
    machine one such call takes 10, 20 or 50 µs depending on whether XLA's
    worker threads were awake, and a median of single calls jumps between
    those levels from run to run.
    """
    import random

    warm = set(fns) if warm is None else set(warm)
    order = list(fns)
    shuffle = random.Random(seed).shuffle
    times: dict[str, list[float]] = {name: [] for name in fns}
    number = dict.fromkeys(fns, 1)
    if min_sample_s > 0:
        for name, fn in fns.items():
            once = min(time_once(fn) for _ in range(3))
            number[name] = max(1, math.ceil(min_sample_s / max(once, 1e-9)))
    start = time.perf_counter()
    for r in range(max_rounds):
        shuffle(order)
        for name in order:
            if name in warm:
                time_once(fns[name])
            times[name].append(time_calls(fns[name], number[name]))
        if r + 1 >= min_rounds and time.perf_counter() - start > budget_s:
            break
    return times


# --------------------------------------------------------------------------- JAX compilations
BACKEND_COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"
_COMPILE_PREFIX = "/jax/core/compile/"
_ACTIVE: list[CompileCounter] = []
_INSTALLED = False


def _on_duration(event: str, duration: float, **kwargs: Any) -> None:
    if not event.startswith(_COMPILE_PREFIX):
        return
    for counter in _ACTIVE:
        counter.seconds += duration
        if event == BACKEND_COMPILE_EVENT:
            counter.names.append(str(kwargs.get("fun_name", "?")))


class CompileCounter:
    """Count XLA compilations (and seconds spent tracing, lowering, compiling) inside a ``with`` block.

    Listens to JAX's monitoring events (``jax.monitoring``): each backend
    compile emits ``/jax/core/compile/backend_compile_duration`` with the
    function's name; a call served from the jit cache emits nothing. Tested
    against jax 0.10.2.

    Examples
    --------
    >>> import jax, jax.numpy as jnp
    >>> f = jax.jit(lambda x: x + 1)
    >>> with CompileCounter() as c:
    ...     _ = f(jnp.ones(3)); _ = f(jnp.ones(3))
    >>> c.count
    1
    """

    def __init__(self) -> None:
        self.names: list[str] = []
        self.seconds = 0.0

    @property
    def count(self) -> int:
        return len(self.names)

    def __enter__(self) -> CompileCounter:
        global _INSTALLED
        if not _INSTALLED:
            import jax.monitoring

            jax.monitoring.register_event_duration_secs_listener(_on_duration)
            _INSTALLED = True
        _ACTIVE.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _ACTIVE.remove(self)


# --------------------------------------------------------------------------- the machine
def cpu_model() -> str:
    """``lscpu``'s model name, or what ``platform`` knows."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """Date, CPU, cores, load and library versions: the context a timing needs."""
    import jax
    import numpy as np

    info = {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "jax": jax.__version__,
        "numpy": np.__version__,
        "backend": jax.default_backend(),
    }
    if hasattr(os, "getloadavg"):
        info["load_1min"] = round(os.getloadavg()[0], 2)
    return info


# --------------------------------------------------------------------------- output
def _clean(value: Any) -> Any:
    """JSON-safe copy: NaN and infinities become None, tuples lists, NumPy scalars Python numbers."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path: str | os.PathLike, records: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> pathlib.Path:
    """Write ``{"meta": ..., "summary": ..., "records": [...]}`` to ``path`` (folders are created)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"meta": _clean(meta), "summary": summary(records), "records": [_clean(r) for r in records]}
    path.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")
    return path


def fmt_seconds(s: Any) -> str:
    """``1.5e-4`` -> ``'150 µs'``; ``None`` -> ``'-'``."""
    if s is None or (isinstance(s, float) and math.isnan(s)):
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs" if s >= 1e-5 else f"{s * 1e6:.1f} µs"
    if s < 1.0:
        return f"{s * 1e3:.3g} ms"
    return f"{s:.3g} s"


def fmt_ratio(r: Any) -> str:
    if r is None or (isinstance(r, float) and math.isnan(r)):
        return "-"
    return f"{r:.3g}x"


def verdict_text(passed: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: ""}[passed]


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """A plain-text table, columns padded to their widest cell (Markdown-compatible)."""
    cells = [[str(c) for c in header]] + [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in cells[1:]])


def default_table(records: Sequence[Mapping[str, Any]], extra: Sequence[tuple[str, Callable[[Mapping], Any]]] = ()) -> str:
    """The table most sections print: case, method, median, ratio, extra columns, target, verdict."""
    header = ["case", "method", "median", "ratio", *(name for name, _ in extra), "target", ""]
    rows = [
        [r["case"], r["method"], fmt_seconds(r["median_s"]), fmt_ratio(r["ratio"]),
         *(get(r) for _, get in extra), r["target"] or "", verdict_text(r["passed"])]
        for r in records
    ]
    return table(rows, header)
