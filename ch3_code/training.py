"""Mini-batch stochastic gradient descent for ``NN2``: network2's ``SGD`` loop, with the options.

``train`` is network2's ``SGD`` loop: each epoch draws a permutation of the training set
from the network's seeded generator (the caller's data is never reordered or modified),
runs ``update_mini_batch`` (the update, with its equations) on each mini-batch of rows, or
the compiled epoch (this loop, compiled: ``internals.compiled_epoch``), records what is
monitored, then asks the stop rules (``stop_rules.StopRules``) whether to go on.
"""
import functools
import time

import numpy as np

from .history import History
from .internals import divergence
from .internals.checks import check_train, compiled_epoch_allowed, data_sets, monitors_for
from .internals.divergence import DivergenceWarning
from .internals.progress import EpochBar, postfix, quiet
from .stop_rules import StopRules

__all__ = ["DivergenceWarning", "train", "update_mini_batch", "network2_sgd"]


def train(net, training_data, test_data, epochs=None, batch_size=None, eta=None, lmbda=0.0,
          monitoring=False, *, evaluation_data=None, regularization="L2", dropout=0.0,
          momentum=0.0, early_stopping=None, restore_best=False, eta_patience=None,
          eta_divisor=2.0, eta_floor=1 / 128, progress=True, verbose=True,
          allow_unstable_momentum=False, callback=None, fused=None):
    """Train ``net`` in place and return a ``History``; epochs are numbered 0, 1, ..., epochs - 1.

    training_data, test_data, evaluation_data: a split, an (X, y) tuple or a list of (x, y)
        pairs (``internals.arrays``); test_data (second: network2's order is ``NN2.SGD``'s)
        and evaluation_data may be None, and no set may be empty.
    monitoring: False records test (and validation) accuracy only; True records every
        accuracy and cost; or one name or a list of names from ``history.MONITORS``.
    regularization: "L2" (weight decay) or "L1", with strength lmbda.
    dropout: probability p of dropping each hidden neuron during training (inverted
        dropout: kept neurons are scaled by 1/(1-p), so nothing changes at evaluation).
    momentum: the momentum coefficient mu in [0, 1) (0 is plain SGD).
    early_stopping, eta_patience, eta_divisor, eta_floor: the stop rules (``StopRules``),
        watching validation accuracy if given, else test accuracy; restore_best puts back
        the weights of the best epoch when the run ends.
    progress: one tqdm bar; verbose: the summary line at the end (neither in a sweep).
    callback: callback(net, history) after each recorded epoch; True stops the run.
    fused: None (the default) runs each epoch compiled when the network and options allow
        it and batch_size <= 40, else ``update_mini_batch``; False always
        ``update_mini_batch`` (as does a cost or activation class of your own); True insists
        on the compiled epoch. Both give the same run up to rounding.

    A run that diverges (``internals.divergence``) stops with a ``DivergenceWarning``.
    Ctrl-C puts back the weights of the last completed epoch and ends the cell; the run's
    history is ``net.history`` in every case.
    """
    check_train(net, test_data, epochs, batch_size, eta, lmbda, regularization, dropout,
                momentum, early_stopping, eta_patience, eta_divisor, eta_floor,
                allow_unstable_momentum, fused)
    verbose = verbose and not quiet()  # a sweep shows one bar and prints each run's summary
    sets, watched = data_sets(net, training_data, test_data, evaluation_data, early_stopping,
                              eta_patience, restore_best)
    (X, labels), n = sets["train"], len(sets["train"][1])
    measure = functools.partial(net.monitored, sets, monitors_for(monitoring, sets, watched),
                                lmbda, n, regularization)
    Y, velocities = net.targets(labels), _prepare(net, momentum)
    net.history = history = _new_history(net, sets, watched, n, epochs, batch_size, eta, lmbda,
                                         regularization, dropout, momentum)
    compiled = _compiled_epoch(net, X, labels, history.config, fused)
    rules = StopRules(eta, early_stopping, eta_patience, eta_divisor, eta_floor)
    watch, completed, best = divergence.Watch(net, X, labels), _copy_params(net), None
    bar, start, epoch = EpochBar(epochs, enabled=progress and not quiet()), time.perf_counter(), 0
    try:
        for epoch in range(epochs):
            with np.errstate(over="ignore", invalid="ignore"):  # the update and measurement only
                t0, order = time.perf_counter(), net.rng.permutation(n)
                if compiled is not None:
                    compiled(order, rules.eta)  # this loop, compiled
                else:
                    for k in range(0, n, batch_size):
                        batch = order[k:k + batch_size]  # one gather per mini-batch
                        update_mini_batch(net, X[batch], Y[batch], rules.eta, lmbda, n,
                                          regularization, dropout, momentum, velocities)
                if _record(history, epoch, time.perf_counter() - t0, rules.eta, watch, bar,
                           measure):
                    break  # diverged
            completed = _copy_params(net)
            stop = _after_epoch(net, history, epoch, rules, callback)
            best = _copy_params(net) if restore_best and rules.improved else best
            if stop:
                history.stop(stop[0], epoch, stop[1])
                break
    except KeyboardInterrupt:
        _interrupted(net, history, completed, epoch, bar, verbose, start)
    except BaseException:
        bar.fail(f"error in epoch {epoch}")
        raise
    return _finish(net, history, best, bar, epochs, verbose, start)


def update_mini_batch(net, xb, yb, eta, lmbda, n, regularization="L2", dropout=0.0, mu=0.0,
                      velocities=None):
    """One SGD step on one mini-batch, changing ``net.weights`` and ``net.biases`` in place.

    xb, yb: the mini-batch's rows, inputs (m, n_in) and one-hot targets (m, n_out), in the
    network's dtype; n: the training-set size. With g = (1/m) sum_x nabla C_x (BP1-BP4):

        w -> (1 - eta lmbda / n) w - eta g_w         (L2, weight decay)
        w -> w - (eta lmbda / n) sgn(w) - eta g_w    (L1)
        b -> b - eta g_b                             (biases are not regularised)
        momentum mu: v -> mu v - eta (g + (lmbda / n) w), w -> w + v   (the L2 term joins g)

    velocities: with mu, one array per weight then bias (zeros at first, kept between
    mini-batches). ``book_backprop.update_mini_batch`` is network2's, in the column form.
    """
    if mu and velocities is None:
        raise ValueError(f"mu={mu!r} needs velocities: [np.zeros_like(p) for p in net.weights "
                         "+ net.biases], kept from one mini-batch to the next")
    m = xb.shape[0]
    masks = net.dropout_masks(m, dropout) if dropout else None
    # eta (1/m) sum_x nabla C_x: scaling delta^L (m x n_out numbers) scales every gradient
    step_b, step_w = net.gradient(xb, yb, scale=eta / m, masks=masks)
    if lmbda:
        for w, sw in zip(net.weights, step_w):
            if regularization == "L1":
                sw += (eta * lmbda / n) * np.sign(w)   # w -> w - (eta lmbda / n) sgn(w) - ...
            elif mu:
                sw += (eta * lmbda / n) * w            # the L2 term joins the gradient
            else:
                w *= 1.0 - eta * lmbda / n             # weight decay (1 - eta lmbda / n) w - ...
    params = net.weights + net.biases
    if mu:
        for p, sp, v in zip(params, step_w + step_b, velocities):
            v *= mu                                    # v -> mu v - eta grad C
            v -= sp
            p += v                                     # w -> w + v
    else:
        for p, sp in zip(params, step_w + step_b):
            p -= sp                                    # w -> w - eta grad C


def network2_sgd(net, training_data, epochs, mini_batch_size, eta, lmbda=0.0,
                 evaluation_data=None, monitor_evaluation_cost=False,
                 monitor_evaluation_accuracy=False, monitor_training_cost=False,
                 monitor_training_accuracy=False, early_stopping_n=0, **options):
    """network2's ``SGD`` (``NN2.SGD`` in the book's order): its four lists, (evaluation_cost,
    evaluation_accuracy, training_cost, training_accuracy), empty unless monitored.

    Accuracies are network2's counts of correct examples; costs are this package's (the L2
    term with the training-set size n, ``NN2.total_cost``). ``options`` go to ``train``.
    """
    wanted = {"evaluation_cost": monitor_evaluation_cost, "train_cost": monitor_training_cost,
              "evaluation_accuracy": monitor_evaluation_accuracy,
              "train_accuracy": monitor_training_accuracy}
    h = train(net, training_data, None, epochs, mini_batch_size, eta, lmbda,
              [k for k, on in wanted.items() if on], evaluation_data=evaluation_data,
              early_stopping=early_stopping_n or None, **options)
    return (h["evaluation_cost"] if monitor_evaluation_cost else [],
            h.counts("evaluation_accuracy") if monitor_evaluation_accuracy else [],
            h["train_cost"] if monitor_training_cost else [],
            h.counts("train_accuracy") if monitor_training_accuracy else [])


def _prepare(net, mu):
    """Weights and biases as contiguous arrays in the network's dtype (the step updates them
    in place from here on); with momentum, the velocities, zero."""
    net.weights = [np.ascontiguousarray(w, dtype=net.dtype) for w in net.weights]
    net.biases = [np.ascontiguousarray(b, dtype=net.dtype).reshape(-1, 1) for b in net.biases]
    return [np.zeros_like(p) for p in net.weights + net.biases] if mu else None


def _compiled_epoch(net, X, labels, config, fused):
    """This loop, compiled (``internals.compiled_epoch``): epoch(order, eta), if ``fused`` and
    the run allow it (``checks.compiled_epoch_allowed``), else None; config["fused"] says which."""
    config["fused"] = compiled_epoch_allowed(net, config["batch_size"], config["dropout"], fused)
    if not config["fused"]:
        return None
    from .internals.compiled_epoch import FusedEpoch  # deferred: it imports Numba (~1 s)
    return FusedEpoch(net, X, labels, *(config[k] for k in ("batch_size", "n", "lmbda",
                                                            "regularization", "momentum")))


def _new_history(net, sets, watched, n, epochs, batch_size, eta, lmbda, regularization,
                 dropout, momentum):
    """An empty History that knows the data sets' sizes and the run's configuration."""
    return History(watched=watched, sizes={k: len(s[1]) for k, s in sets.items()},
                   config=dict(layer_sizes=net.layer_sizes, n=n, epochs=epochs,
                               batch_size=batch_size, eta=eta, lmbda=lmbda,
                               regularization=regularization, dropout=dropout,
                               momentum=momentum))


def _record(history, epoch, seconds, eta, watch, bar, measure):
    """Record the epoch if its weights are finite; True if the run diverged (it is stopped)."""
    diverged = "a weight became NaN or infinite" if not watch.finite() else None
    if diverged is None:
        history.record(epoch, seconds, eta, measure())
        bar.update(postfix(history))
        diverged = watch.check(history)
    if diverged:
        divergence.stop(history, epoch, diverged, eta)
    return bool(diverged)


def _after_epoch(net, history, epoch, rules, callback):
    """The callback (True stops the run), then the stop rules, which may also lower eta and
    note an improvement (asked even when the callback stops, so restore_best stays right):
    (status, message) if the run stops now, else None."""
    stop_asked = callback is not None and callback(net, history)
    verdict = rules.after_epoch(epoch, history[history.watched][-1] if history.watched else None)
    return ("stopped", f"stopped by the callback after epoch {epoch}") if stop_asked else verdict


def _copy_params(net):
    return [p.copy() for p in net.weights + net.biases]


def _put_params(net, params):
    """Copy saved weights and biases back in place (views held by the update stay valid)."""
    for p, saved in zip(net.weights + net.biases, params):
        p[...] = saved


def _interrupted(net, history, completed, epoch, bar, verbose, start):
    """Ctrl-C: the weights of the last completed epoch back, the history kept, the cell ended."""
    _put_params(net, completed)
    done = len(history["epoch"])
    kept = f"epochs 0-{done - 1}" if done > 1 else "epoch 0" if done else "no epoch"
    weights = f"after epoch {done - 1}" if done else "from before training"
    history.stop("interrupted", epoch, f"interrupted in epoch {epoch}; the weights are back "
                 f"to those {weights}; its history ({kept}) is kept in net.history "
                 "(net: the network you trained)")
    history.total_seconds = time.perf_counter() - start
    bar.fail(f"interrupted in epoch {epoch}", seconds=history.total_seconds)
    if verbose:
        print(history.summary())
    raise KeyboardInterrupt(f"training {history.message}") from None


def _finish(net, history, best, bar, epochs, verbose, start):
    """The end of a run that was not interrupted: status, best weights, bar, summary line."""
    history.total_seconds = time.perf_counter() - start
    if history.status == "running":
        history.stop("completed", epochs - 1 if epochs else None, "")
    if best is not None:  # restore_best
        _put_params(net, best)
        history.message = (history.message + "; " if history.message else "") + \
            f"weights restored from epoch {history.best()[0]}"
    bar.end(history, epochs)
    if verbose:
        print(history.summary())
    return history
