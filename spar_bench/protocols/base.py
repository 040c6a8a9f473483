"""What a scoring protocol returns, for one response or for many at once, and the interface it implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol as _Protocol

import numpy as np

from spar_bench.tasks_spec import AnswerKind, task_spec

# What a protocol extracted from a response: a number (meters), an option letter or normalized text,
# the five motion components keyed by name, or None when nothing could be read.
Parsed = float | str | dict[str, float] | None


@dataclass(frozen=True)
class Reading:
    """What the strict protocol read from one response: the value, the response offsets it was read from,
    the rule (`<where>: <how>`, e.g. `answer phrase: leading letter`), or the reason nothing was read."""

    value: Parsed
    span: tuple[int, int] | None = None
    rule: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class SampleScore:
    """The score of one response under one protocol.

    `score` is in [0, 1]. `parsed` is what the protocol read from the response; when it could read
    nothing, `parsed` is None and `unparsed_reason` says why (the response still gets a score: the released
    protocol gives some unparsable responses credit, and that is what it is for).

    `span` is the (start, end) character offsets, in the response as given, of the text the value was read
    from, and `rule` names the reading rule that fired (docs/scoring.md lists them); both are None when the
    protocol keeps no trace (the official one) or read nothing.
    """

    task: str
    protocol: str
    score: float
    parsed: Parsed
    unparsed_reason: str | None = None
    span: tuple[int, int] | None = None
    rule: str | None = None

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
    # The trace of each reading (see SampleScore); None when the protocol keeps none.
    spans: list[tuple[int, int] | None] | None = None
    rules: list[str | None] | None = None

    def __len__(self) -> int:
        return len(self.scores)

    @property
    def parse_failed(self) -> np.ndarray:
        return np.fromiter((reason is not None for reason in self.unparsed_reasons), dtype=bool, count=len(self))

    def sample(self, index: int) -> SampleScore:
        return SampleScore(
            self.tasks[index],
            self.protocol,
            float(self.scores[index]),
            self.parsed[index],
            self.unparsed_reasons[index],
            None if self.spans is None else self.spans[index],
            None if self.rules is None else self.rules[index],
        )


class ScoringProtocol(_Protocol):
    """A way of turning (task, response, reference answer, question) into a score."""

    name: str
    version: str

    def score_many(
        self, tasks: Sequence[str], predictions: Sequence[str], answers: Sequence[str], questions: Sequence[str]
    ) -> BatchScores: ...

    def score(self, task: str, prediction: str, answer: str, question: str = "") -> SampleScore: ...


def indices_by_kind(tasks: Sequence[str]) -> dict[AnswerKind, list[int]]:
    """Positions of the responses of each answer kind (raises UnknownTaskError on an unknown task id).

    Protocols score one kind at a time: a list comprehension per kind, then one vectorized metric call.
    """
    kinds: dict[str, AnswerKind] = {}
    by_kind: dict[AnswerKind, list[int]] = {kind: [] for kind in AnswerKind}
    for i, task in enumerate(tasks):
        kind = kinds.get(task) or kinds.setdefault(task, task_spec(task).answer_kind)
        by_kind[kind].append(i)
    return by_kind


class BatchProtocol:
    """Shared plumbing: `score` is `score_many` on one response."""

    name: str

    def score_many(self, tasks, predictions, answers, questions) -> BatchScores:  # pragma: no cover - abstract
        raise NotImplementedError

    def score(self, task: str, prediction: str, answer: str, question: str = "") -> SampleScore:
        """Score one response; see `score_many` for the rules."""
        return self.score_many([task], [prediction], [answer], [question]).sample(0)
