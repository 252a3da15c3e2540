"""The progress bar of one training run: one tqdm bar that ends the way the run ended.

tqdm draws the bar (a widget in Jupyter, text elsewhere); this module adds what
tqdm does not do for a run that can end early on purpose:

- ``finish(text)``: a run that stopped deliberately (early stopping, the eta
  floor, a callback) or completed. The bar's total is set to the epochs that
  ran, so it ends full; tqdm's Jupyter bar turns green, not red.
- ``fail(text)``: divergence, an interrupt or an error. The bar stays short of
  its total, which tqdm's Jupyter bar shows in red.

The bar shows one time figure, the seconds since the run started, written as
the run's summary line writes it ("9.1 s"); tqdm's own rate and remaining time
are left out (they count the evaluation too and disagree with the summary).
A bar that ends short of its total is never empty: with nothing done, Jupyter's red
bar would have no width, so it keeps a sliver (``SLIVER`` of its length) to show red.

``sweep_bar`` is the sweep's bar (runs done, with tqdm's rate): its rate is the average
over the whole sweep, runs done / seconds (``smoothing=0``; tqdm's default, an
exponential moving average of the last updates, printed "15/15 [00:36, 1.01 run/s]"
for 15 runs in 36 s); ``stopped`` ends it red, saying why.
In Jupyter the bar is shown through a display handle and shown again when it
ends, so that the plain-text copy saved in the notebook reads as the final
state ("12/12 epochs ... stopped early"), not the first one ("0/30").

Quiet mode: inside a sweep (``ch3_code.sweep``) each run shows no bar and prints no summary,
because the sweep shows one bar for all runs and prints each run's summary itself. The sweep
runs each function inside ``quiet_runs()``, which sets ``CH3_SWEEP_WORKER=1`` (an environment
variable, so it reaches worker processes too), and ``train`` asks ``quiet()``.
"""
import contextlib
import os
import time

from tqdm.auto import tqdm

from ..history import label

#: Set to "1" while a run belongs to a sweep (in a worker, or in-process when n_jobs=1).
WORKER_ENV = "CH3_SWEEP_WORKER"
BAR_FORMAT = "{desc}{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} epochs{postfix}"
#: The least part of a red bar drawn, so that a bar stopped before any step shows red.
SLIVER = 0.02


def quiet():
    """True while a run belongs to a sweep: no bar and no summary line of its own."""
    return os.environ.get(WORKER_ENV) == "1"


@contextlib.contextmanager
def quiet_runs():
    """Inside: ``quiet()`` is True (for the runs of a sweep); the variable is restored after."""
    before = os.environ.get(WORKER_ENV)
    os.environ[WORKER_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(WORKER_ENV, None)
        else:
            os.environ[WORKER_ENV] = before


def _in_notebook():
    """True when tqdm.auto picked the Jupyter widget bar."""
    try:  # deferred: tqdm.notebook imports ipywidgets, which `import ch3_code` does not load
        from tqdm.notebook import tqdm as notebook_tqdm
    except ImportError:  # pragma: no cover - tqdm without its notebook module
        return False
    return issubclass(tqdm, notebook_tqdm)


class EpochBar:
    """A bar of ``epochs`` steps; ``enabled=False`` makes every method do nothing."""

    def __init__(self, epochs, enabled=True, notebook=None):
        self.enabled = bool(enabled) and epochs > 0
        self.start = time.perf_counter()
        self.bar = self.handle = None
        if not self.enabled:
            return
        notebook = _in_notebook() if notebook is None else notebook
        if notebook:
            from IPython.display import display  # deferred: only in a notebook
            from tqdm.notebook import tqdm as notebook_tqdm
            self.bar = notebook_tqdm(total=epochs, bar_format=BAR_FORMAT, leave=True,
                                     mininterval=0.1, smoothing=0, display=False)
            self.handle = display(self.bar.container, display_id=True)
        else:
            self.bar = tqdm(total=epochs, bar_format=BAR_FORMAT, leave=True, mininterval=0.1,
                            smoothing=0)

    def _text(self, text, seconds=None):
        seconds = time.perf_counter() - self.start if seconds is None else seconds
        return f"{text}, {seconds:.1f} s" if text else f"{seconds:.1f} s"

    def update(self, text=""):
        """One more epoch done; ``text`` is e.g. 'validation acc 95.12%'."""
        if self.enabled:
            self.bar.set_postfix_str(self._text(text), refresh=False)
            self.bar.update(1)

    def finish(self, text="", seconds=None):
        """End as a full bar: the run completed or was stopped on purpose (reason in ``text``).

        ``seconds``: the run's time as its summary line states it (default: since the start).
        """
        if not self.enabled:
            return
        if self.bar.n:
            self.bar.total = self.bar.n
            if self.handle is not None:
                self.bar.container.children[1].max = self.bar.n
        self._close(text, seconds)

    def end(self, history, epochs):
        """End the way the run ended: red if it diverged, else full with its reason."""
        if history.status == "diverged":
            self.fail(f"diverged in epoch {history.stopped_epoch}", seconds=history.total_seconds)
        else:
            parts = (postfix(history), ending(history, epochs))
            self.finish(", ".join(t for t in parts if t), seconds=history.total_seconds)

    def fail(self, text, seconds=None):
        """End short of the total (red in Jupyter): divergence, an interrupt or an error."""
        if self.enabled:
            self._close(text, seconds, failed=True)

    def _close(self, text, seconds, failed=False):
        self.bar.set_postfix_str(self._text(text, seconds), refresh=False)
        self.bar.close()
        if failed:
            _keep_a_sliver(self.bar)
        if self.handle is not None:
            self.handle.update(self.bar.container)  # the saved text/plain is the final state
        self.enabled = False


def postfix(history):
    """The watched accuracy's last value for the bar, e.g. 'validation acc 95.12%'."""
    watched = history.watched
    if not watched or not history[watched]:  # nothing recorded (epochs=0)
        return ""
    return f"{label(watched).removesuffix(' accuracy')} acc {history[watched][-1]:.2%}"


def ending(history, epochs):
    """The reason a run ended before its planned epochs, for the end of its bar."""
    reason = {"early-stopped": "stopped early", "eta-floor": "stopped at the eta floor",
              "stopped": "stopped by the callback"}.get(history.status)
    return f"{reason} ({epochs} planned)" if reason else ""


def sweep_bar(runs, enabled=True):
    """The one bar of a sweep, counting finished runs; its rate is runs done / seconds.

    mininterval=0: every finished run is shown, even one a moment after another (tqdm's
    0.1 s left the bar at 1/4 with two runs done until the next run ended).
    """
    return tqdm(total=runs, desc="sweep", unit="run", disable=not enabled, mininterval=0,
                smoothing=0)


def stopped(bar, text):
    """End ``bar`` short of its total, saying why (``text``): red in Jupyter, never empty."""
    if bar.disable:
        return
    bar.set_description(f"{bar.desc} {text}".strip(), refresh=False)
    bar.close()
    _keep_a_sliver(bar)


def _keep_a_sliver(bar):
    """A closed Jupyter bar short of its total is red: give it at least ``SLIVER`` of width."""
    widget = getattr(bar, "container", None)  # only tqdm's Jupyter bar has one
    if widget is not None and bar.total:
        progress = widget.children[1]
        progress.bar_style = "danger"
        progress.value = max(progress.value, SLIVER * progress.max)
