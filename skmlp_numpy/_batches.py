"""The training rows, batch by batch: gathered, cast and densified.

NumPy (and SciPy's sparse matrices) only. The training loop iterates over a
:class:`_Batches` once per epoch; prediction, validation and L-BFGS go
through the rows in the chunks of :func:`chunks`, each made dense by
:func:`_dense_rows`.
"""

import os
import threading

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_info


class NetworkOverflowError(ValueError):
    """The network's outputs overflowed on some rows of the input."""


class _Batches:
    """Minibatches of the training rows, gathered into reused buffers.

    Iterating gives ``(X_batch, Y_batch, sample_weight_batch)`` in slices of
    ``batch_size``: of the rows listed in :attr:`order` (which the training
    loop may shuffle in place), or of all rows in their natural order when
    ``order`` is None. Natural-order rows are views, not copies; others are
    gathered into buffers allocated once, and cast to ``dtype`` as they are.
    Sparse rows are densified one batch at a time. Nothing the size of ``X``
    is ever copied.

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
        # ``spare_core`` (a callable, as asking costs about a millisecond) says.
        self.prefetch = (
            order is not None
            and not sparse.issparse(X)
            and batch_size * X.shape[1] >= self.PREFETCH_MIN_VALUES
            and self.n_samples > batch_size
            and spare_core()
        )
        self._buffers = [self._allocate() for _ in range(2 if self.prefetch else 1)]

    def _allocate(self):
        """One set of batch buffers: X (and its gather scratch), Y, weights."""
        X, Y, n = self.X, self.Y, self.batch_size
        X_buffer = np.empty((n, X.shape[1]), dtype=self.dtype)
        # Rows of another dtype are gathered in their own, then cast: faster
        # than np.take casting as it gathers.
        scratch = None
        if X.dtype != self.dtype and self.order is not None and not sparse.issparse(X):
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
                _dense_rows(self.X, rows, X_buffer[:n], self.dtype),
                self.Y[rows],
                None if sw is None else sw[rows],
            )
        idx = self.order[rows]
        return (
            _take_rows(
                self.X, idx, X_buffer[:n], None if scratch is None else scratch[:n]
            ),
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


def rows_per_chunk(X, n_hidden, n_outputs, working_memory):
    """Rows per chunk of ``X`` that fit in ``working_memory`` MiB.

    A chunk needs its hidden activations and outputs, and its rows densified
    or cast when ``X`` is sparse or of another dtype than the weights; so
    memory does not grow with the number of rows of ``X``. The arithmetic of
    scikit-learn's ``get_chunk_n_rows``.
    """
    row_bytes = (n_hidden + n_outputs + X.shape[1]) * X.dtype.itemsize
    return int(min(max(working_memory * 2**20 // row_bytes, 1), max(X.shape[0], 1)))


def _dense_rows(X, rows, out=None, dtype=None):
    """Rows ``rows`` (a slice) of ``X`` as a dense array of ``dtype``.

    A view when ``X`` is dense and of that dtype already; else a copy, into
    ``out`` when given.
    """
    if sparse.issparse(X):
        if out is None and dtype is not None:
            out = np.empty((rows.stop - rows.start, X.shape[1]), dtype=dtype)
        return X[rows].toarray(out=out)
    if dtype is None or X.dtype == dtype:
        return X[rows]
    if out is None:
        return X[rows].astype(dtype)
    np.copyto(out, X[rows], casting="same_kind")
    return out


def _take_rows(A, idx, out, scratch=None):
    """Gather the rows ``idx`` of ``A`` into ``out``, through ``scratch`` if given.

    ``scratch`` has ``A``'s dtype when ``out`` has another: the rows are
    gathered into it, then cast into ``out``.
    """
    if sparse.issparse(A):
        return A[idx].toarray(out=out)
    if scratch is not None:
        A.take(idx, axis=0, out=scratch, mode="clip")
        np.copyto(out, scratch, casting="same_kind")
        return out
    # mode="clip" lets np.take write straight into ``out``: with the default
    # mode it checks bounds through a temporary copy. The indices are valid.
    return A.take(idx, axis=0, out=out, mode="clip")


def forward_in_chunks(network, X, working_memory, hidden=False):
    """The outputs of ``network`` on validated ``X``, a chunk of rows at a time.

    Or, with ``hidden``, the hidden layer's activations. Rows are cast to the
    weights' dtype a chunk at a time, never as a whole copy of ``X``, and
    chunks fit in ``working_memory`` MiB. Overflow raises a
    :class:`NetworkOverflowError` that says what to do.
    """
    n_samples = X.shape[0]
    n_hidden, n_outputs = network.coefs[1].shape
    size = rows_per_chunk(X, n_hidden, n_outputs, working_memory)
    # Overflow is reported below, once, in plain words.
    with np.errstate(over="ignore", invalid="ignore"):
        if size >= n_samples:
            # One chunk: the outputs are the network's own buffer.
            out = network.forward(
                _dense_rows(X, slice(0, n_samples), dtype=network.dtype), hidden=hidden
            )
        else:
            width = n_hidden if hidden else n_outputs
            out = np.empty((n_samples, width), network.dtype)
            for rows in chunks(n_samples, size):
                X_rows = _dense_rows(X, rows, dtype=network.dtype)
                out[rows] = network.forward(X_rows, hidden=hidden)
    if not np.isfinite(out).all():
        n_bad = int((~np.isfinite(out)).any(axis=1).sum())
        raise NetworkOverflowError(
            f"The network overflowed on {n_bad} rows of X: their features are "
            "too large for the weights. Scale the features as they were scaled "
            "for training (e.g. with a StandardScaler in a Pipeline)."
        )
    return out


def spare_core():
    """Whether BLAS leaves a core free, for the thread that gathers batches."""
    blas = [
        pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"
    ]
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    return max(blas, default=cores) < cores


def full_batch_loss_grad(network, X, Y, sample_weight, alpha, working_memory):
    """The function of L-BFGS: the full-batch loss and gradient at ``theta``.

    It sets the network's parameters to ``theta`` (a float64 vector), and
    returns the loss, L2 penalty included, and its gradient in float64.
    Dense data of the weights' dtype go through in one piece, as in
    MLPClassifier; other data a chunk of ``working_memory`` MiB at a time.
    """
    n = X.shape[0] if sample_weight is None else float(sample_weight.sum())
    size = X.shape[0]
    if sparse.issparse(X) or X.dtype != network.dtype:
        size = rows_per_chunk(X, *network.coefs[1].shape, working_memory)
    row_chunks = chunks(X.shape[0], size)
    grads = np.empty(network.params.shape, dtype=np.float64)

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
            X_rows = _dense_rows(X, rows, dtype=network.dtype)
            loss += share * network.loss_grad(X_rows, Y[rows], sw)
            grads[:] += share * network.grads
        loss += network.penalty(alpha, n, grads)
        return loss, grads

    return loss_grad
