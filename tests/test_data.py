"""Tests of the MNIST data layer: the real files, the search order, downloads, damaged files.

The tests on the real files use the repository's copy in data/mnist (parsed once per process).
The download tests talk to a local HTTP server only (tests/mnist_server.py).
"""
import errno
import gzip
import hashlib
import itertools
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

import ch3_code.mnist.load
from ch3_code.mnist import download, idx, places
from ch3_code.mnist.load import (MNIST, MNISTCacheError, MNISTDataError, MNISTNotFoundError, MNISTSplit,
                           load_mnist, load_mnist_from_web)
from mnist_server import Reply, closed_port_url, offline, serve  # noqa: F401 (autouse)

REPO_DATA = Path(__file__).resolve().parent.parent / "data" / "mnist"
NAMES = list(idx.SHA256)
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture
def no_local_copy(monkeypatch, tmp_path):
    """Hide the repository's copy; returns the (empty) user cache folder."""
    monkeypatch.setattr(places, "REPO_DATA_DIR", tmp_path / "no-checkout")
    return places.cache_dir()


def gz(raw):
    return gzip.compress(raw, mtime=0)


def idx_bytes(kind, values, magic=None, dims=None):
    """The IDX encoding of uint8 ``values``; ``magic``/``dims`` override the header."""
    values = np.asarray(values, dtype=np.uint8)
    magic = magic if magic is not None else {"images": 2051, "labels": 2049}[kind]
    dims = dims if dims is not None else values.shape
    return np.array([magic, *dims], ">u4").tobytes() + values.tobytes()


def link_repo_files(folder, names=NAMES):
    """Make ``folder`` hold the repository's files (as symlinks, so parsing is memoised)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{name}.gz").symlink_to(REPO_DATA / f"{name}.gz")
    return folder


def truncated_labels(path):
    """Write a train-labels file cut after 1234 labels to ``path``."""
    raw = gzip.decompress((REPO_DATA / "train-labels-idx1-ubyte.gz").read_bytes())
    path.write_bytes(gz(raw[:8 + 1234]))
    return path


# --- the real files ---------------------------------------------------------------------------

def test_checksum_file_matches_the_embedded_hashes():
    lines = (REPO_DATA / "SHA256SUMS.idx").read_text().split("\n")
    listed = dict(reversed(line.split()) for line in lines if line)
    assert listed == idx.SHA256


def test_splits_are_contiguous_read_only_arrays(mnist):
    assert isinstance(mnist, MNIST)
    for split, n in zip(mnist, (50_000, 10_000, 10_000)):
        assert split.X.shape == (n, 784) and split.X.dtype == np.float32
        assert split.y.shape == (n,) and split.y.dtype == np.int64
        assert split.X.flags.c_contiguous and split.y.flags.c_contiguous
        assert not split.X.flags.writeable and not split.y.flags.writeable
        assert split.X.min() == 0.0 and split.X.max() == 1.0
    assert [s.one_hot for s in mnist] == [True, False, False]
    assert [s.name for s in mnist] == ["training", "validation", "test"]


def test_class_counts(mnist):
    training, validation, test = mnist
    assert np.bincount(np.concatenate([training.y, validation.y])).tolist() == TRAIN_COUNTS
    assert np.bincount(test.y).tolist() == TEST_COUNTS


def test_split_boundaries(mnist):
    training, validation, _ = mnist
    labels = idx.read_idx(REPO_DATA / "train-labels-idx1-ubyte.gz", "labels")
    images = idx.read_idx(REPO_DATA / "train-images-idx3-ubyte.gz", "images")
    assert training.y[-1] == labels[49_999] and validation.y[0] == labels[50_000]
    assert np.array_equal(validation.X[0], images[50_000] / np.float32(255))
    assert np.array_equal(training.X[-1], images[49_999] / np.float32(255))


def test_import_does_not_load_the_download_libraries():
    """requests (with urllib3 and ssl) is imported on the first download only: about 5 MB
    less in every process that reads MNIST from a copy on disk."""
    code = "import sys, ch3_code; print(sorted({'requests', 'urllib3'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_items_behave_like_the_seed_pairs(mnist):
    training, validation, _ = mnist
    x, y = training[0]
    assert x.shape == (784, 1) and x.dtype == np.float64
    assert y.shape == (10, 1) and y.sum() == 1 and y[training.y[0], 0] == 1
    x[:] = -1  # a fresh array: the split is untouched
    assert training.X[0].min() == 0
    x, label = validation[-1]
    assert type(label) is int and label == validation.y[-1]
    with pytest.raises(IndexError):
        validation[10_000]


def test_slices_lengths_and_iteration(mnist):
    training = mnist.training
    first = training[:1000]
    assert isinstance(first, MNISTSplit) and len(first) == 1000 and first.one_hot
    assert np.shares_memory(first.X, training.X)
    picked = training[np.array([5, 3, 1])]
    assert picked.y.tolist() == training.y[[5, 3, 1]].tolist()
    pairs = list(itertools.islice(iter(first), 3))
    assert len(pairs) == 3 and all(np.array_equal(p[0], first[i][0]) for i, p in enumerate(pairs))
    assert sum(1 for _ in mnist.test[:50]) == 50
    assert repr(training) == "MNISTSplit('training', n=50000, one_hot=True)"
    assert training.images.shape == (50_000, 28, 28)


def test_one_hot_training_can_be_turned_off():
    training = load_mnist(one_hot_training=False, progress=False).training
    assert not training.one_hot and isinstance(training[0][1], int)


def test_split_never_changes_the_callers_arrays():
    X, y = np.zeros((3, 784), np.float32), np.arange(3)
    split = MNISTSplit(X, y)
    assert X.flags.writeable and not split.X.flags.writeable
    with pytest.raises(ValueError, match="shape"):
        MNISTSplit(np.zeros((3, 783)), y)


def test_load_mnist_from_web_keeps_the_seed_contract(mnist, capsys):
    training, test = load_mnist_from_web()
    assert capsys.readouterr().out == ""
    assert (len(training), len(test)) == (60_000, 10_000)
    x, y = training[59_999]
    assert x.shape == (784, 1) and y.shape == (10, 1)
    assert isinstance(test[0][1], int)
    assert np.shares_memory(training.X, mnist.training.X)


def test_second_call_is_memoised(mnist, monkeypatch):
    """No file is parsed again (counted, not timed, so a loaded machine cannot fail it)."""
    parsed = []
    monkeypatch.setattr(ch3_code.mnist.load, "read_idx", lambda *args: parsed.append(args))
    again = load_mnist()
    assert parsed == []
    assert np.shares_memory(again.training.X, mnist.training.X)
    assert np.array_equal(again.test.y, mnist.test.y)


def test_memoised_arrays_cannot_be_made_writable(mnist):
    """Issue 15 item 2: no caller can change the data every later load returns."""
    training, test = load_mnist_from_web()
    for split in (*mnist, training, test, mnist.training[:10]):
        for array in (split.X, split.y):
            base = array
            while isinstance(base, np.ndarray):  # the views, then the memoised array itself
                with pytest.raises(ValueError, match="WRITEABLE"):
                    base.setflags(write=True)
                base = base.base
    before = mnist.test.X[0].copy()
    x, _ = mnist.test[0]
    x[:] = 7  # the seed-style items are fresh arrays
    assert np.array_equal(load_mnist().test.X[0], before)



def test_parsing_the_images_keeps_their_bytes_and_computes_no_floats(tmp_path):
    """The memoised images are the file's bytes; float32 rows are made only when asked for
    (issue 14: float32 images took a monitored 50k run's peak memory over 400 MB)."""
    path = tmp_path / "t10k-images-idx3-ubyte.gz"   # a copy: parsed here, not memoised
    path.write_bytes((REPO_DATA / path.name).read_bytes())
    try:
        images = ch3_code.mnist.load._read(path, "images")
    finally:
        ch3_code.mnist.load._MEMO.pop(path.resolve(), None)
    assert images.raw.dtype == np.uint8 and images.raw.shape == (10_000, 784)
    assert images.computed_rows() == 0
    assert images.floats(100, 200).shape == (100, 784) and images.computed_rows() == 100


# --- where the files come from ----------------------------------------------------------------

def test_search_order(monkeypatch, tmp_path):
    cache = places.cache_dir()
    cache.mkdir(parents=True)
    bad_cached = truncated_labels(cache / "train-labels-idx1-ubyte.gz")
    before = bad_cached.read_bytes()
    load_mnist()  # the repository's copy comes before the cache, which is left alone
    assert bad_cached.read_bytes() == before

    env_dir = link_repo_files(tmp_path / "env", [n for n in NAMES if "train-labels" not in n])
    truncated_labels(env_dir / "train-labels-idx1-ubyte.gz")
    monkeypatch.setenv("CH3_DATA_DIR", str(env_dir))
    with pytest.raises(MNISTDataError, match="env/train-labels"):
        load_mnist()  # CH3_DATA_DIR comes before the repository

    load_mnist(data_dir=link_repo_files(tmp_path / "arg"))  # data_dir comes first


# --- downloads from mirrors -------------------------------------------------------------------

def fake_labels():
    raw = idx_bytes("labels", [3, 1, 4, 1, 5])
    return gz(raw), hashlib.sha256(raw).hexdigest()


def test_fetch_tries_the_mirrors_in_order(tmp_path, capsys):
    good, sha = fake_labels()
    routes = {"/m2/l.gz": Reply(good[:-9] + b"corrupted"), "/m3/l.gz": Reply(good)}
    with serve(routes) as server:
        mirrors = [f"{server.url}/m{i}/" for i in (1, 2, 3)]
        path = download.fetch("l.gz", sha, tmp_path / "dest", mirrors=mirrors)
    assert server.requested == ["/m1/l.gz", "/m2/l.gz", "/m3/l.gz"]
    assert "l.gz: 100%" in capsys.readouterr().err  # the progress bar
    assert path.read_bytes() == good
    assert list((tmp_path / "dest").iterdir()) == [path]


def test_a_download_cut_off_half_way_leaves_no_file(tmp_path):
    good, sha = fake_labels()
    with serve({"/m/l.gz": Reply(good, cut_off=True)}) as server:
        with pytest.raises(download.DownloadError, match="connection broken") as info:
            download.fetch("l.gz", sha, tmp_path / "dest", mirrors=[f"{server.url}/m"],
                           progress=False)
    url = f"{server.url}/m/l.gz"
    assert info.value.failures == [(url, "connection broken during the download")]
    assert list((tmp_path / "dest").iterdir()) == []


def test_load_mnist_downloads_from_the_first_good_mirror(no_local_copy):
    routes = {f"/m3/{name}.gz": Reply((REPO_DATA / f"{name}.gz").read_bytes()) for name in NAMES}
    routes["/m2/train-images-idx3-ubyte.gz"] = Reply(b"\x1f\x8b corrupted")
    with serve(routes) as server:
        mirrors = [f"{server.url}/m{i}/" for i in (1, 2, 3)]
        training, validation, test = load_mnist(mirrors=mirrors, progress=False)
    assert np.bincount(np.concatenate([training.y, validation.y])).tolist() == TRAIN_COUNTS
    assert np.bincount(test.y).tolist() == TEST_COUNTS
    assert sorted(p.name for p in no_local_copy.iterdir()) == sorted(f"{n}.gz" for n in NAMES)
    assert server.requested[:3] == [f"/m{i}/train-images-idx3-ubyte.gz" for i in (1, 2, 3)]


def test_a_corrupted_cached_file_is_replaced(no_local_copy, caplog):
    cache = link_repo_files(no_local_copy, [n for n in NAMES if "train-labels" not in n])
    truncated_labels(cache / "train-labels-idx1-ubyte.gz")
    good = (REPO_DATA / "train-labels-idx1-ubyte.gz").read_bytes()
    with serve({"/m/train-labels-idx1-ubyte.gz": Reply(good)}) as server:
        training = load_mnist(mirrors=[f"{server.url}/m/"], progress=False).training
    assert server.requested == ["/m/train-labels-idx1-ubyte.gz"]
    assert (cache / "train-labels-idx1-ubyte.gz").read_bytes() == good
    assert len(training) == 50_000 and len(list(cache.iterdir())) == 4
    assert "truncated" in caplog.text and "replacing this bad cached copy" in caplog.text


def test_no_network_and_no_copy_gives_the_documented_error(no_local_copy):
    mirror = closed_port_url()
    with pytest.raises(MNISTNotFoundError) as info:
        load_mnist(mirrors=[mirror], progress=False)
    message = str(info.value)
    assert message.startswith(
        "MNIST file train-images-idx3-ubyte.gz not found. Searched, in order:\n")
    for place in ("data_dir argument: (not given)", "CH3_DATA_DIR: (not set)",
                  "repository copy: (not running from a checkout)", f"user cache: {no_local_copy}",
                  f"{mirror}train-images-idx3-ubyte.gz: cannot connect"):
        assert place in message
    assert message.endswith("Set CH3_DATA_DIR to a folder holding the four MNIST .gz files, "
                            "or connect to the internet and try again.")
    assert not any(no_local_copy.iterdir())


def test_download_false_does_not_say_connect_to_the_internet(no_local_copy):
    """Issue 15 item 10: the network is not the problem when downloading is not allowed."""
    with pytest.raises(MNISTNotFoundError) as info:
        load_mnist(download=False)
    message = str(info.value)
    assert "Downloading was not allowed (download=False)." in message
    assert message.endswith("or allow downloading (download=True).")
    assert "internet" not in message


# --- damaged files ----------------------------------------------------------------------------

GOOD_IMAGES = idx_bytes("images", np.zeros((2, 28, 28)))
MALFORMED = {
    "wrong magic": ("images", idx_bytes("images", np.zeros((2, 28, 28)), magic=2049),
                    "wrong magic number 0x00000801, expected 0x00000803"),
    "wrong dimensions": ("images", idx_bytes("images", np.zeros((2, 28, 27))),
                         r"wrong dimensions \(2, 28, 27\), expected \(n, 28, 28\)"),
    "truncated body": ("images", GOOD_IMAGES[:-800], "truncated: header says 2 images but the "
                       "file holds 0"),
    "truncated header": ("labels", b"\0\0\x08\x01\0", r"truncated header \(5 bytes, expected 8\)"),
    "extra bytes": ("images", GOOD_IMAGES + b"\0", "1 unexpected bytes after the 2 images"),
    "label out of range": ("labels", idx_bytes("labels", [1, 12, 3]),
                           r"labels outside 0-9 \(found 12\)"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_idx_files_are_refused_with_a_clear_message(case, tmp_path):
    kind, raw, problem = MALFORMED[case]
    path = tmp_path / "bad.gz"
    path.write_bytes(gz(raw))
    with pytest.raises(MNISTDataError, match=problem) as info:
        idx.read_idx(path, kind)
    assert str(info.value).startswith(f"{path}: ")
    assert str(info.value).endswith("Delete this file, or set CH3_DATA_DIR to a folder with good "
                                    "copies.")


def test_not_gzip_and_wrong_content_are_refused(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(b"plain bytes")
    with pytest.raises(MNISTDataError, match="not a readable gzip file"):
        idx.read_idx(path, "labels")
    path.write_bytes(gz(idx_bytes("labels", [1, 2])))
    with pytest.raises(MNISTDataError, match="content SHA-256 is [0-9a-f]{64}, expected 00"):
        idx.read_idx(path, "labels", sha256="00" * 32)


def test_images_and_labels_of_different_counts_are_refused(tmp_path):
    images, labels = tmp_path / "images.gz", tmp_path / "labels.gz"
    images.write_bytes(gz(GOOD_IMAGES))
    labels.write_bytes(gz(idx_bytes("labels", [1, 2, 3])))
    with pytest.raises(MNISTDataError, match=f"{labels}: holds 3 labels but images.gz holds 2"):
        idx.check_counts(idx.read_idx(images, "images"), idx.read_idx(labels, "labels"),
                         images, labels)


def test_a_damaged_file_is_never_half_loaded(tmp_path):
    folder = link_repo_files(tmp_path, [n for n in NAMES if "train-labels" not in n])
    bad = truncated_labels(folder / "train-labels-idx1-ubyte.gz")
    with pytest.raises(MNISTDataError) as info:
        load_mnist(folder)
    assert str(info.value) == (f"{bad}: truncated: header says 60000 labels but the file holds "
                               "1234. Replace it with a good copy, or call load_mnist() without "
                               "data_dir.")  # setting CH3_DATA_DIR would not help: data_dir wins


# --- a place the user named is used or refused (issue 15 item 5) ------------------------------

def test_a_data_dir_that_does_not_exist_is_refused_naming_it(tmp_path):
    missing = tmp_path / "no-such-folder"
    with pytest.raises(MNISTNotFoundError) as info:
        load_mnist(missing, download=False)  # today: silently loads the repository's copy
    message = str(info.value)
    assert f"the folder {missing} (the data_dir argument) does not exist" in message
    assert "call load_mnist() without data_dir" in message
    assert "CH3_DATA_DIR" not in message  # setting it cannot help: data_dir comes first


def test_a_data_dir_without_mnist_is_refused_saying_what_it_holds(tmp_path):
    (tmp_path / "notes.txt").write_text("not MNIST")
    with pytest.raises(MNISTNotFoundError, match=rf"{tmp_path} \(the data_dir argument\) holds "
                                                 r"no train-images-idx3-ubyte.gz \(it holds: "
                                                 r"notes.txt\)"):
        load_mnist(tmp_path)
    partial = link_repo_files(tmp_path / "partial", [n for n in NAMES if "t10k-labels" not in n])
    with pytest.raises(MNISTNotFoundError, match="holds no t10k-labels-idx1-ubyte.gz"):
        load_mnist(partial)
    with pytest.raises(MNISTNotFoundError, match="notes.txt \\(the data_dir argument\\) is a file"):
        load_mnist(tmp_path / "notes.txt")


def test_a_bad_CH3_DATA_DIR_is_refused_naming_it(monkeypatch, tmp_path):
    monkeypatch.setenv("CH3_DATA_DIR", str(tmp_path / "typo"))
    with pytest.raises(MNISTNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    assert f"{tmp_path / 'typo'} (named by CH3_DATA_DIR) does not exist" in message
    assert "unset CH3_DATA_DIR" in message and "Set CH3_DATA_DIR" not in message
    load_mnist(link_repo_files(tmp_path / "arg"))  # data_dir comes before CH3_DATA_DIR


def test_a_good_data_dir_is_used_without_any_other_copy(no_local_copy, tmp_path):
    folder = link_repo_files(tmp_path / "mine")
    assert len(load_mnist(folder, download=False).test) == 10_000


def test_a_damaged_file_in_CH3_DATA_DIR_gets_a_hint_that_helps(monkeypatch, tmp_path):
    env_dir = link_repo_files(tmp_path / "env", [n for n in NAMES if "train-labels" not in n])
    truncated_labels(env_dir / "train-labels-idx1-ubyte.gz")
    monkeypatch.setenv("CH3_DATA_DIR", str(env_dir))
    with pytest.raises(MNISTDataError, match="point CH3_DATA_DIR at a folder with good copies "
                                             r"\(or unset it\)\.$"):
        load_mnist()


# --- repairing the cache while another process does the same (issue 15 item 7) ---------------

def test_a_bad_cached_copy_deleted_by_another_process_is_still_repaired(no_local_copy,
                                                                        monkeypatch):
    """Two processes find the same bad copy; the other one removes it first."""
    cache = link_repo_files(no_local_copy, [n for n in NAMES if "train-labels" not in n])
    bad = truncated_labels(cache / "train-labels-idx1-ubyte.gz")
    real_read_idx = ch3_code.mnist.load.read_idx

    def read_idx_racing(path, *args):
        try:
            return real_read_idx(path, *args)
        except MNISTDataError:
            if Path(path) == bad:
                bad.unlink()  # the other process's repair got there first
            raise

    monkeypatch.setattr(ch3_code.mnist.load, "read_idx", read_idx_racing)
    good = (REPO_DATA / "train-labels-idx1-ubyte.gz").read_bytes()
    with serve({"/m/train-labels-idx1-ubyte.gz": Reply(good)}) as server:
        training = load_mnist(mirrors=[f"{server.url}/m/"], progress=False).training
    assert len(training) == 50_000 and bad.read_bytes() == good


def test_a_bad_cached_copy_is_replaced_in_one_rename_never_deleted_first(no_local_copy,
                                                                         monkeypatch):
    cache = link_repo_files(no_local_copy, [n for n in NAMES if "train-labels" not in n])
    bad = truncated_labels(cache / "train-labels-idx1-ubyte.gz")
    seen = []  # whether the cached file existed at every moment the downloader looked
    real_replace = os.replace

    def replace_watching(src, dst):
        seen.append(Path(dst).exists())
        real_replace(src, dst)

    monkeypatch.setattr(download.os, "replace", replace_watching)
    good = (REPO_DATA / "train-labels-idx1-ubyte.gz").read_bytes()
    with serve({"/m/train-labels-idx1-ubyte.gz": Reply(good)}) as server:
        load_mnist(mirrors=f"{server.url}/m/", progress=False)
    assert seen == [True] and bad.read_bytes() == good


# --- a cache that cannot be written (issue 15 item 8) -----------------------------------------

def _assert_cache_advice(message):
    assert "cannot store MNIST in the cache folder" in message
    assert "set CH3_DATA_DIR to a folder that holds the four MNIST .gz files" in message
    assert "set XDG_CACHE_HOME to a folder you can write to" in message


def test_a_file_where_the_cache_folder_belongs_is_explained(no_local_copy, monkeypatch, tmp_path):
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    with pytest.raises(MNISTCacheError) as info:
        load_mnist(progress=False)
    assert f"{blocker} is a file where a folder belongs" in str(info.value)
    _assert_cache_advice(str(info.value))

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / "xdg" / "ch3_code").mkdir(parents=True)
    (tmp_path / "xdg" / "ch3_code" / "mnist").write_text("")
    with pytest.raises(MNISTCacheError, match="mnist is a file where a folder belongs"):
        load_mnist(progress=False)


def test_a_folder_where_a_cached_file_belongs_is_explained(no_local_copy):
    (no_local_copy / "train-images-idx3-ubyte.gz").mkdir(parents=True)
    with pytest.raises(MNISTCacheError, match="train-images-idx3-ubyte.gz is a folder where the "
                                              "file train-images-idx3-ubyte.gz belongs; remove"):
        load_mnist(progress=False)


def test_an_unwritable_cache_is_explained(no_local_copy, monkeypatch):
    """A read-only home; simulated, since permissions do not stop root (the test user here)."""
    real_open = os.open

    def open_refusing(path, *args, **kwargs):
        if str(path).startswith(str(no_local_copy)):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(download.os, "open", open_refusing)
    with pytest.raises(MNISTCacheError) as info:
        load_mnist(progress=False)
    assert "no permission to write in" in str(info.value)
    _assert_cache_advice(str(info.value))
    assert not any(no_local_copy.iterdir())


# --- downloads: file mode, stalls, one URL (issue 15 items 9, 10, 11) -------------------------

def test_downloaded_files_get_the_umask_mode(tmp_path):
    good, sha = fake_labels()
    old = os.umask(0o022)
    try:
        with serve({"/m/l.gz": Reply(good)}) as server:
            path = download.fetch("l.gz", sha, tmp_path, mirrors=[f"{server.url}/m"],
                                  progress=False)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644  # tempfile's 0o600 would hide it from others


@dataclass
class StallingReply(Reply):
    """Send the headers and half the body, then nothing until ``release`` is set."""

    release: threading.Event = field(default_factory=threading.Event)

    def send(self, handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body[:len(self.body) // 2])
        handler.wfile.flush()
        self.release.wait(10)


def test_a_stalled_transfer_is_reported_as_a_timeout(no_local_copy, monkeypatch, tmp_path):
    good, sha = fake_labels()
    stall = StallingReply(good)
    try:
        with serve({"/m/l.gz": stall}) as server:
            with pytest.raises(download.DownloadError) as info:
                download.fetch("l.gz", sha, tmp_path, mirrors=[f"{server.url}/m"],
                               progress=False, timeout=(5, 0.2))
            assert info.value.failures == [
                (f"{server.url}/m/l.gz",
                 "timed out: no data for 0.2 s (a slow or stalled connection)")]
            assert list(tmp_path.iterdir()) == []

            name = "train-images-idx3-ubyte.gz"
            server.routes[f"/m/{name}"] = StallingReply(
                (REPO_DATA / name).read_bytes()[:4096], stall.release)
            monkeypatch.setattr(download, "TIMEOUT", (5, 0.2))
            with pytest.raises(MNISTNotFoundError) as info:
                load_mnist(mirrors=f"{server.url}/m/", progress=False)
    finally:
        stall.release.set()
    message = str(info.value)
    assert f"{name}: timed out: no data for 0.2 s" in message
    assert "try again later: a timeout means the connection was too slow or stalled" in message
    assert "connect to the internet" not in message and "cannot connect" not in message


def test_mirrors_can_be_one_url(no_local_copy):
    link_repo_files(no_local_copy, [n for n in NAMES if "train-labels" not in n])
    name = "train-labels-idx1-ubyte.gz"
    with serve({f"/m/{name}": Reply((REPO_DATA / name).read_bytes())}) as server:
        training = load_mnist(mirrors=f"{server.url}/m/", progress=False).training
    assert len(training) == 50_000 and server.requested == [f"/m/{name}"]


@pytest.mark.parametrize("mirrors, error, match", [
    ([], ValueError, "mirrors is empty"),
    (["ftp://example.org/mnist/"], ValueError, "'ftp://example.org/mnist/' is not an http:// or "
                                               "https:// URL"),
    ([b"http://example.org/"], ValueError, "is not an http"),
    (3, TypeError, "mirrors=3: give a URL"),
])
def test_bad_mirrors_are_refused_before_anything_is_searched(mirrors, error, match):
    with pytest.raises(error, match=match):
        load_mnist(mirrors=mirrors)  # refused although the repository's copy is there
