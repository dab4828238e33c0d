"""A static site of the executed notebooks, for readers without a kernel.

Usage:
    python scripts/build_site.py notebooks/NN_*.ipynb --out build/site

Writes ``build/site/NN_name.html`` for each notebook (nbconvert's lab template)
and ``build/site/index.html``: the notebooks in teaching order, each with its
title and its learning goals as the notebook states them. Everything a page
loads is served from ``build/site/assets`` (copied from ``node_modules`` by
``scripts/slides.py``'s ``stage_assets``): require.js, MathJax 2 and the
Jupyter widgets HTML manager. No page asks a CDN for anything.

Widgets: each explorer widget is replaced by a plain range input over a
handful of its pictures, computed when the site is built
(``scripts/frames.py``, shared with ``scripts/slides.py export``): moving it
swaps the picture and the readout, with no kernel and no network, from
``file://`` too. The pictures go to ``build/site/frames/<notebook>/``; their
size per notebook is printed and kept in ``build/site/frames/sizes.json``
(at most ``frames.BUDGET_BYTES`` per page). Other widgets (a progress bar)
are drawn in their stored state; one whose state was not stored is dropped.
Worked solutions sit behind a "Show the worked solution" switch, the short
answers to the questions behind "Show short answers to the questions".
"""
from __future__ import annotations

import argparse
import html
import json
import pathlib
import re
import sys

import nbformat

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import frames  # noqa: E402
from slides import NO_MERMAID, ROOT, stage_assets  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
STATIC_NOTE = (
    "Interactive widget: its controls need a running kernel (open the notebook in JupyterLab). "
    "The figure next to it shows the same idea."
)

TEMPLATE = (
    "{%- extends 'index.html.j2' -%}\n"
    + NO_MERMAID
    + """
{% block codecell %}
{%- if 'solution' in cell.metadata.get('tags', []) -%}
<details class="cnnlib-solution"><summary>Show the worked solution</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock codecell %}
{% block markdowncell %}
{%- if 'answers' in cell.metadata.get('tags', []) -%}
<details class="cnnlib-solution"><summary>Show short answers to the questions</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock markdowncell %}
{% block html_head_css %}
{{ super() }}
<style>
details.cnnlib-solution { margin: 0.5em 0 0.5em 64px; }
details.cnnlib-solution > summary { cursor: pointer; color: #1a5fb4; }
.cnnlib-static-note { font-size: 85%; color: #555; margin: 0.2em 0 0.6em 0; }
nav.cnnlib-nav { font-family: sans-serif; margin: 0.5em 1em; }
</style>
{% endblock html_head_css %}
{% block body_header %}
{{ super() }}
<nav class="cnnlib-nav"><a href="index.html">All notebooks</a></nav>
{% endblock body_header %}
"""
)


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def title_and_goals(nb) -> tuple[str, str]:
    """The notebook's title (its first ``#`` heading) and its learning goals as markdown bullets."""
    markdown = [_source(c) for c in nb.cells if c.cell_type == "markdown"]
    title = ""
    for text in markdown:
        match = re.search(r"^#\s+(.+)$", text, re.M)
        if match:
            title = match.group(1).strip()
            break
    goals = ""
    for text in markdown:
        match = re.search(r"Learning goals", text)
        if not match:
            continue
        rest = text[match.end():].split("\n")[1:]
        bullets: list[str] = []
        for line in rest:
            if re.match(r"^\s*([*-]|\d+\.)\s+", line) or (bullets and line.startswith("  ") and line.strip()):
                bullets.append(line)
            elif bullets and not line.strip():
                continue
            elif bullets:
                break
        goals = "\n".join(bullets)
        break
    return title, goals


def _static_widgets(nb) -> None:
    """Drop widgets whose state was not stored; under an explorer left without frames, say it needs a kernel."""
    stored = set(nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {}))
    explorers = {i for i, _ in frames.widget_cells(nb)}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                outputs.append(out)
                continue
            if data[WIDGET_VIEW].get("model_id") in stored:
                outputs.append(out)
            if i in explorers:
                note = nbformat.v4.new_output(
                    "display_data", data={"text/html": f'<p class="cnnlib-static-note">{html.escape(STATIC_NOTE)}</p>'}
                )
                outputs.append(note)
        cell.outputs = outputs


def export_pages(paths: list[pathlib.Path], out: pathlib.Path, urls: dict[str, str], widgets: dict | None = None) -> list[dict]:
    """Write one page per notebook; ``widgets`` maps each path to its frames (:func:`frames.frames_for_all`)."""
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"cnnlib_site.html.j2": TEMPLATE})],
        template_file="cnnlib_site.html.j2",
        require_js_url=urls["require_js_url"],
        mathjax_url=urls["mathjax_url"],
        widget_renderer_url=urls["widget_renderer_url"],
        jquery_url=urls["jquery_url"],
        mermaid_js_url="",
    )
    entries = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        title, goals = title_and_goals(nb)
        moving = frames.embed(nb, path, out, (widgets or {}).get(path))
        _static_widgets(nb)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or path.stem}})
        (out / f"{path.stem}.html").write_text(body, encoding="utf-8")
        entries.append({"stem": path.stem, "title": title or path.stem, "goals": goals, "frames": moving})
    return entries


def index_page(entries: list[dict], mathjax_url: str) -> str:
    import mistune

    items = []
    for e in entries:
        goals = mistune.html(e["goals"]) if e["goals"] else "<p>(no learning goals stated)</p>"
        items.append(
            f'<li class="notebook"><h2><a href="{html.escape(e["stem"])}.html">{html.escape(e["title"])}</a></h2>\n'
            f'<p class="goals-title">Learning goals</p>\n<div class="goals">{goals}</div></li>'
        )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Convolution, made visible</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52em; margin: 2em auto; padding: 0 1em; line-height: 1.45; color: #222; }}
ol.notebooks {{ list-style: none; padding: 0; }}
li.notebook {{ border-top: 1px solid #ddd; padding: 0.6em 0; }}
li.notebook h2 {{ font-size: 1.25em; margin: 0.3em 0; }}
.goals-title {{ font-weight: 600; margin: 0.3em 0 0 0; }}
code {{ background: #f4f4f4; padding: 0 0.2em; }}
.goals ul {{ list-style: disc; }}
</style>
<script type="text/x-mathjax-config">
MathJax.Hub.Config({{tex2jax: {{inlineMath: [["$", "$"]], processEscapes: true}}, messageStyle: "none"}});
</script>
<script src="{html.escape(mathjax_url)}"></script>
</head>
<body>
<h1>Convolution, made visible</h1>
<p>The notebooks of the collection in teaching order, as executed: every figure
and number is there. Each widget comes with a slider over a few of its
pictures, computed when this site was built; to move every control, open the
notebooks in JupyterLab (see the README).</p>
<ol class="notebooks">
{chr(10).join(items)}
</ol>
</body>
</html>
"""


def build(paths: list[pathlib.Path], out: pathlib.Path) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    urls = stage_assets(out)
    paths = sorted(paths, key=lambda p: p.name)
    entries = export_pages(paths, out, urls, frames.frames_for_all(paths))
    (out / "index.html").write_text(index_page(entries, urls["mathjax_url"]), encoding="utf-8")
    sizes = {e["stem"]: {"bytes": sum(r["bytes"] for r in e["frames"]), "widgets": e["frames"]} for e in entries}
    (out / "frames").mkdir(exist_ok=True)
    (out / "frames" / "sizes.json").write_text(json.dumps(sizes, indent=1), encoding="utf-8")
    return entries


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "build" / "site")
    args = parser.parse_args(argv)
    for e in build(args.notebooks, args.out):
        print(f"wrote {args.out / (e['stem'] + '.html')}  ({e['title']})")
        if e["frames"]:
            print("  " + frames.describe(e["frames"]).replace("\n", "\n  "))
    print(f"wrote {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
