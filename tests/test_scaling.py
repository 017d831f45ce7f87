"""Scale out: grid search on a Dask cluster, out-of-core training with dask-ml."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp_numpy import TwoLayerNetClassifier

distributed = pytest.importorskip(
    "distributed", reason="the dask extra is not installed"
)
da = pytest.importorskip("dask.array", reason="the dask extra is not installed")
joblib = pytest.importorskip("joblib")


@pytest.fixture(scope="session")
def dask_client():
    """A real LocalCluster (a scheduler and two worker processes), once per session."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture
def split_digits(digits):
    X, y = digits
    return train_test_split(X, y, stratify=y, random_state=0)


def test_grid_search_on_a_local_cluster_equals_the_local_run(dask_client, split_digits):
    X_train, _, y_train, _ = split_digits
    pipe = make_pipeline(
        StandardScaler(), TwoLayerNetClassifier(max_iter=15, random_state=0)
    )
    grid = {
        "twolayernetclassifier__hidden_size": [16, 32],
        "twolayernetclassifier__alpha": [1e-4, 1e-1],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        local = GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(X_train, y_train)
        with joblib.parallel_backend("dask"):
            remote = GridSearchCV(pipe, grid, cv=3, n_jobs=-1).fit(X_train, y_train)
    assert remote.best_params_ == local.best_params_
    assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    # The work really ran on the cluster's workers.
    assert dask_client.run(lambda: 1)  # workers answer
    assert len(dask_client.scheduler_info()["workers"]) == 2


def test_incremental_training_matches_in_memory_accuracy(split_digits):
    wrappers = pytest.importorskip(
        "dask_ml.wrappers", reason="dask-ml is not installed"
    )
    X_train, X_test, y_train, y_test = split_digits
    params = dict(hidden_size=32, batch_size=50, shuffle=False, random_state=0)
    epochs = 20
    X_blocks = da.from_array(X_train, chunks=(100, X_train.shape[1]))
    y_blocks = da.from_array(y_train, chunks=100)
    assert X_blocks.numblocks[0] > 10
    incremental = wrappers.Incremental(
        TwoLayerNetClassifier(**params), scoring="accuracy", shuffle_blocks=False
    )
    for _ in range(epochs):
        incremental.partial_fit(X_blocks, y_blocks, classes=np.arange(10))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        in_memory = TwoLayerNetClassifier(max_iter=epochs, **params).fit(
            X_train, y_train
        )
    streamed = incremental.estimator_.score(X_test, y_test)
    assert streamed == pytest.approx(in_memory.score(X_test, y_test), abs=0.01)
    assert streamed > 0.9
