"""A learner's own cost and activation classes: always used as written.

Chapter 07 teaches cost classes, so a learner will write one: a subclass of
``CrossEntropyCost`` with another ``delta``, a class of their own named "quadratic",
or network2.py's ``CrossEntropyCost`` pasted from the book. A class is *built in*
only when it is one of ``costs.COSTS`` or ``activations.ACTIVATIONS`` itself (the
same object, not the same name, not a subclass); every other class is the learner's:

* Training: the compiled epoch (``fused``) has the built-in formulas written into its
  loop and cannot call Python code per example, so a network with any class of the
  learner's trains with NumPy's step, which calls that class's ``fn``, ``delta`` and
  ``prime`` (``costs.get_cost`` adapts network2's three-argument ``delta(z, a, y)``).
* Saving: a file holds names, not code (the class lives in the learner's notebook), so
  ``save`` warns and ``load`` asks for the class: ``NN2.load(path, cost=MyCost)``.
"""
from .activations import ACTIVATIONS
from .costs import COSTS

ROLES = ("activation", "output_activation", "cost")  # the NN2 attributes that hold classes


def original(cls):
    """The class the learner wrote (the network may hold an adapted copy of it)."""
    return getattr(cls, "adapted_from", cls)


def is_builtin(role, cls):
    """True only for the package's own class object for this role (identity, not name)."""
    table = COSTS if role == "cost" else ACTIVATIONS
    return any(cls is builtin for builtin in table.values())


def own_classes(net):
    """{role: the learner's class} for each class of ``net`` that is not built in."""
    return {role: original(getattr(net, role)) for role in ROLES
            if not is_builtin(role, getattr(net, role))}


def qualified_name(cls):
    """'module.QualName', how a saved file names a class (for the error when it is missing)."""
    return f"{cls.__module__}.{cls.__qualname__}"


def describe(own):
    """'cost MyCost and activation MySigmoid' for {role: class}."""
    return " and ".join(f"{role} {cls.__name__}" for role, cls in own.items())


def load_call(own):
    """The call that loads a network with these classes, e.g. 'NN2.load(path, cost=MyCost)'."""
    keywords = ", ".join(f"{role}={cls.__name__ if isinstance(cls, type) else cls}"
                         for role, cls in own.items())
    return f"NN2.load(path, {keywords})"
