"""Train a two-layer network from the command line: ``python -m skmlp_numpy``.

By default it trains a TwoLayerNetClassifier on scikit-learn's bundled digits
data (offline) and prints the constructor call that reproduces the network,
the training loss at ten or so epochs, how training ended, the test accuracy
and the fit time. ``--data mnist`` runs the tutorial's MNIST recipe; ``--data
diabetes`` trains a TwoLayerNetRegressor on scikit-learn's bundled diabetes
data and prints its R² beside MLPRegressor's. ``--save`` stores a model that
takes raw data: the scaling the job applied, then the network. Every error is
one line, naming the option; a bad option exits with status 2, a failed run
with 1.
"""

import argparse
import contextlib
import inspect
import math
import os
import sys
import time
import warnings
from pathlib import Path

import joblib
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from threadpoolctl import threadpool_limits

from . import DivergenceError, TwoLayerNetClassifier, TwoLayerNetRegressor, __version__
from ._batches import _threadpool_controller
from ._threads import chosen_threads, fixed_threads
from .datasets import load_mnist

RECIPES = {
    # Adam's defaults; up to 500 epochs, so that training stops on its own
    # (the loss stalls after about 300), rather than at max_iter.
    "digits": dict(
        hidden_size=100,
        solver="adam",
        learning_rate_init=1e-3,
        batch_size=200,
        max_iter=500,
    ),
    # The tutorial's recipe: 784-50-10, plain SGD at 0.1 (no momentum),
    # batches of 100, 10,000 iterations = 10,000 * 100 / 60,000 ~ 17 epochs,
    # no penalty.
    "mnist": dict(
        hidden_size=50,
        solver="sgd",
        learning_rate_init=0.1,
        batch_size=100,
        max_iter=17,
        momentum=0.0,
        alpha=0.0,
    ),
    # 442 noisy patients: a small, strongly penalised network, trained by
    # L-BFGS on standardized features and target.
    "diabetes": dict(hidden_size=20, solver="lbfgs", alpha=10.0, max_iter=1000),
}
REGRESSION = {"diabetes"}

# The exit status of a run interrupted by Ctrl-C, as shells give it (128 + 2).
INTERRUPTED = 130
# The largest pixel value of each image data set, which the job divides by.
PIXEL_MAX = {"digits": 16, "mnist": 255}
# What the recipe's network is trained on, said after its constructor call.
PREPROCESSING = {
    "digits": "on pixels / 16",
    "mnist": "on pixels / 255",
    "diabetes": "on standardized features and target",
}
# How the README and the docs name a recipe's settings, in the order they
# name them; max_iter is an upper bound (training stops once it converges).
_WORDS = {
    "solver": {"sgd": "SGD", "adam": "Adam", "lbfgs": "L-BFGS"}.get,
    "learning_rate_init": "lr {:g}".format,
    "momentum": "momentum {:g}".format,
    "alpha": "alpha {:g}".format,
    "batch_size": "batch {}".format,
}


class _Parser(argparse.ArgumentParser):
    """argparse, with every error on one line."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or value <= 0:
            noun = "integer" if kind is int else "number"
            raise argparse.ArgumentTypeError(f"must be a positive {noun}, got {text!r}")
        return value

    parse.__name__ = f"positive {kind.__name__}"
    return parse


def _threads(text):
    """A number of BLAS threads: positive, and no more than the cores."""
    value = _positive(int)(text)
    cores = joblib.cpu_count()
    if value > cores:
        raise argparse.ArgumentTypeError(
            f"must be at most the {cores} cores of this machine, got {value} "
            "(more threads than cores only wait for each other)"
        )
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(
            f"must be an integer from 0 to 2**32 - 1, got {text!r}"
        )
    return value


def _output_file(text):
    # Checked before training, not after it: a folder or nothing for a name.
    if not text or Path(text).is_dir() or text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(f"{text!r} is not a file name")
    folder = Path(text).parent
    if folder.exists() and not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{str(folder)!r} is a file, not a folder")
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(f"folder {str(folder)!r} is not writable")
    return text


def _model_file(text):
    """A file to save the model in: skops's format for ``.skops``, else joblib's."""
    text = _output_file(text)
    if _skops_file(text):
        try:
            import skops.io  # noqa: F401
        except ImportError:
            raise argparse.ArgumentTypeError(
                "a .skops file needs skops: pip install 'skmlp_numpy[skops]' (or "
                "save to a .joblib file)"
            ) from None
    return text


def _skops_file(path):
    """Whether ``path`` names a skops file, saved with skops rather than joblib."""
    return Path(path).suffix.lower() == ".skops"


def _image_file(text):
    """An output file of an image format matplotlib writes (PNG without one)."""
    text = _output_file(text)
    suffix = Path(text).suffix.lstrip(".").lower()
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise argparse.ArgumentTypeError(
            "a plot needs matplotlib: pip install 'skmlp_numpy[plot]'"
        ) from None
    formats = Figure().canvas.get_supported_filetypes()
    if suffix and suffix not in formats:
        raise argparse.ArgumentTypeError(
            f"matplotlib writes no {suffix!r} images; use one of "
            f"{', '.join(sorted(formats))}"
        )
    return text


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser."""
    parser = _Parser(
        prog="python -m skmlp_numpy",
        description=(
            "Train a two-layer neural network (affine, ReLU, affine, then softmax "
            "or a linear output) and print its test score, fit time and loss by "
            "epoch."
        ),
    )
    parser.add_argument(
        "--data",
        choices=sorted(RECIPES),
        default="digits",
        help=(
            "digits: classify scikit-learn's bundled 8x8 digits, offline "
            f"(default; 64-100-10, {recipe_in_words('digits')}). mnist: the "
            f"tutorial's recipe on MNIST (784-50-10, {recipe_in_words('mnist')}). "
            "diabetes: regression on scikit-learn's bundled diabetes data, "
            f"offline (10-20-1, {recipe_in_words('diabetes')}, standardized "
            "features and target), with MLPRegressor's R² beside."
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
        type=_positive(int),
        help="hidden units (recipe default: 100 digits, 50 mnist, 20 diabetes)",
    )
    parser.add_argument(
        "--solver",
        choices=["sgd", "adam", "lbfgs"],
        help="optimizer (adam digits, sgd mnist, lbfgs diabetes)",
    )
    parser.add_argument(
        "--epochs",
        type=_positive(int),
        help="maximum number of epochs, max_iter (500 digits, 17 mnist, 1000 diabetes)",
    )
    parser.add_argument(
        "--learning-rate",
        type=_positive(float),
        help="learning_rate_init of sgd and adam (1e-3 digits, 0.1 mnist)",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive(int),
        help="minibatch size of sgd and adam (200 digits, 100 mnist)",
    )
    parser.add_argument(
        "--seed", type=_seed, default=0, help="random_state (default: 0)"
    )
    parser.add_argument(
        "--loss-every",
        metavar="N",
        type=_positive(int),
        help=(
            "print the training loss every N epochs (default: about ten lines; "
            "1 prints every epoch)"
        ),
    )
    parser.add_argument(
        "--save",
        metavar="FILE",
        type=_model_file,
        help=(
            "save the fitted model, e.g. model.joblib (joblib), or model.skops "
            "(skops, needs the skops extra): a pipeline that takes raw data "
            "(pixels as loaded, unscaled features), applies the job's scaling, "
            "then the network"
        ),
    )
    parser.add_argument(
        "--plot",
        metavar="PNG",
        type=_image_file,
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
        "--threads",
        metavar="N",
        type=_threads,
        help=(
            "BLAS threads for the run (default: chosen by the work, one thread "
            "for batches too small to gain from more)"
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"skmlp_numpy {__version__}"
    )
    return parser


def recipe_in_words(data: str) -> str:
    """The settings of ``data``'s recipe, as the README and the docs name them."""
    recipe = RECIPES[data]
    words = [name(recipe[key]) for key, name in _WORDS.items() if key in recipe]
    unit = "iterations" if recipe["solver"] == "lbfgs" else "epochs"
    return ", ".join([*words, f"up to {recipe['max_iter']} {unit}"])


def load_data(args):
    """Train and test splits for ``args.data``, and a description of them.

    Images come with their pixels divided by their largest value (``X / 16``
    for digits, ``X / 255`` for MNIST), as the recipes train on them.
    """
    if args.data == "mnist":
        X_train, X_test, y_train, y_test = load_mnist(args.mnist_path)
        return X_train, X_test, y_train, y_test, "MNIST"
    if args.data == "diabetes":
        X, y = load_diabetes(return_X_y=True)
        return (
            *train_test_split(X, y, test_size=0.25, random_state=args.seed),
            "diabetes",
        )
    X, y = load_digits(return_X_y=True)
    X = X / PIXEL_MAX["digits"]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=args.seed
    )
    return X_train, X_test, y_train, y_test, "digits"


def pixel_scaler(data, n_features):
    """The scaling that ``load_data`` applied to ``data``'s pixels, as a step.

    A MinMaxScaler fitted to the pixel range, 0 to the largest value, rather
    than to the training data: it divides every pixel by that value, as
    ``load_data`` did, so that a saved model takes raw pixels. A scikit-learn
    type, so that skops loads it without trusting anything more.
    """
    return MinMaxScaler().fit([[0] * n_features, [PIXEL_MAX[data]] * n_features])


def make_network(args):
    """The network of ``args.data``'s recipe, with the options applied."""
    params = dict(RECIPES[args.data])
    options = {
        "hidden_size": args.hidden_size,
        "solver": args.solver,
        "max_iter": args.epochs,
        "learning_rate_init": args.learning_rate,
        "batch_size": args.batch_size,
    }
    params.update({k: v for k, v in options.items() if v is not None})
    if args.data in REGRESSION:
        return TwoLayerNetRegressor(random_state=args.seed, **params)
    return TwoLayerNetClassifier(random_state=args.seed, **params)


def make_model(net, args):
    """The model to fit: the network, standardized for regression."""
    if args.data not in REGRESSION:
        return net
    return TransformedTargetRegressor(
        make_pipeline(StandardScaler(), net), transformer=StandardScaler()
    )


def describe(net, data):
    """The constructor call that builds ``net``: pasted, it trains the same model.

    Every parameter that the recipe sets, or that differs from its default
    (``momentum=0.0`` as much as ``solver='sgd'``), in the signature's order.
    """
    params = net.get_params(deep=False)
    shown = [
        f"{name}={params[name]!r}"
        for name, parameter in inspect.signature(type(net)).parameters.items()
        if name in RECIPES[data] or params[name] != parameter.default
    ]
    return f"{type(net).__name__}({', '.join(shown)})"


def main(argv: list[str] | None = None) -> int:
    """Run the main job; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.mnist_path is not None and args.data != "mnist":
        parser.error("argument --mnist-path: only used with --data mnist")
    try:
        with warnings.catch_warnings():
            # OpenML's retry warnings would only precede the one-line error.
            warnings.simplefilter("ignore")
            X_train, X_test, y_train, y_test, name = load_data(args)
    except (FileNotFoundError, ValueError) as exc:
        message = str(exc)
        if args.mnist_path is None and not os.environ.get("SKMLP_MNIST"):
            message = (
                "MNIST could not be downloaded from OpenML (no network?): pass "
                "--mnist-path FILE, an .npz file with X_train, y_train, X_test and "
                "y_test, or set SKMLP_MNIST to it."
            )
        print(f"error: {message}", file=sys.stderr)
        return 2
    net = make_network(args)
    model = make_model(net, args)
    progress = args.data == "mnist" if args.progress is None else args.progress
    if progress:
        attach_progress_bar(model)
    regression = args.data in REGRESSION
    target = "a continuous target" if regression else f"{len(set(y_train))} classes"
    print(
        f"{name}: {X_train.shape[0]} training and {X_test.shape[0]} test samples, "
        f"{X_train.shape[1]} features, {target}"
    )
    print(f"{describe(net, args.data)} {PREPROCESSING[args.data]}")
    with contextlib.ExitStack() as stack:
        if args.threads is not None:
            stack.enter_context(threadpool_limits(args.threads, user_api="blas"))
            stack.enter_context(fixed_threads())
        try:
            return run(model, net, args, X_train, X_test, y_train, y_test)
        except KeyboardInterrupt:
            # After training (scoring, saving): nothing to keep.
            print("interrupted", file=sys.stderr)
            return INTERRUPTED


def run(model, net, args, X_train, X_test, y_train, y_test):
    """Fit, score and report, under the BLAS threads that ``main`` set."""
    regression = args.data in REGRESSION
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        try:
            model.fit(X_train, y_train)
        except DivergenceError as exc:
            where = str(exc).split(":")[0]  # "Training diverged at epoch N"
            print(f"error: {where}: try a smaller --learning-rate.", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("interrupted before the first epoch ended: no model", file=sys.stderr)
            return INTERRUPTED
        fit_time = time.perf_counter() - start
    if regression:
        net = model.regressor_[-1]  # the fitted clone of the network
    unit = "iteration" if net.solver == "lbfgs" else "epoch"
    print(f"{unit:>9s}  training loss")
    for epoch in epochs_to_print(len(net.loss_curve_), args.loss_every):
        print(f"{epoch:9d}  {net.loss_curve_[epoch - 1]:.6f}")
    converged, interrupted = True, False
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            converged = False
        elif str(warning.message).startswith("Training interrupted by the user"):
            interrupted = True
        else:
            # Where the warning points (the runpy module that runs this job)
            # means nothing on a command line: the message alone.
            print(f"warning: {warning.message}", file=sys.stderr)
    print(training_verdict(net, converged, interrupted))
    if regression:
        print(f"test R²: {model.score(X_test, y_test):.4f}")
        if not interrupted:  # the user asked to stop: no more training
            print(defaults_comparison(X_train, X_test, y_train, y_test, args.seed))
    else:
        print(f"test accuracy: {model.score(X_test, y_test):.4f}")
    per = fit_time / max(net.n_iter_, 1)
    print(f"fit time: {fit_time:.2f} s ({per:.3f} s per {unit})")
    print(threads_used(net, args, X_train.shape))
    if args.save:
        try:
            save_model(model, args, X_train.shape[1])
        except OSError as exc:
            # A place the checks before training could not see (a full disk,
            # a file system that refuses even root).
            print(f"error: --save: cannot write {args.save}: {exc}", file=sys.stderr)
            return 1
    if args.plot:
        plot_loss_curve(net, args.plot)
    return 0


def threads_used(net, args, shape):
    """One line on the BLAS threads the fit ran on, and why."""
    n_rows, n_features = shape
    batch_size = 200 if net.batch_size == "auto" else net.batch_size
    rows = n_rows if net.solver == "lbfgs" else min(batch_size, n_rows)
    what = "the whole data" if net.solver == "lbfgs" else "batches"
    work = f"{what} of {rows} x {n_features} x {net.hidden_size}"
    if args.threads is not None:
        return f"BLAS threads: {args.threads} (--threads; {work})"
    threads = chosen_threads(rows * n_features * net.hidden_size)
    if threads is not None:
        return f"BLAS threads: {threads} (chosen for {work})"
    current = max(
        (
            p["num_threads"]
            for p in _threadpool_controller().info()
            if p["user_api"] == "blas"
        ),
        default=1,
    )
    return f"BLAS threads: {current} (as set, for {work})"


def epochs_to_print(n_epochs, every=None):
    """The epochs whose loss the job prints: every ``every``-th, first and last.

    By default about ten, so that the table stays short whatever the length of
    training; the last epoch is always there, as the one the model ends at.
    """
    every = every or max(1, math.ceil(n_epochs / 10))
    return sorted({1, *range(every, n_epochs + 1, every), n_epochs} - {0})


def save_model(model, args, n_features):
    """Save a model that takes raw data, and say so.

    Without the progress bar: a saved model is refitted, cloned and searched
    over elsewhere, where a bar on one step is refused.
    """
    holders = (model, *(getattr(model, n, None) for n in ("regressor", "regressor_")))
    for holder in holders:
        if hasattr(holder, "set_callbacks"):
            # scikit-learn < 1.9 has no callbacks, nor any to remove.
            with contextlib.suppress(ImportError):
                holder.set_callbacks()
    if args.data in REGRESSION:
        # Already a pipeline from raw features: it standardizes X and y itself.
        dump(model, args.save)
        print(f"model saved to {args.save} (takes raw features)")
        return
    pipeline = make_pipeline(pixel_scaler(args.data, n_features), model)
    dump(pipeline, args.save)
    print(
        f"model saved to {args.save}: a pipeline that takes raw pixels (0 to "
        f"{PIXEL_MAX[args.data]}) and divides them by {PIXEL_MAX[args.data]}, "
        "then the network"
    )


def dump(model, path):
    """Write ``model`` to ``path``: with skops for a ``.skops`` file, else joblib."""
    if _skops_file(path):
        import skops.io

        skops.io.dump(model, path)
    else:
        joblib.dump(model, path)


def training_verdict(net, converged, interrupted=False):
    """One line on how training ended."""
    curve = net.loss_curve_
    unit = "iteration" if net.solver == "lbfgs" else "epoch"
    if interrupted:
        return (
            f"(interrupted by Ctrl-C after {net.n_iter_} {unit}s: the model is "
            f"that of the last complete {unit})"
        )
    if len(curve) > 1 and min(curve[1:]) >= curve[0]:
        return (
            f"(the training loss never fell below its first {unit}'s, "
            f"{curve[0]:.4g}: the learning rate may be too high; try a smaller "
            "--learning-rate)"
        )
    if converged:
        if net.solver == "lbfgs":
            return f"(L-BFGS converged after {net.n_iter_} {unit}s)"
        return (
            f"(converged after {net.n_iter_} {unit}s: the training loss improved "
            f"by less than tol={net.tol:g} for {net.n_iter_no_change} {unit}s)"
        )
    if len(curve) == 1:
        return f"(ran 1 {unit}: too few to tell whether the loss still falls)"
    recent = curve[-net.n_iter_no_change - 1 :]
    if recent[-1] < min(recent[:-1]):
        return (
            f"(ran all {net.max_iter} {unit}s; the loss was still decreasing: "
            "more --epochs may help)"
        )
    return f"(ran all {net.max_iter} {unit}s; the loss had stopped decreasing)"


def defaults_comparison(X_train, X_test, y_train, y_test, seed):
    """R² of both estimators with their defaults, in a StandardScaler pipeline."""
    scores = {}
    for estimator in (TwoLayerNetRegressor, MLPRegressor):
        pipe = make_pipeline(StandardScaler(), estimator(random_state=seed))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            scores[estimator.__name__] = pipe.fit(X_train, y_train).score(
                X_test, y_test
            )
    listed = ", ".join(f"{name} {score:.4f}" for name, score in scores.items())
    return f"test R² with the defaults, features standardized (target not): {listed}"


def attach_progress_bar(model):
    """Show scikit-learn's ProgressBar during fit, where rich and the API exist.

    On the outermost estimator that takes callbacks (a regression's pipeline
    inside its TransformedTargetRegressor, which takes none): scikit-learn
    refuses a propagating callback on a pipeline's step.
    """
    try:
        from sklearn.callback import ProgressBar

        holder = getattr(model, "regressor", model)
        holder.set_callbacks(ProgressBar())
    except ImportError as exc:
        print(
            f"(no progress bar: {exc} It needs scikit-learn >= 1.9 and rich: pip "
            "install 'skmlp_numpy[progress]')"
        )


def plot_loss_curve(net, path):
    """Save the loss curve of ``net`` as an image (--plot checked matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    from ._plot import LossCurveDisplay

    display = LossCurveDisplay.from_estimator(net)
    display.figure_.savefig(path, dpi=100)
    # matplotlib adds ".png" to a name without an extension.
    saved = path if Path(path).suffix else f"{path.rstrip('.')}.png"
    print(f"loss curve saved to {saved}")


if __name__ == "__main__":
    sys.exit(main())
