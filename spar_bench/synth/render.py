"""Ray casting of a scene's boxes and room into RGB, depth and object-id buffers, vectorized over pixels.

One ray per pixel center; each box is intersected only inside the screen rectangle its corners project to
(slab test in the box's own frame), keeping the nearest hit: a z-buffer. Depth is the camera-frame z of the
hit (rays have unit z in camera coordinates, so the ray parameter is the depth). Flat shading per face plus
dark outlines where the visible object or face changes keeps objects apart; the floor has a 0.5 m checker
so distances can be read from the image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from spar_bench.synth.camera import Camera
from spar_bench.synth.scene import Scene

ROOM_ID = -1
_LIGHT = np.array([0.35, -0.55, 0.76]) / np.linalg.norm([0.35, -0.55, 0.76])
_FLOOR = (np.array([176, 160, 138]), np.array([158, 142, 120]))
_WALLS = (np.array([214, 210, 200]), np.array([200, 206, 212]), np.array([220, 214, 204]), np.array([206, 202, 214]))
_CEILING = np.array([236, 236, 232])


@dataclass(frozen=True)
class Rendering:
    """The buffers of one view: rgb (H, W, 3) uint8, depth (H, W) float32 camera z in meters, ids (H, W) int16
    with the index of the visible object or ROOM_ID for floor, walls and ceiling."""

    rgb: np.ndarray
    depth: np.ndarray
    ids: np.ndarray

    def visible_pixels(self, n_objects: int) -> np.ndarray:
        """Pixel count of each object (n_objects,) int64."""
        return np.bincount(self.ids.ravel().astype(np.int64) + 1, minlength=n_objects + 1)[1:]


def camera_rays(camera: Camera) -> np.ndarray:
    """World directions (3, H, W) float32 of the rays through pixel centers, scaled to unit camera-frame z.

    Planar layout (one array per axis) keeps the per-pixel arithmetic on contiguous memory.
    """
    u = (np.arange(camera.width) + 0.5 - camera.cx) / camera.fx
    v = (np.arange(camera.height) + 0.5 - camera.cy) / camera.fy
    rotation = camera.rotation
    return np.stack(
        [rotation[k, 0] * u[None, :] + rotation[k, 1] * v[:, None] + rotation[k, 2] for k in range(3)]
    ).astype(np.float32)


def _shade(normal: np.ndarray) -> float:
    return 0.62 + 0.38 * max(float(normal @ _LIGHT), 0.0)


def _screen_rect(camera: Camera, corners: np.ndarray) -> tuple[int, int, int, int]:
    """Pixel rectangle (x0, y0, x1, y1) that holds a box's projection; the whole image when it reaches behind."""
    if np.any(camera.world_to_camera(corners)[:, 2] <= 0.05):
        return 0, 0, camera.width, camera.height
    pixels = camera.project(corners)
    x0, y0 = np.floor(pixels.min(axis=0)).astype(int) - 1
    x1, y1 = np.ceil(pixels.max(axis=0)).astype(int) + 2
    return max(x0, 0), max(y0, 0), min(x1, camera.width), min(y1, camera.height)


def _palette(scene: Scene) -> np.ndarray:
    """RGB (float) of every (object id + 1) * 16 + face key: room faces 0-6 (walls, floor, ceiling, second floor
    tile), object faces 8-13 (-x, +x, -y, +y, -z, +z in the box frame) shaded by a fixed light."""
    palette = np.zeros(((len(scene.objects) + 1) * 16, 3))
    palette[0:4] = _WALLS
    palette[4], palette[5], palette[6] = _FLOOR[0], _CEILING, _FLOOR[1]
    for index, obj in enumerate(scene.objects):
        c, s = math.cos(obj.yaw), math.sin(obj.yaw)
        axes = np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])  # rows: the box axes in the world
        for face in range(6):
            normal = axes[face // 2] * (1 if face % 2 else -1)
            palette[(index + 1) * 16 + 8 + face] = np.array(obj.colour) * _shade(normal)
    return palette


def render(scene: Scene, camera: Camera) -> Rendering:
    """RGB, depth and object ids of `scene` seen by `camera` (see `Rendering`)."""
    rays = camera_rays(camera)
    origin = np.array(camera.position, dtype=np.float32)
    depth, face = _room(scene, rays, origin)
    ids = np.full(depth.shape, ROOM_ID, dtype=np.int16)
    for index, obj in enumerate(scene.objects):
        x0, y0, x1, y1 = _screen_rect(camera, obj.corners())
        if x0 >= x1 or y0 >= y1:
            continue
        c, s = np.float32(math.cos(obj.yaw)), np.float32(math.sin(obj.yaw))
        dx, dy, dz = rays[0, y0:y1, x0:x1], rays[1, y0:y1, x0:x1], rays[2, y0:y1, x0:x1]
        local = (c * dx + s * dy, -s * dx + c * dy, dz)
        offset = origin - np.array(obj.center, dtype=np.float32)
        o = (c * offset[0] + s * offset[1], -s * offset[0] + c * offset[1], offset[2])
        near: np.ndarray | None = None
        far: np.ndarray | None = None
        t_mins = []
        with np.errstate(divide="ignore", invalid="ignore"):
            for k in range(3):
                half = np.float32(obj.size[k] / 2)
                inv = np.float32(1.0) / np.where(local[k] == 0, np.float32(1e-12), local[k])
                t1, t2 = (-half - o[k]) * inv, (half - o[k]) * inv
                t_min, t_max = np.minimum(t1, t2), np.maximum(t1, t2)
                t_mins.append(t_min)
                near = t_min if near is None else np.maximum(near, t_min)
                far = t_max if far is None else np.minimum(far, t_max)
        assert near is not None and far is not None  # three axes were intersected
        sub_depth = depth[y0:y1, x0:x1]
        hit = (near <= far) & (near > 1e-4) & (near < sub_depth)
        if not hit.any():
            continue
        hit_near = near[hit]
        axis = np.where(t_mins[0][hit] == hit_near, 0, np.where(t_mins[1][hit] == hit_near, 1, 2))
        against = np.choose(axis, [local[0][hit], local[1][hit], local[2][hit]]) < 0  # the face looks at the ray
        sub_depth[hit] = hit_near
        ids[y0:y1, x0:x1][hit] = index
        face[y0:y1, x0:x1][hit] = 8 + axis * 2 + against
    key = (ids.astype(np.int32) + 1) * 16 + face
    # The floor checker is not an object edge: outline only where the object or the face changes.
    plain = np.where(face == 6, (ids.astype(np.int32) + 1) * 16 + 4, key)
    edge = np.zeros(depth.shape, dtype=bool)
    edge[:, 1:] |= plain[:, 1:] != plain[:, :-1]
    edge[1:, :] |= plain[1:, :] != plain[:-1, :]
    palette = _palette(scene)
    shaded = np.stack([palette, palette * 0.5]).clip(0, 255).astype(np.uint8)
    rgb = shaded[edge.astype(np.int32), key]
    return Rendering(rgb, depth, ids)


def _room(scene: Scene, rays: np.ndarray, origin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exit distance (H, W) of each ray from the room box and the face key it leaves through (0-3 walls -x, +x,
    -y, +y; 4 and 6 the two floor tiles; 5 the ceiling)."""
    upper = (scene.width, scene.length, scene.height)
    depth = np.full(rays.shape[1:], np.inf, dtype=np.float32)
    face = np.zeros(rays.shape[1:], dtype=np.int32)
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(3):
            d = rays[k]
            t = np.where(d > 0, (np.float32(upper[k]) - origin[k]) / d, -origin[k] / d)
            t = np.where(d == 0, np.float32(np.inf), t)
            closer = t < depth
            depth = np.where(closer, t, depth).astype(np.float32)
            face = np.where(closer, 2 * k + (d > 0), face)
    floor = face == 4
    x = origin[0] + rays[0][floor] * depth[floor]
    y = origin[1] + rays[1][floor] * depth[floor]
    checker = (np.floor(x / np.float32(0.5)).astype(np.int64) + np.floor(y / np.float32(0.5)).astype(np.int64)) % 2
    face[floor] = np.where(checker == 0, 4, 6)
    return depth, face
