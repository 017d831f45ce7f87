"""TwoLayerNetClassifier: the scikit-learn estimator around the two-layer net.

This module is the only one of the numerical core that imports scikit-learn:
it validates input, encodes targets, owns the training loop and hands the
network's parameters and gradients to an optimizer. It knows nothing of
backpropagation beyond calling the network.
"""

from __future__ import annotations

import copy
import math
import warnings
from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.optimize
from numpy.typing import ArrayLike
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning, InconsistentVersionWarning
from sklearn.metrics import accuracy_score, check_scoring
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._chunking import get_chunk_n_rows
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._layers import ACTIVATIONS
from ._network import TwoLayerNet
from ._optimizers import OPTIMIZERS
from ._version import __version__

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9 has no callback API

    class CallbackSupportMixin:
        """Stand-in for scikit-learn < 1.9: the estimator works without callbacks."""


__all__ = ["TwoLayerNetClassifier"]


class DivergenceError(ValueError):
    """Training produced a non-finite loss or non-finite weights."""


class TwoLayerNetClassifier(CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """Two-layer neural-network classifier: affine, activation, affine, softmax.

    The network has one hidden layer and is trained on the cross-entropy loss
    by minibatch SGD, Adam or L-BFGS. Parameters, attributes and numbers follow
    :class:`~sklearn.neural_network.MLPClassifier` with
    ``hidden_layer_sizes=(hidden_size,)``; the additions are ``class_weight``,
    ``dropout``, ``scoring`` and a validation set passed to :meth:`fit`.

    Parameters
    ----------
    hidden_size : int, default=100
        Number of units in the hidden layer.

    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Activation of the hidden layer.

    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        The weight optimizer: 'sgd' is minibatch stochastic gradient descent
        (with momentum and learning-rate schedules), 'adam' the Adam method of
        Kingma and Ba, 'lbfgs' the full-batch quasi-Newton method of SciPy.

    alpha : float, default=1e-4
        Strength of the L2 penalty on the weights. As in MLPClassifier, the
        penalty ``alpha / 2 * ||W||**2`` is divided by the number of samples
        (or the sum of the sample weights) of each batch.

    batch_size : int or 'auto', default='auto'
        Size of the minibatches of the stochastic solvers; 'auto' means
        ``min(200, n_samples)``. Unused by 'lbfgs'.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning-rate schedule of 'sgd': 'constant' keeps
        ``learning_rate_init``; 'invscaling' uses
        ``learning_rate_init / pow(t, power_t)`` with ``t`` the samples seen;
        'adaptive' divides the rate by 5 each time the training loss (or the
        validation score, with early stopping) fails to improve by ``tol``
        for ``n_iter_no_change`` epochs.

    learning_rate_init : float, default=1e-3
        Initial learning rate of 'sgd' and 'adam'.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int, default=200
        Maximum number of epochs (passes over the data) of the stochastic
        solvers, or of iterations of 'lbfgs'.

    shuffle : bool, default=True
        Shuffle the samples at every epoch (stochastic solvers).

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the shuffling, the early-stopping
        split and the dropout masks. Pass an int for bit-for-bit reproducible
        fits.

    tol : float, default=1e-4
        Tolerance: training stops when the loss (or the validation score) has
        not improved by at least ``tol`` for ``n_iter_no_change`` consecutive
        epochs. For 'lbfgs', the gradient tolerance of SciPy's solver.

    verbose : bool or int, default=False
        Print the loss after every epoch, as MLPClassifier does.

    warm_start : bool, default=False
        Start a new :meth:`fit` from the weights of the previous one. Unlike
        MLPClassifier, the optimizer's state (Adam's moments, the SGD
        velocity, the learning-rate schedule) carries over too, so that a fit
        of ``2 k`` epochs equals two warm-started fits of ``k``.

    momentum : float, default=0.9
        Momentum of 'sgd', in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with 'sgd' (when ``momentum > 0``).

    early_stopping : bool, default=False
        Stop when the validation score stops improving, and keep the weights
        of the best epoch. The validation set is ``X_val, y_val`` when given
        to :meth:`fit`, else a stratified ``validation_fraction`` of the
        training data held out.

    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping, in (0, 1).

    beta_1 : float, default=0.9
        Decay rate of Adam's first-moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay rate of Adam's second-moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int or inf, default=10
        Number of epochs without an improvement of ``tol`` that stops
        training (stochastic solvers).

    max_fun : int, default=15000
        Maximum number of loss evaluations of 'lbfgs'.

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``: a dict
        ``{label: weight}``, or 'balanced' for weights inversely proportional
        to the class frequencies in ``y``. Not in MLPClassifier.

    dropout : float, default=0.0
        Fraction of hidden units dropped at random at each training step
        (inverted dropout), in [0, 1). Prediction never drops units. Not in
        MLPClassifier.

    scoring : str, callable or None, default=None
        Score of the validation set, for early stopping and
        ``validation_scores_``: None is the accuracy (MLPClassifier's
        behaviour), 'loss' the negated validation loss, any other string a
        scikit-learn scorer name, and a callable a scorer
        ``scorer(estimator, X, y)``. Higher is better.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (for multilabel targets, ``arange(n_labels)``).

    coefs_ : list of two ndarrays
        Weights of shape (n_features, hidden_size) and
        (hidden_size, n_outputs).

    intercepts_ : list of two ndarrays
        Biases of shape (hidden_size,) and (n_outputs,).

    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during :meth:`fit`, when ``X`` has string
        column names.

    loss_ : float
        The training loss of the last epoch (or the final 'lbfgs' loss).

    best_loss_ : float or None
        The lowest training loss reached; None with early stopping.

    loss_curve_ : list of float
        The training loss of each epoch (of each iteration with 'lbfgs').

    validation_loss_curve_ : list of float or None
        The validation loss of each epoch when a validation set is in use,
        else None.

    validation_scores_ : list of float or None
        The validation score of each epoch when a validation set is in use,
        else None.

    best_validation_score_ : float or None
        The best validation score with early stopping, else None.

    n_iter_ : int
        Number of epochs (iterations for 'lbfgs') run by the last
        :meth:`fit`; :meth:`partial_fit` adds one per call.

    t_ : int
        Number of training samples seen by the stochastic solver.

    n_layers_ : int
        Number of layers, input and output included: always 3.

    n_outputs_ : int
        Number of output units: 1 for binary problems, else the number of
        classes or labels.

    out_activation_ : str
        'softmax' for multiclass problems, 'logistic' for binary and
        multilabel ones.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : The multi-layer perceptron of
        scikit-learn, whose parameters this estimator shares.

    Notes
    -----
    For one sample :math:`x`, the network computes

    .. math::

        h = f(x W_1 + b_1), \\qquad p = \\operatorname{softmax}(h W_2 + b_2)

    and training minimises the mean cross-entropy plus the L2 penalty,

    .. math::

        L = -\\frac{1}{n} \\sum_{i=1}^n \\log p_{i, y_i}
            + \\frac{\\alpha}{2 n} (\\|W_1\\|^2 + \\|W_2\\|^2).

    Binary problems use one logistic output unit, as MLPClassifier does;
    :meth:`predict_proba` still returns one column per class. Data in float32
    are trained in float32 end to end, float64 in float64.

    References
    ----------
    Glorot, X. and Bengio, Y. (2010). Understanding the difficulty of training
    deep feedforward neural networks. AISTATS.

    Kingma, D. P. and Ba, J. (2014). Adam: A method for stochastic
    optimization. arXiv:1412.6980.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skmlp_numpy import TwoLayerNetClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X, y, stratify=y, random_state=0)
    >>> clf = make_pipeline(StandardScaler(), TwoLayerNetClassifier(
    ...     hidden_size=20, max_iter=500, random_state=0))
    >>> clf.fit(X_train, y_train).score(X_test, y_test) > 0.9
    True
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
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "scoring": [StrOptions({"loss"}), str, callable, None],
    }

    # The HTML representation links to this package's API page.
    _doc_link_module = "skmlp_numpy"
    _doc_link_template = (
        "https://skmlp-numpy.readthedocs.io/en/latest/generated/"
        "{estimator_module}.{estimator_name}.html"
    )

    def __init__(
        self,
        hidden_size: int = 100,
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 1e-4,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 1e-3,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: int | np.random.RandomState | None = None,
        tol: float = 1e-4,
        verbose: bool | int = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int | float = 10,
        max_fun: int = 15000,
        class_weight: dict[Any, float] | str | None = None,
        dropout: float = 0.0,
        scoring: str | Any | None = None,
    ) -> None:
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
        self.class_weight = class_weight
        self.dropout = dropout
        self.scoring = scoring

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
    ) -> TwoLayerNetClassifier:
        """Train the network on ``X, y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 data train in float32; anything else is
            converted to float64. Sparse data are densified one batch at a
            time.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 indicator matrix for multilabel problems.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; the loss is their weighted
            mean.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), default=None
            Validation data for early stopping and the validation curves. When
            given, no part of ``X`` is held out.
        y_val : array-like of shape (n_val,) or (n_val, n_labels), default=None
            Labels of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : TwoLayerNetClassifier
            The fitted estimator.
        """
        return self._fit(
            X,
            y,
            sample_weight,
            incremental=False,
            validation=(X_val, y_val, sample_weight_val),
        )

    def _check_solver(self):
        if self.solver == "lbfgs":
            raise AttributeError(
                "partial_fit is only available for the stochastic solvers "
                "'sgd' and 'adam', not for solver='lbfgs'."
            )
        return True

    @available_if(_check_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        classes: ArrayLike | None = None,
    ) -> TwoLayerNetClassifier:
        """Update the network with one pass (epoch) over ``X, y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.
        classes : array-like of shape (n_classes,), default=None
            Every class that any call will see. Required on the first call
            (for multilabel targets, any value: the labels are the columns of
            ``y``); later calls may omit it, and reject labels outside it.

        Returns
        -------
        self : TwoLayerNetClassifier
            The updated estimator.
        """
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: there is no "
                "whole training set to hold a validation split out of."
            )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs the class frequencies of the whole "
                "training set, which partial_fit never sees. Compute them with "
                "sklearn.utils.class_weight.compute_class_weight and pass a dict."
            )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Probability of each class for each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``, in the dtype of the
            weights. For multilabel problems, the probability of each label.
        """
        check_is_fitted(self)
        X = self._validate_X(X)
        P = self._forward(X)
        if self.out_activation_ == "logistic":
            # A saturated logistic unit rounds to exactly 0 or 1; keep each
            # label's probability strictly inside (0, 1), as log-loss does.
            eps = np.finfo(P.dtype).eps
            np.clip(P, eps, 1 - eps, out=P)
        if self.n_outputs_ == 1 and self._label_binarizer.y_type_ == "binary":
            return np.hstack([1 - P, P])
        return P

    def predict_log_proba(self, X: ArrayLike) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict the class (or the labels) of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted class labels, or a 0/1 indicator matrix for multilabel
            problems.
        """
        check_is_fitted(self)
        return self._decode(self._forward(self._validate_X(X)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags

    # ------------------------------------------------------------ prediction

    def _validate_X(self, X):
        return validate_data(
            self,
            X,
            accept_sparse="csr",
            dtype=self.coefs_[0].dtype,
            reset=False,
        )

    def _forward(self, X):
        """Output probabilities for validated ``X``, a chunk of rows at a time."""
        net = TwoLayerNet(
            self.coefs_, self.intercepts_, self.activation, self.out_activation_
        )
        P = np.empty((X.shape[0], self.n_outputs_), dtype=net.dtype)
        chunk = self._chunk_rows(X)
        # Overflow is reported below, once, in plain words.
        with np.errstate(over="ignore", invalid="ignore"):
            for rows in gen_batches(X.shape[0], chunk):
                P[rows] = net.forward(_dense_rows(X, rows))
        if not np.isfinite(P).all():
            n_bad = int((~np.isfinite(P)).any(axis=1).sum())
            raise ValueError(
                f"The network overflowed on {n_bad} rows of X: their features are "
                "too large for the weights. Scale the features as they were scaled "
                "for training (e.g. with a StandardScaler in a Pipeline)."
            )
        return P

    def _chunk_rows(self, X):
        """Rows per chunk that fit scikit-learn's ``working_memory`` setting.

        A chunk needs its hidden activations and outputs, and its densified
        rows when ``X`` is sparse; so memory does not grow with the number of
        rows of ``X``.
        """
        row_bytes = (self.coefs_[0].shape[1] + self.n_outputs_) * X.dtype.itemsize
        if sparse.issparse(X):
            row_bytes += X.shape[1] * X.dtype.itemsize
        return get_chunk_n_rows(row_bytes, max_n_rows=X.shape[0])

    def _decode(self, P):
        """Labels from output probabilities."""
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return (P > 0.5).astype(int)
        if self.n_outputs_ == 1:
            return self.classes_[(P[:, 0] > 0.5).astype(int)]
        return self.classes_[np.argmax(P, axis=1)]

    # ------------------------------------------------------------ training

    def _fit(
        self, X, y, sample_weight, incremental, classes=None, validation=(None,) * 3
    ):
        # Overflow is detected and reported as a DivergenceError: NumPy's own
        # warnings about it would only be noise before that clear message.
        raw_X, raw_y = X, y
        with _restored_on_error(self), np.errstate(over="ignore", invalid="ignore"):
            first_pass = not hasattr(self, "coefs_") or not (
                self.warm_start or incremental
            )
            if incremental and _check_partial_fit_first_call(self, classes):
                first_pass = True
            X, y = self._validate_training_data(X, y, first_pass)
            Y, sample_weight = self._encode_targets(
                X, y, sample_weight, first_pass, classes
            )
            self._random_state = check_random_state(self.random_state)
            if first_pass:
                self._initialize(X, Y)
            elif self.coefs_[0].shape[1] != self.hidden_size:
                raise ValueError(
                    f"hidden_size={self.hidden_size} does not match the "
                    f"{self.coefs_[0].shape[1]} hidden units of the fitted network; "
                    "set warm_start=False to start a new network."
                )
            self._network = TwoLayerNet(
                self.coefs_,
                self.intercepts_,
                self.activation,
                self.out_activation_,
                dropout=self.dropout,
            )
            self._publish_weights()
            n_tasks = 1 if incremental else self.max_iter
            self._start_callbacks(raw_X, raw_y, sample_weight, n_tasks)
            if self.solver == "lbfgs":
                self._fit_lbfgs(X, Y, sample_weight)
            else:
                self._fit_stochastic(X, Y, sample_weight, incremental, validation)
            self._end_task(self._fit_task)
            # Scratch state of this call, not part of the fitted model.
            del self._network, self._random_state, self._fit_task, self._callback_data
        return self

    def _validate_training_data(self, X, y, first_pass):
        # Continued training keeps the dtype of the existing weights.
        dtype = (np.float64, np.float32) if first_pass else self.coefs_[0].dtype
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            multi_output=True,
            dtype=dtype,
            reset=first_pass,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        return X, y

    def _encode_targets(self, X, y, sample_weight, first_pass, classes):
        """Targets in the network's encoding, and the effective sample weights."""
        if first_pass:
            binarizer = LabelBinarizer(sparse_output=True)
            if classes is not None and not type_of_target(y).startswith("multilabel"):
                binarizer.fit(classes)
            else:
                binarizer.fit(y)
            if len(binarizer.classes_) < 2:
                raise ValueError(
                    f"y has only one class ({binarizer.classes_[0]!r}); a classifier "
                    "needs at least two."
                )
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
        else:
            self._check_known_labels(y)
        Y = self._binarize(y, X.dtype)

        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        if self.class_weight is not None:
            class_sw = compute_sample_weight(self.class_weight, y).astype(X.dtype)
            sample_weight = (
                class_sw if sample_weight is None else sample_weight * class_sw
            )
        if sample_weight is not None and not sample_weight.sum() > 0:
            raise ValueError("sample_weight must have a positive sum; got all zeros.")
        return Y, sample_weight

    def _check_known_labels(self, y):
        binarizer = self._label_binarizer
        if binarizer.y_type_ == "multilabel-indicator":
            if y.ndim != 2 or y.shape[1] != len(self.classes_):
                raise ValueError(
                    "y must be a multilabel indicator matrix with "
                    f"{len(self.classes_)} columns, like the y of the first fit."
                )
            return
        unseen = np.setdiff1d(unique_labels(y), self.classes_)
        if len(unseen):
            raise ValueError(
                f"y has labels not seen in the first fit or in `classes`: "
                f"{unseen.tolist()}; known classes are {self.classes_.tolist()}."
            )

    def _binarize(self, y, dtype):
        """Class indices for a softmax output, a 0/1 matrix for logistic ones."""
        Y = self._label_binarizer.transform(y)
        if self._label_binarizer.y_type_ == "multiclass":
            # One stored entry per row, in row order: its column is the class.
            return Y.tocsr().indices.astype(np.intp)
        return Y.toarray().astype(dtype)

    def _initialize(self, X, Y):
        if Y.ndim == 1:
            n_outputs = len(self.classes_)
            self.out_activation_ = "softmax"
        else:
            n_outputs = Y.shape[1]
            self.out_activation_ = "logistic"
        self.n_outputs_ = n_outputs
        self.n_layers_ = 3
        net = TwoLayerNet.initialize(
            X.shape[1],
            self.hidden_size,
            n_outputs,
            self.activation,
            self.out_activation_,
            self._random_state,
            X.dtype,
        )
        self.coefs_, self.intercepts_ = net.coefs, net.intercepts
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.validation_loss_curve_ = None
        self.validation_scores_ = None
        self.best_validation_score_ = None
        self.best_loss_ = np.inf
        self._no_improvement_count = 0
        if hasattr(self, "_optimizer"):
            del self._optimizer

    def _publish_weights(self):
        """Point ``coefs_`` and ``intercepts_`` at the live network's weights.

        During training they are views of the network's parameter vector, so
        that scorers and callbacks see the current model.
        """
        self.coefs_ = self._network.coefs
        self.intercepts_ = self._network.intercepts

    # ------------------------------------------------------------- callbacks

    def _start_callbacks(self, X, y, sample_weight, n_tasks):
        """Open the fit's callback context, where scikit-learn has callbacks.

        The fit is a task of ``n_tasks`` subtasks, one per epoch (one per
        iteration with 'lbfgs'). Without the callback API (scikit-learn < 1.9)
        ``_fit_task`` is None and every hook is skipped.
        """
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        self._callback_data = {"X": X, "y": y, "metadata": metadata}
        self._fit_task = None
        if hasattr(self, "_init_callback_context"):
            self._fit_task = self._init_callback_context(max_subtasks=n_tasks)
            self._fit_task.call_on_fit_task_begin(estimator=self, **self._callback_data)

    def _begin_task(self):
        """Open the callback subtask of one epoch (or 'lbfgs' iteration)."""
        if self._fit_task is None:
            return None
        task = self._fit_task.subcontext(task_name="epoch")
        task.call_on_fit_task_begin(estimator=self, **self._callback_data)
        return task

    def _end_task(self, task):
        """Close a callback task; True when a callback asks training to stop."""
        if task is None:
            return False
        return task.call_on_fit_task_end(
            estimator=self,
            reconstruction_attributes=self._snapshot_attributes,
            **self._callback_data,
        )

    def _snapshot_attributes(self):
        """Copies of the fitted attributes, for a callback's ``fitted_estimator``."""
        return {
            "coefs_": [c.copy() for c in self.coefs_],
            "intercepts_": [b.copy() for b in self.intercepts_],
            "loss_curve_": list(self.loss_curve_),
            "n_iter_": self.n_iter_,
        }

    # ------------------------------------------------------------- pickling

    def __getstate__(self):
        state = super().__getstate__()
        state["_skmlp_numpy_version"] = __version__
        return state

    def __setstate__(self, state):
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

    # ------------------------------------------------------- stochastic loop

    def _fit_stochastic(self, X, Y, sample_weight, incremental, validation):
        net = self._network
        optimizer_class = OPTIMIZERS[self.solver]
        if (incremental or self.warm_start) and isinstance(
            getattr(self, "_optimizer", None), optimizer_class
        ):
            # Continue the optimizer's state under the current hyperparameters
            # (so that lowering learning_rate_init between warm fits is a
            # schedule), on a copy, so that a failure leaves it as it was.
            self._optimizer = copy.deepcopy(self._optimizer)
            self._optimizer.set_hyperparameters(**self._optimizer_params())
        else:
            self._optimizer = optimizer_class(net.params, **self._optimizer_params())

        train_idx, val = self._split_validation(X, Y, sample_weight, validation)
        self._scorer = self._make_scorer() if val is not None else None
        if val is not None and self.validation_scores_ is None:
            self.validation_scores_, self.validation_loss_curve_ = [], []
        if self.early_stopping:
            self.best_loss_ = None
            if self.best_validation_score_ is None or not incremental:
                self.best_validation_score_ = -np.inf
            self._best_params = net.params.copy()
        self.loss_curve_ = list(self.loss_curve_)
        if not incremental:
            self.n_iter_ = 0
        batch_size = self._batch_size(len(train_idx))
        # Unshuffled rows in their natural order are read as views.
        order = None if not self.shuffle and val is None else train_idx
        batches = _Batches(X, Y, sample_weight, order, batch_size)

        checkpoint = (net.params.copy(), copy.deepcopy(self._optimizer))
        try:
            for _ in range(self.max_iter):
                task = self._begin_task()
                loss = self._run_epoch(batches)
                stop = self._end_epoch(loss, batches.n_samples, val)
                checkpoint = (net.params.copy(), copy.deepcopy(self._optimizer))
                if self._end_task(task) or stop or incremental:
                    break
            else:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                    "reached and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=2,
                )
        except KeyboardInterrupt:
            # Keep the weights of the last complete epoch, which match
            # loss_curve_ and n_iter_.
            net.params[:], self._optimizer = checkpoint
            warnings.warn(
                f"Training interrupted by the user after {self.n_iter_} complete "
                "epochs; the estimator keeps the weights of the last one.",
                UserWarning,
                stacklevel=2,
            )
        if self.early_stopping:
            net.params[:] = self._best_params
            del self._best_params
        del self._scorer

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
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_samples} training "
                "samples; it is clipped to the number of samples.",
                UserWarning,
                stacklevel=2,
            )
        return min(self.batch_size, n_samples)

    def _run_epoch(self, batches):
        """One pass over the training rows; returns the mean training loss."""
        net, optimizer, rng = self._network, self._optimizer, self._random_state
        if self.shuffle:
            rng.shuffle(batches.order)
        total = 0.0
        for X_batch, Y_batch, sw_batch in batches:
            loss = net.loss_grad(X_batch, Y_batch, sw_batch, self.alpha, rng)
            if not math.isfinite(loss):
                raise _divergence_error(self.n_iter_ + 1)
            optimizer.step(net.params, net.grads)
            total += loss * X_batch.shape[0]
        return total / batches.n_samples

    def _end_epoch(self, loss, n_samples, val):
        """Record the epoch, score the validation set; return True to stop."""
        if not np.isfinite(self._network.params).all():
            raise _divergence_error(self.n_iter_ + 1)
        self.n_iter_ += 1
        self.t_ += n_samples
        self.loss_ = loss
        self.loss_curve_.append(loss)
        if self.verbose:
            print(f"Iteration {self.n_iter_}, loss = {loss:.8f}")
        if val is not None:
            self._score_validation(*val)
            if self.verbose:
                print(f"Validation score: {self.validation_scores_[-1]:f}")
        self._update_no_improvement_count()
        self._optimizer.end_epoch(self.t_)

        if self._no_improvement_count <= self.n_iter_no_change:
            return False
        what = "Validation score" if self.early_stopping else "Training loss"
        msg = (
            f"{what} did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )
        if self._optimizer.on_plateau():
            if self.verbose:
                print(msg + " Stopping.")
            return True
        if self.verbose:
            print(msg + f" Setting learning rate to {self._optimizer.lr:f}")
        self._no_improvement_count = 0
        return False

    def _update_no_improvement_count(self):
        if self.early_stopping:
            score = self.validation_scores_[-1]
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_params[:] = self._network.params
        else:
            if self.loss_ > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            self.best_loss_ = min(self.best_loss_, self.loss_)

    # ------------------------------------------------------------ validation

    def _split_validation(self, X, Y, sample_weight, validation):
        """Rows to train on, and the validation set ``(X, y, Y, sw)`` or None."""
        X_val, y_val, sw_val = validation
        train_idx = np.arange(X.shape[0])
        if X_val is None and y_val is None:
            if not self.early_stopping:
                return train_idx, None
            # Stratify by class; multilabel rows have no single class.
            stratify = Y if Y.ndim == 1 else None
            if self._label_binarizer.y_type_ == "binary":
                stratify = Y[:, 0]
            train_idx, val_idx = train_test_split(
                train_idx,
                random_state=self._random_state,
                test_size=self.validation_fraction,
                stratify=stratify,
            )
            if len(val_idx) < 2:
                raise ValueError(
                    f"The validation set is too small ({len(val_idx)} samples). "
                    "Increase 'validation_fraction' or pass X_val and y_val."
                )
            X_val = X[val_idx]
            Y_val = Y[val_idx]
            sw_val = None if sample_weight is None else sample_weight[val_idx]
            y_val = self._decode_targets(Y_val)
            return train_idx, (X_val, y_val, Y_val, sw_val)
        if X_val is None or y_val is None:
            raise ValueError("X_val and y_val must be given together.")
        X_val, y_val = validate_data(
            self,
            X_val,
            y_val,
            accept_sparse="csr",
            multi_output=True,
            dtype=X.dtype,
            reset=False,
        )
        if y_val.ndim == 2 and y_val.shape[1] == 1:
            y_val = y_val.ravel()
        self._check_known_labels(y_val)
        if sw_val is not None:
            sw_val = _check_sample_weight(
                sw_val, X_val, dtype=X.dtype, ensure_non_negative=True
            )
        return train_idx, (X_val, y_val, self._binarize(y_val, X.dtype), sw_val)

    def _decode_targets(self, Y):
        if Y.ndim == 1:
            return self.classes_[Y]
        if self._label_binarizer.y_type_ == "binary":
            return self.classes_[Y[:, 0].astype(int)]
        return Y.astype(int)

    def _make_scorer(self):
        if self.scoring is None or self.scoring == "loss":
            return None
        return check_scoring(self, scoring=self.scoring)

    def _score_validation(self, X_val, y_val, Y_val, sw_val):
        P = self._forward(X_val)
        val_loss = self._network.output.loss(P.copy(), Y_val, sw_val)
        self.validation_loss_curve_.append(val_loss)
        if self.scoring == "loss":
            score = -val_loss
        elif self._scorer is not None:
            kwargs = {} if sw_val is None else {"sample_weight": sw_val}
            with warnings.catch_warnings():
                # X_val was validated into an array: its column names, checked
                # already, are gone, and scikit-learn would warn about that.
                warnings.filterwarnings("ignore", "X does not have valid feature names")
                score = self._scorer(self, X_val, y_val, **kwargs)
        else:
            score = accuracy_score(y_val, self._decode(P), sample_weight=sw_val)
        self.validation_scores_.append(float(score))

    # ------------------------------------------------------------------ lbfgs

    def _fit_lbfgs(self, X, Y, sample_weight):
        net = self._network
        n = X.shape[0] if sample_weight is None else float(sample_weight.sum())
        # Dense data go through in one piece, as in MLPClassifier; sparse data
        # are densified a chunk at a time.
        chunk = self._chunk_rows(X) if sparse.issparse(X) else X.shape[0]
        grads = np.empty(net.params.shape, dtype=np.float64)

        def loss_grad(theta):
            net.params[:] = theta
            loss = 0.0
            grads[:] = 0.0
            for rows in gen_batches(X.shape[0], chunk):
                sw = None if sample_weight is None else sample_weight[rows]
                share = (rows.stop - rows.start if sw is None else float(sw.sum())) / n
                if share == 0:
                    continue
                loss += share * net.loss_grad(_dense_rows(X, rows), Y[rows], sw)
                grads[:] += share * net.grads
            loss += net.penalty(self.alpha, n, grads)
            return loss, grads

        self.loss_curve_ = []

        def record(intermediate_result):
            task = self._begin_task()
            self.loss_curve_.append(float(intermediate_result.fun))
            self.n_iter_ = len(self.loss_curve_)
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {self.loss_curve_[-1]:.8f}")
            if self._end_task(task):
                raise StopIteration  # SciPy's way for a callback to stop L-BFGS

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
        if not np.isfinite(result.fun) or not np.isfinite(result.x).all():
            raise _divergence_error(len(self.loss_curve_))
        self.n_iter_ = _check_optimize_result("lbfgs", result, self.max_iter)
        net.params[:] = result.x
        self.loss_ = float(result.fun)
        self.best_loss_ = min(self.loss_curve_, default=self.loss_)


class _Batches:
    """Minibatches of the training rows, gathered into reused buffers.

    Iterating gives ``(X_batch, Y_batch, sample_weight_batch)`` in slices of
    ``batch_size``: of the rows listed in :attr:`order` (which the training
    loop may shuffle in place), or of all rows in their natural order when
    ``order`` is None. Natural-order rows are views, not copies; others are
    gathered into buffers allocated once. Sparse rows are densified one batch
    at a time. Nothing the size of ``X`` is ever copied.
    """

    def __init__(self, X, Y, sample_weight, order, batch_size):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.order = order
        self.batch_size = batch_size
        self.n_samples = X.shape[0] if order is None else len(order)
        self._X_buffer = np.empty((batch_size, X.shape[1]), dtype=X.dtype)
        self._Y_buffer = np.empty((batch_size, *Y.shape[1:]), dtype=Y.dtype)
        self._sw_buffer = (
            None if sample_weight is None else np.empty(batch_size, X.dtype)
        )

    def __iter__(self):
        sw = self.sample_weight
        for rows in gen_batches(self.n_samples, self.batch_size):
            n = rows.stop - rows.start
            if self.order is None:
                yield (
                    _dense_rows(self.X, rows, self._X_buffer[:n]),
                    self.Y[rows],
                    None if sw is None else sw[rows],
                )
            else:
                idx = self.order[rows]
                yield (
                    _take_rows(self.X, idx, self._X_buffer[:n]),
                    _take_rows(self.Y, idx, self._Y_buffer[:n]),
                    None if sw is None else _take_rows(sw, idx, self._sw_buffer[:n]),
                )


def _dense_rows(X, rows, out=None):
    """Rows ``rows`` (a slice) of ``X`` as a dense array: a view when dense."""
    if sparse.issparse(X):
        return X[rows].toarray(out=out)
    return X[rows]


def _take_rows(A, idx, out):
    """Gather the rows ``idx`` of ``A`` into ``out``."""
    if sparse.issparse(A):
        return A[idx].toarray(out=out)
    # mode="clip" lets np.take write straight into ``out``: with the default
    # mode it checks bounds through a temporary copy. The indices are valid.
    return A.take(idx, axis=0, out=out, mode="clip")


def _divergence_error(epoch):
    return DivergenceError(
        f"Training diverged at epoch {epoch}: the loss or the weights became "
        "non-finite (inf or NaN). The learning rate (learning_rate_init) may be "
        "too high, or the features unscaled: try a smaller learning rate, or "
        "put a StandardScaler before the classifier. The estimator was left as "
        "it was before this call."
    )


@contextmanager
def _restored_on_error(estimator):
    """Undo every attribute change of ``estimator`` if the block raises.

    Training rebinds attributes rather than mutating their objects (the
    network copies the weights, the optimizer is copied, curves are new
    lists), so restoring the attribute dictionary restores the model.
    """
    saved = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        # scikit-learn's callback machinery tears its own state down after us.
        callback_state = {
            key: estimator.__dict__[key]
            for key in ("_callback_fit_ctx", "_skl_callbacks_to_teardown")
            if key in estimator.__dict__
        }
        estimator.__dict__.clear()
        estimator.__dict__.update(saved)
        estimator.__dict__.update(callback_state)
        raise
