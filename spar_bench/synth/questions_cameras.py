"""Questions across two views of a scene: which box in the second image holds the object boxed in the first
(position matching), which point of the first image lies below the second camera (camera motion), and how the
camera moved and turned between them (view change).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from spar_bench.synth.camera import SECOND_AHEAD, SECOND_SIDE, Camera, free_positions, heading_frame, wrap_angle
from spar_bench.synth.markers import Marker, visible_box
from spar_bench.synth.marking import SceneViews, option_list, shuffled
from spar_bench.synth.plans import LETTERS, Plan, SynthQuestion, arrange_options
from spar_bench.synth.render import ROOM_ID, Rendering

SPOT_SEPARATION = 120  # normalized units between any two candidate floor spots (the check allows 60)
VIEW_CHANGE_FORMAT = (
    "Answer in the form move_right:X,move_up:X,move_forward:X,rotate_up:X,rotate_right:X with translations in "
    "meters and rotations in degrees, using move_left, move_down, move_backward, rotate_down or rotate_left "
    "for the opposite directions."
)


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
    for first, second in shuffled(rng, list(itertools.permutations(range(3), 2))):
        shown = set(sv.visible(second))
        shared = [i for i in sv.visible(first) if i in shown]
        chosen: list[tuple[int, tuple]] = []
        for other in shuffled(rng, shared):
            box = visible_box(sv.renderings[second], other)
            if box is None:  # never: `shared` objects are visible in both images
                continue
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
            "same object? " + option_list(options)
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
            options = arrange_options(
                f"[{truth[0]}, {truth[1]}]", [f"[{p[0]}, {p[1]}]" for p in points[1:]], plan.letter
            )
            text = (
                "The two images are taken from different camera positions. Which point in the first image is "
                "closest to the spot on the floor directly below the camera of the second image? "
                + option_list(options)
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
