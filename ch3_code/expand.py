"""Expanding the training data with slightly moved copies of each image.

Chapter 3 shows that more training data is one of the best regularisers, and that for MNIST
it can be made cheaply: shift every training image by one pixel up, down, left and right,
turning 50,000 images into 250,000. :func:`expand_data` does this for the whole batch at once
by slicing an ``(n, 28, 28)`` view (no loop over images), and can add small rotations, done by
bilinear sampling with one gather per neighbour pixel, again for the whole batch.
"""
import numpy as np

from .data import MNISTSplit

SIDE = 28
_CENTRE = (SIDE - 1) / 2


def expand_data(data, *, shifts=True, rotations=()):
    """Return the images of ``data`` followed by moved copies of them, with labels to match.

    ``data`` is an :class:`~ch3_code.data.MNISTSplit` or a tuple ``(X, y)`` with ``X`` of
    shape ``(n, 784)`` (pixels in [0, 1]) and ``y`` of shape ``(n,)``; it is never modified.
    The result is of the same kind: an ``MNISTSplit`` (same ``one_hot``) or a tuple of new
    arrays ``(X, y)``, with ``X`` float32 and ``y`` int64.

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
    X, y = (data.X, data.y) if isinstance(data, MNISTSplit) else data
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y, dtype=np.int64)
    rotations = tuple(rotations or ())
    n_shifts = 4 if shifts else 0
    n_blocks = 1 + n_shifts + len(rotations)
    out = np.zeros((n_blocks, len(X), SIDE * SIDE), dtype=np.float32)
    out[0] = X
    if shifts:
        _shift_into(out[1:5].reshape(4, -1, SIDE, SIDE), X.reshape(-1, SIDE, SIDE))
    for block, degrees in zip(out[1 + n_shifts:], rotations):
        _rotate_into(block, X, degrees)
    X_new, y_new = out.reshape(-1, SIDE * SIDE), np.tile(y, n_blocks)
    if isinstance(data, MNISTSplit):
        return MNISTSplit(X_new, y_new, one_hot=data.one_hot, name=f"{data.name} (expanded)")
    return X_new, y_new


def _shift_into(out, images):
    """Write ``images`` moved one pixel up, down, left, right into ``out[0..3]`` (zeroed)."""
    up, down, left, right = out
    up[:, :-1, :] = images[:, 1:, :]
    down[:, 1:, :] = images[:, :-1, :]
    left[:, :, :-1] = images[:, :, 1:]
    right[:, :, 1:] = images[:, :, :-1]


def _rotate_into(out, X, degrees):
    """Write the ``(n, 784)`` images ``X`` turned by ``degrees`` anticlockwise into ``out``."""
    (index, weight), *other_taps = _rotation_taps(degrees)
    np.take(X, index, axis=1, out=out, mode="clip")  # indices are valid; "clip" avoids a copy
    out *= weight
    tap = np.empty_like(out)
    for index, weight in other_taps:
        np.take(X, index, axis=1, out=tap, mode="clip")
        tap *= weight
        out += tap
    # the four weights add up to 1 only up to rounding: keep pixels inside [0, 1]
    np.clip(out, 0.0, 1.0, out=out)


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
