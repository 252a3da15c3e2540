"""Saving and loading networks: atomic writes, finite values only, seed and dtype kept."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import ch3_code
from ch3_code import NN2
from ch3_code.internals import persist

pytestmark = pytest.mark.filterwarnings("error")


def small(**kwargs):
    return NN2([5, 4, 3], **kwargs)


def test_a_failed_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    small(rand_seed=1).save(path)
    good = path.read_bytes()
    synced = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(fd)
        real_fsync(fd)
    monkeypatch.setattr(os, "fsync", fsync)

    def killed(*args):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(OSError, match="disk full"):
        small(rand_seed=2).save(path)
    assert path.read_bytes() == good and synced          # written, fsync'ed, never renamed
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]  # no temporary file left behind


def test_saved_files_get_the_umasks_mode(tmp_path):
    small().save(tmp_path / "net.json")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "net.json").stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_diverged_network_is_not_saved(tmp_path):
    net = small()
    net.weights[1][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite.*diverged"):
        net.save(tmp_path / "net.json")
    net.weights[1][0, 0], net.biases[0][2, 0] = 0.0, np.inf
    with pytest.raises(ValueError, match="biases are NaN or infinite"):
        net.save(tmp_path / "net.json")
    assert not (tmp_path / "net.json").exists()


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity", "null"])
def test_non_finite_or_null_values_are_refused_on_load(tmp_path, bad):
    path = tmp_path / "net.json"
    small().save(path)
    record = json.loads(path.read_text())
    record["weights"][0][1][2] = "__bad__"
    path.write_text(json.dumps(record).replace('"__bad__"', bad))
    with pytest.raises(ValueError, match="not a network saved by NN2.save"):
        NN2.load(path)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_seed_and_dtype_are_kept(tmp_path, dtype):
    net = small(rand_seed=np.int64(12), dtype=dtype)
    net.save(tmp_path / "net.json")
    back = ch3_code.load(tmp_path / "net.json")
    assert back.rand_seed == 12 and type(back.rand_seed) is int
    assert back.dtype == np.dtype(dtype)
    assert all(w.dtype == np.dtype(dtype) for w in back.weights + back.biases)
    for p, q in zip(net.weights + net.biases, back.weights + back.biases):
        assert np.array_equal(p, q)


def test_no_seed_is_saved_as_none(tmp_path):
    small(rand_seed=None).save(tmp_path / "net.json")
    assert json.loads((tmp_path / "net.json").read_text())["rand_seed"] is None
    assert NN2.load(tmp_path / "net.json").rand_seed is None


def test_one_way_to_load():
    assert ch3_code.load is NN2.load


# --- leftovers of a killed save, and the path named in errors (issue 28) ----------------------

KILLED_SAVE = """if True:
    import os, signal, sys
    from ch3_code import NN2
    def killed(src, dst):  # kill -9 after the temporary file is written, before the rename
        os.kill(os.getpid(), signal.SIGKILL)
    os.replace = killed
    NN2([5, 4, 3], rand_seed=2).save(sys.argv[1])
"""


def left_by_a_killed_save(path):
    """Run a save that is killed with SIGKILL mid-way; return the temporary files it left."""
    out = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(path)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == -signal.SIGKILL, out.stderr
    return sorted(p.name for p in path.parent.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("next_use", ["save", "load"])
def test_a_killed_saves_temporary_file_is_removed_when_the_path_is_next_used(tmp_path,
                                                                           next_use):
    path = tmp_path / "net.json"
    small(rand_seed=1).save(path)
    good = path.read_bytes()
    left = left_by_a_killed_save(path)
    assert len(left) == 1 and left[0].startswith(".net.json.")   # recognisably save's own
    assert path.read_bytes() == good                             # the old file survived
    if next_use == "save":
        small(rand_seed=1).save(path)
    else:
        NN2.load(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]


def test_only_stale_temporary_files_of_this_path_are_removed(tmp_path):
    path = tmp_path / "net.json"
    running = tmp_path / f".net.json.{os.getpid()}-abc123.tmp"   # a save still writing
    other = tmp_path / f".other.json.{2 ** 22 + 1}-abc123.tmp"   # another file's
    notes = tmp_path / ".net.json.notes.tmp"                     # not save's name
    old = tmp_path / f".net.json.{os.getpid()}-old999.tmp"       # an hour old
    for p in (running, other, notes, old):
        p.write_text("{}")
    hours_ago = time.time() - 2 * persist.STALE_SECONDS
    os.utime(old, (hours_ago, hours_ago))
    small().save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["net.json", running.name, other.name, notes.name])


def test_saving_into_a_missing_folder_names_the_path_given(tmp_path):
    path = tmp_path / "no such folder" / "net.json"
    with pytest.raises(FileNotFoundError) as caught:
        small().save(path)
    message = str(caught.value)
    assert str(path) in message and "does not exist" in message and ".tmp" not in message
    assert caught.value.filename == str(path)


def test_saving_over_a_folder_names_the_path_given(tmp_path):
    folder = tmp_path / "net.json"
    folder.mkdir()
    with pytest.raises(OSError, match="cannot save the network to .*net.json") as caught:
        small().save(folder)
    assert ".tmp" not in str(caught.value) and folder.is_dir()
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]
