"""Multiple-choice questions as a text-only reader sees them (`BlindItem`: stem, options, answer), and what the
blind attacks read off the options: structural measures (place, size, isolation) and categorical keys.

The audit (`audit`) reads only `(task, question, answer)`: it works on generated sets and on any hub-schema
parquet.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

LETTERS = "ABCD"
_OPTION = re.compile(r"(?:^|(?<=\s))([A-D])\. (.*?)(?=\s[A-D]\. |$)")
_POINT = re.compile(r"^\[(\d+), (\d+)\]$")
_BOX = re.compile(r"^\[(\d+), (\d+), (\d+), (\d+)\]$")
_COLOUR_POINT = re.compile(r"^(\w+) point \((.+)\)$")
_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?")
# The eight compass words a direction option may hold, clockwise from front; the audit's own copy.
COMPASS = ("front", "front-right", "right", "back-right", "back", "back-left", "left", "front-left")


@dataclass(frozen=True)
class BlindItem:
    """One multiple-choice question as text: the stem (options removed), the option texts in letter order and
    the index of the correct one."""

    task: str
    stem: str
    options: tuple[str, ...]
    answer: int


def blind_item(task: str, question: str, answer: str) -> BlindItem | None:
    """The question split into stem and options; None when it holds no `A. ... D. ...` list or the answer is not
    one of its letters (a numeric or motion question)."""
    start = question.find(" A. ")
    if start < 0:
        return None
    found = {m.group(1): m.group(2).strip() for m in _OPTION.finditer(question[start + 1 :])}
    letters = [letter for letter in LETTERS if letter in found]
    if len(letters) < 2 or answer.strip() not in letters:
        return None
    return BlindItem(task, question[:start].strip(), tuple(found[k] for k in letters), letters.index(answer.strip()))


def blind_items(rows: Iterable[Mapping]) -> list[BlindItem]:
    """The multiple-choice rows of `rows` (mappings with `task`, `question`, `answer`) as BlindItems."""
    items = (blind_item(row["task"], row["question"], str(row["answer"])) for row in rows)
    return [item for item in items if item is not None]


def _angle(text: str) -> float | None:
    return COMPASS.index(text) * 45.0 if text in COMPASS else None


def _triple(text: str) -> tuple[str, ...] | None:
    parts = tuple(p.strip() for p in text.split(","))
    return parts if len(parts) == 3 else None


def _circular(a: float, b: float) -> float:
    d = abs(a - b) % 360
    return min(d, 360 - d)


@functools.lru_cache(maxsize=1 << 16)
def option_measures(options: tuple[str, ...]) -> tuple[dict[str, float], ...]:
    """Per option, the structural quantities the heuristics rank by (the same keys for every option of a
    question; which keys exist depends on what the options look like).

    Always: `length` (characters). Points `[x, y]`: `x`, `y`, `to_bottom_centre`, `to_centre`, `isolation`
    (mean distance to the other points). Boxes: `area`, `box_x`, `box_y`, `to_centre`, `isolation`. Directions:
    `isolation` (summed angle to the others). Relation triples: `empty_slots`, `isolation` (summed slot
    differences to the others). Anything else gets `length` only. Cached: treat the result as read-only.
    """
    measures: list[dict[str, float]] = [{"length": float(len(o))} for o in options]
    points = [_POINT.match(o) for o in options]
    boxes = [_BOX.match(o) for o in options]
    angles = [_angle(o) for o in options]
    triples = [_triple(o) for o in options]
    if all(points):
        xy = np.array([[float(m.group(1)), float(m.group(2))] for m in points if m])
        for m, (x, y) in zip(measures, xy):
            m.update(x=x, y=y, to_bottom_centre=math.hypot(x - 500, y - 1000), to_centre=math.hypot(x - 500, y - 500))
        _isolation(measures, xy)
    elif all(boxes):
        b = np.array([[float(v) for v in m.groups()] for m in boxes if m])
        centres = np.column_stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2])
        for m, box, (x, y) in zip(measures, b, centres):
            m.update(
                area=(box[2] - box[0]) * (box[3] - box[1]), box_x=x, box_y=y, to_centre=math.hypot(x - 500, y - 500)
            )
        _isolation(measures, centres)
    elif all(a is not None for a in angles):
        known = [a for a in angles if a is not None]
        for m, a in zip(measures, known):
            m["isolation"] = sum(_circular(a, b) for b in known)
    elif all(triples):
        slots = [t for t in triples if t]
        for m, t in zip(measures, slots):
            m["empty_slots"] = float(sum(s == "" for s in t))
            m["isolation"] = float(sum(sum(x != y for x, y in zip(t, u)) for u in slots))
    return tuple(measures)


def _isolation(measures: list[dict[str, float]], xy: np.ndarray) -> None:
    distances = np.linalg.norm(xy[:, None, :] - xy[None, :, :], axis=-1)
    for m, row in zip(measures, distances):
        m["isolation"] = float(row.sum() / max(len(xy) - 1, 1))


@functools.lru_cache(maxsize=1 << 16)
def option_keys(text: str) -> tuple[str, ...]:
    """Categorical descriptions of one option for the learned prior: its text (coordinates binned to a 4 x 4
    grid, so that positions generalise across questions) and its parts (relation slots, colour, category)."""
    point, box, colour_point, triple = _POINT.match(text), _BOX.match(text), _COLOUR_POINT.match(text), _triple(text)
    if point:
        x, y = int(point.group(1)), int(point.group(2))
        return (f"cell={min(x // 250, 3)},{min(y // 250, 3)}", f"row={min(y // 250, 3)}", f"col={min(x // 250, 3)}")
    if box:
        x0, y0, x1, y1 = (int(v) for v in box.groups())
        size = min(int(math.log2(max((x1 - x0) * (y1 - y0), 1) / 1000 + 1)), 9)
        return (f"cell={min((x0 + x1) // 500, 3)},{min((y0 + y1) // 500, 3)}", f"size={size}")
    if colour_point:
        return (f"colour={colour_point.group(1)}", f"category={colour_point.group(2)}")
    if triple:
        return (f"text={text}", *(f"slot{i}={s}" for i, s in enumerate(triple)))
    return (f"text={text}",)


@functools.lru_cache(maxsize=1 << 16)
def stem_tokens(stem: str) -> frozenset[str]:
    """Words and numbers of a stem, lower-cased, plus adjacent pairs (`to the left` gives `the left`)."""
    words = _TOKEN.findall(stem.lower())
    return frozenset(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}
