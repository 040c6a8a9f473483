"""lmms-eval integration on the pinned version: registration with no flags, --include_path, end-to-end runs.

The end-to-end tests start lmms-eval as users do (a subprocess, ~20 s each, offline on the embedded synthetic set).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import hub_row, write_hub_parquet

lmms_eval = pytest.importorskip("lmms_eval", reason="the lmms extra is not installed: pip install -e '.[lmms]'")

from spar_bench.aggregate import summarize  # noqa: E402
from spar_bench.data import load_questions  # noqa: E402
from spar_bench.lmms import plugin as lmms_plugin  # noqa: E402
from spar_bench.model_adapters.baselines import BaselineQuestion, FrequencyBaseline  # noqa: E402
from spar_bench.protocols import PROTOCOLS  # noqa: E402
from spar_bench.tasks_spec import TASK_IDS  # noqa: E402

OFFLINE = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def run(args: list[str], env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, env=env or OFFLINE, cwd=cwd, timeout=600)


def results_json(output: Path) -> dict:
    (path,) = output.rglob("*_results.json")
    return json.loads(path.read_text())


# ------------------------------------------------------------------ registration


def test_entry_point_is_declared_in_the_installed_metadata():
    from importlib.metadata import entry_points

    (entry,) = [ep for ep in entry_points(group="lmms_eval.models") if ep.name == "spar_bench"]
    # An install made before 0.3 names the 0.2 module, kept as a shim; both paths load the one function.
    assert entry.value in ("spar_bench.lmms.plugin:lmms_eval_models", "spar_bench.lmms_plugin:lmms_eval_models")
    assert entry.load() is lmms_plugin.lmms_eval_models


def test_entry_point_declared_in_pyproject_loads_the_plugin_function():
    import importlib

    from conftest import REPO

    tomllib = pytest.importorskip("tomllib")
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"]["lmms_eval.models"]
    module, _, name = declared["spar_bench"].partition(":")
    assert (module, name) == ("spar_bench.lmms.plugin", "lmms_eval_models")
    assert getattr(importlib.import_module(module), name) is lmms_plugin.lmms_eval_models


def test_old_plugin_path_exposes_the_same_functions():
    from spar_bench import lmms_plugin as old

    assert old.lmms_eval_models is lmms_plugin.lmms_eval_models
    assert old.tasks_folder is lmms_plugin.tasks_folder
    assert old.register_task_folder is lmms_plugin.register_task_folder


def test_entry_point_returns_the_baseline_and_adapter_manifests():
    manifests = lmms_plugin.lmms_eval_models()
    assert {m.model_id for m in manifests} == {"spar_frequency", "spar_random", "spar_oracle", "spar_hf", "spar_openai"}


def test_every_manifest_names_an_lmms_eval_class_for_its_model():
    import importlib

    from lmms_eval.api.model import lmms

    for manifest in lmms_plugin.lmms_eval_models():
        module, _, name = manifest.simple_class_path.rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        assert issubclass(cls, lmms) and cls.model_name == manifest.model_id


def test_entry_point_never_raises_when_task_registration_fails(monkeypatch):
    def broken():
        raise RuntimeError("lmms-eval changed")

    monkeypatch.setattr(lmms_plugin, "register_task_folder", broken)
    assert len(lmms_plugin.lmms_eval_models()) == 5


def test_task_manager_indexes_our_tasks_without_include_path():
    from lmms_eval.tasks import TaskManager

    lmms_plugin.register_task_folder()
    all_tasks = set(TaskManager().all_tasks)
    expected = {
        "spar_bench",
        "spar_bench_tiny",
        "spar_bench_synth",
        "spar_bench_single_view",
        "spar_bench_multi_view",
        "spar_bench_tiny_single_view",
        "spar_bench_tiny_multi_view",
    }
    expected |= {f"spar_bench_{task_id}" for task_id in TASK_IDS}
    assert expected <= all_tasks


def test_registration_is_installed_once():
    from lmms_eval.tasks import TaskManager

    lmms_plugin.register_task_folder()
    wrapper = TaskManager.initialize_tasks
    assert lmms_plugin.register_task_folder() is True
    assert TaskManager.initialize_tasks is wrapper


def test_registration_leaves_an_unknown_task_manager_untouched(monkeypatch):
    from lmms_eval.tasks import TaskManager

    def initialize_tasks(self, paths):  # a shape we do not know
        return {}

    monkeypatch.setattr(TaskManager, "initialize_tasks", initialize_tasks)
    assert lmms_plugin.register_task_folder() is False
    assert TaskManager.initialize_tasks is initialize_tasks


def test_registration_can_be_switched_off(monkeypatch):
    from lmms_eval.tasks import TaskManager

    original = TaskManager.initialize_tasks
    monkeypatch.setattr(TaskManager, "initialize_tasks", getattr(original, "__wrapped__", original))
    monkeypatch.setenv("SPAR_BENCH_NO_TASK_REGISTRATION", "1")
    assert lmms_plugin.register_task_folder() is False
    assert not hasattr(TaskManager.initialize_tasks, "_spar_bench_task_folder")


def test_include_path_given_explicitly_is_not_indexed_twice():
    folder = str(lmms_plugin.tasks_folder())
    assert lmms_plugin._with_folder([folder], folder) == [folder]
    assert lmms_plugin._with_folder("other", folder) == ["other", folder]


def test_no_builtin_lmms_eval_task_uses_our_names():
    # Built-in names would silently win over ours; list lmms-eval's own index with our registration off.
    code = "import lmms_eval.models; from lmms_eval.tasks import TaskManager; print(*TaskManager().all_tasks)"
    result = run([sys.executable, "-c", code], env={**OFFLINE, "SPAR_BENCH_NO_TASK_REGISTRATION": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    builtin = result.stdout.split()
    assert len(builtin) > 1000 and "sparbench" in builtin
    assert [name for name in builtin if name.startswith("spar_bench")] == []


# ------------------------------------------------------------------ end to end


def test_oracle_scores_100_with_no_include_path(tmp_path):
    result = run(
        [
            sys.executable,
            "-m",
            "lmms_eval",
            "--model",
            "spar_oracle",
            "--tasks",
            "spar_bench_synth",
            "--output_path",
            str(tmp_path),
            "--log_samples",
        ]
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    group = results_json(tmp_path)["results"]["spar_bench_synth"]
    assert group["spar_score_official,none"] == 100.0
    assert group["spar_score,none"] == 100.0
    assert group["spar_low,none"] == group["spar_medium,none"] == group["spar_high,none"] == 100.0


def test_samples_log_keeps_raw_response_and_parsed_value(tmp_path):
    result = run(
        [
            sys.executable,
            "-m",
            "lmms_eval",
            "--model",
            "spar_oracle",
            "--tasks",
            "spar_bench_synth_depth_prediction_oc",
            "--output_path",
            str(tmp_path),
            "--log_samples",
        ]
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (log,) = tmp_path.rglob("*_samples_spar_bench_synth_depth_prediction_oc.jsonl")
    first = json.loads(log.read_text().splitlines()[0])
    record = first["spar_sample"]
    assert record["prediction"] == first["filtered_resps"] == record["answer"]
    for protocol in ("strict", "official"):
        reading = record["scores"][protocol]
        assert set(reading) == {"score", "parsed", "unparsed_reason", "span", "rule"}
        assert (reading["score"], reading["parsed"], reading["unparsed_reason"]) == (1.0, float(record["answer"]), None)
    assert record["scores"]["official"]["span"] is None and record["scores"]["official"]["rule"] is None
    span = record["scores"]["strict"]["span"]
    assert span == [0, len(record["prediction"])]  # the oracle's bare number is read whole


def test_frequency_run_prints_task_table_and_matches_direct_scoring(tmp_path):
    result = run(
        [
            sys.executable,
            "-m",
            "spar_bench",
            "lmms-eval",
            "--model",
            "spar_frequency",
            "--tasks",
            "spar_bench_synth",
            "--output_path",
            str(tmp_path),
        ]
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for task_id in ("depth_prediction_oc", "view_change_infer", "spatial_imagination_oo"):
        assert task_id in result.stdout
    questions = load_questions("synth")
    baseline = [BaselineQuestion(q.id, q.task, q.question, q.answer) for q in questions]
    answers = FrequencyBaseline().answer(baseline)
    group = results_json(tmp_path)["results"]["spar_bench_synth"]
    tasks = [q.task for q in questions]
    for protocol, metric in (("strict", "spar_score"), ("official", "spar_score_official")):
        batch = PROTOCOLS[protocol].score_many(
            tasks, answers, [q.answer for q in questions], [q.question for q in questions]
        )
        expected = summarize(tasks, batch.scores, intervals=False)
        assert group[f"{metric},none"] == pytest.approx(expected.overall)
        assert f"{expected.overall:.2f}" in result.stdout
    strict = summarize(
        tasks,
        PROTOCOLS["strict"]
        .score_many(tasks, answers, [q.answer for q in questions], [q.question for q in questions])
        .scores,
        intervals=False,
    )
    assert group["spar_high,none"] == pytest.approx(strict.levels["high"])


def _bad_task_folder(tmp_path: Path) -> Path:
    """A task folder like ours whose one task reads a parquet with an unknown task id in row 9."""
    folder = tmp_path / "bad_tasks"
    folder.mkdir()
    ours = lmms_plugin.tasks_folder()
    shutil.copy(ours / "utils.py", folder / "utils.py")
    shutil.copy(ours / "_spar_bench_template_yaml", folder / "_spar_bench_template_yaml")
    bad = write_hub_parquet(tmp_path / "bad.parquet", [hub_row(0), hub_row(9, task="depth_prediction_ocx")])
    text = (ours / "spar_bench_synth_depth_prediction_oc.yaml").read_text()
    text = text.replace("spar_bench_synth_depth_prediction_oc", "malformed_sample")
    text = text.replace("data/spar_bench_synth.parquet", str(bad))
    (folder / "malformed_sample.yaml").write_text(text)
    return folder


def test_malformed_sample_fails_with_row_and_field_and_nonzero_exit(tmp_path):
    folder = _bad_task_folder(tmp_path)
    result = run(
        [
            sys.executable,
            "-m",
            "spar_bench",
            "lmms-eval",
            "--model",
            "spar_oracle",
            "--tasks",
            "malformed_sample",
            "--include_path",
            str(folder),
            "--output_path",
            str(tmp_path / "out"),
        ]
    )
    assert result.returncode == 1
    assert "row id 9: field 'task': 'depth_prediction_ocx' is not a SPAR-Bench task" in result.stdout + result.stderr


def test_include_path_works_when_auto_registration_is_off(tmp_path):
    env = {**OFFLINE, "SPAR_BENCH_NO_TASK_REGISTRATION": "1"}
    task = "spar_bench_synth_position_matching"
    without = run([sys.executable, "-m", "spar_bench", "lmms-eval", "--model", "spar_oracle", "--tasks", task], env=env)
    assert without.returncode == 1 and "Tasks not found" in without.stdout + without.stderr
    with_path = run(
        [
            sys.executable,
            "-m",
            "spar_bench",
            "lmms-eval",
            "--model",
            "spar_oracle",
            "--tasks",
            task,
            "--include_path",
            str(lmms_plugin.tasks_folder()),
            "--output_path",
            str(tmp_path),
        ],
        env=env,
    )
    assert with_path.returncode == 0, with_path.stderr[-3000:]
    assert results_json(tmp_path)["results"][task]["position_matching,none"] == 100.0


def test_offline_rescoring_of_the_samples_log_agrees_with_lmms_eval(tmp_path):
    result = run(
        [
            sys.executable,
            "-m",
            "lmms_eval",
            "--model",
            "spar_random",
            "--model_args",
            "seed=3",
            "--tasks",
            "spar_bench_synth",
            "--output_path",
            str(tmp_path / "run"),
            "--log_samples",
        ]
    )
    assert result.returncode == 0, result.stderr[-3000:]
    group = results_json(tmp_path / "run")["results"]["spar_bench_synth"]
    logs = sorted(str(p) for p in (tmp_path / "run").rglob("*_samples_*.jsonl"))
    assert len(logs) == 20
    summary_path = tmp_path / "summary.json"
    scored = run([sys.executable, "-m", "spar_bench", "score", *logs, "--json", str(summary_path)])
    assert scored.returncode == 0, scored.stderr[-3000:]
    summary = json.loads(summary_path.read_text())
    assert summary["strict"]["overall"] == pytest.approx(group["spar_score,none"])
    assert summary["official"]["overall"] == pytest.approx(group["spar_score_official,none"])
    for level in ("low", "medium", "high"):
        assert summary["strict"]["levels"][level] == pytest.approx(group[f"spar_{level},none"])


def test_grounding_task_scores_oracle_boxes_at_full_iou(tmp_path):
    result = run(
        [
            sys.executable,
            "-m",
            "lmms_eval",
            "--model",
            "spar_oracle",
            "--tasks",
            "spar_bench_synth_3d",
            "--output_path",
            str(tmp_path),
        ]
    )
    assert result.returncode == 0, result.stderr[-3000:]
    block = results_json(tmp_path)["results"]["spar_bench_synth_3d"]
    assert block["grounding_mean_iou,none"] == pytest.approx(100.0)
    assert block["grounding_acc_50,none"] == 100.0 and block["grounding_parse_failure_rate,none"] == 0.0
