"""What lives only during one call to fit or partial_fit, and how it ends.

The fit state that the training loop advances (:class:`_FitState`), the
validation set it scores (:class:`_ValidationSet`), the stopping rule
(:class:`_Plateau`), the transaction that restores the estimator when the
call fails (:class:`_Transaction`) and the callback context
(:class:`_Callbacks`). Plain Python: the estimator base (:mod:`._base`)
decides what each holds.
"""

from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np

from ._network import TwoLayerNet


class _ValidationSet(NamedTuple):
    """A validated validation set.

    ``y`` is as the user gave it (what scorers compare with), ``Y`` in the
    network's encoding (what the validation loss needs).
    """

    X: Any
    y: Any
    Y: Any
    sample_weight: Any


@dataclass(frozen=True)
class _Plateau:
    """The stopping rule: no improvement of ``tol`` for ``patience`` epochs.

    It follows a value where higher is better: the validation score with early
    stopping, else the negated training loss. Immutable, so that the rule of a
    committed epoch can never be changed by a later one that fails.
    """

    tol: float
    patience: float
    best: float = -np.inf
    count: int = 0

    def update(self, value):
        """The rule after one more epoch that scored ``value``."""
        count = self.count + 1 if value < self.best + self.tol else 0
        return replace(self, best=max(self.best, value), count=count)

    @property
    def stalled(self):
        """True when the value has not improved for more than ``patience`` epochs."""
        return self.count > self.patience

    def restarted(self):
        """The rule after the learning rate was lowered: the count starts over."""
        return replace(self, count=0)


@dataclass
class _FitState:
    """What lives only during one call to fit or partial_fit.

    The loop reads and advances this, never the estimator; :meth:`_commit`
    publishes it. ``model`` holds the attributes that describe the network
    (``n_outputs_``, ``out_activation_``, ``classes_`` ...), ``stream`` the random
    stream at the start of the current chain of epochs and ``stream_epochs``
    the epochs drawn from it since, which is how a warm start continues it.
    """

    X: Any
    Y: Any
    sample_weight: Any
    model: dict
    network: TwoLayerNet
    optimizer: Any
    batches: Any
    validation: _ValidationSet | None
    scorer: Any
    plateau: _Plateau
    best_params: np.ndarray | None
    random_state: np.random.RandomState
    stream: np.random.RandomState
    stream_epochs: int
    incremental: bool
    n_iter: int
    t: int
    loss: float | None
    loss_curve: list
    validation_loss_curve: list | None
    validation_scores: list | None
    callbacks: Any = None
    committed: bool = False


class _Transaction:
    """Restore the estimator's attributes if the block raises.

    Restoring the attribute dictionary restores the model because training
    never mutates an object that the estimator holds: it rebinds attributes.
    Attributes that others set during the call and tear down themselves
    (scikit-learn's callback context) are declared with :meth:`exempt`.
    """

    def __init__(self, estimator):
        self.estimator = estimator
        self.saved = dict(vars(estimator))
        self.exempt_keys = set()

    def exempt(self, keys):
        """Leave the attributes ``keys`` as they are when restoring."""
        self.exempt_keys.update(keys)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None:
            state = vars(self.estimator)
            kept = {key: state[key] for key in self.exempt_keys if key in state}
            state.clear()
            state.update(self.saved)
            state.update(kept)
        return False


class _Callbacks:
    """The fit's scikit-learn callback context; every hook is a no-op without one.

    The fit is a task of one subtask per epoch (per iteration with 'lbfgs').
    """

    def __init__(self, fit_task, estimator, X, y, sample_weight):
        self.fit_task = fit_task
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        self.data = {"X": X, "y": y, "metadata": metadata}
        if fit_task is not None:
            fit_task.call_on_fit_task_begin(estimator=estimator, **self.data)

    def begin_epoch(self, estimator):
        """Open the subtask of one epoch."""
        if self.fit_task is None:
            return None
        task = self.fit_task.subcontext(task_name="epoch")
        task.call_on_fit_task_begin(estimator=estimator, **self.data)
        return task

    def end(self, task, estimator, attributes):
        """Close a task; True when a callback asks training to stop.

        ``attributes`` returns the fitted attributes of the model at the end of
        the task, from which scikit-learn builds a callback's
        ``fitted_estimator``.
        """
        if task is None:
            return False
        return task.call_on_fit_task_end(
            estimator=estimator, reconstruction_attributes=attributes, **self.data
        )
