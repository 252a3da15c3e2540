"""Where the MNIST files come from: local folders, the user cache, and mirrors on the web.

Search order
------------
Each of the four files is taken from the first of these folders that holds it
(:func:`search_places`):

1. the ``data_dir`` argument of the loader, if given;
2. the folder named by the ``CH3_DATA_DIR`` environment variable, if set;
3. the repository's ``data/mnist/`` when the package runs from a checkout (so a fresh clone
   works offline);
4. the per-user cache, ``$XDG_CACHE_HOME/ch3_code/mnist`` (default ``~/.cache/ch3_code/mnist``).

Only when no folder holds it is it downloaded (:func:`fetch`), into the cache.

Downloads
---------
The public MNIST hosts have gone down or started refusing requests more than once, so
:data:`MIRRORS` lists several; each is tried in turn until one delivers a file whose
decompressed content has the expected SHA-256. A download is streamed into a temporary file in
the destination folder (shown with a ``tqdm`` progress bar), verified, and only then renamed
into place with :func:`os.replace`, which is atomic on one file system. Whatever goes wrong
(HTTP error, broken connection, wrong bytes, Ctrl-C), the temporary file is deleted, so the
destination either holds a verified file or nothing.

The mirrors' published MD5s of their ``.gz`` files are not checked: the content SHA-256 is the
stronger test, and it also accepts a mirror that serves a re-compressed copy.

Why ``requests`` rather than pooch: ``requests`` is already a dependency of the book, and what
pooch would do for us here (try several URLs, hash, move into a cache) takes a few dozen lines,
while pooch hashes the compressed bytes (a re-compressed copy would fail) and would add a
dependency to every reader's environment.
"""
import os
import tempfile
from pathlib import Path

import requests
from tqdm.auto import tqdm

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
_CHUNK = 1 << 16
# How the error message shows a place that does not apply.
_ABSENT = {"data_dir argument": "(not given)", ENV_VAR: "(not set)",
           "repository copy": "(not running from a checkout)"}


class MNISTNotFoundError(FileNotFoundError):
    """An MNIST file is in none of the searched folders and could not be downloaded."""


class DownloadError(OSError):
    """No mirror delivered a good copy. ``failures`` holds ``(url, reason)`` pairs."""

    def __init__(self, filename, failures):
        self.failures = failures
        super().__init__(f"could not download {filename}; {_tried(failures)}")


def search_places(data_dir=None):
    """The folders to search, in order, as ``(description, path)`` pairs; the last is the cache.

    A folder that does not apply (no ``data_dir``, ``CH3_DATA_DIR`` unset, not a checkout) has
    path ``None``.
    """
    env = os.environ.get(ENV_VAR)
    return [
        ("data_dir argument", Path(data_dir).expanduser() if data_dir is not None else None),
        (ENV_VAR, Path(env).expanduser() if env else None),
        ("repository copy", REPO_DATA_DIR if REPO_DATA_DIR.is_dir() else None),
        ("user cache", cache_dir()),
    ]


def cache_dir():
    """The per-user download cache: ``$XDG_CACHE_HOME/ch3_code/mnist`` or ``~/.cache/...``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ch3_code" / "mnist"


def not_found_error(filename, places, download_error=None):
    """The error for a file found nowhere: every place searched, then why downloading failed."""
    searched = "".join(f"\n  {label}: {path or _ABSENT[label]}" for label, path in places)
    if download_error is None:
        why = "Downloading was not allowed (download=False)."
    else:
        why = "Download failed; " + _tried(download_error.failures)
    return MNISTNotFoundError(
        f"MNIST file {filename} not found. Searched, in order:{searched}\n{why}\n"
        f"Set {ENV_VAR} to a folder holding the four MNIST .gz files, or connect to the "
        "internet and try again.")


def _tried(failures):
    return "tried:" + ("".join(f"\n  {url}: {reason}" for url, reason in failures)
                       or " no mirrors")


def fetch(filename, sha256, dest_dir, *, mirrors=None, progress=True, timeout=TIMEOUT):
    """Download ``filename`` into ``dest_dir`` from the first mirror that serves a good copy.

    ``sha256`` is the expected digest of the decompressed content. ``mirrors`` defaults to
    :data:`MIRRORS`. Returns the path of the verified file; raises :class:`DownloadError`
    listing every URL tried and why it failed.
    """
    dest = Path(dest_dir) / filename
    dest.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for mirror in MIRRORS if mirrors is None else mirrors:
        url = mirror.rstrip("/") + "/" + filename
        try:
            _download_verified(url, dest, sha256, progress, timeout)
            return dest
        except (requests.RequestException, MNISTDataError) as err:
            failures.append((url, _reason(err)))
    raise DownloadError(filename, failures)


def _download_verified(url, dest, sha256, progress, timeout):
    """Stream ``url`` to a temporary file beside ``dest``, verify it, rename it to ``dest``."""
    tmp = tempfile.NamedTemporaryFile(
        dir=dest.parent, prefix=f".{dest.name}.", suffix=".part", delete=False)
    tmp_path = Path(tmp.name)
    try:
        with tmp:
            _stream(url, tmp, dest.name, progress, timeout)
        verify(tmp_path, sha256)
        os.replace(tmp_path, dest)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _stream(url, out, label, progress, timeout):
    with requests.get(url, stream=True, timeout=timeout) as response:
        response.raise_for_status()
        total = int(response.headers.get("Content-Length", 0)) or None
        with tqdm(total=total, desc=label, unit="B", unit_scale=True, unit_divisor=1024,
                  disable=not progress) as bar:
            for chunk in response.iter_content(_CHUNK):
                out.write(chunk)
                bar.update(len(chunk))


def _reason(err):
    """A one-line explanation of why a mirror failed."""
    if isinstance(err, requests.HTTPError):
        return f"HTTP {err.response.status_code} {err.response.reason}"
    if isinstance(err, requests.Timeout):
        return "timed out"
    if isinstance(err, requests.ConnectionError):
        return "cannot connect (no network, or the host is down)"
    if isinstance(err, requests.exceptions.ChunkedEncodingError):
        return "connection broken during the download"
    if isinstance(err, MNISTDataError):
        return f"bad file ({err.problem})"
    return f"{type(err).__name__}: {err}"
