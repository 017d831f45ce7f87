"""Small checks shared by the estimators, their fit and early stopping.

Per-sample weights, class labels, the float dtypes the network computes in,
the error of a diverged fit, warnings that point at the user's call, and the
constructor's hints for names brought from MLPClassifier or misspelt.
"""

import contextlib
import difflib
import inspect
import math
import sys
import warnings
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn import get_config
from sklearn.utils._param_validation import Options, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, column_or_1d, validate_data

__all__ = ["DivergenceError"]

# The dtypes the network computes in; other input trains in float64.
FLOAT_DTYPES = (np.float64, np.float32)

# The ``dtype`` parameter's constraint, for the estimators and the
# transformers that hand the net its features: None or float32/float64 named
# as a string, a type or a dtype.
DTYPE_CONSTRAINT = [
    None,
    StrOptions({"float32", "float64"}),
    Options(type, {np.float32, np.float64}),
    Options(np.dtype, {np.dtype(np.float32), np.dtype(np.float64)}),
]

# check_array's dtype for X: numbers and booleans keep their dtype (rows are
# cast a batch, or a chunk, at a time, never all of X at once), an object
# array of numbers becomes float64; strings and complex numbers are refused.
X_DTYPE = "numeric"


class DivergenceError(ValueError):
    """Training diverged: the loss, the weights or the optimizer's state
    became non-finite, or the loss grew by orders of magnitude, epoch after
    epoch."""


# A loss that has more than doubled epoch after epoch, ``DIVERGENCE_RISES``
# times in a row or more, has diverged once it has grown past
# ``DIVERGENCE_GROWTH`` times its reference: its value before those rises times
# the largest of them, so that the growth counts every rise but the largest.
# An explosion grows by a factor at every epoch (6, 54, 1.1e3, 1.8e4, 1.7e6 ...
# for tanh units at learning_rate_init=1), across the calls of a partial_fit
# stream as within one fit. New data is not an explosion: a stream whose level
# jumps, a warm start on other data, make the loss jump once, and the jump,
# however large, is the rise left out, even where chance doublings of a small,
# well-fit loss came just before it (a reference from the first of those
# counted the jump as growth: streams stuck at each batch of the new level).
# A trend that the network lags behind raises the loss by a few percent an
# epoch, never doubling it; a healthy loss that spikes (fifty times, seen)
# falls back the next epoch. The reference counts as 1 at least: near 0 (a
# model that fits its data), the noise of healthy training would look like
# growth. And the parameters grow with an explosion, the largest magnitude of
# some layer's (weights and biases) more than ``DIVERGENCE_WEIGHT_GROWTH``
# times what it was before the rises (a hundred to 1e12 times in the
# explosions of the tests), where
# a jump spread over a few batches (a level that shifts along a sigmoid, as
# river's ConceptDriftStream draws it) raises the loss as fast while the
# weights barely move (1.5% with Adam): the data moved, not the network. So
# do targets that grow exponentially along a stream, with Adam, whose steps
# are bounded: the network lags behind them as MLPRegressor's does (with
# SGD, the weights follow them, and explode).
DIVERGENCE_RISE = 2.0
DIVERGENCE_RISES = 3
DIVERGENCE_GROWTH = 1e4
DIVERGENCE_WEIGHT_GROWTH = 2.0


def preserved_dtypes(dtype):
    """The ``preserves_dtype`` tag of a transformer whose ``dtype`` parameter is
    ``dtype``: its output is that dtype, or the input's float32 or float64.

    An invalid ``dtype`` (the tags are read before fit validates it: in a
    cross-validation, an HTML repr) gives the default rather than NumPy's
    error.
    """
    if dtype is None:
        return ["float64", "float32"]
    try:
        return [np.dtype(dtype).name]
    except TypeError:
        return ["float64"]


def training_dtype(X, dtype):
    """The dtype a new network trains in: ``dtype``, else ``X``'s.

    MLPClassifier's rule when ``dtype`` is None: float32 data train in
    float32, anything else in float64.
    """
    if dtype is not None:
        return np.dtype(dtype)
    return X.dtype if X.dtype in FLOAT_DTYPES else np.dtype(np.float64)


def check_fits_dtype(
    X, dtype, name="X", what="the features (a StandardScaler in a Pipeline)"
):
    """Refuse values of ``X`` that the cast to ``dtype`` would make infinite.

    float64 (or longer) data beyond float32's range (about 3.4e38) would train, in
    float32, on infinities: a divergence at the first epoch, blamed on the
    learning rate. ``X`` is validated (no NaN), dense or sparse; ``what`` it
    holds, and how to scale it, is the advice.
    """
    if np.dtype(dtype) != np.float32 or X.dtype.kind != "f" or X.dtype.itemsize <= 4:
        return
    values = X.data if sparse.issparse(X) else X
    largest = np.finfo(np.float32).max
    # max and min, not abs: no copy of X.
    if values.size and not (-largest <= values.min() and values.max() <= largest):
        raise ValueError(
            f"{name} holds values beyond float32's range (about 3.4e38), which "
            f"training in float32 would make infinite: scale {what}, or train "
            "in float64 (dtype=np.float64)."
        )


def check_parameter_names(estimator_name, known, given):
    """Name the way out when a constructor is given a name it does not take.

    ``hidden_layer_sizes`` (MLPClassifier's) gets its translation; another
    unknown name close to a parameter gets that parameter suggested. Any other
    name is left to Python's own TypeError, which says all there is to say.
    """
    for name, value in given.items():
        if name in known:
            continue
        if name == "hidden_layer_sizes":
            raise TypeError(hidden_layer_sizes_message(estimator_name, value))
        close = difflib.get_close_matches(name, known, n=1)
        if close:
            raise TypeError(
                f"{estimator_name}() got an unexpected keyword argument {name!r}; "
                f"did you mean {close[0]!r}?"
            )


def hidden_layer_sizes_message(estimator_name, value):
    sizes = (value,) if isinstance(value, Integral) else value
    try:
        (units,) = sizes
        one_layer = isinstance(units, Integral)
    except (TypeError, ValueError):
        one_layer = False
    if one_layer:
        return (
            f"{estimator_name} has one hidden layer and takes its size as "
            f"hidden_size: write hidden_size={units} for "
            f"hidden_layer_sizes={value!r}."
        )
    return (
        f"{estimator_name} has exactly one hidden layer, so "
        f"hidden_layer_sizes={value!r} has no equivalent here: write "
        "hidden_size=n for one hidden layer of n units, or use scikit-learn's "
        "MLPClassifier or MLPRegressor for several hidden layers."
    )


def check_weights(weights, n_samples, dtype, name, X_name):
    """Validate per-sample weights, naming the argument in every error."""
    if isinstance(weights, Real):
        weights = np.full(n_samples, weights)
    with numbers_named(name):
        weights = check_array(
            weights, ensure_2d=False, dtype=dtype, input_name=name, order="C"
        )
    if weights.ndim != 1 or weights.shape[0] != n_samples:
        raise ValueError(
            f"{name} has shape {weights.shape}; expected ({n_samples},), one weight "
            f"per row of {X_name}."
        )
    if (weights < 0).any():
        raise ValueError(f"{name} has negative values; weights must be non-negative.")
    return weights


# The way out of a network that cannot continue: warm_start=False makes fit
# start anew, while partial_fit always continues (fit starts anew).
NEW_NETWORK = (
    "set warm_start=False (or call fit, not partial_fit) to train a new network"
)


def check_resumable(estimator):
    """The dtype of the fitted weights, if the estimator's network can resume.

    It cannot in another dtype, hidden size or number of members, or when a
    model of skmlp_numpy < 0.2, which kept no progress to resume, says so.
    """
    if not hasattr(estimator, "_progress"):
        raise ValueError(
            "This model was trained by skmlp_numpy < 0.2, whose models cannot "
            "continue training (warm_start or partial_fit), and still predict: "
            f"{NEW_NETWORK}."
        )
    W2 = estimator.coefs_[1]
    fitted_members = W2.shape[0] if W2.ndim == 3 else 1
    # A model pickled before n_members existed has none: it is one network.
    n_members = getattr(estimator, "n_members", 1)
    if fitted_members != n_members:
        raise ValueError(
            f"n_members={n_members} does not match the {fitted_members} "
            f"member(s) of the fitted network; {NEW_NETWORK}."
        )
    n_hidden = estimator.coefs_[0].shape[1] // fitted_members
    if n_hidden != estimator.hidden_size:
        raise ValueError(
            f"hidden_size={estimator.hidden_size} does not match the "
            f"{n_hidden} hidden units of the fitted network; {NEW_NETWORK}."
        )
    fitted = estimator.coefs_[0].dtype
    if estimator.dtype is not None and np.dtype(estimator.dtype) != fitted:
        raise ValueError(
            f"dtype={estimator.dtype!r} does not match the {fitted} weights of the "
            f"fitted network; {NEW_NETWORK}."
        )
    return fitted


def combine_weights(
    sample_weight, target_weight, n_samples, dtype, name="sample_weight", X_name="X"
):
    """The effective sample weights: ``sample_weight`` times any class weights.

    Either may be None; so is the result when both are. Errors name the
    weights ``name``, of the rows of ``X_name``.
    """
    given = sample_weight
    if sample_weight is not None:
        sample_weight = check_weights(sample_weight, n_samples, dtype, name, X_name)
    weights = sample_weight
    if target_weight is not None:
        target_weight = target_weight.astype(dtype)
        weights = target_weight if weights is None else weights * target_weight
    if weights is not None and not weights.sum() > 0:
        raise ValueError(_zero_weights_message(given, target_weight, name, dtype))
    return weights


def _zero_weights_message(sample_weight, class_weight, name, dtype):
    """Why the weights of every row are zero: which weights, and how."""
    if class_weight is None:
        if np.any(np.asarray(sample_weight, dtype=np.float64)):
            return (
                f"{name} rounds to zero in {np.dtype(dtype)} for every row: "
                "scale the weights up (only their ratios count)."
            )
        return f"{name} is zero for every row: the weights must have a positive sum."
    if sample_weight is None:
        return (
            "class_weight gives every row a weight of zero: give some class "
            "present in the data a positive weight."
        )
    return (
        f"{name} times class_weight is zero for every row: the weights must "
        "have a positive sum."
    )


def check_X_for_prediction(estimator, X):
    """``X`` checked for prediction, as scikit-learn's validate_data would.

    A plain 2-D float array of the fitted width, with no feature names to
    check and finite values, is returned as it is: validate_data would return
    it unchanged, after about 150 µs spent detecting dataframe types, more
    than a one-row forward pass costs. Anything else goes through
    validate_data, errors and warnings included, which keeps numbers and
    booleans in their dtype: the chunks of prediction are cast one at a time.
    """
    if (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype in FLOAT_DTYPES
        and X.shape[0] > 0
        and X.shape[1] == estimator.n_features_in_
        and not hasattr(estimator, "feature_names_in_")
        # A finite sum means finite values; an infinite one (an overflow or a
        # NaN) takes the thorough path, so NumPy's overflow warning is noise.
        and (get_config()["assume_finite"] or _finite_sum(X))
    ):
        return X
    with numbers_named("X", X):
        checked = validate_data(
            estimator, X, accept_sparse="csr", dtype=X_DTYPE, reset=False
        )
    return as_numbers(checked, "X", X)


def _finite_sum(X):
    """Whether the sum of ``X`` is finite, without NumPy's overflow warning."""
    with np.errstate(over="ignore", invalid="ignore"):
        return math.isfinite(np.add.reduce(X, None))


def diverged(loss, rises, reference, magnitude=None, rise_magnitude=None):
    """Whether an epoch of loss ``loss`` diverged.

    Non-finite, or the ``rises``-th rise in a row (an epoch whose loss is
    more than ``DIVERGENCE_RISE`` times the last one's; this epoch's
    included), ``rises`` at least ``DIVERGENCE_RISES``, to more than
    ``DIVERGENCE_GROWTH`` times ``reference`` (the loss before these rises
    times the largest of them: see :func:`rise_reference`), or 1 if that is
    smaller, with the largest magnitude of some layer's parameters (of
    ``magnitude``, one per layer) more than ``DIVERGENCE_WEIGHT_GROWTH``
    times that of ``rise_magnitude``, theirs before these rises (None:
    unknown, for a model saved before it was kept). The losses are
    non-negative.
    """
    if not math.isfinite(loss):
        return True
    grown = rises >= DIVERGENCE_RISES and loss > DIVERGENCE_GROWTH * max(reference, 1.0)
    return grown and (
        rise_magnitude is None
        or any(
            now > DIVERGENCE_WEIGHT_GROWTH * before
            for now, before in zip(magnitude, rise_magnitude, strict=True)
        )
    )


def rise_reference(loss, last_loss, base, reference):
    """The reference of a rise in a row, after an epoch of loss ``loss`` rose.

    ``last_loss`` is the loss of the epoch before, ``base`` the loss before
    the first rise of the row and ``reference`` the row's reference so far
    (None at its first rise): ``base`` times the largest rise, the growth
    that one jump of the loss accounts for.
    """
    if reference is None:
        return loss
    return max(reference, base * (loss / last_loss))


def divergence_error(
    epoch, loss=math.nan, rises=0, reference=None, solver="adam", targets=None
):
    """The error of a fit that diverged at ``epoch`` (see :func:`diverged`).

    Its advice fits the fit: no learning rate for ``'lbfgs'``, which has
    none; the targets' scale for a regressor's ``targets``, ``"values"``
    or Poisson ``"counts"`` (None: a classifier's labels).
    """
    if math.isfinite(loss):
        what = (
            f"the loss grew to {loss:.3g} over {rises} epochs in a row that each "
            f"multiplied it by more than {DIVERGENCE_RISE:g}: more than "
            f"{DIVERGENCE_GROWTH:g} times {max(reference, 1.0):.3g} (its value "
            "before them times the largest of those rises, or 1 if that is "
            "smaller)"
        )
    else:
        what = (
            "the loss, the weights or the optimizer's state (Adam's squared "
            "gradients, SGD's velocity) became non-finite (inf or NaN)"
        )
    if solver == "lbfgs":
        advice = (
            "The features may be unscaled: put a StandardScaler before the estimator."
        )
    else:
        advice = (
            "The learning rate (learning_rate_init) may be too high, or the "
            "features unscaled: try a smaller learning rate, or put a "
            "StandardScaler before the estimator."
        )
    if targets == "counts":
        advice += (
            " Or the counts may be large: divide them by a positive constant "
            "(a TransformedTargetRegressor with a MaxAbsScaler; a "
            "StandardScaler would make them negative)."
        )
    elif targets == "values":
        advice += (
            " Or the targets may be far from unit scale, or grow along a "
            "partial_fit stream: scale them (a TransformedTargetRegressor with a "
            "StandardScaler)."
        )
    return DivergenceError(
        f"Training diverged at epoch {epoch}: {what}. {advice} The estimator was "
        "left as it was before this call."
    )


# Frames in these files are not the user's: this package, the wrappers
# scikit-learn puts around fit, partial_fit and transform, and a pipeline's
# steps (called through joblib's Memory, cache or not).
_PACKAGE = str(Path(__file__).resolve().parent)
_WRAPPERS = ("base.py", "_available_if.py", "_set_output.py", "pipeline.py")


def _internal(filename):
    """Whether a frame of ``filename`` is this package's or a scikit-learn wrapper's."""
    if filename.startswith(_PACKAGE):
        return True
    path = Path(filename)
    if "joblib" in path.parts and path.name == "memory.py":
        return True
    return "sklearn" in path.parts and path.name in _WRAPPERS


def warn(message, category=UserWarning):
    """Warn, pointing at the first frame outside this package.

    What Python 3.12's ``skip_file_prefixes`` does, for older Pythons too:
    the warning names the user's line however deep the call that raised it.
    """
    # stacklevel=2 is warn's caller; each frame skipped adds one.
    frame, stacklevel = sys._getframe(1), 2
    while frame is not None and _internal(frame.f_code.co_filename):
        frame, stacklevel = frame.f_back, stacklevel + 1
    warnings.warn(message, category, stacklevel=stacklevel)


# The first words of NumPy's and scikit-learn's errors for values that are no
# numbers, which name neither the argument nor, for a DataFrame, the column.
_NOT_NUMBERS = (
    "could not convert",
    "Complex data not supported",
    "dtype='numeric' is not compatible",
    "Unable to convert array of bytes/strings",
)


@contextlib.contextmanager
def numbers_named(name, data=None):
    """Turn an error about values that are no numbers into one naming ``name``.

    Where an array of strings (or a DataFrame with a text column, or complex
    numbers) is cast to floats, NumPy and scikit-learn say what failed but not
    which argument held it; of a pandas or polars DataFrame ``data``, the
    columns that are not numeric are named too.
    """
    try:
        yield
    except (TypeError, ValueError) as error:
        message = str(error)
        if not message.startswith(_NOT_NUMBERS):
            raise
        where, columns = "", _text_columns(data)
        if columns:
            shown = ", ".join(map(repr, columns[:5]))
            more = f" and {len(columns) - 5} more" if len(columns) > 5 else ""
            advice = (
                "encode such columns first, or let "
                "skmlp_numpy.make_tabular_pipeline do it"
            )
            if name == "X_val":
                # A validation set given to the net of a pipeline skips the
                # steps before it, unless the pipeline is told to apply them.
                advice = (
                    "a pipeline's steps transform it when the pipeline is built "
                    "with transform_input=['X_val'] (metadata routing on)"
                )
            where = f" (not numeric: column {shown}{more}; {advice})"
        raise ValueError(
            f"{name} must hold numbers (real, not complex){where}, but "
            f"{message.splitlines()[0].rstrip('.')}."
        ) from error


def _text_columns(data):
    """The labels of the columns of a pandas or polars frame that are not numeric."""
    module = type(data).__module__
    if module.startswith("pandas") and hasattr(data, "dtypes"):
        return [
            label
            for label, dtype in data.dtypes.items()
            # A category's dtype says "O"; its categories' is its own.
            if getattr(getattr(dtype, "categories", None), "dtype", dtype).kind
            not in "biuf"
        ]
    if module.startswith("polars") and hasattr(data, "schema"):
        return [
            label
            for label, dtype in data.schema.items()
            if not (dtype.is_numeric() or str(dtype) == "Boolean")
        ]
    return []


def as_numbers(X, name, data=None):
    """Validated ``X`` with an ``object`` dtype as float64, naming ``name`` if it fails.

    scikit-learn's checks cast an ``object`` array to float64, but give a
    polars frame with a text column back as an ``object`` array, which
    failed in the middle of training.
    """
    if getattr(getattr(X, "dtype", None), "kind", "") != "O":
        return X
    with numbers_named(name, data):
        return X.astype(np.float64)


def float_targets(y, name):
    """Regression targets ``y`` (validated) of objects or strings as float64.

    Named ``name`` where they are no numbers: scikit-learn's ``y_numeric``
    cast names nothing.
    """
    if y.dtype.kind in "biuf":
        return y
    with numbers_named(name):
        return y.astype(np.float64)


def check_no_complex(y, name):
    """Refuse complex targets, naming ``name`` (scikit-learn's error does not,
    and prints them all)."""
    if sparse.issparse(y):
        return
    dtype = getattr(y, "dtype", None)
    if dtype is None:
        try:
            dtype = np.asarray(y).dtype
        except (TypeError, ValueError):
            return  # ragged: scikit-learn's checks say so
    if getattr(dtype, "kind", "") == "c":
        raise ValueError(
            f"Complex data not supported: {name} holds complex numbers; the "
            "targets must be real."
        )


def check_target_shape(y, name):
    """``y`` as 1-D, or 2-D with several columns (a column vector warns)."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    if y.ndim > 2:
        raise ValueError(f"{name} must be 1-D or 2-D; got {y.ndim} dimensions.")
    return y


def check_no_missing(y, name):
    """Refuse targets with missing values (None, NaN, pd.NA, NaT), naming ``name``.

    Run before scikit-learn's checks, which name no argument for some of them
    ("Input contains NaN") and fail on others with a TypeError ("boolean value
    of NA is ambiguous", "'<' not supported between 'int' and 'NoneType'"), or
    turn None into a NaN that a regressor trains on.
    """
    missing = _missing(y)
    if missing is None or not missing.any():
        return
    rows = np.flatnonzero(missing.reshape(len(missing), -1).any(axis=1))
    where = (
        f"a missing value (None, NaN or pd.NA) at index {rows[0]}"
        if len(rows) == 1
        else f"missing values (None, NaN or pd.NA) at {len(rows)} indices, the "
        f"first {rows[0]}"
    )
    raise ValueError(f"{name} has {where}: drop or fill in the missing values.")


def _missing(y):
    """A mask of the missing values of ``y``; None where a later check reports them.

    Sparse ``y`` and what NumPy cannot read as an array (ragged lists) are left
    to scikit-learn's checks, whose messages name them.
    """
    if y is None or sparse.issparse(y):
        return None
    try:
        y = np.asarray(y)  # pandas' nullable and categorical arrays become objects
    except ValueError:
        return None
    if y.ndim == 0:
        return None
    if y.dtype.kind in "fc":
        return np.isnan(y)
    if y.dtype.kind in "mM":
        return np.isnat(y)
    if y.dtype.kind == "O":
        # pd.NA can only be in y if pandas is loaded; pandas.isna knows it
        # (it neither equals itself nor differs from itself: it is NA).
        pandas = sys.modules.get("pandas")
        if pandas is not None:
            return np.asarray(pandas.isna(y), dtype=bool)
        return np.asarray((y == None) | (y != y), dtype=bool)  # noqa: E711
    return None


def check_same_targets(new, fitted):
    """A warm start trains the same network: ``y`` must define the same targets.

    MLPClassifier's rule and message, for the classes and for the number of
    outputs, with the ways out. (The output activation follows from them, or
    from the regressor's loss, which its ``_encode_targets`` checks.)
    """
    for name, what in [("classes_", "classes"), ("n_outputs_", "number of outputs")]:
        if name in new and not np.array_equal(fitted[name], new[name]):
            way_out = "Set warm_start=False to train a new network."
            if name == "classes_":
                way_out = (
                    "A warm-started fit continues the network of these classes, and "
                    "must see them all. To train it on data that lacks some of them, "
                    "call partial_fit, which takes any subset of the classes; to "
                    "train a new network on these, set warm_start=False."
                )
            raise ValueError(
                f"warm_start can only be used where `y` has the same {what} as in "
                f"the previous call to fit. Previously got {fitted[name]}, `y` has "
                f"{new[name]}. {way_out}"
            )


def plain(value):
    """``value`` with NumPy scalars and arrays as Python ones, for messages.

    Labels then print as ``0`` and ``'a'``, not ``np.int64(0)`` and
    ``np.str_('a')``.
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, (np.ndarray, list, tuple)):
        return [plain(item) for item in value]
    return value


def _default(estimator, name):
    """The default of the parameter ``name`` of ``estimator``'s class."""
    return inspect.signature(type(estimator)).parameters[name].default


def warn_ignored_options(params):
    """Warn, once each, about the settings of ``params`` that cannot act.

    ``params`` has the estimator's parameters. Options that 'lbfgs' would
    silently ignore, the schedules that Adam ignores, and the 'cosine'
    schedule's settings under another schedule: each warning names the
    setting and what would make it act.
    """
    lbfgs = params.solver == "lbfgs"
    if lbfgs and params.early_stopping:
        warn(
            "early_stopping=True has no effect with solver='lbfgs', which "
            "trains on the whole batch; use solver='adam' or 'sgd' to stop "
            "early. A validation set passed as X_val, y_val is still scored "
            "at every iteration."
        )
    if lbfgs and params.dropout:
        warn(
            f"dropout={params.dropout} has no effect with solver='lbfgs', whose "
            "line search needs a deterministic loss; use solver='adam' or "
            "'sgd' for dropout."
        )
    if lbfgs and params.batch_size != "auto":
        warn(
            f"batch_size={params.batch_size} has no effect with solver='lbfgs', "
            "which trains on the whole data at every iteration; use "
            "solver='adam' or 'sgd' for minibatches."
        )
    if lbfgs and params.learning_rate_init != _default(params, "learning_rate_init"):
        warn(
            f"learning_rate_init={params.learning_rate_init} has no effect with "
            "solver='lbfgs', whose line search chooses every step; use "
            "solver='adam' or 'sgd' to set a learning rate."
        )
    if lbfgs and params.learning_rate == "cosine":
        warn(
            "learning_rate='cosine' has no effect with solver='lbfgs', whose "
            "line search chooses every step; use solver='adam' or 'sgd' for a "
            "learning-rate schedule."
        )
    if params.solver == "adam" and params.learning_rate in ("invscaling", "adaptive"):
        warn(
            f"learning_rate={params.learning_rate!r} has no effect with "
            "solver='adam', which adapts each weight's step itself (as in "
            "MLPClassifier); use solver='sgd' for it, or learning_rate="
            "'cosine' for a schedule of Adam's rate."
        )
    cosine = params.learning_rate == "cosine" and not lbfgs
    for name, unset in [("warmup_fraction", 0.0), ("schedule_epochs", None)]:
        value = getattr(params, name)
        if value != unset and not cosine:
            why = (
                "solver='lbfgs' has no learning-rate schedule"
                if lbfgs
                else f"only learning_rate='cosine' reads it (learning_rate="
                f"{params.learning_rate!r})"
            )
            warn(f"{name}={value!r} has no effect: {why}.")


def check_classes(classes):
    """``classes`` of partial_fit as an array of labels; errors name it."""
    check_no_missing(classes, "classes")
    classes = np.asarray(classes)
    if classes.ndim != 1:
        raise ValueError(
            f"classes must be a 1-D array of labels; got shape {classes.shape}."
        )
    check_labels(classes, "classes")
    return classes


def check_labels(y, name):
    """The kind of target ``y`` is (``type_of_target``), if a classifier learns it.

    Binary, multiclass and multilabel (0/1 indicator) targets pass; the
    others are errors that name ``name``, the problem and the way out. They
    start with scikit-learn's "Unknown label type: <kind>", which its
    estimator checks look for.
    """
    try:
        kind = type_of_target(y, input_name=name)
    except TypeError:  # labels that cannot be sorted: strings mixed with numbers
        kind = "unknown"
    if kind in ("binary", "multiclass", "multilabel-indicator"):
        return kind
    if kind == "multiclass-multioutput":
        raise ValueError(
            f"{name} has {np.shape(y)[1]} columns of class labels (multiclass-"
            "multioutput), but one network predicts one column of classes, or a "
            "0/1 indicator matrix (multilabel). To predict several columns of "
            "classes, wrap the estimator in "
            "sklearn.multioutput.MultiOutputClassifier, which fits one per column."
        )
    if kind.startswith("continuous"):
        values = np.ravel(y)
        fractions = values[values != np.floor(values)]
        if fractions.size:
            what = f"continuous values, such as {plain(fractions[0])!r}"
        else:
            # Whole numbers beyond int64, which type_of_target casts them to.
            huge = values[np.abs(values) >= 2.0**63][0]
            what = f"whole numbers beyond int64's range, such as {plain(huge)!r}"
        raise ValueError(
            f"Unknown label type: {kind}. {name} holds {what}, not class labels. "
            "To predict numbers, use TwoLayerNetRegressor; to classify, turn "
            "them into labels first (round them to integers, bin them with "
            "sklearn.preprocessing.KBinsDiscretizer, or encode them with "
            "sklearn.preprocessing.LabelEncoder)."
        )
    types = sorted({type(label).__name__ for label in np.ravel(y)})
    raise ValueError(
        f"Unknown label type: {kind}. {name} holds labels of the "
        f"type{'s' if len(types) > 1 else ''} {', '.join(types)}, which "
        "scikit-learn cannot read as classes: labels "
        "must be all strings, or all numbers in an array of a numeric dtype "
        "(convert them with .astype(str) or .astype(int))."
    )


def class_weights(class_weight, y, classes, multilabel, reference=None):
    """Sample weights of ``y``'s rows from ``class_weight``; None if it is None.

    Checked, and named in errors. ``classes`` are every known class: a
    ``partial_fit`` batch that lacks some class accepts the same dict as fit.
    'balanced' reads the class frequencies of ``reference``, the training
    labels, when given: a validation set weighs its rows as training does.
    """
    if class_weight is None:
        return None
    reference = y if reference is None else reference
    if multilabel:
        if isinstance(class_weight, dict):
            raise ValueError(
                "class_weight for a multilabel y is a list of one dict per label "
                "column, such as [{0: 1, 1: 5}, {0: 1, 1: 1}], or 'balanced'; "
                f"got the dict {plain(class_weight)!r}."
            )
        # 'balanced' is compute_sample_weight's product of each column's
        # weights: a column at a time, so that they come from the reference's.
        per_column = (
            [class_weight] * y.shape[1] if class_weight == "balanced" else class_weight
        )
        try:
            # A column at a time over both of its classes, as a single
            # target's weights are over every known class: a batch or a
            # validation set in which a label is constant takes them too.
            if len(per_column) != y.shape[1]:
                raise ValueError(
                    f"it has {len(per_column)} dicts for {y.shape[1]} label columns"
                )
            labels, known = (
                (a.toarray() if sparse.issparse(a) else np.asarray(a)).astype(np.intp)
                for a in (y, reference)
            )
            weights = np.ones(labels.shape[0])
            for column, known_column, column_weight in zip(
                labels.T, known.T, per_column, strict=True
            ):
                # 'balanced' over the classes the column has, as
                # compute_sample_weight does; a dict over both.
                classes = (
                    np.unique(known_column)
                    if isinstance(column_weight, str)
                    else np.array([0, 1])
                )
                per_class = np.ones(2)
                per_class[classes] = compute_class_weight(
                    column_weight, classes=classes, y=known_column
                )
                weights *= per_class[column]
        except ValueError as exc:
            raise ValueError(f"Invalid class_weight: {exc}") from exc
    elif isinstance(class_weight, list):
        raise ValueError(
            "class_weight as a list (one dict per label column) is for a "
            "multilabel y; for one target pass a dict {label: weight}."
        )
    else:
        try:
            per_class = compute_class_weight(class_weight, classes=classes, y=reference)
        except ValueError as exc:
            raise ValueError(f"Invalid class_weight: {exc}") from exc
        weights = per_class[np.searchsorted(classes, y)]
    weights = np.asarray(weights, dtype=np.float64)
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError(
            "class_weight must give every class a finite, non-negative weight; "
            f"got {plain(class_weight)!r}."
        )
    return weights
