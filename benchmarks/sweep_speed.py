"""Four training runs one after another vs through ``ch3_code.sweep`` on two cores.

    python benchmarks/sweep_speed.py            # 4 runs x 30 epochs, [784, 30, 10], 50k images
    python benchmarks/sweep_speed.py --epochs 2 # a quick look

``measure_sweep()`` is importable (``benchmarks/train_speed.py`` puts its line in benchmarks/README.md's
speed table). Both sides run the same function on the same configs (seeds 0, 1, 2, ...); MNIST
is loaded in this process before the clock starts, as in a notebook, while the parallel side's
time includes starting the worker processes and their loading MNIST once each. The two sides
must give the same numbers, which is checked. The machine's load average is printed with the
times: on a shared machine, a change of load between the two halves changes the ratio.
"""
import argparse
import inspect
import os
import statistics
import sys
import time

import cloudpickle

import ch3_code

# Imported as a module by train_speed.py, this file's functions still reach the workers.
if __name__ != "__main__":
    cloudpickle.register_pickle_by_value(sys.modules[__name__])

HAS_DTYPE = "dtype" in inspect.signature(ch3_code.NN2).parameters


def one_run(seed, epochs, sizes=(784, 30, 10), eta=0.5, batch_size=10, dtype="float32"):
    """One monitored run as the chapters do it: SGD on the 50,000 training images."""
    training_data, _, test_data = ch3_code.load_mnist(progress=False)
    net = ch3_code.NN2(list(sizes), rand_seed=seed, **({"dtype": dtype} if HAS_DTYPE else {}))
    return net.stochastic_gradient_descent(training_data, test_data, epochs, batch_size, eta,
                                           progress=False, verbose=False)


def measure_sweep(n_runs=4, epochs=30, n_jobs=2, repeats=1, **run_options):
    """Time ``n_runs`` runs one after another, then through ``sweep(n_jobs=n_jobs)``.

    With ``repeats`` > 1 the two sides alternate that many times and the medians count:
    one pair of timings on a shared machine can be off by 30% either way.
    Returns a dict: sequential_seconds, parallel_seconds, speedup, and the settings.
    """
    configs = [dict(seed=seed, epochs=epochs, **run_options) for seed in range(n_runs)]
    ch3_code.load_mnist(progress=False)  # as in a notebook: the data is already loaded
    load, times = [os.getloadavg()[0]], {1: [], n_jobs: []}
    for _ in range(repeats):
        results = {}
        for jobs in (1, n_jobs):
            t0 = time.perf_counter()
            results[jobs] = ch3_code.sweep(one_run, configs, n_jobs=jobs, progress=False,
                                           verbose=False)
            times[jobs].append(time.perf_counter() - t0)
            load.append(os.getloadavg()[0])
        sequential, parallel = results[1], results[n_jobs]
        if any(a["test_accuracy"] != b["test_accuracy"] for a, b in zip(sequential, parallel)):
            raise AssertionError("sweep gave other numbers than the sequential runs")
    seq, par = statistics.median(times[1]), statistics.median(times[n_jobs])
    return dict(n_runs=n_runs, epochs=epochs, n_jobs=n_jobs, cores=os.cpu_count(),
                dtype=run_options.get("dtype", "float32") if HAS_DTYPE else "float64 (no dtype)",
                repeats=repeats, sequential_seconds=seq, parallel_seconds=par, speedup=seq / par,
                epoch_seconds=[_mean_epoch(sequential), _mean_epoch(parallel)], loadavg=load)


def _mean_epoch(histories):
    times = [t for h in histories for t in h["runtime_seconds"]]
    return sum(times) / len(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="alternations; medians count")
    args = parser.parse_args(argv)
    r = measure_sweep(args.runs, args.epochs, args.n_jobs, args.repeats)
    print(f"{r['n_runs']} runs x {r['epochs']} epochs, [784, 30, 10], {r['dtype']}, "
          f"{r['cores']} cores: one after another {r['sequential_seconds']:.1f} s, "
          f"sweep(n_jobs={r['n_jobs']}) {r['parallel_seconds']:.1f} s, "
          f"speed-up {r['speedup']:.2f}x (target >= 1.6x); medians of {r['repeats']}")
    print(f"mean training epoch: {r['epoch_seconds'][0]:.2f} s in this process, "
          f"{r['epoch_seconds'][1]:.2f} s in a worker; 1-minute load average before and after "
          f"each side: {', '.join(f'{x:.1f}' for x in r['loadavg'])} (on {r['cores']} cores, "
          "a load above that means other programs shared the cores)")
    return r


if __name__ == "__main__":
    main()
