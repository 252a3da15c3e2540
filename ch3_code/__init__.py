"""ch3_code: the numpy code behind the Chapter 3 companion.

    import ch3_code
    training_data, validation_data, test_data = ch3_code.load_mnist()
    net = ch3_code.NN2([784, 30, 10], rand_seed=3)
    history = net.stochastic_gradient_descent(training_data, test_data, epochs=30,
                                              batch_size=10, eta=0.5, monitoring=True)
    ch3_code.plots.plot_history(history)

Read it in this order, beside the book's network2.py:

1. ``book_backprop``: network2's backprop and update, one example per column. Start here.
2. ``activations``: the neurons, f(z) and f'(z).
3. ``costs``: the cost functions, C and the output error delta^L (BP1).
4. ``network``: NN2, the same equations with one example per row (its docstring maps the
   column form onto the row form), saving and loading; ``evaluation`` beside it: what a
   network scores on a data set (accuracy, cost, the cost's gradient), which NN2 inherits.
5. ``training``: mini-batch SGD read like network2's ``SGD``, its update step
   (``update_mini_batch``); ``stop_rules`` beside it: early stopping and the eta schedule.
6. ``history``: the record of one run.

Beside them, the tools the chapters call: ``plots`` (learning curves; with it ``digits``,
``book_marks`` for the book's value beside a run, and ``figure_style``), ``explore``
(sliders), ``animate`` (animations with a still picture), ``exercises`` (checks that give
feedback, not the answer), ``expand`` (artificially expanded data), ``experiment``
(``ch3_code.run``: train a network as a configuration describes it), ``sweep``
(independent runs in parallel) and ``registry`` (the book's numbers: look an experiment up,
run it or a changed copy, check a run, show "book vs this run").

What a learner may skip lives in three sub-packages:

* ``mnist``: loading, checking, caching and downloading the data;
* ``book``: the book's experiments and results, their tables and checks, the scorecard and
  ``python -m ch3_code.reproduce`` (the seed spread);
* ``internals``: the compiled epoch, argument checks, the divergence watch, the progress bar,
  saving to a file, a learner's own classes, MNIST's bytes as rows.

``import ch3_code`` loads neither matplotlib nor IPython nor ipywidgets: the tools that
draw, ``registry`` and ``book`` are imported on first use (``ch3_code.plots`` works without
an import of its own); requests waits for the first download and Numba for the first
compiled epoch. The old module paths (``ch3_code.fused``, ``ch3_code.data``, ...) still
import the moved modules: see ``_moved``.
"""
import importlib

from . import _moved
from .activations import (LinearActivation, ReLUActivation, SigmoidActivation, SoftmaxActivation,
                          TanhActivation, get_activation)
from .costs import CrossEntropyCost, LogLikelihoodCost, QuadraticCost, get_cost
from .expand import expand_data
from .experiment import cost_falls, run
from .history import History
from .mnist import (MNIST, MNISTCacheError, MNISTDataError, MNISTNotFoundError, MNISTSplit,
                    load_mnist, load_mnist_from_web)
from .network import NN2, load
from .sweep import SweepError, SweepInterrupted, sweep
from .training import DivergenceWarning, train

__all__ = [
    "NN2", "load", "train", "History", "DivergenceWarning",
    "SigmoidActivation", "TanhActivation", "ReLUActivation", "LinearActivation", "SoftmaxActivation",
    "QuadraticCost", "CrossEntropyCost", "LogLikelihoodCost", "get_activation", "get_cost",
    "load_mnist", "load_mnist_from_web", "MNIST", "MNISTSplit", "MNISTDataError", "MNISTNotFoundError",
    "MNISTCacheError",
    "expand_data", "sweep", "SweepError", "SweepInterrupted", "run", "cost_falls",
]

# imported on first use: they load matplotlib, IPython or ipywidgets, or the book's tables
_ON_FIRST_USE = ("plots", "explore", "animate", "exercises", "registry", "book")

_moved.install()


def __getattr__(name):
    """``ch3_code.plots`` and the other tools on first use; an old module name, forwarded."""
    if name in _ON_FIRST_USE:
        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":  # a missing dependency, not a missing tool
                raise
    elif name in _moved.MOVED:
        return importlib.import_module(_moved.MOVED[name])
    raise AttributeError(f"module 'ch3_code' has no attribute {name!r}")
