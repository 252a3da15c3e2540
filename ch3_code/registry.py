"""The book's numbers, for the chapters: look an experiment up, check a run, show a table.

    from ch3_code import registry
    exp = registry.get("CE-30")                  # .config, .seed, .book_url, .quantities
    ce30 = exp.run()                             # trained as the book did; ce30.net
    ce30_l2 = exp.run(lmbda=5.0, epochs=10)      # the same with changes on top
    runs = registry.run_many([exp.changed(lmbda=lm) for lm in (0.1, 1.0)])  # in parallel
    plots.compare_runs({"this run": ce30}, book="CE-30")   # the book's value, dashed
    registry.table({"CE-30": ce30})              # "book vs this run" as an HTML table
    registry.check({"CE-30": ce30})              # hidden cell (tag remove-cell): strict in
                                                 # tests, a friendly note otherwise; records
                                                 # the values for the scorecard, glues them

A result is what the experiment's ``result`` says (a History; ``{run: History}`` for the
multi-run experiments, keyed as ``exp.runs``), or a dict of measured values by quantity key.

This module is a facade: the data model (``Experiment``, ``Quantity``, ``NotRerun`` and the
tolerance rules) is :mod:`ch3_code.book.experiments`, the measuring helpers
:mod:`ch3_code.book.measures`, the entries :mod:`ch3_code.book.results`, the tables :mod:`ch3_code.book.tables` and the checks
:mod:`ch3_code.book.checks`.
"""
from . import experiment
from .book.checks import check_results, glue  # noqa: F401
from .book.experiments import (CHAPTER_URL, Experiment, NotRerun, Quantity, at_epoch,  # noqa: F401
                               best, best_epoch, final, first_epoch, of_run, rises, series)
from .book.results import experiments, get, ids  # noqa: F401
from .book.tables import Table, evaluate
from .sweep import sweep


def table(results, chapter_links=False):
    """'Book vs this run' for ``{id: result}`` as a table (HTML in a notebook)."""
    return Table(evaluate(results), chapter_links=chapter_links)


def check(results):
    """For a hidden cell: strict (CH3_CHECK=strict) asserts, otherwise a friendly note.

    It also records the measured values in the cell output for the scorecard page and glues
    the headline values (see :func:`ch3_code.book.checks.check_results`).
    """
    return check_results(results)


def run_many(items, n_jobs=None, verbose=False):
    """Train several experiments at once through ``ch3_code.sweep``: their Histories (each
    with ``.net``), in order. An item is an experiment, a changed copy
    (``exp.changed(lmbda=1.0)``) or a pair ``(experiment, run)`` such as ``(exp, "large")``.
    """
    settings = []
    for item in items:
        exp, which = item if isinstance(item, tuple) else (item, None)
        settings.append(exp.settings(which))
    return sweep(experiment.run, settings, n_jobs=n_jobs, verbose=verbose)
