import json

from spar_bench.journal import Journal
from spar_bench.model_adapters.base import GenerationSettings, Request, Response, request_key, truncate_at_stop


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
    assert key != request_key(
        {"model": "a"}, Request(1, "position_matching", "prompt", (b"png",), GenerationSettings(max_new_tokens=50))
    )


def test_truncate_at_stop_cuts_at_the_earliest_stop_string():
    assert truncate_at_stop("B\n\nbecause\n\nof", ("\n\n",)) == "B"
    assert truncate_at_stop("A.\nB\n\nC", ("\n\n", ".")) == "A"
    assert truncate_at_stop("no stop here", ("\n\n", "")) == "no stop here"
    assert truncate_at_stop("x", ()) == "x"


def test_damaged_lines_are_set_aside_with_file_and_line_and_never_deleted(tmp_path):
    from spar_bench.journal import Journal, count_answered
    from spar_bench.model_adapters.base import Response

    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        for i in range(3):
            journal.append(Response(f"k{i}", i, "depth_prediction_oc", "A"))
    good = path.read_bytes()
    path.write_bytes(good[:40] + b"\n[1, 2]\nnot json at all\n" + good[40:] + b"\0\0\0")
    with Journal(path) as journal:
        damaged = journal.damaged
        answered = len(journal)
    assert answered == 2, "both halves of the line cut by the garbage are damaged; the others are kept"
    assert len(damaged) == 5 and all(line.startswith(f"{path}:") for line in damaged)
    assert any("NUL bytes" in line for line in damaged) and any("not a record" in line for line in damaged)
    aside = (tmp_path / "journal.jsonl.damaged").read_bytes()
    assert b"not json at all" in aside and b"[1, 2]" in aside and b"\0\0\0" in aside
    assert count_answered(path) == 2
    with Journal(path) as journal:
        assert journal.damaged == [], "once set aside, a line is not reported again"
