"""TwoLayerNetRegressor: targets, losses, scores and the shared machinery."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    mean_absolute_error,
    mean_pinball_loss,
    mean_poisson_deviance,
    r2_score,
)
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp_numpy import DivergenceError, TwoLayerNetRegressor
from skmlp_numpy._layers import OUTPUTS
from skmlp_numpy._regressor import _OUTPUT_OF_LOSS, _loss_layer

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


def _with(value, dtype=object):
    """Targets of 20 rows with ``value`` in row 3."""
    y = np.linspace(0, 1, 20).astype(dtype)
    y[3] = value
    return y


def _pandas_na():
    pd = pytest.importorskip("pandas")
    return pd.Series(_with(None), dtype="Float64")


# Targets a regressor cannot train on, and what their errors say after the
# name of the argument that holds them.
BAD_TARGETS = {
    "None": (lambda: _with(None), "{name} has a missing value"),
    "pd.NA": (lambda: _with(pytest.importorskip("pandas").NA), "{name} has a missing"),
    "nullable Float64 with NA": (_pandas_na, "{name} has a missing value"),
    "NaN": (lambda: _with(np.nan, float), "{name} has a missing value"),
    "inf": (lambda: _with(np.inf, float), "Input {name} contains infinity"),
}
X_20 = np.random.RandomState(0).normal(size=(20, 5))


@pytest.mark.parametrize("where", ["fit", "warm fit", "partial_fit", "score", "y_val"])
@pytest.mark.parametrize("kind", list(BAD_TARGETS))
def test_bad_targets_are_named_and_change_nothing(regression, kind, where):
    make, match = BAD_TARGETS[kind]
    bad = make()
    reg = TwoLayerNetRegressor(hidden_size=4, max_iter=2).fit(*regression)
    before = pickle.dumps(reg)
    calls = {
        "fit": lambda: reg.fit(X_20, bad),
        "warm fit": lambda: reg.set_params(warm_start=True).fit(X_20, bad),
        "partial_fit": lambda: reg.partial_fit(X_20, bad),
        "score": lambda: reg.score(X_20, bad),
        "y_val": lambda: reg.fit(X_20, _with(0.5), X_val=X_20, y_val=bad),
    }
    name = "y_val" if where == "y_val" else "y"
    with pytest.raises(ValueError, match=match.format(name=name)):
        calls[where]()
    assert pickle.dumps(reg.set_params(warm_start=False)) == before


def test_warm_start_refuses_another_loss_or_output_count(regression):
    X, y = regression
    reg = TwoLayerNetRegressor(hidden_size=4, max_iter=2, warm_start=True).fit(X, y)
    before = pickle.dumps(reg)
    with pytest.raises(ValueError, match="loss='poisson' does not fit"):
        reg.set_params(loss="poisson").fit(X, np.abs(y))
    reg.set_params(loss="squared_error")
    with pytest.raises(ValueError, match="same number of outputs .* got 1, `y` has 2"):
        reg.fit(X, np.column_stack([y, y]))
    assert pickle.dumps(reg) == before


@pytest.mark.parametrize("call", ["warm fit", "partial_fit"])
def test_a_resumed_network_goes_on_with_its_loss_and_quantile(regression, call):
    # Another loss of the same output was taken silently: the stopping rule
    # kept the old loss's best value, and the fit stopped at once with the
    # old loss's weights (a 0.9-quantile asked for, the 0.1-quantile kept).
    X, y = regression
    reg = TwoLayerNetRegressor(
        loss="quantile", quantile=0.1, hidden_size=4, max_iter=2, warm_start=True
    )
    fit = reg.fit if call == "warm fit" else reg.partial_fit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit(X, y)
    before = pickle.dumps(reg)
    changes = [{"quantile": 0.9}, {"loss": "absolute_error"}, {"loss": "squared_error"}]
    for change in changes:
        reg.set_params(**change)
        with pytest.raises(
            ValueError, match="trained with the loss quantile \\(quantile=0.1\\)"
        ):
            fit(X, y)
        reg.set_params(loss="quantile", quantile=0.1)
    assert pickle.dumps(reg) == before


@pytest.mark.parametrize("where", ["y", "y_val"])
def test_float64_targets_beyond_float32_are_refused_before_training(regression, where):
    # y gave a divergence blamed on the learning rate; y_val a validation
    # loss of inf at every epoch, silently. X was already checked.
    X, y = regression
    huge = np.where(np.arange(len(y)) == 3, 1e39, y)
    reg = TwoLayerNetRegressor(dtype=np.float32, hidden_size=4, max_iter=2)
    if where == "y":
        call = lambda: reg.fit(X, huge)  # noqa: E731
    else:
        call = lambda: reg.fit(X, y, X_val=X, y_val=huge)  # noqa: E731
    with pytest.raises(ValueError, match=f"{where} holds values beyond float32's"):
        call()
    assert not hasattr(reg, "coefs_")


def test_a_poisson_divergence_advises_a_scale_that_keeps_counts_positive():
    # A StandardScaler (the other losses' advice) makes counts negative,
    # which the Poisson loss refuses.
    from skmlp_numpy._checks import divergence_error

    counts = str(divergence_error(3, 1e9, 3, 10.0, targets="counts"))
    values = str(divergence_error(3, 1e9, 3, 10.0, targets="values"))
    assert "MaxAbsScaler" in counts and "with a StandardScaler)" not in counts
    assert "TransformedTargetRegressor with a StandardScaler" in values


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


@pytest.mark.parametrize("method", ["fit", "partial_fit", "score"])
def test_a_sparse_target_is_refused_naming_y(regression, method):
    # MLPRegressor fails deep inside (a LinAlgError); here y is named.
    X, y = regression
    reg = TwoLayerNetRegressor(hidden_size=3, max_iter=2, random_state=0).fit(X, y)
    before = pickle.dumps(reg)
    with pytest.raises(
        TypeError, match="y is a sparse matrix|Sparse data was passed for y"
    ):
        getattr(reg, method)(X, sparse.csr_matrix(y.reshape(-1, 1)))
    assert pickle.dumps(reg) == before


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
    with pytest.raises(ValueError, match="scorers that fit them include 'r2'"):
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


# ------------------------------------ absolute error and quantile (issue #19)


@pytest.mark.parametrize("loss", sorted(_OUTPUT_OF_LOSS))
def test_each_loss_trains_the_output_that_predicts(loss):
    # A fitted model predicts with OUTPUTS[out_activation_]: the same forward
    # pass as the loss layer that trained it.
    Z = np.random.RandomState(0).normal(size=(5, 2))
    trained = _loss_layer(loss, 0.3).forward(Z.copy())
    assert_array_equal(trained, OUTPUTS[_OUTPUT_OF_LOSS[loss]]().forward(Z.copy()))


@pytest.fixture
def skewed():
    """Noise whose quantiles differ from its mean, and vary with X."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(1000, 2))
    y = X[:, 0] + np.exp(0.5 * X[:, 1]) * rng.standard_exponential(1000)
    return X, y


@pytest.mark.parametrize(
    "loss, quantile", [("absolute_error", None), ("quantile", 0.1), ("quantile", 0.9)]
)
def test_quantile_losses_estimate_their_quantile(skewed, loss, quantile):
    X, y = skewed
    reg = TwoLayerNetRegressor(
        hidden_size=20,
        loss=loss,
        quantile=quantile,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X, y)
    assert reg.out_activation_ == "identity"
    below = (y <= reg.predict(X)).mean()
    assert below == pytest.approx(quantile or 0.5, abs=0.03)


@pytest.mark.parametrize("loss", ["absolute_error", "quantile"])
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_the_loss_is_sklearns_metric(skewed, loss, n_outputs):
    X, y = skewed
    Y = y if n_outputs == 1 else np.column_stack([y, -y])
    reg = TwoLayerNetRegressor(
        hidden_size=5,
        loss=loss,
        quantile=0.8,
        solver="lbfgs",
        alpha=0.0,
        max_iter=20,
        random_state=0,
    ).fit(X, Y)
    if loss == "quantile":
        metric = mean_pinball_loss(Y, reg.predict(X), alpha=0.8)
    else:
        metric = mean_absolute_error(Y, reg.predict(X))
    assert reg.loss_ == pytest.approx(metric, rel=1e-6)


def test_the_quantile_loss_needs_a_quantile(regression):
    with pytest.raises(ValueError, match="loss='quantile' needs the quantile"):
        TwoLayerNetRegressor(loss="quantile").fit(*regression)


def test_the_quantile_loss_layer_needs_a_quantile():
    with pytest.raises(ValueError, match="set quantile to a float in"):
        _loss_layer("quantile", None)


@pytest.mark.parametrize("quantile", [0, 1, -0.5, 1.5, "0.5"])
def test_a_quantile_outside_zero_one_is_refused(regression, quantile):
    reg = TwoLayerNetRegressor(loss="quantile", quantile=quantile)
    with pytest.raises(ValueError, match="'quantile' parameter"):
        reg.fit(*regression)


def test_the_other_losses_ignore_the_quantile(regression):
    X, y = regression
    params = dict(hidden_size=4, max_iter=5, random_state=0)
    plain = TwoLayerNetRegressor(**params).fit(X, y)
    ignoring = TwoLayerNetRegressor(quantile=0.3, **params).fit(X, y)
    assert plain.loss_curve_ == ignoring.loss_curve_


@pytest.mark.parametrize("activation", ["leaky_relu", "gelu", "silu"])
@pytest.mark.parametrize("loss", ["absolute_error", "quantile"])
def test_new_activations_and_losses_keep_float32(regression, activation, loss):
    X, y = regression
    X = X.astype(np.float32)
    reg = TwoLayerNetRegressor(
        hidden_size=4, activation=activation, loss=loss, quantile=0.7, max_iter=3
    ).fit(X, y)
    assert reg.coefs_[0].dtype == np.float32
    assert reg.predict(X).dtype == np.float32


def test_default_validation_score_of_the_piecewise_losses_is_the_negated_loss(
    skewed,
):
    # As HistGradientBoostingRegressor scores them; score() stays R².
    X, y = skewed
    reg = TwoLayerNetRegressor(
        hidden_size=6, loss="quantile", quantile=0.8, max_iter=4, random_state=0
    ).fit(X[100:], y[100:], X_val=X[:100], y_val=y[:100])
    pinball = mean_pinball_loss(y[:100], reg.predict(X[:100]), alpha=0.8)
    assert reg.validation_scores_[-1] == pytest.approx(-pinball, rel=1e-9)
    assert reg.score(X[:100], y[:100]) == r2_score(y[:100], reg.predict(X[:100]))


# ---------------------------------------- issue #19's acceptance, on held-out rows


def test_quantile_nets_make_an_interval_that_covers_its_share():
    # Noise whose spread grows with |x|: a band of the 0.1 and 0.9 quantiles
    # covers 80% of new rows, and widens where the noise does.
    rng = np.random.RandomState(0)
    x = rng.uniform(-2, 2, 10_000)
    y = x + rng.normal(size=10_000) * (0.5 + np.abs(x))
    X_train, X_test = x[:5000, None], x[5000:, None]
    y_train, y_test = y[:5000], y[5000:]
    band = [
        TwoLayerNetRegressor(
            hidden_size=20,
            loss="quantile",
            quantile=quantile,
            learning_rate_init=0.01,
            max_iter=50,
            random_state=0,
        )
        .fit(X_train, y_train)
        .predict(X_test)
        for quantile in (0.1, 0.9)
    ]
    low, high = band
    assert ((low <= y_test) & (y_test <= high)).mean() == pytest.approx(0.8, abs=0.03)
    # The true widths are 2.56 (0.5 + |x|): about 1.9 near 0, 5.8 near 2.
    width = high - low
    near_0, near_2 = np.abs(x[5000:]) < 0.5, np.abs(x[5000:]) > 1.5
    assert width[near_2].mean() > 2.5 * width[near_0].mean()


def test_the_absolute_error_shrugs_off_outliers():
    # One row in ten is pushed far up: the squared error follows the outliers'
    # mean, the absolute error the median of y, which they barely move.
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(5000, 2))
    truth = np.sin(2 * X[:, 0]) + X[:, 1]
    y = truth + 0.3 * rng.normal(size=5000)
    outliers = rng.uniform(size=5000) < 0.1
    y[outliers] += rng.uniform(5, 15, size=outliers.sum())
    predictions = {
        loss: TwoLayerNetRegressor(
            hidden_size=20,
            loss=loss,
            learning_rate_init=0.01,
            max_iter=50,
            random_state=0,
        )
        .fit(X[:2500], y[:2500])
        .predict(X[2500:])
        for loss in ("squared_error", "absolute_error")
    }
    held_out_mae = {
        loss: mean_absolute_error(y[2500:], p) for loss, p in predictions.items()
    }
    assert held_out_mae["absolute_error"] < held_out_mae["squared_error"]
    # It recovers the function itself, as the squared error cannot.
    assert mean_absolute_error(truth[2500:], predictions["absolute_error"]) < 0.2


def test_the_scoring_hint_of_a_regressor_names_regression_scorers():
    # Whole-number targets (counts) read as classes: the hint named
    # 'accuracy', which failed the same way.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = rng.poisson(3.0, size=120).astype(float)
    for scoring in ("accuracy", "roc_auc", "neg_log_loss"):
        reg = TwoLayerNetRegressor(early_stopping=True, scoring=scoring)
        with pytest.raises(ValueError, match=r"cannot score .*\n.*continuous.*'r2'"):
            reg.fit(X, y)


@pytest.mark.parametrize("change", ["loss", "hidden_size", "dtype"])
def test_a_refused_partial_fit_says_how_to_train_a_new_network(change):
    # "Set warm_start=False" alone does nothing for partial_fit, which
    # always continues.
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    reg = TwoLayerNetRegressor(hidden_size=4).partial_fit(X, y)
    other = {"loss": "absolute_error", "hidden_size": 5, "dtype": np.float32}
    reg.set_params(**{change: other[change]})
    with pytest.raises(ValueError, match=r"or call fit, not partial_fit"):
        reg.partial_fit(X, y)


def test_float32_poisson_means_stay_positive():
    # exp of a float32 logit below -103 is 0, which Poisson deviances refuse;
    # MLPRegressor's float64 gives a tiny positive mean.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 1)).astype(np.float32)
    y = rng.poisson(np.exp(3 * X[:, 0])).astype(np.float32)
    reg = TwoLayerNetRegressor(loss="poisson", max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)
    far = np.array([[-60.0], [-200.0]], dtype=np.float32)
    predicted = reg.predict(far)
    assert predicted.dtype == np.float32 and (predicted > 0).all()
    mean_poisson_deviance(np.zeros(2), predicted)  # refuses means of 0
