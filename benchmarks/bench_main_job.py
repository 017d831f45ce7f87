"""The main job's results: each recipe of ``python -m skmlp_numpy``, timed.

For every ``--data`` of the main job (digits, MNIST when its file is found,
diabetes), this fits the very model the job fits (the job's own
``load_data``, ``make_network`` and ``make_model``, seed 0) over several
rounds, and prints the constructor call of its network, its test score (the
same every round: the script checks it), the epochs it ran, and its fit time
as the median and the range of the rounds. The README's and the docs'
Results tables quote this output, committed as
``benchmarks/results-main-<machine>.txt``; ``tests/test_docs.py`` checks that
they agree.

Run from the project's root (about a minute on 2 cores)::

    python benchmarks/bench_main_job.py --mnist-path "$SKMLP_MNIST"

``--threads default`` leaves BLAS its default threads, as the main job does;
the default, ``--threads 1``, is much steadier on a busy machine (on 2 shared
cores, default threads measured 2 to 57 s for the same digits fit). The
machine's load average is printed, since a busy machine moves the times (not
the scores).
"""

import argparse
import os
import statistics
import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

from skmlp_numpy.__main__ import (
    PREPROCESSING,
    REGRESSION,
    build_parser,
    defaults_comparison,
    describe,
    load_data,
    make_model,
    make_network,
)


def run(data, rounds, mnist_path):
    """Fit ``data``'s recipe ``rounds`` times; print its score and fit times."""
    argv = ["--data", data] + (["--mnist-path", mnist_path] if mnist_path else [])
    args = build_parser().parse_args(argv)
    X_train, X_test, y_train, y_test, _ = load_data(args)
    seconds, scores = [], set()
    for _ in range(rounds):
        net = make_network(args)
        model = make_model(net, args)
        with warnings.catch_warnings():
            # A recipe that stops at max_iter (MNIST's 17 epochs) by design.
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds.append(time.perf_counter() - start)
        scores.add(model.score(X_test, y_test))
    if len(scores) != 1:
        raise AssertionError(f"{data}: the test score varies between rounds: {scores}")
    fitted = model.regressor_[-1] if data in REGRESSION else model
    unit = "iterations" if fitted.solver == "lbfgs" else "epochs"
    metric = "test R²" if data in REGRESSION else "test accuracy"
    print(f"\n{data}: {describe(net, data)} {PREPROCESSING[data]}")
    print(
        f"  {metric} {scores.pop():.4f}, {fitted.n_iter_} {unit}, fit time "
        f"{statistics.median(seconds):.2f} s (range {min(seconds):.2f}-"
        f"{max(seconds):.2f} s, {rounds} rounds)"
    )
    if data in REGRESSION:
        print("  " + defaults_comparison(X_train, X_test, y_train, y_test, args.seed))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-path", help="MNIST .npz (default: $SKMLP_MNIST)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--threads", choices=["1", "default"], default="1")
    args = parser.parse_args()
    mnist_path = args.mnist_path or os.environ.get("SKMLP_MNIST")
    limits = 1 if args.threads == "1" else None
    with threadpool_limits(limits=limits):
        threads = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
        print(
            f"python -m skmlp_numpy's recipes, seed 0, {args.rounds} rounds each; "
            f"{os.cpu_count()} cores, BLAS threads {threads}; load average "
            f"before the run {os.getloadavg()[0]:.1f}"
        )
        for data in ["digits", "mnist", "diabetes"]:
            if data == "mnist" and not mnist_path:
                print("\nmnist: left out (no --mnist-path or SKMLP_MNIST)")
                continue
            run(data, args.rounds, mnist_path)


if __name__ == "__main__":
    main()
