"""From per-sample scores to the benchmark's numbers: task means, level and view means, the headline.

The headline is the unweighted mean of the per-task means (x100), as the paper reports it; a level or view
group is the unweighted mean of its tasks. Medium holds all three medium tasks, view_change_infer included
(the released code's level split drops it by a key slip; the paper's table does not).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from spar_bench.tasks_spec import LEVELS, TASK_IDS, VIEW_GROUPS, task_spec, tasks_in


@dataclass(frozen=True)
class TaskScore:
    """Mean score of one task on a 0-100 scale over `n` samples."""

    score: float
    n: int


@dataclass(frozen=True)
class Summary:
    """Scores on a 0-100 scale. Groups with no evaluated task are absent, never 0."""

    overall: float
    levels: dict[str, float]
    views: dict[str, float]
    tasks: dict[str, TaskScore]

    def as_dict(self) -> dict:
        return {
            "overall": self.overall,
            "levels": dict(self.levels),
            "views": dict(self.views),
            "tasks": {task: {"score": t.score, "n": t.n} for task, t in self.tasks.items()},
        }


def macro_means(task_means: Mapping[str, float]) -> tuple[float, dict[str, float], dict[str, float]]:
    """(headline, level means, view means) from per-task means, each the unweighted mean of its tasks.

    Inputs and outputs share a scale. Tasks missing from `task_means` are left out of every mean; a group
    with none of its tasks present is absent from the result. Raises ValueError for an empty mapping.
    """
    if not task_means:
        raise ValueError("no task scores to aggregate")
    for task in task_means:
        task_spec(task)  # raises on an unknown id

    def mean_of(tasks: Iterable[str]) -> float | None:
        present = [task_means[t] for t in tasks if t in task_means]
        return float(np.mean(present)) if present else None

    overall = mean_of(TASK_IDS)
    levels = {level.value: m for level in LEVELS if (m := mean_of(tasks_in(level))) is not None}
    views = {view.value: m for view in VIEW_GROUPS if (m := mean_of(tasks_in(view))) is not None}
    return overall, levels, views


def summarize(samples: Iterable[tuple[str, float]]) -> Summary:
    """Aggregate (task id, score in [0, 1]) pairs into a Summary on a 0-100 scale."""
    by_task: dict[str, list[float]] = defaultdict(list)
    for task, score in samples:
        by_task[task].append(score)
    tasks = {
        task: TaskScore(100.0 * float(np.mean(by_task[task])), len(by_task[task]))
        for task in TASK_IDS
        if task in by_task
    }
    unknown = set(by_task) - set(TASK_IDS)
    if unknown:
        task_spec(sorted(unknown)[0])
    overall, levels, views = macro_means({task: t.score for task, t in tasks.items()})
    return Summary(overall, levels, views, tasks)
