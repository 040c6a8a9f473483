"""Reading numbers out of model responses.

The released rule is a plain regex: unsigned decimals or integers, not preceded by `^`. It drops signs
(`-0.5` reads as 0.5), reads `10^3` as 10, and whether the first or the last match counts depends on the task.
"""

from __future__ import annotations

import math
import re

OFFICIAL_NUMBER_PATTERN = re.compile(r"(?<!\^)\d+\.\d+|(?<!\^)\d+")


def official_numbers(text: str) -> list[float]:
    """Every number the released regex finds in `text`, in order, as floats (never negative)."""
    return [float(match) for match in OFFICIAL_NUMBER_PATTERN.findall(text)]


def official_first_number(text: str) -> float | None:
    """The first number the released regex finds, or None when there is none."""
    match = OFFICIAL_NUMBER_PATTERN.search(text)
    return float(match.group()) if match else None


def official_last_number(text: str) -> float | None:
    """The last number the released regex finds, or None when there is none."""
    matches = OFFICIAL_NUMBER_PATTERN.findall(text)
    return float(matches[-1]) if matches else None


# Strict reading. A number: optional sign (not after a word character, so `1-2` is a range, not -2),
# digits with optional thousands groups (`,` + exactly three digits), an optional decimal part (`.` or `,`),
# optional exponent, and an optional unit. Not after `^` (`10^3` reads 10), as released.
_STRICT_NUMBER = re.compile(
    r"(?<![\w.^])(?P<sign>[-+\u2212]?)(?P<digits>\d+(?:,\d{3}(?!\d))*(?:[.,]\d+)?)(?:[eE](?P<exp>[-+]?\d{1,4}))?"
    r"(?:\s*(?P<unit>millimet(?:er|re)s?|mm|centimet(?:er|re)s?|cm|kilomet(?:er|re)s?|km|met(?:er|re)s?|m"
    r"|feet|foot|ft|inch(?:es)?)(?![A-Za-z]))?",
    re.IGNORECASE,
)
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
).split()
_WORD_NUMBER = re.compile(
    r"\b(?P<word>" + "|".join(_NUMBER_WORDS) + r")\b"
    r"(?:\s*(?P<unit>millimet(?:er|re)s?|mm|centimet(?:er|re)s?|cm|kilomet(?:er|re)s?|km|met(?:er|re)s?|m"
    r"|feet|foot|ft|inch(?:es)?)(?![A-Za-z]))?",
    re.IGNORECASE,
)
# meters per unit, keyed by the unit's first two letters (enough to tell them apart)
_UNIT_METERS = {"mm": 1e-3, "mi": 1e-3, "cm": 0.01, "ce": 0.01, "km": 1000.0, "ki": 1000.0, "m": 1.0,
                "me": 1.0, "fe": 0.3048, "fo": 0.3048, "ft": 0.3048, "in": 0.0254}


def _unit_factor(unit: str | None) -> float:
    if not unit:
        return 1.0
    unit = unit.lower()
    return _UNIT_METERS[unit if unit in ("m", "mm", "cm", "km", "ft") else unit[:2]]


def _to_float(digits: str, exponent: str | None) -> float:
    """`1,500.5` -> 1500.5, `1,500` -> 1500, `1,5` -> 1.5: a comma before exactly three final digits (or
    before a `.` decimal part) groups thousands; another final comma is a decimal comma."""
    if "," in digits:
        head, _, tail = digits.rpartition(",")
        if "." in digits or len(tail) == 3:
            digits = digits.replace(",", "")
        else:
            digits = head.replace(",", "") + "." + tail
    return float(f"{digits}e{exponent}" if exponent else digits)  # 1e999 -> inf, dropped by the caller


def strict_numbers(text: str) -> list[float]:
    """Every number in `text`, in meters, signs kept; number words (zero to twenty) only if no digits occur.

    Units mm, cm, m, km (and their spelled-out forms) and feet / inches convert to meters; a bare number
    is taken as meters. `inch` must be spelled out (`in` is a preposition). Non-finite values are dropped.
    """
    values = []
    for match in _STRICT_NUMBER.finditer(text):
        sign = -1.0 if match["sign"] in ("-", "\u2212") else 1.0
        value = _to_float(match["digits"], match["exp"])
        values.append(sign * value * _unit_factor(match["unit"]))
    if not values:
        for match in _WORD_NUMBER.finditer(text):
            values.append(float(_NUMBER_WORDS.index(match["word"].lower())) * _unit_factor(match["unit"]))
    return [v for v in values if math.isfinite(v)]
