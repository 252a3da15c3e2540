"""Checks of the arguments of ``NN2`` and ``train``: bad input fails at once, clearly.

``check_layer_sizes``, ``check_dtype`` and ``check_rand_seed`` check a network's
arguments (an absurd size is refused before any memory is allocated); ``check_options``
refuses training values that would train nonsense (negative eta, dropout of 1, momentum
of 1 or more unless asked for); ``monitors_for`` turns ``monitoring`` (True, False, one
name or a list of names) into the list of quantities to record.
"""
import math
import os

import numpy as np

from ..history import MONITORS

_DATA = {"train": "training_data", "test": "test_data", "evaluation": "evaluation_data"}
DTYPES = ("float32", "float64")
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
