"""The strict reading of a camera-motion response (`view_change_infer`): its five signed components, with its
trace.

`reading.py` dispatches here; motion items and prose are parsed by `spar_bench.metrics.view_change`.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from spar_bench.metrics.view_change import (
    MOTION_AXES,
    MOTION_NAMES,
    camera_motion_clauses,
    motion_vector,
    prose_directions_without_amount,
    prose_motion_items,
    strict_motion_items,
)
from spar_bench.protocols.base import Reading
from spar_bench.protocols.locating import DECLINES, locate

# The requested form, `move_right:0.4,move_up:0.0,...`, is read by one match (tests/test_strict_protocol.py
# checks it reads what the full reading reads).
_PLAIN_MOTION = re.compile(
    r"(?:(?:move|rotate)_[a-z]+:[-+]?\d+(?:\.\d+)?, ?)*(?:move|rotate)_[a-z]+:[-+]?\d+(?:\.\d+)?"
)


_AXIS = {key: axis for axis, keys in enumerate(MOTION_AXES) for key in keys}
# `either move_forward:2 or move_forward:1`, `either 1.0 or 2.0`, and two whole motions offered (`either moves
# forward 1.8 m ..., or it only rotates left by 40°`: a value on each side of the `or`). `not ... either.` and
# `or so` are no alternatives.
_EITHER_OR = re.compile(
    r"\beither\b(?![.,;!?])(?:[^\n]{0,80}?\bor\s(?:\w+[:=_ ]?){0,2}[-+]?\d"
    r"|[^\n\d]{0,120}\d[^\n]{0,120}?\bor\s(?!so\b)[^\n\d]{0,120}\d)",
    re.IGNORECASE,
)
# `From the second image to the first image: move_right:...`: the motion stated is the reverse of the one asked.
_REVERSED = re.compile(
    r"\bfrom\s(?:the\s)?(?:second|2nd|latter|image\s?2|view\s?2)(?:\s(?:image|view|frame|one))?"
    r"\s(?:back\s)?to\s(?:the\s)?(?:first|1st|former|image\s?1|view\s?1)\b",
    re.IGNORECASE,
)
# `moves forward at least 2 m`, `turns left by more than 30°`: a bound, not a value.
_BOUND = re.compile(
    r"\b(?:at\s(?:least|most)|(?:more|less|greater|fewer)\sthan|no\s(?:more|less)\sthan|up\sto)\s(?:about\s)?\d",
    re.IGNORECASE,
)
# `Is the first image the one with the door open? If so: move_left:0.8,...`: an answer under a condition.
_IF_SO = re.compile(r"\bif\s(?:so|yes|that's\sthe\scase|that\sis\sthe\scase)\b", re.IGNORECASE)
# `turns right by 5° or 10°`, `moves 0.3 or 0.4 m`: two values offered for one component.
_VALUE_OR_VALUE = re.compile(
    r"(?<![\w.])\d+(?:\.\d+)?\s?(?:\u00b0|deg\w*|rad\w*|cm\b|m\b|meters?\b)?,?\s(?:or|maybe|perhaps)\s"
    r"(?:about\s|maybe\s|perhaps\s)?\d+(?:\.\d+)?\s?(?:\u00b0|deg|rad|cm\b|m\b|meters?\b)",
    re.IGNORECASE,
)
_KEY_MARK = re.compile(r"[_:=|\u2192\u2013\u2014]|->")
# `... rotate_left:0.6 (rotations in radians)`: a note that gives the unit of the rotations written without one.
_RADIANS_NOTE = re.compile(
    r"\b(?:rotations?|angles?|rotation\svalues)\b[^.\n]{0,20}?\b(?:in|are|as)\s(?:radians?|rad)\b"
    r"|\(\s?(?:in\s)?radians?\s?\)",
    re.IGNORECASE,
)
_ANGLE_UNIT = re.compile(r"\u00b0|deg|rad", re.IGNORECASE)
# The response stops inside an item (`...,rotate_up:0,rotate_`, `...,move_backw`, `..., "rotate_left":`): the
# answer is cut off, so the motion it states is incomplete. Matched against what follows the last item.
_CUT_ITEM = re.compile(
    r"\s?[,;|\n]\s?(?:[-*]\s|\d\.\s)?[\"']?"
    r"(?:m(?:o(?:v(?:e(?:[_ ]\w*)?)?)?)?|r(?:o(?:t(?:a(?:t(?:e(?:[_ ]\w*)?)?)?)?)?)?)"
    r"[\"']?(?:\s?[:=]\s?[\"']?[-+]?)?\s*",
    re.IGNORECASE,
)


@lru_cache(maxsize=1 << 16)
def read_motion_answer(response: str) -> Reading:
    if _PLAIN_MOTION.fullmatch(response):  # the requested form, `move_right:0.4,move_up:0.0,...`
        items = strict_motion_items(response)
        if len(items) == response.count(":"):
            combined = _combined(items)
            if isinstance(combined, str):
                return Reading(None, reason=combined)
            vector = motion_vector(combined[0])
            return Reading(dict(zip(MOTION_NAMES, vector.tolist())), (0, len(response)), "whole response: motion items")
    located = locate(response)
    if isinstance(located, str):
        return Reading(None, reason=located)
    text = located.region.text
    windows = []  # (where, start): the text after a correction, the announced span, the whole region
    if located.revised_at is not None:
        windows.append(("after a correction", located.revised_at))
    if located.span is not None:
        windows.append((located.where, located.span[0]))
    windows.append(("whole response", 0))
    for where, start in windows:
        end = located.span[1] if where == located.where and located.span is not None else len(text)
        window = text[start:end]
        items, opposed = _keys_over_sentences(window, strict_motion_items(window))
        if opposed is not None:
            return Reading(None, reason=f"contradicts itself: the prose says {opposed[0]}, the items {opposed[1]}")
        strict = items
        how = "motion items"
        prose = prose_motion_items(window)
        if not items:
            items, how = prose, "motion prose"
        else:  # `moves 0.8 m to the right ... and turns right by 30`: prose fills the axes the items leave open
            covered = {_AXIS[key] for key, _, _, _ in items}
            extra = [item for item in prose if _AXIS[item[0]] not in covered]
            if extra:
                items, how = sorted(items + extra, key=lambda item: item[2]), "motion items and prose"
        if items:
            break
    else:
        return Reading(None, reason="no `move_*/rotate_*: value` item in the stated answer")
    if _EITHER_OR.search(text, start):
        return Reading(None, reason="hedges between two motions (`either ... or ...`)")
    # Items written as sentences (`moves backward 2.7 m`, `turns right by 30°`), not as keys (`move_right:`,
    # `Move right: 0.6 m`, `| move_left | 0.5 |`), are prose too.
    in_prose = how == "motion prose" or not any(_KEY_MARK.search(text, start + a, start + b) for _, _, a, b in strict)
    if in_prose and DECLINES.search(text, start, end):
        return Reading(None, reason="declines to give the motion")
    if in_prose and _BOUND.search(text, start, end):
        return Reading(None, reason="gives a bound on a component, not its value")
    if _IF_SO.search(text, max(0, start + items[0][2] - 40), start + items[0][2]):
        return Reading(None, reason="answers under a condition it does not settle (`If so: ...`)")
    if _VALUE_OR_VALUE.search(text, start, end):
        return Reading(None, reason="hedges between two values of one component (`5° or 10°`)")
    if _REVERSED.search(text, max(start, start + items[0][2] - 120), start + items[0][2]):
        return Reading(None, reason="states the reverse motion (from the second image to the first)")
    if _CUT_ITEM.fullmatch(text, start + max(item[3] for item in items), end):
        return Reading(None, reason="cut off mid-answer: the last motion item is unfinished")
    if _RADIANS_NOTE.search(text, start, end):
        items = [
            (key, math.degrees(value), a, b)
            if key.startswith("rotate_") and not _ANGLE_UNIT.search(window, a, b)
            else (key, value, a, b)
            for key, value, a, b in items
        ]
    combined = _combined(items)
    if isinstance(combined, str):
        return Reading(None, reason=combined)
    values, signed = combined
    directionless = prose_directions_without_amount(window)
    if in_prose:
        # `moves backward 2.7 m and to the right`: a component named with a direction and no amount (and no word
        # for zero) leaves the motion incomplete.
        covered = {_AXIS[key] for key in values}
        for key, _, _ in directionless:
            if _AXIS[key] not in covered:
                return Reading(None, reason=f"names a direction without an amount ({key})")
    if how != "motion prose":
        # `The camera moves forward 2.5 m.` then `move_backward:2.5`, `rotate_left:35 - the camera turns to the
        # right`: prose about the camera that states the opposite direction of an item on the same axis, with or
        # without an amount, contradicts it (a different amount does not).
        clauses = camera_motion_clauses(window)
        directions = [(key, 1.0, at, until) for key, at, until in directionless]
        for key, value, at, until in [*prose, *directions]:
            axis, component = _signed(key, value)
            if (
                axis in signed
                and component * signed[axis][1] < 0
                and not any(at < b and a < until for _, _, a, b in strict)  # not the text of an item
                and any(a <= at < b for a, b in clauses)
            ):
                return Reading(None, reason=f"contradicts itself: the prose says {key}, the items {signed[axis][0]}")
    vector = motion_vector(values)
    span = located.region.source_span(start + items[0][2], start + items[-1][3])
    return Reading(dict(zip(MOTION_NAMES, vector.tolist())), span, f"{where}: {how}")


def _signed(key: str, value: float) -> tuple[int, float]:
    axis = _AXIS[key]
    return axis, value if key == MOTION_AXES[axis][0] else -value


def _keys_over_sentences(window: str, items: list) -> tuple[list, tuple[str, str] | None]:
    """The items, less those written as sentences (`The camera moves forward about 2 m.`) on an axis that items
    written as keys (`move_forward:2.2`, `Move right: 0.6 m`) state: the keys are the answer, the sentence its
    summary. A summary in the opposite direction contradicts them: then (its key, the item's key) is returned."""
    keyed = [item for item in items if _KEY_MARK.search(window, item[2], item[3])]
    if not keyed or len(keyed) == len(items):
        return items, None
    stated: dict[int, tuple[str, float]] = {}
    for key, value, _, _ in keyed:
        axis, component = _signed(key, value)
        stated.setdefault(axis, (key, component))
    kept = []
    for item in items:
        axis, component = _signed(item[0], item[1])
        if item in keyed or axis not in stated:
            kept.append(item)
        elif component * stated[axis][1] < 0:
            return items, (item[0], stated[axis][0])
    return kept, None


def _combined(items: list) -> tuple[dict[str, float], dict[int, tuple[str, float]]] | str:
    """(the value of each key, and for each axis the first key stating it nonzero with its signed value), or why
    the items contradict each other: one key with two values, or opposite keys of one axis, both nonzero and
    disagreeing (`move_left:0.8,move_right:0.3`; `move_right:0,move_left:0.5` and `move_right:-0.5,move_left:0.5`
    agree)."""
    values: dict[str, float] = {}
    signed: dict[int, tuple[str, float]] = {}
    for key, value, _, _ in items:
        if key in values and abs(values[key] - value) > 1e-9:
            return f"states two values for {key} ({values[key]:g} and {value:g})"
        values[key] = value
        axis, component = _signed(key, value)
        if abs(component) > 1e-9:
            first = signed.setdefault(axis, (key, component))
            if abs(first[1] - component) > 1e-9 and first[0] != key:
                return f"contradicts itself: states both {first[0]} and {key}"
    return values, signed
