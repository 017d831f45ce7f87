"""LossCurveDisplay: the training curves of a fitted two-layer network.

matplotlib is optional (the ``plot`` extra); it is imported only when a curve
is drawn.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._checks import warn

__all__ = ["LossCurveDisplay"]


def _pyplot(caller):
    """Import matplotlib.pyplot, or say clearly how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs matplotlib, an optional dependency: install it with "
            "pip install 'skmlp_numpy[plot]'."
        ) from exc
    return plt


class LossCurveDisplay:
    """Training-curve visualisation: loss by epoch, and validation curves.

    Follows scikit-learn's Display pattern: build it with
    :meth:`from_estimator`, or from the curves themselves and call
    :meth:`plot`. The training loss and, when a validation set was in use,
    the validation loss, share the left axis; the validation score has its own
    axis on the right, and then the legend stands above the axes, where it
    hides no curve of either.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss by epoch (``loss_curve_``).
    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Validation loss by epoch (``validation_loss_curve_``).
    validation_scores : array-like of shape (n_epochs,), default=None
        Validation score by epoch (``validation_scores_``).
    estimator_name : str, default=None
        Name used in the title.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The training loss.
    validation_line_ : matplotlib Line2D or None
        The validation loss, if any.
    score_line_ : matplotlib Line2D or None
        The validation score, if any.
    ax_ : matplotlib Axes
        The axes of the losses.
    score_ax_ : matplotlib Axes or None
        The right-hand axes of the validation score, if any.
    figure_ : matplotlib Figure
        The figure holding the axes.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against the number of
        training samples.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from skmlp_numpy import LossCurveDisplay, TwoLayerNetClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = TwoLayerNetClassifier(
    ...     learning_rate_init=0.01, early_stopping=True, scoring="loss", random_state=0
    ... ).fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(clf)
    >>> len(display.line_.get_xdata()) == clf.n_iter_
    True
    """

    def __init__(
        self,
        *,
        loss_curve: ArrayLike,
        validation_loss_curve: ArrayLike | None = None,
        validation_scores: ArrayLike | None = None,
        estimator_name: str | None = None,
    ) -> None:
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        *,
        ax: Any = None,
        name: str | None = None,
        line_kw: dict[str, Any] | None = None,
    ) -> LossCurveDisplay:
        """Plot the curves of a fitted estimator.

        Parameters
        ----------
        estimator : TwoLayerNetClassifier or TwoLayerNetRegressor
            A fitted estimator, or any estimator with ``loss_curve_`` (such
            as scikit-learn's MLPClassifier and MLPRegressor), or a fitted
            :class:`~sklearn.pipeline.Pipeline` that ends in one, or a
            :class:`~sklearn.compose.TransformedTargetRegressor` of one.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is made when None.
        name : str, default=None
            Name used in the title; the estimator's class name when None.
        line_kw : dict, default=None
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot` for
            every curve, as in scikit-learn's
            :class:`~sklearn.model_selection.LearningCurveDisplay`.

        Returns
        -------
        display : LossCurveDisplay
            The display, with its curves drawn.
        """
        _pyplot(f"{cls.__name__}.from_estimator")
        # The net inside: a pipeline's last step, a TransformedTargetRegressor's
        # fitted regressor, nested.
        while not hasattr(estimator, "loss_curve_"):
            if isinstance(estimator, Pipeline):
                estimator = estimator[-1]
            elif isinstance(estimator, TransformedTargetRegressor) and hasattr(
                estimator, "regressor_"
            ):
                estimator = estimator.regressor_
            else:
                break
        check_is_fitted(estimator)
        if not hasattr(estimator, "loss_curve_"):
            raise TypeError(
                f"{type(estimator).__name__} has no loss_curve_: "
                f"{cls.__name__} plots the loss curves of a net "
                "(TwoLayerNetClassifier, TwoLayerNetRegressor, and scikit-learn's "
                "MLPClassifier and MLPRegressor, which keep none under "
                "solver='lbfgs')."
            )
        display = cls(
            loss_curve=estimator.loss_curve_,
            validation_loss_curve=getattr(estimator, "validation_loss_curve_", None),
            validation_scores=getattr(estimator, "validation_scores_", None),
            estimator_name=type(estimator).__name__ if name is None else name,
        )
        return display.plot(ax=ax, line_kw=line_kw)

    def plot(
        self,
        ax: Any = None,
        *,
        name: str | None = None,
        line_kw: dict[str, Any] | None = None,
    ) -> LossCurveDisplay:
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is made when None.
        name : str, default=None
            Name used in the title; ``estimator_name`` when None.
        line_kw : dict, default=None
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot` for
            every curve (``linewidth``, ``alpha`` ...); they override the
            display's own, such as the validation score's dashes.

        Returns
        -------
        display : LossCurveDisplay
            This display, with ``line_``, ``ax_`` and ``figure_`` set.
        """
        plt = _pyplot(f"{type(self).__name__}.plot")
        if ax is None:
            # Constrained layout keeps the title and a legend above the axes
            # inside the figure.
            _, ax = plt.subplots(layout="constrained")
        name = self.estimator_name if name is None else name
        line_kw = {} if line_kw is None else line_kw
        epochs = np.arange(1, len(self.loss_curve) + 1)
        (self.line_,) = ax.plot(
            epochs, self.loss_curve, **{"label": "training loss", **line_kw}
        )
        self.validation_line_ = self.score_line_ = self.score_ax_ = None
        validation_loss, scores = self.validation_loss_curve, self.validation_scores
        unaligned = [
            attribute
            for attribute, curve in [
                ("validation_loss_curve", validation_loss),
                ("validation_scores", scores),
            ]
            if curve is not None and len(curve) != len(epochs)
        ]
        if unaligned:
            # Early stopping switched on or off between warm fits (or a
            # partial_fit after an early-stopped fit): which epochs the
            # curves cover, the model does not say.
            warn(
                f"{' and '.join(unaligned)} cover other epochs than the "
                f"{len(epochs)} of loss_curve (early stopping, or a validation "
                "set, was used in some warm fits or partial_fit calls and not "
                "in others): only the training loss is drawn."
            )
            validation_loss = scores = None
        if validation_loss is not None:
            (self.validation_line_,) = ax.plot(
                epochs, validation_loss, **{"label": "validation loss", **line_kw}
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        handles = [self.line_] + [h for h in [self.validation_line_] if h is not None]
        if scores is not None:
            self.score_ax_ = ax.twinx()
            (self.score_line_,) = self.score_ax_.plot(
                epochs,
                scores,
                **{
                    "color": "tab:green",
                    "linestyle": "--",
                    "label": "validation score",
                    **line_kw,
                },
            )
            self.score_ax_.set_ylabel("validation score")
            handles.append(self.score_line_)
        if self.score_ax_ is None:
            ax.legend(handles=handles, loc="best")
            if name:
                ax.set_title(name)
        else:
            # loc="best" sees the data of one axes only: inside, the legend
            # hid the other axes' curve. Above the axes, in one row, it hides
            # none; the title goes above it.
            legend = ax.legend(
                handles=handles,
                loc="lower center",
                bbox_to_anchor=(0.5, 1.0),
                ncols=len(handles),
                frameon=False,
            )
            if name:
                # The title's usual pad (axes.titlepad), above the legend.
                top = legend.get_window_extent().y1 - ax.bbox.y1
                pad = top * 72 / ax.figure.dpi + plt.rcParams["axes.titlepad"]
                ax.set_title(name, pad=pad)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
