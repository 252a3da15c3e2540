"""Checks of the book's files and of the committed chapter notebooks (no execution here).

Committed notebooks are stored executed (`make execute`): `make test` renders the book from
their outputs, so they must be complete, error-free, carry their widget state, and start with the
Colab bootstrap cell. See CONTRIBUTING.md, "Writing a chapter notebook".
"""

import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
MAX_BYTES = 3_000_000
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def load_yaml(name):
    return yaml.safe_load((ROOT / name).read_text(encoding="utf8"))


def toc_files(entries):
    for entry in entries:
        if "file" in entry:
            yield entry["file"]
        for key in ("chapters", "sections"):
            yield from toc_files(entry.get(key, []))


def test_config_essentials():
    config = load_yaml("_config.yml")
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["execute"]["timeout"] >= 600
    assert config["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    assert config["only_build_toc_files"] is True
    for pattern in ("_build", ".venv", "venv", "**/.venv"):
        assert pattern in config["exclude_patterns"]
    assert {"dollarmath", "amsmath"} <= set(config["parse"]["myst_enable_extensions"])
    assert config["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"]
    assert config["bibtex_bibfiles"] == ["references.bib"]
    assert config["repository"]["url"].startswith("https://github.com/")
    assert config["launch_buttons"]["notebook_interface"] == "jupyterlab"
    assert config["launch_buttons"]["binderhub_url"] and config["launch_buttons"]["colab_url"]
    extensions = config["sphinx"].get("extra_extensions") or []
    assert "sphinx.ext.intersphinx" not in extensions


def test_toc_structure():
    toc = load_yaml("_toc.yml")
    assert toc["root"] == "intro"
    chapter_part = toc["parts"][0]
    assert chapter_part["caption"] == "Chapter 3" and chapter_part["numbered"] is True
    back = list(toc_files(toc["parts"][1:]))
    assert "references" in back and "exec_stats" in back
    assert "nb-exec-table" in (ROOT / "exec_stats.md").read_text()


def test_every_chapter_notebook_is_in_the_toc():
    listed = set(toc_files(load_yaml("_toc.yml")["parts"]))
    unlisted = [nb.name for nb in NOTEBOOKS if f"chapters/{nb.stem}" not in listed]
    assert not unlisted, f"notebooks missing from _toc.yml: {unlisted}"


def test_chapter_titles_are_not_numbered_twice():
    # the "Chapter 3" part is `numbered: true`: Sphinx puts "1." ... "7." before each chapter's
    # title, so a title of its own "0. Getting started" shows as "1. 0. Getting started"
    if not load_yaml("_toc.yml")["parts"][0].get("numbered"):
        pytest.skip("the chapters part is not numbered")
    twice = []
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        title = next((line for cell in nb.cells if cell.cell_type == "markdown"
                      for line in cell.source.splitlines() if line.startswith("# ")), "")
        if re.match(r"# \d+[.:)]? ", title):
            twice.append(f"{path.name}: {title!r}")
    assert not twice, "titles numbered by hand, and again by the toc: " + "; ".join(twice)


def test_binder_files():
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"
    assert not (ROOT / "binder").exists(), "a binder/ folder hides the root files from Binder"
    requirements = (ROOT / "requirements.txt").read_text()
    assert re.search(r"^jupyter-book==1\.", requirements, re.M)
    pins = [line for line in requirements.splitlines()
            if line.strip() and not line.startswith(("#", "-e"))]
    assert all("==" in line for line in pins), "requirements.txt pins every package"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
class TestCommittedNotebook:
    def test_executed_without_errors_or_warnings(self, path):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        counts = [c.execution_count for c in code]
        assert None not in counts, "unexecuted code cells: run `make execute` before committing"
        assert counts == list(range(1, len(code) + 1)), f"not run top to bottom: {counts}"
        for i, cell in enumerate(code):
            for out in cell.outputs:
                assert out.output_type != "error", f"code cell {i} has an error output"
                if out.output_type == "stream" and out.name == "stderr":
                    pytest.fail(f"code cell {i} wrote to stderr: {out.text[:300]!r}")

    def test_size(self, path):
        assert path.stat().st_size < MAX_BYTES, f"{path.name} is over {MAX_BYTES / 1e6:.0f} MB"

    def test_widget_state_stored(self, path):
        nb = nbformat.read(path, as_version=4)
        views = {out["data"][WIDGET_VIEW]["model_id"]
                 for cell in nb.cells if cell.cell_type == "code"
                 for out in cell.outputs if WIDGET_VIEW in out.get("data", {})}
        if not views:
            return
        state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
        missing = views - set(state)
        assert not missing, f"widget state missing for {len(missing)} view(s): run `make execute`"

    def test_colab_bootstrap_first_cell(self, path):
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0]
        assert first.cell_type == "code", "the first cell is the Colab bootstrap code cell"
        assert "remove-cell" in first.metadata.get("tags", []), "tag it remove-cell"
        # it acts only where ch3_code is missing, and installs this repository with pip
        repo = load_yaml("_config.yml")["repository"]["url"].rstrip("/")
        assert 'find_spec("ch3_code") is None' in first.source
        assert repo in first.source and "pip" in first.source and "install" in first.source

    def test_python3_kernel(self, path):
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata.get("kernelspec", {}).get("name") == "python3"

