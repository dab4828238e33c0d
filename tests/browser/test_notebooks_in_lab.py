"""Every notebook, opened in JupyterLab in headless Chromium, runs and its widgets respond.

For each notebook: open it, run all cells, wait for the kernel to go idle,
check that no output shows an error, then for each widget with an image
(the collection's explorers): move every slider one step with the keyboard
and pick another option in every dropdown, and check that the picture
changed (screenshots before and after differ) and the slider's readout shows
the new value. Screenshots go to build/browser-screenshots/.
"""
from __future__ import annotations

import os
import pathlib
import re
import time

import pytest

from .conftest import REPORT, ROOT, offline_context, wait_for_idle

NOTEBOOK_DIR = pathlib.Path(os.environ.get("CNNLIB_BROWSER_NOTEBOOKS", ROOT / "notebooks"))
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
ERROR_TEXT = re.compile(r"Traceback \(most recent call last\)|Error displaying widget|Error rendering|Model not found")
RUN_TIMEOUT_S = 240


def _run_all_cells(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def _accept_kernel_dialog(page) -> None:
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    if dialog.count():
        dialog.locator("button", has_text="Select").click()


def _expected_widgets(path: pathlib.Path) -> int:
    """How many cells of the stored notebook show an explorer widget (a progress bar is a widget too: not counted)."""
    import json

    cells = json.loads(path.read_text())["cells"]
    mime = "application/vnd.jupyter.widget-view+json"
    return sum(
        1
        for c in cells
        if "cl.widgets." in "".join(c.get("source", "")) and any(mime in o.get("data", {}) for o in c.get("outputs", []))
    )


def _output_errors(page) -> list[str]:
    texts = page.locator(".jp-OutputArea-output").all_inner_texts()
    return [t[:300] for t in texts if ERROR_TEXT.search(t)]


def _wait_for_change(element, before: bytes, timeout_s: float = 15.0) -> bytes:
    deadline = time.monotonic() + timeout_s
    after = before
    while time.monotonic() < deadline:
        time.sleep(0.2)
        after = element.screenshot()
        if after != before:
            time.sleep(0.3)  # let the PNG finish painting, then take the final shot
            return element.screenshot()
    return after


def _number(text: str) -> float:
    return float(re.sub(r"[^0-9eE+\-.]", "", text))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_its_widgets_respond(lab, browser, screenshot_dir, name):
    shots = screenshot_dir / pathlib.Path(name).stem
    shots.mkdir(parents=True, exist_ok=True)
    context, outside = offline_context(browser, {"width": 1500, "height": 1100})
    page = context.new_page()
    try:
        # A workspace of its own, reset: JupyterLab would otherwise reopen every notebook opened before.
        page.goto(lab.url(f"/lab/workspaces/nb-{pathlib.Path(name).stem}/tree/{name}?reset"))
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=60_000)
        time.sleep(1.0)
        _accept_kernel_dialog(page)
        # The kernel is ready when the status bar says "<kernel name> | Idle".
        page.locator("#jp-main-statusbar", has_text=re.compile(r"\(ipykernel\) \| Idle")).wait_for(timeout=90_000)
        started = time.perf_counter()
        _run_all_cells(page)
        time.sleep(1.0)
        wait_for_idle(page, RUN_TIMEOUT_S)
        REPORT.append(f"{name}: all cells ran in JupyterLab in {time.perf_counter() - started:.1f} s ")
        page.screenshot(path=str(shots / "notebook.png"))
        errors = _output_errors(page)
        assert not errors, f"{name}: error output after Run All: {errors}"
        prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        not_run = [p for p in prompts if not re.search(r"\[\d+\]", p)]
        assert prompts and not not_run, f"{name}: {len(not_run)} of {len(prompts)} code cells did not run"

        explorers = page.locator(".widget-vbox:has(> .widget-image)")
        n_explorers = explorers.count()
        expected = _expected_widgets(NOTEBOOK_DIR / name)
        assert n_explorers >= expected, f"{name}: {expected} widget cells but {n_explorers} widgets rendered"
        checked = 0
        for i in range(n_explorers):
            box = explorers.nth(i)
            box.scroll_into_view_if_needed()
            image = box.locator("> .widget-image")
            sliders = box.locator(".widget-slider:not(.widget-vslider)")
            dropdowns = box.locator(".widget-dropdown select")
            for j in range(sliders.count()):
                slider = sliders.nth(j)
                label = slider.locator(".widget-label").inner_text().strip() or f"slider{j}"
                handle = slider.locator(".noUi-handle").first
                target = slider.locator(".noUi-target").first
                if target.get_attribute("disabled") is not None or handle.get_attribute("disabled") is not None:
                    continue  # greyed out: it does not act on the current choice, and a user cannot move it
                now, top = float(handle.get_attribute("aria-valuenow")), float(handle.get_attribute("aria-valuemax"))
                readout_before = slider.locator(".widget-readout").inner_text()
                before = image.screenshot()
                handle.focus()
                handle.press("ArrowRight" if now < top else "ArrowLeft")
                after = _wait_for_change(image, before)
                tag = re.sub(r"\W+", "_", label).strip("_") or f"slider{j}"
                (shots / f"w{i}_{tag}_before.png").write_bytes(before)
                (shots / f"w{i}_{tag}_after.png").write_bytes(after)
                assert after != before, f"{name}: widget {i}, slider {label!r}: the picture did not change"
                readout = slider.locator(".widget-readout").inner_text()
                assert readout != readout_before, f"{name}: widget {i}, slider {label!r}: the readout still shows {readout!r}"
                new = float(handle.get_attribute("aria-valuenow"))  # rounded for display, like the readout
                # A selection slider's handle reports the option's index, its readout the option itself.
                is_selection = float(handle.get_attribute("aria-valuemin")) == 0 and new.is_integer() and top.is_integer()
                assert is_selection or abs(_number(readout) - new) <= 0.01 + 0.01 * abs(new), (
                    f"{name}: widget {i}, slider {label!r}: readout {readout!r} does not show {new}"
                )
                checked += 1
            for j in range(dropdowns.count()):
                select = dropdowns.nth(j)
                options = select.locator("option").all_inner_texts()
                current = select.evaluate("s => s.selectedIndex")
                if len(options) < 2:
                    continue
                before = image.screenshot()
                select.select_option(index=(current + 1) % len(options))
                after = _wait_for_change(image, before)
                (shots / f"w{i}_dropdown{j}_before.png").write_bytes(before)
                (shots / f"w{i}_dropdown{j}_after.png").write_bytes(after)
                assert after != before, f"{name}: widget {i}, dropdown {j} ({options}): the picture did not change"
                checked += 1
        errors = _output_errors(page)
        assert not errors, f"{name}: error output after moving the widgets: {errors}"
        REPORT.append(f"{name}: {n_explorers} widgets, {checked} controls moved; screenshots in {shots.relative_to(ROOT)}")
        assert not outside, f"{name}: requests left 127.0.0.1: {outside[:5]}"
    finally:
        context.close()
        lab.close_all_sessions()
