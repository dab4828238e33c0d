"""Section "notebooks": wall time of each notebook under nbval, against a floor measured in the same run.

Each notebook runs as ``python -m pytest notebooks/NN_name.ipynb -q`` (the
project's pytest options: nbval, the sanitize file, the current environment),
one after another, timed from outside. The *floor* is a generated notebook in
``build/`` that only starts a kernel and imports jax and cnnlib: what any
notebook costs before it does anything. It is run before and after the
notebooks and the two are averaged, so a change in the machine's load during
the run shows in the spread.

Budgets: each notebook <= 30 s, or 60 s if it trains a net (its code calls
``cl.nets.train`` or another trainer, see :data:`TRAINING`). The collection
<= 4 x floor for each notebook that does not train, plus 60 s for each that
does.
"""
from __future__ import annotations

import os
import pathlib
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from .core import hold, record

SECTION = "notebooks"
ROOT = pathlib.Path(__file__).resolve().parent.parent
FLOOR = ROOT / "build" / "bench" / "floor.ipynb"
BUDGET_S = 30.0
TRAINING_BUDGET_S = 60.0
FLOOR_FACTOR = 4.0
SLOWEST = 3  # cells named per notebook (pytest --durations)
DURATION = re.compile(r"^\s*([\d.]+)s\s+call\s+\S+::Cell (\d+)\s*$", re.M)
TRAINING = re.compile(
    r"\bcl\.nets\.(train|digits_cnn|digits_shift_experiment|fit)\w*\(|\bnets\.train\(|\blenet\.train\("
    r"|\blearning_curve\(|\btrain_rotation_detector\(|\bcanvas_experiment\("
)


def floor_notebook(path: pathlib.Path = FLOOR) -> pathlib.Path:
    """Write the floor notebook (start a kernel, import jax and cnnlib) to ``path``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("import jax\nimport cnnlib as cl", execution_count=1)
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def trains(path: pathlib.Path) -> bool:
    """Whether a notebook's code trains a network (and so has the 60 s budget)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return any(TRAINING.search(c.source) for c in nb.cells if c.cell_type == "code")


def find(patterns: Sequence[str] = ()) -> list[pathlib.Path]:
    """``notebooks/NN_*.ipynb``, optionally only those whose name contains one of ``patterns``."""
    found = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return [p for p in found if not patterns or any(s in p.name for s in patterns)]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def slowest_cells(output: str, path: pathlib.Path) -> list[dict[str, Any]]:
    """The cells pytest's ``--durations`` report names: seconds, code-cell number, first line of code."""
    import nbformat

    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    out = []
    for seconds, num in DURATION.findall(output):
        lines = [ln for ln in code[int(num)].splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        out.append({"seconds": float(seconds), "cell": int(num), "code": (lines[0] if lines else "")[:70]})
    return out


def nbval_seconds(path: pathlib.Path, timeout: float = 600) -> tuple[float, int, str, float, list[dict[str, Any]]]:
    """Run ``pytest <path>`` under the project's options.

    Returns wall seconds, exit code, the last line of pytest's output, the
    CPU seconds of pytest and the kernel it started (both are waited for, so
    their usage reaches this process's ``RUSAGE_CHILDREN``), and the slowest
    cells.
    """
    cmd = [sys.executable, "-m", "pytest", str(path.relative_to(ROOT)), "-q", f"--durations={SLOWEST}",
           "--durations-min=0.5"]
    # as a plain `pytest` from a shell: the benchmark's own MPLBACKEND=Agg would reach the kernel and
    # silence plt.show() in notebooks that rely on the inline backend (nbval then reports missing figures)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    c0 = _children_cpu()
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False, env=env)
        rc, text = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired:
        rc, text = 124, f"timed out after {timeout:.0f} s"
    seconds = time.perf_counter() - t0
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return seconds, rc, (lines[-1] if lines else ""), _children_cpu() - c0, slowest_cells(text, path)


def run(*, quick: bool = False, log: Callable[[str], None] = print, notebooks: Sequence[str] = (),
        **_: Any) -> list[dict[str, Any]]:
    paths = find(notebooks)
    floor = floor_notebook()
    floors, floor_cpu = [], []
    seconds, rc, last, cpu, _ = nbval_seconds(floor)
    floors.append(seconds)
    floor_cpu.append(cpu)
    log(f"  floor: {seconds:.1f} s, CPU {cpu:.1f} s ({last})")
    results = []
    for path in paths:
        seconds, rc, last, cpu, slow = nbval_seconds(path)
        results.append((path, seconds, rc, last, cpu, slow))
        log(f"  {path.name}: {seconds:.1f} s, CPU {cpu:.1f} s ({last}); slowest cells: "
            + "; ".join(f"{c['seconds']:.1f} s cell {c['cell']} `{c['code']}`" for c in slow))
    if not quick and paths:
        seconds, rc, last, cpu, _ = nbval_seconds(floor)
        floors.append(seconds)
        floor_cpu.append(cpu)
        log(f"  floor again: {seconds:.1f} s, CPU {cpu:.1f} s")
    floor_s = sum(floors) / len(floors)
    records = [record(SECTION, "floor (kernel + import jax, cnnlib)", "nbval", floor_s, ratio=1.0, runs=floors,
                      cpu_s=sum(floor_cpu) / len(floor_cpu))]
    if len(floors) > 1:
        records[0]["note"] = f"before {floors[0]:.1f} s, after {floors[1]:.1f} s"
    allowance = 0.0
    total = 0.0
    for path, seconds, rc, last, cpu, slow in results:
        training = trains(path)
        budget = TRAINING_BUDGET_S if training else BUDGET_S
        allowance += TRAINING_BUDGET_S if training else FLOOR_FACTOR * floor_s
        total += seconds
        rec = record(SECTION, path.stem, "nbval", seconds, ratio=seconds / floor_s, trains=training, exit_code=rc,
                     pytest=last, cpu_s=cpu, slowest_cells=slow)
        rec["cpu_within_budget"] = cpu <= budget  # information: what a machine without other load would likely see
        rec["note"] = ("trains a net; " if training else "") + last
        hold(rec, f"<= {budget:.0f} s", seconds, "<=", budget)
        hold(rec, "passes nbval", rc, "==", 0)
        records.append(rec)
    if results:
        rec = record(SECTION, f"collection ({len(results)} notebooks)", "nbval", total, ratio=total / allowance,
                     allowance_s=allowance)
        rec["note"] = f"allowance {allowance:.0f} s = 4 x floor per notebook, 60 s per training notebook"
        hold(rec, "<= allowance", total, "<=", allowance)
        records.append(rec)
    return records
