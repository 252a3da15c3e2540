"""What a network scores on a data set: accuracy, cost, and the gradient of the cost.

``NN2`` inherits these methods (``class NN2(Evaluation)``): they need only what NN2 has, its
``forward`` pass, ``cost``, ``weights``, ``targets`` and ``data_arrays``. They sit here so that
``network.py`` holds the network and backpropagation, the part a learner reads beside the
book; this is the part that measures it:

* ``evaluate`` (network2's: the number classified correctly), ``accuracy``, ``total_cost``
  (the mean cost plus the regularisation term), ``accuracy_and_cost`` (both in one pass),
  ``monitored`` (what training records after each epoch);
* ``cost_gradient`` (dC/db and dC/dw of the regularised mean cost, rows in) and
  ``back_propagation`` (the same sum the book's way round, one example per column), which
  the chapters use to look inside a network.
"""
import numpy as np

from .internals.checks import check_regularization, non_empty_data
from .internals.pixels import BLOCK, PixelRows

# Examples per block when evaluating a set: bounds the memory of z and a; one block holds the
# test set, because each multi-threaded BLAS call pays a wake-up when the cores are busy.
_CHUNK = 16384


class Evaluation:
    """The measuring methods of ``NN2`` (see the module's docstring)."""

    def back_propagation(self, input, target):
        """Gradient of the cost summed over a batch, the book's way round.

        ``input`` is (n_in, m) and ``target`` (n_out, m) one-hot, one example per
        column. Returns ``(nabla_b, nabla_w)`` with nabla_b[l] of shape (n_l, 1)
        and nabla_w[l] of shape (n_l, n_{l-1}): dC/db and dC/dw for C = sum_x C_x.
        """
        X = np.ascontiguousarray(np.asarray(input, dtype=self.dtype).T)
        with np.errstate(over="ignore"):
            return self.gradient(X, np.asarray(target, dtype=self.dtype).T)

    def cost_gradient(self, data, lmbda=0.0, n=None, regularization="L2"):
        """Gradient of the regularised mean cost C = (1/m) sum_x C_x + R(w) over ``data``.

        R(w) = lmbda/(2n) sum w^2 for L2 and lmbda/n sum |w| for L1, where n is
        the training-set size (defaults to the m examples of ``data``).
        """
        check_regularization(regularization)
        X, labels = self.data_arrays(data, "cost_gradient data")
        m = X.shape[0]
        if m == 0:
            raise ValueError("cost_gradient: data has no examples; pass at least one (x, y)")
        n = m if n is None else n
        with np.errstate(over="ignore"):
            nabla_b, nabla_w = self.gradient(X, self.targets(labels), scale=1.0 / m)
        dR = np.sign if regularization == "L1" else (lambda w: w)
        return nabla_b, [nw + (lmbda / n) * dR(w) for nw, w in zip(nabla_w, self.weights)]

    def count_and_cost(self, X, labels, want_cost=True):
        """(number classified correctly, summed cost) over the rows X, in blocks of 16,384.

        X must already be in this network's form (see ``data_arrays``); one forward
        pass per block gives both numbers. Rows read from MNIST's bytes (``PixelRows``)
        go in blocks of ``pixels.BLOCK`` (4,096), each made into floats just before it
        is used, so that a monitored run never holds many rows of floats at once (the
        peak memory this saves is in benchmarks/README.md).
        """
        correct, cost = 0, 0.0
        chunk = BLOCK if isinstance(X, PixelRows) else _CHUNK
        with np.errstate(over="ignore"):
            for k in range(0, X.shape[0], chunk):
                fp, lab = self.forward(X[k:k + chunk]), labels[k:k + chunk]
                correct += int(np.count_nonzero(fp.a.argmax(axis=1) == lab))
                if want_cost:
                    cost += self.cost.from_z(fp.z, fp.a, self.targets(lab))
        return correct, cost

    def accuracy_and_cost(self, data, lmbda=0.0, n=None, regularization="L2", want_cost=True):
        """(fraction correct, mean cost + R(w)) of ``data`` in one pass (cost None if not wanted).

        n is the training-set size in R(w) (it defaults to len(data)).
        """
        check_regularization(regularization)
        X, labels = non_empty_data(self.data_arrays(data), "accuracy_and_cost")
        correct, cost = self.count_and_cost(X, labels, want_cost)
        m = X.shape[0]
        if not want_cost:
            return correct / m, None
        n = X.shape[0] if n is None else n
        return correct / m, cost / m + self.regularization_cost(lmbda, n, regularization)

    def monitored(self, sets, monitors, lmbda, n, regularization):
        """The accuracies and costs named in ``monitors`` ("test_accuracy", "train_cost", ...)
        of ``sets`` ({name: (X, labels)}), one forward pass per set; training records these."""
        values, wants_cost = {}, any(key.endswith("_cost") for key in monitors)
        penalty = self.regularization_cost(lmbda, n, regularization) if wants_cost else 0.0
        for name, (Xs, ls) in sets.items():
            wanted = [key for key in (f"{name}_accuracy", f"{name}_cost") if key in monitors]
            if wanted:
                correct, cost = self.count_and_cost(Xs, ls, want_cost=f"{name}_cost" in wanted)
                m = Xs.shape[0]  # never 0: empty sets are refused
                measured = {f"{name}_accuracy": correct / m, f"{name}_cost": cost / m + penalty}
                values.update((key, measured[key]) for key in wanted)
        return values

    def regularization_cost(self, lmbda, n, regularization="L2"):
        """lmbda/(2n) sum w^2 (L2) or lmbda/n sum |w| (L1); biases are not regularised."""
        check_regularization(regularization)
        if lmbda == 0:
            return 0.0
        if regularization == "L1":
            return lmbda / n * sum(float(np.abs(w).sum()) for w in self.weights)
        return 0.5 * lmbda / n * sum(float(np.vdot(w, w)) for w in self.weights)

    def evaluate(self, data):
        """Number of examples in ``data`` whose most active output neuron is the right label."""
        return self.count_and_cost(*self.data_arrays(data, "evaluate data"), want_cost=False)[0]

    def accuracy(self, data):
        """Fraction of ``data`` classified correctly."""
        X, labels = non_empty_data(self.data_arrays(data, "accuracy data"), "accuracy")
        return self.count_and_cost(X, labels, want_cost=False)[0] / X.shape[0]

    def total_cost(self, data, lmbda=0.0, n=None, regularization="L2"):
        """Mean cost per example over ``data`` plus the regularisation term (training-set size n).

        Unlike the book's network2.py, which divides the L2 term by the size of
        the set being evaluated, n here is always the training-set size (it
        defaults to len(data)), so training and test costs carry the same penalty.
        """
        check_regularization(regularization)
        X, labels = non_empty_data(self.data_arrays(data, "cost data"), "total_cost")
        n = X.shape[0] if n is None else n
        return (self.count_and_cost(X, labels)[1] / X.shape[0]
                + self.regularization_cost(lmbda, n, regularization))
