"""Unit tests for ch3_code.plots and the modules it gathers (digits, book_marks, figure_style):
Agg backend, no display, no warnings allowed."""

import json
import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ch3_code import book_marks, digits, figure_style, plots  # noqa: E402

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"


def make_history(n=30, keys=("train", "evaluation", "test")):
    rng = np.random.default_rng(0)
    history = {"epoch": list(range(n))}
    for split in keys:
        history[f"{split}_accuracy"] = list(np.linspace(0.8, 0.95, n) + 0.01 * rng.random(n))
        history[f"{split}_cost"] = list(np.linspace(1.0, 0.2, n))
    return history


@pytest.fixture(autouse=True)
def no_warnings_and_close():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    plt.close("all")


def test_plot_history_two_panels_with_all_splits():
    fig, (ax_acc, ax_cost) = plots.plot_history(make_history(), title="run")
    assert len(fig.axes) == 2
    assert len(ax_acc.lines) == 3 and len(ax_cost.lines) == 3
    assert ax_acc.get_xlabel() == "epoch" and ax_acc.get_ylabel() == "accuracy (%)"
    assert ax_cost.get_ylabel() == "cost"
    labels = [t.get_text() for t in ax_acc.get_legend().get_texts()]
    assert labels == ["training data", "validation data", "test data"]
    # accuracies are plotted as percentages
    assert ax_acc.lines[0].get_ydata().max() > 1.0
    fig.canvas.draw()  # renders without error or warning


def test_plot_history_skips_missing_and_empty_keys():
    history = make_history(keys=("evaluation",))
    history["train_cost"] = []  # monitored nothing
    history["test_accuracy"] = None
    fig, (ax_acc, ax_cost) = plots.plot_history(history, percent=False)
    assert len(ax_acc.lines) == 1 and len(ax_cost.lines) == 1
    assert ax_acc.get_ylabel() == "accuracy"
    assert ax_acc.lines[0].get_ydata().max() <= 1.0


def test_plot_history_without_cost_says_not_monitored():
    history = {"test_accuracy": [0.9, 0.91, 0.92]}  # no "epoch" key: 0, 1, 2 are used
    fig, (ax_acc, ax_cost) = plots.plot_history(history)
    assert list(ax_acc.lines[0].get_xdata()) == [0, 1, 2]
    assert not ax_cost.lines
    assert any("not monitored" in t.get_text() for t in ax_cost.texts)


def test_plot_history_on_given_axes_and_attribute_history():
    class History:  # an object with attributes rather than a mapping
        epoch = [0, 1]
        test_accuracy = [0.5, 0.6]

    fig, axes = plt.subplots(1, 2)
    out_fig, out_axes = plots.plot_history(History(), ax=axes)
    assert out_fig is fig and len(axes[0].lines) == 1


def test_compare_runs_shared_axes_and_zoom():
    runs = {"quadratic": make_history(300), "cross-entropy": make_history(300)}
    fig, ax = plots.compare_runs(runs, key="test_accuracy", start_epoch=200)
    assert len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["quadratic", "cross-entropy"]
    for line in ax.lines:
        assert line.get_xdata().min() == 200 and len(line.get_xdata()) == 100
    assert "from epoch 200" in ax.get_title()


def test_compare_runs_skips_runs_without_the_key():
    runs = {"a": make_history(keys=("train",)), "b": make_history()}
    fig, ax = plots.compare_runs(runs, key="test_cost", title="Test cost")
    assert len(ax.lines) == 1 and ax.get_title() == "Test cost" and ax.get_ylabel() == "cost"


def test_plot_overfitting_four_panels():
    history = make_history(400, keys=("train", "test"))
    fig, axes = plots.plot_overfitting(history, start_epoch=200)
    assert axes.shape == (2, 2)
    (cost_train, acc_test), (cost_test, acc_train) = axes
    assert cost_train.lines[0].get_xdata().min() == 200
    assert acc_test.lines[0].get_xdata().min() == 200
    assert cost_test.lines[0].get_xdata().min() == 0
    assert acc_train.lines[0].get_xdata().min() == 0
    assert "training data" in cost_train.get_title() and "test data" in acc_test.get_title()


def test_plot_overfitting_falls_back_to_evaluation_data():
    fig, axes = plots.plot_overfitting(make_history(250, keys=("train", "evaluation")))
    assert "validation data" in axes[0, 1].get_title()
    assert all(len(ax.lines) == 1 for ax in axes.flat)


def test_digit_grid_shapes_and_labels():
    images = np.random.default_rng(1).random((12, 784)).astype(np.float32)
    fig, axes = plots.digit_grid(images, labels=list(range(12)), ncols=5,
                                 predictions=[0] * 12)
    assert axes.shape == (3, 5)
    shown = [ax for ax in axes.flat if ax.images]
    assert len(shown) == 12
    assert shown[0].get_title() == "0→0" and shown[1].get_title() == "1→0"
    # column vectors of shape (784, 1), as in the seed's data, work too
    fig, axes = plots.digit_grid([im.reshape(784, 1) for im in images[:3]])
    assert axes.shape == (1, 3)


def test_style_is_scoped_and_opaque():
    before = matplotlib.rcParams["axes.prop_cycle"]
    fig, _ = plots.plot_history(make_history())
    assert matplotlib.rcParams["axes.prop_cycle"] == before
    assert matplotlib.colors.to_hex(fig.get_facecolor()) == "#ffffff"
    with plots.book_style():
        assert matplotlib.rcParams["savefig.facecolor"] == "white"


def test_style_keeps_a_switch_to_interactive_mode():
    # the inline backend turns interactive mode on when the first figure is made
    was = matplotlib.is_interactive()
    try:
        matplotlib.interactive(False)
        with plots.book_style():
            matplotlib.interactive(True)
        assert matplotlib.is_interactive()
    finally:
        matplotlib.interactive(was)


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_mark_book_draws_the_registry_value_labelled_book():
    fig, ax = plots.compare_runs({"this run": make_history()}, key="test_accuracy", book="CE-30")
    (line,) = [l for l in ax.lines if l.get_label() == "book"]
    assert list(line.get_ydata()) == [95.49, 95.49] and line.get_linestyle() == "--"
    assert legend_texts(ax) == ["this run", "book"]
    plots.mark_book(ax, "CE-100")                  # a second book line: one legend entry
    assert legend_texts(ax) == ["this run", "book"]
    fig, ax = plt.subplots()
    plots.mark_book(ax, 0.9549 * 100, percent=False)
    assert ax.lines[0].get_ydata()[0] == pytest.approx(0.9549)


def test_mark_book_marks_the_epoch_of_the_book_value_and_epoch_quantities():
    fig, axes = plots.plot_overfitting(make_history(400, keys=("train", "test")),
                                       book="OVERFIT-1k")
    (cost_train, acc_test), (cost_test, acc_train) = axes
    markers = [l for l in acc_test.lines if l.get_marker() == "o"]
    assert markers and markers[0].get_xdata()[0] == 374 and markers[0].get_ydata()[0] == 82.27
    assert any(l.get_label() == "book" and l.get_ydata()[0] == 1.203 for l in cost_test.lines)
    vertical = [l for l in acc_train.lines if l.get_label() == "book"]
    assert list(vertical[0].get_xdata()) == [67, 67]            # first 100% training accuracy
    assert not any(l.get_label() == "book" for l in cost_train.lines)


def test_mark_book_draws_a_curve_for_the_size_experiments():
    fig, ax = plt.subplots()
    (line,) = plots.mark_book(ax, "SVM")
    assert list(line.get_xdata())[0] == 100 and list(line.get_ydata())[-1] == 94.48
    assert len(line.get_xdata()) == 9
    with pytest.raises(ValueError, match="no number"):
        plots.mark_book(ax, "HYPER-BAD")                     # the book says "chance" only


def test_wide_figures_stay_legible_on_a_phone_and_say_validation():
    history = make_history(keys=("train", "evaluation"))
    figures = [plots.plot_history(history)[0],
               plots.compare_runs({"a": history}, key="evaluation_accuracy")[0],
               plots.plot_overfitting(make_history(250, keys=("train", "evaluation")))[0]]
    for fig in figures:
        assert plots.smallest_font_px(fig, 390) >= 9.0 and fig.get_figwidth() <= 7.0
        texts = [t.get_text().lower() for t in fig.findobj(matplotlib.text.Text)]
        assert not any("evaluation" in t for t in texts)
        assert any("validation" in t for t in texts)


# --- bad arguments get errors naming them (issue 28 case 5) -----------------------------------

def test_compare_runs_refuses_what_it_cannot_draw_naming_runs():
    history = make_history()
    with pytest.raises(TypeError, match=r"runs is a list; give a dict \{label: history\}.*"
                                        r"dict\(zip\(labels, runs\)\)"):
        plots.compare_runs([history, history])  # today: AttributeError 'list' ... 'items'
    with pytest.raises(TypeError, match="runs looks like one run's history"):
        plots.compare_runs(history)  # today: an empty plot saying "accuracy not monitored"
    with pytest.raises(TypeError, match=r"runs\['a'\] is a list, not a run's history"):
        plots.compare_runs({"a": [0.9, 0.91]})
    with pytest.raises(ValueError, match="runs is empty"):
        plots.compare_runs({})
    with pytest.raises(ValueError, match="key='test_acc': no run recorded it"):
        plots.compare_runs({"a": history}, key="test_acc")


def test_digit_grid_refuses_images_that_are_not_mnist_digits_naming_them():
    with pytest.raises(ValueError, match=r"images\[0\] has shape \(10, 10\); digit_grid draws "
                                         "MNIST's 28x28 digits"):
        plots.digit_grid(np.zeros((4, 10, 10)))  # today: numpy's "cannot reshape"
    with pytest.raises(TypeError, match=r"images\[0\] is a tuple, not an image.*\[x for x, y"):
        plots.digit_grid([(np.zeros((784, 1)), 3)])  # the seed's pairs
    with pytest.raises(ValueError, match="labels holds 2 entries for 3 images"):
        plots.digit_grid(np.zeros((3, 784)), labels=[1, 2])  # today: IndexError when drawing
    with pytest.raises(ValueError, match=f"images holds 50000 images; .* to {plots.MAX_DIGITS}"):
        plots.digit_grid(np.zeros((50_000, 784), np.float32))  # today: minutes of drawing
    with pytest.raises(ValueError, match="ncols=0"):
        plots.digit_grid(np.zeros((3, 784)), ncols=0)


def test_digit_grid_draws_one_image_alone_and_a_split():
    fig, axes = plots.digit_grid(np.ones((28, 28)))  # today: 28 "images" of 28 pixels
    assert axes.shape == (1, 1) and axes[0, 0].images[0].get_array().shape == (28, 28)

    class Split:  # as ch3_code.mnist.MNISTSplit: X holds the images
        X = np.zeros((3, 784))

    fig, axes = plots.digit_grid(Split())
    assert axes.shape == (1, 3)


def test_epoch_axes_have_integer_ticks_and_fit_the_run():
    """A short run gets whole epochs on its x-axis, and the book's value at its epoch 374
    does not stretch the axis of a 30-epoch run (issue 30: chapter 3's test-accuracy panel)."""
    fig, (ax_acc, _) = plots.plot_history(make_history(3))
    fig.canvas.draw()
    ticks = [t for t in ax_acc.get_xticks() if ax_acc.get_xlim()[0] <= t <= ax_acc.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)
    fig, axes = plots.plot_overfitting(make_history(30, keys=("train", "test")),
                                       start_epoch=15, book="OVERFIT-1k")
    acc_test = axes[0][1]
    assert acc_test.get_xlim()[1] < 40
    assert any(l.get_label() == "book" for l in acc_test.lines)   # the level still shows


def test_every_plots_name_a_chapter_uses_is_still_there():
    used = set()
    for notebook in sorted(CHAPTERS.glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf8"))["cells"]:
            used |= set(re.findall(r"\bplots\.([A-Za-z_]\w*)", "".join(cell["source"])))
    assert {"plot_history", "compare_runs", "mark_book", "digit_grid", "PALETTE"} <= used
    assert not sorted(n for n in used if not hasattr(plots, n)), "gone from ch3_code.plots"


def test_plots_gathers_the_very_objects_of_the_modules_that_hold_them():
    for module, names in ((digits, ["digit_grid", "MAX_DIGITS"]),
                          (book_marks, ["mark_book", "curve_of_sizes", "PANEL_QUANTITIES"]),
                          (figure_style, ["BOOK_STYLE", "PALETTE", "INK", "WIDE", "book_style",
                                          "use_book_style", "smallest_font_px"])):
        for name in names:
            assert getattr(plots, name) is getattr(module, name), name
    assert set(plots.__all__) <= set(dir(plots))


def test_line_end_labels_do_not_overlap_and_stay_inside_the_axes():
    """The eta explorer's grey lines end at almost the same cost: their labels used to print
    over each other and past the axes' right edge."""
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    xs = list(range(30))
    lines = {f"{eta:g}": (xs, [0.3 + 0.5 * np.exp(-x / k) + d for x in xs])
             for eta, k, d in ((0.025, 9, 0.03), (0.1, 4, 0.001), (0.25, 3, 0.0))}
    for xs_, ys in lines.values():
        ax.plot(xs_, ys)
    plots.label_line_ends(ax, lines)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert sorted(t.get_text() for t in ax.texts) == ["0.025", "0.1", "0.25"]
    assert max(ax.get_xticks()) <= 29, "a tick past the last epoch, in the labels' room"
    for i, a in enumerate(boxes):
        assert ax.bbox.x0 <= a.x0 and a.x1 <= ax.bbox.x1, "a label runs past the axes"
        assert not any(a.overlaps(b) for b in boxes[i + 1:]), "two labels overlap"
    plt.close(fig)
