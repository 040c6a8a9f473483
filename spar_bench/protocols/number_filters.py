"""Which numbers of a response can be its stated answer: not one that repeats a value of the question (an
echo), not an object's size or height, not one inside parentheses; the result of an arithmetic expression and
an opening number are marked as such. Pure functions over `metrics.numbers` measurements, for `reading`.
"""

from __future__ import annotations

import re

from spar_bench.metrics.numbers import Measurement

__all__ = [
    "ECHO_TOLERANCE",
    "HEDGE_WORDS",
    "is_echo",
    "is_result",
    "leads",
    "not_dimensions",
    "not_echoes",
    "outside_parentheses",
]

# A number that only repeats a value written in the question is an echo when the response states another.
ECHO_TOLERANCE = 1e-9
# Words that may stand before a leading number without making it prose (`about 1.5 m`, `~2 m`).
HEDGE_WORDS = (
    "about",
    "approximately",
    "approx",
    "approx.",
    "around",
    "roughly",
    "~",
    "est.",
    "estimated",
    "nearly",
    "almost",
    "circa",
    "ca.",
    "\u7ea6",
    "\u5927\u7ea6",
)


_EQUALS_BEFORE = re.compile(r"=\s?$")
_ARITHMETIC = re.compile(r"\d\s?[-+*/x\u00d7]\s?\.?\d")


def is_result(text: str, measurement: Measurement) -> bool:
    """True for the number after `=` that ends an arithmetic expression (`2.5 - 0.3 = 2.2 m`)."""
    at = measurement.start
    if not _EQUALS_BEFORE.search(text, max(0, at - 3), at):
        return False
    equals = text.rfind("=", max(0, at - 3), at)
    return bool(_ARITHMETIC.search(text, max(0, equals - 30), equals))


# A length followed by one of these describes an object's size or the camera's height, not the answer.
_DIMENSION_AFTER = re.compile(
    r"\s(?:long|wide|tall|high|thick|across|in\s(?:length|width|height|diameter)|above\sthe\s(?:floor|ground))\b",
    re.IGNORECASE,
)


def is_echo(measurement: Measurement, echoes: tuple[float, ...]) -> bool:
    """True when the number repeats one of `echoes` (values written in the question), within ECHO_TOLERANCE."""
    return any(abs(measurement.value - e) <= ECHO_TOLERANCE * max(1.0, abs(e)) for e in echoes)


def not_dimensions(text: str, found: list[Measurement]) -> list[Measurement]:
    """`found` without sizes and heights (`the bed is 2 m long`), unless nothing else is left."""
    kept = [m for m in found if not _DIMENSION_AFTER.match(text, m.end)]
    return kept or found


def not_echoes(found: list[Measurement], echoes: tuple[float, ...]) -> list[Measurement]:
    """`found` without the numbers that repeat a value of the question, unless nothing else is left."""
    kept = [m for m in found if not is_echo(m, echoes)]
    return kept or found


def outside_parentheses(text: str, found: list[Measurement]) -> list[Measurement]:
    """`found` without the numbers inside parentheses (`1.1 m (the red object is at 3.5 m)`), unless nothing
    else is left."""
    if len(found) < 2 or "(" not in text:
        return found
    depth_at: dict[int, int] = {}
    depth, positions = 0, iter(sorted(m.start for m in found))
    target = next(positions, None)
    for i, char in enumerate(text):
        while target is not None and target == i:
            depth_at[i] = depth
            target = next(positions, None)
        if target is None:
            break
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
    kept = [m for m in found if depth_at.get(m.start, 0) == 0]
    return kept or found


def leads(text: str, measurement: Measurement) -> bool:
    """True when the response opens with this number (`1.4 m. The camera is ...`, `About 2 m, since ...`)."""
    before = text[: measurement.start].strip().lower().rstrip(":")
    return not before or before in HEDGE_WORDS
