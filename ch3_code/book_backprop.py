"""Backpropagation and the mini-batch update written the book's way: one example per column.

Start here: this is network2's ``backprop`` and ``update_mini_batch``, and the reference
the fast path (``NN2.gradient``, ``training.update_mini_batch``) is tested against; it is meant
to be read beside chapter 2's four equations. It takes an ``NN2`` for its weights, biases,
activation and cost, and never changes it: ``update_mini_batch`` returns new weights and
biases.

For one example x (a column vector) with target y:

    feedforward   z^l = w^l a^{l-1} + b^l,   a^l = f(z^l),   a^1 = x
    BP1           delta^L = nabla_a C o f'(z^L)      (the cost's ``delta``: a - y for
                                                      cross-entropy with sigmoid outputs)
    BP2           delta^l = ((w^{l+1})^T delta^{l+1}) o f'(z^l)
    BP3           dC/db^l = delta^l
    BP4           dC/dw^l = delta^l (a^{l-1})^T

and a mini-batch of m examples moves every parameter by -(eta/m) times the sum of
their gradients, plus the regularisation term (see ``update_mini_batch``).

The fast path stacks the m examples as the rows of one matrix and does all of
them at once; transposing each line above gives its lines (``ch3_code.network``).
"""
import numpy as np


def backprop(net, x, y, masks=None):
    """(nabla_b, nabla_w) of the cost C_x of one example: x is (n_in, 1), y one-hot (n_out, 1).

    ``masks`` (optional) are dropout masks for this example, one (n_l, 1) column per
    hidden layer: a hidden layer's output is multiplied by its mask.
    """
    f = net.activation
    activation = x
    activations = [x]   # a^1, a^2, ..., a^L, layer by layer (after dropout)
    zs = []             # z^2, ..., z^L
    for l, (b, w) in enumerate(zip(net.biases, net.weights)):
        z = w @ activation + b
        zs.append(z)
        last = l == len(net.weights) - 1
        activation = _apply(net.output_activation if last else f, z)
        if masks is not None and not last:
            activation = activation * masks[l]
        activations.append(activation)

    nabla_b = [None] * len(net.biases)
    nabla_w = [None] * len(net.weights)
    # BP1: the output error. The cost computes it from z^L and a^L; it works on
    # rows, so the column is passed as a row and turned back.
    z_L, a_L = zs[-1].T, activations[-1].T
    delta = net.cost.delta(z_L, a_L, y.T, net.output_activation).T
    nabla_b[-1] = delta                                   # BP3
    nabla_w[-1] = delta @ activations[-2].T               # BP4
    for l in range(2, len(net.weights) + 1):
        z = zs[-l]
        fprime = f.prime(z)
        if masks is not None:  # a dropped neuron passes no error back
            fprime = fprime * masks[-l + 1]
        delta = (net.weights[-l + 1].T @ delta) * fprime  # BP2
        nabla_b[-l] = delta                               # BP3
        nabla_w[-l] = delta @ activations[-l - 1].T       # BP4
    return nabla_b, nabla_w


def update_mini_batch(net, mini_batch, eta, lmbda=0.0, n=1, regularization="L2", momentum=0.0,
                      velocities=None, masks=None):
    """One step of mini-batch SGD; returns (weights, biases, velocities) and leaves ``net`` alone.

    ``mini_batch`` is a list of (x, y) column pairs, m = len(mini_batch). With the
    summed gradients g_w = (1/m) sum_x nabla_w C_x (and g_b likewise):

        L2:  w -> (1 - eta lmbda / n) w - eta g_w
        L1:  w -> w - (eta lmbda / n) sgn(w) - eta g_w
             b -> b - eta g_b                       (biases are not regularised)

    With momentum mu > 0 the whole gradient (the penalty's included) feeds a velocity:
    v -> mu v - eta g, then w -> w + v. ``velocities`` are the previous ones (zeros
    at the start, in the order weights then biases). ``masks`` optionally gives each
    example's dropout masks (``masks[i]`` for example i, as ``backprop`` takes them).
    """
    m = len(mini_batch)
    sum_b = [np.zeros(b.shape) for b in net.biases]
    sum_w = [np.zeros(w.shape) for w in net.weights]
    for i, (x, y) in enumerate(mini_batch):
        delta_b, delta_w = backprop(net, x, y, None if masks is None else masks[i])
        sum_b = [s + d for s, d in zip(sum_b, delta_b)]
        sum_w = [s + d for s, d in zip(sum_w, delta_w)]
    g_b = [s / m for s in sum_b]
    if regularization == "L1":
        g_w = [s / m + (lmbda / n) * np.sign(w) for s, w in zip(sum_w, net.weights)]
    else:
        g_w = [s / m + (lmbda / n) * w for s, w in zip(sum_w, net.weights)]
    params = list(net.weights) + list(net.biases)
    if momentum:
        if velocities is None:
            velocities = [np.zeros(p.shape) for p in params]
        velocities = [momentum * v - eta * g for v, g in zip(velocities, g_w + g_b)]
        new = [p + v for p, v in zip(params, velocities)]
    else:
        new = [p - eta * g for p, g in zip(params, g_w + g_b)]
    k = len(net.weights)
    return new[:k], new[k:], velocities


def _apply(activation, z):
    """f(z) for a column z. ch3_code's activations take rows (softmax sums along the last
    axis), so the column goes in as a row; elementwise ones give the same either way."""
    return activation.fn(z.T).T
