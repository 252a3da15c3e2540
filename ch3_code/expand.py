"""Expanding the training data with slightly moved copies of each image.

Chapter 3 shows that more training data is one of the best regularisers, and that for MNIST
it can be made cheaply: shift every training image by one pixel up, down, left and right,
turning 50,000 images into 250,000. :func:`expand_data` does this for the whole batch at once
by slicing an ``(n, 28, 28)`` view (no loop over images), and can add small rotations, done by
bilinear sampling with one gather per neighbour pixel, again for the whole batch.
"""
import numpy as np

from .internals.arrays import _stack_pairs
from .mnist.load import MNISTSplit

SIDE = 28
_CENTRE = (SIDE - 1) / 2
_FORMS = ("an MNISTSplit, a tuple (X, y) with X of shape (n, 784) and y of shape (n,), or a "
          "list of (x, y) pairs")


def expand_data(data, *, shifts=True, rotations=()):
    """Return the images of ``data`` followed by moved copies of them, with labels to match.

    ``data`` is an :class:`~ch3_code.mnist.load.MNISTSplit`, a tuple ``(X, y)`` with ``X`` of
    shape ``(n, 784)`` (pixels in [0, 1]) and ``y`` of shape ``(n,)``, or the seed's list of
    ``(x, y)`` pairs (``x`` a ``(784, 1)`` column, ``y`` a one-hot ``(10, 1)`` column or an
    integer label); it is never modified. The result is of the same kind: an ``MNISTSplit``
    (same ``one_hot``), a tuple of new arrays ``(X, y)`` with ``X`` float32 and ``y`` int64,
    or a list of pairs with ``y`` in the form given and ``x`` a float32 ``(784, 1)`` column
    (each a view of one new array).

    The result holds ``n`` images per block, in this order, each block in the order of
    ``data``:

    1. the original images;
    2. if ``shifts``: the images moved one pixel up, down, left, right (the pixels moved in
       are 0, the background);
    3. one block per angle in ``rotations`` (degrees, positive = anticlockwise), turned
       about the image centre, e.g. ``rotations=(-10, 10)``; none by default.

    So 50,000 images give 250,000 with the defaults, 350,000 with two angles. Memory: each
    block of 50,000 images takes 157 MB.
    """
    X, y, pairs = _images_and_labels(data)
    rotations = _angles(rotations)
    if not (isinstance(shifts, (bool, np.bool_, int, np.integer)) and shifts in (0, 1)):
        raise TypeError(f"shifts={shifts!r}: give True (add the four one-pixel shifts) or False")
    n_shifts = 4 if shifts else 0
    n_blocks = 1 + n_shifts + len(rotations)
    out = np.zeros((n_blocks, len(X), SIDE * SIDE), dtype=np.float32)
    out[0] = X
    if shifts:
        _shift_into(out[1:5].reshape(4, -1, SIDE, SIDE), X.reshape(-1, SIDE, SIDE))
    # rotated pixels stay in the range of the images (and of [0, 1]) despite rounding
    pixel_range = (min(0, X.min()), max(1, X.max())) if X.size else (0, 1)
    for block, degrees in zip(out[1 + n_shifts:], rotations):
        _rotate_into(block, X, degrees, pixel_range)
    X_new, y_new = out.reshape(-1, SIDE * SIDE), np.tile(y, n_blocks)
    if isinstance(data, MNISTSplit):
        return MNISTSplit(X_new, y_new, one_hot=data.one_hot, name=f"{data.name} (expanded)")
    if pairs is not None:
        return _as_pairs(X_new, y_new, one_hot=pairs == "one-hot")
    return X_new, y_new


def _images_and_labels(data):
    """``(X, y, pairs)`` of ``data``, checked: ``pairs`` is None, "one-hot" or "labels"."""
    pairs = None
    if isinstance(data, MNISTSplit):
        return data.X, data.y, None
    if isinstance(data, tuple) and len(data) == 2:
        X, y = data
    elif hasattr(data, "X") and hasattr(data, "y"):
        X, y = data.X, data.y
    elif isinstance(data, (str, bytes, np.ndarray, dict)) or not np.iterable(data):
        raise TypeError(f"data is {_what(data)}; pass {_FORMS}")
    else:  # the seed's list of (x, y) pairs
        data = list(data)
        X, y = _stack_pairs(data, 10, "data")
        pairs = "one-hot" if np.size(data[0][1]) > 1 else "labels"
    try:
        X = np.asarray(X, dtype=np.float32)
    except (TypeError, ValueError):
        raise TypeError(f"data: X is {_what(X)}, not an array of pixel values; pass "
                        f"{_FORMS}") from None
    if X.ndim != 2 or X.shape[1] != SIDE * SIDE:
        fix = (f"X.reshape(len(X), {SIDE * SIDE})" if X.shape[-2:] == (SIDE, SIDE)
               else f"one {SIDE}x{SIDE} image per row")
        raise ValueError(f"data: images of shape {X.shape}; expand_data moves {SIDE}x{SIDE} "
                         f"images, so give X of shape (n, {SIDE * SIDE}): {fix}")
    y = np.asarray(y)
    if y.shape != (len(X),) or y.dtype.kind not in "iuf" or np.any(y != np.round(y)):
        raise ValueError(f"data: labels of shape {y.shape} and dtype {y.dtype}; give y of "
                         f"shape ({len(X)},), one integer label per image (y.argmax(axis=1) "
                         "for one-hot rows)")
    return X, y.astype(np.int64), pairs


def _angles(rotations):
    """``rotations`` as a tuple of finite angles in degrees, or an error saying how."""
    if rotations is None:
        return ()
    if isinstance(rotations, (str, bytes)) or not np.iterable(rotations):
        raise TypeError(f"rotations={rotations!r}: give a tuple of angles in degrees, e.g. "
                        "rotations=(-10, 10) for two blocks, or (10,) for one")
    angles = np.asarray(tuple(rotations))
    if angles.ndim != 1 or angles.dtype.kind not in "iuf" or not np.all(np.isfinite(angles)):
        raise ValueError(f"rotations={rotations!r}: give a tuple of finite angles in degrees, "
                         "e.g. rotations=(-10, 10)")
    return tuple(angles.tolist())


def _as_pairs(X, y, one_hot):
    """The seed's list of ``(x, y)`` pairs: (784, 1) views of X, one-hot columns or ints."""
    columns = X.reshape(len(X), SIDE * SIDE, 1)
    if not one_hot:
        return [(x, int(label)) for x, label in zip(columns, y)]
    Y = np.zeros((len(y), 10, 1))
    Y[np.arange(len(y)), y] = 1.0
    return list(zip(columns, Y))


def _what(thing):
    shape = getattr(thing, "shape", None)
    return f"a {type(thing).__name__}" + (f" of shape {shape}" if shape is not None else "")


def _shift_into(out, images):
    """Write ``images`` moved one pixel up, down, left, right into ``out[0..3]`` (zeroed)."""
    up, down, left, right = out
    up[:, :-1, :] = images[:, 1:, :]
    down[:, 1:, :] = images[:, :-1, :]
    left[:, :, :-1] = images[:, :, 1:]
    right[:, :, 1:] = images[:, :, :-1]


def _rotate_into(out, X, degrees, pixel_range=(0, 1)):
    """Write the ``(n, 784)`` images ``X`` turned by ``degrees`` anticlockwise into ``out``."""
    (index, weight), *other_taps = _rotation_taps(degrees)
    np.take(X, index, axis=1, out=out, mode="clip")  # indices are valid; "clip" avoids a copy
    out *= weight
    tap = np.empty_like(out)
    for index, weight in other_taps:
        np.take(X, index, axis=1, out=tap, mode="clip")
        tap *= weight
        out += tap
    # the four weights add up to 1 only up to rounding: keep pixels inside their range
    np.clip(out, *pixel_range, out=out)


def _rotation_taps(degrees):
    """Bilinear sampling of a rotation, as four ``(index, weight)`` pairs of 784-vectors.

    Output pixel ``p`` takes ``sum(weight[p] * image[index[p]])`` over the four pairs: the four
    source pixels around the point that the rotation carries onto ``p``. Taps that fall outside
    the image get weight 0 (background).
    """
    theta = np.deg2rad(degrees)
    row, col = np.indices((SIDE, SIDE)).reshape(2, -1) - _CENTRE
    # Inverse rotation, with rows pointing down: the source point for each output pixel.
    src_row = np.cos(theta) * row + np.sin(theta) * col + _CENTRE
    src_col = -np.sin(theta) * row + np.cos(theta) * col + _CENTRE
    r0, c0 = np.floor(src_row).astype(int), np.floor(src_col).astype(int)
    fr, fc = src_row - r0, src_col - c0
    taps = []
    for dr, dc, weight in ((0, 0, (1 - fr) * (1 - fc)), (0, 1, (1 - fr) * fc),
                           (1, 0, fr * (1 - fc)), (1, 1, fr * fc)):
        r, c = r0 + dr, c0 + dc
        inside = (r >= 0) & (r < SIDE) & (c >= 0) & (c < SIDE)
        index = np.clip(r, 0, SIDE - 1) * SIDE + np.clip(c, 0, SIDE - 1)
        taps.append((index, np.where(inside, weight, 0).astype(np.float32)))
    return taps
