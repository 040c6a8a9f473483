"""`spar-bench compare`: paired deltas over shared ids, verdicts, the regression gate and the markdown table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from spar_bench import cli
from spar_bench.cli import compare as cli_compare
from spar_bench.results import compare as cmp
from spar_bench.results.prepare import prepare
from spar_bench.results.verify import verify
from spar_bench.runner import run
from spar_bench.scoring import read_predictions, score_predictions, write_scored
from spar_bench.tasks_spec import TASK_IDS


def _run(folder: Path, model: str, **args) -> Path:
    run(
        model=model,
        model_args={k: str(v) for k, v in args.items()},
        tasks=["spar_bench_synth"],
        output=folder,
        show_progress=False,
    )
    return folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    return {
        "random": _run(root / "random", "spar_random", seed=1),
        "random_again": _run(root / "random_again", "spar_random", seed=1),
        "oracle": _run(root / "oracle", "spar_oracle"),
    }


def main(argv: list[str]) -> int:
    return cli.main(["compare", *argv])  # errors become messages in spar_bench.cli.main, as for users


def test_identical_runs_are_within_noise_with_zero_deltas(runs):
    result = cmp.compare(cmp.load_side(runs["random"]), cmp.load_side(runs["random_again"]))
    assert result.paired and result.n_shared == 200 and result.n_base_only == result.n_new_only == 0
    assert {r.verdict for r in result.rows} == {cmp.NOISE}
    assert all(r.delta == 0 and r.ci95 == (0.0, 0.0) for r in result.rows)
    assert [r.name for r in result.rows] == ["Avg", "Low", "Medium", "High", *TASK_IDS]


def test_a_clearly_better_run_is_better(runs):
    result = cmp.compare(cmp.load_side(runs["random"]), cmp.load_side(runs["oracle"]))
    headline = result.rows[0]
    assert headline.name == "Avg" and headline.verdict == cmp.BETTER
    assert headline.new == pytest.approx(100.0) and headline.delta > 30 and headline.ci95[0] > 0
    reverse = cmp.compare(cmp.load_side(runs["oracle"]), cmp.load_side(runs["random"]))
    assert reverse.rows[0].verdict == cmp.WORSE and reverse.rows[0].delta == pytest.approx(-headline.delta)


def test_only_shared_ids_are_compared_and_the_rest_counted(runs, tmp_path):
    lines = (runs["oracle"] / "predictions.jsonl").read_text().splitlines()
    partial = tmp_path / "partial.jsonl"
    partial.write_text("\n".join(lines[:120]) + "\n")
    result = cmp.compare(cmp.load_side(runs["random"]), cmp.load_side(partial))
    assert (result.n_shared, result.n_base_only, result.n_new_only) == (120, 80, 0)
    assert sum(r.n for r in result.rows if r.kind == "task") == 120


def test_paired_bootstrap_is_seeded_and_resamples_the_same_ids_on_both_sides():
    rng = np.random.default_rng(5)
    tasks = ["depth_prediction_oc"] * 50 + ["position_matching"] * 30
    base = rng.random(80)
    shifted = cmp.paired_bootstrap(tasks, base, base + 0.1, draws=200, seed=3)
    # a constant shift is the same on every resample: no noise at all when the pairing is kept
    assert np.allclose(shifted["depth_prediction_oc"], 10.0) and np.allclose(shifted["position_matching"], 10.0)
    new = rng.random(80)
    first = cmp.paired_bootstrap(tasks, base, new, draws=200, seed=3)
    again = cmp.paired_bootstrap(tasks, base, new, draws=200, seed=3)
    assert all(np.array_equal(first[t], again[t]) for t in first)
    assert first["depth_prediction_oc"].shape == (200,)


def test_fail_on_regression_exits_1_for_a_drop_outside_the_noise(runs, capsys):
    assert main([str(runs["oracle"]), str(runs["random"]), "--fail-on-regression", "5"]) == 1
    assert "regression in Avg" in capsys.readouterr().err


def test_fail_on_regression_exits_0_for_a_drop_smaller_than_the_threshold(runs):
    assert main([str(runs["oracle"]), str(runs["random"]), "--fail-on-regression", "100"]) == 0


def test_fail_on_regression_exits_0_for_an_improvement_or_no_change(runs):
    assert main([str(runs["random"]), str(runs["oracle"]), "--fail-on-regression", "0"]) == 0
    assert main([str(runs["random"]), str(runs["random_again"]), "--fail-on-regression", "0"]) == 0


def test_markdown_holds_every_row_and_the_shared_count(runs, tmp_path):
    out = tmp_path / "comment.md"
    assert (
        main(
            [
                str(runs["random"]),
                str(runs["oracle"]),
                "--markdown",
                str(out),
                "--protocol",
                "official",
                "--fail-on-regression",
                "1",
                "--bootstrap",
                "200",
                "--seed",
                "7",
            ]
        )
        == 0
    )
    text = out.read_text()
    assert "official protocol" in text and "200 shared questions" in text and "seed 7" in text
    assert "| **Avg** |" in text and "| **Low** |" in text
    for task in TASK_IDS:
        assert f"| `{task}` |" in text
    assert "better" in text and "regression gate" in text
    assert len([line for line in text.splitlines() if line.startswith("| ")]) == 1 + 4 + 20


def test_markdown_cells_cannot_break_the_table():
    assert cli_compare._cell("a|b<script>") == "a\\|b&lt;script&gt;"


def test_scored_jsonl_and_predictions_jsonl_give_the_same_comparison(runs, tmp_path):
    predictions = read_predictions([runs["oracle"] / "predictions.jsonl"])
    scored = tmp_path / "scored.jsonl"
    write_scored(scored, predictions, score_predictions(predictions, ["strict", "official"]))
    from_scored = cmp.compare(cmp.load_side(runs["random"]), cmp.load_side(scored))
    from_run = cmp.compare(cmp.load_side(runs["random"]), cmp.load_side(runs["oracle"]))
    assert from_scored.rows == from_run.rows


def test_a_bundle_is_verified_and_compared_paired(runs, tmp_path):
    bundle = prepare(runs["oracle"], "Oracle", "Org", tmp_path / "oracle.tar.gz")
    result = cmp.compare(cmp.load_side(runs["random"]), cmp.load_side(bundle))
    assert result.paired and result.n_shared == 200 and result.rows[0].verdict == cmp.BETTER


def test_a_rejected_bundle_is_an_input_error(runs, tmp_path, capsys):
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"\x1f\x8bnot really")
    assert main([str(runs["random"]), str(bad)]) == 2
    assert "rejected" in capsys.readouterr().err


def test_an_entry_gives_an_unpaired_comparison_from_its_intervals(runs, tmp_path):
    bundle = prepare(runs["random"], "Random", "Org", tmp_path / "random.tar.gz")
    entry = tmp_path / "random__synth.json"
    entry.write_text(json.dumps(verify(bundle).entry))
    same = cmp.compare(cmp.load_side(entry), cmp.load_side(runs["random_again"]))
    assert not same.paired and "unpaired" in same.notes[0]
    assert same.rows[0].delta == pytest.approx(0.0) and same.rows[0].verdict == cmp.NOISE
    assert same.rows[0].ci95[0] < -1  # two independent intervals: wide
    better = cmp.compare(cmp.load_side(entry), cmp.load_side(runs["oracle"]))
    assert better.rows[0].verdict == cmp.BETTER


def test_entries_on_different_datasets_are_refused(runs, tmp_path):
    bundle = prepare(runs["random"], "Random", "Org", tmp_path / "random.tar.gz")
    entry = verify(bundle).entry
    other = {**entry, "dataset": {**entry["dataset"], "fingerprint": "f" * 64}}
    (tmp_path / "a.json").write_text(json.dumps(entry))
    (tmp_path / "b.json").write_text(json.dumps(other))
    with pytest.raises(cmp.CompareError, match="different datasets"):
        cmp.compare(cmp.load_side(tmp_path / "a.json"), cmp.load_side(tmp_path / "b.json"))


def test_inputs_sharing_no_id_are_an_error(runs, tmp_path):
    record = {"id": 10**9, "task": "depth_prediction_oc", "answer": "1", "prediction": "1"}
    (tmp_path / "other.jsonl").write_text(json.dumps(record) + "\n")
    with pytest.raises(cmp.CompareError, match="share no question id"):
        cmp.compare(cmp.load_side(runs["random"]), cmp.load_side(tmp_path / "other.jsonl"))
