"""'Book vs this run' tables and the tolerance checks behind them.

The registry (:mod:`ch3_code.registry`) holds the book's numbers; this module turns a run's
measured values into rows (``evaluate``), shows them (``Table``: HTML, Markdown or text),
checks them (``check_results``: strict in tests, a friendly note otherwise) and records them
in the notebook for the scorecard page (``RESULTS_MIME``).

The older, hand-typed layer is kept for chapters that still use it. A ``Row``
holds one such number, the value this run measured and how far apart the two
may be; ``comparison`` shows the rows as a table, ``check`` fails (for nbval)
when a run has drifted outside its tolerance, and ``glue`` hands a value to the
book's intro page when the notebook runs under Jupyter Book.

    rows = [Row("CE-30", "best test accuracy (%)", 95.49, 100 * h.best()[1], tol=0.6)]
    comparison(rows)   # a table in the notebook and the HTML page
    check(rows)        # in a hidden cell: AssertionError if a row is off
"""
import json
import math
import os
import textwrap
from dataclasses import dataclass

from IPython.display import Markdown, display

from . import registry
from .tables import Table, _cells, evaluate, plain, rows_for  # noqa: F401 (re-exported)

RESULTS_MIME = "application/vnd.ch3.results+json"


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


def glue(name, value, digits=2, suffix="%"):
    """Store ``value``, formatted (e.g. "95.49%"), under ``name`` for the book's glue roles.

    The intro page shows it with ``{glue:text}`chapters/<notebook>.ipynb::<name>``` (no format
    spec: the value is already text).

    Outside Jupyter Book's toolchain (for example on Colab) myst-nb is not installed and this
    does nothing.
    """
    try:
        from myst_nb import glue as _glue
    except ImportError:
        return
    _glue(name, f"{value:.{digits}f}{suffix}", display=False)


# ---- the registry layer: checks and records ----

COMPARED = ("layer_sizes", "n", "epochs", "batch_size", "eta", "lmbda", "seed")


def _same(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return list(a) == list(b) if isinstance(a, (list, tuple)) else a == b


def config_differences(exp, result):
    """["epochs from 30 to 3", ...]: where the result's History.config differs from the book's."""
    runs = [(None, result)] if hasattr(result, "config") else [
        (run, result[run]) for run in exp.runs if isinstance(result, dict) and run in result]
    found = []
    for run, history in runs:
        config = getattr(history, "config", None) or {}
        book = exp.run_config(run)
        for key in COMPARED:
            mine = config.get(key, config.get("rand_seed") if key == "seed" else None)
            want = book.get(key)
            if mine is None or want is None or isinstance(want, str) != isinstance(mine, str):
                continue
            if isinstance(want, tuple) and not isinstance(mine, (list, tuple)):
                continue  # a multi-run value: compared run by run
            if not _same(mine, want):
                where = "" if run is None else f" (run {run})"
                found.append(f"{key} from {want} to {mine}{where}")
    return found


def _glue_name(exp_id, key):
    return f"{exp_id.lower().replace('-', '_')}_{key.replace('.', 'p')}"


def check_results(results):
    """Check ``{id: result}`` against the registry; record and glue the values.

    With CH3_CHECK=strict (the tests) an AssertionError names every quantity outside its
    tolerance, every quantity that could not be measured, and every configuration change.
    Otherwise a short note says what is outside and which changes of the configuration
    explain it. Every measured value is glued as ``<id>_<quantity key>`` in lower case with
    "-" and "." as "_" and "p", e.g. ``ce_30_best_test`` ("95.63%"), ``eta_eta_0p25_min``.
    """
    record, failures, notes = {}, [], []
    strict = os.environ.get("CH3_CHECK", "").lower() == "strict"
    for exp_id, result in results.items():
        if exp_id not in registry.ids() and not strict:
            notes.append(f"{exp_id} is not an experiment of the registry; ids: "
                         f"{', '.join(registry.ids())}.")
            continue
        exp = registry.get(exp_id)
        values = exp.measure(result)
        changed = config_differences(exp, result)
        record[exp_id] = {"values": {k: plain(v) for k, v in values.items()},
                          "config_differences": changed}
        bad = [r for r in rows_for(exp, values) if r["status"] in ("outside", "no result")]
        for r in bad:
            failures.append(f"{exp_id} {r['quantity']}: book {_cells(r)[2]}, this run "
                            f"{_cells(r)[3]} (allowed {r['tolerance']})")
        failures += [f"{exp_id}: configuration changed: {c}" for c in changed]
        for q in exp.quantities:
            if isinstance(values[q.key], float) and not isinstance(values[q.key], str):
                glue(_glue_name(exp_id, q.key), values[q.key], q.digits,
                     "%" if q.unit == "%" else "")
        outside = [r["quantity"] for r in bad if r["status"] == "outside"]
        missing = [r["quantity"] for r in bad if r["status"] == "no result"]
        why = (f"this run differs from the book's because you changed {', '.join(changed)}"
               if changed else "the configuration is the book's, so the seed or a change in "
               "the code explains it (the scorecard page "
               "shows the seed spread)")
        if outside:
            notes.append(f"{exp_id}: {len(outside)} of the book's numbers outside the "
                         f"tolerance ({'; '.join(outside)}); {why}.")
        elif changed:
            notes.append(f"{exp_id}: within the book's tolerance, though you changed "
                         f"{', '.join(changed)}.")
        if missing:
            notes.append(f"{exp_id}: not measured in this run: {'; '.join(missing)}.")
    recorded = textwrap.fill(f"results recorded for the scorecard: {', '.join(record)}", 88)
    display({RESULTS_MIME: {"version": 1, "results": record}, "text/plain": recorded}, raw=True)
    if strict and failures:
        raise AssertionError("rerun drifted from the book:\n  " + "\n  ".join(failures))
    for note in notes:  # printed lines of at most 88 characters, as in the chapters
        print(textwrap.fill("Note: " + note, 88, subsequent_indent="  "))
    if not notes:
        print(textwrap.fill(f"All of the book's numbers for {', '.join(record)} are within "
                            "the tolerance.", 88))


def recorded_results(notebook):
    """{id: values} recorded by ``check_results`` in a saved notebook (a path or a dict)."""
    if not isinstance(notebook, dict):
        with open(notebook, encoding="utf8") as f:
            notebook = json.load(f)
    nb = notebook
    found = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data", {}).get(RESULTS_MIME)
            if isinstance(data, str):
                data = json.loads(data)
            if data:
                found.update({k: v["values"] for k, v in data.get("results", {}).items()})
    return found
