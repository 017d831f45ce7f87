"""A ready-made pipeline for raw tables: column handling and a tuned net.

:func:`make_tabular_pipeline` is the package's answer to "what should I fit
on this DataFrame?". Its preprocessing and the net's settings were chosen by
``benchmarks/bench_tabular.py`` (the evidence for each choice is on the
"Accuracy on tabular data" page of the documentation), after RealMLP
(Holzmüller et al., 2024).
"""

from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from ._classifier import TwoLayerNetClassifier
from ._regressor import TwoLayerNetRegressor

_NETS = {"classification": TwoLayerNetClassifier, "regression": TwoLayerNetRegressor}

# The net's settings shared by both tasks; each one is justified, with the
# benchmark's numbers, on the "Accuracy on tabular data" page.
_NET_SETTINGS = {
    "hidden_size": 256,
    "learning_rate": "cosine",
    "learning_rate_init": 2e-3,
    "beta_2": 0.95,
    "max_iter": 200,
    "early_stopping": True,
    "validation_fraction": 0.15,
    "n_iter_no_change": 20,
    "scoring": "loss",
    "dtype": np.float32,
}

# A category seen fewer times than this in training is grouped with the other
# rare ones (and with categories never seen), so that no weight is learned
# from a handful of rows.
_MIN_FREQUENCY = 10


def smooth_clip(X: Any) -> Any:
    r"""Squash standardised values smoothly into :math:`(-3, 3)`.

    :math:`x \mapsto x / \sqrt{1 + (x / 3)^2}` is close to the identity near
    zero and bounds outliers, so that a single extreme value cannot dominate
    the net's first layer (RealMLP's smooth clipping, Holzmüller et al.,
    2024). It is a module-level function so that the pipeline pickles.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Standardised values.

    Returns
    -------
    ndarray of shape (n_samples, n_features)
        The clipped values, of the same dtype.
    """
    return X / np.sqrt(1 + (X / 3) ** 2)


def make_tabular_pipeline(task: str, **params: Any) -> Pipeline:
    r"""Make an unfitted pipeline from a raw DataFrame to a tuned two-layer net.

    The pipeline imputes, scales and encodes the columns of a pandas
    DataFrame by their dtype, then fits a :class:`TwoLayerNetClassifier` or a
    :class:`TwoLayerNetRegressor` with settings chosen on real tables
    (:doc:`/tabular`, "Accuracy on tabular data"):

    - numeric columns (``number`` dtypes): missing values are replaced by the
      median, with one indicator column per column that had missing values in
      training; then :class:`~sklearn.preprocessing.StandardScaler` and
      ``smooth_clip``, :math:`x / \sqrt{1 + (x / 3)^2}`, which bounds
      outliers smoothly in (-3, 3);
    - every other column (strings, ``category``, booleans) is one-hot
      encoded, missing values as a category of their own; categories seen
      fewer than 10 times in training, and categories never seen, share
      one "infrequent" column;
    - the net: 256 ReLU units, float32, Adam with ``beta_2=0.95`` and a
      learning rate of 2e-3 that decays along a half cosine over
      ``max_iter=200`` epochs; early stopping on the loss of 15% of the
      training rows held out, after 20 epochs without improvement, keeping
      the best epoch's weights.

    The steps are named ``"preprocess"`` (a
    :class:`~sklearn.compose.ColumnTransformer` with the transformers
    ``"numeric"`` and ``"categorical"``) and ``"net"``, so that
    ``set_params(net__alpha=1e-3)`` or a grid over ``net__hidden_size`` reach
    the net as in any pipeline.

    Parameters
    ----------
    task : {'classification', 'regression'}
        Whether the pipeline ends in a :class:`TwoLayerNetClassifier` or a
        :class:`TwoLayerNetRegressor`.

    **params : dict
        Parameters of the net that replace the recipe's, for example
        ``random_state=0`` or ``max_iter=100``. An unknown name raises a
        ``ValueError`` that lists the valid ones.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        An unfitted pipeline; ``fit`` takes a pandas DataFrame (column
        dtypes decide the handling) and the targets.

    See Also
    --------
    TwoLayerNetClassifier : The net at the end of a classification pipeline.
    TwoLayerNetRegressor : The net at the end of a regression pipeline.

    Notes
    -----
    The regressor does not scale the targets: for targets far from unit
    scale, wrap the pipeline in
    :class:`~sklearn.compose.TransformedTargetRegressor` with a
    :class:`~sklearn.preprocessing.StandardScaler`.

    With metadata routing enabled, ``sample_weight`` reaches the net once
    it is requested there and on the numeric ``StandardScaler`` (which accepts
    it), as in any pipeline:
    ``pipe["preprocess"].transformers[0][1]["scale"].set_fit_request(...)``.

    The pipeline does not convert to ONNX: skl2onnx has no converter for the
    :class:`~sklearn.preprocessing.FunctionTransformer` of
    ``smooth_clip``. The fitted net alone converts (see
    :mod:`skmlp_numpy.export`).

    References
    ----------
    D. Holzmüller, L. Grinsztajn and I. Steinwart, "Better by Default: Strong
    Pre-Tuned MLPs and Boosted Trees on Tabular Data", NeurIPS 2024.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skmlp_numpy import make_tabular_pipeline
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({
    ...     "size": rng.normal(size=200),
    ...     "colour": rng.choice(["red", "green", None], size=200),
    ... })
    >>> y = X["size"] + (X["colour"] == "red") > 0.5
    >>> pipe = make_tabular_pipeline("classification", random_state=0)
    >>> pipe.fit(X, y).score(X, y) > 0.9
    True
    >>> pipe.named_steps["net"].hidden_size
    256
    """
    if not isinstance(task, str) or task not in _NETS:
        raise ValueError(
            f"task must be 'classification' or 'regression'; got {task!r}."
        )
    net = _NETS[task](**_NET_SETTINGS)
    valid = net.get_params(deep=False)
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(
            f"Unknown parameter(s) {unknown} for {type(net).__name__}; "
            f"valid ones are {sorted(valid)}."
        )
    net.set_params(**params)
    numeric = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", add_indicator=True)),
            ("scale", StandardScaler()),
            (
                "clip",
                FunctionTransformer(
                    smooth_clip, feature_names_out="one-to-one", validate=False
                ),
            ),
        ]
    )
    categorical = OneHotEncoder(
        handle_unknown="infrequent_if_exist", min_frequency=_MIN_FREQUENCY
    )
    preprocess = ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            (
                "categorical",
                categorical,
                make_column_selector(dtype_exclude="number"),
            ),
        ],
        # Dense: the net gathers every batch of a sparse matrix densely, so
        # sparse storage saves memory but no time (and min_frequency bounds
        # the number of one-hot columns).
        sparse_threshold=0.0,
    )
    return Pipeline([("preprocess", preprocess), ("net", net)])
