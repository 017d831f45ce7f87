"""TwoLayerNetClassifier: behaviour on small deterministic data."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp_numpy import DivergenceError, TwoLayerNetClassifier, TwoLayerNetRegressor
from skmlp_numpy.__main__ import build_parser, make_network
from skmlp_numpy.datasets import load_mnist


def fit_quietly(clf, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(*args, **kwargs)


# ----------------------------------------------------------------- basics


def test_fitted_attributes_have_mlpclassifier_names(blobs):
    X, y = blobs
    clf = fit_quietly(TwoLayerNetClassifier(hidden_size=7, max_iter=5), X, y)
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert [c.shape for c in clf.coefs_] == [(4, 7), (7, 3)]
    assert [b.shape for b in clf.intercepts_] == [(7,), (3,)]
    assert clf.n_features_in_ == 4
    assert clf.n_layers_ == 3
    assert clf.n_outputs_ == 3
    assert clf.out_activation_ == "softmax"
    assert clf.n_iter_ == 5 == len(clf.loss_curve_)
    assert clf.t_ == 5 * 120
    assert clf.loss_ == clf.loss_curve_[-1]
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None
    assert clf.best_validation_score_ is None


def test_string_labels_and_probabilities(blobs):
    X, y = blobs
    labels = np.array(["cat", "dog", "emu"])[y]
    clf = fit_quietly(TwoLayerNetClassifier(hidden_size=10, random_state=0), X, labels)
    assert_array_equal(clf.classes_, ["cat", "dog", "emu"])
    proba = clf.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert_allclose(clf.predict_log_proba(X), np.log(proba))
    assert clf.score(X, labels) > 0.95


def test_binary_uses_one_logistic_output_and_two_probability_columns(blobs):
    X, y = blobs
    y = np.where(y == 0, "a", "b")
    clf = fit_quietly(TwoLayerNetClassifier(hidden_size=5, random_state=0), X, y)
    assert clf.n_outputs_ == 1
    assert clf.out_activation_ == "logistic"
    proba = clf.predict_proba(X)
    assert proba.shape == (120, 2)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(clf.predict(X), np.where(proba[:, 1] > 0.5, "b", "a"))


def test_same_random_state_gives_bit_identical_fits(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=8, max_iter=20, dropout=0.2, random_state=3)
    a = fit_quietly(clone(clf), X, y)
    b = fit_quietly(clone(clf), X, y)
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        assert_array_equal(u, v)
    c = fit_quietly(clone(clf).set_params(random_state=4), X, y)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_float32_trains_in_float32(blobs, solver):
    X, y = blobs
    clf = fit_quietly(
        TwoLayerNetClassifier(hidden_size=6, solver=solver, max_iter=10),
        X.astype(np.float32),
        y,
    )
    assert all(c.dtype == np.float32 for c in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    clf64 = fit_quietly(clone(clf), X, y)
    assert clf64.coefs_[0].dtype == np.float64
    assert clf64.predict_proba(X).dtype == np.float64


def test_pickle_and_joblib_round_trips(blobs, tmp_path):
    X, y = blobs
    clf = fit_quietly(TwoLayerNetClassifier(hidden_size=6, random_state=0), X, y)
    expected = clf.predict_proba(X)
    assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X), expected)
    joblib.dump(clf, tmp_path / "model.joblib")
    assert_array_equal(
        joblib.load(tmp_path / "model.joblib").predict_proba(X), expected
    )


def test_pickling_does_not_change_the_live_estimator(blobs):
    clf = fit_quietly(TwoLayerNetClassifier(hidden_size=5, max_iter=3), *blobs)
    state = dict(vars(clf))
    pickle.dumps(clf)
    assert vars(clf).keys() == state.keys()
    assert all(vars(clf)[key] is value for key, value in state.items())


def test_grid_search_on_digits_pipeline(digits):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    pipe = make_pipeline(StandardScaler(), TwoLayerNetClassifier(random_state=0))
    search = GridSearchCV(
        pipe,
        {
            "twolayernetclassifier__hidden_size": [32, 64],
            "twolayernetclassifier__alpha": [1e-4, 1e-2],
        },
        cv=3,
        n_jobs=2,
    )
    fit_quietly(search, X_train, y_train)
    assert search.score(X_test, y_test) >= 0.95


def test_verbose_prints_the_loss_of_each_epoch(blobs, capsys):
    X, y = blobs
    fit_quietly(TwoLayerNetClassifier(max_iter=3, verbose=True), X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "Iteration 1",
        "Iteration 2",
        "Iteration 3",
    ]


def test_silent_by_default(blobs, capsys):
    X, y = blobs
    fit_quietly(TwoLayerNetClassifier(max_iter=3), X, y)
    assert capsys.readouterr().out == ""


# ------------------------------------------------------------------ MNIST


def test_tutorial_recipe_reaches_097_on_mnist(mnist_path):
    # The recipe the main job's --data mnist runs, not a copy of it.
    args = build_parser().parse_args(["--data", "mnist"])
    clf = make_network(args)
    assert (clf.hidden_size, clf.solver, clf.learning_rate_init) == (50, "sgd", 0.1)
    assert (clf.batch_size, clf.max_iter, clf.momentum, clf.alpha) == (100, 17, 0, 0)
    X_train, X_test, y_train, y_test = load_mnist(mnist_path)
    fit_quietly(clf, X_train, y_train)
    assert clf.coefs_[0].dtype == np.float32
    assert clf.score(X_test, y_test) >= 0.97


# ------------------------------------------------------------------ errors


def test_divergence_raises_and_leaves_the_model_as_it_was(blobs):
    X, y = blobs
    # Identity units cannot die, so the huge steps below must overflow.
    clf = TwoLayerNetClassifier(5, "identity", max_iter=3, random_state=0)
    fit_quietly(clf, X, y)
    curve = clf.loss_curve_
    before = dict(vars(clf))
    coefs = [c.copy() for c in clf.coefs_]
    clf.set_params(
        solver="sgd", learning_rate_init=1e6, momentum=0.0, warm_start=True, max_iter=50
    )
    with pytest.raises(DivergenceError, match="learning rate"):
        clf.fit(X * 1e10, y)
    assert vars(clf).keys() == before.keys()
    for c, saved in zip(clf.coefs_, coefs, strict=True):
        assert_array_equal(c, saved)
    assert clf.loss_curve_ == curve


def test_float64_values_beyond_float32_are_refused_before_training(blobs):
    # The cast to float32 would make them infinite: a divergence at epoch 1,
    # blamed on the learning rate.
    X, y = blobs
    clf = TwoLayerNetClassifier(dtype=np.float32, random_state=0)
    with pytest.raises(ValueError, match="X holds values beyond float32's range"):
        clf.fit(X * 1e40, y)
    assert not hasattr(clf, "coefs_")
    clf.set_params(early_stopping=True)
    match = "X_val holds values beyond float32's range"
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y, X_val=sparse.csr_matrix(X * -1e40), y_val=y)
    assert not hasattr(clf, "coefs_")
    # Within float32's range: no refusal, but a divergence (Adam's squared
    # gradients overflow), as on any features this far from unit scale.
    with pytest.raises(DivergenceError, match="optimizer's state"):
        fit_quietly(clf, X * 1e37, y)


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_a_regressors_divergence_points_at_the_targets_too(solver):
    # Scaled features, targets of 1e6 (1e200 for L-BFGS): the advice is to
    # scale the targets, and a learning rate only where there is one.
    X, y = make_regression(200, 4, random_state=0)
    y = (y / y.std()) * (1e6 if solver == "sgd" else 1e200)
    reg = TwoLayerNetRegressor(solver=solver, random_state=0)
    with pytest.raises(DivergenceError) as error:
        fit_quietly(reg, X, y)
    assert "TransformedTargetRegressor" in str(error.value)
    assert ("learning_rate_init" in str(error.value)) == (solver == "sgd")


def _exploding_regression(blobs):
    """A regression that tanh units at learning_rate_init=1 blow up: the loss
    goes 6.4, 21, 2.4e3, 2.6e4, 1.7e6 ..., finite."""
    X, _ = blobs
    return X / 3, X @ np.array([1.0, -2.0, 0.5, 1.0]) / 3


@pytest.mark.parametrize("call", ["fit", "warm_fit", "partial_fit"])
def test_a_loss_grown_by_orders_of_magnitude_is_a_divergence(blobs, call):
    X, y = _exploding_regression(blobs)
    params = dict(hidden_size=5, activation="tanh", solver="sgd", random_state=0)
    reg = TwoLayerNetRegressor(learning_rate_init=1.0, max_iter=10, **params)
    if call == "warm_fit":  # a healthy first fit, then a rate that explodes
        reg.set_params(learning_rate_init=0.01, warm_start=True)
        fit_quietly(reg, X, y).set_params(learning_rate_init=1.0)
    message = (
        r"diverged at epoch \d+: the loss grew to .* over \d+ epochs in a row .*"
        r"more than 10000 times"
    )
    with pytest.raises(DivergenceError, match=message):
        for _ in range(10 if call == "partial_fit" else 1):
            before = pickle.dumps(reg)
            getattr(reg, "partial_fit" if call == "partial_fit" else "fit")(X, y)
    assert pickle.dumps(reg) == before


def test_a_huge_frozen_weight_does_not_hide_an_explosion(blobs):
    # A feature that is 0 in this data keeps its huge first-layer weights
    # (no gradient reaches them): the weights' single largest magnitude did
    # not move while the second layer exploded (a reviewer's stream).
    X, y = _exploding_regression(blobs)
    X = np.hstack([X, np.zeros((len(X), 1))])

    def diverging_call(big):
        reg = TwoLayerNetRegressor(
            hidden_size=5,
            activation="tanh",
            solver="sgd",
            learning_rate_init=0.01,
            alpha=0.0,  # whose penalty on the huge weights would dwarf the loss
            random_state=0,
        )
        reg.partial_fit(X, y)
        reg.coefs_[0][-1, :] = big  # in place: the network's own weights
        for _ in range(100):
            reg.partial_fit(X, y)
        reg.set_params(learning_rate_init=1.0)
        for call in range(1, 40):
            try:
                reg.partial_fit(X, y)
            except DivergenceError:
                return call
        return None

    plain = diverging_call(0.0)
    assert plain is not None and diverging_call(1e8) == plain


def test_an_explosion_of_the_output_bias_alone_is_a_divergence():
    # Every ReLU unit dead: the output is the output bias alone, which SGD at
    # a rate of 3 sends growing 4 times an epoch while the weights, which no
    # gradient reaches, stay put (a reviewer's model).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3))
    y = X @ np.array([1.0, 2.0, -1.0]) + 5
    reg = TwoLayerNetRegressor(
        hidden_size=4,
        solver="sgd",
        momentum=0.0,
        batch_size=100,
        max_iter=1,
        warm_start=True,
        random_state=0,
    )
    fit_quietly(reg, X, y)
    reg.intercepts_[0][:] = -1e3  # in place: the network's own biases
    reg.set_params(learning_rate_init=3.0, max_iter=40, tol=0, n_iter_no_change=1000)
    before = pickle.dumps(reg)
    with pytest.raises(DivergenceError, match="the loss grew to"):
        reg.fit(X, y)
    assert pickle.dumps(reg) == before


def test_an_explosion_in_the_first_rising_call_of_a_stream_is_a_divergence():
    # SGD at 0.1 on a level that jumps 1000: the weights blow up from 5e10 to
    # 2.5e21 in the first call whose loss rises, then grow less than twice.
    # Read from that call on, their growth missed the explosion, which went
    # on to a loss of 1e38 (a reviewer's stream); read from the call before,
    # it raises where the loss alone raised.
    rng = np.random.RandomState(0)
    X = rng.rand(9000, 5)
    y = X @ (3 * rng.randn(5)) + 1000.0 * (np.arange(9000) >= 6000)
    reg = TwoLayerNetRegressor(
        hidden_size=32, solver="sgd", learning_rate_init=0.1, random_state=0
    )
    with pytest.raises(DivergenceError, match="grew to"):
        for start in range(0, 9000, 32):
            reg.partial_fit(X[start : start + 32], y[start : start + 32])
    assert start == 206 * 32
    assert max(reg.loss_curve_) < 1e37


def test_a_poisson_explosion_is_judged_by_its_loss_alone():
    # The Poisson loss grows exponentially with the logits: Adam's bounded
    # steps explode it while the weights grow by a sum, never doubling within
    # a row of rises (a reviewer's counts; the loss reached 1e51).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    y = rng.poisson(100 * np.exp(0.5 * X[:, 0])).astype(float)
    reg = TwoLayerNetRegressor(
        hidden_size=16,
        activation="identity",
        loss="poisson",
        learning_rate_init=0.5,
        batch_size=50,
        max_iter=12,
        random_state=0,
    )
    with pytest.raises(DivergenceError, match="diverged at epoch 5"):
        reg.fit(X, y)


def _drifting_chunks(kind, n_chunks=60, seed=1):
    """Chunks of a stream whose targets move: a level that jumps 1000 halfway
    ("jump"), or one that rises 20 a chunk, faster than the network follows
    ("trend"); the loss jumps 1e5-fold, or rises a few percent a chunk."""
    rng = np.random.RandomState(seed)
    for i in range(n_chunks):
        X = rng.normal(size=(200, 4))
        level = (1000.0 if i >= n_chunks // 2 else 0.0) if kind == "jump" else 20.0 * i
        yield X, X @ np.array([1.0, 2.0, 3.0, 4.0]) + level


@pytest.mark.parametrize("kind", ["jump", "trend"])
def test_a_drifting_stream_is_no_divergence(kind):
    reg = TwoLayerNetRegressor(hidden_size=20, learning_rate_init=0.01, random_state=0)
    for X, y in _drifting_chunks(kind, n_chunks=150 if kind == "trend" else 60):
        reg.partial_fit(X, y)
    assert max(reg.loss_curve_) > 1e4 * max(reg.loss_curve_[0], 1.0)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_an_optimizer_state_that_overflows_is_a_divergence(solver):
    # Unscaled epoch-millisecond timestamps in float32: Adam's squared
    # gradients overflow, and the weights froze (steps of m / sqrt(inf) = 0)
    # with a finite loss. SGD, whose weights overflow on them, raises alike.
    rng = np.random.RandomState(0)
    X = (1.7e12 + 3.6e6 * np.arange(64)[:, None] * rng.rand(64, 2)).astype(np.float32)
    y = rng.randn(64) * 1e3
    reg = TwoLayerNetRegressor(solver=solver, max_iter=5, random_state=0)
    before = pickle.dumps(reg)
    with pytest.raises(DivergenceError, match="optimizer's state"):
        reg.fit(X, y)
    assert pickle.dumps(reg) == before


@pytest.mark.parametrize("level", [300.0, 1000.0])
def test_a_level_that_shifts_over_a_few_batches_is_no_divergence(level):
    # A level shift along a sigmoid 30 rows wide (river's ConceptDriftStream's
    # transition) raises the loss of a well-fit stream several batches in a
    # row, 4e-5, 2e-4, 0.88, 1850, 3e4: as fast as an explosion, but the
    # weights barely move (a reviewer's stream; MLPRegressor trains on it).
    rng = np.random.RandomState(0)
    X = rng.rand(9000, 5)
    shift = level / (1 + np.exp(-4 * (np.arange(9000) - 6000) / 30))
    y = X @ (3 * rng.randn(5)) + shift
    reg = TwoLayerNetRegressor(
        hidden_size=32,
        activation="identity",
        learning_rate_init=0.01,
        random_state=0,
    )
    for start in range(0, 9000, 32):
        reg.partial_fit(X[start : start + 32], y[start : start + 32])
    curve = np.asarray(reg.loss_curve_)
    jump = curve[6000 // 32 - 30 : 6000 // 32 + 15]
    assert jump.max() > 1e4 * max(jump.min(), 1.0)  # the shift
    assert curve[-1] < jump.max() / 2  # and followed


def test_a_jump_after_chance_doublings_of_a_small_loss_is_no_divergence():
    # A well-fit stream of batches of 8, whose loss doubles twice by chance
    # (0.0028, 0.0088, 0.0218) just before its targets jump 1000-fold: the
    # jump counted as growth from the first doubling, and every batch of the
    # new level raised again (a reviewer's stream; 5 of 30 seeds of one row).
    rng = np.random.RandomState(27)
    reg = TwoLayerNetRegressor(random_state=27)
    for t in range(300):
        X = rng.randn(8, 3)
        y = X[:, 0] + 0.1 * rng.randn(8)
        reg.partial_fit(X, y * 1000.0 if t >= 200 else y)
    curve = np.asarray(reg.loss_curve_)
    assert (curve[197:200] > 2 * curve[196:199]).sum() == 2  # the two doublings
    assert curve[200] > 1e4 * max(curve[199], 1.0)  # the jump
    assert len(curve) == 300 and np.isfinite(curve).all()  # trained on


def test_a_warm_start_on_data_of_another_level_is_no_divergence(blobs):
    X, y = _exploding_regression(blobs)
    reg = TwoLayerNetRegressor(
        hidden_size=5,
        learning_rate_init=0.1,
        max_iter=30,
        n_iter_no_change=100,  # the jump is no plateau to stop at
        warm_start=True,
        random_state=0,
    )
    n_epochs = len(fit_quietly(reg, X, y).loss_curve_)
    fit_quietly(reg, X, y + 1000.0)  # another price level
    curve = reg.loss_curve_
    assert curve[n_epochs] > 1e4 * max(curve[n_epochs - 1], 1.0)  # the jump
    assert curve[-1] < curve[n_epochs] / 2  # and followed


def test_a_loss_that_spikes_and_recovers_is_no_divergence(blobs):
    # ReLU units at learning_rate_init=0.5: 6.2, 328, 252, 48, 2.0 ... A
    # spike of fifty times the first epoch's loss is healthy enough.
    X, y = _exploding_regression(blobs)
    reg = TwoLayerNetRegressor(
        hidden_size=5, solver="sgd", learning_rate_init=0.5, max_iter=10, random_state=0
    )
    fit_quietly(reg, X, y)
    assert max(reg.loss_curve_) > 50 * reg.loss_curve_[0]
    assert reg.loss_curve_[-1] < reg.loss_curve_[0]


@pytest.mark.parametrize("n_members", [1, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturated_softmax_log_probabilities_are_finite(blobs, n_members, dtype):
    # A probability that underflows to 0 had a log of -inf (as MLPClassifier's
    # has): it is the smallest normal number, and predict_log_proba stays
    # log(predict_proba), as scikit-learn's checks ask.
    X, y = blobs
    clf = TwoLayerNetClassifier(
        hidden_size=5, n_members=n_members, max_iter=20, random_state=0
    )
    fit_quietly(clf, X.astype(dtype), y)
    unsaturated, weights = clf.predict_proba(X), clf.coefs_[1].copy()
    clf.coefs_[1] *= 1e3  # saturate: the logits are thousands apart
    X_far = (X * 10).astype(dtype)
    proba, log_proba = clf.predict_proba(X_far), clf.predict_log_proba(X_far)
    tiny = np.finfo(dtype).tiny
    assert (proba == tiny).any() and (proba >= tiny).all()
    assert_allclose(proba.sum(axis=1), 1.0, rtol=np.finfo(dtype).eps * 10)
    assert log_proba.dtype == dtype and np.isfinite(log_proba).all()
    assert_array_equal(log_proba, np.log(proba))
    # Elsewhere nothing changes.
    clf.coefs_[1][...] = weights
    assert_array_equal(clf.predict_proba(X), unsaturated)


def test_saturated_logistic_outputs_stay_inside_zero_and_one():
    X = np.array([[-1.0], [1.0]] * 10)
    y = np.array([[0, 1], [1, 0]] * 10)
    clf = TwoLayerNetClassifier(hidden_size=3, random_state=0).fit(X, y)
    clf.coefs_[1] *= 1e4  # saturate every logistic unit
    proba = clf.predict_proba(X * 100)
    assert ((proba > 0) & (proba < 1)).all()
    assert np.isfinite(clf.predict_log_proba(X * 100)).all()


# -------------------------------------------------------- label smoothing


def _smoothed_targets(kind, y, e):
    """The targets a smoothed loss trains on, one column per output unit."""
    if kind == "multiclass":
        return (1 - e) * np.eye(3)[y] + e / 3
    Y = y[:, np.newaxis] if y.ndim == 1 else y
    return (1 - e) * Y + e / 2


def _cross_entropies(kind, P, y, e):
    """The smoothed and the plain (log loss) mean cross-entropies of ``P``."""
    Q = _smoothed_targets(kind, y, e)
    if kind == "multiclass":
        return -(Q * np.log(P)).sum(axis=1).mean(), -np.log(
            P[np.arange(len(y)), y]
        ).mean()
    Y = y.reshape(len(y), -1)

    def cross_entropy(T):
        return -(T * np.log(P) + (1 - T) * np.log1p(-P)).sum(axis=1).mean()

    return cross_entropy(Q), cross_entropy(Y)


@pytest.mark.parametrize("kind", ["multiclass", "binary", "multilabel"])
def test_label_smoothing_trains_and_validates_on_smoothed_targets(blobs, kind):
    X, y = blobs
    if kind == "binary":
        y = (y == 2).astype(int)
    elif kind == "multilabel":
        y = np.stack([y == 0, y == 1, y > 0], axis=1).astype(int)
    e = 0.2
    clf = TwoLayerNetClassifier(
        hidden_size=5,
        alpha=0.0,
        solver="sgd",
        batch_size=len(X),
        shuffle=False,
        label_smoothing=e,
        max_iter=3,
        # scikit-learn's log loss has no multilabel form.
        scoring=None if kind == "multilabel" else "neg_log_loss",
        random_state=0,
    )
    fit_quietly(clf, X, y)
    # One more epoch is one step, whose loss is that of the weights before it.
    before = _cross_entropies(kind, clf._forward(X), y, e)
    clf.set_params(warm_start=True, max_iter=1)
    fit_quietly(clf, X, y, X_val=X, y_val=y)
    after = _cross_entropies(kind, clf._forward(X), y, e)
    # The training and the validation loss are the smoothed cross-entropy; a
    # scorer sees the labels as they are: neg_log_loss is the plain one.
    assert clf.loss_curve_[-1] == pytest.approx(before[0], rel=1e-10)
    assert clf.validation_loss_curve_[-1] == pytest.approx(after[0], rel=1e-10)
    if kind != "multilabel":
        assert clf.validation_scores_[-1] == pytest.approx(-after[1], rel=1e-10)
    assert after[0] != pytest.approx(after[1], rel=1e-3)  # the two losses differ


def test_label_smoothing_caps_the_confidence_at_the_smoothed_target(blobs):
    # Trained to convergence on separable classes, the probabilities approach
    # the smoothed target of the true class, (1 - e) + e / K, not 1.
    X, y = blobs
    params = dict(hidden_size=10, solver="lbfgs", alpha=0.0, random_state=0)
    sharp = fit_quietly(TwoLayerNetClassifier(**params), X, y)
    smooth = fit_quietly(TwoLayerNetClassifier(label_smoothing=0.3, **params), X, y)
    p_true = smooth.predict_proba(X)[np.arange(len(y)), y]
    assert sharp.predict_proba(X).max() > 0.999
    assert p_true.mean() == pytest.approx(0.7 + 0.3 / 3, abs=0.01)
    assert p_true.max() < 0.85
    assert (smooth.predict(X) == y).mean() >= 0.95
