"""Sparse input: fit and predict_proba against MLPClassifier, time and memory.

Two workloads that arrive sparse:

- TF-IDF-like text features: a float64 CSR matrix of a few dozen nonzeros a
  row among tens of thousands of columns (2,000 x 40,000 at density 0.0005
  by default, 0.5 MB). Both estimators multiply the sparse rows as they are;
  both train in float64.
- Tabular data through a ``ColumnTransformer`` with a ``OneHotEncoder``,
  whose output is sparse float64: the pipeline most tabular models sit in.
  Ours trains with ``dtype=np.float32`` (each sparse batch's values cast as it
  is gathered), MLPClassifier in float64, the only choice it has here.

Each contender fits and predicts in alternating rounds at one BLAS thread
(threadpoolctl); the script prints median seconds and the peak memory that
tracemalloc counts in each call, measured in a separate run (tracing slows
allocation), each with the ratio MLPClassifier / ours: above 1, ours is
faster or holds less. Both start from the same weights (the same
``random_state`` draws the same Glorot initialization): the final training
losses are printed as a check that both did the same work.

Run from the project's root::

    python benchmarks/bench_sparse.py [--rounds 5] [--epochs 5]
"""

import argparse
import statistics
import time
import tracemalloc
import warnings

import numpy as np
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits

from skmlp_numpy import TwoLayerNetClassifier


def tfidf_like(n_rows, n_features, density, seed=0):
    """A CSR matrix of nonnegative, row-normalized weights, and 5 classes."""
    rng = np.random.RandomState(seed)
    per_row = max(int(round(density * n_features)), 1)
    columns = np.sort(rng.randint(0, n_features, size=(n_rows, per_row)), axis=1)
    values = rng.exponential(size=(n_rows, per_row))
    values /= np.linalg.norm(values, axis=1, keepdims=True)
    X = sparse.csr_matrix(
        (values.ravel(), columns.ravel(), np.arange(0, n_rows * per_row + 1, per_row)),
        shape=(n_rows, n_features),
    )
    # The class is carried by which block of "words" a row draws most from.
    y = (columns * 5 // n_features).mean(axis=1).round().astype(int)
    return X, y


def categorical(n_rows, n_columns, n_categories, seed=0):
    """Integer-coded categories, and a label that depends on three of them."""
    rng = np.random.RandomState(seed)
    X = rng.randint(0, n_categories, size=(n_rows, n_columns))
    y = ((X[:, 0] + X[:, 1]) % 3 + (X[:, 2] < n_categories // 2)).astype(int)
    return X, y


def one_hot(model):
    return make_pipeline(
        ColumnTransformer([("onehot", OneHotEncoder(), list(range(8)))]), model
    )


def contenders(workload, epochs):
    common = dict(hidden_size=100, max_iter=epochs, random_state=0)
    mlp = dict(hidden_layer_sizes=(100,), max_iter=epochs, random_state=0)
    if workload == "tfidf":
        return {
            "ours": lambda: TwoLayerNetClassifier(**common),
            "MLPClassifier": lambda: MLPClassifier(**mlp),
        }
    return {
        "ours": lambda: one_hot(TwoLayerNetClassifier(dtype=np.float32, **common)),
        "MLPClassifier": lambda: one_hot(MLPClassifier(**mlp)),
    }


def fit_predict(make, X, y):
    """Seconds of fit and of predict_proba (median of 25 calls), and the model.

    A predict_proba call takes about 10 ms: 25 of them make its median steady
    on a shared machine, where 5 moved it by 20% from one run to the next.
    """
    model = make()
    start = time.perf_counter()
    model.fit(X, y)
    fit_seconds = time.perf_counter() - start
    predict_seconds = []
    for _ in range(25):
        start = time.perf_counter()
        model.predict_proba(X)
        predict_seconds.append(time.perf_counter() - start)
    return fit_seconds, statistics.median(predict_seconds), model


def peaks(make, X, y):
    """Peak MB that tracemalloc counts in fit, and in predict_proba."""
    model = make()
    tracemalloc.start()
    model.fit(X, y)
    fit_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    tracemalloc.start()
    model.predict_proba(X)
    predict_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return fit_peak / 2**20, predict_peak / 2**20


def final_estimator(model):
    return model[-1] if hasattr(model, "steps") else model


def run(workload, X, y, args):
    """Rows of medians and peaks for one workload, and the final losses."""
    makers = contenders(workload, args.epochs)
    times = {who: ([], []) for who in makers}
    models = {}
    for round_ in range(args.rounds):
        order = list(makers) if round_ % 2 == 0 else list(makers)[::-1]
        for who in order:
            fit_s, predict_s, models[who] = fit_predict(makers[who], X, y)
            times[who][0].append(fit_s)
            times[who][1].append(predict_s)
    memory = {who: peaks(makers[who], X, y) for who in makers}
    rows = []
    for i, call in enumerate(["fit", "predict_proba"]):
        seconds = [statistics.median(times[who][i]) for who in makers]
        rows.append((f"{workload} {call}, s", *seconds))
    for i, call in enumerate(["fit", "predict_proba"]):
        rows.append((f"{workload} {call}, peak MB", *(memory[w][i] for w in makers)))
    losses = [final_estimator(models[who]).loss_curve_[-1] for who in makers]
    return rows, losses


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--features", type=int, default=40_000)
    parser.add_argument("--density", type=float, default=0.0005)
    parser.add_argument("--tabular-rows", type=int, default=20_000)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)

    X, y = tfidf_like(args.rows, args.features, args.density)
    X_bytes = (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 2**20
    X_tab, y_tab = categorical(args.tabular_rows, 8, 50)
    print(
        f"medians of {args.rounds} alternating rounds, {args.epochs} epochs of Adam, "
        "100 hidden units; peak memory as tracemalloc counts it, in a separate run"
    )
    print(
        f"tfidf: TF-IDF-like, {X.shape[0]:,} x {X.shape[1]:,} CSR float64, "
        f"{X.nnz:,} nonzeros ({X_bytes:.2f} MB); both train in float64"
    )
    print(
        f"onehot: {X_tab.shape[0]:,} rows x 8 columns of 50 categories, one-hot "
        "encoded by a ColumnTransformer into 400 sparse float64 columns; ours "
        "with dtype=float32, MLPClassifier in float64"
    )
    print("MLP / ours: above 1, ours is faster or holds less")
    print("\n-- one BLAS thread --")
    print(f"{'case':34s} {'ours':>10s} {'MLP':>10s} {'MLP / ours':>11s}")
    final = []
    with threadpool_limits(limits=1, user_api="blas"):
        for workload, data, target in [("tfidf", X, y), ("onehot", X_tab, y_tab)]:
            rows, losses = run(workload, data, target, args)
            for case, ours, mlp in rows:
                print(f"{case:34s} {ours:10.4f} {mlp:10.4f} {mlp / ours:11.2f}")
            final.append(f"{workload} {losses[0]:.6f} / {losses[1]:.6f}")
    # Both start from the same weights: equal losses say they did the same work.
    print("\nfinal training loss, ours / MLP: " + "; ".join(final))


if __name__ == "__main__":
    main()
