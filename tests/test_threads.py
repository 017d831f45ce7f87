"""The BLAS thread policy: one thread for small work, the caller's limits kept."""

from unittest import mock

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from skmlp_numpy import TwoLayerNetClassifier, _threads
from skmlp_numpy._optimizers import Adam

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def blas_threads():
    return max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")


@pytest.fixture
def default_threads():
    threads = blas_threads()
    if threads < 2 or threads < _threads.process_cores():
        pytest.skip("BLAS runs on one thread here, or under a limit already")
    return threads


def threads_in_training(X, y, **params):
    """The BLAS thread counts that Adam's steps saw during fit."""
    seen = []
    step = Adam.step

    def recording(self, params_, grads):
        seen.append(blas_threads())
        return step(self, params_, grads)

    with mock.patch.object(Adam, "step", recording):
        TwoLayerNetClassifier(max_iter=2, random_state=0, **params).fit(X, y)
    return set(seen)


def test_small_work_trains_on_one_thread_and_restores(default_threads, blobs):
    X, y = blobs
    assert threads_in_training(X, y, hidden_size=8, batch_size=20) == {1}
    assert blas_threads() == default_threads


def test_large_work_keeps_the_default(default_threads):
    X = np.random.default_rng(0).standard_normal((600, 50))
    y = np.arange(600) % 3
    with mock.patch.object(_threads, "WORK_THRESHOLD", 100):
        seen = threads_in_training(X, y, hidden_size=8, batch_size=200)
    assert seen == {default_threads}


@pytest.mark.parametrize("limit", [1, 2])
def test_caller_limit_is_left_alone(default_threads, blobs, limit):
    X, y = blobs
    with threadpool_limits(limits=limit, user_api="blas"):
        if limit < _threads.process_cores():
            expected = {limit}  # below the cores: the caller's choice, kept
        else:
            expected = {1}  # no limit in effect: the policy applies
        assert threads_in_training(X, y, hidden_size=8, batch_size=20) == expected
        assert blas_threads() == limit
    assert blas_threads() == default_threads


def test_prediction_limits_for_small_work_only(default_threads):
    assert _threads.chosen_threads(_threads.WORK_THRESHOLD - 1) == 1
    assert _threads.chosen_threads(_threads.WORK_THRESHOLD) is None
    with threadpool_limits(limits=1, user_api="blas"):
        assert _threads.chosen_threads(10) is None
    seen = []
    with mock.patch.object(_threads, "chosen_threads", seen.append):
        with _threads.prediction_threads(np.zeros((1, 64)), 100):
            pass
    assert seen == []  # one row: too small to ask


def test_results_are_the_same_with_and_without_the_policy(blobs):
    X, y = blobs
    fits = []
    for threshold in (0, 10**12):  # the policy off, then always on
        with mock.patch.object(_threads, "WORK_THRESHOLD", threshold):
            net = TwoLayerNetClassifier(hidden_size=8, max_iter=5, random_state=0)
            fits.append(net.fit(X, y))
    for a, b in zip(fits[0].coefs_, fits[1].coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fits[0].predict_proba(X), fits[1].predict_proba(X))


def test_concurrent_predictions_restore_the_callers_threads(default_threads):
    from concurrent.futures import ThreadPoolExecutor

    X = np.random.default_rng(0).standard_normal((1000, 64))
    y = np.arange(1000) % 3
    net = TwoLayerNetClassifier(hidden_size=100, max_iter=1, random_state=0)
    net.fit(X, y)
    expected = net.predict_proba(X)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: net.predict_proba(X), range(40)))
    for result in results:
        np.testing.assert_array_equal(result, expected)
    assert blas_threads() == default_threads
