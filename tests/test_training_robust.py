"""Training where a careless or curious learner would break it: clear errors, never silent.

Empty evaluation sets, zero epochs, an install where Numba cannot cache, absurd layer sizes
and batch sizes. Each test fails on code that scored an empty set 0%, crashed in the
progress bar's text, died inside Numba or allocated before refusing.
"""
import numpy as np
import pytest

from ch3_code import NN2
from ch3_code.internals import checks, compiled_epoch
from tests.blobs import QUIET, blobs

pytestmark = pytest.mark.filterwarnings("error")

EMPTY = (np.zeros((0, 6)), np.zeros(0, dtype=int))


def sgd(net, test_data=None, epochs=2, batch_size=10, **options):
    return net.stochastic_gradient_descent(blobs(m=30), test_data, epochs, batch_size, 0.5,
                                           **{**QUIET, **options})


@pytest.mark.parametrize("where", ["test_data", "evaluation_data"])
@pytest.mark.parametrize("empty", [EMPTY, []], ids=["arrays", "list"])
def test_an_empty_evaluation_set_is_refused_naming_it(where, empty):
    kwargs = {"test_data": empty} if where == "test_data" else {"evaluation_data": empty}
    with pytest.raises(ValueError, match=f"{where} is empty"
                                         + (f".*{where}=None" if empty is EMPTY else "")):
        sgd(NN2([6, 5, 3]), **kwargs)


def test_early_stopping_cannot_watch_an_empty_validation_set():
    with pytest.raises(ValueError, match="evaluation_data is empty"):
        sgd(NN2([6, 5, 3]), blobs(m=10), epochs=20, evaluation_data=EMPTY, early_stopping=2)


@pytest.mark.parametrize("method", ["accuracy", "total_cost", "accuracy_and_cost"])
def test_the_accuracy_or_cost_of_no_examples_is_refused(method):
    with pytest.raises(ValueError, match=f"{method}: data has no examples"):
        getattr(NN2([6, 5, 3]), method)(EMPTY)
    assert NN2([6, 5, 3]).evaluate(EMPTY) == 0      # a count of none is 0, not undefined


@pytest.mark.parametrize("fused_option", [None, False])
def test_zero_epochs_with_test_data_return_an_empty_history(fused_option, capsys):
    net = NN2([6, 5, 3])
    before = [w.copy() for w in net.weights]
    h = sgd(net, blobs(m=10), epochs=0, fused=fused_option, progress=True, verbose=True)
    assert h.status == "completed" and h["epoch"] == [] and h["test_accuracy"] == []
    assert capsys.readouterr().out.startswith("0 epochs")
    for a, b in zip(net.weights, before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(compiled_epoch.numba is None, reason="numba is not installed")
def test_without_a_writable_cache_folder_numba_compiles_uncached(monkeypatch):
    # a read-only install with an unwritable home: Numba finds no folder for its cache and
    # refuses to decorate (at import, "no locator available"); the epoch compiles uncached
    from numba.core import caching
    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])
    monkeypatch.setattr(compiled_epoch, "CACHE_PROBLEM", "")

    def add_one(x):
        return x + 1
    compiled = compiled_epoch._jit(add_one)
    assert compiled(1) == 2
    assert "no locator available" in compiled_epoch.CACHE_PROBLEM


@pytest.mark.skipif(compiled_epoch.numba is None, reason="numba is not installed")
def test_an_uncached_compiled_epoch_warns_once_with_the_two_ways_out(monkeypatch):
    monkeypatch.setattr(compiled_epoch, "CACHE_PROBLEM", "cannot cache function '_epoch': no locator "
                                                "available for file 'compiled_epoch.py'")
    monkeypatch.setattr(compiled_epoch, "_cache_warned", False)
    with pytest.warns(RuntimeWarning, match="NUMBA_CACHE_DIR.*fused=False") as caught:
        for _ in range(2):
            assert sgd(NN2([6, 5, 3])).config["fused"] is True
    assert len(caught) == 1 and caught[0].filename == __file__  # the learner's line
    sgd(NN2([6, 5, 3]), fused=False)                             # no warning: none needed


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_absurd_layer_sizes_are_refused_before_allocating(dtype, monkeypatch):
    def no_allocation(*args, **kwargs):
        raise AssertionError("allocated before refusing")
    monkeypatch.setattr(NN2, "_initialize", no_allocation)
    with pytest.raises(ValueError, match=r"layer_sizes=\[784, 100000000, 10\] means "
                                         r"79,500,000,010 weights .*memory. Use fewer neurons"):
        NN2([784, 10 ** 8, 10], dtype=dtype)


def test_the_bound_is_the_machines_memory(monkeypatch):
    monkeypatch.setattr(checks, "_physical_memory", lambda: 10 ** 9)
    with pytest.raises(ValueError, match="more than this machine's 1.0 GB of memory"):
        NN2([784, 100_000, 10])                  # 78.5 million parameters, 1.3 GB to train
    assert NN2([784, 30, 10]).n_parameters == 23_860


@pytest.mark.skipif(compiled_epoch.numba is None, reason="numba is not installed")
def test_a_huge_batch_size_on_the_compiled_epoch_is_one_batch_of_all_examples():
    nets = [NN2([6, 5, 3], rand_seed=3, dtype="float64") for _ in range(2)]
    for net, m in zip(nets, (10 ** 12, 30)):
        assert sgd(net, batch_size=m, fused=True).config["fused"] is True
    for a, b in zip(nets[0].weights + nets[0].biases, nets[1].weights + nets[1].biases):
        np.testing.assert_array_equal(a, b)
