"""Throughput of the 3D box IoU paths: pairs per second on random overlapping boxes, one line per path.

Run: python benchmarks/bench_iou3d.py [--pairs 100000] [--repeats 3] [--seed 0]
Each path runs on its own kind of pairs (axis-aligned, yaw-only, tilted); `box3d_iou` dispatch is timed on a
mix of the three, `box3d_iou_exact` on the yaw pairs (the general path on boxes a fast path would take).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from spar_bench.metrics.iou3d import (
    OrientedBoxes,
    box3d_iou,
    box3d_iou_axis_aligned,
    box3d_iou_exact,
    box3d_iou_yaw,
)


def random_yaw_boxes(rng: np.random.Generator, pairs: int, *, yaw: bool) -> np.ndarray:
    """(pairs, 7) boxes with centers in a 2 m cube, sizes 0.2-2 m, so that about half the pairs overlap."""
    boxes = np.empty((pairs, 7))
    boxes[:, :3] = rng.uniform(-1.0, 1.0, (pairs, 3))
    boxes[:, 3:6] = rng.uniform(0.2, 2.0, (pairs, 3))
    boxes[:, 6] = rng.uniform(-np.pi, np.pi, pairs) if yaw else 0.0
    return boxes


def random_tilted_boxes(rng: np.random.Generator, pairs: int) -> OrientedBoxes:
    """Boxes with uniformly random rotations (from normalized Gaussian quaternions)."""
    quaternion = rng.normal(size=(4, pairs))
    w, x, y, z = quaternion / np.linalg.norm(quaternion, axis=0)
    rotation = np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
            np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
            np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
        ],
        -2,
    )
    return OrientedBoxes(rng.uniform(-1.0, 1.0, (pairs, 3)), rng.uniform(0.2, 2.0, (pairs, 3)), rotation)


def take(boxes: OrientedBoxes, rows: slice) -> OrientedBoxes:
    return OrientedBoxes(boxes.center[rows], boxes.size[rows], boxes.rotation[rows])


def concatenate(parts: list[OrientedBoxes]) -> OrientedBoxes:
    return OrientedBoxes(
        *(np.concatenate([getattr(part, field) for part in parts]) for field in ("center", "size", "rotation"))
    )


def pairs_per_second(function, a, b, pairs: int, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function(a, b)
        best = min(best, time.perf_counter() - start)
    return pairs / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.pairs

    aligned = random_yaw_boxes(rng, n, yaw=False), random_yaw_boxes(rng, n, yaw=False)
    yawed = random_yaw_boxes(rng, n, yaw=True), random_yaw_boxes(rng, n, yaw=True)
    tilted = random_tilted_boxes(rng, n), random_tilted_boxes(rng, n)
    third = n // 3
    mixed = [
        concatenate(
            [
                OrientedBoxes.from_yaw(aligned[side][:third]),
                OrientedBoxes.from_yaw(yawed[side][:third]),
                take(tilted[side], slice(0, n - 2 * third)),
            ]
        )
        for side in (0, 1)
    ]

    rows = [
        ("axis-aligned  box3d_iou_axis_aligned", box3d_iou_axis_aligned, aligned),
        ("yaw           box3d_iou_yaw", box3d_iou_yaw, yawed),
        ("general       box3d_iou_exact (tilted)", box3d_iou_exact, tilted),
        ("general       box3d_iou_exact (yaw pairs)", box3d_iou_exact, yawed),
        ("dispatch      box3d_iou (1/3 of each kind)", box3d_iou, mixed),
    ]
    print(f"{n} random pairs, best of {args.repeats}")
    for label, function, (a, b) in rows:
        rate = pairs_per_second(function, a, b, n, args.repeats)
        overlap = float(np.mean(function(a, b) > 0))
        print(f"{label:45s} {rate:12,.0f} pairs/s   ({overlap:.0%} overlapping)")


if __name__ == "__main__":
    main()
