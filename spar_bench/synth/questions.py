"""SPAR-style questions over a rendered scene: the 20 SPAR-Bench tasks and `obj_3d_grounding`.

A multiple-choice question is made in two steps so that its text does not give its answer away. First a
`Plan` is drawn, before any scene is looked at: the letter of the correct option, the correct option itself
(from a schedule balanced over every option the task can take), the distractors (drawn uniformly from the other
options, so the four options are an exchangeable set) and everything else the text states (an imagined motion,
which image is the reference frame, which image each point is drawn in). Then scenes are searched for one that
carries the plan exactly; a scene that cannot is skipped, and the plan is never bent to fit a scene, so nothing
the text shows depends on which option is right. Where the options are read off the scene (boxes, floor
spots, object names) the four are drawn by one procedure and the correct one sits at the planned letter.

Each generator returns a `SynthQuestion` whose answer follows from the scene's geometry, or None when this scene
cannot carry the plan decidably (too few visible objects, a relation within its margin), and the caller tries
another scene.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from spar_bench.synth.camera import SECOND_AHEAD, SECOND_SIDE, Camera, free_positions, heading_frame, wrap_angle
from spar_bench.synth.markers import Marker, place_point, point_radius, to_pixel, visible_box
from spar_bench.synth.render import ROOM_ID, Rendering
from spar_bench.synth.scene import Scene
from spar_bench.tasks_spec import GROUNDING_TASK

LETTERS = "ABCD"
ORDINALS = ("first", "second", "third")
POINT_COLOURS = ("red", "blue", "green", "yellow", "purple")
NUMERIC_SUFFIX = " Calculate or judge based on the 3D center points of these objects. The unit is meter."
CHOICE_SUFFIX = " Pick the appropriate option from the choices available."
DIRECTIONS = ("front", "front-right", "right", "back-right", "back", "back-left", "left", "front-left")
MIN_VISIBLE_SHARE = 0.004  # an object must cover this share of the image to be marked
# Relations: an offset below CLEAR_NONE is "no relation" (empty slot), above CLEAR_SOME a clear one; between
# the two the question is not asked, so every slot holds by a margin of at least 0.2 m either way.
CLEAR_NONE, CLEAR_SOME = 0.15, 0.35
SECTOR_MARGIN_DEG = 10.0  # directions closer than this to a sector boundary are not asked
MIN_DIRECTION_DISTANCE = 0.7  # meters; nearer objects have no clear direction
IMAGINED_MOVES = (2.0, 2.5, 3.0)  # meters; long enough that an object can end up on any side of the camera
IMAGINED_TURNS = (0, 45, 90, 135, 180, -135, -90, -45)  # degrees to the left; every direction equally often
SPOT_SEPARATION = 120  # normalized units between any two candidate floor spots (the check allows 60)
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
class Plan:
    """What a question will state and answer, fixed before any scene is looked at.

    `target` is the correct option's text for tasks whose options come from a fixed list (relation triples,
    directions), with `distractors` the other three; both are empty where the scene supplies the options.
    `params` holds the other stated choices (imagined motion, frame and marker images, closest or farthest).
    """

    task: str
    letter: str
    target: str = ""
    distractors: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SynthQuestion:
    """One generated question: text and answer in the hub's formats, and what the checks need to redo it.

    `views` are camera indices of the scene in image order; marker `image` indexes into `views`. `params`
    holds what the question states besides markers (reference frame image, imagined motion), JSON-ready.
    `options` are the option texts in letter order (empty for numeric and motion answers).
    """

    task: str
    question: str
    answer: str
    scene_id: int
    views: tuple[int, ...]
    markers: tuple[Marker, ...]
    params: dict = field(default_factory=dict)
    options: tuple[str, ...] = ()

    def identity(self) -> tuple:
        """What a model sees and must answer: the images (scene, views, markers as drawn), the stem and the
        correct option's content (the answer itself for numeric and motion questions). Two questions with the
        same identity differ at most in their distractors."""
        stem = self.question[: self.question.find(" A. ")] if self.options else self.question
        correct = self.options[LETTERS.index(self.answer)] if self.options else self.answer
        drawn = tuple((m.colour, m.image, m.point, m.box) for m in self.markers)
        return self.task, self.scene_id, self.views, drawn, stem, correct

    def to_json(self) -> dict:
        return {
            "task": self.task,
            "scene_id": self.scene_id,
            "views": list(self.views),
            "markers": [m.to_json() for m in self.markers],
            "params": self.params,
            "answer": self.answer,
        }


# ---------------------------------------------------------------- plans


def _triples(depth: tuple[str, str]) -> tuple[str, ...]:
    """Relation options `horizontal, vertical, depth`: 3 x 3 x 2 minus the two with both first slots empty."""
    return tuple(
        f"{h}, {v}, {d}"
        for h in ("left", "right", "")
        for v in ("above", "below", "")
        for d in depth
        if not (h == "" and v == "")
    )


# Relative to a camera, an object that the camera does not see (it is marked in another view) can be behind it,
# but the scenes put nothing above a camera and behind it, and almost nothing straight above it: those triples
# are left out of answers and distractors alike, so leaving them out tells nothing.
OC_TRIPLES = tuple(
    t
    for t in _triples(("front", "behind"))
    if not (t.endswith("behind") and ", below," not in t) and t != ", above, front"
)
OO_TRIPLES = _triples(("closer", "farther"))


def answer_universe(task: str) -> tuple[str, ...]:
    """Every option text a task's correct answer can take, for tasks whose options come from a fixed list
    (empty for tasks whose options are read off the scene or that have no options)."""
    if task.startswith("obj_spatial_relation"):
        return OC_TRIPLES if "_oc" in task else OO_TRIPLES
    if task.startswith("spatial_imagination"):
        return DIRECTIONS
    return ()


def _ordinals(rng: np.random.Generator, n: int) -> tuple[int, ...]:
    """Images for `n` markers, spread over the three images in a random order."""
    order = [int(i) for i in rng.permutation(3)]
    return tuple(order[i % 3] for i in range(n))


def make_plan(task: str, rng: np.random.Generator, letter: str, target: str = "") -> Plan:
    """The plan of one question: `letter` and `target` come from the caller's balanced schedules; distractors
    and stated parameters are drawn here from distributions that do not depend on the target."""
    universe = answer_universe(task)
    distractors: tuple[str, ...] = ()
    if universe:
        if target not in universe:
            raise ValueError(f"{target!r} is not an option of {task}")
        others = [u for u in universe if u != target]
        distractors = tuple(others[int(i)] for i in rng.choice(len(others), 3, replace=False))
    multi = task.endswith("_mv")
    params: dict = {}
    if task.startswith("distance_infer"):
        params = {"farthest": bool(rng.random() < 0.5), "images": list(_ordinals(rng, 5)) if multi else [0] * 5}
    elif task == "obj_spatial_relation_oc_mv":
        frame, image = (int(v) for v in rng.permutation(3)[:2])  # the object sits in another image
        params = {"frame": frame, "image": image}
    elif task == "obj_spatial_relation_oo_mv":
        params = {"images": list(_ordinals(rng, 2))}
    elif task.startswith("spatial_imagination_oc"):
        params = {
            "turn_left_deg": int(IMAGINED_TURNS[int(rng.integers(len(IMAGINED_TURNS)))]),
            "move": float(IMAGINED_MOVES[int(rng.integers(len(IMAGINED_MOVES)))]),
            "frame": int(rng.integers(3)) if multi else 0,
            "image": int(rng.integers(3)) if multi else 0,
            "side_180": "left" if rng.random() < 0.5 else "right",  # how a half turn is worded
        }
    elif task == "spatial_imagination_oo_mv":
        params = {"images": list(_ordinals(rng, 3))}
    return Plan(task, letter, target, distractors, params)


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

    def points(self, spec: list[tuple[str, int, int]]) -> bool:
        """Mark every (colour, image, object) of `spec`; on any failure nothing is kept and False returned."""
        for colour, image, object_id in spec:
            if self.point(colour, image, object_id) is None:
                self.markers.clear()
                self.used.clear()
                return False
        return True


def _name(sv: SceneViews, object_id: int) -> str:
    return sv.scene.objects[object_id].category


def _label(sv: SceneViews, marker: Marker, multi: bool) -> str:
    where = f" in the {ORDINALS[marker.image]} image" if multi else ""
    return f"the {_name(sv, marker.object_id)} ({marker.colour} point{where})"


def _unnamed(marker: Marker, multi: bool) -> str:
    """`the object at the red point in the second image`: multiple-choice questions do not name objects, because
    in these rooms a name tells where an object is (a clock hangs above a chair, a vase stands on the table it
    is closest to), which a reader could use without looking."""
    where = f" in the {ORDINALS[marker.image]} image" if multi else ""
    return f"the object at the {marker.colour} point{where}"


def _center(sv: SceneViews, object_id: int) -> np.ndarray:
    return np.array(sv.scene.objects[object_id].center)


def _meters(value: float) -> str:
    return f"{value:.1f}"


def _arrange(correct: str, distractors: tuple[str, ...] | list[str], letter: str) -> tuple[str, ...]:
    options = list(distractors[:3])
    options.insert(LETTERS.index(letter), correct)
    return tuple(options)


def _option_list(options: tuple[str, ...]) -> str:
    return " ".join(f"{LETTERS[i]}. {option}" for i, option in enumerate(options))


def _image_order(rng: np.random.Generator, n: int) -> list[int]:
    """Images to put `n` markers on, spread over three images in a random order."""
    return list(_ordinals(rng, n))


def _multi(task: str) -> bool:
    return task.endswith("_mv")


def _view_orders(rng: np.random.Generator) -> list[tuple[int, int, int]]:
    """The six orders of the three views, shuffled: which camera shows up as the first, second, third image."""
    orders = list(itertools.permutations(range(3)))
    return [orders[int(i)] for i in rng.permutation(len(orders))]


def _shuffled(rng: np.random.Generator, values: list) -> list:
    return [values[int(i)] for i in rng.permutation(len(values))]


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
    return SynthQuestion(
        task, text + NUMERIC_SUFFIX, _meters(value), sv.scene_id, views, tuple(marking.markers), params
    )


# ---------------------------------------------------------------- medium tasks


def _iou(a: tuple, b: tuple) -> float:
    w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _box_text(box: tuple) -> str:
    return f"[{box[0]}, {box[1]}, {box[2]}, {box[3]}]"


def position_matching_question(rng: np.random.Generator, sv: SceneViews, plan: Plan) -> SynthQuestion | None:
    """A red box on an object in the first image; the options are the boxes, in the second image, of four
    objects that both images show, and the object at the planned letter is the one boxed in the first.

    The four are drawn without regard to the letter, so every option is equally likely to be the answer
    whatever its size or place; the stem does not name the object (a name would tell a pillow's box from a
    bed's without looking).
    """
    for first, second in _shuffled(rng, list(itertools.permutations(range(3), 2))):
        shown = set(sv.visible(second))
        shared = [i for i in sv.visible(first) if i in shown]
        chosen: list[tuple[int, tuple]] = []
        for other in _shuffled(rng, shared):
            box = visible_box(sv.renderings[second], other)
            if all(_iou(box, b) < 0.3 for _, b in chosen):
                chosen.append((other, box))
            if len(chosen) == 4:
                break
        if len(chosen) < 4:
            continue
        target = chosen[LETTERS.index(plan.letter)][0]
        marker = Marker("red", target, 0, box=visible_box(sv.renderings[first], target))
        options = tuple(_box_text(b) for _, b in chosen)
        text = (
            "An object is marked with a red box in the first image. Which box in the second image contains the "
            "same object? " + _option_list(options)
        )
        return SynthQuestion(
            "position_matching", text, plan.letter, sv.scene_id, (first, second), (marker,), {}, options
        )
    return None


def floor_spot(first: Camera, second: Camera) -> tuple[int, int]:
    """The normalized point of the first image where the floor right below the second camera appears."""
    u, v = first.project(np.array([[second.position[0], second.position[1], 0.0]]))[0]
    return round(u * 1000 / first.width), round(v * 1000 / first.height)


def floor_visible(rendering: Rendering, camera: Camera, point: np.ndarray) -> bool:
    """Whether the floor point `point` (world, z = 0) shows in the rendering: in the image, and the 3 x 3 pixels
    around its projection are floor at the point's depth (not an object or a wall in front of it)."""
    return bool(_floor_visible(rendering, camera, np.array([point]))[0])


def _floor_visible(rendering: Rendering, camera: Camera, points: np.ndarray) -> np.ndarray:
    """`floor_visible` for floor points (n, 3) at once: (n,) bool."""
    height, width = rendering.ids.shape
    pixels = camera.project(points)
    depth = camera.world_to_camera(points)[:, 2]
    inside = (
        (depth > 0.1)
        & (pixels[:, 0] >= 1)
        & (pixels[:, 0] < width - 1)
        & (pixels[:, 1] >= 1)
        & (pixels[:, 1] < height - 1)
    )
    cols = np.clip(pixels[:, 0].astype(int), 1, width - 2)[:, None] + np.array([-1, 0, 1] * 3)[None, :]
    rows = np.clip(pixels[:, 1].astype(int), 1, height - 2)[:, None] + np.repeat([-1, 0, 1], 3)[None, :]
    # Neighbouring pixels sit on the floor a little nearer or farther; 8 % covers a 3 x 3 patch at grazing view.
    floor = np.all(rendering.ids[rows, cols] == ROOM_ID, axis=1)
    level = np.all(np.abs(rendering.depth[rows, cols] - depth[:, None]) <= 0.08 * depth[:, None] + 0.02, axis=1)
    return inside & floor & level


def _candidate_spots(rng: np.random.Generator, sv: SceneViews, draws: int = 240) -> list[tuple[int, int]]:
    """Floor spots drawn as the second camera's position is drawn (SECOND_AHEAD m ahead of the first camera,
    SECOND_SIDE m sideways, on free floor, inside the central 84 % of the first image), kept where the first
    image shows them; normalized, in draw order (each an independent draw from that distribution)."""
    first = sv.cameras[0]
    c, s = math.cos(first.yaw), math.sin(first.yaw)
    ahead, side = rng.uniform(*SECOND_AHEAD, size=draws), rng.uniform(*SECOND_SIDE, size=draws)
    points = np.column_stack(
        [first.position[0] + c * ahead + s * side, first.position[1] + s * ahead - c * side, np.zeros(draws)]
    )
    keep = free_positions(sv.scene, points[:, :2])
    pixels = first.project(points)
    keep &= (pixels[:, 0] >= 0.08 * first.width) & (pixels[:, 0] <= 0.92 * first.width)
    keep &= (pixels[:, 1] >= 0.08 * first.height) & (pixels[:, 1] <= 0.92 * first.height)
    keep &= _floor_visible(sv.renderings[0], first, points)
    return [(round(u * 1000 / first.width), round(v * 1000 / first.height)) for u, v in pixels[keep]]


def camera_motion_question(rng: np.random.Generator, sv: SceneViews, plan: Plan) -> SynthQuestion | None:
    """Which of four points of the first image shows the floor below the second camera.

    The true spot must be visible floor in the first image. Distractors are drawn by the same procedure that
    placed the second camera (`_candidate_spots`), three at a time until every pair of the four is
    SPOT_SEPARATION apart, so the true spot is not special in place or spread.
    """
    first, second = sv.cameras[0], sv.cameras[1]
    if not floor_visible(sv.renderings[0], first, np.array([second.position[0], second.position[1], 0.0])):
        return None
    truth = floor_spot(first, second)
    spots = _candidate_spots(rng, sv)
    for start in range(0, len(spots) - 2, 3):
        points = [truth, *spots[start : start + 3]]
        if all(math.dist(p, q) >= SPOT_SEPARATION for p, q in itertools.combinations(points, 2)):
            options = _arrange(f"[{truth[0]}, {truth[1]}]", [f"[{p[0]}, {p[1]}]" for p in points[1:]], plan.letter)
            text = (
                "The two images are taken from different camera positions. Which point in the first image is "
                "closest to the spot on the floor directly below the camera of the second image? "
                + _option_list(options)
            )
            return SynthQuestion("camera_motion_infer", text, plan.letter, sv.scene_id, (0, 1), (), {}, options)
    return None


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


def _winner_margin(best: float, other: float) -> bool:
    """Whether a winning distance beats another by at least 0.3 m and 15 %."""
    return abs(best - other) >= max(0.3, 0.15 * max(best, other))


def distance_infer_question(rng: np.random.Generator, sv: SceneViews, plan: Plan) -> SynthQuestion | None:
    """Which of four marked objects is closest to (or farthest from) the red one; options name the points.

    Option k is the (k+1)-th of blue, green, yellow, purple; the plan fixes closest or farthest and the image of
    every point, so the text tells nothing of which option wins. The winning distance beats every other by at
    least 0.3 m and 15 %.
    """
    task, multi = plan.task, _multi(plan.task)
    farthest, images = plan.params["farthest"], plan.params["images"]
    slot = LETTERS.index(plan.letter)
    for views in _view_orders(rng)[:3] if multi else [(int(v),) for v in rng.permutation(3)]:
        visible = [sv.visible(v) for v in views]
        for reference in _shuffled(rng, visible[images[0]]):
            distance = {o: float(np.linalg.norm(_center(sv, o) - _center(sv, reference))) for v in visible for o in v}
            for winner in _shuffled(rng, [o for o in visible[images[1 + slot]] if o != reference]):
                best = distance[winner]
                chosen = {slot: winner}
                for k in range(4):
                    if k == slot:
                        continue
                    eligible = [
                        o
                        for o in visible[images[1 + k]]
                        if o != reference
                        and o not in chosen.values()
                        and (distance[o] < best if farthest else distance[o] > best)
                        and _winner_margin(best, distance[o])
                    ]
                    if not eligible:
                        break
                    chosen[k] = eligible[int(rng.integers(len(eligible)))]
                if len(chosen) < 4:
                    continue
                marking = _Marking(sv, views)
                spec = [("red", images[0], reference)] + [
                    (POINT_COLOURS[1 + k], images[1 + k], chosen[k]) for k in range(4)
                ]
                if not marking.points(spec):
                    continue
                markers = marking.markers
                by_slot = markers[1:]
                options = tuple(f"{m.colour} point" for m in by_slot)
                where = "images" if multi else "image"
                names = [_unnamed(m, multi) for m in by_slot]
                word = "farthest from" if farthest else "closest to"
                text = (
                    f"From the {where}, decide which of {', '.join(names[:3])} and {names[3]} is {word} "
                    f"{_unnamed(markers[0], multi)}. Calculate or judge based on the 3D center points of these "
                    f"objects.{CHOICE_SUFFIX} " + _option_list(options)
                )
                return SynthQuestion(
                    task, text, plan.letter, sv.scene_id, tuple(views), tuple(markers), {"farthest": farthest}, options
                )
    return None


def _slot(value: float, positive: str, negative: str) -> str | None:
    """The word of one relation axis; '' when there is no clear relation; None when it is too close to call."""
    if abs(value) < CLEAR_NONE:
        return ""
    if abs(value) < CLEAR_SOME:
        return None
    return positive if value > 0 else negative


def _where(camera: Camera, points: np.ndarray) -> np.ndarray:
    """Per point (n, 5): right, up, forward in the camera's level frame, optical-axis depth, distance to the camera."""
    x, y, z = heading_frame(camera, points).T
    optical = camera.world_to_camera(points)[:, 2]
    distance = np.linalg.norm(points - np.array(camera.position), axis=1)
    return np.column_stack([x, -y, z, optical, distance])


def _triple(subject: np.ndarray, anchor: np.ndarray | None) -> str | None:
    """The relation triple from `_where` rows of the subject and the anchor (None: relative to the camera)."""
    if anchor is None:
        right, up, forward, optical, _ = subject
        words = (_slot(right, "right", "left"), _slot(up, "above", "below"), _slot(forward, "front", "behind"))
        readings = (forward, optical)
    else:
        right, up, forward, optical, distance = (float(a) for a in subject - anchor)
        words = (_slot(right, "right", "left"), _slot(up, "above", "below"), _slot(forward, "farther", "closer"))
        readings = (forward, optical, distance)
    if any(w is None for w in words) or words[2] == "" or words[0] == words[1] == "":
        return None
    if not (all(r >= CLEAR_SOME for r in readings) or all(r <= -CLEAR_SOME for r in readings)):
        return None
    return ", ".join(words)


def relation_triple(camera: Camera, subject: np.ndarray, anchor: np.ndarray | None) -> str | None:
    """`horizontal, vertical, depth` of `subject` relative to `anchor` (or to the camera when None), seen from
    `camera`'s heading; None when an axis is within its margin or the two first slots would both be empty.

    Horizontal and vertical are offsets in the camera's level frame (right, world up). Depth must read the same
    three ways, each by CLEAR_SOME: along the level heading, along the optical axis (camera-frame z), and as
    straight-line distance from the camera (OO); relative to the camera, front and behind along the heading and
    along the optical axis. So "closer" cannot turn into "farther" for a reader who measures depth differently.
    """
    points = np.array([subject] if anchor is None else [subject, anchor], dtype=float)
    where = _where(camera, points)
    return _triple(where[0], None if anchor is None else where[1])


def _where_objects(sv: SceneViews, view: int) -> np.ndarray:
    """`_where` of every object's center from camera `view` (n_objects, 5), cached on the scene views."""
    cache = sv.__dict__.setdefault("_where", {})
    if view not in cache:
        cache[view] = _where(sv.cameras[view], np.array([o.center for o in sv.scene.objects]))
    return cache[view]


def relation_question(rng: np.random.Generator, sv: SceneViews, plan: Plan) -> SynthQuestion | None:
    """Where an object lies relative to the camera of one image (OC, multi-view: the object is marked in another
    image, so it may be behind that camera) or to another object (OO), as the planned triple says."""
    task, multi, oc = plan.task, _multi(plan.task), "_oc" in plan.task
    if oc:
        frame, image = plan.params["frame"], plan.params["image"]
        for views in _view_orders(rng):
            where = _where_objects(sv, views[frame])
            for subject in _shuffled(rng, sv.visible(views[image])):
                if _triple(where[subject], None) != plan.target:
                    continue
                marking = _Marking(sv, views)
                if not marking.points([("red", image, subject)]):
                    continue
                text = f"Relative to the camera of the {ORDINALS[frame]} image, where is {_unnamed(marking.markers[0], True)}?"
                axes = "horizontal (left/right), vertical (above/below) and depth (front/behind)"
                return _relation_text(task, text, axes, plan, sv, views, marking)
        return None
    images = plan.params["images"] if multi else [0, 0]
    orders = _view_orders(rng) if multi else [(int(v),) for v in rng.permutation(3)]
    for views in orders:
        where = _where_objects(sv, views[0])
        anchors, subjects = sv.visible(views[images[0]]), sv.visible(views[images[1]])
        pairs = [(a, s) for a in anchors for s in subjects if a != s]
        for anchor, subject in _shuffled(rng, pairs):
            if _triple(where[subject], where[anchor]) != plan.target:
                continue
            marking = _Marking(sv, views)
            if not marking.points([("red", images[0], anchor), ("blue", images[1], subject)]):
                continue
            names = [_unnamed(m, multi) for m in marking.markers]
            viewpoint = "the camera's viewpoint of the first image" if multi else "the camera's viewpoint"
            text = f"From {viewpoint}, where is {names[1]} relative to {names[0]}?"
            axes = "horizontal (left/right), vertical (above/below) and depth (closer/farther from the camera)"
            return _relation_text(task, text, axes, plan, sv, views, marking)
    return None


def _relation_text(task, text, axes, plan: Plan, sv: SceneViews, views, marking: _Marking) -> SynthQuestion:
    options = _arrange(plan.target, plan.distractors, plan.letter)
    text += f" Options give {axes}; an empty slot means no clear relation on that axis.{CHOICE_SUFFIX} " + _option_list(
        options
    )
    params = {"frame": plan.params.get("frame", 0)}
    return SynthQuestion(task, text, plan.letter, sv.scene_id, tuple(views), tuple(marking.markers), params, options)


def direction_word(forward: float, right: float) -> str | None:
    """One of 8 DIRECTIONS for a floor-plan offset, or None when it lies within SECTOR_MARGIN_DEG of a sector
    boundary or closer than MIN_DIRECTION_DISTANCE."""
    if math.hypot(forward, right) < MIN_DIRECTION_DISTANCE:
        return None
    angle = math.degrees(math.atan2(right, forward))
    sector = round(angle / 45)
    if abs(angle - sector * 45) > 22.5 - SECTOR_MARGIN_DEG:
        return None
    return DIRECTIONS[sector % 8]


def imagined_pose(camera: Camera, move: float, turn_left_deg: float) -> tuple[np.ndarray, float]:
    """Floor position and heading after moving `move` m forward along the camera's heading and then turning
    `turn_left_deg` (negative: right)."""
    position = np.array(camera.position[:2]) + move * np.array([math.cos(camera.yaw), math.sin(camera.yaw)])
    return position, camera.yaw + math.radians(turn_left_deg)


def heading_offset(position: np.ndarray, yaw: float, point: np.ndarray) -> tuple[float, float]:
    """(forward, right) of a point from a floor position facing `yaw`."""
    d = np.asarray(point[:2]) - position
    return float(d[0] * math.cos(yaw) + d[1] * math.sin(yaw)), float(d[0] * math.sin(yaw) - d[1] * math.cos(yaw))


def _inside(scene: Scene, position: np.ndarray, margin: float = 0.2) -> bool:
    return margin <= position[0] <= scene.width - margin and margin <= position[1] <= scene.length - margin


def imagination_question(rng: np.random.Generator, sv: SceneViews, plan: Plan) -> SynthQuestion | None:
    """Direction of an object after an imagined camera move (OC) or from an imagined standpoint (OO).

    OC: the camera moves forward by the planned distance, then turns by the planned angle; turns cover all
    eight directions equally and the move is long enough to pass objects, so every answer goes with every
    stated motion. OO: standing at the red object facing the blue one, where is the green one.
    """
    multi, oc = _multi(plan.task), "_oc" in plan.task
    orders = _view_orders(rng) if multi else [(int(v),) for v in rng.permutation(3)]
    if oc:
        frame, image = plan.params["frame"], plan.params["image"]
        turn, move = plan.params["turn_left_deg"], plan.params["move"]
        for views in orders:
            position, yaw = imagined_pose(sv.cameras[views[frame]], move, turn)
            if not _inside(sv.scene, position):
                continue
            for subject in _shuffled(rng, sv.visible(views[image])):
                if direction_word(*heading_offset(position, yaw, _center(sv, subject))) != plan.target:
                    continue
                marking = _Marking(sv, views)
                if not marking.points([("red", image, subject)]):
                    continue
                whose = f"the camera of the {ORDINALS[frame]} image" if multi else "the camera"
                if turn == 0:
                    turning = ""
                else:
                    side = plan.params["side_180"] if abs(turn) == 180 else ("left" if turn > 0 else "right")
                    turning = f" and then turns {abs(turn)} degrees to the {side}"
                text = (
                    f"Imagine {whose} moves {move:.1f} meters forward{turning}. In which direction is "
                    f"{_unnamed(marking.markers[0], multi)} from the camera then?"
                )
                params = {"frame": frame, "turn_left_deg": turn, "move": move}
                return _imagination_text(text, plan, sv, views, marking, params)
        return None
    images = plan.params["images"] if multi else [0, 0, 0]
    for views in orders:
        pools = [sv.visible(views[i]) for i in images]
        triples = [(a, b, c) for a in pools[0] for b in pools[1] for c in pools[2] if len({a, b, c}) == 3]
        for a, b, c in _shuffled(rng, triples):
            pa, pb, pc = _center(sv, a), _center(sv, b), _center(sv, c)
            if math.hypot(*(pb - pa)[:2]) < MIN_DIRECTION_DISTANCE:
                continue
            yaw = math.atan2(pb[1] - pa[1], pb[0] - pa[0])
            if direction_word(*heading_offset(pa[:2], yaw, pc)) != plan.target:
                continue
            marking = _Marking(sv, views)
            if not marking.points([("red", images[0], a), ("blue", images[1], b), ("green", images[2], c)]):
                continue
            la, lb, lc = (_unnamed(m, multi) for m in marking.markers)
            text = f"Imagine you are standing at {la} and facing {lb}. In which direction is {lc} from you?"
            return _imagination_text(text, plan, sv, views, marking, {})
    return None


def _imagination_text(text: str, plan: Plan, sv: SceneViews, views, marking: _Marking, params: dict) -> SynthQuestion:
    options = _arrange(plan.target, plan.distractors, plan.letter)
    text += f"{CHOICE_SUFFIX} " + _option_list(options)
    return SynthQuestion(
        plan.task, text, plan.letter, sv.scene_id, tuple(views), tuple(marking.markers), params, options
    )


# ---------------------------------------------------------------- beyond SPAR-Bench


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


def question_for(task: str, rng: np.random.Generator, sv: SceneViews, plan: Plan) -> SynthQuestion | None:
    """A question of `task` on `sv` that carries `plan` (see `make_plan`), or None when this scene cannot."""
    if task.startswith(("depth_prediction", "distance_prediction")):
        return numeric_question(rng, sv, task)
    makers: dict[str, Callable[[], SynthQuestion | None]] = {
        "position_matching": lambda: position_matching_question(rng, sv, plan),
        "camera_motion_infer": lambda: camera_motion_question(rng, sv, plan),
        "view_change_infer": lambda: view_change_question(rng, sv),
        GROUNDING_TASK: lambda: grounding_question(rng, sv),
    }
    if task in makers:
        return makers[task]()
    if task.startswith("distance_infer"):
        return distance_infer_question(rng, sv, plan)
    if task.startswith("obj_spatial_relation"):
        return relation_question(rng, sv, plan)
    if task.startswith("spatial_imagination"):
        return imagination_question(rng, sv, plan)
    raise ValueError(f"{task!r} is not a task the synthetic generator knows")


__all__ = [
    "GROUNDING_TASK",
    "Plan",
    "SceneViews",
    "SynthQuestion",
    "answer_universe",
    "make_plan",
    "point_radius",
    "question_for",
]
