"""Lint in the unit stage: ruff on the package, tests, tools and benchmarks; ruff through nbqa on
the chapter notebooks; actionlint on .github/workflows. The rules live in pyproject.toml
([tool.ruff], [tool.nbqa.addopts]); `make lint` runs the same three commands.

Each tool is first shown a broken file, so that a tool that checks nothing (wrong paths, a
configuration that selects no rule) fails here instead of passing silently.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
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
