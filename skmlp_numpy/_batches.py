"""The training rows, batch by batch: gathered and cast.

NumPy and SciPy's sparse matrices (threadpoolctl and joblib only to tell
whether a core is spare). The training loop iterates over a
:class:`_Batches` once per epoch; prediction, validation and L-BFGS go
through the rows in the chunks of :func:`chunks`, each cast by
:func:`_sliced`. Sparse rows stay sparse: the network multiplies them as
they are. Nothing the size of ``X`` is copied, in any dtype: rows are cast
one batch, or one chunk of the working memory, at a time.
"""

import functools
import os
import threading

import numpy as np
from joblib import cpu_count
from scipy import sparse
from threadpoolctl import ThreadpoolController


class NetworkOverflowError(ValueError):
    """The network's outputs overflowed on some rows of the input."""


class _Batches:
    """Minibatches of the training rows, gathered into reused buffers.

    Iterating gives ``(X_batch, Y_batch, sample_weight_batch)`` in slices of
    ``batch_size``: of the rows listed in :attr:`order` (which the training
    loop may shuffle in place), or of all rows in their natural order when
    ``order`` is None. Natural-order rows are views, not copies; others are
    gathered into buffers allocated once, and cast to ``dtype`` as they are.
    Sparse rows stay sparse: each batch is a CSR matrix of its rows, its
    values cast to ``dtype``. Nothing the size of ``X`` is ever copied.

    Large gathers run one batch ahead on a second thread, while the caller
    computes on the current batch, when a core is spare: NumPy's ``take`` and
    the matrix products release the GIL, so the gather of batch k + 1
    overlaps the step on batch k (7-13% off an MNIST epoch at one BLAS thread
    on 2 cores; 12% slower with BLAS on both, so then it is off). The batches
    are the same either way, so results are too, bit for bit.
    """

    # Below this many values a batch gathers in microseconds, less than
    # handing it to another thread costs.
    PREFETCH_MIN_VALUES = 32_768

    def __init__(self, X, Y, sample_weight, order, batch_size, dtype, spare_core):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.order = order
        self.batch_size = batch_size
        self.dtype = dtype
        self.n_samples = X.shape[0] if order is None else len(order)
        # Gathering ahead pays only with a core that the matrix products leave
        # free: where BLAS uses every core, the second thread slows both.
        # ``spare_core`` says (a callable: asked only for batches this large).
        self.prefetch = (
            order is not None
            and not sparse.issparse(X)
            and batch_size * X.shape[1] >= self.PREFETCH_MIN_VALUES
            and self.n_samples > batch_size
            and spare_core()
        )
        self._buffers = [self._allocate() for _ in range(2 if self.prefetch else 1)]

    def _allocate(self):
        """One set of batch buffers: X (and its gather scratch), Y, weights.

        Sparse rows need no X buffer: each batch is a new, small CSR matrix.
        """
        X, Y, n = self.X, self.Y, self.batch_size
        X_buffer = scratch = None
        if not sparse.issparse(X):
            X_buffer = np.empty((n, X.shape[1]), dtype=self.dtype)
            # Rows of another dtype are gathered in their own, then cast:
            # faster than np.take casting as it gathers.
            if X.dtype != self.dtype and self.order is not None:
                scratch = np.empty((n, X.shape[1]), dtype=X.dtype)
        Y_buffer = np.empty((n, *Y.shape[1:]), dtype=Y.dtype)
        sw_buffer = None if self.sample_weight is None else np.empty(n, self.dtype)
        return X_buffer, scratch, Y_buffer, sw_buffer

    def _gather(self, rows, buffers):
        """Batch ``rows`` (a slice of the order, or of all rows) into ``buffers``."""
        X_buffer, scratch, Y_buffer, sw_buffer = buffers
        n = rows.stop - rows.start
        sw = self.sample_weight
        if self.order is None:
            return (
                _sliced(self.X, rows, self.dtype, _head(X_buffer, rows)),
                self.Y[rows],
                None if sw is None else sw[rows],
            )
        idx = self.order[rows]
        if sparse.issparse(self.X):
            X_batch = _with_dtype(self.X[idx], self.dtype)
        else:
            X_batch = _take_rows(self.X, idx, X_buffer[:n], _head(scratch, rows))
        return (
            X_batch,
            _take_rows(self.Y, idx, Y_buffer[:n]),
            None if sw is None else _take_rows(sw, idx, sw_buffer[:n]),
        )

    def __iter__(self):
        slices = chunks(self.n_samples, self.batch_size)
        if self.prefetch:
            yield from self._prefetched(slices)
        else:
            for rows in slices:
                yield self._gather(rows, self._buffers[0])

    def _prefetched(self, slices):
        """The batches, each gathered by a second thread while the last is used.

        Two buffer sets alternate: the thread fills set ``i % 2`` once the
        caller is done with it (``free``) and says so (``ready``). However the
        iteration ends (its end, an exception, Ctrl-C, the caller stopping
        early), ``finally`` stops the thread and waits for it: none is left
        behind.
        """
        ready = [threading.Event(), threading.Event()]
        free = [threading.Event(), threading.Event()]
        for event in free:
            event.set()
        stop = threading.Event()
        batches, errors = [None, None], []

        def gather_ahead():
            """The second thread: gather each batch once its buffers are free."""
            try:
                for i, rows in enumerate(slices):
                    k = i % 2
                    free[k].wait()
                    if stop.is_set():
                        return
                    free[k].clear()
                    batches[k] = self._gather(rows, self._buffers[k])
                    ready[k].set()
            except BaseException as exc:  # handed to the caller's thread
                errors.append(exc)
                for event in ready:
                    event.set()

        thread = threading.Thread(
            target=gather_ahead, name="skmlp_numpy batch gather", daemon=True
        )
        thread.start()
        try:
            for i in range(len(slices)):
                k = i % 2
                ready[k].wait()
                ready[k].clear()
                if errors:
                    raise errors[0]
                yield batches[k]
                free[k].set()
        finally:
            stop.set()
            for event in free:
                event.set()
            thread.join()


def chunks(n_rows, size):
    """Consecutive slices of ``size`` rows (the last may be shorter).

    scikit-learn's ``gen_batches`` does the same, but validates its arguments
    at every call, which costs more than a one-row prediction.
    """
    return [slice(start, min(start + size, n_rows)) for start in range(0, n_rows, size)]


def rows_per_chunk(X, n_hidden, n_outputs, dtype, working_memory):
    """Rows per chunk of ``X`` that fit in ``working_memory`` MiB.

    A chunk's row needs its hidden activations (with their input, or their
    gradient) and its outputs, in ``dtype``; and its row of ``X`` when that
    is copied: cast to ``dtype`` when dense of another dtype, its share of
    the nonzeros (gathered, then cast) when sparse. So memory does not grow
    with the number of rows of ``X``. The arithmetic of scikit-learn's
    ``get_chunk_n_rows``.
    """
    itemsize = np.dtype(dtype).itemsize
    row_bytes = (2 * n_hidden + n_outputs) * itemsize
    if sparse.issparse(X):
        nonzeros_per_row = X.nnz / max(X.shape[0], 1)
        row_bytes += nonzeros_per_row * (
            X.dtype.itemsize + itemsize + 2 * X.indices.itemsize
        )
    elif X.dtype != dtype:
        row_bytes += X.shape[1] * itemsize
    rows = int(working_memory * 2**20 // row_bytes)
    return min(max(rows, 1), max(X.shape[0], 1))


def _cast_buffer(X, n_rows, dtype):
    """A buffer for ``n_rows`` rows of ``X`` cast to ``dtype``; None if none is cast.

    Sparse rows need none: their chunks are new, small matrices.
    """
    if sparse.issparse(X) or X.dtype == dtype:
        return None
    return np.empty((n_rows, X.shape[1]), dtype)


def _head(buffer, rows):
    """As many rows of ``buffer`` (which may be None) as the slice ``rows`` has."""
    return None if buffer is None else buffer[: rows.stop - rows.start]


def _with_dtype(X_sparse, dtype):
    """The sparse ``X_sparse`` with its values in ``dtype`` (itself if they are).

    Its values are cast, not the indices: scipy's product of a sparse matrix
    and a dense one of different dtypes would upcast, and float32 training
    must stay in float32.
    """
    return X_sparse if X_sparse.dtype == dtype else X_sparse.astype(dtype)


def _sliced(X, rows, dtype, out=None):
    """Rows ``rows`` (a slice) of ``X`` in ``dtype``, copied only if need be.

    Dense rows of that dtype are a view of ``X``; other dense rows are cast
    into ``out`` (or a new array). Sparse rows stay sparse, with their values
    in ``dtype``: all of ``X``, of that dtype, is ``X`` itself.
    """
    if sparse.issparse(X):
        if rows.start == 0 and rows.stop >= X.shape[0]:
            return _with_dtype(X, dtype)
        return _with_dtype(X[rows], dtype)
    if X.dtype == dtype:
        return X[rows]
    if out is None:
        return X[rows].astype(dtype)
    # Any numeric dtype casts: validation let through only numbers and bools.
    np.copyto(out, X[rows], casting="unsafe")
    return out


def _take_rows(A, idx, out, scratch=None):
    """Gather the rows ``idx`` of the dense ``A`` into ``out``, through ``scratch``.

    ``scratch`` has ``A``'s dtype when ``out`` has another: the rows are
    gathered into it, then cast into ``out``.
    """
    if scratch is not None:
        A.take(idx, axis=0, out=scratch, mode="clip")
        np.copyto(out, scratch, casting="unsafe")
        return out
    # mode="clip" lets np.take write straight into ``out``: with the default
    # mode it checks bounds through a temporary copy. The indices are valid.
    return A.take(idx, axis=0, out=out, mode="clip")


def forward_in_chunks(network, X, working_memory, hidden=False):
    """The outputs of ``network`` on validated ``X``, a chunk of rows at a time.

    Or, with ``hidden``, the hidden layer's activations. Rows are cast to the
    weights' dtype a chunk at a time, never as a whole copy of ``X``, and
    chunks fit in ``working_memory`` MiB; sparse rows stay sparse. Overflow
    raises a :class:`NetworkOverflowError` that says what to do.
    """
    n_samples = X.shape[0]
    n_hidden, n_outputs = network.n_hidden, network.n_outputs
    size = rows_per_chunk(
        X, n_hidden, n_outputs * network.n_members, network.dtype, working_memory
    )
    # Overflow is reported below, once, in plain words.
    with np.errstate(over="ignore", invalid="ignore"):
        if size >= n_samples:
            # One chunk: the outputs are the network's own buffer.
            out = network.forward(
                _sliced(X, slice(0, n_samples), network.dtype), hidden=hidden
            )
        else:
            width = n_hidden if hidden else n_outputs
            out = np.empty((n_samples, width), network.dtype)
            buffer = _cast_buffer(X, size, network.dtype)
            for rows in chunks(n_samples, size):
                # No name holds a chunk: one at a time is alive.
                out[rows] = network.forward(
                    _sliced(X, rows, network.dtype, _head(buffer, rows)),
                    hidden=hidden,
                )
    if not np.isfinite(out).all():
        bad = np.flatnonzero((~np.isfinite(out)).any(axis=1))
        # Only under scikit-learn's assume_finite=True do such rows get here.
        rows = X[bad]
        values = rows.data if sparse.issparse(rows) else np.asarray(rows)
        if not np.isfinite(values.astype(np.float64, copy=False)).all():
            raise ValueError(
                "X contains NaN or infinite values (assume_finite=True in "
                "scikit-learn's config skipped the check that says so): "
                "impute or drop them."
            )
        n_bad = len(bad)
        raise NetworkOverflowError(
            f"The network overflowed on {n_bad} rows of X: their features are "
            "too large for the weights. Scale the features as they were scaled "
            "for training (e.g. with a StandardScaler in a Pipeline)."
        )
    return out


def spare_core():
    """Whether a core is left free for the thread that gathers batches.

    The cores this process may use are joblib's count of them (its CPU
    affinity and any container quota), and no more than ``OMP_NUM_THREADS``
    when that is set. joblib's worker processes, those of
    ``GridSearchCV(n_jobs=k)``, run with it set to their share of the
    cores, ``cores // k`` (as a job scheduler or Dask may set it): BLAS,
    limited to that share, leaves no core there, since the other workers use
    the rest. A core is spare when BLAS uses fewer threads than the process
    may.
    """
    cores = process_cores(cpu_count())
    blas = [
        pool["num_threads"]
        for pool in _threadpool_controller().info()
        if pool["user_api"] == "blas"
    ]
    return max(blas, default=cores) < cores


def process_cores(cores):
    """The cores this process may use of ``cores`` (joblib's count of them):
    no more than ``OMP_NUM_THREADS``, when that is set."""
    share = _thread_limit(os.environ.get("OMP_NUM_THREADS"))
    return cores if share is None else min(cores, share)


@functools.cache
def _threadpool_controller():
    """threadpoolctl's view of the loaded thread pools, made once a process.

    Making it scans the loaded libraries (about 3 ms, at every fit if made
    each time); its ``info()`` then reads their current thread counts, those
    that ``threadpool_limits`` set included, in microseconds.
    """
    return ThreadpoolController()


def _thread_limit(value):
    """The number of threads an ``OMP_NUM_THREADS`` value allows, or None.

    OpenMP reads a list ("4,2") as the threads of each nesting level: the
    first is this process's. A value that is not a positive number limits
    nothing, as OpenMP ignores it.
    """
    try:
        threads = int(value.split(",")[0])
    except (AttributeError, ValueError):
        return None
    return threads if threads > 0 else None


def full_batch_loss_grad(network, X, Y, sample_weight, alpha, working_memory):
    """The function of L-BFGS: the full-batch loss and gradient at ``theta``.

    It sets the network's parameters to ``theta`` (a float64 vector), and
    returns the loss, L2 penalty included, and its gradient in float64: the
    function whose gradient that is, as L-BFGS's line search needs. An
    ensemble's loss here is the *sum* of its members' losses, whose gradient
    is the members' own gradients (see ``TwoLayerNet.loss_grad``); a loss
    averaged over several outputs whose gradient is their sum's
    (``sums_outputs``) is their sum.
    Data of the weights' dtype, dense or sparse, go through in one piece, as
    in MLPClassifier; other data a chunk of ``working_memory`` MiB at a time,
    cast as it goes.
    """
    n = X.shape[0] if sample_weight is None else float(sample_weight.sum())
    size = X.shape[0]
    if X.dtype != network.dtype:
        size = rows_per_chunk(
            X,
            network.n_hidden,
            network.n_outputs * network.n_members,
            network.dtype,
            working_memory,
        )
    row_chunks = chunks(X.shape[0], size)
    buffer = _cast_buffer(X, size, network.dtype)
    grads = np.empty(network.params.shape, dtype=np.float64)
    outputs = network.summed_outputs

    def loss_grad(theta):
        """The full-batch loss and gradient at ``theta``, for SciPy."""
        network.params[:] = theta
        loss = 0.0
        grads[:] = 0.0
        for rows in row_chunks:
            sw = None if sample_weight is None else sample_weight[rows]
            share = (rows.stop - rows.start if sw is None else float(sw.sum())) / n
            if share == 0:
                continue
            X_rows = _sliced(X, rows, network.dtype, _head(buffer, rows))
            loss += share * outputs * network.loss_grad(X_rows, Y[rows], sw)
            grads[:] += share * network.grads
        loss += network.penalty(alpha, n, grads)
        if network.n_members > 1:
            loss *= network.n_members  # the sum, whose gradient grads is
        return loss, grads

    return loss_grad
