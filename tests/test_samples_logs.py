"""`spar-bench score` on lmms-eval samples logs: the 0.6 and 0.7 line shapes, our tasks' lines and the built-in
`sparbench` task's.

The 0.7 lines are written by lmms-eval 0.7.3's own code (the evaluator's per-document step and the tracker's
writer). 0.6 is not installable beside it; its writer is restated here from lmms-eval 0.6.0
(`lmms_eval/loggers/evaluation_tracker.py`, `save_results_samples`; the evaluator logs
`resps: [req.resps ...]`, `filtered_resps: [req.filtered_resps[key] ...]`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spar_bench.cli import main
from spar_bench.protocols import PROTOCOLS
from spar_bench.scoring import PredictionsError, read_predictions

QUESTION = (
    "Where is the towel (red point) relative to the sink (blue point)? Pick the appropriate option from the "
    "choices available. A. left, , closer B. right, above, farther C. left, below, farther D. right, , closer"
)
# The row as lmms-eval hands it to process_results: the dataset's columns, images already dropped.
ROW = {
    "id": 4812,
    "img_type": "single_view",
    "format_type": "select",
    "task": "obj_spatial_relation_oo",
    "source": "scannet",
    "question": QUESTION,
    "answer": "B",
}
ARGUMENTS = (
    "\n" + QUESTION + "\n\nAnswer with the option's letter from the given choices directly.",
    {"max_new_tokens": 100, "until": ["\n\n"]},
    None,
    0,
    "sparbench",
    "test",
)


def builtin_metrics(doc: dict, response: str) -> dict:
    """What lmms-eval's built-in `sparbench` process_results returns: each metric value is the whole document
    (with `prediction` added). Stated for 0.6.0 (`{"sparbench_score": doc}`), the one key read here."""
    doc = dict(doc, prediction=response)
    return {"sparbench_score": doc}


def line_06(doc: dict, metrics: dict, raw: str, filtered: str) -> str:
    """One samples-log line as lmms-eval 0.6.0 writes it for a generate_until task (one request per doc)."""
    sample = {
        "doc_id": 0,
        "doc": doc,
        "target": doc["answer"],
        "arguments": list(ARGUMENTS[:2]),
        "resps": [[raw]],
        "filtered_resps": [filtered],
        "doc_hash": "0" * 64,
        **metrics,
    }
    sample["input"] = sample["arguments"][0]
    if sample["filtered_resps"] == sample["resps"][0] or sample["filtered_resps"] == sample["resps"]:
        sample.pop("resps")
    sample["target"] = str(sample["target"])
    sample.pop("arguments")
    sample.pop("doc")
    return json.dumps(sample, ensure_ascii=False)


def log_07(folder: Path, doc: dict, raw: str, process_results, *, reasoning_tags=None) -> Path:
    """A samples log written by lmms-eval 0.7.3's own code for one document answered with `raw`."""
    pytest.importorskip("lmms_eval", reason="the lmms extra is not installed: pip install -e '.[lmms]'")
    from lmms_eval.api.instance import Instance
    from lmms_eval.evaluator import _process_document_results
    from lmms_eval.loggers.evaluation_tracker import EvaluationTracker

    class Task:
        def process_results(self, doc, results):
            return process_results(doc, results)

        def doc_to_target(self, doc):
            return doc["answer"]

    request = Instance("generate_until", ARGUMENTS, 0, {"task": "sparbench", "doc_id": 0, "repeats": 1})
    request.resps = [raw]
    request.filtered_resps = {"none": raw}  # the take_first filter
    processed = _process_document_results(
        (0, dict(doc), [request]), task=Task(), filter_key="none", reasoning_tags=reasoning_tags, log_samples=True
    )
    tracker = EvaluationTracker(output_path=str(folder))
    tracker.general_config_tracker.model_name_sanitized = "model"
    tracker.date_id = "2026-01-01T00-00-00"
    tracker.save_results_samples("sparbench", [processed.logged_sample])
    (path,) = folder.rglob("*_samples_sparbench.jsonl")
    return path


def builtin_07(doc, results):
    from lmms_eval.tasks.sparbench.utils import sparbench_process_results

    return sparbench_process_results(doc, results)


def ours_07(doc, results):
    from spar_bench.lmms.tasks import process_results

    return process_results(doc, results)


def read_one(path: Path):
    predictions = read_predictions([path])
    assert len(predictions) == 1
    return predictions


# ------------------------------------------------------------------ 0.7 (lmms-eval's own writer)


def test_07_line_of_our_task_is_read_from_its_spar_sample(tmp_path):
    path = log_07(tmp_path, ROW, "B", ours_07)
    line = json.loads(path.read_text())
    assert line["filtered_resps"] == "B" and "resps" not in line  # 0.7 flattens, and drops resps equal to it
    predictions = read_one(path)
    assert (predictions.ids, predictions.tasks, predictions.answers) == ([4812], [ROW["task"]], ["B"])
    assert predictions.predictions == ["B"] and predictions.questions == [QUESTION]


def test_07_line_of_our_task_records_each_protocols_trace(tmp_path):
    line = json.loads(log_07(tmp_path, ROW, "The answer is B.", ours_07).read_text())
    for protocol in ("strict", "official"):
        assert set(line["spar_sample"]["scores"][protocol]) == {"score", "parsed", "unparsed_reason", "span", "rule"}
    assert line["spar_sample"]["scores"]["official"]["span"] is None


def test_07_line_of_the_builtin_sparbench_task_is_read_from_its_metric_record(tmp_path):
    path = log_07(tmp_path, ROW, "right, above, farther", builtin_07)
    line = json.loads(path.read_text())
    assert "spar_sample" not in line and "doc" not in line and line["filtered_resps"] == "right, above, farther"
    predictions = read_one(path)
    assert predictions.ids == [4812] and predictions.tasks == [ROW["task"]] and predictions.answers == ["B"]
    assert predictions.questions == [QUESTION] and predictions.predictions == ["right, above, farther"]


def test_07_builtin_line_with_reasoning_stripped_scores_the_stripped_response(tmp_path):
    raw = "<think>The towel is right of the sink, so not A.</think>B"
    path = log_07(tmp_path, ROW, raw, builtin_07, reasoning_tags=[["<think>", "</think>"]])
    line = json.loads(path.read_text())
    assert line["resps"] == raw and line["filtered_resps"] == "B"  # 0.7 keeps the raw response as a string
    assert read_one(path).predictions == ["B"]


def test_07_builtin_log_rescored_equals_direct_scoring(tmp_path):
    path = log_07(tmp_path, ROW, "Answer: B", builtin_07)
    summary = tmp_path / "summary.json"
    assert main(["score", str(path), "--json", str(summary)]) == 0
    scored = json.loads(summary.read_text())
    for name, protocol in PROTOCOLS.items():
        expected = protocol.score(ROW["task"], "Answer: B", "B", QUESTION).score
        assert scored[name]["tasks"][ROW["task"]]["score"] == 100.0 * expected


# ------------------------------------------------------------------ 0.6 (nested lists)


def test_06_builtin_line_without_resps_is_read(tmp_path):
    path = tmp_path / "samples.jsonl"
    path.write_text(line_06(ROW, builtin_metrics(ROW, "B"), "B", "B") + "\n")
    assert "resps" not in json.loads(path.read_text())  # 0.6 drops resps when it equals filtered_resps[0]
    predictions = read_one(path)
    assert predictions.ids == [4812] and predictions.predictions == ["B"] and predictions.questions == [QUESTION]


def test_06_builtin_line_reads_the_filtered_response_not_the_raw_one(tmp_path):
    path = tmp_path / "samples.jsonl"
    path.write_text(line_06(ROW, builtin_metrics(ROW, "B"), "  B is correct", "B") + "\n")
    assert json.loads(path.read_text())["resps"] == [["  B is correct"]]
    assert read_one(path).predictions == ["B"]


def test_06_line_of_our_task_is_read_from_its_spar_sample(tmp_path):
    record = {
        "id": 7,
        "task": "depth_prediction_oc",
        "question": "What is the depth?",
        "answer": "1.5",
        "prediction": "1.4 m",
        "scores": {},
    }
    path = tmp_path / "samples.jsonl"
    path.write_text(
        line_06(dict(ROW, answer="1.5"), {"spar_sample": record, "spar_score": 90.0}, "1.4 m", "1.4 m") + "\n"
    )
    predictions = read_one(path)
    assert predictions.ids == [7] and predictions.predictions == ["1.4 m"] and predictions.answers == ["1.5"]


# ------------------------------------------------------------------ what cannot be read


def test_samples_log_line_of_another_task_names_what_is_missing(tmp_path):
    path = tmp_path / "samples.jsonl"
    metrics = {"exact_match": 1.0}
    path.write_text(line_06({"question_id": 1, "answer": "B"}, metrics, "B", "B") + "\n")
    with pytest.raises(
        PredictionsError,
        match=r"samples.jsonl:1: an lmms-eval samples log line with no "
        r"`spar_sample` record, and no id, task, question",
    ):
        read_predictions([path])


def test_samples_log_line_with_several_responses_is_an_error(tmp_path):
    line = json.loads(line_06(ROW, builtin_metrics(ROW, "B"), "B", "B"))
    line["filtered_resps"] = ["B", "C"]
    path = tmp_path / "samples.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(
        PredictionsError,
        match=r"samples.jsonl:1: field 'filtered_resps': expected one response "
        r"text, got 2 responses",
    ):
        read_predictions([path])
