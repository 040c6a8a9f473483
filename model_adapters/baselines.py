"""Baselines that answer without looking at images: the reference points every model score is read against.

`oracle` returns the reference answer (scores 100 under the official protocol), `frequency` the most frequent
answer of each task in the evaluated set (the paper's "Chance (Frequency)" row), `random` a seeded uniform
choice among a question's options, or for other answer kinds a seeded draw from that task's answers.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from spar_bench.metrics.choice import option_letters
from spar_bench.tasks_spec import TASKS_BY_ID, AnswerKind


@dataclass(frozen=True)
class BaselineQuestion:
    """What a baseline may see of a question: everything but the images."""

    id: int
    task: str
    question: str
    answer: str


class Baseline(Protocol):
    """Answers a whole evaluated set at once (frequency counts over all of it); `identity` names it in journals."""

    name: str
    identity: dict[str, object]

    def answer(self, questions: Sequence[BaselineQuestion]) -> list[str]: ...


class OracleBaseline:
    name = "oracle"
    identity: dict[str, object] = {"baseline": "oracle"}  # what journal keys say answered

    def answer(self, questions: Sequence[BaselineQuestion]) -> list[str]:
        """The reference answer of each question."""
        return [q.answer for q in questions]


class FrequencyBaseline:
    name = "frequency"
    identity: dict[str, object] = {"baseline": "frequency"}

    def answer(self, questions: Sequence[BaselineQuestion]) -> list[str]:
        """For each question, the most frequent answer of its task among `questions`.

        Ties go to the smallest answer string, so the result does not depend on question order.
        """
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for q in questions:
            counts[q.task][q.answer] += 1
        most_frequent = {
            task: min(counter, key=lambda answer: (-counter[answer], answer)) for task, counter in counts.items()
        }
        return [most_frequent[q.task] for q in questions]


class RandomBaseline:
    name = "random"

    def __init__(self, seed: int = 0):
        self.seed = seed
        self.identity: dict[str, object] = {"baseline": "random", "seed": seed}

    def answer(self, questions: Sequence[BaselineQuestion]) -> list[str]:
        """A seeded random answer per question, independent of question order and of the other questions' draws.

        Multiple choice: uniform over the option letters written in the question (A-D when none are found).
        Other answers (numbers, motions, 3D boxes): uniform over the answers of that task among `questions`.
        """
        pools: dict[str, list[str]] = defaultdict(list)
        for q in questions:
            pools[q.task].append(q.answer)
        for pool in pools.values():
            pool.sort()
        responses = []
        for q in questions:
            rng = random.Random(f"{self.seed}:{q.task}:{q.id}")
            if q.task in TASKS_BY_ID and TASKS_BY_ID[q.task].answer_kind is AnswerKind.CHOICE:
                responses.append(rng.choice(option_letters(q.question) or ("A", "B", "C", "D")))
            else:
                responses.append(rng.choice(pools[q.task]))
        return responses
