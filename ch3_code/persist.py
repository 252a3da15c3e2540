"""Save a network to JSON and load it back.

The file records everything needed to rebuild the network: the layer sizes,
the names of the hidden activation, the output activation and the cost, the
seed, and every weight and bias as nested lists. JSON keeps the file readable
and free of pickle's security problems; the cost is a larger file (about
0.5 MB for [784, 30, 10]). Unlike the book's network2.py, a cost given as an
instance saves as well as a class, because only its name is stored.
"""
import json
from pathlib import Path

import numpy as np

FORMAT = "ch3_code.NN2/1"


def save(net, path):
    """Write ``net`` to ``path`` as JSON."""
    seed = net.rand_seed if net.rand_seed is None or isinstance(net.rand_seed, int) else None
    record = {"format": FORMAT, "layer_sizes": net.layer_sizes, "activation": net.activation.name,
              "output_activation": net.output_activation.name, "cost": net.cost.name, "rand_seed": seed,
              "weights": [w.tolist() for w in net.weights], "biases": [b.tolist() for b in net.biases]}
    Path(path).write_text(json.dumps(record))


def load(path, cls):
    """Rebuild an instance of ``cls`` (NN2) from a file written by ``save``.

    Raises FileNotFoundError for a missing file and ValueError, naming the file
    and the problem, for anything that is not a network saved by ``save``.
    """
    path = Path(path)
    try:
        record = json.loads(path.read_text())
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            found = record.get("format") if isinstance(record, dict) else type(record).__name__
            raise ValueError(f"format is {found!r}, expected {FORMAT!r}")
        net = cls(record["layer_sizes"], rand_seed=record.get("rand_seed"), activation=record["activation"],
                  cost=record["cost"], output_activation=record["output_activation"])
        weights = [np.array(w, dtype=np.float64) for w in record["weights"]]
        biases = [np.array(b, dtype=np.float64) for b in record["biases"]]
        if len(weights) != len(net.weights) or len(biases) != len(net.biases):
            raise ValueError("the number of weight or bias arrays does not match layer_sizes")
        for got, want in zip(weights + biases, net.weights + net.biases):
            if got.shape != want.shape:
                raise ValueError(f"an array of shape {got.shape} where {want.shape} belongs")
    except FileNotFoundError:
        raise
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"{path} is not a network saved by NN2.save ({type(exc).__name__}: {exc}); "
                         "save it again with net.save(path)") from exc
    net.weights, net.biases = weights, biases
    return net
