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

__all__ = ["Located", "answer_text", "cut_before_answer", "final_bold_line", "locate"]


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
    r"\?\s?(?:no|nope|wait|hmm|um)\b|\b(?:hmm|um|oh|oops),?\s(?:no|wait|actually)\b|(?:(?<=[.!?] )|(?<=\n))no[,:;!]|\b(?:actually|wait|correction|on\ssecond\sthought|scratch\sthat|let\sme\sreconsider"
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


def final_bold_line(located: Located, response: str) -> tuple[int, int] | None:
    """(start, end) in `located.region.text` of the response's last line when that line is bold throughout
    (`**Distance ≈ 3.5 m**` closing a list of estimates): a bold closing line states the answer. None when the
    last line is not bold or lies outside the region."""
    text = located.region.text.rstrip()
    last = response.rstrip()
    if not last.endswith(("**", "__")):
        return None
    line_at = last.rfind("\n") + 1
    line = last[line_at:].strip()
    mark = line[:2]
    if len(line) < 5 or mark not in ("**", "__") or not line.endswith(mark) or mark in line[2:-2]:
        return None
    start = text.rfind("\n") + 1
    if located.region.source(start) < line_at:
        return None
    return start, len(text)


# A response that stops mid-sentence on a word or sign announcing what follows (`roughly`, `should be`, `so`,
# `=`): it was cut before its answer.
_ANNOUNCING_TEXT = (
    "about roughly approximately around nearly almost is are be was were so thus therefore hence then slightly a an"
    " the of to at than and or with by from which that its give gives get between like maybe probably likely equal"
    " equals become becomes means estimate estimated approx now still also in into toward towards for as because"
    " since while if when not but would could should will must may might being has have this these those each both"
    " either very quite my their his her our your"
)
_ANNOUNCING_WORDS = frozenset(_ANNOUNCING_TEXT.split())
_ANNOUNCING_SIGNS = frozenset("=~:+/(\u2248")


def _ends_announcing(tail: str) -> bool:
    """True when `tail` (stripped) ends on one of the words or signs above (a plain scan: it runs on every
    response)."""
    if not tail:
        return False
    if tail[-1] in _ANNOUNCING_SIGNS:
        return True
    start = len(tail)
    while start and tail[start - 1].isascii() and tail[start - 1].isalpha():
        start -= 1
    word = tail[start:]
    if len(word) == 1 and word.isupper():  # `... **A**`: an option letter, not the article
        return False
    return bool(word) and word.lower() in _ANNOUNCING_WORDS and not (start and tail[start - 1].isalnum())


# A response that declines to answer: `can't determine`, `unable to tell`, `I can't pin down the exact values`.
DECLINES = re.compile(
    r"\b(?:can't|cannot|can\snot|unable\sto|impossible\sto|not\spossible\sto|no\sway\sto)\s(?:\w+\s){0,2}"
    r"(?:determine|tell|estimate|judge|measure|know|say|infer|compute|calculate|work\sout|figure\sout|be\ssure"
    r"|give|pin\sdown|decompose|provide)\b",
    re.IGNORECASE,
)
# The unfinished sentence re-checks what came before: the answer stated there was provisional.
_RECHECK = re.compile(
    r"\s*(?:let\sme|let's|i'll|i\swill|to)\s(?:double[-\s]check|re-?check|verify|check|confirm|reconsider)\b",
    re.IGNORECASE,
)
_ANSWER_WHERE = ("answer tag", "boxed", "box tokens", "leading number", "after a correction")
_LAST_SENTENCE = re.compile(r"[.!?](?=\s)|\n")
_OPEN_AFTER = re.compile(r"\s?(?:[-+*/x\u00d7=~\u00b2\u00b3^(]|$)")


def cut_before_answer(response: str, span: tuple[int, int], rule: str) -> bool:
    """True when the response was cut before its answer and the value read (at `span`, by `rule`,
    `<where>: <how>`) comes from the reasoning: the last number of the text, or a span inside the unfinished last
    sentence. An answer stated before the cut (a leading answer, a container, an announced answer the sentence
    goes on from: `B. The chair is left of the`, `2.5 m, because the sofa is`) is no cut answer."""
    where, _, how = rule.partition(": ")
    if where in _ANSWER_WHERE or how in ("lone letter", "leading letter"):
        return False
    if not _ends_announcing(fold(response[-40:]).rstrip()):  # markdown marks fold to spaces: `**2.4 m**` ends on 4
        return False
    stripped = response.rstrip()
    if where in ("last number", "equation result", "whole response") and how != "option text":
        # a number of the reasoning, unless the first sentence states it and the cut came later (`The depth is
        # roughly 2.4 m. This estimate is based on the`)
        first_end = _LAST_SENTENCE.search(stripped, span[1])
        return not (first_end and not _LAST_SENTENCE.search(stripped, 0, span[0]) and first_end.end() < len(stripped))
    ends = [m.end() for m in _LAST_SENTENCE.finditer(stripped, max(0, len(stripped) - 2000))]
    if ends and _RECHECK.match(stripped, ends[-1]):
        return True  # `Rough estimate: 1.9 m. Let me double-check with the chair next to it, which`: provisional
    if span[1] <= (ends[-1] if ends else 0):
        return False  # stated in a sentence that ended before the cut (an option text read across sentences did not)
    if where in ("answer phrase", "final answer"):
        return bool(_OPEN_AFTER.match(response, span[1]))  # `the distance is sqrt(2.0² + ...) =`: still computing
    return True
