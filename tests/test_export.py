"""ONNX export: onnxruntime reproduces predict_proba and predict."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

skl2onnx = pytest.importorskip("skl2onnx", reason="the onnx extra is not installed")
rt = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")

import skmlp_numpy.export  # noqa: E402, F401  (registers the converter)
from skmlp_numpy import TwoLayerNetClassifier, TwoLayerNetRegressor  # noqa: E402


def _run(onx, X):
    session = rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    labels, proba = session.run(None, {session.get_inputs()[0].name: X})
    return labels, proba


def _data(n_classes, labels):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 6)).astype(np.float32)
    y = (X[:, :n_classes] + 0.3 * rng.normal(size=(200, n_classes))).argmax(axis=1)
    if n_classes == 2:
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
    names = np.array(["ant", "bee", "cat", "dog"])
    return X, names[y] if labels == "str" else y


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("labels", ["int", "str"])
@pytest.mark.parametrize("pipeline", [False, True])
def test_onnx_matches_predict_proba(activation, n_classes, labels, pipeline):
    X, y = _data(n_classes, labels)
    model = TwoLayerNetClassifier(
        hidden_size=8, activation=activation, max_iter=30, random_state=0
    )
    if pipeline:
        model = make_pipeline(StandardScaler(), model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    onx = skl2onnx.to_onnx(model, X[:1], options={"zipmap": False})
    onnx_labels, onnx_proba = _run(onx, X)
    np.testing.assert_allclose(onnx_proba, model.predict_proba(X), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(onnx_labels, model.predict(X))


def test_float64_model_exports_for_float32_input():
    X, y = _data(4, "int")
    model = TwoLayerNetClassifier(hidden_size=8, max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X.astype(np.float64), y)
    onx = skl2onnx.to_onnx(model, X[:1], options={"zipmap": False})
    _, onnx_proba = _run(onx, X)
    np.testing.assert_allclose(onnx_proba, model.predict_proba(X), rtol=1e-5, atol=1e-6)


def test_multilabel_with_two_labels_is_refused_clearly():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3)).astype(np.float32)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    model = TwoLayerNetClassifier(hidden_size=4, solver="lbfgs", max_iter=20).fit(X, Y)
    with pytest.raises(NotImplementedError, match="exactly two labels"):
        skl2onnx.to_onnx(model, X[:1], options={"zipmap": False})


def test_multilabel_exports():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5)).astype(np.float32)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0.5, X[:, 2] < 0]).astype(int)
    model = TwoLayerNetClassifier(hidden_size=8, solver="lbfgs", random_state=0).fit(
        X, Y
    )
    onx = skl2onnx.to_onnx(model, X[:1], options={"zipmap": False})
    onnx_labels, onnx_proba = _run(onx, X)
    np.testing.assert_allclose(onnx_proba, model.predict_proba(X), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(onnx_labels, model.predict(X))


def _run_regressor(onx, X):
    session = rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    (prediction,) = session.run(None, {session.get_inputs()[0].name: X})
    return prediction


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_regressor_onnx_matches_predict(activation, loss, n_outputs, dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5)).astype(dtype)
    Y = np.exp(0.5 * X[:, :n_outputs]) + 0.1 * rng.uniform(size=(200, n_outputs))
    y = Y[:, 0] if n_outputs == 1 else Y
    model = make_pipeline(
        StandardScaler(),
        TwoLayerNetRegressor(
            hidden_size=8, activation=activation, loss=loss, max_iter=30, random_state=0
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    onx = skl2onnx.to_onnx(model, X[:1])
    prediction = _run_regressor(onx, X)
    assert prediction.shape == (200, n_outputs)
    assert prediction.dtype == dtype
    np.testing.assert_allclose(
        prediction.reshape(y.shape), model.predict(X), rtol=1e-5, atol=1e-6
    )
