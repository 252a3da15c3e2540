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

#: Set to "1" while a run belongs to a sweep (in a worker, or in-process when n_jobs=1).
WORKER_ENV = "CH3_SWEEP_WORKER"
BAR_FORMAT = "{desc}{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} epochs{postfix}"


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
                                     mininterval=0.1, display=False)
            self.handle = display(self.bar.container, display_id=True)
        else:
            self.bar = tqdm(total=epochs, bar_format=BAR_FORMAT, leave=True, mininterval=0.1)

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

    def fail(self, text, seconds=None):
        """End short of the total (red in Jupyter): divergence, an interrupt or an error."""
        if self.enabled:
            self._close(text, seconds)

    def _close(self, text, seconds):
        self.bar.set_postfix_str(self._text(text, seconds), refresh=False)
        self.bar.close()
        if self.handle is not None:
            self.handle.update(self.bar.container)  # the saved text/plain is the final state
        self.enabled = False
