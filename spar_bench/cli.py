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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spar-bench", description="SPAR-Bench evaluation for vision-language models.")
    parser.add_argument("--version", action="version", version=f"spar-bench {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser(
        "validate", help="load a dataset, check every row and print its fingerprint",
        description="Load a SPAR-Bench dataset, validate every row, print per-task counts and the fingerprint.",
    )
    validate.add_argument("source", nargs="?", default="sample",
                          help="hub id, local parquet file or folder, or one of: sample, full, tiny, full-rgbd, tiny-rgbd")
    validate.add_argument("--split", default="test")
    validate.set_defaults(run=_validate)

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
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
