"""What lives during one call to fit, what carries over to the next, and how a
call ends.

:class:`_FitState` is what the training loop advances during one call;
:class:`_Progress` is what one fit hands the next (warm start or
``partial_fit``), committed with every epoch; :class:`_Plateau` is the
stopping rule; :class:`_Transaction` restores the estimator when the call
fails; :class:`_Callbacks` is scikit-learn's callback context. Plain Python:
the estimator base (:mod:`._base`) decides what each holds.
"""

import copy
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ._network import TwoLayerNet


@dataclass(frozen=True)
class _Plateau:
    """The stopping rule: no improvement of ``tol`` for ``patience`` epochs.

    It follows a value where higher is better: the validation score with early
    stopping, else the negated training loss; ``monitors`` says which, so that
    a rule is never carried over to a fit that follows the other. Immutable,
    so that the rule of a committed epoch can never be changed by a later one
    that fails.
    """

    tol: float
    patience: float
    monitors: str
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

    def resumed(self, tol, patience, monitors):
        """This rule under a new fit's settings: carried over, or a fresh one."""
        if monitors != self.monitors:
            return _Plateau(tol, patience, monitors)
        return replace(self, tol=tol, patience=patience)


@dataclass
class _Progress:
    """What carries over from one fit to the next: one value, committed whole.

    ``stream`` is the random stream at the start of the current chain of
    epochs and ``stream_epochs`` the epochs drawn from it since: a warm start
    replays those draws to continue the chain (a draw per epoch is a shuffle,
    cheaper than copying the stream at every commit). ``optimizer`` is None
    for 'lbfgs'. The curves are lists while a fit runs; :meth:`snapshot`
    copies everything that the loop goes on changing.
    """

    stream: np.random.RandomState
    stream_epochs: int
    optimizer: Any
    plateau: _Plateau
    n_iter: int = 0
    t: int = 0
    loss: float | None = None
    loss_curve: list = field(default_factory=list)
    validation_loss_curve: list | None = None
    validation_scores: list | None = None

    def snapshot(self):
        """A copy that no later epoch of the running fit can change."""
        return replace(
            self,
            optimizer=copy.deepcopy(self.optimizer),
            loss_curve=list(self.loss_curve),
            validation_loss_curve=_copy(self.validation_loss_curve),
            validation_scores=_copy(self.validation_scores),
        )

    def resumed(self, *, stochastic, incremental, optimizer, plateau):
        """The progress a continued fit starts from (the committed one is left alone).

        L-BFGS restarts its curvature memory at every fit, as MLPClassifier's
        does: its curves and counters start over, and only the stream and
        ``t`` carry on. A stochastic fit carries the optimizer's state, the
        stopping rule and the curves; ``n_iter`` counts the epochs of this
        call, except that a stream of ``partial_fit`` calls counts them all.
        """
        if not stochastic:
            return _Progress(self.stream, self.stream_epochs, None, plateau, t=self.t)
        return _Progress(
            stream=self.stream,
            stream_epochs=self.stream_epochs,
            optimizer=optimizer,
            plateau=plateau,
            n_iter=self.n_iter if incremental else 0,
            t=self.t,
            loss=self.loss,
            loss_curve=list(self.loss_curve),
            validation_loss_curve=_copy(self.validation_loss_curve),
            validation_scores=_copy(self.validation_scores),
        )


def _copy(curve):
    """A copy of a curve, or None."""
    return None if curve is None else list(curve)


@dataclass
class _FitState:
    """What lives only during one call to fit or partial_fit.

    The loop reads and advances this, never the estimator; ``_commit``
    publishes it. ``targets`` holds the attributes that describe the
    network's targets (``n_outputs_``, ``out_activation_``, ``classes_`` ...),
    ``random_state`` the working copy of the progress's stream.
    """

    X: Any
    Y: Any
    sample_weight: Any
    targets: dict
    network: TwoLayerNet
    stochastic: bool
    incremental: bool
    progress: _Progress
    random_state: np.random.RandomState
    early_stopping: Any
    batches: Any = None
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

    @classmethod
    def open(cls, estimator, transaction, X, y, sample_weight, n_tasks):
        """Open the fit's callback context, where scikit-learn has callbacks.

        scikit-learn keeps the context in attributes of the estimator that it
        tears down itself after the call: the transaction leaves them alone,
        whatever their names.
        """
        if not hasattr(estimator, "_init_callback_context"):
            return cls(None, estimator, X, y, sample_weight)
        before = dict(vars(estimator))
        fit_task = estimator._init_callback_context(max_subtasks=n_tasks)
        transaction.exempt(
            key
            for key, value in vars(estimator).items()
            if before.get(key) is not value
        )
        return cls(fit_task, estimator, X, y, sample_weight)

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


def replay(random_state, order, progress, params):
    """Draw again what the progress's chain drew, to continue its stream."""
    for _ in range(progress.stream_epochs):
        draw_epoch(random_state, order, params)


def draw_epoch(random_state, order, params):
    """The random draws of one epoch: its shuffle, and its dropout stream.

    ``params`` has the estimator's ``shuffle`` and ``dropout``. Dropout masks
    come from a stream seeded once per epoch, so that replaying an epoch's
    draws costs no more than a shuffle.
    """
    if params.shuffle and order is not None:
        random_state.shuffle(order)
    if params.dropout:
        return np.random.RandomState(random_state.randint(np.iinfo(np.int32).max))
    return None


def progress_of_0_2(state):
    """The :class:`_Progress` of a model pickled by skmlp_numpy 0.2."""
    early = state.get("best_validation_score_") is not None
    if early:
        best = state["best_validation_score_"]
    else:
        best = -np.inf if state.get("best_loss_") is None else -state["best_loss_"]
    monitors = "validation score" if early else "training loss"
    return _Progress(
        stream=state.pop("_stream"),
        stream_epochs=state.pop("_stream_epochs"),
        optimizer=state.pop("_optimizer", None),
        plateau=_Plateau(
            state["tol"],
            state["n_iter_no_change"],
            monitors,
            best,
            state.pop("_no_improvement_count", 0),
        ),
        n_iter=state["n_iter_"],
        t=state["t_"],
        loss=state["loss_"],
        loss_curve=list(state["loss_curve_"]),
        validation_loss_curve=_copy(state.get("validation_loss_curve_")),
        validation_scores=_copy(state.get("validation_scores_")),
    )
