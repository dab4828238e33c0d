"""Run the benchmarks, print their tables, write them as JSON.

Usage::

    python -m benchmarks.run                      # everything (about 5 minutes on 2 idle cores, 15 when busy)
    python -m benchmarks.run --quick              # fewer sizes, repeats and passes
    python -m benchmarks.run conv widgets         # only some sections
    python -m benchmarks.run notebooks --notebooks 01 03
    python -m benchmarks.run --json build/bench.json --profile

Sections: ``conv`` (convolution methods, first-call compile, validation
overhead, import time), ``scaling`` (dense vs conv as the image grows),
``widgets`` (slider latency and compilations in the kernel), ``browser``
(key press to painted picture in JupyterLab, headless Chromium), ``notebooks`` (nbval wall time
against a floor). Each record of the JSON holds section, case, method,
median_s, ratio, target and passed (see :mod:`benchmarks.core`). The exit
code is 0 unless ``--strict`` is given and a target failed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import browser, conv_methods, core, notebooks, scaling, widgets

SECTIONS: dict[str, Any] = {
    "conv": conv_methods,
    "scaling": scaling,
    "widgets": widgets,
    "browser": browser,
    "notebooks": notebooks,
}

_S = core.fmt_seconds


def _get(key: str, fmt: Callable[[Any], str] = str) -> Callable[[Mapping[str, Any]], str]:
    return lambda r: "" if r.get(key) is None else fmt(r[key])


def _conv_table(records: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for r in records:
        rows.append([r["case"], r["method"], _S(r["median_s"]), core.fmt_ratio(r["ratio"]),
                     _get("vs_fastest", core.fmt_ratio)(r), _get("first_call_s", _S)(r), r.get("note", ""),
                     r["target"] or "", core.verdict_text(r["passed"])])
    header = ["case", "method", "median", "vs lax", "vs fastest", "first call", "note", "target", ""]
    return core.table(rows, header)


def _scaling_table(records: Sequence[Mapping[str, Any]]) -> str:
    sides = {}
    for r in records:
        if "side" in r and r["method"] in ("dense", "conv") and "m" in r:
            sides.setdefault(r["side"], {})[r["method"]] = r
    rows = []
    for side, pair in sides.items():
        d, c = pair["dense"], pair["conv"]
        rows.append([side, d["m"], _S(d["median_s"]), _S(c["median_s"]), core.fmt_ratio(d["ratio"]), d["params"],
                     c["params"], c["sparse_params"], f"{d['matrix_mib']:.3g} MiB in {d['matrix_in']}",
                     f"{2 * c.get('image_mib', 0):.3g} MiB in {c.get('images_in', '?')}"])
    out = core.table(rows, ["side", "m", "dense", "conv 3x3", "dense/conv", "dense params", "conv params",
                            "connections", "dense matrix", "conv in + out"])
    rest = [[r["case"], r.get("note", ""), r["target"] or "", core.verdict_text(r["passed"])]
            for r in records if "m" not in r]
    return out + "\n\n" + core.table(rest, ["fit", "result", "target", ""])


def _widget_table(records: Sequence[Mapping[str, Any]]) -> str:
    rows = [[r["case"] if r["method"] == "all controls" else "", r["method"], _S(r["median_s"]),
             _get("p95_s", _S)(r), _get("cpu_median_s", _S)(r), _get("png_cpu_median_s", _S)(r), _get("png_kib", lambda v: f"{v:.0f}")(r),
             _get("compiles")(r), r.get("note", "") if r["method"] == "all controls" else f"{r.get('ticks', '')} ticks",
             r["target"] or "", core.verdict_text(r["passed"])] for r in records]
    return core.table(rows, ["widget", "control", "median", "p95", "CPU", "PNG CPU", "KiB", "compiles", "note", "target", ""])


def _browser_table(records: Sequence[Mapping[str, Any]]) -> str:
    parts = ("to_kernel", "server", "server_cpu", "draw", "encode", "back", "decode", "paint")
    rows = [[r["case"], _S(r["median_s"]), _get("p95_s", _S)(r), _get("moves")(r),
             *(_get(f"{p}_median_s", _S)(r) for p in parts), _get("png_kib", lambda v: f"{v:.0f}")(r),
             r["target"] or "", core.verdict_text(r["passed"])] for r in records]
    return core.table(rows, ["widget", "median", "p95", "moves", "to kernel", "server", "server CPU", "draw",
                             "PNG encode", "back", "decode", "paint", "KiB", "target", ""])


def _notebook_table(records: Sequence[Mapping[str, Any]]) -> str:
    rows = [[r["case"], _S(r["median_s"]), core.fmt_ratio(r["ratio"]), _get("cpu_s", _S)(r), r.get("note", ""),
             r["target"] or "", core.verdict_text(r["passed"])] for r in records]
    return core.table(rows, ["notebook", "wall", "vs floor", "CPU", "note", "target", ""])


TABLES = {"conv": _conv_table, "scaling": _scaling_table, "widgets": _widget_table, "browser": _browser_table,
          "notebooks": _notebook_table}


def parse(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    p.add_argument("sections", nargs="*", metavar="SECTION",
                   help=f"sections to run (default: all): {', '.join(SECTIONS)}")
    p.add_argument("--quick", action="store_true", help="fewer sizes, repeats and passes")
    p.add_argument("--json", metavar="PATH", help="write the records as JSON to PATH")
    p.add_argument("--notebooks", nargs="+", default=(), metavar="NAME",
                   help="only notebooks whose file name contains one of these (e.g. 01 03)")
    p.add_argument("--torch-python", metavar="PYTHON",
                   help="interpreter with torch for the torch column (default: this one)")
    p.add_argument("--profile", action="store_true", help="print a cProfile of each widget that misses a target")
    p.add_argument("--strict", action="store_true", help="exit with status 1 if any target fails")
    args = p.parse_args(argv)
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        p.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    # Headless figures for the widget timings, chosen here and not at import: an
    # MPLBACKEND set in os.environ would reach every notebook kernel started later.
    import matplotlib

    matplotlib.use("Agg")
    args = parse(sys.argv[1:] if argv is None else argv)
    chosen = args.sections or list(SECTIONS)
    meta = core.machine()
    meta.update(sections=chosen, quick=args.quick)
    print(f"cnnlib benchmarks, {meta['date']}: {meta['cpu']}, {meta['cores']} cores, jax {meta['jax']} "
          f"({meta['backend']}), load {meta.get('load_1min', '?')}", flush=True)
    records: list[dict[str, Any]] = []
    seconds = {}
    for name in chosen:
        print(f"\n== {name} ==", flush=True)
        t0 = time.perf_counter()
        part = SECTIONS[name].run(quick=args.quick, log=lambda s: print(s, flush=True), torch_python=args.torch_python,
                                  profile=args.profile, notebooks=args.notebooks)
        seconds[name] = time.perf_counter() - t0
        records += part
        print(f"\n{TABLES[name](part)}\n({name}: {seconds[name]:.0f} s)", flush=True)
    meta.update(section_seconds=seconds, load_1min_end=round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None)
    counts = core.summary(records)
    failed = sorted({f"{r['section']}: {r['case']} {r['method'].strip()}" for r in records if r["passed"] is False})
    print(f"\ntargets: {counts['passed']} passed, {counts['failed']} failed, {counts['not judged']} not judged")
    for line in failed:
        print(f"  FAIL {line}")
    if args.json:
        path = core.write_json(args.json, records, meta)
        print(f"wrote {len(records)} records to {path}")
    return 1 if args.strict and counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
