"""ONNX export through skl2onnx.

Importing this module registers a converter for
:class:`~skmlp_numpy.TwoLayerNetClassifier` with skl2onnx (extra ``onnx``), so
that skl2onnx converts the estimator, and any pipeline that contains it, like
any scikit-learn model::

    import skl2onnx
    import skmlp_numpy.export  # noqa: F401  (registers the converter)

    onx = skl2onnx.to_onnx(model, X[:1].astype("float32"))

The network has MLPClassifier's attributes (``coefs_``, ``intercepts_``,
``activation``, ``out_activation_``, ``classes_``), so skl2onnx's own MLP
shape calculator and converter do the work: no operator is written here. The
graph computes in the dtype of its input (float32 or float64), whatever the
dtype the model was trained in.
"""

from skl2onnx import update_registered_converter
from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes
from skl2onnx.operator_converters.multilayer_perceptron import (
    convert_sklearn_mlp_classifier,
)

from ._classifier import TwoLayerNetClassifier

__all__ = ["ALIAS", "register"]


def _convert(scope, operator, container):
    """skl2onnx's MLP converter, refusing the one case it gets wrong."""
    model = operator.raw_operator
    if (
        model._label_binarizer.y_type_ == "multilabel-indicator"
        and len(model.classes_) == 2
    ):
        # The converter takes two outputs for the two classes of a binary
        # problem and would return four probability columns.
        raise NotImplementedError(
            "ONNX export of a multilabel model with exactly two labels is not "
            "supported by skl2onnx's MLP converter; multilabel models with three "
            "or more labels, binary and multiclass models export."
        )
    convert_sklearn_mlp_classifier(scope, operator, container)


ALIAS = "SkmlpNumpyTwoLayerNetClassifier"
"""The name of the converter in skl2onnx's registry."""


def register() -> None:
    """Register the converter of TwoLayerNetClassifier with skl2onnx.

    Called when this module is imported; calling it again is harmless. The
    converter takes MLPClassifier's options: ``zipmap`` (True, False or
    'columns'), ``nocl`` and ``output_class_labels``.
    """
    update_registered_converter(
        TwoLayerNetClassifier,
        ALIAS,
        calculate_linear_classifier_output_shapes,
        _convert,
        options={
            "zipmap": [True, False, "columns"],
            "output_class_labels": [False, True],
            "nocl": [True, False],
        },
    )


register()
