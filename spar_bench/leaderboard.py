"""The leaderboard, last step of the flow: run results -> entries (one JSON file per model and split) ->
`LEADERBOARD.md`, `leaderboard.csv` and a static page, with the paper's reported rows beside them.

Entries are data under `leaderboard/entries/`; everything else is generated from them by `build`. Splits are
never ranked together: every table holds one split and one protocol. Core-light: no torch, no lmms-eval;
matplotlib is imported only to draw the plots (`spar_bench.plots`).
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spar_bench.aggregate import macro_means
from spar_bench.protocols import PROTOCOLS as _REGISTRY
from spar_bench.tasks_spec import LEVELS, TASK_IDS, TASKS_BY_ID, VIEW_GROUPS, tasks_in

SCHEMA_VERSION = 1
PROTOCOLS: tuple[str, ...] = ("strict", "official")
REPORTED_PROTOCOL = "paper"  # the paper's own numbers: its scorer, no intervals
STANDARD_SPLITS: tuple[str, ...] = ("full", "tiny", "synth")
PROTOCOL_ORDER: tuple[str, ...] = (*PROTOCOLS, REPORTED_PROTOCOL)
IMAGE_LIMIT_KEYS: tuple[str, ...] = ("min_pixels", "max_pixels", "max_image_side", "max_image_pixels", "image_processor")
LEVEL_NAMES: tuple[str, ...] = tuple(level.value for level in LEVELS)
VIEW_NAMES: tuple[str, ...] = tuple(view.value for view in VIEW_GROUPS)

# Paper column order (Table 4): Avg, Low, its 8 tasks, Medium, its 3 tasks, High, its 9 tasks.
SCORE_COLUMNS: tuple[str, ...] = ("avg", *(c for level in LEVELS for c in (level.value, *tasks_in(level))))
COLUMN_LABELS: dict[str, str] = {
    "avg": "Avg",
    **{level.value: level.value.capitalize() for level in LEVELS},
    **{task: spec.paper_column for task, spec in TASKS_BY_ID.items()},
}
REPORTED_CSV_COLUMNS: tuple[str, ...] = ("model", "split", *SCORE_COLUMNS)

_TOP_KEYS = {
    "schema_version", "model", "generation_settings", "image_limits", "package_version", "scorer_version",
    "dataset", "date", "n_questions", "predictions_sha256", "scores", "reported",
}
_MODEL_KEYS = {"name", "organisation", "adapter", "model_args", "adapter_identity"}
_DATASET_KEYS = {"split", "source", "fingerprint"}
_BLOCK_REQUIRED = ("protocol", "overall", "overall_ci95", "levels", "levels_ci95", "views", "views_ci95", "tasks")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SPLIT = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
MAX_TEXT = 200
_TOLERANCE = 1e-6  # a level or headline recomputed from the task scores may differ by float rounding only


class LeaderboardError(ValueError):
    """Base class: something the leaderboard cannot use, with what to fix."""


class EntryError(LeaderboardError):
    """An entry that fails validation; `problems` lists every reason."""

    def __init__(self, where: str, problems: Sequence[str]):
        self.where = where
        self.problems = list(problems)
        super().__init__(f"{where}: " + "; ".join(self.problems))


class ReportedTableError(LeaderboardError):
    """The paper's reported table (CSV) is not in the expected shape."""


class BuildError(LeaderboardError):
    """Entries that cannot be put on one leaderboard together."""


# --- entries ------------------------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_text(value: object, where: str, problems: list[str], *, allow_empty: bool = False) -> None:
    if not isinstance(value, str):
        problems.append(f"{where} must be a string, got {type(value).__name__}")
    elif not value.strip() and not allow_empty:
        problems.append(f"{where} is empty")
    elif len(value) > MAX_TEXT:
        problems.append(f"{where} is longer than {MAX_TEXT} characters")
    elif _CONTROL.search(value):
        problems.append(f"{where} contains a control character or line break")


def _check_score(value: object, where: str, problems: list[str]) -> None:
    if not _is_number(value):
        problems.append(f"{where} must be a finite number, got {value!r}")
    elif not 0.0 <= value <= 100.0:
        problems.append(f"{where} = {value} is outside 0-100")


def _check_interval(value: object, where: str, problems: list[str]) -> None:
    if not (isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)):
        problems.append(f"{where} must be a [low, high] pair of numbers, got {value!r}")
    elif not 0.0 <= value[0] <= value[1] <= 100.0:
        problems.append(f"{where} = {value} is not an interval within 0-100")


def _check_group(block: Mapping, key: str, names: Sequence[str], where: str, problems: list[str]) -> None:
    values, intervals = block.get(key), block.get(f"{key}_ci95")
    for name, container in ((key, values), (f"{key}_ci95", intervals)):
        if not isinstance(container, dict):
            problems.append(f"{where}.{name} must be an object")
            return
        if set(container) != set(names):
            problems.append(f"{where}.{name} must have exactly {', '.join(names)}; has {', '.join(sorted(container))}")
            return
    for name in names:
        _check_score(values[name], f"{where}.{key}.{name}", problems)
        _check_interval(intervals[name], f"{where}.{key}_ci95.{name}", problems)


def _check_block(block: object, protocol: str, n_questions: object, problems: list[str]) -> None:
    where = f"scores.{protocol}"
    if not isinstance(block, dict):
        problems.append(f"{where} must be an object")
        return
    if missing := [k for k in _BLOCK_REQUIRED if k not in block]:
        problems.append(f"{where} lacks {', '.join(missing)}")
        return
    if block["protocol"] != protocol:
        problems.append(f"{where}.protocol is {block['protocol']!r}, expected {protocol!r}")
    _check_score(block["overall"], f"{where}.overall", problems)
    _check_interval(block["overall_ci95"], f"{where}.overall_ci95", problems)
    _check_group(block, "levels", LEVEL_NAMES, where, problems)
    _check_group(block, "views", VIEW_NAMES, where, problems)
    tasks = block["tasks"]
    if not isinstance(tasks, dict):
        problems.append(f"{where}.tasks must be an object")
        return
    if unknown := sorted(set(tasks) - set(TASK_IDS)):
        problems.append(f"{where}.tasks has unknown task(s) {', '.join(map(repr, unknown))}")
    if missing := [t for t in TASK_IDS if t not in tasks]:
        problems.append(f"{where}.tasks covers {len(TASK_IDS) - len(missing)} of 20 tasks; missing {', '.join(missing)}")
    if unknown or missing:
        return
    task_problems_before = len(problems)
    total = 0
    for task in TASK_IDS:
        item, at = tasks[task], f"{where}.tasks.{task}"
        if not isinstance(item, dict):
            problems.append(f"{at} must be an object")
            continue
        _check_score(item.get("score"), f"{at}.score", problems)
        _check_interval(item.get("ci95"), f"{at}.ci95", problems)
        n = item.get("n")
        if not (isinstance(n, int) and not isinstance(n, bool) and n > 0):
            problems.append(f"{at}.n must be a positive integer, got {n!r}")
        else:
            total += n
        rate = item.get("parse_failure_rate")
        if rate is not None:
            _check_score(rate, f"{at}.parse_failure_rate", problems)
    if len(problems) > task_problems_before:
        return
    if isinstance(n_questions, int) and total != n_questions:
        problems.append(f"{where} scored {total} questions but n_questions is {n_questions}: every question of the "
                        f"split must be answered and scored (a failed request is not scored)")
    # The headline and levels must follow from the task scores (the paper's rule), not be claimed apart.
    overall, levels, views = macro_means({t: tasks[t]["score"] for t in TASK_IDS})
    if _is_number(block["overall"]) and abs(overall - block["overall"]) > _TOLERANCE:
        problems.append(f"{where}.overall = {block['overall']} but the mean of its task scores is {overall}")
    for key, recomputed in (("levels", levels), ("views", views)):
        for name, value in recomputed.items():
            claimed = block[key].get(name) if isinstance(block[key], dict) else None
            if _is_number(claimed) and abs(value - claimed) > _TOLERANCE:
                problems.append(f"{where}.{key}.{name} = {claimed} but the mean of its task scores is {value}")


def validate_entry(entry: object) -> list[str]:
    """Every problem of a leaderboard entry, as readable sentences; an empty list means valid.

    Checks the schema (exact top-level keys, types, 64-hex fingerprint and predictions hash, an ISO date),
    that the split is a lower-case name usable in a file name, that both protocols hold all 20 tasks, three
    levels and two view groups with 0-100 scores and 95% intervals, that the task counts add up to
    `n_questions`, and that the headline, level and view means follow from the task scores. Text fields
    reject control characters and line breaks (they would break the markdown table); nothing is escaped
    here: escaping happens where text is written out.
    """
    if not isinstance(entry, dict):
        return [f"an entry must be a JSON object, got {type(entry).__name__}"]
    problems: list[str] = []
    if missing := sorted(_TOP_KEYS - set(entry)):
        problems.append(f"missing field(s) {', '.join(missing)}")
    if unknown := sorted(set(entry) - _TOP_KEYS):
        problems.append(f"unknown field(s) {', '.join(map(repr, unknown))}")
    if "schema_version" in entry and (entry["schema_version"] != SCHEMA_VERSION or isinstance(entry["schema_version"], bool)):
        problems.append(f"schema_version is {entry['schema_version']!r}; this leaderboard reads version {SCHEMA_VERSION}")

    model = entry.get("model")
    if "model" in entry:
        if not isinstance(model, dict):
            problems.append("model must be an object")
        else:
            if missing := sorted(_MODEL_KEYS - set(model)):
                problems.append(f"model lacks {', '.join(missing)}")
            if unknown := sorted(set(model) - _MODEL_KEYS):
                problems.append(f"model has unknown field(s) {', '.join(map(repr, unknown))}")
            if "name" in model:
                _check_text(model["name"], "model.name", problems)
            if "organisation" in model:
                _check_text(model["organisation"], "model.organisation", problems, allow_empty=True)
            if "adapter" in model:
                _check_text(model["adapter"], "model.adapter", problems)
            args = model.get("model_args", {})
            if not isinstance(args, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in args.items()):
                problems.append("model.model_args must map strings to strings")
            if not isinstance(model.get("adapter_identity", {}), dict):
                problems.append("model.adapter_identity must be an object")

    for key in ("generation_settings", "image_limits"):
        if key in entry and not isinstance(entry[key], dict):
            problems.append(f"{key} must be an object")
    for key in ("package_version", "scorer_version"):
        if key in entry:
            _check_text(entry[key], key, problems)

    dataset = entry.get("dataset")
    if "dataset" in entry:
        if not isinstance(dataset, dict):
            problems.append("dataset must be an object")
        else:
            if missing := sorted(_DATASET_KEYS - set(dataset)):
                problems.append(f"dataset lacks {', '.join(missing)}")
            if unknown := sorted(set(dataset) - _DATASET_KEYS):
                problems.append(f"dataset has unknown field(s) {', '.join(map(repr, unknown))}")
            split = dataset.get("split")
            if "split" in dataset and not (isinstance(split, str) and len(split) <= 40 and _SPLIT.fullmatch(split)):
                problems.append(f"dataset.split {split!r} must be lower-case letters and digits joined by single "
                                f"'-' or '_' (full, tiny, synth or a name of your own), at most 40 characters")
            if "source" in dataset:
                _check_text(dataset["source"], "dataset.source", problems)
            fingerprint = dataset.get("fingerprint")
            if "fingerprint" in dataset and not (isinstance(fingerprint, str) and _HEX64.fullmatch(fingerprint)):
                problems.append("dataset.fingerprint must be 64 lower-case hex digits (`spar-bench validate` prints it)")

    if "date" in entry:
        date = entry["date"]
        try:
            if not (isinstance(date, str) and _DATE.fullmatch(date)):
                raise ValueError
            _dt.date.fromisoformat(date)
        except ValueError:
            problems.append(f"date {date!r} must be a calendar date written YYYY-MM-DD")
    n_questions = entry.get("n_questions")
    if "n_questions" in entry and not (isinstance(n_questions, int) and not isinstance(n_questions, bool)
                                        and n_questions > 0):
        problems.append(f"n_questions must be a positive integer, got {n_questions!r}")
    digest = entry.get("predictions_sha256")
    if "predictions_sha256" in entry and not (isinstance(digest, str) and _HEX64.fullmatch(digest)):
        problems.append("predictions_sha256 must be 64 lower-case hex digits (the sha256 of the predictions file)")
    if "reported" in entry and entry["reported"] is not False:
        problems.append("reported must be false: entries are measured runs; the paper's numbers live in reported/")

    scores = entry.get("scores")
    if "scores" in entry:
        if not isinstance(scores, dict) or set(scores) != set(PROTOCOLS):
            got = sorted(scores) if isinstance(scores, dict) else type(scores).__name__
            problems.append(f"scores must hold exactly the protocols {', '.join(PROTOCOLS)}; got {got}")
        else:
            for protocol in PROTOCOLS:
                _check_block(scores[protocol], protocol, n_questions, problems)
                block = scores[protocol]
                if (isinstance(block, dict) and "scorer_version" in block and "scorer_version" in entry
                        and block["scorer_version"] != entry["scorer_version"]):
                    problems.append(f"scores.{protocol}.scorer_version {block['scorer_version']!r} differs from the "
                                    f"entry's scorer_version {entry['scorer_version']!r}")
    return problems


def model_slug(name: str) -> str:
    """The file-name form of a model name: lower case, runs of anything but letters, digits and single dots
    become '-', no leading or trailing separator, at most 80 characters (`Qwen2.5-VL-7B` -> `qwen2.5-vl-7b`,
    `spar_oracle` -> `spar-oracle`). Raises LeaderboardError when nothing usable is left."""
    slug = re.sub(r"[^a-z0-9.]+", "-", name.lower())
    slug = re.sub(r"\.{2,}", ".", slug)
    slug = re.sub(r"-?\.-?", ".", slug).strip("-.")[:80].strip("-.")
    if not slug:
        raise LeaderboardError(f"model name {name!r} has no letters or digits to name its entry file with")
    return slug


def entry_filename(entry: Mapping) -> str:
    """`<model-slug>__<split>.json`."""
    return f"{model_slug(entry['model']['name'])}__{entry['dataset']['split']}.json"


def write_entry(entry: dict, folder: str | Path, *, overwrite: bool = False) -> Path:
    """Validate `entry` and write it as `folder/<model-slug>__<split>.json`; returns the path.

    Raises EntryError with every validation problem; LeaderboardError when the file name would land
    outside `folder` (a symlink planted there included); FileExistsError when the file exists and
    `overwrite` is false. The file is replaced atomically, so a reader never sees half an entry.
    """
    if problems := validate_entry(entry):
        raise EntryError("entry", problems)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    name = entry_filename(entry)
    target = folder / name
    if (os.sep in name or (os.altsep and os.altsep in name) or name.startswith(".")
            or target.resolve().parent != root or target.is_symlink()):
        raise LeaderboardError(f"entry file name {name!r} would escape the entries folder {folder}")
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace the entry of this model and split")
    text = json.dumps(entry, indent=2, ensure_ascii=False) + "\n"
    handle, temp = tempfile.mkstemp(dir=root, prefix=".entry-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temp, 0o644)  # mkstemp makes it private; an entry is meant to be read and committed
        os.replace(temp, root / name)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return folder / name


def load_entries(folder: str | Path) -> list[dict]:
    """Every `*.json` entry of `folder`, validated, sorted by file name.

    Raises EntryError naming the file and all of its problems (invalid JSON, a validation problem, or a
    file name that is not `<model-slug>__<split>.json` for its own content). A missing folder gives [].
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    entries = []
    for path in sorted(folder.glob("*.json")):
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise EntryError(str(path), [f"not valid JSON ({error})"]) from None
        if problems := validate_entry(entry):
            raise EntryError(str(path), problems)
        if path.name != (expected := entry_filename(entry)):
            reason = (f"file name should be {expected} for model {entry['model']['name']!r} "
                      f"and split {entry['dataset']['split']!r}")
            raise EntryError(str(path), [reason])
        entries.append(entry)
    return entries


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def image_limits(settings: Mapping | None) -> dict:
    """The image-resolution settings (IMAGE_LIMIT_KEYS) that are set in an adapter identity or model arguments."""
    settings = settings if isinstance(settings, Mapping) else {}
    return {key: settings[key] for key in IMAGE_LIMIT_KEYS if settings.get(key) not in (None, {}, [])}


def new_entry(
    *,
    model_name: str,
    organisation: str,
    adapter: str | None,
    model_args: Mapping | None,
    adapter_identity: Mapping | None,
    generation_settings: Mapping | None,
    image_limits: Mapping,
    package_version: str,
    scorer_version: str,
    split: str | None,
    source: str,
    fingerprint: str,
    date: str,
    n_questions: int,
    predictions_sha256: str,
    scores: Mapping,
) -> dict:
    """An entry in the leaderboard's format (not validated here: see validate_entry)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "model": {
            "name": model_name,
            "organisation": organisation,
            "adapter": adapter,
            "model_args": model_args,
            "adapter_identity": adapter_identity,
        },
        "generation_settings": generation_settings,
        "image_limits": dict(image_limits),
        "package_version": package_version,
        "scorer_version": scorer_version,
        "dataset": {"split": split, "source": source, "fingerprint": fingerprint},
        "date": date,
        "n_questions": n_questions,
        "predictions_sha256": predictions_sha256,
        "scores": {protocol: scores[protocol] for protocol in PROTOCOLS},
        "reported": False,
    }


def entry_from_run(
    results: Mapping,
    predictions_path: str | Path,
    model_name: str,
    organisation: str,
    *,
    split: str | None = None,
) -> dict:
    """A leaderboard entry from a `spar-bench run` results.json (as a dict) and its predictions file.

    The split is the run's data source when that is full, tiny or synth, else `split` or "custom"; the
    date is the run's date; image limits are the adapter identity's resolution settings that are set.
    Raises EntryError when the result would not be a valid entry (for example a run over a subset of the
    tasks, or one with failed requests, which are never scored).
    """
    metadata = results["metadata"]
    identity = dict(metadata.get("adapter") or {})
    source = str(metadata["data_source"])
    entry = new_entry(
        model_name=model_name,
        organisation=organisation,
        adapter=metadata["model"],
        model_args=dict(metadata.get("model_args") or {}),
        adapter_identity=identity,
        generation_settings=dict(metadata.get("generation_settings") or {}),
        image_limits=image_limits(identity),
        package_version=metadata["package_version"],
        scorer_version=metadata["scorer_version"],
        split=source if source in STANDARD_SPLITS else (split or "custom"),
        source=source,
        fingerprint=metadata["dataset_fingerprint"],
        date=str(metadata["date"])[:10],
        n_questions=metadata["n_questions"],
        predictions_sha256=sha256_file(predictions_path),
        scores={protocol: results["protocols"][protocol] for protocol in PROTOCOLS},
    )
    if problems := validate_entry(entry):
        raise EntryError(f"run of {metadata['model']}", problems)
    return entry


# --- rows: entries and reported numbers in one shape ----------------------------------------------------


@dataclass(frozen=True)
class LeaderboardRow:
    """One line of a table: a model under one protocol on one split. Scores 0-100 keyed by SCORE_COLUMNS;
    intervals are absent for reported rows (the paper gives none)."""

    model: str
    organisation: str
    split: str
    protocol: str
    reported: bool
    scores: dict[str, float]
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    parse_failure_rates: dict[str, float] = field(default_factory=dict)
    views: dict[str, float] = field(default_factory=dict)
    n_questions: int | None = None
    date: str = ""
    fingerprint: str = ""
    entry_file: str = ""

    def as_json(self) -> dict:
        return {
            "model": self.model, "organisation": self.organisation, "split": self.split, "protocol": self.protocol,
            "reported": self.reported, "scores": self.scores,
            "intervals": {k: list(v) for k, v in self.intervals.items()},
            "parse_failure_rates": self.parse_failure_rates, "views": self.views, "n_questions": self.n_questions,
            "date": self.date, "fingerprint": self.fingerprint, "entry_file": self.entry_file,
        }


def protocol_label(protocol: str, scorer_version: str | None) -> str:
    """`strict` when an entry was scored under the current version of that protocol, else `strict v1`: rows
    scored under another version of a protocol get their own table, never ranked with the current ones."""
    versions = dict(part.rsplit("-", 1) for part in (scorer_version or "").split("+") if "-" in part)
    current = _REGISTRY[protocol].version if protocol in _REGISTRY else None
    version = versions.get(protocol, current)
    return protocol if version == current else f"{protocol} v{version}"


def rows_from_entry(entry: Mapping) -> list[LeaderboardRow]:
    """One row per protocol of a valid entry; a protocol version other than the current one is in the row's
    protocol label (see `protocol_label`)."""
    rows = []
    for protocol in PROTOCOLS:
        block = entry["scores"][protocol]
        label = protocol_label(protocol, block.get("scorer_version") or entry.get("scorer_version"))
        scores = {"avg": block["overall"], **block["levels"]}
        intervals = {"avg": tuple(block["overall_ci95"]), **{k: tuple(v) for k, v in block["levels_ci95"].items()}}
        rates = {}
        for task, item in block["tasks"].items():
            scores[task] = item["score"]
            intervals[task] = tuple(item["ci95"])
            if item.get("parse_failure_rate") is not None:
                rates[task] = item["parse_failure_rate"]
        rows.append(LeaderboardRow(
            model=entry["model"]["name"], organisation=entry["model"]["organisation"],
            split=entry["dataset"]["split"], protocol=label, reported=False,
            scores={k: float(scores[k]) for k in SCORE_COLUMNS},
            intervals={k: intervals[k] for k in SCORE_COLUMNS}, parse_failure_rates=rates,
            views=dict(block["views"]), n_questions=entry["n_questions"], date=entry["date"],
            fingerprint=entry["dataset"]["fingerprint"], entry_file=entry_filename(entry),
        ))
    return rows


def read_reported(path: str | Path) -> list[LeaderboardRow]:
    """The paper's reported rows (`paper_table4.csv`: model, split, then the score columns in paper order),
    verbatim, as protocol "paper". Raises ReportedTableError naming the line and column of a bad cell."""
    text = Path(path).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != REPORTED_CSV_COLUMNS:
        raise ReportedTableError(f"{path}: columns must be {', '.join(REPORTED_CSV_COLUMNS)}")
    rows = []
    for line, record in enumerate(reader, start=2):
        for key in ("model", "split"):
            problems: list[str] = []
            _check_text(record[key], key, problems)
            if problems:
                raise ReportedTableError(f"{path} line {line}: {problems[0]}")
        if not _SPLIT.fullmatch(record["split"]):
            raise ReportedTableError(f"{path} line {line}: split {record['split']!r} is not a split name")
        scores = {}
        for column in SCORE_COLUMNS:
            try:
                value = float(record[column])
            except (TypeError, ValueError):
                raise ReportedTableError(f"{path} line {line}: {column} {record[column]!r} is not a number") from None
            if not 0.0 <= value <= 100.0:
                raise ReportedTableError(f"{path} line {line}: {column} {value} is outside 0-100")
            scores[column] = value
        rows.append(LeaderboardRow(model=record["model"], organisation="", split=record["split"],
                                   protocol=REPORTED_PROTOCOL, reported=True, scores=scores))
    return rows


def split_order(splits: Iterable[str]) -> list[str]:
    """full, tiny, synth first, then any other split alphabetically."""
    unique = set(splits)
    return [s for s in STANDARD_SPLITS if s in unique] + sorted(unique - set(STANDARD_SPLITS))


def ranked(rows: Iterable[LeaderboardRow]) -> list[LeaderboardRow]:
    """Highest Avg first; ties by model name, then protocol, so the order never depends on input order."""
    return sorted(rows, key=lambda r: (-r.scores["avg"], r.model.lower(), r.model, PROTOCOL_ORDER.index(r.protocol)
                                       if r.protocol in PROTOCOL_ORDER else 99))


def tables(rows: Sequence[LeaderboardRow]) -> list[tuple[str, str, list[LeaderboardRow]]]:
    """(split, protocol, ranked rows) for every split and protocol present, in split then protocol order
    (protocols scored under an older version, labelled `strict v1`, after the current ones)."""
    out = []
    older = sorted({r.protocol for r in rows} - set(PROTOCOL_ORDER))
    for split in split_order(r.split for r in rows):
        for protocol in (*PROTOCOL_ORDER, *older):
            chosen = [r for r in rows if r.split == split and r.protocol == protocol]
            if chosen:
                out.append((split, protocol, ranked(chosen)))
    return out


def _check_comparable(entries: Sequence[Mapping]) -> None:
    """Entries of one split must be on one dataset: a different fingerprint is a different test set."""
    seen: dict[str, Mapping] = {}
    for entry in entries:
        split = entry["dataset"]["split"]
        first = seen.setdefault(split, entry)
        if first["dataset"]["fingerprint"] != entry["dataset"]["fingerprint"]:
            raise BuildError(
                f"entries {entry_filename(first)} and {entry_filename(entry)} both say split {split!r} but were "
                f"scored on different datasets (fingerprints {first['dataset']['fingerprint'][:12]}... and "
                f"{entry['dataset']['fingerprint'][:12]}...); give one of them its own split name"
            )


# --- writing: markdown, CSV, page ---------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")  # what can change a table cell; `<`, `>`, `&` become entities


def markdown_text(text: str) -> str:
    """Text safe in a markdown table cell: markdown punctuation backslash-escaped, `&`, `<`, `>` as HTML
    entities (so `<script>` renders as text), a pipe cannot end the cell."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plot_filename(split: str, protocol: str) -> str:
    return f"{split}_{protocol}.png".replace(" ", "_")


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def render_markdown(rows: Sequence[LeaderboardRow], *, plots: bool = True) -> str:
    """LEADERBOARD.md: one table per split and protocol, columns in the paper's order, reported rows marked
    `(reported)`, and (with `plots`) a bar chart of Avg per table under `plots/`."""
    header = ["Model", "Org", "Split", "Protocol", *(COLUMN_LABELS[c] for c in SCORE_COLUMNS)]
    lines = [
        "# SPAR-Bench leaderboard",
        "",
        "<!-- Generated by `spar-bench leaderboard build` from entries/ and reported/; do not edit by hand. -->",
        "",
        "Scores are 0-100. Avg is the unweighted mean of the 20 task scores, Low / Medium / High the means of",
        "their tasks (paper column order). **strict** is this package's headline protocol, **official** the",
        "released scorer reproduced, **paper** the numbers the paper reports in its Table 4",
        "(`reported/paper_table4.csv`, rows marked _(reported)_, no intervals). Each table holds one split and",
        "one protocol: splits and protocols are never ranked together. Avg is followed by its bootstrap 95%",
        "interval; every interval is in `leaderboard.csv` and on the page `site/index.html` (opens from disk).",
        "",
    ]
    for split, protocol, chosen in tables(rows):
        lines += [f"## Split `{markdown_text(split)}`, protocol `{protocol}`", ""]
        fingerprints = sorted({r.fingerprint for r in chosen if r.fingerprint})
        if fingerprints:
            lines += [f"Dataset fingerprint `{fingerprints[0]}`.", ""]
        if plots:
            lines += [f"![Avg per model, {markdown_text(split)}, {protocol}](plots/{plot_filename(split, protocol)})", ""]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join(["---"] * 4 + ["---:"] * len(SCORE_COLUMNS)) + "|")
        for row in chosen:
            name = markdown_text(row.model) + (" _(reported)_" if row.reported else "")
            cells = [name, markdown_text(row.organisation) or "-", markdown_text(row.split), row.protocol]
            for column in SCORE_COLUMNS:
                cell = _fmt(row.scores[column])
                if column == "avg" and column in row.intervals:
                    low, high = row.intervals[column]
                    cell += f" ({low:.2f}-{high:.2f})"
                cells.append(cell)
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


CSV_COLUMNS: tuple[str, ...] = (
    "model", "organisation", "split", "protocol", "reported", "n_questions", "date", "dataset_fingerprint", "entry",
    *(f"{c}{suffix}" for c in SCORE_COLUMNS for suffix in ("", "_ci95_low", "_ci95_high")),
    *(f"{v}{suffix}" for v in VIEW_NAMES for suffix in ("",)),
    *(f"{t}_parse_failure_rate" for t in TASK_IDS),
)


def csv_text(text: str) -> str:
    """A text cell that a spreadsheet will not run as a formula (a leading =, +, -, @ gets a quote)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_csv(rows: Sequence[LeaderboardRow]) -> str:
    """leaderboard.csv: one row per entry and protocol plus the reported rows, in table order (split,
    protocol, rank); 0-100 numbers with four decimals, empty where a row has no such value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for _split, _protocol, chosen in tables(rows):
        for row in chosen:
            record = [csv_text(row.model), csv_text(row.organisation), row.split, row.protocol,
                      "true" if row.reported else "false", "" if row.n_questions is None else str(row.n_questions),
                      row.date, row.fingerprint, row.entry_file]
            for column in SCORE_COLUMNS:
                interval = row.intervals.get(column)
                record += [f"{row.scores[column]:.4f}", *(("", "") if interval is None else
                                                          (f"{interval[0]:.4f}", f"{interval[1]:.4f}"))]
            record += [f"{row.views[v]:.4f}" if v in row.views else "" for v in VIEW_NAMES]
            record += [f"{row.parse_failure_rates[t]:.4f}" if t in row.parse_failure_rates else "" for t in TASK_IDS]
            writer.writerow(record)
    return buffer.getvalue()


def script_json(value: object) -> str:
    """JSON for a <script> block: `<`, `>`, `&` and the JS line separators as \\u escapes, so no text in
    the data can close the block (`</script>`) or open a comment (`<!--`)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def render_html(rows: Sequence[LeaderboardRow]) -> str:
    """site/index.html: a self-contained page (inline CSS and JS, no network) drawn from the embedded rows."""
    ordered = [row for _s, _p, chosen in tables(rows) for row in chosen]
    data = {
        "columns": [{"key": c, "label": COLUMN_LABELS[c],
                     "level": c if c in LEVEL_NAMES else (TASKS_BY_ID[c].level.value if c in TASKS_BY_ID else ""),
                     "kind": "task" if c in TASKS_BY_ID else ("avg" if c == "avg" else "level")}
                    for c in SCORE_COLUMNS],
        "splits": split_order(r.split for r in rows),
        "protocols": [p for p in (*PROTOCOL_ORDER, *sorted({r.protocol for r in rows} - set(PROTOCOL_ORDER)))
                      if any(r.protocol == p for r in rows)],
        "default_split": next((s for s in split_order(r.split for r in rows if not r.reported)), None)
        or (split_order(r.split for r in rows) or [None])[0],
        "rows": [r.as_json() for r in ordered],
    }
    return _PAGE_TEMPLATE.replace("/*__DATA__*/null", script_json(data))


# --- build --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    markdown: Path
    csv: Path
    html: Path
    plots: list[Path]
    n_entries: int
    n_reported: int


def build(entries_dir: str | Path, reported_csv: str | Path | None, out_dir: str | Path, *,
          plots: bool = True) -> BuildResult:
    """Write `LEADERBOARD.md`, `leaderboard.csv`, `site/index.html` and (with `plots`) `plots/*.png` into
    `out_dir` from the entries of `entries_dir` and the paper's reported rows.

    The markdown references the plots whether or not they are drawn this time, so a build with
    `plots=False` writes the same markdown. Raises EntryError, ReportedTableError or BuildError.
    """
    entries = load_entries(entries_dir)
    _check_comparable(entries)
    rows = [row for entry in entries for row in rows_from_entry(entry)]
    reported = read_reported(reported_csv) if reported_csv is not None else []
    rows += reported
    out = Path(out_dir)
    (out / "site").mkdir(parents=True, exist_ok=True)
    paths = (out / "LEADERBOARD.md", out / "leaderboard.csv", out / "site" / "index.html")
    for path, text in zip(paths, (render_markdown(rows), render_csv(rows), render_html(rows))):
        path.write_text(text, encoding="utf-8", newline="\n")
    drawn: list[Path] = []
    if plots:
        from spar_bench.plots import plot_avg_bars

        (out / "plots").mkdir(exist_ok=True)
        for split, protocol, chosen in tables(rows):
            target = out / "plots" / plot_filename(split, protocol)
            plot_avg_bars(chosen, target, title=f"SPAR-Bench Avg, split {split}, protocol {protocol}")
            drawn.append(target)
    return BuildResult(*paths, drawn, len(entries), len(reported))


def add_build_arguments(parser) -> None:
    """Arguments of `spar-bench leaderboard build` (an argparse parser)."""
    parser.add_argument("--entries", default="leaderboard/entries", help="folder of entry JSON files")
    parser.add_argument("--reported", default="leaderboard/reported/paper_table4.csv",
                        help="the paper's reported table (CSV); 'none' leaves the reported rows out")
    parser.add_argument("--out", default="leaderboard",
                        help="output folder: LEADERBOARD.md, leaderboard.csv, site/index.html, plots/")
    parser.add_argument("--no-plots", action="store_true", help="skip the matplotlib images (the markdown is unchanged)")
    parser.set_defaults(run=main_build)


def main_build(args) -> int:
    """`spar-bench leaderboard build`: 0 when written, 2 with every problem on stderr otherwise."""
    import sys

    reported = None if str(args.reported).lower() == "none" else args.reported
    try:
        result = build(args.entries, reported, args.out, plots=not args.no_plots)
    except EntryError as error:
        print(f"spar-bench leaderboard build: invalid entry {error.where}:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    except (LeaderboardError, OSError) as error:
        print(f"spar-bench leaderboard build: {error}", file=sys.stderr)
        return 2
    except ImportError as error:
        print(f"spar-bench leaderboard build: the plots need matplotlib ({error}); pip install matplotlib, "
              f"or pass --no-plots", file=sys.stderr)
        return 2
    print(f"{result.n_entries} entries and {result.n_reported} reported rows -> {result.markdown}, {result.csv}, "
          f"{result.html}" + (f", {len(result.plots)} plots" if result.plots else ""))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m spar_bench.leaderboard [build options]`, the same as `spar-bench leaderboard build`."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m spar_bench.leaderboard", description="Build the leaderboard.")
    add_build_arguments(parser)
    return main_build(parser.parse_args(argv))




# --- the page -----------------------------------------------------------------------------------------
# Self-contained: no request leaves the page (no CDN, fonts or images). The script reads the data block and
# builds every element with createElement / textContent, never innerHTML, so no data text is parsed as HTML.

_PAGE_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>SPAR-Bench leaderboard</title>
<style>
:root { --low: #4c78a8; --medium: #f58518; --high: #54a24b; --rep: #fff6dd; --line: #d8d8d8; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.2rem; color: #1d1d1f; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
p.note { color: #555; max-width: 70rem; margin: .2rem 0 .8rem; }
.controls { display: flex; gap: 1.2rem; align-items: center; margin: .6rem 0; flex-wrap: wrap; }
.controls label { font-weight: 600; }
select { font: inherit; padding: .15rem .3rem; }
.wrap { overflow-x: auto; border: 1px solid var(--line); }
table { border-collapse: collapse; font-size: 12.5px; white-space: nowrap; }
th, td { padding: .25rem .45rem; border-bottom: 1px solid var(--line); text-align: right; }
th { position: sticky; top: 0; background: #f3f3f3; cursor: pointer; user-select: none; }
th.text, td.text { text-align: left; }
th.level-low { border-top: 3px solid var(--low); } th.level-medium { border-top: 3px solid var(--medium); }
th.level-high { border-top: 3px solid var(--high); }
th.group, td.group { font-weight: 700; background-clip: padding-box; }
th[aria-sort="ascending"]::after { content: " \\25B2"; } th[aria-sort="descending"]::after { content: " \\25BC"; }
th[data-key="model"], td.model { position: sticky; left: 0; z-index: 1; }
th[data-key="model"] { z-index: 2; } td.model { background: #fff; }
tr.reported td { background: var(--rep); }
tr.reported td.model { font-style: italic; }
.badge { display: inline-block; margin-left: .4rem; padding: 0 .35rem; border-radius: .6rem; font-size: 10.5px;
  font-style: normal; background: #e0b84a; color: #3a2a00; }
td.cell { position: relative; }
td.cell span.bar { position: absolute; left: 0; bottom: 0; height: 3px; opacity: .7; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: .8rem; margin-top: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .6rem; }
.card.reported { background: var(--rep); }
.card h3 { font-size: 13px; margin: 0 0 .2rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.legend span { display: inline-block; width: .8rem; height: .8rem; vertical-align: middle; margin: 0 .2rem 0 .6rem; }
#empty { color: #a00; }
</style>
</head>
<body>
<h1>SPAR-Bench leaderboard</h1>
<p class="note">Scores 0-100 in the paper's column order. <b>strict</b>: this package's headline protocol;
<b>official</b>: the released scorer reproduced; <b>paper</b>: numbers reported in the paper's Table 4, marked
<span class="badge">reported</span> (no intervals). One split at a time: splits are never ranked together.
Click a column header to sort; hover a cell for its 95% interval and parse-failure rate.</p>
<noscript><p id="noscript">This page draws its table with JavaScript; the same numbers are in LEADERBOARD.md and leaderboard.csv.</p></noscript>
<div class="controls">
  <span><label for="split-filter">Split</label> <select id="split-filter"></select></span>
  <span><label for="protocol-filter">Protocol</label> <select id="protocol-filter"></select></span>
  <span class="legend">levels:<span style="background:var(--low)"></span>low<span style="background:var(--medium)"></span>medium<span style="background:var(--high)"></span>high</span>
  <span id="count"></span>
</div>
<div class="wrap"><table id="leaderboard"><thead><tr id="header"></tr></thead><tbody id="rows"></tbody></table></div>
<p id="empty" hidden>No rows for this split and protocol.</p>
<h2 style="font-size:1.1rem;margin-top:1.2rem">Per-task scores</h2>
<div class="charts" id="charts"></div>
<script type="application/json" id="leaderboard-data">/*__DATA__*/null</script>
<script>
"use strict";
(function () {
  var DATA = JSON.parse(document.getElementById("leaderboard-data").textContent);
  var COLORS = { low: "#4c78a8", medium: "#f58518", high: "#54a24b" };
  var SVG = "http://www.w3.org/2000/svg";
  var TEXT_COLUMNS = [
    { key: "model", label: "Model" }, { key: "organisation", label: "Org" },
    { key: "split", label: "Split" }, { key: "protocol", label: "Protocol" }
  ];
  var state = { split: DATA.default_split, protocol: "all", sortKey: "avg", sortDir: "descending" };
  var splitSelect = document.getElementById("split-filter");
  var protocolSelect = document.getElementById("protocol-filter");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) { node.textContent = String(text); }
    return node;
  }
  function fmt(x) { return (x === undefined || x === null) ? "" : x.toFixed(2); }
  function option(select, value, label) { var o = el("option", { value: value }, label); select.appendChild(o); }

  DATA.splits.forEach(function (s) { option(splitSelect, s, s); });
  if (state.split !== null) { splitSelect.value = state.split; }

  function visible() {
    return DATA.rows.filter(function (r) {
      return r.split === state.split && (state.protocol === "all" || r.protocol === state.protocol);
    });
  }
  function protocolsOf(split) {
    return DATA.protocols.filter(function (p) {
      return DATA.rows.some(function (r) { return r.split === split && r.protocol === p; });
    });
  }
  function fillProtocols() {
    var present = protocolsOf(state.split);
    while (protocolSelect.firstChild) { protocolSelect.removeChild(protocolSelect.firstChild); }
    option(protocolSelect, "all", "all (" + present.join(", ") + ")");
    present.forEach(function (p) { option(protocolSelect, p, p); });
    if (state.protocol !== "all" && present.indexOf(state.protocol) < 0) { state.protocol = "all"; }
    protocolSelect.value = state.protocol;
  }

  function value(row, key) {
    if (key === "model" || key === "organisation" || key === "split" || key === "protocol") {
      return String(row[key]).toLowerCase();
    }
    return row.scores[key];
  }
  function sorted(rows) {
    var sign = state.sortDir === "ascending" ? 1 : -1;
    return rows.slice().sort(function (a, b) {
      var x = value(a, state.sortKey), y = value(b, state.sortKey);
      if (x < y) { return -sign; }
      if (x > y) { return sign; }
      return a.model < b.model ? -1 : (a.model > b.model ? 1 : 0);
    });
  }

  function header() {
    var tr = document.getElementById("header");
    while (tr.firstChild) { tr.removeChild(tr.firstChild); }
    TEXT_COLUMNS.concat(DATA.columns).forEach(function (c) {
      var cls = c.kind ? ((c.kind === "task" ? "" : "group ") + (c.level ? "level-" + c.level : "")) : "text";
      var th = el("th", { "data-key": c.key, "class": cls, scope: "col", title: "sort by " + c.label }, c.label);
      if (c.key === state.sortKey) { th.setAttribute("aria-sort", state.sortDir); }
      th.addEventListener("click", function () {
        if (state.sortKey === c.key) {
          state.sortDir = state.sortDir === "descending" ? "ascending" : "descending";
        } else {
          state.sortKey = c.key;
          state.sortDir = c.kind ? "descending" : "ascending";
        }
        render();
      });
      tr.appendChild(th);
    });
  }

  function cellTitle(row, c) {
    var parts = [c.label + ": " + fmt(row.scores[c.key])];
    var ci = row.intervals[c.key];
    if (ci) { parts.push("95% interval " + fmt(ci[0]) + " to " + fmt(ci[1])); }
    if (row.parse_failure_rates[c.key] !== undefined) {
      parts.push("parse failures " + fmt(row.parse_failure_rates[c.key]) + "%");
    }
    if (row.reported) { parts.push("reported by the paper"); }
    return parts.join("; ");
  }

  function body(rows) {
    var tbody = document.getElementById("rows");
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    rows.forEach(function (row) {
      var tr = el("tr", { "class": row.reported ? "reported" : "measured", "data-split": row.split,
                          "data-protocol": row.protocol, "data-reported": row.reported ? "true" : "false" });
      var name = el("td", { "class": "text model" }, row.model);
      if (row.reported) { name.appendChild(el("span", { "class": "badge" }, "reported")); }
      if (row.entry_file) { name.title = "entry " + row.entry_file + (row.date ? ", " + row.date : ""); }
      tr.appendChild(name);
      tr.appendChild(el("td", { "class": "text" }, row.organisation || "-"));
      tr.appendChild(el("td", { "class": "text" }, row.split));
      tr.appendChild(el("td", { "class": "text" }, row.protocol));
      DATA.columns.forEach(function (c) {
        var td = el("td", { "class": "cell" + (c.kind === "task" ? "" : " group"), "data-key": c.key },
                    fmt(row.scores[c.key]));
        td.title = cellTitle(row, c);
        var bar = el("span", { "class": "bar" });
        bar.style.width = Math.max(0, Math.min(100, row.scores[c.key])) + "%";
        bar.style.background = COLORS[c.level] || "#666";
        td.appendChild(bar);
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    document.getElementById("empty").hidden = rows.length > 0;
    document.getElementById("count").textContent = rows.length + " row" + (rows.length === 1 ? "" : "s");
  }

  function chart(row) {
    var card = el("div", { "class": "card" + (row.reported ? " reported" : "") });
    var title = el("h3", {}, row.model + " \\u00b7 " + row.protocol + " \\u00b7 Avg " + fmt(row.scores.avg));
    if (row.reported) { title.appendChild(el("span", { "class": "badge" }, "reported")); }
    card.appendChild(title);
    var tasks = DATA.columns.filter(function (c) { return c.kind === "task"; });
    var W = 320, H = 130, left = 26, bottom = 18, top = 6;
    var plotH = H - bottom - top, step = (W - left - 4) / tasks.length;
    var s = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img",
                          "class": "task-bars", "data-model": row.model });
    s.appendChild(svg("title", {}, row.model + ": per-task scores"));
    [0, 50, 100].forEach(function (v) {
      var y = top + plotH * (1 - v / 100);
      s.appendChild(svg("line", { x1: left, x2: W - 2, y1: y, y2: y, stroke: "#ddd" }));
      s.appendChild(svg("text", { x: left - 3, y: y + 3, "text-anchor": "end", "font-size": 9, fill: "#666" }, v));
    });
    tasks.forEach(function (c, i) {
      var v = Math.max(0, Math.min(100, row.scores[c.key]));
      var h = plotH * v / 100, x = left + i * step + 1;
      var rect = svg("rect", { x: x, y: top + plotH - h, width: Math.max(1, step - 2), height: h,
                                fill: COLORS[c.level] });
      rect.appendChild(svg("title", {}, cellTitle(row, c)));
      s.appendChild(rect);
      var ci = row.intervals[c.key];
      if (ci) {
        var cx = x + (step - 2) / 2;
        s.appendChild(svg("line", { x1: cx, x2: cx, y1: top + plotH * (1 - ci[1] / 100),
                                     y2: top + plotH * (1 - ci[0] / 100), stroke: "#222", "stroke-width": 1 }));
      }
    });
    var avgY = top + plotH * (1 - row.scores.avg / 100);
    s.appendChild(svg("line", { x1: left, x2: W - 2, y1: avgY, y2: avgY, stroke: "#c00", "stroke-dasharray": "3 2" }));
    s.appendChild(svg("text", { x: left, y: H - 5, "font-size": 9, fill: "#555" },
                      "20 tasks, paper order (low | medium | high); red: Avg"));
    card.appendChild(s);
    return card;
  }

  function charts(rows) {
    var box = document.getElementById("charts");
    while (box.firstChild) { box.removeChild(box.firstChild); }
    rows.forEach(function (row) { box.appendChild(chart(row)); });
  }

  function render() {
    var rows = sorted(visible());
    header();
    body(rows);
    charts(rows);
  }

  splitSelect.addEventListener("change", function () { state.split = splitSelect.value; fillProtocols(); render(); });
  protocolSelect.addEventListener("change", function () { state.protocol = protocolSelect.value; render(); });
  fillProtocols();
  render();
  document.body.setAttribute("data-ready", "true");
})();
</script>
</body>
</html>
"""


if __name__ == "__main__":
    raise SystemExit(main())
