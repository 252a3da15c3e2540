"""How fast is ch3_code? One epoch of [784, 30, 10] on the 50,000 training images.

Run from the repository root:  python benchmarks/train_speed.py [--repeats 5]

It times, side by side in one process:
  * ch3_code.NN2 (vectorised mini-batches), unmonitored and fully monitored;
  * the seed page's NN2 update loop (a mini-batch matrix, but stacked from
    (784, 1) columns each batch and new weight arrays each step);
  * a straightforward per-example loop (backpropagate one column vector at a
    time and add up the gradients), written here as a reference;
  * evaluating the 10,000 test images;
and, in a child process, the peak memory (max RSS) of a full 50k run.
Every model is sigmoid + cross-entropy, batch 10, eta 0.5, float64. It prints
medians of the repetitions and the ratios; the README quotes its output.
"""
import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import ch3_code  # noqa: E402


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


class SeedNN2:
    """The training step of the seed page's NN2, kept as it was (bugs that do not change the time included)."""

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
    """Reference: the same maths, one (784, 1) example at a time, gradients summed in Python."""

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


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_memory_mb(epochs=2):
    """Max RSS of a child process that loads MNIST and trains a monitored 50k run."""
    code = ("import resource, ch3_code\n"
            "tr, va, te = ch3_code.load_mnist(progress=False)\n"
            "net = ch3_code.NN2([784, 30, 10])\n"
            f"net.stochastic_gradient_descent(tr, te, {epochs}, 10, 0.5, monitoring=True, "
            "evaluation_data=va, progress=False, verbose=False)\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    return int(out.stdout.split()[-1]) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    r = args.repeats
    peak = peak_memory_mb()  # first: a child forked from a big parent would report the parent's size
    training, _, test = ch3_code.load_mnist(progress=False)
    pairs = [training[i] for i in range(len(training))]  # the seed's list of (x, y) pairs, float64
    rng = np.random.default_rng(0)

    net = ch3_code.NN2([784, 30, 10], rand_seed=0)
    quiet = dict(progress=False, verbose=False)
    epochs = []  # the training part of each epoch (shuffle and mini-batches), as the seed timed it
    ours_call = median_time(lambda: epochs.extend(net.stochastic_gradient_descent(
        training, test, 1, 10, 0.5, **quiet)["runtime_seconds"]), r)
    ours = statistics.median(epochs)
    monitored = median_time(lambda: net.stochastic_gradient_descent(
        training, test, 1, 10, 0.5, monitoring=True, **quiet), r)
    seed = median_time(lambda: SeedNN2([784, 30, 10], rng).epoch(pairs, 10, 0.5), r)
    per_example = median_time(lambda: PerExampleNN([784, 30, 10], rng).epoch(pairs, 10, 0.5), max(1, r // 2))
    evaluate = median_time(lambda: net.evaluate(test), 5 * r)

    print(f"one epoch, 50,000 images, batch 10, float64 (median of {r}):")
    print(f"  ch3_code NN2, training only         {ours:7.3f} s")
    print(f"  ch3_code NN2, + test accuracy       {ours_call:7.3f} s   (the whole call, as a notebook runs it)")
    print(f"  ch3_code NN2, fully monitored       {monitored:7.3f} s   ({monitored / ours_call:.2f}x the call above; target <= 1.5x)")
    print(f"  seed page NN2                       {seed:7.3f} s   (ch3_code is {seed / ours:.1f}x faster; target >= 2.5x)")
    print(f"  per-example reference loop          {per_example:7.3f} s   (ch3_code is {per_example / ours:.1f}x faster; target >= 6x)")
    print(f"evaluate 10,000 test images           {evaluate * 1e3:7.1f} ms  (target < 20 ms)")
    print(f"peak memory of a monitored 50k run    {peak:7.0f} MB  (target < 600 MB)")


if __name__ == "__main__":
    main()
