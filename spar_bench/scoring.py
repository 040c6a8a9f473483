"""Offline rescoring: prediction files in, per-sample scores and summaries under every protocol out.

Reads JSONL with `id`, `task`, `answer`, `prediction` (optional: `question`, used for multiple-choice options;
`error`, set by a runner when the model or server failed; `truncated` or `finish_reason`, whether the model
stopped at its token limit) or lmms-eval samples logs, 0.6 and 0.7 shapes: the lines our tasks write (each
holds a `spar_sample` record) and those of lmms-eval's built-in `sparbench` task; or VLMEvalKit `SparBench`
prediction files (.xlsx, .tsv: `spar_bench.vlmevalkit`). A failed request is never scored: it is reported as a
failure. `check_against_dataset` matches predictions to a dataset's ids and fingerprint.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from json.encoder import encode_basestring_ascii  # the C encoder for strings
from pathlib import Path

import numpy as np

from spar_bench import __version__
from spar_bench.aggregate import Summary, summarize
from spar_bench.data import answer_problem
from spar_bench.errors import ScoringInputError
from spar_bench.model_adapters.base import truncated_by
from spar_bench.protocols import PROTOCOLS, SCORER_VERSION, BatchScores, SampleScore, get_protocol
from spar_bench.tasks_spec import TASKS_BY_ID, AnswerKind
from spar_bench.vlmevalkit import ForeignFileError, is_vlmevalkit_file, read_vlmevalkit

REQUIRED_FIELDS = ("id", "task", "answer", "prediction")


class PredictionsError(ScoringInputError, ValueError):
    """A prediction file line that cannot be scored; the message names the file, line and field."""


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

    def __len__(self) -> int:
        return len(self.ids)


# ---------------------------------------------------------------- reading


def read_predictions(paths: Sequence[str | Path], *, skip_invalid: bool = False) -> Predictions:
    """Read prediction lines from JSONL files, checking each line.

    Raises PredictionsError naming the file, line number and field for: a malformed line; a missing field; a
    null `id`, `task` or `answer`; an id that is not an integer or a string (NaN and infinities included); an
    id repeated, or written once as a number and once as a string (`0` and `"0"`); an unknown task; an answer
    that does not fit its task (`abc` for a numeric task, a malformed motion string); a non-string prediction
    of a request that did not fail. With `skip_invalid`, such lines are skipped and listed in
    `Predictions.skipped` instead. Blank lines are ignored.
    """
    out = Predictions()
    seen: dict[object, tuple[str, int | None]] = {}  # id -> (file, line) where it was read; None: look it up
    for path in paths:
        if is_vlmevalkit_file(path):
            _read_vlmevalkit(path, out, seen, skip_invalid)
            continue
        if _read_columns(path, out, seen):
            continue
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{number}"
                try:
                    record = _validated(_record(line, where), where, seen)
                except PredictionsError as error:
                    if not skip_invalid:
                        raise
                    out.skipped.append(str(error))
                    continue
                seen[record["id"]] = (str(path), number)
                if record["error"]:
                    out.failed.append({"id": record["id"], "task": record["task"], "error": record["error"]})
                    continue
                out.ids.append(record["id"])
                out.tasks.append(record["task"])
                out.answers.append(record["answer"])
                out.predictions.append(record["prediction"])
                out.questions.append(record["question"])
                out.truncated.append(record["truncated"])
    return out


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
        out.ids.append(record["id"])
        out.tasks.append(record["task"])
        out.answers.append(record["answer"])
        out.predictions.append(record["prediction"])
        out.questions.append(record["question"])
        out.truncated.append(None)


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
    from spar_bench.submit import load_reference
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
    )
    answered = fingerprint(
        (i, reference.tasks[i], reference.questions[i], reference.answers[i])
        for i in {*ids, *(f["id"] for f in predictions.failed if f["id"] in reference.tasks)}
    )
    return matched, DatasetCheck(source, reference.fingerprint, answered, len(ids), len(reference.tasks), by_text)


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
        number = int(id_)
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


# A prediction line holds one object; a line with more brackets than this goes to the line reader, so pyarrow's
# recursive JSON reader never meets a document nested deep enough to exhaust its stack.
_MAX_BRACKETS_PER_LINE = 32


def _shallow(path: str | Path) -> bool:
    """True when no line of the file holds more than _MAX_BRACKETS_PER_LINE `{` or `[` (strings included, so
    this can only send a harmless file to the slower reader); vectorized, one pass over the bytes."""
    import numpy as np

    data = np.fromfile(path, dtype=np.uint8)
    if data.size == 0:
        return True
    brackets = np.flatnonzero((data == ord("{")) | (data == ord("[")))
    if brackets.size <= _MAX_BRACKETS_PER_LINE:
        return True
    newlines = np.flatnonzero(data == ord("\n"))
    lines_of_brackets = np.searchsorted(newlines, brackets)  # the line each bracket is on
    return int(np.bincount(lines_of_brackets).max()) <= _MAX_BRACKETS_PER_LINE


def _read_columns(path: str | Path, out: Predictions, seen: dict[object, tuple[str, int | None]]) -> bool:
    """Append a whole file through pyarrow's JSON reader (several times faster than line by line) when every
    line is a flat, valid prediction record; return False, appending nothing, when any line needs the
    line-by-line reader (a parse error, a samples-log record, a missing or null field, a column of another
    type, ids that are not all integers or all strings, a repeated id, an unknown task, an answer that does
    not fit its task, a non-string prediction): that reader names the file, line and field of the problem."""
    import pyarrow as pa
    import pyarrow.json as pa_json

    if not _shallow(path):
        return False
    try:
        table = pa_json.read_json(path)
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
        column = table.column(name)
        if column.null_count or not (text(column.type) or (name == "id" and types.is_int64(column.type))):
            return False
    for name, kind in optional.items():
        if name in names and not (types.is_null(table.column(name).type) or kind(table.column(name).type)):
            return False
    column = lambda name: table.column(name).to_pylist() if name in names else [None] * table.num_rows
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
        out.ids.append(id_)
        out.tasks.append(task)
        out.answers.append(answer)
        out.predictions.append(prediction)
        out.questions.append(question or "")
        out.truncated.append(flag)
    return True


# ---------------------------------------------------------------- scoring and summaries


def protocol_names(choice: str) -> list[str]:
    """`both` -> every protocol (strict first); a single name -> [name]."""
    if choice == "both":
        return list(PROTOCOLS)
    get_protocol(choice)
    return [choice]


def score_predictions(predictions: Predictions, protocols: Iterable[str]) -> dict[str, BatchScores]:
    """{protocol: BatchScores} from one pass over the responses per protocol."""
    return {
        name: get_protocol(name).score_many(
            predictions.tasks, predictions.predictions, predictions.answers, predictions.questions
        )
        for name in protocols
    }


def summarize_scores(scored: dict[str, BatchScores], *, seed: int = 0) -> dict[str, Summary]:
    """{protocol: Summary with 95% intervals and parse-failure rates}."""
    return {name: summarize(batch.tasks, batch.scores, batch.parse_failed, seed=seed) for name, batch in scored.items()}


@dataclass(frozen=True)
class TruncationCount:
    """The responses of one task that stopped at the token limit (`truncated`), out of the `known` ones whose
    finish reason was recorded, out of `n` scored."""

    truncated: int
    known: int
    n: int

    @property
    def unknown(self) -> int:
        return self.n - self.known


def truncation_counts(predictions: Predictions) -> dict[str, TruncationCount]:
    """{task: TruncationCount} over the scored predictions; a prediction with no recorded finish reason is
    unknown, never truncated."""
    n = len(predictions)
    flags = predictions.truncated if len(predictions.truncated) == n else [None] * n
    if flags.count(None) == n:  # the common case (lmms-eval logs, foreign files): counted at C speed
        return {task: TruncationCount(0, 0, k) for task, k in Counter(predictions.tasks).items()}
    counts: dict[str, list[int]] = {}
    for task, flag in zip(predictions.tasks, flags):
        entry = counts.setdefault(task, [0, 0, 0])
        entry[2] += 1
        if flag is not None:
            entry[1] += 1
            entry[0] += flag
    return {task: TruncationCount(*entry) for task, entry in counts.items()}


def summary_json(summaries: dict[str, Summary], predictions: Predictions, *, diagnostics: bool = False) -> dict:
    """The summary document: for one protocol its block at the top level, for several one block each.

    A block has `protocol`, `scorer_version`, `overall`, `levels`, `views`, `tasks` (0-100, with `ci95`) and
    the counts `n_scored`, `n_failed` (with `failed_ids`) and `n_skipped`. With `diagnostics`, a block also
    has `diagnostics`: `n_truncated` (responses that stopped at the token limit), `n_truncation_unknown` (no
    finish reason recorded: never counted as truncated) and `tasks`, those two counts per task with
    `n_unparsed` (responses the protocol could not read). Diagnostics describe the responses a file carried,
    not the scores: a bundle's re-scored summary leaves them out.
    """
    extra = {
        "package_version": __version__,
        "n_scored": len(predictions),
        "n_failed": len(predictions.failed),
        "failed_ids": [f["id"] for f in predictions.failed],
        "n_skipped": len(predictions.skipped),
    }
    truncation = truncation_counts(predictions) if diagnostics else {}
    blocks = {}
    for name, summary in summaries.items():
        block = blocks[name] = {"protocol": name, "scorer_version": SCORER_VERSION, **summary.as_dict(), **extra}
        if not diagnostics:
            continue
        per_task = {}
        for task, item in summary.tasks.items():
            counted = truncation[task]
            rate = item.parse_failure_rate
            per_task[task] = {
                "n_unparsed": None if rate is None else round(rate * item.n / 100),
                "n_truncated": counted.truncated,
                "n_truncation_unknown": counted.unknown,
            }
        block["diagnostics"] = {
            "n_truncated": sum(t.truncated for t in truncation.values()),
            "n_truncation_unknown": sum(t.unknown for t in truncation.values()),
            "tasks": per_task,
        }
    return next(iter(blocks.values())) if len(blocks) == 1 else blocks


def sample_record(score: SampleScore) -> dict:
    """One protocol's reading of one response, JSON-ready: score (0-1), parsed, unparsed_reason, span
    ([start, end] character offsets into the response as given, or None) and rule (the reading rule, or None).
    Non-finite numbers become None."""
    return {
        "score": json_safe(score.score),
        "parsed": json_safe(score.parsed),
        "unparsed_reason": score.unparsed_reason,
        "span": None if score.span is None else [int(score.span[0]), int(score.span[1])],
        "rule": score.rule,
    }


def json_safe(value: object) -> object:
    """`value` with every non-finite float replaced by None and tuples as lists, so `json.dumps` writes valid
    JSON (never NaN or Infinity)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


def write_scored(path: str | Path, predictions: Predictions, scored: dict[str, BatchScores]) -> None:
    """One JSONL line per (prediction, protocol): id, task, protocol, score (0-1), parsed, unparsed_reason,
    span ([start, end] character offsets into the response as given) and rule (the reading rule that fired);
    span and rule are null when the protocol keeps no trace (official) or read nothing.

    Every line is valid JSON: a non-finite number is written as null. Lines are assembled from pre-encoded
    fields (encoding a million dicts one by one costs more than scoring them); values that repeat, as parsed
    letters and numbers and rule names do, are encoded once.
    """
    ids = [_json(i) for i in predictions.ids]
    encoded: dict[object, str] = {None: "null"}

    def cached(value: object) -> str:
        if isinstance(value, dict):
            return _json(value)
        text = encoded.get(value)
        if text is None:
            text = encoded[value] = _json(value)
        return text

    with open(path, "w", encoding="utf-8") as handle:
        for name, batch in scored.items():
            head = f', "protocol": {_json(name)}, "score": '
            values = batch.scores.tolist()
            scores = map(repr, values) if np.isfinite(batch.scores).all() else map(_json, values)
            spans = repeat("null") if batch.spans is None else _encoded_each(batch.spans, _span_json)
            rules = repeat("null") if batch.rules is None else _encoded_each(batch.rules, _json)
            handle.writelines(
                f'{{"id": {id_}, "task": "{task}"{head}{score}, "parsed": {cached(parsed)}, '
                f'"unparsed_reason": {cached(reason)}, "span": {span}, "rule": {rule}}}\n'
                for id_, task, score, parsed, reason, span, rule in zip(
                    ids, batch.tasks, scores, batch.parsed, batch.unparsed_reasons, spans, rules
                )
            )


def _encoded_each(values: Sequence, encode) -> list[str]:
    """`encode` of each value, computed once per distinct value (spans and rule names repeat a lot)."""
    try:
        table = {value: encode(value) for value in set(values)}
    except TypeError:  # an unhashable value (a span given as a list): encode each
        return [encode(value) for value in values]
    return list(map(table.__getitem__, values))


def _span_json(span: Sequence[int] | None) -> str:
    return "null" if span is None else f"[{int(span[0])}, {int(span[1])}]"


def _json(value: object) -> str:
    """JSON text of a field value; a non-finite float is written as null (JSON has no NaN)."""
    if type(value) is int:  # ids, mostly (bool is not int here: it must print as true/false)
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "null"
    return json.dumps(json_safe(value), allow_nan=False)
