"""The strict reading of a numeric response: the length in meters it states, with its trace.

`reading.py` dispatches here; `number_filters.py` picks the stated number among several and `number_context.py`
says which object, camera and quantity a number is stated for.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spar_bench.metrics.numbers import Measurement, measurements
from spar_bench.protocols.base import Reading
from spar_bench.protocols.locating import DECLINES, Located, final_bold_line, locate
from spar_bench.protocols.number_context import (
    NO_QUESTION,
    Asked,
    echoes_only,
    first_clause_answer,
    for_camera,
    wrong_quantity,
)
from spar_bench.protocols.number_filters import (
    is_bound,
    is_dimension,
    is_echo,
    is_negated,
    is_result,
    leads,
    not_dimensions,
    not_echoes,
    one_answer,
    outside_parentheses,
)

# The shapes most responses take (`B`, `(b).`, `1.5`, `1.5 m`) are read by one match each; the result is what
_BARE_NUMBER = re.compile(r"\s?((?<![.\d])[-+]?\d+(?:\.\d+)?(?:\s?(?:m|meters?|metres?))?)\.?\s?")


@lru_cache(maxsize=1 << 16)
def read_number_answer(response: str, echoes: tuple[float, ...], asked: Asked = NO_QUESTION) -> Reading:
    bare = _BARE_NUMBER.fullmatch(response)
    if bare:
        number = bare.group(1)
        value = float(number.rstrip("metrs ") if number[-1:] in "mesr" else number)
        return Reading(value, bare.span(1), "leading number: number")
    located = locate(response)
    if isinstance(located, str):
        return Reading(None, reason=located)
    text = located.region.text
    if located.revised_at is not None:
        after = located.revised_at
        found = measurements(text[after:])
        kept = [m for m in found if not is_negated(text[after:], m)]  # `... more like 4 m, not 2.7`
        if kept:
            return _checked_number(located, "after a correction", after, text[after:], found, kept[-1])
    bold = final_bold_line(located, response)
    if bold is not None and located.revised_at is None and (located.span is None or located.span[0] < bold[0]):
        # `**Distance ≈ 3.5 m**` closing a list of estimates: the bold last line states the answer
        found = measurements(text[bold[0] : bold[1]])
        if found:
            line = text[bold[0] : bold[1]]
            values = [m for m in found if not is_bound(line, m) and not is_negated(line, m)] or found
            results = [m for m in values if is_result(line, m)]
            chosen = results[-1] if results else not_echoes(values, echoes)[0]
            return _checked_number(located, "final bold line", bold[0], line, found, chosen)
    if located.span is not None:
        start, end = located.span
        span_text = text[start:end]
        found = measurements(span_text)
        if found:
            values = [m for m in found if not is_negated(span_text, m)] or found
            values = [m for m in values if not is_bound(span_text, m)]
            if not values:
                return Reading(None, reason="states only a bound (`less than ...`, `more than ...`), not a value")
            if echoes_only(span_text, values, echoes, asked):
                return Reading(None, reason="only restates the value the question gives for its reference object")
            wrong = wrong_quantity(span_text, values, asked)
            if wrong is not None:
                return Reading(None, reason=wrong)
            results = [m for m in values if is_result(span_text, m)]  # `√(1.8² + 1.2²) ≈ 2.2 m`: the result
            chosen = results[-1] if results else not_echoes(values, echoes)[0]
            labelled = for_camera(span_text, values, asked.camera) if asked.camera is not None else None
            if isinstance(labelled, str):
                return Reading(None, reason=labelled)
            chosen = labelled or chosen
            return _checked_number(located, located.where, start, span_text, found, chosen)
    found = measurements(text)
    if not found:
        return Reading(None, reason="no number in the stated answer")
    if echoes and DECLINES.search(text) and all(is_echo(m, echoes) for m in found):
        return Reading(None, reason="declines to answer; the only numbers echo the question")
    values = [m for m in found if not is_negated(text, m)] or found  # `about 3 m, not 2 m`
    values = [m for m in values if not is_bound(text, m)]  # `less than 2 meters` bounds the length
    if not values:
        return Reading(None, reason="states only a bound (`less than ...`, `more than ...`), not a value")
    if echoes_only(text, values, echoes, asked):
        return Reading(None, reason="only restates the value the question gives for its reference object")
    if all(is_dimension(text, m) for m in values):  # `The cabinet is 2.2 meters tall.`
        return Reading(None, reason="states only sizes or heights, not the length asked")
    wrong = wrong_quantity(text, values, asked)
    if wrong is not None:
        return Reading(None, reason=wrong)
    results = outside_parentheses(text, [m for m in values if is_result(text, m)])
    if results:  # `2.5 - 0.3 = 2.2 m`: the result of the arithmetic is the answer
        return _checked_number(located, "equation result", 0, text, found, results[-1])
    candidates = outside_parentheses(text, not_dimensions(text, not_echoes(values, echoes)))
    if asked.camera is not None:
        labelled = for_camera(text, candidates, asked.camera)
        if isinstance(labelled, str):
            return Reading(None, reason=labelled)
        if labelled is not None:
            return _checked_number(located, "value for the asked camera", 0, text, found, labelled)
    if leads(text, candidates[0]):
        return _checked_number(located, "leading number", 0, text, found, candidates[0])
    first = first_clause_answer(text, candidates, asked)
    if first is not None:
        return _checked_number(located, "first clause", 0, text, found, first)
    return _checked_number(located, "last number", 0, text, found, candidates[-1])


def _checked_number(
    located: Located, where: str, offset: int, text: str, found: list[Measurement], chosen: Measurement
) -> Reading:
    """The number chosen, unless the response states no single answer around it (see `one_answer`)."""
    checked = one_answer(text, found, chosen)
    if isinstance(checked, str):
        return Reading(None, reason=checked)
    return _number_trace(located, where, offset, checked)


def _number_trace(located: Located, where: str, offset: int, measurement: Measurement) -> Reading:
    span = located.region.source_span(offset + measurement.start, offset + measurement.end)
    return Reading(measurement.value, span, f"{where}: {measurement.rule}")
