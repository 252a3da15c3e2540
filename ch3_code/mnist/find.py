"""Which copy of an MNIST file to use: the first readable one in the search order, else a download.

The places and their order are :mod:`ch3_code.mnist.places`'s; this module walks them for one
file. A folder the user named is the only place used. Otherwise a readable copy in the
repository is taken as it is (it is verified when read); the cache's copy is verified here, and
one that is damaged or unreadable is downloaded again (:mod:`ch3_code.mnist.download`), the new
copy replacing it in one rename, so that another process using the cache never finds it missing.
"""
import logging

from . import download as _download
from . import places as _places
from .idx import SHA256, MNISTDataError
from .places import MNISTCacheError

_log = logging.getLogger(__name__)


def find_file(name, kind, place, places, *, read, download, progress, mirrors):
    """Path of the copy of file ``name`` to use, downloading it into the cache if needed.

    ``place`` is the explicit place (or None) and ``places`` the search order, as
    :mod:`ch3_code.mnist.places` gives them. ``read(path, kind, label)`` verifies the cached
    copy: the loader's own reader, so that a good copy is parsed once, not once here and again
    when loaded. ``download``, ``progress`` and ``mirrors`` are the loader's arguments.
    """
    filename = name + ".gz"
    if place is not None:
        path = place[1] / filename
        if not path.is_file():
            raise _places.explicit_place_error(filename, place)
        return path
    *local, (_, cache) = places
    for label, folder in local:
        if folder is not None and _readable(folder / filename, label):
            return folder / filename
    _places.remove_stale_parts(cache)
    path, damaged, unreadable = cache / filename, None, None
    if _is_file(path):
        try:
            read(path, kind, "user cache")
            return path
        except FileNotFoundError:
            pass  # removed since we looked (by an older ch3_code sharing the cache): download
        except MNISTDataError as err:
            damaged = err
            _log.warning("%s: %s; replacing this bad cached copy", path, err.problem)
        except MNISTCacheError as err:
            unreadable = err
            _log.warning("%s: no permission to read it; downloading a readable copy to "
                         "replace it", path)
    if not download:
        if unreadable is not None:
            raise unreadable
        raise _places.not_found_error(filename, places, damaged=damaged)
    try:
        return _download.fetch(filename, SHA256[name], cache, mirrors=mirrors, progress=progress)
    except (_download.DownloadError, MNISTCacheError) as err:
        if unreadable is not None:  # that is the problem to fix; say why downloading failed
            why = (f"could not be stored: {err.problem}" if isinstance(err, MNISTCacheError)
                   else f"could not be downloaded; {err.tried}")
            raise _places.unreadable_error(path, unreadable.reason, "user cache", why) from None
        if isinstance(err, MNISTCacheError):
            raise
        raise _places.not_found_error(filename, places, err, damaged) from None


def _readable(path, label):
    """Whether ``path`` is a file we may read; warns when it is there but unreadable."""
    try:
        with path.open("rb"):
            return True
    except PermissionError:
        _log.warning("%s: no permission to read it; passing over the %s", path, label)
    except OSError:
        pass
    return False


def _is_file(path):
    """Whether ``path`` is a file; False for a folder we may not look into."""
    try:
        return path.is_file()
    except OSError:
        return False
