"""make_tabular_pipeline: raw DataFrames in, a tuned net out, like any pipeline."""

import pickle
import re

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skmlp_numpy import (
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
    assert features.shape == (1200, 61)
    assert pipe[-1].coefs_[0].dtype == np.float32


def test_categories_rare_and_unseen_share_the_infrequent_column():
    X, signal = _table(n=400)
    X["city"] = ["paris"] * 200 + ["lyon"] * 195 + ["rare"] * 5
    pipe = make_tabular_pipeline("classification", **FAST).fit(X, signal > 0.5)
    encoder = pipe.named_steps["preprocess"].named_transformers_["categorical"]
    assert_array_equal(encoder.infrequent_categories_[0], ["rare"])
    X_new = X.iloc[:2].copy()
    X_new["city"] = ["rare", "never seen"]
    encoded = encoder.transform(X_new[["city", "member"]]).toarray()
    assert_array_equal(encoded[0], encoded[1])


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


def test_bad_param_name_is_named_with_the_valid_ones():
    with pytest.raises(
        ValueError, match=r"Unknown parameter\(s\) \['hiden_size'\].*hidden_size"
    ):
        make_tabular_pipeline("regression", hiden_size=10)


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
