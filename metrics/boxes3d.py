"""Boxes in 3D: `OrientedBoxes` (center, size, rotation, any orientation) and the `[x, y, z, dx, dy, dz, yaw]`
arrays every box function also accepts, with their corners and volumes.

The IoU functions (`iou3d`) take these boxes; the parser of model answers (`box_parsing`) gives the array form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

# How far from orthonormal a rotation may be (max |R^T R - I|) before it is rejected as not a rotation.
ORTHONORMAL_TOLERANCE = 1e-6

# Local corner signs: the bottom face (local -z) counterclockwise seen from +z, then the top face.
_CORNER_SIGNS = np.array(
    [[-1, -1, -1], [1, -1, -1], [1, 1, -1], [-1, 1, -1], [-1, -1, 1], [1, -1, 1], [1, 1, 1], [-1, 1, 1]],
    dtype=np.float64,
)


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


def as_oriented(boxes: Boxes) -> OrientedBoxes:
    return boxes if isinstance(boxes, OrientedBoxes) else OrientedBoxes.from_yaw(boxes)


def box_corners(boxes: Boxes) -> np.ndarray:
    """The 8 corners of each box, float64 of shape (..., 8, 3).

    Order in the box's local frame: the bottom face (local -z) counterclockwise seen from local +z starting
    at (-dx, -dy)/2, then the top face in the same order; corner k is `center + rotation @ (signs_k * size / 2)`.
    """
    oriented = as_oriented(boxes)
    shape = oriented.batch_shape
    center = np.broadcast_to(oriented.center, shape + (3,))
    rotation = np.broadcast_to(oriented.rotation, shape + (3, 3))
    local = _CORNER_SIGNS * (0.5 * np.broadcast_to(oriented.size, shape + (3,)))[..., None, :]
    with np.errstate(invalid="ignore"):  # an infinite size times a zero rotation entry: NaN, not a warning
        return center[..., None, :] + np.einsum("...ij,...kj->...ki", rotation, local)


def box_volume(boxes: Boxes) -> np.ndarray:
    """dx * dy * dz of each box, float64 of the batch shape (0 for a flat box; inf or NaN for an infinite size)."""
    oriented = as_oriented(boxes)
    with np.errstate(invalid="ignore"):  # inf * 0
        return np.broadcast_to(oriented.size, oriented.batch_shape + (3,)).prod(-1)
