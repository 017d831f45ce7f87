"""Early stopping and validation, owned by one object.

:class:`_EarlyStopping` holds the validation set (given, or held out by
:func:`hold_out`), the scorer and how it is called, and the best weights; it
advances the validation curves and the stopping rule of the fit's
:class:`~._fit_state._Progress`. After each epoch it gives a verdict, and
the training loop only asks it:

- ``IMPROVED``: the monitored value reached a new best;
- ``WAITING``: it did not, for no more than ``n_iter_no_change`` epochs;
- ``STALLED``: it has not improved by ``tol`` for more than that;
- ``CANNOT_RANK``: the score is NaN or infinite, so epochs cannot be compared.

The monitored value is the validation score with early stopping, else the
negated training loss (MLPClassifier's rule). Before the first epoch,
:meth:`_EarlyStopping.check` refuses a validation set whose score cannot
rank models, so that early stopping never keeps an arbitrary epoch.
"""

import decimal
import inspect
import math
import numbers
import warnings

import numpy as np
from scipy import sparse
from sklearn import get_config
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, validate_data

from ._batches import forward_in_chunks
from ._checks import (
    X_DTYPE,
    as_numbers,
    check_fits_dtype,
    check_no_complex,
    check_no_missing,
    check_target_shape,
    combine_weights,
    float_targets,
    numbers_named,
    plain,
    warn,
)
from ._fit_state import UNKNOWN_SCORER

IMPROVED, WAITING, STALLED, CANNOT_RANK = (
    "improved",
    "waiting",
    "stalled",
    "cannot rank",
)

# Scorers that fit each kind of target, for the message of one that does not.
_SCORERS_FOR = {
    "binary": "'accuracy', 'balanced_accuracy', 'f1', 'roc_auc', 'neg_log_loss'",
    "multiclass": (
        "'accuracy', 'balanced_accuracy', 'f1_macro', 'roc_auc_ovr', 'neg_log_loss'"
    ),
    "multilabel-indicator": "'accuracy', 'f1_samples', 'f1_macro', 'jaccard_samples'",
    "continuous": (
        "'r2', 'neg_mean_squared_error', 'neg_mean_absolute_error' and, for "
        "loss='poisson', 'neg_mean_poisson_deviance'"
    ),
}

# Networks with random weights that a constant validation target is scored
# on, to find out whether its score can tell networks apart.
_N_PROBES = 4


class _ValidationSet:
    """A validated validation set.

    ``y`` is as the user gave it (what scorers compare with), ``Y`` in the
    network's encoding (what the validation loss needs). ``held_out`` says
    whether it was drawn from the training set, for messages.
    """

    def __init__(self, X, y, Y, sample_weight, held_out):
        self.X, self.y, self.Y = X, y, Y
        self.sample_weight = sample_weight
        self.held_out = held_out

    @property
    def name(self):
        """How messages name this set."""
        if self.held_out:
            return "the validation set held out for early stopping"
        return "the validation set (X_val, y_val)"


def check_validation_set(
    estimator, X_val, y_val, sample_weight_val, targets, dtype, y_train=None
):
    """The validation set passed to fit, validated and encoded; None if none.

    ``estimator`` checks the column names, and encodes ``y_val`` as it
    encodes ``y`` (its ``_encode_targets``), the training labels ``y_train``
    giving the class weights' frequencies.
    Its errors name the arguments the user passed: ``X_val``, ``y_val``,
    ``sample_weight_val``.
    """
    if X_val is None and y_val is None and sample_weight_val is None:
        return None
    if X_val is None or y_val is None:
        raise ValueError(
            "X_val and y_val must be given together"
            + (
                " (sample_weight_val needs both)."
                if X_val is None and y_val is None
                else "."
            )
        )
    if not sparse.issparse(X_val) and np.ndim(X_val) != 2:
        raise ValueError(
            f"X_val must be 2-D, (n_samples, n_features) like X; got "
            f"{np.ndim(X_val)} dimension(s)."
        )
    # Kept in its dtype: validation casts a chunk at a time.
    with numbers_named("X_val", X_val):
        X = check_array(X_val, accept_sparse="csr", dtype=X_DTYPE, input_name="X_val")
    X = as_numbers(X, "X_val", X_val)
    check_fits_dtype(X, dtype, "X_val")
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X_val has {X.shape[1]} features, but the training data X has "
            f"{estimator.n_features_in_}."
        )
    # The column names of a DataFrame X_val must match X's; scikit-learn's
    # words about them say "X", which here is X_val.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            validate_data(estimator, X_val, reset=False, skip_check_array=True)
        except ValueError as error:
            raise ValueError(
                f"X_val's columns must be X's, in X's order. {error}"
            ) from error
    for warning in caught:
        message = str(warning.message)
        for said in ("X does not", "X has"):
            message = message.replace(said, said.replace("X", "X_val", 1), 1)
        warn(message, warning.category)
    if sparse.issparse(y_val):
        if estimator._y_numeric:
            raise TypeError(
                "y_val is a sparse matrix, but regression targets must be dense: "
                "pass y_val.toarray()."
            )
        y_val = y_val.toarray()  # a multilabel indicator matrix, as y may be
    check_no_missing(y_val, "y_val")
    check_no_complex(y_val, "y_val")
    y = check_array(
        y_val, accept_sparse=False, ensure_2d=False, dtype=None, input_name="y_val"
    )
    if estimator._y_numeric:
        y = float_targets(y, "y_val")
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y_val has {y.shape[0]} samples but X_val has {X.shape[0]}; "
            "they must match."
        )
    y = check_target_shape(y, "y_val")
    Y, class_weight = estimator._encode_targets(
        y, targets, "y_val", dtype, reference=y_train
    )
    # Class weights weigh the validation rows as they weigh the training rows
    # (and the rows held out of them).
    sample_weight = combine_weights(
        sample_weight_val, class_weight, X.shape[0], dtype, "sample_weight_val", "X_val"
    )
    return _ValidationSet(X, y, Y, sample_weight, held_out=False)


def _too_few(y, error):
    """scikit-learn's stratification ``error``, and the classes of ``y`` it means.

    The split is stratified on the label binarizer's columns, so that its
    words (kept: scikit-learn's tests look for them) name ``True`` or a
    column where the user wrote ``'b'``.
    """
    labels, counts = np.unique(y, return_counts=True)
    few = labels[counts < 2]
    if not len(few):
        return error.rstrip(".")
    shown = ", ".join(repr(plain(label)) for label in few)
    which = (
        f"the classes {shown} of y have a single row each"
        if len(few) > 1
        else f"the class {shown} of y has a single row"
    )
    return (
        f"{error.rstrip('.')} ({which}, too few to share between training and "
        "validation)"
    )


def hold_out(X, y, Y, sample_weight, fraction, random_state, stratify):
    """Hold out ``fraction`` of the rows for early stopping.

    Drawn exactly as MLPClassifier and MLPRegressor draw it (``stratify``
    is their rule's labels, or None), so that the loss curves match
    theirs. Returns the training rows and the :class:`_ValidationSet`.
    """
    n_samples = X.shape[0]
    # train_test_split's own rule for a fractional test_size.
    n_val = math.ceil(fraction * n_samples)
    too_small = n_val < 2 or n_val >= n_samples
    stratified = None
    if n_val:  # validation_fraction=0 holds out nothing: only too small
        try:
            train_idx, val_idx = train_test_split(
                np.arange(n_samples),
                random_state=random_state,
                test_size=fraction,
                stratify=stratify,
            )
        except ValueError as exc:
            stratified = (
                str(exc).rstrip(".")
                if stratify is None
                else "Stratified by class: " + _too_few(y, str(exc))
            )
    if too_small or stratified:
        if too_small:
            msg = (
                "The validation set is too small: early stopping would hold out "
                f"{n_val} of the {n_samples} samples (validation_fraction="
                f"{fraction}), and needs at least 2, with at least 1 left to "
                "train on."
            )
        else:
            msg = "The validation set held out for early stopping cannot be drawn."
        if stratified:
            msg += f" {stratified}."
        raise ValueError(f"{msg} Change validation_fraction, or pass X_val and y_val.")
    sw_val = None
    if sample_weight is not None:
        sw_val = sample_weight[val_idx]
        if not sample_weight[train_idx].sum() > 0:
            raise ValueError(
                "The samples left to train on after holding out the validation "
                "set all have zero weight. Pass X_val and y_val, or change "
                "validation_fraction."
            )
    validation = _ValidationSet(X[val_idx], y[val_idx], Y[val_idx], sw_val, True)
    return train_idx, validation


class _EarlyStopping:
    """The validation set, its scorer, the best weights and the verdicts.

    Parameters
    ----------
    validation : _ValidationSet or None
        What the epochs are scored on; None scores nothing.
    enabled : bool
        Whether early stopping is in force: the monitored value is the
        validation score, and the best epoch's weights are kept.
    scoring : str, callable or None
        The estimator's ``scoring``: None for the default score, ``'loss'``
        for the negated validation loss, else a scikit-learn scorer.
    default_score : callable
        ``default_score(outputs, y, sample_weight)``, the estimator's default
        validation score (accuracy, R² ...).
    """

    def __init__(self, validation, *, enabled, scoring, default_score):
        self.validation = validation
        self.enabled = enabled
        self.scoring = scoring
        self.default_score = default_score
        self.scorer = None
        self.pass_weights = False
        self.best_params = None
        # The score that could not be ranked (NaN or infinite), for its error.
        self.unrankable = math.nan

    @property
    def monitors(self):
        """What the stopping rule follows."""
        return "validation score" if self.enabled else "training loss"

    @property
    def scorer_name(self):
        """The name of the validation score's scorer, which a pickle keeps.

        None without early stopping; ``UNKNOWN_SCORER`` for a callable (see
        :func:`_scorer_name`).
        """
        return _scorer_name(self.scoring) if self.enabled else None

    # ---------------------------------------------------------- before training

    def check(self, network, as_model, estimator, make_network):
        """Check, before the first epoch, that this validation set can be scored.

        The scorer is tried on the initial network, so that one that cannot
        score this set (``roc_auc`` on a multiclass target, say) fails now,
        with a message that says which scorers fit. With early stopping, a
        set whose score cannot rank models is refused: fewer than two rows of
        non-zero weight, or a constant target on which the score is the same
        for every network tried (R² on a constant target is 0 whatever the
        predictions). ``as_model(network)`` is the estimator as the model of
        ``network``, for a user's scorer; ``make_network(coefs, intercepts)``
        a network like the fit's with other weights.
        """
        val = self.validation
        if self.scoring is not None and self.scoring != "loss":
            self.scorer = check_scoring(estimator, scoring=self.scoring)
            self.pass_weights = val.sample_weight is not None and _takes_weights(
                self.scorer
            )
        if self.enabled and self.scoring != "loss":
            # The loss of a single row still ranks models; a score may not.
            self._check_rows(val)
        try:
            with warnings.catch_warnings():
                # An untrained model can make a metric ill-defined: not a
                # problem of the scorer, and not worth a warning.
                warnings.simplefilter("ignore")
                first = self._score(network, as_model, 0.0)[0]
        except (AttributeError, ValueError) as exc:
            # A classifier's scorer on a regressor reads predict_proba, which
            # it lacks (an AttributeError from inside scikit-learn).
            hint = _scoring_hint(val, getattr(as_model(network), "classes_", None))
            raise ValueError(
                f"{self._name()} cannot score {val.name}: {exc}\n{hint}"
            ) from exc
        if not math.isfinite(first):
            hint = _scoring_hint(val, getattr(as_model(network), "classes_", None))
            raise ValueError(
                f"{self._name()} is {_nan_or_inf(first)} on {val.name} before "
                f"training: a score that cannot be compared cannot guide "
                f"training. {hint}"
            )
        if self.enabled and self.scoring != "loss" and _is_constant(val):
            self._check_ranks(network, as_model, make_network, first)
        if self.enabled:
            self.best_params = network.params.copy()

    def _check_rows(self, val):
        """Refuse a validation set of fewer than two rows of non-zero weight."""
        sw = val.sample_weight
        n_rows = val.X.shape[0] if sw is None else int(np.count_nonzero(sw))
        if n_rows < 2:
            rows = "row" if n_rows == 1 else "rows"
            raise ValueError(
                f"Early stopping cannot rank models on {val.name}: it has "
                f"{n_rows} {rows} of non-zero weight, and needs at least 2. "
                f"{_WAY_OUT}"
            )

    def _check_ranks(self, network, as_model, make_network, first):
        """Refuse a constant target on which the score never tells networks apart."""
        rng = np.random.RandomState(0)
        for _ in range(_N_PROBES):
            coefs = [rng.normal(size=W.shape).astype(W.dtype) for W in network.coefs]
            intercepts = [
                rng.normal(size=b.shape).astype(b.dtype) for b in network.intercepts
            ]
            probe = make_network(coefs, intercepts)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if self._score(probe, as_model, 0.0)[0] != first:
                    return
        val = self.validation
        raise ValueError(
            f"Early stopping cannot rank models on {val.name}: its target is "
            f"constant, and {self._name().lower()[:4]}{self._name()[4:]} is "
            f"{first!r} for every network tried, "
            "so training would stop at an arbitrary epoch. " + _WAY_OUT
        )

    def _name(self):
        """How messages name the validation score, at the start of a sentence."""
        if self.scoring is None:
            return "The default validation score"
        return f"The validation score (scoring={self.scoring!r})"

    # ------------------------------------------------------------- each epoch

    def end_epoch(self, progress, network, loss, penalty, as_model):
        """Score the epoch, advance the curves and the rule; return the verdict.

        ``loss`` is the epoch's training loss, ``penalty`` the L2 term that
        the training loss charges at the network's weights (added to the
        validation loss, so that the two curves measure the same objective).
        """
        value = -loss
        if self.validation is not None:
            score, validation_loss = self._score(network, as_model, penalty)
            if not math.isfinite(score):
                # An infinite score would be the best for ever (or never).
                self.unrankable = score
                return CANNOT_RANK
            progress.validation_loss_curve = progress.validation_loss_curve.appended(
                validation_loss
            )
            progress.validation_scores = progress.validation_scores.appended(score)
            if self.enabled:
                value = score
        improved = value > progress.plateau.best
        if improved and self.enabled:
            self.best_params[:] = network.params
        progress.plateau = progress.plateau.update(value)
        if progress.plateau.stalled:
            return STALLED
        return IMPROVED if improved else WAITING

    def model_params(self, network):
        """The weights the fit returns so far: the best epoch's with early stopping."""
        return self.best_params if self.enabled else network.params

    def cannot_rank_error(self, epoch):
        """The error of a NaN or infinite validation score at ``epoch``."""
        return ValueError(
            f"{self._name()} is {_nan_or_inf(self.unrankable)} at epoch {epoch}: "
            "a score that cannot be compared cannot guide training. Check the "
            "scorer and the validation set."
        )

    def _score(self, network, as_model, penalty):
        """The score and the loss of ``network`` on the validation set."""
        val = self.validation
        outputs = forward_in_chunks(network, val.X, get_config()["working_memory"])
        loss = float(network.output.loss(outputs, val.Y, val.sample_weight)) + penalty
        if self.scoring == "loss":
            return -loss, loss
        if self.scorer is None:
            return float(self.default_score(outputs, val.y, val.sample_weight)), loss
        kwargs = {"sample_weight": val.sample_weight} if self.pass_weights else {}
        with warnings.catch_warnings():
            # X_val was validated into an array: its column names, checked
            # already, are gone, and scikit-learn would warn about that.
            warnings.filterwarnings("ignore", "X does not have valid feature names")
            score = self.scorer(as_model(network), val.X, val.y, **kwargs)
        # A forgotten return (None), an array of several scores, a string.
        value = _real_number(score)
        if value is None:
            raise TypeError(
                f"scoring={self.scoring!r} returned {score!r} "
                f"({type(score).__name__}): a scorer must return one real number, "
                "higher for a better model."
            )
        return value, loss


def _real_number(score):
    """``score`` as a float if it is one real number (a Python or NumPy
    number, bool, Decimal or Fraction, or a 0-d array of one), else None."""
    try:
        value = np.asarray(score)
    except Exception:  # an __array__ that raises
        return None
    if value.ndim != 0:
        return None
    if value.dtype.kind == "O":
        if not isinstance(value.item(), numbers.Real | decimal.Decimal):
            return None
    elif value.dtype.kind not in "biuf":
        return None
    try:
        return float(value.item())
    except (TypeError, ValueError, OverflowError):
        return None


def _scorer_name(scoring):
    """A name of ``scoring`` that identifies it across a pickle round trip.

    A string (or None) itself. A callable is ``UNKNOWN_SCORER``: no name
    tells two callables apart for sure (``make_scorer`` names only its
    function, ``functools.wraps`` copies names, a notebook redefines a
    function under its name), and taking another scorer for the same would
    carry its best score over, throwing the new epochs away.
    """
    if scoring is None or isinstance(scoring, str):
        return str(scoring)
    return UNKNOWN_SCORER


_WAY_OUT = (
    "Pass a validation set whose targets vary as X_val and y_val, or set "
    "scoring='loss' (the validation loss ranks models on any targets)."
)


def _is_constant(val):
    """Whether every row of non-zero weight has the same target."""
    # A sparse multilabel target is as small as the validation set: compare
    # it dense.
    y = val.y.toarray() if sparse.issparse(val.y) else val.y
    y = y if val.sample_weight is None else y[val.sample_weight > 0]
    if y.shape[0] == 0:
        return True
    return bool((y == y[:1]).all())


def _takes_weights(scorer):
    """Whether ``scorer`` accepts a ``sample_weight`` argument.

    scikit-learn's scorers do; a plain ``scorer(estimator, X, y)`` does not,
    and is called without the weights.
    """
    try:
        parameters = inspect.signature(scorer).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(
        p.name == "sample_weight" or p.kind is inspect.Parameter.VAR_KEYWORD
        for p in parameters
    )


def _nan_or_inf(score):
    """How a score that is not finite is not: "NaN", "inf" or "-inf"."""
    return "NaN" if math.isnan(score) else str(score)


def _scoring_hint(val, classes=None):
    """A sentence naming scorers that fit targets like the validation set's.

    A constant target fits none that needs two classes or varied values:
    then the sentence names the way out instead. ``classes``, a classifier's:
    a model of three classes or more is multiclass even where its validation
    rows, unstratified as in MLPClassifier, hold only two of them; None, a
    regressor's, whose targets are values even where they are whole numbers.
    """
    if _is_constant(val):
        return f"Its target is constant. {_WAY_OUT}"
    if classes is None:
        # A regressor's targets are values, whole numbers (counts) included.
        outputs = 1 if val.y.ndim == 1 else val.y.shape[1]
        target = "continuous" if outputs == 1 else "continuous-multioutput"
    else:
        target = type_of_target(val.y)
    if target == "binary" and classes is not None and len(classes) > 2:
        target = "multiclass"
    kind = "continuous" if target == "continuous-multioutput" else target
    hint = (
        f"The validation targets are {target}; scorers that fit them include "
        f"{_SCORERS_FOR.get(kind, _SCORERS_FOR['multiclass'])}."
    )
    present = len(np.unique(val.y)) if classes is not None and val.y.ndim == 1 else None
    if present is not None and present < len(classes):
        # Held-out rows unstratified (as in MLPClassifier), or a y_val, that
        # lack a class: the scorers of every class's probability fail.
        hint = (
            f"The validation targets are {target}, with {present} of the "
            f"model's {len(classes)} classes: scorers that read every class's "
            "probability ('neg_log_loss', 'roc_auc_ovr') cannot score them; "
            "'accuracy', 'balanced_accuracy' and 'f1_macro' can."
        )
    return f"{hint} Or scoring='loss': the validation loss ranks models on any targets."
