"""The main job, python -m skmlp_numpy, run in-process through main()."""

import joblib
import pytest

from skmlp_numpy import TwoLayerNetClassifier, TwoLayerNetRegressor
from skmlp_numpy.__main__ import build_parser, main, make_network


def test_default_job_trains_on_digits_and_reports(capsys):
    assert main(["--epochs", "30"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digits: 1347 training and 450 test samples")
    assert "epoch  training loss" in out
    rows = [line.split() for line in out.splitlines()]
    assert len([row for row in rows if len(row) == 2 and row[0].isdigit()]) == 30
    accuracy = float(out.split("test accuracy: ")[1].split()[0])
    assert accuracy > 0.9
    assert "fit time:" in out


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
    clf = joblib.load(model)
    assert clf.n_iter_ == 5
    assert image.stat().st_size > 0
    assert f"model saved to {model}" in capsys.readouterr().out


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
        "diabetes",
    ]:
        assert option in out
