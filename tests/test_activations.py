"""Tests of ch3_code.activations: values, derivatives, dtypes, numbers, classes of one's own."""
import warnings

import numpy as np
import pytest

import ch3_code
from ch3_code.activations import (ACTIVATIONS, LinearActivation, ReLUActivation,
                                  SigmoidActivation, SoftmaxActivation, TanhActivation,
                                  get_activation)

ELEMENTWISE = [SigmoidActivation, TanhActivation, ReLUActivation, LinearActivation]
REFERENCE = {  # f(z) written the plain way, in float64
    SigmoidActivation: lambda z: 1 / (1 + np.exp(-z)),
    TanhActivation: np.tanh,
    ReLUActivation: lambda z: np.where(z > 0, z, 0.0),
    LinearActivation: lambda z: z,
}


@pytest.fixture
def z():
    """Weighted inputs away from 0, where ReLU has no derivative."""
    z = np.random.default_rng(0).normal(0, 3, size=(7, 5))
    return z[np.abs(z) > 1e-3]


@pytest.mark.parametrize("f", ELEMENTWISE, ids=lambda f: f.name)
def test_values_match_the_plain_formula(f, z):
    np.testing.assert_allclose(f.fn(z), REFERENCE[f](z), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("f", ELEMENTWISE, ids=lambda f: f.name)
def test_prime_matches_a_finite_difference(f, z):
    h = 1e-6
    numeric = (REFERENCE[f](z + h) - REFERENCE[f](z - h)) / (2 * h)
    np.testing.assert_allclose(f.prime(z), numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(f.prime_from_output(f.fn(z)), numeric, rtol=1e-6, atol=1e-9)


def test_relu_derivative_at_zero_is_zero():
    assert ReLUActivation.prime(np.array([0.0]))[0] == 0.0


def test_softmax_rows_sum_to_one_and_ignore_a_shift():
    z = np.random.default_rng(1).normal(size=(4, 6))
    a = SoftmaxActivation.fn(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    np.testing.assert_allclose(SoftmaxActivation.fn(z + 1000.0), a)
    np.testing.assert_allclose(a, np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))


# --- Python numbers, as the seed page's functions took them (issue 15 item 13) -----------

@pytest.mark.parametrize("f", ELEMENTWISE, ids=lambda f: f.name)
@pytest.mark.parametrize("number", [2.0, -1.5, 3])
def test_python_numbers_give_numpy_scalars(f, number):
    for method in (f.fn, f.prime, f.prime_from_output):
        value = method(number)
        assert isinstance(value, np.float64), (method, type(value))
        assert value == pytest.approx(float(method(np.array([float(number)]))[0]))
    assert SigmoidActivation.fn(0.0) == 0.5 and ReLUActivation.prime(2.0) == 1.0


# --- dtypes: float32 in, float32 out ------------------------------------------------------

@pytest.mark.parametrize("f", [*ELEMENTWISE, SoftmaxActivation], ids=lambda f: f.name)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_dtype_is_kept(f, dtype, z):
    z = z.reshape(-1, 1).astype(dtype)
    assert f.fn(z).dtype == dtype
    out = np.empty_like(z)
    assert f.fn(z, out=out) is out and out.dtype == dtype
    if f is not SoftmaxActivation:
        assert f.prime(z).dtype == dtype
        assert f.prime_from_output(f.fn(z)).dtype == dtype
        assert f.prime(dtype(0.5)).dtype == dtype  # a numpy scalar keeps its dtype too


@pytest.mark.parametrize("f", ELEMENTWISE, ids=lambda f: f.name)
def test_integers_are_computed_in_float64(f):
    assert f.fn(np.array([1, -2])).dtype == np.float64


def test_sigmoid_of_very_negative_float32_gives_no_overflow_warning():
    z = np.float32([-100, -1e4, -3.4e38, 100, 0])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        a = SigmoidActivation.fn(z)
        p = SigmoidActivation.prime(z)
    assert a.dtype == np.float32 and np.all(np.isfinite(a)) and np.all(np.isfinite(p))
    assert a[0] == pytest.approx(np.exp(-88.0), rel=1e-3) and a[3] == 1 and a[4] == 0.5
    assert SigmoidActivation.fn(np.float64(-800)) < 1e-300


# --- classes of one's own (issue 15 item 14) ------------------------------------------------

class SeedSigmoid:  # the seed page's class, as a reader would copy it
    @staticmethod
    def fn(z):
        return 1.0 / (1.0 + np.exp(-z))

    @staticmethod
    def prime(z):
        s = SeedSigmoid.fn(z)
        return s * (1 - s)


class SeedReLU:
    @staticmethod
    def fn(z):
        return np.maximum(0, z)

    @staticmethod
    def prime(z):
        return np.where(z > 0, 1.0, 0.0)


class Softsign:  # fn without out=, the derivative from the output, no name
    @staticmethod
    def fn(z):
        return z / (1 + np.abs(z))

    @staticmethod
    def prime_from_output(a):
        return (1 - np.abs(a)) ** 2


def _gradient(activation, dtype="float64"):
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(12, 5)), rng.integers(0, 3, 12)
    net = ch3_code.NN2([5, 4, 4, 3], rand_seed=1, activation=activation, dtype=dtype)
    return net.cost_gradient((X, y))


@pytest.mark.parametrize("own, builtin", [(SeedSigmoid, "sigmoid"), (SeedReLU, "relu")])
def test_seed_style_classes_train_exactly_like_the_builtin_ones(own, builtin):
    for got, want in zip(_gradient(own), _gradient(builtin)):
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    net = ch3_code.NN2([5, 3, 2], activation=own())  # an instance works as well
    assert net.activation.name == own.__name__ and net.activation is get_activation(own)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", SeedSigmoid, SeedReLU])
def test_a_float32_network_computes_its_gradient_in_float32(activation):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nabla_b, nabla_w = _gradient(activation, dtype="float32")
    assert {g.dtype for g in nabla_b + nabla_w} == {np.dtype(np.float32)}


def test_a_class_with_prime_from_output_and_no_name_or_out_works():
    f = get_activation(Softsign)
    assert f.name == "Softsign"
    z = np.array([[-2.0, 0.5]])
    out = np.empty_like(z)
    assert f.fn(z, out=out) is out
    np.testing.assert_allclose(out, [[-2 / 3, 1 / 3]])
    h = 1e-6
    numeric = (Softsign.fn(z + h) - Softsign.fn(z - h)) / (2 * h)
    np.testing.assert_allclose(f.prime_from_output(f.fn(z)), numeric, rtol=1e-6)
    ch3_code.NN2([5, 4, 3], activation=Softsign).cost_gradient(
        (np.ones((2, 5)), np.array([0, 2])))


def test_the_seed_derivative_from_an_unknown_array_is_refused_not_guessed():
    f = get_activation(SeedSigmoid)
    np.testing.assert_allclose(f.prime_from_output(f.fn(np.array([0.0]))), [0.25])
    with pytest.raises(TypeError, match=r"SeedSigmoid.prime_from_output\(a\) needs an a "
                                        "returned by SeedSigmoid.fn"):
        f.prime_from_output(np.array([0.5]))


def test_a_class_without_the_methods_is_refused_clearly():
    class OnlyFn:
        @staticmethod
        def fn(z):
            return z

    with pytest.raises(TypeError, match=r"nor a class with static methods fn\(z\) and prime\(z\)"):
        get_activation(OnlyFn)
    with pytest.raises(ValueError, match="activation='swish' is not known"):
        get_activation("swish")


def test_builtin_classes_and_names_are_returned_as_they_are():
    for name, cls in ACTIVATIONS.items():
        assert get_activation(name) is cls and get_activation(cls) is cls
        assert get_activation(cls()) is cls
