"""Bad input gets clear errors and never damages a fitted model; prediction
stays finite; results are deterministic and thread-safe.

Failures during training and Ctrl-C are in test_fit_state.py; the weights'
own checks in test_checks.py; the validation set's in test_early_stopping.py.
"""

import copy
import inspect
import pickle
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp_numpy import DivergenceError, TwoLayerNetClassifier, TwoLayerNetRegressor

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def fitted(blobs):
    X, y = blobs
    return TwoLayerNetClassifier(hidden_size=6, max_iter=5, random_state=0).fit(X, y)


X_OK = np.random.RandomState(0).normal(size=(20, 4))
Y_OK = np.arange(20) % 3

BAD_FIT_INPUTS = {
    "nan in X": (np.where(X_OK > 1, np.nan, X_OK), Y_OK, {}, ValueError, "NaN"),
    "inf in X": (np.where(X_OK > 1, np.inf, X_OK), Y_OK, {}, ValueError, "infinity"),
    "empty X": (np.empty((0, 4)), np.empty(0), {}, ValueError, "0 sample"),
    "1-D X": (X_OK[:, 0], Y_OK, {}, ValueError, "2D array"),
    "3-D X": (X_OK.reshape(20, 2, 2), Y_OK, {}, ValueError, "dim 3"),
    "text X": (np.full((20, 4), "a"), Y_OK, {}, ValueError, "(?i)convert"),
    "one class": (X_OK, np.zeros(20), {}, ValueError, "one class"),
    "continuous y": (X_OK, np.linspace(0, 1, 20), {}, ValueError, "Unknown label type"),
    "short y": (X_OK, Y_OK[:10], {}, ValueError, "inconsistent numbers of samples"),
    "negative weights": (
        X_OK,
        Y_OK,
        {"sample_weight": -np.ones(20)},
        ValueError,
        "[Nn]egative",
    ),
    "short weights": (
        X_OK,
        Y_OK,
        {"sample_weight": np.ones(5)},
        ValueError,
        "sample_weight",
    ),
    "nan in y": (X_OK, np.where(Y_OK == 0, np.nan, Y_OK), {}, ValueError, "NaN"),
}


@pytest.mark.parametrize("case", sorted(BAD_FIT_INPUTS))
def test_bad_fit_input_is_a_clear_error_and_changes_nothing(fitted, case):
    X, y, kwargs, error, match = BAD_FIT_INPUTS[case]
    before = pickle.dumps(fitted)
    with pytest.raises(error, match=match):
        fitted.fit(X, y, **kwargs)
    assert pickle.dumps(fitted) == before


@pytest.mark.parametrize("warm_start", [False, True])
@pytest.mark.parametrize("case", ["nan in X", "negative weights", "short y"])
def test_bad_partial_fit_or_warm_fit_changes_nothing(fitted, case, warm_start):
    X, y, kwargs, error, match = BAD_FIT_INPUTS[case]
    fitted.set_params(warm_start=warm_start)
    before = pickle.dumps(fitted)
    with pytest.raises(error, match=match):
        fitted.partial_fit(X, y, **kwargs)
    assert pickle.dumps(fitted) == before


# -------------------------------------------------------------- bad targets


def _objects(labels, missing):
    """``labels`` as an object array, with ``missing`` in row 3."""
    y = np.asarray(labels, dtype=object)
    y[3] = missing
    return y


def _pandas(make):
    """A pandas target, made from the pandas module, if pandas is installed."""

    def made():
        return make(pytest.importorskip("pandas"))

    return made


LABELS = Y_OK.tolist()
STRINGS = [f"class {label}" for label in LABELS]

# Targets no classifier can learn, and what their errors say after the name
# of the argument that holds them.
MISSING = "{name} has a missing value"
BAD_LABELS = {
    "None": (lambda: _objects(LABELS, None), MISSING),
    "None among strings": (lambda: _objects(STRINGS, None), MISSING),
    "NaN among objects": (lambda: _objects(LABELS, np.nan), MISSING),
    "NaN among strings": (lambda: _objects(STRINGS, np.nan), MISSING),
    "NaN among floats": (lambda: np.where(np.arange(20) == 3, np.nan, Y_OK), MISSING),
    "pd.NA": (_pandas(lambda pd: _objects(LABELS, pd.NA)), MISSING),
    "nullable Int64 with NA": (
        _pandas(lambda pd: pd.Series(_objects(LABELS, None), dtype="Int64")),
        MISSING,
    ),
    "nullable string with NA": (
        _pandas(lambda pd: pd.array(_objects(STRINGS, None), dtype="string")),
        MISSING,
    ),
    "categorical with NaN": (
        _pandas(lambda pd: pd.Series(pd.Categorical(_objects(STRINGS, None)))),
        MISSING,
    ),
    "continuous values": (
        lambda: np.linspace(0, 1, 20),
        "{name} holds continuous values.*TwoLayerNetRegressor",
    ),
    # type_of_target casts them to int64, where they overflow: "continuous"
    # with no fraction to quote (an IndexError).
    "whole floats beyond int64": (
        lambda: np.where(np.arange(20) % 2, 1e20, 0.0),
        "{name} holds whole numbers beyond int64's range, such as 1e\\+20",
    ),
    "strings mixed with numbers": (
        lambda: np.array(["a", 1] * 10, dtype=object),
        "{name} holds labels of the types int, str",
    ),
    # A network trained on 1-D labels says so; one not yet trained names
    # MultiOutputClassifier.
    "several columns of classes": (
        lambda: np.c_[Y_OK, Y_OK[::-1]],
        "{name} (has 2 columns of class labels.*MultiOutputClassifier"
        "|must be 1-D labels|must be a 1-D array of labels)",
    ),
}

# Where a target goes, and the name of the argument that passes it there.
TARGET_CALLS = {
    "fit": ("y", lambda clf, bad: clf.fit(X_OK, bad)),
    "warm fit": ("y", lambda clf, bad: clf.set_params(warm_start=True).fit(X_OK, bad)),
    "partial_fit": ("y", lambda clf, bad: clf.partial_fit(X_OK, bad)),
    "first partial_fit": (
        "y",
        lambda clf, bad: TwoLayerNetClassifier().partial_fit(
            X_OK, bad, classes=[0, 1, 2]
        ),
    ),
    "classes of partial_fit": (
        "classes",
        lambda clf, bad: TwoLayerNetClassifier().partial_fit(X_OK, Y_OK, classes=bad),
    ),
    "score": ("y", lambda clf, bad: clf.score(X_OK, bad)),
    "y_val": ("y_val", lambda clf, bad: clf.fit(X_OK, Y_OK, X_val=X_OK, y_val=bad)),
}


@pytest.mark.parametrize("call", list(TARGET_CALLS))
@pytest.mark.parametrize("kind", list(BAD_LABELS))
def test_bad_labels_are_named_and_change_nothing(fitted, kind, call):
    make, match = BAD_LABELS[kind]
    name, method = TARGET_CALLS[call]
    bad = make()
    before = pickle.dumps(fitted)
    with pytest.raises(ValueError, match=match.format(name=name)):
        method(fitted, bad)
    assert pickle.dumps(fitted.set_params(warm_start=False)) == before


@pytest.mark.parametrize(
    "y, match",
    [
        (np.zeros(20, dtype=int), r"`y` has \[0\]"),
        (Y_OK % 2, r"`y` has \[0 1\]"),
        (Y_OK + 1, r"`y` has \[1 2 3\]"),
    ],
    ids=["one class", "a class missing", "other classes"],
)
def test_a_warm_fit_on_other_classes_names_them_and_partial_fit(fitted, y, match):
    fitted.set_params(warm_start=True)
    before = pickle.dumps(fitted)
    with pytest.raises(ValueError, match=r"Previously got \[0 1 2\], " + match) as info:
        fitted.fit(X_OK, y)
    assert "partial_fit" in str(info.value)
    assert "warm_start=False" in str(info.value)
    assert pickle.dumps(fitted) == before


@pytest.mark.parametrize("a, b", [(4, 5), ("a", "b")])
def test_labels_print_as_plain_values(a, b):
    # Labels drawn from arrays are NumPy scalars, which repr as np.int64(4)
    # or np.str_('a'): messages print them as the user wrote them.
    X, y = X_OK[:4], np.array([a, a, b, b])
    with pytest.raises(ValueError, match=re.escape(f"one class ({a!r})")):
        TwoLayerNetClassifier().fit(X[:2], y[:2])
    clf = TwoLayerNetClassifier(max_iter=1).partial_fit(X, y, classes=y[[0, 2]])
    with pytest.raises(ValueError, match=re.escape(f"was: {[a, b]!r}")):
        clf.partial_fit(X, y, classes=y[[2]])
    weights = {y[0]: -1.0, y[2]: 1.0}
    with pytest.raises(ValueError, match=re.escape(f"got {{{a!r}: -1.0, {b!r}: 1.0}}")):
        TwoLayerNetClassifier(class_weight=weights).fit(X, y)


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "score"]
)
@pytest.mark.parametrize(
    "X, match",
    [
        (np.ones((3, 5)), "5 features"),
        (np.full((3, 4), np.nan), "NaN"),
        (np.full((3, 4), np.inf), "infinity"),
        (np.ones(4), "2D array"),
        (np.empty((0, 4)), "0 sample"),
        (np.ones((3, 4), dtype=complex), "[Cc]omplex"),
    ],
)
def test_bad_predict_input_is_a_clear_error(fitted, method, X, match):
    # A plain float array takes a fast path past validate_data: it must refuse
    # what validate_data refuses.
    before = pickle.dumps(fitted)
    args = (X, np.zeros(len(X))) if method == "score" else (X,)
    with pytest.raises(ValueError, match=match):
        getattr(fitted, method)(*args)
    assert pickle.dumps(fitted) == before


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
def test_unfitted_calls_raise_not_fitted(method):
    with pytest.raises(NotFittedError, match="not fitted"):
        getattr(TwoLayerNetClassifier(), method)(X_OK)


@pytest.mark.parametrize(
    "params",
    [
        {"hidden_size": 0},
        {"activation": "softplus"},
        {"solver": "rmsprop"},
        {"dropout": 1.0},
        {"learning_rate_init": 0},
        {"batch_size": -3},
        {"class_weight": "often"},
        {"learning_rate": "cosine_annealing"},
        {"warmup_fraction": 1.0},
        {"schedule_epochs": 0},
        {"label_smoothing": 1.0},
        # Interval(Integral) takes True as 1: a flag in the wrong place.
        {"hidden_size": True},
        {"batch_size": True},
        {"n_members": True},
        {"max_iter": True},
    ],
    ids=lambda params: f"{next(iter(params))}={next(iter(params.values()))}",
)
def test_bad_parameter_names_the_parameter_and_changes_nothing(fitted, blobs, params):
    before = pickle.dumps(fitted)
    defaults = {name: fitted.get_params()[name] for name in params}
    fitted.set_params(**params)
    with pytest.raises(ValueError, match=f"'{next(iter(params))}' parameter"):
        fitted.fit(*blobs)
    fitted.set_params(**defaults)
    assert pickle.dumps(fitted) == before


@pytest.mark.parametrize("estimator", [TwoLayerNetClassifier, TwoLayerNetRegressor])
@pytest.mark.parametrize(
    "value, match",
    [
        ((50,), r"write hidden_size=50 for hidden_layer_sizes=\(50,\)"),
        ([64], r"write hidden_size=64 for hidden_layer_sizes=\[64\]"),
        (np.int64(8), "write hidden_size=8 for"),
        ((100, 50), r"exactly one hidden layer, so hidden_layer_sizes=\(100, 50\)"),
        ((), "exactly one hidden layer"),
    ],
)
def test_hidden_layer_sizes_names_hidden_size(estimator, value, match):
    with pytest.raises(TypeError, match=match):
        estimator(hidden_layer_sizes=value, random_state=0)
    # set_params too, which a grid or a pipeline ported from MLPClassifier
    # calls; scikit-learn's own error there is a ValueError.
    model = estimator(random_state=0)
    before = pickle.dumps(model)
    with pytest.raises(ValueError, match=match):
        model.set_params(hidden_layer_sizes=value)
    assert pickle.dumps(model) == before
    with pytest.raises(ValueError, match=match):
        make_pipeline(StandardScaler(), estimator()).set_params(
            **{f"{estimator.__name__.lower()}__hidden_layer_sizes": value}
        )


@pytest.mark.parametrize("estimator", [TwoLayerNetClassifier, TwoLayerNetRegressor])
def test_a_misspelt_parameter_gets_the_close_name(estimator):
    with pytest.raises(TypeError, match="did you mean 'learning_rate_init'"):
        estimator(learning_rate_int=0.1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        estimator(colour="red")


def test_the_constructor_check_leaves_the_signature_and_copies_alone(fitted, blobs):
    # __new__ takes any argument, to answer the ones above; what reads the
    # signature, copies or rebuilds an estimator sees __init__'s parameters.
    signature = inspect.signature(TwoLayerNetClassifier)
    assert list(signature.parameters)[:2] == ["hidden_size", "activation"]
    assert signature.parameters["momentum"].default == 0.9
    model = TwoLayerNetClassifier(hidden_size=6, momentum=0.0, random_state=0)
    for copied in [
        clone(model),
        copy.deepcopy(model),
        pickle.loads(pickle.dumps(model)),
    ]:
        assert copied.get_params() == model.get_params()
    assert_array_equal(
        pickle.loads(pickle.dumps(fitted)).predict_proba(blobs[0]),
        fitted.predict_proba(blobs[0]),
    )


# ---------------------------------------------------------- numerical safety


@pytest.mark.parametrize("scale", [1e-8, 1.0, 1e8])
def test_extreme_feature_scales_give_valid_probabilities_or_a_clear_error(blobs, scale):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=8, max_iter=20, random_state=0)
    try:
        clf.fit(X * scale, y)
    except DivergenceError:
        return
    proba = clf.predict_proba(X * scale)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
def test_huge_learning_rate_never_returns_nan_probabilities(blobs, activation):
    X, y = blobs
    clf = TwoLayerNetClassifier(
        hidden_size=8,
        activation=activation,
        solver="sgd",
        learning_rate_init=1e4,
        max_iter=30,
        random_state=0,
    )
    try:
        clf.fit(X, y)
    except DivergenceError as exc:
        assert "learning_rate_init" in str(exc)
        return
    assert np.isfinite(clf.predict_proba(X)).all()


def test_constant_features_and_duplicate_rows(blobs):
    X, y = blobs
    X = np.hstack([X, np.full((len(X), 2), 7.0)])
    X, y = np.vstack([X, X]), np.concatenate([y, y])
    clf = TwoLayerNetClassifier(hidden_size=8, random_state=0).fit(X, y)
    assert np.isfinite(clf.predict_proba(X)).all()
    assert clf.score(X, y) > 0.9


# ------------------------------------------------- determinism, concurrency


def test_grid_search_results_do_not_depend_on_n_jobs(blobs):
    X, y = blobs
    grid = {"hidden_size": [3, 8], "alpha": [1e-4, 1.0]}
    net = TwoLayerNetClassifier(max_iter=20, random_state=0)
    one = GridSearchCV(net, grid, cv=3, n_jobs=1).fit(X, y)
    two = GridSearchCV(net, grid, cv=3, n_jobs=2).fit(X, y)
    assert one.best_params_ == two.best_params_
    assert_array_equal(
        one.cv_results_["mean_test_score"], two.cv_results_["mean_test_score"]
    )
    assert_array_equal(one.best_estimator_.coefs_[0], two.best_estimator_.coefs_[0])


def test_concurrent_predict_proba_matches_serial(fitted):
    rng = np.random.RandomState(1)
    inputs = [rng.normal(size=(int(rng.randint(1, 500)), 4)) for _ in range(32)]
    serial = [fitted.predict_proba(X) for X in inputs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(fitted.predict_proba, inputs))
    for a, b in zip(serial, parallel, strict=True):
        assert_array_equal(a, b)


def test_validation_fraction_zero_is_mlps_no_hold_out(blobs):
    # MLPClassifier's range is [0, 1): 0 trains on every row. Early stopping
    # then needs X_val, and says so.
    X, y = blobs
    model = TwoLayerNetClassifier(validation_fraction=0.0, max_iter=3, random_state=0)
    plain = TwoLayerNetClassifier(max_iter=3, random_state=0).fit(X, y)
    assert_array_equal(model.fit(X, y).coefs_[0], plain.coefs_[0])
    model.set_params(early_stopping=True)
    with pytest.raises(ValueError, match="hold out 0 of.*pass X_val and y_val"):
        model.fit(X, y)
    assert model.fit(X, y, X_val=X, y_val=y).n_iter_ == 3


def test_a_huge_ensemble_fails_at_once_and_changes_nothing(fitted, blobs):
    # The members were drawn one by one, for ever, before any array the
    # size of the ensemble was asked for.
    before = pickle.dumps(fitted)
    fitted.set_params(n_members=10**13)
    with pytest.raises(MemoryError):
        fitted.fit(*blobs)
    fitted.set_params(n_members=1)
    assert pickle.dumps(fitted) == before
