"""The `spar-bench` command. Subcommands only parse arguments and call the package's modules."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from spar_bench import __version__


def _validate(args: argparse.Namespace) -> int:
    from collections import Counter

    from spar_bench.data import DatasetError, dataset_fingerprint, load_dataset

    try:
        dataset = load_dataset(args.source, split=args.split)
    except DatasetError as error:
        print(f"spar-bench validate: {error}", file=sys.stderr)
        return 2
    counts = Counter(dataset["task"])
    print(f"{args.source}: {len(dataset)} valid rows in {len(counts)} tasks")
    for task, n in sorted(counts.items()):
        print(f"  {task}: {n}")
    print(f"fingerprint: {dataset_fingerprint(dataset)}")
    return 0


def _score(args: argparse.Namespace) -> int:
    import json

    from spar_bench.report import print_summary
    from spar_bench.scoring import (
        PredictionsError, protocol_names, read_predictions, score_predictions, summarize_scores, summary_json,
        write_scored,
    )

    try:
        predictions = read_predictions(args.predictions, skip_invalid=args.skip_invalid)
    except (PredictionsError, OSError) as error:
        print(f"spar-bench score: {error}", file=sys.stderr)
        return 2
    for reason in predictions.skipped:
        print(f"skipped {reason}", file=sys.stderr)
    if not len(predictions):
        print("spar-bench score: no prediction to score", file=sys.stderr)
        return 2
    scored = score_predictions(predictions, protocol_names(args.protocol))
    summaries = summarize_scores(scored, seed=args.seed)
    if args.out:
        write_scored(args.out, predictions, scored)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(summary_json(summaries, predictions), handle, indent=2)
    print_summary(summaries, title=f"SPAR-Bench: {len(predictions)} predictions (0-100, 95% bootstrap intervals)")
    if predictions.skipped:
        print(f"{len(predictions.skipped)} invalid line(s) skipped", file=sys.stderr)
    if predictions.failed:
        ids = ", ".join(str(f["id"]) for f in predictions.failed[:20])
        print(f"spar-bench score: {len(predictions.failed)} request(s) failed and were not scored: {ids}", file=sys.stderr)
        return 1
    return 0


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from spar_bench.data import DatasetError
    from spar_bench.runner import parse_model_args, run
    from spar_bench.task_sets import UnknownTaskSetError

    try:
        outcome = run(model=args.model, model_args=parse_model_args(args.model_args), tasks=args.tasks.split(","),
                      output=Path(args.output), data=args.data, limit=args.limit, show_progress=not args.no_progress)
    except (DatasetError, UnknownTaskSetError, ValueError) as error:
        print(f"spar-bench run: {error}", file=sys.stderr)
        return 2
    print(f"{outcome.answered_now} answered now, {outcome.answered_before} from the journal; "
          f"results in {args.output}/results.json")
    if outcome.failed_ids:
        shown = ", ".join(str(i) for i in outcome.failed_ids[:50])
        print(f"spar-bench run: {len(outcome.failed_ids)} request(s) failed and were not scored: {shown}; "
              "run the same command again to retry them", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spar-bench", description="SPAR-Bench evaluation for vision-language models.")
    parser.add_argument("--version", action="version", version=f"spar-bench {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser(
        "validate", help="load a dataset, check every row and print its fingerprint",
        description="Load a SPAR-Bench dataset, validate every row, print per-task counts and the fingerprint.",
    )
    validate.add_argument("source", nargs="?", default="synth",
                          help="hub id, local parquet file or folder, or one of: synth, full, tiny, full-rgbd, tiny-rgbd")
    validate.add_argument("--split", default="test")
    validate.set_defaults(run=_validate)

    score = commands.add_parser(
        "score", help="rescore prediction files offline (no model, no lmms-eval)",
        description="Score JSONL predictions (id, task, answer, prediction[, question]) or samples logs of our "
        "lmms-eval tasks under one or both protocols. Exits 1 if some requests had failed (they are not scored).",
    )
    score.add_argument("predictions", nargs="+", help="JSONL file(s)")
    score.add_argument("--protocol", choices=["strict", "official", "both"], default="both")
    score.add_argument("--out", help="write per-sample scores (JSONL) here")
    score.add_argument("--json", help="write the summary (JSON) here")
    score.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    score.add_argument("--skip-invalid", action="store_true",
                       help="skip and count malformed lines instead of stopping at the first")
    score.set_defaults(run=_score)

    runner = commands.add_parser(
        "run", help="evaluate a model without lmms-eval (resumable)",
        description="Ask a model every question of the task sets, journaling each answer as it arrives; run the "
        "same command again to resume. Writes OUTPUT/predictions.jsonl and OUTPUT/results.json.",
    )
    runner.add_argument("--model", required=True, help="spar_frequency, spar_random, spar_oracle, spar_hf, spar_openai")
    runner.add_argument("--model-args", default="", help="k=v,k2=v2 passed to the adapter")
    runner.add_argument("--tasks", required=True,
                        help="comma-separated task sets, e.g. spar_bench_synth or spar_bench_tiny_multi_view")
    runner.add_argument("--output", required=True, help="output folder (holds the journal)")
    runner.add_argument("--data", help="read the questions from this hub id, parquet file or folder instead")
    runner.add_argument("--limit", type=int, help="only the first N questions (for smoke tests)")
    runner.add_argument("--no-progress", action="store_true", help="no progress bar")
    runner.set_defaults(run=_run)

    from spar_bench import compare, leaderboard, submit

    submission = commands.add_parser("submit", help="pack a run into a bundle, or verify a bundle")
    submission_commands = submission.add_subparsers(dest="submit_command", required=True)
    submit.add_prepare_arguments(submission_commands.add_parser(
        "prepare", help="pack a spar-bench run or an lmms-eval output folder into one bundle"))
    submit.add_verify_arguments(submission_commands.add_parser(
        "verify", help="check and re-score a bundle against the reference answers"))

    board = commands.add_parser("leaderboard", help="build the leaderboard or add a verified bundle to it")
    board_commands = board.add_subparsers(dest="leaderboard_command", required=True)
    leaderboard.add_build_arguments(board_commands.add_parser(
        "build", help="write LEADERBOARD.md, leaderboard.csv, site/index.html and plots/"))
    submit.add_add_arguments(board_commands.add_parser("add", help="verify a bundle, then write its entry"))

    compare.add_arguments(commands.add_parser(
        "compare", help="paired comparison of two runs with bootstrap intervals (for CI regression checks)"))

    commands.add_parser(
        "synth", help="generate a fresh synthetic SPAR-style test set (spar-bench synth --help)", add_help=False,
    )

    lmms = commands.add_parser(
        "lmms-eval", help="run lmms-eval (same arguments) and exit non-zero if an evaluation failed",
        description="Run lmms-eval's CLI with the given arguments, print the SPAR-Bench summary, and exit 1 if "
        "an evaluation failed (lmms-eval itself exits 0).",
    )
    lmms.add_argument("lmms_eval_args", nargs=argparse.REMAINDER, help="arguments for lmms-eval, e.g. --model ... --tasks ...")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["lmms-eval"] and argv[1:2] not in (["-h"], ["--help"]):
        # Everything after the subcommand belongs to lmms-eval, options included.
        from spar_bench.lmms_cli import run_lmms_eval

        return run_lmms_eval(argv[1:])
    if argv[:1] == ["synth"]:  # the generator parses its own arguments
        from spar_bench.synth import main as synth_main

        return synth_main(argv[1:])
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
