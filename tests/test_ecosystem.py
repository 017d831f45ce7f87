"""The package in the scikit-learn ecosystem: plots, callbacks, persistence,
HTML representation and tags."""

import importlib.util
import pickle
import sys
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning, InconsistentVersionWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skmlp_numpy
from skmlp_numpy import LossCurveDisplay, TwoLayerNetClassifier, TwoLayerNetRegressor

pytestmark = pytest.mark.usefixtures("quiet")


# ------------------------------------------------------------------ display


@pytest.fixture
def pyplot():
    matplotlib = pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_display_draws_training_and_validation_curves(blobs, pyplot):
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=5, max_iter=12, random_state=0)
    clf.fit(X, y, X_val=X[:40], y_val=y[:40])
    display = LossCurveDisplay.from_estimator(clf)
    assert_array_equal(display.line_.get_ydata(), clf.loss_curve_)
    assert_array_equal(display.validation_line_.get_ydata(), clf.validation_loss_curve_)
    assert_array_equal(display.score_line_.get_ydata(), clf.validation_scores_)
    assert_array_equal(display.line_.get_xdata(), np.arange(1, 13))
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_xlabel() == "epoch"


def test_display_draws_a_regressors_curves(blobs, pyplot):
    X, y = blobs
    reg = TwoLayerNetRegressor(hidden_size=5, max_iter=6, random_state=0)
    reg.fit(X, y.astype(float), X_val=X[:40], y_val=y[:40].astype(float))
    display = LossCurveDisplay.from_estimator(reg)
    assert_array_equal(display.line_.get_ydata(), reg.loss_curve_)
    assert_array_equal(display.score_line_.get_ydata(), reg.validation_scores_)
    assert display.ax_.get_title() == "TwoLayerNetRegressor"


def test_display_without_validation_and_on_given_axes(blobs, pyplot):
    clf = TwoLayerNetClassifier(hidden_size=5, max_iter=4).fit(*blobs)
    _, ax = pyplot.subplots()
    display = LossCurveDisplay.from_estimator(clf, ax=ax, name="mine")
    assert display.ax_ is ax
    assert display.validation_line_ is None and display.score_line_ is None
    assert ax.get_title() == "mine"


def test_display_of_curves_of_other_epochs_draws_the_training_loss(blobs, pyplot):
    # Early stopping switched on in a warm fit: the validation curves cover
    # the last 3 of 6 epochs, and matplotlib refused x and y of two lengths.
    X, y = blobs
    clf = TwoLayerNetClassifier(hidden_size=4, max_iter=3, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        clf.set_params(early_stopping=True).fit(X, y)
    assert len(clf.validation_scores_) < len(clf.loss_curve_)
    with pytest.warns(UserWarning, match="only the training loss is drawn") as record:
        display = LossCurveDisplay.from_estimator(clf)
    assert record[0].filename == __file__
    assert len(display.line_.get_xdata()) == len(clf.loss_curve_)
    assert display.validation_line_ is None and display.score_ax_ is None


def test_display_of_a_pipeline_draws_its_nets_curves(blobs, pyplot):
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import LogisticRegression

    pipe = make_pipeline(StandardScaler(), TwoLayerNetClassifier(max_iter=5))
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(pipe)
    display = LossCurveDisplay.from_estimator(pipe.fit(*blobs))
    assert_array_equal(display.line_.get_ydata(), pipe[-1].loss_curve_)
    assert display.ax_.get_title() == "TwoLayerNetClassifier"
    # A TransformedTargetRegressor of a pipeline, as the divergence advice
    # suggests.
    from sklearn.compose import TransformedTargetRegressor

    X, y = blobs
    wrapped = TransformedTargetRegressor(
        make_pipeline(StandardScaler(), TwoLayerNetRegressor(max_iter=5)),
        transformer=StandardScaler(),
    ).fit(X, y.astype(float))
    display = LossCurveDisplay.from_estimator(wrapped)
    assert_array_equal(display.line_.get_ydata(), wrapped.regressor_[-1].loss_curve_)
    # An estimator with a regressor_ that is no TransformedTargetRegressor
    # is not unwrapped (a cycle of them looped forever).
    cycle = LogisticRegression().fit(*blobs)
    cycle.regressor_ = cycle
    with pytest.raises(TypeError, match="has no loss_curve_"):
        LossCurveDisplay.from_estimator(cycle)
    # A fitted estimator without curves is told so, not "not fitted".
    with pytest.raises(TypeError, match="LogisticRegression has no loss_curve_"):
        LossCurveDisplay.from_estimator(LogisticRegression().fit(*blobs))


def _legend_hides(legend, lines):
    """The data points of ``lines`` that fall inside the drawn legend's box."""
    legend.figure.canvas.draw()
    box = legend.get_window_extent()
    points = np.vstack(
        [line.get_transform().transform(line.get_xydata()) for line in lines]
    )
    inside = (
        (points[:, 0] >= box.x0)
        & (points[:, 0] <= box.x1)
        & (points[:, 1] >= box.y0)
        & (points[:, 1] <= box.y1)
    )
    return points[inside]


def test_display_legend_hides_no_curve_of_either_axis(blobs, pyplot):
    # A curve that ends high on the score axis and low on the loss axis: the
    # legend placed by loc="best" of the loss axes alone sat over the scores.
    display = LossCurveDisplay(
        loss_curve=np.geomspace(2.0, 0.05, 40),
        validation_loss_curve=np.geomspace(2.2, 0.1, 40),
        validation_scores=1 - np.geomspace(0.9, 0.02, 40),
        estimator_name="net",
    ).plot()
    legend = display.ax_.get_legend()
    lines = [display.line_, display.validation_line_, display.score_line_]
    assert [t.get_text() for t in legend.get_texts()] == [
        "training loss",
        "validation loss",
        "validation score",
    ]
    assert len(_legend_hides(legend, lines)) == 0
    # Above the axes, below the title, inside the figure.
    box = legend.get_window_extent()
    title = display.ax_.title.get_window_extent()
    assert box.y0 >= display.ax_.bbox.y1 - 1
    assert title.y0 >= box.y1 - 1
    assert title.y1 <= display.figure_.bbox.y1


def test_display_legend_without_validation_hides_no_curve(blobs, pyplot):
    display = LossCurveDisplay(loss_curve=np.geomspace(2.0, 0.05, 40)).plot()
    legend = display.ax_.get_legend()
    assert len(_legend_hides(legend, [display.line_])) == 0


def test_display_takes_a_name_and_line_keywords(blobs, pyplot):
    # As scikit-learn's Displays: plot(name=...) titles this drawing only, and
    # line_kw reaches every curve, over the display's own styles.
    clf = TwoLayerNetClassifier(
        hidden_size=5, max_iter=8, early_stopping=True, scoring="loss", random_state=0
    ).fit(*blobs)
    display = LossCurveDisplay.from_estimator(
        clf, name="first", line_kw={"linewidth": 3.5, "linestyle": ":"}
    )
    lines = [display.line_, display.validation_line_, display.score_line_]
    assert [line.get_linewidth() for line in lines] == [3.5] * 3
    assert {line.get_linestyle() for line in lines} == {":"}
    assert display.ax_.get_title() == "first"
    assert display.estimator_name == "first"
    display.plot(name="second")
    assert display.ax_.get_title() == "second"
    assert display.score_line_.get_linestyle() == "--"
    assert display.estimator_name == "first"


def test_display_needs_a_fitted_estimator(pyplot):
    with pytest.raises(Exception, match="not fitted"):
        LossCurveDisplay.from_estimator(TwoLayerNetClassifier())


def test_display_without_matplotlib_says_how_to_install_it(blobs, monkeypatch):
    clf = TwoLayerNetClassifier(hidden_size=5, max_iter=2).fit(*blobs)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"skmlp_numpy\[plot\]"):
        LossCurveDisplay.from_estimator(clf)


# ---------------------------------------------------------------- callbacks


@pytest.fixture
def callback():
    """scikit-learn's callback module; the tests that need it skip without it."""
    return pytest.importorskip(
        "sklearn.callback", reason="scikit-learn < 1.9 has no callback API"
    )


class EpochCounter:
    """A minimal FitCallback: counts epochs, can stop after a given number."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.ends = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch":
            self.ends.append(fitted_estimator.n_iter_)
            return self.stop_after is not None and len(self.ends) >= self.stop_after
        return False


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("Estimator", [TwoLayerNetClassifier, TwoLayerNetRegressor])
def test_a_callback_sees_every_epoch_and_can_stop_training(
    blobs, callback, solver, Estimator
):
    counter = EpochCounter()
    clf = Estimator(hidden_size=5, solver=solver, max_iter=6, tol=0)
    clf.set_callbacks(counter).fit(*blobs)
    assert counter.ends == list(range(1, clf.n_iter_ + 1))
    stopper = EpochCounter(stop_after=3)
    with warnings.catch_warnings():
        # A stop asked for is no failure to converge (L-BFGS said it was).
        warnings.simplefilter("error", ConvergenceWarning)
        clf.set_callbacks(stopper).fit(*blobs)
    assert clf.n_iter_ == 3 == len(clf.loss_curve_)


class ModelKeeper(EpochCounter):
    """Keeps the model of every epoch that its hook receives."""

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch":
            self.ends.append(fitted_estimator)
        return False


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_a_model_a_callback_keeps_goes_on_from_its_epoch(blobs, callback, solver):
    # The later epochs of a fit are committed in place, into the arrays of
    # the one before: a model that a callback keeps is its epoch's own, and
    # a warm start continues it as a model of that many epochs.
    params = dict(hidden_size=5, solver=solver, n_iter_no_change=100, random_state=0)
    keeper = ModelKeeper()
    TwoLayerNetClassifier(max_iter=4, **params).set_callbacks(keeper).fit(*blobs)
    second = keeper.ends[1].set_callbacks()
    second.set_params(warm_start=True, max_iter=2).fit(*blobs)
    reference = TwoLayerNetClassifier(max_iter=4, **params).fit(*blobs)
    assert second.loss_curve_ == reference.loss_curve_
    for a, b in zip(
        second.coefs_ + second.intercepts_,
        reference.coefs_ + reference.intercepts_,
        strict=True,
    ):
        assert_array_equal(a, b)


def test_the_model_a_callback_gets_is_the_one_fit_would_return(blobs, callback):
    # scikit-learn's protocol: the model "as if fit had stopped at the end of
    # this task". With early stopping that is the best epoch's weights, which
    # a stop after the best epoch returns; the callback got the last epoch's.
    X, y = blobs
    params = dict(
        hidden_size=5,
        early_stopping=True,
        scoring="loss",
        n_iter_no_change=100,
        learning_rate_init=0.2,
        random_state=0,
    )
    keeper = ModelKeeper()
    clf = TwoLayerNetClassifier(max_iter=12, **params).set_callbacks(keeper)
    clf.fit(X, y)
    for epoch, kept in enumerate(keeper.ends, start=1):
        stopped = TwoLayerNetClassifier(max_iter=epoch, **params).fit(X, y)
        for a, b in zip(
            kept.coefs_ + kept.intercepts_,
            stopped.coefs_ + stopped.intercepts_,
            strict=True,
        ):
            assert_array_equal(a, b)
        assert kept.best_validation_score_ == stopped.best_validation_score_
    scores = clf.validation_scores_
    assert np.argmax(scores) < len(scores) - 1  # a best epoch before the last


def test_scoring_monitor_logs_one_score_per_epoch(blobs, callback):
    pytest.importorskip("pandas", reason="ScoringMonitor logs need pandas")
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = TwoLayerNetClassifier(hidden_size=5, max_iter=5, random_state=0)
    clf.set_callbacks(monitor).fit(*blobs)
    log = monitor.get_logs().data_as_pandas
    epochs = log[log["task_name"] == "epoch"]
    assert epochs["task_id"].tolist() == [0, 1, 2, 3, 4]
    # The last epoch and the whole fit both score the final model.
    assert epochs["accuracy"].iloc[-1] == pytest.approx(clf.score(*blobs))
    assert log[log["task_name"] == "fit"]["accuracy"].item() == clf.score(*blobs)


def test_callbacks_propagate_from_pipeline_and_grid_search(blobs, callback):
    pytest.importorskip("pandas", reason="ScoringMonitor logs need pandas")
    monitor = callback.ScoringMonitor(scoring="accuracy")
    pipe = make_pipeline(
        StandardScaler(), TwoLayerNetClassifier(hidden_size=5, max_iter=3)
    )
    pipe[-1].set_callbacks(monitor)
    pipe.fit(*blobs)
    log = monitor.get_logs().data_as_pandas
    assert (log["task_name"] == "epoch").sum() == 3

    search = GridSearchCV(
        TwoLayerNetClassifier(max_iter=2), {"hidden_size": [3, 4]}, cv=2
    )
    search.set_callbacks(callback.ScoringMonitor(scoring="accuracy"))
    counter = EpochCounter()
    search.estimator.set_callbacks(counter)
    search.fit(*blobs)
    # 2 candidates x 2 folds + the refit, 2 epochs each.
    assert len(counter.ends) == 2 * (2 * 2 + 1)


def test_progress_bar_runs(blobs, callback, capsys):
    pytest.importorskip("rich", reason="ProgressBar needs rich")
    clf = TwoLayerNetClassifier(hidden_size=5, max_iter=3)
    clf.set_callbacks(callback.ProgressBar()).fit(*blobs)
    assert "TwoLayerNetClassifier" in capsys.readouterr().out


@pytest.mark.skipif(
    importlib.util.find_spec("sklearn.callback") is not None,
    reason="scikit-learn >= 1.9 has the callback API",
)
def test_set_callbacks_without_the_api_names_the_version():
    with pytest.raises(ImportError, match=r"scikit-learn 1\.9 or newer"):
        TwoLayerNetClassifier().set_callbacks(EpochCounter())


def test_silent_without_callbacks(blobs, capsys):
    TwoLayerNetClassifier(hidden_size=5, max_iter=3).fit(*blobs)
    assert capsys.readouterr() == ("", "")


# -------------------------------------------------------------- persistence


def _fitted_in_every_way(Estimator, solver, how, X, y):
    """A net fitted once, warm-started, by ``partial_fit``, or with early stopping."""
    net = Estimator(hidden_size=5, solver=solver, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if how == "partial_fit":
            kwargs = {"classes": np.unique(y)} if is_classifier(net) else {}
            for _ in range(3):
                net.partial_fit(X, y, **kwargs)
            return net
        if how == "early_stopping":
            net.set_params(early_stopping=True)
        net.fit(X, y)
        if how == "warm_start":
            net.set_params(warm_start=True).fit(X, y)
    return net


@pytest.mark.parametrize(
    "solver, how",
    [
        ("adam", "fit"),
        ("sgd", "fit"),
        ("lbfgs", "fit"),
        ("adam", "warm_start"),
        ("lbfgs", "warm_start"),
        ("sgd", "partial_fit"),
        ("adam", "early_stopping"),
    ],
)
@pytest.mark.parametrize("Estimator", [TwoLayerNetClassifier, TwoLayerNetRegressor])
def test_skops_trusts_the_estimators_class_alone(
    blobs, tmp_path, solver, how, Estimator
):
    sio = pytest.importorskip("skops.io", reason="skops is not installed")
    X, y = blobs
    net = _fitted_in_every_way(Estimator, solver, how, X, y)
    pipe = make_pipeline(StandardScaler(), clone(net)).fit(X, y)
    for model in (pipe, net):
        path = tmp_path / "model.skops"
        sio.dump(model, path)
        untrusted = sio.get_untrusted_types(file=path)
        assert untrusted == [f"{Estimator.__module__}.{Estimator.__name__}"]
        loaded = sio.load(path, trusted=untrusted)
        assert_array_equal(loaded.predict(X), model.predict(X))
    # The net loaded last goes on training exactly as the original does.
    for model in (loaded, net):
        model.set_params(warm_start=True, max_iter=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
    assert_array_equal(loaded.coefs_[0], net.coefs_[0])
    assert loaded.loss_curve_ == net.loss_curve_


@pytest.mark.parametrize("strategy", ["quantile", "tree"])
def test_skops_trusts_the_encoders_class_alone(blobs, strategy):
    sio = pytest.importorskip("skops.io", reason="skops is not installed")
    X, y = blobs
    encoder = skmlp_numpy.PiecewiseLinearEncoder(strategy=strategy, random_state=0)
    encoder.fit(X, y)
    untrusted = sio.get_untrusted_types(data=sio.dumps(encoder))
    assert untrusted == ["skmlp_numpy._encoding.PiecewiseLinearEncoder"]
    loaded = sio.loads(sio.dumps(encoder), trusted=untrusted)
    assert_array_equal(loaded.transform(X), encoder.transform(X))


def test_unpickling_under_another_version_warns(blobs, monkeypatch):
    clf = TwoLayerNetClassifier(hidden_size=5, max_iter=2).fit(*blobs)
    data = pickle.dumps(clf)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(data)  # same version: silent
    monkeypatch.setattr("skmlp_numpy._base.__version__", "9.9.9")
    with pytest.warns(InconsistentVersionWarning, match="9.9.9"):
        pickle.loads(data)


# ------------------------------------------------------------ repr and tags


def test_html_repr_links_to_no_documentation_host():
    # The project names no host for its documentation: no link to a guess.
    clf = TwoLayerNetClassifier()
    assert clf._get_doc_link() == ""
    html = clf._repr_html_()
    assert "TwoLayerNetClassifier" in html
    assert "readthedocs" not in html


def test_tags_are_accurate():
    tags = TwoLayerNetClassifier().__sklearn_tags__()
    assert tags.input_tags.sparse
    assert tags.classifier_tags.multi_label
    assert tags.estimator_type == "classifier"
    assert not tags.non_deterministic


def test_version_is_exposed():
    assert skmlp_numpy.__version__.count(".") == 2


class FailingCallback(EpochCounter):
    """Raises at the end of a given epoch, as a buggy user callback would."""

    def __init__(self, fail_at):
        super().__init__()
        self.fail_at = fail_at

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch" and fitted_estimator.n_iter_ == self.fail_at:
            raise RuntimeError("callback failed")
        return False


class CtrlCAtFitEnd(EpochCounter):
    """Ctrl-C in the fit's end callback, after its last epoch was committed."""

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name != "epoch":
            raise KeyboardInterrupt
        return False


@pytest.mark.parametrize("call", ["fit", "partial_fit"])
def test_ctrl_c_after_the_last_epoch_keeps_the_epochs(blobs, callback, call):
    # It rolled the whole call back: the end callback ran inside the
    # transaction, outside the loop that keeps committed epochs.
    X, y = blobs
    kwargs = {"classes": np.unique(y)} if call == "partial_fit" else {}
    params = dict(hidden_size=5, max_iter=4, n_iter_no_change=100, random_state=0)
    clf = TwoLayerNetClassifier(**params).set_callbacks(CtrlCAtFitEnd())
    reference = TwoLayerNetClassifier(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        getattr(reference, call)(X, y, **kwargs)
        with pytest.warns(UserWarning, match="interrupted by the user after its last"):
            getattr(clf, call)(X, y, **kwargs)
    assert clf.n_iter_ == reference.n_iter_ == len(clf.loss_curve_)
    assert_array_equal(clf.coefs_[0], reference.coefs_[0])


def test_a_model_of_no_random_state_has_a_stream_of_its_own(blobs):
    # With random_state=None the model's stream was NumPy's global one: any
    # draw elsewhere changed the model's pickle, and two models shared it.
    X, y = blobs
    params = dict(hidden_size=5, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a, b = (TwoLayerNetClassifier(**params).fit(X, y) for _ in range(2))
    before = pickle.dumps(a)
    np.random.rand()  # noqa: NPY002 (the global stream is the point)
    assert pickle.dumps(a) == before
    assert a._progress.stream is not b._progress.stream
    assert a._progress.stream is not np.random.mtrand._rand
    assert not np.array_equal(a.coefs_[0], b.coefs_[0])  # the global stream moved


@pytest.mark.parametrize("call", ["fit", "partial_fit"])
def test_a_raising_callback_leaves_the_estimator_and_its_random_state_as_they_were(
    blobs, callback, call
):
    X, y = blobs
    kwargs = {"classes": np.unique(y)} if call == "partial_fit" else {}
    clf = TwoLayerNetClassifier(
        hidden_size=5, max_iter=4, random_state=np.random.RandomState(0)
    )
    twin = pickle.loads(pickle.dumps(clf))  # an equal estimator that never fails
    before, instance = pickle.dumps(clf), pickle.dumps(clf.random_state)
    clf.set_callbacks(FailingCallback(fail_at=1))
    with pytest.raises(RuntimeError, match="callback failed"):
        getattr(clf, call)(X, y, **kwargs)
    assert pickle.dumps(clf.set_callbacks()) == before
    assert pickle.dumps(clf.random_state) == instance
    # The retry trains what the first try would have trained.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(clf, call)(X, y, **kwargs)
        getattr(twin, call)(X, y, **kwargs)
    assert clf.loss_curve_ == twin.loss_curve_
    assert pickle.dumps(clf.random_state) == pickle.dumps(twin.random_state)
