"""The compiled epoch's steps: one small Numba function for each step of the book's SGD.

Layers are numbered as in the book: the input x is layer 1, the hidden layer is layer 2 (w2,
b2, z2, a2: ``net.weights[0]``, ``net.biases[0]``), the output layer is layer 3 (w3, b3, z3,
a3: ``net.weights[1]``, ``net.biases[1]``). One example and one neuron at a time:

    forward       z2 = w2 x + b2, a2 = f(z2);  z3 = w3 a2 + b3, a3 = g(z3)
    bp1           delta3 = a3 - y   (times g'(z3) for the quadratic cost)
    bp2           delta2 = (w3^T delta3) * f'(z2)
    bp3_bp4       b -> b - (eta/m) sum_x delta  (BP3),  w -> w - (eta/m) sum_x delta a_in^T  (BP4)
    weight_decay  before the step: w -> (1 - eta lmbda/n) w (L2), w - (eta lmbda/n) sgn(w) (L1)
    momentum_update  v -> mu v - eta (lmbda/n) (w or sgn w) - (eta/m) sum_x nabla C_x; w -> w + v
    epoch         every mini-batch: forward, BP1, BP2 for each example, then ``update``

For speed: w2 is kept transposed (w2t[k, j] = w2_jk, one input's weights side by side in memory);
an input x_k = 0 is skipped (it adds nothing to z2 nor to w2's gradient); deltas are stored
times eta/m, so BP3 and BP4 are plain subtractions. The activation and the regulariser are named
constants (``SIGMOID``, ``L2``, ...) in ``compiled_epoch.Rule``: one compiled version serves every
choice. Numba pastes the steps marked ``_inline`` into ``epoch``: one loop to optimise, as fast as
a loop written in one piece and rounding as it does (fastmath may reorder (a - y) eta / m within a
function). All sit in one file: Numba's disk cache sees changes only in a compiled function's file.
"""
import numpy as np

from .compiler import inline as _inline
from .compiler import jit as _jit

SIGMOID, TANH, RELU, LINEAR, SOFTMAX = 0, 1, 2, 3, 4   # the activations f and g
NO_REGULARISATION, L2, L1 = 0, 1, 2


@_jit
def f(z, kind, one):
    """The activation of weighted input z: sigmoid 1 / (1 + e^-z), tanh, relu max(z, 0), linear z."""
    if kind == SIGMOID:
        return one / (one + np.exp(-z))
    if kind == TANH:
        return np.tanh(z)
    if kind == RELU:
        return z if z > 0 else z * 0
    return z


@_jit
def f_prime_from_output(a, kind, one):
    """f'(z) written with a = f(z): a (1 - a), 1 - a^2, [a > 0], 1 (``one``: 1 in a's dtype)."""
    if kind == SIGMOID:
        return a * (one - a)
    if kind == TANH:
        return one - a * a
    if kind == RELU:
        return one if a > 0 else one * 0
    return one


@_inline
def softmax(z):
    """z -> e^(z - max z) / sum_o e^(z_o - max z), in place (the shift keeps e^z finite)."""
    zmax = z[0]
    for o in range(z.shape[0]):
        zmax = max(zmax, z[o])
    total = 0.0
    for o in range(z.shape[0]):
        z[o] = np.exp(z[o] - zmax)
        total += z[o]
    for o in range(z.shape[0]):
        z[o] /= total


@_jit
def _scale(w, factor, tiny):
    """w -> factor w, in place, with 0 where |factor w| falls below ``tiny``, the smallest normal
    number: a weight (or velocity) that only decays would sink to the smallest subnormal number
    s and stay there (0.8 s rounds back to s), and many processors are slow on subnormal
    numbers. The flush changes a weight by less than ``tiny``; a NaN stays NaN."""
    for a in range(w.shape[0]):
        for b in range(w.shape[1]):
            x = w[a, b] * factor
            w[a, b] = x * 0 if abs(x) < tiny else x


@_jit
def _x(X, lut, r, k):
    """Input k of example r: X[r, k], or lut[X[r, k]] when X holds MNIST's bytes (Numba compiles
    a version for ``lut=None`` and one for a table, each without the other's branch)."""
    if lut is None:
        return X[r, k]
    return lut[X[r, k]]


@_inline
def nonzero_inputs(X, r, nz):
    """Write the columns k of example r's non-zero inputs to nz[:q]; return q."""
    q = 0
    for k in range(X.shape[1]):    # k is written at q every time, and q moves on past non-zero
        nz[q] = k                  # inputs only (no branch to mispredict at a stroke's edges)
        q += X[r, k] != 0
    return q


@_inline
def forward(params, X, lut, r, nz, q, rule, a2, a3):
    """z2 = w2 x + b2, a2 = f(z2); z3 = w3 a2 + b3, a3 = g(z3), for example r (x: row r of X)."""
    w2t, b2, w3, b3 = params
    (n_out, h), one = w3.shape, b2.dtype.type(1)
    for j in range(h):
        a2[j] = b2[j]
    for p in range(q):                 # the non-zero inputs x_k only
        k = nz[p]
        x_k = _x(X, lut, r, k)
        for j in range(h):
            a2[j] += x_k * w2t[k, j]
    for j in range(h):
        a2[j] = f(a2[j], rule.hidden, one)
    for o in range(n_out):
        z = b3[o]
        for j in range(h):
            z += w3[o, j] * a2[j]
        a3[o] = z
    if rule.output == SOFTMAX:
        softmax(a3)
    else:
        for o in range(n_out):
            a3[o] = f(a3[o], rule.output, one)


@_inline
def bp1(a3, y, rule, scale, delta3):
    """BP1: delta3 = a3 - y, times g'(z3) for the quadratic cost (y: the label's one-hot);
    stored times ``scale`` = eta / m (delta3 may be a3 itself: each a3[o] is read first)."""
    one = a3.dtype.type(1)
    for o in range(a3.shape[0]):
        a = a3[o]
        delta3[o] = a - one if o == y else a
        if rule.quadratic:
            delta3[o] *= f_prime_from_output(a, rule.output, one)
        delta3[o] *= scale


@_inline
def bp2(delta3, w3, a2, hidden, delta2):
    """BP2: delta2 = (w3^T delta3) * f'(z2), with f'(z2) from a2 = f(z2)."""
    n_out, h = w3.shape
    one = a2.dtype.type(1)
    for j in range(h):
        s = a2.dtype.type(0)
        for o in range(n_out):
            s += delta3[o] * w3[o, j]
        delta2[j] = s * f_prime_from_output(a2[j], hidden, one)


@_inline
def bp3_bp4(targets, data, rows, buffers):
    """t -> t - (eta/m) sum_x nabla C_x over the mini-batch ``rows``, for t = (w2t, b2, w3, b3)
    or their velocities: BP3 nabla_b = delta, BP4 nabla_w = delta a_in^T (a_in: x or a2)."""
    t2t, tb2, t3, tb3 = targets
    X, lut, _ = data
    a2, delta2, delta3, _, nz, count = buffers
    n_out, h = t3.shape
    for i in range(rows.shape[0]):
        for o in range(n_out):
            tb3[o] -= delta3[i, o]
            for j in range(h):
                t3[o, j] -= delta3[i, o] * a2[i, j]
        for j in range(h):
            tb2[j] -= delta2[i, j]
        r = rows[i]                    # read once: the stores to t2t might alias rows
        for p in range(count[i]):      # x_k = 0 adds nothing to nabla w2
            k = nz[i, p]
            x_k = _x(X, lut, r, k)
            for j in range(h):
                t2t[k, j] -= x_k * delta2[i, j]


@_inline
def weight_decay(params, eta_c, rule):
    """Before the step: L2 w -> (1 - eta lmbda / n) w; L1 w -> w - (eta lmbda / n) sgn(w)."""
    w2t, _, w3, _ = params
    if rule.regularisation == L2:
        decay = w2t.dtype.type(1 - eta_c)
        _scale(w2t, decay, rule.tiny)
        _scale(w3, decay, rule.tiny)
    elif rule.regularisation == L1:
        step = w2t.dtype.type(eta_c)
        w2t -= step * np.sign(w2t)
        w3 -= step * np.sign(w3)


@_jit
def momentum_update(params, velocities, data, rows, buffers, eta, rule):
    """v -> mu v - eta (lmbda / n) (w for L2, sgn w for L1) - (eta/m) sum_x nabla C_x; w -> w + v."""
    w2t, b2, w3, b3 = params
    v2t, vb2, v3, vb3 = velocities
    g, mu = w2t.dtype.type(eta * rule.c), w2t.dtype.type(rule.mu)
    _scale(v2t, mu, rule.tiny)
    _scale(v3, mu, rule.tiny)
    if rule.regularisation == L2:     # L2 joins the gradient
        v2t -= g * w2t
        v3 -= g * w3
    elif rule.regularisation == L1:
        v2t -= g * np.sign(w2t)
        v3 -= g * np.sign(w3)
    _scale(vb2.reshape(1, -1), mu, rule.tiny)
    _scale(vb3.reshape(1, -1), mu, rule.tiny)
    bp3_bp4(velocities, data, rows, buffers)
    w2t += v2t
    w3 += v3
    b2 += vb2
    b3 += vb3


@_inline
def update(params, velocities, data, rows, buffers, eta, rule):
    """Apply one mini-batch's update: the regulariser, then the step (through v with momentum)."""
    if rule.mu:
        momentum_update(params, velocities, data, rows, buffers, eta, rule)
    else:
        weight_decay(params, eta * rule.c, rule)
        bp3_bp4(params, data, rows, buffers)


@_jit
def epoch(params, velocities, data, order, m, eta, rule):
    """One epoch of SGD over the rows of X in ``order``, ``m`` examples per mini-batch.

    params = (w2t, b2, w3, b3) and velocities (empty without momentum) change in place;
    data = (X, lut or None, labels). As in the book, every example of a mini-batch is
    propagated with the weights from before that mini-batch's update.
    """
    w2t, b2, w3, _ = params
    (n_in, h), n_out, dtype = w2t.shape, w3.shape[0], w2t.dtype
    buffers = (np.empty((m, h), dtype),       # a2, one row per example
               np.empty((m, h), dtype),       # (eta/m) delta2
               np.empty((m, n_out), dtype),   # (eta/m) delta3
               np.empty(n_out, dtype),        # a3 of the example at hand
               np.empty((m, n_in), np.int32), # the columns of each example's non-zero inputs
               np.empty(m, np.int64))         # and how many there are
    X, lut, labels = data
    a2, delta2, delta3, a3, nz, count = buffers
    for start in range(0, order.shape[0], m):
        rows = order[start:start + m]
        scale = dtype.type(eta / rows.shape[0])
        for i in range(rows.shape[0]):     # forward and backward, weights fixed
            r = rows[i]
            count[i] = nonzero_inputs(X, r, nz[i])
            forward(params, X, lut, r, nz[i], count[i], rule, a2[i], a3)
            delta3[i][:] = a3              # then BP1 in place: Numba compiles this loop faster
            bp1(delta3[i], labels[r], rule, scale, delta3[i])
            bp2(delta3[i], w3, a2[i], rule.hidden, delta2[i])
        update(params, velocities, data, rows, buffers, eta, rule)
