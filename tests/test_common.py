"""scikit-learn's estimator checks, every one of them, for each solver.

Dropout is left out here on purpose: it draws a fresh mask for every row, so
a row given weight 2 and the same row repeated twice are not the same fit,
and scikit-learn's sample-weight equivalence check would rightly fail.
tests/test_training.py covers dropout.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp_numpy import TwoLayerNetClassifier


@parametrize_with_checks(
    [
        TwoLayerNetClassifier(),
        TwoLayerNetClassifier(solver="sgd", scoring="loss"),
        TwoLayerNetClassifier(solver="lbfgs"),
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
