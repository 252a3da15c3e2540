"""The compiled epoch of this tree against the same epoch at another git revision, side by side.

    python benchmarks/train_speed.py --against REV      (or: python benchmarks/against.py REV)

A change to the compiled epoch (``ch3_code/internals/compiled_*.py``) must not make it
slower. Two versions of one package cannot share a process, so each round runs two child
processes, one per tree, in alternating order: each loads the same float32 MNIST arrays,
trains one epoch untimed (Numba loads or compiles its cache), then ``epochs`` epochs of
[784, 30, 10], batch 10, eta 0.5, lmbda 5 with the compiled epoch, and reports each
epoch's CPU time (the process's, so another job's time on the machine does not count).
The ratio this tree / REV is taken per round, from the two children's medians, and the
median of the rounds is reported with its range.
"""
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
import ch3_code
X, y = np.load(sys.argv[2], mmap_mode="r"), np.load(sys.argv[3])
X = np.array(X)
net = ch3_code.NN2([784, 30, 10], rand_seed=0, dtype="float32")
quiet = dict(progress=False, verbose=False, fused=True)
net.stochastic_gradient_descent((X, y), None, 1, 10, 0.5, 5.0, **quiet)  # compile or load
seconds = []
for _ in range(int(sys.argv[4])):
    t0 = time.process_time()
    net.stochastic_gradient_descent((X, y), None, 1, 10, 0.5, 5.0, **quiet)
    seconds.append(time.process_time() - t0)
print(json.dumps(seconds))
"""


def _child(tree, files, epochs):
    out = subprocess.run([sys.executable, "-c", CHILD, str(tree), *files, str(epochs)],
                         capture_output=True, text=True, check=True, cwd=tree,
                         env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1",
                              "OPENBLAS_NUM_THREADS": "1", "HOME": str(Path.home())})
    return statistics.median(json.loads(out.stdout.splitlines()[-1]))


def compare(rev, rounds=15, epochs=5):
    """(median ratio this tree / rev, lowest, highest, this tree's s, rev's s) per epoch."""
    import ch3_code
    training = ch3_code.load_mnist(progress=False)[0]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        other = tmp / "other"
        other.mkdir()
        archive = subprocess.run(["git", "archive", rev, "ch3_code"], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(other)], input=archive, check=True)
        files = [str(tmp / "X.npy"), str(tmp / "y.npy")]
        np.save(files[0], np.asarray(training.X, dtype=np.float32))
        np.save(files[1], np.asarray(training.y))
        here, there = [], []
        for k in range(rounds):
            pair = [(ROOT, here), (other, there)]
            for tree, times in (pair if k % 2 == 0 else pair[::-1]):
                times.append(_child(tree, files, epochs))
    ratios = [a / b for a, b in zip(here, there)]
    return (statistics.median(ratios), min(ratios), max(ratios),
            statistics.median(here), statistics.median(there))


def row(rev, rounds=15, epochs=5):
    """The README table's row."""
    ratio, low, high, here, there = compare(rev, rounds, epochs)
    short = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.strip()
    return (f"| compiled epoch, this tree / the same at `{short}` (`--against {rev}`), float32, "
            f"lmbda 5, CPU time | {here:.3f} s / {there:.3f} s | {ratio:.3f} (median of "
            f"{rounds} alternating rounds of {epochs} epochs; range {low:.3f}-{high:.3f}) |")


if __name__ == "__main__":
    print(row(sys.argv[1]))
