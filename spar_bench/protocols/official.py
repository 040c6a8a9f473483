"""The official protocol: the released SPAR-Bench scorer's rules, reproduced exactly, quirks included.

It exists so that numbers comparable with the paper can be produced; `../data` behaviour cases pin it down.
Every rule and its quirk is in the docstrings of `spar_bench.metrics`.
"""

from __future__ import annotations

from spar_bench.metrics.choice import official_choice_match
from spar_bench.metrics.mra import mean_relative_accuracy
from spar_bench.metrics.numbers import official_first_number, official_last_number
from spar_bench.metrics.view_change import MOTION_AXES, official_motion_vector, official_view_change_score
from spar_bench.protocols.base import SampleScore
from spar_bench.tasks_spec import AnswerKind, ViewGroup, task_spec

# The released multi-view numeric rule substitutes -1 when the response holds no number.
_MISSING_MV_NUMBER = -1.0


class OfficialProtocol:
    """Released rules: whitespace stripped first, then per answer kind (see `score`)."""

    name = "official"
    version = "1"

    def score(self, task: str, prediction: str, answer: str) -> SampleScore:
        """Score one response.

        Numbers: the first regex match for single-view tasks (none scores 0), the last for multi-view
        tasks (none reads as -1); MRA with the released float comparison. Choices: the released
        lower-case/substring/first-character rule. Motion: the released split and swapped MRA.
        """
        spec = task_spec(task)
        prediction = prediction.strip()
        if spec.answer_kind is AnswerKind.NUMBER:
            return self._score_number(task, spec.view, prediction, answer)
        if spec.answer_kind is AnswerKind.CHOICE:
            return SampleScore(task, self.name, official_choice_match(prediction, answer), prediction.lower())
        return self._score_motion(task, prediction, answer)

    def _score_number(self, task: str, view: ViewGroup, prediction: str, answer: str) -> SampleScore:
        if view is ViewGroup.SINGLE:
            value = official_first_number(prediction)
            if value is None:
                return SampleScore(task, self.name, 0.0, None, "no number in the response")
        else:
            value = official_last_number(prediction)
            if value is None:
                score = float(mean_relative_accuracy(_MISSING_MV_NUMBER, float(answer)))
                return SampleScore(task, self.name, score, None, "no number in the response (read as -1)")
        return SampleScore(task, self.name, float(mean_relative_accuracy(value, float(answer))), value)

    def _score_motion(self, task: str, prediction: str, answer: str) -> SampleScore:
        predicted = official_motion_vector(prediction)
        if predicted is None:
            return SampleScore(task, self.name, 0.0, None, "a motion item is not `key:number`")
        reference = official_motion_vector(answer)
        if reference is None:
            raise ValueError(f"reference motion {answer!r} is malformed; validate the dataset first")
        parsed = {pos: float(v) for (pos, _), v in zip(MOTION_AXES, predicted)}
        return SampleScore(task, self.name, official_view_change_score(predicted, reference), parsed)
