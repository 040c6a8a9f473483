"""Why generation stopped travels with each response: adapters set `finish_reason`, the journal keeps it, and
`truncated` is True only for the token limit ("length"), None when nobody said."""

from __future__ import annotations

import dataclasses
import json

import pytest
from fixtures import tiny_checkpoints  # noqa: F401 - a pytest fixture, used by name

from spar_bench.journal import Journal
from spar_bench.model_adapters.base import GenerationSettings, Request, Response, truncated_by

TASK = "obj_spatial_relation_oo"


def ask(settings: GenerationSettings | None = None, question_id: int = 0) -> Request:
    return Request(question_id, TASK, "Which? A. left B. right", (), settings or GenerationSettings())


def test_only_the_token_limit_counts_as_truncated_and_none_is_unknown():
    assert [truncated_by(r) for r in ("length", "stop", "content_filter", None)] == [True, False, False, None]
    assert Response("k", 0, TASK, "B").truncated is None


def test_journal_keeps_the_finish_reason_and_reads_lines_written_without_it(tmp_path):
    with Journal(tmp_path / "journal.jsonl") as journal:
        journal.append(Response("new", 0, TASK, "B", finish_reason="length"))
    old_line = {k: v for k, v in dataclasses.asdict(Response("old", 1, TASK, "C")).items() if k != "finish_reason"}
    with open(tmp_path / "journal.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(old_line) + "\n")
    with Journal(tmp_path / "journal.jsonl") as journal:
        assert journal.answered("new").truncated is True
        assert journal.answered("old").finish_reason is None and journal.answered("old").truncated is None


@pytest.mark.parametrize("reason", ["length", "stop", None])
def test_served_adapter_records_the_servers_finish_reason(reason):
    httpx = pytest.importorskip("httpx")
    from spar_bench.model_adapters.openai_server import OpenAIServerAdapter

    choice = {"message": {"content": "B"}, **({"finish_reason": reason} if reason else {})}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"choices": [choice]}))
    adapter = OpenAIServerAdapter("tiny-vlm", "http://fake.invalid/v1", timeout_s=2.0, transport=transport)
    responses = []
    adapter.generate([ask()], responses.append)
    assert [(r.text, r.finish_reason, r.truncated) for r in responses] == [("B", reason, truncated_by(reason))]


def test_hf_adapter_says_length_when_the_token_limit_cut_the_answer(tiny_checkpoints):  # noqa: F811 - the fixture
    pytest.importorskip("torch", reason="the HF adapter needs torch (pip install 'spar-bench[hf]')")
    from spar_bench.model_adapters.hf import HFAdapter

    adapter = HFAdapter(str(tiny_checkpoints("qwen2_vl", answer="BXYZ")))
    responses = []
    adapter.generate(
        [
            ask(GenerationSettings(stop=()), 0),
            ask(GenerationSettings(max_new_tokens=2, stop=()), 1),
            ask(GenerationSettings(max_new_tokens=2, stop=("BX",)), 2),
        ],
        responses.append,
    )
    assert [(r.text, r.finish_reason) for r in responses] == [("BXYZ", "stop"), ("BX", "length"), ("", "stop")]
