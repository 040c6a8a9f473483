"""Runs that fail fast, loud and safe (issue 11): each case of the issue's tables, against loopback servers.

Every server listens on 127.0.0.1; every run is bounded by its question count, small timeouts and the circuit
breaker; hostile files are small and inflate.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from fault_server import FaultServer, Reply

from spar_bench.cli import main
from spar_bench.model_adapters.base import Request
from spar_bench.model_adapters.health import AdapterStopped
from spar_bench.model_adapters.openai_server import OpenAIServerAdapter

TASK = "spar_bench_synth_position_matching"  # 10 questions
OFFLINE = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
FAST = "timeout_s=2,backoff_base_s=0.01,backoff_max_s=0.02,stall_timeout_s=3"


def run_cli(url: str, output: Path, *extra: str, args: str = FAST, tasks: str = TASK) -> int:
    return main(
        [
            "run",
            "--model",
            "spar_openai",
            "--model-args",
            f"model=fault-server,base_url={url},{args}",
            "--tasks",
            tasks,
            "--output",
            str(output),
            "--no-progress",
            *extra,
        ]
    )


def answers_in(folder: Path) -> list[dict]:
    path = folder / "journal.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [line for line in lines if line["error"] is None]


def closed_port_url() -> str:
    with FaultServer() as server:
        url = server.base_url
    return url  # nothing listens there any more: connection refused


# --- the server fails ----------------------------------------------------------------------------------------------


def test_an_always_500_server_stops_the_run_fast_with_its_error_text(tmp_path, capsys):
    start = time.monotonic()
    with FaultServer(default=Reply.http_status(500)) as server:
        code = run_cli(server.base_url, tmp_path, tasks="spar_bench_synth")
        sent = server.chat_requests
    err = capsys.readouterr().err
    assert code == 1 and time.monotonic() - start < 20
    assert "HTTP 500" in err and "injected 500" in err and server.base_url in err
    assert "0 of 200 question(s) are answered and journaled" in err and "resume with: spar-bench run" in err
    assert sent < 40, "the breaker stops sending after a handful of failures"
    assert answers_in(tmp_path) == []


def test_a_closed_port_stops_the_run_saying_the_connection_was_refused(tmp_path, capsys):
    start = time.monotonic()
    code = run_cli(closed_port_url(), tmp_path, tasks="spar_bench_synth")
    err = capsys.readouterr().err
    assert code == 1 and time.monotonic() - start < 20
    assert "refused" in err and answers_in(tmp_path) == []


def test_a_server_that_never_answers_ends_the_run_within_the_stall_bound(tmp_path, capsys):
    start = time.monotonic()
    with FaultServer(default=Reply.hang(30)) as server:
        code = run_cli(server.base_url, tmp_path, args="timeout_s=20,stall_timeout_s=1,max_concurrency=2")
    assert code == 1 and time.monotonic() - start < 8
    assert "no answer from any server for 1 s" in capsys.readouterr().err


def test_timeouts_on_every_request_trip_the_breaker_within_one_timeout(tmp_path, capsys):
    start = time.monotonic()
    with FaultServer(default=Reply.hang(30)) as server:
        code = run_cli(server.base_url, tmp_path, args="timeout_s=0.5,stall_timeout_s=60,backoff_base_s=0.01")
    assert code == 1 and time.monotonic() - start < 8
    assert "within 0.5 s" in capsys.readouterr().err


def test_a_404_for_the_model_names_the_servers_message(tmp_path, capsys):
    missing = Reply("status", status=404, message="The model `fault-server` does not exist.")
    with FaultServer(default=missing) as server:
        code = run_cli(server.base_url, tmp_path)
        sent = server.chat_requests
    err = capsys.readouterr().err
    assert code == 1 and "HTTP 404" in err and "does not exist" in err
    assert sent <= 10


@pytest.mark.parametrize("reply", [Reply.null_content(), Reply.empty_choices(), Reply.malformed()])
def test_a_200_without_an_answer_is_a_failure_never_an_answer(tmp_path, reply, capsys):
    with FaultServer(default=reply) as server:
        code = run_cli(server.base_url, tmp_path)
    assert code == 1 and answers_in(tmp_path) == []
    predictions = [json.loads(line) for line in (tmp_path / "predictions.jsonl").read_text().splitlines()]
    assert all(p["prediction"] is None and p["error"] for p in predictions)


def test_content_null_is_reported_with_its_reason():
    with FaultServer(default=Reply.null_content()) as server:
        adapter = OpenAIServerAdapter("fault-server", server.base_url, timeout_s=2)
        responses = []
        adapter.generate([Request(1, "depth_prediction_oc", "[answer:B]", ())], responses.append)
    (response,) = responses
    assert response.text is None and "content null" in response.error and "finish_reason 'stop'" in response.error
    assert "after 1 try" in response.error, "not retried: greedy decoding would say the same again"


def test_an_endless_body_is_cut_at_the_cap_and_is_a_failure():
    with FaultServer(default=Reply.endless(10)) as server:
        adapter = OpenAIServerAdapter("fault-server", server.base_url, timeout_s=5, max_response_bytes=2**20)
        responses = []
        start = time.monotonic()
        adapter.generate([Request(1, "depth_prediction_oc", "[answer:B]", ())], responses.append)
    (response,) = responses
    assert response.text is None and "max_response_bytes" in response.error
    assert time.monotonic() - start < 3


def test_retryable_faults_keep_their_backoff_while_some_requests_succeed(tmp_path):
    count = {"n": 0}

    def every_other(body):
        count["n"] += 1
        return Reply.http_status(503) if count["n"] % 2 else None

    with FaultServer(rule=every_other) as server:
        code = run_cli(server.base_url, tmp_path, args=FAST + ",breaker_failures=3,max_concurrency=1")
    assert code == 0 and len(answers_in(tmp_path)) == 10


def test_a_dead_server_among_several_is_taken_out_and_its_questions_go_to_the_others(tmp_path, capsys):
    with FaultServer() as alive:
        urls = f"{closed_port_url()}|{alive.base_url}"
        code = run_cli(urls, tmp_path, args=FAST + ",max_concurrency=4")
        served = alive.chat_requests
    err = capsys.readouterr().err
    assert code == 0 and served == 10 and len(answers_in(tmp_path)) == 10
    assert "taken out of the rotation" in err
    assert json.loads((tmp_path / "servers.json").read_text()) == {alive.base_url: 10}


def test_the_progress_source_reports_requests_in_flight_and_the_oldest_age():
    with FaultServer(default=Reply.ok(0.6)) as server:
        adapter = OpenAIServerAdapter("fault-server", server.base_url, timeout_s=5)
        seen = []

        def sample():
            while not seen or seen[-1] != "done":
                seen.append(adapter.in_flight())
                time.sleep(0.1)

        import threading

        watcher = threading.Thread(target=sample)
        watcher.start()
        time.sleep(0.05)
        adapter.generate([Request(i, "depth_prediction_oc", "[answer:A]", ()) for i in range(3)], lambda r: None)
        seen.append("done")
        watcher.join(5)
    assert any(count == 3 and oldest >= 0.3 for count, oldest in seen[:-1])
    assert adapter.in_flight() == (0, 0.0)


# --- interruption and concurrent runs -------------------------------------------------------------------------------


@pytest.mark.parametrize(("signum", "code", "name"), [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM")])
def test_an_interrupted_run_keeps_its_journal_and_prints_the_resume_command(tmp_path, signum, code, name):
    with FaultServer(default=Reply.ok(0.05)) as server:
        command = [
            sys.executable,
            "-m",
            "spar_bench",
            "run",
            "--model",
            "spar_openai",
            "--model-args",
            f"model=fault-server,base_url={server.base_url},max_concurrency=2",
            "--tasks",
            "spar_bench_synth",
            "--output",
            str(tmp_path),
            "--no-progress",
        ]
        victim = subprocess.Popen(command, env=OFFLINE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        journal = tmp_path / "journal.jsonl"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not journal.exists() or len(journal.read_text().splitlines()) < 5):
            time.sleep(0.05)
        victim.send_signal(signum)
        _, err = victim.communicate(timeout=30)
    kept = len(answers_in(tmp_path))
    assert victim.returncode == code, err[-2000:]
    assert "Traceback" not in err
    assert f"interrupted ({name}); {kept} answer(s) are kept" in err and "resume with: spar-bench run" in err
    assert 5 <= kept < 200


def test_a_second_run_on_a_folder_in_use_is_refused_naming_the_holder(tmp_path, capsys):
    from spar_bench.run_folder import OutputLock

    with FaultServer() as server, OutputLock(tmp_path):
        code = run_cli(server.base_url, tmp_path)
        sent = server.chat_requests
    err = capsys.readouterr().err
    assert code == 2 and f"pid {os.getpid()}" in err and sent == 0


def test_the_lock_is_released_when_a_run_ends(tmp_path):
    with FaultServer() as server:
        assert run_cli(server.base_url, tmp_path) == 0
        assert run_cli(server.base_url, tmp_path) == 0


def test_a_run_under_another_model_identity_says_how_many_answers_it_ignores(tmp_path, capsys):
    with FaultServer() as server:
        assert run_cli(server.base_url, tmp_path) == 0
        capsys.readouterr()
        assert run_cli(server.base_url, tmp_path, args=FAST + ",seed=7") == 0
    err = capsys.readouterr().err
    assert "10 journaled answer(s)" in err and "another model identity" in err and "seed" in err


# --- what a run folder keeps ----------------------------------------------------------------------------------------


def test_every_server_that_answered_is_recorded(tmp_path):
    with FaultServer() as first, FaultServer() as second:
        assert run_cli(first.base_url, tmp_path, "--limit", "4") == 0
        assert run_cli(second.base_url, tmp_path) == 0
    answered_by = json.loads((tmp_path / "results.json").read_text())["metadata"]["answered_by"]
    assert answered_by == {first.base_url: 4, second.base_url: 6}


def test_a_run_that_ends_with_failures_leaves_no_stale_scores(tmp_path):
    with FaultServer() as server:
        assert run_cli(server.base_url, tmp_path) == 0
    with FaultServer(default=Reply.http_status(500)) as server:
        assert run_cli(server.base_url, tmp_path, args=FAST + ",seed=7") == 1
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["complete"] is False and results["protocols"] is None and results["n_failed"] == 10


def test_a_damaged_journal_line_is_reported_set_aside_and_the_run_goes_on(tmp_path, capsys):
    with FaultServer() as server:
        assert run_cli(server.base_url, tmp_path) == 0
        journal = tmp_path / "journal.jsonl"
        lines = journal.read_bytes().splitlines(keepends=True)
        lines.insert(3, b'{"key": "abc", torn\n')
        journal.write_bytes(b"".join(lines) + b"\0" * 32)
        capsys.readouterr()
        assert run_cli(server.base_url, tmp_path) == 0
        asked_again = server.chat_requests - 10
    err = capsys.readouterr().err
    assert f"{journal}:4: damaged journal line" in err and f"{journal}:12: damaged journal line (NUL bytes)" in err
    aside = (tmp_path / "journal.jsonl.damaged").read_bytes()
    assert b"torn" in aside and b"\0" * 32 in aside, "set aside, never deleted"
    assert asked_again == 0 and len(answers_in(tmp_path)) == 10


def test_an_api_key_in_model_args_is_written_nowhere(tmp_path):
    secret = "sk-test1234567890abcdefSECRET"
    with FaultServer() as server:
        assert run_cli(server.base_url, tmp_path / "run", args=f"{FAST},api_key={secret}") == 0
        seen = server.chat_received()[0].headers["authorization"]
    assert seen == f"Bearer {secret}", "the key is still sent"
    bundle = tmp_path / "bundle.tar.gz"
    assert (
        main(["submit", "prepare", str(tmp_path / "run"), "--model-name", "m", "--org", "o", "--out", str(bundle)]) == 0
    )
    for path in [*(tmp_path / "run").iterdir()]:
        assert secret.encode() not in path.read_bytes(), path
    assert secret.encode() not in gzip.decompress(bundle.read_bytes())


def test_submit_prepare_refuses_a_folder_that_still_holds_a_key(tmp_path, capsys):
    with FaultServer() as server:
        assert run_cli(server.base_url, tmp_path) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    results["metadata"]["model_args"]["api_key"] = "sk-live1234567890abcdefghij"  # as an older version wrote it
    (tmp_path / "results.json").write_text(json.dumps(results))
    out = tmp_path / "b.tar.gz"
    assert main(["submit", "prepare", str(tmp_path), "--model-name", "m", "--org", "o", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "still holds a secret" in err and "results.json" in err and "sk-live1234567890" not in err
    assert not out.exists()


def test_the_api_key_can_be_read_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("sk-fromfile1234567890abcdef\n")
    adapter = OpenAIServerAdapter("m", "http://127.0.0.1:9/v1", api_key_file=str(key_file))
    assert adapter.api_key == "sk-fromfile1234567890abcdef"


# --- bad input ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["-5", "0", "x"])
def test_a_limit_below_one_is_bad_input(tmp_path, limit):
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "run",
                "--model",
                "spar_frequency",
                "--tasks",
                "spar_bench_synth",
                "--output",
                str(tmp_path),
                "--limit",
                limit,
            ]
        )
    assert exit_.value.code == 2


def test_limit_takes_n_questions_per_task(tmp_path):
    assert (
        main(
            [
                "run",
                "--model",
                "spar_frequency",
                "--tasks",
                "spar_bench_synth",
                "--output",
                str(tmp_path),
                "--limit",
                "2",
                "--no-progress",
            ]
        )
        == 0
    )
    tasks = [json.loads(line)["task"] for line in (tmp_path / "predictions.jsonl").read_text().splitlines()]
    assert len(tasks) == 2 * len(set(tasks)) and len(set(tasks)) == 20


def test_a_bug_is_a_traceback_with_its_own_exit_code(monkeypatch, capsys, tmp_path):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("spar_bench.runner.run", broken)
    code = main(["run", "--model", "spar_frequency", "--tasks", "spar_bench_synth", "--output", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 70 and "Traceback" in err and "this is a bug" in err


def test_exit_codes_are_documented_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    for text in ("0 done", "1 failed requests", "2 bad input", "130 interrupted", "143 by SIGTERM", "70 a bug"):
        assert text in out


# --- hostile files --------------------------------------------------------------------------------------------------


def _bundle_of(path: Path, member: str, size: int, byte: bytes) -> Path:
    """A tar.gz whose `member` inflates to `size` bytes of `byte`, written without holding it in memory."""

    class Filler(io.RawIOBase):
        left = size

        def readable(self):
            return True

        def readinto(self, buffer):
            n = min(len(buffer), self.left)
            buffer[:n] = byte * n
            self.left -= n
            return n

    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w|") as tar,
    ):
        manifest = b'{"bundle_format": 1}'
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        info = tarfile.TarInfo(member)
        info.size = size
        tar.addfile(info, io.BufferedReader(Filler(), 2**20))
    return path


def test_a_bundle_of_newlines_that_inflates_far_is_rejected_at_once(tmp_path, capsys):
    bundle = _bundle_of(tmp_path / "b.tar.gz", "predictions.jsonl", 64 * 2**20, b"\n")  # 64 KB on disk
    start = time.monotonic()
    assert main(["submit", "verify", str(bundle)]) == 1
    assert time.monotonic() - start < 3
    assert "decompressed_too_large" in capsys.readouterr().err


def test_a_bundle_of_many_blank_lines_under_the_cap_is_bounded_by_lines(tmp_path):
    from spar_bench.results.bundle import Limits, read_bundle

    bundle = _bundle_of(tmp_path / "b.tar.gz", "predictions.jsonl", 2 * 2**20, b"\n")
    members, problems = read_bundle(bundle, Limits(max_predictions_bytes=4 * 2**20))
    assert problems == [] and len(members["predictions.jsonl"]) == 2 * 2**20
    from spar_bench.results.verify import _parse_predictions

    lines = _parse_predictions(members["predictions.jsonl"], Limits(max_lines=1000))
    assert [p.code for p in lines.problems] == ["too_many_lines"]


def test_a_gzip_of_zeros_is_rejected_without_reading_it_whole(tmp_path, capsys):
    path = tmp_path / "zeros.tar.gz"
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for _ in range(64):
            gz.write(b"\0" * 2**20)
    start = time.monotonic()
    assert main(["submit", "verify", str(path)]) == 1
    assert time.monotonic() - start < 3


def _parquet_with(tmp_path: Path, name: str, mutate) -> Path:
    import datasets
    import pyarrow as pa
    import pyarrow.parquet as pq

    from spar_bench.data import embedded_path

    table = datasets.load_dataset("parquet", data_files=str(embedded_path()), split="train").select(range(6))
    table = table.with_format("arrow")[:]
    rows = table.to_pylist()
    mutate(rows)
    path = tmp_path / name
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)
    return path


def test_validate_decodes_every_image_and_names_a_truncated_one(tmp_path, capsys):
    def truncate(rows):
        image = rows[2]["image"][0]
        image["bytes"] = image["bytes"][: len(image["bytes"]) // 2]

    path = _parquet_with(tmp_path, "trunc.parquet", truncate)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "field 'image'" in err and "image 0 cannot be decoded" in err and "truncated" in err


def test_a_truncated_image_is_named_even_after_lmms_eval_set_pillow_to_accept_it(tmp_path, capsys):
    from PIL import ImageFile

    def truncate(rows):
        image = rows[2]["image"][0]
        image["bytes"] = image["bytes"][: len(image["bytes"]) // 2]

    path = _parquet_with(tmp_path, "trunc.parquet", truncate)
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # what `import lmms_eval.api.task` does, process-wide
    try:
        assert main(["validate", str(path)]) == 2
        assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # the process's setting is left as it was found
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
    assert "image 0 cannot be decoded" in capsys.readouterr().err


def test_an_oversized_image_is_named_by_row_and_field_and_the_cap_can_be_raised(tmp_path, capsys):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, format="PNG")  # 48 MP: over the 40 MP default, tiny on disk

    def enlarge(rows):
        rows[4]["image"][0]["bytes"] = buffer.getvalue()

    path = _parquet_with(tmp_path, "big.parquet", enlarge)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "field 'image'" in err and "8000x6000 (48000000 pixels); the cap is 40000000" in err
    assert "--max-image-pixels" in err
    assert (
        main(
            [
                "run",
                "--model",
                "spar_frequency",
                "--tasks",
                "spar_bench_synth",
                "--data",
                str(path),
                "--output",
                str(tmp_path / "out"),
                "--no-progress",
            ]
        )
        == 2
    )
    assert "the cap is 40000000" in capsys.readouterr().err
    assert main(["validate", str(path), "--max-image-pixels", "50000000"]) == 0


def test_a_decompression_bomb_past_pillows_own_limit_is_named_not_a_traceback(tmp_path, capsys):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")

    def bomb(rows):
        rows[1]["image"][0]["bytes"] = buffer.getvalue()

    path = _parquet_with(tmp_path, "bomb.parquet", bomb)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "field 'image'" in err and "pixels; the cap is" in err


def test_adapter_stopped_is_importable_from_the_adapter_module():
    from spar_bench.model_adapters import openai_server

    assert openai_server.AdapterStopped is AdapterStopped


def test_a_jsonl_line_nested_20000_deep_never_ends_score_with_a_signal(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 20000 + "]" * 20000 + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "spar_bench", "score", str(path)],
        env=OFFLINE,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, f"exit {result.returncode} (a negative one is the signal that killed it)"
    assert f"{path}:1" in result.stderr and "nested too deeply" in result.stderr


def test_a_jsonl_line_nested_20000_deep_is_bad_input_naming_file_and_line(tmp_path, capsys):
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 20000 + "]" * 20000 + "\n")
    assert main(["score", str(path)]) == 2
    assert f"{path}:1" in capsys.readouterr().err
