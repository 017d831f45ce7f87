"""Number-for-number parity with scikit-learn's MLPClassifier and MLPRegressor.

Both estimators draw their initial weights from the same RandomState in the
same order, so the same ``random_state`` starts them from the same weights
(checked first); from there, with ``shuffle=False`` and float64, their loss
curves must agree to a relative 1e-6 for every solver and schedule.
"""

import inspect
import warnings
from unittest import mock

import numpy as np
import pytest
import scipy.optimize
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skmlp_numpy import TwoLayerNetClassifier, TwoLayerNetRegressor

# scikit-learn 1.7 added both: weighted fits, and MLPRegressor's loss (the
# squared error, its only loss before, or "poisson").
MLP_HAS_SAMPLE_WEIGHT = (
    "sample_weight" in inspect.signature(MLPClassifier.fit).parameters
)
MLPREGRESSOR_HAS_LOSS = "loss" in inspect.signature(MLPRegressor).parameters


def _data(kind, n_samples=90, n_features=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    W = rng.normal(size=(n_features, 3))
    scores = X @ W + rng.normal(scale=0.5, size=(n_samples, 3))
    if kind == "binary":
        y = (scores[:, 0] > 0).astype(int)
    elif kind == "multiclass":
        y = scores.argmax(axis=1)
    else:
        y = (scores > 0).astype(int)
    return X, y


def _fit_both(params, X, y, sample_weight=None, pair=None):
    """Fit ours and scikit-learn's twin (the classifiers by default) alike."""
    Ours, Theirs = pair or (TwoLayerNetClassifier, MLPClassifier)
    ours = Ours(hidden_size=params.pop("hidden_size", 8), **params)
    theirs = Theirs(hidden_layer_sizes=(ours.hidden_size,), **params)
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, y, **kwargs)
        theirs.fit(X, y, **kwargs)
    return ours, theirs


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
def test_same_random_state_gives_the_same_initial_weights(activation):
    X, y = _data("multiclass")
    # A learning rate of 1e-300 moves no weight by even one ulp: after the
    # epoch, coefs_ are still the initial weights.
    params = dict(
        activation=activation,
        solver="sgd",
        learning_rate_init=1e-300,
        momentum=0.0,
        max_iter=1,
        random_state=7,
    )
    ours, theirs = _fit_both(params, X, y)
    for a, b in zip(
        ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True
    ):
        assert_array_equal(a, b)


SOLVERS = {
    "sgd": dict(solver="sgd", momentum=0.0, learning_rate_init=0.05),
    "sgd-momentum": dict(
        solver="sgd", momentum=0.9, nesterovs_momentum=False, learning_rate_init=0.01
    ),
    "sgd-nesterov": dict(
        solver="sgd", momentum=0.9, nesterovs_momentum=True, learning_rate_init=0.01
    ),
    "sgd-invscaling": dict(
        solver="sgd", learning_rate="invscaling", learning_rate_init=0.5, power_t=0.3
    ),
    # A large tol makes the adaptive schedule cut the rate several times.
    "sgd-adaptive": dict(
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.05,
        tol=0.05,
        n_iter_no_change=2,
    ),
    "adam": dict(solver="adam", learning_rate_init=0.01),
}


@pytest.mark.parametrize("solver", sorted(SOLVERS))
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("weighted", [False, True])
def test_loss_curve_matches_mlpclassifier(solver, kind, weighted):
    if weighted and not MLP_HAS_SAMPLE_WEIGHT:
        pytest.skip(
            "this scikit-learn's MLPClassifier.fit takes no sample_weight (>= 1.7)"
        )
    X, y = _data(kind)
    sw = np.random.RandomState(1).uniform(0.1, 3.0, size=len(y)) if weighted else None
    params = dict(
        SOLVERS[solver],
        shuffle=False,
        batch_size=16,
        max_iter=25,
        alpha=1e-3,
        random_state=0,
    )
    ours, theirs = _fit_both(params, X, y, sw)
    assert len(ours.loss_curve_) == len(theirs.loss_curve_)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    assert_allclose(
        ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-6, atol=1e-9
    )
    assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_shuffled_fits_match_too(solver):
    X, y = _data("multiclass")
    params = dict(
        solver=solver, shuffle=True, batch_size=20, max_iter=10, random_state=3
    )
    ours, theirs = _fit_both(params, X, y)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("weighted", [False, True])
def test_lbfgs_reaches_the_same_loss(kind, weighted):
    if weighted and not MLP_HAS_SAMPLE_WEIGHT:
        pytest.skip(
            "this scikit-learn's MLPClassifier.fit takes no sample_weight (>= 1.7)"
        )
    X, y = _data(kind)
    sw = np.random.RandomState(1).uniform(0.1, 3.0, size=len(y)) if weighted else None
    params = dict(solver="lbfgs", max_iter=60, alpha=1e-2, random_state=0)
    ours, theirs = _fit_both(params, X, y, sw)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    assert ours.n_iter_ == theirs.n_iter_


# ---------------------------------------------------------------- regression


def _regression_data(n_outputs, loss, n_samples=90, n_features=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    W = rng.normal(scale=0.3, size=(n_features, n_outputs))
    scores = X @ W
    if loss == "poisson":
        y = rng.poisson(np.exp(scores)).astype(np.float64)
    else:
        y = scores + rng.normal(scale=0.3, size=scores.shape)
    return X, (y[:, 0] if n_outputs == 1 else y)


def _fit_both_regressors(params, X, y, sample_weight=None):
    """Fit ours and MLPRegressor alike; skip what this MLPRegressor cannot do."""
    if not MLPREGRESSOR_HAS_LOSS:
        if params.get("loss", "squared_error") != "squared_error":
            pytest.skip(
                f"this scikit-learn's MLPRegressor has no loss={params['loss']!r} "
                "(>= 1.7)"
            )
        params = {key: value for key, value in params.items() if key != "loss"}
    if sample_weight is not None and not MLP_HAS_SAMPLE_WEIGHT:
        pytest.skip(
            "this scikit-learn's MLPRegressor.fit takes no sample_weight (>= 1.7)"
        )
    return _fit_both(params, X, y, sample_weight, (TwoLayerNetRegressor, MLPRegressor))


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_starts_from_mlpregressors_initial_weights(loss):
    X, y = _regression_data(2, loss)
    params = dict(
        loss=loss, solver="sgd", learning_rate_init=1e-300, momentum=0.0, max_iter=1
    )
    ours, theirs = _fit_both_regressors(dict(params, random_state=7), X, y)
    for a, b in zip(
        ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True
    ):
        assert_array_equal(a, b)


@pytest.mark.parametrize("solver", sorted(SOLVERS))
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("weighted", [False, True])
def test_regressor_loss_curve_matches_mlpregressor(solver, n_outputs, loss, weighted):
    X, y = _regression_data(n_outputs, loss)
    sw = np.random.RandomState(1).uniform(0.1, 3.0, size=len(y)) if weighted else None
    params = dict(
        SOLVERS[solver],
        loss=loss,
        shuffle=False,
        batch_size=16,
        max_iter=25,
        alpha=1e-3,
        random_state=0,
    )
    if params["learning_rate_init"] > 0.05:  # the invscaling start: too hot here
        params["learning_rate_init"] = 0.05
    ours, theirs = _fit_both_regressors(params, X, y, sw)
    assert len(ours.loss_curve_) == len(theirs.loss_curve_)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6, atol=1e-9)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_


@pytest.mark.parametrize(
    "n_outputs, loss", [(1, "squared_error"), (1, "poisson"), (3, "poisson")]
)
@pytest.mark.parametrize("weighted", [False, True])
def test_regressor_lbfgs_matches_mlpregressor(n_outputs, loss, weighted):
    # Not with several outputs of the squared error: MLPRegressor gives L-BFGS
    # a loss n_outputs times smaller than its gradient's function
    # (scikit-learn#8349); here L-BFGS gets the function of its gradient
    # (test_lbfgs_loss_is_the_function_of_its_gradient).
    X, y = _regression_data(n_outputs, loss)
    sw = np.random.RandomState(1).uniform(0.1, 3.0, size=len(y)) if weighted else None
    params = dict(solver="lbfgs", loss=loss, max_iter=60, alpha=1e-2, random_state=0)
    ours, theirs = _fit_both_regressors(params, X, y, sw)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    assert ours.n_iter_ == theirs.n_iter_
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("n_outputs", [1, 2, 5])
@pytest.mark.parametrize(
    "loss", ["squared_error", "poisson", "absolute_error", "quantile"]
)
@pytest.mark.parametrize("n_members", [1, 2])
def test_lbfgs_loss_is_the_function_of_its_gradient(n_outputs, loss, n_members):
    # L-BFGS judges its steps by the loss and takes them along the gradient:
    # the two must describe one function. With several outputs, the squared
    # error (MLPRegressor's, mean over outputs), the absolute error and the
    # pinball loss gave it a loss n_outputs times too small (scikit-learn#8349).
    X, y = _regression_data(n_outputs, loss, n_samples=40)
    reg = TwoLayerNetRegressor(
        hidden_size=4,
        loss=loss,
        quantile=0.8 if loss == "quantile" else None,
        n_members=n_members,
        alpha=0.5,
        random_state=0,
    )
    seen = {}
    real = scipy.optimize.minimize

    def minimize(fun, x0, **kwargs):
        seen["fun"], seen["x0"] = fun, x0.copy()
        return real(fun, x0, **{**kwargs, "options": {"maxiter": 1}})

    with mock.patch.object(scipy.optimize, "minimize", minimize):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            reg.set_params(solver="lbfgs").fit(X, y)
    fun, theta = seen["fun"], seen["x0"]
    _, grad = fun(theta.copy())
    grad = grad.copy()
    direction = np.random.RandomState(1).normal(size=theta.shape)
    step = 1e-6
    numerical = (
        fun(theta + step * direction)[0] - fun(theta - step * direction)[0]
    ) / (2 * step)
    assert numerical == pytest.approx(grad @ direction, rel=1e-5)


def test_lbfgs_records_mlpregressors_loss_with_several_outputs():
    # What L-BFGS minimises is the sum over outputs; loss_ and loss_curve_
    # are MLPRegressor's loss, the mean over outputs, with the L2 penalty.
    X, y = _regression_data(3, "squared_error")
    reg = TwoLayerNetRegressor(solver="lbfgs", alpha=0.5, max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)
    weights = np.concatenate([w.ravel() for w in reg.coefs_])
    expected = 0.5 * np.mean((reg.predict(X) - y) ** 2) + 0.5 * 0.5 * (
        weights @ weights
    ) / len(y)
    assert reg.loss_ == pytest.approx(expected, rel=1e-9)
    assert reg.loss_curve_[-1] == reg.loss_


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_early_stopping_matches_mlpregressor(n_outputs, loss):
    X, y = _regression_data(n_outputs, loss, n_samples=150)
    params = dict(
        solver="adam",
        loss=loss,
        learning_rate_init=0.01,
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=200,
        random_state=0,
    )
    ours, theirs = _fit_both_regressors(params, X, y)
    assert ours.n_iter_ == theirs.n_iter_
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=1e-6)
    assert ours.best_validation_score_ == pytest.approx(
        theirs.best_validation_score_, rel=1e-6
    )
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6, atol=1e-9)
