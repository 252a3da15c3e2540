"""Checks of the arguments of ``NN2`` and ``train``: bad input fails at once, clearly.

``check_layer_sizes``, ``check_dtype`` and ``check_rand_seed`` check a network's
arguments (an absurd size is refused before any memory is allocated); ``check_train``
refuses training values that would train nonsense (negative eta, dropout of 1, momentum
of 1 or more unless asked for) and network2's argument order given where the test data
belongs; ``check_watched`` refuses stop rules with nothing to watch; ``monitors_for``
turns ``monitoring`` (True, False, one name or a list of names) into the list of
quantities to record; ``non_empty_set`` and ``non_empty_data`` refuse a set of no examples.
"""
import math
import os
import warnings

import numpy as np

from ..history import MONITORS
from .arrays import caller_stacklevel
from .own_classes import describe, own_classes

_DATA = {"train": "training_data", "test": "test_data", "evaluation": "evaluation_data"}
DTYPES = ("float32", "float64")
#: Up to this batch size fused=None picks the compiled epoch; above it BLAS's products are faster.
AUTO_FUSED_MAX_BATCH = 40
REGULARIZATIONS = ("L2", "L1")


def check_regularization(regularization):
    """Return ``regularization`` if it is "L2" or "L1"; every public method asks here."""
    if regularization not in REGULARIZATIONS:
        raise ValueError(f"regularization={regularization!r} is not known; "
                         "use 'L2' (weight decay) or 'L1'")
    return regularization


def check_dtype(dtype):
    """The numpy dtype for "float32" or "float64" (or their numpy types)."""
    try:
        ok = dtype is not None and np.dtype(dtype).name in DTYPES
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"dtype={dtype!r} is not supported; use 'float32' or 'float64'")
    return np.dtype(dtype)


def check_rand_seed(rand_seed):
    """None or a whole number >= 0, as a Python int."""
    if rand_seed is not None and not (isinstance(rand_seed, (int, np.integer))
                                      and not isinstance(rand_seed, bool) and rand_seed >= 0):
        raise ValueError(f"rand_seed={rand_seed!r}: give a whole number >= 0 (or None for a "
                         "different run each time)")
    return None if rand_seed is None else int(rand_seed)


def check_layer_sizes(layer_sizes, dtype):
    """The sizes as a list of ints, if they are sizes and the network fits in memory.

    Training holds about four copies of the weights and biases (the weights, their
    gradients, the last epoch's weights kept for Ctrl-C, the momentum velocities), so a
    network needing more than the machine's memory is refused before anything is allocated,
    not after seconds of allocating and a MemoryError that does not say which argument.
    """
    def is_size(s):
        return isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1
    if not (isinstance(layer_sizes, (list, tuple, np.ndarray)) and len(layer_sizes) >= 2
            and all(is_size(s) for s in layer_sizes)):
        raise ValueError(f"layer_sizes={layer_sizes!r}: give a list of at least two positive "
                         "integers, inputs first, e.g. NN2([784, 30, 10])")
    sizes = [int(s) for s in layer_sizes]
    n_parameters = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    need, memory = 4 * n_parameters * dtype.itemsize, _physical_memory()
    if need > memory:
        raise ValueError(
            f"layer_sizes={sizes!r} means {n_parameters:,} weights and biases, "
            f"{n_parameters * dtype.itemsize / 1e9:,.1f} GB in {dtype.name}; training holds "
            f"about four copies of them ({need / 1e9:,.1f} GB), more than this machine's "
            f"{memory / 1e9:,.1f} GB of memory. Use fewer neurons, e.g. NN2([784, 100, 10])")
    return sizes


def _physical_memory():
    """The machine's memory in bytes (64 GiB where the system does not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # e.g. Windows has no sysconf
        return 64 * 2 ** 30


def monitors_for(monitoring, sets, watched):
    """The monitor names to record: ``monitoring`` checked against the data sets given."""
    given = monitoring
    if isinstance(monitoring, str):
        monitoring = [monitoring]  # one name, e.g. monitoring="train_cost"
    if monitoring is True:
        wanted = [m for m in MONITORS if m.split("_")[0] in sets]
    elif not monitoring:
        wanted = []
    else:
        wanted = list(monitoring)
        unknown = [m for m in wanted if m not in MONITORS]
        if unknown:
            raise ValueError(f"monitoring={given!r}: unknown names {unknown}; use True, "
                             f"False, one name or a list of names from {list(MONITORS)}")
        missing = [m for m in wanted if m.split("_")[0] not in sets]
        if missing:
            args = sorted({_DATA[m.split("_")[0]] for m in missing})
            raise ValueError(f"monitoring asks for {missing} but the matching data was not "
                             f"passed: pass {' and '.join(args)}")
    for always in ("test_accuracy", watched):
        if always and always not in wanted and always.split("_")[0] in sets:
            wanted.append(always)
    return wanted


def check_options(epochs, batch_size, eta, lmbda, regularization, dropout, momentum,
                  early_stopping, eta_patience, eta_divisor, eta_floor, allow_unstable_momentum):
    """Raise ValueError naming the argument and what is allowed, for any bad training option."""
    def need(ok, name, value, allowed):
        if not ok:
            raise ValueError(f"{name}={value!r} is not allowed: {allowed}")

    def is_int(v):
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

    def is_num(v):
        return (isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                and math.isfinite(v))

    need(is_int(epochs) and epochs >= 0, "epochs", epochs, "a whole number >= 0")
    need(is_int(batch_size) and batch_size >= 1, "batch_size", batch_size, "a whole number >= 1")
    need(is_num(eta) and eta > 0, "eta", eta, "a finite number > 0")
    need(is_num(lmbda) and lmbda >= 0, "lmbda", lmbda, "a finite number >= 0")
    check_regularization(regularization)
    need(is_num(dropout) and 0 <= dropout < 1, "dropout", dropout, "a probability in [0, 1)")
    need(is_num(momentum) and (allow_unstable_momentum or 0 <= momentum < 1), "momentum", momentum,
         "a number in [0, 1) (pass allow_unstable_momentum=True to experiment outside it)")
    for name, value in (("early_stopping", early_stopping), ("eta_patience", eta_patience)):
        need(value is None or (is_int(value) and value >= 1), name, value,
             "None or a whole number >= 1")
    need(is_num(eta_divisor) and eta_divisor > 1, "eta_divisor", eta_divisor, "a number > 1")
    need(is_num(eta_floor) and 0 < eta_floor < 1, "eta_floor", eta_floor, "a fraction in (0, 1)")


def check_train(net, test_data, epochs, batch_size, eta, lmbda, regularization, dropout, momentum,
                early_stopping, eta_patience, eta_divisor, eta_floor, allow_unstable_momentum,
                fused):
    """Every check of ``train``'s arguments that needs no data: a network, the order, values."""
    if not callable(getattr(net, "gradient", None)):  # any network NN2's methods train
        raise TypeError(f"train needs a network to train, got {net!r}; create one with "
                        "ch3_code.NN2([784, 30, 10]) and call its "
                        "stochastic_gradient_descent method")
    check_call_order(test_data, epochs, batch_size, eta)
    check_options(epochs, batch_size, eta, lmbda, regularization, dropout, momentum,
                  early_stopping, eta_patience, eta_divisor, eta_floor, allow_unstable_momentum)
    if fused not in (None, True, False):
        raise ValueError(f"fused={fused!r} is not allowed: None (compiled when possible), "
                         "True or False")


def is_number(value):
    """True for an int or a float (not a bool): what network2's epochs and eta are."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def check_call_order(test_data, epochs, batch_size, eta):
    """A number where test_data belongs is network2's order: say how the two orders differ."""
    if is_number(test_data):
        given = ", ".join(repr(v) for v in (test_data, epochs, batch_size, eta) if v is not None)
        raise TypeError(
            f"test_data={test_data!r} is a number: this is network2's order of arguments, "
            "SGD(training_data, epochs, mini_batch_size, eta, lmbda=0.0, evaluation_data=None, "
            "...), which has no test data. stochastic_gradient_descent (and train) take the "
            "test data second: (training_data, test_data, epochs, batch_size, eta, lmbda=0.0, "
            f"monitoring=False, evaluation_data=None, ...). Call net.SGD(training_data, {given}, "
            f"...) for the book's order, or net.stochastic_gradient_descent(training_data, "
            f"test_data, {given}, ...) with test_data a data set or None")
    missing = [name for name, v in (("epochs", epochs), ("batch_size", batch_size), ("eta", eta))
               if v is None]
    if missing:
        raise TypeError(f"missing {' and '.join(missing)}: give (training_data, test_data, "
                        "epochs, batch_size, eta), e.g. (training_data, test_data, 30, 10, 0.5)")


def check_watched(watched, early_stopping, eta_patience, restore_best):
    """The stop rules and restore_best need a set to watch (validation, else test)."""
    if watched is None and (early_stopping or eta_patience or restore_best):
        asked = [f"{name}={v!r}" for name, v in (("early_stopping", early_stopping),
                                                 ("eta_patience", eta_patience),
                                                 ("restore_best", restore_best)) if v]
        raise ValueError(f"{' and '.join(asked)} {'needs' if len(asked) == 1 else 'need'} "
                         "evaluation_data or test_data to watch: pass validation data as "
                         "evaluation_data=..., or drop the option")


def data_sets(net, training_data, test_data, evaluation_data, early_stopping, eta_patience,
              restore_best):
    """({"train": (X, labels), "test": ..., "evaluation": ...}, the accuracy the stop rules
    watch): each set given converted once by ``net.data_arrays`` and checked non-empty."""
    sets = {"train": non_empty_set(net.data_arrays(training_data, "training_data", pixels=True),
                                   "training_data")}
    for name, data in (("test", test_data), ("evaluation", evaluation_data)):
        if data is not None:
            sets[name] = non_empty_set(net.data_arrays(data, f"{name}_data"), f"{name}_data")
    watched = ("evaluation_accuracy" if "evaluation" in sets
               else "test_accuracy" if "test" in sets else None)
    check_watched(watched, early_stopping, eta_patience, restore_best)
    return sets, watched


def non_empty_set(arrays, name):
    """(X, labels) of a data set given to train; an empty one is refused (0% every epoch)."""
    if arrays[0].shape[0] == 0:
        fix = ("pass at least one example" if name == "training_data" else
               f"pass at least one example, or {name}=None to train without it")
        raise ValueError(f"{name} is empty (0 examples); {fix}")
    return arrays


def non_empty_data(arrays, method):
    """(X, labels) unchanged if there is at least one example; an empty set is refused."""
    if arrays[0].shape[0] == 0:
        raise ValueError(f"{method}: data has no examples (an accuracy or mean cost of none "
                         "is undefined); pass at least one (x, y)")
    return arrays


def compiled_epoch_allowed(net, batch_size, dropout, fused):
    """Whether a run uses the compiled epoch: ``fused`` True, or None with batch_size <= 40,
    and a network and options it implements (else NumPy's step, ``update_mini_batch``)."""
    own = own_classes(net)
    if fused and own:  # never swap a learner's class for the built-in formula
        warnings.warn(f"fused=True: the {describe(own)} {'is' if len(own) == 1 else 'are'} "
                      "your own, which the compiled epoch cannot call; this run uses NumPy's "
                      "step, which calls them as written (pass fused=None to not be told)",
                      UserWarning, stacklevel=caller_stacklevel())
        return False
    if fused is False or (fused is None and batch_size > AUTO_FUSED_MAX_BATCH):
        return False
    from .compiled_epoch import unsupported  # deferred: compiled_epoch imports Numba (~1 s)
    why_not = unsupported(net, dropout)
    if fused and why_not:
        raise ValueError(f"fused=True: this run cannot use the compiled epoch: {why_not}; "
                         "pass fused=None or False for NumPy's step")
    return not why_not
