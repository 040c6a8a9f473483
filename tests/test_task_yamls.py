"""The task YAMLs are generated from the task table and stay in step with it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO

from spar_bench.lmms.tasks import metric_names
from spar_bench.tasks_spec import TASK_IDS

yaml = pytest.importorskip("yaml")


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!function", lambda loader, node: f"!function {loader.construct_scalar(node)}")


def load(name: str) -> dict:
    return yaml.load((REPO / "tasks" / name).read_text(), Loader=_Loader)


def test_yamls_on_disk_are_what_the_generator_writes():
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_task_yamls.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("prefix", ["spar_bench", "spar_bench_tiny", "spar_bench_synth"])
def test_every_spar_task_has_a_task_yaml_per_dataset(prefix):
    for task_id in TASK_IDS:
        config = load(f"{prefix}_{task_id}.yaml")
        assert config["task"] == f"{prefix}_{task_id}"
        assert config["process_docs"] == f"!function utils.process_docs_{task_id}"
        assert [m["metric"] for m in config["metric_list"]] == list(metric_names(task_id))


def test_hub_tasks_read_the_hub_datasets():
    assert load("spar_bench_depth_prediction_oc.yaml")["dataset_path"] == "jasonzhango/SPAR-Bench"
    assert load("spar_bench_tiny_depth_prediction_oc.yaml")["dataset_path"] == "jasonzhango/SPAR-Bench-Tiny"


def test_synth_tasks_read_the_shipped_parquet():
    config = load("spar_bench_synth_view_change_infer.yaml")
    assert config["dataset_path"] == "parquet"
    assert config["dataset_kwargs"] == {"data_files": {"test": "data/spar_bench_synth.parquet"}}


def test_generation_settings_are_the_released_ones():
    template = load("_spar_bench_template_yaml")
    assert template["generation_kwargs"] == {
        "until": ["\n\n"],
        "max_new_tokens": 100,
        "temperature": 0,
        "top_p": 1.0,
        "num_beams": 1,
        "do_sample": False,
    }


def test_api_models_get_the_api_prompt_variant():
    kwargs = load("_spar_bench_template_yaml")["lmms_eval_specific_kwargs"]
    assert kwargs["default"]["prompt_variant"] == "default"
    assert kwargs["gpt4v"]["prompt_variant"] == kwargs["gemini_api"]["prompt_variant"] == "api"


def test_group_averages_task_means_unweighted():
    group = load("spar_bench.yaml")
    assert group["task"] == [f"spar_bench_{task_id}" for task_id in TASK_IDS]
    assert all(entry["weight_by_size"] is False for entry in group["aggregate_metric_list"])
    assert {"spar_score", "spar_score_official", "spar_low", "spar_medium", "spar_high"} <= {
        entry["metric"] for entry in group["aggregate_metric_list"]
    }


def test_view_groups_hold_their_tasks():
    assert len(load("spar_bench_single_view.yaml")["task"]) == 8
    assert len(load("spar_bench_tiny_multi_view.yaml")["task"]) == 12
