"""The official protocol: the released SPAR-Bench scorer's rules, reproduced exactly, quirks included.

It exists so that numbers comparable with the paper can be produced; the released behaviour cases
(tests/data) pin it down. Every rule and its quirk is in the docstrings of `spar_bench.metrics`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from spar_bench.metrics.choice import official_choice_match
from spar_bench.metrics.mra import mean_relative_accuracy
from spar_bench.metrics.numbers import official_first_number, official_last_number
from spar_bench.metrics.view_change import MOTION_NAMES, official_motion_vector, view_change_scores
from spar_bench.protocols.base import BatchProtocol, BatchScores, Parsed, indices_by_kind
from spar_bench.tasks_spec import AnswerKind, ViewGroup, task_spec

# The released multi-view numeric rule substitutes -1 when the response holds no number.
_MISSING_MV_NUMBER = -1.0


@lru_cache(maxsize=1 << 16)
def _motion(text: str) -> tuple[float, ...] | None:
    vector = official_motion_vector(text)
    return None if vector is None else tuple(vector.tolist())


class OfficialProtocol(BatchProtocol):
    """Released rules: whitespace stripped first, then per answer kind (see `score_many`)."""

    name = "official"
    version = "1"

    def score_many(
        self, tasks: Sequence[str], predictions: Sequence[str], answers: Sequence[str], questions: Sequence[str]
    ) -> BatchScores:
        """Score responses (`questions` is not used: the released rules never read the options).

        Numbers: the first regex match for single-view tasks (none scores 0), the last for multi-view
        tasks (none reads as -1); MRA with the released float comparison. Choices: the released
        lower-case / substring / first-character rule. Motion: the released split, MRA with the
        arguments swapped (error divided by the prediction), mean of five; a malformed item scores 0.
        """
        n = len(tasks)
        scores = np.zeros(n)
        parsed: list[Parsed] = [None] * n
        reasons: list[str | None] = [None] * n
        by_kind = indices_by_kind(tasks)

        for i in by_kind[AnswerKind.CHOICE]:
            prediction = predictions[i].strip()
            scores[i] = official_choice_match(prediction, answers[i])
            parsed[i] = prediction.lower()

        numbered, values, references = [], [], []
        for i in by_kind[AnswerKind.NUMBER]:
            multi = task_spec(tasks[i]).view is ViewGroup.MULTI
            value = (official_last_number if multi else official_first_number)(predictions[i])
            if value is None:
                reasons[i] = "no number in the response" + (" (read as -1)" if multi else "")
                if not multi:
                    continue
            parsed[i] = value
            numbered.append(i)
            values.append(_MISSING_MV_NUMBER if value is None else value)
            references.append(float(answers[i]))
        if numbered:
            scores[numbered] = mean_relative_accuracy(values, references)

        moved, vectors, reference_vectors = [], [], []
        for i in by_kind[AnswerKind.MOTION]:
            vector = _motion(predictions[i].strip())
            if vector is None:
                reasons[i] = "a motion item is not `key:number`"
                continue
            parsed[i] = dict(zip(MOTION_NAMES, vector))
            moved.append(i)
            vectors.append(vector)
            reference_vectors.append(_motion(answers[i]))
        if moved:
            scores[moved] = view_change_scores(vectors, reference_vectors, relative_to="prediction")
        return BatchScores(self.name, list(tasks), scores, parsed, reasons)
