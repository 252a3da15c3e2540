"""ch3_code.run and registry experiments' run / changed / run_many, on tiny synthetic data."""
import numpy as np
import pytest

import ch3_code
from ch3_code import experiment, registry
from ch3_code.mnist import MNISTSplit


def split(n, seed, name):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 784), dtype=np.float32)
    return MNISTSplit(X, rng.integers(0, 10, n), one_hot=name == "training", name=name)


DATA = (split(40, 0, "training"), split(20, 1, "validation"), split(20, 2, "test"))
TINY = dict(n=30, epochs=2, layer_sizes=[784, 6, 10], progress=False, verbose=False)


@pytest.fixture
def tiny_mnist(monkeypatch):
    """ch3_code.run loads these three splits instead of MNIST."""
    monkeypatch.setattr(experiment, "load_mnist", lambda progress=True: DATA)


def test_run_returns_a_history_that_carries_its_trained_network():
    history = ch3_code.run(**TINY, eta=0.5, seed=4, data=DATA)
    assert isinstance(history.net, ch3_code.NN2)
    assert history.net.layer_sizes == [784, 6, 10]
    assert history["test_accuracy"][-1] == history.net.accuracy(DATA[2])
    assert history.config["n"] == 30 and history.config["epochs"] == 2


def test_registry_run_is_the_book_configuration_with_changes_on_top(tiny_mnist):
    exp = registry.get("L2-50k")
    history = exp.run(**TINY, eta=0.25)
    config = history.config
    assert (config["eta"], config["lmbda"], config["batch_size"]) == (0.25, 5.0, 10)
    assert history.net.rand_seed == exp.seed  # the registry's seed, not NN2's default
    assert history.net.cost.__name__ == "CrossEntropyCost"
    assert len(history["train_accuracy"]) == 2  # monitored as the book's figure is
    assert exp.run(**TINY, seed=7).net.rand_seed == 7


def test_changed_copy_keeps_the_entry_and_changes_the_run(tiny_mnist):
    exp = registry.get("L2-50k")
    copy = exp.changed(lmbda=0.1)
    assert copy.config["lmbda"] == 0.1 and exp.config["lmbda"] == 5.0
    assert copy.id == exp.id and copy.quantities == exp.quantities
    assert copy.run(**TINY).config["lmbda"] == 0.1


@pytest.mark.parametrize("call", [
    lambda: registry.get("L2-50k").run(lmbd=1.0),
    lambda: registry.get("L2-50k").changed(lmbd=1.0),
    lambda: ch3_code.run(lmbd=1.0, data=DATA),
])
def test_an_unknown_setting_is_refused_naming_it(call):
    with pytest.raises(TypeError, match="'lmbd'"):
        call()


def test_a_multi_run_experiment_asks_which_run(tiny_mnist):
    exp = registry.get("INIT-30")
    with pytest.raises(ValueError, match="'large'.*init"):
        exp.run(**TINY)
    assert exp.run("default", **TINY).config["eta"] == 0.1


def test_run_many_runs_them_in_order_each_with_its_net(tiny_mnist):
    exp = registry.get("INIT-30")
    histories = registry.run_many([(exp.changed(**TINY), "large"),
                                   exp.changed(**TINY, init="default", eta=0.3)], n_jobs=1)
    assert [h.config["eta"] for h in histories] == [0.1, 0.3]
    large = exp.run("large", **TINY)
    assert histories[0]["evaluation_accuracy"] == large["evaluation_accuracy"]
    assert all(isinstance(h.net, ch3_code.NN2) for h in histories)


def _old_chapter_01(exp_id, epochs, data):
    """Chapter 01's run_experiment as it was, on ``data`` and the first 30 images."""
    training_data, _, test_data = data
    exp = registry.get(exp_id)
    net = exp.network()
    settings = {**exp.sgd_kwargs(), "epochs": epochs}
    return net, net.stochastic_gradient_descent(training_data[:30], test_data, **settings,
                                                progress=False, verbose=False)


def _old_chapter_03(layer_sizes, n, epochs, eta, lmbda, seed, expand, data):
    """Chapter 03's run as it was, for an expanded, L1-regularised run monitored on both."""
    training_data, validation_data, test_data = data
    X, y = ch3_code.expand_data((training_data[:n].X, training_data[:n].y), **expand)
    net = ch3_code.NN2(layer_sizes, rand_seed=seed)
    net.large_weight_initializer()
    return net, net.stochastic_gradient_descent(
        (np.clip(X, 0.0, 1.0, out=X), y), test_data, epochs, 10, eta, lmbda=lmbda,
        evaluation_data=validation_data, regularization="L1", progress=False, verbose=False)


def test_the_same_numbers_as_the_chapters_old_helpers():
    net, old = _old_chapter_01("CE-30", 2, DATA)
    new = registry.get("CE-30").run(**dict(TINY, layer_sizes=[784, 30, 10]), data=DATA)
    assert new["test_accuracy"] == old["test_accuracy"]
    assert all(np.array_equal(a, b) for a, b in zip(new.net.weights, net.weights))

    args = dict(layer_sizes=[784, 6, 10], n=8, epochs=2, eta=0.5, lmbda=0.1, seed=2,
                expand=dict(rotations=(-10, 10)))
    net, old = _old_chapter_03(**args, data=DATA)
    new = ch3_code.run(**args, init="large", monitor="both", regularization="L1",
                       progress=False, verbose=False, data=DATA)
    assert new["evaluation_accuracy"] == old["evaluation_accuracy"]
    assert all(np.array_equal(a, b) for a, b in zip(new.net.weights, net.weights))


def test_cost_falls_is_the_books_threshold_test(monkeypatch):
    """True below the threshold, False far above it, on a tiny synthetic set."""
    import numpy as np

    import ch3_code
    from ch3_code import experiment

    rng = np.random.default_rng(0)
    X, y = rng.random((60, 784), dtype=np.float32), rng.integers(0, 10, size=60)
    monkeypatch.setattr(experiment, "load_mnist", lambda progress=False: ((X, y), None, None))
    assert ch3_code.cost_falls(0.1, n=60, epochs=2)
    assert not ch3_code.cost_falls(1e4, n=60, epochs=2)
