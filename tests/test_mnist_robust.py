"""The MNIST layer when the disk, the permissions or a mirror misbehave (issue 28 cases 5 and 6).

A full disk and unreadable files are simulated with monkeypatch (the tests run as root, whom
permissions do not stop; one test uses real permissions when not root). Downloads talk to a
local HTTP server on 127.0.0.1 only (tests/mnist_server.py); its trickle mode stands for a
mirror that is never silent long enough for the read timeout. No test waits on a clock: the
deadlines are set far apart from what the server does (0.5 s against 50 s).
"""
import errno
import fcntl
import gzip
import hashlib
import os
import pathlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import ch3_code.mnist.load
from ch3_code.mnist import download, idx, places
from ch3_code.mnist.load import MNISTCacheError, load_mnist
from mnist_server import Reply, closed_port_url, offline, serve  # noqa: F401 (autouse)

REPO_DATA = Path(__file__).resolve().parent.parent / "data" / "mnist"
NAMES = list(idx.SHA256)
LABELS = "train-labels-idx1-ubyte.gz"


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """The user cache holding the repository's files (as symlinks), the repository hidden."""
    monkeypatch.setattr(places, "REPO_DATA_DIR", tmp_path / "no-checkout")
    folder = places.cache_dir()
    folder.mkdir(parents=True)
    for name in NAMES:
        (folder / f"{name}.gz").symlink_to(REPO_DATA / f"{name}.gz")
    return folder


def fake_labels():
    raw = np.array([2049, 5], ">u4").tobytes() + bytes([3, 1, 4, 1, 5])
    return gzip.compress(raw, mtime=0), hashlib.sha256(raw).hexdigest()


def parts(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def unreadable(monkeypatch, *paths):
    """Make reading ``paths`` fail as it does for a file of another user's with mode 0600.

    The paths are symbolic links to the repository's files; a file that replaces one (a
    download renamed over it) can be read.
    """
    refused = {str(p) for p in paths}
    real_open = pathlib.Path.open

    def open_refusing(self, *args, **kwargs):
        if str(self) in refused and self.is_symlink():
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", open_refusing)


def forget_parsed_labels(monkeypatch):
    """The training labels not parsed yet, as in a new process (else the cache's symlinks,
    resolving to the parsed repository files, are never opened)."""
    monkeypatch.delitem(ch3_code.mnist.load._MEMO, (REPO_DATA / LABELS).resolve(), raising=False)


# --- a full disk (case 5) ---------------------------------------------------------------------

class FullDisk:
    """A file whose every write fails as on a full disk (or with the quota used up)."""

    def __init__(self, file, code):
        self.file, self.code = file, code

    def write(self, data):
        raise OSError(self.code, os.strerror(self.code))

    def __getattr__(self, name):
        return getattr(self.file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_during_a_download_is_a_cache_error_naming_the_folder(code, monkeypatch,
                                                                          tmp_path):
    good, sha = fake_labels()
    real_fdopen = os.fdopen
    monkeypatch.setattr(download.os, "fdopen", lambda *a, **k: FullDisk(real_fdopen(*a, **k),
                                                                         code))
    dest = tmp_path / "dest"
    with serve({"/m1/l.gz": Reply(good), "/m2/l.gz": Reply(good)}) as server:
        with pytest.raises(MNISTCacheError) as info:  # today: a bare OSError
            download.fetch("l.gz", sha, dest, mirrors=[f"{server.url}/m1", f"{server.url}/m2"],
                           progress=False)
    message = str(info.value)
    assert f"cannot store MNIST in the cache folder {dest}" in message
    assert "the disk is full, or your quota used up" in message
    assert "Free some space on that disk" in message and "XDG_CACHE_HOME" in message
    assert info.value.errno == code
    assert server.requested == ["/m1/l.gz"]  # the disk's fault: no other mirror is tried
    assert list(dest.iterdir()) == []         # and the partial file is gone


def test_load_mnist_on_a_full_disk_says_what_to_do(monkeypatch, cache):
    (cache / LABELS).unlink()
    real_fdopen = os.fdopen
    monkeypatch.setattr(download.os, "fdopen",
                        lambda *a, **k: FullDisk(real_fdopen(*a, **k), errno.ENOSPC))
    with serve({f"/m/{LABELS}": Reply((REPO_DATA / LABELS).read_bytes())}) as server:
        with pytest.raises(MNISTCacheError, match=f"cache folder {cache}: the disk is full"):
            load_mnist(mirrors=f"{server.url}/m/", progress=False)
    assert parts(cache) == [] and not (cache / LABELS).exists()


# --- unreadable files (case 5) ----------------------------------------------------------------

def test_an_unreadable_cached_copy_is_downloaded_again(cache, monkeypatch, caplog):
    """A shared cache holding another user's file of mode 0600: the README promises shared
    caches work, so a readable copy replaces it, as a damaged copy is replaced."""
    forget_parsed_labels(monkeypatch)
    unreadable(monkeypatch, cache / LABELS)
    good = (REPO_DATA / LABELS).read_bytes()
    with serve({f"/m/{LABELS}": Reply(good)}) as server:
        training = load_mnist(mirrors=f"{server.url}/m/", progress=False).training
    assert server.requested == [f"/m/{LABELS}"]
    assert len(training) == 50_000
    assert not (cache / LABELS).is_symlink()  # the new copy, renamed over the old one
    assert "no permission to read it; downloading a readable copy" in caplog.text


def test_an_unreadable_cached_copy_without_download_is_explained(cache, monkeypatch):
    forget_parsed_labels(monkeypatch)
    unreadable(monkeypatch, cache / LABELS)
    with pytest.raises(MNISTCacheError) as info:  # today: a bare PermissionError
        load_mnist(download=False)
    message = str(info.value)
    assert f"cannot read the MNIST file {LABELS} in the folder {cache}: no permission" in message
    assert f"chmod a+r {cache / LABELS}" in message
    assert "set XDG_CACHE_HOME to a folder you can write to" in message
    assert info.value.errno == errno.EACCES


def test_an_unreadable_copy_in_a_read_only_shared_cache_names_both_problems(cache, monkeypatch):
    forget_parsed_labels(monkeypatch)
    unreadable(monkeypatch, cache / LABELS)
    real_open = os.open

    def open_refusing(path, *args, **kwargs):  # the folder belongs to someone else
        if str(path).startswith(str(cache)) and args and args[0] & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(download.os, "open", open_refusing)
    with serve({f"/m/{LABELS}": Reply((REPO_DATA / LABELS).read_bytes())}) as server:
        with pytest.raises(MNISTCacheError) as info:
            load_mnist(mirrors=f"{server.url}/m/", progress=False)
    message = str(info.value)
    assert f"cannot read the MNIST file {LABELS}" in message
    assert "A readable copy could not be stored: no permission to write in" in message
    assert server.requested == []  # nothing downloaded that could not be kept


def test_an_unreadable_cached_copy_and_no_network_names_the_permission(cache, monkeypatch):
    forget_parsed_labels(monkeypatch)
    unreadable(monkeypatch, cache / LABELS)
    with pytest.raises(MNISTCacheError) as info:
        load_mnist(progress=False)
    message = str(info.value)
    assert f"cannot read the MNIST file {LABELS}" in message
    assert "A readable copy could not be downloaded; tried:" in message
    assert "cannot connect" in message


def test_an_unreadable_repository_copy_is_passed_over_for_the_cache(cache, monkeypatch, caplog):
    repo = cache.parent / "checkout"
    repo.mkdir()
    for name in NAMES:
        (repo / f"{name}.gz").symlink_to(REPO_DATA / f"{name}.gz")
    monkeypatch.setattr(places, "REPO_DATA_DIR", repo)
    forget_parsed_labels(monkeypatch)
    unreadable(monkeypatch, repo / LABELS)
    training = load_mnist(download=False).training  # today: a bare PermissionError
    assert len(training) == 50_000
    assert f"{repo / LABELS}: no permission to read it; passing over the repository" in caplog.text


@pytest.mark.parametrize("how", ["data_dir", "CH3_DATA_DIR"])
def test_an_unreadable_file_in_a_named_folder_is_explained(how, cache, monkeypatch, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in NAMES:
        (mine / f"{name}.gz").symlink_to(REPO_DATA / f"{name}.gz")
    forget_parsed_labels(monkeypatch)
    unreadable(monkeypatch, mine / LABELS)
    if how == "CH3_DATA_DIR":
        monkeypatch.setenv("CH3_DATA_DIR", str(mine))
    with pytest.raises(MNISTCacheError) as info:
        load_mnist(mine if how == "data_dir" else None)
    message = str(info.value)
    assert f"cannot read the MNIST file {LABELS} in the folder {mine}" in message
    assert ("call load_mnist() without data_dir" if how == "data_dir"
            else "point CH3_DATA_DIR at a folder you can read") in message


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not stop root")
def test_a_real_unreadable_file_in_data_dir(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in NAMES:
        (mine / f"{name}.gz").write_bytes((REPO_DATA / f"{name}.gz").read_bytes())
    (mine / LABELS).chmod(0)
    with pytest.raises(MNISTCacheError, match="no permission"):
        load_mnist(mine)


# --- a mirror that trickles (case 6) ----------------------------------------------------------

def test_a_trickling_mirror_is_given_up_at_the_deadline_and_the_next_one_tried(tmp_path):
    good, sha = fake_labels()
    trickle = Reply(good + bytes(1000), trickle=0.05)  # one byte per 0.05 s: 50 s in all
    with serve({"/slow/l.gz": trickle, "/fast/l.gz": Reply(good)}) as server:
        path = download.fetch("l.gz", sha, tmp_path, progress=False, deadline=0.5,
                              mirrors=[f"{server.url}/slow", f"{server.url}/fast"])
        assert server.requested == ["/slow/l.gz", "/fast/l.gz"]
        assert path.read_bytes() == good and parts(tmp_path) == []

        with pytest.raises(download.DownloadError) as info:
            download.fetch("l.gz", sha, tmp_path / "other", progress=False, deadline=0.5,
                           mirrors=[f"{server.url}/slow"])
    (url, reason), = info.value.failures
    assert reason.startswith("too slow: not finished within 0.5 s (") and "bytes received" in reason
    assert info.value.advice.startswith("try again later")


def test_a_mirror_below_the_minimum_rate_is_given_up(tmp_path, monkeypatch):
    monkeypatch.setattr(download, "RATE_WINDOW", 0.3)
    monkeypatch.setattr(download, "MIN_RATE", 10_000)  # the trickle sends 20 bytes a second
    good, sha = fake_labels()
    with serve({"/slow/l.gz": Reply(good + bytes(1000), trickle=0.05)}) as server:
        with pytest.raises(download.DownloadError) as info:
            download.fetch("l.gz", sha, tmp_path, progress=False,
                           mirrors=[f"{server.url}/slow"])
    (url, reason), = info.value.failures
    assert reason.startswith("too slow: ") and "less than 10,000 bytes a second" in reason


def test_load_mnist_moves_on_from_a_trickling_mirror(monkeypatch, cache):
    monkeypatch.setattr(download, "DEADLINE", 0.5)
    (cache / LABELS).unlink()
    good = (REPO_DATA / LABELS).read_bytes()
    routes = {f"/slow/{LABELS}": Reply(good, trickle=0.05), f"/fast/{LABELS}": Reply(good)}
    with serve(routes) as server:
        training = load_mnist(mirrors=[f"{server.url}/slow/", f"{server.url}/fast/"],
                              progress=False).training
    assert len(training) == 50_000 and (cache / LABELS).read_bytes() == good


# --- leftover temporary files (case 6) --------------------------------------------------------

def leftover(folder, name=LABELS, pid=999_999_999, age=0):
    """A temporary file as a killed download leaves it (nobody holds its lock)."""
    path = folder / f".{name}.{pid}.0123abcd.part"
    path.write_bytes(b"half a download")
    os.utime(path, (time.time() - age, time.time() - age))
    return path


def test_leftover_parts_are_removed_but_not_a_live_download_nor_other_files(cache):
    stale = leftover(cache)
    live = leftover(cache, name="t10k-labels-idx1-ubyte.gz", pid=os.getpid())
    others = [cache / ".notes.part", cache / "mine.part", cache / ".x.gz.12.nothex00.part"]
    for path in others:
        path.write_text("not ours")
    with open(live, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a download in another process holds its file
        load_mnist(download=False)        # today: nothing removes the leftover
        assert not stale.exists()
        assert live.exists() and all(path.exists() for path in others)
    places.remove_stale_parts(cache)      # the live download has ended (its lock is gone)
    assert not live.exists() and all(path.exists() for path in others)


def test_without_locks_only_old_leftovers_are_removed(cache, monkeypatch):
    monkeypatch.setattr(places, "fcntl", None)  # as on Windows
    old = leftover(cache, age=places.STALE_AGE + 10)
    recent = leftover(cache, name="t10k-labels-idx1-ubyte.gz")
    places.remove_stale_parts(cache)
    assert not old.exists() and recent.exists()


def test_a_download_holds_the_lock_on_its_file_until_it_is_renamed(tmp_path, monkeypatch):
    good, sha = fake_labels()
    seen = []
    real_replace = os.replace

    def replace_after_a_cleaner(src, dst):
        places.remove_stale_parts(Path(src).parent)  # another process cleaning the cache
        seen.append(Path(src).exists())
        real_replace(src, dst)

    monkeypatch.setattr(download.os, "replace", replace_after_a_cleaner)
    with serve({"/m/l.gz": Reply(good)}) as server:
        path = download.fetch("l.gz", sha, tmp_path, mirrors=[f"{server.url}/m"],
                              progress=False)
    assert seen == [True] and path.read_bytes() == good


def test_a_part_file_deleted_before_it_was_locked_is_replaced(tmp_path, monkeypatch):
    """A cleaner can find the file in the instant between its creation and its lock."""
    real_lock, created = places._lock, []

    def lock_after_a_cleaner(fd, wait=False):
        if wait:
            created.extend(parts(tmp_path))
            if len(created) == 1:  # the first file is removed before it is locked
                (tmp_path / created[0]).unlink()
        return real_lock(fd, wait)

    monkeypatch.setattr(places, "_lock", lock_after_a_cleaner)
    fd, path = places.new_part(tmp_path / "l.gz")
    os.close(fd)
    assert len(created) == 2 and parts(tmp_path) == [path.name] != created[:1]


DOWNLOAD_FOREVER = """
import sys
from ch3_code.mnist import download
download.fetch("l.gz", "00" * 32, sys.argv[1], mirrors=[sys.argv[2]], progress=False)
"""


def test_a_download_killed_by_sigterm_leaves_a_part_that_the_next_look_removes(tmp_path):
    good, _ = fake_labels()
    dest = tmp_path / "dest"
    with serve({"/slow/l.gz": Reply(good + bytes(10_000), trickle=0.01)}) as server:
        child = subprocess.Popen([sys.executable, "-c", DOWNLOAD_FOREVER, str(dest),
                                  f"{server.url}/slow"])
        try:
            for _ in range(3000):  # until the download has started (at most 30 s)
                if dest.is_dir() and parts(dest) and server.requested:
                    break
                time.sleep(0.01)
            assert parts(dest), "the download in the child never started"
            places.remove_stale_parts(dest)
            assert parts(dest), "the file of a live download was removed"
        finally:
            child.send_signal(signal.SIGTERM)
            child.wait()
    assert child.returncode == -signal.SIGTERM
    assert len(parts(dest)) == 1      # SIGTERM gives no chance to clean up
    with serve({"/m/l.gz": Reply(good)}) as server:
        download.fetch("l.gz", fake_labels()[1], dest, mirrors=[f"{server.url}/m"],
                       progress=False)
    assert parts(dest) == [] and (dest / "l.gz").read_bytes() == good
