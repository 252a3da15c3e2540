"""Cost functions and the output error delta^L = dC/dz^L that backpropagation starts from.

Arrays hold one example per row: z, a and y have shape (m, n_out), with
y the one-hot target. Every cost method returns the *sum* over the m examples;
``NN2`` divides by the number of examples to report a mean.

Each cost names the output activations it fits (``output_activations``); the
first one is the default. The simple form of the output error, delta = a - y,
holds only for sigmoid outputs with the cross-entropy and for softmax outputs
with the log-likelihood, which is why other pairings are refused rather than
silently trained with a wrong gradient.

The costs keep the dtype they are given: float32 outputs give a float32 delta (the
network trains in float32 by default); the totals are Python floats.
"""
import numpy as np

from .activations import LinearActivation, SigmoidActivation, SoftmaxActivation, TanhActivation
from .internals.adapters import own_cost

# The smallest probability a cost computed from outputs a will take a log of:
# a saturated wrong answer then costs -ln(1e-15) ~ 34.5, a large finite number.
_A_MIN = 1e-15


def _a_min(dtype):
    """1e-15, or the gap below 1 of ``dtype`` if larger (6e-8 for float32), so 1 - it < 1."""
    return max(_A_MIN, float(np.finfo(dtype).epsneg)) if dtype.kind == "f" else _A_MIN


def _error(a, y):
    """a - y in the dtype of the outputs a (float64 targets do not widen float32 outputs)."""
    a = np.asarray(a)
    return np.subtract(a, y, dtype=a.dtype if a.dtype.kind == "f" else None)


class QuadraticCost:
    """C = (1/2) sum_j (a_j - y_j)^2 per example (chapter 1's cost).

    delta^L = (a - y) * f'(z^L): the f'(z) factor is what makes a saturated
    sigmoid output learn slowly.
    """

    name = "quadratic"
    output_activations = (SigmoidActivation, LinearActivation, TanhActivation)

    @staticmethod
    def fn(a, y):
        """Total quadratic cost of outputs a against targets y."""
        return 0.5 * float(np.sum((a - y) ** 2))

    @staticmethod
    def from_z(z, a, y):
        """The same total; the quadratic cost needs no special care, so it uses a."""
        return QuadraticCost.fn(a, y)

    @staticmethod
    def delta(z, a, y, activation):
        """delta^L = (a - y) * f'(z), with f' taken from the outputs a = f(z)."""
        delta = _error(a, y)
        delta *= activation.prime_from_output(a)
        return delta


class CrossEntropyCost:
    """C = -sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)] per example, for sigmoid outputs.

    With a = sigma(z) the cost simplifies to sum_j [ln(1 + e^{z_j}) - y_j z_j],
    which ``from_z`` evaluates with ``np.logaddexp`` so that a confidently wrong
    output costs a large finite amount instead of overflowing. The output error
    is delta^L = a - y: the sigma'(z) factor cancels, so there is no learning
    slowdown. That cancellation needs a = sigma(z); it is wrong for any other
    output activation (the seed page divided by a(1 - a) for those, which is
    neither the gradient nor finite when a saturates).
    """

    name = "cross-entropy"
    output_activations = (SigmoidActivation,)

    @staticmethod
    def fn(a, y):
        """Total cross-entropy from outputs a, with a kept inside [eps, 1 - eps].

        eps is 1e-15 for float64 outputs and 6e-8 for float32 ones (1 - 1e-15 is 1 in
        float32, whose log(1 - a) would be -inf).
        """
        a = np.asarray(a)
        eps = _a_min(a.dtype)
        a = np.clip(a, eps, 1 - eps)
        return float(-np.sum(y * np.log(a) + (1 - y) * np.log1p(-a)))

    @staticmethod
    def from_z(z, a, y):
        """Total cross-entropy from the weighted inputs z: sum [softplus(z) - y z].

        softplus(z) = ln(1 + e^z) = max(z, 0) + ln(1 + e^{-|z|}), which never overflows.
        With the outputs a = sigma(z) at hand, ln(1 + e^{-|z|}) = -ln(max(a, 1 - a)): one
        log instead of an exp and a log1p (and no np.logaddexp, which is slower still).
        a=None computes it from z alone.
        """
        if a is None:
            tail = np.abs(z)
            np.negative(tail, out=tail)
            np.exp(tail, out=tail)
            np.log1p(tail, out=tail)          # ln(1 + e^{-|z|})
        else:
            tail = np.subtract(1, a)
            np.maximum(a, tail, out=tail)     # max(a, 1 - a) = 1 / (1 + e^{-|z|})
            np.log(tail, out=tail)
            np.negative(tail, out=tail)
        return float(np.maximum(z, 0).sum() + tail.sum() - np.vdot(y, z))

    @staticmethod
    def delta(z, a, y, activation):
        """delta^L = a - y (sigmoid outputs only)."""
        _require_output(CrossEntropyCost, activation)
        return _error(a, y)


class LogLikelihoodCost:
    """C = -ln a_y per example (the log of the probability given to the right class).

    Meant for a softmax output layer: with a = softmax(z), C = logsumexp(z) - z_y,
    which ``from_z`` evaluates stably, and delta^L = a - y.
    """

    name = "log-likelihood"
    output_activations = (SoftmaxActivation,)

    @staticmethod
    def fn(a, y):
        """Total log-likelihood cost from outputs a: -sum y ln a."""
        return float(-np.sum(y * np.log(np.maximum(a, _A_MIN))))

    @staticmethod
    def from_z(z, a, y):
        """The same from z: sum over examples of y . (logsumexp(z) - z)."""
        zmax = np.max(z, axis=-1, keepdims=True)
        lse = zmax + np.log(np.sum(np.exp(z - zmax), axis=-1, keepdims=True))
        return float(np.sum(y * (lse - z)))

    @staticmethod
    def delta(z, a, y, activation):
        """delta^L = a - y (softmax outputs only)."""
        _require_output(LogLikelihoodCost, activation)
        return _error(a, y)


def _require_output(cost, activation):
    if activation not in cost.output_activations:
        allowed = ", ".join(a.name for a in cost.output_activations)
        raise ValueError(f"the {cost.name} cost needs a {allowed} output layer, got "
                         f"{getattr(activation, 'name', activation)!r}: its delta a - y would be "
                         "wrong")


COSTS = {cls.name: cls for cls in (QuadraticCost, CrossEntropyCost, LogLikelihoodCost)}
_ALIASES = {"crossentropy": "cross-entropy", "cross_entropy": "cross-entropy",
            "ce": "cross-entropy", "loglikelihood": "log-likelihood",
            "log_likelihood": "log-likelihood", "mse": "quadratic"}


def get_cost(cost):
    """Return the cost class for a class, an instance or a name such as ``"cross-entropy"``.

    A class of your own works too if it has ``fn(a, y)`` and ``delta(z, a, y, activation)``,
    as the seed page's costs do, or the book's network2.py ``delta(z, a, y)`` (its
    ``QuadraticCost`` and ``CrossEntropyCost`` pasted as they are). What it lacks is added
    as ``own_classes.own_cost`` says; its own ``fn`` and ``delta`` are the ones called.
    """
    if isinstance(cost, str):
        key = cost.strip().lower()
        key = _ALIASES.get(key, key)
        if key not in COSTS:
            raise ValueError(f"cost={cost!r} is not known; use one of {sorted(COSTS)} "
                             "or a cost class")
        return COSTS[key]
    cls = cost if isinstance(cost, type) else type(cost)
    if cls in COSTS.values():
        return cls
    if not all(callable(getattr(cls, attr, None)) for attr in ("fn", "delta")):
        raise TypeError(f"cost={cost!r} is neither a name ({sorted(COSTS)}) nor a class with "
                        "static methods fn(a, y) and delta(z, a, y, activation)")
    return own_cost(cls)
