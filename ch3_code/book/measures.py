"""The measures: how a quantity of the registry reads its number off a run.

Each helper returns a function of the result, ``best("test_accuracy")(history)``, which an
entry keeps as its quantity's ``measure``. Epochs are read from ``history["epoch"]`` (0, 1,
...), numbered from 0 as the book's code prints them; accuracies come out in percent.
"""
import numpy as np


def series(history, key):
    """``history[key]`` as an array; accuracies in percent."""
    values = np.asarray(history[key], dtype=float)
    if len(values) == 0:
        raise ValueError(f"{key} was not monitored")
    return 100 * values if key.endswith("_accuracy") else values


def epochs(history):
    """The recorded epochs as an array (numbered from 0, as the book's code prints them)."""
    return np.asarray(history["epoch"], dtype=int)


def best(key):
    def measure(h):
        s = series(h, key)
        return s.min() if key.endswith("_cost") else s.max()
    return measure


def best_epoch(key):
    def measure(h):
        s = series(h, key)
        return epochs(h)[int(s.argmin() if key.endswith("_cost") else s.argmax())]
    return measure


def final(key):
    return lambda h: series(h, key)[-1]


def at_epoch(key, epoch):
    def measure(h):
        where = np.flatnonzero(epochs(h) == epoch)
        return series(h, key)[where[0]] if len(where) else None
    return measure


def first_epoch(key, value):
    """The first book epoch at which ``key`` reaches ``value`` (None if it never does)."""
    def measure(h):
        hit = np.flatnonzero(series(h, key) >= value - 1e-9)
        return epochs(h)[hit[0]] if len(hit) else None
    return measure


def rises(values, by=0.0):
    """How many epochs ended with a value more than ``by`` above the one before."""
    return int(np.sum(np.diff(np.asarray(values, dtype=float)) > by))


def of_run(run, measure):
    """Apply ``measure`` to one run of a multi-run result ``{run: result}``."""
    return lambda result: measure(result[run])


def gap(h):
    """Training minus test accuracy, the best of each: how far the network overfits."""
    return best("train_accuracy")(h) - best("test_accuracy")(h)
