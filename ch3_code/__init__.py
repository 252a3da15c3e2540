"""ch3_code: the numpy code behind the Chapter 3 companion.

    import ch3_code
    training_data, validation_data, test_data = ch3_code.load_mnist()
    net = ch3_code.NN2([784, 30, 10], rand_seed=3)
    history = net.stochastic_gradient_descent(training_data, test_data, epochs=30,
                                              batch_size=10, eta=0.5, monitoring=True)
    ch3_code.plots.plot_history(history)

Modules (CONTRIBUTING.md says what each holds): ``activations`` and ``costs``
(the neurons and cost functions), ``network`` (NN2: the fast path, evaluation,
save/load, with ``persist``), ``reference`` (backpropagation the book's way, one
example per column: what the fast path is tested against), ``training`` (SGD,
with ``options``, ``divergence`` and ``progress``), ``history`` (the record of a
run), ``arrays`` (the accepted forms of data), ``data``, ``idx``, ``places`` and
``download`` (MNIST), ``expand`` (artificially expanded data), ``sweep``
(independent runs in parallel); ``plots``, ``report``, ``registry`` and
``explore`` are imported on first use, so that importing the package does not
load matplotlib, IPython or ipywidgets.
"""
from .activations import (LinearActivation, ReLUActivation, SigmoidActivation, SoftmaxActivation,
                          TanhActivation, get_activation)
from .costs import CrossEntropyCost, LogLikelihoodCost, QuadraticCost, get_cost
from .data import (MNIST, MNISTCacheError, MNISTNotFoundError, MNISTSplit, load_mnist,
                   load_mnist_from_web)
from .expand import expand_data
from .history import History
from .idx import MNISTDataError
from .network import NN2, load
from .sweep import SweepError, sweep
from .training import DivergenceWarning, train

__all__ = [
    "NN2", "load", "train", "History", "DivergenceWarning",
    "SigmoidActivation", "TanhActivation", "ReLUActivation", "LinearActivation", "SoftmaxActivation",
    "QuadraticCost", "CrossEntropyCost", "LogLikelihoodCost", "get_activation", "get_cost",
    "load_mnist", "load_mnist_from_web", "MNIST", "MNISTSplit", "MNISTDataError", "MNISTNotFoundError",
    "MNISTCacheError",
    "expand_data", "sweep", "SweepError",
]


def __getattr__(name):
    if name in ("plots", "report", "explore", "registry"):  # matplotlib and IPython only when needed
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'ch3_code' has no attribute {name!r}")
