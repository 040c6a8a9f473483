"""Summaries to the terminal: one row per task, then levels, views and the headline, one column per protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from spar_bench.aggregate import Interval, Summary
from spar_bench.protocols import PROTOCOL_NAMES
from spar_bench.tasks_spec import TASKS

if TYPE_CHECKING:
    from spar_bench.scoring import GroundingSummary, TruncationCount


def _cell(score: float | None, interval: Interval | None = None) -> str:
    if score is None:
        return ""
    return f"{score:.2f}" if interval is None else f"{score:.2f} [{interval[0]:.1f}, {interval[1]:.1f}]"


def summary_table(
    summaries: Mapping[str, Summary], *, title: str, truncation: Mapping[str, TruncationCount] | None = None
) -> Table:
    """A rich table with a score column per protocol (0-100, with the 95% interval when computed); with
    both `strict` and `official`, a `strict - official` column shows how much of a score is parser
    artefact, and `unparsed %` the strict protocol's parse-failure rate. With `truncation` ({task: counts})
    and some finish reason known, `truncated/known` counts the responses that stopped at the token limit
    out of those whose finish reason was recorded."""
    protocols = list(summaries)
    both = set(PROTOCOL_NAMES) <= set(protocols)
    first = summaries[protocols[0]]
    table = Table(title=summary_title(title, len(first.tasks)))
    for header in ("Task", "Paper column", "n", *protocols):
        table.add_column(header, justify="left" if header in ("Task", "Paper column") else "right")
    if both:
        table.add_column("strict - official", justify="right")
    has_failures = "strict" in summaries and any(
        t.parse_failure_rate is not None for t in summaries["strict"].tasks.values()
    )
    if has_failures:
        table.add_column("unparsed %", justify="right")
    has_truncation = truncation is not None and any(t.known for t in truncation.values())
    if has_truncation:
        table.add_column("truncated/known", justify="right")

    def row(
        label: str,
        column: str,
        n: str,
        scores: list[tuple[float | None, Interval | None]],
        failure=None,
        truncated: TruncationCount | None = None,
    ):
        cells = [_cell(*s) for s in scores]
        if both:
            strict, official = scores[protocols.index("strict")][0], scores[protocols.index("official")][0]
            cells.append("" if strict is None or official is None else f"{strict - official:+.2f}")
        if has_failures:
            cells.append("" if failure is None else f"{failure:.1f}")
        if has_truncation:
            cells.append("" if truncated is None or not truncated.known else f"{truncated.truncated}/{truncated.known}")
        table.add_row(label, column, n, *cells)

    for spec in TASKS:
        if spec.task_id in first.tasks:
            tasks = [summaries[p].tasks[spec.task_id] for p in protocols]
            failure = summaries["strict"].tasks[spec.task_id].parse_failure_rate if has_failures else None
            counted = truncation.get(spec.task_id) if truncation is not None and has_truncation else None
            row(spec.task_id, spec.paper_column, str(tasks[0].n), [(t.score, t.ci95) for t in tasks], failure, counted)
    table.add_section()
    for level in first.levels:
        row(f"level: {level}", "", "", [(s.levels.get(level), s.levels_ci95.get(level)) for s in summaries.values()])
    for view in first.views:
        row(f"view: {view}", "", "", [(s.views.get(view), s.views_ci95.get(view)) for s in summaries.values()])
    table.add_section()
    n_total = str(sum(t.n for t in first.tasks.values()))
    label, column = headline_label(len(first.tasks))
    row(label, column, n_total, [(s.overall, s.overall_ci95) for s in summaries.values()])
    return table


def headline_label(n_tasks: int) -> tuple[str, str]:
    """(row label, paper column) of a summary's headline: the SPAR-Bench Avg only when all 20 tasks are in it;
    over fewer it says how many, so a file with 2 tasks is never read as a benchmark score."""
    if n_tasks >= len(TASKS):
        return "SPAR-Bench (mean of task means)", "Avg"
    return f"mean of {n_tasks} task means ({n_tasks} of {len(TASKS)} tasks)", ""


def summary_title(title: str, n_tasks: int) -> str:
    """`title`, with the count of tasks it covers appended when that is fewer than all 20."""
    if n_tasks >= len(TASKS):
        return title
    return f"{title}: covers {n_tasks} of {len(TASKS)} tasks (the SPAR-Bench average needs all {len(TASKS)})"


PROTOCOL_LEGEND = {
    "strict": "strict = credit for the answer a response states (headline)",
    "official": "official = the released scorer, quirks included (as in the paper)",
}
SYNTHETIC_LEGEND = "synth = generated rooms, not SPAR-Bench's photos (not comparable with the paper)"


def summary_legend(protocols: Sequence[str], *, synthetic: bool = False) -> str:
    """One line saying what each protocol column means, and with `synthetic` that the set is synthetic."""
    parts = [PROTOCOL_LEGEND[p] for p in protocols if p in PROTOCOL_LEGEND]
    if synthetic:
        parts.append(SYNTHETIC_LEGEND)
    return "; ".join(parts)


def print_summary(
    summaries: Mapping[str, Summary],
    *,
    title: str,
    console: Console | None = None,
    truncation: Mapping[str, TruncationCount] | None = None,
    synthetic: bool = False,
) -> None:
    """Print the summary table, then its one-line legend (see `summary_legend`)."""
    console = console or Console(width=160)
    console.print(summary_table(summaries, title=title, truncation=truncation))
    console.print(summary_legend(list(summaries), synthetic=synthetic), highlight=False, markup=False, soft_wrap=True)


def print_grounding(summary: GroundingSummary, *, console: Console | None = None) -> None:
    """Print the 3D grounding block (beyond the 20 tasks, never in the headline): n, mean IoU, Acc@0.25,
    Acc@0.5 and the unreadable-box rate, in points."""
    from spar_bench.tasks_spec import GROUNDING_TASK

    console = console or Console(width=160)
    table = Table(title=f"3D grounding: {summary.n} samples (0-100)")
    for header in ("Task", "n", "mean IoU", "Acc@0.25", "Acc@0.5", "no box %"):
        table.add_column(header, justify="left" if header == "Task" else "right")
    table.add_row(
        GROUNDING_TASK,
        str(summary.n),
        *(f"{value:.2f}" for value in (summary.mean_iou, summary.acc_25, summary.acc_50, summary.unparsed)),
    )
    console.print(table)
    console.print(
        f"{GROUNDING_TASK} is beyond SPAR-Bench's 20 tasks: scored by 3D IoU, never part of the headline",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
