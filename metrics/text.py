"""Cutting a response down to its answer: reasoning removed, tagged or boxed answers found.

Every function here runs in time linear in the response length (plain string searches, no regex that
can backtrack), because responses are untrusted and can be megabytes long.
"""

from __future__ import annotations


def strip_reasoning(response: str) -> str:
    """The part of a response that states the answer.

    Text up to the last `</think>` is reasoning and dropped; an unclosed `<think>` means the model never got
    to an answer, so everything from it on is dropped. Then, if `Final answer:` occurs (any case), only the
    text after its last occurrence is kept.
    """
    lower = response.lower()
    close = lower.rfind("</think>")
    if close != -1:
        response, lower = response[close + len("</think>") :], lower[close + len("</think>") :]
    elif (start := lower.find("<think>")) != -1:
        response, lower = response[:start], lower[:start]
    final = lower.rfind("final answer:")
    if final != -1:
        response = response[final + len("final answer:") :]
    return response.strip()


def tagged_answer(response: str) -> str | None:
    """The content of the last `<answer>...</answer>` or `\\boxed{...}` in a response, or None.

    A tag counts only when closed. When both forms occur, the one that starts later wins.
    """
    lower = response.lower()
    candidates = []
    start = lower.rfind("<answer>")
    if start != -1 and (end := lower.find("</answer>", start)) != -1:
        candidates.append((start, response[start + len("<answer>") : end]))
    start = response.rfind("\\boxed{")
    if start != -1 and (end := response.find("}", start)) != -1:
        candidates.append((start, response[start + len("\\boxed{") : end]))
    return max(candidates)[1].strip() if candidates else None
