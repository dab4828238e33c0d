"""Each stored notebook is clean: one top-to-bottom run, no errors, no paths, small, on template.

nbval re-runs the notebooks and compares outputs; this file checks what nbval
does not: how they were stored and that they follow the collection's template.
"""
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MACHINE_PATH = re.compile(r"(/work/|/root/|/tmp/|/home/|/Users/|[A-Z]:\\\\)[\w./\\-]+")


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_from_one_clean_run(path):
    code = [c for c in _cells(path) if c["cell_type"] == "code" and _source(c).strip()]
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), f"execution counts {counts[:10]}...: re-run with `make notebooks`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_errors_and_no_machine_paths(path):
    for i, cell in enumerate(_cells(path)):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"cell {i} stores an error: {out.get('ename')}"
            assert not (out.get("output_type") == "stream" and out.get("name") == "stderr" and "Traceback" in "".join(out.get("text", ""))), f"cell {i} prints a traceback"
            text = json.dumps(out.get("text", "")) + json.dumps(out.get("data", {}).get("text/plain", ""))
            match = MACHINE_PATH.search(text)
            assert match is None, f"cell {i} prints a machine path: {match.group(0)[:60]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_small_enough_for_the_web(path):
    assert path.stat().st_size < 2_000_000, f"{path.name} is {path.stat().st_size / 1e6:.1f} MB"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_follows_the_template(path):
    cells = _cells(path)
    markdown = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    code = [_source(c) for c in cells if c["cell_type"] == "code"]
    assert cells[0]["cell_type"] == "markdown" and _source(cells[0]).lstrip().startswith("# "), "starts with a title"
    for heading in ("Learning goals", "Summary", "Questions to think about"):
        assert heading in markdown, f"missing section {heading!r}"
    assert any("import cnnlib as cl" in src for src in code[:2]), "the setup cell imports cnnlib as cl"
    setup = next(src for src in code if "import cnnlib as cl" in src)
    assert "%matplotlib inline" in setup, "the setup cell asks for inline figures (a user's MPLBACKEND would hide them)"
    assert sum(src.count("assert ") for src in code) >= 5, "numbers the lecture claims are asserted"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_have_hidden_solutions(path):
    cells = _cells(path)
    tags = [c.get("metadata", {}).get("tags", []) for c in cells]
    exercises = [i for i, t in enumerate(tags) if "exercise" in t]
    solutions = [i for i, t in enumerate(tags) if "solution" in t]
    assert len(exercises) >= 2, "at least two exercises"
    assert len(solutions) == len(exercises), "one solution cell per exercise"
    for i in solutions:
        assert cells[i].get("metadata", {}).get("jupyter", {}).get("source_hidden"), f"solution cell {i} is hidden"
        assert "cl.exercises.check_" in _source(cells[i]), f"solution cell {i} calls its checker"
    for i in exercises:
        assert "cl.exercises.check_" in _source(cells[i]), f"exercise cell {i} calls its checker"


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# Why a cell may carry NBVAL_IGNORE_OUTPUT besides showing a widget: it prints timings or a training progress bar.
LEGITIMATE_VARIATION = re.compile(r"perf_counter|timeit|\(timing\)|measure_|benchmark|train|progress|tqdm", re.I)


def _shows_widget(cell) -> bool:
    return any(WIDGET_MIME in out.get("data", {}) for out in cell.get("outputs", []))


def _ignores_output(cell) -> bool:
    return any(line.strip() == "# NBVAL_IGNORE_OUTPUT" for line in _source(cell).splitlines())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_cells_are_exempt_and_nothing_else(path):
    shown = 0
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] != "code":
            continue
        if _shows_widget(cell):
            shown += 1
            assert _ignores_output(cell), f"cell {i} shows a widget but has no '# NBVAL_IGNORE_OUTPUT' line"
        elif _ignores_output(cell):
            assert LEGITIMATE_VARIATION.search(_source(cell)), (
                f"cell {i} is exempt from nbval but shows no widget, timing or training progress"
            )
    assert shown >= 1, "each notebook has at least one widget, stored with its state"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_questions_come_with_short_answers(path):
    """Every "Questions to think about" is followed by a collapsed markdown cell of short answers.

    The cell is tagged ``answers``: the student edition drops it, the decks make it
    speaker notes and the static site puts it behind a switch.
    """
    cells = _cells(path)
    at = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "Questions to think about" in _source(c)]
    assert at, "no 'Questions to think about' section"
    questions = _source(cells[at[-1]])
    answers = cells[at[-1] + 1] if at[-1] + 1 < len(cells) else None
    assert answers is not None and answers["cell_type"] == "markdown", "the questions are followed by a markdown cell of answers"
    assert "answers" in answers.get("metadata", {}).get("tags", []), "the answers cell is tagged 'answers'"
    assert answers.get("metadata", {}).get("jupyter", {}).get("source_hidden"), "the answers cell is collapsed"
    n_questions = len(re.findall(r"^\s*\d+\.\s", questions, re.M))
    n_answers = len(re.findall(r"^\s*\d+\.\s", _source(answers), re.M))
    assert n_questions >= 1 and n_answers == n_questions, f"{n_questions} numbered questions, {n_answers} numbered answers"


def _printed(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append("".join(out.get("text", "")))
        else:
            text = out.get("data", {}).get("text/plain", "")
            parts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_measured_numbers_are_asserted(path):
    """A printed line marked "(measured)" is not compared by nbval, so an assert in its cell must hold it."""
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] == "code" and re.search(r"\(measured\)[ \t]*$", _printed(cell), re.M):
            assert re.search(r"^\s*assert\b", _source(cell), re.M), f"cell {i} prints (measured) numbers but asserts nothing"


FLOAT32_REPR = re.compile(r"\d\.\d{6,}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_unrounded_floats_are_printed(path):
    """Seven or more decimals of a float depend on the processor's summation order: round them."""
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] != "code" or _ignores_output(cell):
            continue
        match = FLOAT32_REPR.search(_printed(cell))
        assert match is None, f"cell {i} prints an unrounded float {match.group(0)!r}"
