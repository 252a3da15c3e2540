"""Run independent training runs in parallel: ``sweep(fn, configs)``.

    def run(eta, seed):
        training_data, validation_data, test_data = ch3_code.load_mnist()
        net = ch3_code.NN2([784, 30, 10], rand_seed=seed)
        return net.stochastic_gradient_descent(training_data, test_data, 30, 10, eta)

    histories = ch3_code.sweep(run, [dict(eta=eta, seed=0) for eta in (0.1, 0.5, 2.5)])

``fn(**config)`` is called once for each dict in ``configs``; the results come back as a
list in the order of ``configs``, whatever order the runs finish in. A run's seed belongs
in its config, and every run uses one BLAS thread, in a worker or in this process (a
product split over two threads adds its terms in another order), so on one machine every
number is the same for any ``n_jobs``; a run called outside ``sweep``, or on a cluster
whose processors pick another BLAS kernel, may differ in the last bits of float32 sums.

If a run raises, the other runs go on, then :class:`SweepError` names the first failed
run with its config and carries every finished run's result (``.results``) and the
failures (``.failed``), so that an hour of finished runs is not lost to one misspelt key.

Why joblib, not ``multiprocessing`` by hand: its backend, loky, reuses worker processes
from one sweep to the next, pickles functions with cloudpickle (so a notebook's function,
whose module is ``__main__``, reaches the workers), kills its workers when the parent is
interrupted and reports a worker that dies; and ``with joblib.parallel_config(
backend="dask"):`` sends the very same sweep to a Dask cluster.

What is written by hand on top, because joblib does not do it:

* each run is wrapped: ``fn`` runs in the progress bar's quiet mode
  (``internals.progress.quiet_runs``: ``train()`` shows no bar and prints nothing), with
  one BLAS thread (threadpoolctl), and an exception comes back as a value, so that one
  failed run does not stop joblib from returning the others;
* one tqdm bar for the whole sweep (runs done) and each run's ``history.summary()``
  line, printed in the order the runs finish, with the run's config in front;
* results put back in the order of ``configs``;
* a check that a task is small: a function that uses a notebook's ``training_data``
  would send its 150 MB to every run; ``fn`` should call ``ch3_code.load_mnist()``
  itself (it is loaded once per worker process and kept);
* Stop in Jupyter or Ctrl-C in a terminal (a KeyboardInterrupt here, or a run that
  ``train()`` ends as "interrupted"): joblib stops the workers, the bar turns red (never
  empty) and :class:`SweepInterrupted`, a KeyboardInterrupt, says how many runs finished
  and carries their results (``.results``); its traceback is a few lines from ``sweep``,
  not joblib's internals.

The parts a reader may skip (the size check, a worker's traceback sent back as text, the
wording of the messages) are in ``internals.sweep_tasks``.
"""
import textwrap
from collections.abc import Mapping

from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from .internals.progress import WORKER_ENV, quiet_runs, stopped, sweep_bar
from .internals.sweep_tasks import (WorkerTraceback, check_task_size, describe_config, reason,
                                    run_numbers, sendable)

__all__ = ["sweep", "SweepError", "SweepInterrupted", "WORKER_ENV", "MAX_TASK_BYTES",
           "BLAS_THREADS"]

#: Largest pickled ``fn`` or config sent to a worker; more means data travels with each task.
MAX_TASK_BYTES = 8 * 2**20
#: BLAS threads per run, for any n_jobs: the thread count changes how float sums are split.
BLAS_THREADS = 1
_PENDING = object()  # a run not finished yet (a run's result may itself be None)


class SweepError(RuntimeError):
    """Some runs of a sweep raised; the others finished and their results are kept.

    results: one entry per config: the run's result, or None for a run that failed.
    failed: a list of (index, config, exception), in the order of ``configs``.
    The first failure is also the ``__cause__`` (its traceback is shown below this error).
    """

    def __init__(self, results, failed):
        self.results, self.failed = results, failed
        i, config, exc = failed[0]
        message = f"run {i + 1} of {len(results)} {dict(config)!r} failed: {reason(exc)}"
        if len(failed) > 1:
            others = ", ".join(str(j + 1) for j, _, _ in failed[1:])
            message += f" (runs {others} failed too)"
        message += (f"; the results of the {len(results) - len(failed)} finished runs are in "
                    "this error's .results (None for a failed run)")
        super().__init__(message)


class SweepInterrupted(KeyboardInterrupt):
    """The sweep was stopped (Stop, Ctrl-C): it ends the cell, and keeps the finished runs.

    results: one entry per config, the run's result or None for a run that did not finish
    (in Jupyter the last cell's error is ``sys.last_value``: ``sys.last_value.results``).
    """

    def __init__(self, results, finished, reason=""):
        self.results = results
        n, k = len(results), len(finished)
        which = f" ({run_numbers(finished)} finished)" if finished else ""
        message = f"sweep stopped after {k} of {n} runs{which}"
        message += f": {reason}" if reason else ""
        if finished:
            message += (".\nThe finished runs' results are in this error's .results (None for "
                        "the others);\nin Jupyter: import sys; results = sys.last_value.results")
        super().__init__(message)


def sweep(fn, configs, n_jobs=None, progress=True, verbose=True):
    """Return ``[fn(**config) for config in configs]``, computed in parallel processes.

    fn: a function that builds and trains a network and returns its History; it should
        load its data itself (``ch3_code.load_mnist()``), not use a global data set.
    configs: a list of dicts of keyword arguments for ``fn``, each with its own seed.
    n_jobs: number of worker processes; None means every core (-1), 1 runs the configs
        one after another in this process (no pickling; handy for debugging).
    progress: one bar for the whole sweep, counting finished runs.
    verbose: print each run's ``summary()`` line when it finishes (in order of finishing).

    Raises SweepError, after the other runs have finished, if any run raised: its
    ``.results`` holds every finished run's result; SweepInterrupted, with the same
    ``.results``, when the sweep is stopped (Stop, Ctrl-C). Inside ``with joblib.parallel_config(
    backend="dask"):`` (with a ``dask.distributed`` Client open) the runs go to the Dask
    cluster instead.
    """
    configs = _checked(fn, configs, n_jobs)
    import joblib  # deferred: `import ch3_code` stays quick; only a sweep needs processes
    if not configs:
        return []
    results, failed = [_PENDING] * len(configs), []
    bar = sweep_bar(len(configs), enabled=progress)
    try:
        if n_jobs == 1:
            for i, config in enumerate(configs):
                _finished(_run(fn, i, config, worker=False), configs, results, failed, bar,
                          verbose)
        else:
            check_task_size(fn, configs, MAX_TASK_BYTES)
            workers = min(joblib.effective_n_jobs(n_jobs or -1), len(configs))
            parallel = joblib.Parallel(n_jobs=workers, return_as="generator_unordered")
            outputs = parallel(joblib.delayed(_run)(fn, i, config)
                               for i, config in enumerate(configs))
            try:
                for i, ok, result, text in outputs:
                    if not ok:  # the traceback did not travel with the pickled exception
                        result.__cause__ = WorkerTraceback(text)
                    _finished((i, ok, result, text), configs, results, failed, bar, verbose)
            except Exception as exc:  # a worker died, or a result could not be sent back
                failed += [(i, c, exc) for i, c in enumerate(configs) if results[i] is _PENDING
                           and i not in {j for j, _, _ in failed}]
            finally:
                outputs.close()  # on an error or Ctrl-C, joblib stops the other runs
    except KeyboardInterrupt as exc:
        finished = [i for i, r in enumerate(results) if r is not _PENDING]
        stopped(bar, "stopped")
        raise SweepInterrupted([None if r is _PENDING else r for r in results], finished,
                               str(exc) if isinstance(exc, _RunInterrupted) else "") from None
    finally:
        bar.close()
    results = [None if r is _PENDING else r for r in results]
    if failed:
        failed.sort(key=lambda f: f[0])
        raise SweepError(results, failed) from failed[0][2]
    return results


def _checked(fn, configs, n_jobs):
    """The configs as a list, after checking fn, configs and n_jobs."""
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
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int)
                               or n_jobs == 0):
        raise ValueError(f"sweep: n_jobs must be None, a positive number of processes or -1 "
                         f"(every core), got {n_jobs!r}")
    return configs


def _run(fn, i, config, worker=True):
    """(i, True, fn(**config), None) or (i, False, exception, its traceback as text from a
    worker), run in quiet mode with BLAS_THREADS BLAS threads; an exception is returned,
    not raised, so that joblib goes on with the other runs."""
    try:
        with quiet_runs(), threadpool_limits(limits=BLAS_THREADS):
            return i, True, fn(**config), None
    except Exception as exc:
        return (i, False, *sendable(exc)) if worker else (i, False, exc, None)


def _finished(output, configs, results, failed, bar, verbose):
    """Store one run's result (or its failure), update the bar, print its summary."""
    i, ok, result, _ = output
    bar.update(1)
    if not ok:
        failed.append((i, configs[i], result))
        if verbose:
            tqdm.write(f"run {i + 1}/{len(configs)} ({describe_config(configs[i])}) failed: "
                       f"{reason(result)}")
        return
    results[i] = result
    if getattr(result, "status", None) == "interrupted":
        raise _RunInterrupted(f"run {i + 1} ({describe_config(configs[i])}) was interrupted")
    summary = getattr(result, "summary", None)
    if verbose and callable(summary):
        # the summary on its own indented lines: a printed line stays within 88 characters
        body = textwrap.fill(summary(), 88, initial_indent="    ", subsequent_indent="    ")
        tqdm.write(f"run {i + 1}/{len(configs)} ({describe_config(configs[i])}):\n{body}")


class _RunInterrupted(KeyboardInterrupt):
    """A run came back interrupted (its ``train()`` caught Ctrl-C): the sweep stops too."""
