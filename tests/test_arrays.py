"""Tests for ch3_code.arrays: the one place data is converted for the network."""
import numpy as np
import pytest

from ch3_code.arrays import as_arrays, one_hot


def _data(n=6, n_in=4, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)).astype(dtype), rng.integers(0, 3, n)


def test_dtype_none_keeps_float32_and_turns_other_input_into_float64():
    X32, y = _data(dtype=np.float32)
    assert as_arrays((X32, y), 4, 3)[0].dtype == np.float32
    X_int = (X32 > 0.5).astype(np.int64)
    assert as_arrays((X_int, y), 4, 3)[0].dtype == np.float64


@pytest.mark.parametrize("dtype", ["float32", np.float64, np.dtype("float32")])
def test_dtype_gives_inputs_in_that_dtype(dtype):
    X, y = _data(dtype=np.float64)
    out, labels = as_arrays((X, y), 4, 3, dtype=dtype)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out, X, rtol=1e-6)
    assert labels.dtype == np.int64


def test_dtype_that_already_matches_is_not_copied():
    X, y = _data(dtype=np.float32)
    out, _ = as_arrays((X, y), 4, 3, dtype="float32")
    assert np.shares_memory(out, X) and not out.flags.writeable
    assert X.flags.writeable  # the caller's array is untouched


def test_pairs_are_converted_to_the_dtype():
    X, y = _data()
    pairs = [(x.reshape(4, 1), int(t)) for x, t in zip(X, y)]
    out, labels = as_arrays(pairs, 4, 3, dtype="float32")
    assert out.dtype == np.float32 and labels.tolist() == y.tolist()


def test_one_hot_dtype():
    labels = np.array([2, 0, 1])
    Y = one_hot(labels, 3)
    assert Y.dtype == np.float64
    Y32 = one_hot(labels, 3, dtype=np.float32)
    assert Y32.dtype == np.float32
    np.testing.assert_array_equal(Y32, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
