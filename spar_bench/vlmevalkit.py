"""VLMEvalKit `SparBench` prediction files in, prediction records out (for `scoring.read_predictions`), and
the matching of foreign records to a dataset's ids.

VLMEvalKit writes its inference result as `<model>_SparBench.xlsx` (or `.tsv` with `PRED_FORMAT=tsv`): the
dataset's TSV columns without the image (`index`, `question`, `answer`, `task`, `img_type`, `format_type`,
`source`, ...) plus `prediction`. Its `index` is VLMEvalKit's row index, not necessarily the dataset's `id`, so
a file is matched to a dataset before it is scored against one (`match_to_dataset`).
"""

from __future__ import annotations

import csv
import functools
import sys
from collections.abc import Sequence
from pathlib import Path

from spar_bench.errors import ScoringInputError

FOREIGN_SUFFIXES = (".xlsx", ".tsv")
TASK_COLUMNS = ("task", "category")  # SparBench names it `task`; other VLMEvalKit datasets call it `category`


class ForeignFileError(ScoringInputError, ValueError):
    """A VLMEvalKit file that cannot be read; the message names the file, row and column."""


def is_vlmevalkit_file(path: str | Path) -> bool:
    return Path(path).suffix.lower() in FOREIGN_SUFFIXES


def read_vlmevalkit(path: str | Path) -> list[dict]:
    """Prediction records (`id` from `index`, `task`, `question`, `answer`, `prediction`, `where`) of a VLMEvalKit
    prediction file, `.tsv` or `.xlsx` (the latter needs openpyxl: `pip install 'spar-bench[vlmevalkit]'`).

    Raises ForeignFileError for a file without the columns `index`, `answer`, `prediction` and a task column
    (`task` or `category`), or with an index that is not a whole number. A missing prediction (an empty
    cell) is the empty response, as VLMEvalKit itself scores it; numbers in answer cells (xlsx keeps `0.9`
    as a number) are written back as text, integers without a trailing `.0`.
    """
    path = Path(path)
    header, rows = _read_xlsx(path) if path.suffix.lower() == ".xlsx" else _read_tsv(path)
    names = [str(name).strip() if name is not None else "" for name in header]
    task_column = next((name for name in TASK_COLUMNS if name in names), None)
    lacking = [name for name in ("index", "answer", "prediction") if name not in names]
    if lacking or task_column is None:
        lacking += [] if task_column else ["task (or category)"]
        raise ForeignFileError(
            f"{path}: not a VLMEvalKit prediction file: no column {', '.join(lacking)} "
            f"(columns: {', '.join(names[:12])})"
        )
    at = {
        name: names.index(name) for name in ("index", "answer", "prediction", "question", task_column) if name in names
    }
    records = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        if not any(cell not in (None, "") for cell in row):
            continue
        cell = functools.partial(_cell, row, at)
        where = f"{path}:{number}"
        records.append(
            {
                "id": _index(cell("index"), where),
                "task": _text(cell(task_column)),
                "question": _text(cell("question")) or "",
                "answer": _text(cell("answer")),
                "prediction": _text(cell("prediction")) or "",
                "where": where,
            }
        )
    return records


def _cell(row: Sequence, at: dict[str, int], name: str) -> object:
    return row[at[name]] if name in at and at[name] < len(row) else None


def _read_tsv(path: Path) -> tuple[list, list[list]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a base64 image column can be megabytes
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    if not rows:
        raise ForeignFileError(f"{path}: empty file")
    return rows[0], rows[1:]


def _read_xlsx(path: Path) -> tuple[list, list[list]]:
    try:
        import openpyxl
    except ImportError:
        raise ForeignFileError(
            f"{path}: reading .xlsx needs openpyxl (pip install 'spar-bench[vlmevalkit]'), or "
            "write the predictions as .tsv (VLMEvalKit: PRED_FORMAT=tsv)"
        ) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise ForeignFileError(f"{path}: not a readable .xlsx file ({error})") from None
    try:
        rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    if not rows:
        raise ForeignFileError(f"{path}: empty sheet")
    return rows[0], rows[1:]


def _index(value: object, where: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool):
        raise ForeignFileError(f"{where}: column 'index': {value!r} is not a whole number")
    return value


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# ---------------------------------------------------------------- matching to a dataset


def same_answer(reference: object, answer: object) -> bool:
    """Whether two reference answers are the same: equal text, or equal numbers (`4.0` and `4`: a spreadsheet
    keeps a number, not the text it was written as)."""
    if str(reference) == str(answer):
        return True
    try:
        return float(str(reference)) == float(str(answer))
    except ValueError:
        return False


class DatasetMismatchError(ScoringInputError, ValueError):
    """Predictions that do not belong to the dataset they are checked against."""


def match_to_dataset(
    ids: Sequence, tasks: Sequence[str], questions: Sequence[str], answers: Sequence[str], reference
) -> tuple[list, int]:
    """(the dataset id of each prediction, how many were matched by their text rather than their id).

    `reference` is a `reference.Reference`. A prediction keeps its id when the dataset has that id with the same
    task and answer (and the same question, when the prediction carries one); otherwise it takes the id of the
    one dataset question with its task, question text and answer (VLMEvalKit's `index` is its own row number).
    Raises DatasetMismatchError naming the first predictions that match no question, or that match one
    already answered: a file of another dataset or revision.
    """
    by_text: dict[tuple[str, str], list] = {}
    for i, task in reference.tasks.items():
        by_text.setdefault((task, reference.questions[i]), []).append(i)
    matched, by_content, unmatched, taken = [], 0, [], set()
    for i, task, question, answer in zip(ids, tasks, questions, answers):
        same = (
            i in reference.tasks
            and reference.tasks[i] == task
            and same_answer(reference.answers[i], answer)
            and (not question or reference.questions[i] == question)
        )
        if same and i not in taken:
            matched.append(i)
            taken.add(i)
            continue
        candidates = [
            c for c in by_text.get((task, question), ()) if c not in taken and same_answer(reference.answers[c], answer)
        ]
        if not candidates:
            unmatched.append(i)
            matched.append(None)
            continue
        matched.append(candidates[0])
        taken.add(candidates[0])
        by_content += 1
    if unmatched:
        shown = ", ".join(str(i) for i in unmatched[:10])
        raise DatasetMismatchError(
            f"{len(unmatched)} prediction(s) match no question of the dataset {reference.source} (by id, or by task, "
            f"question and answer): ids {shown}; check the predictions against the dataset they were run on (--data)"
        )
    return matched, by_content
