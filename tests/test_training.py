"""Training controls: partial_fit, warm_start, sample and class weights,
multilabel and sparse input, dropout, dtype.

What a warm start or partial_fit carries over (k + k == 2k, the optimizer, the
random stream) is in test_fit_state.py; early stopping and validation in
test_early_stopping.py.
"""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import recall_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils.class_weight import compute_sample_weight

from skmlp_numpy import TwoLayerNetClassifier
from skmlp_numpy._checks import class_weights
from skmlp_numpy._network import TwoLayerNet


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


def test_multilabel_class_weight_is_one_dict_per_label_column(blobs):
    X, y = blobs
    Y = np.column_stack([y == 0, y == 1, y == 2]).astype(int)
    weights = [{0: 1.0, 1: 5.0}, {0: 1.0, 1: 1.0}, {0: 2.0, 1: 1.0}]
    params = dict(hidden_size=5, max_iter=5, shuffle=False, random_state=0)
    a = fit_quietly(TwoLayerNetClassifier(class_weight=weights, **params), X, Y)
    b = fit_quietly(
        TwoLayerNetClassifier(**params),
        X,
        Y,
        sample_weight=compute_sample_weight(weights, Y),
    )
    assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-12)
    # A dict, which the error of scikit-learn's helper asked to make a list,
    # is refused with the shape to give; a list for one target likewise.
    with pytest.raises(ValueError, match="a list of one dict per label column"):
        TwoLayerNetClassifier(class_weight={0: 1.0, 1: 5.0}, **params).fit(X, Y)
    with pytest.raises(ValueError, match="is for a multilabel y"):
        TwoLayerNetClassifier(class_weight=weights, **params).fit(X, y)
    with pytest.raises(ValueError, match="Invalid class_weight"):
        TwoLayerNetClassifier(class_weight=weights[:1], **params).fit(X, Y)


def test_multilabel_class_weight_takes_a_batch_with_a_constant_label(blobs):
    X, y = blobs
    Y = np.column_stack([y == 0, y == 1]).astype(int)
    weights = [{0: 2.0}, {}]
    Y_batch = Y[:20].copy()
    Y_batch[:, 0] = 1  # one label constant in the batch, as in validation
    clf = TwoLayerNetClassifier(hidden_size=4, class_weight=weights, random_state=0)
    clf.partial_fit(X[:20], Y_batch, classes=[0, 1])
    reference = TwoLayerNetClassifier(hidden_size=4, random_state=0)
    reference.partial_fit(X[:20], Y_batch, classes=[0, 1])  # no 0 in column 0
    assert clf.loss_curve_ == reference.loss_curve_
    fit_quietly(
        TwoLayerNetClassifier(
            hidden_size=4, class_weight=weights, early_stopping=True, max_iter=3
        ),
        X,
        Y,
        X_val=X[:20],
        y_val=Y_batch,
    )
    # 'balanced' in a list weighs over the classes a column has, as
    # compute_sample_weight does: a constant label is no error.
    balanced = ["balanced", "balanced"]
    fit_quietly(
        TwoLayerNetClassifier(hidden_size=4, class_weight=balanced, max_iter=3),
        X[:20],
        Y_batch,
    )
    assert_allclose(
        class_weights(balanced, Y_batch, None, True),
        compute_sample_weight(balanced, Y_batch),
    )
    # 'balanced' needs the whole training set, in a list too.
    with pytest.raises(ValueError, match="class_weight='balanced' needs"):
        TwoLayerNetClassifier(class_weight=["balanced", {}]).partial_fit(
            X, Y, classes=[0, 1]
        )


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


SPARSE_FORMATS = {
    "csr_matrix": sparse.csr_matrix,
    "csc_matrix": sparse.csc_matrix,
    "coo_matrix": sparse.coo_matrix,
    "lil_matrix": sparse.lil_matrix,
    "csr_array": sparse.csr_array,
    "csc_array": sparse.csc_array,
    "coo_array": sparse.coo_array,
}
INPUT_DTYPES = [np.float64, np.float32, np.int64, np.uint8, np.bool_]


def _sparse_blobs(blobs, dtype=np.float64):
    """The blobs with their small values zeroed, in ``dtype`` (scaled to it)."""
    X, y = blobs
    X = np.where(np.abs(X) > 1, X, 0.0)
    if dtype == np.bool_:
        return X > 0, y
    if np.issubdtype(dtype, np.integer):
        return np.abs(np.round(X * 4)).astype(dtype), y
    return X.astype(dtype), y


@pytest.mark.parametrize("fmt", SPARSE_FORMATS)
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_sparse_equals_dense(blobs, fmt, solver):
    X, y = _sparse_blobs(blobs)
    X_sparse = SPARSE_FORMATS[fmt](X)
    params = dict(hidden_size=6, solver=solver, max_iter=15, random_state=0)
    dense = fit_quietly(TwoLayerNetClassifier(**params), X, y)
    sp = fit_quietly(TwoLayerNetClassifier(**params), X_sparse, y)
    assert_allclose(sp.loss_curve_, dense.loss_curve_, rtol=1e-10)
    assert_allclose(sp.predict_proba(X_sparse), dense.predict_proba(X), rtol=1e-10)
    assert_allclose(sp.transform(X_sparse), dense.transform(X), rtol=1e-10)
    assert_array_equal(sp.predict(X_sparse), dense.predict(X))


@pytest.mark.parametrize("input_dtype", INPUT_DTYPES, ids=lambda t: t.__name__)
@pytest.mark.parametrize("dtype", [None, np.float32, np.float64])
@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_sparse_of_any_dtype_equals_dense(blobs, input_dtype, dtype, solver):
    X, y = _sparse_blobs(blobs, input_dtype)
    params = dict(hidden_size=6, solver=solver, max_iter=10, dtype=dtype)
    dense = fit_quietly(TwoLayerNetClassifier(random_state=0, **params), X, y)
    sp = fit_quietly(
        TwoLayerNetClassifier(random_state=0, **params), sparse.csr_array(X), y
    )
    # MLPClassifier's rule when dtype is None: float32 stays, all else float64.
    trained = dtype or (np.float32 if input_dtype == np.float32 else np.float64)
    assert sp.coefs_[0].dtype == dense.coefs_[0].dtype == trained
    rtol = 1e-10
    if trained == np.float32:
        # One evaluation agrees to float32 rounding: SciPy's sparse product
        # sums in another order than BLAS's dense one. SGD's steps carry those
        # roundings along (1e-4 after 10 epochs); L-BFGS amplifies them, as
        # its line search and curvature pairs act on differences of losses
        # and gradients (3.4e-4 after 10 iterations with NumPy 1.24's
        # OpenBLAS): the promise is float32 rounding per evaluation, not a
        # bound on a chaotic solver's path.
        assert_allclose(sp.loss_curve_[0], dense.loss_curve_[0], rtol=1e-5)
        rtol = 1e-3 if solver == "lbfgs" else 1e-4
    assert_allclose(sp.loss_curve_, dense.loss_curve_, rtol=rtol)
    proba = sp.predict_proba(sparse.csr_matrix(X))
    assert proba.dtype == trained
    assert_allclose(proba, dense.predict_proba(X), rtol=rtol, atol=1e-6)


def _unsorted(X_csr):
    """``X_csr`` with each row's entries in reverse column order (valid CSR)."""
    X = X_csr.copy()
    for start, stop in zip(X.indptr[:-1], X.indptr[1:], strict=True):
        X.indices[start:stop] = X.indices[start:stop][::-1].copy()
        X.data[start:stop] = X.data[start:stop][::-1].copy()
    X.has_sorted_indices = False
    return X


_READ_ONLY_INPUTS = {
    "dense": lambda X: X,
    "dense-float32": lambda X: X.astype(np.float32),
    "csr": sparse.csr_matrix,
    "csc": sparse.csc_matrix,
    "coo": sparse.coo_matrix,
    "csr_array": sparse.csr_array,
    "csr-unsorted": lambda X: _unsorted(sparse.csr_matrix(X)),
    "csr-float32": lambda X: sparse.csr_matrix(X.astype(np.float32)),
}


@pytest.mark.parametrize("kind", _READ_ONLY_INPUTS)
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_read_only_input_trains_the_model_a_writable_copy_trains(
    blobs, tmp_path, kind, solver
):
    # joblib memory-maps large inputs read-only for GridSearchCV(n_jobs=...)
    # workers: bit for bit is the promise, whoever owns the memory.
    X, y = _sparse_blobs(blobs)
    X = _READ_ONLY_INPUTS[kind](X)
    joblib.dump(X, tmp_path / "X.joblib")
    X_read_only = joblib.load(tmp_path / "X.joblib", mmap_mode="r")
    params = dict(hidden_size=6, solver=solver, max_iter=10, random_state=0)
    writable = fit_quietly(TwoLayerNetClassifier(**params), X.copy(), y)
    read_only = fit_quietly(TwoLayerNetClassifier(**params), X_read_only, y)
    for a, b in zip(
        writable.coefs_ + writable.intercepts_,
        read_only.coefs_ + read_only.intercepts_,
        strict=True,
    ):
        assert a.tobytes() == b.tobytes()
    assert writable.loss_curve_ == read_only.loss_curve_
    assert (
        writable.predict_proba(X).tobytes()
        == read_only.predict_proba(X_read_only).tobytes()
    )


@pytest.mark.parametrize(
    "solver, validation",
    [("sgd", None), ("adam", "held out"), ("lbfgs", "given")],
)
def test_sparse_rows_reach_the_network_sparse_in_the_training_dtype(
    blobs, monkeypatch, solver, validation
):
    # float64 rows, trained in float32: each batch, chunk and validation
    # chunk is a sparse matrix of float32 values, never densified or upcast.
    X, y = _sparse_blobs(blobs)
    seen = set()
    real = TwoLayerNet.forward

    def recording(self, X_rows, *args, **kwargs):
        seen.add((sparse.issparse(X_rows), X_rows.dtype.type))
        return real(self, X_rows, *args, **kwargs)

    monkeypatch.setattr(TwoLayerNet, "forward", recording)
    clf = TwoLayerNetClassifier(
        hidden_size=4,
        solver=solver,
        early_stopping=validation == "held out",
        max_iter=3,
        dtype=np.float32,
        random_state=0,
    )
    given = {}
    if validation == "given":
        given = dict(X_val=sparse.coo_array(X[:30]), y_val=y[:30])
    fit_quietly(clf, sparse.csr_matrix(X), y, **given)
    assert clf.validation_scores_ is not None or validation is None
    clf.predict_proba(sparse.csc_matrix(X))
    assert seen == {(True, np.float32)}


def test_one_hot_encoded_columns_train_in_float32():
    # The most common tabular pipeline: a OneHotEncoder gives sparse float64
    # columns, which a float32 network multiplies as they are.
    rng = np.random.RandomState(0)
    X = rng.randint(0, 5, size=(200, 3))
    y = (X[:, 0] + X[:, 1] > 4).astype(int)
    pipe = make_pipeline(
        ColumnTransformer([("onehot", OneHotEncoder(), [0, 1, 2])]),
        TwoLayerNetClassifier(hidden_size=8, dtype=np.float32, random_state=0),
    )
    fit_quietly(pipe, X, y)
    assert pipe[-1].coefs_[0].dtype == np.float32
    assert pipe.predict_proba(X).dtype == np.float32
    assert pipe.score(X, y) > 0.9


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_array])
def test_sparse_multilabel_targets_predict_sparse_labels(container):
    # As MLPClassifier, whose LabelBinarizer gives a CSR matrix back.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 2] < 0]).astype(int)
    for params in [dict(shuffle=False), dict(early_stopping=True)]:
        clf = fit_quietly(
            TwoLayerNetClassifier(hidden_size=8, random_state=0, **params),
            X,
            container(Y),
        )
        labels = clf.predict(X)
        assert sparse.issparse(labels) and labels.format == "csr"
        dense = fit_quietly(
            TwoLayerNetClassifier(hidden_size=8, random_state=0, **params), X, Y
        )
        assert_array_equal(labels.toarray(), dense.predict(X))
        assert clf.score(X, container(Y)) == dense.score(X, Y)


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


@pytest.mark.parametrize(
    "input_dtype", [np.uint8, np.bool_, np.int64, np.float16], ids=lambda t: t.__name__
)
@pytest.mark.parametrize("dtype", [None, np.float32])
@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_numbers_of_any_dtype_train_as_their_cast(blobs, input_dtype, dtype, solver):
    # Rows are cast a batch (or a chunk) at a time, to the same values as a
    # cast of the whole input: the same network, bit for bit.
    X, y = _sparse_blobs(blobs, input_dtype)
    trained = dtype or np.float64
    params = dict(hidden_size=6, solver=solver, max_iter=8, random_state=0)
    cast = fit_quietly(TwoLayerNetClassifier(dtype=dtype, **params), X, y)
    native = fit_quietly(TwoLayerNetClassifier(**params), X.astype(trained), y)
    assert cast.coefs_[0].dtype == trained
    assert cast.loss_curve_ == native.loss_curve_
    for a, b in zip(_params(cast), _params(native), strict=True):
        assert_array_equal(a, b)
    assert_array_equal(cast.predict_proba(X), native.predict_proba(X.astype(trained)))


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
