"""Speed of the synthetic generator: questions generated per second, views rendered per second, images
(with markers, PNG) written per second, and the wall time of 1,000 questions with their images.

Run: python benchmarks/bench_synth.py [--per-task 50] [--width 640 --height 480] [--seed 0]
Target (issue 6): 1,000 questions with their images in under 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from spar_bench.synth import dataset
from spar_bench.tasks_spec import TASK_IDS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-task", type=int, default=50)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    tasks = list(TASK_IDS)

    started = time.perf_counter()
    pool_size = dataset.pool_size(args.per_task, len(tasks) + 1)
    pool = dataset.ScenePool(args.seed, pool_size, args.width, args.height)
    for index in range(pool_size):  # scenes, cameras and their renderings
        pool[index]
    rendered = time.perf_counter()
    questions = list(dataset.generate_questions(args.seed, tasks, args.per_task, pool))
    generated = time.perf_counter()
    rows = [dataset.hub_row(i, q, pool, rgbd=False) for i, q in enumerate(questions)]
    encoded = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        dataset.write_parquet(rows, Path(tmp) / dataset.PARQUET, rgbd=False)
    written = time.perf_counter()

    views = 3 * len(pool.built())
    images = sum(len(r["image"]) for r in rows)
    total = written - started
    print(
        f"{len(questions)} questions, {len(pool.built())} scenes, {views} views rendered, {images} images written "
        f"({args.width}x{args.height})"
    )
    print(f"render   {rendered - started:6.2f} s  {views / (rendered - started):7.1f} views rendered/s")
    print(
        f"question {generated - rendered:6.2f} s  {len(questions) / (generated - rendered):7.1f} questions/s "
        "(markers placed, answers computed; renderings shared)"
    )
    print(f"images   {encoded - generated:6.2f} s  {images / (encoded - generated):7.1f} images/s (markers drawn, PNG)")
    print(f"parquet  {written - encoded:6.2f} s")
    print(
        f"total    {total:6.2f} s  {len(questions) / total:7.1f} questions/s end to end, "
        f"{images / total:7.1f} images/s end to end"
    )
    print(
        f"{'PASS' if total * 1000 / len(questions) < 60 else 'FAIL'}: 1,000 questions with images take "
        f"{total * 1000 / len(questions):.1f} s at this rate (target < 60 s)"
    )


if __name__ == "__main__":
    main()
