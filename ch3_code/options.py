"""Checks of the training options, so that bad input fails at once with a clear message.

``check_options`` refuses values that would train nonsense (negative eta, dropout of 1,
momentum of 1 or more unless asked for); ``monitors_for`` turns ``monitoring`` (True,
False, one name or a list of names) into the list of quantities to record.
"""
import math

import numpy as np

from .history import MONITORS
from .network import check_regularization

_DATA = {"train": "training_data", "test": "test_data", "evaluation": "evaluation_data"}

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
