"""When does a training run count as diverged, and which setting is to blame?

A learner calls a run diverged when its numbers run away, not only when they
become NaN: with eta = 1e6 a sigmoid network stays finite but its cost is a
million times its starting value and its weights are a million times their
starting size, while its accuracy sits at chance. After every epoch ``Watch``
checks, against the values before training,

- every weight and bias is finite;
- once the weights have grown tenfold, the cost on a fixed sample of at most 1,000
  training examples (without the regularisation term) is finite and at most
  ``COST_RISE`` (100) times its value before training. An untrained network guesses, so its cost is that of a guess;
  a run that learns, or oscillates, stays below it. A hundred times a guess
  means confidently wrong answers with pre-activations in the hundreds;
- the root-mean-square weight is at most ``WEIGHT_GROWTH`` (1,000) times its
  value before training.

Measured on MNIST with [784, 30, 10] (largest ratio over the run, cost / weights):
eta = 1e6 gives 1e5-1e6 / 1e6 for sigmoid, tanh and softmax, and 0.33 / 1.6e5 with
the quadratic cost (which saturates, so only the weights show the blow-up).
Runs that must pass: eta 2.5, lmbda 5 on 50,000 images (it oscillates) 0.10 / 12;
eta 3 with the quadratic cost 0.07 / 5.5; 150 unregularised epochs on 1,000
images 0.17 / 7.4; eta 10, lmbda 1 with large initial weights 0.75 / 0.78. Both
limits sit two orders of magnitude from either side.

Shrinking weights are never divergence: eta = 10, lmbda = 1000 on 50,000 images
decays every weight by 1 - eta lmbda / n = 0.8 per step, the network forgets
everything and guesses (accuracy 10%), which the history shows as it is. On
1,000 images the same settings give a factor of -9 per step: the weights grow
ninefold each mini-batch and reach 1e96 in one epoch, which is divergence, and
``advice`` then names lmbda.
"""
import warnings

import numpy as np

from ..history import label
from .arrays import caller_stacklevel

COST_RISE = 100.0
WEIGHT_GROWTH = 1000.0
SAMPLE = 1000
# The sample's cost is only computed once the weights have grown tenfold: a cost a hundred
# times a guess needs pre-activations in the hundreds, far beyond ten times the starting
# weights. This keeps the check from costing a forward pass per epoch in the many short
# epochs of small training sets (15,000 epochs of 100 images in the data-size sweep).
COST_CHECK_GROWTH = 10.0


class DivergenceWarning(RuntimeWarning):
    """Training stopped because its cost or weights ran away (or became NaN or infinite)."""


def rms(arrays):
    """Root-mean-square of all entries of a list of arrays."""
    total = sum(float(np.square(a, dtype=np.float64).sum()) for a in arrays)
    return (total / max(sum(a.size for a in arrays), 1)) ** 0.5


class Watch:
    """The reference values before training and the per-epoch checks against them."""

    def __init__(self, net, X, labels):
        self.net = net
        step = max(X.shape[0] // SAMPLE, 1)
        self.sample = (X[::step][:SAMPLE], labels[::step][:SAMPLE])
        with np.errstate(over="ignore", invalid="ignore"):
            self.cost0 = self._cost()
        self.rms0 = max(rms(net.weights), 1e-3)

    def _cost(self):
        """Mean cost per example of the sample, without the regularisation term."""
        X, labels = self.sample
        return float(self.net.count_and_cost(X, labels)[1]) / max(X.shape[0], 1)

    def finite(self):
        return all(np.isfinite(p).all() for p in self.net.weights + self.net.biases)

    def check(self, history):
        """The reason the run has diverged, or None (call inside the training errstate)."""
        for key in ("train_cost", "test_cost", "evaluation_cost"):
            if history[key] and len(history[key]) == len(history["epoch"]) \
                    and not np.isfinite(history[key][-1]):
                return f"the {label(key)} became NaN or infinite"
        growth = rms(self.net.weights) / self.rms0
        if not np.isfinite(growth) or growth > COST_CHECK_GROWTH:
            cost = self._cost()
            if not np.isfinite(cost):
                return "the training cost became NaN or infinite"
            if np.isfinite(self.cost0) and cost > COST_RISE * self.cost0:
                return (f"the training cost rose to {cost:.3g}, {cost / self.cost0:.3g} times "
                        f"its value before training ({self.cost0:.3g})")
        if growth > WEIGHT_GROWTH:
            return f"the weights grew {growth:.0e}-fold (root-mean-square {self.rms0:.2g} -> " \
                   f"{growth * self.rms0:.2g})"
        return None


def stop(history, epoch, reason, eta):
    """End the run as diverged in ``epoch`` for ``reason``, naming the setting to lower (from
    ``history.config``), and warn with DivergenceWarning at the learner's line."""
    c = history.config
    history.stop("diverged", epoch, f"diverged in epoch {epoch}: {reason}; "
                 f"{advice(eta, c['lmbda'], c['n'], c['momentum'], c['regularization'])}")
    warnings.warn(f"training {history.message}", DivergenceWarning, stacklevel=caller_stacklevel())


def advice(eta, lmbda, n, momentum, regularization):
    """Name the setting to lower: the unusual one among momentum, lmbda and eta."""
    if momentum >= 1:
        return f"lower momentum (mu = {momentum:g}: from 1 up the velocity never dies away)"
    if momentum < 0:
        return (f"use a momentum in [0, 1) (mu = {momentum:g}: a negative mu flips the "
                "velocity at every step, and below -1 it grows)")
    decay = 1 - eta * lmbda / n
    if regularization == "L2" and decay <= -1:
        return (f"lower lmbda (lmbda = {lmbda:g}: the weight-decay factor 1 - eta*lmbda/n = "
                f"{decay:.3g} flips and grows every weight at each step; keep eta*lmbda/n < 1)")
    return f"lower eta (eta = {eta:g} is too large a step) and run again"
