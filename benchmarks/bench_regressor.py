"""Regression speed: TwoLayerNetRegressor against MLPRegressor, per epoch.

Both estimators train the same network, with the same solver, batch size,
number of epochs and dtype, on the same float64 data in this one process:
Friedman's first function (20 features, 5 informative) and a multi-output
linear problem, as a StandardScaler pipeline hands them over. Contenders
alternate over several rounds and the medians are reported, with the ratio
MLPRegressor / ours (above 1: ours is faster). The two must also agree: the
script checks that their loss curves match to a relative 1e-6.

Run from the project's root (about 2 minutes on 2 cores)::

    python benchmarks/bench_regressor.py

``--threads 1`` or ``--threads default`` limits the BLAS thread counts (both
by default); ``--rounds`` sets the number of alternating rounds.
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import make_friedman1, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skmlp_numpy import TwoLayerNetRegressor

# name: (data, estimator parameters shared by both contenders)
CASES = {
    "friedman1 adam h100 b200": (
        "friedman1",
        dict(hidden_size=100, solver="adam", batch_size=200, max_iter=5),
    ),
    "friedman1 sgd h50 b32": (
        "friedman1",
        dict(hidden_size=50, solver="sgd", batch_size=32, max_iter=3),
    ),
    "3 outputs adam h100 b200": (
        "multi",
        dict(hidden_size=100, solver="adam", batch_size=200, max_iter=5),
    ),
    "friedman1 poisson adam h100 b200": (
        "counts",
        dict(hidden_size=100, solver="adam", batch_size=200, max_iter=5),
    ),
}


def _data(name, n_samples):
    rng = np.random.RandomState(0)
    if name == "multi":
        X, y = make_regression(
            n_samples=n_samples, n_features=30, n_targets=3, noise=1.0, random_state=0
        )
    else:
        X, y = make_friedman1(n_samples=n_samples, n_features=20, random_state=0)
    X = StandardScaler().fit_transform(X)  # float64, as a pipeline gives it
    if name == "counts":
        y = rng.poisson(np.exp(y / 10)).astype(np.float64)
    else:
        y = StandardScaler().fit_transform(y.reshape(len(y), -1)).squeeze()
    return X, y


def _contenders(params, loss):
    shared = {k: v for k, v in params.items() if k != "hidden_size"}
    shared.update(loss=loss, shuffle=True, random_state=0, tol=0.0)
    return {
        "ours": lambda: TwoLayerNetRegressor(
            hidden_size=params["hidden_size"], **shared
        ),
        "MLPRegressor": lambda: MLPRegressor(
            hidden_layer_sizes=(params["hidden_size"],), **shared
        ),
    }


def run(rounds, n_samples):
    print(
        f"{'case':34s} {'ours s/epoch':>13s} {'MLP s/epoch':>12s} {'MLP / ours':>10s}"
    )
    for case, (data, params) in CASES.items():
        X, y = _data(data, n_samples)
        loss = "poisson" if data == "counts" else "squared_error"
        contenders = _contenders(params, loss)
        times = {name: [] for name in contenders}
        curves = {}
        for round_ in range(rounds):
            order = list(contenders) if round_ % 2 == 0 else list(contenders)[::-1]
            for name in order:
                model = contenders[name]()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    start = time.perf_counter()
                    model.fit(X, y)
                    times[name].append((time.perf_counter() - start) / model.n_iter_)
                curves[name] = model.loss_curve_
        np.testing.assert_allclose(curves["ours"], curves["MLPRegressor"], rtol=1e-6)
        ours, mlp = (statistics.median(times[name]) for name in contenders)
        print(f"{case:34s} {ours:13.4f} {mlp:12.4f} {mlp / ours:10.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", choices=["1", "default", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=50_000)
    args = parser.parse_args()
    print(
        f"{args.samples} float64 rows, medians of {args.rounds} alternating rounds; "
        "loss curves checked equal to rel 1e-6"
    )
    if args.threads in ("1", "both"):
        print("\n-- one BLAS thread --")
        with threadpool_limits(limits=1, user_api="blas"):
            run(args.rounds, args.samples)
    if args.threads in ("default", "both"):
        print("\n-- default BLAS threads --")
        run(args.rounds, args.samples)


if __name__ == "__main__":
    main()
