"""The strict protocol: a response scores only for the answer it states, read the way a careful grader reads it.

`reading.py` locates the stated answer and reads its value (with the span and the rule that fired); this
module scores the readings: exact match for choices, MRA with a 1e-9 tolerance at the bounds for numbers and
for each motion component (relative to the ground truth). docs/scoring.md lists every rule with an example
(written from `rule_examples.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import cast

import numpy as np

from spar_bench.metrics.mra import mean_relative_accuracy
from spar_bench.metrics.view_change import MOTION_NAMES, view_change_scores
from spar_bench.protocols.base import BatchProtocol, BatchScores, Parsed, indices_by_kind
from spar_bench.protocols.reading import Reading, read_response
from spar_bench.tasks_spec import AnswerKind

MRA_TOLERANCE = 1e-9
__all__ = ["MRA_TOLERANCE", "Reading", "StrictProtocol", "read_response"]


class StrictProtocol(BatchProtocol):
    """Strict rules per answer kind (see `score_many`)."""

    name = "strict"
    version = "2"

    def score_many(
        self, tasks: Sequence[str], predictions: Sequence[str], answers: Sequence[str], questions: Sequence[str]
    ) -> BatchScores:
        """Score responses; `questions` supply the options of multiple-choice tasks and the values a numeric
        answer must not merely echo ("" when unknown: then any letter A-H counts as an option).

        Choices: 1 when the option read is the answer. Numbers: MRA of the value read (meters) with a 1e-9
        tolerance at the bounds. Motion: MRA of each of the five components read, relative to the ground
        truth, averaged. Anything unreadable scores 0 and says why; every reading keeps its span and rule.
        """
        n = len(tasks)
        scores = np.zeros(n)
        parsed: list[Parsed] = [None] * n
        reasons: list[str | None] = [None] * n
        spans: list[tuple[int, int] | None] = [None] * n
        rules: list[str | None] = [None] * n
        by_kind = indices_by_kind(tasks)

        def keep(i: int, reading: Reading) -> bool:
            parsed[i], spans[i], rules[i], reasons[i] = reading.value, reading.span, reading.rule, reading.reason
            return reading.value is not None

        for i in by_kind[AnswerKind.CHOICE]:
            if keep(i, read_response(AnswerKind.CHOICE, predictions[i], questions[i])):
                scores[i] = parsed[i] == answers[i].strip().upper()

        numbered = [
            i
            for i in by_kind[AnswerKind.NUMBER]
            if keep(i, read_response(AnswerKind.NUMBER, predictions[i], questions[i]))
        ]
        if numbered:
            references = [float(answers[i]) for i in numbered]
            scores[numbered] = mean_relative_accuracy(
                [parsed[i] for i in numbered], references, tolerance=MRA_TOLERANCE
            )

        moved = [i for i in by_kind[AnswerKind.MOTION] if keep(i, read_response(AnswerKind.MOTION, predictions[i]))]
        if moved:
            vectors = [[cast(dict, parsed[i])[name] for name in MOTION_NAMES] for i in moved]
            reference_vectors = [_reference_motion(answers[i]) for i in moved]
            scores[moved] = view_change_scores(vectors, reference_vectors, tolerance=MRA_TOLERANCE)
        return BatchScores(self.name, list(tasks), scores, parsed, reasons, spans, rules)


@lru_cache(maxsize=1 << 12)
def _reference_motion(answer: str) -> tuple[float, ...]:
    reading = read_response(AnswerKind.MOTION, answer)
    if reading.value is None:
        raise ValueError(f"reference motion {answer!r} has no `move_*/rotate_*: value` item")
    return tuple(cast(dict, reading.value)[name] for name in MOTION_NAMES)
