"""The two-layer network: affine -> activation -> affine -> output.

NumPy only (and SciPy's sparse rows, which the first layer multiplies as they
are). The network owns its memory: one flat vector holds every parameter
(``W1, W2, b1, b2``, the order in which scikit-learn packs an MLP for L-BFGS)
and one flat vector every gradient, so that an optimizer updates the whole
network with a handful of array operations and L-BFGS sees the parameters
without any packing. The layers work on views of these vectors and on work
buffers that are sized once for the largest batch and then reused.
"""

import math

import numpy as np
from scipy import sparse

from ._blockwise import in_blocks, scratch
from ._layers import ACTIVATIONS, OUTPUTS, Affine, GroupedAffine, LeakyReLU

__all__ = ["TwoLayerNet", "numerical_gradient"]

# He (Kaiming) gains of the ReLU-like activations that MLPClassifier lacks.
# Glorot's bound suits units that are linear around 0 (tanh, logistic); a
# ReLU-like unit passes on only about half the second moment of its input,
# which He et al. (2015) make up for with weights of variance gain**2 / fan_in,
# gain = sqrt(2): uniform on [-r, r], r = gain * sqrt(3 / fan_in), PyTorch's
# kaiming_uniform_. Leaky ReLU's gain is PyTorch's calculate_gain('leaky_relu',
# 0.01); GELU and SiLU, which PyTorch gives no gain of their own, take ReLU's,
# whose shape they have away from 0. Only the hidden layer, the one followed
# by the activation, is drawn so; the output layer keeps Glorot's bound, and
# 'relu' keeps MLPClassifier's Glorot init, for number-for-number parity.
_HE_GAINS = {
    "leaky_relu": math.sqrt(2 / (1 + LeakyReLU.slope**2)),
    "gelu": math.sqrt(2),
    "silu": math.sqrt(2),
}


class TwoLayerNet:
    """A network with one hidden layer, trained by backpropagation.

    Parameters
    ----------
    coefs : list of two ndarrays
        Weights of shape (n_features, n_hidden) and (n_hidden, n_outputs).
        Copied into :attr:`params` when ``trainable``. An ensemble of ``k``
        members (see :attr:`n_members`) has weights of shape
        (n_features, k * n_hidden) and (k, n_hidden, n_outputs): member
        ``j``'s hidden units are the columns ``j * n_hidden`` to
        ``(j + 1) * n_hidden``, and its output layer is ``coefs[1][j]``.
    intercepts : list of two ndarrays
        Biases of shape (n_hidden,) and (n_outputs,), likewise; (k *
        n_hidden,) and (k, n_outputs) for an ensemble.
    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', \
            'gelu', 'silu'}
        Activation of the hidden layer.
    output : {'softmax', 'logistic', 'identity', 'exp'} or output layer
        Output activation, fused with its loss: cross-entropy for 'softmax'
        and 'logistic', squared error for 'identity', Poisson deviance for
        'exp'. An output layer of :mod:`._layers` (such as
        ``PinballLoss(0.9)``) is used as it is: that is how a loss other than
        its output's default (the absolute error, the pinball loss) trains.
    dropout : float, default=0.0
        Fraction of hidden units dropped at random in each training step
        (inverted dropout: the kept units are scaled by ``1 / (1 - dropout)``,
        so that prediction needs no rescaling). Prediction never drops units.
    trainable : bool, default=True
        Copy the weights into one flat parameter vector with its gradient, for
        training. A network that only predicts uses the given arrays as they
        are, and has neither :attr:`params` nor :attr:`grads`.

    Attributes
    ----------
    params : ndarray of shape (n_params,) or None
        Every parameter, in one vector (None unless ``trainable``).
    grads : ndarray of shape (n_params,) or None
        The gradient of the last :meth:`loss_grad`, laid out like ``params``.
    coefs : list of ndarray
        Views of ``params``: the two weight matrices.
    intercepts : list of ndarray
        Views of ``params``: the two bias vectors.
    n_members : int
        The number of members: 1, or ``k`` for an ensemble of ``k`` nets of
        the same architecture trained together, whose output layer is
        grouped (:class:`~._layers.GroupedAffine`). Members share the batches
        and nothing else: the hidden layer of ``k`` members is one affine map
        of ``k * n_hidden`` units, the output layer one batched product.
        Predictions are the mean of the members' outputs.
    """

    def __init__(
        self, coefs, intercepts, activation, output, dropout=0.0, trainable=True
    ):
        if trainable:
            dtype = np.result_type(*coefs, *intercepts)
            shapes = [c.shape for c in coefs] + [b.shape for b in intercepts]
            sizes = [int(np.prod(s)) for s in shapes]
            self._shapes = shapes
            self._offsets = np.cumsum([0] + sizes)
            self.params = np.empty(self._offsets[-1], dtype=dtype)
            self.grads = np.zeros_like(self.params)
            W1, W2, b1, b2 = self.unflatten(self.params)
            dW1, dW2, db1, db2 = self.unflatten(self.grads)
            for view, value in zip(
                (W1, W2, b1, b2), (*coefs, *intercepts), strict=True
            ):
                view[...] = value
            # The weights, without the biases, form the first part of params:
            # the L2 penalty and its gradient are single operations on it.
            self._n_coefs = sizes[0] + sizes[1]
        else:
            # Prediction only: the given arrays are used as they are, uncopied.
            self.params = self.grads = None
            W1, W2 = coefs
            b1, b2 = intercepts
            dW1 = dW2 = db1 = db2 = None
        self.coefs = [W1, W2]
        self.intercepts = [b1, b2]
        # An ensemble's output weights are a stack, one matrix per member.
        self.n_members = W2.shape[0] if W2.ndim == 3 else 1
        self.n_hidden = W1.shape[1]  # all members' hidden units
        self.n_outputs = W2.shape[-1]  # of one member
        self.hidden = Affine(W1, b1, dW1, db1)
        self.activation = ACTIVATIONS[activation]()
        out_layer = Affine if self.n_members == 1 else GroupedAffine
        self.out = out_layer(W2, b2, dW2, db2)
        self.output = OUTPUTS[output]() if isinstance(output, str) else output
        self.dropout = dropout
        self._work = {}
        self._kept = None

    def unflatten(self, flat):
        """Views of a vector laid out like :attr:`params`: ``W1, W2, b1, b2``."""
        return [
            flat[start:stop].reshape(shape)
            for start, stop, shape in zip(
                self._offsets[:-1], self._offsets[1:], self._shapes, strict=True
            )
        ]

    @classmethod
    def initialize(
        cls,
        n_features,
        n_hidden,
        n_outputs,
        activation,
        output,
        random_state,
        dtype,
        dropout=0.0,
        n_members=1,
    ):
        """Create a network with Glorot-uniform weights, as MLPClassifier does.

        Each layer draws its weights, then its biases, uniformly from
        ``[-r, r]`` with ``r = sqrt(k / (fan_in + fan_out))``, ``k = 2`` for a
        logistic hidden layer and ``k = 6`` otherwise. The draws are made in
        float64 from ``random_state`` (a ``RandomState``) in MLPClassifier's
        order, then cast to ``dtype``. ``dropout`` is passed on to the network.

        The activations that MLPClassifier lacks ('leaky_relu', 'gelu',
        'silu') draw the hidden layer's weights and biases He-uniform instead,
        ``r = gain * sqrt(3 / n_features)``; see ``_HE_GAINS``.

        With ``n_members=k > 1``, each member is drawn as a network of its
        own would be, the members one after the other from ``random_state``,
        and assembled into an ensemble (see :attr:`n_members`): one member
        draws exactly the network of ``n_members=1``.
        """
        factor = 2.0 if activation == "logistic" else 6.0
        hidden_bound = np.sqrt(factor / (n_features + n_hidden))
        if activation in _HE_GAINS:
            hidden_bound = _HE_GAINS[activation] * np.sqrt(3 / n_features)
        out_bound = np.sqrt(factor / (n_hidden + n_outputs))
        # The ensemble's arrays first: a size beyond memory fails here, at
        # once, not after drawing the members one by one.
        W1 = np.empty((n_features, n_members * n_hidden))
        b1 = np.empty(n_members * n_hidden)
        W2 = np.empty((n_members, n_hidden, n_outputs))
        b2 = np.empty((n_members, n_outputs))
        draw = random_state.uniform
        for j in range(n_members):
            units = slice(j * n_hidden, (j + 1) * n_hidden)
            W1[:, units] = draw(-hidden_bound, hidden_bound, (n_features, n_hidden))
            b1[units] = draw(-hidden_bound, hidden_bound, n_hidden)
            W2[j] = draw(-out_bound, out_bound, (n_hidden, n_outputs))
            b2[j] = draw(-out_bound, out_bound, n_outputs)
        if n_members == 1:
            W2, b2 = W2[0], b2[0]
        coefs, intercepts = [W1, W2], [b1, b2]
        coefs = [c.astype(dtype) for c in coefs]
        intercepts = [b.astype(dtype) for b in intercepts]
        return cls(coefs, intercepts, activation, output, dropout=dropout)

    @property
    def dtype(self):
        """The dtype of every parameter and buffer."""
        return self.coefs[0].dtype

    def _buffer(self, name, n_samples):
        """The work buffer ``name`` for ``n_samples`` rows, grown when needed.

        "P" is as wide as the output layer (all members' outputs), the
        others ("H", "Z", "dH", "mask", "H_dropped") as the hidden layer.
        Each is allocated when first needed, so that prediction never holds
        the buffers of training. ("Z", the hidden layer's input, serves the
        activations that differentiate from it, in prediction too: they
        cannot work in place.)
        """
        buffer = self._work.get(name)
        if buffer is None or buffer.shape[0] < n_samples:
            width = self.n_members * self.n_outputs if name == "P" else self.n_hidden
            buffer = np.empty((n_samples, width), dtype=self.dtype)
            self._work[name] = buffer
        return buffer[:n_samples]

    def forward(
        self, X, training=False, random_state=None, hidden=False, members=False
    ):
        """Outputs (probabilities, or predicted values) for the rows ``X``.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_samples, n_features)
            Input rows, dense or SciPy sparse, in the network's dtype.
        training : bool, default=False
            Keep what :meth:`backward` needs, and apply dropout.
        random_state : RandomState, default=None
            Source of the dropout masks; needed only when training with
            dropout.
        hidden : bool, default=False
            Stop at the hidden layer and return its activations (before any
            dropout), of shape (n_samples, n_hidden).
        members : bool, default=False
            Return each member's outputs, of shape (n_samples * n_members,
            n_outputs), member ``j``'s output for row ``i`` in row
            ``i * n_members + j``, rather than their mean.

        Returns
        -------
        P : ndarray of shape (n_samples, n_outputs)
            A view of a work buffer, overwritten by the next call (for an
            ensemble, the members' mean is a new array).
        """
        n_samples = X.shape[0]
        P = self._buffer("P", n_samples)
        # The activation's derivative reads its input Z1 or its output H,
        # which backward finds in ``_kept``; an activation that reads Z1 keeps
        # it apart from H. Sparse rows' product is a new array, not a buffer.
        first = "Z" if self.activation.needs_input else "H"
        Z = self.hidden.forward(
            X,
            out=None if sparse.issparse(X) else self._buffer(first, n_samples),
            cache=training,
        )
        if self.activation.needs_input:
            H = self.activation.forward(Z, out=self._buffer("H", n_samples))
            self._kept = Z if training else None
        else:
            H = self.activation.forward(Z)
            self._kept = H if training else None
        if hidden:
            return H
        if training and self.dropout:
            # H itself stays intact: the activation's backward reads it.
            mask = self._buffer("mask", n_samples)
            keep = random_state.random_sample(mask.shape) >= self.dropout
            np.multiply(keep, 1 / (1 - self.dropout), out=mask)
            H = np.multiply(H, mask, out=self._buffer("H_dropped", n_samples))
        if self.n_members == 1:
            return self.output.forward(self.out.forward(H, out=P, cache=training))
        # Each member's outputs are a row of their own for the output layer.
        k, n_outputs = self.n_members, self.n_outputs
        Z2 = self.out.forward(H, out=P, cache=training)
        P = self.output.forward(Z2.reshape(n_samples * k, n_outputs))
        if members:
            return P
        return np.mean(P.reshape(n_samples, k, n_outputs), axis=1)

    def backward(self, dZ2):
        """Backpropagate ``dZ2 = dL/dZ2`` through the last training forward pass.

        Fills :attr:`grads`, without the L2 penalty.
        """
        n_samples = dZ2.shape[0] // self.n_members
        dZ2 = dZ2.reshape(n_samples, -1)
        dH = self._buffer("dH", n_samples)
        self.out.backward(dZ2, dX=dH)
        if self.dropout:
            dH *= self._buffer("mask", n_samples)
        self.hidden.backward(self.activation.backward(dH, self._kept))

    def loss_grad(self, X, y, sample_weight=None, alpha=0.0, random_state=None):
        """Loss on one batch, with its gradient left in :attr:`grads`.

        The loss is the output layer's (weighted) mean loss plus the L2 penalty
        ``alpha / 2 * ||W||**2 / n``, where ``n`` is the number of rows (or the
        sum of ``sample_weight``), as in MLPClassifier.

        An ensemble's loss is the mean of its members' losses, each computed
        as a network of its own would compute it, while :attr:`grads` holds
        each member's own gradient: the gradient of the members' *sum*, that
        is ``n_members`` times the gradient of the returned loss. So a
        member's step under SGD or Adam is the step of a network of its own
        on the batch, and the loss reads as one network's.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_samples, n_features)
            Input rows, dense or SciPy sparse, in the network's dtype.
        y : ndarray
            Targets in the output layer's encoding: class indices for softmax,
            a 0/1 matrix of shape (n_samples, n_outputs) for logistic outputs,
            values of shape (n_samples, n_outputs) for regression outputs.
        sample_weight : ndarray of shape (n_samples,), default=None
            Weights of the rows, in the network's dtype.
        alpha : float, default=0.0
            Strength of the L2 penalty on the weights.
        random_state : RandomState, default=None
            Source of the dropout masks.

        Returns
        -------
        loss : float
        """
        P = self.forward(X, training=True, random_state=random_state, members=True)
        n = X.shape[0] if sample_weight is None else float(sample_weight.sum())
        k = self.n_members
        if k > 1:
            # One row per member and sample: every output layer's loss works
            # per member, averaged over the members.
            y = np.repeat(y, k, axis=0)
            if sample_weight is not None:
                sample_weight = np.repeat(sample_weight, k)
        # The output layer turns P into dL/dZ2 in place while computing the loss.
        loss = self.output.loss_backward(P, y, sample_weight)
        if k > 1:
            P *= k  # each member's gradient of its own mean loss, not of 1/k of it
        self.backward(P)
        if alpha:
            loss += self.penalty(alpha, n, self.grads)
        return loss

    def penalty(self, alpha, n, grads):
        """Add the L2 penalty ``alpha / 2 * ||W||**2 / n`` to the loss and ``grads``.

        Parameters
        ----------
        alpha : float
            Strength of the penalty.
        n : float
            Number of samples (or sum of their weights) it is divided by.
        grads : ndarray of shape (n_params,)
            Gradient vector laid out like :attr:`params`; its weight part gets
            ``alpha / n * W`` added in place.

        Returns
        -------
        penalty : float
            The penalty's value: for an ensemble, the mean of the members'
            penalties, while each member's weights get their own gradient.
        """
        W = self.params[: self._n_coefs]
        scale = alpha / n
        # A block at a time: ``scale * W`` whole would be a copy of the weights.
        if "penalty" not in self._work:
            self._work["penalty"] = scratch(W)
        dW = grads[: self._n_coefs]
        for w, dw, scaled in in_blocks(self._work["penalty"], W, dW):
            dw += np.multiply(w, scale, out=scaled)
        return 0.5 * alpha * self.squared_weight_norm() / n

    @property
    def summed_outputs(self):
        """The factor between the loss and the function its gradient belongs to.

        ``n_outputs`` for a loss averaged over the outputs whose gradient is
        that of their sum (the output layer's ``sums_outputs``: MLPRegressor's
        squared error, the absolute error, the pinball loss), else 1.
        """
        return self.n_outputs if getattr(self.output, "sums_outputs", False) else 1

    def layer_magnitudes(self):
        """The largest magnitude of each layer's parameters (weights and biases).

        ``[max(|W1|, |b1|), max(|W2|, |b2|)]``, from the extremes of the four
        blocks of :attr:`params`: not finite where a parameter is not.
        """
        starts = self._offsets[:-1]
        low = np.minimum.reduceat(self.params, starts).tolist()
        high = np.maximum.reduceat(self.params, starts).tolist()
        if any(map(math.isnan, low + high)):
            return [math.nan, math.nan]
        # Blocks W1, W2, b1, b2: the layers are (W1, b1) and (W2, b2).
        W1, W2, b1, b2 = (max(-a, b) for a, b in zip(low, high, strict=True))
        return [max(W1, b1), max(W2, b2)]

    def squared_weight_norm(self):
        """``||W||**2``, the sum of the squared weights (biases excluded).

        An ensemble's is the mean of its members' sums.
        """
        W = self.params[: self._n_coefs]
        if self.n_members == 1:
            return float(np.dot(W, W))
        return float(np.dot(W, W)) / self.n_members

    def __getstate__(self):
        # Work buffers are scratch space: not worth pickling.
        return {**self.__dict__, "_work": {}, "_kept": None}


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    ``x`` is perturbed in place, one entry at a time, and restored. Used by the
    tests to check backpropagation.

    Parameters
    ----------
    f : callable
        Function of no arguments that reads ``x`` and returns a float.
    x : ndarray
        The point, modified during the call and restored afterwards.
    eps : float, default=1e-6
        Step of the central difference.

    Returns
    -------
    grad : ndarray of the shape of ``x``
    """
    grad = np.empty(x.shape, dtype=np.float64)
    flat = x.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        loss_plus = f()
        flat[i] = saved - eps
        loss_minus = f()
        flat[i] = saved
        grad.flat[i] = (loss_plus - loss_minus) / (2 * eps)
    return grad
