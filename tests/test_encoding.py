"""PiecewiseLinearEncoder: the encoding against its definition, the edges of
both strategies, dtypes, composition, and bad input.

scikit-learn's common checks run in test_common.py, ONNX export in
test_export.py, skops in test_ecosystem.py.
"""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skmlp_numpy import PiecewiseLinearEncoder, SmoothClip


def _reference(x, edges):
    """The encoding of one value, written from the paper's definition."""
    T = len(edges) - 1
    encoding = []
    for t in range(1, T + 1):
        ratio = (x - edges[t - 1]) / (edges[t] - edges[t - 1])
        if t > 1 and x < edges[t - 1]:
            encoding.append(0.0)
        elif t < T and x >= edges[t]:
            encoding.append(1.0)
        else:
            # Inside the bin, or below the first one, or above the last one.
            encoding.append(ratio)
    return encoding


def _data(n=300, seed=0):
    rng = np.random.RandomState(seed)
    return np.column_stack(
        [rng.normal(size=n), rng.exponential(size=n), rng.uniform(-5, 5, size=n)]
    )


def test_closed_form_on_a_tiny_example():
    X = np.arange(7.0).reshape(-1, 1)  # quantiles 0, 1/3, 2/3, 1: 0, 2, 4, 6
    ple = PiecewiseLinearEncoder(n_bins=3).fit(X)
    assert_array_equal(ple.bin_edges_[0], [0, 2, 4, 6])
    values = np.array([[-1.0], [1.0], [2.0], [3.0], [5.0], [6.0], [8.0]])
    expected = [
        [-0.5, 0, 0],  # below the range: the first bin goes negative
        [0.5, 0, 0],
        [1, 0, 0],
        [1, 0.5, 0],
        [1, 1, 0.5],
        [1, 1, 1],
        [1, 1, 2],  # above the range: the last bin goes past 1
    ]
    assert_allclose(ple.transform(values), expected)


@pytest.mark.parametrize("strategy", ["quantile", "tree"])
def test_every_value_is_encoded_as_the_definition_says(strategy):
    X = _data()
    ple = PiecewiseLinearEncoder(n_bins=5, strategy=strategy, random_state=0)
    ple.fit(X, X[:, 0] + X[:, 1] - X[:, 2] ** 2 / 5)
    grid = np.random.RandomState(1).normal(scale=4, size=(200, 3))
    out = ple.transform(grid)
    start = 0
    for j, edges in enumerate(ple.bin_edges_):
        expected = [_reference(x, edges) for x in grid[:, j]]
        n_bins = ple.n_bins_[j]
        assert_allclose(out[:, start : start + n_bins], expected, atol=1e-12)
        start += n_bins
    assert start == out.shape[1]


def test_the_encoding_is_monotonic_continuous_and_gives_back_the_value():
    X = _data()
    ple = PiecewiseLinearEncoder(n_bins=8).fit(X)
    column = np.linspace(-10, 10, 2001)
    grid = np.column_stack([column] * 3)
    out = ple.transform(grid)
    start = 0
    for j, edges in enumerate(ple.bin_edges_):
        block = out[:, start : start + ple.n_bins_[j]]
        start += ple.n_bins_[j]
        # Each bin's value rises with x, and never jumps: no step is larger
        # than the grid's step over the narrowest bin.
        steps = np.diff(block, axis=0)
        assert (steps >= 0).all()
        assert steps.max() <= (column[1] - column[0]) / np.diff(edges).min() + 1e-9
        # b_0 + sum_t e_t (b_t - b_{t-1}) telescopes back to x, inside the
        # range and outside it, because the end bins are not clipped.
        assert_allclose(edges[0] + block @ np.diff(edges), column, atol=1e-9)
        # Inside the range, at most one bin is strictly between 0 and 1.
        inside = (column > edges[0]) & (column < edges[-1])
        partial = (block[inside] > 0) & (block[inside] < 1)
        assert partial.sum(axis=1).max() <= 1


@pytest.mark.parametrize("n_bins", [2, 7, 16])
def test_one_output_column_per_bin(n_bins):
    X = _data()
    ple = PiecewiseLinearEncoder(n_bins=n_bins).fit(X)
    # Continuous columns get every bin asked for.
    assert_array_equal(ple.n_bins_, [n_bins] * 3)
    assert ple.transform(X).shape == (300, 3 * n_bins)
    assert [len(edges) for edges in ple.bin_edges_] == [n_bins + 1] * 3


def test_coincident_edges_are_merged_and_a_constant_column_has_no_bin():
    rng = np.random.RandomState(0)
    X = np.column_stack(
        [
            rng.normal(size=200),
            rng.randint(0, 2, size=200),  # two values, sixteen bins asked
            np.full(200, 3.0),  # constant
            np.r_[np.zeros(190), rng.normal(size=10)],  # mostly one value
        ]
    )
    ple = PiecewiseLinearEncoder(n_bins=16).fit(X)
    assert ple.n_bins_[0] == 16
    assert 1 <= ple.n_bins_[1] < 16
    assert ple.n_bins_[2] == 0
    assert 1 <= ple.n_bins_[3] < 16
    for edges in ple.bin_edges_:
        assert (np.diff(edges) > 0).all()
    assert_array_equal(ple.bin_edges_[2], [3.0])
    out = ple.transform(X)
    assert out.shape == (200, ple.n_bins_.sum())
    assert np.isfinite(out).all()
    names = ple.get_feature_names_out()
    assert not any(name.startswith("x2_") for name in names)
    assert names[16] == "x1_ple0"


@pytest.mark.parametrize("fit_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_stays_float32(fit_dtype, dtype):
    X = _data()
    ple = PiecewiseLinearEncoder(n_bins=4).fit(X.astype(fit_dtype))
    assert ple.bin_edges_[0].dtype == np.float64
    out = ple.transform(X.astype(dtype))
    assert out.dtype == dtype
    assert_allclose(out, ple.transform(X), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, "float32", np.dtype(np.float64)])
@pytest.mark.parametrize("input_dtype", [np.float64, np.float32, np.int64])
def test_dtype_sets_the_output_dtype_whatever_the_input(dtype, input_dtype):
    X = _data()
    ple = PiecewiseLinearEncoder(n_bins=4).fit(X)
    reference = ple.transform(X.astype(input_dtype))
    out = ple.set_params(dtype=dtype).transform(X.astype(input_dtype))
    assert out.dtype == np.dtype(dtype)
    # Computed in the output's precision, not cast from the input's.
    assert_allclose(out, reference, rtol=1e-5, atol=1e-5)
    tags = PiecewiseLinearEncoder(dtype=dtype).__sklearn_tags__()
    assert tags.transformer_tags.preserves_dtype == [np.dtype(dtype).name]


def test_constant_extrapolation_keeps_every_bin_in_0_1():
    X = _data()
    linear = PiecewiseLinearEncoder(n_bins=4).fit(X)
    constant = PiecewiseLinearEncoder(n_bins=4, extrapolation="constant").fit(X)
    far = np.array([[-1e6, -1e6, -1e6], [1e6, 1e6, 1e6]])
    assert np.all((constant.transform(far) >= 0) & (constant.transform(far) <= 1))
    # The nearest edge's encoding: below every edge all zeros, above all ones.
    assert_array_equal(constant.transform(far), [[0.0] * 12, [1.0] * 12])
    # The paper's: the first bin goes on below, the last above.
    assert linear.transform(far)[0, 0] < -1e5 and linear.transform(far)[1, 3] > 1e5
    # Inside the training range the two agree.
    assert_array_equal(constant.transform(X), linear.transform(X))


@pytest.mark.parametrize(
    "column",
    [
        # Unix seconds of events a few seconds apart: float32 holds them to
        # 128 s, so x - left in float32 would merge them.
        1.7e9 + np.random.RandomState(0).uniform(0, 100, 400),
        # p-values: widths below float32's smallest normal number.
        np.r_[np.zeros(300), np.random.RandomState(1).uniform(1, 2, 100) * 1e-50],
        # Beyond float32's range, in training.
        np.random.RandomState(2).normal(size=400) * 1e40,
    ],
    ids=["timestamps", "tiny", "huge"],
)
def test_a_float32_output_is_the_float64_encoding_cast(column):
    # Computed in float32, these encode as NaN, infinities or a handful of
    # distinct rows; the output is cast only once encoded.
    X = column.reshape(-1, 1)
    ple = PiecewiseLinearEncoder(n_bins=8, extrapolation="constant").fit(X)
    encoded = ple.set_params(dtype=np.float32).transform(X)
    assert encoded.dtype == np.float32
    assert np.isfinite(encoded).all()
    assert_array_equal(encoded, ple.set_params(dtype=None).transform(X).astype("f4"))
    assert len(np.unique(encoded, axis=0)) == len(np.unique(X))


@pytest.mark.parametrize("extrapolation", ["linear", "constant"])
@pytest.mark.parametrize("dtype", [None, np.float32])
@pytest.mark.parametrize("noise", [0.0, 1e-16, 1e-17])
def test_near_constant_columns_encode_finite(noise, dtype, extrapolation):
    # scikit-learn #26390: SplineTransformer gave NaN for a column of ones
    # plus noise of 1e-16; here such a column has one bin or none, and every
    # value, beyond the edges too, encodes finite.
    rng = np.random.RandomState(10)
    X = 1 + noise * rng.randn(5, 1)
    ple = PiecewiseLinearEncoder(4, extrapolation=extrapolation, dtype=dtype).fit(X)
    encoded = ple.transform(np.r_[X, [[X.max() + 1], [X.min() - 1]]])
    assert encoded.shape[1] == ple.n_bins_.sum() <= 2
    assert np.isfinite(encoded).all()


@pytest.mark.parametrize("extrapolation", ["linear", "constant"])
def test_the_largest_value_and_beyond_encode_as_all_bins_passed(extrapolation):
    # PreTab #12: a spline basis encoded the maximum seen in training, and
    # every value beyond it, as an all-zero row. Here the maximum has gone
    # through every bin (all ones), and a value beyond it too.
    X = np.arange(10.0).reshape(-1, 1)
    ple = PiecewiseLinearEncoder(3, extrapolation=extrapolation).fit(X)
    encoded = ple.transform([[9.0], [10.0], [0.0]])
    assert_array_equal(encoded[0], [1.0, 1.0, 1.0])
    assert_array_equal(encoded[1, :2], [1.0, 1.0])
    assert encoded[1, 2] == (1.0 if extrapolation == "constant" else 4 / 3)
    assert_array_equal(encoded[2], [0.0, 0.0, 0.0])


def test_rows_are_encoded_a_chunk_at_a_time_alike(monkeypatch):
    from skmlp_numpy import _encoding

    X = _data(n=50)
    ple = PiecewiseLinearEncoder(n_bins=5, dtype=np.float32).fit(X)
    whole = ple.transform(X)
    monkeypatch.setattr(_encoding, "_CHUNK_ROWS", 7)
    assert_array_equal(ple.transform(X), whole)


def _counts(n=400, seed=0):
    """Sparse-looking non-negative columns: counts and TF-IDF-like weights."""
    rng = np.random.RandomState(seed)
    X = np.column_stack(
        [
            rng.poisson(0.7, size=n),
            rng.exponential(size=n) * (rng.uniform(size=n) < 0.3),
            np.zeros(n),
            rng.uniform(size=n) * (rng.uniform(size=n) < 0.05),
        ]
    ).astype(np.float64)
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    return X, y


@pytest.mark.parametrize(
    "container",
    [sparse.csr_matrix, sparse.csc_matrix, sparse.csr_array, sparse.csc_array],
)
@pytest.mark.parametrize("strategy", ["quantile", "tree"])
@pytest.mark.parametrize("extrapolation", ["linear", "constant"])
@pytest.mark.parametrize("dtype", [None, np.float32])
def test_sparse_input_encodes_as_dense_and_stays_sparse(
    container, strategy, extrapolation, dtype
):
    X, y = _counts()
    params = dict(strategy=strategy, extrapolation=extrapolation, dtype=dtype)
    dense = PiecewiseLinearEncoder(8, random_state=0, **params).fit(X, y)
    ple = PiecewiseLinearEncoder(8, random_state=0, **params).fit(container(X), y)
    for ours, theirs in zip(ple.bin_edges_, dense.bin_edges_, strict=True):
        assert_array_equal(ours, theirs)
    # New rows, beyond the training range too.
    X_new = X * 1.5
    encoded = ple.transform(container(X_new))
    assert sparse.isspmatrix_csr(encoded) or isinstance(encoded, sparse.csr_array)
    assert isinstance(encoded, sparse.sparray) == issubclass(container, sparse.sparray)
    assert encoded.dtype == dense.transform(X_new).dtype
    assert_array_equal(encoded.toarray(), dense.transform(X_new))
    # No stored zeros: a cell's zero encodings are not kept.
    assert np.all(encoded.data != 0)
    assert encoded.nnz < np.count_nonzero(X_new) * ple.n_bins_.max() + 1


@pytest.mark.parametrize("n_rows", [1, 2, 3, 10, 257])
@pytest.mark.parametrize("density", [0.0, 0.05, 0.5, 1.0])
def test_sparse_quantiles_are_those_of_the_dense_column(n_rows, density):
    from skmlp_numpy._encoding import _sparse_quantiles

    rng = np.random.RandomState(n_rows)
    X = sparse.random(n_rows, 5, density=density, format="csc", random_state=rng)
    # Negative values, ties, stored zeros and a column of one repeated value.
    X.data = np.round(rng.normal(size=X.nnz) * 3, 1)
    X.data[::5] = 0.0
    X = sparse.hstack([X, np.full((n_rows, 1), 2.5)], format="csc")
    quantiles = np.linspace(0.0, 1.0, 9)
    dense = np.quantile(X.toarray(), quantiles, axis=0).T
    # numpy's own interpolation, so the same bits.
    assert_array_equal(_sparse_quantiles(X, quantiles), dense)


def test_sparse_fit_reads_only_the_stored_values():
    import tracemalloc

    # Ten million rows, a few values stored: a dense column would be 80 MB.
    n_rows = 10_000_000
    X = sparse.csc_matrix(
        (np.array([1.0, 2.0, 3.0]), (np.array([5, 500, 5_000_000]), [0, 1, 1])),
        shape=(n_rows, 2),
    )
    tracemalloc.start()
    ple = PiecewiseLinearEncoder(4, subsample=None, extrapolation="constant")
    ple.fit(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8e6
    # Almost every row is 0: every quantile edge but the maximum is 0.
    assert_array_equal(ple.bin_edges_[0], [0.0, 1.0])
    assert_array_equal(ple.bin_edges_[1], [0.0, 3.0])


def test_tree_edges_of_float32_input_are_those_of_float64():
    # Midpoints in float32 round onto one of their values: bins vanished.
    X = np.array([[16777216.0], [16777218.0], [16777220.0]], dtype=np.float32)
    y = [0, 1, 0]
    ple = PiecewiseLinearEncoder(4, strategy="tree").fit(X, y)
    reference = PiecewiseLinearEncoder(4, strategy="tree").fit(X.astype(float), y)
    assert ple.bin_edges_[0].dtype == np.float64
    assert_array_equal(ple.bin_edges_[0], reference.bin_edges_[0])
    assert ple.n_bins_[0] == 3


def test_fit_leaves_the_callers_sparse_matrix_as_it_was():
    # Two entries of one cell and unsorted rows: scipy's min and max would
    # sum them in place.
    X = sparse.csc_matrix(
        (np.array([1.0, 2.0, 3.0]), np.array([1, 0, 1]), np.array([0, 3])),
        shape=(3, 1),
    )
    PiecewiseLinearEncoder(2).fit(X)
    assert X.nnz == 3
    assert_array_equal(X.data, [1.0, 2.0, 3.0])
    assert_array_equal(X.indices, [1, 0, 1])


@pytest.mark.parametrize(
    "refused",
    [
        # Sparse, with a column whose bins start above 0.
        sparse.csr_matrix(np.array([[1.0, 0, 0, 0, 0], [2.0, 1, 1, 1, 1]])),
        # A span beyond float64.
        np.array([[1e308, 0, 0, 0, 0], [-1e308, 1, 1, 1, 1]]),
    ],
    ids=["sparse", "span"],
)
def test_a_refused_refit_leaves_the_encoder_as_it_was(refused):
    ple = PiecewiseLinearEncoder(2).fit(np.array([[0.0, 1, 2], [1, 2, 3], [2, 3, 4]]))
    before = pickle.dumps(ple)
    with pytest.raises(ValueError):
        ple.fit(refused)
    assert pickle.dumps(ple) == before
    with pytest.raises(ValueError, match="3 features"):
        ple.transform(np.ones((1, 5)))


def test_a_sparse_refusal_names_the_columns_of_the_X_being_fitted():
    pd = pytest.importorskip("pandas")
    ple = PiecewiseLinearEncoder(2).fit(
        pd.DataFrame({"a": [0.0, 1, 2], "b": [0, 1, 2]})
    )
    # Three columns, the third negative: the last fit's names are not these.
    X = sparse.csc_matrix(np.array([[0.0, 0, -1], [1, 1, 0], [2, 2, 3]]))
    with pytest.raises(ValueError, match="column 2 encodes 0"):
        ple.fit(X)
    frame = pd.DataFrame({"count": [0.0, 1, 2, 3], "delta": [-1.0, 0, 2, 3]})
    with pytest.raises(ValueError, match="column 'delta' encodes 0"):
        PiecewiseLinearEncoder(2).fit(frame.astype(pd.SparseDtype(float, 0.0)))


def test_sparse_refusals_name_the_column_and_the_way_out():
    pd = pytest.importorskip("pandas")
    X, _ = _counts()
    # A word in every document: no zero in fit, bins start above 0.
    X[:, 0] += 1
    frame = pd.DataFrame(X, columns=["word", "b", "c", "d"])
    with pytest.raises(ValueError, match="column 0 .*extrapolation='constant'"):
        PiecewiseLinearEncoder().fit(sparse.csr_matrix(X))
    ple = PiecewiseLinearEncoder(extrapolation="constant").fit(sparse.csr_matrix(X))
    assert_array_equal(ple.transform(sparse.csr_matrix(X)).toarray(), ple.transform(X))
    # Negative values: shift the column; names from fit name it.
    frame["word"] = -frame["word"]
    dense = PiecewiseLinearEncoder().fit(frame)
    sparse_frame = frame.astype(pd.SparseDtype(float, 0.0))
    with pytest.raises(ValueError, match="column 'word' .*shift the column"):
        dense.transform(sparse_frame)


def test_float32_sparse_output_stores_no_zero():
    # 1e-50 above the first edge: not 0 in float64, 0 in float32.
    X = np.array([[0.0], [1.0], [2.0], [0.0]])
    ple = PiecewiseLinearEncoder(2, dtype=np.float32).fit(X)
    encoded = ple.transform(sparse.csr_matrix(np.array([[1e-50], [1.5]])))
    assert np.all(encoded.data != 0)
    assert_array_equal(encoded.toarray(), ple.transform(np.array([[1e-50], [1.5]])))


def test_sparse_output_under_pandas_output_is_a_clear_error():
    # scikit-learn #25224 (KBinsDiscretizer): set_output(transform="pandas")
    # on sparse output. A clear ValueError saying so, not a wrong frame.
    pytest.importorskip("pandas")
    X, _ = _counts()
    ple = PiecewiseLinearEncoder(4).set_output(transform="pandas")
    with pytest.raises(ValueError, match="[Ss]parse"):
        ple.fit_transform(sparse.csr_matrix(X))
    # Dense input still gives a frame.
    assert list(ple.fit_transform(X).columns) == list(ple.get_feature_names_out())


def test_sparse_duplicate_entries_encode_as_their_sum():
    X, _ = _counts()
    ple = PiecewiseLinearEncoder(8).fit(X)
    # Row 0, column 1 stored twice: scipy reads the cell as the sum.
    duplicated = sparse.csr_matrix(
        (np.array([0.5, 0.25, 2.0]), np.array([1, 1, 0]), np.array([0, 2, 3])),
        shape=(2, X.shape[1]),
    )
    assert not duplicated.has_canonical_format
    assert_array_equal(
        ple.transform(duplicated).toarray(), ple.transform(duplicated.toarray())
    )


def test_sparse_tf_idf_into_a_net():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from skmlp_numpy import TwoLayerNetClassifier

    rng = np.random.RandomState(0)
    words = np.array(["red", "green", "blue", "cat", "dog", "fish", "tree", "sky"])
    docs = [" ".join(rng.choice(words, size=rng.randint(2, 8))) for _ in range(120)]
    y = np.array(["cat" in d for d in docs])
    pipe = make_pipeline(
        TfidfVectorizer(),
        PiecewiseLinearEncoder(4),
        TwoLayerNetClassifier(
            hidden_size=8, max_iter=300, learning_rate_init=0.01, random_state=0
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning
        pipe.fit(docs, y)
    encoded = pipe[:-1].transform(docs)
    assert sparse.issparse(encoded)
    assert encoded.shape[1] == pipe[1].n_bins_.sum()
    assert pipe.score(docs, y) > 0.9


def test_integers_become_float64():
    X = np.arange(20).reshape(10, 2)
    out = PiecewiseLinearEncoder(n_bins=2).fit_transform(X)
    assert out.dtype == np.float64


def test_tree_edges_follow_the_target():
    rng = np.random.RandomState(0)
    X = rng.uniform(-3, 3, size=(500, 1))
    ple = PiecewiseLinearEncoder(n_bins=2, strategy="tree", random_state=0)
    # One split, where the class changes: a different target, another edge.
    for threshold in (0.5, -1.0):
        ple.fit(X, (X[:, 0] > threshold).astype(int))
        assert ple.task_ == "classification"
        assert ple.n_bins_[0] == 2
        assert abs(ple.bin_edges_[0][1] - threshold) < 0.05
        assert_allclose(ple.bin_edges_[0][[0, 2]], [X.min(), X.max()])
    # The quantile edges do not look at y.
    quantile = PiecewiseLinearEncoder(n_bins=2).fit(X, X[:, 0] > 0.5)
    assert_allclose(quantile.bin_edges_[0][1], np.median(X))


@pytest.mark.parametrize(
    "scale, offset", [(1e-50, 0.0), (1e40, 0.0), (1.0, 1e8), (1e300, 0.0)]
)
def test_tree_edges_do_not_depend_on_the_column_scale(scale, offset):
    # DecisionTree* casts X to float32: on the raw values a column of 1e-50
    # lost its split, one of 1e40 was refused, 1e8 + row merged rows.
    rng = np.random.RandomState(0)
    x = rng.permutation(500).astype(np.float64).reshape(-1, 1)
    y = (x[:, 0] > 250.5).astype(int) + (x[:, 0] > 100.5)
    reference = PiecewiseLinearEncoder(4, strategy="tree", random_state=0).fit(x, y)
    ple = PiecewiseLinearEncoder(4, strategy="tree", random_state=0)
    ple.fit(x * scale + offset, y)
    assert_allclose(ple.bin_edges_[0], reference.bin_edges_[0] * scale + offset)
    assert_allclose(reference.bin_edges_[0], [0, 100.5, 250.5, 499])


def test_tree_task_is_read_from_y_or_given():
    X = _data()
    ple = PiecewiseLinearEncoder(n_bins=4, strategy="tree", random_state=0)
    assert ple.fit(X, X[:, 0] * 1.5).task_ == "regression"
    assert ple.fit(X, X[:, 0] > 0).task_ == "classification"
    assert ple.fit(X, np.where(X[:, 0] > 0, "a", "b")).task_ == "classification"
    # Integer-valued regression targets read as classes unless told.
    counts = np.round(np.exp(X[:, 0]) * 10)
    assert ple.fit(X, counts).task_ == "classification"
    assert ple.set_params(task="regression").fit(X, counts).task_ == "regression"
    assert PiecewiseLinearEncoder().fit(X, counts).task_ is None


def test_tree_edges_are_reproducible_with_random_state():
    X = _data()
    y = X[:, 0] + np.random.RandomState(1).normal(size=300)

    def edges(seed):
        ple = PiecewiseLinearEncoder(
            n_bins=6, strategy="tree", subsample=150, random_state=seed
        )
        return ple.fit(X, y).bin_edges_

    for first, second in zip(edges(0), edges(0), strict=True):
        assert_array_equal(first, second)
    assert any(
        not np.array_equal(a, b) for a, b in zip(edges(0), edges(1), strict=True)
    )


def test_subsample_draws_rows_reproducibly():
    X = _data(n=1000)
    full = PiecewiseLinearEncoder(n_bins=4, subsample=None).fit(X)
    some = PiecewiseLinearEncoder(n_bins=4, subsample=200, random_state=0).fit(X)
    again = PiecewiseLinearEncoder(n_bins=4, subsample=200, random_state=0).fit(X)
    assert_array_equal(some.bin_edges_[0], again.bin_edges_[0])
    assert not np.array_equal(some.bin_edges_[0], full.bin_edges_[0])
    # The drawn rows lie inside the data's range.
    assert full.bin_edges_[0][0] <= some.bin_edges_[0][0]


def test_feature_names_and_pandas_output():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(_data()[:, :2], columns=["age", "income"])
    ple = PiecewiseLinearEncoder(n_bins=2).set_output(transform="pandas")
    out = ple.fit_transform(X)
    assert list(out.columns) == ["age_ple0", "age_ple1", "income_ple0", "income_ple1"]
    assert_array_equal(out.index, X.index)
    unnamed = PiecewiseLinearEncoder(n_bins=2).fit(X.to_numpy())
    assert unnamed.get_feature_names_out(["a", "b"]).tolist()[-1] == "b_ple1"
    with pytest.raises(ValueError, match="input_features"):
        ple.get_feature_names_out(["a", "b"])


def test_in_pipelines_and_grid_search():
    X = _data()
    y = (X[:, 0] ** 2 + X[:, 2] > 1).astype(int)
    # As in the paper: the encoding appended to the scaled values.
    numeric = make_pipeline(
        StandardScaler(),
        SmoothClip(),
        FeatureUnion(
            [("values", "passthrough"), ("ple", PiecewiseLinearEncoder(n_bins=8))]
        ),
    )
    assert numeric.fit_transform(X).shape == (300, 3 + 24)
    pipe = make_pipeline(PiecewiseLinearEncoder(), LogisticRegression(max_iter=500))
    search = GridSearchCV(pipe, {"piecewiselinearencoder__n_bins": [2, 8]}, cv=3)
    search.fit(X, y)
    assert search.best_params_["piecewiselinearencoder__n_bins"] in (2, 8)
    # The encoding lets a linear model bend: x0 ** 2 needs at least 8 bins.
    assert search.best_score_ > make_pipeline(LogisticRegression()).fit(X, y).score(
        X, y
    )
    tree = make_pipeline(
        PiecewiseLinearEncoder(strategy="tree", random_state=0), Ridge()
    )
    assert tree.fit(X, X[:, 1] ** 2).score(X, X[:, 1] ** 2) > 0.95


def test_pickle_round_trip():
    X = _data()
    ple = PiecewiseLinearEncoder(strategy="tree", random_state=0).fit(X, X[:, 0] > 0)
    loaded = pickle.loads(pickle.dumps(ple))
    assert_array_equal(loaded.transform(X), ple.transform(X))
    assert_array_equal(loaded.n_bins_, ple.n_bins_)
    # What fit keeps from the edges (to spare transform a loop over the
    # columns) is fit's alone: transform changes nothing.
    assert pickle.dumps(ple) == pickle.dumps(clone(ple).fit(X, X[:, 0] > 0))


def test_what_transform_keeps_follows_the_edges_and_extrapolation():
    X, other = _data(), _data() * 3 + 1
    ple = PiecewiseLinearEncoder(n_bins=4).fit(X)
    ple.transform(X)
    ple.set_params(extrapolation="constant")
    constant = PiecewiseLinearEncoder(n_bins=4, extrapolation="constant")
    assert_array_equal(ple.transform(other), constant.fit(X).transform(other))
    ple.fit(other)
    assert_array_equal(ple.transform(X), constant.fit(other).transform(X))


@pytest.mark.parametrize(
    "params, name",
    [
        ({"n_bins": 1}, "n_bins"),
        ({"n_bins": 4.0}, "n_bins"),
        ({"strategy": "uniform"}, "strategy"),
        ({"task": "binary"}, "task"),
        ({"subsample": 0}, "subsample"),
        ({"random_state": "seed"}, "random_state"),
        ({"dtype": np.float16}, "dtype"),
        ({"dtype": "int32"}, "dtype"),
        ({"extrapolation": "periodic"}, "extrapolation"),
    ],
)
def test_bad_parameters_are_named(params, name):
    X = _data()
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        PiecewiseLinearEncoder(**params).fit(X, X[:, 0])


def test_bad_input_gives_clear_errors():
    X = _data()
    with pytest.raises(ValueError, match="strategy='tree'.*requires y"):
        PiecewiseLinearEncoder(strategy="tree").fit(X)
    with_nan = X.copy()
    with_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        PiecewiseLinearEncoder().fit(with_nan)
    ple = PiecewiseLinearEncoder().fit(X)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        ple.transform(with_nan)
    # Columns with negative values encode 0 as 1s: refused sparse, by name.
    with pytest.raises(ValueError, match="Sparse X: column 0 encodes 0 as nonzero"):
        PiecewiseLinearEncoder().fit(sparse.csr_matrix(X))
    with pytest.raises(ValueError, match="Sparse X: column 0 encodes 0 as nonzero"):
        ple.transform(sparse.csr_matrix(X))
    with pytest.raises(ValueError, match="3 features"):
        ple.transform(X[:, :2])
    with pytest.raises(ValueError, match="Unknown label type"):
        PiecewiseLinearEncoder(strategy="tree").fit(X, np.array([object()] * 300))
    # Finite values whose range overflows float64: the widths would be inf
    # and np.quantile's interpolation NaN.
    huge = np.array([[1.0, -1.7e308], [2.0, 1.7e308], [3.0, 0.0]])
    with pytest.raises(ValueError, match="Column 1 of X spans more than float64"):
        PiecewiseLinearEncoder(2).fit(huge)


@pytest.mark.parametrize(
    "column",
    [
        # scikit-learn#13194: nearly equal quantiles, unsorted by rounding.
        [0.05, 0.05, 0.95],
        # scikit-learn#15112: a column of mostly zeros.
        [20.0, 80.0] + [0.0] * 8,
        # scikit-learn#19416: tiny values, whose edges are close together.
        list(np.random.default_rng(1).uniform(-1e-200, 1e-200, size=5)),
    ],
    ids=["close-quantiles", "mostly-zeros", "tiny-values"],
)
def test_edges_of_the_peers_bug_reports_are_increasing_and_encode(column):
    X = np.asarray(column).reshape(-1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        encoder = PiecewiseLinearEncoder(10).fit(X)
        encoded = encoder.transform(X)
    assert np.all(np.diff(encoder.bin_edges_[0]) > 0)
    assert encoded.shape == (len(column), encoder.n_bins_[0])
    assert np.all((encoded >= 0) & (encoded <= 1))
