"""`spar-bench score`: offline rescoring of prediction files."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from spar_bench.cli import main
from spar_bench.protocols import BatchScores
from spar_bench.scoring import Predictions, PredictionsError, read_predictions, write_scored

QUESTION = "Which? A. left B. right C. up D. down"


def line(id_, task="position_matching", answer="B", prediction="B", **extra):
    return json.dumps({"id": id_, "task": task, "answer": answer, "prediction": prediction, **extra})


def write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


def test_both_protocols_write_one_line_per_prediction_and_protocol(tmp_path):
    preds = write(
        tmp_path / "p.jsonl",
        [line(1, prediction="Answer: B", question=QUESTION), line(2, "depth_prediction_oc", "1.5", "-1.5")],
    )
    assert main(["score", str(preds), "--out", str(tmp_path / "s.jsonl"), "--json", str(tmp_path / "sum.json")]) == 0
    rows = [json.loads(x) for x in (tmp_path / "s.jsonl").read_text().splitlines()]
    assert [(r["id"], r["protocol"], r["score"]) for r in rows] == [
        (1, "strict", 1.0),
        (2, "strict", 0.0),
        (1, "official", 0.0),
        (2, "official", 1.0),
    ]
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
    record = {
        "id": 3,
        "task": "position_matching",
        "question": QUESTION,
        "answer": "D",
        "prediction": "D",
        "scores": {},
    }
    preds = write(tmp_path / "samples.jsonl", [json.dumps({"doc_id": 0, "spar_sample": record, "spar_score": 100})])
    predictions = read_predictions([preds])
    assert predictions.ids == [3] and predictions.questions == [QUESTION] and predictions.predictions == ["D"]


# ------------------------------------------------------------------ the trace and valid JSON out


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity, which JSON does not have."""

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_scored_lines_carry_span_and_rule(tmp_path):
    preds = write(tmp_path / "p.jsonl", [line(1, prediction="Answer: B", question=QUESTION)])
    assert main(["score", str(preds), "--out", str(tmp_path / "s.jsonl")]) == 0
    rows = [strict_json(x) for x in (tmp_path / "s.jsonl").read_text().splitlines()]
    assert [set(r) for r in rows] == [
        {"id", "task", "protocol", "score", "parsed", "unparsed_reason", "span", "rule"}
    ] * 2
    official = next(r for r in rows if r["protocol"] == "official")
    assert official["span"] is None and official["rule"] is None  # the official protocol keeps no trace


def test_written_trace_is_what_the_protocol_returned(tmp_path):
    predictions = Predictions(
        ids=[1, "b"],
        tasks=["position_matching"] * 2,
        answers=["B", "B"],
        predictions=["Answer: B", "x"],
        questions=["", ""],
    )
    batch = BatchScores(
        "strict",
        predictions.tasks,
        np.array([1.0, 0.0]),
        ["B", None],
        [None, "no option letter"],
        spans=[(8, 9), None],
        rules=["answer_phrase", None],
    )
    write_scored(tmp_path / "s.jsonl", predictions, {"strict": batch})
    rows = [strict_json(x) for x in (tmp_path / "s.jsonl").read_text().splitlines()]
    assert [(r["id"], r["span"], r["rule"], r["unparsed_reason"]) for r in rows] == [
        (1, [8, 9], "answer_phrase", None),
        ("b", None, None, "no option letter"),
    ]


def test_scored_output_is_valid_json_even_for_non_finite_numbers(tmp_path):
    predictions = Predictions(
        ids=[1, 2],
        tasks=["depth_prediction_oc"] * 2,
        answers=["1", "1"],
        predictions=["inf", "nan"],
        questions=["", ""],
    )
    batch = BatchScores(
        "strict",
        predictions.tasks,
        np.array([float("nan"), 0.0]),
        [float("inf"), {"move_right": float("nan")}],
        [None, None],
    )
    write_scored(tmp_path / "s.jsonl", predictions, {"strict": batch})
    rows = [strict_json(x) for x in (tmp_path / "s.jsonl").read_text().splitlines()]
    assert [(r["score"], r["parsed"]) for r in rows] == [(None, None), (0.0, {"move_right": None})]


# ------------------------------------------------------------------ input errors name file, line and field


@pytest.mark.parametrize("field", ["answer", "id"])
def test_null_answer_or_id_names_the_field(tmp_path, field):
    record = json.loads(line(1))
    record[field] = None
    preds = write(tmp_path / "p.jsonl", [line(0), json.dumps(record)])
    with pytest.raises(PredictionsError, match=rf"p.jsonl:2: field '{field}' is null"):
        read_predictions([preds])


def test_missing_answer_names_the_field(tmp_path):
    preds = write(tmp_path / "p.jsonl", [json.dumps({"id": 1, "task": "position_matching", "prediction": "B"})])
    with pytest.raises(PredictionsError, match=r"p.jsonl:1: field 'answer' is missing"):
        read_predictions([preds])


@pytest.mark.parametrize(
    "task, answer, message",
    [
        ("depth_prediction_oc", "abc", r"'abc' is not a number in meters"),
        ("depth_prediction_oc", "nan", r"'nan' is not a finite number"),
        ("position_matching", "left", r"'left' is not an option letter"),
        ("view_change_infer", "move_right:0.4,move_up", r"item 'move_up' is not `key:value`"),
        ("view_change_infer", "move_right:0.4, move_up:1", r"item ' move_up:1' is not `key:value`"),
        ("view_change_infer", "move_right:abc", r"item 'move_right:abc' has no numeric value"),
        ("view_change_infer", "move_right:nan", r"item 'move_right:nan' is not a finite number"),
    ],
)
def test_answer_that_does_not_fit_the_task_names_line_and_field(tmp_path, task, answer, message):
    # every line but the last is valid, so the columnar reader is tried first and must hand over
    preds = write(tmp_path / "p.jsonl", [line(i) for i in range(3)] + [line(3, task=task, answer=answer)])
    with pytest.raises(PredictionsError, match=rf"p.jsonl:4: field 'answer': .*{message}"):
        read_predictions([preds])


def test_answer_that_does_not_fit_is_a_cli_error_not_a_traceback(tmp_path, capsys):
    preds = write(tmp_path / "p.jsonl", [line(1, task="depth_prediction_oc", answer="abc", prediction="1")])
    assert main(["score", str(preds)]) == 2
    assert "p.jsonl:1: field 'answer': 'abc' is not a number" in capsys.readouterr().err


def test_numeric_answer_written_as_a_json_number_is_read_as_text(tmp_path):
    preds = write(tmp_path / "p.jsonl", [line(1, task="depth_prediction_oc", answer=1.5, prediction="1.5")])
    assert read_predictions([preds]).answers == ["1.5"]


def test_ids_that_differ_only_in_type_name_both_lines(tmp_path):
    preds = write(tmp_path / "p.jsonl", [line(0), line(1), line("0")])
    with pytest.raises(
        PredictionsError,
        match=r"p.jsonl:3: field 'id': '0' and the id 0 of .*p.jsonl:1 differ only "
        r"in type",
    ):
        read_predictions([preds])


def test_ids_that_differ_only_in_type_across_files_are_an_error(tmp_path):
    first = write(tmp_path / "a.jsonl", [line(0), line(1)])
    second = write(tmp_path / "b.jsonl", [line("1"), line("2")])
    with pytest.raises(PredictionsError, match=r"b.jsonl:1: field 'id': '1' and the id 1 of .*a.jsonl:2"):
        read_predictions([first, second])


def test_id_repeated_in_a_later_file_names_the_first_files_line_past_blank_lines(tmp_path):
    first = tmp_path / "a.jsonl"
    first.write_text(line(0) + "\n\n" + line(1) + "\n")  # read by the columnar reader, which skips blank lines
    second = write(tmp_path / "b.jsonl", [line(1)])
    with pytest.raises(PredictionsError, match=r"b.jsonl:1: field 'id': 1 repeats the id of .*a.jsonl:3$"):
        read_predictions([first, second])


def test_string_ids_that_only_look_alike_are_distinct(tmp_path):
    preds = write(tmp_path / "p.jsonl", [line(7), line("07"), line("x7")])
    assert read_predictions([preds]).ids == [7, "07", "x7"]


@pytest.mark.parametrize(
    "literal, shown",
    [
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("-Infinity", "-Infinity"),
        ("1e400", "Infinity"),
        ("1.5", "1.5"),
        ("true", "true"),
        ("[1]", "[1]"),
    ],
)
def test_id_that_is_not_an_integer_or_string_names_line_and_field(tmp_path, literal, shown):
    bad = line(999).replace('"id": 999', f'"id": {literal}')
    preds = write(tmp_path / "p.jsonl", [bad, line(2)])
    with pytest.raises(PredictionsError, match=rf"p.jsonl:1: field 'id': {re.escape(shown)} is not an id"):
        read_predictions([preds])


def test_file_of_nan_ids_only_is_not_accepted_by_the_columnar_reader(tmp_path):
    # pyarrow reads NaN as a double; the columnar reader must hand such a file to the line reader
    preds = write(tmp_path / "p.jsonl", [line(0).replace('"id": 0', '"id": NaN')] * 2)
    with pytest.raises(PredictionsError, match=r"p.jsonl:1: field 'id': NaN is not an id"):
        read_predictions([preds])


def test_the_columnar_and_line_readers_agree(tmp_path, monkeypatch):
    lines = [
        line(i, prediction="B" if i % 2 else "C", question=QUESTION, truncated=[True, False, None][i % 3])
        for i in range(9)
    ] + [line(9, prediction=None, error="HTTP 500")]
    preds = write(tmp_path / "p.jsonl", lines)
    columnar = read_predictions([preds])
    monkeypatch.setattr("spar_bench.predictions_columnar.read_columns", lambda path, out, seen: False)
    assert read_predictions([preds]) == columnar
    assert columnar.truncated == [True, False, None, True, False, None, True, False, None]
    assert columnar.failed == [{"id": 9, "task": "position_matching", "error": "HTTP 500"}]


# ------------------------------------------------------------------ truncation


def test_truncation_is_read_from_truncated_or_finish_reason_and_unknown_otherwise(tmp_path):
    preds = write(
        tmp_path / "p.jsonl",
        [
            line(0, truncated=True),
            line(1, finish_reason="length"),
            line(2, finish_reason="stop"),
            line(3),
            line(4, truncated=None),
        ],
    )
    assert read_predictions([preds]).truncated == [True, True, False, None, None]


def test_summary_counts_truncated_and_unparsed_per_task(tmp_path, capsys):
    preds = write(
        tmp_path / "p.jsonl",
        [
            line(0, truncated=True, prediction=""),
            line(1, finish_reason="stop"),
            line(2),
            line(3, task="depth_prediction_oc", answer="1.0", prediction="1 m"),
        ],
    )
    assert main(["score", str(preds), "--json", str(tmp_path / "sum.json")]) == 0
    diagnostics = strict_json((tmp_path / "sum.json").read_text())["strict"]["diagnostics"]
    task = diagnostics["tasks"]["position_matching"]
    assert (task["n_unparsed"], task["n_truncated"], task["n_truncation_unknown"]) == (1, 1, 1)
    assert diagnostics["tasks"]["depth_prediction_oc"] == {"n_unparsed": 0, "n_truncated": 0, "n_truncation_unknown": 1}
    assert (diagnostics["n_truncated"], diagnostics["n_truncation_unknown"]) == (1, 2)
    out = capsys.readouterr().out
    assert "truncated/known" in out and "1/2" in out


def test_truncated_must_be_a_boolean(tmp_path):
    preds = write(tmp_path / "p.jsonl", [line(0, truncated="yes")])
    with pytest.raises(PredictionsError, match=r"p.jsonl:1: field 'truncated' must be true, false or null"):
        read_predictions([preds])
