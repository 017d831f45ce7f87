"""Layers: forward values, backward against central differences, dtypes."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from scipy.special import erf
from sklearn.metrics import mean_absolute_error, mean_pinball_loss

from skmlp_numpy._layers import (
    ACTIVATIONS,
    AbsoluteError,
    Affine,
    LogisticCrossEntropy,
    PinballLoss,
    PoissonDeviance,
    SoftmaxCrossEntropy,
    SquaredError,
)
from skmlp_numpy._network import numerical_gradient


def _forward(act, Z):
    """The activation of a copy of ``Z``, whichever way the activation works."""
    if act.needs_input:
        return act.forward(Z, out=np.empty_like(Z))
    return act.forward(Z.copy())


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_backward_matches_numerical_derivative(name):
    rng = np.random.RandomState(0)
    Z = 2 * rng.normal(size=(4, 3))
    Z[np.abs(Z) < 1e-3] = 0.5  # keep the ReLUs away from their kink
    upstream = rng.normal(size=Z.shape)
    act = ACTIVATIONS[name]()

    def f():
        return float(np.sum(upstream * _forward(act, Z)))

    expected = numerical_gradient(f, Z)
    A = _forward(act, Z)
    got = act.backward(upstream.copy(), Z.copy() if act.needs_input else A)
    assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    "name, z, expected",
    [
        ("identity", [-2.0, 0.0, 3.0], [-2.0, 0.0, 3.0]),
        ("relu", [-2.0, 0.0, 3.0], [0.0, 0.0, 3.0]),
        ("tanh", [0.0], [0.0]),
        ("logistic", [0.0, -1000.0, 1000.0], [0.5, 0.0, 1.0]),
        ("leaky_relu", [-2.0, 0.0, 3.0], [-0.02, 0.0, 3.0]),
        # z Φ(z): Φ(1) = 0.8413447460685429, Φ(-1) = 1 - Φ(1).
        ("gelu", [-1.0, 0.0, 1.0], [-0.15865525393145707, 0.0, 0.8413447460685429]),
        # z / (1 + exp(-z)): σ(1) = 0.7310585786300049.
        ("silu", [-1.0, 0.0, 1.0], [-0.2689414213699951, 0.0, 0.7310585786300049]),
    ],
)
def test_activation_forward_values(name, z, expected):
    out = _forward(ACTIVATIONS[name](), np.array([z]))
    assert_allclose(out, [expected], rtol=1e-15)


# PyTorch's definitions, written out without it.
REFERENCE_ACTIVATIONS = {
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "gelu": lambda z: z * 0.5 * (1 + erf(z / np.sqrt(2))),
    "silu": lambda z: z / (1 + np.exp(-z)),
}


@pytest.mark.parametrize("name", sorted(REFERENCE_ACTIVATIONS))
def test_activation_equals_pytorchs_definition(name):
    z = np.linspace(-30, 30, 1201).reshape(-1, 1)
    assert_allclose(
        _forward(ACTIVATIONS[name](), z),
        REFERENCE_ACTIVATIONS[name](z),
        rtol=1e-13,
        atol=1e-15,  # the left tail of 1 + erf, which cancels
    )


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_keeps_float32(name):
    rng = np.random.RandomState(0)
    Z = rng.normal(size=(5, 4))
    act = ACTIVATIONS[name]()
    A = _forward(act, Z.astype(np.float32))
    dZ = act.backward(
        np.ones_like(A), Z.astype(np.float32) if act.needs_input else A.copy()
    )
    assert A.dtype == np.float32 and dZ.dtype == np.float32
    # As accurate as float32 allows: no step lost precision on the way.
    A64 = _forward(act, Z)
    dZ64 = act.backward(np.ones_like(A64), Z if act.needs_input else A64)
    assert_allclose(A, A64, rtol=1e-6, atol=1e-7)
    assert_allclose(dZ, dZ64, rtol=1e-6, atol=1e-7)


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


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_array])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_affine_multiplies_sparse_rows_as_they_are(container, dtype):
    rng = np.random.RandomState(0)
    # Columns 1 and 4 are zero in every row: their rows of dW must be zeroed,
    # whatever dW held before.
    X = rng.normal(size=(6, 5)) * (rng.rand(6, 5) < 0.5) * [1, 0, 1, 1, 0]
    X = X.astype(dtype)
    W, b = rng.normal(size=(5, 3)).astype(dtype), rng.normal(size=3).astype(dtype)
    layer = Affine(W, b, np.full_like(W, np.nan), np.empty_like(b))
    Z = layer.forward(container(X), cache=True)
    assert Z.dtype == dtype
    assert_allclose(Z, X @ W + b, rtol=1e-5)
    dZ = rng.normal(size=(6, 3)).astype(dtype)
    layer.backward(dZ)
    assert layer.grads["W"].dtype == dtype
    assert_allclose(layer.grads["W"], X.T @ dZ, rtol=1e-5, atol=1e-6)
    assert_array_equal(layer.grads["W"][[1, 4]], 0)
    assert_allclose(layer.grads["b"], dZ.sum(axis=0), rtol=1e-5)


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
        (SoftmaxCrossEntropy(label_smoothing=0.2), np.array([0, 2, 1, 2])),
        (
            LogisticCrossEntropy(label_smoothing=0.2),
            np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0], [0, 1]]),
        ),
        (SquaredError(), np.array([[0.5, -1.0], [2.0, 0.0], [-0.3, 1.2], [1, 1]])),
        (SquaredError(), np.array([[0.5], [2.0], [-0.3], [1.0]])),
        (PoissonDeviance(), np.array([[0.0, 3.0], [1.0, 0.0], [2.0, 5.0], [0, 1]])),
        # Targets away from the logits: the central differences stay on one
        # side of the kinks.
        (AbsoluteError(), np.array([[0.5, -1.0], [2.0, 0.0], [-0.3, 1.2], [1, 1]])),
        (AbsoluteError(), np.array([[0.5], [2.0], [-0.3], [1.0]])),
        (PinballLoss(0.8), np.array([[0.5, -1.0], [2.0, 0.0], [-0.3, 1.2], [1, 1]])),
        (PinballLoss(0.3), np.array([[0.5], [2.0], [-0.3], [1.0]])),
    ],
    ids=[
        "softmax",
        "logistic",
        "softmax-smoothed",
        "logistic-smoothed",
        "squared-2",
        "squared-1",
        "poisson",
        "absolute-2",
        "absolute-1",
        "pinball-2",
        "pinball-1",
    ],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_output_backward_is_gradient_of_mean_loss(output, y, weighted):
    rng = np.random.RandomState(0)
    n_outputs = 3 if y.ndim == 1 else y.shape[1]
    Z = rng.normal(size=(4, n_outputs))
    sw = rng.uniform(0.5, 2, size=4) if weighted else None
    # MLPRegressor's squared error is reported as a mean over outputs but
    # differentiated as their sum (see SquaredError); the absolute error and
    # the pinball loss follow it.
    per_output = (SquaredError, AbsoluteError, PinballLoss)
    scale = n_outputs if isinstance(output, per_output) else 1
    if isinstance(output, (AbsoluteError, PinballLoss)):
        assert np.abs(Z - y).min() > 1e-3  # no kink within the differences' step

    def f():
        return scale * output.loss(output.forward(Z.copy()), y, sw)

    expected = numerical_gradient(f, Z)
    P = output.forward(Z.copy())
    loss = output.loss_backward(P, y, sw)
    assert scale * loss == pytest.approx(f(), rel=1e-12)
    assert_allclose(P, expected, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_smoothed_softmax_cross_entropy_is_the_cross_entropy_of_mixed_targets(
    weighted, dtype
):
    rng = np.random.RandomState(0)
    Z, y = rng.normal(size=(5, 4)).astype(dtype), np.array([0, 3, 1, 3, 2])
    sw = rng.uniform(0.5, 2, size=5) if weighted else None
    e = 0.1
    out = SoftmaxCrossEntropy(label_smoothing=e)
    P = out.forward(Z.copy())
    Y = np.full((5, 4), e / 4)
    Y[np.arange(5), y] += 1 - e
    expected = np.average(-(Y * np.log(P)).sum(axis=1), weights=sw)
    assert out.loss(P.copy(), y, sw) == pytest.approx(expected, rel=1e-6)
    grad = P.copy()
    loss = out.loss_backward(grad, y, sw)
    assert loss == pytest.approx(expected, rel=1e-6)
    rows = np.full(5, 1 / 5) if sw is None else sw / sw.sum()
    assert_allclose(grad, (P - Y) * rows[:, np.newaxis], rtol=1e-5, atol=1e-7)
    assert grad.dtype == dtype


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_smoothed_logistic_cross_entropy_is_the_cross_entropy_of_mixed_targets(
    weighted, dtype
):
    rng = np.random.RandomState(0)
    Z = rng.normal(size=(5, 3)).astype(dtype)
    Y = (rng.uniform(size=(5, 3)) > 0.5).astype(dtype)
    sw = rng.uniform(0.5, 2, size=5) if weighted else None
    e = 0.1
    out = LogisticCrossEntropy(label_smoothing=e)
    P = out.forward(Z.copy())
    Q = (1 - e) * Y + e / 2
    per_sample = -(Q * np.log(P) + (1 - Q) * np.log(1 - P)).sum(axis=1)
    expected = np.average(per_sample, weights=sw)
    assert out.loss(P.copy(), Y, sw) == pytest.approx(expected, rel=1e-6)
    grad = P.copy()
    assert out.loss_backward(grad, Y, sw) == pytest.approx(expected, rel=1e-6)
    rows = np.full(5, 1 / 5) if sw is None else sw / sw.sum()
    assert_allclose(grad, (P - Q) * rows[:, np.newaxis], rtol=1e-5, atol=1e-7)
    assert grad.dtype == dtype


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("quantile", [0.1, 0.5, 0.9])
def test_piecewise_linear_losses_equal_sklearns_metrics(n_outputs, weighted, quantile):
    rng = np.random.RandomState(0)
    Y = rng.normal(size=(8, n_outputs))
    P = rng.normal(size=(8, n_outputs))
    P[::3] = Y[::3]  # exact predictions: the kinks
    sw = rng.uniform(0.5, 2, size=8) if weighted else None
    expected = {
        AbsoluteError(): mean_absolute_error(Y, P, sample_weight=sw),
        PinballLoss(quantile): mean_pinball_loss(
            Y, P, sample_weight=sw, alpha=quantile
        ),
    }
    for output, metric in expected.items():
        assert output.loss(P, Y, sw) == pytest.approx(metric, rel=1e-12)
        assert output.loss_backward(P.copy(), Y, sw) == pytest.approx(metric, rel=1e-12)


@pytest.mark.parametrize("quantile", [0.25, 0.5])
def test_subgradients_of_the_piecewise_linear_losses(quantile):
    Y = np.array([[1.0], [1.0], [1.0], [1.0]])
    P = np.array([[3.0], [-2.0], [1.0], [1.0]])  # above, below, exact, exact
    absolute = AbsoluteError()
    D = P.copy()
    absolute.loss_backward(D, Y)
    assert_array_equal(D, [[0.25], [-0.25], [0.0], [0.0]])  # sign(p - y) / n
    D = P.copy()
    PinballLoss(quantile).loss_backward(D, Y)
    # 1 - q above, -q below, the midpoint 1/2 - q at an exact prediction.
    expected = [[1 - quantile], [-quantile], [0.5 - quantile], [0.5 - quantile]]
    assert_allclose(D, np.array(expected) / 4, rtol=1e-15)


@pytest.mark.parametrize(
    "output", [AbsoluteError(), PinballLoss(0.3), PinballLoss(np.float64(0.7))]
)
def test_piecewise_linear_losses_keep_float32(output):
    rng = np.random.RandomState(0)
    Y = rng.normal(size=(6, 2))
    Z = rng.normal(size=(6, 2))
    sw = rng.uniform(0.5, 2, size=6)
    P = output.forward(Z.astype(np.float32))
    loss = output.loss_backward(P, Y.astype(np.float32), sw.astype(np.float32))
    assert P.dtype == np.float32
    assert isinstance(loss, float)
    P64 = Z.copy()
    assert loss == pytest.approx(output.loss_backward(P64, Y, sw), rel=1e-6)
    assert_allclose(P, P64, rtol=1e-6)


def _half_squared_error(Y, P, sw=None):
    """MLPRegressor's squared loss: half the squared error, averaged over the
    samples (weighted) and over the outputs."""
    return 0.5 * np.average((Y - P) ** 2, weights=sw, axis=0).mean()


def _half_poisson_deviance(Y, P, sw=None):
    """MLPRegressor's Poisson loss: half the Poisson deviance, averaged over the
    samples (weighted) and summed over the outputs."""
    from scipy.special import xlogy  # y log(y / p), 0 where y == 0

    return np.average(xlogy(Y, Y / P) - Y + P, weights=sw, axis=0).sum()


def _regression_case(weighted):
    rng = np.random.RandomState(0)
    Y = rng.poisson(2.0, size=(6, 3)).astype(float)  # zeros included
    P = rng.uniform(0.5, 3.0, size=(6, 3))
    sw = rng.uniform(0.5, 2, size=6) if weighted else None
    return Y, P, sw


@pytest.mark.parametrize("weighted", [False, True])
def test_regression_losses_equal_mlpregressors(weighted):
    Y, P, sw = _regression_case(weighted)
    assert SquaredError().loss(P, Y, sw) == pytest.approx(
        _half_squared_error(Y, P, sw), rel=1e-12
    )
    assert PoissonDeviance().loss(P, Y, sw) == pytest.approx(
        _half_poisson_deviance(Y, P, sw), rel=1e-12
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_poisson_loss_of_a_mean_that_underflows_to_zero(dtype):
    # exp of a logit below -103 (float32) or -745 (float64) is 0: a zero
    # target is then predicted exactly (loss 0, not 0/0), a positive one
    # infinitely badly.
    Z = np.array([[-800.0], [-800.0], [0.5]], dtype=dtype)
    Y = np.array([[0.0], [2.0], [1.0]], dtype=dtype)
    loss = PoissonDeviance()
    P = loss.forward(Z.copy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert loss.loss(P[:1], Y[:1]) == 0.0
        assert loss.loss(P[1:2], Y[1:2]) == np.inf
        assert loss.loss(P[2:], Y[2:]) == pytest.approx(np.exp(0.5) - 1 - 0.5, rel=1e-6)


def test_poisson_loss_keeps_its_digits_on_large_close_counts():
    # y log y - y log p would cancel: y log(y / p) where p is not 0.
    Y = np.array([[100_000.0], [250_000.0]])
    P = Y * (1 + 1e-6)
    assert PoissonDeviance().loss(P, Y) == pytest.approx(
        _half_poisson_deviance(Y, P), rel=1e-12
    )


@pytest.mark.parametrize("weighted", [False, True])
def test_reference_losses_are_scikit_learns(weighted):
    """The formulas above are MLPRegressor's own loss functions (private names,
    with these signatures only in scikit-learn >= 1.7)."""
    import sklearn

    if tuple(int(part) for part in sklearn.__version__.split(".")[:2]) < (1, 7):
        pytest.skip(
            "scikit-learn < 1.7 has no poisson_loss, nor sample weights in "
            "squared_loss, to compare the reference formulas with"
        )
    from sklearn.neural_network._base import poisson_loss, squared_loss

    Y, P, sw = _regression_case(weighted)
    assert _half_squared_error(Y, P, sw) == pytest.approx(
        squared_loss(Y, P, sw), rel=1e-12
    )
    assert _half_poisson_deviance(Y, P, sw) == pytest.approx(
        poisson_loss(Y, P, sw), rel=1e-12
    )
