"""Spatial imagination questions: in which of eight directions an object lies after an imagined camera move
(OC), or seen from an imagined standpoint at one object facing another (OO).
"""

from __future__ import annotations

import math

import numpy as np

from spar_bench.synth.camera import Camera
from spar_bench.synth.marking import (
    CHOICE_SUFFIX,
    ORDINALS,
    Marking,
    SceneViews,
    is_multi_view,
    object_center,
    option_list,
    shuffled,
    unnamed_label,
    view_orders,
)
from spar_bench.synth.plans import DIRECTIONS, Plan, SynthQuestion, arrange_options
from spar_bench.synth.scene import Scene

SECTOR_MARGIN_DEG = 10.0  # directions closer than this to a sector boundary are not asked
MIN_DIRECTION_DISTANCE = 0.7  # meters; nearer objects have no clear direction


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
    multi, oc = is_multi_view(plan.task), "_oc" in plan.task
    orders = view_orders(rng) if multi else [(int(v),) for v in rng.permutation(3)]
    if oc:
        frame, image = plan.params["frame"], plan.params["image"]
        turn, move = plan.params["turn_left_deg"], plan.params["move"]
        for views in orders:
            position, yaw = imagined_pose(sv.cameras[views[frame]], move, turn)
            if not _inside(sv.scene, position):
                continue
            for subject in shuffled(rng, sv.visible(views[image])):
                if direction_word(*heading_offset(position, yaw, object_center(sv, subject))) != plan.target:
                    continue
                marking = Marking(sv, views)
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
                    f"{unnamed_label(marking.markers[0], multi)} from the camera then?"
                )
                params = {"frame": frame, "turn_left_deg": turn, "move": move}
                return _imagination_text(text, plan, sv, views, marking, params)
        return None
    images = plan.params["images"] if multi else [0, 0, 0]
    for views in orders:
        pools = [sv.visible(views[i]) for i in images]
        triples = [(a, b, c) for a in pools[0] for b in pools[1] for c in pools[2] if len({a, b, c}) == 3]
        for a, b, c in shuffled(rng, triples):
            pa, pb, pc = object_center(sv, a), object_center(sv, b), object_center(sv, c)
            if math.hypot(*(pb - pa)[:2]) < MIN_DIRECTION_DISTANCE:
                continue
            yaw = math.atan2(pb[1] - pa[1], pb[0] - pa[0])
            if direction_word(*heading_offset(pa[:2], yaw, pc)) != plan.target:
                continue
            marking = Marking(sv, views)
            if not marking.points([("red", images[0], a), ("blue", images[1], b), ("green", images[2], c)]):
                continue
            la, lb, lc = (unnamed_label(m, multi) for m in marking.markers)
            text = f"Imagine you are standing at {la} and facing {lb}. In which direction is {lc} from you?"
            return _imagination_text(text, plan, sv, views, marking, {})
    return None


def _imagination_text(text: str, plan: Plan, sv: SceneViews, views, marking: Marking, params: dict) -> SynthQuestion:
    options = arrange_options(plan.target, plan.distractors, plan.letter)
    text += f"{CHOICE_SUFFIX} " + option_list(options)
    return SynthQuestion(
        plan.task, text, plan.letter, sv.scene_id, tuple(views), tuple(marking.markers), params, options
    )
