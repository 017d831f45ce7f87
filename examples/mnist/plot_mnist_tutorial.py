"""
The tutorial's recipe on MNIST
==============================

The network this project started from: 784 inputs, 50 hidden units, 10
outputs, plain SGD at a learning rate of 0.1 (no momentum: ``momentum=0.0``,
where the default is 0.9) on batches of 100, for 10,000 iterations (17
epochs), no penalty (``alpha=0.0``). It reaches a test accuracy above 0.97.
``python -m skmlp_numpy --data mnist`` trains the same model and prints this
constructor call.

The accuracy and time printed below are this docs build's, with the machine's
default BLAS threads, which sum in another order than one thread does: the
figures to quote are the Results table's on the :doc:`/performance` page
(one BLAS thread, 5 rounds), where the last digit of the accuracy can differ.
"""

# %%
import time
import warnings

from sklearn.exceptions import ConvergenceWarning

from skmlp_numpy import LossCurveDisplay, TwoLayerNetClassifier
from skmlp_numpy.datasets import load_mnist

X_train, X_test, y_train, y_test = load_mnist()  # the file named by SKMLP_MNIST
clf = TwoLayerNetClassifier(
    hidden_size=50,
    solver="sgd",
    learning_rate_init=0.1,
    batch_size=100,
    momentum=0.0,
    alpha=0.0,
    max_iter=17,
    random_state=0,
)
start = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of epochs
    clf.fit(X_train, y_train)
print(f"fit in {time.perf_counter() - start:.1f} s")
print(f"test accuracy: {clf.score(X_test, y_test):.4f}")

# %%
display = LossCurveDisplay.from_estimator(clf)
