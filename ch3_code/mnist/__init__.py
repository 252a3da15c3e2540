"""MNIST: loading, checking, caching and downloading the data (a learner may skip it).

``load_mnist()`` gives Nielsen's three splits as ``MNISTSplit`` objects; ``load`` holds it.
Where the files are looked for and the cache: ``places``; downloading them from mirrors:
``download``; reading and verifying the IDX files: ``idx``. Nothing here knows of the network.
"""
from .download import MIRRORS, DownloadError
from .idx import MNISTDataError
from .load import MNIST, MNISTSplit, load_mnist, load_mnist_from_web
from .places import MNISTCacheError, MNISTNotFoundError, cache_dir

__all__ = ["load_mnist", "load_mnist_from_web", "MNIST", "MNISTSplit", "MNISTDataError",
           "MNISTNotFoundError", "MNISTCacheError", "DownloadError", "MIRRORS", "cache_dir"]
