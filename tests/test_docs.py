"""The documentation's promises that code can check.

- The migration page (``docs/migration.rst``) has a row for every public
  parameter of both estimators, and no row for a parameter that does not
  exist.
- Every committed benchmark output (``benchmarks/results-*.txt``) parses into
  a figure (``docs/_ext/benchmark_figures.py``), and the performance page
  shows both, figure and text.

No Sphinx needed: the rst is read as text, so these run with the test extras.
"""

import importlib.util
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


def _figures_module():
    path = DOCS / "_ext" / "benchmark_figures.py"
    spec = importlib.util.spec_from_file_location("benchmark_figures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    # The accuracy benchmark has a page of its own.
    name = "tabular" if path.name.startswith("results-tabular-") else "performance"
    page = (DOCS / f"{name}.rst").read_text(encoding="utf-8")
    assert f".. figure:: generated/benchmarks/{path.stem}.png" in page
    assert f".. literalinclude:: ../benchmarks/{path.name}" in page
