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
    motion_vector,
    prose_motion_items,
    strict_motion_items,
)
from spar_bench.protocols.base import Parsed
from spar_bench.protocols.locating import Located, locate
from spar_bench.protocols.number_filters import (
    is_echo,
    is_result,
    leads,
    not_dimensions,
    not_echoes,
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
        return _read_choice(response, _options(question), _trigrams(question))
    if kind is AnswerKind.NUMBER:
        return _read_number(response, _question_values(question))
    return _read_motion(response)


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
def _read_number(response: str, echoes: tuple[float, ...]) -> Reading:
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
    if located.span is not None:
        start, end = located.span
        span_text = text[start:end]
        found = measurements(span_text)
        if found:
            return _checked_number(located, located.where, start, span_text, found, not_echoes(found, echoes)[0])
    found = measurements(text)
    if not found:
        return Reading(None, reason="no number in the stated answer")
    if echoes and _DECLINES.search(text) and all(is_echo(m, echoes) for m in found):
        return Reading(None, reason="declines to answer; the only numbers echo the question")
    results = outside_parentheses(text, [m for m in found if is_result(text, m)])
    if results:  # `2.5 - 0.3 = 2.2 m`: the result of the arithmetic is the answer
        return _checked_number(located, "equation result", 0, text, found, results[-1])
    candidates = outside_parentheses(text, not_dimensions(text, not_echoes(found, echoes)))
    if leads(text, candidates[0]):
        return _checked_number(located, "leading number", 0, text, found, candidates[0])
    return _checked_number(located, "last number", 0, text, found, candidates[-1])


# `1.5 m or 3 m`, `either 1.4 m or 1.8 m`: two values offered, none stated.
_OR_BETWEEN = re.compile(
    r"\s?[,\u2014\u2013-]?\s?(?:or|or\s(?:perhaps|maybe|possibly|even)|maybe|perhaps)\s(?:about\s|around\s|roughly\s)?",
    re.IGNORECASE,
)
# `1.5 m, though 3 m is equally plausible`: a second value offered as just as likely.
_HEDGE_BETWEEN = re.compile(
    r"\b(?:or|though|although|maybe|perhaps|possibly|equally|could\salso|might\salso|might\sbe)\b", re.IGNORECASE
)
_HEDGE_AFTER = re.compile(
    r"\s?(?:m|meters?|metres?|cm)?\s(?:is|seems|looks)\s(?:equally|also|just\sas)\b", re.IGNORECASE
)
_IF_AFTER = re.compile(r"\s(?:if|when)\b", re.IGNORECASE)
# `2.4 m, i.e. about 90 cm`, `3.7 m (just over 1 meter)`: the same length said again, in other words.
_RESTATED_BETWEEN = re.compile(
    r"\s?[,(]?(?:\s?(?:i\.e\.,?|that\sis,?|which\sis|which's|that's|or|roughly|about|approximately|around|~"
    r"|just\s(?:over|under)|nearly|almost|close\sto|\u2248)){0,3}\s?",
    re.IGNORECASE,
)
_DECLINES = re.compile(
    r"\b(?:can't|cannot|can\snot|unable\sto|impossible\sto|not\spossible\sto|no\sway\sto)\s(?:\w+\s)?"
    r"(?:determine|tell|estimate|judge|measure|know|say|infer|compute|calculate|work\sout|figure\sout|be\ssure)\b",
    re.IGNORECASE,
)


def _checked_number(
    located: Located, where: str, offset: int, text: str, found: list[Measurement], chosen: Measurement
) -> Reading:
    """The number chosen, unless the response hedges between it and another value, or restates it as a
    length that disagrees (`0.7 m, i.e. about 150 cm`): then it states no answer."""
    at = found.index(chosen)
    following = found[at + 1] if at + 1 < len(found) else None
    preceding = found[at - 1] if at > 0 else None
    for first, second in ((chosen, following), (preceding, chosen)):
        if first is None or second is None or abs(first.value - second.value) <= 1e-9:
            continue
        between = text[first.end : second.start]
        either = text[max(0, first.start - 12) : first.start].lower().rstrip().endswith(("either", "either about"))
        hedged = (
            _OR_BETWEEN.fullmatch(between)
            or (either and " or " in f" {between.lower()} ")
            or (len(between) < 40 and _HEDGE_BETWEEN.search(between) and _HEDGE_AFTER.match(text, second.end))
        )
        if hedged:
            return Reading(None, reason=f"hedges between two values ({first.value:g} and {second.value:g} m)")
        if (
            following is not None
            and second is following
            and second.has_unit
            and _RESTATED_BETWEEN.fullmatch(between)
            and abs(first.value - second.value) > 0.25 * max(abs(first.value), abs(second.value))
        ):
            return Reading(None, reason=f"contradicts itself: {first.value:g} m restated as {second.value:g} m")
    conditional = [m for m in found if _IF_AFTER.match(text, m.end) or _IF_AFTER.match(text, m.end + 1)]
    if len({round(m.value, 9) for m in conditional}) > 1:
        return Reading(None, reason="states a different value under each condition")
    return _number_trace(located, where, offset, chosen)


def _number_trace(located: Located, where: str, offset: int, measurement: Measurement) -> Reading:
    span = located.region.source_span(offset + measurement.start, offset + measurement.end)
    return Reading(measurement.value, span, f"{where}: {measurement.rule}")


_AXIS = {key: axis for axis, keys in enumerate(MOTION_AXES) for key in keys}
_EITHER_OR = re.compile(r"\beither\b[^\n]{0,80}?\bor\s(?:\w+[:=_ ]?){0,2}[-+]?\d", re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def _read_motion(response: str) -> Reading:
    if _PLAIN_MOTION.fullmatch(response):  # the requested form, `move_right:0.4,move_up:0.0,...`
        items = strict_motion_items(response)
        if len(items) == response.count(":") and len({key for key, _, _, _ in items}) == len(items):
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
    values: dict[str, float] = {}
    for key, value, _, _ in items:
        if key in values and abs(values[key] - value) > 1e-9:
            return Reading(None, reason=f"states two values for {key} ({values[key]:g} and {value:g})")
        values[key] = value
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
