"""The widget canvas draws by blitting: each frame must equal a full redraw.

A blitted frame restores a bitmap of the static part of the figure and draws
only the registered (animated) artists on top. If a widget forgets to
register an artist it changes, or a static artist lies over an animated one,
the picture is silently stale. These tests compare every frame of every
widget, over a sweep of its controls, with a full redraw of the same figure
pixel for pixel.
"""
import io

import matplotlib
import numpy as np
import pytest

import cnnlib as cl
from benchmarks import widgets as bench_widgets
from cnnlib.widgets import Canvas

WIDGETS = list(bench_widgets.discover().items())


@pytest.fixture(autouse=True)
def _notebook_style():
    with matplotlib.rc_context():
        cl.plot.setup()  # as in every notebook's setup cell
        yield


@pytest.mark.parametrize("name, make", WIDGETS, ids=[name for name, _ in WIDGETS])
def test_every_blitted_frame_equals_a_full_redraw(name, make):
    box, _, _ = bench_widgets.build(name, make)
    canvas = box.canvas
    assert canvas.animated, f"{name} redraws its whole figure on every tick: register what changes with canvas.animate"
    seen = set()
    for control_name, control in box.controls.items():
        start = control.value
        for value in [*bench_widgets.sweep_values(control, 5), start]:
            control.value = value
            blitted = canvas.frame()
            full = canvas.full_frame()
            bad = np.any(blitted != full, axis=-1)
            assert not bad.any(), (
                f"{name}, {control_name} = {value!r}: {int(bad.sum())} pixels differ from a full redraw "
                f"(rows {np.nonzero(bad.any(1))[0][[0, -1]]}, columns {np.nonzero(bad.any(0))[0][[0, -1]]})"
            )
            seen.add(blitted.tobytes())
    assert len(seen) > 1, f"{name}: no control changed the picture"


def test_the_png_the_browser_gets_is_the_frame():
    from PIL import Image

    canvas = Canvas(1, 1, size=2)
    (line,) = canvas.axes[0, 0].plot([0, 1], [0, 1])
    canvas.animate(line)
    for y in (1.0, 0.3):
        line.set_ydata([0, y])
        png = canvas.png()
        decoded = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        np.testing.assert_array_equal(decoded, canvas.full_frame())


def test_axis_limits_changes_redraw_the_static_part():
    canvas = Canvas(1, 1, size=2)
    ax = canvas.axes[0, 0]
    (line,) = ax.plot([0, 1], [0, 1])
    canvas.animate(line)
    canvas.frame()
    ax.set_xlim(0, 10)  # new tick labels: the static bitmap is out of date
    np.testing.assert_array_equal(canvas.frame(), canvas.full_frame())


def test_a_changed_static_artist_needs_invalidate():
    canvas = Canvas(1, 1, size=2)
    ax = canvas.axes[0, 0]
    (line,) = ax.plot([0, 1], [0, 1])
    label = ax.text(0.5, 0.05, "before")  # below the line: it does not overlap it
    canvas.animate(line)
    canvas.frame()
    label.set_text("after!")
    stale = canvas.frame()
    assert not np.array_equal(stale, canvas.full_frame())  # documented: the bitmap is reused
    canvas.invalidate()
    np.testing.assert_array_equal(canvas.frame(), canvas.full_frame())


def test_the_figure_stays_an_ordinary_figure():
    """savefig (and a notebook's inline display) draws the animated artists too."""
    canvas = Canvas(1, 1, size=2)
    ax = canvas.axes[0, 0]
    (line,) = ax.plot([0, 1], [0, 1], lw=8)
    canvas.animate(line)
    canvas.frame()
    assert not line.get_animated()
    with_line = canvas.full_frame()
    line.set_visible(False)
    assert not np.array_equal(with_line, canvas.full_frame())


def test_the_first_layout_makes_room_for_animated_titles():
    def positions(animate):
        canvas = Canvas(1, 2, size=2)
        canvas.fig.set_layout_engine("constrained")
        heading = canvas.fig.suptitle("A heading\nof two lines", fontsize=20)
        if animate:
            canvas.animate(heading)
        canvas.frame()
        return [ax.get_position().bounds for ax in canvas.axes.flat]

    np.testing.assert_allclose(positions(True), positions(False))


def test_a_canvas_without_animated_artists_is_redrawn_in_full():
    canvas = Canvas(1, 1, size=2)
    label = canvas.axes[0, 0].set_title("one")
    canvas.frame()
    label.set_text("two, a longer title")
    np.testing.assert_array_equal(canvas.frame(), canvas.full_frame())


def test_a_resized_figure_or_moved_axes_redraw_the_static_part():
    canvas = Canvas(1, 1, size=2)
    ax = canvas.axes[0, 0]
    (line,) = ax.plot([0, 1], [0, 1])
    canvas.animate(line)
    canvas.frame()
    ax.set_position([0.3, 0.3, 0.5, 0.5])
    np.testing.assert_array_equal(canvas.frame(), canvas.full_frame())
    canvas.fig.set_size_inches(3, 2)
    frame = canvas.frame()
    assert frame.shape[:2] == (2 * canvas.fig.dpi, 3 * canvas.fig.dpi)
    np.testing.assert_array_equal(frame, canvas.full_frame())


def test_animate_rejects_what_it_cannot_draw():
    from matplotlib.figure import Figure

    canvas = Canvas(1, 1, size=2)
    with pytest.raises(TypeError, match="`artists` must be matplotlib artists.*got str"):
        canvas.animate("line")
    elsewhere = Figure().subplots().plot([0, 1])[0]
    with pytest.raises(ValueError, match="`artists` must be artists on this canvas' figure"):
        canvas.animate(elsewhere)
    with pytest.raises(ValueError, match="not the figure itself"):
        canvas.animate(canvas.fig)
    with pytest.raises(TypeError, match=r"got list \(pass several as animate\(\*artists\)\)"):
        canvas.animate([canvas.axes[0, 0].plot([0, 1])[0]])
    (unplaced,) = Figure().subplots().plot([0, 1])
    unplaced.remove()  # an artist on no figure at all
    with pytest.raises(ValueError, match="must be artists on this canvas' figure"):
        canvas.animate(unplaced)
    assert canvas.animated == ()


def test_a_removed_animated_artist_is_not_drawn_any_more():
    canvas = Canvas(1, 1, size=2)
    ax = canvas.axes[0, 0]
    (line,) = ax.plot([0, 1], [0, 1], lw=6)
    canvas.animate(line)
    canvas.frame()
    line.remove()
    canvas.invalidate()
    np.testing.assert_array_equal(canvas.frame(), canvas.full_frame())


def _blits_like_a_full_redraw(canvas, change, *, invalidate=False):
    canvas.frame()
    change()
    if invalidate:
        canvas.invalidate()
    for _ in range(2):  # the frame that redraws the static part, and the next that reuses it
        np.testing.assert_array_equal(canvas.frame(), canvas.full_frame())


def test_animated_axis_labels_are_not_drawn_twice():
    canvas = Canvas(1, 1, size=2)
    ax = canvas.axes[0, 0]
    (line,) = ax.plot([0, 1], [0, 1])
    xlabel, ylabel = ax.set_xlabel("AAAA"), ax.set_ylabel("BBBB")
    canvas.animate(line, xlabel, ylabel)
    _blits_like_a_full_redraw(canvas, lambda: (xlabel.set_text("...."), ylabel.set_text("")))


@pytest.mark.parametrize("how", ["axis off", "hidden", "removed"])
def test_an_axes_hidden_or_removed_takes_its_animated_artists_along(how):
    canvas = Canvas(1, 2, size=2)
    ax = canvas.axes[0, 0]
    (line,) = ax.plot([0, 1], [0, 1], lw=4)
    canvas.animate(line)
    change = {"axis off": lambda: ax.axis("off"), "hidden": lambda: ax.set_visible(False), "removed": ax.remove}[how]
    _blits_like_a_full_redraw(canvas, change, invalidate=True)


@pytest.mark.parametrize("style", ["grid", "inward ticks"])
def test_a_grid_or_inward_ticks_stay_on_top_of_an_animated_image(style):
    canvas = Canvas(1, 1, size=2)
    ax = canvas.axes[0, 0]
    image = ax.imshow(np.zeros((8, 8)), vmin=0, vmax=1)
    if style == "grid":
        ax.grid(True, color="red")
    else:
        ax.tick_params(direction="in", length=8, width=2)
    canvas.animate(image)
    _blits_like_a_full_redraw(canvas, lambda: image.set_data(np.random.default_rng(0).random((8, 8))))


@pytest.mark.parametrize("change", ["xscale", "dpi", "zorder"])
def test_scale_dpi_and_zorder_changes_are_noticed(change):
    canvas = Canvas(1, 1, size=2)
    ax = canvas.axes[0, 0]
    ax.set_xlim(0.1, 10)
    (a,) = ax.plot([0.1, 10], [0, 1], lw=6, color="C0")
    (b,) = ax.plot([0.1, 10], [1, 0], lw=6, color="C1")
    canvas.animate(a, b)
    do = {
        "xscale": lambda: ax.set_xscale("log"),
        "dpi": lambda: (canvas.fig.set_dpi(120), canvas.fig.set_size_inches(2 * 96 / 120, 2 * 96 / 120)),
        "zorder": lambda: a.set_zorder(5),  # now drawn over b where they cross
    }[change]
    _blits_like_a_full_redraw(canvas, do)


def test_an_animated_axes_is_drawn_once():
    canvas = Canvas(1, 2, size=2)
    ax = canvas.axes[0, 1]
    ax.plot([0, 1], [0, 1])
    canvas.animate(ax)
    _blits_like_a_full_redraw(canvas, lambda: ax.lines[0].set_ydata([1, 0]))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: Canvas("2"), TypeError, "`nrows` must be an integer"),
        (lambda: Canvas(0), ValueError, "`nrows` must be >= 1"),
        (lambda: Canvas(1, 1, size=-1), ValueError, "`size` must be > 0"),
        (lambda: Canvas(dpi=0), ValueError, "`dpi` must be >= 1"),
        (lambda: Canvas(figsize=3), TypeError, r"`figsize` must be a pair \(width, height\)"),
        (lambda: Canvas(figsize=(0, 2)), ValueError, "`figsize` must be > 0"),
        (lambda: Canvas(fixed_layout="no"), TypeError, "`fixed_layout` must be"),
    ],
)
def test_canvas_arguments_are_checked(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_a_fixed_layout_canvas_has_no_layout_engine_whatever_the_rcparams():
    with matplotlib.rc_context({"figure.constrained_layout.use": True}):
        assert Canvas(1, 2).fig.get_layout_engine() is not None
        fixed = Canvas(1, 2, fixed_layout=True)
    assert fixed.fig.get_layout_engine() is None
    fixed.fig.subplots_adjust(left=0.3)
    fixed.frame()
    assert fixed.axes[0, 0].get_position().x0 == pytest.approx(0.3)


def test_explorer_arguments_are_checked():
    import ipywidgets as w

    from cnnlib.widgets import explorer

    canvas = Canvas(1, 1, size=1)
    slider = w.IntSlider(value=1, min=0, max=3)
    with pytest.raises(TypeError, match="`controls` must map keyword names to ipywidgets controls"):
        explorer([slider], lambda a: "", canvas)
    with pytest.raises(TypeError, match="`controls` must map"):
        explorer({"a": 5}, lambda a: "", canvas)
    with pytest.raises(TypeError, match="`update` must be a function"):
        explorer({"a": slider}, None, canvas)
    with pytest.raises(TypeError, match="`canvas` must be a cnnlib.widgets.Canvas"):
        explorer({"a": slider}, lambda a: "", canvas.fig)
    with pytest.raises(TypeError, match="`update` must return the readout as a str"):
        explorer({"a": slider}, lambda a: 3, canvas)


@pytest.mark.parametrize(
    "name, make, values, match",
    [
        ("stride_explorer", None, dict(n=9, k=5, padding=3, stride=1, step=0), "`padding` must be <= 2"),
        ("stride_explorer", None, dict(n=0, k=3, padding=0, stride=1, step=0), "`n` must be >= 1"),
        ("connectivity_explorer", (7,), dict(kernel=3, pick="input", index=99), "`index` must be <= 7"),
        ("connectivity_explorer", (7,), dict(kernel=3, pick="input", index=0), "`index` must be >= 1"),
        ("connectivity_explorer", (7,), dict(kernel=3, pick="bogus", index=1), "`pick` must be one of"),
        ("pooling_shift_explorer", ([0.1, 1.0, 0.2, 0.1],), dict(shift=-1, width=3), "`shift` must be >= 0"),
        ("pooling_shift_explorer", ([0.1, 1.0, 0.2, 0.1],), dict(shift=1, width=0), "`width` must be >= 1"),
        ("receptive_field_explorer", "img", dict(layers="2", kernel=3, stride=1, dilation=1), "`layers` must be an integer"),
        ("receptive_field_explorer", "img", dict(layers=7, kernel=3, stride=1, dilation=1), "`layers` must be <= 6"),
        ("rind_explorer", (), dict(alpha=0.3), "`alpha` must be >= 0.5"),
        ("equivariance_explorer", "img", dict(transform="scale", scale=0.0), "`scale` must be > 0"),
    ],
)
def test_update_functions_check_their_values(name, make, values, match):
    args = (np.random.default_rng(0).random((32, 32)),) if make == "img" else (make or ())
    box = getattr(cl.widgets, name)(*args)
    with pytest.raises((ValueError, TypeError), match=match):
        box.update(**values)


def test_widget_images_that_are_too_small_or_empty_are_named():
    with pytest.raises(ValueError, match=r"`img` must be at least 8x8 pixels for `max_size` = 15 .*; got \(3, 3\)"):
        cl.widgets.filter_explorer(np.random.default_rng(0).random((3, 3)))
    with pytest.raises(ValueError, match="`img` must be at least 8x8"):
        cl.widgets.filter_explorer(np.ones((0, 0)))
    with pytest.raises(ValueError, match="`img` must not be empty"):
        cl.widgets.equivariance_explorer(np.ones((0, 0)))
    with pytest.raises(ValueError, match="`img` must not be empty"):
        cl.widgets.receptive_field_explorer(np.ones((0, 0)))
    box = cl.widgets.filter_explorer(np.random.default_rng(0).random((8, 8)))  # the smallest that works
    assert "edge" in box.update(name="edge", size=1)


@pytest.mark.parametrize("name", ["filter_explorer", "receptive_field_explorer", "equivariance_explorer", "zone_plate_explorer"])
def test_eight_bit_images_get_a_hint_to_scale_them(name):
    pixels = (np.random.default_rng(0).random((32, 32)) * 255).astype(np.uint8)
    with pytest.raises(ValueError, match=r"`img` looks like 8-bit pixel values \(largest \d+\).*Pass `img / 255`"):
        getattr(cl.widgets, name)(pixels)
    getattr(cl.widgets, name)(pixels / 255)  # scaled: fine
    getattr(cl.widgets, name)((pixels > 128).astype(np.uint8))  # integers 0 and 1 are grey levels already
