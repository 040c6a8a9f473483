"""The leaderboard entry: one JSON file per evaluated model and split, the data every table is built from.

This module is the one definition of the format (the typed dicts below, whose keys the validator checks
exactly), the leaderboard's errors, the entry's file name, and how an entry and its variant block are made.
Validation is `spar_bench.results.entry_check`; entry files are read and written by `spar_bench.results.entry_files`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypedDict

from spar_bench import errors
from spar_bench.data import NAMED_SOURCES
from spar_bench.protocols import PROTOCOL_NAMES
from spar_bench.tasks_spec import LEVELS, VIEW_GROUPS

SCHEMA_VERSION = 1
STANDARD_SPLITS: tuple[str, ...] = NAMED_SOURCES  # the split of a run on a named source is that name
IMAGE_LIMIT_KEYS: tuple[str, ...] = (
    "min_pixels",
    "max_pixels",
    "max_image_side",
    "max_image_pixels",
    "image_processor",
)
LEVEL_NAMES: tuple[str, ...] = tuple(level.value for level in LEVELS)
VIEW_NAMES: tuple[str, ...] = tuple(view.value for view in VIEW_GROUPS)


class LeaderboardError(errors.LeaderboardError, ValueError):
    """Base class: something the leaderboard cannot use, with what to fix."""


class EntryError(LeaderboardError):
    """An entry that fails validation; `problems` lists every reason."""

    def __init__(self, where: str, problems: list[str] | tuple[str, ...]):
        self.where = where
        self.problems = list(problems)
        super().__init__(f"{where}: " + "; ".join(self.problems))


class ReportedTableError(LeaderboardError):
    """The paper's reported table (CSV) is not in the expected shape."""


class BuildError(LeaderboardError):
    """Entries that cannot be put on one leaderboard together."""


# --- the format ----------------------------------------------------------------------------------------
# Typed dicts at the I/O edge: an entry is JSON on disk and stays a dict in memory. Keys are listed in the
# order an entry is written; a base class holds the required keys, its `total=False` child the optional ones.


class EntryModel(TypedDict):
    name: str
    organisation: str  # may be empty
    adapter: str | None  # the `spar-bench run --model` name
    model_args: dict[str, str]
    adapter_identity: dict[str, Any]  # what the adapter says it ran: engine, checkpoint commit, dtype, ...


class EntryDataset(TypedDict):
    split: str  # full, tiny, synth or a lower-case name of one's own (`custom_split`)
    source: str  # the run's data source
    fingerprint: str  # 64 hex digits, `spar-bench validate` prints it


class _TaskScoreRequired(TypedDict):
    score: float  # 0-100
    n: int  # questions scored
    ci95: list[float]  # [low, high]


class TaskScore(_TaskScoreRequired, total=False):
    parse_failure_rate: float | None  # 0-100


class _ScoreBlockRequired(TypedDict):
    protocol: str
    overall: float
    overall_ci95: list[float]
    levels: dict[str, float]  # LEVEL_NAMES
    levels_ci95: dict[str, list[float]]
    views: dict[str, float]  # VIEW_NAMES
    views_ci95: dict[str, list[float]]
    tasks: dict[str, TaskScore]  # all 20 task ids


class ScoreBlock(_ScoreBlockRequired, total=False):
    """One protocol's scores, as a run's results.json holds them; what else the run wrote is kept, unchecked."""

    scorer_version: str
    package_version: str
    n_scored: int
    n_failed: int
    failed_ids: list[str]
    n_skipped: int
    diagnostics: dict[str, Any]


class Variant(TypedDict):
    """What else, beyond the split and the protocol version, changes a score. None is unknown."""

    max_new_tokens: int | None
    thinking: bool | None
    engine: str | None
    model_revision: str | None
    precision: str | None
    trained_on_spar7m: bool | None
    dataset_revision: str | None


class _EntryRequired(TypedDict):
    schema_version: int  # SCHEMA_VERSION
    model: EntryModel
    generation_settings: dict[str, Any]
    image_limits: dict[str, Any]  # IMAGE_LIMIT_KEYS that are set
    package_version: str
    scorer_version: str
    dataset: EntryDataset
    date: str  # YYYY-MM-DD
    n_questions: int
    predictions_sha256: str
    scores: dict[str, ScoreBlock]  # exactly PROTOCOL_NAMES
    reported: bool  # always false: the paper's numbers live in reported/


class Entry(_EntryRequired, total=False):
    variant: Variant  # absent in entries written before the block existed: every field unknown


ENTRY_KEYS: frozenset[str] = Entry.__required_keys__
OPTIONAL_ENTRY_KEYS: frozenset[str] = Entry.__optional_keys__
MODEL_KEYS: frozenset[str] = EntryModel.__required_keys__
DATASET_KEYS: frozenset[str] = EntryDataset.__required_keys__
SCORE_BLOCK_KEYS: tuple[str, ...] = tuple(k for k in ScoreBlock.__annotations__ if k in ScoreBlock.__required_keys__)

# A variant field that is absent or None is unknown. GROUPING_FIELDS split tables: rows are ranked only
# against rows with the same values, unknown being a value of its own. The model revision is shown but does
# not group: it names a checkpoint of one model, so two models always differ in it.
VARIANT_FIELDS: tuple[str, ...] = tuple(Variant.__annotations__)
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
VARIANT_BOOLEANS: tuple[str, ...] = ("thinking", "trained_on_spar7m")


# --- names ---------------------------------------------------------------------------------------------


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


# --- making an entry -----------------------------------------------------------------------------------


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
    """An entry in the leaderboard's format (`Entry`; not validated here: see validate_entry). `variant` fills
    the variant block (VARIANT_FIELDS; a field left out is null, unknown)."""
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
        "scores": {protocol: scores[protocol] for protocol in PROTOCOL_NAMES},
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
    variant = entry.get("variant")
    if not isinstance(variant, Mapping):
        variant = {}
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
