"""Property-based tests: whatever the data, a fit succeeds with finite weights
and valid probabilities, or fails with a clear error.

The default hypothesis profile is sized for CI; run the long one locally with
``SKMLP_HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py``.
"""

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

from skmlp_numpy import DivergenceError, TwoLayerNetClassifier

settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("SKMLP_HYPOTHESIS_PROFILE", "ci"))

DTYPES = [np.float32, np.float64, np.int64, np.uint8, bool]


@st.composite
def problems(draw):
    n_samples = draw(st.integers(2, 60))
    n_features = draw(st.integers(1, 8))
    n_classes = draw(st.integers(2, min(n_samples, 1000)))
    dtype = draw(st.sampled_from(DTYPES))
    scale = draw(st.sampled_from([1e-6, 1e-2, 1.0, 1e3, 1e6]))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.RandomState(seed)
    X = rng.normal(scale=scale, size=(n_samples, n_features))
    if dtype is bool:
        X = X > 0
    elif np.issubdtype(dtype, np.integer):
        X = np.abs(X).clip(0, 255).astype(dtype)
    else:
        X = X.astype(dtype)
    # Every class present at least once, the rest at random.
    y = np.concatenate([np.arange(n_classes), rng.randint(0, n_classes, n_samples)])
    y = rng.permutation(y[:n_samples]) if n_classes <= n_samples else y[:n_samples]
    container = draw(st.sampled_from(["numpy", "pandas", "csr"]))
    if container == "pandas":
        X = pd.DataFrame(X, columns=[f"f{i}" for i in range(n_features)])
    elif container == "csr":
        X = sparse.csr_matrix(X.astype(np.float64))
    solver = draw(st.sampled_from(["adam", "sgd", "lbfgs"]))
    return X, y, solver, seed


@given(problems())
def test_fit_gives_finite_weights_and_valid_probabilities(problem):
    X, y, solver, seed = problem
    clf = TwoLayerNetClassifier(
        hidden_size=4, solver=solver, max_iter=5, random_state=seed
    )
    with warnings.catch_warnings():
        # The only warnings documented: max_iter reached (a fit this short
        # rarely converges), and scikit-learn's warning that y with more
        # classes than half the samples may be a regression target.
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", "The number of unique classes is greater")
        try:
            clf.fit(X, y)
        except DivergenceError:
            return
    assert all(np.isfinite(w).all() for w in clf.coefs_ + clf.intercepts_)
    proba = clf.predict_proba(X)
    assert proba.shape == (X.shape[0], len(np.unique(y)))
    assert np.isfinite(proba).all()
    tol = 1e-4 if proba.dtype == np.float32 else 1e-10
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=tol)
    assert set(np.unique(clf.predict(X))) <= set(np.unique(y))


@given(
    st.lists(
        st.floats(allow_nan=True, allow_infinity=True, width=64),
        min_size=4,
        max_size=40,
    )
)
def test_arbitrary_floats_fit_or_raise_a_clear_error(values):
    X = (
        np.asarray(values).reshape(-1, 2)
        if len(values) % 2 == 0
        else np.asarray(values)[:, None]
    )
    y = np.arange(len(X)) % 2
    clf = TwoLayerNetClassifier(hidden_size=3, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            clf.fit(X, y)
        except ValueError as exc:  # DivergenceError is a ValueError too
            assert str(exc)
            return
    assert np.isfinite(clf.predict_proba(X)).all()


@pytest.mark.parametrize("n_classes", [2, 17, 1000])
def test_many_classes(n_classes):
    rng = np.random.RandomState(0)
    y = np.arange(2 * n_classes) % n_classes
    X = rng.normal(size=(len(y), 3))
    clf = TwoLayerNetClassifier(hidden_size=4, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), n_classes)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
