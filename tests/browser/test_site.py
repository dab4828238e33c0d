"""The static site and the static slide decks work offline, in headless Chromium.

The site (scripts/build_site.py) and the decks (scripts/slides.py export) are
built from notebooks/ into a temporary folder and served by a small HTTP
server on 127.0.0.1. Every request that would leave 127.0.0.1 is blocked and
recorded; the tests fail if there was one, or if any local file was missing.

Site: the index lists the notebooks in teaching order with their learning
goals; every link opens its page; every figure has loaded; widgets stored
with their state are drawn; MathJax has typeset the formulas.
Decks: reveal.js starts, a key press moves to the next slide.

Needs the npm packages of package.json (``make`` runs ``npm ci``): without
them the tests are skipped with one line (a failure under CI=true).
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import pathlib
import re
import subprocess
import sys
import threading
import time

import pytest

from .conftest import REPORT, ROOT, offline_context, require_browser

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NPM_HINT = "static site/deck tests skipped: run `npm ci` in the repository root (make does it when npm is installed)"


def require_node_modules() -> None:
    if (ROOT / "node_modules" / "reveal.js").is_dir():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but node_modules/ is missing: {NPM_HINT}", pytrace=False)
    pytest.skip(NPM_HINT)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


class StaticServer:
    """Serve a folder on 127.0.0.1 (random port) in a thread."""

    def __init__(self, folder: pathlib.Path):
        handler = functools.partial(_Quiet, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class OfflinePage:
    """A page whose requests may not leave 127.0.0.1; records what was blocked or missing."""

    def __init__(self, browser):
        self.context, self.outside = offline_context(browser, {"width": 1280, "height": 900})
        self.missing: list[str] = []
        self.js_errors: list[str] = []
        self.page = self.context.new_page()
        self.page.on("response", lambda r: r.status >= 400 and self.missing.append(f"{r.status} {r.url}"))
        self.page.on("pageerror", lambda e: self.js_errors.append(str(e)[:300]))

    def close(self) -> None:
        self.context.close()


def _build(command: list[str], out: pathlib.Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *command, *map(str, NOTEBOOKS), "--out", str(out)],
        check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_browser()
    require_node_modules()
    out = tmp_path_factory.mktemp("site")
    seconds = _build([str(ROOT / "scripts" / "build_site.py")], out)
    REPORT.append(f"static site: built {len(NOTEBOOKS)} pages in {seconds:.1f} s")
    server = StaticServer(out)
    yield server, out
    server.close()


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    require_browser()
    require_node_modules()
    out = tmp_path_factory.mktemp("slides")
    seconds = _build([str(ROOT / "scripts" / "slides.py"), "export"], out)
    REPORT.append(f"static decks: built {len(NOTEBOOKS)} decks in {seconds:.1f} s")
    server = StaticServer(out)
    yield server, out
    server.close()


def _stored_widget_outputs(path: pathlib.Path) -> int:
    nb = json.loads(path.read_text())
    state = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    views = [
        o["data"]["application/vnd.jupyter.widget-view+json"].get("model_id")
        for c in nb["cells"] if c["cell_type"] == "code"
        for o in c.get("outputs", []) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    return sum(1 for v in views if v in state)


def test_index_lists_the_notebooks_in_teaching_order_with_goals(browser, site, screenshot_dir):
    server, _ = site
    view = OfflinePage(browser)
    try:
        view.page.goto(f"{server.base}/index.html")
        links = view.page.locator("ol.notebooks li.notebook h2 a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert hrefs == [f"{p.stem}.html" for p in NOTEBOOKS], f"index links {hrefs}"
        goals = view.page.locator("ol.notebooks li.notebook .goals")
        for i in range(goals.count()):
            assert goals.nth(i).locator("li").count() >= 2, f"{hrefs[i]}: no learning goals on the index"
        if "$" in view.page.locator("ol.notebooks").inner_text():
            view.page.wait_for_selector(".goals .MathJax_CHTML", timeout=30_000)
            view.page.wait_for_function(
                "() => ![...document.querySelectorAll('.goals')].some(g => g.innerText.includes('$'))", timeout=30_000
            )
        view.page.screenshot(path=str(screenshot_dir / "site_index.png"), full_page=True)
        assert not view.outside, f"requests left 127.0.0.1: {view.outside[:5]}"
        assert not view.missing, f"missing files: {view.missing[:5]}"
    finally:
        view.close()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_page_opens_from_the_index_offline_with_figures_widgets_and_maths(browser, site, screenshot_dir, path):
    server, _ = site
    view = OfflinePage(browser)
    try:
        view.page.goto(f"{server.base}/index.html")
        view.page.locator(f'ol.notebooks a[href="{path.stem}.html"]').click()
        view.page.wait_for_url(f"**/{path.stem}.html")
        view.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=30_000)
        view.page.wait_for_load_state("networkidle")
        images = view.page.locator(".jp-OutputArea-output img")
        broken = view.page.evaluate(
            "() => [...document.querySelectorAll('.jp-OutputArea-output img')]"
            ".filter(i => !(i.complete && i.naturalWidth > 0)).length"
        )
        assert broken == 0, f"{path.name}: {broken} of {images.count()} figures did not load"
        expected_widgets = _stored_widget_outputs(path)
        if expected_widgets:
            view.page.wait_for_selector(".jupyter-widgets .widget-vbox, .jupyter-widgets .widget-box", timeout=30_000)
            drawn = view.page.locator(".jp-OutputArea-output.jupyter-widgets:has(.widget-box)").count()
            assert drawn >= expected_widgets, f"{path.name}: {expected_widgets} stored widgets, {drawn} drawn"
        markdown = view.page.locator(".jp-MarkdownOutput").all_inner_texts()
        if any("$" in t for t in markdown) or "$" in "".join(json.dumps(c) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"):
            view.page.wait_for_selector(".MathJax_CHTML, mjx-container", timeout=30_000)
        home = view.page.locator("nav.cnnlib-nav a[href='index.html']")
        assert home.count() == 1, f"{path.name}: no link back to the index"
        view.page.screenshot(path=str(screenshot_dir / f"site_{path.stem}.png"))
        REPORT.append(f"site {path.stem}.html: {images.count()} figures, {expected_widgets} widgets drawn offline")
        assert not view.outside, f"{path.name}: requests left 127.0.0.1: {view.outside[:5]}"
        assert not view.missing, f"{path.name}: missing files: {view.missing[:5]}"
        assert not view.js_errors, f"{path.name}: JavaScript errors: {view.js_errors[:3]}"
    finally:
        view.close()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_static_deck_starts_offline_and_advances(browser, decks, screenshot_dir, path):
    server, _ = decks
    view = OfflinePage(browser)
    try:
        view.page.goto(f"{server.base}/{path.stem}.slides.html")
        view.page.wait_for_selector(".reveal.ready", timeout=30_000)
        total = view.page.locator(".reveal .slides > section").count()
        assert total >= 3, f"{path.name}: only {total} slides"
        first = view.page.locator(".reveal .slides section.present").first.inner_text()
        assert first.strip(), f"{path.name}: the first slide is empty"
        view.page.screenshot(path=str(screenshot_dir / f"deck_{path.stem}_1.png"))
        view.page.keyboard.press("ArrowRight")
        view.page.wait_for_function(
            "() => [...document.querySelectorAll('.reveal .slides > section')]"
            ".findIndex(s => s.classList.contains('present')) === 1",
            timeout=10_000,
        )
        view.page.screenshot(path=str(screenshot_dir / f"deck_{path.stem}_2.png"))
        assert not view.outside, f"{path.name}: requests left 127.0.0.1: {view.outside[:5]}"
        assert not view.missing, f"{path.name}: missing files: {view.missing[:5]}"
        assert not view.js_errors, f"{path.name}: JavaScript errors: {view.js_errors[:3]}"
    finally:
        view.close()
