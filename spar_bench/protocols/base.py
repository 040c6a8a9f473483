"""What a scoring protocol returns, for one response or for many at once, and the interface it implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol as _Protocol
from typing import Union

import numpy as np

from spar_bench.tasks_spec import TaskSpec, task_spec

# What a protocol extracted from a response: a number (meters), an option letter or normalized text,
# the five motion components keyed by name, or None when nothing could be read.
Parsed = Union[float, str, dict[str, float], None]


@dataclass(frozen=True)
class SampleScore:
    """The score of one response under one protocol.

    `score` is in [0, 1]. `parsed` is what the protocol read from the response; when it could read
    nothing, `parsed` is None and `unparsed_reason` says why (the response still gets a score: the released
    protocol gives some unparsable responses credit, and that is what it is for).
    """

    task: str
    protocol: str
    score: float
    parsed: Parsed
    unparsed_reason: str | None = None

    @property
    def parse_failed(self) -> bool:
        return self.unparsed_reason is not None


@dataclass(frozen=True)
class BatchScores:
    """Scores of many responses under one protocol, column by column (index i is response i)."""

    protocol: str
    tasks: Sequence[str]
    scores: np.ndarray  # float64, shape (n,), in [0, 1]
    parsed: list[Parsed]
    unparsed_reasons: list[str | None]

    def __len__(self) -> int:
        return len(self.scores)

    @property
    def parse_failed(self) -> np.ndarray:
        return np.array([reason is not None for reason in self.unparsed_reasons], dtype=bool)

    def sample(self, index: int) -> SampleScore:
        return SampleScore(
            self.tasks[index], self.protocol, float(self.scores[index]), self.parsed[index], self.unparsed_reasons[index]
        )


class ScoringProtocol(_Protocol):
    """A way of turning (task, response, reference answer, question) into a score."""

    name: str
    version: str

    def score_many(
        self, tasks: Sequence[str], predictions: Sequence[str], answers: Sequence[str], questions: Sequence[str]
    ) -> BatchScores: ...

    def score(self, task: str, prediction: str, answer: str, question: str = "") -> SampleScore: ...


def task_specs(tasks: Sequence[str]) -> list[TaskSpec]:
    """The spec of every task id (raises UnknownTaskError on the first unknown one)."""
    cache: dict[str, TaskSpec] = {}
    return [cache.get(t) or cache.setdefault(t, task_spec(t)) for t in tasks]


class BatchProtocol:
    """Shared plumbing: `score` is `score_many` on one response."""

    name: str

    def score_many(self, tasks, predictions, answers, questions) -> BatchScores:  # pragma: no cover - abstract
        raise NotImplementedError

    def score(self, task: str, prediction: str, answer: str, question: str = "") -> SampleScore:
        """Score one response; see `score_many` for the rules."""
        return self.score_many([task], [prediction], [answer], [question]).sample(0)
