"""Serving latency: predict_proba on 1, 100 and 10,000 rows, against MLPClassifier.

A model is served as it is shipped: trained, pickled, loaded, then asked for
the probabilities of a few rows at a time. Both estimators are trained on
the same float64 data with the same network and random_state, reloaded from
pickle, and timed on the same rows in alternating rounds; the script prints
median microseconds per call and MLPClassifier / ours (above 1: ours is
faster), and checks that the probabilities agree. No network access, no
MNIST: the data are random, only the shapes matter.

Run from the project's root (about a minute on 2 cores)::

    python benchmarks/bench_predict_latency.py

``--threads 1`` or ``--threads default`` limits the BLAS thread counts (both
by default).
"""

import argparse
import pickle
import statistics
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from skmlp_numpy import TwoLayerNetClassifier

# name: (n_features, hidden units, n_classes)
SHAPES = {
    "digits-like 64-100-10": (64, 100, 10),
    "MNIST-like 784-100-10": (784, 100, 10),
}
ROWS = (1, 100, 10_000)


def _served(n_features, hidden, n_classes):
    """Both models, trained on the same data, as loaded from pickles."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(2_000, n_features))
    y = rng.randint(0, n_classes, size=2_000)
    params = dict(max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = TwoLayerNetClassifier(hidden_size=hidden, **params).fit(X, y)
        mlp = MLPClassifier(hidden_layer_sizes=(hidden,), **params).fit(X, y)
    return {
        "ours": pickle.loads(pickle.dumps(ours)),
        "MLPClassifier": pickle.loads(pickle.dumps(mlp)),
    }


def _microseconds(model, X, calls):
    start = time.perf_counter()
    for _ in range(calls):
        model.predict_proba(X)
    return (time.perf_counter() - start) / calls * 1e6


def run(rounds):
    header = ["rows", "ours µs", "MLP µs", "MLP / ours"]
    print(f"{'model':24s} {header[0]:>6s} " + " ".join(f"{h:>10s}" for h in header[1:]))
    for name, shape in SHAPES.items():
        models = _served(*shape)
        rng = np.random.RandomState(1)
        for n_rows in ROWS:
            X = rng.normal(size=(n_rows, shape[0]))
            np.testing.assert_allclose(
                models["ours"].predict_proba(X),
                models["MLPClassifier"].predict_proba(X),
                rtol=1e-6,
                atol=1e-9,
            )
            calls = max(3, 20_000 // n_rows)
            times = {key: [] for key in models}
            for round_ in range(rounds):
                keys = list(models) if round_ % 2 == 0 else list(models)[::-1]
                for key in keys:
                    times[key].append(_microseconds(models[key], X, calls))
            ours, mlp = (statistics.median(times[key]) for key in models)
            print(f"{name:24s} {n_rows:6d} {ours:10.1f} {mlp:10.1f} {mlp / ours:10.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", choices=["1", "default", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(
        f"predict_proba on float64 rows, medians of {args.rounds} alternating rounds; "
        "probabilities checked equal"
    )
    if args.threads in ("1", "both"):
        print("\n-- one BLAS thread --")
        with threadpool_limits(limits=1, user_api="blas"):
            run(args.rounds)
    if args.threads in ("default", "both"):
        print("\n-- default BLAS threads --")
        run(args.rounds)


if __name__ == "__main__":
    main()
