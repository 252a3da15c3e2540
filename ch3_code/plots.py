"""Plot helpers shared by every chapter: learning curves, run comparisons, digit grids.

A run's *history* is a dict-like object (or an object with attributes) whose values are lists,
keyed ``"epoch"``, ``"train_accuracy"``, ``"evaluation_accuracy"``, ``"test_accuracy"``,
``"train_cost"``, ``"evaluation_cost"`` and ``"test_cost"``. Accuracies are fractions in [0, 1].
A key that is missing, ``None`` or an empty list was not monitored and is skipped.

Every function returns the matplotlib figure (and axes) and never calls ``plt.show()``.
Figures use one style (:data:`BOOK_STYLE`): an opaque white background with dark-grey text, so
they read the same in the book theme's light mode and on its dark mode's light image cards, and
the Okabe-Ito colour-blind-safe palette. Fonts are sized so that a 9-inch-wide figure shrunk
to a 390-pixel phone screen still shows text about 7.5 pixels high (:func:`smallest_font_px`).

``mark_book(ax, "CE-30")`` draws the book's value from :mod:`ch3_code.registry` as a dashed
line (and a marker at the book's epoch) labelled "book"; the plot functions take ``book=``.
"""

from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .book.results import get as experiment
from .history import SET_NAMES

PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
INK = "#333333"
BOOK_STYLE = {
    "figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white",
    "figure.dpi": 100, "savefig.bbox": "tight", "savefig.pad_inches": 0.1,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.edgecolor": INK, "axes.labelcolor": INK, "axes.titlecolor": INK, "text.color": INK,
    "xtick.color": INK, "ytick.color": INK, "axes.grid": True, "grid.color": "#d0d0d0",
    "grid.linewidth": 0.6, "axes.spines.top": False, "axes.spines.right": False,
    "lines.linewidth": 1.8, "font.size": 13, "axes.titlesize": 13, "axes.labelsize": 13,
    "xtick.labelsize": 13, "ytick.labelsize": 13, "legend.fontsize": 13,
    "figure.titlesize": 15, "legend.frameon": False,
}
WIDE = 9.0  # inches: the width of the two-panel figures
DATASET_LABELS = {split: f"{name} data" for split, name in SET_NAMES.items()}
SPLITS = ("train", "evaluation", "test")


def use_book_style():
    """Apply the book style to every following figure (for notebooks)."""
    mpl.rcParams.update(BOOK_STYLE)


@contextmanager
def book_style():
    """Context manager: the book style for the figures made inside the ``with`` block.

    Jupyter's inline backend switches matplotlib to interactive mode when the first figure is
    made; that switch is kept, or later figures would no longer show by themselves.
    """
    interactive = {}
    try:
        with mpl.rc_context(BOOK_STYLE):
            try:
                yield
            finally:
                interactive["value"] = mpl.rcParams["interactive"]
    finally:
        if "value" in interactive:
            mpl.rcParams["interactive"] = interactive["value"]


def _series(history, key):
    """The list stored under ``key``, or None when it is missing or empty."""
    try:
        values = history[key]
    except (KeyError, TypeError, IndexError):
        values = getattr(history, key, None)
    if values is None or len(values) == 0:
        return None
    return np.asarray(values, dtype=float)


def _epochs(history, n):
    epochs = _series(history, "epoch")
    return epochs if epochs is not None and len(epochs) == n else np.arange(n)


def _curve(ax, history, key, start_epoch=None, percent=True, **kwargs):
    """Draw one monitored quantity on ``ax``; return the line, or None when not monitored."""
    values = _series(history, key)
    if values is None:
        return None
    epochs = _epochs(history, len(values))
    if start_epoch is not None:
        keep = epochs >= start_epoch
        epochs, values = epochs[keep], values[keep]
    if percent and key.endswith("_accuracy"):
        values = 100 * values
    (line,) = ax.plot(epochs, values, **kwargs)
    return line


def _label_axes(ax, quantity, percent, title=None):
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no "epoch 2.5" with few epochs
    ax.set_ylabel("accuracy (%)" if quantity == "accuracy" and percent else quantity)
    if title:
        ax.set_title(title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend()
    elif not ax.lines:
        ax.text(0.5, 0.5, f"{quantity} not monitored", transform=ax.transAxes,
                ha="center", va="center", color="grey")


def plot_history(history, ax=None, title=None, percent=True, book=None):
    """One run's accuracy (left) and cost (right) per epoch, one line per monitored data set.

    ``ax`` is an optional pair of axes to draw on; ``book`` (a registry id, ``(id, key)`` or a
    number) is marked on the accuracy panel. Returns ``(fig, (ax_accuracy, ax_cost))``.
    """
    with book_style():
        if ax is None:
            fig, ax = plt.subplots(1, 2, figsize=(WIDE, 3.6), layout="constrained")
        axes = ax
        fig = axes[0].figure
        for i, quantity in enumerate(("accuracy", "cost")):
            for split in SPLITS:
                _curve(axes[i], history, f"{split}_{quantity}", percent=percent,
                       label=DATASET_LABELS[split], color=PALETTE[SPLITS.index(split)])
            if i == 0 and book is not None:
                _mark(axes[0], book, percent)
            _label_axes(axes[i], quantity, percent, quantity.capitalize())
        if title:
            fig.suptitle(title)
    return fig, axes


def compare_runs(runs, key="test_accuracy", ax=None, start_epoch=None, percent=True, title=None,
                 book=None):
    """Several runs' ``key`` on shared axes with a legend; ``start_epoch=200`` is the book's zoom.

    ``runs`` is a dict ``{label: history}`` (the labels make the legend). ``book`` (a registry
    id, ``(id, key)``, a number or a list of them) marks the book's values.
    """
    _check_runs(runs, key)
    quantity = key.rsplit("_", 1)[-1]
    with book_style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
        for label, history in runs.items():
            _curve(ax, history, key, start_epoch=start_epoch, percent=percent, label=str(label))
        for what in book if isinstance(book, list) else [] if book is None else [book]:
            _mark(ax, what, percent)
        split = key.rsplit("_", 1)[0]
        default = f"{quantity.capitalize()} on the {DATASET_LABELS.get(split, split)}"
        if start_epoch is not None:
            default += f" from epoch {start_epoch} on"
        _label_axes(ax, quantity, percent, title or default)
    return ax.figure, ax


_KEYS = tuple(f"{split}_{quantity}" for split in SPLITS for quantity in ("accuracy", "cost"))


def _check_runs(runs, key):
    """Refuse what compare_runs cannot draw, saying what to pass instead."""
    example = 'e.g. compare_runs({"eta 0.1": history_a, "eta 1.0": history_b})'
    if not hasattr(runs, "items"):
        hint = ("; for a list of histories, dict(zip(labels, runs)) labels them"
                if isinstance(runs, (list, tuple)) else "")
        raise TypeError(f"runs is a {type(runs).__name__}; give a dict {{label: history}}, "
                        f"{example}{hint}")
    if not runs:
        raise ValueError(f"runs is empty; give at least one run, {example}")
    for label, history in runs.items():
        if history is None or isinstance(history, (list, tuple, np.ndarray, str, int, float)):
            if "epoch" in runs or any(k in runs for k in _KEYS):
                raise TypeError(f"runs looks like one run's history (it has the key "
                                f"{label!r}); give a dict {{label: history}}, e.g. "
                                'compare_runs({"my run": history}), or use plot_history(history)')
            raise TypeError(f"runs[{label!r}] is a {type(history).__name__}, not a run's history "
                            "(a dict of per-epoch lists, as stochastic_gradient_descent returns)")
    if not isinstance(key, str):
        raise TypeError(f"key={key!r}: give the name of a monitored quantity, one of {_KEYS}")
    if key not in _KEYS and all(_series(history, key) is None for history in runs.values()):
        raise ValueError(f"key={key!r}: no run recorded it; give one of {_KEYS}")


def _first_monitored(history, keys):
    return next((k for k in keys if _series(history, k) is not None), keys[0])


def plot_overfitting(history, start_epoch=200, percent=True, book=None):
    """The book's four panels on overfitting.

    Training cost and test accuracy from ``start_epoch`` on; test cost and training accuracy
    from the start. "Test" means the ``test_*`` keys, or ``evaluation_*`` when those are missing.
    ``book="OVERFIT-1k"`` marks the book's best test accuracy, lowest test cost and first
    epoch of 100% training accuracy on their panels.
    """
    test_cost = _first_monitored(history, ["test_cost", "evaluation_cost"])
    test_acc = _first_monitored(history, ["test_accuracy", "evaluation_accuracy"])
    panels = [("train_cost", start_epoch), (test_acc, start_epoch),
              (test_cost, None), ("train_accuracy", None)]
    with book_style():
        fig, axes = plt.subplots(2, 2, figsize=(WIDE, 6.6), layout="constrained")
        for ax, (key, start) in zip(axes.flat, panels):
            split, quantity = key.rsplit("_", 1)
            _curve(ax, history, key, start_epoch=start, percent=percent,
                   color=PALETTE[SPLITS.index(split)])
            title = f"{quantity.capitalize()} on the {DATASET_LABELS[split]}"
            if book is not None:
                _mark_panel(ax, book, key, percent)
            _label_axes(ax, quantity, percent, title + (f" from epoch {start}" if start else ""))
    return fig, axes


PANEL_QUANTITIES = {"test_accuracy": "best_test", "evaluation_accuracy": "best_test",
                    "test_cost": "min_test_cost", "evaluation_cost": "min_test_cost",
                    "train_accuracy": "first_perfect"}


def _mark_panel(ax, exp_id, key, percent):
    wanted = PANEL_QUANTITIES.get(key)
    if wanted in [q.key for q in experiment(exp_id).quantities]:
        mark_book(ax, exp_id, wanted, percent=percent)


def _mark(ax, what, percent):
    if isinstance(what, tuple):
        return mark_book(ax, what[0], what[1], percent=percent)
    return mark_book(ax, what, percent=percent)


def _book_points(what, quantity):
    """[(x or None, value, unit)] of the book for a number or a registry id (and quantity key)."""
    if not isinstance(what, str):
        return [(None, float(what), "%", None)]
    exp = experiment(what)
    if quantity is not None:
        chosen = [exp.quantity(quantity)]
    else:
        chosen = [q for q in exp.quantities if q.book is not None and q.unit != "epoch"]
        series = [q for q in chosen if q.book_x is not None and q.key.startswith("n_")]
        chosen = series or [q for q in chosen if q.headline] or chosen[:1]
    if not chosen or any(q.book is None for q in chosen):
        raise ValueError(f"the book gives no number for {what} {quantity or ''}".strip())
    return [(q.book_x, q.book, q.unit, q.key) for q in chosen]


def mark_book(ax, what, quantity=None, x=None, percent=True, label="book", color=None):
    """Draw the book's value on ``ax``: a dashed line, and a marker where the book gives an x.

    ``what`` is a number (in percent for accuracies) or a registry id such as "CE-30";
    ``quantity`` picks one of its quantities (default: its headline values, or the whole
    curve for the training-set-size experiments). An epoch-valued quantity is drawn as a
    vertical line. Accuracies are divided by 100 when ``percent`` is False. The first artist
    is labelled ``label`` (once per axes) and the legend is redrawn. Returns the artists.
    """
    points = _book_points(what, quantity)
    labelled = label in ax.get_legend_handles_labels()[1]  # one "book" entry per axes
    # the axes keep fitting the epochs this run drew: a book value at its epoch 374 must not
    # stretch the x-axis of a 30-epoch run (the dashed level still shows)
    run_xlim = ax.get_xlim() if ax.lines else None
    color = color or INK
    style = dict(color=color, linestyle="--", linewidth=1.3, zorder=3)
    artists = []
    if len(points) > 1 and all(px is not None for px, *_ in points):
        # a curve over training-set sizes is joined up; separate values (say after epoch 0
        # and after the last epoch) are markers only: no line the book never drew
        curve = all(key and key.startswith("n_") for *_, key in points)
        ys = [v / (1 if percent or unit != "%" else 100) for _, v, unit, _ in points]
        line = style if curve else {**style, "linestyle": "none", "markersize": 8}
        artists += ax.plot([px for px, *_ in points], ys, marker="s", mfc="none", **line)
    else:
        for px, value, unit, _ in points:
            value = value if percent or unit != "%" else value / 100
            if unit == "epoch":
                artists.append(ax.axvline(value, **style))
                continue
            artists.append(ax.axhline(value, **style))
            px = x if x is not None else px
            if px is not None:
                artists += ax.plot([px], [value], marker="o", mfc="none", ms=9, color=color,
                                   linestyle="none", zorder=4)
    for i, artist in enumerate(artists):
        artist.set_label(label if i == 0 and not labelled else "_nolegend_")
    if run_xlim is not None and not (len(points) > 1 and curve_of_sizes(points)):
        ax.set_xlim(run_xlim)
    ax.legend()
    return artists


def curve_of_sizes(points):
    """True for a book curve over training-set sizes (its x-axis is the book's, not a run's)."""
    return all(px is not None and key and key.startswith("n_") for px, *_, key in points)


def smallest_font_px(fig, screen_px=390):
    """The height in pixels of the figure's smallest text when the figure is shown
    ``screen_px`` pixels wide (a phone screen is about 390)."""
    scale = screen_px / (fig.get_figwidth() * fig.dpi)
    sizes = [t.get_fontsize() for t in fig.findobj(mpl.text.Text)
             if t.get_text() and t.get_visible()]
    return min(sizes) * fig.dpi / 72 * scale if sizes else None


#: More images than this in one digit_grid is a mistake (50,000 axes take minutes to draw).
MAX_DIGITS = 400


def digit_grid(images, labels=None, ncols=10, predictions=None, scale=1.0):
    """MNIST digits in a grid; ``labels`` (and ``predictions``, mistakes in red) as titles.

    ``images`` holds 28x28 images, rows of 784 pixels or (784, 1) columns (one image alone
    is drawn alone); a data split shows its ``X``.
    """
    images = _digits(images)
    n = len(images)
    for name, titles in (("labels", labels), ("predictions", predictions)):
        if titles is not None and len(titles) < n:
            raise ValueError(f"{name} holds {len(titles)} entries for {n} images; give one "
                             "per image")
    if not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols={ncols!r}: give a whole number of columns, at least 1")
    ncols = max(1, min(ncols, n))
    nrows = max(1, -(-n // ncols))
    with book_style():
        fig, axes = plt.subplots(nrows, ncols, squeeze=False,
                                 figsize=(scale * 0.9 * ncols, scale * 1.05 * nrows))
        for i, ax in enumerate(axes.flat):
            ax.set_axis_off()
            if i >= n:
                continue
            ax.imshow(images[i], cmap="gray_r", vmin=0.0, vmax=1.0)
            if labels is not None:
                text, color = f"{labels[i]}", INK
                if predictions is not None:
                    text += f"→{predictions[i]}"
                    color = INK if predictions[i] == labels[i] else PALETTE[1]
                ax.set_title(text, fontsize=12, color=color, pad=2)
        fig.subplots_adjust(wspace=0.1, hspace=0.35 if labels is not None else 0.05)
    return fig, axes


def _digits(images):
    """``images`` as a list of (28, 28) float arrays, or an error naming the bad one."""
    forms = "give 28x28 images, rows of 784 pixels or (784, 1) columns"
    images = getattr(images, "X", images)
    if isinstance(images, np.ndarray) and images.size == 784 and images.ndim <= 2:
        images = [images]  # one image
    if isinstance(images, (str, bytes)) or not np.iterable(images):
        raise TypeError(f"images is a {type(images).__name__}; {forms}")
    images = list(images)
    if not images or len(images) > MAX_DIGITS:
        raise ValueError(f"images holds {len(images)} images; {forms}, from 1 to {MAX_DIGITS} "
                         "(e.g. images[:20])")
    digits = []
    for i, image in enumerate(images):
        try:
            image = np.asarray(image, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"images[{i}] is a {type(image).__name__}, not an image; {forms} "
                            "(for the seed's (x, y) pairs: [x for x, y in pairs])") from None
        if image.size != 784:
            raise ValueError(f"images[{i}] has shape {image.shape}; digit_grid draws MNIST's "
                             f"28x28 digits: {forms}")
        digits.append(image.reshape(28, 28))
    return digits
