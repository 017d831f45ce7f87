"""The network: backpropagation against central differences, dtypes, buffers."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skmlp_numpy._blockwise import BLOCK
from skmlp_numpy._layers import ACTIVATIONS, AbsoluteError, PinballLoss
from skmlp_numpy._network import _HE_GAINS, TwoLayerNet, numerical_gradient


def _problem(output, n_samples=7, n_features=5, n_outputs=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    if output == "softmax":
        y = rng.randint(0, n_outputs, size=n_samples)
    elif output == "identity":
        y = rng.normal(size=(n_samples, n_outputs))
    elif output == "exp":
        y = rng.poisson(1.5, size=(n_samples, n_outputs)).astype(np.float64)
    else:
        y = rng.randint(0, 2, size=(n_samples, n_outputs)).astype(np.float64)
    return X, y


def _differentiated_loss(net, X, y, sw, alpha, output):
    """The loss whose gradient backprop computes.

    MLPRegressor reports the squared error averaged over the outputs, but
    differentiates it summed over them; the other losses are differentiated
    as reported.
    """
    data = net.loss_grad(X, y, sw, 0.0)
    if output == "identity":
        data *= y.shape[1]
    n = X.shape[0] if sw is None else sw.sum()
    W = net.params[: net._n_coefs]
    return data + 0.5 * alpha * float(W @ W) / n


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("output", ["softmax", "logistic", "identity", "exp"])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_backprop_matches_numerical_gradient(activation, output, alpha, weighted):
    X, y = _problem(output)
    rng = np.random.RandomState(1)
    net = TwoLayerNet.initialize(5, 4, 3, activation, output, rng, np.float64)
    sw = rng.uniform(0.2, 3.0, size=X.shape[0]) if weighted else None

    net.loss_grad(X, y, sw, alpha)
    backprop = net.grads.copy()
    numerical = numerical_gradient(
        lambda: _differentiated_loss(net, X, y, sw, alpha, output), net.params
    )

    # Every parameter (W1, W2, b1, b2) is compared, by relative error; below
    # 1e-3 the central difference's own rounding (about 1e-10 here) dominates,
    # so components that small are held to 1e-9 absolute instead.
    rel_error = np.abs(backprop - numerical) / np.maximum(
        np.abs(backprop) + np.abs(numerical), 1e-3
    )
    assert rel_error.max() < 1e-6


@pytest.mark.parametrize("activation", ["relu", "gelu", "silu", "leaky_relu"])
@pytest.mark.parametrize(
    "output", [AbsoluteError, lambda: PinballLoss(0.8)], ids=["absolute", "pinball"]
)
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_backprop_matches_numerical_gradient_of_piecewise_linear_losses(
    activation, output, n_outputs, weighted
):
    X, y = _problem("identity", n_outputs=n_outputs)
    rng = np.random.RandomState(1)
    net = TwoLayerNet.initialize(5, 4, n_outputs, activation, output(), rng, float)
    sw = rng.uniform(0.2, 3.0, size=X.shape[0]) if weighted else None
    # Predictions away from the targets: no kink within the differences' step.
    assert np.abs(net.forward(X) - y).min() > 1e-3

    net.loss_grad(X, y, sw, alpha=0.3)
    backprop = net.grads.copy()

    def loss():
        # Differentiated as the sum over outputs, like the squared error.
        W = net.params[: net._n_coefs]
        n = X.shape[0] if sw is None else sw.sum()
        return n_outputs * net.loss_grad(X, y, sw) + 0.15 * float(W @ W) / n

    numerical = numerical_gradient(loss, net.params)
    assert_allclose(backprop, numerical, rtol=1e-6, atol=1e-9)


def test_initialization_follows_glorot_uniform():
    rng = np.random.RandomState(0)
    net = TwoLayerNet.initialize(30, 20, 10, "relu", "softmax", rng, np.float64)
    W1, W2 = net.coefs
    assert np.abs(W1).max() <= np.sqrt(6 / 50)
    assert np.abs(W2).max() <= np.sqrt(6 / 30)
    assert np.abs(W1).max() > 0.9 * np.sqrt(6 / 50)
    logistic = TwoLayerNet.initialize(
        30, 20, 10, "logistic", "softmax", np.random.RandomState(0), np.float64
    )
    assert_allclose(logistic.coefs[0], W1 * np.sqrt(2 / 6))


@pytest.mark.parametrize("activation", sorted(_HE_GAINS))
def test_relu_like_activations_start_he_uniform(activation):
    glorot = TwoLayerNet.initialize(
        30, 20, 10, "relu", "softmax", np.random.RandomState(0), np.float64
    )
    he = TwoLayerNet.initialize(
        30, 20, 10, activation, "softmax", np.random.RandomState(0), np.float64
    )
    # The same draws: the hidden layer's scaled to He's bound, the output
    # layer's unchanged.
    he_bound = _HE_GAINS[activation] * np.sqrt(3 / 30)
    scale = he_bound / np.sqrt(6 / 50)
    assert_allclose(he.coefs[0], glorot.coefs[0] * scale, rtol=1e-12)
    assert_allclose(he.intercepts[0], glorot.intercepts[0] * scale, rtol=1e-12)
    assert_array_equal(he.coefs[1], glorot.coefs[1])
    assert_array_equal(he.intercepts[1], glorot.intercepts[1])
    assert np.abs(he.coefs[0]).max() <= he_bound
    assert _HE_GAINS[activation] == pytest.approx(
        np.sqrt(2 / (1 + 0.01**2)) if activation == "leaky_relu" else np.sqrt(2)
    )


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("output", ["softmax", "identity", AbsoluteError])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_flows_through_every_buffer(activation, output, dtype):
    X, y = _problem("identity" if output is AbsoluteError else output)
    X = X.astype(dtype)
    net = TwoLayerNet.initialize(
        5,
        4,
        3,
        activation,
        output() if callable(output) else output,
        np.random.RandomState(0),
        dtype,
    )
    loss = net.loss_grad(X, y, alpha=0.1)
    assert isinstance(loss, float)
    assert net.params.dtype == dtype
    assert net.grads.dtype == dtype
    assert net.forward(X).dtype == dtype
    kept = {"Z"} if net.activation.needs_input else set()
    assert set(net._work) == {"H", "dH", "P", "penalty"} | kept
    assert all(a.dtype == dtype for a in net._work.values())


def test_the_penalty_of_many_weights_adds_alpha_over_n_times_w_exactly():
    # Added a block at a time, not as a copy of the weights: the same
    # numbers as the whole expression, on weights of several blocks.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 1500))
    y = rng.randint(0, 3, size=20)
    net = TwoLayerNet.initialize(1500, 100, 3, "relu", "softmax", rng, float)
    assert net._n_coefs > 2 * BLOCK
    net.loss_grad(X, y)
    unpenalized = net.grads.copy()
    net.loss_grad(X, y, alpha=0.3)
    W = net.params[: net._n_coefs]
    assert_array_equal(net.grads[: net._n_coefs], unpenalized[: W.size] + 0.3 / 20 * W)
    assert_array_equal(net.grads[W.size :], unpenalized[W.size :])


def test_parameters_are_views_of_one_vector():
    net = TwoLayerNet.initialize(
        5, 4, 3, "relu", "softmax", np.random.RandomState(0), float
    )
    net.params[:] = 0.0
    assert all(not c.any() for c in net.coefs + net.intercepts)
    assert net.params.size == 5 * 4 + 4 * 3 + 4 + 3


@pytest.mark.parametrize("activation", ["tanh", "silu"])
def test_forward_is_the_same_for_training_and_prediction(activation):
    X, y = _problem("softmax")
    net = TwoLayerNet.initialize(
        5, 4, 3, activation, "softmax", np.random.RandomState(0), float
    )
    train = net.forward(X, training=True).copy()
    assert_array_equal(net.forward(X), train)
    assert_allclose(train.sum(axis=1), 1.0)


def test_dropout_masks_training_only():
    X, y = _problem("softmax", n_samples=50)
    coefs = [np.ones((5, 4)), np.ones((4, 3))]
    intercepts = [np.zeros(4), np.zeros(3)]
    net = TwoLayerNet(coefs, intercepts, "identity", "softmax", dropout=0.5)
    plain = TwoLayerNet(coefs, intercepts, "identity", "softmax")
    assert_array_equal(net.forward(X), plain.forward(X))
    rng = np.random.RandomState(0)
    net.forward(X, training=True, random_state=rng)
    mask = net._work["mask"][:50]
    assert set(np.unique(mask)) == {0.0, 2.0}  # inverted dropout: kept units x2


@pytest.mark.parametrize("activation", ["logistic", "gelu"])
def test_dropout_gradient_matches_numerical_gradient_for_a_fixed_mask(activation):
    X, y = _problem("softmax")
    net = TwoLayerNet.initialize(
        5, 4, 3, activation, "softmax", np.random.RandomState(0), float
    )
    net.dropout = 0.3

    def loss():
        # The same seed gives the same mask at every evaluation.
        return net.loss_grad(X, y, random_state=np.random.RandomState(5))

    loss()
    backprop = net.grads.copy()
    assert_allclose(
        backprop, numerical_gradient(loss, net.params), rtol=1e-6, atol=1e-9
    )


def test_prediction_allocates_no_training_buffers():
    X, _ = _problem("softmax")
    net = TwoLayerNet.initialize(
        5, 4, 3, "relu", "softmax", np.random.RandomState(0), float
    )
    net.dropout = 0.5
    net.forward(X)
    assert set(net._work) == {"H", "P"}
