"""The static site and the static slide decks work offline, in headless Chromium.

The site (scripts/build_site.py) and the decks (scripts/slides.py export) are
built from notebooks/ into a temporary folder and served by a small HTTP
server on 127.0.0.1. Every request that would leave 127.0.0.1 is blocked and
recorded; the tests fail if there was one, or if any local file was missing.

Site: the index lists the notebooks in teaching order with their learning
goals; every link opens its page; every figure has loaded; widgets stored
with their state are drawn; MathJax has typeset the formulas.
Decks: reveal.js starts, a key press moves to the next slide.

Moving pictures (scripts/frames.py): every explorer widget of a notebook is a
range input over frames computed at build time. A site page is opened from
disk (``file://``, the browser offline, every request outside the built folder
blocked), the range input is moved with the keyboard, and the picture must
change (its ``src``, the value shown beside the slider, and a screenshot of
the player). The same on the widget's slide of each deck. The frames of each
page stay within ``frames.BUDGET_BYTES``.

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

import nbformat

from .conftest import REPORT, ROOT, is_local, offline_context, require_browser

sys.path.insert(0, str(ROOT / "scripts"))
import frames  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXPLORERS = {p: frames.widget_cells(nbformat.read(p, as_version=4)) for p in NOTEBOOKS}
WITH_WIDGETS = [p for p in NOTEBOOKS if EXPLORERS[p]]
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
    """Stored widget views the page draws itself: all but the explorers (those become range inputs)."""
    nb = json.loads(path.read_text())
    state = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    explorers = {i for i, _ in EXPLORERS[path]}
    views = [
        o["data"]["application/vnd.jupyter.widget-view+json"].get("model_id")
        for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and i not in explorers
        for o in c.get("outputs", []) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    return sum(1 for v in views if v in state)


class DiskPage:
    """A page opened from ``file://`` with the browser offline: only files under ``folder`` may load."""

    def __init__(self, browser, folder: pathlib.Path, viewport: dict):
        self.context = browser.new_context(viewport=viewport, offline=True)
        self.prefix = folder.resolve().as_uri() + "/"
        self.outside: list[str] = []
        self.js_errors: list[str] = []

        def guard(route):
            url = route.request.url
            if url.startswith(self.prefix) or (is_local(url) and not url.startswith("http")):
                route.continue_()
            else:
                self.outside.append(url)
                route.abort()

        self.context.route("**/*", guard)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.js_errors.append(str(e)[:300]))

    def close(self) -> None:
        self.context.close()


def _move_and_compare(page, player, shots: pathlib.Path, name: str) -> str:
    """Press ArrowRight (ArrowLeft at the last frame) on the player's range input; the picture must change."""
    player.scroll_into_view_if_needed()
    slider = player.locator('input[type="range"]')
    img = player.locator("img")
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle(), timeout=10_000)
    before = {"src": img.get_attribute("src"), "value": player.locator("output").inner_text(), "shot": player.screenshot(path=str(shots / f"{name}_before.png"))}
    last = slider.get_attribute("value") == slider.get_attribute("max")
    slider.focus()
    page.keyboard.press("ArrowLeft" if last else "ArrowRight")
    page.wait_for_function("([i, s]) => i.getAttribute('src') !== s", arg=[img.element_handle(), before["src"]], timeout=10_000)
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle(), timeout=10_000)
    after = {"src": img.get_attribute("src"), "value": player.locator("output").inner_text(), "shot": player.screenshot(path=str(shots / f"{name}_after.png"))}
    assert after["src"] != before["src"], f"{name}: the picture's src did not change"
    assert after["value"] != before["value"], f"{name}: the value beside the slider did not change ({before['value']})"
    assert after["shot"] != before["shot"], f"{name}: the screenshots before and after moving the slider are the same"
    return f"{before['value']} -> {after['value']}"


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
        players = view.page.locator(".cnnlib-frames").count()
        assert players == len(EXPLORERS[path]), f"{path.name}: {len(EXPLORERS[path])} explorer widgets, {players} range inputs over frames"
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
        REPORT.append(f"site {path.stem}.html: {images.count()} figures, {expected_widgets} stored widgets drawn, {players} moving pictures, offline")
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


@pytest.mark.parametrize("path", WITH_WIDGETS, ids=lambda p: p.name)
def test_each_widget_moves_on_the_site_page_opened_from_disk(browser, site, screenshot_dir, path):
    _, out = site
    view = DiskPage(browser, out, {"width": 1280, "height": 900})
    try:
        view.page.goto((out / f"{path.stem}.html").as_uri())
        view.page.wait_for_load_state("load")
        players = view.page.locator(".cnnlib-frames")
        assert players.count() == len(EXPLORERS[path]), f"{path.name}: {players.count()} players for {len(EXPLORERS[path])} widgets"
        moves = []
        for k, (_, builder) in enumerate(EXPLORERS[path]):
            player = players.nth(k)
            assert player.get_attribute("data-builder") == builder
            moves.append(f"{builder} {_move_and_compare(view.page, player, screenshot_dir, f'frames_{path.stem}_{builder}')}")
        REPORT.append(f"site {path.stem}.html from disk, offline: " + "; ".join(moves))
        assert not view.outside, f"{path.name}: requests outside the built site: {view.outside[:5]}"
        assert not view.js_errors, f"{path.name}: JavaScript errors: {view.js_errors[:3]}"
    finally:
        view.close()


def test_frames_of_each_page_are_within_the_budget(site):
    _, out = site
    sizes = json.loads((out / "frames" / "sizes.json").read_text())
    for path in NOTEBOOKS:
        on_disk = sum(f.stat().st_size for f in (out / "frames" / path.stem).glob("*") if f.is_file())
        assert on_disk == sizes[path.stem]["bytes"], f"{path.name}: sizes.json says {sizes[path.stem]['bytes']}, the folder holds {on_disk}"
        assert on_disk <= frames.BUDGET_BYTES, f"{path.name}: {on_disk:,} bytes of frames, budget {frames.BUDGET_BYTES:,}"
        assert len(sizes[path.stem]["widgets"]) == len(EXPLORERS[path])
        for w in sizes[path.stem]["widgets"]:
            REPORT.append(f"frames {path.stem}: {w['builder']}, {w['control']} = {w['values']}: {w['bytes'] / 1e3:.0f} kB")


# "h.v" of the present slide, counted from 1 (v only for a vertical subslide), read from the DOM as reveal.js marks it
_SLIDE_NUMBER = """() => {
    const top = [...document.querySelectorAll('.reveal .slides > section')];
    const h = top.findIndex(s => s.classList.contains('present'));
    const sub = [...top[h].querySelectorAll(':scope > section')];
    const v = sub.findIndex(s => s.classList.contains('present'));
    return v > 0 ? `${h + 1}.${v + 1}` : `${h + 1}`;
}"""


@pytest.mark.parametrize("path", WITH_WIDGETS, ids=lambda p: p.name)
def test_each_widget_moves_on_its_slide_of_the_offline_deck(browser, decks, screenshot_dir, path):
    _, out = decks
    view = DiskPage(browser, out, {"width": 1280, "height": 800})
    try:
        view.page.goto((out / f"{path.stem}.slides.html").as_uri())
        view.page.wait_for_selector(".reveal.ready", timeout=30_000)
        players = view.page.locator(".reveal .slides .cnnlib-frames")
        assert players.count() == len(EXPLORERS[path]), f"{path.name}: {players.count()} players in the deck"
        moves = []
        for k, (_, builder) in enumerate(EXPLORERS[path]):
            player = players.nth(k)
            section = player.element_handle().evaluate_handle("p => p.closest('section')")
            for _ in range(400):  # page through the deck as a lecturer would (N: next slide) to the widget's slide
                if section.evaluate("s => s.classList.contains('present')"):
                    break
                view.page.keyboard.press("n")
            assert section.evaluate("s => s.classList.contains('present')"), f"{path.name}: never reached the slide of {builder}"
            where = view.page.evaluate(_SLIDE_NUMBER)
            moves.append(f"{builder} on slide {where}: " + _move_and_compare(view.page, player, screenshot_dir, f"deck_frames_{path.stem}_{builder}"))
            assert view.page.evaluate(_SLIDE_NUMBER) == where, f"{path.name}: the arrow key moved the deck, not the slider"
            assert section.evaluate("s => s.classList.contains('present')")
            player.locator('input[type="range"]').evaluate("r => r.blur()")  # the keys go to the deck again
        REPORT.append(f"deck {path.stem}: " + "; ".join(moves))
        assert not view.outside, f"{path.name}: requests outside the built deck: {view.outside[:5]}"
        assert not view.js_errors, f"{path.name}: JavaScript errors: {view.js_errors[:3]}"
    finally:
        view.close()
