"""The batch-gathering thread under a parallel search: on, off, and as decided.

``GridSearchCV(n_jobs=k)`` runs its fits in joblib's worker processes, which
together use every core; a thread that gathers batches ahead in each of them
would add threads beyond the cores. ``spare_core`` says whether a core is
left: this script prints what it decides in joblib's workers, then times the
same search with the thread forced on, forced off, and as decided ("auto"),
in alternating rounds. For reference, it also times one fit in this process
at one BLAS thread, where a core is spare, on and off.

The data are scikit-learn's digits (1,797 rows of 64 pixels); batches of 512
rows, so that a batch is large enough for the thread (``_Batches``'
``PREFETCH_MIN_VALUES``).

Run from the project's root::

    python benchmarks/bench_threads.py [--rounds 5] [--n-jobs 2]
"""

import argparse
import statistics
import time
import warnings
from unittest import mock

from joblib import Parallel, delayed
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_info, threadpool_limits

from skmlp_numpy import TwoLayerNetClassifier
from skmlp_numpy._batches import spare_core


class Forced(TwoLayerNetClassifier):
    """The classifier with the gathering thread forced on or off (``GATHER``).

    Defined in ``__main__``: joblib's workers receive the class itself
    (cloudpickle), and patch the decision in their own process. "auto" goes
    through a subclass too, so that all three pay the same for it.
    """

    GATHER = None

    def fit(self, X, y, **kwargs):
        if self.GATHER is None:
            return super().fit(X, y, **kwargs)
        gather = self.GATHER
        with mock.patch("skmlp_numpy._base.spare_core", lambda: gather):
            return super().fit(X, y, **kwargs)


class Auto(Forced):
    """As decided by ``spare_core``, through the same subclass as the others."""


class On(Forced):
    GATHER = True


class Off(Forced):
    GATHER = False


def in_worker():
    """What a worker sees: spare_core's answer, BLAS threads, OMP_NUM_THREADS."""
    import os

    blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    return spare_core(), blas, os.environ.get("OMP_NUM_THREADS")


def search(estimator_class, X, y, n_jobs):
    params = dict(hidden_size=64, batch_size=512, max_iter=40, random_state=0)
    grid = {"alpha": [1e-5, 1e-4, 1e-3, 1e-2], "learning_rate_init": [1e-3, 3e-3]}
    start = time.perf_counter()
    GridSearchCV(estimator_class(**params), grid, cv=3, n_jobs=n_jobs).fit(X, y)
    return time.perf_counter() - start


def single_fit(estimator_class, X, y):
    clf = estimator_class(hidden_size=64, batch_size=512, max_iter=200, random_state=0)
    start = time.perf_counter()
    clf.fit(X, y)
    return time.perf_counter() - start


def report(title, times):
    print(title)
    auto = statistics.median(times["auto"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:5s} {median:7.2f} s   (auto / this: {median / auto:.2f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = X / 16.0

    seen = Parallel(n_jobs=args.n_jobs)(delayed(in_worker)() for _ in range(4))
    print(f"in joblib's workers (n_jobs={args.n_jobs}): spare_core, BLAS threads, ")
    print(f"OMP_NUM_THREADS = {sorted(set(map(str, seen)))}")
    print(f"in this process: spare_core() = {spare_core()}")

    contenders = {"auto": Auto, "on": On, "off": Off}
    times = {name: [] for name in contenders}
    for round_ in range(args.rounds):
        names = list(contenders) if round_ % 2 == 0 else list(contenders)[::-1]
        for name in names:
            times[name].append(search(contenders[name], X, y, args.n_jobs))
    report(
        f"\nGridSearchCV(n_jobs={args.n_jobs}), 8 candidates x 3 folds, "
        f"medians of {args.rounds} rounds:",
        times,
    )

    times = {name: [] for name in contenders}
    with threadpool_limits(limits=1, user_api="blas"):
        print(f"\none BLAS thread in this process: spare_core() = {spare_core()}")
        for round_ in range(args.rounds):
            names = list(contenders) if round_ % 2 == 0 else list(contenders)[::-1]
            for name in names:
                times[name].append(single_fit(contenders[name], X, y))
    report(f"one fit, 200 epochs, medians of {args.rounds} rounds:", times)


if __name__ == "__main__":
    main()
