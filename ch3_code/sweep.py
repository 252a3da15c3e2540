"""Run independent training runs in parallel: ``sweep(fn, configs)``.

    def run(eta, seed):
        training_data, validation_data, test_data = ch3_code.load_mnist()
        net = ch3_code.NN2([784, 30, 10], rand_seed=seed)
        return net.stochastic_gradient_descent(training_data, test_data, 30, 10, eta)

    histories = ch3_code.sweep(run, [dict(eta=eta, seed=0) for eta in (0.1, 0.5, 2.5)])

``fn(**config)`` is called once for each dict in ``configs``; the results come back as a
list in the order of ``configs``, whatever order the runs finish in. A run's seed belongs
in its config, so every number is the same for any ``n_jobs`` (and on a cluster).

Why joblib, and not ``multiprocessing`` written by hand: joblib's default backend, loky,
already does the hard parts well. It starts fresh worker processes that are reused from
one sweep to the next, pickles functions with cloudpickle (so a function defined in a
notebook, whose module is ``__main__``, reaches the workers; ``multiprocessing`` cannot
send those), sets the workers' thread limits, kills its workers when the parent is
interrupted, and reports a worker that dies. And ``with joblib.parallel_config(
backend="dask"):`` sends the very same sweep to a Dask cluster without a change here.

What is written by hand on top, because joblib does not do it:

* each run is wrapped so that the worker sets ``CH3_SWEEP_WORKER=1`` while ``fn`` runs
  (``train()`` then shows no bar of its own and prints nothing) and limits its BLAS
  threads with threadpoolctl to ``cores // workers``, so that two processes on two
  cores do not each start two BLAS threads;
* one tqdm bar for the whole sweep (runs done) and each run's ``history.summary()``
  line, printed in the order the runs finish, with the run's config in front;
* results put back in the order of ``configs``;
* a check that a task is small: a function that uses a notebook's ``training_data``
  would send its 150 MB to every run; ``fn`` should call ``ch3_code.load_mnist()``
  itself (it is loaded once per worker process and kept);
* Ctrl-C: a run that ``train()`` ends as "interrupted" stops the sweep too.
"""
import os
import textwrap
from collections.abc import Mapping

from tqdm.auto import tqdm

__all__ = ["sweep", "WORKER_ENV", "MAX_TASK_BYTES"]

#: Set to "1" while ``fn`` runs inside a sweep (in a worker, or in-process when n_jobs=1).
WORKER_ENV = "CH3_SWEEP_WORKER"
#: Largest pickled ``fn`` or config sent to a worker; more means data travels with each task.
MAX_TASK_BYTES = 8 * 2**20


def sweep(fn, configs, n_jobs=None, progress=True, verbose=True):
    """Return ``[fn(**config) for config in configs]``, computed in parallel processes.

    fn: a function that builds and trains a network and returns its History; it should
        load its data itself (``ch3_code.load_mnist()``), not use a global data set.
    configs: a list of dicts of keyword arguments for ``fn``, each with its own seed.
    n_jobs: number of worker processes; None means every core (-1), 1 runs the configs
        one after another in this process (no pickling; handy for debugging).
    progress: one bar for the whole sweep, counting finished runs.
    verbose: print each run's ``summary()`` line when it finishes (in order of finishing).

    Inside ``with joblib.parallel_config(backend="dask"):`` (with a ``dask.distributed``
    Client open) the runs go to the Dask cluster instead.
    """
    if not callable(fn):
        raise TypeError(f"sweep(fn, configs): fn must be a function, got {fn!r}")
    if isinstance(configs, Mapping):
        raise TypeError("sweep(fn, configs): configs must be a list of dicts, got one dict; "
                        "wrap it in a list: [config]")
    configs = list(configs)
    for i, config in enumerate(configs):
        if not isinstance(config, Mapping):
            raise TypeError(f"sweep: configs[{i}] must be a dict of keyword arguments for fn, "
                            f"got {config!r}")
    if n_jobs is None:
        n_jobs = -1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValueError(f"sweep: n_jobs must be None, a positive number of processes or -1 "
                         f"(every core), got {n_jobs!r}")
    import joblib  # imported here, so that `import ch3_code` stays quick
    if not configs:
        return []
    results = [None] * len(configs)
    bar = tqdm(total=len(configs), desc="sweep", unit="run", disable=not progress,
               mininterval=0.1)
    try:
        if n_jobs == 1:
            for i, config in enumerate(configs):
                _, results[i] = _run(fn, i, config, None)
                _finished(results[i], i, configs, bar, verbose)
        else:
            _check_task_size(fn, configs)
            workers = min(joblib.effective_n_jobs(n_jobs), len(configs))
            threads = max(1, (os.cpu_count() or 1) // workers)  # BLAS threads per run
            parallel = joblib.Parallel(n_jobs=workers, return_as="generator_unordered")
            outputs = parallel(joblib.delayed(_run)(fn, i, config, threads)
                               for i, config in enumerate(configs))
            try:
                for i, result in outputs:
                    results[i] = result
                    _finished(result, i, configs, bar, verbose)
            finally:
                outputs.close()  # on an error or Ctrl-C, joblib stops the other runs
    finally:
        bar.close()
    return results


def _run(fn, i, config, threads):
    """Run one config with CH3_SWEEP_WORKER=1 (and at most ``threads`` BLAS threads)."""
    before = os.environ.get(WORKER_ENV)
    os.environ[WORKER_ENV] = "1"
    try:
        if threads is None:
            return i, fn(**config)
        from threadpoolctl import threadpool_limits
        with threadpool_limits(limits=threads):
            return i, fn(**config)
    finally:
        if before is None:
            os.environ.pop(WORKER_ENV, None)
        else:
            os.environ[WORKER_ENV] = before


def _finished(result, i, configs, bar, verbose):
    if getattr(result, "status", None) == "interrupted":
        raise KeyboardInterrupt(f"sweep stopped: run {i} ({_describe(configs[i])}) was "
                                "interrupted")
    bar.update(1)
    summary = getattr(result, "summary", None)
    if verbose and callable(summary):
        # the summary on its own indented lines: a printed line stays within 88 characters
        body = textwrap.fill(summary(), 88, initial_indent="    ", subsequent_indent="    ")
        tqdm.write(f"run {i + 1}/{len(configs)} ({_describe(configs[i])}):\n{body}")


def _describe(config, width=60):
    text = ", ".join(f"{k}={v!r}" for k, v in config.items())
    return text if len(text) <= width else text[:width - 3] + "..."


def _check_task_size(fn, configs):
    """Raise if fn or a config pickles to more than MAX_TASK_BYTES (data sent with each run)."""
    try:
        import cloudpickle  # what loky and dask send tasks with (a dependency of joblib 1.6)
    except ImportError:  # older joblib carries its own copy
        from joblib.externals import cloudpickle
    for name, obj in [("fn", fn)] + [(f"configs[{i}]", c) for i, c in enumerate(configs)]:
        size = len(cloudpickle.dumps(obj))
        if size > MAX_TASK_BYTES:
            raise ValueError(
                f"sweep: {name} pickles to {size / 2**20:.0f} MB, which would be sent to the "
                "worker with every run; it probably holds a data set (a notebook function "
                "that uses a global training_data takes it along). Load the data inside fn "
                "instead: training_data, validation_data, test_data = ch3_code.load_mnist() "
                "(each worker loads it once and keeps it).")
