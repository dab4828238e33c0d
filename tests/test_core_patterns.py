"""The shared patterns: exercise reports, the widget explorer, plot helpers, lazy imports."""
import subprocess
import sys

import numpy as np
import pytest

import cnnlib as cl
from cnnlib.exercises import check_array, check_number, not_answered, report


def test_stub_answers_are_not_yet(capsys):
    assert not_answered(None) and not_answered(...) and not not_answered(0)
    assert check_number(None, 156, praise="p", hint="count the bias") == False
    assert capsys.readouterr().out == "\u2717 Not yet. count the bias\n"


def test_right_number_gets_a_tick(capsys):
    assert check_number(156, 156, praise="6 * (25 + 1).", hint="h") == True
    assert capsys.readouterr().out == "\u2713 Correct. 6 * (25 + 1).\n"


def test_common_wrong_answer_gets_its_own_hint(capsys):
    assert check_number(150, 156, praise="p", hint="h", wrong={150: "You forgot the bias."}) == False
    assert "You forgot the bias." in capsys.readouterr().out


def test_non_numeric_answer_is_explained(capsys):
    assert check_number("lots", 1, praise="p", hint="h") == False
    assert "should be a number" in capsys.readouterr().out


def test_array_answers_check_shape_then_values(capsys):
    assert check_array(np.zeros((2, 3)), np.zeros((3, 2)), praise="p", hint="h") == False
    assert "shape (2, 3); it should have shape (3, 2)" in capsys.readouterr().out
    assert check_array([[1, 2]], [[1, 2]], praise="p", hint="h") == True
    assert check_array([[1, 3]], [[1, 2]], praise="p", hint="h") == False


def test_report_returns_a_bool(capsys):
    assert report(1, "ok", "no") == True
    capsys.readouterr()


def test_explorer_calls_update_and_redraws_on_change():
    import ipywidgets as w

    canvas = cl.widgets.Canvas(1, 1, size=2)
    line = canvas.axes[0, 0].plot([0, 1], [0, 0])[0]
    calls = []

    def update(a):
        calls.append(a)
        line.set_ydata([0, a])
        return f"a = {a}"

    box = cl.widgets.explorer({"a": w.IntSlider(value=1, min=0, max=5)}, update, canvas)
    first = box.image.value
    assert calls == [1] and first[:8] == b"\x89PNG\r\n\x1a\n"
    assert "a = 1" in box.readout.value
    box.controls["a"].value = 4
    assert calls == [1, 4]
    assert box.image.value != first
    assert "a = 4" in box.readout.value


def test_explorer_shows_errors_in_the_readout():
    import ipywidgets as w

    canvas = cl.widgets.Canvas()

    def update(a):
        if a > 2:
            raise ValueError("`a` must be <= 2; got 3.")
        return ""

    box = cl.widgets.explorer({"a": w.IntSlider(value=0, min=0, max=5)}, update, canvas)
    with pytest.raises(ValueError):
        box.controls["a"].value = 3
    assert "must be &lt;= 2" in box.readout.value


def test_show_images_and_kernel_draw_what_they_are_given():
    import matplotlib.pyplot as plt

    cl.plot.setup()
    fig = cl.plot.show_images([np.eye(3), -np.eye(3)], ["a", "b"], signed=[False, True], cmap=["gray", "RdBu_r"])
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["a", "b"]
    assert axes[1].images[0].get_clim() == (-1.0, 1.0)
    ax = cl.plot.show_kernel(np.array([[1.0, 0.0], [0.0, -1.0]]))
    assert sorted(t.get_text() for t in ax.texts) == ["-1", "0", "0", "1"]
    with pytest.raises(ValueError, match=r"`w` must have shape \(kH, kW\)"):
        cl.plot.show_kernel(np.ones(3))
    assert cl.plot.png_bytes(fig)[:4] == b"\x89PNG"
    plt.close("all")


def test_import_is_light():
    code = (
        "import sys, cnnlib\n"
        "heavy = [m for m in ('matplotlib', 'ipywidgets', 'scipy', 'optax') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"`import cnnlib` pulled in {out}"


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'conv3d'"):
        cl.conv3d  # noqa: B018


def test_a_verdict_is_a_bool_that_shows_nothing_more_in_a_notebook(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    right = check_number(1, 1, praise="p", hint="h")
    wrong = check_number(2, 1, praise="p", hint="h")
    capsys.readouterr()
    assert right and not wrong and right == True and wrong == False  # noqa: E712
    data, metadata = InteractiveShell.instance().display_formatter.format(right)
    assert data == {} and metadata == {}, "the checker's return value must not add an Out[n] line"
