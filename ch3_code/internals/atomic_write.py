"""Writing a file so that a failure never loses the old one (``NN2.save``, the seed spread).

The text goes to a temporary file in the same folder, is flushed and fsync'ed, and only then
renamed over the path: an existing good file survives a full disk or a killed process. The
temporary file is named ``.net.json.<pid>-<random>.tmp`` (for ``net.json``); one left by a
process that was killed (``kill -9``, a power cut) is removed by the next save or load of that
path (:func:`remove_stale_temporary_files`), once its process is gone or it is an hour old.
An error names the path given, never the temporary file.
"""
import os
import re
import tempfile
import time
from pathlib import Path

STALE_SECONDS = 3600  # a temporary file this old is left over: a save takes seconds


def write_atomically(path, text):
    """Write ``text`` to ``path`` (a Path): temporary file, fsync, rename over ``path``."""
    remove_stale_temporary_files(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp",
                                   dir=path.parent)
    except OSError as exc:
        problem = (f"its folder {str(path.parent)!r} does not exist; create it first, or give "
                   "another path" if isinstance(exc, FileNotFoundError) else
                   f"cannot write in its folder {str(path.parent)!r}: {exc.strerror or exc}")
        raise _naming(exc, path, problem) from None
    try:
        with os.fdopen(fd, "w", encoding="utf8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):  # a full disk, path is a folder, ...
            raise _naming(exc, path, exc.strerror or str(exc)) from exc
        raise


def _naming(exc, path, problem):
    """The same kind of OSError, naming the path given rather than the temporary file."""
    message = f"cannot save the network to {path}: {problem}"
    if exc.errno is None:
        return type(exc)(message)
    return type(exc)(exc.errno, message, str(path))


def remove_stale_temporary_files(path):
    """Remove the temporary files of saves to ``path`` that a killed process left behind.

    Only ``.<name>.<pid>-<random>.tmp`` files (``write_atomically``'s own) and only stale
    ones: their process no longer runs, or they are older than ``STALE_SECONDS`` (the pid may
    have been reused, or the file came from another machine sharing the folder).
    """
    own = re.compile(rf"\.{re.escape(path.name)}\.(\d+)-[a-z0-9_]+\.tmp")
    try:
        candidates = list(path.parent.iterdir())
    except OSError:  # a missing or unreadable folder: nothing to clean here
        return
    for tmp in candidates:
        match = own.fullmatch(tmp.name)
        if match and _stale(tmp, int(match.group(1))):
            try:
                tmp.unlink()
            except OSError:  # someone else's or already gone: leave it
                pass


def _stale(tmp, pid):
    try:
        if time.time() - tmp.stat().st_mtime > STALE_SECONDS:
            return True
    except OSError:
        return False
    if pid == os.getpid():
        return False  # this process's own save may be writing it (another thread)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):  # it exists (another user's: EPERM) or cannot tell
        return False
    return False


def _umask():
    """The process's umask (reading it means setting it; it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
