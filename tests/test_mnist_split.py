"""MNISTSplit in its own module (ch3_code/mnist/split.py): still one class under every old
name, and a split pickled when it lived in mnist/load.py still unpickles. Tiny made-up data."""
import pickle

import numpy as np
import pytest

import ch3_code
from ch3_code.internals.pixels import PixelStore
from ch3_code.mnist import load, split


def made_up(n=6, seed=0):
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(n, 784), dtype=np.uint8)
    pixels.flags.writeable = False
    return pixels, rng.integers(0, 10, size=n)


def test_every_path_names_the_one_class():
    from ch3_code import data  # the oldest name of mnist/load.py, forwarded by _moved
    assert (ch3_code.MNISTSplit is ch3_code.mnist.MNISTSplit is load.MNISTSplit
            is data.MNISTSplit is split.MNISTSplit)
    assert load.MNIST.__annotations__["training"] is split.MNISTSplit


@pytest.mark.parametrize("module", [b"ch3_code.mnist.load", b"ch3_code.data"])
@pytest.mark.parametrize("from_bytes", [True, False])
def test_a_split_pickled_under_the_old_module_unpickles(module, from_bytes):
    pixels, y = made_up()
    if from_bytes:
        made = split.MNISTSplit._of_pixels(PixelStore(pixels), 1, 5, y[1:5], True, "t")
    else:
        made = split.MNISTSplit(pixels[1:5] / 255, y[1:5], one_hot=True, name="t")
    text = pickle.dumps(made, protocol=0)
    assert b"ch3_code.mnist.split\n_rebuild" in text
    again = pickle.loads(text.replace(b"ch3_code.mnist.split\n", module + b"\n"))
    assert isinstance(again, ch3_code.MNISTSplit)
    assert np.array_equal(again.X, made.X) and np.array_equal(again.y, made.y)
    assert (again.one_hot, again.name, again.pixels is None) == (True, "t", not from_bytes)
