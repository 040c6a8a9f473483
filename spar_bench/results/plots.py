"""Leaderboard images for the markdown: one bar chart of Avg per model for each split and protocol.

Drawn with matplotlib's Agg backend at a fixed size, fonts and DPI, with no timestamp or software tag in
the PNG, so the same rows give the same bytes under one matplotlib version.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spar_bench.results.rows import LeaderboardRow

_MEASURED, _REPORTED = "#3b6ea8", "#b0b0b0"


def plot_avg_bars(rows: Sequence[LeaderboardRow], path: str | Path, *, title: str) -> Path:
    """Horizontal bars of each row's Avg (0-100) in the given order, top first, with its 95% interval as
    an error bar when it has one; reported rows are grey and labelled `(reported)`. Returns `path`."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import pyplot as plt

    # A `$` would start matplotlib's mathtext (and a malformed formula raises): names are shown as written.
    labels = [(f"{r.model} ({r.protocol})" + (" (reported)" if r.reported else "")).replace("$", r"\$") for r in rows]
    values = [r.scores["avg"] for r in rows]
    height = 1.0 + 0.32 * max(len(rows), 1)
    with matplotlib.rc_context(
        {"font.family": "DejaVu Sans", "font.size": 9, "svg.hashsalt": "spar-bench", "path.simplify": False}
    ):
        figure, axes = plt.subplots(figsize=(8.0, height), dpi=100)
        positions = list(range(len(rows)))[::-1]
        axes.barh(positions, values, color=[_REPORTED if r.reported else _MEASURED for r in rows], height=0.7)
        for y, row in zip(positions, rows):
            interval = row.intervals.get("avg")
            if interval is not None:
                low, high = interval
                axes.errorbar(
                    [row.scores["avg"]],
                    [y],
                    xerr=[[row.scores["avg"] - low], [high - row.scores["avg"]]],
                    fmt="none",
                    ecolor="black",
                    capsize=3,
                    linewidth=1,
                )
            right = interval[1] if interval is not None else row.scores["avg"]
            axes.text(min(right + 1.0, 92.0), y, f"{row.scores['avg']:.2f}", va="center", fontsize=8)
        axes.set_yticks(positions)
        axes.set_yticklabels(labels)
        axes.set_xlim(0, 100)
        axes.set_xlabel("Avg (0-100), bars: 95% bootstrap interval")
        axes.set_title(title)
        axes.grid(axis="x", alpha=0.3)
        figure.tight_layout()
        path = Path(path)
        figure.savefig(path, format="png", metadata={"Software": None})
        plt.close(figure)
    return path
