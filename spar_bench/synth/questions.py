"""SPAR-style questions over a rendered scene: the 20 SPAR-Bench tasks and `obj_3d_grounding`.

Each generator gets a seeded Generator, a `SceneViews` (scene, three cameras, their renderings) and, for
multiple choice, the letter the correct option must take (the caller balances letters). It returns a
`SynthQuestion` whose answer follows from the scene's geometry, or None when this scene cannot carry the
question decidably (too few visible objects, a relation too close to call), and the caller tries another scene.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from spar_bench.synth.camera import Camera, heading_frame, wrap_angle
from spar_bench.synth.markers import Marker, place_point, point_radius, to_pixel, visible_box
from spar_bench.synth.render import Rendering
from spar_bench.synth.scene import Scene

LETTERS = "ABCD"
ORDINALS = ("first", "second", "third")
POINT_COLOURS = ("red", "blue", "green", "yellow", "purple")
NUMERIC_SUFFIX = " Calculate or judge based on the 3D center points of these objects. The unit is meter."
CHOICE_SUFFIX = " Pick the appropriate option from the choices available."
DIRECTIONS = ("front", "front-right", "right", "back-right", "back", "back-left", "left", "front-left")
MIN_VISIBLE_SHARE = 0.004  # an object must cover this share of the image to be marked
# Relations: an offset below CLEAR_NONE is "no relation" (empty slot), above CLEAR_SOME a clear one; between
# the two the question is dropped, so every slot is decidable.
CLEAR_NONE, CLEAR_SOME = 0.15, 0.35
SECTOR_MARGIN_DEG = 10.0  # directions closer than this to a sector boundary are dropped
VIEW_CHANGE_FORMAT = (
    "Answer in the form move_right:X,move_up:X,move_forward:X,rotate_up:X,rotate_right:X with translations in "
    "meters and rotations in degrees, using move_left, move_down, move_backward, rotate_down or rotate_left "
    "for the opposite directions."
)


@dataclass(frozen=True)
class SceneViews:
    """A scene, its three cameras and their renderings; `scene_id` indexes the saved scene file."""

    scene_id: int
    scene: Scene
    cameras: tuple[Camera, ...]
    renderings: tuple[Rendering, ...]

    def visible(self, view: int) -> list[int]:
        """Objects that cover at least MIN_VISIBLE_SHARE of view `view`, in index order."""
        cache = self.__dict__.setdefault("_visible", {})  # frozen dataclass: a private memo, not a field
        if view not in cache:
            rendering = self.renderings[view]
            counts = rendering.visible_pixels(len(self.scene.objects))
            cache[view] = [int(i) for i in np.nonzero(counts >= MIN_VISIBLE_SHARE * rendering.ids.size)[0]]
        return cache[view]

    def bounds(self, view: int, object_id: int) -> tuple[slice, slice] | None:
        """Row and column slices around the visible pixels of an object in a view; None when it is hidden."""
        cache = self.__dict__.setdefault("_bounds", {})
        if view not in cache:
            cache[view] = ndimage.find_objects(self.renderings[view].ids.astype(np.int32) + 1)  # label k + 1: object k
        found = cache[view]
        return found[object_id] if object_id < len(found) else None


@dataclass(frozen=True)
class SynthQuestion:
    """One generated question: text and answer in the hub's formats, and what the checks need to redo it.

    `views` are camera indices of the scene in image order; marker `image` indexes into `views`. `params`
    holds what the question states besides markers (reference frame image, imagined motion), JSON-ready.
    """

    task: str
    question: str
    answer: str
    scene_id: int
    views: tuple[int, ...]
    markers: tuple[Marker, ...]
    params: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "task": self.task,
            "scene_id": self.scene_id,
            "views": list(self.views),
            "markers": [m.to_json() for m in self.markers],
            "params": self.params,
            "answer": self.answer,
        }


# ---------------------------------------------------------------- shared pieces


class _Marking:
    """Point markers placed so far for one question, image by image (no two points crowd each other)."""

    def __init__(self, sv: SceneViews, views: tuple[int, ...]):
        self.sv, self.views = sv, views
        self.markers: list[Marker] = []
        self.used: set[int] = set()

    def point(self, colour: str, image: int, object_id: int) -> Marker | None:
        rendering = self.sv.renderings[self.views[image]]
        height, width = rendering.ids.shape
        taken = [to_pixel(m.point, width, height) for m in self.markers if m.image == image and m.point]
        normalized = place_point(rendering, object_id, taken, bounds=self.sv.bounds(self.views[image], object_id))
        if normalized is None:
            return None
        marker = Marker(colour, object_id, image, point=normalized)
        self.markers.append(marker)
        self.used.add(object_id)
        return marker

    def pick(self, rng: np.random.Generator, colour: str, image: int, exclude: set[int] = frozenset()) -> Marker | None:
        """Mark a random visible object of image `image` not yet used; None when none can be marked."""
        candidates = [i for i in self.sv.visible(self.views[image]) if i not in self.used and i not in exclude]
        for index in rng.permutation(len(candidates)):
            marker = self.point(colour, image, candidates[int(index)])
            if marker is not None:
                return marker
        return None


def _name(sv: SceneViews, object_id: int) -> str:
    return sv.scene.objects[object_id].category


def _label(sv: SceneViews, marker: Marker, multi: bool) -> str:
    where = f" in the {ORDINALS[marker.image]} image" if multi else ""
    return f"the {_name(sv, marker.object_id)} ({marker.colour} point{where})"


def _center(sv: SceneViews, object_id: int) -> np.ndarray:
    return np.array(sv.scene.objects[object_id].center)


def _meters(value: float) -> str:
    return f"{value:.1f}"


def _options(correct: str, distractors: list[str], letter: str) -> str:
    options = list(distractors[:3])
    options.insert(LETTERS.index(letter), correct)
    return " ".join(f"{LETTERS[i]}. {option}" for i, option in enumerate(options))


def _image_order(rng: np.random.Generator, n: int) -> list[int]:
    """Images to put `n` markers on, spread over three images in a random order."""
    order = [int(i) for i in rng.permutation(3)]
    return [order[i % 3] for i in range(n)]


def _multi(task: str) -> bool:
    return task.endswith("_mv")


def _views(task: str) -> tuple[int, ...]:
    return (0, 1, 2) if _multi(task) else (0,)


# ---------------------------------------------------------------- numeric tasks


def numeric_question(rng: np.random.Generator, sv: SceneViews, task: str) -> SynthQuestion | None:
    """Depth (camera-frame z of the 3D center) or distance (between 3D centers), OC or OO, single or multi-view.

    Multi-view: points may sit in any image and the frame is one image's camera, named in the question; the
    marked objects must lie at least 0.5 m in front of that camera for depth.
    """
    multi, oo, depth = _multi(task), "_oo" in task, task.startswith("depth")
    if multi:
        views = (0, 1, 2)
        frame = int(rng.integers(3))
        images = _image_order(rng, 2)
    else:
        views = (int(rng.integers(3)),)
        frame, images = 0, [0, 0]
    marking = _Marking(sv, views)
    camera = sv.cameras[views[frame]]
    first = marking.pick(rng, "red", images[0])
    second = marking.pick(rng, "blue", images[1]) if oo else None
    if first is None or (oo and second is None):
        return None
    a, b = (_center(sv, m.object_id) for m in (first, second or first))
    za, zb = camera.world_to_camera(np.array([a, b]))[:, 2]
    in_frame = f" in the camera frame of the {ORDINALS[frame]} image" if multi else ""
    from_camera = f"the camera of the {ORDINALS[frame]} image" if multi else "the camera"
    la = _label(sv, first, multi)
    lb = _label(sv, second, multi) if second else ""
    if task.startswith("depth_prediction_oc"):
        value, text = za, f"What is the depth of {la}{in_frame}?"
    elif task.startswith("depth_prediction_oo"):
        value = zb
        text = f"With {la} having a depth of {_meters(za)} meters{in_frame}, determine the depth of {lb} in the same frame."
    elif task.startswith("distance_prediction_oc"):
        value = float(np.linalg.norm(a - np.array(camera.position)))
        text = f"How far is {la} from {from_camera}?"
    else:
        value = float(np.linalg.norm(a - b))
        text = f"What is the distance between {la} and {lb}?"
    if depth and min(za, zb) < 0.5 or value < 0.3:
        return None
    params = {"frame": frame}
    if task.startswith("depth_prediction_oo"):
        params["reference_depth"] = _meters(za)
    return SynthQuestion(task, text + NUMERIC_SUFFIX, _meters(value), sv.scene_id, views, tuple(marking.markers), params)


# ---------------------------------------------------------------- medium tasks


def _iou(a: tuple, b: tuple) -> float:
    w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _box_text(box: tuple) -> str:
    return f"[{box[0]}, {box[1]}, {box[2]}, {box[3]}]"


def position_matching_question(rng: np.random.Generator, sv: SceneViews, letter: str) -> SynthQuestion | None:
    """A red box on an object in the first image; options are visible boxes of four objects in the second."""
    first, second = [int(v) for v in rng.permutation(3)[:2]]
    shared = [i for i in sv.visible(first) if i in set(sv.visible(second))]
    if not shared:
        return None
    target = shared[int(rng.integers(len(shared)))]
    correct = visible_box(sv.renderings[second], target)
    boxes: list[tuple] = [correct]
    for other in rng.permutation(sv.visible(second)).tolist():
        box = visible_box(sv.renderings[second], int(other))
        if int(other) != target and all(_iou(box, b) < 0.3 for b in boxes):
            boxes.append(box)
        if len(boxes) == 4:
            break
    if len(boxes) < 4:
        return None
    marker = Marker("red", target, 0, box=visible_box(sv.renderings[first], target))
    name = _name(sv, target)
    text = (
        f"The {name} is marked with a red box in the first image. Which box in the second image contains the "
        f"same {name}? " + _options(_box_text(correct), [_box_text(b) for b in boxes[1:]], letter)
    )
    return SynthQuestion("position_matching", text, letter, sv.scene_id, (first, second), (marker,), {})


def floor_spot(first: Camera, second: Camera) -> tuple[int, int]:
    """The normalized point of the first image where the floor right below the second camera appears."""
    u, v = first.project(np.array([[second.position[0], second.position[1], 0.0]]))[0]
    return round(u * 1000 / first.width), round(v * 1000 / first.height)


def camera_motion_question(rng: np.random.Generator, sv: SceneViews, letter: str) -> SynthQuestion | None:
    """Which of four points of the first image shows the floor below the second camera.

    Distractors are floor spots the second camera could have moved to (drawn as the cameras are placed), at
    least 180 normalized units from the true spot and from each other.
    """
    first, second = sv.cameras[0], sv.cameras[1]
    truth = floor_spot(first, second)
    points = [truth]
    for _ in range(200):
        ahead, side = rng.uniform(1.0, 3.2), rng.uniform(-1.6, 1.6)
        c, s = math.cos(first.yaw), math.sin(first.yaw)
        spot = np.array([[first.position[0] + c * ahead + s * side, first.position[1] + s * ahead - c * side, 0.0]])
        u, v = first.project(spot)[0]
        point = (round(u * 1000 / first.width), round(v * 1000 / first.height))
        if 60 <= point[0] <= 940 and 60 <= point[1] <= 940 and all(math.dist(point, p) >= 180 for p in points):
            points.append(point)
        if len(points) == 4:
            break
    if len(points) < 4:
        return None
    text = (
        "The two images are taken from different camera positions. Which point in the first image is closest to "
        "the spot on the floor directly below the camera of the second image? "
        + _options(*[f"[{p[0]}, {p[1]}]" for p in points[:1]], [f"[{p[0]}, {p[1]}]" for p in points[1:]], letter)
    )
    return SynthQuestion("camera_motion_infer", text, letter, sv.scene_id, (0, 1), (), {})


def motion_components(first: Camera, second: Camera) -> tuple[float, float, float, float, float]:
    """(right, up, forward) meters in the first camera's heading frame, then (rotate_up, rotate_right) degrees."""
    right, down, forward = heading_frame(first, np.array([second.position]))[0]
    rotate_right = -math.degrees(wrap_angle(second.yaw - first.yaw))  # yaw grows counter-clockwise (leftwards)
    rotate_up = math.degrees(second.pitch - first.pitch)
    return float(right), float(-down), float(forward), rotate_up, rotate_right


def motion_string(components: tuple[float, float, float, float, float]) -> str:
    """`move_right:0.4,move_up:0.0,move_forward:2.4,rotate_up:5,rotate_right:60`; negative values switch to the
    opposite key, zero keeps the positive one."""
    right, up, forward, rotate_up, rotate_right = components
    items = []
    for (pos, neg), value, digits in (
        (("move_right", "move_left"), right, 1),
        (("move_up", "move_down"), up, 1),
        (("move_forward", "move_backward"), forward, 1),
        (("rotate_up", "rotate_down"), rotate_up, 0),
        (("rotate_right", "rotate_left"), rotate_right, 0),
    ):
        rounded = round(value, digits)
        magnitude = abs(rounded)
        text = f"{magnitude:.1f}" if digits else f"{int(magnitude)}"
        items.append(f"{pos if rounded >= 0 or magnitude == 0 else neg}:{text}")
    return ",".join(items)


def view_change_question(rng: np.random.Generator, sv: SceneViews) -> SynthQuestion | None:
    """How the camera moves and turns from the first image to the second (any ordered pair of the 3 views)."""
    first, second = [int(v) for v in rng.permutation(3)[:2]]
    answer = motion_string(motion_components(sv.cameras[first], sv.cameras[second]))
    text = (
        "The two images show the same room from two camera poses. How does the camera move and rotate from the "
        "first image to the second image? Translations are taken in the first camera's level frame (right, up, "
        "forward). " + VIEW_CHANGE_FORMAT
    )
    return SynthQuestion("view_change_infer", text, answer, sv.scene_id, (first, second), (), {})


# ---------------------------------------------------------------- high tasks


def distance_infer_question(rng: np.random.Generator, sv: SceneViews, task: str, letter: str) -> SynthQuestion | None:
    """Which of four marked objects is closest to (or farthest from) the red one; options name the points.

    The winning distance differs from every other by at least 0.3 m and 15 %.
    """
    multi = _multi(task)
    views = (0, 1, 2) if multi else (int(rng.integers(3)),)
    images = _image_order(rng, 5) if multi else [0] * 5
    marking = _Marking(sv, views)
    markers = []
    for colour, image in zip(POINT_COLOURS, images):
        marker = marking.pick(rng, colour, image)
        if marker is None:
            return None
        markers.append(marker)
    reference, candidates = markers[0], markers[1:]
    distances = [float(np.linalg.norm(_center(sv, m.object_id) - _center(sv, reference.object_id))) for m in candidates]
    farthest = bool(rng.random() < 0.5)
    order = np.argsort(distances)[::-1] if farthest else np.argsort(distances)
    best, runner = distances[order[0]], distances[order[1]]
    if abs(best - runner) < max(0.3, 0.15 * max(best, runner)):
        return None
    # Colours go to options in A-D order; recolour the candidates so the winner sits at `letter`.
    winner = int(order[0])
    slots = [i for i in range(4) if i != winner]
    rng.shuffle(slots)
    arrangement = {winner: LETTERS.index(letter)}
    free = [k for k in range(4) if k != LETTERS.index(letter)]
    for candidate, slot in zip(slots, free):
        arrangement[candidate] = slot
    recoloured = [reference] + [
        Marker(POINT_COLOURS[1 + arrangement[i]], m.object_id, m.image, point=m.point) for i, m in enumerate(candidates)
    ]
    by_slot = sorted(recoloured[1:], key=lambda m: POINT_COLOURS.index(m.colour))
    options = [f"{m.colour} point ({_name(sv, m.object_id)})" for m in by_slot]
    where = "images" if multi else "image"
    names = [_label(sv, m, multi) for m in by_slot]
    word = "farthest from" if farthest else "closest to"
    text = (
        f"From the {where}, decide which of {', '.join(names[:3])} and {names[3]} is {word} "
        f"{_label(sv, reference, multi)}. Calculate or judge based on the 3D center points of these objects."
        f"{CHOICE_SUFFIX} " + " ".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(options))
    )
    return SynthQuestion(task, text, letter, sv.scene_id, views, tuple(recoloured), {"farthest": farthest})


def _slot(value: float, positive: str, negative: str) -> str | None:
    """The word of one relation axis; '' when there is no clear relation; None when it is too close to call."""
    if abs(value) < CLEAR_NONE:
        return ""
    if abs(value) < CLEAR_SOME:
        return None
    return positive if value > 0 else negative


def relation_triple(camera: Camera, subject: np.ndarray, anchor: np.ndarray | None) -> str | None:
    """`horizontal, vertical, depth` of `subject` relative to `anchor` (or to the camera when None), seen from
    `camera`'s heading; None when an axis is too close to call or two slots would be empty."""
    if anchor is None:
        x, y, z = heading_frame(camera, np.array([subject]))[0]
        words = (_slot(x, "right", "left"), _slot(-y, "above", "below"), _slot(z, "front", "behind"))
    else:
        (xs, ys, zs), (xa, ya, za) = heading_frame(camera, np.array([subject, anchor]))
        words = (_slot(xs - xa, "right", "left"), _slot(ya - ys, "above", "below"), _slot(zs - za, "farther", "closer"))
    if any(w is None for w in words) or words[2] == "" or sum(w == "" for w in words) > 1:
        return None
    return ", ".join(words)


def _all_triples(oc: bool) -> list[str]:
    depth = ("front", "behind") if oc else ("closer", "farther")
    return [
        f"{h}, {v}, {d}"
        for h in ("left", "right", "")
        for v in ("above", "below", "")
        for d in depth
        if not (h == "" and v == "")
    ]


def relation_question(rng: np.random.Generator, sv: SceneViews, task: str, letter: str) -> SynthQuestion | None:
    """Where an object lies relative to the camera of the first image (OC) or to another object (OO)."""
    multi, oc = _multi(task), "_oc" in task
    views = _views(task) if multi else (int(rng.integers(3)),)
    marking = _Marking(sv, views)
    images = _image_order(rng, 2) if multi else [0, 0]
    if oc:
        images = [int(rng.integers(1, 3))]  # the object is shown in another image than the first
    markers = [marking.pick(rng, colour, image) for colour, image in zip(("red", "blue"), images)]
    if any(m is None for m in markers):
        return None
    camera = sv.cameras[views[0]]
    subject = _center(sv, markers[-1].object_id)
    anchor = None if oc else _center(sv, markers[0].object_id)
    truth = relation_triple(camera, subject, anchor)
    if truth is None:
        return None
    distractors = [t for t in _all_triples(oc) if t != truth]
    picks = [distractors[int(i)] for i in rng.choice(len(distractors), 3, replace=False)]
    names = [_label(sv, m, multi) for m in markers]
    if oc:
        text = f"Relative to the camera of the first image, where is {names[0]}?"
        axes = "horizontal (left/right), vertical (above/below) and depth (front/behind)"
    else:
        viewpoint = "the camera's viewpoint of the first image" if multi else "the camera's viewpoint"
        text = f"From {viewpoint}, where is {names[1]} relative to {names[0]}?"
        axes = "horizontal (left/right), vertical (above/below) and depth (closer/farther from the camera)"
    text += (
        f" Options give {axes}; an empty slot means no clear relation on that axis.{CHOICE_SUFFIX} "
        + _options(truth, picks, letter)
    )
    return SynthQuestion(task, text, letter, sv.scene_id, views, tuple(marking.markers), {})


def direction_word(forward: float, right: float) -> str | None:
    """One of 8 DIRECTIONS for a floor-plan offset, or None when it lies within SECTOR_MARGIN_DEG of a sector
    boundary or closer than 0.7 m."""
    if math.hypot(forward, right) < 0.7:
        return None
    angle = math.degrees(math.atan2(right, forward))
    sector = round(angle / 45)
    if abs(angle - sector * 45) > 22.5 - SECTOR_MARGIN_DEG:
        return None
    return DIRECTIONS[sector % 8]


def _direction_options(rng: np.random.Generator, truth: str, letter: str) -> str:
    k = DIRECTIONS.index(truth)
    far = [d for i, d in enumerate(DIRECTIONS) if min((i - k) % 8, (k - i) % 8) >= 2]
    picks = [far[int(i)] for i in rng.choice(len(far), 3, replace=False)]
    return _options(truth, picks, letter)


def imagined_pose(camera: Camera, turn_left_deg: float, move: float) -> tuple[np.ndarray, float]:
    """Floor position and heading after turning `turn_left_deg` (negative: right) and moving `move` m forward."""
    yaw = camera.yaw + math.radians(turn_left_deg)
    position = np.array(camera.position[:2]) + move * np.array([math.cos(yaw), math.sin(yaw)])
    return position, yaw


def heading_offset(position: np.ndarray, yaw: float, point: np.ndarray) -> tuple[float, float]:
    """(forward, right) of a point from a floor position facing `yaw`."""
    d = np.asarray(point[:2]) - position
    return float(d[0] * math.cos(yaw) + d[1] * math.sin(yaw)), float(d[0] * math.sin(yaw) - d[1] * math.cos(yaw))


def imagination_question(rng: np.random.Generator, sv: SceneViews, task: str, letter: str) -> SynthQuestion | None:
    """Direction of an object after an imagined camera move (OC) or from an imagined standpoint (OO)."""
    multi, oc = _multi(task), "_oc" in task
    views = _views(task) if multi else (int(rng.integers(3)),)
    marking = _Marking(sv, views)
    if oc:
        frame = int(rng.integers(3)) if multi else 0
        marker = marking.pick(rng, "red", int(rng.integers(3)) if multi else 0)
        if marker is None:
            return None
        turn = int(rng.choice([0, 45, 90, 135, 180]))
        side = "left" if rng.random() < 0.5 else "right"
        move = round(float(rng.uniform(0.5, 2.0)), 1)
        position, yaw = imagined_pose(sv.cameras[views[frame]], turn if side == "left" else -turn, move)
        truth = direction_word(*heading_offset(position, yaw, _center(sv, marker.object_id)))
        whose = f"the camera of the {ORDINALS[frame]} image" if multi else "the camera"
        turning = f"turns {turn} degrees to the {side} and then " if turn else ""
        text = (
            f"Imagine {whose} {turning}moves {move:.1f} meters forward. In which direction is "
            f"{_label(sv, marker, multi)} from the camera then?"
        )
        params = {"frame": frame, "turn_left_deg": turn if side == "left" else -turn, "move": move}
    else:
        images = _image_order(rng, 3) if multi else [0, 0, 0]
        markers = [marking.pick(rng, c, i) for c, i in zip(("red", "blue", "green"), images)]
        if any(m is None for m in markers):
            return None
        a, b, c = (_center(sv, m.object_id) for m in markers)
        if math.hypot(*(b - a)[:2]) < 0.7:
            return None
        yaw = math.atan2(b[1] - a[1], b[0] - a[0])
        truth = direction_word(*heading_offset(a[:2], yaw, c))
        la, lb, lc = (_label(sv, m, multi) for m in markers)
        text = f"Imagine you are standing at {la} and facing {lb}. In which direction is {lc} from you?"
        params = {}
    if truth is None:
        return None
    text += f"{CHOICE_SUFFIX} " + _direction_options(rng, truth, letter)
    return SynthQuestion(task, text, letter, sv.scene_id, views, tuple(marking.markers), params)


# ---------------------------------------------------------------- beyond SPAR-Bench


GROUNDING_TASK = "obj_3d_grounding"


def box_in_heading_frame(camera: Camera, scene: Scene, object_id: int) -> list[float]:
    """[x, y, z, dx, dy, dz, yaw] of an object in the camera's level frame (x right, y down, z forward).

    dx and dz are the box's horizontal sizes along its own axes, dy its height; yaw (radians, in [-pi/2, pi/2))
    turns the frame's x axis towards its z axis onto the box's first axis (a box is the same turned by pi).
    """
    obj = scene.objects[object_id]
    x, y, z = heading_frame(camera, np.array([obj.center]))[0]
    axis = np.array([math.cos(obj.yaw), math.sin(obj.yaw)])
    ax = axis[0] * math.sin(camera.yaw) - axis[1] * math.cos(camera.yaw)
    az = axis[0] * math.cos(camera.yaw) + axis[1] * math.sin(camera.yaw)
    yaw = (math.atan2(az, ax) + math.pi / 2) % math.pi - math.pi / 2
    return [float(x), float(y), float(z), obj.size[0], obj.size[2], obj.size[1], yaw]


def grounding_question(rng: np.random.Generator, sv: SceneViews) -> SynthQuestion | None:
    """The 3D box of the object under a red point, in the first camera's level frame; the answer is a JSON list."""
    view = int(rng.integers(3))
    marking = _Marking(sv, (view,))
    marker = marking.pick(rng, "red", 0)
    if marker is None:
        return None
    box = box_in_heading_frame(sv.cameras[view], sv.scene, marker.object_id)
    text = (
        f"Give the 3D bounding box of {_label(sv, marker, False)} in the camera's level frame: origin at the "
        "camera, x to the right, y down (along gravity), z forward along the camera's heading parallel to the "
        "floor, in meters. Answer as [x, y, z, dx, dy, dz, yaw]: the box center, its size (dx and dz horizontal "
        "along the box's own axes, dy its height) and yaw in radians about the vertical axis, turning x towards z."
    )
    answer = json.dumps([round(v, 2) for v in box])
    return SynthQuestion(GROUNDING_TASK, text, answer, sv.scene_id, (view,), tuple(marking.markers), {})


# ---------------------------------------------------------------- dispatch


def question_for(task: str, rng: np.random.Generator, sv: SceneViews, letter: str) -> SynthQuestion | None:
    """A question of `task` on `sv` (the correct option at `letter` for multiple choice), or None."""
    if task.startswith(("depth_prediction", "distance_prediction")):
        return numeric_question(rng, sv, task)
    makers: dict[str, Callable[[], SynthQuestion | None]] = {
        "position_matching": lambda: position_matching_question(rng, sv, letter),
        "camera_motion_infer": lambda: camera_motion_question(rng, sv, letter),
        "view_change_infer": lambda: view_change_question(rng, sv),
        GROUNDING_TASK: lambda: grounding_question(rng, sv),
    }
    if task in makers:
        return makers[task]()
    if task.startswith("distance_infer"):
        return distance_infer_question(rng, sv, task, letter)
    if task.startswith("obj_spatial_relation"):
        return relation_question(rng, sv, task, letter)
    if task.startswith("spatial_imagination"):
        return imagination_question(rng, sv, task, letter)
    raise ValueError(f"{task!r} is not a task the synthetic generator knows")


__all__ = [
    "GROUNDING_TASK",
    "SceneViews",
    "SynthQuestion",
    "question_for",
    "point_radius",
]
