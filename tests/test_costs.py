"""Tests of ch3_code.costs: the output error is the gradient of the cost, dtypes, own classes."""
import warnings

import numpy as np
import pytest

import ch3_code
from ch3_code.activations import (LinearActivation, SigmoidActivation, SoftmaxActivation,
                                  TanhActivation)
from ch3_code.costs import COSTS, CrossEntropyCost, LogLikelihoodCost, QuadraticCost, get_cost

PAIRINGS = [(QuadraticCost, SigmoidActivation), (QuadraticCost, LinearActivation),
            (QuadraticCost, TanhActivation), (CrossEntropyCost, SigmoidActivation),
            (LogLikelihoodCost, SoftmaxActivation)]
IDS = [f"{c.name}-{f.name}" for c, f in PAIRINGS]


def _batch(seed=0, m=4, n=3):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 2, size=(m, n))
    y = np.eye(n)[rng.integers(0, n, m)]
    return z, y


@pytest.mark.parametrize("cost, f", PAIRINGS, ids=IDS)
def test_delta_is_the_gradient_of_the_cost_with_respect_to_z(cost, f):
    """delta^L = dC/dz^L, checked one z at a time by a central difference of from_z and fn."""
    z, y = _batch()
    delta = cost.delta(z, f.fn(z), y, f)
    h = 1e-6
    for C in (lambda z: cost.from_z(z, f.fn(z), y), lambda z: cost.fn(f.fn(z), y)):
        numeric = np.zeros_like(z)
        for index in np.ndindex(z.shape):
            step = np.zeros_like(z)
            step[index] = h
            numeric[index] = (C(z + step) - C(z - step)) / (2 * h)
        np.testing.assert_allclose(delta, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("cost, f", PAIRINGS, ids=IDS)
def test_from_z_and_fn_agree(cost, f):
    z, y = _batch(1)
    assert cost.from_z(z, f.fn(z), y) == pytest.approx(cost.fn(f.fn(z), y), rel=1e-10)


@pytest.mark.parametrize("cost, f", PAIRINGS, ids=IDS)
@pytest.mark.parametrize("y_dtype", [np.float32, np.float64])
def test_float32_outputs_give_a_float32_delta(cost, f, y_dtype):
    z, y = _batch(2)
    z = z.astype(np.float32)
    delta = cost.delta(z, f.fn(z), y.astype(y_dtype), f)
    assert delta.dtype == np.float32
    assert isinstance(cost.fn(f.fn(z), y), float)
    assert isinstance(cost.from_z(z, f.fn(z), y.astype(np.float32)), float)


def test_float32_cross_entropy_of_a_saturated_output_is_finite():
    a = np.float32([[1.0, 0.0]])  # sigmoid outputs that rounded to 1 and 0 in float32
    y = np.float32([[0.0, 1.0]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        cost = CrossEntropyCost.fn(a, y)
    assert np.isfinite(cost) and cost > 2 * 16  # each wrong answer costs -ln(6e-8) ~ 16.6


# --- classes of one's own (issue 15 item 14) ------------------------------------------------

class SeedSigmoidActivation:  # the seed page's own class, which is not ch3_code's
    pass


class SeedCrossEntropyCost:  # the seed page's cost, as a reader would copy it
    @staticmethod
    def fn(a, y):
        return np.sum(np.nan_to_num(- y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def delta(z, a, y, activation):
        if activation == SeedSigmoidActivation:  # False for ch3_code's sigmoid
            return a - y
        return (a - y) / (a * (1 - a)) * activation.prime(z)


class SeedQuadraticCost:
    @staticmethod
    def fn(a, y):
        return np.linalg.norm(a - y) ** 2 / 2

    @staticmethod
    def delta(z, a, y, activation):
        return (a - y) * activation.prime(z)


def _gradient(cost):
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(10, 4)), rng.integers(0, 3, 10)
    net = ch3_code.NN2([4, 5, 3], rand_seed=2, cost=cost, dtype="float64")
    return net, net.cost_gradient((X, y)), (X, y)


@pytest.mark.parametrize("own, builtin", [(SeedCrossEntropyCost, "cross-entropy"),
                                          (SeedQuadraticCost, "quadratic")])
def test_seed_style_costs_train_like_the_builtin_ones(own, builtin):
    net, got, data = _gradient(own)
    ref, want, _ = _gradient(builtin)
    for g_list, w_list in zip(got, want):
        for g, w in zip(g_list, w_list):
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)
    assert net.cost.name == own.__name__ and net.cost is get_cost(own())
    assert net.total_cost(data) == pytest.approx(ref.total_cost(data), rel=1e-9)
    assert own.__name__ in repr(net)


def test_a_cost_without_delta_is_refused_clearly():
    class OnlyFn:
        @staticmethod
        def fn(a, y):
            return 0.0

    with pytest.raises(TypeError, match=r"nor a class with static methods fn\(a, y\) and "
                                        r"delta\(z, a, y, activation\)"):
        get_cost(OnlyFn)
    with pytest.raises(ValueError, match="cost='hinge' is not known"):
        get_cost("hinge")


def test_builtin_costs_and_aliases():
    for name, cls in COSTS.items():
        assert get_cost(name) is cls and get_cost(cls) is cls and get_cost(cls()) is cls
    assert get_cost(" Cross_Entropy ") is CrossEntropyCost and get_cost("mse") is QuadraticCost


@pytest.mark.parametrize("dtype, rel", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_cross_entropy_from_z_with_and_without_the_outputs(dtype, rel):
    # the fast form reads ln(1 + e^-|z|) off a = sigma(z); the other computes it from z;
    # both must give the exact sum of softplus(z) - y z, far into saturation (|z| = 40)
    z = np.linspace(-40, 40, 2001).reshape(-1, 3)[:, :2].astype(dtype)
    y = np.eye(2)[np.arange(len(z)) % 2].astype(dtype)
    z64 = z.astype(np.float64)
    exact = float(np.sum(np.logaddexp(0, z64) - y * z64))
    a = ch3_code.SigmoidActivation.fn(z)
    for outputs in (a, None):
        assert ch3_code.CrossEntropyCost.from_z(z, outputs, y) == pytest.approx(exact, rel=rel)
