"""From per-sample scores to the benchmark's numbers: task means, level and view means, the headline, and
their 95% intervals.

The headline is the unweighted mean of the per-task means (x100), as the paper reports it; a level or view
group is the unweighted mean of its tasks. Medium holds all three medium tasks, view_change_infer included
(the released code's level split drops it by a key slip; the paper's table does not).

Intervals are exact or closed-form, so they need no seed and hold at the embedded set's 10 questions per task:
a task gets the Clopper-Pearson interval of its score sum, a group the stratified normal interval with each
task's variance padded by a 0 and a 1. benchmarks/bench_intervals.py measures their coverage at 10 questions
per task: at worst 0.98 per task (0/1 and MRA scores), 0.96 for the headline and 0.945 for a 3-task level,
where the percentile bootstrap they replace fell to 0.08, 0.85 and 0.25.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from spar_bench.tasks_spec import LEVELS, TASK_IDS, VIEW_GROUPS, task_spec, tasks_in

Interval = tuple[float, float]
BOOTSTRAP_DRAWS = 1000  # draws of `spar-bench compare`'s paired bootstrap of differences


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
    when none were asked for."""

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
    mean = lambda tasks: float(np.mean([task_means[t] for t in tasks]))
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
    intervals: bool = True,
) -> Summary:
    """Aggregate per-sample (task id, score in [0, 1]) into a Summary on a 0-100 scale.

    With `intervals`, every task gets its Clopper-Pearson 95% interval and every level, view group and the
    headline the stratified interval of `stratified_interval` (exact and deterministic: nothing is resampled). Raises KeyError (UnknownTaskError) on an
    unknown task and ValueError when a score lies outside [0, 1].
    """
    score_array = np.asarray(scores, dtype=np.float64)
    if len(tasks) != len(score_array):
        raise ValueError(f"{len(tasks)} task ids but {len(score_array)} scores")
    names = list(dict.fromkeys(tasks))  # a dict, not np.unique: sorting Python strings is the slow part
    for name in names:
        task_spec(name)
    index = {name: i for i, name in enumerate(names)}
    inverse = np.fromiter((index[t] for t in tasks), dtype=np.intp, count=len(tasks))
    counts = np.bincount(inverse, minlength=len(names))
    sums = np.bincount(inverse, weights=score_array, minlength=len(names))
    means = sums / counts
    failures = None
    if parse_failed is not None:
        failures = np.bincount(inverse, weights=np.asarray(parse_failed, dtype=np.float64), minlength=len(names))
    present = [t for t in TASK_IDS if t in index]
    if intervals and len(score_array) and (score_array.min() < 0 or score_array.max() > 1):
        raise ValueError("scores must lie in [0, 1] for their intervals")

    task_scores = {}
    for task in present:
        i = index[task]
        task_scores[task] = TaskScore(
            score=100.0 * float(means[i]),
            n=int(counts[i]),
            ci95=_scaled(clopper_pearson(float(sums[i]), int(counts[i]))) if intervals else None,
            parse_failure_rate=None if failures is None else 100.0 * float(failures[i] / counts[i]),
        )
    overall, levels, views = macro_means({t: s.score for t, s in task_scores.items()})
    if not intervals:
        return Summary(overall, levels, views, task_scores)
    squares = np.bincount(inverse, weights=score_array**2, minlength=len(names))
    # Per task, the variance of its mean with a 0 and a 1 added to its scores (see `stratified_interval`).
    padded = _padded_variance(sums, squares, counts)
    groups = _groups(present)
    macro = lambda ts: _scaled(_stratified([means[index[t]] for t in ts], [padded[index[t]] for t in ts]))
    return Summary(
        overall,
        levels,
        views,
        task_scores,
        overall_ci95=macro(present),
        levels_ci95={name: macro(ts) for name, ts in groups["levels"].items()},
        views_ci95={name: macro(ts) for name, ts in groups["views"].items()},
    )


def _scaled(interval: Interval) -> Interval:
    return 100.0 * interval[0], 100.0 * interval[1]


# ---------------------------------------------------------------- intervals


def percentile_interval(draws: np.ndarray) -> Interval:
    """The 2.5th and 97.5th percentiles of bootstrap draws: a 95% interval (compare's paired differences)."""
    low, high = np.percentile(draws, [2.5, 97.5])
    return float(low), float(high)


def clopper_pearson(total: float, n: int, level: float = 0.95) -> Interval:
    """The exact binomial (Clopper-Pearson) interval for a mean of `n` scores in [0, 1] summing to `total`, on
    a 0-1 scale.

    For 0/1 scores it is the textbook interval, whose coverage never falls below `level`; for scores in
    between (MRA's tenths) the sum enters the beta quantiles as a real number, which is conservative because a
    [0, 1] score varies at most as much as a 0/1 one with the same mean (benchmarks/bench_intervals.py measures
    it). Every right answer gives [lower, 1] with lower < 1, never a point. Raises ValueError for n < 1 or a
    total outside [0, n].
    """
    if n < 1:
        raise ValueError(f"an interval needs at least one score, got n = {n}")
    if not -1e-9 <= total <= n + 1e-9:
        raise ValueError(f"scores of {n} samples cannot sum to {total}")
    total = min(max(float(total), 0.0), float(n))
    tail = (1.0 - level) / 2
    low = 0.0 if total <= 1e-9 else _beta_quantile(tail, total, n - total + 1)
    high = 1.0 if total >= n - 1e-9 else _beta_quantile(1.0 - tail, total + 1, n - total)
    return low, high


def stratified_interval(groups: Sequence[np.ndarray], level: float = 0.95) -> Interval:
    """A normal interval for the unweighted mean of group means (each group a task's scores in [0, 1]), on a
    0-1 scale and clipped to it.

    Each task's variance is estimated with one 0 and one 1 added to its scores (ddof 1), which keeps a task whose
    ten answers were all right from counting as certain, and the variances of the task means add up, so the
    interval is stratified by task as the headline is. Raises ValueError for no groups or an empty one.
    """
    if not groups or any(len(g) == 0 for g in groups):
        raise ValueError("a stratified interval needs at least one score in every group")
    arrays = [np.asarray(g, dtype=np.float64) for g in groups]
    means = [float(g.mean()) for g in arrays]
    variances = [float(_padded_variance(g.sum(), (g**2).sum(), len(g))) for g in arrays]
    return _stratified(means, variances, level)


def _padded_variance(sums, squares, counts):
    """The variance of a task mean with one 0 and one 1 added to its scores (ddof 1), from the scores' sum,
    sum of squares and count; elementwise over arrays."""
    return (squares + 1.0 - (sums + 1.0) ** 2 / (counts + 2)) / (counts + 1) / counts


def _stratified(means: Sequence[float], variances: Sequence[float], level: float = 0.95) -> Interval:
    """mean(means) +- z * sqrt(sum(variances)) / len(means), clipped to [0, 1]."""
    z = NormalDist().inv_cdf(1.0 - (1.0 - level) / 2)
    centre = float(np.mean(means))
    half = z * math.sqrt(max(float(np.sum(variances)), 0.0)) / len(means)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def _beta_quantile(p: float, a: float, b: float) -> float:
    """The p-quantile of Beta(a, b) (a, b > 0)."""
    from scipy.special import betaincinv  # scipy is a core dependency; imported here to keep start-up light

    return float(betaincinv(a, b, p))
