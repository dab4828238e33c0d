"""Root pytest configuration: headless plotting for tests and doctests.

The backend is chosen with ``matplotlib.use`` rather than the ``MPLBACKEND``
environment variable: nbval's kernels inherit the environment, and the
notebooks need the inline backend to store their figures.
"""
import matplotlib

matplotlib.use("Agg")

collect_ignore = ["scripts", "benchmarks", "build"]
