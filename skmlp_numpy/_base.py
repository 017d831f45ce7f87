"""What both estimators share: parameters, checking and encoding, prediction
and persistence.

A fit is a transaction, and reads in the order it runs (:meth:`_fit`):

1. Check and encode everything, start or resume the network and what carries
   over, hold out the validation set, and build the call's
   :class:`~._fit._Fit` (:meth:`_prepare`): nothing is trained on data that
   has not passed.
2. Train (:meth:`._fit._Fit.run`): the loop of epochs, which commits each one
   to this estimator after everything that can fail in it.
3. An exception anywhere restores the estimator exactly as it was before the
   call (:class:`~._fit_state._Transaction`); Ctrl-C keeps the last committed
   epoch.

The estimator validates and publishes; it knows nothing of backprop. The
subclasses add four hooks, each with one job, as HistGradientBoosting's do:
``_new_targets``, ``_encode_targets``, ``_loss`` and ``_score_outputs``.
"""

from __future__ import annotations

import copy
import functools
import inspect
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse
from sklearn import get_config
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
    is_classifier,
)
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from ._batches import (
    _Batches,
    forward_in_chunks,
    spare_core,
)
from ._checks import (
    DTYPE_CONSTRAINT,
    X_DTYPE,
    as_numbers,
    check_fits_dtype,
    check_no_complex,
    check_no_missing,
    check_parameter_names,
    check_resumable,
    check_same_targets,
    check_target_shape,
    check_X_for_prediction,
    combine_weights,
    float_targets,
    hidden_layer_sizes_message,
    numbers_named,
    preserved_dtypes,
    training_dtype,
    warn,
    warn_ignored_options,
)
from ._early_stopping import (
    _EarlyStopping,
    check_validation_set,
    hold_out,
)
from ._fit import _Fit
from ._fit_state import (
    _Callbacks,
    _Curve,
    _Plateau,
    _Progress,
    _PublishedCurve,
    _Transaction,
    progress_of_0_2,
    progress_of_0_3,
)
from ._layers import ACTIVATIONS
from ._network import TwoLayerNet
from ._optimizers import OPTIMIZERS
from ._threads import prediction_threads, training_threads
from ._version import __version__

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9 has no callback API

    class CallbackSupportMixin:
        """Stand-in for scikit-learn < 1.9: the estimator works without callbacks."""

        def set_callbacks(self, *callbacks):
            """Callbacks need scikit-learn's callback API: say so."""
            raise ImportError("Callbacks need scikit-learn 1.9 or newer.")


__all__ = ["BaseTwoLayerNet"]

# The fitted curves, which the committed progress holds (see _PublishedCurve).
_CURVES = ("loss_curve_", "validation_loss_curve_", "validation_scores_")


class BaseTwoLayerNet(
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    CallbackSupportMixin,
    BaseEstimator,
):
    """Base class of the two-layer network estimators; do not use it directly.

    It owns everything the classifier and the regressor share: parameter
    validation, the fit, callbacks, pickling and prediction. Subclasses
    define their targets through four hooks:
    ``_new_targets(y, classes=None, fitted=None)``
    (the attributes that describe a new network's targets),
    ``_encode_targets(y, targets, name, dtype, reference=None)`` (``y`` in
    the network's encoding, and the weights the targets give its rows, their
    frequencies read in ``reference`` when given), ``_loss(targets)``
    (the output layer that trains the network, fused with its loss) and
    ``_score_outputs(outputs, y, sample_weight, targets)`` (the default
    validation score); and list in ``_target_attributes`` the fitted
    attributes that describe the targets.
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
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive", "cosine"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "warmup_fraction": [Interval(Real, 0, 1, closed="left")],
        "schedule_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "n_members": [Interval(Integral, 1, None, closed="left")],
        "scoring": [StrOptions({"loss"}), str, callable, None],
        "dtype": DTYPE_CONSTRAINT,
    }

    # Targets are numbers (regression) or labels of any kind (classification).
    _y_numeric = False

    # The HTML representation links to no documentation host: the project
    # names none (scikit-learn's would link to its own pages).
    _doc_link_module = "skmlp_numpy"
    _doc_link_template = ""

    # Made from the committed progress when first read: see _PublishedCurve.
    loss_curve_ = _PublishedCurve()
    validation_loss_curve_ = _PublishedCurve()
    validation_scores_ = _PublishedCurve()

    def __new__(cls, *args, **kwargs):
        # Here only to answer MLPClassifier's hidden_layer_sizes, or a
        # misspelt name, with the parameter to write instead: Python's own
        # TypeError, raised before __init__ runs, could only say "unexpected
        # keyword argument". __init__ still takes exactly its parameters.
        check_parameter_names(cls.__name__, cls._get_param_names(), kwargs)
        return super().__new__(cls)

    def set_params(self, **params):
        """Set the parameters of this estimator, as scikit-learn's do.

        MLPClassifier's ``hidden_layer_sizes`` (a grid ported from it, say)
        is answered with the parameter to write instead, as the constructor
        answers it; any other unknown name gets scikit-learn's ValueError.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : estimator instance
            This estimator.
        """
        if "hidden_layer_sizes" in params:
            raise ValueError(
                hidden_layer_sizes_message(
                    type(self).__name__, params["hidden_layer_sizes"]
                )
            )
        return super().set_params(**params)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # inspect.signature(cls) reads __init__, but Sphinx's autodoc reads
        # the (*args, **kwargs) of __new__ above first: name the signature
        # that documentation and tools should show, __init__'s.
        parameters = list(inspect.signature(cls.__init__).parameters.values())
        cls.__signature__ = inspect.Signature(parameters[1:])

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
        warmup_fraction,
        schedule_epochs,
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
        n_members,
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
        self.warmup_fraction = warmup_fraction
        self.schedule_epochs = schedule_epochs
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
        self.n_members = n_members
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
            Training data. float32 data train in float32, anything else in
            float64, unless ``dtype`` says otherwise; rows are cast a batch
            at a time. Sparse rows are multiplied as they are, never
            densified.
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
            Targets of ``X_val``, in the units of ``y`` as this estimator
            receives it. A :class:`~sklearn.compose.TransformedTargetRegressor`
            transforms ``y`` but passes ``y_val`` on untransformed: transform
            it the same way, or leave the validation set out and let early
            stopping hold out part of the transformed ``y`` (see the user
            guide).
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
        the model as of that epoch. scikit-learn's ``ProgressBar`` works, and
        propagates from ``Pipeline`` and ``GridSearchCV``; its
        ``ScoringMonitor`` works set on the estimator itself (it does not
        propagate). A callback whose hook raises makes the fit fail, and the
        estimator is left as it was before the call; scikit-learn calls
        ``teardown`` after the fit has returned, so one that raises there
        leaves the trained model.

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
        # transform gives the weights' dtype: X's float32 or float64, or dtype.
        tags.transformer_tags.preserves_dtype = preserved_dtypes(self.dtype)
        return tags

    def _validate_params(self):
        super()._validate_params()
        # Interval(Integral) takes True as 1: a bool given as a size or a
        # count is a mistake (a flag in the wrong place), not a 1.
        for name, constraints in self._parameter_constraints.items():
            value = getattr(self, name)
            integral = any(
                isinstance(c, Interval) and c.type is Integral for c in constraints
            )
            if integral and isinstance(value, (bool, np.bool_)):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must be an "
                    f"int, not a bool ({value!r})."
                )

    # ------------------------------------------------------------ prediction

    def _validate_X(self, X):
        """``X`` checked for prediction, as scikit-learn's validate_data would."""
        return check_X_for_prediction(self, X)

    def _forward(self, X):
        """Network outputs for validated ``X``; the callers check it is fitted."""
        network = self._network(
            self.out_activation_, self.coefs_, self.intercepts_, trainable=False
        )
        with prediction_threads(X, self.coefs_[0].shape[1]):
            return forward_in_chunks(network, X, get_config()["working_memory"])

    def transform(self, X: ArrayLike) -> np.ndarray:
        """The hidden layer's activations: the trained network as features.

        The network up to its hidden layer, with dropout off, so that a
        trained net can feed another estimator in a pipeline (a linear model
        on the learned features, say) or give embeddings to plot. With
        scikit-learn's ``set_output(transform="pandas")``, a DataFrame whose
        columns are :meth:`get_feature_names_out`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        H : ndarray of shape (n_samples, hidden_size * n_members)
            The activations of the hidden units, in the dtype of the weights:
            of an ensemble, every member's, member ``j``'s in the columns
            ``j * hidden_size`` to ``(j + 1) * hidden_size``.
        """
        check_is_fitted(self)
        network = self._network(
            self.out_activation_, self.coefs_, self.intercepts_, trainable=False
        )
        X = self._validate_X(X)
        with prediction_threads(X, self.coefs_[0].shape[1]):
            return forward_in_chunks(
                network, X, get_config()["working_memory"], hidden=True
            )

    @property
    def _n_features_out(self):
        """The number of features :meth:`transform` gives: the hidden units.

        scikit-learn's ``ClassNamePrefixFeaturesOutMixin`` names them
        ``"<estimator name>0"``, ``"<estimator name>1"`` ...
        """
        return self.coefs_[0].shape[1]

    # --------------------------------------------------------------- one fit

    def _fit(self, X, y, sample_weight, incremental, classes=None, validation=None):
        """Check and encode, train, commit: one transaction (see the module doc)."""
        # Overflow is detected and reported as a DivergenceError: NumPy's own
        # warnings about it would only be noise before that clear message.
        with (
            _Transaction(self) as transaction,
            np.errstate(over="ignore", invalid="ignore"),
        ):
            fit = self._prepare(
                X, y, sample_weight, incremental, classes, validation or (None,) * 3
            )
            n_tasks = 1 if incremental else self.max_iter
            fit.callbacks = _Callbacks.open(
                self, transaction, X, y, fit.sample_weight, n_tasks
            )
            # spare_core() was asked in _prepare, outside this limit: it reads
            # the caller's BLAS threads, as one thread set here is not a core
            # freed (on a busy machine the other core is the taken one).
            try:
                with training_threads(fit, self.hidden_size * self.n_members):
                    fit.run()
                fit.callbacks.end(
                    fit.callbacks.fit_task,
                    self,
                    lambda: {
                        "coefs_": [c.copy() for c in self.coefs_],
                        "intercepts_": [b.copy() for b in self.intercepts_],
                    },
                )
                if fit.user_stream is not None:
                    # Successive fits with one instance differ, as
                    # MLPClassifier's do; a failed call never got here and
                    # left it as it was.
                    self.random_state.set_state(fit.user_stream.get_state())
            except KeyboardInterrupt:
                # After the last epoch (in the fit's end callback, say): the
                # committed epochs stay, as when it comes between epochs.
                if not fit.committed:
                    raise
                warn(
                    "Training interrupted by the user after its last epoch; the "
                    "estimator keeps it."
                )
        return self

    def _prepare(self, X, y, sample_weight, incremental, classes, validation):
        """Check and encode everything, and build the :class:`~._fit._Fit`; nothing
        is trained.

        The estimator changes only where scikit-learn's own checks set
        attributes (``n_features_in_``, ``feature_names_in_``); the
        transaction undoes them if the call fails.
        """
        # 1. Check and encode: what this fit continues, and its data.
        resume = hasattr(self, "coefs_") and (self.warm_start or incremental)
        stochastic = self.solver != "lbfgs"
        fitted_dtype = check_resumable(self) if resume else None
        X, y = self._check_data(X, y, reset=not resume)
        # The fitted weights' dtype; else ``dtype``, else X's (MLPClassifier's rule).
        dtype = fitted_dtype or training_dtype(X, self.dtype)
        check_fits_dtype(X, dtype)
        targets = self._targets(y, classes, resume, incremental)
        Y, class_weight = self._encode_targets(y, targets, "y", dtype)
        sample_weight = combine_weights(sample_weight, class_weight, X.shape[0], dtype)
        early_stopping = _EarlyStopping(
            check_validation_set(self, *validation, targets, dtype, y),
            enabled=self.early_stopping and stochastic,
            scoring=self.scoring,
            default_score=functools.partial(self._score_outputs, targets=targets),
        )
        warn_ignored_options(self)

        # 2. Start or resume the network and what carries over between fits.
        network, progress = self._start_or_resume(
            X.shape[1], targets, dtype, resume, stochastic, incremental, early_stopping
        )

        # 3. The batches, and the validation set held out of them.
        batches = None
        if stochastic:
            order = np.arange(X.shape[0]) if self.shuffle else None
            if early_stopping.enabled and early_stopping.validation is None:
                # A new network's stream draws the split, then the epochs, as
                # MLPClassifier's does; a warm start draws the same rows again.
                split_stream = (
                    copy.deepcopy(progress.split_stream) if resume else progress.stream
                )
                # MLPClassifier's rule: stratify single-output classification.
                stratify = is_classifier(self) and targets["n_outputs_"] == 1
                order, early_stopping.validation = hold_out(
                    X,
                    y,
                    Y,
                    sample_weight,
                    self.validation_fraction,
                    split_stream,
                    Y.astype(bool) if stratify else None,
                )
            progress.order = progress.continued_order(order, incremental, self)
            batches = _Batches(
                X,
                Y,
                sample_weight,
                progress.order,
                self._batch_size(X.shape[0] if order is None else len(order)),
                dtype,
                spare_core,
            )
        if early_stopping.validation is not None:
            if progress.validation_scores is None:
                progress.validation_scores, progress.validation_loss_curve = (
                    _Curve(),
                    _Curve(),
                )
            early_stopping.check(
                network,
                functools.partial(self._as_model, targets),
                self,
                lambda coefs, intercepts: self._network(
                    targets["out_activation_"], coefs, intercepts, trainable=False
                ),
            )
        # A new network's weights came from a copy of a RandomState instance:
        # the instance catches up with it when the call succeeds (see _fit).
        drew_from_instance = not resume and isinstance(
            self.random_state, np.random.RandomState
        )
        return _Fit(
            estimator=self,
            X=X,
            Y=Y,
            sample_weight=sample_weight,
            targets=targets,
            network=network,
            stochastic=stochastic,
            incremental=incremental,
            progress=progress,
            early_stopping=early_stopping,
            batches=batches,
            user_stream=progress.split_stream if drew_from_instance else None,
        )

    def _start_or_resume(
        self, n_features, targets, dtype, resume, stochastic, incremental, stopping
    ):
        """The network, and the :class:`_Progress` this fit starts from.

        A new network and a fresh progress, or the fitted network and the
        committed progress, resumed (see :meth:`_Progress.resumed`).
        """
        plateau = _Plateau(
            self.tol,
            self.n_iter_no_change,
            stopping.monitors,
            scorer=stopping.scorer_name,
        )
        # L-BFGS's line search needs a deterministic loss: no dropout (a
        # warning says so).
        dropout = self.dropout if stochastic else 0.0
        if resume:
            network = self._network(
                self._loss(targets), self.coefs_, self.intercepts_, dropout=dropout
            )
            if stochastic:
                plateau = self._progress.plateau.resumed(
                    self.tol,
                    self.n_iter_no_change,
                    stopping.monitors,
                    stopping.scorer_name,
                )
            return network, self._progress.resumed(
                stochastic=stochastic,
                incremental=incremental,
                optimizer=self._solver_optimizer(network, self._progress.optimizer),
                plateau=plateau,
            )
        random_state = check_random_state(self.random_state)
        if random_state is self.random_state:
            # The user's instance: draw from a copy, which the instance catches
            # up with when the call succeeds (see _fit).
            random_state = copy.deepcopy(random_state)
        network = TwoLayerNet.initialize(
            n_features,
            self.hidden_size,
            targets["n_outputs_"],
            self.activation,
            self._loss(targets),
            random_state,
            dtype,
            dropout=dropout,
            n_members=self.n_members,
        )
        if self.random_state is None:
            # NumPy's global stream drew the weights, as MLPClassifier's do;
            # the model's own stream is a copy of where it stands, which no
            # other code's draws change (nor the model's pickle) and which no
            # two models share.
            random_state = copy.deepcopy(random_state)
        # The random stream starts after the initial weights' draws.
        return network, _Progress(
            stream=random_state,
            split_stream=copy.deepcopy(random_state),
            optimizer=self._solver_optimizer(network, None),
            plateau=plateau,
        )

    def _batch_size(self, n_rows):
        """The batch size for ``n_rows`` rows: 'auto', or clipped to them."""
        if self.batch_size == "auto":
            return min(200, n_rows)
        if self.batch_size > n_rows:
            warn(
                f"batch_size={self.batch_size} is larger than the {n_rows} training "
                "samples; it is clipped to the number of samples."
            )
        return min(self.batch_size, n_rows)

    # ------------------------------------------------------ check and encode

    def _check_data(self, X, y, *, reset):
        """Validate the training set; errors name ``X`` and ``y``.

        Numbers and booleans keep their dtype, dense or sparse: batches are
        cast as they are gathered, never all of ``X`` at once. Sparse ``X``
        becomes CSR, whose rows batches gather. Regression targets are dense,
        as ``score``, ``y_val`` and MLPRegressor take them: a sparse matrix of
        them is an accident, refused naming ``y``.
        """
        if self._y_numeric and sparse.issparse(y):
            raise TypeError(
                "y is a sparse matrix, but regression targets must be dense: "
                "pass y.toarray()."
            )
        check_no_missing(y, "y")
        check_no_complex(y, "y")
        # What fails here as no numbers is X: regression targets are cast
        # below, by name.
        with numbers_named("X", X):
            checked, y = validate_data(
                self,
                X,
                y,
                accept_sparse="csr",
                multi_output=True,
                dtype=X_DTYPE,
                reset=reset,
            )
        if self._y_numeric:
            y = float_targets(y, "y")
        return as_numbers(checked, "X", X), check_target_shape(y, "y")

    def _targets(self, y, classes, resume, incremental):
        """The attributes that describe the network's targets, for this fit.

        A new network's come from ``y`` (or from ``classes``, in a first
        ``partial_fit``); a resumed network keeps its own, and a warm start
        checks that ``y`` defines the same, as MLPClassifier does.
        """
        if not resume:
            return self._new_targets(y, classes)  # only partial_fit has classes
        # An attribute a model of an older version lacks is None.
        fitted = {name: getattr(self, name, None) for name in self._target_attributes}
        if not incremental:
            check_same_targets(self._new_targets(y, fitted=fitted), fitted)
        return fitted

    def _loss(self, targets):
        """The output layer, fused with its loss, that trains the network.

        The name of the targets' output activation (cross-entropy for
        'softmax' and 'logistic'); the regressor's depends on ``loss``.
        """
        return targets["out_activation_"]

    def _network(self, output, coefs, intercepts, dropout=0.0, trainable=True):
        """The network with these weights and this estimator's activation.

        ``output`` is an output layer or its name: the loss's to train, the
        output activation's (``out_activation_``) to predict.
        """
        return TwoLayerNet(
            coefs,
            intercepts,
            self.activation,
            output,
            dropout=dropout,
            trainable=trainable,
        )

    def _solver_optimizer(self, network, previous):
        """The solver's optimizer: a copy of ``previous`` under the current settings.

        A warm start continues the optimizer's state under the current
        hyperparameters (so that lowering learning_rate_init between warm fits
        is a schedule), on a copy, so that a failure leaves it as it was.
        None for 'lbfgs'. A 'cosine' cycle lasts ``schedule_epochs`` epochs,
        or ``max_iter`` (each fit's, or calls of partial_fit) when None.
        """
        if self.solver == "lbfgs":
            return None
        optimizer_class = OPTIMIZERS[self.solver]
        params = {name: getattr(self, name) for name in optimizer_class.HYPERPARAMETERS}
        if self.schedule_epochs is None:
            params["schedule_epochs"] = self.max_iter
        if isinstance(previous, optimizer_class):
            optimizer = copy.deepcopy(previous)
            optimizer.set_hyperparameters(**params)
            return optimizer
        return optimizer_class(network.params, **params)

    def _as_model(self, targets, network):
        """This estimator as the model of ``network`` (weights uncopied).

        What a user's scorer sees: a shallow copy, so that nothing it does
        touches the estimator before the epoch is committed.
        """
        model = object.__new__(type(self))
        vars(model).update(vars(self))
        vars(model).update(
            targets,
            n_layers_=3,
            coefs_=list(network.coefs),
            intercepts_=list(network.intercepts),
        )
        return model

    # MLPClassifier's private names for two parts of the progress, which
    # scikit-learn's own MLP tests read (tests/test_sklearn_mlp.py runs them).
    @property
    def _optimizer(self):
        return self._progress.optimizer

    @property
    def _no_improvement_count(self):
        return self._progress.plateau.count

    # -------------------------------------------------------------- pickling

    def __getstate__(self):
        # BaseEstimator hands back the instance's own __dict__: copy it, so
        # that pickling never changes the live estimator.
        state = dict(super().__getstate__())
        state["_skmlp_numpy_version"] = __version__
        # The curves read so far: they are made again from the progress.
        for name in _CURVES:
            state.pop(getattr(type(self), name).key, None)
        # Plain values, so that skops trusts no private type of this package.
        if isinstance(state.get("_progress"), _Progress):
            state["_progress"] = state["_progress"].plain()
        return state

    def __setstate__(self, state):
        state = dict(state)
        version = state.pop("_skmlp_numpy_version", "unknown")
        if version != __version__:
            warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_sklearn_version=__version__,
                    original_sklearn_version=version,
                ),
                InconsistentVersionWarning,
            )
        # Models of skmlp_numpy < 0.5 are single networks.
        state.setdefault("n_members", 1)
        if isinstance(state.get("_progress"), dict):
            state["_progress"] = _Progress.of_plain(state["_progress"])
        elif "_stream" in state:
            state["_progress"] = progress_of_0_2(state)
        elif hasattr(state.get("_progress"), "stream_epochs"):  # 0.3
            state["_progress"] = progress_of_0_3(state["_progress"])
        for name in _CURVES:  # 0.2 and 0.3 kept them as attributes
            state.pop(name, None)
        super().__setstate__(state)
