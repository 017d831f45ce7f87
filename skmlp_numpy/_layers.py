"""Layers of the two-layer network, each with a forward and a backward pass.

NumPy only: nothing here knows about scikit-learn. Every layer works in the
dtype of the arrays it is given, so float32 stays float32 from end to end.
The network owns the memory (parameters, gradients and work buffers); layers
receive views of it, so that the code below reads as the math it implements.
"""

import functools
import math

import numpy as np
from scipy import sparse
from scipy.special import expit, ndtr, xlogy

__all__ = [
    "ACTIVATIONS",
    "OUTPUTS",
    "AbsoluteError",
    "Affine",
    "GELU",
    "GroupedAffine",
    "Identity",
    "LeakyReLU",
    "Logistic",
    "LogisticCrossEntropy",
    "PinballLoss",
    "PoissonDeviance",
    "ReLU",
    "SiLU",
    "SoftmaxCrossEntropy",
    "SquaredError",
    "Tanh",
]


class Affine:
    """Affine map ``Z = X @ W + b``.

    ``X`` may be a SciPy sparse matrix (or array) of the weights' dtype: the
    first layer multiplies sparse rows as they are, in both passes (of
    another dtype, SciPy's product would upcast).

    Parameters
    ----------
    W : ndarray of shape (n_in, n_out)
        Weights, updated in place by the optimizer.
    b : ndarray of shape (n_out,)
        Biases.
    dW : ndarray of shape (n_in, n_out)
        Filled with the gradient of the loss with respect to ``W`` by
        :meth:`backward`.
    db : ndarray of shape (n_out,)
        Filled with the gradient with respect to ``b``.
    """

    def __init__(self, W, b, dW, db):
        self.params = {"W": W, "b": b}
        self.grads = {"W": dW, "b": db}
        self._X = None
        self._ones = np.ones(0, dtype=W.dtype)

    def forward(self, X, out=None, cache=False):
        """Compute ``X @ W + b``, into ``out`` when given; ``cache`` keeps ``X``.

        Without ``out`` the result is a new array: SciPy's product of sparse
        rows has no ``out``, and its own result is used rather than copied.
        """
        self._X = X if cache else None
        if out is None:
            out = X @ self.params["W"]
        else:
            np.matmul(X, self.params["W"], out=out)
        out += self.params["b"]
        return out

    def backward(self, dZ, dX=None):
        """Fill the parameter gradients from ``dZ = dL/dZ``.

        The gradient with respect to the input, ``dZ @ W.T``, is written into
        ``dX`` when given. The first layer passes nothing: its input is the
        data, whose gradient nobody needs.
        """
        n = dZ.shape[0]
        if self._ones.shape[0] < n:
            self._ones = np.ones(n, dtype=dZ.dtype)
        if sparse.issparse(self._X):
            _sparse_weight_gradient(self._X, dZ, self.grads["W"])
        else:
            np.matmul(self._X.T, dZ, out=self.grads["W"])
        # db = 1^T dZ: the column sums, as a matrix-vector product, which BLAS
        # does faster than a reduction over the short axis.
        np.matmul(self._ones[:n], dZ, out=self.grads["b"])
        if dX is not None:
            np.matmul(dZ, self.params["W"].T, out=dX)
        return dX


class GroupedAffine(Affine):
    """``k`` affine maps side by side: ``Z_j = X_j @ W[j] + b[j]``.

    The output layer of an ensemble of ``k`` networks. The input's columns
    are ``k`` groups of ``n_in``, one per member, and so are the output's of
    ``n_out``: each member's outputs read its own hidden units only (a
    block-diagonal weight matrix, kept as its ``k`` blocks), in one batched
    product.

    Parameters
    ----------
    W : ndarray of shape (k, n_in, n_out)
        Weights, updated in place by the optimizer.
    b : ndarray of shape (k, n_out)
        Biases.
    dW : ndarray of shape (k, n_in, n_out)
        Filled with the gradient of the loss with respect to ``W`` by
        :meth:`backward`.
    db : ndarray of shape (k, n_out)
        Filled with the gradient with respect to ``b``.
    """

    @staticmethod
    def _groups(A, k):
        """``A`` of shape (n, k * m) as a (k, n, m) view: one matrix per group."""
        return A.reshape(A.shape[0], k, -1).transpose(1, 0, 2)

    def forward(self, X, out=None, cache=False):
        """Compute each group's ``X_j @ W[j] + b[j]``, into ``out`` when given.

        ``X`` has shape (n, k * n_in); the result, of shape (n, k * n_out),
        holds member ``j``'s outputs in its ``j``-th group of columns.
        """
        W, b = self.params["W"], self.params["b"]
        k = W.shape[0]
        self._X = X if cache else None
        if out is None:
            out = np.empty((X.shape[0], b.size), dtype=W.dtype)
        np.matmul(self._groups(X, k), W, out=self._groups(out, k))
        out += b.reshape(-1)
        return out

    def backward(self, dZ, dX=None):
        """Fill the parameter gradients from ``dZ = dL/dZ``, of shape (n, k * n_out).

        ``dW[j] = X_j.T @ dZ_j``, ``db[j] = 1^T dZ_j``; the gradient with
        respect to the input, ``dZ_j @ W[j].T`` for each group, is written
        into ``dX`` when given.
        """
        W = self.params["W"]
        k = W.shape[0]
        n = dZ.shape[0]
        if self._ones.shape[0] < n:
            self._ones = np.ones(n, dtype=dZ.dtype)
        dZ_groups = self._groups(dZ, k)
        np.matmul(
            self._groups(self._X, k).transpose(0, 2, 1),
            dZ_groups,
            out=self.grads["W"],
        )
        np.matmul(self._ones[:n], dZ, out=self.grads["b"].reshape(-1))
        if dX is not None:
            np.matmul(dZ_groups, W.transpose(0, 2, 1), out=self._groups(dX, k))
        return dX


def _sparse_weight_gradient(X, dZ, dW):
    """``dW = X.T @ dZ`` for sparse rows ``X``, written into ``dW``.

    The rows of ``dW`` are zero but for the features (columns) that some row
    of ``X`` uses, and only those are multiplied. SciPy's ``X.T @ dZ`` would
    allocate and fill a new array the size of ``W`` for every batch: on text
    features, tens of thousands of rows of which a batch uses a few thousand.
    """
    X = X.tocsr()
    used = np.unique(X.indices)
    dW[...] = 0
    dW[used] = X[:, used].T @ dZ


# Activations work in place. Most differentiate from their output:
# ``backward(dA, A)`` turns ``dL/dA`` into ``dL/dZ`` in place, using the
# layer's output ``A``, from which each of their derivatives is cheaper to
# compute than from the input. GELU and SiLU have no derivative in terms of
# their output (SiLU is not even one-to-one); they set ``needs_input``, write
# ``A`` next to their input with ``forward(Z, out)``, and differentiate from
# it with ``backward(dA, Z)``. The network keeps ``Z`` in a buffer for them.


class Identity:
    """``f(z) = z``."""

    needs_input = False

    def forward(self, Z):
        return Z

    def backward(self, dA, A):
        return dA


class Logistic:
    """``f(z) = 1 / (1 + exp(-z))``, with ``f' = f (1 - f)``."""

    needs_input = False

    def forward(self, Z):
        return expit(Z, out=Z)

    def backward(self, dA, A):
        dA *= A
        dA *= 1 - A
        return dA


class Tanh:
    """``f(z) = tanh(z)``, with ``f' = 1 - f**2``."""

    needs_input = False

    def forward(self, Z):
        return np.tanh(Z, out=Z)

    def backward(self, dA, A):
        dA *= 1 - A * A
        return dA


class ReLU:
    """``f(z) = max(z, 0)``, with ``f' = 1`` where the unit is active."""

    needs_input = False

    def forward(self, Z):
        return np.maximum(Z, 0, out=Z)

    def backward(self, dA, A):
        return np.multiply(dA, A > 0, out=dA)


class LeakyReLU:
    """``f(z) = z`` for ``z > 0``, else ``0.01 z``: PyTorch's ``LeakyReLU()``.

    ``f' = 1`` where the unit is active, else ``0.01`` (at ``z = 0`` too, as
    in PyTorch). The output has the sign of the input, so ``f'`` reads it.
    """

    needs_input = False
    slope = 0.01

    # Maxima rather than multiplications masked by the sign (``where=``),
    # which measured 10 to 40 times slower on a 200 x 1000 batch.
    def forward(self, Z):
        # z or 0.01 z, whichever is larger: the one for the sign of z.
        return np.maximum(Z, Z * self.slope, out=Z)

    def backward(self, dA, A):
        dA *= np.maximum(A > 0, self.slope, dtype=dA.dtype)
        return dA


_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)  # a Python float: keeps float32


class GELU:
    """``f(z) = z Φ(z)``, ``Φ`` the standard normal CDF: PyTorch's ``GELU()``.

    The exact GELU, PyTorch's default (``approximate='none'``), not its tanh
    approximation: ``Φ(z) = (1 + erf(z / sqrt(2))) / 2`` is computed by SciPy's
    ``ndtr``, which keeps its relative accuracy in the left tail, where
    ``1 + erf`` cancels. ``f' = Φ(z) + z φ(z)``, ``φ`` the normal density.
    """

    needs_input = True

    def forward(self, Z, out):
        ndtr(Z, out=out)
        out *= Z
        return out

    def backward(self, dA, Z):
        slope = np.multiply(Z, Z)
        slope *= -0.5
        np.exp(slope, out=slope)
        slope *= Z
        slope *= _INV_SQRT_2PI  # z φ(z)
        slope += ndtr(Z)
        dA *= slope
        return dA


class SiLU:
    """``f(z) = z σ(z)``, ``σ`` the logistic function: PyTorch's ``SiLU()``.

    Also called swish. ``f' = σ(z) (1 + z (1 - σ(z)))``.
    """

    needs_input = True

    def forward(self, Z, out):
        expit(Z, out=out)
        out *= Z
        return out

    def backward(self, dA, Z):
        sigma = expit(Z)
        slope = 1 - sigma
        slope *= Z
        slope += 1
        slope *= sigma
        dA *= slope
        return dA


ACTIVATIONS = {
    "identity": Identity,
    "logistic": Logistic,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "gelu": GELU,
    "silu": SiLU,
}


# Output layers fuse the output activation with its cross-entropy. Softmax with
# categorical cross-entropy, and the logistic function with binary
# cross-entropy, are canonical link/loss pairs: the gradient of the loss with
# respect to the logits collapses to ``P - Y``, which is both cheaper and more
# accurate than chaining the two Jacobians. Weighted, each row is scaled by
# ``sample_weight / sample_weight.sum()``.


def _scale_rows(D, sample_weight):
    """Scale the rows of ``D`` in place to give the gradient of a weighted mean."""
    if sample_weight is None:
        D *= 1 / D.shape[0]
    else:
        D *= (sample_weight / sample_weight.sum())[:, np.newaxis]
    return D


def _mean(values, sample_weight):
    """Mean of ``values`` (per sample), weighted by ``sample_weight`` if given."""
    if sample_weight is None:
        return float(np.add.reduce(values)) / values.shape[0]
    return float(np.dot(sample_weight, values)) / float(np.add.reduce(sample_weight))


@functools.cache
def _eps(dtype):
    """Machine epsilon of ``dtype``, looked up once (np.finfo is slow to call)."""
    return float(np.finfo(dtype).eps)


class SoftmaxCrossEntropy:
    """Softmax output with the categorical cross-entropy loss.

    Targets are class indices, an integer array of shape (n_samples,).
    Probabilities are clipped below at the dtype's ``eps`` inside the
    logarithm, as scikit-learn's log-loss does, so that a certain mistake
    costs ``-log(eps)`` rather than infinity.

    Parameters
    ----------
    label_smoothing : float, default=0.0
        The weight ``e`` of the uniform distribution mixed into the one-hot
        targets, in [0, 1): the target of class ``k`` is
        ``(1 - e) [k = y] + e / K`` for ``K`` classes, and the gradient with
        respect to the logits stays ``(P - Y) / n`` for these targets.
    """

    def __init__(self, label_smoothing=0.0):
        self._rows = np.arange(0)
        # A Python float: a NumPy scalar would compute float32 data in float64.
        self.label_smoothing = float(label_smoothing)

    def forward(self, Z):
        """Turn the logits ``Z`` into probabilities, in place."""
        # Shifting by the row maximum leaves softmax unchanged and keeps exp()
        # from overflowing.
        # The ufuncs' reduce methods skip the wrappers of Z.max() and Z.sum(),
        # whose cost is not negligible on a batch of 100 x 10.
        Z -= np.maximum.reduce(Z, axis=1, keepdims=True)
        np.exp(Z, out=Z)
        Z /= np.add.reduce(Z, axis=1, keepdims=True)
        return Z

    def loss(self, P, y, sample_weight=None):
        """Mean cross-entropy of the probabilities ``P`` for the true classes ``y``."""
        if self.label_smoothing:
            return self._smoothed_cross_entropy(P, y, sample_weight)
        return self._cross_entropy(P[self._row_indices(P), y], sample_weight)

    def loss_backward(self, P, y, sample_weight=None):
        """Return the loss, and turn ``P`` into ``dL/dZ = (P - Y) / n`` in place.

        Fused because both need the probabilities of the true classes.
        """
        rows = self._row_indices(P)
        if self.label_smoothing:
            loss = self._smoothed_cross_entropy(P, y, sample_weight)
            P -= self.label_smoothing / P.shape[1]
            P[rows, y] -= 1 - self.label_smoothing
            _scale_rows(P, sample_weight)
            return loss
        p_true = P[rows, y]
        P[rows, y] = p_true - 1
        _scale_rows(P, sample_weight)
        return self._cross_entropy(p_true, sample_weight)

    def _row_indices(self, P):
        if self._rows.shape[0] < P.shape[0]:
            self._rows = np.arange(P.shape[0])
        return self._rows[: P.shape[0]]

    @staticmethod
    def _cross_entropy(p_true, sample_weight):
        np.maximum(p_true, _eps(p_true.dtype), out=p_true)
        return -_mean(np.log(p_true, out=p_true), sample_weight)

    def _smoothed_cross_entropy(self, P, y, sample_weight):
        """``-sum_k Y_k log P_k`` for the smoothed targets, averaged over rows."""
        e = self.label_smoothing
        log_P = np.log(np.maximum(P, _eps(P.dtype)))
        per_sample = np.add.reduce(log_P, axis=1)
        per_sample *= e / P.shape[1]
        per_sample += (1 - e) * log_P[self._row_indices(P), y]
        return -_mean(per_sample, sample_weight)


class LogisticCrossEntropy:
    """Logistic outputs, each with its own binary cross-entropy, summed.

    Used for binary problems (one output) and multilabel ones (one output per
    label). Targets are a 0/1 array of shape (n_samples, n_outputs).
    Probabilities are clipped to ``[eps, 1 - eps]`` inside the logarithms, as
    in scikit-learn.

    Parameters
    ----------
    label_smoothing : float, default=0.0
        The weight ``e`` of the uniform distribution mixed into each output's
        0/1 target, in [0, 1): the targets become ``(1 - e) Y + e / 2``, and
        the gradient with respect to the logits stays ``(P - Y) / n`` for
        them.
    """

    def __init__(self, label_smoothing=0.0):
        self.label_smoothing = float(label_smoothing)

    def forward(self, Z):
        """Turn the logits ``Z`` into probabilities, in place."""
        return expit(Z, out=Z)

    def loss(self, P, Y, sample_weight=None):
        """Mean over samples of the binary cross-entropies summed over outputs."""
        return self._loss(P, self._smoothed(Y), sample_weight)

    def loss_backward(self, P, Y, sample_weight=None):
        """Return the loss, and turn ``P`` into ``dL/dZ = (P - Y) / n`` in place."""
        Y = self._smoothed(Y)
        loss = self._loss(P, Y, sample_weight)
        P -= Y
        _scale_rows(P, sample_weight)
        return loss

    def _smoothed(self, Y):
        """The targets mixed with ``label_smoothing`` of the uniform 1/2."""
        if not self.label_smoothing:
            return Y
        return Y * (1 - self.label_smoothing) + self.label_smoothing / 2

    @staticmethod
    def _loss(P, Y, sample_weight):
        """Mean binary cross-entropy of ``P`` for the targets ``Y``, as given."""
        eps = _eps(P.dtype)
        P = np.clip(P, eps, 1 - eps)
        per_sample = -(Y * np.log(P) + (1 - Y) * np.log1p(-P)).sum(axis=1)
        return _mean(per_sample, sample_weight)


# Regression outputs pair the same way: the identity with the squared error,
# and the exponential with the Poisson deviance (its canonical log link), so
# their gradient with respect to the outputs' inputs is ``P - Y`` as well.


class SquaredError:
    """Identity output with half the squared error, as in MLPRegressor.

    Targets are values of shape (n_samples, n_outputs). The loss is MLPRegressor's:
    half the squared error, averaged over samples and then over outputs. Its
    gradient, also MLPRegressor's, is that of the sum over outputs: it differs
    from the reported loss's by the factor ``n_outputs`` when there are several
    outputs (``sums_outputs``). Both are kept so that training follows
    MLPRegressor number for number; L-BFGS, which judges its steps by the
    loss, is given the sum (scikit-learn#8349).
    """

    sums_outputs = True

    def forward(self, Z):
        """The identity: predicted values are the logits."""
        return Z

    def loss(self, P, Y, sample_weight=None):
        """Half the mean squared error of the predictions ``P``."""
        D = P - Y
        return self._half_mean_square(D, sample_weight)

    def loss_backward(self, P, Y, sample_weight=None):
        """Return the loss, and turn ``P`` into ``dL/dZ = (P - Y) / n`` in place."""
        P -= Y
        loss = self._half_mean_square(P, sample_weight)
        _scale_rows(P, sample_weight)
        return loss

    @staticmethod
    def _half_mean_square(D, sample_weight):
        per_sample = np.einsum("ij,ij->i", D, D)
        return 0.5 * _mean(per_sample, sample_weight) / D.shape[1]


class PoissonDeviance:
    """Exponential output with half the Poisson deviance, as in MLPRegressor.

    Targets are non-negative values of shape (n_samples, n_outputs); the loss
    is the weighted mean over samples of ``y log(y / p) - y + p``, summed over
    outputs. It grows exponentially with the logits (``exponential``): an
    explosion needs the weights to grow by a sum, not a factor.
    """

    exponential = True

    def forward(self, Z):
        """Turn the logits ``Z`` into predicted means ``exp(Z)``, in place."""
        return np.exp(Z, out=Z)

    def loss(self, P, Y, sample_weight=None):
        """Half the mean Poisson deviance of the predicted means ``P``."""
        # A mean that underflows to 0 (float32 logits below -103) predicts a
        # zero target exactly, a loss of 0 (y / p was 0/0, NaN: a divergence),
        # and a positive one infinitely badly (inf, without a warning).
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = Y / P
        ratio[Y == 0] = 1.0
        per_sample = (xlogy(Y, ratio) - Y + P).sum(axis=1)
        return _mean(per_sample, sample_weight)

    def loss_backward(self, P, Y, sample_weight=None):
        """Return the loss, and turn ``P`` into ``dL/dZ = (P - Y) / n`` in place."""
        loss = self.loss(P, Y, sample_weight)
        P -= Y
        _scale_rows(P, sample_weight)
        return loss


# The absolute error and the pinball loss have the identity output too, but
# they are not its canonical pair: their gradient is a subgradient, constant on
# either side of the kink at ``p = y``, where it is taken as the midpoint of
# the subdifferential. Several outputs are handled as in SquaredError: the loss
# is the mean over outputs (scikit-learn's metric, with its default
# ``multioutput='uniform_average'``), its gradient that of their sum
# (``sums_outputs``; the other losses sum over outputs, and their gradient is
# their loss's).


class AbsoluteError:
    """Identity output with the absolute error.

    Targets are values of shape (n_samples, n_outputs). The loss is
    scikit-learn's ``mean_absolute_error``: the (weighted) mean over samples
    of ``|p - y|``, averaged over outputs. Its subgradient with respect to
    ``p`` is ``sign(p - y)``: 0 at an exact prediction.
    """

    sums_outputs = True

    def forward(self, Z):
        """The identity: predicted values are the logits."""
        return Z

    def loss(self, P, Y, sample_weight=None):
        """Mean absolute error of the predictions ``P``."""
        return self._mean_absolute(P - Y, sample_weight)

    def loss_backward(self, P, Y, sample_weight=None):
        """Return the loss, and turn ``P`` into ``sign(P - Y) / n`` in place."""
        P -= Y
        loss = self._mean_absolute(P, sample_weight)
        np.sign(P, out=P)
        _scale_rows(P, sample_weight)
        return loss

    @staticmethod
    def _mean_absolute(D, sample_weight):
        per_sample = np.add.reduce(np.abs(D), axis=1)
        return _mean(per_sample, sample_weight) / D.shape[1]


class PinballLoss:
    """Identity output with the pinball loss of the quantile ``q``.

    The loss of a prediction ``p`` of ``y`` is ``q (y - p)`` when ``p <= y``
    and ``(1 - q) (p - y)`` when ``p > y``; its expected value is smallest at
    the ``q``-quantile of ``y``. Targets are values of shape (n_samples,
    n_outputs). The loss is scikit-learn's ``mean_pinball_loss`` with
    ``alpha=q``: the (weighted) mean over samples, averaged over outputs. Its
    subgradient with respect to ``p`` is ``1 - q`` above the target, ``-q``
    below and ``1/2 - q`` at an exact prediction. ``q = 1/2`` gives half the
    absolute error.

    Parameters
    ----------
    quantile : float, default=0.5
        The quantile ``q``, in (0, 1).
    """

    sums_outputs = True

    def __init__(self, quantile=0.5):
        # A Python float: a NumPy scalar would compute float32 data in float64.
        self.quantile = float(quantile)

    def forward(self, Z):
        """The identity: predicted values are the logits."""
        return Z

    def loss(self, P, Y, sample_weight=None):
        """Mean pinball loss of the predictions ``P``."""
        D = P - Y
        return self._mean_pinball(D, self._subgradient(D.copy()), sample_weight)

    def loss_backward(self, P, Y, sample_weight=None):
        """Return the loss, and turn ``P`` into its subgradient over ``n``, in place."""
        D = P - Y
        G = self._subgradient(np.subtract(P, Y, out=P))
        loss = self._mean_pinball(D, G, sample_weight)
        _scale_rows(G, sample_weight)
        return loss

    def _subgradient(self, D):
        """Turn the residuals ``D = P - Y`` into the subgradient, in place."""
        np.sign(D, out=D)
        D += 1 - 2 * self.quantile
        D *= 0.5
        return D

    @staticmethod
    def _mean_pinball(D, G, sample_weight):
        # The loss is the residual times the subgradient, each side of the kink.
        per_sample = np.einsum("ij,ij->i", D, G)
        return _mean(per_sample, sample_weight) / D.shape[1]


# The output layer of each output activation (an estimator's out_activation_),
# with the loss it is trained on by default. A network that only predicts is
# built from these names, since all it needs of the layer is its forward.
OUTPUTS = {
    "softmax": SoftmaxCrossEntropy,
    "logistic": LogisticCrossEntropy,
    "identity": SquaredError,
    "exp": PoissonDeviance,
}
