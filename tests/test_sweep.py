"""ch3_code.sweep: order, seeds, the worker environment, Ctrl-C, __main__ functions, Dask."""
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from unittest import mock

import cloudpickle
import joblib
import pytest

import ch3_code
from ch3_code import History
from ch3_code.internals import progress
from ch3_code.sweep import MAX_TASK_BYTES, WORKER_ENV, SweepError, SweepInterrupted

# The workers (loky's and Dask's) cannot import this test file, so send its functions by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = [dict(eta=eta, seed=seed) for eta in (0.5, 3.0) for seed in (0, 1)]


def tiny_run(eta, seed, delay=0.0):
    """A real training run: [784, 10, 10] on 300 MNIST images, 2 epochs, MNIST loaded here."""
    time.sleep(delay)
    training_data, _, test_data = ch3_code.load_mnist(progress=False)
    net = ch3_code.NN2([784, 10, 10], rand_seed=seed)
    history = net.stochastic_gradient_descent(training_data[:300], test_data[:200], 2, 10, eta,
                                              progress=False, verbose=False)
    history.pid, history.env = os.getpid(), os.environ.get(WORKER_ENV)
    return history


def blob_run(eta, seed):
    """A run on 200 made-up examples in 8 dimensions, 3 classes (no MNIST to load)."""
    import numpy as np
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(200, 8)), rng.integers(0, 3, size=200)
    X[np.arange(200), y] += 2.0
    net = ch3_code.NN2([8, 6, 3], rand_seed=seed)
    return net.stochastic_gradient_descent((X, y), (X, y), 2, 10, eta, progress=False,
                                           verbose=False)


def where_am_i(k, delay=0.0):
    from threadpoolctl import threadpool_info
    time.sleep(delay)
    threads = [pool["num_threads"] for pool in threadpool_info()]
    return dict(k=k, pid=os.getpid(), env=os.environ.get(WORKER_ENV), threads=threads)


def numbers(histories):
    return [(h["test_accuracy"], h["train_accuracy"], h["epoch"]) for h in histories]


def test_parallel_results_equal_sequential_ones_in_the_order_of_configs():
    sequential = ch3_code.sweep(tiny_run, CONFIGS, n_jobs=1, progress=False, verbose=False)
    parallel = ch3_code.sweep(tiny_run, CONFIGS, n_jobs=2, progress=False, verbose=False)
    assert numbers(parallel) == numbers(sequential)
    # the seeds and etas really differ, so a mix-up of the order would show
    assert len({tuple(h["test_accuracy"]) for h in sequential}) == len(CONFIGS)
    assert {h.pid for h in sequential} == {os.getpid()}
    assert os.getpid() not in {h.pid for h in parallel}
    assert [h.env for h in sequential + parallel] == ["1"] * 8
    assert os.environ.get(WORKER_ENV) is None  # set only while fn runs


def test_results_follow_configs_when_runs_finish_in_another_order():
    configs = [dict(k=0, delay=1.0), dict(k=1), dict(k=2), dict(k=3)]
    cores = os.cpu_count()
    # loky would let each worker start `cores` BLAS threads; sweep must bring it to one
    with joblib.parallel_config(backend="loky", inner_max_num_threads=cores):
        out = ch3_code.sweep(where_am_i, configs, n_jobs=2, progress=False, verbose=False)
    assert [o["k"] for o in out] == [0, 1, 2, 3]
    assert all(o["threads"] and max(o["threads"]) == 1 for o in out), out
    assert ch3_code.sweep(where_am_i, [], n_jobs=2) == []


def test_one_bar_and_one_summary_line_per_run(capsys):
    histories = ch3_code.sweep(blob_run, CONFIGS[:2], n_jobs=2)
    out, err = capsys.readouterr()
    # each run: a "run i/n (config):" line, then its summary, indented, in lines of <= 88
    blocks = [block for block in out.split("run ")[1:]]
    heads = sorted(block.splitlines()[0] for block in blocks)
    assert heads == ["1/2 (eta=0.5, seed=0):", "2/2 (eta=0.5, seed=1):"]
    bodies = {block.splitlines()[0]: " ".join(line.strip() for line in block.splitlines()[1:])
              for block in blocks}
    assert bodies["1/2 (eta=0.5, seed=0):"] == histories[0].summary()
    assert bodies["2/2 (eta=0.5, seed=1):"] == histories[1].summary()
    assert all(len(line) <= 88 for line in out.splitlines())
    assert "sweep" in err and "2/2" in err
    ch3_code.sweep(blob_run, CONFIGS[:2], n_jobs=1, progress=False, verbose=False)
    assert capsys.readouterr() == ("", "")


def test_environment_variable_is_restored_in_the_sequential_path(monkeypatch):
    monkeypatch.setenv(WORKER_ENV, "outer")
    out = ch3_code.sweep(where_am_i, [dict(k=0)], n_jobs=1, progress=False, verbose=False)
    assert out[0]["env"] == "1" and os.environ[WORKER_ENV] == "outer"


def test_an_interrupted_run_stops_the_sequential_sweep():
    ran = []

    def fn(k):
        ran.append(k)
        history = History()
        history.stop("interrupted", 0, "interrupted after 0 epochs")
        return history

    with pytest.raises(SweepInterrupted, match=r"after 1 of 2 runs \(run 1 finished\): run 1 "
                                               r"\(k=0\) was interrupted") as caught:
        ch3_code.sweep(fn, [dict(k=0), dict(k=1)], n_jobs=1, progress=False, verbose=False)
    assert ran == [0] and caught.value.results[1] is None
    assert caught.value.results[0].status == "interrupted"  # what the run kept is kept


def test_bad_arguments_get_clear_errors():
    with pytest.raises(TypeError, match="list of dicts"):
        ch3_code.sweep(tiny_run, dict(eta=0.5, seed=0))
    with pytest.raises(TypeError, match=r"configs\[1\]"):
        ch3_code.sweep(tiny_run, [dict(eta=0.5, seed=0), 0.5])
    with pytest.raises(ValueError, match="n_jobs"):
        ch3_code.sweep(tiny_run, CONFIGS, n_jobs=0)
    with pytest.raises(TypeError, match="fn must be a function"):
        ch3_code.sweep("tiny_run", CONFIGS)


SCRIPT = textwrap.dedent("""
    import os, sys, time
    import cloudpickle
    import numpy as np
    import ch3_code

    def mnist_run(eta, seed):  # what a notebook's function looks like: it loads MNIST itself
        training_data, _, test_data = ch3_code.load_mnist()
        net = ch3_code.NN2([784, 30, 10], rand_seed=seed)
        return net.stochastic_gradient_descent(training_data, test_data, 30, 10, eta)

    def run(eta, seed):  # defined in __main__, so loky must send it by value; tiny made-up data
        rng = np.random.default_rng(seed)
        X, y = rng.normal(size=(200, 8)), rng.integers(0, 3, size=200)
        X[np.arange(200), y] += 2.0
        net = ch3_code.NN2([8, 6, 3], rand_seed=seed)
        return net.stochastic_gradient_descent((X, y), (X, y), 2, 10, eta, progress=False,
                                               verbose=False)

    def slow(k):
        open(os.path.join(sys.argv[2], str(os.getpid())), "w").close()
        time.sleep(60)

    def nap(k, seconds):  # a History, so that the sweep prints a line when it is back
        if seconds > 1:
            open(os.path.join(sys.argv[2], str(os.getpid())), "w").close()
        time.sleep(seconds)
        history = ch3_code.History()
        history.slept = seconds
        return history

    big = np.zeros(16 * 2**20 // 8)
    def greedy(k):  # takes a global array along with it, as a notebook function might
        return big.sum() + k

    if sys.argv[1] == "main":
        print("payload", len(cloudpickle.dumps((mnist_run, dict(eta=0.5, seed=0)))))
        configs = [dict(eta=0.5, seed=0), dict(eta=3.0, seed=1), dict(eta=1.0, seed=2)]
        histories = [ch3_code.sweep(run, configs, n_jobs=n_jobs, progress=False, verbose=False)
                     for n_jobs in (1, 2)]
        print("sequential", [h["test_accuracy"] for h in histories[0]])
        print("parallel", [h["test_accuracy"] for h in histories[1]])
        try:
            ch3_code.sweep(greedy, [dict(k=0)], n_jobs=2)
        except ValueError as e:
            print("refused", e)
    elif sys.argv[1] == "naps":  # two short runs, then two long ones: Ctrl-C during those
        configs = [dict(k=k, seconds=s) for k, s in enumerate((0.1, 0.1, 60, 60))]
        try:
            ch3_code.sweep(nap, configs, n_jobs=2)
        except KeyboardInterrupt as stop:
            print("results", [getattr(r, "slept", None) for r in stop.results], flush=True)
            raise
    else:
        ch3_code.sweep(slow, [dict(k=k) for k in range(4)], n_jobs=2, verbose=False)
""")


def run_script(tmp_path, *args, **kw):
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.Popen([sys.executable, str(script), *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_functions_defined_in_main_run_in_workers_with_a_small_payload(tmp_path):
    out, err = run_script(tmp_path, "main").communicate(timeout=60)
    lines = dict(line.split(" ", 1) for line in out.splitlines())
    assert "parallel" in lines, err
    assert int(lines["payload"]) < 20_000  # the function and its config, not 150 MB of MNIST
    assert lines["parallel"] == lines["sequential"]
    assert len(set(lines["parallel"].split("], ["))) == 3  # three different runs
    assert "load_mnist()" in lines["refused"] and "fn pickles to 16 MB" in lines["refused"]
    assert 16 * 2**20 > MAX_TASK_BYTES


@pytest.mark.parametrize("to", ["parent", "group"])
def test_ctrl_c_stops_the_whole_sweep_and_its_workers(tmp_path, to):
    """SIGINT to the parent alone, or to its process group (a terminal, Jupyter's interrupt)."""
    pids = tmp_path / "pids"
    pids.mkdir()
    proc = run_script(tmp_path, "interrupt", str(pids), start_new_session=True)
    deadline = time.monotonic() + 30
    while len(os.listdir(pids)) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    workers = [int(p) for p in os.listdir(pids)]
    assert len(workers) == 2, proc.communicate()
    if to == "parent":
        proc.send_signal(signal.SIGINT)
    else:
        os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode != 0 and "SweepInterrupted: sweep stopped after 0 of 4 runs" in err
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
    assert len(os.listdir(pids)) == 2  # the other two runs never started


@pytest.mark.parametrize("to", ["parent", "group"])
def test_ctrl_c_says_which_runs_finished_keeps_them_and_shows_no_joblib_frame(tmp_path, to):
    """Stop in Jupyter or Ctrl-C in a terminal after 2 of 4 runs: one message, the two
    results kept, the workers stopped, a traceback of a few lines from sweep only.

    Tried twice: once in about six full unit stages on the loaded 2-core machine the first
    attempt failed, and no attempt alone reproduced it (a timing of the script's start; to be
    found). A sweep that really mishandles Stop fails both attempts."""
    try:
        stop_after_two_runs(tmp_path / "first", to)
    except AssertionError:
        stop_after_two_runs(tmp_path / "second", to)


def _end(proc):
    """Kill the script's whole session if an assertion left it running (no orphans)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


def stop_after_two_runs(tmp_path, to):
    tmp_path.mkdir()
    pids = tmp_path / "pids"
    pids.mkdir()
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHONUNBUFFERED="1")
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), "naps", str(pids)], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        printed = [proc.stdout.readline() for _ in range(4)]  # "run i/4 (...):" and its summary
        assert sum(line.startswith("run ") for line in printed) == 2, printed
        deadline = time.monotonic() + 30
        while len(os.listdir(pids)) < 2 and time.monotonic() < deadline:  # the long runs started
            time.sleep(0.1)
        workers = [int(p) for p in os.listdir(pids)]
        if to == "parent":
            proc.send_signal(signal.SIGINT)
        else:
            os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        assert "results [0.1, 0.1, None, None]" in out
        assert ("SweepInterrupted: sweep stopped after 2 of 4 runs (runs 1 and 2 finished).\n"
                "The finished runs' results are in this error's .results") in err
        assert "joblib" not in err and "loky" not in err  # neither frames nor warnings
        traceback_lines = err[err.index("Traceback"):].splitlines()
        assert len(traceback_lines) <= 12, err
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
    finally:
        _end(proc)


def test_a_sweep_stopped_before_any_run_finished_shows_a_red_sliver(monkeypatch):
    """Jupyter's bar is red when stopped short, but with nothing done it had no width."""
    pytest.importorskip("ipywidgets")
    from tqdm.notebook import tqdm as notebook_tqdm
    bars = []

    def recorded(*args, **kwargs):
        bars.append(notebook_tqdm(*args, display=False, **kwargs))
        return bars[-1]
    monkeypatch.setattr(progress, "tqdm", recorded)

    def stop(k):
        raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted, match=r"^sweep stopped after 0 of 2 runs$"):
        ch3_code.sweep(stop, [dict(k=0), dict(k=1)], n_jobs=1)
    widget = bars[0].container.children[1]
    assert widget.bar_style == "danger" and widget.value > 0 and bars[0].n == 0
    assert "stopped" in bars[0].desc


def test_the_sweep_bar_rate_is_runs_done_over_seconds(monkeypatch, capsys):
    """tqdm's default rate, a moving average of the last runs, read "15/15 [00:36, 1.01
    run/s]"; the average over the sweep agrees with count / time."""
    import tqdm.std
    clock = [1000.0]
    monkeypatch.setattr(tqdm.std, "time", lambda: clock[0])

    def run(k):  # one slow run, two quick ones, and one a moment after the one before
        clock[0] += {0: 30.0, 2: 0.01}.get(k, 1.0)
        return k
    ch3_code.sweep(run, [dict(k=k) for k in range(4)], n_jobs=1, verbose=False)
    err = capsys.readouterr().err
    shown = re.findall(r"(\d)/4 \[00:(\d\d)<[^,]*, *([\d.]+)s/run\]", err)
    assert [done for done, _, _ in shown[:4]] == ["1", "2", "3", "4"], err  # each run shown
    assert shown[-1] == ("4", "32", "8.00"), err  # 32.01 s / 4 runs
    for done, seconds, per_run in shown:  # every rate shown is seconds / runs done
        assert abs(float(per_run) - int(seconds) / int(done)) < 0.01 / int(done) + 0.005, err


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_same_sweep_runs_on_a_dask_cluster():
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("dask.distributed")
    sequential = ch3_code.sweep(tiny_run, CONFIGS, n_jobs=1, progress=False, verbose=False)
    # distributed's nanny writes its workers' settings (MALLOC_TRIM_THRESHOLD_=65536,
    # OMP_NUM_THREADS=1, ...) into this process's os.environ and leaves them there: every
    # process started later in the test session would inherit them (the page-fault test of
    # test_training.py saw 39,000 faults instead of 3). patch.dict puts the environment back.
    # Forked worker processes start in a second, with MNIST already loaded; tasks still
    # travel to them pickled, as on a real cluster.
    with mock.patch.dict(os.environ), \
            dask.config.set({"distributed.worker.multiprocessing-method": "fork"}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with joblib.parallel_config(backend="dask"):
            on_dask = ch3_code.sweep(tiny_run, CONFIGS, progress=False, verbose=False)
        worker_pids = set(client.run(os.getpid).values())
    assert numbers(on_dask) == numbers(sequential)
    assert {h.pid for h in on_dask} <= worker_pids and len(worker_pids) == 2
    assert [h.env for h in on_dask] == ["1"] * 4


def bogus_run(eta, seed):
    return eta * 10 + seed


def test_a_failed_run_keeps_the_finished_ones_and_names_its_config():
    configs = [dict(eta=0.1, seed=0), dict(eta=0.2, seed=1), dict(eta=0.5, bogus=1),
               dict(eta=1.0, seed=3)]
    for n_jobs in (1, 2):
        with pytest.raises(SweepError) as caught:
            ch3_code.sweep(bogus_run, configs, n_jobs=n_jobs, progress=False, verbose=False)
        error = caught.value
        assert ("run 3 of 4 {'eta': 0.5, 'bogus': 1} failed: bogus_run() got an unexpected "
                "keyword argument 'bogus'") in str(error)
        assert error.results == [1.0, 3.0, None, 13.0]
        assert [(i, c) for i, c, _ in error.failed] == [(2, configs[2])]
        assert isinstance(error.failed[0][2], TypeError)
        assert isinstance(error.__cause__, TypeError)  # the run's own error and traceback
        if n_jobs == 2:  # from a worker, the traceback comes as text
            assert "line" in str(error.__cause__.__cause__)


def none_or_fail(k):
    if k % 2:
        raise ValueError(f"odd {k}")
    return None


def test_every_failure_is_listed_and_a_result_of_none_is_a_finished_run(capsys):
    with pytest.raises(SweepError, match=r"run 2 of 4 \{'k': 1\} failed: odd 1 \(ValueError\) "
                                         r"\(runs 4 failed too\)") as caught:
        ch3_code.sweep(none_or_fail, [dict(k=k) for k in range(4)], n_jobs=2, progress=False)
    assert [i for i, _, _ in caught.value.failed] == [1, 3]
    assert caught.value.results == [None] * 4
    assert "the results of the 2 finished runs" in str(caught.value)
    assert "run 4/4 (k=3) failed: odd 3 (ValueError)" in capsys.readouterr().out


def blas_run(seed):
    """fused=False with mini-batches of 100: each step's products are big enough for BLAS to
    split them over threads, which adds float32 terms in another order."""
    import numpy as np
    rng = np.random.default_rng(seed)
    X, y = rng.random((1000, 784), dtype=np.float32), rng.integers(0, 10, size=1000)
    net = ch3_code.NN2([784, 30, 10], rand_seed=seed)
    history = net.stochastic_gradient_descent((X, y), None, 1, 100, 0.5, fused=False,
                                              progress=False, verbose=False)
    from threadpoolctl import threadpool_info
    history.threads = [pool["num_threads"] for pool in threadpool_info()]
    return history, net.weights


def test_numbers_are_identical_for_any_n_jobs():
    configs = [dict(seed=0), dict(seed=1)]
    one = ch3_code.sweep(blas_run, configs, n_jobs=1, progress=False, verbose=False)
    two = ch3_code.sweep(blas_run, configs, n_jobs=2, progress=False, verbose=False)
    for (h1, w1), (h2, w2) in zip(one, two):
        # every thread pool loaded (the test process may load more of them than a worker)
        assert set(h1.threads) == set(h2.threads) == {1}
        assert all((a == b).all() for a, b in zip(w1, w2))  # bit for bit


class Unpicklable(Exception):
    def __init__(self, k, reason):  # pickle rebuilds it with one argument: it cannot
        super().__init__(f"{reason} in run {k}")


def unpicklable_failure(k):
    raise Unpicklable(k, "no luck")


def test_an_exception_that_cannot_travel_is_named_and_kept_as_is_in_process():
    # from a worker it comes back as a RuntimeError naming it, or as itself once
    # dask.distributed is imported there (tblib then pickles exceptions without __init__)
    with pytest.raises(SweepError, match=r"Unpicklable\b.*no luck in run 0|no luck in run 0"
                                         r" \(Unpicklable\)"):
        ch3_code.sweep(unpicklable_failure, [dict(k=0), dict(k=1)], n_jobs=2, progress=False)
    with pytest.raises(SweepError, match=r"no luck in run 0 \(Unpicklable\)") as caught:
        ch3_code.sweep(unpicklable_failure, [dict(k=0)], n_jobs=1, progress=False)
    assert type(caught.value.__cause__) is Unpicklable  # the learner's own exception
