"""Procedural indoor scenes: a box-shaped room and 6 to 20 yaw-rotated boxes standing on the floor, on each other or
hanging on a wall (pictures, wall cabinets, a television: objects above and level with a standing camera, so that
relations to the camera can be "above" or level as well as "below").

World frame: x and y span the floor (the room is [0, width] x [0, length]), z points up, meters. A scene is plain
data (`Scene`, `SceneObject`) and round-trips through JSON exactly; everything downstream reads only this.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

# Clearance kept between boxes (and between boxes and walls), so no two surfaces touch except stacked ones.
GAP = 0.04
# Values are rounded to this many decimals at creation, so JSON stores exactly what was rendered.
DECIMALS = 4


@dataclass(frozen=True)
class Category:
    """An indoor object class: size ranges (width, length, height) in meters, where it may stand."""

    name: str
    width: tuple[float, float]
    length: tuple[float, float]
    height: tuple[float, float]
    on_floor: bool
    supports: bool  # other objects may stand on its top
    colour: tuple[int, int, int]
    mount: tuple[float, float] | None = None  # wall objects: range of the center's height; the thin side is length


# Muted colours: the saturated marker colours (red, blue, green, yellow, purple) must stand out against them.
CATEGORIES: tuple[Category, ...] = (
    Category("bed", (1.4, 1.9), (1.9, 2.2), (0.45, 0.6), True, True, (150, 128, 110)),
    Category("sofa", (1.6, 2.3), (0.8, 1.0), (0.7, 0.9), True, True, (112, 122, 140)),
    Category("table", (0.9, 1.6), (0.6, 1.0), (0.7, 0.78), True, True, (160, 120, 80)),
    Category("desk", (1.0, 1.5), (0.55, 0.8), (0.72, 0.78), True, True, (125, 100, 75)),
    Category("chair", (0.42, 0.55), (0.42, 0.55), (0.8, 1.0), True, False, (95, 80, 65)),
    Category("armchair", (0.7, 0.9), (0.7, 0.9), (0.8, 1.0), True, False, (135, 110, 130)),
    Category("cabinet", (0.6, 1.2), (0.4, 0.6), (0.8, 1.9), True, False, (185, 170, 140)),
    Category("bookshelf", (0.8, 1.2), (0.3, 0.4), (1.5, 2.0), True, False, (110, 90, 60)),
    Category("nightstand", (0.4, 0.55), (0.35, 0.45), (0.5, 0.6), True, True, (170, 150, 120)),
    Category("trash can", (0.25, 0.4), (0.25, 0.4), (0.3, 0.6), True, False, (100, 105, 100)),
    Category("plant", (0.3, 0.5), (0.3, 0.5), (0.6, 1.3), True, False, (90, 130, 85)),
    Category("box", (0.3, 0.5), (0.3, 0.5), (0.25, 0.45), True, False, (175, 140, 95)),
    Category("lamp", (0.2, 0.35), (0.2, 0.35), (0.35, 0.6), False, False, (200, 190, 150)),
    Category("towel", (0.3, 0.6), (0.2, 0.4), (0.05, 0.1), False, False, (140, 170, 175)),
    Category("monitor", (0.5, 0.7), (0.15, 0.25), (0.35, 0.5), False, False, (70, 70, 78)),
    Category("pillow", (0.4, 0.6), (0.3, 0.45), (0.12, 0.2), False, False, (190, 185, 200)),
    Category("vase", (0.15, 0.25), (0.15, 0.25), (0.25, 0.4), False, False, (120, 150, 160)),
    Category("picture", (0.4, 1.0), (0.03, 0.05), (0.3, 0.8), False, False, (150, 120, 105), (1.2, 2.0)),
    Category("wall cabinet", (0.6, 1.2), (0.3, 0.4), (0.5, 0.8), False, False, (165, 155, 130), (1.75, 2.2)),
    Category("tv", (0.8, 1.3), (0.06, 0.1), (0.45, 0.75), False, False, (60, 62, 70), (1.0, 1.7)),
    Category("mirror", (0.4, 0.7), (0.03, 0.05), (0.6, 1.0), False, False, (175, 190, 195), (1.3, 1.8)),
    Category("clock", (0.25, 0.4), (0.04, 0.06), (0.25, 0.4), False, False, (185, 175, 160), (1.8, 2.3)),
    Category("wall shelf", (0.6, 1.2), (0.22, 0.3), (0.25, 0.4), False, False, (130, 105, 80), (1.3, 2.0)),
)
CATEGORIES_BY_NAME: dict[str, Category] = {c.name: c for c in CATEGORIES}
FLOOR_CATEGORIES = tuple(c for c in CATEGORIES if c.on_floor)
TOP_CATEGORIES = tuple(c for c in CATEGORIES if not c.on_floor and c.mount is None)
WALL_CATEGORIES = tuple(c for c in CATEGORIES if c.mount is not None)
WALL = -2  # `support` of an object hanging on a wall


@dataclass(frozen=True)
class SceneObject:
    """An oriented box: center (x, y, z), size (dx, dy, dz) along its own axes, yaw (radians, about +z)."""

    category: str
    center: tuple[float, float, float]
    size: tuple[float, float, float]
    yaw: float
    colour: tuple[int, int, int]
    support: int = -1  # index of the object it stands on; -1 is the floor, WALL (-2) a wall

    @property
    def bottom(self) -> float:
        return self.center[2] - self.size[2] / 2

    @property
    def top(self) -> float:
        return self.center[2] + self.size[2] / 2

    def footprint(self) -> np.ndarray:
        """The four floor-plan corners (4, 2), counter-clockwise."""
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        hx, hy = self.size[0] / 2, self.size[1] / 2
        local = np.array([[-hx, -hy], [hx, -hy], [hx, hy], [-hx, hy]])
        rotation = np.array([[c, -s], [s, c]])
        return local @ rotation.T + np.array(self.center[:2])

    def corners(self) -> np.ndarray:
        """The eight 3D corners (8, 3)."""
        plan = self.footprint()
        return np.concatenate(
            [np.column_stack([plan, np.full(4, self.bottom)]), np.column_stack([plan, np.full(4, self.top)])]
        )


@dataclass(frozen=True)
class Scene:
    """A room [0, width] x [0, length] x [0, height] and the boxes in it."""

    width: float
    length: float
    height: float
    objects: tuple[SceneObject, ...]

    def to_json(self) -> dict:
        return {
            "room": [self.width, self.length, self.height],
            "objects": [asdict(o) for o in self.objects],
        }

    @classmethod
    def from_json(cls, data: dict) -> Scene:
        width, length, height = data["room"]
        objects = tuple(
            SceneObject(o["category"], tuple(o["center"]), tuple(o["size"]), o["yaw"], tuple(o["colour"]), o["support"])
            for o in data["objects"]
        )
        return cls(width, length, height, objects)


def save_scene(scene: Scene, path: Path) -> None:
    Path(path).write_text(json.dumps(scene.to_json(), indent=1))


def load_scene(path: Path) -> Scene:
    return Scene.from_json(json.loads(Path(path).read_text()))


# ---------------------------------------------------------------- geometry


def footprints_overlap(a: np.ndarray, b: np.ndarray, gap: float = 0.0) -> bool:
    """Whether two convex floor-plan polygons (n, 2) come closer than `gap` (separating-axis test)."""
    for polygon in (a, b):
        edges = np.roll(polygon, -1, axis=0) - polygon
        normals = np.column_stack([edges[:, 1], -edges[:, 0]])
        normals /= np.linalg.norm(normals, axis=1, keepdims=True)
        pa, pb = a @ normals.T, b @ normals.T
        if np.any((pa.min(axis=0) >= pb.max(axis=0) + gap) | (pb.min(axis=0) >= pa.max(axis=0) + gap)):
            return False
    return True


def boxes_intersect(a: SceneObject, b: SceneObject, gap: float = 0.0) -> bool:
    """Whether two yaw-only boxes share volume (touching faces, as a lamp on a table, do not count)."""
    if min(a.top, b.top) - max(a.bottom, b.bottom) <= 1e-3:  # rounding slack for stacked boxes
        return False
    return footprints_overlap(a.footprint(), b.footprint(), gap)


def inside_room(obj: SceneObject, scene_size: tuple[float, float, float], gap: float = 0.0) -> bool:
    plan = obj.footprint()
    width, length, height = scene_size
    return bool(
        plan[:, 0].min() >= gap
        and plan[:, 1].min() >= gap
        and plan[:, 0].max() <= width - gap
        and plan[:, 1].max() <= length - gap
        and obj.top <= height
    )


# ---------------------------------------------------------------- generation


def _r(value: float) -> float:
    return round(float(value), DECIMALS)


def _yaw(rng: np.random.Generator) -> float:
    """Half the objects are aligned with the walls (plus a little jitter), half are turned freely."""
    if rng.random() < 0.5:
        return float(rng.integers(0, 4)) * math.pi / 2 + float(rng.uniform(-0.15, 0.15))
    return float(rng.uniform(-math.pi, math.pi))


def _triple(values) -> tuple[float, float, float]:
    first, second, third = values
    return first, second, third


def _colour(rng: np.random.Generator, base: tuple[int, int, int]) -> tuple[int, int, int]:
    jitter = rng.integers(-22, 23, size=3)
    red, green, blue = (int(v) for v in np.clip(np.array(base) + jitter, 40, 215))
    return red, green, blue


def _place_on_floor(rng: np.random.Generator, objects: list[SceneObject], count: int, size: tuple) -> None:
    """Append floor objects by rejection sampling until `objects` holds `count` (or the attempts run out)."""
    for _ in range(max(count - len(objects), 0) * 30):
        if len(objects) >= count:
            break
        category = FLOOR_CATEGORIES[int(rng.integers(len(FLOOR_CATEGORIES)))]
        dims = [_r(rng.uniform(*r)) for r in (category.width, category.length, category.height)]
        yaw = _r(_yaw(rng))
        center = (_r(rng.uniform(0, size[0])), _r(rng.uniform(0, size[1])), _r(dims[2] / 2))
        candidate = SceneObject(category.name, center, _triple(dims), yaw, _colour(rng, category.colour))
        if inside_room(candidate, size, GAP) and not any(boxes_intersect(candidate, o, GAP) for o in objects):
            objects.append(candidate)


def _place_on_wall(rng: np.random.Generator, objects: list[SceneObject], count: int, size: tuple) -> None:
    """Append wall objects (back face 2 cm off a wall, centre height from the category's `mount`) until
    `objects` holds `count` or the attempts run out."""
    for _ in range(max(count - len(objects), 0) * 30):
        if len(objects) >= count:
            break
        category = WALL_CATEGORIES[int(rng.integers(len(WALL_CATEGORIES)))]
        dims = [_r(rng.uniform(*r)) for r in (category.width, category.length, category.height)]
        wall = int(rng.integers(4))  # 0: y = 0, 1: x = width, 2: y = length, 3: x = 0
        along = float(rng.uniform(dims[0] / 2 + GAP, (size[wall % 2] - dims[0] / 2 - GAP)))
        off = dims[1] / 2 + 0.02
        x, y = ((along, off), (size[0] - off, along), (along, size[1] - off), (off, along))[wall]
        yaw = (0.0, math.pi / 2, math.pi, -math.pi / 2)[wall]  # the thin side (length) faces the room
        low, high = category.mount or (0.0, 0.0)  # WALL_CATEGORIES all have a mount
        center = (_r(x), _r(y), _r(rng.uniform(low, high)))
        candidate = SceneObject(category.name, center, _triple(dims), _r(yaw), _colour(rng, category.colour), WALL)
        if inside_room(candidate, size, 0.01) and not any(boxes_intersect(candidate, o, GAP) for o in objects):
            objects.append(candidate)


def make_scene(rng: np.random.Generator, n_objects: int | None = None) -> Scene:
    """A room with 6 to 20 objects (fewer than `n_objects` only when placement keeps failing; never below 6).

    Floor objects are placed by rejection sampling with a clearance of GAP to walls and to each other; small
    objects stand on the top of a supporting object, inside its footprint; two to four objects hang on the
    walls. Raises RuntimeError when fewer than 6 objects fit, which the room sizing makes practically impossible.
    """
    target = int(rng.integers(6, 21)) if n_objects is None else n_objects
    area = 14.0 + 1.3 * target
    aspect = float(rng.uniform(0.75, 1.33))
    width, length = _r(math.sqrt(area * aspect)), _r(math.sqrt(area / aspect))
    height = _r(rng.uniform(2.6, 3.0))
    size = (width, length, height)
    n_top = min(target // 3, int(rng.integers(1, 5)))
    n_wall = min(max(target // 4, 2), int(rng.integers(2, 5)))
    objects: list[SceneObject] = []
    _place_on_floor(rng, objects, target - n_top - n_wall, size)
    supports = [i for i, o in enumerate(objects) if CATEGORIES_BY_NAME[o.category].supports]
    for _ in range(n_top * 30):
        if len(objects) >= target - n_wall or not supports:
            break
        base_index = supports[int(rng.integers(len(supports)))]
        base = objects[base_index]
        category = TOP_CATEGORIES[int(rng.integers(len(TOP_CATEGORIES)))]
        dims = [_r(rng.uniform(*r)) for r in (category.width, category.length, category.height)]
        if max(dims[0], dims[1]) > min(base.size[0], base.size[1]) - 0.05:
            continue
        # A point inside the support's footprint, in its own frame, far enough from the edges to hold the object.
        u = float(rng.uniform(-(base.size[0] - max(dims[:2])) / 2, (base.size[0] - max(dims[:2])) / 2))
        v = float(rng.uniform(-(base.size[1] - max(dims[:2])) / 2, (base.size[1] - max(dims[:2])) / 2))
        c, s = math.cos(base.yaw), math.sin(base.yaw)
        center = (_r(base.center[0] + c * u - s * v), _r(base.center[1] + s * u + c * v), _r(base.top + dims[2] / 2))
        candidate = SceneObject(
            category.name, center, _triple(dims), _r(_yaw(rng)), _colour(rng, category.colour), base_index
        )
        if inside_room(candidate, size, GAP) and not any(boxes_intersect(candidate, o, GAP) for o in objects):
            objects.append(candidate)
    _place_on_wall(rng, objects, target, size)
    _place_on_floor(rng, objects, target, size)  # objects that did not fit elsewhere are made up on the floor
    if len(objects) < 6:
        raise RuntimeError(f"only {len(objects)} objects fit in a {width} x {length} m room; use another seed")
    return Scene(width, length, height, tuple(objects))


def scene_problems(scene: Scene) -> list[str]:
    """Physical problems of a scene: boxes outside the room, intersecting boxes, floating boxes."""
    problems = []
    size = (scene.width, scene.length, scene.height)
    for i, obj in enumerate(scene.objects):
        if not inside_room(obj, size):
            problems.append(f"object {i} ({obj.category}) leaves the room")
        if obj.support == WALL:
            plan = obj.footprint()
            gaps = (plan[:, 1].min(), scene.width - plan[:, 0].max(), scene.length - plan[:, 1].max(), plan[:, 0].min())
            if min(gaps) > 0.05:
                problems.append(f"object {i} ({obj.category}) hangs {min(gaps):.3f} m away from every wall")
        else:
            expected = 0.0 if obj.support < 0 else scene.objects[obj.support].top
            if abs(obj.bottom - expected) > 1e-3:
                problems.append(
                    f"object {i} ({obj.category}) floats: bottom {obj.bottom:.3f}, support top {expected:.3f}"
                )
        for j in range(i + 1, len(scene.objects)):
            if boxes_intersect(obj, scene.objects[j]):
                problems.append(f"objects {i} and {j} intersect")
    return problems
