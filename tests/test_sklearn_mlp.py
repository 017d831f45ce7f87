"""scikit-learn's own MLP tests, run against this package's estimators.

The test functions are those of the installed scikit-learn
(``sklearn/neural_network/tests/test_mlp.py``), called as they are, with the
module's ``MLPClassifier`` and ``MLPRegressor`` replaced by adapters that
build a :class:`~skmlp_numpy.TwoLayerNetClassifier` or
:class:`~skmlp_numpy.TwoLayerNetRegressor` from ``hidden_layer_sizes=(n,)``.
Each upstream parametrization is expanded here. The tests that do not apply
to a one-hidden-layer network, or that read MLPClassifier's private
attributes, are listed in ``NOT_APPLICABLE`` (by name, or by name and
estimator) with the reason, and skipped saying so.
"""

import inspect
import warnings

import numpy as np
import pytest
from _pytest.mark.structures import ParameterSet
from numpy.testing import assert_almost_equal

from skmlp_numpy import TwoLayerNetClassifier, TwoLayerNetRegressor

upstream = pytest.importorskip(
    "sklearn.neural_network.tests.test_mlp",
    reason="this scikit-learn installation does not ship its test suite",
)


def _hidden_size(hidden_layer_sizes):
    sizes = np.atleast_1d(hidden_layer_sizes).tolist()
    if len(sizes) != 1:
        pytest.skip(f"two or more hidden layers ({sizes}): not this network's shape")
    return sizes[0]


def MLPClassifier(hidden_layer_sizes=(100,), **params):  # noqa: N802 (upstream's name)
    """The upstream tests' MLPClassifier(...), as a TwoLayerNetClassifier."""
    return TwoLayerNetClassifier(hidden_size=_hidden_size(hidden_layer_sizes), **params)


def MLPRegressor(hidden_layer_sizes=(100,), **params):  # noqa: N802 (upstream's name)
    """The upstream tests' MLPRegressor(...), as a TwoLayerNetRegressor."""
    return TwoLayerNetRegressor(hidden_size=_hidden_size(hidden_layer_sizes), **params)


ADAPTERS = {
    upstream.MLPClassifier: MLPClassifier,
    upstream.MLPRegressor: MLPRegressor,
}


def _adapt(value):
    """The adapter for an upstream estimator class; anything else as it is."""
    return ADAPTERS.get(value, value) if isinstance(value, type) else value


NOT_APPLICABLE = {
    "test_gradient": (
        "it calls MLPClassifier's private _loss_grad_lbfgs; tests/test_network.py "
        "checks this package's backpropagation against central differences"
    ),
    "test_fit": (
        "it builds a model by setting MLPClassifier's private attributes by hand; "
        "test_fit_worked_example below runs the same worked example through the "
        "public API"
    ),
    "test_mlp_classifier_dtypes_casting": "it uses two hidden layers, (5, 3)",
    "test_mlp_param_dtypes": "it uses two hidden layers, (5, 3)",
    "test_nonfinite_params": (
        "it expects MLPRegressor's wording; the same input raises this package's "
        "DivergenceError, a ValueError naming the epoch and the likely causes "
        "(tests/test_reliability.py)"
    ),
    "test_mlp_diverging_loss": (
        "it expects a diverged fit to return with NaN validation scores; here a "
        "divergence raises DivergenceError and leaves the estimator as it was "
        "(tests/test_classifier.py)"
    ),
    "test_preserve_feature_names[MLPRegressor]": (
        "it fits the regressor with early stopping on a constant target, on which "
        "R² cannot rank models: this package refuses that before training and "
        "names the way out (issue #18; tests/test_early_stopping.py), and checks "
        "feature names with early stopping on varied targets"
    ),
    "test_preserve_feature_names[MLPClassifier]": (
        "it fits the classifier on a single class, which TwoLayerNetClassifier "
        "refuses with a clear error (tests/test_reliability.py); feature names with "
        "early stopping are checked in tests/test_training.py"
    ),
}


def _expand(func):
    """Every combination of the upstream test's parametrize marks."""
    combos = [{}]
    for mark in getattr(func, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names, values = mark.args[0], mark.args[1]
        if isinstance(names, str):
            names = [name.strip() for name in names.split(",")]
        expanded = []
        for combo in combos:
            for value in values:
                if isinstance(value, ParameterSet):
                    value = value.values
                elif len(names) == 1:
                    value = (value,)
                expanded.append({**combo, **dict(zip(names, value, strict=True))})
        combos = expanded
    return combos


def _cases():
    for name, func in inspect.getmembers(upstream, inspect.isfunction):
        if not name.startswith("test_"):
            continue
        for i, combo in enumerate(_expand(func)):
            classes = [v for v in combo.values() if isinstance(v, type)]
            if any(v not in ADAPTERS for v in classes):
                continue  # parametrized over an estimator we do not adapt
            estimators = [v for v in classes if v in ADAPTERS]
            label = "-".join(v.__name__ for v in estimators)
            yield pytest.param(name, label, combo, id=f"{name}[{label or i}-{i}]")


@pytest.mark.parametrize("name, label, combo", list(_cases()))
def test_upstream(name, label, combo, request, monkeypatch):
    for key in (name, f"{name}[{label}]"):
        if key in NOT_APPLICABLE:
            pytest.skip(NOT_APPLICABLE[key])
    monkeypatch.setattr(upstream, "MLPClassifier", MLPClassifier)
    monkeypatch.setattr(upstream, "MLPRegressor", MLPRegressor)
    func = getattr(upstream, name)
    kwargs = {key: _adapt(value) for key, value in combo.items()}
    for param in inspect.signature(func).parameters:
        if param == "global_random_seed":
            kwargs[param] = 42
        elif param not in kwargs:
            kwargs[param] = request.getfixturevalue(param)
    with warnings.catch_warnings():
        # Upstream's pytest configuration turns some warnings into errors;
        # ours does not, and the tests assert the warnings they expect.
        warnings.simplefilter("default")
        func(**kwargs)


def test_fit_worked_example():
    """Upstream's test_fit worked example, with the weights set through the API."""
    X = np.array([[0.6, 0.8, 0.7]])
    y = np.array([0])
    clf = TwoLayerNetClassifier(
        hidden_size=2,
        solver="sgd",
        learning_rate_init=0.1,
        alpha=0.1,
        activation="logistic",
        momentum=0,
        random_state=1,
    )
    clf.partial_fit(X, y, classes=[0, 1])
    clf.coefs_[0][...] = [[0.1, 0.2], [0.3, 0.1], [0.5, 0]]
    clf.coefs_[1][...] = [[0.1], [0.2]]
    clf.intercepts_[0][...] = [0.1, 0.1]
    clf.intercepts_[1][...] = [1.0]
    clf.partial_fit(X, y)
    assert_almost_equal(
        clf.coefs_[0],
        [[0.098, 0.195756], [0.2956664, 0.096008], [0.4939998, -0.002244]],
        decimal=3,
    )
    assert_almost_equal(clf.coefs_[1], [[0.04706], [0.154089]], decimal=3)
    assert_almost_equal(clf.intercepts_[0], [0.098333, 0.09626], decimal=3)
    assert_almost_equal(clf.intercepts_[1], [0.9235], decimal=3)
    assert_almost_equal(clf.predict_proba(X)[0, 1], 0.739, decimal=3)
