"""`make lab` opens a working copy, so that JupyterLab never rewrites the committed notebooks.

Unit stage (no JupyterLab is started): `make lab-copy` and `make lab-reset` on a folder of
the test's own (LAB_DIR), and `make -n lab` for the command that starts JupyterLab.
"""
import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
NOTEBOOKS = sorted(p.relative_to(ROOT) for p in (ROOT / "chapters").glob("*.ipynb")) + [
    Path("scorecard.ipynb")]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make(*args):
    done = subprocess.run(["make", "--no-print-directory", "-s", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def committed():
    """The repository's notebooks' digests, which no make lab target may change."""
    before = {p: digest(ROOT / p) for p in NOTEBOOKS}
    yield before
    assert {p: digest(ROOT / p) for p in NOTEBOOKS} == before


def test_lab_copy_copies_once_and_keeps_a_learners_edits(tmp_path, committed):
    work = tmp_path / "work"
    said = make("lab-copy", f"LAB_DIR={work}")
    assert str(work) in said and f"{len(NOTEBOOKS)} copied" in said
    for p in NOTEBOOKS:
        assert digest(work / p) == committed[p], f"{p} not copied as committed"

    edited, deleted = work / NOTEBOOKS[0], work / NOTEBOOKS[1]
    edited.write_text('{"a learner": "edited this"}')
    deleted.unlink()
    said = make("lab-copy", f"LAB_DIR={work}")
    assert edited.read_text() == '{"a learner": "edited this"}', "a learner's copy overwritten"
    assert digest(deleted) == committed[NOTEBOOKS[1]], "a missing notebook is copied again"
    assert "1 copied" in said


def test_lab_copy_names_notebooks_the_repository_changed_since(tmp_path):
    work = tmp_path / "work"
    make("lab-copy", f"LAB_DIR={work}")
    old = work / NOTEBOOKS[2]
    old.write_text("{}")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    if (ROOT / NOTEBOOKS[2]).stat().st_mtime <= an_hour_ago:
        pytest.skip("the repository's notebook is older than an hour: nothing to compare")
    said = make("lab-copy", f"LAB_DIR={work}")
    assert "changed in the repository" in said and str(NOTEBOOKS[2]) in said
    assert old.read_text() == "{}"


def test_lab_reset_moves_the_old_copies_aside_and_copies_afresh(tmp_path, committed):
    work = tmp_path / "work"
    make("lab-copy", f"LAB_DIR={work}")
    (work / NOTEBOOKS[0]).write_text('{"a learner": "edited this"}')
    said = make("lab-reset", f"LAB_DIR={work}")
    backups = list(work.glob("backup-*"))
    assert len(backups) == 1 and str(backups[0]) in said
    assert (backups[0] / NOTEBOOKS[0]).read_text() == '{"a learner": "edited this"}'
    for p in NOTEBOOKS:
        assert digest(work / p) == committed[p]


def test_make_lab_starts_jupyterlab_in_the_working_copy():
    # -n: print the commands, run nothing
    printed = make("-n", "lab", "LAB_DIR=somewhere").replace("\\\n", " ")
    lines = [line for line in printed.splitlines() if "jupyter lab" in line]
    assert len(lines) == 1, lines
    assert '--ServerApp.root_dir="somewhere"' in lines[0]
    assert " chapters" not in lines[0].split("jupyter lab", 1)[1].replace("tree/chapters", "")
    assert "PYTHONPATH=" in lines[0], "ch3_code from this checkout, whatever is installed"
