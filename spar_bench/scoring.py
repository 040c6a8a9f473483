"""Offline rescoring: `Predictions` in, per-sample scores and summaries under every protocol out.

`score_predictions` scores the responses under each protocol; `summarize_scores` and `summary_json` aggregate
them; `write_scored` writes the per-sample lines. 3D grounding samples, kept apart by the reader, are
summarized by `summarize_grounding` (mean IoU, Acc@0.25, Acc@0.5). Reading is `spar_bench.predictions`; its
names are importable from here too.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from json.encoder import encode_basestring_ascii  # the C encoder for strings
from pathlib import Path
from typing import cast

import numpy as np

from spar_bench import __version__
from spar_bench.aggregate import Summary, summarize
from spar_bench.predictions import (
    REQUIRED_FIELDS,
    GroundingSamples,
    Predictions,
    PredictionsError,
    read_predictions,
)
from spar_bench.protocols import PROTOCOLS, SCORER_VERSION, BatchScores, SampleScore, get_protocol
from spar_bench.reference import DatasetCheck, check_against_dataset

__all__ = [
    "REQUIRED_FIELDS",
    "DatasetCheck",
    "GroundingSamples",
    "GroundingSummary",
    "Predictions",
    "PredictionsError",
    "TruncationCount",
    "check_against_dataset",
    "json_safe",
    "protocol_names",
    "read_predictions",
    "sample_record",
    "score_predictions",
    "summarize_grounding",
    "summarize_scores",
    "summary_json",
    "truncation_counts",
    "write_scored",
]


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


def summarize_scores(scored: dict[str, BatchScores]) -> dict[str, Summary]:
    """{protocol: Summary with 95% intervals and parse-failure rates}."""
    return {
        name: summarize(batch.tasks, cast("Sequence[float]", batch.scores), cast("Sequence[bool]", batch.parse_failed))
        for name, batch in scored.items()
    }


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


@dataclass(frozen=True)
class GroundingSummary:
    """3D grounding over `n` samples, in points (0-100): mean IoU, the share with IoU >= 0.25 and >= 0.5, and
    the share whose response held no readable box (scored IoU 0). `ious` holds each sample's IoU (0-1)."""

    n: int
    mean_iou: float
    acc_25: float
    acc_50: float
    unparsed: float
    ious: np.ndarray

    def as_dict(self) -> dict:
        """The summary JSON block: `task`, `n`, `mean_iou`, `acc_25`, `acc_50`, `unparsed_rate`."""
        from spar_bench.tasks_spec import GROUNDING_TASK

        return {
            "task": GROUNDING_TASK,
            "n": self.n,
            "mean_iou": round(self.mean_iou, 4),
            "acc_25": round(self.acc_25, 4),
            "acc_50": round(self.acc_50, 4),
            "unparsed_rate": round(self.unparsed, 4),
        }


def summarize_grounding(samples: GroundingSamples) -> GroundingSummary:
    """Score each grounding response against its reference box (`spar_bench.grounding.score_grounding`) and
    summarize; an empty `samples` gives n 0 and NaN values."""
    from spar_bench.grounding import score_grounding

    scores = score_grounding(samples.predictions, samples.answers)
    ious = np.array([s.iou for s in scores], dtype=np.float64)
    if not len(ious):
        return GroundingSummary(0, math.nan, math.nan, math.nan, math.nan, ious)
    unparsed = np.array([s.parsed is None for s in scores])
    return GroundingSummary(
        len(ious),
        100.0 * float(ious.mean()),
        100.0 * float((ious >= 0.25).mean()),
        100.0 * float((ious >= 0.5).mean()),
        100.0 * float(unparsed.mean()),
        ious,
    )


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
