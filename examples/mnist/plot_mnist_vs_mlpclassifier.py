"""
Side by side with MLPClassifier
===============================

``TwoLayerNetClassifier(hidden_size=h)`` is ``MLPClassifier(hidden_layer_sizes=(h,))``
with the same parameters: with the same ``random_state`` the two start from the
same weights and follow the same loss curve. Ours is faster. Both use one BLAS
thread here, which is steadier for products this small.

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
fig, ax = plt.subplots()
for name, model in models.items():
    ax.plot(
        range(1, 6),
        model.loss_curve_,
        "o-" if name == "MLPClassifier" else "x--",
        label=name,
    )
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.legend()
