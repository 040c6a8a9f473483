"""What a synthetic question will state and answer, fixed before any scene is looked at (`Plan`), and what a
scene that carries the plan makes of it (`SynthQuestion`).

Plans -> the question builders (`questions_*`) -> `SynthQuestion`. The option universes of the tasks whose options
come from a fixed list (relation triples, directions) live here, since a plan draws its target and distractors
from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from spar_bench.synth.markers import Marker

LETTERS = "ABCD"
DIRECTIONS = ("front", "front-right", "right", "back-right", "back", "back-left", "left", "front-left")
IMAGINED_MOVES = (2.0, 2.5, 3.0)  # meters; long enough that an object can end up on any side of the camera
IMAGINED_TURNS = (0, 45, 90, 135, 180, -135, -90, -45)  # degrees to the left; every direction equally often


@dataclass(frozen=True)
class Plan:
    """What a question will state and answer, fixed before any scene is looked at.

    `target` is the correct option's text for tasks whose options come from a fixed list (relation triples,
    directions), with `distractors` the other three; both are empty where the scene supplies the options.
    `params` holds the other stated choices (imagined motion, frame and marker images, closest or farthest).
    """

    task: str
    letter: str
    target: str = ""
    distractors: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SynthQuestion:
    """One generated question: text and answer in the hub's formats, and what the checks need to redo it.

    `views` are camera indices of the scene in image order; marker `image` indexes into `views`. `params`
    holds what the question states besides markers (reference frame image, imagined motion), JSON-ready.
    `options` are the option texts in letter order (empty for numeric and motion answers).
    """

    task: str
    question: str
    answer: str
    scene_id: int
    views: tuple[int, ...]
    markers: tuple[Marker, ...]
    params: dict = field(default_factory=dict)
    options: tuple[str, ...] = ()

    def identity(self) -> tuple:
        """What a model sees and must answer: the images (scene, views, markers as drawn), the stem and the
        correct option's content (the answer itself for numeric and motion questions). Two questions with the
        same identity differ at most in their distractors."""
        stem = self.question[: self.question.find(" A. ")] if self.options else self.question
        correct = self.options[LETTERS.index(self.answer)] if self.options else self.answer
        drawn = tuple((m.colour, m.image, m.point, m.box) for m in self.markers)
        return self.task, self.scene_id, self.views, drawn, stem, correct

    def to_json(self) -> dict:
        return {
            "task": self.task,
            "scene_id": self.scene_id,
            "views": list(self.views),
            "markers": [m.to_json() for m in self.markers],
            "params": self.params,
            "answer": self.answer,
        }


def _triples(depth: tuple[str, str]) -> tuple[str, ...]:
    """Relation options `horizontal, vertical, depth`: 3 x 3 x 2 minus the two with both first slots empty."""
    return tuple(
        f"{h}, {v}, {d}"
        for h in ("left", "right", "")
        for v in ("above", "below", "")
        for d in depth
        if not (h == "" and v == "")
    )


# Relative to a camera, an object that the camera does not see (it is marked in another view) can be behind it,
# but the scenes put nothing above a camera and behind it, and almost nothing straight above it: those triples
# are left out of answers and distractors alike, so leaving them out tells nothing.
OC_TRIPLES = tuple(
    t
    for t in _triples(("front", "behind"))
    if not (t.endswith("behind") and ", below," not in t) and t != ", above, front"
)
OO_TRIPLES = _triples(("closer", "farther"))


def answer_universe(task: str) -> tuple[str, ...]:
    """Every option text a task's correct answer can take, for tasks whose options come from a fixed list
    (empty for tasks whose options are read off the scene or that have no options)."""
    if task.startswith("obj_spatial_relation"):
        return OC_TRIPLES if "_oc" in task else OO_TRIPLES
    if task.startswith("spatial_imagination"):
        return DIRECTIONS
    return ()


def marker_images(rng: np.random.Generator, n: int) -> tuple[int, ...]:
    """Images for `n` markers, spread over the three images in a random order."""
    order = [int(i) for i in rng.permutation(3)]
    return tuple(order[i % 3] for i in range(n))


def make_plan(task: str, rng: np.random.Generator, letter: str, target: str = "") -> Plan:
    """The plan of one question: `letter` and `target` come from the caller's balanced schedules; distractors
    and stated parameters are drawn here from distributions that do not depend on the target."""
    universe = answer_universe(task)
    distractors: tuple[str, ...] = ()
    if universe:
        if target not in universe:
            raise ValueError(f"{target!r} is not an option of {task}")
        others = [u for u in universe if u != target]
        distractors = tuple(others[int(i)] for i in rng.choice(len(others), 3, replace=False))
    multi = task.endswith("_mv")
    params: dict = {}
    if task.startswith("distance_infer"):
        params = {"farthest": bool(rng.random() < 0.5), "images": list(marker_images(rng, 5)) if multi else [0] * 5}
    elif task == "obj_spatial_relation_oc_mv":
        frame, image = (int(v) for v in rng.permutation(3)[:2])  # the object sits in another image
        params = {"frame": frame, "image": image}
    elif task == "obj_spatial_relation_oo_mv":
        params = {"images": list(marker_images(rng, 2))}
    elif task.startswith("spatial_imagination_oc"):
        params = {
            "turn_left_deg": int(IMAGINED_TURNS[int(rng.integers(len(IMAGINED_TURNS)))]),
            "move": float(IMAGINED_MOVES[int(rng.integers(len(IMAGINED_MOVES)))]),
            "frame": int(rng.integers(3)) if multi else 0,
            "image": int(rng.integers(3)) if multi else 0,
            "side_180": "left" if rng.random() < 0.5 else "right",  # how a half turn is worded
        }
    elif task == "spatial_imagination_oo_mv":
        params = {"images": list(marker_images(rng, 3))}
    return Plan(task, letter, target, distractors, params)


def arrange_options(correct: str, distractors: tuple[str, ...] | list[str], letter: str) -> tuple[str, ...]:
    options = list(distractors[:3])
    options.insert(LETTERS.index(letter), correct)
    return tuple(options)
