"""Lint in the unit stage: ruff on the package, tests, tools and benchmarks; ruff through nbqa on
the chapter notebooks; actionlint on .github/workflows; the cheap checks of the committed
notebooks (tools/check_notebooks.py); and the pre-commit hooks that run all of these before
each commit (.pre-commit-config.yaml). The rules live in pyproject.toml ([tool.ruff],
[tool.nbqa.addopts]); `make lint` runs the same commands.

Each tool is first shown a broken file, so that a tool that checks nothing (wrong paths, a
configuration that selects no rule) fails here instead of passing silently.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tools"))
import check_notebooks  # noqa: E402
PY_DIRS = ["ch3_code", "tests", "tools", "benchmarks"]
# shellcheck and pyflakes are switched off so that the result does not depend on what else is
# installed on the machine.
ACTIONLINT_FLAGS = ["-no-color", "-oneline", "-shellcheck=", "-pyflakes="]


def tool(name):
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run `make install` (it is in requirements.txt)")
    return str(path)


def run(args, cwd=ROOT):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_ruff_flags_a_broken_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    (tmp_path / "bad.py").write_text("import os\n\n\ndef f():\n    return undefined_name\n")
    out = run([tool("ruff"), "check", "--output-format=concise", "bad.py"], cwd=tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "F401" in out.stdout and "F821" in out.stdout


def test_ruff_on_the_python_files():
    out = run([tool("ruff"), "check", "--output-format=concise", *PY_DIRS])
    assert out.returncode == 0, "ruff found problems:\n" + out.stdout + out.stderr


def test_ruff_on_the_notebooks():
    notebooks = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "chapters").glob("*.ipynb"))
    assert notebooks, "no notebooks in chapters/"
    out = run([tool("nbqa"), "ruff", *notebooks])
    assert out.returncode == 0, "ruff (nbqa) found problems:\n" + out.stdout + out.stderr


def test_actionlint_flags_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - uses: actions/checkout@v6\n        with: {fetch-depht: 1}\n"
    )
    out = run([tool("actionlint"), *ACTIONLINT_FLAGS, str(bad)])
    assert out.returncode == 1 and "fetch-depht" in out.stdout, out.stdout + out.stderr


def test_actionlint_on_the_workflows():
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    names = {p.name for p in workflows}
    assert {"ci.yml", "pages.yml"} <= names, names
    out = run([tool("actionlint"), *ACTIONLINT_FLAGS, *map(str, workflows)])
    assert out.returncode == 0, "actionlint found problems:\n" + out.stdout + out.stderr


def test_ci_workflow_runs_ci_run_and_pages_deploys_the_book():
    ci = (ROOT / ".github/workflows/ci.yml").read_text()
    pages = (ROOT / ".github/workflows/pages.yml").read_text()
    assert "bash .ci/run" in ci and "pull_request" in ci
    assert "make book" in pages and "path: _build/html" in pages
    assert "actions/deploy-pages" in pages and "branches: [main]" in pages


## the committed notebooks' cheap checks (tools/check_notebooks.py) ------------------------------

def code(source, count, outputs=(), **metadata):
    return {"cell_type": "code", "execution_count": count, "metadata": metadata,
            "outputs": list(outputs), "source": source}


def write_notebook(path, cells):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))
    return path


def png(width, height=10):
    """A minimal PNG header of the given size, base64 (all the check reads)."""
    import base64
    import struct
    head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width, height)
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(head + b"\0" * 20).decode()}}


ERROR = {"output_type": "error", "ename": "ZeroDivisionError", "evalue": "", "traceback": []}
STDERR = {"output_type": "stream", "name": "stderr", "text": "UserWarning: careful"}
# one problem each, and the words that must name it
BROKEN_CELLS = {
    "unexecuted": ([code("x = 1", 1), code("y = 2", None)], "cell 2: code cell not executed"),
    "out of order": ([code("x = 1", 2), code("y = 2", 1)], "not run top to bottom"),
    "error": ([code("1 / 0", 1, [ERROR])], "cell 1: error output (ZeroDivisionError)"),
    "stderr": ([code("warn()", 1, [STDERR])], "cell 1: writes to stderr"),
    "long line": ([code("x = 1\n" + "y" * 89, 1)], "cell 1: line 2 has 89 characters (at most 88)"),
    "unknown tag": ([code("x = 1", 1, tags=["hide_input"])], "unknown tag 'hide_input'"),
    "repeated tag": ([code("x = 1", 1, tags=["hide-input", "hide-input"],
                           jupyter={"source_hidden": True})], "repeated"),
    "contradicting tags": ([code("x = 1", 1, tags=["hide-input", "remove-input"],
                                 jupyter={"source_hidden": True})],
                           "'hide-input' and 'remove-input' contradict"),
    "Lab hides input": ([code("x = 1", 1, jupyter={"source_hidden": True})],
                        "(jupyter.source_hidden) but shown in the book"),
    "Lab hides output": ([code("x = 1", 1, jupyter={"outputs_hidden": True})],
                         "(jupyter.outputs_hidden) but shown in the book"),
    "collapsed disagrees": ([code("x = 1", 1, collapsed=True, jupyter={"outputs_hidden": False})],
                            "collapsed=True but jupyter.outputs_hidden=False"),
    "wide figure": ([code("plot()", 1, [png(911)])], "cell 1: a figure 911 pixels wide"),
}


@pytest.mark.parametrize("name", BROKEN_CELLS)
def test_check_notebooks_flags_each_problem(tmp_path, name):
    cells, message = BROKEN_CELLS[name]
    lines = check_notebooks.check([write_notebook(tmp_path / "nb.ipynb", cells)])
    assert len(lines) == 1 and message in lines[0], lines


def test_check_notebooks_passes_what_the_book_allows(tmp_path):
    cells = [
        code("x = 1", 1, tags=["remove-cell", "nbval-check-output"]),
        code("y" * 88, 2, tags=["hide-input"], jupyter={"source_hidden": True}),
        code("z = 3", 3, tags=["hide-output"], collapsed=True, jupyter={"outputs_hidden": True}),
        code("plot()", 4, [png(800)]),
        {"cell_type": "markdown", "metadata": {}, "source": "a long line of prose " * 20},
    ]
    assert check_notebooks.check([write_notebook(tmp_path / "nb.ipynb", cells)]) == []


def test_check_notebooks_reads_the_line_length_from_pyproject(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.nbqa.addopts]\nruff = ["--line-length=100"]\n')
    assert check_notebooks.notebook_line_length(pyproject) == 100
    assert check_notebooks.notebook_line_length() == 88  # pyproject.toml's notebook length
    pyproject.write_text('[tool.nbqa.addopts]\nruff = []\n')
    with pytest.raises(ValueError, match="no --line-length"):
        check_notebooks.notebook_line_length(pyproject)


def test_check_notebooks_on_the_committed_notebooks(tmp_path):
    script = str(ROOT / "tools" / "check_notebooks.py")
    out = run([sys.executable, script])
    assert out.returncode == 0, "tools/check_notebooks.py found problems:\n" + out.stdout
    assert f"{len(check_notebooks.DEFAULT)} notebook(s): no problems" in out.stdout
    assert any(p.name == "scorecard.ipynb" for p in check_notebooks.DEFAULT)
    bad = write_notebook(tmp_path / "nb.ipynb", BROKEN_CELLS["unexecuted"][0])
    out = run([sys.executable, script, str(bad)])
    assert out.returncode == 1 and "not executed" in out.stdout, out.stdout + out.stderr


## pre-commit (.pre-commit-config.yaml) ---------------------------------------------------------

HOOKS = {"ruff", "nbqa-ruff", "check-notebooks", "actionlint"}


def pre_commit(args, cwd, home):
    """pre-commit with .venv's tools first on PATH, as `make pre-commit` runs it."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "PRE_COMMIT_HOME": str(home)}
    env.pop("SKIP", None)
    return subprocess.run([tool("pre-commit"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def hook_results(output):
    """{hook name: Passed / Failed / Skipped} from pre-commit's report."""
    return dict(re.findall(r"^(.+?)\.{3,}(?:\(no files to check\))?(Passed|Failed|Skipped)$",
                           output, re.M))


def test_pre_commit_config_is_local_and_pinned():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    requirements = (ROOT / "requirements.txt").read_text()
    pin = re.search(r"^pre-commit==(\S+)$", requirements, re.M)
    assert pin and config["minimum_pre_commit_version"] == pin.group(1)
    # local hooks run the project's own tools: nothing is fetched from a git host
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert set(hooks) == HOOKS
    assert {hook["language"] for hook in hooks.values()} == {"unsupported"}
    assert hooks["ruff"]["entry"].startswith("ruff check")
    assert hooks["nbqa-ruff"]["entry"] == "nbqa ruff"  # nbqa adds pyproject's [tool.nbqa.addopts]
    assert hooks["check-notebooks"]["entry"] == "python tools/check_notebooks.py"
    # each hook sees the files the unit stage checks, and no others
    ruff_files = re.compile(hooks["ruff"]["files"])
    for path in ["ch3_code/network.py", "tests/test_lint.py", "tools/stage.py", "benchmarks/b.py"]:
        assert ruff_files.search(path), path
    assert not ruff_files.search("data/x.py")
    notebooks = re.compile(hooks["check-notebooks"]["files"])
    assert notebooks.search("chapters/01_cross_entropy.ipynb") and notebooks.search(
        "scorecard.ipynb")
    assert re.search(hooks["nbqa-ruff"]["files"], "chapters/01_cross_entropy.ipynb")
    assert re.search(hooks["actionlint"]["files"], ".github/workflows/ci.yml")
    actionlint_flags = hooks["actionlint"]["entry"].split()[1:]
    assert actionlint_flags == [f for f in ACTIONLINT_FLAGS if f != "-oneline"]


def is_git_work_tree(path):
    out = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=path,
                         capture_output=True, text=True)
    return out.returncode == 0 and out.stdout.strip() == "true"


def test_pre_commit_passes_on_the_repository(tmp_path):
    if shutil.which("git") is None or not is_git_work_tree(ROOT):
        pytest.skip("pre-commit needs a git work tree (a clone of the repository)")
    out = pre_commit(["run", "--all-files", "--color=never"], ROOT, tmp_path / "home")
    results = hook_results(out.stdout)
    assert len(results) == len(HOOKS), out.stdout + out.stderr
    assert out.returncode == 0 and set(results.values()) == {"Passed"}, out.stdout + out.stderr


def test_pre_commit_fails_on_broken_files(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("pre-commit needs git")
    repo = tmp_path / "repo"
    for name in [".pre-commit-config.yaml", "pyproject.toml", "tools/check_notebooks.py",
                 "tools/colab_cell.py"]:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, repo / name)
    (repo / "tools" / "bad.py").write_text("def f():\n    return undefined_name\n")
    write_notebook(repo / "chapters" / "bad.ipynb", [code("print(undefined_in_notebook)", None)])
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "bad.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - uses: actions/checkout@v6\n        with: {fetch-depht: 1}\n")
    files = [".pre-commit-config.yaml", "pyproject.toml", "tools/check_notebooks.py",
             "tools/colab_cell.py",
             "tools/bad.py", "chapters/bad.ipynb", ".github/workflows/bad.yml"]
    for args in (["init", "-q"], ["add", "--", *files]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    out = pre_commit(["run", "--all-files", "--color=never"], repo, tmp_path / "home")
    results = hook_results(out.stdout)
    assert out.returncode == 1 and len(results) == len(HOOKS), out.stdout + out.stderr
    assert set(results.values()) == {"Failed"}, out.stdout
    for words in ["undefined_name", "undefined_in_notebook", "code cell not executed",
                  "fetch-depht"]:
        assert words in out.stdout, words
