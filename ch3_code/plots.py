"""Learning curves: one run's accuracy and cost, several runs compared, the overfitting panels,
labels at the ends of lines.

A run's *history* is a dict-like object (or an object with attributes) whose values are lists,
keyed ``"epoch"``, ``"train_accuracy"``, ``"evaluation_accuracy"``, ``"test_accuracy"``,
``"train_cost"``, ``"evaluation_cost"`` and ``"test_cost"``. Accuracies are fractions in [0, 1].
A key that is missing, ``None`` or an empty list was not monitored and is skipped.

Every function returns the matplotlib figure (and axes) and never calls ``plt.show()``; each
draws in the book style of :mod:`ch3_code.figure_style`. ``book=`` marks the book's value
(:mod:`ch3_code.book_marks`). The chapters reach the whole plotting kit through this module:
the style (``use_book_style``, ``book_style``, ``PALETTE``, ``INK``, ``WIDE``), ``mark_book``
and ``digit_grid`` (:mod:`ch3_code.digits`) are importable from here too.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .book_marks import PANEL_QUANTITIES, curve_of_sizes, mark_book, mark_one, mark_panel
from .digits import MAX_DIGITS, digit_grid
from .figure_style import (BOOK_STYLE, INK, PALETTE, WIDE, book_style, smallest_font_px,
                           use_book_style)
from .history import SET_NAMES

# one import gives the chapters everything they draw with, wherever it lives
__all__ = [
    "plot_history", "compare_runs", "plot_overfitting", "label_line_ends", "DATASET_LABELS",
    "SPLITS",
    "BOOK_STYLE", "INK", "PALETTE", "WIDE", "book_style", "use_book_style", "smallest_font_px",
    "mark_book", "PANEL_QUANTITIES", "curve_of_sizes", "digit_grid", "MAX_DIGITS",
]

DATASET_LABELS = {split: f"{name} data" for split, name in SET_NAMES.items()}
SPLITS = ("train", "evaluation", "test")


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
    """One run's accuracy (top) and cost (bottom) per epoch, one line per monitored data set.

    ``ax`` is an optional pair of axes to draw on; ``book`` (a registry id, ``(id, key)`` or a
    number) is marked on the accuracy panel. Returns ``(fig, (ax_accuracy, ax_cost))``.
    """
    with book_style():
        if ax is None:
            fig, ax = plt.subplots(2, 1, figsize=(WIDE, 6.4), layout="constrained")
        axes = ax
        fig = axes[0].figure
        for i, quantity in enumerate(("accuracy", "cost")):
            for split in SPLITS:
                _curve(axes[i], history, f"{split}_{quantity}", percent=percent,
                       label=DATASET_LABELS[split], color=PALETTE[SPLITS.index(split)])
            if i == 0 and book is not None:
                mark_one(axes[0], book, percent)
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
            mark_one(ax, what, percent)
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
    """The book's four panels on overfitting, one above the other, as the book shows them.

    Training cost and test accuracy from ``start_epoch`` on (the top two); test cost and
    training accuracy from the start (the bottom two). "Test" means the ``test_*`` keys, or
    ``evaluation_*`` when those are missing.
    ``book="OVERFIT-1k"`` marks the book's best test accuracy, lowest test cost and first
    epoch of 100% training accuracy on their panels. Returns ``(fig, axes)``, axes a 2 x 2
    array in reading order: [[training cost, test accuracy], [test cost, training accuracy]].
    """
    test_cost = _first_monitored(history, ["test_cost", "evaluation_cost"])
    test_acc = _first_monitored(history, ["test_accuracy", "evaluation_accuracy"])
    panels = [("train_cost", start_epoch), (test_acc, start_epoch),
              (test_cost, None), ("train_accuracy", None)]
    with book_style():
        fig, axes = plt.subplots(4, 1, figsize=(WIDE, 11.0), layout="constrained")
        for ax, (key, start) in zip(axes.flat, panels):
            split, quantity = key.rsplit("_", 1)
            _curve(ax, history, key, start_epoch=start, percent=percent,
                   color=PALETTE[SPLITS.index(split)])
            title = f"{quantity.capitalize()} on the {DATASET_LABELS[split]}"
            if book is not None:
                mark_panel(ax, book, key, percent)
            _label_axes(ax, quantity, percent, title + (f" from epoch {start}" if start else ""))
    return fig, axes.reshape(2, 2)  # as before the panels were stacked: [0, 1] is test accuracy


def label_line_ends(ax, lines, color="0.5", min_gap=0.07):
    """Write each label just right of its line's last point, on a linear y axis.

    ``lines`` is ``{label: (xs, ys)}``. Labels whose ends lie close are nudged apart (at least
    ``min_gap`` of the axis height), and the x axis is widened so that they fit inside it,
    its ticks fixed where they were: call it last, once the axes are drawn as wanted.
    """
    ends = sorted((ys[-1], xs[-1], label) for label, (xs, ys) in lines.items() if len(ys))
    if not ends:
        return
    low, high = ax.get_ylim()
    placed = []
    for y, x, label in ends:
        placed.append(max(y, placed[-1] + min_gap * (high - low)) if placed else y)
        ax.annotate(label, (x, placed[-1]), xytext=(4, 0), textcoords="offset points",
                    color=color, va="center", fontsize=11)
    x_low, x_high = ax.get_xlim()
    x_last = max(x for _, x, _ in ends)
    ticks = [t for t in ax.get_xticks() if x_low <= t <= x_last]
    ax.set_xlim(x_low, x_high + 0.12 * (x_high - x_low))
    ax.set_xticks(ticks)  # no tick in the room made for the labels (no "epoch 32" of 30)
