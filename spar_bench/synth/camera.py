"""Pinhole cameras with camera-to-world poses in the OpenCV convention (x right, y down, z forward), as the
benchmark's RGBD data stores them, and the placement of 2 to 3 overlapping views in a scene.

A camera is level (no roll): its heading `yaw` is measured in the floor plane from world +x towards +y, and
`pitch` is positive when it looks up. Trig uses `math` on scalars only, so poses are the same on any machine.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass

import numpy as np

from spar_bench.synth.scene import Scene

HFOV_DEG = 70.0
# Where the second camera stands relative to the first: meters ahead and to the right. camera_motion_infer draws
# its distractor floor spots from the same ranges, so the true spot is not the one in a narrower region.
SECOND_AHEAD = (0.8, 3.5)
# Camera heights: some objects hang above a camera, some at its height, most stand below it.
EYE_HEIGHT = (1.2, 1.6)
SECOND_SIDE = (-1.4, 1.4)


@dataclass(frozen=True)
class Camera:
    """Intrinsics (pixels) and a level pose: position (world, meters), yaw and pitch (radians)."""

    width: int
    height: int
    fx: float
    fy: float
    cx: float
    cy: float
    position: tuple[float, float, float]
    yaw: float
    pitch: float

    @property
    def K(self) -> np.ndarray:
        """3x3 intrinsic matrix."""
        return np.array([[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]])

    @functools.cached_property
    def rotation(self) -> np.ndarray:
        """3x3 camera-to-world rotation; columns are the camera's right, down and forward axes in the world.
        Computed once per camera (a cached property writes the instance dict, which a frozen dataclass allows)."""
        cy_, sy = math.cos(self.yaw), math.sin(self.yaw)
        cp, sp = math.cos(self.pitch), math.sin(self.pitch)
        forward = np.array([cp * cy_, cp * sy, sp])
        right = np.array([sy, -cy_, 0.0])
        down = np.cross(forward, right)
        return np.column_stack([right, down, forward])

    @property
    def c2w(self) -> np.ndarray:
        """4x4 camera-to-world pose (OpenCV axes)."""
        pose = np.eye(4)
        pose[:3, :3] = self.rotation
        pose[:3, 3] = self.position
        return pose

    def world_to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points (n, 3) in this camera's frame (n, 3): x right, y down, z depth."""
        return (np.asarray(points, dtype=float) - np.array(self.position)) @ self.rotation

    def project(self, points: np.ndarray) -> np.ndarray:
        """Pixel coordinates (n, 2) of world points; meaningless for points with depth <= 0."""
        cam = self.world_to_camera(points)
        z = np.where(np.abs(cam[:, 2]) < 1e-9, 1e-9, cam[:, 2])
        return np.column_stack([self.fx * cam[:, 0] / z + self.cx, self.fy * cam[:, 1] / z + self.cy])

    def resized(self, width: int, height: int) -> Camera:
        """The same pose with intrinsics for another image size (same field of view)."""
        return make_camera(self.position, self.yaw, self.pitch, width, height)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Camera:
        return cls(**{**data, "position": tuple(data["position"])})


def make_camera(
    position: tuple[float, float, float], yaw: float, pitch: float, width: int = 640, height: int = 480
) -> Camera:
    """A camera with square pixels, HFOV_DEG horizontal field of view and the principal point at the center."""
    focal = round(width / 2 / math.tan(math.radians(HFOV_DEG) / 2), 4)
    x, y, z = position
    return Camera(width, height, focal, focal, width / 2, height / 2, (x, y, z), yaw, pitch)


def wrap_angle(angle: float) -> float:
    """An angle in radians wrapped to [-pi, pi)."""
    return (angle + math.pi) % (2 * math.pi) - math.pi


def heading_frame(camera: Camera, points: np.ndarray) -> np.ndarray:
    """World points (n, 3) in the camera's gravity-aligned frame (n, 3): x right, y down (gravity), z forward
    along the heading in the floor plane. It ignores pitch, so boxes keep yaw-only orientations in it."""
    c, s = math.cos(camera.yaw), math.sin(camera.yaw)
    d = np.asarray(points, dtype=float) - np.array(camera.position)
    return np.column_stack([s * d[:, 0] - c * d[:, 1], -d[:, 2], c * d[:, 0] + s * d[:, 1]])


def free_position(scene: Scene, x: float, y: float, clearance: float = 0.4) -> bool:
    """Whether a camera may stand at (x, y): inside the room and `clearance` away from every object's footprint."""
    if not (clearance <= x <= scene.width - clearance and clearance <= y <= scene.length - clearance):
        return False
    for obj in scene.objects:
        c, s = math.cos(obj.yaw), math.sin(obj.yaw)
        dx, dy = x - obj.center[0], y - obj.center[1]
        u, v = c * dx + s * dy, -s * dx + c * dy
        if abs(u) < obj.size[0] / 2 + clearance and abs(v) < obj.size[1] / 2 + clearance:
            return False
    return True


def free_positions(scene: Scene, xy: np.ndarray, clearance: float = 0.4) -> np.ndarray:
    """`free_position` for floor points (n, 2) at once: (n,) bool."""
    xy = np.asarray(xy, dtype=float)
    free = (xy[:, 0] >= clearance) & (xy[:, 0] <= scene.width - clearance)
    free &= (xy[:, 1] >= clearance) & (xy[:, 1] <= scene.length - clearance)
    for obj in scene.objects:
        c, s = math.cos(obj.yaw), math.sin(obj.yaw)
        dx, dy = xy[:, 0] - obj.center[0], xy[:, 1] - obj.center[1]
        u, v = c * dx + s * dy, -s * dx + c * dy
        free &= ~((np.abs(u) < obj.size[0] / 2 + clearance) & (np.abs(v) < obj.size[1] / 2 + clearance))
    return free


def _r(value: float) -> float:
    return round(float(value), 4)


def place_views(
    rng: np.random.Generator, scene: Scene, n_views: int = 3, width: int = 640, height: int = 480
) -> list[Camera] | None:
    """`n_views` cameras at eye height looking into the room; None when no free spot was found.

    The first camera stands near the room's edge and looks at the objects' centroid. The second moves
    SECOND_AHEAD m forward and SECOND_SIDE m sideways, its floor spot inside the central 84 % of the first image,
    turning up to 35 degrees; the third steps sideways and turns from the first. Nearby poses keep the views
    overlapping.
    """
    centroid = np.mean([o.center[:2] for o in scene.objects], axis=0)
    for _ in range(40):
        x = float(rng.uniform(0.4, scene.width - 0.4))
        y = float(rng.uniform(0.4, scene.length - 0.4))
        # Prefer spots near a wall: the room is in front of the camera there.
        if min(x, y, scene.width - x, scene.length - y) > 1.2 or not free_position(scene, x, y):
            continue
        if math.hypot(centroid[0] - x, centroid[1] - y) < 1.5:
            continue
        yaw0 = math.atan2(centroid[1] - y, centroid[0] - x) + float(rng.uniform(-0.25, 0.25))
        cameras = [
            make_camera(
                (_r(x), _r(y), _r(rng.uniform(*EYE_HEIGHT))),
                _r(yaw0),
                _r(math.radians(rng.uniform(-24, -6))),
                width,
                height,
            )
        ]
        for index in range(1, n_views):
            camera = _next_view(rng, scene, cameras[0], forward=index == 1, width=width, height=height)
            if camera is None:
                break
            cameras.append(camera)
        if len(cameras) == n_views:
            return cameras
    return None


def _next_view(
    rng: np.random.Generator, scene: Scene, first: Camera, *, forward: bool, width: int, height: int
) -> Camera | None:
    for _ in range(30):
        ahead = float(rng.uniform(*SECOND_AHEAD)) if forward else float(rng.uniform(-0.6, 0.6))
        side = float(rng.uniform(*SECOND_SIDE)) if forward else float(rng.choice([-1, 1]) * rng.uniform(0.4, 1.4))
        c, s = math.cos(first.yaw), math.sin(first.yaw)
        x = first.position[0] + c * ahead + s * side
        y = first.position[1] + s * ahead - c * side
        if not free_position(scene, x, y):
            continue
        turn = math.radians(
            float(rng.uniform(-35, 35)) if forward else float(rng.choice([-1, 1]) * rng.uniform(10, 40))
        )
        z = float(np.clip(first.position[2] + rng.uniform(-0.25, 0.25), EYE_HEIGHT[0] - 0.1, EYE_HEIGHT[1] + 0.1))
        pitch = math.radians(float(rng.uniform(-26, -4)))
        camera = make_camera((_r(x), _r(y), _r(z)), _r(wrap_angle(first.yaw + turn)), _r(pitch), width, height)
        if forward:  # the floor spot below the second camera must show up inside the first image
            u, v = first.project(np.array([[camera.position[0], camera.position[1], 0.0]]))[0]
            if not (0.08 * width <= u <= 0.92 * width and 0.08 * height <= v <= 0.92 * height):
                continue
        return camera
    return None
