"""Collection rules for the doctests of optional modules, their warnings, and
the header that says what the suite runs."""

import importlib.util
import warnings

import pytest
from _pytest.doctest import DoctestItem
from sklearn.exceptions import ConvergenceWarning

# skmlp_numpy.export needs the onnx extra; without it there is nothing to test.
collect_ignore = []
if importlib.util.find_spec("skl2onnx") is None:
    collect_ignore.append("skmlp_numpy/export.py")


@pytest.fixture(autouse=True)
def _docstring_examples_converge(request):
    """A docstring example is what a newcomer copies first: it must not warn
    that training stopped before converging (the README's examples are held
    to the same in tests/test_docs.py)."""
    if not isinstance(request.node, DoctestItem):
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        yield


def pytest_report_header(config):
    """Say what the suite runs, and how long it takes, before it starts."""
    return [
        "skmlp_numpy: unit tests, scikit-learn's common checks and MLP tests, "
        "parity with MLPClassifier/MLPRegressor, the docs' examples and doctests "
        "(about 2 to 3 minutes on 2 quiet cores; MNIST tests skip without the data)"
    ]
