"""Make the offline sample `tasks/data/spar_bench_sample.parquet`: 5 synthetic questions per task, in the hub schema.

Provisional: procedurally drawn rooms carrying the benchmark's point and box markers; answers (but for position
matching's boxes) come from a seeded generator, not from 3D geometry. A real scene generator will replace it.
"""

from __future__ import annotations

import argparse
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from spar_bench.tasks_spec import TASKS, AnswerKind, TaskSpec

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tasks" / "data" / "spar_bench_sample.parquet"
QUESTIONS_PER_TASK = 5
WIDTH, HEIGHT = 320, 240
POINT_RADIUS = 10
LETTERS = "ABCD"
ORDINALS = ("first", "second", "third")
FURNITURE = ("chair", "table", "sofa", "lamp", "bed", "cabinet", "counter", "desk", "shelf", "door")
SMALL_THINGS = ("towel", "trash can", "monitor", "pillow", "sink", "plant")
OBJECT_NAMES = FURNITURE + SMALL_THINGS
# Muted object colours, so the saturated marker colours stand out against them.
OBJECT_COLOURS = ((139, 107, 77), (120, 120, 128), (196, 180, 150), (90, 110, 100), (160, 140, 170), (110, 90, 70))
MARKER_RGB = {
    "red": (230, 30, 30),
    "blue": (30, 70, 235),
    "green": (20, 190, 40),
    "yellow": (250, 220, 0),
    "purple": (160, 40, 200),
}
DIRECTIONS = ("front", "back", "left", "right", "front-left", "front-right", "back-left", "back-right")
NUMERIC_SUFFIX = " Calculate or judge based on the 3D center points of these objects. The unit is meter."
CHOICE_SUFFIX = " Pick the appropriate option from the choices available."
VIEW_CHANGE_QUESTION = (
    "The two images show the same room from two camera poses. How does the camera move and rotate from the first "
    "image to the second image? Give the translation in meters and the rotation in degrees."
)


@dataclass(frozen=True)
class SceneObject:
    name: str
    x: int  # box centre and size in the 0-1000 frame of a view with offset 0
    y: int
    w: int
    h: int
    colour: tuple[int, int, int]
    ellipse: bool


@dataclass(frozen=True)
class Marker:
    colour: str
    obj: SceneObject
    view: int  # index of the image the marker is drawn on


Scene = list[SceneObject]
Marked = tuple[str, list[Marker]]  # question text and the markers it names


def make_scene(rng: random.Random) -> Scene:
    """Six named objects in a room, drawn far (small y) to near.

    One object per horizontal slot 128 apart (jitter 15), at most 160 wide: no object covers another's centre,
    where its point marker goes, and two points never touch.
    """
    objects = [
        SceneObject(
            name,
            180 + 128 * slot + rng.randint(-15, 15),
            rng.randint(330, 800),
            rng.randint(80, 160),
            rng.randint(90, 260),
            rng.choice(OBJECT_COLOURS),
            rng.random() < 0.4,
        )
        for slot, name in enumerate(rng.sample(OBJECT_NAMES, 6))
    ]
    return sorted(objects, key=lambda o: o.y)


def make_offsets(rng: random.Random, views: int) -> list[int]:
    """Horizontal shift of each view in the 0-1000 frame; the first view is the reference."""
    return [0] + [rng.choice((-1, 1)) * rng.randint(40, 120) for _ in range(views - 1)]


def box_in_view(obj: SceneObject, offset: int) -> list[int]:
    """The object's `[x1, y1, x2, y2]` in a view, clipped to the 0-1000 frame."""
    x1, x2 = obj.x - offset - obj.w // 2, obj.x - offset + obj.w // 2
    y1, y2 = obj.y - obj.h // 2, obj.y + obj.h // 2
    return [max(0, min(1000, v)) for v in (x1, y1, x2, y2)]


def to_pixels(coords: list[int]) -> list[float]:
    return [c / 1000 * (WIDTH if i % 2 == 0 else HEIGHT) for i, c in enumerate(coords)]


def render_view(scene: Scene, offset: int, points: list[Marker], boxes: list[Marker]) -> bytes:
    """One PNG view: wall, floor, the objects, then the markers on top (points as filled discs, boxes as outlines)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (222, 214, 196))
    draw = ImageDraw.Draw(image)
    horizon = int(HEIGHT * 0.42)
    draw.rectangle([0, horizon, WIDTH, HEIGHT], fill=(170, 150, 120))
    draw.line([0, horizon, WIDTH, horizon], fill=(120, 105, 85), width=3)
    for obj in scene:
        shape = draw.ellipse if obj.ellipse else draw.rectangle
        shape(to_pixels(box_in_view(obj, offset)), fill=obj.colour, outline=(60, 50, 40), width=1)
    for marker in boxes:
        draw.rectangle(to_pixels(box_in_view(marker.obj, offset)), outline=MARKER_RGB[marker.colour], width=3)
    for marker in points:
        x, y = to_pixels([marker.obj.x - offset, marker.obj.y])
        r = POINT_RADIUS
        draw.ellipse([x - r, y - r, x + r, y + r], fill=MARKER_RGB[marker.colour], outline=(255, 255, 255), width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def place_points(rng: random.Random, scene: Scene, offsets: list[int], colours: list[str]) -> list[Marker]:
    """One point per colour on distinct objects, spread over the views.

    Object centres (165-835) and view shifts (at most 120) keep every point inside its image.
    """
    views = list(range(len(offsets)))
    order = (rng.sample(views, len(views)) * len(colours))[: len(colours)]
    objects = rng.sample(scene, len(colours))
    return [Marker(colour, obj, view) for colour, obj, view in zip(colours, objects, order, strict=True)]


def label(marker: Marker, multi_view: bool) -> str:
    """How a question names a marked object: `the chair (red point)` or `the chair (red point in the second image)`."""
    where = f" in the {ORDINALS[marker.view]} image" if multi_view else ""
    return f"the {marker.obj.name} ({marker.colour} point{where})"


def meters(rng: random.Random, low: float, high: float) -> str:
    return f"{rng.uniform(low, high):.1f}"


def options_text(correct: str, distractors: list[str], letter: str) -> str:
    """`A. ... B. ... C. ... D. ...` with `correct` placed at `letter`."""
    options = list(distractors[:3])
    options.insert(LETTERS.index(letter), correct)
    return " ".join(f"{LETTERS[i]}. {option}" for i, option in enumerate(options))


def numeric_question(
    rng: random.Random, spec: TaskSpec, scene: Scene, offsets: list[int]
) -> tuple[str, str, list[Marker]]:
    """Depth or distance, object-to-camera or object-to-object; some questions carry a reference value."""
    multi = len(offsets) > 1
    camera = "the camera of the first image" if multi else "the camera"
    frame = f" from {camera}" if multi else ""
    depth, oo = spec.task_id.startswith("depth"), "_oo" in spec.task_id
    with_reference = oo if depth else rng.random() < 0.5  # depth-OO always states the first object's depth
    colours = ["red", "blue", "green"][: 1 + int(oo) + int(with_reference and not depth)]
    points = place_points(rng, scene, offsets, colours)
    a, b, c = ([label(p, multi) for p in points] + ["", ""])[:3]
    ref = meters(rng, 0.8, 4.0)
    if spec.task_id.startswith("depth_prediction_oc"):
        text = f"What is the depth of {a}{frame}?"
    elif spec.task_id.startswith("depth_prediction_oo"):
        text = f"With {a} having a depth of {ref} meters{frame}, determine the depth of {b} in the same frame."
    elif spec.task_id.startswith("distance_prediction_oc"):
        text = (
            f"Given that {a} is {ref} meters away from {camera}, how far is {b} from that camera?"
            if with_reference
            else f"How far is {a} from {camera}?"
        )
    else:
        text = (
            f"Given that {a} and {b} are {ref} meters apart, what is the distance between {a} and {c}?"
            if with_reference
            else f"What is the distance between {a} and {b}?"
        )
    return text + NUMERIC_SUFFIX, meters(rng, 0.5, 4.5), points


def position_matching_question(rng: random.Random, scene: Scene, offsets: list[int], letter: str) -> Marked:
    """A red box on an object in the first image; the options are boxes in the second image."""
    box = place_points(rng, scene, offsets[:1], ["red"])[0]
    others = [o for o in scene if o is not box.obj]
    distractors = [str(box_in_view(o, offsets[1])) for o in rng.sample(others, 3)]
    correct = str(box_in_view(box.obj, offsets[1]))
    text = (
        f"The {box.obj.name} is marked with a red box in the first image. Which box in the second image "
        f"contains the same {box.obj.name}? " + options_text(correct, distractors, letter)
    )
    return text, [box]


def camera_motion_question(rng: random.Random, letter: str) -> str:
    """Where the second camera sits in the first image, as a `[x, y]` point in the 0-1000 frame."""
    points = [f"[{rng.randint(50, 950)}, {rng.randint(300, 950)}]" for _ in range(4)]
    return (
        "The two images are taken from different camera positions. Which point in the first image is closest to "
        "where the camera of the second image is located? " + options_text(points[0], points[1:], letter)
    )


def view_change_answer(rng: random.Random, offset: int) -> str:
    """Five `key:value` motion items; the sideways move follows the sign of the view's pan."""
    right = "move_right" if offset > 0 else "move_left"
    up = rng.choice(("move_up", "move_down"))
    forward = rng.choice(("move_forward", "move_backward"))
    pitch = rng.choice(("rotate_up", "rotate_down"))
    yaw = "rotate_right" if offset > 0 else "rotate_left"
    return (
        f"{right}:{meters(rng, 0.0, 1.5)},{up}:{meters(rng, 0.0, 0.5)},{forward}:{meters(rng, 0.0, 2.5)},"
        f"{pitch}:{rng.randint(0, 15)},{yaw}:{rng.randint(5, 90)}"
    )


def relation(rng: random.Random, oc: bool) -> str:
    """A `horizontal, vertical, depth` triple; an empty slot means no clear relation on that axis (one at most)."""
    horizontal = rng.choice(("left", "right", ""))
    vertical = rng.choice(("above", "below", "") if horizontal else ("above", "below"))
    return f"{horizontal}, {vertical}, {rng.choice(('front', 'behind') if oc else ('closer', 'farther'))}"


def distinct(make: Callable[[], str], n: int) -> list[str]:
    """`n` different values of `make()`, in the order first made."""
    values: list[str] = []
    while len(values) < n:
        value = make()
        if value not in values:
            values.append(value)
    return values


def distance_infer_question(rng: random.Random, scene: Scene, offsets: list[int], letter: str) -> Marked:
    """Which of four marked objects is closest to the red-marked one; options name the points."""
    multi = len(offsets) > 1
    points = place_points(rng, scene, offsets, ["red", "blue", "green", "yellow", "purple"])
    names = [label(p, multi) for p in points]
    candidates = [f"{p.colour} point ({p.obj.name})" for p in points[1:]]
    text = (
        f"From the image{'s' if multi else ''}, decide which of {', '.join(names[1:4])} and {names[4]} is closest "
        f"to {names[0]}. Calculate or judge based on the 3D center points of these objects.{CHOICE_SUFFIX} "
    )
    return text + options_text(candidates[0], candidates[1:], letter), points


def relation_question(rng: random.Random, spec: TaskSpec, scene: Scene, offsets: list[int], letter: str) -> Marked:
    """Where an object lies relative to the camera (OC) or to another object (OO), as a relation triple."""
    multi, oc = len(offsets) > 1, "_oc" in spec.task_id
    points = place_points(rng, scene, offsets, ["red"] if oc else ["red", "blue"])
    names = [label(p, multi) for p in points]
    if oc:
        text = f"Relative to the camera of the first image, where is {names[0]}?"
    else:
        viewpoint = "the camera's viewpoint of the first image" if multi else "the camera's viewpoint"
        text = f"From {viewpoint}, where is {names[1]} relative to {names[0]}?"
    options = distinct(lambda: relation(rng, oc), 4)
    text += f" Answer as horizontal, vertical, depth.{CHOICE_SUFFIX} "
    return text + options_text(options[0], options[1:], letter), points


def imagination_question(rng: random.Random, spec: TaskSpec, scene: Scene, offsets: list[int], letter: str) -> Marked:
    """Direction of an object after an imagined camera move (OC) or from an imagined standpoint (OO)."""
    multi = len(offsets) > 1
    if "_oc" in spec.task_id:
        points = place_points(rng, scene, offsets, ["red"])
        text = (
            f"Imagine the camera{' of the first image' if multi else ''} turns {rng.choice((45, 90, 180))} "
            f"degrees to the {rng.choice(('left', 'right'))} and moves {meters(rng, 0.5, 2.0)} meters forward. "
            f"In which direction is {label(points[0], multi)} from the camera then?"
        )
    else:
        points = place_points(rng, scene, offsets, ["red", "blue", "green"])
        a, b, c = (label(p, multi) for p in points)
        text = f"Imagine you are standing at {a} and facing {b}. In which direction is {c} from you?"
    options = rng.sample(DIRECTIONS, 4)
    return f"{text}{CHOICE_SUFFIX} " + options_text(options[0], options[1:], letter), points


def make_row(rng: random.Random, spec: TaskSpec, row_id: int, letter: str) -> dict:
    """One dataset row in the hub schema, images rendered with the markers its question names."""
    scene, offsets = make_scene(rng), make_offsets(rng, spec.images)
    points: list[Marker] = []
    boxes: list[Marker] = []
    if spec.answer_kind is AnswerKind.NUMBER:
        question, answer, points = numeric_question(rng, spec, scene, offsets)
    elif spec.answer_kind is AnswerKind.MOTION:
        question, answer = VIEW_CHANGE_QUESTION, view_change_answer(rng, offsets[1])
    else:
        answer = letter
        if spec.task_id == "position_matching":
            question, boxes = position_matching_question(rng, scene, offsets, letter)
        elif spec.task_id == "camera_motion_infer":
            question = camera_motion_question(rng, letter)
        elif spec.task_id.startswith("distance_infer"):
            question, points = distance_infer_question(rng, scene, offsets, letter)
        elif spec.task_id.startswith("obj_spatial_relation"):
            question, points = relation_question(rng, spec, scene, offsets, letter)
        else:
            question, points = imagination_question(rng, spec, scene, offsets, letter)
    images = [
        {
            "bytes": render_view(scene, offset, [p for p in points if p.view == v], [b for b in boxes if b.view == v]),
            "path": None,
        }
        for v, offset in enumerate(offsets)
    ]
    return {
        "id": row_id,
        "img_type": spec.view.value,
        "format_type": spec.format_type,
        "task": spec.task_id,
        "source": "synthetic",
        "image": images,
        "question": question,
        "answer": answer,
    }


def make_rows(seed: int) -> list[dict]:
    """QUESTIONS_PER_TASK rows per task in task-table order; every task uses each of A-D as a correct letter."""
    rng = random.Random(seed)
    rows = []
    for spec in TASKS:
        letters = [*rng.sample(LETTERS, 4), rng.choice(LETTERS)]
        for letter in letters[:QUESTIONS_PER_TASK]:
            rows.append(make_row(rng, spec, len(rows), letter))
    return rows


def write_parquet(rows: list[dict], out: Path) -> None:
    """Write rows with the hub's features embedded, so `load_dataset("parquet")` decodes lists of PIL images."""
    import datasets

    features = datasets.Features(
        {
            "id": datasets.Value("int64"),
            "img_type": datasets.Value("string"),
            "format_type": datasets.Value("string"),
            "task": datasets.Value("string"),
            "source": datasets.Value("string"),
            "image": datasets.Sequence(datasets.Image()),  # a List of images; Sequence also reads on datasets 2.x
            "question": datasets.Value("string"),
            "answer": datasets.Value("string"),
        }
    )
    columns = {name: [row[name] for row in rows] for name in features}
    out.parent.mkdir(parents=True, exist_ok=True)
    datasets.Dataset.from_dict(columns, features=features).to_parquet(str(out))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="parquet file to write")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random choice")
    args = parser.parse_args(argv)
    rows = make_rows(args.seed)
    write_parquet(rows, args.out)
    print(f"wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()
