"""Save a network to JSON and load it back (``NN2.save`` and ``NN2.load``).

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
existing good file survives a full disk or a killed process. A network whose
weights are NaN or infinite (a diverged run) is refused, and loading rejects
non-finite or null values, so a file always holds a usable network.
"""
import json
import os
import tempfile
from pathlib import Path

import numpy as np

FORMAT = "ch3_code.NN2/1"


def save(net, path):
    """Write ``net`` to ``path`` as JSON, atomically (temporary file, fsync, rename)."""
    path = Path(path)
    for kind, arrays in (("weights", net.weights), ("biases", net.biases)):
        if not all(np.isfinite(p).all() for p in arrays):
            raise ValueError(f"cannot save {path}: some {kind} are NaN or infinite (the run "
                             "diverged); train again with a lower eta and save that network")
    record = {"format": FORMAT, "layer_sizes": net.layer_sizes, "activation": net.activation.name,
              "output_activation": net.output_activation.name, "cost": net.cost.name,
              "dtype": net.dtype.name, "rand_seed": net.rand_seed,
              "weights": [np.asarray(w, dtype=np.float64).tolist() for w in net.weights],
              "biases": [np.asarray(b, dtype=np.float64).tolist() for b in net.biases]}
    text = json.dumps(record, allow_nan=False)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path):
    """Rebuild the NN2 written by ``save`` to ``path``.

    Raises FileNotFoundError for a missing file and ValueError, naming the file
    and the problem, for anything that is not a network saved by ``save``.
    """
    from .network import NN2
    path = Path(path)
    try:
        record = json.loads(path.read_text(), parse_constant=_refuse_constant)
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            found = record.get("format") if isinstance(record, dict) else type(record).__name__
            raise ValueError(f"format is {found!r}, expected {FORMAT!r}")
        net = NN2(record["layer_sizes"], rand_seed=record.get("rand_seed"),
                  activation=record["activation"], cost=record["cost"],
                  output_activation=record["output_activation"],
                  dtype=record.get("dtype", "float64"))
        weights = [_finite_array(w, "weights", net.dtype) for w in record["weights"]]
        biases = [_finite_array(b, "biases", net.dtype) for b in record["biases"]]
        if len(weights) != len(net.weights) or len(biases) != len(net.biases):
            raise ValueError("the number of weight or bias arrays does not match layer_sizes")
        for got, want in zip(weights + biases, net.weights + net.biases):
            if got.shape != want.shape:
                raise ValueError(f"an array of shape {got.shape} where {want.shape} belongs")
    except FileNotFoundError:
        raise
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"{path} is not a network saved by NN2.save "
                         f"({type(exc).__name__}: {exc}); save it again with net.save(path)"
                         ) from exc
    net.weights, net.biases = weights, biases
    return net


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

