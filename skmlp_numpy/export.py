"""ONNX export through skl2onnx.

Importing this module registers converters for
:class:`~skmlp_numpy.TwoLayerNetClassifier` and
:class:`~skmlp_numpy.TwoLayerNetRegressor` with skl2onnx (extra ``onnx``), so
that skl2onnx converts the estimators, and any pipeline that contains them,
like any scikit-learn model::

    import skl2onnx
    import skmlp_numpy.export  # noqa: F401  (registers the converters)

    onx = skl2onnx.to_onnx(model, X[:1].astype("float32"))

The networks have MLPClassifier's and MLPRegressor's attributes (``coefs_``,
``intercepts_``, ``activation``, ``out_activation_``, ``classes_``), so
skl2onnx's own MLP converters do the work where they fit. They do not fit two
cases of the regressor: the Poisson loss's exponential output, unknown to
them, and several outputs, which their regressor reshapes into one column.
Those go through the small graph below. A graph computes in the dtype of its
input (float32 or float64), whatever the dtype the model was trained in.
"""

from skl2onnx import update_registered_converter
from skl2onnx.common._apply_operation import apply_add, apply_cast, apply_reshape
from skl2onnx.common.data_types import (
    DoubleTensorType,
    FloatTensorType,
    guess_proto_type,
)
from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes
from skl2onnx.operator_converters.multilayer_perceptron import (
    convert_sklearn_mlp_classifier,
    convert_sklearn_mlp_regressor,
)
from skl2onnx.proto import onnx_proto

from ._classifier import TwoLayerNetClassifier
from ._regressor import TwoLayerNetRegressor

__all__ = ["ALIAS", "REGRESSOR_ALIAS", "register"]


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


# ONNX operators of the activations, by this package's names.
_ONNX_ACTIVATIONS = {
    "identity": "Identity",
    "logistic": "Sigmoid",
    "tanh": "Tanh",
    "relu": "Relu",
    "exp": "Exp",
}


def _regressor_shape(operator):
    """Outputs of shape (N, n_outputs), in the input's float type."""
    model = operator.raw_operator
    input_type = operator.inputs[0].type
    float_type = type(input_type)
    if not isinstance(input_type, (FloatTensorType, DoubleTensorType)):
        float_type = FloatTensorType  # integer or boolean input computes in float
    n_rows = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = float_type([n_rows, model.n_outputs_])


def _convert_regressor(scope, operator, container):
    """skl2onnx's MLP regressor converter where it fits, else the same graph here."""
    model = operator.raw_operator
    if model.out_activation_ == "identity" and model.n_outputs_ == 1:
        convert_sklearn_mlp_regressor(scope, operator, container)
        return
    proto_dtype = guess_proto_type(operator.inputs[0].type)
    if proto_dtype != onnx_proto.TensorProto.DOUBLE:
        proto_dtype = onnx_proto.TensorProto.FLOAT
    name = scope.get_unique_variable_name
    layer = name("input")
    apply_cast(scope, operator.inputs[0].full_name, layer, container, to=proto_dtype)
    activations = (model.activation, model.out_activation_)
    for W, b, activation in zip(
        model.coefs_, model.intercepts_, activations, strict=True
    ):
        W_name, b_name, product, linear, layer_out = (
            name(part) for part in ("coefficient", "intercepts", "mul", "add", "act")
        )
        container.add_initializer(W_name, proto_dtype, W.shape, W.ravel())
        container.add_initializer(b_name, proto_dtype, [1, len(b)], b)
        container.add_node(
            "MatMul",
            [layer, W_name],
            product,
            name=scope.get_unique_operator_name("MatMul"),
        )
        apply_add(scope, [product, b_name], linear, container, broadcast=1)
        op = _ONNX_ACTIVATIONS[activation]
        container.add_node(
            op, linear, layer_out, name=scope.get_unique_operator_name(op)
        )
        layer = layer_out
    apply_reshape(
        scope,
        layer,
        operator.output_full_names,
        container,
        desired_shape=(-1, model.n_outputs_),
    )


ALIAS = "SkmlpNumpyTwoLayerNetClassifier"
"""The name of the classifier's converter in skl2onnx's registry."""

REGRESSOR_ALIAS = "SkmlpNumpyTwoLayerNetRegressor"
"""The name of the regressor's converter in skl2onnx's registry."""


def register() -> None:
    """Register the converters of both estimators with skl2onnx.

    Called when this module is imported; calling it again is harmless. The
    classifier's converter takes MLPClassifier's options: ``zipmap`` (True,
    False or 'columns'), ``nocl`` and ``output_class_labels``. The regressor's
    graph outputs one column per target.
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
    update_registered_converter(
        TwoLayerNetRegressor, REGRESSOR_ALIAS, _regressor_shape, _convert_regressor
    )


register()
