"""Matching a multiple-choice response against the answer letter: letters, hedges, verdicts and `read_choice`.

Which option a restated option text or spatial description names is `option_text.py`."""

from __future__ import annotations

import re

from spar_bench.metrics.option_text import (
    LETTER_RUN,
    ChoiceReading,
    lists_every_option,
    negated,
    restated_option,
)


def official_choice_match(prediction: str, answer: str) -> float:
    """The released rule: 1.0 or 0.0 after lower-casing both strings.

    Credit is given when the prediction equals the answer, when it is a substring of the answer (so an
    empty prediction scores 1.0), or when its first character equals the answer (so `Answer: B` scores 1.0
    against `A`, and `because ...` against `B`). `(B)` scores 0.0 against `B`. The caller strips whitespace.
    """
    prediction, answer = prediction.lower(), answer.lower()
    if prediction == answer or prediction in answer:
        return 1.0
    return 1.0 if prediction[:1] == answer else 0.0


_OPTION_PATTERN = re.compile(r"(?:^|(?<=\s))([A-H])\.\s")


def parse_options(question: str) -> dict[str, str]:
    """The options written in a question (`... A. left, above B. right, below`) as {letter: text}.

    Options are the last run of markers `A.`, `B.`, ... in alphabetical order, each at the start or after
    whitespace; an option's text runs to the next marker. Returns {} when the question lists none.
    """
    markers = list(_OPTION_PATTERN.finditer(question))
    starts = [i for i, m in enumerate(markers) if m.group(1) == "A"]
    if not starts:
        return {}
    run = [markers[starts[-1]]]
    for marker in markers[starts[-1] + 1 :]:
        if ord(marker.group(1)) == ord(run[-1].group(1)) + 1:
            run.append(marker)
    ends = [m.start() for m in run[1:]] + [len(question)]
    return {m.group(1): question[m.end() : end].strip() for m, end in zip(run, ends)}


def question_stem(question: str) -> str:
    """The question without its options (everything before the option run `parse_options` reads)."""
    starts = [m.start() for m in _OPTION_PATTERN.finditer(question) if m.group(1) == "A"]
    return question[: starts[-1]] if starts else question


def option_letters(question: str) -> tuple[str, ...]:
    """Letters of the options written in a question, in order (see parse_options); () when there are none."""
    return tuple(parse_options(question))


# ---- strict reading ----------------------------------------------------------------------------------------


_PUNCTUATION = " \t\n.:;,!?()[]{}'\"<>-=~"
# A capital letter at the start of an answer is the option when punctuation, the end, or one of these words
# follows it (`C because ...`, `B is correct`); otherwise it is the article (`A chair is closer`).
_CONNECTORS = frozenset(
    [
        "is",
        "because",
        "since",
        "as",
        "would",
        "seems",
        "seem",
        "looks",
        "appears",
        "matches",
        "corresponds",
        "should",
        "must",
        "being",
        "fits",
        "it",
        "which",
        "that",
        "for",
        "best",
        "correct",
        "option",
        "here",
        "was",
        "-",
        "--",
        "(",
        "[",
        "=",
        "—",
        "–",
    ]
)
_LEADING = re.compile(r"[\s\"'(\[]{0,3}(?:(?i:option|choice)\s?)?([A-Ha-h])(?![A-Za-z0-9])")
# Letters named anywhere: `option C`, `(C)`, `[C]`, `选项C`, `C is correct`, `C)` / `C.` at a line start.
_NAMED = re.compile(
    r"\b(?i:option|choice|letter|answer|it's|it\sis|probably|likely|so|thus|therefore|hence|pick|choose)\s?\(?([A-H])\)?"
    r"(?![A-Za-z0-9])"
    r"|\(([A-H])\)|\[([A-H])\]|\u9009(?:\u9879|\u62e9)?\s?([A-H])(?![A-Za-z0-9])"
    r"|\b([A-H])\s(?:is|seems|appears|looks)\s(?:to\sbe\s)?(?:the\s)?(?:correct|right|best|most\slikely|answer)\b"
    r"|(?:^|(?<=\n))([A-H])[.):](?=\s|$)"
    # a capital standing alone before the end of a sentence or line: `... so B.`, `The farthest is C.`, `in D`
    r"|(?<![A-Za-z0-9'\-])([A-H])(?=[.!?;:)\]]?(?:\s?\n|\s?$)|(?:\.\.\.|\u2026|[.!?;:,)\]])(?:\s|$))"
    # the same with its emphasis folded to spaces: `... which matches **C**.`
    r"|(?<![A-Za-z0-9'\-])([A-H])(?=\s{1,2}(?:[.!?;:,)\]](?:\s|$)|\n|$))"
)
_HEDGE = re.compile(
    r"(?<![A-Za-z0-9])([A-H])\)?\s?(?:or|/|\u6216)\s?(?:(?i:option)\s)?\(?([A-H])(?![A-Za-z0-9])"
    # `可能是A，也可能是C`, `B还是C`: also may be, or
    r"|(?<![A-Za-z0-9])([A-H])[,\uff0c]?\s?(?:\u4e5f\u53ef\u80fd\u662f?|\u8fd8\u662f|\u6216\u8005\u662f?)\s?([A-H])(?![A-Za-z0-9])"
    r"|\b(?i:either|between)\s(?:(?i:option)\s)?\(?([A-H])\)?\s(?:or|and)\s(?:(?i:option)\s)?\(?([A-H])(?![A-Za-z0-9])"
    # two lettered options joined by `or`: `D. purple point or A. blue point`
    r"|(?<![A-Za-z0-9])([A-H])[.)]\s[^.;!?\n]{1,40}?\sor\s(?:(?i:option)\s)?\(?([A-H])[.)](?=\s|$)"
)
# A second option offered as also possible: `D, though A is also plausible`, `C, but D could also be correct`,
# `B, or perhaps C`. The option read is then one of two, not the answer.
_ALSO = re.compile(
    r"(?<![A-Za-z0-9])(?:(?i:option|choice)\s)?\(?([A-H])\)?\s(?:is|seems|looks|could|might|may)\s"
    r"(?:also|equally|just\sas)\s(?:be\s)?(?:(?:quite|very|a|an)\s)?"
    r"(?:plausible|possible|correct|right|likely|valid|viable|reasonable|fits?|candidate|option|possibility|answer)\b"
    r"|\b(?:or|but)\s(?:possibly|maybe|perhaps)\s(?:(?i:option)\s)?\(?([A-H])(?![A-Za-z0-9])"
    # `B... although it could also be D`, `but that might equally be C`
    r"|\b(?i:it|that|this|the\sanswer)\s(?i:could|might|may)\s(?i:also|equally|just\sas\swell|well)\s(?i:be)\s"
    r"(?:(?i:option)\s)?\(?([A-H])(?![A-Za-z0-9])"
)
# An option stated under a condition: `A if the point is higher, C otherwise`. Two letters so conditioned
# state a different answer under each condition.
_CONDITIONAL = re.compile(
    r"(?<![A-Za-z0-9])\(?([A-H])\)?,?\s(?:if|when|unless|otherwise)\b"
    r"|\b(?:otherwise|else)\s?,?\s(?:it's\s|it\sis\s|(?i:option)\s)?\(?([A-H])(?![A-Za-z0-9])"
)
# A verdict per option: `A: No. B: No. C: No. D: Yes.` states the option marked yes.
_VERDICT = re.compile(
    r"(?<![A-Za-z0-9])\(?([A-H])\)?\s?[:.=\-\u2014\u2013]\s?(?i:(yes|no|correct|incorrect|true|false|wrong))\b"
)
_YES = frozenset({"yes", "correct", "true"})
# An option rejected: `D. right, above, closer is wrong`, `B is incorrect`: no claim of that option.
_REJECTED_AFTER = re.compile(
    r"[).:]?(?:\s[^.;!?\nA-H]{0,40}?)?\s(?:is|seems|looks|would\sbe)\s(?:clearly\s|definitely\s|obviously\s)?"
    r"(?:wrong|incorrect|not\s(?:correct|right|it|the\s(?:answer|one)))\b"
)
_REASON_WORD = re.compile(r"\b(?:because|since|as|given|while|whereas|but|so|and)\b", re.IGNORECASE)
_EXCLUDED_BEFORE = re.compile(
    r"(?:\bnot|n't|\bnever|\brule\sout|\bruled\sout|\beliminate|\bexclude)\b[^.]{0,12}$", re.IGNORECASE
)
_NO_OPTION = re.compile(
    r"\b(?:none\sof\s(?:the\s)?(?:above|options|choices|them|these)|neither|no\scorrect\s(?:option|answer)"
    r"|(?:cannot|can't|can\snot|unable\sto)\s(?:be\s)?(?:determine|tell|decide|answer|say)[a-z]*)\b"
    r"|\u65e0\u6cd5|\u90fd\u4e0d|\u4e0d\u786e\u5b9a",
    re.IGNORECASE,
)


def read_choice(text: str, options: dict[str, str], *, announced: bool, last: bool = False) -> ChoiceReading:
    """The option `text` states, read the way a grader reads it; `announced` says `text` followed an answer
    phrase or sat in an answer container (`Answer: ...`, `\\boxed{...}`), so its first letter is the answer.

    In order: a hedge between two letters (`A or C`) or a list of every option reads nothing; a lone letter
    (`B`, `(b).`); a leading capital letter followed by punctuation, the end or a connecting word (`C because`,
    `B is correct`; `A chair` is the article); letters named as `option C`, `(C)`, `选项C`, `C is correct`
    (in announced text the first one, with `last` the last one, elsewhere they must agree); text saying no
    option applies reads nothing; the restated text of exactly one option. A letter must be one of `options`
    (any of A-H when the question lists none).
    """
    allowed = set(options) if options else set("ABCDEFGH")
    stripped = text.strip(_PUNCTUATION)
    if not stripped:
        return ChoiceReading(None, reason="empty answer")
    for hedge in _HEDGE.finditer(text):
        if _EXCLUDED_BEFORE.search(text, max(0, hedge.start() - 16), hedge.start()):
            continue  # `it can't be A or D`: options ruled out, not offered; a later pair still may be
        first, second = (g for g in hedge.groups() if g)
        if first.upper() != second.upper():
            return ChoiceReading(None, reason=f"hedges between {first.upper()} and {second.upper()}")
    conditioned = {g for m in _CONDITIONAL.finditer(text) for g in m.groups() if g}
    if len(conditioned) > 1:
        return ChoiceReading(
            None, reason=f"states a different option under each condition ({', '.join(sorted(conditioned))})"
        )
    verdicts = option_verdicts(text)
    if verdicts is not None:
        return _allowed(verdicts, allowed) if verdicts.letter else verdicts
    if lists_every_option(text, options):
        return ChoiceReading(None, reason="lists every option without choosing one")
    reading = _letter_reading(text, stripped, options, allowed, announced=announced, last=last)
    if reading is None:
        if _NO_OPTION.search(text):
            return ChoiceReading(None, reason="says no option applies or declines to answer")
        reading = restated_option(text, options)
    also = {g for m in _ALSO.finditer(text) for g in m.groups() if g} - {reading.letter}
    if reading.letter is not None and also:  # by letter or by its text: `left, closer ... it could also be D`
        return ChoiceReading(None, reason=f"offers {', '.join(sorted(also))} as well as {reading.letter}")
    return reading


def _letter_reading(
    text: str, stripped: str, options: dict[str, str], allowed: set[str], *, announced: bool, last: bool
) -> ChoiceReading | None:
    """The letter `text` states (lone, leading or named; see `read_choice`), a reason none can be credited, or
    None when it names no letter."""
    if len(stripped) == 1 and stripped.isalpha():
        start = text.index(stripped)
        return _allowed(ChoiceReading(stripped.upper(), start, start + 1, "lone letter"), allowed)
    leading = None if last else _LEADING.match(text)
    if leading and _is_answer_letter(text, leading, options) and not _rejected(text, leading.end(1)):
        return _allowed(
            ChoiceReading(leading.group(1).upper(), leading.start(1), leading.end(1), "leading letter"), allowed
        )
    named = [(m.group(g), m.start(g), m.end(g)) for m in _NAMED.finditer(text) if (g := m.lastindex) is not None]
    # runs never overlap and come in order, as named letters do: one merge walk, linear
    runs = iter([run.span() for run in LETTER_RUN.finditer(text) if negated(text, run.start())])
    run, kept = next(runs, None), []
    for n in named:
        while run is not None and run[1] <= n[1]:
            run = next(runs, None)
        in_negated_run = run is not None and run[0] <= n[1]
        if not in_negated_run and not _rejected(text, n[2]) and not negated(text, n[1]):
            kept.append(n)
    named = kept
    named = [n for n in named if n[0] in allowed] or named
    if named and (announced or last or len({letter for letter, _, _ in named}) == 1):
        letter, start, end = named[-1] if last else named[0]
        return _allowed(ChoiceReading(letter, start, end, "named letter"), allowed)
    if named:
        return ChoiceReading(None, reason=f"several letters named: {', '.join(sorted({n[0] for n in named}))}")
    return None


def _rejected(text: str, end: int) -> bool:
    """True when the letter ending at `end` is called wrong (`D. right, above, closer is wrong`): not a claim.
    A reason in between (`B because A is wrong`) rejects the other option, not this one."""
    match = _REJECTED_AFTER.match(text, end)
    return match is not None and not _REASON_WORD.search(text, end, match.end())


def option_verdicts(text: str) -> ChoiceReading | None:
    """The option marked yes when `text` gives a verdict on two or more options (`A: No. B: No. D: Yes.`); a
    reason when it marks none or several; None when it gives no such verdicts."""
    found = list(_VERDICT.finditer(text))
    if len({m.group(1) for m in found}) < 2:
        return None
    yes = [m for m in found if m.group(2).lower() in _YES]
    if len({m.group(1) for m in yes}) != 1:
        return ChoiceReading(None, reason=f"marks {len({m.group(1) for m in yes})} options as correct")
    return ChoiceReading(yes[0].group(1), yes[0].start(1), yes[0].end(1), "option verdicts")


def _is_answer_letter(text: str, leading: re.Match, options: dict[str, str]) -> bool:
    letter, rest = leading.group(1), text[leading.end(1) :]
    if not rest.strip():
        return True
    if not rest[0].isspace() and not rest[0].isalnum():  # `B.`, `B)`, `B"`, `B(绿色点)`, `C,`
        return letter.isupper() or rest[0] in ")."
    if not letter.isupper():
        return False
    following = rest[:40].split(None, 1)[0].lower().strip(",.:;")
    if following in _CONNECTORS or rest.lstrip()[:1] in ("(", "[", "-", ":", "=", ",", "\u2014", "\u2013"):
        return True
    option = options.get(letter)
    if not option:
        return False
    return rest.strip().lower().startswith(option.lower()[:12])


def _allowed(reading: ChoiceReading, allowed: set[str]) -> ChoiceReading:
    if reading.letter in allowed:
        return reading
    return ChoiceReading(None, reason=f"{reading.letter} is not an option")
