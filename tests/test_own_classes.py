"""A learner's own cost and activation classes are used as written, on both engines.

The compiled epoch has the built-in formulas written into its loop; a class of the
learner's (a subclass, a class that calls itself "quadratic", network2.py's classes
pasted from the book) must never be swapped for them, and must save and load.
Each check makes the learner's class differ from the built-in one (a delta of zeros, a
counter) so that a run that used the built-in formula would fail it.
"""
import json

import numpy as np
import pytest

import ch3_code
from ch3_code import NN2
from ch3_code.activations import SigmoidActivation
from ch3_code.costs import CrossEntropyCost, QuadraticCost, get_cost
from tests.blobs import QUIET, blobs

pytestmark = pytest.mark.filterwarnings("error")


# --- the book's network2.py, pasted by a learner as the book writes it -------------------------

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


class BookQuadraticCost(object):  # network2.QuadraticCost

    @staticmethod
    def fn(a, y):
        return 0.5 * np.linalg.norm(a - y) ** 2

    @staticmethod
    def delta(z, a, y):
        return (a - y) * sigmoid_prime(z)


class BookCrossEntropyCost(object):  # network2.CrossEntropyCost

    @staticmethod
    def fn(a, y):
        return np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def delta(z, a, y):
        return (a - y)


# --- classes a learner writes ------------------------------------------------------------------

class NoLearningCost(CrossEntropyCost):  # a subclass: inherits the name "cross-entropy"
    @staticmethod
    def delta(z, a, y, activation):
        return np.zeros_like(a)


class MyQuadratic(QuadraticCost):  # unchanged: must train with the quadratic delta
    pass


class NamedQuadratic:  # not a subclass, but calls itself "quadratic"
    name = "quadratic"

    @staticmethod
    def fn(a, y):
        return 0.5 * float(np.sum((a - y) ** 2))

    @staticmethod
    def from_z(z, a, y):
        return NamedQuadratic.fn(a, y)

    @staticmethod
    def delta(z, a, y, activation):
        return np.zeros_like(a)


class BookNoLearning(BookCrossEntropyCost):  # the book's form, counting its calls
    calls = 0

    @staticmethod
    def delta(z, a, y):
        BookNoLearning.calls += 1
        return np.zeros_like(a)


class FrozenHiddenSigmoid(SigmoidActivation):  # f'(z) = 0: the hidden layer cannot learn
    @staticmethod
    def prime_from_output(a):
        return np.zeros_like(a)


class FlatCost(CrossEntropyCost):  # rewrites fn only: from_z, inherited, must not hide it
    @staticmethod
    def fn(a, y):
        return 7.0 * len(a)


class ZeroPrimeSigmoid(SigmoidActivation):  # rewrites prime(z) only: it is the one used
    @staticmethod
    def prime(z):
        return np.zeros_like(z)


def train(cost="cross-entropy", fused=False, lmbda=0.0, epochs=2, activation="sigmoid"):
    """(network before, network after, history) of a short run on a small problem."""
    net = NN2([6, 5, 3], rand_seed=1, cost=cost, activation=activation, dtype="float64")
    before = [p.copy() for p in net.weights + net.biases]
    h = net.stochastic_gradient_descent(blobs(m=40), blobs(m=20, seed=1), epochs, 10, 0.5,
                                        lmbda, fused=fused, **QUIET)
    return before, net, h


def run(fused, **own_class):
    """train() with a learner's class: fused=True warns that it uses NumPy's step instead."""
    if fused:
        with pytest.warns(UserWarning, match="fused=True: the .* your own, .*NumPy's step"):
            return train(fused=fused, **own_class)
    return train(fused=fused, **own_class)


ENGINES = pytest.mark.parametrize("fused", [None, True, False], ids=["default", "fused",
                                                                      "numpy"])


@ENGINES
@pytest.mark.parametrize("cost", [NoLearningCost, NamedQuadratic], ids=["subclass", "renamed"])
def test_a_delta_of_zeros_leaves_the_weights_unchanged_apart_from_weight_decay(fused, cost):
    before, net, h = run(fused, cost=cost, lmbda=1.0)
    assert h.config["fused"] is False          # the compiled epoch cannot call the learner's
    decay = (1 - 0.5 * 1.0 / 40) ** (2 * 4)    # 2 epochs of 4 mini-batches
    for b, a in zip(before[:2], net.weights):
        np.testing.assert_allclose(a, decay * b, rtol=1e-12)
    for b, a in zip(before[2:], net.biases):
        np.testing.assert_array_equal(a, b)


@ENGINES
def test_an_unchanged_subclass_of_the_quadratic_cost_trains_as_the_quadratic_cost(fused):
    _, own, _ = run(fused, cost=MyQuadratic)
    _, builtin, _ = train(cost="quadratic", fused=False)
    for a, b in zip(own.weights + own.biases, builtin.weights + builtin.biases):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@ENGINES
@pytest.mark.parametrize("book, builtin", [(BookCrossEntropyCost, "cross-entropy"),
                                           (BookQuadraticCost, "quadratic")])
def test_the_books_own_cost_classes_train_like_the_builtin_ones(fused, book, builtin):
    _, own, h = run(fused, cost=book)
    _, ref, _ = train(cost=builtin, fused=False)
    for a, b in zip(own.weights + own.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert own.cost.name == book.__name__ and h["test_accuracy"]


@ENGINES
def test_the_books_three_argument_delta_is_the_one_called(fused):
    BookNoLearning.calls = 0
    before, net, _ = run(fused, cost=BookNoLearning)
    assert BookNoLearning.calls == 2 * 4       # once per mini-batch
    for b, a in zip(before, net.weights + net.biases):
        np.testing.assert_array_equal(a, b)


@ENGINES
def test_an_own_hidden_activation_is_used_as_written(fused):
    before, net, h = run(fused, activation=FrozenHiddenSigmoid)
    assert h.config["fused"] is False
    np.testing.assert_array_equal(net.weights[0], before[0])   # no gradient reaches layer 1
    np.testing.assert_array_equal(net.biases[0], before[2])
    assert not np.array_equal(net.weights[1], before[1])        # the output layer learns


@ENGINES
def test_a_rewritten_prime_is_used_not_the_inherited_derivative_from_the_output(fused):
    before, net, _ = run(fused, activation=ZeroPrimeSigmoid)
    np.testing.assert_array_equal(net.weights[0], before[0])
    assert not np.array_equal(net.weights[1], before[1])


def test_a_rewritten_fn_is_the_cost_reported_not_the_inherited_from_z():
    net = NN2([6, 5, 3], cost=FlatCost)
    assert net.total_cost(blobs(m=20)) == 7.0
    h = net.stochastic_gradient_descent(blobs(m=20), None, 1, 10, 0.5, monitoring=True,
                                        **QUIET)
    assert h["train_cost"] == [7.0]


def test_the_builtin_classes_still_use_the_compiled_epoch():
    for cost in ("cross-entropy", CrossEntropyCost, CrossEntropyCost(), "quadratic"):
        assert train(cost=cost, fused=None)[2].config["fused"] is True


def test_a_delta_of_another_form_is_refused_when_the_network_is_made():
    class TwoArguments:
        @staticmethod
        def fn(a, y):
            return 0.0

        @staticmethod
        def delta(a, y):
            return a - y

    class NoStaticmethod:
        def fn(self, a, y):
            return 0.0

        def delta(self, z, a, y):
            return a - y

    with pytest.raises(TypeError, match=r"neither \(z, a, y, activation\) nor network2's"):
        NN2([6, 5, 3], cost=TwoArguments)
    with pytest.raises(TypeError, match="write @staticmethod above 'def fn'"):
        NN2([6, 5, 3], cost=NoStaticmethod)


def test_a_delta_of_the_wrong_shape_is_named():
    class Scalar(BookCrossEntropyCost):
        @staticmethod
        def delta(z, a, y):
            return 0.0

    with pytest.raises(ValueError, match=r"Scalar.delta returned float .*shaped like a"):
        train(cost=Scalar)


# --- saving and loading ------------------------------------------------------------------------

def saved(tmp_path, **kwargs):
    net = NN2([6, 5, 3], rand_seed=2, dtype="float64", **kwargs)
    path = tmp_path / "net.json"
    with pytest.warns(UserWarning, match=r"keeps the names of your own .*not their code; "
                                         r"load it with NN2.load\(path, "):
        net.save(path)
    return net, path


@pytest.mark.parametrize("cost", [NoLearningCost, BookCrossEntropyCost, NamedQuadratic])
def test_a_network_with_its_own_cost_saves_with_a_warning_and_loads_when_given_it(tmp_path,
                                                                                  cost):
    net, path = saved(tmp_path, cost=cost)
    with pytest.raises(ValueError, match=f"own cost {cost.__name__} .*"
                                         rf"NN2.load\(path, cost={cost.__name__}\)"):
        ch3_code.load(path)                    # never the built-in class of the same name
    again = NN2.load(path, cost=cost)
    assert again.cost is get_cost(cost)
    for a, b in zip(again.weights + again.biases, net.weights + net.biases):
        np.testing.assert_array_equal(a, b)
    assert json.loads(path.read_text())["own_classes"]["cost"].endswith(cost.__qualname__)


def test_an_own_activation_is_asked_for_by_name_and_used_for_both_layers(tmp_path):
    class Book:  # seed-style: fn and prime, no output_activations, so both layers use it
        @staticmethod
        def fn(a, y):
            return BookCrossEntropyCost.fn(a, y)

        @staticmethod
        def delta(z, a, y):
            return a - y
    net, path = saved(tmp_path, cost=Book, activation=FrozenHiddenSigmoid)
    with pytest.raises(ValueError, match="activation FrozenHiddenSigmoid"):
        NN2.load(path, cost=Book)
    again = NN2.load(path, cost=Book, activation=FrozenHiddenSigmoid)
    assert again.activation is again.output_activation is FrozenHiddenSigmoid
    x = np.linspace(0, 1, 6).reshape(6, 1)
    np.testing.assert_array_equal(again.feedforward(x), net.feedforward(x))


def test_a_given_builtin_name_must_match_the_file(tmp_path):
    path = tmp_path / "net.json"
    NN2([6, 5, 3]).save(path)
    with pytest.raises(ValueError, match="activation='relu' does not match the 'sigmoid'"):
        NN2.load(path, activation="relu")
    assert NN2.load(path, cost=NoLearningCost).cost is NoLearningCost   # a cost to go on with
