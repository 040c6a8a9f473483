"""The strict reading of a response: where its stated answer is, and what value it states, with the trace.

The strict protocol (`strict.py`) scores these readings. Each response goes through two stages. First the stated answer is located (`spar_bench.metrics.text`):
reasoning is cut, then an answer container (`<answer>`, `\\boxed{}`, GLM box tokens), else an answer phrase
(`Final answer:`, `The answer is`, `答案：`, a JSON `"answer"` field), else the first line or the whole
response. Then the value is read from that span by answer kind (`metrics.choice`, `metrics.numbers`,
`metrics.view_change`). Every reading keeps its trace: the characters it was read from and the rule that
fired. docs/scoring.md lists every rule with an example (written from `rule_examples.py`). Locating is in
`locating.py`; the value per answer kind in `reading_choice.py`, `reading_number.py` and `reading_motion.py`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spar_bench.metrics.choice import parse_options, question_stem
from spar_bench.metrics.numbers import measurements
from spar_bench.metrics.option_text import word_trigrams
from spar_bench.protocols.base import Reading
from spar_bench.protocols.locating import cut_before_answer
from spar_bench.protocols.number_context import asked_of
from spar_bench.protocols.reading_choice import read_choice_answer
from spar_bench.protocols.reading_motion import read_motion_answer
from spar_bench.protocols.reading_number import read_number_answer
from spar_bench.tasks_spec import AnswerKind

__all__ = ["Reading", "read_response"]


def read_response(kind: AnswerKind, response: str, question: str = "") -> Reading:
    """The strict reading of one response of a task of answer kind `kind` (see the module docstring)."""
    if kind is AnswerKind.CHOICE:
        return _unless_cut(response, read_choice_answer(response, _options(question), _trigrams(question)))
    if kind is AnswerKind.NUMBER:
        reading = read_number_answer(response, _question_values(question), asked_of(question))
        return _unless_cut(response, _in_json_unit(response, reading))
    return read_motion_answer(response)


def _unless_cut(response: str, reading: Reading) -> Reading:
    """The reading, unless the response was cut before its answer and the value comes from its reasoning, or
    the value is asked rather than stated (`2.2 m? The trash can looks small`, `B? Let me double-check`)."""
    if reading.value is None or reading.span is None or reading.rule is None:
        return reading
    if cut_before_answer(response, reading.span, reading.rule):
        return Reading(None, reason="cut off before its answer")
    if _asked(response, reading.span[1]):
        return Reading(None, reason="asks its answer rather than stating it")
    return reading


# What follows a value up to the `?` that makes it a question: its unit, the option text after a letter's own
# mark (`C. yellow point?`), never a new sentence (`B. Do you want an explanation?`).
_ASKED = re.compile(r"[).:]?(?: (?![A-Z])[^.!?\n]{0,40}?|[^.!?\n\s]{0,8}|)\s?[?\uff1f]")


def _asked(response: str, end: int) -> bool:
    return _ASKED.match(response, end) is not None


# What the question gives, cached: many responses share a question.
@lru_cache(maxsize=1 << 12)
def _options(question: str) -> tuple[tuple[str, str], ...]:
    return tuple(parse_options(question).items()) if question else ()


@lru_cache(maxsize=1 << 12)
def _trigrams(question: str) -> frozenset:
    # Only the stem: the options are written in the question too, and restating one is a claim.
    return word_trigrams(question_stem(question)) if question else frozenset()


@lru_cache(maxsize=1 << 12)
def _question_values(question: str) -> tuple[float, ...]:
    return tuple(m.value for m in measurements(question)) if question else ()


# `{"distance": 280, "unit": "cm"}`: a JSON answer may give its unit in a field of its own.
_JSON_UNIT = re.compile(r'"unit"\s?:\s?"\s?(?P<unit>[a-z]+)\s?"', re.IGNORECASE)
_UNIT_FACTORS = {"cm": 0.01, "mm": 0.001, "m": 1.0, "ft": 0.3048, "feet": 0.3048, "in": 0.0254, "inches": 0.0254}
_UNIT_FACTORS |= {"centimeters": 0.01, "millimeters": 0.001, "meters": 1.0, "meter": 1.0, "foot": 0.3048}


def _in_json_unit(response: str, reading: Reading) -> Reading:
    """The reading in meters when the value read is a bare number and a JSON `"unit"` field names its unit."""
    if not isinstance(reading.value, float) or reading.span is None or '"unit"' not in response:
        return reading
    unit = _JSON_UNIT.search(response)
    factor = _UNIT_FACTORS.get(unit["unit"].lower()) if unit else None
    if factor is None or not response[reading.span[0] : reading.span[1]].replace(".", "", 1).isdigit():
        return reading
    return Reading(reading.value * factor, reading.span, f"{reading.rule} (unit field)", reading.reason)
