"""The numeric questions: depth of an object from a camera or another object's depth, distance from a camera
or between two objects; single- or multi-view. The answer is a number of meters read off the scene.
"""

from __future__ import annotations

import numpy as np

from spar_bench.synth.marking import (
    NUMERIC_SUFFIX,
    ORDINALS,
    Marking,
    SceneViews,
    is_multi_view,
    meters,
    named_label,
    object_center,
)
from spar_bench.synth.plans import SynthQuestion, marker_images


def numeric_question(rng: np.random.Generator, sv: SceneViews, task: str) -> SynthQuestion | None:
    """Depth (camera-frame z of the 3D center) or distance (between 3D centers), OC or OO, single or multi-view.

    Multi-view: points may sit in any image and the frame is one image's camera, named in the question; the
    marked objects must lie at least 0.5 m in front of that camera for depth.
    """
    multi, oo, depth = is_multi_view(task), "_oo" in task, task.startswith("depth")
    if multi:
        views: tuple[int, ...] = (0, 1, 2)
        frame = int(rng.integers(3))
        images = list(marker_images(rng, 2))
    else:
        views = (int(rng.integers(3)),)
        frame, images = 0, [0, 0]
    marking = Marking(sv, views)
    camera = sv.cameras[views[frame]]
    first = marking.pick(rng, "red", images[0])
    second = marking.pick(rng, "blue", images[1]) if oo else None
    if first is None or (oo and second is None):
        return None
    a, b = (object_center(sv, m.object_id) for m in (first, second or first))
    za, zb = camera.world_to_camera(np.array([a, b]))[:, 2]
    in_frame = f" in the camera frame of the {ORDINALS[frame]} image" if multi else ""
    from_camera = f"the camera of the {ORDINALS[frame]} image" if multi else "the camera"
    la = named_label(sv, first, multi)
    lb = named_label(sv, second, multi) if second else ""
    if task.startswith("depth_prediction_oc"):
        value, text = za, f"What is the depth of {la}{in_frame}?"
    elif task.startswith("depth_prediction_oo"):
        value = zb
        text = (
            f"With {la} having a depth of {meters(za)} meters{in_frame}, determine the depth of {lb} in the same frame."
        )
    elif task.startswith("distance_prediction_oc"):
        value = float(np.linalg.norm(a - np.array(camera.position)))
        text = f"How far is {la} from {from_camera}?"
    else:
        value = float(np.linalg.norm(a - b))
        text = f"What is the distance between {la} and {lb}?"
    if depth and min(za, zb) < 0.5 or value < 0.3:
        return None
    params: dict[str, object] = {"frame": frame}
    if task.startswith("depth_prediction_oo"):
        params["reference_depth"] = meters(za)
    return SynthQuestion(task, text + NUMERIC_SUFFIX, meters(value), sv.scene_id, views, tuple(marking.markers), params)
