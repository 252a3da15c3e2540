"""The book's value drawn beside a run's curve: ``mark_book(ax, "CE-30")``.

The value comes from the book's results (:mod:`ch3_code.book.results`, what
:mod:`ch3_code.registry` looks up) or is a number: a dashed line labelled "book", a marker
where the book gives an epoch, a vertical line for an epoch-valued quantity, and the whole
curve for the training-set-size experiments. The plot functions of :mod:`ch3_code.plots` take
``book=`` and draw it with :func:`mark_one` and :func:`mark_panel`. Also reachable as
``ch3_code.plots.mark_book``.
"""

from .book.results import get as experiment
from .figure_style import INK

#: which of an experiment's quantities each panel of plot_overfitting shows
PANEL_QUANTITIES = {"test_accuracy": "best_test", "evaluation_accuracy": "best_test",
                    "test_cost": "min_test_cost", "evaluation_cost": "min_test_cost",
                    "train_accuracy": "first_perfect"}


def mark_panel(ax, exp_id, key, percent):
    """Mark the quantity of ``exp_id`` that a panel drawing ``key`` shows, if the book has it."""
    wanted = PANEL_QUANTITIES.get(key)
    if wanted in [q.key for q in experiment(exp_id).quantities]:
        mark_book(ax, exp_id, wanted, percent=percent)


def mark_one(ax, what, percent):
    """Mark one entry of a plot's ``book=``: a registry id, ``(id, quantity key)`` or a number."""
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
