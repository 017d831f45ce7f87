"""Ensembles of networks trained together (``n_members``).

The grouped output layer against central differences, members against nets of
their own trained on the same batches, the mean prediction, ``n_members=1``
against the default bit for bit, and what must keep working with several
members: pickling, partial_fit and warm start (k + k == 2k), early stopping.
"""

import functools
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import make_regression
from sklearn.metrics import accuracy_score, log_loss

# The backpropagation tests' problems, one per output layer.
from test_network import _problem

from skmlp_numpy import TwoLayerNetClassifier, TwoLayerNetRegressor
from skmlp_numpy._layers import GroupedAffine
from skmlp_numpy._network import TwoLayerNet, numerical_gradient
from skmlp_numpy._optimizers import SGD, Adam

K = 3

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _member(net, j, trainable=True):
    """Member ``j`` of the ensemble ``net``, as a network of its own (copies)."""
    W1, W2 = net.coefs
    b1, b2 = net.intercepts
    h = W2.shape[1]
    cols = slice(j * h, (j + 1) * h)
    return TwoLayerNet(
        [W1[:, cols].copy(), W2[j].copy()],
        [b1[cols].copy(), b2[j].copy()],
        "tanh",
        net.output,
        trainable=trainable,
    )


@pytest.mark.parametrize("output", ["softmax", "logistic", "identity"])
@pytest.mark.parametrize("weighted", [False, True])
def test_grouped_backprop_matches_numerical_gradient(output, weighted):
    # grads is each member's own gradient: that of the members' summed
    # losses, n_members times the returned (mean) loss's.
    X, y = _problem(output)
    rng = np.random.RandomState(1)
    net = TwoLayerNet.initialize(5, 4, 3, "tanh", output, rng, np.float64, n_members=K)
    assert isinstance(net.out, GroupedAffine)
    sw = rng.uniform(0.2, 3.0, size=X.shape[0]) if weighted else None
    alpha = 0.3
    net.loss_grad(X, y, sw, alpha)
    backprop = net.grads.copy()

    def summed_loss():
        data = net.loss_grad(X, y, sw, 0.0) * K
        if output == "identity":
            data *= y.shape[1]  # MLPRegressor differentiates the sum over outputs
        n = X.shape[0] if sw is None else sw.sum()
        W = net.params[: net._n_coefs]
        return data + 0.5 * alpha * float(W @ W) / n

    numerical = numerical_gradient(summed_loss, net.params)
    rel_error = np.abs(backprop - numerical) / np.maximum(
        np.abs(backprop) + np.abs(numerical), 1e-3
    )
    assert rel_error.max() < 1e-6


def test_initial_members_are_successive_solo_draws():
    ensemble = TwoLayerNet.initialize(
        5, 4, 3, "tanh", "softmax", np.random.RandomState(0), np.float64, n_members=K
    )
    rng = np.random.RandomState(0)
    for j in range(K):
        solo = TwoLayerNet.initialize(5, 4, 3, "tanh", "softmax", rng, np.float64)
        member = _member(ensemble, j)
        for a, b in zip(
            solo.coefs + solo.intercepts, member.coefs + member.intercepts, strict=True
        ):
            assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer", [SGD, Adam])
@pytest.mark.parametrize("weighted", [False, True])
def test_members_train_as_solo_nets_on_the_same_batches(optimizer, weighted):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 5))
    y = rng.randint(0, 3, size=60)
    sw = rng.uniform(0.5, 2.0, size=60) if weighted else None
    ensemble = TwoLayerNet.initialize(
        5, 4, 3, "tanh", "softmax", rng, np.float64, n_members=K
    )
    solos = [_member(ensemble, j) for j in range(K)]
    nets = [ensemble, *solos]
    optimizers = [optimizer(net.params, learning_rate_init=0.05) for net in nets]
    for _ in range(5):
        for start in range(0, 60, 16):
            rows = slice(start, start + 16)
            for net, opt in zip(nets, optimizers, strict=True):
                batch_sw = None if sw is None else sw[rows]
                net.loss_grad(X[rows], y[rows], batch_sw, alpha=1e-2)
                opt.step(net.params, net.grads)
    for j, solo in enumerate(solos):
        member = _member(ensemble, j)
        for a, b in zip(
            solo.coefs + solo.intercepts, member.coefs + member.intercepts, strict=True
        ):
            assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_ensemble_loss_is_the_members_mean():
    X, y = _problem("softmax")
    net = TwoLayerNet.initialize(
        5, 4, 3, "tanh", "softmax", np.random.RandomState(0), np.float64, n_members=K
    )
    losses = [_member(net, j).loss_grad(X, y, None, 0.5) for j in range(K)]
    assert net.loss_grad(X, y, None, 0.5) == pytest.approx(np.mean(losses))


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_predict_proba_is_the_members_mean(blobs, solver):
    X, y = blobs
    clf = TwoLayerNetClassifier(
        hidden_size=5,
        activation="tanh",
        n_members=K,
        solver=solver,
        max_iter=20,
        random_state=0,
    ).fit(X, y)
    assert clf.coefs_[0].shape == (4, K * 5)
    assert clf.coefs_[1].shape == (K, 5, 3)
    assert clf.intercepts_[0].shape == (K * 5,)
    assert clf.intercepts_[1].shape == (K, 3)
    net = TwoLayerNet(clf.coefs_, clf.intercepts_, "tanh", "softmax", trainable=False)
    members = [_member(net, j, trainable=False).forward(X).copy() for j in range(K)]
    assert_allclose(clf.predict_proba(X), np.mean(members, axis=0), rtol=1e-12)
    assert_array_equal(clf.predict(X), clf.classes_[clf.predict_proba(X).argmax(1)])
    assert clf.transform(X).shape == (len(X), K * 5)
    assert len(clf.get_feature_names_out()) == K * 5


def test_regressor_predicts_the_members_mean():
    X, y = make_regression(80, 4, n_targets=2, random_state=0)
    reg = TwoLayerNetRegressor(
        hidden_size=5, activation="tanh", n_members=K, max_iter=20, random_state=0
    ).fit(X, y)
    net = TwoLayerNet(reg.coefs_, reg.intercepts_, "tanh", "identity", trainable=False)
    members = [_member(net, j, trainable=False).forward(X).copy() for j in range(K)]
    assert_allclose(reg.predict(X), np.mean(members, axis=0), rtol=1e-12)


@pytest.mark.parametrize(
    "estimator, params",
    [
        (TwoLayerNetClassifier, dict(solver="adam", dropout=0.2)),
        (TwoLayerNetClassifier, dict(solver="sgd", early_stopping=True)),
        (TwoLayerNetClassifier, dict(solver="lbfgs")),
        (TwoLayerNetRegressor, dict(solver="adam")),
        (TwoLayerNetRegressor, dict(solver="lbfgs", loss="absolute_error")),
    ],
)
def test_one_member_is_the_default_bit_for_bit(blobs, estimator, params):
    X, y = blobs
    common = dict(hidden_size=6, max_iter=10, random_state=0, **params)
    default = estimator(**common).fit(X, y)
    one = estimator(n_members=1, **common).fit(X, y)
    assert one.loss_curve_ == default.loss_curve_
    for a, b in zip(
        default.coefs_ + default.intercepts_, one.coefs_ + one.intercepts_, strict=True
    ):
        assert_array_equal(a, b)


def test_pickle_round_trip(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=5, n_members=K, max_iter=5, random_state=0)
    clf.fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    assert loaded.n_members == K
    assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # The loaded model goes on training exactly as the original does.
    clf.partial_fit(X, y)
    loaded.partial_fit(X, y)
    assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    "estimator, params",
    [
        (TwoLayerNetClassifier, dict(solver="adam")),
        (TwoLayerNetClassifier, dict(solver="sgd", dropout=0.2)),
        (TwoLayerNetRegressor, dict(solver="sgd")),
    ],
)
def test_k_plus_k_equals_2k_bit_for_bit(blobs, estimator, params):
    X, y = blobs
    common = dict(
        hidden_size=6, batch_size=16, n_iter_no_change=100, random_state=0, n_members=K
    )
    once = estimator(max_iter=8, **common, **params).fit(X, y)
    twice = estimator(max_iter=4, warm_start=True, **common, **params)
    twice.fit(X, y).fit(X, y)
    assert twice.loss_curve_ == once.loss_curve_
    assert twice.t_ == once.t_
    for a, b in zip(
        once.coefs_ + once.intercepts_, twice.coefs_ + twice.intercepts_, strict=True
    ):
        assert_array_equal(a, b)


@pytest.mark.parametrize("incremental", [False, True])
def test_resuming_with_other_n_members_is_refused(blobs, incremental):
    X, y = blobs
    clf = TwoLayerNetClassifier(
        hidden_size=5, n_members=K, max_iter=3, warm_start=True, random_state=0
    ).fit(X, y)
    before = [c.copy() for c in clf.coefs_]
    clf.set_params(n_members=2)
    with pytest.raises(ValueError, match="n_members=2 does not match the 3 member"):
        clf.partial_fit(X, y) if incremental else clf.fit(X, y)
    for a, b in zip(before, clf.coefs_, strict=True):
        assert_array_equal(a, b)


@pytest.mark.parametrize("scoring", ["loss", None])
def test_early_stopping_judges_the_mean_prediction(blobs, scoring):
    X, y = blobs
    X_val, y_val = X[::4], y[::4]
    clf = TwoLayerNetClassifier(
        hidden_size=5,
        n_members=K,
        alpha=0.0,
        early_stopping=True,
        scoring=scoring,
        learning_rate_init=0.05,
        max_iter=200,
        n_iter_no_change=3,
        random_state=0,
    ).fit(X, y, X_val=X_val, y_val=y_val)
    assert clf.n_iter_ < 200
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    # The kept (best) model is scored by its members' mean probabilities.
    P = clf.predict_proba(X_val)
    if scoring == "loss":
        expected = -log_loss(y_val, P)
    else:
        expected = accuracy_score(y_val, clf.classes_[P.argmax(1)])
    assert clf.best_validation_score_ == pytest.approx(expected, rel=1e-10)
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_n_members_is_validated(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="n_members"):
        TwoLayerNetClassifier(n_members=0).fit(X, y)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_sparse_rows_train_as_dense_ones(blobs, solver):
    X, y = blobs
    params = dict(hidden_size=5, n_members=K, max_iter=5, solver=solver, random_state=0)
    dense = TwoLayerNetClassifier(**params).fit(X, y)
    sparse_fit = TwoLayerNetClassifier(**params).fit(sparse.csr_matrix(X), y)
    assert_allclose(
        sparse_fit.predict_proba(sparse.csr_matrix(X)), dense.predict_proba(X)
    )


def test_float32_stays_float32(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(
        hidden_size=5, n_members=K, max_iter=5, dtype=np.float32, random_state=0
    ).fit(X, y, sample_weight=np.linspace(0.5, 2.0, len(y)))
    assert {c.dtype for c in clf.coefs_ + clf.intercepts_} == {np.dtype(np.float32)}
    assert clf.predict_proba(X).dtype == np.float32
    assert clf.transform(X).dtype == np.float32


def test_ctrl_c_keeps_the_last_committed_epoch(blobs, monkeypatch):
    X, y = blobs
    params = dict(
        hidden_size=6, n_members=K, batch_size=20, n_iter_no_change=100, random_state=0
    )
    reference = TwoLayerNetClassifier(max_iter=2, **params).fit(X, y)
    real, calls = Adam.step, []

    def step(self, params, grads):
        calls.append(1)
        if len(calls) == 15:  # in the middle of the third epoch (6 steps each)
            raise KeyboardInterrupt
        real(self, params, grads)

    monkeypatch.setattr(Adam, "step", step)
    clf = TwoLayerNetClassifier(max_iter=50, **params)
    with pytest.warns(UserWarning, match="interrupted by the user after 2"):
        clf.fit(X, y)
    assert clf.loss_curve_ == reference.loss_curve_
    for a, b in zip(
        clf.coefs_ + clf.intercepts_,
        reference.coefs_ + reference.intercepts_,
        strict=True,
    ):
        assert_array_equal(a, b)


def test_skops_round_trip(blobs):
    sio = pytest.importorskip("skops.io")
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=5, n_members=K, max_iter=5, random_state=0)
    clf.fit(X, y)
    data = sio.dumps(clf)
    assert sio.get_untrusted_types(data=data) == [
        "skmlp_numpy._classifier.TwoLayerNetClassifier"
    ]
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    "call, solver",
    [
        ("fit", "adam"),
        ("warm_fit", "adam"),
        ("warm_fit", "sgd"),
        ("warm_fit", "lbfgs"),
        ("partial_fit", "adam"),
    ],
)
def test_a_failed_call_leaves_the_ensemble_as_it_was(blobs, monkeypatch, call, solver):
    X, y = blobs
    clf = TwoLayerNetClassifier(
        hidden_size=5,
        n_members=K,
        solver=solver,
        batch_size=20,  # six steps an epoch: a partial_fit fails in its fifth
        max_iter=3,
        random_state=0,
    ).fit(X, y)
    clf.set_params(warm_start=call == "warm_fit", max_iter=10)
    before = pickle.dumps(clf)
    if solver == "lbfgs":  # no optimizer step: fail in the loss L-BFGS evaluates
        real, target, name = TwoLayerNet.loss_grad, TwoLayerNet, "loss_grad"
    else:
        optimizer = Adam if solver == "adam" else SGD
        real, target, name = optimizer.step, optimizer, "step"
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise MemoryError("out of memory")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)
    with pytest.raises(MemoryError):
        if call == "partial_fit":
            clf.partial_fit(X, y)
        else:
            clf.fit(X, y)
    assert pickle.dumps(clf) == before


def test_a_partial_fit_costs_the_same_after_any_number_of_them(blobs, gather_ahead):
    # The single net's promise (test_fit_state), kept by an ensemble: the
    # n-th call of a stream calls as many functions as the 10th and holds no
    # copy of what grows with the calls.
    from test_fit_state import _work

    X, y = blobs
    clf = TwoLayerNetClassifier(
        hidden_size=3, n_members=K, n_iter_no_change=np.inf, random_state=0
    )
    n_calls = 500
    work = {}
    with gather_ahead.forced(False):
        for i in range(1, n_calls + 1):
            call = functools.partial(clf.partial_fit, X, y, classes=[0, 1, 2])
            work[i] = _work(call) if i in (9, 10, n_calls) else call()
    assert len(clf.loss_curve_) == n_calls
    (calls_10, memory_10), (calls_n, memory_n) = work[10], work[n_calls]
    assert calls_n == calls_10
    assert memory_n < memory_10 + 4 * n_calls
