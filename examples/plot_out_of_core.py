"""
Out-of-core training with dask-ml
=================================

:class:`dask_ml.wrappers.Incremental` feeds the blocks of a Dask array to
``partial_fit`` one at a time, so the data never has to fit in memory. Each
``partial_fit`` call is one pass over a block; looping over the array gives
epochs. With blocks that are multiples of the batch size and no shuffling,
the stream takes exactly the steps of an in-memory fit.
"""

# %%
import warnings

import dask.array as da
import numpy as np
from dask_ml.wrappers import Incremental
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skmlp_numpy import TwoLayerNetClassifier

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# Stand-ins for arrays too large for memory: 14 blocks of 100 rows.
X_blocks = da.from_array(X_train, chunks=(100, X.shape[1]))
y_blocks = da.from_array(y_train, chunks=100)
params = dict(hidden_size=32, batch_size=50, shuffle=False, random_state=0)

# %%
# Stream the blocks, epoch after epoch
# ------------------------------------
model = Incremental(TwoLayerNetClassifier(**params), shuffle_blocks=False)
for _epoch in range(20):
    model.partial_fit(X_blocks, y_blocks, classes=np.arange(10))
print(f"streamed:  test accuracy {model.estimator_.score(X_test, y_test):.4f}")

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    in_memory = TwoLayerNetClassifier(max_iter=20, **params).fit(X_train, y_train)
print(f"in memory: test accuracy {in_memory.score(X_test, y_test):.4f}")
