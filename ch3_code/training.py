"""Mini-batch stochastic gradient descent for ``NN2``, with the chapter's options.

One step on a mini-batch of m examples, with training-set size n, is

    w -> (1 - eta lmbda / n) w - (eta / m) sum_x nabla_w C_x       (L2, weight decay)
    w -> w - (eta lmbda / n) sgn(w) - (eta / m) sum_x nabla_w C_x  (L1)
    b -> b - (eta / m) sum_x nabla_b C_x                           (biases are not regularised)

and with momentum mu the same gradient g feeds a velocity, v -> mu v - eta g,
w -> w + v. A mini-batch is one matrix (one example per row); the training set
is shuffled through an index permutation drawn from the network's seeded
generator, so the caller's data is never reordered or modified.
"""
import math
import time
import warnings

import numpy as np

from .history import History, label
from .internals import divergence
from .internals.arrays import caller_stacklevel
from .internals.checks import check_options, monitors_for
from .internals.divergence import DivergenceWarning
from .internals.own_classes import describe, own_classes
from .internals.progress import EpochBar, quiet

__all__ = ["DivergenceWarning", "train"]


def train(net, training_data, test_data, epochs, batch_size, eta, lmbda=0.0, monitoring=False, *,
          evaluation_data=None, regularization="L2", dropout=0.0, momentum=0.0,
          early_stopping=None, restore_best=False, eta_patience=None, eta_divisor=2.0,
          eta_floor=1 / 128,
          progress=True, verbose=True, allow_unstable_momentum=False, callback=None, fused=None):
    """Train ``net`` in place and return a ``History``; epochs are numbered 0, 1, ..., epochs - 1.

    training_data, test_data, evaluation_data: a split, an (X, y) tuple or a list of (x, y)
        pairs (see ``ch3_code.internals.arrays``). test_data may be None; no set may be empty (an
        accuracy of no examples would read as 0% every epoch). Early stopping and the
        schedule watch validation (evaluation_data) accuracy if given, else test accuracy.
    monitoring: False records test (and validation) accuracy only; True records every
        accuracy and cost; or one name or a list of names from ``history.MONITORS``.
    regularization: "L2" (weight decay) or "L1", with strength lmbda.
    dropout: probability p of dropping each hidden neuron during training (inverted
        dropout: kept neurons are scaled by 1/(1-p), so nothing changes at evaluation).
    momentum: the momentum coefficient mu in [0, 1) (0 is plain SGD).
    early_stopping: n to stop after n epochs with no improvement; restore_best puts
        back the weights of the best epoch when the run ends (it needs data to watch).
    eta_patience: n to divide eta by eta_divisor after n epochs with no improvement,
        stopping once eta has fallen to eta_floor times its first value.
    progress: show one tqdm bar; verbose: print the summary line at the end. Inside
        ``ch3_code.sweep`` (``progress.quiet()``) there is neither: the sweep reports.
    callback: called as callback(net, history) after each recorded epoch (to log weight
        norms, say); if it returns True the run stops there.
    fused: None (the default) runs each epoch as one compiled call (``internals.compiled_epoch``)
        whenever the network and options allow it and batch_size <= 40 (above that,
        BLAS's matrix products make NumPy's step faster), else NumPy's step; False always
        uses NumPy's step (``_make_step``); True insists on the compiled epoch and says
        why not if it cannot be used. Both give the same run up to rounding. A network
        with a cost or activation class of your own (``own_classes``) always trains with
        NumPy's step, which calls your class as written (with fused=True, a warning says so).

    A run that diverges (see ``divergence``) stops with a ``DivergenceWarning`` and
    returns its history. Ctrl-C (KeyboardInterrupt) puts back the weights of the last
    completed epoch, keeps the history in ``net.last_history`` and then ends the cell.
    """
    if not callable(getattr(net, "gradient", None)):  # any network NN2's methods train
        raise TypeError(f"train needs a network to train, got {net!r}; create one with "
                        "ch3_code.NN2([784, 30, 10]) and call its "
                        "stochastic_gradient_descent method")
    check_options(epochs, batch_size, eta, lmbda, regularization, dropout, momentum,
                  early_stopping, eta_patience, eta_divisor, eta_floor, allow_unstable_momentum)
    if quiet():
        progress = verbose = False  # the sweep shows one bar and prints each run's summary
    sets = {"train": _non_empty(net, training_data, "training_data", pixels=True)}
    if test_data is not None:
        sets["test"] = _non_empty(net, test_data, "test_data")
    if evaluation_data is not None:
        sets["evaluation"] = _non_empty(net, evaluation_data, "evaluation_data")
    X, labels = sets["train"]
    watched = ("evaluation_accuracy" if "evaluation" in sets
               else "test_accuracy" if "test" in sets else None)
    if watched is None and (early_stopping or eta_patience or restore_best):
        asked = [f"{name}={v!r}" for name, v in (("early_stopping", early_stopping),
                                                 ("eta_patience", eta_patience),
                                                 ("restore_best", restore_best)) if v]
        raise ValueError(f"{' and '.join(asked)} {'needs' if len(asked) == 1 else 'need'} "
                         "evaluation_data or test_data to watch: pass validation data as "
                         "evaluation_data=..., or drop the option")
    monitors = monitors_for(monitoring, sets, watched)

    n = X.shape[0]
    Y = net.targets(labels)
    config = dict(layer_sizes=net.layer_sizes, n=n, epochs=epochs, batch_size=batch_size, eta=eta,
                  lmbda=lmbda, regularization=regularization, dropout=dropout, momentum=momentum)
    history = History(config=config, watched=watched)
    net.last_history = history
    global last_history
    last_history = history
    run_epoch, history.config["fused"] = _make_epoch(net, X, Y, labels, batch_size, n, lmbda,
                                                     regularization, dropout, momentum, fused)
    watch = divergence.Watch(net, X, labels)
    best, since_best, since_change, eta0, best_params = -math.inf, 0, 0, eta, None
    completed = _copy_params(net)  # the weights after the last completed epoch
    bar = EpochBar(epochs, enabled=progress)
    start = time.perf_counter()
    epoch = 0
    try:
        for epoch in range(epochs):
            with np.errstate(over="ignore", invalid="ignore"):  # the update and measurement only
                t0 = time.perf_counter()
                run_epoch(net.rng.permutation(n), eta)
                seconds = time.perf_counter() - t0
                finite = watch.finite()
                if finite:
                    history.record(epoch, seconds, eta, _measure(net, sets, monitors, lmbda, n,
                                                                 regularization))
                    diverged = watch.check(history)
                else:
                    diverged = "a weight became NaN or infinite"
            if diverged:
                advice = divergence.advice(eta, lmbda, n, momentum, regularization)
                history.stop("diverged", epoch, f"diverged in epoch {epoch}: {diverged}; {advice}")
                _warn(f"training {history.message}")
                if finite:
                    bar.update(_postfix(history, watched))
                break
            completed = _copy_params(net)
            bar.update(_postfix(history, watched))
            if callback is not None and callback(net, history):
                history.stop("stopped", epoch, f"stopped by the callback after epoch {epoch}")
                break
            score = history[watched][-1] if watched else None
            if score is None:
                continue
            if score > best:
                best, since_best, since_change = score, 0, 0
                if restore_best:
                    best_params = _copy_params(net)
                continue
            since_best, since_change = since_best + 1, since_change + 1
            if early_stopping and since_best >= early_stopping:
                history.stop("early-stopped", epoch, f"stopped early after epoch {epoch}: "
                             f"no improvement in {early_stopping} epochs")
                break
            if eta_patience and since_change >= eta_patience:
                eta, since_change = eta / eta_divisor, 0
                if eta <= eta0 * eta_floor * (1 + 1e-9):
                    history.stop("eta-floor", epoch, f"stopped after epoch {epoch}: eta fell to "
                                 f"{eta:.3g} ({eta0:g} x {eta_floor:g})")
                    break
    except KeyboardInterrupt:
        _put_params(net, completed)
        done = len(history["epoch"])
        kept = f"epochs 0-{done - 1}" if done > 1 else "epoch 0" if done else "no epoch"
        weights = f"after epoch {done - 1}" if done else "from before training"
        history.stop("interrupted", epoch, f"interrupted in epoch {epoch}; the weights are back "
                     f"to those {weights}; its history ({kept}) is kept in net.last_history "
                     "(net: the network you trained)")
        history.total_seconds = time.perf_counter() - start
        bar.fail(f"interrupted in epoch {epoch}", seconds=history.total_seconds)
        if verbose:
            print(history.summary())
        raise KeyboardInterrupt(f"training {history.message} and in "
                                "ch3_code.training.last_history") from None
    except BaseException:
        bar.fail(f"error in epoch {epoch}")
        raise
    history.total_seconds = time.perf_counter() - start
    if history.status == "running":
        history.stop("completed", epochs - 1 if epochs else None, "")
    if best_params is not None:
        _put_params(net, best_params)
        history.message = (history.message + "; " if history.message else "") + \
            f"weights restored from epoch {history.best()[0]}"
    if history.status == "diverged":
        bar.fail(f"diverged in epoch {epoch}", seconds=history.total_seconds)
    else:
        parts = (_postfix(history, watched), _bar_reason(history, epochs))
        bar.finish(", ".join(t for t in parts if t), seconds=history.total_seconds)
    if verbose:
        print(history.summary())
    return history


# Up to this batch size fused=None picks the compiled epoch. One MNIST epoch of [784, 30, 10]
# (eta 0.5, lmbda 5), NumPy's step / compiled: m = 1 3.1x, 10 2.0x, 20 1.4x, 30 1.3x, 50 1.05x,
# 100 0.88x (there BLAS's matrix products win). [784, 100, 10], m = 10: 2.8x.
AUTO_FUSED_MAX_BATCH = 40

last_history = None  # the History of the latest run in this process (kept when Ctrl-C stops it)


def _non_empty(net, data, name, pixels=False):
    """(X, labels) of a set; an empty one is refused (it would score 0% every epoch)."""
    X, labels = net.data_arrays(data, name, pixels=pixels)
    if X.shape[0] == 0:
        fix = ("pass at least one example" if name == "training_data" else
               f"pass at least one example, or {name}=None to train without it")
        raise ValueError(f"{name} is empty (0 examples); {fix}")
    return X, labels


def _copy_params(net):
    return [w.copy() for w in net.weights], [b.copy() for b in net.biases]


def _put_params(net, params):
    """Copy saved weights and biases back in place (views held by the update stay valid)."""
    for p, saved in zip(net.weights + net.biases, params[0] + params[1]):
        p[...] = saved


def _bar_reason(history, epochs):
    """The reason a run ended before its planned epochs, for the end of its bar."""
    reason = {"early-stopped": "stopped early", "eta-floor": "stopped at the eta floor",
              "stopped": "stopped by the callback"}.get(history.status)
    return f"{reason} ({epochs} planned)" if reason else ""


def _warn(message):
    """Warn with DivergenceWarning at the first caller outside ch3_code (the learner's line)."""
    warnings.warn(message, DivergenceWarning, stacklevel=caller_stacklevel())


def _make_epoch(net, X, Y, labels, batch_size, n, lmbda, regularization, dropout, mu, fused):
    """Return (epoch, compiled): epoch(order, eta) is one pass over the mini-batches of X[order].

    ``internals.compiled_epoch`` is imported only by a run that may use it.
    """
    if fused not in (None, True, False):
        raise ValueError(f"fused={fused!r} is not allowed: None (compiled when possible), "
                         "True or False")
    step = _make_step(net, n, lmbda, regularization, dropout, mu)
    own = own_classes(net)
    if fused and own:  # never swap a learner's class for the built-in formula
        warnings.warn(f"fused=True: the {describe(own)} {'is' if len(own) == 1 else 'are'} "
                      "your own, which the compiled epoch cannot call; this run uses NumPy's "
                      "step, which calls them as written (pass fused=None to not be told)",
                      UserWarning, stacklevel=caller_stacklevel())
    elif fused is True or (fused is None and batch_size <= AUTO_FUSED_MAX_BATCH):
        from .internals import compiled_epoch as compiled  # deferred: it imports Numba (~1 s)
        why_not = compiled.unsupported(net, dropout)
        if fused and why_not:
            raise ValueError(f"fused=True: this run cannot use the compiled epoch: {why_not}; "
                             "pass fused=None or False for NumPy's step")
        if not why_not:
            return compiled.FusedEpoch(net, X, labels, batch_size, n, lmbda, regularization,
                                       mu), True

    def epoch(order, eta):
        for k in range(0, n, batch_size):
            idx = order[k:k + batch_size]
            step(X[idx], Y[idx], eta)  # one gather per batch
    return epoch, False


def _make_step(net, n, lmbda, regularization, dropout, mu):
    """Return step(xb, yb, eta): one in-place SGD update of ``net`` from one mini-batch.

    xb and yb are the batch's rows (inputs and one-hot targets) in the network's dtype.
    The step uses NN2's public operations only (``gradient``, ``dropout_masks``) and
    changes ``net.weights`` and ``net.biases`` in place, as the module docstring says.
    ``ch3_code.book_backprop.update_mini_batch`` is the same update in the book's form.
    """
    net.weights = [np.ascontiguousarray(w, dtype=net.dtype) for w in net.weights]
    net.biases = [np.ascontiguousarray(b, dtype=net.dtype).reshape(-1, 1) for b in net.biases]
    params = net.weights + net.biases
    velocities = [np.zeros_like(p) for p in params] if mu else None

    def step(xb, yb, eta):
        m = xb.shape[0]
        masks = net.dropout_masks(m, dropout) if dropout else None
        # eta * (1/m) sum_x nabla C_x. Scaling delta^L (m x n_out numbers) instead of every
        # nabla_w afterwards made the MNIST epoch 1.22x faster (benchmarks/train_speed.py's
        # set-up, 5 interleaved runs); writing nabla_w into preallocated arrays did not pay
        # (0.94x), so the gradients are new arrays.
        step_b, step_w = net.gradient(xb, yb, scale=eta / m, masks=masks)
        if lmbda:
            for w, sw in zip(net.weights, step_w):
                if regularization == "L1":
                    sw += (eta * lmbda / n) * np.sign(w)   # w -> w - (eta lmbda / n) sgn(w) - ...
                elif mu:
                    sw += (eta * lmbda / n) * w            # the L2 term joins the gradient
                else:
                    w *= 1.0 - eta * lmbda / n             # weight decay (1 - eta lmbda / n) w - ...
        if mu:
            for p, sp, v in zip(params, step_w + step_b, velocities):
                v *= mu                                    # v -> mu v - eta grad C
                v -= sp
                p += v                                     # w -> w + v
        else:
            for p, sp in zip(params, step_w + step_b):
                p -= sp                                    # w -> w - eta grad C
    return step


def _measure(net, sets, monitors, lmbda, n, regularization):
    """One forward pass per data set gives both its accuracy and its cost."""
    values = {}
    penalty = None
    for name, (Xs, ls) in sets.items():
        want_acc, want_cost = f"{name}_accuracy" in monitors, f"{name}_cost" in monitors
        if not (want_acc or want_cost):
            continue
        correct, cost = net.count_and_cost(Xs, ls, want_cost=want_cost)
        m = Xs.shape[0]  # never 0: train refuses empty sets
        if want_acc:
            values[f"{name}_accuracy"] = correct / m
        if want_cost:
            if penalty is None:
                penalty = net.regularization_cost(lmbda, n, regularization)
            values[f"{name}_cost"] = cost / m + penalty
    return values


def _postfix(history, watched):
    if not watched or not history[watched]:  # nothing recorded (epochs=0)
        return ""
    return f"{label(watched).removesuffix(' accuracy')} acc {history[watched][-1]:.2%}"
