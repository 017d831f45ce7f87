"""The trained network as a feature extractor: ``transform`` and its names.

``transform`` gives the hidden layer's activations, as scikit-learn's
transformers give their features: in pipelines, with ``set_output`` and
``get_feature_names_out`` (issue #19).
"""

import math

import numpy as np
import pandas as pd
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from scipy.special import erf
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import check_transformer_preserve_dtypes

from skmlp_numpy import TwoLayerNetClassifier, TwoLayerNetRegressor
from skmlp_numpy._network import TwoLayerNet

pytestmark = pytest.mark.usefixtures("quiet")

ESTIMATORS = [TwoLayerNetClassifier, TwoLayerNetRegressor]

# The activations written out from their definitions, independently of the
# package's layers: ReLU, and the exact GELU z Φ(z) with Φ from erf.
FORMULAS = {
    "relu": lambda Z: np.maximum(Z, 0),
    "gelu": lambda Z: Z * (1 + erf(Z / math.sqrt(2))) / 2,
}


def _fitted(Estimator, X, y, **params):
    params = {"hidden_size": 7, "max_iter": 5, "random_state": 0, **params}
    return Estimator(**params).fit(X, y)


@pytest.mark.parametrize("activation", sorted(FORMULAS))
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_transform_is_the_hidden_layer(blobs, Estimator, activation):
    X, y = blobs
    net = _fitted(Estimator, X, y, activation=activation)
    H = net.transform(X)
    assert H.shape == (X.shape[0], 7)
    W1, b1 = net.coefs_[0], net.intercepts_[0]
    assert_allclose(H, FORMULAS[activation](X @ W1 + b1), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_transform_has_no_dropout(blobs, Estimator):
    X, y = blobs
    net = _fitted(Estimator, X, y, dropout=0.5)
    H = net.transform(X)
    assert_array_equal(net.transform(X), H)
    assert_allclose(H, np.maximum(X @ net.coefs_[0] + net.intercepts_[0], 0))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transform_keeps_the_training_dtype(blobs, Estimator, dtype):
    X, y = blobs
    net = _fitted(Estimator, X.astype(dtype), y)
    # Whatever the input's float type: the weights' type, as predict.
    for X_in in (X.astype(np.float32), X.astype(np.float64)):
        assert net.transform(X_in).dtype == dtype


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("dtype", [None, np.float32, "float64"])
def test_the_preserves_dtype_tag_says_what_transform_gives(Estimator, dtype):
    # scikit-learn's check fits and transforms in each dtype the tag lists;
    # the tag said float64 only, whatever dtype was.
    net = Estimator(dtype=dtype, hidden_size=4, max_iter=3, random_state=0)
    preserved = net.__sklearn_tags__().transformer_tags.preserves_dtype
    expected = ["float64", "float32"] if dtype is None else [np.dtype(dtype).name]
    assert preserved == expected
    check_transformer_preserve_dtypes(type(net).__name__, net)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_an_invalid_dtype_is_named_where_the_tags_are_read_first(blobs, Estimator):
    # cross_val_score (and the HTML repr) read the tags before fit validates:
    # they raised NumPy's "data type 'foo' not understood".
    with pytest.raises(ValueError, match="'dtype' parameter"):
        cross_val_score(Estimator(dtype="foo"), *blobs, cv=2)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_transform_works_in_chunks_of_the_working_memory(blobs, Estimator, monkeypatch):
    X, y = blobs
    net = _fitted(Estimator, X, y, activation="gelu")
    whole = net.transform(X)
    chunks = []
    real = TwoLayerNet.forward

    def recording(self, X_chunk, *args, **kwargs):
        chunks.append(X_chunk.shape[0])
        return real(self, X_chunk, *args, **kwargs)

    monkeypatch.setattr(TwoLayerNet, "forward", recording)
    with sklearn.config_context(working_memory=0.0005):  # 0.5 kB: a few rows
        chunked = net.transform(X)
    assert len(chunks) > 1 and sum(chunks) == X.shape[0]
    assert_allclose(chunked, whole, rtol=1e-12)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sparse_input_gives_the_dense_features(blobs, Estimator):
    X, y = blobs
    net = _fitted(Estimator, X, y)
    assert_allclose(net.transform(sparse.csr_matrix(X)), net.transform(X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_transform_before_fit_is_not_fitted_error(blobs, Estimator):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        Estimator().transform(blobs[0])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_transform_names_a_wrong_width(blobs, Estimator):
    X, y = blobs
    net = _fitted(Estimator, X, y)
    with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 4"):
        net.transform(X[:, :3])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_feature_names_out_are_the_estimators_name_and_unit(blobs, Estimator):
    X, y = blobs
    net = _fitted(Estimator, X, y, hidden_size=3)
    prefix = Estimator.__name__.lower()
    assert_array_equal(
        net.get_feature_names_out(), [f"{prefix}0", f"{prefix}1", f"{prefix}2"]
    )


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_set_output_pandas_gives_a_named_dataframe(blobs, Estimator):
    X, y = blobs
    X = pd.DataFrame(X, columns=list("abcd"), index=np.arange(len(X)) + 100)
    net = _fitted(Estimator, X, y).set_output(transform="pandas")
    H = net.transform(X)
    assert isinstance(H, pd.DataFrame)
    assert_array_equal(H.columns, net.get_feature_names_out())
    assert_array_equal(H.index, X.index)
    assert_allclose(H.to_numpy(), net.set_output(transform="default").transform(X))


def test_a_classifier_is_a_pipeline_step(blobs):
    X, y = blobs
    pipe = make_pipeline(
        TwoLayerNetClassifier(hidden_size=7, max_iter=5, random_state=0),
        LogisticRegression(),
    ).fit(X, y)
    net, head = pipe[0], pipe[-1]
    assert head.n_features_in_ == 7
    # The pipeline fitted the net on (X, y), then its head on the features.
    expected = _fitted(TwoLayerNetClassifier, X, y)
    assert_array_equal(net.coefs_[0], expected.coefs_[0])
    assert_array_equal(pipe.predict(X), head.predict(net.transform(X)))
    assert_array_equal(pipe[:-1].get_feature_names_out(), net.get_feature_names_out())


def test_a_regressor_is_a_pipeline_step(blobs):
    X, y = blobs
    pipe = make_pipeline(
        TwoLayerNetRegressor(hidden_size=7, max_iter=5, random_state=0), Ridge()
    ).fit(X, y)
    assert_allclose(pipe.predict(X), pipe[-1].predict(pipe[0].transform(X)))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_fit_transform_is_fit_then_transform(blobs, Estimator):
    X, y = blobs
    H = Estimator(hidden_size=7, max_iter=5, random_state=0).fit_transform(X, y)
    assert_array_equal(H, _fitted(Estimator, X, y).transform(X))


def test_hidden_features_are_as_good_as_the_net_on_digits(digits):
    # Issue #19's "done when": a linear model on a trained net's hidden layer
    # classifies about as well as the net's own output layer does.
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    net = TwoLayerNetClassifier(
        hidden_size=64, learning_rate_init=0.01, max_iter=200, random_state=0
    )
    pipe = make_pipeline(net, LogisticRegression(max_iter=1000)).fit(X_train, y_train)
    net_accuracy = pipe[0].score(X_test, y_test)  # the net the pipeline trained
    assert net_accuracy > 0.95
    assert pipe.score(X_test, y_test) == pytest.approx(net_accuracy, abs=0.01)
