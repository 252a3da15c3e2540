"""Reading and checking MNIST's IDX files.

The IDX format
--------------
Each MNIST file is a gzip-compressed IDX file: a small big-endian header followed by raw bytes.

* bytes 0-3: the *magic number*. The first two bytes are zero, the third gives the element
  type (``0x08`` = unsigned byte) and the fourth the number of dimensions. For MNIST this is
  ``0x00000803`` (2051) for the image files, shape ``(n, 28, 28)``, and ``0x00000801`` (2049)
  for the label files, shape ``(n,)``;
* then one 4-byte unsigned integer per dimension;
* then the ``n * 28 * 28`` pixel bytes (0 = background, 255 = ink), row by row, or the ``n``
  label bytes (0-9).

Verification
------------
A file is accepted only when its structure is right (magic number, dimensions, body length,
label range) *and* the SHA-256 of its decompressed content matches the published value in
:data:`SHA256`. Hashing the content rather than the ``.gz`` bytes lets a re-compressed copy
(such as the repository's, made with ``gzip -n -9``) pass. The structure is checked first so
that a damaged file gets a precise message ("truncated", "wrong magic number") rather than a
bare hash mismatch. Every problem raises :class:`MNISTDataError`, which names the file and says
how to fix it (the loader gives a hint that fits the folder the file came from).
"""
import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np

#: SHA-256 of the *decompressed* IDX files, as listed in ``data/mnist/SHA256SUMS.idx``.
SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

# kind -> (magic number, shape of one item)
_LAYOUT = {"images": (0x00000803, (28, 28)), "labels": (0x00000801, ())}

FIX_HINT = "Delete this file, or set CH3_DATA_DIR to a folder with good copies."


class MNISTDataError(ValueError):
    """An MNIST file is damaged or is not the file it claims to be."""

    def __init__(self, path, problem, hint=FIX_HINT):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}. {hint}")


def read_idx(path, kind, sha256=None):
    """Read a gzip-compressed IDX file of MNIST ``kind`` ("images" or "labels").

    Returns a read-only ``uint8`` array of shape ``(n, 784)`` for images, ``(n,)`` for labels.
    If ``sha256`` is given, the decompressed content must have that digest. Raises
    :class:`MNISTDataError` on any problem, so a damaged file is never half-loaded.
    """
    path = Path(path)
    raw = _gunzip(path)
    magic, item_shape = _LAYOUT[kind]
    ndim = 1 + len(item_shape)
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise MNISTDataError(path, f"truncated header ({len(raw)} bytes, expected {header_size})")
    found_magic, *dims = np.frombuffer(raw, ">u4", count=1 + ndim).tolist()
    if found_magic != magic:
        raise MNISTDataError(
            path, f"wrong magic number {found_magic:#010x}, expected {magic:#010x} (IDX {kind})")
    n, *found_shape = dims
    if tuple(found_shape) != item_shape:
        expected = "(n, 28, 28)" if item_shape else "(n,)"
        raise MNISTDataError(path, f"wrong dimensions {tuple(dims)}, expected {expected}")
    item_size = int(np.prod(item_shape))
    held = (len(raw) - header_size) // item_size
    if len(raw) - header_size < n * item_size:
        raise MNISTDataError(path, f"truncated: header says {n} {kind} but the file holds {held}")
    if len(raw) - header_size > n * item_size:
        extra = len(raw) - header_size - n * item_size
        raise MNISTDataError(path, f"{extra} unexpected bytes after the {n} {kind}")
    data = np.frombuffer(raw, np.uint8, offset=header_size).reshape(n, item_size or 1)
    if kind == "labels":
        data = data.ravel()
        if n and data.max() > 9:
            raise MNISTDataError(path, f"labels outside 0-9 (found {int(data.max())})")
    if sha256 is not None:
        _check_sha256(path, raw, sha256)
    return data


def check_counts(images, labels, images_path, labels_path):
    """Raise :class:`MNISTDataError` unless ``images`` and ``labels`` hold the same count."""
    if len(images) != len(labels):
        raise MNISTDataError(
            labels_path, f"holds {len(labels)} labels but {Path(images_path).name} holds "
            f"{len(images)} images")


def verify(path, sha256):
    """Raise :class:`MNISTDataError` unless the decompressed content of ``path`` has ``sha256``."""
    _check_sha256(Path(path), _gunzip(Path(path)), sha256)


def _check_sha256(path, raw, sha256):
    digest = hashlib.sha256(raw).hexdigest()
    if digest != sha256:
        raise MNISTDataError(
            path, f"content SHA-256 is {digest}, expected {sha256} (damaged or not the MNIST "
            "file)")


def _gunzip(path):
    compressed = path.read_bytes()
    try:
        return gzip.decompress(compressed)
    except (OSError, EOFError, zlib.error) as err:
        raise MNISTDataError(path, f"not a readable gzip file ({err})") from None
