"""The scorecard: every experiment of the registry against the results the chapters recorded.

Nothing is trained here. Each chapter's hidden check cell (``registry.check``) stores its
measured values in its output under the MIME type ``application/vnd.ch3.results+json``; this
module reads them from the committed notebooks in ``chapters/``, compares them with the
registry's book values and tolerances, and adds the seed spread of
``results/seed_spread.json`` (written by ``python -m ch3_code.reproduce``).

    python -m ch3_code.scorecard          # the table in a terminal
    python -m ch3_code.scorecard --page   # re-execute scorecard.ipynb (after the chapters ran)
    scorecard.page()                      # the book's scorecard page (HTML)

A spread file that is damaged or edited by hand into something the page cannot show is
refused with a ``SpreadFileError`` that names the file and the entry at fault, a chapter
whose recorded results cannot be read with a ``RecordedResultsError`` that names it.
"""
import argparse
import math
import sys
from pathlib import Path

from .checks import recorded_results
from .record import read_variants
from .results import get, ids
from .spread_file import SpreadFileError
from .stored import ROOT, SPREAD_FILE, find
from .summary import VARIANTS_FILE, summary as _summary
from .tables import Table, load_spread, rows_for


def collect(root=ROOT):
    """{id: (chapter, values)}: the recorded values, from the experiment's own chapter first."""
    found = {}
    for path in sorted(Path(root, "chapters").glob("*.ipynb")):
        for exp_id, values in _recorded(path).items():
            own = get(exp_id).chapter == path.stem
            if exp_id not in found or own:
                found[exp_id] = (path.stem, values)
    return found


class RecordedResultsError(ValueError):
    """A chapter notebook whose recorded results cannot be read."""


def _recorded(path):
    """The registry's entries of ``recorded_results(path)``; a damaged notebook or value is
    named (RecordedResultsError) rather than failing in the middle of the table."""
    try:
        found = recorded_results(path)
    except (OSError, ValueError, AttributeError, KeyError, TypeError) as exc:
        raise RecordedResultsError(f"{path} cannot be read ({type(exc).__name__}: {exc}); "
                                   "restore it or run the chapter again") from exc
    found = {i: values for i, values in found.items() if i in ids()}
    for exp_id, values in found.items():
        bad = ([(k, v) for k, v in values.items() if not _recordable(v)]
               if isinstance(values, dict) else [("values", values)])
        if bad:
            raise RecordedResultsError(
                f"{path}: the recorded {exp_id} {bad[0][0]} is {bad[0][1]!r}, not a number, "
                "null or {'not_rerun': reason}; run the chapter again")
    return found


def load_variants(root=None):
    """The controlled reruns of ``results/variants.json`` ({name: record}), or {}."""
    path = find(VARIANTS_FILE, root)
    return read_variants(path)["variants"] if path else {}


def _recordable(value):
    """What check_results records: a finite number, None, {"not_rerun": reason} or
    {"precomputed": number, "note": how}."""
    if isinstance(value, dict):
        if "precomputed" in value:
            return _recordable(value["precomputed"]) and value["precomputed"] is not None
        return isinstance(value.get("not_rerun"), str)
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)
                             and math.isfinite(value))


def spread_of(exp_id, key, root=None, stored=None):
    """The stored seed statistics of one quantity (mean, sd, min, max, count, values), or None.

    ``stored``: a spread already loaded with ``load_spread`` (else the file is read).
    """
    stored = (load_spread(root) if stored is None else stored) or {}
    return stored.get("experiments", {}).get(exp_id, {}).get(key)


def describe_spread(exp_id, key, this_run=None, root=None):
    """A few lines on one quantity's seed spread, e.g. ("CE-30", "best_test").

    ``this_run`` is the value the page itself measured (same units as the file); it is
    printed beside the stored value of the registry's seed.
    """
    stored = load_spread(root) or {}
    s = spread_of(exp_id, key, stored=stored)
    if not s:
        return (f"no seed spread for {exp_id}: `python -m ch3_code.reproduce --only {exp_id}` "
                f"writes {SPREAD_FILE.as_posix()}")
    experiment = get(exp_id)
    q = experiment.quantity(key)
    u = q.unit or ""
    points = " points" if u == "%" else ""
    capped = {k: v for k, v in stored.get("settings", {}).items() if v}
    lines = [f"{SPREAD_FILE.as_posix()} (python -m ch3_code.reproduce, "
             f"{stored.get('date', 'undated')[:10]}, "
             f"{capped or 'the book settings'}):",
             f"{exp_id}'s {q.label} ({u or 'value'}) with seeds 1 to {s['count']}: "
             + " ".join(f"{v:.2f}" for v in s["values"]),
             f"  from {s['min']:.2f}{u} to {s['max']:.2f}{u}: a range of "
             f"{s['max'] - s['min']:.2f}{points}, mean {s['mean']:.2f}{u}, "
             f"sd {s['sd']:.2f}{points}"]
    seed = experiment.seed
    if this_run is not None and seed is not None and 1 <= seed <= len(s["values"]):
        lines.append(f"  seed {seed} (the registry's): {s['values'][seed - 1]:.2f}{u} in the "
                     f"file, {this_run:.2f}{u} in this page's run")
    return "\n".join(lines)


def rows(root=ROOT):
    recorded = collect(root)
    out = []
    for exp_id in ids():
        chapter, values = recorded.get(exp_id, (None, None))
        out += rows_for(get(exp_id), values, chapter)
    return out, [i for i in ids() if i not in recorded]


def scorecard_table(root=ROOT):
    """The whole scorecard as a Table (with chapter links and the seed-spread column)."""
    found, missing = rows(root)
    spread = load_spread(root)
    return Table(found, chapter_links=True, spread=spread), missing, spread


def chart(root=ROOT):
    """The reproduction chart of the scorecard's rows (a matplotlib Figure) and its alt text."""
    from . import chart as drawing  # deferred: matplotlib only for the picture
    found, _ = rows(root)
    stored = load_spread(root)

    def stats(exp_id, key):
        return spread_of(exp_id, key, stored=stored)

    return drawing.reproduction_chart(found, stats), drawing.alt_text(found, stats)


def page(root=ROOT):
    """Display the scorecard (for the book's page): a summary, the chart, then the table."""
    from IPython.display import HTML, Markdown, display  # deferred: the command line needs none
    table, missing, spread = scorecard_table(root)
    display(Markdown("\n\n".join(_summary(table, missing, spread, load_variants(root)))))
    from . import chart as drawing  # deferred: matplotlib only for the picture
    display(HTML(drawing.figure_html(*chart(root))))
    display(HTML(table._repr_html_()))


def update_page(root=ROOT):
    """Re-execute ``scorecard.ipynb`` in place, so its stored output shows the latest results."""
    import nbformat  # deferred, with nbclient: only --page executes a notebook
    from nbclient import NotebookClient
    path = Path(root, "scorecard.ipynb")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(root)}}).execute()
    nbformat.write(nb, path)
    return path


def main(argv=None):
    """The command line; ``argv`` is the list of its arguments (None: no arguments)."""
    parser = argparse.ArgumentParser(prog="python -m ch3_code.scorecard",
                                     description=__doc__.split("\n\n")[0],
                                     epilog="Nothing is trained: the chapters' recorded results "
                                     "are read and compared with the book's.")
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT,
                        help=f"the book's folder, with chapters/ (default: {ROOT})")
    parser.add_argument("--page", action="store_true",
                        help="re-execute scorecard.ipynb in place (after the chapters ran)")
    parser.add_argument("--plot", metavar="FILE", type=Path,
                        help="also write the reproduction chart to FILE (.png, .svg or .pdf)")
    args = parser.parse_args([] if argv is None else [str(a) for a in argv])
    root = args.folder
    needed = root / ("scorecard.ipynb" if args.page else "chapters")
    if not needed.exists():
        parser.error(f"{root} has no {needed.name}: give the book's folder (the one with "
                     f"chapters/ and scorecard.ipynb), or nothing for {ROOT}")
    try:  # a damaged file is named here, not deep in a traceback or in the page's output
        table, missing, spread = scorecard_table(root)
        tried = load_variants(root)
    except (SpreadFileError, RecordedResultsError, ValueError) as exc:
        print(f"python -m ch3_code.scorecard: {exc}", file=sys.stderr)
        return 1
    if args.page:
        print(f"updated {update_page(root)}")
        return 0
    print(table)
    print()
    print("\n".join(_summary(table, missing, spread, tried)))
    if args.plot:
        fig, alt = chart(root)
        fig.savefig(args.plot, dpi=120)
        print(f"\nThe reproduction chart is in {args.plot}: {alt}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
