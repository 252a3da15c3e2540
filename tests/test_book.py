"""Checks of the book's files and of the committed chapter notebooks (no execution here).

Committed notebooks are stored executed (`make execute`): `make test` renders the book from
their outputs, so they must be complete, error-free, carry their widget state, and start with the
Colab bootstrap cell. See CONTRIBUTING.md, "Writing a chapter notebook".
"""

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import check_notebooks  # noqa: E402
import colab_cell  # noqa: E402
import execute_notebooks  # noqa: E402
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
    # the book renders the committed notebooks; `make execute` is the one way to run them
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["execute"]["timeout"] >= 600
    sphinx = config["sphinx"]["config"]
    assert sphinx["nb_execution_raise_on_error"] is True
    # markdown outputs (tables) parsed as MyST, not CommonMark (which has no tables)
    assert sphinx["nb_render_markdown_format"] in ("myst", "gfm")
    # one top bar: pydata-sphinx-theme's header appears unless navbar_persistent is set
    assert config["sphinx"]["recursive_update"] is True
    assert sphinx["html_theme_options"]["navbar_persistent"] == []
    assert config["only_build_toc_files"] is True
    for pattern in ("_build", ".venv", "venv", "**/.venv"):
        assert pattern in config["exclude_patterns"]
    assert {"dollarmath", "amsmath"} <= set(config["parse"]["myst_enable_extensions"])
    assert "macros" not in sphinx["mathjax3_config"]["tex"], "standard LaTeX only (decision 8)"
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
    # Binder builds from binder/ (its lean environment: tests/test_binder.py); the root
    # requirements.txt is the full, pinned tool chain of make book and make test
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
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

    def test_colab_bootstrap_is_the_canonical_text(self, path):
        """One text in all eight notebooks: tools/colab_cell.py writes it."""
        assert nbformat.read(path, as_version=4).cells[0].source == colab_cell.CELL.rstrip("\n")

    def test_hidden_input_is_collapsed_in_lab_too(self, path):
        """A check cell hidden in the book (hide-input) must not show its answer in Lab."""
        nb = nbformat.read(path, as_version=4)
        open_in_lab = [n for n, cell in enumerate(nb.cells, 1)
                       if "hide-input" in cell.metadata.get("tags", [])
                       and not cell.metadata.get("jupyter", {}).get("source_hidden")]
        assert not open_in_lab, (f"cells {open_in_lab}: run python tools/check_notebooks.py "
                                 f"--fix-lab {path.name}")

    def test_no_answer_in_visible_exercise_code(self, path):
        nb = nbformat.read(path, as_version=4)
        shown = answers_shown(nb.cells)
        assert not shown, f"visible exercise code gives the answer away: {shown}"

    def test_python3_kernel(self, path):
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata.get("kernelspec", {}).get("name") == "python3"



def test_book_serves_its_own_javascript():
    """MathJax, RequireJS and the widget manager load from _static/vendor (tools/book_ext.py
    copies them there from the npm packages pinned in tests/browser/package.json)."""
    sphinx = load_yaml("_config.yml")["sphinx"]["config"]
    scripts = [sphinx["mathjax_path"], *sphinx["nb_ipywidgets_js"]]
    assert not [s for s in scripts if "//" in s], f"CDN URLs in the book: {scripts}"
    package = json.loads((ROOT / "tests" / "browser" / "package.json").read_text())
    import book_ext

    pinned = package["dependencies"]
    assert set(book_ext.VENDOR) <= set(pinned)
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in pinned.values()), pinned
    folders = {folder: parts for folder, parts in book_ext.VENDOR.values()}
    for script in scripts:
        folder, rest = script.split("/")[1], script.split("/", 2)[2]
        assert folder in folders and rest.split("/")[0] in folders[folder], script
    # matplotlib's animation HTML loads Font Awesome 4.4 from a CDN: rewritten to the copy
    url = "https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css"
    assert book_ext.FONT_AWESOME_URL.fullmatch(url)


def _bar_state(value, total, left="epoch:\u2007100%", right="\u20073/3\u2007[00:01&lt;00:00]"):
    ids = ["l", "b", "r"]
    return {
        "box": {"model_name": "HBoxModel",
                "state": {"children": [f"IPY_MODEL_{i}" for i in ids]}},
        "l": {"model_name": "HTMLModel", "state": {"value": left}},
        "b": {"model_name": "FloatProgressModel", "state": {"value": value, "max": total}},
        "r": {"model_name": "HTMLModel", "state": {"value": right}},
    }


def test_progress_bar_text_is_its_final_state():
    text = execute_notebooks.widget_text(_bar_state(3.0, 3.0), "box")
    assert text == "epoch: 100%|██████████| 3/3 [00:01<00:00]"
    half = execute_notebooks.widget_text(_bar_state(5.0, 10.0, "epoch:  50%", " 5/10"), "box")
    assert half == "epoch:  50%|█████     | 5/10"
    assert execute_notebooks.widget_text({"x": {"model_name": "FloatSliderModel"}}, "x") is None

    nb = nbformat.v4.new_notebook()
    out = nbformat.v4.new_output("display_data", data={
        "text/plain": "epoch:   0%|          | 0/3",
        WIDGET_VIEW: {"model_id": "box", "version_major": 2, "version_minor": 0}})
    nb.cells = [nbformat.v4.new_code_cell("train()", outputs=[out])]
    nb.metadata["widgets"] = {WIDGET_STATE: {"state": _bar_state(3.0, 3.0)}}
    execute_notebooks.final_progress_text(nb)
    assert nb.cells[0].outputs[0]["data"]["text/plain"].startswith("epoch: 100%|█")


def _timed_cell(start, stop):
    return nbformat.v4.new_code_cell("x = 1", metadata={"execution": {
        "iopub.execute_input": f"2026-01-01T00:{start}Z",
        "shell.execute_reply": f"2026-01-01T00:{stop}Z"}})


def test_runtime_line_is_rewritten_from_the_recorded_times():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# T\n\nIntro.\n\n**Runtime:** about 9 minutes,\ntyped.\n\nMore."),
        _timed_cell("00:00.000", "01:30.000"),  # 90 s
        _timed_cell("02:00.000", "02:20.500"),  # 20.5 s
    ]
    assert execute_notebooks.recorded_runtime(nb) == pytest.approx(110.5)
    assert execute_notebooks.write_runtime_line(nb)
    source = nb.cells[0].source
    assert "about 2 minutes" in source and "110 s measured by `make execute`" in source
    assert "typed" not in source and source.endswith("\n\nMore.") and "Intro." in source
    for seconds, words in ((20, "under a minute"), (65, "about a minute"),
                           (129, "about 2 minutes"), (151, "about 3 minutes")):
        assert f"**Runtime:** {words} top" in execute_notebooks.runtime_sentence(seconds)
    nb.cells[0].source = "# T\n\nno runtime line"
    assert not execute_notebooks.write_runtime_line(nb)


def test_book_runtimes_are_computed_not_typed():
    import book_ext

    def minutes(seconds):
        words = book_ext.minutes(seconds)
        assert "\u00a0min" in words  # the number stays with its unit in the intro's table
        return words.replace("\u00a0", " ")
    assert minutes(40) == "under 1 min" and minutes(65) == "about 1 min"
    assert minutes(129) == "about 2 min" and minutes(560) == "about 9 min"
    intro = (ROOT / "intro.md").read_text(encoding="utf8")
    rows = [line for line in intro.splitlines() if line.startswith("| [")]
    assert rows and all("{nb-runtime}`chapters/" in row for row in rows)
    assert not re.search(r"\b(about|under) \d+ min", intro), "a runtime typed in intro.md"


KNOWN_MYSTNB_KEYS = {"figure": {"caption", "name", "classes", "align", "caption_before"},
                     "image": {"alt", "width", "height", "classes", "scale", "align"}}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_figure_metadata_is_what_myst_nb_reads(path):
    """Captions and alt text (decision 11) only work under the keys myst-nb reads: a typo is
    silently ignored, and the figure keeps its file name as alt text."""
    nb = nbformat.read(path, as_version=4)
    wrong = []
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("mystnb", {})
        for key, allowed in KNOWN_MYSTNB_KEYS.items():
            extra = set(meta.get(key, {})) - allowed
            if extra:
                wrong.append(f"cell {i}: mystnb.{key}.{sorted(extra)}")
        if meta.get("figure") and not meta.get("image", {}).get("alt"):
            wrong.append(f"cell {i}: a figure caption but no mystnb.image.alt")
    assert not wrong, "; ".join(wrong)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_nbval_comments(path):
    """nbval markers are cell tags (decision 7): `# NBVAL_...` comments show in the book."""
    nb = nbformat.read(path, as_version=4)
    found = [i for i, cell in enumerate(nb.cells) if "NBVAL" in cell.source]
    assert not found, f"NBVAL text in cells {found}: use the tag nbval-check-output instead"


# ---- links to the book's chapter 3 page, and numbers in captions and alt texts ----

BOOK_PAGE = "http://neuralnetworksanddeeplearning.com/chap3.html"
TARGETS = ROOT.parent / "shared" / "reference" / "nielsen_ch3_targets.md"
# [text](url) or a bare url; an anchor may hold an apostrophe ("network's")
BOOK_LINK = re.compile(r"\[([^\]]*)\]\(" + re.escape(BOOK_PAGE) + r"(#[\w'\-]*)?\)"
                       r"|" + re.escape(BOOK_PAGE) + r"(#[\w'\-]*)?")


def book_anchors(text):
    """The anchors listed under "Linking to the book's sections" (`#a` ... `#b3` ranges too)."""
    section = text.split("## Linking to the book's sections", 1)[1]
    anchors = set(re.findall(r"`(#[\w'\-]+)`", section))
    for stem, first, last in re.findall(r"`#([a-z_]+?)(\d+)` \.\.\. `#\1(\d+)`", section):
        anchors |= {f"#{stem}{k}" for k in range(int(first), int(last) + 1)}
    return anchors


def unanchored_or_unknown(text, anchors):
    """Links to the chapter page whose anchor is missing or not one of ``anchors``; a link
    without one is allowed only where its text names the whole chapter ("Chapter 3")."""
    bad = []
    for m in BOOK_LINK.finditer(text):
        label, anchor = m.group(1), m.group(2) if m.group(1) is not None else m.group(3)
        if anchor is None and label is not None and re.search(r"chapter 3", label, re.I):
            continue
        if anchor not in anchors:
            bad.append(f"{label!r} -> {anchor or '(no anchor)'}")
    return bad


def markdown_of(path):
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.fixture(scope="module")
def anchors():
    assert TARGETS.exists(), f"the book's anchor list is read from {TARGETS}"
    found = book_anchors(TARGETS.read_text(encoding="utf8"))
    assert {"#softmax", "#momentum", "#saturation3",
            "#how_to_choose_a_neural_network's_hyper-parameters"} <= found
    return found


def test_the_link_check_finds_a_missing_or_unknown_anchor(anchors):
    good = f"[Softmax]({BOOK_PAGE}#softmax), [Chapter 3 of the book]({BOOK_PAGE})"
    assert not unanchored_or_unknown(good, anchors)
    assert unanchored_or_unknown(f"[Softmax]({BOOK_PAGE})", anchors)
    assert unanchored_or_unknown(f"[Softmax]({BOOK_PAGE}#soft_max)", anchors)
    assert unanchored_or_unknown(f'URL = "{BOOK_PAGE}"', anchors)


@pytest.mark.parametrize("path", [*NOTEBOOKS, ROOT / "scorecard.ipynb", ROOT / "intro.md"],
                         ids=lambda p: p.name)
def test_book_links_carry_an_anchor_of_the_book(path, anchors):
    text = path.read_text(encoding="utf8") if path.suffix == ".md" else markdown_of(path)
    bad = unanchored_or_unknown(text, anchors)
    assert not bad, f"{path.name}: links to the book without a valid anchor: {bad}"


def test_registry_links_carry_an_anchor_of_the_book(anchors):
    from ch3_code import registry

    bad = [f"{exp.id}: {exp.book_url}" for exp in registry.experiments().values()
           if exp.book_url.removeprefix(BOOK_PAGE) not in anchors]
    for name in ("results.py", "later_results.py"):
        source = (ROOT / "ch3_code" / "book" / name).read_text(encoding="utf8")
        bad += unanchored_or_unknown(source, anchors)
    assert not bad, f"registry links without a valid anchor: {bad}"


NUMBER = re.compile(r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w])")
# a number with one of these after it is a measurement, which only an output can back
MEASURED = re.compile(r"\s?(%|percent\b|points?\b|s\b|seconds?\b)")


def numbers_in(text):
    """(token, value, decimals, measured) for each number written in ``text``."""
    found = []
    for m in NUMBER.finditer(text):
        token = m.group().replace("−", "-").replace(",", "")
        decimals = len(token.split(".")[1]) if "." in token else 0
        measured = bool(MEASURED.match(text, m.end()))
        found.append((m.group(), float(token), decimals, measured))
    return found


def printed_numbers(nb):
    """Every number in the text outputs of the notebook's code cells (fractions also as %)."""
    values = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            texts = [out.get("text", "")]
            texts += [out.get("data", {}).get(k, "") for k in ("text/plain", "text/markdown")]
            for text in texts:
                text = text if isinstance(text, str) else "".join(text)
                values += [v for _, v, _, _ in numbers_in(text)]
    return values + [100 * v for v in values if abs(v) <= 1]


def setting_numbers(nb):
    """Numbers the page sets rather than measures: literals in its code, registry configs."""
    from ch3_code import registry

    values = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            values |= {float(t.replace("_", "")) for t in
                       re.findall(r"(?<![\w.])\d[\d_]*(?:\.\d+)?(?![\w.])", cell.source)}

    def leaves(value):
        if isinstance(value, (list, tuple)):
            for v in value:
                yield from leaves(v)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            yield float(value)
    for exp in registry.experiments().values():
        values |= set(leaves(list(exp.config.values())))
        for run in exp.runs.values():
            values |= set(leaves(list(run.values())))
    return values


def unbacked_numbers(text, printed, settings):
    """Numbers of a caption or alt text that no output of the page prints (to the digits
    quoted) and, unless they carry a unit of a measurement, no setting of the page gives."""
    bad = []
    for token, q, decimals, measured in numbers_in(text):
        half = 0.5 * 10 ** -decimals + 1e-9
        if any(abs(v - q) <= half for v in printed):
            continue
        if not measured and any(abs(abs(q) - s) < 1e-9 for s in settings):
            continue
        bad.append(token + (" (measured)" if measured else ""))
    return bad


def test_the_number_check_finds_a_number_the_page_does_not_print():
    printed = [3.631, 0.334, 95.62, 88.21]
    assert not unbacked_numbers("about 3.6 s at m = 1, 0.33 s, near 96%, 88 percent",
                                printed, {1.0})
    assert unbacked_numbers("about 2.6 s at m = 1", printed, {1.0}) == ["2.6 (measured)"]
    assert unbacked_numbers("flat below 0.2 s", printed, {0.2})        # a setting is no time
    assert not unbacked_numbers("eta = 0.2, m = 1", printed, {0.2, 1.0})
    assert unbacked_numbers("from 93.5% to 97.1%", printed, set()) == ["93.5 (measured)",
                                                                      "97.1 (measured)"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_captions_and_alt_texts_quote_numbers_the_page_prints(path):
    """A caption or alt text written in the cell's metadata is not recomputed by a rerun: each
    number in it must be one the page prints (to the digits quoted) or one it sets. Alt texts
    that code writes into an output (the animations, the explorers) are computed and exempt."""
    nb = nbformat.read(path, as_version=4)
    printed, settings = printed_numbers(nb), setting_numbers(nb)
    bad = []
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("mystnb", {})
        for kind, text in (("caption", meta.get("figure", {}).get("caption")),
                           ("alt", meta.get("image", {}).get("alt"))):
            found = unbacked_numbers(text or "", printed, settings)
            if found:
                bad.append(f"cell {i} {kind}: {found}")
    assert not bad, (f"{path.name}: numbers in captions or alt texts that the page does not "
                     "print: " + "; ".join(bad))


HIDES_INPUT = {"hide-input", "remove-input", "hide-cell", "remove-cell"}
# what gives an answer away in code a learner sees: a comparison with a number
# (`answer == 71`) or a reference value or implementation (`expected = ...`, `def _reference`)
ANSWER = re.compile(r"==\s*-?\d|\b(?:def\s+)?_?(?:reference|expected)\w*\s*[=(]")


def answers_shown(cells):
    """[(cell number, text)] of visible code in an exercise section that shows an answer."""
    shown, in_exercises = [], False
    for n, cell in enumerate(cells, 1):
        if cell.cell_type == "markdown":
            for heading in re.findall(r"^##\s+(.*)$", cell.source, re.M):
                in_exercises = heading.strip().lower().startswith("exercises")
            continue
        if in_exercises and cell.cell_type == "code" and not HIDES_INPUT & set(
                cell.metadata.get("tags", [])):
            shown += [(n, m.group(0)) for m in ANSWER.finditer(cell.source)]
    return shown


def test_the_answer_check_finds_a_visible_answer():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    hidden = code("expected = 71")
    hidden.metadata["tags"] = ["hide-input"]
    cells = [md("## Exercises"), code("if answer == 71:\n    print('correct!')"),
             code("def reference(h):\n    return 1"), hidden, md("## Summary"),
             code("x == 1")]
    assert answers_shown(cells) == [(2, "== 7"), (3, "def reference(")]


def test_colab_cell_reruns_and_asks_for_one_restart(monkeypatch, capsys):
    """The bootstrap on a simulated Colab: the first run clones and installs; a rerun after a
    failed pip reuses the folder; a changed ipywidgets asks for one restart; BRANCH is used."""
    import importlib.metadata
    import importlib.util
    import os
    import subprocess
    import types

    calls, folders, versions = [], set(), iter(["7.7.1", "8.1.5"])

    def run(args, check):
        calls.append(args)
        if args[:2] == ["git", "clone"]:
            folders.add(args[-1])
        elif "pip" in args and len(calls) == 2:
            raise subprocess.CalledProcessError(1, args)   # the first pip fails

    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.delitem(sys.modules, "ipywidgets", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.setattr(os.path, "isdir", lambda path: path in folders)
    monkeypatch.setattr(importlib.metadata, "version", lambda name: next(versions))
    monkeypatch.setattr(sys, "path", list(sys.path))
    with pytest.raises(subprocess.CalledProcessError):
        exec(colab_cell.CELL, {})
    assert calls[0][:2] == ["git", "clone"] and "main" in calls[0]
    versions = iter(["7.7.1", "8.1.5"])
    exec(colab_cell.CELL, {})
    assert [c[:2] for c in calls[2:]] == [[sys.executable, "-m"]]  # no second clone
    assert "restart the runtime once" in capsys.readouterr().out


def test_check_notebooks_wants_hide_input_collapsed_in_lab():
    cell = {"cell_type": "code", "source": "", "metadata": {"tags": ["hide-input"]}}
    assert list(check_notebooks.check_lab_metadata([(3, cell)]))
    cell["metadata"]["jupyter"] = {"source_hidden": True}
    assert not list(check_notebooks.check_lab_metadata([(3, cell)]))


# ---- chapter 07's map of BP1-BP4: every function it names exists and holds the lines it quotes ----

MAP_HEADING = "### The map: BP1-BP4 in every form"
MAP_FORMS = {"column form": "ch3_code.book_backprop.", "row form": "ch3_code.network.NN2.",
             "compiled": "ch3_code.internals.compiled_steps."}
CH3_NAME = re.compile(r"`(ch3_code(?:\.\w+)+)`")


def map_text(path=ROOT / "chapters" / "07_the_code.ipynb"):
    nb = nbformat.read(path, as_version=4)
    found = [c.source for c in nb.cells if c.cell_type == "markdown" and MAP_HEADING in c.source]
    assert len(found) == 1, f"{path.name}: one markdown cell headed {MAP_HEADING!r}"
    return found[0]


def map_entries(text):
    """{equation: [bullet, ...]} from the map's "**BP1**: ..." paragraphs and their bullets."""
    entries, current = {}, None
    for line in text.splitlines():
        head = re.match(r"\*\*(.+?)\*\*", line)
        if head:
            current = entries.setdefault(head.group(1), [])
        elif current is not None and line.startswith("- "):
            current.append(line[2:])
        elif current is not None and line.startswith("  "):
            current[-1] += " " + line.strip()
        elif not line.strip():
            current = None
    return entries


def resolve(dotted):
    """The object a dotted name such as ``ch3_code.network.NN2.gradient`` names."""
    import importlib
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        for attr in parts[k:]:
            obj = getattr(obj, attr)   # AttributeError: the map names what is not there
        return obj
    raise ImportError(dotted)


def unfound_in_map(entries):
    """What the map claims that the code does not hold: a form missing from BP1-BP4, a name
    that does not import, or a quoted line (``...`` elides) absent from the functions named
    on its bullet."""
    import inspect
    problems = []
    for bp in ("BP1", "BP2", "BP3", "BP4"):
        bullets = entries.get(bp)
        if not bullets:
            problems.append(f"{bp}: not in the map")
            continue
        for form, prefix in MAP_FORMS.items():
            if not any(b.startswith(form) and prefix in b for b in bullets):
                problems.append(f"{bp}: no {form} bullet naming {prefix}...")
    for eq, bullets in entries.items():
        for bullet in bullets:
            names = CH3_NAME.findall(bullet)
            if not names:
                continue   # network2.py's lines: the book's code, not ours
            sources = []
            for name in names:
                try:
                    sources.append(" ".join(inspect.getsource(resolve(name)).split()))
                except (ImportError, AttributeError) as exc:
                    problems.append(f"{eq}: {name} ({type(exc).__name__})")
            quoted = [q for q in re.findall(r"`([^`]+)`", bullet) if not q.startswith("ch3_code")]
            for q in quoted:
                parts = [" ".join(p.split()) for p in q.split("...")]
                if sources and not any(_in_order(parts, s) for s in sources):
                    problems.append(f"{eq}: {q!r} is not in {', '.join(names)}")
    return problems


def _in_order(parts, text):
    at = 0
    for part in parts:
        at = text.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


def test_the_map_check_finds_a_missing_form_name_or_line():
    good = map_entries(map_text())
    assert not unfound_in_map(good)
    wrong_name = {**good, "BP2": [b.replace(".bp2`", ".bp_two`") for b in good["BP2"]]}
    assert any("bp_two" in p for p in unfound_in_map(wrong_name))
    wrong_line = {**good, "BP4": [b.replace("fp.inputs[l]", "fp.inputs[l + 1]")
                                  for b in good["BP4"]]}
    assert any("fp.inputs[l + 1]" in p for p in unfound_in_map(wrong_line))
    no_compiled = {**good, "BP1": [b for b in good["BP1"] if not b.startswith("compiled")]}
    assert unfound_in_map(no_compiled) == ["BP1: no compiled bullet naming "
                                           "ch3_code.internals.compiled_steps...."]


def test_chapter_07_maps_bp1_to_bp4_onto_every_form():
    """A reader finds each of BP1-BP4 in the column form (book_backprop), the row form
    (NN2.gradient) and the compiled steps, and every function and line the map quotes is in
    the code: renaming a step or changing a line without the map fails here."""
    entries = map_entries(map_text())
    assert {"BP1", "BP2", "BP3", "BP4"} <= set(entries)
    assert not unfound_in_map(entries)
