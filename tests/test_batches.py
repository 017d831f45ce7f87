"""The training rows batch by batch, and the chunks of prediction and validation.

Batches gathered ahead on a second thread (``gather_ahead`` in conftest.py
turns it on for small data) train the same network bit for bit, and the
thread never outlives a fit; prediction goes through the rows a chunk of the
working memory at a time, cast a chunk at a time.
"""

import pickle
import threading
import tracemalloc

import numpy as np
import pytest
import sklearn
from joblib import Parallel, delayed
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from threadpoolctl import threadpool_info, threadpool_limits

from skmlp_numpy import TwoLayerNetClassifier
from skmlp_numpy._batches import spare_core
from skmlp_numpy._network import TwoLayerNet
from skmlp_numpy._optimizers import SGD, Adam

pytestmark = pytest.mark.usefixtures("quiet")

OPTIMIZER = {"adam": Adam, "sgd": SGD}


def _weights(clf):
    return clf.coefs_ + clf.intercepts_


# ------------------------------------------------------ batches gathered ahead


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
    blobs, gather_ahead, monkeypatch, params
):
    X, y = blobs
    sw = np.random.RandomState(0).uniform(0.5, 2, size=len(y))
    common = dict(hidden_size=5, batch_size=16, max_iter=6, random_state=0, **params)
    with gather_ahead.forced(False):
        sequential = TwoLayerNetClassifier(**common).fit(X, y, sample_weight=sw)
    # The threads alive while the optimizer steps: the gathering thread is one.
    optimizer = OPTIMIZER[params["solver"]]
    real_step, threads = optimizer.step, set()

    def step(self, params, grads):
        threads.update(thread.name for thread in threading.enumerate())
        real_step(self, params, grads)

    monkeypatch.setattr(optimizer, "step", step)
    with gather_ahead.forced():
        ahead = TwoLayerNetClassifier(**common).fit(X, y, sample_weight=sw)
    assert gather_ahead.THREAD_NAME in threads
    assert ahead.loss_curve_ == sequential.loss_curve_
    for a, b in zip(_weights(ahead), _weights(sequential), strict=True):
        assert_array_equal(a, b)


def test_ctrl_c_while_batches_are_gathered_ahead_leaves_no_thread(
    blobs, gather_ahead, monkeypatch
):
    X, y = blobs
    before = threading.active_count()
    real_step, calls = Adam.step, []

    def interrupt_in_epoch_two(self, params, grads):
        calls.append(1)
        if len(calls) == 12:  # 8 batches an epoch
            raise KeyboardInterrupt
        real_step(self, params, grads)

    monkeypatch.setattr(Adam, "step", interrupt_in_epoch_two)
    clf = TwoLayerNetClassifier(hidden_size=4, batch_size=16, random_state=0)
    with gather_ahead.forced():
        with pytest.warns(UserWarning, match="interrupted by the user after 1"):
            clf.fit(X, y)
    assert threading.active_count() == before
    assert clf.n_iter_ == 1


def test_an_error_in_the_gathering_thread_reaches_the_caller(blobs, gather_ahead):
    X, y = blobs
    fitted = TwoLayerNetClassifier(hidden_size=5, max_iter=3, random_state=0)
    fitted.fit(X, y)
    before_threads = threading.active_count()
    fitted.set_params(warm_start=True, batch_size=16)
    before = pickle.dumps(fitted)
    with (
        gather_ahead.forced(),
        gather_ahead.failing(after=4, error=MemoryError("no memory for the batch")),
    ):
        with pytest.raises(MemoryError, match="no memory for the batch"):
            fitted.fit(X, y)
    assert threading.active_count() == before_threads
    assert pickle.dumps(fitted) == before


@pytest.mark.parametrize(
    "blas_threads, omp_num_threads, spare",
    [
        (1, None, True),
        (2, None, False),
        # A joblib worker's share of 2 cores among 2 jobs: the other job has
        # the second core.
        (1, "1", False),
        (1, "2", True),
        (1, "2,1", True),  # OpenMP's nested list: the first level is ours
        (1, "not a number", True),
    ],
)
def test_batches_are_gathered_ahead_only_when_a_core_is_spare(
    monkeypatch, blas_threads, omp_num_threads, spare
):
    if not any(pool["user_api"] == "blas" for pool in threadpool_info()):
        pytest.skip("threadpoolctl finds no BLAS library to limit here")
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.delenv("LOKY_MAX_CPU_COUNT", raising=False)
    if omp_num_threads is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", omp_num_threads)
    with threadpool_limits(limits=blas_threads, user_api="blas"):
        assert spare_core() is spare


def test_no_core_is_spare_in_the_workers_of_a_parallel_search():
    # GridSearchCV(n_jobs=2) runs its fits in joblib's worker processes, which
    # share the cores: BLAS's share leaves no core free in any of them.
    spare = Parallel(n_jobs=2, backend="loky")(delayed(spare_core)() for _ in range(4))
    assert spare == [False] * 4


# -------------------------------------------------- chunks of the working memory


@pytest.fixture
def fitted(blobs):
    X, y = blobs
    return TwoLayerNetClassifier(hidden_size=6, max_iter=5, random_state=0).fit(X, y)


def test_predict_proba_works_in_chunks_of_the_working_memory(fitted, monkeypatch):
    X = np.random.RandomState(0).normal(size=(1000, 4))
    expected = fitted.predict_proba(X)
    chunks = []
    real = TwoLayerNet.forward

    def recording(self, X_chunk, *args, **kwargs):
        chunks.append(X_chunk.shape[0])
        return real(self, X_chunk, *args, **kwargs)

    monkeypatch.setattr(TwoLayerNet, "forward", recording)
    with sklearn.config_context(working_memory=0.001):  # 1 kB: a few rows at a time
        assert_allclose(fitted.predict_proba(X), expected, rtol=1e-12)
    # A row needs its 6 hidden units (with their input or gradient) and 3
    # outputs, in float64; its 4 features are a view of X.
    assert chunks[0] == 1048 // ((2 * 6 + 3) * 8)
    assert sum(chunks) == 1000


def test_prediction_casts_chunks_not_the_whole_input(blobs):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=6, max_iter=3, random_state=0)
    clf.fit(X.astype(np.float32), y)
    proba64 = clf.predict_proba(X)  # float64 rows into float32 weights
    assert proba64.dtype == np.float32
    assert_array_equal(proba64, clf.predict_proba(X.astype(np.float32)))
    huge = np.full((2, 4), 1e300)  # finite float64, overflows once cast
    with pytest.raises(ValueError, match="overflowed"):
        clf.predict_proba(huge)


# ---------------------------------------------------------------- peak memory

MiB = 2**20


def _peak_bytes(call):
    """The most memory that ``call()`` held at once, as tracemalloc counts it.

    NumPy reports the memory of its arrays (SciPy's sparse matrices' too) to
    tracemalloc, so a copy of ``X``, in any dtype, shows.
    """
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _large_data(kind):
    rng = np.random.RandomState(0)
    if kind == "csr":
        # TF-IDF-like: 20 nonzeros a row among 20,000 columns, 240 kB in all;
        # a densified batch of 200 rows would take 32 MB.
        columns = np.sort(rng.randint(0, 20_000, size=(1000, 20)), axis=1)
        X = sparse.csr_matrix(
            (
                rng.rand(columns.size),
                columns.ravel(),
                np.arange(0, columns.size + 1, 20),
            ),
            shape=(1000, 20_000),
        )
    else:
        # Pixels or one-hot columns: 4 MB of uint8 (or bool), 16 MB as
        # float32, 32 MB as float64.
        X = rng.randint(0, 256, size=(4000, 1000)).astype(np.uint8)
        if kind == "bool":
            X = X > 127
    return X, np.arange(X.shape[0]) % 3


def _allowance(X, dtype, working_memory, held_out=0.0):
    """What fit or predict on ``X`` may hold beyond the same call on 30 rows.

    A few vectors of a value or so per row (targets, the shuffled order,
    outputs), the ``held_out`` fraction of the rows that early stopping
    validates on, in X's own dtype and format, and: for dense rows, a chunk
    of the working memory and two sets of batch buffers (rows gathered in
    X's dtype, and cast); for sparse rows, their nonzeros and a cast of them,
    never a densified row.
    """
    per_row = 64 * X.shape[0]
    if sparse.issparse(X):
        X_bytes = X.data.nbytes + X.indices.nbytes
        return per_row + (2 + held_out) * X_bytes
    itemsize = np.dtype(dtype or np.float64).itemsize
    batch_buffers = 2 * 200 * X.shape[1] * (itemsize + X.itemsize)
    return per_row + held_out * X.nbytes + working_memory * MiB + batch_buffers


@pytest.mark.parametrize(
    "kind, dtype, working_memory",
    [
        ("uint8", np.float32, 1),
        ("bool", None, 1),
        # Sparse chunks hold no densified rows, however much memory is allowed.
        ("csr", None, 16),
        ("csr", np.float32, 16),
    ],
)
@pytest.mark.parametrize(
    "call", ["fit adam", "fit lbfgs", "fit early stopping", "predict_proba"]
)
def test_fit_and_prediction_hold_no_whole_copy_of_X(kind, dtype, working_memory, call):
    X, y = _large_data(kind)
    few_X, few_y = X[:30], y[:30]
    params = {
        "fit lbfgs": dict(solver="lbfgs"),
        "fit early stopping": dict(early_stopping=True, validation_fraction=0.1),
    }.get(call, {})
    clf = TwoLayerNetClassifier(
        hidden_size=2, max_iter=2, dtype=dtype, random_state=0, **params
    )
    with sklearn.config_context(working_memory=working_memory):
        if call == "predict_proba":
            clf.fit(X[:300], y[:300])
            few = _peak_bytes(lambda: clf.predict_proba(few_X))
            peak = _peak_bytes(lambda: clf.predict_proba(X))
        else:
            few = _peak_bytes(lambda: clone(clf).fit(few_X, few_y))
            peak = _peak_bytes(lambda: clone(clf).fit(X, y))
    held_out = 0.1 if clf.early_stopping else 0.0
    assert peak - few <= _allowance(X, dtype, working_memory, held_out)
