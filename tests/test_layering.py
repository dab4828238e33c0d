"""The house rules of cnnlib's layout, read from the source (nothing is imported).

Layering, top to bottom (CONTRIBUTING.md draws the map)::

    notebooks -> cnnlib.widgets / cnnlib.exercises -> core ops -> cnnlib._validate / cnnlib.plot

Every ``import`` statement of every module under ``cnnlib/`` is read with
``ast``: module level, inside functions and classes, under ``if
TYPE_CHECKING:`` alike, with relative imports resolved (``from ..conv import
conv2d`` in ``cnnlib/widgets/filters.py`` is an edge to ``cnnlib.conv``;
``from . import transforms`` an edge to the module ``cnnlib.transforms``).
On that graph:

* no import cycle (a function-level import back up counts too);
* no core module imports ``cnnlib.widgets`` or ``cnnlib.exercises``;
* ``cnnlib._validate`` and ``cnnlib.plot`` import no core op, widget or checker;
* the package root loads ``cnnlib.widgets``, ``cnnlib.exercises`` and
  ``cnnlib.plot`` lazily, never with an import statement;
* no ``.py`` file under ``cnnlib/`` is over 350 lines;
* ``cnnlib/__init__.py`` and every folder's ``__init__.py`` only re-export:
  imports, a docstring and plain constants (``__all__``), no function or
  class. The one exception is the package root's PEP 562 lazy loader
  (``__getattr__`` and ``__dir__``), which may only load the submodules its
  ``_LAZY_SUBMODULES`` names, each an existing module of the package.
"""
from __future__ import annotations

import ast
import pathlib
from collections.abc import Iterator

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cnnlib"
MAX_LINES = 350
LAYER_MAP = "notebooks -> widgets / exercises -> core ops -> _validate / plot"
TOP = ("cnnlib.widgets", "cnnlib.exercises")
BASE = ("cnnlib._validate", "cnnlib.plot")
#: The only functions a package root may define: the PEP 562 lazy loader.
ROOT_LAZY_LOADER = {"__getattr__", "__dir__"}


# --------------------------------------------------------------------------- reading the source
def module_files(package: pathlib.Path = PACKAGE) -> dict[str, pathlib.Path]:
    """Dotted module name -> file, for every .py file under ``package`` (packages by their __init__.py)."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_package(name: str, files: dict[str, pathlib.Path]) -> bool:
    return files[name].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom, files: dict[str, pathlib.Path]) -> str:
    """The absolute dotted name a ``from ... import`` refers to, as Python resolves it in ``module``."""
    if node.level == 0:
        return node.module or ""
    here = module.split(".")
    base = here if _is_package(module, files) else here[:-1]  # a package's own __init__ is its own anchor
    if node.level - 1 > len(base):
        raise ValueError(f"{files[module]}:{node.lineno}: relative import beyond the top-level package")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, files: dict[str, pathlib.Path], top: str = "cnnlib") -> Iterator[tuple[str, int, bool]]:
    """(imported cnnlib module, line, whether it exists) for every import statement anywhere in ``module``'s file.

    ``from X import a`` is an edge to ``X.a`` when that is a module, else to ``X``.
    Only modules of the package count. A module that is not there (``from .conv
    import f`` in a folder without ``conv``) is yielded with ``False``.
    """
    tree = ast.parse(files[module].read_text(), filename=str(files[module]))
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node, files)
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                targets.append(sub if sub in files else source)
        for target in targets:
            if target != top and not target.startswith(top + "."):
                continue
            if target != module:
                yield target, node.lineno, target in files


def import_graph(package: pathlib.Path = PACKAGE) -> tuple[dict[str, dict[str, int]], dict[str, pathlib.Path]]:
    """module -> {imported module: first line that imports it}, and the module files (imports of missing modules left out)."""
    files = module_files(package)
    graph: dict[str, dict[str, int]] = {}
    for module in files:
        edges: dict[str, int] = {}
        for target, line, exists in imports_of(module, files, top=package.name):
            if exists:
                edges.setdefault(target, line)
        graph[module] = edges
    return graph, files


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle (as a closed path a -> b -> ... -> a) per strongly connected component with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm; the graph is small, recursion is fine
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_path_through(c, graph) for c in sorted(components)]


def _path_through(component: list[str], graph: dict[str, dict[str, int]]) -> list[str]:
    """A shortest closed path inside ``component`` from its first module back to it (breadth first)."""
    start, inside = component[0], set(component)
    previous: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v]):
                if w == start:
                    path = [v]
                    while previous[path[-1]] is not None:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if w in inside and w not in previous:
                    previous[w] = v
                    nxt.append(w)
        frontier = nxt
    return component  # not reached: a strongly connected component has a cycle through each member


def layer(module: str) -> str:
    if module == "cnnlib":
        return "package root"
    if any(module == p or module.startswith(p + ".") for p in TOP):
        return module.split(".")[1]
    if any(module == p or module.startswith(p + ".") for p in BASE):
        return "base"
    return "core"


def _where(files: dict[str, pathlib.Path], module: str, line: int) -> str:
    return f"{files[module].relative_to(ROOT)}:{line}"


# --------------------------------------------------------------------------- the rules
GRAPH, FILES = import_graph()


def test_the_walker_sees_the_package():
    # Guards the test itself: a walker that found nothing would pass every rule below.
    assert {"cnnlib", "cnnlib._validate", "cnnlib.plot", "cnnlib.widgets", "cnnlib.exercises"} <= set(FILES)
    assert "cnnlib.conv" in GRAPH["cnnlib"], "the package root re-exports conv2d"
    assert any(layer(t) == "core" for t in GRAPH["cnnlib.widgets"]) or any(
        layer(t) == "core" for m in FILES if layer(m) == "widgets" for t in GRAPH[m]
    ), "widgets are built from core ops"


def test_every_import_names_a_module_that_exists():
    # A relative import that misses (``from .conv import`` where ``..conv`` was meant) fails only when run.
    bad = sorted({
        f"{_where(FILES, m, line)}: {m} imports {t}, which is not a module of cnnlib (a relative import one level off?)"
        for m in FILES
        for t, line, exists in imports_of(m, FILES)
        if not exists
    })
    assert not bad, "\n".join(bad)


def test_no_import_cycles():
    found = cycles(GRAPH)
    lines = []
    for path in found:
        steps = [f"{a} -> {b} ({_where(FILES, a, GRAPH[a][b])})" for a, b in zip(path, path[1:])]
        lines.append("import cycle: " + " -> ".join(path) + "\n    " + "\n    ".join(steps))
    assert not found, "\n".join(lines)


def test_core_modules_import_no_widget_or_checker():
    bad = [
        f"{_where(FILES, m, line)}: core module {m} imports {t}: a core op never imports cnnlib.widgets or "
        f"cnnlib.exercises (layering: {LAYER_MAP}); move the figure to cnnlib.plot or to the widget module"
        for m in sorted(GRAPH)
        if layer(m) == "core"
        for t, line in sorted(GRAPH[m].items())
        if layer(t) in ("widgets", "exercises")
    ]
    assert not bad, "\n".join(bad)


def test_validate_and_plot_import_no_core_op():
    bad = [
        f"{_where(FILES, m, line)}: {m} imports {t} ({layer(t)}): _validate and plot are the bottom layer and "
        f"import nothing above them (layering: {LAYER_MAP})"
        for m in sorted(GRAPH)
        if layer(m) == "base"
        for t, line in sorted(GRAPH[m].items())
        if layer(t) != "base"
    ]
    assert not bad, "\n".join(bad)


def test_package_root_loads_widgets_exercises_and_plot_lazily():
    # An import statement in cnnlib/__init__.py (even inside __getattr__) would pull in
    # ipywidgets / matplotlib on `import cnnlib`; the lazy loader uses importlib instead.
    bad = [
        f"{_where(FILES, 'cnnlib', line)}: the package root imports {t}: load it lazily (cl.{t.split('.')[1]})"
        for t, line in sorted(GRAPH["cnnlib"].items())
        if layer(t) in ("widgets", "exercises") or t == "cnnlib.plot"
    ]
    assert not bad, "\n".join(bad)


def test_no_file_over_350_lines():
    long = sorted(
        (n, path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    )
    message = "\n".join(f"{p}: {n} lines (limit {MAX_LINES}; split it along its ideas)" for n, p in reversed(long))
    assert not long, message


# --------------------------------------------------------------------------- __init__ files only re-export
INITS = sorted(p for p in PACKAGE.rglob("__init__.py"))


def _constant(value: ast.expr) -> bool:
    """A literal (numbers, strings, tuples/lists/sets/dicts of them) or a plain name or attribute (an alias)."""
    if isinstance(value, (ast.Name, ast.Attribute)):
        return True
    try:
        ast.literal_eval(value)
    except ValueError:
        return False
    return True


def reexport_problems(path: pathlib.Path, *, is_root: bool) -> list[str]:
    """What in an ``__init__.py`` is more than a re-export (empty when it only re-exports)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    problems = []
    for i, node in enumerate(tree.body):
        line = f"{where}:{node.lineno}"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            continue  # the docstring
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and _constant(node.value):
            continue  # __all__, __version__, an alias
        if is_root and isinstance(node, ast.FunctionDef) and node.name in ROOT_LAZY_LOADER:
            continue  # checked by test_package_root_lazy_loader_only_loads_submodules
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            problems.append(f"{line}: defines {kind} {node.name!r}: an __init__ only re-exports; "
                            f"put it in a module of its own and import it here")
        else:
            problems.append(f"{line}: {type(node).__name__} statement: an __init__ holds only imports, "
                            f"a docstring and plain constants (__all__)")
    for node in ast.walk(tree):  # a def or lambda hidden inside an if/try/assignment
        if isinstance(node, ast.Lambda):
            problems.append(f"{where}:{node.lineno}: a lambda: an __init__ only re-exports")
    return problems


@pytest.mark.parametrize("path", INITS, ids=lambda p: str(p.relative_to(ROOT)))
def test_init_files_only_reexport(path):
    problems = reexport_problems(path, is_root=path.parent == PACKAGE)
    assert not problems, "\n".join(problems)


def test_package_root_lazy_loader_only_loads_submodules():
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert set(functions) <= ROOT_LAZY_LOADER
    lazy = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_LAZY_SUBMODULES" for t in node.targets):
            lazy = ast.literal_eval(node.value)
    if "__getattr__" not in functions:
        return
    assert lazy is not None, "cnnlib/__init__.py has a __getattr__ but no _LAZY_SUBMODULES naming what it loads"
    missing = sorted(name for name in lazy if f"cnnlib.{name}" not in FILES)
    assert not missing, f"_LAZY_SUBMODULES names {missing}, which are not modules of cnnlib"
    # The loader calls importlib.import_module and nothing of cnnlib's own: no logic hides in it.
    calls = {
        ast.unparse(n.func) for f in functions.values() for n in ast.walk(f) if isinstance(n, ast.Call)
    }
    allowed = {"importlib.import_module", "globals", "AttributeError", "sorted", "set"}
    assert calls <= allowed, f"the root's lazy loader calls {sorted(calls - allowed)}: it may only import submodules"


# --------------------------------------------------------------------------- the test's own machinery, on a toy package
def _toy(tmp_path: pathlib.Path, sources: dict[str, str]) -> pathlib.Path:
    package = tmp_path / "cnnlib"
    for rel, text in sources.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return package


def test_walker_resolves_relative_and_function_level_imports(tmp_path):
    package = _toy(tmp_path, {
        "__init__.py": "from .conv import conv2d\n",
        "_validate.py": "",
        "conv.py": "from ._validate import check_int\nfrom . import pool\n",
        "pool.py": "def f():\n    from .conv import conv2d\n",
        "widgets/__init__.py": "from .filters import explorer\n",
        "widgets/filters.py": "from .. import conv\nfrom ..pool import f\nfrom .conv import g\n",
    })
    graph, _ = import_graph(package)
    assert graph["cnnlib"] == {"cnnlib.conv": 1}
    assert graph["cnnlib.conv"] == {"cnnlib._validate": 1, "cnnlib.pool": 2}
    assert graph["cnnlib.pool"] == {"cnnlib.conv": 2}  # inside a function
    assert graph["cnnlib.widgets"] == {"cnnlib.widgets.filters": 1}  # a package's own __init__ anchors `.`
    assert graph["cnnlib.widgets.filters"] == {"cnnlib.conv": 1, "cnnlib.pool": 2}  # .conv (missing) left out
    assert [(t, e) for t, _, e in imports_of("cnnlib.widgets.filters", module_files(package))][-1] == (
        "cnnlib.widgets.conv", False)
    assert cycles(graph) == [["cnnlib.conv", "cnnlib.pool", "cnnlib.conv"]]


def test_rules_catch_a_core_to_widget_circle(tmp_path):
    package = _toy(tmp_path, {
        "__init__.py": "",
        "dim.py": "def figure():\n    from .widgets.dim import draw\n",
        "widgets/__init__.py": "",
        "widgets/dim.py": "from .. import dim\n",
    })
    graph, _ = import_graph(package)
    assert cycles(graph) == [["cnnlib.dim", "cnnlib.widgets.dim", "cnnlib.dim"]]
    assert [t for t in graph["cnnlib.dim"] if layer(t) == "widgets"] == ["cnnlib.widgets.dim"]


def test_reexport_check_refuses_definitions(tmp_path):
    package = _toy(tmp_path, {
        "sub/__init__.py": '"""Doc."""\nfrom .a import b\n__all__ = ["b"]\nX = b\n',
        "bad/__init__.py": "from .a import b\ndef helper():\n    pass\nclass K:\n    pass\nY = b(1)\nZ = lambda: 0\n",
    })
    assert reexport_problems(package / "sub" / "__init__.py", is_root=False) == []
    problems = reexport_problems(package / "bad" / "__init__.py", is_root=False)
    assert len(problems) == 5, problems  # helper, K, Y = b(1), Z = lambda (statement), the lambda itself
    lazy = "def __getattr__(name):\n    pass\n"
    (package / "bad" / "__init__.py").write_text(lazy)
    assert reexport_problems(package / "bad" / "__init__.py", is_root=True) == []
    assert len(reexport_problems(package / "bad" / "__init__.py", is_root=False)) == 1
