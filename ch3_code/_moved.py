"""Old module paths still import: ``ch3_code.fused`` is ``ch3_code.internals.compiled_epoch``.

Why: the package was laid out again so that its tree shows the reading order (the maths at
the top; data, the book's results and the training internals in ``mnist``, ``book`` and
``internals``), but the chapters, the notebook this project grew from, learners' own code and
``python -m ch3_code.reproduce`` use the old paths; the notebooks move to the new ones in a
later pass. Rather than one forwarding file per old module, one finder on ``sys.meta_path``
answers for the old names only, and hands the import system the module already imported
under its new name: ``ch3_code.fused.FusedEpoch is ch3_code.internals.compiled_epoch.
FusedEpoch``, with no second copy of a module, its classes or its state. The package's
``__getattr__`` does the same for ``from ch3_code import fused``.
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys

#: old module name -> where the module lives now
MOVED = {
    "reference": "ch3_code.book_backprop",
    "data": "ch3_code.mnist.load",
    "download": "ch3_code.mnist.download",
    "places": "ch3_code.mnist.places",
    "idx": "ch3_code.mnist.idx",
    "book_results": "ch3_code.book.results",
    "tables": "ch3_code.book.tables",
    "scorecard": "ch3_code.book.scorecard",
    "reproduce": "ch3_code.book.reproduce",
    "spread_file": "ch3_code.book.spread_file",
    "fused": "ch3_code.internals.compiled_epoch",
    "options": "ch3_code.internals.checks",
    "arrays": "ch3_code.internals.arrays",
    "divergence": "ch3_code.internals.divergence",
    "progress": "ch3_code.internals.progress",
    "persist": "ch3_code.internals.persist",
    "own_classes": "ch3_code.internals.own_classes",
    "pixels": "ch3_code.internals.pixels",
}


class _Spec(importlib.machinery.ModuleSpec):
    """An old name's spec whose ``parent`` is the new module's package: ``python -m`` then
    runs the module's code with its relative imports resolved where the file lives now."""

    def __init__(self, name, loader, target):
        super().__init__(name, loader, origin=target.origin)
        self.target = target

    @property
    def parent(self):
        return self.target.parent


class _Loader(importlib.abc.Loader):
    """Gives the module imported under its new name; runs nothing a second time."""

    def __init__(self, new):
        self.new = new

    def create_module(self, spec):
        return importlib.import_module(self.new)

    def exec_module(self, module):
        pass  # already executed under its new name

    def get_code(self, name):
        """The new module's code, for ``python -m ch3_code.<old name>``."""
        target = importlib.util.find_spec(self.new)
        return target.loader.get_code(self.new)


class MovedFinder(importlib.abc.MetaPathFinder):
    """Finds ``ch3_code.<old name>`` for the names in ``MOVED``, and nothing else."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, old = fullname.rpartition(".")
        if package != "ch3_code" or old not in MOVED:
            return None
        new = MOVED[old]
        return _Spec(fullname, _Loader(new), importlib.util.find_spec(new))


def install():
    """Put the finder last on ``sys.meta_path`` (once): it is asked only when no file is found."""
    if not any(isinstance(finder, MovedFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedFinder())
