"""Tests of expand_data: the book's one-pixel shifts and the optional small rotations."""
import numpy as np
import pytest

from ch3_code.data import MNISTSplit, load_mnist
from ch3_code.expand import expand_data


def dots(n=3, seed=0):
    """``n`` random images (ink in [0, 1] in the central 20x20 box, like MNIST) and labels."""
    images = np.zeros((n, 28, 28), np.float32)
    images[:, 4:24, 4:24] = np.random.default_rng(seed).random((n, 20, 20), dtype=np.float32)
    return images.reshape(n, 784), np.arange(n)


def rolled(images, shift, axis):
    """One image shifted by rolling, then zeroing the wrapped row or column (the book's way)."""
    out = np.roll(images, shift, axis=axis)
    edge = [slice(None)] * 3
    edge[axis] = 0 if shift > 0 else -1
    out[tuple(edge)] = 0
    return out


def test_shifts_give_five_blocks_in_the_documented_order():
    X, y = dots()
    X_new, y_new = expand_data((X, y))
    blocks = X_new.reshape(5, 3, 28, 28)
    images = X.reshape(3, 28, 28)
    assert np.array_equal(blocks[0], images)
    assert np.array_equal(blocks[1], rolled(images, -1, 1))  # up
    assert np.array_equal(blocks[2], rolled(images, 1, 1))   # down
    assert np.array_equal(blocks[3], rolled(images, -1, 2))  # left
    assert np.array_equal(blocks[4], rolled(images, 1, 2))   # right
    assert y_new.tolist() == [0, 1, 2] * 5


def test_one_pixel_moves_one_step():
    X = np.zeros((1, 28, 28), np.float32)
    X[0, 10, 12] = 1
    blocks = expand_data((X.reshape(1, 784), [7]))[0].reshape(5, 28, 28)
    where = [tuple(np.argwhere(block)[0]) for block in blocks]
    assert where == [(10, 12), (9, 12), (11, 12), (10, 11), (10, 13)]


def test_input_is_never_modified_and_types_are_kept():
    X, y = dots()
    X_before = X.copy()
    X_new, y_new = expand_data((X, y), rotations=(5,))
    assert np.array_equal(X, X_before) and not np.shares_memory(X_new, X)
    assert X_new.dtype == np.float32 and y_new.dtype == np.int64
    split = expand_data(MNISTSplit(X, y, one_hot=True, name="training"))
    assert isinstance(split, MNISTSplit) and split.one_hot and len(split) == 15
    assert split.name == "training (expanded)"


def test_the_book_expansion_of_the_training_set():
    # the first 5,000 MNIST images stand for the 50,000: the same code path, a tenth the time
    training = load_mnist(progress=False).training[:5000]
    expanded = expand_data(training)
    assert len(expanded) == 25_000 and expanded.X.shape == (25_000, 784)
    assert np.array_equal(expanded.X[:5_000], training.X)
    assert np.array_equal(expanded.y, np.tile(training.y, 5))
    assert expanded.X.min() == 0 and expanded.X.max() == 1
    shifted = expanded.X[5_000:].reshape(4, 5_000, 28, 28)
    assert all(not np.array_equal(block, training.X.reshape(-1, 28, 28)) for block in shifted)


def test_rotations_follow_the_shifts_one_block_per_angle():
    X, y = dots()
    X_new, y_new = expand_data((X, y), rotations=(0, 90))
    assert len(X_new) == 21 and y_new.tolist() == [0, 1, 2] * 7
    blocks = X_new.reshape(7, 3, 28, 28)
    assert np.array_equal(blocks[5], blocks[0])  # 0 degrees: the original
    anticlockwise = np.rot90(X.reshape(3, 28, 28), axes=(1, 2))
    assert np.allclose(blocks[6], anticlockwise, atol=1e-5)


def test_small_rotations_without_shifts():
    X, y = dots()
    X_new, _ = expand_data((X, y), shifts=False, rotations=(-10, 10))
    assert len(X_new) == 9
    centre = X.reshape(3, 28, 28)[:, 8:20, 8:20]
    for block in X_new.reshape(3, 3, 28, 28)[1:]:
        assert block.min() >= 0 and block.max() <= 1
        assert not np.allclose(block[:, 8:20, 8:20], centre)
        assert block.sum() == pytest.approx(X.sum(), rel=0.02)  # the ink stays in the frame


def test_rotated_pixels_stay_inside_0_1():
    training = load_mnist(progress=False).training[:200]
    X_new, _ = expand_data((training.X, training.y), shifts=False, rotations=(-10, 7, 13))
    assert X_new.min() >= 0.0 and X_new.max() <= 1.0
