"""Piecewise-linear encoding of numeric columns.

:class:`PiecewiseLinearEncoder` turns each numeric column into the
piecewise-linear encoding of Gorishniy, Rubachev and Babenko (NeurIPS 2022),
with bin edges from the column's quantiles or from a decision tree fitted on
the target.
"""

from numbers import Integral
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    _check_feature_names_in,
    _get_feature_names,
    check_array,
    check_is_fitted,
    check_X_y,
    validate_data,
)

from ._checks import DTYPE_CONSTRAINT, preserved_dtypes

# type_of_target's answers that a regression tree fits; the other known ones
# (binary, multiclass and their multi-output forms) a classification tree.
_CONTINUOUS = ("continuous", "continuous-multioutput")

# The rows transform encodes at a time in float64: its scratch array stays
# near 8 MB for 128 output columns, whatever the number of rows.
_CHUNK_ROWS = 8192


def _pieces(bin_edges: Any, extrapolation: str = "linear") -> tuple:
    """Per output column: its input column, left edge, width and clip bounds.

    In float64, as the transform and the ONNX graph both compute the
    encoding, whatever the output's dtype; both read it from here.
    """
    feature, left, width, low, high = [], [], [], [], []
    for j, edges in enumerate(bin_edges):
        n_pieces = len(edges) - 1
        if n_pieces < 1:
            continue  # a constant column has no piece
        feature.append(np.full(n_pieces, j, dtype=np.int64))
        left.append(edges[:-1])
        width.append(np.diff(edges))
        # The paper's convention ("linear"): the first piece extends linearly
        # below the first edge and the last one above the last edge, so that
        # values outside the training range stay distinct; the inner pieces
        # are clipped to [0, 1], and every piece under "constant".
        lo = np.zeros(n_pieces)
        hi = np.ones(n_pieces)
        if extrapolation == "linear":
            lo[0] = -np.inf
            hi[-1] = np.inf
        low.append(lo)
        high.append(hi)
    if not feature:
        empty = np.empty(0)
        return np.empty(0, dtype=np.int64), empty, empty, empty, empty
    left, width, low, high = (np.concatenate(part) for part in (left, width, low, high))
    # A subnormal width, which a runtime (ONNX's) may flush to 0, would make
    # 0 / 0, NaN: the smallest normal number instead.
    return (
        np.concatenate(feature),
        left,
        np.maximum(width, np.finfo(np.float64).tiny),
        low,
        high,
    )


def _check_zero_encodes_as_zero(
    pieces: tuple, bin_edges: Any, names: Any = None
) -> None:
    """Refuse sparse input unless every column encodes 0 as all zeros.

    A column's encoding of 0 is 0 when its first edge is 0 or above (its
    smallest value in fit: no bin lies below 0), and, under ``'linear'``, not
    above 0 either (the first bin would go negative below it). A column of
    counts or TF-IDF weights qualifies whenever it had a zero in fit, and
    under ``'constant'`` always. ``pieces`` are :func:`_pieces` of
    ``bin_edges``; ``names`` names the columns in the message.
    """
    feature, left, width, low, high = pieces
    zero = np.clip((0.0 - left) / width, low, high)
    if not zero.any():
        return
    j = int(feature[np.flatnonzero(zero)[0]])
    column = f"column {j}" if names is None else f"column {names[j]!r}"
    start = bin_edges[j][0]
    if start > 0:
        # Only the linear first bin, which goes negative below its start.
        way_out = (
            "Under extrapolation='linear' its first bin goes on below that, to "
            "a negative value at 0: extrapolation='constant' encodes 0 as 0."
        )
    else:
        way_out = (
            "Its values below 0 make every bin below 0 encode 0 as 1: shift "
            "the column so that its smallest value is 0."
        )
    raise ValueError(
        f"Sparse X: {column} encodes 0 as nonzero bins (its bins start at "
        f"{start:.6g}), so the output could not stay sparse. {way_out} Or pass "
        "X.toarray() if its dense encoding fits in memory."
    )


def _sorted_sparse_at(stored: np.ndarray, n: int, i: np.ndarray) -> np.ndarray:
    """The values at positions ``i`` of a sparse column of ``n`` rows, sorted.

    ``stored`` are its stored values, sorted; its other rows are zeros, which
    sort between the negative values and the others.
    """
    n_zeros = n - stored.size
    start = np.searchsorted(stored, 0.0)
    index = np.where(i < start, i, i - n_zeros)
    index[(i >= start) & (i < start + n_zeros)] = stored.size
    return np.append(stored, 0.0)[index]


def _sparse_quantiles(X: Any, quantiles: np.ndarray) -> np.ndarray:
    """Each column's quantiles, as :func:`numpy.quantile` of the dense column.

    Returns an array of shape (n_features, n_quantiles).

    ``X`` is CSC without duplicate entries. A column's zeros (stored or not)
    are one run of its sorted values, between the negative and the positive
    stored ones, so only the stored values are sorted: the work grows with
    ``X.nnz`` and the number of columns that store a value, not with
    ``X.shape[0]`` times the number of columns.
    """
    n = X.shape[0]
    # numpy.quantile's default 'linear' method: the value at position
    # (n - 1) * q of the sorted column, interpolated between its neighbours
    # (numpy's formula, exact at both ends).
    position = (n - 1) * quantiles
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, n - 1)
    t = position - below
    # A column that stores nothing (a hashed text's many unused columns) is
    # all zeros, and so are its quantiles: no work for it.
    edges = np.zeros((X.shape[1], quantiles.size))
    for j in np.flatnonzero(np.diff(X.indptr)):
        stored = np.sort(X.data[X.indptr[j] : X.indptr[j + 1]].astype(np.float64))
        a, b = _sorted_sparse_at(stored, n, np.stack([below, above]))
        difference = b - a
        value = a + difference * t
        np.subtract(b, difference * (1 - t), out=value, where=t >= 0.5)
        edges[j] = value
    return edges


class PiecewiseLinearEncoder(TransformerMixin, BaseEstimator):
    r"""Encode numeric columns piecewise linearly between bin edges.

    Each column's bin edges :math:`b_0 < b_1 < \dots < b_T` are learned in
    ``fit``, from the column's quantiles or from a decision tree fitted on the
    target; a value :math:`x` is encoded as :math:`T` features, one per bin,
    which say how far :math:`x` has gone through it: 0 before the bin, 1 after
    it, linear within (Gorishniy et al., 2022). It gives a net's first layer
    a different slope in every bin of a column. Put it after an imputer (it
    refuses missing values, as :class:`~sklearn.preprocessing.KBinsDiscretizer`
    does) and, as in the paper, append its output to the scaled values, with
    a :class:`~sklearn.pipeline.FeatureUnion`.

    Parameters
    ----------
    n_bins : int, default=16
        The number of bins of each column, at most. Edges that coincide
        (values tied over several quantiles, or a tree with fewer splits) are
        merged, so a column may have fewer; a constant column has none and
        gives no output column. Quantiles interpolate between a column's
        values: a column of few distinct values keeps its bins, and those
        that lie between two of its values encode them alike (a 0/1 column
        gets two such bins, KBinsDiscretizer's quantiles one).

    strategy : {'quantile', 'tree'}, default='quantile'
        How the edges are chosen:

        - ``'quantile'``: the ``n_bins + 1`` quantiles of the column, its
          minimum and maximum included (linear interpolation, as
          :func:`numpy.quantile`);
        - ``'tree'``: the minimum, the maximum, and the thresholds of a
          decision tree with at most ``n_bins`` leaves fitted on the column
          alone to predict ``y``. ``fit`` then needs ``y``.

    task : {'auto', 'classification', 'regression'}, default='auto'
        Which tree ``strategy='tree'`` fits: a
        :class:`~sklearn.tree.DecisionTreeClassifier` or a
        :class:`~sklearn.tree.DecisionTreeRegressor`. ``'auto'`` reads it
        from ``y`` with :func:`~sklearn.utils.multiclass.type_of_target`:
        float targets are regression, integers and strings classification.
        Integer-valued regression targets (counts, or floats such as
        ``151.0``) read as classes: pass ``'regression'`` for those. Ignored
        by ``strategy='quantile'``.

    subsample : int or None, default=200_000
        The number of rows the edges are computed from, drawn at random
        without replacement when ``X`` has more; ``None`` uses every row.

    random_state : int, RandomState instance or None, default=None
        The rows drawn by ``subsample`` and the trees' ties. Pass an int for
        the same edges at every call.

    extrapolation : {'linear', 'constant'}, default='linear'
        How a value outside the range of the edges is encoded (the names of
        :class:`~sklearn.preprocessing.SplineTransformer`):

        - ``'linear'``: the first bin goes on below :math:`b_0` (negative)
          and the last one above :math:`b_T` (above 1), as in the paper, so
          that such values stay distinct;
        - ``'constant'``: every bin stays in [0, 1], so a value beyond the
          edges is encoded as the nearest edge, and an outlier met after
          ``fit`` stays bounded (what a scaler with :class:`SmoothClip`
          beside the encoding keeps distinct anyway).

    dtype : {np.float32, np.float64} or None, default=None
        The output's dtype; None keeps the input's (float32 or float64).
        The encoding is computed in float64 whatever the dtype, a chunk of
        rows at a time, then cast: ``dtype=np.float32`` on float64 input
        makes an output half the size, and keeps what float32 input could
        not (the seconds of a timestamp, a column of values near 1e-40).
        Under ``extrapolation='linear'`` a float32 output is infinite where
        the first or last bin goes past float32's range.

    Attributes
    ----------
    bin_edges_ : ndarray of ndarray of shape (n_features,)
        The edges of each column's bins, increasing, float64. A constant
        column has one edge.

    n_bins_ : ndarray of shape (n_features,), dtype=np.int64
        The number of bins, and so of output columns, of each column.

    task_ : str or None
        ``'classification'`` or ``'regression'``: the trees' task with
        ``strategy='tree'``; ``None`` with ``strategy='quantile'``.

    n_features_in_ : int
        Number of columns seen in ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen in ``fit``, when they are all strings.

    See Also
    --------
    sklearn.preprocessing.KBinsDiscretizer : One-hot or ordinal bins, a step
        function where this encoding is continuous.
    sklearn.preprocessing.SplineTransformer : Smooth splines on a grid of
        knots.
    SmoothClip : The step before it in a numeric branch, after a scaler.

    Notes
    -----
    With edges :math:`b_0 < \dots < b_T`, the bin :math:`t` encodes :math:`x`
    as

    .. math::

        e_t(x) = \min\left(1, \max\left(0,
        \frac{x - b_{t-1}}{b_t - b_{t-1}}\right)\right),

    except that, under ``extrapolation='linear'``, the first bin is not
    clipped below and the last one not above: a value below :math:`b_0`
    gives a negative :math:`e_1`, one above :math:`b_T` an :math:`e_T` above
    1, as in the paper's reference implementation, so that values outside
    the training range stay distinct. A column of one bin is then
    :math:`(x - b_0) / (b_1 - b_0)`, a min-max scaling.

    Sparse input (CSR or CSC, matrix or array) gives a sparse CSR output of
    the same kind, with only the stored values encoded: for a column whose
    bins start at 0, as those of counts and TF-IDF weights with a zero in
    ``fit`` do, the encoding of 0 is all zeros. A column whose bins start
    elsewhere would not stay sparse: one with negative values (the bins
    below 0 encode 0 as 1), or, under ``extrapolation='linear'``, one
    without a zero in ``fit`` (its first bin goes negative below its start;
    ``'constant'`` encodes 0 as 0). ``fit`` and ``transform`` refuse such a
    column with a ``ValueError`` that names it; pass a dense array if its
    dense encoding fits in memory. The quantiles and trees count a sparse
    column's zeros as values, as they would dense: a column that is zero
    in most rows has most of its quantile edges at 0, merged into one, and
    so few bins (one, a min-max scaling, where more than ``n_bins - 1`` of
    ``n_bins`` rows are zero); ``strategy='tree'`` places its edges by the
    target instead. The quantiles of a sparse column are computed from its
    stored values alone; ``strategy='tree'`` reads each sparse column
    densely, one at a time. ONNX export takes dense input.

    The output has ``n_bins_.sum()`` columns, named ``<column>_ple<t>``, in
    ``dtype``, or else the dtype of the input, float32 or float64 (other
    dtypes become float64).

    References
    ----------
    Y. Gorishniy, I. Rubachev and A. Babenko, "On Embeddings for Numerical
    Features in Tabular Deep Learning", NeurIPS 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp_numpy import PiecewiseLinearEncoder
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    >>> ple = PiecewiseLinearEncoder(n_bins=2).fit(X)
    >>> ple.bin_edges_[0]
    array([0., 2., 4.])
    >>> ple.transform([[-2.0], [1.0], [3.0], [6.0]])
    array([[-1. ,  0. ],
           [ 0.5,  0. ],
           [ 1. ,  0.5],
           [ 1. ,  2. ]])
    >>> ple.get_feature_names_out().tolist()
    ['x0_ple0', 'x0_ple1']
    """

    _parameter_constraints: dict = {
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "strategy": [StrOptions({"quantile", "tree"})],
        "task": [StrOptions({"auto", "classification", "regression"})],
        "subsample": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "extrapolation": [StrOptions({"linear", "constant"})],
        "dtype": DTYPE_CONSTRAINT,
    }

    def __init__(
        self,
        n_bins: int = 16,
        *,
        strategy: str = "quantile",
        task: str = "auto",
        subsample: int | None = 200_000,
        random_state: Any = None,
        extrapolation: str = "linear",
        dtype: Any = None,
    ) -> None:
        self.n_bins = n_bins
        self.strategy = strategy
        self.task = task
        self.subsample = subsample
        self.random_state = random_state
        self.extrapolation = extrapolation
        self.dtype = dtype

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> "PiecewiseLinearEncoder":
        """Learn the bin edges of each column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric columns, without missing values.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
default=None
            The targets the trees of ``strategy='tree'`` split on; ignored by
            ``strategy='quantile'``.

        Returns
        -------
        self : PiecewiseLinearEncoder
            The fitted encoder.
        """
        if self.strategy == "tree":
            if y is None:
                # Ends in scikit-learn's words, which its checks look for.
                raise ValueError(
                    "PiecewiseLinearEncoder with strategy='tree' fits decision "
                    "trees on the targets: it requires y to be passed, but the "
                    "target y is None (or use strategy='quantile')."
                )
            # Checked here, the names and number of the columns set at the
            # end (validate_data would set them now): a refused fit leaves a
            # fitted encoder as it was.
            X_checked, y = check_X_y(
                X,
                y,
                accept_sparse="csc",
                dtype=(np.float64, np.float32),
                multi_output=True,
                estimator=self,
            )
            task = self._task(y)
        else:
            X_checked = check_array(
                X,
                accept_sparse="csc",
                dtype=(np.float64, np.float32),
                estimator=self,
                input_name="X",
            )
            task = None
        columns_given, X = X, X_checked
        if sparse.issparse(X) and not X.has_canonical_format:
            # A duplicate entry's value is the sum, as in X.toarray(); on a
            # copy, as min and max below would sum them in the caller's X.
            X = X.copy()
            X.sum_duplicates()

        # The edges' differences (the bins' widths) must be finite: np.quantile
        # interpolates through them, and the transform divides by them.
        low, high = (
            np.ravel(extreme.toarray() if sparse.issparse(extreme) else extreme)
            for extreme in (X.min(axis=0), X.max(axis=0))
        )
        with np.errstate(over="ignore"):
            span = high.astype(np.float64) - low.astype(np.float64)
        if not np.isfinite(span).all():
            j = int(np.flatnonzero(~np.isfinite(span))[0])
            raise ValueError(
                f"Column {j} of X spans more than float64 can hold (from "
                f"{low[j]:.3g} to {high[j]:.3g}): its bins' widths would "
                "overflow. Rescale the column."
            )

        rng = check_random_state(self.random_state)
        if self.subsample is not None and X.shape[0] > self.subsample:
            rows = rng.choice(X.shape[0], self.subsample, replace=False)
            X = X[rows]
            if self.strategy == "tree":  # y, checked, only reaches the trees
                y = y[rows]

        if self.strategy == "quantile":
            quantiles = np.linspace(0.0, 1.0, self.n_bins + 1)
            # float64 edges whatever the input's dtype, as KBinsDiscretizer
            # keeps them.
            if sparse.issparse(X):
                edges = _sparse_quantiles(X, quantiles)
            else:
                edges = np.quantile(
                    X.astype(np.float64, copy=False), quantiles, axis=0
                ).T
            # Each column's edges, coincident ones merged: np.unique of each
            # row, without a call per column (a hashed text has a million).
            edges = np.sort(edges, axis=1)
            distinct = np.ones(edges.shape, dtype=bool)
            distinct[:, 1:] = edges[:, 1:] != edges[:, :-1]
            bin_edges = [row[keep] for row, keep in zip(edges, distinct, strict=True)]
        else:
            if sparse.issparse(X):
                # The trees read a column at a time, dense: subsample bounds
                # its rows, and its zeros are values like any other.
                columns = (X[:, [j]].toarray().ravel() for j in range(X.shape[1]))
            else:
                columns = X.T
            bin_edges = [self._tree_edges(column, y, task, rng) for column in columns]
        # Made once: a loop over the columns, which on a hashed matrix of
        # 2**20 columns cost a third of a second per transform, of one row too.
        pieces = _pieces(bin_edges, self.extrapolation)
        if sparse.issparse(X):
            # The names of the X being fitted: feature_names_in_ is set below.
            _check_zero_encodes_as_zero(
                pieces, bin_edges, _get_feature_names(columns_given)
            )

        validate_data(self, columns_given, skip_check_array=True)
        self.task_ = task
        self.bin_edges_ = np.empty(len(bin_edges), dtype=object)
        self.bin_edges_[:] = bin_edges
        self.n_bins_ = np.array([len(e) - 1 for e in bin_edges], dtype=np.int64)
        self._pieces = (self.extrapolation, pieces)
        return self

    def __getstate__(self) -> dict:
        # Made again from the edges when loaded: pickles keep their size.
        state = super().__getstate__()
        state.pop("_pieces", None)
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if "bin_edges_" in state:
            self._pieces = (
                self.extrapolation,
                _pieces(self.bin_edges_, self.extrapolation),
            )

    def _fitted_pieces(self) -> tuple:
        """``_pieces`` of the fitted edges, as ``fit`` made them.

        Made again (and not kept: transform changes no attribute) under an
        ``extrapolation`` set after ``fit``.
        """
        extrapolation, pieces = getattr(self, "_pieces", (None, None))
        if extrapolation != self.extrapolation:
            pieces = _pieces(self.bin_edges_, self.extrapolation)
        return pieces

    def _task(self, y: np.ndarray) -> str:
        """The trees' task: ``task``, or ``y``'s kind under ``'auto'``."""
        if self.task != "auto":
            return self.task
        kind = type_of_target(y, input_name="y")
        if kind == "unknown":
            # scikit-learn's words for it, which its checks look for.
            raise ValueError(
                "Unknown label type: task='auto' cannot tell the task of y; "
                "pass task='classification' or task='regression'."
            )
        return "regression" if kind in _CONTINUOUS else "classification"

    def _tree_edges(
        self, column: np.ndarray, y: np.ndarray, task: str, rng: Any
    ) -> np.ndarray:
        """The column's range and its tree's thresholds, sorted, unique."""
        # In float64, as the quantiles: a float32 midpoint would round onto
        # one of its two values, and the bin between them would vanish.
        column = column.astype(np.float64, copy=False)
        regression = task == "regression"
        Tree = DecisionTreeRegressor if regression else DecisionTreeClassifier
        # max_leaf_nodes grows the tree best split first, so n_bins leaves
        # are the n_bins - 1 splits that reduce the impurity most.
        tree = Tree(max_leaf_nodes=self.n_bins, random_state=rng)
        # The tree casts its input to float32, which would merge the values
        # of a column far from unit scale (1e-50, or 1e8 + row number) or
        # refuse it (1e40): it splits the ranks of the distinct values
        # instead (exact in float32 below 2**24 of them, beyond subsample's
        # default), the same splits, as splits depend only on the order.
        values, ranks = np.unique(column, return_inverse=True)
        tree.fit(ranks.reshape(-1, 1).astype(np.float32), y)
        split = tree.tree_.children_left != tree.tree_.children_right
        # A threshold between ranks r and r + 1: the midpoint of their values,
        # as a tree on the float64 values would put it (halves first, which
        # cannot overflow).
        below = np.floor(tree.tree_.threshold[split]).astype(np.intp)
        thresholds = values[below] / 2 + values[below + 1] / 2
        return np.unique(np.concatenate([[column.min(), column.max()], thresholds]))

    def transform(self, X: Any) -> np.ndarray:
        """Encode each column over its bins.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric columns, without missing values.

        Returns
        -------
        ndarray of shape (n_samples, n_features_out)
            Each column's bins side by side, in the columns' order
            (``n_features_out`` is ``n_bins_.sum()``); in ``dtype``, or else
            float32 or float64 as given (other dtypes become float64).
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse="csr", dtype=(np.float64, np.float32), reset=False
        )
        if sparse.issparse(X):
            return self._transform_sparse(X)
        feature, left, width, low, high = self._fitted_pieces()
        out = np.empty(
            (X.shape[0], len(feature)),
            dtype=X.dtype if self.dtype is None else self.dtype,
        )
        # In float64, whatever the output's dtype: in float32, x - left would
        # lose the seconds of a timestamp, and widths below 1e-38 would be 0.
        # A chunk of rows at a time, so that the float64 scratch stays small
        # beside a float32 output n_bins times as wide as X.
        for rows in gen_batches(X.shape[0], _CHUNK_ROWS):
            chunk = X[rows][:, feature].astype(np.float64, copy=False)
            # A value far beyond the edges of a column spanning near float64's
            # limit overflows to an infinity, which the clip bounds (or, under
            # 'linear', keeps: the extrapolation's limit).
            with np.errstate(over="ignore"):
                chunk -= left
                chunk /= width
            out[rows] = np.clip(chunk, low, high, out=chunk)
        return out

    def _transform_sparse(self, X):
        """The encoding of a CSR matrix, as a CSR matrix of its kind.

        Only the stored values are encoded: a zero encodes as zeros (fit
        checked it), so an entry of column ``j`` becomes at most
        ``n_bins_[j]`` entries, those that are not 0.
        """
        pieces = self._fitted_pieces()
        _check_zero_encodes_as_zero(
            pieces, self.bin_edges_, getattr(self, "feature_names_in_", None)
        )
        if not X.has_canonical_format:
            # Duplicate entries of one cell add up to its value, but their
            # encodings would not add up to its encoding.
            X = X.copy()
            X.sum_duplicates()
        _, left, width, low, high = pieces
        # Where each input column's pieces start among the output columns.
        first = np.concatenate([[0], np.cumsum(self.n_bins_)])
        dtype = X.dtype if self.dtype is None else self.dtype
        blocks = []
        for rows in gen_batches(X.shape[0], _CHUNK_ROWS):
            chunk = X[rows]
            # Each stored entry, repeated once per piece of its column.
            counts = self.n_bins_[chunk.indices]
            entry = np.repeat(np.arange(chunk.nnz), counts)
            starts = np.repeat(np.cumsum(counts) - counts, counts)
            piece = first[chunk.indices][entry] + np.arange(entry.size) - starts
            values = chunk.data[entry].astype(np.float64)
            with np.errstate(over="ignore"):  # as in transform
                values -= left[piece]
                values /= width[piece]
            np.clip(values, low[piece], high[piece], out=values)
            row = np.repeat(np.arange(chunk.shape[0]), np.diff(chunk.indptr))[entry]
            # After the cast: a value that float32 rounds to 0 is not stored.
            values = values.astype(dtype, copy=False)
            kept = values != 0
            blocks.append(
                sparse.csr_matrix(
                    (values[kept], (row[kept], piece[kept])),
                    shape=(chunk.shape[0], first[-1]),
                )
            )
        out = sparse.vstack(blocks, format="csr")
        if isinstance(X, sparse.sparray):
            return sparse.csr_array(out)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Get the output column names: ``<column>_ple<t>`` for bin ``t``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            The input columns' names: by default ``feature_names_in_``, or
            ``x0``, ``x1``, ... when ``fit`` saw no names.

        Returns
        -------
        ndarray of str objects
            One name per output column.
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        return np.asarray(
            [
                f"{name}_ple{t}"
                for name, n_bins in zip(names, self.n_bins_, strict=True)
                for t in range(n_bins)
            ],
            dtype=object,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.required = self.strategy == "tree"
        tags.transformer_tags.preserves_dtype = preserved_dtypes(self.dtype)
        return tags
