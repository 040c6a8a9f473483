"""`spar-bench compare BASE NEW`: the command's arguments, and the comparison as a terminal table and as a markdown
pull-request comment (`spar_bench.results.compare` computes it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from spar_bench.aggregate import BOOTSTRAP_DRAWS
from spar_bench.protocols import PROTOCOL_NAMES
from spar_bench.results.compare import BETTER, NOISE, WORSE, Comparison, compare, load_side


def _cell(text: str) -> str:
    """Markdown table cell text: pipes, angle brackets, ampersands and newlines cannot break the table."""
    return (
        str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|").replace("\n", " ")
    )


_MARK = {BETTER: "🟢 better", WORSE: "🔴 worse", NOISE: "⚪ within noise"}


def to_markdown(result: Comparison, fail_on_regression: float | None = None) -> str:
    """A pull-request comment: what was compared, then one table row per headline, level, task and grounding
    measure."""
    lines = [
        f"### SPAR-Bench comparison ({result.protocol} protocol)",
        "",
        f"- base: `{_cell(result.base_label)}`",
        f"- new: `{_cell(result.new_label)}`",
    ]
    if result.paired:
        lines.append(
            f"- {result.n_shared} shared questions compared; ignored: {result.n_base_only} only in base, "
            f"{result.n_new_only} only in new"
        )
        lines.append(f"- paired bootstrap 95% intervals, {result.draws} draws, seed {result.seed}")
    lines += [f"- {_cell(note)}" for note in result.notes]
    if fail_on_regression is not None:
        failing = result.regressions(fail_on_regression)
        status = f"**FAIL**: {', '.join(r.name for r in failing)}" if failing else "pass"
        lines.append(f"- regression gate (drop > {fail_on_regression:g} points outside noise): {status}")
    lines += ["", "| | Base | New | Δ | 95% CI of Δ | Verdict |", "|---|---:|---:|---:|---|---|"]
    for r in (*result.rows, *result.grounding):
        name = f"**{r.name}**" if r.kind not in ("task", "grounding") else f"`{r.name}`"
        lines.append(
            f"| {name} | {r.base:.2f} | {r.new:.2f} | {r.delta:+.2f} | [{r.ci95[0]:+.2f}, {r.ci95[1]:+.2f}] "
            f"| {_MARK[r.verdict]} |"
        )
    return "\n".join(lines) + "\n"


def to_text(result: Comparison) -> str:
    """The terminal table: what was compared, then one row per headline, level, task and grounding measure."""
    header = f"{result.protocol} protocol, " + (
        f"paired over {result.n_shared} shared ids ({result.n_base_only} only in base, "
        f"{result.n_new_only} only in new: ignored)"
        if result.paired
        else "unpaired"
    )
    lines = [header, *result.notes, f"{'':32} {'base':>7} {'new':>7} {'delta':>7}  {'95% CI':>17}  verdict"]
    for r in (*result.rows, *result.grounding):
        lines.append(
            f"{r.name:32} {r.base:7.2f} {r.new:7.2f} {r.delta:+7.2f}  [{r.ci95[0]:+6.2f}, {r.ci95[1]:+6.2f}]  "
            f"{r.verdict}"
        )
    return "\n".join(lines)


def compare_command(args) -> int:
    """`spar-bench compare BASE NEW ...`: 0 done (no gated regression), 1 regression, 2 bad input."""
    base, new = load_side(args.base, args.data), load_side(args.new, args.data)
    result = compare(
        base, new, args.protocol, draws=args.bootstrap, seed=args.seed, shared_questions=args.shared_questions
    )
    print(to_text(result))
    if args.markdown:
        Path(args.markdown).write_text(to_markdown(result, args.fail_on_regression), encoding="utf-8")
    if args.fail_on_regression is not None and (failing := result.regressions(args.fail_on_regression)):
        for r in failing:
            print(
                f"spar-bench compare: regression in {r.name}: {r.delta:+.2f} points, 95% CI "
                f"[{r.ci95[0]:+.2f}, {r.ci95[1]:+.2f}]",
                file=sys.stderr,
            )
        return 1
    return 0


def add_arguments(parser) -> None:
    """The arguments of `spar-bench compare` on an argparse (sub)parser; sets `run` to compare_command."""
    parser.add_argument("base", help="run folder, predictions/scored JSONL, lmms-eval output folder, bundle or entry")
    parser.add_argument("new", help="the same kinds as BASE")
    parser.add_argument("--protocol", choices=list(PROTOCOL_NAMES), default="strict")
    parser.add_argument("--markdown", metavar="OUT.md", help="write a markdown table (pull-request comment) here")
    parser.add_argument(
        "--fail-on-regression",
        type=float,
        metavar="POINTS",
        help="exit 1 when the headline or a task drops by more than POINTS, outside the noise",
    )
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    parser.add_argument("--bootstrap", type=int, default=BOOTSTRAP_DRAWS, help="bootstrap draws (default 1000)")
    parser.add_argument("--data", help="reference data for bundles (hub id, parquet, synth, tiny, full)")
    parser.add_argument(
        "--shared-questions",
        action="store_true",
        help="runs on different datasets: pair questions by task and text, not by id, and compare "
        "only those asked in both (without it, different fingerprints are refused)",
    )
    parser.set_defaults(run=compare_command)
