"""From per-sample scores to the benchmark's numbers: task means, level and view means, the headline, and
their bootstrap 95% intervals.

The headline is the unweighted mean of the per-task means (x100), as the paper reports it; a level or view
group is the unweighted mean of its tasks. Medium holds all three medium tasks, view_change_infer included
(the released code's level split drops it by a key slip; the paper's table does not).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from spar_bench.tasks_spec import LEVELS, TASK_IDS, VIEW_GROUPS, task_spec, tasks_in

Interval = tuple[float, float]
BOOTSTRAP_DRAWS = 1000


@dataclass(frozen=True)
class TaskScore:
    """One task on a 0-100 scale: mean score over `n` samples, its 95% interval, and the share (0-100) of
    responses the protocol could not parse."""

    score: float
    n: int
    ci95: Interval | None = None
    parse_failure_rate: float | None = None


@dataclass(frozen=True)
class Summary:
    """Scores on a 0-100 scale. Groups with no evaluated task are absent, never 0. Intervals are empty
    when no bootstrap was asked for."""

    overall: float
    levels: dict[str, float]
    views: dict[str, float]
    tasks: dict[str, TaskScore]
    overall_ci95: Interval | None = None
    levels_ci95: dict[str, Interval] = field(default_factory=dict)
    views_ci95: dict[str, Interval] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """JSON-ready: `overall`, `levels`, `views`, `tasks` ({task: {score, n, ci95, parse_failure_rate}})."""
        return {
            "overall": self.overall,
            "overall_ci95": _listed(self.overall_ci95),
            "levels": dict(self.levels),
            "levels_ci95": {k: _listed(v) for k, v in self.levels_ci95.items()},
            "views": dict(self.views),
            "views_ci95": {k: _listed(v) for k, v in self.views_ci95.items()},
            "tasks": {
                task: {"score": t.score, "n": t.n, "ci95": _listed(t.ci95), "parse_failure_rate": t.parse_failure_rate}
                for task, t in self.tasks.items()
            },
        }


def _listed(interval: Interval | None) -> list[float] | None:
    return None if interval is None else [interval[0], interval[1]]


def _groups(present: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    """{"levels": {level: [tasks]}, "views": {...}} restricted to `present` tasks, empty groups left out."""
    return {
        "levels": {g.value: ts for g in LEVELS if (ts := [t for t in tasks_in(g) if t in present])},
        "views": {g.value: ts for g in VIEW_GROUPS if (ts := [t for t in tasks_in(g) if t in present])},
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
    present = [t for t in TASK_IDS if t in task_means]
    groups = _groups(present)
    mean = lambda tasks: float(np.mean([task_means[t] for t in tasks]))  # noqa: E731
    return (
        mean(present),
        {name: mean(tasks) for name, tasks in groups["levels"].items()},
        {name: mean(tasks) for name, tasks in groups["views"].items()},
    )


def summarize(
    tasks: Sequence[str],
    scores: Sequence[float],
    parse_failed: Sequence[bool] | None = None,
    *,
    bootstrap: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
) -> Summary:
    """Aggregate per-sample (task id, score in [0, 1]) into a Summary on a 0-100 scale.

    With `bootstrap` > 0, every task, level, view group and the headline get a percentile 95% interval
    from `bootstrap` seeded resamples; the macro means resample within each task (stratified by task),
    so every resample has the same tasks as the data. Raises KeyError (UnknownTaskError) on an unknown task.
    """
    score_array = np.asarray(scores, dtype=np.float64)
    if len(tasks) != len(score_array):
        raise ValueError(f"{len(tasks)} task ids but {len(score_array)} scores")
    names = list(dict.fromkeys(tasks))  # a dict, not np.unique: sorting Python strings is the slow part
    for name in names:
        task_spec(name)
    code = {name: i for i, name in enumerate(names)}
    inverse = np.fromiter((code[t] for t in tasks), dtype=np.intp, count=len(tasks))
    counts = np.bincount(inverse, minlength=len(names))
    means = np.bincount(inverse, weights=score_array, minlength=len(names)) / counts
    failures = None
    if parse_failed is not None:
        failures = np.bincount(inverse, weights=np.asarray(parse_failed, dtype=np.float64), minlength=len(names))
    index = {name: i for i, name in enumerate(names)}
    present = [t for t in TASK_IDS if t in index]

    draws: dict[str, np.ndarray] = {}
    if bootstrap > 0:
        rng = np.random.default_rng(seed)
        for task in present:  # fixed order: the same seed gives the same intervals
            draws[task] = 100.0 * _bootstrap_means(score_array[inverse == index[task]], bootstrap, rng)

    task_scores = {}
    for task in present:
        i = index[task]
        task_scores[task] = TaskScore(
            score=100.0 * float(means[i]),
            n=int(counts[i]),
            ci95=percentile_interval(draws[task]) if draws else None,
            parse_failure_rate=None if failures is None else 100.0 * float(failures[i] / counts[i]),
        )
    overall, levels, views = macro_means({t: s.score for t, s in task_scores.items()})
    if not draws:
        return Summary(overall, levels, views, task_scores)
    groups = _groups(present)
    macro = lambda tasks: percentile_interval(np.mean([draws[t] for t in tasks], axis=0))  # noqa: E731
    return Summary(
        overall,
        levels,
        views,
        task_scores,
        overall_ci95=macro(present),
        levels_ci95={name: macro(ts) for name, ts in groups["levels"].items()},
        views_ci95={name: macro(ts) for name, ts in groups["views"].items()},
    )


def _bootstrap_means(scores: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Means of `draws` resamples with replacement, drawn as multinomial counts over the distinct values
    (the same distribution as resampling indices, at a cost independent of the sample count)."""
    values, counts = np.unique(scores, return_counts=True)
    n = len(scores)
    return rng.multinomial(n, counts / n, size=draws) @ values / n


def percentile_interval(draws: np.ndarray) -> Interval:
    """The 2.5th and 97.5th percentiles of bootstrap draws: a 95% interval."""
    low, high = np.percentile(draws, [2.5, 97.5])
    return float(low), float(high)
