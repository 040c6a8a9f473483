"""Independent verification of a generated set: every answer is recomputed from the saved scene and camera
files by another route than the generator's, and every marker is checked against a fresh rendering.

Routes: camera-frame coordinates through the inverse of the saved 4x4 pose (the generator uses the rotation
transpose), imagined motions and frames parsed back from the question text, multiple-choice options parsed
from the question and each judged true or false of the scene, depth read from the re-rendered depth buffer at
the marker pixel, marker colours read from the stored PNG.
"""

from __future__ import annotations

import functools
import io
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from spar_bench.synth.camera import Camera
from spar_bench.synth.dataset import META, PARQUET, PARQUET_3D, SCENES
from spar_bench.synth.markers import MARKER_RGB, MIN_DOTS_VISIBLE, Marker, point_radius, to_pixel, visible_box
from spar_bench.synth.render import ROOM_ID, Rendering, render
from spar_bench.synth.scene import Scene
from spar_bench.tasks_spec import GROUNDING_TASK

_OPTION = re.compile(r"(?:^|(?<=\s))([A-D])\. (.*?)(?=\s[A-D]\. |$)")
_ORDINAL = {"first": 0, "second": 1, "third": 2}
_DIRECTIONS = ("front", "front-right", "right", "back-right", "back", "back-left", "left", "front-left")


@dataclass(frozen=True)
class Failure:
    dataset: str
    row_id: int
    task: str
    problem: str

    def __str__(self) -> str:
        return f"{self.dataset} row {self.row_id} ({self.task}): {self.problem}"


@dataclass(frozen=True)
class Saved:
    """A generated set read back: scenes with cameras, per-row metadata, and the rows of both parquets."""

    scenes: dict[int, tuple[Scene, list[Camera]]]
    meta: list[dict]
    rows: dict[tuple[str, int], dict]


def load_saved(out_dir: Path) -> Saved:
    import pyarrow.parquet as pq

    out_dir = Path(out_dir)
    data = json.loads((out_dir / SCENES).read_text())
    scenes = {
        int(k): (Scene.from_json(v["scene"]), [Camera.from_json(c) for c in v["cameras"]])
        for k, v in data["scenes"].items()
    }
    meta = [json.loads(line) for line in (out_dir / META).read_text().splitlines()]
    rows = {}
    for name, path in (("spar", PARQUET), ("3d", PARQUET_3D)):
        for row in pq.read_table(out_dir / path).to_pylist():
            rows[(name, row["id"])] = row
    return Saved(scenes, meta, rows)


def options(question: str) -> dict[str, str]:
    """Letter -> option text of the `A. ... B. ...` list at the end of a question."""
    start = question.find(" A. ")
    return {m.group(1): m.group(2).strip() for m in _OPTION.finditer(question[start + 1 :])} if start >= 0 else {}


# ---------------------------------------------------------------- geometry by its own route


def to_camera(camera: Camera, point: np.ndarray) -> np.ndarray:
    """A world point in camera coordinates through the inverse of the 4x4 camera-to-world pose."""
    return (np.linalg.inv(camera.c2w) @ np.append(point, 1.0))[:3]


def level_offset(camera: Camera, point: np.ndarray) -> tuple[float, float, float]:
    """(right, up, forward) of a point from the camera, forward along the camera's optical axis projected on
    the floor and up along world z."""
    forward = camera.c2w[:3, 2].copy()
    forward[2] = 0.0
    forward /= np.linalg.norm(forward)
    right = np.array([-forward[1], forward[0], 0.0]) * -1.0  # forward turned clockwise seen from above
    d = np.asarray(point) - camera.c2w[:3, 3]
    return float(d @ right), float(d[2]), float(d @ forward)


def _relation(
    camera: Camera, subject: np.ndarray, anchor: np.ndarray | None
) -> tuple[str | None, str | None, str | None] | None:
    """The slots of a relation, or None when depth read along the optical axis (and, between objects, as
    distance from the camera) does not clearly agree with depth along the heading."""

    def slot(value: float, pos: str, neg: str) -> str | None:
        if abs(value) < 0.15:
            return ""
        return None if abs(value) < 0.35 else (pos if value > 0 else neg)

    s = level_offset(camera, subject)
    optical_s = to_camera(camera, subject)[2]
    if anchor is None:
        if slot(optical_s, "front", "behind") != slot(s[2], "front", "behind"):
            return None
        return slot(s[0], "right", "left"), slot(s[1], "above", "below"), slot(s[2], "front", "behind")
    a = level_offset(camera, anchor)
    position = camera.c2w[:3, 3]
    readings = (
        optical_s - to_camera(camera, anchor)[2],
        float(np.linalg.norm(subject - position) - np.linalg.norm(anchor - position)),
    )
    depth = slot(s[2] - a[2], "farther", "closer")
    if any(slot(r, "farther", "closer") != depth for r in readings):
        return None
    return slot(s[0] - a[0], "right", "left"), slot(s[1] - a[1], "above", "below"), depth


def _direction(forward: float, right: float) -> str:
    angle = math.degrees(math.atan2(right, forward)) % 360
    return _DIRECTIONS[int(((angle + 22.5) % 360) // 45)]


def _ordinal_after(pattern: str, text: str) -> int | None:
    match = re.search(pattern + r" the (first|second|third) image", text)
    return _ORDINAL[match.group(1)] if match else None


# ---------------------------------------------------------------- per-task truth


class _Row:
    def __init__(self, saved: Saved, meta: dict, renderings: Callable[[int, int], Rendering]):
        self.meta, self.row = meta, saved.rows[(meta["dataset"], meta["id"])]
        self.scene, all_cameras = saved.scenes[meta["scene_id"]]
        self.cameras = [all_cameras[v] for v in meta["views"]]
        self.markers = [Marker.from_json(m) for m in meta["markers"]]
        self.renderings = [renderings(meta["scene_id"], v) for v in meta["views"]]
        self.question, self.answer, self.task = self.row["question"], self.row["answer"], self.row["task"]

    def center(self, colour: str) -> np.ndarray:
        marker = next(m for m in self.markers if m.colour == colour)
        return np.array(self.scene.objects[marker.object_id].center)

    def frame(self) -> Camera:
        index = _ordinal_after(r"(?:camera frame of|camera of)", self.question)
        return self.cameras[index or 0]


def _number_in(pattern: str, question: str) -> float:
    """The number `pattern`'s group 1 finds in a question; an AssertionError (a failed check) when it is absent."""
    match = re.search(pattern, question)
    assert match is not None, f"the question has no {pattern!r}"
    return float(match.group(1))


def numeric_truth(r: _Row) -> float:
    camera = r.frame()
    red = r.center("red")
    if r.task.startswith("depth_prediction_oc"):
        return float(to_camera(camera, red)[2])
    if r.task.startswith("depth_prediction_oo"):
        stated = _number_in(r"having a depth of ([\d.]+) meters", r.question)
        if abs(stated - to_camera(camera, red)[2]) > 0.05 + 1e-6:
            raise AssertionError(f"stated reference depth {stated} is not the red object's depth")
        return float(to_camera(camera, r.center("blue"))[2])
    if r.task.startswith("distance_prediction_oc"):
        return float(np.linalg.norm(to_camera(camera, red)))
    return float(np.linalg.norm(red - r.center("blue")))


def option_truths(r: _Row) -> dict[str, bool]:
    """Each option letter -> whether that option is true of the scene."""
    opts = options(r.question)
    task = r.task
    if task == "position_matching":
        target = r.markers[0].object_id
        truth = visible_box(r.renderings[1], target)
        return {k: _box_iou(json.loads(v), truth) >= 0.5 for k, v in opts.items()}
    if task == "camera_motion_infer":
        first, second = r.cameras
        p = to_camera(first, np.array([second.c2w[0, 3], second.c2w[1, 3], 0.0]))
        u = (first.fx * p[0] / p[2] + first.cx) * 1000 / first.width
        v = (first.fy * p[1] / p[2] + first.cy) * 1000 / first.height
        return {k: math.dist(json.loads(t), (u, v)) <= 60 for k, t in opts.items()}
    if task.startswith("distance_infer"):
        farthest = "farthest" in r.question
        red = r.center("red")
        dist = {k: float(np.linalg.norm(r.center(t.split()[0]) - red)) for k, t in opts.items()}
        best = max(dist.values()) if farthest else min(dist.values())
        return {k: d == best for k, d in dist.items()}
    if task.startswith("obj_spatial_relation"):
        camera = r.cameras[_ordinal_after(r"camera of", r.question) or 0]
        if "_oc" in task:
            relation = _relation(camera, r.center("red"), None)
        else:
            relation = _relation(camera, r.center("blue"), r.center("red"))
        if relation is None or None in relation:
            raise AssertionError(f"relation {relation} is not decidable")
        return {k: tuple(s.strip() for s in t.split(",")) == relation for k, t in opts.items()}
    if task.startswith("spatial_imagination"):
        if "_oc" in task:  # "moves M meters forward[ and then turns T degrees to the left|right]"
            camera = r.frame()
            turn = re.search(r"turns (\d+) degrees to the (left|right)", r.question)
            left = 0.0 if turn is None else float(turn.group(1)) * (1 if turn.group(2) == "left" else -1)
            move = _number_in(r"moves ([\d.]+) meters forward", r.question)
            forward = camera.c2w[:3, 2][:2] / np.linalg.norm(camera.c2w[:3, 2][:2])
            position = camera.c2w[:2, 3] + move * forward
            c, s = math.cos(math.radians(left)), math.sin(math.radians(left))
            heading = np.array([c * forward[0] - s * forward[1], s * forward[0] + c * forward[1]])
            d = r.center("red")[:2] - position
        else:
            position = r.center("red")[:2]
            heading = r.center("blue")[:2] - position
            heading = heading / np.linalg.norm(heading)
            d = r.center("green")[:2] - position
        right = np.array([heading[1], -heading[0]])
        word = _direction(float(d @ heading), float(d @ right))
        return {k: t == word for k, t in opts.items()}
    raise AssertionError(f"no option check for {task}")


def _box_iou(a, b) -> float:
    w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def motion_truth(r: _Row) -> np.ndarray:
    """(right, up, forward, rotate_right, rotate_up) of the second camera relative to the first."""
    first, second = r.cameras
    right, up, forward = level_offset(first, second.c2w[:3, 3])

    def heading_pitch(camera: Camera) -> tuple[float, float]:
        z = camera.c2w[:3, 2]
        return math.degrees(math.atan2(z[1], z[0])), math.degrees(math.asin(z[2]))

    (h1, p1), (h2, p2) = heading_pitch(first), heading_pitch(second)
    turn = (h1 - h2 + 180) % 360 - 180  # clockwise seen from above is a turn to the right
    return np.array([right, up, forward, turn, p2 - p1])


def grounding_truth(r: _Row) -> np.ndarray:
    """The box from its eight corners taken into the camera's level frame."""
    obj = r.scene.objects[r.markers[0].object_id]
    corners = np.array([level_offset(r.cameras[0], c) for c in obj.corners()])  # (right, up, forward)
    center = corners.mean(axis=0)
    edge_x, edge_y = corners[1] - corners[0], corners[3] - corners[0]
    yaw = (math.atan2(edge_x[2], edge_x[0]) + math.pi / 2) % math.pi - math.pi / 2
    height = corners[4, 1] - corners[0, 1]
    return np.array([center[0], -center[1], center[2], np.linalg.norm(edge_x), height, np.linalg.norm(edge_y), yaw])


def _parse_motion(text: str) -> np.ndarray:
    items = {k: float(v) for k, v in (item.split(":") for item in text.split(","))}
    pairs = (
        ("move_right", "move_left"),
        ("move_up", "move_down"),
        ("move_forward", "move_backward"),
        ("rotate_right", "rotate_left"),
        ("rotate_up", "rotate_down"),
    )
    return np.array([items.get(p, 0.0) - items.get(n, 0.0) for p, n in pairs])


# ---------------------------------------------------------------- the checks


def check_markers(r: _Row, images: list[bytes]) -> list[str]:
    """Every point sits on a visible pixel of its object, is drawn in its colour, and its object shows at least
    MIN_DOTS_VISIBLE dot areas (so the dot does not hide it); every box matches the object's visible extent."""
    problems = []
    decoded = [np.asarray(Image.open(io.BytesIO(data)).convert("RGB")) for data in images]
    for m in r.markers:
        rendering = r.renderings[m.image]
        height, width = rendering.ids.shape
        if m.point is not None:
            x, y = to_pixel(m.point, width, height)
            if rendering.ids[y, x] != m.object_id:
                problems.append(f"{m.colour} point is not on a visible pixel of object {m.object_id}")
            shown = int((rendering.ids == m.object_id).sum())
            if shown < MIN_DOTS_VISIBLE * math.pi * point_radius(width) ** 2:
                problems.append(f"{m.colour} point covers too much of object {m.object_id} ({shown} pixels shown)")
            if tuple(decoded[m.image][y, x]) != MARKER_RGB[m.colour]:
                problems.append(f"{m.colour} point is not drawn at its pixel")
        if m.box is not None:
            truth = visible_box(rendering, m.object_id)
            if truth is None or _box_iou(m.box, truth) < 0.9:
                problems.append(f"{m.colour} box does not frame the visible object {m.object_id}")
    return problems


def check_depth_buffer(r: _Row) -> list[str]:
    """For depth questions marked in the frame's own image: the rendered surface depth at the marker is within
    the object's half-diagonal of the stated center depth."""
    if not r.task.startswith("depth_prediction"):
        return []
    frame_index = _ordinal_after(r"camera frame of", r.question) or 0
    problems = []
    for m in r.markers:
        if m.image != frame_index:
            continue
        rendering = r.renderings[m.image]
        assert m.point is not None, f"the {m.colour} marker of a depth question is not a point"
        x, y = to_pixel(m.point, rendering.ids.shape[1], rendering.ids.shape[0])
        obj = r.scene.objects[m.object_id]
        center_depth = to_camera(r.cameras[frame_index], np.array(obj.center))[2]
        if abs(float(rendering.depth[y, x]) - center_depth) > np.linalg.norm(obj.size) / 2 + 0.02:
            problems.append(
                f"depth buffer {rendering.depth[y, x]:.2f} at the {m.colour} point is far from {center_depth:.2f}"
            )
    return problems


def check_floor_spot(r: _Row) -> list[str]:
    """camera_motion_infer: the floor below the second camera is what the first image shows at that spot (no
    object or wall in front of it)."""
    if r.task != "camera_motion_infer":
        return []
    first, second = r.cameras
    point = np.array([second.c2w[0, 3], second.c2w[1, 3], 0.0])
    p = to_camera(first, point)
    rendering = r.renderings[0]
    column, row = int(first.fx * p[0] / p[2] + first.cx), int(first.fy * p[1] / p[2] + first.cy)
    height, width = rendering.ids.shape
    if p[2] <= 0 or not (0 <= column < width and 0 <= row < height):
        return ["the floor spot below the second camera is outside the first image"]
    if rendering.ids[row, column] != ROOM_ID or abs(float(rendering.depth[row, column]) - p[2]) > 0.05 * p[2] + 0.02:
        return ["the floor spot below the second camera is hidden in the first image"]
    return []


def check_answer(r: _Row) -> list[str]:
    task = r.task
    if task == GROUNDING_TASK:
        truth = grounding_truth(r)
        answer = np.array(json.loads(r.answer), dtype=float)
        if answer.shape != (7,) or not np.all(np.isfinite(answer)) or np.any(answer[3:6] <= 0):
            return [f"answer {r.answer} is not 7 finite numbers with positive sizes"]
        bad = np.abs(answer - truth) > 0.006
        yaw_diff = abs((answer[6] - truth[6] + math.pi / 2) % math.pi - math.pi / 2)
        bad[6] = yaw_diff > 0.006
        return [f"3D box {r.answer} differs from {np.round(truth, 3).tolist()}"] if bad.any() else []
    if task == "view_change_infer":
        truth, answer = motion_truth(r), _parse_motion(r.answer)
        tolerance = np.array([0.05, 0.05, 0.05, 0.5, 0.5]) + 1e-6
        return (
            [f"motion {r.answer} differs from {np.round(truth, 2).tolist()}"]
            if np.any(np.abs(truth - answer) > tolerance)
            else []
        )
    if r.row["format_type"] == "fill":
        value = numeric_truth(r)
        return (
            []
            if abs(float(r.answer) - value) <= 0.05 + 1e-6
            else [f"answer {r.answer} but the scene gives {value:.3f}"]
        )
    truths = option_truths(r)
    true_letters = [k for k, v in truths.items() if v]
    problems = []
    if len(truths) != 4:
        problems.append(f"{len(truths)} options parsed, expected 4")
    if true_letters != [r.answer]:
        problems.append(f"options true of the scene: {true_letters}, answer {r.answer}")
    return problems


def verify(out_dir: Path) -> list[Failure]:
    """Every problem found in a generated set (empty when it passes): answers recomputed, one true option per
    multiple-choice question, markers visible, drawn and not hiding their objects, depth buffer consistent
    with stated depths, the camera-motion floor spot visible."""
    saved = load_saved(out_dir)

    @functools.cache
    def renderings(scene_id: int, view: int) -> Rendering:
        scene, cameras = saved.scenes[scene_id]
        return render(scene, cameras[view])

    failures: list[Failure] = []
    for meta in saved.meta:
        r = _Row(saved, meta, renderings)
        images = [image["bytes"] for image in r.row["image"]]
        try:
            problems = check_answer(r) + check_markers(r, images) + check_depth_buffer(r) + check_floor_spot(r)
        except (AssertionError, ValueError, KeyError, StopIteration, AttributeError) as error:
            problems = [f"check could not run: {type(error).__name__}: {error}"]
        if r.answer != meta["answer"]:
            problems.append("parquet answer differs from the metadata")
        failures.extend(Failure(meta["dataset"], meta["id"], r.task, p) for p in problems)
    return failures
