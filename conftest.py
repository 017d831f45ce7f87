"""Collection rules for the doctests of optional modules."""

import importlib.util

# skmlp_numpy.export needs the onnx extra; without it there is nothing to test.
collect_ignore = []
if importlib.util.find_spec("skl2onnx") is None:
    collect_ignore.append("skmlp_numpy/export.py")
