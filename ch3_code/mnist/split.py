"""``MNISTSplit``: one split of MNIST, as two read-only arrays and as the seed's list of pairs.

:func:`ch3_code.mnist.load.load_mnist` makes three of them from the files; a learner or a tool
(``expand_data``, the book's variants) makes one from arrays. A split made from the files keeps
the file's bytes (a :class:`~ch3_code.internals.pixels.PixelStore`) and computes its float32
``X`` the first time it is read, so a run that trains on the bytes never holds the floats.
Every array handed out is a read-only view: no caller can change what the next caller gets.
"""
import numpy as np

from ..internals.pixels import PixelStore

__all__ = ["MNISTSplit"]


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
        X = read_only(np.ascontiguousarray(X, dtype=np.float32))
        y = read_only(np.ascontiguousarray(y, dtype=np.int64))
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
        split.y, split.one_hot, split.name = read_only(y), bool(one_hot), name
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
        return read_only(self._store.raw[start:stop])

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


def _rebuild(X, pixels, y, one_hot, name):
    """Unpickle an MNISTSplit (see ``MNISTSplit.__reduce__``)."""
    if pixels is None:
        return MNISTSplit(X, y, one_hot=one_hot, name=name)
    pixels.flags.writeable = False
    return MNISTSplit._of_pixels(PixelStore(pixels), 0, len(pixels), y, one_hot, name)


def read_only(array):
    """A read-only view of ``array``, leaving the caller's array as it was."""
    view = array.view()
    view.flags.writeable = False
    return view
