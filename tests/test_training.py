"""Training: the update rules, the options, the history, the seed page's bugs, bad input."""
import copy
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ch3_code
from ch3_code import NN2
from ch3_code.internals.arrays import one_hot

from blobs import QUIET, blobs  # tests/blobs.py

pytestmark = pytest.mark.filterwarnings("error")


def test_one_full_batch_step_is_the_l2_update():
    """w -> (1 - eta lmbda / n) w - eta * dC0/dw, b -> b - eta * dC0/db."""
    data = blobs(m=20)
    net = NN2([6, 5, 3], rand_seed=0, dtype="float64")
    before = copy.deepcopy(net)
    eta, lmbda = 0.3, 2.0
    nabla_b, nabla_w = before.cost_gradient(data)  # unregularised mean gradient
    net.stochastic_gradient_descent(data, None, 1, 20, eta, lmbda, **QUIET)
    for l in range(2):
        decay = 1 - eta * lmbda / 20
        assert np.allclose(net.weights[l], decay * before.weights[l] - eta * nabla_w[l], atol=1e-12)
        assert np.allclose(net.biases[l], before.biases[l] - eta * nabla_b[l], atol=1e-12)


def test_one_full_batch_step_is_the_l1_update():
    """w -> w - (eta lmbda / n) sgn(w) - eta * dC0/dw."""
    data = blobs(m=20)
    net = NN2([6, 5, 3], rand_seed=0, dtype="float64")
    before = copy.deepcopy(net)
    _, nabla_w = before.cost_gradient(data)
    net.stochastic_gradient_descent(data, None, 1, 20, 0.3, 2.0, regularization="L1", **QUIET)
    for l in range(2):
        expected = before.weights[l] - 0.3 * 2.0 / 20 * np.sign(before.weights[l]) - 0.3 * nabla_w[l]
        assert np.allclose(net.weights[l], expected, atol=1e-12)


def test_momentum_follows_the_velocity_equations():
    """v -> mu v - eta grad C, w -> w + v, over two full-batch steps."""
    data = blobs(m=20)
    net = NN2([6, 5, 3], rand_seed=0, dtype="float64")
    ref = copy.deepcopy(net)
    mu, eta, lmbda = 0.8, 0.2, 1.0
    net.stochastic_gradient_descent(data, None, 2, 20, eta, lmbda, momentum=mu, **QUIET)
    v = [np.zeros_like(p) for p in ref.weights + ref.biases]
    for _ in range(2):
        grad_b, grad_w = ref.cost_gradient(data, lmbda, n=20)
        v = [mu * vi - eta * g for vi, g in zip(v, grad_w + grad_b)]
        params = [p + vi for p, vi in zip(ref.weights + ref.biases, v)]
        ref.weights, ref.biases = params[:2], params[2:]
    for p, r in zip(net.weights + net.biases, ref.weights + ref.biases):
        assert np.allclose(p, r, atol=1e-12)


def test_same_seed_same_history_different_seed_differs():
    data = blobs()
    runs = [NN2([6, 8, 3], rand_seed=s).stochastic_gradient_descent(
        data, data, 4, 10, 0.5, monitoring=True, dropout=0.2, **QUIET) for s in (1, 1, 2)]
    keys = ["train_cost", "test_cost", "train_accuracy", "test_accuracy"]
    assert all(runs[0][k] == runs[1][k] for k in keys)
    assert runs[0]["train_cost"] != runs[2]["train_cost"]


def test_callers_data_is_not_shuffled_or_modified():
    """Seed bug: rng.shuffle(training_data) reordered the caller's list."""
    X, labels = blobs(m=50)
    pairs = [(x.reshape(6, 1), one_hot(np.array([y]), 3).T) for x, y in zip(X, labels)]
    snapshot = [(x.copy(), y.copy()) for x, y in pairs]
    ids = [id(p) for p in pairs]
    X_copy, labels_copy = X.copy(), labels.copy()
    net = NN2([6, 5, 3])
    net.stochastic_gradient_descent(pairs, (X, labels), 3, 7, 0.5, monitoring=True, dropout=0.5, **QUIET)
    net.stochastic_gradient_descent((X, labels), pairs, 3, 7, 0.5, **QUIET)
    assert [id(p) for p in pairs] == ids
    assert all(np.array_equal(x, sx) and np.array_equal(y, sy) for (x, y), (sx, sy) in zip(pairs, snapshot))
    assert np.array_equal(X, X_copy) and np.array_equal(labels, labels_copy)
    assert X.flags.writeable


def test_history_is_returned_without_monitoring():
    """Seed bug: without monitoring the seed returned None."""
    data = blobs()
    h = NN2([6, 5, 3]).stochastic_gradient_descent(data, data, 3, 10, 0.5, **QUIET)
    assert isinstance(h, dict) and h["epoch"] == [0, 1, 2] and len(h["test_accuracy"]) == 3
    assert h["train_cost"] == [] and len(h["runtime_seconds"]) == 3


def test_monitored_costs_are_means_with_the_training_n_penalty():
    """Seed bug: self.cost_func did not exist; costs were neither averaged nor regularised consistently."""
    train, test = blobs(m=60, seed=1), blobs(m=30, seed=2)
    net = NN2([6, 5, 3], rand_seed=0, dtype="float64")
    h = net.stochastic_gradient_descent(train, test, 2, 10, 0.5, lmbda=3.0, monitoring=True, **QUIET)
    penalty = 0.5 * 3.0 / 60 * sum(float((w ** 2).sum()) for w in net.weights)
    assert h["train_cost"][-1] == pytest.approx(net.total_cost(train, 3.0))
    assert h["test_cost"][-1] == pytest.approx(net.total_cost(test, 3.0, n=60))
    assert h["test_cost"][-1] == pytest.approx(net.total_cost(test) + penalty)
    assert h["train_accuracy"][-1] == net.evaluate(train) / 60


def test_evaluation_data_is_separate_from_test_data():
    train, val, test = blobs(m=60, seed=1), blobs(m=30, seed=2), blobs(m=40, seed=3)
    net = NN2([6, 5, 3])
    h = net.stochastic_gradient_descent(train, test, 2, 10, 0.5, evaluation_data=val, monitoring=True, **QUIET)
    assert h["evaluation_accuracy"][-1] == net.evaluate(val) / 30
    assert h["test_accuracy"][-1] == net.evaluate(test) / 40
    assert h.watched == "evaluation_accuracy"
    assert "best validation accuracy" in h.summary()
    assert "best test accuracy" in h.summary("test_accuracy")
    h2 = net.stochastic_gradient_descent(train, test, 1, 10, 0.5, monitoring=["train_cost"], **QUIET)
    assert h2["train_cost"] and h2["test_accuracy"] and not h2["train_accuracy"]


def test_early_stopping_records_and_restores_the_best_epoch():
    train, val = blobs(m=80, seed=1, noise=2.5), blobs(m=80, seed=2, noise=2.5)
    net = NN2([6, 30, 3], rand_seed=0)
    h = net.stochastic_gradient_descent(train, None, 200, 10, 1.0, evaluation_data=val, early_stopping=5,
                                        restore_best=True, **QUIET)
    best_epoch, best = h.best()
    assert h.status == "early-stopped" and h["epoch"][-1] == best_epoch + 5 < 200
    assert net.evaluate(val) / 80 == best
    assert "no improvement in 5 epochs" in h.summary() and f"restored from epoch {best_epoch}" in h.summary()


def test_learning_rate_schedule_halves_and_stops_at_the_floor():
    train, val = blobs(m=80, seed=1, noise=2.5), blobs(m=80, seed=2, noise=2.5)
    net = NN2([6, 10, 3], rand_seed=0)
    h = net.stochastic_gradient_descent(train, None, 500, 10, 0.8, evaluation_data=val, eta_patience=2,
                                        **QUIET)
    etas = sorted(set(h["eta"]), reverse=True)
    assert h.status == "eta-floor"
    assert etas == [0.8 / 2 ** k for k in range(len(etas))] and len(etas) == 7  # 0.8 ... 0.8/64
    assert "eta fell to 0.00625" in h.message


def test_callback_sees_every_epoch_and_can_stop_the_run():
    data = blobs()
    norms = []

    def log_norm(net, history):
        norms.append((history["epoch"][-1], float(np.linalg.norm(net.weights[0]))))
        return history["epoch"][-1] == 2
    h = NN2([6, 5, 3]).stochastic_gradient_descent(data, data, 10, 10, 0.5, callback=log_norm, **QUIET)
    assert [e for e, _ in norms] == [0, 1, 2] and h["epoch"] == [0, 1, 2]
    assert h.status == "stopped" and "stopped by the callback after epoch 2" in h.summary()


def test_a_callback_that_stops_at_the_best_epoch_keeps_that_epochs_weights():
    """restore_best with a callback stop: the weights are those of the best epoch, which the
    message names (the rules still see the stopping epoch's score)."""
    train, val = blobs(m=80, seed=1, noise=2.5), blobs(m=80, seed=2, noise=2.5)
    seen = []

    def stop_at_a_new_best(net, history):
        seen.append([w.copy() for w in net.weights])
        scores = history["evaluation_accuracy"]
        return len(scores) >= 3 and scores[-1] > max(scores[:-1])
    net = NN2([6, 30, 3], rand_seed=0)
    h = net.stochastic_gradient_descent(train, None, 30, 10, 0.1, evaluation_data=val,
                                        restore_best=True, callback=stop_at_a_new_best, **QUIET)
    assert h.status == "stopped" and h.best()[0] == h["epoch"][-1] >= 2
    assert f"restored from epoch {h['epoch'][-1]}" in h.message
    for now, at_stop in zip(net.weights, seen[-1]):
        np.testing.assert_array_equal(now, at_stop)


def test_interrupted_run_returns_its_history(monkeypatch):
    """Seed bug: KeyboardInterrupt returned None and lost the history."""
    data = blobs()
    net = NN2([6, 5, 3])
    calls = {"n": 0}
    backprop = net.gradient

    def interrupt_in_epoch_three(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2 * 20 + 5:  # 20 mini-batches per epoch
            raise KeyboardInterrupt
        return backprop(*args, **kwargs)
    monkeypatch.setattr(net, "gradient", interrupt_in_epoch_three)
    with pytest.raises(KeyboardInterrupt, match="interrupted in epoch 2"):
        net.stochastic_gradient_descent(data, data, 10, 10, 0.5, monitoring=True, fused=False,
                                        **QUIET)
    h = net.history
    assert h.status == "interrupted" and h["epoch"] == [0, 1] and len(h["train_cost"]) == 2


def test_interrupt_during_a_compiled_epoch_puts_back_the_last_completed_weights(monkeypatch):
    """Ctrl-C reaches Python when a compiled epoch returns: the half-copied weights go back."""
    from ch3_code.internals import compiled_epoch
    data = blobs()
    net = NN2([6, 5, 3])
    kept = {}
    epoch = compiled_epoch.FusedEpoch.__call__

    def interrupt_in_epoch_three(self, order, eta):
        kept.setdefault(len(net.history["epoch"]),
                        [w.copy() for w in net.weights + net.biases])
        if len(net.history["epoch"]) == 2:
            net.biases[1] += 1.0  # what an epoch cut short may leave behind
            raise KeyboardInterrupt
        return epoch(self, order, eta)
    monkeypatch.setattr(compiled_epoch.FusedEpoch, "__call__", interrupt_in_epoch_three)
    with pytest.raises(KeyboardInterrupt, match="interrupted in epoch 2"):
        net.stochastic_gradient_descent(data, data, 10, 10, 0.5, monitoring=True, **QUIET)
    h = net.history
    assert h.status == "interrupted" and h["epoch"] == [0, 1] and h.config["fused"]
    for now, after_epoch_1 in zip(net.weights + net.biases, kept[2]):
        np.testing.assert_array_equal(now, after_epoch_1)


def test_diverging_run_stops_warns_and_returns_its_history():
    data = blobs()
    net = NN2([6, 5, 3], cost="quadratic", output_activation="linear", activation="relu")
    with pytest.warns(ch3_code.DivergenceWarning, match="diverged in epoch"):
        h = net.stochastic_gradient_descent(data, data, 50, 10, 0.1, momentum=1.5, allow_unstable_momentum=True,
                                            **QUIET)
    assert h.status == "diverged" and h.stopped_epoch == len(h["epoch"]) < 50
    assert "lower momentum" in h.summary()


def test_summary_line_and_best_final():
    data = blobs()
    h = NN2([6, 5, 3]).stochastic_gradient_descent(data, data, 5, 10, 0.5, monitoring=True, **QUIET)
    assert re.fullmatch(r"5 epochs, \d+\.\d s: best test accuracy \d+\.\d\d% \(epoch \d\), final \d+\.\d\d%",
                        h.summary())
    assert h.final() == (4, h["test_accuracy"][-1])
    assert h.best("test_cost")[1] == min(h["test_cost"])
    with pytest.raises(ValueError, match="no values recorded for 'evaluation_cost'"):
        h.best("evaluation_cost")


def test_progress_bar_works_outside_jupyter(capsys):
    """Seed bug: pbar.container.children[1] crashed outside a notebook."""
    data = blobs()
    h = NN2([6, 5, 3]).stochastic_gradient_descent(data, data, 3, 10, 0.5)
    out, err = capsys.readouterr()
    assert out.strip() == h.summary()
    assert "3/3" in err and "test acc" in err
    NN2([6, 5, 3]).stochastic_gradient_descent(data, data, 3, 10, 0.5, progress=False, verbose=False)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("kwargs,match", [
    (dict(epochs=-1), "epochs=-1"), (dict(epochs=2.5), "epochs=2.5"),
    (dict(batch_size=0), "batch_size=0"), (dict(eta=0), "eta=0"), (dict(eta=-0.5), "eta=-0.5"),
    (dict(eta=float("nan")), "eta=nan"), (dict(lmbda=-1.0), "lmbda=-1.0"),
    (dict(dropout=1.0), "dropout=1.0"), (dict(dropout=-0.1), "dropout=-0.1"),
    (dict(momentum=1.0), "momentum=1.0"), (dict(momentum=-0.2), "momentum=-0.2"),
    (dict(regularization="L3"), "regularization='L3'"), (dict(early_stopping=0), "early_stopping=0"),
    (dict(monitoring=["train_acc"]), "unknown names"),
    (dict(monitoring=["evaluation_cost"]), "matching data was not passed"),
    (dict(eta_patience=3, test_data=None), "evaluation_data or test_data to watch"),
])
def test_bad_training_arguments(kwargs, match):
    args = dict(training_data=blobs(), test_data=blobs(seed=1), epochs=1, batch_size=10, eta=0.5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=re.escape(match) if "=" in match else match):
        NN2([6, 5, 3]).stochastic_gradient_descent(**args, **QUIET)


def test_no_network_given():
    with pytest.raises(TypeError, match="train needs a network to train, got None"):
        ch3_code.train(None, blobs(), None, 1, 10, 0.5, **QUIET)


def test_seed_page_calls_run_unchanged(mnist):
    """The seed notebook: load_mnist_from_web, NN2(..., activation="sigmoid", rand_seed=3), monitoring."""
    training_data, test_data = ch3_code.load_mnist_from_web()
    net = ch3_code.NN2(layer_sizes=[784, 30, 10], activation="sigmoid", rand_seed=3)
    res = net.stochastic_gradient_descent(training_data=training_data[:1000], test_data=test_data[:2000],
                                          epochs=3, batch_size=10, eta=0.5, monitoring=True, progress=False)
    for key in ("epoch", "runtime_seconds", "train_accuracy", "test_accuracy", "train_cost", "test_cost"):
        assert len(res[key]) == 3
    assert 0.5 < res["test_accuracy"][-1] <= 1.0 and res["train_cost"][-1] < res["train_cost"][0]


def test_mnist_at_eta_10_has_no_runtime_warning(mnist):
    """A hard but normal run: eta 10 for 30 epochs must stay finite and silent."""
    training, validation, _ = mnist
    net = NN2([784, 30, 10], rand_seed=0)
    net.large_weight_initializer()
    h = net.stochastic_gradient_descent(training[:1000], validation[:1000], 30, 10, 10.0, lmbda=1.0,
                                        monitoring=True, **QUIET)
    assert h.status == "completed" and np.all(np.isfinite(h["train_cost"]))


def test_mnist_short_run_learns(mnist):
    training, validation, test = mnist
    net = NN2([784, 30, 10], rand_seed=1)
    h = net.stochastic_gradient_descent(training[:10000], test, 2, 10, 0.5, evaluation_data=validation, **QUIET)
    assert h.best("evaluation_accuracy")[1] > 0.88


PAGE_FAULTS = """
import resource, ch3_code
training, _, test = ch3_code.load_mnist(progress=False)
net = ch3_code.NN2([784, 30, 10], rand_seed=0)
run = dict(progress=False, verbose=False, monitoring=True)
net.SGD(training[:1000], test, 2, 10, 0.5, **run)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
net.SGD(training[:1000], test, 20, 10, 0.5, **run)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's malloc and ru_minflt")
def test_monitored_epochs_reuse_memory_instead_of_mapping_it_afresh():
    """Counted, not timed: page faults over 20 monitored epochs, in a fresh process.

    Each evaluation of the 10,000 test images makes a few arrays of about 1 MB. glibc's
    malloc serves blocks that size with fresh pages from the kernel, and gives them back on
    free, unless the process has already freed bigger blocks: the loader's freeing of the
    decompressed files is what sets that threshold up. A loader that once streamed the files
    into their arrays, freeing nothing big, made every epoch take about 850 page faults and
    chapter 0's first run 30% slower (17,000 faults here, against 1 now).
    """
    root = Path(__file__).resolve().parent.parent
    # glibc's own thresholds: a MALLOC_TRIM_THRESHOLD_ in the environment (Dask's nanny sets
    # 65536) fixes them and gives 39,000 faults here whatever the loader does
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run([sys.executable, "-c", PAGE_FAULTS], capture_output=True, text=True,
                         check=True, cwd=root, env=dict(env, PYTHONPATH=str(root)))
    assert int(out.stdout.split()[-1]) < 1000
