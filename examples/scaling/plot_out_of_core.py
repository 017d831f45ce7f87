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
import matplotlib.pyplot as plt
import numpy as np
from dask_ml.wrappers import Incremental
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skmlp_numpy import TwoLayerNetClassifier

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# Stand-ins for arrays too large for memory: 14 blocks of 100 rows, the last 47.
X_blocks = da.from_array(X_train, chunks=(100, X.shape[1]))
y_blocks = da.from_array(y_train, chunks=100)
params = dict(hidden_size=32, batch_size=50, shuffle=False, random_state=0)

# %%
# Stream the blocks, epoch after epoch
# ------------------------------------
model = Incremental(TwoLayerNetClassifier(**params), shuffle_blocks=False)
with warnings.catch_warnings():
    # The last block has 47 rows: its one batch is smaller than batch_size, as
    # the in-memory fit's last batch is, and each epoch would say so.
    warnings.filterwarnings("ignore", message="batch_size=50 is larger")
    for _epoch in range(20):
        model.partial_fit(X_blocks, y_blocks, classes=np.arange(10))
print(f"streamed:  test accuracy {model.estimator_.score(X_test, y_test):.4f}")

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    in_memory = TwoLayerNetClassifier(max_iter=20, **params).fit(X_train, y_train)
print(f"in memory: test accuracy {in_memory.score(X_test, y_test):.4f}")

# %%
# The loss, block by block
# ------------------------
# Each ``partial_fit`` call on a block records that block's loss, so the curve
# has one point per block; averaged by pass, it follows the in-memory fit's.

n_blocks = X_blocks.numblocks[0]
per_block = np.asarray(model.estimator_.loss_curve_)
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
ax.plot(
    np.arange(1, len(per_block) + 1) / n_blocks,
    per_block,
    alpha=0.4,
    label="each block",
)
# An epoch's loss is the mean over its pass: drawn at the middle of the pass.
ax.plot(
    np.arange(1, 21) - 0.5,
    in_memory.loss_curve_,
    marker="o",
    label="in memory, mean of each epoch",
)
ax.set_xlabel("pass over the data (epoch)")
ax.set_ylabel("training loss")
ax.legend()
ax.set_title("Out-of-core training with dask-ml's Incremental")
plt.show()
