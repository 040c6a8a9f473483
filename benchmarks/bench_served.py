"""Served-model throughput: `spar-bench run` with spar_openai, and lmms-eval's built-in `openai` and
`async_openai` backends next to our `spar_openai`, all against one local OpenAI-compatible server that answers
at once (tests/fault_server.py), on the embedded set's real image payloads. Also the runner's overhead per
question with a baseline model.

    python benchmarks/bench_served.py              # 2,000 requests (position_matching rows, 2 images each)
    python benchmarks/bench_served.py --n 500 --skip-lmms
    python benchmarks/bench_served.py --servers 1,2,4 --n 2000   # several base URLs, least-loaded dispatch

With --servers, each server answers at most --capacity requests at once after --delay seconds (a GPU's batch
and its latency), so one server is the bottleneck and more servers should scale the client's throughput; a
last row adds a dead URL (a closed port) to the four and measures the run with it taken out of the rotation.

Requests per second through lmms-eval subtract each backend's start-up, measured by the same command
with --limit 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import datasets

from spar_bench.data import embedded_path
from spar_bench.lmms.plugin import tasks_folder
from spar_bench.runner import run

REPO = Path(__file__).resolve().parents[1]
TASK = "position_matching"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "OPENAI_API_KEY": "none"}


def big_parquet(path: Path, n: int) -> Path:
    """`n` rows of one task, copies of the embedded rows (real PNG payloads) with fresh ids."""
    rows = datasets.load_dataset("parquet", data_files=str(embedded_path()), split="train")
    rows = rows.filter(lambda task: task == TASK, input_columns="task")
    copies = datasets.concatenate_datasets([rows] * (n // len(rows) + 1)).select(range(n))
    copies = copies.map(lambda _, index: {"id": index}, with_indices=True)
    copies.to_parquet(str(path))
    return path


def lmms_task_folder(folder: Path, parquet: Path) -> str:
    """An include_path folder with one task over the big parquet, built from our own task YAML."""
    folder.mkdir()
    ours = tasks_folder()
    for name in ("utils.py", "_spar_bench_template_yaml"):
        shutil.copy(ours / name, folder / name)
    text = (ours / f"spar_bench_synth_{TASK}.yaml").read_text()
    text = text.replace(f"spar_bench_synth_{TASK}", "bench_served").replace(
        "data/spar_bench_synth.parquet", str(parquet)
    )
    (folder / "bench_served.yaml").write_text(text)
    return str(folder)


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, env=ENV, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:6])} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return time.perf_counter() - start


def closed_port_url() -> str:
    import socket

    with socket.socket() as probe:  # bound, never listening: connections to it are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def several_servers(args) -> int:
    counts = [int(x) for x in args.servers.split(",")]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                str(REPO / "tests" / "fault_server.py"),
                "--delay",
                str(args.delay),
                "--capacity",
                str(args.capacity),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(max(counts))
    ]
    try:
        urls = [server.stdout.readline().strip() for server in servers]
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            data = big_parquet(tmp / "big.parquet", args.n)
            print(
                f"{args.n:,} requests, 2 PNG images each; each server answers {args.capacity} at once after "
                f"{args.delay * 1000:.0f} ms (at most {args.capacity / args.delay:.0f} requests/s); client "
                f"max_concurrency {args.concurrency}"
            )
            rows = [(f"{k} server(s)", urls[:k]) for k in counts]
            rows.append((f"{max(counts)} server(s) + 1 dead URL", [closed_port_url(), *urls]))
            for label, chosen in rows:
                model_args = {
                    "model": "fault-server",
                    "base_url": "|".join(chosen),
                    "max_concurrency": str(args.concurrency),
                }
                start = time.perf_counter()
                outcome = run(
                    model="spar_openai",
                    model_args=model_args,
                    tasks=[f"spar_bench_{TASK}"],
                    data=str(data),
                    output=tmp / label.replace(" ", "_"),
                    show_progress=False,
                )
                elapsed = time.perf_counter() - start
                assert not outcome.failed_ids and outcome.stopped is None
                print(f"{label:32s} {args.n / elapsed:8.1f} requests/s ({elapsed:.1f} s)")
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--skip-lmms", action="store_true", help="only spar-bench run")
    parser.add_argument("--servers", help="comma-separated server counts, e.g. 1,2,4: the multi-server benchmark")
    parser.add_argument("--delay", type=float, default=0.05, help="with --servers: seconds per answer")
    parser.add_argument("--capacity", type=int, default=8, help="with --servers: answers at once per server")
    args = parser.parse_args()
    if args.servers:
        return several_servers(args)
    server = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "fault_server.py")], stdout=subprocess.PIPE, text=True
    )
    try:
        base_url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            data = big_parquet(tmp / "big.parquet", args.n)
            print(f"{args.n:,} requests, 2 PNG images each, server at {base_url} answering at once")

            start = time.perf_counter()
            run(
                model="spar_oracle",
                model_args={},
                tasks=[f"spar_bench_{TASK}"],
                data=str(data),
                output=tmp / "oracle",
                show_progress=False,
            )
            whole = time.perf_counter() - start
            print(
                f"runner with spar_oracle (load, prompts, journal, both protocols, results): "
                f"{1000 * whole / args.n:.3f} ms per question"
            )

            model_args = {"model": "fault-server", "base_url": base_url, "max_concurrency": str(args.concurrency)}
            start = time.perf_counter()
            outcome = run(
                model="spar_openai",
                model_args=model_args,
                tasks=[f"spar_bench_{TASK}"],
                data=str(data),
                output=tmp / "served",
                show_progress=False,
            )
            elapsed = time.perf_counter() - start
            assert not outcome.failed_ids
            print(f"spar-bench run, spar_openai (whole run, in-process): {args.n / elapsed:8.1f} requests/s")
            if args.skip_lmms:
                return 0

            include = lmms_task_folder(tmp / "tasks", data)
            backends = {
                "openai (lmms-eval built-in)": (
                    "openai",
                    f"model_version=fault-server,base_url={base_url},num_concurrent={args.concurrency}",
                ),
                "async_openai (lmms-eval built-in)": (
                    "async_openai",
                    f"model_version=fault-server,base_url={base_url}",
                ),
                "spar_openai (ours, through lmms-eval)": (
                    "spar_openai",
                    f"model=fault-server,base_url={base_url},max_concurrency={args.concurrency},journal={tmp / 'j'}",
                ),
            }
            for label, (model, margs) in backends.items():
                base = [
                    sys.executable,
                    "-m",
                    "lmms_eval",
                    "--model",
                    model,
                    "--model_args",
                    margs,
                    "--tasks",
                    "bench_served",
                    "--include_path",
                    include,
                    "--verbosity",
                    "DEBUG",
                ]
                startup = timed([*base, "--limit", "1"])
                if model == "spar_openai":
                    shutil.rmtree(tmp / "j", ignore_errors=True)
                total = timed(base)
                print(
                    f"{label:40s} {args.n / max(total - startup, 1e-9):8.1f} requests/s "
                    f"({total:.1f} s, of which start-up {startup:.1f} s)"
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
