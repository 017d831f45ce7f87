"""scikit-learn's estimator checks, every one of them."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp_numpy import TwoLayerNetClassifier


@parametrize_with_checks([TwoLayerNetClassifier()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
