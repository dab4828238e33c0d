"""The folding figure of notebook 05: where a zone plate's fast frequencies land when it is subsampled.

A static figure (no widget), kept here with the other figures of the
aliasing notebook so that no core module draws.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..._validate import check_int
from ...aliasing import _check_filter_size, _split_band, aliased_fraction, downsample, local_spectrum, zone_plate

__all__ = ["folding_figure"]


def folding_figure(n: int = 128, *, factor: int = 2, filter_size: int = 7, window: int = 32):
    """Where a zone plate's fast frequencies land when it is subsampled: local spectra of its middle row.

    Three panels, position along the middle row of ``zone_plate(n)``
    against frequency (cycles per *original* pixel), coloured by
    :func:`local_spectrum`. The colours come from the exact split of
    :func:`aliased_fraction`, :math:`x = x_{low} + x_{high}`: grey-blue is
    what a grid ``factor`` times coarser can hold, red is the rest.

    1. The zone plate: its frequency rises from 0 at the centre to 1/2 at
       the edges (a V); the red part lies above the new Nyquist limit
       ``1 / (2 factor)`` (dashed).
    2. Every ``factor``-th pixel: the red part has not gone, it is folded
       back below the limit, to :math:`|f - \\operatorname{round}(f s)/s|`
       (for ``factor`` 2: mirrored at 1/4, :math:`f \\to \\tfrac12 - f`);
       the dotted red line is where it was, the dashed red line where the
       formula puts it.
    3. The binomial blur of ``filter_size`` taps first, then every
       ``factor``-th pixel: almost no red is left.

    The titles give :func:`aliased_fraction` of the whole image for panels 2
    and 3. Needs matplotlib (imported here, not with :mod:`cnnlib`).

    Parameters
    ----------
    n : int
        Side of the zone plate, a multiple of ``2 * factor``, at least ``window``.
    factor : int
        Subsampling factor ``s`` (2 to 4).
    filter_size : int
        Taps of the blur in panel 3, 2 to 7.
    window : int
        Samples of the local-spectrum window on the original grid (a multiple of ``2 * factor``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    n = check_int(n, "n", minimum=8)
    zone = zone_plate(n)  # refuses a size that needs gigabytes, before anything is drawn
    factor = check_int(factor, "factor", minimum=2, maximum=4)
    taps = _check_filter_size(filter_size)
    if taps < 2:
        raise ValueError(f"`filter_size` must be at least 2 (1 is no blur); got {taps}.")
    window = check_int(window, "window", minimum=2 * factor)
    if window % (2 * factor) or n % (2 * factor) or window > n:
        raise ValueError(
            f"`n` and `window` must be multiples of 2 * factor = {2 * factor}, with window <= n; got n={n}, window={window}."
        )
    low, high = _split_band(zone, factor)  # (n, n) each: below the new Nyquist limit on both axes, and the rest
    row = n // 2  # the middle row: local frequency |u| / n along it
    limit = 0.5 / factor

    def coarse(part: jax.Array, blur: bool) -> jax.Array:
        return downsample(part, factor, antialias=blur, filter_size=taps if blur else None)[row // factor]

    panels = [
        (local_spectrum(low[row], window), local_spectrum(high[row], window), 1),
        (local_spectrum(coarse(low, False), window // factor), local_spectrum(coarse(high, False), window // factor), factor),
        (local_spectrum(coarse(low, True), window // factor), local_spectrum(coarse(high, True), window // factor), factor),
    ]
    scale = float(jnp.max(panels[0][0] + panels[0][1]))
    plain = aliased_fraction(zone, factor, antialias=False)
    blurred = aliased_fraction(zone, factor, filter_size=taps)
    nth = {2: "2nd", 3: "3rd", 4: "4th"}[factor]
    titles = [
        f"zone plate: red lies above the new limit 1/{2 * factor}",
        f"every {nth} pixel: the red folds below it\n({plain:.0%} of the energy aliased)",
        f"blur ({taps} taps), then every {nth} pixel:\nlittle red left ({blurred:.0%} aliased)",
    ]
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.6), sharey=True, layout="constrained")
    u = np.arange(n) - row  # position from the centre, original pixels
    f_true = np.abs(u) / n  # the zone plate's local frequency along the row
    f_seen = np.abs(f_true - np.round(f_true * factor) / factor)  # where it lands on the coarse grid
    above = f_true > limit
    for ax, (true, alias, step), title in zip(axes, panels, titles):
        t = np.clip(np.asarray(true) / scale, 0, 1).T  # (frequency, position)
        a = np.clip(np.asarray(alias) / scale, 0, 1).T
        rgb = np.clip(1 - t[..., None] * np.array([0.85, 0.85, 0.55]) - a[..., None] * np.array([0.0, 0.9, 0.9]), 0, 1)
        df = 1 / window  # frequency step in cycles per original pixel
        x0 = -row - step / 2
        ax.imshow(rgb, origin="lower", aspect="auto", extent=(x0, x0 + n, -df / 2, (t.shape[0] - 0.5) * df), interpolation="bilinear")
        ax.axhline(limit, color="k", ls="--", lw=1.2)
        ax.set_title(title, fontsize=12)
        ax.set_xlabel("position along the middle row (pixels)")
    axes[0].set_ylabel("frequency (cycles per pixel)")
    axes[0].set_ylim(0, 0.5)
    axes[0].text(-row + 2, limit + 0.01, f"new Nyquist limit 1/{2 * factor}", fontsize=10, va="bottom")
    for ax in axes[1:]:
        ax.axhspan(limit, 0.5, color="0.88", zorder=0.5)
        ax.text(0, (limit + 0.5) / 2, "no such frequencies\non the coarse grid", ha="center", va="center", fontsize=10, color="0.35")
    for side in (-1, 1):  # where the red part was, and where it lands
        part = above & (np.sign(u) == side)
        axes[1].plot(u[part], f_true[part], ":", color="C3", lw=1.5)
        axes[1].plot(u[part], f_seen[part], "--", color="C3", lw=1.2, alpha=0.8)
    for pos in (-0.4 * n, 0.4 * n):
        f0 = abs(pos) / n
        axes[1].annotate(
            "", xy=(pos, abs(f0 - round(f0 * factor) / factor)), xytext=(pos, f0),
            arrowprops={"arrowstyle": "->", "color": "C3", "lw": 1.5},
        )
    axes[1].text(0.4 * n - 2, 0.5 * (0.4 + limit), "folds", color="C3", ha="right", va="center", fontsize=10,
                 bbox={"facecolor": "0.88", "edgecolor": "none", "pad": 1})
    return fig
