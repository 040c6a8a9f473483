import json

from spar_bench.model_adapters.base import GenerationSettings, Request, Response, request_key, truncate_at_stop

from spar_bench.journal import Journal


def response(key="k1", text="B", error=None):
    return Response(key, 1, "position_matching", text, error=error, latency_s=0.1)


def test_answers_survive_reopening(tmp_path):
    with Journal(tmp_path / "j.jsonl") as journal:
        journal.append(response())
    assert Journal(tmp_path / "j.jsonl").answered("k1").text == "B"


def test_failed_responses_are_kept_but_not_answered(tmp_path):
    with Journal(tmp_path / "j.jsonl") as journal:
        journal.append(response(text=None, error="HTTP 500"))
    reopened = Journal(tmp_path / "j.jsonl")
    assert reopened.answered("k1") is None
    assert "HTTP 500" in (tmp_path / "j.jsonl").read_text()


def test_repeated_key_is_written_once(tmp_path):
    with Journal(tmp_path / "j.jsonl") as journal:
        journal.append(response())
        journal.append(response(text="C"))
    lines = (tmp_path / "j.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["text"] == "B"


def test_torn_last_line_is_cut_and_appends_continue_cleanly(tmp_path):
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        journal.append(response())
    with open(path, "a") as handle:
        handle.write('{"key": "k2", "question_id": 2, "task": "posi')  # a kill in the middle of a write
    with Journal(path) as journal:
        assert len(journal) == 1
        journal.append(response(key="k3"))
    assert [json.loads(line)["key"] for line in path.read_text().splitlines()] == ["k1", "k3"]


def test_request_key_changes_with_model_prompt_images_and_settings():
    base = Request(1, "position_matching", "prompt", (b"png",))
    key = request_key({"model": "a"}, base)
    assert key == request_key({"model": "a"}, Request(2, "position_matching", "prompt", (b"png",)))
    assert key != request_key({"model": "b"}, base)
    assert key != request_key({"model": "a"}, Request(1, "position_matching", "prompt2", (b"png",)))
    assert key != request_key({"model": "a"}, Request(1, "position_matching", "prompt", (b"jpg",)))
    assert key != request_key({"model": "a"}, Request(1, "position_matching", "prompt", (b"png",),
                                                      GenerationSettings(max_new_tokens=50)))


def test_truncate_at_stop_cuts_at_the_earliest_stop_string():
    assert truncate_at_stop("B\n\nbecause\n\nof", ("\n\n",)) == "B"
    assert truncate_at_stop("A.\nB\n\nC", ("\n\n", ".")) == "A"
    assert truncate_at_stop("no stop here", ("\n\n", "")) == "no stop here"
    assert truncate_at_stop("x", ()) == "x"
