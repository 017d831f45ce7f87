"""One call to fit or partial_fit: the loop of epochs and the state it advances.

A :class:`_Fit` is made by the estimator once everything is checked and
encoded (``BaseTwoLayerNet._prepare``), and :meth:`_Fit.run` trains: an
epoch of SGD or Adam (:meth:`_Fit._epoch`), or an iteration of L-BFGS, then
:meth:`_Fit._end_epoch`, the same for every solver: judge divergence,
count, record, ask early stopping, call back, and commit, in one step,
after everything that can fail. The loop trains the fit's own network,
optimizer and random stream, never an object that the estimator holds; the
estimator is read for its parameters and written only by the commit.
"""

import math
import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.optimize
from sklearn import get_config
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.optimize import _check_optimize_result

from ._batches import NetworkOverflowError, full_batch_loss_grad
from ._checks import (
    DIVERGENCE_RISE,
    diverged,
    divergence_error,
    rise_reference,
    warn,
)
from ._early_stopping import CANNOT_RANK, STALLED
from ._fit_state import (
    _Progress,
    copied_stream,
    draw_epoch,
    interrupts_deferred,
    rewound_stream,
)
from ._network import TwoLayerNet


@dataclass
class _Fit:
    """What lives only during one call to fit or partial_fit, and its loop.

    ``estimator`` is the estimator being fitted: its parameters are read,
    and :meth:`_commit` publishes each epoch to it. ``targets`` holds the
    attributes that describe the network's targets (``n_outputs_``,
    ``out_activation_``, ``classes_`` ...). ``user_stream`` is the state that
    the user's ``RandomState`` instance takes when the call succeeds (the
    stream after the initial weights), or None when the call draws nothing
    from it. ``committed_params`` and ``committed_progress`` are the weights
    and the progress of the call's last commit (None before the first),
    whose arrays the next commit overwrites in place; ``n_committed`` counts
    the call's commits, and ``start_stream`` is the random stream as its
    first epoch found it, from which an interrupted call draws its committed
    epochs again.
    """

    estimator: Any
    X: Any
    Y: Any
    sample_weight: Any
    targets: dict
    network: TwoLayerNet
    stochastic: bool
    incremental: bool
    progress: _Progress
    early_stopping: Any
    user_stream: np.random.RandomState | None = None
    batches: Any = None
    callbacks: Any = None
    committed_params: np.ndarray | None = None
    committed_progress: _Progress | None = None
    start_stream: np.random.RandomState | None = None
    n_committed: int = 0

    @property
    def committed(self):
        """Whether the call has committed an epoch."""
        return self.committed_progress is not None

    @property
    def n_committed_epochs(self):
        """The epochs of the last commit, as ``n_iter_`` counts them."""
        return self.committed_progress.n_iter

    def run(self):
        """Train until the solver, early stopping or a callback stops.

        Every epoch (L-BFGS iteration) ends in :meth:`_end_epoch`, which
        commits it. Ctrl-C keeps the last committed epoch; before the first,
        the transaction restores the estimator and the interrupt propagates.
        """
        try:
            if self.stochastic:
                self.start_stream = copied_stream(self.progress.stream)
                self._epochs()
            else:
                self._lbfgs()
        except KeyboardInterrupt:
            if not self.committed:
                raise
            if self.stochastic:
                # The interrupted epoch may have drawn from the stream that
                # the commits share: draw the committed epochs again.
                self.committed_progress.stream = rewound_stream(
                    self.start_stream,
                    self.n_committed,
                    None if self.progress.order is None else self.batches.n_samples,
                    self.estimator,
                )
            what = "epochs" if self.stochastic else "iterations"
            warn(
                f"Training interrupted by the user after {self.n_committed_epochs} "
                f"complete {what}; the estimator keeps the last one."
            )

    def _epochs(self):
        """Epochs of SGD or Adam: one per partial_fit, up to ``max_iter`` per fit."""
        for _ in range(1 if self.incremental else self.estimator.max_iter):
            task = self.callbacks.begin_epoch(self.estimator)
            loss, penalty_scale = self._epoch()
            if self._end_epoch(task, loss, penalty_scale, None):
                return
        if not self.incremental:
            warn(
                f"Stochastic Optimizer: Maximum iterations ({self.estimator.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )

    def _epoch(self):
        """One pass over the training rows.

        Returns the mean training loss, and the factor by which it charges the
        L2 penalty ``alpha / 2 * ||W||**2`` (once per batch, divided by the
        batch's size or weight, averaged over the rows).
        """
        net, optimizer, batches = self.network, self.progress.optimizer, self.batches
        dropout_stream = draw_epoch(self.progress.stream, batches.order, self.estimator)
        optimizer.begin_epoch(math.ceil(batches.n_samples / batches.batch_size))
        total = scale = 0.0
        epoch = iter(batches)
        try:
            for X_batch, Y_batch, sw_batch in epoch:
                if sw_batch is not None and not sw_batch.any():
                    continue  # a batch of zero weights has no gradient to follow
                loss = net.loss_grad(
                    X_batch, Y_batch, sw_batch, self.estimator.alpha, dropout_stream
                )
                # Only inf and NaN: one batch's loss is too noisy to judge
                # growth by (a batch of outliers), the epoch's mean is not.
                if not math.isfinite(loss):
                    raise self._divergence(self.progress.n_iter + 1)
                optimizer.step(net.params, net.grads)
                n = X_batch.shape[0]
                total += loss * n
                scale += 1.0 if sw_batch is None else n / float(sw_batch.sum())
        finally:
            # Stops the batches' gathering thread now, not when the
            # traceback of an exception is freed.
            epoch.close()
        return total / batches.n_samples, scale / batches.n_samples

    def _lbfgs(self):
        """SciPy's L-BFGS-B on the whole batch; each iteration ends an epoch."""
        net, X, sample_weight = self.network, self.X, self.sample_weight
        n = X.shape[0] if sample_weight is None else float(sample_weight.sum())
        alpha = self.estimator.alpha
        outputs = net.summed_outputs

        def recorded(fun, x):
            """The loss at ``x`` as the curves record it, from SciPy's ``fun``.

            An ensemble's is the members' mean, not their sum; a loss averaged
            over outputs (MLPRegressor's), not the sum that L-BFGS minimises
            (see full_batch_loss_grad), with the L2 penalty as it is.
            """
            loss = float(fun) / net.n_members
            if outputs > 1:
                net.params[:] = x
                penalty = 0.5 * alpha * net.squared_weight_norm() / n
                loss = (loss - penalty) / outputs + penalty
            return loss

        loss_grad = full_batch_loss_grad(
            net,
            X,
            self.Y,
            sample_weight,
            alpha,
            get_config()["working_memory"],
        )

        stopped = []

        def end_iteration(intermediate_result):
            """SciPy's per-iteration callback: the iteration ends an epoch."""
            task = self.callbacks.begin_epoch(self.estimator)
            # The last point SciPy evaluated may be a line-search trial: score
            # and commit the iterate itself.
            net.params[:] = intermediate_result.x
            loss = recorded(intermediate_result.fun, intermediate_result.x)
            if self._end_epoch(task, loss, 1.0 / n, net.params):
                stopped.append(True)
                raise StopIteration  # SciPy's way for a callback to stop L-BFGS

        result = scipy.optimize.minimize(
            loss_grad,
            net.params.astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=end_iteration,
            options={
                "maxfun": self.estimator.max_fun,
                "maxiter": self.estimator.max_iter,
                "gtol": self.estimator.tol,
            },
        )
        if not np.isfinite(result.fun) or not np.isfinite(result.x).all():
            raise self._divergence(self.progress.n_iter + 1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            n_iter = _check_optimize_result("lbfgs", result, self.estimator.max_iter)
        # A stop that a callback asked for is no failure to converge.
        for warning in [] if stopped else caught:
            # scikit-learn's helper points at its own line: point at the caller's.
            warn(warning.message, warning.category)
        progress = self.progress
        progress.n_iter, progress.loss = n_iter, recorded(result.fun, result.x)
        progress.plateau = progress.plateau.update(-progress.loss)
        self._commit(result.x)

    def _divergence(self, epoch, loss=math.nan, rises=0, reference=None):
        """The :class:`~._checks.DivergenceError` of this fit at ``epoch``."""
        estimator, targets = self.estimator, None
        if estimator._y_numeric:
            targets = "counts" if estimator.loss == "poisson" else "values"
        return divergence_error(
            epoch, loss, rises, reference, solver=estimator.solver, targets=targets
        )

    def _end_epoch(self, task, loss, penalty_scale, params):
        """Record an epoch, ask early stopping, call back, commit; True to stop.

        The same for every solver. ``penalty_scale`` is the factor by which
        the training loss charged the L2 penalty, so that the validation loss
        charges the same; ``params`` are the weights to commit, by default the
        network's (the best epoch's with early stopping).
        """
        net, progress = self.network, self.progress
        # An optimizer's state that overflowed freezes or poisons the weights.
        optimizer = progress.optimizer
        # The largest magnitude of each layer's parameters: non-finite where
        # one is, and the growth the divergence rule reads.
        magnitude = net.layer_magnitudes()
        if not (
            all(map(math.isfinite, magnitude))
            and (optimizer is None or optimizer.is_finite())
        ):
            raise self._divergence(progress.n_iter + 1)
        # Growth is judged on the rise that this epoch ends or continues, which
        # a stochastic fit carries over from the last epoch, of any call, and
        # on the parameters' growth since the epoch before its first rise.
        rises, base, reference, rise_magnitude = 0, None, None, None
        if progress.loss is not None and loss > DIVERGENCE_RISE * progress.loss:
            rises = progress.rises + 1
            first = rises == 1
            base = progress.loss if first else progress.rise_base
            reference = rise_reference(
                loss, progress.loss, base, None if first else progress.rise_reference
            )
            rise_magnitude = progress.magnitude if first else progress.rise_magnitude
            if getattr(net.output, "exponential", False):
                # A loss exponential in the logits (Poisson) explodes while
                # the weights grow by a sum: the loss alone is the judge.
                rise_magnitude = None
        if diverged(loss, rises, reference, magnitude, rise_magnitude):
            raise self._divergence(progress.n_iter + 1, loss, rises, reference)
        progress.rises = rises
        progress.rise_base, progress.rise_reference = base, reference
        progress.magnitude, progress.rise_magnitude = magnitude, rise_magnitude
        progress.n_iter += 1
        if self.stochastic:
            progress.t += self.batches.n_samples
        progress.loss = loss
        progress.loss_curve = progress.loss_curve.appended(loss)
        if self.estimator.verbose:
            print(f"Iteration {progress.n_iter}, loss = {loss:.8f}")
        early_stopping = self.early_stopping
        penalty = 0.5 * self.estimator.alpha * net.squared_weight_norm() * penalty_scale
        try:
            verdict = early_stopping.end_epoch(
                progress,
                net,
                loss,
                penalty,
                lambda network: self.estimator._as_model(self.targets, network),
            )
        except NetworkOverflowError as exc:
            raise self._divergence(progress.n_iter) from exc
        if verdict == CANNOT_RANK:
            raise early_stopping.cannot_rank_error(progress.n_iter)
        if self.estimator.verbose and early_stopping.validation is not None:
            print(f"Validation score: {progress.validation_scores.last:f}")
        stop = False
        if self.stochastic:
            progress.optimizer.end_epoch(progress.t)
            stop = verdict == STALLED and self._on_plateau()
        # The model of this epoch, for a callback to keep: the one the fit
        # commits (the best epoch's weights with early stopping), as copies,
        # with its own progress, which later commits would overwrite in place.
        committed = early_stopping.model_params(net) if params is None else params
        stop |= self.callbacks.end(
            task,
            self.estimator,
            lambda: {
                **self.attributes(committed.copy(), progress),
                "_progress": progress.snapshot(stream=copied_stream(progress.stream)),
                **progress.curves(),
            },
        )
        self._commit(committed)
        return stop

    def _on_plateau(self):
        """The monitored value stalled: lower the learning rate, or stop (True)."""
        progress = self.progress
        what = "Validation score" if self.early_stopping.enabled else "Training loss"
        msg = (
            f"{what} did not improve more than tol={self.estimator.tol:f} for "
            f"{self.estimator.n_iter_no_change} consecutive epochs."
        )
        if progress.optimizer.on_plateau():
            if self.estimator.verbose:
                print(msg + " Stopping.")
            return True
        if self.estimator.verbose:
            rate = progress.optimizer.learning_rate
            print(msg + f" Setting learning rate to {rate:f}")
        progress.plateau = progress.plateau.restarted()
        return False

    # ---------------------------------------------------------------- commit

    def _commit(self, params):
        """Publish the fit state's current epoch as the fitted model, in one step.

        ``params`` are copied, with the optimizer's state: by the call's first
        commit into new arrays, by the later ones in place, into the arrays of
        the call's previous commit (:meth:`_Progress.snapshot`). So a fit
        holds one committed copy of the weights and of Adam's moments, not
        two at each epoch's end: on wide inputs, the copies are most of its
        memory. The arrays published before the call are never written: the
        transaction restores them. The attributes and the :class:`_Progress`
        that the next fit resumes are rebound together by one dictionary
        update, and Ctrl-C is held off the whole commit, whose copies in
        place it could otherwise split (see ``interrupts_deferred``).

        A ``partial_fit`` call's one epoch is its last: nothing writes its
        arrays after this commit, which takes them as they are (on a wide
        model, copying them was most of a call's time).
        """
        with interrupts_deferred():
            if self.incremental:
                progress, committed = replace(self.progress), params
            elif self.committed_params is None:
                progress = self.progress.snapshot()
                committed = params.astype(self.network.dtype, copy=True)
            else:
                progress = self.progress.snapshot(into=self.committed_progress)
                committed = self.committed_params
                np.copyto(committed, params)
            attributes = self.attributes(committed, progress)
            attributes["_progress"] = progress
            vars(self.estimator).update(attributes)
            self.committed_params, self.committed_progress = committed, progress
            self.n_committed += 1

    def attributes(self, params, progress):
        """The fitted attributes of the model with weights ``params``.

        All but the curves, which the progress holds (see _PublishedCurve).
        """
        W1, W2, b1, b2 = self.network.unflatten(params)
        early = self.early_stopping.enabled
        return {
            **self.targets,
            "n_layers_": 3,
            "coefs_": [W1, W2],
            "intercepts_": [b1, b2],
            "n_iter_": progress.n_iter,
            "t_": progress.t,
            "loss_": progress.loss,
            "best_loss_": None if early else -progress.plateau.best,
            "best_validation_score_": progress.plateau.best if early else None,
        }
