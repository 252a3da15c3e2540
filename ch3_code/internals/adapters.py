"""Adapters that make a learner's own cost or activation class usable as written.

``costs.get_cost`` and ``activations.get_activation`` hand every class that is not built in
to ``own_cost`` or ``own_activation`` here, which return the class itself when it already has
what the network calls (``name``, ``from_z``, a four-argument ``delta``, ``fn(z, out=...)``,
``prime_from_output``), or an adapted copy that adds only what it lacks. Which classes are
the learner's, and what that means for training and saving: ``own_classes``.
"""
import inspect
import types

import numpy as np

_ADAPTED = {}  # a learner's class -> the class the network uses for it


def _is_current(cls, method, *others):
    """True if ``method`` is written no higher in cls's ancestry than any of ``others``.

    A subclass that rewrites ``fn`` but inherits ``from_z`` would otherwise be reported
    with its parent's cost, and one that rewrites ``prime`` trained with its parent's
    ``prime_from_output``.
    """
    def owner(name):
        return next((k for k in cls.__mro__ if name in vars(k)), None)
    mine = owner(method)
    return mine is not None and all(owner(o) is None or issubclass(mine, owner(o))
                                    for o in others)


# ---------------------------------------------------------------------------- costs
def own_cost(cls):
    """The class the network uses for a learner's cost class ``cls`` (with fn and delta)."""
    if cls in _ADAPTED.values():
        return cls
    book_form = _delta_arguments(cls) == 3
    if (not book_form and isinstance(getattr(cls, "name", None), str)
            and callable(getattr(cls, "from_z", None)) and _is_current(cls, "from_z", "fn")):
        return cls
    if cls not in _ADAPTED:
        _ADAPTED[cls] = _adapt_cost(cls, book_form)
    return _ADAPTED[cls]


def _delta_arguments(cls):
    """4 for ``delta(z, a, y, activation)``, 3 for network2's ``delta(z, a, y)``; else refuse.

    Read once, when the network is made, so that a wrong form fails there and not in the
    first mini-batch. A ``def`` without ``@staticmethod`` would receive z as ``self``.
    """
    for attr in ("fn", "delta"):
        if isinstance(inspect.getattr_static(cls, attr), types.FunctionType):
            raise TypeError(f"cost={cls.__name__}: write @staticmethod above 'def {attr}' "
                            "(the network calls it on the class, with no self)")
    try:
        signature = inspect.signature(cls.delta)
    except (TypeError, ValueError):  # no signature to read (e.g. a numpy ufunc): ours
        return 4
    for count in (4, 3):
        try:
            signature.bind(*range(count))
            return count
        except TypeError:
            pass
    raise TypeError(f"cost={cls.__name__}: delta{signature} takes neither "
                    "(z, a, y, activation) nor network2's (z, a, y); write it as "
                    "'@staticmethod def delta(z, a, y, activation): return ...'")


def _adapt_cost(cls, book_form):
    """``cls`` with a ``name`` (its class name) and ``from_z`` (its ``fn`` of the outputs a).

    ``book_form``: ``cls.delta`` is network2's ``delta(z, a, y)``, which is given the same
    arrays (one example per row, not per column: elementwise formulas read the same) and
    not the output activation, which network2 fixes to the sigmoid.
    """
    from_z = getattr(cls, "from_z", None) if _is_current(cls, "from_z", "fn") else None

    def from_z_or_fn(z, a, y):
        return float(from_z(z, a, y) if callable(from_z) else cls.fn(a, y))

    def three_argument_delta(z, a, y, activation):
        return cls.delta(z, a, y)

    members = {"name": getattr(cls, "name", cls.__name__),
               "fn": staticmethod(lambda a, y: float(cls.fn(a, y))),
               "from_z": staticmethod(from_z_or_fn),
               "delta": staticmethod(three_argument_delta if book_form else cls.delta),
               "__doc__": cls.__doc__, "__module__": cls.__module__, "adapted_from": cls}
    if hasattr(cls, "output_activations"):
        members["output_activations"] = tuple(cls.output_activations)
    return type(cls.__name__, (), members)


# ---------------------------------------------------------------------- activations
def own_activation(cls):
    """The class the network uses for a learner's activation class ``cls``."""
    if cls in _ADAPTED.values():
        return cls
    if (isinstance(getattr(cls, "name", None), str) and _takes_out(cls.fn)
            and _uses_prime_from_output(cls)):
        return cls  # already has everything the network uses
    if cls not in _ADAPTED:
        _ADAPTED[cls] = _adapt_activation(cls)
    return _ADAPTED[cls]


def _uses_prime_from_output(cls):
    return (callable(getattr(cls, "prime_from_output", None))
            and (not callable(getattr(cls, "prime", None))
                 or _is_current(cls, "prime_from_output", "fn", "prime")))


def _takes_out(fn):
    try:
        return "out" in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # no signature to read (e.g. a numpy ufunc)
        return False


class _OutputWithZ(np.ndarray):
    """An output a = f(z) that keeps the z it came from (see :func:`_adapt_activation`)."""


def _adapt_activation(cls):
    """A class with the full interface the network uses, built from a user's class ``cls``.

    The network calls ``fn(z, out=...)`` (``out`` may be ignored: the returned array is
    used), ``prime_from_output(a)`` and reads ``name``. What ``cls`` lacks is added:

    * ``name``: the class name;
    * ``out``: fn's result is copied into ``out``;
    * ``prime_from_output``: a seed-style class only knows f'(z), and a cannot be turned
      back into z in general. So ``fn`` returns its output as an array that keeps a copy of
      z (``a.z``), and ``prime_from_output(a)`` returns ``prime(a.z)``. Given any other
      array it refuses, rather than guess.
    """
    user_fn, name = cls.fn, getattr(cls, "name", cls.__name__)
    own_prime_from_output = _uses_prime_from_output(cls)

    def fn(z, out=None):
        if own_prime_from_output:
            a = np.asarray(user_fn(z))
            if out is None:
                return a
            out[...] = a
            return out
        z = np.asarray(z)
        z = np.array(z, dtype=z.dtype if z.dtype.kind == "f" else np.float64, copy=True)
        a = np.array(user_fn(z), copy=True).view(_OutputWithZ)
        a.z = z
        return a

    def prime_from_output(a):
        if own_prime_from_output:
            return cls.prime_from_output(a)
        z = getattr(a, "z", None)
        if z is None:
            raise TypeError(f"{name}.prime_from_output(a) needs an a returned by {name}.fn, "
                            "which keeps the z that prime(z) is evaluated at")
        return np.asarray(cls.prime(z))

    def prime(z):  # a class with only prime_from_output: f'(z) from f(z)
        return cls.prime(z) if hasattr(cls, "prime") else cls.prime_from_output(user_fn(z))

    return type(cls.__name__, (), {
        "name": name, "fn": staticmethod(fn), "prime": staticmethod(prime),
        "prime_from_output": staticmethod(prime_from_output), "__doc__": cls.__doc__,
        "__module__": cls.__module__, "adapted_from": cls})
