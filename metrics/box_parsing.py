"""Reading a 3D box out of a model response: a JSON list or object, or the last bracketed group of seven (or
six) numbers in free text; `parse_box3d` returns it as a (7,) array or None.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np

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
