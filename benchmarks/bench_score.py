"""Scoring speed: `spar-bench score` on N predictions (both protocols) against the released per-sample loop.

Prints wall time and samples per second for (1) the whole `spar-bench score --protocol both` process
(reading, scoring, intervals, writing the per-sample lines with their trace) and its stages timed in-process
(reading alone is the floor under the whole process), (2) in-process scoring per protocol, (3) the released loop,
re-implemented here only to time it (per sample: regex, a fresh np.linspace, a numpy MRA), on the same
predictions, and (4) lmms-eval 0.7.3's copy of that loop when lmms-eval is installed.

    python benchmarks/bench_score.py            # 1,000,000 predictions
    python benchmarks/bench_score.py --n 100000
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from spar_bench.data import load_questions
from spar_bench.protocols import PROTOCOLS
from spar_bench.scoring import read_predictions, summarize_scores, write_scored
from spar_bench.tasks_spec import AnswerKind, task_spec

MOTION_KEYS = ("move_right", "move_left", "move_up", "move_forward", "rotate_up", "rotate_right", "rotate_left")


def make_prediction(rng: random.Random, kind: AnswerKind, answer: str) -> str:
    """A response in one of the styles models produce, with fresh numbers so that few responses repeat."""
    style = rng.random()
    if kind is AnswerKind.CHOICE:
        letter = rng.choice("ABCD")
        if style < 0.5:
            return letter
        if style < 0.8:
            return rng.choice([f"Answer: {letter}", f"({letter})", f"The answer is {letter}.", f"{letter}. left"])
        return f"<think>The red point is left of the blue one, so not {rng.choice('ABCD')}.</think>{letter}"
    if kind is AnswerKind.NUMBER:
        value = f"{rng.uniform(0.1, 6.0):.{rng.choice([1, 2, 3])}f}"
        if style < 0.5:
            return value
        if style < 0.8:
            return f"The depth of the towel is about {value} meters."
        return f"Given the chair at {rng.uniform(0.5, 3):.1f} m, the sink is roughly {value} m from the camera."
    items = [f"{key}:{rng.uniform(0, 3 if key.startswith('move') else 90):.1f}" for key in rng.sample(MOTION_KEYS, 5)]
    return ("," if style < 0.7 else ", ").join(items)


def write_predictions(path: Path, n: int, seed: int = 0) -> list[dict]:
    questions = load_questions("synth")
    rng = random.Random(seed)
    records = []
    with open(path, "w") as handle:
        for i in range(n):
            q = questions[i % len(questions)]
            record = {
                "id": i,
                "task": q.task,
                "answer": q.answer,
                "question": q.question,
                "prediction": make_prediction(rng, task_spec(q.task).answer_kind, q.answer),
            }
            records.append(record)
            handle.write(json.dumps(record) + "\n")
    return records


# ---- the released loop, re-implemented for timing only -------------------------------------------------

_RELEASED_NUMBER = re.compile(r"(?<!\^)\d+\.\d+|(?<!\^)\d+")


def _released_mra(pred, target, start=0.5, end=0.95, interval=0.05):
    num_pts = (end - start) / interval + 2
    thresholds = np.linspace(start, end, int(num_pts))
    error = abs(pred - target) if target == 0.0 else abs((pred - target) / target)
    return (error <= 1 - thresholds).mean()


def _released_motion(text):
    return {k: float(v) for k, v in [item.split(":") for item in text.split(",")]}


def released_score(task: str, prediction: str, answer: str) -> float:
    prediction = prediction.strip()
    kind = task_spec(task).answer_kind
    if kind is AnswerKind.CHOICE:
        p, t = prediction.lower(), answer.lower()
        return 1.0 if p == t or p in t or p[0] == t else 0.0
    if kind is AnswerKind.NUMBER:
        numbers = [float(x) for x in _RELEASED_NUMBER.findall(prediction)]
        if task.endswith("_mv"):
            numbers = [numbers[-1] if numbers else -1]
        try:
            return float(_released_mra(numbers[0], float(answer)))
        except IndexError:
            return 0.0
    try:
        pred, gt = _released_motion(prediction), _released_motion(answer)
    except ValueError:
        return 0.0
    pairs = [
        ("move_right", "move_left"),
        ("move_up", "move_down"),
        ("move_forward", "move_backward"),
        ("rotate_right", "rotate_left"),
        ("rotate_up", "rotate_down"),
    ]
    return float(
        np.mean([_released_mra(gt.get(a, 0) - gt.get(b, 0), pred.get(a, 0) - pred.get(b, 0)) for a, b in pairs])
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "predictions.jsonl"
        records = write_predictions(path, args.n)
        columns = {key: [r[key] for r in records] for key in ("task", "prediction", "answer", "question")}
        print(
            f"{args.n:,} predictions ({path.stat().st_size / 1e6:.0f} MB JSONL) on the embedded synthetic set's questions"
        )

        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "spar_bench",
                "score",
                str(path),
                "--protocol",
                "both",
                "--out",
                str(Path(tmp) / "scored.jsonl"),
                "--json",
                str(Path(tmp) / "summary.json"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        whole = time.perf_counter() - start
        print(
            f"spar-bench score --protocol both (whole process): {whole:7.2f} s  {args.n / whole:12,.0f} predictions/s"
        )

        start = time.perf_counter()
        predictions = read_predictions([path])
        reading = time.perf_counter() - start
        print(f"  reading the file (in-process):                {reading:7.2f} s")

        ours, scored = {}, {}
        for name, protocol in PROTOCOLS.items():
            start = time.perf_counter()
            batch = protocol.score_many(columns["task"], columns["prediction"], columns["answer"], columns["question"])
            ours[name] = time.perf_counter() - start
            scored[name] = batch
            print(
                f"  {name:8s} scoring in-process:               {ours[name]:7.2f} s  {args.n / ours[name]:12,.0f} samples/s"
            )
            if name == "official":
                official_scores = batch.scores

        start = time.perf_counter()
        summarize_scores(scored)
        write_scored(Path(tmp) / "scored_in_process.jsonl", predictions, scored)
        print(f"  intervals and writing {2 * args.n:,} lines (in-process):  {time.perf_counter() - start:7.2f} s")

        start = time.perf_counter()
        released = [
            released_score(t, p, a) for t, p, a in zip(columns["task"], columns["prediction"], columns["answer"])
        ]
        loop = time.perf_counter() - start
        agree = np.allclose(released, official_scores)
        print(
            f"released per-sample loop (official rules):      {loop:7.2f} s  {args.n / loop:12,.0f} samples/s"
            f"  (agrees with ours: {agree})"
        )
        print(
            f"speed-up of official scoring over the released loop: {loop / ours['official']:.1f}x; "
            f"both protocols together: {loop / (ours['strict'] + ours['official']):.1f}x; "
            f"the whole `spar-bench score` process (both protocols, read and written, trace included): "
            f"{loop / whole:.1f}x"
        )
        print(
            f"3x the released loop leaves {loop / 3:.2f} s for the whole process; reading the file alone takes "
            f"{reading:.2f} s (a process that only read it would be {loop / reading:.1f}x the loop)"
        )
        huge = ("1" * 200_000 + " <think> (A " + "move_right " * 20_000 + "answer is " * 20_000)[:1_000_000]
        for task in ("depth_prediction_oc", "obj_spatial_relation_oo", "view_change_infer"):
            start = time.perf_counter()
            for protocol in PROTOCOLS.values():
                protocol.score(
                    task,
                    huge + task,
                    "1.0" if task.startswith("depth") else "A" if "obj" in task else "move_left:1",
                    "Q? A. x B. y",
                )
            print(f"a 1 MB response, both protocols, {task}: {1000 * (time.perf_counter() - start):.1f} ms")
        try:
            from lmms_eval.tasks.sparbench.utils import sparbench_process_results
            from loguru import logger
        except Exception:
            return 0
        logger.remove()  # its per-sample debug lines would be timed otherwise
        m = min(args.n, 100_000)
        start = time.perf_counter()
        for r in records[:m]:
            sparbench_process_results(dict(r), [r["prediction"]])
        copy = time.perf_counter() - start
        print(
            f"lmms-eval 0.7.3 copy (sparbench_process_results, {m:,} samples): {copy:7.2f} s  {m / copy:12,.0f} samples/s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
