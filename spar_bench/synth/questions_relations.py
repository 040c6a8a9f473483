"""Questions on how objects lie relative to each other or to a camera: which of four marked objects is closest
to (or farthest from) a fifth (distance infer), and the left/right, above/below, front/behind triple of an
object relative to a camera or another object (spatial relation).
"""

from __future__ import annotations

import numpy as np

from spar_bench.synth.camera import Camera, heading_frame
from spar_bench.synth.marking import (
    CHOICE_SUFFIX,
    ORDINALS,
    POINT_COLOURS,
    Marking,
    SceneViews,
    is_multi_view,
    object_center,
    option_list,
    shuffled,
    unnamed_label,
    view_orders,
)
from spar_bench.synth.plans import LETTERS, Plan, SynthQuestion, arrange_options

# Relations: an offset below CLEAR_NONE is "no relation" (empty slot), above CLEAR_SOME a clear one; between
# the two the question is not asked, so every slot holds by a margin of at least 0.2 m either way.
CLEAR_NONE, CLEAR_SOME = 0.15, 0.35


def _winner_margin(best: float, other: float) -> bool:
    """Whether a winning distance beats another by at least 0.3 m and 15 %."""
    return abs(best - other) >= max(0.3, 0.15 * max(best, other))


def distance_infer_question(rng: np.random.Generator, sv: SceneViews, plan: Plan) -> SynthQuestion | None:
    """Which of four marked objects is closest to (or farthest from) the red one; options name the points.

    Option k is the (k+1)-th of blue, green, yellow, purple; the plan fixes closest or farthest and the image of
    every point, so the text tells nothing of which option wins. The winning distance beats every other by at
    least 0.3 m and 15 %.
    """
    task, multi = plan.task, is_multi_view(plan.task)
    farthest, images = plan.params["farthest"], plan.params["images"]
    slot = LETTERS.index(plan.letter)
    for views in view_orders(rng)[:3] if multi else [(int(v),) for v in rng.permutation(3)]:
        visible = [sv.visible(v) for v in views]
        for reference in shuffled(rng, visible[images[0]]):
            distance = {
                o: float(np.linalg.norm(object_center(sv, o) - object_center(sv, reference)))
                for v in visible
                for o in v
            }
            for winner in shuffled(rng, [o for o in visible[images[1 + slot]] if o != reference]):
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
                marking = Marking(sv, views)
                spec = [("red", images[0], reference)] + [
                    (POINT_COLOURS[1 + k], images[1 + k], chosen[k]) for k in range(4)
                ]
                if not marking.points(spec):
                    continue
                markers = marking.markers
                by_slot = markers[1:]
                options = tuple(f"{m.colour} point" for m in by_slot)
                where = "images" if multi else "image"
                names = [unnamed_label(m, multi) for m in by_slot]
                word = "farthest from" if farthest else "closest to"
                text = (
                    f"From the {where}, decide which of {', '.join(names[:3])} and {names[3]} is {word} "
                    f"{unnamed_label(markers[0], multi)}. Calculate or judge based on the 3D center points of these "
                    f"objects.{CHOICE_SUFFIX} " + option_list(options)
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
        readings: tuple[float, ...] = (forward, optical)
    else:
        right, up, forward, optical, distance = (float(a) for a in subject - anchor)
        words = (_slot(right, "right", "left"), _slot(up, "above", "below"), _slot(forward, "farther", "closer"))
        readings = (forward, optical, distance)
    if any(w is None for w in words) or words[2] == "" or words[0] == words[1] == "":
        return None
    if not (all(r >= CLEAR_SOME for r in readings) or all(r <= -CLEAR_SOME for r in readings)):
        return None
    return ", ".join(w for w in words if w is not None)


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
    task, multi, oc = plan.task, is_multi_view(plan.task), "_oc" in plan.task
    if oc:
        frame, image = plan.params["frame"], plan.params["image"]
        for views in view_orders(rng):
            where = _where_objects(sv, views[frame])
            for subject in shuffled(rng, sv.visible(views[image])):
                if _triple(where[subject], None) != plan.target:
                    continue
                marking = Marking(sv, views)
                if not marking.points([("red", image, subject)]):
                    continue
                text = f"Relative to the camera of the {ORDINALS[frame]} image, where is {unnamed_label(marking.markers[0], True)}?"
                axes = "horizontal (left/right), vertical (above/below) and depth (front/behind)"
                return _relation_text(task, text, axes, plan, sv, views, marking)
        return None
    images = plan.params["images"] if multi else [0, 0]
    orders = view_orders(rng) if multi else [(int(v),) for v in rng.permutation(3)]
    for views in orders:
        where = _where_objects(sv, views[0])
        anchors, subjects = sv.visible(views[images[0]]), sv.visible(views[images[1]])
        pairs = [(a, s) for a in anchors for s in subjects if a != s]
        for anchor, subject in shuffled(rng, pairs):
            if _triple(where[subject], where[anchor]) != plan.target:
                continue
            marking = Marking(sv, views)
            if not marking.points([("red", images[0], anchor), ("blue", images[1], subject)]):
                continue
            names = [unnamed_label(m, multi) for m in marking.markers]
            viewpoint = "the camera's viewpoint of the first image" if multi else "the camera's viewpoint"
            text = f"From {viewpoint}, where is {names[1]} relative to {names[0]}?"
            axes = "horizontal (left/right), vertical (above/below) and depth (closer/farther from the camera)"
            return _relation_text(task, text, axes, plan, sv, views, marking)
    return None


def _relation_text(task, text, axes, plan: Plan, sv: SceneViews, views, marking: Marking) -> SynthQuestion:
    options = arrange_options(plan.target, plan.distractors, plan.letter)
    text += f" Options give {axes}; an empty slot means no clear relation on that axis.{CHOICE_SUFFIX} " + option_list(
        options
    )
    params = {"frame": plan.params.get("frame", 0)}
    return SynthQuestion(task, text, plan.letter, sv.scene_id, tuple(views), tuple(marking.markers), params, options)
