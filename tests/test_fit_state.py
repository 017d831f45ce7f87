"""A fit is a transaction, and what one fit hands the next.

A failure anywhere restores the estimator byte for byte; Ctrl-C keeps the last
committed epoch, equal to an uninterrupted fit of that many epochs; warm
starts and partial_fit continue the optimizer, the stopping rule and the
random stream, so that k + k epochs equal 2k (sgd, adam); models pickled by
older versions continue, or say why they cannot.

Failures are raised through public seams: the optimizers' ``step``, a scorer,
the network's ``loss_grad`` (the function L-BFGS evaluates). "Unchanged"
always means equal pickled bytes.
"""

import copy
import functools
import gc
import inspect
import os
import pickle
import re
import signal
import sys
import threading
import tracemalloc
import warnings
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal
from scipy import sparse
from sklearn.exceptions import InconsistentVersionWarning

from skmlp_numpy import DivergenceError, TwoLayerNetClassifier, TwoLayerNetRegressor
from skmlp_numpy._fit_state import copied_stream, draw_epoch, rewound_stream
from skmlp_numpy._network import TwoLayerNet
from skmlp_numpy._optimizers import SGD, Adam

pytestmark = pytest.mark.usefixtures("quiet")

ROOT = Path(__file__).resolve().parents[1]
OPTIMIZER = {"adam": Adam, "sgd": SGD}


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


def failing_step(optimizer, monkeypatch, at, error):
    """Make call number ``at`` of ``optimizer.step`` raise ``error``."""
    real, calls = optimizer.step, []

    def step(self, params, grads):
        calls.append(1)
        if len(calls) == at:
            raise error
        real(self, params, grads)

    monkeypatch.setattr(optimizer, "step", step)


@pytest.fixture
def fitted(blobs):
    X, y = blobs
    return TwoLayerNetClassifier(hidden_size=5, max_iter=3, random_state=0).fit(X, y)


class FailingScorer:
    """Accuracy for ``n_ok`` calls, then ``error``."""

    def __init__(self, n_ok, error=None):
        self.n_ok, self.error = n_ok, error
        self.calls = 0

    def __call__(self, estimator, X, y):
        self.calls += 1
        if self.calls > self.n_ok:
            raise self.error or RuntimeError("scorer failed")
        return float(np.mean(estimator.predict(X) == y))


# ------------------------------------------------------ failures change nothing


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_any_exception_during_training_restores_the_previous_model(
    fitted, blobs, monkeypatch, solver
):
    X, y = blobs
    fitted.set_params(solver=solver, warm_start=True, max_iter=10)
    before = pickle.dumps(fitted)
    if solver == "lbfgs":  # no optimizer step: fail in the loss L-BFGS evaluates
        real, calls = TwoLayerNet.loss_grad, []

        def loss_grad(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == 5:
                raise MemoryError("out of memory")
            return real(self, *args, **kwargs)

        monkeypatch.setattr(TwoLayerNet, "loss_grad", loss_grad)
    else:
        failing_step(OPTIMIZER[solver], monkeypatch, 5, MemoryError("out of memory"))
    with pytest.raises(MemoryError):
        fitted.fit(X, y)
    assert pickle.dumps(fitted) == before


def test_a_failed_warm_fit_leaves_the_validation_curves_as_they_were(blobs):
    X, y = blobs
    validation = dict(X_val=X[::4], y_val=y[::4])
    scorer = FailingScorer(n_ok=1 + 3 + 1 + 1)  # first fit: a try and 3 epochs
    clf = TwoLayerNetClassifier(
        hidden_size=5, max_iter=3, warm_start=True, scoring=scorer, random_state=0
    )
    clf.fit(X, y, **validation)
    before = _bytes(clf)
    with pytest.raises(RuntimeError, match="scorer failed"):
        clf.fit(X, y, **validation)  # fails in its second epoch
    assert _bytes(clf) == before
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == 3


def test_ctrl_c_before_the_first_epoch_ends_restores_and_propagates(
    fitted, blobs, monkeypatch
):
    before = pickle.dumps(fitted)
    failing_step(Adam, monkeypatch, 1, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        fitted.fit(*blobs)
    assert pickle.dumps(fitted) == before


FAILURES = {
    "step": (Adam, MemoryError("out of memory")),
    "interrupt": (Adam, KeyboardInterrupt()),  # before the first epoch ends
    "divergence": (Adam, None),
    "scorer": (None, RuntimeError("scorer failed")),
}


@pytest.mark.parametrize("call", ["fit", "warm_fit", "partial_fit"])
@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_failed_call_leaves_a_random_state_instance_as_it_was(
    blobs, monkeypatch, call, failure
):
    X, y = blobs
    if failure == "scorer" and call == "partial_fit":
        pytest.skip("partial_fit scores no validation set")
    clf = TwoLayerNetClassifier(
        hidden_size=5,
        max_iter=3,
        n_iter_no_change=100,
        random_state=np.random.RandomState(0),
    )
    kwargs = {"classes": [0, 1, 2]} if call == "partial_fit" else {}
    if failure == "scorer":
        kwargs = dict(X_val=X[::4], y_val=y[::4])
    if call == "warm_fit":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.set_params(warm_start=True).fit(X, y)
    twin = pickle.loads(pickle.dumps(clf))  # an equal instance that never fails
    before, instance = _bytes(clf), pickle.dumps(clf.random_state)
    method = getattr(clf, "partial_fit" if call == "partial_fit" else "fit")
    optimizer, error = FAILURES[failure]
    if failure == "scorer":
        clf.set_params(scoring=FailingScorer(n_ok=1, error=error))
    elif failure == "divergence":
        monkeypatch.setattr(
            optimizer, "step", lambda self, params, grads: params.fill(np.inf)
        )
    else:
        failing_step(optimizer, monkeypatch, 1, error)
    with pytest.raises(DivergenceError if error is None else type(error)):
        method(X, y, **kwargs)
    assert _bytes(clf) == before
    assert pickle.dumps(clf.random_state) == instance
    # The retry trains what the first try would have trained.
    monkeypatch.undo()
    clf.set_params(scoring=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for model in (clf, twin):
            getattr(model, method.__name__)(X, y, **kwargs)
    assert_same_model(clf, twin)
    assert pickle.dumps(clf.random_state) == pickle.dumps(twin.random_state)


def test_successive_fits_with_one_random_state_instance_differ(blobs):
    # As MLPClassifier's do: a fit that succeeds advances the instance.
    X, y = blobs
    clf = TwoLayerNetClassifier(
        hidden_size=5, max_iter=2, random_state=np.random.RandomState(0)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = clf.fit(X, y).coefs_[0]
        second = clf.fit(X, y).coefs_[0]
    assert not np.array_equal(first, second)


# ------------------------------------------- Ctrl-C keeps the last committed epoch


@pytest.mark.parametrize("where", ["step", "scorer"])
def test_ctrl_c_keeps_the_last_committed_epoch(blobs, monkeypatch, where):
    X, y = blobs
    validation = dict(X_val=X[::4], y_val=y[::4])
    params = dict(hidden_size=6, batch_size=20, n_iter_no_change=100, random_state=0)
    reference = TwoLayerNetClassifier(max_iter=2, scoring=FailingScorer(100), **params)
    reference.fit(X, y, **validation)
    if where == "step":  # in the middle of the third epoch (6 steps each)
        scorer = FailingScorer(100)
        failing_step(Adam, monkeypatch, 15, KeyboardInterrupt)
    else:  # the try on the initial network, epochs 1 and 2, then epoch 3's score
        scorer = FailingScorer(3, KeyboardInterrupt())
    clf = TwoLayerNetClassifier(max_iter=50, scoring=scorer, **params)
    with pytest.warns(UserWarning, match="interrupted by the user after 2"):
        clf.fit(X, y, **validation)
    assert clf.n_iter_ == len(clf.loss_curve_) == 2
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == 2
    assert_same_model(clf, reference)
    assert clf.best_loss_ == reference.best_loss_
    assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))
    monkeypatch.undo()
    for model in (clf, reference):  # and it trains on, from the same stream
        model.set_params(warm_start=True, max_iter=1, scoring=FailingScorer(100))
        model.fit(X, y, **validation)
    assert len(clf.loss_curve_) == 3
    assert_same_model(clf, reference)


def test_ctrl_c_in_a_warm_start_under_another_scorer_keeps_its_fresh_rule(
    blobs, monkeypatch
):
    # The second fit's rule starts over under its scorer; interrupted in its
    # third epoch, it is the rule of its first two, with their weights.
    X, y = blobs
    validation = dict(X_val=X[::4], y_val=y[::4])
    params = dict(
        hidden_size=6,
        batch_size=20,
        max_iter=4,
        early_stopping=True,
        n_iter_no_change=100,
        warm_start=True,
        random_state=0,
    )
    clf, reference = (TwoLayerNetClassifier(**params) for _ in range(2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for model in (clf, reference):
            model.fit(X, y, **validation)
            model.set_params(scoring="neg_log_loss")
        reference.set_params(max_iter=2).fit(X, y, **validation)
    failing_step(Adam, monkeypatch, 15, KeyboardInterrupt)  # 6 steps an epoch
    with pytest.warns(UserWarning, match="interrupted by the user after 2"):
        clf.fit(X, y, **validation)
    assert_same_model(clf, reference)
    assert clf._progress.plateau == reference._progress.plateau
    assert clf._progress.plateau.scorer == "neg_log_loss"
    assert clf.best_validation_score_ == max(clf.validation_scores_[4:])


def _ctrl_c_in_a_commit(monkeypatch, n_params, at, number=signal.SIGINT):
    """Press Ctrl-C (send this process SIGINT) in the middle of a commit in place.

    Right after the ``at``-th copy into an array of ``n_params`` values, of
    the weights or of the optimizer's state: the first copies in place are
    the second epoch's commit, into the arrays of the first's.
    """
    real, copies = np.copyto, []

    def copyto(dst, src, *args, **kwargs):
        real(dst, src, *args, **kwargs)
        if dst.size == n_params:
            copies.append(dst)
            if len(copies) == at:
                os.kill(os.getpid(), number)

    monkeypatch.setattr(np, "copyto", copyto)


@pytest.mark.parametrize("at", [1, 2, 3], ids=["adam-m", "adam-v", "weights"])
def test_ctrl_c_in_a_commit_keeps_that_epoch_whole(blobs, monkeypatch, at):
    # Python raises KeyboardInterrupt between any two bytecodes; here after
    # some of the second epoch's arrays were copied in place, before others:
    # the commit completes, then the interrupt stops training, as ever.
    X, y = blobs
    params = dict(hidden_size=6, batch_size=20, n_iter_no_change=100, random_state=0)
    reference = TwoLayerNetClassifier(max_iter=2, **params).fit(X, y)
    n_params = sum(w.size for w in _weights(reference))
    _ctrl_c_in_a_commit(monkeypatch, n_params, at)
    clf = TwoLayerNetClassifier(max_iter=50, **params)
    with pytest.warns(UserWarning, match="interrupted by the user after 2"):
        clf.fit(X, y)
    monkeypatch.undo()
    assert_same_model(clf, reference)
    # The optimizer's state is the second epoch's too: both go on alike.
    for model in (clf, reference):
        model.set_params(warm_start=True, max_iter=1).fit(X, y)
    assert_same_model(clf, reference)


@pytest.mark.skipif(
    not hasattr(signal, "SIGTERM") or sys.platform == "win32",
    reason="os.kill delivers no SIGTERM to a Python handler on Windows",
)
def test_a_sigterm_turned_into_ctrl_c_in_a_commit_keeps_that_epoch_whole(
    blobs, monkeypatch
):
    # A batch scheduler's SIGTERM handed to default_int_handler (a timer's
    # SIGALRM alike) raised in the middle of a commit, which held off SIGINT
    # alone: the weights were an epoch ahead of n_iter_ (a reviewer's timer).
    X, y = blobs
    params = dict(hidden_size=6, batch_size=20, n_iter_no_change=100, random_state=0)
    reference = TwoLayerNetClassifier(max_iter=2, **params).fit(X, y)
    n_params = sum(w.size for w in _weights(reference))
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        _ctrl_c_in_a_commit(monkeypatch, n_params, 3, signal.SIGTERM)
        clf = TwoLayerNetClassifier(max_iter=50, **params)
        with pytest.warns(UserWarning, match="interrupted by the user after 2"):
            clf.fit(X, y)
    finally:
        monkeypatch.undo()
        signal.signal(signal.SIGTERM, previous)
    assert_same_model(clf, reference)


def test_a_program_s_own_ctrl_c_handler_runs_after_the_commit(blobs, monkeypatch):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=6, max_iter=3, random_state=0)
    n_params = X.shape[1] * 6 + 6 * 3 + 6 + 3
    epochs_when_called = []

    def handler(signum, frame):
        epochs_when_called.append(clf.n_iter_)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        _ctrl_c_in_a_commit(monkeypatch, n_params, 1)
        clf.fit(X, y)
        # Once, when the second epoch was committed whole; it raised
        # nothing, and training went on.
        assert epochs_when_called == [2]
        assert clf.n_iter_ == 3
        assert signal.getsignal(signal.SIGINT) is handler
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_fit_in_another_thread_commits_in_place(blobs):
    # No thread but the main one can set a signal handler, nor is given
    # KeyboardInterrupt: a commit there leaves signals alone.
    X, y = blobs
    params = dict(hidden_size=6, max_iter=3, random_state=0)
    clf = TwoLayerNetClassifier(**params)
    handler = signal.getsignal(signal.SIGINT)
    worker = threading.Thread(target=clf.fit, args=(X, y))
    worker.start()
    worker.join()
    assert signal.getsignal(signal.SIGINT) is handler
    assert_same_model(clf, TwoLayerNetClassifier(**params).fit(X, y))


@pytest.mark.parametrize("solver, n_states", [("adam", 2), ("sgd", 1)])
def test_a_fit_holds_one_committed_copy_of_the_weights(solver, n_states):
    # On text features the weights are most of a fit's memory. It holds the
    # weights, their gradient and the optimizer's state (Adam's two moments,
    # SGD's velocity), and one committed copy of the weights and the state:
    # every epoch after the first is committed into the arrays of the one
    # before, so that more epochs hold no more, and the L2 penalty and the
    # optimizer's steps need no copy of their own. (Beyond these, a fit holds
    # scratch blocks and a batch's gradient of the features it uses: a
    # fraction of a copy here, where the weights are few.)
    rng = np.random.RandomState(0)
    X = sparse.random(100, 20_000, density=0.001, format="csr", random_state=rng)
    y = np.arange(100) % 2
    params = dict(hidden_size=20, solver=solver, alpha=1.0, random_state=0)
    copy = (20_000 * 20 + 20 * 1 + 20 + 1) * 8  # bytes of the weights
    peaks = []
    for max_iter in (1, 4):
        clf = TwoLayerNetClassifier(max_iter=max_iter, **params)
        tracemalloc.start()
        try:
            clf.fit(X, y)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < peaks[0] + copy / 4
    assert peaks[1] < (3 + 2 * n_states + 1) * copy


# ------------------------------------------------ interrupted or failed anywhere


@st.composite
def interrupted_fits(draw):
    return dict(
        solver=draw(st.sampled_from(["adam", "sgd"])),
        validation=draw(st.sampled_from(["none", "given", "early_stopping"])),
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
    # The fixtures ("quiet", "gather_ahead") hold no per-example state.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(interrupted_fits())
def test_interrupt_or_failure_anywhere_leaves_a_consistent_model(gather_ahead, case):
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
    optimizer = OPTIMIZER[case["solver"]]
    real_step = optimizer.step

    def step(self, params, grads):
        if case["where"] == "step":
            maybe_fail()
        real_step(self, params, grads)

    outcome = "returned"
    calls["armed"] = True
    threads_before = threading.active_count()
    with (
        mock.patch.object(optimizer, "step", step),
        gather_ahead.forced(case["prefetch"]),
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


@st.composite
def interrupted_partial_fits(draw):
    return dict(
        solver=draw(st.sampled_from(["adam", "sgd"])),
        n_members=draw(st.sampled_from([1, 2])),
        dropout=draw(st.sampled_from([0.0, 0.3])),
        regressor=draw(st.booleans()),
        after=draw(st.integers(0, 30)),
        error=draw(st.sampled_from([KeyboardInterrupt, RuntimeError])),
        seed=draw(st.integers(0, 1000)),
    )


@settings(
    max_examples=_interrupt_profile(),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(interrupted_partial_fits())
def test_interrupt_or_failure_in_a_partial_fit_loop_loses_that_call_only(case):
    """A partial_fit call that raises leaves the model of the calls before it,
    and the loop goes on from there as if that call had never been made."""
    rng = np.random.RandomState(case["seed"])
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] + rng.normal(scale=0.5, size=120) > 0).astype(int) + (X[:, 1] > 1)
    chunks = [slice(i, i + 40) for i in range(0, 120, 40)] * 2
    params = dict(
        hidden_size=4,
        solver=case["solver"],
        batch_size=16,
        n_members=case["n_members"],
        dropout=case["dropout"],
        random_state=case["seed"],
    )
    if case["regressor"]:
        make, targets = TwoLayerNetRegressor, X[:, 1] - X[:, 0]
        extra = {}
    else:
        make, targets, extra = TwoLayerNetClassifier, y, dict(classes=[0, 1, 2])
    calls = {"n": 0}
    optimizer = OPTIMIZER[case["solver"]]
    real_step = optimizer.step

    def step(self, params, grads):
        calls["n"] += 1
        if calls["n"] == case["after"] + 1:
            raise case["error"]()
        real_step(self, params, grads)

    model, failed_at = make(**params), None
    with mock.patch.object(optimizer, "step", step):
        for i, rows in enumerate(chunks):
            before = pickle.dumps(model) if i else None
            try:
                model.partial_fit(X[rows], targets[rows], **extra)
            except (KeyboardInterrupt, RuntimeError):
                assert failed_at is None
                failed_at = i
                if i:
                    assert pickle.dumps(model) == before
                else:
                    assert not hasattr(model, "coefs_")
    reference = make(**params)
    for i, rows in enumerate(chunks):
        if i != failed_at:
            reference.partial_fit(X[rows], targets[rows], **extra)
    if failed_at is None:
        assert calls["n"] <= case["after"]
    assert_same_model(model, reference)


# -------------------------------------------------------- continued training


@pytest.mark.parametrize(
    "estimator, params",
    [
        (TwoLayerNetClassifier, dict(solver="adam")),
        (TwoLayerNetClassifier, dict(solver="adam", shuffle=False)),
        (TwoLayerNetClassifier, dict(solver="sgd", momentum=0.9)),
        (
            TwoLayerNetClassifier,
            dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.3),
        ),
        (TwoLayerNetClassifier, dict(solver="sgd", dropout=0.3)),
        # The cosine spans the 8 epochs of both: the chunks name the length.
        (
            TwoLayerNetClassifier,
            dict(solver="sgd", learning_rate="cosine", schedule_epochs=8),
        ),
        (
            TwoLayerNetClassifier,
            dict(
                solver="adam",
                learning_rate="cosine",
                warmup_fraction=0.3,
                schedule_epochs=8,
            ),
        ),
        (TwoLayerNetRegressor, dict(solver="adam")),
        (TwoLayerNetRegressor, dict(solver="sgd", learning_rate_init=1e-4)),
    ],
    ids=[
        "adam",
        "adam-in-order",
        "sgd-momentum",
        "sgd-invscaling",
        "sgd-dropout",
        "sgd-cosine",
        "adam-cosine-warmup",
        "regressor-adam",
        "regressor-sgd",
    ],
)
def test_warm_start_k_plus_k_equals_2k_bit_for_bit(blobs, estimator, params):
    X, y = blobs
    common = dict(hidden_size=6, batch_size=16, n_iter_no_change=100, random_state=0)
    once = estimator(max_iter=8, **common, **params).fit(X, y)
    twice = estimator(max_iter=4, warm_start=True, **common, **params)
    twice.fit(X, y).fit(X, y)
    assert twice.loss_curve_ == once.loss_curve_
    assert twice.t_ == once.t_
    for a, b in zip(_weights(once), _weights(twice), strict=True):
        assert_array_equal(a, b)


def _record_rates(monkeypatch, optimizer_class):
    """The rate of every step of ``optimizer_class`` from now on."""
    rates, real = [], optimizer_class.step

    def step(self, params, grads):
        real(self, params, grads)
        rates.append(self.learning_rate)

    monkeypatch.setattr(optimizer_class, "step", step)
    return rates


def test_cosine_cycles_last_max_iter_epochs_when_schedule_epochs_is_none(
    blobs, monkeypatch, quiet
):
    # Warm fits of max_iter epochs without schedule_epochs: each runs a whole
    # cycle, and the next restarts it (SGDR's warm restarts).
    X, y = blobs
    rates = _record_rates(monkeypatch, SGD)
    clf = TwoLayerNetClassifier(
        hidden_size=4,
        solver="sgd",
        learning_rate="cosine",
        learning_rate_init=0.05,
        batch_size=40,
        max_iter=3,
        n_iter_no_change=100,
        warm_start=True,
        random_state=0,
    )
    clf.fit(X, y)
    clf.fit(X, y)
    expected = 0.05 * (1 + np.cos(np.pi * np.arange(9) / 9)) / 2
    np.testing.assert_allclose(rates, np.concatenate([expected, expected]), rtol=1e-12)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_a_partial_fit_call_never_writes_what_the_last_one_published(blobs, solver):
    # A call publishes its working weights and optimizer state uncopied (its
    # one epoch is its last): the next call must work on copies of them.
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=5, solver=solver, random_state=0)
    clf.partial_fit(X, y, classes=np.unique(y))
    held = [*clf.coefs_, *clf.intercepts_]
    state = vars(clf._progress.optimizer)
    moments = [v for v in state.values() if isinstance(v, np.ndarray)]
    before = [array.copy() for array in held + moments]
    clf.partial_fit(X, y)
    for array, copy_ in zip(held + moments, before, strict=True):
        assert_array_equal(array, copy_)
    assert not np.array_equal(clf.coefs_[0], held[0])  # the call did train


def test_partial_fit_spreads_a_cosine_cycle_over_max_iter_calls(blobs, monkeypatch):
    # Each call is an epoch, paced by its own batches: chunks of 40 and 80
    # rows, 1 and 2 batches, over a cycle of 3 calls.
    X, y = blobs
    rates = _record_rates(monkeypatch, Adam)
    clf = TwoLayerNetClassifier(
        hidden_size=4,
        learning_rate="cosine",
        batch_size=40,
        max_iter=3,
        random_state=0,
    )
    clf.partial_fit(X[:40], y[:40], classes=[0, 1, 2])
    clf.partial_fit(X[40:], y[40:])
    clf.partial_fit(X[:40], y[:40])
    clf.partial_fit(X[:40], y[:40])  # a new cycle
    positions = np.array([0, 1, 1.5, 2, 0]) / 3
    t = np.arange(1, 6)
    correction = np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
    expected = 1e-3 * (1 + np.cos(np.pi * positions)) / 2 * correction
    np.testing.assert_allclose(rates, expected, rtol=1e-12)


def test_lbfgs_makes_no_k_plus_k_promise(blobs):
    # L-BFGS restarts its curvature memory at every fit, as MLPClassifier's
    # does: a warm fit of k iterations starts its curves over, and two of
    # them do not reach one fit of 2k.
    X, y = blobs
    common = dict(hidden_size=6, solver="lbfgs", random_state=0)
    once = TwoLayerNetClassifier(max_iter=8, **common).fit(X, y)
    twice = TwoLayerNetClassifier(max_iter=4, warm_start=True, **common)
    twice.fit(X, y).fit(X, y)
    assert twice.n_iter_ == len(twice.loss_curve_) == 4
    assert twice.loss_ != once.loss_
    assert not np.array_equal(twice.coefs_[0], once.coefs_[0])


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_a_warm_start_continues_the_optimizer_under_a_lowered_learning_rate(
    blobs, solver
):
    # One batch an epoch, in order: a warm epoch is one step, from the same
    # weights, so each change below is one optimizer step.
    X, y = blobs
    rate, lowered = 1e-2, {"adam": 1e-5, "sgd": 1e-12}[solver]
    params = dict(
        hidden_size=6,
        solver=solver,
        activation="tanh",
        batch_size=len(y),
        shuffle=False,
        learning_rate_init=rate,
        n_iter_no_change=100,
        random_state=0,
    )

    def step_after(clf, **changes):
        """The change of the weights in one more warm epoch under ``changes``."""
        clf = pickle.loads(pickle.dumps(clf))
        before = np.concatenate([w.ravel() for w in _weights(clf)])
        clf.set_params(warm_start=True, max_iter=1, **changes).fit(X, y)
        return np.concatenate([w.ravel() for w in _weights(clf)]) - before

    trained = TwoLayerNetClassifier(max_iter=20, **params).fit(X, y)
    # A model whose optimizer starts afresh: one trained by L-BFGS, which
    # hands none on (one iteration, so that no gradient is near zero).
    afresh = TwoLayerNetClassifier(**{**params, "solver": "lbfgs"}, max_iter=1)
    afresh.fit(X, y).set_params(solver=solver)
    lowered_step = step_after(trained, learning_rate_init=lowered)
    fresh_step = step_after(afresh, learning_rate_init=lowered)
    if solver == "adam":
        # The rate applies to the continued moments: the step is the one at
        # the old rate, scaled. A fresh Adam's first step moves every weight
        # by the rate (m / sqrt(v) = sign(g)); the continued one does not.
        np.testing.assert_allclose(
            lowered_step, step_after(trained) * lowered / rate, rtol=1e-6
        )
        np.testing.assert_allclose(np.abs(fresh_step), lowered, rtol=1e-3)
        assert not np.allclose(np.abs(lowered_step), lowered, rtol=0.1)
    else:
        # The velocity carries over: at a rate of 1e-12 the weights still
        # move by the momentum of the earlier epochs, where a fresh velocity
        # moves them by about the rate times the gradient.
        assert np.abs(lowered_step).max() > 1e-6
        assert np.abs(fresh_step).max() < 1e-10


def test_partial_fit_draws_a_new_shuffle_every_call(blobs, monkeypatch):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=4, batch_size=10, random_state=0)
    first_rows = []
    real = TwoLayerNet.loss_grad

    def record(self, X_batch, *args, **kwargs):
        first_rows.append(X_batch[0].copy())
        return real(self, X_batch, *args, **kwargs)

    monkeypatch.setattr(TwoLayerNet, "loss_grad", record)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    clf.partial_fit(X, y)
    assert not np.array_equal(first_rows[0], first_rows[12])  # each call's first


def test_pickling_in_the_middle_of_a_partial_fit_stream(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=6, random_state=0)
    clf.partial_fit(X[:60], y[:60], classes=[0, 1, 2])
    copy = pickle.loads(pickle.dumps(clf))
    for model in (clf, copy):
        model.partial_fit(X[60:], y[60:])
        model.partial_fit(X, y)
    assert_same_model(clf, copy)


def _work(call):
    """What ``call`` does, counted: the Python functions it calls, and the most
    memory it holds at once beyond what it started with (both deterministic)."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += event == "call"

    # The garbage collector would run finalizers of other objects (of earlier
    # tests, say) inside the call, at times that differ from run to run.
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        sys.setprofile(count)
        try:
            call()
        finally:
            sys.setprofile(None)
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
        gc.enable()
    return calls, peak


@pytest.mark.parametrize("way, n_calls", [("warm_start", 600), ("partial_fit", 2000)])
def test_a_continued_fit_costs_the_same_after_any_number_of_them(
    blobs, gather_ahead, way, n_calls
):
    # The FAQ's "train in chunks": each call continues from the state the
    # last one committed, whatever the number of calls before it, and never
    # copies what grows with them (the curves). A call that drew the random
    # stream's earlier epochs again, or copied the curves, would call more
    # functions, or hold more memory, at the n-th call than at the 10th.
    X, y = blobs
    clf = TwoLayerNetClassifier(
        hidden_size=3,
        max_iter=1,
        warm_start=True,
        dropout=0.1,
        n_iter_no_change=np.inf,  # no call ends on a plateau
        # Accuracy checks the predicted labels, in more calls when more differ.
        scoring="loss",
        random_state=0,
    )
    if way == "warm_start":
        validation = dict(X_val=X[::4], y_val=y[::4])
        call = functools.partial(clf.fit, X, y, **validation)
    else:
        call = functools.partial(clf.partial_fit, X, y, classes=[0, 1, 2])
    work = {}
    with gather_ahead.forced(False), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(1, n_calls + 1):
            # The 9th is measured too: tracemalloc's first start costs memory.
            work[i] = _work(call) if i in (9, 10, n_calls) else call()
    assert len(clf.loss_curve_) == n_calls
    (calls_10, memory_10), (calls_n, memory_n) = work[10], work[n_calls]
    assert calls_n == calls_10
    # A copy of a curve of n_calls floats holds 8 * n_calls bytes; appending
    # to one of the three curves may grow its list by about n_calls bytes.
    assert memory_n < memory_10 + 4 * n_calls


def test_the_curves_are_lists_whose_edits_a_warm_start_ignores(blobs):
    X, y = blobs
    params = dict(hidden_size=4, max_iter=2, warm_start=True, random_state=0)
    edited = TwoLayerNetClassifier(**params).fit(X, y, X_val=X[::4], y_val=y[::4])
    clean = pickle.loads(pickle.dumps(edited))
    for name in ("loss_curve_", "validation_loss_curve_", "validation_scores_"):
        curve = getattr(edited, name)
        assert isinstance(curve, list)
        curve.append(0.0)
        assert getattr(edited, name) is curve  # the same list, edited
    edited.validation_scores_ = None
    assert edited.validation_scores_ is None
    for model in (edited, clean):
        model.fit(X, y, X_val=X[::4], y_val=y[::4])
    assert_same_model(edited, clean)
    assert len(edited.loss_curve_) == len(edited.validation_scores_) == 4


def _promises():
    """Each sentence of the docs and docstrings that promises k + k == 2k."""
    texts = {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.rst"))]
    }
    for estimator in (TwoLayerNetClassifier, TwoLayerNetRegressor):
        texts[estimator.__name__] = inspect.getdoc(estimator)
        for name, method in inspect.getmembers(estimator, inspect.isfunction):
            if not name.startswith("_"):
                texts[f"{estimator.__name__}.{name}"] = inspect.getdoc(method) or ""
    for where, text in texts.items():
        flat = " ".join(text.split())
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z`(])", flat):
            promises = re.search(r"\b2 ?k\b", sentence) and re.search(
                r"\bequals?\b", sentence
            )
            if promises and not re.search(r"\bnot equal", sentence):
                yield where, sentence


def test_the_k_plus_k_promise_names_the_solvers_it_holds_for():
    promises = list(_promises())
    assert promises  # the docs do make it
    broken = [
        f"{where}: {sentence}"
        for where, sentence in promises
        if not (
            re.search(r"""['"`]sgd['"`]""", sentence)
            and re.search(r"""['"`]adam['"`]""", sentence)
        )
    ]
    assert not broken, "\n".join(broken)


# ------------------------------------------------ models of older versions


def test_a_model_from_0_1_cannot_continue_training_and_says_why(fitted, blobs):
    X, y = blobs
    # 0.1 kept nothing to resume from; the estimator says so instead of
    # continuing from a random stream and an optimizer it does not have.
    del fitted._progress
    fitted.set_params(warm_start=True)
    before = pickle.dumps(fitted)
    with pytest.raises(ValueError, match="skmlp_numpy < 0.2"):
        fitted.fit(X, y)
    with pytest.raises(ValueError, match="skmlp_numpy < 0.2"):
        fitted.partial_fit(X, y)
    assert pickle.dumps(fitted) == before
    assert fitted.predict(X).shape == (len(y),)
    fitted.set_params(warm_start=False).fit(X, y)  # a new network trains


def _as_pickled_by(version, fitted):
    """The state that ``version`` pickled for the model ``fitted`` (its first fit).

    0.4 pickled its progress as it was. 0.2 and 0.3 both kept the curves
    as attributes, and the random stream as a recipe:
    where the chain of epochs began (after the initial weights), and the
    number of epochs drawn since. 0.2 kept four private attributes where 0.3
    kept one ``_Progress`` with its own fields (private names are the point
    here: they are those versions' formats).
    """
    state = fitted.__getstate__()
    progress = fitted._progress
    if version == "0.4.0":
        # 0.4 pickled its _Progress whole, without the divergence rule's
        # fields (their class defaults stand in).
        state["_progress"] = copy.deepcopy(progress)
        for name in (
            "rises",
            "rise_base",
            "rise_reference",
            "magnitude",
            "rise_magnitude",
        ):
            del vars(state["_progress"])[name]
        state["_skmlp_numpy_version"] = version
        return state
    del state["_progress"]
    state.update(
        _skmlp_numpy_version=version,
        loss_curve_=fitted.loss_curve_,
        validation_loss_curve_=fitted.validation_loss_curve_,
        validation_scores_=fitted.validation_scores_,
    )
    stream, epochs = progress.split_stream, fitted.n_iter_
    if version == "0.2.0":
        state.update(
            _stream=stream,
            _stream_epochs=epochs,
            _optimizer=progress.optimizer,
            _no_improvement_count=progress.plateau.count,
        )
        return state
    old = object.__new__(type(progress))
    vars(old).update(
        stream=stream,
        stream_epochs=epochs,
        optimizer=progress.optimizer,
        plateau=progress.plateau,
        n_iter=fitted.n_iter_,
        t=fitted.t_,
        loss=fitted.loss_,
        loss_curve=fitted.loss_curve_,
        validation_loss_curve=fitted.validation_loss_curve_,
        validation_scores=fitted.validation_scores_,
    )
    state["_progress"] = old
    return state


@pytest.mark.parametrize("version", ["0.2.0", "0.3.0", "0.4.0"])
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_a_model_pickled_by_0_2_to_0_4_unpickles_and_continues_training(
    blobs, solver, version
):
    X, y = blobs
    fitted = TwoLayerNetClassifier(
        hidden_size=5,
        solver=solver,
        max_iter=3,
        warm_start=True,
        n_iter_no_change=2,
        tol=0.5,  # so that the stopping rule counts epochs without improvement
        random_state=0,
    ).fit(X, y)
    assert fitted._progress.plateau.count > 0
    state = _as_pickled_by(version, fitted)
    old = TwoLayerNetClassifier.__new__(TwoLayerNetClassifier)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistentVersionWarning)
        old.__setstate__(pickle.loads(pickle.dumps(state)))
    for name in ("_stream", "_stream_epochs", "_optimizer", "_no_improvement_count"):
        assert name not in vars(old)
    assert old.loss_curve_ == fitted.loss_curve_
    new = pickle.loads(pickle.dumps(fitted))
    old.set_params(max_iter=4).fit(X, y)
    new.set_params(max_iter=4).fit(X, y)
    assert_same_model(old, new)  # the stream went on from the same place
    # The stopping rule's count carried over too: it stops after one epoch.
    assert old.n_iter_ == new.n_iter_ == 1
    old.fit(X, y)
    new.fit(X, y)
    assert_same_model(old, new)


@pytest.mark.parametrize("bit_generator", [np.random.MT19937, np.random.PCG64])
def test_a_copied_stream_draws_what_the_stream_would(bit_generator):
    # Through NumPy's public get_state/set_state (or a deep copy, for another
    # bit generator than the Mersenne Twister): a cached Gaussian included.
    stream = np.random.RandomState(bit_generator(0))
    stream.standard_normal()
    for _ in range(3):
        stream.shuffle(np.arange(50))
    reference = copy.deepcopy(stream)
    copied = copied_stream(stream)
    for rng in (copied, stream):
        twin = copy.deepcopy(reference)
        assert_array_equal(rng.randint(1000, size=20), twin.randint(1000, size=20))
        assert rng.standard_normal() == twin.standard_normal()


@pytest.mark.parametrize("shuffle, dropout", [(True, 0.0), (False, 0.5), (True, 0.5)])
def test_a_rewound_stream_is_where_the_committed_epochs_left_it(shuffle, dropout):
    # The draws of an epoch depend on the number of rows, not on their order.
    params = SimpleNamespace(shuffle=shuffle, dropout=dropout)
    start = np.random.RandomState(3)
    stream, order = copy.deepcopy(start), np.arange(40)[::-1].copy()
    for _ in range(4):
        draw_epoch(stream, order if shuffle else None, params)
    rewound = rewound_stream(start, 4, 40 if shuffle else None, params)
    assert_array_equal(rewound.randint(1000, size=20), stream.randint(1000, size=20))
    assert start.get_state()[2] == np.random.RandomState(3).get_state()[2]


def test_the_fit_state_uses_no_private_numpy_attribute():
    # A NumPy release that changed a private layout could corrupt every fit.
    import skmlp_numpy

    package = Path(skmlp_numpy.__file__).parent
    for path in package.glob("*.py"):
        source = path.read_text()
        assert "ctypes" not in source, path.name
        assert "_bit_generator" not in source, path.name
