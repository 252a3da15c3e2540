"""MNIST's pixels kept as the file's bytes, turned into floats only where they are read.

An MNIST pixel is a byte p in 0-255 and the package's input is x = p / 255 in float32
(computed as ``np.divide(p, np.float32(255), dtype=np.float32)``, correctly rounded).
Holding the bytes costs a quarter of the floats (one byte a pixel, not four; the sizes are in
benchmarks/README.md). Two forms read them:

* :class:`PixelStore` backs a split's ``X``: one float32 array per store, allocated but
  not written (the operating system gives it memory only where it is written), filled
  with x row by row the first time those rows are asked for. Splits that share a store
  share its floats, as views.
* :class:`PixelRows` is what training reads: ``rows[idx]`` gives x for those rows, made
  afresh (a mini-batch, or an evaluation block of :data:`BLOCK` rows), so training on
  the 50,000 images never writes their floats; the compiled epoch reads the
  bytes themselves through :func:`lookup_table`.

Both give exactly the floats the division above gives, so a run gives the same numbers
whichever it reads (tests/test_pixels.py). This module exists because NumPy has no
array whose elements are computed on access; a memory map of a decoded copy would
keep all the floats resident once read, and a second file on disk besides.
"""
import numpy as np

#: Rows decoded at a time when a whole set is evaluated from its bytes: a quarter of NN2's
#: 16,384-row evaluation blocks, so that few floats exist at once.
BLOCK = 4096
_255 = np.float32(255)


def to_floats(p, out=None):
    """x = p / 255 as float32, from uint8 pixels p (into ``out`` if given)."""
    return np.divide(p, _255, out=out, dtype=np.float32)


def lookup_table(dtype):
    """The 256 values x = p / 255 (float32, then ``dtype``): table[p] is pixel p's input."""
    return to_floats(np.arange(256, dtype=np.uint8)).astype(dtype)


class PixelStore:
    """The uint8 pixels ``raw`` (n, 784) and their float32 values, made on first request."""

    def __init__(self, raw):
        self.raw = raw
        self._floats = np.empty(raw.shape, np.float32)   # untouched pages use no memory
        self._done = np.zeros(raw.shape[0], bool)
        # handed-out views lie on a read-only buffer: numpy refuses to make them writable
        self._view = np.frombuffer(memoryview(self._floats).toreadonly(),
                                   np.float32).reshape(raw.shape)

    def floats(self, start, stop):
        """Read-only float32 rows start:stop, computing those not computed before."""
        todo = np.flatnonzero(~self._done[start:stop])
        if todo.size:
            lo, hi = start + todo[0], start + todo[-1] + 1
            for k in range(lo, hi, BLOCK):   # in place, block by block: no temporary copy
                e = min(k + BLOCK, hi)
                to_floats(self.raw[k:e], out=self._floats[k:e])
            self._done[lo:hi] = True
        return self._view[start:stop]

    def computed_rows(self):
        """How many rows have their floats (for tests and for the curious)."""
        return int(np.count_nonzero(self._done))


class PixelRows:
    """Rows of uint8 pixels read as x = p / 255 in ``dtype``: ``rows[idx]`` is a new array.

    Has the ``shape``, ``dtype``, ``len`` and indexing that training uses of an input array.
    """

    ndim = 2

    def __init__(self, raw, dtype=np.float32):
        self.raw, self.dtype = raw, np.dtype(dtype)
        self.shape = raw.shape

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, index):
        x = to_floats(self.raw[index])
        return x if self.dtype == np.float32 else x.astype(self.dtype)

    def __repr__(self):
        return f"PixelRows(n={self.shape[0]}, dtype={self.dtype.name})"
