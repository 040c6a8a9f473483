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


def summary_from_lmms_results(results: Mapping[str, Any], metric: str = "spar_score_official") -> Summary | None:
    """The SPAR-Bench summary of an lmms-eval results dict, from each per-task block; None if it has none.

    A per-task block reports exactly one task id as a metric (`depth_prediction_oc,none`); its `metric` value
    is that task's mean (0-100), `n-samples` gives its count. Group blocks, which report several, are recomputed rather than read.
    """
    tasks: dict[str, TaskScore] = {}
    counts = results.get("n-samples", {})
    for name, block in results.get("results", {}).items():
        reported = [task_id for task_id in TASK_IDS if f"{task_id},none" in block]
        if len(reported) == 1 and f"{metric},none" in block:  # a group block reports several task ids
            n = int(counts.get(name, {}).get("effective", 0))
            tasks[reported[0]] = TaskScore(float(block[f"{metric},none"]), n)
    tasks = {task_id: tasks[task_id] for task_id in TASK_IDS if task_id in tasks}
    if not tasks:
        return None
    overall, levels, views = macro_means({task_id: t.score for task_id, t in tasks.items()})
    return Summary(overall, levels, views, tasks)


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
        if (summary := summary_from_lmms_results(results)) is not None:
            print_summary(summary, title="SPAR-Bench, official protocol")
    if failures:
        print(f"spar-bench: lmms-eval evaluation failed: {root_cause(failures[0])}", file=sys.stderr)
        return 1
    return 0
