"""`spar_openai` end to end against a local fault-injecting server: the runner, a SIGKILL mid-run and resume,
and lmms-eval with the journal. The server answers `[answer:X]` found in a prompt, else `A`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fault_server import FaultServer, Reply

from spar_bench.runner import run

TASK = "spar_bench_synth_position_matching"
OFFLINE = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def model_args(server: FaultServer, **extra) -> dict[str, str]:
    return {
        "model": "fault-server",
        "base_url": server.base_url,
        "max_retries": "1",
        "backoff_base_s": "0.01",
        "timeout_s": "5",
        **{k: str(v) for k, v in extra.items()},
    }


def test_runner_scores_served_answers_and_lists_failures(tmp_path):
    failing = {"count": 0}

    def rule(body):  # one at a time, two tries each: the first two requests fail on every try
        if failing["count"] < 4:
            failing["count"] += 1
            return Reply.http_status(500)
        return None

    with FaultServer(rule=rule) as server:
        outcome = run(
            model="spar_openai",
            model_args=model_args(server, max_concurrency=1),
            tasks=[TASK],
            output=tmp_path,
            show_progress=False,
        )
        assert len(outcome.failed_ids) == 2
        assert outcome.results["protocols"]["strict"]["tasks"]["position_matching"]["n"] == 8
        again = run(
            model="spar_openai", model_args=model_args(server), tasks=[TASK], output=tmp_path, show_progress=False
        )
    assert (again.answered_now, again.answered_before, again.failed_ids) == (2, 8, [])


def _journal_keys(path: Path) -> list[str]:
    return [json.loads(line)["key"] for line in path.read_text().splitlines() if json.loads(line)["error"] is None]


def test_sigkill_mid_run_then_resume_matches_an_uninterrupted_run(tmp_path):
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "fault_server.py"), "--delay", "0.05"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = server.stdout.readline().strip()
        command = [
            sys.executable,
            "-m",
            "spar_bench",
            "run",
            "--model",
            "spar_openai",
            "--model-args",
            f"model=fault-server,base_url={base_url},max_concurrency=4",
            "--tasks",
            "spar_bench_synth",
            "--no-progress",
        ]
        killed = tmp_path / "killed"
        victim = subprocess.Popen([*command, "--output", str(killed)], env=OFFLINE, stdout=subprocess.DEVNULL)
        journal = killed / "journal.jsonl"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (not journal.exists() or len(journal.read_text().splitlines()) < 40):
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        done_before = len(_journal_keys(journal))
        assert 40 <= done_before < 200, "the kill must land mid-run"

        resumed = subprocess.run([*command, "--output", str(killed)], env=OFFLINE, capture_output=True, text=True)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        assert "from the journal" in resumed.stdout
        whole = subprocess.run(
            [*command, "--output", str(tmp_path / "whole")], env=OFFLINE, capture_output=True, text=True
        )
        assert whole.returncode == 0, whole.stderr[-2000:]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)

    keys = _journal_keys(journal)
    assert len(keys) == len(set(keys)) == 200
    lines = lambda folder: sorted((tmp_path / folder / "predictions.jsonl").read_text().splitlines())
    assert lines("killed") != [] and [json.loads(x)["id"] for x in lines("killed")] == [
        json.loads(x)["id"] for x in lines("whole")
    ]
    results = lambda folder: json.loads((tmp_path / folder / "results.json").read_text())["protocols"]
    assert results("killed") == results("whole")


lmms_eval = pytest.importorskip("lmms_eval", reason="the lmms extra is not installed")


def test_lmms_eval_spar_openai_journals_and_resumes(tmp_path):
    with FaultServer() as server:
        args = f"model=fault-server,base_url={server.base_url},journal={tmp_path / 'journal'}"
        command = [
            sys.executable,
            "-m",
            "spar_bench",
            "lmms-eval",
            "--model",
            "spar_openai",
            "--model_args",
            args,
            "--tasks",
            TASK,
            "--output_path",
            str(tmp_path / "out"),
        ]
        first = subprocess.run(command, env=OFFLINE, capture_output=True, text=True, timeout=600)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        asked = server.chat_requests
        second = subprocess.run(command, env=OFFLINE, capture_output=True, text=True, timeout=600)
        assert second.returncode == 0, second.stderr[-3000:]
        assert asked == 10 and server.chat_requests == 10, "the rerun must answer from the journal"
    (journal,) = (tmp_path / "journal").rglob("rank0.jsonl")
    assert len(journal.read_text().splitlines()) == 10


def test_lmms_eval_spar_openai_failure_is_an_error_not_a_score(tmp_path):
    with FaultServer(default=Reply.http_status(500)) as server:
        args = f"model=fault-server,base_url={server.base_url},journal={tmp_path / 'journal'},max_retries=0"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "spar_bench",
                "lmms-eval",
                "--model",
                "spar_openai",
                "--model_args",
                args,
                "--tasks",
                TASK,
            ],
            env=OFFLINE,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert result.returncode == 1
    assert "request(s) failed and must not be scored" in result.stdout + result.stderr


def test_python_m_lmms_eval_with_a_failing_server_ends_fast_loud_and_non_zero(tmp_path):
    with FaultServer(default=Reply.http_status(500)) as server:
        args = f"model=fault-server,base_url={server.base_url},journal={tmp_path / 'journal'},backoff_base_s=0.01"
        start = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "lmms_eval", "--model", "spar_openai", "--model_args", args, "--tasks", TASK],
            env=OFFLINE,
            capture_output=True,
            text=True,
            timeout=600,
        )
        sent = server.chat_requests
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 1, result.stderr[-3000:]
    assert last.startswith("SPAR-Bench evaluation with spar_openai FAILED") and "HTTP 500" in last
    assert str(tmp_path / "journal") in last and "run the same command again" in last
    assert sent <= 20, "the breaker stopped sending"
    assert time.monotonic() - start < 120
