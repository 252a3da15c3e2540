"""The compiled epoch (ch3_code.internals.compiled_epoch and its steps, compiled_steps) against
NumPy's step (training.update_mini_batch) and the book's backprop (book_backprop).

Each test trains the same network twice from the same seed, once each way, on data with
zeros in it (the compiled epoch skips zero inputs), in float64, and asks for the same
weights: a wrong sign, a missing f'(z), a decay applied after the step instead of before,
a batch remainder dropped or an example updated with weights of the same batch would each
move the weights by far more than rounding.
"""
import subprocess
import sys

import numpy as np
import pytest

import ch3_code
from ch3_code import NN2
from ch3_code import book_backprop
from ch3_code.internals import compiled_epoch
from ch3_code.internals import compiled_steps as steps
from tests.blobs import QUIET, blobs

pytestmark = pytest.mark.skipif(compiled_epoch.numba is None, reason="numba is not installed")


def sparse_blobs(m=203, n_in=12, n_out=4, seed=0):
    """blobs with about half of the inputs set to exactly 0, and 203 rows (not a multiple
    of the batch sizes below, so the last mini-batch is short)."""
    X, y = blobs(m, n_in, n_out, seed)
    X[np.random.default_rng(seed + 1).random(X.shape) < 0.5] = 0.0
    return X, y


def both_ways(sizes=(12, 7, 4), epochs=3, batch_size=10, eta=0.3, net_kwargs=None, **options):
    """The final weights and biases trained with fused=False and with fused=True."""
    data = sparse_blobs(n_in=sizes[0], n_out=sizes[-1])
    out = []
    for way in (False, True):
        net = NN2(list(sizes), rand_seed=4, dtype="float64", **(net_kwargs or {}))
        h = net.stochastic_gradient_descent(data, data, epochs, batch_size, eta, fused=way,
                                            monitoring=True, **options, **QUIET)
        assert h.config["fused"] is way and h.status == "completed"
        out.append((net.weights + net.biases, h))
    return out


def assert_same_run(runs):
    (p_numpy, h_numpy), (p_fused, h_fused) = runs
    for a, b in zip(p_numpy, p_fused):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h_fused["train_cost"], h_numpy["train_cost"], rtol=1e-10)


@pytest.mark.parametrize("net_kwargs", [
    {},                                                             # sigmoid + cross-entropy
    {"cost": "quadratic"},                                          # delta has sigma'(z)
    {"cost": "log-likelihood"},                                     # softmax output
    {"activation": "tanh", "cost": "quadratic", "output_activation": "tanh"},
    {"activation": "relu", "cost": "quadratic", "output_activation": "linear"},
    {"activation": "relu", "cost": "log-likelihood"},
], ids=["sigmoid-ce", "quadratic", "softmax-ll", "tanh-quadratic", "relu-linear", "relu-ll"])
def test_every_activation_and_cost_gives_numpys_run(net_kwargs):
    eta = 0.05 if net_kwargs.get("output_activation") == "linear" else 0.3
    assert_same_run(both_ways(net_kwargs=net_kwargs, eta=eta))


@pytest.mark.parametrize("options", [
    dict(lmbda=5.0),                                   # weight decay before the step
    dict(lmbda=2.0, regularization="L1"),
    dict(momentum=0.6),
    dict(momentum=0.6, lmbda=5.0),                     # L2 joins the gradient
    dict(momentum=0.6, lmbda=2.0, regularization="L1"),
], ids=["L2", "L1", "momentum", "momentum-L2", "momentum-L1"])
def test_regularisation_and_momentum_give_numpys_run(options):
    assert_same_run(both_ways(**options))


@pytest.mark.parametrize("batch_size", [1, 7, 64, 500])   # 500: one batch of all 203 rows
def test_every_batch_size_gives_numpys_run(batch_size):
    assert_same_run(both_ways(batch_size=batch_size, lmbda=1.0))


def test_wider_networks_and_float32_agree_to_rounding():
    assert_same_run(both_ways(sizes=(12, 33, 5)))
    data = sparse_blobs()
    nets = [NN2([12, 7, 4], rand_seed=4) for _ in range(2)]
    for net, way in zip(nets, (False, True)):
        net.stochastic_gradient_descent(data, None, 2, 10, 0.3, fused=way, **QUIET)
    for a, b in zip(nets[0].weights, nets[1].weights):
        assert b.dtype == np.float32
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)


def test_the_compiled_epoch_keeps_no_copy_of_the_training_inputs():
    # it reads the pixels from X itself and finds an example's non-zero pixels when it
    # meets it: a packed copy of the values or a per-run index of the non-zero pixels
    # (7.5 million int16 for MNIST) would each hold a sizeable fraction of X
    X, y = sparse_blobs(m=2000, n_in=100)
    X = X.astype(np.float32)
    epoch = compiled_epoch.FusedEpoch(NN2([100, 7, 4]), X, y, 10, len(X), 0.0, "L2", 0.0)
    assert np.shares_memory(epoch.X, X)

    def arrays(value):
        if isinstance(value, np.ndarray):
            return [value]
        if isinstance(value, (tuple, list)):
            return [a for v in value for a in arrays(v)]
        return []
    held = [a for v in vars(epoch).values() for a in arrays(v) if not np.shares_memory(a, X)]
    assert sum(a.nbytes for a in held) < X.nbytes / 20


def test_the_callers_data_is_not_changed():
    X, y = sparse_blobs()
    X0, y0 = X.copy(), y.copy()
    NN2([12, 7, 4]).stochastic_gradient_descent((X, y), None, 2, 10, 0.3, fused=True, **QUIET)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_default_picks_the_compiled_epoch_only_where_it_is_faster_and_valid():
    data = sparse_blobs()

    def used(sizes=(12, 7, 4), batch_size=10, **options):
        h = NN2(list(sizes)).stochastic_gradient_descent(data, None, 1, batch_size, 0.3,
                                                         **options, **QUIET)
        return h.config["fused"]
    assert used()
    assert not used(batch_size=100)                  # BLAS is faster for large batches
    assert not used(sizes=(12, 7, 7, 4))             # two hidden layers
    assert not used(dropout=0.5)
    assert not used(fused=False)


@pytest.mark.parametrize("sizes, options, why", [
    ((12, 7, 7, 4), {}, "2 hidden layers"),
    ((12, 7, 4), {"dropout": 0.5}, "dropout needs the NumPy step"),
])
def test_fused_true_says_why_it_cannot_be_used(sizes, options, why):
    with pytest.raises(ValueError, match=f"fused=True: .*{why}.*fused=None or False"):
        NN2(list(sizes)).stochastic_gradient_descent(sparse_blobs(), None, 1, 10, 0.3,
                                                     fused=True, **options, **QUIET)
    with pytest.raises(ValueError, match="fused='yes' is not allowed"):
        NN2([12, 7, 4]).stochastic_gradient_descent(sparse_blobs(), None, 1, 10, 0.3,
                                                    fused="yes", **QUIET)


def test_without_numba_the_default_falls_back_and_fused_true_says_so(monkeypatch):
    monkeypatch.setattr(compiled_epoch, "numba", None)
    data = sparse_blobs()
    h = NN2([12, 7, 4]).stochastic_gradient_descent(data, None, 1, 10, 0.3, **QUIET)
    assert h.config["fused"] is False
    with pytest.raises(ValueError, match="numba is not installed"):
        NN2([12, 7, 4]).stochastic_gradient_descent(data, None, 1, 10, 0.3, fused=True,
                                                    **QUIET)


def test_a_diverging_compiled_run_is_detected():
    X, y = sparse_blobs()
    net = NN2([12, 7, 4], cost="quadratic", output_activation="linear", activation="relu")
    with pytest.warns(ch3_code.DivergenceWarning, match="diverged in epoch"):
        h = net.stochastic_gradient_descent((X * 50, y), None, 20, 10, 5.0, fused=True,
                                            **QUIET)
    assert h.status == "diverged" and h.config["fused"]


def test_compilation_happens_before_the_first_epoch_is_timed():
    # In a fresh process (nothing compiled yet in memory), building the epoch compiles it,
    # so the first real epoch finds its signature ready and History's epoch 0 time is
    # training only. Without the warm-up the first call would add the signature.
    code = """if True:
        import numpy as np
        from ch3_code import NN2
        from ch3_code.internals import compiled_epoch
        from ch3_code.internals.compiled_steps import epoch as compiled
        X = np.zeros((30, 12), np.float32); X[:, :3] = 1.0
        labels = np.arange(30) % 4
        net = NN2([12, 7, 4], dtype="float32")
        epoch = compiled_epoch.FusedEpoch(net, X, labels, 10, 30, 0.0, "L2", 0.0)
        ready = list(compiled.signatures)
        epoch(np.random.default_rng(0).permutation(30), 0.3)
        assert ready and list(compiled.signatures) == ready, (ready, compiled.signatures)
        print("ok")
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def subnormal_share(a):
    """The fraction of a's entries that are subnormal (non-zero, below the smallest normal)."""
    tiny = np.finfo(a.dtype).tiny
    return np.mean((a != 0) & (np.abs(a) < tiny))


def test_decayed_weights_and_velocities_go_to_zero_not_to_subnormal_numbers():
    # Counted, not timed. Inputs 0-3 are always 0, so their weights only decay, and input 4
    # is inked once: its velocities only shrink by mu after that. Unflushed, the smallest
    # subnormal s is a fixed point (0.8 s and 0.9 s round back to s): chapter 5's
    # eta 10, lmbda 1000 run kept a sixth of w1 subnormal, each epoch 7x slower.
    X, y = sparse_blobs(m=600, n_in=12)
    X = X.astype(np.float32)
    X[:, :4] = 0.0
    X[:, 4] = 0.0
    X[0, 4] = 1.0
    net = NN2([12, 7, 4], rand_seed=0)
    h = net.stochastic_gradient_descent((X, y), None, 15, 10, 10.0, lmbda=12.0, fused=True,
                                        **QUIET)  # decay 1 - 10 * 12 / 600 = 0.8
    assert h.status == "completed"
    assert subnormal_share(net.weights[0]) == 0
    assert np.all(net.weights[0][:, :4] == 0)
    mom = compiled_epoch.FusedEpoch(NN2([12, 7, 4], rand_seed=0), X, y, 10, len(X), 0.0, "L2", 0.9)
    mom(np.arange(len(X)), 0.5)           # example 0, the only one with ink at input 4,
    for _ in range(20):                   # comes first; then 1,200 steps without it
        mom(np.arange(1, len(X)), 0.5)
    v2t = mom.velocities[0]               # w2's velocities, one row per input
    assert np.all(np.isfinite(v2t)) and subnormal_share(v2t) == 0
    assert np.all(v2t[4] == 0)


NETS = pytest.mark.parametrize("net_kwargs", [
    {}, {"cost": "quadratic"}, {"cost": "log-likelihood"},
    {"activation": "tanh", "cost": "quadratic", "output_activation": "tanh"},
    {"activation": "relu", "cost": "quadratic", "output_activation": "linear"},
], ids=["sigmoid-ce", "quadratic", "softmax-ll", "tanh-quadratic", "relu-linear"])


@NETS
def test_each_compiled_step_called_alone_gives_the_books_backprop(net_kwargs):
    # forward, BP1, BP2 and BP3/BP4 one by one on one example, against book_backprop's
    # column form: a step with the wrong f', the wrong layer's weights or a lost eta/m fails
    X, y = sparse_blobs(m=5, n_in=12, n_out=4)
    net = NN2([12, 7, 4], rand_seed=2, dtype="float64", **net_kwargs)
    epoch = compiled_epoch.FusedEpoch(net, X, y, 1, len(X), 0.0, "L2", 0.0)
    params = (np.ascontiguousarray(net.weights[0].T), net.biases[0].reshape(-1),
              net.weights[1], net.biases[1].reshape(-1))
    r, scale = 3, 0.25                     # scale stands for eta / m
    nz = np.empty(12, np.int32)
    q = steps.nonzero_inputs(X, r, nz)
    np.testing.assert_array_equal(nz[:q], np.flatnonzero(X[r]))
    a2, a3, delta3, delta2 = np.empty(7), np.empty(4), np.empty(4), np.empty(7)
    steps.forward(params, X, None, r, nz, q, epoch.rule, a2, a3)
    z2 = net.weights[0] @ X[r] + net.biases[0].ravel()
    np.testing.assert_allclose(a2, net.activation.fn(z2), rtol=1e-12)
    np.testing.assert_allclose(a3, np.ravel(net.feedforward(X[r])), rtol=1e-12)
    steps.bp1(a3, y[r], epoch.rule, scale, delta3)
    steps.bp2(delta3, params[2], a2, epoch.rule.hidden, delta2)
    x, target = X[r].reshape(-1, 1), np.eye(4)[y[r]].reshape(-1, 1)
    nabla_b, nabla_w = book_backprop.backprop(net, x, target)
    np.testing.assert_allclose(delta3, scale * nabla_b[1].ravel(), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(delta2, scale * nabla_b[0].ravel(), rtol=1e-10, atol=1e-15)
    targets = (np.zeros((12, 7)), np.zeros(7), np.zeros((4, 7)), np.zeros(4))
    buffers = (a2[None], delta2[None], delta3[None], a3, nz[None], np.array([q]))
    steps.bp3_bp4(targets, (X, None, y), np.array([r]), buffers)
    for t, nabla in zip(targets, (nabla_w[0].T, nabla_b[0].ravel(), nabla_w[1],
                                  nabla_b[1].ravel())):
        np.testing.assert_allclose(t, -scale * nabla, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("regularization, decayed", [
    ("L2", lambda w, g: w * (1 - g)), ("L1", lambda w, g: w - g * np.sign(w))])
def test_weight_decay_is_the_books_regularisation_step(regularization, decayed):
    net = NN2([12, 7, 4], rand_seed=2, dtype="float64")
    X, y = sparse_blobs(m=20)
    epoch = compiled_epoch.FusedEpoch(net, X, y, 10, 20, 4.0, regularization, 0.0)
    assert epoch.rule.regularisation == {"L2": steps.L2, "L1": steps.L1}[regularization]
    params = [np.array(net.weights[0].T), net.biases[0].ravel().copy(), net.weights[1].copy(),
              net.biases[1].ravel().copy()]
    before = [p.copy() for p in params]
    steps.weight_decay(tuple(params), 0.1, epoch.rule)   # eta lmbda / n = 0.1
    for k in (0, 2):                                       # the weights, not the biases
        np.testing.assert_allclose(params[k], decayed(before[k], 0.1), rtol=1e-15)
    for k in (1, 3):
        np.testing.assert_array_equal(params[k], before[k])
