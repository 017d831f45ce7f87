"""The training rows, batch by batch: gathered, cast and densified.

NumPy (and SciPy's sparse matrices) only. The training loop iterates over a
:class:`_Batches` once per epoch; prediction and L-BFGS use
:func:`_dense_rows` for their chunks.
"""

import threading

import numpy as np
from scipy import sparse


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
        n, size = self.n_samples, self.batch_size
        slices = [slice(start, min(start + size, n)) for start in range(0, n, size)]
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
