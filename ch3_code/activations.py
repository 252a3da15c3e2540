"""Activation functions: the neurons of the chapter.

Each activation is a class of static methods, as on the seed page:

* ``fn(z)`` computes the activation a = f(z) of a weighted input z;
* ``prime(z)`` computes f'(z);
* ``prime_from_output(a)`` computes the same derivative from the output a = f(z).
  Backpropagation stores the activations of every layer anyway, so using them
  saves recomputing an exponential per neuron and per example.

All functions work elementwise on arrays of any shape, except softmax, which
normalises along the last axis (one example per row).
"""
import numpy as np

# sigma(z) = 1 / (1 + e^{-z}) only overflows for very negative z. Raising z to
# at least -500 keeps e^{-z} <= e^500 ~ 1.4e217, a finite float64, and changes
# sigma by nothing that matters (sigma(-500) ~ 7e-218); large positive z is
# harmless, since e^{-z} just underflows to 0 and sigma to 1.
_Z_MIN = -500.0


class SigmoidActivation:
    """The logistic sigmoid sigma(z) = 1 / (1 + e^{-z}), with sigma' = sigma (1 - sigma)."""

    name = "sigmoid"

    @staticmethod
    def fn(z, out=None):
        """sigma(z), computed without overflow for any z (z is raised to at least -500 first)."""
        out = np.maximum(z, _Z_MIN, out=out)
        np.negative(out, out=out)
        np.exp(out, out=out)
        out += 1.0
        return np.reciprocal(out, out=out)

    @staticmethod
    def prime(z):
        """sigma'(z) = sigma(z) (1 - sigma(z))."""
        return SigmoidActivation.prime_from_output(SigmoidActivation.fn(z))

    @staticmethod
    def prime_from_output(a):
        """sigma'(z) written with a = sigma(z): a (1 - a)."""
        return a * (1.0 - a)


class TanhActivation:
    """tanh(z) = (e^z - e^{-z}) / (e^z + e^{-z}) = 2 sigma(2z) - 1, with tanh' = 1 - tanh^2."""

    name = "tanh"

    @staticmethod
    def fn(z, out=None):
        """tanh(z); numpy's tanh is stable for any z."""
        return np.tanh(z, out=out)

    @staticmethod
    def prime(z):
        """tanh'(z) = 1 - tanh(z)^2."""
        return TanhActivation.prime_from_output(np.tanh(z))

    @staticmethod
    def prime_from_output(a):
        """tanh'(z) written with a = tanh(z): 1 - a^2."""
        return 1.0 - a * a


class ReLUActivation:
    """The rectified linear unit max(0, z); its derivative is 1 for z > 0 and 0 otherwise."""

    name = "relu"

    @staticmethod
    def fn(z, out=None):
        """max(0, z)."""
        return np.maximum(z, 0.0, out=out)

    @staticmethod
    def prime(z):
        """1 where z > 0, else 0 (we take the derivative at z = 0 to be 0)."""
        return (z > 0).astype(np.result_type(z, np.float64))

    @staticmethod
    def prime_from_output(a):
        """The same derivative from a = max(0, z): 1 where a > 0."""
        return (a > 0).astype(a.dtype)


class LinearActivation:
    """The identity f(z) = z, used as an output layer with the quadratic cost."""

    name = "linear"

    @staticmethod
    def fn(z, out=None):
        if out is None:
            return np.array(z, dtype=np.result_type(z, np.float64))
        out[...] = z
        return out

    @staticmethod
    def prime(z):
        return np.ones_like(z, dtype=np.result_type(z, np.float64))

    @staticmethod
    def prime_from_output(a):
        return np.ones_like(a)


class SoftmaxActivation:
    """softmax(z)_j = e^{z_j} / sum_k e^{z_k} along the last axis (one example per row).

    Only meaningful as an output layer. Subtracting max_k z_k first leaves the
    result unchanged and keeps every exponential in (0, 1], so it cannot
    overflow. Its Jacobian is not diagonal, so there is no elementwise
    ``prime``: paired with the log-likelihood cost, the output error is simply
    delta = a - y (see ``costs.LogLikelihoodCost``).
    """

    name = "softmax"

    @staticmethod
    def fn(z, out=None):
        out = np.subtract(z, np.max(z, axis=-1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= np.sum(out, axis=-1, keepdims=True)
        return out


ACTIVATIONS = {cls.name: cls for cls in (SigmoidActivation, TanhActivation, ReLUActivation,
                                         LinearActivation, SoftmaxActivation)}


def get_activation(activation):
    """Return the activation class for a class, an instance or a name such as ``"relu"``."""
    if isinstance(activation, str):
        key = activation.strip().lower()
        if key not in ACTIVATIONS:
            raise ValueError(f"activation={activation!r} is not known; "
                             f"use one of {sorted(ACTIVATIONS)} or one of the activation classes")
        return ACTIVATIONS[key]
    cls = activation if isinstance(activation, type) else type(activation)
    if cls in ACTIVATIONS.values():
        return cls
    if all(callable(getattr(cls, attr, None)) for attr in ("fn", "prime_from_output")):
        return cls  # a user-defined activation with the same interface
    raise TypeError(f"activation={activation!r} is neither a name ({sorted(ACTIVATIONS)}) nor a class "
                    "with static methods fn(z) and prime_from_output(a)")
