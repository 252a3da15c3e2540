"""The older, hand-typed 'book vs this run' layer, kept for the chapters that still use it.

The registry's layer replaces it: ``registry.table`` and ``registry.check``
(:mod:`ch3_code.book.tables` and :mod:`ch3_code.book.checks`, whose names are re-exported
here for code that imports them from this module). A ``Row``
holds one such number, the value this run measured and how far apart the two
may be; ``comparison`` shows the rows as a table, ``check`` fails (for nbval)
when a run has drifted outside its tolerance, and ``glue`` hands a value to the
book's intro page when the notebook runs under Jupyter Book.

    rows = [Row("CE-30", "best test accuracy (%)", 95.49, 100 * h.best()[1], tol=0.6)]
    comparison(rows)   # a table in the notebook and the HTML page
    check(rows)        # in a hidden cell: AssertionError if a row is off
"""
from dataclasses import dataclass

from IPython.display import Markdown

# the registry's layer, re-exported for code that still imports it from here
from .checks import (RESULTS_MIME, check_results, config_differences, glue,  # noqa: F401
                     recorded_results)
from .tables import Table, evaluate, plain, rows_for  # noqa: F401


@dataclass
class Row:
    """One quoted number: ``book`` is Nielsen's, ``ours`` this run's, ``tol`` the allowed gap.

    ``book`` may be None for a quantity the book only describes (then the row is
    shown but never checked); ``note`` says where the number comes from or why the
    tolerance is what it is.
    """
    experiment: str
    quantity: str
    book: float | None
    ours: float
    tol: float | None = None
    digits: int = 2
    note: str = ""

    @property
    def difference(self):
        return None if self.book is None else self.ours - self.book

    @property
    def ok(self):
        return self.tol is None or self.book is None or abs(self.difference) <= self.tol


def _fmt(value, digits):
    return "–" if value is None else f"{value:.{digits}f}"


def comparison(rows):
    """A Markdown table: experiment, quantity, book, this run, difference, tolerance."""
    lines = ["| experiment | quantity | book | this run | difference | tolerance |",
             "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        diff = "–" if r.difference is None else f"{r.difference:+.{r.digits}f}"
        tol = "–" if r.tol is None else f"±{r.tol:g}" + ("" if r.ok else " **(outside)**")
        quantity = f"{r.quantity} ({r.note})" if r.note else r.quantity
        lines.append(f"| {r.experiment} | {quantity} | {_fmt(r.book, r.digits)} | "
                     f"{_fmt(r.ours, r.digits)} | {diff} | {tol} |")
    return Markdown("\n".join(lines))


def check(rows):
    """Raise AssertionError naming every row whose rerun is outside its tolerance."""
    bad = [f"{r.experiment} {r.quantity}: book {r.book}, this run {r.ours:.{r.digits}f} "
           f"(tolerance ±{r.tol})" for r in rows if not r.ok]
    if bad:
        raise AssertionError("rerun drifted from the book:\n  " + "\n  ".join(bad))
