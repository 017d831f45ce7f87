"""A fit is a transaction: validated before the first epoch, committed an epoch
at a time, restored exactly when it fails, consistent when interrupted.

Each test here fails on the design before ``_base.py`` (see issue "Fit is a
transaction"); "unchanged" always means equal pickled bytes.
"""

import os
import pickle
import threading
import warnings
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import make_scorer
from sklearn.neural_network import MLPClassifier

from skmlp_numpy import TwoLayerNetClassifier
from skmlp_numpy._batches import _Batches
from skmlp_numpy._network import TwoLayerNet

pytestmark = pytest.mark.usefixtures("quiet")


def _weights(clf):
    return clf.coefs_ + clf.intercepts_


def _bytes(clf):
    """The pickled estimator, less its ``scoring`` object, whose own state (a
    call count, say) is the user's to change."""
    state = dict(vars(clf))
    state.pop("scoring")
    return pickle.dumps(state)


def assert_same_model(a, b):
    """Equal weights, counters and curves."""
    for u, v in zip(_weights(a), _weights(b), strict=True):
        assert_array_equal(u, v)
    for name in ("n_iter_", "t_", "loss_curve_", "validation_scores_"):
        assert getattr(a, name) == getattr(b, name), name
    assert a.validation_loss_curve_ == b.validation_loss_curve_


@pytest.fixture
def fitted(blobs):
    X, y = blobs
    return TwoLayerNetClassifier(hidden_size=5, max_iter=3, random_state=0).fit(X, y)


# ------------------------------------------------------- failures change nothing


def test_partial_fit_first_call_rejects_labels_outside_classes(blobs):
    X, y = blobs
    y = np.arange(len(y)) % 10
    clf = TwoLayerNetClassifier(hidden_size=4)
    before = pickle.dumps(clf)
    with pytest.raises(ValueError, match=r"classes not in `self.classes_`.*\[9\]"):
        clf.partial_fit(X, y, classes=list(range(9)))
    assert pickle.dumps(clf) == before
    assert not hasattr(clf, "classes_")


class FailingScorer:
    """A scorer that works ``n_ok`` times, then raises."""

    def __init__(self, n_ok):
        self.n_ok = n_ok
        self.calls = 0

    def __call__(self, estimator, X, y, sample_weight=None):
        self.calls += 1
        if self.calls > self.n_ok:
            raise RuntimeError("scorer failed")
        return float(np.mean(estimator.predict(X) == y))


def test_a_failed_warm_fit_leaves_the_validation_curves_as_they_were(blobs):
    X, y = blobs
    scorer = FailingScorer(n_ok=1 + 3 + 1 + 1)  # first fit: a try and 3 epochs
    clf = TwoLayerNetClassifier(
        hidden_size=5, max_iter=3, warm_start=True, scoring=scorer, random_state=0
    )
    clf.fit(X, y, X_val=X[:30], y_val=y[:30])
    before = _bytes(clf)
    with pytest.raises(RuntimeError, match="scorer failed"):
        clf.fit(X, y, X_val=X[:30], y_val=y[:30])  # fails in its second epoch
    assert _bytes(clf) == before
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == 3


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_any_exception_during_training_restores_the_previous_model(
    fitted, blobs, solver
):
    X, y = blobs
    fitted.set_params(solver=solver, warm_start=True, max_iter=10)
    before = pickle.dumps(fitted)
    calls = []
    real = TwoLayerNet.loss_grad

    def fail_on_the_fifth(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise MemoryError("out of memory")
        return real(self, *args, **kwargs)

    with mock.patch.object(TwoLayerNet, "loss_grad", fail_on_the_fifth):
        with pytest.raises(MemoryError):
            fitted.fit(X, y)
    assert pickle.dumps(fitted) == before


def test_keyboard_interrupt_during_validation_scoring_keeps_a_consistent_epoch(blobs):
    X, y = blobs

    class InterruptingScorer(FailingScorer):
        def __call__(self, estimator, X, y, sample_weight=None):
            if self.calls == self.n_ok:
                raise KeyboardInterrupt
            return super().__call__(estimator, X, y)

    params = dict(hidden_size=5, random_state=0, n_iter_no_change=100)
    validation = dict(X_val=X[:30], y_val=y[:30])
    reference = TwoLayerNetClassifier(max_iter=2, scoring=FailingScorer(100), **params)
    reference.fit(X, y, **validation)
    # The scorer's try on the initial model, then epochs 1 and 2, then Ctrl-C.
    clf = TwoLayerNetClassifier(max_iter=10, scoring=InterruptingScorer(3), **params)
    with pytest.warns(UserWarning, match="interrupted by the user after 2"):
        clf.fit(X, y, **validation)
    assert clf.n_iter_ == len(clf.loss_curve_) == 2
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == 2
    assert_same_model(clf, reference)


def test_keyboard_interrupt_before_the_first_epoch_ends_restores_and_propagates(
    fitted, blobs
):
    X, y = blobs
    before = pickle.dumps(fitted)
    with mock.patch.object(TwoLayerNet, "loss_grad", side_effect=KeyboardInterrupt):
        with pytest.raises(KeyboardInterrupt):
            fitted.fit(X, y)
    assert pickle.dumps(fitted) == before


def test_a_nan_validation_score_is_an_error_not_untrained_weights(fitted, blobs):
    X, y = blobs
    nan_scorer = make_scorer(lambda y_true, y_pred: float("nan"))
    before = pickle.dumps(fitted)
    fitted.set_params(early_stopping=True, scoring=nan_scorer)
    with pytest.raises(ValueError, match="validation score .* is NaN at epoch 1"):
        fitted.fit(X, y)
    fitted.set_params(early_stopping=False, scoring=None)
    assert pickle.dumps(fitted) == before


def test_pickling_does_not_change_the_live_estimator(fitted):
    state = dict(vars(fitted))
    pickle.dumps(fitted)
    assert vars(fitted).keys() == state.keys()
    assert all(vars(fitted)[key] is value for key, value in state.items())


# ------------------------------------------------------------- validation sets


def test_lbfgs_scores_a_given_validation_set_at_every_iteration(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=5, solver="lbfgs", max_iter=15)
    clf.fit(X, y, X_val=X[:30], y_val=y[:30])
    assert clf.n_iter_ == len(clf.loss_curve_) == len(clf.validation_scores_)
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    with pytest.raises(ValueError, match="X_val has 3 features"):
        clf.fit(X, y, X_val=X[:30, :3], y_val=y[:30])


def test_lbfgs_warns_that_it_ignores_early_stopping(blobs):
    with pytest.warns(UserWarning, match="early_stopping=True has no effect"):
        TwoLayerNetClassifier(
            hidden_size=4, solver="lbfgs", early_stopping=True, max_iter=5
        ).fit(*blobs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(X_val=np.ones((5, 3)), y_val=np.zeros(5)), "X_val has 3 features"),
        (dict(X_val=np.full((5, 4), np.nan), y_val=np.zeros(5)), "X_val contains NaN"),
        (dict(X_val=np.ones((5, 4)), y_val=np.zeros(4)), "y_val has 4 samples"),
        (dict(X_val=np.ones((5, 4)), y_val=np.full(5, 7)), "`y_val` has classes"),
        (dict(X_val=np.ones((5, 4)), y_val=[0, 1, 2, 0, np.nan]), "y_val contains NaN"),
        (dict(X_val=np.ones((5, 4))), "X_val and y_val must be given together"),
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
            r"\(sample_weight_val\) must have a positive sum",
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


def test_a_scorer_that_does_not_fit_the_target_fails_before_training(blobs):
    clf = TwoLayerNetClassifier(hidden_size=4, early_stopping=True, scoring="roc_auc")
    with mock.patch.object(TwoLayerNet, "loss_grad") as loss_grad:
        with pytest.raises(ValueError, match="scorers that fit them include") as info:
            clf.fit(*blobs)
    assert loss_grad.call_count == 0
    assert "multiclass" in str(info.value) and "roc_auc_ovr" in str(info.value)
    assert not hasattr(clf, "coefs_")


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


def test_a_hold_out_a_class_cannot_be_stratified_in_is_a_clear_error(blobs):
    X, y = blobs
    y = (np.arange(len(y)) == 0).astype(int)  # one positive sample
    clf = TwoLayerNetClassifier(early_stopping=True)
    with pytest.raises(ValueError, match="cannot be drawn. Stratified by class: The"):
        clf.fit(X, y)


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
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(
        ours.validation_scores_, theirs.validation_scores_, rtol=1e-12
    )
    assert ours.best_validation_score_ == theirs.best_validation_score_
    np.testing.assert_allclose(ours.coefs_[0], theirs.coefs_[0], rtol=1e-6)


def test_held_out_rows_that_all_weigh_zero_are_a_clear_error(blobs):
    X, y = blobs
    sw = np.zeros(len(y))
    sw[0] = 1.0  # on one side of the split; the other side weighs nothing
    clf = TwoLayerNetClassifier(early_stopping=True)
    with pytest.raises(ValueError, match="held out for early stopping.*zero weight"):
        clf.fit(X, y, sample_weight=sw)


def test_batches_of_zero_weight_are_skipped_not_a_divergence(blobs):
    X, y = blobs
    sw = np.zeros(len(y))
    sw[:40] = 1.0
    clf = TwoLayerNetClassifier(hidden_size=4, batch_size=10, shuffle=False, max_iter=3)
    clf.fit(X, y, sample_weight=sw)
    assert np.isfinite(clf.loss_curve_).all()


# ------------------------------------------------------------------ weights


@pytest.mark.parametrize(
    "class_weight", [{0: -1.0}, {0: np.nan}, {0: np.inf}], ids=["neg", "nan", "inf"]
)
def test_bad_class_weight_is_named_before_training(fitted, blobs, class_weight):
    before = pickle.dumps(fitted)
    fitted.set_params(class_weight=class_weight)
    with pytest.raises(ValueError, match="class_weight must give every class"):
        fitted.fit(*blobs)
    fitted.set_params(class_weight=None)
    assert pickle.dumps(fitted) == before


def test_partial_fit_accepts_a_class_weight_dict_whose_classes_a_batch_lacks(blobs):
    X, y = blobs
    weights = {0: 2.0, 1: 1.0, 2: 0.5}
    clf = TwoLayerNetClassifier(
        hidden_size=4, class_weight=weights, shuffle=False, random_state=0
    )
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    reference = TwoLayerNetClassifier(hidden_size=4, shuffle=False, random_state=0)
    reference.partial_fit(
        X[y < 2],
        y[y < 2],
        sample_weight=np.where(y[y < 2] == 0, 2.0, 1.0),
        classes=[0, 1, 2],
    )
    assert clf.loss_curve_ == reference.loss_curve_


def test_class_weights_that_zero_every_sample_name_the_weights(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(class_weight={0: 0.0, 1: 0.0, 2: 0.0})
    with pytest.raises(ValueError, match=r"\(sample_weight\) must have a positive"):
        clf.fit(X, y)


# ---------------------------------------------------- continued training


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="adam"),
        dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.3),
        dict(solver="sgd", dropout=0.3),
    ],
    ids=["adam", "sgd-invscaling", "sgd-dropout"],
)
def test_warm_start_k_plus_k_equals_2k_bit_for_bit_with_shuffling(blobs, params):
    X, y = blobs
    common = dict(hidden_size=6, batch_size=16, n_iter_no_change=100, random_state=0)
    once = TwoLayerNetClassifier(max_iter=8, **common, **params).fit(X, y)
    twice = TwoLayerNetClassifier(max_iter=4, warm_start=True, **common, **params)
    twice.fit(X, y)
    twice.fit(X, y)
    assert twice.loss_curve_ == once.loss_curve_
    for a, b in zip(_weights(once), _weights(twice), strict=True):
        assert_array_equal(a, b)


def test_partial_fit_draws_a_new_shuffle_every_call(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=4, batch_size=10, random_state=0)
    orders = []
    real = TwoLayerNet.loss_grad

    def record(self, X_batch, *args, **kwargs):
        orders.append(X_batch[0].copy())
        return real(self, X_batch, *args, **kwargs)

    with mock.patch.object(TwoLayerNet, "loss_grad", record):
        clf.partial_fit(X, y, classes=[0, 1, 2])
        clf.partial_fit(X, y)
    assert not np.array_equal(orders[0], orders[12])  # the first batch of each call


# ---------------------------------------------- interrupted or failed anywhere


@st.composite
def interrupted_fits(draw):
    solver = draw(st.sampled_from(["adam", "sgd"]))
    validation = draw(st.sampled_from(["none", "given", "early_stopping"]))
    return dict(
        solver=solver,
        validation=validation,
        shuffle=draw(st.booleans()),
        dropout=draw(st.sampled_from([0.0, 0.3])),
        warm=draw(st.booleans()),
        where=draw(st.sampled_from(["step", "scorer"])),
        after=draw(st.integers(0, 40)),
        error=draw(st.sampled_from([KeyboardInterrupt, RuntimeError])),
        seed=draw(st.integers(0, 1000)),
        prefetch=draw(st.booleans()),
    )


def _interrupt_profile():
    return 15 if os.environ.get("SKMLP_HYPOTHESIS_PROFILE") != "long" else 300


@settings(
    max_examples=_interrupt_profile(),
    deadline=None,
    # The module's "quiet" fixture only silences warnings: harmless to share.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(interrupted_fits())
def test_interrupt_or_failure_anywhere_leaves_a_consistent_model(case):
    """The result is the pre-call model, or a committed epoch that an
    uninterrupted fit of that many epochs reproduces exactly."""
    rng = np.random.RandomState(case["seed"])
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] + rng.normal(scale=0.5, size=60) > 0).astype(int) + (X[:, 1] > 1)
    fit_kwargs = {}
    if case["validation"] == "given":
        fit_kwargs = dict(X_val=X[:15], y_val=y[:15])
    calls = {"n": 0, "armed": False}

    def maybe_fail():
        if not calls["armed"]:
            return
        calls["n"] += 1
        if calls["n"] > case["after"]:
            raise case["error"]()

    def scorer(estimator, X, y, sample_weight=None):
        if case["where"] == "scorer":
            maybe_fail()
        return float(np.mean(estimator.predict(X) == y))

    params = dict(
        hidden_size=4,
        solver=case["solver"],
        batch_size=16,
        shuffle=case["shuffle"],
        dropout=case["dropout"],
        early_stopping=case["validation"] == "early_stopping",
        n_iter_no_change=100,
        random_state=case["seed"],
        scoring=scorer,
    )

    def fresh(max_iter):
        clf = TwoLayerNetClassifier(max_iter=max_iter, warm_start=True, **params)
        if case["warm"]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf.fit(X, y, **fit_kwargs)  # a first fit of max_iter epochs
        return clf

    clf = fresh(3).set_params(max_iter=6)
    before = _bytes(clf)
    real_make = type(clf)._make_optimizer

    def failing_optimizer(self, network, carry):
        optimizer = real_make(self, network, carry)
        step = optimizer.step

        def failing_step(params, grads):
            if case["where"] == "step":
                maybe_fail()
            step(params, grads)

        optimizer.step = failing_step
        return optimizer

    outcome = "returned"
    calls["armed"] = True
    threads_before = threading.active_count()
    prefetch_from = 0 if case["prefetch"] else _Batches.PREFETCH_MIN_VALUES
    with (
        mock.patch.object(type(clf), "_make_optimizer", failing_optimizer),
        mock.patch.object(_Batches, "PREFETCH_MIN_VALUES", prefetch_from),
        mock.patch("skmlp_numpy._base._spare_core", lambda: case["prefetch"]),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                clf.fit(X, y, **fit_kwargs)
            except (KeyboardInterrupt, RuntimeError):
                outcome = "raised"
    assert threading.active_count() == threads_before  # no gathering thread left
    if outcome == "raised":
        assert _bytes(clf) == before
        return
    # Returned: a complete fit, or an interrupted one that kept n_iter_ epochs.
    assert clf.n_iter_ >= 1
    calls["armed"] = False
    reference = fresh(3)
    reference.set_params(max_iter=clf.n_iter_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference.fit(X, y, **fit_kwargs)
    assert_same_model(clf, reference)
    assert clf.best_loss_ == reference.best_loss_
    assert clf.best_validation_score_ == reference.best_validation_score_


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_convergence_warning_points_at_the_callers_line(blobs, solver):
    with pytest.warns(ConvergenceWarning) as record:
        warnings.simplefilter("always")
        TwoLayerNetClassifier(hidden_size=3, solver=solver, max_iter=1).fit(*blobs)
    assert record[0].filename == __file__


# ------------------------------------------------- batches gathered ahead


@pytest.fixture
def prefetch_always(monkeypatch):
    """Gather every shuffled batch on the second thread, however small."""
    monkeypatch.setattr(_Batches, "PREFETCH_MIN_VALUES", 0)
    monkeypatch.setattr("skmlp_numpy._base._spare_core", lambda: True)


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="adam"),
        dict(solver="sgd", dtype=np.float32),
        dict(solver="adam", early_stopping=True, dropout=0.2),
    ],
    ids=["adam", "sgd-cast", "early-stopping-dropout"],
)
def test_batches_gathered_ahead_train_the_same_network_bit_for_bit(
    blobs, monkeypatch, params
):
    X, y = blobs
    sw = np.random.RandomState(0).uniform(0.5, 2, size=len(y))
    common = dict(hidden_size=5, batch_size=16, max_iter=6, random_state=0, **params)
    sequential = TwoLayerNetClassifier(**common).fit(X, y, sample_weight=sw)
    monkeypatch.setattr(_Batches, "PREFETCH_MIN_VALUES", 0)
    monkeypatch.setattr("skmlp_numpy._base._spare_core", lambda: True)
    seen = []
    real_gather = _Batches._gather

    def gather(self, rows, buffers):
        seen.append(threading.current_thread().name)
        return real_gather(self, rows, buffers)

    monkeypatch.setattr(_Batches, "_gather", gather)
    ahead = TwoLayerNetClassifier(**common).fit(X, y, sample_weight=sw)
    assert set(seen) == {"skmlp_numpy batch gather"}
    assert ahead.loss_curve_ == sequential.loss_curve_
    for a, b in zip(_weights(ahead), _weights(sequential), strict=True):
        assert_array_equal(a, b)


@pytest.mark.usefixtures("prefetch_always")
def test_ctrl_c_while_batches_are_gathered_ahead_leaves_no_thread(blobs):
    X, y = blobs
    before = threading.active_count()
    calls = []
    real = TwoLayerNet.loss_grad

    def interrupt_in_epoch_two(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 12:  # 8 batches an epoch
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    clf = TwoLayerNetClassifier(hidden_size=4, batch_size=16, random_state=0)
    with mock.patch.object(TwoLayerNet, "loss_grad", interrupt_in_epoch_two):
        with pytest.warns(UserWarning, match="interrupted by the user after 1"):
            clf.fit(X, y)
    assert threading.active_count() == before
    assert clf.n_iter_ == 1


@pytest.mark.usefixtures("prefetch_always")
def test_an_error_in_the_gathering_thread_reaches_the_caller(fitted, blobs):
    X, y = blobs
    before_threads = threading.active_count()
    fitted.set_params(warm_start=True, batch_size=16)
    before = pickle.dumps(fitted)
    calls = []
    real_gather = _Batches._gather

    def failing(self, rows, buffers):
        calls.append(1)
        if len(calls) == 5:
            raise MemoryError("no memory for the batch")
        return real_gather(self, rows, buffers)

    with mock.patch.object(_Batches, "_gather", failing):
        with pytest.raises(MemoryError, match="no memory for the batch"):
            fitted.fit(X, y)
    assert threading.active_count() == before_threads
    assert pickle.dumps(fitted) == before


@pytest.mark.parametrize("blas_threads, spare", [(1, True), (2, False)])
def test_batches_are_gathered_ahead_only_when_blas_leaves_a_core(
    monkeypatch, blas_threads, spare
):
    from threadpoolctl import threadpool_info, threadpool_limits

    from skmlp_numpy._base import _spare_core

    if not any(pool["user_api"] == "blas" for pool in threadpool_info()):
        pytest.skip("threadpoolctl finds no BLAS library to limit here")
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    with threadpool_limits(limits=blas_threads, user_api="blas"):
        assert _spare_core() is spare


def test_a_model_from_0_1_cannot_continue_training_and_says_why(fitted, blobs):
    X, y = blobs
    del fitted._stream, fitted._stream_epochs  # what a 0.1.0 pickle lacks
    fitted.set_params(warm_start=True)
    before = pickle.dumps(fitted)
    with pytest.raises(ValueError, match="skmlp_numpy < 0.2"):
        fitted.fit(X, y)
    with pytest.raises(ValueError, match="skmlp_numpy < 0.2"):
        fitted.partial_fit(X, y)
    assert pickle.dumps(fitted) == before
    assert fitted.predict(X).shape == (len(y),)
    fitted.set_params(warm_start=False).fit(X, y)  # a new network trains
