"""The main job, python -m skmlp_numpy, run in-process through main()."""

import joblib
import pytest

from skmlp_numpy.__main__ import build_parser, main, make_classifier


def test_default_job_trains_on_digits_and_reports(capsys):
    assert main(["--epochs", "30"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digits: 1347 training and 450 test samples")
    assert "epoch  training loss" in out
    assert len([line for line in out.splitlines() if line[:5].strip().isdigit()]) == 30
    accuracy = float(out.split("test accuracy: ")[1].split()[0])
    assert accuracy > 0.9
    assert "fit time:" in out


def test_options_reach_the_classifier():
    args = build_parser().parse_args(
        ["--hidden-size", "7", "--solver", "lbfgs", "--epochs", "3", "--seed", "5"]
    )
    clf = make_classifier(args)
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
    ]:
        assert option in out
