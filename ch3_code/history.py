"""The record of one training run: a dict of per-epoch lists with a few helpers.

``History`` is a plain ``dict`` (so ``res["test_accuracy"]``, as in the notebook this
project grew from, keeps working) whose keys are ``epoch`` (0, 1, ..., epochs - 1, numbered as the
book's code prints them, so "epoch k" here is the book's "epoch k", the (k+1)-th
pass over the training data), ``runtime_seconds`` (the
training time of each epoch, without evaluation), ``eta`` (the learning rate
used in each epoch) and the monitors below. Accuracies are fractions in [0, 1];
costs are means per example plus the regularisation term, computed with the
training-set size n for every data set. A monitor that was not asked for stays
an empty list.
"""
MONITORS = ("train_accuracy", "train_cost", "test_accuracy", "test_cost",
            "evaluation_accuracy", "evaluation_cost")

#: How a data set is named to a reader: the ``evaluation_*`` keys hold the validation set.
SET_NAMES = {"train": "training", "test": "test", "evaluation": "validation"}


def label(key):
    """A monitor's name for a reader: 'evaluation_accuracy' -> 'validation accuracy'."""
    split, _, quantity = key.partition("_")
    return f"{SET_NAMES.get(split, split)} {quantity}".rstrip()


class History(dict):
    """Per-epoch lists plus status, message, stopped_epoch, total_seconds and config.

    status is "completed", "early-stopped", "eta-floor", "stopped" (by a callback),
    "interrupted" or "diverged"; stopped_epoch is the epoch the run ended in (a diverged
    epoch whose weights became NaN is not recorded). The ``evaluation_*`` lists hold the
    validation set (network2's key names); summaries and plots call it "validation".
    ``best()`` and ``final()`` give (epoch, value) of a monitor; ``summary()`` one line;
    ``counts("test_accuracy")`` the accuracies as network2 gives them, numbers of examples
    classified correctly (``sizes`` holds each set's number of examples).
    """

    def __init__(self, config=None, watched=None, sizes=None):
        super().__init__(epoch=[], runtime_seconds=[], eta=[], **{k: [] for k in MONITORS})
        self.config = dict(config or {})
        self.watched = watched
        self.sizes = dict(sizes or {})  # examples per set: {"train": n, "test": ..., ...}
        self.status, self.message, self.stopped_epoch = "running", "", None
        self.total_seconds = 0.0
        self.net = None  # the trained network, when ch3_code.run or the registry set it

    def record(self, epoch, seconds, eta, values):
        self["epoch"].append(epoch)
        self["runtime_seconds"].append(seconds)
        self["eta"].append(eta)
        for key, value in values.items():
            self[key].append(value)

    def stop(self, status, epoch, message):
        self.status, self.stopped_epoch, self.message = status, epoch, message

    def _key(self, key):
        key = key or self.watched or next((k for k in ("evaluation_accuracy", "test_accuracy",
                                                         "train_accuracy") if self.get(k)), None)
        if key not in self or not self[key]:
            raise ValueError(f"no values recorded for {key!r}; recorded: "
                             f"{[k for k in MONITORS if self[k]]}")
        return key

    def best(self, key=None):
        """(epoch, value) of the best epoch: highest accuracy or lowest cost (first on ties)."""
        key = self._key(key)
        values = self[key]
        pick = min if key.endswith("_cost") else max
        i = pick(range(len(values)), key=values.__getitem__)
        return self["epoch"][i], values[i]

    def counts(self, key):
        """An accuracy's values as counts of correct examples, as network2's ``accuracy``."""
        split = key.removesuffix("_accuracy")
        if split == key or split not in self.sizes:
            raise ValueError(f"counts({key!r}): give the accuracy of a set this run used: "
                             f"{[f'{s}_accuracy' for s in self.sizes]}")
        return [round(a * self.sizes[split]) for a in self[key]]  # a = correct / size, exactly

    def final(self, key=None):
        """(epoch, value) of the last recorded epoch."""
        key = self._key(key)
        return self["epoch"][-1], self[key][-1]

    def summary(self, key=None):
        """One deterministic line, for example

        '30 epochs, 9.1 s: best test accuracy 95.42% (epoch 27), final 95.31%'

        It reports the watched accuracy (validation if there was evaluation data, else
        test) unless ``key`` names another, e.g. ``summary("test_accuracy")``.
        """
        n = len(self["epoch"])
        head = f"{n} epoch{'s' if n != 1 else ''}, {self.total_seconds:.1f} s"
        if key is not None and not key.endswith("_accuracy"):
            raise ValueError(f"summary(key={key!r}): give an accuracy, e.g. 'test_accuracy'")
        try:
            key = self._key(key)
        except ValueError:
            if key is not None:
                raise
            text = head  # no accuracy was recorded at all
        else:
            (be, bv), (_, fv) = self.best(key), self.final(key)
            text = (f"{head}: best {label(key)} {bv:.2%} (epoch {be}), "
                    f"final {fv:.2%}")
        return f"{text}; {self.message}" if self.message else text

    def __repr__(self):
        return f"<History {self.status}: {self.summary()}>"
