"""Verifying a bundle as untrusted input: its schema, ids and fingerprint checked, then its raw predictions
re-scored against the reference answers of the dataset (never the bundle's answers or claimed scores), giving a
`Verdict` and, when accepted, a leaderboard entry draft.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spar_bench import __version__
from spar_bench.data import NAMED_SOURCES
from spar_bench.protocols import PROTOCOL_NAMES
from spar_bench.redact import redact_args
from spar_bench.reference import Reference, load_reference
from spar_bench.results.bundle import (
    BUNDLE_FORMAT,
    DEFAULT_LIMITS,
    MANIFEST,
    PREDICTIONS,
    Limits,
    ReferenceDataRequired,
    Rejection,
    load_json_limited,
    read_bundle,
)
from spar_bench.tasks_spec import TASKS_BY_ID

_SHA256 = re.compile(r"[0-9a-f]{64}")
_SHOWN_PER_REASON = 20


@dataclass(frozen=True)
class Verdict:
    """The outcome of `verify`: `ok` when no reason was found; `scores` ({"strict": block, "official": block},
    re-scored from the reference answers) and `entry` (a leaderboard entry draft) only when ok."""

    ok: bool
    reasons: tuple[Rejection, ...] = ()
    scores: dict | None = None
    entry: dict | None = None
    manifest: dict | None = None

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


def _name_problem(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    if len(value) > 200:
        return "is longer than 200 characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "holds control characters"
    from spar_bench.results.entry import LeaderboardError, model_slug

    try:
        model_slug(value)  # the entry file is named after it
    except LeaderboardError:
        return "needs at least one letter or digit"
    return None


def _manifest_problems(manifest: object) -> list[Rejection]:
    if not isinstance(manifest, dict):
        return [Rejection("manifest_schema", "manifest.json is not a JSON object")]
    problems = []
    bad = lambda msg: problems.append(Rejection("manifest_schema", f"manifest.json: {msg}"))
    if manifest.get("bundle_format") != BUNDLE_FORMAT:
        bad(f"bundle_format must be {BUNDLE_FORMAT}")
    model = manifest.get("model")
    if not isinstance(model, dict):
        bad("model must be an object with name and organisation")
    else:
        for key in ("name", "organisation"):
            if problem := _name_problem(model.get(key)):
                bad(f"model.{key} {problem}")
    dataset = manifest.get("dataset")
    if (
        not isinstance(dataset, dict)
        or not isinstance(dataset.get("fingerprint"), str)
        or not _SHA256.fullmatch(dataset["fingerprint"])
    ):
        bad("dataset.fingerprint must be 64 lower-case hex digits")
    elif not all(isinstance(dataset.get(k), (str, type(None))) for k in ("source", "split")):
        bad("dataset.source and dataset.split must be strings")
    if not isinstance(manifest.get("predictions_sha256"), str) or not _SHA256.fullmatch(manifest["predictions_sha256"]):
        bad("predictions_sha256 must be 64 lower-case hex digits")
    return problems


@dataclass
class _Lines:
    records: list[dict] = field(default_factory=list)
    problems: list[Rejection] = field(default_factory=list)


def _parse_predictions(data: bytes, limits: Limits) -> _Lines:
    out = _Lines()
    for number, raw in enumerate(io.BytesIO(data), start=1):  # lazily: a list of every line is never built
        if number > limits.max_lines:
            out.problems.append(Rejection("too_many_lines", f"{PREDICTIONS} has more than {limits.max_lines} lines"))
            break
        if len(out.problems) > 1000:  # enough to act on; the rest would only cost memory
            break
        if not raw.strip():
            continue
        where = f"{PREDICTIONS} line {number}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            out.problems.append(Rejection("malformed_json", f"{where}: not UTF-8 ({error})"))
            continue
        if len(raw) > limits.max_line_bytes:
            out.problems.append(Rejection("line_too_long", f"{where}: longer than {limits.max_line_bytes} bytes"))
            continue
        record, problem = load_json_limited(line, limits.max_json_depth, where)
        if problem is None:
            problem = _record_problem(record, where)
        if problem is not None:
            out.problems.append(problem)
            continue
        out.records.append(record)
    return out


def _record_problem(record: object, where: str) -> Rejection | None:
    if not isinstance(record, dict):
        return Rejection("malformed_json", f"{where}: expected a JSON object")
    for name in ("id", "task", "prediction"):
        if name not in record:
            return Rejection(
                "missing_field", f"{where}: field {name!r} is missing (each line needs id, task, prediction)"
            )
    if not isinstance(record["id"], int) or isinstance(record["id"], bool):
        return Rejection("bad_field", f"{where}: field 'id' must be an integer")
    if record["task"] not in TASKS_BY_ID:
        return Rejection("unknown_task", f"{where}: task {str(record['task'])[:80]!r} is not a SPAR-Bench task")
    if record.get("error"):
        return Rejection(
            "failed_request", f"{where}: id {record['id']} is a failed request; answer it before submitting"
        )
    if not isinstance(record["prediction"], str):
        return Rejection("bad_field", f"{where}: field 'prediction' must be a string")
    nested = [k for k, v in record.items() if isinstance(v, (dict, list))]
    if nested:
        return Rejection("bad_field", f"{where}: field {nested[0]!r} must be a string, number or null")
    return None


def _reference_source(manifest: dict, data_source: str | None) -> str:
    if data_source:
        return data_source
    claimed = (manifest.get("dataset") or {}).get("source")
    if claimed == "synth":
        return "synth"
    raise ReferenceDataRequired(
        f"the bundle was run on {claimed!r}; name the reference data to check it against with --data "
        "(a hub id, a local parquet file or folder, or tiny / full)"
    )


def _grouped(problems: Iterable[Rejection]) -> tuple[Rejection, ...]:
    """At most `_SHOWN_PER_REASON` rejections per code, then one line counting the rest."""
    by_code: dict[str, list[Rejection]] = {}
    for p in problems:
        by_code.setdefault(p.code, []).append(p)
    out: list[Rejection] = []
    for code, items in by_code.items():
        out.extend(items[:_SHOWN_PER_REASON])
        if len(items) > _SHOWN_PER_REASON:
            out.append(Rejection(code, f"... and {len(items) - _SHOWN_PER_REASON} more like the above"))
    return tuple(out)


def _shown(ids: Sequence[object], limit: int = _SHOWN_PER_REASON) -> str:
    head = ", ".join(str(i) for i in list(ids)[:limit])
    return head + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


@dataclass(frozen=True)
class _Checked:
    verdict: Verdict
    predictions: Any = None  # scoring.Predictions in reference order, when accepted
    scored: dict | None = None  # {protocol: BatchScores}


def verify(
    bundle_path: str | Path,
    data_source: str | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    reference: Reference | None = None,
) -> Verdict:
    """Check an untrusted bundle and re-score it; see `Verdict`. Nothing in it is executed or unpickled.

    Rejection codes: bundle_too_large, not_a_bundle, corrupt_bundle, decompressed_too_large,
    unsafe_member_name, link_member, special_member, unexpected_member, too_many_members, missing_member,
    malformed_json, json_too_deep, manifest_schema, line_too_long, missing_field, bad_field, unknown_task,
    failed_request, duplicate_id, unknown_id, missing_id, task_mismatch, count_mismatch, sha256_mismatch,
    fingerprint_mismatch, split_mismatch. Reference data: `data_source`, else the manifest's source when it is
    the embedded `synth` set; raises ReferenceDataRequired otherwise, and DatasetError when it cannot load.
    """
    return check_bundle(bundle_path, data_source, limits=limits, reference=reference).verdict


def check_bundle(
    bundle_path: str | Path,
    data_source: str | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    reference: Reference | None = None,
) -> _Checked:
    """`verify` plus the per-sample scores (for `spar_bench.results.run_reader`: compare and explore)."""
    members, problems = read_bundle(bundle_path, limits)
    if problems:
        return _Checked(Verdict(False, _grouped(problems)))
    manifest_text = members[MANIFEST].decode("utf-8", errors="replace")
    manifest, problem = load_json_limited(manifest_text, limits.max_json_depth, MANIFEST)
    if problem is not None:
        return _Checked(Verdict(False, (problem,)))
    problems = _manifest_problems(manifest)
    lines = _parse_predictions(members[PREDICTIONS], limits)
    problems += lines.problems
    if not problems:
        sha = hashlib.sha256(members[PREDICTIONS]).hexdigest()
        if sha != manifest["predictions_sha256"]:
            problems.append(
                Rejection(
                    "sha256_mismatch",
                    f"{PREDICTIONS} has sha256 {sha}; the manifest says {manifest['predictions_sha256']}",
                )
            )
        if isinstance(manifest.get("n_predictions"), int) and manifest["n_predictions"] != len(lines.records):
            problems.append(
                Rejection(
                    "count_mismatch",
                    f"the manifest counts {manifest['n_predictions']} predictions; "
                    f"{PREDICTIONS} has {len(lines.records)}",
                )
            )
    if problems:
        return _Checked(Verdict(False, _grouped(problems), manifest=manifest if isinstance(manifest, dict) else None))

    source = _reference_source(manifest, data_source) if reference is None else reference.source
    reference = reference or load_reference(source)
    problems += _id_problems(lines.records, reference)
    claimed = manifest["dataset"]
    if claimed["fingerprint"] != reference.fingerprint:
        problems.append(
            Rejection(
                "fingerprint_mismatch",
                f"the run's dataset fingerprint {claimed['fingerprint']} is not "
                f"the reference's {reference.fingerprint} ({source})",
            )
        )
    from spar_bench.results.entry import custom_split

    split = source if source in NAMED_SOURCES else (claimed.get("split") or custom_split(reference.fingerprint))
    if claimed.get("split") and source in NAMED_SOURCES and claimed["split"] != source:
        problems.append(
            Rejection("split_mismatch", f"the manifest claims split {claimed['split']!r}; the reference is {source!r}")
        )
    if problems:
        return _Checked(Verdict(False, _grouped(problems), manifest=manifest))
    predictions, scored, scores = _rescore(lines.records, reference)
    entry = _entry(manifest, reference, split, scores, len(lines.records))
    return _Checked(Verdict(True, (), scores, entry, manifest), predictions, scored)


def _id_problems(records: list[dict], reference: Reference) -> list[Rejection]:
    problems = []
    counts = Counter(r["id"] for r in records)
    if repeated := [i for i, n in counts.items() if n > 1]:
        problems.append(Rejection("duplicate_id", f"{len(repeated)} id(s) answered more than once: {_shown(repeated)}"))
    if unknown := [i for i in counts if i not in reference.tasks]:
        problems.append(
            Rejection("unknown_id", f"{len(unknown)} id(s) are not questions of the reference split: {_shown(unknown)}")
        )
    if missing := [i for i in reference.tasks if i not in counts]:
        problems.append(
            Rejection("missing_id", f"{len(missing)} question(s) of the split have no prediction: {_shown(missing)}")
        )
    wrong = [r["id"] for r in records if r["id"] in reference.tasks and r["task"] != reference.tasks[r["id"]]]
    if wrong:
        problems.append(
            Rejection(
                "task_mismatch",
                f"{len(wrong)} prediction(s) name another task than the reference question: ids {_shown(wrong)}",
            )
        )
    return problems


def _rescore(records: list[dict], reference: Reference) -> tuple[Any, dict, dict]:
    from spar_bench.scoring import Predictions, score_predictions, summarize_scores, summary_json

    by_id = {r["id"]: r["prediction"] for r in records}
    ids = list(reference.tasks)
    predictions = Predictions(
        ids=ids,
        tasks=[reference.tasks[i] for i in ids],
        answers=[reference.answers[i] for i in ids],
        predictions=[by_id[i] for i in ids],
        questions=[reference.questions[i] for i in ids],
    )
    scored = score_predictions(predictions, PROTOCOL_NAMES)
    return predictions, scored, summary_json(summarize_scores(scored), predictions)


def _entry(manifest: dict, reference: Reference, split: str | None, scores: dict, n: int) -> dict:
    from spar_bench.protocols import SCORER_VERSION
    from spar_bench.results.entry import new_entry, variant_from_run

    model = manifest["model"]
    date = manifest.get("run_date")
    date = date[:10] if isinstance(date, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date[:10]) else None
    limits = manifest.get("image_limits")
    trained = manifest.get("trained_on_spar7m")
    return new_entry(
        model_name=model["name"],
        organisation=model["organisation"],
        adapter=model.get("adapter"),
        model_args=redact_args(model.get("model_args"))
        if isinstance(model.get("model_args"), dict)
        else model.get("model_args"),
        adapter_identity=model.get("adapter_identity"),
        generation_settings=manifest.get("generation_settings"),
        image_limits=limits if isinstance(limits, dict) else {},
        package_version=__version__,
        scorer_version=SCORER_VERSION,
        split=split,
        source=reference.source,
        fingerprint=reference.fingerprint,
        date=date or time.strftime("%Y-%m-%d", time.gmtime()),
        n_questions=n,
        predictions_sha256=manifest["predictions_sha256"],
        scores=scores,
        variant=variant_from_run(
            model.get("adapter_identity"),
            manifest.get("generation_settings"),
            trained_on_spar7m=trained if isinstance(trained, bool) else None,
        ),
    )
