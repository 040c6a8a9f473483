"""The reference data predictions are checked against: a dataset's questions and answers by id (`Reference`), and
predictions matched to them (`check_against_dataset`, used by `spar-bench score --data`, VLMEvalKit files and
bundle verification).
"""

from __future__ import annotations

from dataclasses import dataclass

from spar_bench.predictions import Predictions, PredictionsError


@dataclass(frozen=True)
class Reference:
    """The reference data a bundle is checked against: source name, fingerprint, and columns by id."""

    source: str
    fingerprint: str
    tasks: dict[int, str]
    questions: dict[int, str]
    answers: dict[int, str]


def load_reference(source: str) -> Reference:
    """Reference questions and answers of a dataset (see `spar_bench.data.load_dataset`); images unread."""
    from spar_bench.data import dataset_fingerprint, load_dataset

    dataset = load_dataset(source)
    columns = dataset.select_columns(["id", "task", "question", "answer"]).to_dict()
    ids = columns["id"]
    return Reference(
        source,
        dataset_fingerprint(dataset),
        dict(zip(ids, columns["task"])),
        dict(zip(ids, columns["question"])),
        dict(zip(ids, columns["answer"])),
    )


@dataclass(frozen=True)
class DatasetCheck:
    """How predictions matched a dataset: `n` of its `n_dataset` questions answered, `by_text` of them matched
    by task, question and answer (not by id), and the fingerprint of the answered questions, equal to the
    dataset's `fingerprint` when every question is answered."""

    source: str
    fingerprint: str
    answered_fingerprint: str
    n: int
    n_dataset: int
    by_text: int

    @property
    def complete(self) -> bool:
        return self.answered_fingerprint == self.fingerprint


def check_against_dataset(predictions: Predictions, source: str) -> tuple[Predictions, DatasetCheck]:
    """The predictions under the dataset's ids and question texts, and how they matched (`DatasetCheck`).

    Each prediction is matched to a question of the dataset `source` by its id, else by its task, question and
    answer (a VLMEvalKit file numbers its rows itself): see `vlmevalkit.match_to_dataset`. Raises
    PredictionsError when a prediction matches no question (a file of another dataset or revision), and
    `data.DatasetError` when the dataset cannot be loaded. Failed requests are matched by id only.
    """
    from spar_bench.data import fingerprint
    from spar_bench.vlmevalkit import DatasetMismatchError, match_to_dataset

    reference = load_reference(source)
    try:
        ids, by_text = match_to_dataset(
            predictions.ids, predictions.tasks, predictions.questions, predictions.answers, reference
        )
    except DatasetMismatchError as error:
        raise PredictionsError(str(error)) from None
    matched = Predictions(
        ids=ids,
        tasks=list(predictions.tasks),
        answers=[reference.answers[i] for i in ids],
        predictions=list(predictions.predictions),
        questions=[reference.questions[i] for i in ids],
        truncated=list(predictions.truncated),
        failed=list(predictions.failed),
        skipped=list(predictions.skipped),
        grounding=predictions.grounding,
    )
    answered = fingerprint(
        (i, reference.tasks[i], reference.questions[i], reference.answers[i])
        for i in {*ids, *(f["id"] for f in predictions.failed if f["id"] in reference.tasks)}
    )
    return matched, DatasetCheck(source, reference.fingerprint, answered, len(ids), len(reference.tasks), by_text)
