"""Rerun the registry's experiments with several seeds and record the spread.

    python -m ch3_code.reproduce --seeds 5 --only CE-30 L2-50k --jobs 2
    python -m ch3_code.reproduce --seeds 5 --dask tcp://scheduler:8786   # on a Dask cluster
    python -m ch3_code.reproduce --variant float64 --jobs 2   # one cause of a gap to the book

Each experiment is trained once per seed (seeds 1, 2, ...) with the book's configuration,
through :func:`ch3_code.sweep` (parallel processes, or a Dask cluster if the sweep is set up
for one); every quantity of the registry is measured on every run, and the mean, standard
deviation (n - 1 in the denominator) and range per quantity are written to
``results/seed_spread.json`` with the date, the machine, the package version and the wall
time. The
scorecard page shows them next to the chapters' single runs. SVM and the one-neuron demos
have no seed and are skipped.

The file is never lost or emptied: every argument, the ``--out`` folder (by writing a test
file) and the old file's entries are checked before any training; the new entries are
merged into the old file, which is replaced in one rename (see
:mod:`ch3_code.book.spread_file`); each replaced entry is listed. ``--epochs`` and ``--n`` cap
the runs for a quick trial, which goes to ``results/seed_spread.quick.json``: a file holds
one set of settings and one number of seeds, and entries made otherwise are dropped only
with ``--replace`` (and listed).

``--variant NAME ...`` reruns with one change towards the book's code or data (see
:mod:`ch3_code.book.variants`: float64, pixels256, network2-init), by default the
experiments whose book value lies outside the seed range, into ``results/variants.json``.
"""
import argparse
import contextlib
import sys
import time
import warnings
from pathlib import Path

from ..mnist import load_mnist
from ..sweep import SweepError, sweep
from ..training import DivergenceWarning
from . import record as record_file, variants
from .results import get, ids as experiment_ids
from .spread_file import SpreadFileError, check_writable, read_spread, spread  # noqa: F401

NO_SEED = ("SVM", "NEURON")
BOOK_FILE = Path("results") / "seed_spread.json"
QUICK_FILE = Path("results") / "seed_spread.quick.json"
VARIANTS_FILE = Path("results") / "variants.json"
BOOK_SEED = 12345678  # random.seed and np.random.seed in the book's fig/ scripts
MONITORS = {"OVERFIT-1k": ["train_accuracy", "test_accuracy", "test_cost"],
            "OVERFIT-50k": ["train_accuracy", "test_accuracy"],
            "L2-50k": ["train_accuracy", "test_accuracy"]}
_DATA = {}


def _data():
    if not _DATA:
        _DATA["sets"] = load_mnist()
    return _DATA["sets"]


def _variant_data(names):
    if names not in _DATA:
        _DATA[names] = variants.data(_data(), names)
    return _DATA[names]


def train_one(exp_id, run, seed, epochs=None, n=None, variant=()):
    """Train one run of one experiment with ``seed``: a History (DATA-SIZE: final accuracy %).

    ``variant``: names from ``variants.VARIANTS`` (the book's code or data, one change each).
    """
    exp = get(exp_id)
    config = exp.run_config(run)
    training, validation, test = _variant_data(tuple(variant))
    size = config["n"] if n is None else min(config["n"], n)
    epochs = config["epochs"] if epochs is None else min(config["epochs"], epochs)
    net = variants.network(exp, run, seed, tuple(variant))
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


def reproduce(ids, seeds, jobs=None, epochs=None, n=None, variant=()):
    """{id: {quantity key: spread}} for the experiments ``ids`` over ``seeds``.

    If some runs raise, the SweepError raised carries ``.spread``: the same dict for the
    experiments whose every run finished.
    """
    for name, value in (("epochs", epochs), ("n", n)):
        if value is not None and (not isinstance(value, int) or value < 1):
            raise ValueError(f"reproduce: {name} must be None (the book's) or >= 1, got {value!r}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("reproduce: seeds is empty; give at least one, e.g. [1, 2, 3]")
    variant = variants.check_names(variant)
    configs = [dict(exp_id=i, run=run, seed=s, epochs=epochs, n=n,
                    **({"variant": variant} if variant else {}))
               for i in ids for s in seeds for run in (get(i).runs or [None])]
    try:
        results = sweep(train_one, configs, n_jobs=jobs)
    except SweepError as exc:
        failed = [f[0] for f in exc.failed]
        exc.spread = record_file.spreads(ids, seeds, configs, exc.results, failed)
        raise
    return record_file.spreads(ids, seeds, configs, results, [])


def count(text):
    """An argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value} (leave the option "
                                         "out for its default)")
    return value


def _parser():
    parser = argparse.ArgumentParser(prog="python -m ch3_code.reproduce", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=count, default=5, help="number of seeds (1, 2, ...)")
    parser.add_argument("--only", nargs="+", metavar="ID", help="experiment ids (default: all)")
    parser.add_argument("--jobs", type=count, help="parallel processes (default: every core)")
    parser.add_argument("--epochs", type=count, help="cap the epochs (a quick trial only)")
    parser.add_argument("--n", type=count, help="cap the training-set size (a quick trial only)")
    parser.add_argument("--out", type=Path, help=f"the results file (default: {BOOK_FILE}, "
                        f"or {QUICK_FILE} with --epochs or --n)")
    parser.add_argument("--replace", action="store_true",
                        help="drop the file's entries made with other settings or seeds")
    parser.add_argument("--dask", metavar="ADDRESS",
                        help="run on the Dask cluster whose scheduler is at ADDRESS")
    parser.add_argument("--variant", nargs="+", metavar="NAME",
                        choices=[*variants.VARIANTS, *variants.SAME_AS_BOOK],
                        help="rerun with the book's code or data changed (names combine): "
                        f"{', '.join(variants.VARIANTS)}; into {VARIANTS_FILE} (default --only: "
                        "the experiments whose book value lies outside the seed range)")
    parser.add_argument("--book-seed", action="store_true",
                        help=f"with --variant: one run with the seed of the book's scripts, "
                        f"{BOOK_SEED}, instead of seeds 1, 2, ...")
    return parser


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.variant:
        for name in (n for n in args.variant if n in variants.SAME_AS_BOOK):
            print(f"{name}: already the book's: {variants.SAME_AS_BOOK[name]}; nothing to rerun")
        args.variant = variants.check_names(args.variant)
        if not args.variant:
            return 0
        args.only = args.only or _outside_ids(parser)
    elif args.book_seed:
        parser.error("--book-seed goes with --variant (the seed spread uses seeds 1, 2, ...)")
    seeds = [BOOK_SEED] if args.book_seed else range(1, args.seeds + 1)
    ids = list(dict.fromkeys(args.only or [i for i in experiment_ids() if i not in NO_SEED]))
    for exp_id in ids:
        if exp_id not in experiment_ids():
            parser.error(f"no experiment {exp_id!r}; ids: {', '.join(experiment_ids())}")
        if exp_id in NO_SEED:
            parser.error(f"{exp_id} has no seed (it is deterministic); leave it out of --only")
    settings = {"epochs": args.epochs, "n": args.n}
    out = args.out or (VARIANTS_FILE if args.variant else BOOK_FILE
                       if settings == {"epochs": None, "n": None} else QUICK_FILE)
    try:
        check_writable(out)
    except OSError as exc:
        parser.error(f"--out {out}: cannot write there ({exc.strerror or exc}); give a file "
                     "in a folder you can write to")
    record = {"seeds": len(seeds), "settings": settings,
              "command": "python -m ch3_code.reproduce " + " ".join(
                  sys.argv[1:] if argv is None else argv)}
    name = variants.label(args.variant or ()) + f" (seed {BOOK_SEED})" * args.book_seed

    def write(*arguments):
        return record_file.write(*arguments, variant=name)
    try:  # the old file and what merging would drop, before any training
        write(out, dict.fromkeys(ids, {}), record, args.replace, False)
    except SpreadFileError as exc:
        parser.exit(1, f"{parser.prog}: {exc}\n")
    failed, started = None, time.perf_counter()
    try:
        with _cluster(parser, args.dask):
            found = reproduce(ids, seeds, args.jobs, args.epochs, args.n,
                              args.variant or ())
    except SweepError as exc:
        found, failed = exc.spread, exc
    record["wall_seconds"] = round(time.perf_counter() - started)
    if found:
        write(out, found, record, args.replace, True)
    if failed:
        parser.exit(1, f"{parser.prog}: {failed}\nthe experiments whose every run finished "
                       f"are written: {', '.join(found) or 'none'}\n")
    return 0


def _cluster(parser, address):
    """Where the sweep runs: the Dask cluster at ``address`` (connected now), or here."""
    stack = contextlib.ExitStack()
    if address:
        try:
            import joblib  # deferred, with dask: only --dask needs them (dask is heavy)
            from dask.distributed import Client
            stack.enter_context(Client(address, timeout=20))
        except Exception as exc:  # dask missing, a mistyped address, no scheduler there
            parser.error(f"--dask {address}: cannot connect ({type(exc).__name__}: {exc})")
        stack.enter_context(joblib.parallel_config(backend="dask"))
    return stack


def _outside_ids(parser):
    """The experiments with a quantity whose book value lies outside the seed range."""
    try:
        stored = read_spread(BOOK_FILE) if BOOK_FILE.exists() else None
    except SpreadFileError as exc:
        parser.error(f"--variant: {exc}")
    found = list(dict.fromkeys(i for i, _ in variants.outside(stored)))
    if not found:
        parser.error(f"--variant: {BOOK_FILE} names no book value outside the seed range; "
                     "give the experiments with --only")
    return found


if __name__ == "__main__":
    sys.exit(main())
