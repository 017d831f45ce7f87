"""Metadata routing: sample_weight and the validation set reach fit."""

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.compose import TransformedTargetRegressor
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skmlp_numpy import TwoLayerNetClassifier, TwoLayerNetRegressor


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


pytestmark = pytest.mark.usefixtures("quiet")


def _net(**params):
    return TwoLayerNetClassifier(
        hidden_size=5, solver="lbfgs", max_iter=30, random_state=0, **params
    )


def test_sample_weight_routes_through_pipeline(blobs, routing):
    X, y = blobs
    sw = np.random.RandomState(0).uniform(0, 2, size=len(y))
    scaler = StandardScaler().set_fit_request(sample_weight=False)
    pipe = Pipeline(
        [("scale", scaler), ("net", _net().set_fit_request(sample_weight=True))]
    )
    pipe.fit(X, y, sample_weight=sw)
    direct = _net().fit(StandardScaler().fit_transform(X), y, sample_weight=sw)
    assert_allclose(pipe[-1].coefs_[0], direct.coefs_[0])
    unweighted = _net().fit(StandardScaler().fit_transform(X), y)
    assert not np.allclose(pipe[-1].coefs_[0], unweighted.coefs_[0])


def test_sample_weight_routes_through_grid_search_and_cross_validate(blobs, routing):
    X, y = blobs
    sw = np.where(y == 0, 5.0, 0.5)
    net = (
        _net().set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
    )
    search = GridSearchCV(net, {"alpha": [1e-4, 1e-1]}, cv=3).fit(
        X, y, sample_weight=sw
    )
    assert search.best_estimator_.n_iter_ > 0
    weighted = cross_validate(
        net, X, y, params={"sample_weight": sw}, cv=3, return_estimator=True
    )
    plain = cross_validate(_net(), X, y, cv=3, return_estimator=True)
    for a, b in zip(weighted["estimator"], plain["estimator"], strict=True):
        assert not np.allclose(a.coefs_[0], b.coefs_[0])


def test_unrequested_sample_weight_is_an_error_with_routing(blobs, routing):
    X, y = blobs
    pipe = Pipeline([("net", _net())])
    with pytest.raises(ValueError, match="sample_weight"):
        pipe.fit(X, y, sample_weight=np.ones(len(y)))


def test_validation_set_is_transformed_by_the_pipeline(blobs, routing):
    X, y = blobs
    X_val, y_val = X[:30] * 1.0, y[:30]
    net = TwoLayerNetClassifier(
        hidden_size=5, max_iter=5, random_state=0
    ).set_fit_request(X_val=True, y_val=True)
    pipe = Pipeline(
        [("scale", StandardScaler()), ("net", net)], transform_input=["X_val"]
    )
    pipe.fit(X, y, X_val=X_val, y_val=y_val)
    scaler = pipe[0]
    direct = TwoLayerNetClassifier(hidden_size=5, max_iter=5, random_state=0).fit(
        scaler.transform(X), y, X_val=scaler.transform(X_val), y_val=y_val
    )
    assert_allclose(pipe[-1].validation_loss_curve_, direct.validation_loss_curve_)
    assert pipe[-1].t_ == 5 * len(y)  # nothing of X was held out


@pytest.mark.parametrize("routed", [False, True])
def test_transformed_target_regressor_passes_y_val_untransformed(routed):
    # What the docs warn of (user guide, "ttr-validation"), and their way out.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5))
    y = 200 + 50 * X @ rng.normal(size=5) + 5 * rng.normal(size=300)
    X, X_val, y, y_val = X[60:], X[:60], y[60:], y[:60]

    def net():
        return TwoLayerNetRegressor(
            hidden_size=8, early_stopping=True, max_iter=50, random_state=0
        )

    with sklearn.config_context(enable_metadata_routing=routed):
        regressor = net().set_fit_request(X_val=True, y_val=True) if routed else net()
        reg = TransformedTargetRegressor(regressor, transformer=StandardScaler())
        reg.fit(X, y, X_val=X_val, y_val=y_val)
        # The net got y transformed and y_val as it was: it ranked its epochs
        # on a validation set in other units, and stopped at a poor one.
        scaler = StandardScaler().fit(y.reshape(-1, 1))
        y_scaled = scaler.transform(y.reshape(-1, 1)).ravel()
        direct = net().fit(X, y_scaled, X_val=X_val, y_val=y_val)
        assert_array_equal(reg.regressor_.validation_scores_, direct.validation_scores_)
        untransformed = reg.score(X_val, y_val)
        # y_val transformed as the wrapper transforms y: the net ranks its
        # epochs by the wrapper's own R² on the validation set.
        y_val_scaled = scaler.transform(y_val.reshape(-1, 1)).ravel()
        reg.fit(X, y, X_val=X_val, y_val=y_val_scaled)
    assert_allclose(
        reg.regressor_.best_validation_score_, reg.score(X_val, y_val), rtol=1e-12
    )
    assert reg.score(X_val, y_val) > untransformed + 0.2
