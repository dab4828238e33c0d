"""Section "widgets": how long one slider tick takes, and whether it compiles anything.

A tick is what happens in the kernel when the lecturer lets go of a slider:
``control.value = v`` runs the widget's update function and renders the
canvas to the PNG the front end receives (:func:`cnnlib.widgets.explorer`).
Each widget is built once (its first tick happens inside the builder), then
every control is swept through its values (at most :data:`MAX_VALUES` per
control, ends included) and back, twice; each tick is timed, the PNG render
inside it is timed separately, and JAX compilations during the sweep are
counted with :class:`benchmarks.core.CompileCounter`.

The notebooks' plotting defaults (``cl.plot.setup()``) are applied first, as
in every notebook's setup cell. Widgets are found in two ways: :data:`REGISTRY` names each builder and how
to make its input; any other ``*_explorer`` in ``cl.widgets`` is tried with
the inputs in :func:`_guesses` and measured too (marked "discovered"), so a
widget added after this file was written is still measured.
"""
from __future__ import annotations

import cProfile
import io
import pstats
import time
from collections.abc import Callable
from typing import Any

from .core import CompileCounter, hold, median, percentile, record

SECTION = "widgets"
MAX_VALUES = 8
PASSES = 2
TARGET_MEDIAN_S = 0.050
TARGET_P95_S = 0.100


def _grey(size: int = 128):
    import cnnlib as cl

    return cl.load_image("cat", grey=True, size=size)


def _zone(n: int = 128):
    import cnnlib as cl

    return cl.aliasing.zone_plate(n)  # notebook 05's zone plate


def _detector():
    return [0.1, 1.0, 0.2, 0.1, 0.0, 0.3, 0.9, 0.4, 0.2, 0.8, 0.5, 0.2]  # notebook 03's detector row


#: builder name in ``cl.widgets`` -> function returning (args, kwargs) for it, as the notebooks call it.
REGISTRY: dict[str, Callable[[], tuple[tuple, dict]]] = {
    "filter_explorer": lambda: ((_grey(),), {}),  # notebook 00
    "connectivity_explorer": lambda: ((7,), {}),  # notebook 01
    "receptive_field_explorer": lambda: ((_grey(),), {}),
    "weight_sharing_explorer": lambda: ((), {}),  # notebook 02
    "stride_explorer": lambda: ((), {}),
    "equivariance_explorer": lambda: ((_grey(),), {}),  # notebook 03 (on the cat inside a soft disc)
    "pooling_shift_explorer": lambda: ((_detector(),), {}),
    "rind_explorer": lambda: ((), {"alpha": 0.9}),  # notebook 04
    "dimension_explorer": lambda: ((), {}),
    "zone_plate_explorer": lambda: ((_zone(),), {}),  # notebook 05
    "toy_shift_explorer": lambda: ((), {}),
}


def _guesses() -> list[tuple[tuple, dict]]:
    """Inputs tried, in order, for a builder that is not in the registry."""
    return [((), {}), ((_grey(),), {}), ((_grey(64),), {})]


def discover() -> dict[str, Callable[[], tuple[tuple, dict]] | None]:
    """Every widget builder to measure: the registry's, then each other public ``*_explorer``."""
    import cnnlib as cl

    found: dict[str, Any] = {name: make for name, make in REGISTRY.items() if hasattr(cl.widgets, name)}
    for name in sorted(dir(cl.widgets)):
        if name.endswith("_explorer") and not name.startswith("_") and name not in found:
            found[name] = None  # no registered inputs: guess
    return found


def build(name: str, make: Callable[[], tuple[tuple, dict]] | None):
    """Build widget ``name``; return (box, how it was built, seconds)."""
    import cnnlib as cl

    builder = getattr(cl.widgets, name)
    attempts = [make()] if make is not None else _guesses()
    error: Exception | None = None
    for args, kwargs in attempts:
        try:
            t0 = time.perf_counter()
            box = builder(*args, **kwargs)
            seconds = time.perf_counter() - t0
        except Exception as err:  # noqa: BLE001 - a guessed input may be wrong; try the next
            error = err
            continue
        if hasattr(box, "controls"):
            how = "registry" if make is not None else f"discovered, {len(args)} positional arg(s)"
            return box, how, seconds
    raise RuntimeError(f"could not build {name}: {type(error).__name__}: {error}")


def sweep_values(control: Any, max_values: int = MAX_VALUES) -> list[Any]:
    """The values a sweep sets on ``control``: its options, or its range evenly sampled (ends included)."""
    import numpy as np

    options = getattr(control, "_options_values", None)
    if options is not None:  # Dropdown, ToggleButtons, RadioButtons, Select, SelectionSlider
        values = list(options)
    elif isinstance(getattr(control, "value", None), bool):  # Checkbox, ToggleButton
        values = [not control.value, control.value]
    elif all(hasattr(control, a) for a in ("min", "max")) and not isinstance(control.value, (tuple, list)):
        lo, hi = control.min, control.max
        if hasattr(control, "base"):  # FloatLogSlider: min and max are exponents
            values = list(control.base ** np.linspace(lo, hi, max_values))
        elif isinstance(control.value, int):
            step = int(getattr(control, "step", 1) or 1)
            values = list(range(lo, hi + 1, step))
        else:
            values = [float(v) for v in np.linspace(lo, hi, max_values)]
    else:
        return []
    if len(values) > max_values:
        idx = np.unique(np.round(np.linspace(0, len(values) - 1, max_values)).astype(int))
        values = [values[i] for i in idx]
    return values


def sweep(box: Any, *, passes: int = PASSES, max_values: int = MAX_VALUES):
    """Move every control of ``box`` through its values and back.

    Returns wall seconds per tick, PNG seconds per tick, PNG sizes, wall
    seconds per tick for each control, and CPU seconds per tick and per PNG
    (all threads of this process: less sensitive to other processes' load
    than wall time).
    """
    canvas = box.canvas
    render = canvas.png
    png_times: list[float] = []
    png_cpu: list[float] = []

    def timed_png() -> bytes:
        c0, t0 = time.process_time(), time.perf_counter()
        out = render()
        png_times.append(time.perf_counter() - t0)
        png_cpu.append(time.process_time() - c0)
        return out

    canvas.png = timed_png  # the explorer looks the method up on each tick
    ticks: list[float] = []
    per_control: dict[str, list[float]] = {}
    sizes: list[int] = []
    cpu: list[float] = []
    try:
        for _ in range(passes):
            for name, control in box.controls.items():
                start = control.value
                for value in [*sweep_values(control, max_values), start]:
                    if value == control.value:
                        continue
                    n_png = len(png_times)
                    c0, t0 = time.process_time(), time.perf_counter()
                    control.value = value
                    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
                    if len(png_times) > n_png:  # the value really changed: a tick happened
                        ticks.append(seconds)
                        cpu.append(cpu_seconds)
                        per_control.setdefault(name, []).append(seconds)
                        sizes.append(len(box.image.value))
    finally:
        del canvas.png
    return ticks, png_times, sizes, per_control, (cpu, png_cpu)


def profile_ticks(box: Any, top: int = 12) -> str:
    """cProfile of one pass of the sweep: the functions with the most cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    sweep(box, passes=1, max_values=4)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def measure(name: str, make: Any, *, passes: int = PASSES, profile: bool = False, log: Callable[[str], None] = print):
    try:
        with CompileCounter() as first:
            box, how, build_s = build(name, make)
    except Exception as err:  # noqa: BLE001 - report a broken widget instead of stopping the run
        rec = record(SECTION, name, "all controls", None, note=f"not measured: {err}"[:200])
        hold(rec, "builds", False, "==", True)
        return [rec]
    with CompileCounter() as later:
        ticks, png, sizes, per_control, (cpu, png_cpu) = sweep(box, passes=passes)
    med, p95 = median(ticks), percentile(ticks, 95)
    rec = record(SECTION, name, "all controls", med, ratio=med / TARGET_MEDIAN_S, p95_s=p95, ticks=len(ticks),
                 cpu_median_s=median(cpu), png_cpu_median_s=median(png_cpu), png_median_s=median(png), png_kib=median(sizes) / 1024 if sizes else None, compiles=later.count,
                 compiled=sorted(set(later.names)), build_s=build_s, build_compiles=first.count, built_by=how)
    engine = box.canvas.fig.get_layout_engine()
    rec["layout_engine"] = "none" if engine is None else type(engine).__name__.replace("LayoutEngine", "")
    rec["note"] = (f"{len(ticks)} ticks; CPU {rec['cpu_median_s'] * 1e3:.0f} ms, of it PNG "
                   f"{rec['png_cpu_median_s'] * 1e3:.0f} ms; {rec['png_kib'] or 0:.0f} KiB; "
                   f"layout engine: {rec['layout_engine']}")
    rec["cpu_within_target"] = rec["cpu_median_s"] <= TARGET_MEDIAN_S  # information, as for notebooks
    hold(rec, "median <= 50 ms", med, "<=", TARGET_MEDIAN_S)
    hold(rec, "p95 <= 100 ms", p95, "<=", TARGET_P95_S)
    hold(rec, "0 compilations after the first tick", later.count, "==", 0)
    records = [rec]
    for control, times in per_control.items():
        records.append(record(SECTION, name, f"  {control}", median(times), ratio=median(times) / TARGET_MEDIAN_S,
                              p95_s=percentile(times, 95), ticks=len(times)))
    log(f"  {name}: median {med * 1e3:.1f} ms, p95 {p95 * 1e3:.1f} ms, PNG {rec['png_median_s'] * 1e3:.1f} ms, "
        f"{later.count} compilation(s) after the first tick")
    if profile and rec["passed"] is False:
        rec["profile"] = profile_ticks(box)
        log(rec["profile"])
    box.canvas.fig.clear()
    return records


def run(*, quick: bool = False, log: Callable[[str], None] = print, profile: bool = False, **_: Any) -> list[dict[str, Any]]:
    import matplotlib

    import cnnlib as cl

    matplotlib.use("Agg")
    cl.plot.setup()  # the notebooks' plotting defaults: the widgets render under them there
    records = []
    try:
        found = discover()
    except Exception as err:  # noqa: BLE001 - cnnlib.widgets itself does not import: say so, keep the run going
        rec = record(SECTION, "cnnlib.widgets", "all controls", None, note=f"not measured: {type(err).__name__}: {err}"[:200])
        hold(rec, "builds", False, "==", True)
        log(f"  {rec['note']}")
        return [rec]
    for name, make in found.items():
        records += measure(name, make, passes=1 if quick else PASSES, profile=profile, log=log)
    return records
