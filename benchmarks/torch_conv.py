"""Time ``torch.nn.functional.conv2d`` on the benchmark's cases, in its own interpreter.

Usage: python benchmarks/torch_conv.py '<json list of {"name", "x", "w"}>' BUDGET_SECONDS

Prints one JSON line: {"version", "threads", "medians": {name: seconds}}.
Needs only torch and NumPy, so any interpreter that has torch will do
(``python -m benchmarks.run --torch-python /path/to/python``); torch is never
a dependency of the project. Exits with an ImportError when torch is missing.
"""
from __future__ import annotations

import json
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def main(spec: list[dict], budget_s: float) -> dict:
    rng = np.random.default_rng(0)
    medians = {}
    with torch.no_grad():
        for case in spec:
            x = torch.from_numpy(rng.standard_normal(case["x"], dtype=np.float32))  # (N, C_in, H, W)
            w = torch.from_numpy(rng.standard_normal(case["w"], dtype=np.float32))  # (C_out, C_in, kH, kW)
            for _ in range(3):
                F.conv2d(x, w)
            times, start = [], time.perf_counter()
            while len(times) < 9 or (time.perf_counter() - start < budget_s and len(times) < 50):
                F.conv2d(x, w)  # untimed, as for cnnlib: the thread pool is awake for the timed call
                t0 = time.perf_counter()
                F.conv2d(x, w)
                times.append(time.perf_counter() - t0)
            medians[case["name"]] = statistics.median(times)
    return {"version": torch.__version__, "threads": torch.get_num_threads(), "medians": medians}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]), float(sys.argv[2]))))
