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
Add, the output activation; for an ensemble, ``n_members > 1``, one MatMul of
the members' output layers as a block-diagonal matrix and the mean of their
outputs), then, for
the classifier, the labels: the class of highest probability, or for
multilabel models each label whose probability exceeds 0.5. A graph computes
in the dtype of its input, float64 for float64 input and float32 for anything
else, whatever the dtype the model was trained in, with operators that
onnxruntime implements in that dtype (one exception: a float64 graph computes
GELU's erf in float32, which onnxruntime has, and matches predict to 1e-5 all
the same). Class labels that are neither strings nor 64-bit integers (unsigned
integers from 2**63 up, say) are refused, with an error that names them.

It also registers converters for :class:`~skmlp_numpy.SmoothClip` (Div, Mul,
Add, Sqrt), :class:`~skmlp_numpy.PiecewiseLinearEncoder` and
:class:`~skmlp_numpy.TabularFrame` (the identity on each numeric or string
column, given one input per column), and for two
scikit-learn transformers that skl2onnx converts wrongly in some settings,
so that a fitted :func:`~skmlp_numpy.make_tabular_pipeline` with its default
settings converts whole:

- :class:`~sklearn.impute.SimpleImputer` with ``add_indicator=True``, whose
  indicator columns skl2onnx's converter leaves out: they follow the imputed
  columns, as in ``transform``;
- :class:`~sklearn.preprocessing.OneHotEncoder` with infrequent categories
  (``min_frequency`` or ``max_categories``), which skl2onnx's converter
  refuses for one input and encodes wrongly for several when a missing
  value is a category: the encoding is ``transform``'s, under every
  ``handle_unknown`` and ``drop``, for string and integer inputs. A
  category is fed as its ``str()``, a missing one (``np.nan``) as ``"nan"``.

This applies to any pipeline converted after the import, users' own
included; every other case of these two transformers (no indicator, no
infrequent category) is converted by skl2onnx's own converter, unchanged,
but for an encoder whose ``handle_unknown`` is ``'infrequent_if_exist'`` or
``'warn'``, converted as ``'ignore'``, whose encoding it then has (skl2onnx
writes one that fails on an unknown category).
"""

import copy
import math
import numbers

import numpy as np
from skl2onnx import update_registered_converter
from skl2onnx._parse import _parse_sklearn_classifier
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
from skl2onnx.operator_converters.common import concatenate_variables
from skl2onnx.operator_converters.imputer_op import convert_sklearn_imputer
from skl2onnx.operator_converters.one_hot_encoder import (
    convert_sklearn_one_hot_encoder,
)
from skl2onnx.proto import onnx_proto
from skl2onnx.shape_calculators.imputer import calculate_sklearn_imputer_output_shapes
from skl2onnx.shape_calculators.one_hot_encoder import (
    calculate_sklearn_one_hot_encoder_output_shapes,
)
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder

from ._classifier import TwoLayerNetClassifier
from ._encoding import PiecewiseLinearEncoder
from ._regressor import TwoLayerNetRegressor
from ._tabular import _CLIP_FROM, SmoothClip, TabularFrame

__all__ = [
    "ALIAS",
    "IMPUTER_ALIAS",
    "ONE_HOT_ENCODER_ALIAS",
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


def _reshape(graph, X, shape):
    """The name of ``X`` reshaped to ``shape``."""
    output = graph.scope.get_unique_variable_name("reshape")
    apply_reshape(graph.scope, X, output, graph.container, desired_shape=shape)
    return output


def _network(graph, operator):
    """The network's forward pass on the operator's input; its output's name.

    An ensemble (``n_members=k > 1``) computes its hidden layer as one net's,
    of ``k * hidden_size`` units, then every member's outputs by one MatMul
    with the members' output weights as a block-diagonal matrix, the output
    activation on each member's outputs (reshaped to a row each), and their
    mean as one MatMul with ``k`` stacked identities over ``k`` (no
    ReduceMean, whose signature changes between opsets).
    """
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
    W2, b2 = model.coefs_[1], model.intercepts_[1]
    ensemble = W2.ndim == 3
    n_layers = 1 if ensemble else 2  # the layers converted as one net's
    activations = (model.activation, model.out_activation_)
    for W, b, activation in zip(
        model.coefs_[:n_layers],
        model.intercepts_[:n_layers],
        activations[:n_layers],
        strict=True,
    ):
        W_name = graph.constant(W.astype(numpy_dtype), W.shape)
        b_name = graph.constant(b.astype(numpy_dtype), (1, len(b)))
        linear = graph.node("Add", graph.node("MatMul", layer, W_name), b_name)
        layer = _activation(graph, linear, activation)
    if not ensemble:
        return layer
    k, n_hidden, n_outputs = W2.shape
    # The members' output layers as one block-diagonal matrix: a plain MatMul,
    # where a batched one over transposed views made older onnxruntime fuse
    # them into a kernel that has no float64 version.
    blocks = np.zeros((k * n_hidden, k * n_outputs), dtype=numpy_dtype)
    for j in range(k):
        rows, columns = (
            slice(j * n_hidden, (j + 1) * n_hidden),
            slice(j * n_outputs, (j + 1) * n_outputs),
        )
        blocks[rows, columns] = W2[j]
    W_name = graph.constant(blocks, blocks.shape)
    b_name = graph.constant(b2.astype(numpy_dtype).reshape(1, -1), (1, k * n_outputs))
    linear = graph.node("Add", graph.node("MatMul", layer, W_name), b_name)
    members = _activation(
        graph, _reshape(graph, linear, (-1, n_outputs)), model.out_activation_
    )
    mean = np.tile(np.eye(n_outputs), (k, 1)) / k
    return graph.node(
        "MatMul",
        _reshape(graph, members, (-1, k * n_outputs)),
        graph.constant(mean.astype(numpy_dtype), mean.shape),
    )


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
    if all(
        isinstance(c, numbers.Real) and float(c).is_integer() and -(2**63) <= c < 2**63
        for c in classes
    ):
        return onnx_proto.TensorProto.INT64, np.array(classes, dtype=np.int64)
    raise NotImplementedError(
        f"ONNX export of the class labels {classes!r} is not supported: ONNX "
        "labels are strings or 64-bit integers. Encode the classes as such "
        "(e.g. with a LabelEncoder) before fitting."
    )


def _check_one_input(operator):
    """Refuse several inputs: a DataFrame converts as one input per column.

    The graphs read one matrix of every column; over several inputs they
    would read the first alone (a MatMul of the wrong width, or silently
    one column's values).
    """
    if len(operator.inputs) != 1:
        model = operator.raw_operator
        n_features = getattr(model, "n_features_in_", "n_features")
        raise RuntimeError(
            f"ONNX export of {type(model).__name__} takes one input holding "
            f"every column, of shape [None, {n_features}]; got "
            f"{len(operator.inputs)} inputs {[v.raw_name for v in operator.inputs]} "
            "(a DataFrame converts as one input per column). Convert with "
            f"X.to_numpy(np.float32)[:1], or initial_types=[('X', "
            f"FloatTensorType([None, {n_features}]))]."
        )


def _parse_classifier(scope, model, inputs, custom_parsers=None):
    """skl2onnx's classifier parser, once the labels are known to convert.

    Its ZipMap and its shapes read the labels first, and fail on others
    (dates, say) with errors that do not say what to do.
    """
    nocl = scope.get_options(model, {"nocl": False})["nocl"]
    _class_labels(model, nocl=nocl)
    return _parse_sklearn_classifier(scope, model, inputs, custom_parsers)


def _classifier_shape(operator):
    """skl2onnx's classifier outputs, with multilabel labels as a matrix."""
    _check_one_input(operator)
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
    _check_one_input(operator)
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
    _check_one_input(operator)
    float_type = (
        DoubleTensorType if _compute_type(operator) == _DOUBLE else FloatTensorType
    )
    shape = operator.inputs[0].type.shape
    operator.outputs[0].type = float_type(list(shape))


def _convert_smooth_clip(scope, operator, container):
    """x / sqrt(1 + (x / 3)^2), as :func:`skmlp_numpy.smooth_clip` computes it."""
    graph = _Graph(scope, container, _compute_type(operator))
    X = graph.cast(operator.inputs[0].full_name, graph.proto_dtype)
    # As smooth_clip: clipped first, so that the square cannot overflow.
    X = graph.node("Clip", X, graph.constant(-_CLIP_FROM), graph.constant(_CLIP_FROM))
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
    _check_one_input(operator)
    float_type = (
        DoubleTensorType if _compute_type(operator) == _DOUBLE else FloatTensorType
    )
    n_rows = operator.inputs[0].get_first_dimension()
    n_outputs = int(operator.raw_operator.n_bins_.sum())
    operator.outputs[0].type = float_type([n_rows, n_outputs])


def _convert_piecewise_linear(scope, operator, container):
    """Each bin's column gathered, shifted, scaled and clipped, as transform does."""
    graph = _Graph(scope, container, _compute_type(operator))
    encoder = operator.raw_operator
    feature, left, width, low, high = encoder._fitted_pieces()
    n = len(feature)
    # In float64, whatever the graph's type, as transform computes: a float32
    # value minus float32-rounded edges would be off by a whole bin's share
    # on a column far from 0 (a million plus noise).
    X = graph.cast(operator.inputs[0].full_name, _DOUBLE)
    gathered = graph.node(
        "Gather", X, graph.constant(feature, (n,), onnx_proto.TensorProto.INT64), axis=1
    )
    scaled = graph.node(
        "Div",
        graph.node("Sub", gathered, graph.constant(left, (1, n), _DOUBLE)),
        graph.constant(width, (1, n), _DOUBLE),
    )
    # Clip takes scalar bounds only: per-column bounds, with infinities for
    # the first and last bins under extrapolation="linear", are a Max and a
    # Min.
    clipped = graph.node(
        "Min",
        graph.node("Max", scaled, graph.constant(low, (1, n), _DOUBLE)),
        graph.constant(high, (1, n), _DOUBLE),
    )
    apply_cast(
        scope, clipped, operator.outputs[0].full_name, container, to=graph.proto_dtype
    )


def _parse_tabular_frame(scope, model, inputs, custom_parsers=None):
    """One output per input column, named as the column, for the ColumnTransformer.

    The ColumnTransformer after :class:`~skmlp_numpy.TabularFrame` finds its
    columns by name among its inputs, so each output keeps its column's name.
    """
    kinds = getattr(model, "kinds_", {})
    refused = {
        label: kind
        for label, kind in kinds.items()
        if kind in ("datetime", "timedelta", "time", "mixed", "empty")
    }
    if refused:
        label, kind = next(iter(refused.items()))
        if kind == "empty":
            raise NotImplementedError(
                f"ONNX export of TabularFrame: column {label!r} had no value in "
                "fit and was left out, which the graph's inputs cannot say. "
                "Drop the column from the DataFrame before fitting."
            )
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


def _is_nan(value):
    """Whether ``value`` is a float NaN (a missing value, for sklearn)."""
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


class _WithOutput:
    """An operator whose first output is ``output``, the rest being the operator's.

    skl2onnx's own imputer converter writes to ``operator.outputs[0]``: seen
    through this view, it writes the imputed columns where the indicator
    columns can be appended to them.
    """

    def __init__(self, operator, output):
        self._operator = operator
        self.outputs = [output]
        self.output_full_names = [output.full_name]

    def __getattr__(self, name):
        return getattr(self._operator, name)


class _Named:
    """A stand-in for an output variable: skl2onnx's converters use its name."""

    def __init__(self, full_name):
        self.full_name = full_name
        self.onnx_name = full_name


def _imputer_kept_columns(imputer):
    """The columns that ``SimpleImputer.transform`` keeps, or None for all.

    Without ``keep_empty_features``, scikit-learn drops the columns that had
    no value in ``fit`` (their statistic is NaN), which skl2onnx's converter
    keeps.
    """
    if getattr(imputer, "keep_empty_features", False):
        return None
    empty = np.array([_is_nan(value) for value in imputer.statistics_], dtype=bool)
    return np.flatnonzero(~empty) if empty.any() else None


def _imputer_shape(operator):
    """skl2onnx's shape, widened by the indicator columns under ``add_indicator``."""
    doubles = [
        v.raw_name for v in operator.inputs if isinstance(v.type, DoubleTensorType)
    ]
    if doubles:
        # to_onnx(pipe, X[:1]) reads float64 columns as double inputs: the
        # graph would convert, and onnxruntime refuse to load it.
        raise NotImplementedError(
            f"ONNX export of SimpleImputer: its inputs {doubles} are double, "
            "and onnxruntime has no double Imputer. Give them FloatTensorType "
            "in initial_types (for a tabular pipeline, as in the tabular "
            "page's recipe)."
        )
    calculate_sklearn_imputer_output_shapes(operator)
    imputer = operator.raw_operator
    if not imputer.add_indicator:
        return
    kept = _imputer_kept_columns(imputer)
    n_imputed = len(imputer.statistics_) if kept is None else len(kept)
    n_rows = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type.shape = [
        n_rows,
        n_imputed + len(imputer.indicator_.features_),
    ]


def _missing_mask(graph, X, missing_values, proto_dtype):
    """The name of ``X == missing_values`` (NaN equal to NaN), a boolean tensor."""
    if _is_nan(missing_values):
        if proto_dtype not in (_FLOAT, _DOUBLE):
            # An integer tensor holds no NaN: IsNaN of its float cast is all
            # False, as sklearn's mask of it.
            X = graph.cast(X, _FLOAT)
        return graph.node("IsNaN", X)
    if isinstance(missing_values, int | float | np.integer | np.floating):
        if proto_dtype not in (_FLOAT, _DOUBLE):
            missing_values = int(missing_values)
        return graph.node(
            "Equal", X, graph.constant(missing_values, proto_dtype=proto_dtype)
        )
    raise NotImplementedError(
        f"ONNX export of SimpleImputer(add_indicator=True) with "
        f"missing_values={missing_values!r} is not supported: use a number "
        "or NaN."
    )


def _convert_imputer(scope, operator, container):
    """skl2onnx's imputer, followed by sklearn's missing-value indicator columns.

    Without ``add_indicator`` the conversion is skl2onnx's own, unchanged.
    With it, skl2onnx's converter imputes (its graph ignores the indicator)
    and the indicator columns follow, as ``SimpleImputer.transform`` orders
    them: one per column of ``indicator_.features_`` (the columns that had
    missing values in ``fit``), 1 where the input is missing, 0 elsewhere, in
    the imputed columns' type. Columns without any value in ``fit`` are left
    out of the imputed ones, as scikit-learn does unless
    ``keep_empty_features=True``.
    """
    imputer = operator.raw_operator
    if not imputer.add_indicator:
        convert_sklearn_imputer(scope, operator, container)
        return
    proto_dtype = guess_proto_type(operator.inputs[0].type)
    if proto_dtype == onnx_proto.TensorProto.STRING:
        # sklearn's output mixes the strings with boolean indicators, which
        # no ONNX tensor holds.
        raise NotImplementedError(
            "ONNX export of SimpleImputer(add_indicator=True) on string "
            "columns is not supported (an ONNX tensor cannot hold strings "
            "and indicators together): set add_indicator=False for string "
            "columns."
        )
    graph = _Graph(scope, container, proto_dtype)
    imputed = scope.get_unique_variable_name("imputed")
    convert_sklearn_imputer(scope, _WithOutput(operator, _Named(imputed)), container)
    kept = _imputer_kept_columns(imputer)
    if kept is not None:
        indices = graph.constant(kept, kept.shape, onnx_proto.TensorProto.INT64)
        imputed = graph.node("Gather", imputed, indices, axis=1)
    features = np.asarray(imputer.indicator_.features_, dtype=np.int64)
    if len(features) == 0:
        apply_identity(scope, imputed, operator.outputs[0].full_name, container)
        return
    X = concatenate_variables(scope, operator.inputs, container)
    indices = graph.constant(features, features.shape, onnx_proto.TensorProto.INT64)
    columns = graph.node("Gather", X, indices, axis=1)
    missing = _missing_mask(graph, columns, imputer.missing_values, proto_dtype)
    apply_concat(
        scope,
        [imputed, graph.cast(missing, proto_dtype)],
        operator.outputs[0].full_name,
        container,
        axis=1,
    )


def _has_infrequent_categories(encoder):
    """Whether a fitted OneHotEncoder grouped some feature's rare categories."""
    infrequent = getattr(encoder, "infrequent_categories_", None)
    return infrequent is not None and any(c is not None for c in infrequent)


def _one_hot_layout(encoder, index):
    """Where ``OneHotEncoder.transform`` puts each category of feature ``index``.

    Returns
    -------
    columns : ndarray of int64
        The output column, within the feature's block, of each category of
        ``categories_[index]``, or -1 for a dropped one.
    unknown : int
        The column of a category not seen in ``fit``: -1 (all zeros) under
        ``handle_unknown='ignore'`` (or ``'error'``, which a graph cannot
        raise), the infrequent column under ``'infrequent_if_exist'`` or
        ``'warn'`` when the feature has one.
    width : int
        The number of columns of the feature's block.

    Notes
    -----
    Read from the public attributes, as their documentation states the
    layout: the frequent categories in the order of ``categories_``, then
    one column for the infrequent ones; ``drop_idx_`` indexes
    ``categories_``, and dropping an infrequent category drops the whole
    infrequent column.
    """
    categories = encoder.categories_[index]
    infrequent = getattr(encoder, "infrequent_categories_", None)
    rare = infrequent[index] if infrequent is not None else None
    is_rare = np.array(
        [
            rare is not None
            and any(
                (_is_nan(c) and _is_nan(r)) or (not _is_nan(c) and c == r) for r in rare
            )
            for c in categories
        ],
        dtype=bool,
    )
    n_frequent = int(np.sum(~is_rare))
    columns = np.empty(len(categories), dtype=np.int64)
    columns[~is_rare] = np.arange(n_frequent)
    columns[is_rare] = n_frequent
    width = n_frequent + int(is_rare.any())
    unknown = -1
    if is_rare.any() and encoder.handle_unknown in ("infrequent_if_exist", "warn"):
        unknown = n_frequent
    drop = None if encoder.drop_idx_ is None else encoder.drop_idx_[index]
    if drop is not None:
        dropped = columns[drop]
        columns = np.where(
            columns == dropped, -1, np.where(columns > dropped, columns - 1, columns)
        )
        unknown = -1 if unknown == dropped else unknown - int(unknown > dropped)
        width -= 1
    return columns, unknown, width


def _one_hot_encoder_shape(operator):
    """skl2onnx's shape, or the width of sklearn's output with infrequent columns."""
    encoder = operator.raw_operator
    if not _has_infrequent_categories(encoder):
        calculate_sklearn_one_hot_encoder_output_shapes(operator)
        return
    width = sum(
        _one_hot_layout(encoder, index)[2] for index in range(len(encoder.categories_))
    )
    # The layout is read from documented attributes; a scikit-learn whose
    # output differs in width stops the conversion rather than shift columns.
    if width != len(encoder.get_feature_names_out()):
        raise RuntimeError(
            f"ONNX export of OneHotEncoder: {width} output columns expected from "
            f"its categories, but get_feature_names_out names "
            f"{len(encoder.get_feature_names_out())}."
        )
    n_rows = operator.inputs[0].get_first_dimension()
    if np.issubdtype(encoder.dtype, np.signedinteger):
        operator.outputs[0].type = Int64TensorType([n_rows, width])
    else:
        operator.outputs[0].type = FloatTensorType([n_rows, width])


def _feature_columns(operator, n_features):
    """The input's name and column of each feature, over one or several inputs."""
    widths = [variable.type.shape[1] for variable in operator.inputs]
    if any(not isinstance(width, int) or width < 1 for width in widths):
        raise RuntimeError(
            f"Shapes must be known when OneHotEncoder is converted; the inputs "
            f"have {widths} columns."
        )
    if sum(widths) != n_features:
        raise RuntimeError(
            f"OneHotEncoder was fitted on {n_features} features; its inputs "
            f"have {sum(widths)} columns."
        )
    return [
        (variable, column)
        for variable, width in zip(operator.inputs, widths, strict=True)
        for column in range(width)
    ]


def _feature_name(encoder, index):
    """How messages name the encoder's feature ``index``: its column, if known."""
    names = getattr(encoder, "feature_names_in_", None)
    return f"feature {index}" if names is None else f"column {names[index]!r}"


def _category_keys(categories, proto_dtype, name):
    """The categories as LabelEncoder keys: strings, or 64-bit integers.

    ``name`` names the feature in messages.
    """
    if proto_dtype == onnx_proto.TensorProto.STRING:
        # str() of each category, np.nan (a missing value) giving "nan": the
        # string a missing value is fed as, which the skl2onnx converter this
        # one delegates to also matches. A category that is the string "nan"
        # would be a missing value's match: where training had no missing
        # value, a missing one would predict as that category, not as unseen.
        keys = [str(category) for category in categories]
        if any(isinstance(c, str) and c == "nan" for c in categories):
            raise ValueError(
                f"ONNX export of OneHotEncoder: {name} has the category 'nan', "
                "the string a missing value is fed as, so the graph could not "
                "tell them apart; rename the category (say, 'NaN text') before "
                "fitting."
            )
        if len(set(keys)) < len(keys):
            raise ValueError(
                f"ONNX export of OneHotEncoder: the categories {list(categories)} "
                f"of {name} are not distinct as strings (a missing value is fed "
                "as 'nan'); rename them."
            )
        return {"keys_strings": keys}
    if all(
        isinstance(c, int | float | np.integer | np.floating)
        and not _is_nan(c)
        and float(c).is_integer()
        for c in categories
    ):
        return {"keys_int64s": [int(category) for category in categories]}
    raise NotImplementedError(
        f"ONNX export of OneHotEncoder with infrequent categories: {name} has "
        f"categories {list(categories)}, which are neither string input nor "
        "integers. Feed strings (StringTensorType) or integers."
    )


def _convert_one_hot_encoder(scope, operator, container):
    """skl2onnx's one-hot encoder, or, with infrequent categories, sklearn's exactly.

    Without infrequent categories skl2onnx's converter is right, and it
    handles input types and options (``drop``, float inputs) that this one
    need not repeat: the conversion is its own, unchanged. With infrequent
    categories it refuses a single input and, over several inputs, counts a
    missing category (NaN, unequal to itself) both in its own column and in
    the infrequent one (skl2onnx issue #1026); so that case is built here,
    for string and integer inputs, one feature at a time: a LabelEncoder
    maps each category to its column in the feature's block (unknown values
    to -1, or to the infrequent column under ``'infrequent_if_exist'``), and
    Equal with ``0 .. width - 1`` makes the one-hot row.
    """
    encoder = operator.raw_operator
    features = _feature_columns(operator, len(encoder.categories_))
    if not _has_infrequent_categories(encoder):
        # skl2onnx's converter too matches strings by str(): a category
        # "nan" beside missing values would be one input value.
        for index, (variable, _) in enumerate(features):
            if guess_proto_type(variable.type) == onnx_proto.TensorProto.STRING:
                _category_keys(
                    encoder.categories_[index],
                    onnx_proto.TensorProto.STRING,
                    _feature_name(encoder, index),
                )
        if encoder.handle_unknown in ("infrequent_if_exist", "warn"):
            # With no infrequent category these encode an unknown category
            # as 'ignore' does, all zeros; skl2onnx's converter writes that
            # for 'ignore' alone (its graph failed on an unknown category).
            operator.raw_operator = copy.copy(encoder)
            operator.raw_operator.handle_unknown = "ignore"
        try:
            convert_sklearn_one_hot_encoder(scope, operator, container)
        finally:
            operator.raw_operator = encoder
        return
    graph = _Graph(scope, container, _FLOAT)
    int64 = onnx_proto.TensorProto.INT64
    blocks = []
    for index, (variable, column) in enumerate(features):
        columns, unknown, width = _one_hot_layout(encoder, index)
        if width == 0:
            continue
        proto_dtype = guess_proto_type(variable.type)
        keys = _category_keys(
            encoder.categories_[index], proto_dtype, _feature_name(encoder, index)
        )
        X = variable.full_name
        if variable.type.shape[1] > 1:
            X = graph.node("Gather", X, graph.constant([column], (1,), int64), axis=1)
        if proto_dtype not in (onnx_proto.TensorProto.STRING, int64):
            # A cast to integers would send 1.7 to the category 1.
            raise NotImplementedError(
                f"ONNX export of OneHotEncoder with infrequent categories: "
                f"{_feature_name(encoder, index)} is fed as "
                f"{variable.type.__class__.__name__}; "
                "feed its categories as strings (StringTensorType) or 64-bit "
                "integers (Int64TensorType)."
            )
        codes = graph.node(
            "LabelEncoder",
            X,
            values_int64s=columns.tolist(),
            default_int64=int(unknown),
            op_domain="ai.onnx.ml",
            op_version=2,
            **keys,
        )
        # The code -1 (unknown, or a dropped category) equals no column.
        one_hot_columns = graph.constant(np.arange(width), (1, width), int64)
        blocks.append(graph.node("Equal", codes, one_hot_columns))
    if not blocks:
        raise NotImplementedError(
            "ONNX export of a OneHotEncoder without output columns."
        )
    one_hot = blocks[0] if len(blocks) == 1 else graph.node("Concat", *blocks, axis=1)
    apply_cast(
        scope,
        one_hot,
        operator.outputs[0].full_name,
        container,
        to=guess_proto_type(operator.outputs[0].type),
    )


SMOOTH_CLIP_ALIAS = "SkmlpNumpySmoothClip"
"""The name of :class:`~skmlp_numpy.SmoothClip`'s converter in skl2onnx's registry."""

TABULAR_FRAME_ALIAS = "SkmlpNumpyTabularFrame"
"""The name of :class:`~skmlp_numpy.TabularFrame`'s converter in skl2onnx's registry."""

ALIAS = "SkmlpNumpyTwoLayerNetClassifier"
"""The name of the classifier's converter in skl2onnx's registry."""

REGRESSOR_ALIAS = "SkmlpNumpyTwoLayerNetRegressor"
"""The name of the regressor's converter in skl2onnx's registry."""

IMPUTER_ALIAS = "SkmlpNumpySimpleImputer"
"""The name of scikit-learn's SimpleImputer's converter in skl2onnx's registry."""

ONE_HOT_ENCODER_ALIAS = "SkmlpNumpyOneHotEncoder"
"""The name of scikit-learn's OneHotEncoder's converter in skl2onnx's registry."""

PIECEWISE_LINEAR_ALIAS = "SkmlpNumpyPiecewiseLinearEncoder"
"""The name of :class:`~skmlp_numpy.PiecewiseLinearEncoder`'s converter in
skl2onnx's registry."""


def register() -> None:
    """Register this module's converters with skl2onnx.

    Called when this module is imported; calling it again is harmless. The
    classifier's converter takes MLPClassifier's options: ``zipmap`` (True,
    False or 'columns'), ``nocl`` (labels as class indices) and
    ``output_class_labels``. The regressor's graph outputs
    one column per target.

    It also registers the converters of :class:`~skmlp_numpy.SmoothClip`,
    :class:`~skmlp_numpy.TabularFrame` and
    :class:`~skmlp_numpy.PiecewiseLinearEncoder`, and replaces skl2onnx's own for
    scikit-learn's :class:`~sklearn.impute.SimpleImputer` and
    :class:`~sklearn.preprocessing.OneHotEncoder` (through
    ``update_registered_converter``, under :data:`IMPUTER_ALIAS` and
    :data:`ONE_HOT_ENCODER_ALIAS`), in every pipeline converted afterwards:
    ``SimpleImputer(add_indicator=True)`` then gets its indicator columns
    and a ``OneHotEncoder`` with infrequent categories the encoding of its
    ``transform`` (a missing category fed as the string ``"nan"``); other
    settings of both are handed to skl2onnx's converters unchanged.
    """
    update_registered_converter(
        TwoLayerNetClassifier,
        ALIAS,
        _classifier_shape,
        _convert_classifier,
        parser=_parse_classifier,
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
        SimpleImputer, IMPUTER_ALIAS, _imputer_shape, _convert_imputer
    )
    update_registered_converter(
        OneHotEncoder,
        ONE_HOT_ENCODER_ALIAS,
        _one_hot_encoder_shape,
        _convert_one_hot_encoder,
    )
    update_registered_converter(
        PiecewiseLinearEncoder,
        PIECEWISE_LINEAR_ALIAS,
        _piecewise_linear_shape,
        _convert_piecewise_linear,
    )


register()
