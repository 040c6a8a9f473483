"""Reading predictions: prediction JSONL, lmms-eval samples logs and VLMEvalKit files in, checked `Predictions` out.

Reads JSONL with `id`, `task`, `answer`, `prediction` (optional: `question`, used for multiple-choice options;
`error`, set by a runner when the model or server failed; `truncated` or `finish_reason`, whether the model
stopped at its token limit) or lmms-eval samples logs, 0.6 and 0.7 shapes: the lines our tasks write (each
holds a `spar_sample` record) and those of lmms-eval's built-in `sparbench` task; or VLMEvalKit `SparBench`
prediction files (.xlsx, .tsv: `spar_bench.vlmevalkit`). A failed request is never scored: it is reported as a
failure. 3D grounding samples (`obj_3d_grounding`, `spar_bench_synth_3d` logs) are kept apart, in
`Predictions.grounding`. Scoring is `spar_bench.scoring`; matching to a dataset, `spar_bench.reference`.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spar_bench.data import answer_problem
from spar_bench.errors import ScoringInputError
from spar_bench.model_adapters.base import truncated_by
from spar_bench.tasks_spec import GROUNDING_TASK, TASKS_BY_ID, AnswerKind
from spar_bench.vlmevalkit import ForeignFileError, is_vlmevalkit_file, read_vlmevalkit

REQUIRED_FIELDS = ("id", "task", "answer", "prediction")


class PredictionsError(ScoringInputError, ValueError):
    """A prediction file line that cannot be scored; the message names the file, line and field."""


@dataclass
class GroundingSamples:
    """3D grounding samples (`obj_3d_grounding`, beyond SPAR-Bench's 20 tasks), read beside the predictions and
    kept apart from them: ids, reference boxes (`[x, y, z, dx, dy, dz, yaw]` text) and responses, column-wise,
    and the files they came from. Scored by `spar_bench.grounding` (`scoring.summarize_grounding`)."""

    ids: list = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    predictions: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Predictions:
    """Column-wise predictions to score, plus what was skipped or failed on the way in.

    `truncated` holds, per scored prediction, True when the model stopped at its token limit, False when it
    stopped for another reason, None when the input did not say (unknown, never counted as truncated); it may
    be left empty, which means unknown for all.
    """

    ids: list = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    predictions: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    truncated: list[bool | None] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)  # {"id", "task", "error"} of requests that got no answer
    skipped: list[str] = field(default_factory=list)  # reasons, "file:line: ...", when skipping invalid lines
    grounding: GroundingSamples = field(default_factory=GroundingSamples)  # never scored with the 20 tasks

    def __len__(self) -> int:
        return len(self.ids)

    def append(
        self, id_: object, task: str, answer: str, prediction: str, question: str = "", truncated: bool | None = None
    ) -> None:
        """Add one prediction to score: every column at once, so they never drift apart."""
        self.ids.append(id_)
        self.tasks.append(task)
        self.answers.append(answer)
        self.predictions.append(prediction)
        self.questions.append(question)
        self.truncated.append(truncated)


# ---------------------------------------------------------------- reading


def read_predictions(paths: Sequence[str | Path], *, skip_invalid: bool = False) -> Predictions:
    """Read prediction lines from JSONL files, checking each line.

    Raises PredictionsError naming the file, line number and field for: a malformed line; a missing field; a
    null `id`, `task` or `answer`; an id that is not an integer or a string (NaN and infinities included); an
    id repeated, or written once as a number and once as a string (`0` and `"0"`); an unknown task; an answer
    that does not fit its task (`abc` for a numeric task, a malformed motion string); a non-string prediction
    of a request that did not fail. With `skip_invalid`, such lines are skipped and listed in
    `Predictions.skipped` instead. Blank lines are ignored. Lines of the 3D grounding task go to
    `Predictions.grounding` (checked the same way: id, reference box, string response), never to the 20 tasks.
    """
    from spar_bench.predictions_columnar import read_columns

    out = Predictions()
    grounding_seen: dict[object, tuple[str, int | None]] = {}
    seen: dict[object, tuple[str, int | None]] = {}  # id -> (file, line) where it was read; None: look it up
    for path in paths:
        if is_vlmevalkit_file(path):
            _read_vlmevalkit(path, out, seen, skip_invalid)
            continue
        if read_columns(path, out, seen):
            continue
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{number}"
                try:
                    record = _record(line, where)
                    if record.get("task") == GROUNDING_TASK:
                        _add_grounding(record, where, grounding_seen, out.grounding)
                        continue
                    record = _validated(record, where, seen)
                except PredictionsError as error:
                    if not skip_invalid:
                        raise
                    out.skipped.append(str(error))
                    continue
                seen[record["id"]] = (str(path), number)
                if record["error"]:
                    out.failed.append({"id": record["id"], "task": record["task"], "error": record["error"]})
                    continue
                out.append(
                    record["id"],
                    record["task"],
                    record["answer"],
                    record["prediction"],
                    record["question"],
                    record["truncated"],
                )
    return out


def _add_grounding(record: dict, where: str, seen: dict, out: GroundingSamples) -> None:
    """Append one 3D grounding sample, checked: an id, a readable reference box, a string response."""
    from spar_bench.metrics.iou3d import parse_box3d

    for name in ("id", "answer", "prediction"):
        if record.get(name) is None:
            raise PredictionsError(f"{where}: field {name!r} of a 3D grounding sample is missing or null")
    id_, answer, prediction = record["id"], record["answer"], record["prediction"]
    if (problem := _id_problem(id_)) is not None:
        raise PredictionsError(f"{where}: field 'id': {problem}")
    if not isinstance(answer, str) or parse_box3d(answer) is None:
        raise PredictionsError(f"{where}: field 'answer': {str(answer)[:80]!r} is not a box [x, y, z, dx, dy, dz, yaw]")
    if not isinstance(prediction, str):
        raise PredictionsError(f"{where}: field 'prediction' must be a string")
    if id_ in seen:
        raise PredictionsError(f"{where}: field 'id': {id_!r} repeats the id of {_at(seen[id_], id_)}")
    path, _, number = where.rpartition(":")
    seen[id_] = (path, int(number))
    out.ids.append(id_)
    out.answers.append(answer)
    out.predictions.append(prediction)
    if path not in out.files:
        out.files.append(path)


def _read_vlmevalkit(path: str | Path, out: Predictions, seen: dict, skip_invalid: bool) -> None:
    """Append a VLMEvalKit prediction file's rows (see `spar_bench.vlmevalkit`), each checked like a JSONL line."""
    try:
        records = read_vlmevalkit(path)
    except ForeignFileError as error:
        raise PredictionsError(str(error)) from None
    for record in records:
        where = record.pop("where")
        try:
            record = _validated(record, where, seen)
        except PredictionsError as error:
            if not skip_invalid:
                raise
            out.skipped.append(str(error))
            continue
        seen[record["id"]] = (str(path), int(where.rsplit(":", 1)[1]))
        out.append(record["id"], record["task"], record["answer"], record["prediction"], record["question"])


def _record(line: str, where: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise PredictionsError(f"{where}: not valid JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise PredictionsError(f"{where}: nested too deeply to be a prediction record") from None
    if not isinstance(record, dict):
        raise PredictionsError(f"{where}: expected a JSON object, got {type(record).__name__}")
    return _from_samples_log(record, where)


def _from_samples_log(record: dict, where: str) -> dict:
    """The prediction record of a line: the line itself, or what an lmms-eval samples log line holds.

    Our tasks log a `spar_sample` record. lmms-eval's built-in `sparbench` task logs `doc_id`, `target`, the
    response in `filtered_resps` (0.6: `["text"]`, 0.7: `"text"`; `resps`, the raw response, only when it
    differs) and its metric values, each the whole document (`sparbench_score`: id, task, question, answer,
    prediction); some versions keep the document itself in `doc`.
    """
    sample = record.get("spar_sample")
    if isinstance(sample, dict):
        return sample
    if "doc_id" not in record or not ("filtered_resps" in record or "resps" in record):
        return record
    document = {}
    for name in ("sparbench_score", "doc"):  # `doc` wins: it is the row itself
        if isinstance(record.get(name), dict):
            document.update(record[name])
    prediction = _logged_response(record.get("filtered_resps", record.get("resps")), where)
    answer = document.get("answer", record.get("target"))
    lacking = [
        name
        for name, value in (
            ("id", document.get("id")),
            ("task", document.get("task")),
            ("question", document.get("question")),
            ("answer", answer),
        )
        if value is None
    ]
    if lacking:
        raise PredictionsError(
            f"{where}: an lmms-eval samples log line with no `spar_sample` record, and no {', '.join(lacking)} in "
            "its `doc` or `sparbench_score` record; rescoring needs the id, task, question, answer and response. "
            "Log the run with SPAR-Bench's tasks (spar_bench_*) or lmms-eval's `sparbench` task"
        )
    return {
        "id": document["id"],
        "task": document["task"],
        "question": document["question"],
        "answer": answer,
        "prediction": prediction,
    }


def _logged_response(value: object, where: str) -> str:
    """The one response of a samples log line: `"text"` (0.7), `["text"]` (0.6, or 0.7's raw `resps`), `[["text"]]`."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str):
        shown = f"{len(value)} responses" if isinstance(value, list) else json.dumps(value)[:80]
        raise PredictionsError(f"{where}: field 'filtered_resps': expected one response text, got {shown}")
    return value


def _validated(record: dict, where: str, seen: dict[object, tuple[str, int | None]]) -> dict:
    """The record's fields, checked and normalized (answer as text, question "" when absent)."""
    for name in REQUIRED_FIELDS:
        if name not in record:
            raise PredictionsError(f"{where}: field {name!r} is missing (each line needs {', '.join(REQUIRED_FIELDS)})")
    for name in ("id", "task", "answer"):
        if record[name] is None:
            raise PredictionsError(f"{where}: field {name!r} is null")
    id_, task = record["id"], record["task"]
    if (problem := _id_problem(id_)) is not None:
        raise PredictionsError(f"{where}: field 'id': {problem}")
    if not isinstance(task, str) or task not in TASKS_BY_ID:
        raise PredictionsError(f"{where}: field 'task': {task!r} is not a SPAR-Bench task")
    answer = _answer_text(record["answer"])
    if (problem := _answer_problem(task, answer) if isinstance(answer, str) else _not_text(answer)) is not None:
        raise PredictionsError(f"{where}: field 'answer': {problem}")
    error = record.get("error")
    if not error and not isinstance(record["prediction"], str):
        raise PredictionsError(f"{where}: field 'prediction' must be a string (or set 'error' for a failed request)")
    question = record.get("question")
    if question is not None and not isinstance(question, str):
        raise PredictionsError(f"{where}: field 'question' must be a string (the question with its options)")
    truncated = _truncated(record, where)
    if id_ in seen:
        raise PredictionsError(f"{where}: field 'id': {id_!r} repeats the id of {_at(seen[id_], id_)}")
    if (twin := _type_twin(id_)) is not None and twin in seen:
        raise PredictionsError(
            f"{where}: field 'id': {id_!r} and the id {twin!r} of {_at(seen[twin], twin)} differ "
            "only in type (a number and a string); write every id the same way"
        )
    return {
        "id": id_,
        "task": task,
        "answer": answer,
        "prediction": record["prediction"],
        "question": question or "",
        "error": error,
        "truncated": truncated,
    }


def _id_problem(value: object) -> str | None:
    if isinstance(value, str):
        return "an empty string is not an id" if not value else None
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    shown = json.dumps(value)[:80] if isinstance(value, (float, bool, list, dict)) else repr(value)
    return f"{shown} is not an id (an id is an integer or a string)"


def _type_twin(id_: object) -> object:
    """The id of the other type that prints the same: 7 for "7", "7" for 7; None for "07", "x", ..."""
    if isinstance(id_, int):
        return str(id_)
    try:
        number = int(str(id_))  # a str here: ids are ints or strings
    except ValueError:  # not digits, or more digits than int() reads
        return None
    return number if str(number) == id_ else None


def _at(location: tuple[str, int | None], id_: object) -> str:
    """`file:line` of an id already read; the columnar reader records only the file (pyarrow skips blank
    lines, so its row numbers are not line numbers), and the line is found again here, on the error path."""
    path, number = location
    if number is None:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):  # noqa: B007 (the line number is the result)
                try:
                    found = json.loads(line).get("id") if line.strip() else None
                except (ValueError, AttributeError):
                    continue
                if type(found) is type(id_) and found == id_:
                    break
    return f"{path}:{number}"


def _answer_text(value: object) -> object:
    """A reference answer as text: numbers (JSON numbers for numeric tasks) as Python writes them."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return value


def _not_text(value: object) -> str:
    return f"{json.dumps(value)[:80]} is not a reference answer (a string)"


@functools.lru_cache(maxsize=1 << 16)
def _answer_problem(task: str, answer: str) -> str | None:
    """Why `answer` cannot be scored under `task` (data.answer_problem, plus finite motion values), or None."""
    problem = answer_problem(task, answer)
    if problem is None and TASKS_BY_ID[task].answer_kind is AnswerKind.MOTION:
        for item in answer.split(","):
            if not math.isfinite(float(item.partition(":")[2])):
                return f"{answer!r}: item {item!r} is not a finite number"
    return problem


def _truncated(record: dict, where: str) -> bool | None:
    value = record.get("truncated")
    if value is not None:
        if not isinstance(value, bool):
            raise PredictionsError(f"{where}: field 'truncated' must be true, false or null")
        return value
    reason = record.get("finish_reason")
    if reason is not None and not isinstance(reason, str):
        raise PredictionsError(f"{where}: field 'finish_reason' must be a string or null")
    return truncated_by(reason)
