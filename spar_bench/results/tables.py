"""Rows into rankings: one table per split, protocol (and version) and variant, and the two views across
tables, a model on a public split beside a synthetic seed and a paper's reported row beside its reproduction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from spar_bench.results.entry import GROUPING_FIELDS, STANDARD_SPLITS, variant_text
from spar_bench.results.rows import PROTOCOL_ORDER, LeaderboardRow


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
