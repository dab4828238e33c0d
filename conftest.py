"""Root pytest configuration: headless plotting for doctests and tests alike."""
import os

os.environ.setdefault("MPLBACKEND", "Agg")
collect_ignore = ["scripts", "benchmarks", "build"]
