"""Summaries to the terminal: the per-task table with level, view and headline rows."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from spar_bench.aggregate import Summary
from spar_bench.tasks_spec import TASKS


def summary_table(summary: Summary, *, title: str) -> Table:
    """A rich table: one row per evaluated task in paper order, then levels, views and the headline (0-100)."""
    table = Table(title=title)
    for header in ("Task", "Paper column", "Level", "View", "n", "Score"):
        table.add_column(header, justify="right" if header in ("n", "Score") else "left")
    for spec in TASKS:
        if (task := summary.tasks.get(spec.task_id)) is not None:
            table.add_row(spec.task_id, spec.paper_column, spec.level.value, spec.view.value, str(task.n), f"{task.score:.2f}")
    table.add_section()
    for level, score in summary.levels.items():
        table.add_row(f"level: {level}", "", "", "", "", f"{score:.2f}")
    for view, score in summary.views.items():
        table.add_row(f"view: {view}", "", "", "", "", f"{score:.2f}")
    table.add_section()
    table.add_row("SPAR-Bench (mean of task means)", "Avg", "", "", str(sum(t.n for t in summary.tasks.values())), f"{summary.overall:.2f}")
    return table


def print_summary(summary: Summary, *, title: str, console: Console | None = None) -> None:
    (console or Console()).print(summary_table(summary, title=title))
