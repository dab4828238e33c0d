"""A wheel built from the repository works with no clone in sight.

The wheel is built from a copy of the files it is made of, installed (not
editable) into a fresh virtual environment in a temporary folder, and used from
another temporary folder: the bundled data loads from inside the installed
package, its checksums are still checked, and a notebook copied out of the
repository runs in a kernel of that environment. In an environment without
cnnlib, the notebooks' hosted-setup snippet, on a faked Colab, installs the
wheel (in place of the repository) and the import after it works. The new
environments get the dependencies (jax, nbclient, ...) from the running one
through a ``.pth`` line, so nothing is downloaded but the build backend
(setuptools, from PyPI or pip's cache).
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
#: What the wheel is made of (pyproject.toml names the rest of the repository nowhere).
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "cnnlib", "data")
NOTEBOOK = ROOT / "notebooks" / "00_convolution.ipynb"


def _run(cmd, **kwargs):
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _clean_env(**extra):
    """The environment of a user in another folder: no PYTHONPATH, nothing pointing at the clone."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "JUPYTER_PATH"}}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> pathlib.Path:
    src = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "_data"))
        else:
            shutil.copy(ROOT / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check", "-w", dist, src])
    (built,) = dist.glob("cnnlib-*.whl")
    return built


def _python(env_dir: pathlib.Path) -> pathlib.Path:
    return env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _new_venv(root: pathlib.Path, wheel: pathlib.Path | None) -> pathlib.Path:
    """A fresh environment, with the wheel installed if given; dependencies borrowed from this one."""
    _run([sys.executable, "-m", "venv", "--without-pip", root])
    python = _python(root)
    if wheel is not None:
        # Install first, while the borrowed site-packages (which hold the editable cnnlib
        # of the clone) are not yet visible: pip must see no cnnlib at all.
        _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
              "--quiet", "--disable-pip-version-check", wheel], env=_clean_env())
    purelib = pathlib.Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    # Plain path lines: the .pth files in there (the clone's editable finder among them) are not run.
    borrowed = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (purelib / "zz_borrowed_dependencies.pth").write_text("".join(f"{p}\n" for p in borrowed))
    return root


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> pathlib.Path:
    return _new_venv(tmp_path_factory.mktemp("venv") / "env", wheel)


def test_pyproject_lists_every_package_of_cnnlib():
    """setuptools is given the packages by name: a new folder of cnnlib/ must be added there."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "cnnlib").rglob("__init__.py")}
    assert folders - listed == set(), f"add these to [tool.setuptools] packages in pyproject.toml: {sorted(folders - listed)}"


def test_the_wheel_carries_every_module(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "cnnlib").rglob("*.py") if "__pycache__" not in p.parts}
    assert modules - names == set(), f"modules missing from the wheel: {sorted(modules - names)}"


def test_the_wheel_carries_every_data_file(wheel):
    listed = [line.split()[1] for line in (DATA / "checksums.sha256").read_text().splitlines() if line.strip()]
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        for name in {*listed, *(p.name for p in DATA.iterdir() if p.is_file()), "checksums.sha256", "README.md"}:
            member = f"cnnlib/_data/{name}"
            assert member in names, f"the wheel does not carry data/{name}"
            assert hashlib.sha256(whl.read(member)).digest() == hashlib.sha256((DATA / name).read_bytes()).digest(), name
        assert not any(n.startswith(("data/", "tests/", "notebooks/")) for n in names), sorted(names)[:20]


DATA_CHECK = textwrap.dedent(
    """
    import pathlib, sys
    import cnnlib as cl
    from cnnlib import data as D

    prefix = pathlib.Path(sys.prefix).resolve()
    assert pathlib.Path(cl.__file__).resolve().is_relative_to(prefix), cl.__file__
    folder = pathlib.Path(str(D._DATA_DIR)).resolve()
    assert folder.is_relative_to(prefix) and folder.name == "_data", folder
    assert cl.load_image("cat", grey=True).shape == (300, 451)
    images, labels = cl.load_digits()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)

    # The checksums are still checked: spoil one byte of the installed astronaut (then mend it).
    target = folder / "astronaut.png"
    good = target.read_bytes()
    spoilt = bytearray(good)
    spoilt[len(spoilt) // 2] ^= 0xFF
    target.write_bytes(bytes(spoilt))
    try:
        cl.load_image("astronaut")
    except D.DataCorruptedError as err:
        assert "`astronaut.png` is corrupted" in str(err), err
    else:
        raise AssertionError("a corrupted file loaded without complaint")
    finally:
        target.write_bytes(good)
    print("data ok")
    """
)


def test_the_installed_package_loads_its_data_and_checks_it(venv, tmp_path):
    done = _run([_python(venv), "-c", DATA_CHECK], cwd=tmp_path, env=_clean_env())
    assert done.stdout.strip().endswith("data ok"), done.stdout


DRIVER = textwrap.dedent(
    """
    import sys
    import nbformat
    from nbclient import NotebookClient

    path = sys.argv[1]
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
    nbformat.write(nb, path)
    """
)

WHERE = (
    "import json, sys, cnnlib\n"
    "from cnnlib import data\n"
    "print(json.dumps({'prefix': sys.prefix, 'cnnlib': cnnlib.__file__, 'data': str(data._DATA_DIR), 'path': sys.path}))"
)


def test_a_notebook_copied_out_of_the_repository_runs(venv, tmp_path):
    """Notebook 00, alone in an empty folder, in a kernel of the new environment."""
    work = tmp_path / "course"
    work.mkdir()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(WHERE))  # the proof: which cnnlib the kernel imported
    copy = work / NOTEBOOK.name
    nbformat.write(nb, copy)
    # A kernel spec of the new environment's Python, found before any other "python3".
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [str(_python(venv)), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "wheel test", "language": "python"}))
    env = _clean_env(JUPYTER_PATH=str(tmp_path / "jupyter"))
    _run([_python(venv), "-c", DRIVER, copy.name], cwd=work, env=env, timeout=300)

    executed = nbformat.read(copy, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors[0]
    where = json.loads("".join(o.text for o in executed.cells[-1].outputs if o.output_type == "stream"))
    prefix = venv.resolve()
    assert pathlib.Path(where["prefix"]).resolve() == prefix, where["prefix"]
    assert pathlib.Path(where["cnnlib"]).resolve().is_relative_to(prefix), where["cnnlib"]
    assert pathlib.Path(where["data"]).resolve().is_relative_to(prefix), where["data"]
    assert not any(p and pathlib.Path(p).resolve() == ROOT for p in where["path"]), "the clone is on the kernel's sys.path"


COLAB = textwrap.dedent(
    """
    import pathlib, subprocess, sys, types
    import jax  # before Colab is faked: jax looks for google.colab.output when it sees google.colab

    snippet, wheel = sys.argv[1:]
    sys.modules["google.colab"] = types.ModuleType("google.colab")
    run = subprocess.run

    def pip_from_the_wheel(cmd, **kwargs):  # the snippet's `pip install git+<repository>`, offline
        assert cmd[:4] == [sys.executable, "-m", "pip", "install"] and cmd[-1].startswith("git+https://"), cmd
        return run([*cmd[:-1], "--no-deps", "--no-index", "--ignore-installed", wheel], **kwargs)

    subprocess.run = pip_from_the_wheel
    exec(compile(pathlib.Path(snippet).read_text(), "setup cell", "exec"), {})
    subprocess.run = run
    import cnnlib as cl  # the line after the snippet in the setup cell, same process

    assert pathlib.Path(cl.__file__).resolve().is_relative_to(pathlib.Path(sys.prefix).resolve()), cl.__file__
    print(cl.load_image("cat", grey=True, size=32).shape)
    """
)


def test_on_colab_the_setup_cell_installs_cnnlib_and_imports_it(tmp_path, wheel):
    """The hosted-setup snippet in a Python without cnnlib: it installs the package, and the import after it works."""
    env_dir = _new_venv(tmp_path / "env", wheel=None)
    python = _python(env_dir)
    missing = subprocess.run([python, "-c", "import cnnlib"], capture_output=True, text=True, cwd=tmp_path, env=_clean_env())
    assert "No module named 'cnnlib'" in missing.stderr, missing.stderr
    snippet = ROOT / "scripts" / "hosted_setup_snippet.py"
    done = _run([python, "-c", COLAB, snippet, wheel], cwd=tmp_path, env=_clean_env())
    assert done.stdout.splitlines()[0].startswith("Installing cnnlib: pip install git+https://"), done.stdout
    assert done.stdout.splitlines()[-1] == "(32, 32)", done.stdout
