"""`spar-bench run`: baselines end to end, resume, failures kept apart from scores."""

from __future__ import annotations

import json
import re

import pytest

from spar_bench.cli import main
from spar_bench.data import load_questions
from spar_bench.model_adapters.arguments import parse_model_args
from spar_bench.model_adapters.base import Response, request_key
from spar_bench.model_adapters.registry import make_adapter
from spar_bench.results.sides import load_side
from spar_bench.runner import run
from spar_bench.task_sets import UnknownTaskSetError, resolve_task_set
from spar_bench.tasks_spec import AnswerKind, task_spec


def test_oracle_run_scores_100_under_both_protocols(tmp_path, capsys):
    assert (
        main(
            ["run", "--model", "spar_oracle", "--tasks", "spar_bench_synth", "--output", str(tmp_path), "--no-progress"]
        )
        == 0
    )
    printed = capsys.readouterr().out  # the command prints the table; `runner.run` itself prints none
    assert "SPAR-Bench: spar_oracle on spar_bench_synth" in printed and "100.00" in printed
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["protocols"]["strict"]["overall"] == 100.0
    assert results["protocols"]["official"]["overall"] == 100.0
    metadata = results["metadata"]
    assert metadata["n_questions"] == 200 and len(metadata["dataset_fingerprint"]) == 64
    assert metadata["generation_settings"]["max_new_tokens"] == 100


def test_predictions_file_has_one_line_per_question(tmp_path):
    run(
        model="spar_frequency",
        model_args={},
        tasks=["spar_bench_synth_position_matching"],
        output=tmp_path,
        show_progress=False,
    )
    lines = [json.loads(x) for x in (tmp_path / "predictions.jsonl").read_text().splitlines()]
    assert len(lines) == 10 and {x["task"] for x in lines} == {"position_matching"}
    assert set(lines[0]) == {
        "id",
        "task",
        "question",
        "answer",
        "prediction",
        "latency",
        "error",
        "finish_reason",
        "truncated",
        "scores",
    }
    assert "Which box in the second image" in lines[0]["question"] and lines[0]["finish_reason"] == "stop"
    assert lines[0]["truncated"] is False


def test_predictions_carry_each_protocols_reading_of_the_answer(tmp_path):
    run(
        model="spar_oracle",
        model_args={},
        tasks=["spar_bench_synth_depth_prediction_oc"],
        output=tmp_path,
        show_progress=False,
    )
    line = json.loads((tmp_path / "predictions.jsonl").read_text().splitlines()[0])
    assert set(line["scores"]) == {"strict", "official"}
    for reading in line["scores"].values():
        assert set(reading) == {"score", "parsed", "unparsed_reason", "span", "rule"}
        assert reading["score"] == 1.0 and reading["parsed"] == float(line["answer"])
    assert line["scores"]["official"]["span"] is None and line["scores"]["official"]["rule"] is None


def test_rerun_resumes_from_the_journal(tmp_path):
    first = run(
        model="spar_random", model_args={"seed": "2"}, tasks=["spar_bench_synth"], output=tmp_path, show_progress=False
    )
    second = run(
        model="spar_random", model_args={"seed": "2"}, tasks=["spar_bench_synth"], output=tmp_path, show_progress=False
    )
    assert (first.answered_now, second.answered_now, second.answered_before) == (200, 0, 200)
    assert second.results["protocols"] == first.results["protocols"]


class FlakyAdapter:
    """Fails the questions whose id is in `failing`, answers the rest with the reference answer."""

    def __init__(self, questions, failing):
        self.answers = {q.id: q.answer for q in questions}
        self.failing = failing
        self.identity = {"adapter": "flaky"}

    def generate(self, requests, on_response):
        for r in requests:
            key = request_key(self.identity, r)
            if r.question_id in self.failing:
                on_response(Response(key, r.question_id, r.task, None, error="HTTP 500 after 3 tries"))
            else:
                on_response(Response(key, r.question_id, r.task, self.answers[r.question_id]))


def test_failed_requests_are_listed_not_scored_and_retried_on_rerun(tmp_path):
    factory = lambda model, args, questions: FlakyAdapter(questions, failing={0, 1})
    outcome = run(
        model="flaky",
        model_args={},
        tasks=["spar_bench_synth_depth_prediction_oc"],
        output=tmp_path,
        show_progress=False,
        adapter_factory=factory,
    )
    assert outcome.failed_ids == [0, 1]
    strict = outcome.results["protocols"]["strict"]
    task = strict["tasks"]["depth_prediction_oc"]
    assert (task["score"], task["n"], task["parse_failure_rate"]) == (100.0, 8, 0.0)
    # every answer right at n = 8 is no proof of 100: the exact interval leaves room below
    assert task["ci95"][1] == 100.0 and 55.0 < task["ci95"][0] < 70.0
    assert strict["diagnostics"]["tasks"]["depth_prediction_oc"] == {
        "n_unparsed": 0,
        "n_truncated": 0,
        "n_truncation_unknown": 8,
    }
    lines = [json.loads(x) for x in (tmp_path / "predictions.jsonl").read_text().splitlines()]
    assert [x["error"] for x in lines[:2]] == ["HTTP 500 after 3 tries"] * 2 and lines[0]["prediction"] is None

    healed = lambda model, args, questions: FlakyAdapter(questions, failing=set())
    again = run(
        model="flaky",
        model_args={},
        tasks=["spar_bench_synth_depth_prediction_oc"],
        output=tmp_path,
        show_progress=False,
        adapter_factory=healed,
    )
    assert (again.answered_now, again.answered_before, again.failed_ids) == (2, 8, [])


def test_cli_exits_1_and_names_failed_ids(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("spar_bench.runner.make_adapter", lambda m, a, qs: FlakyAdapter(qs, failing={3}))
    assert (
        main(
            [
                "run",
                "--model",
                "x",
                "--tasks",
                "spar_bench_synth_depth_prediction_oc",
                "--output",
                str(tmp_path),
                "--no-progress",
            ]
        )
        == 1
    )
    assert "1 request(s) failed and were not scored: 3" in capsys.readouterr().err


def test_task_sets_resolve_to_source_and_tasks():
    assert resolve_task_set("spar_bench_tiny_multi_view")[0] == "tiny"
    assert len(resolve_task_set("spar_bench_tiny_multi_view")[1]) == 12
    assert resolve_task_set("spar_bench_depth_prediction_oc") == ("full", ("depth_prediction_oc",))
    with pytest.raises(UnknownTaskSetError, match="unknown task set 'spar_bench_depth'"):
        resolve_task_set("spar_bench_depth")


def test_model_args_parse_and_reject_malformed_items():
    assert parse_model_args("seed=3, pretrained=/m") == {"seed": "3", "pretrained": "/m"}
    with pytest.raises(ValueError, match="'oops' is not key=value"):
        parse_model_args("seed=3,oops")
    with pytest.raises(ValueError, match="takes no model argument"):
        make_adapter("spar_oracle", {"temperature": "1"}, [])


_OPTION = re.compile(r"(?:^|\s)([A-H])\. (.*?)(?=\s[A-H]\. |$)")


class ScriptedAdapter:
    """Answers in styles a chat model uses: the option's text instead of its letter, numbers with a unit,
    motion items with spaces; every third answer says it hit the token limit, every fifth gives no finish
    reason, and the questions whose id is in `failing` fail."""

    def __init__(self, questions, failing=frozenset()):
        self.questions = {q.id: q for q in questions}
        self.failing = failing
        self.identity = {"adapter": "scripted"}

    def answer(self, q) -> str:
        kind = task_spec(q.task).answer_kind
        if kind is AnswerKind.CHOICE:
            return dict(_OPTION.findall(q.question))[q.answer]
        if kind is AnswerKind.NUMBER:
            return f"About {q.answer} m."
        return q.answer.replace(",", ", ")

    def generate(self, requests, on_response):
        for i, r in enumerate(requests):
            key = request_key(self.identity, r)
            if r.question_id in self.failing:
                on_response(Response(key, r.question_id, r.task, None, error="HTTP 503 after 6 tries"))
                continue
            reason = None if i % 5 == 4 else "length" if i % 3 == 0 else "stop"
            on_response(
                Response(key, r.question_id, r.task, self.answer(self.questions[r.question_id]), finish_reason=reason)
            )


@pytest.mark.parametrize("failing", [frozenset(), frozenset({0, 57})])
def test_rescoring_a_runs_predictions_gives_the_runs_own_results(tmp_path, monkeypatch, capsys, failing):
    monkeypatch.setattr("spar_bench.runner.make_adapter", lambda m, a, qs: ScriptedAdapter(qs, failing))
    code = 1 if failing else 0
    assert (
        main(
            [
                "run",
                "--model",
                "scripted",
                "--tasks",
                "spar_bench_synth",
                "--output",
                str(tmp_path / "run"),
                "--no-progress",
            ]
        )
        == code
    )
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert (
        main(["score", str(tmp_path / "run" / "predictions.jsonl"), "--json", str(tmp_path / "summary.json")]) == code
    )
    rescored = json.loads((tmp_path / "summary.json").read_text())
    assert rescored == results["protocols"]  # both protocols, every task, interval and count
    side = load_side(tmp_path / "run")  # `spar-bench compare` reads the run folder the same way
    lines = [json.loads(x) for x in (tmp_path / "run" / "predictions.jsonl").read_text().splitlines()]
    for name in ("strict", "official"):
        assert side.scores[name].tolist() == [x["scores"][name]["score"] for x in lines if x["scores"]]
    choice = [
        q
        for q in ScriptedAdapter(load_questions("synth")).questions.values()
        if task_spec(q.task).answer_kind is AnswerKind.CHOICE
    ]
    assert all(len(ScriptedAdapter([q]).answer(q)) > 1 for q in choice)  # option texts, never bare letters


def test_truncated_responses_are_counted_per_task_and_unknown_is_not_truncated(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("spar_bench.runner.make_adapter", lambda m, a, qs: ScriptedAdapter(qs))
    outcome = run(
        model="scripted",
        model_args={},
        tasks=["spar_bench_synth_depth_prediction_oc"],
        output=tmp_path,
        show_progress=False,
    )
    task = outcome.results["protocols"]["strict"]["diagnostics"]["tasks"]["depth_prediction_oc"]
    # requests 0..9: "length" for i % 3 == 0 unless i % 5 == 4 (no reason): 0, 3, 6 truncated; 4 and 9 unknown
    assert (task["n_truncated"], task["n_truncation_unknown"]) == (3, 2)
    lines = [json.loads(x) for x in (tmp_path / "predictions.jsonl").read_text().splitlines()]
    assert [x["truncated"] for x in lines[:5]] == [True, False, False, True, None]
    assert [x["finish_reason"] for x in lines[:2]] == ["length", "stop"]
    truncation = outcome.truncation["depth_prediction_oc"]  # what `spar-bench run` prints in its table
    assert (truncation.truncated, truncation.known) == (3, 8)
    from spar_bench.cli.report import print_summary

    print_summary(outcome.summaries, title="t", truncation=outcome.truncation)
    assert "truncated/known" in capsys.readouterr().out
