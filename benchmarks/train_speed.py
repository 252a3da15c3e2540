"""How fast is ch3_code? One epoch of [784, 30, 10] on the 50,000 training images, batch 10.

Run from the repository root:
    python benchmarks/train_speed.py [--repeats 5] [--sweep-epochs 30] [--against REV]
                                     [--write-readme]

Everything is timed side by side in one process, repetitions interleaved, medians reported,
so that the ratios mean something on a shared, noisy machine:
  * the starting notebook's NN2, the code this project grew from (a mini-batch stacked from
    (784, 1) columns, new arrays every step);
  * a per-example loop (backpropagate one column at a time, add up the gradients);
  * the reference loop: the same SGD written by hand as tightly as NumPy allows
    (row-major batches, one gather per batch from a permutation, preallocated buffers,
    out= wherever it helps), in float64 and float32;
  * ch3_code.NN2 in float64 and float32 (the training part of the epoch, as History records it),
    with NumPy's step (fused=False) and with the default compiled epoch
    (ch3_code.internals.compiled_epoch);
  * evaluating the 10,000 test images (``accuracy``; and accuracy + cost in one pass) against
    the one (10000 x 784) @ (784 x 30) product that evaluation cannot avoid;
  * the peak memory (max RSS) of a monitored 50k run, in a child process;
  * a 4-run sweep, one after another vs in parallel (benchmarks/sweep_speed.py);
  * with --against REV, the compiled epoch against the same at a git revision
    (benchmarks/against.py): a change to it must not make it slower.
Every model is sigmoid + cross-entropy, eta 0.5. It prints a Markdown table; --write-readme
also writes it into benchmarks/README.md, between the two marker comments there (with the
machine, the date, the command and the load average: the hand-written text around them stays).
"""
import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import ch3_code  # noqa: E402


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


class SeedNN2:
    """The training step of the starting notebook's NN2, kept as it was (bugs that do not change
    the time included)."""

    def __init__(self, sizes, rng):
        self.rng = rng
        self.biases = [rng.normal(0, 1, (n, 1)) for n in sizes[1:]]
        self.weights = [rng.normal(0, 1 / np.sqrt(a), (b, a)) for a, b in zip(sizes[:-1], sizes[1:])]

    def epoch(self, training_data, batch_size, eta):
        training_data = list(training_data)
        self.rng.shuffle(training_data)
        for k in range(0, len(training_data), batch_size):
            batch = training_data[k:k + batch_size]
            x = np.hstack([d[0].reshape(-1, 1) for d in batch])
            y = np.hstack([d[1].reshape(-1, 1) for d in batch])
            nabla_b, nabla_w = self.backprop(x, y)
            m = len(batch)
            self.biases = [b - (eta / m) * nb for b, nb in zip(self.biases, nabla_b)]
            self.weights = [w - (eta / m) * nw - eta * 0.0 * w for w, nw in zip(self.weights, nabla_w)]

    def backprop(self, x, y):
        activation, activations, zs = x, [x], []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + np.broadcast_to(b, (b.shape[0], x.shape[1]))
            activation = sigmoid(z)
            zs.append(z)
            activations.append(activation)
        nabla_b = [np.zeros_like(b) for b in self.biases]
        nabla_w = [np.zeros_like(w) for w in self.weights]
        delta = activations[-1] - y
        nabla_b[-1] = delta.sum(axis=1, keepdims=True)
        nabla_w[-1] = np.dot(delta, activations[-2].T)
        for l in range(2, len(self.weights) + 1):
            s = sigmoid(zs[-l])
            delta = np.dot(self.weights[-l + 1].T, delta) * s * (1 - s)
            nabla_b[-l] = delta.sum(axis=1, keepdims=True)
            nabla_w[-l] = np.dot(delta, activations[-l - 1].T)
        return nabla_b, nabla_w


class PerExampleNN(SeedNN2):
    """The same maths, one (784, 1) example at a time, gradients summed in Python."""

    def epoch(self, training_data, batch_size, eta):
        order = self.rng.permutation(len(training_data))
        for k in range(0, len(order), batch_size):
            batch = [training_data[i] for i in order[k:k + batch_size]]
            sum_b = [np.zeros_like(b) for b in self.biases]
            sum_w = [np.zeros_like(w) for w in self.weights]
            for x, y in batch:
                nabla_b, nabla_w = self.backprop(x, y)
                sum_b = [s + nb for s, nb in zip(sum_b, nabla_b)]
                sum_w = [s + nw for s, nw in zip(sum_w, nabla_w)]
            self.biases = [b - (eta / len(batch)) * nb for b, nb in zip(self.biases, sum_b)]
            self.weights = [w - (eta / len(batch)) * nw for w, nw in zip(self.weights, sum_w)]


class ReferenceLoop:
    """SGD for [n_in, n_h, n_out] sigmoid + cross-entropy, hand-written as tightly as NumPy allows.

    One example per row; every intermediate has a preallocated buffer (one set for the
    full batch, one for a smaller last batch) and is computed with out=. The batch is
    gathered with X[idx] (fancy indexing): np.take(X, idx, axis=0, out=buffer) measured
    about 3x slower here (20 us against 7 us for 10 MNIST rows), so the "one gather" is a copy.
    """

    def __init__(self, X, labels, sizes, batch_size, dtype, seed=0):
        rng = np.random.default_rng(seed)
        n_in, n_h, n_out = sizes
        self.rng, self.X, self.batch_size, self.dtype = rng, np.asarray(X, dtype), batch_size, dtype
        self.Y = np.zeros((X.shape[0], n_out), dtype)
        self.Y[np.arange(X.shape[0]), labels] = 1
        self.w1 = rng.normal(0, 1 / np.sqrt(n_in), (n_h, n_in)).astype(dtype)
        self.w2 = rng.normal(0, 1 / np.sqrt(n_h), (n_out, n_h)).astype(dtype)
        self.b1 = rng.normal(0, 1, (1, n_h)).astype(dtype)
        self.b2 = rng.normal(0, 1, (1, n_out)).astype(dtype)
        self.nw1, self.nw2 = np.empty_like(self.w1), np.empty_like(self.w2)
        self.nb1, self.nb2 = np.empty(n_h, dtype), np.empty(n_out, dtype)
        self.buffers = {}

    def _buffers(self, m):
        if m not in self.buffers:
            n_h, n_out = self.w1.shape[0], self.w2.shape[0]
            self.buffers[m] = tuple(np.empty((m, k), self.dtype) for k in (n_h, n_out, n_h, n_h))
        return self.buffers[m]

    @staticmethod
    def _sigmoid(z):
        np.maximum(z, -80.0, out=z)  # e^80 is finite in float32
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += 1.0
        np.reciprocal(z, out=z)

    def epoch(self, eta):
        w1, w2, b1, b2, nw1, nw2, nb1, nb2 = (self.w1, self.w2, self.b1, self.b2,
                                              self.nw1, self.nw2, self.nb1, self.nb2)
        order = self.rng.permutation(self.X.shape[0])
        for k in range(0, order.shape[0], self.batch_size):
            idx = order[k:k + self.batch_size]
            x, y = self.X[idx], self.Y[idx]
            m = x.shape[0]
            a1, a2, d1, s = self._buffers(m)
            np.dot(x, w1.T, out=a1)
            a1 += b1
            self._sigmoid(a1)
            np.dot(a1, w2.T, out=a2)
            a2 += b2
            self._sigmoid(a2)
            a2 -= y                      # delta^L = a - y (cross-entropy), in a2's buffer
            a2 *= eta / m
            np.sum(a2, axis=0, out=nb2)
            np.dot(a2.T, a1, out=nw2)
            np.dot(a2, w2, out=d1)
            np.subtract(1.0, a1, out=s)  # sigma' = a (1 - a)
            s *= a1
            d1 *= s
            np.sum(d1, axis=0, out=nb1)
            np.dot(d1.T, x, out=nw1)
            w1 -= nw1
            w2 -= nw2
            b1 -= nb1
            b2 -= nb2


class Seconds(float):
    """A time a function measured itself (NN2's epoch, from its History), not a result."""


def interleaved_medians(fns, repeats):
    """Run each function once per round, ``repeats`` rounds; the median time of each.

    A function that returns ``Seconds`` gives its own time (NN2's epoch without set-up).
    """
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            seconds = fn()
            times[name].append(seconds if isinstance(seconds, Seconds) else time.perf_counter() - t0)
    return {name: statistics.median(t) for name, t in times.items()}


def peak_memory_mb(epochs=2, fused=None, cold=False):
    """Peak RSS of a child process that loads MNIST and trains a fully monitored 50k run.

    The peak is the child's VmHWM: ``ru_maxrss`` would also count the size of this process
    when it forked the child (Linux carries it across exec).

    Also the part of its final RSS that is file-backed (the pages of shared libraries,
    LLVM's for Numba above all), which every process on the machine shares: (peak, shared).
    ``fused`` is passed to the run (None: the default, the compiled epoch); ``cold`` gives
    the child an empty Numba cache, as on a machine's first run, where Numba compiles.
    """
    code = ("import ch3_code\n"
            "tr, va, te = ch3_code.load_mnist(progress=False)\n"
            "net = ch3_code.NN2([784, 30, 10])\n"
            f"net.stochastic_gradient_descent(tr, te, {epochs}, 10, 0.5, monitoring=True, "
            f"evaluation_data=va, fused={fused}, progress=False, verbose=False)\n"
            "kb = {l.split(':')[0]: int(l.split()[1]) for l in open('/proc/self/smaps_rollup')\n"
            "      if l.split(':')[0] in ('Rss', 'Anonymous')}\n"
            "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
            "print(hwm[0], kb['Rss'] - kb['Anonymous'])\n")
    with tempfile.TemporaryDirectory() as empty_cache:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        if cold:
            env["NUMBA_CACHE_DIR"] = empty_cache
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, cwd=ROOT, env=env)
    peak, shared = out.stdout.split()[-2:]
    return int(peak) / 1024, int(shared) / 1024


def sweep_line(epochs):
    """The 4-run sweep row, measured by benchmarks/sweep_speed.py."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from sweep_speed import measure_sweep
    r = measure_sweep(n_runs=4, epochs=epochs, n_jobs=2, repeats=3)
    return (f"| 4 runs x {epochs} epochs, one after another / through `sweep` (n_jobs=2), "
            "medians of 3 alternations | "
            f"{r['sequential_seconds']:.0f} s / {r['parallel_seconds']:.0f} s | "
            f"{r['speedup']:.2f}x faster in parallel (target >= 1.6x) |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sweep-epochs", type=int, default=30, help="0 skips the sweep row")
    parser.add_argument("--against", metavar="REV",
                        help="also time the compiled epoch against git revision REV, side by "
                             "side (benchmarks/against.py)")
    parser.add_argument("--write-readme", action="store_true",
                        help="write the table into benchmarks/README.md")
    args = parser.parse_args()
    r, load_before = args.repeats, os.getloadavg()
    # first: a child forked from a big parent would report the parent's size
    peak, shared = peak_memory_mb()
    peak_cold, _ = peak_memory_mb(cold=True)
    peak_numpy, shared_numpy = peak_memory_mb(fused=False)
    training, validation, test = ch3_code.load_mnist(progress=False)
    X32, labels = np.array(training.X), training.y   # float32 arrays; `training` has bytes
    X64 = X32.astype(np.float64)
    pairs = [training[i] for i in range(len(training))]  # the seed's list of (x, y) pairs, float64
    rng = np.random.default_rng(0)
    quiet = dict(progress=False, verbose=False)
    nets = {dt: ch3_code.NN2([784, 30, 10], rand_seed=0, dtype=dt) for dt in ("float64", "float32")}
    data = {"float64": (X64, labels), "float32": (X32, labels)}
    refs = {dt: ReferenceLoop(data[dt][0], labels, [784, 30, 10], 10, np.dtype(dt)) for dt in data}

    def nn2(dt, fused=False):  # the training part of the epoch, as History records it
        return lambda: Seconds(nets[dt].SGD(data[dt], None, 1, 10, 0.5, fused=fused,
                                            **quiet)["runtime_seconds"][0])

    nn2("float32", True)(), nn2("float64", True)()  # compile (or load Numba's cache) first
    t = interleaved_medians({"ref64": lambda: refs["float64"].epoch(0.5), "nn64": nn2("float64"),
                             "fused64": nn2("float64", True),
                             "ref32": lambda: refs["float32"].epoch(0.5), "nn32": nn2("float32"),
                             "fused32": nn2("float32", True)}, r)
    t.update(interleaved_medians({"seed": lambda: SeedNN2([784, 30, 10], rng).epoch(pairs, 10, 0.5)},
                                 max(1, r // 2)))
    t.update(interleaved_medians({"per_example": lambda: PerExampleNN([784, 30, 10], rng).epoch(
        pairs, 10, 0.5)}, 1))
    def monitored(data):   # a whole monitored epoch: training, then all four measurements
        def run():
            t0 = time.perf_counter()
            nets["float32"].SGD(data, test, 1, 10, 0.5, evaluation_data=validation,
                                monitoring=True, **quiet)
            return Seconds(time.perf_counter() - t0)
        return run

    t.update(interleaved_medians({
        "bytes32": lambda: Seconds(nets["float32"].SGD(training, None, 1, 10, 0.5, fused=True,
                                                       **quiet)["runtime_seconds"][0]),
        "fused32b": nn2("float32", True),
        "mon_bytes": monitored(training), "mon_floats": monitored(data["float32"])}, r))
    net32, w32 = nets["float32"], nets["float32"].weights[0]
    Xt = test.X
    t.update(interleaved_medians({"product": lambda: np.dot(Xt, w32.T),
                                  "accuracy": lambda: net32.accuracy(test),
                                  "acc_cost": lambda: net32.accuracy_and_cost(test)}, 10 * r))

    rows = [
        ("starting notebook's NN2 (float64)", t["seed"], f"NN2 float32 (compiled) is "
         f"{t['seed'] / t['fused32']:.1f}x faster (target >= 3.5x); with NumPy's step "
         f"{t['seed'] / t['nn32']:.1f}x"),
        ("per-example loop (float64)", t["per_example"],
         f"NN2 float32 is {t['per_example'] / t['fused32']:.1f}x faster"),
        ("reference loop, float64", t["ref64"], ""),
        ("NN2, float64, NumPy's step (`fused=False`)", t["nn64"],
         f"{t['nn64'] / t['ref64']:.2f}x the reference loop (target <= 1.15x)"),
        ("NN2, float64, compiled epoch", t["fused64"],
         f"{t['fused64'] / t['ref64']:.2f}x the reference loop"),
        ("reference loop, float32", t["ref32"], f"{t['ref64'] / t['ref32']:.2f}x faster than float64"),
        ("NN2, float32, NumPy's step (`fused=False`)", t["nn32"],
         f"{t['nn32'] / t['ref32']:.2f}x the reference loop (target <= 1.15x)"),
        ("NN2, float32, compiled epoch (the default)", t["fused32"],
         f"{t['fused32'] / t['ref32']:.2f}x the reference loop"),
        ("the same, from the split's bytes (as the chapters train)", t["bytes32"],
         f"{t['bytes32'] / t['fused32b']:.2f}x the same epoch from float32 arrays, side by side"),
        ("a monitored epoch (train, validation, test: accuracy and cost), from the bytes",
         t["mon_bytes"], f"{t['mon_bytes'] / t['mon_floats']:.2f}x from float32 arrays "
         f"({t['mon_floats']:.2f} s), side by side"),
    ]
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
             f"NumPy {np.__version__}; medians of {r} interleaved repetitions, one run.", "",
             "| what (one epoch, 50,000 images, batch 10) | time | ratio |", "|---|---|---|"]
    lines += [f"| {name} | {seconds:.2f} s | {ratio} |" for name, seconds, ratio in rows]
    lines += [
        f"| (10000 x 784) @ (784 x 30), float32: the product evaluation needs | "
        f"{t['product'] * 1e3:.1f} ms | |",
        f"| `accuracy(test)`, 10,000 images, float32 | {t['accuracy'] * 1e3:.1f} ms | "
        f"{t['accuracy'] / t['product']:.2f}x the product (target <= 1.5x) |",
        f"| `accuracy_and_cost(test)`, one pass | {t['acc_cost'] * 1e3:.1f} ms | "
        f"{t['acc_cost'] / t['product']:.2f}x the product (target <= 1.5x) |",
        f"| peak memory (max RSS), fully monitored 50k run (train, validation, test) | "
        f"{peak:.0f} MB | target < 400 MB; {shared:.0f} MB of it are shared libraries' pages "
        "(file-backed, one copy for all processes) |",
        f"| the same, first run on a machine (Numba compiles: empty cache) | {peak_cold:.0f} MB | "
        f"{peak_cold - peak:.0f} MB more, once |",
        f"| the same with NumPy's step (`fused=False`, no Numba) | {peak_numpy:.0f} MB | "
        f"{shared_numpy:.0f} MB of it file-backed |"]
    if args.sweep_epochs:
        lines.append(sweep_line(args.sweep_epochs))
    if args.against:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from against import row
        lines.append(row(args.against))
    print("\n".join(lines))
    if args.write_readme:
        write_readme(lines, load_before, os.getloadavg(), sys.argv[1:])


BEGIN = "<!-- begin: written by benchmarks/train_speed.py --write-readme; edit outside -->"
END = "<!-- end: written by benchmarks/train_speed.py -->"


def write_readme(lines, load_before, load_after, argv, path=ROOT / "benchmarks" / "README.md"):
    """Put the table, with where, when and how it was made, between README's two markers."""
    cores = os.cpu_count()
    shared = max(load_before[0], load_after[0]) > cores * 0.75
    block = [BEGIN, "",
             f"Made on {datetime.date.today().isoformat()} by "
             f"`python benchmarks/train_speed.py {' '.join(argv)}`. 1-minute load average "
             f"{load_before[0]:.1f} before, {load_after[0]:.1f} after, on {cores} cores: "
             + ("the machine was shared with other work, so absolute times are high and "
                "noisy; the ratios, measured side by side, are what to read." if shared else
                "the machine was otherwise quiet."), "", *lines, "", END]
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{path} has lost its marker comments {BEGIN!r} and {END!r}; put "
                         "them back where the table goes")
    head, rest = text.split(BEGIN, 1)
    path.write_text(head + "\n".join(block) + rest.split(END, 1)[1])
    print(f"wrote the table into {path}")


if __name__ == "__main__":
    main()
