"""Train one network as a configuration describes it, in one call: ``run(...)``.

    import ch3_code
    history = ch3_code.run(layer_sizes=[784, 30, 10], n=50_000, epochs=30, batch_size=10,
                           eta=0.5, lmbda=5.0, init="large", seed=1, monitor="test")
    history.net               # the trained network travels with its History

The keywords are the keys of a registry experiment's configuration
(``registry.get("L2-50k").config``), so ``registry.get("L2-50k").run(lmbda=1.0)`` is this call
with the book's configuration and one change. Every other keyword (``momentum``, ``dropout``,
``early_stopping``, ``monitoring``, ...) goes to ``NN2.stochastic_gradient_descent`` as it is.
Why a function here: a chapter says *what* to run (its knobs); how a run is set up (the data,
the initialisation, which sets are measured) is written once, here.

``monitor`` says which set is measured after every epoch, as the registry's entries say it:
"test", "validation" (the first ``n_validation`` validation images), "both", "train" (the
training cost only) or None (nothing per epoch). ``data`` is (training, validation, test);
by default ``ch3_code.load_mnist()``, which each sweep worker loads once and keeps.
"""
import inspect
import warnings

import numpy as np

from .expand import expand_data
from .mnist import load_mnist
from .network import NN2
from .training import DivergenceWarning, train

#: the keys of a configuration (a registry experiment's ``config``) that ``run`` reads
CONFIG_KEYS = ("layer_sizes", "n", "epochs", "batch_size", "eta", "lmbda", "cost", "init",
               "seed", "monitor", "n_validation", "activation", "output_activation", "dtype",
               "expand")
#: the training options ``run`` passes on to ``stochastic_gradient_descent``
SGD_OPTIONS = tuple(name for name, p in inspect.signature(train).parameters.items()
                    if p.kind is p.KEYWORD_ONLY and name != "evaluation_data") + ("monitoring",)
#: every keyword of ``run`` but ``data``: what a registry experiment's changes may set
RUN_KEYS = CONFIG_KEYS + ("warn_divergence",) + SGD_OPTIONS
MONITOR_SETS = {"test": ("test",), "validation": ("validation",),
                "both": ("test", "validation"), "train": (), None: ()}


def run(layer_sizes=(784, 30, 10), n=50_000, epochs=30, batch_size=10, eta=0.5, lmbda=0.0,
        cost="cross-entropy", init="default", seed=None, monitor="test", n_validation=None,
        activation="sigmoid", output_activation=None, dtype="float32", expand=None,
        data=None, warn_divergence=True, **sgd_options):
    """Train a new network on the first ``n`` training images; its History, with ``.net``.

    init: "default" (weights N(0, 1/n_in)) or "large" (N(0, 1), the book's chapter 1);
    seed: the network's seed (None: NN2's default, 0); expand: None, or keyword arguments of
    ``ch3_code.expand_data`` for the n images (each image then followed by moved copies);
    warn_divergence: False records a diverged run in its status without a warning.
    """
    check_keys(sgd_options, SGD_OPTIONS, "run")
    if monitor not in MONITOR_SETS:
        raise ValueError(f"run: monitor={monitor!r}; use one of {list(MONITOR_SETS)}")
    if init not in ("default", "large"):
        raise ValueError(f"run: init={init!r}; use 'default' (N(0, 1/n_in)) or 'large'")
    training, validation, test = data if data is not None else load_mnist(progress=False)
    sets = MONITOR_SETS[monitor]
    evaluation = validation[:n_validation or len(validation)] if "validation" in sets else None
    if monitor == "train" and not sgd_options.get("monitoring"):
        sgd_options["monitoring"] = ["train_cost"]
    net = NN2(list(layer_sizes), **({} if seed is None else {"rand_seed": seed}),
              activation=activation, output_activation=output_activation, cost=cost,
              dtype=dtype)
    if init == "large":
        net.large_weight_initializer()
    with warnings.catch_warnings():
        if not warn_divergence:  # a diverged run says so in its status and message
            warnings.simplefilter("ignore", DivergenceWarning)
        history = net.stochastic_gradient_descent(
            _training_set(training, n, expand), test if "test" in sets else None, epochs,
            batch_size, eta, lmbda=lmbda, evaluation_data=evaluation, **sgd_options)
    history.net = net
    return history


def cost_falls(eta, n=10_000, epochs=3, lmbda=1.0, seed=1, layer_sizes=(784, 30, 10)):
    """The book's test for the threshold learning rate: True if the training cost of a new
    network (default initialisation, weight decay ``lmbda``) falls in each of the first
    ``epochs`` epochs on the first ``n`` training images, starting from its untrained cost."""
    training = load_mnist(progress=False)[0][:n]
    untrained = NN2(list(layer_sizes), rand_seed=seed).total_cost(training, lmbda=lmbda)
    h = run(layer_sizes=layer_sizes, n=n, epochs=epochs, eta=eta, lmbda=lmbda, seed=seed,
            monitor="train", warn_divergence=False, progress=False, verbose=False)
    costs = [untrained] + h["train_cost"]
    return h.status == "completed" and all(b < a for a, b in zip(costs, costs[1:]))


def _training_set(training, n, expand):
    """The first n training images, followed by their moved copies when ``expand`` is given."""
    data = training[:n]
    if expand is None:
        return data
    X, y = expand_data((data.X, data.y), **expand)
    return np.clip(X, 0.0, 1.0, out=X), y  # a rotation can give 1.0000001


def check_keys(given, allowed, where):
    """Refuse a keyword ``where`` does not know, naming it and what is allowed."""
    unknown = [key for key in given if key not in allowed]
    if unknown:
        raise TypeError(f"{where}: unknown setting {unknown[0]!r}; the settings are "
                        f"{', '.join(allowed)}")
