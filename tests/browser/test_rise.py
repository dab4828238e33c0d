"""The notebooks present as RISE decks in JupyterLab, offline, with live widgets.

jupyterlab-rise serves a notebook as a reveal.js deck at ``/rise/<path>``.
For the first notebook with a widget (in teaching order): open the deck, check
that the first slides are the ones scripts/slides.py laid out (title, then
the next slide's heading), then present the way the README tells lecturers
to: run the setup cell in JupyterLab (the deck shares the notebook's kernel;
the setup cell is skipped in the deck), go to the widget's slide, run the
widget cell there (Ctrl+Enter, which stays on the slide) and click on one of
its sliders: the picture must change. No request may leave 127.0.0.1.

Known upstream problem: jupyterlab-rise 0.43.1 cannot load the ipywidgets 8
widget manager (its JupyterLab extension needs the shared module
@jupyterlab/console, which the RISE page does not provide;
jupyterlab-contrib/rise#119), so widgets show as text in the deck. The widget
test recognises exactly that symptom and reports it as an expected failure;
any other failure fails, and the day RISE renders the widget the test passes.
"""
from __future__ import annotations

import json
import pathlib
import re
import sys
import time

import pytest

from .conftest import REPORT, ROOT, offline_context

sys.path.insert(0, str(ROOT / "scripts"))
import slides  # noqa: E402


def _first_widget_notebook(folder: pathlib.Path) -> pathlib.Path | None:
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        if any(slides.is_widget(c) for c in json.loads(path.read_text())["cells"]):
            return path
    return None


def _plain(markdown_line: str) -> str:
    """A heading as it reads on the slide: no #, no markdown emphasis or code marks."""
    text = re.sub(r"^#+\s*", "", markdown_line)
    return re.sub(r"[*_`$]", "", text).strip()


KNOWN_RISE_WIDGET_BUG = "Shared module @jupyterlab/console doesn't exist in shared scope"


def _present_text(page) -> str:
    return page.locator(".reveal .slides section.present").last.inner_text()


def _offline_context(browser):
    return offline_context(browser, {"width": 1280, "height": 800})


def _deck(notebooks_dir):
    path = _first_widget_notebook(notebooks_dir)
    if path is None:
        pytest.skip("no notebook with a widget yet")
    import nbformat

    nb = nbformat.read(path, as_version=4)
    problems = slides.check(nb, path.name)
    assert not problems, "run `scripts/slides.py annotate` first: " + "; ".join(problems)
    return path, nb, slides.slides(nb)


def _open_deck(page, lab, name: str) -> None:
    page.goto(lab.url(f"/rise/{name}"))
    page.wait_for_selector(".reveal .slides section.present", timeout=90_000)
    time.sleep(1.0)


def test_rise_deck_opens_offline_on_its_first_slides(lab, browser, notebooks_dir, screenshot_dir):
    path, nb, deck = _deck(notebooks_dir)
    shots = screenshot_dir / "rise"
    shots.mkdir(parents=True, exist_ok=True)
    context, outside = _offline_context(browser)
    try:
        started = time.perf_counter()
        page = context.new_page()
        _open_deck(page, lab, path.name)
        page.screenshot(path=str(shots / "slide1.png"))
        title = _plain(deck[0]["title"])
        assert title[:30].casefold() in _present_text(page).casefold(), f"the first slide does not show the title {title!r}"
        for n in (1, 2):
            page.keyboard.press("Space")
            time.sleep(0.8)
            expected = _plain(deck[n]["title"])
            assert expected[:25].casefold() in _present_text(page).casefold(), f"slide {n + 1} does not show {expected!r}"
            page.screenshot(path=str(shots / f"slide{n + 1}.png"))
        REPORT.append(f"RISE {path.name}: deck opened offline, first 3 slides as laid out, {time.perf_counter() - started:.1f} s")
        assert not outside, f"requests left 127.0.0.1: {outside[:5]}"
    finally:
        context.close()
        lab.close_all_sessions()


def test_rise_widget_responds_on_its_slide(lab, browser, notebooks_dir, screenshot_dir):
    path, nb, deck = _deck(notebooks_dir)
    shots = screenshot_dir / "rise"
    shots.mkdir(parents=True, exist_ok=True)
    context, outside = _offline_context(browser)
    console_errors: list[str] = []
    try:
        # 1. As the README tells lecturers: run the setup cell in JupyterLab; the deck shares the kernel.
        lab_page = context.new_page()
        lab_page.goto(lab.url(f"/lab/tree/{path.name}"))
        lab_page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=60_000)
        lab_page.locator("#jp-main-statusbar", has_text=re.compile(r"\(ipykernel\) \| Idle")).wait_for(timeout=90_000)
        setup = lab_page.locator(".jp-Notebook .jp-CodeCell").first
        setup.locator(".jp-InputArea-editor").click()
        lab_page.keyboard.press("Shift+Enter")
        setup.locator(".jp-InputArea-prompt", has_text=re.compile(r"\[\d+\]")).wait_for(timeout=120_000)

        # 2. The deck: walk to the widget's slide and run the widget cell there.
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and console_errors.append(m.text[:300]))
        _open_deck(page, lab, path.name)
        widget_cell = next(i for i, c in enumerate(nb.cells) if slides.is_widget(c))
        target = next(n for n, s in enumerate(deck) if widget_cell in s["cells"])
        call = re.escape(slides._source(nb.cells[widget_cell]).strip().split("\n")[-1][:40])
        for _ in range(target):
            page.keyboard.press("Space")
            time.sleep(0.3)
        present = page.locator(".reveal .slides section.present").last
        found = present.locator(".jp-CodeCell").filter(has_text=re.compile(call)).last
        found.wait_for(timeout=10_000)
        index = found.evaluate("el => [...document.querySelectorAll('.jp-CodeCell')].indexOf(el)")
        cell = page.locator(".jp-CodeCell").nth(index)  # stays this cell whatever slide is shown
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+Enter")  # run the cell and stay on its slide
        image = cell.locator(".widget-image").first
        try:
            image.wait_for(timeout=30_000)
        except Exception:
            page.screenshot(path=str(shots / "widget_slide.png"))
            shown = cell.locator(".jp-OutputArea-output").all_inner_texts()
            if any(KNOWN_RISE_WIDGET_BUG in e for e in console_errors) and any(t.lstrip().startswith("VBox(") for t in shown):
                pytest.xfail(
                    "jupyterlab-rise 0.43.1 cannot load the ipywidgets 8 widget manager "
                    "(jupyterlab-contrib/rise#119): the widget shows as text on its slide"
                )
            raise AssertionError(f"no widget on its RISE slide; it shows {shown!r}; console errors {console_errors[:3]}")
        time.sleep(1.0)
        slider = cell.locator(".widget-slider:not(.widget-vslider) .noUi-base").first
        readout = cell.locator(".widget-slider .widget-readout").first
        before_value, before = readout.inner_text(), image.screenshot()
        box = slider.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
        deadline, after = time.monotonic() + 20, before
        while time.monotonic() < deadline and after == before:
            time.sleep(0.3)
            after = image.screenshot()
        (shots / "widget_before.png").write_bytes(before)
        (shots / "widget_after.png").write_bytes(after)
        assert readout.inner_text() != before_value, f"the slider did not move ({before_value!r})"
        assert after != before, "the widget's picture did not change on its RISE slide"
        REPORT.append(f"RISE {path.name}: the widget on slide {target + 1} responds")
        assert not outside, f"requests left 127.0.0.1: {outside[:5]}"
    finally:
        context.close()
        lab.close_all_sessions()
