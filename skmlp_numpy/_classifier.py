"""TwoLayerNetClassifier: the two-layer network for classification.

What is the classifier's own: class labels and their encoding, class weights,
probabilities and accuracy. Checking, persistence and prediction live in
:mod:`._base`, the loop of a fit in :mod:`._fit`.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted

from ._base import BaseTwoLayerNet
from ._checks import (
    check_classes,
    check_labels,
    check_no_missing,
    check_same_targets,
    class_weights,
    plain,
)
from ._layers import OUTPUTS

__all__ = ["TwoLayerNetClassifier"]


class TwoLayerNetClassifier(ClassifierMixin, BaseTwoLayerNet):
    """Two-layer neural-network classifier: affine, activation, affine, softmax.

    The network has one hidden layer and is trained on the cross-entropy loss
    by minibatch SGD, Adam or L-BFGS. Parameters, attributes and numbers follow
    :class:`~sklearn.neural_network.MLPClassifier` with
    ``hidden_layer_sizes=(hidden_size,)``; the additions are ``class_weight``,
    ``dropout``, ``label_smoothing``, ``scoring`` and a validation set passed
    to :meth:`fit`, ensembles trained together (``n_members``), ``dtype``,
    the ``'cosine'`` schedule, the activations of modern MLPs and
    :meth:`transform` (the hidden layer as features).

    Parameters
    ----------
    hidden_size : int, default=100
        Number of units in the hidden layer.

    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', \
            'gelu', 'silu'}, default='relu'
        Activation of the hidden layer. 'leaky_relu', 'gelu' and 'silu' are
        PyTorch's ``LeakyReLU()`` (slope 0.01), ``GELU()`` (the exact one,
        :math:`z \\Phi(z)`) and ``SiLU()`` (:math:`z \\sigma(z)`); their
        hidden layer starts from He-uniform weights, the others from
        MLPClassifier's Glorot-uniform ones. Not in MLPClassifier.

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

    learning_rate : {'constant', 'invscaling', 'adaptive', 'cosine'}, \
            default='constant'
        Learning-rate schedule. 'constant', 'invscaling' and 'adaptive' are
        MLPClassifier's, and apply to 'sgd' only ('invscaling' and
        'adaptive' with 'adam' warn that they have no effect): 'constant' keeps
        ``learning_rate_init``; 'invscaling' uses
        ``learning_rate_init / (t + 1) ** power_t`` with ``t`` the samples
        seen, set at the end of each epoch;
        'adaptive' divides the rate by 5 each time the training loss (or the
        validation score, with early stopping) fails to improve by ``tol``
        for ``n_iter_no_change`` epochs. 'cosine' applies to 'sgd' and
        'adam': at every step (batch), the rate follows a half cosine from
        ``learning_rate_init`` down to 0 over ``schedule_epochs`` epochs,
        after a linear warm-up over ``warmup_fraction`` of them; training
        that stalls stops, as with 'constant'. See the user guide's
        :ref:`learning-rate-schedules`. 'cosine' is not in MLPClassifier.

    learning_rate_init : float, default=1e-3
        Initial learning rate of 'sgd' and 'adam'; the peak of 'cosine'.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    warmup_fraction : float, default=0.0
        Fraction of each 'cosine' cycle's steps over which the rate rises
        linearly to ``learning_rate_init``, in [0, 1) (the ``warmup_ratio``
        of Hugging Face's transformers). Ignored by the other schedules. Not
        in MLPClassifier.

    schedule_epochs : int or None, default=None
        Length in epochs of a 'cosine' cycle; None means ``max_iter``. A warm
        start (or the next :meth:`partial_fit` call, each an epoch) continues
        the cycle; an epoch that begins after its end starts a new one (warm
        restarts). To train one cosine in chunks of ``k`` epochs with
        ``warm_start=True``, set ``schedule_epochs`` to the total number of
        epochs: ``n`` fits of ``k`` epochs then equal one fit of ``n * k``.
        Ignored by the other schedules. Not in MLPClassifier.

    max_iter : int, default=200
        Maximum number of epochs (passes over the data) of the stochastic
        solvers, or of iterations of 'lbfgs'.

    shuffle : bool, default=True
        Shuffle the samples at every epoch (stochastic solvers).

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the shuffling, the early-stopping
        split and the dropout masks. Pass an int for bit-for-bit reproducible
        fits. A RandomState instance is advanced by a call that succeeds and
        starts a new network, and left as it was by a call that fails.

    tol : float, default=1e-4
        Tolerance: training stops when the loss (or the validation score) has
        not improved by at least ``tol`` for ``n_iter_no_change`` consecutive
        epochs. For 'lbfgs', the gradient tolerance of SciPy's solver.

    verbose : bool or int, default=False
        Print the loss after every epoch, as MLPClassifier does.

    warm_start : bool, default=False
        Start a new :meth:`fit` from the weights of the previous one, with
        the same classes. Unlike MLPClassifier, the optimizer's state (Adam's
        moments, the SGD velocity, the learning-rate schedule), the stopping
        rule and the random stream (shuffling, dropout) carry over too, so
        that, with 'sgd' and 'adam', two warm-started fits of ``k`` epochs
        equal one fit of ``2 * k``, bit for bit ('cosine' needs
        ``schedule_epochs=2 * k``). 'lbfgs' restarts its curvature
        memory at every fit, as MLPClassifier's does; with early stopping, a
        warm start resumes from the best epoch's weights, the model fit
        returned.

    momentum : float, default=0.9
        Momentum of 'sgd', in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with 'sgd' (when ``momentum > 0``).

    early_stopping : bool, default=False
        Stop when the validation score stops improving, and keep the weights
        of the best epoch. The validation set is ``X_val, y_val`` when given
        to :meth:`fit`, else ``validation_fraction`` of the training data
        held out, drawn as MLPClassifier draws it (stratified for binary
        targets).

    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping, in [0, 1)
        as in MLPClassifier: 0 only without early stopping, or with
        ``X_val``.

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

    class_weight : dict, list of dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``: a dict
        ``{label: weight}``, or 'balanced' for weights inversely proportional
        to the class frequencies in ``y``; for a multilabel ``y``, a list of
        one dict ``{0: weight, 1: weight}`` per label column (a row's weight
        is the product of its columns'), or 'balanced'. Not in MLPClassifier.

    dropout : float, default=0.0
        Fraction of hidden units dropped at random at each training step
        (inverted dropout), in [0, 1). Prediction never drops units. Not in
        MLPClassifier.

    label_smoothing : float, default=0.0
        Weight ``e`` of the uniform distribution mixed into the training
        targets, in [0, 1): a softmax output trains towards
        ``(1 - e) * onehot(y) + e / n_classes``, each logistic output (binary
        and multilabel problems) towards ``(1 - e) * y + e / 2``. It keeps
        the network from pushing its logits ever further apart, and often
        calibrates and generalises better. The training and validation
        losses are the cross-entropies of the smoothed targets; scorers (such
        as ``scoring='neg_log_loss'``) see the labels as they are. Not in
        MLPClassifier.

    scoring : str, callable or None, default=None
        Score of the validation set, for early stopping and
        ``validation_scores_``: None is the accuracy (MLPClassifier's
        behaviour), 'loss' the negated validation loss, any other string a
        scikit-learn scorer name, and a callable a scorer
        ``scorer(estimator, X, y)``. Higher is better. The validation weights
        reach the scorers that accept ``sample_weight`` (scikit-learn's do); a
        plain ``scorer(estimator, X, y)`` is called without them. The scorer
        is tried on the initial model before training, so that one that does
        not fit the target fails at once; a NaN score is an error. With early
        stopping, a validation set on which the score cannot rank models (fewer
        than two rows of non-zero weight, or a constant target on which the
        score is the same for every network tried, such as R² of a constant)
        is an error before training, which names the way out: a validation
        set with varied targets, or ``scoring='loss'``.
        A warm start scored by another scorer than the last fit's starts the
        best score over (a best accuracy is no bar for a log loss), as does
        every warm start scored by a callable, which no name tells from
        another; its ``validation_scores_`` go on in the new scorer's units.

    dtype : {None, np.float32, np.float64}, default=None
        The float type the network trains and predicts in. None trains in the
        input's: float32 data in float32, anything else in float64, as
        MLPClassifier and MLPRegressor do. ``np.float32`` trains in float32
        whatever the input, float64 from a pipeline included: about twice as
        fast, with half the weights' memory, for the accuracy neural networks
        usually reach in float32. The input is never copied whole to change
        its type: each batch (each chunk, when predicting) is cast as it is
        gathered. Not in scikit-learn's MLPs.

    n_members : int, default=1
        Number of networks trained together as an ensemble: ``n_members``
        nets of the same architecture, initialised one after the other from
        the same random stream, trained on the same batches, each by its own
        gradient (what it would get alone), whose mean probabilities are the
        model's (:meth:`predict_proba`, the validation score and loss of early
        stopping). ``loss_curve_`` is the members' mean training loss. The
        members' hidden layers form one layer of ``hidden_size * n_members``
        units, so a fit costs about ``n_members`` times one net's, in one
        pass over the data. See "Ensembles trained together" in the user
        guide. Not in scikit-learn's MLPs.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (for multilabel targets, ``arange(n_labels)``).

    coefs_ : list of two ndarrays
        Weights of shape (n_features, hidden_size) and
        (hidden_size, n_outputs). With ``n_members=k > 1``, of shape
        (n_features, k * hidden_size) and (k, hidden_size, n_outputs): member
        ``j``'s hidden units are the columns ``j * hidden_size`` to
        ``(j + 1) * hidden_size`` of the first, its output weights ``[j]`` of
        the second.

    intercepts_ : list of two ndarrays
        Biases of shape (hidden_size,) and (n_outputs,); (k * hidden_size,)
        and (k, n_outputs) with ``n_members=k > 1``.

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
        The training loss of each epoch (of each iteration with 'lbfgs'):
        the mean loss plus the L2 penalty, as MLPClassifier reports it. With
        ``label_smoothing``, the cross-entropy of the smoothed targets, whose
        least value is not 0 but their entropy.

    validation_loss_curve_ : list of float or None
        The validation loss of each epoch when a validation set is in use,
        else None. It measures what ``loss_curve_`` measures, on the
        validation set: the mean loss plus the L2 penalty at the epoch's
        weights, charged as the training loss charges it, so that the two
        curves can be drawn on one axis.

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

    A fit is a transaction: if it raises, the estimator is left exactly as it
    was; interrupted with Ctrl-C after one or more epochs, it keeps the last
    complete one, every attribute matching it.

    Binary problems use one logistic output unit, as MLPClassifier does;
    :meth:`predict_proba` still returns one column per class. Data in float32
    are trained in float32 end to end, float64 in float64.

    References
    ----------
    Glorot, X. and Bengio, Y. (2010). Understanding the difficulty of training
    deep feedforward neural networks. AISTATS.

    Kingma, D. P. and Ba, J. (2014). Adam: A method for stochastic
    optimization. arXiv:1412.6980.

    Loshchilov, I. and Hutter, F. (2017). SGDR: Stochastic gradient descent
    with warm restarts. ICLR.

    Szegedy, C., Vanhoucke, V., Ioffe, S., Shlens, J. and Wojna, Z. (2016).
    Rethinking the Inception architecture for computer vision. CVPR.

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
    ...     hidden_size=20, learning_rate_init=0.01, max_iter=500, random_state=0))
    >>> clf.fit(X_train, y_train).score(X_test, y_test) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseTwoLayerNet._parameter_constraints,
        "class_weight": [dict, list, StrOptions({"balanced"}), None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }

    # The fitted attributes that describe the targets (see _new_targets).
    _target_attributes = (
        "_label_binarizer",
        "classes_",
        "n_outputs_",
        "out_activation_",
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
        warmup_fraction: float = 0.0,
        schedule_epochs: int | None = None,
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
        class_weight: dict[Any, float] | list[dict[Any, float]] | str | None = None,
        dropout: float = 0.0,
        label_smoothing: float = 0.0,
        scoring: str | Any | None = None,
        dtype: Any = None,
        n_members: int = 1,
    ) -> None:
        super().__init__(
            hidden_size=hidden_size,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            warmup_fraction=warmup_fraction,
            schedule_epochs=schedule_epochs,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dropout=dropout,
            n_members=n_members,
            scoring=scoring,
            dtype=dtype,
        )
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing

    # ------------------------------------------------------------------ API

    @available_if(BaseTwoLayerNet._has_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        classes: ArrayLike | None = None,
    ) -> TwoLayerNetClassifier:
        """Update the network with one pass (epoch) over ``X, y``.

        Like :meth:`fit`, a call is a transaction: if it raises, the estimator
        is left as it was. With ``learning_rate='cosine'``, each call is one
        epoch of a cycle of ``schedule_epochs`` calls (``max_iter`` when
        None), its steps paced by the call's own batches.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.
        classes : array-like of shape (n_classes,), default=None
            Every class that any call will see: labels, none of them missing.
            Required on the first call (for multilabel targets, any labels:
            the classes are the columns of ``y``); later calls may omit it.
            Labels of ``y`` outside it are an error, on the first call as on
            later ones.

        Returns
        -------
        self : TwoLayerNetClassifier
            The updated estimator.
        """
        self._check_partial_fit()
        if classes is not None:
            classes = check_classes(classes)
        weights = self.class_weight
        if isinstance(weights, str) or (
            isinstance(weights, list) and any(isinstance(w, str) for w in weights)
        ):
            raise ValueError(
                "class_weight='balanced' needs the class frequencies of the whole "
                "training set, which partial_fit never sees. Compute them with "
                "sklearn.utils.class_weight.compute_class_weight and pass a dict."
            )
        self._check_partial_fit_classes(classes)
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _check_partial_fit_classes(self, classes):
        """``classes`` are needed on a first call, and must not change after it.

        scikit-learn's rule and messages (``_check_partial_fit_first_call``),
        without setting ``classes_`` before the call succeeds.
        """
        fitted = getattr(self, "classes_", None)
        if fitted is None and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if fitted is not None and classes is not None:
            if not np.array_equal(fitted, unique_labels(classes)):
                raise ValueError(
                    f"`classes={plain(classes)!r}` is not the same as on last call "
                    f"to partial_fit, was: {plain(fitted)!r}"
                )

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
            None is exactly 0 (nor, for logistic units, 1): a logistic
            unit's is kept within ``eps`` of them, a softmax's at least the
            dtype's smallest normal number (about 2.2e-308 in float64,
            1.2e-38 in float32), where MLPClassifier's round to 0.
        """
        check_is_fitted(self)
        P = self._forward(self._validate_X(X))
        if self.out_activation_ == "logistic":
            # A saturated logistic unit rounds to exactly 0 or 1; keep each
            # label's probability strictly inside (0, 1), as log-loss does.
            eps = np.finfo(P.dtype).eps
            np.clip(P, eps, 1 - eps, out=P)
        else:
            # A softmax probability that underflows to 0 becomes the smallest
            # normal number (the rows' sums do not change): its logarithm,
            # predict_log_proba, is finite (-708 in float64, -87 in float32).
            np.maximum(P, np.finfo(P.dtype).tiny, out=P)
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
            Log-probabilities in the order of ``classes_``: finite, where
            MLPClassifier's are ``-inf`` for a probability that rounds to 0
            (see :meth:`predict_proba`).
        """
        proba = self.predict_proba(X)
        return np.log(proba, out=proba)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict the class (or the labels) of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y_pred : ndarray or sparse matrix of shape (n_samples,) or \
                (n_samples, n_labels)
            Predicted class labels, or a 0/1 indicator matrix for multilabel
            problems: a CSR matrix when ``fit`` was given a sparse one, as
            in MLPClassifier.
        """
        check_is_fitted(self)
        return self._decode(self._forward(self._validate_X(X)))

    def score(
        self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> float:
        """Accuracy of :meth:`predict` on ``X, y``.

        For multilabel targets, the subset accuracy: a sample counts as right
        only when every one of its labels is.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            True labels of ``X``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        score : float
            The (weighted) fraction of samples predicted right.
        """
        check_no_missing(y, "y")
        check_labels(y, "y")
        return super().score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    # -------------------------------------------------------------- targets

    def _decode(self, P):
        """Labels from output probabilities."""
        return _labels(P, self._label_binarizer, self.classes_)

    def _score_outputs(self, P, y, sample_weight, targets):
        """The default validation score: accuracy, as MLPClassifier's."""
        labels = _labels(P, targets["_label_binarizer"], targets["classes_"])
        return accuracy_score(y, labels, sample_weight=sample_weight)

    def _loss(self, targets):
        """The output layer that trains the network: its cross-entropy, with
        ``label_smoothing`` (the validation loss is the same one; prediction
        needs only the output activation, ``out_activation_``)."""
        return OUTPUTS[targets["out_activation_"]](self.label_smoothing)

    def _new_targets(self, y, classes=None, fitted=None):
        """The attributes that describe the targets of a new network.

        The classes come from ``y``, or from ``classes`` in a first
        ``partial_fit`` (for multilabel targets, always from the columns of
        ``y``). ``fitted`` are the targets of the network that a warm fit
        continues: ``y`` must have its classes, compared as labels first, so
        that a warm fit on data that lacks a class is told so, and pointed to
        ``partial_fit``, rather than told that a classifier needs two classes.
        """
        kind = check_labels(y, "y")
        if fitted is not None:
            check_same_targets({"classes_": unique_labels(y)}, fitted)
        binarizer = LabelBinarizer(sparse_output=True)
        source = "y"
        if classes is not None and kind != "multilabel-indicator":
            binarizer.fit(classes)
            source = "classes"
        else:
            binarizer.fit(y)
        if len(binarizer.classes_) < 2:
            raise ValueError(
                f"{source} has only one class ({plain(binarizer.classes_[0])!r}); "
                "a classifier needs at least two."
            )
        multiclass = binarizer.y_type_ == "multiclass"
        return {
            "_label_binarizer": binarizer,
            "classes_": binarizer.classes_,
            "n_outputs_": 1
            if binarizer.y_type_ == "binary"
            else len(binarizer.classes_),
            "out_activation_": "softmax" if multiclass else "logistic",
        }

    def _encode_targets(self, y, targets, name, dtype, reference=None):
        """``y`` in the network's encoding, and the class weights of its rows.

        The labels must be among the classes. Encoded as class indices for a
        softmax output, a 0/1 matrix of ``dtype`` for logistic ones; the
        weights are ``class_weight``'s, or None, 'balanced' from the class
        frequencies of ``reference`` (the training labels) when given.
        """
        binarizer, classes = targets["_label_binarizer"], targets["classes_"]
        if binarizer.y_type_ == "multilabel-indicator":
            if (
                y.ndim != 2
                or y.shape[1] != len(classes)
                or type_of_target(y, input_name=name) != "multilabel-indicator"
            ):
                raise ValueError(
                    f"{name} must be a multilabel indicator matrix with "
                    f"{len(classes)} columns, like the y of the first fit."
                )
        else:
            if y.ndim != 1:
                raise ValueError(
                    f"{name} must be 1-D labels, like the y of the first fit; got "
                    f"shape {y.shape}."
                )
            check_labels(y, name)
            # Checked 1-D labels of one type: their classes are np.unique's
            # (unique_labels would run type_of_target over y once more).
            unseen = np.setdiff1d(np.unique(y), classes)
            if len(unseen):
                raise ValueError(
                    f"`{name}` has classes not in `self.classes_` (or in "
                    f"`classes`): {plain(unseen)}; the known classes are "
                    f"{plain(classes)}."
                )
        if targets["out_activation_"] == "softmax":
            # Every label is known: its position among the sorted classes is
            # its class index.
            Y = np.searchsorted(classes, y).astype(np.intp)
        else:
            Y = binarizer.transform(y).toarray().astype(dtype)
        multilabel = binarizer.y_type_ == "multilabel-indicator"
        return Y, class_weights(self.class_weight, y, classes, multilabel, reference)


def _labels(P, binarizer, classes):
    """Labels (or a 0/1 label matrix) from output probabilities."""
    if binarizer.y_type_ == "multilabel-indicator":
        labels = (P > 0.5).astype(int)
        # Sparse targets give sparse labels, as MLPClassifier's binarizer does.
        return sparse.csr_matrix(labels) if binarizer.sparse_input_ else labels
    if P.shape[1] == 1:
        return classes[(P[:, 0] > 0.5).astype(int)]
    return classes[np.argmax(P, axis=1)]
