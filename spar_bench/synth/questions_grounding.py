"""The 3D grounding question beyond SPAR-Bench (`obj_3d_grounding`): the 3D box of a marked object in the
camera's level frame, answered as a JSON list.
"""

from __future__ import annotations

import json
import math

import numpy as np

from spar_bench.synth.camera import Camera, heading_frame
from spar_bench.synth.marking import Marking, SceneViews, named_label
from spar_bench.synth.plans import SynthQuestion
from spar_bench.synth.scene import Scene
from spar_bench.tasks_spec import GROUNDING_TASK


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
    marking = Marking(sv, (view,))
    marker = marking.pick(rng, "red", 0)
    if marker is None:
        return None
    box = box_in_heading_frame(sv.cameras[view], sv.scene, marker.object_id)
    text = (
        f"Give the 3D bounding box of {named_label(sv, marker, False)} in the camera's level frame: origin at the "
        "camera, x to the right, y down (along gravity), z forward along the camera's heading parallel to the "
        "floor, in meters. Answer as [x, y, z, dx, dy, dz, yaw]: the box center, its size (dx and dz horizontal "
        "along the box's own axes, dy its height) and yaw in radians about the vertical axis, turning x towards z."
    )
    answer = json.dumps([round(v, 2) for v in box])
    return SynthQuestion(GROUNDING_TASK, text, answer, sv.scene_id, (view,), tuple(marking.markers), {})
