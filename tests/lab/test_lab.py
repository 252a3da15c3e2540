"""A real JupyterLab, driven by headless Chromium as a learner would use it (`make test-lab`).

The test starts its own JupyterLab server on 127.0.0.1 (a free port, a random token, settings
and workspaces in a temporary folder, the chapters copied there so that nothing in the
repository is changed), opens chapters in Chromium, runs cells through JupyterLab's own "run
cell" command in a real kernel, and looks at what JupyterLab draws. Every request that leaves
127.0.0.1 is blocked (a learner offline, CI without internet). It checks:

* rendered markdown: no raw MyST (``:class:``, ``{admonition}``, ``{cite}``, a ``(label)=``
  line, a ```` ```{ ```` fence) and no math error (MathJax or KaTeX) in any markdown cell;
* the first training run, shortened: a graphical progress bar appears while it runs and ends
  full (not red); the analysis cells after it run without an error; then a knob is changed
  (fewer epochs, another eta) and the training cell, the analysis cells and every later
  code cell run again without an error (an error output, or a traceback on stderr);
* an explorer: moving one of its sliders (typing a value into its readout, as a user can)
  changes its figure;
* saved outputs before the kernel has run anything: an explorer made with ``ch3_code.explore``
  shows its picture (not ``HBox(children=...)``), and chapter explorers do too;
* every chapter opened untrusted (as from a clone, GitHub or Binder before running): every
  animation and every explorer shows a picture (a loaded image, no broken one), and every cell
  tagged ``hide-input`` (an exercise's check) is collapsed as in the book (its
  ``jupyter.source_hidden`` metadata: JupyterLab shows the collapsed-input placeholder);
* a saved notebook keeps its widget state (make lab's and Binder's ``saveState`` default,
  binder/overrides.json): a progress bar saved and reopened is drawn, not "Error displaying
  widget: model not found";
* chapter 00's eta knob: after changing it and rerunning the cells below, every printed line,
  table and figure text (titles, legends) that names eta names the new value, none the old;
* Stop during a parallel run (``ch3_code.sweep``): one clear message naming how many runs
  finished, no traceback through joblib, a visible red bar.

What a chapter must provide for this test (``CHAPTER`` below, and ``EXPLORER_CHAPTER``):

* the **training cell**: the first code cell tagged ``training``, or else the first code cell
  that calls ``stochastic_gradient_descent(``, ``.SGD(``, ``train(`` or ``sweep(``;
* its **knob**: ``epochs`` given as a literal (``epochs=100`` or ``EPOCHS = 100``), in a code
  cell tagged ``knobs`` above it or in the training cell itself; ``eta`` likewise (optional).
  The test rewrites these literals to a few epochs in every cell it runs that is tagged
  ``knobs`` or ``training`` or calls one of the training functions above (other cells, such
  as a single-neuron demo with its own ``epochs``, run as they are);
* the **analysis cells**: the code cells after the training cell up to the next ``##`` heading
  (or the next training cell); they must work for any number of epochs;
* **explorers**: code cells tagged ``explorer``, or calling ``explore.explorer(`` or
  ``interactive_output(``, whose output has at least one slider; the code cells above the
  first explorer must run in a few tens of seconds once epochs are shortened.

Screenshots go to _build/screenshots/lab/. Without Chromium the tests skip, and fail when
CH3_LAB_TEST=required (make test-lab sets it).
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parent.parent.parent
SHOTS = ROOT / "_build" / "screenshots" / "lab"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
REQUIRED = os.environ.get("CH3_LAB_TEST", "") == "required"
CHAPTER = os.environ.get("CH3_LAB_CHAPTER", "00_getting_started.ipynb")
EXPLORER_CHAPTER = os.environ.get("CH3_LAB_EXPLORER_CHAPTER", "01_cross_entropy.ipynb")
SHORT_EPOCHS, KNOB_EPOCHS, KNOB_ETA = 3, 2, 0.25
CELL_TIMEOUT_MS = 600_000
# ipywidgets 8 draws a (horizontal) progress bar as .widget-hprogress
PROGRESS = ".jp-Cell-outputArea .widget-hprogress, .jp-Cell-outputArea .widget-progress"
PROGRESS_BAR = ", ".join(f"{p.strip()} .progress-bar" for p in PROGRESS.split(","))

TRAINING_RE = re.compile(r"stochastic_gradient_descent\(|\.SGD\(|\btrain\(|\bsweep\(")
EXPLORER_RE = re.compile(r"explore\.explorer\(|\bexplorer\(|interactive_output\(")
EPOCHS_RE = re.compile(r"\b(epochs|EPOCHS)(\s*[=:]\s*)\d+")
ETA_RE = re.compile(r"\b(eta|ETA)(\s*[=:]\s*)\d+(\.\d+)?(?![\d.])")
RAW_MYST = [
    (re.compile(r":class:"), "the :class: option of a directive"),
    (re.compile(r"\{(admonition|tip|note|warning|important|dropdown)\}"), "a MyST directive"),
    (re.compile(r"\{(cite|cite:p|cite:t|ref|numref|eq|doc)\}`"), "a MyST role"),
    (re.compile(r"^\([\w-]+\)=\s*$", re.M), "a MyST label line"),
    (re.compile(r"```\{"), "a MyST fence"),
]


def _skip_or_fail(message):
    if REQUIRED:
        pytest.fail(message + " (CH3_LAB_TEST=required)")
    pytest.skip(message)


def code_cells(nb):
    return [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


def source(cell):
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def shorten(src, epochs=SHORT_EPOCHS, eta=None):
    """The cell's source with its epochs (and eta) literals replaced: the chapter's knobs."""
    src = EPOCHS_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{epochs}", src)
    if eta is not None:
        src = ETA_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{eta}", src)
    return src


def runs_training(cell):
    return bool({"training", "knobs"} & set(tags(cell))) or bool(TRAINING_RE.search(source(cell)))


def shortened(cell, epochs=SHORT_EPOCHS):
    """The source to run instead of the cell's, or None: only cells that train an MNIST network
    (or are tagged `knobs`) get fewer epochs; other cells' epochs (a single-neuron demo) stay."""
    if not runs_training(cell):
        return None
    src = shorten(source(cell), epochs)
    return src if src != source(cell) else None


def training_cell(nb):
    tagged = [i for i, c in code_cells(nb) if "training" in tags(c)]
    found = tagged or [i for i, c in code_cells(nb) if TRAINING_RE.search(source(c))]
    assert found, "no training cell: tag one `training` (see this module's docstring)"
    return found[0]


def analysis_cells(nb, start):
    """Code cells after ``start`` up to the next `##` heading or the next training cell."""
    cells = []
    for i in range(start + 1, len(nb["cells"])):
        c = nb["cells"][i]
        if c["cell_type"] == "markdown" and re.match(r"\s*##?\s", source(c)):
            break
        if c["cell_type"] == "code":
            if "training" in tags(c) or TRAINING_RE.search(source(c)):
                break
            cells.append(i)
    return cells


def explorer_cells(nb):
    return [i for i, c in code_cells(nb)
            if "explorer" in tags(c) or EXPLORER_RE.search(source(c))]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server of its own: yields (base_url, token, folder); stopped at the end."""
    if not Path(CHROMIUM).exists():
        _skip_or_fail(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    home = tmp_path_factory.mktemp("lab")
    work = home / "chapters"
    shutil.copytree(ROOT / "chapters", work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # every cell in the page (no virtual scrolling), so that every markdown cell is rendered
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    notices = home / "settings" / "@jupyterlab" / "apputils-extension"
    notices.mkdir(parents=True)
    (notices / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    port, token = free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k not in ("CH3_CHECK", "MPLBACKEND")}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), IPYTHONDIR=str(home / "ipython"))
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
            f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={work}", "--LabApp.expose_app_in_browser=True",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.news_url=None"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        args.append("--allow-root")
    log = open(home / "server.log", "w")
    server = subprocess.Popen(args, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if server.poll() is not None:
                break
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer in 120 s:\n" + (home / "server.log").read_text())
        if server.poll() is not None:
            pytest.fail("JupyterLab exited:\n" + (home / "server.log").read_text())
        yield base, token, work
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class Notebook:
    """One notebook open in JupyterLab in its own browser page, driven through the app."""

    def __init__(self, browser, lab, name):
        base, token, work = lab
        self.name, self.path = name, work / name
        self.nb = json.loads(self.path.read_text(encoding="utf8"))
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.outside, self.console_errors = [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.set_default_timeout(120_000)
        # a workspace of its own, reset: JupyterLab would otherwise reopen the notebooks of
        # the previous page (and start their kernels)
        workspace = f"t{secrets.token_hex(4)}"
        self.page.goto(f"{base}/lab/workspaces/{workspace}/tree/{name}?reset&token={token}")
        self.page.wait_for_function(
            "name => window.jupyterapp && jupyterapp.shell.currentWidget"
            " && jupyterapp.shell.currentWidget.sessionContext"
            " && jupyterapp.shell.currentWidget.context.path === name", arg=name)
        self.page.evaluate("""async () => {
            const panel = jupyterapp.shell.currentWidget;
            await panel.context.ready;
            await panel.sessionContext.ready;
            await panel.content.fullyRendered?.promise;
        }""")

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def wait_for_kernel(self):
        print(f"[lab] {self.name}: waiting for the kernel", flush=True)
        self.page.wait_for_function("""() => {
            const k = jupyterapp.shell.currentWidget.sessionContext.session?.kernel;
            return k && k.connectionStatus === 'connected' && k.status === 'idle';
        }""", timeout=120_000)

    def run(self, index, src=None, while_running=None):
        """Run cell ``index`` (with its source replaced by ``src``); return its outputs."""
        print(f"[lab] {self.name}: running cell {index}", flush=True)
        self.page.evaluate("""([i, src]) => {
            const nb = jupyterapp.shell.currentWidget.content;
            if (src !== null) nb.widgets[i].model.sharedModel.setSource(src);
            nb.activeCellIndex = i;
            nb.deselectAll();
            window.__ch3_done = false;
            jupyterapp.commands.execute('notebook:run-cell')
                .finally(() => { window.__ch3_done = true; });
        }""", [index, src])
        if while_running:
            while_running()
        self.page.wait_for_function("() => window.__ch3_done", timeout=CELL_TIMEOUT_MS,
                                    polling=250)
        return self.page.evaluate(
            "i => jupyterapp.shell.currentWidget.content.widgets[i].model.outputs.toJSON()",
            index)

    def cell(self, index):
        return self.page.locator(".jp-Notebook .jp-Cell").nth(index)

    def kernel(self, code):
        """Run ``code`` in the kernel outside any cell; return its stdout (and any error)."""
        return self.page.evaluate("""async code => {
            const k = jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            let out = '';
            const future = k.requestExecute({code, store_history: false});
            future.onIOPub = msg => {
                const t = msg.header.msg_type;
                if (t === 'stream') out += msg.content.text;
                if (t === 'error') out += `ERROR ${msg.content.ename}: ${msg.content.evalue}`;
            };
            await future.done;
            return out;
        }""", code)

    def shot(self, label):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{Path(self.name).stem}-{label}.png"),
                             full_page=False)

    def close(self):
        self.page.evaluate("""async () => {
            const panel = jupyterapp.shell.currentWidget;
            panel.context.model.dirty = false;
            await panel.sessionContext.shutdown();
        }""")
        self.context.close()


def errors_in(outputs, where):
    problems = []
    for o in outputs:
        if o["output_type"] == "error":
            problems.append(f"{where}: {o['ename']}: {o['evalue']}")
        elif o["output_type"] == "stream" and o["name"] == "stderr":
            text = o["text"] if isinstance(o["text"], str) else "".join(o["text"])
            if "Traceback" in text or re.search(r"\b\w*Error\b", text):
                problems.append(f"{where}: stderr: {text.strip()[:300]}")
    return problems


# For each markdown cell: its index, the text of its rendered part (jupyterlab-myst's `.myst`,
# or JupyterLab's own renderer) and what the renderer flagged: jupyterlab-myst marks a math error
# or an unknown reference with a warning icon in a span whose title gives the reason ("Undefined
# control sequence: \\sigmoid ...", "Citation Not Found"); MathJax marks errors with mjx-merror.
RENDERED_MARKDOWN_JS = """() => jupyterapp.shell.currentWidget.content.widgets
    .map((w, i) => [i, w])
    .filter(([i, w]) => w.model.type === 'markdown')
    .map(([i, w]) => {
        const out = w.node.querySelector('.myst, .jp-RenderedMarkdown');
        const flagged = out ? [...out.querySelectorAll('span.text-yellow-600[title]')]
            .map(e => [e.title === 'Citation Not Found' ? 'citation'
                       : 'math or markup error', e.title === 'Citation Not Found'
                       ? e.textContent.trim() : e.title]) : [];  // a closed dropdown's text is hidden
        if (out) out.querySelectorAll('mjx-merror, .katex-error').forEach(
            e => flagged.push(['math error', e.getAttribute('data-mjx-error')
                               || e.title || e.textContent]));
        return [i, out ? out.innerText : null, flagged];
    })"""


def test_markdown_renders_without_raw_myst_or_math_errors(browser, lab):
    problems, unresolved = [], {}
    for name in sorted(p.name for p in lab[2].glob("*.ipynb")):
        nb = Notebook(browser, lab, name)
        try:
            nb.page.wait_for_timeout(1500)  # MathJax / KaTeX typesetting
            cells = nb.page.evaluate(RENDERED_MARKDOWN_JS)
            for i, text, flagged in cells:
                if text is None:
                    problems.append(f"{name} cell {i}: markdown not rendered")
                    continue
                for pattern, what in RAW_MYST:
                    m = pattern.search(text)
                    if m:
                        line = text[max(0, m.start() - 40):m.end() + 40].replace("\n", " ")
                        problems.append(f"{name} cell {i}: {what} shown raw: ...{line}...")
                for kind, title in flagged:
                    if kind == "citation":
                        unresolved.setdefault(name, set()).add(title)
                    else:
                        problems.append(f"{name} cell {i}: {kind}: {title[:120]}")
            nb.shot("markdown")
        finally:
            nb.close()
    if unresolved:
        # jupyterlab-myst does not read references.bib: a {cite} role shows its key with a
        # warning icon. Readable, so reported rather than failed.
        import warnings
        warnings.warn("citations JupyterLab cannot resolve (no bibliography): "
                      + "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in unresolved.items()))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_training_run_progress_bar_and_knobs(browser, lab):
    nb = Notebook(browser, lab, CHAPTER)
    problems = []
    try:
        nb.wait_for_kernel()
        train = training_cell(nb.nb)
        knob_cells = [i for i, c in code_cells(nb.nb) if "knobs" in tags(c) and i < train]
        for i, c in code_cells(nb.nb):
            if i < train:
                src = shorten(source(c)) if i in knob_cells else None
                problems += errors_in(nb.run(i, src), f"cell {i} (above the training cell)")
        assert not problems, "\n".join(problems)

        seen = {}

        def watch_bar():  # poll until the run ends: did a bar show while it ran?
            # (a shortened run can end between two polls: then the bar is checked at the end)
            while not nb.page.evaluate("() => window.__ch3_done"):
                if not seen and nb.page.evaluate(
                        "([i, sel]) => !!jupyterapp.shell.currentWidget.content.widgets[i].node"
                        ".querySelector(sel)", [train, PROGRESS]):
                    seen["bar"] = True
                    nb.shot("training-running")
                nb.page.wait_for_timeout(200)

        outputs = nb.run(train, shorten(source(nb.nb["cells"][train])), while_running=watch_bar)
        problems += errors_in(outputs, f"training cell {train}")
        bars = nb.cell(train).locator(PROGRESS_BAR)
        if not seen.get("bar") and not bars.count():
            html = nb.cell(train).locator(".jp-Cell-outputArea").first.inner_html()
            pytest.fail(f"no graphical progress bar appeared; outputs {outputs}; html {html[:800]}")
        bar = bars.first
        width = bar.evaluate("e => e.style.width")
        classes = bar.get_attribute("class") or ""
        nb.cell(train).locator(".jp-Cell-outputArea").first.scroll_into_view_if_needed()
        nb.shot("training-done")
        if width not in ("100%", "100.0%"):
            problems.append(f"the progress bar ended at {width}, not 100%")
        if "danger" in classes:
            problems.append("the progress bar ended red for a run that did not diverge")

        analysis = analysis_cells(nb.nb, train)
        for i in analysis:
            problems += errors_in(nb.run(i), f"analysis cell {i} ({SHORT_EPOCHS} epochs)")

        # a learner changes the knobs and reruns the training cell and everything below it
        knob_src = shorten(source(nb.nb["cells"][train]), KNOB_EPOCHS, KNOB_ETA)
        problems += errors_in(nb.run(train, knob_src), f"training cell {train}, knobs changed")
        for i, c in code_cells(nb.nb):
            if i > train:
                where = f"cell {i} after the knobs changed"
                problems += errors_in(nb.run(i, shortened(c, KNOB_EPOCHS)), where)
        nb.shot("knobs-changed")
    finally:
        if nb.outside:
            problems.append(f"requests leaving 127.0.0.1 (blocked): {sorted(set(nb.outside))[:5]}")
        nb.close()
    assert not problems, "\n".join(problems)


def explorer_images(nb, index):
    return nb.cell(index).locator(".jp-OutputArea img").evaluate_all(
        "imgs => imgs.map(i => i.src)")


def move_slider(nb, index):
    """Type a new value into the first slider's readout, as a user can; return the slider's
    description."""
    slider = nb.cell(index).locator(".widget-slider").first
    slider.wait_for(state="visible")
    label = slider.locator("label").first.inner_text()
    readout = slider.locator(".widget-readout").first
    old = readout.inner_text().strip()
    low = slider.evaluate("e => e.querySelector('.noUi-target')?.noUiSlider?.options.range.min")
    high = slider.evaluate("e => e.querySelector('.noUi-target')?.noUiSlider?.options.range.max")
    value = old
    if low is not None and high is not None:
        value = f"{(float(low) + float(high)) / 2 + (float(high) - float(low)) / 7:.2f}"
    readout.click()
    nb.page.keyboard.press("Control+A")
    nb.page.keyboard.type(value)
    nb.page.keyboard.press("Enter")
    return f"{label} {old} -> {value}"


def test_explorer_redraws_when_a_slider_moves(browser, lab):
    nb = Notebook(browser, lab, EXPLORER_CHAPTER)
    problems = []
    try:
        nb.wait_for_kernel()
        explorers = explorer_cells(nb.nb)
        assert explorers, f"{EXPLORER_CHAPTER} has no explorer cell (see the module docstring)"
        first = explorers[0]
        for i, c in code_cells(nb.nb):
            if i <= first:
                problems += errors_in(nb.run(i, shortened(c)), f"cell {i}")
        assert not problems, "\n".join(problems)
        nb.cell(first).scroll_into_view_if_needed()
        nb.page.wait_for_function(
            "i => jupyterapp.shell.currentWidget.content.widgets[i].node"
            ".querySelector('.jp-OutputArea .widget-output img, .jp-OutputArea img')", arg=first)
        before = explorer_images(nb, first)
        nb.shot("explorer-before")
        moved = move_slider(nb, first)
        nb.page.wait_for_function(
            """([i, before]) => {
                const imgs = [...jupyterapp.shell.currentWidget.content.widgets[i].node
                    .querySelectorAll('.jp-OutputArea img')].map(e => e.src);
                return imgs.length && JSON.stringify(imgs) !== JSON.stringify(before);
            }""", arg=[first, before], timeout=60_000)
        nb.shot("explorer-after")
        assert explorer_images(nb, first) != before, f"the figure did not change ({moved})"
    finally:
        nb.close()
    assert not problems, "\n".join(problems)


EXPLORE_DEMO = """\
import matplotlib.pyplot as plt
import numpy as np
from ch3_code import explore


def draw(w=1.0, kind="sine"):
    x = np.linspace(0, 6, 200)
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.plot(x, np.sin(w * x) if kind == "sine" else np.cos(w * x))
    return fig


explore.explorer(draw, {"w": (0.5, 3.0, 0.1, 1.0), "kind": ["sine", "cosine"]})
"""


def saved_output_problems(nb, index):
    """What the output area of cell ``index`` shows before the kernel has run anything."""
    area = nb.cell(index).locator(".jp-Cell-outputArea").first
    text = area.inner_text()
    problems = []
    if "HBox(children" in text or "VBox(children" in text or "Output()" in text:
        problems.append(f"cell {index} shows a widget's text form: {text.strip()[:100]}")
    if "Error displaying widget" in text:
        problems.append(f"cell {index} shows 'Error displaying widget'")
    if not area.locator("img").count():
        problems.append(f"cell {index}: no picture in the saved output")
    return problems


def test_saved_explorer_shows_its_picture_before_the_kernel_runs(browser, lab):
    import nbformat
    from nbclient import NotebookClient

    demo = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(EXPLORE_DEMO)])
    demo.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}
    env_before = dict(os.environ)
    os.environ["PYTHONPATH"] = str(ROOT)
    try:
        NotebookClient(demo, timeout=120, kernel_name="python3",
                       store_widget_state=True).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    bundle = demo.cells[0].outputs[-1]["data"]
    assert "image/png" in bundle and "application/vnd.jupyter.widget-view+json" in bundle
    nbformat.write(demo, lab[2] / "explore_demo.ipynb")

    nb = Notebook(browser, lab, "explore_demo.ipynb")
    try:
        nb.page.wait_for_timeout(3000)  # give the widget manager time to try the saved state
        nb.shot("saved-explorer")
        problems = saved_output_problems(nb, 0)
    finally:
        nb.close()
    assert not problems, "\n".join(problems)


def test_chapter_explorers_show_a_picture_before_the_kernel_runs(browser, lab):
    nb = Notebook(browser, lab, EXPLORER_CHAPTER)
    try:
        nb.page.wait_for_timeout(3000)
        problems = []
        for i in explorer_cells(nb.nb):
            nb.cell(i).scroll_into_view_if_needed()
            problems += saved_output_problems(nb, i)
        nb.shot("saved-explorers")
    finally:
        nb.close()
    assert not problems, f"{EXPLORER_CHAPTER}:\n" + "\n".join(problems)


# ---- untrusted chapters: pictures and collapsed checks -----------------------------------------

def output_html(cell):
    return "".join("".join(o.get("data", {}).get("text/html", ""))
                   for o in cell.get("outputs", []))


def animation_cells(nb):
    """Code cells whose saved output is an animation (matplotlib's JavaScript player)."""
    return [i for i, c in code_cells(nb) if "_anim_img" in output_html(c)
            or "ch3-animation" in output_html(c)]


def saved_explorers(nb):
    """Explorer cells, and code cells whose saved output is a widget with a PNG fallback."""
    return sorted(set(explorer_cells(nb)) | {
        i for i, c in code_cells(nb) for o in c.get("outputs", [])
        if {"application/vnd.jupyter.widget-view+json", "image/png"} <= set(o.get("data", {}))})


def hidden_input_cells(nb):
    return [i for i, c in enumerate(nb["cells"]) if "hide-input" in tags(c)]


# For cell i: [loaded pictures, broken visible pictures] in its output area.
PICTURES_JS = """i => {
    const node = jupyterapp.shell.currentWidget.content.widgets[i].node;
    const imgs = [...node.querySelectorAll('.jp-Cell-outputArea img')];
    const shown = e => e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden';
    return [imgs.filter(e => e.complete && e.naturalWidth > 0).length,
            imgs.filter(e => shown(e) && e.complete && e.naturalWidth === 0).length];
}"""
# For cell i: [trusted, input hidden, placeholder shown, editor shown]
COLLAPSED_JS = """i => {
    const w = jupyterapp.shell.currentWidget.content.widgets[i];
    const shown = sel => [...w.node.querySelectorAll(sel)].some(e => e.offsetParent !== null);
    return [!!w.model.trusted, !!w.inputHidden, shown('.jp-InputPlaceholder'),
            shown('.jp-InputArea-editor')];
}"""


@pytest.fixture(scope="module")
def untrusted_chapters(browser, lab):
    """Every chapter opened without running anything: per chapter, the problems of its
    pictures and of its collapsed cells."""
    found = {}
    for name in sorted(p.name for p in lab[2].glob("*.ipynb") if p.name[:2].isdigit()):
        nb = Notebook(browser, lab, name)
        pictures, collapsed = [], []
        try:
            nb.page.wait_for_timeout(3000)  # the widget manager tries the saved state
            trusted = [i for i, c in code_cells(nb.nb) if c.get("outputs")
                       and nb.page.evaluate(COLLAPSED_JS, i)[0]]
            assert not trusted, f"{name}: cells {trusted} open trusted; the test needs untrusted"
            for kind, cells in (("animation", animation_cells(nb.nb)),
                                ("explorer", saved_explorers(nb.nb))):
                for i in cells:
                    nb.cell(i).scroll_into_view_if_needed()
                    loaded, broken = nb.page.evaluate(PICTURES_JS, i)
                    if not loaded:
                        pictures.append(f"{name} cell {i} ({kind}): no picture shown")
                    if broken:
                        pictures.append(f"{name} cell {i} ({kind}): {broken} broken image(s)")
            for i in hidden_input_cells(nb.nb):
                meta = nb.nb["cells"][i].get("metadata", {}).get("jupyter", {})
                _, hidden, placeholder, editor = nb.page.evaluate(COLLAPSED_JS, i)
                if not meta.get("source_hidden"):
                    collapsed.append(f"{name} cell {i}: tagged hide-input without "
                                     "jupyter.source_hidden metadata")
                if not (hidden and placeholder) or editor:
                    collapsed.append(f"{name} cell {i}: its code is shown in JupyterLab "
                                     "(no collapsed-input placeholder)")
            nb.shot("untrusted")
        finally:
            nb.close()
        found[name] = pictures, collapsed
    return found


def test_untrusted_chapters_show_every_animation_and_explorer_as_a_picture(untrusted_chapters):
    problems = [p for pictures, _ in untrusted_chapters.values() for p in pictures]
    assert not problems, "\n".join(problems)


def test_check_cells_are_collapsed_in_lab(untrusted_chapters):
    problems = [p for _, collapsed in untrusted_chapters.values() for p in collapsed]
    assert not problems, "\n".join(problems)


# ---- saved widget state ------------------------------------------------------------------------

def write_demo(lab, name, source):
    """A one-cell notebook ``name`` with ``source`` in Lab's folder; returns its name."""
    import nbformat

    demo = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    demo.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}
    nbformat.write(demo, lab[2] / name)
    return name


BAR_DEMO = """\
from tqdm.auto import tqdm

for _ in tqdm(range(3), desc="saved bar"):
    pass
"""


def test_saved_notebook_keeps_its_widget_state(browser, lab):
    nb = Notebook(browser, lab, write_demo(lab, "saved_bar.ipynb", BAR_DEMO))
    try:
        save_state = nb.page.evaluate("""async () => (await jupyterapp.serviceManager.settings
            .fetch('@jupyter-widgets/jupyterlab-manager:plugin')).settings?.saveState
            ?? (await jupyterapp.serviceManager.settings
            .fetch('@jupyter-widgets/jupyterlab-manager:plugin')).schema.properties
            .saveState.default""")
        nb.wait_for_kernel()
        assert not errors_in(nb.run(0), "cell 0")
        nb.page.evaluate("() => jupyterapp.commands.execute('docmanager:save')")
        nb.page.wait_for_function("() => !jupyterapp.shell.currentWidget.context.model.dirty")
    finally:
        nb.close()
    saved = json.loads((lab[2] / "saved_bar.ipynb").read_text())
    state = saved["metadata"].get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    assert save_state is True, ("JupyterLab's widget manager does not save widget state: "
                                "install binder/overrides.json (make install)")
    assert state, "the saved notebook holds no widget state"

    again = Notebook(browser, lab, "saved_bar.ipynb")
    try:
        again.page.wait_for_timeout(3000)
        text = again.cell(0).locator(".jp-Cell-outputArea").first.inner_text()
        again.shot("saved-bar-reopened")
        bars = again.cell(0).locator(PROGRESS).count()
    finally:
        again.close()
    assert "Error displaying widget" not in text, text
    assert bars, f"the reopened notebook draws no progress bar: {text[:200]}"


# ---- a knob that relabels ----------------------------------------------------------------------

# every figure the kernel draws: the text of its titles, legends and labels
RECORD_FIGURE_TEXT = """\
import matplotlib.backend_bases as _ch3_bb, matplotlib.text as _ch3_text
_ch3_figure_text = []
_ch3_print_figure = _ch3_bb.FigureCanvasBase.print_figure
def _ch3_recording(self, *args, **kwargs):
    _ch3_figure_text.append("\\n".join(t.get_text() for t in self.figure.findobj(_ch3_text.Text)))
    return _ch3_print_figure(self, *args, **kwargs)
_ch3_bb.FigureCanvasBase.print_figure = _ch3_recording
"""


def eta_label(value):
    """A label that names eta's value: 'η = 0.5', 'eta = 0.5', '$\\eta$ = 0.5', 'eta=0.5'."""
    return re.compile(r"(?:η|\beta|\bETA|\\eta)\$?\s*=\s*\$?" + re.escape(value) + r"(?![\d])")


def output_text(outputs):
    parts = []
    for o in outputs:
        if o["output_type"] == "stream":
            parts.append(o["text"] if isinstance(o["text"], str) else "".join(o["text"]))
        elif o["output_type"] == "error":
            parts.append(f"{o['ename']}: {o['evalue']}")
        for mime in ("text/plain", "text/markdown", "text/html"):
            value = o.get("data", {}).get(mime)
            if value:
                parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def test_changed_eta_relabels_titles_legends_and_tables(browser, lab):
    nb = Notebook(browser, lab, "00_getting_started.ipynb")
    problems, texts = [], []
    try:
        nb.wait_for_kernel()
        train = training_cell(nb.nb)
        knob_cells = [i for i, c in code_cells(nb.nb)
                      if i == train or ("knobs" in tags(c) and i < train)]
        old = {m.group(0)[m.end(2) - m.start():] for i in knob_cells
               for m in ETA_RE.finditer(source(nb.nb["cells"][i]))}
        assert len(old) == 1, f"chapter 00's eta knob: expected one value, found {old}"
        old, new = old.pop(), str(KNOB_ETA)
        assert nb.kernel(RECORD_FIGURE_TEXT) == ""
        for i, c in code_cells(nb.nb):
            src = shorten(source(c), SHORT_EPOCHS, new) if i in knob_cells else shortened(c)
            outputs = nb.run(i, src)
            problems += errors_in(outputs, f"cell {i}")
            if i > train:
                texts.append(output_text(outputs))
        texts.append(nb.kernel("print('\\n'.join(_ch3_figure_text))"))
        nb.shot("eta-changed")
    finally:
        nb.close()
    assert not problems, "\n".join(problems)
    text = "\n".join(texts)
    stale = sorted({text[max(0, m.start() - 30):m.end() + 10].replace("\n", " ")
                    for m in eta_label(old).finditer(text)})
    assert not stale, f"eta changed from {old} to {new}, but these still say {old}: {stale}"
    assert eta_label(new).search(text), f"no title, legend or line names eta = {new}"


# ---- Stop during a parallel run ----------------------------------------------------------------

SWEEP_DEMO = """\
import time

import ch3_code


def nap(seconds):
    time.sleep(seconds)
    return seconds


results = ch3_code.sweep(nap, [dict(seconds=s) for s in (1, 1, 600, 600)], n_jobs=2)
"""


def test_stop_during_a_parallel_run_says_which_runs_finished(browser, lab):
    nb = Notebook(browser, lab, write_demo(lab, "stop_sweep.ipynb", SWEEP_DEMO))
    try:
        nb.wait_for_kernel()

        def stop_after_two_runs():  # the two short runs done, the long ones running: Stop
            nb.page.wait_for_function(
                "() => /\\b2\\/4\\b/.test(jupyterapp.shell.currentWidget.content.widgets[0]"
                ".node.innerText)", timeout=180_000, polling=250)
            nb.page.evaluate("() => jupyterapp.commands.execute('notebook:interrupt-kernel')")

        outputs = nb.run(0, while_running=stop_after_two_runs)
        nb.shot("sweep-stopped")
        bar = nb.cell(0).locator(PROGRESS_BAR).first
        width = bar.evaluate("e => e.style.width") if bar.count() else None
        classes = (bar.get_attribute("class") or "") if bar.count() else ""
    finally:
        nb.close()
    tracebacks = "\n".join("\n".join(o.get("traceback", [])) for o in outputs
                           if o["output_type"] == "error")
    stderr = "".join(o["text"] if isinstance(o["text"], str) else "".join(o["text"])
                     for o in outputs if o.get("name") == "stderr")
    text = output_text(outputs)
    problems = []
    if re.search(r"joblib|loky", tracebacks + stderr):
        problems.append("the traceback runs through joblib's internals")
    if not re.search(r"\b2 of 4 runs?\b", text) or "finished" not in text:
        problems.append("no message says that 2 of 4 runs finished")
    if "danger" not in classes or width in (None, "0%", "0.0%", ""):
        problems.append(f"no visible red bar (width {width}, classes {classes!r})")
    assert not problems, "\n".join(problems) + f"\noutputs: {text[:1500]}"
