"""IoU of 3D boxes: the score of 3D grounding tasks (ScanRefer-style), with the box parser and the aggregates.

Flow: model response -> `parse_box3d` -> `box3d_iou` against the reference box -> `grounding_summary`.
`box3d_iou` is exact for any orientation and takes, per pair, the fastest exact path: interval overlap for
axis-aligned boxes, clipped bird's-eye-view rectangles times height overlap for boxes rotated about the up
axis only, clipped faces of both boxes (divergence theorem) for arbitrary rotations. All three are vectorized.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, NamedTuple, TypedDict

import numpy as np
from numpy.typing import ArrayLike

# Rotation entries this close to 0 or +-1 are taken as exactly 0 or +-1, so that yaw = np.pi / 2 (whose
# cosine is 6e-17, not 0) or a scipy-made 90 degree rotation takes the axis-aligned path. A rotation changed
# by 1e-14 rad moves the IoU by about 1e-14 times the boxes' aspect ratio.
ROTATION_SNAP = 1e-14
# How far from orthonormal a rotation may be (max |R^T R - I|) before it is rejected as not a rotation.
ORTHONORMAL_TOLERANCE = 1e-6
# A vertex within this distance (relative to the pair's extent) of a clipping plane is taken as on it. It
# makes coplanar faces of the two boxes (identical or face-sharing boxes) count once, whatever the rounding.
_PLANE_TOLERANCE = 1e-12
# Pairs per vectorized batch of the clipping paths: bounds temporary memory to tens of MB.
_BATCH = 8192

# Local corner signs: the bottom face (local -z) counterclockwise seen from +z, then the top face.
_CORNER_SIGNS = np.array(
    [[-1, -1, -1], [1, -1, -1], [1, 1, -1], [-1, 1, -1], [-1, -1, 1], [1, -1, 1], [1, 1, 1], [-1, 1, 1]],
    dtype=np.float64,
)
# Cyclic order of a rectangle's corners from its two half-axis vectors u and v: u+v, -u+v, -u-v, u-v.
_RECTANGLE_SIGNS = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], dtype=np.float64)


@dataclass(frozen=True)
class OrientedBoxes:
    """Boxes of any orientation: `center` (..., 3), `size` (..., 3), `rotation` (..., 3, 3), float64.

    `size` holds full edge lengths along the box's local axes; column j of `rotation` is local axis j in
    world coordinates, so a local point p sits at `center + rotation @ p`. The three arrays broadcast
    together over their leading (batch) dimensions. Raises ValueError on wrong shapes, on a negative size
    and on a rotation that is not orthonormal within `ORTHONORMAL_TOLERANCE` (a reflection, det = -1,
    describes the same box and is accepted). Rows holding NaN or inf are not validated: their IoU is NaN.
    """

    center: np.ndarray
    size: np.ndarray
    rotation: np.ndarray

    def __post_init__(self) -> None:
        center = np.asarray(self.center, dtype=np.float64)
        size = np.asarray(self.size, dtype=np.float64)
        rotation = np.asarray(self.rotation, dtype=np.float64)
        if center.ndim < 1 or center.shape[-1] != 3:
            raise ValueError(f"OrientedBoxes: center must have shape (..., 3), got {center.shape}")
        if size.ndim < 1 or size.shape[-1] != 3:
            raise ValueError(f"OrientedBoxes: size must have shape (..., 3), got {size.shape}")
        if rotation.ndim < 2 or rotation.shape[-2:] != (3, 3):
            raise ValueError(f"OrientedBoxes: rotation must have shape (..., 3, 3), got {rotation.shape}")
        try:
            np.broadcast_shapes(center.shape[:-1], size.shape[:-1], rotation.shape[:-2])
        except ValueError:
            raise ValueError(
                f"OrientedBoxes: batch shapes do not broadcast: center {center.shape}, size {size.shape}, "
                f"rotation {rotation.shape}"
            ) from None
        if np.any(size < 0):
            raise ValueError("OrientedBoxes: sizes must be >= 0 (full edge lengths); got a negative size")
        gram = np.swapaxes(rotation, -1, -2) @ rotation
        if np.any(np.abs(gram - np.eye(3)) > ORTHONORMAL_TOLERANCE):
            raise ValueError("OrientedBoxes: rotation is not orthonormal (R^T R != I); pass rotation matrices")
        object.__setattr__(self, "center", center)
        object.__setattr__(self, "size", size)
        object.__setattr__(self, "rotation", rotation)

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """The broadcast leading shape of the three arrays: () for a single box, (N,) for N boxes."""
        return np.broadcast_shapes(self.center.shape[:-1], self.size.shape[:-1], self.rotation.shape[:-2])

    @classmethod
    def from_yaw(cls, boxes: ArrayLike) -> OrientedBoxes:
        """Boxes given as (..., 7) `[x, y, z, dx, dy, dz, yaw]` or (..., 6) `[x, y, z, dx, dy, dz]` (yaw 0).

        Yaw is in radians about the up axis z: the box's local x axis points along (cos yaw, sin yaw, 0).
        """
        array = np.asarray(boxes, dtype=np.float64)
        if array.ndim < 1 or array.shape[-1] not in (6, 7):
            raise ValueError(
                "boxes must have shape (..., 7) [x, y, z, dx, dy, dz, yaw] or (..., 6) [x, y, z, dx, dy, dz]; "
                f"got shape {array.shape}"
            )
        yaw = array[..., 6] if array.shape[-1] == 7 else np.zeros(array.shape[:-1])
        with np.errstate(invalid="ignore"):  # a non-finite yaw gives NaN entries, hence a NaN IoU
            cos, sin = np.cos(yaw), np.sin(yaw)
        zero, one = np.zeros_like(yaw), np.ones_like(yaw)
        rotation = np.stack(
            [np.stack([cos, -sin, zero], -1), np.stack([sin, cos, zero], -1), np.stack([zero, zero, one], -1)], -2
        )
        return cls(array[..., :3], array[..., 3:6], rotation)


Boxes = ArrayLike | OrientedBoxes
"""What every box function accepts: an (..., 7) or (..., 6) array (see `OrientedBoxes.from_yaw`) or `OrientedBoxes`."""


class _FlatBoxes(NamedTuple):
    """Boxes flattened to M rows: center (M, 3), half sizes (M, 3), snapped rotation (M, 3, 3)."""

    center: np.ndarray
    half: np.ndarray
    rotation: np.ndarray

    def take(self, rows: np.ndarray) -> _FlatBoxes:
        return _FlatBoxes(self.center[rows], self.half[rows], self.rotation[rows])


def _as_oriented(boxes: Boxes) -> OrientedBoxes:
    return boxes if isinstance(boxes, OrientedBoxes) else OrientedBoxes.from_yaw(boxes)


def _snap_rotation(rotation: np.ndarray) -> np.ndarray:
    snapped = np.where(np.abs(rotation) <= ROTATION_SNAP, 0.0, rotation)
    return np.where(np.abs(np.abs(rotation) - 1.0) <= ROTATION_SNAP, np.sign(rotation), snapped)


def _flatten(boxes: OrientedBoxes, shape: tuple[int, ...]) -> _FlatBoxes:
    count = math.prod(shape)
    return _FlatBoxes(
        np.broadcast_to(boxes.center, shape + (3,)).reshape(count, 3),
        0.5 * np.broadcast_to(boxes.size, shape + (3,)).reshape(count, 3),
        _snap_rotation(np.broadcast_to(boxes.rotation, shape + (3, 3)).reshape(count, 3, 3)),
    )


def _flatten_pair(a: Boxes, b: Boxes) -> tuple[_FlatBoxes, _FlatBoxes, tuple[int, ...], np.ndarray]:
    """Both sides broadcast and flattened; rows with a non-finite value replaced by a unit cube at the origin.

    Returns (a, b, batch shape, finite) where `finite` (M,) marks the pairs whose IoU is defined.
    """
    a, b = _as_oriented(a), _as_oriented(b)
    try:
        shape = np.broadcast_shapes(a.batch_shape, b.batch_shape)
    except ValueError:
        raise ValueError(f"box batches do not broadcast: {a.batch_shape} against {b.batch_shape}") from None
    flat_a, flat_b = _flatten(a, shape), _flatten(b, shape)
    finite = np.ones(math.prod(shape), dtype=bool)
    for flat in (flat_a, flat_b):
        finite &= np.isfinite(flat.center).all(1) & np.isfinite(flat.half).all(1)
        finite &= np.isfinite(flat.rotation).all((1, 2))
    if not finite.all():
        unit = _FlatBoxes(np.zeros(3), np.full(3, 0.5), np.eye(3))
        flat_a, flat_b = (
            _FlatBoxes(*(np.where(finite.reshape((-1,) + (1,) * (x.ndim - 1)), x, u) for x, u in zip(flat, unit)))
            for flat in (flat_a, flat_b)
        )
    return flat_a, flat_b, shape, finite


def _is_axis_aligned(rotation: np.ndarray) -> np.ndarray:
    """(M,) bool: the (snapped, orthonormal) rotation is a signed permutation matrix."""
    return ((rotation == 0) | (np.abs(rotation) == 1)).all((1, 2))


def _is_upright(rotation: np.ndarray) -> np.ndarray:
    """(M,) bool: one local axis is exactly vertical, so the box is a prism over its bird's-eye-view rectangle."""
    vertical = np.abs(rotation[:, 2, :]) == 1  # (M, 3): local axis j maps to +-z
    row_ok = (rotation[:, 2, :] == 0).sum(1) == 2
    column_ok = ((rotation[:, :2, :] == 0).all(1) & vertical).any(1)
    return vertical.any(1) & row_ok & column_ok


def _iou_from_intersection(intersection: np.ndarray, volume_a: np.ndarray, volume_b: np.ndarray) -> np.ndarray:
    intersection = np.clip(intersection, 0.0, np.minimum(volume_a, volume_b))
    union = volume_a + volume_b - intersection
    positive = union > 0
    return np.where(positive, intersection / np.where(positive, union, 1.0), 0.0)


def _volume(flat: _FlatBoxes) -> np.ndarray:
    return 8.0 * flat.half.prod(1)


def _plane_tolerance(a: _FlatBoxes, b: _FlatBoxes) -> np.ndarray:
    extent = np.linalg.norm(b.center - a.center, axis=1) + a.half.max(1) + b.half.max(1)
    return _PLANE_TOLERANCE * extent


# --- convex polygon clipping (Sutherland-Hodgman), vectorized over polygons -------------------------------


def _sutherland_hodgman_step(
    vertices: np.ndarray, count: np.ndarray, distance: np.ndarray, inside: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One clipping step for P convex polygons, each against its own line or plane.

    vertices (P, W, D) float64, the first `count[p]` valid and in cyclic order; distance (P, W) signed distance
    to the plane (positive inside, already snapped); inside (P, W) bool. Returns the clipped (P, W', D)
    vertices and counts (P,), W' the largest new count: never truncated.
    """
    polygons, width, dim = vertices.shape
    index = np.arange(width)
    valid = index < count[:, None]
    previous = np.maximum(np.where(index == 0, count[:, None] - 1, index - 1), 0)
    previous_vertex = np.take_along_axis(vertices, previous[:, :, None], axis=1)
    previous_distance = np.take_along_axis(distance, previous, axis=1)
    crossing = valid & (inside != np.take_along_axis(inside, previous, axis=1))
    # On a crossing one endpoint is strictly on each side (after snapping), so the denominator is nonzero.
    denominator = np.where(crossing, previous_distance - distance, 1.0)
    fraction = np.where(crossing, previous_distance / denominator, 0.0)
    crossing_point = previous_vertex + (vertices - previous_vertex) * fraction[..., None]
    candidates = np.stack([crossing_point, vertices], axis=2).reshape(polygons, 2 * width, dim)
    keep = np.stack([crossing, valid & inside], axis=2).reshape(polygons, 2 * width)
    position = np.cumsum(keep, axis=1) - 1
    new_count = position[:, -1] + 1
    clipped = np.zeros((polygons, int(new_count.max()), dim))
    rows, columns = np.nonzero(keep)
    clipped[rows, position[rows, columns]] = candidates[rows, columns]
    return clipped, new_count


def _clipped_area_vector(
    vertices: np.ndarray, normals: np.ndarray, offsets: np.ndarray, keep_on_plane: np.ndarray, tolerance: np.ndarray
) -> np.ndarray:
    """Twice the area (vector, in 3D) of P convex polygons each clipped by its own K half-spaces.

    vertices (P, V, D) in cyclic order; half-spaces `normals[p, k] . x <= offsets[p, k]` with normals (P, K, D)
    and offsets (P, K); a vertex within `tolerance[p]` of a plane is on it, and then inside only where
    `keep_on_plane[p, k]`. Returns (P,) signed for D = 2, (P, 3) for D = 3 (see `_polygon_area_vector`).
    Only polygons that a plane actually cuts go through a Sutherland-Hodgman step; emptied ones leave the set.
    """
    polygons, corners, dim = vertices.shape
    alive = np.arange(polygons)  # rows of the polygons not yet empty; `vertices` and `count` follow them
    count = np.full(polygons, corners)
    vertices = vertices.copy()  # clipped rows are written in place
    for plane in range(normals.shape[1]):
        distance = offsets[alive, plane][:, None] - np.einsum("pwd,pd->pw", vertices, normals[alive, plane])
        distance[np.abs(distance) <= tolerance[alive, None]] = 0.0
        inside = (distance > 0) | ((distance == 0) & keep_on_plane[alive, plane][:, None])
        inside_count = (inside & (np.arange(vertices.shape[1]) < count[:, None])).sum(1)
        cut = np.flatnonzero((inside_count > 0) & (inside_count < count))
        if cut.size:
            clipped, clipped_count = _sutherland_hodgman_step(vertices[cut], count[cut], distance[cut], inside[cut])
            if clipped.shape[1] > vertices.shape[1]:
                vertices = np.pad(vertices, ((0, 0), (0, clipped.shape[1] - vertices.shape[1]), (0, 0)))
            vertices[cut, : clipped.shape[1]] = clipped
            count[cut] = clipped_count
        survivors = inside_count > 0
        alive, vertices, count = alive[survivors], vertices[survivors], count[survivors]
    area = np.zeros((polygons,) + ((3,) if dim == 3 else ()))
    area[alive] = _polygon_area_vector(vertices, count)
    return area


def _polygon_area_vector(vertices: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Twice the signed area (2D, shape (P,)) or the area vector times 2 (3D, shape (P, 3)) of padded polygons."""
    width = vertices.shape[1]
    relative = vertices - vertices[:, :1]  # fan from the first vertex: smaller rounding than from the origin
    index = np.arange(width)
    following = np.take_along_axis(relative, np.where(index + 1 < count[:, None], index + 1, 0)[..., None], axis=1)
    if vertices.shape[2] == 2:
        cross = relative[..., 0] * following[..., 1] - relative[..., 1] * following[..., 0]
        return np.where(index < count[:, None], cross, 0.0).sum(1)
    cross = np.cross(relative, following)
    return np.where((index < count[:, None])[..., None], cross, 0.0).sum(1)


# --- the three intersection-volume paths, each over M flattened pairs ---------------------------------------


def _intersection_axis_aligned(a: _FlatBoxes, b: _FlatBoxes) -> np.ndarray:
    # For a signed permutation R, |R| @ half are the world half extents.
    extent_a = np.einsum("mij,mj->mi", np.abs(a.rotation), a.half)
    extent_b = np.einsum("mij,mj->mi", np.abs(b.rotation), b.half)
    low = np.maximum(a.center - extent_a, b.center - extent_b)
    high = np.minimum(a.center + extent_a, b.center + extent_b)
    return np.clip(high - low, 0.0, None).prod(1)


def _upright_frame(flat: _FlatBoxes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit horizontal axes (M, 2, 2) as rows, their half sizes (M, 2) and the vertical half size (M,)."""
    vertical = np.argmax(np.abs(flat.rotation[:, 2, :]), axis=1)
    horizontal = np.stack([(vertical + 1) % 3, (vertical + 2) % 3], axis=1)  # (M, 2)
    axes = np.take_along_axis(flat.rotation[:, :2, :], horizontal[:, None, :], axis=2)  # (M, 2 xy, 2 axes)
    half_xy = np.take_along_axis(flat.half, horizontal, axis=1)
    half_z = np.take_along_axis(flat.half, vertical[:, None], axis=1)[:, 0]
    return np.swapaxes(axes, 1, 2), half_xy, half_z


def _intersection_upright(a: _FlatBoxes, b: _FlatBoxes) -> np.ndarray:
    axes_a, half_a, height_a = _upright_frame(a)
    axes_b, half_b, height_b = _upright_frame(b)
    # A's rectangle around the origin (A's center), clipped by B's four edge lines.
    half_vectors = axes_a * half_a[..., None]  # (M, 2, 2): u, v
    polygon = np.einsum("ks,msd->mkd", _RECTANGLE_SIGNS, half_vectors)
    normals = np.concatenate([axes_b, -axes_b], axis=1)  # (M, 4, 2): e1, e2, -e1, -e2
    shift = (b.center - a.center)[:, :2]
    offsets = (normals * shift[:, None, :]).sum(-1) + np.concatenate([half_b, half_b], axis=1)
    keep = np.ones(offsets.shape, dtype=bool)
    area = 0.5 * np.abs(_clipped_area_vector(polygon, normals, offsets, keep, _plane_tolerance(a, b)))
    top = np.minimum(a.center[:, 2] + height_a, b.center[:, 2] + height_b)
    bottom = np.maximum(a.center[:, 2] - height_a, b.center[:, 2] - height_b)
    return area * np.clip(top - bottom, 0.0, None)


def _box_faces(center: np.ndarray, half: np.ndarray, rotation: np.ndarray):
    """Faces of M boxes: vertices (M, 6, 4, 3) in cyclic order, outward unit normals (M, 6, 3), plane offsets
    (M, 6) with `normal . x = offset` on the face; the box is the intersection of `normal . x <= offset`."""
    vertices, normals, offsets = [], [], []
    for axis in range(3):
        side_axes = [(axis + 1) % 3, (axis + 2) % 3]
        half_vectors = rotation[:, :, side_axes] * half[:, None, side_axes]  # (M, 3, 2): u, v as columns
        rectangle = np.einsum("ks,mds->mkd", _RECTANGLE_SIGNS, half_vectors)  # (M, 4, 3)
        for sign in (1.0, -1.0):
            normal = sign * rotation[:, :, axis]
            face_center = center + normal * half[:, axis : axis + 1]
            vertices.append(face_center[:, None, :] + rectangle)
            normals.append(normal)
            offsets.append((normal * center).sum(1) + half[:, axis])
    return np.stack(vertices, 1), np.stack(normals, 1), np.stack(offsets, 1)


def _polytope_volume(a: _FlatBoxes, b: _FlatBoxes) -> np.ndarray:
    """Exact volume of the convex polytope A n B by the divergence theorem, V = 1/3 sum_f (n_f . x_f) area_f.

    Its faces are A's faces clipped by B's six planes and B's faces clipped by A's. A face of B lying on a
    face plane of A with the same outward normal is the same surface as A's clipped face: it is dropped
    (vertices on that plane count as outside), so shared faces count once. Faces on a common plane with
    opposite normals (touching boxes) both stay and cancel.
    """
    pairs = len(a.center)
    # Work around the smaller box's center: the intersection lies in that box, so the face offsets (and the
    # terms of the volume sum) stay as small as the smaller box, whatever the size of the other.
    origin = np.where((_volume(a) <= _volume(b))[:, None], a.center, b.center)
    vertices_a, normals_a, offsets_a = _box_faces(a.center - origin, a.half, a.rotation)
    vertices_b, normals_b, offsets_b = _box_faces(b.center - origin, b.half, b.rotation)
    vertices = np.concatenate([vertices_a, vertices_b], 1).reshape(pairs * 12, 4, 3)
    face_normals = np.concatenate([normals_a, normals_b], 1)  # (M, 12, 3)
    face_offsets = np.concatenate([offsets_a, offsets_b], 1)  # (M, 12)
    # Each of A's faces meets B's planes, each of B's faces meets A's planes: (M, 12, 6, ...).
    clip_normals = np.concatenate(
        [np.repeat(normals_b[:, None], 6, 1), np.repeat(normals_a[:, None], 6, 1)], 1
    ).reshape(pairs * 12, 6, 3)
    clip_offsets = np.concatenate(
        [np.repeat(offsets_b[:, None], 6, 1), np.repeat(offsets_a[:, None], 6, 1)], 1
    ).reshape(pairs * 12, 6)
    same_direction = np.einsum("mfd,mpd->mfp", normals_b, normals_a) > 0.5
    keep_on_plane = np.concatenate([np.ones_like(same_direction), ~same_direction], 1).reshape(pairs * 12, 6)
    tolerance = np.repeat(_plane_tolerance(a, b), 12)
    area_vector = _clipped_area_vector(vertices, clip_normals, clip_offsets, keep_on_plane, tolerance)
    area = 0.5 * np.abs((area_vector * face_normals.reshape(-1, 3)).sum(1))
    return (face_offsets.reshape(-1) * area).reshape(pairs, 12).sum(1) / 3.0


def _separated(a: _FlatBoxes, b: _FlatBoxes) -> np.ndarray:
    """(M,) bool: the boxes are strictly apart along one of the 15 separating axes of two boxes.

    The axes are both boxes' local axes and their 9 cross products; a margin keeps the test conservative
    (touching boxes are not "separated" here; the polytope path gives them 0).
    """
    axes_a, axes_b = np.swapaxes(a.rotation, 1, 2), np.swapaxes(b.rotation, 1, 2)  # (M, 3, 3): axes as rows
    crossed = np.cross(axes_a[:, :, None, :], axes_b[:, None, :, :]).reshape(-1, 9, 3)
    axes = np.concatenate([axes_a, axes_b, crossed], 1)  # (M, 15, 3)
    reach_a = (np.abs(np.einsum("mkd,mjd->mkj", axes, axes_a)) * a.half[:, None, :]).sum(2)
    reach_b = (np.abs(np.einsum("mkd,mjd->mkj", axes, axes_b)) * b.half[:, None, :]).sum(2)
    gap = np.abs(np.einsum("mkd,md->mk", axes, b.center - a.center))
    return (gap > (reach_a + reach_b) * (1 + 1e-9) + _plane_tolerance(a, b)[:, None]).any(1)


def _intersection_general(a: _FlatBoxes, b: _FlatBoxes) -> np.ndarray:
    # Separated pairs are exactly 0 (no rounding noise from clipping) and cost only the axis test.
    volume = np.zeros(len(a.center))
    meeting = np.flatnonzero(~_separated(a, b))
    if meeting.size:
        volume[meeting] = _polytope_volume(a.take(meeting), b.take(meeting))
    return volume


def _batched(path, a: _FlatBoxes, b: _FlatBoxes) -> np.ndarray:
    if len(a.center) <= _BATCH:
        return path(a, b)
    return np.concatenate(
        [
            path(a.take(slice(start, start + _BATCH)), b.take(slice(start, start + _BATCH)))
            for start in range(0, len(a.center), _BATCH)
        ]
    )


def _iou_with(path, rows_ok, requirement: str, a: Boxes, b: Boxes) -> np.ndarray:
    """IoU of every pair through one path; `rows_ok` (rotation -> (M,) bool) guards the path's assumption."""
    flat_a, flat_b, shape, finite = _flatten_pair(a, b)
    if rows_ok is not None:
        bad = np.flatnonzero(finite & ~(rows_ok(flat_a.rotation) & rows_ok(flat_b.rotation)))
        if bad.size:
            raise ValueError(f"{requirement}; pairs at flat indices {bad[:10].tolist()} are not (use box3d_iou)")
    iou = _iou_from_intersection(_batched(path, flat_a, flat_b), _volume(flat_a), _volume(flat_b))
    return np.where(finite, iou, np.nan).reshape(shape)


def box3d_iou(a: Boxes, b: Boxes) -> np.ndarray:
    """Exact IoU of 3D boxes, elementwise over the broadcast batch shapes of `a` and `b`, in [0, 1].

    `a` and `b` are (..., 7) `[x, y, z, dx, dy, dz, yaw]` arrays, (..., 6) arrays (yaw 0) or `OrientedBoxes`;
    a single box broadcasts against many. Returns float64 of the broadcast batch shape (0-d for two single
    boxes). Each pair takes the fastest exact path: both boxes axis-aligned (yaw a multiple of pi/2 included,
    dx and dy swapped) -> interval overlap; both rotated about z only -> bird's-eye-view polygon clipping times
    the z overlap; otherwise the general polytope path of `box3d_iou_exact`. Disjoint or touching boxes give 0;
    a zero-volume box gives 0 (and two coinciding zero-volume boxes give 0, not NaN); a pair with a NaN or inf
    anywhere gives NaN, which the aggregates count as a miss. No warnings are emitted.
    Raises ValueError on wrong shapes, negative sizes or a rotation that is not orthonormal.
    """
    flat_a, flat_b, shape, finite = _flatten_pair(a, b)
    axis_aligned = _is_axis_aligned(flat_a.rotation) & _is_axis_aligned(flat_b.rotation)
    upright = _is_upright(flat_a.rotation) & _is_upright(flat_b.rotation)
    intersection = np.empty(len(finite))
    for path, rows in (
        (_intersection_axis_aligned, axis_aligned),
        (_intersection_upright, upright & ~axis_aligned),
        (_intersection_general, ~upright),
    ):
        rows = np.flatnonzero(rows)
        if rows.size:
            intersection[rows] = _batched(path, flat_a.take(rows), flat_b.take(rows))
    iou = _iou_from_intersection(intersection, _volume(flat_a), _volume(flat_b))
    return np.where(finite, iou, np.nan).reshape(shape)


def box3d_iou_exact(a: Boxes, b: Boxes) -> np.ndarray:
    """IoU through the general polytope path for every pair, whatever the orientation.

    Same inputs, output and edge cases as `box3d_iou`; slower. The intersection of two boxes is a convex
    polytope whose faces are each box's faces clipped by the other box's six planes; its volume follows from
    the divergence theorem. Exists to cross-check the fast paths and for callers who want one code path.
    """
    return _iou_with(_intersection_general, None, "", a, b)


def box3d_iou_axis_aligned(a: Boxes, b: Boxes) -> np.ndarray:
    """IoU of axis-aligned boxes by interval overlap, as `box3d_iou` for boxes whose axes lie on world axes.

    A yaw that is a multiple of pi/2 (within 1e-14 on the rotation entries) counts as axis-aligned with dx and
    dy swapped for odd multiples. Raises ValueError when a finite box is rotated otherwise: the min/max of a
    rotated box's corners is not that box, and its IoU would be wrong (use `box3d_iou`).
    """
    return _iou_with(
        _intersection_axis_aligned, _is_axis_aligned, "box3d_iou_axis_aligned needs axis-aligned boxes", a, b
    )


def box3d_iou_yaw(a: Boxes, b: Boxes) -> np.ndarray:
    """IoU of boxes rotated about the up axis only: bird's-eye-view rectangle overlap times z-interval overlap.

    Exact for such boxes (the intersection is a prism over the clipped polygon). `OrientedBoxes` qualify when
    one local axis is exactly vertical. Raises ValueError when a finite box is tilted (use `box3d_iou`).
    """
    return _iou_with(_intersection_upright, _is_upright, "box3d_iou_yaw needs boxes rotated about z only", a, b)


def box3d_intersection_volume(a: Boxes, b: Boxes) -> np.ndarray:
    """Exact volume of the intersection of `a` and `b` (general path), float64 of the broadcast batch shape.

    0 for disjoint or touching boxes; NaN where a pair holds a NaN or inf.
    """
    flat_a, flat_b, shape, finite = _flatten_pair(a, b)
    volume = np.clip(_batched(_intersection_general, flat_a, flat_b), 0.0, np.minimum(_volume(flat_a), _volume(flat_b)))
    return np.where(finite, volume, np.nan).reshape(shape)


def box_corners(boxes: Boxes) -> np.ndarray:
    """The 8 corners of each box, float64 of shape (..., 8, 3).

    Order in the box's local frame: the bottom face (local -z) counterclockwise seen from local +z starting
    at (-dx, -dy)/2, then the top face in the same order; corner k is `center + rotation @ (signs_k * size / 2)`.
    """
    oriented = _as_oriented(boxes)
    shape = oriented.batch_shape
    center = np.broadcast_to(oriented.center, shape + (3,))
    rotation = np.broadcast_to(oriented.rotation, shape + (3, 3))
    local = _CORNER_SIGNS * (0.5 * np.broadcast_to(oriented.size, shape + (3,)))[..., None, :]
    with np.errstate(invalid="ignore"):  # an infinite size times a zero rotation entry: NaN, not a warning
        return center[..., None, :] + np.einsum("...ij,...kj->...ki", rotation, local)


def box_volume(boxes: Boxes) -> np.ndarray:
    """dx * dy * dz of each box, float64 of the batch shape (0 for a flat box; inf or NaN for an infinite size)."""
    oriented = _as_oriented(boxes)
    with np.errstate(invalid="ignore"):  # inf * 0
        return np.broadcast_to(oriented.size, oriented.batch_shape + (3,)).prod(-1)


# --- reading a box out of a model response ---------------------------------------------------------------

# Both patterns exclude their own delimiters from the body, so every match attempt stops at the next
# delimiter: the scans are linear in the text length whatever the text.
_BRACKET_GROUP = re.compile(r"\[([^\[\]]*)\]")
_FLAT_OBJECT = re.compile(r"\{[^{}]*\}")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf(?:inity)?)", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s*,\s*|\s+")

_CENTER_KEYS = ("center", "centre", "position", "location")
_SIZE_KEYS = ("size", "dimensions", "dims", "extent", "extents")
_YAW_KEYS = ("yaw", "heading", "angle", "theta", "rotation")
_BOX_KEYS = ("box", "bbox", "box3d", "bbox3d", "bbox_3d", "box_3d")


def _numbers(value: Any, lengths: tuple[int, ...]) -> list[float] | None:
    """A JSON list of `lengths` numbers (bools excluded) as floats, else None."""
    if not isinstance(value, list) or len(value) not in lengths:
        return None
    if not all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in value):
        return None
    try:
        return [float(item) for item in value]
    except OverflowError:  # an int too large for a float
        return [math.inf] * len(value)


def _box_from_json(value: Any) -> list[float] | None:
    """Box numbers from a decoded JSON value, or None when it does not have a box's shape.

    Accepts a flat list of 7 (or 6) numbers, a list `[center(3), size(3)]` or `[center(3), size(3), yaw]`, and an
    object with center / size (/ yaw) keys or a box key holding a list. Keys are case-insensitive.
    """
    if isinstance(value, list):
        flat = _numbers(value, (6, 7))
        if flat is not None:
            return flat
        if len(value) in (2, 3):
            center, size = _numbers(value[0], (3,)), _numbers(value[1], (3,))
            yaw = _numbers(value[2:], (1,)) if len(value) == 3 else [0.0]
            if center is not None and size is not None and yaw is not None:
                return center + size + yaw
        return None
    if not isinstance(value, dict):
        return None
    fields = {str(key).lower(): item for key, item in value.items()}
    for key in _BOX_KEYS:
        if key in fields:
            return _box_from_json(fields[key])
    center = next((_numbers(fields[key], (3,)) for key in _CENTER_KEYS if key in fields), None)
    size = next((_numbers(fields[key], (3,)) for key in _SIZE_KEYS if key in fields), None)
    if center is None or size is None:
        return None
    yaw_key = next((key for key in _YAW_KEYS if key in fields), None)
    yaw = [0.0] if yaw_key is None else _numbers([fields[yaw_key]], (1,))
    return None if yaw is None else center + size + yaw


def _decode_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError, int digit limit, deep nesting
        return None


def _box_from_group(content: str) -> list[float] | None:
    """Numbers of a bracket group's content when it holds exactly 6 or 7 plain numbers, else None."""
    tokens = _SEPARATOR.split(content.strip())
    if len(tokens) not in (6, 7) or not all(_NUMBER.fullmatch(token) for token in tokens):
        return None
    return [float(token) for token in tokens]


def _valid_box(numbers: list[float] | None, degrees: bool) -> np.ndarray | None:
    if numbers is None:
        return None
    box = np.array(numbers + [0.0] * (7 - len(numbers)), dtype=np.float64)
    if not np.isfinite(box).all() or not (box[3:6] > 0).all():
        return None
    if degrees:
        box[6] = np.deg2rad(box[6])
    return box


def parse_box3d(text: str | None, *, degrees: bool = False) -> np.ndarray | None:
    """The 3D box a model wrote, as float64 `[x, y, z, dx, dy, dz, yaw]` of shape (7,), or None.

    Read in this order: the whole response (a Markdown code fence stripped) as JSON - a list of 7 or 6
    numbers, `[center, size(, yaw)]`, or an object with `center`/`size`/`yaw` keys (aliases: centre,
    position, location; dimensions, dims, extent; heading, angle, theta, rotation) or a `box`/`bbox` key;
    otherwise the last candidate in the text, a candidate being a bracketed group of exactly 7 or 6 numbers
    separated by commas or spaces (`[1.0, 2, 0.5, 1, 1, 1, 0.3]`) or a flat JSON object as above. Six numbers
    mean yaw 0. Yaw is in radians unless `degrees=True`.

    Returns None when nothing parses, and also when the chosen box is invalid - a non-finite number, or a size
    that is zero or negative - rather than falling back to an earlier box: the model's final answer is the one
    scored. Never raises on any string (None gives None); runs in time linear in the text length.
    """
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.partition("\n")[2].strip()
        stripped = stripped[:-3].strip() if stripped.endswith("```") else stripped
    if stripped[:1] in ("[", "{"):
        numbers = _box_from_json(_decode_json(stripped))
        if numbers is not None:
            return _valid_box(numbers, degrees)
    best_end, best = -1, None
    for match in _BRACKET_GROUP.finditer(text):
        numbers = _box_from_group(match.group(1))
        if numbers is not None:
            best_end, best = match.end(), numbers
    for match in _FLAT_OBJECT.finditer(text):
        if match.end() > best_end:
            decoded = _decode_json(match.group())
            numbers = _box_from_json(decoded) if isinstance(decoded, dict) else None
            if numbers is not None:
                best_end, best = match.end(), numbers
    return _valid_box(best, degrees)


# --- aggregates over samples -----------------------------------------------------------------------------


GroundingSummary = TypedDict(
    "GroundingSummary",
    {"mean_iou": float, "acc@0.25": float, "acc@0.5": float, "n": int, "n_missing": int},
)
"""`grounding_summary`'s result: mean IoU, Acc@0.25, Acc@0.5, sample count, missing-box count."""


def _ious_missing_as_zero(ious: ArrayLike) -> tuple[np.ndarray, int]:
    """Per-sample IoUs (1-D float64) with NaN / None read as 0, and how many were missing."""
    values = np.asarray(ious, dtype=np.float64).reshape(-1)  # None -> NaN
    missing = np.isnan(values)
    present = values[~missing]
    if np.any((present < 0) | (present > 1)):  # inf included
        raise ValueError("IoUs must lie in [0, 1], with NaN or None for a missing box; got a value outside")
    return np.where(missing, 0.0, values), int(missing.sum())


def mean_iou(ious: ArrayLike) -> float:
    """Mean of per-sample IoUs, a missing or unparsable box (NaN or None) counting as 0; NaN for no samples.

    Raises ValueError on a value outside [0, 1] (inf included).
    """
    values, _ = _ious_missing_as_zero(ious)
    return float(values.mean()) if values.size else math.nan


def accuracy_at(ious: ArrayLike, threshold: float) -> float:
    """Share of samples with IoU >= `threshold` (Acc@0.25, Acc@0.5), a missing box (NaN or None) counting as 0.

    NaN for no samples. With threshold 0 every sample passes, missing ones included (0 >= 0).
    Raises ValueError on a value outside [0, 1].
    """
    values, _ = _ious_missing_as_zero(ious)
    return float((values >= threshold).mean()) if values.size else math.nan


def grounding_summary(ious: ArrayLike) -> GroundingSummary:
    """The 3D grounding report: mean IoU, Acc@0.25, Acc@0.5, sample count `n` and `n_missing` (NaN or None).

    Missing boxes count as IoU 0 in every rate. For no samples the rates are NaN and the counts 0.
    """
    values, missing = _ious_missing_as_zero(ious)
    return {
        "mean_iou": mean_iou(values),
        "acc@0.25": accuracy_at(values, 0.25),
        "acc@0.5": accuracy_at(values, 0.5),
        "n": int(values.size),
        "n_missing": missing,
    }
