"""Camera motion between two views, written as `move_right:0.4,move_up:0.0,move_forward:2.4,rotate_up:5,rotate_right:60`.

A motion is five signed components: right(-left), up(-down), forward(-backward) in meters, rotate right(-left)
and rotate up(-down) in degrees. The score is the mean MRA over the five components.
"""

from __future__ import annotations

import math
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


# Strict reading: `move right: 0.4`, `"Move_Right": "0.4 m"`, `**move_back**: 40 cm`, `rotate_left = 0.5 rad`,
# `rotate_down_rad: 0.035`, `| move_left | 0.5 |`, `Move_Backward - 0.8 m`, `turn right by 30°` all name a motion
# item. Every alternative starts at a word boundary.
_VALUE_UNIT = (
    r"(?P<value>[-+]?(?:\d+(?:\.\d+)?|\.\d+))\s?"
    r"(?P<unit>mm|millimet(?:er|re)s?|cm|centimet(?:er|re)s?|m|met(?:er|re)s?|ft|feet|foot|inch(?:es)?|\u00b0|deg(?:ree)?s?|"
    r"rad(?:ian)?s?|"
    r"\u5398\u7c73|\u7c73|\u5f27\u5ea6|\u5ea6)?(?![A-Za-z])"  # 厘米 米 弧度 (radians) 度
)
# A table row may put the direction in a column of its own (`| Translation | left | 0.5 m |`); `Move up/down: ~0`
# names both directions of one axis (read only when the value is 0: any other value has no sign); `~`, `about`
# before the value qualify it (`Rotate up: ~8°`, `move_forward about 2 m`).
_DIRECTIONS = r"right|left|up|down|upward|downward|forwards?|backwards?|back|ahead"
_STRICT_ITEM = re.compile(
    r"\b(?P<verb>move|moves|moving|moved|translate|translation|go|rotate|rotates|rotating|rotated|rotation|turn|turns"
    r"|pan|tilt|yaw|pitch)(?:[\s_-]|\s?\|\s?)?(?:to\s(?:the\s)?)?"
    rf"(?P<direction>{_DIRECTIONS})(?:wards?)?(?:/(?P<other>{_DIRECTIONS}))?"
    r"(?:_(?P<keyunit>rad|deg|degrees|cm|mm|m))?\b"
    r"[\"'\]]?\s?(?:[:=|]|->|=>|\u2192|[-\u2013\u2014](?=\s)|by|of|is)?\s?[\"']?"
    r"(?:(?:~|\u2248|about|around|roughly|approximately|approx\.)\s?)?" + _VALUE_UNIT,
    re.IGNORECASE,
)
# Nested JSON: `{"translation": {"right": 0.2, "up": -0.2}, "rotation": {"right": -32}}`; a group runs to the next
# group name or the end of its line (braces may already be gone: the answer region drops them).
_GROUP_NAMES = r"translation|translate|movement|move|position|displacement|rotation|rotate|orientation"
_GROUP = re.compile(
    rf"\b(?P<group>{_GROUP_NAMES})[\"']?\s?[:=]\s?\{{?(?P<body>[^\n]{{0,400}}?)(?=\b(?:{_GROUP_NAMES})\b|\n|$)",
    re.IGNORECASE,
)
_GROUP_ITEM = re.compile(
    r"\b(?P<direction>right|left|up|down|forwards?|backwards?|back|ahead)[\"']?\s?[:=]\s?[\"']?" + _VALUE_UNIT,
    re.IGNORECASE,
)
_DIRECTION_ALIASES = {
    "upward": "up",
    "downward": "down",
    "forwards": "forward",
    "backwards": "backward",
    "back": "backward",
    "ahead": "forward",
    "behind": "backward",
    "\u53f3": "right",
    "\u5de6": "left",
    "\u4e0a": "up",
    "\u4e0b": "down",
    "\u524d": "forward",
    "\u540e": "backward",
}
_ROTATION_VERBS = ("rotat", "turn", "pan", "tilt", "yaw", "pitch", "swivel", "\u65cb\u8f6c", "\u8f6c")
_LENGTH_UNITS = {
    "mm": 1e-3,
    "mi": 1e-3,
    "cm": 0.01,
    "ce": 0.01,
    "\u5398": 0.01,
    "ft": 0.3048,
    "fe": 0.3048,
    "fo": 0.3048,
    "in": 0.0254,
}
_ANGLE_UNITS = ("deg", "rad", "\u00b0", "\u5ea6", "\u5f27")
_RADIANS = ("rad", "\u5f27")


def _item(rotation: bool, direction: str, value: float, unit: str) -> tuple[str, float] | None:
    """(key, value) of one motion item in meters or degrees, or None when its unit contradicts its kind."""
    direction = _DIRECTION_ALIASES.get(direction.lower(), direction.lower())
    unit = unit.lower()
    if rotation:
        if direction in ("forward", "backward") or unit[:2] in _LENGTH_UNITS or unit in ("m", "meter", "meters"):
            return None
        return f"rotate_{direction}", math.degrees(value) if unit.startswith(_RADIANS) else value
    if unit.startswith(_ANGLE_UNITS):
        return None
    return f"move_{direction}", value * _LENGTH_UNITS.get(unit[:1] if unit[:1] == "\u5398" else unit[:2], 1.0)


# `0.52 rad (30°)`: radians restated in degrees, the unit asked for; the degrees are read when the two agree
# (within 10%), and when they do not, the component has two values.
_DEGREES_RESTATED = re.compile(
    r"\s?\(\s?(?:~\s?|about\s|approx\.?\s?)?(?P<degrees>\d+(?:\.\d+)?)\s?(?:\u00b0|deg(?:ree)?s?)\s?\)", re.IGNORECASE
)


def strict_motion_items(text: str) -> list[tuple[str, float, int, int]]:
    """The motion items of `text` as (key, value, start, end): keys `move_right` ... `rotate_up`, translations
    in meters (cm and mm converted), rotations in degrees (radians converted). Any case, spacing, order,
    JSON (flat or nested under `translation` / `rotation`), markdown lists and tables around them; `back` /
    `backwards` mean backward, `turn` / `pan` / `yaw` / `tilt` mean rotate. `rotate` with `forward` or
    `backward`, and `move` in degrees, are not motion items."""
    items = []
    for match in _STRICT_ITEM.finditer(text):
        rotation = match["verb"].lower().startswith(_ROTATION_VERBS)
        if match["other"] and float(match["value"]) != 0:
            continue
        unit = match["keyunit"] or match["unit"] or ""
        item = _item(rotation, match["direction"], float(match["value"]), unit)
        if item is not None:
            end = match.end()
            restated = _DEGREES_RESTATED.match(text, end) if unit.lower().startswith("rad") else None
            if restated and abs(float(restated["degrees"]) - item[1]) <= 0.1 * abs(item[1]):
                item, end = (item[0], float(restated["degrees"])), restated.end()
            elif restated:  # `0.2 rad (30°)`: the two disagree, two values for one component
                items.append((item[0], float(restated["degrees"]), restated.start(), restated.end()))
            items.append((*item, match.start(), end))
    for group in _GROUP.finditer(text):
        rotation = group["group"].lower().startswith(("rot", "orient"))
        for match in _GROUP_ITEM.finditer(group["body"]):
            item = _item(rotation, match["direction"], float(match["value"]), match["unit"] or "")
            if item is not None:
                offset = group.start("body")
                items.append((*item, offset + match.start(), offset + match.end()))
    return sorted(items, key=lambda item: item[2])


# Prose: `moves about 0.4 m to the right`, `pans left by about 30 degrees`, `backs up by 0.8 m`, `向右移动0.3米`.
# A line break ends a clause: in a list, one line's value is never the next line's direction.
_CLAUSE_BREAK = re.compile(r"[,;:\n\u2014]|\s\u2013\s|\.(?:\s|$)|\b(?:and|while|with|then|but)\b", re.IGNORECASE)
_PROSE_DIRECTION = re.compile(
    r"\b(?P<backs>back(?:s|ed|ing)?\sup|retreat\w*|revers\w*)\b|\b(?P<advances>advanc\w*|proceed\w*)\b"
    r"|\b(?P<rises>rises|rising|rose|ascend\w*|climb\w*)\b|\b(?P<drops>descend\w*|drops|dropping|sinks|sinking)\b|\b(?P<word>right|left|up|upward|down|downward|forwards?|backwards?|back|ahead"
    r"|behind)\b|(?P<cjk>[\u53f3\u5de6\u4e0a\u4e0b\u524d\u540e])",
    re.IGNORECASE,
)
_PROSE_VALUE = re.compile(
    r"(?<![A-Za-z0-9_.])(?:(?P<half>half\sa|a\shalf)\s(?=met)|" + _VALUE_UNIT.replace("(?![A-Za-z])", "") + r")"
    r"(?(half)(?P<halfunit>met(?:er|re)s?))(?![A-Za-z])",
    re.IGNORECASE,
)
_PROSE_ROTATION = re.compile(r"\b(?:turn|rotat|pan|yaw|tilt|tip|pitch|swivel)\w*|\u65cb\u8f6c|\u8f6c", re.IGNORECASE)


# `between 1 and 2 meters`, `1-2 m`: one value, the midpoint, written over the range (same length, so offsets hold).
_PROSE_RANGE = re.compile(
    r"\bbetween\s(?P<a>\d+(?:\.\d+)?)\s(?:and|to)\s(?P<b>\d+(?:\.\d+)?)"
    r"|(?<![\w.])(?P<c>\d+(?:\.\d+)?)\s?(?:-|\u2013|to)\s?(?P<d>\d+(?:\.\d+)?)(?=\s?[a-z\u00b0])",
    re.IGNORECASE,
)


def _midpoint(match: re.Match) -> str:
    low, high = (match["a"], match["b"]) if match["a"] else (match["c"], match["d"])
    middle = f"{(float(low) + float(high)) / 2:g}"
    return middle.ljust(len(match.group()))


def _direction(match: re.Match) -> str:
    """The direction a `_PROSE_DIRECTION` match names (`backs up` is backward, `rises` is up)."""
    if match["backs"]:
        return "backward"
    if match["advances"]:
        return "forward"
    if match["rises"]:
        return "up"
    if match["drops"]:
        return "down"
    return match["word"] or match["cjk"]


def prose_motion_items(text: str) -> list[tuple[str, float, int, int]]:
    """Motion items written as prose, one per clause that holds exactly one value and one direction: the
    unit (m, cm, degrees, radians) or else a turning verb (`turn`, `pan`, `tilt`, `yaw`) says whether it is
    a move or a rotation."""
    text = _PROSE_RANGE.sub(_midpoint, text)
    items = []
    start = 0
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text)] + [len(text)]
    for end in breaks:
        clause = text[start:end]
        values = list(_PROSE_VALUE.finditer(clause))
        directions = list(_PROSE_DIRECTION.finditer(clause))
        if len(values) == 1 and len(directions) >= 1:
            value_match = values[0]
            direction_match = directions[0]
            direction = _direction(direction_match)
            if value_match["half"]:
                value, unit = 0.5, "m"
            else:
                value, unit = float(value_match["value"]), value_match["unit"] or ""
            unit_says_rotation = unit.lower().startswith(_ANGLE_UNITS)
            unit_says_length = bool(unit) and not unit_says_rotation
            rotation = unit_says_rotation or (not unit_says_length and bool(_PROSE_ROTATION.search(clause)))
            item = _item(rotation, direction, value, unit)
            if item is not None:
                items.append(
                    (
                        *item,
                        start + min(value_match.start(), direction_match.start()),
                        start + max(value_match.end(), direction_match.end()),
                    )
                )
        start = end + 1
    return items


# What a clause of prose says about the camera. A sentence is about the camera when it names it (`the camera`,
# `it`, `we`, `the viewpoint`) or opens on a motion verb (`Moves back 2 m and to the right.`); within it, a clause
# states a motion when it holds a motion verb or noun (`turns`, `a slight right turn`, `forward motion`) or
# continues one with a bare direction (`... 2.7 m and to the right`). A clause about the picture (`shifted left in
# the image`, `appears`) states no camera motion.
_SENTENCE_BREAK = re.compile(r"[.!?](?:\s|$)|\n")
_CLAUSE_OR_SENTENCE_BREAK = re.compile(_CLAUSE_BREAK.pattern + r"|[!?](?:\s|$)", re.IGNORECASE)
_MOTION_WORD = re.compile(
    r"\b(?:mov\w*|shift\w*|translat\w*|turn\w*|rotat\w*|pans?|panning|panned|yaw\w*|tilt\w*|tips?|tipping|tipped"
    r"|pitch\w*|swivel\w*|steps?|stepping|stepped|slid\w*|goes|going|went|travel\w*|drift\w*|backs|backed|backing"
    r"|advanc\w*|retreat\w*|pull\w*|rises|rising|rose|climb\w*|drops?|dropping|dropped|descend\w*|sinks?|sinking"
    r"|dolly\w*|strafe\w*|motion|movement)\b|\u79fb|\u8f6c|\u65cb",
    re.IGNORECASE,
)
_CAMERA_SUBJECT = re.compile(r"\b(?:camera|viewpoint|observer|it|we|i)\b|\u76f8\u673a|\u955c\u5934", re.IGNORECASE)
_SCENE_WORD = re.compile(
    r"\b(?:image|frame|picture|photo|scene|view|shot|appears?|visible|seen|looks?|seems?)\b", re.IGNORECASE
)
# `since the window moved right`, `the bed shifts left`: a reason, or another thing that moves.
_REASON_WORD = re.compile(r"\b(?:since|because|as|given|judging|based|due)\b", re.IGNORECASE)
_OTHER_SUBJECT = re.compile(
    r"\b(?:the|this|that|its|their|every|each|all)\s(?!camera\b|viewpoint\b|observer\b|view\b)\w"
    r"|\b(?:objects?|things|everything|furniture)\b",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(
    r"\s{0,3}(?:(?:also|slightly|somewhat|a\sbit|a\slittle|then)\s)?(?:(?:to|towards?)\s(?:the\s)?)?"
    r"(?:right|left|up|upward|down|downward|forwards?|backwards?|back|ahead)\b",
    re.IGNORECASE,
)
# A clause that gives an axis as zero in words: `no vertical change`, `roughly level`, `height unchanged`, `不变`.
_ZERO_WORD = re.compile(
    r"\b(?:no|not|without|never|negligibl\w*|(?<!a\s)little|minimal\w*|zero|none|level|unchanged|same|constant"
    r"|barely|hardly|nor|neither|nothing|stationary|steady|fixed|stays?|remains?)\b|n't|\u4e0d|\u6ca1|\u65e0",
    re.IGNORECASE,
)


def camera_motion_clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of prose `text` that states a motion of the camera (see above)."""
    spans = []
    sentence_start, about_camera, stating = 0, False, False
    start = 0
    for match in [*_CLAUSE_OR_SENTENCE_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        clause = text[start:end]
        if start == sentence_start:
            about_camera = bool(_CAMERA_SUBJECT.search(clause) or _MOTION_WORD.match(clause.lstrip()))
            stating = False
        elif not about_camera and _CAMERA_SUBJECT.search(clause):
            about_camera = True
        verb = _MOTION_WORD.search(clause)
        own_verb = verb is not None and not _OTHER_SUBJECT.search(clause, 0, verb.start())
        stating = (
            about_camera
            and not _SCENE_WORD.search(clause)
            and not _REASON_WORD.search(clause)
            and (own_verb or (stating and verb is None and bool(_CONTINUATION.match(clause))))
        )
        if stating:
            spans.append((start, end))
        start = match.end() if match else len(text)
        if match is None or _SENTENCE_BREAK.match(text, match.start()):
            sentence_start = start
    return spans


def prose_directions_without_amount(text: str) -> list[tuple[str, int, int]]:
    """(key, start, end) of each direction prose `text` gives the camera with no amount and no word for zero:
    `moves backward 2.7 m and to the right` names move_right without saying how far."""
    text = _PROSE_RANGE.sub(_midpoint, text)
    found = []
    for start, end in camera_motion_clauses(text):
        clause = text[start:end]
        direction = _PROSE_DIRECTION.search(clause)
        if direction is None or _PROSE_VALUE.search(clause) or _ZERO_WORD.search(clause):
            continue
        item = _item(bool(_PROSE_ROTATION.search(clause)), _direction(direction), 0.0, "")
        if item is not None:
            found.append((item[0], start + direction.start(), start + direction.end()))
    return found
