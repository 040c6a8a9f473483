"""Summaries to the terminal: one row per task, then levels, views and the headline, one column per protocol."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.table import Table

from spar_bench.aggregate import Interval, Summary
from spar_bench.tasks_spec import TASKS


def _cell(score: float | None, interval: Interval | None = None) -> str:
    if score is None:
        return ""
    return f"{score:.2f}" if interval is None else f"{score:.2f} [{interval[0]:.1f}, {interval[1]:.1f}]"


def summary_table(summaries: Mapping[str, Summary], *, title: str) -> Table:
    """A rich table with a score column per protocol (0-100, with the 95% interval when computed); with
    both `strict` and `official`, a `strict - official` column shows how much of a score is parser
    artefact, and `unparsed %` the strict protocol's parse-failure rate."""
    protocols = list(summaries)
    both = {"strict", "official"} <= set(protocols)
    first = summaries[protocols[0]]
    table = Table(title=title)
    for header in ("Task", "Paper column", "n", *protocols):
        table.add_column(header, justify="left" if header in ("Task", "Paper column") else "right")
    if both:
        table.add_column("strict - official", justify="right")
    has_failures = "strict" in summaries and any(
        t.parse_failure_rate is not None for t in summaries["strict"].tasks.values()
    )
    if has_failures:
        table.add_column("unparsed %", justify="right")

    def row(label: str, column: str, n: str, scores: list[tuple[float | None, Interval | None]], failure=None):
        cells = [_cell(*s) for s in scores]
        if both:
            strict, official = scores[protocols.index("strict")][0], scores[protocols.index("official")][0]
            cells.append("" if strict is None or official is None else f"{strict - official:+.2f}")
        if has_failures:
            cells.append("" if failure is None else f"{failure:.1f}")
        table.add_row(label, column, n, *cells)

    for spec in TASKS:
        if spec.task_id in first.tasks:
            tasks = [summaries[p].tasks[spec.task_id] for p in protocols]
            failure = summaries["strict"].tasks[spec.task_id].parse_failure_rate if has_failures else None
            row(spec.task_id, spec.paper_column, str(tasks[0].n), [(t.score, t.ci95) for t in tasks], failure)
    table.add_section()
    for level in first.levels:
        row(f"level: {level}", "", "", [(s.levels.get(level), s.levels_ci95.get(level)) for s in summaries.values()])
    for view in first.views:
        row(f"view: {view}", "", "", [(s.views.get(view), s.views_ci95.get(view)) for s in summaries.values()])
    table.add_section()
    n_total = str(sum(t.n for t in first.tasks.values()))
    row("SPAR-Bench (mean of task means)", "Avg", n_total, [(s.overall, s.overall_ci95) for s in summaries.values()])
    return table


def print_summary(summaries: Mapping[str, Summary], *, title: str, console: Console | None = None) -> None:
    (console or Console(width=160)).print(summary_table(summaries, title=title))
