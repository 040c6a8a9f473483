"""Offline rescoring: prediction files in, per-sample scores and summaries under every protocol out.

Reads JSONL with `id`, `task`, `answer`, `prediction` (optional `question`, used for multiple-choice options,
and `error`, set by a runner when the model or server failed) or the samples logs our lmms-eval tasks write
(each line holds a `spar_sample` record). A failed request is never scored: it is reported as a failure.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii  # the C encoder for strings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spar_bench import __version__
from spar_bench.aggregate import Summary, summarize
from spar_bench.protocols import PROTOCOLS, SCORER_VERSION, BatchScores, get_protocol
from spar_bench.tasks_spec import TASKS_BY_ID

REQUIRED_FIELDS = ("id", "task", "answer", "prediction")


class PredictionsError(ValueError):
    """A prediction file line that cannot be scored; the message names the file, line and field."""


@dataclass
class Predictions:
    """Column-wise predictions to score, plus what was skipped or failed on the way in."""

    ids: list = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    predictions: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)  # {"id", "task", "error"} of requests that got no answer
    skipped: list[str] = field(default_factory=list)  # reasons, "file:line: ...", when skipping invalid lines

    def __len__(self) -> int:
        return len(self.ids)


def _record(line: str, where: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise PredictionsError(f"{where}: not valid JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(record, dict):
        raise PredictionsError(f"{where}: expected a JSON object, got {type(record).__name__}")
    return _unwrap(record)


def read_predictions(paths: Sequence[str | Path], *, skip_invalid: bool = False) -> Predictions:
    """Read prediction lines from JSONL files, checking each line.

    A malformed line, a missing field, a non-string prediction, an unknown task or a repeated id raises
    PredictionsError naming the file, line number and field; with `skip_invalid`, such lines are skipped
    and listed in `Predictions.skipped` instead. Blank lines are ignored.
    """
    out = Predictions()
    seen: dict[object, str] = {}
    for path in paths:
        if _read_columns(path, out, seen):
            continue
        with open(path, encoding="utf-8") as handle:
            lines = [(number, line) for number, line in enumerate(handle, start=1) if line.strip()]
        for number, line in lines:
            where = f"{path}:{number}"
            try:
                record = _record(line, where)
                _check(record, where, seen)
            except PredictionsError as error:
                if not skip_invalid:
                    raise
                out.skipped.append(str(error))
                continue
            seen[record["id"]] = where
            if record.get("error"):
                out.failed.append({"id": record["id"], "task": record["task"], "error": record["error"]})
                continue
            out.ids.append(record["id"])
            out.tasks.append(record["task"])
            out.answers.append(str(record["answer"]))
            out.predictions.append(record["prediction"])
            out.questions.append(record.get("question") or "")
    return out


def _read_columns(path: str | Path, out: Predictions, seen: dict[object, str]) -> bool:
    """Append a whole file through pyarrow's JSON reader (several times faster than line by line) when every
    line is a flat, valid prediction record; return False, appending nothing, when any line needs the
    line-by-line reader (a parse error, a samples-log record, a missing field, an unknown task, a repeated
    id, a non-string prediction): that reader names the file, line and field of the problem."""
    import pyarrow as pa
    import pyarrow.json as pa_json

    try:
        table = pa_json.read_json(path)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError):
        return False
    names = set(table.column_names)
    if "spar_sample" in names or not set(REQUIRED_FIELDS) <= names or table.num_rows == 0:
        return False
    column = lambda name: table.column(name).to_pylist() if name in names else [None] * table.num_rows  # noqa: E731
    ids, tasks, answers, predictions = (column(name) for name in REQUIRED_FIELDS)
    questions, errors = column("question"), column("error")
    failed = [bool(error) for error in errors]
    if (
        not set(tasks) <= TASKS_BY_ID.keys()
        or len(set(ids)) != len(ids)
        or not seen.keys().isdisjoint(ids)
        or any(not isinstance(p, str) for p, f in zip(predictions, failed) if not f)
    ):
        return False
    for number, id_ in enumerate(ids, start=1):
        seen[id_] = f"{path}:{number}"
    for id_, task, answer, prediction, question, error, fail in zip(
        ids, tasks, answers, predictions, questions, errors, failed
    ):
        if fail:
            out.failed.append({"id": id_, "task": task, "error": error})
            continue
        out.ids.append(id_)
        out.tasks.append(task)
        out.answers.append(str(answer))
        out.predictions.append(prediction)
        out.questions.append(question or "")
    return True


def _unwrap(record: dict) -> dict:
    sample = record.get("spar_sample")  # an lmms-eval samples log line written by our tasks
    return sample if isinstance(sample, dict) else record


def _check(record: dict, where: str, seen: dict[object, str]) -> None:
    for name in REQUIRED_FIELDS:
        if name not in record:
            raise PredictionsError(f"{where}: field {name!r} is missing (each line needs {', '.join(REQUIRED_FIELDS)})")
    if record["task"] not in TASKS_BY_ID:
        raise PredictionsError(f"{where}: field 'task': {record['task']!r} is not a SPAR-Bench task")
    if not record.get("error") and not isinstance(record["prediction"], str):
        raise PredictionsError(f"{where}: field 'prediction' must be a string (or set 'error' for a failed request)")
    if record["id"] in seen:
        raise PredictionsError(f"{where}: field 'id': {record['id']!r} repeats the id of {seen[record['id']]}")


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
    return {
        name: summarize(batch.tasks, batch.scores, batch.parse_failed, seed=seed) for name, batch in scored.items()
    }


def summary_json(summaries: dict[str, Summary], predictions: Predictions) -> dict:
    """The summary document: for one protocol its block at the top level, for several one block each.

    A block has `protocol`, `scorer_version`, `overall`, `levels`, `views`, `tasks` (0-100, with `ci95`).
    """
    extra = {
        "package_version": __version__,
        "n_scored": len(predictions),
        "n_failed": len(predictions.failed),
        "failed_ids": [f["id"] for f in predictions.failed],
        "n_skipped": len(predictions.skipped),
    }
    blocks = {
        name: {"protocol": name, "scorer_version": SCORER_VERSION, **summary.as_dict(), **extra}
        for name, summary in summaries.items()
    }
    return next(iter(blocks.values())) if len(blocks) == 1 else blocks


def write_scored(path: str | Path, predictions: Predictions, scored: dict[str, BatchScores]) -> None:
    """One JSONL line per (prediction, protocol): id, task, protocol, score (0-1), parsed, unparsed_reason.

    Lines are assembled from pre-encoded fields (encoding a million dicts one by one costs more than scoring
    them); values that repeat, as parsed letters and numbers do, are encoded once.
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
            handle.writelines(
                f'{{"id": {id_}, "task": "{task}"{head}{score!r}, "parsed": {cached(parsed)}, '
                f'"unparsed_reason": {cached(reason)}}}\n'
                for id_, task, score, parsed, reason in zip(
                    ids, batch.tasks, batch.scores.tolist(), batch.parsed, batch.unparsed_reasons
                )
            )


def _json(value: object) -> str:
    """JSON text of a field value; floats are finite here (protocols never parse non-finite numbers)."""
    if type(value) is int:  # ids, mostly (bool is not int here: it must print as true/false)
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value)
