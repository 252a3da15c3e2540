"""One epoch of mini-batch SGD in one compiled call, for networks with one hidden layer.

Why by hand, and why Numba: at the chapter's batch size of 10, NumPy's step
(``training.update_mini_batch``) is about 25 small array operations, and the fixed cost
of each, in Python and NumPy, is larger than its arithmetic. Here Numba compiles the whole
epoch, every mini-batch and every example, into one machine-code loop, and that loop reads
only the non-zero pixels of each image (about 150 of MNIST's 784: a zero pixel adds
nothing to z = w x + b nor to dC/dw = delta x).

The equations are those of ``ch3_code.book_backprop`` (the book's form) and of
``training.update_mini_batch``, written one example x and one neuron at a time, in
``compiled_steps``: ``forward``, ``bp1``, ``bp2``, ``bp3_bp4``, ``weight_decay``,
``momentum_update``, and ``epoch``, the loop that calls them. They number the layers
as the book does: ``net.weights[0]`` is the book's w^2 (``w2``, the hidden layer's
weights, kept transposed as ``w2t`` during the epoch, so that the weights of one pixel
are contiguous in memory), ``net.weights[1]`` is w^3 (``w3``, the output layer's).
The L2 (weight decay), L1 and momentum terms are those of ``training``, applied to the
whole weight matrices before the gradient step (a decayed weight or velocity that falls
below the smallest normal float becomes 0: see ``compiled_steps._scale``). Every example
of a mini-batch is propagated with the weights from before that mini-batch's update, as
in the book.

MNIST's training images come as their bytes p (``ch3_code.internals.pixels``): the loop
reads x = lut[p] from a 256-entry table of p / 255, the same floats as the float32 images,
and the float32 training images are never made (``benchmarks/README.md`` compares both).

``tests/test_fused.py`` checks that this gives the same weights as NumPy's step, for every
cost, activation, regulariser, momentum and batch size it supports. Numba caches the
compiled code on disk (``__pycache__``): the first run on a machine compiles for a few
seconds per dtype, when the run starts, before its first epoch is timed. Where Numba finds
no folder it may write (a read-only install with an unwritable home), the epoch is compiled
without the cache, in every session, and the first run says once how to avoid that
(``NUMBA_CACHE_DIR``, or ``fused=False``).

Only the built-in classes themselves have their formulas here (``own_classes``): a
network with a cost or activation class of the learner's always trains with NumPy's step.
"""
import warnings
from typing import NamedTuple

import numpy as np

from ..activations import (LinearActivation, ReLUActivation, SigmoidActivation,
                           SoftmaxActivation, TanhActivation)
from ..costs import QuadraticCost
from . import compiled_steps as steps
from . import compiler
from .arrays import caller_stacklevel
from .own_classes import describe, own_classes
from .pixels import PixelRows, lookup_table

numba = compiler.numba   # None without Numba: training then takes NumPy's step

HIDDEN = {SigmoidActivation: steps.SIGMOID, TanhActivation: steps.TANH,
          ReLUActivation: steps.RELU}
OUTPUT = {SigmoidActivation: steps.SIGMOID, TanhActivation: steps.TANH,
          LinearActivation: steps.LINEAR, SoftmaxActivation: steps.SOFTMAX}


class Rule(NamedTuple):
    """What stays fixed during a run: the formulas and the constants of the update."""
    hidden: int           # f: steps.SIGMOID, TANH or RELU
    output: int           # g: steps.SIGMOID, TANH, LINEAR or SOFTMAX
    quadratic: bool       # the quadratic cost (BP1 has the factor g'(z3))
    regularisation: int   # steps.NO_REGULARISATION, L2 or L1
    c: float              # lmbda / n
    mu: float             # the momentum coefficient (0: plain SGD)
    tiny: float           # the dtype's smallest normal number (see steps._scale)


def unsupported(net, dropout):
    """Why ``net`` cannot use the compiled epoch ("" if it can)."""
    if numba is None:
        return "numba is not installed (pip install numba)"
    if net.num_layers != 3:
        return f"it has {net.num_layers - 2} hidden layers (the compiled epoch has one)"
    if dropout:
        return "dropout needs the NumPy step"
    own = own_classes(net)
    if own:
        return (f"its {describe(own)} {'is' if len(own) == 1 else 'are'} your own (the "
                "compiled epoch has only the built-in formulas; NumPy's step calls yours)")
    if net.activation not in HIDDEN:
        return f"its hidden activation {net.activation.name!r} has no compiled form"
    if net.output_activation not in OUTPUT:
        return f"its output activation {net.output_activation.name!r} has no compiled form"
    return ""


class FusedEpoch:
    """``epoch(order, eta)``: one epoch of SGD over the rows of X in the given order.

    Holds what lasts from one epoch to the next: X itself (not a copy), the ``Rule`` of the
    run and, with momentum, the velocities. Nothing is kept per image: the loop finds an
    example's non-zero pixels when it meets it, in the forward pass, and the update of w2
    reuses them (``benchmarks/README.md`` says why not once per run).
    """

    def __init__(self, net, X, labels, batch_size, n, lmbda, regularization, mu):
        self.net, self.labels = net, np.ascontiguousarray(labels, dtype=np.int64)
        if isinstance(X, PixelRows):        # MNIST's bytes: pixel p is read as lut[p]
            self.X, self.lut = X.raw, lookup_table(net.dtype)
        else:                               # no copy for the training data of a run
            self.X, self.lut = np.ascontiguousarray(X), None
        # buffers hold one mini-batch: batch_size=10**9 on 50,000 examples is one batch of n
        self.batch_size = int(min(batch_size, max(n, 1)))
        self.rule = Rule(
            hidden=HIDDEN[net.activation], output=OUTPUT[net.output_activation],
            quadratic=net.cost is QuadraticCost,
            regularisation=(steps.NO_REGULARISATION if not lmbda else
                            steps.L1 if regularization == "L1" else steps.L2),
            c=float(lmbda) / n, mu=float(mu), tiny=np.finfo(net.dtype).tiny)
        w2, w3 = net.weights

        def velocity(shape):   # zeros of the weights' shape with momentum, empty without
            return np.zeros(shape if mu else (0,) * len(shape), net.dtype)
        self.velocities = (velocity(w2.T.shape), velocity(w2.shape[:1]),
                           velocity(w3.shape), velocity(w3.shape[:1]))
        _warn_if_uncached()
        # compile now (or load from Numba's disk cache), on an empty epoch: the first
        # epoch's time in the History is then training only, as for NumPy's step
        self(np.empty(0, dtype=np.int64), 0.0)

    def __call__(self, order, eta):
        net = self.net
        w2t = np.ascontiguousarray(net.weights[0].T)   # a copy, pixel-major
        params = (w2t, net.biases[0].reshape(-1), net.weights[1], net.biases[1].reshape(-1))
        steps.epoch(params, self.velocities, (self.X, self.lut, self.labels),
                    np.ascontiguousarray(order), self.batch_size, float(eta), self.rule)
        net.weights[0][...] = w2t.T


# Why Numba could not cache the compiled code on disk ("" while it can).
CACHE_PROBLEM = compiler.CACHE_PROBLEM
_cache_warned = False


def _jit(fn):
    """``fn`` compiled as the steps are; why it could not be cached goes to CACHE_PROBLEM."""
    global CACHE_PROBLEM
    compiled, why = compiler.compile_or_why(fn)
    CACHE_PROBLEM = CACHE_PROBLEM or why
    return compiled


def _warn_if_uncached():
    """Say once per session that the epoch is compiled afresh, and how to keep it."""
    global _cache_warned
    if CACHE_PROBLEM and not _cache_warned:
        _cache_warned = True
        warnings.warn(
            f"Numba cannot cache the compiled epoch on disk ({CACHE_PROBLEM}; it finds no "
            "folder it may write), so it is compiled again in every session, a few seconds "
            "per dtype. Set the environment variable NUMBA_CACHE_DIR to a writable folder before "
            "importing ch3_code to keep it, or pass fused=False to train with NumPy's step",
            RuntimeWarning, stacklevel=caller_stacklevel())
