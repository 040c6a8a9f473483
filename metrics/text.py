"""Cutting a response down to its stated answer: reasoning removed, then the answer span found.

The strict protocol reads values only inside the span this module returns, and records the span's character
offsets in the response as given. Responses are untrusted and can be megabytes long, so every step is linear
in their length: plain string searches, and regexes that run over text whose whitespace runs are collapsed
and whose every pattern starts at a literal or behind a lookbehind (no pattern can restart inside a run).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# Length-preserving rewrites: full-width forms to ASCII, typographic quotes and minus to plain ones, markdown
# emphasis and code marks to spaces. Offsets into the result are offsets into the response.
_TRANSLATION: dict[int, int | str] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_TRANSLATION.update(
    {
        ord(a): b
        for a, b in {
            "\u3000": " ",
            "\u00a0": " ",
            "\u3002": ".",
            "\u3001": ",",
            "\u3010": "[",
            "\u3011": "]",
            "\u300c": '"',
            "\u300d": '"',
            "\u201c": '"',
            "\u201d": '"',
            "\u2018": "'",
            "\u2019": "'",
            "\u2212": "-",
            "*": " ",
            "`": " ",
            "\u2248": "~",
            "\uff5e": "~",
        }.items()
    }
)
_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}

# Reasoning containers: text up to the last closing tag is reasoning; an opening tag never closed means the
# model stopped before it answered.
_REASONING_TAGS = (
    ("<think>", "</think>"),
    ("<thinking>", "</thinking>"),
    ("<reasoning>", "</reasoning>"),
    ("\u25c1think\u25b7", "\u25c1/think\u25b7"),
    ("<reason>", "</reason>"),
)
_ANSWER_TAGS = (("<answer>", "</answer>", "answer tag"), ("<|begin_of_box|>", "<|end_of_box|>", "box tokens"))
_BOX_OPENERS = ("\\boxed{", "\\fbox{", "\\boxed {")


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of a response that hold a stated answer, and the rule that found them."""

    start: int
    end: int
    rule: str


def fold(response: str) -> str:
    """The response with full-width forms, quotes, minus and markdown marks rewritten; same length."""
    return response.translate(_TRANSLATION)


def reasoning_cut(folded: str) -> tuple[int, int] | None:
    """(start, end) of the part of a response after its reasoning, or None when reasoning never ended.

    Text up to the last closing reasoning tag (`</think>`, `</thinking>`, `</reasoning>`, `◁/think▷`) is
    dropped; an opening tag with no closing one leaves only the text before it (usually nothing).
    """
    start, end = 0, len(folded)
    if "<" not in folded and "\u25c1" not in folded:
        return (start, end) if folded.strip() else None
    lower = folded.translate(_ASCII_LOWER)
    closes = [(lower.rfind(close), close) for _, close in _REASONING_TAGS]
    at, close = max(closes)
    if at != -1:
        start = at + len(close)
    else:
        opens = [i for i in (lower.find(open_) for open_, _ in _REASONING_TAGS) if i != -1]
        if opens:
            end = min(opens)
    return (start, end) if folded[start:end].strip() else None


def _balanced_end(text: str, open_brace: int, limit: int) -> int | None:
    """Index of the `}` closing the `{` at `open_brace`, or None; one pass, so linear."""
    depth = 0
    for i in range(open_brace, limit):
        char = text[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
    return None


def container(folded: str, start: int, end: int) -> Span | None:
    """The content of the answer container that starts last in [start, end), or None.

    Containers: `<answer>...</answer>` (an unclosed tag runs to the end), GLM's `<|begin_of_box|>...`,
    `\\boxed{...}` / `\\fbox{...}` with nested braces (an unclosed box is no container). Empty contents
    count as no container.
    """
    if "<" not in folded and "\\" not in folded:
        return None
    lower = folded.translate(_ASCII_LOWER)
    found: list[tuple[int, Span]] = []
    for open_, close, rule in _ANSWER_TAGS:
        at = lower.rfind(open_, start, end)
        if at != -1:
            content = at + len(open_)
            stop = lower.find(close, content, end)
            found.append((at, Span(content, end if stop == -1 else stop, rule)))
    for opener in _BOX_OPENERS:
        at = folded.rfind(opener, start, end)
        # Only the last opener is tried: an unclosed last box falls back to the one before it at most once,
        # which keeps the scan linear on a response of many unclosed boxes.
        for _ in range(2):
            if at == -1:
                break
            closing = _balanced_end(folded, at + len(opener) - 1, end)
            if closing is not None:
                found.append((at, Span(at + len(opener), closing, "boxed")))
                break
            at = folded.rfind(opener, start, at)
    found = [(at, span) for at, span in found if folded[span.start : span.end].strip()]
    return max(found, key=lambda pair: pair[0])[1] if found else None


# ---- the cleaned region: LaTeX and emphasis removed, whitespace runs collapsed, offsets kept -----------------

_CLEANUP = re.compile(
    r"(?P<command> ?\\(?:text|mathrm|textbf|mathbf|mbox|rm|bf|textit|mathit|operatorname|emph)\s?\{ ?)"
    r"|\\(?:quad|qquad|left|right|displaystyle|,|;|!|:| )"
    r"|(?P<underscore>\\_)|\\(?P<pm>pm)|\\(?P<approx>approx|sim)|\\(?P<times>times|cdot)|(?P<deg>\^\s?\{?\\circ\}?|\\circ|\\degree)"
    r"|(?P<drop>[{}$]|\\\(|\\\)|\\\[|\\\])"
    r"|(?P<heading>(?:^|(?<=\n))#+ )"
    r"|(?P<newline>[^\S\n]*\n\s*)|(?P<space>[^\S\n]{2,}|[\t\r\f\v])"
)


_NEEDS_CLEANUP = re.compile(r"[\\{}$#\t\r\f\v^]|\s\s")


class Cleaned:
    """A region of a response with markup removed and whitespace collapsed, mapping offsets back.

    `text` is what readers search; `source(i)` is the response offset of text[i]. Collapsing whitespace makes
    every `\\s?` in a pattern match at most one character, which keeps regex searches linear.
    """

    def __init__(self, folded: str, start: int, end: int):
        pieces: list[str] = []
        # breakpoints: (offset in text, offset in the response) where the mapping stops being a shift
        self._out: list[int] = [0]
        self._src: list[int] = [start]
        out = 0
        cursor = start
        self._end = end
        if not _NEEDS_CLEANUP.search(folded, start, end):
            self.text = folded[start:end]
            return
        for match in _CLEANUP.finditer(folded, start, end):
            pieces.append(folded[cursor : match.start()])
            out += match.start() - cursor
            replacement = _replacement(match)
            pieces.append(replacement)
            self._out.append(out)
            self._src.append(match.start())
            out += len(replacement)
            self._out.append(out)
            self._src.append(match.end())
            cursor = match.end()
        pieces.append(folded[cursor:end])
        self.text = "".join(pieces)

    def source(self, index: int) -> int:
        """The response offset of text[index] (index == len(text) maps to the region's end)."""
        if index >= len(self.text):
            return self._end
        at = bisect.bisect_right(self._out, index) - 1
        return min(self._src[at] + (index - self._out[at]), self._src[at + 1] if at + 1 < len(self._src) else self._end)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Response offsets (start, end) of text[start:end]."""
        return self.source(start), (self.source(end - 1) + 1 if end > start else self.source(start))


def _replacement(match: re.Match) -> str:
    if match["newline"] is not None:
        return "\n"
    if match["underscore"]:
        return "_"
    if match["pm"]:
        return " \u00b1 "
    if match["approx"]:
        return " ~"
    if match["times"]:
        return " x "
    if match["deg"]:
        return "\u00b0"
    if match["heading"] is not None or match["drop"] is not None:
        return ""
    return " "


# ---- answer phrases ----------------------------------------------------------------------------------------

# An answer phrase announces the answer that follows it: `Final answer:`, `The correct answer is`,
# `**Answer:** B`, `I choose`, `the correct one is`, `答案：`, JSON's `"answer": "D"`. The last phrase wins (a model that corrects
# itself ends on its answer), a `final answer` phrase over any other. Every alternative starts at a word
# boundary with a literal, so no search restarts inside a run.
_PHRASE = re.compile(
    r"(?P<final>\b(?:final|overall)(?:[\s_](?:answer|choice|option|estimate|result)s?)?\b(?=\s?[:\-=]|[\s_]\w)"
    r"|\u6700\u7ec8\u7b54\u6848)"
    r"|(?P<plain>\b(?:(?:selected|chosen|correct|best|predicted|final)_)?(?:answer|choice|option|estimate|depth|distance)\b"
    r"|\u6b63\u786e\u7b54\u6848|\u7b54\u6848|\u7ed3\u679c|\u6b63\u786e\u9009\u9879|\u9009\u9879)"
    r"|(?P<verb>\b(?:i\s(?:would\s|will\s|'d\s|'ll\s)?(?:choose|pick|select|go\swith|say|estimate|guess)"
    r"|selected\soption|it\sis\soption|it's\soption|correct\sone"
    r"|(?:depth|distance)\s(?:of\s(?:it|this)\s)?(?:is|would\sbe|should\sbe))\b|\u9009\u62e9)",
    re.IGNORECASE,
)
_PHRASE_KEYWORDS = re.compile(
    "answer|choice|option|estimate|final|overall|depth|distance|choose|pick|select|go with|say|guess|correct one"
    "|\u7b54\u6848|\u9009|\u7ed3\u679c",
    re.IGNORECASE,
)
# What may stand between a phrase and its answer: a verb, a colon, a dash, quotes, `(s)`.
_PHRASE_TAIL = re.compile(
    r" ?(?:\(s\) ?)?[\"']? ?(?:(?:is|would\sbe|should\sbe|will\sbe|=|:|-|\u2014|\u2013|\u662f|\u4e3a) ?)+"
    r"(?:(?:probably|likely|clearly|approximately|about|roughly|around) )?",
    re.IGNORECASE,
)
# `answer is not A`, `answer options are`, `answer the question`: a phrase followed by these announces nothing.
_CONTENT = re.compile(r"[^\s.:\"']")
_NOT_AN_ANSWER = re.compile(r"(?:not|n't|none|unclear|uncertain|options|choices|the\squestion)\b", re.IGNORECASE)


def answer_phrase(cleaned: str) -> tuple[int, int, str] | None:
    """(start, end, rule) of the text a response announces as its answer, in `cleaned` offsets, or None.

    The span runs from after the phrase (and its verb or colon) to the end of that line; a phrase that ends
    its line (`**Answer:**` then a new line) announces the next non-empty line. A `final answer` phrase wins
    over any other; among phrases of one kind the last one wins.
    """
    best: tuple[int, int, str] | None = None
    best_final = False
    line_end = -1
    if not _PHRASE_KEYWORDS.search(cleaned):
        return None
    for match in _PHRASE.finditer(cleaned):
        final = match["final"] is not None
        if best_final and not final:
            continue
        tail = _PHRASE_TAIL.match(cleaned, match.end())
        if tail:
            at = tail.end()
        elif match["plain"] is None or _is_heading(
            cleaned, match
        ):  # `final answer B`, `I choose B`: the phrase needs no verb or colon
            at = match.end()
        else:
            continue  # `answer` alone, with no `is` or `:`, is just the word (`to answer this`)
        if cleaned.startswith(" ", at):
            at += 1
        if _NOT_AN_ANSWER.match(cleaned, at):
            continue
        if line_end < at:  # phrases come in order: one newline search per line keeps this linear
            line_end = cleaned.find("\n", at)
            line_end = len(cleaned) if line_end == -1 else line_end
        start, end = at, line_end
        if not _CONTENT.search(cleaned, start, end):
            next_end = cleaned.find("\n", end + 1)
            start, end = end + 1, len(cleaned) if next_end == -1 else next_end
        if start < end:
            best, best_final = (start, end, "final answer" if final else "answer phrase"), final
    return best


def _is_heading(cleaned: str, match: re.Match) -> bool:
    """True when the phrase is all of its line (a heading `## Answer`, a bold `**Answer**`), so the answer is
    on the next line. Only a phrase that starts its line is looked at further, which keeps this linear."""
    at = match.start()
    if at > 0 and cleaned[at - 1] == " ":
        at -= 1
    if at > 0 and cleaned[at - 1] != "\n":
        return False
    line_end = cleaned.find("\n", match.end())
    return line_end != -1 and not _CONTENT.search(cleaned, match.end(), line_end)


def first_line(cleaned: str) -> tuple[int, int]:
    """(start, end) of the first non-empty line of `cleaned`."""
    start = len(cleaned) - len(cleaned.lstrip())
    end = cleaned.find("\n", start)
    return start, len(cleaned) if end == -1 else end


# ---- the two cuts as text (the strict protocol works on offsets; these read the same rules as strings) --------------------------------------------------------------


def strip_reasoning(response: str) -> str:
    """The part of a response after its reasoning (see `reasoning_cut`); "" when reasoning never ended."""
    folded = fold(response)
    cut = reasoning_cut(folded)
    return "" if cut is None else response[cut[0] : cut[1]].strip()


def tagged_answer(response: str) -> str | None:
    """The content of the answer container that starts last (see `container`), or None."""
    folded = fold(response)
    span = container(folded, 0, len(folded))
    return None if span is None else response[span.start : span.end].strip()
