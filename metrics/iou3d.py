"""IoU of 3D boxes: the score of 3D grounding tasks (ScanRefer-style), with the box parser and the aggregates.

Flow: model response -> `parse_box3d` -> `box3d_iou` against the reference box -> `grounding_summary`.
`box3d_iou` is exact for any orientation and takes, per pair, the fastest exact path: interval overlap for
axis-aligned boxes, clipped bird's-eye-view rectangles times height overlap for boxes rotated about the up
axis only, clipped faces of both boxes (divergence theorem) for arbitrary rotations. All three are vectorized
(`box_intersection`); the box types are in `boxes3d`, the parser in `box_parsing`, and importable from here.
"""

from __future__ import annotations

import math
from typing import TypedDict

import numpy as np
from numpy.typing import ArrayLike

from spar_bench.metrics.box_intersection import (
    ROTATION_SNAP,
    batched,
    flat_volume,
    flatten_pair,
    intersection_axis_aligned,
    intersection_general,
    intersection_upright,
    iou_from_intersection,
    is_axis_aligned,
    is_upright,
)
from spar_bench.metrics.box_parsing import parse_box3d
from spar_bench.metrics.boxes3d import ORTHONORMAL_TOLERANCE, Boxes, OrientedBoxes, box_corners, box_volume

__all__ = [
    "ORTHONORMAL_TOLERANCE",
    "ROTATION_SNAP",
    "Boxes",
    "GroundingSummary",
    "OrientedBoxes",
    "accuracy_at",
    "box3d_intersection_volume",
    "box3d_iou",
    "box3d_iou_axis_aligned",
    "box3d_iou_exact",
    "box3d_iou_yaw",
    "box_corners",
    "box_volume",
    "grounding_summary",
    "mean_iou",
    "parse_box3d",
]


def _iou_with(path, rows_ok, requirement: str, a: Boxes, b: Boxes) -> np.ndarray:
    """IoU of every pair through one path; `rows_ok` (rotation -> (M,) bool) guards the path's assumption."""
    flat_a, flat_b, shape, finite = flatten_pair(a, b)
    if rows_ok is not None:
        bad = np.flatnonzero(finite & ~(rows_ok(flat_a.rotation) & rows_ok(flat_b.rotation)))
        if bad.size:
            raise ValueError(f"{requirement}; pairs at flat indices {bad[:10].tolist()} are not (use box3d_iou)")
    iou = iou_from_intersection(batched(path, flat_a, flat_b), flat_volume(flat_a), flat_volume(flat_b))
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
    flat_a, flat_b, shape, finite = flatten_pair(a, b)
    axis_aligned = is_axis_aligned(flat_a.rotation) & is_axis_aligned(flat_b.rotation)
    upright = is_upright(flat_a.rotation) & is_upright(flat_b.rotation)
    intersection = np.empty(len(finite))
    for path, rows in (
        (intersection_axis_aligned, axis_aligned),
        (intersection_upright, upright & ~axis_aligned),
        (intersection_general, ~upright),
    ):
        rows = np.flatnonzero(rows)
        if rows.size:
            intersection[rows] = batched(path, flat_a.take(rows), flat_b.take(rows))
    iou = iou_from_intersection(intersection, flat_volume(flat_a), flat_volume(flat_b))
    return np.where(finite, iou, np.nan).reshape(shape)


def box3d_iou_exact(a: Boxes, b: Boxes) -> np.ndarray:
    """IoU through the general polytope path for every pair, whatever the orientation.

    Same inputs, output and edge cases as `box3d_iou`; slower. The intersection of two boxes is a convex
    polytope whose faces are each box's faces clipped by the other box's six planes; its volume follows from
    the divergence theorem. Exists to cross-check the fast paths and for callers who want one code path.
    """
    return _iou_with(intersection_general, None, "", a, b)


def box3d_iou_axis_aligned(a: Boxes, b: Boxes) -> np.ndarray:
    """IoU of axis-aligned boxes by interval overlap, as `box3d_iou` for boxes whose axes lie on world axes.

    A yaw that is a multiple of pi/2 (within 1e-14 on the rotation entries) counts as axis-aligned with dx and
    dy swapped for odd multiples. Raises ValueError when a finite box is rotated otherwise: the min/max of a
    rotated box's corners is not that box, and its IoU would be wrong (use `box3d_iou`).
    """
    return _iou_with(
        intersection_axis_aligned, is_axis_aligned, "box3d_iou_axis_aligned needs axis-aligned boxes", a, b
    )


def box3d_iou_yaw(a: Boxes, b: Boxes) -> np.ndarray:
    """IoU of boxes rotated about the up axis only: bird's-eye-view rectangle overlap times z-interval overlap.

    Exact for such boxes (the intersection is a prism over the clipped polygon). `OrientedBoxes` qualify when
    one local axis is exactly vertical. Raises ValueError when a finite box is tilted (use `box3d_iou`).
    """
    return _iou_with(intersection_upright, is_upright, "box3d_iou_yaw needs boxes rotated about z only", a, b)


def box3d_intersection_volume(a: Boxes, b: Boxes) -> np.ndarray:
    """Exact volume of the intersection of `a` and `b` (general path), float64 of the broadcast batch shape.

    0 for disjoint or touching boxes; NaN where a pair holds a NaN or inf.
    """
    flat_a, flat_b, shape, finite = flatten_pair(a, b)
    volume = np.clip(
        batched(intersection_general, flat_a, flat_b), 0.0, np.minimum(flat_volume(flat_a), flat_volume(flat_b))
    )
    return np.where(finite, volume, np.nan).reshape(shape)


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
