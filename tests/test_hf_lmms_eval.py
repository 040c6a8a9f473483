"""`spar_hf` through lmms-eval: a rigged tiny checkpoint gives an exactly known score, and accelerate's data
parallelism (2 CPU processes over gloo) gives the same samples and results as one process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures import tiny_checkpoints  # noqa: F401

from spar_bench.data import load_questions

pytest.importorskip("lmms_eval", reason="the lmms extra is not installed")
pytest.importorskip("transformers", reason="the hf extra is not installed")

TASK = "spar_bench_synth_obj_spatial_relation_oo"
ENV = {
    **os.environ,
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "OMP_NUM_THREADS": "1",
}


def evaluate(prefix: list[str], checkpoint: Path, out: Path, journal: Path) -> tuple[dict, dict[int, str]]:
    command = [
        *prefix,
        "--model",
        "spar_hf",
        "--model_args",
        f"pretrained={checkpoint},journal={journal}",
        "--tasks",
        TASK,
        "--output_path",
        str(out),
        "--log_samples",
    ]
    result = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (results,) = out.rglob("*_results.json")
    (samples,) = out.rglob("*_samples_*.jsonl")
    responses = {
        json.loads(line)["doc_id"]: json.loads(line)["filtered_resps"] for line in samples.read_text().splitlines()
    }
    return json.loads(results.read_text())["results"][TASK], responses


def test_rigged_checkpoint_scores_exactly_the_share_of_its_letter(tiny_checkpoints, tmp_path):  # noqa: F811
    checkpoint = tiny_checkpoints("qwen2_vl", answer="B")
    block, responses = evaluate(
        [sys.executable, "-m", "spar_bench", "lmms-eval"], checkpoint, tmp_path / "out", tmp_path / "journal"
    )
    assert set(responses.values()) == {"B"}
    answers = [q.answer for q in load_questions("synth") if q.task == "obj_spatial_relation_oo"]
    expected = 100.0 * answers.count("B") / len(answers)
    assert block["spar_score,none"] == pytest.approx(expected)
    assert block["spar_score_official,none"] == pytest.approx(expected)


def test_two_process_data_parallel_run_matches_one_process(tiny_checkpoints, tmp_path):  # noqa: F811
    checkpoint = tiny_checkpoints("qwen2_vl")  # random weights: any difference in batching or order would show
    single = evaluate([sys.executable, "-m", "spar_bench", "lmms-eval"], checkpoint, tmp_path / "one", tmp_path / "j1")
    launch = [
        sys.executable,
        "-m",
        "accelerate.commands.launch",
        "--multi_gpu",
        "--num_processes",
        "2",
        "--num_machines",
        "1",
        "--mixed_precision",
        "no",
        "--dynamo_backend",
        "no",
        "-m",
        "lmms_eval",
    ]
    double = evaluate(launch, checkpoint, tmp_path / "two", tmp_path / "j2")
    assert len(set(single[1].values())) > 1, (
        "the random model's answers must differ by question for this to test anything"
    )
    assert double[1] == single[1]
    assert double[0]["spar_score,none"] == single[0]["spar_score,none"]
    assert sorted(p.name for p in (tmp_path / "j2").rglob("*.jsonl")) == ["rank0.jsonl", "rank1.jsonl"]
