"""TwoLayerNetRegressor: targets, losses, scores and the shared machinery."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp_numpy import DivergenceError, TwoLayerNetRegressor

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def regression():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 5))
    y = X @ rng.normal(size=5) + 0.1 * rng.normal(size=150)
    return X, y


@pytest.mark.parametrize(
    "data",
    [
        load_diabetes(return_X_y=True),
        make_friedman1(n_samples=500, random_state=0),
    ],
    ids=["diabetes", "friedman1"],
)
def test_default_cross_validated_r2_is_at_least_mlpregressors(data):
    X, y = data
    ours = cross_val_score(
        make_pipeline(StandardScaler(), TwoLayerNetRegressor(random_state=0)), X, y
    ).mean()
    theirs = cross_val_score(
        make_pipeline(StandardScaler(), MLPRegressor(random_state=0)), X, y
    ).mean()
    assert ours >= theirs - 0.01


def test_fits_a_smooth_function_well(regression):
    X, y = regression
    reg = TwoLayerNetRegressor(hidden_size=20, solver="lbfgs", random_state=0)
    reg.fit(X, y)
    assert reg.score(X, y) > 0.99
    assert reg.predict(X).shape == (150,)
    assert reg.out_activation_ == "identity" and reg.n_outputs_ == 1


def test_multi_output_targets(regression):
    X, y = regression
    Y = np.column_stack([y, -2 * y, X[:, 0]])
    reg = TwoLayerNetRegressor(hidden_size=20, solver="lbfgs", random_state=0)
    reg.fit(X, Y)
    assert reg.n_outputs_ == 3
    assert reg.predict(X).shape == (150, 3)
    assert r2_score(Y, reg.predict(X)) > 0.98


def test_a_column_target_predicts_one_dimensional_values(regression):
    X, y = regression
    with pytest.warns(Warning, match="column-vector y"):
        reg = TwoLayerNetRegressor(hidden_size=4, max_iter=3).fit(X, y[:, None])
    assert reg.predict(X).shape == (150,)


@pytest.mark.parametrize("n_outputs", [1, 2])
def test_poisson_loss_fits_counts_with_an_exponential_output(n_outputs):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    rates = np.exp(X[:, :n_outputs] * 0.8)
    y = rng.poisson(rates).astype(float)
    y = y[:, 0] if n_outputs == 1 else y
    reg = TwoLayerNetRegressor(
        hidden_size=10, loss="poisson", solver="lbfgs", random_state=0
    ).fit(X, y)
    assert reg.out_activation_ == "exp"
    pred = reg.predict(X)
    assert (pred > 0).all()
    assert_allclose(pred.reshape(300, -1).mean(axis=0), y.reshape(300, -1).mean(0), 0.1)


@pytest.mark.parametrize("where", ["y", "y_val"])
def test_poisson_refuses_negative_targets_naming_them(regression, where):
    X, y = regression
    y_pos = np.abs(y)
    reg = TwoLayerNetRegressor(loss="poisson")
    kwargs = {}
    if where == "y":
        y_pos = y
    else:
        kwargs = dict(X_val=X[:10], y_val=y[:10])
    with pytest.raises(ValueError, match=f"non-negative targets, but {where} has"):
        reg.fit(X, y_pos, **kwargs)
    assert not hasattr(reg, "coefs_")


def test_warm_start_refuses_another_loss_or_output_count(regression):
    X, y = regression
    reg = TwoLayerNetRegressor(hidden_size=4, max_iter=2, warm_start=True).fit(X, y)
    before = pickle.dumps(reg)
    with pytest.raises(ValueError, match="loss='poisson' does not fit"):
        reg.set_params(loss="poisson").fit(X, np.abs(y))
    reg.set_params(loss="squared_error")
    with pytest.raises(ValueError, match="y has 2 outputs, but the network has 1"):
        reg.fit(X, np.column_stack([y, y]))
    assert pickle.dumps(reg) == before


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_from_end_to_end(regression, dtype):
    X, y = regression
    reg = TwoLayerNetRegressor(hidden_size=4, max_iter=3).fit(X.astype(dtype), y)
    assert reg.coefs_[0].dtype == dtype
    assert reg.predict(X.astype(dtype)).dtype == dtype


def test_sparse_equals_dense(regression):
    X, y = regression
    X = np.where(np.abs(X) > 1, X, 0.0)
    params = dict(hidden_size=5, max_iter=10, random_state=0)
    dense = TwoLayerNetRegressor(**params).fit(X, y)
    sp = TwoLayerNetRegressor(**params).fit(sparse.csr_matrix(X), y)
    assert_allclose(sp.loss_curve_, dense.loss_curve_, rtol=1e-10)


def test_partial_fit_stream_matches_fit_epoch_for_epoch(regression):
    X, y = regression
    params = dict(hidden_size=6, solver="sgd", batch_size=10, shuffle=False)
    full = TwoLayerNetRegressor(max_iter=2, random_state=0, **params).fit(X, y)
    stream = TwoLayerNetRegressor(random_state=0, **params)
    for _ in range(2):
        stream.partial_fit(X[:50], y[:50]).partial_fit(X[50:], y[50:])
    for a, b in zip(full.coefs_, stream.coefs_, strict=True):
        assert_allclose(a, b, rtol=1e-12)
    assert not hasattr(TwoLayerNetRegressor(solver="lbfgs"), "partial_fit")


def test_early_stopping_on_a_regression_scorer_and_validation_set(regression):
    X, y = regression
    reg = TwoLayerNetRegressor(
        hidden_size=10,
        learning_rate_init=0.01,
        early_stopping=True,
        scoring="neg_mean_absolute_error",
        n_iter_no_change=3,
        max_iter=300,
        random_state=0,
    ).fit(X[30:], y[30:], X_val=X[:30], y_val=y[:30])
    assert reg.t_ == 120 * reg.n_iter_  # nothing of X held out
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    assert reg.best_validation_score_ < 0  # an error, negated
    assert len(reg.validation_loss_curve_) == reg.n_iter_


def test_default_validation_score_is_r2(regression):
    X, y = regression
    reg = TwoLayerNetRegressor(hidden_size=6, max_iter=4, random_state=0)
    reg.fit(X[30:], y[30:], X_val=X[:30], y_val=y[:30])
    assert reg.validation_scores_[-1] == pytest.approx(reg.score(X[:30], y[:30]))


def test_a_classification_scorer_names_regression_scorers(regression):
    X, y = regression
    reg = TwoLayerNetRegressor(early_stopping=True, scoring="accuracy")
    with pytest.raises(ValueError, match="Scorers that fit regression targets"):
        reg.fit(X, y)


def test_dropout_trains_and_predicts_deterministically(regression):
    X, y = regression
    params = dict(hidden_size=20, max_iter=10, random_state=0)
    plain = TwoLayerNetRegressor(**params).fit(X, y)
    dropped = TwoLayerNetRegressor(dropout=0.5, **params).fit(X, y)
    assert plain.loss_curve_ != dropped.loss_curve_
    assert_array_equal(dropped.predict(X), dropped.predict(X))


def test_a_divergence_is_an_error_that_changes_nothing(regression):
    X, y = regression
    reg = TwoLayerNetRegressor(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    before = pickle.dumps(reg)
    reg.set_params(solver="sgd", learning_rate_init=1e6, max_iter=20)
    with pytest.raises(DivergenceError, match="learning_rate_init"):
        reg.fit(X * 1e3, y * 1e3)
    reg.set_params(solver="adam", learning_rate_init=1e-3, max_iter=2)
    assert pickle.dumps(reg) == before


def test_warm_start_k_plus_k_equals_2k(regression):
    X, y = regression
    common = dict(hidden_size=5, batch_size=32, n_iter_no_change=100, random_state=3)
    once = TwoLayerNetRegressor(max_iter=6, **common).fit(X, y)
    twice = TwoLayerNetRegressor(max_iter=3, warm_start=True, **common)
    twice.fit(X, y).fit(X, y)
    assert once.loss_curve_ == twice.loss_curve_
    assert_array_equal(once.coefs_[0], twice.coefs_[0])


def test_prediction_overflow_is_a_clear_error(regression):
    X, y = regression
    reg = TwoLayerNetRegressor(
        loss="poisson", hidden_size=4, max_iter=3, random_state=0
    )
    reg.fit(X, np.abs(y))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="overflowed"):
            reg.predict(np.vstack([X, -X]) * 1e200)


def test_convergence_warning_for_short_fits(regression):
    with pytest.warns(ConvergenceWarning):
        warnings.simplefilter("always")
        TwoLayerNetRegressor(hidden_size=3, max_iter=2).fit(*regression)
