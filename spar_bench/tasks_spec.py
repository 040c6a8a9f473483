"""The 20 SPAR-Bench tasks: one table that every other module reads.

A task's level, view group, expected image count and answer kind decide its prompt, its scorer and the
aggregate it belongs to; nothing else in the package hard-codes a task id.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from spar_bench.errors import DataError


class AnswerKind(str, Enum):
    """What a task's `answer` field holds, and so which metric scores it."""

    NUMBER = "number"  # meters, scored with mean relative accuracy
    CHOICE = "choice"  # one option letter, scored by choice matching
    MOTION = "motion"  # five `key:value` camera-motion items (view_change_infer)


class Level(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ViewGroup(str, Enum):
    SINGLE = "single_view"
    MULTI = "multi_view"


@dataclass(frozen=True)
class TaskSpec:
    """One SPAR-Bench task as the paper's Table 4 describes it."""

    task_id: str
    paper_column: str
    level: Level
    view: ViewGroup
    answer_kind: AnswerKind
    images: int  # typical count in the benchmark; rows are validated against 1..MAX_IMAGES, not this

    @property
    def format_type(self) -> str:
        """The dataset's `format_type` for this task: `select` for multiple choice, else `fill`."""
        return "select" if self.answer_kind is AnswerKind.CHOICE else "fill"


_N, _C, _M = AnswerKind.NUMBER, AnswerKind.CHOICE, AnswerKind.MOTION
_LO, _ME, _HI = Level.LOW, Level.MEDIUM, Level.HIGH
_SV, _MV = ViewGroup.SINGLE, ViewGroup.MULTI

# Paper column order (Table 4): low, medium, high; within a level as the paper lists them.
TASKS: tuple[TaskSpec, ...] = (
    TaskSpec("depth_prediction_oc", "Depth-OC", _LO, _SV, _N, 1),
    TaskSpec("depth_prediction_oc_mv", "Depth-OC-MV", _LO, _MV, _N, 3),
    TaskSpec("depth_prediction_oo", "Depth-OO", _LO, _SV, _N, 1),
    TaskSpec("depth_prediction_oo_mv", "Depth-OO-MV", _LO, _MV, _N, 3),
    TaskSpec("distance_prediction_oc", "Dist-OC", _LO, _SV, _N, 1),
    TaskSpec("distance_prediction_oc_mv", "Dist-OC-MV", _LO, _MV, _N, 3),
    TaskSpec("distance_prediction_oo", "Dist-OO", _LO, _SV, _N, 1),
    TaskSpec("distance_prediction_oo_mv", "Dist-OO-MV", _LO, _MV, _N, 3),
    TaskSpec("position_matching", "PosMatch", _ME, _MV, _C, 2),
    TaskSpec("camera_motion_infer", "CamMotion", _ME, _MV, _C, 2),
    TaskSpec("view_change_infer", "ViewChgI", _ME, _MV, _M, 2),
    TaskSpec("distance_infer_center_oo", "DistI-OO", _HI, _SV, _C, 1),
    TaskSpec("distance_infer_center_oo_mv", "DistI-OO-MV", _HI, _MV, _C, 3),
    TaskSpec("obj_spatial_relation_oc_mv", "ObjRel-OC-MV", _HI, _MV, _C, 3),
    TaskSpec("obj_spatial_relation_oo", "ObjRel-OO", _HI, _SV, _C, 1),
    TaskSpec("obj_spatial_relation_oo_mv", "ObjRel-OO-MV", _HI, _MV, _C, 3),
    TaskSpec("spatial_imagination_oc", "SpImag-OC", _HI, _SV, _C, 1),
    TaskSpec("spatial_imagination_oc_mv", "SpImag-OC-MV", _HI, _MV, _C, 3),
    TaskSpec("spatial_imagination_oo", "SpImag-OO", _HI, _SV, _C, 1),
    TaskSpec("spatial_imagination_oo_mv", "SpImag-OO-MV", _HI, _MV, _C, 3),
)

TASK_IDS: tuple[str, ...] = tuple(t.task_id for t in TASKS)
TASKS_BY_ID: dict[str, TaskSpec] = {t.task_id: t for t in TASKS}
# Beyond SPAR-Bench: 3D grounding on the synthetic scenes (spar_bench_synth_3d), scored by spar_bench.grounding.
GROUNDING_TASK = "obj_3d_grounding"
MAX_IMAGES = 5
LEVELS: tuple[Level, ...] = (Level.LOW, Level.MEDIUM, Level.HIGH)
VIEW_GROUPS: tuple[ViewGroup, ...] = (ViewGroup.SINGLE, ViewGroup.MULTI)

# Tasks whose multiple-choice options are boxes in 0-1000 coordinates; the released prompt says so.
NORMALIZED_COORDINATE_TASKS: frozenset[str] = frozenset({"position_matching", "camera_motion_infer"})


class UnknownTaskError(DataError, KeyError):
    """A task id that is not one of the 20 SPAR-Bench tasks."""

    def __str__(self) -> str:  # KeyError would print the repr of its argument
        return str(self.args[0])


def task_spec(task_id: str) -> TaskSpec:
    """The spec of `task_id`; raises UnknownTaskError naming the valid ids."""
    try:
        return TASKS_BY_ID[task_id]
    except KeyError:
        raise UnknownTaskError(
            f"{task_id!r} is not a SPAR-Bench task; expected one of: {', '.join(TASK_IDS)}"
        ) from None


def tasks_in(group: Level | ViewGroup) -> tuple[str, ...]:
    """Task ids of one level or view group, in paper column order."""
    attr = "level" if isinstance(group, Level) else "view"
    return tuple(t.task_id for t in TASKS if getattr(t, attr) is group)
