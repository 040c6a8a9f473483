"""Point and box markers, as the benchmark draws them: placed in a 0-1000 normalized frame, only on pixels
where the referenced object is visible (read from the object-id buffer), and drawn into the RGB image.

A point goes to the visible pixel of the object farthest from the object's visible outline (and from points
already placed), so the whole dot sits on the object whenever the object shows enough of itself; an object is
marked only when it shows at least MIN_DOTS_VISIBLE dot areas, so that a dot never hides most of a small object.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from spar_bench.synth.render import Rendering

MARKER_RGB: dict[str, tuple[int, int, int]] = {
    "red": (235, 20, 20),
    "blue": (20, 60, 245),
    "green": (10, 200, 40),
    "yellow": (255, 225, 0),
    "purple": (170, 30, 215),
}
POINT_RADIUS_640 = 20  # pixels at 640 wide; scaled with the image width
MIN_DOTS_VISIBLE = 3.0  # an object must show this many dot areas: the dot covers at most a third of it


@dataclass(frozen=True)
class Marker:
    """A coloured point (`box` None) or box on object `object_id` in image `image` of a question.

    `point` is (x, y) and `box` (x0, y0, x1, y1), integers in the 0-1000 normalized frame of that image.
    """

    colour: str
    object_id: int
    image: int
    point: tuple[int, int] | None = None
    box: tuple[int, int, int, int] | None = None

    def to_json(self) -> dict:
        return {
            "colour": self.colour,
            "object_id": self.object_id,
            "image": self.image,
            "point": self.point,
            "box": self.box,
        }

    @classmethod
    def from_json(cls, data: dict) -> Marker:
        point = tuple(data["point"]) if data.get("point") is not None else None
        box = tuple(data["box"]) if data.get("box") is not None else None
        return cls(data["colour"], data["object_id"], data["image"], point, box)


def point_radius(width: int) -> int:
    return max(3, round(POINT_RADIUS_640 * width / 640))


def to_pixel(normalized: tuple[int, int], width: int, height: int) -> tuple[int, int]:
    """The pixel (column, row) of a 0-1000 normalized point: x / 1000 * W, clipped into the image."""
    x = min(int(normalized[0] * width / 1000), width - 1)
    y = min(int(normalized[1] * height / 1000), height - 1)
    return x, y


def to_normalized(column: float, row: float, width: int, height: int) -> tuple[int, int]:
    """The 0-1000 normalized coordinates (integers) of a pixel center."""
    return round((column + 0.5) * 1000 / width), round((row + 0.5) * 1000 / height)


def place_point(
    rendering: Rendering,
    object_id: int,
    taken: Sequence[tuple[int, int]] = (),
    min_clearance: float = 0.6,
    bounds: tuple[slice, slice] | None = None,
) -> tuple[int, int] | None:
    """The normalized point where a marker for `object_id` goes, or None when the object is not visible enough.

    The point is the visible pixel deepest inside the object's visible region (Euclidean distance to the
    nearest pixel of anything else), excluding pixels within 2.5 radii of `taken` points (pixels). None when
    the object shows fewer than MIN_DOTS_VISIBLE dot areas, the best clearance is below `min_clearance` radii or
    the normalized point maps back to another object.
    `bounds` (row and column slices holding the object's visible pixels) saves searching the whole image.
    """
    height, width = rendering.ids.shape
    radius = point_radius(width)
    if bounds is None:
        rows, cols = np.nonzero(rendering.ids == object_id)
        if rows.size == 0:
            return None
        bounds = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
    r0, r1, c0, c1 = bounds[0].start, bounds[0].stop, bounds[1].start, bounds[1].stop
    padded = np.pad(rendering.ids[r0:r1, c0:c1] == object_id, 1)  # the image border counts as the outline
    if padded.sum() < MIN_DOTS_VISIBLE * math.pi * radius**2:
        return None
    clearance = ndimage.distance_transform_edt(padded)[1:-1, 1:-1]
    if taken:
        yy, xx = np.mgrid[r0:r1, c0:c1]
        for tx, ty in taken:
            clearance[(xx - tx) ** 2 + (yy - ty) ** 2 < (2.5 * radius) ** 2] = 0
    best = int(np.argmax(clearance))
    if clearance.flat[best] < min_clearance * radius:
        return None
    row, col = divmod(best, c1 - c0)
    normalized = to_normalized(col + c0, row + r0, width, height)
    x, y = to_pixel(normalized, width, height)
    return normalized if rendering.ids[y, x] == object_id else None


def visible_box(rendering: Rendering, object_id: int) -> tuple[int, int, int, int] | None:
    """The normalized box (x0, y0, x1, y1) around the visible pixels of `object_id`; None when it is hidden."""
    height, width = rendering.ids.shape
    rows, cols = np.nonzero(rendering.ids == object_id)
    if rows.size == 0:
        return None
    x0, y0 = to_normalized(cols.min() - 0.5, rows.min() - 0.5, width, height)
    x1, y1 = to_normalized(cols.max() + 0.5, rows.max() + 0.5, width, height)
    return x0, y0, x1, y1


def draw_markers(rgb: np.ndarray, markers: list[Marker]) -> Image.Image:
    """A copy of `rgb` with the markers drawn: boxes as 3 px outlines, points as filled dots with a white rim."""
    image = Image.fromarray(rgb)
    height, width = rgb.shape[:2]
    draw = ImageDraw.Draw(image)
    line = max(2, round(3 * width / 640))
    for marker in markers:
        if marker.box is not None:
            x0, y0 = marker.box[0] * width / 1000, marker.box[1] * height / 1000
            x1, y1 = marker.box[2] * width / 1000, marker.box[3] * height / 1000
            draw.rectangle([x0, y0, x1 - 1, y1 - 1], outline=MARKER_RGB[marker.colour], width=line)
    radius = point_radius(width)
    for marker in markers:
        if marker.point is not None:
            x, y = to_pixel(marker.point, width, height)
            draw.ellipse(
                [x - radius, y - radius, x + radius, y + radius],
                fill=MARKER_RGB[marker.colour],
                outline=(255, 255, 255),
                width=max(1, radius // 8),
            )
    return image
