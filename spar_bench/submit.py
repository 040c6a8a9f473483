"""Leaderboard submissions: a finished run packed into one bundle, and that bundle verified as untrusted input.

`prepare` turns a `spar-bench run` folder or an lmms-eval output folder (samples logged by our tasks) into a
`.tar.gz` holding `manifest.json` and `predictions.jsonl`. `verify` reads a bundle as a stream under size
caps, checks its schema, ids and fingerprint, and re-scores the raw predictions against the reference answers
of the dataset (never the bundle's answers or claimed scores). `add` writes the verified entry.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import re
import tarfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spar_bench import __version__
from spar_bench.errors import BundleError
from spar_bench.redact import find_secrets, redact_args
from spar_bench.tasks_spec import TASKS_BY_ID

BUNDLE_FORMAT = 1
MANIFEST = "manifest.json"
PREDICTIONS = "predictions.jsonl"
MEMBERS = (MANIFEST, PREDICTIONS)
SHORT_SOURCES = ("synth", "tiny", "full", "tiny-rgbd", "full-rgbd")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SHOWN_PER_REASON = 20


@dataclass(frozen=True)
class Limits:
    """Caps applied before and while a bundle is read; every one is checked without trusting the bundle."""

    max_bundle_bytes: int = 200 * 2**20  # compressed file on disk
    max_decompressed_bytes: int = 40 * 2**20  # everything gzip yields, tar headers and padding included
    max_manifest_bytes: int = 1 * 2**20
    # The full benchmark's predictions take about 3 MB; the cap is checked on the member's header, before a byte
    # of it is inflated, and again as it is read.
    max_predictions_bytes: int = 32 * 2**20
    max_line_bytes: int = 64 * 2**10  # one predictions line
    max_lines: int = 200_000  # lines of predictions.jsonl, blank ones included
    max_json_depth: int = 16
    max_members: int = 8
    max_seconds: float = 10.0  # wall time to inflate and read the archive


DEFAULT_LIMITS = Limits()


class SubmissionError(BundleError):
    """A submission could not be prepared or checked for a reason outside the bundle itself."""


class PrepareError(SubmissionError):
    """A run folder that cannot be packed; the message says what to fix."""


class ReferenceDataRequired(SubmissionError):
    """The manifest names a dataset that is not embedded: the verifier must name the reference data."""


@dataclass(frozen=True)
class Rejection:
    """One reason a bundle is rejected: a stable `code` (tests and tools match on it) and a message."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


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


# ---------------------------------------------------------------- prepare


def prepare(
    run_dir: str | Path,
    model_name: str,
    org: str,
    out_path: str | Path,
    data: str | None = None,
    *,
    trained_on_spar7m: bool | None = None,
) -> Path:
    """Pack a run folder into `out_path` (`.tar.gz`); returns the path. `trained_on_spar7m` (None: not
    stated) goes into the manifest and from there into the entry's variant.

    `run_dir` is a `spar-bench run` output folder (predictions.jsonl + results.json) or an lmms-eval output
    folder with `*_samples_<task>.jsonl` logs written by our tasks. Raises PrepareError when the folder is
    neither, when a request failed (rerun it first: a failure is never submitted as an answer), or when a
    question id repeats. The bundle is byte-for-byte reproducible for the same run.
    """
    run_dir = Path(run_dir)
    for label, value in (("--model-name", model_name), ("--org", org)):
        if problem := _name_problem(value):
            raise PrepareError(f"{label} {value!r}: {problem}")
    if run_dir.is_file():
        records, meta = _from_foreign_file(run_dir, data)
    elif (run_dir / "predictions.jsonl").is_file() and (run_dir / "results.json").is_file():
        records, meta = _from_runner(run_dir)
    elif samples := sorted(run_dir.rglob("*_samples_*.jsonl")):
        records, meta = _from_lmms_eval(run_dir, samples)
    else:
        raise PrepareError(
            f"{run_dir}: neither a `spar-bench run` folder (predictions.jsonl and results.json) nor an lmms-eval "
            "output folder with samples logs (*_samples_<task>.jsonl; run lmms-eval with --log_samples)"
        )
    if secrets := _folder_secrets(run_dir):
        raise PrepareError(
            f"{run_dir} still holds a secret ({'; '.join(secrets)}); nothing was packed. Delete the file or the key "
            "in it (rotate the key if the folder was shared), and pass keys through $OPENAI_API_KEY or "
            "api_key_file=PATH, which are never written"
        )
    failed = [r["id"] for r in records if r.get("error")]
    if failed:
        raise PrepareError(
            f"{len(failed)} request(s) failed and have no answer (ids {_shown(failed)}); "
            "run the same command again to retry them before submitting"
        )
    repeated = [i for i, n in Counter(r["id"] for r in records).items() if n > 1]
    if repeated:
        raise PrepareError(
            f"question id(s) answered more than once: {_shown(repeated)} (two runs in one folder? point at one run)"
        )
    predictions = "".join(
        json.dumps(
            {k: r[k] for k in ("id", "task", "answer", "prediction", "question") if r.get(k) is not None},
            ensure_ascii=False,
        )
        + "\n"
        for r in records
    ).encode("utf-8")
    manifest = {
        "bundle_format": BUNDLE_FORMAT,
        "model": {
            "name": model_name,
            "organisation": org,
            "adapter": meta.get("adapter"),
            "model_args": redact_args(meta.get("model_args")),
            "adapter_identity": meta.get("adapter_identity"),
        },
        "generation_settings": meta.get("generation_settings"),
        "image_limits": meta.get("image_limits"),
        "package_version": meta.get("package_version"),
        "scorer_version": meta.get("scorer_version"),
        "dataset": meta["dataset"],
        "run_date": meta.get("date"),
        "run_kind": meta["run_kind"],
        "n_predictions": len(records),
        "predictions_sha256": hashlib.sha256(predictions).hexdigest(),
        "claimed_scores": meta.get("claimed_scores"),
        "prepared_with": __version__,
        **({"trained_on_spar7m": trained_on_spar7m} if trained_on_spar7m is not None else {}),
    }
    return write_bundle(out_path, json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"), predictions)


_SECRET_SCAN_BYTES = 16 * 2**20


def _folder_secrets(run_dir: Path) -> list[str]:
    """'file: what' for each secret found in the folder's metadata files (results, identity, servers, lmms-eval's
    results JSON); samples logs and predictions hold model output only and are not scanned."""
    found = []
    for path in sorted(run_dir.rglob("*.json")):
        if not path.is_file() or path.stat().st_size > _SECRET_SCAN_BYTES:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(run_dir)}: {what}" for what in find_secrets(text)]
    return found


def write_bundle(
    out_path: str | Path, manifest: bytes, predictions: bytes, extra: Sequence[tuple[str, bytes]] = ()
) -> Path:
    """A `.tar.gz` of the manifest and predictions bytes with fixed times and owners (reproducible).
    `extra` members exist for tests that build hostile bundles."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(out_path, "wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar,
    ):
        for name, data in ((MANIFEST, manifest), (PREDICTIONS, predictions), *extra):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return out_path


def _from_runner(run_dir: Path) -> tuple[list[dict], dict]:
    try:
        results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
        metadata = results["metadata"]
        records = [
            json.loads(line)
            for line in (run_dir / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    except (ValueError, KeyError, TypeError) as error:
        raise PrepareError(
            f"{run_dir}: results.json or predictions.jsonl is not as `spar-bench run` writes it ({error})"
        ) from None
    source = metadata.get("data_source")
    return records, {
        "run_kind": "spar-bench run",
        "adapter": metadata.get("model"),
        "model_args": metadata.get("model_args"),
        "adapter_identity": metadata.get("adapter"),
        "generation_settings": metadata.get("generation_settings"),
        "image_limits": _image_limits(metadata.get("adapter") or metadata.get("model_args")),
        "package_version": metadata.get("package_version"),
        "scorer_version": metadata.get("scorer_version"),
        "date": metadata.get("date"),
        "dataset": {
            "source": source,
            "split": source if source in SHORT_SOURCES else None,
            "fingerprint": metadata.get("dataset_fingerprint"),
        },
        "claimed_scores": results.get("protocols"),
    }


def _from_lmms_eval(run_dir: Path, samples: Sequence[Path]) -> tuple[list[dict], dict]:
    from spar_bench.data import fingerprint
    from spar_bench.task_sets import UnknownTaskSetError, resolve_task_set

    records: list[dict] = []
    sources: set[str] = set()
    for path in samples:
        task_set = path.stem.split("_samples_", 1)[1]
        # An include_path task named otherwise: the fingerprint still says which questions it had.
        with contextlib.suppress(UnknownTaskSetError):
            sources.add(resolve_task_set(task_set)[0])
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:  # the reader `spar-bench score` uses: our tasks' lines and the built-in `sparbench` task's
                sample = _samples_log_record(json.loads(line), f"{path}:{number}")
            except (ValueError, TypeError, AttributeError) as error:
                raise PrepareError(
                    f"{path}:{number}: not a samples-log line of SPAR-Bench's tasks or lmms-eval's "
                    f"`sparbench` task ({error})"
                ) from None
            if sample.get("task") in TASKS_BY_ID:  # the 3D grounding task is not part of the 20-task benchmark
                records.append(sample)
    if not records:
        raise PrepareError(f"{run_dir}: the samples logs hold no SPAR-Bench task sample")
    source = sources.pop() if len(sources) == 1 else None
    meta: dict[str, Any] = {
        "run_kind": "lmms-eval",
        "dataset": {
            "source": source,
            "split": source if source in SHORT_SOURCES else None,
            "fingerprint": fingerprint((r["id"], r["task"], r["question"], r["answer"]) for r in records),
        },
    }
    results_files = sorted(run_dir.rglob("*_results.json"))
    if results_files:
        try:
            results = json.loads(results_files[-1].read_text(encoding="utf-8"))
        except ValueError:
            results = {}
        config = results.get("config") or {}
        model_args = config.get("model_args")
        if isinstance(model_args, str):
            from spar_bench.runner import parse_model_args

            with contextlib.suppress(ValueError):
                model_args = parse_model_args(model_args)
        gen_kwargs = [
            c.get("generation_kwargs") for c in (results.get("configs") or {}).values() if isinstance(c, dict)
        ]
        meta.update(
            {
                "adapter": config.get("model"),
                "model_args": model_args,
                "image_limits": _image_limits(model_args),
                "generation_settings": gen_kwargs[0] if gen_kwargs else None,
                "date": results.get("date"),
                "claimed_scores": _lmms_claimed(results),
            }
        )
    return records, meta


def _samples_log_record(line: object, where: str) -> dict:
    from spar_bench.scoring import _from_samples_log

    if not isinstance(line, dict):
        raise TypeError("not a JSON object")
    return _from_samples_log(line, where)


def _from_foreign_file(path: Path, data: str | None) -> tuple[list[dict], dict]:
    """A VLMEvalKit SparBench prediction file, matched to the ids of the dataset `data` (its `index` is
    VLMEvalKit's own row number): records under the dataset's ids, question texts and answers."""
    from spar_bench.data import DatasetError
    from spar_bench.scoring import PredictionsError, check_against_dataset, read_predictions
    from spar_bench.vlmevalkit import is_vlmevalkit_file

    if not is_vlmevalkit_file(path):
        raise PrepareError(
            f"{path}: a file to pack must be a VLMEvalKit prediction file (.xlsx or .tsv); a run is a folder"
        )
    if not data:
        raise PrepareError(
            f"{path}: a VLMEvalKit file numbers its rows itself; name the dataset it was run on with "
            "--data (a hub id, a parquet file or folder, or tiny / full) so that its rows get the "
            "dataset's ids"
        )
    try:
        predictions, checked = check_against_dataset(read_predictions([path]), data)
    except (PredictionsError, DatasetError) as error:
        raise PrepareError(str(error)) from None
    records = [
        {"id": i, "task": t, "answer": a, "prediction": p, "question": q}
        for i, t, a, p, q in zip(
            predictions.ids, predictions.tasks, predictions.answers, predictions.predictions, predictions.questions
        )
    ]
    return records, {
        "run_kind": "vlmevalkit",
        "dataset": {
            "source": data,
            "split": data if data in SHORT_SOURCES else None,
            "fingerprint": checked.answered_fingerprint,
        },
    }


def _lmms_claimed(results: dict) -> dict | None:
    from spar_bench.lmms_cli import summaries_from_lmms_results

    try:
        return {name: s.as_dict() for name, s in summaries_from_lmms_results(results).items()} or None
    except (ValueError, KeyError, TypeError):
        return None


def _image_limits(settings: object) -> dict | None:
    """The image-resolution settings of an adapter identity or model arguments, None when there are none."""
    from spar_bench.leaderboard import image_limits

    return image_limits(settings if isinstance(settings, dict) else None) or None


# ---------------------------------------------------------------- reading a bundle


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


class _CappedStream:
    """Decompressed bytes of a gzip file, counted as they are read; past `cap` bytes or `deadline` (a
    `time.monotonic()` value) the read raises, so a compression bomb costs at most `cap` bytes of work."""

    def __init__(self, raw: io.BufferedReader, cap: int, deadline: float = float("inf")):
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")
        self._cap = cap
        self._deadline = deadline
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        if time.monotonic() > self._deadline:
            raise _TooSlow
        room = self._cap + 1 - self.count
        want = min(room, 2**20) if size is None or size < 0 else min(size, room, 2**20)
        data = self._gzip.read(max(want, 1))
        self.count += len(data)
        if self.count > self._cap:
            raise _TooLarge
        return data


def _member_problem(member: tarfile.TarInfo) -> Rejection | None:
    name = member.name
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in re.split(r"[/\\]", name):
        return Rejection("unsafe_member_name", f"member {name!r} is an absolute path or climbs out with '..'")
    if member.issym() or member.islnk():
        return Rejection("link_member", f"member {name!r} is a link (to {member.linkname!r}); only files are accepted")
    if not member.isreg():
        return Rejection("special_member", f"member {name!r} is not a regular file (directory, device or fifo)")
    if name not in MEMBERS:
        return Rejection("unexpected_member", f"member {name!r} is not one of {', '.join(MEMBERS)}")
    return None


def read_bundle(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> tuple[dict[str, bytes], list[Rejection]]:
    """({member name: bytes} of the expected members, rejections) without extracting anything to disk.

    The archive is read as a stream: the file size is checked first, the decompressed size is counted as
    it is inflated, member headers are checked before their data is read, and reading stops at the first
    structural problem.
    """
    path = Path(path)
    if not path.is_file():
        return {}, [Rejection("not_a_file", f"{path} is not a regular file")]
    size = path.stat().st_size
    if size > limits.max_bundle_bytes:
        return {}, [Rejection("bundle_too_large", f"the bundle is {size} bytes; the cap is {limits.max_bundle_bytes}")]
    with open(path, "rb") as raw:
        magic = raw.read(4)
        if magic[:2] != b"\x1f\x8b":
            kind = "a zip archive" if magic == b"PK\x03\x04" else "not gzip-compressed"
            return {}, [
                Rejection(
                    "not_a_bundle", f"the bundle is {kind}; make one with `spar-bench submit prepare` (a .tar.gz)"
                )
            ]
        raw.seek(0)
        stream = _CappedStream(raw, limits.max_decompressed_bytes, time.monotonic() + limits.max_seconds)
        members: dict[str, bytes] = {}
        problems: list[Rejection] = []
        seen = 0
        try:
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                for member in tar:
                    seen += 1
                    if seen > limits.max_members:
                        problems.append(Rejection("too_many_members", f"more than {limits.max_members} members"))
                        break
                    if problem := _member_problem(member):
                        problems.append(problem)
                        continue
                    if member.name in members:
                        problems.append(Rejection("unexpected_member", f"member {member.name!r} appears twice"))
                        continue
                    cap = limits.max_manifest_bytes if member.name == MANIFEST else limits.max_predictions_bytes
                    if member.size > cap:
                        problems.append(
                            Rejection(
                                "decompressed_too_large",
                                f"member {member.name!r} declares {member.size} bytes; the cap is {cap}",
                            )
                        )
                        break
                    handle = tar.extractfile(member)
                    members[member.name] = handle.read() if handle is not None else b""
        except _TooLarge:
            return {}, [
                Rejection(
                    "decompressed_too_large",
                    f"the bundle inflates to more than {limits.max_decompressed_bytes} bytes (compression bomb?)",
                )
            ]
        except _TooSlow:
            return {}, [Rejection("too_slow", f"the bundle took more than {limits.max_seconds:g} s to read")]
        except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
            return {}, [Rejection("corrupt_bundle", f"the archive cannot be read ({error})")]
    for name in MEMBERS:
        if name not in members and not problems:
            problems.append(Rejection("missing_member", f"the bundle has no {name}"))
    return members, problems


# ---------------------------------------------------------------- JSON under limits

_JSON_TOKEN = re.compile(r'\\.|["\[\]{}]')  # an escape pair, a quote or a bracket


def json_nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON text, brackets inside strings ignored; one linear
    scan without parsing, so a hostile document can exhaust neither the parser's recursion nor a regex."""
    depth = peak = 0
    in_string = False
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == '"':
            in_string = not in_string
        elif in_string or len(token) == 2:
            continue
        elif token in "[{":
            depth += 1
            peak = max(peak, depth)
        else:
            depth -= 1
    return peak


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"repeated key {next(k for k in keys if keys.count(k) > 1)!r}")
    return dict(pairs)


def load_json_limited(text: str, max_depth: int, where: str) -> tuple[Any, Rejection | None]:
    """(value, None) or (None, rejection): strict JSON (no NaN/Infinity, no repeated keys), at most
    `max_depth` levels of nesting."""
    if (depth := json_nesting_depth(text)) > max_depth:
        return None, Rejection("json_too_deep", f"{where}: nested {depth} levels deep; the cap is {max_depth}")
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys), None
    except (ValueError, RecursionError) as error:
        return None, Rejection("malformed_json", f"{where}: not valid JSON ({error})")


# ---------------------------------------------------------------- verify


def _name_problem(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    if len(value) > 200:
        return "is longer than 200 characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "holds control characters"
    from spar_bench.leaderboard import LeaderboardError, model_slug

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
    """`verify` plus the per-sample scores (for `spar_bench.compare`)."""
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
    from spar_bench.leaderboard import custom_split

    split = source if source in SHORT_SOURCES else (claimed.get("split") or custom_split(reference.fingerprint))
    if claimed.get("split") and source in SHORT_SOURCES and claimed["split"] != source:
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
    scored = score_predictions(predictions, ["strict", "official"])
    return predictions, scored, summary_json(summarize_scores(scored), predictions)


def _entry(manifest: dict, reference: Reference, split: str | None, scores: dict, n: int) -> dict:
    from spar_bench.leaderboard import new_entry, variant_from_run
    from spar_bench.protocols import SCORER_VERSION

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


# ---------------------------------------------------------------- add


def add(
    bundle_path: str | Path,
    entries_dir: str | Path,
    data_source: str | None = None,
    *,
    split: str | None = None,
    overwrite: bool = False,
    trained_on_spar7m: bool | None = None,
    limits: Limits = DEFAULT_LIMITS,
    write_entry: Callable[[dict, Path], Path] | None = None,
    validate_entry: Callable[[dict], list[str]] | None = None,
) -> tuple[Verdict, Path | None]:
    """Verify a bundle, then write its entry with `spar_bench.leaderboard.write_entry`.

    Returns (verdict, path of the entry, or None when rejected). The entry is built from the re-scored data
    only. A written path outside `entries_dir` is removed and raises SubmissionError (a model name must not
    choose where a file lands). `split` names the split of an entry on custom data (default `custom-` and the
    first 8 hex digits of its fingerprint); full, tiny and synth keep their own name. `overwrite` replaces an
    existing entry of the same model and split. `trained_on_spar7m` (true or false) sets the entry's
    variant field of that name, over what the bundle's manifest says.
    """
    verdict = verify(bundle_path, data_source, limits=limits)
    if not verdict.ok:
        return verdict, None
    if trained_on_spar7m is not None:
        entry = {**verdict.entry, "variant": {**verdict.entry["variant"], "trained_on_spar7m": trained_on_spar7m}}
        verdict = Verdict(verdict.ok, verdict.reasons, verdict.scores, entry, verdict.manifest)
    if split is not None and split != verdict.entry["dataset"]["split"]:
        if verdict.entry["dataset"]["source"] in SHORT_SOURCES:
            raise SubmissionError(
                f"--split {split!r}: the reference is {verdict.entry['dataset']['source']!r}, whose "
                "split keeps its name; --split names the split of custom data only"
            )
        entry = {**verdict.entry, "dataset": {**verdict.entry["dataset"], "split": split}}
        verdict = Verdict(verdict.ok, verdict.reasons, verdict.scores, entry, verdict.manifest)
    if write_entry is None or validate_entry is None:
        from spar_bench import leaderboard

        write_entry = write_entry or leaderboard.write_entry
        validate_entry = validate_entry or leaderboard.validate_entry
    if problems := validate_entry(verdict.entry):
        return Verdict(
            False,
            tuple(Rejection("entry_schema", p) for p in problems),
            verdict.scores,
            verdict.entry,
            verdict.manifest,
        ), None
    entries = Path(entries_dir).resolve()
    entries.mkdir(parents=True, exist_ok=True)
    try:
        path = Path(
            write_entry(verdict.entry, entries, overwrite=True) if overwrite else write_entry(verdict.entry, entries)
        )
    except (ValueError, FileExistsError) as error:  # leaderboard.LeaderboardError is a ValueError
        raise SubmissionError(f"the entry was not written: {error}") from error
    if not path.resolve().is_relative_to(entries):
        path.unlink(missing_ok=True)
        raise SubmissionError(f"the entry was written to {path}, outside {entries}; removed")
    return verdict, path


# ---------------------------------------------------------------- command line


def prepare_command(args) -> int:
    """`spar-bench submit prepare RUN --model-name NAME --org ORG --out BUNDLE`."""
    import sys

    try:
        path = prepare(
            args.run_dir,
            args.model_name,
            args.org,
            args.out,
            getattr(args, "data", None),
            trained_on_spar7m=_yes_no(getattr(args, "trained_on_spar7m", None)),
        )
    except (PrepareError, OSError) as error:
        print(f"spar-bench submit prepare: {error}", file=sys.stderr)
        return 2
    print(f"bundle written to {path} ({path.stat().st_size} bytes)")
    return 0


def _print_verdict(verdict: Verdict, command: str) -> None:
    import sys

    if not verdict.ok:
        print(f"{command}: REJECTED ({len(verdict.reasons)} reason(s))", file=sys.stderr)
        for reason in verdict.reasons:
            print(f"  - {reason}", file=sys.stderr)
        return
    strict, official = verdict.scores["strict"], verdict.scores["official"]
    entry = verdict.entry
    print(
        f"ACCEPTED: {entry['model']['name']} ({entry['model']['organisation']}), {entry['n_questions']} questions "
        f"of {entry['dataset']['split'] or entry['dataset']['source']}"
    )
    print(f"  re-scored: strict {strict['overall']:.2f}, official {official['overall']:.2f}")
    claimed = (verdict.manifest or {}).get("claimed_scores")
    if isinstance(claimed, dict):
        notes = []
        for name, block in (("strict", strict), ("official", official)):
            value = (claimed.get(name) or {}).get("overall") if isinstance(claimed.get(name), dict) else None
            if isinstance(value, (int, float)) and abs(value - block["overall"]) > 1e-6:
                notes.append(f"{name} claimed {value:.2f}")
        if notes:
            print(f"  note: claimed scores differ and were ignored ({', '.join(notes)})")


def verify_command(args) -> int:
    """`spar-bench submit verify BUNDLE [--data SOURCE]`: 0 accepted, 1 rejected, 2 could not check."""
    import sys

    from spar_bench.data import DatasetError

    try:
        verdict = verify(args.bundle, args.data)
    except (SubmissionError, DatasetError) as error:
        print(f"spar-bench submit verify: {error}", file=sys.stderr)
        return 2
    _print_verdict(verdict, "spar-bench submit verify")
    return 0 if verdict.ok else 1


def add_command(args) -> int:
    """`spar-bench leaderboard add BUNDLE [--data SOURCE] [--entries DIR]`: 0 written, 1 rejected, 2 error."""
    import sys

    from spar_bench.data import DatasetError

    try:
        verdict, path = add(
            args.bundle,
            args.entries,
            args.data,
            split=args.split,
            overwrite=args.overwrite,
            trained_on_spar7m=_yes_no(getattr(args, "trained_on_spar7m", None)),
        )
    except (SubmissionError, DatasetError) as error:
        print(f"spar-bench leaderboard add: {error}", file=sys.stderr)
        return 2
    _print_verdict(verdict, "spar-bench leaderboard add")
    if path is None:
        return 1
    print(f"entry written to {path}")
    return 0


def _yes_no(value: str | None) -> bool | None:
    return None if value is None else value == "yes"


_TRAINED_HELP = (
    "whether the model was trained on SPAR-7M (yes or no; default: not stated, shown as unknown). "
    "The SPAR authors compare such models apart; the leaderboard ranks them in their own table"
)


def add_prepare_arguments(parser) -> None:
    """`spar-bench submit prepare` arguments; sets `run` to prepare_command."""
    parser.add_argument(
        "run_dir",
        metavar="RUN",
        help="a `spar-bench run` output folder, an lmms-eval output folder "
        "(--log_samples; our tasks or the built-in sparbench task) or a VLMEvalKit SparBench "
        "prediction file (.xlsx, .tsv; needs --data)",
    )
    parser.add_argument(
        "--data",
        metavar="SOURCE",
        help="the dataset a VLMEvalKit file was run on (its rows are matched to this dataset's ids)",
    )
    parser.add_argument("--model-name", required=True, help="the model's name on the leaderboard")
    parser.add_argument("--org", required=True, help="the organisation submitting it")
    parser.add_argument("--out", required=True, help="bundle to write (.tar.gz)")
    parser.add_argument("--trained-on-spar7m", choices=("yes", "no"), help=_TRAINED_HELP)
    parser.set_defaults(run=prepare_command)


def add_verify_arguments(parser) -> None:
    """`spar-bench submit verify` arguments; sets `run` to verify_command."""
    parser.add_argument("bundle", help="a bundle made by `spar-bench submit prepare`")
    parser.add_argument(
        "--data",
        help="reference data: hub id, parquet file or folder, synth, tiny or full "
        "(default: the manifest's source when it is synth)",
    )
    parser.set_defaults(run=verify_command)


def add_add_arguments(parser) -> None:
    """`spar-bench leaderboard add` arguments; sets `run` to add_command."""
    parser.add_argument("bundle", help="a bundle made by `spar-bench submit prepare`")
    parser.add_argument("--data", help="reference data (as for `submit verify`)")
    parser.add_argument("--entries", default="leaderboard/entries", help="entries folder (default leaderboard/entries)")
    parser.add_argument(
        "--split",
        help="split name of an entry on custom data (default custom-<first 8 hex digits "
        "of its fingerprint>; full, tiny and synth keep theirs)",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an existing entry of the same model and split"
    )
    parser.add_argument("--trained-on-spar7m", choices=("yes", "no"), help=_TRAINED_HELP)
    parser.set_defaults(run=add_command)
