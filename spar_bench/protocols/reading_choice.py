"""The strict reading of a multiple-choice response: which option letter it states, with its trace.

`reading.py` dispatches here; the stated answer is located by `locating.py`, and the letters, hedges and option
texts inside it are read by `spar_bench.metrics.choice`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spar_bench.metrics.choice import option_verdicts, read_choice
from spar_bench.metrics.option_text import (
    ChoiceReading,
    lists_every_option,
    opposes_option,
    option_by_meaning,
    option_text_match,
    without_echoes,
    without_letters,
)
from spar_bench.metrics.text import first_line
from spar_bench.protocols.base import Reading
from spar_bench.protocols.locating import Located, locate

# The shapes most responses take (`B`, `(b).`, `1.5`, `1.5 m`) are read by one match each; the result is what
_BARE_LETTER = re.compile(r"\s?[(\[]?([A-Ha-h])[)\].:]?\s?")
_ANSWER_LETTER = re.compile(r"(?:The answer is|Answer:) \(?([A-H])\)?\.?", re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def read_choice_answer(response: str, options: tuple[tuple[str, str], ...], echoes: frozenset = frozenset()) -> Reading:
    bare = _BARE_LETTER.fullmatch(response)
    if bare:
        letter = bare.group(1).upper()
        if not options or any(letter == option for option, _ in options):
            return Reading(letter, bare.span(1), "first line: lone letter")
        return Reading(None, reason=f"{letter} is not an option")
    lines = [line.strip() for line in response.strip().splitlines() if line.strip()]
    if len(lines) > 1 and all(_OPTION_LINE.fullmatch(line) for line in lines):
        return Reading(None, reason="lists several options without choosing one")  # `C. back-right\nD. right`
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


# A line that is only an option as the question writes it: `C. back-right`, `(D) right`.
_OPTION_LINE = re.compile(r"[(\[]?[A-H][.)\]]\s?[^\n]{1,60}")  # (`A: no` lines are verdicts)
# The text written right after a letter, up to the end of its sentence: `D. front-right`, `A (back-right)`.
_ATTACHED = re.compile(r"\s?[.:)\-\u2013\u2014]?\s?\(?([^()\n.;!?]{1,40}?)\)?\s?(?:[.;!?\n]|$)")


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
        attached = _ATTACHED.match(text, offset + reading.end)
        if attached and opposes_option(attached.group(1), reading.letter, options):
            # `Answer: D. front-right` when D is front-left: the text written with the letter says otherwise
            return Reading(None, reason=f"contradicts itself: letter {reading.letter} with an opposite direction")
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
