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

Saving is safe against a failed write: the JSON goes to a temporary file in the
same folder, is flushed and fsync'ed, and only then renamed over ``path``, so an
existing good file survives a full disk or a killed process. The temporary file is
named ``.net.json.<pid>-<random>.tmp`` (for ``net.json``): one left by a process that
was killed (``kill -9``, a power cut) is removed by the next save or load of that path,
once its process is gone or it is an hour old. A network whose weights are NaN or
infinite (a diverged run) is refused, and loading rejects non-finite or null values,
so a file always holds a usable network.

A cost or activation class of the learner's own (``own_classes``) cannot be rebuilt
from a name: ``save`` warns and records which classes were the learner's, and ``load``
asks for them (``NN2.load(path, cost=MyCost)``), naming any that are missing.
"""
import contextlib
import json
import os
import re
import tempfile
import time
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..activations import get_activation
from ..costs import get_cost
from .arrays import caller_stacklevel
from .checks import check_dtype, check_layer_sizes
from .own_classes import ROLES, describe, is_builtin, load_call, own_classes, qualified_name

FORMAT = "ch3_code.NN2/1"
STALE_SECONDS = 3600  # a temporary file this old is left over: a save takes seconds


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
    remove_stale_temporary_files(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp",
                                   dir=path.parent)
    except OSError as exc:
        problem = (f"its folder {str(path.parent)!r} does not exist; create it first, or give "
                   "another path" if isinstance(exc, FileNotFoundError) else
                   f"cannot write in its folder {str(path.parent)!r}: {exc.strerror or exc}")
        raise _naming(exc, path, problem) from None
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):  # a full disk, path is a folder, ...
            raise _naming(exc, path, exc.strerror or str(exc)) from exc
        raise
    if own:
        warnings.warn(f"{path} keeps the names of your own {describe(own)}, not their code; "
                      f"load it with {load_call(own)}", UserWarning,
                      stacklevel=caller_stacklevel())


def _naming(exc, path, problem):
    """The same kind of OSError, naming the path given rather than the temporary file."""
    message = f"cannot save the network to {path}: {problem}"
    if exc.errno is None:
        return type(exc)(message)
    return type(exc)(exc.errno, message, str(path))


def remove_stale_temporary_files(path):
    """Remove the temporary files of saves to ``path`` that a killed process left behind.

    Only ``.<name>.<pid>-<random>.tmp`` files (``save``'s own) and only stale ones: their
    process no longer runs, or they are older than ``STALE_SECONDS`` (the pid may have
    been reused, or the file came from another machine sharing the folder).
    """
    own = re.compile(rf"\.{re.escape(path.name)}\.(\d+)-[a-z0-9_]+\.tmp")
    try:
        candidates = list(path.parent.iterdir())
    except OSError:  # a missing or unreadable folder: nothing to clean here
        return
    for tmp in candidates:
        match = own.fullmatch(tmp.name)
        if match and _stale(tmp, int(match.group(1))):
            try:
                tmp.unlink()
            except OSError:  # someone else's or already gone: leave it
                pass


def _stale(tmp, pid):
    try:
        if time.time() - tmp.stat().st_mtime > STALE_SECONDS:
            return True
    except OSError:
        return False
    if pid == os.getpid():
        return False  # this process's own save may be writing it (another thread)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):  # it exists (another user's: EPERM) or cannot tell
        return False
    return False


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


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask

