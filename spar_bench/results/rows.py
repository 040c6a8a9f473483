"""Leaderboard rows: a model under one protocol on one split, whether measured (an entry) or reported (a paper).

Entries and the paper's table come in here and leave as `LeaderboardRow`s, the one shape that the tables,
the markdown, the CSV, the page and the plots read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from spar_bench.protocols import PROTOCOL_NAMES, PROTOCOLS
from spar_bench.results.entry import (
    GROUPING_FIELDS,
    VARIANT_FIELDS,
    Entry,
    ReportedTableError,
    entry_filename,
    entry_variant,
)
from spar_bench.results.entry_check import SPLIT_NAME, check_text
from spar_bench.tasks_spec import LEVELS, TASKS_BY_ID, tasks_in

REPORTED_PROTOCOL = "paper"  # the paper's own numbers: its scorer, no intervals
PROTOCOL_ORDER: tuple[str, ...] = (*PROTOCOL_NAMES, REPORTED_PROTOCOL)

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
    current = PROTOCOLS[protocol].version if protocol in PROTOCOLS else None
    version = versions.get(protocol, current)
    return protocol if version == current else f"{protocol} v{version}"


def _pair(interval: list[float]) -> tuple[float, float]:
    low, high = interval  # a valid entry's [low, high]
    return low, high


def rows_from_entry(entry: Entry) -> list[LeaderboardRow]:
    """One row per protocol of a valid entry; a protocol version other than the current one is in the row's
    protocol label (see `protocol_label`)."""
    rows = []
    for protocol in PROTOCOL_NAMES:
        block = entry["scores"][protocol]
        label = protocol_label(protocol, block.get("scorer_version") or entry.get("scorer_version"))
        scores = {"avg": block["overall"], **block["levels"]}
        intervals = {"avg": _pair(block["overall_ci95"]), **{k: _pair(v) for k, v in block["levels_ci95"].items()}}
        rates: dict[str, float] = {}
        for task, item in block["tasks"].items():
            scores[task] = item["score"]
            intervals[task] = _pair(item["ci95"])
            if (rate := item.get("parse_failure_rate")) is not None:
                rates[task] = rate
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
            check_text(record[key], key, problems)
            if problems:
                raise ReportedTableError(f"{path} line {line}: {problems[0]}")
        if not SPLIT_NAME.fullmatch(record["split"]):
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
