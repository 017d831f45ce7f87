"""The main job, python -m skmlp_numpy, run in-process through main()."""

import sys
import warnings
from pathlib import Path

import joblib
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skmlp_numpy import TwoLayerNetClassifier, TwoLayerNetRegressor
from skmlp_numpy.__main__ import (
    build_parser,
    describe,
    epochs_to_print,
    main,
    make_network,
    recipe_in_words,
)

ROOT = Path(__file__).resolve().parents[1]


def loss_rows(out):
    """The (epoch, loss) rows of the job's loss table."""
    rows = [line.split() for line in out.splitlines()]
    return [int(row[0]) for row in rows if len(row) == 2 and row[0].isdigit()]


def test_default_job_converges_on_digits_and_reports_briefly(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digits: 1347 training and 450 test samples")
    assert "epoch  training loss" in out
    epochs = loss_rows(out)
    assert 2 <= len(epochs) <= 12 and epochs[0] == 1
    assert f"(converged after {epochs[-1]} epochs:" in out
    assert "more --epochs" not in out
    assert float(out.split("test accuracy: ")[1].split()[0]) > 0.97
    *_, fit_time, threads = out.rstrip().splitlines()
    assert fit_time.startswith("fit time:")
    # The policy's BLAS threads: one for batches of 200 x 64 x 100 (where
    # BLAS has more than one thread to limit).
    assert threads.startswith("BLAS threads: ")
    assert threads.endswith("(chosen for batches of 200 x 64 x 100)") or (
        threads.startswith("BLAS threads: 1 (as set")
    )
    # docs/cli.rst shows this output: the lines it quotes are printed (the
    # losses' last digits and the epoch of convergence may move with BLAS).
    page = (ROOT / "docs" / "cli.rst").read_text(encoding="utf-8")
    sample = page.split("The default job prints")[1].split("\n\n")[1]
    quoted = [line.strip() for line in sample.splitlines()]
    printed = [line.strip() for line in out.splitlines()]
    checked = [line for line in quoted if line[0].isalpha() and "..." not in line]
    assert len(checked) == 5, quoted
    if "(as set" in threads:  # OMP_NUM_THREADS or the like, set by the caller
        checked = [line for line in checked if not line.startswith("BLAS threads")]
    assert set(checked) <= set(printed), set(checked) - set(printed)


@pytest.mark.parametrize(
    "n_epochs, every, expected",
    [
        (30, None, [1, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30]),
        (295, None, [1, 30, 60, 90, 120, 150, 180, 210, 240, 270, 295]),
        (4, None, [1, 2, 3, 4]),
        (5, 1, [1, 2, 3, 4, 5]),
        (7, 5, [1, 5, 7]),
    ],
)
def test_the_loss_table_shows_about_ten_epochs_and_the_last(n_epochs, every, expected):
    assert epochs_to_print(n_epochs, every) == expected


def test_loss_every_prints_the_chosen_epochs(capsys):
    assert main(["--epochs", "6", "--loss-every", "1"]) == 0
    assert loss_rows(capsys.readouterr().out) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("data", ["digits", "mnist", "diabetes"])
def test_the_printed_constructor_call_rebuilds_the_network(data):
    # Pasted, the line the job prints must train the same model: every
    # setting the recipe makes shows, momentum=0.0 included.
    net = make_network(build_parser().parse_args(["--data", data, "--seed", "3"]))
    call = describe(net, data)
    rebuilt = eval(call, {type(net).__name__: type(net)})
    assert rebuilt.get_params() == net.get_params()
    assert "random_state=3" in call
    if data == "mnist":
        assert "momentum=0.0" in call and "alpha=0.0" in call


def test_help_names_each_recipe_in_full(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    # argparse wraps the help: compare it as one line.
    out = " ".join(capsys.readouterr().out.split())
    for data in ["digits", "mnist", "diabetes"]:
        assert recipe_in_words(data) in out
    assert "momentum 0, alpha 0" in recipe_in_words("mnist")


def test_options_reach_the_classifier():
    args = build_parser().parse_args(
        ["--hidden-size", "7", "--solver", "lbfgs", "--epochs", "3", "--seed", "5"]
    )
    clf = make_network(args)
    assert isinstance(clf, TwoLayerNetClassifier)
    assert (clf.hidden_size, clf.solver, clf.max_iter, clf.random_state) == (
        7,
        "lbfgs",
        3,
        5,
    )


def test_save_and_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="--plot needs matplotlib")
    model, image = tmp_path / "model.joblib", tmp_path / "loss.png"
    assert main(["--epochs", "5", "--save", str(model), "--plot", str(image)]) == 0
    assert joblib.load(model)[-1].n_iter_ == 5
    assert image.stat().st_size > 0
    assert f"model saved to {model}" in capsys.readouterr().out


def test_a_plot_without_an_extension_says_where_it_went(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="--plot needs matplotlib")
    for name in ("loss", "loss."):
        assert main(["--epochs", "2", "--plot", str(tmp_path / name)]) == 0
        out = capsys.readouterr().out
        assert f"loss curve saved to {tmp_path / 'loss.png'}" in out
        assert (tmp_path / "loss.png").stat().st_size > 0


def test_a_saved_model_takes_raw_pixels(tmp_path, capsys):
    # The job trains on pixels / 16; the saved model must score as the job
    # said on the pixels as load_digits gives them, not on scaled ones only.
    path = tmp_path / "model.joblib"
    assert main(["--epochs", "20", "--seed", "1", "--save", str(path)]) == 0
    out = capsys.readouterr().out
    printed = float(out.split("test accuracy: ")[1].split()[0])
    X, y = load_digits(return_X_y=True)
    _, X_test, _, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=1
    )
    model = joblib.load(path)
    assert model.score(X_test, y_test) == pytest.approx(printed, abs=5e-5)
    assert (model.predict(X_test) == model[-1].predict(X_test / 16)).all()
    assert "takes raw pixels (0 to 16)" in out


def test_a_saved_regression_model_takes_raw_features(tmp_path, capsys):
    path = tmp_path / "model.joblib"
    assert main(["--data", "diabetes", "--save", str(path)]) == 0
    out = capsys.readouterr().out
    printed = float(out.split("test R²: ")[1].split()[0])
    X, y = load_diabetes(return_X_y=True)
    _, X_test, _, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    assert joblib.load(path).score(X_test, y_test) == pytest.approx(printed, abs=5e-5)


@pytest.mark.parametrize(
    "args",
    [
        ["--progress", "--epochs", "3"],
        ["--data", "diabetes", "--progress", "--epochs", "3"],
        ["--data", "diabetes", "--solver", "adam", "--epochs", "3"],
    ],
    ids=["digits with a bar", "diabetes with a bar", "diabetes with adam"],
)
def test_a_saved_model_with_any_options_refits(args, tmp_path, capsys):
    # A bar on the regression's net inside its pipeline was refused before
    # training; 'auto' batches of adam failed the threads line after it (and
    # the model was not saved); a saved model kept its bar on its net, and a
    # refit, a clone or a search refused it.
    pytest.importorskip("rich", reason="the progress bar needs rich")
    path = tmp_path / "model.joblib"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert main([*args, "--save", str(path)]) == 0
        data = load_diabetes if "diabetes" in args else load_digits
        X, y = data(return_X_y=True)
        model = joblib.load(path)
        # No bar anywhere: not on the unfitted regressor a refit copies.
        parts = [model, getattr(model, "regressor", None)]
        parts += getattr(model, "steps", None) and [s for _, s in model.steps] or []
        assert not any(getattr(part, "_skl_callbacks", None) for part in parts)
        model.fit(X, y)
        clone(model).fit(X, y)


def test_missing_mnist_file_is_a_clear_error(tmp_path, capsys):
    assert main(["--data", "mnist", "--mnist-path", str(tmp_path / "none.npz")]) == 2
    assert "No MNIST file at" in capsys.readouterr().err


def test_mnist_without_a_file_or_network_names_the_option(capsys, monkeypatch):
    monkeypatch.delenv("SKMLP_MNIST", raising=False)

    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr("sklearn.datasets.fetch_openml", offline)
    assert main(["--data", "mnist"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--mnist-path FILE" in err


def test_diabetes_job_reports_r2_beside_mlpregressor(capsys):
    assert main(["--data", "diabetes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("diabetes: 331 training and 111 test samples")
    assert "learning_rate_init" not in out  # lbfgs does not use it
    assert float(out.split("test R²: ")[1].split()[0]) > 0.3
    assert "MLPRegressor" in out and "TwoLayerNetRegressor -" in out
    args = build_parser().parse_args(["--data", "diabetes", "--hidden-size", "5"])
    assert isinstance(make_network(args), TwoLayerNetRegressor)


@pytest.mark.parametrize(
    "argv, option",
    [
        (["--epochs", "0"], "--epochs"),
        (["--epochs", "ten"], "--epochs"),
        (["--hidden-size", "-3"], "--hidden-size"),
        (["--batch-size", "1.5"], "--batch-size"),
        (["--learning-rate", "nan"], "--learning-rate"),
        (["--learning-rate", "0"], "--learning-rate"),
        (["--seed", "-1"], "--seed"),
        (["--solver", "newton"], "--solver"),
        (["--data", "cifar"], "--data"),
        (["--save", "/no/such/folder/model.joblib"], "--save"),
        (["--plot", "/no/such/folder/loss.png"], "--plot"),
        # Refused after training before: a folder, no name, an image format
        # matplotlib does not write.
        (["--save", "."], "--save"),
        (["--save", ""], "--save"),
        (["--save", "model.joblib/"], "--save"),
        (["--save", "README.md/model.joblib"], "--save"),
        (["--plot", "loss.xyz"], "--plot"),
        (["--mnist-path", "mnist.npz"], "--mnist-path"),
        (["--no-such-option"], "--no-such-option"),
    ],
)
def test_every_bad_option_is_one_line_naming_it_and_exit_2(argv, option, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert option in err and err.startswith("python -m skmlp_numpy: error:")


def test_a_diverging_run_says_so_in_one_line(capsys):
    assert main(["--learning-rate", "1e6", "--epochs", "5"]) == 0
    out = capsys.readouterr().out
    lines = [
        line for line in out.splitlines() if "learning rate may be too high" in line
    ]
    assert len(lines) == 1
    assert "still decreasing" not in out


def test_a_divergence_error_is_one_line_and_exit_1(capsys, monkeypatch):
    from skmlp_numpy import DivergenceError

    def diverge(self, *args, **kwargs):
        raise DivergenceError("Training diverged at epoch 3: the loss became NaN.")

    monkeypatch.setattr(TwoLayerNetClassifier, "fit", diverge)
    assert main(["--epochs", "5"]) == 1
    err = capsys.readouterr().err
    assert (
        err == "error: Training diverged at epoch 3: try a smaller --learning-rate.\n"
    )


def test_a_short_run_says_the_loss_was_still_decreasing(capsys):
    assert main(["--epochs", "10"]) == 0
    assert (
        "(ran all 10 epochs; the loss was still decreasing" in capsys.readouterr().out
    )


def test_help_explains_each_option(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for option in [
        "--data",
        "--mnist-path",
        "--hidden-size",
        "--solver",
        "--epochs",
        "--learning-rate",
        "--batch-size",
        "--seed",
        "--save",
        "--plot",
        "--loss-every",
        "diabetes",
    ]:
        assert option in out


@pytest.mark.parametrize("threads", [1, 2])
def test_threads_option_sets_blas_threads_for_the_run(capsys, threads):
    if threads > joblib.cpu_count():
        pytest.skip(f"--threads {threads} needs {threads} cores; this machine has 1")
    from unittest import mock

    from threadpoolctl import threadpool_info, threadpool_limits

    from skmlp_numpy._optimizers import Adam

    def blas():
        return max(
            p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"
        )

    before, seen, step = blas(), set(), Adam.step

    def recording(self, params, grads):
        seen.add(blas())
        return step(self, params, grads)

    with mock.patch.object(Adam, "step", recording), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert main(["--epochs", "2", "--threads", str(threads)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().splitlines()[-1] == (
        f"BLAS threads: {threads} (--threads; batches of 200 x 64 x 100)"
    )
    # As many as threadpoolctl gives for the asking: a BLAS started under
    # OMP_NUM_THREADS=1 may take 2, one with fewer cores may not.
    with threadpool_limits(threads, user_api="blas"):
        given = blas()
    assert seen == {given} and blas() == before


def test_threads_option_must_be_positive(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--threads", "0"])
    assert exit_.value.code == 2
    assert "--threads: must be a positive integer" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["--threads", str(joblib.cpu_count() + 1)])
    assert exit_.value.code == 2
    assert "--threads: must be at most the" in capsys.readouterr().err


def test_a_skops_file_is_saved_with_skops(tmp_path, capsys):
    # It was a joblib pickle under a .skops name, which skops cannot read.
    sio = pytest.importorskip("skops.io")
    path = tmp_path / "model.skops"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert main(["--epochs", "3", "--save", str(path)]) == 0
    trusted = sio.get_untrusted_types(file=path)
    assert trusted == ["skmlp_numpy._classifier.TwoLayerNetClassifier"]
    model = sio.load(path, trusted=trusted)
    X, y = load_digits(return_X_y=True)
    assert model.predict(X[:5]).shape == (5,)


@pytest.mark.parametrize(
    "option, file, modules, extra",
    [
        ("--save", "model.skops", ("skops", "skops.io"), "skops"),
        ("--plot", "loss.png", ("matplotlib", "matplotlib.figure"), "plot"),
    ],
)
def test_an_option_whose_extra_is_missing_is_refused_before_training(
    tmp_path, capsys, monkeypatch, option, file, modules, extra
):
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(SystemExit) as exit_:
        main([option, str(tmp_path / file)])
    assert exit_.value.code == 2
    assert f"skmlp_numpy[{extra}]" in capsys.readouterr().err


@pytest.mark.parametrize("data", ["digits", "diabetes"])
def test_ctrl_c_during_training_is_said_and_trains_nothing_more(
    data, capsys, monkeypatch
):
    # The job said "converged" after a Ctrl-C, and for diabetes went on to
    # train its two comparison models.
    from skmlp_numpy._fit import _Fit

    real = _Fit._end_epoch

    def interrupted(self, *args, **kwargs):
        if self.progress.n_iter == 4:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(_Fit, "_end_epoch", interrupted)
    assert main(["--data", data]) == 0
    captured = capsys.readouterr()
    unit = "iteration" if data == "diabetes" else "epoch"
    assert f"(interrupted by Ctrl-C after 4 {unit}s" in captured.out
    assert "converged" not in captured.out
    assert "MLPRegressor" not in captured.out
    assert "Traceback" not in captured.err


def test_ctrl_c_before_the_first_epoch_is_one_line_and_exit_130(capsys, monkeypatch):
    def interrupt(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(TwoLayerNetClassifier, "fit", interrupt)
    assert main(["--epochs", "5"]) == 130
    captured = capsys.readouterr()
    assert captured.err == "interrupted before the first epoch ended: no model\n"


def test_default_threads_train_the_model_of_one_thread(capsys):
    """The CLI page's promise: the default run is the one-thread model."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert main(["--epochs", "5", "--loss-every", "1"]) == 0
        default = capsys.readouterr().out.splitlines()
        assert main(["--epochs", "5", "--loss-every", "1", "--threads", "1"]) == 0
        one = capsys.readouterr().out.splitlines()
    # Every line but the fit time and the threads' reason: losses, accuracy.
    assert default[:-2] == one[:-2]
    assert default[-1].startswith("BLAS threads: 1 (")


def test_a_save_that_fails_after_training_is_one_line_and_exit_1(
    tmp_path, capsys, monkeypatch
):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(joblib, "dump", full_disk)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert main(["--epochs", "2", "--save", str(tmp_path / "m.joblib")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --save: cannot write") and err.count("\n") == 1
