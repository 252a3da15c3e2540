"""Turn the forms of data the package accepts into one pair of arrays.

Accepted forms (see CONTRIBUTING.md):

1. an object with array attributes ``X`` (n, n_in) and ``y`` (n,) of integer labels,
   such as ``ch3_code.data.MNISTSplit``;
2. a tuple ``(X, y)`` of arrays, X of shape (n, n_in) and y integer labels of shape (n,);
3. the seed page's list of ``(x, y)`` pairs, x of shape (n_in, 1) and y either a one-hot
   (n_out, 1) vector or an integer label.

The result is ``(X, labels)``: X a C-contiguous float array of shape (n, n_in)
and labels an int64 array of shape (n,). With ``dtype=None`` float32 input stays
float32 (so a 50,000-image split is not copied) and anything else becomes float64;
with a ``dtype`` X is in that dtype, and is not copied when it already is. The
caller's objects are never modified: arrays that need no conversion are returned
as read-only views.
"""
import numpy as np


def as_arrays(data, n_in, n_out, name="data", dtype=None):
    """Return ``(X, labels)`` for ``data`` after checking shapes and label range.

    ``dtype`` (e.g. ``"float32"``) is the dtype X is returned in; None keeps float32
    input as it is and turns everything else into float64.
    """
    if data is None:
        raise ValueError(f"{name} is None; pass a data split, an (X, y) tuple or a list of (x, y) pairs")
    if hasattr(data, "X") and hasattr(data, "y"):
        X, labels = data.X, data.y
    elif isinstance(data, tuple) and len(data) == 2 and all(isinstance(d, np.ndarray) for d in data):
        X, labels = data
    else:
        X, labels = _stack_pairs(data, n_out, name)
    X = np.asarray(X)
    if dtype is not None:
        X = X.astype(np.dtype(dtype), copy=False)
    elif X.dtype != np.float32:
        X = X.astype(np.float64, copy=False)
    X = np.ascontiguousarray(X).view()
    X.flags.writeable = False
    labels = np.asarray(labels)
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ValueError(f"{name}: inputs have shape {X.shape}, but the network's first layer has "
                         f"{n_in} neurons; pass X of shape (n, {n_in}) (one example per row)")
    if labels.shape != (X.shape[0],):
        raise ValueError(f"{name}: labels have shape {labels.shape}; expected ({X.shape[0]},), one "
                         "integer label per example (use labels.argmax(axis=1) for one-hot rows)")
    if not np.issubdtype(labels.dtype, np.integer):
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            raise ValueError(f"{name}: labels must be whole numbers 0..{n_out - 1}, got dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= n_out):
        bad = labels[(labels < 0) | (labels >= n_out)][0]
        raise ValueError(f"{name}: label {bad} is out of range; the output layer has {n_out} neurons, "
                         f"so labels must lie in 0..{n_out - 1}")
    return X, labels


def one_hot(labels, n_out, dtype=np.float64):
    """The (n, n_out) matrix (of ``dtype``) whose row i is the unit vector e_{labels[i]}."""
    Y = np.zeros((labels.shape[0], n_out), dtype=dtype)
    Y[np.arange(labels.shape[0]), labels] = 1.0
    return Y


def _stack_pairs(pairs, n_out, name):
    if hasattr(pairs, "__len__") and len(pairs) == 0:
        raise ValueError(f"{name} is empty; pass at least one (x, y) pair")
    try:
        xs, ys = zip(*pairs)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a data split, an (X, y) tuple of arrays or a list of (x, y) "
                        f"pairs; got {type(pairs).__name__}") from None
    X = np.stack([np.ravel(x) for x in xs])
    first = np.asarray(ys[0])
    if first.size == 1:
        return X, np.array([int(np.asarray(y).item()) for y in ys])
    Y = np.stack([np.ravel(y) for y in ys])
    if Y.shape[1] != n_out or not (np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1)):
        raise ValueError(f"{name}: targets of shape {first.shape} are not one-hot vectors of length "
                         f"{n_out}; give one-hot (n_out, 1) vectors or integer labels")
    return X, Y.argmax(axis=1)
