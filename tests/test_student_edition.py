"""The student edition (scripts/student_edition.py): no worked solutions, and it still runs.

Structure: no solution cell and no solution code is left, every exercise keeps
its stub and its checker call with no stored output, and nothing else changes.

Execution (one fresh kernel per notebook, two notebooks at a time, cwd
notebooks/): with the exercises unsolved every checker prints
"✗ Not yet. <hint>", no cell fails and every cell after an exercise runs; with
each exercise's worked solution typed in at its place every checker prints
"✓ Correct.". Both editions are checked in the same kernel run: the solution
runs right after its exercise in a copy of the namespace, so the cells after
it run exactly as in the unsolved edition (see ``student_edition.verify``).
"""
from __future__ import annotations

import pathlib
import sys
import time

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import student_edition as se  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    se.build(NOTEBOOKS, out)
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_edition_has_no_solutions_and_keeps_the_exercises(edition, path):
    lecture = nbformat.read(path, as_version=4)
    student = nbformat.read(edition / path.name, as_version=4)
    nbformat.validate(student)
    solutions = [c for c in lecture.cells if "solution" in _tags(c)]
    exercises = [c for c in lecture.cells if "exercise" in _tags(c)]
    assert not [c for c in student.cells if "solution" in _tags(c)], "a solution cell is left"
    student_code = {se._source(c) for c in student.cells}
    for sol in solutions:
        assert se._source(sol) not in student_code, "a worked solution is still in the student edition"
    kept = [c for c in student.cells if "exercise" in _tags(c)]
    assert [se._source(c) for c in kept] == [se._source(c) for c in exercises], "the exercise stubs changed"
    for cell in kept:
        assert cell.outputs == [] and cell.execution_count is None, "an exercise cell keeps a stored output"
        assert "= None" in se._source(cell) and "cl.exercises.check_" in se._source(cell)
    answers = [c for c in lecture.cells if "answers" in _tags(c)]
    assert not [c for c in student.cells if "answers" in _tags(c)], "the short answers to the questions are left"
    assert len(student.cells) == len(lecture.cells) - len(solutions) - len(answers), "only solutions and answers may go"
    others = [c for c in lecture.cells if not {"solution", "exercise", "answers"} & set(_tags(c))]
    assert [se._source(c) for c in others] == [se._source(c) for c in student.cells if "exercise" not in _tags(c)]


def test_cells_reading_a_solutions_name_lose_their_outputs():
    cells = [
        nbformat.v4.new_code_cell("import cnnlib as cl\nx = 1"),
        nbformat.v4.new_code_cell("answer = None\ncl.exercises.check_a(answer)"),
        nbformat.v4.new_code_cell("helper = 2 * x\nanswer = helper\ncl.exercises.check_a(answer)"),
        nbformat.v4.new_code_cell("print(helper)"),
        nbformat.v4.new_code_cell("def f(helper):\n    return helper\nprint(x)"),
    ]
    cells[1].metadata["tags"] = ["exercise"]
    cells[2].metadata["tags"] = ["solution"]
    for c in cells:
        c.outputs = [nbformat.v4.new_output("stream", name="stdout", text="out\n")]
        c.execution_count = 1
    student, warnings = se.student_edition(nbformat.v4.new_notebook(cells=cells))
    assert len(student.cells) == 4
    assert student.cells[1].outputs == []  # the exercise
    assert student.cells[2].outputs == [] and "helper" in warnings[0]  # reads a name only the solution set
    assert student.cells[3].outputs, "a parameter named like a solution variable is not a use of it"
    assert student.cells[0].outputs


@pytest.fixture(scope="module")
def runs():
    start = time.perf_counter()
    results = {run.name: run for run in se.verify(NOTEBOOKS)}
    elapsed = time.perf_counter() - start
    print(f"\nstudent editions executed in {elapsed:.1f} s: " + ", ".join(f"{n} {r.seconds:.0f} s" for n, r in results.items()))
    return results


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_unsolved_student_edition_runs_and_every_checker_says_not_yet(runs, path):
    run = runs[path.name]
    unsolved, _ = se.problems(run)
    assert run.unsolved, f"{path.name}: no exercise was run"
    assert not unsolved, "\n".join(unsolved)
    assert not run.not_run and run.code_cells > 0


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_with_the_solutions_filled_in_every_checker_says_correct(runs, path):
    run = runs[path.name]
    _, solved = se.problems(run)
    assert len(run.solved) == len(run.unsolved), f"{path.name}: an exercise has no worked solution"
    assert not solved, "\n".join(solved)
