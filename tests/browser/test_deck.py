"""Presenting with jupyterlab-deck: each notebook's explorer widget works on its slide.

For every notebook with an explorer widget, as the README tells lecturers to
present: open it in JupyterLab in a 1280x800 window, *Run All Cells*, click
the cell of the first explorer with a slider (it becomes the active cell), start the deck with
the deck button of the notebook's toolbar. Then, on the slide:

* the deck shows exactly the cells of the slide that ``scripts/slides.py``
  laid out (the widget's introduction, its cell and the widget);
* the slider and the whole picture lie inside the window, nothing covers
  them, and nothing is scrolled (no element between the picture and the page
  has a scroll offset or content taller than itself);
* a slider moved with the keyboard changes its readout and the picture on the
  slide (screenshots of the picture's box before and after differ), and the
  deck stays on that slide.

Then the deck's *Exit Deck* button leaves it. JupyterLab starts with the
setting defaults `make lab` installs (jupyter/overrides.d/, see conftest.py)
and with JupyterLab's default windowing mode, as a lecturer has it. No
request may leave 127.0.0.1. Screenshots: build/browser-screenshots/deck/.
"""
from __future__ import annotations

import json
import pathlib
import re
import sys
import time

import pytest

from .conftest import REPORT, ROOT, offline_context, wait_for_idle

sys.path.insert(0, str(ROOT / "scripts"))
import slides  # noqa: E402

NOTEBOOK_DIR = pathlib.Path(__import__("os").environ.get("CNNLIB_BROWSER_NOTEBOOKS", ROOT / "notebooks"))
VIEWPORT = {"width": 1280, "height": 800}
RUN_TIMEOUT_S = 480  # Run All of the slowest notebook (06 trains) on a busy 2-core machine
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# JupyterLab's own default (contentVisibility in 4.6): the suite renders every cell for the
# other tests ("none"), but the deck must work with what a lecturer has.
LECTURER_WINDOWING = {}
SUITE_WINDOWING = {"windowingMode": "none"}
TRACKER = "@jupyterlab/notebook-extension:tracker"
DECK = "@deathbeds/jupyterlab-deck:plugin"


def _explorer_cell(path: pathlib.Path) -> int | None:
    """Index of the notebook's first explorer widget cell with a slider (a `cl.widgets.` call
    showing a widget; its stored widget state tells which controls it has)."""
    nb = json.loads(path.read_text())
    state = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})

    def has_slider(model_id: str) -> bool:
        model = state.get(model_id, {})
        children = model.get("state", {}).get("children", [])
        return model.get("model_name", "").endswith("SliderModel") or any(
            has_slider(c.removeprefix("IPY_MODEL_")) for c in children
        )

    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "code" or not slides.WIDGET_CALL.search(slides._source(c)):
            continue
        views = [o["data"][WIDGET_MIME]["model_id"] for o in c.get("outputs", []) if WIDGET_MIME in o.get("data", {})]
        if any(has_slider(v) for v in views):
            return i
    return None


NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb") if _explorer_cell(p) is not None)


def _on_screen(page) -> list[int]:
    """Indices of the cells the deck shows now."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')]
                 .flatMap((c, i) => c.classList.contains('jp-deck-mod-onscreen') ? [i] : [])"""
    )


# Why an element is not fully seen: outside the window, covered or clipped at its corners
# and centre, or some element above it scrolled (or with more content than it shows).
_UNSEEN = """(el) => {
  const problems = [];
  const r = el.getBoundingClientRect();
  const W = window.innerWidth, H = window.innerHeight;
  if (r.width < 1 || r.height < 1) problems.push('it has no size');
  if (r.left < 0 || r.top < 0 || r.right > W || r.bottom > H)
    problems.push(`its box ${[r.left, r.top, r.right, r.bottom].map(Math.round)} is not inside the ${W}x${H} window`);
  const points = [[0.5, 0.5], [0.02, 0.02], [0.98, 0.02], [0.02, 0.98], [0.98, 0.98]];
  for (const [fx, fy] of points) {
    const x = r.left + fx * r.width, y = r.top + fy * r.height;
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(hit === el || el.contains(hit)))
      problems.push(`at (${Math.round(x)}, ${Math.round(y)}) the window shows ${hit ? hit.className || hit.tagName : 'nothing'}`);
  }
  for (let a = el.parentElement; a; a = a.parentElement) {
    const s = getComputedStyle(a);
    const scrolls = /(auto|scroll)/.test(s.overflowY);
    if (a.scrollTop > 0 || a.scrollLeft > 0)
      problems.push(`${a.className || a.tagName} is scrolled by ${a.scrollTop} px`);
    if (scrolls && a.scrollHeight > a.clientHeight + 1)
      problems.push(`${a.className || a.tagName} holds ${a.scrollHeight} px in ${a.clientHeight} px (it scrolls)`);
  }
  if (window.scrollY > 0) problems.push(`the page is scrolled by ${window.scrollY} px`);
  return problems;
}"""


def _shot(page, element) -> bytes:
    """The element's box as the window shows it (no scrolling into view, unlike element.screenshot)."""
    box = element.bounding_box()
    return page.screenshot(clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]})


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_widget_works_on_its_deck_slide(lab, browser, screenshot_dir, name):
    import nbformat

    path = NOTEBOOK_DIR / name
    nb = nbformat.read(path, as_version=4)
    index = _explorer_cell(path)
    deck = slides.slides(nb)
    target = next(n for n, s in enumerate(deck) if index in s["cells"])
    call = slides.WIDGET_CALL.search(slides._source(nb.cells[index])).group(0).strip()
    shots = screenshot_dir / "deck"
    shots.mkdir(parents=True, exist_ok=True)
    stem = pathlib.Path(name).stem[:2]

    lab.put_settings(TRACKER, LECTURER_WINDOWING)
    context, outside = offline_context(browser, VIEWPORT)
    page = context.new_page()
    started = time.perf_counter()
    try:
        page.goto(lab.url(f"/lab/workspaces/deck-{stem}/tree/{name}?reset"))
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=60_000)
        page.locator("#jp-main-statusbar", has_text=re.compile(r"\(ipykernel\) \| Idle")).wait_for(timeout=90_000)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        time.sleep(1.0)
        wait_for_idle(page, RUN_TIMEOUT_S)
        ran = time.perf_counter() - started

        # Make the explorer's cell the active one, as a lecturer does: click beside it.
        cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
        assert cells.count() == len(nb.cells), f"{name}: {cells.count()} cells in the page, {len(nb.cells)} in the notebook"
        cell = cells.nth(index)
        cell.scroll_into_view_if_needed()
        assert call in (cell.text_content() or ""), f"{name}: cell {index} does not show {call!r}"
        cell.locator(".jp-InputPrompt").first.click()
        page.screenshot(path=str(shots / f"{stem}_notebook.png"))
        assert cell.locator(".widget-vbox > .widget-image").count(), f"{name}: cell {index} shows no widget after Run All Cells"

        button = page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="deck"]')
        try:
            button.wait_for(timeout=10_000)
        except Exception:
            raise AssertionError(
                f"{name}: no deck button in the notebook's toolbar: is jupyterlab-deck installed and enabled? (`make setup`)"
            ) from None
        button.click()
        page.wait_for_selector("body[data-jp-deck-mode='presenting']", state="attached", timeout=15_000)
        time.sleep(1.0)  # the deck fades its cells in
        page.screenshot(path=str(shots / f"{stem}_slide.png"))

        shown = _on_screen(page)
        expected = deck[target]["cells"]
        assert shown == expected, (
            f"{name}: the deck shows cells {shown} where slide {target + 1} holds cells {expected} "
            f"(slide types {[slides.slide_type(nb.cells[i]) for i in expected]})"
        )
        explorer = cell.locator(".widget-vbox:has(> .widget-image)").first
        image = explorer.locator("> .widget-image")
        sliders = explorer.locator(".widget-slider:not(.widget-vslider)")
        slider = next(
            (
                sliders.nth(j)
                for j in range(sliders.count())
                if sliders.nth(j).locator(".noUi-target").first.get_attribute("disabled") is None
            ),
            None,
        )
        assert slider is not None, f"{name}: the explorer on slide {target + 1} has no slider to move"
        for what, element in (("the picture", image), ("the slider", slider)):
            problems = element.evaluate(_UNSEEN)
            assert not problems, f"{name}, slide {target + 1}: {what} is not fully seen at 1280x800: {problems}"

        handle = slider.locator(".noUi-handle").first
        label = slider.locator(".widget-label").inner_text().strip() or "slider"
        now, top = float(handle.get_attribute("aria-valuenow")), float(handle.get_attribute("aria-valuemax"))
        readout_before = slider.locator(".widget-readout").inner_text()
        before = _shot(page, image)
        handle.focus()
        handle.press("ArrowRight" if now < top else "ArrowLeft")
        deadline, after = time.monotonic() + 15, before
        while time.monotonic() < deadline and after == before:
            time.sleep(0.2)
            after = _shot(page, image)
        time.sleep(0.3)  # let the new PNG finish painting
        after = _shot(page, image)
        (shots / f"{stem}_picture_before.png").write_bytes(before)
        (shots / f"{stem}_picture_after.png").write_bytes(after)
        page.screenshot(path=str(shots / f"{stem}_slide_after.png"))
        readout = slider.locator(".widget-readout").inner_text()
        assert readout != readout_before, f"{name}: slider {label!r} on slide {target + 1}: the readout still shows {readout!r}"
        assert after != before, f"{name}: slider {label!r} moved on slide {target + 1} but the picture did not change"
        assert _on_screen(page) == expected, f"{name}: moving the slider left slide {target + 1}"
        problems = image.evaluate(_UNSEEN)
        assert not problems, f"{name}, slide {target + 1}: after the move the picture is not fully seen: {problems}"

        page.locator(".jp-Deck-Remote button.jp-deck-mod-stop").click()
        page.wait_for_selector("body:not([data-jp-deck-mode='presenting'])", state="attached", timeout=15_000)
        title = slides._source(nb.cells[deck[target]["first_cell"]]).strip().split("\n")[0][:50]
        REPORT.append(
            f"deck {name}: slide {target + 1} of {len(deck)} ({title!r}): slider {label!r} {readout_before} -> {readout} "
            f"with the keyboard, the picture changed; run all {ran:.0f} s, deck part {time.perf_counter() - started - ran:.0f} s"
        )
        assert not outside, f"{name}: requests left 127.0.0.1: {outside[:5]}"
    finally:
        context.close()
        lab.close_all_sessions()
        lab.put_settings(DECK, {})  # never leave the deck on for the next page (it would start presenting)
        lab.put_settings(TRACKER, SUITE_WINDOWING)
