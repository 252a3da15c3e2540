"""Where the MNIST files are looked for, and what the errors say when they are not there.

Search order
------------
A place the user names is used, or refused; nothing else is then searched:

1. the ``data_dir`` argument of the loader, if given;
2. otherwise the folder named by the ``CH3_DATA_DIR`` environment variable, if set.

Such a folder must exist and hold the four files; if not, :class:`MNISTNotFoundError` names
it and says what it holds (:func:`explicit_place_error`), rather than quietly loading
another copy. Without an explicit place, each file is taken from the first of these that
holds it (:func:`search_places`):

3. the repository's ``data/mnist/`` when the package runs from a checkout (so a fresh clone
   works offline);
4. the per-user cache, ``$XDG_CACHE_HOME/ch3_code/mnist`` (default ``~/.cache/ch3_code/mnist``).

Only when neither holds it is it downloaded (:func:`ch3_code.mnist.download.fetch`), into the
cache. A copy we may not read does not count: an unreadable repository copy is passed over
(with a warning), and an unreadable cached copy is downloaded again and replaced, as a damaged
one is. A folder that cannot be read or written (no permission, a full disk, a read-only home,
a file where the folder should be) raises :class:`MNISTCacheError`, which names the folder,
says what is wrong and how to fix it, or to set ``CH3_DATA_DIR`` or ``XDG_CACHE_HOME``.

The cache's temporary files
---------------------------
A download writes ``.<name>.<pid>.<8 hex digits>.part`` (:func:`new_part`) and holds a lock on
it (``flock``), which the system releases when the process ends, however it ends. Such a file
no process holds was left by a killed download: :func:`remove_stale_parts` deletes it (without
locks, on Windows, once it is :data:`STALE_AGE` old, older than a live download can be).
"""
import errno
import os
import re
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

ENV_VAR = "CH3_DATA_DIR"
#: The repository's copy; only searched when it exists (i.e. when running from a checkout).
REPO_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "mnist"
FILENAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
#: Seconds after which a temporary file counts as left over where files cannot be locked.
STALE_AGE = 3600
#: Errors of the disk or the folder, not of the data or the network.
DISK_ERRORS = {errno.ENOSPC, getattr(errno, "EDQUOT", 0), errno.EFBIG, errno.EROFS, errno.EACCES,
               errno.EPERM}
_PART = re.compile(r"\..+\.\d+\.[0-9a-f]{8}\.part")
# How the error message shows a place that does not apply.
_ABSENT = {"data_dir argument": "(not given)", ENV_VAR: "(not set)",
           "repository copy": "(not running from a checkout)"}


class MNISTNotFoundError(FileNotFoundError):
    """An MNIST file is not where the user said, or nowhere and could not be downloaded."""


class MNISTCacheError(OSError):
    """An MNIST folder cannot be written (or a file in it read); the message names the folder,
    says why (no permission, disk full, ...) and what to do. ``errno`` is the system's."""


def explicit_place(data_dir=None):
    """The folder the user named, as ``(description, path)``, or None if they named none.

    ``data_dir`` wins over ``CH3_DATA_DIR``.
    """
    if data_dir is not None:
        return "data_dir argument", Path(data_dir).expanduser()
    env = os.environ.get(ENV_VAR)
    return (ENV_VAR, Path(env).expanduser()) if env else None


def search_places(data_dir=None):
    """The folders to search, in order, as ``(description, path)`` pairs; the last is the cache.

    With an explicit place (``data_dir`` or ``CH3_DATA_DIR``) that is the only one. Otherwise
    all four are listed, and one that does not apply has path ``None``.
    """
    place = explicit_place(data_dir)
    if place is not None:
        return [place]
    return [
        ("data_dir argument", None),
        (ENV_VAR, None),
        ("repository copy", REPO_DATA_DIR if REPO_DATA_DIR.is_dir() else None),
        ("user cache", cache_dir()),
    ]


def cache_dir():
    """The per-user download cache: ``$XDG_CACHE_HOME/ch3_code/mnist`` or ``~/.cache/...``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ch3_code" / "mnist"


def explicit_place_error(filename, place):
    """The error for an explicit folder that does not exist or lacks ``filename``."""
    label, folder = place
    named = "the data_dir argument" if label == "data_dir argument" else f"named by {ENV_VAR}"
    other = ("call load_mnist() without data_dir" if label == "data_dir argument"
             else f"unset {ENV_VAR}")
    other += " to use the repository copy, the user cache or a download"
    if not folder.exists():
        what = f"the folder {folder} ({named}) does not exist"
    elif not folder.is_dir():
        what = f"{folder} ({named}) is a file, not a folder"
    else:
        held = sorted(p.name for p in folder.iterdir())
        listing = ", ".join(held[:6]) + (", ..." if len(held) > 6 else "") if held else "nothing"
        what = f"{folder} ({named}) holds no {filename} (it holds: {listing})"
    return MNISTNotFoundError(
        f"MNIST: {what}. Put the four files {', '.join(FILENAMES)} there, or {other}.")


def not_found_error(filename, places, download_error=None, damaged=None):
    """The error for a file found nowhere: every place searched, why downloading failed, the fix.

    ``damaged`` is the :class:`MNISTDataError` of a bad cached copy that was not replaced.
    """
    searched = "".join(f"\n  {label}: {path or _ABSENT[label]}" for label, path in places)
    note = ("" if damaged is None
            else f"The cached copy {damaged.path} is damaged ({damaged.problem}).\n")
    if download_error is None:
        why = "Downloading was not allowed (download=False)."
        fix = "allow downloading (download=True)."
    else:  # a ch3_code.mnist.download.DownloadError
        why, fix = "Download failed; " + download_error.tried, download_error.advice
    fix = f"Set {ENV_VAR} to a folder holding the four MNIST .gz files, or {fix}"
    return MNISTNotFoundError(
        f"MNIST file {filename} not found. Searched, in order:{searched}\n{note}{why}\n{fix}")


def cache_error(folder, err, problem=None):
    """:class:`MNISTCacheError` for ``folder``: what is wrong, and what to set instead."""
    fix = "Either "
    if problem is None:
        culprit = Path(err.filename) if err.filename else folder
        if err.errno in (errno.ENOTDIR, errno.EEXIST):
            problem = f"{_first_file(culprit)} is a file where a folder belongs"
        elif err.errno in (errno.EACCES, errno.EPERM):
            problem = f"no permission to write in {culprit}"
            fix = "Fix its permissions (in a shared folder, ask its owner), or "
        elif err.errno == errno.EROFS:
            problem = f"{culprit} is on a read-only file system"
        elif err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", 0), errno.EFBIG):
            problem = f"the disk is full, or your quota used up ({err.strerror})"
            fix = "Free some space on that disk (MNIST takes 12 MB), or "
        else:
            problem = f"{culprit}: {err.strerror or err}"
    error = MNISTCacheError(
        f"cannot store MNIST in the cache folder {folder}: {problem}. {fix}set {ENV_VAR} to "
        "a folder that holds the four MNIST .gz files (or pass it as data_dir), or set "
        "XDG_CACHE_HOME to a folder you can write to (MNIST is then cached in "
        "$XDG_CACHE_HOME/ch3_code/mnist).")
    error.errno, error.problem = getattr(err, "errno", None), problem
    return error


def unreadable_error(path, err, label, download_problem=None):
    """:class:`MNISTCacheError` for a file we may not read in the place ``label`` names.

    ``download_problem`` says why a readable copy could not be downloaded instead; the
    error's ``reason`` is ``err``, the system's PermissionError.
    """
    elsewhere = f"set {ENV_VAR} to a folder that holds the four MNIST .gz files"
    other = {"data_dir argument": "call load_mnist() without data_dir",
             ENV_VAR: f"point {ENV_VAR} at a folder you can read (or unset it)",
             "user cache": (f"delete it, or {elsewhere}, or set XDG_CACHE_HOME to a folder you "
                            "can write to (MNIST is then cached in "
                            "$XDG_CACHE_HOME/ch3_code/mnist)")}
    then = "" if download_problem is None else f" A readable copy {download_problem}."
    error = MNISTCacheError(
        f"cannot read the MNIST file {path.name} in the folder {path.parent}: no permission "
        f"({err.strerror or err}).{then} Make it readable (chmod a+r {path}; in a shared folder "
        f"its owner can), or {other.get(label, elsewhere)}.")
    error.errno, error.reason = err.errno, err
    return error


def new_part(dest):
    """A new temporary file beside ``dest``, as ``(fd, path)``, locked while the fd is open.

    Mode 0o666 less the umask, as any new file (``tempfile``'s 0o600 would hide it from
    others sharing the cache). A cleaner deletes only while it holds the lock, so one
    deleted in the instant before we lock it is replaced by another.
    """
    while True:
        path = dest.with_name(f".{dest.name}.{os.getpid()}.{os.urandom(4).hex()}.part")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as err:
            raise cache_error(dest.parent, err) from None
        _lock(fd, wait=True)
        if os.fstat(fd).st_nlink:
            return fd, path
        os.close(fd)


def remove_stale_parts(folder):
    """Delete the temporary files in ``folder`` that no live download is writing.

    Only names of :func:`new_part`'s pattern count; files we may not open or delete
    (another user's, in a shared cache) are left alone."""
    try:
        parts = [p for p in Path(folder).glob(".*.part") if _PART.fullmatch(p.name)]
    except OSError:
        return
    for path in parts:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            locked, stat = _lock(fd), os.fstat(fd)
            old = time.time() - stat.st_mtime > STALE_AGE
            if (locked or (locked is None and old)) and os.path.samestat(stat, os.stat(path)):
                path.unlink()
        except OSError:
            pass
        finally:
            os.close(fd)


def _lock(fd, wait=False):
    """Lock ``fd`` (exclusive and waiting, or shared if free now): True, False if another
    process holds it, None if locks do not work here."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_SH | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except OSError:
        return None


def _first_file(path):
    """The first ancestor of ``path`` (or ``path`` itself) that is an existing non-folder."""
    for candidate in reversed([path, *path.parents]):
        if candidate.exists() and not candidate.is_dir():
            return candidate
    return path
