"""Rerun the registry's experiments with several seeds and record the spread.

    python -m ch3_code.reproduce --seeds 5 --only CE-30 L2-50k --jobs 2
    python -m ch3_code.reproduce --seeds 5 --dask tcp://scheduler:8786   # on a Dask cluster

Each experiment is trained once per seed (seeds 1, 2, ...) with the book's configuration,
through :func:`ch3_code.sweep` (parallel processes, or a Dask cluster if the sweep is set up
for one); every quantity of the registry is measured on every run, and the mean, standard
deviation (n - 1 in the denominator) and range per quantity are written to
``results/seed_spread.json`` with the date, the machine and the package version. The
scorecard page shows them next to the chapters' single runs. SVM and the one-neuron demos
have no seed and are skipped. ``--epochs`` and ``--n`` cap the runs for a quick trial; such
a file says so in its ``settings``.
"""
import argparse
import datetime
import json
import os
import platform
import sys
import warnings
from pathlib import Path

import numpy as np

from . import registry
from .training import DivergenceWarning

NO_SEED = ("SVM", "NEURON")
MONITORS = {"OVERFIT-1k": ["train_accuracy", "test_accuracy", "test_cost"],
            "OVERFIT-50k": ["train_accuracy", "test_accuracy"],
            "L2-50k": ["train_accuracy", "test_accuracy"]}
_DATA = {}


def _data():
    if not _DATA:
        from .data import load_mnist
        _DATA["sets"] = load_mnist()
    return _DATA["sets"]


def train_one(exp_id, run, seed, epochs=None, n=None):
    """Train one run of one experiment with ``seed``: a History (DATA-SIZE: final accuracy %)."""
    exp = registry.get(exp_id)
    config = exp.run_config(run)
    training, validation, test = _data()
    size = min(config["n"], n or config["n"])
    epochs = min(config["epochs"], epochs or config["epochs"])
    net = exp.network(run, seed=seed)
    quiet = dict(progress=False, verbose=False)
    if exp_id == "DATA-SIZE":
        net.stochastic_gradient_descent(training[:size], None, epochs, config["batch_size"],
                                        config["eta"], lmbda=config["lmbda"], **quiet)
        return 100 * net.accuracy(validation)
    monitor = config["monitor"]
    kwargs = dict(lmbda=config["lmbda"], **quiet)
    if monitor == "validation":
        kwargs["evaluation_data"] = validation[:config.get("n_validation", len(validation))]
        kwargs["monitoring"] = ["evaluation_accuracy"]
    elif monitor == "train":
        kwargs["monitoring"] = ["train_cost"]
    else:
        kwargs["monitoring"] = MONITORS.get(exp_id, ["test_accuracy"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DivergenceWarning)  # a diverged run is a result too
        history = net.stochastic_gradient_descent(
            training[:size], test if monitor == "test" else None, epochs, config["batch_size"],
            config["eta"], **kwargs)
    if exp_id == "HYPER-STRIP" and not history["evaluation_accuracy"]:
        # diverged before its first evaluation: score the network as it was left, as the
        # chapter does (the book's code kept going and scored chance)
        return [100 * net.accuracy(kwargs["evaluation_data"])]
    return history


def _sweep(configs, jobs):
    try:
        from .sweep import sweep
    except ImportError:  # ch3_code.sweep not available: one run after the other
        print("ch3_code.sweep is not available: running the configurations one by one")
        return [train_one(**c) for c in configs]
    return sweep(train_one, configs, n_jobs=jobs)


def spread(values, book):
    """mean, sd, min, max and count of the measured ``values``; is the book outside the range?"""
    numbers = [v for v in values if isinstance(v, float) and not isinstance(v, str)]
    if not numbers:
        return {"mean": None, "count": 0, "values": []}
    a = np.asarray(numbers)
    stats = {"mean": float(a.mean()), "sd": float(a.std(ddof=1)) if len(a) > 1 else 0.0,
             "min": float(a.min()), "max": float(a.max()), "count": len(a),
             "values": [float(v) for v in a], "book": book}
    stats["book_outside"] = book is not None and not a.min() <= book <= a.max()
    return stats


def reproduce(ids, seeds, jobs=None, epochs=None, n=None):
    """{id: {quantity key: spread}} for the experiments ``ids`` over ``seeds``."""
    configs = [dict(exp_id=i, run=run, seed=s, epochs=epochs, n=n)
               for i in ids for s in seeds for run in (registry.get(i).runs or [None])]
    results = _sweep(configs, jobs)
    grouped = {}
    for config, result in zip(configs, results):
        key = (config["exp_id"], config["seed"])
        if config["run"] is None:
            grouped[key] = result
        else:
            grouped.setdefault(key, {})[config["run"]] = result
    out = {}
    for exp_id in ids:
        exp = registry.get(exp_id)
        measured = [exp.measure(grouped[exp_id, s]) for s in seeds]
        out[exp_id] = {q.key: spread([m[q.key] for m in measured], q.book)
                       for q in exp.quantities}
    return out


def _version():
    try:
        from importlib.metadata import version
        return version("ch3_code")
    except Exception:  # not installed, e.g. run from a checkout with PYTHONPATH
        return "unknown"


def _machine():
    """The processor, its BLAS kernel, the OS and Python: float32 sums round differently from
    one BLAS kernel to another (OpenBLAS picks one per processor), so the same seed can end a
    few hundredths of a point apart on two machines."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        from threadpoolctl import threadpool_info
        kernels = sorted({f"{i.get('internal_api')} {i.get('architecture')}"
                          for i in threadpool_info() if i.get("user_api") == "blas"})
    except Exception:  # threadpoolctl missing or unable to inspect the libraries
        kernels = []
    blas = f", BLAS {' / '.join(kernels)}" if kernels else ""
    return (f"{cpu} ({platform.machine()}), {os.cpu_count()} CPUs{blas}, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ch3_code.reproduce", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds (1, 2, ...)")
    parser.add_argument("--only", nargs="+", metavar="ID", help="experiment ids (default: all)")
    parser.add_argument("--jobs", type=int, default=None, help="parallel processes")
    parser.add_argument("--epochs", type=int, help="cap the epochs (a quick trial only)")
    parser.add_argument("--n", type=int, help="cap the training-set size (a quick trial only)")
    parser.add_argument("--out", default=str(Path("results") / "seed_spread.json"))
    parser.add_argument("--dask", metavar="ADDRESS",
                        help="run on the Dask cluster whose scheduler is at ADDRESS")
    args = parser.parse_args(argv)
    ids = args.only or [i for i in registry.ids() if i not in NO_SEED]
    for exp_id in ids:
        if exp_id not in registry.ids():
            parser.error(f"no experiment {exp_id!r}; ids: {', '.join(registry.ids())}")
        if exp_id in NO_SEED:
            parser.error(f"{exp_id} has no seed (it is deterministic); leave it out of --only")
    seeds = list(range(1, args.seeds + 1))
    if args.dask:
        import joblib
        from dask.distributed import Client
        with Client(args.dask), joblib.parallel_config(backend="dask"):
            found = reproduce(ids, seeds, jobs=args.jobs, epochs=args.epochs, n=args.n)
    else:
        found = reproduce(ids, seeds, jobs=args.jobs, epochs=args.epochs, n=args.n)
    out = Path(args.out)
    old = json.loads(out.read_text(encoding="utf8")) if out.exists() else {}
    settings = {"epochs": args.epochs, "n": args.n}
    if old.get("settings", settings) != settings or old.get("seeds") != args.seeds:
        old = {}  # results made with other settings are not mixed with these
    record = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "machine": _machine(),
              "package_version": _version(), "seeds": args.seeds, "settings": settings,
              "command": "python -m ch3_code.reproduce " + " ".join(argv or sys.argv[1:]),
              "experiments": {**old.get("experiments", {}), **found}}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf8")
    for exp_id, quantities in found.items():
        for key, s in quantities.items():
            if s["count"]:
                flag = "  (the book's value is outside the seed range)" * s["book_outside"]
                print(f"{exp_id} {key}: {s['mean']:.2f} ± {s['sd']:.2f} "
                      f"[{s['min']:.2f}, {s['max']:.2f}], book {s['book'] or '–'}{flag}")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
