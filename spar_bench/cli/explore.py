"""`spar-bench explore`: the command's arguments and what it prints (the page is `spar_bench.results.explore`'s)."""

from __future__ import annotations

import sys

from spar_bench.results.explore import explore


def explore_command(args) -> int:
    """`spar-bench explore RUN... --out DIR [--data SOURCE]`: 0 written, 2 a run or dataset that cannot be read."""
    notes: list[str] = []
    page = explore(args.runs, args.out, args.data, notes=notes)
    for note in notes:
        print(f"spar-bench explore: {note}", file=sys.stderr)
    print(f"wrote {page} (open it in a browser; no server needed)")
    return 0


def add_arguments(parser) -> None:
    """The arguments of `spar-bench explore`; sets `run` to explore_command."""
    parser.description = (
        "Write a static page (OUT/index.html, opens from disk) with every question of the runs: its images, the "
        "reference answer, each model's response with the span the strict protocol read, the parsed value and "
        "both protocols' scores, with filters and a per-task summary. Runs are re-scored here."
    )
    parser.add_argument(
        "runs",
        nargs="+",
        metavar="RUN",
        help="a `spar-bench run` folder, an lmms-eval output folder with samples logs, or a bundle",
    )
    parser.add_argument("--out", required=True, help="folder for index.html and images/")
    parser.add_argument(
        "--data",
        help="the dataset the runs answered (hub id, parquet file or folder, or "
        "synth/tiny/full); default: the one the runs name",
    )
    parser.set_defaults(run=explore_command)
