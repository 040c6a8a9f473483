"""The strict protocol: a response scores only for the answer it actually states.

Differences from the released rules, each for a reason (docs/scoring.md has the table with examples):
reasoning (`<think>`, text before `Final answer:`) is ignored; tagged and boxed answers win; an empty,
ambiguous or off-option response scores 0 instead of 1; numbers keep their sign, units and the last
stated value; MRA boundaries are compared with a 1e-9 tolerance; motion errors are relative to the
ground truth, whatever the spacing and case of the response.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from spar_bench.metrics.choice import extract_choice, parse_options
from spar_bench.metrics.mra import mean_relative_accuracy
from spar_bench.metrics.numbers import strict_numbers
from spar_bench.metrics.text import strip_reasoning, tagged_answer
from spar_bench.metrics.view_change import MOTION_NAMES, strict_motion_vector, view_change_scores
from spar_bench.protocols.base import BatchProtocol, BatchScores, Parsed, indices_by_kind
from spar_bench.tasks_spec import AnswerKind

MRA_TOLERANCE = 1e-9


def answer_text(response: str) -> str:
    """What a response states as its answer: reasoning stripped, then a tagged/boxed answer if any."""
    stated = strip_reasoning(response)
    tagged = tagged_answer(stated)
    return stated if tagged is None else tagged


# Responses repeat a lot (`A`, `1.5`): parsing is cached; every function cached here is pure.
@lru_cache(maxsize=1 << 16)
def _number(response: str) -> float | None:
    numbers = strict_numbers(answer_text(response))
    return numbers[-1] if numbers else None


@lru_cache(maxsize=1 << 16)
def _choice(response: str, options: tuple[tuple[str, str], ...]) -> tuple[str | None, str | None]:
    return extract_choice(answer_text(response), dict(options))


@lru_cache(maxsize=1 << 16)
def _motion(text: str) -> tuple[float, ...] | None:
    vector = strict_motion_vector(answer_text(text))
    return None if vector is None else tuple(vector.tolist())


@lru_cache(maxsize=1 << 12)
def _options(question: str) -> tuple[tuple[str, str], ...]:
    return tuple(parse_options(question).items())


class StrictProtocol(BatchProtocol):
    """Strict rules per answer kind (see `score_many`)."""

    name = "strict"
    version = "1"

    def score_many(
        self, tasks: Sequence[str], predictions: Sequence[str], answers: Sequence[str], questions: Sequence[str]
    ) -> BatchScores:
        """Score responses; `questions` supply the options of multiple-choice tasks ("" when unknown:
        then any letter A-H counts as an option).

        Numbers: the tagged/boxed number, else the last number stated, in meters, sign kept; MRA with
        1e-9 tolerance. Choices: the one option letter asserted (1 if it is the answer), else 0 with the
        reason. Motion: the five components read tolerantly, MRA relative to the ground truth, averaged.
        Anything unparsable scores 0 and says why in `unparsed_reasons`.
        """
        n = len(tasks)
        scores = np.zeros(n)
        parsed: list[Parsed] = [None] * n
        reasons: list[str | None] = [None] * n
        by_kind = indices_by_kind(tasks)

        for i in by_kind[AnswerKind.CHOICE]:
            question = questions[i]
            letter, reasons[i] = _choice(predictions[i], _options(question) if question else ())
            parsed[i] = letter
            scores[i] = letter is not None and letter == answers[i].strip().upper()

        numbered, values = [], []
        for i in by_kind[AnswerKind.NUMBER]:
            value = _number(predictions[i])
            if value is None:
                reasons[i] = "no number in the stated answer"
            else:
                parsed[i] = value
                numbered.append(i), values.append(value)
        if numbered:
            references = [float(answers[i]) for i in numbered]
            scores[numbered] = mean_relative_accuracy(values, references, tolerance=MRA_TOLERANCE)

        moved, vectors = [], []
        for i in by_kind[AnswerKind.MOTION]:
            vector = _motion(predictions[i])
            if vector is None:
                reasons[i] = "no `move_*/rotate_*: value` item in the stated answer"
            else:
                parsed[i] = dict(zip(MOTION_NAMES, vector))
                moved.append(i), vectors.append(vector)
        if moved:
            references = [_motion(answers[i]) for i in moved]
            scores[moved] = view_change_scores(vectors, references, tolerance=MRA_TOLERANCE)
        return BatchScores(self.name, list(tasks), scores, parsed, reasons)
