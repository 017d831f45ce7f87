"""Train a TwoLayerNetClassifier from the command line: ``python -m skmlp_numpy``.

By default it trains on scikit-learn's bundled digits data (offline) and
prints the test accuracy, the fit time and the loss of each epoch. With
``--data mnist`` it runs the tutorial's MNIST recipe instead.
"""

import argparse
import sys
import time
import warnings

import joblib
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from . import TwoLayerNetClassifier, __version__
from .datasets import load_mnist

# The tutorial's recipe: 784-50-10, plain SGD at 0.1, batches of 100,
# 10,000 iterations = 10,000 * 100 / 60,000 ~ 17 epochs, no penalty.
RECIPES = {
    "digits": dict(
        hidden_size=100,
        solver="adam",
        learning_rate_init=1e-3,
        batch_size=200,
        max_iter=200,
    ),
    "mnist": dict(
        hidden_size=50,
        solver="sgd",
        learning_rate_init=0.1,
        batch_size=100,
        max_iter=17,
        momentum=0.0,
        alpha=0.0,
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser."""
    parser = argparse.ArgumentParser(
        prog="python -m skmlp_numpy",
        description=(
            "Train a two-layer neural network (affine, ReLU, affine, softmax) and "
            "print its test accuracy, fit time and loss by epoch."
        ),
    )
    parser.add_argument(
        "--data",
        choices=sorted(RECIPES),
        default="digits",
        help=(
            "digits: scikit-learn's bundled 8x8 digits, offline (default). mnist: "
            "the tutorial's recipe on MNIST (784-50-10, SGD lr 0.1, batch 100, "
            "17 epochs)."
        ),
    )
    parser.add_argument(
        "--mnist-path",
        metavar="PATH",
        help=(
            "MNIST .npz file for --data mnist (default: the SKMLP_MNIST "
            "environment variable, else a download from OpenML)."
        ),
    )
    parser.add_argument(
        "--hidden-size",
        type=int,
        help="hidden units (recipe default: 100 digits, 50 mnist)",
    )
    parser.add_argument(
        "--solver",
        choices=["sgd", "adam", "lbfgs"],
        help="optimizer (adam digits, sgd mnist)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        help="maximum number of epochs, max_iter (200 digits, 17 mnist)",
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        help="learning_rate_init (1e-3 digits, 0.1 mnist)",
    )
    parser.add_argument(
        "--batch-size", type=int, help="minibatch size (200 digits, 100 mnist)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random_state (default: 0)")
    parser.add_argument(
        "--save",
        metavar="FILE",
        help="save the fitted model with joblib, e.g. model.joblib",
    )
    parser.add_argument(
        "--plot",
        metavar="PNG",
        help="draw the loss curve into this image file (needs matplotlib)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=(
            "show a progress bar by epoch (needs rich and scikit-learn >= 1.9); "
            "default: on for --data mnist"
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"skmlp_numpy {__version__}"
    )
    return parser


def load_data(args):
    """Train and test splits for ``args.data``, and a description of them."""
    if args.data == "mnist":
        X_train, X_test, y_train, y_test = load_mnist(args.mnist_path)
        return X_train, X_test, y_train, y_test, "MNIST"
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=args.seed
    )
    return X_train, X_test, y_train, y_test, "digits"


def make_classifier(args):
    """The classifier of ``args.data``'s recipe, with the options applied."""
    params = dict(RECIPES[args.data])
    options = {
        "hidden_size": args.hidden_size,
        "solver": args.solver,
        "max_iter": args.epochs,
        "learning_rate_init": args.learning_rate,
        "batch_size": args.batch_size,
    }
    params.update({k: v for k, v in options.items() if v is not None})
    return TwoLayerNetClassifier(random_state=args.seed, **params)


def main(argv: list[str] | None = None) -> int:
    """Run the main job; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        X_train, X_test, y_train, y_test, name = load_data(args)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    clf = make_classifier(args)
    progress = args.data == "mnist" if args.progress is None else args.progress
    if progress:
        attach_progress_bar(clf)
    print(
        f"{name}: {X_train.shape[0]} training and {X_test.shape[0]} test samples, "
        f"{X_train.shape[1]} features, {len(set(y_train))} classes"
    )
    print(
        f"TwoLayerNetClassifier(hidden_size={clf.hidden_size}, solver={clf.solver!r}, "
        f"learning_rate_init={clf.learning_rate_init}, batch_size={clf.batch_size}, "
        f"max_iter={clf.max_iter})"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        fit_time = time.perf_counter() - start
    print("epoch  training loss")
    for epoch, loss in enumerate(clf.loss_curve_, start=1):
        print(f"{epoch:5d}  {loss:.6f}")
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            print(f"(ran all {clf.max_iter} epochs; the loss was still improving)")
        else:
            warnings.showwarning(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    accuracy = clf.score(X_test, y_test)
    print(f"test accuracy: {accuracy:.4f}")
    print(
        f"fit time: {fit_time:.2f} s ({fit_time / max(clf.n_iter_, 1):.3f} s per epoch)"
    )
    if args.save:
        joblib.dump(clf, args.save)
        print(f"model saved to {args.save}")
    if args.plot:
        plot_loss_curve(clf, args.plot)
    return 0


def attach_progress_bar(clf):
    """Show scikit-learn's ProgressBar during fit, where rich and the API exist."""
    try:
        from sklearn.callback import ProgressBar

        clf.set_callbacks(ProgressBar())
    except ImportError as exc:
        print(f"(no progress bar: {exc})")


def plot_loss_curve(clf, path):
    """Save the loss curve of ``clf`` as an image."""
    try:
        import matplotlib

        matplotlib.use("Agg")
    except ImportError:
        print("(no plot: matplotlib is not installed; pip install 'skmlp_numpy[plot]')")
        return
    from ._plot import LossCurveDisplay

    display = LossCurveDisplay.from_estimator(clf)
    display.figure_.savefig(path, dpi=100)
    print(f"loss curve saved to {path}")


if __name__ == "__main__":
    sys.exit(main())
