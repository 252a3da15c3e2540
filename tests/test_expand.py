"""Tests of expand_data: the book's one-pixel shifts and the optional small rotations."""
import numpy as np
import pytest

from ch3_code.mnist import MNISTSplit, load_mnist
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


# --- the forms of data, and bad arguments (issue 28 case 5) -----------------------------------

def seed_pairs(X, y, one_hot=True):
    """The seed's list of (x, y) pairs: (784, 1) columns and one-hot (10, 1) columns or ints."""
    return [(x.reshape(784, 1).astype(np.float64), np.eye(10)[label].reshape(10, 1) if one_hot
             else int(label)) for x, label in zip(X, y)]


@pytest.mark.parametrize("one_hot", [True, False])
def test_the_seeds_list_of_pairs_gives_a_list_of_pairs_in_the_same_form(one_hot):
    X, y = dots()
    pairs = seed_pairs(X, y, one_hot)
    before = [(x.copy(), np.copy(t)) for x, t in pairs]
    expanded = expand_data(pairs, rotations=(10,))  # today: "too many values to unpack"
    X_new, y_new = expand_data((X, y), rotations=(10,))
    assert isinstance(expanded, list) and len(expanded) == len(X_new) == 18
    for (x, target), row, label in zip(expanded, X_new, y_new):
        assert x.shape == (784, 1) and np.array_equal(x[:, 0], row)
        if one_hot:
            assert target.shape == (10, 1) and target[label, 0] == 1 and target.sum() == 1
        else:
            assert type(target) is int and target == label
    assert all(np.array_equal(x, bx) and np.array_equal(t, bt)
               for (x, t), (bx, bt) in zip(pairs, before))


def test_two_pairs_are_not_mistaken_for_an_X_y_tuple():
    X, y = dots(2)
    expanded = expand_data(seed_pairs(X, y))  # today: X, y = pair 0, pair 1 (silently wrong)
    assert len(expanded) == 10 and expanded[1][1][1, 0] == 1


@pytest.mark.parametrize("X, match", [
    (np.zeros((3, 783)), r"data: images of shape \(3, 783\); expand_data moves 28x28 images, "
                         r"so give X of shape \(n, 784\)"),
    (np.zeros((3, 28, 28)), r"X.reshape\(len\(X\), 784\)"),
])
def test_images_of_the_wrong_shape_are_refused_naming_the_shape(X, match):
    with pytest.raises(ValueError, match=match):
        expand_data((X, np.arange(3)))


def test_a_bad_pair_list_or_labels_are_refused_clearly():
    X, y = dots()
    pairs = seed_pairs(X, y)
    pairs[1] = (np.zeros((783, 1)), pairs[1][1])
    with pytest.raises(ValueError, match="data: pair 1 has an x of 783 values"):
        expand_data(pairs)
    with pytest.raises(ValueError, match=r"data: images of shape \(3, 783\)"):
        expand_data([(np.zeros((783, 1)), 1)] * 3)
    with pytest.raises(ValueError, match=r"labels of shape \(3, 10\).*argmax"):
        expand_data((X, np.eye(10)[y]))  # one-hot rows: today silently tiled to (3, 50)
    with pytest.raises(TypeError, match=r"data is a ndarray of shape \(3, 784\); pass"):
        expand_data(X)  # the images without their labels


@pytest.mark.parametrize("rotations, error, match", [
    (10, TypeError, r"rotations=10: give a tuple of angles in degrees, .* or \(10,\) for one"),
    ("10", TypeError, "rotations='10': give a tuple of angles"),
    ((np.nan,), ValueError, "finite angles in degrees"),
    (((1, 2), (3, 4)), ValueError, "finite angles in degrees"),
])
def test_bad_rotations_are_refused_naming_the_argument_and_the_fix(rotations, error, match):
    with pytest.raises(error, match=match):
        expand_data(dots(), rotations=rotations)


def test_rotations_can_be_any_iterable_and_shifts_must_be_true_or_false():
    X, y = dots()
    assert len(expand_data((X, y), rotations=range(-10, 11, 10))[0]) == 3 * 8
    with pytest.raises(TypeError, match="shifts='no': give True"):
        expand_data((X, y), shifts="no")
    assert len(expand_data((X, y), shifts=0)[0]) == 3


def test_rotating_0_255_pixels_keeps_their_range():
    X, y = dots()
    X_new, _ = expand_data((255 * X, y), shifts=False, rotations=(10,))
    assert X_new[3:].max() > 200  # today: clipped to 1, every turned image black and white
