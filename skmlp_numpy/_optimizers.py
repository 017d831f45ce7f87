"""Stochastic optimizers: SGD (with momentum or Nesterov's momentum) and Adam,
and the learning-rate schedules.

NumPy only (and :mod:`._blockwise`). An optimizer knows nothing of networks:
``step(params, grads)`` updates one array of parameters in place from an
array of gradients of the same shape, and keeps its state (velocity,
moments) in arrays of that shape. It prints nothing; the estimator decides
what to report.

The arithmetic follows scikit-learn's ``_stochastic_optimizers.py`` operation
for operation, done in place, a block of the parameters at a time (so that a
step needs no scratch array as large as the parameters, see
:mod:`._blockwise`), and in the dtype of the parameters: Python floats, not
NumPy float64 scalars, carry the learning rate, so float32 parameters never
upcast.

The updates stay NumPy ufuncs on purpose. BLAS ``axpy`` (from scipy) would
save a pass here and there, but scipy ships its own OpenBLAS with its own
thread pool: interleaved with NumPy's matrix products at default thread
counts, the two pools fought over the cores and an epoch became 40 times
slower.
"""

import math

import numpy as np

from ._blockwise import all_finite, in_blocks, scratch

__all__ = ["SGD", "Adam", "OPTIMIZERS", "cosine_factor"]


class _Scratch:
    """Mixin: updates a block at a time, through a scratch block.

    A step works through the parameters a block at a time (see
    :mod:`._blockwise`): its scratch array is a block, not a copy of the
    parameters. Pickles and deep copies leave the scratch out: it holds
    nothing between steps.
    """

    def _in_blocks(self, *arrays):
        """The blocks of ``arrays`` and of the scratch, allocated on first use."""
        if self._work is None:
            self._work = scratch(arrays[0])
        return in_blocks(self._work, *arrays)

    def __getstate__(self):
        return {**self.__dict__, "_work": None}


def cosine_factor(step, n_steps, warmup_fraction):
    """The factor of ``learning_rate_init`` at step ``step`` of a 'cosine' cycle.

    Steps count from 0 in a cycle of ``n_steps``. The first
    ``W = warmup_fraction * n_steps`` steps warm up linearly, step ``s`` at
    ``(s + 1) / W``, so that no step is wasted at a rate of 0 and the last
    warm-up step takes the full rate; the rest follow a half cosine from 1
    down towards 0, ``(1 + cos(pi (s - W) / (n_steps - W))) / 2``, which
    reaches 0 one step after the cycle's last. A Python float.
    """
    warmup = warmup_fraction * n_steps
    if step < warmup:
        return min(1.0, (step + 1) / warmup)
    return 0.5 * (1.0 + math.cos(math.pi * (step - warmup) / (n_steps - warmup)))


class _Schedule:
    """Mixin: the 'cosine' schedule, which sets the rate of every step.

    A cycle lasts ``schedule_epochs`` epochs, and its steps are paced by the
    epochs': :meth:`begin_epoch` says how many steps the epoch takes, so the
    schedule needs no total known in advance (``partial_fit`` chunks may
    differ in size). The state is the epochs done in the running cycle
    (``cycle_epoch``); an epoch that begins after the cycle's last starts a
    new cycle (a warm restart, as in SGDR).
    """

    def _set_schedule(self, learning_rate, warmup_fraction, schedule_epochs):
        """Set the schedule; switching to 'cosine' starts a cycle."""
        previous = getattr(self, "lr_schedule", None)
        if learning_rate == "cosine" and previous != "cosine":
            self.cycle_epoch = 0
            self._epoch_steps, self._epoch_step = 1, 0
        elif previous == "cosine" and learning_rate != "cosine":
            # The last scheduled rate belonged to one step of the cycle.
            self.learning_rate = self.learning_rate_init
        self.lr_schedule = learning_rate
        self.warmup_fraction = float(warmup_fraction)
        self.schedule_epochs = int(schedule_epochs)

    def begin_epoch(self, n_steps):
        """Begin an epoch of ``n_steps`` steps (calls to :meth:`step`)."""
        if self.lr_schedule != "cosine":
            return
        if self.cycle_epoch >= self.schedule_epochs:
            self.cycle_epoch = 0  # the cycle is over: restart it
        self._epoch_steps, self._epoch_step = max(int(n_steps), 1), 0

    def _cosine_rate(self):
        """The rate of the next step under 'cosine'; advances the schedule."""
        n = self._epoch_steps
        step = self.cycle_epoch * n + self._epoch_step
        self._epoch_step += 1
        factor = cosine_factor(step, self.schedule_epochs * n, self.warmup_fraction)
        return self.learning_rate_init * factor

    def _end_cycle_epoch(self):
        """Count a finished epoch of the running 'cosine' cycle."""
        if self.lr_schedule == "cosine":
            self.cycle_epoch += 1


class SGD(_Schedule, _Scratch):
    """Stochastic gradient descent with momentum and learning-rate schedules.

    Parameters
    ----------
    params : ndarray
        The parameters, used for the shape and dtype of the state.
    learning_rate_init : float, default=0.1
        The initial learning rate.
    learning_rate : {'constant', 'invscaling', 'adaptive', 'cosine'}, \
            default='constant'
        The schedule. 'invscaling' sets the rate to
        ``learning_rate_init / (t + 1) ** power_t`` at the end of each epoch,
        ``t`` the number of samples seen. 'adaptive' divides it by 5 each time
        training stops improving (see :meth:`on_plateau`). 'cosine' sets the
        rate of every step (see :func:`cosine_factor`) along cycles of
        ``schedule_epochs`` epochs, paced by :meth:`begin_epoch`.
    momentum : float, default=0.9
        Momentum of the velocity, in [0, 1].
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum.
    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.
    warmup_fraction : float, default=0.0
        Fraction of each 'cosine' cycle's steps that warm up linearly, in
        [0, 1).
    schedule_epochs : int, default=200
        Length in epochs of a 'cosine' cycle.

    Attributes
    ----------
    learning_rate : float
        The current learning rate (scikit-learn's name for it).
    lr_schedule : {'constant', 'invscaling', 'adaptive', 'cosine'}
        The schedule.
    cycle_epoch : int
        The epochs done in the running 'cosine' cycle (only with 'cosine').
    velocity : ndarray
        The velocity, shaped like the parameters.
    """

    # The names of the hyperparameters that set_hyperparameters takes: those
    # of MLPClassifier's parameters that configure this optimizer.
    HYPERPARAMETERS = (
        "learning_rate_init",
        "learning_rate",
        "momentum",
        "nesterovs_momentum",
        "power_t",
        "warmup_fraction",
        "schedule_epochs",
    )

    def __init__(
        self,
        params,
        learning_rate_init=0.1,
        learning_rate="constant",
        momentum=0.9,
        nesterovs_momentum=True,
        power_t=0.5,
        warmup_fraction=0.0,
        schedule_epochs=200,
    ):
        self._work = None
        self._shape, self._dtype = params.shape, params.dtype.name
        self.velocity = None
        self.learning_rate_init = None
        self.set_hyperparameters(
            learning_rate_init=learning_rate_init,
            learning_rate=learning_rate,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            power_t=power_t,
            warmup_fraction=warmup_fraction,
            schedule_epochs=schedule_epochs,
        )

    def set_hyperparameters(
        self,
        *,
        learning_rate_init,
        learning_rate,
        momentum,
        nesterovs_momentum,
        power_t,
        warmup_fraction,
        schedule_epochs,
    ):
        """Change the hyperparameters and keep the state.

        The velocity carries over, and so does the 'cosine' cycle. The
        current rate carries over too, unless ``learning_rate_init`` or the
        schedule changes to or from 'cosine': then training continues at
        ``learning_rate_init`` (or where the cosine puts it).
        """
        if float(learning_rate_init) != self.learning_rate_init:
            self.learning_rate = float(learning_rate_init)
        self.learning_rate_init = float(learning_rate_init)
        self._set_schedule(learning_rate, warmup_fraction, schedule_epochs)
        self.momentum = float(momentum)
        self.nesterovs_momentum = nesterovs_momentum
        self.power_t = float(power_t)
        if self.momentum and self.velocity is None:
            self.velocity = np.zeros(self._shape, dtype=self._dtype)

    def step(self, params, grads):
        """Update ``params`` in place from ``grads``."""
        if self.lr_schedule == "cosine":
            self.learning_rate = self._cosine_rate()
        rate, momentum = self.learning_rate, self.momentum
        if self.velocity is None:
            for p, g, step in self._in_blocks(params, grads):
                p -= np.multiply(g, rate, out=step)
            return
        for p, g, v, step in self._in_blocks(params, grads, self.velocity):
            np.multiply(g, rate, out=step)
            # v <- momentum * v - rate * g; Nesterov looks ahead along the new v.
            v *= momentum
            v -= step
            if self.nesterovs_momentum:
                p -= step
                p += np.multiply(v, momentum, out=step)
            else:
                p += v

    def is_finite(self):
        """Whether the velocity is finite: an overflow in it makes no NaN weights
        at once, but steps that are."""
        return self.velocity is None or all_finite(self.velocity)

    def end_epoch(self, n_seen):
        """Apply the 'invscaling' schedule after ``n_seen`` samples, or count
        the epoch of the 'cosine' cycle."""
        self._end_cycle_epoch()
        if self.lr_schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (n_seen + 1) ** self.power_t

    def on_plateau(self):
        """React to training that stopped improving.

        Returns
        -------
        stop : bool
            True when training should stop. With the 'adaptive' schedule the
            learning rate is divided by 5 instead, until it falls to 1e-6;
            'cosine', like 'constant', stops.
        """
        if self.lr_schedule != "adaptive" or self.learning_rate <= 1e-6:
            return True
        self.learning_rate /= 5.0
        return False


class Adam(_Schedule, _Scratch):
    """Adam: adaptive moment estimation (Kingma and Ba, 2014).

    Parameters
    ----------
    params : ndarray
        The parameters, used for the shape and dtype of the state.
    learning_rate_init : float, default=0.001
        The step size.
    learning_rate : {'constant', 'invscaling', 'adaptive', 'cosine'}, \
            default='constant'
        The schedule of the step size: 'cosine' as for :class:`SGD`; the
        others keep ``learning_rate_init``, as MLPClassifier's Adam does.
    beta_1 : float, default=0.9
        Decay rate of the first-moment estimate, in [0, 1).
    beta_2 : float, default=0.999
        Decay rate of the second-moment estimate, in [0, 1).
    epsilon : float, default=1e-8
        Added to the denominator for numerical stability.
    warmup_fraction : float, default=0.0
        Fraction of each 'cosine' cycle's steps that warm up linearly.
    schedule_epochs : int, default=200
        Length in epochs of a 'cosine' cycle.

    Attributes
    ----------
    learning_rate : float
        The bias-corrected step size of the last update.
    t : int
        The number of updates made.
    m, v : ndarray
        The first and second moment estimates, shaped like the parameters.
    """

    # The names of the hyperparameters that set_hyperparameters takes.
    HYPERPARAMETERS = (
        "learning_rate_init",
        "learning_rate",
        "beta_1",
        "beta_2",
        "epsilon",
        "warmup_fraction",
        "schedule_epochs",
    )

    def __init__(
        self,
        params,
        learning_rate_init=0.001,
        learning_rate="constant",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        warmup_fraction=0.0,
        schedule_epochs=200,
    ):
        self.set_hyperparameters(
            learning_rate_init=learning_rate_init,
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            warmup_fraction=warmup_fraction,
            schedule_epochs=schedule_epochs,
        )
        self.learning_rate = self.learning_rate_init
        self.t = 0
        self.m = np.zeros_like(params)
        self.v = np.zeros_like(params)
        self._work = None

    def set_hyperparameters(
        self,
        *,
        learning_rate_init,
        learning_rate,
        beta_1,
        beta_2,
        epsilon,
        warmup_fraction,
        schedule_epochs,
    ):
        """Change the hyperparameters and keep the state (moments, step count
        and the 'cosine' cycle)."""
        self.learning_rate_init = float(learning_rate_init)
        self._set_schedule(learning_rate, warmup_fraction, schedule_epochs)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)

    def step(self, params, grads):
        """Update ``params`` in place from ``grads``."""
        self.t += 1
        beta_1, beta_2, epsilon = self.beta_1, self.beta_2, self.epsilon
        rate = (
            self._cosine_rate()
            if self.lr_schedule == "cosine"
            else self.learning_rate_init
        )
        rate = rate * math.sqrt(1 - beta_2**self.t) / (1 - beta_1**self.t)
        self.learning_rate = rate
        for p, g, m, v, work in self._in_blocks(params, grads, self.m, self.v):
            # m <- beta_1 m + (1 - beta_1) g ; v <- beta_2 v + (1 - beta_2) g**2
            m *= beta_1
            m += np.multiply(g, 1 - beta_1, out=work)
            v *= beta_2
            np.square(g, out=work)
            work *= 1 - beta_2
            v += work
            # p <- p - learning_rate * m / (sqrt(v) + epsilon)
            np.sqrt(v, out=work)
            work += epsilon
            np.divide(m, work, out=work)
            work *= rate
            p -= work

    def is_finite(self):
        """Whether the moments are finite. A squared gradient beyond float32's
        range makes ``v`` infinite, and the steps of those weights 0, for
        ever, with the weights themselves finite.

        ``v``'s largest value tells (NaN propagates, ``v`` is never negative):
        a gradient that overflows ``m`` or is NaN overflows ``v`` first, or
        makes it NaN.
        """
        return math.isfinite(self.v.max())

    def end_epoch(self, n_seen):
        """Count the epoch of the 'cosine' cycle; the others have nothing to do."""
        self._end_cycle_epoch()

    def on_plateau(self):
        """Training stopped improving: Adam always stops (returns True)."""
        return True


OPTIMIZERS = {"sgd": SGD, "adam": Adam}
