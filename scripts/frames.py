"""Pictures that move without a kernel: a handful of frames of each widget, made at build time.

Usage:
    python scripts/frames.py notebooks/NN_*.ipynb      # compute (or reuse) the frames, print their sizes

The static site (``scripts/build_site.py``) and the offline decks
(``scripts/slides.py export``) both call :func:`embed`, which puts in place
of each widget of a notebook a plain ``<input type="range">`` that swaps
precomputed pictures: no kernel, no network, no JavaScript library; it works
from ``file://``.

How the frames are made, for each notebook:

1. The widget cells are the code cells that call ``cl.widgets.<name>(...)``
   for a ``<name>`` ending in ``_explorer`` (:func:`widget_cells`).
2. The cells a widget needs are found from the names its call reads: the
   setup cell, then, going backwards, every earlier cell that defines a name
   still needed (:func:`program`). Cells that only draw or print are left out,
   so a notebook that trains several nets trains only the one its widget shows.
3. Those cells and the widget cells themselves run, in notebook order, in a
   fresh kernel. Each widget is built by its own cell's code, then its main
   control is set to each value in :data:`SPECS` through the widget's
   ``box.controls`` (the other controls as :data:`SPECS` fixes them); after each
   value the widget's own PNG (``box.image.value``) and readout are kept.
4. Each picture is stored losslessly, as WebP where that is smaller than an
   optimised PNG.

The values are chosen so the idea shows (the shift that breaks max pooling,
the dimension where the rind takes over, the angle where the p4 layer is
exact). The frames of a notebook are cached in ``build/frames/`` under a
hash of the cells run, of :data:`SPECS`, of the code here that makes the
frames and of every file of ``cnnlib``:
``make html`` followed by ``make slides`` computes them once.
"""
from __future__ import annotations

import argparse
import ast
import base64
import concurrent.futures
import dataclasses
import hashlib
import html
import inspect
import io
import json
import os
import pathlib
import re
import symtable
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPTS = pathlib.Path(__file__).resolve().parent
CACHE = ROOT / "build" / "frames"
BUDGET_BYTES = 3_000_000  # frames of one notebook page, all widgets together
MIN_FRAMES, MAX_FRAMES = 4, 9
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_CALL = re.compile(r"\bcl\.widgets\.(\w+_explorer)\s*\(")


@dataclasses.dataclass(frozen=True)
class Spec:
    """Which control of a widget moves, through which values, with the other controls set how.

    ``values`` are set on ``box.controls[control]`` one after another;
    ``fixed`` sets other controls first (keyword -> value); ``why`` says what
    the frames show (it is printed under the picture).
    """

    control: str
    values: tuple
    why: str
    fixed: tuple = ()  # ((keyword, value), ...)


#: builder name in ``cl.widgets`` -> its frames. A widget not listed here gets :func:`default_spec`.
SPECS: dict[str, Spec] = {
    # 00: how far a filter reaches; the Laplacian as the notebook suggests ("at size 1 and at size 5")
    "filter_explorer": Spec("size", (1, 3, 5, 7, 9, 11, 13), fixed=(("name", "laplacian4"),),
                            why="the bigger the blur folded into the Laplacian, the less of the fur is left; the outlines of eyes and nose stay"),
    # 01: one input touches as many outputs as the kernel is wide; under a matrix multiply it touches all 7
    "connectivity_explorer": Spec("kernel", (1, 2, 3, 4, 5, 6, 7),
                                  why="input x_4 reaches as many outputs as the kernel is wide, the dense layer all of them"),
    "receptive_field_explorer": Spec("layers", (1, 2, 3, 4, 5, 6),
                                     why="with 3x3 kernels and stride 1 the receptive field grows by 2 pixels a layer"),
    # 02: the same weight at four places; the window sliding with stride 2
    "weight_sharing_explorer": Spec("weight", (0, 1, 2, 3), why="each of the four weights is used at four places"),
    "stride_explorer": Spec("step", (0, 1, 2, 3, 4, 5, 6, 7, 8),
                            why="a 3x3 window with stride 2 on a 7x7 input: nine positions, a 3x3 output"),
    # 03: the p4 layer is exact at quarter turns only; max pooling breaks at odd shifts
    "equivariance_explorer": Spec("angle", (-90.0, 0.0, 30.0, 45.0, 60.0, 90.0, 135.0, 180.0),
                                  fixed=(("transform", "rotate"), ("layer", "p4 conv")),
                                  why="the p4 layer commutes with quarter turns (error 0 at -90, 90 and 180 degrees), not with 30, 45 or 60"),
    "pooling_shift_explorer": Spec("shift", (0, 1, 2, 3, 4), fixed=(("width", 3),),
                                   why="pooling of width 3 keeps some values for a shift of 1; a shift of 4 changes them all"),
    # 04: where the rind takes over
    "rind_explorer": Spec("alpha", (0.5, 0.7, 0.8, 0.9, 0.95, 0.99),
                          why="a crust that holds 2 % of the pizza (α = 0.99) still holds 97 % of the volume in 350 dimensions"),
    "dimension_explorer": Spec("d", (1, 2, 4, 8, 16, 32, 64, 256, 1000),
                               why="by d = 8, 98 % of the cube is corners and half its volume lies within 5 % of the diameter from the edge"),
    # 05: the blur removes the aliases; max pooling breaks at odd shifts, MaxBlurPool less
    "zone_plate_explorer": Spec("filter_size", (1, 2, 3, 4, 5, 6, 7), fixed=(("stride", 2),),
                                why="subsampling by 2: the wider the blur before it, the less energy is aliased"),
    "toy_shift_explorer": Spec("shift", (0, 1, 2, 3, 4, 5, 6, 7), fixed=(("filter_size", 3),),
                               why="even shifts move the output along; odd shifts change max pooling by 1, MaxBlurPool by 1/4"),
    # 06: small shifts hardly change the bars, 3-4 pixels can flip the answer
    "lenet_explorer": Spec("shift_x", (-4, -3, -2, -1, 0, 1, 2, 3, 4),
                           why="the feature maps move along with the digit; compare the class probabilities at small and at large shifts"),
}


def default_spec(box) -> Spec:
    """Frames for a widget not in :data:`SPECS`: its first slider, at up to 7 evenly spread values."""
    for name, control in box.controls.items():
        options = getattr(control, "_options_values", None)
        if options is not None:
            values = list(options)
        elif hasattr(control, "min") and hasattr(control, "max") and not isinstance(control.value, (bool, tuple, list)):
            if isinstance(control.value, int):
                step = int(getattr(control, "step", 1) or 1)
                values = list(range(control.min, control.max + 1, step))
            else:
                values = [control.min + (control.max - control.min) * i / 6 for i in range(7)]
        else:
            continue
        if len(values) > 7:
            values = [values[round(i * (len(values) - 1) / 6)] for i in range(7)]
        return Spec(name, tuple(values), why=f"the control '{getattr(control, 'description', name)}' moved through its range")
    raise ValueError(f"widget has no control with a range or options: {list(box.controls)}")


# --------------------------------------------------------------------- which cells to run


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _python(src: str) -> str:
    """Cell source as plain Python (IPython magics turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(src)


def widget_cells(nb) -> list[tuple[int, str]]:
    """(cell index, builder name) of every code cell that builds an explorer widget."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code = "\n".join(line.split("#", 1)[0] for line in _source(cell).split("\n"))
        match = WIDGET_CALL.search(code)
        if match:
            found.append((i, match.group(1)))
    return found


def names(src: str, modules: frozenset = frozenset()) -> tuple[set[str], set[str]]:
    """(names a cell defines, names it reads before defining them), statement by statement.

    Assignments, imports, ``def``/``class``, ``for`` targets and ``with ... as``
    define; names bound inside a comprehension, a lambda or a function are
    not reads of the cell, the globals they use are. A subscript or attribute
    store (``d[k] = v``, ``a.b = v``) and a method call statement
    (``nets.append(p)``) both define and read the root name, so a cell that
    changes an object in place is kept with it. Calls on the ``modules``
    (names bound by imports: ``cl.plot.setup()``, ``plt.show()``) change
    nothing the widgets read.
    """
    import builtins

    defined, read = set(), set()
    for stmt in ast.parse(_python(src)).body:
        table = symtable.symtable(ast.unparse(stmt), "<cell>", "exec")
        symbols = table.get_symbols()
        bound = {s.get_name() for s in symbols if s.is_assigned() or s.is_imported() or s.is_namespace()}
        used = {s.get_name() for s in symbols if s.is_referenced()} | _globals_read(table)
        changed = _changed_in_place(stmt) - modules - bound
        read |= (used | changed) - defined
        defined |= bound | changed
    return defined, read - set(dir(builtins))


def _globals_read(table) -> set[str]:
    """Module names read inside the nested scopes (functions, lambdas, comprehensions) of a symbol table."""
    found = set()
    for child in table.get_children():
        found |= {s.get_name() for s in child.get_symbols() if s.is_global() and s.is_referenced()}
        found |= _globals_read(child)
    return found


def _changed_in_place(stmt) -> set[str]:
    """Root names a statement changes in place (outside nested functions and lambdas)."""
    found, todo = set(), [stmt]
    while todo:
        node = todo.pop()
        root = None
        if isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            root = node.value
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute):
            root = node.value.func.value
        while isinstance(root, (ast.Subscript, ast.Attribute, ast.Call)):
            root = root.func if isinstance(root, ast.Call) else root.value
        if isinstance(root, ast.Name):
            found.add(root.id)
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                todo.append(child)
    return found


def imported(src: str) -> set[str]:
    """Names a cell binds by ``import``."""
    found = set()
    for node in ast.walk(ast.parse(_python(src))):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return found


def program(nb) -> list[int]:
    """Indices of the code cells to run, in order: the setup cell, what the widgets need, the widget cells.

    One backward pass: a cell is kept when it is the setup cell, a widget
    cell, or defines a name that a kept cell after it reads (and no cell in
    between defined it again).
    """
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    widgets = {i for i, _ in widget_cells(nb)}
    if not widgets:
        return []
    modules = frozenset().union(*(imported(_source(nb.cells[i])) for i in code))
    keep, needed = [], set()
    for i in reversed(code):
        defined, read = names(_source(nb.cells[i]), modules)
        if i in widgets or i == code[0] or defined & needed:
            keep.append(i)
            needed = (needed - defined) | read
    return sorted(keep)


# --------------------------------------------------------------------- inside the kernel


def _label(control, value) -> str:
    """How a control shows a value: an option's label, a float without noise."""
    options = getattr(control, "_options_labels", None)
    values = getattr(control, "_options_values", None)
    if options is not None and values is not None and value in values:
        return str(options[list(values).index(value)])
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _text(readout_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", readout_html or "")).strip()


def capture(box, builder: str) -> dict:
    """Move ``box``'s main control through its frame values; return every picture and readout.

    Runs in the notebook's kernel, right after the widget's own cell built
    ``box``. Controls are set through ``box.controls``, as a reader's slider
    would set them; a value the control refuses or changes is an error.
    """
    spec = SPECS.get(builder) or default_spec(box)
    if spec.control not in box.controls:
        raise KeyError(f"{builder}: no control {spec.control!r}; it has {list(box.controls)}")
    control = box.controls[spec.control]
    initial = control.value
    for name, value in spec.fixed:
        box.controls[name].value = value
    title_widget = box.children[0] if box.children else None
    title = _text(getattr(title_widget, "value", "")) if type(title_widget).__name__ == "HTML" else ""
    frames = []
    for value in spec.values:
        control.value = value
        if control.value != value:
            raise ValueError(f"{builder}: control {spec.control!r} took {control.value!r} when set to {value!r}")
        frames.append({
            "value": value,
            "label": _label(control, value),
            "readout": _text(box.readout.value),
            "png": base64.b64encode(bytes(box.image.value)).decode("ascii"),
        })
    others = [
        f"{getattr(c, 'description', '') or name} = {_label(c, c.value)}"
        for name, c in box.controls.items() if name != spec.control
    ]
    return {
        "builder": builder,
        "title": title,
        "control": spec.control,
        "description": getattr(control, "description", "") or spec.control,
        "fixed": others,
        "initial": initial,
        "why": spec.why,
        "frames": frames,
    }


# --------------------------------------------------------------------- running the kernel


def _key(nb, cells: list[int]) -> str:
    digest = hashlib.sha256()
    for i in cells:
        digest.update(_source(nb.cells[i]).encode())
        digest.update(b"\0")
    digest.update(repr(sorted(SPECS.items())).encode())  # what is captured, and how
    for fn in (program, names, capture, _label, _text, compute, encode):
        digest.update(inspect.getsource(fn).encode())
    for path in sorted((ROOT / "cnnlib").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def compute(path: pathlib.Path, timeout: int = 600) -> list[dict]:
    """Run the cells the widgets of ``path`` need in a fresh kernel and capture every widget's frames."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    builders = dict(widget_cells(nb))
    with tempfile.TemporaryDirectory(prefix="cnnlib-frames-") as tmp:
        result = pathlib.Path(tmp)
        cells = [nbformat.v4.new_code_cell(
            "import sys as _s\n"
            f"_s.path.insert(0, {str(SCRIPTS)!r})\n"
            "import frames as _cnnlib_frames, json as _json"
        )]
        for i in program(nb):
            src = _python(_source(nb.cells[i]))
            if i in builders:  # the widget's own code, its last expression kept as the widget
                tree = ast.parse(src)
                last = tree.body[-1]
                if not isinstance(last, ast.Expr):
                    raise ValueError(f"{path.name}: cell {i} does not end with the widget expression")
                head = ast.unparse(ast.Module(body=tree.body[:-1], type_ignores=[])) if len(tree.body) > 1 else ""
                out = result / f"{i}.json"
                src = (
                    f"{head}\n_cnnlib_box = {ast.unparse(last.value)}\n"
                    f"_r = _cnnlib_frames.capture(_cnnlib_box, {builders[i]!r})\n"
                    f"_r.update(cell={i}, cell_id={nb.cells[i].get('id', '')!r})\n"
                    f"open({str(out)!r}, 'w').write(_json.dumps(_r))\n"
                    "_cnnlib_box.canvas.fig.clear(); del _cnnlib_box"
                )
            cells.append(nbformat.v4.new_code_cell(src))
        run = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": nb.metadata.get("kernelspec", {})})
        client = NotebookClient(run, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
        return [json.loads((result / f"{i}.json").read_text()) for i in sorted(builders)]


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (-1 where the platform does not say)."""
    try:
        import resource
    except ImportError:
        return -1.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def frames_for(path: pathlib.Path, cache: pathlib.Path | None = CACHE) -> list[dict]:
    """The frames of every widget of ``path``, from the cache when its cells, SPECS and cnnlib are unchanged."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cells = program(nb)
    if not cells:
        return []
    target = cache / f"{path.stem}-{_key(nb, cells)}.json" if cache else None
    if target and target.exists():
        return json.loads(target.read_text())
    wall, cpu = time.perf_counter(), _children_cpu()
    widgets = compute(path)
    kernel_cpu = _children_cpu() - cpu  # the kernel's, once it has exited
    for widget in widgets:
        widget["seconds"] = round(time.perf_counter() - wall, 1)
        widget["kernel_cpu_seconds"] = round(kernel_cpu, 1) if cpu >= 0 else None
    for widget in widgets:
        for frame in widget["frames"]:
            data, frame["ext"] = encode(base64.b64decode(frame.pop("png")))
            frame["data"] = base64.b64encode(data).decode("ascii")
    if target:
        target.parent.mkdir(parents=True, exist_ok=True)
        for old in target.parent.glob(f"{path.stem}-*.json"):
            old.unlink()
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(widgets))
        tmp.replace(target)
    return widgets


def frames_for_all(paths: list[pathlib.Path], cache: pathlib.Path | None = CACHE) -> dict[pathlib.Path, list[dict]]:
    """:func:`frames_for` of several notebooks, each in its own process (one kernel each), a few at a time."""
    workers = max(1, min(len(paths), os.cpu_count() or 1, 4))
    if workers == 1 or len(paths) == 1:
        return {p: frames_for(p, cache) for p in paths}
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        # later notebooks train nets (06 trains LeNet): start them first
        futures = {p: pool.submit(frames_for, p, cache) for p in sorted(paths, key=lambda p: p.name, reverse=True)}
        return {p: futures[p].result() for p in paths}


# --------------------------------------------------------------------- files and HTML


def encode(png: bytes) -> tuple[bytes, str]:
    """A frame stored losslessly in fewer bytes: lossless WebP when smaller, else the widget's PNG.

    Returns (bytes, file extension). WebP's fast setting (``method=2``) is
    within a few per cent of its slowest and about 50 times faster.
    """
    from PIL import Image, features

    if not features.check("webp"):
        return png, "png"
    image = Image.open(io.BytesIO(png))
    image.load()
    buf = io.BytesIO()
    image.save(buf, format="webp", lossless=True, method=2)
    return (buf.getvalue(), "webp") if buf.tell() < len(png) else (png, "png")


# The one piece of JavaScript: a range input shows frame k (picture, value, readout). Plain DOM, no library.
SCRIPT = (
    "<script>window.cnnlibFrame=window.cnnlibFrame||function(r){"
    "var p=r.closest('.cnnlib-frames'),f=JSON.parse(p.getAttribute('data-frames'))[+r.value];"
    "p.querySelector('img').src=f.src;p.querySelector('img').alt=f.alt;"
    "p.querySelector('.cnnlib-frames-value').textContent=f.label;"
    "p.querySelector('.cnnlib-frames-readout').textContent=f.readout;"
    "r.setAttribute('aria-valuetext',f.label);};</script>"
)

STYLE = """
.cnnlib-frames { font-family: system-ui, sans-serif; margin: 0.3em 0; }
.cnnlib-frames label { display: flex; align-items: center; gap: 0.6em; margin: 0.3em 0; }
.cnnlib-frames input[type=range] { width: 18em; }
.cnnlib-frames img { max-width: 100%; height: auto; display: block; }
.cnnlib-frames-readout { display: block; min-height: 1.4em; font-size: 90%; }
.cnnlib-frames-note { font-size: 85%; color: #555; margin: 0.2em 0; }
"""


def player_html(widget: dict, srcs: list[str], start: int = 0) -> str:
    """A range input over ``widget``'s frames (their files at ``srcs``), starting at frame ``start``."""
    frames = widget["frames"]
    data = [
        {"src": src, "label": f["label"], "readout": f["readout"],
         "alt": f"{widget['title'] or widget['builder']}: {widget['description']} = {f['label']}"}
        for f, src in zip(frames, srcs)
    ]
    first = data[start]
    fixed = f" Other controls: {'; '.join(widget['fixed'])}." if widget["fixed"] else ""
    esc = html.escape
    return (
        f'<div class="cnnlib-frames" data-builder="{esc(widget["builder"])}" data-frames="{esc(json.dumps(data), quote=True)}">'
        f"<style>{STYLE}</style>{SCRIPT}"
        + (f"<b>{esc(widget['title'])}</b>" if widget["title"] else "")
        + f'<label><span>{esc(widget["description"])} = <output class="cnnlib-frames-value">{esc(first["label"])}</output></span>'
        f'<input type="range" min="0" max="{len(data) - 1}" step="1" value="{start}" '
        f'aria-label="{esc(widget["description"])}" aria-valuetext="{esc(first["label"])}" '
        f'oninput="cnnlibFrame(this)" onchange="cnnlibFrame(this)"></label>'
        f'<img src="{esc(first["src"])}" alt="{esc(first["alt"])}">'
        f'<code class="cnnlib-frames-readout">{esc(first["readout"])}</code>'
        f'<p class="cnnlib-frames-note">{len(data)} frames computed at build time: '
        f'{esc(widget["why"])}.{esc(fixed)} To move every control, open the notebook in JupyterLab.</p>'
        "</div>"
    )


def embed(nb, path: pathlib.Path, out: pathlib.Path, widgets: list[dict] | None = None) -> list[dict]:
    """Replace each widget output of ``nb`` with a range input over its frames.

    Writes the pictures to ``out/frames/<notebook>/`` and links them relative
    to ``out``. Returns, per widget: builder, control, values and bytes.
    """
    import nbformat

    if widgets is None:
        widgets = frames_for(path)
    folder = out / "frames" / path.stem
    if folder.exists():
        for old in folder.iterdir():
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    report = []
    by_id = {w.get("cell_id"): w for w in widgets if w.get("cell_id")}
    by_index = {w["cell"]: w for w in widgets}
    for i, cell in enumerate(nb.cells):
        widget = by_id.get(cell.get("id")) if by_id else by_index.get(i)  # ids survive a split markdown cell
        if widget is None:
            continue
        srcs, size = [], 0
        for k, frame in enumerate(widget["frames"]):
            data = base64.b64decode(frame["data"])
            name = f"cell{i:02d}-{k}.{frame['ext']}"
            (folder / name).write_bytes(data)
            srcs.append(f"frames/{path.stem}/{name}")
            size += len(data)
        values = [f["value"] for f in widget["frames"]]
        # open on the value the stored widget shows, when it is one of the frames
        start = values.index(widget["initial"]) if widget.get("initial") in values else 0
        player = nbformat.v4.new_output("display_data", data={"text/html": player_html(widget, srcs, start)})
        outputs = [o for o in cell.get("outputs", []) if WIDGET_VIEW not in o.get("data", {})]
        cell.outputs = [*outputs, player]
        report.append({"notebook": path.stem, "cell": i, "builder": widget["builder"], "control": widget["description"],
                       "values": values, "bytes": size, "seconds": widget.get("seconds"),
                       "kernel_cpu_seconds": widget.get("kernel_cpu_seconds")})
    total = sum(r["bytes"] for r in report)
    if total > BUDGET_BYTES:
        raise ValueError(f"{path.name}: {total:,} bytes of frames, over the budget of {BUDGET_BYTES:,} per page; "
                         "use fewer values in frames.SPECS")
    return report


def describe(report: list[dict]) -> str:
    lines = []
    for r in report:
        values = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in r["values"])
        lines.append(f"{r['notebook']}: {r['builder']} ({r['control']}: {values}): {len(r['values'])} frames, {r['bytes'] / 1e3:.0f} kB")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "build" / "frames-preview")
    args = parser.parse_args(argv)
    import nbformat

    start = time.perf_counter()
    found = frames_for_all(args.notebooks)
    for path, widgets in found.items():
        report = embed(nbformat.read(path, as_version=4), path, args.out, widgets)
        total = sum(r["bytes"] for r in report)
        print(describe(report) if report else f"{path.stem}: no widgets")
        print(f"{path.stem}: {total / 1e6:.2f} MB of frames (budget {BUDGET_BYTES / 1e6:.0f} MB)")
    print(f"frames of {len(args.notebooks)} notebooks in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
