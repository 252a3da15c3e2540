"""Downloading the MNIST files from mirrors on the web into the cache.

Where the files are looked for first, and the cache folder: :mod:`ch3_code.mnist.places`.

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
A full disk or a folder we may not write in is a :class:`~ch3_code.mnist.places.MNISTCacheError`
naming the folder and the fix, not a mirror's fault. A download killed outright (SIGTERM,
``kill -9``) cannot delete its temporary file; the next look at the cache does
(:func:`ch3_code.mnist.places.remove_stale_parts`).

A mirror that answers nothing for ``TIMEOUT[1]`` seconds, at the start or in the middle of
a transfer, is reported as "timed out", not as a missing network. One that trickles (never
silent that long) is "too slow" when a :data:`RATE_WINDOW` brings less than :data:`MIN_RATE`
bytes a second, or the file takes over :data:`DEADLINE` seconds; the next mirror is then
tried. The body is read as it arrives, so the bar and these checks move with every piece.

The mirrors' published MD5s of their ``.gz`` files are not checked: the content SHA-256 is the
stronger test, and it also accepts a mirror that serves a re-compressed copy.

Why ``requests`` rather than pooch: ``requests`` is already a dependency of the book, and what
pooch would do for us here (try several URLs, hash, move into a cache) takes a few dozen lines,
while pooch hashes the compressed bytes (a re-compressed copy would fail) and would add a
dependency to every reader's environment.
"""
import os
import time
from pathlib import Path

from tqdm.auto import tqdm

from . import places
from .idx import MNISTDataError, verify
from .places import cache_error

#: Base URLs tried in order; the file name is appended. The first is the bucket the seed
#: page used.
MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
#: Seconds to wait for a connection, and then between two pieces of the response.
TIMEOUT = (5, 30)
#: Seconds one mirror may take for one file (the largest, 9.5 MB, then needs 11 KB/s).
DEADLINE = 900
#: Bytes a second a mirror must send, on average over each window of RATE_WINDOW seconds.
MIN_RATE = 1024
RATE_WINDOW = 30
_CHUNK = 1 << 16
_NO_NETWORK = "cannot connect (no network, or the host is down)"


class DownloadError(OSError):
    """No mirror delivered a good copy. ``failures`` holds ``(url, reason)`` pairs.

    ``tried`` lists them one a line; ``advice`` is what to do, for the reasons seen.
    """

    def __init__(self, filename, failures):
        self.failures = failures
        self.tried = "tried:" + ("".join(f"\n  {url}: {reason}" for url, reason in failures)
                                 or " no mirrors")
        reasons = [reason for _, reason in failures]
        if reasons and all(reason == _NO_NETWORK for reason in reasons):
            self.advice = "connect to the internet and try again."
        elif any(reason.startswith(("timed out", "too slow")) for reason in reasons):
            self.advice = ("try again later: a timeout means the connection was too slow or "
                           "stalled.")
        else:
            self.advice = "try again later (the mirrors may be down)."
        super().__init__(f"could not download {filename}; {self.tried}")


class _TooSlow(Exception):
    """A mirror that sends bytes, but too slowly to finish in reasonable time."""


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
                         "ch3_code.mnist.download.MIRRORS")
    for url in mirrors:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"mirrors: {url!r} is not an http:// or https:// URL; give base "
                             "URLs such as 'https://host/mnist/' (the file name is appended)")
    return mirrors


def _requests():
    """The ``requests`` module, imported on the first download rather than with ch3_code.

    Importing it (with urllib3 and ssl) costs a process that has loaded ch3_code time and
    memory, and most runs read MNIST from the repository's copy or the cache and never
    download anything.
    """
    import requests  # deferred: for the reason above
    return requests


def fetch(filename, sha256, dest_dir, *, mirrors=None, progress=True, timeout=None,
          deadline=None):
    """Download ``filename`` into ``dest_dir`` from the first mirror that serves a good copy.

    ``sha256`` is the expected digest of the decompressed content. ``mirrors`` defaults to
    :data:`MIRRORS` (one string is one URL), ``timeout`` to :data:`TIMEOUT` and ``deadline``
    (seconds per mirror) to :data:`DEADLINE`. Returns the path of the verified file; raises
    :class:`DownloadError` listing every URL tried and why it failed, and
    :class:`MNISTCacheError` if ``dest_dir`` cannot be written (no permission, disk full).
    """
    requests = _requests()
    mirrors = check_mirrors(mirrors)
    timeout = TIMEOUT if timeout is None else timeout
    deadline = DEADLINE if deadline is None else deadline
    dest = Path(dest_dir) / filename
    _prepare(dest)
    places.remove_stale_parts(dest.parent)
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + filename
        try:
            _download_verified(url, dest, sha256, progress, (timeout, deadline))
            return dest
        except (requests.RequestException, MNISTDataError, _TooSlow) as err:
            failures.append((url, _reason(err, timeout)))
    raise DownloadError(filename, failures)


def _prepare(dest):
    """Create the folder of ``dest``, or raise :class:`MNISTCacheError` saying why not."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        in_the_way = dest.exists() and not dest.is_file()
    except OSError as err:
        raise cache_error(dest.parent, err) from None
    if in_the_way:
        raise cache_error(dest.parent, None, f"{dest} is a folder where the file {dest.name} "
                          "belongs; remove it")


def _download_verified(url, dest, sha256, progress, limits):
    """Stream ``url`` to a temporary file beside ``dest``, verify it, rename it to ``dest``.

    The temporary file stays open, so locked, until it is renamed
    (:func:`ch3_code.mnist.places.new_part`).
    """
    fd, tmp_path = places.new_part(dest)
    try:
        with os.fdopen(fd, "wb") as out:
            _stream(url, out, dest.name, progress, *limits)
            out.flush()
            verify(tmp_path, sha256)
            if places.fcntl is None:
                out.close()  # Windows renames no open file (and has no flock to keep)
            os.replace(tmp_path, dest)
    except BaseException as err:
        tmp_path.unlink(missing_ok=True)
        if isinstance(err, OSError) and err.errno in places.DISK_ERRORS:
            raise cache_error(dest.parent, err) from None  # the disk's fault, not the mirror's
        raise


def _stream(url, out, label, progress, timeout, deadline):
    """Write the body of ``url`` to ``out`` as it arrives; give up on a too-slow mirror."""
    with _requests().get(url, stream=True, timeout=timeout) as response:
        response.raise_for_status()
        total = int(response.headers.get("Content-Length", 0)) or None
        with tqdm(total=total, desc=label, unit="B", unit_scale=True, unit_divisor=1024,
                  disable=not progress) as bar:
            start = mark = time.monotonic()
            got = got_at_mark = 0
            for piece in _pieces(response):
                out.write(piece)
                bar.update(len(piece))
                got, now = got + len(piece), time.monotonic()
                if now - start > deadline:
                    raise _TooSlow(f"too slow: not finished within {deadline:g} s "
                                   f"({got:,} bytes received)")
                if now - mark >= RATE_WINDOW:
                    if got - got_at_mark < MIN_RATE * (now - mark):
                        raise _TooSlow(f"too slow: {got - got_at_mark:,} bytes in {now - mark:.3g}"
                                       f" s, less than {MIN_RATE:,} bytes a second")
                    mark, got_at_mark = now, got


def _pieces(response):
    """The body piece by piece as it arrives, one read from the socket each (iter_content
    waits for 64 KiB, so a trickle would go unseen), with urllib3's errors as requests'."""
    requests = _requests()
    from urllib3 import exceptions  # deferred with requests, which brings urllib3
    read1 = getattr(response.raw, "read1", None)   # urllib3 >= 2.1
    as_requests = {exceptions.ReadTimeoutError: requests.ReadTimeout,
                   exceptions.ProtocolError: requests.exceptions.ChunkedEncodingError,
                   exceptions.DecodeError: requests.exceptions.ContentDecodingError,
                   exceptions.SSLError: requests.exceptions.SSLError}
    try:
        yield from (response.iter_content(_CHUNK) if read1 is None
                    else iter(lambda: read1(_CHUNK, decode_content=True) or b"", b""))
    except tuple(as_requests) as err:
        raise next(new for old, new in as_requests.items() if isinstance(err, old))(err) from err
    except requests.ConnectionError as err:  # how iter_content reports a read timeout
        if err.args and isinstance(err.args[0], exceptions.ReadTimeoutError):
            raise requests.ReadTimeout(*err.args) from err
        raise


def _reason(err, timeout=TIMEOUT):
    """A one-line explanation of why a mirror failed."""
    requests = _requests()
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    if isinstance(err, _TooSlow):
        return str(err)
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
