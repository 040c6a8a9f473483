"""Shim for lmms-eval's `!function utils.<name>`: lmms-eval loads this file by path, with no package context,
so it only forwards to the installed `spar_bench` package. Logic lives in `spar_bench.lmms.tasks`.
"""

from spar_bench.lmms.tasks import (  # noqa: F401
    doc_to_text,
    doc_to_text_grounding,
    doc_to_visual,
    process_docs_grounding,
    process_results,
    process_results_grounding,
    task_selector,
)
from spar_bench.tasks_spec import TASK_IDS

# One process_docs per SPAR task (`process_docs_depth_prediction_oc`, ...), named in the per-task YAMLs.
globals().update({f"process_docs_{task_id}": task_selector(task_id) for task_id in TASK_IDS})
