"""Which numbers of a response can be its stated answer: not one that repeats a value of the question (an
echo), not an object's size or height, not one inside parentheses, not a bound (`less than 2 m`) or a rejected
value (`not 2 m`); the result of an arithmetic expression and an opening number are marked as such; and whether
the number chosen is one answer (`one_answer`: no hedge, no disagreeing restatement, no value per condition).
Pure functions over `metrics.numbers` measurements, for `reading`.
"""

from __future__ import annotations

import re

from spar_bench.metrics.numbers import Measurement

__all__ = [
    "CLAUSE_END",
    "ECHO_TOLERANCE",
    "HEDGE_WORDS",
    "clause_start",
    "is_bound",
    "is_echo",
    "is_negated",
    "is_result",
    "leads",
    "not_dimensions",
    "not_echoes",
    "one_answer",
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


_EQUALS_BEFORE = re.compile(r"[=~\u2248]\s?$")
# An operator between two numbers; squares and roots count (`√(1.8² + 1.2²)`).
_ARITHMETIC = re.compile(r"\d[\u00b2\u00b3)]?\s?[-+*/x\u00d7]\s?[(\u221a]?\.?\d")


def is_result(text: str, measurement: Measurement) -> bool:
    """True for the number after `=` (or `≈`) that ends an arithmetic expression (`2.5 - 0.3 = 2.2 m`,
    `√(1.8² + 1.2²) ≈ 2.2 m`)."""
    at = measurement.start
    if not _EQUALS_BEFORE.search(text, max(0, at - 3), at):
        return False
    equals = max(text.rfind(sign, max(0, at - 3), at) for sign in "=~\u2248")
    return bool(_ARITHMETIC.search(text, max(0, equals - 30), equals))


# `less than 2 m`, `more than 3 m`, `at least 1 m`, `超过3米`: a bound on the length, not a value of it. A hedged
# comparative (`just over 1 m`, `a bit less than 2 m`) approximates a value and is not a bound.
_BOUND_BEFORE = re.compile(
    r"(?:\b(?:less|more|greater|fewer|further|farther|closer|nearer|shorter|longer)\sthan|\bat\s(?:least|most)"
    r"|\b(?:under|over|beyond)|\u4e0d\u5230|\u8d85\u8fc7|\u81f3\u5c11|\u5c0f\u4e8e|\u5927\u4e8e|\u5c11\u4e8e|\u591a\u4e8e)"
    r"(?:\s(?:about|around|roughly|approximately))?\s?$",
    re.IGNORECASE,
)
_HEDGED_BOUND = re.compile(r"\b(?:just|slightly|a\sbit|a\slittle|somewhat|only)\s?$", re.IGNORECASE)


def is_bound(text: str, measurement: Measurement) -> bool:
    """True for a length stated as a bound (`less than 2 meters`), not as a value."""
    window = text[max(0, measurement.start - 40) : measurement.start]
    bound = _BOUND_BEFORE.search(window)
    return bound is not None and not _HEDGED_BOUND.search(window, 0, bound.start())


# `about 3 m, not 2 m`, `rather than 2 m`: a value the response rejects.
_NEGATED_BEFORE = re.compile(
    r"(?:\bnot|\bnor|\brather\sthan|\binstead\sof|\bisn't|\bwasn't)\s(?:about\s|around\s|roughly\s|at\s)?$",
    re.IGNORECASE,
)


def is_negated(text: str, measurement: Measurement) -> bool:
    """True for a value the response rejects (`about 3 m, not 2 m`)."""
    return bool(_NEGATED_BEFORE.search(text, max(0, measurement.start - 25), measurement.start))


# A length followed by one of these describes an object's size or the camera's height, not the answer.
_DIMENSION_AFTER = re.compile(
    r"\s(?:long|wide|tall|high|thick|across|in\s(?:length|width|height|diameter)|above\sthe\s(?:floor|ground)"
    r"|(?:above|below)\sthe\scamera(?:\slevel)?|(?:above|below)\s(?:the\s)?camera\slevel)\b",
    re.IGNORECASE,
)


def is_echo(measurement: Measurement, echoes: tuple[float, ...]) -> bool:
    """True when the number repeats one of `echoes` (values written in the question), within ECHO_TOLERANCE."""
    return any(abs(measurement.value - e) <= ECHO_TOLERANCE * max(1.0, abs(e)) for e in echoes)


def is_dimension(text: str, measurement: Measurement) -> bool:
    """True for a size or a height (`the bed is 2 m long`, `1.7 m below the camera`), not a depth or distance."""
    return bool(_DIMENSION_AFTER.match(text, measurement.end))


def not_dimensions(text: str, found: list[Measurement]) -> list[Measurement]:
    """`found` without sizes and heights (`the bed is 2 m long`), unless nothing else is left."""
    kept = [m for m in found if not is_dimension(text, m)]
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


# `1.5 m or 3 m`, `either 1.4 m or 1.8 m`, `3.0 m? Or maybe 2.5 m`, `2.0 m or at 2.6 m`, `1.7 m, or a bit less
# than 1 m`, `2.8米或3米`, `约为2.5米，也可能是3米`: two values offered, none stated.
_OR_BETWEEN = re.compile(
    r"\s?[,.?\u2014\u2013-]?\s?(?:or|or\s(?:perhaps|maybe|possibly|even)|maybe|perhaps)\s(?:at\s)?"
    r"(?:about\s|around\s|roughly\s)?(?:(?:a\sbit|slightly|a\slittle|just)\s)?(?:(?:less|more)\sthan\s)?"
    r"|,?\s?(?:\u6216\u8005?|\u4e5f\u53ef\u80fd\u662f?|\u4e5f\u8bb8\u662f?|\u6216\u8bb8\u662f?)"
    r"(?:\u7ea6\u4e3a?|\u5927\u7ea6\u662f?)?",
    re.IGNORECASE,
)
# `1.5 m, though 3 m is equally plausible`: a second value offered as just as likely.
_HEDGE_BETWEEN = re.compile(
    r"\b(?:or|though|although|maybe|perhaps|possibly|equally|could\salso|might\salso|might\sbe)\b", re.IGNORECASE
)
_HEDGE_AFTER = re.compile(
    r"\s?(?:m|meters?|metres?|cm)?\s(?:is|seems|looks)\s(?:equally|also|just\sas)\b", re.IGNORECASE
)
# `2.4 m, though it could easily be 3.5 m`, `2.5 m, but it might also be 3 m`: the second value is offered too.
_COULD_BE_BETWEEN = re.compile(
    r"[,;]?\s(?:though|although|but|or)\s(?:it|that|this|they)\s(?:could|might|may|can)\s(?:\w+\s)?be\s"
    r"(?:at\s)?(?:about\s|around\s|roughly\s|closer\sto\s|nearer\s|as\s(?:much|far|little)\sas\s)?",
    re.IGNORECASE,
)
_IF_AFTER = re.compile(r"\s\(?(?:if|when)\b", re.IGNORECASE)
# `If it's at the doorway, about 2.3 m; if it's higher up, closer to 3 m`: a clause that opens with a condition.
CLAUSE_END = re.compile(r"[.!?](?=\s|$)|[;\n]")
_IF_CLAUSE = re.compile(
    r"\s?(?:(?:and|but|or|otherwise|whereas|while|it\sdepends[^,;]{0,40}?),?\s)?"
    r"(?:(?:if|when|assuming)\b|\u5982\u679c|\u5047\u5982|\u5047\u8bbe|\u8981\u662f|\u82e5)",  # 如果 假如 假设 要是 若
    re.IGNORECASE,
)
# `2.4 m, i.e. about 90 cm`, `3.7 m (just over 1 meter)`, `1.7 m away (about 3 feet)`, `6 feet away, roughly 2.5
# meters`, `1.2 meters or 4 feet`: the same length said again, in other words.
_RESTATED_BETWEEN = re.compile(
    r"\s?(?:away|deep|far|from\sthe\scamera)?\s?[,(]?(?:\s?(?:i\.e\.,?|that\sis,?|which\sis|which's|that's|or|roughly"
    r"|about|approximately|around|~|just\s(?:over|under)|nearly|almost|close\sto|\u2248)){0,3}\s?",
    re.IGNORECASE,
)
# A restatement in another unit agrees within this share of the larger value (`6.5 feet (2 m)`); beyond it, the
# response states two lengths for one answer.
_RESTATED_AGREES = 0.15


def _restated(text: str, first: Measurement, second: Measurement) -> bool | None:
    """For two neighbouring lengths: True when the second says the first again in another unit and agrees
    (`6.5 feet (2 m)`), False when it is said as a restatement and disagrees (`0.7 m, i.e. about 150 cm`),
    None when the second is no restatement of the first."""
    if not second.has_unit or not _RESTATED_BETWEEN.fullmatch(text, first.end, second.start):
        return None
    gap = abs(first.value - second.value)
    if gap <= _RESTATED_AGREES * max(abs(first.value), abs(second.value)):
        return True if first.has_unit and first.unit != second.unit else None
    return False


# `around 5 m from the camera, maybe 4`, `1.7 m ..., or 2.2 m if measured to the top`: a second value offered
# after a comma (a restatement in another unit that agrees is no second value).
_OFFERED_TOO = re.compile(
    r"[,;]\s?(?:or\s(?:maybe\s|perhaps\s|possibly\s)?|maybe\s|perhaps\s|possibly\s)(?:about\s|around\s|even\s)?$",
    re.IGNORECASE,
)
# `maybe 1.4 m, maybe less`, `2 m or more`: a value offered with its own doubt.
_MORE_OR_LESS_AFTER = re.compile(
    r"\s?(?:m|meters?|metres?)?\s?,?\s(?:maybe|perhaps|possibly|or)\s(?:a\sbit\s|slightly\s|even\s)?(?:less|more)\b",
    re.IGNORECASE,
)
# `anywhere from 1.5 to 4 m`: the span of what is possible, not an estimate (`between 2 and 2.4 m` is one).
_ANYWHERE_BEFORE = re.compile(r"\banywhere\s(?:from|between|in)?\s?$", re.IGNORECASE)


def one_answer(text: str, found: list[Measurement], chosen: Measurement) -> Measurement | str:
    """The number chosen, or the reason the response states no answer: it hedges between it and another value,
    restates it as a length that disagrees (`0.7 m, i.e. about 150 cm`), or gives a value under each of two
    conditions. A length restated in another unit that agrees is one answer, read from its metric statement."""
    if _MORE_OR_LESS_AFTER.match(text, chosen.end):
        return f"offers {chosen.value:g} m and maybe less or more"
    if chosen.rule == "range midpoint" and _ANYWHERE_BEFORE.search(text, max(0, chosen.start - 30), chosen.start):
        return "offers a span of possible values, not a value"
    at = found.index(chosen)
    following = found[at + 1] if at + 1 < len(found) else None
    preceding = found[at - 1] if at > 0 else None
    for first, second in ((chosen, following), (preceding, chosen)):
        if first is None or second is None or abs(first.value - second.value) <= 1e-9 or is_result(text, second):
            continue  # (`2.3 + 0.9 ≈ 3.2 m` computes its answer: no restatement, no hedge)
        if _OFFERED_TOO.search(text, max(first.end, second.start - 30), second.start) and not _restated(
            text, first, second
        ):
            return f"hedges between two values ({first.value:g} and {second.value:g} m)"  # `5 m ..., maybe 4`
        restated = _restated(text, first, second)
        if restated:
            if chosen.imperial:  # `6.5 feet (2 m)`: the metric statement is read
                chosen = first if chosen is second else second
            continue
        between = text[first.end : second.start]
        before_first = text[max(0, first.start - 20) : first.start].lower().rstrip()
        either = before_first.endswith(("either", "either about", "either around", "either roughly"))
        hedged = (
            _OR_BETWEEN.fullmatch(between)
            or _COULD_BE_BETWEEN.fullmatch(between)
            or (either and " or " in f" {between.lower()} ")
            or (len(between) < 40 and _HEDGE_BETWEEN.search(between) and _HEDGE_AFTER.match(text, second.end))
        )
        if hedged:
            return f"hedges between two values ({first.value:g} and {second.value:g} m)"
        if restated is False:
            return f"contradicts itself: {first.value:g} m restated as {second.value:g} m"
    conditional = {round(m.value, 9) for m in found if _IF_AFTER.match(text, m.end) or _IF_AFTER.match(text, m.end + 1)}
    if len(conditional | _conditional_clauses(text, found)) > 1:  # `4.4 m if ...; if it's the other one, 2.5 m`
        return "states a different value under each condition"
    return chosen


def clause_start(text: str, at: int, floor: int) -> int:
    """Where the clause holding offset `at` begins: after the last clause end (`.`, `;`, a line break) between
    `floor` and `at`, else at `floor`."""
    start = floor
    for end in CLAUSE_END.finditer(text, floor, at):
        start = end.end()
    return start


def _conditional_clauses(text: str, found: list[Measurement]) -> set[float]:
    """The values that end clauses opening with a condition (`if ...`)."""
    by_clause: dict[int, float] = {}  # clause start -> the last value in it
    for m in found:
        start = clause_start(text, m.start, max(0, m.start - 160))
        if _IF_CLAUSE.match(text, start):
            by_clause[start] = m.value
    return {round(v, 9) for v in by_clause.values()}
