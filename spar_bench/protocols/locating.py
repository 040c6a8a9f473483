"""Where a response states its answer, the first stage of the strict reading: reasoning cut, then an answer
container (`<answer>`, `\\boxed{}`, GLM box tokens), else an answer phrase (`Final answer:`, `The answer is`,
`答案：`, a JSON `"answer"` field), else the first line or the whole response; and where a self-correction
moves the answer to (`B? No, ... C.`).

`reading` reads the value from the located region by answer kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spar_bench.metrics.text import Cleaned, answer_phrase, container, fold, reasoning_cut

__all__ = ["Located", "answer_text", "locate"]


@dataclass(frozen=True)
class Located:
    """The region of a response that holds its answer, the rule that located it, and the announced span."""

    region: Cleaned  # the answer region: after reasoning, or the inside of an answer container
    where: str  # the locating rule: "answer tag", "boxed", "box tokens", "final answer", "answer phrase", ...
    span: tuple[int, int] | None  # (start, end) in region.text of an announced answer, when there is one
    revised_at: int | None = None  # where the text after a self-correction starts (`B? No, ... C.`), if it counts


def locate(response: str) -> Located | str:
    """The region of a response that holds its answer, or the reason it holds none."""
    folded = fold(response)
    if not folded.strip():
        return "empty response"
    cut = reasoning_cut(folded)
    if cut is None:
        return "reasoning never ended: no answer after it"
    boxed = container(folded, *cut)
    if boxed is not None:
        region = Cleaned(folded, boxed.start, boxed.end)
        return Located(region, boxed.rule, (0, len(region.text)))
    region = Cleaned(folded, *cut)
    phrase = answer_phrase(region.text)
    revised_at = _revision(region.text)
    if phrase is not None:
        # A correction after the announced answer replaces it (`Answer: B. Actually no, C.`); a final answer
        # phrase is never corrected.
        later = revised_at is not None and revised_at > phrase[0] and phrase[2] != "final answer"
        return Located(region, phrase[2], (phrase[0], phrase[1]), revised_at if later else None)
    return Located(region, "whole response", None, revised_at)


# Self-corrections: what follows the last of these is the answer the response ends on.
_REVISION = re.compile(
    r"\?\s?(?:no|nope|wait)\b|\b(?:hmm|um|oh|oops),?\s(?:no|wait|actually)\b|(?:(?<=[.!?] )|(?<=\n))no[,:;!]|\b(?:actually|wait|correction|on\ssecond\sthought|scratch\sthat|let\sme\sreconsider"
    r"|i\swas\swrong|i\s(?:first|initially)\sthought|(?:first|initially)\si\sthought|tempting)\b"
    r"|\b(?:can't|cannot|can\snot|couldn't)\sbe\s(?:right|correct)\b|\bi\shad\s[^.\n]{0,40}\breversed\b"
    # a second look that replaces the first answer: `on second look`, `re-examining:`, `looking again`
    r"|\bon\s(?:a\s)?(?:second|closer|further)\s(?:look|glance|inspection|examination)\b|\bre-?examin(?:ing|ed|e)\b"
    r"|\blooking\s(?:again|more\sclosely|closer)\b",
    re.IGNORECASE,
)


_REVISION_KEYWORDS = re.compile(
    r"\?|hmm|um|oh|oops|no[,:;!]|actually|wait|correct|second|scratch|reconsider|wrong|thought|tempting|be\sright"
    r"|reversed|look|examin",
    re.IGNORECASE,
)


def _revision(text: str) -> int | None:
    if not _REVISION_KEYWORDS.search(text):
        return None
    end = None
    for match in _REVISION.finditer(text):
        end = match.end()
    return end


def answer_text(response: str) -> str:
    """The text a response states as its answer (its announced span, else its answer region), markup removed."""
    located = locate(response)
    if isinstance(located, str):
        return ""
    start, end = located.span or (0, len(located.region.text))
    return located.region.text[start:end].strip()
