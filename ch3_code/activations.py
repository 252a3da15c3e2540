"""Activation functions: the neurons of the chapter.

Each activation is a class of static methods, as on the seed page:

* ``fn(z)`` computes the activation a = f(z) of a weighted input z;
* ``prime(z)`` computes f'(z);
* ``prime_from_output(a)`` computes the same derivative from the output a = f(z).
  Backpropagation stores the activations of every layer anyway, so using them
  saves recomputing an exponential per neuron and per example.

All functions work elementwise on arrays of any shape and on Python numbers (a number
gives a numpy scalar), except softmax, which normalises along the last axis (one example
per row). They keep the float dtype they are given: float32 in, float32 out (the network
trains in float32 by default); integers and Python numbers are computed in float64.
"""
import functools

import numpy as np

from .internals.adapters import own_activation


def _float(z):
    """z as a float array: a float dtype is kept, anything else becomes float64."""
    if type(z) is np.ndarray and z.dtype.kind == "f":  # the common case, without a copy
        return z
    z = np.asarray(z)
    return z if z.dtype.kind == "f" else z.astype(np.float64)


def _result(out):
    """A 0-d result as a numpy scalar (as the seed's functions gave), arrays as they are."""
    return out[()] if out.ndim == 0 else out


@functools.lru_cache(maxsize=None)  # once per dtype: it runs on every mini-batch
def _z_min(dtype):
    """The most negative z for which e^{-z} is still a finite number of ``dtype``.

    -709 for float64 (e^709 ~ 8e307), -88 for float32 (e^88 ~ 1.7e38).
    """
    return dtype.type(np.floor(-np.log(np.finfo(dtype).max)) + 1)


class SigmoidActivation:
    """The logistic sigmoid sigma(z) = 1 / (1 + e^{-z}), with sigma' = sigma (1 - sigma)."""

    name = "sigmoid"

    @staticmethod
    def fn(z, out=None):
        """sigma(z) = 1 / (1 + e^{-z}), without overflow for any z.

        e^{-z} only overflows for very negative z, so z is first raised to at least
        -709 (float64) or -88 (float32); that changes sigma(z), already below 1e-38 there,
        by nothing that matters. Large positive z is harmless: e^{-z} underflows to 0.
        """
        z = _float(z)
        out = np.maximum(z, _z_min(z.dtype), out=np.empty_like(z) if out is None else out)
        np.negative(out, out=out)
        np.exp(out, out=out)
        out += 1
        return _result(np.reciprocal(out, out=out))

    @staticmethod
    def prime(z):
        """sigma'(z) = sigma(z) (1 - sigma(z))."""
        return SigmoidActivation.prime_from_output(SigmoidActivation.fn(z))

    @staticmethod
    def prime_from_output(a):
        """sigma'(z) written with a = sigma(z): a (1 - a)."""
        a = _float(a)
        return _result(a * (1 - a))


class TanhActivation:
    """tanh(z) = (e^z - e^{-z}) / (e^z + e^{-z}) = 2 sigma(2z) - 1, with tanh' = 1 - tanh^2."""

    name = "tanh"

    @staticmethod
    def fn(z, out=None):
        """tanh(z); numpy's tanh is stable for any z."""
        return _result(np.tanh(_float(z), out=out))

    @staticmethod
    def prime(z):
        """tanh'(z) = 1 - tanh(z)^2."""
        return TanhActivation.prime_from_output(np.tanh(_float(z)))

    @staticmethod
    def prime_from_output(a):
        """tanh'(z) written with a = tanh(z): 1 - a^2."""
        a = _float(a)
        return _result(1 - a * a)


class ReLUActivation:
    """The rectified linear unit max(0, z); its derivative is 1 for z > 0 and 0 otherwise."""

    name = "relu"

    @staticmethod
    def fn(z, out=None):
        """max(0, z)."""
        return _result(np.maximum(_float(z), 0, out=out))

    @staticmethod
    def prime(z):
        """1 where z > 0, else 0 (we take the derivative at z = 0 to be 0)."""
        z = _float(z)
        return _result((z > 0).astype(z.dtype))

    @staticmethod
    def prime_from_output(a):
        """The same derivative from a = max(0, z): 1 where a > 0."""
        a = _float(a)
        return _result((a > 0).astype(a.dtype))


class LinearActivation:
    """The identity f(z) = z, used as an output layer with the quadratic cost."""

    name = "linear"

    @staticmethod
    def fn(z, out=None):
        z = _float(z)
        if out is None:
            return _result(z.copy())
        np.copyto(out, z)
        return out

    @staticmethod
    def prime(z):
        return _result(np.ones_like(_float(z)))

    @staticmethod
    def prime_from_output(a):
        return _result(np.ones_like(_float(a)))


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
        z = _float(z)
        out = np.subtract(z, np.max(z, axis=-1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= np.sum(out, axis=-1, keepdims=True)
        return out


ACTIVATIONS = {cls.name: cls for cls in (SigmoidActivation, TanhActivation, ReLUActivation,
                                         LinearActivation, SoftmaxActivation)}


def get_activation(activation):
    """Return the activation class for a class, an instance or a name such as ``"relu"``.

    A class of your own works too if it has ``fn(z)`` and ``prime_from_output(a)``, or, as
    on the seed page, ``fn(z)`` and ``prime(z)``: what it lacks is added as
    ``own_classes.own_activation`` says, and its own methods are the ones called.
    """
    if isinstance(activation, str):
        key = activation.strip().lower()
        if key not in ACTIVATIONS:
            raise ValueError(f"activation={activation!r} is not known; use one of "
                             f"{sorted(ACTIVATIONS)} or one of the activation classes")
        return ACTIVATIONS[key]
    cls = activation if isinstance(activation, type) else type(activation)
    if cls in ACTIVATIONS.values():
        return cls
    if not callable(getattr(cls, "fn", None)) or not (
            callable(getattr(cls, "prime", None))
            or callable(getattr(cls, "prime_from_output", None))):
        raise TypeError(f"activation={activation!r} is neither a name ({sorted(ACTIVATIONS)}) "
                        "nor a class with static methods fn(z) and prime(z) (or "
                        "prime_from_output(a), the derivative written with a = fn(z))")
    return own_activation(cls)
