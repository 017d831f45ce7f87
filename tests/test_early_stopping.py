"""Early stopping and validation: the validation set (given or held out), the
scorer and how it is called, the validation curves, the stopping rule and the
best weights, and the checks that refuse, before training, a validation set
whose score cannot rank models.

"Nothing was trained" is read off the optimizers' public ``step`` (the
``steps`` fixture); "unchanged" means equal pickled bytes.
"""

import functools
import math
import pickle
import warnings
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, make_scorer, recall_score
from sklearn.neural_network import MLPClassifier

from skmlp_numpy import TwoLayerNetClassifier, TwoLayerNetRegressor
from skmlp_numpy._early_stopping import _EarlyStopping
from skmlp_numpy._fit_state import _Plateau
from skmlp_numpy._optimizers import SGD, Adam

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def fitted(blobs):
    X, y = blobs
    return TwoLayerNetClassifier(hidden_size=5, max_iter=3, random_state=0).fit(X, y)


@pytest.fixture
def steps(monkeypatch):
    """The optimizer steps taken while the test runs (one entry each)."""
    taken = []
    for optimizer in (Adam, SGD):
        real = optimizer.step

        def step(self, params, grads, real=real):
            taken.append(type(self).__name__)
            real(self, params, grads)

        monkeypatch.setattr(optimizer, "step", step)
    return taken


def _bytes(estimator):
    """The pickled estimator, less its ``scoring`` object, whose own state (a
    call count, say) is the user's to change."""
    state = dict(vars(estimator))
    state.pop("scoring")
    return pickle.dumps(state)


def plain_accuracy(estimator, X, y):
    """A scorer with no ``sample_weight`` parameter."""
    return float(np.mean(estimator.predict(X) == y))


def _held_out_rows(X, y, **params):
    """The indices of the rows that early stopping holds out, as a scorer sees them."""
    seen = []

    def scorer(estimator, X_val, y_val):
        seen.append(X_val.copy())
        return plain_accuracy(estimator, X_val, y_val)

    TwoLayerNetClassifier(
        max_iter=1, early_stopping=True, scoring=scorer, **params
    ).fit(X, y)
    return np.flatnonzero((X[:, None, :] == seen[0][None, :, :]).all(-1).any(1))


# ------------------------------------------------------ a validation set given


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(X_val=np.ones((5, 3)), y_val=np.zeros(5)), "X_val has 3 features"),
        (dict(X_val=np.full((5, 4), np.nan), y_val=np.zeros(5)), "X_val contains NaN"),
        (dict(X_val=np.ones((5, 4)), y_val=np.zeros(4)), "y_val has 4 samples"),
        (dict(X_val=np.ones((5, 4)), y_val=np.full(5, 7)), "`y_val` has classes"),
        (dict(X_val=np.ones((5, 4)), y_val=[0, 1, 2, 0, np.nan]), "y_val has a miss"),
        (dict(X_val=np.ones(5), y_val=np.zeros(5)), "X_val must be 2-D"),
        (dict(X_val=np.ones((5, 4))), "X_val and y_val must be given together"),
        (dict(y_val=np.zeros(5)), "X_val and y_val must be given together"),
        (
            dict(X_val=np.ones((5, 4)), y_val=np.zeros(5), sample_weight_val=[1, 2]),
            r"sample_weight_val has shape \(2,\)",
        ),
        (
            dict(
                X_val=np.ones((5, 4)), y_val=np.zeros(5), sample_weight_val=-np.ones(5)
            ),
            "sample_weight_val has negative values",
        ),
        (
            dict(
                X_val=np.ones((5, 4)), y_val=np.zeros(5), sample_weight_val=np.zeros(5)
            ),
            "sample_weight_val is zero for every row",
        ),
    ],
)
def test_validation_set_errors_name_the_validation_arguments(
    fitted, blobs, kwargs, match
):
    before = pickle.dumps(fitted)
    with pytest.raises(ValueError, match=match):
        fitted.fit(*blobs, **kwargs)
    assert pickle.dumps(fitted) == before


def test_a_given_validation_set_is_scored_and_nothing_is_held_out(blobs):
    X, y = blobs
    X_val, y_val = X[::3], y[::3]
    scorer = make_scorer(recall_score, average="macro")
    clf = TwoLayerNetClassifier(
        hidden_size=10,
        early_stopping=True,
        scoring=scorer,
        n_iter_no_change=3,
        max_iter=200,
        random_state=0,
    )
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    # No row of X was held out: every epoch saw all 120.
    assert clf.t_ == 120 * clf.n_iter_
    # The kept weights are those of the epoch the scorer liked best.
    best = int(np.argmax(clf.validation_scores_))
    assert clf.best_validation_score_ == clf.validation_scores_[best]
    assert scorer(clf, X_val, y_val) == pytest.approx(clf.best_validation_score_)


def test_lbfgs_scores_a_given_validation_set_at_every_iteration(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=5, solver="lbfgs", max_iter=15)
    clf.fit(X, y, X_val=X[:30], y_val=y[:30])
    assert clf.n_iter_ == len(clf.loss_curve_) == len(clf.validation_scores_)
    assert len(clf.validation_loss_curve_) == clf.n_iter_


def test_validation_curves_without_early_stopping(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=5, max_iter=7)
    clf.fit(X, y, X_val=X, y_val=y)
    assert len(clf.validation_loss_curve_) == len(clf.validation_scores_) == 7
    assert clf.best_validation_score_ is None
    assert clf.best_loss_ == min(clf.loss_curve_)


def test_scorer_on_a_dataframe_validation_set_is_silent(blobs):
    pd = pytest.importorskip("pandas")
    X, y = blobs
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = TwoLayerNetClassifier(
        hidden_size=4, max_iter=3, early_stopping=True, scoring="f1_macro"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(frame, y, X_val=frame[:30], y_val=y[:30])
    assert len(clf.validation_scores_) == 3
    assert list(clf.feature_names_in_) == ["a", "b", "c", "d"]


def test_a_dataframe_validation_set_with_other_columns_is_named(blobs):
    pd = pytest.importorskip("pandas")
    X, y = blobs
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = TwoLayerNetClassifier(
        hidden_size=4, max_iter=30, early_stopping=True, random_state=0
    ).fit(frame, y)
    before = pickle.dumps(clf)
    for other in (frame[["b", "a", "c", "d"]], frame.rename(columns={"a": "z"})):
        with pytest.raises(ValueError, match="X_val's columns must be X's"):
            clf.fit(frame, y, X_val=other, y_val=y)
        assert pickle.dumps(clf) == before
    with pytest.warns(UserWarning, match="X_val does not have valid feature names"):
        clf.fit(frame, y, X_val=X, y_val=y)
    with pytest.warns(UserWarning, match="X_val has feature names"):
        TwoLayerNetClassifier(
            hidden_size=4, max_iter=30, early_stopping=True, random_state=0
        ).fit(X, y, X_val=frame, y_val=y)


def _returns(score, estimator, X, y):
    """A scorer that returns ``score``, whatever the model."""
    return score


def test_a_scorer_may_return_any_real_number(fitted, blobs):
    for score in (np.True_, Decimal("0.6"), np.float16(0.5), np.array(0.3), 1):
        fitted.set_params(
            early_stopping=True, scoring=functools.partial(_returns, score)
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitted.fit(*blobs)
        assert fitted.best_validation_score_ == float(score)


@pytest.mark.parametrize(
    "score",
    [None, np.array([0.5, 0.7]), 0.5 + 1j, np.array("0.5"), "0.5"],
    ids=["None", "array", "complex", "0-d-string-array", "string"],
)
def test_a_scorer_that_returns_no_number_is_named(fitted, blobs, score):
    fitted.set_params(early_stopping=True, scoring=functools.partial(_returns, score))
    before = pickle.dumps(fitted)
    with pytest.raises(TypeError, match="a scorer must return one real number"):
        fitted.fit(*blobs)
    assert pickle.dumps(fitted) == before


def test_a_warm_start_scored_by_another_scorer_starts_the_best_over():
    # The best accuracy of the first fit was a bar that no log loss could
    # reach: the new epochs were thrown away, silently.
    X, y = make_classification(600, 6, n_informative=4, n_classes=3, random_state=0)
    clf = TwoLayerNetClassifier(
        hidden_size=16,
        max_iter=30,
        learning_rate_init=0.01,
        early_stopping=True,
        warm_start=True,
        n_iter_no_change=100,
        random_state=0,
    )
    clf.fit(X, y)
    first = clf.coefs_[0].copy()
    clf.set_params(scoring="neg_log_loss").fit(X, y)
    assert not np.array_equal(clf.coefs_[0], first)
    assert clf.best_validation_score_ == max(clf.validation_scores_[30:]) < 0


def test_the_stopping_rule_carries_over_under_the_same_scorer_only():
    rule = _Plateau(0.0, 10, "validation score", best=0.9, count=3, scorer="accuracy")
    carried = rule.resumed(1e-4, 20, "validation score", "accuracy")
    assert (carried.best, carried.count, carried.tol) == (0.9, 3, 1e-4)
    fresh = rule.resumed(1e-4, 20, "validation score", "neg_log_loss")
    assert (fresh.best, fresh.count, fresh.scorer) == (-np.inf, 0, "neg_log_loss")
    assert rule.resumed(0.0, 10, "training loss").best == -np.inf
    # A rule pickled by 0.4 names no scorer: carried over, as it was.
    legacy = replace(rule, scorer=None)
    assert legacy.resumed(0.0, 10, "validation score", "accuracy").best == 0.9

    # A scoring string names itself; a callable is unknown, which starts
    # over even against itself: make_scorer names only its function (a local
    # one of another metric had the same name), functools.wraps copies names.
    def name(scoring):
        return _EarlyStopping(
            None, enabled=True, scoring=scoring, default_score=None
        ).scorer_name

    assert name("neg_log_loss") == "neg_log_loss" and name(None) == "None"
    for scorer in (
        make_scorer(recall_score, average="macro"),
        plain_accuracy,
        functools.partial(_returns, 0.5),
        lambda est, X, y: 0.5,
    ):
        assert name(scorer) == "?"
    unknown = replace(rule, scorer="?")
    assert unknown.resumed(0.0, 10, "validation score", "?").best == -np.inf


def test_a_warm_start_scored_by_a_callable_starts_the_best_over(blobs):
    X, y = blobs

    def scorer_of(shift):
        def score(y_true, y_pred):
            return accuracy_score(y_true, y_pred) - shift

        return make_scorer(score)

    clf = TwoLayerNetClassifier(
        hidden_size=5,
        max_iter=30,
        early_stopping=True,
        n_iter_no_change=3,
        warm_start=True,
        random_state=0,
        scoring=scorer_of(0),
    )
    clf.fit(X, y)
    n_epochs = clf.n_iter_
    # Another metric, one name: its scores lost to the best accuracy.
    clf.set_params(scoring=scorer_of(10)).fit(X, y)
    assert clf.best_validation_score_ == max(clf.validation_scores_[n_epochs:]) < 0


# ---------------------------------------------------- a validation set held out


def test_early_stopping_keeps_the_best_epoch_of_a_held_out_set(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(
        hidden_size=10,
        early_stopping=True,
        validation_fraction=0.25,
        n_iter_no_change=3,
        max_iter=300,
        random_state=0,
    )
    clf.fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ == len(clf.validation_loss_curve_)
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None
    assert clf.t_ == clf.n_iter_ * 90  # a quarter of the rows held out


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_early_stopping_holds_out_what_mlpclassifier_holds_out(blobs, kind):
    X, y = blobs
    if kind == "binary":
        y = y % 2
    params = dict(
        early_stopping=True,
        solver="sgd",
        learning_rate_init=0.05,
        validation_fraction=0.2,
        n_iter_no_change=3,
        max_iter=40,
        random_state=1,
    )
    ours = TwoLayerNetClassifier(hidden_size=7, **params).fit(X, y)
    theirs = MLPClassifier(hidden_layer_sizes=(7,), **params).fit(X, y)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=1e-12)
    assert ours.best_validation_score_ == theirs.best_validation_score_
    assert_allclose(ours.coefs_[0], theirs.coefs_[0], rtol=1e-6)


@pytest.mark.parametrize(
    "n_classes, per_class", [(20, 6), (1000, 2)], ids=["20x6", "1000x2"]
)
def test_early_stopping_trains_on_many_small_classes(n_classes, per_class):
    y = np.repeat(np.arange(n_classes), per_class)
    X = np.random.RandomState(0).normal(size=(len(y), 3))
    clf = TwoLayerNetClassifier(hidden_size=4, max_iter=2, early_stopping=True)
    clf.fit(X, y)
    assert clf.n_iter_ == 2


def test_a_too_small_hold_out_says_so(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(early_stopping=True, validation_fraction=0.05)
    with pytest.raises(ValueError, match="too small: .* hold out 1 of the 20 samples"):
        clf.fit(X[:20], np.arange(20) % 2)


@pytest.mark.parametrize("labels", [(0, 1), ("a", "b")])
def test_a_hold_out_a_class_cannot_be_stratified_in_is_a_clear_error(blobs, labels):
    # scikit-learn's words named the class True: the split is stratified on
    # the label binarizer's column (scikit-learn#13164's kind of input).
    X, y = blobs
    y = np.where(np.arange(len(y)) == 0, labels[1], labels[0])  # one of the 2nd
    clf = TwoLayerNetClassifier(early_stopping=True)
    message = (
        r"cannot be drawn. Stratified by class: The least populated class.* \(the "
        rf"class {labels[1]!r} of y has a single row"
    )
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)


def test_a_regressors_hold_out_is_never_said_to_be_stratified():
    X = np.random.RandomState(0).normal(size=(2, 3))
    reg = TwoLayerNetRegressor(early_stopping=True, validation_fraction=0.9)
    with pytest.raises(ValueError, match="too small") as error:
        reg.fit(X, [1.0, 2.0])
    assert "Stratified" not in str(error.value)


@pytest.mark.parametrize(
    "side, match",
    [
        (
            "held out",
            "Early stopping cannot rank models on the validation set held out for "
            "early stopping: it has 0 rows of non-zero weight",
        ),
        ("left to train on", "samples left to train on .* all have zero weight"),
    ],
)
def test_a_side_of_the_split_that_weighs_nothing_is_a_clear_error(
    blobs, steps, side, match
):
    X, y = blobs
    held_out = _held_out_rows(X, y, hidden_size=4, random_state=0)
    assert len(held_out) == 12
    sw = np.ones(len(y))
    if side == "held out":
        sw[held_out] = 0.0
    else:
        sw[:] = 0.0
        sw[held_out] = 1.0
    clf = TwoLayerNetClassifier(hidden_size=4, early_stopping=True, random_state=0)
    steps.clear()
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y, sample_weight=sw)
    assert steps == []
    assert not hasattr(clf, "coefs_")


# ------------------------------------------------------------------- scorers


# Seed 90 holds out rows of two classes only (the split of a multiclass target
# is not stratified, as in MLPClassifier): the advice is still multiclass's,
# without the scorers of every class's probability, which fail there.
@pytest.mark.parametrize("seed", [0, 90])
def test_a_scorer_that_does_not_fit_the_target_fails_before_training(
    blobs, steps, seed
):
    clf = TwoLayerNetClassifier(
        hidden_size=4, early_stopping=True, scoring="roc_auc", random_state=seed
    )
    with pytest.raises(
        ValueError, match="The validation targets are multiclass"
    ) as info:
        clf.fit(*blobs)
    assert steps == []
    message = str(info.value)
    if seed == 0:
        assert "scorers that fit them include" in message and "roc_auc_ovr" in message
    else:
        assert "with 2 of the model's 3 classes" in message
        assert "'roc_auc_ovr') cannot score them; 'accuracy'" in message
    assert "Or scoring='loss'" in message
    assert not hasattr(clf, "coefs_")


def test_a_scorer_that_is_nan_before_training_fails_before_training(
    fitted, blobs, steps
):
    nan_scorer = make_scorer(lambda y_true, y_pred: float("nan"))
    fitted.set_params(early_stopping=True, scoring=nan_scorer)
    before = _bytes(fitted)
    steps.clear()
    with pytest.raises(
        ValueError,
        match=r"validation score .* is NaN on the validation set held out for "
        r"early stopping before training",
    ):
        fitted.fit(*blobs)
    assert steps == []
    assert _bytes(fitted) == before


class ScoreThenNaN:
    """Accuracy for ``n_ok`` calls, then ``bad`` (NaN by default)."""

    def __init__(self, n_ok, bad=math.nan):
        self.n_ok, self.calls, self.bad = n_ok, 0, bad

    def __call__(self, estimator, X, y):
        self.calls += 1
        if self.calls <= self.n_ok:
            return plain_accuracy(estimator, X, y)
        return self.bad


@pytest.mark.parametrize("early_stopping", [True, False])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_score_that_turns_nan_or_infinite_during_training_is_an_error(
    fitted, blobs, early_stopping, bad
):
    # An infinite score was taken: +inf the best for ever, whose epoch's
    # weights early stopping restored.
    X, y = blobs
    # The try on the initial network, epochs 1 and 2, then NaN at epoch 3.
    fitted.set_params(
        early_stopping=early_stopping, scoring=ScoreThenNaN(3, bad), warm_start=True
    )
    before = _bytes(fitted)
    said = "NaN" if math.isnan(bad) else str(bad)
    with pytest.raises(ValueError, match=rf"validation score .* is {said} at epoch 3"):
        fitted.fit(X, y, X_val=X[::4], y_val=y[::4])
    assert _bytes(fitted) == before


@pytest.mark.parametrize("weights", ["class_weight='balanced'", "dict", "ones"])
def test_a_scorer_without_sample_weight_works_with_weighted_training(blobs, weights):
    X, y = blobs
    params, fit_params = {}, {}
    if weights == "class_weight='balanced'":
        params = dict(class_weight="balanced")
    elif weights == "dict":
        params = dict(class_weight={0: 1.0, 1: 2.0, 2: 0.5})
    else:
        fit_params = dict(sample_weight=np.ones(len(y)))
    clf = TwoLayerNetClassifier(
        hidden_size=5,
        max_iter=3,
        early_stopping=True,
        scoring=plain_accuracy,
        random_state=0,
        **params,
    )
    clf.fit(X, y, **fit_params)
    assert len(clf.validation_scores_) == 3
    assert all(0 <= score <= 1 for score in clf.validation_scores_)


def test_a_scorer_that_takes_sample_weight_receives_the_validation_weights(blobs):
    X, y = blobs
    rng = np.random.RandomState(0)
    received = []

    def scorer(estimator, X, y, sample_weight=None):
        received.append((X.copy(), sample_weight))
        return accuracy_score(y, estimator.predict(X), sample_weight=sample_weight)

    params = dict(hidden_size=5, max_iter=3, scoring=scorer, random_state=0)
    # Given: sample_weight_val, at the try and at every epoch.
    sw_val = rng.uniform(0.5, 2, size=30)
    TwoLayerNetClassifier(**params).fit(
        X, y, X_val=X[:30], y_val=y[:30], sample_weight_val=sw_val
    )
    assert len(received) == 1 + 3
    for _, weights in received:
        assert_allclose(weights, sw_val, rtol=0)
    # Held out: each row's sample weight times its class weight.
    received.clear()
    class_weight = {0: 1.0, 1: 2.0, 2: 0.5}
    sw = rng.uniform(0.5, 2, size=len(y))
    weight_of_row = {
        row.tobytes(): w * class_weight[label]
        for row, w, label in zip(X, sw, y, strict=True)
    }
    TwoLayerNetClassifier(early_stopping=True, class_weight=class_weight, **params).fit(
        X, y, sample_weight=sw
    )
    assert len(received) == 1 + 3
    for X_val, weights in received:
        assert len(X_val) == 12
        expected = [weight_of_row[row.tobytes()] for row in X_val]
        assert_allclose(weights, expected, rtol=1e-12)


def test_scoring_loss_records_the_negated_validation_loss(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(
        hidden_size=5, scoring="loss", early_stopping=True, max_iter=20
    )
    clf.fit(X, y, X_val=X[:30], y_val=y[:30])
    assert_allclose(clf.validation_scores_, -np.array(clf.validation_loss_curve_))


# ---------------------------------------------------------- validation curves


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("solver", ["lbfgs", "sgd", "adam"])
def test_the_validation_loss_measures_what_the_training_loss_measures(
    blobs, solver, weighted
):
    # Both include the L2 penalty, charged as the training loss charges it, so
    # on the training set itself the curves agree: exactly for L-BFGS, whose
    # loss is that of the iterate; closely for a small learning rate, where an
    # epoch's mean loss is over weights that move a little. (Before issue #18
    # the validation loss had no penalty: 45% lower for L-BFGS, 30% for these.)
    X, y = blobs
    sw = np.random.RandomState(0).uniform(0.5, 2, size=len(y)) if weighted else None
    clf = TwoLayerNetClassifier(
        hidden_size=10,
        solver=solver,
        alpha=1.0,
        batch_size=16,
        learning_rate_init=1e-4,
        max_iter=5,
        random_state=0,
    )
    clf.fit(X, y, sample_weight=sw, X_val=X, y_val=y, sample_weight_val=sw)
    rtol = 1e-9 if solver == "lbfgs" else 0.05
    assert_allclose(clf.validation_loss_curve_, clf.loss_curve_, rtol=rtol)


# ------------------------------------------------ the stopping rule, best weights


def test_stops_when_the_training_loss_stops_improving(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(
        solver="sgd", learning_rate_init=0.1, tol=1.0, n_iter_no_change=2, max_iter=100
    ).fit(X, y)
    # After its first epochs the loss cannot improve by tol=1 any more: the
    # count of epochs without improvement passes 2 three epochs after the last
    # improvement.
    losses = clf.loss_curve_
    last_improvement = max(
        i
        for i in range(len(losses))
        if losses[i] < min(losses[:i], default=np.inf) - 1.0
    )
    assert clf.n_iter_ == last_improvement + 1 + 3 < 100


# --------------------------------------- a validation set that cannot rank models


def _zero_heavy():
    """60 rows, 51 of whose targets are exactly 0."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = np.zeros(60)
    nonzero = rng.permutation(60)[:9]
    y[nonzero] = X[nonzero, 0] + 1
    return X, y


def _cannot_rank_cases():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y_reg = X @ [1.0, 2.0, 3.0]
    y_bin = (X[:, 0] > 0).astype(int)
    one_row = np.zeros(10)
    one_row[3] = 1.0
    return {
        # random_state=1 holds out 6 rows whose targets are all 0: R² is 0.0
        # whatever the network predicts.
        "held-out-target-all-zero": (
            TwoLayerNetRegressor(random_state=1),
            _zero_heavy(),
            {},
        ),
        "constant-y_val": (
            TwoLayerNetRegressor(random_state=0),
            (X, y_reg),
            dict(X_val=X[:10], y_val=np.full(10, 2.0)),
        ),
        "one-row-of-non-zero-weight": (
            TwoLayerNetClassifier(random_state=0),
            (X, y_bin),
            dict(X_val=X[:10], y_val=y_bin[:10], sample_weight_val=one_row),
        ),
        "one-class-for-roc_auc": (
            TwoLayerNetClassifier(scoring="roc_auc", random_state=0),
            (X, y_bin),
            dict(X_val=X[:10], y_val=np.ones(10, dtype=int)),
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "held-out-target-all-zero",
        "constant-y_val",
        "one-row-of-non-zero-weight",
        "one-class-for-roc_auc",
    ],
)
def test_a_validation_set_whose_score_cannot_move_is_refused_before_training(
    steps, case
):
    estimator, (X, y), validation = _cannot_rank_cases()[case]
    estimator.set_params(hidden_size=4, max_iter=5)
    estimator.fit(X, y)  # without early stopping: the estimator to keep
    estimator.set_params(early_stopping=True)
    before = pickle.dumps(estimator)
    steps.clear()
    with pytest.raises(ValueError) as info:
        estimator.fit(X, y, **validation)
    assert steps == []
    assert pickle.dumps(estimator) == before
    message = str(info.value)
    assert "X_val and y_val" in message and "scoring='loss'" in message, message


@pytest.mark.parametrize(
    "case",
    [
        "held-out-target-all-zero",
        "constant-y_val",
        "one-row-of-non-zero-weight",
        "one-class-for-roc_auc",
    ],
)
def test_the_way_out_scoring_loss_trains_on_the_same_data(case):
    estimator, (X, y), validation = _cannot_rank_cases()[case]
    estimator.set_params(hidden_size=4, max_iter=5, early_stopping=True)
    estimator.set_params(scoring="loss").fit(X, y, **validation)
    assert estimator.n_iter_ == 5
    assert len(set(estimator.validation_scores_)) > 1


def test_a_constant_target_is_refused_only_when_the_score_cannot_move():
    X, y = _zero_heavy()
    seen = []

    def neg_mse(estimator, X, y):
        seen.append(y.copy())
        return -float(np.mean((estimator.predict(X) - y) ** 2))

    reg = TwoLayerNetRegressor(
        hidden_size=4, max_iter=5, early_stopping=True, scoring=neg_mse, random_state=1
    ).fit(X, y)
    # The same held-out rows, all of target 0, as for R² above: the squared
    # error tells networks apart on them, so they train.
    assert all(len(y_val) == 6 and not y_val.any() for y_val in seen)
    assert reg.n_iter_ == 5
    assert len(set(reg.validation_scores_)) > 1


@pytest.mark.parametrize("multilabel", [False, True])
def test_balanced_class_weights_weigh_the_validation_rows_as_training_does(
    multilabel,
):
    # 'balanced' was computed again on y_val: a y_val lacking a class was
    # refused ("classes should have valid labels that are in y"), and the
    # others' rows weighed by y_val's frequencies, not y's.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    if multilabel:
        y = (X[:, :3] + rng.normal(size=(300, 3)) > [-1.0, 0.0, 1.0]).astype(int)
        y_val = y[:40].copy()
        y_val[:, 2] = 0  # a label column with one class
    else:
        y = np.digitize(X[:, 0] + 0.3 * rng.normal(size=300), [-1.0, 1.2])
        y_val = np.where(y[:40] == 2, 0, y[:40])  # without class 2
    seen = {}

    def weights_seen(estimator, X, y, sample_weight=None):
        seen["weights"] = sample_weight
        return 0.0

    clf = TwoLayerNetClassifier(
        hidden_size=4, max_iter=2, class_weight="balanced", scoring=weights_seen
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y, X_val=X[:40], y_val=y_val)
    if not multilabel:
        per_class = dict(zip(*np.unique(y, return_counts=True), strict=True))
        training = np.array([300 / (3 * per_class[label]) for label in y_val])
    else:
        training = np.ones(40)
        for column in range(3):
            values, counts = np.unique(y[:, column], return_counts=True)
            per_value = dict(zip(values, 300 / (len(values) * counts), strict=True))
            training *= [per_value.get(v, 1.0) for v in y_val[:, column]]
    assert_allclose(seen["weights"], training)


def test_a_sparse_multilabel_y_val_is_taken_as_y_is():
    # A sparse indicator matrix was accepted as y and refused as y_val.
    sparse = pytest.importorskip("scipy.sparse")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4))
    Y = (X[:, :3] + rng.normal(size=(80, 3)) > 0).astype(int)
    params = dict(hidden_size=4, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = TwoLayerNetClassifier(**params).fit(X, Y, X_val=X[:20], y_val=Y[:20])
        csr = TwoLayerNetClassifier(**params).fit(
            X, sparse.csr_matrix(Y), X_val=X[:20], y_val=sparse.csr_matrix(Y[:20])
        )
    assert csr.validation_scores_ == dense.validation_scores_
    with pytest.raises(TypeError, match="y_val is a sparse matrix, but regression"):
        TwoLayerNetRegressor(max_iter=1).fit(
            X, Y, X_val=X[:20], y_val=sparse.csr_matrix(Y[:20])
        )
