"""Condense a benchmark JSON into the Markdown the README's Performance section quotes.

Usage: python -m benchmarks.report build/bench.json
"""
from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from .core import fmt_ratio, fmt_seconds, summary, table

_OK = {True: "pass", False: "**fail**", None: "n/a"}


def _failed(rec: Mapping[str, Any]) -> str:
    """The verdict, naming the targets that failed."""
    bad = [t["text"] for t in rec.get("targets", []) if t["passed"] is False]
    return _OK[rec["passed"]] + (f" ({'; '.join(bad)})" if bad else "")


def conv(records: Sequence[Mapping[str, Any]]) -> str:
    by_case: dict[str, dict[str, Mapping[str, Any]]] = {}
    for r in records:
        by_case.setdefault(r["case"], {})[r["method"]] = r
    rows = []
    for case, m in by_case.items():
        if "auto" not in m or "lax" not in m or m["auto"].get("median_s") is None:
            continue
        a, torch, bare = m["auto"], m.get("torch", {}), m.get("jax.lax", {})
        rows.append([case, a.get("picks") or "?", fmt_seconds(a["median_s"]), fmt_seconds(m["lax"]["median_s"]),
                     fmt_seconds(bare.get("median_s")), fmt_ratio(a["ratio"]), fmt_ratio(a.get("vs_fastest")),
                     fmt_seconds(torch.get("median_s")) if torch.get("median_s") else torch.get("note", "-"),
                     fmt_seconds(a.get("first_call_s")), fmt_seconds(bare.get("first_call_s")), _failed(a)])
    out = table(rows, ["case", "auto picks", "auto", "lax", "jax.lax", "auto/lax", "auto/fastest", "torch",
                       "first call", "jax.lax first call", "targets"])
    rest = [[r["case"], r.get("note", ""), _failed(r)] for r in records if "lax" not in by_case[r["case"]]]
    return out + "\n\n" + table(rest, ["measurement", "result", "target"])


def scaling(records: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    pairs: dict[int, dict[str, Mapping[str, Any]]] = {}
    for r in records:
        if r["method"] in ("dense", "conv") and "m" in r:
            pairs.setdefault(r["side"], {})[r["method"]] = r
    for side, p in pairs.items():
        rows.append([side, p["dense"]["m"], fmt_seconds(p["dense"]["median_s"]), fmt_seconds(p["conv"]["median_s"]),
                     p["dense"]["params"], p["conv"]["params"], p["dense"].get("matrix_in", ""),
                     p["conv"].get("images_in", "")])
    out = table(rows, ["side", "m", "dense", "conv 3x3", "dense params", "conv params", "matrix fits in",
                       "conv images fit in"])
    fits = [[r["case"], r.get("note", ""), _failed(r) if r.get("targets") else ""] for r in records if "m" not in r]
    return out + "\n\n" + table(fits, ["fit", "result", "target"])


def widgets(records: Sequence[Mapping[str, Any]]) -> str:
    rows = [[r["case"], fmt_seconds(r["median_s"]), fmt_seconds(r.get("p95_s")), fmt_seconds(r.get("cpu_median_s")),
             fmt_seconds(r.get("png_cpu_median_s")), r.get("compiles", "-"), _failed(r)]
            for r in records if r["method"] == "all controls"]
    return table(rows, ["widget", "median", "p95", "CPU median", "of it PNG (CPU)", "compiles", "targets"])


def browser(records: Sequence[Mapping[str, Any]]) -> str:
    ms = lambda r, k: fmt_seconds(r.get(f"{k}_median_s"))  # noqa: E731
    rows = [[r["case"], fmt_seconds(r["median_s"]), fmt_seconds(r.get("p95_s")), r.get("moves", "-"), ms(r, "to_kernel"),
             ms(r, "server"), ms(r, "server_cpu"), ms(r, "draw"), ms(r, "encode"), ms(r, "back"), ms(r, "decode"),
             ms(r, "paint"), _failed(r)] for r in records]
    return table(rows, ["widget", "key press -> painted", "p95", "moves", "to kernel", "server", "server CPU", "draw",
                        "PNG encode", "back", "decode", "paint", "targets"])


def notebooks(records: Sequence[Mapping[str, Any]]) -> str:
    yes = {True: "yes", False: "no", None: ""}
    rows = [[r["case"], fmt_seconds(r["median_s"]), fmt_seconds(r.get("cpu_s")), fmt_ratio(r["ratio"]),
             yes[r.get("cpu_within_budget")], _failed(r) if r.get("targets") else ""] for r in records]
    return table(rows, ["notebook", "wall", "CPU", "vs floor", "CPU within budget", "targets"])


SECTIONS = {"conv": conv, "scaling": scaling, "widgets": widgets, "browser": browser, "notebooks": notebooks}


def markdown(doc: Mapping[str, Any]) -> str:
    meta, records = doc["meta"], doc["records"]
    counts = summary(records)
    parts = [f"Measured {meta['date']} on {meta['cpu']}, {meta['cores']} cores, jax {meta['jax']} "
             f"(load average {meta.get('load_1min', '?')} at the start, {meta.get('load_1min_end', '?')} at the end). "
             f"Targets: {counts['passed']} passed, {counts['failed']} failed, {counts['not judged']} not judged."]
    for name, fn in SECTIONS.items():
        part = [r for r in records if r["section"] == name]
        if part:
            parts.append(f"**{name}**\n\n{fn(part)}")
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    with open(sys.argv[1] if len(sys.argv) > 1 else "build/bench.json") as f:
        print(markdown(json.load(f)))
