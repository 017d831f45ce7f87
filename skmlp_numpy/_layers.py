"""Layers of the two-layer network, each with a forward and a backward pass.

NumPy only: nothing here knows about scikit-learn. Every layer works in the
dtype of the arrays it is given, so float32 stays float32 from end to end.
The network owns the memory (parameters, gradients and work buffers); layers
receive views of it, so that the code below reads as the math it implements.
"""

import functools

import numpy as np
from scipy.special import expit, xlogy

__all__ = [
    "ACTIVATIONS",
    "OUTPUTS",
    "Affine",
    "Identity",
    "Logistic",
    "LogisticCrossEntropy",
    "PoissonDeviance",
    "ReLU",
    "SoftmaxCrossEntropy",
    "SquaredError",
    "Tanh",
]


class Affine:
    """Affine map ``Z = X @ W + b``.

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

    def forward(self, X, out, cache=False):
        """Compute ``X @ W + b`` into ``out``; ``cache`` keeps ``X`` for backward."""
        self._X = X if cache else None
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
        np.matmul(self._X.T, dZ, out=self.grads["W"])
        # db = 1^T dZ: the column sums, as a matrix-vector product, which BLAS
        # does faster than a reduction over the short axis.
        np.matmul(self._ones[:n], dZ, out=self.grads["b"])
        if dX is not None:
            np.matmul(dZ, self.params["W"].T, out=dX)
        return dX


# Activations work in place. ``backward(dA, A)`` turns ``dL/dA`` into
# ``dL/dZ`` in place, using the layer's output ``A``: each derivative below is
# cheaper to compute from the output than from the input.


class Identity:
    """``f(z) = z``."""

    def forward(self, Z):
        return Z

    def backward(self, dA, A):
        return dA


class Logistic:
    """``f(z) = 1 / (1 + exp(-z))``, with ``f' = f (1 - f)``."""

    def forward(self, Z):
        return expit(Z, out=Z)

    def backward(self, dA, A):
        dA *= A
        dA *= 1 - A
        return dA


class Tanh:
    """``f(z) = tanh(z)``, with ``f' = 1 - f**2``."""

    def forward(self, Z):
        return np.tanh(Z, out=Z)

    def backward(self, dA, A):
        dA *= 1 - A * A
        return dA


class ReLU:
    """``f(z) = max(z, 0)``, with ``f' = 1`` where the unit is active."""

    def forward(self, Z):
        return np.maximum(Z, 0, out=Z)

    def backward(self, dA, A):
        return np.multiply(dA, A > 0, out=dA)


ACTIVATIONS = {
    "identity": Identity,
    "logistic": Logistic,
    "tanh": Tanh,
    "relu": ReLU,
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
    """

    def __init__(self):
        self._rows = np.arange(0)

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
        return self._cross_entropy(P[self._row_indices(P), y], sample_weight)

    def loss_backward(self, P, y, sample_weight=None):
        """Return the loss, and turn ``P`` into ``dL/dZ = (P - Y) / n`` in place.

        Fused because both need the probabilities of the true classes.
        """
        rows = self._row_indices(P)
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


class LogisticCrossEntropy:
    """Logistic outputs, each with its own binary cross-entropy, summed.

    Used for binary problems (one output) and multilabel ones (one output per
    label). Targets are a 0/1 array of shape (n_samples, n_outputs).
    Probabilities are clipped to ``[eps, 1 - eps]`` inside the logarithms, as
    in scikit-learn.
    """

    def forward(self, Z):
        """Turn the logits ``Z`` into probabilities, in place."""
        return expit(Z, out=Z)

    def loss(self, P, Y, sample_weight=None):
        """Mean over samples of the binary cross-entropies summed over outputs."""
        eps = _eps(P.dtype)
        P = np.clip(P, eps, 1 - eps)
        per_sample = -(Y * np.log(P) + (1 - Y) * np.log1p(-P)).sum(axis=1)
        return _mean(per_sample, sample_weight)

    def loss_backward(self, P, Y, sample_weight=None):
        """Return the loss, and turn ``P`` into ``dL/dZ = (P - Y) / n`` in place."""
        loss = self.loss(P, Y, sample_weight)
        P -= Y
        _scale_rows(P, sample_weight)
        return loss


# Regression outputs pair the same way: the identity with the squared error,
# and the exponential with the Poisson deviance (its canonical log link), so
# their gradient with respect to the outputs' inputs is ``P - Y`` as well.


class SquaredError:
    """Identity output with half the squared error, as in MLPRegressor.

    Targets are values of shape (n_samples, n_outputs). The loss is MLPRegressor's:
    half the squared error, averaged over samples and then over outputs. Its
    gradient, also MLPRegressor's, is that of the sum over outputs: it differs
    from the reported loss's by the factor ``n_outputs`` when there are several
    outputs. Both are kept so that training follows MLPRegressor number for
    number.
    """

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
    outputs.
    """

    def forward(self, Z):
        """Turn the logits ``Z`` into predicted means ``exp(Z)``, in place."""
        return np.exp(Z, out=Z)

    def loss(self, P, Y, sample_weight=None):
        """Half the mean Poisson deviance of the predicted means ``P``."""
        per_sample = (xlogy(Y, Y / P) - Y + P).sum(axis=1)
        return _mean(per_sample, sample_weight)

    def loss_backward(self, P, Y, sample_weight=None):
        """Return the loss, and turn ``P`` into ``dL/dZ = (P - Y) / n`` in place."""
        loss = self.loss(P, Y, sample_weight)
        P -= Y
        _scale_rows(P, sample_weight)
        return loss


OUTPUTS = {
    "softmax": SoftmaxCrossEntropy,
    "logistic": LogisticCrossEntropy,
    "identity": SquaredError,
    "exp": PoissonDeviance,
}
