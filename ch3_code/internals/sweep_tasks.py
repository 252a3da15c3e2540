"""What ``ch3_code.sweep`` sends to its worker processes and says about their runs.

* ``check_task_size``: a task (``fn`` or a config) that pickles to megabytes carries a data
  set along to every run; the sweep refuses it before starting, saying to load the data in fn;
* ``sendable`` and ``WorkerTraceback``: a worker's exception travels back pickled, but its
  traceback does not: it comes back as text and is shown above the ``SweepError``;
* ``reason``, ``describe_config`` and ``run_numbers``: the words of the sweep's messages.
"""
import pickle
import traceback


def check_task_size(fn, configs, limit):
    """Raise if fn or a config pickles to more than ``limit`` bytes (data sent with each run)."""
    try:  # deferred with joblib; what loky and dask send tasks with (joblib 1.6 depends on it)
        import cloudpickle
    except ImportError:  # older joblib carries its own copy
        from joblib.externals import cloudpickle
    for name, obj in [("fn", fn)] + [(f"configs[{i}]", c) for i, c in enumerate(configs)]:
        size = len(cloudpickle.dumps(obj))
        if size > limit:
            raise ValueError(
                f"sweep: {name} pickles to {size / 2**20:.0f} MB, which would be sent to the "
                "worker with every run; it probably holds a data set (a notebook function "
                "that uses a global training_data takes it along). Load the data inside fn "
                "instead: training_data, validation_data, test_data = ch3_code.load_mnist() "
                "(each worker loads it once and keeps it).")


def sendable(exc):
    """``exc`` and its traceback as text (a traceback is not pickled with its exception);
    a RuntimeError with the same text if the exception itself cannot be pickled."""
    text = "".join(traceback.format_exception(exc))
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        exc = RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc, text


class WorkerTraceback(Exception):
    """The traceback of an exception raised in fn, as text (shown above the SweepError)."""

    def __str__(self):
        return "the run's traceback in its worker process:\n\n" + self.args[0]


def reason(exc):
    """An exception in a message: its text and its type, or the type alone."""
    return f"{exc} ({type(exc).__name__})" if str(exc) else type(exc).__name__


def describe_config(config, width=60):
    """A run's config in a message, ``eta=0.5, seed=1``, cut to ``width`` characters."""
    text = ", ".join(f"{k}={v!r}" for k, v in config.items())
    return text if len(text) <= width else text[:width - 3] + "..."


def run_numbers(indices):
    """'run 1', 'runs 1 and 2', 'runs 1, 2 and 5' for the 0-based ``indices``."""
    names = [str(i + 1) for i in indices]
    if len(names) == 1:
        return f"run {names[0]}"
    return f"runs {', '.join(names[:-1])} and {names[-1]}"
