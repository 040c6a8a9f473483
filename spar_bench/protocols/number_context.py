"""What a numeric question names, and which of those things a number of a response is stated for: the object
(an echo of the question's reference value said of the reference is no answer), the camera (a value labelled
for another camera is not the one asked), the quantity (distances from the camera do not answer a distance
between two objects). Pure functions over `metrics.numbers` measurements, for `reading`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spar_bench.metrics.numbers import Measurement
from spar_bench.protocols.number_filters import CLAUSE_END, clause_start, is_echo

__all__ = [
    "NO_QUESTION",
    "Asked",
    "asked_of",
    "echoes_only",
    "first_clause_answer",
    "for_camera",
    "wrong_quantity",
]


@dataclass(frozen=True)
class Asked:
    """What a numeric question names: the object whose value it gives (`With the vase (red point) having a
    depth of 1.9 meters`), the objects it asks about, each as (head noun, point colour), and the camera it asks
    about (1 for `the camera of the first image`), when it names one."""

    reference: tuple[str, str] | None = None
    asked: tuple[tuple[str, str], ...] = ()
    camera: int | None = None
    between: bool = False  # asks for the distance between two objects


NO_QUESTION = Asked()

_GIVEN_AFTER = re.compile(r"[^.;\n]{0,12}?\b(?:as\sgiven|given|from\sthe\squestion)\b", re.IGNORECASE)


@lru_cache(maxsize=1 << 12)
def _mentions(asked: Asked) -> tuple[tuple[re.Pattern, int], ...]:
    """(pattern, object index) for every way of naming an object of the question; index 0 is the reference."""
    objects = [asked.reference, *asked.asked] if asked.reference else [None, *asked.asked]
    out = []
    for index, named in enumerate(objects):
        if named is not None:
            noun, colour = named
            out.append((re.compile(rf"\b{re.escape(noun)}s?\b", re.IGNORECASE), index))
            out.append((re.compile(rf"\b{colour}[\s-]?point", re.IGNORECASE), index))
    return tuple(out)


def _named_with(text: str, measurement: Measurement, asked: Asked) -> int | None:
    """The object the number is stated for (0 for the reference, 1.. for the asked ones), or None: the one a
    parenthesis holding it follows (`the bookshelf (2.8 m)`), else the first one its sentence names before it
    (its subject: `With the lamp at 3.6 m, ...`); a name two objects share does not count."""
    start = clause_start(text, measurement.start, max(0, measurement.start - 160))
    mentions = _mentions(asked)
    named: list[tuple[int, int, int]] = []  # (start, end, object)
    for pattern, index in mentions:
        if sum(1 for p, _ in mentions if p.pattern == pattern.pattern) > 1:
            continue  # `cabinet` when both objects are cabinets
        named += [(match.start(), match.end(), index) for match in pattern.finditer(text, start, measurement.start)]
    if not named:
        return None
    last = max(named)
    if text[last[1] : measurement.start].strip() == "(":
        return last[2]
    return min(named)[2]


# `Same as the chair, 2.8 m`, `4.1 m as well`: an answer that equals the reference's value, said so.
_SAME_AS = re.compile(r"\b(?:same|as\swell|also|too|equal|equals|identical|likewise)\b", re.IGNORECASE)


def echoes_only(text: str, values: list[Measurement], echoes: tuple[float, ...], asked: Asked) -> bool:
    """True when every number repeats the question's value for its reference object and is said of that object
    (`The vase is at 1.9 meters, and the sofa is farther back`, `at 4.0 m as given`): no answer is stated. A
    number said of the asked object (`The towel is at 1.6 m`) is an answer, even when it equals the echo."""
    if not echoes or asked.reference is None or not all(is_echo(m, echoes) for m in values):
        return False
    if _SAME_AS.search(text, 0, 4000):
        return False
    return all(_GIVEN_AFTER.match(text, m.end) or _named_with(text, m, asked) == 0 for m in values)


_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_ORDINAL = r"(?P<ord>first|second|third|fourth|fifth|1st|2nd|3rd|4th)"
# A camera named: `camera 1`, `the first camera`, `the third image's frame`, `the camera frame of the first image`.
_CAMERA = re.compile(
    rf"\b(?:cam(?:era)?\s?#?(?P<digit>[1-5])\b|{_ORDINAL}\s(?:camera|image's\s(?:camera|frame)|view's\scamera)"
    r"|camera(?:\sframe)?\sof\s(?:the\s)?(?P<ord2>first|second|third|fourth|fifth)\s(?:image|view)"
    r"|image\s(?P<digit2>[1-5])'s\s(?:camera|frame))",
    re.IGNORECASE,
)
_QUESTION_CAMERA = re.compile(
    r"\b(?:from\sthe\scamera|in\sthe\scamera\sframe)\sof\sthe\s(first|second|third|fourth|fifth)\simage", re.IGNORECASE
)


_FOR_AFTER = re.compile(r"\s(?:away\s)?(?:from|in|for|relative\sto)\s", re.IGNORECASE)


def _camera_number(match: re.Match) -> int:
    digit = match["digit"] or match["digit2"]
    return int(digit) if digit else _ORDINALS[(match["ord"] or match["ord2"]).lower()]


def _camera_of(text: str, measurement: Measurement) -> int | None:
    """The camera the number is stated for: one named in its clause, before it or right after it
    (`from camera 2: 3.1 m`, `3.5 m from the second camera`, `3 m in the first image's frame`)."""
    start = clause_start(text, measurement.start, max(0, measurement.start - 120))
    named = list(_CAMERA.finditer(text, start, measurement.start))
    if named:
        return _camera_number(named[-1])
    stop = CLAUSE_END.search(text, measurement.end, measurement.end + 60)
    after = _CAMERA.search(text, measurement.end, stop.start() if stop else min(len(text), measurement.end + 60))
    if after is not None and _FOR_AFTER.match(text, measurement.end):
        return _camera_number(after)
    return None


def for_camera(text: str, candidates: list[Measurement], camera: int) -> Measurement | str | None:
    """The value labelled with the camera the question asks about, when values are labelled per camera
    (`from camera 1: 2.6 m; from camera 2: 3.1 m`); a reason when every labelled value is for another camera
    and none is for the asked one (`From the third camera ...` when the question asks for the second); else None."""
    labels = [(m, _camera_of(text, m)) for m in candidates]
    for_asked = [m for m, label in labels if label == camera]
    if for_asked:
        return for_asked[-1] if len(for_asked) < len(labels) else None
    others = [label for _, label in labels if label is not None]
    if others and len(others) == len(labels):
        return f"states the value for another camera (camera {others[-1]}), not the one asked"
    return None


# A later clause about another object (`; the bed itself is 2 m long and starts 1.7 m from the camera`) gives
# context: its subject is a different noun.
_CLAUSE_SUBJECT = re.compile(
    r"\s?(?:and\s|but\s|while\s|whereas\s)?(?:the|its|this|that|a)\s(?P<noun>[a-z]+)\b", re.IGNORECASE
)
_ANSWER_NOUNS = frozenset(
    ("distance", "depth", "answer", "result", "estimate", "total", "final", "value", "gap", "separation", "camera")
)


def first_clause_answer(text: str, candidates: list[Measurement], asked: Asked) -> Measurement | None:
    """The value of a first clause that names the asked object and states one value, when every later value
    sits in a clause whose subject is another object (`The pillow looks about 2.7 m away; the bed itself is
    roughly 2 m long and starts about 1.7 m from the camera`): the rest is context."""
    if len(asked.asked) != 1 or len(candidates) < 2:
        return None
    noun = asked.asked[0][0]
    first_end = CLAUSE_END.search(text, 0, candidates[1].start)
    if first_end is None or first_end.start() < candidates[0].end:
        return None
    if not re.search(rf"\b{re.escape(noun)}s?\b", text[: candidates[0].start], re.IGNORECASE):
        return None
    for m in candidates[1:]:
        subject = _CLAUSE_SUBJECT.match(text, clause_start(text, m.start, max(first_end.end(), m.start - 160)))
        if subject is None or subject["noun"].lower() in _ANSWER_NOUNS or subject["noun"].lower().rstrip("s") == noun:
            return None
    return candidates[0]


_OBJECT = re.compile(
    r"(?P<name>[A-Za-z][A-Za-z ]{0,40}?)\s\((?P<colour>red|blue|green|yellow|purple|orange)\spoint[^)]{0,30}\)",
    re.IGNORECASE,
)
_NOT_NOUNS = frozenset(("the", "of", "a", "an", "is", "with", "between", "and", "what", "how", "far", "depth"))


@lru_cache(maxsize=1 << 12)
def asked_of(question: str) -> Asked:
    """The objects and the camera a numeric question names (see `Asked`)."""
    if not question:
        return NO_QUESTION
    reference, others = None, []
    for match in _OBJECT.finditer(question):
        words = match["name"].split()
        noun = words[-1].lower()
        named = (noun, match["colour"].lower())
        if question.startswith(" having a depth of", match.end()) and reference is None:
            reference = named
        elif noun not in _NOT_NOUNS:
            others.append(named)
    camera = _QUESTION_CAMERA.search(question)
    between = bool(re.search(r"\bdistance\sbetween\b", question, re.IGNORECASE))
    return Asked(reference, tuple(others), _ORDINALS[camera.group(1).lower()] if camera else None, between)


# `The bookshelf is 3.1 m from the camera, and the sofa is 2.0 m from the camera`: distances to the camera.
_FROM_CAMERA = re.compile(
    r"\s(?:away\s)?from\s(?:the\s)?(?:camera|viewer|viewpoint)|\s(?:away\s)?from\scam(?:era)?\s?\d", re.IGNORECASE
)


# `The table is 2.7 m away.` (away from nothing named: from the camera); `the box to the camera is 3.8 m`,
# `Nightstand to camera: 2.5 m`.
_AWAY = re.compile(r"\saway\b(?!\s(?:from|to)\b)", re.IGNORECASE)
_TO_CAMERA_BEFORE = re.compile(
    r"\b(?:to|from)\s(?:the\s)?camera\s?(?:\d\s?)?(?:is|:|=|\u2248)?\s?(?:about\s|around\s|roughly\s|~)?$",
    re.IGNORECASE,
)


def _from_camera(text: str, m: Measurement) -> bool:
    return bool(
        _FROM_CAMERA.match(text, m.end)
        or _AWAY.match(text, m.end)
        or _TO_CAMERA_BEFORE.search(text, max(0, m.start - 30), m.start)
    )


def wrong_quantity(text: str, values: list[Measurement], asked: Asked) -> str | None:
    """A reason when the question asks for the distance between two objects and every value is stated as a
    distance from the camera: the response answers another quantity."""
    if asked.between and all(_from_camera(text, m) for m in values):
        return "states distances from the camera, not the distance between the two objects"
    return None
