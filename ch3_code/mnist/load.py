"""MNIST for the Chapter 3 companion: load the verified files once, split them as Nielsen does.

MNIST (Yann LeCun, Corinna Cortes, Christopher J. C. Burges; licence CC BY-SA 3.0) holds 60,000
training and 10,000 test images of handwritten digits, 28x28 grey pixels each.

* Where the files come from (the ``data_dir`` argument or ``CH3_DATA_DIR`` if given, and
  then only there; otherwise the repository's ``data/mnist/``, the user cache, then mirrors
  on the web): :mod:`ch3_code.mnist.places` and :mod:`ch3_code.mnist.download`.
* How they are parsed and verified (IDX format, SHA-256 of the content): :mod:`ch3_code.mnist.idx`.

This module turns them into :class:`MNISTSplit` objects: two read-only contiguous arrays that
also behave like the seed page's list of ``(x, y)`` pairs. The parsed files are kept for the
life of the process, keyed by file, so the second call to :func:`load_mnist` returns at once,
and all splits share them (no copies). Images are kept as the file's bytes, and a split's
float32 ``X`` is computed when it is first read (:mod:`ch3_code.internals.pixels`): training
reads the bytes, so a run on the 50,000 training images never holds their 157 MB of floats. Only
read-only views are handed out, on buffers numpy refuses to make writable
(``split.X.setflags(write=True)`` raises): no caller can change what later calls return.
"""
import logging
from typing import NamedTuple

import numpy as np

from ..internals.pixels import PixelStore
from . import download as _download
from . import places as _places
from .idx import SHA256, MNISTDataError, check_counts, read_idx
from .places import MNISTCacheError, MNISTNotFoundError

__all__ = ["MNIST", "MNISTCacheError", "MNISTDataError", "MNISTNotFoundError", "MNISTSplit",
           "load_mnist", "load_mnist_from_web"]

#: Nielsen's split of the 60,000 training images: the first 50,000 train, the rest validate.
N_TRAINING = 50_000

_FILES = {  # (split, kind) -> IDX name; the file on disk adds ".gz"
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}
_MEMO = {}  # resolved path -> ((size, mtime_ns), PixelStore of images or labels array)
_log = logging.getLogger(__name__)


class MNISTSplit:
    """Images and labels of one split, as arrays and as the seed's list of ``(x, y)`` pairs.

    ``X`` is float32 ``(n, 784)`` with pixels in [0, 1] and ``y`` int64 ``(n,)`` with labels
    0-9; both are C-contiguous and read-only (the arrays passed in are never modified).
    ``split[i]`` gives a pair of fresh arrays: ``x`` float64 ``(784, 1)`` and, if ``one_hot``,
    ``y`` the float64 ``(10, 1)`` unit vector, else the int label. ``split[a:b]`` and
    ``split[index_array]`` give another ``MNISTSplit`` (a slice is a view, not a copy);
    ``len`` and iteration work as on a list. ``images`` is the ``(n, 28, 28)`` view for plots.

    A split loaded from the files also has ``pixels``, the uint8 ``(n, 784)`` bytes, and
    computes ``X`` from them when it is first read (``pixels`` is None for a split made
    from arrays).
    """

    def __init__(self, X, y, *, one_hot=False, name="data"):
        X = _read_only(np.ascontiguousarray(X, dtype=np.float32))
        y = _read_only(np.ascontiguousarray(y, dtype=np.int64))
        if X.ndim != 2 or X.shape[1] != 784 or y.shape != (len(X),):
            raise ValueError(f"expected X of shape (n, 784) and y of shape (n,), "
                             f"got {X.shape} and {y.shape}")
        self._X, self._store, self._rows = X, None, None
        self.y, self.one_hot, self.name = y, bool(one_hot), name

    @classmethod
    def _of_pixels(cls, store, start, stop, y, one_hot=False, name="data"):
        """The split of rows start:stop of ``store`` (a PixelStore), labels ``y``."""
        split = cls.__new__(cls)
        split._X, split._store, split._rows = None, store, (start, stop)
        split.y, split.one_hot, split.name = _read_only(y), bool(one_hot), name
        return split

    @property
    def X(self):
        if self._X is None:
            self._X = self._store.floats(*self._rows)
        return self._X

    @property
    def pixels(self):
        if self._store is None:
            return None
        start, stop = self._rows
        return _read_only(self._store.raw[start:stop])

    @property
    def images(self):
        return self.X.reshape(-1, 28, 28)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer)):
            return self._pair(index)
        if self._store is None:
            return MNISTSplit(self.X[index], self.y[index], one_hot=self.one_hot,
                              name=self.name)
        if isinstance(index, slice):
            rows = range(*self._rows)[index]
            if rows.step == 1:   # a view of the same store: its floats are shared
                return MNISTSplit._of_pixels(self._store, rows.start, rows.start + len(rows),
                                             self.y[index], self.one_hot, self.name)
        pixels = self.pixels[index]   # a copy of the bytes, a quarter of the floats
        return MNISTSplit._of_pixels(PixelStore(pixels), 0, len(pixels), self.y[index],
                                     self.one_hot, self.name)

    def __reduce__(self):
        """Pickled as its bytes when it has them (a quarter of the size), else as X."""
        if self._store is None:
            return _rebuild, (self.X, None, self.y, self.one_hot, self.name)
        return _rebuild, (None, np.array(self.pixels), self.y, self.one_hot, self.name)

    def __iter__(self):
        for i in range(len(self)):
            yield self._pair(i)

    def __repr__(self):
        return f"MNISTSplit({self.name!r}, n={len(self)}, one_hot={self.one_hot})"

    def _pair(self, i):
        x = self.X[i].astype(np.float64).reshape(784, 1)
        label = int(self.y[i])
        if not self.one_hot:
            return x, label
        e = np.zeros((10, 1))
        e[label] = 1.0
        return x, e


class MNIST(NamedTuple):
    """Nielsen's three splits; unpacks as ``training_data, validation_data, test_data``."""

    training: MNISTSplit
    validation: MNISTSplit
    test: MNISTSplit


def load_mnist(data_dir=None, *, one_hot_training=True, download=True, progress=True,
               mirrors=None):
    """Load MNIST as Nielsen splits it, as an :class:`MNIST` tuple of three :class:`MNISTSplit`.

    * ``training``: the first 50,000 images of the training file; its items give one-hot
      ``(10, 1)`` labels unless ``one_hot_training`` is False;
    * ``validation``: the last 10,000 images of the training file, integer labels;
    * ``test``: the 10,000 images of the official test file, integer labels.

    ``data_dir`` (or else ``CH3_DATA_DIR``) is a folder holding the four files; when given it
    is the only place used (the full order is in :mod:`ch3_code.mnist.places`).
    ``download=False`` forbids downloading, ``progress=False`` hides the progress bar, and
    ``mirrors`` (one URL or a list) replaces :data:`ch3_code.mnist.download.MIRRORS`.

    Raises :class:`~ch3_code.mnist.idx.MNISTDataError` for a damaged file outside the cache, naming
    it (a damaged cached copy is downloaded again). Raises
    :class:`~ch3_code.mnist.places.MNISTNotFoundError` when ``data_dir``/``CH3_DATA_DIR`` does
    not exist or lacks a file, naming the folder, and when a file is nowhere and cannot be
    downloaded, with a message of this form::

        MNIST file train-images-idx3-ubyte.gz not found. Searched, in order:
          data_dir argument: (not given)
          CH3_DATA_DIR: (not set)
          repository copy: (not running from a checkout)
          user cache: /home/me/.cache/ch3_code/mnist
        Download failed; tried:
          https://storage.googleapis.com/cvdf-datasets/mnist/train-images-idx3-ubyte.gz: cannot
          connect (no network, or the host is down)
          ...
        Set CH3_DATA_DIR to a folder holding the four MNIST .gz files, or connect to the
        internet and try again.

    (a timeout or ``download=False`` ends with a fix to match). Raises
    :class:`~ch3_code.mnist.places.MNISTCacheError` when a download cannot be stored in the
    cache, saying why and to set ``CH3_DATA_DIR`` or ``XDG_CACHE_HOME``.
    """
    (images, y), (test_images, test_y) = _load_arrays(data_dir, download, progress, mirrors)
    return MNIST(
        MNISTSplit._of_pixels(images, 0, N_TRAINING, y[:N_TRAINING], one_hot_training,
                              "training"),
        MNISTSplit._of_pixels(images, N_TRAINING, len(y), y[N_TRAINING:], name="validation"),
        MNISTSplit._of_pixels(test_images, 0, len(test_y), test_y, name="test"),
    )


def load_mnist_from_web(data_dir=None, *, download=True, progress=True, mirrors=None):
    """The seed page's loader: ``(training_data, test_data)``, without a validation split.

    ``training_data`` holds all 60,000 training images with one-hot ``(10, 1)`` labels,
    ``test_data`` the 10,000 test images with integer labels. Despite the name, kept for the
    seed page, it loads the verified local copy or cache like :func:`load_mnist`, and only
    downloads when there is no copy. Arguments and errors as for :func:`load_mnist`.
    """
    (images, y), (test_images, test_y) = _load_arrays(data_dir, download, progress, mirrors)
    return (MNISTSplit._of_pixels(images, 0, len(y), y, True, "training"),
            MNISTSplit._of_pixels(test_images, 0, len(test_y), test_y, name="test"))


def _load_arrays(data_dir, download, progress, mirrors):
    """``((images, y_train), (test_images, y_test))``: memoised PixelStores and labels."""
    mirrors = _download.check_mirrors(mirrors)
    place = _places.explicit_place(data_dir)
    places = _places.search_places(data_dir)
    arrays = []
    for split in ("train", "test"):
        paths = {kind: _find(_FILES[split, kind], kind, place, places, download, progress,
                             mirrors) for kind in ("images", "labels")}
        label = place and place[0]
        read = {kind: _read(path, kind, label) for kind, path in paths.items()}
        check_counts(read["images"].raw, read["labels"], paths["images"], paths["labels"])
        arrays.append((read["images"], read["labels"]))
    return tuple(arrays)


def _find(name, kind, place, places, download, progress, mirrors):
    """Path of the copy of file ``name`` to use, downloading it into the cache if needed.

    With an explicit ``place`` only that folder counts. A copy in the cache is verified here
    and, if bad or unreadable, downloaded again (the new copy replaces it in one rename, so
    another process using the cache never finds it missing); other copies are verified when
    read, and an unreadable repository copy is passed over.
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
            _read(path, kind, "user cache")
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


def _hint(label):
    """How to fix a damaged file from the place ``label`` names; None: the default hint."""
    if label not in ("data_dir argument", _places.ENV_VAR):
        return None  # delete it, or set CH3_DATA_DIR: both help
    if label == "data_dir argument":
        return "Replace it with a good copy, or call load_mnist() without data_dir."
    return (f"Replace it with a good copy, or point {_places.ENV_VAR} at a folder with good "
            "copies (or unset it).")


def _read(path, kind, label=None):
    """The verified content of ``path``, parsed once per process (and again if it changes).

    ``label`` names the place it is from (for the fix an error suggests). A file we may not
    read raises :class:`~ch3_code.mnist.places.MNISTCacheError`.

    Images become a :class:`~ch3_code.internals.pixels.PixelStore` of the file's uint8 bytes (whose
    float32 values in [0, 1] are computed when asked for), labels an int64 ``(n,)`` array.
    Both lie on read-only buffers: neither the views handed out nor their bases can be
    made writable.
    """
    stat = path.stat()
    key, version = path.resolve(), (stat.st_size, stat.st_mtime_ns)
    if key not in _MEMO or _MEMO[key][0] != version:
        try:
            raw = read_idx(path, kind, SHA256[path.name.removesuffix(".gz")])
        except MNISTDataError as err:
            if _hint(label) is None:
                raise
            raise MNISTDataError(err.path, err.problem, _hint(label)) from None
        except PermissionError as err:
            raise _places.unreadable_error(path, err, label) from None
        if kind == "images":
            # the pixels are copied out of the decompressed file, which is then freed.
            # Freeing that big block is what makes glibc's malloc keep freed memory for
            # reuse instead of mapping fresh pages for each 1 MB array of an evaluation
            # (tests/test_training.py counts the page faults; benchmarks/README.md says more)
            pixels = np.array(raw)
            pixels.flags.writeable = False
            del raw
            content = PixelStore(np.frombuffer(memoryview(pixels).toreadonly(), np.uint8)
                                 .reshape(pixels.shape))
        else:
            labels = raw.astype(np.int64)
            labels.flags.writeable = False
            content = np.frombuffer(memoryview(labels).toreadonly(), np.int64)
        _MEMO[key] = (version, content)
    content = _MEMO[key][1]
    return content if kind == "images" else _read_only(content)


def _rebuild(X, pixels, y, one_hot, name):
    """Unpickle an MNISTSplit (see ``MNISTSplit.__reduce__``)."""
    if pixels is None:
        return MNISTSplit(X, y, one_hot=one_hot, name=name)
    pixels.flags.writeable = False
    return MNISTSplit._of_pixels(PixelStore(pixels), 0, len(pixels), y, one_hot, name)


def _read_only(array):
    """A read-only view of ``array``, leaving the caller's array as it was."""
    view = array.view()
    view.flags.writeable = False
    return view
