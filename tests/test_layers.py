"""Layers: forward values, backward against central differences, dtypes."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skmlp_numpy._layers import (
    ACTIVATIONS,
    Affine,
    LogisticCrossEntropy,
    PoissonDeviance,
    SoftmaxCrossEntropy,
    SquaredError,
)
from skmlp_numpy._network import numerical_gradient


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_backward_matches_numerical_derivative(name):
    rng = np.random.RandomState(0)
    Z = rng.normal(size=(4, 3))
    Z[np.abs(Z) < 1e-3] = 0.5  # keep ReLU away from its kink
    upstream = rng.normal(size=Z.shape)
    act = ACTIVATIONS[name]()

    def f():
        return float(np.sum(upstream * act.forward(Z.copy())))

    expected = numerical_gradient(f, Z)
    A = act.forward(Z.copy())
    got = act.backward(upstream.copy(), A)
    assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    "name, z, expected",
    [
        ("identity", [-2.0, 0.0, 3.0], [-2.0, 0.0, 3.0]),
        ("relu", [-2.0, 0.0, 3.0], [0.0, 0.0, 3.0]),
        ("tanh", [0.0], [0.0]),
        ("logistic", [0.0, -1000.0, 1000.0], [0.5, 0.0, 1.0]),
    ],
)
def test_activation_forward_values(name, z, expected):
    out = ACTIVATIONS[name]().forward(np.array([z]))
    assert_allclose(out, [expected])


def test_affine_forward_and_backward():
    rng = np.random.RandomState(0)
    X, W, b = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    layer = Affine(W, b, np.empty_like(W), np.empty_like(b))
    Z = layer.forward(X, out=np.empty((5, 2)), cache=True)
    assert_allclose(Z, X @ W + b)
    dZ = rng.normal(size=(5, 2))
    dX = layer.backward(dZ, dX=np.empty_like(X))
    assert_allclose(layer.grads["W"], X.T @ dZ)
    assert_allclose(layer.grads["b"], dZ.sum(axis=0))
    assert_allclose(dX, dZ @ W.T)
    assert layer.backward(dZ) is None  # the first layer needs no input gradient


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_shifted_for_stability(dtype):
    Z = np.array([[1000.0, 1000.0, -1000.0], [-1e4, 0.0, 1e4]], dtype=dtype)
    P = SoftmaxCrossEntropy().forward(Z)
    assert P.dtype == dtype
    assert np.isfinite(P).all()
    assert_allclose(P, [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]], atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_loss_is_finite_for_certain_mistakes(dtype):
    out = SoftmaxCrossEntropy()
    P = out.forward(np.array([[0.0, 800.0]], dtype=dtype))
    loss = out.loss(P.copy(), np.array([0]))
    assert np.isfinite(loss)
    assert out.loss_backward(P, np.array([0])) == loss
    assert loss == pytest.approx(-np.log(np.finfo(dtype).eps), rel=1e-6)


@pytest.mark.parametrize(
    "output, y",
    [
        (SoftmaxCrossEntropy(), np.array([0, 2, 1, 2])),
        (
            LogisticCrossEntropy(),
            np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0], [0, 1]]),
        ),
        (SquaredError(), np.array([[0.5, -1.0], [2.0, 0.0], [-0.3, 1.2], [1, 1]])),
        (SquaredError(), np.array([[0.5], [2.0], [-0.3], [1.0]])),
        (PoissonDeviance(), np.array([[0.0, 3.0], [1.0, 0.0], [2.0, 5.0], [0, 1]])),
    ],
    ids=["softmax", "logistic", "squared-2", "squared-1", "poisson"],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_output_backward_is_gradient_of_mean_loss(output, y, weighted):
    rng = np.random.RandomState(0)
    n_outputs = 3 if y.ndim == 1 else y.shape[1]
    Z = rng.normal(size=(4, n_outputs))
    sw = rng.uniform(0.5, 2, size=4) if weighted else None
    # MLPRegressor's squared error is reported as a mean over outputs but
    # differentiated as their sum (see SquaredError).
    scale = n_outputs if isinstance(output, SquaredError) else 1

    def f():
        return scale * output.loss(output.forward(Z.copy()), y, sw)

    expected = numerical_gradient(f, Z)
    P = output.forward(Z.copy())
    loss = output.loss_backward(P, y, sw)
    assert scale * loss == pytest.approx(f(), rel=1e-12)
    assert_allclose(P, expected, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
def test_regression_losses_equal_mlpregressors(weighted):
    from sklearn.neural_network._base import poisson_loss, squared_loss

    rng = np.random.RandomState(0)
    Y = rng.poisson(2.0, size=(6, 3)).astype(float)
    P = rng.uniform(0.5, 3.0, size=(6, 3))
    sw = rng.uniform(0.5, 2, size=6) if weighted else None
    assert SquaredError().loss(P, Y, sw) == pytest.approx(
        squared_loss(Y, P, sw), rel=1e-12
    )
    assert PoissonDeviance().loss(P, Y, sw) == pytest.approx(
        poisson_loss(Y, P, sw), rel=1e-12
    )
