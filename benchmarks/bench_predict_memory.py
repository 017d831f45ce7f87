"""Memory of predict_proba on 2 million rows: chunked (ours) against MLPClassifier.

predict_proba pushes the rows through the network a chunk at a time, sized by
scikit-learn's ``working_memory`` setting, so its extra memory is the output
plus one chunk's activations, whatever the number of rows. MLPClassifier
computes the hidden activations of all rows at once: rows x hidden units.
Both models have the same weights here.

Run from the project's root (about a minute on 2 cores)::

    python benchmarks/bench_predict_memory.py [--rows 2000000] [--hidden 256]
"""

import argparse
import time
import tracemalloc
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from skmlp_numpy import TwoLayerNetClassifier


def measure(model, X):
    tracemalloc.start()
    start = time.perf_counter()
    proba = model.predict_proba(X)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # The output itself is needed by both; report what comes on top of it.
    return seconds, (peak - proba.nbytes) / 2**20, proba


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument(
        "--working-memory",
        type=float,
        default=[64, 1024],
        nargs="+",
        help="scikit-learn working_memory settings to try, in MB (default: 64 1024)",
    )
    args = parser.parse_args()

    rng = np.random.RandomState(0)
    X_small = rng.normal(size=(2000, args.features)).astype(np.float32)
    y_small = (X_small[:, :10]).argmax(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = TwoLayerNetClassifier(
            hidden_size=args.hidden, max_iter=5, random_state=0
        )
        ours.fit(X_small, y_small)
        mlp = MLPClassifier(
            hidden_layer_sizes=(args.hidden,), max_iter=5, random_state=0
        )
        mlp.fit(X_small, y_small)
    mlp.coefs_ = [c.copy() for c in ours.coefs_]
    mlp.intercepts_ = [b.copy() for b in ours.intercepts_]

    X = rng.normal(size=(args.rows, args.features)).astype(np.float32)
    print(
        f"predict_proba on {args.rows:,} rows x {args.features} features, "
        f"{args.hidden} hidden units, float32 (X itself: {X.nbytes / 2**20:,.0f} MB)"
    )
    activations = args.rows * args.hidden * 4 / 2**20
    print(f"all hidden activations at once would take {activations:,.0f} MB")
    seconds, extra, expected = measure(mlp, X)
    line = "  {:28s} {:6.2f} s   peak beyond the output: {:9,.1f} MB"
    print(line.format("MLPClassifier", seconds, extra))
    for working_memory in args.working_memory:
        with sklearn.config_context(working_memory=working_memory):
            seconds, extra, proba = measure(ours, X)
        name = f"skmlp_numpy ({working_memory:g} MB)"
        print(line.format(name, seconds, extra))
        diff = np.abs(proba - expected).max()
        print(f"  {'':28s} largest difference from MLPClassifier: {diff:.2e}")


if __name__ == "__main__":
    main()
