"""SPAR-style questions over a rendered scene: the 20 SPAR-Bench tasks and `obj_3d_grounding`.

A multiple-choice question is made in two steps so that its text does not give its answer away. First a
`Plan` is drawn, before any scene is looked at: the letter of the correct option, the correct option itself
(from a schedule balanced over every option the task can take), the distractors (drawn uniformly from the other
options, so the four options are an exchangeable set) and everything else the text states (an imagined motion,
which image is the reference frame, which image each point is drawn in). Then scenes are searched for one that
carries the plan exactly; a scene that cannot is skipped, and the plan is never bent to fit a scene, so nothing
the text shows depends on which option is right. Where the options are read off the scene (boxes, floor
spots, object names) the four are drawn by one procedure and the correct one sits at the planned letter.

Each generator returns a `SynthQuestion` whose answer follows from the scene's geometry, or None when this scene
cannot carry the plan decidably (too few visible objects, a relation within its margin), and the caller tries
another scene. This module maps each task to its builder; the records and plans are in `plans`, what builders
share in `marking`, and each family of builders in a `questions_*` module of its own.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from spar_bench.synth.marking import SceneViews
from spar_bench.synth.plans import LETTERS, Plan, SynthQuestion, answer_universe, make_plan
from spar_bench.synth.questions_cameras import (
    camera_motion_question,
    floor_visible,
    position_matching_question,
    view_change_question,
)
from spar_bench.synth.questions_grounding import grounding_question
from spar_bench.synth.questions_imagination import imagination_question
from spar_bench.synth.questions_numeric import numeric_question
from spar_bench.synth.questions_relations import distance_infer_question, relation_question
from spar_bench.tasks_spec import GROUNDING_TASK

__all__ = [
    "GROUNDING_TASK",
    "LETTERS",
    "Plan",
    "SceneViews",
    "SynthQuestion",
    "answer_universe",
    "floor_visible",
    "make_plan",
    "question_for",
]


def question_for(task: str, rng: np.random.Generator, sv: SceneViews, plan: Plan) -> SynthQuestion | None:
    """A question of `task` on `sv` that carries `plan` (see `make_plan`), or None when this scene cannot."""
    if task.startswith(("depth_prediction", "distance_prediction")):
        return numeric_question(rng, sv, task)
    makers: dict[str, Callable[[], SynthQuestion | None]] = {
        "position_matching": lambda: position_matching_question(rng, sv, plan),
        "camera_motion_infer": lambda: camera_motion_question(rng, sv, plan),
        "view_change_infer": lambda: view_change_question(rng, sv),
        GROUNDING_TASK: lambda: grounding_question(rng, sv),
    }
    if task in makers:
        return makers[task]()
    if task.startswith("distance_infer"):
        return distance_infer_question(rng, sv, plan)
    if task.startswith("obj_spatial_relation"):
        return relation_question(rng, sv, plan)
    if task.startswith("spatial_imagination"):
        return imagination_question(rng, sv, plan)
    raise ValueError(f"{task!r} is not a task the synthetic generator knows")
