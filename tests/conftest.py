"""Shared fixtures: small data sets, the MNIST file when it is there, and the
one place where tests reach the private seams of the batch-gathering thread."""

import contextlib
import os
import warnings
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skmlp_numpy._batches import _Batches

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


class GatherAhead:
    """Turn the batch-gathering thread on or off, or make its gather fail.

    The only private names of ``skmlp_numpy`` that tests use, kept here so that
    a refactor changes one place. No public seam can do this: the thread
    starts only for batches of ``_Batches.PREFETCH_MIN_VALUES`` values or more,
    and only when BLAS leaves a core free (``spare_core``, which ``_base``
    hands to ``_Batches``), while the tests need it on tiny data on any
    machine, and need an error raised inside it (``_Batches._gather`` runs in
    the thread when it is on).
    """

    #: The thread's name, as ``threading.enumerate()`` lists it.
    THREAD_NAME = "skmlp_numpy batch gather"

    @staticmethod
    @contextlib.contextmanager
    def forced(enabled=True):
        """Gather every shuffled batch on the thread (or none), however small."""
        threshold = 0 if enabled else _Batches.PREFETCH_MIN_VALUES
        with (
            mock.patch.object(_Batches, "PREFETCH_MIN_VALUES", threshold),
            mock.patch("skmlp_numpy._base.spare_core", lambda: enabled),
        ):
            yield

    @staticmethod
    @contextlib.contextmanager
    def failing(after, error):
        """Raise ``error`` from the gather of every batch after the first ``after``."""
        real = _Batches._gather
        calls = []

        def gather(self, rows, buffers):
            calls.append(1)
            if len(calls) > after:
                raise error
            return real(self, rows, buffers)

        with mock.patch.object(_Batches, "_gather", gather):
            yield


@pytest.fixture
def gather_ahead():
    """The switch of the batch-gathering thread (see :class:`GatherAhead`)."""
    return GatherAhead
