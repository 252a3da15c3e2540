"""The registry's data model: an experiment of the book, its quantities, how they are measured.

Each :class:`Experiment` holds the book's configuration, the seed every chapter uses for it,
and its :class:`Quantity` list: the book's value, where the book gives it, one tolerance
(``tol``: allowed |this run - book|) or one allowed ``band`` (low, high) for this run's value,
and the written reason whenever a tolerance is wider than the rules below.

Tolerance rules: ±0.5 points for a best-over-epochs accuracy on 50,000 images, ±1.5 on
1,000 images, ±1.0 for a value at one epoch (the final one, say); an epoch index must lie in
a stated band that excludes clearly wrong behaviour. Epochs count from 0, as the book's code
prints them. Every entry starts from the book's configuration ``BASE`` (``entry`` builds
one); the entries are in :mod:`ch3_code.book.results`, the functions that read a quantity off
a run in :mod:`ch3_code.book.measures`; a chapter reaches them through
:mod:`ch3_code.registry`:

    from ch3_code import registry
    exp = registry.get("CE-30")                  # .config, .seed, .book_url, .quantities
    net = exp.network()                          # NN2 with the sizes, cost, init and seed
    ce30 = net.stochastic_gradient_descent(training_data, test_data, **exp.sgd_kwargs())
    registry.table({"CE-30": ce30})              # "book vs this run" as an HTML table

A result is what the experiment's ``result`` says (a History; ``{run: History}`` for the
multi-run experiments, keyed as ``exp.runs``), or a dict of measured values by quantity key.
"""
from dataclasses import dataclass, field, replace

from ..experiment import RUN_KEYS, check_keys
from ..experiment import run as run_network
from ..network import NN2
from .measures import (at_epoch, best, best_epoch, epochs, final,  # noqa: F401 (re-exported)
                       first_epoch, of_run, rises, series)

CHAPTER_URL = "http://neuralnetworksanddeeplearning.com/chap3.html"


class NotRerun(str):
    """A value this run did not measure, with the reason: ``NotRerun("would take 40 min")``."""


class Precomputed(float):
    """A value measured once outside the chapters (too slow for them), with how and when:
    ``Precomputed(94.55, "fit 25 min, scikit-learn 1.9.1")``; checked like a measured value."""

    def __new__(cls, value, note=""):
        self = super().__new__(cls, value)
        self.note = str(note)
        return self


@dataclass(frozen=True)
class Quantity:
    """One number the book gives (or one behaviour it describes) and how close a rerun must be.

    ``measure(result)`` turns the experiment's result into this run's value. ``book`` is the
    book's value (None when the book only describes the behaviour; ``book_text`` then says
    what it describes). Exactly one of ``tol`` and ``band`` is set unless the quantity is
    shown only, in which case ``reason`` says why it is not checked.
    """
    key: str
    label: str
    measure: object
    book: float | None = None
    where: str = ""
    tol: float | None = None
    band: tuple | None = None
    reason: str = ""
    unit: str = "%"
    digits: int = 2
    book_text: str = ""
    book_x: float | None = None  # the epoch (or size) at which the book gives the value
    headline: bool = False
    not_rerun: str = ""  # reason shown when a result leaves this quantity out
    precomputed: object = None  # () -> Precomputed or None: used when a result leaves it out

    def within(self, value):
        """True/False for a measured number; None when there is nothing to check."""
        if value is None or isinstance(value, NotRerun):
            return None
        if self.band is not None:
            return bool(self.band[0] <= value <= self.band[1])
        if self.tol is not None and self.book is not None:
            return bool(abs(value - self.book) <= self.tol + 1e-9)
        return None


@dataclass(frozen=True)
class Experiment:
    """One of the book's experiments: configuration, seed, chapter, book section, quantities.

    ``runs`` names the runs of a multi-run experiment, each with the config values that
    differ from ``config`` (for example the three learning rates of ETA); ``result`` says
    what ``table``/``check`` expect for this experiment.
    """
    id: str
    title: str
    chapter: str
    section: str
    book_url: str
    config: dict
    quantities: tuple
    result: str = "a History"
    runs: dict = field(default_factory=dict)
    also_in: tuple = ()

    @property
    def seed(self):
        return self.config.get("seed")

    def quantity(self, key):
        for q in self.quantities:
            if q.key == key:
                return q
        raise KeyError(f"{self.id} has no quantity {key!r}; it has "
                       f"{[q.key for q in self.quantities]}")

    def __str__(self):
        lines = [f"{self.id}: {self.title} (chapter {self.chapter}; book: {self.book_url})",
                 f"  config: {self.config}", f"  result: {self.result}"]
        for q in self.quantities:
            allowed = (f"±{q.tol:g}" if q.tol is not None else f"in {q.band}" if q.band
                       else "shown")
            book = q.book if q.book is not None else q.book_text
            lines.append(f"  {q.key}: {q.label}; book {book} ({q.where}); allowed {allowed}"
                         + (f" ({q.reason})" if q.reason else ""))
        return "\n".join(lines)

    def run_config(self, run=None):
        """The configuration of one run (the whole experiment's when ``run`` is None)."""
        return {**self.config, **self.runs.get(run, {})} if run is not None else dict(self.config)

    def network(self, run=None, seed=None):
        """A fresh NN2 with this experiment's layer sizes, cost, initialisation and seed."""
        config = self.run_config(run)
        net = NN2(config["layer_sizes"], rand_seed=self.seed if seed is None else seed,
                  cost=config["cost"])
        if config["init"] == "large":
            net.large_weight_initializer()
        return net

    def sgd_kwargs(self, run=None):
        """epochs, batch_size, eta and lmbda of one run, for ``stochastic_gradient_descent``."""
        config = self.run_config(run)
        return {k: config[k] for k in ("epochs", "batch_size", "eta", "lmbda")}

    def measure(self, result):
        """This run's value of every quantity: a number, a NotRerun, or None (not measurable).

        ``result`` is what ``self.result`` says, or a dict of already measured values keyed
        by quantity key (accuracies in percent), e.g. ``{"best_test": 95.6}``.
        """
        keys = [q.key for q in self.quantities]
        given = isinstance(result, dict) and result and all(k in keys for k in result)
        values = {}
        for q in self.quantities:
            try:
                value = result.get(q.key) if given else q.measure(result)
            except (AttributeError, KeyError, IndexError, TypeError, ValueError):
                value = None
            if (value is None or isinstance(value, NotRerun)) and q.precomputed:
                stored = q.precomputed()
                value = value if stored is None else stored
            if value is None and q.not_rerun:
                value = NotRerun(q.not_rerun)
            keep = value is None or isinstance(value, (NotRerun, Precomputed))
            values[q.key] = value if keep else float(value)
        return values

    # ---- running it: the book's configuration, with changes on top ----
    def settings(self, run=None, **changes):
        """The keywords of ``ch3_code.run`` for one run: the book's configuration (this
        experiment's seed, the monitors its figures need) with ``changes`` on top."""
        check_keys(changes, RUN_KEYS, f"{self.id}")
        left = sorted({k for r in self.runs.values() for k in r} - set(changes))
        if run is None and self.runs and left:
            raise ValueError(f"{self.id} has the runs {list(self.runs)}: name one, e.g. "
                             f".run({next(iter(self.runs))!r}), or give {', '.join(left)}")
        config = {k: v for k, v in self.run_config(run).items() if k in RUN_KEYS}
        book = {"monitoring": BOOK_MONITORING[self.id]} if self.id in BOOK_MONITORING else {}
        return {**book, **config, **changes}

    def run(self, run=None, *, data=None, **changes):
        """Train one run as the book did, with ``changes`` on top (``lmbda=1.0``, ...): its
        History, with the trained network as ``history.net``. See ``ch3_code.run``."""
        return run_network(**self.settings(run, **changes), data=data)

    def changed(self, **changes):
        """A copy of this experiment with some configuration values changed (its quantities
        and book values stay); a copy that sets what the runs differ in is one run."""
        check_keys(changes, RUN_KEYS, f"{self.id}.changed")
        one_run = {k for r in self.runs.values() for k in r} <= set(changes)
        return replace(self, config={**self.config, **changes},
                       runs={} if one_run else self.runs)


#: what the book's figures show beyond the monitored set's accuracy, by experiment
BOOK_MONITORING = {"OVERFIT-1k": ["train_accuracy", "test_accuracy", "test_cost"],
                   "OVERFIT-50k": ["train_accuracy", "test_accuracy"],
                   "L2-50k": ["train_accuracy", "test_accuracy"]}


# ---- what the entries share: the book's configuration, where a value is given ----
#: the book's configuration: an entry's ``config`` is this with the entry's changes on top
BASE = dict(layer_sizes=[784, 30, 10], cost="cross-entropy", init="large", eta=0.5, lmbda=0.0,
            epochs=30, n=50_000, batch_size=10, monitor="test", pick="best")
TEXT, FIGURE = "chapter 3 text", "chapter 3 figure (the book's fig/ data)"
ONE_EPOCH = "a value at one epoch: ±1.0"


def entry(exp_id, title, chapter, section, config, quantities, **kwargs):
    """An Experiment from the book's ``section`` (title, url) and ``config`` on top of BASE."""
    return Experiment(exp_id, title, chapter, section[0], section[1], {**BASE, **config},
                      tuple(quantities), **kwargs)


def best_test(book, where=TEXT, tol=0.5, **kw):
    """The headline quantity of most entries: the best test accuracy over the epochs."""
    return Quantity("best_test", "best test accuracy", best("test_accuracy"), book, where, tol,
                    headline=True, **kw)
