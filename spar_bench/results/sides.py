"""One side of a comparison read to per-sample scores: a run (through `run_reader.read_run_folder`), a predictions,
samples or scored JSONL, or a leaderboard entry (summaries only, for an unpaired comparison).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from spar_bench.errors import RunFolderError
from spar_bench.predictions import Predictions, PredictionsError, read_predictions
from spar_bench.protocols import PROTOCOL_NAMES
from spar_bench.results.run_reader import NotARunError, RunReadError, read_run_folder
from spar_bench.vlmevalkit import is_vlmevalkit_file


class CompareError(RunFolderError, ValueError):
    """An input that cannot be compared; the message names the file and what it should be."""


@dataclass(frozen=True)
class Side:
    """One side of a comparison: per-sample scores (0-1) by protocol in `ids` order, or only `summaries`
    (summary_json blocks by protocol) for a leaderboard entry."""

    label: str
    ids: tuple = ()
    tasks: tuple[str, ...] = ()
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    summaries: dict[str, dict] | None = None
    fingerprint: str | None = None
    questions: tuple[str, ...] = ()  # question texts in `ids` order, where the input holds them
    grounding: dict[object, float] | None = None  # 3D grounding IoU (0-1) by sample id, where the input has some

    @property
    def paired(self) -> bool:
        return self.summaries is None


def load_side(path: str | Path, data_source: str | None = None) -> Side:
    """A side from a `spar-bench run` folder, an lmms-eval output folder, a submission bundle (`.tar.gz`,
    verified and re-scored against the reference data), all read by `run_reader.read_run_folder`; a
    predictions / samples / scored JSONL; or a leaderboard entry (JSON with `scores`). 3D grounding samples
    become the side's `grounding` (IoU by id). Raises CompareError for anything else."""
    path = Path(path)
    if path.is_dir():
        try:
            run = read_run_folder(path, data_source)
        except NotARunError:
            raise CompareError(
                f"{path}: no predictions.jsonl and no lmms-eval samples logs (*_samples_*.jsonl)"
            ) from None
        except RunReadError as error:
            raise CompareError(str(error)) from None
        return _from_predictions(str(path), run.predictions, run.fingerprint if run.kind == "spar-bench run" else None)
    if not path.is_file():
        raise CompareError(f"{path}: no such file or folder")
    with open(path, "rb") as handle:
        bundle = handle.read(2) == b"\x1f\x8b"
    if bundle or is_vlmevalkit_file(path):  # the run reader reads these as explore and prepare do
        try:
            run = read_run_folder(path, data_source)
        except RunReadError as error:
            raise CompareError(str(error)) from None
        return _from_predictions(str(path), run.predictions, run.fingerprint if bundle else None, run.scored)
    if path.suffix == ".json":
        return _from_entry(path)
    first = next((line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()), None)
    if first is None:
        raise CompareError(f"{path}: empty file")
    try:
        record = json.loads(first)
    except ValueError:
        raise CompareError(f"{path}: line 1 is not JSON; expected predictions or scored JSONL") from None
    if isinstance(record, dict) and "protocol" in record and "score" in record and "prediction" not in record:
        return _from_scored(path)
    return _from_predictions(str(path), _read([path]), None)


def _read(paths: Sequence[Path]) -> Predictions:
    try:
        return read_predictions(paths)
    except PredictionsError as error:
        raise CompareError(str(error)) from None


def _from_predictions(
    label: str, predictions: Predictions, fingerprint: str | None, scored: dict | None = None
) -> Side:
    """A side of `predictions`, scored here unless `scored` holds their scores (a verified bundle's)."""
    from spar_bench.scoring import score_predictions, summarize_grounding

    if not len(predictions) and not len(predictions.grounding):
        raise CompareError(f"{label}: no scored prediction")
    scored = scored or score_predictions(predictions, PROTOCOL_NAMES)
    grounding = None
    if len(predictions.grounding):
        ious = summarize_grounding(predictions.grounding).ious
        grounding = dict(zip(predictions.grounding.ids, ious.tolist()))
    return Side(
        label,
        tuple(predictions.ids),
        tuple(predictions.tasks),
        {name: batch.scores for name, batch in scored.items()},
        fingerprint=fingerprint,
        questions=tuple(predictions.questions),
        grounding=grounding,
    )


def _from_scored(path: Path) -> Side:
    per_protocol: dict[str, dict] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            per_protocol.setdefault(r["protocol"], {})[r["id"]] = (r["task"], float(r["score"]))
        except (ValueError, KeyError, TypeError):
            raise CompareError(f"{path}:{number}: not a scored line (id, task, protocol, score)") from None
    ids = tuple(next(iter(per_protocol.values())))
    if any(set(v) != set(ids) for v in per_protocol.values()):
        raise CompareError(f"{path}: the protocols score different ids")
    tasks = tuple(per_protocol[next(iter(per_protocol))][i][0] for i in ids)
    scores = {name: np.array([v[i][1] for i in ids], dtype=np.float64) for name, v in per_protocol.items()}
    return Side(str(path), ids, tasks, scores)


def _from_entry(path: Path) -> Side:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        scores = entry["scores"]
        summaries = {name: scores[name] for name in PROTOCOL_NAMES if name in scores}
    except (ValueError, KeyError, TypeError):
        raise CompareError(f"{path}: not a leaderboard entry (JSON with `scores`)") from None
    if not summaries:
        raise CompareError(f"{path}: the entry has no strict or official scores")
    return Side(str(path), summaries=summaries, fingerprint=(entry.get("dataset") or {}).get("fingerprint"))
