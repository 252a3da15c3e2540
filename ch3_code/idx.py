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


def read_idx(path, kind, sha256=None, dtype=np.uint8):
    """Read a gzip-compressed IDX file of MNIST ``kind`` ("images" or "labels").

    Returns a read-only array of shape ``(n, 784)`` for images, ``(n,)`` for labels: the
    bytes as ``uint8``, or with a float ``dtype`` the pixels divided by 255 in that dtype
    (np.divide(pixels, dtype(255)), the same values as dividing the uint8 array). If
    ``sha256`` is given, the decompressed content must have that digest. Raises
    :class:`MNISTDataError` on any problem, so a damaged file is never half-loaded.

    The file is decompressed, hashed and converted a megabyte at a time into the one
    array returned: holding the whole decompressed file as well (47 MB for the training
    images), and the float copy made from it, left about 18 MB behind in the process's
    heap for good.
    """
    path = Path(path)
    magic, item_shape = _LAYOUT[kind]
    ndim = 1 + len(item_shape)
    header_size = 4 + 4 * ndim
    item_size = int(np.prod(item_shape))
    digest = hashlib.sha256()
    with open(path, "rb") as file:     # a missing file raises FileNotFoundError, as it is
        try:
            with gzip.GzipFile(fileobj=file) as content:
                header = content.read(header_size)
                if len(header) < header_size:
                    raise MNISTDataError(path, f"truncated header ({len(header)} bytes, "
                                               f"expected {header_size})")
                digest.update(header)
                n = _check_header(path, kind, header, magic, ndim, item_shape)
                data = np.empty(n * item_size, dtype)
                held = _read_body(content, data, digest)
                if held < data.size:
                    raise MNISTDataError(path, f"truncated: header says {n} {kind} but the "
                                               f"file holds {held // item_size}")
                extra = _count_rest(content)
                if extra:
                    raise MNISTDataError(path, f"{extra} unexpected bytes after the {n} "
                                               f"{kind}")
        except (OSError, EOFError, zlib.error) as err:
            raise MNISTDataError(path, f"not a readable gzip file ({err})") from None
    if kind == "labels" and n and data.max() > 9:
        raise MNISTDataError(path, f"labels outside 0-9 (found {int(data.max())})")
    if sha256 is not None and digest.hexdigest() != sha256:
        raise MNISTDataError(path, f"content SHA-256 is {digest.hexdigest()}, expected "
                                   f"{sha256} (damaged or not the MNIST file)")
    data.flags.writeable = False
    return data if kind == "labels" else data.reshape(n, item_size)


_READ_CHUNK = 1 << 20  # bytes decompressed at a time


def _check_header(path, kind, header, magic, ndim, item_shape):
    """The number of items the IDX ``header`` announces, after checking it is MNIST's."""
    found_magic, *dims = np.frombuffer(header, ">u4", count=1 + ndim).tolist()
    if found_magic != magic:
        raise MNISTDataError(
            path, f"wrong magic number {found_magic:#010x}, expected {magic:#010x} (IDX {kind})")
    n, *found_shape = dims
    if tuple(found_shape) != item_shape:
        expected = "(n, 28, 28)" if item_shape else "(n,)"
        raise MNISTDataError(path, f"wrong dimensions {tuple(dims)}, expected {expected}")
    return n


def _count_rest(content):
    """The number of bytes left in ``content`` (0 for a well-formed file)."""
    count = 0
    while chunk := content.read(_READ_CHUNK):
        count += len(chunk)
    return count


def _read_body(content, out, digest):
    """Fill ``out`` from ``content`` (bytes, or bytes / 255 for a float ``out``), a chunk at
    a time, adding each chunk to ``digest``; the number of bytes read (less at the end)."""
    chunk = bytearray(_READ_CHUNK)
    pos = 0
    while pos < out.size:
        view = memoryview(chunk)[:min(_READ_CHUNK, out.size - pos)]
        got = content.readinto(view)
        if not got:
            break
        digest.update(view[:got])
        pixels = np.frombuffer(chunk, np.uint8, count=got)
        if out.dtype == np.uint8:
            out[pos:pos + got] = pixels
        else:
            np.divide(pixels, out.dtype.type(255), out=out[pos:pos + got])
        pos += got
    return pos


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
