"""Shared fixtures: small data sets, and the MNIST file when it is there."""

import os
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

_SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist.npz"


@pytest.fixture(scope="session")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


@pytest.fixture(scope="session")
def mnist_path():
    """Path of the MNIST file: $SKMLP_MNIST, else ../shared/data/mnist.npz."""
    path = Path(os.environ.get("SKMLP_MNIST", _SHARED_MNIST))
    if not path.is_file():
        pytest.skip(
            f"MNIST file not found at {path}: set SKMLP_MNIST to an mnist.npz to run "
            "this test"
        )
    return path


@pytest.fixture
def blobs():
    rng = np.random.RandomState(0)
    centers = rng.normal(scale=3, size=(3, 4))
    y = np.repeat([0, 1, 2], 40)
    X = centers[y] + rng.normal(size=(120, 4))
    return X, y


@pytest.fixture
def quiet():
    """Silence ConvergenceWarning: these tests train for a few epochs on purpose."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield
