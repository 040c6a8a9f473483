"""The fast path of `spar_bench.predictions.read_predictions`: a whole prediction JSONL through pyarrow's JSON reader,
taken only when every line is a flat, valid prediction record (anything else goes to the line reader, which names
the file, line and field of a problem).
"""

from __future__ import annotations

from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from spar_bench.model_adapters.base import truncated_by
from spar_bench.tasks_spec import TASKS_BY_ID

if TYPE_CHECKING:
    from spar_bench.predictions import Predictions


# A prediction line holds one object; a line with more brackets than this goes to the line reader, so pyarrow's
# recursive JSON reader never meets a document nested deep enough to exhaust its stack.
_MAX_BRACKETS_PER_LINE = 32


def _shallow(raw: bytes) -> bool:
    """True when no line of `raw` holds more than _MAX_BRACKETS_PER_LINE `{` or `[` (strings included, so
    this can only send a harmless file to the slower reader); vectorized, one pass over the bytes."""
    data = np.frombuffer(raw, dtype=np.uint8)
    if data.size == 0:
        return True
    brackets = np.flatnonzero((data == ord("{")) | (data == ord("[")))
    if brackets.size <= _MAX_BRACKETS_PER_LINE:
        return True
    newlines = np.flatnonzero(data == ord("\n"))
    lines_of_brackets = np.searchsorted(newlines, brackets)  # the line each bracket is on
    return int(np.bincount(lines_of_brackets).max()) <= _MAX_BRACKETS_PER_LINE


def read_columns(path: str | Path, out: Predictions, seen: dict[object, tuple[str, int | None]]) -> bool:
    """Append a whole file through pyarrow's JSON reader (several times faster than line by line) when every
    line is a flat, valid prediction record; return False, appending nothing, when any line needs the
    line-by-line reader (a parse error, a samples-log record, a missing or null field, a column of another
    type, ids that are not all integers or all strings, a repeated id, an unknown task, an answer that does
    not fit its task, a non-string prediction): that reader names the file, line and field of the problem."""
    import pyarrow as pa
    import pyarrow.json as pa_json

    from spar_bench.predictions import REQUIRED_FIELDS, _answer_problem, _type_twin

    raw = Path(path).read_bytes()  # read once: the bracket check and pyarrow's parse share the bytes
    if not _shallow(raw):
        return False
    try:
        table = pa_json.read_json(pa.BufferReader(raw))
    except (pa.ArrowException, OSError):
        return False
    names = set(table.column_names)
    if "spar_sample" in names or "doc_id" in names or not set(REQUIRED_FIELDS) <= names or table.num_rows == 0:
        return False
    types = pa.types
    text = lambda t: types.is_string(t) or types.is_large_string(t)
    optional = {
        "prediction": text,
        "question": text,
        "error": text,
        "finish_reason": text,
        "truncated": types.is_boolean,
    }
    for name in ("id", "task", "answer"):
        required = table.column(name)
        if required.null_count or not (text(required.type) or (name == "id" and types.is_int64(required.type))):
            return False
    for name, kind in optional.items():
        if name in names and not (types.is_null(table.column(name).type) or kind(table.column(name).type)):
            return False

    def column(name: str) -> list:
        return table.column(name).to_pylist() if name in names else [None] * table.num_rows

    ids, tasks, answers, predictions = (column(name) for name in REQUIRED_FIELDS)
    questions, errors = column("question"), column("error")
    failed = [bool(error) for error in errors]
    unique_ids = set(ids)
    if (
        not set(tasks) <= TASKS_BY_ID.keys()
        or len(unique_ids) != len(ids)
        or "" in unique_ids
        or not seen.keys().isdisjoint(unique_ids)
        or any(_answer_problem(task, answer) for task, answer in set(zip(tasks, answers)))
        or any(not isinstance(p, str) for p, f in zip(predictions, failed) if not f)
    ):
        return False
    other_type = str if isinstance(ids[0], int) else int
    if any(isinstance(k, other_type) for k in seen) and not seen.keys().isdisjoint(map(_type_twin, ids)):
        return False
    if "truncated" in names:
        truncated = column("truncated")
        if "finish_reason" in names:
            truncated = [truncated_by(r) if t is None else t for t, r in zip(truncated, column("finish_reason"))]
    elif "finish_reason" in names:
        truncated = [truncated_by(r) for r in column("finish_reason")]
    else:
        truncated = [None] * table.num_rows
    seen.update(zip(ids, repeat((str(path), None))))
    if not any(failed):
        out.ids += ids
        out.tasks += tasks
        out.answers += answers
        out.predictions += predictions
        out.questions += [question or "" for question in questions]
        out.truncated += truncated
        return True
    for id_, task, answer, prediction, question, error, flag, fail in zip(
        ids, tasks, answers, predictions, questions, errors, truncated, failed
    ):
        if fail:
            out.failed.append({"id": id_, "task": task, "error": error})
            continue
        out.append(id_, task, answer, prediction, question or "", flag)
    return True
