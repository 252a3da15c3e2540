"""Cheap checks of the committed notebooks, run before each commit and in the unit stage.

    python tools/check_notebooks.py [NOTEBOOK ...]   (default: chapters/*.ipynb, scorecard.ipynb)

prints one line per problem, ``path: cell N: what is wrong and how to fix it`` (N counts every
cell from 1, as JupyterLab's cell order does), and exits with 1 if there is any. The pre-commit
hook (.pre-commit-config.yaml) and tests/test_lint.py both call it, so the two cannot disagree.

Checked, reading the JSON only (no kernel, no nbformat validation: a second at most):
- every code cell executed, top to bottom (execution counts 1, 2, 3, ...): the book renders
  the stored outputs, so an unexecuted cell is a blank on the page;
- no error outputs and nothing on stderr;
- code lines at most as long as ruff's notebook line length (pyproject.toml, [tool.nbqa.addopts]);
- cell tags: known ones only (a typo such as ``hide_input`` silently does nothing), no two that
  contradict each other, and JupyterLab's own metadata (``jupyter.source_hidden``,
  ``jupyter.outputs_hidden``, ``collapsed``) hiding only what the book hides too;
- the other way round: a ``hide-input`` cell (an exercise's check, an explorer's code) is also
  collapsed in JupyterLab (``jupyter.source_hidden``), or Lab shows the answer the book hides.
  ``python tools/check_notebooks.py --fix-lab [NOTEBOOK ...]`` sets it for every such cell;
- the first cell of a chapter is the canonical Colab bootstrap (tools/colab_cell.py);
- no figure wider than 800 pixels (``MAX_FIGURE_PX``): a phone shows every figure at the
  column's width, about 358 of 390 pixels, so the book style's 13-point text (18 pixels at
  100 dpi) falls below 8 pixels on a wider one; panels side by side go one above the other.
"""

import base64
import json
import re
import struct
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from colab_cell import CELL as COLAB_CELL  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = sorted((ROOT / "chapters").glob("*.ipynb")) + [ROOT / "scorecard.ipynb"]

# myst-nb's display tags, nbval's, and the project's own (CONTRIBUTING.md, the Lab test)
MYST_NB_TAGS = {"remove-cell", "remove-input", "remove-output", "remove-stdout", "remove-stderr",
                "hide-cell", "hide-input", "hide-output", "full-width", "margin",
                "scroll-output", "scroll-input"}
NBVAL_TAGS = {"nbval-check-output", "nbval-ignore-output", "nbval-skip"}
PROJECT_TAGS = {"training", "knobs", "explorer"}
KNOWN_TAGS = MYST_NB_TAGS | NBVAL_TAGS | PROJECT_TAGS
# pairs that ask for two different things: which one is meant is a guess
CONFLICTS = [("hide-input", "remove-input"), ("hide-output", "remove-output"),
             ("hide-cell", "remove-cell"), ("nbval-check-output", "nbval-ignore-output"),
             ("nbval-check-output", "nbval-skip")]
# what hides a cell's input / output in the book (a Lab-collapsed part must be one of these)
HIDES_INPUT = {"hide-input", "remove-input", "hide-cell", "remove-cell"}
HIDES_OUTPUT = {"hide-output", "remove-output", "hide-cell", "remove-cell"}
# 18 px (13 pt at 100 dpi) x 358 / 800 = 8 px on a 390-px phone
MAX_FIGURE_PX = 800


def notebook_line_length(pyproject=ROOT / "pyproject.toml"):
    """ruff's --line-length for notebooks, from [tool.nbqa.addopts] (one number, one place)."""
    config = tomllib.loads(Path(pyproject).read_text(encoding="utf8"))
    args = " ".join(config["tool"]["nbqa"]["addopts"]["ruff"])
    match = re.search(r"--line-length[= ](\d+)", args)
    if match is None:
        raise ValueError(f"{pyproject}: [tool.nbqa.addopts] ruff has no --line-length")
    return int(match.group(1))


def source(cell):
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def check_execution(cells):
    code = [(i, c) for i, c in cells if c["cell_type"] == "code"]
    counts = [c.get("execution_count") for _, c in code]
    for i, cell in code:
        if cell.get("execution_count") is None:
            yield i, "code cell not executed: run `make execute` (or tools/execute_notebooks.py)"
    if None not in counts and counts != list(range(1, len(code) + 1)):
        yield None, (f"code cells not run top to bottom (execution counts {counts}): "
                     "restart the kernel and run all, or `make execute`")


def check_outputs(cells):
    for i, cell in cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                yield i, f"error output ({out.get('ename')}): fix the cell and re-execute"
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = "".join(out.get("text", ""))[:80]
                yield i, f"writes to stderr ({text!r}): silence or fix the warning, re-execute"


def check_line_length(cells, limit):
    for i, cell in cells:
        if cell["cell_type"] != "code":
            continue
        for n, line in enumerate(source(cell).splitlines(), 1):
            if len(line) > limit:
                yield i, f"line {n} has {len(line)} characters (at most {limit}): wrap it"


def check_tags(cells):
    for i, cell in cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            yield i, f"tags must be a list of strings, not {tags!r}"
            continue
        for tag in sorted(set(tags) - KNOWN_TAGS):
            yield i, (f"unknown tag {tag!r} (a typo? known tags are listed in "
                      "tools/check_notebooks.py: add a new one there)")
        if len(set(tags)) < len(tags):
            yield i, f"a tag is repeated: {tags}"
        for a, b in CONFLICTS:
            if a in tags and b in tags:
                yield i, f"tags {a!r} and {b!r} contradict each other: keep one"


def check_lab_metadata(cells):
    for i, cell in cells:
        meta = cell.get("metadata", {})
        tags = set(meta.get("tags", []))
        lab = meta.get("jupyter", {})
        if lab.get("source_hidden") and not tags & HIDES_INPUT:
            yield i, ("collapsed in JupyterLab (jupyter.source_hidden) but shown in the book: "
                      "tag it hide-input, or expand it in Lab")
        outputs_hidden = lab.get("outputs_hidden")
        if outputs_hidden and not tags & HIDES_OUTPUT:
            yield i, ("outputs collapsed in JupyterLab (jupyter.outputs_hidden) but shown in "
                      "the book: tag it hide-output, or expand them in Lab")
        if "hide-input" in tags and not lab.get("source_hidden"):
            yield i, ("tagged hide-input (hidden in the book) but expanded in JupyterLab: set "
                      "jupyter.source_hidden (python tools/check_notebooks.py --fix-lab)")
        collapsed = meta.get("collapsed")
        if collapsed is not None and outputs_hidden is not None and collapsed != outputs_hidden:
            yield i, (f"metadata collapsed={collapsed} but jupyter.outputs_hidden="
                      f"{outputs_hidden}: open and save it in JupyterLab to make them agree")


def png_width(data):
    """The width of a base64 PNG, from its IHDR chunk (bytes 16-20)."""
    return struct.unpack(">I", base64.b64decode(data[:44])[16:20])[0]


def check_figure_width(cells):
    for i, cell in cells:
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            width = png_width("".join(png)) if png else 0
            if width > MAX_FIGURE_PX:
                yield i, (f"a figure {width} pixels wide (at most "
                          f"{MAX_FIGURE_PX}): its text is below 8 pixels on a phone; put the "
                          "panels one above the other (about 7 inches wide at most)")


def check_colab_cell(cells):
    if not cells:
        return
    i, first = cells[0]
    if first["cell_type"] != "code" or source(first).rstrip("\n") != COLAB_CELL.rstrip("\n"):
        yield i, ("the first cell is not the canonical Colab bootstrap: run "
                  "`python tools/colab_cell.py` to write it")


def fix_lab(path):
    """Collapse in JupyterLab every hide-input cell of the notebook at ``path``; returns the
    cell numbers changed. Only that metadata is written: outputs and the rest are kept."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    changed = [n for n, cell in enumerate(nb.cells, 1)
               if "hide-input" in cell.metadata.get("tags", [])
               and not cell.metadata.get("jupyter", {}).get("source_hidden")]
    for n in changed:
        nb.cells[n - 1].metadata.setdefault("jupyter", {})["source_hidden"] = True
    if changed:
        nbformat.write(nb, path)
    return changed


def problems(nb, limit, chapter=True):
    """All problems of one notebook (its parsed JSON), as (cell number or None, message)."""
    cells = list(enumerate(nb.get("cells", []), 1))
    if chapter:
        yield from check_colab_cell(cells)
    yield from check_execution(cells)
    yield from check_outputs(cells)
    yield from check_line_length(cells, limit)
    yield from check_tags(cells)
    yield from check_lab_metadata(cells)
    yield from check_figure_width(cells)


def check(paths, limit=None):
    """Lines ``path: cell N: message`` for every problem in the notebooks at `paths`."""
    limit = notebook_line_length() if limit is None else limit
    lines = []
    for path in map(Path, paths):
        nb = json.loads(path.read_text(encoding="utf8"))
        for cell, message in problems(nb, limit, chapter=path.parent.name == "chapters"):
            where = f"{path}: cell {cell}" if cell is not None else f"{path}"
            lines.append(f"{where}: {message}")
    return lines


def main(argv=None):
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["--fix-lab"]:
        for path in args[1:] or DEFAULT:
            for n in fix_lab(path):
                print(f"{path}: cell {n}: collapsed in JupyterLab (jupyter.source_hidden)")
        return 0
    paths = args or DEFAULT
    lines = check(paths)
    print("\n".join(lines) if lines else f"{len(paths)} notebook(s): no problems")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
