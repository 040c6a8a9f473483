"""Camera motion between two views, written as `move_right:0.4,move_up:0.0,move_forward:2.4,rotate_up:5,rotate_right:60`.

A motion is five signed components: right(-left), up(-down), forward(-backward) in meters, rotate right(-left)
and rotate up(-down) in degrees. The score is the mean MRA over the five components.
"""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import ArrayLike

from spar_bench.metrics.mra import mean_relative_accuracy

# Each signed component is (positive key) - (negative key); order: right, up, forward, rotate_right, rotate_up.
MOTION_AXES: tuple[tuple[str, str], ...] = (
    ("move_right", "move_left"),
    ("move_up", "move_down"),
    ("move_forward", "move_backward"),
    ("rotate_right", "rotate_left"),
    ("rotate_up", "rotate_down"),
)
MOTION_KEYS: frozenset[str] = frozenset(key for axis in MOTION_AXES for key in axis)
# A component is named after its positive key: {"move_right": -0.5, ...} means 0.5 m to the left.
MOTION_NAMES: tuple[str, ...] = tuple(positive for positive, _ in MOTION_AXES)


def motion_vector(items: dict[str, float]) -> np.ndarray:
    """The five signed components of a `{key: value}` motion; absent keys count 0, unknown keys are ignored."""
    return np.array([items.get(pos, 0.0) - items.get(neg, 0.0) for pos, neg in MOTION_AXES])


def official_motion_vector(text: str) -> np.ndarray | None:
    """The released parse: split on `,` then `:` with no whitespace stripping.

    Returns the five signed components (float64); a key it does not know is ignored and a missing
    component is 0. Returns None when any item is malformed (not exactly one `:` or a value that is not a
    float), which the released code scores 0 as a whole. So `move_left:0.5, move_up:1` reads the second key
    as ` move_up` (unknown) and `I think move_left:0.5` reads nothing.
    """
    items: dict[str, float] = {}
    for item in text.split(","):
        parts = item.split(":")
        if len(parts) != 2:
            return None
        key, value = parts
        try:
            items[key] = float(value)
        except ValueError:
            return None
    return motion_vector(items)


def view_change_scores(
    predicted: ArrayLike, reference: ArrayLike, *, relative_to: str = "reference", tolerance: float = 0.0
) -> np.ndarray:
    """Per motion, the mean over its five components of MRA; inputs (n, 5) or (5,), output (n,) or ().

    `relative_to="reference"` divides each component's error by the ground truth (absolute error where it
    is 0). `relative_to="prediction"` is the released rule: MRA called with the arguments swapped, so the
    error is divided by the prediction. `tolerance` widens the MRA bounds (see mean_relative_accuracy).
    """
    if relative_to == "reference":
        return mean_relative_accuracy(predicted, reference, tolerance=tolerance).mean(axis=-1)
    if relative_to == "prediction":
        return mean_relative_accuracy(reference, predicted, tolerance=tolerance).mean(axis=-1)
    raise ValueError(f"relative_to must be 'reference' or 'prediction', not {relative_to!r}")


# Strict reading: `move right: 0.4`, `Move_Right=0.4`, `move_back:1` all name a motion item.
_STRICT_ITEM = re.compile(
    r"\b(move|rotate)[\s_-]*(right|left|up|down|forwards?|backwards?|back)\s*[:=]?\s*([-+]?\d+(?:\.\d+)?)",
    re.IGNORECASE,
)


def strict_motion_vector(text: str) -> np.ndarray | None:
    """The five signed components read tolerantly: any case, spaces, `=` or `:`, any order, any surrounding
    text, `back`/`backwards` for backward, `forwards` for forward; the last value of a repeated key wins.

    Returns None when no `key:value` item is recognizable.
    """
    items: dict[str, float] = {}
    for verb, direction, value in _STRICT_ITEM.findall(text):
        direction = direction.lower().rstrip("s")
        direction = "backward" if direction == "back" else direction
        items[f"{verb.lower()}_{direction}"] = float(value)
    return motion_vector(items) if items else None
