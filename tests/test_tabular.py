"""make_tabular_pipeline: raw DataFrames in, a tuned net out, like any pipeline."""

import datetime
import decimal
import importlib.util
import pickle
import re
import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.fixes import parse_version

from skmlp_numpy import (
    PiecewiseLinearEncoder,
    SmoothClip,
    TabularFrame,
    TwoLayerNetClassifier,
    TwoLayerNetRegressor,
    make_tabular_pipeline,
)
from skmlp_numpy._tabular import smooth_clip

pd = pytest.importorskip("pandas")

pytestmark = pytest.mark.usefixtures("quiet")

# Small and quick: the tests check the plumbing, not the accuracy.
FAST = {"hidden_size": 8, "max_iter": 5, "random_state": 0}


def _table(n=120, seed=0):
    """Numeric and categorical columns, with missing values in both."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "income": rng.lognormal(10, 1, n),
            "city": rng.choice(
                ["paris", "lyon", "nice", "rare"], n, p=[0.45, 0.3, 0.2, 0.05]
            ),
            "member": rng.choice([True, False], n),
        }
    )
    X.loc[rng.rand(n) < 0.1, "age"] = np.nan
    X.loc[rng.rand(n) < 0.1, "city"] = None
    signal = (X["age"].fillna(40) - 40) / 10 + (X["city"] == "paris")
    return X, signal


@pytest.mark.parametrize(
    "task, net",
    [("classification", TwoLayerNetClassifier), ("regression", TwoLayerNetRegressor)],
)
def test_fits_raw_dataframe_and_predicts_unseen_categories(task, net):
    X, signal = _table()
    y = signal > 0.5 if task == "classification" else signal
    pipe = make_tabular_pipeline(task, **FAST)
    assert isinstance(pipe, Pipeline)
    assert isinstance(pipe[-1], net)
    pipe.fit(X, y)
    X_new, _ = _table(n=6, seed=1)
    X_new["city"] = ["paris", "berlin", None, "rare", "lyon", "oslo"]
    X_new.loc[0, "income"] = np.nan  # missing where training had none
    prediction = pipe.predict(X_new)
    assert prediction.shape == (6,)
    assert np.all(
        np.isfinite(
            pipe[-1].predict_proba(pipe[:-1].transform(X_new))
            if task == "classification"
            else prediction
        )
    )
    assert np.all(np.isfinite(pipe[:-1].transform(X_new)))


def test_the_recipe_bins_numeric_columns_and_trains_four_members():
    X, signal = _table()
    pipe = make_tabular_pipeline("classification", random_state=0, max_iter=5)
    pipe.fit(X, signal > 0.5)
    names = pipe[:-1].get_feature_names_out().tolist()
    # Each numeric column: its clipped value, then its 8 quantile bins apart.
    encoder = pipe["preprocess"].named_transformers_["encoding"]["bins"]
    assert encoder.n_bins_.tolist() == [8, 8]
    for column in ("age", "income"):
        assert f"numeric__{column}" in names
        bins = [n for n in names if n.startswith(f"encoding__{column}_ple")]
        assert len(bins) == 8
    assert not any(n.startswith("encoding__missingindicator") for n in names)
    net = pipe["net"]
    assert (net.n_members, net.hidden_size) == (4, 128)
    assert net.coefs_[0].shape == (len(names), 4 * 128)
    assert net.coefs_[1].shape == (4, 128, 1)


def test_an_outlier_met_after_fit_stays_bounded():
    # The encoding's end bins are clipped as SmoothClip clips the values: a
    # value far beyond the training range predicts like the largest one.
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=300)})
    y = np.tanh(X["a"].to_numpy())
    pipe = make_tabular_pipeline("regression", **FAST).fit(X, y)
    far = pipe.predict(pd.DataFrame({"a": [100.0, 1e4, 1e39]}))
    assert np.isfinite(far).all()
    assert_allclose(far, far[-1], atol=1e-3)


@pytest.mark.parametrize(
    "column",
    [
        np.r_[np.zeros(300), np.random.RandomState(1).uniform(1, 2, 100) * 1e-50],
        np.random.RandomState(2).normal(size=400) * 1e40,
    ],
    ids=["p-values", "beyond-float32"],
)
def test_columns_of_tiny_or_huge_values_fit(column):
    # Finite values the net's float32 cannot hold as they are: the encoding
    # computes in float64 and casts what it made.
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"v": column})
    y = column > np.median(column)
    pipe = make_tabular_pipeline("classification", **{**FAST, "max_iter": 50})
    pipe.fit(X, y)
    assert np.isfinite(pipe[:-1].transform(X)).all()
    assert pipe.score(X, y) > 0.9


def test_timestamps_a_second_apart_keep_their_bins():
    # Ten minutes of events: as Unix seconds, float32 would hold them to
    # 128 s and give the encoding a handful of distinct rows.
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    seconds = np.sort(rng.uniform(0, 600, 400))
    X = pd.DataFrame({"t": pd.Timestamp("2026-01-01") + pd.to_timedelta(seconds, "s")})
    pipe = make_tabular_pipeline("classification", **FAST)
    pipe.fit(X, (seconds // 60) % 2 == 0)
    names = pipe[:-1].get_feature_names_out()
    bins = pipe[:-1].transform(X)[:, np.char.startswith(names.astype(str), "encoding")]
    assert len(np.unique(bins, axis=0)) > 300


def test_the_recipe_of_0_4_is_one_set_params_away():
    # As docs/tabular.rst writes it: no encoding, one net of 256 units.
    X, signal = _table()
    pipe = make_tabular_pipeline(
        "classification", n_members=1, hidden_size=256, random_state=0, max_iter=5
    ).set_params(preprocess__encoding="drop")
    pipe.fit(X, signal > 0.5)
    names = pipe[:-1].get_feature_names_out()
    assert not any(n.startswith("encoding__") for n in names)
    assert pipe["net"].coefs_[0].shape == (len(names), 256)
    assert pipe.score(X, signal > 0.5) > 0.5


def test_many_categories_give_dense_float32_training():
    # 60 frequent categories make the one-hot matrix about 3% dense; the net
    # trains in float32 on what the pipeline hands it.
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {"x": rng.normal(size=1200), "code": [f"c{i % 60}" for i in range(1200)]}
    )
    y = X["x"] > 0
    pipe = make_tabular_pipeline("classification", **FAST).fit(X, y)
    features = pipe[:-1].transform(X)
    assert isinstance(features, np.ndarray)
    # x, its 8 bins, and the 60 categories.
    assert features.shape == (1200, 1 + 8 + 60)
    assert pipe[-1].coefs_[0].dtype == np.float32


@pytest.mark.parametrize("rare", [True, False])
def test_unseen_categories_are_all_zeros_whether_or_not_some_were_rare(rare):
    X, signal = _table(n=400)
    X["city"] = ["paris"] * 200 + ["lyon"] * 195 + ["rare" if rare else "lyon"] * 5
    pipe = make_tabular_pipeline("classification", **FAST).fit(X, signal > 0.5)
    encoder = pipe.named_steps["preprocess"].named_transformers_["categorical"]
    assert (encoder.infrequent_categories_[0] is not None) == rare
    X_new = pipe["frame"].transform(X.iloc[:2].assign(city=["never seen", "paris"]))
    encoded = encoder.transform(X_new[["city", "member"]])
    city = [name.startswith("city_") for name in encoder.get_feature_names_out()]
    assert_array_equal(encoded[0, city], 0)
    assert encoded[1, city].sum() == 1


def test_numeric_columns_are_standardised_and_smoothly_clipped():
    X, signal = _table()
    X.loc[0, "income"] = 1e12  # an outlier
    pipe = make_tabular_pipeline("regression", **FAST).fit(X, signal)
    numeric = pipe.named_steps["preprocess"].named_transformers_["numeric"]
    values = numeric.transform(X[["age", "income"]])
    assert np.all(np.abs(values) < 3)
    # age had missing values: its indicator column follows the two columns.
    assert values.shape == (len(X), 3)
    assert_allclose(smooth_clip(np.array([0.0, 3.0, -1e9])), [0, 3 / np.sqrt(2), -3])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_smooth_clip_bounds_values_whose_square_overflows(dtype):
    # (x / 3) ** 2 overflows to inf beyond ~6e19 in float32 (~4e154 in
    # float64), and x / inf would be 0: a huge outlier must clip to +-3.
    huge = np.finfo(dtype).max
    X = np.array([[huge, -huge, 1e20, -1e30, 2.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clipped = smooth_clip(X)
    assert clipped.dtype == dtype
    assert_allclose(clipped[0, :4], [3, -3, 3, -3], rtol=1e-6)
    # Below the bound, the formula's exact result (arrays, whose promotion
    # rules are the same under every NumPy version).
    kept = X[:, 4:]
    assert_array_equal(clipped[:, 4:], kept / np.sqrt(1 + (kept / 3) ** 2))


def test_params_override_the_recipe():
    pipe = make_tabular_pipeline("classification", hidden_size=7, beta_2=0.9)
    net = pipe.named_steps["net"]
    assert (net.hidden_size, net.beta_2) == (7, 0.9)
    default = make_tabular_pipeline("classification").named_steps["net"]
    assert default.hidden_size != 7
    assert default.early_stopping


@pytest.mark.parametrize("task", ["clf", None, ["classification"]])
def test_bad_task_names_task(task):
    with pytest.raises(
        ValueError,
        match=re.escape(f"task must be 'classification' or 'regression'; got {task!r}"),
    ):
        make_tabular_pipeline(task)


def test_bad_param_names_get_the_nets_own_advice():
    with pytest.raises(TypeError, match="did you mean 'hidden_size'"):
        make_tabular_pipeline("regression", hiden_size=10)
    with pytest.raises(TypeError, match="write hidden_size=50"):
        make_tabular_pipeline("classification", hidden_layer_sizes=(50,))


def test_task_in_any_case():
    pipe = make_tabular_pipeline("Classification", **FAST)
    assert isinstance(pipe[-1], TwoLayerNetClassifier)
    assert isinstance(make_tabular_pipeline("REGRESSION")[-1], TwoLayerNetRegressor)


def test_grid_search_over_the_net_and_the_preprocessing():
    X, signal = _table()
    y = signal > 0.5
    grid = {
        "net__hidden_size": [4, 8],
        "preprocess__categorical__min_frequency": [1, 10],
    }
    search = GridSearchCV(make_tabular_pipeline("classification", **FAST), grid, cv=2)
    search.fit(X, y)
    assert search.best_params_["net__hidden_size"] in (4, 8)
    assert search.predict(X).shape == y.shape


def test_pickles_and_clones():
    X, signal = _table()
    pipe = make_tabular_pipeline("regression", **FAST).fit(X, signal)
    loaded = pickle.loads(pickle.dumps(pipe))
    assert_array_equal(loaded.predict(X), pipe.predict(X))
    cloned = clone(pipe)
    assert cloned.get_params()["net__hidden_size"] == 8
    assert not hasattr(cloned.named_steps["net"], "coefs_")
    assert_array_equal(cloned.fit(X, signal).predict(X), pipe.predict(X))


def test_sample_weight_routes_to_the_net():
    X, signal = _table()
    y = signal > 0.5
    sw = np.where(y, 5.0, 0.5)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_tabular_pipeline("classification", **FAST)
        pipe.named_steps["net"].set_fit_request(sample_weight=True)
        # StandardScaler takes sample_weight too: routing asks to decide.
        scaler = pipe.named_steps["preprocess"].transformers[0][1]["scale"]
        scaler.set_fit_request(sample_weight=False)
        weighted = pipe.fit(X, y, sample_weight=sw).named_steps["net"].coefs_[0]
    plain = make_tabular_pipeline("classification", **FAST).fit(X, y)
    assert not np.allclose(weighted, plain.named_steps["net"].coefs_[0])


def _kinds_table(n=60):
    """One column of each kind the docs' table lists, with missing values."""
    rng = np.random.RandomState(0)
    words = rng.choice(["a", "b", "c"], n).astype(object)
    words[::7] = None
    X = pd.DataFrame(
        {
            "float": rng.normal(size=n),
            "int": rng.randint(0, 9, n),
            "bool": rng.choice([True, False], n),
            "text": words,
            "mixed": rng.choice(np.array([1, "x", 2.5], dtype=object), n),
            "category": pd.Categorical(rng.choice(["lo", "hi"], n)),
            "ordered": pd.Categorical(
                rng.choice(["lo", "hi"], n), categories=["lo", "hi"], ordered=True
            ),
            "date": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.randint(0, 1000, n), unit="D"),
            "date_tz": pd.date_range("2021-01-01", periods=n, freq="h", tz="CET"),
            "duration": pd.to_timedelta(rng.randint(0, 100, n), unit="s"),
        }
    )
    X.loc[::5, "float"] = np.nan
    X.loc[::9, "date"] = pd.NaT
    X.loc[::11, "duration"] = pd.NaT
    return X, rng.normal(size=n)


@pytest.mark.parametrize(
    "convert",
    [
        lambda X: X,
        lambda X: X.convert_dtypes(),
        lambda X: X.convert_dtypes(dtype_backend="pyarrow"),
    ],
    ids=["numpy", "nullable", "pyarrow"],
)
def test_every_column_kind_trains(convert):
    original, y = _kinds_table()
    X = convert(original)
    pipe = make_tabular_pipeline("regression", **FAST).fit(X, y)
    assert pipe["frame"].kinds_ == {
        "float": "numeric",
        "int": "numeric",
        "bool": "categorical",
        "text": "categorical",
        "mixed": "mixed",
        "category": "categorical",
        "ordered": "categorical",
        "date": "datetime",
        "date_tz": "datetime",
        "duration": "timedelta",
    }
    assert np.all(np.isfinite(pipe.predict(X)))
    frame = pipe["frame"].transform(X)
    # Dates and durations go through the numeric branch, in seconds.
    seconds = original["duration"].dropna().dt.total_seconds()
    assert_allclose(frame["duration"].dropna(), seconds)
    assert frame["date_tz"].iloc[0] == pd.Timestamp("2021-01-01", tz="CET").timestamp()
    assert frame["date"].isna().sum() == X["date"].isna().sum()
    # Missing text, however stored, is one category.
    encoder = pipe["preprocess"].named_transformers_["categorical"]
    text = encoder.categories_[list(encoder.feature_names_in_).index("text")]
    assert len(text) == 4 and pd.isna(text[-1])
    # A mixed column is read as strings after fit too, whatever a batch holds.
    batch = pipe["frame"].transform(X.iloc[:3].assign(mixed=[1, 1, 1]))
    assert batch["mixed"].tolist() == ["1", "1", "1"]


def test_refuses_one_dimensional_input():
    with pytest.raises(ValueError, match="2-D table .*got 1 dimension"):
        make_tabular_pipeline("regression", **FAST).fit(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="got 0 dimension.*dict"):
        TabularFrame().fit({"a": [1.0, 2.0]})


def test_a_polars_lazy_frame_is_asked_to_be_collected():
    pl = pytest.importorskip("polars")
    X, _ = _table()
    frame = TabularFrame().fit(X)
    with pytest.raises(TypeError, match="LazyFrame: collect"):
        frame.transform(pl.from_pandas(X).lazy())
    # A polars series is one column, not a table.
    with pytest.raises(ValueError, match="got 1 dimension.*Series"):
        frame.transform(pl.Series("age", [1.0, 2.0]))


def test_complex_values_in_a_numeric_column_after_fit_are_refused_by_name():
    X, _ = _table()
    frame = TabularFrame().fit(X)
    with pytest.raises(ValueError, match="Column 'age' was a numeric column"):
        frame.transform(X.assign(age=X["age"] + 1j))


@parametrize_with_checks([SmoothClip(), SmoothClip(dtype=np.float32)])
def test_smooth_clip_is_a_scikit_learn_transformer(estimator, check):
    check(estimator)


@pytest.mark.parametrize("missing", [pd.NA, None, np.nan])
def test_missing_text_stored_any_way_is_one_category(missing):
    X, signal = _table()
    X["city"] = X["city"].astype(object).where(X["city"].notna(), missing)
    base, _ = _table()
    pipe = make_tabular_pipeline("classification", **FAST).fit(X, signal > 0.5)
    reference = make_tabular_pipeline("classification", **FAST).fit(base, signal > 0.5)
    assert_array_equal(pipe[:-1].transform(X), reference[:-1].transform(base))
    nullable = X.convert_dtypes()
    assert_array_equal(pipe[:-1].transform(nullable), reference[:-1].transform(base))


def test_integer_column_labels_are_labels():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(80, 3)), columns=[2, 0, 1])
    X[3] = rng.choice(["a", "b"], 80)
    y = X[2] > 0
    pipe = make_tabular_pipeline("classification", **FAST).fit(X, y)
    assert pipe["frame"].kinds_["3"] == "categorical"
    assert list(pipe["preprocess"].named_transformers_["numeric"].feature_names_in_)[
        :3
    ] == ["2", "0", "1"]
    assert pipe.predict(X).shape == (80,)


def test_numpy_pandas_pyarrow_and_polars_tables_give_the_same_predictions():
    rng = np.random.RandomState(0)
    values = rng.normal(size=(100, 3))
    y = values[:, 0] > 0
    frame = pd.DataFrame(values, columns=["a", "b", "c"])
    tables = [values, frame, frame.convert_dtypes(dtype_backend="pyarrow")]
    pl = pytest.importorskip("polars")
    tables.append(pl.from_pandas(frame))
    expected = make_tabular_pipeline("classification", **FAST).fit(frame, y)
    for table in tables:
        pipe = make_tabular_pipeline("classification", **FAST).fit(table, y)
        assert_allclose(
            pipe.predict_proba(table), expected.predict_proba(frame), rtol=1e-6
        )


def test_bagging_on_a_numpy_array():
    from sklearn.ensemble import BaggingClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = X[:, 0] > 0
    bag = BaggingClassifier(
        make_tabular_pipeline("classification", **FAST), n_estimators=2, random_state=0
    ).fit(X, y)
    assert bag.predict(X).shape == (80,)


@pytest.mark.parametrize("output", ["pandas", "polars"])
def _column_transformer_takes(output):
    """Whether this scikit-learn's ColumnTransformer stacks ``output`` frames.

    scikit-learn 1.7 (and older) recognises a polars frame by
    ``__dataframe__``, which polars 2 no longer has: there no
    ColumnTransformer, ours or any, gives polars output (1.9 reads it).
    """
    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import StandardScaler

    probe = make_column_transformer((StandardScaler(), [0]))
    try:
        probe.set_output(transform=output).fit_transform(np.ones((2, 1)))
    except ValueError as error:
        if "should be 2D" in str(error):
            return False
        raise
    return True


@pytest.mark.parametrize("output", ["pandas", "polars"])
def test_output_containers(output):
    if output == "polars":
        polars = pytest.importorskip("polars")
        if not _column_transformer_takes("polars"):
            pytest.skip(
                f"scikit-learn {sklearn.__version__}'s ColumnTransformer refuses "
                f"polars {polars.__version__} frames (it looks for __dataframe__, "
                "which polars 2 removed): no ColumnTransformer gives polars output"
            )
    X, signal = _table()
    pipe = make_tabular_pipeline("classification", **FAST)
    pipe.set_output(transform=output).fit(X, signal > 0.5)
    features = pipe[:-1].transform(X)
    assert type(features).__module__.split(".")[0] == output
    assert features.shape[0] == len(X)
    with sklearn.config_context(transform_output=output):
        pipe = make_tabular_pipeline("classification", **FAST).fit(X, signal > 0.5)
        assert type(pipe[:-1].transform(X)).__module__.split(".")[0] == output


@pytest.mark.parametrize(
    "column, reason",
    [
        ([[1, 2]] * 120, "cannot be categories"),
        (np.arange(120) + 1j, "complex numbers"),
        (np.array([1.5, 2] * 59 + [1 + 1j, None], dtype=object), "complex numbers"),
        ([np.inf] + [1.0] * 119, "infinite values"),
    ],
    ids=["lists", "complex", "complex-objects", "infinity"],
)
def test_unusable_column_is_refused_by_name(column, reason):
    X, signal = _table()
    X["bad"] = column
    with pytest.raises(ValueError, match=f"Column 'bad' .*{reason}"):
        make_tabular_pipeline("regression", **FAST).fit(X, signal)


def test_a_column_empty_in_a_folds_training_rows_is_left_out_with_a_warning():
    # A rare column, all missing in the first fold's training rows; left out
    # with a warning, as scikit-learn #18681 and #16426 asked of its imputer.
    X, signal = _table()
    X["rare"] = np.where(np.arange(len(X)) >= 100, 1.0, np.nan)
    pipe = make_tabular_pipeline("regression", **FAST)
    with pytest.warns(UserWarning, match=r"Columns \['rare'\] have no value"):
        pipe.fit(X.iloc[:100], signal[:100])
    assert pipe["frame"].kinds_["rare"] == "empty"
    assert "rare" not in pipe["frame"].get_feature_names_out()
    # Its values after fit are not read, whatever they are.
    assert_array_equal(
        pipe.predict(X.iloc[100:]), pipe.predict(X.iloc[100:].assign(rare="text"))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        scores = cross_val_score(
            make_tabular_pipeline("regression", **FAST), X, signal, cv=KFold(6)
        )
    assert np.isfinite(scores).all()
    with pytest.raises(ValueError, match="No column of X has a value"):
        TabularFrame().fit(pd.DataFrame({"a": [np.nan] * 3, "b": [None] * 3}))
    with pytest.raises(ValueError, match="0 sample"):
        TabularFrame().fit(X.iloc[:0])


def test_the_encodings_trees_take_the_pipelines_task():
    # Counts as regression targets: read from y, integers would be classes.
    X, signal = _table()
    counts = np.round(np.exp(signal)).astype(float)
    pipe = make_tabular_pipeline("Regression", **FAST).set_params(
        preprocess__encoding__bins__strategy="tree"
    )
    pipe.fit(X, counts)
    bins = pipe["preprocess"].named_transformers_["encoding"]["bins"]
    assert bins.task_ == "regression"


def test_infinity_or_text_in_a_numeric_column_at_predict_is_refused_by_name():
    X, signal = _table()
    X["count"] = pd.Series(np.arange(120), dtype=object)
    pipe = make_tabular_pipeline("regression", **FAST).fit(X, signal)
    with pytest.raises(ValueError, match="Column 'age' holds infinite"):
        pipe.predict(X.assign(age=np.inf))
    with pytest.raises(ValueError, match="Column 'count' was numeric in fit"):
        pipe.predict(X.assign(count="many"))


def test_object_columns_are_read_by_their_values():
    """Numbers, dates and times from a database or JSON arrive as objects."""
    n = 60
    rng = np.random.RandomState(0)
    amounts = [decimal.Decimal(f"{value:.2f}") for value in rng.uniform(0, 9, n)]
    first = datetime.date(2020, 1, 1)
    days = [first + datetime.timedelta(days=int(d)) for d in rng.randint(0, 400, n)]
    X = pd.DataFrame(
        {
            "decimal": pd.Series(amounts, dtype=object).where(rng.rand(n) > 0.1),
            "int_or_none": pd.Series(rng.randint(0, 5, n), dtype=object).where(
                rng.rand(n) > 0.1, None
            ),
            "date": pd.Series(days, dtype=object),
            "time": [datetime.time(int(h), 30) for h in rng.randint(0, 24, n)],
            "month": pd.period_range("2020-01", periods=n, freq="M"),
            "gap": pd.Series(
                [datetime.timedelta(minutes=int(m)) for m in rng.randint(0, 90, n)],
                dtype=object,
            ),
        }
    )
    pipe = make_tabular_pipeline("regression", **FAST).fit(X, rng.normal(size=n))
    assert pipe["frame"].kinds_ == {
        "decimal": "numeric",
        "int_or_none": "numeric",
        "date": "datetime",
        "time": "time",
        "month": "datetime",
        "gap": "timedelta",
    }
    frame = pipe["frame"].transform(X)
    assert all(dtype == np.float64 for dtype in frame.dtypes)
    decimals = [float(amount) for amount in X["decimal"].dropna()]
    assert_allclose(frame["decimal"].dropna(), decimals)
    assert frame["date"][0] == pd.Timestamp(days[0], tz="UTC").timestamp()
    assert frame["time"][0] == 3600 * X["time"][0].hour + 1800
    assert frame["month"][1] == pd.Timestamp("2020-02-01", tz="UTC").timestamp()
    assert frame["gap"][0] == 60 * X["gap"][0].total_seconds() / 60
    # The same values in polars: decimals and times convert alike.
    polars = pytest.importorskip("polars", reason="polars converts alike")
    X_pl = polars.from_pandas(X[["decimal", "time"]].astype({"decimal": float}))
    assert_allclose(pipe["frame"].fit_transform(X_pl)["time"], frame["time"])


def test_column_of_identifiers_warns_by_name():
    X, signal = _table()
    X["order_id"] = [f"A{i:05d}" for i in range(len(X))]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make_tabular_pipeline("regression", **FAST).fit(X, signal)
        make_tabular_pipeline("regression", **FAST).fit(X[X.columns[:-1]], signal)
    messages = [str(w.message) for w in caught if w.category is UserWarning]
    assert len(messages) == 1
    assert messages[0].startswith("Column 'order_id' has a different value")


def test_repeated_column_labels_are_refused_by_name():
    X, signal = _table()
    X.columns = ["a", "a", *X.columns[2:]]
    with pytest.raises(ValueError, match=r"labels \['a'\] name more than one"):
        make_tabular_pipeline("regression", **FAST).fit(X, signal)
    # 0 and "0" are one label once read as strings.
    with pytest.raises(ValueError, match=r"labels \['0'\]"):
        TabularFrame().fit(pd.DataFrame({0: [1.0, 2.0], "0": [3.0, 4.0]}))


@pytest.mark.parametrize(
    "index",
    [np.arange(120)[::-1] + 1000, np.zeros(120, dtype=int)],
    ids=["shuffled", "repeated"],
)
def test_pandas_output_keeps_any_index(index):
    """scikit-learn#26210 and #31051: frames with an index of their own."""
    X, signal = _table()
    X.index = index
    pipe = make_tabular_pipeline("classification", **FAST)
    pipe.set_output(transform="pandas").fit(X, signal > 0.5)
    features = pipe[:-1].transform(X)
    assert list(features.index) == list(index)
    expected = make_tabular_pipeline("classification", **FAST).fit(
        X.reset_index(drop=True), signal > 0.5
    )
    assert_allclose(pipe.predict_proba(X), expected.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("keep", ["numeric", "categorical"])
def test_pandas_output_with_one_branch_empty(keep):
    """scikit-learn#25487: a ColumnTransformer branch with no column."""
    X, signal = _table()
    X = X[["age", "income"] if keep == "numeric" else ["city"]]
    pipe = make_tabular_pipeline("classification", **FAST)
    pipe.set_output(transform="pandas").fit(X, signal > 0.5)
    assert pipe[:-1].transform(X).shape[0] == len(X)


def test_boolean_column_with_missing_values_then_without():
    """scikit-learn#29241: categories fitted with NaN, booleans at predict."""
    X, signal = _table()
    rng = np.random.RandomState(1)
    X["flag"] = pd.Series(rng.choice([True, False], len(X)), dtype=object)
    X.loc[::4, "flag"] = np.nan
    pipe = make_tabular_pipeline("classification", **FAST).fit(X, signal > 0.5)
    plain = X.assign(flag=rng.choice([True, False], len(X)))
    nullable = plain.astype({"flag": "boolean"})
    assert_allclose(pipe.predict_proba(plain), pipe.predict_proba(nullable))


def test_smooth_clip_transformer():
    clip = SmoothClip().fit(np.zeros((2, 2), dtype=np.float32))
    out = clip.transform(np.array([[0, 3], [-1e9, 1]], dtype=np.float32))
    assert out.dtype == np.float32
    assert_allclose(out[:, 0], [0, -3])
    assert clip.get_feature_names_out().tolist() == ["x0", "x1"]


def test_skops_lists_only_public_names():
    sio = pytest.importorskip("skops.io")
    X, signal = _table()
    pipe = make_tabular_pipeline("classification", **FAST).fit(X, signal > 0.5)
    untrusted = sio.get_untrusted_types(data=sio.dumps(pipe))
    ours = {name for name in untrusted if name.startswith("skmlp_numpy")}
    assert ours == {
        "skmlp_numpy._classifier.TwoLayerNetClassifier",
        "skmlp_numpy._encoding.PiecewiseLinearEncoder",
        "skmlp_numpy._tabular.SmoothClip",
        "skmlp_numpy._tabular.TabularFrame",
    }
    assert {name.split(".")[0] for name in untrusted} <= {
        "skmlp_numpy",
        "sklearn",
        "numpy",
    }
    loaded = sio.loads(sio.dumps(pipe), trusted=untrusted)
    assert_array_equal(loaded.predict(X), pipe.predict(X))


# Composability: the pipeline is one estimator among scikit-learn's.


def test_voting_and_stacking_classifiers():
    from sklearn.ensemble import StackingClassifier, VotingClassifier
    from sklearn.linear_model import LogisticRegression

    X, signal = _table()
    y = signal > 0.5
    first = make_tabular_pipeline("classification", **FAST)
    second = make_tabular_pipeline("classification", **{**FAST, "random_state": 1})
    voting = VotingClassifier([("a", first), ("b", second)], voting="soft")
    assert voting.fit(X, y).predict_proba(X).shape == (len(X), 2)
    stacking = StackingClassifier(
        [("a", first), ("b", second)], final_estimator=LogisticRegression(), cv=2
    )
    assert stacking.fit(X, y).predict(X).shape == y.shape


def test_calibrated_classifier():
    from sklearn.calibration import CalibratedClassifierCV

    X, signal = _table()
    y = signal > 0.5
    calibrated = CalibratedClassifierCV(
        make_tabular_pipeline("classification", **FAST), cv=2
    ).fit(X, y)
    proba = calibrated.predict_proba(X)
    assert proba.shape == (len(X), 2)
    assert_allclose(proba.sum(axis=1), 1)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_cross_validate(task):
    from sklearn.model_selection import cross_validate

    X, signal = _table()
    y = signal > 0.5 if task == "classification" else signal
    scores = cross_validate(make_tabular_pipeline(task, **FAST), X, y, cv=2)
    assert np.all(np.isfinite(scores["test_score"]))


def _routed_pipeline():
    pipe = make_tabular_pipeline("classification", **FAST)
    pipe.named_steps["net"].set_fit_request(sample_weight=True)
    pipe.named_steps["net"].set_score_request(sample_weight=True)
    scaler = pipe.named_steps["preprocess"].transformers[0][1]["scale"]
    scaler.set_fit_request(sample_weight=False)
    return pipe


@pytest.mark.skipif(
    parse_version(sklearn.__version__) < parse_version("1.9"),
    reason="scikit-learn 1.6.1's cross_validate asks the Pipeline itself for a "
    "score request, which 1.9 routes to its last step (checked on 1.6.1 and "
    "1.9.1 only)",
)
def test_sample_weight_routes_through_cross_validate_and_grid_search():
    from sklearn.model_selection import cross_validate

    X, signal = _table()
    y = signal > 0.5
    sw = np.where(y, 5.0, 0.5)
    with sklearn.config_context(enable_metadata_routing=True):
        weighted = cross_validate(
            _routed_pipeline(), X, y, cv=2, params={"sample_weight": sw}
        )
        plain = cross_validate(_routed_pipeline(), X, y, cv=2)
        assert not np.allclose(weighted["test_score"], plain["test_score"])
        grid = {
            "net__hidden_size": [4, 8],
            "preprocess__categorical__min_frequency": [1, 10],
        }
        search = GridSearchCV(_routed_pipeline(), grid, cv=2)
        search.fit(X, y, sample_weight=sw)
        net = search.best_estimator_.named_steps["net"]
        refit = clone(search.best_estimator_).fit(X, y, sample_weight=sw)
        assert_allclose(net.coefs_[0], refit.named_steps["net"].coefs_[0])


def test_tabular_frame_is_clonable_and_has_tags():
    from skmlp_numpy import TabularFrame

    frame = TabularFrame()
    assert clone(frame).get_params() == {}
    tags = frame.__sklearn_tags__()
    assert tags.transformer_tags is not None
    X, _ = _table()
    out = frame.set_output(transform="pandas").fit_transform(X)
    assert list(out.columns) == list(X.columns)


def _onnx_table(n=300, seed=0, new=False):
    """What the default pipeline meets: missing numbers, rare and missing categories.

    Two numeric columns, one with NaN; three string columns, two with rare
    categories (grouped as infrequent), one with missing values. ``new=True``
    makes a frame to predict: categories never seen in training, rare ones,
    and missing values in the columns that had none.
    """
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "income": rng.lognormal(10, 1, n),
            "city": rng.choice(
                ["paris", "lyon", "nice", "brest", "albi"],
                n,
                p=[0.45, 0.3, 0.21, 0.02, 0.02],
            ),
            "plan": rng.choice(["basic", "pro", "team"], n, p=[0.6, 0.39, 0.01]),
            "channel": rng.choice(["web", "shop"], n),
        }
    )
    X.loc[rng.rand(n) < 0.1, "age"] = np.nan
    X.loc[rng.rand(n) < 0.1, "city"] = None
    if new:
        X.loc[::5, "income"] = np.nan
        X.loc[1::5, "city"] = "unseen"
        X.loc[2::5, "plan"] = "unseen"
        X.loc[3::5, "channel"] = None
        X.loc[4::5, "channel"] = "phone"
    y = X["age"].fillna(40) / 10 + (X["city"] == "paris") + (X["plan"] == "pro")
    return X, y


def _onnx_inputs(X):
    """One input per column; categorical values as strings, a missing one 'nan'."""
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    types, feeds = [], {}
    for column in X.columns:
        if pd.api.types.is_numeric_dtype(X[column]):
            types.append((column, FloatTensorType([None, 1])))
            feeds[column] = X[[column]].to_numpy(np.float32)
        else:
            types.append((column, StringTensorType([None, 1])))
            values = X[[column]].astype(str).to_numpy()
            feeds[column] = np.where(X[[column]].isna(), "nan", values)
    return types, feeds


def _onnx_session(pipe, X):
    """onnxruntime's session of the pipeline converted with one input per column."""
    rt = pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    import skmlp_numpy.export  # noqa: F401

    types, _ = _onnx_inputs(X)
    options = {"zipmap": False} if hasattr(pipe, "predict_proba") else None
    onx = skl2onnx.to_onnx(pipe, initial_types=types, options=options)
    return rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_whole_default_pipeline_converts_to_onnx(task):
    X, y = _onnx_table()
    if task == "classification":
        y = y > y.median()
    pipe = make_tabular_pipeline(task, **FAST).fit(X, y)
    # The defaults at work: indicator columns and infrequent categories.
    assert pipe["preprocess"].named_transformers_["numeric"]["impute"].indicator_
    encoder = pipe["preprocess"].named_transformers_["categorical"]
    assert encoder.infrequent_categories_[0] is not None
    assert encoder.infrequent_categories_[1] is not None
    session = _onnx_session(pipe, X)
    for frame in (X, _onnx_table(seed=1, new=True)[0]):
        outputs = session.run(None, _onnx_inputs(frame)[1])
        if task == "classification":
            labels, proba = outputs
            assert_allclose(proba, pipe.predict_proba(frame), atol=1e-5)
            assert_array_equal(labels, pipe.predict(frame))
        else:
            assert_allclose(
                outputs[0].ravel(), pipe.predict(frame), rtol=1e-5, atol=1e-5
            )


def test_default_pipeline_with_one_categorical_column_converts_to_onnx():
    X, y = _onnx_table()
    X = X[["age", "city"]]
    y = y > y.median()
    pipe = make_tabular_pipeline("classification", **FAST).fit(X, y)
    session = _onnx_session(pipe, X)
    for frame in (X, _onnx_table(seed=1, new=True)[0][["age", "city"]]):
        labels, proba = session.run(None, _onnx_inputs(frame)[1])
        assert_allclose(proba, pipe.predict_proba(frame), atol=1e-5)
        assert_array_equal(labels, pipe.predict(frame))


def test_default_pipeline_with_constant_and_binary_columns_converts_to_onnx():
    # The encoding gives a constant column no bin, and a 0/1 column two (the
    # interpolated median is an edge); a table whose only numeric column is
    # constant has no encoded column.
    X, y = _onnx_table()
    y = y > y.median()
    X = X.assign(constant=3.0, flag=np.arange(len(X)) % 2)
    for columns in (list(X.columns), ["constant", "city"]):
        pipe = make_tabular_pipeline("classification", **FAST).fit(X[columns], y)
        n_bins = pipe["preprocess"].named_transformers_["encoding"]["bins"].n_bins_
        assert n_bins.tolist() == ([8, 8, 0, 2] if len(columns) > 2 else [0])
        session = _onnx_session(pipe, X[columns])
        new = _onnx_table(seed=1, new=True)[0].assign(constant=2.0, flag=1)
        for frame in (X[columns], new[columns]):
            labels, proba = session.run(None, _onnx_inputs(frame)[1])
            assert_allclose(proba, pipe.predict_proba(frame), atol=1e-5)
            assert_array_equal(labels, pipe.predict(frame))


def test_onnx_refusals_name_their_cause():
    pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    import skmlp_numpy.export  # noqa: F401

    X, y = _onnx_table()
    y = y > y.median()
    types, _ = _onnx_inputs(X)
    # Dates: refused by TabularFrame's converter, naming the column.
    X_date = X.assign(when=pd.date_range("2020-01-01", periods=len(X)))
    pipe = make_tabular_pipeline("classification", **FAST).fit(X_date, y)
    date_types = types + [("when", types[0][1])]
    with pytest.raises(NotImplementedError, match="column 'when' is a datetime"):
        skl2onnx.to_onnx(pipe, initial_types=date_types)
    # A column left out for having no value in fit.
    with pytest.warns(UserWarning, match="no value"):
        pipe = make_tabular_pipeline("classification", **FAST).fit(
            X.assign(rare=np.nan), y
        )
    with pytest.raises(NotImplementedError, match="column 'rare' had no value"):
        skl2onnx.to_onnx(pipe, initial_types=types + [("rare", types[0][1])])
    # Inputs read from a float64 frame (to_onnx(pipe, X[:1])) are double,
    # which onnxruntime's Imputer does not take: the graph did not load.
    pipe = make_tabular_pipeline("classification", **FAST).fit(X, y)
    with pytest.raises(
        NotImplementedError, match=r"SimpleImputer: its inputs .* double"
    ):
        skl2onnx.to_onnx(pipe, X[:1])


@pytest.mark.parametrize(
    "params, dtype",
    [({}, np.float32), ({"dtype": np.float64}, np.float64), ({"dtype": None}, None)],
)
def test_features_reach_the_net_in_its_dtype(params, dtype):
    """float32 features by default: half the memory, no copy in the net."""
    X, signal = _table()
    pipe = make_tabular_pipeline("classification", **FAST, **params)
    features = pipe[:-1].fit_transform(X, signal > 0.5)
    assert features.dtype == (np.float64 if dtype is None else dtype)
    pipe.fit(X, signal > 0.5)
    assert pipe["net"].coefs_[0].dtype == features.dtype


def test_smooth_clip_casts_after_computing_in_the_input_precision():
    X = np.array([[0.1], [3.0], [1e8]])
    clipped = SmoothClip(dtype="float32").fit_transform(X)
    assert clipped.dtype == np.float32
    assert_array_equal(clipped, smooth_clip(X).astype(np.float32))
    assert SmoothClip().fit_transform(X.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="'dtype' parameter of SmoothClip"):
        SmoothClip(dtype=np.int64).fit(X)


def test_float32_features_train_the_model_that_float64_features_did():
    """The net cast float64 features to float32 itself: the same bits."""
    X, signal = _table()
    pipe = make_tabular_pipeline("classification", **FAST).fit(X, signal > 0.5)
    wide = make_tabular_pipeline("classification", **FAST).set_params(
        preprocess__numeric__clip__dtype=None,
        preprocess__categorical__dtype=np.float64,
    )
    wide.fit(X, signal > 0.5)
    assert wide[:-1].transform(X).dtype == np.float64
    assert_array_equal(pipe.predict_proba(X), wide.predict_proba(X))


def _encoded_ensemble(task, **params):
    """The tabular page's candidate: the encoding beside the clipped values,
    four members of 128 units (here smaller, to be quick)."""
    pipe = make_tabular_pipeline(task, **{"hidden_size": 128, "n_members": 4, **params})
    numeric = FeatureUnion(
        [
            ("clip", SmoothClip(dtype=np.float32)),
            ("encoding", PiecewiseLinearEncoder(16)),
        ]
    )
    return pipe.set_params(preprocess__numeric__clip=numeric)


def test_encoded_ensemble_of_the_docs_trains_exports_and_saves():
    X, y = _onnx_table()
    y = y > y.median()
    pipe = _encoded_ensemble("classification", **FAST).fit(X, y)
    net = pipe["net"]
    assert net.coefs_[1].shape == (4, 8, 2 if net.n_outputs_ == 2 else 1)
    names = pipe[:-1].get_feature_names_out()
    assert any("encoding__age" in name for name in names)
    session = _onnx_session(pipe, X)
    for frame in (X, _onnx_table(seed=1, new=True)[0]):
        labels, proba = session.run(None, _onnx_inputs(frame)[1])
        assert_allclose(proba, pipe.predict_proba(frame), atol=1e-5)
        assert_array_equal(labels, pipe.predict(frame))
    skops = pytest.importorskip("skops.io", reason="skops lists the saved types")
    untrusted = skops.get_untrusted_types(data=skops.dumps(pipe))
    assert {name.split(".")[0] for name in untrusted} <= {
        "skmlp_numpy",
        "sklearn",
        "numpy",
    }
    assert "skmlp_numpy._encoding.PiecewiseLinearEncoder" in untrusted


def test_values_whose_squares_overflow_are_refused_by_name_in_fit():
    # StandardScaler's variance overflowed to NaN, and the error spoke of
    # missing values the user never gave (HGB fits such a column).
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"ok": rng.normal(size=60), "huge": rng.normal(size=60) * 1e200})
    y = (X["ok"] > 0).astype(int)
    pipe = make_tabular_pipeline("classification", max_iter=5, random_state=0)
    with pytest.raises(ValueError, match="Column 'huge' holds values up to .*1e\\+150"):
        pipe.fit(X, y)
    # After fit such a value is only scaled and clipped, never squared.
    pipe.fit(X.assign(huge=X["huge"] / 1e190), y)
    proba = pipe.predict_proba(X.iloc[:3])
    assert np.isfinite(proba).all()


@pytest.mark.parametrize("fit_tz, predict_tz", [("US/Eastern", None), (None, "UTC")])
def test_aware_and_naive_datetimes_are_not_mixed_after_fit(fit_tz, predict_tz):
    # Naive datetimes are read as UTC: hours away from aware ones, silently.
    dates = pd.Series(pd.date_range("2021-01-01", periods=40, freq="D"))
    frame = TabularFrame().fit(pd.DataFrame({"when": dates.dt.tz_localize(fit_tz)}))
    assert frame.tz_aware_ == {"when": fit_tz is not None}
    other = pd.DataFrame({"when": dates.dt.tz_localize(predict_tz)})
    sorts = ("naive", "time-zone aware")
    with pytest.raises(
        ValueError,
        match=f"Column 'when' held {sorts[fit_tz is not None]} datetimes in fit "
        f"but holds {sorts[predict_tz is not None]} ones",
    ):
        frame.transform(other)
    # Another time zone, or no value to tell, is fine.
    same = dates.dt.tz_localize(fit_tz)
    if fit_tz is not None:
        same = same.dt.tz_convert("Asia/Tokyo")
    assert_array_equal(
        frame.transform(pd.DataFrame({"when": same}))["when"],
        frame.transform(pd.DataFrame({"when": dates.dt.tz_localize(fit_tz)}))["when"],
    )
    # No value to tell by: an object column of None, or all NaT of either sort.
    for empty in (
        pd.Series([None, None], dtype=object),
        pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns]"),
        pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns, UTC]"),
    ):
        assert frame.transform(pd.DataFrame({"when": empty}))["when"].isna().all()
    # Strings are read as pandas reads them: with an offset, aware.
    as_text = pd.DataFrame({"when": dates.dt.tz_localize(fit_tz).astype(str)})
    assert_array_equal(
        frame.transform(as_text)["when"],
        frame.transform(pd.DataFrame({"when": dates.dt.tz_localize(fit_tz)}))["when"],
    )
    other_text = pd.DataFrame({"when": dates.dt.tz_localize(predict_tz).astype(str)})
    with pytest.raises(ValueError, match="Column 'when' held"):
        frame.transform(other_text)


def test_a_column_mixing_aware_and_naive_datetimes_is_refused_by_name():
    naive = [datetime.datetime(2024, 1, day) for day in range(1, 5)]
    aware = [d.replace(tzinfo=datetime.timezone.utc) for d in naive]
    mixed = pd.DataFrame({"when": pd.Series(naive[:2] + aware[2:], dtype=object)})
    match = "Column 'when' mixes time-zone aware and naive datetimes"
    with pytest.raises(ValueError, match=match):
        TabularFrame().fit(mixed)
    frame = TabularFrame().fit(pd.DataFrame({"when": pd.Series(naive, dtype=object)}))
    with pytest.raises(ValueError, match=match):
        frame.transform(mixed)


def test_dates_after_2262_are_seconds_or_refused_by_name():
    # A "valid to" of 9999-12-31 ("no end"), common in real tables, is beyond
    # nanoseconds (2262): the seconds were computed in nanoseconds (pandas
    # #11929 and #21972, users' ERP and SAS dates).
    expected = [253402214400.0, 1577836800.0]
    stamps = np.array(["9999-12-31", "2020-01-01"], dtype="datetime64[s]")
    for column in [pd.Series(stamps), pd.Series(stamps).dt.tz_localize("UTC")]:
        seconds = TabularFrame().fit_transform(pd.DataFrame({"valid_to": column}))
        assert_array_equal(np.asarray(seconds, dtype=float).ravel(), expected)
    # pandas < 3 reads datetime objects (and, some versions, pyarrow
    # timestamps) in nanoseconds only: there they are refused by name.
    others = [
        pd.Series(
            [datetime.datetime(9999, 12, 31), datetime.datetime(2020, 1, 1)],
            dtype=object,
        )
    ]
    if importlib.util.find_spec("pyarrow") is not None:
        others.append(pd.Series(stamps).astype("timestamp[us][pyarrow]"))
    for column in others:
        try:
            seconds = TabularFrame().fit_transform(pd.DataFrame({"valid_to": column}))
        except ValueError as error:
            assert parse_version(pd.__version__) < parse_version("3.0")
            assert re.search(r"Column 'valid_to'.*datetime64\[s\]", str(error))
        else:
            assert_array_equal(np.asarray(seconds, dtype=float).ravel(), expected)


def test_a_python_int_beyond_float64_is_refused_by_name():
    X = pd.DataFrame({"big": pd.Series([10**400, 1, None, 2], dtype=object)})
    with pytest.raises(ValueError, match="Column 'big' holds a number beyond float64"):
        TabularFrame().fit(X)


def test_a_column_given_another_kind_of_values_after_fit_is_refused_by_name():
    """Numbers in a date column would be read in another unit, silently."""
    X = pd.DataFrame({"when": pd.to_datetime(["2020-01-01", "2021-06-01"] * 5)})
    X["x"] = np.arange(10.0)
    frame = TabularFrame().fit(X)
    swaps = {
        "when": [X["when"].astype("int64"), np.arange(10.0), pd.to_timedelta(X["x"])],
        "x": [X["when"], pd.to_timedelta(X["x"], unit="D")],
    }
    for label, columns in swaps.items():
        for column in columns:
            with pytest.raises(ValueError, match=f"Column '{label}' was a"):
                frame.transform(X.assign(**{label: column}))


def test_pyarrow_nanosecond_timestamps_are_seconds():
    pa = pytest.importorskip("pyarrow", reason="pyarrow-backed timestamps")
    for tz in (None, "UTC"):
        values = [pd.Timestamp("2020-01-01", tz=tz), None]
        X = pd.DataFrame(
            {"t": pd.array(values, dtype=pd.ArrowDtype(pa.timestamp("ns", tz=tz)))}
        )
        seconds = TabularFrame().fit(X).transform(X)["t"]
        assert seconds[0] == pd.Timestamp("2020-01-01", tz="UTC").timestamp()
        assert np.isnan(seconds[1])


@pytest.mark.parametrize(
    "values",
    [[True, False, None, 1], [1, True, False, None], [0, 1, True], [True, 0]],
)
def test_the_kind_of_an_object_column_does_not_depend_on_row_order(values):
    X = pd.DataFrame({"b": pd.Series(values * 3, dtype=object)})
    kinds = {
        TabularFrame().fit(X.sample(frac=1, random_state=s)).kinds_["b"]
        for s in range(5)
    }
    assert kinds == {"numeric"}


def test_the_pages_onnx_recipe_on_an_integer_label_decimals_booleans_and_bytes():
    """docs/tabular.rst's recipe: input types from kinds_, feeds by position.

    Categories are fed as their str(): pandas' astype(str) decodes bytes
    (a parquet or polars Binary column), which the graph then missed.
    """
    rt = pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    import skmlp_numpy.export  # noqa: F401

    rng = np.random.default_rng(0)
    n = 200
    X = pd.DataFrame(
        {
            0: [decimal.Decimal(int(v)) for v in rng.integers(0, 5, n)],
            "x": rng.normal(size=n),
            "b": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
            "c": rng.choice(np.array(["u", "v", None], dtype=object), n),
            "raw": rng.choice(np.array([b"p", b"q", None], dtype=object), n),
        }
    )
    y = (X["raw"] == b"p").to_numpy(int) ^ (rng.random(n) < 0.1)
    pipe = make_tabular_pipeline("classification", **FAST).fit(X, y)
    kinds = pipe["frame"].kinds_
    types = [
        (
            name,
            FloatTensorType([None, 1])
            if kind == "numeric"
            else StringTensorType([None, 1]),
        )
        for name, kind in kinds.items()
    ]
    onx = skl2onnx.to_onnx(pipe, initial_types=types, options={"zipmap": False})
    arrays = [
        X[[label]].to_numpy(np.float32)
        if kind == "numeric"
        else np.where(X[[label]].isna(), "nan", X[label].map(str).to_numpy()[:, None])
        for label, kind in zip(X.columns, kinds.values(), strict=True)
    ]
    session = rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    names = [i.name for i in session.get_inputs()]
    labels, proba = session.run(None, dict(zip(names, arrays, strict=True)))
    assert_allclose(proba, pipe.predict_proba(X), atol=1e-5)
    assert_array_equal(labels, pipe.predict(X))


def test_fit_transform_is_fit_then_transform():
    """fit converts every column anyway; fit_transform returns that conversion."""
    X, _ = _kinds_table()
    pd.testing.assert_frame_equal(
        TabularFrame().fit_transform(X), TabularFrame().fit(X).transform(X)
    )


def test_pyarrow_dates_are_seconds_in_fit_and_after():
    # A parquet DATE column read with dtype_backend="pyarrow" (or polars'
    # to_pandas with pyarrow arrays) is date32: it has no time zone to ask.
    pa = pytest.importorskip("pyarrow", reason="pyarrow-backed dates")
    days = [datetime.date(2020, 1, 1), None, datetime.date(2020, 1, 3)]
    expected = [1577836800.0, np.nan, 1578009600.0]
    as_numpy = pd.DataFrame({"day": pd.to_datetime(pd.Series(days))})
    for date_type in (pa.date32(), pa.date64()):
        X = pd.DataFrame({"day": pd.array(days, dtype=pd.ArrowDtype(date_type))})
        frame = TabularFrame().fit(X)
        assert frame.kinds_ == {"day": "datetime"}
        assert_array_equal(frame.transform(X)["day"], expected)
        # Fitted on numpy datetimes, given pyarrow dates after.
        assert_array_equal(TabularFrame().fit(as_numpy).transform(X)["day"], expected)


@pytest.mark.filterwarnings("ignore:Could not infer format")  # pandas, on "soon"
def test_numbers_in_an_object_column_are_no_dates_or_durations():
    # JSON rows or a database driver give epoch seconds or hours as Python
    # ints beside a None: pandas would read them as nanoseconds, silently.
    n = 6
    X = pd.DataFrame(
        {
            "when": pd.date_range("2020-01-01", periods=n, freq="D"),
            "took": pd.to_timedelta(np.arange(n), unit="h"),
            "opens": [datetime.time(8 + i, 30) for i in range(n)],
        }
    )
    frame = TabularFrame().fit(X)
    numbers = pd.Series([1577836800, 1577923200, None] * 2, dtype=object)
    for label in ("when", "took"):
        with pytest.raises(ValueError, match=f"Column '{label}' was a .* int values"):
            frame.transform(X.assign(**{label: numbers}))
    # A time of day is read from datetime.time values only.
    for opens in (["12:30"] * n, list(range(n)), [12.5] * n):
        with pytest.raises(ValueError, match="Column 'opens' was a time column"):
            frame.transform(X.assign(opens=opens))
    # Strings are read as pandas reads them; one it cannot read is named.
    as_text = X.assign(when=X["when"].astype(str), took=X["took"].astype(str))
    pd.testing.assert_frame_equal(frame.transform(as_text), frame.transform(X))
    for label in ("when", "took"):
        unreadable = as_text.assign(**{label: ["soon"] * n})
        with pytest.raises(ValueError, match=f"Column '{label}' was a .* not a"):
            frame.transform(unreadable)


def test_a_mixed_column_reads_a_whole_number_as_one_category_whatever_its_type():
    # Fit on codes and strings; a batch of codes and a missing value arrives
    # as float64 (1.0 where fit saw 1).
    X = pd.DataFrame({"code": pd.Series([1, 2, "X7", 1, 2, "X7"] * 5, dtype=object)})
    frame = TabularFrame().fit(X)
    assert frame.kinds_ == {"code": "mixed"}
    batch = pd.DataFrame({"code": [1.0, 2.0, np.nan]})
    assert list(frame.transform(batch)["code"][:2]) == ["1", "2"]
    assert list(frame.transform(X)["code"][:3]) == ["1", "2", "X7"]
    # Other numbers keep their own strings; True is no 1.
    others = pd.DataFrame({"code": pd.Series([1.5, True, 10**400, "a"], dtype=object)})
    assert list(frame.transform(others)["code"]) == ["1.5", "True", str(10**400), "a"]


def test_unhashable_values_after_fit_are_refused_by_name():
    X = pd.DataFrame({"tags": ["a", "b", "a", "b"], "mix": [1, "a", 2, "b"]})
    frame = TabularFrame().fit(X)
    assert frame.kinds_ == {"tags": "categorical", "mix": "mixed"}
    lists = [["a"], ["b"], None, "a"]
    for label in ("tags", "mix"):  # a mixed column wrote lists as strings
        with pytest.raises(ValueError, match=f"Column '{label}' holds list values"):
            frame.transform(X.assign(**{label: lists}))


def test_a_date_or_time_column_with_no_value_after_fit_is_missing():
    # A batch of one missing value arrives as float64, whatever the kind.
    X = pd.DataFrame(
        {
            "when": pd.date_range("2020-01-01", periods=3),
            "took": pd.to_timedelta([1, 2, 3], unit="h"),
            "opens": [datetime.time(8), datetime.time(9), None],
        }
    )
    frame = TabularFrame().fit(X)
    empty = pd.DataFrame({label: [np.nan] for label in X.columns})
    assert frame.transform(empty).isna().all().all()


def test_feature_names_in_are_the_tables_column_labels():
    X, y = _table()
    pipe = make_tabular_pipeline("regression", **FAST).fit(X, y)
    assert_array_equal(pipe.feature_names_in_, X.columns)
    assert_array_equal(pipe["frame"].feature_names_in_, X.columns)
    # Checked as scikit-learn checks input_features.
    frame = pipe["frame"]
    assert_array_equal(frame.get_feature_names_out(list(X.columns)), X.columns)
    with pytest.raises(ValueError, match="input_features is not equal"):
        frame.get_feature_names_out(["a", "b", "c", "d"])
    # An array has no names (its columns are "0", "1"...): a refit forgets them.
    frame.fit(X.to_numpy())
    assert not hasattr(frame, "feature_names_in_")
    with pytest.raises(ValueError, match="input_features should have length"):
        frame.get_feature_names_out(["a"])
    # Labels that are not all strings have none, as in scikit-learn: in a
    # ColumnTransformer, which then names them x0, x1, the names out are
    # still the labels, as strings.
    X_int = pd.DataFrame({0: [1.0, 2.0], 1: ["a", "b"], 2: [3.0, 4.0]})
    frame.fit(X_int)
    assert not hasattr(frame, "feature_names_in_")
    columns = ColumnTransformer(
        [("frame", TabularFrame(), [0, 1]), ("scaled", StandardScaler(), [2])]
    ).fit(X_int)
    assert_array_equal(
        columns.get_feature_names_out(), ["frame__0", "frame__1", "scaled__x2"]
    )


def test_warnings_in_a_pipeline_point_at_the_callers_line():
    # They pointed at scikit-learn's pipeline.py (an all-missing column, an
    # identifier) or at the package (the net's ConvergenceWarning).
    X = pd.DataFrame(
        {"a": np.arange(40.0), "z": [None] * 40, "id": [f"u{i}" for i in range(40)]}
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        make_tabular_pipeline("classification", **FAST).fit(X, np.arange(40) % 2)
    messages = " ".join(str(w.message) for w in record)
    assert "no value in the training data" in messages
    assert "different value in every row" in messages
    assert "Maximum iterations" in messages
    assert {w.filename for w in record} == {__file__}


def test_an_arrays_columns_are_positions_whatever_the_labels_seen_in_fit():
    # Fitted on a frame whose integer labels are out of order, an array's
    # column "0" was matched to the label 0, the second column: the same rows
    # predicted otherwise (scikit-learn#30983's kind of mismatch, silently).
    rng = np.random.RandomState(0)
    raw = pd.DataFrame({0: rng.normal(size=120), 1: 10 * rng.normal(size=120)})
    X = raw[[1, 0]]
    pipe = make_tabular_pipeline("regression", **FAST).fit(X, 3 * raw[0])
    assert_array_equal(pipe.predict(X.to_numpy()), pipe.predict(X))
    with pytest.raises(ValueError, match="X has 1 columns, but TabularFrame was"):
        pipe.predict(X.to_numpy()[:, :1])
    # Named columns: scikit-learn's warning, then the positions.
    named = X.set_axis(["b", "a"], axis=1)
    pipe.fit(named, 3 * raw[0])
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        assert_array_equal(pipe.predict(named.to_numpy()), pipe.predict(named))
    # Fitted on an array, a table's columns are positions too.
    pipe.fit(X.to_numpy(), 3 * raw[0])
    with pytest.warns(UserWarning, match="fitted without feature names"):
        assert_array_equal(pipe.predict(named), pipe.predict(X.to_numpy()))


@pytest.mark.parametrize("kind", ["csr_matrix", "csr_array", "coo_matrix"])
def test_sparse_input_is_refused_saying_what_to_pass(kind):
    sparse = pytest.importorskip("scipy.sparse")
    dense = np.random.RandomState(0).normal(size=(40, 3))
    X, y = getattr(sparse, kind)(dense), np.arange(40) % 2
    message = f"X is a SciPy sparse {kind}.*X.toarray"
    with pytest.raises(TypeError, match=message):
        make_tabular_pipeline("classification", **FAST).fit(X, y)
    fitted = make_tabular_pipeline("classification", **FAST).fit(dense, y)
    with pytest.raises(TypeError, match=message):
        fitted.predict(X)


def test_a_table_without_columns_or_rows_is_refused_by_tabular_frame():
    with pytest.raises(ValueError, match="0 feature.*TabularFrame: X has no column"):
        make_tabular_pipeline("regression", **FAST).fit(
            pd.DataFrame(index=range(20)), np.arange(20.0)
        )
    X, y = _table()
    pipe = make_tabular_pipeline("regression", **FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"0 sample.*\(0, 4\).*TabularFrame"):
        pipe.predict(X.iloc[:0])


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_bad_targets_leave_every_step_of_a_fitted_pipeline_as_it_was(task):
    # scikit-learn's Pipeline refits its steps one by one: the net refused
    # the targets after the preprocessing was refitted on the new X, and the
    # pipeline went on predicting with the two mismatched.
    X, y = _table()
    if task == "classification":
        y = y > 0
    pipe = make_tabular_pipeline(task, **FAST).fit(X, y)
    before = pickle.dumps(pipe)
    X_new, _ = _table(seed=1)
    bad = pd.Series(y, dtype=object)
    bad.iloc[3] = None
    with pytest.raises(ValueError, match="y has a missing value"):
        pipe.fit(X_new, bad)
    with pytest.raises(ValueError, match="y has 119 rows but X has 120"):
        pipe.fit(X_new, y[:-1])
    assert pickle.dumps(pipe) == before


@pytest.mark.parametrize(
    "bad", ["nan", "text", "no rows"], ids=["nan", "text", "no-rows"]
)
def test_a_refused_refit_leaves_a_fitted_smooth_clip_as_it_was(bad):
    # validate_data set feature_names_in_ before refusing the values.
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, 2.0, 3.0]})
    clip = SmoothClip().fit(X)
    before = pickle.dumps(clip)
    other = {
        "nan": pd.DataFrame({"c": [np.nan, 1.0], "d": [1.0, 2.0]}),
        "text": pd.DataFrame({"c": ["x", "y"], "d": [1.0, 2.0]}),
        "no rows": pd.DataFrame({"c": [], "d": [], "e": []}),
    }[bad]
    with pytest.raises(ValueError):
        clip.fit(other)
    assert pickle.dumps(clip) == before
    assert_allclose(clip.transform(X), SmoothClip().fit_transform(X))


def test_a_date_string_after_fit_is_read_alone_or_refused_as_ambiguous():
    # pandas reads a batch of strings in the format of its first one
    # (pandas#12585): "01/02/2020" was 2 January alone and 1 February after
    # "13/01/2020", so that a row's prediction depended on the other rows;
    # read each on its own, day-first strings were read month-first.
    dates = pd.Series(pd.date_range("2019-06-01", periods=60, freq="D"))
    X = pd.DataFrame({"t": dates, "a": np.arange(60.0)})
    frame = TabularFrame().fit(X)

    def seconds(*strings):
        rows = pd.DataFrame({"t": list(strings), "a": 0.0})
        return list(frame.transform(rows)["t"])

    def day(text):
        return pd.Timestamp(text, tz="UTC").timestamp()

    # ISO 8601, and strings that can be read one way only, whatever is beside.
    assert seconds("2020-02-01", "2020-02-01T12:00:00") == [
        day("2020-02-01"),
        day("2020-02-01 12:00"),
    ]
    assert seconds("13/01/2020", "Feb 1, 2020") == [
        day("2020-01-13"),
        day("2020-02-01"),
    ]
    assert seconds("Feb 1, 2020") == [day("2020-02-01")]
    for batch in (["01/02/2020"], ["13/01/2020", "01/02/2020"]):
        with pytest.raises(ValueError, match=r"Column 't' .* either way round .*01/02"):
            seconds(*batch)


def test_pyarrow_lists_structs_and_maps_are_refused_by_name():
    # pyarrow's "Function 'unique' has no kernel" named no column, and at
    # predict a list column reached the encoder ("unhashable type").
    pa = pytest.importorskip("pyarrow")
    nested = [
        (pa.list_(pa.int64()), [[1], [2, 3]]),
        (pa.struct([("x", pa.int64())]), [{"x": 1}, {"x": 2}]),
        (pa.map_(pa.string(), pa.int64()), [[("k", 1)], [("k", 2)]]),
    ]
    y = np.arange(40) % 2
    numbers = np.random.RandomState(0).normal(size=40)
    text = pd.DataFrame({"tags": ["a", "b"] * 20, "a": numbers})
    fitted = make_tabular_pipeline("classification", **FAST).fit(text, y)
    for dtype, values in nested:
        column = pd.Series(
            pa.array(values * 20, type=dtype), dtype=pd.ArrowDtype(dtype)
        )
        X = pd.DataFrame({"tags": column, "a": numbers})
        with pytest.raises(ValueError, match=r"Column 'tags' holds .*\(lists, structs"):
            make_tabular_pipeline("classification", **FAST).fit(X, y)
        with pytest.raises(ValueError, match=r"Column 'tags' holds .*\(lists, structs"):
            fitted.predict(X)


def test_codes_read_as_numbers_after_fit_are_the_categories_their_strings_were():
    # Codes read as strings in training ("1" from a CSV) and as numbers after
    # (1 or 1.0 from a database) were all unseen categories, silently
    # (TabPFN#1015's kind of mismatch).
    rng = np.random.RandomState(0)
    codes = rng.choice([1, 2, 3], 90)
    X = pd.DataFrame({"code": codes.astype(str), "a": rng.normal(size=90)})
    frame = TabularFrame().fit(X)
    expected = frame.transform(X)
    for numbers in (
        codes,
        codes.astype(float),
        pd.array(codes, dtype="Int64"),
        pd.Categorical(codes),
    ):
        assert_array_equal(
            frame.transform(X.assign(code=numbers))["code"], expected["code"]
        )
    objects = pd.Series(list(codes[:-1]) + [None], dtype=object)
    got = frame.transform(X.assign(code=objects))["code"]
    assert_array_equal(got[:-1], expected["code"][:-1])
    assert pd.isna(got.iloc[-1])


def test_enums_tuples_and_other_values_are_categories_by_their_strings():
    # The encoder can neither sort Enum members nor hold tuples: it failed
    # deep inside, naming no column (tubular#420's kind of input).
    import enum

    class Colour(enum.Enum):
        RED = 1
        BLUE = 2

    rng = np.random.RandomState(0)
    y = rng.choice(["p", "q"], 40)
    for values in ([Colour.RED, Colour.BLUE], [(1, 2), (3, 4)], [range(1), range(2)]):
        X = pd.DataFrame(
            {"v": pd.Series(values * 20, dtype=object), "a": rng.normal(size=40)}
        )
        pipe = make_tabular_pipeline("classification", **FAST).fit(X, y)
        assert pipe["frame"].kinds_["v"] == "mixed"
        assert pipe.predict(X).shape == (40,)


def test_dates_written_as_text_warn_that_they_are_categories():
    # Read from a CSV, dates are text: one-hot categories, every date after
    # training unseen, silently (a reviewer's hotel_rates).
    days = pd.date_range("2020-01-01", periods=40, freq="D").strftime("%Y-%m-%d")
    X = pd.DataFrame({"day": list(days), "a": np.arange(40.0)})
    with pytest.warns(UserWarning, match="Column 'day' holds dates written as text"):
        frame = TabularFrame().fit(X)
    assert frame.kinds_["day"] == "categorical"
    years = pd.DataFrame({"year": ["2019", "2020"] * 20, "a": np.arange(40.0)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TabularFrame().fit(years)  # years alone are fair categories
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TabularFrame().fit(X.assign(day=pd.to_datetime(X["day"])))


def test_a_raw_validation_frame_given_to_the_net_says_how_to_transform_it():
    X, y = _table()
    pipe = make_tabular_pipeline("regression", **FAST)
    with pytest.raises(ValueError, match=r"transform_input=\['X_val'\]"):
        pipe.fit(X, y, net__X_val=X[:20], net__y_val=y[:20])
