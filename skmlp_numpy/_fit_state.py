"""What carries over from one fit to the next, and how a call ends.

:class:`_Progress` is what one fit hands the next (warm start or
``partial_fit``), committed with every epoch, and pickled as plain values;
:class:`_Plateau` is the stopping rule; :class:`_Transaction` restores the
estimator when the call fails; :class:`_Callbacks` is scikit-learn's callback
context. Plain Python: the call's loop (:mod:`._fit`) advances them.
"""

import copy
import signal
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from ._optimizers import OPTIMIZERS

# The name of a callable scorer, which no name tells from another: a warm
# start under it starts the best score over, as under another scorer.
UNKNOWN_SCORER = "?"


@dataclass(frozen=True)
class _Plateau:
    """The stopping rule: no improvement of ``tol`` for ``patience`` epochs.

    It follows a value where higher is better: the validation score with early
    stopping, else the negated training loss; ``monitors`` says which, and
    ``scorer`` names the validation score's scorer (None: unknown, in a rule
    of 0.4), so that a rule is never carried over to a fit that follows
    another value. Immutable, so that the rule of a committed epoch can never
    be changed by a later one that fails.
    """

    tol: float
    patience: float
    monitors: str
    best: float = -np.inf
    count: int = 0
    scorer: str | None = None

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

    def resumed(self, tol, patience, monitors, scorer=None):
        """This rule under a new fit's settings: carried over, or a fresh one.

        Fresh when the new fit follows another value, or scores it with
        another scorer: a best accuracy is no bar for a log loss.
        """
        # None: no early stopping, or a rule of 0.4 that named none.
        other_scorer = None not in (scorer, self.scorer) and (
            scorer != self.scorer or scorer == UNKNOWN_SCORER
        )
        if monitors != self.monitors or other_scorer:
            return _Plateau(tol, patience, monitors, scorer=scorer)
        return replace(self, tol=tol, patience=patience, scorer=scorer)


@dataclass(frozen=True)
class _Curve:
    """A curve by epoch (losses, scores) that no later epoch can change.

    The curve is the first ``length`` of ``values``. Appending extends
    ``values`` in place when no longer curve shares them, so that recording an
    epoch costs the same at the 10,000th as at the first, and a committed
    curve is never copied; a curve that a failed epoch went on from is copied
    once, when it is extended again.
    """

    values: list = field(default_factory=list)
    length: int = 0

    def appended(self, value):
        """This curve with ``value`` after its last."""
        values = self.values
        if len(values) != self.length:  # another curve extends these values
            values = values[: self.length]
        values.append(value)
        return _Curve(values, self.length + 1)

    @property
    def first(self):
        """The first value, or None."""
        return self.values[0] if self.length else None

    @property
    def last(self):
        """The last value, or None."""
        return self.values[self.length - 1] if self.length else None

    def tolist(self):
        """The values, as a new list."""
        return self.values[: self.length]

    def __getstate__(self):
        # Only the curve's own values: not what a longer curve appended.
        return {"values": self.tolist(), "length": self.length}


@dataclass
class _Progress:
    """What carries over from one fit to the next: one value, committed whole.

    The state itself, never a recipe to rebuild it, so that continuing costs
    the same after any number of fits: ``stream`` is the random stream and
    ``order`` the shuffled order of the training rows (None: their natural
    order) as the last committed epoch left them; ``split_stream`` the stream
    where the network's first fit began, from which early stopping draws the
    rows it holds out, so that every warm start holds out the same rows.
    ``optimizer`` is None for 'lbfgs'. ``rises`` counts the last epochs in a
    row whose loss rose, ``rise_base`` is the loss before the first of them
    and ``rise_reference`` the growth is judged against; ``magnitude`` has
    the largest magnitude of each layer's parameters at the last epoch's
    end, and ``rise_magnitude`` theirs before the first rise (see
    ``_checks.diverged``): carried over with the loss, so that a
    ``partial_fit`` stream is judged as one fit is. ``replay_epochs`` counts the epochs
    that a model of skmlp_numpy 0.2 or 0.3, which kept a recipe, still has to
    draw again (:meth:`continued_order`).

    While a fit runs, the stream, the order and the optimizer are its working
    copies. A commit's :meth:`snapshot` copies the order and the optimizer,
    and shares the stream: the stream is where the last epoch drawn left it,
    which is the last committed epoch whenever a call ends normally (nothing
    draws after the last commit). Only an interrupted call can end with an
    epoch drawn and not committed; :func:`rewound_stream` then draws the
    committed epochs again from where the call began. The curves are
    immutable :class:`_Curve` values, shared. A snapshot is new at each
    commit, but the later commits of a fit copy the order and the optimizer
    into the arrays of its previous snapshot, which the new one takes over.
    """

    stream: np.random.RandomState
    split_stream: np.random.RandomState
    optimizer: Any
    plateau: _Plateau
    order: np.ndarray | None = None
    n_iter: int = 0
    t: int = 0
    loss: float | None = None
    loss_curve: _Curve = field(default_factory=_Curve)
    validation_loss_curve: _Curve | None = None
    validation_scores: _Curve | None = None
    replay_epochs: int = 0
    rises: int = 0
    rise_base: float | None = None
    rise_reference: float | None = None
    magnitude: list[float] | None = None
    rise_magnitude: list[float] | None = None

    def snapshot(self, into=None, stream=None):
        """A copy that no later epoch of the running fit can change, but for the stream.

        ``into`` is None, or a snapshot that the same fit made before: the
        copy then takes over its arrays (the optimizer's state, the order),
        overwritten in place, so that a fit holds one committed copy of them
        and not, at each epoch's end, two. ``into`` is changed by this: it
        must be the fit's own, never one published before the call (which
        the transaction restores), and the caller publishes the copy in its
        place. The copy's stream is ``stream``, else this progress's own,
        shared (see the class's docstring).
        """
        return replace(
            self,
            stream=self.stream if stream is None else stream,
            optimizer=_copied(self.optimizer, None if into is None else into.optimizer),
            order=_copied(self.order, None if into is None else into.order),
        )

    def resumed(self, *, stochastic, incremental, optimizer, plateau):
        """The progress a continued fit starts from (the committed one is left alone).

        L-BFGS restarts its curvature memory at every fit, as MLPClassifier's
        does: its curves and counters start over, and only the stream, the
        order and ``t`` carry on. A stochastic fit carries the optimizer's
        state, the stopping rule and the curves; ``n_iter`` counts the epochs
        of this call, except that a stream of ``partial_fit`` calls counts
        them all.
        """
        carried = dict(
            stream=copied_stream(self.stream),
            split_stream=self.split_stream,
            order=self.order,
            t=self.t,
            replay_epochs=self.replay_epochs,
        )
        if not stochastic:
            return _Progress(optimizer=None, plateau=plateau, **carried)
        return _Progress(
            optimizer=optimizer,
            plateau=plateau,
            n_iter=self.n_iter if incremental else 0,
            loss=self.loss,
            rises=self.rises,
            rise_base=self.rise_base,
            rise_reference=self.rise_reference,
            magnitude=self.magnitude,
            rise_magnitude=self.rise_magnitude,
            loss_curve=self.loss_curve,
            validation_loss_curve=self.validation_loss_curve,
            validation_scores=self.validation_scores,
            **carried,
        )

    def continued_order(self, order, incremental, params):
        """The order of the training rows that this fit's first epoch shuffles on.

        ``order`` is this fit's rows (None: all, in their natural order). A
        warm start on the same rows continues the shuffle where the last
        committed epoch left it; each ``partial_fit`` call, and a fit on other
        rows, shuffles ``order`` from where it stands. ``params`` has the
        estimator's ``shuffle`` and ``dropout``.
        """
        if self.replay_epochs:
            # A model of 0.2 or 0.3: its stream is where its chain of epochs
            # began. Draw them again, once, as those versions did every fit.
            replayed = None if order is None else order.copy()
            for _ in range(self.replay_epochs):
                draw_epoch(self.stream, replayed, params)
            self.order, self.replay_epochs = replayed, 0
        same_rows = (
            order is not None
            and self.order is not None
            and len(self.order) == len(order)
            and np.array_equal(np.sort(self.order), np.sort(order))
        )
        if params.shuffle and same_rows and not incremental:
            return self.order.copy()
        return order

    def plain(self):
        """This progress as plain values: builtins, NumPy arrays and scalars.

        What a pickle or a skops file of the estimator holds, so that skops
        trusts no type of this package but the estimator's; :meth:`of_plain`
        makes the progress again. The streams are their ``get_state`` dicts,
        the optimizer its name and its state (without scratch space).
        """
        optimizer = self.optimizer
        if optimizer is not None:
            name = next(k for k, v in OPTIMIZERS.items() if type(optimizer) is v)
            optimizer = {"name": name, "state": optimizer.__getstate__()}
        return {
            "stream": self.stream.get_state(legacy=False),
            "split_stream": self.split_stream.get_state(legacy=False),
            "optimizer": optimizer,
            "plateau": asdict(self.plateau),
            "order": self.order,
            "n_iter": self.n_iter,
            "t": self.t,
            "loss": self.loss,
            **{name: _tolist(getattr(self, name)) for name in _CURVE_FIELDS},
            "replay_epochs": self.replay_epochs,
            "rises": self.rises,
            "rise_base": self.rise_base,
            "rise_reference": self.rise_reference,
            "magnitude": self.magnitude,
            "rise_magnitude": self.rise_magnitude,
        }

    @classmethod
    def of_plain(cls, values):
        """The progress that :meth:`plain` gave ``values``."""
        values = dict(values)
        if "rise_start" in values:
            # A development version's rule (never released): its rise is
            # judged afresh.
            del values["rise_start"]
            values["rises"] = 0
        optimizer = values["optimizer"]
        if optimizer is not None:
            optimizer_class = OPTIMIZERS[optimizer["name"]]
            values["optimizer"] = optimizer_class.__new__(optimizer_class)
            vars(values["optimizer"]).update(optimizer["state"])
        for name in ("stream", "split_stream"):
            values[name] = _stream_of_state(values[name])
        for name in _CURVE_FIELDS:
            values[name] = _curve(values[name])
        return cls(plateau=_Plateau(**values.pop("plateau")), **values)

    def curves(self):
        """The curves as the fitted attributes hold them: new lists, or None."""
        return {
            "loss_curve_": self.loss_curve.tolist(),
            "validation_loss_curve_": _tolist(self.validation_loss_curve),
            "validation_scores_": _tolist(self.validation_scores),
        }


# The fields of _Progress that are curves.
_CURVE_FIELDS = ("loss_curve", "validation_loss_curve", "validation_scores")


def _stream_of_state(state):
    """A new ``RandomState`` in ``state``, a ``get_state(legacy=False)`` dict."""
    stream = np.random.RandomState(getattr(np.random, state["bit_generator"])())
    stream.set_state(state)
    return stream


def copied_stream(stream):
    """A copy of the random stream ``stream`` (a ``RandomState``).

    Through the public ``get_state`` and ``set_state`` (about a third of a
    deep copy's time), the cached Gaussian included, whatever the bit
    generator.
    """
    return _stream_of_state(stream.get_state(legacy=False))


def rewound_stream(start, n_epochs, n_rows, params):
    """The stream ``start`` after the draws of ``n_epochs`` epochs over ``n_rows``.

    ``start`` is left as it is. A shuffle's draws depend on the number of
    rows alone, not on their order, so the epochs are drawn again over a
    stand-in of that length (None: rows in their natural order, no shuffle).
    ``params`` has the estimator's ``shuffle`` and ``dropout``.
    """
    stream = copied_stream(start)
    rows = None if n_rows is None else np.arange(n_rows)
    for _ in range(n_epochs):
        draw_epoch(stream, rows, params)
    return stream


def _copied(value, into):
    """A copy of ``value``, an array, an optimizer or None, made in ``into``.

    ``into`` is None, or an earlier copy of the same array or optimizer: its
    arrays of the same shape and dtype are overwritten in place (the
    optimizer's moments, velocity), and it is returned. An optimizer is
    copied as a deep copy would copy it, from the state that it pickles
    (without its scratch buffer).
    """
    if isinstance(value, np.ndarray):
        fits = (
            isinstance(into, np.ndarray)
            and into.shape == value.shape
            and into.dtype == value.dtype
        )
        if not fits:
            return value.copy()
        np.copyto(into, value)
        return into
    if into is None or type(into) is not type(value):
        return copy.deepcopy(value)
    held = vars(into)
    held.update(
        {
            name: _copied(item, held.get(name))
            if isinstance(item, np.ndarray)
            else copy.deepcopy(item)
            for name, item in value.__getstate__().items()
        }
    )
    return into


def _tolist(curve):
    """A curve's values as a new list, or None."""
    return None if curve is None else curve.tolist()


class _PublishedCurve:
    """A fitted curve (``loss_curve_`` ...): a list, made when it is first read.

    A commit publishes the :class:`_Progress` alone, so that an epoch costs no
    copy of the curves. The list read is the user's own: editing it changes
    nothing that a warm start resumes, and the next commit replaces it. It is
    kept under a private name with the progress it was made from, so that it
    is stale as soon as another progress is committed.
    """

    def __set_name__(self, owner, name):
        self.name = name
        self.field = name.rstrip("_")
        self.key = f"_published_{self.field}"

    def __get__(self, estimator, owner=None):
        if estimator is None:
            return self
        state = vars(estimator)
        progress = state.get("_progress")
        published = state.get(self.key)
        if published is None or published[0] is not progress:
            if progress is None:
                raise AttributeError(
                    f"{type(estimator).__name__!r} object has no attribute "
                    f"{self.name!r}"
                )
            published = (progress, _tolist(getattr(progress, self.field)))
            state[self.key] = published
        return published[1]

    def __set__(self, estimator, value):
        vars(estimator)[self.key] = (vars(estimator).get("_progress"), value)

    def __delete__(self, estimator):
        vars(estimator).pop(self.key, None)


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


# The signals that a program turns into KeyboardInterrupt or another
# exception: Ctrl-C, and a batch scheduler's SIGTERM or a timer's SIGALRM
# handed to ``signal.default_int_handler`` or to a handler of its own.
_DEFERRED_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGALRM", "SIGUSR1", "SIGUSR2")
    if hasattr(signal, name)
)


@contextmanager
def interrupts_deferred():
    """Hold Ctrl-C (and the like) off the block, and deliver it when the block ends.

    Python raises KeyboardInterrupt in the main thread between any two
    bytecodes, as any handler of a signal that raises. A commit that
    overwrites the committed arrays in place, cut there, would leave a model
    of weights from two epochs, or counters that disagree with them. So the
    signals of ``_DEFERRED_SIGNALS`` that have a Python handler are only
    recorded during the block, and handed after it to the handlers that they
    would have reached (Python's ``default_int_handler``, which raises
    KeyboardInterrupt, or the program's own), in the order they came. A
    handler that Python does not run (SIG_IGN, SIG_DFL, one set outside
    Python) is left alone; so are other threads, to which Python delivers no
    signal and where no handler can be set.
    """
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        for number in _DEFERRED_SIGNALS:
            handler = signal.getsignal(number)
            if callable(handler):
                handlers[number] = handler
    if not handlers:
        yield
        return
    received = []
    for number in handlers:
        signal.signal(number, lambda signum, frame: received.append((signum, frame)))
    try:
        yield
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
        for signum, frame in received:
            handlers[signum](signum, frame)


def draw_epoch(random_state, order, params):
    """The random draws of one epoch: its shuffle, and its dropout stream.

    ``params`` has the estimator's ``shuffle`` and ``dropout``. Dropout masks
    come from a stream seeded once per epoch (which kept the draws of an
    epoch to a shuffle and a seed, when models of 0.2 and 0.3 drew them
    again).
    """
    if params.shuffle and order is not None:
        random_state.shuffle(order)
    if params.dropout:
        return np.random.RandomState(random_state.randint(np.iinfo(np.int32).max))
    return None


def progress_of_0_2(state):
    """The :class:`_Progress` of a model pickled by skmlp_numpy 0.2.

    0.2 kept the stream where the chain of epochs began, and the number of
    epochs drawn since: its next fit draws them again, once.
    """
    early = state.get("best_validation_score_") is not None
    if early:
        best = state["best_validation_score_"]
    else:
        best = -np.inf if state.get("best_loss_") is None else -state["best_loss_"]
    monitors = "validation score" if early else "training loss"
    stream = state.pop("_stream")
    return _Progress(
        stream=copied_stream(stream),
        split_stream=stream,
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
        loss_curve=_curve(state["loss_curve_"]),
        validation_loss_curve=_curve(state.get("validation_loss_curve_")),
        validation_scores=_curve(state.get("validation_scores_")),
        replay_epochs=state.pop("_stream_epochs"),
    )


def progress_of_0_3(old):
    """The :class:`_Progress` of a model pickled by skmlp_numpy 0.3.

    ``old`` is 0.3's progress, unpickled with its own fields. Like 0.2, it
    kept where the chain of epochs began and their number.
    """
    return _Progress(
        stream=copied_stream(old.stream),
        split_stream=old.stream,
        optimizer=old.optimizer,
        plateau=old.plateau,
        n_iter=old.n_iter,
        t=old.t,
        loss=old.loss,
        loss_curve=_curve(old.loss_curve),
        validation_loss_curve=_curve(old.validation_loss_curve),
        validation_scores=_curve(old.validation_scores),
        replay_epochs=old.stream_epochs,
    )


def _curve(values):
    """A :class:`_Curve` of a list of values, or None."""
    return None if values is None else _Curve(list(values), len(values))
