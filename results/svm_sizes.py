"""The book's SVM comparison at every training-set size, run once and kept: results/svm_sizes.json.

    python results/svm_sizes.py                 # all nine sizes (about an hour on 2 cores)
    python results/svm_sizes.py --sizes 100 200 # some of them (merged into the file)

Chapter 2 (the "More training data" section) compares the network with scikit-learn's support
vector machine with the settings of the book's time: an RBF kernel, C = 1 and gamma = 1/784
(``SVC(kernel="rbf", C=1, gamma="auto")``), trained on the first n training images and scored
on the 10,000 validation images. The result is deterministic given the data and the library
(there is no seed), so one run is the result. At 10,000 images and more a fit and its scoring
take minutes to most of an hour, too long for the chapter: they run here once and the chapter
shows them marked "precomputed", with the time each took and the library versions.

Both cores are used where scikit-learn allows it: the fit is libsvm's, on one core, so two
sizes are fitted at once (the largest first); scoring a fitted SVM is split into chunks of
validation images scored in parallel (joblib), which gives the same predictions.
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.svm import SVC

import ch3_code

OUT = Path(__file__).resolve().parent / "svm_sizes.json"
SIZES = (100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000)
SETTINGS = dict(kernel="rbf", C=1.0, gamma="auto")
CHUNKS = 8  # scoring: validation images split into this many chunks, run on every core


def fit(n):
    """The SVM fitted on the first n training images, and the processor seconds it took."""
    training, _, _ = ch3_code.load_mnist(progress=False)
    start = time.process_time()
    svm = SVC(**SETTINGS).fit(training.X[:n], training.y[:n])
    return svm, time.process_time() - start


def predict_chunk(svm, X):
    start = time.process_time()
    return svm.predict(X), time.process_time() - start


def score(svm, jobs):
    """Validation accuracy (%) of ``svm``, scored in parallel chunks; processor seconds."""
    _, validation, _ = ch3_code.load_mnist(progress=False)
    chunks = np.array_split(np.arange(len(validation.y)), CHUNKS)
    parts = joblib.Parallel(n_jobs=jobs)(
        joblib.delayed(predict_chunk)(svm, validation.X[rows]) for rows in chunks)
    predicted = np.concatenate([p for p, _ in parts])
    return 100 * float(np.mean(predicted == validation.y)), sum(s for _, s in parts)


def run(sizes, jobs):
    started = time.perf_counter()
    fitted = joblib.Parallel(n_jobs=jobs)(
        joblib.delayed(fit)(n) for n in sorted(sizes, reverse=True))
    results = {}
    for n, (svm, fit_seconds) in zip(sorted(sizes, reverse=True), fitted):
        accuracy, score_seconds = score(svm, jobs)
        results[str(n)] = dict(accuracy=round(accuracy, 2), fit_seconds=round(fit_seconds, 1),
                               score_seconds=round(score_seconds, 1),
                               support_vectors=int(svm.n_support_.sum()))
        print(f"n = {n:6,}: {accuracy:.2f}% (fit {fit_seconds:.0f} s, score {score_seconds:.0f} s"
              f" of processor time, {int(svm.n_support_.sum()):,} support vectors)", flush=True)
    return results, time.perf_counter() - started


def write(results, wall_seconds, command):
    """Merge ``results`` into OUT (other sizes kept) and replace the file in one rename."""
    old = json.loads(OUT.read_text()) if OUT.exists() else {"sizes": {}}
    record = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
                   f"{platform.release()}",
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                     "numpy": np.__version__},
        "settings": {**SETTINGS, "gamma_value": 1 / 784},
        "command": command,
        "wall_seconds": round(wall_seconds),
        "note": "processor seconds per fit and per scoring (summed over chunks); the wall time "
                "is the whole command's, with two fits and the scoring chunks in parallel",
        "sizes": {**old.get("sizes", {}), **results},
    }
    with tempfile.NamedTemporaryFile("w", dir=OUT.parent, suffix=".tmp", delete=False) as f:
        json.dump(record, f, indent=1, sort_keys=True)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(f.name, OUT)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, choices=SIZES,
                        metavar="N", help="training-set sizes (default: all nine)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel processes (default 2)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be 1 or more")
    results, wall = run(args.sizes, args.jobs)
    write(results, wall, "python results/svm_sizes.py " + " ".join(sys.argv[1:]))
    print(f"written to {OUT} ({wall:.0f} s)")


if __name__ == "__main__":
    main()
