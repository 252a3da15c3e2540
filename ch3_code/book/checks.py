"""Checking a run against the book (``registry.check``) and recording its values.

``check_results({id: result})`` measures each result with its experiment's quantities (the
model in :mod:`ch3_code.book.experiments`), asserts under ``CH3_CHECK=strict`` (the tests)
and prints a friendly note otherwise, says which changes of the configuration explain a
difference (``config_differences``), records the values in the cell's output under
``RESULTS_MIME`` for the scorecard (``recorded_results`` reads them back) and glues the
headline values for the book's intro page (``glue``).

Where ``results/seed_spread.json`` holds our own seeds' spread with the book's settings, a
value more than ``SPREAD_SDS`` standard deviations from those seeds' mean also fails (a
note when not strict): a regression in the code shows even where the book's tolerance is
wide. It is skipped for a run whose configuration was changed and where the sd is 0.
"""
import json
import math
import os
import textwrap

from IPython.display import display

from .results import get, ids
from .experiments import Precomputed
from .tables import _cells, book_spread, plain, rows_for, spread_stats

RESULTS_MIME = "application/vnd.ch3.results+json"
SPREAD_SDS = 3


def glue(name, value, digits=2, suffix="%"):
    """Store ``value``, formatted (e.g. "95.49%"), under ``name`` for the book's glue roles.

    The intro page shows it with ``{glue:text}`chapters/<notebook>.ipynb::<name>``` (no format
    spec: the value is already text).

    Outside Jupyter Book's toolchain (for example on Colab) myst-nb is not installed and this
    does nothing.
    """
    try:  # deferred and optional: myst-nb is there only under Jupyter Book's toolchain
        from myst_nb import glue as _glue
    except ImportError:
        return
    _glue(name, f"{value:.{digits}f}{suffix}", display=False)


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


def far_from_seeds(exp, values, spread):
    """["CE-30 best test accuracy: this run 94.10 lies 10.6 sd from ..."]: the values more
    than SPREAD_SDS sd from our seeds' mean in ``spread`` (sd 0 or no spread: not judged)."""
    found = []
    for q in exp.quantities:
        value, stats = values.get(q.key), spread_stats(spread, exp.id, q.key)
        if (not isinstance(value, float) or isinstance(value, (str, Precomputed)) or not stats
                or stats["count"] < 2 or not stats["sd"] > 0):
            continue
        sds = abs(value - stats["mean"]) / stats["sd"]
        if sds > SPREAD_SDS:
            d = q.digits
            found.append(f"{exp.id} {q.label}: this run {value:.{d}f} lies {sds:.1f} sd from "
                         f"our own seeds' mean {stats['mean']:.{d}f} (sd {stats['sd']:.{d}f}, "
                         f"{stats['count']} seeds with the book's settings in "
                         f"results/seed_spread.json; allowed {SPREAD_SDS} sd): the seed alone "
                         "does not move it so far, so the code or the data changed")
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
    spread = book_spread()
    for exp_id, result in results.items():
        if exp_id not in ids() and not strict:
            notes.append(f"{exp_id} is not an experiment of the registry; ids: "
                         f"{', '.join(ids())}.")
            continue
        exp = get(exp_id)
        values = exp.measure(result)
        changed = config_differences(exp, result)
        record[exp_id] = {"values": {k: plain(v) for k, v in values.items()},
                          "config_differences": changed}
        bad = [r for r in rows_for(exp, values) if r["status"] in ("outside", "no result")]
        for r in bad:
            failures.append(f"{exp_id} {r['quantity']}: book {_cells(r)[2]}, this run "
                            f"{_cells(r)[3]} (allowed {r['tolerance']})")
        failures += [f"{exp_id}: configuration changed: {c}" for c in changed]
        far = [] if changed else far_from_seeds(exp, values, spread)
        failures += far
        notes += far
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
