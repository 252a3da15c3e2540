"""Where the MNIST files come from: local folders, the user cache, and mirrors on the web.

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

Only when neither holds it is it downloaded (:func:`fetch`), into the cache. A cache that
cannot be written (read-only home, a file where the folder should be) raises
:class:`MNISTCacheError`, which says what is wrong and to set ``CH3_DATA_DIR`` or
``XDG_CACHE_HOME``.

Downloads
---------
The public MNIST hosts have gone down or started refusing requests more than once, so
:data:`MIRRORS` lists several; each is tried in turn until one delivers a file whose
decompressed content has the expected SHA-256. A download is streamed into a temporary file in
the destination folder (shown with a ``tqdm`` progress bar), verified, and only then renamed
into place with :func:`os.replace`, which is atomic on one file system. Whatever goes wrong
(HTTP error, broken connection, wrong bytes, Ctrl-C), the temporary file is deleted, so the
destination either holds a verified file or what it held before. Several processes can
download into one cache at once: each writes its own temporary file, and a bad cached copy
is replaced by the rename, never deleted first, so no process sees the file vanish. The
file gets the mode the user's umask gives new files (e.g. 0644), so a shared cache works.

A mirror that answers nothing for ``TIMEOUT[1]`` seconds, at the start or in the middle of
a transfer, is reported as "timed out", not as a missing network.

The mirrors' published MD5s of their ``.gz`` files are not checked: the content SHA-256 is the
stronger test, and it also accepts a mirror that serves a re-compressed copy.

Why ``requests`` rather than pooch: ``requests`` is already a dependency of the book, and what
pooch would do for us here (try several URLs, hash, move into a cache) takes a few dozen lines,
while pooch hashes the compressed bytes (a re-compressed copy would fail) and would add a
dependency to every reader's environment.
"""
import errno
import os
from pathlib import Path

import requests
from tqdm.auto import tqdm
from urllib3.exceptions import ReadTimeoutError

from .idx import MNISTDataError, verify

#: Base URLs tried in order; the file name is appended. The first is the bucket the seed
#: page used.
MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
ENV_VAR = "CH3_DATA_DIR"
#: The repository's copy; only searched when it exists (i.e. when running from a checkout).
REPO_DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "mnist"
#: Seconds to wait for a connection, and then between two pieces of the response.
TIMEOUT = (5, 30)
FILENAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
_CHUNK = 1 << 16
# How the error message shows a place that does not apply.
_ABSENT = {"data_dir argument": "(not given)", ENV_VAR: "(not set)",
           "repository copy": "(not running from a checkout)"}
_NO_NETWORK = "cannot connect (no network, or the host is down)"


class MNISTNotFoundError(FileNotFoundError):
    """An MNIST file is not where the user said, or nowhere and could not be downloaded."""


class MNISTCacheError(OSError):
    """The download cache cannot be written; the message says why and what to set instead."""


class DownloadError(OSError):
    """No mirror delivered a good copy. ``failures`` holds ``(url, reason)`` pairs."""

    def __init__(self, filename, failures):
        self.failures = failures
        super().__init__(f"could not download {filename}; {_tried(failures)}")


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


def check_mirrors(mirrors):
    """``mirrors`` as a tuple of base URLs: None gives :data:`MIRRORS`, one string one URL."""
    if mirrors is None:
        return MIRRORS
    if isinstance(mirrors, str):
        mirrors = (mirrors,)
    try:
        mirrors = tuple(mirrors)
    except TypeError:
        raise TypeError(f"mirrors={mirrors!r}: give a URL such as 'https://host/mnist/' or a "
                        "list of them") from None
    if not mirrors:
        raise ValueError("mirrors is empty; give at least one URL, or leave it out to use "
                         "ch3_code.download.MIRRORS")
    for url in mirrors:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"mirrors: {url!r} is not an http:// or https:// URL; give base "
                             "URLs such as 'https://host/mnist/' (the file name is appended)")
    return mirrors


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
    """The error for a file found nowhere: every place searched, then why downloading failed.

    ``damaged`` is the :class:`MNISTDataError` of a bad cached copy that was not replaced.
    """
    searched = "".join(f"\n  {label}: {path or _ABSENT[label]}" for label, path in places)
    note = "" if damaged is None else f"The cached copy {damaged.path} is damaged ({damaged.problem}).\n"
    where = f"Set {ENV_VAR} to a folder holding the four MNIST .gz files"
    if download_error is None:
        why = "Downloading was not allowed (download=False)."
        fix = f"{where}, or allow downloading (download=True)."
    else:
        why = "Download failed; " + _tried(download_error.failures)
        reasons = [reason for _, reason in download_error.failures]
        if reasons and all(reason == _NO_NETWORK for reason in reasons):
            fix = f"{where}, or connect to the internet and try again."
        elif any(reason.startswith("timed out") for reason in reasons):
            fix = (f"{where}, or try again later: a timeout means the connection was too slow "
                   "or stalled.")
        else:
            fix = f"{where}, or try again later (the mirrors may be down)."
    return MNISTNotFoundError(
        f"MNIST file {filename} not found. Searched, in order:{searched}\n{note}{why}\n{fix}")


def _tried(failures):
    return "tried:" + ("".join(f"\n  {url}: {reason}" for url, reason in failures)
                       or " no mirrors")


def fetch(filename, sha256, dest_dir, *, mirrors=None, progress=True, timeout=None):
    """Download ``filename`` into ``dest_dir`` from the first mirror that serves a good copy.

    ``sha256`` is the expected digest of the decompressed content. ``mirrors`` defaults to
    :data:`MIRRORS` (one string is one URL) and ``timeout`` to :data:`TIMEOUT`. Returns the
    path of the verified file; raises :class:`DownloadError` listing every URL tried and why
    it failed, and :class:`MNISTCacheError` if ``dest_dir`` cannot be written.
    """
    mirrors = check_mirrors(mirrors)
    timeout = TIMEOUT if timeout is None else timeout
    dest = Path(dest_dir) / filename
    _prepare(dest)
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + filename
        try:
            _download_verified(url, dest, sha256, progress, timeout)
            return dest
        except (requests.RequestException, MNISTDataError) as err:
            failures.append((url, _reason(err, timeout)))
    raise DownloadError(filename, failures)


def _prepare(dest):
    """Create the folder of ``dest``, or raise :class:`MNISTCacheError` saying why not."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise cache_error(dest.parent, err) from None
    if dest.exists() and not dest.is_file():
        raise cache_error(dest.parent, None, f"{dest} is a folder where the file {dest.name} "
                          "belongs; remove it")


def cache_error(folder, err, problem=None):
    """:class:`MNISTCacheError` for ``folder``: what is wrong, and what to set instead."""
    if problem is None:
        culprit = Path(err.filename) if err.filename else folder
        if err.errno in (errno.ENOTDIR, errno.EEXIST):
            problem = f"{_first_file(culprit)} is a file where a folder belongs"
        elif err.errno in (errno.EACCES, errno.EPERM):
            problem = f"no permission to write in {culprit}"
        elif err.errno == errno.EROFS:
            problem = f"{culprit} is on a read-only file system"
        else:
            problem = f"{culprit}: {err.strerror or err}"
    return MNISTCacheError(
        f"cannot store MNIST in the cache folder {folder}: {problem}. Either set {ENV_VAR} to "
        "a folder that holds the four MNIST .gz files, or set XDG_CACHE_HOME to a folder you "
        "can write to (MNIST is then cached in $XDG_CACHE_HOME/ch3_code/mnist).")


def _first_file(path):
    """The first ancestor of ``path`` (or ``path`` itself) that is an existing non-folder."""
    for candidate in reversed([path, *path.parents]):
        if candidate.exists() and not candidate.is_dir():
            return candidate
    return path


def _download_verified(url, dest, sha256, progress, timeout):
    """Stream ``url`` to a temporary file beside ``dest``, verify it, rename it to ``dest``.

    The temporary file is opened with mode 0o666, which the umask reduces as for any new
    file (``tempfile`` would make it 0o600, unreadable to others sharing the cache).
    """
    tmp_path = dest.with_name(f".{dest.name}.{os.getpid()}.{os.urandom(4).hex()}.part")
    try:
        fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as err:
        raise cache_error(dest.parent, err) from None
    try:
        with os.fdopen(fd, "wb") as out:
            _stream(url, out, dest.name, progress, timeout)
        verify(tmp_path, sha256)
        try:
            os.replace(tmp_path, dest)
        except OSError as err:
            raise cache_error(dest.parent, err) from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _stream(url, out, label, progress, timeout):
    with requests.get(url, stream=True, timeout=timeout) as response:
        response.raise_for_status()
        total = int(response.headers.get("Content-Length", 0)) or None
        with tqdm(total=total, desc=label, unit="B", unit_scale=True, unit_divisor=1024,
                  disable=not progress) as bar:
            try:
                for chunk in response.iter_content(_CHUNK):
                    out.write(chunk)
                    bar.update(len(chunk))
            except requests.ConnectionError as err:
                # requests reports a read timeout in the middle of a body as a ConnectionError
                if err.args and isinstance(err.args[0], ReadTimeoutError):
                    raise requests.ReadTimeout(*err.args) from err
                raise


def _reason(err, timeout=TIMEOUT):
    """A one-line explanation of why a mirror failed."""
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    if isinstance(err, requests.HTTPError):
        return f"HTTP {err.response.status_code} {err.response.reason}"
    if isinstance(err, requests.ConnectTimeout):
        return f"timed out: no connection within {connect:g} s"
    if isinstance(err, requests.Timeout):
        return f"timed out: no data for {read:g} s (a slow or stalled connection)"
    if isinstance(err, requests.ConnectionError):
        return _NO_NETWORK
    if isinstance(err, requests.exceptions.ChunkedEncodingError):
        return "connection broken during the download"
    if isinstance(err, MNISTDataError):
        return f"bad file ({err.problem})"
    return f"{type(err).__name__}: {err}"
