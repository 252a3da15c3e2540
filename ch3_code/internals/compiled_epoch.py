"""One epoch of mini-batch SGD in one compiled call, for networks with one hidden layer.

Why by hand, and why Numba: at the chapter's batch size of 10, NumPy's step
(``training.update_mini_batch``) is about 25 small array operations, and each costs
about a microsecond of Python and NumPy overhead whatever its size; the arithmetic
itself is a few microseconds. Here Numba compiles the whole epoch, every mini-batch
and every example, into one machine-code loop, and that loop reads only the
non-zero pixels of each image (about 150 of MNIST's 784: 81% of the pixels are 0,
and a zero pixel adds nothing to z = w x + b nor to dC/dw = delta x).

The equations are those of ``ch3_code.book_backprop`` (the book's form) and of
``training.update_mini_batch``, written one example x and one neuron at a time
(w1 is w^2, the hidden layer's weights; w2 is w^3, the output layer's):

    z1_j = b1_j + sum_k w1_jk x_k           (over the non-zero pixels k only)
    a1_j = f(z1_j)                           (f: sigmoid, tanh or relu)
    z2_o = b2_o + sum_j w2_oj a1_j,   a2 = g(z2)
    delta2_o = (a2_o - y_o) [* g'(z2_o) for the quadratic cost]              (BP1)
    delta1_j = (sum_o delta2_o w2_oj) f'(z1_j)                                (BP2)
    b -> b - (eta/m) sum_x delta;  w2_oj -> w2_oj - (eta/m) sum_x delta2_o a1_j   (BP3, BP4)
    w1_jk -> w1_jk - (eta/m) sum_x delta1_j x_k

with the same L2 (weight decay), L1 and momentum terms as ``training`` applied to
the whole weight matrices before the gradient step (a decayed weight or velocity that
falls below the smallest normal float becomes 0: see ``_scale``). Every example of a
mini-batch is propagated with the weights from before that mini-batch's update, as in
the book.

MNIST's training images come as their bytes p (``ch3_code.internals.pixels``): the loop reads
x = lut[p] from a 256-entry table of p / 255, the same floats as the float32 images.
That leaves the 157 MB of float32 training images unmade; the epoch reads a quarter of
the bytes, and one more table look-up per non-zero pixel (README's speed table measures
both forms side by side).

The hidden weights are kept transposed (w1t[k, j] = w1_jk) during the epoch, so
that the weights of one pixel are contiguous in memory, and copied back into
``net.weights[0]`` at its end. ``tests/test_fused.py`` checks that this gives the
same weights as the NumPy step, for every cost, activation, regulariser, momentum
and batch size it supports. Numba caches the compiled code on disk
(``__pycache__``): the first run on a machine compiles for a few seconds per dtype,
when the run starts, before its first epoch is timed. Where Numba finds no folder it
may write (a read-only install with an unwritable home), the epoch is compiled without
the cache, in every session, and the first run says once how to avoid that
(``NUMBA_CACHE_DIR``, or ``fused=False``).

Only the built-in classes themselves have their formulas here (``own_classes``): a
network with a cost or activation class of the learner's always trains with NumPy's step.
"""
import warnings

import numpy as np

from ..activations import (LinearActivation, ReLUActivation, SigmoidActivation,
                           SoftmaxActivation, TanhActivation)
from ..costs import QuadraticCost
from .arrays import caller_stacklevel
from .own_classes import describe, own_classes
from .pixels import PixelRows, lookup_table

try:
    import numba
except ImportError:  # NumPy's step does the same work, more slowly
    numba = None

HIDDEN = {SigmoidActivation: 0, TanhActivation: 1, ReLUActivation: 2}
OUTPUT = {SigmoidActivation: 0, TanhActivation: 1, LinearActivation: 3, SoftmaxActivation: 4}


def unsupported(net, dropout):
    """Why ``net`` cannot use the compiled epoch ("" if it can)."""
    if numba is None:
        return "numba is not installed (pip install numba)"
    if net.number_of_layers != 2:
        return f"it has {net.number_of_layers - 1} hidden layers (the compiled epoch has one)"
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

    Holds what lasts from one epoch to the next: X itself (not a copy) and, with
    momentum, the velocities. Nothing is kept per image: the loop finds an example's
    non-zero pixels when it meets it, in the forward pass, and the update of w1 reuses
    them. (Finding them once per run, as an earlier version did, took 60 ms and 15 MB
    for MNIST, 7.5 million int16 column numbers. Its epochs were about 2% faster on the
    50,000 training images and 11% faster on 1,000, whose pixels stay in cache, so that
    the scan is pure extra work; whole runs, which also evaluate, differ by less than the
    noise.)
    """

    def __init__(self, net, X, labels, batch_size, n, lmbda, regularization, mu):
        self.net, self.labels = net, np.ascontiguousarray(labels, dtype=np.int64)
        if isinstance(X, PixelRows):        # MNIST's bytes: pixel p is read as lut[p]
            self.X, self.lut = X.raw, lookup_table(net.dtype)
        else:                               # no copy for the training data of a run
            self.X, self.lut = np.ascontiguousarray(X), None
        # buffers hold one mini-batch: batch_size=10**9 on 50,000 examples is one batch of n
        self.batch_size, self.mu = int(min(batch_size, max(n, 1))), float(mu)
        self.reg = 0 if not lmbda else 2 if regularization == "L1" else 1
        self.c = float(lmbda) / n           # the lmbda / n of every regularisation term
        self.tiny = np.finfo(net.dtype).tiny  # below it, _scale sends values to 0
        self.codes = (HIDDEN[net.activation], OUTPUT[net.output_activation],
                      int(net.cost is QuadraticCost))
        dtype = net.dtype
        self.v1t = np.zeros(net.weights[0].T.shape, dtype) if mu else np.zeros((0, 0), dtype)
        self.v2 = np.zeros_like(net.weights[1]) if mu else np.zeros((0, 0), dtype)
        self.vb1 = np.zeros(net.layer_sizes[1], dtype) if mu else np.zeros(0, dtype)
        self.vb2 = np.zeros(net.layer_sizes[2], dtype) if mu else np.zeros(0, dtype)
        _warn_if_uncached()
        # compile now (or load from Numba's disk cache), on an empty epoch: the first
        # epoch's time in the History is then training only, as for NumPy's step
        self(np.empty(0, dtype=np.int64), 0.0)

    def __call__(self, order, eta):
        net = self.net
        w1t = np.ascontiguousarray(net.weights[0].T)   # a copy, pixel-major
        w2, b1, b2 = net.weights[1], net.biases[0].reshape(-1), net.biases[1].reshape(-1)
        _epoch(w1t, b1, w2, b2, self.X, self.lut, self.labels, np.ascontiguousarray(order),
               self.batch_size, float(eta), self.reg, self.c, self.mu, *self.codes,
               self.v1t, self.vb1, self.v2, self.vb2, self.tiny)
        net.weights[0][...] = w1t.T


# Why Numba could not cache the compiled code on disk ("" while it can); see _jit.
CACHE_PROBLEM = ""
_cache_warned = False


def _jit(fn):
    """``fn`` compiled by Numba, cached on disk if Numba finds a folder it may write."""
    global CACHE_PROBLEM
    if numba is None:
        return fn
    # "contract" lets a * b + c be one fused multiply-add; no flag that assumes finite numbers,
    # so a diverging run still produces the inf and NaN that training.train detects.
    options = dict(fastmath={"contract", "reassoc", "nsz", "arcp"})
    try:
        return numba.njit(cache=True, **options)(fn)
    except RuntimeError as exc:  # "cannot cache function ...: no locator available ..."
        CACHE_PROBLEM = CACHE_PROBLEM or str(exc)
        return numba.njit(cache=False, **options)(fn)


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


@_jit
def _f(z, code, one):
    """The activation of weighted input z: 0 sigmoid, 1 tanh, 2 relu, 3 linear."""
    if code == 0:
        return one / (one + np.exp(-z))
    if code == 1:
        return np.tanh(z)
    if code == 2:
        return z if z > 0 else z * 0
    return z


@_jit
def _f_prime_from_output(a, code, one):
    """f'(z) written with a = f(z): a (1 - a), 1 - a^2, [a > 0], 1 (``one``: 1 in a's dtype)."""
    if code == 0:
        return a * (one - a)
    if code == 1:
        return one - a * a
    if code == 2:
        return one if a > 0 else one * 0
    return one


@_jit
def _scale(w, factor, tiny):
    """w -> factor w, in place, with 0 where |factor w| falls below ``tiny``.

    ``tiny`` is the dtype's smallest normal number (1.2e-38 in float32). Below it lie the
    subnormal numbers, and most x86 processors take about a hundred cycles for every
    operation that reads or makes one. A weight that only decays never reaches 0 by
    itself: once it is the smallest subnormal s, 0.8 s rounds back to s. With eta 10 and
    lmbda 1000 (decay 0.8 per step) a sixth of w1 stayed subnormal and each epoch took
    seven times as long; so do the velocities of rarely-inked pixels with momentum.
    Flushing changes a weight by less than ``tiny``; a NaN stays NaN.
    """
    for a in range(w.shape[0]):
        for b in range(w.shape[1]):
            x = w[a, b] * factor
            w[a, b] = x * 0 if abs(x) < tiny else x


@_jit
def _x(X, lut, r, k):
    """Input k of example r: X[r, k], or lut[X[r, k]] when X holds MNIST's bytes.

    Numba compiles one version for ``lut=None`` and one for a table, each without the
    other's branch (it prunes a branch on an argument that is None).
    """
    if lut is None:
        return X[r, k]
    return lut[X[r, k]]


@_jit
def _epoch(w1t, b1, w2, b2, X, lut, labels, order, m, eta, reg, c, mu,
           hidden, output, quadratic, v1t, vb1, v2, vb2, tiny):
    n_in, h = w1t.shape
    n_out = w2.shape[0]
    n = order.shape[0]
    one = w1t.dtype.type(1)
    a1 = np.empty((m, h), w1t.dtype)       # hidden activations, one row per example
    d1 = np.empty((m, h), w1t.dtype)       # (eta/m) delta1
    d2 = np.empty((m, n_out), w1t.dtype)   # (eta/m) delta2
    nz = np.empty((m, n_in), np.int32)     # the columns of each example's non-zero pixels
    count = np.empty(m, np.int64)          # and how many there are
    for start in range(0, n, m):
        mb = min(m, n - start)
        scale = w1t.dtype.type(eta / mb)
        for i in range(mb):                # forward and backward, weights fixed
            r = order[start + i]
            for j in range(h):
                a1[i, j] = b1[j]
            q = 0                          # the columns of this example's non-zero pixels:
            for k in range(n_in):          # k is written at q every time, and q moves on
                nz[i, q] = k               # past non-zero pixels only (no branch, so no
                q += X[r, k] != 0          # mispredicted jumps at the edges of strokes)
            count[i] = q
            for p in range(q):
                k = nz[i, p]
                v = _x(X, lut, r, k)
                for j in range(h):
                    a1[i, j] += v * w1t[k, j]
            for j in range(h):
                a1[i, j] = _f(a1[i, j], hidden, one)
            for o in range(n_out):
                z = b2[o]
                for j in range(h):
                    z += w2[o, j] * a1[i, j]
                d2[i, o] = z
            if output == 4:                # softmax, shifted by max z
                zmax = d2[i, 0]
                for o in range(n_out):
                    zmax = max(zmax, d2[i, o])
                total = 0.0
                for o in range(n_out):
                    d2[i, o] = np.exp(d2[i, o] - zmax)
                    total += d2[i, o]
                for o in range(n_out):
                    d2[i, o] /= total
            else:
                for o in range(n_out):
                    d2[i, o] = _f(d2[i, o], output, one)
            for o in range(n_out):         # BP1: a - y, times g'(z) for the quadratic cost
                a = d2[i, o]
                d2[i, o] = a - one if o == labels[r] else a
                if quadratic:
                    d2[i, o] *= _f_prime_from_output(a, output, one)
                d2[i, o] *= scale
            for j in range(h):             # BP2
                s = w1t.dtype.type(0)
                for o in range(n_out):
                    s += d2[i, o] * w2[o, j]
                d1[i, j] = s * _f_prime_from_output(a1[i, j], hidden, one)
        if mu:
            _momentum_step(w1t, b1, w2, b2, X, lut, order[start:start + mb], nz, count,
                           a1, d1, d2, eta * c, reg, mu, v1t, vb1, v2, vb2, tiny)
            continue
        if reg == 1:                       # L2: w -> (1 - eta lmbda / n) w
            decay = w1t.dtype.type(1 - eta * c)
            _scale(w1t, decay, tiny)
            _scale(w2, decay, tiny)
        elif reg == 2:                     # L1: w -> w - (eta lmbda / n) sgn(w)
            step = w1t.dtype.type(eta * c)
            w1t -= step * np.sign(w1t)
            w2 -= step * np.sign(w2)
        for i in range(mb):                # BP3, BP4: w -> w - (eta / m) sum_x nabla C_x
            for o in range(n_out):
                b2[o] -= d2[i, o]
                for j in range(h):
                    w2[o, j] -= d2[i, o] * a1[i, j]
            for j in range(h):
                b1[j] -= d1[i, j]
            r = order[start + i]
            for p in range(count[i]):
                k = nz[i, p]
                v = _x(X, lut, r, k)
                for j in range(h):
                    w1t[k, j] -= v * d1[i, j]


@_jit
def _momentum_step(w1t, b1, w2, b2, X, lut, rows, nz, count, a1, d1, d2, eta_c, reg,
                   mu, v1t, vb1, v2, vb2, tiny):
    """v -> mu v - eta (grad C + regulariser), w -> w + v, for every weight and bias."""
    g, mu = w1t.dtype.type(eta_c), w1t.dtype.type(mu)
    _scale(v1t, mu, tiny)
    _scale(v2, mu, tiny)
    if reg == 1:                           # L2 joins the gradient: eta lmbda / n w
        v1t -= g * w1t
        v2 -= g * w2
    elif reg == 2:
        v1t -= g * np.sign(w1t)
        v2 -= g * np.sign(w2)
    _scale(vb1.reshape(1, -1), mu, tiny)
    _scale(vb2.reshape(1, -1), mu, tiny)
    h, n_out = w1t.shape[1], w2.shape[0]
    for i in range(rows.shape[0]):
        for o in range(n_out):
            vb2[o] -= d2[i, o]
            for j in range(h):
                v2[o, j] -= d2[i, o] * a1[i, j]
        for j in range(h):
            vb1[j] -= d1[i, j]
        r = rows[i]
        for p in range(count[i]):
            k = nz[i, p]
            v = _x(X, lut, r, k)
            for j in range(h):
                v1t[k, j] -= v * d1[i, j]
    w1t += v1t
    w2 += v2
    b1 += vb1
    b2 += vb2
