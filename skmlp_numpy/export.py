"""ONNX export through skl2onnx.

Importing this module registers converters for
:class:`~skmlp_numpy.TwoLayerNetClassifier` and
:class:`~skmlp_numpy.TwoLayerNetRegressor` with skl2onnx (extra ``onnx``), so
that skl2onnx converts the estimators, and any pipeline that contains them,
like any scikit-learn model::

    import skl2onnx
    import skmlp_numpy.export  # noqa: F401  (registers the converters)

    onx = skl2onnx.to_onnx(model, X[:1].astype("float32"))

The graph is the network's forward pass (MatMul, Add, the activation, MatMul,
Add, the output activation), then, for the classifier, the labels: the class
of highest probability, or for multilabel models each label whose probability
exceeds 0.5. A graph computes in the dtype of its input, float64 for float64
input and float32 for anything else, whatever the dtype the model was trained
in, with operators that onnxruntime implements in that dtype (one exception: a
float64 graph computes GELU's erf in float32, which onnxruntime has, and
matches predict to 1e-5 all the same). Class labels that are neither strings
nor 64-bit integers (unsigned integers from 2**63 up, say) are refused, with
an error that names them.

It also registers converters for :class:`~skmlp_numpy.SmoothClip` (Div, Mul,
Add, Sqrt) and :class:`~skmlp_numpy.TabularFrame` (the identity on each
numeric or string column, given one input per column), so that a fitted
:func:`~skmlp_numpy.make_tabular_pipeline` converts whole, within the limits
of skl2onnx's imputer and one-hot converters that the "Tabular data" page
lists.
"""

import math

import numpy as np
from skl2onnx import update_registered_converter
from skl2onnx.common._apply_operation import (
    apply_cast,
    apply_concat,
    apply_identity,
    apply_reshape,
)
from skl2onnx.common.data_types import (
    DoubleTensorType,
    FloatTensorType,
    Int64TensorType,
    guess_proto_type,
)
from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes
from skl2onnx.proto import onnx_proto

from ._classifier import TwoLayerNetClassifier
from ._encoding import PiecewiseLinearEncoder, _pieces
from ._regressor import TwoLayerNetRegressor
from ._tabular import SmoothClip, TabularFrame

__all__ = [
    "ALIAS",
    "PIECEWISE_LINEAR_ALIAS",
    "REGRESSOR_ALIAS",
    "SMOOTH_CLIP_ALIAS",
    "TABULAR_FRAME_ALIAS",
    "register",
]

_FLOAT = onnx_proto.TensorProto.FLOAT
_DOUBLE = onnx_proto.TensorProto.DOUBLE

# The activations that are one ONNX operator in both float types, by this
# package's names (hidden activations and output activations alike).
_ONNX_OPERATORS = {
    "identity": "Identity",
    "logistic": "Sigmoid",
    "tanh": "Tanh",
    "relu": "Relu",
    "exp": "Exp",
    "softmax": "Softmax",
}


def _compute_type(operator):
    """The float type the graph computes in: float64 input's, else float32."""
    if guess_proto_type(operator.inputs[0].type) == _DOUBLE:
        return _DOUBLE
    return _FLOAT


class _Graph:
    """Adds uniquely named nodes and constants to the graph being converted."""

    def __init__(self, scope, container, proto_dtype):
        self.scope = scope
        self.container = container
        self.proto_dtype = proto_dtype

    def node(self, op_type, *inputs, **attributes):
        """Add a node of ``op_type``; return the name of its output."""
        output = self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type,
            list(inputs),
            output,
            name=self.scope.get_unique_operator_name(op_type),
            **attributes,
        )
        return output

    def cast(self, input, proto_dtype):
        """Add a Cast of ``input`` to ``proto_dtype``; return its output's name."""
        output = self.scope.get_unique_variable_name("cast")
        apply_cast(self.scope, input, output, self.container, to=proto_dtype)
        return output

    def constant(self, value, shape=(), proto_dtype=None):
        """Add an initializer, in the compute type by default; return its name."""
        name = self.scope.get_unique_variable_name("constant")
        values = np.ravel(value) if shape else [value]
        self.container.add_initializer(
            name, proto_dtype or self.proto_dtype, list(shape), values
        )
        return name


def _activation(graph, Z, activation):
    """The name of ``f(Z)``, for the activation named ``activation``."""
    node, constant = graph.node, graph.constant
    if activation in _ONNX_OPERATORS:
        attributes = {"axis": 1} if activation == "softmax" else {}
        return node(_ONNX_OPERATORS[activation], Z, **attributes)
    if activation == "leaky_relu":
        if graph.proto_dtype == _FLOAT:
            return node("LeakyRelu", Z, alpha=0.01)
        # onnxruntime has no float64 LeakyRelu; with a slope below 1 it is
        # max(z, 0.01 z), exactly.
        return node("Max", Z, node("Mul", Z, constant(0.01)))
    if activation == "silu":
        if graph.proto_dtype == _FLOAT:
            return node("Mul", Z, node("Sigmoid", Z))
        # onnxruntime < 1.31 fuses Mul(z, Sigmoid(z)) into QuickGelu, which it
        # cannot run in float64; z / (1 + exp(-z)) is the same function, unfused.
        return node("Div", Z, node("Add", node("Exp", node("Neg", Z)), constant(1.0)))
    if activation == "gelu":
        # The exact GELU as PyTorch writes it, z (1 + erf(z / sqrt(2))) / 2:
        # Erf is in every opset from 9, the Gelu operator only from 20.
        u = node("Mul", Z, constant(1 / math.sqrt(2)))
        if graph.proto_dtype == _FLOAT:
            erf = node("Erf", u)
        else:
            # onnxruntime has no float64 Erf: erf runs in float32, the rest in
            # float64. erf is bounded by 1, so float32 costs it at most a few
            # 1e-8 absolute, and GELU |z| times that: about 1e-7 for the
            # hidden pre-activations of a fitted net, well inside the 1e-5 the
            # export promises (tests/test_export.py measures it).
            erf = graph.cast(node("Erf", graph.cast(u, _FLOAT)), _DOUBLE)
        cdf = node("Mul", node("Add", erf, constant(1.0)), constant(0.5))
        return node("Mul", Z, cdf)
    raise NotImplementedError(
        f"ONNX export of activation={activation!r} is not supported."
    )


def _network(graph, operator):
    """The network's forward pass on the operator's input; its output's name."""
    model = operator.raw_operator
    numpy_dtype = np.float64 if graph.proto_dtype == _DOUBLE else np.float32
    layer = graph.scope.get_unique_variable_name("input")
    apply_cast(
        graph.scope,
        operator.inputs[0].full_name,
        layer,
        graph.container,
        to=graph.proto_dtype,
    )
    activations = (model.activation, model.out_activation_)
    for W, b, activation in zip(
        model.coefs_, model.intercepts_, activations, strict=True
    ):
        W_name = graph.constant(W.astype(numpy_dtype), W.shape)
        b_name = graph.constant(b.astype(numpy_dtype), (1, len(b)))
        linear = graph.node("Add", graph.node("MatMul", layer, W_name), b_name)
        layer = _activation(graph, linear, activation)
    return layer


def _is_multilabel(model):
    """Whether the classifier was fitted on a multilabel indicator matrix."""
    return model._label_binarizer.y_type_ == "multilabel-indicator"


def _class_labels(model, nocl):
    """The classes as an ONNX initializer's type and values."""
    if nocl:
        n_classes = len(model.classes_)
        return onnx_proto.TensorProto.INT64, np.arange(n_classes, dtype=np.int64)
    classes = model.classes_.tolist()
    if all(isinstance(c, str) for c in classes):
        return onnx_proto.TensorProto.STRING, np.array(
            [c.encode("utf-8") for c in classes]
        )
    # Integers, booleans and integral floats, as 64-bit integers.
    if all(float(c).is_integer() and -(2**63) <= c < 2**63 for c in classes):
        return onnx_proto.TensorProto.INT64, np.array(classes, dtype=np.int64)
    raise NotImplementedError(
        f"ONNX export of the class labels {classes!r} is not supported: ONNX "
        "labels are strings or 64-bit integers. Encode the classes as such "
        "(e.g. with a LabelEncoder) before fitting."
    )


def _classifier_shape(operator):
    """skl2onnx's classifier outputs, with multilabel labels as a matrix."""
    calculate_linear_classifier_output_shapes(operator)
    model = operator.raw_operator
    if _is_multilabel(model):
        n_rows = operator.inputs[0].get_first_dimension()
        operator.outputs[0].type = Int64TensorType([n_rows, len(model.classes_)])


def _convert_classifier(scope, operator, container):
    """Probabilities as predict_proba gives them, labels as predict does."""
    model = operator.raw_operator
    options = container.get_options(model, dict(nocl=False))
    multilabel = _is_multilabel(model)
    if not multilabel:
        label_type, classes = _class_labels(model, options["nocl"])
    graph = _Graph(scope, container, _compute_type(operator))
    P = _network(graph, operator)
    label, proba = (output.full_name for output in operator.outputs[:2])
    if multilabel:
        apply_identity(scope, P, proba, container)
        active = graph.node("Greater", P, graph.constant(0.5))
        apply_cast(scope, active, label, container, to=onnx_proto.TensorProto.INT64)
        return
    if model.n_outputs_ == 1:
        # A binary model's one logistic unit gives the positive class.
        negative = graph.node("Sub", graph.constant(1.0), P)
        apply_concat(scope, [negative, P], proba, container, axis=1)
    else:
        apply_identity(scope, P, proba, container)
    # ArgMax takes the first of equal probabilities, as NumPy's argmax and the
    # binary model's ``p > 0.5`` do.
    index = graph.node("ArgMax", proba, axis=1, keepdims=0)
    classes_name = graph.constant(classes, classes.shape, label_type)
    container.add_node(
        "Gather",
        [classes_name, index],
        label,
        axis=0,
        name=scope.get_unique_operator_name("Gather"),
    )


def _regressor_shape(operator):
    """Outputs of shape (N, n_outputs), in the float type the graph computes in."""
    model = operator.raw_operator
    float_type = (
        DoubleTensorType if _compute_type(operator) == _DOUBLE else FloatTensorType
    )
    n_rows = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = float_type([n_rows, model.n_outputs_])


def _convert_regressor(scope, operator, container):
    """Predictions as predict gives them, one column per target."""
    model = operator.raw_operator
    graph = _Graph(scope, container, _compute_type(operator))
    prediction = _network(graph, operator)
    apply_reshape(
        scope,
        prediction,
        operator.outputs[0].full_name,
        container,
        desired_shape=(-1, model.n_outputs_),
    )


def _smooth_clip_shape(operator):
    """Same shape as the input, in the float type the graph computes in."""
    float_type = (
        DoubleTensorType if _compute_type(operator) == _DOUBLE else FloatTensorType
    )
    shape = operator.inputs[0].type.shape
    operator.outputs[0].type = float_type(list(shape))


def _convert_smooth_clip(scope, operator, container):
    """x / sqrt(1 + (x / 3)^2), as :func:`skmlp_numpy.smooth_clip` computes it."""
    graph = _Graph(scope, container, _compute_type(operator))
    X = graph.cast(operator.inputs[0].full_name, graph.proto_dtype)
    scaled = graph.node("Div", X, graph.constant(3.0))
    root = graph.node(
        "Sqrt",
        graph.node("Add", graph.node("Mul", scaled, scaled), graph.constant(1.0)),
    )
    apply_identity(
        scope, graph.node("Div", X, root), operator.outputs[0].full_name, container
    )


def _piecewise_linear_shape(operator):
    """One column per bin, in the float type the graph computes in."""
    float_type = (
        DoubleTensorType if _compute_type(operator) == _DOUBLE else FloatTensorType
    )
    n_rows = operator.inputs[0].get_first_dimension()
    n_outputs = int(operator.raw_operator.n_bins_.sum())
    operator.outputs[0].type = float_type([n_rows, n_outputs])


def _convert_piecewise_linear(scope, operator, container):
    """Each bin's column gathered, shifted, scaled and clipped, as transform does."""
    graph = _Graph(scope, container, _compute_type(operator))
    numpy_dtype = np.float64 if graph.proto_dtype == _DOUBLE else np.float32
    feature, left, width, low, high = _pieces(
        operator.raw_operator.bin_edges_, numpy_dtype
    )
    n = len(feature)
    X = graph.cast(operator.inputs[0].full_name, graph.proto_dtype)
    gathered = graph.node(
        "Gather", X, graph.constant(feature, (n,), onnx_proto.TensorProto.INT64), axis=1
    )
    scaled = graph.node(
        "Div",
        graph.node("Sub", gathered, graph.constant(left, (1, n))),
        graph.constant(width, (1, n)),
    )
    # Clip takes scalar bounds only: per-column bounds, with infinities for
    # the first and last bins, are a Max and a Min.
    clipped = graph.node(
        "Min",
        graph.node("Max", scaled, graph.constant(low, (1, n))),
        graph.constant(high, (1, n)),
    )
    apply_identity(scope, clipped, operator.outputs[0].full_name, container)


def _parse_tabular_frame(scope, model, inputs, custom_parsers=None):
    """One output per input column, named as the column, for the ColumnTransformer.

    The ColumnTransformer after :class:`~skmlp_numpy.TabularFrame` finds its
    columns by name among its inputs, so each output keeps its column's name.
    """
    kinds = getattr(model, "kinds_", {})
    refused = {
        label: kind
        for label, kind in kinds.items()
        if kind in ("datetime", "timedelta", "mixed")
    }
    if refused:
        label, kind = next(iter(refused.items()))
        raise NotImplementedError(
            f"ONNX export of TabularFrame: column {label!r} is a {kind} column, "
            "which the graph cannot convert from its raw values. Convert it to "
            "numbers (or strings) in the DataFrame before fitting; numeric and "
            "string columns convert as they are."
        )
    names = [variable.raw_name for variable in inputs]
    if kinds and names != list(kinds):
        raise RuntimeError(
            f"ONNX export of TabularFrame needs one input per column, named "
            f"{list(kinds)}; got {names}."
        )
    alias = TABULAR_FRAME_ALIAS
    this_operator = scope.declare_local_operator(alias, model)
    this_operator.inputs = list(inputs)
    outputs = []
    for variable in inputs:
        output = scope.declare_local_variable(
            variable.raw_name, variable.type.__class__(list(variable.type.shape))
        )
        this_operator.outputs.append(output)
        outputs.append(output)
    return outputs


def _tabular_frame_shape(operator):
    """Each output as its input: the step is the identity, column by column."""
    for variable, output in zip(operator.inputs, operator.outputs, strict=True):
        output.type = variable.type.__class__(list(variable.type.shape))


def _convert_tabular_frame(scope, operator, container):
    """The identity on each numeric or string column."""
    for variable, output in zip(operator.inputs, operator.outputs, strict=True):
        apply_identity(scope, variable.full_name, output.full_name, container)


SMOOTH_CLIP_ALIAS = "SkmlpNumpySmoothClip"
"""The name of :class:`~skmlp_numpy.SmoothClip`'s converter in skl2onnx's registry."""

TABULAR_FRAME_ALIAS = "SkmlpNumpyTabularFrame"
"""The name of :class:`~skmlp_numpy.TabularFrame`'s converter in skl2onnx's registry."""

ALIAS = "SkmlpNumpyTwoLayerNetClassifier"
"""The name of the classifier's converter in skl2onnx's registry."""

REGRESSOR_ALIAS = "SkmlpNumpyTwoLayerNetRegressor"
"""The name of the regressor's converter in skl2onnx's registry."""

PIECEWISE_LINEAR_ALIAS = "SkmlpNumpyPiecewiseLinearEncoder"
"""The name of :class:`~skmlp_numpy.PiecewiseLinearEncoder`'s converter in
skl2onnx's registry."""


def register() -> None:
    """Register the converters of both estimators with skl2onnx.

    Called when this module is imported; calling it again is harmless. The
    classifier's converter takes MLPClassifier's options: ``zipmap`` (True,
    False or 'columns'), ``nocl`` (labels as class indices) and
    ``output_class_labels``. The regressor's graph outputs
    one column per target.
    """
    update_registered_converter(
        TwoLayerNetClassifier,
        ALIAS,
        _classifier_shape,
        _convert_classifier,
        options={
            "zipmap": [True, False, "columns"],
            "output_class_labels": [False, True],
            "nocl": [True, False],
        },
    )
    update_registered_converter(
        TwoLayerNetRegressor, REGRESSOR_ALIAS, _regressor_shape, _convert_regressor
    )
    update_registered_converter(
        SmoothClip, SMOOTH_CLIP_ALIAS, _smooth_clip_shape, _convert_smooth_clip
    )
    update_registered_converter(
        TabularFrame,
        TABULAR_FRAME_ALIAS,
        _tabular_frame_shape,
        _convert_tabular_frame,
        parser=_parse_tabular_frame,
    )
    update_registered_converter(
        PiecewiseLinearEncoder,
        PIECEWISE_LINEAR_ALIAS,
        _piecewise_linear_shape,
        _convert_piecewise_linear,
    )


register()
