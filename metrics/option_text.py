"""Which option a restated option text or spatial description names."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ChoiceReading:
    """The option a stated answer names: `letter` with the (start, end) of its text and the rule that read it,
    or `letter` None with the reason nothing could be credited."""

    letter: str | None
    start: int = 0
    end: int = 0
    rule: str | None = None
    reason: str | None = None


# A letter or option text right after a negation is ruled out, not named: `Not B, not C, it's A`,
# `the farthest is not the yellow point`.
_NEGATED_BEFORE = re.compile(
    r"(?:\bnot|n't|\bnever|\brule\sout|\bruled\sout|\beliminate|\bexclude)\s(?:(?i:option|choice)\s|the\s)?\(?$",
    re.IGNORECASE,
)
_LISTED = re.compile(r"(?:^|(?<=\s))([A-H])[.)](?=\s)")
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
    option_words = _spatial_words(options)
    if option_words is None:
        return None
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


_OPPOSITES = {"left": "right", "right": "left", "above": "below", "below": "above", "front": "behind"}
_OPPOSITES |= {"behind": "front", "closer": "farther", "farther": "closer"}


def opposes_option(text: str, letter: str, options: dict[str, str]) -> bool:
    """True when `text`, made of spatial words only (an option text written after a letter: `front-right`),
    says a direction opposite to one of option `letter`'s (`D. front-right` when D is front-left), every option
    being made of spatial words."""
    meanings = _spatial_words(options)
    words = re.findall(r"[^\W\d_]+", text.lower())  # every word, none ignored: `It is lower` is a sentence
    if meanings is None or letter not in meanings or not words or any(w not in _SLOT_WORDS for w in words):
        return False
    return any(_OPPOSITES[word] in meanings[letter] for word in _meaning(words))


def negated(text: str, start: int) -> bool:
    """True when the letter or option text at `start` follows a negation (`not B`, `isn't the yellow point`);
    a list after one (`not A, B or C`) is negated as a whole."""
    return _NEGATED_BEFORE.search(text, max(0, start - 24), start) is not None


def restated_option(text: str, options: dict[str, str]) -> ChoiceReading:
    """The option whose text or spatial meaning `text` restates (see `read_choice`), or the reason none is."""
    by_text, by_meaning = option_text_match(text, options), option_by_meaning(text, options)
    if by_text is not None and negated(text, by_text.start):
        return ChoiceReading(None, reason=f"names option {by_text.letter} only to rule it out")
    spatial = _spatial_words(options)
    if spatial is None:
        restated = by_text or by_meaning
    else:
        if by_text is not None and _offers_two_directions(text):
            return ChoiceReading(None, reason="offers two spatial relations joined by `or`")
        restated = by_text or by_meaning
        if (
            by_text
            and by_meaning
            and by_text.letter
            and by_meaning.letter
            and spatial[by_text.letter] < spatial[by_meaning.letter]
        ):
            restated = by_meaning  # `behind me on the left` is back-left, not the `left` it contains
        if restated is not None and restated.letter is not None:  # the matchers always name a letter
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
    return any(allowed <= set(_LETTER_MARK.findall(run.group())) for run in LETTER_RUN.finditer(text))


_LETTER_MARK = re.compile(r"(?<![A-Za-z0-9])[A-H](?![A-Za-z0-9])")
LETTER_RUN = re.compile(r"(?<![A-Za-z0-9])[A-H](?:\s?(?:,|/|\band\b|\bor\b)\s?(?:and\s|or\s)?[A-H](?![A-Za-z0-9]))+")
