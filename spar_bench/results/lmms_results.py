"""An lmms-eval `results.json` read back into SPAR-Bench summaries, per protocol, from its per-task blocks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spar_bench.aggregate import Summary, TaskScore, macro_means
from spar_bench.protocols import PROTOCOL_NAMES
from spar_bench.tasks_spec import TASK_IDS

# protocol -> the lmms-eval metric holding its per-task mean (`spar_score` is strict's, the headline)
PROTOCOL_METRICS = dict(zip(PROTOCOL_NAMES, ("spar_score", "spar_score_official"), strict=True))


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
