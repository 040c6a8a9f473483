"""Matching a multiple-choice response against the answer letter."""

from __future__ import annotations

import re
from dataclasses import dataclass


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


@dataclass(frozen=True)
class ChoiceReading:
    """The option a stated answer names: `letter` with the (start, end) of its text and the rule that read it,
    or `letter` None with the reason nothing could be credited."""

    letter: str | None
    start: int = 0
    end: int = 0
    rule: str | None = None
    reason: str | None = None


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
    r"|(?<![A-Za-z0-9'\-])([A-H])(?=[.!?;:)\]]?(?:\s?\n|\s?$)|[.!?;:,)\]](?:\s|$))"
)
_HEDGE = re.compile(
    r"(?<![A-Za-z0-9])([A-H])\)?\s?(?:or|/|\u6216)\s?(?:(?i:option)\s)?\(?([A-H])(?![A-Za-z0-9])"
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
# A letter or option text right after a negation is ruled out, not named: `Not B, not C, it's A`,
# `the farthest is not the yellow point`.
_NEGATED_BEFORE = re.compile(
    r"(?:\bnot|n't|\bnever|\brule\sout|\bruled\sout|\beliminate|\bexclude)\s(?:(?i:option|choice)\s|the\s)?\(?$",
    re.IGNORECASE,
)
_LISTED = re.compile(r"(?:^|(?<=\s))([A-H])[.)](?=\s)")
_NO_OPTION = re.compile(
    r"\b(?:none\sof\s(?:the\s)?(?:above|options|choices|them|these)|neither|no\scorrect\s(?:option|answer)"
    r"|(?:cannot|can't|can\snot|unable\sto)\s(?:be\s)?(?:determine|tell|decide|answer|say)[a-z]*)\b"
    r"|\u65e0\u6cd5|\u90fd\u4e0d|\u4e0d\u786e\u5b9a",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|\u00b0|[\u4e00-\u9fff]")
_IGNORED_TOKENS = frozenset({"and", "the", "is", "it", "its", "of", "a", "an"})


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text.lower()) if m.group() not in _IGNORED_TOKENS]


def _aliases(options: dict[str, str]) -> dict[str, list[tuple[str, ...]]]:
    """Token sequences that name each option: its text, and the parts before and inside a parenthesis
    (`blue point (armchair)` is also `blue point` and `armchair`) when no other option shares that part."""
    candidates: dict[str, list[tuple[str, ...]]] = {}
    for letter, text in options.items():
        head, _, rest = text.partition("(")
        parts = [text, head, rest.partition(")")[0]] if rest else [text]
        candidates[letter] = [seq for seq in (tuple(t for t, _, _ in _tokens(part)) for part in parts) if seq]
    counts: dict[tuple[str, ...], int] = {}
    for sequences in candidates.values():
        for seq in set(sequences):
            counts[seq] = counts.get(seq, 0) + 1
    return {letter: [s for s in seqs if counts[s] == 1 or s == seqs[0]] for letter, seqs in candidates.items()}


def word_trigrams(text: str) -> frozenset[tuple[str, str, str]]:
    """The three-word sequences of a text (its word tokens, as option matching sees them)."""
    words = [t for t, _, _ in _tokens(text)]
    return frozenset(zip(words, words[1:], words[2:]))


def without_echoes(text: str, trigrams: frozenset[tuple[str, str, str]]) -> str:
    """`text`'s words without those inside a three-word sequence of `trigrams` (the question's): a response that
    restates the question (`turning ninety degrees to the left ...`) does not claim what it restates."""
    words = [t for t, _, _ in _tokens(text)]
    echoed: set[int] = set()
    for i in range(len(words) - 2):
        if (words[i], words[i + 1], words[i + 2]) in trigrams:
            echoed.update((i, i + 1, i + 2))
    return " ".join(w for i, w in enumerate(words) if i not in echoed)


def without_letters(text: str) -> str:
    """`text` with standalone option letters blanked: a letter is not option text (`B` is no word of
    `blue point (box)`)."""
    return _LETTER_MARK.sub(" ", text)


def option_text_match(text: str, options: dict[str, str]) -> ChoiceReading | None:
    """The one option whose text (or an unshared part of it) `text` restates, or None.

    Text is compared as lower-case word tokens, so `left, , closer` and `left, closer` both name the option
    `left, , closer` and not `left, above, closer`. A match inside a longer match of another option does
    not count (`front` inside `front-left` is one token anyway); two options named is no reading.
    """
    if not options:
        return None
    tokens = _tokens(text)
    words = [t for t, _, _ in tokens]
    index: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        index.setdefault(word, []).append(i)
    matches: list[tuple[int, int, str]] = []  # (first token, last token + 1, letter)
    for letter, sequences in _aliases(options).items():
        for seq in sequences:
            for i in index.get(seq[0], ())[:64]:  # bounded: a response of one repeated word stays linear
                if tuple(words[i : i + len(seq)]) == seq:
                    matches.append((i, i + len(seq), letter))
    outer = [
        m for m in matches if not any(o[0] <= m[0] and m[1] <= o[1] and o[1] - o[0] > m[1] - m[0] for o in matches)
    ]
    letters = {letter for _, _, letter in outer}
    if len(letters) != 1:
        return None
    first, last = min(m[0] for m in outer), max(m[1] for m in outer)
    return ChoiceReading(letters.pop(), tokens[first][1], tokens[last - 1][2], "option text")


# Meanings of spatial words, for options that are only such words: relation slots (`left, below, front`) and
# directions (`front-right`, `back`). `in front` / `ahead` are front, `behind` is back, `lower` is below, ...
_SLOT_WORDS = {
    "left": "left",
    "right": "right",
    "above": "above",
    "higher": "above",
    "over": "above",
    "below": "below",
    "lower": "below",
    "beneath": "below",
    "under": "below",
    "underneath": "below",
    "front": "front",
    "ahead": "front",
    "forward": "front",
    "behind": "behind",
    "back": "behind",
    "closer": "closer",
    "nearer": "closer",
    "farther": "farther",
    "further": "farther",
    "\u5de6": "left",
    "\u53f3": "right",
    "\u4e0a": "above",
    "\u4e0b": "below",
    "\u524d": "front",
    "\u540e": "behind",
}
_ALTERNATIVES = re.compile(r"\bor\b|/|\u6216", re.IGNORECASE)
_NEGATIONS = frozenset({"no", "not", "neither", "nor", "without"})


def _meaning(words: list[str]) -> frozenset[str]:
    return frozenset(_SLOT_WORDS[w] for w in words if w in _SLOT_WORDS)


def option_by_meaning(text: str, options: dict[str, str]) -> ChoiceReading | None:
    """The one option whose spatial words mean what `text` says, when every option is made of such words:
    `Below and in front of the camera, with no clear horizontal offset` is `, below, front`; `ahead of me and a
    little to the right` is `front-right`; `左后方` is `back-left`. A word after `no` / `not` is not said."""
    if not options:
        return None
    option_words = {}
    for letter, option in options.items():
        words = [t for t, _, _ in _tokens(option.replace("-", " "))]
        if not words or any(w not in _SLOT_WORDS for w in words):
            return None
        option_words[letter] = _meaning(words)
    alternatives = [p for p in _ALTERNATIVES.split(text) if _meaning([t for t, _, _ in _tokens(p.replace("-", " "))])]
    if len(alternatives) > 1:
        return None  # `front or front-left` offers two answers
    tokens = _tokens(text.replace("-", " "))
    said = [t for i, (t, _, _) in enumerate(tokens) if not (i and tokens[i - 1][0] in _NEGATIONS)]
    meant = _meaning(said)
    if not meant or any(
        a in meant and b in meant
        for a, b in (("left", "right"), ("above", "below"), ("front", "behind"), ("closer", "farther"))
    ):
        return None
    matching = [letter for letter, words in option_words.items() if words == meant]
    if len(matching) != 1:
        return None
    spans = [(start, end) for t, start, end in tokens if t in _SLOT_WORDS]
    return ChoiceReading(matching[0], spans[0][0], spans[-1][1], "option meaning")


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
    if reading is not None:
        also = {g for m in _ALSO.finditer(text) for g in m.groups() if g} - {reading.letter}
        if reading.letter is not None and also:
            return ChoiceReading(None, reason=f"offers {', '.join(sorted(also))} as well as {reading.letter}")
        return reading
    if _NO_OPTION.search(text):
        return ChoiceReading(None, reason="says no option applies or declines to answer")
    return _restated(text, options)


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
    runs = iter([run.span() for run in _LETTER_RUN.finditer(text) if _negated(text, run.start())])
    run, kept = next(runs, None), []
    for n in named:
        while run is not None and run[1] <= n[1]:
            run = next(runs, None)
        in_negated_run = run is not None and run[0] <= n[1]
        if not in_negated_run and not _rejected(text, n[2]) and not _negated(text, n[1]):
            kept.append(n)
    named = kept
    named = [n for n in named if n[0] in allowed] or named
    if named and (announced or last or len({letter for letter, _, _ in named}) == 1):
        letter, start, end = named[-1] if last else named[0]
        return _allowed(ChoiceReading(letter, start, end, "named letter"), allowed)
    if named:
        return ChoiceReading(None, reason=f"several letters named: {', '.join(sorted({n[0] for n in named}))}")
    return None


def _negated(text: str, start: int) -> bool:
    """True when the letter or option text at `start` follows a negation (`not B`, `isn't the yellow point`);
    a list after one (`not A, B or C`) is negated as a whole."""
    return _NEGATED_BEFORE.search(text, max(0, start - 24), start) is not None


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


def _restated(text: str, options: dict[str, str]) -> ChoiceReading:
    """The option whose text or spatial meaning `text` restates (see `read_choice`), or the reason none is."""
    by_text, by_meaning = option_text_match(text, options), option_by_meaning(text, options)
    if by_text is not None and _negated(text, by_text.start):
        return ChoiceReading(None, reason=f"names option {by_text.letter} only to rule it out")
    spatial = _spatial_words(options)
    if spatial is None:
        restated = by_text or by_meaning
    else:
        if by_text is not None and _offers_two_directions(text):
            return ChoiceReading(None, reason="offers two spatial relations joined by `or`")
        restated = by_text or by_meaning
        if by_text and by_meaning and spatial[by_text.letter] < spatial[by_meaning.letter]:
            restated = by_meaning  # `behind me on the left` is back-left, not the `left` it contains
        if restated is not None:
            also = _filled_alike(restated.letter, options, spatial)
            if also and not _EMPTY_SLOT.search(text):
                return ChoiceReading(None, reason=f"leaves a slot unsaid: fits {restated.letter} and {', '.join(also)}")
    if restated is not None:
        return restated
    return ChoiceReading(None, reason="no option letter or option text found")


def _spatial_words(options: dict[str, str]) -> dict[str, frozenset[str]] | None:
    """Each option's spatial meaning, when every option is made of spatial words only; else None."""
    if not options:
        return None
    meanings = {}
    for letter, option in options.items():
        words = [t for t, _, _ in _tokens(option.replace("-", " "))]
        if not words or any(w not in _SLOT_WORDS for w in words):
            return None
        meanings[letter] = _meaning(words)
    return meanings


# `to the right, or slightly behind on the right`: two relations offered, when the words either side of `or`
# mean different things (and `not above or below` negates both, offering neither).
_OR_WORD = re.compile(r"\bor\b|\u6216", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[.;:!?\n()]")


def _offers_two_directions(text: str) -> bool:
    for match in _OR_WORD.finditer(text):
        left = text[max(0, match.start() - 40) : match.start()].rstrip(" .,\u2026")  # `behind me... or`
        left = left[max((m.end() for m in _CLAUSE_BREAK.finditer(left)), default=0) :]
        right = text[match.end() : match.end() + 40]
        cut = _CLAUSE_BREAK.search(right)
        right = right[: cut.start()] if cut else right
        left_words = [t for t, _, _ in _tokens(left.replace("-", " "))]
        if any(w in _NEGATIONS for w in left_words):
            continue
        before, after = _meaning(left_words), _meaning([t for t, _, _ in _tokens(right.replace("-", " "))])
        if before and after and before != after:
            return True
    return False


# A relation option with an empty slot (`left, , farther`) is stated only when the response says the slot is
# empty (`left, , farther`, `no clear vertical relation`, `same height`); `left, farther` alone fits
# `left, below, farther` just as well, when that is an option too.
_EMPTY_SLOT = re.compile(
    r",\s?,|\bno\s(?:clear\s|obvious\s|significant\s|noticeable\s|real\s|apparent\s|discernible\s)?"
    r"(?:vertical|horizontal|depth|height|lateral|left[-\s/]right|up[-\s/]down|side|relation|offset|difference)"
    r"|\b(?:same|similar|equal)\s(?:height|level|depth|distance|elevation)\b"
    r"|\bneither\s(?:above|below|higher|lower|left|right|closer|farther|nearer|in\sfront|behind)\b"
    r"|\blevel\swith\b|\b(?:horizontally|vertically)\s(?:aligned|level|centered|centred)\b"
    r"|\bnot\s(?:clearly\s)?(?:above\sor\sbelow|higher\sor\slower|left\sor\sright|closer\sor\sfarther)\b",
    re.IGNORECASE,
)


def _filled_alike(letter: str, options: dict[str, str], spatial: dict[str, frozenset[str]]) -> list[str]:
    """The other relation options (`left, below, farther`) that fill the slots `letter` leaves empty
    (`left, , farther`) and agree on the rest; [] when `letter` is a direction or leaves no slot empty."""
    slots = options[letter].split(",")
    if len(slots) < 2 or all(slot.strip() for slot in slots):
        return []
    return sorted(other for other, words in spatial.items() if other != letter and spatial[letter] < words)


def lists_every_option(text: str, options: dict[str, str]) -> bool:
    """True when `text` writes out every option (`A. ... B. ... C. ...`, or `A, B, C and D`; three or more):
    a copy of the choices, not a choice."""
    allowed = set(options) if options else set("ABCD")
    if len(allowed) < 3:
        return False
    if allowed <= {m.group(1) for m in _LISTED.finditer(text)}:
        return True
    return any(allowed <= set(_LETTER_MARK.findall(run.group())) for run in _LETTER_RUN.finditer(text))


_LETTER_MARK = re.compile(r"(?<![A-Za-z0-9])[A-H](?![A-Za-z0-9])")
_LETTER_RUN = re.compile(r"(?<![A-Za-z0-9])[A-H](?:\s?(?:,|/|\band\b|\bor\b)\s?(?:and\s|or\s)?[A-H](?![A-Za-z0-9]))+")


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
