"""`spar-bench lmms-eval ARGS...`: lmms-eval's own CLI, with an exit status that tells failure from success.

lmms-eval 0.7.3 logs an evaluation error and exits 0. This wrapper runs the same CLI in-process, remembers
whether an evaluation raised, exits 1 if one did, and prints the SPAR-Bench summary of each run that finished.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from spar_bench.aggregate import Summary, TaskScore, macro_means
from spar_bench.report import print_summary
from spar_bench.tasks_spec import TASK_IDS


# lmms-eval metric -> protocol whose per-task mean it holds
PROTOCOL_METRICS = {"strict": "spar_score", "official": "spar_score_official"}


def summaries_from_lmms_results(results: Mapping[str, Any]) -> dict[str, Summary]:
    """{protocol: Summary} of an lmms-eval results dict, rebuilt from its per-task blocks; {} if it has none.

    A per-task block reports exactly one task id as a metric (`depth_prediction_oc,none`); its
    `spar_score` / `spar_score_official` are that task's means (0-100) and `n-samples` gives its count.
    Group blocks, which report several task ids, are recomputed here rather than read.
    """
    blocks: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for name, block in results.get("results", {}).items():
        reported = [task_id for task_id in TASK_IDS if f"{task_id},none" in block]
        if len(reported) == 1:
            blocks[reported[0]] = (name, block)
    summaries = {}
    for protocol, metric in PROTOCOL_METRICS.items():
        tasks = {}
        for task_id, (name, block) in blocks.items():
            if f"{metric},none" in block:
                tasks[task_id] = TaskScore(
                    float(block[f"{metric},none"]),
                    int(results.get("n-samples", {}).get(name, {}).get("effective", 0)),
                    parse_failure_rate=block.get("spar_parse_failure_rate,none") if protocol == "strict" else None,
                )
        if tasks:
            overall, levels, views = macro_means({task_id: t.score for task_id, t in tasks.items()})
            summaries[protocol] = Summary(overall, levels, views, tasks)
    return summaries


def root_cause(error: BaseException) -> BaseException:
    """The innermost cause of an error (lmms-eval wraps dataset errors in tenacity's RetryError)."""
    while True:
        inner = error.__cause__ or getattr(getattr(error, "last_attempt", None), "exception", lambda: None)()
        if inner is None or inner is error:
            return error
        error = inner


def run_lmms_eval(argv: Sequence[str]) -> int:
    """Run `python -m lmms_eval argv...`; 0 only if every evaluation finished."""
    import lmms_eval.__main__ as lmms_main

    from spar_bench.model_adapters import lmms_models

    lmms_models.EXIT_STATUS_HANDLED = True  # this wrapper exits 1 itself

    failures: list[BaseException] = []
    finished: list[Mapping[str, Any]] = []
    evaluate_single = lmms_main.cli_evaluate_single

    def recording_evaluate_single(args):
        try:
            results, samples = evaluate_single(args)
        except BaseException as error:
            failures.append(error)
            raise
        if results is not None:
            finished.append(results)
        return results, samples

    lmms_main.cli_evaluate_single = recording_evaluate_single
    saved_argv = sys.argv
    sys.argv = ["lmms-eval", *argv]
    try:
        lmms_main.cli_evaluate()
    except SystemExit as exit_:
        if exit_.code not in (0, None):
            return int(exit_.code) if isinstance(exit_.code, int) else 1
    finally:
        sys.argv = saved_argv
        lmms_main.cli_evaluate_single = evaluate_single
    for results in finished:
        if summaries := summaries_from_lmms_results(results):
            print_summary(summaries, title="SPAR-Bench (0-100; strict is the headline, official the released rules)")
    if failures:
        print(f"spar-bench: lmms-eval evaluation failed: {root_cause(failures[0])}", file=sys.stderr)
        return 1
    return 0
