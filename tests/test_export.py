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


@pytest.mark.parametrize("zipmap", [True, False])
def test_date_labels_are_refused_clearly_unless_nocl(zipmap, capfd):
    # skl2onnx's ZipMap and shapes read the labels first, and failed with an
    # AttributeError or "Label types must be all integers or all strings".
    X, y = _classification("binary", np.float32)
    y = np.array(["2020-01-01", "2021-01-01"], dtype="datetime64[D]")[y]
    model = TwoLayerNetClassifier(hidden_size=4, max_iter=5).fit(X, y)
    with pytest.raises(NotImplementedError, match="labels are strings or 64-bit"):
        _to_onnx(model, X, options={"zipmap": zipmap})
    # With nocl the labels are class indices: any classes convert.
    onx = _to_onnx(model, X, options={"zipmap": False, "nocl": True})
    labels, proba = _run(onx, X, capfd)
    np.testing.assert_array_equal(model.classes_[labels], model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("classes", [[False, True], [-1.0, 3.0]])
def test_boolean_and_integral_float_labels_export_as_integers(classes, capfd):
    X, y = _classification("binary", np.float32)
    y = np.array(classes)[y]
    model = TwoLayerNetClassifier(hidden_size=4, max_iter=5).fit(X, y)
    labels, _ = _run(_to_onnx(model, X, options={"zipmap": False}), X, capfd)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, model.predict(X))


@pytest.mark.parametrize("extrapolation", ["linear", "constant"])
@pytest.mark.parametrize("strategy", ["quantile", "tree"])
@pytest.mark.parametrize("fit_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_piecewise_linear_encoder_onnx_matches_transform(
    strategy, fit_dtype, dtype, extrapolation, capfd
):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    X[:, 2] = np.round(X[:, 2])  # few values: merged edges, fewer bins
    X[:, 3] = 1.0  # constant: no bin
    y = X[:, 0] + X[:, 1] ** 2
    encoder = PiecewiseLinearEncoder(
        n_bins=8, strategy=strategy, random_state=0, extrapolation=extrapolation
    )
    encoder.fit(X.astype(fit_dtype), y)
    # Values beyond the training range too, where the end bins extrapolate.
    X_test = (3 * rng.normal(size=(200, 4))).astype(dtype)
    (encoded,) = _run(_to_onnx(encoder, X_test), X_test, capfd)
    expected = encoder.transform(X_test)
    assert encoded.dtype == dtype
    assert encoded.shape == (200, encoder.n_bins_.sum())
    np.testing.assert_allclose(encoded, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_smooth_clip_converts_huge_values_to_the_bound(dtype, capfd):
    # The square of a huge value overflows: ONNX must clip as smooth_clip does.
    X = np.array([[2.0], [1e20], [-1e30], [-0.5]], dtype=dtype)
    clip = SmoothClip().fit(X)
    (clipped,) = _run(_to_onnx(clip, X), X, capfd)
    np.testing.assert_allclose(clipped, clip.transform(X), rtol=1e-6)
    np.testing.assert_allclose(clipped[1:3, 0], [3, -3], rtol=1e-6)


@pytest.mark.parametrize("extrapolation", ["linear", "constant"])
def test_piecewise_linear_widths_below_float32s_range_give_no_nan(extrapolation, capfd):
    # Widths of 1e-300 are 0 in float32: the graph divided 0 by 0.
    X = np.array([[0.0], [1e-300], [2e-300], [3e-300]])
    encoder = PiecewiseLinearEncoder(n_bins=2, extrapolation=extrapolation).fit(X)
    X32 = X.astype(np.float32)
    (encoded,) = _run(_to_onnx(encoder, X32), X32, capfd)
    assert np.isfinite(encoded).all()
    np.testing.assert_allclose(encoded, encoder.transform(X32), atol=1e-6)


def test_piecewise_linear_graph_computes_in_float64_as_transform(capfd):
    # A column near a million: float32 edges subtracted from float32 values
    # were a tenth of a bin off, for inputs that float32 holds exactly.
    rng = np.random.RandomState(0)
    X = (1e6 + rng.normal(size=(300, 1))).astype(np.float32)
    encoder = PiecewiseLinearEncoder(n_bins=8).fit(X)
    (encoded,) = _run(_to_onnx(encoder, X), X, capfd)
    assert encoded.dtype == np.float32
    np.testing.assert_array_equal(encoded, encoder.transform(X))


@pytest.mark.parametrize(
    "make",
    [
        lambda X, y: TwoLayerNetRegressor(hidden_size=3, max_iter=2).fit(X, y),
        lambda X, y: TwoLayerNetClassifier(hidden_size=3, max_iter=2).fit(X, y > 0),
        lambda X, y: SmoothClip().fit(X),
        lambda X, y: PiecewiseLinearEncoder(n_bins=3).fit(X),
    ],
    ids=["regressor", "classifier", "smooth-clip", "encoder"],
)
def test_one_input_per_column_is_refused_with_the_way_out(make):
    # skl2onnx makes one input per DataFrame column (skl2onnx #620): the
    # graphs read the first (SmoothClip's silently gave that column alone).
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    model = make(X, X["a"].to_numpy())
    with pytest.raises(RuntimeError, match=r"takes one input .*\[None, 3\]"):
        skl2onnx.to_onnx(model, X[:1].astype(np.float32))


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


# scikit-learn's own transformers, as this module's converters make skl2onnx
# convert them: SimpleImputer(add_indicator=True) and OneHotEncoder with
# infrequent categories, compared with their transform directly.


def _run_feeds(onx, feeds, capfd):
    """The graph's only output on named inputs; onnxruntime must log no warning."""
    capfd.readouterr()
    session = rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    (output,) = session.run(None, feeds)
    logged = capfd.readouterr().err
    assert "onnxruntime" not in logged, logged
    return output


def _missing_numbers(n=60, seed=0):
    """Four float32 columns: the first and third with NaN, the others full."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    X[rng.rand(n) < 0.2, 0] = np.nan
    X[rng.rand(n) < 0.3, 2] = np.nan
    return X


@pytest.mark.parametrize("strategy", ["median", "mean", "constant"])
@pytest.mark.parametrize("n_inputs", [1, 2])
def test_imputer_with_indicator_matches_transform(strategy, n_inputs, capfd):
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.impute import SimpleImputer

    X = _missing_numbers()
    imputer = SimpleImputer(strategy=strategy, fill_value=-7.0, add_indicator=True).fit(
        X
    )
    # New rows: NaN in every column, the full ones included (imputed, with no
    # indicator column for them under 'missing-only').
    X_new = _missing_numbers(seed=1)
    X_new[::5, 1] = np.nan
    X_new[::7, 3] = np.nan
    splits = [4] if n_inputs == 1 else [1, 3]
    names = [f"x{i}" for i in range(n_inputs)]
    types = [
        (n, FloatTensorType([None, k])) for n, k in zip(names, splits, strict=True)
    ]
    onx = skl2onnx.to_onnx(imputer, initial_types=types)
    for data in (X, X_new):
        parts = np.split(data, np.cumsum(splits)[:-1], axis=1)
        got = _run_feeds(onx, dict(zip(names, parts, strict=True)), capfd)
        np.testing.assert_array_equal(got, imputer.transform(data))
    # Columns with no missing value in fit: no indicator column at all.
    full = SimpleImputer(strategy=strategy, fill_value=-7.0, add_indicator=True)
    full.fit(X[:, [1, 3]])
    onx = skl2onnx.to_onnx(full, initial_types=[("X", FloatTensorType([None, 2]))])
    got = _run_feeds(onx, {"X": X_new[:, [1, 3]]}, capfd)
    np.testing.assert_array_equal(got, full.transform(X_new[:, [1, 3]]))


@pytest.mark.parametrize("keep_empty_features", [False, True])
def test_imputer_with_indicator_and_an_empty_column(keep_empty_features, capfd):
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.impute import SimpleImputer

    X = _missing_numbers()
    X[:, 1] = np.nan  # no value in fit: dropped unless keep_empty_features
    imputer = SimpleImputer(
        add_indicator=True, keep_empty_features=keep_empty_features
    ).fit(X)
    onx = skl2onnx.to_onnx(imputer, initial_types=[("X", FloatTensorType([None, 4]))])
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipping features", UserWarning)
        expected = imputer.transform(X)
    np.testing.assert_array_equal(_run_feeds(onx, {"X": X}, capfd), expected)


def test_imputer_with_indicator_of_a_number(capfd):
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.impute import SimpleImputer

    X = np.round(_missing_numbers() * 2)
    X[np.isnan(X)] = -1.0
    imputer = SimpleImputer(missing_values=-1.0, add_indicator=True).fit(X)
    onx = skl2onnx.to_onnx(imputer, initial_types=[("X", FloatTensorType([None, 4]))])
    np.testing.assert_array_equal(
        _run_feeds(onx, {"X": X}, capfd), imputer.transform(X)
    )


def test_imputer_with_indicator_on_strings_is_refused():
    from skl2onnx.common.data_types import StringTensorType
    from sklearn.impute import SimpleImputer

    X = np.array([["a"], ["b"], ["?"], ["a"]], dtype=object)
    imputer = SimpleImputer(
        missing_values="?", strategy="most_frequent", add_indicator=True
    ).fit(X)
    with pytest.raises(NotImplementedError, match="add_indicator=False"):
        skl2onnx.to_onnx(imputer, initial_types=[("X", StringTensorType([None, 1]))])


def _rare_categories(n=120, seed=0, new=False):
    """Three string columns with rare categories and missing values (np.nan).

    ``new=True`` adds categories never seen in training and missing values
    in the column that had none.
    """
    rng = np.random.RandomState(seed)
    X = np.empty((n, 3), dtype=object)
    X[:, 0] = rng.choice(["a", "b", "c", "r1", "r2"], n, p=[0.4, 0.3, 0.2, 0.05, 0.05])
    # "t", rare, is the first category: drop="first" drops the infrequent column.
    X[:, 1] = rng.choice(["t", "u", "v"], n, p=[0.03, 0.5, 0.47])
    X[:, 2] = rng.choice(["p", "q"], n)
    X[rng.rand(n) < 0.1, 0] = np.nan
    X[rng.rand(n) < 0.02, 1] = np.nan  # missing, but rare
    if new:
        X[::6, 0] = "unseen"
        X[1::6, 1] = "unseen"
        X[2::6, 2] = np.nan
        X[3::6, 2] = "unseen"
    return X


def _as_strings(X):
    """The feed of string columns: str() of each value, a missing one as 'nan'."""
    return np.where(
        np.vectorize(lambda v: isinstance(v, float) and np.isnan(v))(X),
        "nan",
        X.astype(str),
    )


def _encoder_id(params):
    return "-".join(map(str, params.values()))


ENCODERS = [
    {"min_frequency": 10, "handle_unknown": "ignore"},
    {"min_frequency": 10, "handle_unknown": "infrequent_if_exist"},
    {"max_categories": 3, "handle_unknown": "infrequent_if_exist"},
    {"min_frequency": 0.06, "handle_unknown": "infrequent_if_exist", "drop": "first"},
    {"min_frequency": 10, "handle_unknown": "infrequent_if_exist", "drop": "if_binary"},
    {"min_frequency": 10, "handle_unknown": "ignore", "drop": ["b", "v", "q"]},
]


@pytest.mark.parametrize(
    "params", ENCODERS, ids=lambda p: "-".join(map(str, p.values()))
)
@pytest.mark.parametrize("inputs", ["one", "per-column", "mixed"])
def test_one_hot_encoder_with_infrequent_categories_matches_transform(
    params, inputs, capfd
):
    from skl2onnx.common.data_types import StringTensorType
    from sklearn.preprocessing import OneHotEncoder

    X = _rare_categories()
    encoder = OneHotEncoder(sparse_output=False, **params).fit(X)
    assert any(c is not None for c in encoder.infrequent_categories_)
    splits = {"one": [3], "per-column": [1, 1, 1], "mixed": [2, 1]}[inputs]
    names = [f"x{i}" for i in range(len(splits))]
    types = [
        (n, StringTensorType([None, k])) for n, k in zip(names, splits, strict=True)
    ]
    onx = skl2onnx.to_onnx(encoder, initial_types=types)
    for data in (X, _rare_categories(seed=1, new=True)):
        with warnings.catch_warnings():
            # drop with unknown categories: "encoded as all zeros"
            warnings.filterwarnings("ignore", "Found unknown categories")
            expected = encoder.transform(data)
        parts = np.split(_as_strings(data), np.cumsum(splits)[:-1], axis=1)
        got = _run_feeds(onx, dict(zip(names, parts, strict=True)), capfd)
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)


def test_one_hot_encoder_with_infrequent_integer_categories(capfd):
    from skl2onnx.common.data_types import Int64TensorType
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.RandomState(0)
    X = rng.choice([3, 5, 8, 40, 41], size=(100, 2), p=[0.4, 0.3, 0.2, 0.05, 0.05])
    encoder = OneHotEncoder(
        min_frequency=10, handle_unknown="ignore", sparse_output=False
    ).fit(X)
    onx = skl2onnx.to_onnx(encoder, initial_types=[("X", Int64TensorType([None, 2]))])
    X_new = np.array([[3, 40], [41, 7], [99, 5]], dtype=np.int64)
    for data in (X.astype(np.int64), X_new):
        got = _run_feeds(onx, {"X": data}, capfd)
        np.testing.assert_array_equal(got, encoder.transform(data))


@pytest.mark.parametrize("handle_unknown", ["infrequent_if_exist", "warn"])
def test_an_unknown_category_without_infrequent_ones_is_all_zeros(
    handle_unknown, capfd
):
    # No category was rare: transform encodes an unknown one as 'ignore'
    # does, and skl2onnx's graph failed on it ("Unknown Category and zeros
    # = 0"); a tabular pipeline gets here through set_params.
    from skl2onnx.common.data_types import StringTensorType
    from sklearn.preprocessing import OneHotEncoder

    X = np.array([["a", "x"], ["b", "y"]] * 10, dtype=object)
    encoder = OneHotEncoder(
        handle_unknown=handle_unknown, min_frequency=2, sparse_output=False
    ).fit(X)
    onx = skl2onnx.to_onnx(encoder, initial_types=[("X", StringTensorType([None, 2]))])
    X_new = np.array([["zzz", "x"], ["b", "new"]], dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'warn' says the categories are unknown
        expected = encoder.transform(X_new)
    np.testing.assert_array_equal(_run_feeds(onx, {"X": X_new}, capfd), expected)
    assert encoder.handle_unknown == handle_unknown  # the user's, untouched


def test_one_hot_encoder_refuses_a_category_named_nan_beside_missing_values():
    from skl2onnx.common.data_types import StringTensorType
    from sklearn.preprocessing import OneHotEncoder

    X = np.array(["a"] * 20 + ["nan"] * 20 + [np.nan] * 20 + ["r"], dtype=object)
    encoder = OneHotEncoder(min_frequency=10, handle_unknown="ignore").fit(X[:, None])
    with pytest.raises(ValueError, match="feature 0 has the category 'nan'"):
        skl2onnx.to_onnx(encoder, initial_types=[("X", StringTensorType([None, 1]))])


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel-3"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ensemble_classifier_onnx_matches_predict(kind, dtype, capfd):
    X, y = _classification(kind, dtype)
    model = TwoLayerNetClassifier(
        hidden_size=8, n_members=3, max_iter=30, random_state=0
    ).fit(X, y)
    onx = _to_onnx(model, X, options={"zipmap": False})
    labels, proba = _run(onx, X, capfd)
    assert proba.dtype == dtype
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(labels, model.predict(X))


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ensemble_regressor_onnx_matches_predict(loss, dtype, capfd):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 6)).astype(dtype)
    y = np.exp(X[:, :2] / 2) if loss == "poisson" else X[:, :2] @ [[1, 2], [3, -1]]
    model = TwoLayerNetRegressor(
        hidden_size=8, n_members=4, loss=loss, max_iter=30, random_state=0
    ).fit(X, y)
    (prediction,) = _run(_to_onnx(model, X), X, capfd)
    np.testing.assert_allclose(
        prediction, model.predict(X), rtol=1e-5, atol=1e-5 * np.abs(y).max()
    )


@pytest.mark.parametrize("missing", [True, False], ids=["with-missing", "without"])
def test_a_real_nan_category_is_refused(missing):
    """Fed as strings, the category "nan" and a missing value are one input:
    beside missing values, one column; without them, a missing value after
    fit would predict as the category "nan", not as an unseen one."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    from skl2onnx.common.data_types import StringTensorType
    from sklearn.preprocessing import OneHotEncoder

    values = ["nan", "a", np.nan if missing else "b", "a"]
    X = pd.DataFrame({"city": pd.Series(values, dtype=object)})
    encoder = OneHotEncoder(handle_unknown="ignore").fit(X)
    with pytest.raises(ValueError, match="column 'city' has the category 'nan'"):
        skl2onnx.to_onnx(encoder, initial_types=[("city", StringTensorType([None, 1]))])


def test_float_input_with_infrequent_categories_is_refused():
    """A cast to integers would send 1.7 to the category 1."""
    pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.preprocessing import OneHotEncoder

    X = np.array([[1.0]] * 20 + [[2.0]] * 20 + [[3.0]] * 2)
    encoder = OneHotEncoder(min_frequency=10, handle_unknown="ignore").fit(X)
    with pytest.raises(NotImplementedError, match="feed its categories as strings"):
        skl2onnx.to_onnx(encoder, initial_types=[("X", FloatTensorType([None, 1]))])
