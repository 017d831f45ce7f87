"""BLAS threads on a quiet and on a busy machine: the work-based thread policy.

Times training (seconds per epoch) of small and large networks with:

* ``ours, default``: skmlp_numpy with the policy off (BLAS's default threads),
* ``ours, 1 thread``: skmlp_numpy inside ``threadpool_limits(1, "blas")``,
* ``ours, policy``: skmlp_numpy as shipped (one thread below the threshold),
* ``MLPClassifier``: scikit-learn's, default threads,

and, for the cases whose batches are large enough for the batch-gathering
thread, the policy with that thread as ``spare_core()`` decides and forced on,

each the best of alternating rounds, first with no load of its own (a
shared machine's other jobs, if any, still run), then with one core kept
busy by another process (``python -c "while True: pass"``, stopped at the
end). The cases, by the work of one batch (rows x features x hidden units):
a digits fit with 50 hidden units, the main job's fit (``python -m
skmlp_numpy``: digits, batches of 200 x 64 x 100), a tabular fit
(``make_tabular_pipeline`` against MLP*, MLPClassifier behind the usual
ColumnTransformer, on the 5,000-row, 30-column mixed table of
``bench_tabular.py --scale``), MNIST-sized batches (random data, 200 x 784 x
100, 400 and 800 units, and 500 x 784 x 800) and a large batch (2000 x 784 x
800). The
documentation draws the ratios against the work.

Run from the project's root::

    python benchmarks/bench_busy.py [--repeats 3]
"""

import argparse
import contextlib
import subprocess
import sys
import time
import warnings
from unittest import mock

import numpy as np
from bench_tabular import mlp_star, synthetic_table
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_info, threadpool_limits

from skmlp_numpy import (
    TwoLayerNetClassifier,
    _batches,
    _threads,
    make_tabular_pipeline,
)


def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def random_data(n, d, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, 10, n)


def fit_time(make, X, y, epochs):
    model = make(epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
    return (time.perf_counter() - start) / epochs


def ours(hidden, batch):
    return lambda epochs: TwoLayerNetClassifier(
        hidden_size=hidden,
        batch_size=batch,
        max_iter=epochs,
        tol=0,
        n_iter_no_change=10**6,
        random_state=0,
    )


def sklearn(hidden, batch):
    return lambda epochs: MLPClassifier(
        hidden_layer_sizes=(hidden,),
        batch_size=batch,
        max_iter=epochs,
        tol=0,
        n_iter_no_change=10**6,
        random_state=0,
    )


def tabular():
    X, y = synthetic_table(5000)
    return X, y


def recipe(epochs):
    """make_tabular_pipeline as shipped, every epoch run."""
    return make_tabular_pipeline(
        "classification", max_iter=epochs, n_iter_no_change=10**6, random_state=0
    )


def mlp_star_for(epochs):
    """MLPClassifier behind the usual preprocessing, every epoch run."""
    return mlp_star("classification", 0).set_params(
        mlp__max_iter=epochs, mlp__tol=0, mlp__n_iter_no_change=10**6
    )


# name, data, ours, MLPClassifier's, epochs timed
CASES = [
    ("digits 200 x 64 x 50", digits, ours(50, 200), sklearn(50, 200), 30),
    ("main job (digits 200 x 64 x 100)", digits, ours(100, 200), sklearn(100, 200), 30),
    ("tabular recipe vs MLP* (5000 x 30)", tabular, recipe, mlp_star_for, 4),
    (
        "MNIST-sized 200 x 784 x 100",
        lambda: random_data(4000, 784),
        ours(100, 200),
        sklearn(100, 200),
        4,
    ),
    (
        "MNIST-sized 200 x 784 x 400",
        lambda: random_data(4000, 784),
        ours(400, 200),
        sklearn(400, 200),
        2,
    ),
    (
        "MNIST-sized 200 x 784 x 800",
        lambda: random_data(3000, 784),
        ours(800, 200),
        sklearn(800, 200),
        1,
    ),
    (
        "MNIST-sized 500 x 784 x 800",
        lambda: random_data(4000, 784),
        ours(800, 500),
        sklearn(800, 500),
        1,
    ),
    (
        "large 2000 x 784 x 800",
        lambda: random_data(6000, 784),
        ours(800, 2000),
        sklearn(800, 2000),
        2,
    ),
]


def work(model):
    """Rows x features x hidden units of one training batch of a fitted net.

    Every case has more than 200 training rows, so "auto" means 200; the
    hidden units are all the members', as the thread policy counts them.
    """
    net = model[-1] if isinstance(model, Pipeline) else model
    rows = 200 if net.batch_size == "auto" else net.batch_size
    return rows * net.n_features_in_ * net.hidden_size * net.n_members


def measure(repeats):
    """Best seconds per epoch of each variant, in alternating rounds."""
    rows = []
    for name, load, make_ours, make_peer, epochs in CASES:
        X, y = load()
        variants = {
            "default": (make_ours, "default"),
            "one": (make_ours, "one"),
            "policy": (make_ours, "policy"),
            "mlp": (make_peer, "policy"),
        }
        best = dict.fromkeys(variants, np.inf)
        # A warm-up fit, which also gives the work of a batch.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warm = make_ours(1).fit(X, y)
        for _ in range(repeats):
            for key, (make, threads) in variants.items():
                with thread_setting(threads):
                    best[key] = min(best[key], fit_time(make, X, y, epochs))
        rows.append((name, work(warm), *best.values()))
    return rows


# The cases whose batches are large enough for the gathering thread.
GATHERING = ("tabular", "MNIST-sized 200 x 784 x 100")


def measure_gathering(repeats):
    """Seconds per epoch under the policy, gathering thread as decided or on.

    ``spare_core()`` reads the caller's BLAS threads: with BLAS's default
    threads on every core it says no core is spare, even where the policy
    then runs the products on one thread (on a busy machine the other core
    is the taken one). "on" forces the thread, to judge that rule.
    """
    rows = []
    for name, load, make_ours, _, epochs in CASES:
        if not name.startswith(GATHERING):
            continue
        X, y = load()
        best = {"auto": np.inf, "on": np.inf}
        for _ in range(repeats):
            for key in best:
                setting = (
                    mock.patch("skmlp_numpy._base.spare_core", lambda: True)
                    if key == "on"
                    else contextlib.nullcontext()
                )
                with setting:
                    best[key] = min(best[key], fit_time(make_ours, X, y, epochs))
        rows.append((name, _batches.spare_core(), best["auto"], best["on"]))
    return rows


def report_gathering(title, rows):
    print(f"\n{title}: the gathering thread under the policy, seconds per epoch")
    print(
        f"{'case':36s} {'spare_core':>10s} {'as decided':>11s} {'on':>8s} {'on/as':>7s}"
    )
    for name, spare, auto, on in rows:
        print(f"{name:36s} {spare!s:>10s} {auto:11.4f} {on:8.4f} {on / auto:7.2f}")


def thread_setting(setting):
    """BLAS's threads for one timing: "default" (the policy off), "one", or
    the policy's choice (anything else)."""
    if setting == "default":
        return mock.patch.object(_threads, "WORK_THRESHOLD", 0)
    if setting == "one":
        return threadpool_limits(1, user_api="blas")
    return contextlib.nullcontext()


def predict_times(rows_per_call=(1, 100, 1000), calls=300, repeats=5):
    """Microseconds per predict_proba call of a digits network, by rows."""
    X, y = digits()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net = ours(100, 200)(5).fit(X, y)
    out = []
    for rows in rows_per_call:
        x = X[:rows]
        best = {"default": np.inf, "one": np.inf, "policy": np.inf}
        for _ in range(repeats):
            for key in best:
                with thread_setting(key):
                    start = time.perf_counter()
                    for _ in range(calls):
                        net.predict_proba(x)
                    spent = (time.perf_counter() - start) / calls * 1e6
                    best[key] = min(best[key], spent)
        out.append((rows, *best.values()))
    return out


def report_predict(title, rows):
    print(f"\n{title}: predict_proba of a digits net (64-100-10), us per call")
    print(
        f"{'rows':>6s} {'ours default':>13s} {'ours 1 thread':>14s} "
        f"{'ours policy':>12s}"
    )
    for n, default, one, policy in rows:
        print(f"{n:6d} {default:13.1f} {one:14.1f} {policy:12.1f}")


def report(title, rows):
    print(f"\n{title}: seconds per epoch (ratio to ours, 1 thread)")
    print(
        f"{'case':36s} {'work':>7s} {'ours default':>17s} {'ours 1 thread':>14s} "
        f"{'ours policy':>17s} {'MLPClassifier':>17s}"
    )
    for name, size, default, one, policy, mlp in rows:
        print(
            f"{name:36s} {size / 1e6:6.1f}M "
            f"{default:8.4f} ({default / one:5.2f}x) {one:8.4f} (1.00x) "
            f"{policy:8.4f} ({policy / one:5.2f}x) {mlp:8.4f} ({mlp / one:5.2f}x)"
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    print(
        f"BLAS: {blas[0]['internal_api']} {blas[0]['version']}, "
        f"{blas[0]['num_threads']} threads by default; policy threshold "
        f"{_threads.WORK_THRESHOLD:,} (rows x features x hidden)"
    )
    report("quiet", measure(args.repeats))
    report_gathering("quiet", measure_gathering(args.repeats))
    report_predict("quiet", predict_times())
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        title = "busy (one core kept busy by another process)"
        report(title, measure(args.repeats))
        report_gathering(title, measure_gathering(args.repeats))
        report_predict(title, predict_times())
    finally:
        busy.kill()
        busy.wait()


if __name__ == "__main__":
    main()
