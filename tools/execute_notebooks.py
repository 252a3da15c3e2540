"""Execute chapter notebooks in place, for commit (`make execute`).

Committed notebooks are stored executed: with their outputs, per-cell timings and the state of
their Jupyter widgets (the progress bars), so that the book can render them without running them
again and the widgets show in the HTML. This runs each notebook top to bottom with nbclient in
its own folder, with the `python3` kernel of this environment, and writes it back.

Usage: python tools/execute_notebooks.py [NOTEBOOK ...]     (default: chapters/*.ipynb)
Exits non-zero, leaving the notebook unchanged, if a cell fails.
"""

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
MAX_BYTES = 3_000_000


def execute(path, timeout, kernel_name):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=True,
        allow_errors=False,
    )
    client.execute()
    nb.metadata.setdefault("kernelspec", {}).update(
        {"name": kernel_name, "display_name": "Python 3 (ipykernel)", "language": "python"}
    )
    stderr = [
        i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
        for out in cell.outputs if out.get("output_type") == "stream" and out.get("name") == "stderr"
    ]
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return stderr


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    parser.add_argument("--kernel", default="python3")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    if not notebooks:
        print("no notebooks to execute")
        return 0
    failed = 0
    for path in notebooks:
        start = time.perf_counter()
        print(f"executing {path} ...", flush=True)
        try:
            stderr = execute(path.resolve(), args.timeout, args.kernel)
        except CellExecutionError as exc:
            failed += 1
            print(f"FAILED {path}:\n{exc}", file=sys.stderr)
            continue
        size = path.stat().st_size
        print(f"  done in {time.perf_counter() - start:.1f} s, {size / 1e6:.2f} MB")
        if stderr:
            print(f"  WARNING: stderr output in cells {sorted(set(stderr))}", file=sys.stderr)
        if size > MAX_BYTES:
            print(f"  WARNING: larger than {MAX_BYTES / 1e6:.0f} MB", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
