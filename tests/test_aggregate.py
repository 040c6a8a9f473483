"""Aggregation against the arithmetic of the paper's Table 4."""

import csv

import numpy as np
import pytest
from conftest import DATA

from spar_bench.aggregate import clopper_pearson, macro_means, stratified_interval, summarize
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


def test_intervals_contain_the_score_and_are_deterministic():
    rng = np.random.default_rng(1)
    tasks = ["depth_prediction_oc"] * 200 + ["position_matching"] * 200
    scores = rng.integers(0, 11, size=400) / 10
    first = summarize(tasks, scores)
    low, high = first.tasks["depth_prediction_oc"].ci95
    assert low < first.tasks["depth_prediction_oc"].score < high
    assert first.overall_ci95[0] < first.overall < first.overall_ci95[1]
    assert summarize(list(tasks), scores.copy()) == first  # exact intervals: a second call gives the same


def test_task_interval_width_matches_the_normal_approximation_at_large_n():
    # 400 Bernoulli(0.5) samples: standard error 2.5 points, so the 95% interval is about +-4.9 points.
    scores = np.array([0.0, 1.0] * 200)
    low, high = summarize(["position_matching"] * 400, scores).tasks["position_matching"].ci95
    assert high - low == pytest.approx(2 * 1.96 * 2.5, rel=0.1)


def test_a_task_with_every_answer_right_is_not_certain():
    # Clopper-Pearson for 10 of 10: [0.025 ** (1 / 10), 1].
    summary = summarize(["position_matching"] * 10, [1.0] * 10)
    assert summary.tasks["position_matching"].ci95 == pytest.approx((100 * 0.025**0.1, 100.0))
    assert summary.overall_ci95[0] < 100.0 and summary.levels_ci95["medium"][0] < 100.0


def test_a_task_with_every_answer_wrong_is_not_certain():
    low, high = summarize(["position_matching"] * 10, [0.0] * 10).tasks["position_matching"].ci95
    assert low == 0.0 and high == pytest.approx(100 * (1 - 0.025**0.1))


@pytest.mark.parametrize(
    ("total", "n", "expected"),
    [
        (3, 10, (0.06673951, 0.65245285)),  # scipy.stats.beta quantiles
        (7.5, 10, (0.39418168, 0.95594059)),  # a fractional sum of MRA scores
        (0, 1, (0.0, 0.975)),
    ],
)
def test_clopper_pearson_matches_the_beta_quantiles(total, n, expected):
    assert clopper_pearson(total, n) == pytest.approx(expected, abs=1e-7)


def test_clopper_pearson_rejects_impossible_sums():
    with pytest.raises(ValueError, match="cannot sum"):
        clopper_pearson(11, 10)
    with pytest.raises(ValueError, match="at least one"):
        clopper_pearson(0, 0)


def _exact_coverage(distribution: dict[float, float], n: int) -> float:
    """Coverage of the task interval when n scores are drawn from `distribution` (score in tenths -> p)."""
    sums = np.array([1.0])
    step = np.zeros(11)
    for score, p in distribution.items():
        step[round(score * 10)] = p
    for _ in range(n):
        sums = np.convolve(sums, step)
    truth = sum(score * p for score, p in distribution.items())
    covered = [clopper_pearson(k / 10, n)[0] <= truth <= clopper_pearson(k / 10, n)[1] for k in range(len(sums))]
    return float(sums @ np.array(covered))


@pytest.mark.parametrize("p", [0.02, 0.1, 0.5, 0.8, 0.95, 0.99])
def test_task_interval_covers_a_0_1_task_at_ten_questions(p):
    assert _exact_coverage({0.0: 1 - p, 1.0: p}, 10) >= 0.95


@pytest.mark.parametrize(
    "distribution",
    [
        {0.0: 0.3, 0.9: 0.35, 1.0: 0.35},  # miss or nearly hit
        {0.5: 0.2, 0.6: 0.3, 0.7: 0.3, 0.8: 0.2},  # always roughly right
        {0.9: 0.1, 1.0: 0.9},  # nearly perfect
    ],
)
def test_task_interval_covers_an_mra_task_at_ten_questions(distribution):
    assert _exact_coverage(distribution, 10) >= 0.93


def test_macro_interval_is_stratified_by_task():
    # The headline interval adds the variances of the task means; each task's variance counts a 0 and a 1 more.
    scores = {"depth_prediction_oc": [1.0] * 5, "position_matching": [0.0] * 5}
    summary = summarize([t for t, s in scores.items() for _ in s], [v for s in scores.values() for v in s])
    low, high = stratified_interval([np.array(s) for s in scores.values()])
    assert summary.overall_ci95 == pytest.approx((100 * low, 100 * high))
    padded = np.var([1.0] * 5 + [0.0, 1.0], ddof=1) / 5  # both tasks have this variance, by symmetry
    assert high - 0.5 == pytest.approx(1.959964 * np.sqrt(2 * padded) / 2, rel=1e-5)
    assert summary.levels_ci95["low"][0] < 100.0 and summary.levels_ci95["medium"][1] > 0.0


def test_no_bootstrap_gives_no_intervals():
    summary = summarize(["position_matching"], [1.0], intervals=False)
    assert summary.tasks["position_matching"].ci95 is None and summary.overall_ci95 is None


def _rendered(table) -> str:
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(table)
    return console.export_text()


def test_a_summary_of_fewer_than_20_tasks_says_how_many_and_is_not_the_spar_bench_avg():
    from spar_bench.cli.report import summary_table

    summary = summarize(["position_matching", "depth_prediction_oc"], [1.0, 0.5])
    text = _rendered(summary_table({"strict": summary}, title="SPAR-Bench: 2 predictions"))
    assert "covers 2 of 20 tasks" in text and "mean of 2 task means" in text
    assert "Avg" not in text and "SPAR-Bench (mean of task means)" not in text


def test_a_summary_of_all_20_tasks_is_the_spar_bench_avg():
    from spar_bench.cli.report import summary_table

    summary = summarize(list(TASK_IDS), [0.5] * len(TASK_IDS))
    text = _rendered(summary_table({"strict": summary}, title="SPAR-Bench"))
    assert "SPAR-Bench (mean of task means)" in text and "Avg" in text and "covers" not in text
