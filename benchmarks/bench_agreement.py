"""Agreement of the strict protocol with a human grader, on a labelled corpus of realistic responses.

Each corpus line holds a response, its question and reference answer, a category, and the score a careful
human grader gives it (`grader_score`, see tests/data/README.md). Every response is scored with
`StrictProtocol().score(task, response, answer, question)`; a response agrees when the two scores differ by
at most 1e-6. Prints agreement overall, per category and per task, and how many responses the protocol
scored higher than the grader (over-credit, the failure that inflates a model) and lower (under-credit).

    python benchmarks/bench_agreement.py
    python benchmarks/bench_agreement.py --corpus /path/to/other.jsonl --show-disagreements
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT / "tests" / "data" / "agreement_corpus.jsonl"
TOLERANCE = 1e-6


@dataclass
class Outcome:
    row: dict
    strict_score: float | None  # None when the protocol raised
    parsed: object = None
    unparsed_reason: str | None = None
    rule: str | None = None
    error: str | None = None

    @property
    def agrees(self) -> bool:
        return self.strict_score is not None and abs(self.strict_score - self.row["grader_score"]) <= TOLERANCE

    @property
    def over(self) -> bool:
        return self.strict_score is not None and self.strict_score > self.row["grader_score"] + TOLERANCE

    @property
    def under(self) -> bool:
        return self.strict_score is None or self.strict_score < self.row["grader_score"] - TOLERANCE


def load_corpus(path: Path) -> list[dict]:
    rows = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"{path}:{number}: not JSON ({exc})") from None
    return rows


def score_corpus(rows: list[dict]) -> list[Outcome]:
    """The strict protocol's score of every row (an exception is recorded, not raised)."""
    from spar_bench.protocols import StrictProtocol

    protocol = StrictProtocol()
    outcomes = []
    for row in rows:
        try:
            sample = protocol.score(row["task"], row["response"], row["answer"], row["question"])
        except Exception as exc:  # a crash on one response is a disagreement, reported with its cause
            outcomes.append(Outcome(row, None, error=f"{type(exc).__name__}: {exc}"))
            continue
        outcomes.append(
            Outcome(row, float(sample.score), sample.parsed, sample.unparsed_reason, getattr(sample, "rule", None))
        )
    return outcomes


def _table(title: str, groups: dict[str, list[Outcome]]) -> list[str]:
    lines = [f"{title:32s} {'n':>4s} {'agree':>7s} {'over':>5s} {'under':>6s}"]
    for name in sorted(groups):
        group = groups[name]
        agree = sum(o.agrees for o in group)
        lines.append(
            f"{name:32s} {len(group):4d} {100 * agree / len(group):6.1f}% "
            f"{sum(o.over for o in group):5d} {sum(o.under for o in group):6d}"
        )
    return lines


def report(outcomes: list[Outcome], show_disagreements: bool = False) -> str:
    n = len(outcomes)
    agree = sum(o.agrees for o in outcomes)
    over = [o for o in outcomes if o.over]
    under = [o for o in outcomes if o.under]
    errors = [o for o in outcomes if o.error]
    lines = [
        f"responses: {n}",
        f"agreement: {agree}/{n} = {100 * agree / n:.1f}%" if n else "agreement: no responses",
        f"scored higher than the grader (over-credit): {len(over)}",
        f"scored lower than the grader (under-credit): {len(under)}",
    ]
    if errors:
        lines.append(f"protocol raised on: {len(errors)}")
    by_category: dict[str, list[Outcome]] = defaultdict(list)
    by_task: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_category[o.row["category"]].append(o)
        by_task[o.row["task"]].append(o)
    lines += ["", *_table("category", by_category), "", *_table("task", by_task)]
    if show_disagreements:
        lines += ["", "disagreements:"]
        for o in outcomes:
            if o.agrees:
                continue
            row = o.row
            kind = "OVER" if o.over else "under"
            lines.append(f"- {row['id']} [{row['category']}] {row['task']} ({kind})")
            lines.append(f"    response: {row['response']!r}")
            lines.append(
                f"    answer: {row['answer']!r}  grader: reading={row['grader_reading']!r} score={row['grader_score']:.4g}"
            )
            if o.error:
                lines.append(f"    strict: raised {o.error}")
            else:
                lines.append(
                    f"    strict: parsed={o.parsed!r} score={o.strict_score:.4g} "
                    f"unparsed_reason={o.unparsed_reason!r}" + (f" rule={o.rule!r}" if o.rule else "")
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSONL corpus (default: %(default)s)")
    parser.add_argument("--show-disagreements", action="store_true", help="print every case that disagrees")
    args = parser.parse_args(argv)
    outcomes = score_corpus(load_corpus(args.corpus))
    print(report(outcomes, show_disagreements=args.show_disagreements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
