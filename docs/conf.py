"""Sphinx configuration of the skmlp_numpy documentation.

Build it from the project's root with the docs extra installed::

    pip install ".[docs]"
    sphinx-build -W -b html docs docs/_build/html

Examples that need MNIST read the file named by SKMLP_MNIST (default:
../shared/data/mnist.npz beside the project); without it they are left out of
the gallery, and the build says so.
"""

import os
from pathlib import Path

import skmlp_numpy

ROOT = Path(__file__).resolve().parents[1]

project = "skmlp_numpy"
author = "The skmlp_numpy developers"
copyright = "2026, The skmlp_numpy developers"
release = version = skmlp_numpy.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_theme = "pydata_sphinx_theme"
html_theme_options = {"navigation_with_keys": False}

autosummary_generate = True
# Methods inherited from this package's base class (fit) are documented; those
# inherited from scikit-learn (get_params, score, ...) are scikit-learn's, and
# their docstrings refer to labels of its own docs.
autodoc_default_options = {
    "members": True,
    "inherited-members": "ClassifierMixin,RegressorMixin,CallbackSupportMixin,"
    "BaseEstimator,_MetadataRequester",
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

mnist = Path(
    os.environ.get("SKMLP_MNIST", ROOT.parent / "shared" / "data" / "mnist.npz")
)
if mnist.is_file():
    os.environ["SKMLP_MNIST"] = str(mnist)
    skip_pattern = r"__no_example_is_skipped__"
else:
    print(f"MNIST not found at {mnist}: the MNIST examples are left out of the gallery")
    skip_pattern = r"plot_mnist_"

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": skip_pattern,
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "abort_on_example_error": True,
    "show_memory": False,
    "matplotlib_animations": False,
}
