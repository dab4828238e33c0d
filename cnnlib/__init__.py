"""cnnlib: a small JAX library that makes the properties of convolution measurable.

Import it as ``import cnnlib as cl``; the main functions are re-exported here
(``cl.conv2d``, ``cl.max_pool2d``, ``cl.shift``, ...). The modules that pull in
heavy optional packages (``cl.plot`` needs matplotlib, ``cl.widgets`` needs
ipywidgets, ``cl.nets`` needs optax) are imported on first use, so that
``import cnnlib`` stays fast.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Each block below belongs to one module; keep the names explicit.
# --- conv ---
# --- pool ---
# --- transforms ---
# --- equivariance ---
# --- filters ---
# --- data ---
# --- receptive ---
# --- sharing ---
# --- dimensionality ---
# --- aliasing ---
# --- end of re-exports ---

# Submodules imported lazily on first attribute access (cl.plot, cl.widgets, ...).
_LAZY_SUBMODULES = {
    "plot",
    "widgets",
    "exercises",
    "nets",
    "data",
    "conv",
    "pool",
    "transforms",
    "equivariance",
    "filters",
    "receptive",
    "sharing",
    "dimensionality",
    "aliasing",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'cnnlib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY_SUBMODULES)
