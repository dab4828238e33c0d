"""Write constraints.txt: the exact version of every package cnnlib needs, as installed here.

Usage: .venv/bin/python scripts/freeze_constraints.py [constraints.txt]

`pip freeze` of the running environment, kept to the dependency closure of
cnnlib with the extras `make` installs (lab, test), cnnlib itself left out.
Run it with the environment whose `make test` passed (`make constraints`
upgrades .venv, runs every test, then calls this). `make lab` and `make test`
install with `-c constraints.txt`, so another machine, or next semester's
class, gets these versions.
"""
from __future__ import annotations

import importlib.metadata as md
import pathlib
import platform
import re
import subprocess
import sys
import tomllib

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parents[1]
PROJECT = "cnnlib"
EXTRAS = ("lab", "test")


def _top_level(extras: tuple[str, ...]) -> list[str]:
    """cnnlib's own requirements, from pyproject.toml (the installed metadata may be stale)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *(r for extra in extras for r in project["optional-dependencies"][extra])]


def closure(extras: tuple[str, ...] = EXTRAS) -> set[str]:
    """Canonical names of every installed distribution that `cnnlib[extras]` pulls in, cnnlib excluded."""
    environment = default_environment()
    seen: set[str] = set()
    todo: list[tuple[str | None, set[str]]] = [(None, set())]
    while todo:
        name, wanted = todo.pop()
        for line in _top_level(extras) if name is None else md.requires(name) or []:
            req = Requirement(line)
            if req.marker is not None and not any(
                req.marker.evaluate({**environment, "extra": extra}) for extra in (wanted or {""})
            ):
                continue
            dep = canonicalize_name(req.name)
            if dep not in seen:
                seen.add(dep)
                todo.append((req.name, set(req.extras)))
            elif req.extras:
                todo.append((req.name, set(req.extras)))  # the same package again, for its extras
    seen.discard(PROJECT)
    return seen


def frozen() -> dict[str, str]:
    """`pip freeze` of this environment as {canonical name: 'name==version'}."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable", "--disable-pip-version-check"],
        capture_output=True, text=True, check=True,
    ).stdout
    pins = {}
    for line in out.splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$", line.strip())
        if match:
            pins[canonicalize_name(match.group(1))] = line.strip()
    return pins


def render(names: set[str], pins: dict[str, str]) -> str:
    missing = sorted(names - set(pins))
    if missing:
        raise SystemExit(f"not installed as plain `name==version` (run `make setup` first): {', '.join(missing)}")
    python = ".".join(platform.python_version_tuple()[:2])
    header = (
        "# Exact versions with which `make test` passed, for pip's -c (make lab and make test use it).\n"
        f"# Written by scripts/freeze_constraints.py (`make constraints`) from Python {python} on "
        f"{platform.system()} {platform.machine()}: cnnlib's dependencies with the extras lab and test.\n"
        "# Packages needed only on another system (e.g. Windows) are not pinned here.\n"
    )
    return header + "".join(f"{pins[name]}\n" for name in sorted(names))


def main(argv: list[str]) -> int:
    out = pathlib.Path(argv[0]) if argv else ROOT / "constraints.txt"
    text = render(closure(), frozen())
    out.write_text(text)
    print(f"{out.name}: {text.count('==')} packages pinned")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
