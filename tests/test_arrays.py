"""Tests for ch3_code.internals.arrays: the one place data is converted for the network."""
import numpy as np
import pytest

import ch3_code
from ch3_code.internals.arrays import as_arrays, one_hot


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


# --- values: issue 15 item 4 ------------------------------------------------------------------

@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_are_refused_naming_the_set_and_first_bad_row(bad):
    X, y = _data(n=8)
    X[5, 2] = bad
    X[7, 0] = bad
    with pytest.raises(ValueError, match=r"test_data: row 5 of the inputs holds .*2 rows"):
        as_arrays((X, y), 4, 3, name="test_data")


def test_non_finite_inputs_in_seed_pairs_are_refused():
    X, y = _data(n=4)
    X[3, 1] = np.nan
    pairs = [(x.reshape(4, 1), int(t)) for x, t in zip(X, y)]
    with pytest.raises(ValueError, match="training_data: row 3 of the inputs holds nan"):
        as_arrays(pairs, 4, 3, name="training_data")


def test_a_writeable_array_is_checked_again_on_every_call():
    """The skip for read-only arrays must not let NaN written after a first check through."""
    X, y = _data(n=8)
    as_arrays((X, y), 4, 3, name="test_data")
    X[6, 1] = np.nan
    with pytest.raises(ValueError, match="test_data: row 6 of the inputs holds nan"):
        as_arrays((X, y), 4, 3, name="test_data")


def test_a_read_only_array_is_looked_at_once_and_a_new_one_again(monkeypatch):
    """MNIST's splits are read-only: evaluating them each epoch skips the min/max pass."""
    from ch3_code.internals import arrays
    scans = []
    real_range = arrays._range
    monkeypatch.setattr(arrays, "_range", lambda X: scans.append(X.shape) or real_range(X))
    X, y = _data(n=8, dtype=np.float32)
    X.flags.writeable = False
    for _ in range(3):
        as_arrays((X, y), 4, 3)
    assert len(scans) == 1
    as_arrays((X[:5], y[:5]), 4, 3)      # another part of the same memory: checked
    X2, y2 = _data(n=8, dtype=np.float32, seed=1)
    as_arrays((X2, y2), 4, 3)            # writeable: checked every time
    as_arrays((X2, y2), 4, 3)
    assert len(scans) == 4


def test_huge_finite_inputs_are_not_mistaken_for_infinity():
    X, y = _data(n=3, dtype=np.float32)
    X[:] = -np.finfo(np.float32).max  # the sum would overflow; min and max do not
    out, _ = as_arrays((X, y), 4, 3)
    assert np.all(np.isfinite(out))


def test_inputs_that_look_like_raw_pixels_get_a_warning():
    _, y = _data()
    with pytest.warns(UserWarning, match=r"validation: inputs range from 0 to 255.*divide them "
                                         "by 255") as record:
        as_arrays((np.tile(np.arange(4) * 85.0, (6, 1)), y), 4, 3, name="validation")
    assert record[0].filename == __file__  # points at the caller, not into ch3_code


def test_scaled_or_centred_inputs_give_no_warning(recwarn):
    X, y = _data()
    as_arrays((X, y), 4, 3)  # in [0, 1]
    as_arrays((X - 0.5, y), 4, 3)  # centred: negative values, not raw pixels
    as_arrays((3 * (X - 0.5), y), 4, 3)
    assert len(recwarn) == 0


def test_bool_labels_are_refused():
    X, y = _data()
    with pytest.raises(TypeError, match=r"data: labels are True/False \(dtype bool\)"):
        as_arrays((X, y > 0), 4, 3)
    pairs = [(x.reshape(4, 1), bool(t)) for x, t in zip(X, y)]
    with pytest.raises(TypeError, match="bool"):
        as_arrays(pairs, 4, 3)


# --- unclear forms: issue 15 item 12 ----------------------------------------------------------

def test_string_labels_are_refused_naming_the_argument():
    X, y = _data()
    with pytest.raises(TypeError, match=r"training_data: labels have dtype <U\d+; pass integer "
                                        r"class labels 0\.\.2"):
        as_arrays((X, y.astype(str)), 4, 3, name="training_data")
    pairs = [(x.reshape(4, 1), str(t)) for x, t in zip(X, y)]
    with pytest.raises(TypeError, match="training_data: pair 0 has the target '.*integer labels"):
        as_arrays(pairs, 4, 3, name="training_data")


def test_string_inputs_are_refused():
    X, y = _data()
    with pytest.raises(TypeError, match="data: inputs have dtype <U"):
        as_arrays((X.astype(str), y), 4, 3)


def test_ragged_pairs_name_the_first_odd_pair():
    X, y = _data(n=5)
    pairs = [(x.reshape(4, 1), int(t)) for x, t in zip(X, y)]
    pairs[3] = (X[3, :3].reshape(3, 1), int(y[3]))
    with pytest.raises(ValueError, match="test_data: pair 3 has an x of 3 values but pair 0 has 4"):
        as_arrays(pairs, 4, 3, name="test_data")


def test_pairs_mixing_labels_and_one_hot_targets_are_refused():
    X, y = _data(n=4)
    pairs = [(x.reshape(4, 1), one_hot(np.array([t]), 3).T) for x, t in zip(X, y)]
    pairs[2] = (pairs[2][0], int(y[2]))
    with pytest.raises(ValueError, match=r"data: pair 2 has a target of shape \(\) but pair 0 one "
                                         r"of shape \(3, 1\); give every pair the same form"):
        as_arrays(pairs, 4, 3)
    pairs = [(x.reshape(4, 1), int(t)) for x, t in zip(X, y)]
    pairs[1] = (pairs[1][0], one_hot(np.array([y[1]]), 3).T)
    with pytest.raises(ValueError, match="pair 1 has a target of shape"):
        as_arrays(pairs, 4, 3)


def test_items_that_are_not_pairs_are_refused():
    X, y = _data(n=3)
    triples = [(x.reshape(4, 1), int(t), 0) for x, t in zip(X, y)]
    with pytest.raises(TypeError, match=r"data: item 0 is a tuple, not an \(x, y\) pair"):
        as_arrays(triples, 4, 3)
    with pytest.raises(TypeError, match=r"an \(X, y\) tuple must hold numpy arrays"):
        as_arrays((X.tolist(), y.tolist()), 4, 3)
    with pytest.raises(TypeError, match="data is a str"):
        as_arrays("mnist", 4, 3)
    with pytest.raises(TypeError, match="got int"):
        as_arrays(3, 4, 3)


@pytest.mark.parametrize("which", ["training_data", "test_data", "evaluation_data"])
def test_training_refuses_nan_in_any_set_naming_it_not_diverged(which):
    """Issue 15 item 4: NaN in the data is the data's fault, not a too-large eta."""
    sets = {name: _data(n=10, seed=i) for i, name in enumerate(
        ["training_data", "test_data", "evaluation_data"])}
    sets[which][0][4, 1] = np.nan
    net = ch3_code.NN2([4, 3, 3], rand_seed=0)
    with pytest.raises(ValueError, match=f"{which}: row 4 of the inputs holds nan"):
        net.stochastic_gradient_descent(sets["training_data"], sets["test_data"], epochs=1,
                                        batch_size=5, eta=0.1, progress=False, verbose=False,
                                        evaluation_data=sets["evaluation_data"])
