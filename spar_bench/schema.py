"""The SPAR-Bench row schema and its checks: which columns a dataset needs, what each field of a row may hold,
and the errors that name every bad row by id, field and problem.

Rows are read undecoded (`undecoded_rows`), so checking a dataset never decodes its images unless asked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spar_bench.errors import DataError
from spar_bench.images import image_problem
from spar_bench.metrics.view_change import MOTION_KEYS
from spar_bench.tasks_spec import TASKS_BY_ID, AnswerKind

if TYPE_CHECKING:  # datasets is imported lazily: scoring never needs it
    import datasets

__all__ = [
    "OPTION_LETTERS",
    "REQUIRED_COLUMNS",
    "DatasetError",
    "DatasetRowError",
    "DatasetUnavailableError",
    "RowProblem",
    "answer_problem",
    "row_problems",
    "undecoded_rows",
    "validate_dataset",
    "validate_rows",
]

REQUIRED_COLUMNS = ("id", "task", "question", "answer", "image")
OPTION_LETTERS = frozenset("ABCDEFGH")


class DatasetError(DataError):
    """The dataset could not be loaded or is not in the SPAR-Bench schema."""


class DatasetUnavailableError(DatasetError):
    """A hub dataset could not be reached and is not cached."""


@dataclass(frozen=True)
class RowProblem:
    row_id: object
    field: str
    problem: str

    def __str__(self) -> str:
        return f"row id {self.row_id}: field {self.field!r}: {self.problem}"


class DatasetRowError(DatasetError):
    """One or more rows break the schema; `problems` lists each (row id, field, problem)."""

    def __init__(self, source: str, problems: Sequence[RowProblem], total: int | None = None):
        self.source = source
        self.problems = list(problems)
        total = len(self.problems) if total is None else total
        shown = "\n".join(f"  {p}" for p in self.problems)
        more = f"\n  ... and {total - len(self.problems)} more" if total > len(self.problems) else ""
        super().__init__(f"{source}: {total} invalid row(s); fix or drop them and load again:\n{shown}{more}")


def answer_problem(task: str, answer: object) -> str | None:
    """Why `answer` cannot be a reference answer of `task`, or None when it fits."""
    if not isinstance(answer, str) or not answer.strip():
        return "answer is empty"
    kind = TASKS_BY_ID[task].answer_kind
    if kind is AnswerKind.NUMBER:
        try:
            value = float(answer)
        except ValueError:
            return f"{answer!r} is not a number in meters, as task {task!r} needs"
        return None if math.isfinite(value) else f"{answer!r} is not a finite number"
    if kind is AnswerKind.CHOICE:
        if answer not in OPTION_LETTERS:
            return f"{answer!r} is not an option letter (A-H), as task {task!r} needs"
        return None
    items = answer.split(",")
    for item in items:
        key, sep, number = item.partition(":")
        if not sep or key not in MOTION_KEYS:
            return f"{answer!r}: item {item!r} is not `key:value` with a known motion key"
        try:
            float(number)
        except ValueError:
            return f"{answer!r}: item {item!r} has no numeric value"
    return None


def row_problems(row: dict[str, Any], *, decode_images: bool = False) -> list[RowProblem]:
    """Every schema problem of one row; images (undecoded `{"bytes", "path"}` dicts or bytes) are checked
    only when the row has an `image` key, so text fields can be checked alone and cheaply (see `image_problem`
    for `decode_images`)."""
    row_id = row.get("id")
    problems: list[RowProblem] = []
    if not isinstance(row_id, int):
        problems.append(RowProblem(row_id, "id", "missing or not an integer"))
    task = row.get("task")
    if task not in TASKS_BY_ID:
        problems.append(RowProblem(row_id, "task", f"{task!r} is not a SPAR-Bench task"))
    elif (problem := answer_problem(task, row.get("answer"))) is not None:
        problems.append(RowProblem(row_id, "answer", problem))
    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        problems.append(RowProblem(row_id, "question", "empty"))
    if "image" in row and (problem := image_problem(row["image"], decode=decode_images)) is not None:
        problems.append(RowProblem(row_id, "image", problem))
    return problems


def validate_rows(
    rows: Iterable[dict[str, Any]], source: str, *, max_shown: int = 20, decode_images: bool = False
) -> int:
    """Check every row; return the row count, or raise DatasetRowError listing the problems found.

    Also rejects duplicate ids, since results are keyed by id.
    """
    problems: list[RowProblem] = []
    seen: set[object] = set()
    count = 0
    for row in rows:
        count += 1
        problems.extend(row_problems(row, decode_images=decode_images))
        row_id = row.get("id")
        if row_id in seen:
            problems.append(RowProblem(row_id, "id", "duplicate id"))
        seen.add(row_id)
    if problems:
        raise DatasetRowError(source, problems[:max_shown], total=len(problems))
    if count == 0:
        raise DatasetError(f"{source}: the dataset has no rows")
    return count


def validate_dataset(dataset: datasets.Dataset, source: str, *, decode_images: bool = False) -> datasets.Dataset:
    """Validate a `datasets.Dataset` in the hub schema; returns it unchanged. Images are checked by header and
    pixel cap, and with `decode_images` decoded in full (what `spar-bench validate` does)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in dataset.column_names]
    if missing:
        raise DatasetError(
            f"{source}: missing column(s) {', '.join(missing)}; the SPAR-Bench schema has "
            f"{', '.join(REQUIRED_COLUMNS)} (plus img_type, format_type, source)"
        )
    validate_rows(undecoded_rows(dataset, REQUIRED_COLUMNS), source, decode_images=decode_images)
    return dataset


def undecoded_rows(dataset: datasets.Dataset, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Rows as plain dicts read straight from arrow, so images stay `{"bytes", "path"}` and are not decoded."""
    table = dataset.with_format("arrow")
    for start in range(0, len(dataset), 1000):
        yield from table[start : start + 1000].select(list(columns)).to_pylist()
