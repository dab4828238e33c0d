"""Section "browser": from a slider key press to the new picture painted, in JupyterLab in headless Chromium.

The lecturer's view of a widget: the time from pressing an arrow key on a
slider to the moment the browser has painted the new PNG. One JupyterLab
server and one headless Chromium (started as the browser tests start them,
offline: ``tests/browser/conftest.py``) open a scratch notebook that builds
every widget the ``widgets`` section measures, with the same inputs
(:func:`benchmarks.widgets.discover`), one cell each. Then, for each widget,
the benchmark presses ArrowRight / ArrowLeft on its sliders in turn
(:data:`MOVES` moves, each after the last one was painted; a widget with no
slider gets the next option of its dropdown instead) and the page times each
move itself:

* ``key``: a capturing ``keydown`` listener on the widget (``input`` for a
  dropdown);
* ``src``: a ``MutationObserver`` sees the ``<img>``'s ``src`` change (the
  new PNG arrived and the image view swapped its blob URL);
* ``decoded``: ``img.decode()`` resolved;
* ``painted``: the next ``requestAnimationFrame`` callback, then a
  ``MessageChannel`` message after it, i.e. after that frame was painted.

In the kernel each tick is timed too (the update function, and the PNG
render inside it), in wall-clock time, so a move splits into *to kernel*
(key press, slider view, comm message, kernel queue), *server* (update +
PNG), *back* (comm message with the PNG, widget model, image view) and
*decode + paint*. Targets per widget: median <= 100 ms and p95 <= 200 ms over
at least 20 moves.
"""
from __future__ import annotations

import contextlib
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

from .core import hold, median, percentile, record

SECTION = "browser"
ROOT = pathlib.Path(__file__).resolve().parents[1]
MOVES = 30
QUICK_MOVES = 20
TARGET_MEDIAN_S = 0.100
TARGET_P95_S = 0.200
MOVE_TIMEOUT_S = 5.0  # a move whose picture has not changed by then counts as "no new picture"
PAUSE_S = 0.05  # between a paint and the next key press, as a lecturer's hand would
RUN_TIMEOUT_S = 600

# The kernel side: build each widget as the widgets section does, and time every tick.
SETUP_CELL = """\
import json, sys, time
sys.path.insert(0, {root!r})
import matplotlib
import cnnlib as cl
from benchmarks import widgets as bw
cl.plot.setup()
TICKS = {ticks!r}

def instrument(name, box):
    \"\"\"Time each tick of ``box`` in the kernel: the update + PNG (wall clock, epoch seconds) and the PNG alone.\"\"\"
    render, draw, refresh, log = box.canvas.png, box.canvas.frame, box.refresh, []
    def timed_png():
        t0 = time.time(); out = render(); log[-1]["png_s"] = time.time() - t0; log[-1]["png_bytes"] = len(out)
        return out
    def timed_frame():
        t0 = time.time(); out = draw(); log[-1]["draw_s"] = time.time() - t0
        return out
    def timed_refresh(change=None):
        log.append({{"start": time.time()}})
        c0 = time.process_time()
        refresh(change)
        log[-1]["end"], log[-1]["cpu_s"] = time.time(), time.process_time() - c0
        with open(f"{{TICKS}}/{{name}}.json", "w") as f:
            json.dump(log, f)
    box.canvas.png, box.canvas.frame = timed_png, timed_frame
    for control in box.controls.values():
        control.unobserve(refresh, names="value")
        control.observe(timed_refresh, names="value")
    box.add_class("cnnlib-bench")
    box.add_class(f"cnnlib-bench-{{name}}")
    return box

BUILDERS = bw.discover()
"""

WIDGET_CELL = """\
# NBVAL_IGNORE_OUTPUT
try:
    box, _, _ = bw.build({name!r}, BUILDERS[{name!r}])
    display(instrument({name!r}, box))
except Exception as err:
    print("not built:", type(err).__name__, err)
"""

# In the page: time one move of one widget (see the module docstring).
INSTALL_JS = """
(box) => {
  const img = box.querySelector(':scope > .widget-image');
  const state = {key: null, moves: []};
  box.__bench = state;
  const now = () => performance.timeOrigin + performance.now();
  box.addEventListener('keydown', () => { state.key = now(); }, true);
  // A dropdown is moved by choosing the next option (Playwright's select_option: no key event).
  box.addEventListener('input', () => { if (state.key === null) state.key = now(); }, true);
  new MutationObserver(() => {
    if (state.key === null) return;
    const move = {key: state.key, src: now()};
    state.key = null;
    const after = () => {
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => { move.painted = now(); state.moves.push(move); };
        channel.port2.postMessage(0);
      });
    };
    img.decode().then(() => { move.decoded = now(); after(); },
                      () => { move.decoded = now(); move.decode_failed = true; after(); });
  }).observe(img, {attributes: true, attributeFilter: ['src']});
}
"""


def missing() -> str | None:
    """Why the browser cannot run here (as the browser tests decide), or None."""
    from tests.browser.conftest import _missing

    return _missing()


@contextlib.contextmanager
def jupyterlab(notebooks_dir: pathlib.Path) -> Iterator[Any]:
    """A JupyterLab on 127.0.0.1 with the browser tests' settings (no news, no autosave, every cell rendered)."""
    from tests.browser.conftest import Lab, _free_port, _wait_until_up

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="cnnlib-bench-lab-"))
    settings = tmp / "settings" / "@jupyterlab"
    for plugin, name, value in [
        ("apputils-extension", "notification", {"fetchNews": "false", "checkForUpdates": False}),
        ("docmanager-extension", "plugin", {"autosave": False}),
        ("notebook-extension", "tracker", {"windowingMode": "none"}),
    ]:
        (settings / plugin).mkdir(parents=True, exist_ok=True)
        (settings / plugin / f"{name}.jupyterlab-settings").write_text(json.dumps(value))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               MPLBACKEND="module://matplotlib_inline.backend_inline")
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks_dir}",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    with open(tmp / "server.log", "w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        server = Lab(port, token, notebooks_dir)
        try:
            _wait_until_up(server.url("/api/status"), proc)
            yield server
        finally:
            with contextlib.suppress(OSError):
                server.close_all_sessions()
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            shutil.rmtree(tmp, ignore_errors=True)


def write_notebook(path: pathlib.Path, names: list[str], ticks_dir: pathlib.Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP_CELL.format(root=str(ROOT), ticks=str(ticks_dir)))]
    nb.cells += [nbformat.v4.new_code_cell(WIDGET_CELL.format(name=n)) for n in names]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, path)


def _run_all(page, timeout_s: float) -> float:
    """Open-notebook Run All; wait until no cell is queued or running. Returns seconds."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    start = time.monotonic()
    time.sleep(1.0)
    quiet = None
    while time.monotonic() - start < timeout_s:
        busy = page.locator(".jp-InputPrompt", has_text="[*]").count() > 0
        idle = page.locator("#jp-main-statusbar", has_text=re.compile(r"\| Idle")).count() > 0
        if not busy and idle:
            quiet = quiet or time.monotonic()
            if time.monotonic() - quiet > 1.5:
                return time.monotonic() - start
        else:
            quiet = None
        time.sleep(0.25)
    raise RuntimeError(f"the benchmark notebook was still running after {timeout_s:.0f} s")


def _controls(box) -> list[Any]:
    """The handles of the widget's enabled horizontal sliders; its dropdowns where it has no slider."""
    out = []
    sliders = box.locator(".widget-slider:not(.widget-vslider)")
    for j in range(sliders.count()):
        handle = sliders.nth(j).locator(".noUi-handle").first
        target = sliders.nth(j).locator(".noUi-target").first
        if target.get_attribute("disabled") is None and handle.get_attribute("disabled") is None:
            out.append(handle)
    if not out:  # a widget steered by a dropdown: arrow keys on the focused <select> move it the same way
        selects = box.locator(".widget-dropdown select")
        out = [selects.nth(j) for j in range(selects.count()) if selects.nth(j).is_enabled()]
    return out


def _position(control) -> tuple[float, float, float]:
    """(value, lowest, highest) of a slider handle, or (index, 0, last) of a <select>."""
    if control.get_attribute("aria-valuenow") is not None:
        return tuple(float(control.get_attribute(f"aria-value{k}")) for k in ("now", "min", "max"))
    index, count = control.evaluate("s => [s.selectedIndex, s.options.length]")
    return float(index), 0.0, float(count - 1)


def move_widget(page, box, name: str, moves: int) -> tuple[list[dict[str, float]], int]:
    """Press arrow keys on the widget's sliders in turn, each after the last picture was painted.

    Returns the page's timings of each painted move and how many presses gave no new picture.
    """
    box.scroll_into_view_if_needed()
    box.evaluate(INSTALL_JS)
    handles = _controls(box)
    if not handles:
        return [], 0
    direction = {}
    unchanged = 0
    for i in range(moves):
        handle = handles[i % len(handles)]
        j = i % len(handles)
        now, low, top = _position(handle)
        up = direction.get(j, True)
        if (up and now >= top) or (not up and now <= low):
            up = not up
        direction[j] = not up  # back and forth around the start
        done = box.evaluate("b => b.__bench.moves.length")
        if handle.get_attribute("aria-valuenow") is None:  # a <select>
            handle.select_option(index=int(now) + (1 if up else -1))
        else:
            handle.focus()
            handle.press("ArrowRight" if up else "ArrowLeft")
        try:
            page.wait_for_function("([n, done]) => document.querySelector('.cnnlib-bench-' + n).__bench.moves.length > done",
                                   arg=[name, done], timeout=MOVE_TIMEOUT_S * 1000)
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: this press changed no picture
            unchanged += 1
            box.evaluate("b => { b.__bench.key = null; }")
        time.sleep(PAUSE_S)
    return box.evaluate("b => b.__bench.moves"), unchanged


def split(moves: list[dict[str, float]], ticks: list[dict[str, float]]) -> dict[str, list[float]]:
    """Each painted move's total and parts in seconds, matched to the kernel tick that started in it."""
    keys = ("total", "to_kernel", "server", "server_cpu", "update", "draw", "encode", "back", "decode", "paint")
    parts: dict[str, list[float]] = {k: [] for k in keys}
    nan = float("nan")
    for m in moves:
        key, src, decoded, painted = (m[k] / 1000.0 for k in ("key", "src", "decoded", "painted"))
        parts["total"].append(painted - key)
        parts["decode"].append(decoded - src)
        parts["paint"].append(painted - decoded)
        inside = [t for t in ticks if key - 0.005 <= t["start"] <= src and "end" in t]
        if inside:
            t = inside[-1]
            parts["to_kernel"].append(t["start"] - key)
            parts["server"].append(t["end"] - t["start"])
            parts["server_cpu"].append(t.get("cpu_s", nan))
            parts["update"].append(t["end"] - t["start"] - t.get("png_s", nan))
            parts["draw"].append(t.get("draw_s", nan))
            parts["encode"].append(t.get("png_s", nan) - t.get("draw_s", nan))
            parts["back"].append(src - t["end"])
    return parts


def measure(page, name: str, ticks_dir: pathlib.Path, moves: int, log: Callable[[str], None]) -> dict[str, Any]:
    box = page.locator(f".cnnlib-bench-{name}")
    if box.count() == 0:
        rec = record(SECTION, name, "key press -> painted", None, note="not built in the notebook")
        hold(rec, "builds", False, "==", True)
        return rec
    timings, unchanged = move_widget(page, box.first, name, moves)
    tick_file = ticks_dir / f"{name}.json"
    ticks = json.loads(tick_file.read_text()) if tick_file.exists() else []
    parts = split(timings, ticks)
    med, p95 = median(parts["total"]), percentile(parts["total"], 95)
    sizes = [t["png_bytes"] for t in ticks if "png_bytes" in t]
    rec = record(SECTION, name, "key press -> painted", med if parts["total"] else None,
                 ratio=med / TARGET_MEDIAN_S if parts["total"] else None, p95_s=p95, moves=len(parts["total"]),
                 no_new_picture=unchanged, png_kib=median(sizes) / 1024 if sizes else None,
                 **{f"{k}_median_s": median(v) for k, v in parts.items() if k != "total"})
    rec["note"] = (f"{len(parts['total'])} moves; to kernel {rec['to_kernel_median_s'] * 1e3:.0f} ms, server "
                   f"{rec['server_median_s'] * 1e3:.0f} (CPU {rec['server_cpu_median_s'] * 1e3:.0f}; update "
                   f"{rec['update_median_s'] * 1e3:.0f}, draw {rec['draw_median_s'] * 1e3:.0f}, PNG encode "
                   f"{rec['encode_median_s'] * 1e3:.0f}), back "
                   f"{rec['back_median_s'] * 1e3:.0f}, decode {rec['decode_median_s'] * 1e3:.0f}, paint "
                   f"{rec['paint_median_s'] * 1e3:.0f} ms; {rec['png_kib'] or 0:.0f} KiB"
                   + (f"; {unchanged} press(es) changed no picture" if unchanged else ""))
    hold(rec, ">= 20 moves", len(parts["total"]), ">=", 20)
    hold(rec, "median <= 100 ms", med, "<=", TARGET_MEDIAN_S)
    hold(rec, "p95 <= 200 ms", p95, "<=", TARGET_P95_S)
    log(f"  {name}: median {med * 1e3:.0f} ms, p95 {p95 * 1e3:.0f} ms over {len(parts['total'])} moves ({rec['note']})")
    return rec


def run(*, quick: bool = False, log: Callable[[str], None] = print, **_: Any) -> list[dict[str, Any]]:
    from . import widgets

    try:
        names = list(widgets.discover())
    except Exception as err:  # noqa: BLE001 - cnnlib.widgets itself does not import: say so, keep the run going
        rec = record(SECTION, "cnnlib.widgets", "key press -> painted", None,
                     note=f"not measured: {type(err).__name__}: {err}"[:200])
        hold(rec, "builds", False, "==", True)
        log(f"  {rec['note']}")
        return [rec]
    problem = missing()
    if problem:
        log(f"  browser latency not measured: {problem}")
        return [record(SECTION, n, "key press -> painted", None, note=f"not measured: {problem}") for n in names]
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, offline_context

    moves = QUICK_MOVES if quick else MOVES
    work = pathlib.Path(tempfile.mkdtemp(prefix="cnnlib-bench-browser-"))
    ticks_dir = work / "ticks"
    ticks_dir.mkdir()
    write_notebook(work / "bench_widgets.ipynb", names, ticks_dir)
    records = []
    try:
        with jupyterlab(work) as lab, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            context, outside = offline_context(browser, {"width": 1500, "height": 1100})
            page = context.new_page()
            page.goto(lab.url("/lab/workspaces/bench/tree/bench_widgets.ipynb?reset"))
            page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=60_000)
            time.sleep(1.0)
            dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
            if dialog.count():
                dialog.locator("button", has_text="Select").click()
            page.locator("#jp-main-statusbar", has_text=re.compile(r"\(ipykernel\) \| Idle")).wait_for(timeout=90_000)
            log(f"  all cells ran in {_run_all(page, RUN_TIMEOUT_S):.0f} s; {moves} key presses per widget")
            for name in names:
                records.append(measure(page, name, ticks_dir, moves, log))
            if outside:
                log(f"  requests that tried to leave 127.0.0.1 (blocked): {outside[:3]}")
            context.close()
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return records
