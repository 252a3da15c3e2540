"""What the training machinery needs and a learner may skip.

* ``compiled_epoch``: one epoch of SGD compiled with Numba ("the loop, compiled"), its steps
  in ``compiled_steps`` and Numba's cache in ``compiler``;
* ``checks``: the checks of the arguments of ``NN2`` and ``train``;
* ``arrays``: the accepted forms of data, turned into (X, labels);
* ``divergence``: when a run counts as diverged, and which setting to lower;
* ``progress``: the progress bar of a run, and the quiet mode of a sweep's runs;
* ``persist``: saving a network to JSON and reading it back, the file written by
  ``atomic_write`` so that a failure never loses the old one;
* ``sweep_tasks``: what ``sweep`` sends to its workers and says about their runs;
* ``own_classes`` and ``adapters``: a learner's own cost and activation classes;
* ``pixels``: MNIST's bytes as rows of floats, made when read.

The names below are re-exported, each imported on first use: the maths imports these
modules, and the package itself imports none of them, so that importing one module here
never runs the others (nor Numba, which ``compiled_epoch`` loads).
"""
import importlib

_WHERE = {
    "FusedEpoch": "compiled_epoch", "unsupported": "compiled_epoch",
    "check_options": "checks", "monitors_for": "checks", "check_layer_sizes": "checks",
    "check_dtype": "checks", "check_rand_seed": "checks", "check_regularization": "checks",
    "as_arrays": "arrays", "one_hot": "arrays", "caller_stacklevel": "arrays",
    "DivergenceWarning": "divergence", "Watch": "divergence", "advice": "divergence",
    "EpochBar": "progress", "quiet": "progress", "quiet_runs": "progress",
    "save": "persist", "read": "persist", "Saved": "persist", "MissingClassError": "persist",
    "is_builtin": "own_classes", "describe": "own_classes",
    "own_cost": "adapters", "own_activation": "adapters",
    "PixelRows": "pixels", "PixelStore": "pixels",
}
__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
