"""The strict reading of a response: where its stated answer is, and what value it states, with the trace.

The strict protocol (`strict.py`) scores these readings. Each response goes through two stages. First the stated answer is located (`spar_bench.metrics.text`):
reasoning is cut, then an answer container (`<answer>`, `\\boxed{}`, GLM box tokens), else an answer phrase
(`Final answer:`, `The answer is`, `答案：`, a JSON `"answer"` field), else the first line or the whole
response. Then the value is read from that span by answer kind (`metrics.choice`, `metrics.numbers`,
`metrics.view_change`). Every reading keeps its trace: the characters it was read from and the rule that
fired. docs/scoring.md lists every rule with an example (written from `rule_examples.py`). Locating is in
`locating.py`; the filters that pick the stated number among several are in `number_filters.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spar_bench.metrics.choice import (
    ChoiceReading,
    lists_every_option,
    option_by_meaning,
    option_text_match,
    option_verdicts,
    parse_options,
    question_stem,
    read_choice,
    without_echoes,
    without_letters,
    word_trigrams,
)
from spar_bench.metrics.numbers import Measurement, measurements
from spar_bench.metrics.text import first_line
from spar_bench.metrics.view_change import (
    MOTION_AXES,
    MOTION_NAMES,
    camera_motion_clauses,
    motion_vector,
    prose_directions_without_amount,
    prose_motion_items,
    strict_motion_items,
)
from spar_bench.protocols.base import Parsed
from spar_bench.protocols.locating import Located, cut_before_answer, final_bold_line, locate
from spar_bench.protocols.number_context import (
    NO_QUESTION,
    Asked,
    asked_of,
    echoes_only,
    first_clause_answer,
    for_camera,
    wrong_quantity,
)
from spar_bench.protocols.number_filters import (
    is_bound,
    is_echo,
    is_negated,
    is_result,
    leads,
    not_dimensions,
    not_echoes,
    one_answer,
    outside_parentheses,
)
from spar_bench.tasks_spec import AnswerKind

__all__ = ["Reading", "read_response"]


@dataclass(frozen=True)
class Reading:
    """What the strict protocol read from one response: the value, the response offsets it was read from,
    the rule (`<where>: <how>`, e.g. `answer phrase: leading letter`), or the reason nothing was read."""

    value: Parsed
    span: tuple[int, int] | None = None
    rule: str | None = None
    reason: str | None = None


def read_response(kind: AnswerKind, response: str, question: str = "") -> Reading:
    """The strict reading of one response of a task of answer kind `kind` (see the module docstring)."""
    if kind is AnswerKind.CHOICE:
        return _unless_cut(response, _read_choice(response, _options(question), _trigrams(question)))
    if kind is AnswerKind.NUMBER:
        return _unless_cut(response, _read_number(response, _question_values(question), asked_of(question)))
    return _read_motion(response)


def _unless_cut(response: str, reading: Reading) -> Reading:
    """The reading, unless the response was cut before its answer and the value comes from its reasoning."""
    if reading.value is None or reading.span is None or reading.rule is None:
        return reading
    if cut_before_answer(response, reading.span, reading.rule):
        return Reading(None, reason="cut off before its answer")
    return reading


# The shapes most responses take (`B`, `(b).`, `1.5`, `1.5 m`) are read by one match each; the result is what
# the full reading gives them (tests/test_strict_protocol.py checks that on the same shapes).
_BARE_LETTER = re.compile(r"\s?[(\[]?([A-Ha-h])[)\].:]?\s?")
_BARE_NUMBER = re.compile(r"\s?((?<![.\d])[-+]?\d+(?:\.\d+)?(?:\s?(?:m|meters?|metres?))?)\.?\s?")
_ANSWER_LETTER = re.compile(r"(?:The answer is|Answer:) \(?([A-H])\)?\.?", re.IGNORECASE)
_PLAIN_MOTION = re.compile(
    r"(?:(?:move|rotate)_[a-z]+:[-+]?\d+(?:\.\d+)?, ?)*(?:move|rotate)_[a-z]+:[-+]?\d+(?:\.\d+)?"
)


# Responses repeat a lot (`A`, `1.5`): readings are cached; every function cached here is pure.
@lru_cache(maxsize=1 << 16)
def _read_choice(response: str, options: tuple[tuple[str, str], ...], echoes: frozenset = frozenset()) -> Reading:
    bare = _BARE_LETTER.fullmatch(response)
    if bare:
        letter = bare.group(1).upper()
        if not options or any(letter == option for option, _ in options):
            return Reading(letter, bare.span(1), "first line: lone letter")
        return Reading(None, reason=f"{letter} is not an option")
    answer_letter = _ANSWER_LETTER.fullmatch(response)
    if answer_letter:
        letter = answer_letter.group(1).upper()
        if not options or any(letter == option for option, _ in options):
            return Reading(letter, answer_letter.span(1), "answer phrase: lone letter")
    located = locate(response)
    if isinstance(located, str):
        return Reading(None, reason=located)
    text, option_map = located.region.text, dict(options)
    if located.span is None and lists_every_option(text, option_map):
        return Reading(None, reason="lists every option without choosing one")
    if located.revised_at is not None:
        revised = read_choice(text[located.revised_at :], option_map, announced=False, last=True)
        if revised.letter is not None:
            at = located.revised_at + revised.start
            if _TENTATIVE_BEFORE.search(text, max(located.revised_at, at - 30), at):
                return Reading(None, reason=f"corrects itself only to a tentative {revised.letter}")
            return _checked_choice(
                located, "after a correction", located.revised_at, revised, option_map, echoes, floor=located.revised_at
            )
    if located.span is None:  # `A: no` on one line, `B: yes` on the next: the verdicts together are the answer
        verdicts = option_verdicts(text)
        if verdicts is not None:
            if verdicts.letter is None or (option_map and verdicts.letter not in option_map):
                return Reading(None, reason=verdicts.reason or f"{verdicts.letter} is not an option")
            return _checked_choice(located, "whole response", 0, verdicts, option_map, echoes)
    labelled = _labelled_extreme(text, located.span, echoes)
    if labelled is not None:
        start, end = labelled
        reading = read_choice(text[start:end], option_map, announced=True)
        if reading.letter is None:
            return Reading(None, reason=reading.reason)
        return _checked_choice(located, "labelled extreme", start, reading, option_map, echoes, floor=start)
    attempts: list[tuple[str, int, int, bool]] = []  # (rule, start, end, announced) in region.text offsets
    if located.span is not None:
        attempts.append((located.where, *located.span, True))
    else:
        attempts.append(("first line", *first_line(text), False))
        attempts.append(("whole response", 0, len(text), False))
    for where, start, end, announced in attempts:
        reading = read_choice(text[start:end], option_map, announced=announced)
        if reading.letter is not None:
            return _checked_choice(located, where, start, reading, option_map, echoes)
        if not reading.reason.startswith("no option"):
            break  # a hedge, a list of every option, a letter that is no option: final, not a reason to look on
    nothing_found = reading.reason.startswith("no option")  # `attempts` is never empty
    if located.span is not None and nothing_found:
        # `The answer is as follows.` then the answer on its own line, or an announced span with prose only.
        rest = text[located.span[1] :]
        later = read_choice(rest, option_map, announced=False)
        if later.letter is not None:
            return _checked_choice(located, "after answer phrase", located.span[1], later, option_map, echoes)
    if nothing_found and located.span is None:
        last_start = text.rstrip().rfind("\n") + 1
        restated = option_text_match(text[last_start:], option_map)
        if restated is not None:
            return _choice_trace(located, "last line", last_start, restated)
    return Reading(None, reason=reading.reason)


# `D? Hmm, actually it could be A.`: a correction to an option only offered as possible settles on nothing.
_TENTATIVE_BEFORE = re.compile(
    r"(?:\b(?:could|might|may)\s(?:also\s)?be|\b(?:maybe|perhaps|possibly))\s(?:(?:option|choice)\s)?\(?$",
    re.IGNORECASE,
)


def _checked_choice(
    located: Located,
    where: str,
    offset: int,
    reading: ChoiceReading,
    options: dict[str, str],
    echoes: frozenset,
    floor: int = 0,
) -> Reading:
    """The letter read, unless its own line restates the text of another option (`D. blue point (sofa)` when
    the sofa is option A, `so the answer is B` after naming option C's text): a response that contradicts
    itself states no answer. A claim starts no earlier than `floor`: the answer a correction replaced
    (`C. , above, farther, hmm, on second look ... so B.`) is not part of the corrected claim."""
    text = located.region.text
    start, end = _claim_span(text, offset + reading.start, floor)
    # an option read from its text or its spatial meaning already accounts for every option text it contains
    # (`behind me on the left` is back-left, and contains `left`)
    if options and reading.rule not in ("option text", "option meaning"):
        plain = without_echoes(without_letters(text[start:end]), echoes)
        restated = option_text_match(plain, options)
        if restated is not None and restated.letter != reading.letter:
            meant = option_by_meaning(plain, options)  # `behind me on the left, so A` contains `left` and means A
            if meant is None or meant.letter != reading.letter:
                return Reading(
                    None,
                    reason=f"contradicts itself: letter {reading.letter} with the text of option {restated.letter}",
                )
        # `The point is right of and above it, and closer. So the answer is D.`: a conclusion is drawn from the
        # sentence before it, and a description of another option there contradicts it
        if _CONCLUSION.match(text, start):
            stop = len(text[floor:start].rstrip(" \n.;!?")) + floor  # the end of the sentence concluded from
            before = max([floor, *(m.end() for m in _SENTENCE_END.finditer(text, max(floor, stop - 300), stop))])
            described = _described_option(text[before:stop], options, echoes)
            if described is not None and described != reading.letter:
                return Reading(
                    None, reason=f"contradicts itself: letter {reading.letter} concluded from option {described}"
                )
    return _choice_trace(located, where, offset, reading)


# The claim a letter belongs to is its sentence up to a reason (`because`, `since`, `;`): `D (right)`, `left, so B`,
# `C, located at [689, 672]`; what follows `because` explains, and may name other options.
_SENTENCE_END = re.compile(r"(?<![A-H])[.!?](?:\s|$)|\n|;")
_REASON = re.compile(r"\b(?:because|since|as|given|while|whereas|but)\b", re.IGNORECASE)


_CONCLUSION = re.compile(r"\s?(?:so|thus|therefore|hence)\b", re.IGNORECASE)


def _described_option(claim: str, options: dict[str, str], echoes: frozenset) -> str | None:
    """The option a claim's words describe, by spatial meaning (`behind me on the left` is back-left) else by
    option text; the question's own words and standalone letters are not description."""
    plain = without_echoes(without_letters(claim), echoes)
    described = option_by_meaning(plain, options) or option_text_match(plain, options)
    return None if described is None else described.letter


def _claim(text: str, at: int, floor: int = 0) -> str:
    start, end = _claim_span(text, at, floor)
    return text[start:end]


def _claim_span(text: str, at: int, floor: int = 0) -> tuple[int, int]:
    start = floor
    for match in _SENTENCE_END.finditer(text, max(floor, at - 300), at):
        start = match.end()
    end_match = _SENTENCE_END.search(text, at + 1, at + 300)
    end = end_match.start() if end_match else min(len(text), at + 300)
    reason = _REASON.search(text, at, end)
    if reason:
        end = reason.start()
    before = list(_REASON.finditer(text, start, at))
    if before:
        start = before[-1].end()
    return start, end


# `Farthest: purple point (D). Closest: blue point (A).`: both extremes labelled; the one the question asks for
# is the answer.
_EXTREME_LABEL = re.compile(
    r"\b(farthest|furthest|closest|nearest)(?:\s(?:point|object|one|option))?\s?[:=\-\u2014\u2013]", re.IGNORECASE
)
_EXTREME_SENSE = {"farthest": "far", "furthest": "far", "closest": "near", "nearest": "near"}


def _labelled_extreme(text: str, span: tuple[int, int] | None, echoes: frozenset) -> tuple[int, int] | None:
    """(start, end) of the text labelled with the extreme the question asks for, when the stated answer labels
    both (`Farthest: ... Closest: ...`); None otherwise. The question's stem is known by its word trigrams."""
    start, end = span or (0, len(text))
    labels = list(_EXTREME_LABEL.finditer(text, start, end))
    if len({_EXTREME_SENSE[m.group(1).lower()] for m in labels}) < 2:
        return None
    asked = {_EXTREME_SENSE[word] for trigram in echoes for word in trigram if word in _EXTREME_SENSE}
    if len(asked) != 1:
        return None
    sense = asked.pop()
    for at, label in enumerate(labels):
        if _EXTREME_SENSE[label.group(1).lower()] == sense:
            stop = labels[at + 1].start() if at + 1 < len(labels) else end
            return label.end(), stop
    return None


def _choice_trace(located: Located, where: str, offset: int, reading: ChoiceReading) -> Reading:
    span = located.region.source_span(offset + reading.start, offset + reading.end)
    return Reading(reading.letter, span, f"{where}: {reading.rule}")


@lru_cache(maxsize=1 << 16)
def _read_number(response: str, echoes: tuple[float, ...], asked: Asked = NO_QUESTION) -> Reading:
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
        if found:
            return _checked_number(located, "after a correction", after, text[after:], found, found[-1])
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
    if echoes and _DECLINES.search(text) and all(is_echo(m, echoes) for m in found):
        return Reading(None, reason="declines to answer; the only numbers echo the question")
    values = [m for m in found if not is_negated(text, m)] or found  # `about 3 m, not 2 m`
    values = [m for m in values if not is_bound(text, m)]  # `less than 2 meters` bounds the length
    if not values:
        return Reading(None, reason="states only a bound (`less than ...`, `more than ...`), not a value")
    if echoes_only(text, values, echoes, asked):
        return Reading(None, reason="only restates the value the question gives for its reference object")
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


_DECLINES = re.compile(
    r"\b(?:can't|cannot|can\snot|unable\sto|impossible\sto|not\spossible\sto|no\sway\sto)\s(?:\w+\s)?"
    r"(?:determine|tell|estimate|judge|measure|know|say|infer|compute|calculate|work\sout|figure\sout|be\ssure)\b",
    re.IGNORECASE,
)


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


_AXIS = {key: axis for axis, keys in enumerate(MOTION_AXES) for key in keys}
# `either move_forward:2 or move_forward:1`, `either 1.0 or 2.0`, and two whole motions offered (`either moves
# forward 1.8 m ..., or it only rotates left by 40°`: a value on each side of the `or`). `not ... either.` and
# `or so` are no alternatives.
_EITHER_OR = re.compile(
    r"\beither\b(?![.,;!?])(?:[^\n]{0,80}?\bor\s(?:\w+[:=_ ]?){0,2}[-+]?\d"
    r"|[^\n\d]{0,120}\d[^\n]{0,120}?\bor\s(?!so\b)[^\n\d]{0,120}\d)",
    re.IGNORECASE,
)
# The response stops inside an item (`...,rotate_up:0,rotate_`, `...,move_backw`, `..., "rotate_left":`): the
# answer is cut off, so the motion it states is incomplete. Matched against what follows the last item.
# `From the second image to the first image: move_right:...`: the motion stated is the reverse of the one asked.
_REVERSED = re.compile(
    r"\bfrom\s(?:the\s)?(?:second|2nd|latter|image\s?2|view\s?2)(?:\s(?:image|view|frame|one))?"
    r"\s(?:back\s)?to\s(?:the\s)?(?:first|1st|former|image\s?1|view\s?1)\b",
    re.IGNORECASE,
)
_KEY_MARK = re.compile(r"[_:=|\u2192\u2013\u2014]|->")
_CUT_ITEM = re.compile(
    r"\s?[,;|\n]\s?(?:[-*]\s|\d\.\s)?[\"']?"
    r"(?:m(?:o(?:v(?:e(?:[_ ]\w*)?)?)?)?|r(?:o(?:t(?:a(?:t(?:e(?:[_ ]\w*)?)?)?)?)?)?)"
    r"[\"']?(?:\s?[:=]\s?[\"']?[-+]?)?\s*",
    re.IGNORECASE,
)


@lru_cache(maxsize=1 << 16)
def _read_motion(response: str) -> Reading:
    if _PLAIN_MOTION.fullmatch(response):  # the requested form, `move_right:0.4,move_up:0.0,...`
        items = strict_motion_items(response)
        if len(items) == response.count(":") and len({_AXIS[key] for key, _, _, _ in items}) == len(items):
            vector = motion_vector({key: value for key, value, _, _ in items})
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
        items = strict_motion_items(text[start:end])
        strict = items
        how = "motion items"
        prose = prose_motion_items(text[start:end])
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
    if _REVERSED.search(text, max(start, start + items[0][2] - 120), start + items[0][2]):
        return Reading(None, reason="states the reverse motion (from the second image to the first)")
    if _CUT_ITEM.fullmatch(text, start + max(item[3] for item in items), end):
        return Reading(None, reason="cut off mid-answer: the last motion item is unfinished")
    values: dict[str, float] = {}
    signed: dict[int, tuple[str, float]] = {}  # axis: the first key stating it nonzero, and its signed value
    for key, value, _, _ in items:
        if key in values and abs(values[key] - value) > 1e-9:
            return Reading(None, reason=f"states two values for {key} ({values[key]:g} and {value:g})")
        values[key] = value
        # `move_left:0.8,move_right:0.3`: opposite keys of one axis, both nonzero and disagreeing, contradict
        # (`move_right:0,move_left:0.5` and `move_right:-0.5,move_left:0.5` do not).
        axis = _AXIS[key]
        component = value if key == MOTION_AXES[axis][0] else -value
        if abs(component) > 1e-9:
            first = signed.setdefault(axis, (key, component))
            if abs(first[1] - component) > 1e-9 and first[0] != key:
                return Reading(None, reason=f"contradicts itself: states both {first[0]} and {key}")
    window = text[start:end]
    # Items written as sentences (`moves backward 2.7 m`, `turns right by 30°`), not as keys (`move_right:`,
    # `Move right: 0.6 m`, `| move_left | 0.5 |`), are prose too.
    if how == "motion prose" or not any(_KEY_MARK.search(window, a, b) for _, _, a, b in strict):
        # `moves backward 2.7 m and to the right`: a component named with a direction and no amount (and no word
        # for zero) leaves the motion incomplete.
        covered = {_AXIS[key] for key in values}
        for key, _, _ in prose_directions_without_amount(window):
            if _AXIS[key] not in covered:
                return Reading(None, reason=f"names a direction without an amount ({key})")
    if how != "motion prose" and prose:
        # `The camera moves forward 2.5 m.` then `move_backward:2.5`: prose about the camera that states the
        # opposite direction of an item on the same axis contradicts it (a different amount does not).
        clauses = camera_motion_clauses(window)
        for key, value, at, until in prose:
            axis = _AXIS[key]
            component = value if key == MOTION_AXES[axis][0] else -value
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
