"""Section "scaling": a dense layer against a 3x3 convolution as the image grows (notebook 01's figure).

The measurement is :func:`cnnlib.scaling.measure_dense_vs_conv`, the same
code notebook 01 plots; this section only chooses sizes, fits the slopes on
log axes and holds them to the exponents the lecture claims: against the
pixel count ``m``, the dense layer's time and parameters grow like ``m^2``
(slope 2), the convolution's time like ``m`` (slope 1) and its parameters not
at all (slope 0; one weight per connection without sharing would be slope 1).

Small images are dominated by the cost of a call, so each slope is fitted
above a minimum side (``FIT_FROM``), and the batch is 256 images: at 64 a
3x3 convolution of a 32x32 batch takes about as long as the call (0.1 ms on
2 cores) and the conv slope from side 32 to 128 came out 0.55-0.84; at 256 it
is 1.0. The convolution takes microseconds, so it is timed a second time with
more repeats (the dense layer skipped) and that median is kept. Both curves also step where their data leave a cache
level: the dense matrix (``4 m^2`` bytes) leaves L2 and L3 early, the
convolution's images (``4 N m`` bytes each way) only past side 128, which is
why the sides stop there.
"""
from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

from .core import hold, record

SECTION = "scaling"
SIDES = (8, 16, 32, 48, 64, 96, 128)
QUICK_SIDES = (8, 16, 32, 48, 64, 128)
CONV_REPEATS = 25
BATCH = 256
MAX_DENSE_MIB = 1024.0  # side 128: a 16384 x 16384 float32 matrix
QUICK_MAX_DENSE_MIB = 64.0
# Smallest side in each fit: below side 32 a batch of 3x3 convolutions takes
# about as long as the call itself, so the conv slope is fitted from 32 (and
# shown from 16 too, for the flattening).
# The dense layer is a (m x m) @ (m x 256) matrix product: at side 16 (m = 256) it is too
# small for the BLAS to reach its speed, and fitting from there gave slopes of 1.6-1.7
# (from side 32, 1.9-2.0; 2026-12-06, 2 cores).
FIT_FROM = {"dense": 32, "conv": 32}
SLOPE_TOLERANCE = 0.35


def cache_sizes() -> dict[int, int]:
    """Bytes of each data/unified cache level seen by CPU 0 (Linux sysfs; empty elsewhere)."""
    sizes = {}
    for d in sorted(pathlib.Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            if (d / "type").read_text().strip() == "Instruction":
                continue
            text = (d / "size").read_text().strip()
            scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1], 1)
            sizes[int((d / "level").read_text())] = int(text.rstrip("KMG")) * scale
        except (OSError, ValueError):
            continue
    return sizes


def where_it_fits(nbytes: float, caches: dict[int, int]) -> str:
    for level in sorted(caches):
        if nbytes <= caches[level]:
            return f"L{level}"
    return "RAM"


def run(*, quick: bool = False, log: Callable[[str], None] = print, **_: Any) -> list[dict[str, Any]]:
    import jax

    from cnnlib.scaling import fit_loglog_slope, measure_dense_vs_conv

    sides = QUICK_SIDES if quick else SIDES
    rows = measure_dense_vs_conv(sides, batch=BATCH, k=3, repeats=3 if quick else 5, key=jax.random.key(0),
                                 max_dense_mib=QUICK_MAX_DENSE_MIB if quick else MAX_DENSE_MIB)
    conv_only = measure_dense_vs_conv(sides, batch=BATCH, k=3, repeats=CONV_REPEATS, key=jax.random.key(0),
                                      max_dense_mib=0.0)
    for row, again in zip(rows, conv_only):
        row["conv_seconds"] = again["conv_seconds"]
    caches = cache_sizes()
    records = []
    for row in rows:
        matrix_bytes = 4 * row["m"] * row["n"]
        case = f"side {row['side']} (m={row['m']})"
        extra = {"side": row["side"], "m": row["m"], "batch": BATCH, "image_mib": 4 * BATCH * row["m"] / 2**20}
        dense = record(SECTION, case, "dense", row["dense_seconds"], ratio=row["dense_seconds"] / row["conv_seconds"],
                       params=row["dense_params"], flops=row["dense_flops"], matrix_mib=matrix_bytes / 2**20,
                       matrix_in=where_it_fits(matrix_bytes, caches), skipped=row["dense_skipped"], **extra)
        dense["note"] = (f"matrix {matrix_bytes / 2**20:.3g} MiB, fits in {dense['matrix_in']}"
                         + (" (not built: over the cap)" if row["dense_skipped"] else ""))
        conv = record(SECTION, case, "conv", row["conv_seconds"], ratio=1.0, params=row["conv_params"],
                      sparse_params=row["sparse_params"], flops=row["conv_flops"],
                      images_in=where_it_fits(8 * BATCH * row["m"], caches), **extra)
        conv["note"] = f"input + output {2 * extra['image_mib']:.3g} MiB, fit in {conv['images_in']}"
        records += [dense, conv]
    log("  " + ", ".join(f"{r['side']}: dense {r['dense_seconds'] * 1e3:.3g} ms / conv {r['conv_seconds'] * 1e3:.3g} ms"
                         for r in rows))

    def fit(name: str, key: str, expected: float, tolerance: float | None, lo: int) -> dict[str, Any]:
        sel = [r for r in rows if r["side"] >= lo]
        slope = fit_loglog_slope([r["m"] for r in sel], [float(r[key]) for r in sel])
        used = [r["side"] for r in sel if r[key] == r[key]]
        rec = record(SECTION, f"slope of {name} vs m", key.replace("_seconds", "").replace("_", " "), None,
                     slope=slope, expected=expected, sides=used)
        rec["note"] = f"slope {slope:.2f} (expected {expected:g}) over sides {used[0]}-{used[-1]}"
        if tolerance is not None:  # None: shown for information, held to nothing
            hold(rec, f"slope {expected:g} +/- {tolerance:g}", abs(slope - expected), "<=", tolerance)
        return rec

    records += [
        fit("dense time", "dense_seconds", 2.0, SLOPE_TOLERANCE, FIT_FROM["dense"]),
        fit("conv time", "conv_seconds", 1.0, SLOPE_TOLERANCE, FIT_FROM["conv"]),
        fit("conv time, from side 16", "conv_seconds", 1.0, None, 16),
        fit("dense parameters", "dense_params", 2.0, 1e-9, sides[0]),
        fit("conv parameters (shared)", "conv_params", 0.0, 1e-9, sides[0]),
        fit("conv connections (unshared)", "sparse_params", 1.0, 1e-9, sides[0]),
    ]
    for level, size in sorted(caches.items()):
        side = (size / 4) ** 0.25  # 4 m^2 bytes = size, m = side^2
        rec = record(SECTION, f"dense matrix leaves L{level} ({size >> 10} KiB)", "dense", None, side=side)
        rec["note"] = f"4 m^2 bytes > L{level} from side {side:.0f} (m = {side**2:.0f})"
        records.append(rec)
    for rec in records[-6 - len(caches) : -len(caches) or None]:
        log(f"  {rec['case']}: {rec['note']}")
    return records
