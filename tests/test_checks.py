"""The small checks shared by the fit and early stopping: weights (sample and
class weights) named in their errors, and warnings that point at the caller's
line, however deep the call that raised them.

The validation set's own weights (``sample_weight_val``) are checked in
test_early_stopping.py; bad input of every other kind in test_reliability.py.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn import config_context
from sklearn.exceptions import ConvergenceWarning

from skmlp_numpy import TwoLayerNetClassifier, TwoLayerNetRegressor

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def fitted(blobs):
    X, y = blobs
    return TwoLayerNetClassifier(hidden_size=5, max_iter=3, random_state=0).fit(X, y)


# ------------------------------------------------------------------- weights


@pytest.mark.parametrize(
    "class_weight", [{0: -1.0}, {0: np.nan}, {0: np.inf}], ids=["neg", "nan", "inf"]
)
def test_bad_class_weight_is_named_before_training(fitted, blobs, class_weight):
    before = pickle.dumps(fitted)
    fitted.set_params(class_weight=class_weight)
    with pytest.raises(ValueError, match="class_weight must give every class"):
        fitted.fit(*blobs)
    fitted.set_params(class_weight=None)
    assert pickle.dumps(fitted) == before


@pytest.mark.parametrize(
    "params, fit_params, match",
    [
        ({}, {"sample_weight": np.zeros(120)}, "sample_weight is zero for every row"),
        (
            {"class_weight": {0: 0.0, 1: 0.0, 2: 0.0}},
            {},
            "class_weight gives every row a weight of zero",
        ),
        # Neither zeroes every sample alone (blobs: 40 rows of each class).
        (
            {"class_weight": {0: 0.0, 1: 0.0}},
            {"sample_weight": np.r_[np.ones(80), np.zeros(40)]},
            "sample_weight times class_weight is zero for every row",
        ),
        # No weight is zero, but each is in float32.
        (
            {"dtype": np.float32},
            {"sample_weight": np.full(120, 1e-50)},
            "sample_weight rounds to zero in float32 for every row",
        ),
    ],
    ids=["sample_weight", "class_weight", "both", "float32-underflow"],
)
def test_weights_that_zero_every_sample_are_named(
    fitted, blobs, params, fit_params, match
):
    before = pickle.dumps(fitted)
    fitted.set_params(**params)
    with pytest.raises(ValueError, match=match):
        fitted.fit(*blobs, **fit_params)
    fitted.set_params(class_weight=None, dtype=None)
    assert pickle.dumps(fitted) == before


# ------------------------------------------------ values that are no numbers


def polars_frame(numbers):
    """A polars frame of ``numbers`` and a text column "g"."""
    pl = pytest.importorskip("polars")
    return pl.DataFrame({"f": numbers, "g": ["u", "v"] * (len(numbers) // 2)})


@pytest.mark.parametrize(
    "case, match",
    [
        ("regressor y strings", "^y must hold numbers"),
        ("regressor y objects", "^y must hold numbers"),
        ("regressor y complex", "^Complex data not supported: y holds"),
        ("regressor y_val strings", "^y_val must hold numbers"),
        ("regressor y_val complex", "^Complex data not supported: y_val holds"),
        ("sample_weight strings", "^sample_weight must hold numbers"),
        ("X frame with a text column", r"^X must hold numbers .*column 'g'"),
        ("X frame with a category of numbers", r"^X .*\(not numeric: column 'g';"),
        ("X polars frame with a text column", r"^X must hold numbers .*column 'g'"),
        ("predict on a polars text column", r"^X must hold numbers .*column 'g'"),
        ("X_val polars frame with a text column", r"^X_val must hold numbers"),
        ("X complex", "^X must hold numbers"),
        ("X_val strings", "^X_val must hold numbers"),
        ("predict strings", "^X must hold numbers"),
    ],
)
def test_values_that_are_no_numbers_are_named(blobs, case, match):
    # NumPy's and scikit-learn's own words ("could not convert string to
    # float", "Complex data not supported") name no argument.
    X, y = blobs
    rng = np.random.RandomState(0)
    Xr, yr = rng.normal(size=(20, 3)), rng.normal(size=20)
    regressor = TwoLayerNetRegressor(max_iter=2)
    classifier = TwoLayerNetClassifier(max_iter=2)
    calls = {
        "regressor y strings": lambda: regressor.fit(Xr, np.array(["a"] * 20)),
        "regressor y objects": lambda: regressor.fit(
            Xr, np.array(["a"] * 20, dtype=object)
        ),
        "regressor y complex": lambda: regressor.fit(Xr, yr + 0j),
        "regressor y_val strings": lambda: regressor.fit(
            Xr, yr, X_val=Xr[:4], y_val=np.array(["a"] * 4, dtype=object)
        ),
        "regressor y_val complex": lambda: regressor.fit(
            Xr, yr, X_val=Xr[:4], y_val=yr[:4] + 1j
        ),
        "sample_weight strings": lambda: classifier.fit(
            X, y, sample_weight=np.array(["a"] * len(y))
        ),
        "X frame with a text column": lambda: classifier.fit(
            pd.DataFrame({"f": X[:, 0], "g": ["u", "v"] * (len(y) // 2)}), y
        ),
        "X frame with a category of numbers": lambda: classifier.fit(
            pd.DataFrame(
                {
                    "f": pd.Categorical(np.arange(len(y)) % 3),
                    "g": ["u", "v"] * (len(y) // 2),
                }
            ),
            y,
        ),
        # scikit-learn's checks give a polars frame with a text column back
        # as an object array, which failed in the middle of training.
        "X polars frame with a text column": lambda: classifier.fit(
            polars_frame(X[:, 0]), y
        ),
        "predict on a polars text column": lambda: classifier.fit(X[:, :2], y).predict(
            polars_frame(X[:, 0])
        ),
        "X_val polars frame with a text column": lambda: classifier.fit(
            X[:, :2], y, X_val=polars_frame(X[:6, 0]), y_val=y[:6]
        ),
        "X complex": lambda: classifier.fit(X + 0j, y),
        "X_val strings": lambda: classifier.fit(
            X, y, X_val=np.full((4, X.shape[1]), "a"), y_val=y[:4]
        ),
        "predict strings": lambda: classifier.fit(X, y).predict(
            np.full((1, X.shape[1]), "a")
        ),
    }
    with pytest.raises(ValueError, match=match):
        calls[case]()


def test_nan_under_assume_finite_is_named_as_such(fitted, blobs):
    # With scikit-learn's check skipped, a NaN row reached the network, whose
    # non-finite outputs were blamed on features too large for the weights.
    X = blobs[0][:3].copy()
    X[1, 0] = np.nan
    with config_context(assume_finite=True):
        with pytest.raises(ValueError, match="X contains NaN or infinite values"):
            fitted.predict_proba(X)
        with pytest.raises(ValueError, match="X contains NaN or infinite values"):
            fitted.predict_proba(sparse.csr_matrix(X))
        with pytest.raises(ValueError, match="too large for the weights"):
            fitted.predict_proba(np.full((1, X.shape[1]), np.finfo(np.float64).max))


# --------------------------------------------- warnings point at the caller


@pytest.mark.parametrize(
    "params, category, match",
    [
        (dict(max_iter=1), ConvergenceWarning, "Maximum iterations (1) reached"),
        (dict(solver="lbfgs", max_iter=1), ConvergenceWarning, "lbfgs"),
        (
            dict(solver="lbfgs", early_stopping=True, max_iter=5),
            UserWarning,
            "early_stopping=True has no effect",
        ),
        (dict(solver="lbfgs", dropout=0.5, max_iter=5), UserWarning, "dropout=0.5"),
        (dict(batch_size=500, max_iter=1), UserWarning, "batch_size=500 is larger"),
    ],
    ids=[
        "max_iter",
        "lbfgs-max_iter",
        "lbfgs-early-stopping",
        "lbfgs-dropout",
        "batch_size",
    ],
)
def test_warnings_point_at_the_callers_line(blobs, params, category, match):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        TwoLayerNetClassifier(hidden_size=3, **params).fit(*blobs)
    ours = [w for w in record if issubclass(w.category, category)]
    assert any(match in str(w.message) for w in ours), [str(w.message) for w in ours]
    assert all(w.filename == __file__ for w in ours)


# ------------------------------------------------- settings that cannot act

_INERT = {
    # MLPClassifier ignores these silently under L-BFGS.
    "batch-size-under-lbfgs": (dict(solver="lbfgs", batch_size=32), "batch_size"),
    "rate-under-lbfgs": (
        dict(solver="lbfgs", learning_rate_init=0.01),
        "learning_rate_init",
    ),
    "cosine-under-lbfgs": (
        dict(solver="lbfgs", learning_rate="cosine"),
        "learning_rate",
    ),
    "warmup-constant": (dict(warmup_fraction=0.1), "warmup_fraction"),
    "warmup-adaptive-sgd": (
        dict(solver="sgd", learning_rate="adaptive", warmup_fraction=0.1),
        "warmup_fraction",
    ),
    "warmup-lbfgs": (
        dict(solver="lbfgs", learning_rate="cosine", warmup_fraction=0.1),
        "warmup_fraction",
    ),
    # Adam adapts its steps itself: MLPClassifier ignores these silently.
    "invscaling-under-adam": (dict(learning_rate="invscaling"), "learning_rate"),
    "adaptive-under-adam": (dict(learning_rate="adaptive"), "learning_rate"),
    "schedule-constant": (dict(schedule_epochs=50), "schedule_epochs"),
    "schedule-invscaling": (
        dict(solver="sgd", learning_rate="invscaling", schedule_epochs=50),
        "schedule_epochs",
    ),
}


@pytest.mark.parametrize(
    "params, name, method",
    [
        (params, name, method)
        for params, name in _INERT.values()
        for method in ["fit", "partial_fit"]
        # partial_fit does not exist for solver='lbfgs'.
        if method == "fit" or params.get("solver") != "lbfgs"
    ],
)
def test_a_setting_that_cannot_act_warns_once_naming_itself(
    blobs, params, name, method
):
    clf = TwoLayerNetClassifier(hidden_size=3, max_iter=3, **params)
    kwargs = {"classes": [0, 1, 2]} if method == "partial_fit" else {}
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        getattr(clf, method)(*blobs, **kwargs)
    named = [
        str(w.message)
        for w in record
        if issubclass(w.category, UserWarning) and str(w.message).startswith(f"{name}=")
    ]
    assert len(named) == 1, [str(w.message) for w in record]
    assert "has no effect" in named[0]
    assert all(w.filename == __file__ for w in record)


@pytest.mark.parametrize(
    "params",
    [
        dict(learning_rate="cosine", warmup_fraction=0.1, schedule_epochs=50),
        dict(solver="sgd", learning_rate="cosine", warmup_fraction=0.2),
        dict(solver="sgd", learning_rate="invscaling"),
        dict(solver="sgd", learning_rate="adaptive"),
        dict(solver="lbfgs"),
        dict(),
    ],
)
def test_settings_that_act_do_not_warn(blobs, params):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        TwoLayerNetClassifier(hidden_size=3, max_iter=3, **params).fit(*blobs)


def test_the_fast_finiteness_check_warns_nothing_on_huge_values():
    """The sum of large finite values overflows; NumPy's warning is noise."""
    X = np.random.RandomState(0).normal(size=(30, 3))
    clf = TwoLayerNetClassifier(max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, np.arange(30) % 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            clf.predict(np.full((2, 3), 1e308))
        except ValueError:
            pass  # refusing such rows clearly is fine; a NumPy warning is not
