"""skmlp_numpy: a scikit-learn compatible two-layer neural network in NumPy."""

from ._checks import DivergenceError
from ._classifier import TwoLayerNetClassifier
from ._encoding import PiecewiseLinearEncoder
from ._plot import LossCurveDisplay
from ._regressor import TwoLayerNetRegressor
from ._tabular import SmoothClip, TabularFrame, make_tabular_pipeline
from ._version import __version__

__all__ = [
    "DivergenceError",
    "LossCurveDisplay",
    "PiecewiseLinearEncoder",
    "SmoothClip",
    "TabularFrame",
    "TwoLayerNetClassifier",
    "TwoLayerNetRegressor",
    "__version__",
    "make_tabular_pipeline",
]
