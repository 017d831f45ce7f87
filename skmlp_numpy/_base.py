"""What both estimators share: validation, the fit state and the training loop.

A fit is a transaction:

- Everything is validated, and a :class:`_FitState` built, before the first
  epoch: nothing is trained on data that has not passed.
- The loop trains the fit state's own network, optimizer and random stream,
  never an object that the estimator holds.
- An epoch is committed to the estimator in one step (:meth:`_commit`), after
  everything that can fail in it, its scoring and callbacks included.
- An exception anywhere restores the estimator exactly as it was before the
  call (:class:`_Transaction`); Ctrl-C keeps the last committed epoch.

The estimator modules add only what is theirs: targets, output layer, scores.
The fit state, the stopping rule and the transaction are in :mod:`._fit_state`;
the batches are gathered by :mod:`._batches`.
"""

from __future__ import annotations

import copy
import math
import os
import warnings
from dataclasses import replace
from numbers import Integral, Real

import numpy as np
import scipy.optimize
from numpy.typing import ArrayLike
from scipy import sparse
from sklearn import get_config
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning, InconsistentVersionWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import (
    check_array,
    column_or_1d,
    validate_data,
)
from threadpoolctl import threadpool_info

from ._batches import _Batches, _dense_rows
from ._fit_state import _Callbacks, _FitState, _Plateau, _Transaction, _ValidationSet
from ._layers import ACTIVATIONS
from ._network import TwoLayerNet
from ._optimizers import OPTIMIZERS
from ._version import __version__

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9 has no callback API

    class CallbackSupportMixin:
        """Stand-in for scikit-learn < 1.9: the estimator works without callbacks."""

        def set_callbacks(self, *callbacks):
            """Callbacks need scikit-learn's callback API: say so."""
            raise ImportError("Callbacks need scikit-learn 1.9 or newer.")


__all__ = ["BaseTwoLayerNet", "DivergenceError"]


class DivergenceError(ValueError):
    """Training produced a non-finite loss or non-finite weights."""


# The dtypes the network computes in; other input is converted to float64.
_FLOAT_DTYPES = (np.float64, np.float32)


class _OverflowError(ValueError):
    """The network's outputs overflowed on some rows of the input."""


class BaseTwoLayerNet(CallbackSupportMixin, BaseEstimator):
    """Base class of the two-layer network estimators; do not use it directly.

    It owns everything the classifier and the regressor share: parameter
    validation, the fit state, the stochastic and L-BFGS loops, callbacks,
    pickling and the chunked forward pass. Subclasses define the targets
    (``_check_targets``, ``_encode_targets``, ``_encode_known_targets``), the
    early-stopping split's stratification (``_stratify``) and the default
    validation score (``_score_outputs``).
    """

    _parameter_constraints: dict = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions({"lbfgs", *OPTIMIZERS})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "scoring": [StrOptions({"loss"}), str, callable, None],
        "dtype": [
            None,
            StrOptions({"float32", "float64"}),
            Options(type, {np.float32, np.float64}),
            Options(np.dtype, {np.dtype(np.float32), np.dtype(np.float64)}),
        ],
    }

    # Targets are numbers (regression) or labels of any kind (classification).
    _y_numeric = False

    # The HTML representation links to this package's API page.
    _doc_link_module = "skmlp_numpy"
    _doc_link_template = (
        "https://skmlp-numpy.readthedocs.io/en/latest/generated/"
        "{estimator_module}.{estimator_name}.html"
    )

    def __init__(
        self,
        hidden_size,
        activation,
        *,
        solver,
        alpha,
        batch_size,
        learning_rate,
        learning_rate_init,
        power_t,
        max_iter,
        shuffle,
        random_state,
        tol,
        verbose,
        warm_start,
        momentum,
        nesterovs_momentum,
        early_stopping,
        validation_fraction,
        beta_1,
        beta_2,
        epsilon,
        n_iter_no_change,
        max_fun,
        dropout,
        scoring,
        dtype,
    ):
        self.hidden_size = hidden_size
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.scoring = scoring
        self.dtype = dtype

    # ------------------------------------------------------------------ API

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        *,
        X_val: ArrayLike | None = None,
        y_val: ArrayLike | None = None,
        sample_weight_val: ArrayLike | None = None,
    ):
        """Train the network on ``X, y``.

        A fit is a transaction: if it raises, the estimator is left exactly as
        it was before the call. Interrupted (Ctrl-C) after one or more epochs,
        it keeps the last complete epoch, with every attribute matching it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 data train in float32; anything else is
            converted to float64. Sparse data are densified one batch at a
            time.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values: class labels (or a 0/1 indicator matrix for
            multilabel problems) in classification, real numbers in
            regression.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; the loss is their weighted
            mean.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), default=None
            Validation data for early stopping and the validation curves. When
            given, no part of ``X`` is held out.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(
            X,
            y,
            sample_weight,
            incremental=False,
            validation=(X_val, y_val, sample_weight_val),
        )

    def _has_partial_fit(self):
        """partial_fit exists for the stochastic solvers only (``available_if``)."""
        if self.solver == "lbfgs":
            raise AttributeError(
                "partial_fit is only available for the stochastic solvers "
                "'sgd' and 'adam', not for solver='lbfgs'."
            )
        return True

    def _check_partial_fit(self):
        """Refuse the options that partial_fit cannot honour."""
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: there is no "
                "whole training set to hold a validation split out of."
            )

    def set_callbacks(self, *callbacks):
        """Set callbacks that follow, or stop, training (scikit-learn >= 1.9).

        A fit is a task of one subtask per epoch (per iteration with
        'lbfgs'): every callback's ``on_fit_task_begin`` and
        ``on_fit_task_end`` hooks run at the start and end of the fit and of
        each epoch, and a callback whose ``on_fit_task_end`` returns True stops
        training after that epoch. The ``fitted_estimator`` a hook receives is
        the model as of that epoch. scikit-learn's ``ProgressBar`` and
        ``ScoringMonitor`` work, and propagate from ``Pipeline`` and
        ``GridSearchCV``. A callback that raises makes the fit fail, and the
        estimator is left as it was before the call.

        Parameters
        ----------
        *callbacks : callback instances
            Objects following scikit-learn's ``FitCallback`` protocol; none
            to remove the callbacks.

        Returns
        -------
        self : object
            This estimator.
        """
        return super().set_callbacks(*callbacks)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # ------------------------------------------------------------ prediction

    def _validate_X(self, X):
        """``X`` checked for prediction, as scikit-learn's validate_data would.

        A plain 2-D float array of the fitted width, with no feature names to
        check and finite values, is returned as it is: validate_data would
        return it unchanged, after about 150 µs spent detecting dataframe
        types, more than a one-row forward pass costs. Anything else goes
        through validate_data, errors and warnings included.
        """
        if (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in _FLOAT_DTYPES
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
            # A finite sum means finite values; an infinite one (an overflow
            # or a NaN) takes the thorough path.
            and (get_config()["assume_finite"] or math.isfinite(np.add.reduce(X, None)))
        ):
            return X
        return validate_data(
            self, X, accept_sparse="csr", dtype=_FLOAT_DTYPES, reset=False
        )

    def _forward(self, X):
        """Network outputs for validated ``X``, a chunk of rows at a time.

        The callers check that the estimator is fitted. Rows are cast to the
        weights' dtype a chunk at a time, never as a whole copy of ``X``.
        """
        net = TwoLayerNet(
            self.coefs_,
            self.intercepts_,
            self.activation,
            self.out_activation_,
            trainable=False,
        )
        n_samples = X.shape[0]
        chunk = _chunk_rows(X, *net.coefs[1].shape)
        # Overflow is reported below, once, in plain words.
        with np.errstate(over="ignore", invalid="ignore"):
            if chunk >= n_samples:
                # One chunk: the outputs are the new network's own buffer.
                out = net.forward(_dense_rows(X, slice(0, n_samples), dtype=net.dtype))
            else:
                out = np.empty((n_samples, self.n_outputs_), dtype=net.dtype)
                # Slices by hand: scikit-learn's gen_batches validates its
                # arguments at every call, which costs more than a small forward.
                for start in range(0, n_samples, chunk):
                    rows = slice(start, min(start + chunk, n_samples))
                    out[rows] = net.forward(_dense_rows(X, rows, dtype=net.dtype))
        if not np.isfinite(out).all():
            n_bad = int((~np.isfinite(out)).any(axis=1).sum())
            raise _OverflowError(
                f"The network overflowed on {n_bad} rows of X: their features are "
                "too large for the weights. Scale the features as they were scaled "
                "for training (e.g. with a StandardScaler in a Pipeline)."
            )
        return out

    # ---------------------------------------------------------- transaction

    def _fit(self, X, y, sample_weight, incremental, classes=None, validation=None):
        """Validate, then train, as one transaction (see the module docstring)."""
        raw_X, raw_y = X, y
        # Overflow is detected and reported as a DivergenceError: NumPy's own
        # warnings about it would only be noise before that clear message.
        with (
            _Transaction(self) as transaction,
            np.errstate(over="ignore", invalid="ignore"),
        ):
            state = self._prepare_fit(
                X, y, sample_weight, incremental, classes, validation or (None,) * 3
            )
            n_tasks = 1 if incremental else self.max_iter
            state.callbacks = self._open_callbacks(
                transaction, raw_X, raw_y, state.sample_weight, n_tasks
            )
            if self.solver == "lbfgs":
                self._fit_lbfgs(state)
            else:
                self._fit_stochastic(state)
            state.callbacks.end(
                state.callbacks.fit_task,
                self,
                lambda: {
                    "coefs_": [c.copy() for c in self.coefs_],
                    "intercepts_": [b.copy() for b in self.intercepts_],
                },
            )
        return self

    def _open_callbacks(self, transaction, X, y, sample_weight, n_tasks):
        """Open the fit's callback context, where scikit-learn has callbacks.

        scikit-learn keeps the context in attributes of the estimator that it
        tears down itself after the call: the transaction leaves them alone,
        whatever their names.
        """
        if not hasattr(self, "_init_callback_context"):
            return _Callbacks(None, self, X, y, sample_weight)
        before = dict(vars(self))
        fit_task = self._init_callback_context(max_subtasks=n_tasks)
        transaction.exempt(
            key for key, value in vars(self).items() if before.get(key) is not value
        )
        return _Callbacks(fit_task, self, X, y, sample_weight)

    def _commit(self, state, params=None):
        """Publish the fit state's current epoch as the fitted model, in one step.

        ``params`` are copied; by default the network's, or with early stopping
        the best epoch's so far, which is what a fit of this many epochs
        returns. The attributes are rebound together by one dictionary update,
        which Ctrl-C cannot split.
        """
        if params is None:
            early = state.best_params is not None  # see _model_attributes
            params = state.best_params if early else state.network.params
        params = params.astype(state.network.dtype, copy=True)
        attributes = self._model_attributes(state, params)
        attributes.update(
            _optimizer=copy.deepcopy(state.optimizer),
            _no_improvement_count=state.plateau.count,
            _stream=state.stream,
            _stream_epochs=state.stream_epochs,
        )
        vars(self).update(attributes)
        state.committed = True

    def _model_attributes(self, state, params):
        """The fitted attributes of the model whose weights are ``params``."""
        W1, W2, b1, b2 = state.network.unflatten(params)
        # The fit state keeps best weights exactly when early stopping is in
        # force (a stochastic solver; 'lbfgs' ignores it).
        early = state.best_params is not None
        return {
            **state.model,
            "coefs_": [W1, W2],
            "intercepts_": [b1, b2],
            "n_iter_": state.n_iter,
            "t_": state.t,
            "loss_": state.loss,
            "loss_curve_": list(state.loss_curve),
            "best_loss_": None if early else -state.plateau.best,
            "validation_loss_curve_": _copy_list(state.validation_loss_curve),
            "validation_scores_": _copy_list(state.validation_scores),
            "best_validation_score_": state.plateau.best if early else None,
        }

    def _candidate(self, state, params):
        """This estimator as the model with weights ``params`` (uncopied).

        What scorers see: a shallow copy, so that nothing they do touches the
        estimator before the epoch is committed.
        """
        candidate = object.__new__(type(self))
        vars(candidate).update(vars(self))
        vars(candidate).update(self._model_attributes(state, params))
        return candidate

    # ---------------------------------------------------------- validation

    def _prepare_fit(self, X, y, sample_weight, incremental, classes, validation):
        """Validate everything and build the fit state; nothing is trained yet.

        The estimator changes only where scikit-learn's own checks set
        attributes (``n_features_in_``, ``feature_names_in_``, and ``classes_``
        on a first ``partial_fit``); the transaction undoes them on failure.
        """
        continuing = hasattr(self, "coefs_") and (self.warm_start or incremental)
        first_pass = self._is_first_pass(incremental, classes) or not continuing
        X, y = self._check_data(X, y, validation=False, reset=first_pass)
        dtype = self._training_dtype(X, first_pass)
        Y, model = self._encode_targets(y, first_pass, incremental, classes, dtype)
        sample_weight = self._training_weights(X, y, sample_weight, model, dtype)
        X_val, y_val, sample_weight_val = validation
        val = None
        if X_val is not None or y_val is not None or sample_weight_val is not None:
            val = self._check_validation_set(
                X_val, y_val, sample_weight_val, model, dtype
            )
        self._check_solver_options(val)
        if not first_pass and not hasattr(self, "_stream"):
            raise ValueError(
                "This model was trained by skmlp_numpy < 0.2, whose models cannot "
                "continue training (warm_start or partial_fit); they still predict. "
                "Set warm_start=False to train a new network."
            )
        if not first_pass and self.coefs_[0].shape[1] != self.hidden_size:
            raise ValueError(
                f"hidden_size={self.hidden_size} does not match the "
                f"{self.coefs_[0].shape[1]} hidden units of the fitted network; "
                "set warm_start=False to start a new network."
            )

        if first_pass:
            random_state = check_random_state(self.random_state)
            network = TwoLayerNet.initialize(
                X.shape[1],
                self.hidden_size,
                model["n_outputs_"],
                self.activation,
                model["out_activation_"],
                random_state,
                dtype,
                dropout=self.dropout,
            )
            stream, stream_epochs = copy.deepcopy(random_state), 0
        else:
            network = TwoLayerNet(
                self.coefs_,
                self.intercepts_,
                self.activation,
                model["out_activation_"],
                dropout=self.dropout,
            )
            stream, stream_epochs = self._stream, self._stream_epochs
        # Draws come from a copy of the stream: the committed one never changes.
        random_state = copy.deepcopy(stream)
        train_idx = None
        if val is None and self.early_stopping and self.solver != "lbfgs":
            train_idx, val = self._hold_out(X, y, Y, sample_weight, random_state, model)
        stochastic = self.solver != "lbfgs"
        batches = None
        if stochastic:
            order = train_idx
            if order is None and self.shuffle:
                order = np.arange(X.shape[0])
            if incremental:
                # Each partial_fit call starts a new chain where the last ended.
                self._replay(random_state, np.arange(X.shape[0]), stream_epochs)
                stream, stream_epochs = copy.deepcopy(random_state), 0
            else:
                # A warm start continues the chain: replaying its draws puts
                # the stream and the shuffled order where the last fit left them.
                self._replay(random_state, order, stream_epochs)
            batch_size = self._batch_size(X.shape[0] if order is None else len(order))
            batches = _Batches(
                X, Y, sample_weight, order, batch_size, dtype, _spare_core
            )

        carry = not first_pass and stochastic
        plateau = _Plateau(self.tol, self.n_iter_no_change)
        previous_best = None
        if carry:
            previous_best = (
                self.best_validation_score_
                if self.early_stopping
                else None
                if self.best_loss_ is None
                else -self.best_loss_
            )
        if previous_best is not None:
            plateau = replace(
                plateau, best=previous_best, count=self._no_improvement_count
            )
        state = _FitState(
            X=X,
            Y=Y,
            sample_weight=sample_weight,
            model=model,
            network=network,
            optimizer=self._make_optimizer(network, carry) if stochastic else None,
            batches=batches,
            validation=val,
            scorer=None,
            plateau=plateau,
            best_params=(
                network.params.copy() if self.early_stopping and stochastic else None
            ),
            random_state=random_state,
            stream=stream,
            stream_epochs=stream_epochs,
            incremental=incremental,
            n_iter=self.n_iter_ if incremental and not first_pass else 0,
            t=self.t_ if not first_pass else 0,
            loss=self.loss_ if carry else None,
            loss_curve=list(self.loss_curve_) if carry else [],
            validation_loss_curve=self._carried_curve("validation_loss_curve_", carry),
            validation_scores=self._carried_curve("validation_scores_", carry),
        )
        if val is not None:
            if state.validation_scores is None:
                state.validation_scores, state.validation_loss_curve = [], []
            state.scorer = self._check_scorer(state)
        return state

    def _is_first_pass(self, incremental, classes):
        """Whether this call starts a new network (subclasses check ``classes``)."""
        return not hasattr(self, "coefs_")

    def _training_dtype(self, X, first_pass):
        """The dtype the network trains in.

        The fitted weights' when training continues; else ``dtype``, or the
        float dtype of ``X`` when it is None (MLPClassifier's rule).
        """
        requested = None if self.dtype is None else np.dtype(self.dtype)
        if first_pass:
            return X.dtype if requested is None else requested
        fitted = self.coefs_[0].dtype
        if requested is not None and requested != fitted:
            raise ValueError(
                f"dtype={self.dtype!r} does not match the {fitted} weights of the "
                "fitted network; set warm_start=False to train a new network."
            )
        return fitted

    def _accepted_dtypes(self, reset):
        """Float dtypes training X is accepted in; other input converts to the first.

        Float input is never copied to change its type: batches are cast as
        they are gathered.
        """
        if reset:
            return _float_dtypes(np.float64 if self.dtype is None else self.dtype)
        return _float_dtypes(self.coefs_[0].dtype)

    def _carried_curve(self, name, carry):
        """A copy of the fitted curve ``name`` when training continues, else None."""
        curve = getattr(self, name, None) if carry else None
        return None if curve is None else list(curve)

    def _check_data(self, X, y, *, validation, reset=False, dtype=None):
        """Validate a data set: the training set, or the validation set.

        One check for both, whose errors name the arguments the user passed:
        ``X``/``y``, or ``X_val``/``y_val``.
        """
        if validation:
            X_name, y_name = "X_val", "y_val"
            X_raw = X
            X = check_array(X, accept_sparse="csr", dtype=dtype, input_name=X_name)
            if X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X_val has {X.shape[1]} features, but the training data X has "
                    f"{self.n_features_in_}."
                )
            # The column names of a DataFrame X_val must match X's.
            validate_data(self, X_raw, reset=False, skip_check_array=True)
            y = check_array(
                y, accept_sparse=False, ensure_2d=False, dtype=None, input_name=y_name
            )
            if self._y_numeric and y.dtype.kind == "O":
                y = y.astype(np.float64)
            if y.shape[0] != X.shape[0]:
                raise ValueError(
                    f"y_val has {y.shape[0]} samples but X_val has {X.shape[0]}; "
                    "they must match."
                )
        else:
            y_name = "y"
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse="csr",
                multi_output=True,
                y_numeric=self._y_numeric,
                dtype=self._accepted_dtypes(reset),
                reset=reset,
            )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if y.ndim > 2:
            raise ValueError(f"{y_name} must be 1-D or 2-D; got {y.ndim} dimensions.")
        self._check_targets(y, y_name)
        return X, y

    def _check_validation_set(self, X_val, y_val, sample_weight_val, model, dtype):
        """The validation set passed to fit, validated and encoded."""
        if X_val is None or y_val is None:
            raise ValueError(
                "X_val and y_val must be given together"
                + (
                    " (sample_weight_val needs both)."
                    if X_val is None and y_val is None
                    else "."
                )
            )
        X_val, y_val = self._check_data(
            X_val, y_val, validation=True, dtype=_float_dtypes(dtype)
        )
        Y_val = self._encode_known_targets(y_val, model, "y_val", dtype)
        if sample_weight_val is not None:
            sample_weight_val = _check_weights(
                sample_weight_val, X_val.shape[0], dtype, "sample_weight_val", "X_val"
            )
            _check_positive_sum(sample_weight_val, "sample_weight_val")
        return _ValidationSet(X_val, y_val, Y_val, sample_weight_val)

    def _training_weights(self, X, y, sample_weight, model, dtype):
        """The effective sample weights: ``sample_weight``, times any class weights."""
        if sample_weight is not None:
            sample_weight = _check_weights(
                sample_weight, X.shape[0], dtype, "sample_weight", "X"
            )
        target_weight = self._target_weights(y, model)
        if target_weight is not None:
            target_weight = target_weight.astype(dtype)
            if sample_weight is None:
                sample_weight = target_weight
            else:
                sample_weight = sample_weight * target_weight
        if sample_weight is not None:
            _check_positive_sum(sample_weight, "sample_weight")
        return sample_weight

    def _target_weights(self, y, model):
        """Weights that the targets give the samples (class weights); None here."""
        return None

    def _check_solver_options(self, validation):
        """Refuse or warn about options that the solver would silently ignore."""
        if self.solver != "lbfgs":
            return
        if self.early_stopping:
            warnings.warn(
                "early_stopping=True has no effect with solver='lbfgs', which "
                "trains on the whole batch; use solver='adam' or 'sgd' to stop "
                "early. A validation set passed as X_val, y_val is still scored "
                "at every iteration.",
                UserWarning,
                stacklevel=6,
            )
        if self.dropout:
            warnings.warn(
                f"dropout={self.dropout} has no effect with solver='lbfgs', whose "
                "line search needs a deterministic loss; use solver='adam' or "
                "'sgd' for dropout.",
                UserWarning,
                stacklevel=6,
            )

    def _hold_out(self, X, y, Y, sample_weight, random_state, model):
        """Hold out ``validation_fraction`` of the rows for early stopping.

        Drawn exactly as MLPClassifier and MLPRegressor draw it (stratified only
        for single-output classification), so that the loss curves match
        theirs. Returns the training rows and the validation set.
        """
        n_samples = X.shape[0]
        # train_test_split's own rule for a fractional test_size.
        n_val = math.ceil(self.validation_fraction * n_samples)
        too_small = n_val < 2 or n_val >= n_samples
        stratified = None
        try:
            train_idx, val_idx = train_test_split(
                np.arange(n_samples),
                random_state=random_state,
                test_size=self.validation_fraction,
                stratify=self._stratify(Y, model),
            )
        except ValueError as exc:
            stratified = str(exc)
        if too_small or stratified:
            if too_small:
                msg = (
                    "The validation set is too small: early stopping would hold out "
                    f"{n_val} of the {n_samples} samples (validation_fraction="
                    f"{self.validation_fraction}), and needs at least 2, with at "
                    "least 1 left to train on."
                )
            else:
                msg = "The validation set held out for early stopping cannot be drawn."
            if stratified:
                msg += f" Stratified by class: {stratified}"
            raise ValueError(
                f"{msg} Change validation_fraction, or pass X_val and y_val."
            )
        sw_val = None
        if sample_weight is not None:
            sw_val = sample_weight[val_idx]
            if not sw_val.sum() > 0 or not sample_weight[train_idx].sum() > 0:
                raise ValueError(
                    "The samples held out for early stopping, or those left to "
                    "train on, all have zero weight. Pass X_val and y_val, or "
                    "change validation_fraction."
                )
        validation = _ValidationSet(X[val_idx], y[val_idx], Y[val_idx], sw_val)
        return train_idx, validation

    def _stratify(self, Y, model):
        """Labels to stratify the early-stopping split by; None here."""
        return None

    def _make_optimizer(self, network, carry):
        """A new optimizer, or a copy of the last fit's under the current settings."""
        optimizer_class = OPTIMIZERS[self.solver]
        previous = getattr(self, "_optimizer", None) if carry else None
        if isinstance(previous, optimizer_class):
            # Continue the optimizer's state under the current hyperparameters
            # (so that lowering learning_rate_init between warm fits is a
            # schedule), on a copy, so that a failure leaves it as it was.
            optimizer = copy.deepcopy(previous)
            optimizer.set_hyperparameters(**self._optimizer_params())
            return optimizer
        return optimizer_class(network.params, **self._optimizer_params())

    def _optimizer_params(self):
        """The hyperparameters of the solver's optimizer, from this estimator's."""
        if self.solver == "sgd":
            return dict(
                learning_rate_init=self.learning_rate_init,
                learning_rate=self.learning_rate,
                momentum=self.momentum,
                nesterovs_momentum=self.nesterovs_momentum,
                power_t=self.power_t,
            )
        return dict(
            learning_rate_init=self.learning_rate_init,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
        )

    def _batch_size(self, n_samples):
        """The batch size for ``n_samples`` rows: 'auto', or clipped to them."""
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_samples} training "
                "samples; it is clipped to the number of samples.",
                UserWarning,
                stacklevel=6,
            )
        return min(self.batch_size, n_samples)

    def _check_scorer(self, state):
        """The validation scorer, tried once on the initial model.

        So that a scorer that cannot score this validation set (``roc_auc``
        on a multiclass target, say) fails before the first epoch, with a
        message that says which scorers fit.
        """
        if self.scoring is None or self.scoring == "loss":
            return None
        scorer = check_scoring(self, scoring=self.scoring)
        candidate = self._candidate(state, state.network.params)
        val = state.validation
        try:
            with warnings.catch_warnings():
                # An untrained model can make a metric ill-defined: not a
                # problem of the scorer, and not worth a warning.
                warnings.simplefilter("ignore")
                _call_scorer(scorer, candidate, val)
        except ValueError as exc:
            raise ValueError(
                f"scoring={self.scoring!r} cannot score this validation set: {exc}\n"
                f"{self._scoring_hint(val.y)}"
            ) from exc
        return scorer

    def _scoring_hint(self, y):
        """A sentence naming scorers that fit targets like ``y``."""
        return ""

    # -------------------------------------------------------- stochastic loop

    def _fit_stochastic(self, state):
        """Train an epoch at a time, each committed when done.

        Ctrl-C keeps the last committed epoch; before the first, it restores
        the estimator and propagates.
        """
        try:
            for _ in range(self.max_iter):
                if self._train_epoch(state) or state.incremental:
                    break
            else:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                    "reached and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=5,
                )
        except KeyboardInterrupt:
            if not state.committed:
                raise
            warnings.warn(
                f"Training interrupted by the user after {self.n_iter_} complete "
                "epochs; the estimator keeps the last one.",
                UserWarning,
                stacklevel=5,
            )

    def _train_epoch(self, state):
        """Run, score and call back one epoch, then commit it; True to stop."""
        task = state.callbacks.begin_epoch(self)
        loss = self._run_epoch(state)
        stop = self._end_epoch(state, loss)
        stop |= state.callbacks.end(
            task,
            self,
            lambda: self._model_attributes(state, state.network.params.copy()),
        )
        self._commit(state)
        return stop

    def _replay(self, random_state, order, n_epochs):
        """Draw again what ``n_epochs`` epochs drew, to continue their stream."""
        for _ in range(n_epochs):
            self._draw_epoch(random_state, order)

    def _draw_epoch(self, random_state, order):
        """The random draws of one epoch: its shuffle, and its dropout stream.

        Dropout masks come from a stream seeded once per epoch, so that
        replaying an epoch's draws costs no more than a shuffle.
        """
        if self.shuffle and order is not None:
            random_state.shuffle(order)
        if self.dropout:
            return np.random.RandomState(random_state.randint(np.iinfo(np.int32).max))
        return None

    def _run_epoch(self, state):
        """One pass over the training rows; returns the mean training loss."""
        net, optimizer, batches = state.network, state.optimizer, state.batches
        dropout_stream = self._draw_epoch(state.random_state, batches.order)
        state.stream_epochs += 1
        total = 0.0
        epoch = iter(batches)
        try:
            for X_batch, Y_batch, sw_batch in epoch:
                if sw_batch is not None and not sw_batch.any():
                    continue  # a batch of zero weights has no gradient to follow
                loss = net.loss_grad(
                    X_batch, Y_batch, sw_batch, self.alpha, dropout_stream
                )
                if not math.isfinite(loss):
                    raise _divergence_error(state.n_iter + 1)
                optimizer.step(net.params, net.grads)
                total += loss * X_batch.shape[0]
        finally:
            # Stops the batches' gathering thread now, not when the
            # traceback of an exception is freed.
            epoch.close()
        return total / batches.n_samples

    def _end_epoch(self, state, loss):
        """Record the epoch in the fit state, score it; return True to stop."""
        if not np.isfinite(state.network.params).all():
            raise _divergence_error(state.n_iter + 1)
        state.n_iter += 1
        state.t += state.batches.n_samples
        state.loss = loss
        state.loss_curve.append(loss)
        if self.verbose:
            print(f"Iteration {state.n_iter}, loss = {loss:.8f}")
        value = -loss
        if state.validation is not None:
            score = self._score_validation(state, state.network.params)
            if self.verbose:
                print(f"Validation score: {score:f}")
            if self.early_stopping:
                value = score
        if self.early_stopping and value > state.plateau.best:
            state.best_params[:] = state.network.params
        state.plateau = state.plateau.update(value)
        state.optimizer.end_epoch(state.t)

        if not state.plateau.stalled:
            return False
        what = "Validation score" if self.early_stopping else "Training loss"
        msg = (
            f"{what} did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )
        if state.optimizer.on_plateau():
            if self.verbose:
                print(msg + " Stopping.")
            return True
        if self.verbose:
            print(msg + f" Setting learning rate to {state.optimizer.learning_rate:f}")
        state.plateau = state.plateau.restarted()
        return False

    def _score_validation(self, state, params):
        """Score the model with weights ``params`` on the validation set.

        Appends to the fit state's validation curves, and returns the score.
        """
        val = state.validation
        candidate = self._candidate(state, params)
        try:
            out = candidate._forward(val.X)
        except _OverflowError as exc:
            raise _divergence_error(state.n_iter) from exc
        val_loss = state.network.output.loss(out, val.Y, val.sample_weight)
        if self.scoring == "loss":
            score = -val_loss
        elif state.scorer is not None:
            score = _call_scorer(state.scorer, candidate, val)
        else:
            score = candidate._score_outputs(out, val.y, val.sample_weight)
        score = float(score)
        if math.isnan(score):
            name = "the default score" if self.scoring is None else repr(self.scoring)
            raise ValueError(
                f"The validation score ({name}) is NaN at epoch {state.n_iter}: a "
                "score that cannot be compared cannot guide training. Check the "
                "scorer and the validation set."
            )
        state.validation_loss_curve.append(val_loss)
        state.validation_scores.append(score)
        return score

    # ------------------------------------------------------------------ lbfgs

    def _fit_lbfgs(self, state):
        """Train with SciPy's L-BFGS-B on the whole batch, committing each iteration."""
        net, X, Y, sample_weight = state.network, state.X, state.Y, state.sample_weight
        n = X.shape[0] if sample_weight is None else float(sample_weight.sum())
        # Dense data go through in one piece, as in MLPClassifier; sparse data
        # are densified a chunk at a time.
        chunk = X.shape[0]
        if sparse.issparse(X) or X.dtype != net.dtype:
            chunk = _chunk_rows(X, *net.coefs[1].shape)
        grads = np.empty(net.params.shape, dtype=np.float64)

        def loss_grad(theta):
            """The full-batch loss and gradient at ``theta``, for SciPy."""
            net.params[:] = theta
            loss = 0.0
            grads[:] = 0.0
            for rows in gen_batches(X.shape[0], chunk):
                sw = None if sample_weight is None else sample_weight[rows]
                share = (rows.stop - rows.start if sw is None else float(sw.sum())) / n
                if share == 0:
                    continue
                X_rows = _dense_rows(X, rows, dtype=net.dtype)
                loss += share * net.loss_grad(X_rows, Y[rows], sw)
                grads[:] += share * net.grads
            loss += net.penalty(self.alpha, n, grads)
            return loss, grads

        def record(intermediate_result):
            """SciPy's per-iteration callback: score, call back, commit."""
            task = state.callbacks.begin_epoch(self)
            params = intermediate_result.x.astype(net.dtype)
            state.n_iter += 1
            state.loss = float(intermediate_result.fun)
            state.loss_curve.append(state.loss)
            state.plateau = state.plateau.update(-state.loss)
            if self.verbose:
                print(f"Iteration {state.n_iter}, loss = {state.loss:.8f}")
            if state.validation is not None:
                self._score_validation(state, params)
            stop = state.callbacks.end(
                task, self, lambda: self._model_attributes(state, params.copy())
            )
            self._commit(state, params)
            if stop:
                raise StopIteration  # SciPy's way for a callback to stop L-BFGS

        try:
            result = scipy.optimize.minimize(
                loss_grad,
                net.params.astype(np.float64),
                method="L-BFGS-B",
                jac=True,
                callback=record,
                options={
                    "maxfun": self.max_fun,
                    "maxiter": self.max_iter,
                    "gtol": self.tol,
                },
            )
        except KeyboardInterrupt:
            if not state.committed:
                raise
            warnings.warn(
                f"Training interrupted by the user after {self.n_iter_} complete "
                "iterations; the estimator keeps the last one.",
                UserWarning,
                stacklevel=5,
            )
            return
        if not np.isfinite(result.fun) or not np.isfinite(result.x).all():
            raise _divergence_error(state.n_iter + 1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            state.n_iter = _check_optimize_result("lbfgs", result, self.max_iter)
        for warning in caught:
            # scikit-learn's helper points at this line: point at the caller's.
            warnings.warn(warning.message, warning.category, stacklevel=5)
        state.loss = float(result.fun)
        state.plateau = state.plateau.update(-state.loss)
        self._commit(state, result.x)

    # ------------------------------------------------------------- pickling

    def __getstate__(self):
        # BaseEstimator hands back the instance's own __dict__: copy it, so
        # that pickling never changes the live estimator.
        state = dict(super().__getstate__())
        state["_skmlp_numpy_version"] = __version__
        return state

    def __setstate__(self, state):
        state = dict(state)
        version = state.pop("_skmlp_numpy_version", "unknown")
        if version != __version__:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_sklearn_version=__version__,
                    original_sklearn_version=version,
                ),
                stacklevel=2,
            )
        super().__setstate__(state)


def _spare_core():
    """Whether BLAS leaves a core free, for the thread that gathers batches.

    threadpoolctl comes with scikit-learn, which needs it.
    """
    blas = [
        pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"
    ]
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    return max(blas, default=cores) < cores


def _float_dtypes(preferred):
    """``_FLOAT_DTYPES`` with ``preferred`` first, for check_array's ``dtype``."""
    preferred = np.dtype(preferred).type
    return (preferred, *(d for d in _FLOAT_DTYPES if d is not preferred))


def _chunk_rows(X, n_hidden, n_outputs):
    """Rows per chunk of ``X`` that fit scikit-learn's ``working_memory``.

    A chunk needs its hidden activations and outputs, and its rows densified
    or cast when ``X`` is sparse or of another dtype than the weights; so
    memory does not grow with the number of rows of ``X``. The arithmetic of
    scikit-learn's ``get_chunk_n_rows``, without its per-call parameter
    validation, which costs more than a one-row prediction.
    """
    row_bytes = (n_hidden + n_outputs + X.shape[1]) * X.dtype.itemsize
    budget = get_config()["working_memory"] * 2**20
    return int(min(max(budget // row_bytes, 1), X.shape[0]))


def _copy_list(values):
    """A copy of a curve, or None."""
    return None if values is None else list(values)


def _call_scorer(scorer, estimator, validation):
    """``scorer`` on the validation set, with its weights when it has any."""
    kwargs = {}
    if validation.sample_weight is not None:
        kwargs["sample_weight"] = validation.sample_weight
    with warnings.catch_warnings():
        # X_val was validated into an array: its column names, checked
        # already, are gone, and scikit-learn would warn about that.
        warnings.filterwarnings("ignore", "X does not have valid feature names")
        return scorer(estimator, validation.X, validation.y, **kwargs)


def _check_weights(weights, n_samples, dtype, name, X_name):
    """Validate per-sample weights, naming the argument in every error."""
    if isinstance(weights, Real):
        weights = np.full(n_samples, weights)
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


def _check_positive_sum(weights, name):
    """Refuse weights that sum to zero (or to NaN), naming them."""
    if not weights.sum() > 0:
        raise ValueError(
            f"The weights ({name}) must have a positive sum; they are all zero."
        )


def _divergence_error(epoch):
    """The error of a fit whose loss or weights became non-finite at ``epoch``."""
    return DivergenceError(
        f"Training diverged at epoch {epoch}: the loss or the weights became "
        "non-finite (inf or NaN). The learning rate (learning_rate_init) may be "
        "too high, or the features unscaled: try a smaller learning rate, or "
        "put a StandardScaler before the estimator. The estimator was left as "
        "it was before this call."
    )
