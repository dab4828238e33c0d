"""Slide metadata for the notebooks, a check for overfull slides, and static reveal.js decks.

Usage:
    python scripts/slides.py annotate notebooks/NN_*.ipynb   # set slide metadata in place
    python scripts/slides.py check notebooks/NN_*.ipynb      # report slides over the line budget
    python scripts/slides.py export notebooks/NN_*.ipynb --out build/slides
                                                             # offline reveal.js decks

``annotate`` is deterministic and can be re-run on a notebook at any time (it
is part of ``make notebooks``): it derives each cell's
``metadata.slideshow.slide_type`` from the notebook's structure alone.

* The title cell and every ``#``/``##`` heading start a slide, ``###`` a
  subslide.
* The setup cell (the first code cell, which imports cnnlib) is skipped;
  solution cells and the short answers to "Questions to think about" (the
  markdown cell tagged ``answers``) become speaker notes (the lecturer sees
  them in the speaker view, the room does not).
* Each exercise is a subslide of its own (its task and its stub); each widget
  is a subslide of its own (its one-line introduction, the cell, the widget).
* Long code cells that draw a figure show the figure and hide their source
  (``metadata.jupyter.source_hidden``, which JupyterLab and its deck honour;
  click the ellipsis to show it). Long code cells with no output are skipped.
* Content is counted in lines (a source line of up to 80 characters, a line of
  printed output; a figure counts ``IMAGE_LINES``, a widget ``WIDGET_LINES``).
  A cell that would take the slide past ``BUDGET`` starts a new subslide.
  A markdown cell that alone exceeds the budget is split at its headings, or
  else between paragraphs (rendering is unchanged).

A cell that continues the slide carries ``metadata.slideshow = {}`` (no
``slide_type``): jupyterlab-deck 0.2.0, the live deck, shows a cell marked
``"-"`` on no slide.

``export`` shows each widget as a range input over a handful of its pictures,
computed at build time by ``scripts/frames.py`` (the same as the static site):
it works offline, with no kernel.
"""
from __future__ import annotations

import argparse
import copy
import math
import pathlib
import re
import shutil
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]

BUDGET = 26  # lines of content per slide (a 1280x720 screen at the deck's font size)
IMAGE_LINES = 12  # a figure takes about half a slide
WIDGET_LINES = 16  # a widget: its controls, its picture and its readout
LONG_CODE = 10  # source lines above which a figure cell shows only its figure
LINE_WIDTH = 80  # characters per line on a slide
MAX_OUTPUT_LINES = 40  # a longer text output is cut by the notebook anyway

WIDGET_CALL = re.compile(r"^[^#\n]*\bcl\.widgets\.\w+\(", re.M)
HEADING = re.compile(r"^(#{1,6})\s+\S")
MARK = "hide_source"  # the key under metadata.slideshow that records a source hidden by this script


# --------------------------------------------------------------------- counting


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _text_lines(text: str) -> int:
    return sum(max(1, math.ceil(len(line) / LINE_WIDTH)) for line in text.rstrip("\n").split("\n")) if text.strip() else 0


def _markdown_lines(text: str) -> int:
    """Rendered lines of a markdown cell: blank lines cost nothing, headings one extra."""
    lines = 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        lines += max(1, math.ceil(len(line) / LINE_WIDTH)) + (1 if HEADING.match(line) else 0)
    return lines


def _has_picture(cell) -> bool:
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if any(k.startswith("image/") for k in data) or "application/vnd.jupyter.widget-view+json" in data:
            return True
    return False


def output_lines(cell) -> int:
    total = 0
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            total += min(MAX_OUTPUT_LINES, _text_lines(_source({"source": out.get("text", "")})))
        elif kind in ("display_data", "execute_result"):
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                total += WIDGET_LINES
            elif any(k.startswith("image/") for k in data):
                total += IMAGE_LINES
            else:
                text = data.get("text/plain", "")
                total += min(MAX_OUTPUT_LINES, _text_lines(text if isinstance(text, str) else "".join(text)))
        elif kind == "error":
            total += min(MAX_OUTPUT_LINES, len(out.get("traceback", [])) + 1)
    return total


def source_hidden(cell) -> bool:
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))


def cell_lines(cell) -> int:
    """How many lines a cell takes on a slide, as it would be shown."""
    if cell.get("cell_type") == "markdown":
        return _markdown_lines(_source(cell))
    if cell.get("cell_type") != "code":
        return _text_lines(_source(cell))
    code = 1 if source_hidden(cell) else _text_lines(_source(cell))
    return code + output_lines(cell)


def is_widget(cell) -> bool:
    """A cell that shows an ipywidget: a stored widget view, or (not run yet) a widget builder
    call in a cell marked ``# NBVAL_IGNORE_OUTPUT`` as CONTRIBUTING.md asks."""
    if cell.get("cell_type") != "code":
        return False
    if any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.get("outputs", [])):
        return True
    src = _source(cell)
    return not cell.get("outputs") and src.lstrip().startswith("# NBVAL_IGNORE_OUTPUT") and bool(WIDGET_CALL.search(src))


def slide_type(cell) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


# --------------------------------------------------------------------- annotate


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _heading_level(cell) -> int:
    if cell.get("cell_type") != "markdown":
        return 0
    first = next((line for line in _source(cell).split("\n") if line.strip()), "")
    match = HEADING.match(first)
    return len(match.group(1)) if match else 0


def _is_setup(cell, index_among_code: int) -> bool:
    return index_among_code == 0 and "import cnnlib as cl" in _source(cell)


def _split_markdown(text: str) -> list[str]:
    """Split markdown at headings, then (if a part is still too long) between paragraphs.

    Never inside a fenced code block or a ``$$`` display. Joining the parts
    with blank lines renders as the original did.
    """

    def blocks(src: str) -> list[str]:
        # blocks are separated by blank lines (outside fences and $$ displays) and before headings
        out, current, fenced, math_block = [], [], False, False
        for line in src.split("\n"):
            stripped = line.strip()
            if not fenced and not math_block and not stripped:
                if current:
                    out.append("\n".join(current))
                    current = []
                continue
            if not fenced and not math_block and HEADING.match(line) and current:
                out.append("\n".join(current))
                current = []
            current.append(line)
            if stripped.startswith(("```", "~~~")):
                fenced = not fenced
            elif stripped.count("$$") % 2 == 1:
                math_block = not math_block
        if current:
            out.append("\n".join(current))
        return out

    parts: list[list[str]] = []
    lines = 0
    for block in blocks(text):
        size = _markdown_lines(block)
        continuation = block[:1] in (" ", "\t")  # an indented paragraph belongs to the list item above
        if not parts or _starts_section(block) or (lines + size > BUDGET and not continuation):
            parts.append([block])
            lines = size
        else:
            parts[-1].append(block)
            lines += size
    return ["\n\n".join(p) for p in parts]


def _starts_section(block: str) -> bool:
    match = HEADING.match(block)
    return bool(match) and len(match.group(1)) <= 3


def _split_long_markdown(nb) -> bool:
    """Split markdown cells that alone exceed the budget. True when anything changed."""
    changed = False
    new_cells = []
    ids = {c.get("id") for c in nb.cells}
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "answers" not in _tags(cell) and _markdown_lines(_source(cell)) > BUDGET:
            # (speaker notes, such as the short answers, are never on a slide: they stay whole)
            parts = _split_markdown(_source(cell))
            if len(parts) > 1:
                changed = True
                base = cell.get("id") or "md"
                for i, part in enumerate(parts):
                    piece = nbformat.v4.new_markdown_cell(part)
                    piece["metadata"] = copy.deepcopy(cell.metadata)
                    if i == 0:
                        piece["id"] = base
                    else:
                        n = i + 1
                        while f"{base[:50]}-part{n}" in ids:
                            n += 1
                        piece["id"] = f"{base[:50]}-part{n}"
                        ids.add(piece["id"])
                    if "attachments" in cell:
                        piece["attachments"] = cell["attachments"]
                    new_cells.append(piece)
                continue
        new_cells.append(cell)
    nb.cells = new_cells
    return changed


def _set_hidden(cell, hide: bool) -> None:
    meta = cell.metadata
    show = meta.setdefault("slideshow", {})
    if hide:
        meta.setdefault("jupyter", {})["source_hidden"] = True
        show[MARK] = True
    elif show.pop(MARK, False):
        # we hid it on an earlier run and no longer would: show it again
        meta.get("jupyter", {}).pop("source_hidden", None)
        if "jupyter" in meta and not meta["jupyter"]:
            del meta["jupyter"]


def annotate(nb) -> None:
    """Set every cell's slide type (and hide long figure code) in place."""
    _split_long_markdown(nb)
    cells = nb.cells
    code_seen = 0
    kinds: list[str] = []
    for i, cell in enumerate(cells):
        tags = _tags(cell)
        level = _heading_level(cell)
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        kind = "-"
        if cell.cell_type == "code":
            src = _source(cell)
            n_src = _text_lines(src)
            if _is_setup(cell, code_seen):
                kind = "skip"
                _set_hidden(cell, False)
            elif "solution" in tags:
                kind = "notes"  # the worked solution: speaker notes only
            elif "exercise" in tags or is_widget(cell):
                _set_hidden(cell, False)
            elif n_src > LONG_CODE and not cell.get("outputs"):
                kind = "skip"
                _set_hidden(cell, False)
            elif n_src > LONG_CODE and _has_picture(cell):
                _set_hidden(cell, True)
            elif n_src + output_lines(cell) > BUDGET:
                _set_hidden(cell, True)  # would not fit on a slide of its own
            else:
                _set_hidden(cell, False)
            code_seen += 1
        elif "answers" in tags:
            kind = "notes"  # short answers to the questions: speaker notes only
        elif i == 0 or level in (1, 2):
            kind = "slide"
        elif level == 3:
            kind = "subslide"
        elif nxt is not None and nxt.cell_type == "code" and ("exercise" in _tags(nxt) or is_widget(nxt)):
            kind = "subslide"  # an exercise or a widget gets a slide of its own, with its introduction
        kinds.append(kind)

    # A widget's slide holds only the widget: what follows starts a new subslide.
    for i, cell in enumerate(cells[:-1]):
        if is_widget(cell) and kinds[i + 1] == "-":
            kinds[i + 1] = "subslide"

    # Fill slides up to the budget; a cell that does not fit starts a subslide.
    used = 0
    for i, cell in enumerate(cells):
        kind = kinds[i]
        if kind in ("skip", "notes"):
            continue
        size = cell_lines(cell)
        if kind in ("slide", "subslide"):
            used = size
        elif kind == "-" and used > 0 and used + size > BUDGET:
            kinds[i] = "subslide"
            used = size
        else:
            used += size

    for cell, kind in zip(cells, kinds):
        show = cell.metadata.setdefault("slideshow", {})
        if kind == "-":
            # "continue the slide" is written as no slide_type: jupyterlab-deck 0.2.0 puts a cell
            # marked "-" on no slide at all (and shows an empty slide when it is the active cell);
            # nbconvert and slide_type() read a missing value as "-".
            show.pop("slide_type", None)
        else:
            show["slide_type"] = kind
    nb.metadata.pop("rise", None)  # RISE is no longer how the notebooks are presented


def slides(nb) -> list[dict]:
    """The deck as jupyterlab-deck and nbconvert show it: one entry per slide or subslide with its cells and lines."""
    deck: list[dict] = []
    for i, cell in enumerate(nb.cells):
        kind = slide_type(cell)
        if kind in ("skip", "notes"):
            continue
        if kind in ("slide", "subslide") or not deck:
            deck.append({"first_cell": i, "kind": kind, "cells": [], "lines": 0, "title": ""})
        deck[-1]["cells"].append(i)
        deck[-1]["lines"] += cell_lines(cell)
        if not deck[-1]["title"]:
            first = next((line for line in _source(cell).split("\n") if line.strip()), "")
            deck[-1]["title"] = first.strip()[:60]
    return deck


def check(nb, name: str = "") -> list[str]:
    """Problems with a notebook's slides, as lines of text (empty when the deck is clean)."""
    problems = []
    missing = [i for i, c in enumerate(nb.cells) if "slideshow" not in c.get("metadata", {})]
    if missing:
        problems.append(f"{name}: {len(missing)} cells have no slide metadata (first: cell {missing[0]}); run `scripts/slides.py annotate`")
    if nb.cells and slide_type(nb.cells[0]) != "slide":
        problems.append(f"{name}: the title cell does not start a slide")
    for n, s in enumerate(slides(nb)):
        if s["lines"] > BUDGET:
            problems.append(
                f"{name}: slide {n + 1} (cells {s['cells'][0]}-{s['cells'][-1]}, {s['title']!r}) has {s['lines']} lines; the budget is {BUDGET}"
            )
    return problems


# --------------------------------------------------------------------- offline assets and decks

NODE_MODULES = ROOT / "node_modules"
ASSETS = {  # what each page needs, copied from node_modules into <out>/assets/
    "reveal.js": ("reveal.js", ["dist", "plugin/notes", "LICENSE"]),
    "require.js": ("requirejs", ["require.js"]),
    "jquery.js": ("jquery", ["dist/jquery.min.js"]),
    "mathjax": (
        "mathjax",
        ["MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions", "jax/input/TeX", "jax/output/CommonHTML",
         "jax/output/PreviewHTML", "jax/element", "fonts/HTML-CSS/TeX/woff", "LICENSE"],
    ),
    "html-manager": ("@jupyter-widgets/html-manager", ["dist"]),
}


def stage_assets(out: pathlib.Path, node_modules: pathlib.Path = NODE_MODULES) -> dict[str, str]:
    """Copy the JavaScript the pages load into ``out/assets`` and return their URLs relative to ``out``."""
    if not (node_modules / "reveal.js").is_dir():
        raise SystemExit(f"{node_modules} has no reveal.js: run `npm ci` in the repository root first (make does)")
    dest = out / "assets"
    for name, (package, parts) in ASSETS.items():
        for part in parts:
            src = node_modules / package / part
            target = dest / name / part if name not in ("require.js", "jquery.js") else dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.map", "*.ts"))
            else:
                shutil.copy2(src, target)
    return {
        "reveal_url_prefix": "assets/reveal.js",
        "require_js_url": "assets/require.js",
        "jquery_url": "assets/jquery.js",
        "mathjax_url": "assets/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        "widget_renderer_url": "assets/html-manager/dist/embed-amd.js",
    }


# nbconvert's templates load mermaid from a CDN on every page; these notebooks have no mermaid diagrams.
NO_MERMAID = "{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}"


def export_decks(paths: list[pathlib.Path], out: pathlib.Path) -> list[pathlib.Path]:
    """Write ``out/NN_name.slides.html`` for each notebook, served entirely from ``out``."""
    import jinja2
    from nbconvert import SlidesExporter

    import frames  # the moving pictures of each widget, shared with scripts/build_site.py

    out.mkdir(parents=True, exist_ok=True)
    urls = stage_assets(out)
    moving = frames.frames_for_all(list(paths))
    loader = jinja2.DictLoader({"cnnlib_slides.html.j2": "{%- extends 'index.html.j2' -%}\n" + NO_MERMAID})
    exporter = SlidesExporter(
        extra_loaders=[loader],
        template_file="cnnlib_slides.html.j2",
        reveal_url_prefix=urls["reveal_url_prefix"],
        reveal_theme="white",
        reveal_transition="none",
        reveal_scroll=True,
        reveal_number="c/t",
        reveal_width="1280",
        reveal_height="720",
        require_js_url=urls["require_js_url"],
        jquery_url=urls["jquery_url"],
        mathjax_url=urls["mathjax_url"],
        widget_renderer_url=urls["widget_renderer_url"],
        mermaid_js_url="",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    written = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if not any("slideshow" in c.get("metadata", {}) for c in nb.cells):
            annotate(nb)
        frames.embed(nb, path, out, moving[path])  # each widget: a range input over its precomputed pictures
        for cell in nb.cells:  # nbconvert ignores source_hidden: honour it as JupyterLab does
            if cell.cell_type == "code" and source_hidden(cell) and slide_type(cell) != "notes":
                cell.metadata.setdefault("transient", {})["remove_source"] = True
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        target = out / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


# --------------------------------------------------------------------- command line


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("annotate", "check", "export"):
        p = sub.add_parser(name)
        p.add_argument("notebooks", nargs="+", type=pathlib.Path)
        if name == "export":
            p.add_argument("--out", type=pathlib.Path, default=ROOT / "build" / "slides")
    args = parser.parse_args(argv)

    if args.command == "annotate":
        for path in args.notebooks:
            nb = nbformat.read(path, as_version=4)
            annotate(nb)
            nbformat.write(nb, path)
            print(f"{path.name}: {len(slides(nb))} slides")
        return 0
    if args.command == "check":
        problems = []
        for path in args.notebooks:
            problems += check(nbformat.read(path, as_version=4), path.name)
        print("\n".join(problems) or f"{len(args.notebooks)} notebooks: every slide within {BUDGET} lines")
        return 1 if problems else 0
    for target in export_decks(args.notebooks, args.out):
        print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
