"""A/B: this working tree against another commit of skmlp_numpy, in one run.

A refactor must not make a fit or a predict slower. This script takes the
package as it is at a git ref (default ``HEAD``), loads it beside the working
tree's under another name, and times both on the recipes of
``bench_training.py`` (MNIST when the file is there, else the same shapes on
random data) and ``bench_predict_latency.py``, in alternating rounds at one
BLAS thread. It prints median seconds and the ratio old / new (above 1: the
working tree is faster), and checks that both give the same loss curve.

Run from the project's root::

    python benchmarks/bench_ab.py --ref HEAD~3 --rounds 5
"""

import argparse
import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]


def load_old(ref):
    """The package at ``ref``, importable as ``skmlp_numpy_old``."""
    folder = Path(tempfile.mkdtemp()) / "skmlp_numpy_old"
    folder.mkdir()
    files = subprocess.run(
        ["git", "ls-tree", "--name-only", ref, "skmlp_numpy/"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in files:
        text = subprocess.run(
            ["git", "show", f"{ref}:{name}"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (folder / Path(name).name).write_text(text)
    sys.path.insert(0, str(folder.parent))
    return importlib.import_module("skmlp_numpy_old")


def data(mnist_path):
    """MNIST's shapes: the real file when it is there, else random rows."""
    path = mnist_path or os.environ.get("SKMLP_MNIST")
    if path and Path(path).is_file():
        from skmlp_numpy.datasets import load_mnist

        X, _, y, _ = load_mnist(path, dtype=np.float32)
        return X, y
    rng = np.random.RandomState(0)
    X = rng.rand(60_000, 784).astype(np.float32)
    return X, rng.randint(0, 10, 60_000)


RECIPES = {
    # name: (estimator, parameters, data, epochs)
    "tutorial sgd 784-50-10 b100 (float32)": (
        "classifier",
        dict(
            hidden_size=50,
            solver="sgd",
            learning_rate_init=0.1,
            batch_size=100,
            momentum=0.0,
            alpha=0.0,
        ),
        "mnist",
        3,
    ),
    "adam 784-100-10 b200 (float32)": (
        "classifier",
        dict(hidden_size=100, solver="adam", batch_size=200),
        "mnist",
        3,
    ),
    "adam early stopping 784-100-10 (float32)": (
        "classifier",
        dict(hidden_size=100, early_stopping=True, n_iter_no_change=100),
        "mnist",
        3,
    ),
    "adam digits 64-100-10 (float64)": (
        "classifier",
        dict(hidden_size=100),
        "digits",
        30,
    ),
    "lbfgs digits 64-100-10 (float64)": (
        "classifier",
        dict(hidden_size=100, solver="lbfgs"),
        "digits",
        30,
    ),
    "adam diabetes regressor (float64)": (
        "regressor",
        dict(hidden_size=100, learning_rate_init=0.01),
        "diabetes",
        50,
    ),
}


def datasets(mnist_path):
    """The recipes' data sets."""
    from sklearn.datasets import load_diabetes, load_digits
    from sklearn.preprocessing import scale

    X, y = load_digits(return_X_y=True)
    Xd, yd = load_diabetes(return_X_y=True)
    return {
        "mnist": data(mnist_path),
        "digits": (X / 16.0, y),
        "diabetes": (scale(Xd), (yd - yd.mean()) / yd.std()),
    }


def timed(package, kind, params, X, y, epochs):
    """Seconds for one fit, and its loss curve."""
    cls = (
        package.TwoLayerNetClassifier
        if kind == "classifier"
        else package.TwoLayerNetRegressor
    )
    model = cls(max_iter=epochs, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(X, y)
        return time.perf_counter() - start, model


def latency(model, X, rounds, calls):
    """Median microseconds per predict_proba call on ``X``."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            model.predict_proba(X)
        times.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="HEAD", help="git ref to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mnist-path", help="MNIST .npz (default: $SKMLP_MNIST)")
    args = parser.parse_args()
    import skmlp_numpy as new

    old = load_old(args.ref)
    sets = datasets(args.mnist_path)
    print(f"old = {args.ref}, new = working tree; one BLAS thread; medians")
    print(f"{'fit':44s} {'old s':>8s} {'new s':>8s} {'old/new':>8s}")
    with threadpool_limits(1):
        for name, (kind, params, which, epochs) in RECIPES.items():
            X, y = sets[which]
            times = {"old": [], "new": []}
            curves = {}
            for _ in range(args.rounds):
                for label, package in (("old", old), ("new", new)):
                    seconds, model = timed(package, kind, params, X, y, epochs)
                    times[label].append(seconds)
                    curves[label] = model.loss_curve_
            t_old, t_new = (statistics.median(times[k]) for k in ("old", "new"))
            same = np.allclose(curves["old"], curves["new"], rtol=1e-6)
            print(
                f"{name:44s} {t_old:8.3f} {t_new:8.3f} {t_old / t_new:8.2f}"
                + ("" if same else "  (loss curves differ)")
            )
        print(f"\n{'predict_proba':44s} {'old µs':>8s} {'new µs':>8s} {'old/new':>8s}")
        X, y = sets["digits"]
        models = {
            label: timed(package, "classifier", dict(hidden_size=100), X, y, 20)[1]
            for label, package in (("old", old), ("new", new))
        }
        for rows, calls in ((1, 2000), (100, 1000), (1797, 100)):
            Xr = np.ascontiguousarray(X[:rows])
            results = {"old": [], "new": []}
            for _ in range(args.rounds):
                for label in ("old", "new"):
                    results[label].append(latency(models[label], Xr, 1, calls))
            u_old, u_new = (statistics.median(results[k]) for k in ("old", "new"))
            print(
                f"{f'{rows} rows (64-100-10)':44s} {u_old:8.1f} {u_new:8.1f} "
                f"{u_old / u_new:8.2f}"
            )


if __name__ == "__main__":
    main()
