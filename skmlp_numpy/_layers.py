"""Layers of the two-layer network, each with a forward and a backward pass.

NumPy only: nothing here knows about scikit-learn. Every layer works in the
dtype of the arrays it is given, so float32 stays float32 from end to end.
The network owns the memory (parameters, gradients and work buffers); layers
receive views of it, so that the code below reads as the math it implements.
"""

import numpy as np
from scipy.special import expit

__all__ = [
    "ACTIVATIONS",
    "OUTPUTS",
    "Affine",
    "Identity",
    "Logistic",
    "LogisticCrossEntropy",
    "ReLU",
    "SoftmaxCrossEntropy",
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
        np.matmul(self._X.T, dZ, out=self.grads["W"])
        np.sum(dZ, axis=0, out=self.grads["b"])
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
        np.copyto(dA, 0, where=A <= 0)
        return dA


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
        return float(values.mean())
    return float(np.dot(sample_weight, values) / sample_weight.sum())


class SoftmaxCrossEntropy:
    """Softmax output with the categorical cross-entropy loss.

    Targets are class indices, an integer array of shape (n_samples,).
    """

    def forward(self, Z):
        """Turn the logits ``Z`` into probabilities, in place."""
        # Shifting by the row maximum leaves softmax unchanged and keeps exp()
        # from overflowing.
        Z -= Z.max(axis=1, keepdims=True)
        np.exp(Z, out=Z)
        Z /= Z.sum(axis=1, keepdims=True)
        return Z

    def loss(self, P, y, sample_weight=None):
        """Mean cross-entropy of the probabilities ``P`` for the true classes ``y``."""
        eps = np.finfo(P.dtype).eps
        p_true = P[np.arange(P.shape[0]), y]
        np.clip(p_true, eps, 1 - eps, out=p_true)
        return -_mean(np.log(p_true, out=p_true), sample_weight)

    def backward(self, P, y, sample_weight=None):
        """Turn ``P`` into ``dL/dZ = (P - Y) / n`` in place and return it."""
        P[np.arange(P.shape[0]), y] -= 1
        return _scale_rows(P, sample_weight)


class LogisticCrossEntropy:
    """Logistic outputs, each with its own binary cross-entropy, summed.

    Used for binary problems (one output) and multilabel ones (one output per
    label). Targets are a 0/1 array of shape (n_samples, n_outputs).
    """

    def forward(self, Z):
        """Turn the logits ``Z`` into probabilities, in place."""
        return expit(Z, out=Z)

    def loss(self, P, Y, sample_weight=None):
        """Mean over samples of the binary cross-entropies summed over outputs."""
        eps = np.finfo(P.dtype).eps
        P = np.clip(P, eps, 1 - eps)
        per_sample = -(Y * np.log(P) + (1 - Y) * np.log1p(-P)).sum(axis=1)
        return _mean(per_sample, sample_weight)

    def backward(self, P, Y, sample_weight=None):
        """Turn ``P`` into ``dL/dZ = (P - Y) / n`` in place and return it."""
        P -= Y
        return _scale_rows(P, sample_weight)


OUTPUTS = {
    "softmax": SoftmaxCrossEntropy,
    "logistic": LogisticCrossEntropy,
}
