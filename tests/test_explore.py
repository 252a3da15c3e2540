"""ch3_code.explore: the explorer's controls, its redraws and the saved bundle (picture + widget).

What a live front end shows is checked in tests/lab (a real JupyterLab); here, what the kernel
side produces.
"""

import base64

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

matplotlib.use("Agg")

from ch3_code import explore  # noqa: E402

WIDGET = "application/vnd.jupyter.widget-view+json"


def make_draw(calls):
    def draw(w=1.0, n=3, kind="line"):
        calls.append(dict(w=w, n=n, kind=kind))
        fig, ax = plt.subplots(figsize=(2, 1.5))
        ax.plot(np.arange(n), w * np.arange(n))
        return fig
    return draw


def test_controls_from_specs():
    calls = []
    ex = explore.explorer(make_draw(calls), {"w": (-2.0, 2.0, 0.1, 1.5), "n": (2, 10, 1, 4),
                                            "kind": ["bar", "line"]})
    w, n, kind = ex.controls["w"], ex.controls["n"], ex.controls["kind"]
    assert isinstance(w, widgets.FloatSlider) and (w.min, w.max, w.value) == (-2.0, 2.0, 1.5)
    assert isinstance(n, widgets.IntSlider) and n.value == 4
    assert isinstance(kind, widgets.Dropdown) and kind.value == "bar"
    assert not w.continuous_update
    assert ex.values() == {"w": 1.5, "n": 4, "kind": "bar"}
    # the first setting is drawn for the picture and for the live output
    assert calls == [{"w": 1.5, "n": 4, "kind": "bar"}] * 2


def test_a_moved_slider_redraws_with_its_value():
    calls = []
    ex = explore.explorer(make_draw(calls), {"w": (-2.0, 2.0, 0.1, 1.0)})
    ex.controls["w"].value = -0.5
    assert calls[-1]["w"] == -0.5 and len(calls) == 3


def test_a_widget_spec_is_used_as_given():
    log_eta = widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=1)
    ex = explore.explorer(lambda eta: plt.figure(), {"eta": log_eta})
    assert ex.controls["eta"] is log_eta


def test_saved_bundle_has_the_widget_a_png_of_the_first_setting_and_readable_text():
    plt.close("all")  # figures another test left open are not this explorer's
    calls = []
    ex = explore.explorer(make_draw(calls), {"w": (-2.0, 2.0, 0.1, 1.0), "kind": ["line"]})
    bundle = ex._repr_mimebundle_()
    assert bundle[WIDGET]["model_id"] == ex.widget.model_id
    png = base64.b64decode(bundle["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    assert "HBox" not in bundle["text/plain"] and "w=1.0" in bundle["text/plain"]
    assert not plt.get_fignums(), "figures left open would be shown a second time"


def test_draw_must_return_its_figure():
    def draw(w=1.0):
        plt.plot([0, w])
        plt.show()
    with pytest.raises(TypeError, match="return fig"):
        explore.explorer(draw, {"w": (0.0, 1.0, 0.1, 0.5)})


@pytest.mark.parametrize("spec, error, match", [
    ((0.0, 1.0, 0.1, 2.0), ValueError, "outside"),
    ("fast", TypeError, "min, max, step, value"),
    ([], TypeError, "non-empty list"),
])
def test_bad_specs_name_the_setting(spec, error, match):
    with pytest.raises(error, match=match) as info:
        explore.explorer(lambda eta: plt.figure(), {"eta": spec})
    assert "'eta'" in str(info.value)


def test_the_live_figure_is_an_image_with_alt_text_naming_the_setting(monkeypatch):
    shown = []
    monkeypatch.setattr(explore, "display", shown.append)
    ex = explore.explorer(make_draw([]), {"w": (-2.0, 2.0, 0.1, 1.0)}, alt="a curve")
    ex.controls["w"].value = -0.5
    html_out = shown[-1].data
    assert 'alt="a curve: w = -0.5"' in html_out and "data:image/png;base64," in html_out


@pytest.mark.parametrize("step, places, fmt", [(0.1, 1, ".1f"), (0.05, 2, ".2f"),
                                               (0.25, 2, ".2f"), (2.0, 0, ".0f")])
def test_float_sliders_read_out_their_steps_decimals(step, places, fmt):
    """3.1999999999999993 was read out (and announced by screen readers) for 3.2."""
    assert explore.decimals(step) == places
    slider = explore.control("x", (0.0, 10.0, step, 3.2 if places else 4.0))
    assert slider.readout_format == fmt


def test_explorers_carry_the_class_the_books_script_disables():
    ex = explore.explorer(make_draw([]), {"w": (-2.0, 2.0, 0.1, 1.0)})
    assert explore.EXPLORER_CLASS in ex.widget._dom_classes
