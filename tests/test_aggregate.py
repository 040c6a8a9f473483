"""Aggregation against the arithmetic of the paper's Table 4."""

import csv

import numpy as np
import pytest

from conftest import DATA
from spar_bench.aggregate import macro_means, summarize
from spar_bench.tasks_spec import TASK_IDS

# SPEC.md: the two places where the paper's own columns do not add up.
PAPER_INCONSISTENCIES = {("GPT-4o", "low"), ("LLaVA-OV-7B", "avg")}


def paper_rows() -> list[dict]:
    with open(DATA / "paper_table4.csv") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", paper_rows(), ids=lambda row: row["model"])
def test_paper_avg_and_levels_follow_from_the_task_columns(row):
    overall, levels, _ = macro_means({task: float(row[task]) for task in TASK_IDS})
    computed = {"avg": overall, **levels}
    for column, value in computed.items():
        if (row["model"], column) in PAPER_INCONSISTENCIES:
            assert abs(value - float(row[column])) > 0.01, "a known inconsistency of the paper disappeared"
        else:
            assert value == pytest.approx(float(row[column]), abs=0.01), column


def summarize_pairs(pairs, **kwargs):
    tasks, scores = zip(*pairs)
    return summarize(tasks, scores, **kwargs)


def test_headline_is_unweighted_mean_of_task_means():
    samples = [("depth_prediction_oc", 1.0)] * 9 + [("depth_prediction_oc", 0.0)] + [("position_matching", 0.0)]
    summary = summarize_pairs(samples)
    assert summary.tasks["depth_prediction_oc"].score == pytest.approx(90.0)
    assert summary.tasks["position_matching"].n == 1
    assert summary.overall == pytest.approx(45.0)


def test_groups_without_evaluated_tasks_are_absent_not_zero():
    summary = summarize_pairs([("depth_prediction_oc", 1.0)])
    assert summary.levels == {"low": 100.0}
    assert summary.views == {"single_view": 100.0}


def test_view_means_split_single_and_multi_view_tasks():
    summary = summarize_pairs([("depth_prediction_oc", 1.0), ("depth_prediction_oc_mv", 0.0)])
    assert summary.views == {"single_view": 100.0, "multi_view": 0.0}


def test_summarize_rejects_unknown_task():
    with pytest.raises(KeyError, match="not a SPAR-Bench task"):
        summarize_pairs([("depth", 1.0)])


def test_macro_means_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="no task scores"):
        macro_means({})


def test_parse_failure_rate_is_the_share_of_unparsed_samples():
    summary = summarize(["position_matching"] * 4, [1, 0, 0, 0], [False, True, True, False])
    assert summary.tasks["position_matching"].parse_failure_rate == 50.0


def test_bootstrap_interval_contains_the_score_and_is_seeded():
    rng = np.random.default_rng(1)
    tasks = ["depth_prediction_oc"] * 200 + ["position_matching"] * 200
    scores = rng.integers(0, 11, size=400) / 10
    first = summarize(tasks, scores, seed=7)
    low, high = first.tasks["depth_prediction_oc"].ci95
    assert low < first.tasks["depth_prediction_oc"].score < high
    assert first.overall_ci95[0] < first.overall < first.overall_ci95[1]
    assert summarize(tasks, scores, seed=7) == first
    assert summarize(tasks, scores, seed=8).overall_ci95 != first.overall_ci95


def test_bootstrap_interval_width_matches_the_normal_approximation():
    # 400 Bernoulli(0.5) samples: standard error 2.5 points, so the 95% interval is about +-4.9 points.
    scores = np.array([0.0, 1.0] * 200)
    low, high = summarize(["position_matching"] * 400, scores, bootstrap=4000).tasks["position_matching"].ci95
    assert high - low == pytest.approx(2 * 1.96 * 2.5, rel=0.1)


def test_macro_interval_is_stratified_by_task():
    # Two tasks with constant scores: every stratified resample has the same means, so the interval is a point.
    summary = summarize(["depth_prediction_oc"] * 5 + ["position_matching"] * 5, [1.0] * 5 + [0.0] * 5)
    assert summary.overall_ci95 == (50.0, 50.0)
    assert summary.levels_ci95 == {"low": (100.0, 100.0), "medium": (0.0, 0.0)}


def test_no_bootstrap_gives_no_intervals():
    summary = summarize(["position_matching"], [1.0], bootstrap=0)
    assert summary.tasks["position_matching"].ci95 is None and summary.overall_ci95 is None
