"""The `spar-bench` command. Subcommands only parse arguments and call the package's modules."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from spar_bench import __version__
from spar_bench.errors import SparBenchError


def _validate(args: argparse.Namespace) -> int:
    import os
    from collections import Counter

    from spar_bench.data import dataset_fingerprint, load_dataset

    if args.max_image_pixels is not None:
        os.environ["SPAR_BENCH_MAX_IMAGE_PIXELS"] = str(args.max_image_pixels)
    dataset = load_dataset(args.source, split=args.split, decode_images=True)
    counts = Counter(dataset["task"])
    print(f"{args.source}: {len(dataset)} valid rows in {len(counts)} tasks")
    for task, n in sorted(counts.items()):
        print(f"  {task}: {n}")
    print(f"fingerprint: {dataset_fingerprint(dataset)}")
    return 0


# One meaning per exit status (README, "Exit codes"); a bug is a traceback with EXIT_BUG.
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_BUG, EXIT_SIGINT, EXIT_SIGTERM = 0, 1, 2, 70, 130, 143
EXIT_CODES_HELP = (
    "exit status: 0 done; 1 failed requests (or a regression, for compare); 2 bad input (arguments, dataset, "
    "files); 130 interrupted by Ctrl-C (SIGINT), 143 by SIGTERM (the journal is kept: run the same command to "
    "resume); 70 a bug in spar-bench (with a traceback: please report it)"
)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C so that the same cleanup runs (journal flushed)."""


def _raise_terminated(signum, frame) -> None:
    raise Terminated


def _resume_command(argv: Sequence[str]) -> str:
    import shlex

    return shlex.join(["spar-bench", *argv])


def _run(args: argparse.Namespace) -> int:
    import signal
    from pathlib import Path

    from spar_bench.journal import count_answered
    from spar_bench.model_adapters.arguments import parse_model_args
    from spar_bench.runner import run

    output = Path(args.output)
    resume = _resume_command(getattr(args, "argv", None) or sys.argv[1:])
    from spar_bench.model_adapters.registry import check_model_args_of

    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        model_args = parse_model_args(args.model_args)
        check_model_args_of(args.model, model_args)  # before any data or weights are loaded
        outcome = run(
            model=args.model,
            model_args=model_args,
            tasks=args.tasks.split(","),
            output=output,
            data=args.data,
            limit=args.limit,
            show_progress=not args.no_progress,
        )
    except KeyboardInterrupt as interrupt:
        kept = count_answered(output / "journal.jsonl")
        name, code = ("SIGTERM", EXIT_SIGTERM) if isinstance(interrupt, Terminated) else ("Ctrl-C", EXIT_SIGINT)
        print(
            f"\nspar-bench run: interrupted ({name}); {kept} answer(s) are kept in {output / 'journal.jsonl'}; "
            f"resume with: {resume}",
            file=sys.stderr,
        )
        return code
    finally:
        signal.signal(signal.SIGTERM, previous)
    if outcome.summaries:
        from spar_bench.cli.report import print_summary

        print_summary(
            outcome.summaries,
            title=f"SPAR-Bench: {args.model} on {', '.join(args.tasks.split(','))} (0-100, 95% intervals)",
            truncation=outcome.truncation,
            synthetic=outcome.synthetic,
        )
    if outcome.stopped:
        kept = outcome.answered
        print(f"spar-bench run: stopped sending requests: {outcome.stopped}", file=sys.stderr)
        print(
            f"spar-bench run: {kept} of {outcome.results['metadata']['n_questions']} question(s) are answered and "
            f"journaled in {output / 'journal.jsonl'}; nothing failed was scored; fix the server, then resume "
            f"with: {resume}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(
        f"{outcome.answered_now} answered now, {outcome.answered_before} from the journal; "
        f"results in {args.output}/results.json"
    )
    if outcome.failed_ids:
        shown = ", ".join(str(i) for i in outcome.failed_ids[:50])
        print(
            f"spar-bench run: {len(outcome.failed_ids)} request(s) failed and were not scored: {shown}; "
            "run the same command again to retry them",
            file=sys.stderr,
        )
        return 1
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more (questions per task), got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spar-bench", description="SPAR-Bench evaluation for vision-language models.", epilog=EXIT_CODES_HELP
    )
    parser.add_argument("--version", action="version", version=f"spar-bench {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser(
        "validate",
        help="load a dataset, check every row and print its fingerprint",
        description="Load a SPAR-Bench dataset, validate every row (decoding every image in full: a truncated or "
        "oversized image is named by row and field), print per-task counts and the fingerprint.",
    )
    validate.add_argument(
        "source",
        nargs="?",
        default="synth",
        help="hub id, local parquet file or folder, or one of: synth, full, tiny, full-rgbd, tiny-rgbd",
    )
    validate.add_argument("--split", default="test", help="dataset split to load")
    validate.add_argument(
        "--max-image-pixels",
        type=_positive_int,
        metavar="N",
        help="largest image (width*height) accepted (default 40000000, or "
        "$SPAR_BENCH_MAX_IMAGE_PIXELS); every image is decoded in full",
    )
    validate.set_defaults(run=_validate)

    from spar_bench.cli import compare as cli_compare
    from spar_bench.cli import explore as cli_explore
    from spar_bench.cli import leaderboard as cli_leaderboard
    from spar_bench.cli import score as cli_score
    from spar_bench.cli import submit as cli_submit

    cli_score.add_arguments(
        commands.add_parser(
            "score",
            help="rescore prediction files offline (no model, no lmms-eval)",
            description="Score JSONL predictions (id, task, answer, prediction[, question]) or samples logs of our "
            "lmms-eval tasks under one or both protocols. Exits 1 if some requests had failed (they are not "
            "scored).",
        )
    )

    runner = commands.add_parser(
        "run",
        help="evaluate a model without lmms-eval (resumable)",
        description="Ask a model every question of the task sets, journaling each answer as it arrives; run the "
        "same command again to resume. Writes OUTPUT/predictions.jsonl and OUTPUT/results.json. One run at a "
        "time per OUTPUT (a second is refused).",
        epilog="spar_openai waits at most timeout_s=60 s per try (body included) and reads at most "
        "max_response_bytes=8 MiB of one answer; it stops the run, saying what the server said, after "
        "breaker_failures=10 tries in a row fail with no answer between, at once when every server refuses "
        "connections (dead_after=2 in a row) or answers 401/403/404, and after stall_timeout_s=180 s without "
        "an answer. Set any of them in --model-args. " + EXIT_CODES_HELP,
    )
    runner.add_argument("--model", required=True, help="spar_frequency, spar_random, spar_oracle, spar_hf, spar_openai")
    runner.add_argument("--model-args", default="", help="k=v,k2=v2 passed to the adapter")
    runner.add_argument(
        "--tasks", required=True, help="comma-separated task sets, e.g. spar_bench_synth or spar_bench_tiny_multi_view"
    )
    runner.add_argument("--output", required=True, help="output folder (holds the journal)")
    runner.add_argument("--data", help="read the questions from this hub id, parquet file or folder instead")
    runner.add_argument("--limit", type=_positive_int, help="only the first N questions of each task (smoke tests)")
    runner.add_argument("--no-progress", action="store_true", help="no progress bar")
    runner.add_argument("--verbose", action="store_true", help="also show the `datasets` library's progress bars")
    runner.set_defaults(run=_run)

    submission = commands.add_parser("submit", help="pack a run into a bundle, or verify a bundle")
    submission_commands = submission.add_subparsers(dest="submit_command", required=True)
    cli_submit.add_prepare_arguments(
        submission_commands.add_parser(
            "prepare", help="pack a spar-bench run or an lmms-eval output folder into one bundle"
        )
    )
    cli_submit.add_verify_arguments(
        submission_commands.add_parser("verify", help="check and re-score a bundle against the reference answers")
    )

    board = commands.add_parser("leaderboard", help="build the leaderboard or add a verified bundle to it")
    board_commands = board.add_subparsers(dest="leaderboard_command", required=True)
    cli_leaderboard.add_build_arguments(
        board_commands.add_parser("build", help="write LEADERBOARD.md, leaderboard.csv, site/index.html and plots/")
    )
    cli_submit.add_add_arguments(board_commands.add_parser("add", help="verify a bundle, then write its entry"))

    cli_compare.add_arguments(
        commands.add_parser(
            "compare", help="paired comparison of two runs with bootstrap intervals (for CI regression checks)"
        )
    )

    cli_explore.add_arguments(
        commands.add_parser(
            "explore", help="write a static page with every question and each run's answers (opens from disk)"
        )
    )

    commands.add_parser(
        "synth",
        help="generate a fresh synthetic SPAR-style test set, or --audit it blind (spar-bench synth --help)",
        add_help=False,
    )

    lmms = commands.add_parser(
        "lmms-eval",
        help="run lmms-eval (same arguments) and exit non-zero if an evaluation failed",
        description="Run lmms-eval's CLI with the given arguments, print the SPAR-Bench summary, and exit 1 if "
        "an evaluation failed (lmms-eval itself exits 0).",
    )
    lmms.add_argument(
        "lmms_eval_args", nargs=argparse.REMAINDER, help="arguments for lmms-eval, e.g. --model ... --tasks ..."
    )
    lmms.add_argument(
        "--verbose",
        action="store_true",
        help="show lmms-eval's logs, tables and progress bars (by default they go to "
        "OUTPUT/lmms-eval.log and only the SPAR-Bench table is shown)",
    )
    lmms.add_argument("--output_path", default="results", help="where lmms-eval saves the results (lmms-eval's flag)")
    _add_help_texts(parser)
    return parser


# Two examples per command, shown at the end of its --help (the keys are the command words after spar-bench).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "": (
        "spar-bench lmms-eval --model spar_frequency --tasks spar_bench_synth",
        "spar-bench run --model spar_oracle --tasks spar_bench_synth --output runs/oracle",
    ),
    "validate": ("spar-bench validate synth", "spar-bench validate synth7/   # a folder `spar-bench synth` wrote"),
    "score": (
        "spar-bench score runs/oracle/predictions.jsonl",
        "spar-bench score predictions.jsonl --protocol strict --json summary.json",
    ),
    "run": (
        "spar-bench run --model spar_frequency --tasks spar_bench_synth --output runs/frequency",
        (
            "spar-bench run --model spar_hf --model-args pretrained=Qwen/Qwen2.5-VL-3B-Instruct,batch_size=4 "
            "--tasks spar_bench_tiny --output runs/qwen3b"
        ),
    ),
    "submit": (
        "spar-bench submit prepare runs/oracle --model-name Oracle --org Me --out oracle.tar.gz",
        "spar-bench submit verify oracle.tar.gz --data synth",
    ),
    "submit prepare": (
        "spar-bench submit prepare runs/oracle --model-name Oracle --org Me --out oracle.tar.gz",
        "spar-bench submit prepare results/ --model-name 'My Model' --org 'My Lab' --out mine.tar.gz",
    ),
    "submit verify": ("spar-bench submit verify oracle.tar.gz", "spar-bench submit verify mine.tar.gz --data tiny"),
    "leaderboard": ("spar-bench leaderboard build --no-plots", "spar-bench leaderboard add oracle.tar.gz --data synth"),
    "leaderboard build": ("spar-bench leaderboard build", "spar-bench leaderboard build --out /tmp/board --no-plots"),
    "leaderboard add": (
        "spar-bench leaderboard add oracle.tar.gz --data synth",
        "spar-bench leaderboard add mine.tar.gz --data my_copy/ --split my-copy --overwrite",
    ),
    "compare": (
        "spar-bench compare runs/ckpt-6 runs/ckpt-7 --fail-on-regression 1.0",
        "spar-bench compare runs/synth0 runs/synth7 --shared-questions --markdown comment.md",
    ),
    "explore": (
        "spar-bench explore runs/oracle --out explorer/",
        "spar-bench explore runs/oracle runs/frequency --out explorer/ --data synth",
    ),
    "lmms-eval": (
        "spar-bench lmms-eval --model spar_frequency --tasks spar_bench_synth",
        (
            "spar-bench lmms-eval --model spar_hf --model_args pretrained=Qwen/Qwen2.5-VL-3B-Instruct "
            "--batch_size 4 --tasks spar_bench_tiny --log_samples --verbose"
        ),
    ),
}


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples' line breaks and appends `(default: X)` to an option whose help does not say it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            default not in (None, False, "", argparse.SUPPRESS)
            and "default" not in text
            and text
            and (action.option_strings or action.nargs == "?")
        ):
            text += " (default: %(default)s)"
        return text


def _add_help_texts(parser: argparse.ArgumentParser, words: str = "") -> None:
    """Give every (sub)command a one-line purpose, its defaults and two examples in --help."""
    import textwrap

    parser.formatter_class = _HelpFormatter
    if examples := EXAMPLES.get(words):
        shown = "examples:\n" + "\n".join(f"  {line}" for line in examples)
        rest = textwrap.fill(parser.epilog, 110) if parser.epilog else ""
        parser.epilog = shown + (f"\n\n{rest}" if rest else "")
    elif parser.epilog:
        parser.epilog = textwrap.fill(parser.epilog, 110)
    if parser.description:
        parser.description = textwrap.fill(parser.description, 110)
    for action in parser._actions:
        if action.help is None and action.option_strings and action.default not in (None, False, ""):
            action.help = "(default: %(default)s)"  # an option with no help text still shows its default
        if isinstance(action, argparse._SubParsersAction):
            purposes = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                sub.set_defaults(prog=sub.prog)  # names the command in an error message
                if sub.description is None and (purpose := purposes.get(name)):
                    sub.description = purpose[0].upper() + purpose[1:] + "."
                _add_help_texts(sub, f"{words} {name}".strip())


def main(argv: Sequence[str] | None = None) -> int:
    import os

    argv = list(sys.argv[1:] if argv is None else argv)
    if "--verbose" not in argv:  # datasets' own bars ("Generating test split", "Filter") are noise here
        os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    if argv[:1] == ["lmms-eval"] and argv[1:2] not in (["-h"], ["--help"]):
        # Everything after the subcommand belongs to lmms-eval, options included.
        from spar_bench.lmms.cli import run_lmms_eval

        return run_lmms_eval(argv[1:])
    if argv[:1] == ["synth"]:  # the generator parses its own arguments
        from spar_bench.synth import main as synth_main

        return synth_main(argv[1:])
    args = build_parser().parse_args(argv)
    args.argv = argv
    try:
        return args.run(args)
    except SparBenchError as error:  # the one place a user's error becomes a message and exit 2
        print(f"{args.prog}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:  # outside `run`, nothing is left half-written
        print("\nspar-bench: interrupted", file=sys.stderr)
        return EXIT_SIGINT
    except Exception as error:
        if isinstance(error, OSError) and error.filename is not None:  # a path the user named
            print(f"{args.prog}: {error.strerror or error}: {error.filename}", file=sys.stderr)
            return EXIT_BAD_INPUT
        import traceback

        traceback.print_exc()
        print(
            f"spar-bench {__version__}: this is a bug (exit {EXIT_BUG}); please report it with the traceback above",
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":
    raise SystemExit(main())
