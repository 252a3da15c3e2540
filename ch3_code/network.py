"""NN2: a fully connected feedforward network trained by backpropagation.

Notation follows the book. Layer l has weights w^l of shape (n_l, n_{l-1}) and
biases b^l of shape (n_l, 1); its weighted input is z^l = w^l a^{l-1} + b^l and
its activation a^l = f(z^l). Hidden layers use ``activation``; the output layer
uses ``output_activation``, which by default is the one that fits the cost:
sigmoid for the cross-entropy and quadratic costs, softmax for the
log-likelihood.

Public methods take one example per *column*, as the book writes vectors
(``feedforward`` and ``back_propagation``). Internally a mini-batch is a
matrix with one example per *row*, so that ``X @ w.T`` runs on C-contiguous
data; the two are transposes of each other and give the same numbers.
"""
import numpy as np

from .activations import SigmoidActivation, get_activation
from .arrays import as_arrays, one_hot
from .costs import CrossEntropyCost, get_cost

_CHUNK = 4096  # examples per block when evaluating a data set (bounds memory, stays in cache)


class NN2:
    """A network such as ``NN2([784, 30, 10], rand_seed=3, activation="sigmoid")``.

    ``activation`` (hidden layers) and ``cost`` take a class or a name
    ("sigmoid", "tanh", "relu"; "cross-entropy", "quadratic", "log-likelihood").
    All randomness (initial weights, shuffling, dropout) comes from one
    generator seeded with ``rand_seed``, so the same seed gives the same run.
    """

    def __init__(self, layer_sizes, rand_seed=0, activation=SigmoidActivation, cost=CrossEntropyCost,
                 output_activation=None):
        sizes = list(layer_sizes) if not isinstance(layer_sizes, (str, bytes)) else None
        if (not sizes or len(sizes) < 2
                or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1
                           for s in sizes)):
            raise ValueError(f"layer_sizes={layer_sizes!r}: give at least two positive integers, "
                             "inputs first, e.g. [784, 30, 10]")
        self.layer_sizes = [int(s) for s in sizes]
        self.number_of_layers = len(self.layer_sizes) - 1
        self.activation = get_activation(activation)
        self.cost = get_cost(cost)
        allowed = getattr(self.cost, "output_activations", None)
        if output_activation is None:
            output_activation = allowed[0] if allowed else self.activation
        self.output_activation = get_activation(output_activation)
        if allowed and self.output_activation not in allowed:
            raise ValueError(
                f"output_activation={self.output_activation.name!r} does not fit the {self.cost.name} "
                f"cost; use one of {[a.name for a in allowed]} (or choose another cost)")
        if self.activation.name == "softmax":
            raise ValueError("activation='softmax' is an output layer; hidden layers need "
                             "'sigmoid', 'tanh' or 'relu'")
        self.rand_seed = rand_seed
        self.rng = np.random.default_rng(seed=rand_seed)
        self.default_weight_initializer()

    # ---------------------------------------------------------------- set-up
    def default_weight_initializer(self):
        """Weights ~ N(0, 1/n_in), biases ~ N(0, 1): z starts with a spread of order 1."""
        self._initialize(lambda n_in: 1.0 / np.sqrt(n_in))

    def large_weight_initializer(self):
        """Weights and biases ~ N(0, 1), as in chapter 1 (saturates neurons with many inputs)."""
        self._initialize(lambda n_in: 1.0)

    def _initialize(self, weight_scale):
        self.biases = [self.rng.normal(0.0, 1.0, size=(n, 1)) for n in self.layer_sizes[1:]]
        self.weights = [self.rng.normal(0.0, weight_scale(n_in), size=(n_out, n_in))
                        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:])]

    @property
    def n_parameters(self):
        """Number of weights and biases ([784, 30, 10] has 23,860)."""
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    def __repr__(self):
        return (f"NN2({self.layer_sizes}, activation={self.activation.name!r}, "
                f"output_activation={self.output_activation.name!r}, cost={self.cost.name!r})")

    # --------------------------------------------------------------- forward
    def _forward(self, X, masks=None):
        """Rows in: a^l = f(a^{l-1} w^T + b^T) layer by layer.

        Returns (activations, unmasked, z, a): the activation of every layer from the
        input on (after dropout, if ``masks`` are given), the same before dropout (one
        list when there are no masks), and z and a of the output layer.
        """
        activations = [X]
        unmasked = activations if masks is None else [X]  # inverted dropout: f'(z) needs the unmasked a
        a = X
        for l in range(self.number_of_layers - 1):
            z = np.dot(a, self.weights[l].T)
            z += self.biases[l].T
            a = self.activation.fn(z, out=z)  # z of a hidden layer is not needed again: reuse its memory
            if masks is not None:
                unmasked.append(a)
                a = a * masks[l]
            activations.append(a)
        z = np.dot(a, self.weights[-1].T)
        z += self.biases[-1].T
        return activations, unmasked, z, self.output_activation.fn(z, out=np.empty_like(z))

    def feedforward(self, a):
        """Output activations for input ``a``: one example per column, e.g. shape (784, 1) or (784, m).

        A 1-D input of length n_in is treated as a single example and gives a 1-D output.
        """
        a = np.asarray(a, dtype=np.float64)
        if a.shape[0] != self.layer_sizes[0] or a.ndim > 2:
            raise ValueError(f"feedforward: input of shape {a.shape}; expected ({self.layer_sizes[0]}, m) "
                             "with one example per column")
        if a.ndim == 1:
            return self._forward(a[None, :])[3][0]
        return self._forward(a.T)[3].T

    # -------------------------------------------------------------- backprop
    def _backprop_rows(self, X, Y, scale=1.0, masks=None, nabla_w_out=None):
        """Gradients of scale * (summed cost) for the rows X (float64), one-hot rows Y.

        Returns lists nabla_b (each (n_l,)) and nabla_w (each (n_l, n_{l-1})).
        ``masks`` are optional dropout masks applied to each hidden layer's output.
        ``nabla_w_out`` are optional preallocated arrays for nabla_w: writing
        into them avoids allocating (and page-faulting) a fresh matrix per batch.
        """
        weights, f = self.weights, self.activation
        activations, unmasked, z, a = self._forward(X, masks)
        delta = self.cost.delta(z, a, Y, self.output_activation)
        if scale != 1.0:
            delta *= scale
        nabla_b = [None] * self.number_of_layers
        nabla_w = [None] * self.number_of_layers
        for l in range(self.number_of_layers - 1, -1, -1):
            nabla_b[l] = delta.sum(axis=0)
            nabla_w[l] = np.dot(delta.T, activations[l], out=None if nabla_w_out is None else nabla_w_out[l])
            if l:  # delta^{l-1} = (delta^l w^l) * f'(z^{l-1})
                delta = np.dot(delta, weights[l])
                delta *= f.prime_from_output(unmasked[l])
                if masks is not None:
                    delta *= masks[l - 1]
        return nabla_b, nabla_w

    def back_propagation(self, input, target):
        """Gradient of the cost summed over a batch, the book's way round.

        ``input`` is (n_in, m) and ``target`` (n_out, m) one-hot, one example per
        column. Returns ``(nabla_b, nabla_w)`` with nabla_b[l] of shape (n_l, 1)
        and nabla_w[l] of shape (n_l, n_{l-1}): dC/db and dC/dw for C = sum_x C_x.
        """
        nabla_b, nabla_w = self._backprop_rows(np.asarray(input, float).T, np.asarray(target, float).T)
        return [nb[:, None] for nb in nabla_b], nabla_w

    def cost_gradient(self, data, lmbda=0.0, n=None, regularization="L2"):
        """Gradient of the regularised mean cost C = (1/m) sum_x C_x + R(w) over ``data``.

        R(w) = lmbda/(2n) sum w^2 for L2 and lmbda/n sum |w| for L1, where n is
        the training-set size (defaults to the m examples of ``data``).
        """
        X, labels = self._arrays(data, "data")
        m = X.shape[0]
        n = m if n is None else n
        nabla_b, nabla_w = self._backprop_rows(X.astype(np.float64), one_hot(labels, self.layer_sizes[-1]),
                                               scale=1.0 / m)
        reg = np.sign if regularization == "L1" else (lambda w: w)
        nabla_w = [nw + (lmbda / n) * reg(w) for nw, w in zip(nabla_w, self.weights)]
        return [nb[:, None] for nb in nabla_b], nabla_w

    # ------------------------------------------------------------ evaluation
    def _arrays(self, data, name):
        """``(X, labels)`` for any accepted form of data, checked against this network's layers."""
        return as_arrays(data, self.layer_sizes[0], self.layer_sizes[-1], name)

    def _assess(self, X, labels, want_cost=True):
        """(number correct, summed cost) over rows X, in blocks of 4,096 examples."""
        correct, cost = 0, 0.0
        buffer = np.empty((min(_CHUNK, X.shape[0]), X.shape[1])) if X.dtype != np.float64 else None
        for k in range(0, X.shape[0], _CHUNK):
            block = X[k:k + _CHUNK]
            if buffer is not None:  # float32 input: widen one cache-sized block at a time
                block = np.copyto(buffer[:block.shape[0]], block) or buffer[:block.shape[0]]
            *_, z, a = self._forward(block)
            lab = labels[k:k + _CHUNK]
            correct += int(np.count_nonzero(a.argmax(axis=1) == lab))
            if want_cost:
                cost += self.cost.from_z(z, a, one_hot(lab, self.layer_sizes[-1]))
        return correct, cost

    def regularization_cost(self, lmbda, n, regularization="L2"):
        """lmbda/(2n) sum w^2 (L2) or lmbda/n sum |w| (L1); biases are not regularised."""
        if lmbda == 0:
            return 0.0
        if regularization == "L1":
            return lmbda / n * sum(float(np.abs(w).sum()) for w in self.weights)
        return 0.5 * lmbda / n * sum(float(np.vdot(w, w)) for w in self.weights)

    def evaluate(self, data):
        """Number of examples in ``data`` whose most active output neuron is the right label."""
        X, labels = self._arrays(data, "evaluate data")
        return self._assess(X, labels, want_cost=False)[0]

    def accuracy(self, data):
        """Fraction of ``data`` classified correctly."""
        X, labels = self._arrays(data, "accuracy data")
        return self._assess(X, labels, want_cost=False)[0] / max(X.shape[0], 1)

    def total_cost(self, data, lmbda=0.0, n=None, regularization="L2"):
        """Mean cost per example over ``data`` plus the regularisation term with training-set size n.

        Unlike the book's network2.py, which divides the L2 term by the size of
        the set being evaluated, n here is always the training-set size (it
        defaults to len(data)), so training and test costs carry the same penalty.
        """
        X, labels = self._arrays(data, "cost data")
        n = X.shape[0] if n is None else n
        return (self._assess(X, labels)[1] / max(X.shape[0], 1)
                + self.regularization_cost(lmbda, n, regularization))

    # --------------------------------------------------------------- training
    def stochastic_gradient_descent(self, training_data, test_data, epochs, batch_size, eta, lmbda=0.0,
                                    monitoring=False, **options):
        """Train with mini-batch SGD and return the run's ``History`` (a dict of per-epoch lists).

        See ``ch3_code.training.train`` for every option (evaluation data, L1,
        dropout, momentum, early stopping, the learning-rate schedule, progress).
        """
        from .training import train
        return train(self, training_data, test_data, epochs, batch_size, eta, lmbda=lmbda,
                     monitoring=monitoring, **options)

    SGD = stochastic_gradient_descent

    # ------------------------------------------------------------ save, load
    def save(self, path):
        """Write the network to ``path`` as JSON (see ``ch3_code.persist``)."""
        from .persist import save
        save(self, path)

    @classmethod
    def load(cls, path):
        """Rebuild a network written by ``save``; a clear ValueError if the file is not one."""
        from .persist import load
        return load(path, cls)


def load(path):
    """Load a network saved with ``NN2.save``."""
    return NN2.load(path)
