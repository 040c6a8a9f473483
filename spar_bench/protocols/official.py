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
from spar_bench.metrics.view_change import MOTION_AXES, official_motion_vector, view_change_scores
from spar_bench.protocols.base import BatchProtocol, BatchScores, Parsed, task_specs
from spar_bench.tasks_spec import AnswerKind, ViewGroup

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
        numbers: tuple[list[int], list[float], list[float]] = ([], [], [])
        motions: tuple[list[int], list[tuple], list[tuple]] = ([], [], [])
        for i, (spec, prediction, answer) in enumerate(zip(task_specs(tasks), predictions, answers)):
            prediction = prediction.strip()
            if spec.answer_kind is AnswerKind.NUMBER:
                multi = spec.view is ViewGroup.MULTI
                value = (official_last_number if multi else official_first_number)(prediction)
                if value is None:
                    reasons[i] = "no number in the response" + (" (read as -1)" if multi else "")
                    if not multi:
                        continue
                parsed[i] = value
                numbers[0].append(i), numbers[1].append(_MISSING_MV_NUMBER if value is None else value)
                numbers[2].append(float(answer))
            elif spec.answer_kind is AnswerKind.CHOICE:
                scores[i] = official_choice_match(prediction, answer)
                parsed[i] = prediction.lower()
            else:
                vector = _motion(prediction)
                if vector is None:
                    reasons[i] = "a motion item is not `key:number`"
                    continue
                parsed[i] = {pos: v for (pos, _), v in zip(MOTION_AXES, vector)}
                motions[0].append(i), motions[1].append(vector), motions[2].append(_motion(answer))
        if numbers[0]:
            scores[numbers[0]] = mean_relative_accuracy(numbers[1], numbers[2])
        if motions[0]:
            scores[motions[0]] = view_change_scores(motions[1], motions[2], relative_to="prediction")
        return BatchScores(self.name, list(tasks), scores, parsed, reasons)
