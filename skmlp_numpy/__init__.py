"""skmlp_numpy: a scikit-learn compatible two-layer neural network in NumPy."""

from ._classifier import DivergenceError, TwoLayerNetClassifier

__version__ = "0.1.0"

__all__ = ["DivergenceError", "TwoLayerNetClassifier", "__version__"]
