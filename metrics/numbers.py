"""Reading numbers out of model responses.

The released rule is a plain regex: unsigned decimals or integers, not preceded by `^`. It drops signs
(`-0.5` reads as 0.5), reads `10^3` as 10, and whether the first or the last match counts depends on the task.
"""

from __future__ import annotations

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
