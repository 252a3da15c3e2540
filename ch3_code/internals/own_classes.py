"""A learner's own cost and activation classes: always used as written.

Chapter 07 teaches cost classes, so a learner will write one: a subclass of
``CrossEntropyCost`` with another ``delta``, a class of their own named "quadratic",
network2.py's ``CrossEntropyCost`` pasted from the book, or the classes of the notebook
this project grew from. A class is *built in* only when it is one of ``costs.COSTS`` or
``activations.ACTIVATIONS`` itself (the same object, not the same name, not a
subclass); every other class is the learner's:

* Made usable (``adapters``): ``own_cost`` and ``own_activation`` give the network what
  it calls (``name``, ``from_z``, a four-argument ``delta``, ``fn(z, out=...)``,
  ``prime_from_output``), adding only what the class lacks or what it has merely
  inherited below a method it rewrote (a subclass that rewrites ``fn`` is reported with
  its ``fn``, not the inherited ``from_z``; one that rewrites ``prime`` is trained with it).
* Training: the compiled epoch (``compiled_epoch``) has the built-in formulas written into
  its loop and cannot call Python code per example, so a network with any class of the
  learner's trains with NumPy's step, which calls that class's methods.
* Saving: a file holds names, not code (the class lives in the learner's notebook), so
  ``save`` warns and ``load`` asks for the class: ``NN2.load(path, cost=MyCost)``.
"""
from ..activations import ACTIVATIONS
from ..costs import COSTS

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
