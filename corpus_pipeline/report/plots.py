"""The report's plots as inline SVG (matplotlib, Agg backend; text stays text, so the page can be searched)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

from corpus_pipeline.report.metrics import METRICS  # noqa: E402

KEPT_COLOR, REMOVED_COLOR = "#1f77b4", "#d62728"
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.hashsalt": "corpus_pipeline",
    }
)


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def funnel_plot(funnel: list[dict]) -> str:
    """Documents kept after each stage, stacked by source, next to the stage's input."""
    stages = [row["stage"] for row in funnel]
    sources = sorted({name for row in funnel for name in row["sources"]})
    figure, axis = plt.subplots(figsize=(7, 3))
    bottom = [0] * len(stages)
    for i, source in enumerate(sources):
        counts = [row["sources"].get(source, {}).get("kept", 0) for row in funnel]
        axis.bar(stages, counts, bottom=bottom, color=PALETTE[i % len(PALETTE)], label=source)
        bottom = [b + c for b, c in zip(bottom, counts)]
    axis.plot(stages, [row["in"] for row in funnel], "k_", markersize=28, label="stage input")
    axis.set_ylabel("documents kept")
    axis.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _svg(figure)


def reasons_plot(reasons: dict[str, dict]) -> str | None:
    """Removed documents per reason, grouped by stage."""
    labels, counts, colors = [], [], []
    for i, (stage, table) in enumerate(reasons.items()):
        for reason, row in table.items():
            labels.append(f"{stage}: {reason}")
            counts.append(row["documents"])
            colors.append(PALETTE[i % len(PALETTE)])
    if not labels:
        return None
    figure, axis = plt.subplots(figsize=(7, 0.3 * len(labels) + 0.8))
    axis.barh(labels[::-1], counts[::-1], color=colors[::-1])
    axis.set_xlabel("documents")
    return _svg(figure)


def distribution_plot(metric: str, stages: dict[str, dict]) -> str | None:
    """One panel per stage: the metric's histogram over kept (blue) and removed (red) documents, as shares."""
    panels = [(stage, d[metric]) for stage, d in stages.items() if metric in d and d[metric]["edges"]]
    if not panels:
        return None
    label, log = METRICS[metric]
    figure, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels), 2.2), squeeze=False)
    for axis, (stage, data) in zip(axes[0], panels):
        edges = data["edges"]
        for part, color in (("kept", KEPT_COLOR), ("removed", REMOVED_COLOR)):
            summary = data[part]
            if summary.get("n"):
                shares = [c / summary["n"] for c in summary["histogram"]]
                axis.stairs(shares, edges, fill=True, alpha=0.45, color=color, label=f"{part} (n={summary['n']})")
        if log:
            axis.set_xscale("log")
            axis.xaxis.set_minor_formatter(NullFormatter())
        axis.set_title(stage)
        axis.set_xlabel(label)
        axis.legend(frameon=False, fontsize=7)
    axes[0][0].set_ylabel("share of sample")
    figure.tight_layout()
    return _svg(figure)


def shift_plot(shifts: list[dict]) -> str | None:
    """Each stage's removed fraction next to the change in median perplexity (kept vs input)."""
    rows = [row for row in shifts if row["shift"] is not None]
    if not rows:
        return None
    figure, axis = plt.subplots(figsize=(7, 2.6))
    positions = range(len(rows))
    axis.bar(
        [p - 0.2 for p in positions],
        [100 * r["removed_fraction"] for r in rows],
        width=0.4,
        color=REMOVED_COLOR,
        label="documents removed (%)",
    )
    axis.bar(
        [p + 0.2 for p in positions],
        [100 * r["shift"] for r in rows],
        width=0.4,
        color=KEPT_COLOR,
        label="median perplexity change (%)",
    )
    axis.axhline(0, color="black", linewidth=0.6)
    axis.set_xticks(list(positions), [r["stage"] for r in rows])
    axis.legend(frameon=False, fontsize=8)
    return _svg(figure)


def bar_plot(values: dict[str, int | float], xlabel: str, ylabel: str) -> str | None:
    if not values:
        return None
    figure, axis = plt.subplots(figsize=(5, 2.4))
    axis.bar(list(values), list(values.values()), color=[PALETTE[i % len(PALETTE)] for i in range(len(values))])
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    return _svg(figure)
