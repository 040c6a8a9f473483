"""Seed -> scenes -> questions -> parquet in the hub schema, plus the scene and marker files the checks read.

Outputs of `generate_dataset(seed, per_task, out_dir)`:
  spar_bench_synth.parquet       the 20 SPAR-Bench tasks, `per_task` rows each (loads with spar_bench.data)
  spar_bench_synth_3d.parquet    `obj_3d_grounding`, `per_task` rows, same columns
  spar_bench_synth_scenes.json   seed, image size, and every scene with its three cameras
  spar_bench_synth_meta.jsonl    per row: dataset, id, task, scene, views, markers, stated parameters, answer
Every random choice comes from numpy Generators seeded by (seed, purpose, index), so a seed gives the same
questions, answers and pixels on any machine.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from spar_bench.errors import DataError
from spar_bench.synth.camera import Camera, place_views
from spar_bench.synth.markers import draw_markers
from spar_bench.synth.marking import MIN_VISIBLE_SHARE
from spar_bench.synth.questions import (
    GROUNDING_TASK,
    LETTERS,
    SceneViews,
    SynthQuestion,
    answer_universe,
    floor_visible,
    make_plan,
    question_for,
)
from spar_bench.synth.render import render
from spar_bench.synth.scene import Scene, make_scene
from spar_bench.tasks_spec import TASKS, TASKS_BY_ID

PARQUET = "spar_bench_synth.parquet"
PARQUET_3D = "spar_bench_synth_3d.parquet"
SCENES = "spar_bench_synth_scenes.json"
META = "spar_bench_synth_meta.jsonl"
QUESTIONS_PER_SCENE = 16  # rendering is shared by the questions of a scene
EXTRA_SCENES = 16  # scenes built beyond the pool when none of it can carry a plan
MAX_OBJECT_SHARE = 0.4  # a view where one object fills more than this is dropped (camera against a cabinet)
_SCENE, _QUESTION, _LETTER, _TARGET, _PLAN = 1, 2, 3, 4, 5  # purposes in the seed tuples


class SynthError(DataError, RuntimeError):
    """The generator could not produce what was asked (e.g. no scene could carry a question)."""


@dataclass(frozen=True)
class GeneratedRow:
    dataset: str  # "spar" or "3d"
    id: int
    question: SynthQuestion


def view_usable(scene: Scene, rendering) -> bool:
    """The view shows at least three objects and none of them fills more than MAX_OBJECT_SHARE of it."""
    counts = rendering.visible_pixels(len(scene.objects))
    return bool(
        (counts >= MIN_VISIBLE_SHARE * rendering.ids.size).sum() >= 3
        and counts.max() <= MAX_OBJECT_SHARE * rendering.ids.size
    )


def views_usable(scene: Scene, cameras: list[Camera], renderings: list) -> bool:
    """Every view is usable (`view_usable`) and the first view shows the floor right below the second camera
    (camera_motion_infer asks for that spot). `cameras` are the ones `renderings` were made with."""
    if not all(view_usable(scene, r) for r in renderings):
        return False
    return floor_visible(renderings[0], cameras[0], np.array([*cameras[1].position[:2], 0.0]))


def _previews_usable(scene: Scene, cameras: list[Camera]) -> bool:
    """`views_usable` at 80 x 60, rendering a view only while the ones before it passed."""
    small = [c.resized(80, 60) for c in cameras]
    for k, camera in enumerate(small):
        preview = render(scene, camera)
        if not view_usable(scene, preview):
            return False
        if k == 0 and not floor_visible(preview, camera, np.array([*cameras[1].position[:2], 0.0])):
            return False
    return True


def build_scene_views(seed: int, index: int, width: int, height: int) -> SceneViews:
    """Scene `index` of a seed with three usable views, rendered; deterministic in (seed, index).

    Views are tried at 80 x 60 first (each view only while the ones before it pass); only accepted ones are
    rendered at full size.
    """
    rng = np.random.default_rng([seed, _SCENE, index])
    for _ in range(50):
        scene = make_scene(rng)
        for _ in range(4):
            cameras = place_views(rng, scene, 3, width, height)
            if cameras is None:
                break
            if _previews_usable(scene, cameras):
                renderings = [render(scene, c) for c in cameras]
                if views_usable(scene, cameras, renderings):
                    return SceneViews(index, scene, tuple(cameras), tuple(renderings))
    raise SynthError(f"seed {seed}: no usable views for scene {index} after 50 rooms")


def pool_size(per_task: int, n_tasks: int) -> int:
    """Scenes for `per_task` questions of `n_tasks` tasks: QUESTIONS_PER_SCENE per scene on average, and at least
    one scene per question of a task with some to spare (camera_motion_infer can ask only one question per scene:
    its images and correct spot are the scene's, and a crowded scene may have no free floor for distractors)."""
    return max(3, math.ceil(per_task * n_tasks / QUESTIONS_PER_SCENE), math.ceil(1.3 * per_task) + 8)


class ScenePool:
    """Scenes built on first use and kept, so questions on the same scene share its renderings."""

    def __init__(self, seed: int, size: int, width: int, height: int):
        self.seed, self.size, self.width, self.height = seed, size, width, height
        self._built: dict[int, SceneViews] = {}

    def __getitem__(self, index: int) -> SceneViews:
        if index not in self._built:
            self._built[index] = build_scene_views(self.seed, index, self.width, self.height)
        return self._built[index]

    def built(self) -> list[SceneViews]:
        return [self._built[i] for i in sorted(self._built)]


def balanced_cycle(rng: np.random.Generator, values: tuple[str, ...] | str, count: int) -> list[str]:
    """`count` values, each occurring the same number of times (within one), in a random order.

    The whole schedule is shuffled, not block by block: with blocks of len(values), the answers of the
    earlier rows of a block would tell which values the later rows can still take."""
    out: list[str] = []
    while len(out) < count:
        out.extend(values[int(i)] for i in rng.permutation(len(values)))
    out = out[:count]
    return [out[int(i)] for i in rng.permutation(count)]


def balanced_letters(rng: np.random.Generator, count: int) -> list[str]:
    """`count` letters, each of A-D equally often (within one), in a random order."""
    return balanced_cycle(rng, LETTERS, count)


def generate_questions(seed: int, tasks: list[str], per_task: int, pool: ScenePool) -> Iterator[SynthQuestion]:
    """`per_task` questions of each task, task by task; scenes are visited in a task-dependent rotation.

    Each question's plan (letter, correct option from a balanced schedule, distractors, stated parameters) is
    drawn first and kept: scenes are tried until one carries it. A question whose identity (images, stem,
    correct option; see `SynthQuestion.identity`) repeats an earlier one of its task is not used: another scene
    is tried. Raises SynthError when no scene of the pool (and a few extra) can carry a plan.
    """
    seen: set[tuple] = set()
    for t, task in enumerate(tasks):
        letters = balanced_letters(np.random.default_rng([seed, _LETTER, t]), per_task)
        universe = answer_universe(task)
        targets = balanced_cycle(np.random.default_rng([seed, _TARGET, t]), universe, per_task) if universe else None
        for q in range(per_task):
            plan = make_plan(
                task, np.random.default_rng([seed, _PLAN, t, q]), letters[q], targets[q] if targets else ""
            )
            rng = np.random.default_rng([seed, _QUESTION, t, q])
            start = (q * len(tasks) + t) % pool.size
            for attempt in range(pool.size + EXTRA_SCENES):
                index = (start + attempt) % pool.size if attempt < pool.size else pool.size + attempt
                question = question_for(task, rng, pool[index], plan)
                if question is None:
                    continue
                if question.identity() not in seen:
                    seen.add(question.identity())
                    yield question
                    break
            else:
                raise SynthError(f"seed {seed}: no scene could carry a {task} question (#{q}, plan {plan})")


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def question_images(question: SynthQuestion, pool: ScenePool) -> list[bytes]:
    """PNG bytes of the question's images in order, each with the markers drawn on it."""
    sv = pool[question.scene_id]
    return [
        encode_png(draw_markers(sv.renderings[view].rgb, [m for m in question.markers if m.image == image]))
        for image, view in enumerate(question.views)
    ]


def depth_png(depth: np.ndarray) -> bytes:
    """16-bit PNG of a depth map in millimetres (0 where nothing was hit), as the RGBD hub data stores depth."""
    millimetres = np.where(np.isfinite(depth), np.round(depth * 1000), 0).clip(0, 65535).astype(np.uint16)
    return encode_png(Image.fromarray(millimetres))


def hub_row(row_id: int, question: SynthQuestion, pool: ScenePool, rgbd: bool) -> dict:
    """One row in the hub schema (plus RGBD columns when asked)."""
    spec = TASKS_BY_ID.get(question.task)
    row: dict[str, object] = {
        "id": row_id,
        "img_type": spec.view.value if spec else "single_view",
        "format_type": spec.format_type if spec else "fill",
        "task": question.task,
        "source": "synthetic",
        "image": [{"bytes": data, "path": None} for data in question_images(question, pool)],
        "question": question.question,
        "answer": question.answer,
    }
    if rgbd:
        sv = pool[question.scene_id]
        cameras = [sv.cameras[v] for v in question.views]
        intrinsic = np.eye(4)
        intrinsic[:3, :3] = cameras[0].K
        row["depth"] = [{"bytes": depth_png(sv.renderings[v].depth), "path": None} for v in question.views]
        row["pose"] = [c.c2w.ravel().tolist() for c in cameras]
        row["intrinsic_color"] = intrinsic.ravel().tolist()
        row["intrinsic_depth"] = intrinsic.ravel().tolist()
    return row


def write_parquet(rows: list[dict], path: Path, rgbd: bool) -> None:
    """Rows to parquet with the hub's features, so `load_dataset("parquet")` decodes lists of images."""
    import datasets

    spec = {
        "id": datasets.Value("int64"),
        "img_type": datasets.Value("string"),
        "format_type": datasets.Value("string"),
        "task": datasets.Value("string"),
        "source": datasets.Value("string"),
        "image": datasets.Sequence(datasets.Image()),
        "question": datasets.Value("string"),
        "answer": datasets.Value("string"),
    }
    if rgbd:
        spec["depth"] = datasets.Sequence(datasets.Image())
        spec["pose"] = datasets.Sequence(datasets.Sequence(datasets.Value("float64")))
        spec["intrinsic_color"] = datasets.Sequence(datasets.Value("float64"))
        spec["intrinsic_depth"] = datasets.Sequence(datasets.Value("float64"))
    features = datasets.Features(spec)
    columns = {name: [row[name] for row in rows] for name in features}
    datasets.Dataset.from_dict(columns, features=features).to_parquet(str(path))


# The set shipped in the package (tasks/data/): 20 tasks x 10 questions, small images to keep it a few MB.
# The settings the embedded set (spar_bench.data.EMBEDDED, "synth") was generated with.
EMBEDDED_SETTINGS = {"seed": 0, "per_task": 10, "width": 320, "height": 240}


def generate_dataset(
    seed: int, per_task: int, out_dir: Path, *, width: int = 640, height: int = 480, rgbd: bool = False
) -> Path:
    """Write the synthetic SPAR-Bench set (20 tasks x `per_task`), the 3D grounding set and the scene files
    to `out_dir` (see the module docstring); returns the path of the 20-task parquet."""
    if per_task < 1:
        raise ValueError(f"per_task must be at least 1, got {per_task}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks = [t.task_id for t in TASKS]
    pool = ScenePool(seed, pool_size(per_task, len(tasks) + 1), width, height)
    spar = list(generate_questions(seed, tasks, per_task, pool))
    grounding = list(generate_questions(seed, [GROUNDING_TASK], per_task, pool))
    meta: list[dict] = []
    for name, questions, path in (("spar", spar, PARQUET), ("3d", grounding, PARQUET_3D)):
        rows = [hub_row(i, q, pool, rgbd) for i, q in enumerate(questions)]
        write_parquet(rows, out_dir / path, rgbd)
        meta.extend({"dataset": name, "id": i, **q.to_json()} for i, q in enumerate(questions))
    scenes = {
        "seed": seed,
        "width": width,
        "height": height,
        "scenes": {
            str(sv.scene_id): {"scene": sv.scene.to_json(), "cameras": [c.to_json() for c in sv.cameras]}
            for sv in pool.built()
        },
    }
    (out_dir / SCENES).write_text(json.dumps(scenes, indent=1))
    (out_dir / META).write_text("".join(json.dumps(m) + "\n" for m in meta))
    return out_dir / PARQUET


def main(argv: list[str] | None = None) -> int:
    """`spar-bench synth --seed S --per-task N --out DIR [--width W --height H --rgbd]`, or
    `spar-bench synth --audit [--seed S --per-task N --width W --height H]`: the blind audit of seeds S and S + 1
    (default 100 questions per task at 160 x 120), or `--audit-files A.parquet B.parquet` of two sets already
    written, printed as a markdown table; exits 1 when a task's selected attack beats chance by more than
    `--max-excess` points."""
    parser = argparse.ArgumentParser(
        prog="spar-bench synth",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Generate a synthetic SPAR-style test set (the defaults reproduce the embedded set), or audit "
        "whether its questions can be answered from their text alone.",
        epilog="examples:\n  spar-bench synth --out synth0/                          # the embedded set again\n"
        "  spar-bench synth --seed 7 --per-task 50 --width 640 --height 480 --out synth7/\n"
        "  spar-bench synth --audit --seed 1                        # text-only attacks, seeds 1 and 2",
    )
    parser.add_argument(
        "--seed", type=int, default=EMBEDDED_SETTINGS["seed"], help="seed of every random choice (default 0)"
    )
    parser.add_argument("--per-task", type=int, help="questions per task (default 10; 100 with --audit)")
    parser.add_argument("--out", type=Path, help="output folder (required unless --audit)")
    parser.add_argument("--width", type=int, help="image width (default 320; 160 with --audit)")
    parser.add_argument("--height", type=int, help="image height (default 240; 120 with --audit)")
    parser.add_argument("--rgbd", action="store_true", help="add depth, pose and intrinsics columns")
    parser.add_argument(
        "--audit",
        action="store_true",
        help="answer the multiple-choice questions of seeds S and S + 1 from their text alone "
        "(fit on one seed, score on the other) and print each task's best attack against chance",
    )
    parser.add_argument(
        "--audit-files",
        nargs=2,
        type=Path,
        metavar=("FIRST", "SECOND"),
        help="audit two hub-schema parquet files (fit on one, score on the other) instead",
    )
    parser.add_argument(
        "--max-excess",
        type=float,
        default=8.0,
        help="with --audit, the points above chance a task may reach (default 8)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.audit or args.audit_files:
        import pyarrow.parquet as pq

        from spar_bench.synth.audit import audit, blind_items, format_audit, generated_items

        if args.audit_files:
            columns = ["task", "question", "answer"]
            first, second = (blind_items(pq.read_table(f, columns=columns).to_pylist()) for f in args.audit_files)
            where = f"{args.audit_files[0]} and {args.audit_files[1]}"
        else:
            size = {"width": args.width or 160, "height": args.height or 120}
            per_task = args.per_task or 100
            first, second = (generated_items(s, per_task, **size) for s in (args.seed, args.seed + 1))
            where = f"seeds {args.seed} and {args.seed + 1}, {per_task} per task, {size['width']}x{size['height']}"
        results = audit(first, second)
        print(format_audit(results))
        print(f"{where}, {time.perf_counter() - started:.1f} s")
        over = [r.task for r in results if 100 * r.excess > args.max_excess]
        if over:
            print(f"spar-bench synth --audit: more than {args.max_excess:g} points above chance: {', '.join(over)}")
        return 1 if over else 0
    if args.out is None:
        parser.error("--out is required (or pass --audit)")
    per_task = args.per_task or EMBEDDED_SETTINGS["per_task"]
    path = generate_dataset(
        args.seed,
        per_task,
        args.out,
        width=args.width or EMBEDDED_SETTINGS["width"],
        height=args.height or EMBEDDED_SETTINGS["height"],
        rgbd=args.rgbd,
    )
    print(
        f"wrote {20 * per_task} questions to {path} and {per_task} to {args.out / PARQUET_3D} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
