"""One JupyterLab server and one headless Chromium for the whole browser suite.

The server runs on 127.0.0.1 on a random free port with a random token, in
temporary config/runtime/settings/workspace folders, with JupyterLab's news
and update checks switched off; it is stopped by its PID at the end. The
browser is Debian's ``/usr/bin/chromium`` driven by Python Playwright (no
browser download, ever).

When Chromium or Playwright is missing the suite is skipped with one line
saying how to enable it; under ``CI=true`` that is a failure instead.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Setting defaults that `make setup` copies into .venv/share/jupyter/lab/settings/overrides.d/
# (what jupyterlab-deck needs); the suite's JupyterLab reads them from here.
LAB_OVERRIDES = ROOT / "jupyter" / "overrides.d"
CHROMIUM = os.environ.get("CNNLIB_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "build" / "browser-screenshots"
ENABLE_HINT = (
    "browser tests skipped: install Debian's chromium (`sudo apt-get install chromium`), "
    "then run `make test-browser`"
)
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _missing() -> str | None:
    if not (pathlib.Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} not found"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed"
    return None


REPORT: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if REPORT:
        terminalreporter.section("browser suite")
        for line in REPORT:
            terminalreporter.write_line(line)


def pytest_report_header(config):
    problem = _missing()
    if problem:
        return f"{ENABLE_HINT} ({problem})"
    return f"browser tests: {CHROMIUM} via Playwright"


def require_browser() -> None:
    """Skip (locally) or fail (under CI=true) when the browser cannot run."""
    problem = _missing()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {problem}: the browser tests must run in CI. ({ENABLE_HINT})", pytrace=False)
    pytest.skip(f"{ENABLE_HINT} ({problem})")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer at {url} within {timeout:.0f} s")


def is_local(url: str) -> bool:
    """True for requests that stay on this machine (127.0.0.1, or data/blob/about URLs)."""
    return re.match(r"^(https?|wss?)://127\.0\.0\.1(:\d+)?/", url) is not None or url.startswith(("data:", "blob:", "about:"))


def offline_context(browser, viewport: dict):
    """A browser context whose requests may not leave 127.0.0.1: returns it and the list of blocked URLs."""
    context = browser.new_context(viewport=viewport)
    outside: list[str] = []

    def guard(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context, outside


class Lab:
    """A running JupyterLab: base URL, token and a small REST helper."""

    def __init__(self, port: int, token: str, root: pathlib.Path):
        self.port, self.token, self.root = port, token, root
        self.base = f"http://127.0.0.1:{port}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}{'&' if '?' in path else '?'}token={self.token}"

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def put_settings(self, plugin: str, values: dict) -> None:
        """Replace the user settings of one JupyterLab plugin (``{}``: back to the defaults); pages opened afterwards see them."""
        body = json.dumps({"raw": json.dumps(values)}).encode()
        request = urllib.request.Request(
            self.url(f"/lab/api/settings/{plugin}"), data=body, method="PUT", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10):
            pass

    def close_all_sessions(self) -> None:
        for session in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{session['id']}")


@pytest.fixture(scope="session")
def notebooks_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("CNNLIB_BROWSER_NOTEBOOKS", ROOT / "notebooks")).resolve()


@pytest.fixture(scope="session")
def lab(notebooks_dir):
    require_browser()
    start = time.perf_counter()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="cnnlib-lab-"))
    settings = tmp / "settings"
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    # No news and no update checks: nothing leaves 127.0.0.1.
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    # Never autosave: cells run by the tests must not be written back into the notebooks.
    (settings / "@jupyterlab" / "docmanager-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    # Render every cell, not only those on screen, so the tests can read every prompt and output.
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"})
    )
    # The setting defaults `make lab` uses, from the repository (not whatever .venv holds).
    shutil.copytree(LAB_OVERRIDES, tmp / "app-settings" / "overrides.d")
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
        MPLBACKEND="module://matplotlib_inline.backend_inline",
    )
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={notebooks_dir}",
        f"--LabApp.app_settings_dir={tmp / 'app-settings'}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp / "server.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = Lab(port, token, notebooks_dir)
    try:
        _wait_until_up(server.url("/api/status"), proc)
        yield server
    finally:
        try:
            server.close_all_sessions()
        except OSError:
            pass
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)
        REPORT.append(f"browser suite: {time.perf_counter() - start:.1f} s with one JupyterLab server and one Chromium")


@pytest.fixture(scope="session")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> pathlib.Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def wait_for_idle(page, timeout_s: float) -> None:
    """Wait until no cell is queued or running and the kernel reports idle."""
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    while time.monotonic() < deadline:
        busy = page.locator(".jp-InputPrompt", has_text="[*]").count() > 0
        idle = page.locator("#jp-main-statusbar", has_text=re.compile(r"\| Idle")).count() > 0
        if not busy and idle:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 1.5:
                return
        else:
            quiet_since = None
        time.sleep(0.25)
    raise AssertionError(f"the notebook was still running after {timeout_s:.0f} s")
