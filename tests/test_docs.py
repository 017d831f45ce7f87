"""The documentation's promises that code can check.

- The migration page (``docs/migration.rst``) has a row for every public
  parameter of both estimators, and no row for a parameter that does not
  exist.
- Every committed benchmark output (``benchmarks/results-*.txt``) parses into
  a figure (``docs/_ext/benchmark_figures.py``), and the performance page
  shows both, figure and text.
- The docstrings that the API pages take from scikit-learn (``set_output``,
  ``set_*_request`` ...) keep no cross-reference to scikit-learn's own docs
  (``docs/_ext/sklearn_docstrings.py``); literals in tables break after
  punctuation, not inside names (``docs/_ext/table_literals.py``).

No Sphinx needed: the rst is read as text, so these run with the test extras.
"""

import importlib.util
import inspect
import re
from pathlib import Path

import pytest

from skmlp_numpy import TwoLayerNetClassifier, TwoLayerNetRegressor

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
RESULTS = sorted((ROOT / "benchmarks").glob("results-*.txt"))

# Parameters the migration table lists ahead of the code that adds them (they
# land in the same release, from another branch): a row for any other name
# must be a parameter of one of the estimators.
ANNOUNCED = {"quantile"}

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def list_table(text, name):
    """The rows of the rst ``list-table`` with ``:name: name``, as cell texts."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        directive = re.match(r"(\s*)\.\. list-table::", line)
        if not directive:
            continue
        indent = len(directive[1])
        body = []
        for inner in lines[start + 1 :]:
            if inner.strip() and len(inner) - len(inner.lstrip()) <= indent:
                break
            body.append(inner)
        options = [b.strip() for b in body if b.strip().startswith(":")]
        if f":name: {name}" not in options:
            continue
        rows = []
        for inner in body:
            row = re.match(r"\s*\* - (.*)", inner)
            cell = re.match(r"\s*- (.*)", inner)
            if row:
                rows.append([row[1]])
            elif cell and rows:
                rows[-1].append(cell[1])
            elif rows and inner.strip():
                rows[-1][-1] += " " + inner.strip()
        return rows
    raise AssertionError(f"no list-table with ':name: {name}'")


def documented_parameters():
    """The parameter names in the first column of the migration table."""
    rows = list_table(
        (DOCS / "migration.rst").read_text(encoding="utf-8"), "parameter-table"
    )
    header, *body = rows
    assert header[0] == "skmlp_numpy"
    names = set()
    for cells in body:
        literals = re.findall(r"``([^`]+)``", cells[0])
        names.update(name for name in literals if _IDENTIFIER.fullmatch(name))
    return names


@pytest.mark.parametrize("estimator", [TwoLayerNetClassifier(), TwoLayerNetRegressor()])
def test_every_parameter_has_a_row_in_the_migration_table(estimator):
    missing = set(estimator.get_params()) - documented_parameters()
    assert not missing, (
        f"docs/migration.rst's parameter table has no row for "
        f"{type(estimator).__name__}'s {sorted(missing)}: add one, with "
        "MLPClassifier's and skorch's equivalents"
    )


def test_every_row_of_the_migration_table_is_a_parameter():
    known = set(TwoLayerNetClassifier().get_params())
    known |= set(TwoLayerNetRegressor().get_params())
    stale = documented_parameters() - known - ANNOUNCED
    assert not stale, f"docs/migration.rst documents no such parameter: {stale}"


def test_the_table_parser_reads_multi_line_cells():
    text = """
.. list-table::
   :name: t
   :header-rows: 1

   * - ours
     - theirs
   * - ``a``, ``b_2``
     - ``x``
       continued
   * - ``loss="quantile"`` with ``quantile``
     - —

After the table.
"""
    rows = list_table(text, "t")
    assert rows == [
        ["ours", "theirs"],
        ["``a``, ``b_2``", "``x`` continued"],
        ['``loss="quantile"`` with ``quantile``', "—"],
    ]


# ------------------------------------------------------------- benchmarks


def _extension(name):
    """A module of ``docs/_ext``, imported without Sphinx."""
    path = DOCS / "_ext" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _figures_module():
    return _extension("benchmark_figures")


@pytest.mark.parametrize("path", RESULTS, ids=[p.name for p in RESULTS])
def test_every_committed_benchmark_output_draws_a_figure(path, tmp_path):
    pytest.importorskip("matplotlib")
    figures = _figures_module()
    sections = figures.parse(path)
    assert sections and all(section.groups for section in sections)
    folder = tmp_path / "benchmarks"
    folder.mkdir()
    (folder / path.name).write_bytes(path.read_bytes())
    (png,) = figures.write_figures(folder, tmp_path / "out")
    assert png.name == f"{path.stem}.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_results_file_without_numbers_is_an_error_naming_it(tmp_path):
    path = tmp_path / "results-latency-broken.txt"
    path.write_text("-- one BLAS thread --\nnothing measured\n")
    with pytest.raises(ValueError, match="results-latency-broken.txt"):
        _figures_module().parse(path)


@pytest.mark.parametrize("path", RESULTS, ids=[p.name for p in RESULTS])
def test_the_performance_page_shows_every_output_as_figure_and_text(path):
    page = (DOCS / "performance.rst").read_text(encoding="utf-8")
    assert f".. figure:: generated/benchmarks/{path.stem}.png" in page
    assert f".. literalinclude:: ../benchmarks/{path.name}" in page


# ------------------------------------------------- API pages and tables


def _inherited_from_sklearn():
    """The public methods the estimators take from scikit-learn, docstring and all."""
    return [
        (f"{estimator.__name__}.{name}", getattr(estimator, name))
        for estimator in (TwoLayerNetClassifier, TwoLayerNetRegressor)
        for name in dir(estimator)
        if not name.startswith("_")
        and callable(getattr(estimator, name))
        and getattr(estimator, name).__module__.startswith("sklearn")
    ]


@pytest.mark.parametrize(
    "method", [m for _, m in _inherited_from_sklearn()], ids=lambda m: m.__name__
)
def test_scikit_learns_docstrings_keep_no_reference_to_its_docs(method):
    # Each would be an undefined label or term, and -W makes it an error.
    lines = inspect.cleandoc(method.__doc__).splitlines()
    _extension("sklearn_docstrings").rewrite_sklearn_docstring(
        None, "method", method.__name__, method, {}, lines
    )
    text = "\n".join(lines)
    assert ":ref:" not in text and ":term:" not in text
    # scikit-learn's versions: none older than the one this package requires.
    for version in re.findall(r"\.\. version\w+:: (\S+)", text):
        assert version == "scikit-learn"


def test_scikit_learns_user_guide_is_named_and_linked():
    method = TwoLayerNetClassifier.get_metadata_routing
    lines = inspect.cleandoc(method.__doc__).splitlines()
    _extension("sklearn_docstrings").rewrite_sklearn_docstring(
        None, "method", "get_metadata_routing", method, {}, lines
    )
    assert (
        "`scikit-learn's user guide "
        "<https://scikit-learn.org/stable/metadata_routing.html>`__"
    ) in " ".join(lines)


def test_this_packages_docstrings_are_left_alone():
    method = TwoLayerNetClassifier.fit
    lines = method.__doc__.splitlines()
    before = list(lines)
    _extension("sklearn_docstrings").rewrite_sklearn_docstring(
        None, "method", "fit", method, {}, lines
    )
    assert lines == before


@pytest.mark.parametrize(
    ("literal", "pieces"),
    [
        ('activation="leaky_relu"', ["activation=", '"leaky_relu"']),
        (
            "hidden_layer_sizes=(hidden_size,)",
            ["hidden_layer_sizes=(", "hidden_size,)"],
        ),
        ("torch.nn.CrossEntropyLoss", ["torch.", "nn.", "CrossEntropyLoss"]),
        ("lr=0.01", ["lr=", "0.01"]),
        ("predict_log_proba", ["predict_log_proba"]),
    ],
)
def test_table_literals_break_after_punctuation_not_inside_names(literal, pieces):
    pytest.importorskip("docutils")
    assert _extension("table_literals")._AFTER.split(literal) == pieces
