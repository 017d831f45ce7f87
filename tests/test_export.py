"""ONNX export: onnxruntime reproduces predict_proba and predict, or export refuses.

Every target kind, input dtype, activation and loss that the estimators accept
is converted here: the graph must load in onnxruntime without a warning and
match the estimator to 1e-5, or the conversion must raise an error that names
what is not supported.
"""

import warnings

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

skl2onnx = pytest.importorskip("skl2onnx", reason="the onnx extra is not installed")
rt = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")

import skmlp_numpy.export  # noqa: E402, F401  (registers the converter)
from skmlp_numpy import (  # noqa: E402
    PiecewiseLinearEncoder,
    SmoothClip,
    TwoLayerNetClassifier,
    TwoLayerNetRegressor,
)
from skmlp_numpy._layers import ACTIVATIONS  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

LOSSES = ["squared_error", "poisson", "absolute_error", "quantile"]


def _run(onx, X, capfd):
    """Every output of the graph on ``X``; onnxruntime must log no warning."""
    capfd.readouterr()
    session = rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    outputs = session.run(None, {session.get_inputs()[0].name: X})
    logged = capfd.readouterr().err
    assert "onnxruntime" not in logged, logged
    return outputs


def _to_onnx(model, X, **kwargs):
    """Convert with Python warnings turned into errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return skl2onnx.to_onnx(model, X[:1], **kwargs)


def _classification(kind, dtype, labels="int"):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 6)).astype(dtype)
    if kind == "binary":
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
    elif kind == "multiclass":
        y = (X[:, :4] + 0.3 * rng.normal(size=(200, 4))).argmax(axis=1)
    else:  # "multilabel-2", "multilabel-3": that many labels
        n_labels = int(kind[-1])
        return X, (X[:, :n_labels] + 0.3 > 0).astype(int)
    names = np.array(["ant", "bee", "cat", "dog"])
    return X, names[y] if labels == "str" else y


@pytest.mark.parametrize(
    "kind", ["binary", "multiclass", "multilabel-2", "multilabel-3"]
)
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_classifier_onnx_matches_predict(kind, activation, dtype, capfd):
    X, y = _classification(kind, dtype)
    model = TwoLayerNetClassifier(
        hidden_size=8, activation=activation, max_iter=30, random_state=0
    ).fit(X, y)
    onx = _to_onnx(model, X, options={"zipmap": False})
    labels, proba = _run(onx, X, capfd)
    assert proba.dtype == dtype
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(labels, model.predict(X))
    assert labels.shape == model.predict(X).shape


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("labels", ["int", "str"])
@pytest.mark.parametrize("pipeline", [False, True])
def test_labels_and_pipelines(n_classes, labels, pipeline, capfd):
    X, y = _classification(
        "binary" if n_classes == 2 else "multiclass", np.float32, labels
    )
    model = TwoLayerNetClassifier(hidden_size=8, max_iter=30, random_state=0)
    if pipeline:
        model = make_pipeline(StandardScaler(), model)
    model.fit(X, y)
    onnx_labels, onnx_proba = _run(
        _to_onnx(model, X, options={"zipmap": False}), X, capfd
    )
    np.testing.assert_allclose(onnx_proba, model.predict_proba(X), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(onnx_labels, model.predict(X))


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel-3"])
@pytest.mark.parametrize(
    "options",
    [{"zipmap": True}, {"zipmap": "columns"}, {"zipmap": False, "nocl": True}],
)
def test_classifier_options(kind, options, capfd):
    X, y = _classification(kind, np.float32)
    model = TwoLayerNetClassifier(hidden_size=8, max_iter=30, random_state=0).fit(X, y)
    labels, *proba = _run(_to_onnx(model, X, options=options), X, capfd)
    if options["zipmap"] is True:  # a dictionary per row
        proba = [[row[c] for c in range(len(model.classes_))] for row in proba[0]]
    else:  # one array, or one column per class
        proba = np.column_stack(proba)
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=1e-5, atol=1e-6)
    # The classes are 0, 1, ...: their indices (nocl) are the labels too.
    np.testing.assert_array_equal(labels, model.predict(X))


def test_float64_model_exports_for_float32_input(capfd):
    X, y = _classification("multiclass", np.float32)
    model = TwoLayerNetClassifier(hidden_size=8, max_iter=30, random_state=0)
    model.fit(X.astype(np.float64), y)
    _, onnx_proba = _run(_to_onnx(model, X, options={"zipmap": False}), X, capfd)
    assert onnx_proba.dtype == np.float32
    np.testing.assert_allclose(onnx_proba, model.predict_proba(X), rtol=1e-5, atol=1e-6)


def test_float32_model_exports_for_float64_input(capfd):
    X, y = _classification("multilabel-3", np.float64)
    model = TwoLayerNetClassifier(hidden_size=8, max_iter=30, random_state=0)
    model.fit(X.astype(np.float32), y)
    labels, onnx_proba = _run(_to_onnx(model, X, options={"zipmap": False}), X, capfd)
    assert onnx_proba.dtype == np.float64
    np.testing.assert_allclose(onnx_proba, model.predict_proba(X), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(labels, model.predict(X))


def test_labels_beyond_64_bit_integers_are_refused_clearly():
    X, y = _classification("binary", np.float32)
    y = np.where(y == 1, np.uint64(2**63), np.uint64(0))
    model = TwoLayerNetClassifier(hidden_size=4, max_iter=5).fit(X, y)
    with pytest.raises(NotImplementedError, match="labels are strings or 64-bit"):
        _to_onnx(model, X, options={"zipmap": False})


@pytest.mark.parametrize("classes", [[False, True], [-1.0, 3.0]])
def test_boolean_and_integral_float_labels_export_as_integers(classes, capfd):
    X, y = _classification("binary", np.float32)
    y = np.array(classes)[y]
    model = TwoLayerNetClassifier(hidden_size=4, max_iter=5).fit(X, y)
    labels, _ = _run(_to_onnx(model, X, options={"zipmap": False}), X, capfd)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, model.predict(X))


@pytest.mark.parametrize("strategy", ["quantile", "tree"])
@pytest.mark.parametrize("fit_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_piecewise_linear_encoder_onnx_matches_transform(
    strategy, fit_dtype, dtype, capfd
):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    X[:, 2] = np.round(X[:, 2])  # few values: merged edges, fewer bins
    X[:, 3] = 1.0  # constant: no bin
    y = X[:, 0] + X[:, 1] ** 2
    encoder = PiecewiseLinearEncoder(n_bins=8, strategy=strategy, random_state=0)
    encoder.fit(X.astype(fit_dtype), y)
    # Values beyond the training range too, where the end bins extrapolate.
    X_test = (3 * rng.normal(size=(200, 4))).astype(dtype)
    (encoded,) = _run(_to_onnx(encoder, X_test), X_test, capfd)
    expected = encoder.transform(X_test)
    assert encoded.dtype == dtype
    assert encoded.shape == (200, encoder.n_bins_.sum())
    np.testing.assert_allclose(encoded, expected, rtol=1e-5, atol=1e-5)


def test_piecewise_linear_encoder_in_a_pipeline_converts(capfd):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3)).astype(np.float32)
    y = np.sin(2 * X[:, 0]) + X[:, 1]
    model = make_pipeline(
        StandardScaler(),
        SmoothClip(),
        PiecewiseLinearEncoder(n_bins=4),
        TwoLayerNetRegressor(hidden_size=8, max_iter=30, random_state=0),
    ).fit(X, y)
    (prediction,) = _run(_to_onnx(model, X), X, capfd)
    np.testing.assert_allclose(
        prediction.ravel(), model.predict(X), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_regressor_onnx_matches_predict(activation, loss, n_outputs, dtype, capfd):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5)).astype(dtype)
    Y = np.exp(0.5 * X[:, :n_outputs]) + 0.1 * rng.uniform(size=(200, n_outputs))
    y = Y[:, 0] if n_outputs == 1 else Y
    model = make_pipeline(
        StandardScaler(),
        TwoLayerNetRegressor(
            hidden_size=8,
            activation=activation,
            loss=loss,
            quantile=0.8 if loss == "quantile" else None,
            max_iter=30,
            random_state=0,
        ),
    ).fit(X, y)
    (prediction,) = _run(_to_onnx(model, X), X, capfd)
    assert prediction.shape == (200, n_outputs)
    assert prediction.dtype == dtype
    np.testing.assert_allclose(
        prediction.reshape(y.shape), model.predict(X), rtol=1e-5, atol=1e-6
    )
