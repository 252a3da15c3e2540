"""MNIST: loading, checking, caching and downloading the data (a learner may skip it).

``load_mnist()`` gives Nielsen's three splits as ``MNISTSplit`` objects; ``load`` holds it,
``split`` the ``MNISTSplit`` class. Where the files are looked for and the cache: ``places``;
which copy of a file to use: ``find``; downloading them from mirrors: ``download``; reading
and verifying the IDX files: ``idx``. Nothing here knows of the network.
"""
from .download import MIRRORS, DownloadError
from .idx import MNISTDataError
from .load import MNIST, load_mnist, load_mnist_from_web
from .places import MNISTCacheError, MNISTNotFoundError, cache_dir
from .split import MNISTSplit

__all__ = ["load_mnist", "load_mnist_from_web", "MNIST", "MNISTSplit", "MNISTDataError",
           "MNISTNotFoundError", "MNISTCacheError", "DownloadError", "MIRRORS", "cache_dir"]
