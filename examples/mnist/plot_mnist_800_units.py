"""
800 hidden units on MNIST: beyond the classic two-layer result
==============================================================

Simard et al. (2003) report 1.6% test error for a 784-800-10 network trained
on the cross-entropy. With dropout on the hidden layer and a step schedule for
Adam, the same shape does better. The schedule is a sequence of warm
starts: each lowers ``learning_rate_init``, and because ``warm_start`` keeps
Adam's moments, training simply goes on at the new rate.

The accuracy and time printed below are this build's run (with the machine's
default BLAS threads, so the last digit can move between machines); it takes
over three minutes on 2 cores, with no output until it ends.
``benchmarks/bench_mnist_record.py`` runs the same recipe as a benchmark.
"""

# %%
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skmlp_numpy import LossCurveDisplay, TwoLayerNetClassifier
from skmlp_numpy.datasets import load_mnist

X_train, X_test, y_train, y_test = load_mnist()  # the file named by SKMLP_MNIST
clf = TwoLayerNetClassifier(
    hidden_size=800,
    solver="adam",
    batch_size=100,
    dropout=0.5,
    n_iter_no_change=np.inf,  # run every epoch of each stage
    warm_start=True,
    random_state=0,
)

# %%
# Train: 20 epochs at 1e-3, then 10 at 3e-4, then 10 at 1e-4
# -----------------------------------------------------------
warnings.simplefilter("ignore", ConvergenceWarning)  # each stage runs max_iter epochs
start = time.perf_counter()
for learning_rate, epochs in [(1e-3, 20), (3e-4, 10), (1e-4, 10)]:
    clf.set_params(learning_rate_init=learning_rate, max_iter=epochs).fit(
        X_train, y_train
    )
    accuracy = clf.score(X_test, y_test)
    print(f"{len(clf.loss_curve_)} epochs: test accuracy {accuracy:.4f}")
print(f"trained in {time.perf_counter() - start:.0f} s")
print(f"test error: {100 * (1 - clf.score(X_test, y_test)):.2f}%")

# %%
# On a log scale, where the schedule shows: the loss drops where the learning
# rate does, at epoch 21 (and less so at 31).
display = LossCurveDisplay.from_estimator(clf)
display.ax_.set_yscale("log")
