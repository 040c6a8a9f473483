"""`spar-bench leaderboard build` (and `python -m spar_bench.leaderboard`): arguments in, `build` called,
what was written or every problem printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from spar_bench.results.build import build
from spar_bench.results.entry import EntryError, LeaderboardError


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
    parser = argparse.ArgumentParser(prog="python -m spar_bench.leaderboard", description="Build the leaderboard.")
    add_build_arguments(parser)
    return main_build(parser.parse_args(argv))
