"""`spar-bench submit prepare`, `submit verify` and `leaderboard add`: their arguments and what they print (the work
is `spar_bench.results.prepare`, `.verify` and `.add`).
"""

from __future__ import annotations

import sys

from spar_bench.results.add import add
from spar_bench.results.prepare import prepare_bundle
from spar_bench.results.verify import Verdict, verify


def prepare_command(args) -> int:
    """`spar-bench submit prepare RUN --model-name NAME --org ORG --out BUNDLE`."""
    prepared = prepare_bundle(
        args.run_dir,
        args.model_name,
        args.org,
        args.out,
        getattr(args, "data", None),
        trained_on_spar7m=_yes_no(getattr(args, "trained_on_spar7m", None)),
    )
    for line in prepared.left_out:
        print(f"spar-bench submit prepare: {line}", file=sys.stderr)
    print(f"bundle written to {prepared.path} ({prepared.path.stat().st_size} bytes)")
    return 0


def _print_verdict(verdict: Verdict, command: str) -> None:
    if not verdict.ok:
        print(f"{command}: REJECTED ({len(verdict.reasons)} reason(s))", file=sys.stderr)
        for reason in verdict.reasons:
            print(f"  - {reason}", file=sys.stderr)
        return
    scores, entry = verdict.scores or {}, verdict.entry or {}  # both set on an accepted verdict
    strict, official = scores["strict"], scores["official"]
    print(
        f"ACCEPTED: {entry['model']['name']} ({entry['model']['organisation']}), {entry['n_questions']} questions "
        f"of {entry['dataset']['split'] or entry['dataset']['source']}"
    )
    print(f"  re-scored: strict {strict['overall']:.2f}, official {official['overall']:.2f}")
    claimed = (verdict.manifest or {}).get("claimed_scores")
    if isinstance(claimed, dict):
        notes = []
        for name, block in (("strict", strict), ("official", official)):
            value = (claimed.get(name) or {}).get("overall") if isinstance(claimed.get(name), dict) else None
            if isinstance(value, (int, float)) and abs(value - block["overall"]) > 1e-6:
                notes.append(f"{name} claimed {value:.2f}")
        if notes:
            print(f"  note: claimed scores differ and were ignored ({', '.join(notes)})")


def verify_command(args) -> int:
    """`spar-bench submit verify BUNDLE [--data SOURCE]`: 0 accepted, 1 rejected, 2 could not check."""
    verdict = verify(args.bundle, args.data)
    _print_verdict(verdict, "spar-bench submit verify")
    return 0 if verdict.ok else 1


def add_command(args) -> int:
    """`spar-bench leaderboard add BUNDLE [--data SOURCE] [--entries DIR]`: 0 written, 1 rejected, 2 error."""
    verdict, path = add(
        args.bundle,
        args.entries,
        args.data,
        split=args.split,
        overwrite=args.overwrite,
        trained_on_spar7m=_yes_no(getattr(args, "trained_on_spar7m", None)),
    )
    _print_verdict(verdict, "spar-bench leaderboard add")
    if path is None:
        return 1
    print(f"entry written to {path}")
    return 0


def _yes_no(value: str | None) -> bool | None:
    return None if value is None else value == "yes"


_TRAINED_HELP = (
    "whether the model was trained on SPAR-7M (yes or no; default: not stated, shown as unknown). "
    "The SPAR authors compare such models apart; the leaderboard ranks them in their own table"
)


def add_prepare_arguments(parser) -> None:
    """`spar-bench submit prepare` arguments; sets `run` to prepare_command."""
    parser.add_argument(
        "run_dir",
        metavar="RUN",
        help="a `spar-bench run` output folder, an lmms-eval output folder "
        "(--log_samples; our tasks or the built-in sparbench task) or a VLMEvalKit SparBench "
        "prediction file (.xlsx, .tsv; needs --data)",
    )
    parser.add_argument(
        "--data",
        metavar="SOURCE",
        help="the dataset a VLMEvalKit file was run on (its rows are matched to this dataset's ids)",
    )
    parser.add_argument("--model-name", required=True, help="the model's name on the leaderboard")
    parser.add_argument("--org", required=True, help="the organisation submitting it")
    parser.add_argument("--out", required=True, help="bundle to write (.tar.gz)")
    parser.add_argument("--trained-on-spar7m", choices=("yes", "no"), help=_TRAINED_HELP)
    parser.set_defaults(run=prepare_command)


def add_verify_arguments(parser) -> None:
    """`spar-bench submit verify` arguments; sets `run` to verify_command."""
    parser.add_argument("bundle", help="a bundle made by `spar-bench submit prepare`")
    parser.add_argument(
        "--data",
        help="reference data: hub id, parquet file or folder, synth, tiny or full "
        "(default: the manifest's source when it is synth)",
    )
    parser.set_defaults(run=verify_command)


def add_add_arguments(parser) -> None:
    """`spar-bench leaderboard add` arguments; sets `run` to add_command."""
    parser.add_argument("bundle", help="a bundle made by `spar-bench submit prepare`")
    parser.add_argument("--data", help="reference data (as for `submit verify`)")
    parser.add_argument("--entries", default="leaderboard/entries", help="entries folder (default leaderboard/entries)")
    parser.add_argument(
        "--split",
        help="split name of an entry on custom data (default custom-<first 8 hex digits "
        "of its fingerprint>; full, tiny and synth keep theirs)",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an existing entry of the same model and split"
    )
    parser.add_argument("--trained-on-spar7m", choices=("yes", "no"), help=_TRAINED_HELP)
    parser.set_defaults(run=add_command)
