"""Explorers for notebook 04: a dimension slider and a shrink-factor slider.

``dimension_explorer()`` redraws three views of one dimension ``d`` in place:
the rind ``1 - alpha^d``, uniform cube samples leaving the inscribed ball for
the corners, and torus distances bunching up around ``sqrt(1/3)``. All the
samples are drawn once at the largest ``d``; a slider tick reads the first
``d`` coordinates from prefix sums, so it compiles nothing.

``rind_explorer()`` moves the shrink factor ``alpha`` of a pizza and shows the
rind's share of the volume for every dimension at once.
"""
from __future__ import annotations

import math
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import check_int, check_key, check_real, check_size, describe
from ..dimensionality.closed_forms import _log_ball_fraction, half_length, rind_fraction
from ._core import Canvas, explorer

__all__ = ["dimension_explorer", "dimension_figure", "rind_explorer", "rind_figure"]

#: Dimensions offered by the slider (a rough log scale).
DIMS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64, 100, 128, 200, 256, 350, 512, 1000)
D_LIMIT = 10_000  # the largest d_max (the slider stops at 1000; the samples grow as d_max * num_points)
POINTS_LIMIT = 100_000
_ALPHA = np.linspace(0.0, 1.0, 201)
_TORUS_EDGES = np.linspace(0.0, 1.0, 61)
_RADIUS_EDGES = np.geomspace(0.05, 40.0, 61)
_SQRT_THIRD = math.sqrt(1.0 / 3.0)


@partial(jax.jit, static_argnames=("num_points", "d_max"))
def _prefix_sums(key: jax.Array, num_points: int, d_max: int) -> tuple[jax.Array, jax.Array]:
    """Squared distances using the first j + 1 coordinates, for every j: torus and cube, (num_points, d_max) each."""
    k_torus, k_query, k_cube = jax.random.split(key, 3)
    gaps = jnp.abs(jax.random.uniform(k_torus, (num_points, d_max)) - jax.random.uniform(k_query, (1, d_max)))
    gaps = jnp.minimum(gaps, 1.0 - gaps)  # wrapped gap on each circle
    centred = jax.random.uniform(k_cube, (num_points, d_max), minval=-0.5, maxval=0.5)
    return jnp.cumsum(gaps * gaps, axis=1), jnp.cumsum(centred * centred, axis=1)


@jax.jit
def _tick(torus_sq: jax.Array, cube_sq: jax.Array, d: jax.Array) -> dict[str, jax.Array]:
    """Everything the three panels show for dimension ``d`` (a traced int: no recompiles)."""
    df = d.astype(jnp.float32)
    torus = jnp.sqrt(torus_sq[:, d - 1]) / (0.5 * jnp.sqrt(df))  # normalised by the largest distance
    radius = jnp.sqrt(cube_sq[:, d - 1]) / 0.5  # distance from the centre / inscribed radius
    torus_hist, _ = jnp.histogram(torus, bins=jnp.asarray(_TORUS_EDGES))
    radius_hist, _ = jnp.histogram(radius, bins=jnp.asarray(_RADIUS_EDGES))
    return {
        "rind": -jnp.expm1(df * jnp.log(jnp.asarray(_ALPHA[1:]))),  # 1 - alpha^d for alpha > 0
        "half_length": jnp.exp(-math.log(2.0) / df),
        "radius_hist": radius_hist / jnp.maximum(radius_hist.max(), 1),
        "corners_mc": jnp.mean(radius > 1.0),
        "corners": -jnp.expm1(_log_ball_fraction(df)),
        "torus_hist": torus_hist / jnp.maximum(torus_hist.max(), 1),
        "torus_mean": torus.mean(),
        "torus_std": torus.std(),
    }


def _style_axes(axes: Any, *, headroom: bool = False) -> None:
    """The three panels' fixed parts. ``headroom``: the explorer's variant, with the labels above the
    tallest bar and the dashed line under the bars, so that none of them is redrawn on a tick."""
    rind, corners, torus = axes
    top, at, z = (1.3, 1.27, 0.5) if headroom else (1.05, None, None)
    rind.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="shrink factor α", ylabel="share of volume in the rind")
    rind.set_title("Rind 1 − α^d: the volume hugs the edge")
    corners.set(xscale="log", xlim=(_RADIUS_EDGES[0], _RADIUS_EDGES[-1]), ylim=(0, top))
    corners.set(xlabel="distance from centre / ball radius", ylabel="samples (peak = 1)")
    corners.set_title("Cube: samples leave the ball")
    corners.axvspan(_RADIUS_EDGES[0], 1.0, color="0.9", zorder=0)
    corners.text(0.07, at or 0.93, "inside the ball" if headroom else "inside\nthe ball", va="top", fontsize=11, zorder=z)
    corners.text(1.3, at or 0.93, "corners", va="top", fontsize=11, zorder=z)
    torus.set(xlim=(0, 1), ylim=(0, top), xlabel="distance / largest distance", ylabel="points (peak = 1)")
    torus.set_title("Torus: all distances become alike")
    torus.axvline(_SQRT_THIRD, color="k", ls="--", lw=1.5, zorder=z)
    torus.text(0.02, at or 1.0, "dashed: √(1/3) ≈ 0.577", va="top", fontsize=11, zorder=z)


def _readout(d: int, v: dict[str, jax.Array]) -> str:
    h = float(v["half_length"])
    return (
        f"d = {d}: half the volume lies within {(1 - h) / 2:.2%} of the diameter from the edge; "
        f"{float(v['corners']):.1%} of the cube is corners ({float(v['corners_mc']):.1%} of the samples); "
        f"torus distance {float(v['torus_mean']):.3f} ± {float(v['torus_std']):.3f}"
    )


def _state(d_max: int, num_points: int, key: Any, d_name: str = "d_max") -> tuple[jax.Array, jax.Array]:
    d_max = check_int(d_max, d_name, minimum=1, maximum=D_LIMIT)
    num_points = check_int(num_points, "num_points", minimum=2, maximum=POINTS_LIMIT)
    check_size(2 * d_max * num_points, "num_points" if num_points > d_max else d_name, "the samples")
    key = jax.random.key(0) if key is None else check_key(key)
    return _prefix_sums(key, num_points, d_max)


def _dims(dims: Any) -> list[int]:
    """The dimensions of :func:`dimension_figure`: a non-empty sequence of ints in [1, D_LIMIT]."""
    items = [dims] if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool) else dims
    if isinstance(items, (str, bytes)) or not hasattr(items, "__len__") or len(items) == 0:
        raise TypeError(f"`dims` must be a non-empty sequence of dimensions such as (2, 8, 64); got {describe(dims)}.")
    return [check_int(d, "dims", minimum=1, maximum=D_LIMIT) for d in items]


def dimension_explorer(*, d_max: int = 1000, num_points: int = 2000, key: Any = None):
    """A dimension slider redrawing the rind, the ball in the cube and the torus distances in place.

    Parameters
    ----------
    d_max : int, 1 ... 10000
        Largest dimension on the slider (samples are drawn at this size once).
    num_points : int, 2 ... 100000
        Cube samples and torus points per histogram.
    key : jax.Array, optional
        PRNG key (default ``jax.random.key(0)``).

    Returns
    -------
    ipywidgets.VBox
        See :func:`cnnlib.widgets.explorer`; ``box.update(d=...)`` is the plain update function.
    """
    import ipywidgets as w

    torus_sq, cube_sq = _state(d_max, num_points, key)
    d_max = torus_sq.shape[1]
    canvas = Canvas(1, 3, figsize=(14.0, 4.2))
    axes = canvas.axes[0]
    _style_axes(axes, headroom=True)  # fixed labels and the dashed line stay in the static bitmap
    (rind_line,) = axes[0].plot(_ALPHA[1:], np.zeros(len(_ALPHA) - 1), color="C1")
    (half_mark,) = axes[0].plot([1.0], [0.5], "o", color="k")
    half_text = axes[0].text(1.0, 0.5, "", ha="right", va="center", fontsize=12)
    radius_steps = axes[1].stairs(np.zeros(len(_RADIUS_EDGES) - 1), _RADIUS_EDGES, fill=True, color="C0", alpha=0.8)
    torus_steps = axes[2].stairs(np.zeros(len(_TORUS_EDGES) - 1), _TORUS_EDGES, fill=True, color="C2", alpha=0.8)
    canvas.fig.set_layout_engine("constrained")
    canvas.animate(rind_line, half_mark, half_text, radius_steps, torus_steps)  # what a tick changes

    def update(d: int) -> str:
        d = check_int(d, "d", minimum=1, maximum=d_max)
        v = _tick(torus_sq, cube_sq, jnp.int32(d))
        rind_line.set_ydata(np.asarray(v["rind"]))
        half_mark.set_data([float(v["half_length"])], [0.5])
        half_text.set_position((float(v["half_length"]) - 0.03, 0.5))
        half_text.set_text(f"d = {d}: half-length {float(v['half_length']):.3f}")
        radius_steps.set_data(np.asarray(v["radius_hist"]))
        torus_steps.set_data(np.asarray(v["torus_hist"]))
        return _readout(d, v)

    options = [d for d in DIMS if d <= d_max]
    slider = w.SelectionSlider(options=options, value=8 if 8 in options else options[-1], description="d")
    box = explorer({"d": slider}, update, canvas, title="Dimension explorer")
    box.update = update
    return box


def dimension_figure(dims: Any = (2, 8, 64, 512), *, num_points: int = 2000, key: Any = None):
    """The explorer's three panels as one static figure, one colour per dimension in ``dims``."""
    import matplotlib.pyplot as plt

    dims = _dims(dims)
    torus_sq, cube_sq = _state(max(max(dims), 1000), num_points, key, "dims")  # the explorer's shapes: no new compile
    fig, axes = plt.subplots(1, 3, figsize=(14.0, 4.2))
    _style_axes(axes)
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, len(dims)))
    for d, colour in zip(dims, colours):
        v = _tick(torus_sq, cube_sq, jnp.int32(d))
        axes[0].plot(_ALPHA[1:], np.asarray(v["rind"]), color=colour, label=f"d = {d}")
        axes[0].plot([float(v["half_length"])], [0.5], "o", color=colour)
        axes[1].stairs(np.asarray(v["radius_hist"]), _RADIUS_EDGES, color=colour, lw=2)
        axes[2].stairs(np.asarray(v["torus_hist"]), _TORUS_EDGES, color=colour, lw=2)
    axes[0].legend(loc="center left")
    return fig


# --- the rind of a pizza -------------------------------------------------------------------------

_RIND_DIMS = np.unique(np.geomspace(1, 1000, 80).astype(int))
_NAMED = {2: "pizza", 3: "watermelon", 350: "n = 350"}


def _draw_rind(ax_disc: Any, ax_curve: Any) -> tuple[Any, Any, Any, list[Any]]:
    from matplotlib.patches import Circle

    ax_disc.add_patch(Circle((0, 0), 1.0, color="#c8741d"))
    inner = ax_disc.add_patch(Circle((0, 0), 0.9, color="#f3d98b"))
    ax_disc.set(xlim=(-1.05, 1.05), ylim=(-1.05, 1.05), aspect="equal")
    ax_disc.set_axis_off()
    ax_curve.set(xscale="log", xlim=(1, 1000), ylim=(0, 1.02), xlabel="dimension n", ylabel="share of volume in the rind")
    ax_curve.set_title("The same rind holds more as n grows")
    (curve,) = ax_curve.plot(_RIND_DIMS, np.zeros(len(_RIND_DIMS)), color="C1")
    (marks,) = ax_curve.plot(list(_NAMED), np.zeros(len(_NAMED)), "o", color="k")
    labels = [
        ax_curve.annotate(name, (n, 0.0), xytext=(6, -6), textcoords="offset points", va="top", fontsize=11)
        for n, name in _NAMED.items()
    ]
    return inner, curve, marks, labels


def rind_explorer(*, alpha: float = 0.9):
    """A shrink-factor slider: the pizza's crust (n = 2) and the rind ``1 - alpha^n`` for n up to 1000.

    Returns
    -------
    ipywidgets.VBox
        See :func:`cnnlib.widgets.explorer`; ``box.update(alpha=...)`` is the plain update function.
    """
    import ipywidgets as w

    alpha = check_real(alpha, "alpha", minimum=0.5, maximum=1.0)
    canvas = Canvas(1, 2, figsize=(10.0, 4.2))
    inner, curve, marks, labels = _draw_rind(*canvas.axes[0])
    title = canvas.axes[0, 0].set_title("")
    canvas.fig.set_layout_engine("constrained")
    canvas.animate(inner, curve, marks, *labels, title)
    dims = jnp.asarray(_RIND_DIMS)
    named = jnp.asarray(list(_NAMED))

    def update(alpha: float) -> str:
        alpha = check_real(alpha, "alpha", minimum=0.5, maximum=1.0)
        rind = np.asarray(rind_fraction(alpha, dims))
        at = np.asarray(rind_fraction(alpha, named))
        inner.set_radius(alpha)
        curve.set_ydata(rind)
        marks.set_ydata(at)
        for label, n, v in zip(labels, _NAMED, at):
            label.xy = (n, v)
        title.set_text(f"Pizza shrunk to α = {alpha:.3f}: crust {at[0]:.0%}")
        return f"α = {alpha:.3f}: " + "; ".join(f"{name} {v:.1%}" for name, v in zip(_NAMED.values(), at))

    slider = w.FloatSlider(value=alpha, min=0.5, max=1.0, step=0.005, readout_format=".3f", description="α")
    box = explorer({"alpha": slider}, update, canvas, title="Rind explorer")
    box.update = update
    return box


def rind_figure(alphas: Any = (0.7, 0.9, 0.99)):
    """Static companion of :func:`rind_explorer`: rind share against n for a few shrink factors."""
    import matplotlib.pyplot as plt

    if isinstance(alphas, (str, bytes)) or not hasattr(alphas, "__len__") or len(alphas) == 0:
        raise TypeError(f"`alphas` must be a non-empty sequence of shrink factors such as (0.7, 0.9); got {describe(alphas)}.")
    alphas = [check_real(a, "alphas", minimum=0.0, maximum=1.0, min_inclusive=False) for a in alphas]
    fig, (ax_disc, ax_curve) = plt.subplots(1, 2, figsize=(10.0, 4.2))
    inner, curve, marks, labels = _draw_rind(ax_disc, ax_curve)
    for artist in [curve, marks, *labels]:
        artist.remove()
    half = float(half_length(2))
    inner.set_radius(half)
    ax_disc.set_title(f"Half the pizza is crust at α = {half:.3f}")
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, len(alphas)))
    for a, colour in zip(alphas, colours):
        ax_curve.plot(_RIND_DIMS, np.asarray(rind_fraction(a, jnp.asarray(_RIND_DIMS))), color=colour, label=f"α = {a:g}")
    ax_curve.legend(loc="lower right")
    return fig
