"""TwoLayerNetRegressor: the two-layer network for regression.

What is the regressor's own: real-valued targets (one or several), the
identity output with the squared error or the exponential output with the
Poisson deviance, and the R² score. Validation, the fit state and the training
loop live in :mod:`._base`.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, check_is_fitted

from ._base import BaseTwoLayerNet
from ._checks import NEW_NETWORK, check_fits_dtype, check_no_missing
from ._layers import AbsoluteError, PinballLoss, PoissonDeviance, SquaredError

__all__ = ["TwoLayerNetRegressor"]

# The output activation that each loss pairs with (MLPRegressor's
# ``out_activation_``): all a network that only predicts needs.
_OUTPUT_OF_LOSS = {
    "squared_error": "identity",
    "poisson": "exp",
    "absolute_error": "identity",
    "quantile": "identity",
}


def _loss_layer(loss, quantile):
    """The fused output/loss layer that trains the network on ``loss``.

    ``quantile`` is read for ``loss='quantile'`` only, and ignored otherwise,
    as HistGradientBoostingRegressor does.
    """
    if loss == "quantile":
        if quantile is None:
            # HistGradientBoostingRegressor raises a TypeError here; this
            # error is both a ValueError and a TypeError.
            raise InvalidParameterError(
                "loss='quantile' needs the quantile to estimate: set quantile to "
                "a float in (0, 1), such as 0.9 (0.5 is the median)."
            )
        return PinballLoss(quantile)
    layers = {
        "squared_error": SquaredError,
        "poisson": PoissonDeviance,
        "absolute_error": AbsoluteError,
    }
    return layers[loss]()


class TwoLayerNetRegressor(RegressorMixin, BaseTwoLayerNet):
    """Two-layer neural-network regressor: affine, activation, affine.

    The network has one hidden layer and is trained on half the squared error
    (identity output) or half the Poisson deviance (exponential output) by
    minibatch SGD, Adam or L-BFGS. Parameters, attributes and numbers follow
    :class:`~sklearn.neural_network.MLPRegressor` with
    ``hidden_layer_sizes=(hidden_size,)``; the additions are the absolute
    error and quantile losses, ``dropout``, ``scoring`` and a validation set
    passed to :meth:`fit`, ensembles trained together (``n_members``),
    ``dtype``, the ``'cosine'`` schedule, the activations of modern MLPs and
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
        MLPRegressor's Glorot-uniform ones. Not in MLPRegressor.

    loss : {'squared_error', 'poisson', 'absolute_error', 'quantile'}, \
            default='squared_error'
        The loss: half the squared error with an identity output, or half the
        Poisson deviance with an exponential output (a log link), for
        non-negative targets such as counts. 'absolute_error' (the conditional
        median) and 'quantile' (the pinball loss of ``quantile``: the
        conditional quantile) have an identity output too; they are not in
        MLPRegressor.

    quantile : float, default=None
        The quantile to estimate with ``loss='quantile'``, in (0, 1); that
        loss needs it, the others ignore it, as in
        :class:`~sklearn.ensemble.HistGradientBoostingRegressor`.

    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        The weight optimizer: 'sgd' is minibatch stochastic gradient descent
        (with momentum and learning-rate schedules), 'adam' the Adam method of
        Kingma and Ba, 'lbfgs' the full-batch quasi-Newton method of SciPy,
        often the best choice on small data sets.

    alpha : float, default=1e-4
        Strength of the L2 penalty on the weights, divided by the number of
        samples (or the sum of the sample weights) of each batch.

    batch_size : int or 'auto', default='auto'
        Size of the minibatches of the stochastic solvers; 'auto' means
        ``min(200, n_samples)``. Unused by 'lbfgs'.

    learning_rate : {'constant', 'invscaling', 'adaptive', 'cosine'}, \
            default='constant'
        Learning-rate schedule, as in
        :class:`~skmlp_numpy.TwoLayerNetClassifier`: the first three, of
        MLPRegressor, apply to 'sgd' only ('invscaling' and 'adaptive' with
        'adam' warn that they have no effect); 'cosine' (a half cosine from
        ``learning_rate_init`` to 0 at every step, after a linear warm-up)
        applies to 'sgd' and 'adam'. See :ref:`learning-rate-schedules`.

    learning_rate_init : float, default=1e-3
        Initial learning rate of 'sgd' and 'adam'; the peak of 'cosine'.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    warmup_fraction : float, default=0.0
        Fraction of each 'cosine' cycle's steps over which the rate rises
        linearly to ``learning_rate_init``, in [0, 1). Not in MLPRegressor.

    schedule_epochs : int or None, default=None
        Length in epochs of a 'cosine' cycle; None means ``max_iter``. Warm
        starts and :meth:`partial_fit` calls continue the cycle, and an epoch
        that begins after its end starts a new one; set it to the total
        number of epochs to train one cosine in warm-started chunks. Not in
        MLPRegressor.

    max_iter : int, default=200
        Maximum number of epochs of the stochastic solvers, or of iterations
        of 'lbfgs'.

    shuffle : bool, default=True
        Shuffle the samples at every epoch (stochastic solvers).

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the shuffling, the early-stopping
        split and the dropout masks. Pass an int for bit-for-bit reproducible
        fits. A RandomState instance is advanced by a call that succeeds and
        starts a new network, and left as it was by a call that fails.

    tol : float, default=1e-4
        Training stops when the loss (or the validation score) has not
        improved by at least ``tol`` for ``n_iter_no_change`` consecutive
        epochs. For 'lbfgs', the gradient tolerance of SciPy's solver.

    verbose : bool or int, default=False
        Print the loss after every epoch, as MLPRegressor does.

    warm_start : bool, default=False
        Start a new :meth:`fit` from the weights of the previous one. The
        optimizer's state, the stopping rule and the random stream carry over
        too, so that, with 'sgd' and 'adam', two warm-started fits of ``k``
        epochs equal one of ``2 * k``, bit for bit ('cosine' needs
        ``schedule_epochs=2 * k``). 'lbfgs' restarts its
        curvature memory at every fit, as MLPRegressor's does; with early
        stopping, a warm start resumes from the best epoch's weights, the
        model fit returned.

    momentum : float, default=0.9
        Momentum of 'sgd', in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with 'sgd' (when ``momentum > 0``).

    early_stopping : bool, default=False
        Stop when the validation score stops improving, and keep the weights
        of the best epoch. The validation set is ``X_val, y_val`` when given
        to :meth:`fit`, else ``validation_fraction`` of the training data
        held out, as MLPRegressor holds it out.

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

    dropout : float, default=0.0
        Fraction of hidden units dropped at random at each training step
        (inverted dropout), in [0, 1). Prediction never drops units. Not in
        MLPRegressor.

    scoring : str, callable or None, default=None
        Score of the validation set, for early stopping and
        ``validation_scores_``: None is R² (MLPRegressor's behaviour) for the
        squared error and the Poisson loss, and the negated validation loss
        for the absolute error and the quantile loss (as
        HistGradientBoostingRegressor scores them: R² measures squared
        errors, which they do not minimise), 'loss' the negated validation
        loss, any other string a scikit-learn scorer
        name (such as 'neg_mean_absolute_error'), and a callable a scorer
        ``scorer(estimator, X, y)``. Higher is better. The validation weights
        reach the scorers that accept ``sample_weight`` (scikit-learn's do); a
        plain ``scorer(estimator, X, y)`` is called without them. The scorer
        is tried on the initial model before training; a NaN score is an
        error. With early stopping, a validation set on which the score cannot
        rank models (fewer than two rows of non-zero weight, or a constant
        target on which the score is the same for every network tried, such
        as R² of a constant) is an error before training, which names the way
        out: a validation set with varied targets, or ``scoring='loss'``.
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
        gradient (what it would get alone), whose mean predicted values are the
        model's (:meth:`predict`, the validation score and loss of early
        stopping). ``loss_curve_`` is the members' mean training loss. The
        members' hidden layers form one layer of ``hidden_size * n_members``
        units, so a fit costs about ``n_members`` times one net's, in one
        pass over the data. See "Ensembles trained together" in the user
        guide. Not in scikit-learn's MLPs.

    Attributes
    ----------
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
        the mean loss plus the L2 penalty, as MLPRegressor reports it.

    validation_loss_curve_ : list of float or None
        The validation loss of each epoch when a validation set is in use.
        It measures what ``loss_curve_`` measures, on the validation set: the
        mean loss plus the L2 penalty at the epoch's weights, charged as the
        training loss charges it, so that the two curves can be drawn on one
        axis.

    validation_scores_ : list of float or None
        The validation score of each epoch when a validation set is in use.

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
        Number of outputs (targets).

    out_activation_ : str
        'exp' for the Poisson deviance, 'identity' for the other losses.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : The multi-layer perceptron of
        scikit-learn, whose parameters this estimator shares.
    TwoLayerNetClassifier : The same network for classification.

    Notes
    -----
    For one sample :math:`x`, the network computes

    .. math::

        h = f(x W_1 + b_1), \\qquad \\hat y = g(h W_2 + b_2)

    with :math:`g` the exponential for ``loss='poisson'`` and the identity
    otherwise. Training minimises, as MLPRegressor does, the mean over
    samples of half the squared error (averaged over the :math:`k` outputs)
    or of half the Poisson deviance (summed over them), plus the L2 penalty:

    .. math::

        L_2 = \\frac{1}{2 n k} \\sum_{i, j} (\\hat y_{ij} - y_{ij})^2,
        \\qquad
        L_P = \\frac{1}{n} \\sum_{i, j} \\left(y_{ij} \\log
        \\frac{y_{ij}}{\\hat y_{ij}} - y_{ij} + \\hat y_{ij}\\right).

    Both output/loss pairs are canonical, so the gradient with respect to the
    output layer's input is :math:`(\\hat y - y) / n`. As in MLPRegressor, that
    gradient is the one of the squared error summed over outputs: with
    several outputs it is :math:`k` times the gradient of :math:`L_2` as
    reported in ``loss_curve_``.

    The absolute error and the pinball loss of the quantile :math:`q` are,
    like :func:`~sklearn.metrics.mean_absolute_error` and
    :func:`~sklearn.metrics.mean_pinball_loss`, averaged over the outputs:

    .. math::

        L_1 = \\frac{1}{n k} \\sum_{i, j} |\\hat y_{ij} - y_{ij}|,
        \\qquad
        L_q = \\frac{1}{n k} \\sum_{i, j} \\max\\left(q (y_{ij} - \\hat y_{ij}),
        (1 - q) (\\hat y_{ij} - y_{ij})\\right).

    They are trained, like :math:`L_2`, on the gradient of their sum over
    outputs: a subgradient, :math:`\\operatorname{sign}(\\hat y - y) / n` for
    :math:`L_1`, :math:`(1 - q) / n` or :math:`-q / n` for :math:`L_q` (the
    midpoint of the two where :math:`\\hat y = y`).

    A fit is a transaction: if it raises, the estimator is left exactly as it
    was; interrupted with Ctrl-C after one or more epochs, it keeps the last
    complete one, every attribute matching it. Data in float32 are trained in
    float32 end to end, float64 in float64.

    Examples
    --------
    >>> from sklearn.compose import TransformedTargetRegressor
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skmlp_numpy import TwoLayerNetRegressor
    >>> X, y = make_friedman1(n_samples=500, random_state=0)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> reg = TransformedTargetRegressor(
    ...     make_pipeline(StandardScaler(), TwoLayerNetRegressor(
    ...         hidden_size=50, solver="lbfgs", max_iter=500, random_state=0)),
    ...     transformer=StandardScaler())
    >>> reg.fit(X_train, y_train).score(X_test, y_test) > 0.8
    True
    """

    _parameter_constraints: dict = {
        **BaseTwoLayerNet._parameter_constraints,
        "loss": [StrOptions(set(_OUTPUT_OF_LOSS))],
        "quantile": [Interval(Real, 0, 1, closed="neither"), None],
    }

    # Targets are numbers: validate_data converts object arrays to float64.
    _y_numeric = True

    # The fitted attributes that describe the targets (see _new_targets).
    # _fitted_loss: the loss (and quantile) the network was trained with,
    # which a warm start or partial_fit must continue.
    _target_attributes = ("n_outputs_", "out_activation_", "_fitted_loss")

    def __init__(
        self,
        hidden_size: int = 100,
        activation: str = "relu",
        *,
        loss: str = "squared_error",
        quantile: float | None = None,
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
        dropout: float = 0.0,
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
        self.loss = loss
        self.quantile = quantile

    # ------------------------------------------------------------------ API

    @available_if(BaseTwoLayerNet._has_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
    ) -> TwoLayerNetRegressor:
        """Update the network with one pass (epoch) over ``X, y``.

        Like :meth:`fit`, a call is a transaction: if it raises, the estimator
        is left as it was. With ``learning_rate='cosine'``, each call is one
        epoch of a cycle of ``schedule_epochs`` calls (``max_iter`` when
        None), its steps paced by the call's own batches.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values, with as many outputs as on the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : TwoLayerNetRegressor
            The updated estimator.
        """
        self._check_partial_fit()
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict the target(s) of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values, in the dtype of the weights: one column per
            output, or a 1-D array for a single output.
        """
        check_is_fitted(self)
        predicted = self._forward(self._validate_X(X))
        if self.out_activation_ == "exp":
            # A Poisson mean is positive: exp underflows to 0 (float32 logits
            # below -103), which Poisson deviances refuse. Its smallest
            # positive normal number instead, as MLPRegressor's float64 would
            # give a tiny one.
            np.maximum(predicted, np.finfo(predicted.dtype).tiny, out=predicted)
        return self._ravel(predicted)

    def score(
        self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> float:
        """Coefficient of determination R² of :meth:`predict` on ``X, y``.

        1 is a perfect prediction, 0 the score of always predicting the mean
        of ``y``; it can be negative. With several outputs, their scores are
        averaged uniformly.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True values of ``X``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        score : float
            R² of the predictions.
        """
        check_no_missing(y, "y")
        # Checked here, so that an infinite target's error names y.
        y = check_array(y, ensure_2d=False, dtype="numeric", input_name="y")
        return super().score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        # The Poisson deviance is defined for non-negative targets only.
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags

    # -------------------------------------------------------------- targets

    def _ravel(self, out):
        """Outputs as MLPRegressor returns them: 1-D for a single target."""
        return out.ravel() if out.shape[1] == 1 else out

    def _score_outputs(self, out, y, sample_weight, targets):
        """The default validation score: R², as MLPRegressor's.

        For the absolute error and the quantile loss, the negated loss, as
        HistGradientBoostingRegressor scores them: R² measures squared errors,
        which those losses do not minimise.
        """
        if self.loss in ("absolute_error", "quantile"):
            Y = y.reshape(len(y), targets["n_outputs_"]).astype(out.dtype)
            return -self._loss(targets).loss(out, Y, sample_weight)
        if targets["n_outputs_"] == 1:
            out = out.ravel()
        return r2_score(y, out, sample_weight=sample_weight)

    def _loss(self, targets):
        """The output layer, fused with the loss, that trains the network."""
        return _loss_layer(self.loss, self.quantile)

    def _new_targets(self, y, classes=None, fitted=None):
        """The attributes that describe the targets of a new network.

        ``classes`` and ``fitted`` are the classifier's: regression targets
        have no classes, and a warm start compares what this returns with the
        fitted network's.
        """
        return {
            "n_outputs_": 1 if y.ndim == 1 else y.shape[1],
            "out_activation_": _OUTPUT_OF_LOSS[self.loss],
            "_fitted_loss": self._loss_name(),
        }

    def _loss_name(self):
        """The loss, with its quantile: what a resumed network must go on with."""
        if self.loss == "quantile":
            return f"quantile (quantile={self.quantile})"
        return self.loss

    def _encode_targets(self, y, targets, name, dtype, reference=None):
        """``y`` as a (n_samples, n_outputs) array of ``dtype``, checked.

        Its outputs must be the network's, and its values in the domain of
        the loss, which must fit the network's output. Regression targets
        give their rows no weights of their own (None).
        """
        if targets["out_activation_"] != _OUTPUT_OF_LOSS[self.loss]:
            raise ValueError(
                f"loss={self.loss!r} does not fit the trained network, whose "
                f"output is {targets['out_activation_']!r}; {NEW_NETWORK}."
            )
        # None: a model of 0.4, which did not record its loss.
        fitted_loss = targets.get("_fitted_loss")
        if fitted_loss not in (None, self._loss_name()):
            raise ValueError(
                f"The network was trained with the loss {fitted_loss}, not "
                f"{self._loss_name()}: a warm start or partial_fit goes on with "
                "its loss (the stopping rule's best value, and the curves, are "
                f"in its units); {NEW_NETWORK}."
            )
        if self.loss == "poisson" and (y < 0).any():
            raise ValueError(
                f"loss='poisson' needs non-negative targets, but {name} has "
                f"{int((y < 0).sum())} negative values."
            )
        check_fits_dtype(
            y, dtype, name, "the targets (a TransformedTargetRegressor with a scaler)"
        )
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if n_outputs != targets["n_outputs_"]:
            raise ValueError(
                f"{name} has {n_outputs} outputs, but the network has "
                f"{targets['n_outputs_']}."
            )
        return y.reshape(len(y), n_outputs).astype(dtype), None
