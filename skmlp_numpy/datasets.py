"""Data sets for the examples, the benchmarks and the main job."""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

__all__ = ["load_mnist"]

_MNIST_KEYS = ("X_train", "y_train", "X_test", "y_test")


def load_mnist(
    path: str | os.PathLike | None = None,
    *,
    dtype: DTypeLike = np.float32,
    scale: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load MNIST: 60,000 training and 10,000 test images of handwritten digits.

    The data are looked for, in this order: at ``path``; at the path in the
    ``SKMLP_MNIST`` environment variable; on OpenML (``mnist_784``, through
    :func:`sklearn.datasets.fetch_openml`, which needs a network and caches
    the download), split into the standard first 60,000 and last 10,000 rows.

    Parameters
    ----------
    path : str or path-like, default=None
        An ``.npz`` file with the arrays ``X_train`` (60000, 784), ``y_train``
        (60000,), ``X_test`` (10000, 784) and ``y_test`` (10000,), pixels as
        uint8 in 0-255.
    dtype : dtype, default=np.float32
        dtype of the returned images.
    scale : bool, default=True
        Divide the pixels by 255, into [0, 1].

    Returns
    -------
    X_train : ndarray of shape (60000, 784)
    X_test : ndarray of shape (10000, 784)
    y_train : ndarray of shape (60000,)
        Integer labels 0-9.
    y_test : ndarray of shape (10000,)

    Raises
    ------
    FileNotFoundError
        If ``path`` (or ``SKMLP_MNIST``) names no file, or neither is given
        and OpenML cannot be reached.
    ValueError
        If the file lacks one of the four arrays.
    """
    # An empty SKMLP_MNIST counts as unset, as shells make it easy to leave one.
    path = path if path is not None else os.environ.get("SKMLP_MNIST") or None
    if path is not None:
        arrays = _read_npz(Path(path))
    else:
        arrays = _fetch_openml()
    X_train, y_train, X_test, y_test = arrays
    X_train = X_train.astype(dtype)
    X_test = X_test.astype(dtype)
    if scale:
        X_train /= 255
        X_test /= 255
    return X_train, X_test, y_train.astype(np.int64), y_test.astype(np.int64)


def _read_npz(path):
    if not path.is_file():
        raise FileNotFoundError(
            f"No MNIST file at {str(path)!r}. Pass the path of an .npz file with "
            f"the arrays {', '.join(_MNIST_KEYS)}, or set SKMLP_MNIST to it."
        )
    # Truncated, empty, or with a damaged member (a bad CRC, say).
    damaged = (OSError, EOFError, zipfile.BadZipFile, zlib.error)
    try:
        data = np.load(path)
    except damaged as error:
        raise _unreadable(path, error) from None
    except ValueError:
        # Not NumPy's at all: NumPy's own advice, to load it with pickle, is
        # not for a data file.
        raise ValueError(
            f"The MNIST file {str(path)!r} is not a NumPy .npz file."
        ) from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(
            f"The MNIST file {str(path)!r} holds one array, not an .npz file of "
            f"the arrays {', '.join(_MNIST_KEYS)}."
        )
    with data:
        missing = [key for key in _MNIST_KEYS if key not in data.files]
        if missing:
            raise ValueError(
                f"The MNIST file {str(path)!r} lacks the arrays {missing}; it "
                f"must hold {', '.join(_MNIST_KEYS)}."
            )
        try:
            arrays = [data[key] for key in _MNIST_KEYS]
        except (*damaged, ValueError) as error:
            raise _unreadable(path, error) from None
    checked = []
    for key, array in zip(_MNIST_KEYS, arrays, strict=True):
        labels = key.startswith("y")
        if labels and array.ndim == 2 and array.shape[1] == 1:
            array = array.ravel()  # labels as a column are labels
        # Images as rows of 784 pixels (not Keras's 28 x 28), labels 1-D.
        expected = 1 if labels else 2
        if array.ndim != expected:
            raise ValueError(
                f"The MNIST file's {key} has shape {array.shape}; it must be "
                f"{expected}-D, an image a row of 784 pixels and a label a value."
            )
        checked.append(array)
    return tuple(checked)


def _unreadable(path, error):
    """The error of an MNIST file that is no readable .npz archive."""
    return ValueError(
        f"The MNIST file {str(path)!r} is not a readable .npz file ({error})."
    )


def _fetch_openml():
    from sklearn.datasets import fetch_openml

    try:
        X, y = fetch_openml(
            "mnist_784", version=1, return_X_y=True, as_frame=False, parser="liac-arff"
        )
    except OSError as exc:
        raise FileNotFoundError(
            "MNIST could not be downloaded from OpenML (no network?). Pass the "
            "path of a local mnist.npz file, or set the SKMLP_MNIST environment "
            "variable to it."
        ) from exc
    y = y.astype(np.int64)
    return X[:60000], y[:60000], X[60000:], y[60000:]
