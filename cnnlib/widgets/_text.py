"""Text drawn from a cache of rendered strings: what keeps a widget's tick cheap.

From matplotlib 3.11 the Agg renderer draws text one glyph at a time in
Python (position, rasterise, blend), about 0.1 ms a glyph on a laptop core.
A widget title of 45 characters then costs several milliseconds every frame,
and titles and readouts are most of what a tick redraws.

:class:`TextCachingCanvas` renders each distinct string once, on a small
transparent scratch renderer with matplotlib's own ``draw_text``, keeps the
coverage (the alpha channel) and later blends that mask in one call with the
text's colour, exactly as matplotlib blends each glyph. A slider visits a
few values again and again, so most strings of a tick are hits. The key
holds everything the pixels depend on: the string, the font properties, the
dpi, the angle, antialiasing, and the sub-pixel part of the position
(FreeType places glyphs in 1/64 pixel). Where glyphs of one string overlap,
blending the combined mask once and blending each glyph in turn can differ
by a rounding step; nowhere else.

On matplotlib before 3.11 text is rasterised whole in C already, and the
renderer is matplotlib's own.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

__all__ = ["TextCachingCanvas"]

#: Distinct rendered strings kept (least recently used dropped first); a mask is a few KiB.
CACHE_SIZE = 1024
# The per-glyph Python loop that makes a cache worth having (matplotlib >= 3.11).
_PER_GLYPH = hasattr(RendererAgg, "_draw_text_glyphs_and_boxes")
_SUB = 64  # FreeType's sub-pixel steps
_UNCACHED = "uncached"  # stored for a string whose extent the scratch renderer could not hold


class _Masks:
    """Least-recently-used store of rendered strings: key -> (mask, column offset, row offset)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple, tuple[np.ndarray, int, int] | None] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> Any:
        found = self.items.get(key, False)
        if found is not False:
            self.items.move_to_end(key)
            self.hits += 1
        return found

    def put(self, key: tuple, value: Any) -> None:
        self.misses += 1
        self.items[key] = value
        if len(self.items) > self.size:
            self.items.popitem(last=False)


_MASKS = _Masks(CACHE_SIZE)


def _font_key(prop: Any) -> tuple:
    return (
        tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(),
        prop.get_stretch(), prop.get_size_in_points(), prop.get_file(), prop.get_math_fontfamily(),
    )


class _TextCachingRenderer(RendererAgg):
    """A RendererAgg whose ``draw_text`` blends cached coverage masks (see the module docstring)."""

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # noqa: D102 - matplotlib's signature
        if ismath == "TeX" or not s or gc.get_url() is not None:
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        up = self.height - y  # FreeType's y runs upwards
        fx, fu = math.floor(x), math.floor(up)
        sub = (round(_SUB * (x - fx)) % _SUB, round(_SUB * (up - fu)) % _SUB)
        features = tuple(getattr(mtext, name, lambda: None)() for name in ("get_fontfeatures", "get_language"))
        key = (s, _font_key(prop), self.dpi, float(angle), bool(ismath), gc.get_antialiased(), sub, *map(_hashable, features))
        found = _MASKS.get(key)
        if found is False:
            found = self._render(gc, x - fx, up - fu, s, prop, angle, ismath, mtext)
            _MASKS.put(key, found)
        if found is None:  # nothing visible (spaces only)
            return None
        if found is _UNCACHED:
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        mask, col, row = found
        # draw_text_image's y is the bottom edge of the image, counted downwards (as matplotlib calls it per glyph)
        self._renderer.draw_text_image(mask, fx + col, int(self.height) - fu + row + mask.shape[0], 0, gc)
        return None

    def _render(self, gc, dx, du, s, prop, angle, ismath, mtext):
        """Draw ``s`` with its origin (dx, du) past a scratch pixel corner; its coverage and offset, or None."""
        w, h, d = _extent(self, s, prop, ismath)
        m = 4.0 + h + d  # margin: overhangs, accents, a rounding step
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        corners = [(x * cos - u * sin, x * sin + u * cos) for x in (-m, w + m) for u in (-d - m, h + m)]
        x0, x1 = math.floor(min(c[0] for c in corners)), math.ceil(max(c[0] for c in corners))
        u0, u1 = math.floor(min(c[1] for c in corners)), math.ceil(max(c[1] for c in corners))
        width, height, ox, ou = x1 - x0 + 2, u1 - u0 + 2, 1 - x0, 1 - u0  # (ox, ou): the origin's pixel corner
        scratch = RendererAgg(width, height, self.dpi)
        scratch.mathtext_parser = self.mathtext_parser  # and its cache of parsed formulas
        black = scratch.new_gc()
        black.copy_properties(gc)
        black.set_foreground((0.0, 0.0, 0.0, 1.0), isRGBA=True)
        black.set_alpha(1.0)
        black.set_clip_rectangle(None)
        black.set_clip_path(None)
        RendererAgg.draw_text(scratch, black, ox + dx, height - (ou + du), s, prop, angle, ismath=ismath, mtext=mtext)
        black.restore()
        alpha = np.asarray(scratch.buffer_rgba())[..., 3]
        rows, cols = np.nonzero(alpha.any(axis=1))[0], np.nonzero(alpha.any(axis=0))[0]
        if rows.size == 0:
            return None
        r0, r1, c0, c1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
        if r0 == 0 or c0 == 0 or r1 == height or c1 == width:  # touches the edge: the estimate was short
            return _UNCACHED
        # scratch column c is main column fx + c - ox; scratch row r (downwards) is main row (H - fu) + r - (height - ou)
        return np.ascontiguousarray(alpha[r0:r1, c0:c1]), c0 - ox, r0 - (height - ou)


def _extent(renderer: RendererAgg, s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
    """Width, height and descent of ``s`` in pixels (what the scratch renderer is sized by)."""
    return renderer.get_text_width_height_descent(s, prop, ismath)


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return value


class TextCachingCanvas(FigureCanvasAgg):
    """FigureCanvasAgg whose renderer draws text from the cache (matplotlib >= 3.11; plain Agg before)."""

    def get_renderer(self):  # noqa: D102 - as FigureCanvasAgg.get_renderer, with the caching renderer
        if not _PER_GLYPH:
            return super().get_renderer()
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = _TextCachingRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
