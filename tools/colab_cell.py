"""The Colab bootstrap: the first cell of every chapter notebook. CANONICAL TEXT: ``CELL`` below.

Every chapter's first cell (a code cell tagged ``remove-cell``) must be exactly ``CELL``;
tests/test_book.py and tools/check_notebooks.py check it, and

    python tools/colab_cell.py [NOTEBOOK ...]     (default: chapters/*.ipynb)

writes it into the notebooks' first cells (nothing else in the notebook changes). To change the
cell, change ``CELL`` here and run that command. What the cell does, and why:

- Only on Colab (``google.colab`` imported) and only while ``ch3_code`` cannot be imported:
  locally, on Binder and in CI the package is installed, and the cell does nothing.
- It clones the repository (code and MNIST files) only if the folder is missing, and reuses it
  otherwise, so a run that failed after the clone (pip, the network) can simply be rerun.
- ``BRANCH`` is the one place that names the branch to fetch.
- Colab ships ipywidgets 7; installing the package brings ipywidgets 8. A running kernel keeps
  the old module, so bars and sliders may not render until the runtime restarts once: the cell
  says so in one line when the installed version differs from the one before (or from the one
  the kernel has loaded), and says nothing after the restart.
"""

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent

CELL = '''\
# Colab bootstrap (the same in every chapter: tools/colab_cell.py holds the text). On
# Colab, where `ch3_code` is missing, fetch the repository (code and MNIST files) and
# install it; rerun this cell if it failed. Locally, on Binder, in CI: it does nothing.
import importlib.metadata, importlib.util, os, subprocess, sys
BRANCH = "main"  # the branch to fetch
REPO_URL = "https://github.com/ch3-companion/nndl-ch3-companion"
REPO_DIR = "/content/nndl-ch3-companion"


def widgets_version():
    try:
        return importlib.metadata.version("ipywidgets")
    except importlib.metadata.PackageNotFoundError:
        return None


if "google.colab" in sys.modules and importlib.util.find_spec("ch3_code") is None:
    before = widgets_version()
    if not os.path.isdir(REPO_DIR):  # clone once; a rerun reuses the folder
        subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", BRANCH,
                        REPO_URL, REPO_DIR], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", REPO_DIR],
                   check=True)
    sys.path.insert(0, REPO_DIR)
    # the kernel keeps the ipywidgets it loaded (or had) before: 7 on Colab
    loaded = getattr(sys.modules.get("ipywidgets"), "__version__", before)
    after = widgets_version()
    if after is not None and after != loaded:
        print(f"ipywidgets changed ({loaded} -> {after}): restart the runtime once "
              "(Runtime > Restart session), then run the notebook from the top.")
'''


def write(paths):
    """Put ``CELL`` into the first cell of each notebook; returns the paths it changed."""
    changed = []
    for path in map(Path, paths):
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0]
        if first.cell_type != "code" or "remove-cell" not in first.metadata.get("tags", []):
            raise ValueError(f"{path}: the first cell is not the Colab bootstrap (a code cell "
                             "tagged remove-cell): add one first")
        if first.source != CELL.rstrip("\n"):
            first.source = CELL.rstrip("\n")
            nbformat.write(nb, path)
            changed.append(path)
    return changed


if __name__ == "__main__":
    targets = sys.argv[1:] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for p in write(targets):
        print(f"{p}: first cell rewritten")
