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

from spar_bench import errors
from spar_bench.aggregate import macro_means
from spar_bench.protocols import PROTOCOLS as _REGISTRY
from spar_bench.tasks_spec import LEVELS, TASK_IDS, TASKS_BY_ID, VIEW_GROUPS, tasks_in

SCHEMA_VERSION = 1
PROTOCOLS: tuple[str, ...] = ("strict", "official")
REPORTED_PROTOCOL = "paper"  # the paper's own numbers: its scorer, no intervals
STANDARD_SPLITS: tuple[str, ...] = ("full", "tiny", "synth")
PROTOCOL_ORDER: tuple[str, ...] = (*PROTOCOLS, REPORTED_PROTOCOL)
IMAGE_LIMIT_KEYS: tuple[str, ...] = (
    "min_pixels",
    "max_pixels",
    "max_image_side",
    "max_image_pixels",
    "image_processor",
)
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
REPORTED_SOURCE = "the paper, arXiv 2503.22976, Table 4"
REPORTED_BASELINES: tuple[str, ...] = ("Chance (Frequency)", "Human")  # reference rows of the paper, not ranked
BASELINE_ADAPTERS: tuple[str, ...] = ("spar_oracle", "spar_frequency", "spar_random")
BASELINE_ORGANISATION = "spar-bench baseline"

# The variant of an entry: what else, beyond the split and the protocol version, changes a score. A field
# that is absent or None is unknown (entries written before the block existed still load). GROUPING_FIELDS
# split tables: rows are ranked only against rows with the same values, unknown being a value of its own.
# The model revision is shown but does not group: it names a checkpoint of one model, so two models always
# differ in it.
VARIANT_FIELDS: tuple[str, ...] = (
    "max_new_tokens",
    "thinking",
    "engine",
    "model_revision",
    "precision",
    "trained_on_spar7m",
    "dataset_revision",
)
GROUPING_FIELDS: tuple[str, ...] = tuple(f for f in VARIANT_FIELDS if f != "model_revision")
VARIANT_LABELS: dict[str, str] = {
    "max_new_tokens": "max new tokens",
    "thinking": "thinking",
    "engine": "engine",
    "model_revision": "model revision",
    "precision": "precision",
    "trained_on_spar7m": "trained on SPAR-7M",
    "dataset_revision": "dataset revision",
}
_VARIANT_BOOLEANS = ("thinking", "trained_on_spar7m")

_TOP_KEYS = {
    "schema_version",
    "model",
    "generation_settings",
    "image_limits",
    "package_version",
    "scorer_version",
    "dataset",
    "date",
    "n_questions",
    "predictions_sha256",
    "scores",
    "reported",
}
_OPTIONAL_TOP_KEYS = {"variant"}
_MODEL_KEYS = {"name", "organisation", "adapter", "model_args", "adapter_identity"}
_DATASET_KEYS = {"split", "source", "fingerprint"}
_BLOCK_REQUIRED = ("protocol", "overall", "overall_ci95", "levels", "levels_ci95", "views", "views_ci95", "tasks")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SPLIT = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
MAX_TEXT = 200
_TOLERANCE = 1e-6  # a level or headline recomputed from the task scores may differ by float rounding only


class LeaderboardError(errors.LeaderboardError, ValueError):
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
        problems.append(
            f"{where}.tasks covers {len(TASK_IDS) - len(missing)} of 20 tasks; missing {', '.join(missing)}"
        )
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
        problems.append(
            f"{where} scored {total} questions but n_questions is {n_questions}: every question of the "
            f"split must be answered and scored (a failed request is not scored)"
        )
    # The headline and levels must follow from the task scores (the paper's rule), not be claimed apart.
    overall, levels, views = macro_means({t: tasks[t]["score"] for t in TASK_IDS})
    if _is_number(block["overall"]) and abs(overall - block["overall"]) > _TOLERANCE:
        problems.append(f"{where}.overall = {block['overall']} but the mean of its task scores is {overall}")
    for key, recomputed in (("levels", levels), ("views", views)):
        for name, value in recomputed.items():
            claimed = block[key].get(name) if isinstance(block[key], dict) else None
            if _is_number(claimed) and abs(value - claimed) > _TOLERANCE:
                problems.append(f"{where}.{key}.{name} = {claimed} but the mean of its task scores is {value}")


def _check_variant(variant: object, problems: list[str]) -> None:
    if not isinstance(variant, dict):
        problems.append("variant must be an object")
        return
    if unknown := sorted(set(variant) - set(VARIANT_FIELDS)):
        problems.append(
            f"variant has unknown field(s) {', '.join(map(repr, unknown))}; known: {', '.join(VARIANT_FIELDS)}"
        )
    for key in VARIANT_FIELDS:
        value = variant.get(key)
        if value is None:
            continue
        if key == "max_new_tokens":
            if not (isinstance(value, int) and not isinstance(value, bool) and value > 0):
                problems.append(f"variant.max_new_tokens must be a positive integer or null, got {value!r}")
        elif key in _VARIANT_BOOLEANS:
            if not isinstance(value, bool):
                problems.append(f"variant.{key} must be true, false or null (unknown), got {value!r}")
        else:
            _check_text(value, f"variant.{key}", problems)


def validate_entry(entry: object) -> list[str]:
    """Every problem of a leaderboard entry, as readable sentences; an empty list means valid.

    Checks the schema (exact top-level keys, types, 64-hex fingerprint and predictions hash, an ISO date),
    that the split is a lower-case name usable in a file name, that both protocols hold all 20 tasks, three
    levels and two view groups with 0-100 scores and 95% intervals, that the task counts add up to
    `n_questions`, and that the headline, level and view means follow from the task scores. The optional
    `variant` block holds only VARIANT_FIELDS (null or missing = unknown). Text fields
    reject control characters and line breaks (they would break the markdown table); nothing is escaped
    here: escaping happens where text is written out.
    """
    if not isinstance(entry, dict):
        return [f"an entry must be a JSON object, got {type(entry).__name__}"]
    problems: list[str] = []
    if missing := sorted(_TOP_KEYS - set(entry)):
        problems.append(f"missing field(s) {', '.join(missing)}")
    if unknown := sorted(set(entry) - _TOP_KEYS - _OPTIONAL_TOP_KEYS):
        problems.append(f"unknown field(s) {', '.join(map(repr, unknown))}")
    if "schema_version" in entry and (
        entry["schema_version"] != SCHEMA_VERSION or isinstance(entry["schema_version"], bool)
    ):
        problems.append(
            f"schema_version is {entry['schema_version']!r}; this leaderboard reads version {SCHEMA_VERSION}"
        )

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
            if not isinstance(args, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in args.items()
            ):
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
                problems.append(
                    f"dataset.split {split!r} must be lower-case letters and digits joined by single "
                    f"'-' or '_' (full, tiny, synth or a name of your own), at most 40 characters"
                )
            if "source" in dataset:
                _check_text(dataset["source"], "dataset.source", problems)
            fingerprint = dataset.get("fingerprint")
            if "fingerprint" in dataset and not (isinstance(fingerprint, str) and _HEX64.fullmatch(fingerprint)):
                problems.append(
                    "dataset.fingerprint must be 64 lower-case hex digits (`spar-bench validate` prints it)"
                )

    if "date" in entry:
        date = entry["date"]
        try:
            if not (isinstance(date, str) and _DATE.fullmatch(date)):
                raise ValueError
            _dt.date.fromisoformat(date)
        except ValueError:
            problems.append(f"date {date!r} must be a calendar date written YYYY-MM-DD")
    n_questions = entry.get("n_questions")
    if "n_questions" in entry and not (
        isinstance(n_questions, int) and not isinstance(n_questions, bool) and n_questions > 0
    ):
        problems.append(f"n_questions must be a positive integer, got {n_questions!r}")
    digest = entry.get("predictions_sha256")
    if "predictions_sha256" in entry and not (isinstance(digest, str) and _HEX64.fullmatch(digest)):
        problems.append("predictions_sha256 must be 64 lower-case hex digits (the sha256 of the predictions file)")
    if "variant" in entry:
        _check_variant(entry["variant"], problems)
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
                if (
                    isinstance(block, dict)
                    and "scorer_version" in block
                    and "scorer_version" in entry
                    and block["scorer_version"] != entry["scorer_version"]
                ):
                    problems.append(
                        f"scores.{protocol}.scorer_version {block['scorer_version']!r} differs from the "
                        f"entry's scorer_version {entry['scorer_version']!r}"
                    )
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


def custom_split(fingerprint: str) -> str:
    """The split of an entry on data other than full, tiny or synth: `custom-` and the fingerprint's first 8 hex
    digits, so entries on two different custom datasets are never ranked together or refused as one split."""
    return f"custom-{str(fingerprint)[:8].lower()}"


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
    if (
        os.sep in name
        or (os.altsep and os.altsep in name)
        or name.startswith(".")
        or target.resolve().parent != root
        or target.is_symlink()
    ):
        raise LeaderboardError(f"entry file name {name!r} would escape the entries folder {folder}")
    if target.exists() and not overwrite:
        raise FileExistsError(
            f"{target} exists; pass --overwrite (`spar-bench leaderboard add`; overwrite=True from "
            "Python) to replace the entry of this model and split"
        )
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
            reason = (
                f"file name should be {expected} for model {entry['model']['name']!r} "
                f"and split {entry['dataset']['split']!r}"
            )
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
    variant: Mapping | None = None,
) -> dict:
    """An entry in the leaderboard's format (not validated here: see validate_entry). `variant` fills the
    variant block (VARIANT_FIELDS; a field left out is null, unknown)."""
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
        "variant": {key: (variant or {}).get(key) for key in VARIANT_FIELDS},
    }


def _thinking(identity: Mapping, settings: Mapping) -> bool | None:
    """Thinking on or off where a run records it: a generation setting, or the chat-template switch sent to a
    server (`extra_body.chat_template_kwargs.enable_thinking`); None when nothing says."""
    for source in (settings, identity):
        for key in ("thinking", "enable_thinking"):
            if isinstance(source.get(key), bool):
                return source[key]
    extra = identity.get("extra_body")
    kwargs = extra.get("chat_template_kwargs") if isinstance(extra, Mapping) else None
    if isinstance(kwargs, Mapping) and isinstance(kwargs.get("enable_thinking"), bool):
        return kwargs["enable_thinking"]
    return None


def variant_from_run(
    adapter_identity: Mapping | None,
    generation_settings: Mapping | None,
    *,
    trained_on_spar7m: bool | None = None,
    dataset_revision: str | None = None,
) -> dict:
    """The variant block a run records: max new tokens from its generation settings, thinking (see
    `_thinking`), the engine (the adapter identity's `adapter`: hf, openai_server, baseline), the model
    revision (the checkpoint's commit, else the revision asked for), the precision (the identity's dtype).
    What a run does not record stays None (unknown); nothing is guessed from a model's name."""
    identity = adapter_identity if isinstance(adapter_identity, Mapping) else {}
    settings = generation_settings if isinstance(generation_settings, Mapping) else {}
    tokens = settings.get("max_new_tokens")

    def text(value: object) -> str | None:
        return (
            str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip() else None
        )

    return {
        "max_new_tokens": tokens if isinstance(tokens, int) and not isinstance(tokens, bool) and tokens > 0 else None,
        "thinking": _thinking(identity, settings),
        "engine": text(identity.get("adapter")),
        "model_revision": text(identity.get("commit") or identity.get("revision")),
        "precision": text(identity.get("dtype")),
        "trained_on_spar7m": trained_on_spar7m,
        "dataset_revision": dataset_revision,
    }


def entry_variant(entry: Mapping) -> dict:
    """Every VARIANT_FIELDS value of an entry, None where unknown (an entry without a variant block included)."""
    variant = entry.get("variant") if isinstance(entry.get("variant"), Mapping) else {}
    return {key: variant.get(key) for key in VARIANT_FIELDS}


def variant_text(key: str, value: object) -> str:
    """`thinking on`, `max new tokens 100`, `precision unknown`: one variant field as a reader sees it."""
    if value is None:
        shown = "unknown"
    elif isinstance(value, bool):
        shown = ("on" if value else "off") if key == "thinking" else ("yes" if value else "no")
    else:
        shown = str(value)
    return f"{VARIANT_LABELS[key]} {shown}"


def entry_from_run(
    results: Mapping,
    predictions_path: str | Path,
    model_name: str,
    organisation: str,
    *,
    split: str | None = None,
    trained_on_spar7m: bool | None = None,
) -> dict:
    """A leaderboard entry from a `spar-bench run` results.json (as a dict) and its predictions file.

    The split is the run's data source when that is full, tiny or synth, else `split` or `custom_split` of
    the run's fingerprint (so two custom datasets never share a split); the
    date is the run's date; image limits are the adapter identity's resolution settings that are set; the
    variant block is what the run records (`variant_from_run`) plus `trained_on_spar7m` (None: unknown).
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
        split=source if source in STANDARD_SPLITS else (split or custom_split(metadata["dataset_fingerprint"])),
        source=source,
        fingerprint=metadata["dataset_fingerprint"],
        date=str(metadata["date"])[:10],
        n_questions=metadata["n_questions"],
        predictions_sha256=sha256_file(predictions_path),
        scores={protocol: results["protocols"][protocol] for protocol in PROTOCOLS},
        variant=variant_from_run(
            identity,
            metadata.get("generation_settings"),
            trained_on_spar7m=trained_on_spar7m,
            dataset_revision=metadata.get("dataset_revision"),
        ),
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
    variant: dict[str, object] = field(default_factory=lambda: dict.fromkeys(VARIANT_FIELDS))
    baseline: bool = False
    source: str = ""  # where a reported row's numbers come from; empty for measured rows

    def as_json(self) -> dict:
        return {
            "model": self.model,
            "organisation": self.organisation,
            "split": self.split,
            "protocol": self.protocol,
            "reported": self.reported,
            "scores": self.scores,
            "intervals": {k: list(v) for k, v in self.intervals.items()},
            "parse_failure_rates": self.parse_failure_rates,
            "views": self.views,
            "n_questions": self.n_questions,
            "date": self.date,
            "fingerprint": self.fingerprint,
            "entry_file": self.entry_file,
            "variant": self.variant,
            "baseline": self.baseline,
            "source": self.source,
        }

    def grouping(self) -> tuple:
        """The GROUPING_FIELDS values: rows are ranked together only when these are equal."""
        return tuple(self.variant.get(key) for key in GROUPING_FIELDS)


def is_baseline(entry: Mapping) -> bool:
    """An entry of one of the package's baselines (spar_oracle, spar_frequency, spar_random): shown as a
    reference point in every table of its split, never ranked."""
    return entry["model"].get("adapter") in BASELINE_ADAPTERS


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
        rows.append(
            LeaderboardRow(
                model=entry["model"]["name"],
                organisation=entry["model"]["organisation"],
                split=entry["dataset"]["split"],
                protocol=label,
                reported=False,
                scores={k: float(scores[k]) for k in SCORE_COLUMNS},
                intervals={k: intervals[k] for k in SCORE_COLUMNS},
                parse_failure_rates=rates,
                views=dict(block["views"]),
                n_questions=entry["n_questions"],
                date=entry["date"],
                fingerprint=entry["dataset"]["fingerprint"],
                entry_file=entry_filename(entry),
                variant=entry_variant(entry),
                baseline=is_baseline(entry),
            )
        )
    return rows


def read_reported(path: str | Path) -> list[LeaderboardRow]:
    """The paper's reported rows (`paper_table4.csv`: model, split, then the score columns in paper order),
    verbatim, as protocol "paper" with REPORTED_SOURCE as their source; Chance (Frequency) and Human are
    baselines (shown, not ranked). Raises ReportedTableError naming the line and column of a bad cell."""
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
        rows.append(
            LeaderboardRow(
                model=record["model"],
                organisation="",
                split=record["split"],
                protocol=REPORTED_PROTOCOL,
                reported=True,
                scores=scores,
                baseline=record["model"] in REPORTED_BASELINES,
                source=REPORTED_SOURCE,
            )
        )
    return rows


def split_order(splits: Iterable[str]) -> list[str]:
    """full, tiny, synth first, then any other split alphabetically."""
    unique = set(splits)
    return [s for s in STANDARD_SPLITS if s in unique] + sorted(unique - set(STANDARD_SPLITS))


def ranked(rows: Iterable[LeaderboardRow]) -> list[LeaderboardRow]:
    """Highest Avg first; ties by model name, then protocol, so the order never depends on input order."""
    return sorted(
        rows,
        key=lambda r: (
            -r.scores["avg"],
            r.model.lower(),
            r.model,
            PROTOCOL_ORDER.index(r.protocol) if r.protocol in PROTOCOL_ORDER else 99,
        ),
    )


@dataclass(frozen=True)
class Table:
    """One ranking: rows of one split, one protocol (and version) and one variant. `variant` holds the
    GROUPING_FIELDS values of its ranked rows (empty for a table of baselines only); `differs` names the
    fields in which this table differs from another table of the same split and protocol. Baselines are
    in every table of their split and protocol, with no rank."""

    split: str
    protocol: str
    rows: list[LeaderboardRow]
    variant: dict[str, object] = field(default_factory=dict)
    differs: tuple[str, ...] = ()

    def ranks(self) -> list[int | None]:
        """1, 2, ... down the ranked rows, ties sharing a rank (1, 1, 3); None for a baseline."""
        out: list[int | None] = []
        position, previous, rank = 0, None, 0
        for row in self.rows:
            if row.baseline:
                out.append(None)
                continue
            position += 1
            if row.scores["avg"] != previous:
                rank, previous = position, row.scores["avg"]
            out.append(rank)
        return out

    def heading(self) -> str:
        """`split synth, protocol strict` and, where the split and protocol hold several variants, the ones
        that tell this table apart (`, max new tokens 512, thinking on`)."""
        text = f"split {self.split}, protocol {self.protocol}"
        return text + "".join(f", {variant_text(k, self.variant.get(k))}" for k in self.differs)


def tables(rows: Sequence[LeaderboardRow]) -> list[Table]:
    """Every table, in split then protocol order (protocols scored under an older version, labelled
    `strict v1`, after the current ones), then by variant. Rows of one split and protocol whose
    GROUPING_FIELDS differ are in different tables, unknown being a value of its own; baselines join every
    table of their split and protocol (a table of their own when nothing else is there)."""
    out = []
    older = sorted({r.protocol for r in rows} - set(PROTOCOL_ORDER))
    for split in split_order(r.split for r in rows):
        for protocol in (*PROTOCOL_ORDER, *older):
            chosen = [r for r in rows if r.split == split and r.protocol == protocol]
            if not chosen:
                continue
            baselines = [r for r in chosen if r.baseline]
            groups: dict[tuple, list[LeaderboardRow]] = {}
            for row in chosen:
                if not row.baseline:
                    groups.setdefault(row.grouping(), []).append(row)
            if not groups:
                out.append(Table(split, protocol, ranked(baselines)))
                continue
            keys = sorted(groups, key=lambda key: tuple((v is None, str(v)) for v in key))
            differs = tuple(f for i, f in enumerate(GROUPING_FIELDS) if len({key[i] for key in keys}) > 1)
            for key in keys:
                out.append(
                    Table(split, protocol, ranked(groups[key] + baselines), dict(zip(GROUPING_FIELDS, key)), differs)
                )
    return out


PUBLIC_SPLITS: tuple[str, ...] = ("full", "tiny")


def is_synthetic_split(split: str) -> bool:
    """`synth` (the embedded set) or a split named `synth-...` / `synth_...` (another seed)."""
    return split == "synth" or split.startswith(("synth-", "synth_"))


@dataclass(frozen=True)
class PublicSyntheticPair:
    """One model's Avg on a public split and on a synthetic seed under one protocol and variant, and the
    difference synthetic minus public. A signal to look closer, never proof: see docs/leaderboard.md."""

    model: str
    protocol: str
    public_split: str
    public_avg: float
    synthetic_split: str
    synthetic_avg: float

    @property
    def difference(self) -> float:
        return self.synthetic_avg - self.public_avg

    def as_json(self) -> dict:
        return {
            "model": self.model,
            "protocol": self.protocol,
            "public_split": self.public_split,
            "public_avg": self.public_avg,
            "synthetic_split": self.synthetic_split,
            "synthetic_avg": self.synthetic_avg,
            "difference": self.difference,
        }


def public_synthetic_pairs(rows: Sequence[LeaderboardRow]) -> list[PublicSyntheticPair]:
    """Every pair of measured rows of one model (same name), one protocol label and one variant (equal
    GROUPING_FIELDS) where one is on a public split (full, tiny) and the other on a synthetic split; in
    model, protocol, public split, synthetic split order. Reported rows are never paired (their variant is
    unknown and the synthetic set is not in the paper)."""
    measured = [r for r in rows if not r.reported]
    pairs = []
    for public in measured:
        if public.split not in PUBLIC_SPLITS:
            continue
        for synthetic in measured:
            if (
                is_synthetic_split(synthetic.split)
                and synthetic.model == public.model
                and synthetic.protocol == public.protocol
                and synthetic.grouping() == public.grouping()
            ):
                pairs.append(
                    PublicSyntheticPair(
                        public.model,
                        public.protocol,
                        public.split,
                        public.scores["avg"],
                        synthetic.split,
                        synthetic.scores["avg"],
                    )
                )
    order = {p: i for i, p in enumerate(PROTOCOL_ORDER)}
    return sorted(
        pairs,
        key=lambda p: (
            p.model.lower(),
            p.model,
            order.get(p.protocol, 99),
            p.protocol,
            PUBLIC_SPLITS.index(p.public_split),
            p.synthetic_split,
        ),
    )


@dataclass(frozen=True)
class Reproduction:
    """A measured entry next to the paper's reported row of the same model and split: the paper's Avg, the
    entry's Avg under the official protocol (the paper's own scorer, reproduced) and under strict, and the
    difference official minus reported."""

    model: str
    split: str
    reported_avg: float
    official_avg: float
    strict_avg: float | None

    @property
    def difference(self) -> float:
        return self.official_avg - self.reported_avg

    def as_json(self) -> dict:
        return {
            "model": self.model,
            "split": self.split,
            "reported_avg": self.reported_avg,
            "official_avg": self.official_avg,
            "strict_avg": self.strict_avg,
            "difference": self.difference,
        }


def _model_key(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


def reproductions(rows: Sequence[LeaderboardRow]) -> list[Reproduction]:
    """Every measured entry whose model name equals a reported row's on the same split (case, spaces and
    punctuation ignored: name the entry as the paper names the model to pair them), under the current
    protocol versions; in split then model order."""
    reported = {(_model_key(r.model), r.split): r for r in rows if r.reported}
    measured = {(_model_key(r.model), r.split, r.protocol): r for r in rows if not r.reported}
    out = []
    for (key, split, protocol), row in measured.items():
        paper = reported.get((key, split))
        if paper is None or protocol != "official":
            continue
        strict = measured.get((key, split, "strict"))
        out.append(
            Reproduction(
                row.model, split, paper.scores["avg"], row.scores["avg"], strict.scores["avg"] if strict else None
            )
        )
    return sorted(out, key=lambda r: (split_order([r.split]), r.model.lower()))


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


def plot_filenames(all_tables: Sequence[Table]) -> list[str]:
    """`<split>_<protocol>.png` per table; the second and later variant of one split and protocol get `_2`,
    `_3`, so every table has its own image."""
    names, seen = [], {}
    for table in all_tables:
        base = f"{table.split}_{table.protocol}".replace(" ", "_")
        seen[base] = seen.get(base, 0) + 1
        names.append(f"{base}.png" if seen[base] == 1 else f"{base}_{seen[base]}.png")
    return names


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


MARKDOWN_HEADER: tuple[str, ...] = ("Rank", "Model", "Org", "Split", "Protocol", "Revision", "Source")


def render_markdown(rows: Sequence[LeaderboardRow], *, plots: bool = True) -> str:
    """LEADERBOARD.md: one table per split, protocol and variant, columns in the paper's order, reported rows
    marked `(reported)` with their source, baselines marked `(baseline)` without a rank, (with `plots`)
    a bar chart of Avg per table under `plots/`, and, where a model has entries on a public split and a
    synthetic seed, both Avg scores and their difference (`public_synthetic_pairs`)."""
    header = [*MARKDOWN_HEADER, *(COLUMN_LABELS[c] for c in SCORE_COLUMNS)]
    lines = [
        "# SPAR-Bench leaderboard",
        "",
        "<!-- Generated by `spar-bench leaderboard build` from entries/ and reported/; do not edit by hand. -->",
        "",
        "Scores are 0-100. Avg is the unweighted mean of the 20 task scores, Low / Medium / High the means of",
        "their tasks (paper column order). **strict** is this package's headline protocol, **official** the",
        "released scorer reproduced, **paper** the numbers the paper reports in its Table 4",
        "(`reported/paper_table4.csv`, rows marked _(reported)_, no intervals). Each table holds one split, one",
        "protocol and one variant (generation budget, thinking, engine, precision, training on SPAR-7M, dataset",
        "revision; unknown counts as a value of its own): nothing else is ranked together. Baselines are marked",
        "_(baseline)_ and not ranked. Avg is followed by its bootstrap 95% interval; every interval is in",
        "`leaderboard.csv` and on the page `site/index.html` (opens from disk).",
        "",
    ]
    all_tables = tables(rows)
    for table, image in zip(all_tables, plot_filenames(all_tables)):
        heading = markdown_text(table.heading())
        lines += [f"## {heading[0].upper()}{heading[1:]}", ""]
        fingerprints = sorted({r.fingerprint for r in table.rows if r.fingerprint})
        if fingerprints:
            lines += [f"Dataset fingerprint `{fingerprints[0]}`.", ""]
        if table.variant:
            lines += [
                "Variant: " + "; ".join(markdown_text(variant_text(k, v)) for k, v in table.variant.items()) + ".",
                "",
            ]
        if plots:
            lines += [f"![Avg per model, {markdown_text(table.heading())}](plots/{image})", ""]
        lines.append("| " + " | ".join(header) + " |")
        lines.append(
            "|" + "|".join(["---:"] + ["---"] * (len(MARKDOWN_HEADER) - 1) + ["---:"] * len(SCORE_COLUMNS)) + "|"
        )
        for row, rank in zip(table.rows, table.ranks()):
            name = (
                markdown_text(row.model)
                + (" _(reported)_" if row.reported else "")
                + (" _(baseline)_" if row.baseline else "")
            )
            revision = row.variant.get("model_revision")
            cells = [
                "-" if rank is None else str(rank),
                name,
                markdown_text(row.organisation) or "-",
                markdown_text(row.split),
                row.protocol,
                markdown_text(str(revision)) if revision else "-",
                markdown_text(row.source) or "-",
            ]
            for column in SCORE_COLUMNS:
                cell = _fmt(row.scores[column])
                if column == "avg" and column in row.intervals:
                    low, high = row.intervals[column]
                    cell += f" ({low:.2f}-{high:.2f})"
                cells.append(cell)
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    reproduced = [
        [
            markdown_text(p.model),
            p.split,
            f"{p.reported_avg:.2f}",
            f"{p.official_avg:.2f}",
            f"{p.difference:+.2f}",
            "-" if p.strict_avg is None else f"{p.strict_avg:.2f}",
        ]
        for p in reproductions(rows)
    ]
    lines += _markdown_section(
        "Reported and reproduced",
        "Entries of a model the paper reports, on the same split: the paper's Avg, the entry's Avg under the\n"
        "official protocol (the released scorer, reproduced exactly) and the difference, then the strict Avg.\n"
        "A difference comes from the model run (checkpoint, prompts, generation, images), not the scoring.",
        ["Model", "Split", "Reported Avg (paper)", "Reproduced Avg, official", "Difference", "Strict Avg"],
        2,
        reproduced,
    )
    paired = [
        [
            markdown_text(p.model),
            p.protocol,
            p.public_split,
            f"{p.public_avg:.2f}",
            markdown_text(p.synthetic_split),
            f"{p.synthetic_avg:.2f}",
            f"{p.difference:+.2f}",
        ]
        for p in public_synthetic_pairs(rows)
    ]
    lines += _markdown_section(
        "Public set and a fresh synthetic seed",
        "The same model's Avg on a public split and on a synthetic seed (same protocol and variant), and the\n"
        "difference synthetic minus public. Synthetic rooms are easier or harder in other ways than the\n"
        "photos, so a difference alone means little: only a large drop on a fresh seed of comparable\n"
        "difficulty hints at memorisation of the public set, and nothing here proves contamination\n"
        "(`docs/leaderboard.md`).",
        ["Model", "Protocol", "Public split", "Public Avg", "Synthetic split", "Synthetic Avg", "Difference"],
        3,
        paired,
    )
    return "\n".join(lines)


def _markdown_section(title: str, intro: str, header: list[str], text_columns: int, rows: list[list[str]]) -> list[str]:
    """A `## title` section with its intro and a table (the first `text_columns` left-aligned), or nothing
    when there are no rows."""
    if not rows:
        return []
    rule = ["---"] * text_columns + ["---:"] * (len(header) - text_columns)
    return [
        "## " + title,
        "",
        *intro.split("\n"),
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join(rule) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
    ]


CSV_COLUMNS: tuple[str, ...] = (
    "model",
    "organisation",
    "split",
    "protocol",
    "reported",
    "baseline",
    "rank",
    "source",
    *VARIANT_FIELDS,
    "n_questions",
    "date",
    "dataset_fingerprint",
    "entry",
    *(f"{c}{suffix}" for c in SCORE_COLUMNS for suffix in ("", "_ci95_low", "_ci95_high")),
    *(f"{v}{suffix}" for v in VIEW_NAMES for suffix in ("",)),
    *(f"{t}_parse_failure_rate" for t in TASK_IDS),
)


def csv_text(text: str) -> str:
    """A text cell that a spreadsheet will not run as a formula (a leading =, +, -, @ gets a quote)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_csv(rows: Sequence[LeaderboardRow]) -> str:
    """leaderboard.csv: one row per entry and protocol plus the reported rows, in table order (split,
    protocol, variant, rank; a baseline once, where it first appears, with no rank); 0-100 numbers with four
    decimals, empty where a row has no such value (an unknown variant field included)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    written: set[int] = set()
    for table in tables(rows):
        for row, rank in zip(table.rows, table.ranks()):
            if id(row) in written:
                continue
            written.add(id(row))
            variant = [
                ""
                if row.variant.get(k) is None
                else (
                    str(row.variant[k]).lower() if isinstance(row.variant[k], bool) else csv_text(str(row.variant[k]))
                )
                for k in VARIANT_FIELDS
            ]
            record = [
                csv_text(row.model),
                csv_text(row.organisation),
                row.split,
                row.protocol,
                "true" if row.reported else "false",
                "true" if row.baseline else "false",
                "" if rank is None else str(rank),
                row.source,
                *variant,
                "" if row.n_questions is None else str(row.n_questions),
                row.date,
                row.fingerprint,
                row.entry_file,
            ]
            for column in SCORE_COLUMNS:
                interval = row.intervals.get(column)
                record += [
                    f"{row.scores[column]:.4f}",
                    *(("", "") if interval is None else (f"{interval[0]:.4f}", f"{interval[1]:.4f}")),
                ]
            record += [f"{row.views[v]:.4f}" if v in row.views else "" for v in VIEW_NAMES]
            record += [f"{row.parse_failure_rates[t]:.4f}" if t in row.parse_failure_rates else "" for t in TASK_IDS]
            writer.writerow(record)
    return buffer.getvalue()


def script_json(value: object) -> str:
    """JSON for a <script> block: `<`, `>`, `&` and the JS line separators as \\u escapes, so no text in
    the data can close the block (`</script>`) or open a comment (`<!--`)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


PAGE_REPORTED_PROTOCOL = "official"  # the paper's numbers come from its released scorer, which `official` reproduces


def render_page(name: str, data: object) -> str:
    """The package page `spar_bench/pages/<name>` with `data` in its `/*__DATA__*/null` block (`script_json`)."""
    from importlib import resources

    template = resources.files("spar_bench").joinpath("pages", name).read_text(encoding="utf-8")
    return template.replace("/*__DATA__*/null", script_json(data))


def _page_heading(table: Table) -> str:
    if any(r.reported for r in table.rows):
        sources = sorted({r.source for r in table.rows if r.source})
        return (
            f"Reported by {', '.join(sources) or 'a paper'} (its own scorer, which the official protocol "
            f"reproduces; split {table.split})"
        )
    if not table.variant:
        return f"Baselines, split {table.split}, protocol {table.protocol}"
    return f"Split {table.split}, protocol {table.protocol}, ranked within: " + "; ".join(
        variant_text(k, v) for k, v in table.variant.items()
    )


def render_html(rows: Sequence[LeaderboardRow], *, explore_links: Mapping[str, str] | None = None) -> str:
    """site/index.html: the page template with the tables embedded as escaped JSON (`script_json`).

    The page opens on the first split of full, tiny, synth, others; shows one protocol at a time (strict when
    the split has it; the paper's reported rows under `official`); each table is a section with its own
    ranks. `explore_links` maps an entry file name to the relative address of its explorer page."""
    links = explore_links or {}
    all_tables = tables(rows)
    protocols = []
    page_tables = []
    for table in all_tables:
        protocol = PAGE_REPORTED_PROTOCOL if table.protocol == REPORTED_PROTOCOL else table.protocol
        if protocol not in protocols:
            protocols.append(protocol)
        page_rows = [
            {**row.as_json(), "rank": rank, "explore": links.get(row.entry_file)}
            for row, rank in zip(table.rows, table.ranks())
        ]
        page_tables.append(
            {"split": table.split, "protocol": protocol, "heading": _page_heading(table), "rows": page_rows}
        )
    order = [*PROTOCOLS, *sorted(set(protocols) - set(PROTOCOLS))]
    splits = split_order(r.split for r in rows)
    data = {
        "columns": [
            {
                "key": c,
                "label": COLUMN_LABELS[c],
                "level": c if c in LEVEL_NAMES else (TASKS_BY_ID[c].level.value if c in TASKS_BY_ID else ""),
                "kind": "task" if c in TASKS_BY_ID else ("avg" if c == "avg" else "level"),
            }
            for c in SCORE_COLUMNS
        ],
        "splits": splits,
        "protocols": [p for p in order if p in protocols],
        "default_split": splits[0] if splits else None,
        "tables": page_tables,
        "contamination": [pair.as_json() for pair in public_synthetic_pairs(rows)],
        "reproductions": [pair.as_json() for pair in reproductions(rows)],
    }
    return render_page("leaderboard.html", data)


# --- build --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    markdown: Path
    csv: Path
    html: Path
    plots: list[Path]
    n_entries: int
    n_reported: int


def build(
    entries_dir: str | Path, reported_csv: str | Path | None, out_dir: str | Path, *, plots: bool = True
) -> BuildResult:
    """Write `LEADERBOARD.md`, `leaderboard.csv`, `site/index.html` and (with `plots`) `plots/*.png` into
    `out_dir` from the entries of `entries_dir` and the paper's reported rows. An entry whose explorer page
    `out_dir/explore/<entry-stem>/index.html` exists at build time is linked to it from the page.

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
    links = {
        entry_filename(e): f"../explore/{Path(entry_filename(e)).stem}/index.html"
        for e in entries
        if (out / "explore" / Path(entry_filename(e)).stem / "index.html").is_file()
    }
    page = render_html(rows, explore_links=links)
    for path, text in zip(paths, (render_markdown(rows), render_csv(rows), page)):
        path.write_text(text, encoding="utf-8", newline="\n")
    drawn: list[Path] = []
    if plots:
        from spar_bench.plots import plot_avg_bars

        (out / "plots").mkdir(exist_ok=True)
        all_tables = tables(rows)
        for table, name in zip(all_tables, plot_filenames(all_tables)):
            target = out / "plots" / name
            plot_avg_bars(table.rows, target, title=f"SPAR-Bench Avg, {table.heading()}")
            drawn.append(target)
    return BuildResult(*paths, drawn, len(entries), len(reported))


def add_build_arguments(parser) -> None:
    """Arguments of `spar-bench leaderboard build` (an argparse parser)."""
    parser.add_argument("--entries", default="leaderboard/entries", help="folder of entry JSON files")
    parser.add_argument(
        "--reported",
        default="leaderboard/reported/paper_table4.csv",
        help="the paper's reported table (CSV); 'none' leaves the reported rows out",
    )
    parser.add_argument(
        "--out", default="leaderboard", help="output folder: LEADERBOARD.md, leaderboard.csv, site/index.html, plots/"
    )
    parser.add_argument(
        "--no-plots", action="store_true", help="skip the matplotlib images (the markdown is unchanged)"
    )
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
        print(
            f"spar-bench leaderboard build: the plots need matplotlib ({error}); pip install matplotlib, "
            f"or pass --no-plots",
            file=sys.stderr,
        )
        return 2
    print(
        f"{result.n_entries} entries and {result.n_reported} reported rows -> {result.markdown}, {result.csv}, "
        f"{result.html}" + (f", {len(result.plots)} plots" if result.plots else "")
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m spar_bench.leaderboard [build options]`, the same as `spar-bench leaderboard build`."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m spar_bench.leaderboard", description="Build the leaderboard.")
    add_build_arguments(parser)
    return main_build(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
