"""NN2: gradients against finite differences, costs, initialisers, data forms, save/load."""
import itertools
import json

import numpy as np
import pytest

import ch3_code
from ch3_code import NN2
from ch3_code.internals.arrays import one_hot

pytestmark = pytest.mark.filterwarnings("error")

# (cost, output activation) pairs that fit, and the hidden activations to try with each
PAIRINGS = [("quadratic", "sigmoid"), ("quadratic", "linear"), ("quadratic", "tanh"),
            ("cross-entropy", "sigmoid"), ("log-likelihood", "softmax")]
HIDDEN = ["sigmoid", "tanh", "relu"]
REGULARIZATION = [(0.0, "L2"), (0.7, "L2"), (0.7, "L1")]


def toy_data(m=7, n_in=5, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, n_in)), rng.integers(0, n_out, size=m)


def flat_params(net):
    return [p for pair in zip(net.weights, net.biases) for p in pair]


def numerical_gradient(net, data, lmbda, n, regularization, eps=1e-6):
    """Central differences of the regularised mean cost, parameter by parameter."""
    grads = []
    for p in flat_params(net):
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = net.total_cost(data, lmbda, n, regularization)
            p[i] = old - eps
            down = net.total_cost(data, lmbda, n, regularization)
            p[i] = old
            g[i] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def relative_error(a, b):
    a, b = np.concatenate([x.ravel() for x in a]), np.concatenate([x.ravel() for x in b])
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12)


@pytest.mark.parametrize("cost,output", PAIRINGS)
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("lmbda,regularization", REGULARIZATION)
def test_backprop_matches_finite_differences(cost, output, hidden, lmbda, regularization):
    net = NN2([5, 4, 3, 3], rand_seed=1, activation=hidden, cost=cost, output_activation=output,
              dtype="float64")
    data = toy_data()
    nabla_b, nabla_w = net.cost_gradient(data, lmbda, n=20, regularization=regularization)
    analytic = [p for pair in zip(nabla_w, nabla_b) for p in pair]
    numeric = numerical_gradient(net, data, lmbda, 20, regularization)
    assert relative_error(analytic, numeric) < 1e-6


def test_dropout_gradient_matches_finite_differences():
    """With fixed masks, backprop differentiates the masked network exactly."""
    net = NN2([5, 6, 4, 3], rand_seed=2, dtype="float64")
    X, labels = toy_data()
    Y = one_hot(labels, 3)
    rng = np.random.default_rng(5)
    masks = [(rng.random((7, h)) < 0.6) / 0.6 for h in (6, 4)]

    def cost():
        a = X
        for l in range(2):
            a = ch3_code.SigmoidActivation.fn(a @ net.weights[l].T + net.biases[l].T) * masks[l]
        z = a @ net.weights[2].T + net.biases[2].T
        return ch3_code.CrossEntropyCost.from_z(z, None, Y)

    nabla_b, nabla_w = net.gradient(X, Y, masks=masks)
    eps = 1e-6
    for p, analytic in zip(net.weights + net.biases, nabla_w + nabla_b):
        numeric = np.zeros(p.size)
        for k in range(p.size):
            i = np.unravel_index(k, p.shape)
            old = p[i]
            p[i] = old + eps
            up = cost()
            p[i] = old - eps
            numeric[k] = (up - cost()) / (2 * eps)
            p[i] = old
        assert relative_error([analytic.ravel()], [numeric]) < 1e-6


def test_batch_gradient_is_sum_of_per_example_gradients():
    net = NN2([5, 4, 3], rand_seed=3, activation="tanh", dtype="float64")
    X, labels = toy_data(m=6)
    Y = one_hot(labels, 3)
    nb, nw = net.back_propagation(X.T, Y.T)
    parts = [net.back_propagation(X[i:i + 1].T, Y[i:i + 1].T) for i in range(6)]
    for l in range(2):
        assert np.allclose(nb[l], sum(p[0][l] for p in parts), rtol=1e-12, atol=1e-14)
        assert np.allclose(nw[l], sum(p[1][l] for p in parts), rtol=1e-12, atol=1e-14)
        assert nb[l].shape == net.biases[l].shape and nw[l].shape == net.weights[l].shape


def test_known_cost_values():
    y = np.array([[0.0, 1.0]])
    a = np.array([[0.2, 0.6]])
    assert ch3_code.QuadraticCost.fn(a, y) == pytest.approx(0.5 * (0.04 + 0.16))
    assert ch3_code.CrossEntropyCost.fn(a, y) == pytest.approx(-np.log(0.8) - np.log(0.6))
    z = np.log(a / (1 - a))  # sigma(z) = a
    assert ch3_code.CrossEntropyCost.from_z(z, a, y) == pytest.approx(-np.log(0.8) - np.log(0.6))
    zs = np.array([[1.0, 2.0, 3.0]])
    p = np.exp(zs) / np.exp(zs).sum()
    y3 = np.array([[0.0, 0.0, 1.0]])
    assert ch3_code.LogLikelihoodCost.fn(p, y3) == pytest.approx(-np.log(p[0, 2]))
    assert ch3_code.LogLikelihoodCost.from_z(zs, p, y3) == pytest.approx(-np.log(p[0, 2]))


def test_saturated_wrong_answer_costs_a_large_finite_amount():
    z = np.array([[1000.0, -1000.0]])
    y = np.array([[0.0, 1.0]])
    a = ch3_code.SigmoidActivation.fn(z)
    assert ch3_code.CrossEntropyCost.from_z(z, a, y) == pytest.approx(2000.0)
    assert ch3_code.LogLikelihoodCost.from_z(z, ch3_code.SoftmaxActivation.fn(z), y) == pytest.approx(2000.0)
    assert np.isfinite(ch3_code.CrossEntropyCost.fn(a, y))


def test_sigmoid_and_softmax_are_stable():
    z = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
    s = ch3_code.SigmoidActivation.fn(z)
    assert np.all(np.isfinite(s)) and s[2] == 0.5 and s[0] >= 0 and s[-1] == 1.0
    sm = ch3_code.SoftmaxActivation.fn(np.array([[1e4, 0.0, -1e4]]))
    assert np.allclose(sm, [[1.0, 0.0, 0.0]])
    zt = np.linspace(-5, 5, 11)
    assert np.allclose(ch3_code.SigmoidActivation.fn(zt), (1 + np.tanh(zt / 2)) / 2)


@pytest.mark.parametrize("init,std", [("default_weight_initializer", 1 / np.sqrt(400)),
                                      ("large_weight_initializer", 1.0)])
def test_initialisers(init, std):
    net = NN2([400, 300, 10], rand_seed=0)
    getattr(net, init)()
    w, b = net.weights[0], np.concatenate([b.ravel() for b in net.biases])
    assert w.shape == (300, 400) and net.biases[0].shape == (300, 1)
    assert abs(w.mean()) < 5 * std / np.sqrt(w.size)
    assert w.std() == pytest.approx(std, rel=0.02)
    assert abs(b.mean()) < 0.2 and b.std() == pytest.approx(1.0, rel=0.1)


def test_parameter_count_matches_the_book():
    assert NN2([784, 30, 10]).n_parameters == 23_860


@pytest.mark.parametrize("activation,cls", [("sigmoid", ch3_code.SigmoidActivation),
                                            ("tanh", ch3_code.TanhActivation),
                                            ("relu", ch3_code.ReLUActivation),
                                            (ch3_code.ReLUActivation, ch3_code.ReLUActivation),
                                            (ch3_code.TanhActivation(), ch3_code.TanhActivation)])
def test_activation_names_and_classes(activation, cls):
    """Seed bug: a string activation was compared with a class and never matched."""
    net = NN2([4, 3, 2], activation=activation)
    assert net.activation is cls
    assert net.output_activation is ch3_code.SigmoidActivation  # fits the default cross-entropy


@pytest.mark.parametrize("cost,output", [("cross-entropy", "sigmoid"), ("quadratic", "sigmoid"),
                                         ("log-likelihood", "softmax"),
                                         (ch3_code.LogLikelihoodCost, "softmax")])
def test_cost_names_choose_a_fitting_output(cost, output):
    assert NN2([4, 3, 2], cost=cost).output_activation.name == output


def test_cross_entropy_refuses_a_non_sigmoid_output():
    """Seed bug: cross-entropy with a ReLU output divided by a(1 - a)."""
    with pytest.raises(ValueError, match="output_activation='relu'.*cross-entropy"):
        NN2([4, 3, 2], activation="relu", cost="cross-entropy", output_activation="relu")
    with pytest.raises(ValueError, match="cross-entropy cost needs a sigmoid output"):
        ch3_code.CrossEntropyCost.delta(None, np.zeros(2), np.zeros(2), ch3_code.ReLUActivation)


def test_feedforward_shapes():
    net = NN2([4, 3, 2], rand_seed=0)
    x = np.arange(4.0).reshape(4, 1)
    out = net.feedforward(x)
    assert out.shape == (2, 1)
    assert np.allclose(net.feedforward(np.hstack([x, x])), np.hstack([out, out]))
    assert np.allclose(net.feedforward(x.ravel()), out.ravel())
    with pytest.raises(ValueError, match=r"expected \(4, m\)"):
        net.feedforward(np.zeros((5, 1)))


def test_evaluate_accepts_every_data_form():
    net = NN2([5, 4, 3], rand_seed=0)
    X, labels = toy_data(m=40)
    expected = sum(int(np.argmax(net.feedforward(x[:, None])) == y) for x, y in zip(X, labels))
    pairs_int = [(x.reshape(5, 1), int(y)) for x, y in zip(X, labels)]
    pairs_hot = [(x.reshape(5, 1), one_hot(np.array([y]), 3).T) for x, y in zip(X, labels)]

    class Split:
        pass
    split = Split()
    split.X, split.y = X.astype(np.float32), labels
    for data in [(X, labels), pairs_int, pairs_hot, split]:
        assert net.evaluate(data) == pytest.approx(expected, abs=0 if data is not split else 1)


def test_evaluate_is_one_matrix_product_per_block(monkeypatch):
    """Seed bug: evaluate fed the examples one at a time."""
    net = NN2([5, 4, 3], rand_seed=0)
    calls = []
    forward = net.forward

    def counted(X, masks=None):
        calls.append(X.shape)
        return forward(X, masks)
    monkeypatch.setattr(net, "forward", counted)
    net.evaluate(toy_data(m=1000))
    assert calls == [(1000, 5)]


@pytest.mark.parametrize("kwargs,match", [
    (dict(layer_sizes=[784]), "at least two positive integers"),
    (dict(layer_sizes=[784, 0, 10]), "at least two positive integers"),
    (dict(layer_sizes=[784, 2.5, 10]), "at least two positive integers"),
    (dict(layer_sizes=[4, 3], activation="swish"), "activation='swish' is not known"),
    (dict(layer_sizes=[4, 3], cost="hinge"), "cost='hinge' is not known"),
    (dict(layer_sizes=[4, 3], activation="softmax"), "hidden layers need"),
    (dict(layer_sizes=[4, 3], cost="log-likelihood", output_activation="sigmoid"), "does not fit"),
])
def test_bad_network_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NN2(**kwargs)


def test_bad_data_is_named():
    net = NN2([5, 4, 3])
    X, labels = toy_data()
    with pytest.raises(ValueError, match=r"shape \(7, 4\).*first layer has 5 neurons"):
        net.evaluate((X[:, :4], labels))
    with pytest.raises(ValueError, match="label 3 is out of range"):
        net.evaluate((X, np.where(labels == 0, 3, labels)))
    with pytest.raises(ValueError, match=r"labels have shape \(7, 3\)"):
        net.evaluate((X, one_hot(labels, 3)))
    with pytest.raises(ValueError, match="not one-hot"):
        net.evaluate([(x.reshape(5, 1), np.full((3, 1), 0.5)) for x in X])
    with pytest.raises(TypeError, match="list of \\(x, y\\) pairs"):
        net.evaluate(42)
    with pytest.raises(ValueError, match="empty"):
        net.evaluate([])


def test_save_and_load_round_trip(tmp_path):
    net = NN2([5, 4, 3], rand_seed=7, activation="tanh", cost="log-likelihood")
    net.stochastic_gradient_descent(toy_data(m=30), None, 2, 5, 0.1, progress=False, verbose=False)
    net.save(tmp_path / "net.json")
    back = ch3_code.load(tmp_path / "net.json")
    assert (back.layer_sizes, back.activation, back.output_activation, back.cost) == \
        (net.layer_sizes, net.activation, net.output_activation, net.cost)
    for p, q in zip(flat_params(net), flat_params(back)):
        assert np.array_equal(p, q)
    X = toy_data()[0].T
    assert np.array_equal(net.feedforward(X), back.feedforward(X))


@pytest.mark.parametrize("text,match", [
    ("not json", "not a network saved by NN2.save"),
    (json.dumps({"format": "something else"}), "format is 'something else'"),
    (json.dumps({"format": "ch3_code.NN2/1", "layer_sizes": [2, 2]}), "KeyError"),
])
def test_load_rejects_bad_files(tmp_path, text, match):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        NN2.load(path)


def test_load_rejects_wrong_shapes(tmp_path):
    net = NN2([5, 4, 3])
    net.save(tmp_path / "net.json")
    record = json.loads((tmp_path / "net.json").read_text())
    record["weights"][0] = np.zeros((4, 6)).tolist()
    (tmp_path / "net.json").write_text(json.dumps(record))
    with pytest.raises(ValueError, match=r"shape \(4, 6\) where \(4, 5\) belongs"):
        NN2.load(tmp_path / "net.json")


def test_every_pairing_trains_without_warnings():
    X, labels = toy_data(m=50)
    for hidden, (cost, output) in itertools.product(HIDDEN, PAIRINGS):
        net = NN2([5, 6, 3], activation=hidden, cost=cost, output_activation=output)
        h = net.stochastic_gradient_descent((X, labels), (X, labels), 3, 10, 0.1, monitoring=True,
                                            progress=False, verbose=False)
        assert h.status == "completed" and all(np.isfinite(h["train_cost"]))


def test_save_works_when_the_cost_is_an_instance(tmp_path):
    """The book's network2.save fails for a cost given as an instance; ours stores the name."""
    net = NN2([5, 4, 3], cost=ch3_code.CrossEntropyCost(), activation=ch3_code.ReLUActivation())
    net.save(tmp_path / "net.json")
    assert NN2.load(tmp_path / "net.json").cost is ch3_code.CrossEntropyCost
    with pytest.raises(FileNotFoundError):
        NN2.load(tmp_path / "missing.json")


@pytest.mark.parametrize("activation", [ch3_code.SigmoidActivation, ch3_code.TanhActivation,
                                        ch3_code.ReLUActivation, ch3_code.LinearActivation])
def test_every_prime_matches_a_finite_difference(activation):
    """f'(z) and f'(z) from a = f(z) against (f(z + h) - f(z - h)) / 2h (ReLU away from its kink)."""
    z = np.concatenate([np.linspace(-6, -0.05, 40), np.linspace(0.05, 6, 40)])
    h = 1e-6
    numeric = (activation.fn(z + h) - activation.fn(z - h)) / (2 * h)
    assert np.allclose(activation.prime(z), numeric, rtol=1e-6, atol=1e-9)
    assert np.allclose(activation.prime_from_output(activation.fn(z)), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("sizes", [784, None, "784", [784], [784, -1], [True, 10]])
def test_layer_sizes_that_are_not_a_list_of_sizes_are_named(sizes):
    with pytest.raises(ValueError, match=r"layer_sizes=.*list of at least two positive integers"):
        NN2(sizes)


@pytest.mark.parametrize("seed", [-1, 1.5, "3", [1, 2], True])
def test_a_bad_rand_seed_is_named(seed):
    with pytest.raises(ValueError, match=r"rand_seed=.*whole number >= 0"):
        NN2([4, 3], rand_seed=seed)


@pytest.mark.parametrize("dtype", ["float16", "int64", "double precision", None])
def test_a_bad_dtype_is_named(dtype):
    with pytest.raises(ValueError, match="dtype=.*'float32' or 'float64'"):
        NN2([4, 3], dtype=dtype)


@pytest.mark.parametrize("a", [3.0, np.zeros((5, 1)), np.zeros((4, 1, 1))])
def test_feedforward_names_the_expected_shape(a):
    with pytest.raises(ValueError, match=r"feedforward\(a\): a has shape .*expected \(4, m\)"):
        NN2([4, 3, 2]).feedforward(a)


def test_cost_gradient_on_empty_data_says_so():
    with pytest.raises(ValueError, match="cost_gradient: data has no examples"):
        NN2([5, 4, 3]).cost_gradient((np.zeros((0, 5)), np.zeros(0, dtype=int)))


def test_regularization_is_checked_by_every_public_method():
    net, data = NN2([5, 4, 3]), toy_data()
    calls = [lambda r: net.total_cost(data, 1.0, regularization=r),
             lambda r: net.cost_gradient(data, 1.0, regularization=r),
             lambda r: net.regularization_cost(1.0, 10, r),
             lambda r: net.accuracy_and_cost(data, 1.0, regularization=r),
             lambda r: net.SGD(data, None, 1, 5, 0.1, 1.0, regularization=r, progress=False,
                               verbose=False)]
    for call in calls:
        with pytest.raises(ValueError, match="regularization='l1' is not known"):
            call("l1")
    assert net.total_cost(data, 1.0, regularization="L1") != net.total_cost(data, 1.0)


def test_float32_by_default_end_to_end():
    """No widening: weights, activations and gradients stay float32 through training."""
    X, labels = toy_data(m=40)
    net = NN2([5, 4, 3])
    assert net.dtype == np.float32 and all(w.dtype == np.float32 for w in net.weights + net.biases)
    X32 = X.astype(np.float32)
    assert np.shares_memory(net.data_arrays((X32, labels))[0], X32)  # no copy of float32 data
    net.SGD((X, labels), (X, labels), 2, 10, 0.5, monitoring=True, dropout=0.2, momentum=0.5,
            lmbda=0.1, progress=False, verbose=False)
    assert all(p.dtype == np.float32 for p in net.weights + net.biases)
    fp = net.forward(X32)
    assert all(a.dtype == np.float32 for a in fp.inputs + fp.hidden + [fp.z, fp.a])
    nabla_b, nabla_w = net.gradient(X32, net.targets(labels))
    assert all(g.dtype == np.float32 for g in nabla_b + nabla_w)


def test_float32_and_float64_agree_to_float32_rounding():
    X, labels = toy_data(m=50)
    runs = [NN2([5, 8, 3], rand_seed=3, dtype=dt) for dt in ("float32", "float64")]
    for net in runs:
        net.SGD((X, labels), None, 3, 10, 0.5, progress=False, verbose=False)
    for p, q in zip(runs[0].weights, runs[1].weights):
        assert np.allclose(p, q, rtol=1e-4, atol=1e-5)


def test_accuracy_and_cost_is_one_pass_giving_both():
    net, data = NN2([5, 4, 3], dtype="float64"), toy_data(m=30)
    acc, cost = net.accuracy_and_cost(data, 0.5, n=100)
    assert acc == net.accuracy(data) and cost == pytest.approx(net.total_cost(data, 0.5, n=100))
    assert net.accuracy_and_cost(data, want_cost=False) == (acc, None)


# ------------------------------------------------------ network2's names, no false friends
from blobs import QUIET, blobs  # noqa: E402  (tests/blobs.py)
from ch3_code import book_backprop  # noqa: E402
from ch3_code.training import update_mini_batch  # noqa: E402


def test_sgd_takes_the_books_call_and_returns_network2s_four_lists():
    train, val = blobs(m=120, seed=1), blobs(m=50, seed=2)
    net = NN2([6, 5, 3], rand_seed=0)
    ec, ea, tc, ta = net.SGD(train, 3, 10, 0.5, lmbda=5.0, evaluation_data=val,
                             monitor_evaluation_accuracy=True, monitor_training_accuracy=True,
                             **QUIET)
    assert ec == [] and tc == [] and len(ea) == len(ta) == 3
    assert all(type(c) is int for c in ea + ta)  # counts of correct examples, as network2's
    assert ea[-1] == net.evaluate(val) and ta[-1] == net.evaluate(train)
    h = net.history
    assert h.config["lmbda"] == 5.0 and h.config["batch_size"] == 10
    assert ea == h.counts("evaluation_accuracy") == [round(a * 50) for a in h["evaluation_accuracy"]]
    same = NN2([6, 5, 3], rand_seed=0).stochastic_gradient_descent(
        train, None, 3, 10, 0.5, lmbda=5.0, evaluation_data=val, **QUIET)
    assert same["evaluation_accuracy"] == h["evaluation_accuracy"]


def test_sgd_in_the_books_order_takes_lmbda_positionally_and_monitors_costs():
    train, val = blobs(m=60, seed=1), blobs(m=30, seed=2)
    net = NN2([6, 5, 3], rand_seed=0)
    ec, ea, tc, ta = net.SGD(train, 2, 10, 0.5, 5.0, val, True, False, True, False, **QUIET)
    assert len(ec) == len(tc) == 2 and ea == ta == []
    assert net.history.config["lmbda"] == 5.0 and ec == net.history["evaluation_cost"]
    net.SGD(train, 50, 10, 0.5, evaluation_data=val, early_stopping_n=2, **QUIET)
    assert net.history.status in ("early-stopped", "completed")


def test_sgd_with_test_data_second_is_still_the_seed_call():
    data = blobs(m=40)
    h = NN2([6, 5, 3], rand_seed=0).SGD(data, None, 2, 10, 0.5, lmbda=5.0, **QUIET)
    assert isinstance(h, ch3_code.History) and h.config["lmbda"] == 5.0 and h["epoch"] == [0, 1]
    h = NN2([6, 5, 3], rand_seed=0).SGD(data, data, 2, 10, 0.5, monitoring=True, **QUIET)
    assert len(h["test_cost"]) == 2


@pytest.mark.parametrize("call", [
    lambda net, d: net.stochastic_gradient_descent(d, 30, 10, 0.5),
    lambda net, d: net.stochastic_gradient_descent(d, 30, 10, 0.5, lmbda=5.0, evaluation_data=d),
    lambda net, d: net.stochastic_gradient_descent(d, 30, 10, 0.5, 5.0),
    lambda net, d: ch3_code.train(net, d, 30, 10, 0.5),
], ids=["four", "keywords", "lmbda-positional", "train"])
def test_network2s_order_given_to_the_seed_method_says_how_the_orders_differ(call):
    with pytest.raises(TypeError, match=r"test_data=30 is a number: this is network2's order") as e:
        call(NN2([6, 5, 3]), blobs(m=20))
    text = str(e.value)
    assert "SGD(training_data, epochs, mini_batch_size, eta" in text
    assert "(training_data, test_data, epochs, batch_size, eta" in text
    assert "net.SGD(training_data, 30, 10, 0.5" in text  # the same numbers, the book's order


def test_missing_arguments_are_named():
    with pytest.raises(TypeError, match="missing eta"):
        NN2([6, 5, 3]).stochastic_gradient_descent(blobs(m=20), None, 3, 10)


def test_num_layers_is_network2s_and_training_adds_no_attribute():
    net = NN2([6, 5, 4, 3])
    assert net.num_layers == 4 and len(net.weights) == net.num_layers - 1
    declared = set(vars(net))
    assert "history" in declared and net.history is None
    h = net.stochastic_gradient_descent(blobs(m=40), None, 1, 10, 0.5, dropout=0.2, **QUIET)
    assert set(vars(net)) == declared and net.history is h


@pytest.mark.parametrize("options", [dict(), dict(lmbda=2.0), dict(lmbda=2.0, momentum=0.5),
                                     dict(lmbda=2.0, regularization="L1", momentum=0.5)],
                         ids=["plain", "L2", "L2-momentum", "L1-momentum"])
def test_update_mini_batch_is_network2s_update_in_row_form(options):
    net = NN2([5, 4, 3], rand_seed=1, dtype="float64")
    X, labels = toy_data(m=6)
    Y = net.targets(labels)
    lmbda, mu = options.get("lmbda", 0.0), options.get("momentum", 0.0)
    reg = options.get("regularization", "L2")
    pairs = [(x.reshape(-1, 1), y.reshape(-1, 1)) for x, y in zip(X, Y)]
    weights, biases, _ = book_backprop.update_mini_batch(net, pairs, 0.5, lmbda, 100, reg, mu)
    velocities = [np.zeros_like(p) for p in net.weights + net.biases] if mu else None
    update_mini_batch(net, X, Y, 0.5, lmbda, 100, reg, 0.0, mu, velocities)
    for ours, book in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_allclose(ours, book, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="mu=0.5 needs velocities"):
        update_mini_batch(net, X, Y, 0.5, 0.0, 100, mu=0.5)
