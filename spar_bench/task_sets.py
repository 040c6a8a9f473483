"""Names of evaluation sets, shared by the lmms-eval tasks and `spar-bench run`.

`<prefix>` is all 20 tasks of a dataset, `<prefix>_single_view` / `<prefix>_multi_view` a view group, and
`<prefix>_<task_id>` one task; a prefix names the dataset (`spar_bench`: the full hub set, `spar_bench_tiny`,
`spar_bench_synth`: the synthetic set shipped in the package).
"""

from __future__ import annotations

from spar_bench.errors import DataError
from spar_bench.tasks_spec import TASK_IDS, ViewGroup, tasks_in

# prefix -> data source (see spar_bench.data.resolve_source); longest prefixes are matched first
TASK_SET_SOURCES: dict[str, str] = {"spar_bench": "full", "spar_bench_tiny": "tiny", "spar_bench_synth": "synth"}


class UnknownTaskSetError(DataError, ValueError):
    pass


def resolve_task_set(name: str) -> tuple[str, tuple[str, ...]]:
    """(data source, task ids) of an evaluation-set name; raises UnknownTaskSetError listing valid forms."""
    for prefix in sorted(TASK_SET_SOURCES, key=len, reverse=True):
        if name == prefix:
            return TASK_SET_SOURCES[prefix], TASK_IDS
        if name.startswith(prefix + "_"):
            rest = name[len(prefix) + 1 :]
            if rest in TASK_IDS:
                return TASK_SET_SOURCES[prefix], (rest,)
            views = {view.value: tasks_in(view) for view in ViewGroup}
            if rest in views:
                return TASK_SET_SOURCES[prefix], views[rest]
    raise UnknownTaskSetError(
        f"unknown task set {name!r}: use one of {', '.join(TASK_SET_SOURCES)}, optionally followed by "
        f"_single_view, _multi_view or _<task id> (e.g. spar_bench_tiny_depth_prediction_oc)"
    )
