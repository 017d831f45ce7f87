"""The documentation's promises that code can check.

- The migration page (``docs/migration.rst``) has a row for every public
  parameter of both estimators, and no row for a parameter that does not
  exist.
- Every committed benchmark output (``benchmarks/results-*.txt``) parses into
  a figure (``docs/_ext/benchmark_figures.py``), and the performance page
  shows both, figure and text; the main job's results and the tabular
  pipeline's at scale are text only.
- The README's examples, the landing page's and Getting started's, run
  without a warning and print what they say they print.
- Every figure that the README and the docs quote, accuracy or speed, is the
  one its committed benchmark output holds, and recipes are named in full, in
  the words of the code that runs them.
- The docstrings that the API pages take from scikit-learn (``set_output``,
  ``set_*_request`` ...) keep no cross-reference to scikit-learn's own docs
  (``docs/_ext/sklearn_docstrings.py``); literals in tables break after
  punctuation, not inside names (``docs/_ext/table_literals.py``).
- What a reader saw broken at 1280 px stays fixed: the latency figure's
  labels clear of its lines, parameter names whole, 88-column code lines
  inside their boxes, the Results table's short columns on one line, a build
  without MNIST saying why its gallery section is empty; tables answered
  first (landing card, navigation, FAQ). With ``SKMLP_DOCS_HTML`` naming a
  build and headless Chromium at hand, the built pages are checked in the
  browser too.

No Sphinx needed: the rst is read as text, so these run with the test extras.
"""

import contextlib
import importlib.util
import inspect
import io
import os
import re
import warnings
from pathlib import Path

import pytest
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning

from skmlp_numpy import TwoLayerNetClassifier, TwoLayerNetRegressor
from skmlp_numpy.__main__ import recipe_in_words

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
RESULTS = sorted((ROOT / "benchmarks").glob("results-*.txt"))
# The main job's results are quoted in tables, the tabular pipeline's at scale
# and its prediction times in text, its --add run's summary in a table: not
# drawn.
TEXT_ONLY = (
    "results-main-",
    "results-tabular-scale-",
    "results-tabular-add-",
    "results-tabular-predict-",
)
FIGURES = [path for path in RESULTS if not path.name.startswith(TEXT_ONLY)]

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


@pytest.mark.parametrize("path", FIGURES, ids=[p.name for p in FIGURES])
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
    if path in FIGURES:
        assert f".. figure:: generated/benchmarks/{path.stem}.png" in page
    assert f".. literalinclude:: ../benchmarks/{path.name}" in page


def test_the_main_job_results_are_text_only(tmp_path):
    pytest.importorskip("matplotlib")
    folder = tmp_path / "benchmarks"
    folder.mkdir()
    (folder / "results-main-x.txt").write_text("digits: nothing drawn\n")
    assert _figures_module().write_figures(folder, tmp_path / "out") == []


# ------------------------------------------------------- examples that run


def python_blocks(text, fence):
    """The Python code blocks of a README (``fence``: "md") or an rst page."""
    if fence == "md":
        return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    blocks = re.findall(
        r"^\.\. code-block:: python\n\n((?:    .*\n|\n)+)", text, flags=re.M
    )
    return [re.sub(r"^    ", "", block, flags=re.M) for block in blocks]


def expected_output(code):
    """The comment lines after the last print: what the block says it prints."""
    lines = code.rstrip().splitlines()
    expected = []
    while lines and lines[-1].startswith("# "):
        expected.insert(0, lines.pop()[2:])
    return expected if lines and "print(" in lines[-1] else []


# The pages whose ``.. code-block:: python`` blocks run (their ``::`` blocks,
# fragments, do not).
RUN_PAGES = ["index.rst", "getting_started.rst"]
EXAMPLES = [
    *(("README.md", code) for code in python_blocks(README, "md")),
    *(
        (f"docs/{page}", code)
        for page in RUN_PAGES
        for code in python_blocks((DOCS / page).read_text("utf-8"), "rst")
    ),
]


def test_the_examples_are_found():
    # The Example and Regression sections of the README, the landing page's
    # quick start, Getting started's table; a change of fence must not
    # silently run nothing.
    pages = [page for page, _ in EXAMPLES]
    assert pages.count("README.md") >= 2
    assert pages.count("docs/index.rst") >= 1
    fit_a_table = [
        code for page, code in EXAMPLES if page.endswith("getting_started.rst")
    ]
    assert any("make_tabular_pipeline(" in code for code in fit_a_table)


@pytest.mark.parametrize(
    "page, code", EXAMPLES, ids=[f"{page}-{i}" for i, (page, _) in enumerate(EXAMPLES)]
)
def test_the_examples_run_clean_and_print_what_they_say(page, code):
    # What a newcomer runs first must not warn: a ConvergenceWarning, or a
    # search's fit that failed on one (the filters reach joblib's workers).
    if "load_mnist" in code and not os.environ.get("SKMLP_MNIST"):
        pytest.skip(f"an example of {page} needs MNIST: set SKMLP_MNIST to run it")
    out = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out):
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("error", FitFailedWarning)
        exec(compile(code, page, "exec"), {"__name__": "__example__"})
    expected = expected_output(code)
    if expected:
        assert out.getvalue().splitlines() == expected


# ---------------------------------------------- quoted figures and sources


def _number_in(text):
    """The numbers of ``text`` as written (a Unicode minus read as "-")."""
    return re.findall(r"-?\d+(?:\.\d+)?", text.replace("\u2212", "-"))


def markdown_rows(text, header_start):
    """The rows, as cell lists, of the Markdown table whose header starts so."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        if line.startswith(f"| {header_start}"):
            rows = []
            for row in lines[start + 2 :]:
                if not row.startswith("|"):
                    break
                rows.append([cell.strip() for cell in row.strip("|").split("|")])
            return rows
    raise AssertionError(f"README.md has no table headed '{header_start}'")


def main_job_results():
    """results-main-*.txt: per ``--data``, its recipe line and result line."""
    (path,) = (ROOT / "benchmarks").glob("results-main-*.txt")
    text = path.read_text(encoding="utf-8")
    results = {}
    for data, result in re.findall(r"^(\w+): .*\n  (.*)$", text, flags=re.M):
        score, n_iter, median, low, high = re.match(
            r"test (?:accuracy|R²) (\S+), (\d+) \w+, fit time (\S+) s "
            r"\(range (\S+)-(\S+) s",
            result,
        ).groups()
        results[data] = dict(
            score=score, n_iter=n_iter, time=f"{median} s [{low}–{high}]"
        )
    defaults = re.search(r"TwoLayerNetRegressor (\S+), MLPRegressor (\S+)", text)
    results["diabetes"]["defaults"] = defaults.groups()
    return text, results


RESULT_ROWS = {"digits": "digits", "MNIST": "mnist", "diabetes": "diabetes"}


def results_tables():
    """The Results tables of the README and of the performance page."""
    readme = markdown_rows(README, "data | network | recipe")
    page = list_table(
        (DOCS / "performance.rst").read_text(encoding="utf-8"), "results-table"
    )[1:]
    return {"README.md": readme, "docs/performance.rst": page}


@pytest.mark.parametrize("where", ["README.md", "docs/performance.rst"])
def test_the_results_tables_quote_the_main_job_run(where):
    _, results = main_job_results()
    rows = results_tables()[where]
    assert len(rows) == len(RESULT_ROWS), f"{where}: one row per main-job recipe"
    for data_cell, _, recipe, score, seconds in rows:
        data = RESULT_ROWS[data_cell.split()[0]]
        figures = results[data]
        assert recipe.startswith(recipe_in_words(data)), (where, recipe)
        if "converged after" in recipe:
            assert f"converged after {figures['n_iter']})" in recipe
        assert _number_in(score)[0] == figures["score"], (where, data, score)
        assert seconds == figures["time"], (where, data, seconds)
        if data == "diabetes":
            assert _number_in(score)[1:] == list(figures["defaults"][:1])
            assert figures["defaults"][0] == figures["defaults"][1]


@pytest.mark.parametrize("page", ["cli.rst", "getting_started.rst"])
def test_the_pages_name_the_mnist_recipe_as_the_main_job_does(page):
    text = " ".join((DOCS / page).read_text(encoding="utf-8").split())
    assert recipe_in_words("mnist") in text
    if page == "cli.rst":
        for data in ["digits", "diabetes"]:
            assert recipe_in_words(data) in text


def training_sections():
    """results-2core.txt's sections, by their header line, as text."""
    text = (ROOT / "benchmarks" / "results-2core.txt").read_text(encoding="utf-8")
    sections = re.split(r"\n\n", text)
    return {section.splitlines()[0]: section for section in sections if section}


def _bench_training():
    path = ROOT / "benchmarks" / "bench_training.py"
    spec = importlib.util.spec_from_file_location("bench_training", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "header, suffix",
    [("recipe | skmlp_numpy", "float32"), ("recipe | ours,", "float64 input")],
)
def test_the_readme_speed_tables_quote_the_training_run(header, suffix):
    bench = _bench_training()
    sections = training_sections()
    rows = markdown_rows(README, header)
    assert len(rows) == len(bench.RECIPES)
    for row, name in zip(rows, bench.RECIPES, strict=True):
        assert row[0] == bench.recipe_in_words(name)
        (section,) = [
            text
            for first, text in sections.items()
            if first.startswith(f"{name}, {suffix}")
        ]
        printed = set(_number_in(section))
        for cell in row[1:]:
            for number in _number_in(cell.replace("dtype=np.float32", "")):
                if number not in {"32", "64"}:
                    assert number in printed, (name, cell, number)


def _rounds_to(quoted, value):
    """Whether ``quoted`` is ``value`` rounded to its digits (halves either way)."""
    decimals = len(quoted.split(".")[1]) if "." in quoted else 0
    return abs(float(quoted) - value) <= 0.5 * 10**-decimals + 1e-9


def test_the_latency_table_quotes_the_latency_run():
    text = (ROOT / "benchmarks" / "results-latency-2core.txt").read_text("utf-8")
    printed = {}
    for model, rows, ours, mlp, ratio in re.findall(
        r"^\S+ (\d+-\d+-\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)$", text, flags=re.M
    ):
        printed[model, int(rows)] = float(ours), float(mlp), ratio
    table = markdown_rows(README, "network | 1 row")
    assert len(table) == 2
    for row in table:
        model = row[0].split(":")[0]
        for rows, cell in zip([1, 100, 10000], row[1:], strict=True):
            ours, mlp, ratio = printed[model, rows]
            quoted_ours, quoted_mlp, quoted_ratio = _number_in(cell)
            scale = 1e-3 if " ms" in cell else 1
            assert _rounds_to(quoted_ours, ours * scale), (model, rows, cell)
            assert _rounds_to(quoted_mlp, mlp * scale), (model, rows, cell)
            assert quoted_ratio == ratio, (model, rows, cell)


def test_quoted_ratios_come_from_their_runs():
    root = ROOT / "benchmarks"
    regression = (root / "results-regressor-2core.txt").read_text("utf-8")
    ratios = [float(r) for r in re.findall(r"(\d+\.\d+)$", regression, flags=re.M)]
    assert f"{min(ratios):.2f}–{max(ratios):.2f} times faster" in README
    # float32 against float64 training, what a pipeline hands over
    sections = training_sections()
    gains = [
        re.search(r"ours float64 .* is\s+(\S+)x faster", text)[1]
        for first, text in sections.items()
        if "float64 input" in first
    ]
    quoted = f"{min(gains)} to {max(gains)} times as fast"
    assert quoted in README
    for page in ["migration.rst", "user_guide.rst"]:
        text = " ".join((DOCS / page).read_text("utf-8").split())
        assert re.search(f"{min(gains)} .*to {max(gains)} .*times as fast", text), page
    latency = (root / "results-latency-2core.txt").read_text("utf-8")
    one_row = re.findall(r"\s1\s+(\S+)\s+\S+\s+(\S+)$", latency, flags=re.M)
    faq = " ".join((DOCS / "faq.rst").read_text("utf-8").split())
    for ours, ratio in one_row:
        assert ratio in faq and any(
            _rounds_to(number, float(ours)) for number in re.findall(r"(\d+) µs", faq)
        ), (ours, ratio)


def test_the_record_is_quoted_from_its_committed_run():
    # benchmarks/bench_mnist_record.py's committed output: its accuracies and
    # fit times are the figures the README and the performance page quote.
    (run,) = (ROOT / "benchmarks").glob("results-mnist-record-*.txt")
    text = run.read_text("utf-8")
    mean, low, high = re.search(r"mean (\S+), min (\S+), max (\S+);", text).groups()
    finals = re.findall(r"50 epochs: test accuracy (\S+),\s+(\d+) s", text)
    assert len(finals) == 5
    assert max(a for a, _ in finals) == high and min(a for a, _ in finals) == low
    seconds = sorted(int(s) for _, s in finals)
    quoted = [
        f"{mean} (mean of 5 seeds, {low} to {high})",
        f"{seconds[2]} s [{seconds[0]}–{seconds[-1]}]",
    ]
    performance = (DOCS / "performance.rst").read_text("utf-8")
    for where, page in [("README.md", README), ("performance.rst", performance)]:
        page = " ".join(page.split())
        for figure in quoted:
            assert figure in page, (where, figure)
    assert float(mean) >= 0.987  # the record's promise


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


# ------------------------------------------ what a reader sees at 1280 px
# Found by looking at the built pages in a browser at 1280 px; each test holds
# the source of one fix (tests/test_docs_rendered.py checks the built pages
# themselves, where a browser is at hand).


def _css_rule(selector):
    """The declarations of custom.css's rule for ``selector``, as a dict."""
    css = (DOCS / "_static" / "custom.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if selector in [s.strip() for s in selectors.split(",")]:
            return dict(
                (k.strip(), v.strip())
                for k, v in (d.split(":", 1) for d in body.split(";") if ":" in d)
            )
    raise AssertionError(f"custom.css has no rule for {selector}")


def test_the_latency_figures_labels_cross_no_line():
    # The ratio labels were struck through by the lines leaving their points.
    pytest.importorskip("matplotlib")
    from matplotlib.path import Path as MplPath

    figures = _figures_module()
    path = ROOT / "benchmarks" / "results-latency-2core.txt"
    fig = figures.draw_latency(figures.parse(path))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labelled = [ax for ax in fig.axes if ax.texts]
    assert labelled
    for ax in labelled:
        inside = ax.get_window_extent(renderer)
        segments = []
        for line in ax.get_lines():
            xy = line.get_transform().transform(line.get_xydata())
            segments.extend(MplPath(xy[i : i + 2]) for i in range(len(xy) - 1))
        boxes = [text.get_window_extent(renderer) for text in ax.texts]
        for text, box in zip(ax.texts, boxes, strict=True):
            label = text.get_text()
            assert not any(s.intersects_bbox(box) for s in segments), label
            assert inside.contains(box.x0, box.y0), label
            assert inside.contains(box.x1, box.y1), label
            assert sum(box.overlaps(other) for other in boxes) == 1, label


def test_parameter_names_never_break():
    # "activati / on": the name shrank beside its long type on the API pages.
    rule = _css_rule(".bd-article dl.field-list dd dt > strong")
    assert rule["white-space"] == "nowrap" and rule["flex-shrink"] == "0"


def test_an_88_column_line_of_code_fits_the_text_column():
    # The text column is 703 px at 1280 px; a code box's padding is 2 rem;
    # DejaVu Sans Mono and Menlo are 0.602 em wide. At 0.8125rem the last
    # characters of ruff's 88-column lines were cut off.
    size = float(_css_rule(".bd-article div.highlight pre")["font-size"][:-3])
    assert 88 * 0.602 * size * 16 + 2 * 16 <= 703


def test_the_results_tables_fit_times_stay_on_one_line():
    # "1.42 s / [1.39– / 1.53]" and "64-100- / 10" at 1280 px.
    page = (DOCS / "performance.rst").read_text(encoding="utf-8")
    table = page[page.index(":name: results-table") :][:200]
    assert ":class: results-table" in table
    for column in [
        "table.results-table td:nth-child(2)",
        "table.results-table td:last-child",
    ]:
        assert _css_rule(column)["white-space"] == "nowrap"


def test_a_build_without_mnist_says_why_its_examples_are_missing():
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    branch = conf[conf.index("if mnist.is_file():") :]
    branch = branch[branch.index("else:") : branch.index("sphinx_gallery_conf")]
    assert 'tags.add("mnist_missing")' in branch
    readme = (ROOT / "examples" / "mnist" / "README.rst").read_text("utf-8")
    note = readme[readme.index(".. only:: mnist_missing") :]
    assert "SKMLP_MNIST" in note and "load_mnist" in note


def test_the_tabular_page_names_no_version_of_its_own():
    # The results' header names the version that ran them; the page's text,
    # which outlives a rerun, names none.
    page = (DOCS / "tabular.rst").read_text(encoding="utf-8")
    assert not re.search(r"skmlp_numpy \d|\b\d+\.\d+\.\d+\b", page)


def test_tables_are_answered_first():
    # The landing page's card, the toctree's place after the user guide, the
    # page's title, the FAQ's first answer.
    index = (DOCS / "index.rst").read_text(encoding="utf-8")
    assert re.search(r"grid-item-card:: Tables.*\n\s+:link: tabular\n", index)
    # Right after the user guide, so in the navigation bar at 1280 px, under
    # a title short enough for the bar to keep its search box on one line.
    assert re.search(r"^   user_guide\n   Tables <tabular>\n", index, flags=re.M)
    title = (DOCS / "tabular.rst").read_text(encoding="utf-8").splitlines()[0]
    assert title == "Tables (DataFrames)"
    faq = (DOCS / "faq.rst").read_text(encoding="utf-8")
    answer = faq[faq.index("categorical features and missing values?") :]
    answer = answer[: answer.index("Does it keep feature names?")]
    assert answer.index("make_tabular_pipeline") < answer.index("ColumnTransformer")
    example = ROOT / "examples" / "basics" / "plot_tabular_pipeline.py"
    assert 'pipe[:-1].set_output(transform="pandas")' in example.read_text("utf-8")


# A script that a browser runs in a built page at 1280 px: what a reader would
# find cut off or broken, one line each.
_LAYOUT_PROBE = """<script>addEventListener("load", () => setTimeout(() => {
  const found = [];
  const lines = (e) => {
    const range = document.createRange();
    range.selectNodeContents(e);
    const tops = [...range.getClientRects()].map((r) => Math.round(r.bottom));
    return new Set(tops).size;
  };
  for (const e of document.querySelectorAll(".bd-article pre")) {
    if (e.scrollWidth > e.clientWidth + 1) {
      found.push("code cut off: " + e.textContent.trim().split("\\n")[0]);
    }
  }
  for (const e of document.querySelectorAll(".bd-article dl.field-list dt > strong")) {
    if (lines(e) > 1) found.push("parameter name broken: " + e.textContent);
  }
  for (const e of document.querySelectorAll("table.results-table td p")) {
    const cell = e.closest("td");
    const column = [...cell.parentElement.children].indexOf(cell);
    if ([1, 4].includes(column) && lines(e) > 1) {
      found.push("network or fit time wrapped: " + e.textContent.trim());
    }
  }
  const out = document.createElement("pre");
  out.id = "layout-probe";
  out.textContent = found.join("\\n") || "clean";
  document.body.appendChild(out);
}, 200));</script>"""


def _built_pages():
    """The built pages the probe reads: SKMLP_DOCS_HTML names a build."""
    build = os.environ.get("SKMLP_DOCS_HTML")
    if not build:
        return [None]  # one test, which says how to run the probe
    build = Path(build)
    return [
        build / "performance.html",
        *sorted((build / "generated").glob("skmlp_numpy.*.html")),
        *sorted((build / "auto_examples").glob("*/plot_*.html")),
    ]


@pytest.mark.parametrize(
    "page", _built_pages(), ids=lambda page: "no-build" if page is None else page.name
)
def test_the_built_pages_read_whole_at_1280_px(page, tmp_path):
    # Opt-in: build the docs, then
    # SKMLP_DOCS_HTML=/path/to/build python -m pytest tests/test_docs.py -k built
    import shutil
    import subprocess

    if page is None:
        pytest.skip(
            "SKMLP_DOCS_HTML names no build: build the docs and set it to "
            "check the built pages in headless Chromium"
        )
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("needs chromium, headless")
    probe = page.with_name(f"_probe_{page.name}")  # beside it: its links resolve
    html = page.read_text(encoding="utf-8").replace(
        "</body>", _LAYOUT_PROBE + "</body>"
    )
    probe.write_text(html, encoding="utf-8")
    try:
        dom = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={tmp_path}",
                "--window-size=1280,1000",
                "--virtual-time-budget=5000",
                "--dump-dom",
                probe.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
    finally:
        probe.unlink()
    found = re.search(r'<pre id="layout-probe">(.*?)</pre>', dom, flags=re.S)
    assert found, f"the probe did not run in {page.name}"
    assert found[1] == "clean", found[1]


def test_a_build_without_mnist_says_so_on_its_gallery_page():
    build = os.environ.get("SKMLP_DOCS_HTML")
    page = Path(build or ".") / "auto_examples" / "mnist" / "index.html"
    if not page.is_file():
        pytest.skip("SKMLP_DOCS_HTML names no build")
    html = page.read_text(encoding="utf-8")
    if "plot_mnist_tutorial" not in html:
        assert "SKMLP_MNIST" in html, "an empty MNIST section that does not say why"
