"""Execute chapter notebooks in place, for commit (`make execute`).

Committed notebooks are stored executed, with outputs, per-cell timings and widget state, so
that the book renders them without running them. `jupyter nbconvert --execute --inplace
--ExecutePreprocessor.store_widget_state=True` would run them, but two things need more:

* a saved progress bar's plain text is what tqdm printed when the bar was created
  (`epoch:   0%|          | 0/30`); JupyterLab before a run, nbval and the book without
  JavaScript show that text. It is rewritten here from the stored widget state: the bar's
  final state, e.g. `epoch: 100%|██████████| 30/30 [00:09<00:00, ...]`;
* the first markdown cell's `**Runtime:**` line is rewritten from the measured run (the sum of
  the recorded cell times, as the intro's table and the execution-statistics page compute it),
  so no runtime is typed by hand.

Runs with CH3_CHECK=strict (hidden tolerance checks assert), each notebook in its own folder
with the `python3` kernel. Exits non-zero, leaving that notebook unchanged, if a cell fails.

Usage: python tools/execute_notebooks.py [NOTEBOOK ...]     (default: chapters/*.ipynb)
"""

import argparse
import html
import os
import re
import sys
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
RUNTIME_LINE = re.compile(r"^\*\*Runtime:\*\*.*?(?=\n\s*\n|\Z)", re.M | re.S)


def _seconds(timing, key):
    try:
        return datetime.fromisoformat(timing[key].replace("Z", "+00:00")).timestamp()
    except (KeyError, AttributeError, ValueError):
        return None


def recorded_runtime(nb):
    """Seconds spent running the code cells, from their recorded timings (None if none)."""
    total, found = 0.0, False
    for cell in nb.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        start = _seconds(timing, "iopub.execute_input")
        stop = _seconds(timing, "shell.execute_reply")
        if cell.cell_type == "code" and start is not None and stop is not None:
            total, found = total + max(0.0, stop - start), True
    return total if found else None


def widget_text(state, model_id):
    """The plain text of a stored widget: a tqdm bar (HBox of HTML, progress, HTML) as tqdm
    prints it at the end; None for other widgets."""
    model = state.get(model_id, {})
    children = [state.get(c.replace("IPY_MODEL_", ""), {})
                for c in model.get("state", {}).get("children", [])]
    names = [c.get("model_name") for c in children]
    if model.get("model_name") != "HBoxModel" or names != ["HTMLModel", "FloatProgressModel",
                                                           "HTMLModel"]:
        return None
    left, bar, right = (c.get("state", {}) for c in children)
    total, value = bar.get("max") or 0, bar.get("value") or 0
    filled = min(10, int(10 * value / total)) if total else 0
    text = f"{left.get('value', '')}|{'█' * filled}{' ' * (10 - filled)}|{right.get('value', '')}"
    return html.unescape(text).replace("\u2007", " ")


def final_progress_text(nb):
    """Replace each progress bar's saved text/plain by its final state."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                text = widget_text(state, data[WIDGET_VIEW].get("model_id"))
                if text:
                    data["text/plain"] = text


def whole_minutes(seconds):
    """A runtime to the nearest minute (65 s: 1), or 0 for under 45 s ("under a minute").

    The chapters' runtime lines and the intro's table (book_ext.minutes) both round this way.
    """
    return 0 if seconds < 45 else max(1, round(seconds / 60))


def runtime_sentence(seconds):
    """The runtime paragraph, with the seconds rounded by whole_minutes."""
    minutes = whole_minutes(seconds)
    rounded = ("under a minute" if minutes == 0 else "about a minute" if minutes == 1
               else f"about {minutes} minutes")
    return (f"**Runtime:** {rounded} top to bottom on a {os.cpu_count()}-core machine "
            f"({seconds:.0f} s measured by `make execute`).")


def write_runtime_line(nb):
    """Rewrite the `**Runtime:**` paragraph of the first markdown cell; False if it has none."""
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    seconds = recorded_runtime(nb)
    if first is None or seconds is None or not RUNTIME_LINE.search(first.source):
        return False
    first.source = RUNTIME_LINE.sub(runtime_sentence(seconds), first.source, count=1)
    return True


def execute(path, timeout, kernel_name):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, store_widget_state=True,
                   record_timing=True, resources={"metadata": {"path": str(path.parent)}}
                   ).execute()
    nb.metadata.setdefault("kernelspec", {}).update(
        {"name": kernel_name, "display_name": "Python 3 (ipykernel)", "language": "python"})
    final_progress_text(nb)
    if not write_runtime_line(nb):
        print(f"  WARNING: no `**Runtime:**` line in the first markdown cell", file=sys.stderr)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return recorded_runtime(nb)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    parser.add_argument("--kernel", default="python3")
    args = parser.parse_args(argv)
    os.environ["CH3_CHECK"] = "strict"  # the kernel inherits it (COMMON decision 5)
    notebooks = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    failed = []
    for path in notebooks:
        print(f"executing {path} ...", flush=True)
        try:
            seconds = execute(path.resolve(), args.timeout, args.kernel)
        except CellExecutionError as exc:
            failed.append(str(path))
            print(f"FAILED {path}:\n{exc}", file=sys.stderr)
            continue
        print(f"  done: {seconds:.0f} s in cells, {path.stat().st_size / 1e6:.2f} MB")
    if failed:
        print("FAILED: " + " ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
