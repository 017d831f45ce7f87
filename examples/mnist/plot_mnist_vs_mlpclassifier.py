"""
Side by side with MLPClassifier
===============================

``TwoLayerNetClassifier(hidden_size=h)`` is ``MLPClassifier(hidden_layer_sizes=(h,))``
with the same parameters: with the same ``random_state`` the two start from the
same weights and follow the same loss curve, up to rounding (MNIST's pixels
are float32 here, which both train in, and the two sum in another order: the
right panel below shows how little that moves the loss). Ours is faster.
Both use one BLAS thread here, which is steadier for products this small.

The times below are one fit each, of 5 epochs, taken while the documentation
builds: they show the order of things, not a figure to quote, and move from
one build to the next. The figures to quote are the benchmark's on the
:doc:`/performance` page (``benchmarks/bench_training.py``: medians of
alternating rounds, with this network's Adam recipe trained for 10 epochs).
"""

# %%
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from skmlp_numpy import TwoLayerNetClassifier
from skmlp_numpy.datasets import load_mnist

X_train, X_test, y_train, y_test = load_mnist()
params = dict(solver="adam", batch_size=200, max_iter=5, random_state=0)
models = {
    "TwoLayerNetClassifier": TwoLayerNetClassifier(hidden_size=100, **params),
    "MLPClassifier": MLPClassifier(hidden_layer_sizes=(100,), **params),
}
seconds = {}
with threadpool_limits(limits=1), warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds[name] = time.perf_counter() - start
        accuracy = model.score(X_test, y_test)
        print(f"{name:22s} {seconds[name]:6.2f} s   test accuracy {accuracy:.4f}")
ratio = seconds["MLPClassifier"] / seconds["TwoLayerNetClassifier"]
print(f"TwoLayerNetClassifier is {ratio:.1f}x faster")

# %%
# The two curves lie on top of each other: MLPClassifier's is drawn wide and
# pale, ours thin and dashed over it, and the right panel shows how far apart
# they are.
epochs = np.arange(1, 6)
ours = np.asarray(models["TwoLayerNetClassifier"].loss_curve_)
theirs = np.asarray(models["MLPClassifier"].loss_curve_)
fig, (ax, diff_ax) = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained")
ax.plot(
    epochs,
    theirs,
    "o-",
    color="tab:orange",
    linewidth=6,
    markersize=12,
    alpha=0.4,
    label="MLPClassifier",
)
ax.plot(
    epochs, ours, "x--", color="tab:blue", markersize=8, label="TwoLayerNetClassifier"
)
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.set_xticks(epochs)
ax.legend()
diff_ax.plot(epochs, ours - theirs, "x-", color="tab:blue")
diff_ax.axhline(0, color="gray", linewidth=0.8)
diff_ax.set_xlabel("epoch")
diff_ax.set_ylabel("difference of the training losses")
diff_ax.set_xticks(epochs)
diff_ax.set_title("TwoLayerNetClassifier − MLPClassifier")
plt.show()
print(f"largest difference: {np.abs(ours - theirs).max():.1e}")
