"""Text drawn from the widget canvas' cache must look as matplotlib draws it.

The reference is a plain ``FigureCanvasAgg`` drawing the same figure: the
cached canvas blends one coverage mask per string where matplotlib blends
glyph after glyph, so a pixel may differ by one rounding step where two
glyphs of a string overlap, and nowhere by more.
"""
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cnnlib.widgets import _text
from cnnlib.widgets._text import TextCachingCanvas

pytestmark = pytest.mark.skipif(not _text._PER_GLYPH, reason="matplotlib < 3.11 draws text with its own renderer here")


def _pixels(fig, canvas_class):
    canvas_class(fig)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).astype(int)


def _assert_close(fig):
    cached = _pixels(fig, TextCachingCanvas)
    again = _pixels(fig, TextCachingCanvas)  # now every string is a hit
    plain = _pixels(fig, FigureCanvasAgg)
    assert np.array_equal(cached, again), "a string drawn from the cache differs from its first drawing"
    diff = np.abs(cached - plain)
    assert diff.max() <= 1, f"cached text differs from matplotlib's by up to {diff.max()} levels"
    assert (diff.max(-1) > 0).mean() < 1e-3, f"{int((diff.max(-1) > 0).sum())} pixels differ from matplotlib's text"
    return plain


def _figure():
    fig = Figure(figsize=(4, 3), dpi=96, layout="none")  # whatever rcParams earlier tests left
    return fig, fig.add_axes((0.1, 0.1, 0.8, 0.8))


@pytest.mark.parametrize("angle", [0, 30, 90, -45, 180, 271.5])
@pytest.mark.parametrize("x", [0.2, 0.2013, 0.2077])  # different sub-pixel positions
def test_text_at_any_angle_and_subpixel_position_matches_matplotlib(angle, x):
    fig, ax = _figure()
    ax.text(x, 0.5, "Wavy jumps: 0.25 -> 1.00", rotation=angle, fontsize=11, color="C3")
    ax.set_title("largest change 0.50", loc="left")
    ink = _assert_close(fig)
    assert (ink[..., :3] < 250).any(axis=-1).sum() > 100, "nothing was drawn"


@pytest.mark.parametrize(
    "text, kwargs",
    [
        ("$x_{12}$\nfor $s_{11}$", {}),
        (r"$\frac{a}{b} = \sqrt{2}$", {"fontsize": 14}),
        ("bold, semi-transparent", {"weight": "bold", "alpha": 0.4}),
        ("monospace |  3 |  5 |", {"family": "monospace"}),
        ("aliased text", {"antialiased": False}),
        ("serif, italic, large", {"family": "serif", "style": "italic", "fontsize": 22}),
        ("boxed label", {"bbox": {"facecolor": "yellow", "pad": 0.3}}),
        ("   ", {}),
        ("ünïcødé ±×÷ µm", {}),
    ],
)
def test_kinds_of_text_match_matplotlib(text, kwargs):
    fig, ax = _figure()
    ax.text(0.1, 0.5, text, **kwargs)
    _assert_close(fig)


def test_colour_and_clipping_are_not_taken_from_the_cache():
    fig, ax = _figure()
    blue = ax.text(0.0, 0.5, "same string", color="blue", fontsize=20)
    red = ax.text(0.0, 0.2, "same string", color="red", fontsize=20)
    clipped = ax.text(0.9, 0.8, "same string", color="green", fontsize=20, clip_on=True)
    plain = _assert_close(fig)
    rgb = plain[..., :3]
    assert ((rgb[..., 2] > 200) & (rgb[..., 0] < 60)).any() and ((rgb[..., 0] > 200) & (rgb[..., 2] < 60)).any()
    assert blue.get_text() == red.get_text() == clipped.get_text()


def test_a_string_too_large_for_its_estimate_is_drawn_without_the_cache(monkeypatch):
    monkeypatch.setattr(_text, "_MASKS", _text._Masks(8))
    monkeypatch.setattr(_text, "_extent", lambda renderer, s, prop, ismath: (0.0, 0.0, 0.0))
    fig, ax = _figure()
    ax.text(0.1, 0.5, "estimate too small", fontsize=16)
    cached = _pixels(fig, TextCachingCanvas)
    assert _text._UNCACHED in _text._MASKS.items.values()
    assert np.array_equal(cached, _pixels(fig, FigureCanvasAgg))


def test_the_cache_keeps_at_most_its_size_and_counts_hits(monkeypatch):
    masks = _text._Masks(3)
    monkeypatch.setattr(_text, "_MASKS", masks)
    fig, ax = _figure()
    label = ax.text(0.1, 0.5, "")
    canvas = TextCachingCanvas(fig)
    ax.set_axis_off()
    for value in ["a 1", "a 2", "a 3", "a 4", "a 1"]:
        label.set_text(value)
        canvas.draw()
    assert len(masks.items) == 3 and masks.misses == 5 and masks.hits == 0
    canvas.draw()  # "a 1" again: now a hit
    assert masks.hits == 1
