"""NN2: a fully connected feedforward network trained by backpropagation (the fast path).

Notation follows the book. Layer l has weights w^l of shape (n_l, n_{l-1}) and
biases b^l of shape (n_l, 1); its weighted input is z^l = w^l a^{l-1} + b^l and
its activation a^l = f(z^l). Hidden layers use ``activation``; the output layer
uses ``output_activation``, which by default is the one that fits the cost:
sigmoid for the cross-entropy and quadratic costs, softmax for the log-likelihood.

The book stacks a mini-batch of m examples as the *columns* of a matrix; here
they are its *rows* (X has shape (m, n_in)), which is how MNIST is stored and
what lets ``X @ w.T`` read memory in order. The one transposition turns each
equation of ``ch3_code.book_backprop`` (the book's column form) into its row form:

    z^l = w^l a^{l-1} + b^l           ->  Z^l = A^{l-1} (w^l)^T + (b^l)^T
    BP1  delta^L = dC/da o f'(z^L)    ->  the same, one row per example
    BP2  delta^l = ((w^{l+1})^T delta^{l+1}) o f'(z^l)  ->  (D^{l+1} w^{l+1}) o f'(Z^l)
    BP3  dC/db^l = delta^l            ->  the sum of the rows of D^l
    BP4  dC/dw^l = delta^l (a^{l-1})^T  ->  (D^l)^T A^{l-1}

``tests/test_reference.py`` checks that both give the same gradients and updates.
Everything runs in the network's ``dtype`` (float32 by default, float64 for
gradient checks); data are converted to it once, when a set is first handed over.
"""
from collections import namedtuple

import numpy as np

from .activations import SigmoidActivation, get_activation
from .costs import CrossEntropyCost, get_cost
from .evaluation import Evaluation
from .internals import persist
from .internals.arrays import as_arrays, one_hot
from .internals.checks import check_dtype, check_layer_sizes, check_rand_seed, is_number
from .training import network2_sgd, train

ForwardPass = namedtuple("ForwardPass", ["inputs", "hidden", "z", "a"])
ForwardPass.__doc__ = """What one forward pass leaves for backpropagation.

inputs[l]: the activations fed into layer l + 1 (the input X, then each hidden layer's
    output after dropout); hidden[l]: hidden layer l + 1's output before dropout, from
    which f'(z) is computed; z, a: the output layer's weighted input and activation."""


class NN2(Evaluation):
    """A network such as ``NN2([784, 30, 10], rand_seed=3, activation="sigmoid")``.

    ``activation`` (hidden layers) and ``cost`` take a class or a name
    ("sigmoid", "tanh", "relu"; "cross-entropy", "quadratic", "log-likelihood").
    ``dtype`` is "float32" (the default: MNIST is stored so, and it is faster) or
    "float64". All randomness (initial weights, shuffling, dropout) comes from one
    generator seeded with ``rand_seed`` (None or an int >= 0), so a seed gives one run.
    ``num_layers`` is network2's: the number of layers, the input layer included
    (``len(layer_sizes)``); there are ``num_layers - 1`` weight matrices.
    """

    def __init__(self, layer_sizes, rand_seed=0, activation=SigmoidActivation,
                 cost=CrossEntropyCost, output_activation=None, dtype="float32"):
        self.layer_sizes = check_layer_sizes(layer_sizes, check_dtype(dtype))
        self.num_layers = len(self.layer_sizes)  # network2's num_layers: input layer included
        self.dtype = np.dtype(dtype)
        self.activation = get_activation(activation)
        self.cost = get_cost(cost)
        allowed = getattr(self.cost, "output_activations", None)
        if output_activation is None:
            output_activation = allowed[0] if allowed else self.activation
        self.output_activation = get_activation(output_activation)
        if allowed and self.output_activation not in allowed:
            raise ValueError(
                f"output_activation={self.output_activation.name!r} does not fit the "
                f"{self.cost.name} cost; use one of {[a.name for a in allowed]} "
                "(or choose another cost)")
        if self.activation.name == "softmax":
            raise ValueError("activation='softmax' is an output layer; hidden layers need "
                             "'sigmoid', 'tanh' or 'relu'")
        self.rand_seed = check_rand_seed(rand_seed)
        self.rng = np.random.default_rng(seed=self.rand_seed)
        self.history = None  # the History of the latest training run (kept if Ctrl-C ends it)
        self.default_weight_initializer()

    # ---------------------------------------------------------------- set-up
    def default_weight_initializer(self):
        """Weights ~ N(0, 1/n_in), biases ~ N(0, 1): z starts with a spread of order 1."""
        self._initialize(lambda n_in: 1.0 / np.sqrt(n_in))

    def large_weight_initializer(self):
        """Weights and biases ~ N(0, 1), as in chapter 1 (saturates neurons with many inputs)."""
        self._initialize(lambda n_in: 1.0)

    def _initialize(self, weight_scale):
        """Draw in float64, round to ``dtype``: one seed gives the same start in either dtype."""
        self.biases = [self.rng.normal(0.0, 1.0, size=(n, 1)).astype(self.dtype)
                       for n in self.layer_sizes[1:]]
        pairs = zip(self.layer_sizes[:-1], self.layer_sizes[1:])
        self.weights = [self.rng.normal(0.0, weight_scale(n_in), (n_out, n_in)).astype(self.dtype)
                        for n_in, n_out in pairs]

    @property
    def n_parameters(self):
        """Number of weights and biases ([784, 30, 10] has 23,860)."""
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    def __repr__(self):
        return (f"NN2({self.layer_sizes}, activation={self.activation.name!r}, "
                f"output_activation={self.output_activation.name!r}, cost={self.cost.name!r}, "
                f"dtype={self.dtype.name!r})")

    # ------------------------------------------------ data, in this network's form
    def data_arrays(self, data, name="data", pixels=False):
        """``(X, labels)`` for any accepted form of ``data``, X in this network's dtype.

        Checked against the layer sizes; a float array already in the dtype is not copied.
        ``pixels``: read MNIST's bytes when ``data`` has them (see ``arrays.as_arrays``).
        """
        return as_arrays(data, self.layer_sizes[0], self.layer_sizes[-1], name,
                         dtype=self.dtype, pixels=pixels)

    def targets(self, labels):
        """The one-hot rows y(x) for integer ``labels``: shape (m, n_out), this network's dtype."""
        return one_hot(labels, self.layer_sizes[-1], dtype=self.dtype)

    def dropout_masks(self, m, p):
        """One mask per hidden layer for m examples: 1/(1-p) with probability 1-p, else 0.

        Each example (row) gets its own mask, as Hinton et al. do (the book's text
        describes one mask per mini-batch); dividing by 1 - p keeps each neuron's
        expected output, so nothing changes at evaluation (inverted dropout).
        """
        keep = 1.0 - p
        return [(self.rng.random((m, h)) < keep) / self.dtype.type(keep)
                for h in self.layer_sizes[1:-1]]

    # --------------------------------------------------------------- forward
    def forward(self, X, masks=None):
        """Rows in: A^l = f(A^{l-1} (w^l)^T + (b^l)^T) layer by layer; gives a ``ForwardPass``."""
        inputs, hidden = [X], []
        a = X
        if masks is None:
            masks = [None] * (self.num_layers - 2)
        for w, b, mask in zip(self.weights[:-1], self.biases[:-1], masks):
            z = np.dot(a, w.T)
            z += b.T
            a = self.activation.fn(z)
            hidden.append(a)
            if mask is not None:
                a = a * mask
            inputs.append(a)
        z = np.dot(a, self.weights[-1].T)
        z += self.biases[-1].T
        return ForwardPass(inputs, hidden, z, self.output_activation.fn(z, out=np.empty_like(z)))

    def feedforward(self, a):
        """Output activations for input ``a``: one example per column, e.g. (784, 1) or (784, m).

        A 1-D input of length n_in is treated as a single example and gives a 1-D output.
        """
        a = np.asarray(a, dtype=self.dtype)
        if a.ndim not in (1, 2) or a.shape[0] != self.layer_sizes[0]:
            n_in = self.layer_sizes[0]
            raise ValueError(f"feedforward(a): a has shape {a.shape}; expected ({n_in}, m) with "
                             f"one example per column, or ({n_in},) for one")
        rows = a.reshape(1, -1) if a.ndim == 1 else a.T
        with np.errstate(over="ignore"):  # sigma(z << 0) in float32: e^{-z} -> inf, sigma -> 0
            out = self.forward(np.ascontiguousarray(rows)).a
        return out.ravel() if a.ndim == 1 else out.T

    # -------------------------------------------------------------- backprop
    def gradient(self, X, Y, scale=1.0, masks=None):
        """Gradients of scale * sum_x C_x for the rows X with one-hot rows Y (BP1-BP4, row form).

        Returns ``(nabla_b, nabla_w)`` shaped like ``biases`` and ``weights``. ``masks``
        are optional dropout masks, one per hidden layer (m, n_l). ``scale`` multiplies
        delta^L, hence every gradient: training passes eta/m (``training.update_mini_batch``).
        """
        fp = self.forward(X, masks)
        delta = self.cost.delta(fp.z, fp.a, Y, self.output_activation)       # BP1
        if getattr(delta, "shape", None) != fp.a.shape:  # a cost class of one's own
            raise ValueError(f"{self.cost.__name__}.delta returned "
                             f"{getattr(delta, 'shape', type(delta).__name__)} for outputs a "
                             f"of shape {fp.a.shape}: it must return dC/dz for every output, "
                             "an array shaped like a")
        if scale != 1.0:
            delta *= scale
        nabla_b, nabla_w = [None] * (self.num_layers - 1), [None] * (self.num_layers - 1)
        for l in range(self.num_layers - 2, -1, -1):
            nabla_b[l] = delta.sum(axis=0).reshape(-1, 1)                    # BP3
            nabla_w[l] = np.dot(delta.T, fp.inputs[l])                       # BP4
            if l > 0:                                                         # BP2
                delta = np.dot(delta, self.weights[l])
                delta *= self.activation.prime_from_output(fp.hidden[l - 1])
                if masks is not None:
                    delta *= masks[l - 1]
        return nabla_b, nabla_w

    # --------------------------------------------------------------- training
    def stochastic_gradient_descent(self, training_data, test_data, epochs=None, batch_size=None,
                                    eta=None, lmbda=0.0, monitoring=False, **options):
        """Train with mini-batch SGD and return the run's ``History`` (a dict of per-epoch lists).

        The order of the notebook this project grew from: the test data (or None) second. See
        ``ch3_code.training.train`` for every option (evaluation data, L1, dropout, momentum,
        early stopping, the learning-rate schedule, progress).
        """
        return train(self, training_data, test_data, epochs, batch_size, eta, lmbda=lmbda,
                     monitoring=monitoring, **options)

    def SGD(self, training_data, *args, **kwargs):
        """network2's ``SGD``, called as the book calls it, returning network2's four lists:

            evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = net.SGD(
                training_data, 30, 10, 0.5, lmbda=5.0, evaluation_data=validation_data,
                monitor_evaluation_accuracy=True, monitor_training_accuracy=True)

        SGD(training_data, epochs, mini_batch_size, eta, lmbda=0.0, evaluation_data=None,
        monitor_evaluation_cost=False, monitor_evaluation_accuracy=False,
        monitor_training_cost=False, monitor_training_accuracy=False, early_stopping_n=0,
        **options): accuracies are counts of correct examples, as network2's; the whole
        History is ``net.history`` (``training.network2_sgd``). With the test data (or None)
        second instead of a number of epochs, SGD is ``stochastic_gradient_descent``.
        """
        if (is_number(args[0]) if args else "epochs" in kwargs and "test_data" not in kwargs):
            return network2_sgd(self, training_data, *args, **kwargs)
        return self.stochastic_gradient_descent(training_data, *args, **kwargs)

    # ------------------------------------------------------------ save, load
    def save(self, path):
        """Write the network to ``path`` as JSON, safely (see ``ch3_code.internals.persist``).

        Kept: layers, activations, cost, dtype, seed, weights and biases. Not kept: the
        generator's state, so training a reloaded network draws the shuffles and dropout
        masks of a fresh network with this seed; a diverged (non-finite) network is refused.
        """
        persist.save(self, path)

    @staticmethod
    def load(path, cost=None, activation=None, output_activation=None):
        """The one way to load a network written by ``save`` (``ch3_code.load`` is this).

        A file holds the names of its classes, not their code: a network saved with a cost
        or activation class of your own loads when you pass it, e.g. ``cost=MyCost``.
        """
        saved = persist.read(path, cost=cost, activation=activation,
                             output_activation=output_activation)
        with persist.naming(path):  # a file whose network cannot be made is named, too
            net = NN2(saved.layer_sizes, rand_seed=saved.rand_seed, dtype=saved.dtype,
                      **saved.classes)
        net.weights, net.biases = saved.weights, saved.biases
        return net


load = NN2.load  # ch3_code.load is the same function as NN2.load, not a second way
