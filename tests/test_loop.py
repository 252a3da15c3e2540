"""The training loop: epoch numbering, divergence, Ctrl-C, option checks, the progress bar."""
import re
import warnings

import numpy as np
import pytest

import ch3_code
import ch3_code.internals.progress
import ch3_code.training
from ch3_code import NN2, DivergenceWarning

from blobs import QUIET, blobs  # tests/blobs.py

pytestmark = pytest.mark.filterwarnings("error")


# ------------------------------------------------------------ epochs from 0, "validation"
def test_epochs_count_from_zero_in_history_and_messages():
    train, val = blobs(m=80, seed=1, noise=2.5), blobs(m=80, seed=2, noise=2.5)
    h = NN2([6, 30, 3], rand_seed=0).stochastic_gradient_descent(
        train, None, 200, 10, 1.0, evaluation_data=val, early_stopping=5, **QUIET)
    assert h["epoch"] == list(range(len(h["epoch"])))
    last = h["epoch"][-1]
    assert h.stopped_epoch == last and f"stopped early after epoch {last}:" in h.message
    best_epoch = h.best()[0]
    assert h["evaluation_accuracy"][best_epoch] == h.best()[1]  # epoch k is list index k
    h = NN2([6, 10, 3], rand_seed=0).stochastic_gradient_descent(
        train, None, 500, 10, 0.8, evaluation_data=val, eta_patience=2, **QUIET)
    assert f"stopped after epoch {h['epoch'][-1]}: eta fell to" in h.message


def test_seed_page_keys_still_work():
    res = NN2([6, 5, 3]).stochastic_gradient_descent(blobs(), blobs(seed=1), 2, 10, 0.5,
                                                     monitoring=True, **QUIET)
    assert res["epoch"] == [0, 1]
    assert all(len(res[k]) == 2 for k in ("train_accuracy", "test_accuracy", "test_cost"))


def test_summary_and_bar_say_validation(capsys):
    h = NN2([6, 5, 3]).stochastic_gradient_descent(blobs(), None, 2, 10, 0.5,
                                                   evaluation_data=blobs(seed=1))
    out, err = capsys.readouterr()
    assert "best validation accuracy" in out and "validation acc" in err
    assert "evaluation" not in out + err and h.watched == "evaluation_accuracy"


def test_sweep_worker_shows_no_bar_and_prints_nothing(monkeypatch, capsys):
    monkeypatch.setenv("CH3_SWEEP_WORKER", "1")
    h = NN2([6, 5, 3]).stochastic_gradient_descent(blobs(), blobs(seed=1), 2, 10, 0.5)
    assert capsys.readouterr() == ("", "") and h["epoch"] == [0, 1]


# ------------------------------------------------------------------------- divergence
@pytest.mark.parametrize("options", [
    dict(), dict(activation="tanh"), dict(output_activation="softmax", cost="log-likelihood"),
    dict(cost="quadratic"),
], ids=["sigmoid", "tanh", "softmax", "quadratic"])
def test_eta_1e6_is_caught_as_divergence(mnist, options):
    """Issue 15.3: finite but runaway runs (cost ~1e6, weights ~1e13) used to 'complete'."""
    training, validation, _ = mnist
    net = NN2([784, 30, 10], rand_seed=0, **options)
    with pytest.warns(DivergenceWarning, match=r"diverged in epoch 0: .*lower eta \(eta = 1e\+06"):
        h = net.stochastic_gradient_descent(training[:1000], validation[:200], 5, 10, 1e6, **QUIET)
    assert h.status == "diverged" and h.stopped_epoch == 0 and h["epoch"] == [0]
    assert len(h["test_accuracy"]) == 1  # the history is kept


@pytest.mark.parametrize("kwargs", [
    dict(sizes=[784, 30, 10], n=2000, eta=3.0, lmbda=0.0, cost="quadratic"),
    # eta 10, lmbda 1000 on 50,000 images: decay factor 1 - 10*1000/50000 = 0.8 per step;
    # the same factor on 2,000 images is lmbda 40. Weights shrink, accuracy falls to chance.
    dict(sizes=[784, 30, 10], n=2000, eta=10.0, lmbda=40.0, chance=True),
    # eta 2.5, lmbda 5 on 50,000 oscillates; lmbda 0.5 on 5,000 is the same decay factor
    dict(sizes=[784, 30, 10], n=5000, eta=2.5, lmbda=0.5),
], ids=["quadratic-eta-3", "eta-10-lmbda-decays-to-chance", "eta-2.5-oscillates"])
def test_hard_but_normal_runs_do_not_warn(mnist, kwargs):
    training, validation, _ = mnist
    net = NN2(kwargs["sizes"], rand_seed=0, cost=kwargs.get("cost", "cross-entropy"))
    h = net.stochastic_gradient_descent(training[:kwargs["n"]], validation[:1000], 3, 10,
                                        kwargs["eta"], kwargs["lmbda"], **QUIET)
    assert h.status == "completed" and h["epoch"] == [0, 1, 2]
    if kwargs.get("chance"):
        assert h["test_accuracy"][-1] < 0.2  # chance, reached by weight decay, not divergence


def test_weight_decay_that_flips_the_weights_blames_lmbda(mnist):
    """The book's strip: eta 10, lmbda 1000 on 1,000 images, factor 1 - 10 = -9 per step."""
    training, validation, _ = mnist
    net = NN2([784, 10], rand_seed=0)
    with pytest.warns(DivergenceWarning, match=r"lower lmbda \(lmbda = 1000: .* = -9 "):
        h = net.stochastic_gradient_descent(training[:1000], validation[:100], 30, 10, 10.0,
                                            lmbda=1000.0, **QUIET)
    assert h.status == "diverged" and len(h["epoch"]) <= 1


def test_momentum_of_1_5_blames_momentum():
    net = NN2([6, 5, 3], cost="quadratic", output_activation="linear", activation="relu")
    with pytest.warns(DivergenceWarning, match=r"lower momentum \(mu = 1.5"):
        h = net.stochastic_gradient_descent(blobs(), blobs(), 50, 10, 0.1, momentum=1.5,
                                            allow_unstable_momentum=True, **QUIET)
    assert "lower eta" not in h.message and len(h["epoch"]) < 50


@pytest.mark.parametrize("entry", ["method", "function"])
def test_divergence_warning_points_at_the_callers_line(entry):
    net = NN2([6, 5, 3])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if entry == "method":
            net.stochastic_gradient_descent(blobs(), None, 3, 10, 1e6, **QUIET)
        else:
            ch3_code.train(net, blobs(), None, 3, 10, 1e6, **QUIET)
    diverged = [w for w in caught if issubclass(w.category, DivergenceWarning)]
    assert len(diverged) == 1 and diverged[0].filename == __file__


def test_warnings_in_a_callback_are_not_hidden():
    """Issue 15.17: np.errstate covered the callback, so its overflow vanished."""
    def overflowing(net, history):
        return bool(np.float64(1e308) * 10 > 0)
    with pytest.warns(RuntimeWarning, match="overflow"):
        NN2([6, 5, 3]).stochastic_gradient_descent(blobs(), None, 1, 10, 0.5, callback=overflowing,
                                                   **QUIET)


# ---------------------------------------------------------------------------- options
def test_monitoring_accepts_a_single_name():
    h = NN2([6, 5, 3]).stochastic_gradient_descent(blobs(), blobs(seed=1), 2, 10, 0.5,
                                                   monitoring="train_cost", **QUIET)
    assert len(h["train_cost"]) == 2 and h["train_accuracy"] == [] and len(h["test_accuracy"]) == 2


def test_restore_best_without_data_to_watch_is_refused():
    with pytest.raises(ValueError, match=r"restore_best=True needs evaluation_data or test_data"):
        NN2([6, 5, 3]).stochastic_gradient_descent(blobs(), None, 2, 10, 0.5, restore_best=True,
                                                   **QUIET)


# ----------------------------------------------------------------------------- Ctrl-C
class InterruptingRng:
    """The network's generator, raising KeyboardInterrupt at its k-th mask draw (dropout)."""

    def __init__(self, rng, k):
        self.rng, self.k = rng, k

    def random(self, *args, **kwargs):
        self.k -= 1
        if self.k == 0:
            raise KeyboardInterrupt
        return self.rng.random(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.rng, name)


def test_ctrl_c_restores_the_last_epoch_keeps_the_history_and_ends_the_cell():
    net = NN2([6, 5, 3], rand_seed=0)
    net.rng = InterruptingRng(net.rng, k=2 * 20 + 7)  # 20 mini-batches an epoch: inside epoch 2
    after = {}

    def snapshot(net, history):
        after[history["epoch"][-1]] = [w.copy() for w in net.weights + net.biases]
    runs = []
    with pytest.raises(KeyboardInterrupt, match=r"interrupted in epoch 2.*kept in net\.history"):
        for eta in (0.5, 1.0):  # a loop of runs: the interrupt must end the loop, not one run
            runs.append(net.stochastic_gradient_descent(blobs(), blobs(seed=1), 5, 10, eta,
                                                        dropout=0.2, monitoring=True,
                                                        callback=snapshot, **QUIET))
    assert runs == []
    h = net.history  # declared by NN2; no module global
    assert not hasattr(ch3_code.training, "last_history")
    assert h.status == "interrupted" and h["epoch"] == [0, 1] and len(h["train_cost"]) == 2
    assert "the weights are back to those after epoch 1" in h.message
    for p, saved in zip(net.weights + net.biases, after[1]):
        assert np.array_equal(p, saved)


# ---------------------------------------------------------------------- progress bar
def test_a_stopped_run_ends_as_a_full_text_bar_with_its_reason(capsys):
    train, val = blobs(m=80, seed=1, noise=2.5), blobs(m=80, seed=2, noise=2.5)
    h = NN2([6, 30, 3], rand_seed=0).stochastic_gradient_descent(
        train, None, 200, 10, 1.0, evaluation_data=val, early_stopping=5, verbose=False)
    last = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    done = len(h["epoch"])
    assert "100%" in last and f"{done}/{done} epochs" in last and "stopped early" in last
    assert re.search(r", \d+\.\d s$", last)  # one time figure, written as the summary writes it
    assert last.endswith(f", {h.total_seconds:.1f} s") and f"{h.total_seconds:.1f} s:" in h.summary()
    assert "/s" not in last and "s/epoch" not in last and "<" not in last  # no tqdm rate or ETA


class FakeHandle:
    def __init__(self):
        self.shown = []

    def update(self, obj):
        self.shown.append(repr(obj))


@pytest.fixture
def notebook_bars(monkeypatch):
    """Make train use tqdm's Jupyter bar, recording each bar and its display handle."""
    pytest.importorskip("ipywidgets")
    import IPython.display
    handles, bars = [], []
    monkeypatch.setattr(ch3_code.internals.progress, "_in_notebook", lambda: True)

    def fake_display(obj, display_id=False):
        handles.append(FakeHandle())
        return handles[-1]
    monkeypatch.setattr(IPython.display, "display", fake_display)

    class Recorded(ch3_code.internals.progress.EpochBar):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            bars.append(self)
    monkeypatch.setattr(ch3_code.training, "EpochBar", Recorded)
    return bars, handles


def test_notebook_bar_is_green_and_full_after_a_deliberate_stop(notebook_bars):
    bars, handles = notebook_bars
    train, val = blobs(m=80, seed=1, noise=2.5), blobs(m=80, seed=2, noise=2.5)
    h = NN2([6, 30, 3], rand_seed=0).stochastic_gradient_descent(
        train, None, 200, 10, 1.0, evaluation_data=val, early_stopping=5, verbose=False)
    widget = bars[0].bar.container.children[1]
    assert widget.bar_style == "success" and widget.value == widget.max == len(h["epoch"])
    final_text = handles[0].shown[-1]  # what the notebook saves as text/plain
    assert f"{len(h['epoch'])}/{len(h['epoch'])} epochs" in final_text
    assert "stopped early" in final_text


def test_notebook_bar_is_red_after_divergence(notebook_bars):
    bars, handles = notebook_bars
    with pytest.warns(DivergenceWarning):
        NN2([6, 5, 3]).stochastic_gradient_descent(blobs(), None, 5, 10, 1e6, verbose=False)
    assert bars[0].bar.container.children[1].bar_style == "danger"
    assert "diverged in epoch 0" in handles[0].shown[-1]


def test_divergence_advice_for_a_negative_momentum_names_momentum():
    from ch3_code.internals.divergence import advice
    text = advice(eta=0.5, lmbda=0.0, n=1000, momentum=-1.5, regularization="L2")
    assert "momentum" in text and "lower eta" not in text
    assert "lower eta" in advice(eta=0.5, lmbda=0.0, n=1000, momentum=0.5, regularization="L2")
