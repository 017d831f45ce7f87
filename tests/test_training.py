"""Training controls: partial_fit, warm_start, sample and class weights,
multilabel and sparse input, dropout, dtype.

What a warm start or partial_fit carries over (k + k == 2k, the optimizer, the
random stream) is in test_fit_state.py; early stopping and validation in
test_early_stopping.py.
"""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import recall_score

from skmlp_numpy import TwoLayerNetClassifier


def fit_quietly(clf, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(*args, **kwargs)


def _params(clf):
    return clf.coefs_ + clf.intercepts_


# -------------------------------------------------------------- partial_fit


def test_partial_fit_stream_matches_fit_epoch_for_epoch(blobs):
    X, y = blobs
    params = dict(
        hidden_size=6, solver="sgd", batch_size=10, shuffle=False, random_state=0
    )
    full = fit_quietly(TwoLayerNetClassifier(max_iter=3, **params), X, y)
    stream = TwoLayerNetClassifier(**params)
    chunks = [slice(0, 30), slice(30, 70), slice(70, 120)]  # multiples of the batch
    for _ in range(3):
        for rows in chunks:
            stream.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
    for a, b in zip(_params(full), _params(stream), strict=True):
        assert_allclose(a, b, rtol=1e-12)
    # Each call records the loss of its chunk; by epoch they average to fit's.
    chunk_losses = np.reshape(stream.loss_curve_, (3, 3))
    sizes = np.array([30, 40, 50])
    assert_allclose(chunk_losses @ sizes / 120, full.loss_curve_, rtol=1e-12)
    assert stream.t_ == full.t_ == 360
    assert stream.n_iter_ == 9


def test_partial_fit_needs_classes_first_then_rejects_labels_outside_them(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=4)
    before = pickle.dumps(clf)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    # Labels outside classes, on the first call: named, and nothing is set.
    with pytest.raises(ValueError, match=r"classes not in `self.classes_`.*\[9\]"):
        clf.partial_fit(X, np.arange(len(y)) % 10, classes=list(range(9)))
    assert pickle.dumps(clf) == before
    assert not hasattr(clf, "classes_")
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict_proba(X).shape == (120, 3)
    # ... and on a later call.
    before = pickle.dumps(clf)
    with pytest.raises(ValueError, match=r"classes not in `self.classes_`.*\[7\]"):
        clf.partial_fit(X[:3], [0, 1, 7])
    assert pickle.dumps(clf) == before


def test_partial_fit_is_absent_with_lbfgs():
    assert not hasattr(TwoLayerNetClassifier(solver="lbfgs"), "partial_fit")
    assert hasattr(TwoLayerNetClassifier(solver="sgd"), "partial_fit")


def test_partial_fit_rejects_early_stopping_and_balanced_weights(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="early_stopping"):
        TwoLayerNetClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="balanced"):
        TwoLayerNetClassifier(class_weight="balanced").partial_fit(
            X, y, classes=[0, 1, 2]
        )


# --------------------------------------------------------------- warm start


def test_warm_start_rejects_new_classes_and_new_hidden_size(blobs):
    X, y = blobs
    clf = fit_quietly(
        TwoLayerNetClassifier(hidden_size=4, max_iter=2, warm_start=True), X, y
    )
    with pytest.raises(ValueError, match="warm_start can only be used where `y`"):
        clf.fit(X, np.where(y == 2, 5, y))
    with pytest.raises(ValueError, match="warm_start can only be used where `y`"):
        clf.fit(X[y < 2], y[y < 2])  # a subset of the classes is refused too
    with pytest.raises(ValueError, match="hidden_size=9"):
        clf.set_params(hidden_size=9).fit(X, y)


def test_a_warm_start_in_another_dtype_is_refused(blobs):
    X, y = blobs
    clf = fit_quietly(
        TwoLayerNetClassifier(hidden_size=4, max_iter=2, warm_start=True), X, y
    )
    with pytest.raises(ValueError, match="does not match the float64 weights"):
        clf.set_params(dtype=np.float32).fit(X, y)


def test_without_warm_start_fit_starts_over(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=4, max_iter=3, random_state=0)
    first = [c.copy() for c in _params(fit_quietly(clf, X, y))]
    fit_quietly(clf, X, y)
    for a, b in zip(first, _params(clf), strict=True):
        assert_array_equal(a, b)
    assert len(clf.loss_curve_) == 3


# ------------------------------------------------------- sample and class weights


def test_zero_weights_equal_removed_samples(blobs):
    X, y = blobs
    sw = np.ones(len(y))
    sw[::4] = 0
    params = dict(hidden_size=5, solver="lbfgs", max_iter=50, random_state=0)
    weighted = fit_quietly(TwoLayerNetClassifier(**params), X, y, sample_weight=sw)
    removed = fit_quietly(TwoLayerNetClassifier(**params), X[sw > 0], y[sw > 0])
    assert_allclose(weighted.predict_proba(X), removed.predict_proba(X), rtol=1e-6)


def test_batches_of_zero_weight_are_skipped_not_a_divergence(blobs):
    X, y = blobs
    sw = np.zeros(len(y))
    sw[:40] = 1.0
    clf = TwoLayerNetClassifier(hidden_size=4, batch_size=10, shuffle=False, max_iter=3)
    fit_quietly(clf, X, y, sample_weight=sw)
    assert np.isfinite(clf.loss_curve_).all()


def test_balanced_class_weight_raises_minority_recall():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 2))
    y = (X[:, 0] + 0.8 * rng.normal(size=600) > 1.6).astype(int)  # about 7% positives
    params = dict(hidden_size=8, solver="lbfgs", max_iter=200, random_state=0)
    plain = fit_quietly(TwoLayerNetClassifier(**params), X, y)
    balanced = fit_quietly(
        TwoLayerNetClassifier(class_weight="balanced", **params), X, y
    )
    assert (
        recall_score(y, balanced.predict(X)) > recall_score(y, plain.predict(X)) + 0.2
    )


def test_class_weight_dict_equals_sample_weight(blobs):
    X, y = blobs
    params = dict(hidden_size=5, max_iter=5, shuffle=False, random_state=0)
    a = fit_quietly(
        TwoLayerNetClassifier(class_weight={0: 3.0, 1: 1.0, 2: 0.5}, **params), X, y
    )
    b = fit_quietly(
        TwoLayerNetClassifier(**params),
        X,
        y,
        sample_weight=np.array([3.0, 1.0, 0.5])[y],
    )
    assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-12)


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


# ------------------------------------------------------- multilabel and sparse


def test_multilabel_targets():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0, X[:, 3] < -0.5]).astype(
        int
    )
    clf = fit_quietly(
        TwoLayerNetClassifier(hidden_size=16, solver="lbfgs", random_state=0), X, Y
    )
    assert clf.out_activation_ == "logistic"
    assert clf.n_outputs_ == 3
    proba = clf.predict_proba(X)
    assert proba.shape == (200, 3)
    assert_array_equal(clf.predict(X), (proba > 0.5).astype(int))
    assert (clf.predict(X) == Y).mean() > 0.9


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_sparse_equals_dense(blobs, fmt, solver):
    X, y = blobs
    X = np.where(np.abs(X) > 1, X, 0.0)
    params = dict(hidden_size=6, solver=solver, max_iter=15, random_state=0)
    dense = fit_quietly(TwoLayerNetClassifier(**params), X, y)
    sp = fit_quietly(
        TwoLayerNetClassifier(**params), sparse.csr_matrix(X).asformat(fmt), y
    )
    assert_allclose(sp.loss_curve_, dense.loss_curve_, rtol=1e-10)
    assert_allclose(
        sp.predict_proba(sparse.csr_matrix(X)), dense.predict_proba(X), rtol=1e-10
    )


# ------------------------------------------------------------------ dropout


def test_dropout_changes_training_not_prediction(blobs):
    X, y = blobs
    params = dict(hidden_size=20, max_iter=10, random_state=0)
    plain = fit_quietly(TwoLayerNetClassifier(**params), X, y)
    dropped = fit_quietly(TwoLayerNetClassifier(dropout=0.5, **params), X, y)
    again = fit_quietly(TwoLayerNetClassifier(dropout=0.5, **params), X, y)
    assert not np.allclose(plain.loss_curve_, dropped.loss_curve_)
    assert_array_equal(dropped.coefs_[0], again.coefs_[0])
    assert_array_equal(dropped.predict_proba(X), dropped.predict_proba(X))
    assert dropped.coefs_[0].dtype == np.float64
    f32 = fit_quietly(clone(dropped), X.astype(np.float32), y)
    assert f32.coefs_[0].dtype == np.float32


# -------------------------------------------------------------------- dtype


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="adam"),
        dict(solver="sgd", batch_size=16),
        dict(solver="sgd", shuffle=False),
        dict(solver="lbfgs"),
        dict(solver="adam", early_stopping=True),
    ],
    ids=["adam", "sgd-shuffled", "sgd-in-order", "lbfgs", "early-stopping"],
)
def test_dtype_float32_on_float64_input_equals_float32_input(blobs, params):
    X, y = blobs
    common = dict(hidden_size=6, max_iter=8, random_state=0, **params)
    cast = fit_quietly(TwoLayerNetClassifier(dtype=np.float32, **common), X, y)
    native = fit_quietly(TwoLayerNetClassifier(**common), X.astype(np.float32), y)
    assert cast.coefs_[0].dtype == np.float32
    assert cast.loss_curve_ == native.loss_curve_
    for a, b in zip(_params(cast), _params(native), strict=True):
        assert_array_equal(a, b)
    assert_array_equal(cast.predict_proba(X), native.predict_proba(X))


def test_dtype_float64_on_float32_input_trains_in_float64(blobs):
    X, y = blobs
    clf = fit_quietly(
        TwoLayerNetClassifier(hidden_size=4, max_iter=3, dtype="float64"),
        X.astype(np.float32),
        y,
    )
    assert clf.coefs_[0].dtype == np.float64
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float64


def test_dtype_never_copies_the_whole_input():
    import tracemalloc

    rng = np.random.RandomState(0)
    X = rng.normal(size=(20_000, 50))  # 8 MB of float64
    y = rng.randint(0, 3, size=20_000)
    clf = TwoLayerNetClassifier(hidden_size=8, max_iter=1, dtype=np.float32)
    tracemalloc.start()
    fit_quietly(clf, X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # A float32 copy of X would take 4 MB; batches and the index take little.
    assert peak < X.nbytes / 4
