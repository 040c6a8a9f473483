"""`spar-bench score`: prediction files rescored offline, printed as a table per protocol (and a 3D grounding block
when the files hold grounding samples), with the per-sample scores and the summary written on request.
"""

from __future__ import annotations

import argparse
import json
import sys

from spar_bench.cli.report import print_grounding, print_summary
from spar_bench.protocols import PROTOCOL_NAMES
from spar_bench.scoring import (
    protocol_names,
    score_predictions,
    summarize_scores,
    summary_json,
    truncation_counts,
    write_scored,
)


def score_command(args: argparse.Namespace) -> int:
    """`spar-bench score FILE...`: 0 scored, 1 some requests had failed (not scored), 2 bad input."""
    from spar_bench.scoring import (  # looked up at call time: tests replace the reader here
        check_against_dataset,
        read_predictions,
        summarize_grounding,
    )

    predictions = read_predictions(args.predictions, skip_invalid=args.skip_invalid)
    for reason in predictions.skipped:
        print(f"skipped {reason}", file=sys.stderr)
    if not len(predictions) and not len(predictions.grounding):
        print("spar-bench score: no prediction to score", file=sys.stderr)
        return 2
    grounding = summarize_grounding(predictions.grounding) if len(predictions.grounding) else None
    if grounding is not None and not len(predictions):  # a 3D grounding log alone: its own block, nothing else
        print_grounding(grounding)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as handle:
                json.dump({"grounding": grounding.as_dict()}, handle, indent=2)
        return 0
    checked = None
    if getattr(args, "data", None):
        predictions, checked = check_against_dataset(predictions, args.data)
    scored = score_predictions(predictions, protocol_names(args.protocol))
    summaries = summarize_scores(scored)
    if args.out:
        write_scored(args.out, predictions, scored)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            document = summary_json(summaries, predictions, diagnostics=True)
            if grounding is not None:
                document = {**document, "grounding": grounding.as_dict()}
            if checked is not None:
                document = {
                    **document,
                    "dataset": {
                        "source": checked.source,
                        "fingerprint": checked.fingerprint,
                        "answered_fingerprint": checked.answered_fingerprint,
                        "n_dataset": checked.n_dataset,
                        "complete": checked.complete,
                    },
                }
            json.dump(document, handle, indent=2)
    if checked is not None:
        state = "every question answered" if checked.complete else "not every question answered"
        print(
            f"dataset {checked.source}: {checked.n} of {checked.n_dataset} questions matched"
            + (f" ({checked.by_text} by task, question and answer)" if checked.by_text else "")
            + f"; {state}; fingerprint {checked.fingerprint}"
        )
    print_summary(
        summaries,
        title=f"SPAR-Bench: {len(predictions)} predictions (0-100, 95% intervals)",
        truncation=truncation_counts(predictions),
    )
    if grounding is not None:
        print_grounding(grounding)
    if predictions.skipped:
        print(f"{len(predictions.skipped)} invalid line(s) skipped", file=sys.stderr)
    if predictions.failed:
        ids = ", ".join(str(f["id"]) for f in predictions.failed[:20])
        print(
            f"spar-bench score: {len(predictions.failed)} request(s) failed and were not scored: {ids}", file=sys.stderr
        )
        return 1
    return 0


def add_arguments(score: argparse.ArgumentParser) -> None:
    """The arguments of `spar-bench score`; sets `run` to score_command."""
    score.add_argument(
        "predictions",
        nargs="+",
        help="JSONL file(s), lmms-eval samples logs, or VLMEvalKit SparBench prediction files (.xlsx, .tsv)",
    )
    score.add_argument(
        "--data",
        metavar="SOURCE",
        help="match the predictions to this dataset's ids (by id, else by task, question and answer) "
        "and check them against it; hub id, parquet file or folder, or synth/tiny/full",
    )
    score.add_argument("--protocol", choices=[*PROTOCOL_NAMES, "both"], default="both")
    score.add_argument("--out", help="write per-sample scores (JSONL) here")
    score.add_argument("--json", help="write the summary (JSON) here")
    # The intervals are exact since 0.2 (nothing is resampled); --seed is still accepted so 0.1 commands run.
    score.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    score.add_argument(
        "--skip-invalid", action="store_true", help="skip and count malformed lines instead of stopping at the first"
    )
    score.set_defaults(run=score_command)
