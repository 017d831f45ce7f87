"""scikit-learn's estimator checks, every one of them, for each solver.

Dropout is left out here on purpose: it draws a fresh mask for every row, so
a row given weight 2 and the same row repeated twice are not the same fit,
and scikit-learn's sample-weight equivalence check would rightly fail.
tests/test_training.py covers dropout.

The Poisson regressor declares ``positive_only`` targets, which every check
honours but ``check_regressor_multioutput``: it draws negative targets, which
the Poisson deviance rightly refuses. tests/test_regressor.py fits multi-output
Poisson targets instead.
"""

import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp_numpy import (
    PiecewiseLinearEncoder,
    TwoLayerNetClassifier,
    TwoLayerNetRegressor,
)


@parametrize_with_checks(
    [
        TwoLayerNetClassifier(),
        TwoLayerNetClassifier(solver="sgd", scoring="loss"),
        TwoLayerNetClassifier(solver="lbfgs"),
        TwoLayerNetRegressor(),
        TwoLayerNetRegressor(solver="sgd", scoring="loss"),
        TwoLayerNetRegressor(solver="lbfgs"),
        TwoLayerNetRegressor(loss="poisson", solver="lbfgs"),
        # The activations and losses MLPClassifier and MLPRegressor lack.
        TwoLayerNetClassifier(activation="silu"),
        TwoLayerNetClassifier(activation="leaky_relu", solver="lbfgs"),
        TwoLayerNetRegressor(loss="absolute_error"),
        TwoLayerNetRegressor(loss="quantile", quantile=0.3, solver="lbfgs"),
        TwoLayerNetRegressor(
            loss="quantile", quantile=0.8, activation="gelu", solver="sgd"
        ),
        # The cosine schedule (sgd, adam with warm-up) and label smoothing.
        TwoLayerNetClassifier(
            solver="sgd", learning_rate="cosine", label_smoothing=0.1
        ),
        TwoLayerNetRegressor(learning_rate="cosine", warmup_fraction=0.1),
        # Ensembles of networks trained together.
        TwoLayerNetClassifier(n_members=3),
        TwoLayerNetClassifier(n_members=3, solver="lbfgs"),
        TwoLayerNetRegressor(n_members=3, solver="sgd", scoring="loss"),
        # The encoder, with edges from quantiles and from trees on y.
        PiecewiseLinearEncoder(),
        PiecewiseLinearEncoder(strategy="tree", random_state=0),
        PiecewiseLinearEncoder(dtype=np.float32),
        # Fewer rows than the checks' draw the edges: y was indexed with them,
        # whatever it was (a list, a Series), though quantiles ignore it.
        PiecewiseLinearEncoder(subsample=5, random_state=0),
        PiecewiseLinearEncoder(strategy="tree", subsample=5, random_state=0),
    ],
    expected_failed_checks=lambda estimator: (
        {
            "check_regressor_multioutput": (
                "the check draws negative targets whatever positive_only says"
            )
        }
        if getattr(estimator, "loss", None) == "poisson"
        else {}
    ),
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
