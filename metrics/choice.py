"""Matching a multiple-choice response against the answer letter."""

from __future__ import annotations

import re


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


def option_letters(question: str) -> tuple[str, ...]:
    """Letters of the options written in a question, in order (see parse_options); () when there are none."""
    return tuple(parse_options(question))


# Ways a response asserts a letter. The letter must be a capital, so the article in "a chair" is never A;
# a lower-case letter counts only when it is the whole answer (`b`, `(b)`, `answer: b.`).
_ASSERTED_LETTER = (
    re.compile(r"\b(?i:answer|option|choice)\s*(?i:is\s*|:\s*)?(?i:option\s*)?\(?([A-H])\)?(?![A-Za-z])"),
    re.compile(r"\b(?i:answer)\s*(?i:is|:)\s*\(?([a-h])\)?\s*[.!]?\s*$"),
    re.compile(r"\(([A-H])\)"),
    re.compile(r"^\s*([A-H])[.):](?:\s|$)"),
)
_LONE_LETTER_PUNCTUATION = " \t\n.:;,!?()[]{}*'\"`"


def extract_choice(response: str, options: dict[str, str] | None = None) -> tuple[str | None, str | None]:
    """(letter, None) for the option a response asserts, or (None, reason) when it asserts none or several.

    Reads, in order: a lone letter (`B`, `(b).`); letters asserted as `answer is X`, `Answer: X`, `(X)` or
    a leading `X.` / `X)` / `X:` (all of them must agree); the exact text of one option. A letter must be
    one of `options` when options are given. The caller strips reasoning and tags first.
    """
    allowed = set(options) if options else set("ABCDEFGH")
    stripped = response.strip(_LONE_LETTER_PUNCTUATION)
    if len(stripped) == 1 and stripped.isalpha():
        letter = stripped.upper()
        return (letter, None) if letter in allowed else (None, f"{letter} is not an option")
    letters = {m.group(1).upper() for pattern in _ASSERTED_LETTER for m in pattern.finditer(response)}
    if len(letters) > 1:
        return None, f"several letters asserted: {', '.join(sorted(letters))}"
    if letters:
        (letter,) = letters
        return (letter, None) if letter in allowed else (None, f"{letter} is not an option")
    if options:
        text = response.strip().rstrip(".").strip().lower()
        matching = [letter for letter, option in options.items() if option.rstrip(".").strip().lower() == text]
        if len(matching) == 1:
            return matching[0], None
    return None, "no option letter found" if response.strip() else "empty response"
