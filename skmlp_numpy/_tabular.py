"""A ready-made pipeline for raw tables: column handling and a tuned net.

:func:`make_tabular_pipeline` is the package's answer to "what should I fit
on this DataFrame?". Its preprocessing and the net's settings were chosen by
``benchmarks/bench_tabular.py`` (the evidence for each choice is on the
"Tables (DataFrames)" page of the documentation), after RealMLP
(Holzmüller et al., 2024).
"""

import datetime
import math
import numbers
import warnings
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_array,
    check_is_fitted,
    validate_data,
)

from ._checks import DTYPE_CONSTRAINT, check_no_missing, preserved_dtypes, warn
from ._classifier import TwoLayerNetClassifier
from ._encoding import PiecewiseLinearEncoder
from ._regressor import TwoLayerNetRegressor

_NETS = {"classification": TwoLayerNetClassifier, "regression": TwoLayerNetRegressor}

# The net's settings shared by both tasks; each one is justified, with the
# benchmark's numbers, on the "Tables (DataFrames)" page.
_NET_SETTINGS = {
    "hidden_size": 128,
    "n_members": 4,
    "learning_rate": "cosine",
    "learning_rate_init": 2e-3,
    "beta_2": 0.95,
    "max_iter": 200,
    "early_stopping": True,
    "validation_fraction": 0.15,
    "n_iter_no_change": 20,
    "scoring": "loss",
    "dtype": np.float32,
}

# The largest magnitude of a numeric column in fit: the scaler's sum of
# squares stays finite for up to ~1e8 rows below it.
_LARGEST_MAGNITUDE = 1e150

# Where smooth_clip's value is 3 * sign(x) in float32 and float64 alike.
_CLIP_FROM = 3e18

# The piecewise-linear encoding's bins per numeric column (docs/tabular.rst,
# "The encoding and members").
_N_BINS = 8

# A category seen fewer times than this in training is grouped with the other
# rare ones, so that no weight is learned from a handful of rows.
_MIN_FREQUENCY = 10

# The kinds of an ``object`` column whose values are all of these types, in
# the order tried (a bool is an int, a datetime a date).
_VALUE_KINDS = {
    "categorical": (bool, np.bool_),
    "numeric": numbers.Number,
    "datetime": (datetime.date, np.datetime64),
    "timedelta": (datetime.timedelta, np.timedelta64),
    "time": datetime.time,
}


def smooth_clip(X: Any) -> Any:
    r"""Squash standardised values smoothly into :math:`(-3, 3)`.

    :math:`x \mapsto x / \sqrt{1 + (x / 3)^2}` is close to the identity near
    zero and bounds outliers, so that a single extreme value cannot dominate
    the net's first layer (RealMLP's smooth clipping, Holzmüller et al.,
    2024). :class:`SmoothClip` applies it in a pipeline.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Standardised values.

    Returns
    -------
    ndarray of shape (n_samples, n_features)
        The clipped values, of the same dtype.
    """
    # (x / 3) ** 2 overflows to inf beyond about 6e19 in float32 (4e154 in
    # float64), and x / inf is 0: clipped first at 3e18, below either, x is
    # 3 * sign(x) to the last bit, and every value below keeps its exact
    # result.
    X = np.clip(X, -_CLIP_FROM, _CLIP_FROM)
    return X / np.sqrt(1 + (X / 3) ** 2)


class SmoothClip(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    r"""Squash standardised values smoothly into :math:`(-3, 3)`.

    Applies :math:`x / \sqrt{1 + (x / 3)^2}`, column by
    column: the numeric step of :func:`make_tabular_pipeline`. A class of
    this package rather than a
    :class:`~sklearn.preprocessing.FunctionTransformer`, so that a saved
    pipeline names only public types (``skops.io`` lists
    ``skmlp_numpy._tabular.SmoothClip``).

    Parameters
    ----------
    dtype : {np.float32, np.float64} or None, default=None
        The output's dtype; None keeps the input's (float32 or float64). The
        values are computed in the input's precision and cast at the end:
        :func:`make_tabular_pipeline` passes the net's float32, so that the
        pipeline's features take half the memory and reach the net without
        another copy.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns seen in ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen in ``fit``, when they are all strings.

    See Also
    --------
    make_tabular_pipeline : The pipeline that uses it after a StandardScaler.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp_numpy import SmoothClip
    >>> SmoothClip().fit_transform(np.array([[0.0], [3.0], [-1e9]])).ravel()
    array([ 0.        ,  2.12132034, -3.        ])
    """

    _parameter_constraints: dict = {
        "dtype": DTYPE_CONSTRAINT,
    }

    def __init__(self, *, dtype: Any = None) -> None:
        self.dtype = dtype

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = preserved_dtypes(self.dtype)
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> "SmoothClip":
        """Check the input and record its columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Standardised values.

        y : None
            Ignored.

        Returns
        -------
        self : SmoothClip
            The fitted transformer.
        """
        # Checked first, the names and number of the columns set after
        # (validate_data would set them before its checks): a refused fit
        # leaves a fitted SmoothClip as it was.
        check_array(X, dtype=(np.float64, np.float32), estimator=self, input_name="X")
        validate_data(self, X, skip_check_array=True)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Clip the values smoothly.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Standardised values.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            The clipped values, in ``dtype``; if None, float32 or float64 as
            given (other dtypes become float64).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        clipped = smooth_clip(X)
        if self.dtype is None:
            return clipped
        return clipped.astype(self.dtype, copy=False)


class TabularFrame(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Turn any table into a pandas DataFrame of plain columns, by kind.

    The first step of :func:`make_tabular_pipeline`. It takes a pandas or
    polars DataFrame or a 2-D array and returns a pandas DataFrame whose
    column labels are strings (so that integer labels are read as labels,
    never as positions) and whose every column is either numeric, for the
    numeric branch, or ``object`` with ``np.nan`` as the only missing value,
    for the categorical branch:

    - numbers, nullable (``Int64``, ``Float64``) or pyarrow-backed ones
      included: numeric, missing values as ``np.nan``;
    - datetimes (time-zone aware or not) and periods: numeric, seconds
      since 1970-01-01 UTC;
    - timedeltas: numeric, seconds;
    - booleans, strings, ``category`` (ordered or not) and ``object``:
      categorical; ``pd.NA``, ``None``, ``NaN``, ``NaT`` and pyarrow nulls
      are all one missing value;
    - an ``object`` column is read by its values in ``fit``: all numbers
      (``Decimal`` included), all dates or datetimes, all timedeltas or all
      times of day (seconds since midnight) are numeric as above; values of
      several types (say ``1`` and ``"a"``, which the encoder could not
      sort) make it ``"mixed"``, its values written as strings, in ``fit``
      and after (a whole number as an integer's, so that ``1.0`` in a batch
      of numbers is the ``1`` of ``fit``).

    After ``fit``, a date, duration or time-of-day column holding other
    values (numbers in an ``object`` column, which pandas would read as
    nanoseconds) is refused by name.

    A column with no value at all in ``fit`` (a rare column can be all
    missing in a cross-validation fold's training rows) is left out, with a
    warning naming it, as :class:`~sklearn.impute.SimpleImputer` leaves out
    such a feature: its kind is ``"empty"``, and its values after ``fit`` are
    not read. A column it cannot use raises a ``ValueError`` that names it:
    one holding unhashable values (lists, dicts)
    or complex numbers, a numeric one holding an infinity (in ``fit`` or
    after) or, in ``fit``, a value beyond 1e150 in magnitude (whose square,
    as the scaler computes the variance, would overflow), two columns with
    one label. A categorical column with a
    different value in every row (an identifier, free text), which would
    encode as one constant column, warns, naming it.

    Its output is always a pandas DataFrame, the input that the
    :class:`~sklearn.compose.ColumnTransformer` after it reads by dtype:
    ``set_output`` accepts any container and leaves it so.

    Attributes
    ----------
    kinds_ : dict
        The kind, ``"numeric"``, ``"datetime"``, ``"timedelta"``,
        ``"time"``, ``"categorical"``, ``"mixed"`` or ``"empty"`` (left out),
        of each column, by its label as a string.

    tz_aware_ : dict
        For each ``"datetime"`` column, by its label as a string, whether its
        datetimes were time-zone aware in ``fit``: after ``fit``, a column of
        the other sort is refused by name (naive datetimes would be read as
        UTC, hours away from aware ones).

    n_features_in_ : int
        Number of columns seen in ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        The column labels seen in ``fit``. Defined only when ``X`` was a
        table (pandas, polars or pyarrow) whose labels are all strings, as
        scikit-learn's estimators define it.

    See Also
    --------
    make_tabular_pipeline : The pipeline that starts with it.

    Examples
    --------
    >>> import pandas as pd
    >>> from skmlp_numpy import TabularFrame
    >>> X = pd.DataFrame({0: [1, None], 1: ["a", pd.NA]}).convert_dtypes()
    >>> TabularFrame().fit(X).kinds_
    {'0': 'numeric', '1': 'categorical'}
    """

    def fit(self, X: Any, y: Any = None) -> "TabularFrame":
        """Find the kind of each column.

        Parameters
        ----------
        X : DataFrame (pandas or polars) or array-like of shape \
(n_samples, n_features)
            The raw table.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            The targets, if any: refused here when they have missing values
            or another number of rows than ``X``, so that a pipeline refuses
            them before any of its steps is refitted.

        Returns
        -------
        self : TabularFrame
            The fitted transformer.
        """
        self._fit(X, y)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> Any:
        """Find the kind of each column, and convert the columns by it.

        Parameters
        ----------
        X : DataFrame (pandas or polars) or array-like of shape \
(n_samples, n_features)
            The raw table.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            The targets, if any, checked as :meth:`fit` checks them.

        Returns
        -------
        pandas.DataFrame of shape (n_samples, n_features)
            As :meth:`transform` returns it, from the conversion that ``fit``
            makes anyway.
        """
        return self._fit(X, y)

    def _fit(self, X, y=None):
        """Read the kinds, and return the columns converted by them."""
        pd = _pandas()

        frame = _as_pandas(X)
        if frame.shape[0] == 0:
            # scikit-learn's words, which its checks look for.
            raise ValueError(
                f"Found array with 0 sample(s) (shape={frame.shape}) while a "
                "minimum of 1 is required by TabularFrame."
            )
        if frame.shape[1] == 0:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={frame.shape}) while a "
                "minimum of 1 is required by TabularFrame: X has no column."
            )
        if y is not None:
            # Checked before any step of the pipeline is fitted, so that bad
            # targets leave every step of a fitted pipeline as it was.
            check_no_missing(y, "y")
            n_targets = y.shape[0] if hasattr(y, "shape") else len(y)
            if n_targets != frame.shape[0]:
                raise ValueError(
                    f"y has {n_targets} rows but X has {frame.shape[0]}; they "
                    "must match."
                )
        # A rare column can be all missing in a cross-validation fold's
        # training rows: left out, as SimpleImputer leaves out such a feature.
        empty = [label for label, column in frame.items() if column.isna().all()]
        if empty and len(empty) == frame.shape[1]:
            raise ValueError(
                "No column of X has a value in the training data: the pipeline "
                "has nothing to learn from."
            )
        if empty:
            warn(
                f"Columns {empty} have no value in the training data: they are "
                "left out (their values after fit too), as the pipeline can "
                "learn nothing from them."
            )
        kinds, columns, aware, text = {}, {}, {}, set()
        for label, column in frame.items():
            if label in empty:
                kinds[label] = "empty"
                continue
            kinds[label] = _kind(label, column)
            if kinds[label] == "categorical" and _holds_text(column):
                text.add(label)
            # Converted in fit too, so that a value the kind cannot take (an
            # infinity) is refused by fit, naming its column.
            columns[label] = _convert(label, column, kinds[label])
            if kinds[label] == "numeric":
                _check_magnitude(label, columns[label])
            if kinds[label] == "datetime":
                aware[label] = _tz_aware(label, column)
        self.kinds_ = kinds
        self.tz_aware_ = aware
        # Categories that were strings: codes read as numbers after fit ("1"
        # in a CSV, 1 from a database) are the same categories.
        # (A list: skops trusts it, not a set.)
        self._text_categories = [label for label in kinds if label in text]
        self.n_features_in_ = len(self.kinds_)
        # An array's columns are positions, and so are a later table's.
        self._positional = _is_array(X)
        # scikit-learn's rule: the names of a table's columns if they are all
        # strings; none for an array, or other labels (a ColumnTransformer
        # then names them x0, x1 ...), which TabularFrame reads as "0", "1" ...
        if hasattr(X, "columns") and all(isinstance(c, str) for c in X.columns):
            self.feature_names_in_ = np.asarray(list(kinds), dtype=object)
        else:
            self.__dict__.pop("feature_names_in_", None)
        return pd.DataFrame(columns, index=frame.index)

    def transform(self, X: Any) -> Any:
        """Convert each column as its kind in ``fit`` says.

        Parameters
        ----------
        X : DataFrame (pandas or polars) or array-like of shape \
(n_samples, n_features)
            A table with the columns seen in ``fit``.

        Returns
        -------
        pandas.DataFrame of shape (n_samples, n_features)
            String column labels; numeric columns and ``object`` columns.
        """
        pd = _pandas()

        check_is_fitted(self)
        frame = _as_pandas(X)
        if frame.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={frame.shape}) while a "
                "minimum of 1 is required by TabularFrame."
            )
        array = _is_array(X)
        if array or getattr(self, "_positional", False):
            # Columns by position, as scikit-learn reads them: an array's "0"
            # is the first column seen in fit, whatever that column's label.
            if frame.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {frame.shape[1]} columns, but TabularFrame was fitted "
                    f"on {self.n_features_in_}; an array's columns are read by "
                    "position."
                )
            if array and hasattr(self, "feature_names_in_"):
                warn(
                    "X does not have valid feature names, but TabularFrame was "
                    "fitted with feature names: its columns are read by position."
                )
            elif not array:
                warn(
                    "X has feature names, but TabularFrame was fitted without "
                    "feature names (on an array): its columns are read by "
                    "position."
                )
            frame = frame.set_axis(list(self.kinds_), axis=1)
        missing = [label for label in self.kinds_ if label not in frame.columns]
        if missing:
            raise ValueError(f"Columns {missing} seen in fit are missing from X.")
        for label, was_aware in self.tz_aware_.items():
            aware = _tz_aware(label, frame[label])
            if aware is not None and aware != was_aware:
                sorts = ("naive", "time-zone aware")
                raise ValueError(
                    f"Column {label!r} held {sorts[was_aware]} datetimes in fit "
                    f"but holds {sorts[aware]} ones: naive datetimes are read as "
                    "UTC, so the two would be hours apart. Give it the sort it "
                    "had in fit (Series.dt.tz_localize or .dt.tz_convert(None))."
                )
        text = set(getattr(self, "_text_categories", ()))
        columns = {
            label: _convert(label, frame[label], kind, label in text)
            for label, kind in self.kinds_.items()
            if kind != "empty"
        }
        return pd.DataFrame(columns, index=frame.index)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Get the output column names: the input's, as strings.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Checked as scikit-learn checks it: equal to ``feature_names_in_``
            where ``fit`` saw a table, of ``n_features_in_`` names otherwise.
            The names are those seen in ``fit``.

        Returns
        -------
        ndarray of str objects
            The column labels, as strings.
        """
        check_is_fitted(self)
        _check_feature_names_in(self, input_features)
        return np.asarray(
            [label for label, kind in self.kinds_.items() if kind != "empty"],
            dtype=object,
        )

    def set_output(self, *, transform: Any = None) -> "TabularFrame":
        """Accept an output container and keep returning pandas frames.

        The :class:`~sklearn.compose.ColumnTransformer` after this step reads
        the columns' dtypes from a pandas frame; the pipeline's own output
        follows ``set_output`` on the steps after it.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"} or None, default=None
            Ignored.

        Returns
        -------
        self : TabularFrame
            This transformer, unchanged.
        """
        return self


def _pandas():
    """pandas, which the column kinds are read with: the ``tabular`` extra."""
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(
            "make_tabular_pipeline reads column kinds with pandas, which is not "
            "installed: pip install 'skmlp_numpy[tabular]' (or pandas itself)."
        ) from exc
    return pandas


def _as_pandas(X: Any) -> Any:
    """A pandas DataFrame of ``X``, with its column labels as strings."""
    pd = _pandas()

    if isinstance(X, pd.DataFrame):
        frame = X
    elif sparse.issparse(X):
        raise TypeError(
            f"X is a SciPy sparse {type(X).__name__}: the tabular pipeline reads "
            "columns by kind from a table. Pass a DataFrame, or X.toarray(); or "
            "fit TwoLayerNetClassifier/TwoLayerNetRegressor on sparse X directly."
        )
    elif type(X).__name__ == "LazyFrame":  # polars: no rows until collected
        raise TypeError(
            f"Expected a 2-D table; got a {type(X).__name__}: collect() it first."
        )
    elif hasattr(X, "to_pandas"):  # polars and pyarrow tables (or series)
        frame = X.to_pandas()
    elif not isinstance(X, dict) and np.ndim(X) == 2:
        frame = pd.DataFrame(X)
    else:
        frame = None
    if not isinstance(frame, pd.DataFrame):
        n_dims = 1 if frame is not None else np.ndim(X)
        raise ValueError(
            f"Expected a 2-D table (a pandas or polars DataFrame, or a 2-D "
            f"array); got {n_dims} dimension(s), a {type(X).__name__}."
        )
    labels = [str(label) for label in frame.columns]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ValueError(
            f"Column labels {repeated} name more than one column (labels are "
            "compared as strings): give each column its own label."
        )
    return frame.set_axis(labels, axis=1)


def _is_array(X: Any) -> bool:
    """Whether ``X`` is an array, whose columns have positions, not labels."""
    return not hasattr(X, "columns") and not hasattr(X, "to_pandas")


def _kind(label: str, column: Any) -> str:
    """The kind of a column with values: what its dtype, or its values, are."""
    pd = _pandas()

    dtype = column.dtype
    _check_not_nested(label, dtype)
    if pd.api.types.is_bool_dtype(dtype):
        return "categorical"
    # kind reads numpy, time-zone aware and pyarrow dtypes alike.
    if dtype.kind == "M" or isinstance(dtype, pd.PeriodDtype):
        return "datetime"
    if dtype.kind == "m":
        return "timedelta"
    if pd.api.types.is_numeric_dtype(dtype) and dtype.kind != "c":
        if not isinstance(dtype, pd.CategoricalDtype):
            return "numeric"
    present = column.dropna()
    try:
        values = present.unique()
    except TypeError as error:
        raise ValueError(
            f"Column {label!r} holds values that cannot be categories "
            f"({error}): drop it or turn them into strings or numbers."
        ) from error
    # The types of every value, not of the unique ones: True == 1, so which
    # of them unique() keeps depends on the order of the rows.
    if isinstance(dtype, pd.CategoricalDtype) or dtype.kind != "O":
        types = {type(value) for value in values}
    else:
        types = set(map(type, present))
    if dtype.kind == "c" or any(
        issubclass(t, (complex, np.complexfloating)) for t in types
    ):
        raise ValueError(
            f"Column {label!r} holds complex numbers, which the net cannot "
            "take: split it into its real and imaginary parts."
        )
    if not isinstance(dtype, pd.CategoricalDtype) and dtype.kind == "O":
        # An object column is read by its values: numbers (Decimal from a
        # database, ints next to None), dates and durations are not
        # categories, whose every value would be rare.
        for kind, kind_types in _VALUE_KINDS.items():
            if all(issubclass(t, kind_types) for t in types):
                return kind
    if types == {str} and _look_like_dates(values):
        warn(
            f"Column {label!r} holds dates written as text: as categories, a "
            "date after training is one never seen. Convert it with "
            "pd.to_datetime to give the net the dates as numbers."
        )
    elif len(values) == len(present) and len(values) > _MIN_FREQUENCY:
        warn(
            f"Column {label!r} has a different value in every row, like an "
            "identifier or free text: as a category it is rare everywhere "
            "and encodes as one constant column. Drop it, or turn it into "
            "numbers the net can use."
        )
    # The encoder sorts the categories: values of mixed types cannot be, nor
    # can Enum members; tuples it cannot even hold. Their strings it can.
    plain = all(issubclass(t, _PLAIN_CATEGORIES) for t in types)
    return "mixed" if len(types) > 1 or not plain else "categorical"


def _look_like_dates(values: Any) -> bool:
    """Whether strings are all ISO 8601 dates with a month ("2020-03", not "2020")."""
    pd = _pandas()

    strings = pd.Series(values, dtype=object)
    if not strings.str.contains("-", regex=False).all():
        return False
    return bool(
        pd.to_datetime(strings, format="ISO8601", errors="coerce").notna().all()
    )


def _check_not_nested(label: str, dtype: Any) -> None:
    """Refuse a pyarrow column of lists, structs or maps, naming it.

    Their values are arrays or dicts, which cannot be categories, as in an
    ``object`` column; pyarrow's own errors name no column.
    """
    pyarrow_dtype = getattr(dtype, "pyarrow_dtype", None)
    if pyarrow_dtype is not None and pyarrow_dtype.num_fields > 0:
        raise ValueError(
            f"Column {label!r} holds {pyarrow_dtype} values (lists, structs or "
            "maps), which cannot be categories: drop it or turn them into "
            "strings or numbers."
        )


def _check_magnitude(label: str, values: Any) -> None:
    """Refuse, naming the column, values whose squares would overflow float64.

    The scaler's variance squares the values: beyond 1e150 in magnitude the
    sum overflows, and the error that follows speaks of NaN, which the user
    never gave.
    """
    largest = np.nanmax(np.abs(values.to_numpy(dtype=np.float64, na_value=np.nan)))
    if largest > _LARGEST_MAGNITUDE:
        raise ValueError(
            f"Column {label!r} holds values up to {largest:.3g} in magnitude, "
            f"beyond {_LARGEST_MAGNITUDE:.0e}: standardising it would overflow "
            "float64. Rescale the column (divide it by a power of ten) or take "
            "its logarithm."
        )


def _tz_aware(label: str, column: Any) -> bool | None:
    """Whether a column's datetimes are time-zone aware; None if it cannot tell.

    A column of datetime dtype says so in its dtype, periods are naive, and
    an ``object`` column (datetimes, or strings that may carry an offset) by
    each of its values, as pandas reads them: one that mixes the two sorts is
    refused, naming it. None for a column without a value, or with one
    pandas cannot read (the conversion then says so).
    """
    pd = _pandas()

    if isinstance(column.dtype, pd.PeriodDtype):
        return False
    present = column.dropna()
    if present.empty:
        return None
    try:
        return column.dt.tz is not None
    except AttributeError:
        pass
    except NotImplementedError:
        # pyarrow dates (date32, date64: a parquet DATE column) have no time
        # zone to tell.
        return False
    try:
        # datetime objects say it themselves, at a fraction of the cost of a
        # Timestamp each (this runs on every transform).
        sorts = {value.tzinfo is not None for value in present.to_numpy()}
    except AttributeError:
        try:
            sorts = {pd.Timestamp(value).tzinfo is not None for value in present}
        except (TypeError, ValueError):
            return None
    if len(sorts) > 1:
        raise ValueError(
            f"Column {label!r} mixes time-zone aware and naive datetimes: naive "
            "ones would be read as UTC. Give every value a time zone, or none."
        )
    return sorts.pop()


# The types of category that the one-hot encoder takes as they are.
_PLAIN_CATEGORIES = (str, bytes, numbers.Number, bool, np.bool_)

# The dtype kinds (numpy's letters, which pyarrow-backed dtypes give too) that a
# column of each kind cannot hold after fit: converted, they would be numbers
# in another unit, silently.
_WRONG_DTYPE_KINDS = {
    "numeric": "Mmc",
    "time": "biufcMm",
    "datetime": "biufcm",
    "timedelta": "biufcM",
}


# The values that an ``object`` column of each kind can hold after fit, and be
# read as that kind: numbers in a date column would be read as nanoseconds.
_READABLE_AS = {
    "datetime": (datetime.date, np.datetime64, str),
    "timedelta": (datetime.timedelta, np.timedelta64, str),
    "time": datetime.time,
}


def _holds_text(column: Any) -> bool:
    """Whether the values of a categorical column are all strings."""
    pd = _pandas()

    if isinstance(column.dtype, pd.CategoricalDtype):
        column = pd.Series(column.cat.categories)
    elif pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
        return True
    return all(isinstance(value, str) for value in column.dropna())


def _convert(label: str, column: Any, kind: str, text: bool = False) -> Any:
    """One column as a numeric or an ``object`` column, by its kind.

    ``text``: the column's categories were strings in fit, so that numbers
    are read as the strings of their categories.
    """
    pd = _pandas()

    dtype_kind = getattr(column.dtype, "kind", "O")
    _check_not_nested(label, column.dtype)
    if kind in _WRONG_DTYPE_KINDS and column.isna().all():
        # No value to read, whatever the dtype (a batch of one missing time
        # arrives as float64): missing.
        return pd.Series(np.nan, index=column.index, dtype=np.float64)
    wrong = None
    if dtype_kind in _WRONG_DTYPE_KINDS.get(kind, ""):
        wrong = str(column.dtype)
    elif (
        dtype_kind == "O"
        and kind in _READABLE_AS
        and not isinstance(column.dtype, pd.PeriodDtype)
    ):
        types = set(map(type, column.dropna()))
        unreadable = sorted(
            t.__name__ for t in types if not issubclass(t, _READABLE_AS[kind])
        )
        if unreadable:
            wrong = "/".join(unreadable)
    if wrong is not None:
        raise ValueError(
            f"Column {label!r} was a {kind} column in fit but holds {wrong} "
            "values: give it the kind of values it had in fit."
        )

    if kind == "numeric":
        if isinstance(column.dtype, np.dtype) and column.dtype.kind != "O":
            values = column
        else:
            try:
                values = pd.Series(
                    column.to_numpy(dtype=np.float64, na_value=np.nan),
                    index=column.index,
                )
            except OverflowError as error:
                # A Python int beyond float64 (10**400).
                raise ValueError(
                    f"Column {label!r} holds a number beyond float64's range "
                    "(about 1.8e308): rescale the column or take its logarithm."
                ) from error
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"Column {label!r} was numeric in fit but holds values "
                    f"that are not numbers: {error}."
                ) from error
        if np.isinf(values.to_numpy()).any():
            raise ValueError(
                f"Column {label!r} holds infinite values: replace them with "
                "NaN (a missing value) or a finite number."
            )
        return values
    if kind == "datetime":
        if isinstance(column.dtype, pd.PeriodDtype):
            column = column.dt.to_timestamp()
        # Seconds since the epoch (UTC for time-zone aware columns);
        # NaT becomes NaN for the imputer. pyarrow timestamps go through
        # numpy's: pyarrow's own arithmetic overflows in nanoseconds.
        strings = dtype_kind == "O" or pd.api.types.is_string_dtype(column.dtype)
        try:
            values = (
                _strings_as_dates(label, column)
                if strings
                else pd.to_datetime(column, utc=True)
            )
        except _AmbiguousDatesError:
            raise
        except pd.errors.OutOfBoundsDatetime as error:
            # pandas < 3 reads datetime objects in nanoseconds, which end in
            # 2262; a datetime64[s] column holds any year.
            raise ValueError(
                f"Column {label!r} holds a date that this pandas cannot read "
                f"in nanoseconds ({error}): give the column a datetime64[s] "
                "dtype, or replace such dates (a 9999-12-31 'no end', say) "
                "with missing values."
            ) from error
        except ValueError as error:
            raise ValueError(
                f"Column {label!r} was a datetime column in fit but holds a "
                f"value that is not a date: {error}"
            ) from error
        if isinstance(values.dtype, pd.ArrowDtype):
            unit = values.dtype.pyarrow_dtype.unit
            values = values.astype(f"datetime64[{unit}, UTC]")
        # The epoch in seconds, so that the difference keeps the column's
        # unit: in nanoseconds, a date after 2262 (9999-12-31) overflows.
        epoch = pd.Timestamp(0, tz="UTC").as_unit("s")
        return (values - epoch).dt.total_seconds().astype(np.float64)
    if kind == "timedelta":
        try:
            values = pd.to_timedelta(column)
        except TypeError:
            # pandas < 2.1 converts no pyarrow durations: go through their
            # scalars, pd.NA as None.
            values = pd.to_timedelta(column.astype(object).where(column.notna(), None))
        except ValueError as error:
            raise ValueError(
                f"Column {label!r} was a timedelta column in fit but holds a "
                f"value that is not a duration: {error}"
            ) from error
        return values.dt.total_seconds().astype(np.float64)
    if kind == "time":
        # Seconds since midnight.
        seconds = [
            np.nan
            if pd.isna(value)
            else 3600 * value.hour
            + 60 * value.minute
            + value.second
            + value.microsecond / 1e6
            for value in column.astype(object)
        ]
        return pd.Series(seconds, index=column.index, dtype=np.float64)
    values = column.astype(object)
    missing = values.isna().to_numpy()
    # Python objects of any type: a string or categorical dtype holds none
    # that could be unhashable or a float.
    if isinstance(column.dtype, pd.CategoricalDtype):
        types = set(map(type, column.cat.categories))
    elif column.dtype == object:
        types = set(map(type, values[~missing]))
    else:
        types = set()
    unhashable = sorted(t.__name__ for t in types if t.__hash__ is None)
    if unhashable:
        raise ValueError(
            f"Column {label!r} holds {'/'.join(unhashable)} values, which "
            "cannot be categories: drop it or turn them into strings or numbers."
        )
    if text and (
        dtype_kind in "biuf"
        or any(
            issubclass(t, numbers.Number) and not issubclass(t, (bool, np.bool_))
            for t in types
        )
    ):
        # Codes that were strings in fit: 1 and 1.0 are the category "1".
        values = values.map(_category_string)
    elif kind == "mixed":
        # Only a float can be a whole number whose string is not an int's.
        floats = dtype_kind == "f" or any(
            issubclass(t, numbers.Real) and not issubclass(t, numbers.Integral)
            for t in types
        )
        values = values.map(_category_string if floats else str)
    values = np.where(missing, np.nan, values.to_numpy(dtype=object))
    return pd.Series(values, index=column.index, dtype=object)


class _AmbiguousDatesError(ValueError):
    """Date strings whose day and month could be either way round."""


def _strings_as_dates(label: str, column: Any) -> Any:
    """The dates of an ``object`` or string column, each read the same way alone.

    pandas reads a batch of strings in the format of its first one, so that
    "01/02/2020" was 2 January alone and 1 February after "13/01/2020". ISO
    8601 strings are unambiguous; any other string is read on its own, and
    refused where its day and month could be either way round.
    """
    pd = _pandas()

    try:
        return pd.to_datetime(column, utc=True, format="ISO8601")
    except ValueError:
        pass
    with warnings.catch_warnings():
        # pandas's advice to pass a format: the ambiguity is refused below.
        warnings.simplefilter("ignore", UserWarning)
        month_first = pd.to_datetime(column, utc=True, format="mixed")
        day_first = pd.to_datetime(column, utc=True, format="mixed", dayfirst=True)
    ambiguous = (month_first != day_first) & month_first.notna()
    if ambiguous.any():
        raise _AmbiguousDatesError(
            f"Column {label!r} holds date strings whose day and month could be "
            f"either way round ({column[ambiguous].iloc[0]!r}): write them as "
            "ISO 8601 (2020-02-01), or read them with pd.to_datetime(..., "
            "format=...) first."
        )
    return month_first


def _category_string(value: Any) -> str:
    """A value of a column of mixed types as the string of its category.

    A whole number is the same category whatever its type: a batch of
    numbers and missing values arrives as float64, 1.0 where fit saw 1.
    """
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, numbers.Integral) or (
        isinstance(value, numbers.Real)
        and math.isfinite(value)
        and float(value).is_integer()
    ):
        return str(int(value))
    return str(value)


def make_tabular_pipeline(task: str, **params: Any) -> Pipeline:
    r"""Make an unfitted pipeline from a raw DataFrame to a tuned two-layer net.

    The pipeline takes a table as it comes (a pandas or polars DataFrame, or
    a 2-D array), imputes, scales and encodes its columns by their kind,
    then fits a :class:`TwoLayerNetClassifier` or a
    :class:`TwoLayerNetRegressor` with settings chosen on real tables
    (:doc:`/tabular`):

    - :class:`TabularFrame` reads each column's kind in ``fit`` (column
      labels of any type are labels, never positions): numbers (numpy,
      nullable or pyarrow-backed), datetimes (as seconds since 1970-01-01
      UTC) and timedeltas (as seconds) are numeric; booleans, strings,
      ``category`` and ``object`` columns are categorical, ``pd.NA``,
      ``None``, ``NaN`` and pyarrow nulls being one missing value; an
      ``object`` column of numbers, dates or durations is read as its values
      are. A column with no value in training is left out with a warning
      that names it. A column it cannot use (unhashable or complex values,
      an infinity, a value beyond 1e150 in training) raises a
      ``ValueError`` that names it, as does a datetime column that was
      time-zone aware in training and is naive after, or the reverse;
    - numeric columns: missing values are replaced by the median, with one
      indicator column per column that had missing values in training; then
      :class:`~sklearn.preprocessing.StandardScaler` and :class:`SmoothClip`,
      :math:`x / \sqrt{1 + (x / 3)^2}`, which bounds outliers smoothly in
      (-3, 3); and beside them, each numeric column (its missing values
      replaced by the median) as its :class:`PiecewiseLinearEncoder` over 8
      quantile bins, which gives the net a different slope in each bin of a
      column (each bin kept in [0, 1], so that an outlier after ``fit``
      stays bounded here too);
    - categorical columns are one-hot encoded, missing values as a category
      of their own; categories seen fewer than 10 times in training share
      one "infrequent" column; a category never seen in training is encoded
      as all zeros in its column's block (it predicts like none of the
      known ones), whether or not some were rare;
    - the net: ``n_members=4`` nets of 128 ReLU units trained together on
      the same batches and averaged, float32, Adam with ``beta_2=0.95`` and a
      learning rate of 2e-3 that decays along a half cosine over
      ``max_iter=200`` epochs; early stopping on the members' mean loss on
      15% of the training rows held out, after 20 epochs without improvement,
      keeping the best epoch's weights.

    The steps are named ``"frame"`` (a :class:`TabularFrame`),
    ``"preprocess"`` (a :class:`~sklearn.compose.ColumnTransformer` with the
    transformers ``"numeric"``, ``"encoding"`` and ``"categorical"``) and
    ``"net"``, so that ``set_params(net__alpha=1e-3)`` or a grid over
    ``net__hidden_size`` reach the net as in any pipeline, and
    ``set_params(preprocess__encoding="drop", net__n_members=1,
    net__hidden_size=256)`` gives back the recipe of version 0.4. The
    features are dense and in the net's ``dtype`` (float32 unless ``dtype``
    is given here; set at construction, a later
    ``set_params(net__dtype=...)`` leaves them as they were), so that
    ``set_output(transform="pandas")`` (or ``"polars"``) makes
    ``pipe[:-1].transform(X)`` a frame with named columns.

    Parameters
    ----------
    task : {'classification', 'regression'}
        In any case (``"Classification"`` too): whether the pipeline ends
        in a :class:`TwoLayerNetClassifier` or a
        :class:`TwoLayerNetRegressor`.

    **params : dict
        Parameters of the net that replace the recipe's, for example
        ``random_state=0`` or ``max_iter=100``. An unknown name raises the
        net's own ``TypeError``, which names the parameter to write instead
        (``hidden_size=50`` for ``hidden_layer_sizes=(50,)``).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        An unfitted pipeline; ``fit`` takes a table (pandas, which
        :class:`TabularFrame` needs installed, polars or a 2-D array; column
        dtypes decide the handling) and the targets.

    See Also
    --------
    TwoLayerNetClassifier : The net at the end of a classification pipeline.
    TwoLayerNetRegressor : The net at the end of a regression pipeline.
    TabularFrame : The first step, which reads the columns' kinds.

    Notes
    -----
    The regressor does not scale the targets: for targets far from unit
    scale, wrap the pipeline in
    :class:`~sklearn.compose.TransformedTargetRegressor` with a
    :class:`~sklearn.preprocessing.StandardScaler`.

    With metadata routing enabled, ``sample_weight`` reaches the net once
    it is requested there and on the numeric ``StandardScaler`` (which accepts
    it), as in any pipeline:
    ``pipe["preprocess"].transformers[0][1]["scale"].set_fit_request(...)``.

    The whole fitted pipeline, with its default settings, converts to ONNX
    with skl2onnx once :mod:`skmlp_numpy.export` is imported, given one input
    per column named as the column (``FloatTensorType([None, 1])`` for
    numeric columns, ``StringTensorType([None, 1])`` for categorical ones,
    each value as its ``str()`` and a missing one as the string ``"nan"``;
    skl2onnx may respell a label that is not an identifier, ``_0`` for
    ``0``: feed the session's own input names); its predictions match to
    1e-5, missing-value indicators and infrequent categories included, on
    columns whose values float32 holds (:doc:`/tabular`). Datetime,
    timedelta, time-of-day, mixed and left-out (empty) columns are refused
    by name. Saved with
    ``skops.io``, the pipeline names, besides the net's types,
    ``skmlp_numpy._tabular.SmoothClip``,
    ``skmlp_numpy._tabular.TabularFrame`` and
    ``skmlp_numpy._encoding.PiecewiseLinearEncoder``.

    References
    ----------
    D. Holzmüller, L. Grinsztajn and I. Steinwart, "Better by Default: Strong
    Pre-Tuned MLPs and Boosted Trees on Tabular Data", NeurIPS 2024.

    Y. Gorishniy, I. Rubachev and A. Babenko, "On Embeddings for Numerical
    Features in Tabular Deep Learning", NeurIPS 2022.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skmlp_numpy import make_tabular_pipeline
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({
    ...     "size": rng.normal(size=200),
    ...     "colour": rng.choice(["red", "green", None], size=200),
    ... })
    >>> y = X["size"] + (X["colour"] == "red") > 0.5
    >>> pipe = make_tabular_pipeline("classification", random_state=0)
    >>> pipe.fit(X, y).score(X, y) > 0.9
    True
    >>> pipe.named_steps["net"].n_members, pipe.named_steps["net"].hidden_size
    (4, 128)
    """
    if not isinstance(task, str) or task.lower() not in _NETS:
        raise ValueError(
            f"task must be 'classification' or 'regression'; got {task!r}."
        )
    # Built with the user's parameters, so that the net's own check answers
    # a misspelt name or MLPClassifier's hidden_layer_sizes.
    net = _NETS[task.lower()](**{**_NET_SETTINGS, **params})
    # The features in the net's dtype (float32 by default): half the memory
    # of float64, and no copy when the net validates them.
    dtype = np.float64 if net.dtype is None else net.dtype
    numeric = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", add_indicator=True)),
            ("scale", StandardScaler()),
            ("clip", SmoothClip(dtype=dtype)),
        ]
    )
    # The same columns again, each as its bins; the indicators are in
    # "numeric" already. Quantile edges are the same before or after scaling,
    # so the encoding skips the scaler; random_state only draws the rows of a
    # table over subsample rows, fixed so that the edges never change. The
    # bins stay in [0, 1] ("constant"), so that an outlier met after fit is
    # as bounded here as SmoothClip keeps it in "numeric". The task is the
    # pipeline's, for strategy="tree": read from y, counts would be classes.
    encoding = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            (
                "bins",
                PiecewiseLinearEncoder(
                    _N_BINS,
                    task=task.lower(),
                    random_state=0,
                    extrapolation="constant",
                    dtype=dtype,
                ),
            ),
        ]
    )
    # Dense, as the numeric branch's columns are (min_frequency bounds the
    # number of one-hot columns); dense output also goes into pandas or
    # polars frames under set_output.
    categorical = OneHotEncoder(
        handle_unknown="ignore",
        min_frequency=_MIN_FREQUENCY,
        sparse_output=False,
        dtype=dtype,
    )
    preprocess = ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("encoding", encoding, make_column_selector(dtype_include="number")),
            (
                "categorical",
                categorical,
                make_column_selector(dtype_exclude="number"),
            ),
        ],
    )
    return Pipeline(
        [("frame", TabularFrame()), ("preprocess", preprocess), ("net", net)]
    )
