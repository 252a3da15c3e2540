"""MNIST kept as bytes (ch3_code.internals.pixels): the same numbers as float32 images, less memory."""
import pickle
import subprocess
import sys

import numpy as np
import pytest

import ch3_code
from ch3_code.internals.pixels import PixelRows, PixelStore, lookup_table, to_floats

ALL_BYTES = np.arange(256, dtype=np.uint8)


def test_every_byte_becomes_the_float_the_division_gives():
    """x = p / 255 correctly rounded: multiplying by 1/255 instead differs for 126 bytes."""
    exact = (ALL_BYTES.astype(np.float64) / 255).astype(np.float32)
    assert np.array_equal(to_floats(ALL_BYTES), exact)
    assert np.array_equal(lookup_table(np.float32), exact)
    assert np.array_equal(lookup_table(np.float64), exact.astype(np.float64))
    assert np.array_equal(PixelRows(ALL_BYTES.reshape(1, 256), np.float64)[0], exact)


def test_a_store_computes_only_the_rows_asked_for_and_shares_them():
    raw = np.random.default_rng(0).integers(0, 256, (1000, 784), dtype=np.uint8)
    store = PixelStore(raw)
    a = store.floats(10, 20)
    assert store.computed_rows() == 10
    b = store.floats(0, 1000)
    assert store.computed_rows() == 1000
    assert np.shares_memory(a, b) and np.array_equal(b, to_floats(raw))
    with pytest.raises(ValueError, match="WRITEABLE"):
        b.setflags(write=True)
    with pytest.raises(ValueError, match="WRITEABLE"):
        b.base.setflags(write=True)


def test_loaded_splits_keep_bytes_and_share_their_floats(mnist):
    training, validation, test = mnist
    assert training.pixels.dtype == np.uint8 and training.pixels.shape == (50_000, 784)
    assert not training.pixels.flags.writeable
    assert np.array_equal(validation.X[:5], to_floats(validation.pixels[:5]))
    assert np.shares_memory(training[10:20].X, training.X)
    picked = training[np.array([7, 3])]
    assert np.array_equal(picked.X, training.X[[7, 3]]) and picked.y.tolist() == \
        training.y[[7, 3]].tolist()
    assert MNISTSplitFromArrays(mnist).pixels is None


def MNISTSplitFromArrays(mnist):
    return ch3_code.mnist.MNISTSplit(mnist.test.X[:3], mnist.test.y[:3])


def test_a_pickled_split_travels_as_bytes(mnist):
    part = mnist.training[:2000]
    size = len(pickle.dumps(part))
    assert size < 2000 * 784 * 1.2            # bytes, not 4-byte floats
    again = pickle.loads(pickle.dumps(part))
    assert np.array_equal(again.X, part.X) and np.array_equal(again.y, part.y)
    assert again.one_hot == part.one_hot and again.name == part.name


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fused", [True, False])
def test_training_on_the_bytes_gives_the_same_run_as_on_the_floats(mnist, dtype, fused):
    """Bit for bit, with L2 and momentum, for the compiled epoch and NumPy's step; and
    training reads the bytes: none of the training rows' floats are made."""
    training = ch3_code.mnist.load_mnist(progress=False).training[:1500]
    store = training._store
    rows_before = store.computed_rows()
    runs = []
    arrays = (np.array(mnist.training.X[:1500]), mnist.training.y[:1500])
    for data in (training, arrays):
        net = ch3_code.NN2([784, 20, 10], dtype=dtype)
        history = net.stochastic_gradient_descent(
            data, mnist.test[:300], 2, 10, 0.5, lmbda=2.0, momentum=0.4,
            monitoring=True, progress=False, verbose=False, fused=fused)
        if data is training:
            assert store.computed_rows() == rows_before
        runs.append((net.weights + net.biases, history))
    (params, history), (params_f, history_f) = runs
    assert history.config["fused"] == fused
    assert all(np.array_equal(p, q) for p, q in zip(params, params_f))
    for key in ("train_cost", "train_accuracy", "test_cost", "test_accuracy"):
        assert history[key] == history_f[key], key


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/status")
def test_a_monitored_50k_run_peaks_under_400_MB():
    """Issue 14's memory target, measured as the benchmark does (peak RSS of a child that
    loads MNIST and trains with every monitor). With float32 images it peaked at 411 MB.
    VmHWM, not ru_maxrss: Linux carries into ru_maxrss the size of the process before
    exec, the forked copy of this test process."""
    code = ("import ch3_code\n"
            "tr, va, te = ch3_code.load_mnist(progress=False)\n"
            "net = ch3_code.NN2([784, 30, 10])\n"
            "net.stochastic_gradient_descent(tr, te, 1, 10, 0.5, monitoring=True, "
            "evaluation_data=va, progress=False, verbose=False)\n"
            "print([l.split()[1] for l in open('/proc/self/status') "
            "if l.startswith('VmHWM')][0])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    peak_mb = int(out.stdout.split()[-1]) / 1024
    assert peak_mb < 400, f"peak {peak_mb:.0f} MB"
