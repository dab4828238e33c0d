"""Moving pictures without a kernel (scripts/frames.py): which frames, which cells, how big.

* Every explorer widget the notebooks build has frames chosen in ``frames.SPECS``
  (4 to 9 values of a control the widget has), and the sentence printed under
  them holds: each widget is built here as its notebook builds it, its frames
  are captured through its own controls, every frame differs from the one
  before, and the readouts say what the sentence says.
* The cells run to build a widget are the setup cell, the cells that define
  what it reads and nothing else (checked on small notebooks built here).
* Frames are stored losslessly; a page over the size budget is refused; the
  player is a plain range input with no network address in it.
"""
from __future__ import annotations

import base64
import html.parser
import io
import json
import pathlib
import re
import sys

import nbformat
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import frames  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
USED = sorted({b for p in NOTEBOOKS for _, b in frames.widget_cells(nbformat.read(p, as_version=4))})


def test_the_notebooks_build_explorer_widgets():
    assert len(USED) >= 10, USED


@pytest.mark.parametrize("builder", USED)
def test_every_widget_in_the_notebooks_has_a_handful_of_frames_chosen(builder):
    assert builder in frames.SPECS, f"add {builder} to frames.SPECS: which control moves, through which values"
    spec = frames.SPECS[builder]
    assert frames.MIN_FRAMES <= len(spec.values) <= frames.MAX_FRAMES, spec.values
    assert len(set(spec.values)) == len(spec.values), f"{builder}: a value twice"
    assert spec.control not in dict(spec.fixed), f"{builder}: the moving control is also fixed"
    assert spec.why and not spec.why.endswith("."), "one clause, the player adds the full stop"


# --------------------------------------------------------------------- the real widgets


def _number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in {text!r}"
    return float(match.group(1))


def _checks_equivariance(frames_):
    for f in frames_:
        err = _number(r"relative error ([\d.]+)", f["readout"])
        assert (err < 1e-3) if f["value"] % 90 == 0 else (err > 0.1), (f["value"], err)


def _checks_pooling_shift(frames_):
    pooled = {f["value"]: f["readout"].split("pooled values changed ")[1] for f in frames_}
    assert (pooled[0], pooled[1], pooled[4]) == ("0/12", "6/12", "12/12"), pooled


def _checks_toy_shift(frames_):
    for f in frames_:
        maxpool = _number(r"up to ([\d.]+) with max pooling", f["readout"])
        blur = _number(r", ([\d.]+) with MaxBlurPool", f["readout"])
        assert (maxpool, blur) == ((0.0, 0.0) if f["value"] % 2 == 0 else (1.0, 0.25)), f["readout"]


def _checks_zone_plate(frames_):
    aliased = [_number(r"(\d+)% of the subsampled", f["readout"]) for f in frames_]
    assert all(a > b for a, b in zip(aliased, aliased[1:])), aliased


def _checks_rind(frames_):
    last = frames_[-1]
    assert last["value"] == 0.99 and "pizza 2.0%" in last["readout"] and "n = 350 97.0%" in last["readout"], last


def _checks_dimension(frames_):
    d8 = next(f for f in frames_ if f["value"] == 8)["readout"]
    assert _number(r"([\d.]+)% of the cube is corners", d8) >= 98 and _number(r"within ([\d.]+)% of the diameter", d8) < 5, d8


def _checks_connectivity(frames_):
    for f in frames_:
        assert f"affects {f['value']} output(s) of the convolution and all 7" in f["readout"], f["readout"]


def _checks_receptive(frames_):
    for f in frames_:
        side = 2 * f["value"] + 1
        assert f"receptive field {side} x {side}" in f["readout"], f["readout"]


def _checks_stride(frames_):
    for f in frames_:
        assert "output 3x3" in f["readout"] and f"window {f['value'] + 1} of 9" in f["readout"], f["readout"]


def _checks_filter(frames_):  # the blur grows: the Laplacian's response shrinks
    ranges = [_number(r"output range \[-?[\d.]+, ([\d.]+)\]", f["readout"]) for f in frames_]
    assert all(a > b for a, b in zip(ranges[:-1], ranges[1:-1])) and ranges[-1] <= ranges[-2], ranges


def _checks_weight_sharing(frames_):
    assert all("multiplies 4 pixels" in f["readout"] for f in frames_), [f["readout"] for f in frames_]


CLAIMS = {
    "weight_sharing_explorer": _checks_weight_sharing,
    "equivariance_explorer": _checks_equivariance,
    "pooling_shift_explorer": _checks_pooling_shift,
    "toy_shift_explorer": _checks_toy_shift,
    "zone_plate_explorer": _checks_zone_plate,
    "rind_explorer": _checks_rind,
    "dimension_explorer": _checks_dimension,
    "connectivity_explorer": _checks_connectivity,
    "receptive_field_explorer": _checks_receptive,
    "stride_explorer": _checks_stride,
    "filter_explorer": _checks_filter,
}


def _build(builder: str):
    """The widget as its notebook builds it (inputs as benchmarks/widgets.py makes them; LeNet untrained)."""
    import matplotlib

    matplotlib.use("Agg")
    import cnnlib as cl

    cl.plot.setup()
    if builder == "lenet_explorer":
        import jax

        model = cl.lenet.lenet("max")
        images, labels = cl.load_mnist()
        return cl.widgets.lenet_explorer(model, model.init(jax.random.key(0)), np.asarray(images[:20]), np.asarray(labels[:20]))
    from benchmarks.widgets import REGISTRY

    args, kwargs = REGISTRY[builder]()
    return getattr(cl.widgets, builder)(*args, **kwargs)


@pytest.mark.parametrize("builder", USED)
def test_frames_are_captured_through_the_widgets_controls_and_show_what_they_say(builder):
    box = _build(builder)
    try:
        got = frames.capture(box, builder)
    finally:
        box.canvas.fig.clear()
    spec = frames.SPECS[builder]
    assert [f["value"] for f in got["frames"]] == list(spec.values)
    assert box.controls[spec.control].value == spec.values[-1], "the values were set on the widget's own control"
    for name, value in spec.fixed:
        assert box.controls[name].value == value
    pictures = [base64.b64decode(f["png"]) for f in got["frames"]]
    assert all(p.startswith(b"\x89PNG") for p in pictures)
    same = [k for k in range(1, len(pictures)) if pictures[k] == pictures[k - 1]]
    assert not same, f"{builder}: frames {same} show the same picture as the frame before"
    assert got["initial"] is not None and got["description"]
    if builder in CLAIMS:
        CLAIMS[builder](got["frames"])


# --------------------------------------------------------------------- which cells run


def _nb(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title")] + [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


SETUP = "import numpy as np\nimport matplotlib.pyplot as plt\nimport cnnlib as cl\n%matplotlib inline\ncl.plot.setup()"


def test_the_widget_runs_after_the_setup_and_the_cells_it_reads_only():
    nb = _nb(
        SETUP,                                                        # 1 setup: always
        "img = cl.load_image('cat')",                                 # 2 read by the widget
        "fig, ax = plt.subplots()\nax.imshow(img)\nplt.show()",       # 3 only draws
        "k = 5\nz = [k * i for i in range(3)]",                       # 4 unrelated
        "nets = []",                                                  # 5 nets made...
        "for seed in range(2):\n    nets.append(np.ones(seed))",      # 6 ...and changed in place
        "small = [x[::2] for x in [img]]  # x, not a global",         # 7 read by the widget
        "x = 3",                                                      # 8 defines x after the comprehension: not read
        "cl.exercises.check_something(z)",                           # 9 a call on a module changes nothing
        "# NBVAL_IGNORE_OUTPUT\ncl.widgets.some_explorer(small, nets)",  # 10 the widget
        "img = None",                                                 # 11 after the widget
    )
    assert frames.widget_cells(nb) == [(10, "some_explorer")]
    assert frames.program(nb) == [1, 2, 5, 6, 7, 10]


def test_a_later_widget_pulls_its_own_cells_and_a_name_defined_twice_keeps_only_the_last():
    nb = _nb(SETUP, "a = 1", "a = 2\nb = a + 1", "cl.widgets.one_explorer(b)", "c = np.zeros(3)", "cl.widgets.two_explorer(c)")
    assert frames.program(nb) == [1, 3, 4, 5, 6]  # cell 2's `a` is redefined by cell 3 before anything reads it
    assert frames.program(_nb(SETUP, "a = 1")) == []


def test_names_reads_before_defining_and_skips_names_bound_inside_comprehensions_and_lambdas():
    defined, read = frames.names("y = [k for k in ks]\nf = lambda t: t + w\nprint(y, f)")
    assert defined == {"y", "f"} and read == {"ks", "w"}
    defined, read = frames.names("total = total + 1")
    assert "total" in defined and "total" in read
    defined, read = frames.names("d['a'] = 1\nax.set_title('x')", modules=frozenset({"plt"}))
    assert {"d", "ax"} <= defined and {"d", "ax"} <= read
    assert frames.names("plt.show()", modules=frozenset({"plt"})) == (set(), {"plt"})


def test_a_widget_call_in_a_comment_is_not_a_widget():
    nb = _nb(SETUP, "# cl.widgets.old_explorer(x)\nx = 1")
    assert frames.widget_cells(nb) == []


# --------------------------------------------------------------------- files and HTML


def _png(seed: int, size=(40, 60)) -> bytes:
    from PIL import Image

    rng = np.random.default_rng(seed)
    picture = np.kron(rng.integers(0, 255, (size[0] // 4, size[1] // 4, 3), dtype=np.uint8), np.ones((4, 4, 1), np.uint8))
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, format="png", compress_level=1)
    return buf.getvalue()


def test_frames_are_stored_losslessly_and_never_bigger_than_the_widgets_png():
    from PIL import Image

    png = _png(0)
    data, ext = frames.encode(png)
    assert ext in ("png", "webp") and len(data) <= len(png)
    original = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    stored = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    np.testing.assert_array_equal(stored, original)


def _widgets(n_frames=3, seed=0, cell=2):
    frames_ = []
    for k in range(n_frames):
        data, ext = frames.encode(_png(seed + k))
        frames_.append({"value": k, "label": f"v{k}", "readout": f"readout {k} <&>", "ext": ext,
                        "data": base64.b64encode(data).decode()})
    return [{"builder": "some_explorer", "title": "A title", "control": "shift", "description": "shift",
             "fixed": ["width = 3"], "initial": 1, "why": "it moves", "frames": frames_, "cell": cell}]


def _widget_notebook():
    nb = _nb(SETUP, "cl.widgets.some_explorer()")
    view = {"application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
            "text/plain": "VBox()"}
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="printed\n"),
                           nbformat.v4.new_output("display_data", data=view)]
    return nb


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_embed_puts_a_range_input_in_place_of_the_widget_and_writes_its_frames(tmp_path):
    nb = _widget_notebook()
    path = tmp_path / "07_test.ipynb"
    report = frames.embed(nb, path, tmp_path / "site", _widgets())
    outputs = nb.cells[2].outputs
    assert [o.output_type for o in outputs] == ["stream", "display_data"]
    assert frames.WIDGET_VIEW not in outputs[1]["data"]
    files = sorted((tmp_path / "site" / "frames" / "07_test").iterdir())
    assert len(files) == 3 and report[0]["bytes"] == sum(f.stat().st_size for f in files)
    assert report[0]["values"] == [0, 1, 2] and report[0]["builder"] == "some_explorer"

    player = outputs[1]["data"]["text/html"]
    parser = _Tags()
    parser.feed(player)
    tags = dict(parser.tags[::-1])  # the first of each tag
    assert tags["input"]["type"] == "range" and (tags["input"]["min"], tags["input"]["max"]) == ("0", "2")
    assert tags["input"]["value"] == "1", "opens on the value the stored widget showed"
    assert parser.tags[0][0] == "div"
    data = json.loads(parser.tags[0][1]["data-frames"])
    assert [d["src"] for d in data] == [f"frames/07_test/{f.name}" for f in files]
    assert tags["img"]["src"] == data[1]["src"]
    assert not re.search(r"(https?:)?//", player), "no network address in the player"
    assert "<script src" not in player
    assert "readout 1 &lt;&amp;&gt;" in player and "shift = " in player


def test_a_page_over_the_frame_budget_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(frames, "BUDGET_BYTES", 100)
    with pytest.raises(ValueError, match="over the budget"):
        frames.embed(_widget_notebook(), tmp_path / "07_test.ipynb", tmp_path / "site", _widgets())


def test_frames_are_computed_once_then_read_from_the_cache(tmp_path, monkeypatch):
    path = tmp_path / "07_test.ipynb"
    nbformat.write(_widget_notebook(), path)
    calls = []

    def fake_compute(p, timeout=600):
        calls.append(p)
        return [{**_widgets()[0], "frames": [{"value": 0, "label": "0", "readout": "", "png": base64.b64encode(_png(1)).decode()}]}]

    monkeypatch.setattr(frames, "compute", fake_compute)
    first = frames.frames_for(path, cache=tmp_path / "cache")
    second = frames.frames_for(path, cache=tmp_path / "cache")
    assert len(calls) == 1 and first == second and "data" in first[0]["frames"][0]
    assert len(list((tmp_path / "cache").glob("07_test-*.json"))) == 1


def test_frames_find_their_cell_by_its_id_when_cells_moved(tmp_path):
    nb = _widget_notebook()
    widgets = _widgets(cell=99)  # the index it had when computed; a markdown cell split since moved it
    widgets[0]["cell_id"] = nb.cells[2].id
    report = frames.embed(nb, tmp_path / "07_test.ipynb", tmp_path / "site", widgets)
    assert [r["cell"] for r in report] == [2]
    assert "cnnlib-frames" in nb.cells[2].outputs[-1]["data"]["text/html"]
