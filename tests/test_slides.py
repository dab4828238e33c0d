"""Slide metadata: every notebook presents as a clean deck (scripts/slides.py).

The stored notebooks carry ``metadata.slideshow`` on every cell (a ``slide_type`` except where a cell continues the slide), and
no slide holds more than ``slides.BUDGET`` lines (a figure counts
``IMAGE_LINES``, a widget ``WIDGET_LINES``). Slide types may be tuned by hand
afterwards (a fragment here and there): only the budget is enforced. ``annotate`` is checked on small
notebooks built here: which cells start slides, which are skipped or become
notes, that it is idempotent, and that splitting a long markdown cell keeps
its text.
"""
from __future__ import annotations

import copy
import pathlib
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import slides  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FIX = "run `.venv/bin/python scripts/slides.py annotate notebooks/*.ipynb` (or `make slides`)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_cell_has_slide_metadata_and_no_slide_overflows(path):
    nb = nbformat.read(path, as_version=4)
    problems = slides.check(nb, path.name)
    assert not problems, "\n".join(problems) + f"\n{FIX}"


# --------------------------------------------------------------------- annotate on small notebooks

PNG = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}


def _md(text):
    return nbformat.v4.new_markdown_cell(text)


def _code(text, outputs=(), tags=()):
    cell = nbformat.v4.new_code_cell(text)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _figure():
    return {"output_type": "display_data", "data": PNG, "metadata": {}}


def _printed(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


def _widget():
    return {
        "output_type": "execute_result", "execution_count": 1, "metadata": {},
        "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0}, "text/plain": "VBox()"},
    }


def _lesson():
    long_plot = "\n".join(["fig, ax = plt.subplots()"] + [f"ax.plot(x, x ** {i})" for i in range(12)])
    cells = [
        _md("# 09 A title\n\nWhy it matters.\n\n**Learning goals.**\n\n* one\n* two"),
        _code("import jax\nimport cnnlib as cl\ncl.plot.setup()"),
        _md("## 1. First idea\n\nSome words."),
        _code("x = 1\nprint(x)", [_printed("1\n")]),
        _md("### A detail"),
        _code(long_plot, [_figure()]),
        _md("Move the slider:"),
        _code("# NBVAL_IGNORE_OUTPUT\ncl.widgets.some_explorer(x)", [_widget()]),
        _md("After the widget."),
        _code("\n".join(f"y{i} = {i}" for i in range(15))),
        _md("## Exercises\n\n**Exercise 1.** Compute it."),
        _code("answer = None  # your answer\ncl.exercises.check_it(answer)", [_printed("✗ Not yet. Hint.\n")], ["exercise"]),
        _code("answer = 3\ncl.exercises.check_it(answer)", [_printed("✓ Correct. Yes.\n")], ["solution"]),
        _md("**Exercise 2.** And this."),
        _code("answer = None\ncl.exercises.check_that(answer)", [], ["exercise"]),
        _code("answer = 4\ncl.exercises.check_that(answer)", [], ["solution"]),
        _md("## Questions to think about\n\n1. Why?"),
        _md("**Short answers.**\n\n1. Because."),
    ]
    cells[15].metadata["jupyter"] = {"source_hidden": True}
    cells[17].metadata["tags"] = ["answers"]
    cells[17].metadata["jupyter"] = {"source_hidden": True}
    return nbformat.v4.new_notebook(cells=cells)


def _kinds(nb):
    return [slides.slide_type(c) for c in nb.cells]


def test_annotate_lays_out_slides_from_structure():
    nb = _lesson()
    slides.annotate(nb)
    kinds = _kinds(nb)
    assert kinds[0] == "slide"  # title
    assert kinds[1] == "skip"  # setup cell
    assert kinds[2] == "slide" and kinds[4] == "subslide"  # ## and ###
    assert kinds[6] == "subslide" and kinds[7] == "-"  # a widget with its introduction
    assert kinds[8] == "subslide"  # what follows a widget starts a new slide
    assert kinds[9] == "skip"  # long code with no output
    assert kinds[10] == "slide" and kinds[11] == "-"  # exercise heading with its first stub
    assert kinds[12] == "notes" and kinds[15] == "notes"  # worked solutions: speaker notes
    assert kinds[13] == "subslide"  # each further exercise on its own slide
    assert kinds[16] == "slide" and kinds[17] == "notes"  # short answers to the questions: speaker notes
    assert "rise" not in nb.metadata
    # jupyterlab-deck 0.2.0 shows a cell marked "-" on no slide: "continue the slide" is no slide_type
    assert all(c.metadata["slideshow"].get("slide_type") != "-" for c in nb.cells)
    assert "slide_type" not in nb.cells[7].metadata["slideshow"]
    assert not slides.check(nb)


def test_long_figure_code_shows_only_its_figure_and_that_is_undone_when_it_gets_short():
    nb = _lesson()
    slides.annotate(nb)
    plot = nb.cells[5]
    assert plot.metadata["jupyter"]["source_hidden"] and plot.metadata["slideshow"]["hide_source"]
    assert slides.cell_lines(plot) == 1 + slides.IMAGE_LINES
    short = nb.cells[3]
    assert "jupyter" not in short.metadata  # short code stays visible
    plot.source = "plt.plot(x)"
    slides.annotate(nb)
    assert "jupyter" not in plot.metadata and "hide_source" not in plot.metadata["slideshow"]
    assert nb.cells[15].metadata["jupyter"]["source_hidden"], "a solution the author hid stays hidden"


def test_annotate_is_idempotent():
    nb = _lesson()
    slides.annotate(nb)
    once = copy.deepcopy(nb)
    slides.annotate(nb)
    assert nb == once


def test_a_cell_that_does_not_fit_starts_a_subslide():
    cells = [_md("# T"), _code("import cnnlib as cl")]
    cells += [_code(f"plt.imshow(a{i})", [_figure()]) for i in range(3)]
    nb = nbformat.v4.new_notebook(cells=cells)
    slides.annotate(nb)
    assert _kinds(nb) == ["slide", "skip", "-", "subslide", "-"] or _kinds(nb)[2:].count("subslide") >= 1
    for s in slides.slides(nb):
        assert s["lines"] <= slides.BUDGET


def test_a_long_markdown_cell_is_split_at_headings_and_paragraphs_with_its_text_kept():
    summary = "## Summary\n\n" + "\n\n".join(f"* point {i} " + "word " * 30 for i in range(12))
    questions = "## Questions to think about\n\n" + "\n".join(f"{i}. Why {i}?" for i in range(1, 6))
    fenced = "```python\n" + "\n".join(f"line {i}" for i in range(4)) + "\n\n```"
    text = summary + "\n\n" + fenced + "\n\n" + questions
    nb = nbformat.v4.new_notebook(cells=[_md("# T"), _md(text)])
    slides.annotate(nb)
    parts = [c.source for c in nb.cells[1:]]
    assert len(parts) >= 3
    assert "\n\n".join(parts).split() == text.split(), "splitting changed the text"
    assert any(p.startswith("## Questions to think about") for p in parts)
    assert all(p.count("```") % 2 == 0 for p in parts), "a code fence was cut"
    assert len({c.get("id") for c in nb.cells}) == len(nb.cells), "cell ids must stay unique"
    assert not slides.check(nb)
    nbformat.validate(nb)


def test_check_reports_missing_metadata_and_overfull_slides():
    nb = nbformat.v4.new_notebook(cells=[_md("# T"), _code("x = 1")])
    assert any("no slide metadata" in p for p in slides.check(nb, "t.ipynb"))
    nb.cells[0].metadata["slideshow"] = {"slide_type": "slide"}
    nb.cells[1].metadata["slideshow"] = {"slide_type": "-"}
    nb.cells[1].outputs = [nbformat.from_dict(_printed("\n".join(map(str, range(40)))))]
    problems = slides.check(nb, "t.ipynb")
    assert problems and "budget" in problems[0]


def test_long_short_answers_stay_one_cell():
    """The answers to the questions are speaker notes: never split to fit a slide."""
    nb = _lesson()
    long_answers = "**Short answers.**\n\n" + "\n".join(f"{i}. " + "word " * 30 for i in range(1, 31))
    nb.cells[17].source = long_answers
    n = len(nb.cells)
    slides.annotate(nb)
    assert len(nb.cells) == n and nb.cells[17].source == long_answers
    assert slides.slide_type(nb.cells[17]) == "notes"
