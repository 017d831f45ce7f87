"""Elementwise updates of the parameter vector, a block at a time.

NumPy evaluates ``dW += c * W`` whole: ``c * W`` is a new array as large as
``W``. On text features, with millions of weights, a fit holds a few copies
of the weights (the parameters, their gradient, Adam's two moments, the
committed copies), and each such temporary, or a scratch array the size of
the parameters, was one copy more. Worked through in blocks that write into
a scratch block of about :data:`BLOCK` values, an update holds that block
alone, and its several passes over each block run in the CPU's cache. The
results are the same bit for bit: every operation is elementwise.

NumPy only: the network's L2 penalty and the optimizers share it, and the
fit and the optimizers the check that an array of them is finite.
"""

import math

import numpy as np

__all__ = ["BLOCK", "all_finite", "in_blocks", "scratch"]

# About 0.5 MB of float64: small beside the weights that need blocks, large
# enough that NumPy's overhead per call stays small beside the work. Adam's
# step on 4 million float64 weights took 19 ms in blocks of this size, 27 ms
# on whole arrays; on 80,000 (MNIST's 784 x 100 network), 0.29 ms either way
# (one thread, this project's 2-core machine).
BLOCK = 1 << 16


def scratch(array):
    """A scratch block for :func:`in_blocks` over arrays shaped like ``array``.

    ``array`` has at least one dimension; blocks are runs of its rows (of its
    values, for a vector).
    """
    row = max(array[0].size, 1) if len(array) else 1
    rows = min(max(BLOCK // row, 1), len(array))
    return np.empty((rows, *array.shape[1:]), dtype=array.dtype)


def in_blocks(work, *arrays):
    """The same block of rows of each of ``arrays``, then a block of ``work``.

    ``arrays`` have one shape, ``work`` is their :func:`scratch`: the blocks
    are views, to update in place, and the block of ``work`` is as long as
    theirs.
    """
    rows = max(len(work), 1)
    for start in range(0, len(arrays[0]), rows):
        blocks = [array[start : start + rows] for array in arrays]
        yield *blocks, work[: len(blocks[0])]


def all_finite(array):
    """Whether every value of ``array`` is finite, without an array of flags.

    NaN and inf show in the extremes (min and max propagate NaN):
    ``np.isfinite`` would make an array of flags as long as the weights.
    """
    return bool(math.isfinite(array.min()) and math.isfinite(array.max()))
