"""Validation of a leaderboard entry: every problem, as sentences that say what to fix.

Entries enter the leaderboard from files and bundles written by anyone, so `validate_entry` checks the whole
`spar_bench.results.entry.Entry` format and that the scores follow from each other; nothing is escaped here.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import TypeGuard

from spar_bench.aggregate import macro_means
from spar_bench.protocols import PROTOCOL_NAMES
from spar_bench.results.entry import (
    DATASET_KEYS,
    ENTRY_KEYS,
    LEVEL_NAMES,
    MODEL_KEYS,
    OPTIONAL_ENTRY_KEYS,
    SCHEMA_VERSION,
    SCORE_BLOCK_KEYS,
    VARIANT_BOOLEANS,
    VARIANT_FIELDS,
    VIEW_NAMES,
)
from spar_bench.tasks_spec import TASK_IDS

MAX_TEXT = 200
SPLIT_NAME = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_TOLERANCE = 1e-6  # a level or headline recomputed from the task scores may differ by float rounding only


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_text(value: object, where: str, problems: list[str], *, allow_empty: bool = False) -> None:
    """Append to `problems` why `value` is not a one-line text of at most MAX_TEXT characters, if it is not
    (empty text counts only with `allow_empty`); control characters and line breaks would break a table."""
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
    for name in (key, f"{key}_ci95"):
        container = block.get(name)
        if not isinstance(container, dict):
            problems.append(f"{where}.{name} must be an object")
            return
        if set(container) != set(names):
            problems.append(f"{where}.{name} must have exactly {', '.join(names)}; has {', '.join(sorted(container))}")
            return
    values, intervals = block[key], block[f"{key}_ci95"]
    for name in names:
        _check_score(values[name], f"{where}.{key}.{name}", problems)
        _check_interval(intervals[name], f"{where}.{key}_ci95.{name}", problems)


def _check_block(block: object, protocol: str, n_questions: object, problems: list[str]) -> None:
    where = f"scores.{protocol}"
    if not isinstance(block, dict):
        problems.append(f"{where} must be an object")
        return
    if missing := [k for k in SCORE_BLOCK_KEYS if k not in block]:
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
        elif key in VARIANT_BOOLEANS:
            if not isinstance(value, bool):
                problems.append(f"variant.{key} must be true, false or null (unknown), got {value!r}")
        else:
            check_text(value, f"variant.{key}", problems)


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
    if missing := sorted(ENTRY_KEYS - set(entry)):
        problems.append(f"missing field(s) {', '.join(missing)}")
    if unknown := sorted(set(entry) - ENTRY_KEYS - OPTIONAL_ENTRY_KEYS):
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
            if missing := sorted(MODEL_KEYS - set(model)):
                problems.append(f"model lacks {', '.join(missing)}")
            if unknown := sorted(set(model) - MODEL_KEYS):
                problems.append(f"model has unknown field(s) {', '.join(map(repr, unknown))}")
            if "name" in model:
                check_text(model["name"], "model.name", problems)
            if "organisation" in model:
                check_text(model["organisation"], "model.organisation", problems, allow_empty=True)
            if "adapter" in model:
                check_text(model["adapter"], "model.adapter", problems)
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
            check_text(entry[key], key, problems)

    dataset = entry.get("dataset")
    if "dataset" in entry:
        if not isinstance(dataset, dict):
            problems.append("dataset must be an object")
        else:
            if missing := sorted(DATASET_KEYS - set(dataset)):
                problems.append(f"dataset lacks {', '.join(missing)}")
            if unknown := sorted(set(dataset) - DATASET_KEYS):
                problems.append(f"dataset has unknown field(s) {', '.join(map(repr, unknown))}")
            split = dataset.get("split")
            if "split" in dataset and not (isinstance(split, str) and len(split) <= 40 and SPLIT_NAME.fullmatch(split)):
                problems.append(
                    f"dataset.split {split!r} must be lower-case letters and digits joined by single "
                    f"'-' or '_' (full, tiny, synth or a name of your own), at most 40 characters"
                )
            if "source" in dataset:
                check_text(dataset["source"], "dataset.source", problems)
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
        if not isinstance(scores, dict) or set(scores) != set(PROTOCOL_NAMES):
            got = sorted(scores) if isinstance(scores, dict) else type(scores).__name__
            problems.append(f"scores must hold exactly the protocols {', '.join(PROTOCOL_NAMES)}; got {got}")
        else:
            for protocol in PROTOCOL_NAMES:
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
