"""One hidden layer on MNIST beyond the literature's two-layer numbers.

Simard et al. (2003) report 1.6% test error for a network with 800 hidden
units trained on the cross-entropy. This recipe trains the same shape,
784-800-10, with dropout on the hidden layer and Adam under a step schedule
(warm starts that lower the learning rate and keep Adam's moments), and
prints the test accuracy after each stage and the time on this machine.

Run from the project's root (a few minutes on 2 cores)::

    python benchmarks/bench_mnist_record.py --mnist-path ../shared/data/mnist.npz
"""

import argparse
import os
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skmlp_numpy import TwoLayerNetClassifier
from skmlp_numpy.datasets import load_mnist

# (learning rate, epochs) of each stage of the schedule.
SCHEDULE = [(1e-3, 20), (3e-4, 10), (1e-4, 10)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-path", help="MNIST .npz (default: $SKMLP_MNIST)")
    args = parser.parse_args()
    X_train, X_test, y_train, y_test = load_mnist(args.mnist_path)
    clf = TwoLayerNetClassifier(
        hidden_size=800,
        solver="adam",
        batch_size=100,
        dropout=0.5,
        alpha=1e-4,
        n_iter_no_change=np.inf,  # every epoch of the schedule runs
        warm_start=True,
        random_state=0,
    )
    print(f"784-800-10, dropout 0.5, Adam, batch 100, {os.cpu_count()} cores")
    # Each stage runs all its epochs by design: max_iter is reached every time.
    warnings.simplefilter("ignore", ConvergenceWarning)
    start = time.perf_counter()
    for learning_rate, epochs in SCHEDULE:
        clf.set_params(learning_rate_init=learning_rate, max_iter=epochs)
        clf.fit(X_train, y_train)
        print(
            f"  {len(clf.loss_curve_):3d} epochs (lr {learning_rate:g}): "
            f"test accuracy {clf.score(X_test, y_test):.4f}, "
            f"{time.perf_counter() - start:6.0f} s"
        )
    error = 1 - clf.score(X_test, y_test)
    print(f"test error {100 * error:.2f}% (Simard et al. 2003, 800 hidden units: 1.6%)")


if __name__ == "__main__":
    main()
