"""Training in chunks: the time of a call, early and late in a long run of them.

The FAQ's recipe for training in chunks calls ``fit`` again and again with
``warm_start=True, max_iter=1`` (an epoch a call), or ``partial_fit`` on one
chunk after another. Each call should cost the same however many came
before it. This script times every call of 600 warm fits on the whole of
digits (1,797 rows) and of 10,000 ``partial_fit`` calls on chunks of 200 of
its rows, for TwoLayerNetClassifier and MLPClassifier alike (hidden 32,
Adam, batches of 200), and prints the time of a call at the 10th and at the
last call, in milliseconds: the fastest of the ten calls that end there (the
least disturbed by other work on the machine), with the ratio MLPClassifier /
ours (above 1: ours is faster). Contenders alternate over several rounds;
the medians of the rounds are printed. One BLAS thread.

Run from the project's root (about 3 minutes on 2 cores)::

    python benchmarks/bench_warm_start.py
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from skmlp_numpy import TwoLayerNetClassifier

PARAMS = dict(solver="adam", batch_size=200, random_state=0)
CHUNK = 200
CLASSES = np.arange(10)


def _contenders():
    return {
        "ours": lambda: TwoLayerNetClassifier(hidden_size=32, **PARAMS),
        "MLPClassifier": lambda: MLPClassifier(hidden_layer_sizes=(32,), **PARAMS),
    }


def _times(model, way, n_calls, X, y):
    """The seconds of each of ``n_calls`` calls, in order."""
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if way == "warm fit":
            model.set_params(warm_start=True, max_iter=1)
        for i in range(n_calls):
            if way == "warm fit":
                start = time.perf_counter()
                model.fit(X, y)
            else:
                rows = slice((i * CHUNK) % (len(y) - CHUNK), None)
                X_chunk, y_chunk = X[rows][:CHUNK], y[rows][:CHUNK]
                start = time.perf_counter()
                model.partial_fit(X_chunk, y_chunk, classes=CLASSES)
            times.append(time.perf_counter() - start)
    return times


def run(rounds):
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    print(f"{'call':34s} {'ours ms':>10s} {'MLP ms':>10s} {'MLP / ours':>10s}")
    for way, n_calls in [("warm fit", 600), ("partial_fit", 10_000)]:
        contenders = _contenders()
        # {name: {call number: [median per round]}}
        medians = {name: {10: [], n_calls: []} for name in contenders}
        for round_ in range(rounds):
            order = list(contenders) if round_ % 2 == 0 else list(contenders)[::-1]
            for name in order:
                times = _times(contenders[name](), way, n_calls, X, y)
                for call in (10, n_calls):
                    medians[name][call].append(min(times[call - 10 : call]))
        for call in (10, n_calls):
            ours, mlp = (
                1e3 * statistics.median(medians[name][call]) for name in contenders
            )
            label = f"{way}, call {call}"
            print(f"{label:34s} {ours:10.3f} {mlp:10.3f} {mlp / ours:10.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(
        "digits, hidden 32, adam, batches of 200; ms per call, the fastest of "
        f"the 10 calls ending at each call number, medians of {args.rounds} "
        "alternating rounds"
    )
    print("\n-- one BLAS thread --")
    with threadpool_limits(limits=1, user_api="blas"):
        run(args.rounds)


if __name__ == "__main__":
    main()
