"""The set-up files agree: environment.yml and pyproject.toml name the same packages."""
import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOT_PACKAGES = {"python", "pip", "pip:"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _conda_packages() -> dict[str, str]:
    packages = {}
    in_deps = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        if in_deps and re.match(r"^\s{2}- [A-Za-z]", line):
            spec = line.strip()[2:].split("#")[0].strip()
            if _name(spec) not in NOT_PACKAGES:
                packages[_name(spec)] = spec
    return packages


def _pyproject_packages() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return {_name(r): r.replace(" ", "") for r in reqs}


def test_environment_yml_names_the_same_packages_as_pyproject():
    conda, pip = _conda_packages(), _pyproject_packages()
    assert conda, "no packages parsed from environment.yml"
    assert sorted(conda) == sorted(pip), (
        f"only in environment.yml: {sorted(set(conda) - set(pip))}; "
        f"only in pyproject.toml: {sorted(set(pip) - set(conda))}"
    )


def test_same_version_floors():
    conda, pip = _conda_packages(), _pyproject_packages()
    for name in pip:
        assert conda[name].replace(" ", "") == pip[name], f"{name}: {conda[name]!r} vs {pip[name]!r}"


def test_environment_installs_the_project_with_pip():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s+- -e \.$", text, re.M), "environment.yml must pip-install the project (-e .)"
    assert "conda-forge" in text


def test_make_test_runs_the_notebooks_again_as_an_older_processor():
    """`make test` must also run nbval with XLA limited to an older instruction set."""
    import shutil
    import subprocess

    if shutil.which("make") is None:
        import pytest

        pytest.skip("make is not installed")
    plan = subprocess.run(["make", "-n", "test", "OLD_ISA=SSE4_2"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "--xla_cpu_max_isa=SSE4_2" in plan and "pytest notebooks" in plan, plan


# ------------------------------------------------------------ constraints ---


def _constraints() -> dict[str, str]:
    """constraints.txt as {canonical name: exact version}."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version and not re.search(r"[<>=!~;, ]", version), f"not an exact pin: {line!r}"
            assert _name(name) not in pins, f"{name} is pinned twice"
            pins[_name(name)] = version
    return pins


def test_constraints_pin_every_package_of_pyproject_within_its_range():
    from packaging.requirements import Requirement

    pins = _constraints()
    assert "cnnlib" not in pins, "constraints.txt must not pin the project itself"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]:
        req = Requirement(spec)
        name = _name(req.name)
        assert name in pins, f"{name} is not in constraints.txt: run `make constraints`"
        assert req.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} is outside pyproject's {spec!r}"


def test_make_installs_with_the_constraints_and_reinstalls_when_they_change():
    text = (ROOT / "Makefile").read_text()
    assert re.search(r"^\$\(STAMP\):[^\n]*\bconstraints\.txt\b", text, re.M), "the install stamp must depend on constraints.txt"
    recipe = text.split("$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"pip install .*-c constraints\.txt .*-e '\.\[lab,test\]'", recipe), recipe
    assert re.search(r"^constraints:", text, re.M) and "scripts/freeze_constraints.py" in text, "`make constraints` refreshes it"


def test_the_repository_venv_has_the_constrained_versions():
    """In the .venv that `make test` uses, every installed package is the version constraints.txt names."""
    import importlib.metadata as md
    import sys

    import pytest

    if pathlib.Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("not the repository's .venv (conda, Binder: conda picks its own versions)")
    wrong = {}
    for name, version in _constraints().items():
        try:
            installed = md.version(name)
        except md.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong, f"constraints.txt vs installed: {wrong}; `make setup` reinstalls, `make constraints` refreshes"


# ------------------------------------------------------------- presenting ---


def test_make_lab_installs_the_deck_and_its_setting_defaults():
    """`make lab` (through `make setup`) installs jupyterlab-deck and copies jupyter/overrides.d/ into .venv."""
    import json5

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lab = [_name(r) for r in project["optional-dependencies"]["lab"]]
    assert "jupyterlab-deck" in lab and "jupyterlab-rise" not in lab, lab
    files = sorted((ROOT / "jupyter" / "overrides.d").glob("*.json5"))
    assert files, "jupyter/overrides.d/ holds the setting defaults for JupyterLab"
    for path in files:
        settings = json5.loads(path.read_text())
        assert all(re.match(r"^@?[\w.-]+(/[\w.-]+)?:[\w.-]+$", plugin) for plugin in settings), f"{path.name}: not plugin ids"
    styles = json5.loads((ROOT / "jupyter" / "overrides.d" / "cnnlib-deck.json5").read_text())["@deathbeds/jupyterlab-fonts:fonts"]["styles"]
    assert any("WindowedPanel-outer" in selector for selector in styles), "the deck's scroll fix is gone"

    import shutil
    import subprocess

    import pytest

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    for target in ("setup", "lab"):
        plan = subprocess.run(
            ["make", "-n", target, "VENV=/nonexistent-venv"],
            cwd=ROOT, capture_output=True, text=True,
        ).stdout
        assert "jupyter/overrides.d/cnnlib-deck.json5 /nonexistent-venv/share/jupyter/lab/settings/overrides.d/" in plan, (target, plan)
