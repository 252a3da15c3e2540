"""MNIST for the Chapter 3 companion: load the verified files once, split them as Nielsen does.

MNIST (Yann LeCun, Corinna Cortes, Christopher J. C. Burges; licence CC BY-SA 3.0) holds 60,000
training and 10,000 test images of handwritten digits, 28x28 grey pixels each.

* Where the files come from (the ``data_dir`` argument or ``CH3_DATA_DIR`` if given, and
  then only there; otherwise the repository's ``data/mnist/``, the user cache, then mirrors
  on the web): :mod:`ch3_code.mnist.places`, :mod:`ch3_code.mnist.find` (which copy of a file
  to use) and :mod:`ch3_code.mnist.download`.
* How they are parsed and verified (IDX format, SHA-256 of the content): :mod:`ch3_code.mnist.idx`.
* What a split is (two read-only contiguous arrays that also behave like the seed page's list
  of ``(x, y)`` pairs): :class:`~ch3_code.mnist.split.MNISTSplit`.

This module holds the loaders, :func:`load_mnist` and :func:`load_mnist_from_web`, and reads
each file. The parsed files are kept for the life of the process, keyed by file, so the second
call to :func:`load_mnist` returns at once, and all splits share them (no copies). Images are
kept as the file's bytes, and a split's float32 ``X`` is computed when it is first read
(:mod:`ch3_code.internals.pixels`): training reads the bytes, so a run on the 50,000 training
images never holds their floats. Only read-only views are handed out, on buffers
numpy refuses to make writable (``split.X.setflags(write=True)`` raises): no caller can change
what later calls return.
"""
from typing import NamedTuple

import numpy as np

from ..internals.pixels import PixelStore
from . import download as _download
from . import places as _places
from .find import find_file
from .idx import SHA256, MNISTDataError, check_counts, read_idx
from .places import MNISTCacheError, MNISTNotFoundError
from .split import MNISTSplit, read_only
from .split import _rebuild  # noqa: F401 (a split pickled before it moved names load._rebuild)

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
        paths = {kind: find_file(_FILES[split, kind], kind, place, places, read=_read,
                                 download=download, progress=progress, mirrors=mirrors)
                 for kind in ("images", "labels")}
        label = place and place[0]
        read = {kind: _read(path, kind, label) for kind, path in paths.items()}
        check_counts(read["images"].raw, read["labels"], paths["images"], paths["labels"])
        arrays.append((read["images"], read["labels"]))
    return tuple(arrays)


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
            # reuse instead of mapping fresh pages for each array of an evaluation
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
    return content if kind == "images" else read_only(content)
