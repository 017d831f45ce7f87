"""Sphinx configuration of the skmlp_numpy documentation.

Build it from the project's root with the docs extra installed::

    pip install ".[docs]"
    sphinx-build -W -b html docs docs/_build/html

The build needs no network: math renders with a MathJax that a package ships.
Where the build does have one (Read the Docs, or ``SKMLP_DOCS_ONLINE=1``),
scikit-learn, NumPy, SciPy and Dask names link to their documentation.

Examples that need MNIST read the file named by SKMLP_MNIST (default:
../shared/data/mnist.npz, in the project's own workspace); without it they are
left out of the gallery, and the build says so. With it, the build takes minutes (the
800-unit example trains for about three and a half): without ``-q`` the build
names each example as it starts, and with ``-v`` it shows each example's
output as it runs. ``SKMLP_GALLERY_RUN=<regex>`` runs only the examples whose
path matches it (the others appear without their output), to iterate on one,
e.g. ``SKMLP_GALLERY_RUN=grid_search``.
"""

import os
import shutil
import sys
from pathlib import Path

import skmlp_numpy
from skmlp_numpy.__main__ import build_parser

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This folder's own extensions: benchmark_figures draws the performance page's
# figures from the committed benchmark outputs; sklearn_docstrings makes the
# methods inherited from scikit-learn build with their docstrings;
# table_literals lets long literals in tables break after punctuation.
sys.path.insert(0, str(HERE / "_ext"))

project = "skmlp_numpy"
author = "The skmlp_numpy developers"
copyright = "2026, The skmlp_numpy developers"
release = version = skmlp_numpy.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
    "benchmark_figures",
    "sklearn_docstrings",
    "table_literals",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_ext",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
]

# ---------------------------------------------------------------- the theme

html_theme = "pydata_sphinx_theme"
# A short title: the long default ran into the search box at 1280 px.
html_title = "skmlp_numpy"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "navigation_with_keys": False,
    # Five: with six, the header wrapped to two rows at 1280 px beside a
    # scrollbar (headless Chromium draws none).
    "header_links_before_dropdown": 5,
    "show_toc_level": 2,
}
# The left sidebar lists a section's pages: only sections that have several.
_single_pages = [
    "index",
    "install",
    "getting_started",
    "user_guide",
    "migration",
    "faq",
    "cli",
    "scaling",
    "reliability",
    "performance",
    "tabular",
    "changelog",
    "contributing",
    "design",
    "citing",
]
html_sidebars = {page: [] for page in _single_pages}

# ------------------------------------------------------------- API reference

autosummary_generate = True
# Every public method is documented on its estimator's page, the ones
# inherited from scikit-learn (set_output, fit_transform, set_*_request ...)
# too: a reader finds what the estimator can do in one place. Not the methods
# every exception has (DivergenceError's add_note, with_traceback).
autodoc_default_options = {
    "members": True,
    "inherited-members": "BaseException",
}
# Type hints belong to the code; the numpydoc sections say the same in words,
# and the signatures stay readable (no numpy._typing internals).
autodoc_typehints = "none"
autodoc_preserve_defaults = True
# "fit()", not "TwoLayerNetClassifier.fit()", in the "On this page" column:
# the long entries were clipped, predict, predict_log_proba and predict_proba
# reading alike.
toc_object_entries_show_parents = "hide"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# --------------------------------------------------------------------- math

# MathJax 3 from the django-static-mathjax package (plain static files, no
# Django needed), copied next to the pages: math renders offline too.
try:
    import mathjax as _mathjax_package

    _MATHJAX = (
        Path(_mathjax_package.__file__).parent
        / "static"
        / "mathjax"
        / "es5"
        / "tex-svg-full.js"
    )
except ImportError:
    _MATHJAX = None
if _MATHJAX is not None and _MATHJAX.is_file():
    mathjax_path = "mathjax/tex-svg-full.js"

# ---------------------------------------------------------- links elsewhere

if os.environ.get("READTHEDOCS") or os.environ.get("SKMLP_DOCS_ONLINE"):
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "scipy": ("https://docs.scipy.org/doc/scipy", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "dask": ("https://docs.dask.org/en/stable", None),
        "matplotlib": ("https://matplotlib.org/stable", None),
    }

# ------------------------------------------------------------------ gallery

mnist = Path(
    os.environ.get("SKMLP_MNIST") or ROOT.parent / "shared" / "data" / "mnist.npz"
)
if mnist.is_file():
    os.environ["SKMLP_MNIST"] = str(mnist)
    skip_pattern = r"__no_example_is_skipped__"
else:
    print(f"MNIST not found at {mnist}: the MNIST examples are left out of the gallery")
    skip_pattern = r"plot_mnist_"
    # examples/mnist/README.rst's note (".. only:: mnist_missing") says why
    # the MNIST section is empty, and how to fill it.
    tags.add("mnist_missing")  # noqa: F821 (Sphinx provides tags to conf.py)

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # Beginner first; the paths are relative to this folder, as required.
    "subsection_order": [
        "../examples/basics",
        "../examples/mnist",
        "../examples/scaling",
    ],
    # Simplest first: the examples with the fewest lines of code.
    "within_subsection_order": "NumberOfCodeLinesSortKey",
    "filename_pattern": os.environ.get("SKMLP_GALLERY_RUN") or r"/plot_",
    "ignore_pattern": skip_pattern,
    "download_all_examples": False,
    "abort_on_example_error": True,
    "show_memory": False,
    # The "# sphinx_gallery_thumbnail_..." lines are for the gallery, not the
    # reader: left out of the rendered code.
    "remove_config_comments": True,
    "matplotlib_animations": False,
    # "Examples using this" on each API page.
    "doc_module": ("skmlp_numpy",),
    "backreferences_dir": "generated/backreferences",
}


def _write_cli_help(app):
    """The command line's --help, for cli.rst to include: always up to date."""
    target = HERE / "generated" / "cli_help.txt"
    target.parent.mkdir(exist_ok=True)
    os.environ["COLUMNS"] = "88"
    target.write_text(build_parser().format_help())


def _copy_mathjax(app, exception):
    if exception is None and _MATHJAX is not None and app.builder.format == "html":
        destination = Path(app.outdir) / "_static" / "mathjax"
        destination.mkdir(parents=True, exist_ok=True)
        shutil.copy(_MATHJAX, destination / _MATHJAX.name)


def setup(app):
    app.connect("builder-inited", _write_cli_help)
    app.connect("build-finished", _copy_mathjax)
