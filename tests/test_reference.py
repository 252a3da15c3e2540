"""The fast path (rows, buffers) against ch3_code.book_backprop (the book's columns, one example at a time)."""
import copy

import numpy as np
import pytest

from ch3_code import NN2, book_backprop

pytestmark = pytest.mark.filterwarnings("error")
QUIET = dict(progress=False, verbose=False)
PAIRINGS = [("sigmoid", "cross-entropy", None), ("tanh", "quadratic", "sigmoid"),
            ("relu", "quadratic", "linear"), ("sigmoid", "log-likelihood", "softmax"),
            ("tanh", "quadratic", "tanh")]


def toy(m=23, n_in=5, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, n_in)), rng.integers(0, n_out, size=m)


def columns(net, X, labels):
    Y = net.targets(labels)
    return [(x.reshape(-1, 1), y.reshape(-1, 1)) for x, y in zip(X, Y)]


@pytest.mark.parametrize("hidden,cost,output", PAIRINGS)
def test_fast_gradient_is_the_sum_of_the_books_per_example_gradients(hidden, cost, output):
    net = NN2([5, 6, 4, 3], rand_seed=1, activation=hidden, cost=cost, output_activation=output,
              dtype="float64")
    X, labels = toy(m=9)
    nabla_b, nabla_w = net.gradient(X, net.targets(labels))
    parts = [book_backprop.backprop(net, x, y) for x, y in columns(net, X, labels)]
    for l in range(3):
        assert np.allclose(nabla_b[l], sum(p[0][l] for p in parts), rtol=1e-12, atol=1e-13)
        assert np.allclose(nabla_w[l], sum(p[1][l] for p in parts), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("options", [dict(), dict(lmbda=3.0), dict(lmbda=3.0, regularization="L1"),
                                     dict(momentum=0.7, lmbda=1.0), dict(dropout=0.3),
                                     dict(dropout=0.3, momentum=0.5, lmbda=2.0)])
def test_sgd_matches_the_reference_with_a_smaller_last_batch(options):
    """23 examples in batches of 5: the last mini-batch has 3 (skipping it fails this test)."""
    X, labels = toy(m=23)
    net = NN2([5, 6, 3], rand_seed=4, activation="tanh", dtype="float64")
    start = copy.deepcopy(net)
    drawn, draw = [], net.dropout_masks

    def recording(m, p):
        masks = draw(m, p)
        drawn.append([mk.copy() for mk in masks])
        return masks
    net.dropout_masks = recording
    net.SGD((X, labels), None, 3, 5, 0.4, **options, **QUIET)
    if options.get("dropout"):
        assert [len(r[0]) for r in drawn[:5]] == [5, 5, 5, 5, 3]
    ref = replay(start, X, labels, 3, 5, 0.4, drawn, **options)
    for p, q in zip(net.weights + net.biases, ref.weights + ref.biases):
        assert np.allclose(p, q, rtol=1e-10, atol=1e-12)


def replay(net0, X, labels, epochs, batch_size, eta, drawn, dropout=0.0, **options):
    """Train a copy of net0 with book_backprop.update_mini_batch on the same random numbers.

    The shuffles come from a copy of the network's generator, drawn as training draws
    them; the dropout masks are those training drew (``drawn``), checked against the
    copy's draws and turned into one column per example.
    """
    net, rng_net = copy.deepcopy(net0), copy.deepcopy(net0)
    pairs, n = columns(net, X, labels), X.shape[0]
    velocities, masks = None, iter(drawn)
    for _ in range(epochs):
        order = rng_net.rng.permutation(n)
        for k in range(0, n, batch_size):
            batch = [pairs[i] for i in order[k:k + batch_size]]
            per_example = None
            if dropout:
                rows = next(masks)
                again = rng_net.dropout_masks(len(batch), dropout)  # same generator, same draws
                assert all(np.array_equal(a, b) for a, b in zip(again, rows))
                per_example = [[mk[i].reshape(-1, 1) for mk in rows] for i in range(len(batch))]
            net.weights, net.biases, velocities = book_backprop.update_mini_batch(
                net, batch, eta, n=n, momentum=options.get("momentum", 0.0), velocities=velocities,
                lmbda=options.get("lmbda", 0.0), regularization=options.get("regularization", "L2"),
                masks=per_example)
    return net


def test_training_draws_inverted_dropout_masks_per_example():
    """Masks drawn by training: each entry 0 or 1/(1-p), kept with probability 1 - p, per row."""
    X, labels = toy(m=400)
    net = NN2([5, 50, 3], rand_seed=0)
    drawn, draw = [], net.dropout_masks

    def recording(m, p):
        masks = draw(m, p)
        drawn.append(masks[0].copy())
        return masks
    net.dropout_masks = recording
    net.SGD((X, labels), None, 2, 20, 0.1, dropout=0.2, **QUIET)
    masks = np.concatenate(drawn)
    assert masks.shape == (800, 50) and masks.dtype == net.dtype
    assert np.allclose(np.unique(masks), [0.0, 1 / 0.8])
    assert np.mean(masks > 0) == pytest.approx(0.8, abs=0.01)   # keeps 1 - p, not p
    assert masks.mean() == pytest.approx(1.0, abs=0.015)         # expected output unchanged
    assert len({m.tobytes() for m in masks[:20]}) > 1              # not one mask for the batch


def test_dropout_is_off_at_evaluation():
    """After training with dropout, evaluation uses every neuron and draws nothing."""
    X, labels = toy(m=60)
    net = NN2([5, 20, 3], rand_seed=0, dtype="float64")
    net.SGD((X, labels), None, 2, 10, 0.5, dropout=0.5, **QUIET)
    state = copy.deepcopy(net.rng.bit_generator.state)
    out = net.feedforward(X.T)
    a = 1 / (1 + np.exp(-(net.weights[0] @ X.T + net.biases[0])))
    expected = 1 / (1 + np.exp(-(net.weights[1] @ a + net.biases[1])))
    assert np.allclose(out, expected, rtol=1e-12)
    assert net.rng.bit_generator.state == state
