"""Figures of the committed benchmark outputs, drawn when the docs build.

The benchmarks in ``benchmarks/`` print plain text, committed as
``benchmarks/results-*.txt``; the performance page shows that text whole. This
extension parses the same files and draws them, so that the figures can never
disagree with the numbers below them:

- ``results-<machine>.txt`` (``bench_training.py``): per recipe, the speed of
  each contender relative to MLPClassifier (MLPClassifier's seconds per epoch
  divided by the contender's);
- ``results-latency-<machine>.txt`` (``bench_predict_latency.py``): the time
  of one ``predict_proba`` call by batch size, and the ratio to MLPClassifier;
- ``results-regressor-<machine>.txt`` (``bench_regressor.py``): the speed of
  TwoLayerNetRegressor relative to MLPRegressor, per case;
- ``results-mnist-record-<machine>.txt`` (``bench_mnist_record.py``): the
  test accuracy of each round by epoch;
- ``results-tabular-<machine>.txt`` and ``results-tabular-<run>-<machine>.txt``
  (``bench_tabular.py``, its ``--held-out`` and ten-split runs): per table,
  each contender's score (accuracy or R²) minus MLP*'s.
- ``results-warm-start-<machine>.txt`` (``bench_warm_start.py``): the time
  of a warm fit and of a ``partial_fit`` call early and late in a long run
  of them, ours beside MLPClassifier's. Its rows read as the regressor's.
- ``results-sparse-<machine>.txt`` (``bench_sparse.py``): MLPClassifier's
  seconds and peak memory divided by ours, per sparse workload and call.

- ``results-busy-<machine>.txt`` (``bench_busy.py``): seconds per epoch
  against the work of one batch (rows x features x hidden units), quiet and
  with one core kept busy: BLAS's default threads, the policy and
  MLPClassifier, each divided by ours on one thread.

``results-main-<machine>.txt`` (``bench_main_job.py``: the main job's scores
and fit times, quoted in the Results tables) and
``results-tabular-scale-<machine>.txt`` (``bench_tabular.py --scale``: three
contenders' seconds and memory on one large table) and
``results-tabular-add-<machine>.txt`` (``bench_tabular.py --add``, whose
summary the tabular page quotes in a table; its HGB and recipe bars would
repeat the main run's) and ``results-tabular-predict-<machine>.txt``
(``bench_tabular.py --predict``: prediction times, quoted in the text; its
score bars would repeat the main run's) are text only, with no figure.

Each other ``results-X.txt`` becomes ``generated/benchmarks/results-X.png`` beside
this folder's parent. Offline, with matplotlib's Agg canvas and no pyplot (so
that no global state is shared with sphinx-gallery). A file that does not
parse stops the build with an error naming it: a figure is never left out
silently.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent
ROOT = DOCS.parent
BENCHMARKS = ROOT / "benchmarks"
OUTPUT = DOCS / "generated" / "benchmarks"

# Section headers: "=== 1 BLAS thread ===" (training), "-- one BLAS thread --".
_THREADS = re.compile(r"^(?:===|--) (?P<label>.+?) (?:===|--)$")
# "tutorial sgd h50 b100, float32, 17 epochs x 5 rounds (s per epoch)"
_RECIPE = re.compile(
    r"^(?P<name>.+), (?P<dtype>float\d+), (?P<epochs>\d+) epochs x "
    r"(?P<rounds>\d+) rounds \(s per epoch\)$"
)
# "  skmlp_numpy              0.239 s    1.66x bound   ..."
_CONTENDER = re.compile(r"^  (?P<name>\S.*?)\s{2,}(?P<seconds>\d+\.\d+) s\b")
# "digits-like 64-100-10         1       82.0      230.0       2.81"
_LATENCY = re.compile(
    r"^(?P<model>\S.*?)\s+(?P<rows>\d+)\s+(?P<ours>\d+\.\d+)\s+"
    r"(?P<mlp>\d+\.\d+)\s+(?P<ratio>\d+\.\d+)$"
)
# "friedman1 adam h100 b200                  0.0949       0.2126       2.24"
_REGRESSION = re.compile(
    r"^(?P<case>\S.*?)\s+(?P<ours>\d+\.\d+)\s+(?P<mlp>\d+\.\d+)\s+"
    r"(?P<ratio>\d+\.\d+)$"
)
# "wa_churn (classification, 6000 of 7043 rows, 19 columns)"
_TABLE = re.compile(r"^(?P<table>\S+) \((?P<task>classification|regression), ")
# "  MLP*                      0.7773    0.4800     6.76" (no log loss for R²)
_TABULAR = re.compile(
    r"^  (?P<name>\S.*?)\s{2,}(?P<score>-?\d+\.\d+)(?:\s+\d+\.\d+)?"
    r"\s+(?P<seconds>\d+\.\d+)$"
)

# "   10 epochs: test accuracy 0.9846,    113 s"
_RECORD = re.compile(
    r"^(?P<epochs>\d+) epochs: test accuracy (?P<accuracy>\d\.\d+),\s+"
    r"(?P<seconds>\d+) s$"
)

# "main job (digits 200 x 64 x 100)  1.3M  0.0034 ( 1.06x)  0.0032 (1.00x) ..."
_BUSY = re.compile(
    r"^(?P<case>\S.*?)\s+(?P<work>\d+\.\d+)M\s+(?P<default>\d+\.\d+) \(\s*\S+x\)"
    r"\s+(?P<one>\d+\.\d+) \(\s*\S+x\)\s+(?P<policy>\d+\.\d+) \(\s*\S+x\)"
    r"\s+(?P<mlp>\d+\.\d+) \(\s*\S+x\)$"
)
# "quiet: seconds per epoch ...", "busy (one core kept busy ...): seconds per epoch"
_BUSY_STATE = re.compile(r"^(?P<state>quiet|busy)\b.*: seconds per epoch")

# "BLAS: openblas ..., 2 threads by default; policy threshold 250,000,000 (...)"
_BUSY_THRESHOLD = re.compile(r"policy threshold (?P<work>[\d,]+)")

# Colours by kind of contender, the same in every figure.
OURS, PEER, BASELINE, BOUND = "#1f6fb4", "#d9822b", "#7f7f7f", "#c7c7c7"


@dataclass
class Section:
    """The rows printed under one thread setting of one results file."""

    threads: str
    groups: dict[str, dict[str, float]] = field(default_factory=dict)


def parse(path: Path) -> list[Section]:
    """The thread sections of a results file, each with its rows by group.

    Groups map a name (a training recipe, a latency model, or "cases") to the
    numbers printed for it; see the module docstring for each kind of file.
    Raises ValueError, naming the file, when no number could be read.
    """
    kind = _kind(path)
    sections: list[Section] = []
    group = None
    for line in path.read_text(encoding="utf-8").splitlines():
        header = _THREADS.match(line.strip())
        if header:
            sections.append(Section(header["label"]))
            group = None
            continue
        if not sections:
            continue
        current = sections[-1].groups
        if kind == "training":
            recipe = _RECIPE.match(line.strip())
            if recipe:
                group = recipe["name"]
                if "input" not in group:
                    group += f", {recipe['dtype']}"
                current[group] = {}
                continue
            row = _CONTENDER.match(line)
            if row and group is not None:
                current[group][row["name"]] = float(row["seconds"])
        elif kind == "latency":
            row = _LATENCY.match(line.strip())
            if row:
                model = current.setdefault(row["model"], {})
                rows = int(row["rows"])
                model[f"ours {rows}"] = float(row["ours"])
                model[f"MLP {rows}"] = float(row["mlp"])
                model[f"ratio {rows}"] = float(row["ratio"])
        elif kind == "tabular":
            table = _TABLE.match(line)
            if table:
                group = f"{table['table']} ({table['task']})"
                current[group] = {}
                continue
            if not line.startswith("  "):
                group = None  # the summary after the tables
            row = _TABULAR.match(line)
            if row and group is not None:
                current[group][row["name"]] = float(row["score"])
        elif kind == "busy":
            threshold = _BUSY_THRESHOLD.search(line)
            if threshold:
                work = int(threshold["work"].replace(",", "")) / 1e6
                current["policy threshold"] = {"work": work}
                continue
            state = _BUSY_STATE.match(line)
            if state:
                group = state["state"]
                continue
            row = _BUSY.match(line.strip())
            if row and group is not None:
                current[f"{group}: {row['case']}"] = {
                    key: float(row[key])
                    for key in ("work", "default", "one", "policy", "mlp")
                }
        elif kind == "record":
            row = _RECORD.match(line.strip())
            if row:
                rows = current.setdefault("test accuracy", {})
                rows[row["epochs"]] = float(row["accuracy"])
        else:  # regressor, sparse, warm start: a case, ours, the peer's, the ratio
            row = _REGRESSION.match(line.strip())
            if row:
                case = current.setdefault(row["case"], {})
                case["ours"] = float(row["ours"])
                case["MLP"] = float(row["mlp"])
                case["ratio"] = float(row["ratio"])
    sections = [s for s in sections if any(s.groups.values())]
    if kind == "training":
        for section in sections:
            section.groups = {
                name: rows
                for name, rows in section.groups.items()
                if "MLPClassifier" in rows
            }
    if not any(s.groups for s in sections):
        raise ValueError(
            f"{path}: no benchmark numbers found; the figures cannot be drawn. "
            "Is it the unedited output of the benchmark script?"
        )
    return sections


def _kind(path: Path) -> str:
    """Which benchmark wrote ``path``, from its name."""
    if path.name.startswith("results-main-"):
        return "main"
    if path.name.startswith("results-busy-"):
        return "busy"
    if path.name.startswith("results-latency-"):
        return "latency"
    if path.name.startswith("results-regressor-"):
        return "regressor"
    if path.name.startswith("results-tabular-scale-"):
        return "tabular-scale"
    if path.name.startswith("results-tabular-add-"):
        return "tabular-add"
    if path.name.startswith("results-tabular-predict-"):
        return "tabular-predict"
    if path.name.startswith("results-tabular-"):
        return "tabular"
    if path.name.startswith("results-mnist-record-"):
        return "record"
    if path.name.startswith("results-warm-start-"):
        return "warm-start"
    if path.name.startswith("results-sparse-"):
        return "sparse"
    return "training"


# ------------------------------------------------------------------ drawing


def _figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _colour(name: str) -> str:
    if name.startswith(("skmlp_numpy", "ours")):
        return OURS
    if name == "bound":
        return BOUND
    if name.startswith("torch"):
        return PEER
    return BASELINE


def draw_training(sections: list[Section]):
    """Speed relative to MLPClassifier, one bar per contender, by recipe."""
    heights = [sum(len(rows) for rows in s.groups.values()) for s in sections]
    fig = _figure(8, 1.2 + 0.3 * sum(heights))
    axes = fig.subplots(len(sections), 1, squeeze=False, height_ratios=heights)
    for ax, section in zip(axes[:, 0], sections, strict=True):
        labels, positions, y = [], [], 0.0
        headers = []
        for group, rows in section.groups.items():
            mlp = rows["MLPClassifier"]
            headers.append((y, group))
            y += 0.9
            for name, seconds in rows.items():
                if name in ("MLPClassifier", "bound+gather"):
                    continue
                ratio = mlp / seconds
                shown = "bound (matrix products only)" if name == "bound" else name
                ax.barh(
                    y,
                    ratio,
                    height=0.7,
                    color=_colour(name),
                    hatch="//" if name == "bound" else None,
                    edgecolor="white",
                )
                ax.text(ratio + 0.03, y, f"{ratio:.2f}×", va="center", fontsize=8)
                labels.append(shown)
                positions.append(y)
                y += 0.8
            y += 0.4
        ax.set_yticks(positions, labels, fontsize=8)
        for y_header, group in headers:
            ax.text(
                0.0,
                y_header,
                f"{group} (MLPClassifier {section.groups[group]['MLPClassifier']:.3f}"
                " s/epoch)",
                transform=ax.get_yaxis_transform(),
                fontsize=9,
                fontweight="bold",
                va="center",
                # Over the dashed line at 1, not through it.
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
        ax.axvline(1.0, color="black", linestyle="--", linewidth=1)
        ax.text(
            1.0,
            -0.6,
            " MLPClassifier = 1",
            fontsize=8,
            va="center",
        )
        ax.set_ylim(y - 0.2, -1.0)
        ax.set_xlim(0, max(ax.get_xlim()[1], 1.5) * 1.08)
        ax.set_xlabel(
            "speed relative to MLPClassifier (its seconds per epoch ÷ each one's); "
            "higher is faster"
        )
        ax.set_title(f"Training on MNIST: {section.threads}", fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
    return fig


def draw_latency(sections: list[Section]):
    """Time of one predict_proba call by rows, and the ratio to MLPClassifier."""
    fig = _figure(8, 3.4 * len(sections))
    axes = fig.subplots(len(sections), 2, squeeze=False)
    colours = ["#1f6fb4", "#2ca02c", "#9467bd", "#8c564b"]
    placements = []
    for (left, right), section in zip(axes, sections, strict=True):
        all_rows = set()
        labels = []
        for index, (model, numbers) in enumerate(section.groups.items()):
            colour = colours[index % len(colours)]
            rows = sorted({int(key.split()[1]) for key in numbers})
            all_rows.update(rows)
            left.plot(
                rows,
                [numbers[f"ours {n}"] for n in rows],
                "o-",
                color=colour,
                label=f"{model}: skmlp_numpy",
            )
            left.plot(
                rows,
                [numbers[f"MLP {n}"] for n in rows],
                "s--",
                color=colour,
                alpha=0.6,
                label=f"{model}: MLPClassifier",
            )
            ratios = [numbers[f"ratio {n}"] for n in rows]
            right.plot(rows, ratios, "o-", color=colour, label=model)
            labels.extend(
                (n, ratio, f"{ratio:.2f}×", colour)
                for n, ratio in zip(rows, ratios, strict=True)
            )
        ticks = sorted(all_rows)
        for ax in (left, right):
            ax.set_xscale("log")
            ax.set_xticks(ticks, [f"{n:,}" for n in ticks])
            # Room beside the first and last points for their labels.
            ax.set_xlim(ticks[0] / 3, ticks[-1] * 6)
            ax.minorticks_off()
            ax.set_xlabel("rows per predict_proba call (batch size)")
            ax.grid(True, which="major", alpha=0.3)
            ax.spines[["top", "right"]].set_visible(False)
            ax.legend(fontsize=8)
        left.set_yscale("log")
        left.set_ylabel("median time per call (µs, log scale)")
        left.set_title(f"predict_proba latency: {section.threads}", fontsize=10)
        right.axhline(1.0, color="black", linestyle="--", linewidth=1)
        right.set_ylim(0, max(right.get_ylim()[1], 1.5) * 1.1)
        right.set_ylabel("MLPClassifier's time ÷ skmlp_numpy's (×)")
        right.set_title("Speed relative to MLPClassifier (1 = equal)", fontsize=10)
        placements.append((right, labels))
    for ax, labels in placements:
        label_points(ax, labels)
    return fig


# Where a point's label may go, in points from the point, first choice first.
_LABEL_OFFSETS = [
    (6, 6, "left", "bottom"),
    (-6, -6, "right", "top"),
    (6, -6, "left", "top"),
    (-6, 6, "right", "bottom"),
    (0, 8, "center", "bottom"),
    (0, -8, "center", "top"),
    (8, 0, "left", "center"),
    (-8, 0, "right", "center"),
]


def label_points(ax, labels):
    """Write each label next to its point, where no line of ``ax`` crosses it.

    ``labels``: (x, y, text, colour) in data coordinates. Each label takes the
    first place around its point that no plotted line (the data's, the
    dashed line at 1) crosses, that no label already placed overlaps, and that
    stays inside the axes; where none is free, the one with the fewest
    crossings. A label at a fixed offset was struck through by the lines
    that leave its point, or by another model's.
    """
    from matplotlib.path import Path

    fig = ax.figure
    # Lay the figure out once and keep it so: the labels' display coordinates
    # must hold when it is saved (constrained layout would move the axes).
    fig.canvas.draw()
    fig.set_layout_engine("none")
    renderer = fig.canvas.get_renderer()
    segments = []
    for line in ax.get_lines():
        xy = line.get_transform().transform(line.get_xydata())
        segments.extend(Path(xy[i : i + 2]) for i in range(len(xy) - 1))
    inside = ax.get_window_extent(renderer)
    placed = []
    for x, y, text, colour in labels:
        best = None
        for dx, dy, ha, va in _LABEL_OFFSETS:
            annotation = ax.annotate(
                text,
                (x, y),
                textcoords="offset points",
                xytext=(dx, dy),
                ha=ha,
                va=va,
                fontsize=8,
                color=colour,
            )
            box = annotation.get_window_extent(renderer).padded(1)
            clashes = sum(path.intersects_bbox(box) for path in segments)
            clashes += sum(box.overlaps(other) for other in placed)
            whole = inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1)
            clashes += not whole
            if best is None or clashes < best[0]:
                if best is not None:
                    best[1].remove()
                best = (clashes, annotation, box)
            else:
                annotation.remove()
            if clashes == 0:
                break
        placed.append(best[2])


def draw_regressor(sections: list[Section]):
    """Speed of TwoLayerNetRegressor relative to MLPRegressor, per case."""
    return _draw_cases(
        sections,
        "TwoLayerNetRegressor against MLPRegressor",
        "MLPRegressor",
        " s/epoch",
        "speed relative to MLPRegressor (its seconds per epoch ÷ ours); "
        "higher is faster",
    )


def draw_sparse(sections: list[Section]):
    """MLPClassifier's time and peak memory divided by ours, on sparse input."""
    return _draw_cases(
        sections,
        "sparse input: TwoLayerNetClassifier against MLPClassifier",
        "MLPClassifier",
        "",
        "MLPClassifier's seconds (or peak MB) ÷ ours; higher is faster (or leaner)",
    )


def _draw_cases(sections, title, peer, unit, xlabel):
    """One bar per case: the ratio ``peer`` ÷ ours, with both numbers."""
    heights = [len(s.groups) for s in sections]
    fig = _figure(8, 1.0 + 0.45 * sum(heights))
    axes = fig.subplots(len(sections), 1, squeeze=False, height_ratios=heights)
    for ax, section in zip(axes[:, 0], sections, strict=True):
        cases = list(section.groups)
        ratios = [section.groups[case]["ratio"] for case in cases]
        labels = [
            f"{case}\n(ours {section.groups[case]['ours']:.3f}, "
            f"{peer} {section.groups[case]['MLP']:.3f}{unit})"
            for case in cases
        ]
        positions = list(range(len(cases)))
        ax.barh(positions, ratios, height=0.6, color=OURS)
        for y, ratio in zip(positions, ratios, strict=True):
            ax.text(ratio + 0.03, y, f"{ratio:.2f}×", va="center", fontsize=8)
        ax.set_yticks(positions, labels, fontsize=8)
        ax.set_ylim(len(cases) - 0.5, -0.9)
        ax.axvline(1.0, color="black", linestyle="--", linewidth=1)
        ax.text(1.0, -0.7, f" {peer} = 1", fontsize=8, va="center")
        ax.set_xlim(0, max([*ratios, 1.5]) * 1.15)
        ax.set_xlabel(xlabel)
        ax.set_title(f"{title}: {section.threads}", fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
    return fig


# The contenders drawn against MLP*: the ablations are read in the text, and
# "ours default" equals MLP* (the parity the tests hold it to). "0.4
# recipe", one net without the encoding (``--ablate``), where it was run.
_TABULAR_SHOWN = {"HGB": BASELINE, "recipe": OURS, "0.4 recipe": PEER}


def draw_tabular(sections: list[Section]):
    """Per table, each contender's score minus MLP*'s (accuracy or R²)."""
    (section,) = sections
    tables = [name for name, rows in section.groups.items() if "MLP*" in rows]
    fig = _figure(8, 1.2 + 0.55 * len(tables))
    ax = fig.subplots()
    rows = [section.groups[table] for table in tables]
    shown = {
        name: colour
        for name, colour in _TABULAR_SHOWN.items()
        if all(name in row for row in rows)
    }
    height = 0.8 / len(shown)
    for i, (name, colour) in enumerate(shown.items()):
        gains = [row[name] - row["MLP*"] for row in rows]
        offset = i - (len(shown) - 1) / 2
        positions = [t + offset * height for t in range(len(tables))]
        ax.barh(positions, gains, height=height, color=colour, label=name)
    ax.set_yticks(range(len(tables)), tables, fontsize=8)
    ax.set_ylim(len(tables) - 0.5, -0.5)
    ax.axvline(0.0, color="black", linewidth=1)
    ax.set_xlabel(
        "score minus MLP*'s (accuracy for classification, R² for regression); "
        "right of 0 is better"
    )
    ax.set_title(
        f"Accuracy on real tables against MLP*: {section.threads}", fontsize=10
    )
    ax.legend(fontsize=8, loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def draw_record(sections: list[Section]):
    """The MNIST record's test accuracy by epoch, one line per round."""
    fig = _figure(8, 3.6)
    ax = fig.subplots()
    for section in sections:
        rows = section.groups["test accuracy"]
        epochs = [int(e) for e in rows]
        ax.plot(epochs, list(rows.values()), marker="o", label=section.threads)
    ax.axhline(0.984, color=BASELINE, linestyle="--", linewidth=1)
    ax.text(
        ax.get_xlim()[0],
        0.9842,
        " Simard et al. (2003), 800 units: 98.4%",
        fontsize=8,
        color=BASELINE,
    )
    ax.set_xlabel("epochs (of one cosine schedule)")
    ax.set_ylabel("test accuracy")
    ax.set_title("784-800-10 on MNIST, no augmentation", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def draw_warm_start(sections: list[Section]):
    """Milliseconds per call, early and late in a run of calls, both contenders."""
    heights = [len(s.groups) for s in sections]
    fig = _figure(8, 1.0 + 0.6 * sum(heights))
    axes = fig.subplots(len(sections), 1, squeeze=False, height_ratios=heights)
    for ax, section in zip(axes[:, 0], sections, strict=True):
        calls = list(section.groups)
        positions = range(len(calls))
        for offset, (key, name, colour) in enumerate(
            [("ours", "skmlp_numpy", OURS), ("MLP", "MLPClassifier", BASELINE)]
        ):
            times = [section.groups[call][key] for call in calls]
            ys = [y + 0.36 * offset - 0.18 for y in positions]
            ax.barh(ys, times, height=0.34, color=colour, label=name)
            for y, ms in zip(ys, times, strict=True):
                ax.text(ms, y, f" {ms:.2f}", va="center", fontsize=8)
        ax.set_yticks(list(positions), calls, fontsize=8)
        ax.set_ylim(len(calls) - 0.5, -0.5)
        ax.set_xlim(0, ax.get_xlim()[1] * 1.12)
        ax.set_xlabel("milliseconds per call (the fastest of ten); lower is faster")
        ax.set_title(f"Training in chunks: {section.threads}", fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
        ax.spines[["top", "right"]].set_visible(False)
    return fig


def draw_busy(sections: list[Section]):
    """Seconds per epoch ÷ ours on one thread, against the work of a batch."""
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    fig = _figure(8, 0.6 + 3.0 * len(sections))
    axes = fig.subplots(len(sections), 2, squeeze=False, sharey=True)
    series = [
        ("default", "ours, BLAS's default threads", PEER, "s"),
        ("policy", "ours, the thread policy", OURS, "o"),
        ("mlp", "MLPClassifier, default threads", BASELINE, "^"),
    ]
    for row, section in zip(axes, sections, strict=True):
        for ax, state in zip(row, ("quiet", "busy"), strict=True):
            cases = [
                rows
                for name, rows in section.groups.items()
                if name.startswith(f"{state}: ")
            ]
            cases.sort(key=lambda rows: rows["work"])
            works = [rows["work"] for rows in cases]
            for key, label, colour, marker in series:
                ratios = [rows[key] / rows["one"] for rows in cases]
                ax.plot(works, ratios, marker=marker, color=colour, label=label)
            ax.axhline(1.0, color="black", linewidth=1)
            threshold = section.groups["policy threshold"]["work"]
            ax.axvline(threshold, color=BOUND, linestyle="--", linewidth=1)
            ax.set_xscale("log")
            ax.set_yscale("log")
            # Plain numbers on the ratio axis, not powers of ten.
            ax.yaxis.set_major_formatter(ScalarFormatter())
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_xlabel("work of one batch, millions", fontsize=8)
            ax.set_title(
                f"{'quiet' if state == 'quiet' else 'one core kept busy'}: "
                f"{section.threads}",
                fontsize=9,
            )
            ax.spines[["top", "right"]].set_visible(False)
        row[0].set_ylabel("seconds per epoch ÷ ours on one thread", fontsize=8)
        for ax in row:
            ax.text(
                section.groups["policy threshold"]["work"],
                0.02,
                "policy threshold ",
                fontsize=7,
                horizontalalignment="right",
                color="#555555",
                transform=ax.get_xaxis_transform(),
            )
    low, high = axes[0, 0].get_ylim()
    ticks = (0.25, 0.5, 1, 2, 4, 8, 16, 32)
    axes[0, 0].set_yticks([tick for tick in ticks if low <= tick <= high])
    axes[0, 0].set_ylim(low, high)
    # In the quiet panel's upper right, where the ratios are lowest: a figure
    # legend outside the axes needs matplotlib 3.7.
    axes[0, 0].legend(fontsize=7, loc="upper right")
    return fig


DRAW = {
    "training": draw_training,
    "busy": draw_busy,
    "latency": draw_latency,
    "regressor": draw_regressor,
    "tabular": draw_tabular,
    "record": draw_record,
    "warm-start": draw_warm_start,
    "sparse": draw_sparse,
}


def write_figures(benchmarks: Path = BENCHMARKS, output: Path = OUTPUT) -> list[Path]:
    """Draw every ``results-*.txt`` of ``benchmarks`` into ``output``."""
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(benchmarks.glob("results-*.txt")):
        if _kind(path) not in DRAW:
            continue  # text only: the docs quote it in a table
        fig = DRAW[_kind(path)](parse(path))
        target = output / f"{path.stem}.png"
        # No timestamp or version in the file: the same input draws the same PNG.
        fig.savefig(target, dpi=150, metadata={"Software": None})
        written.append(target)
    return written


def _on_builder_inited(app):
    write_figures()


def setup(app):
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
