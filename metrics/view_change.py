"""Camera motion between two views, written as `move_right:0.4,move_up:0.0,move_forward:2.4,rotate_up:5,rotate_right:60`.

A motion is five signed components: right(-left), up(-down), forward(-backward) in meters, rotate right(-left)
and rotate up(-down) in degrees. The score is the mean MRA over the five components.
"""

from __future__ import annotations

import numpy as np

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


def official_view_change_score(predicted: np.ndarray, reference: np.ndarray) -> float:
    """The released score: MRA per component with the arguments swapped, averaged over the five.

    The relative error is therefore divided by the prediction (absolute where the prediction is 0).
    """
    return float(mean_relative_accuracy(reference, predicted).mean())
