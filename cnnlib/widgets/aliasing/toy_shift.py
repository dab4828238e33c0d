"""The toy-shift explorer of notebook 05: the signal 0, 0, 1, 1, ..., max pooled and MaxBlurPooled, before and after a shift.

Computed at a fixed shape with the blur filter as data, so no slider tick
compiles anything after the first.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..._validate import as_float_array, check_finite, check_int, check_ndim
from ...aliasing import MAX_FILTER_SIZE, _blur_subsample, _check_filter_size, _max_stride1, toy_signal
from .._core import Canvas, explorer
from .zone_plate import _filter

__all__ = ["toy_shift_explorer", "toy_shift_figure"]


def _toy_input(signal: Any) -> jax.Array:
    """The explorer's signal: (L,), finite, an even length from 4 to 64; default ``toy_signal(16)``."""
    if signal is None:
        return toy_signal(16)
    x = as_float_array(signal, "signal")
    check_ndim(x, 1, "signal", "(L,)")
    if x.shape[0] % 2 or not 4 <= x.shape[0] <= 64:
        raise ValueError(f"`signal` must have an even length from 4 to 64; got {x.shape[0]}.")
    check_finite(x, "signal")
    return x


def _toy_options(shift: Any, filter_size: Any, length: int) -> tuple[int, int]:
    return check_int(shift, "shift", minimum=0, maximum=length - 1), _check_filter_size(filter_size)


@jax.jit
def _toy_frame(x: jax.Array, taps: jax.Array, shift: jax.Array):
    """Max pool (2, stride 2) and MaxBlurPool of x and of x shifted, circular; how far each shifted output is from a copy."""
    moved = jnp.roll(x, shift)
    both = jnp.stack([x, moved])[:, None, None, :]  # (2, 1, 1, L)
    m = _max_stride1(both, 2, "circular")  # (2, 1, 1, L)
    plain = m[..., ::2][:, 0, 0]  # (2, L/2): max_pool1d(size 2, stride 2)
    blurred = _blur_subsample(m, taps, stride=(1, 2), boundary="circular")[:, 0, 0]  # (2, L/2)

    def change(out):  # the largest change of a value, against the best-aligned shifted copy of the original output
        copies = jnp.stack([jnp.roll(out[0], t) for t in range(out.shape[1])])  # (L/2, L/2)
        return jnp.min(jnp.max(jnp.abs(copies - out[1][None]), axis=1))

    return moved, plain, blurred, change(plain), change(blurred)


class _ToyState:
    def __init__(self, signal: Any = None) -> None:
        x = _toy_input(signal)
        self.x = x
        n = x.shape[0]
        self.canvas = Canvas(3, 1, figsize=(8.0, 6.4))
        axes = self.canvas.axes[:, 0]
        t, t2 = np.arange(n), np.arange(0, n, 2) + 0.5  # an output sample sits between the two inputs it pools
        lo, hi = float(jnp.min(x)), float(jnp.max(x))
        pad = 0.15 * (hi - lo if hi > lo else 1.0)
        self.lines = []
        for ax, pos, label in zip(axes, (t, t2, t2), ("input", "max pool 2", "MaxBlurPool")):
            before = ax.plot(pos, np.zeros(pos.size), "o-", color="0.6", lw=1.5, label="original")[0]
            after = ax.plot(pos, np.zeros(pos.size), "s--", color="C3", lw=2, label="shifted")[0]
            self.lines.append((before, after))
            ax.set_xlim(-0.5, n - 0.5)
            ax.set_ylim(lo - pad, hi + pad)
            ax.set_ylabel(label)
            ax.set_xticks(t[::2])
        axes[0].legend(loc="upper right", ncols=2, fontsize=10)
        axes[-1].set_xlabel("sample index (input)")
        self.titles = [ax.set_title("", loc="left", fontsize=12) for ax in axes]
        self.canvas.fig.set_layout_engine("none")
        for i, ax in enumerate(axes):
            ax.set_position([0.12, 0.72 - 0.31 * i, 0.85, 0.21])

    def update(self, shift: int = 1, filter_size: int = 3) -> str:
        d, filter_size = _toy_options(shift, filter_size, self.x.shape[0])
        moved, plain, blurred, e_plain, e_blur = _toy_frame(self.x, _filter(filter_size), jnp.int32(d))
        e_plain, e_blur = float(e_plain), float(e_blur)
        for (before, after), (a, b) in zip(self.lines, ((self.x, moved), plain, blurred)):
            before.set_ydata(np.asarray(a))
            after.set_ydata(np.asarray(b))
        self.titles[0].set_text(f"input, and shifted right by {d}")
        self.titles[1].set_text(f"max pool (2, stride 2): largest change {e_plain:.2f}")
        self.titles[2].set_text(f"MaxBlurPool, blur {filter_size} taps: largest change {e_blur:.2f}")
        return (
            f"shift {d}: an output value changes by up to {e_plain:.2f} with max pooling, "
            f"{e_blur:.2f} with MaxBlurPool ({filter_size} taps)"
        )


def toy_shift_explorer(signal: Any = None):
    """A shift slider on the toy signal 0, 0, 1, 1, ...: max pool and MaxBlurPool outputs before and after.

    The readout is the largest change of an output value, measured against
    the best-aligned circular shift of the original output: 0 when the
    output simply moves along with the input (every even shift), up to 1
    for plain max pooling after an odd shift.

    Parameters
    ----------
    signal : array, shape (L,), optional
        Finite, an even length from 4 to 64. Default: ``toy_signal(16)``.
    """
    import ipywidgets as w

    state = _ToyState(signal)
    legend = state.canvas.axes[0, 0].get_legend()  # drawn over the lines: redrawn with them
    state.canvas.animate(*(line for pair in state.lines for line in pair), *state.titles, legend)
    controls = {
        "shift": w.IntSlider(value=1, min=0, max=min(7, state.x.shape[0] - 1), description="shift"),
        "filter_size": w.IntSlider(value=3, min=1, max=MAX_FILTER_SIZE, description="blur taps"),
    }
    box = explorer(controls, state.update, state.canvas, title="Max pooling before and after a shift")
    box.update = state.update
    return box


def toy_shift_figure(signal: Any = None, *, shift: int = 1, filter_size: int = 3):
    """One frame of :func:`toy_shift_explorer` as a static figure; returns ``(figure, readout)``."""
    x = _toy_input(signal)
    _toy_options(shift, filter_size, x.shape[0])  # before the figure is built
    state = _ToyState(x)
    text = state.update(shift=shift, filter_size=filter_size)
    return state.canvas.fig, text
