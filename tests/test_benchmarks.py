"""The benchmark machinery: targets, records, JSON, the compilation counter, sweeps. Nothing here is timed."""
import json
import math
import time
import types

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from benchmarks import browser, conv_methods, core, notebooks, run, scaling, widgets


# --------------------------------------------------------------------------- targets and records
@pytest.mark.parametrize(
    "value, op, limit, expected",
    [(0.04, "<=", 0.05, True), (0.05, "<=", 0.05, True), (0.06, "<=", 0.05, False), (0, "==", 0, True),
     (2, "==", 0, False), (0.9, "<", 1.0, True), (6.0, ">=", 5.0, True), (None, "<=", 1.0, None),
     (float("nan"), "<=", 1.0, None)],
)
def test_judge(value, op, limit, expected):
    assert core.judge(value, op, limit) is expected


def test_judge_refuses_an_unknown_operator():
    with pytest.raises(ValueError, match=r"`op` must be one of"):
        core.judge(1.0, "~", 1.0)


def test_hold_collects_targets_and_all_must_pass():
    rec = core.record("conv", "case", "auto", 0.001, ratio=0.5)
    assert rec["target"] is None and rec["passed"] is None
    assert core.hold(rec, "faster than torch (not installed)", None, "<", 1.0) is None
    assert rec["passed"] is None  # nothing judged yet
    core.hold(rec, "<= 1.2x fastest", 1.1, "<=", 1.2)
    assert rec["passed"] is True
    core.hold(rec, "<= lax", 1.3, "<=", 1.0)
    assert rec["passed"] is False
    assert rec["target"] == "faster than torch (not installed); <= 1.2x fastest; <= lax"
    assert [t["passed"] for t in rec["targets"]] == [None, True, False]
    assert core.summary([rec]) == {"passed": 1, "failed": 1, "not judged": 1}


def test_record_has_the_required_keys():
    rec = core.record("widgets", "filter_explorer", "all controls", 0.02, ratio=0.4, p95_s=0.03)
    assert set(core.RECORD_KEYS) <= set(rec) and rec["p95_s"] == 0.03


def test_write_json_round_trip(tmp_path):
    recs = [core.record("scaling", "side 8", "dense", float("nan"), ratio=np.float32(2.0), sides=(8, 16)),
            core.record("conv", "import cnnlib", "python -c", 0.5)]
    core.hold(recs[1], "< 0.8 s", 0.5, "<", 0.8)
    path = core.write_json(tmp_path / "deep" / "bench.json", recs, {"cpu": "test", "cores": 2})
    doc = json.loads(path.read_text())
    assert doc["meta"] == {"cpu": "test", "cores": 2}
    assert doc["summary"] == {"passed": 1, "failed": 0, "not judged": 0}
    first, second = doc["records"]
    assert first["median_s"] is None and first["ratio"] == 2.0 and first["sides"] == [8, 16]  # NaN -> null
    assert all(set(core.RECORD_KEYS) <= set(r) for r in doc["records"])
    assert second["target"] == "< 0.8 s" and second["passed"] is True


def test_percentile_and_median_agree_with_numpy():
    xs = [0.3, 0.1, 0.5, 0.2, 0.9, 0.4, 0.7]
    for q in (0, 50, 95, 100):
        assert core.percentile(xs, q) == pytest.approx(np.percentile(xs, q))
    assert core.median(xs) == np.median(xs)
    assert math.isnan(core.percentile([], 95)) and math.isnan(core.median([]))


def test_interleaved_takes_one_untimed_and_one_timed_call_per_round():
    calls = {"a": 0, "b": 0}

    def counter(name):
        def f():
            calls[name] += 1
        return f

    times = core.interleaved({"a": counter("a"), "b": counter("b")}, min_rounds=3, max_rounds=3)
    assert {k: len(v) for k, v in times.items()} == {"a": 3, "b": 3}
    assert calls == {"a": 6, "b": 6}
    core.interleaved({"a": counter("a"), "b": counter("b")}, min_rounds=2, max_rounds=2, warm=["a"])
    assert calls == {"a": 10, "b": 8}  # b (plain NumPy, say) gets no untimed call


def test_formatting():
    assert core.fmt_seconds(1.5e-4) == "150 µs"
    assert core.fmt_seconds(0.0421) == "42.1 ms"
    assert core.fmt_seconds(2.5) == "2.5 s"
    assert core.fmt_seconds(None) == "-" and core.fmt_ratio(float("nan")) == "-"
    text = core.table([["a", 1], ["bbb", None]], ["name", "n"])
    lines = text.splitlines()
    assert lines[0] == "| name | n |" and lines[3] == "| bbb  |   |"
    assert len({len(line) for line in lines}) == 1


# --------------------------------------------------------------------------- compilations
def test_compile_counter_counts_a_recompilation_and_nothing_for_a_cached_call():
    f = jax.jit(lambda x: jnp.sin(x) * 3.0)
    x = jnp.ones(5)
    f(x).block_until_ready()
    with core.CompileCounter() as cached:
        f(x).block_until_ready()
        f(x + 1).block_until_ready()  # same shape: cached (the + compiles outside f only once, see below)
    assert "jit(<lambda>)" not in cached.names
    with core.CompileCounter() as outer:
        with core.CompileCounter() as inner:
            f(jnp.ones(7)).block_until_ready()  # a new shape: f compiles again
        f(jnp.ones(7)).block_until_ready()
    assert inner.names.count("jit(<lambda>)") == 1 and outer.names.count("jit(<lambda>)") == 1
    assert inner.count >= 1 and inner.seconds > 0
    with core.CompileCounter() as none:
        f(jnp.ones(7)).block_until_ready()
    assert none.count == 0


# --------------------------------------------------------------------------- sections' pieces
def test_numpy_loop_matches_lax_on_many_channels_and_one():
    rng = np.random.default_rng(0)
    for x_shape, w_shape in [((2, 3, 9, 8), (4, 3, 3, 2)), ((1, 1, 7, 7), (1, 1, 3, 3))]:
        x = rng.standard_normal(x_shape, dtype=np.float32)
        w = rng.standard_normal(w_shape, dtype=np.float32)
        want = jax.lax.conv_general_dilated(x, w, (1, 1), "VALID", precision="highest")
        np.testing.assert_allclose(conv_methods.numpy_loop(x, w), want, rtol=1e-5, atol=1e-5)


def test_cases_and_what_applies():
    names = [c.name for c in conv_methods.cases()]
    assert names[:2] == ["1x1x64x64 k=3", "1x1x256x256 k=3"] and "32x16x32x32 to 32 k=3" in names
    assert len(conv_methods.cases(quick=True)) == len(names) - 1
    small, big, multi = conv_methods.Case(1, 1, 64, 1, 3), conv_methods.Case(1, 1, 256, 1, 31), conv_methods.cases()[-1]
    assert conv_methods.applies("dense", small) is None and "dense" in conv_methods.applies("dense", big)
    assert conv_methods.applies("im2col", big) and conv_methods.applies("im2col", small) is None
    assert conv_methods.applies("scipy", multi) and conv_methods.applies("scipy", small) is None


def test_torch_missing_is_reported_not_raised(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n")
    fake.chmod(0o755)
    medians, status = conv_methods.torch_medians(conv_methods.cases()[:1], str(fake), 0.1)
    assert medians == {} and status == "not installed"


def test_where_the_dense_matrix_fits():
    caches = {1: 32 * 2**10, 2: 2**20, 3: 32 * 2**20}
    assert [scaling.where_it_fits(b, caches) for b in (1e3, 5e5, 2e7, 1e9)] == ["L1", "L2", "L3", "RAM"]


def _slider_widgets():
    import ipywidgets as w

    return w


def test_sweep_values_cover_each_kind_of_control():
    w = _slider_widgets()
    assert widgets.sweep_values(w.IntSlider(value=3, min=1, max=15, step=2)) == [1, 3, 5, 7, 9, 11, 13, 15]
    assert widgets.sweep_values(w.IntSlider(value=0, min=0, max=99), max_values=4) == [0, 33, 66, 99]
    assert widgets.sweep_values(w.Dropdown(options=[("one", 1), ("two", 2)], value=1)) == [1, 2]
    assert widgets.sweep_values(w.ToggleButtons(options=["a", "b", "c"], value="a")) == ["a", "b", "c"]
    assert widgets.sweep_values(w.Checkbox(value=True)) == [False, True]
    assert widgets.sweep_values(w.FloatSlider(value=0.0, min=0.0, max=1.0), max_values=3) == [0.0, 0.5, 1.0]
    np.testing.assert_allclose(widgets.sweep_values(w.FloatLogSlider(value=1.0, min=-1, max=1), max_values=3),
                               [0.1, 1.0, 10.0])
    assert widgets.sweep_values(w.Text(value="x")) == []


def test_sweep_ticks_once_per_change_and_restores_the_controls():
    from cnnlib.widgets import Canvas, explorer

    w = _slider_widgets()
    canvas = Canvas(1, 1, size=1.0, dpi=20)
    line = canvas.axes[0, 0].plot([0, 1], [0, 1])[0]
    seen = []

    def update(a, b):
        seen.append((a, b))
        line.set_ydata([0, a])
        return f"{a} {b}"

    box = explorer({"a": w.IntSlider(value=2, min=1, max=3), "b": w.Dropdown(options=["x", "y"], value="x")},
                   update, canvas)
    seen.clear()
    ticks, png, sizes, per_control, (cpu, png_cpu) = widgets.sweep(box, passes=2)
    # a: 2 -> 1 -> 2 -> 3 -> 2 is four ticks; b: x -> y -> x is two (setting x first is no change); twice over
    assert len(ticks) == len(png) == len(sizes) == len(cpu) == len(png_cpu) == 12 == len(seen)
    assert {k: len(v) for k, v in per_control.items()} == {"a": 8, "b": 4}
    assert box.controls["a"].value == 2 and box.controls["b"].value == "x"
    assert "png" not in vars(canvas)  # the timing wrapper is removed again


def test_discovery_lists_the_registered_builders_that_exist():
    found = widgets.discover()
    import cnnlib as cl

    assert all(hasattr(cl.widgets, name) for name in found)
    assert "filter_explorer" in found and found["filter_explorer"] is widgets.REGISTRY["filter_explorer"]


def test_floor_notebook_and_training_detection(tmp_path):
    import nbformat

    floor = notebooks.floor_notebook(tmp_path / "floor.ipynb")
    nb = nbformat.read(floor, as_version=4)
    assert [c.source for c in nb.cells] == ["import jax\nimport cnnlib as cl"]
    assert not notebooks.trains(floor)
    nb.cells.append(nbformat.v4.new_code_cell("params = cl.nets.train(model, x, y, key=key)"))
    nbformat.write(nb, tmp_path / "trains.ipynb")
    assert notebooks.trains(tmp_path / "trains.ipynb")


# --------------------------------------------------------------------------- the browser section (nothing started)
def test_browser_moves_are_split_by_the_kernel_tick_inside_them():
    # Times in ms (the page) and s (the kernel), on one clock: two moves, the second one's tick recorded.
    moves = [{"key": 1000.0, "src": 1090.0, "decoded": 1100.0, "painted": 1104.0},
             {"key": 2000.0, "src": 2060.0, "decoded": 2070.0, "painted": 2075.0}]
    ticks = [{"start": 1.010, "end": 1.070, "cpu_s": 0.05, "png_s": 0.040, "draw_s": 0.030},  # inside move 1
             {"start": 1.500, "end": 1.600},  # between the moves: not matched
             {"start": 2.015, "end": 2.050, "cpu_s": 0.03, "png_s": 0.020, "draw_s": 0.015}]
    parts = browser.split(moves, ticks)
    assert parts["total"] == pytest.approx([0.104, 0.075])
    assert parts["to_kernel"] == pytest.approx([0.010, 0.015])
    assert parts["server"] == pytest.approx([0.060, 0.035]) and parts["server_cpu"] == pytest.approx([0.05, 0.03])
    assert parts["draw"] == pytest.approx([0.030, 0.015]) and parts["encode"] == pytest.approx([0.010, 0.005])
    assert parts["update"] == pytest.approx([0.020, 0.015])
    assert parts["back"] == pytest.approx([0.020, 0.010])
    assert parts["decode"] == pytest.approx([0.010, 0.010]) and parts["paint"] == pytest.approx([0.004, 0.005])


def test_browser_notebook_builds_every_widget_in_a_cell_of_its_own(tmp_path):
    import ast

    import nbformat

    names = ["filter_explorer", "stride_explorer"]
    browser.write_notebook(tmp_path / "b.ipynb", names, tmp_path / "ticks")
    nb = nbformat.read(tmp_path / "b.ipynb", as_version=4)
    assert len(nb.cells) == 1 + len(names)
    for cell in nb.cells:
        ast.parse(cell.source)  # valid Python after formatting
    assert all(repr(n) in c.source for n, c in zip(names, nb.cells[1:]))
    assert "def instrument" in nb.cells[0].source and str(tmp_path / "ticks") in nb.cells[0].source


def test_browser_section_is_registered_and_reports_a_missing_browser(monkeypatch, capsys):
    assert run.SECTIONS["browser"] is browser and "browser" in run.TABLES
    monkeypatch.setattr(browser, "missing", lambda: "no chromium here")
    monkeypatch.setattr(widgets, "discover", lambda: {"filter_explorer": None})
    records = browser.run(quick=True, log=print)
    assert [(r["case"], r["passed"]) for r in records] == [("filter_explorer", None)]
    assert "not measured: no chromium here" in capsys.readouterr().out
    assert "filter_explorer" in run.TABLES["browser"](records)


def test_widget_sections_report_a_broken_cnnlib_widgets_instead_of_stopping_the_run(monkeypatch):
    def broken():
        raise ModuleNotFoundError("No module named 'cnnlib.widgets._validate'")

    monkeypatch.setattr(widgets, "discover", broken)
    monkeypatch.setattr(browser, "missing", lambda: None)
    for section in (widgets, browser):
        [rec] = section.run(quick=True, log=lambda s: None)
        assert rec["case"] == "cnnlib.widgets" and rec["passed"] is False and "cnnlib.widgets._validate" in rec["note"]


# --------------------------------------------------------------------------- the command line
def test_run_prints_tables_and_writes_json(tmp_path, monkeypatch, capsys):
    def fake_run(*, quick, log, **_):
        rec = core.record("fake", "case", "method", 0.01, ratio=0.5)
        core.hold(rec, "<= 1 s", 0.01, "<=", 1.0)
        bad = core.record("fake", "case", "slow", 2.0, ratio=100.0)
        core.hold(bad, "<= 1 s", 2.0, "<=", 1.0)
        return [rec, bad]

    monkeypatch.setitem(run.SECTIONS, "fake", types.SimpleNamespace(run=fake_run))
    monkeypatch.setitem(run.TABLES, "fake", lambda recs: core.default_table(recs))
    out = tmp_path / "bench.json"
    assert run.main(["fake", "--json", str(out)]) == 0
    assert run.main(["fake", "--strict"]) == 1
    text = capsys.readouterr().out
    assert "1 passed, 1 failed" in text and "FAIL fake: case slow" in text
    doc = json.loads(out.read_text())
    assert [r["method"] for r in doc["records"]] == ["method", "slow"] and doc["meta"]["sections"] == ["fake"]


def test_unknown_section_is_an_error(capsys):
    with pytest.raises(SystemExit):
        run.parse(["bogus"])
    assert "unknown section(s) bogus" in capsys.readouterr().err


def test_slowest_cells_are_read_from_pytest_durations(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title"), nbformat.v4.new_code_cell("import jax"),
                nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nparams = train(model)\nprint(params)")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    output = ("============ slowest 3 durations ============\n"
              "12.50s call     notebooks/nb.ipynb::Cell 1\n"
              "0.60s call     notebooks/nb.ipynb::Cell 0\n"
              "0.70s setup    notebooks/nb.ipynb::Cell 0\n")
    assert notebooks.slowest_cells(output, path) == [
        {"seconds": 12.5, "cell": 1, "code": "params = train(model)"},
        {"seconds": 0.6, "cell": 0, "code": "import jax"},
    ]


def test_report_condenses_a_json_into_markdown():
    from benchmarks import report

    auto = core.record("conv", "1x1x64x64 k=3", "auto", 5e-5, ratio=0.2, vs_fastest=1.0, picks="direct",
                       first_call_s=0.08)
    core.hold(auto, "<= 1.2x fastest cnnlib", 1.0, "<=", 1.2)
    lax = core.record("conv", "1x1x64x64 k=3", "lax", 2.5e-4, ratio=1.0)
    torch = core.record("conv", "1x1x64x64 k=3", "torch", note="not installed")
    imp = core.record("conv", "import cnnlib", "python -c", 0.9, note="heavy modules imported: none")
    core.hold(imp, "< 0.8 s", 0.9, "<", 0.8)
    tick = core.record("widgets", "filter_explorer", "all controls", 0.03, p95_s=0.05, compiles=0)
    doc = {"meta": {"date": "today", "cpu": "a CPU", "cores": 2, "jax": "0.10.2"},
           "records": [auto, lax, torch, imp, tick]}
    text = report.markdown(doc)
    assert text.startswith("Measured today on a CPU, 2 cores, jax 0.10.2")
    assert "| 1x1x64x64 k=3 | direct" in text and "not installed" in text
    assert "**fail** (< 0.8 s)" in text and "| filter_explorer | 30 ms " in text


def test_fitted_crossover_uses_every_k_and_ignores_unfused_kernels():
    rows = [{"k": k, "fft_vs_direct": (11 / k) ** 2} for k in (3, 5, 7, 9, 11, 13)]
    assert conv_methods.fitted_crossover(rows) == pytest.approx(11.0)
    noisy = [dict(r) for r in rows] + [{"k": 17, "fft_vs_direct": 0.01}]  # 289 taps: left out
    noisy[4]["fft_vs_direct"] = 1.3  # one bad point moves the answer a little, not a whole step
    assert 10.0 < conv_methods.fitted_crossover(noisy) < 12.5
    assert conv_methods.fitted_crossover(rows[:1]) is None


def test_interleaved_averages_fast_calls_over_a_minimum_sample():
    calls = {"fast": 0, "slow": 0}

    def fast():
        calls["fast"] += 1

    def slow():
        calls["slow"] += 1
        time.sleep(0.003)

    times = core.interleaved({"fast": fast, "slow": slow}, min_rounds=2, max_rounds=2, min_sample_s=0.002)
    assert {k: len(v) for k, v in times.items()} == {"fast": 2, "slow": 2}
    assert calls["slow"] == 3 + 2 * 2  # three calibration calls, then one untimed and one timed call per round
    assert calls["fast"] > 100  # each sample of the fast function is many calls in a row
    assert max(times["fast"]) < 0.001 <= min(times["slow"])  # per-call seconds, not per-sample


def test_the_notebooks_that_train_nets_get_the_training_budget():
    """02-06 train networks (through cnnlib helpers), so each has the 60 s budget; 00 and 01 do not."""
    found = {p.name[:2]: notebooks.trains(p) for p in notebooks.find()}
    assert {k: v for k, v in found.items() if k in ("00", "01")} == {"00": False, "01": False}
    assert all(found[k] for k in ("02", "03", "04", "05", "06") if k in found)
