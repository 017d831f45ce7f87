"""How many BLAS threads a fit or a prediction uses: one for small work.

The products of a small network are too small to gain from BLAS threads:
a batch of 200 rows x 64 features x 100 hidden units is about a millisecond
of work, and OpenBLAS's threads spin waiting for each other. On a machine
whose other cores are taken (a shared machine, a laptop compiling), a
thread waiting for a taken core makes every product wait: the digits job
runs several times slower with the default threads than with one (see
``benchmarks/results-busy-2core.txt``).

The rule: when the work of one product, ``rows x n_features x hidden``
(a batch's rows in training, the call's rows in prediction), is below
``WORK_THRESHOLD``, BLAS is limited to one thread for the call, and the
caller's settings are restored afterwards. A caller's own limit is never
touched: when BLAS already uses fewer threads than the process's cores (set
by the user, a ``threadpool_limits`` block, or ``OMP_NUM_THREADS`` in a
joblib worker of ``GridSearchCV``), the call runs as it is.

The batch-gathering thread's rule, ``spare_core()`` in ``_batches``, is
asked before training, outside this limit: it reads the caller's threads. One
thread set here frees no core for the gatherer: on a busy machine the other
core is the taken one. (On MNIST-sized batches, ours at one thread without the
gatherer, "ours policy", beat ours under the caller's one-thread limit, which
starts it, in three of the four measurements of results-busy-2core.txt.)

threadpoolctl only (and joblib's core count, as ``_batches`` reads it); no
scikit-learn.
"""

import contextlib
import contextvars
import functools
import threading

from . import _batches
from ._batches import _threadpool_controller, cpu_count

# Work per product (rows x features x hidden units) below which BLAS runs on
# one thread. Measured on 2 cores of a shared machine (bench_busy.py,
# results-busy-2core.txt), two threads against one: up to 125 million
# (200 x 784 x 800) they gained at most 1.35 times with no load of our own
# and lost 1.4 to 2 times with a core kept busy; from 314 million
# (500 x 784 x 800) they gained 1.4 times or more when quiet and lost at
# most 1.1 times when busy. The threshold sits between the two.
WORK_THRESHOLD = 250_000_000
# Prediction below this work skips the policy: limiting costs ~20 µs a call,
# and gained nothing at 100 rows x 64 x 100 (0.64 million), while at 1000
# rows (6.4 million) one thread was 5 to 10 times faster than two.
WORK_MINIMUM = 2_000_000
# False inside ``fixed_threads()``: the caller has chosen the threads itself.
_POLICY = contextvars.ContextVar("skmlp_numpy_blas_policy", default=True)


@contextlib.contextmanager
def fixed_threads():
    """Turn the policy off inside the block: the caller has set BLAS's threads.

    For a count at or above the cores (``--threads 2`` on 2 cores), which the
    policy could not tell from the default.
    """
    token = _POLICY.set(False)
    try:
        yield
    finally:
        _POLICY.reset(token)


@functools.cache
def _cpu_count():
    """joblib's count of this process's cores, read once (it takes ~70 µs)."""
    return cpu_count()


def process_cores():
    """The cores this process may use: joblib's count, at most OMP_NUM_THREADS."""
    return _batches.process_cores(_cpu_count())


@functools.cache
def _blas_libraries():
    """threadpoolctl's controllers of the loaded BLAS libraries (cached)."""
    return _threadpool_controller().select(user_api="blas").lib_controllers


def chosen_threads(work, libraries=None):
    """The BLAS threads the policy would set for ``work``, or None to leave them.

    None when the work is large enough for threads, or when the caller has
    already limited BLAS below the process's cores (or there is no BLAS).
    """
    if work >= WORK_THRESHOLD or not _POLICY.get():
        return None
    counts = [lib.num_threads for lib in libraries or _blas_libraries()]
    if not counts or max(counts) <= 1 or max(counts) < process_cores():
        return None
    return 1


@contextlib.contextmanager
def blas_threads_for(rows, n_features, hidden, minimum=0):
    """Limit BLAS to one thread inside the block when the work is small."""
    work = int(rows) * int(n_features) * int(hidden)
    if work < minimum:
        yield
        return
    # Each library's own get and set, on the cached controller: about 5 µs,
    # where threadpool_limits() scans the loaded libraries again (3 ms) and
    # the controller's limit() reads every pool's info (35 µs).
    # Calls in several threads at once (predictions served concurrently)
    # share one limit: the first sets it, the last restores the caller's.
    libraries = _blas_libraries()
    with _LOCK:
        joined = _ACTIVE[0] > 0
        threads = None if joined else chosen_threads(work, libraries)
        if joined or threads is not None:
            if not joined:
                _ACTIVE[1] = [lib.num_threads for lib in libraries]
                for lib in libraries:
                    lib.set_num_threads(threads)
            _ACTIVE[0] += 1
    if not joined and threads is None:
        yield
        return
    try:
        yield
    finally:
        with _LOCK:
            _ACTIVE[0] -= 1
            if _ACTIVE[0] == 0:
                for lib, count in zip(libraries, _ACTIVE[1], strict=True):
                    lib.set_num_threads(count)


# [calls inside the policy's limit now, the caller's thread counts to restore]
_ACTIVE = [0, None]
_LOCK = threading.Lock()


def training_threads(state, hidden):
    """The policy around training: a batch's work, or the whole data's (L-BFGS)."""
    X = state.X
    rows = state.batches.batch_size if state.stochastic else X.shape[0]
    return blas_threads_for(rows, X.shape[1], hidden)


def prediction_threads(X, hidden):
    """The policy around a prediction on ``X``; tiny calls are left as they are."""
    rows, n_features = X.shape
    if rows * n_features * hidden < WORK_MINIMUM:
        return _UNCHANGED  # a row or a few: not even a generator's cost
    return blas_threads_for(rows, n_features, hidden)


_UNCHANGED = contextlib.nullcontext()
