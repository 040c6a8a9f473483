"""`spar-bench score`: offline rescoring of prediction files."""

from __future__ import annotations

import json

import pytest

from spar_bench.cli import main
from spar_bench.scoring import PredictionsError, read_predictions

QUESTION = "Which? A. left B. right C. up D. down"


def line(id_, task="position_matching", answer="B", prediction="B", **extra):
    return json.dumps({"id": id_, "task": task, "answer": answer, "prediction": prediction, **extra})


def write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


def test_both_protocols_write_one_line_per_prediction_and_protocol(tmp_path):
    preds = write(tmp_path / "p.jsonl", [line(1, prediction="Answer: B", question=QUESTION),
                                         line(2, "depth_prediction_oc", "1.5", "-1.5")])
    assert main(["score", str(preds), "--out", str(tmp_path / "s.jsonl"), "--json", str(tmp_path / "sum.json")]) == 0
    rows = [json.loads(x) for x in (tmp_path / "s.jsonl").read_text().splitlines()]
    assert [(r["id"], r["protocol"], r["score"]) for r in rows] == [
        (1, "strict", 1.0), (2, "strict", 0.0), (1, "official", 0.0), (2, "official", 1.0)]
    assert rows[0]["parsed"] == "B" and rows[1]["parsed"] == -1.5


def test_summary_json_has_the_documented_blocks(tmp_path):
    preds = write(tmp_path / "p.jsonl", [line(i, prediction="B" if i % 2 else "C") for i in range(10)])
    assert main(["score", str(preds), "--protocol", "strict", "--json", str(tmp_path / "sum.json")]) == 0
    summary = json.loads((tmp_path / "sum.json").read_text())
    assert summary["protocol"] == "strict" and summary["scorer_version"]
    assert summary["overall"] == 50.0 and summary["levels"] == {"medium": 50.0}
    assert summary["views"] == {"multi_view": 50.0}
    task = summary["tasks"]["position_matching"]
    assert task["score"] == 50.0 and task["n"] == 10 and task["ci95"][0] < 50.0 < task["ci95"][1]


def test_both_gives_one_block_per_protocol(tmp_path):
    preds = write(tmp_path / "p.jsonl", [line(1, prediction="")])
    assert main(["score", str(preds), "--json", str(tmp_path / "sum.json")]) == 0
    summary = json.loads((tmp_path / "sum.json").read_text())
    assert summary["strict"]["overall"] == 0.0 and summary["official"]["overall"] == 100.0
    assert summary["strict"]["tasks"]["position_matching"]["parse_failure_rate"] == 100.0


def test_malformed_line_names_file_and_line(tmp_path):
    preds = write(tmp_path / "p.jsonl", [line(1), "{not json"])
    with pytest.raises(PredictionsError, match=r"p.jsonl:2: not valid JSON"):
        read_predictions([preds])


def test_missing_field_names_the_field(tmp_path):
    preds = write(tmp_path / "p.jsonl", [json.dumps({"id": 1, "task": "position_matching", "answer": "B"})])
    with pytest.raises(PredictionsError, match=r"p.jsonl:1: field 'prediction' is missing"):
        read_predictions([preds])


def test_unknown_task_names_the_task(tmp_path):
    preds = write(tmp_path / "p.jsonl", [line(1, task="depth")])
    with pytest.raises(PredictionsError, match=r"p.jsonl:1: field 'task': 'depth' is not a SPAR-Bench task"):
        read_predictions([preds])


def test_repeated_id_names_both_lines(tmp_path):
    preds = write(tmp_path / "p.jsonl", [line(7), line(7)])
    with pytest.raises(PredictionsError, match=r"p.jsonl:2: field 'id': 7 repeats the id of .*p.jsonl:1"):
        read_predictions([preds])


def test_cli_reports_bad_line_and_exits_2(tmp_path, capsys):
    preds = write(tmp_path / "p.jsonl", [line(1), "[]"])
    assert main(["score", str(preds)]) == 2
    assert "p.jsonl:2: expected a JSON object" in capsys.readouterr().err


def test_skip_invalid_skips_and_counts(tmp_path, capsys):
    preds = write(tmp_path / "p.jsonl", [line(1), "{bad", line(2, task="nope")])
    assert main(["score", str(preds), "--skip-invalid", "--json", str(tmp_path / "sum.json")]) == 0
    assert json.loads((tmp_path / "sum.json").read_text())["strict"]["n_skipped"] == 2
    assert "2 invalid line(s) skipped" in capsys.readouterr().err


def test_failed_requests_are_not_scored_and_exit_1(tmp_path, capsys):
    preds = write(tmp_path / "p.jsonl", [line(1), line(2, prediction=None, error="HTTP 500 after 5 tries")])
    assert main(["score", str(preds), "--json", str(tmp_path / "sum.json")]) == 1
    summary = json.loads((tmp_path / "sum.json").read_text())["strict"]
    assert summary["n_scored"] == 1 and summary["failed_ids"] == [2]
    assert summary["tasks"]["position_matching"]["n"] == 1
    assert "1 request(s) failed and were not scored: 2" in capsys.readouterr().err


def test_lmms_samples_log_lines_are_read(tmp_path):
    record = {"id": 3, "task": "position_matching", "question": QUESTION, "answer": "D", "prediction": "D",
              "scores": {}}
    preds = write(tmp_path / "samples.jsonl", [json.dumps({"doc_id": 0, "spar_sample": record, "spar_score": 100})])
    predictions = read_predictions([preds])
    assert predictions.ids == [3] and predictions.questions == [QUESTION] and predictions.predictions == ["D"]
