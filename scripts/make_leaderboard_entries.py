"""Seed `leaderboard/entries/` with the three baselines on the embedded synthetic set, then rebuild the
leaderboard. Every number comes from running `spar-bench run` in-process; none is typed by hand.

    python scripts/make_leaderboard_entries.py            # entries + LEADERBOARD.md, csv, page, plots
    python scripts/make_leaderboard_entries.py --no-build # entries only

The run folders (journal, predictions, results) go to a temporary folder unless `--runs DIR` keeps them;
an entry records the sha256 of the predictions file it was made from.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from spar_bench.results.build import build
from spar_bench.results.entry_files import entry_from_run, write_entry
from spar_bench.runner import run

REPO = Path(__file__).resolve().parents[1]
BASELINES = (
    # (model, model args, leaderboard name, organisation)
    ("spar_oracle", {}, "spar_oracle", "spar-bench baseline"),
    ("spar_frequency", {}, "spar_frequency", "spar-bench baseline"),
    ("spar_random", {"seed": "0"}, "spar_random", "spar-bench baseline"),
)
TASK_SET = "spar_bench_synth"


def make_entries(entries_dir: Path, runs_dir: Path) -> list[Path]:
    written = []
    for model, model_args, name, organisation in BASELINES:
        output = runs_dir / model
        outcome = run(model=model, model_args=model_args, tasks=[TASK_SET], output=output, show_progress=False)
        if outcome.failed_ids:
            raise SystemExit(f"{model}: {len(outcome.failed_ids)} request(s) failed; no entry written")
        results = json.loads((output / "results.json").read_text())
        entry = entry_from_run(results, output / "predictions.jsonl", name, organisation)
        written.append(write_entry(entry, entries_dir, overwrite=True))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaderboard", type=Path, default=REPO / "leaderboard", help="leaderboard folder")
    parser.add_argument("--runs", type=Path, help="keep the run folders here (default: a temporary folder)")
    parser.add_argument("--no-build", action="store_true", help="write the entries only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        runs = args.runs or Path(temp)
        for path in make_entries(args.leaderboard / "entries", runs):
            print(f"wrote {path}")
    if not args.no_build:
        result = build(
            args.leaderboard / "entries", args.leaderboard / "reported" / "paper_table4.csv", args.leaderboard
        )
        print(f"built {result.markdown}, {result.csv}, {result.html} and {len(result.plots)} plots")
    return 0


if __name__ == "__main__":
    sys.exit(main())
