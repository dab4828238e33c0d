"""The student edition: the notebooks without their worked solutions.

Usage:
    python scripts/student_edition.py notebooks/NN_*.ipynb --out build/student
    python scripts/student_edition.py --verify notebooks/NN_*.ipynb   # execute and check (slow)

For each notebook, ``build/student/NN_name.ipynb`` is the same notebook with

* every cell tagged ``solution`` removed (the exercise cell before it keeps its
  stub ``answer = None`` and its checker call), and the short answers to
  "Questions to think about" (the markdown cell tagged ``answers``) removed;
* the outputs and execution counts of the exercise cells cleared, and those of
  any later cell that reads a name only a solution defines (the collection's
  rule is that there are none; such a cell is also reported);
* code that ``scripts/slides.py`` collapsed for the slides shown again (a
  student reads the code; the lecturer's deck shows only the figure).

Everything else, figures and widget state included, is kept as executed.

``--verify`` runs each student notebook in a fresh kernel (cwd ``notebooks/``)
with the exercises unsolved, and, right after each exercise cell, runs that
exercise's worked solution in a copy of the kernel's namespace: the copy sees
exactly the state a student who typed the solution there would have, and the
cells after it still run without it. One kernel per notebook checks both
editions: unsolved (every checker says "✗ Not yet." with a hint, nothing
fails, every cell runs) and solved (every checker says "✓ Correct.").
"""
from __future__ import annotations

import argparse
import ast
import asyncio
import concurrent.futures
import copy
import dataclasses
import json
import os
import pathlib
import sys
import time

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOT_YET = "\u2717 Not yet."
CORRECT = "\u2713 Correct."


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _names(src: str) -> tuple[set[str], set[str]]:
    """(names stored, names loaded) at any depth of a cell's code; magics are ignored."""
    lines = [line for line in src.split("\n") if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set(), set()
    stored, loaded = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (stored if isinstance(node.ctx, (ast.Store, ast.Del)) else loaded).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stored.add(node.name)
        elif isinstance(node, ast.arg):
            stored.add(node.arg)  # a parameter: local to its function, not read from outside
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            stored.update((a.asname or a.name).split(".")[0] for a in node.names)
    return stored, loaded


def exercises(nb) -> list[tuple[int, int | None]]:
    """(exercise cell index, index of its solution cell or None) in order."""
    pairs = []
    for i, cell in enumerate(nb.cells):
        if "exercise" in _tags(cell):
            nxt = next((j for j in range(i + 1, len(nb.cells)) if nb.cells[j].cell_type == "code"), None)
            pairs.append((i, nxt if nxt is not None and "solution" in _tags(nb.cells[nxt]) else None))
    return pairs


def _clear(cell) -> None:
    cell.outputs = []
    cell.execution_count = None


def student_edition(nb) -> tuple[nbformat.NotebookNode, list[str]]:
    """Return (student notebook, warnings) for an executed lecture notebook."""
    nb = copy.deepcopy(nb)
    warnings: list[str] = []
    only_in_solutions: set[str] = set()
    defined: set[str] = set()
    kept = []
    for i, cell in enumerate(nb.cells):
        tags = _tags(cell)
        if "answers" in tags:
            continue  # the short answers to "Questions to think about": the lecturer's
        if cell.cell_type != "code":
            kept.append(cell)
            continue
        stored, loaded = _names(_source(cell))
        if "solution" in tags:
            only_in_solutions |= stored - defined
            continue
        if "exercise" in tags:
            _clear(cell)
        else:
            uses = sorted((loaded - stored) & only_in_solutions)
            if uses:
                warnings.append(f"cell {i} uses {', '.join(uses)}, which only a solution defines: its outputs are cleared")
                _clear(cell)
        defined |= stored
        only_in_solutions -= stored
        meta = cell.metadata
        if meta.get("slideshow", {}).pop("hide_source", False):
            meta.get("jupyter", {}).pop("source_hidden", None)
            if "jupyter" in meta and not meta["jupyter"]:
                del meta["jupyter"]
        kept.append(cell)
    nb.cells = kept
    nb.metadata.setdefault("cnnlib", {})["edition"] = "student"
    return nb, warnings


def build(paths: list[pathlib.Path], out: pathlib.Path) -> list[pathlib.Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        nb, warnings = student_edition(nbformat.read(path, as_version=4))
        for w in warnings:
            print(f"{path.name}: {w}", file=sys.stderr)
        target = out / path.name
        nbformat.write(nb, target)
        written.append(target)
    return written


# --------------------------------------------------------------------- verification


@dataclasses.dataclass
class Run:
    """What happened when one student notebook was executed."""

    name: str
    seconds: float = 0.0
    code_cells: int = 0
    not_run: list[int] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    unsolved: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # (cell, checker text)
    solved: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    missing_solution: list[int] = dataclasses.field(default_factory=list)


def _stdout(cell) -> str:
    return "".join(_source({"source": o.get("text", "")}) for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _error_text(cell) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename')}: {out.get('evalue')}"[:300]
    return None


def _in_a_copy(solution: str) -> str:
    """Code that runs a solution in a copy of the user namespace (so later cells cannot see it)."""
    return (
        "exec(compile(" + json.dumps(solution) + ", '<worked solution>', 'exec'), dict(globals()))"
    )


async def _run_one(lecture: nbformat.NotebookNode, name: str, cwd: pathlib.Path, timeout: int) -> Run:
    from nbclient import NotebookClient

    student, _ = student_edition(lecture)
    solutions = [None if sol is None else _source(lecture.cells[sol]) for _, sol in exercises(lecture)]
    run = Run(name)
    client = NotebookClient(
        student, timeout=timeout, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    )
    start = time.perf_counter()
    async with client.async_setup_kernel():
        for index, cell in enumerate(student.cells):
            if cell.cell_type != "code":
                continue
            run.code_cells += 1
            await client.async_execute_cell(cell, index)
            if cell.execution_count is None:
                run.not_run.append(index)
            problem = _error_text(cell)
            if problem:
                run.errors.append(f"cell {index}: {problem}")
            if "exercise" not in _tags(cell):
                continue
            run.unsolved.append((index, _stdout(cell)))
            solution = solutions[len(run.unsolved) - 1] if len(run.unsolved) <= len(solutions) else None
            if solution is None:
                run.missing_solution.append(index)
                continue
            probe = nbformat.v4.new_code_cell(_in_a_copy(solution))
            await client.async_execute_cell(probe, index)
            problem = _error_text(probe)
            run.solved.append((index, _stdout(probe) + (f"\n{problem}" if problem else "")))
    run.seconds = time.perf_counter() - start
    return run


def verify(paths: list[pathlib.Path], workers: int | None = None, timeout: int = 600) -> list[Run]:
    """Execute the student edition of each notebook (``workers`` kernels at a time)."""
    workers = workers or max(1, min(2, os.cpu_count() or 1))
    cwd = ROOT / "notebooks"

    async def main() -> list[Run]:
        gate = asyncio.Semaphore(workers)

        async def one(path: pathlib.Path) -> Run:
            async with gate:
                return await _run_one(nbformat.read(path, as_version=4), path.name, cwd, timeout)

        return await asyncio.gather(*(one(p) for p in paths))

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no event loop in this thread
        return asyncio.run(main())
    # Called where a loop already runs (a notebook, or a test session that drives a
    # browser): run the kernels' loop in a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def _checker_lines(text: str) -> list[str]:
    """The lines a checker printed (other output, such as a printed value, is ignored)."""
    return [line.strip() for line in text.split("\n") if line.strip().startswith(("\u2713", "\u2717"))]


def problems(run: Run) -> tuple[list[str], list[str]]:
    """(problems with the unsolved edition, problems with the solved one)."""
    unsolved = [f"{run.name}: {e}" for e in run.errors]
    unsolved += [f"{run.name}: cell {i} did not run" for i in run.not_run]
    for i, text in run.unsolved:
        lines = _checker_lines(text)
        if not lines or not all(line.startswith(NOT_YET) and len(line) > len(NOT_YET) + 3 for line in lines):
            unsolved.append(f"{run.name}: exercise cell {i} printed {text.strip()[:200]!r}, not '{NOT_YET} <hint>'")
    solved = [f"{run.name}: exercise cell {i} has no worked solution" for i in run.missing_solution]
    for i, text in run.solved:
        lines = _checker_lines(text)
        if not lines or not all(line.startswith(CORRECT) for line in lines):
            solved.append(f"{run.name}: the solution of exercise cell {i} printed {text.strip()[:200]!r}, not '{CORRECT} ...'")
    return unsolved, solved


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "build" / "student")
    parser.add_argument("--verify", action="store_true", help="execute the student edition and check the exercises")
    args = parser.parse_args(argv)
    if args.verify:
        failed = False
        for run in verify(args.notebooks):
            bad = problems(run)
            failed |= bool(bad[0] or bad[1])
            print(f"{run.name}: {run.code_cells} cells, {len(run.unsolved)} exercises, {run.seconds:.1f} s")
            for line in bad[0] + bad[1]:
                print("  " + line)
        return 1 if failed else 0
    for target in build(args.notebooks, args.out):
        print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
