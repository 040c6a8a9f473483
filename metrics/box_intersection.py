"""The exact intersection volume of pairs of 3D boxes, vectorized over flattened pairs, by three paths: interval
overlap for axis-aligned boxes, clipped bird's-eye-view rectangles times height overlap for boxes rotated about
the up axis only, clipped faces of both boxes (divergence theorem) for arbitrary rotations.

`iou3d` picks a path per pair and turns volumes into IoUs. Inputs are `FlatBoxes`: M rows, non-finite rows
already replaced (`flatten_pair`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from spar_bench.metrics.boxes3d import Boxes, OrientedBoxes, as_oriented

# Rotation entries this close to 0 or +-1 are taken as exactly 0 or +-1, so that yaw = np.pi / 2 (whose
# cosine is 6e-17, not 0) or a scipy-made 90 degree rotation takes the axis-aligned path. A rotation changed
# by 1e-14 rad moves the IoU by about 1e-14 times the boxes' aspect ratio.
ROTATION_SNAP = 1e-14
# A vertex within this distance (relative to the pair's extent) of a clipping plane is taken as on it. It
# makes coplanar faces of the two boxes (identical or face-sharing boxes) count once, whatever the rounding.
_PLANE_TOLERANCE = 1e-12
# Pairs per vectorized batch of the clipping paths: bounds temporary memory to tens of MB.
_BATCH = 8192
# Cyclic order of a rectangle's corners from its two half-axis vectors u and v: u+v, -u+v, -u-v, u-v.
_RECTANGLE_SIGNS = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], dtype=np.float64)


class FlatBoxes(NamedTuple):
    """Boxes flattened to M rows: center (M, 3), half sizes (M, 3), snapped rotation (M, 3, 3)."""

    center: np.ndarray
    half: np.ndarray
    rotation: np.ndarray

    def take(self, rows: np.ndarray | slice) -> FlatBoxes:
        return FlatBoxes(self.center[rows], self.half[rows], self.rotation[rows])


def _snap_rotation(rotation: np.ndarray) -> np.ndarray:
    snapped = np.where(np.abs(rotation) <= ROTATION_SNAP, 0.0, rotation)
    return np.where(np.abs(np.abs(rotation) - 1.0) <= ROTATION_SNAP, np.sign(rotation), snapped)


def _flatten(boxes: OrientedBoxes, shape: tuple[int, ...]) -> FlatBoxes:
    count = math.prod(shape)
    return FlatBoxes(
        np.broadcast_to(boxes.center, shape + (3,)).reshape(count, 3),
        0.5 * np.broadcast_to(boxes.size, shape + (3,)).reshape(count, 3),
        _snap_rotation(np.broadcast_to(boxes.rotation, shape + (3, 3)).reshape(count, 3, 3)),
    )


def flatten_pair(a: Boxes, b: Boxes) -> tuple[FlatBoxes, FlatBoxes, tuple[int, ...], np.ndarray]:
    """Both sides broadcast and flattened; rows with a non-finite value replaced by a unit cube at the origin.

    Returns (a, b, batch shape, finite) where `finite` (M,) marks the pairs whose IoU is defined.
    """
    a, b = as_oriented(a), as_oriented(b)
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
        unit = FlatBoxes(np.zeros(3), np.full(3, 0.5), np.eye(3))
        flat_a, flat_b = (
            FlatBoxes(*(np.where(finite.reshape((-1,) + (1,) * (x.ndim - 1)), x, u) for x, u in zip(flat, unit)))
            for flat in (flat_a, flat_b)
        )
    return flat_a, flat_b, shape, finite


def is_axis_aligned(rotation: np.ndarray) -> np.ndarray:
    """(M,) bool: the (snapped, orthonormal) rotation is a signed permutation matrix."""
    return ((rotation == 0) | (np.abs(rotation) == 1)).all((1, 2))


def is_upright(rotation: np.ndarray) -> np.ndarray:
    """(M,) bool: one local axis is exactly vertical, so the box is a prism over its bird's-eye-view rectangle."""
    vertical = np.abs(rotation[:, 2, :]) == 1  # (M, 3): local axis j maps to +-z
    row_ok = (rotation[:, 2, :] == 0).sum(1) == 2
    column_ok = ((rotation[:, :2, :] == 0).all(1) & vertical).any(1)
    return vertical.any(1) & row_ok & column_ok


def iou_from_intersection(intersection: np.ndarray, volume_a: np.ndarray, volume_b: np.ndarray) -> np.ndarray:
    intersection = np.clip(intersection, 0.0, np.minimum(volume_a, volume_b))
    union = volume_a + volume_b - intersection
    positive = union > 0
    return np.where(positive, intersection / np.where(positive, union, 1.0), 0.0)


def flat_volume(flat: FlatBoxes) -> np.ndarray:
    return 8.0 * flat.half.prod(1)


def _plane_tolerance(a: FlatBoxes, b: FlatBoxes) -> np.ndarray:
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


def intersection_axis_aligned(a: FlatBoxes, b: FlatBoxes) -> np.ndarray:
    # For a signed permutation R, |R| @ half are the world half extents.
    extent_a = np.einsum("mij,mj->mi", np.abs(a.rotation), a.half)
    extent_b = np.einsum("mij,mj->mi", np.abs(b.rotation), b.half)
    low = np.maximum(a.center - extent_a, b.center - extent_b)
    high = np.minimum(a.center + extent_a, b.center + extent_b)
    return np.clip(high - low, 0.0, None).prod(1)


def _upright_frame(flat: FlatBoxes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit horizontal axes (M, 2, 2) as rows, their half sizes (M, 2) and the vertical half size (M,)."""
    vertical = np.argmax(np.abs(flat.rotation[:, 2, :]), axis=1)
    horizontal = np.stack([(vertical + 1) % 3, (vertical + 2) % 3], axis=1)  # (M, 2)
    axes = np.take_along_axis(flat.rotation[:, :2, :], horizontal[:, None, :], axis=2)  # (M, 2 xy, 2 axes)
    half_xy = np.take_along_axis(flat.half, horizontal, axis=1)
    half_z = np.take_along_axis(flat.half, vertical[:, None], axis=1)[:, 0]
    return np.swapaxes(axes, 1, 2), half_xy, half_z


def intersection_upright(a: FlatBoxes, b: FlatBoxes) -> np.ndarray:
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


def _polytope_volume(a: FlatBoxes, b: FlatBoxes) -> np.ndarray:
    """Exact volume of the convex polytope A n B by the divergence theorem, V = 1/3 sum_f (n_f . x_f) area_f.

    Its faces are A's faces clipped by B's six planes and B's faces clipped by A's. A face of B lying on a
    face plane of A with the same outward normal is the same surface as A's clipped face: it is dropped
    (vertices on that plane count as outside), so shared faces count once. Faces on a common plane with
    opposite normals (touching boxes) both stay and cancel.
    """
    pairs = len(a.center)
    # Work around the smaller box's center: the intersection lies in that box, so the face offsets (and the
    # terms of the volume sum) stay as small as the smaller box, whatever the size of the other.
    origin = np.where((flat_volume(a) <= flat_volume(b))[:, None], a.center, b.center)
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


def _separated(a: FlatBoxes, b: FlatBoxes) -> np.ndarray:
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


def intersection_general(a: FlatBoxes, b: FlatBoxes) -> np.ndarray:
    # Separated pairs are exactly 0 (no rounding noise from clipping) and cost only the axis test.
    volume = np.zeros(len(a.center))
    meeting = np.flatnonzero(~_separated(a, b))
    if meeting.size:
        volume[meeting] = _polytope_volume(a.take(meeting), b.take(meeting))
    return volume


def batched(path, a: FlatBoxes, b: FlatBoxes) -> np.ndarray:
    if len(a.center) <= _BATCH:
        return path(a, b)
    return np.concatenate(
        [
            path(a.take(slice(start, start + _BATCH)), b.take(slice(start, start + _BATCH)))
            for start in range(0, len(a.center), _BATCH)
        ]
    )
