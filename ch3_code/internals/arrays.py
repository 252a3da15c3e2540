"""Turn the forms of data the package accepts into one pair of arrays.

Accepted forms (see CONTRIBUTING.md):

1. an object with array attributes ``X`` (n, n_in) and ``y`` (n,) of integer labels,
   such as ``ch3_code.mnist.MNISTSplit``;
2. a tuple ``(X, y)`` of arrays, X of shape (n, n_in) and y integer labels of shape (n,);
3. the seed page's list of ``(x, y)`` pairs, x of shape (n_in, 1) and y either a one-hot
   (n_out, 1) vector or an integer label (one form for every pair).

The result is ``(X, labels)``: X a C-contiguous float array of shape (n, n_in)
and labels an int64 array of shape (n,). With ``dtype=None`` float32 input stays
float32 (so a 50,000-image split is not copied) and anything else becomes float64;
with a ``dtype`` X is in that dtype, and is not copied when it already is. The
caller's objects are never modified: arrays that need no conversion are returned
as read-only views.

The values are checked here, once, for every set (training, validation, test): NaN or
infinity is refused, naming the set and the first bad row, since it would otherwise show up
much later as a "diverged" run; inputs that look like raw 0-255 pixels get a warning; labels
must be whole numbers (not text, not True/False).
"""
import os
import sys
import warnings
import weakref

import numpy as np

from .pixels import PixelRows

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # ch3_code/

_FORMS = "a data split, an (X, y) tuple of arrays or a list of (x, y) pairs"


def as_arrays(data, n_in, n_out, name="data", dtype=None, pixels=False):
    """Return ``(X, labels)`` for ``data`` after checking shapes, values and label range.

    ``dtype`` (e.g. ``"float32"``) is the dtype X is returned in; None keeps float32
    input as it is and turns everything else into float64. With ``pixels``, a split that
    holds MNIST's bytes (``data.pixels``) gives X as a :class:`~ch3_code.internals.pixels.PixelRows`
    that reads them (what training uses: its floats are made a batch at a time).
    """
    if data is None:
        raise ValueError(f"{name} is None; pass {_FORMS}")
    if isinstance(data, (str, bytes)):
        raise TypeError(f"{name} is a {type(data).__name__}; pass {_FORMS}")
    if pixels and getattr(data, "pixels", None) is not None and data.pixels.shape[1] == n_in:
        X = PixelRows(data.pixels, np.float32 if dtype is None else dtype)
        return X, _labels(data.y, X.shape[0], n_out, name)   # bytes: always finite, in range
    if hasattr(data, "X") and hasattr(data, "y"):
        X, labels = data.X, data.y
    elif (isinstance(data, tuple) and len(data) == 2
          and all(isinstance(d, np.ndarray) for d in data)):
        X, labels = data
    else:
        X, labels = _stack_pairs(data, n_out, name)
    X = _inputs(X, name, dtype)
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ValueError(f"{name}: inputs have shape {X.shape}, but the network's first layer "
                         f"has {n_in} neurons; pass X of shape (n, {n_in}) (one example per row)")
    _check_values(X, name)
    labels = _labels(labels, X.shape[0], n_out, name)
    return X, labels


def one_hot(labels, n_out, dtype=np.float64):
    """The (n, n_out) matrix (of ``dtype``) whose row i is the unit vector e_{labels[i]}."""
    Y = np.zeros((labels.shape[0], n_out), dtype=dtype)
    Y[np.arange(labels.shape[0]), labels] = 1.0
    return Y


def _inputs(X, name, dtype):
    """X as a read-only C-contiguous float array (a view when no conversion is needed)."""
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name}: inputs have dtype {X.dtype}; pass numbers (pixel values in "
                        "[0, 1]), e.g. X.astype(np.float32)")
    if dtype is not None:
        X = X.astype(np.dtype(dtype), copy=False)
    elif X.dtype != np.float32:
        X = X.astype(np.float64, copy=False)
    X = np.ascontiguousarray(X).view()
    X.flags.writeable = False
    return X


# Read-only arrays whose values passed _check_values: (id of the array that owns the memory,
# data address, shape, strides) -> a weak reference to the owner. MNIST's cached splits are
# read-only, so evaluating the 10,000 test images again (every epoch, or net.accuracy(test)
# in a loop) skips a second look at 7.8 million values, a large share of the evaluation's time.
_CHECKED = {}


def _owner(X):
    while isinstance(X.base, np.ndarray):
        X = X.base
    return X


def _range(X):
    """(smallest, largest) value of X: two passes over the data, no allocation."""
    return float(X.min()), float(X.max())


def _check_values(X, name):
    """Refuse NaN and infinity (naming the first bad row); warn for raw 0-255 pixels.

    Two reductions (min and max) look at every value without allocating; only when one
    of them is not finite is the first bad row searched for. A read-only array that
    passed once is not looked at again (``_CHECKED``); a writeable one is checked each time.
    """
    if X.size == 0:
        return
    owner = _owner(X)
    key = (id(owner), X.__array_interface__["data"][0], X.shape, X.strides)
    known = _CHECKED.get(key)
    if known is not None and known() is owner and not owner.flags.writeable:
        return
    low, high = _range(X)
    if not (np.isfinite(low) and np.isfinite(high)):
        bad_rows = np.flatnonzero(~np.isfinite(X).all(axis=1))
        if bad_rows.size:  # (min/max of huge finite values cannot overflow, but be exact)
            row = int(bad_rows[0])
            value = X[row][~np.isfinite(X[row])][0]
            raise ValueError(f"{name}: row {row} of the inputs holds {value} ({bad_rows.size} "
                             "rows hold NaN or infinity); the network needs finite numbers: "
                             "drop or repair those rows")
    if low >= 0 and high > 1:
        warnings.warn(f"{name}: inputs range from {low:g} to {high:g}; MNIST pixels should lie "
                      "in [0, 1]. If these are raw 0-255 pixel values, divide them by 255",
                      UserWarning, stacklevel=caller_stacklevel())
        return
    if not owner.flags.writeable:
        _CHECKED[key] = weakref.ref(owner, lambda _, key=key: _CHECKED.pop(key, None))


def _labels(labels, n, n_out, name):
    """labels as int64 of shape (n,) in 0..n_out-1, or a ValueError/TypeError saying why not."""
    labels = np.asarray(labels)
    expected = f"integer class labels 0..{n_out - 1}"
    if labels.dtype == np.bool_:
        raise TypeError(f"{name}: labels are True/False (dtype bool); pass {expected}, "
                        "e.g. y.astype(int) if True means class 1")
    if labels.dtype.kind not in "iuf":
        raise TypeError(f"{name}: labels have dtype {labels.dtype}; pass {expected}, "
                        "e.g. np.array([int(t) for t in y]) for digits given as text")
    if labels.shape != (n,):
        raise ValueError(f"{name}: labels have shape {labels.shape}; expected ({n},), one "
                         "integer label per example (use labels.argmax(axis=1) for one-hot rows)")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            raise ValueError(f"{name}: labels must be whole numbers 0..{n_out - 1}, "
                             f"got dtype {labels.dtype} with fractions or NaN")
    labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= n_out):
        bad = labels[(labels < 0) | (labels >= n_out)][0]
        raise ValueError(f"{name}: label {bad} is out of range; the output layer has {n_out} "
                         f"neurons, so labels must lie in 0..{n_out - 1}")
    return labels


def _stack_pairs(pairs, n_out, name):
    """Stack the seed's list of (x, y) pairs into (X, labels), checking every pair's form."""
    as_tuple = " (an (X, y) tuple must hold numpy arrays)" if isinstance(pairs, tuple) else ""
    try:
        pairs = list(pairs)
    except TypeError:
        raise TypeError(f"{name} must be {_FORMS}; got {type(pairs).__name__}") from None
    if not pairs:
        raise ValueError(f"{name} is empty; pass at least one (x, y) pair")
    for i, pair in enumerate(pairs):
        if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise TypeError(f"{name}: item {i} is {_describe(pair)}, not an (x, y) pair; "
                            f"{name} must be {_FORMS}{as_tuple}")
    xs = [np.ravel(np.asarray(x)) for x, _ in pairs]
    for i, x in enumerate(xs):
        if x.shape != xs[0].shape:
            raise ValueError(f"{name}: pair {i} has an x of {x.size} values but pair 0 has "
                             f"{xs[0].size}; every x must be an (n_in, 1) column of the same size")
    ys = [np.asarray(y) for _, y in pairs]
    if ys[0].dtype.kind not in "biuf":
        raise TypeError(f"{name}: pair 0 has the target {pairs[0][1]!r}; targets must be integer "
                        f"labels 0..{n_out - 1} or one-hot (n_out, 1) vectors, not "
                        f"{ys[0].dtype} values")
    scalar = ys[0].size == 1
    for i, y in enumerate(ys):
        if (y.size == 1) != scalar or (not scalar and y.size != ys[0].size):
            raise ValueError(f"{name}: pair {i} has a target of shape {y.shape} but pair 0 one "
                             f"of shape {ys[0].shape}; give every pair the same form of target "
                             f"(integer labels, or one-hot ({n_out}, 1) vectors)")
    X = np.stack(xs)
    if scalar:
        return X, np.array([y.item() for y in ys])
    Y = np.stack([np.ravel(y) for y in ys])
    if Y.shape[1] != n_out or not (np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1)):
        raise ValueError(f"{name}: targets of shape {ys[0].shape} are not one-hot vectors of "
                         f"length {n_out}; give one-hot (n_out, 1) vectors or integer labels")
    return X, Y.argmax(axis=1)


def _describe(item):
    shape = getattr(item, "shape", None)
    return f"a {type(item).__name__}" + (f" of shape {shape}" if shape is not None else "")


def caller_stacklevel():
    """The ``stacklevel`` that makes a warning point at the first line outside ch3_code.

    (Python 3.12's ``warnings.warn(skip_file_prefixes=...)`` does this; 3.10 and 3.11 lack it.)
    """
    frame, level = sys._getframe(1), 1
    while frame is not None and _in_package(frame.f_code.co_filename):
        frame, level = frame.f_back, level + 1
    return level


def _in_package(filename):
    """True for a file of ch3_code or of one of its sub-packages."""
    return os.path.abspath(filename).startswith(_PACKAGE_DIR + os.sep)
