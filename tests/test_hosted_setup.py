"""The first lines of every notebook's setup cell work on a hosted service.

scripts/hosted_setup_snippet.py is the exact text that opens the setup cell:
where cnnlib is missing it says in one line how to install it (one `pip install`
of the repository) and, on Colab, installs it itself; where cnnlib imports (a
clone, `make lab`, Binder) it does nothing and prints nothing. The repository's
address is kept in one place, `[project.urls]` in pyproject.toml; the snippet
quotes it (a notebook without cnnlib cannot read pyproject.toml) and this test
keeps the two in step. Colab is faked in `sys.modules` and pip is intercepted:
nothing is downloaded.
"""
from __future__ import annotations

import ast
import json
import pathlib
import subprocess
import sys
import tomllib
import types

import pytest

import cnnlib  # noqa: F401  (before Colab is faked: jax, imported by cnnlib, then looks for google.colab.output)

ROOT = pathlib.Path(__file__).resolve().parents[1]
SNIPPET = (ROOT / "scripts" / "hosted_setup_snippet.py").read_text()
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _repository() -> str:
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    return urls["Repository"]


def _source_literal() -> str:
    """The value the snippet assigns to CNNLIB_SOURCE."""
    values = [
        node.value.value
        for node in ast.walk(ast.parse(SNIPPET))
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["CNNLIB_SOURCE"]
    ]
    assert len(values) == 1, "the snippet names the repository once, in CNNLIB_SOURCE"
    return values[0]


def test_the_snippet_installs_the_repository_named_in_pyproject():
    assert _source_literal() == f"git+{_repository()}"
    assert _repository().startswith("https://")


def test_the_readme_gives_the_same_command():
    readme = (ROOT / "README.md").read_text()
    assert f"%pip install git+{_repository()}\n" in readme


@pytest.fixture
def pip_calls(monkeypatch):
    calls = []

    def fake_run(cmd, *args, **kwargs):
        calls.append((list(cmd), kwargs))
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(subprocess, "run", fake_run)
    return calls


@pytest.fixture
def colab(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))


@pytest.fixture
def not_colab(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)


@pytest.fixture
def no_cnnlib(monkeypatch):
    """`import cnnlib` raises ModuleNotFoundError, as where it was never installed."""
    monkeypatch.setitem(sys.modules, "cnnlib", None)
    with pytest.raises(ModuleNotFoundError):
        import cnnlib  # noqa: F401


def _run_snippet() -> dict:
    namespace: dict = {}
    exec(compile(SNIPPET, "setup cell", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("where", ["colab", "not_colab"])
def test_with_cnnlib_it_does_nothing(where, request, pip_calls, capsys):
    request.getfixturevalue(where)
    namespace = _run_snippet()
    assert capsys.readouterr() == ("", "")
    assert pip_calls == []
    assert namespace["cnnlib"] is sys.modules["cnnlib"]


def test_without_cnnlib_it_says_in_one_line_how_to_install_it(no_cnnlib, not_colab, pip_calls, capsys):
    _run_snippet()
    out, err = capsys.readouterr()
    assert err == "" and out.count("\n") == 1, out
    assert f"%pip install git+{_repository()}" in out, out
    assert pip_calls == [], "only on Colab does the cell install by itself"


def test_on_colab_without_cnnlib_it_installs_the_repository(no_cnnlib, colab, pip_calls, capsys):
    _run_snippet()
    out, _ = capsys.readouterr()
    assert out.count("\n") == 1 and f"pip install git+{_repository()}" in out, out
    assert len(pip_calls) == 1
    cmd, kwargs = pip_calls[0]
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"] and cmd[-1] == f"git+{_repository()}", cmd
    assert kwargs.get("check") is True, "a failed install must stop the cell"


def test_a_broken_cnnlib_is_not_hidden(monkeypatch, not_colab, pip_calls):
    """An ImportError from inside an installed cnnlib is a bug to see, not a reason to reinstall."""
    monkeypatch.delitem(sys.modules, "cnnlib", raising=False)

    class Broken:
        def find_spec(self, name, path=None, target=None):
            if name == "cnnlib":
                raise ImportError("cannot import name 'conv2d' from partially initialized module 'cnnlib'")

    monkeypatch.setattr(sys, "meta_path", [Broken(), *sys.meta_path])
    with pytest.raises(ImportError, match="partially initialized"):
        _run_snippet()
    assert pip_calls == []


def _setup_cell(path: pathlib.Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    code = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells if c["cell_type"] == "code"]
    return next((src for src in code if "import cnnlib as cl" in src), "")


def test_every_notebook_opens_with_the_snippet():
    """Once the snippet is in one notebook, it must open the setup cell of every notebook, unchanged."""
    first_line = SNIPPET.splitlines()[0]
    pasted = [p.name for p in NOTEBOOKS if first_line in _setup_cell(p)]
    if not pasted:
        pytest.skip("the snippet is not in the notebooks yet")
    for path in NOTEBOOKS:
        assert _setup_cell(path).startswith(SNIPPET), f"{path.name}: the setup cell must start with scripts/hosted_setup_snippet.py"
