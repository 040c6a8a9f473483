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


def option_letters(question: str) -> tuple[str, ...]:
    """Letters of the options written in a question (`A. left B. right`), in order of first appearance.

    An option is a capital A-H followed by a period and whitespace, at the start or after whitespace.
    Returns () when the question lists no options.
    """
    return tuple(dict.fromkeys(_OPTION_PATTERN.findall(question)))
