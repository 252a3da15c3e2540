"""Save a network to JSON and read it back (``NN2.save`` and ``NN2.load``).

The file records what rebuilds the network: the layer sizes, the names of the
hidden activation, the output activation and the cost, the dtype, the seed the
network was created with, and every weight and bias as nested lists. JSON keeps
the file readable and free of pickle's security problems (about 0.5 MB for
[784, 30, 10]). A cost given as an instance saves as well as a class, because
only its name is stored (the book's network2.py fails there).

What is *not* saved: the state of the random-number generator. A loaded network
restarts its generator from the saved seed, so continuing training after a reload
shuffles and drops out as a fresh network with that seed would, not as the
original run would have gone on: the weights carry on, the random draws repeat
from their beginning. (Momentum velocities are not kept between ``train`` calls
either, saved or not.)

Saving is safe against a failed write (:mod:`ch3_code.internals.atomic_write`): the JSON
goes to a temporary file, fsync'ed, then renamed over ``path``, so an existing good file
survives a full disk or a killed process; a killed save's temporary file is removed by the
next save or load of that path. A network whose weights are NaN or infinite (a diverged run)
is refused, and loading rejects non-finite or null values, so a file always holds a usable
network.

A cost or activation class of the learner's own (``own_classes``) cannot be rebuilt
from a name: ``save`` warns and records which classes were the learner's, and ``load``
asks for them (``NN2.load(path, cost=MyCost)``), naming any that are missing.
"""
import contextlib
import json
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..activations import get_activation
from ..costs import get_cost
from .arrays import caller_stacklevel
from .atomic_write import STALE_SECONDS, remove_stale_temporary_files, write_atomically
from .checks import check_dtype, check_layer_sizes
from .own_classes import ROLES, describe, is_builtin, load_call, own_classes, qualified_name

__all__ = ["FORMAT", "MissingClassError", "STALE_SECONDS", "Saved", "naming", "read",
           "remove_stale_temporary_files", "save"]

FORMAT = "ch3_code.NN2/1"


def save(net, path):
    """Write ``net`` to ``path`` as JSON, atomically (temporary file, fsync, rename)."""
    path = Path(path)
    for kind, arrays in (("weights", net.weights), ("biases", net.biases)):
        if not all(np.isfinite(p).all() for p in arrays):
            raise ValueError(f"cannot save {path}: some {kind} are NaN or infinite (the run "
                             "diverged); train again with a lower eta and save that network")
    own = own_classes(net)
    record = {"format": FORMAT, "layer_sizes": net.layer_sizes, "activation": net.activation.name,
              "output_activation": net.output_activation.name, "cost": net.cost.name,
              "dtype": net.dtype.name, "rand_seed": net.rand_seed,
              "weights": [np.asarray(w, dtype=np.float64).tolist() for w in net.weights],
              "biases": [np.asarray(b, dtype=np.float64).tolist() for b in net.biases]}
    if own:
        record["own_classes"] = {role: qualified_name(cls) for role, cls in own.items()}
    text = json.dumps(record, allow_nan=False)
    write_atomically(path, text)
    if own:
        warnings.warn(f"{path} keeps the names of your own {describe(own)}, not their code; "
                      f"load it with {load_call(own)}", UserWarning,
                      stacklevel=caller_stacklevel())


class Saved(NamedTuple):
    """What a file holds: the arguments of ``NN2`` and the weights and biases to put in it."""
    layer_sizes: list
    rand_seed: int | None
    dtype: np.dtype
    classes: dict  # {"activation": ..., "output_activation": ..., "cost": ...}, class or name
    weights: list
    biases: list


def read(path, cost=None, activation=None, output_activation=None):
    """The network written by ``save`` to ``path``, as a ``Saved`` (``NN2.load`` builds it).

    cost, activation, output_activation: classes to use instead of the names the file
    records; needed for a network saved with classes of your own (a given built-in name
    must match the file's). Raises FileNotFoundError for a missing file and ValueError,
    naming the file and the problem, for anything that is not a network saved by ``save``
    or whose own classes were not given.
    """
    path = Path(path)
    remove_stale_temporary_files(path)
    given = {"activation": activation, "output_activation": output_activation, "cost": cost}
    for role, value in given.items():  # a bad class is the caller's error, not the file's
        if value is not None:
            (get_cost if role == "cost" else get_activation)(value)
    with naming(path):
        record = json.loads(path.read_text(), parse_constant=_refuse_constant)
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            found = record.get("format") if isinstance(record, dict) else type(record).__name__
            raise ValueError(f"format is {found!r}, expected {FORMAT!r}")
        classes = _classes(record, given, path)
        dtype = check_dtype(record.get("dtype", "float64"))
        sizes = check_layer_sizes(record["layer_sizes"], dtype)
        weights = [_finite_array(w, "weights", dtype) for w in record["weights"]]
        biases = [_finite_array(b, "biases", dtype) for b in record["biases"]]
        if len(weights) != len(sizes) - 1 or len(biases) != len(sizes) - 1:
            raise ValueError("the number of weight or bias arrays does not match layer_sizes")
        shapes = [(n_out, n_in) for n_in, n_out in zip(sizes, sizes[1:])]
        for got, want in zip(weights + biases, shapes + [(n, 1) for n, _ in shapes]):
            if got.shape != want:
                raise ValueError(f"an array of shape {got.shape} where {want} belongs")
    return Saved(sizes, record.get("rand_seed"), dtype, classes, weights, biases)


@contextlib.contextmanager
def naming(path):
    """Inside: anything wrong with the file (or the network it describes) is a ValueError
    that names ``path``; a missing file or a missing class of one's own passes as it is."""
    try:
        yield
    except (FileNotFoundError, MissingClassError):
        raise
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"{path} is not a network saved by NN2.save "
                         f"({type(exc).__name__}: {exc}); save it again with net.save(path)"
                         ) from exc


class MissingClassError(ValueError):
    """A saved network needs a class of the learner's own that ``load`` was not given."""


def _classes(record, given, path):
    """{role: class or name} for NN2: the classes given, else the names the file records."""
    own = record.get("own_classes") or {}
    if not isinstance(own, dict):
        raise ValueError(f"own_classes is {own!r}, expected a mapping")
    if given["output_activation"] is None and own.get("output_activation") is not None \
            and own.get("output_activation") == own.get("activation"):
        given = dict(given, output_activation=given["activation"])  # one class, both layers
    classes, missing = {}, {}
    for role in ROLES:
        name, lookup = record[role], get_cost if role == "cost" else get_activation
        if not isinstance(name, str):
            raise ValueError(f"{role} is {name!r}, expected the name of a class")
        if given[role] is not None:
            chosen = lookup(given[role])
            if role not in own and _builtin(lookup, name) and is_builtin(role, chosen) \
                    and chosen is not lookup(name):
                raise ValueError(f"{role}={chosen.name!r} does not match the {name!r} the "
                                 "network was saved with; leave it out")
            classes[role] = given[role]
        elif role in own or not _builtin(lookup, name):
            missing[role] = str(own.get(role, name)).rsplit(".", 1)[-1]
        else:
            classes[role] = name
    if missing:
        raise MissingClassError(
            f"{path} was saved with your own {_describe_names(missing, own)}, which a file "
            f"cannot hold (only names); define the class and pass it: {load_call(missing)}")
    return classes


def _describe_names(missing, own):
    """'cost MyCost (saved as __main__.MyCost)' for {role: class name}."""
    return " and ".join(f"{role} {name}" + (f" (saved as {own[role]})" if role in own else "")
                        for role, name in missing.items())


def _builtin(lookup, name):
    try:
        lookup(name)
    except (ValueError, TypeError):
        return False
    return True


def _finite_array(values, kind, dtype):
    """Nested lists of finite numbers as an array; null, NaN or infinity are refused."""
    array = np.array(values, dtype=np.float64)  # a JSON null becomes NaN here
    if not np.isfinite(array).all():
        raise ValueError(f"{kind} contain null, NaN or infinite values")
    return np.ascontiguousarray(array, dtype=dtype)


def _refuse_constant(name):
    raise ValueError(f"the file contains {name}, which is not a number a network can hold")
