"""Write tests/data/agreement_corpus.jsonl: realistic model responses, each with a human grader's reading.

Every response below was written by hand, in the styles current vision-language models answer SPAR-Bench
(chatty prose, terse answers, markdown, JSON mode, reasoning traces, LaTeX boxes, GLM box tokens, Chinese),
together with what a careful human grader reads as its stated answer (`grader_reading`). Nothing here is a
template multiplied over values: the responses are the data. The grader's score is never typed: it is
computed from the reading with the benchmark's own metrics (`grader_score`), so the corpus checks a parser
against a person, not against itself.

Grading conventions (tests/data/README.md states them too):
- the answer is what the response states as its final answer, after any reasoning; reasoning text and
  values echoed from the question (a reference depth, a camera height) are not the answer;
- a range or `x ± e` reads as its central value; a hedge between two different options or values reads null;
- an answer given as option text without its letter is that option when it matches exactly one option;
- a letter and restated option text that name different options contradict each other: null;
- units convert to meters (rotations to degrees, radians converted); a bare number is meters (degrees for a
  rotation);
- refusals, "none of the options", lists of every option, letters that are not options, empty responses
  and reasoning cut off before any answer read null, and null scores 0.

    python scripts/make_agreement_corpus.py             # writes tests/data/agreement_corpus.jsonl
    python scripts/make_agreement_corpus.py --out PATH
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "data" / "agreement_corpus.jsonl"

# Unit factors a grader uses (exact definitions).
CM, MM, FT, IN, YD = 0.01, 0.001, 0.3048, 0.0254, 0.9144
MOTION_NAMES = ("move_right", "move_up", "move_forward", "rotate_right", "rotate_up")


def deg(radians: float) -> float:
    return math.degrees(radians)


def mv(right: float = 0.0, up: float = 0.0, forward: float = 0.0, rot_right: float = 0.0, rot_up: float = 0.0) -> dict:
    """A grader's motion reading, signed: left, down, backward, rotate_left, rotate_down are negative."""
    return {
        "move_right": float(right),
        "move_up": float(up),
        "move_forward": float(forward),
        "rotate_right": float(rot_right),
        "rotate_up": float(rot_up),
    }


# --------------------------------------------------------------------------------------------------------
# Scoring a reading: the benchmark's metrics, with the 1e-9 tolerance that makes decimal boundaries exact.
# --------------------------------------------------------------------------------------------------------

MULTIPLE_CHOICE = {
    "position_matching",
    "camera_motion_infer",
    "distance_infer_center_oo",
    "distance_infer_center_oo_mv",
    "obj_spatial_relation_oc_mv",
    "obj_spatial_relation_oo",
    "obj_spatial_relation_oo_mv",
    "spatial_imagination_oc",
    "spatial_imagination_oc_mv",
    "spatial_imagination_oo",
    "spatial_imagination_oo_mv",
}
NUMERIC = {
    "depth_prediction_oc",
    "depth_prediction_oc_mv",
    "depth_prediction_oo",
    "depth_prediction_oo_mv",
    "distance_prediction_oc",
    "distance_prediction_oc_mv",
    "distance_prediction_oo",
    "distance_prediction_oo_mv",
}
MOTION = {"view_change_infer"}
TASKS = MULTIPLE_CHOICE | NUMERIC | MOTION


def reference_motion(answer: str) -> list[float]:
    """The five signed components of a reference motion string `move_right:0.4,...`."""
    from spar_bench.metrics.view_change import motion_vector

    items = {}
    for item in answer.split(","):
        key, value = item.split(":")
        items[key.strip()] = float(value)
    return [float(x) for x in motion_vector(items)]


def grader_score(task: str, reading, answer: str) -> float:
    """The score of a grader's reading against the reference answer (0.0 for a null reading)."""
    if reading is None:
        return 0.0
    if task in MULTIPLE_CHOICE:
        return 1.0 if reading == answer else 0.0
    if task in NUMERIC:
        from spar_bench.metrics.mra import mean_relative_accuracy

        return float(mean_relative_accuracy([float(reading)], [float(answer)], tolerance=1e-9)[0])
    from spar_bench.metrics.view_change import view_change_scores

    vector = [float(reading[name]) for name in MOTION_NAMES]
    return float(view_change_scores(vector, reference_motion(answer), relative_to="reference", tolerance=1e-9))


# --------------------------------------------------------------------------------------------------------
# Questions, in the benchmark's wording (options inside the question text, as the dataset writes them).
# --------------------------------------------------------------------------------------------------------

QUESTIONS: dict[str, tuple[str, str, str]] = {}  # key -> (task, question, answer)

_TAIL = "Calculate or judge based on the 3D center points of these objects. The unit is meter."
_PICK = "Pick the appropriate option from the choices available."


def question(key: str, task: str, answer: str, text: str) -> None:
    assert key not in QUESTIONS, key
    assert task in TASKS, task
    QUESTIONS[key] = (task, " ".join(text.split()), answer)


def _depth_oc(obj: str) -> str:
    return f"What is the depth of the {obj} (red point)? {_TAIL}"


def _depth_oc_mv(obj: str, where: str, frame: str) -> str:
    return f"What is the depth of the {obj} (red point in the {where} image) in the camera frame of the {frame} image? {_TAIL}"


def _depth_oo(ref: str, depth: str, obj: str) -> str:
    return (
        f"With the {ref} (red point) having a depth of {depth} meters, determine the depth of the {obj} "
        f"(blue point) in the same frame. {_TAIL}"
    )


def _depth_oo_mv(ref: str, ref_img: str, depth: str, frame: str, obj: str, obj_img: str) -> str:
    return (
        f"With the {ref} (red point in the {ref_img} image) having a depth of {depth} meters in the camera "
        f"frame of the {frame} image, determine the depth of the {obj} (blue point in the {obj_img} image) in "
        f"the same frame. {_TAIL}"
    )


def _dist_oc(obj: str) -> str:
    return f"How far is the {obj} (red point) from the camera? {_TAIL}"


def _dist_oc_mv(obj: str, where: str, cam: str) -> str:
    return f"How far is the {obj} (red point in the {where} image) from the camera of the {cam} image? {_TAIL}"


def _dist_oo(a: str, b: str) -> str:
    return f"What is the distance between the {a} (red point) and the {b} (blue point)? {_TAIL}"


def _dist_oo_mv(a: str, a_img: str, b: str, b_img: str) -> str:
    return (
        f"What is the distance between the {a} (red point in the {a_img} image) and the {b} (blue point in "
        f"the {b_img} image)? {_TAIL}"
    )


def _position(obj: str, boxes: list[str]) -> str:
    opts = " ".join(f"{letter}. {b}" for letter, b in zip("ABCD", boxes))
    return (
        f"The {obj} is marked with a red box in the first image. Which box in the second image contains the "
        f"same {obj}? {opts}"
    )


def _camera(points: list[str]) -> str:
    opts = " ".join(f"{letter}. {p}" for letter, p in zip("ABCD", points))
    return (
        "The two images are taken from different camera positions. Which point in the first image is closest "
        f"to the spot on the floor directly below the camera of the second image? {opts}"
    )


def _options(texts: list[str]) -> str:
    return " ".join(f"{letter}. {t}" for letter, t in zip("ABCD", texts))


_VIEW_CHANGE = (
    "The two images show the same room from two camera poses. How does the camera move and rotate from the first "
    "image to the second image? Translations are taken in the first camera's level frame (right, up, forward). "
    "Answer in the form move_right:X,move_up:X,move_forward:X,rotate_up:X,rotate_right:X with translations in "
    "meters and rotations in degrees, using move_left, move_down, move_backward, rotate_down or rotate_left for "
    "the opposite directions."
)

# depth_prediction_oc
question("doc_a", "depth_prediction_oc", "2.4", _depth_oc("monitor"))
question("doc_b", "depth_prediction_oc", "1.0", _depth_oc("bookshelf"))
question("doc_c", "depth_prediction_oc", "3.6", _depth_oc("towel"))
question("doc_d", "depth_prediction_oc", "1.8", _depth_oc("sofa"))
question("doc_e", "depth_prediction_oc", "0.7", _depth_oc("trash can"))
# depth_prediction_oc_mv
question("docmv_a", "depth_prediction_oc_mv", "3.2", _depth_oc_mv("lamp", "second", "third"))
question("docmv_b", "depth_prediction_oc_mv", "1.5", _depth_oc_mv("nightstand", "first", "first"))
question("docmv_c", "depth_prediction_oc_mv", "2.7", _depth_oc_mv("chair", "third", "second"))
question("docmv_d", "depth_prediction_oc_mv", "4.1", _depth_oc_mv("cabinet", "second", "first"))
question("docmv_e", "depth_prediction_oc_mv", "0.9", _depth_oc_mv("plant", "first", "third"))
# depth_prediction_oo
question("doo_a", "depth_prediction_oo", "1.5", _depth_oo("counter", "1.6", "towel"))
question("doo_b", "depth_prediction_oo", "2.1", _depth_oo("bookshelf", "1.7", "armchair"))
question("doo_c", "depth_prediction_oo", "2.5", _depth_oo("table", "4.4", "nightstand"))
question("doo_d", "depth_prediction_oo", "2.9", _depth_oo("chair", "2.8", "trash can"))
question("doo_e", "depth_prediction_oo", "2.3", _depth_oo("desk", "1.9", "monitor"))
# depth_prediction_oo_mv
question(
    "doomv_a", "depth_prediction_oo_mv", "2.9", _depth_oo_mv("plant", "third", "3.8", "first", "armchair", "second")
)
question(
    "doomv_b", "depth_prediction_oo_mv", "1.8", _depth_oo_mv("pillow", "first", "0.8", "third", "bookshelf", "third")
)
question("doomv_c", "depth_prediction_oo_mv", "3.2", _depth_oo_mv("vase", "second", "3.4", "third", "cabinet", "third"))
question("doomv_d", "depth_prediction_oo_mv", "3.5", _depth_oo_mv("sofa", "first", "2.2", "second", "lamp", "third"))
question("doomv_e", "depth_prediction_oo_mv", "1.4", _depth_oo_mv("box", "second", "1.1", "first", "chair", "first"))
# distance_prediction_oc
question("dsoc_a", "distance_prediction_oc", "1.2", _dist_oc("bookshelf"))
question("dsoc_b", "distance_prediction_oc", "1.8", _dist_oc("box"))
question("dsoc_c", "distance_prediction_oc", "3.1", _dist_oc("refrigerator"))
question("dsoc_d", "distance_prediction_oc", "4.5", _dist_oc("door"))
question("dsoc_e", "distance_prediction_oc", "0.8", _dist_oc("pillow"))
# distance_prediction_oc_mv
question("dsocmv_a", "distance_prediction_oc_mv", "2.5", _dist_oc_mv("trash can", "second", "second"))
question("dsocmv_b", "distance_prediction_oc_mv", "1.1", _dist_oc_mv("cabinet", "third", "second"))
question("dsocmv_c", "distance_prediction_oc_mv", "2.3", _dist_oc_mv("plant", "second", "first"))
question("dsocmv_d", "distance_prediction_oc_mv", "3.7", _dist_oc_mv("tv", "first", "third"))
question("dsocmv_e", "distance_prediction_oc_mv", "1.6", _dist_oc_mv("chair", "third", "first"))
# distance_prediction_oo
question("dsoo_a", "distance_prediction_oo", "1.2", _dist_oo("chair", "chair"))
question("dsoo_b", "distance_prediction_oo", "2.0", _dist_oo("box", "armchair"))
question("dsoo_c", "distance_prediction_oo", "0.6", _dist_oo("table", "vase"))
question("dsoo_d", "distance_prediction_oo", "3.4", _dist_oo("sofa", "tv"))
question("dsoo_e", "distance_prediction_oo", "1.1", _dist_oo("bed", "nightstand"))
# distance_prediction_oo_mv
question("dsoomv_a", "distance_prediction_oo_mv", "1.0", _dist_oo_mv("armchair", "third", "bookshelf", "second"))
question("dsoomv_b", "distance_prediction_oo_mv", "3.3", _dist_oo_mv("chair", "second", "box", "third"))
question("dsoomv_c", "distance_prediction_oo_mv", "2.2", _dist_oo_mv("monitor", "third", "trash can", "second"))
question("dsoomv_d", "distance_prediction_oo_mv", "0.5", _dist_oo_mv("sink", "first", "towel", "first"))
question("dsoomv_e", "distance_prediction_oo_mv", "1.7", _dist_oo_mv("desk", "second", "lamp", "third"))

# position_matching
question(
    "pm_a",
    "position_matching",
    "C",
    _position(
        "towel", ["[719, 579, 838, 767]", "[522, 508, 650, 629]", "[134, 600, 331, 767]", "[234, 475, 372, 558]"]
    ),
)
question(
    "pm_b",
    "position_matching",
    "D",
    _position(
        "trash can", ["[141, 258, 522, 879]", "[66, 175, 247, 729]", "[650, 404, 719, 512]", "[697, 708, 819, 900]"]
    ),
)
question(
    "pm_c",
    "position_matching",
    "B",
    _position("chair", ["[456, 367, 644, 833]", "[747, 292, 1000, 721]", "[300, 154, 603, 567]", "[0, 54, 266, 1000]"]),
)
question(
    "pm_d",
    "position_matching",
    "A",
    _position("lamp", ["[312, 88, 401, 290]", "[590, 120, 702, 355]", "[45, 410, 210, 640]", "[812, 96, 930, 300]"]),
)
# camera_motion_infer
question("cm_a", "camera_motion_infer", "D", _camera(["[446, 572]", "[108, 866]", "[897, 653]", "[689, 672]"]))
question("cm_b", "camera_motion_infer", "C", _camera(["[493, 573]", "[744, 612]", "[578, 873]", "[343, 774]"]))
question("cm_c", "camera_motion_infer", "A", _camera(["[249, 887]", "[192, 586]", "[756, 578]", "[655, 822]"]))
question("cm_d", "camera_motion_infer", "B", _camera(["[512, 640]", "[300, 910]", "[820, 705]", "[150, 702]"]))
# distance_infer_center_oo
question(
    "dic_a",
    "distance_infer_center_oo",
    "D",
    "From the image, decide which of the armchair (blue point), the vase (green point), the plant (yellow point) "
    "and the plant (purple point) is farthest from the lamp (red point). "
    + _TAIL.split(" The unit")[0]
    + " "
    + _PICK
    + " "
    + _options(["blue point (armchair)", "green point (vase)", "yellow point (plant)", "purple point (plant)"]),
)
question(
    "dic_b",
    "distance_infer_center_oo",
    "B",
    "From the image, decide which of the nightstand (blue point), the armchair (green point), the box (yellow point) "
    "and the nightstand (purple point) is farthest from the bookshelf (red point). "
    + _TAIL.split(" The unit")[0]
    + " "
    + _PICK
    + " "
    + _options(
        ["blue point (nightstand)", "green point (armchair)", "yellow point (box)", "purple point (nightstand)"]
    ),
)
question(
    "dic_c",
    "distance_infer_center_oo",
    "C",
    "From the image, decide which of the plant (blue point), the box (green point), the bookshelf (yellow point) "
    "and the armchair (purple point) is closest to the plant (red point). "
    + _TAIL.split(" The unit")[0]
    + " "
    + _PICK
    + " "
    + _options(["blue point (plant)", "green point (box)", "yellow point (bookshelf)", "purple point (armchair)"]),
)
question(
    "dic_d",
    "distance_infer_center_oo",
    "A",
    "From the image, decide whether the green point (towel) or blue point (towel) is farther to trash can (red point). "
    + _TAIL.split(" The unit")[0]
    + " "
    + _PICK
    + " A. green point (towel) B. blue point (towel)",
)
# distance_infer_center_oo_mv
question(
    "dicmv_a",
    "distance_infer_center_oo_mv",
    "A",
    "From the images, decide which of the plant (blue point in the second image), the lamp (green point in the third "
    "image), the armchair (yellow point in the third image) and the box (purple point in the first image) is closest "
    "to the box (red point in the second image). "
    + _TAIL.split(" The unit")[0]
    + " "
    + _PICK
    + " "
    + _options(["blue point (plant)", "green point (lamp)", "yellow point (armchair)", "purple point (box)"]),
)
question(
    "dicmv_b",
    "distance_infer_center_oo_mv",
    "D",
    "From the images, decide which of the sofa (blue point in the third image), the plant (green point in the first "
    "image), the bookshelf (yellow point in the first image) and the trash can (purple point in the second image) is "
    "closest to the cabinet (red point in the second image). "
    + _TAIL.split(" The unit")[0]
    + " "
    + _PICK
    + " "
    + _options(["blue point (sofa)", "green point (plant)", "yellow point (bookshelf)", "purple point (trash can)"]),
)
question(
    "dicmv_c",
    "distance_infer_center_oo_mv",
    "C",
    "From the images, decide which of the cabinet (blue point in the third image), the cabinet (green point in the "
    "third image), the towel (yellow point in the second image) and the cabinet (purple point in the first image) is "
    "farthest from the box (red point in the first image). "
    + _TAIL.split(" The unit")[0]
    + " "
    + _PICK
    + " "
    + _options(["blue point (cabinet)", "green point (cabinet)", "yellow point (towel)", "purple point (cabinet)"]),
)
question(
    "dicmv_d",
    "distance_infer_center_oo_mv",
    "B",
    "From the images, decide which of the chair (blue point in the first image), the tv (green point in the third "
    "image), the lamp (yellow point in the second image) and the rug (purple point in the third image) is farthest "
    "from the sofa (red point in the first image). "
    + _TAIL.split(" The unit")[0]
    + " "
    + _PICK
    + " "
    + _options(["blue point (chair)", "green point (tv)", "yellow point (lamp)", "purple point (rug)"]),
)

_REL_OC = (
    "Options give horizontal (left/right), vertical (above/below) and depth (front/behind); an empty slot means "
    "no clear relation on that axis. " + _PICK
)
_REL_OO = (
    "Options give horizontal (left/right), vertical (above/below) and depth (closer/farther from the camera); an "
    "empty slot means no clear relation on that axis. " + _PICK
)
# obj_spatial_relation_oc_mv
question(
    "orocmv_a",
    "obj_spatial_relation_oc_mv",
    "A",
    "Relative to the camera of the first image, where is the chair (red point in the second image)? "
    + _REL_OC
    + " "
    + _options(["left, below, front", "left, , behind", "right, below, front", ", below, front"]),
)
question(
    "orocmv_b",
    "obj_spatial_relation_oc_mv",
    "D",
    "Relative to the camera of the first image, where is the chair (red point in the third image)? "
    + _REL_OC
    + " "
    + _options(["right, below, behind", "right, , front", "left, , front", "left, below, front"]),
)
question(
    "orocmv_c",
    "obj_spatial_relation_oc_mv",
    "B",
    "Relative to the camera of the first image, where is the plant (red point in the second image)? "
    + _REL_OC
    + " "
    + _options([", below, front", "right, below, front", "right, below, behind", ", above, behind"]),
)
question(
    "orocmv_d",
    "obj_spatial_relation_oc_mv",
    "C",
    "Relative to the camera of the second image, where is the lamp (red point in the third image)? "
    + _REL_OC
    + " "
    + _options(["left, above, behind", "right, above, front", "left, , front", "right, below, behind"]),
)
# obj_spatial_relation_oo
question(
    "oroo_a",
    "obj_spatial_relation_oo",
    "D",
    "From the camera's viewpoint, where is the table (blue point) relative to the chair (red point)? "
    + _REL_OO
    + " "
    + _options(["right, , closer", "right, above, farther", "left, above, closer", "left, , closer"]),
)
question(
    "oroo_b",
    "obj_spatial_relation_oo",
    "C",
    "From the camera's viewpoint, where is the cabinet (blue point) relative to the chair (red point)? "
    + _REL_OO
    + " "
    + _options([", above, closer", "left, below, farther", "left, , farther", "right, below, closer"]),
)
question(
    "oroo_c",
    "obj_spatial_relation_oo",
    "A",
    "From the camera's viewpoint, where is the nightstand (blue point) relative to the desk (red point)? "
    + _REL_OO
    + " "
    + _options(["right, , closer", ", below, closer", "left, , closer", ", below, farther"]),
)
question(
    "oroo_d",
    "obj_spatial_relation_oo",
    "B",
    "From the camera's viewpoint, where is the towel (blue point) relative to the sink (red point)? "
    + _REL_OO
    + " "
    + _options(["left, above, closer", "left, , closer", "right, below, farther", "right, , farther"]),
)
# obj_spatial_relation_oo_mv
question(
    "oroomv_a",
    "obj_spatial_relation_oo_mv",
    "A",
    "From the camera's viewpoint of the first image, where is the box (blue point in the first image) relative to the lamp (red point in the third image)? "
    + _REL_OO
    + " "
    + _options(["left, below, closer", ", below, farther", "right, above, farther", "right, above, closer"]),
)
question(
    "oroomv_b",
    "obj_spatial_relation_oo_mv",
    "C",
    "From the camera's viewpoint of the first image, where is the lamp (blue point in the third image) relative to the armchair (red point in the second image)? "
    + _REL_OO
    + " "
    + _options(["right, , farther", ", below, closer", "right, above, closer", ", above, closer"]),
)
question(
    "oroomv_c",
    "obj_spatial_relation_oo_mv",
    "B",
    "From the camera's viewpoint of the first image, where is the box (blue point in the third image) relative to the box (red point in the second image)? "
    + _REL_OO
    + " "
    + _options(["right, , closer", "left, , closer", ", above, closer", "right, below, farther"]),
)
question(
    "oroomv_d",
    "obj_spatial_relation_oo_mv",
    "D",
    "From the camera's viewpoint of the second image, where is the pillow (blue point in the first image) relative to the bed (red point in the second image)? "
    + _REL_OO
    + " "
    + _options(["left, above, farther", "right, above, closer", ", below, farther", "left, below, closer"]),
)
# spatial_imagination_oc
question(
    "sioc_a",
    "spatial_imagination_oc",
    "D",
    "Imagine the camera turns 90 degrees to the left and then moves 0.6 meters forward. In which direction is the armchair (red point) from the camera then? "
    + _PICK
    + " "
    + _options(["left", "back", "back-right", "front-right"]),
)
question(
    "sioc_b",
    "spatial_imagination_oc",
    "C",
    "Imagine the camera turns 90 degrees to the right and then moves 1.4 meters forward. In which direction is the bookshelf (red point) from the camera then? "
    + _PICK
    + " "
    + _options(["back-right", "front", "left", "back"]),
)
question(
    "sioc_c",
    "spatial_imagination_oc",
    "B",
    "Imagine the camera turns 90 degrees to the left and then moves 0.6 meters forward. In which direction is the cabinet (red point) from the camera then? "
    + _PICK
    + " "
    + _options(["back", "right", "front-left", "back-left"]),
)
question(
    "sioc_d",
    "spatial_imagination_oc",
    "A",
    "Imagine the camera turns 180 degrees and then moves 1.0 meters forward. In which direction is the sofa (red point) from the camera then? "
    + _PICK
    + " "
    + _options(["front", "front-left", "back-right", "right"]),
)
# spatial_imagination_oc_mv
question(
    "siocmv_a",
    "spatial_imagination_oc_mv",
    "C",
    "Imagine the camera of the first image turns 90 degrees to the right and then moves 1.4 meters forward. In which direction is the armchair (red point in the first image) from the camera then? "
    + _PICK
    + " "
    + _options(["front-right", "front-left", "back-left", "front"]),
)
question(
    "siocmv_b",
    "spatial_imagination_oc_mv",
    "B",
    "Imagine the camera of the third image turns 90 degrees to the left and then moves 0.6 meters forward. In which direction is the bookshelf (red point in the third image) from the camera then? "
    + _PICK
    + " "
    + _options(["back", "right", "back-left", "left"]),
)
question(
    "siocmv_c",
    "spatial_imagination_oc_mv",
    "A",
    "Imagine the camera of the third image turns 90 degrees to the left and then moves 1.8 meters forward. In which direction is the vase (red point in the second image) from the camera then? "
    + _PICK
    + " "
    + _options(["back-right", "front-right", "front", "left"]),
)
question(
    "siocmv_d",
    "spatial_imagination_oc_mv",
    "D",
    "Imagine the camera of the second image turns 45 degrees to the right and then moves 2.0 meters forward. In which direction is the desk (red point in the first image) from the camera then? "
    + _PICK
    + " "
    + _options(["left", "back-left", "front-right", "front"]),
)
# spatial_imagination_oo
question(
    "sioo_a",
    "spatial_imagination_oo",
    "B",
    "Imagine you are standing at the trash can (red point) and facing the trash can (blue point). In which direction is the cabinet (green point) from you? "
    + _PICK
    + " "
    + _options(["back-left", "front", "back-right", "back"]),
)
question(
    "sioo_b",
    "spatial_imagination_oo",
    "D",
    "Imagine you are standing at the box (red point) and facing the bookshelf (blue point). In which direction is the bookshelf (green point) from you? "
    + _PICK
    + " "
    + _options(["right", "front-right", "front-left", "back-left"]),
)
question(
    "sioo_c",
    "spatial_imagination_oo",
    "C",
    "Imagine you are standing at the armchair (red point) and facing the armchair (blue point). In which direction is the bookshelf (green point) from you? "
    + _PICK
    + " "
    + _options(["back", "front-left", "right", "front"]),
)
question(
    "sioo_d",
    "spatial_imagination_oo",
    "A",
    "Imagine you are standing at the sofa (red point) and facing the tv (blue point). In which direction is the lamp (green point) from you? "
    + _PICK
    + " "
    + _options(["left", "front-right", "back", "back-right"]),
)
# spatial_imagination_oo_mv
question(
    "sioomv_a",
    "spatial_imagination_oo_mv",
    "D",
    "Imagine you are standing at the chair (red point in the first image) and facing the chair (blue point in the third image). In which direction is the bookshelf (green point in the second image) from you? "
    + _PICK
    + " "
    + _options(["back-right", "right", "back-left", "front-left"]),
)
question(
    "sioomv_b",
    "spatial_imagination_oo_mv",
    "A",
    "Imagine you are standing at the cabinet (red point in the third image) and facing the cabinet (blue point in the first image). In which direction is the lamp (green point in the second image) from you? "
    + _PICK
    + " "
    + _options(["left", "back", "back-right", "right"]),
)
question(
    "sioomv_c",
    "spatial_imagination_oo_mv",
    "C",
    "Imagine you are standing at the plant (red point in the third image) and facing the vase (blue point in the first image). In which direction is the plant (green point in the second image) from you? "
    + _PICK
    + " "
    + _options(["back", "back-left", "front", "back-right"]),
)
question(
    "sioomv_d",
    "spatial_imagination_oo_mv",
    "B",
    "Imagine you are standing at the bed (red point in the second image) and facing the door (blue point in the first image). In which direction is the desk (green point in the third image) from you? "
    + _PICK
    + " "
    + _options(["front-left", "right", "left", "back"]),
)
# view_change_infer
question(
    "vc_a", "view_change_infer", "move_right:0.4,move_up:0.0,move_forward:2.4,rotate_up:5,rotate_right:60", _VIEW_CHANGE
)
question(
    "vc_b",
    "view_change_infer",
    "move_right:0.3,move_down:0.1,move_forward:1.9,rotate_down:2,rotate_left:28",
    _VIEW_CHANGE,
)
question(
    "vc_c", "view_change_infer", "move_left:0.5,move_up:0.1,move_forward:1.2,rotate_up:3,rotate_right:15", _VIEW_CHANGE
)
question(
    "vc_d",
    "view_change_infer",
    "move_right:0.2,move_down:0.2,move_backward:0.8,rotate_down:6,rotate_left:32",
    _VIEW_CHANGE,
)
question(
    "vc_e", "view_change_infer", "move_left:1.1,move_down:0.0,move_forward:0.6,rotate_up:0,rotate_left:45", _VIEW_CHANGE
)

# --------------------------------------------------------------------------------------------------------
# Responses: (question key, category, grader reading, response text), written by hand.
# --------------------------------------------------------------------------------------------------------

ENTRIES: list[tuple[str, str, object, str]] = []


def add(key: str, category: str, reading, response: str) -> None:
    ENTRIES.append((key, category, reading, response))


# ---- depth_prediction_oc ------------------------------------------------------------------------------
add("doc_a", "bare_number", 2.4, "2.4")
add("doc_b", "bare_number", 1.2, "1.2")
add("doc_e", "bare_number", 0.7, "0.70")
add("doc_c", "number_unit", 3.0, "3 meters")
add("doc_e", "number_unit", 0.5, "~0.5m")
add("doc_b", "number_unit", 1.0, "1 m")
add("doc_d", "answer_phrase", 1.8, "The depth of the sofa is 1.8 meters.")
add("doc_c", "answer_phrase", 4.2, "Answer: 4.2")
add("doc_a", "answer_phrase", 2.4, "Answer - 2.4 m")
add(
    "doc_a",
    "chatty_prose",
    2.2,
    "Looking at the scene, the monitor sits on a desk against the far wall. Judging from the size of the keyboard in "
    "front of it and the floor tiles, its center is roughly 2.2 meters from the camera plane.",
)
add("doc_c", "markdown_bold", 3.5, "**Depth of the towel:** approximately **3.5 m**")
add("doc_b", "label_numbers", 1.0, "Estimated depth: 1.0 m (based on the 3D center of the shelf)")
add("doc_d", "cjk_number", 2.0, "沙发的深度约为2米。")
add("doc_e", "leading_dot", 0.8, ".8 m")
add("doc_a", "unit_conversion", 2.5, "About 250 cm.")
add("doc_c", "boxed_latex", 3.6, "The towel hangs near the back wall.\n\n$$\\boxed{3.6\\,\\text{m}}$$")
add(
    "doc_d",
    "think_trace",
    1.6,
    "<think>\nThe sofa occupies the lower half of the frame. The armrest nearest the camera is maybe 1.2 m away and the "
    "cushion center is a bit further back, so the center of the sofa is about 1.6 m deep.\n</think>\n\n1.6",
)
add("doc_b", "json_answer", 0.9, '{"depth": 0.9}')
add("doc_e", "context_number", 0.7, "0.7 m. The camera appears to be mounted about 1.5 m above the floor.")
add("doc_a", "range_uncertainty", 2.4, "2.4 ± 0.3 m")
add("doc_c", "number_words", 3.0, "Roughly three meters.")
add("doc_d", "imperial_compound", 6 * FT, "About 6 feet.")
add("doc_b", "glm_box", 1.1, "<|begin_of_box|>1.1<|end_of_box|>")
add("doc_e", "refusal", None, "I'm sorry, but I can't determine the depth of the trash can from this image alone.")
add(
    "doc_a",
    "hedge",
    None,
    "It's either about 2 m or about 4 m — the monitor could be the one on the near desk or the far one.",
)
add(
    "doc_c",
    "truncated_think",
    None,
    "<think>\nFirst I need to locate the red point. It's on a towel hanging on a rack next to the shower. The shower door is about",
)
add("doc_d", "empty", None, "")
add("doc_e", "self_contradiction", None, "The depth is 0.7 m, i.e. about 150 cm.")
add(
    "doc_a",
    "caveated_estimate",
    3.0,
    "Without a scale reference this is a rough guess, but I'd put the monitor at around 3 m.",
)
add(
    "doc_b",
    "revised_answer",
    1.3,
    "My first estimate was 0.8 m, but the shelf's base is clearly behind the chair, so I'd revise that to 1.3 m.",
)
add(
    "doc_d",
    "markdown_structure",
    1.9,
    "### Estimate\n- Sofa front edge: ~1.4 m\n- Sofa back: ~2.4 m\n\n**Center depth: 1.9 m**",
)
add("doc_c", "bare_number", 3.6, "3.60")
add("doc_d", "answer_phrase", 2.3, "I estimate the depth to be 2.3 m.")

# ---- depth_prediction_oc_mv ---------------------------------------------------------------------------
add("docmv_a", "bare_number", 3.2, "3.2")
add("docmv_e", "bare_number", 0.6, "0.6")
add("docmv_b", "number_unit", 1.5, "1.5 meters")
add("docmv_c", "number_unit", 2.0, "roughly 2m")
add("docmv_a", "answer_phrase", 3.2, "The answer is 3.2 m.")
add("docmv_e", "answer_phrase", 0.9, "Final answer: 0.9 m")
add("docmv_d", "answer_phrase", 3.9, "Depth ≈ 3.9 meters")
add("docmv_c", "label_numbers", 1.9, "Approximately 1.9 m in the 2nd image's camera frame.")
add("docmv_d", "label_numbers", 4.1, "The cabinet marked in image 2, seen from camera 1, sits at about 4.1 m.")
add(
    "docmv_e",
    "chatty_prose",
    1.2,
    "The plant appears in the first image near the doorway. From the viewpoint of the third camera, which faces the "
    "doorway, the plant is fairly close—roughly 1.2 meters in depth.",
)
add(
    "docmv_d",
    "chatty_prose",
    4.8,
    "Here's how I worked it out:\n\n1. The cabinet appears in the second image against the back wall.\n2. In the first "
    "image that same wall is visible at the far end of the room.\n3. Compared with the 2-meter-wide bed, the wall is a "
    "little more than two bed-widths away.\n\nSo the cabinet's depth in the first camera's frame is approximately 4.8 meters.",
)
add(
    "docmv_a",
    "think_trace",
    3.0,
    "<think>Lamp is in image 2, need depth w.r.t. camera of image 3. Image 3 looks at the same corner from farther away; "
    "bed is ~2 m, lamp behind the bed ~3 m.</think>\nThe depth is about 3.0 meters.",
)
add("docmv_b", "cjk_number", 1.5, "床头柜在第一张图像相机坐标系中的深度约为1.5米。")
add(
    "docmv_c",
    "json_answer",
    2.7,
    '```json\n{\n  "object": "chair",\n  "reference_frame": "image_2",\n  "depth_m": 2.7\n}\n```',
)
add("docmv_d", "range_uncertainty", 4.5, "Between 4 and 5 meters.")
add("docmv_e", "leading_dot", 0.9, "Depth ≈ .9 m")
add("docmv_a", "glm_box", 2.8, "<|begin_of_box|>2.8 m<|end_of_box|>")
add("docmv_b", "boxed_latex", 1.4, "\\boxed{140 \\text{ cm}}")
add("docmv_c", "markdown_bold", 2.7, "The chair's depth in the frame of image 2 is **2.7 meters**.")
add("docmv_d", "unit_conversion", 4.0, "≈ 4000 mm")
add(
    "docmv_e",
    "context_number",
    0.9,
    "0.9 m — note the camera of the third image is roughly 1.4 m above the floor, looking slightly down.",
)
add(
    "docmv_b",
    "refusal",
    None,
    "The nightstand is not visible in enough detail to give a reliable depth; I can't answer this.",
)
add(
    "docmv_c",
    "hedge",
    None,
    "Hard to tell which chair is marked: 1.5 m if it is the one by the window, 3.5 m if it is the one by the door.",
)
add(
    "docmv_d",
    "truncated_think",
    None,
    "<think>\nOkay, so the red point in the second image is on a tall cabinet. I need its depth relative to the first "
    "camera. In the first image, the cabinet",
)
add("docmv_e", "empty", None, "   ")
add("docmv_a", "number_words", 3.5, "three and a half meters")
add("docmv_b", "imperial_compound", 5 * FT, "About 5 ft.")
add("docmv_c", "self_contradiction", None, "Depth: 2.7 m (about 90 cm).")
add(
    "docmv_d",
    "caveated_estimate",
    3.5,
    "I can only estimate this coarsely since the cabinet is partly occluded in the first view: ~3.5 m.",
)
add(
    "docmv_a",
    "markdown_structure",
    3.4,
    "## Answer\n\n3.4 m\n\n## Why\nThe lamp sits behind the bed, which is about 2 m from camera 3.",
)
add("docmv_b", "revised_answer", 1.7, "1.2 m? No — the nightstand is on the far side of the bed in image 1, so 1.7 m.")

# ---- depth_prediction_oo ------------------------------------------------------------------------------
add("doo_a", "bare_number", 1.5, "1.5")
add("doo_b", "bare_number", 2.4, "2.4")
add("doo_e", "bare_number", 2.3, "2.3\n")
add("doo_c", "number_unit", 2.5, "2.5 m")
add("doo_a", "number_unit", 1.5, "1.5 m")
add("doo_d", "answer_phrase", 3.1, "The trash can is at a depth of 3.1 meters.")
add("doo_c", "answer_phrase", 1.8, "Depth of nightstand: 1.8 m")
add("doo_e", "echoed_reference", 2.3, "About 2.3 m — deeper than the desk's 1.9 m.")
add(
    "doo_a",
    "echoed_reference",
    1.4,
    "Given the counter at 1.6 m, the towel hangs slightly in front of it, at about 1.4 m.",
)
add("doo_b", "echoed_reference", 2.1, "Depth(armchair) ≈ 1.7 m + 0.4 m = 2.1 m")
add(
    "doo_c",
    "echoed_reference",
    3.0,
    "The table is 4.4 m deep; the nightstand is much nearer the camera, at roughly 3 m.",
)
add("doo_d", "echoed_reference", 2.8, "Same as the chair, 2.8 m.")
add("doo_c", "echoed_reference", 4.4, "4.4")
add(
    "doo_e",
    "chatty_prose",
    2.0,
    "The monitor sits toward the back edge of the desk, so its center is a little deeper than the desk's 1.9 m "
    "reference point. I'd estimate the monitor's depth at around 2.0 meters.",
)
add("doo_a", "cjk_number", 1.5, "毛巾的深度约为1.5米（柜台深度为1.6米）。")
add("doo_b", "json_answer", 2.0, '{"reference_depth": 1.7, "target_depth": 2.0}')
add(
    "doo_c",
    "think_trace",
    2.6,
    "<think>\nTable is at 4.4 m. The nightstand is by the bed in the foreground, far in front of the table. Maybe 2.5 or "
    "2.7... I'll say 2.6.\n</think>\n2.6 m",
)
add("doo_d", "markdown_bold", 2.9, "**Answer: 2.9 m**")
add("doo_e", "boxed_latex", 2.3, "$\\boxed{2.3}$")
add("doo_a", "glm_box", 1.6, "<|begin_of_box|>1.6<|end_of_box|>")
add("doo_b", "range_uncertainty", 2.2, "2.0–2.4 m")
add("doo_c", "number_words", 2.5, "About two and a half meters.")
add("doo_d", "context_number", 3.2, "3.2 m. (The chair itself is about 0.9 m tall.)")
add("doo_e", "unit_conversion", 2.3, "230 centimeters")
add("doo_a", "hedge", None, "Either 1.4 m or 1.8 m — it depends on whether the towel is on the front or back rail.")
add(
    "doo_b",
    "refusal",
    None,
    "I can't determine the armchair's depth; only the bookshelf's depth (1.7 m) is given and the armchair is cut off at the edge.",
)
add("doo_c", "self_contradiction", None, "The nightstand is 2.5 m away; in other words, roughly 40 cm.")
add(
    "doo_d",
    "truncated_think",
    None,
    "<think>\nThe chair is at 2.8 m. The trash can is next to the chair, maybe slightly behind. Let me look at the floor "
    "tiles to compare: the chair's legs are on the fourth tile row and the trash can's base is on",
)
add("doo_e", "empty", None, "\n")
add("doo_b", "markdown_structure", 2.3, "- Reference (bookshelf): 1.7 m\n- Armchair: **2.3 m**")
add("doo_d", "caveated_estimate", 2.9, "Probably around 2.9 m, though the trash can is partly hidden behind the chair.")
add(
    "doo_e",
    "revised_answer",
    2.6,
    "At first glance the monitor seems level with the desk (1.9 m), but it's pushed against the wall, so I'd say 2.6 m.",
)
add("doo_b", "imperial_compound", 7 * FT, "Approximately 7 feet")

# ---- depth_prediction_oo_mv ---------------------------------------------------------------------------
add("doomv_a", "bare_number", 2.9, "2.9")
add("doomv_c", "bare_number", 3.2, "3.2")
add("doomv_b", "number_unit", 2.1, "2.1 meters")
add("doomv_e", "number_unit", 1.4, "1.4m")
add("doomv_c", "answer_phrase", 3.2, "Answer: 3.2 meters")
add("doomv_a", "answer_phrase", 4.0, "The armchair's depth is 4.0 m.")
add(
    "doomv_d",
    "echoed_reference",
    3.5,
    "The sofa is at 2.2 m in the second camera's frame; the lamp stands behind it, at about 3.5 m.",
)
add("doomv_e", "echoed_reference", 1.7, "1.7 m (the box is at 1.1 m)")
add("doomv_a", "label_numbers", 3.0, "Seen from camera 1, the armchair in image 2 is at ~3.0 m depth.")
add("doomv_b", "label_numbers", 1.8, "Frame-3 depth of the bookshelf: 1.8 m")
add(
    "doomv_c",
    "chatty_prose",
    2.6,
    "I'll reason through this step by step.\n\nThe vase (red point, second image) is given at 3.4 meters in the third "
    "camera's frame. In the third image, the cabinet is visible closer to the camera than the shelf holding the "
    "vase—it's in the foreground on the right. Based on that, I estimate the cabinet's depth at approximately **2.6 meters**.",
)
add("doomv_d", "cjk_number", 3.0, "台灯在第二张图相机坐标系下的深度大约是3米，比沙发（2.2米）更远。")
add(
    "doomv_e",
    "think_trace",
    1.4,
    "<think>box 1.1 m in cam1. chair is beside the box in image 1, a step further away, ~0.3 m more -> 1.4</think>\n\n1.4",
)
add("doomv_a", "json_answer", 2.5, '{"answer": 2.5, "unit": "m"}')
add("doomv_b", "boxed_latex", 1.8, "Therefore the depth is \\(\\boxed{1.8 \\text{ m}}\\).")
add("doomv_c", "range_uncertainty", 3.3, "3.3 m ± 0.2 m")
add(
    "doomv_d",
    "glm_box",
    4.0,
    "<think>The lamp is in the third image, at the far wall.</think><|begin_of_box|>4.0<|end_of_box|>",
)
add("doomv_e", "unit_conversion", 1.2, "120cm")
add("doomv_a", "markdown_bold", 2.9, "The armchair is at **2.9 m** depth (plant: 3.8 m).")
add("doomv_b", "context_number", 2.2, "2.2 m; for scale, the pillow on the bed is only about 0.5 m wide.")
add("doomv_c", "hedge", None, "3.0 m or 3.6 m — I can't decide which cabinet the blue point is on.")
add("doomv_d", "refusal", None, "Unable to determine the depth of the lamp from these views.")
add("doomv_e", "self_contradiction", None, "1.4 m, i.e. about 9 feet.")
add(
    "doomv_a",
    "truncated_think",
    None,
    "<think>\nLet me figure out the layout. Image 1 shows the living room from the entrance. The plant (red point, image "
    "3) is by the window at 3.8 m. The armchair in image 2 is next to",
)
add("doomv_b", "empty", None, "<answer></answer>")
add("doomv_c", "number_words", 3.0, "Approximately three metres")
add("doomv_d", "imperial_compound", 11 * FT + 6 * IN, "About 11 ft 6 in")
add("doomv_e", "leading_dot", 0.9, "Roughly .9 meters.")
add("doomv_a", "caveated_estimate", 3.2, "This is a rough estimate given the wide baseline between views, but ~3.2 m.")
add(
    "doomv_b",
    "markdown_structure",
    1.5,
    "**Step 1.** Locate the pillow (0.8 m).\n**Step 2.** The bookshelf is behind the bed.\n\n**Final answer:** 1.5 m",
)
add(
    "doomv_d",
    "revised_answer",
    3.5,
    "Initially I put the lamp next to the sofa at 2.2 m, but it stands in the corner behind it. Corrected estimate: 3.5 m.",
)

# ---- distance_prediction_oc ---------------------------------------------------------------------------
add("dsoc_a", "bare_number", 1.2, "1.2")
add("dsoc_b", "bare_number", 1.5, "1.5")
add("dsoc_d", "bare_number", 4.5, "4.5")
add("dsoc_c", "number_unit", 3.1, "3.1 m")
add("dsoc_e", "number_unit", 0.8, "0.8 meters.")
add("dsoc_d", "answer_phrase", 4.0, "The door is approximately 4 meters from the camera.")
add("dsoc_a", "answer_phrase", 1.2, "Distance to the bookshelf: 1.2 m.")
add("dsoc_e", "leading_dot", 0.8, ".8")
add(
    "dsoc_a",
    "chatty_prose",
    1.4,
    "The bookshelf is just to the left of the camera, and its shelves fill a large portion of the frame, which suggests "
    "it's quite close. Taking the 3D center of the bookshelf (roughly midway up its height), I'd estimate the distance "
    "to be about 1.4 meters.",
)
add(
    "dsoc_b",
    "context_number",
    1.8,
    "About 1.8 m from the camera; the camera itself looks to be mounted around 1.3 m high.",
)
add("dsoc_a", "context_number", 1.2, "1.2 m (the bookshelf is about 2 m tall)")
add("dsoc_c", "label_numbers", 3.1, "Using the 3D center of the fridge: ~3.1 m")
add("dsoc_d", "unit_conversion", 4.5, "4.5 m (450 cm)")
add("dsoc_e", "cjk_number", 0.8, "枕头距离相机约80厘米。")
add("dsoc_a", "markdown_bold", 1.2, "Distance: **1.2 m**")
add("dsoc_b", "json_answer", 1.8, '```json\n{"distance": "1.8 m"}\n```')
add(
    "dsoc_c",
    "think_trace",
    2.5,
    "<think>\nThe fridge is in the kitchen area behind the island. The island is ~1.5 m away, fridge another meter "
    "behind. So 2.5 m.\n</think>\nAnswer: 2.5",
)
add("dsoc_d", "boxed_latex", 4.5, "\\boxed{\\text{4.5 m}}")
add("dsoc_e", "glm_box", 0.6, "<|begin_of_box|>0.6 meters<|end_of_box|>")
add("dsoc_a", "range_uncertainty", 1.25, "Roughly 1.0 to 1.5 meters.")
add("dsoc_b", "imperial_compound", 5 * FT + 10 * IN, "5'10\"")
add("dsoc_c", "number_words", 3.1, "around three point one meters")
add("dsoc_d", "hedge", None, "The door is either about 3 m or 6 m away—the perspective makes it ambiguous.")
add("dsoc_e", "refusal", None, "I cannot determine the distance from the camera based on the image.")
add(
    "dsoc_a",
    "truncated_think",
    None,
    "Let me think step by step. The bookshelf is on the left side. To estimate its distance, I'll compare it with the "
    "chair in the middle, which is about",
)
add("dsoc_b", "empty", None, "Answer:")
add("dsoc_c", "self_contradiction", None, "3.1 m, roughly 20 feet.")
add("dsoc_d", "caveated_estimate", 5.0, "It's difficult to be precise, but the door looks to be about 5 m away.")
add("dsoc_e", "unit_conversion", 0.75, "750 mm")
add(
    "dsoc_a",
    "revised_answer",
    1.0,
    "I initially thought 2 m, but the bookshelf is right next to the camera. Answer: 1.0 m.",
)
add(
    "dsoc_b", "markdown_structure", 2.0, "# Distance estimate\n\n* Object: box (red point)\n* Estimated distance: 2.0 m"
)
add("dsoc_c", "answer_punctuation", 3.1, 'Answer: "3.1"')

# ---- distance_prediction_oc_mv ------------------------------------------------------------------------
add("dsocmv_a", "bare_number", 2.5, "2.5")
add("dsocmv_c", "bare_number", 2.3, "2.3")
add("dsocmv_b", "number_unit", 1.1, "1.1 m")
add("dsocmv_e", "number_unit", 1.2, "≈1.2 m")
add("dsocmv_b", "answer_phrase", 0.9, "The answer is 0.9 meters.")
add("dsocmv_e", "answer_phrase", 1.6, "It is 1.6 meters from that camera.")
add("dsocmv_c", "label_numbers", 2.3, "From camera 1, the plant (image 2) is 2.3 m away.")
add("dsocmv_d", "label_numbers", 3.0, "The TV in Image-1 is about 3.0 m from the camera of Image-3.")
add("dsocmv_e", "label_numbers", 1.6, "1.6 m from the 1st camera")
add(
    "dsocmv_a",
    "chatty_prose",
    2.0,
    "In the second image, the trash can is sitting beside the desk, roughly two desk-widths from the camera. Since a "
    "typical desk is about 1 meter wide, the trash can is approximately 2.0 meters from the camera of the second image.",
)
add(
    "dsocmv_d",
    "chatty_prose",
    3.7,
    "Camera 3 is positioned at the opposite end of the room from the TV wall. Counting the three ceiling panels between "
    "them (each roughly 1.2 m), the TV is about 3.7 m away from that camera.",
)
add("dsocmv_b", "cjk_number", 1.1, "柜子距离第二张图的相机大约1.1米")
add("dsocmv_c", "json_answer", 2.3, '{"distance_m": 2.3}')
add("dsocmv_d", "boxed_latex", 3.7, "Final Answer: \\boxed{3.7}")
add(
    "dsocmv_e",
    "think_trace",
    1.9,
    "<think>\nChair in image 3. Camera 1 is near the door. The chair is by the table which in image 1 is center-frame, "
    "~2 m. Chair is on the near side: ~1.9.\n</think>\n\nThe chair is about 1.9 m from the first camera.",
)
add("dsocmv_a", "glm_box", 2.5, "The distance is <|begin_of_box|>2.5<|end_of_box|> meters.")
add("dsocmv_b", "range_uncertainty", 1.0, "0.8-1.2 m")
add("dsocmv_c", "number_words", 2.0, "two meters")
add("dsocmv_d", "unit_conversion", 4.2, "4 meters 20 centimeters")
add("dsocmv_e", "imperial_compound", 5 * FT + 6 * IN, "roughly 5 ft 6 in")
add("dsocmv_a", "context_number", 2.5, "2.5 m. The first camera is closer, around 1.5 m from the trash can.")
add("dsocmv_b", "hedge", None, "1.1 m or 2.2 m")
add("dsocmv_c", "refusal", None, "The plant isn't visible from the first camera, so its distance can't be determined.")
add(
    "dsocmv_d",
    "truncated_think",
    None,
    "<think>Hmm, the TV is mounted on the wall in the first image. Camera 3 looks at the room from the opposite corner, "
    "so the TV should be roughly",
)
add("dsocmv_e", "empty", None, "  \n  ")
add("dsocmv_a", "markdown_bold", 3.0, "**~3 m**")
add("dsocmv_c", "leading_dot", 0.5, "about .5 m")
add("dsocmv_d", "self_contradiction", None, "3.7 m (just over 1 meter).")
add("dsocmv_e", "caveated_estimate", 1.6, "I'm not certain about the scale across views, but about 1.6 m.")
add(
    "dsocmv_a", "revised_answer", 2.8, "Image 2 suggests ~2 m, but correcting for the wide-angle lens I'd answer 2.8 m."
)
add("dsocmv_b", "markdown_structure", 1.1, "## Result\n| object | distance |\n|---|---|\n| cabinet | 1.1 m |")

# ---- distance_prediction_oo ---------------------------------------------------------------------------
add("dsoo_a", "bare_number", 1.2, "1.2")
add("dsoo_c", "bare_number", 0.6, "0.6")
add("dsoo_e", "bare_number", 1.3, "1.3")
add("dsoo_b", "number_unit", 2.0, "2 m")
add("dsoo_c", "number_unit", 0.4, "0.4 meters")
add("dsoo_d", "answer_phrase", 3.4, "The distance between the sofa and the TV is 3.4 m.")
add("dsoo_e", "answer_phrase", 1.1, "Answer: 1.1m")
add("dsoo_b", "answer_phrase", 2.6, "They are about 2.6 meters apart.")
add(
    "dsoo_a",
    "chatty_prose",
    1.0,
    "The two chairs are on opposite sides of a small round table. A table like that is typically 80–90 cm in "
    "diameter, so the centers of the chairs are about 1.0 m apart.",
)
add(
    "dsoo_d",
    "chatty_prose",
    4.0,
    "Measuring from the middle of the sofa to the center of the TV screen on the opposite wall, the distance is roughly 4 meters.",
)
add("dsoo_b", "context_number", 2.0, "2.0 m; the armchair itself is about 0.8 m wide.")
add(
    "dsoo_e",
    "context_number",
    1.1,
    "The nightstand is 1.1 m from the bed's center; the bed is 2 m long and 1.6 m wide.",
)
add("dsoo_c", "unit_conversion", 0.6, "About 60 cm apart.")
add("dsoo_d", "cjk_number", 3.5, "沙发与电视之间的距离约为3.5米。")
add("dsoo_e", "json_answer", 1.1, '{"answer": "1.1"}')
add(
    "dsoo_a",
    "think_trace",
    1.5,
    "<think>\nTwo chairs at the dining table, one at each end. The table is about 1.5 m long, so the chairs are roughly "
    "1.5 m apart center to center... maybe slightly more with the chairs pulled out.\n</think>\n1.5 m",
)
add("dsoo_b", "boxed_latex", 2.0, "$\\boxed{2 \\text{ m}}$")
add("dsoo_c", "glm_box", 0.6, "<|begin_of_box|>0.6 m apart<|end_of_box|>")
add("dsoo_d", "range_uncertainty", 3.0, "About 2.5 to 3.5 m")
add("dsoo_e", "number_words", 0.5, "half a meter")
add("dsoo_a", "imperial_compound", 3 * FT + 2 * IN, "3 ft 2 in")
add("dsoo_b", "markdown_bold", 2.4, "**2.4 m**")
add("dsoo_c", "leading_dot", 0.6, "≈ .6 m apart")
add("dsoo_d", "label_numbers", 3.4, "Sofa→TV: 3.4 m (3D center to 3D center)")
add("dsoo_e", "hedge", None, "Somewhere around 1 m, maybe 2 m—I can't tell.")
add("dsoo_a", "refusal", None, "There isn't enough depth information in a single image to compute this distance.")
add(
    "dsoo_b",
    "truncated_think",
    None,
    "<think>\nThe box is on the floor near the window and the armchair is in the corner. I need the 3D distance. The "
    "box's center is at roughly",
)
add("dsoo_c", "empty", None, "\\boxed{}")
add("dsoo_d", "self_contradiction", None, "3.4 m, i.e. about 34 cm.")
add("dsoo_e", "caveated_estimate", 1.2, "Rough guess: 1.2 m.")
add(
    "dsoo_a", "revised_answer", 1.2, "2.0 m... actually no, the chairs face each other across a narrow table, so 1.2 m."
)
add(
    "dsoo_b",
    "markdown_structure",
    1.6,
    "### Reasoning\n1. The box is by the door.\n2. The armchair is about two floor tiles away.\n\n### Answer\n1.6 m",
)

# ---- distance_prediction_oo_mv ------------------------------------------------------------------------
add("dsoomv_a", "bare_number", 1.0, "1.0")
add("dsoomv_c", "bare_number", 2.5, "2.5")
add("dsoomv_d", "bare_number", 0.5, "0.5")
add("dsoomv_b", "number_unit", 3.3, "3.3 meters")
add("dsoomv_d", "number_unit", 0.5, "0.5 m")
add("dsoomv_c", "answer_phrase", 2.0, "Answer: 2.0 m")
add("dsoomv_e", "answer_phrase", 2.1, "The distance is 2.1 meters.")
add("dsoomv_e", "label_numbers", 1.7, "The desk (image 2) and the lamp (image 3) are about 1.7 m apart.")
add("dsoomv_a", "label_numbers", 1.3, "Across views 2 and 3 the armchair-to-bookshelf distance is ~1.3 m")
add("dsoomv_b", "label_numbers", 3.3, "Distance in 3D: 3.3 m")
add(
    "dsoomv_c",
    "chatty_prose",
    2.2,
    "Okay, let's break this down. The monitor appears in the third image on a desk, and the trash can appears in the "
    "second image next to a filing cabinet. Matching the filing cabinet across the images, the trash can sits just to "
    "the right of the desk. The distance between the two objects is therefore about 2.2 meters.",
)
add("dsoomv_d", "cjk_number", 0.5, "水槽和毛巾的距离大约是50厘米。")
add(
    "dsoomv_e",
    "json_answer",
    1.9,
    '```json\n{"reasoning": "desk in image 2 is 1 m wide; lamp in image 3 stands beside the desk", "distance": 1.9}\n```',
)
add(
    "dsoomv_a",
    "think_trace",
    0.8,
    "<think>\nArmchair (image 3) and bookshelf (image 2). In image 2 the armchair edge is visible next to the shelf, so "
    "they are close, about 0.8 m.\n</think>\nAbout 0.8 m.",
)
add("dsoomv_b", "boxed_latex", 3.5, "\\[\n\\boxed{3.5\\ \\mathrm{m}}\n\\]")
add("dsoomv_c", "glm_box", 2.2, "<|begin_of_box|>2.2m<|end_of_box|>")
add("dsoomv_d", "range_uncertainty", 0.5, "roughly 0.5 m, give or take 10 cm")
add("dsoomv_e", "number_words", 1.5, "one and a half meters")
add("dsoomv_a", "unit_conversion", 0.95, "95 cm")
add("dsoomv_b", "imperial_compound", 10 * FT, "10 feet")
add("dsoomv_c", "markdown_bold", 2.2, "The distance is **2.2 meters**.")
add("dsoomv_d", "context_number", 0.5, "0.5 m. The sink is 0.9 m high and the towel hangs 1.2 m above the floor.")
add("dsoomv_e", "context_number", 1.7, "1.7 m (for scale, the desk chair between them is about 0.5 m wide)")
add("dsoomv_e", "hedge", None, "1.2 m, or perhaps 2.4 m if the lamp is the one by the window.")
add("dsoomv_a", "refusal", None, "Sorry, I can't estimate real-world distances from these images.")
add(
    "dsoomv_b",
    "truncated_think",
    None,
    "<think>\nOK the chair in image 2 is beside the dining table. The box in image 3 is on the shelf. I need to connect "
    "the two views using the shelf that appears in both. In image 2 the shelf",
)
add("dsoomv_c", "empty", None, "\n\n")
add("dsoomv_d", "self_contradiction", None, "About 0.5 m (roughly 5 feet).")
add(
    "dsoomv_e",
    "caveated_estimate",
    1.7,
    "Matching objects across views is uncertain here, but my best estimate is 1.7 m.",
)
add(
    "dsoomv_a",
    "revised_answer",
    1.0,
    "First guess 1.5 m; after matching the rug edge in both views, I'd revise to 1.0 m.",
)
add(
    "dsoomv_b",
    "markdown_structure",
    3.0,
    "**Objects**\n- Chair (image 2)\n- Box (image 3)\n\n**Estimated distance:** 3.0 m",
)

# ---- position_matching --------------------------------------------------------------------------------
add("pm_b", "bare_letter", "C", "C")
add("pm_b", "bare_letter", "A", "A")
add("pm_c", "bare_letter", "B", "B.")
add("pm_d", "bare_letter", "A", "a")
add("pm_d", "answer_phrase", "A", "The answer is A.")
add("pm_c", "answer_phrase", "B", "Option B")
add("pm_b", "answer_phrase", "B", "The matching box is B.")
add("pm_a", "letter_option_text", "C", "C. [134, 600, 331, 767]")
add("pm_b", "option_text_only", "D", "[697, 708, 819, 900]")
add("pm_c", "option_text_only", "D", "The chair is inside the box [0, 54, 266, 1000] in the second image.")
add(
    "pm_d",
    "chatty_prose",
    "A",
    "The lamp in the first image is a tall floor lamp near the window. In the second image, the only box that covers a "
    "narrow, tall object near the top-left region is [312, 88, 401, 290], which matches the lamp's shape. So the answer is A.",
)
add("pm_a", "markdown_bold", "B", "**Answer:** B")
add("pm_a", "json_answer", "D", '{"answer": "D"}')
add(
    "pm_c",
    "think_trace",
    "B",
    "<think>\nThe chair in image 1 is a wide office chair on the right side. In image 2, box A is in the middle, box B "
    "spans x 747-1000 on the right. That matches.\n</think>\nB",
)
add("pm_d", "glm_box", "C", "<|begin_of_box|>C<|end_of_box|>")
add("pm_c", "boxed_latex", "C", "$\\boxed{\\text{C}}$")
add("pm_b", "letter_explanation", "D", "D. Box A is far too large and box C only covers the edge of the desk.")
add("pm_c", "cjk_letter", "A", "答案：A")
add("pm_d", "hedge", None, "It's either A or D — both boxes contain a lamp-like object.")
add(
    "pm_a",
    "list_all_options",
    None,
    "A. [719, 579, 838, 767]\nB. [522, 508, 650, 629]\nC. [134, 600, 331, 767]\nD. [234, 475, 372, 558]",
)
add("pm_b", "refusal", None, "I cannot determine which box contains the trash can.")
add("pm_c", "invalid_letter", None, "E")
add("pm_d", "empty", None, "")
add("pm_a", "self_contradiction", None, "B — the box [134, 600, 331, 767]")
add("pm_b", "answer_punctuation", "C", "(C)")
add(
    "pm_c",
    "markdown_structure",
    "B",
    "### Matching\n- Box A: a table\n- Box B: the chair, seen from the side\n- Box C: a window\n- Box D: a door\n\n### Answer\n**B**",
)
add(
    "pm_d",
    "truncated_think",
    None,
    "<think>\nThe lamp is marked in image 1 at the top left. In image 2 the camera has moved to the right, so the lamp "
    "should appear further left. Box A is at x=312",
)
add("pm_a", "none_of_options", None, "None of the boxes contains the towel; it is not visible in the second image.")
add("pm_b", "revised_answer", "D", "A? No, A is the desk. The trash can is in D.")

# ---- camera_motion_infer ------------------------------------------------------------------------------
add("cm_b", "bare_letter", "D", "D")
add("cm_b", "bare_letter", "B", "B")
add("cm_c", "bare_letter", "A", "A\n")
add("cm_d", "answer_phrase", "C", "Answer:C")
add("cm_c", "answer_phrase", "A", "The correct option is A.")
add("cm_b", "answer_phrase", "C", "It's C.")
add("cm_a", "letter_option_text", "D", "D. [689, 672]")
add("cm_b", "option_text_only", "C", "[578, 873]")
add("cm_c", "option_text_only", "B", "The point at (192, 586).")
add(
    "cm_d",
    "chatty_prose",
    "B",
    "The second camera appears to be positioned further into the room and to the left, near the sofa. Projecting its "
    "floor position into the first image lands near the bottom-left, closest to point B at [300, 910].",
)
add("cm_c", "markdown_bold", "D", "The answer is **(D)**.")
add(
    "cm_b",
    "json_answer",
    "C",
    '```json\n{"answer": "C", "reason": "the second camera stands near the bottom center of image 1"}\n```',
)
add(
    "cm_c",
    "think_trace",
    "C",
    "<think>\nImage 2 is taken from the doorway on the right side of image 1. The floor below it would be around x=750, "
    "y=580 in image 1, which is point C.\n</think>\n\nThe answer is C.",
)
add("cm_a", "glm_box", "B", "Answer: <|begin_of_box|>B<|end_of_box|>")
add("cm_a", "boxed_latex", "A", "\\boxed{A}")
add(
    "cm_b",
    "letter_explanation",
    "C",
    "C because the second camera was standing close to the first camera's foreground, and A and B are both too far up in the frame.",
)
add(
    "cm_c",
    "letter_explanation",
    "A",
    "A. Camera 2 is standing near the lower-left of image 1, right where point A is; point D is too far right.",
)
add("cm_c", "cjk_letter", "A", "选项A")
add("cm_d", "hedge", None, "B or D. Both points are near the bottom-left corner.")
add("cm_a", "list_all_options", None, "The options are A, B, C and D.")
add("cm_b", "refusal", None, "I'm unable to infer the camera position from these images.")
add("cm_c", "invalid_letter", None, "Answer: F")
add("cm_d", "empty", None, " ")
add("cm_a", "self_contradiction", None, "The closest point is C, located at [689, 672].")
add("cm_d", "answer_punctuation", "C", "Answer - C")
add(
    "cm_d",
    "truncated_think",
    None,
    "<think>\nLet me compare the two images. In image 2 the bookshelf appears on the left and much larger, meaning camera "
    "2 is closer to the bookshelf. The bookshelf in image 1 is at around",
)
add("cm_a", "none_of_options", None, "None of the four points is under the second camera.")
add(
    "cm_b",
    "revised_answer",
    "B",
    "D looks plausible at first, but camera 2's view of the window means it stood further right: B.",
)
add(
    "cm_d",
    "markdown_structure",
    "B",
    "**Analysis**\n\n1. Camera 2 sees the kitchen island head-on.\n2. That places it near the bottom of image 1.\n\n**Answer: B**",
)

# ---- distance_infer_center_oo -------------------------------------------------------------------------
add("dic_b", "bare_letter", "D", "D")
add("dic_b", "bare_letter", "C", "C.")
add("dic_c", "bare_letter", "C", "C")
add("dic_d", "bare_letter", "A", "A")
add("dic_c", "answer_phrase", "C", "I choose C.")
add("dic_b", "answer_phrase", "A", "The answer is (A).")
add("dic_a", "letter_option_text", "C", "C. yellow point (plant)")
add("dic_b", "option_text_only", "B", "green point (armchair)")
add("dic_c", "option_text_only", "D", "The purple point (armchair) is closest to the plant.")
add("dic_d", "option_text_only", "B", "The blue point is farther.")
add(
    "dic_a",
    "chatty_prose",
    "D",
    "The lamp (red point) stands near the left wall. The armchair and vase are clustered close to it, and the yellow "
    "plant is in the middle of the room, while the purple plant sits by the far window. The purple point is therefore "
    "the farthest from the lamp, so the answer is D.",
)
add("dic_b", "markdown_bold", "B", "**B. green point (armchair)**")
add("dic_c", "json_answer", "A", '{"choice": "A"}')
add(
    "dic_d",
    "think_trace",
    "A",
    "<think>\nTrash can at the right. Green towel hangs at the far left, blue towel is next to the sink near the trash "
    "can. So green is farther.\n</think>\nA",
)
add("dic_a", "glm_box", "D", "<|begin_of_box|>D. purple point (plant)<|end_of_box|>")
add("dic_c", "boxed_latex", "B", "\\boxed{\\textbf{B}}")
add(
    "dic_c",
    "letter_explanation",
    "C",
    "Answer: C\nExplanation: option A would be correct only if the blue plant were on the same shelf, but it is across the room.",
)
add("dic_d", "letter_explanation", "A", "A is the correct answer; B hangs right beside the trash can.")
add("dic_d", "invalid_letter", None, "C")
add("dic_a", "cjk_letter", "A", "答案是A。")
add("dic_b", "hedge", None, "A or D — both nightstands look equally far.")
add(
    "dic_c",
    "list_all_options",
    None,
    "A. blue point (plant) B. green point (box) C. yellow point (bookshelf) D. purple point (armchair)",
)
add("dic_d", "refusal", None, "I can't tell which towel is farther from the trash can.")
add("dic_a", "none_of_options", None, "None of the above.")
add("dic_b", "self_contradiction", None, "The farthest object is the yellow point (box), so the answer is B.")
add(
    "dic_c",
    "truncated_think",
    None,
    "<think>\nThe red point is the plant on the windowsill. Nearby is the bookshelf (yellow). The box (green) is on the "
    "floor, maybe 1 m away. The bookshelf is",
)
add("dic_d", "empty", None, "<|begin_of_box|><|end_of_box|>")
add("dic_c", "answer_punctuation", "D", "【D】")
add(
    "dic_b",
    "revised_answer",
    "B",
    "At first I'd say D, but the purple nightstand is actually next to the bookshelf; the armchair is farthest. Final answer: B.",
)

# ---- distance_infer_center_oo_mv ----------------------------------------------------------------------
add("dicmv_b", "bare_letter", "A", "A")
add("dicmv_b", "bare_letter", "D", "d")
add("dicmv_c", "bare_letter", "B", "B")
add("dicmv_d", "answer_phrase", "B", "The answer is B")
add("dicmv_b", "answer_phrase", "D", "My answer: D")
add("dicmv_a", "answer_phrase", "C", "Answer: C.")
add("dicmv_a", "letter_option_text", "A", "A. blue point (plant)")
add("dicmv_b", "option_text_only", "D", "purple point (trash can)")
add("dicmv_c", "option_text_only", "C", "The towel (yellow point in the second image).")
add("dicmv_d", "option_text_only", "D", "the rug")
add(
    "dicmv_a",
    "chatty_prose",
    "B",
    "In the second image, the box marked with the red point sits on the floor beside a floor lamp. The plant is across "
    "the room, and the armchair and the purple box are much farther away in the other views. Therefore the closest "
    "object is the lamp — option B.",
)
add("dicmv_c", "markdown_bold", "D", "__D__")
add(
    "dicmv_c",
    "json_answer",
    "C",
    '```json\n{\n  "answer": "C",\n  "explanation": "The towel hangs in the bathroom, while all three cabinets are in the kitchen next to the box."\n}\n```',
)
add(
    "dicmv_d",
    "think_trace",
    "B",
    "<think>The sofa is in image 1. The TV is on the opposite wall in image 3, the chair is right next to the sofa, the "
    "lamp and rug are in between. TV is farthest.</think>\n\n**B**",
)
add("dicmv_d", "glm_box", "A", "<|begin_of_box|>A<|end_of_box|>")
add("dicmv_b", "boxed_latex", "C", "\\boxed{\\text{C. yellow point (bookshelf)}}")
add(
    "dicmv_c",
    "letter_explanation",
    "C",
    "C — unlike A, B and D, which are all cabinets in the kitchen near the box, the towel is in the bathroom.",
)
add("dicmv_d", "cjk_letter", "B", "正确答案：B（绿色点，电视）")
add("dicmv_a", "hedge", None, "I'm torn between A and D.")
add(
    "dicmv_b",
    "list_all_options",
    None,
    "- A: blue point (sofa)\n- B: green point (plant)\n- C: yellow point (bookshelf)\n- D: purple point (trash can)",
)
add(
    "dicmv_c",
    "none_of_options",
    None,
    "None of the options is farther than the others; they are all about equally distant.",
)
add("dicmv_d", "refusal", None, "The images do not provide enough information to determine this.")
add("dicmv_a", "invalid_letter", None, "The answer is E.")
add("dicmv_b", "self_contradiction", None, "D. blue point (sofa)")
add(
    "dicmv_c",
    "truncated_think",
    None,
    "<think>\nThe box (red point, image 1) is in the kitchen. Three cabinets are marked: blue and green in image 3, "
    "purple in image 1. The towel",
)
add("dicmv_d", "empty", None, "\t")
add("dicmv_c", "answer_punctuation", "A", "Answer: 'A'")
add(
    "dicmv_c",
    "revised_answer",
    "C",
    "B... no wait, the green cabinet is in the same kitchen as the box. The farthest is C.",
)
add("dicmv_a", "markdown_structure", "B", "## Final Answer\nB")

# ---- obj_spatial_relation_oc_mv -----------------------------------------------------------------------
add("orocmv_b", "bare_letter", "A", "A")
add("orocmv_b", "bare_letter", "C", "C")
add("orocmv_c", "bare_letter", "B", "B.")
add("orocmv_d", "answer_phrase", "C", "Answer: C")
add("orocmv_d", "answer_phrase", "D", "Final answer: D")
add("orocmv_c", "answer_phrase", "D", "The correct answer is D.")
add("orocmv_a", "letter_option_text", "A", "A. left, below, front")
add("orocmv_b", "option_text_only", "D", "left, below, front")
add("orocmv_c", "option_text_only", "C", "The plant is to the right, below, and behind the camera.")
add("orocmv_d", "option_text_only", "C", "left, , front")
add(
    "orocmv_a",
    "chatty_prose",
    "A",
    "From the first camera's perspective, the chair seen in the second image is located toward the left side of the "
    "room, lower than the camera's height, and in front of the camera. This corresponds to option A.",
)
add("orocmv_b", "markdown_bold", "D", "**D. left, below, front**")
add("orocmv_c", "json_answer", "B", '{"horizontal": "right", "vertical": "below", "depth": "front", "answer": "B"}')
add(
    "orocmv_d",
    "think_trace",
    "A",
    "<think>\nCamera 2 looks at the lamp from the side. Relative to camera 1 the lamp is on the left, and it's a tall "
    "floor lamp whose center is probably above camera height. Is it in front? Camera 1 faces away from the lamp, so "
    "behind.\n</think>\nA",
)
add("orocmv_a", "glm_box", "C", "<|begin_of_box|>C<|end_of_box|>")
add("orocmv_a", "boxed_latex", "D", "The correct choice is $\\boxed{D}$.")
add(
    "orocmv_c",
    "letter_explanation",
    "B",
    "B. Option C would require the plant to be behind the camera, but it is clearly visible ahead of it.",
)
add("orocmv_d", "cjk_letter", "C", "正确选项是 C。")
add(
    "orocmv_a", "hedge", None, "Either A or D. The chair is below and in front, but its horizontal position is unclear."
)
add(
    "orocmv_b",
    "list_all_options",
    None,
    "A. right, below, behind\nB. right, , front\nC. left, , front\nD. left, below, front",
)
add("orocmv_c", "none_of_options", None, "None of these options describe the position correctly.")
add(
    "orocmv_d", "refusal", None, "I can't determine the relative position of the lamp with respect to the first camera."
)
add("orocmv_a", "invalid_letter", None, "G")
add("orocmv_b", "self_contradiction", None, "Option C: left, below, front")
add(
    "orocmv_c",
    "truncated_think",
    None,
    "<think>\nFirst, find the plant in image 2: it's on the right side, on the floor. Now relate it to camera 1's frame. Camera 1 faces the",
)
add("orocmv_d", "empty", None, "```json\n{}\n```")
add("orocmv_d", "answer_punctuation", "A", "A)")
add(
    "orocmv_b",
    "revised_answer",
    "D",
    "Initially C, but the chair's seat is clearly below camera height, so the answer is D.",
)
add(
    "orocmv_c",
    "markdown_structure",
    "B",
    "- **Horizontal:** right\n- **Vertical:** below\n- **Depth:** front\n\n**Answer: B**",
)

# ---- obj_spatial_relation_oo --------------------------------------------------------------------------
add("oroo_b", "bare_letter", "D", "D")
add("oroo_b", "bare_letter", "B", "b")
add("oroo_c", "bare_letter", "A", "A.")
add("oroo_d", "answer_phrase", "B", "That makes the answer B.")
add("oroo_a", "answer_phrase", "C", "ANSWER: C")
add("oroo_c", "answer_phrase", "A", "The right option is A.")
add("oroo_a", "letter_option_text", "D", "D. left, , closer")
add("oroo_d", "letter_option_text", "B", "B) left, , closer")
add("oroo_b", "option_text_only", "C", "The blue point is left, , farther")
add("oroo_c", "option_text_only", "B", "Below and closer, with no clear horizontal offset.")
add("oroo_d", "option_text_only", "D", "right, , farther")
add(
    "oroo_a",
    "chatty_prose",
    "D",
    "Looking at the image, the table (blue point) is positioned to the left of the chair (red point). Vertically, "
    "they're at roughly the same height, and the table is slightly closer to the camera. So the relationship is: left, "
    "(no clear vertical relation), closer — option D.",
)
add("oroo_a", "markdown_bold", "C", "The answer is **C**.")
add("oroo_d", "json_answer", "A", '{"answer":"A"}')
add(
    "oroo_d",
    "think_trace",
    "B",
    "<think>\nTowel hangs on a hook to the left of the sink, at about the same height. It's nearer to the camera than "
    "the basin. So left, , closer = B.\n</think>\n\nB",
)
add("oroo_a", "glm_box", "A", "<|begin_of_box|>A<|end_of_box|>")
add("oroo_b", "boxed_latex", "C", "\\boxed{\\text{C. left, , farther}}")
add(
    "oroo_c",
    "letter_explanation",
    "A",
    "A. Option C would place the nightstand on the left, but it's on the right of the desk.",
)
add("oroo_d", "cjk_letter", "B", "B。")
add("oroo_a", "hedge", None, "C or D — I can't tell whether the table is above the chair.")
add(
    "oroo_b",
    "list_all_options",
    None,
    "A. , above, closer B. left, below, farther C. left, , farther D. right, below, closer",
)
add("oroo_c", "none_of_options", None, "None of the options apply.")
add("oroo_d", "refusal", None, "Sorry, I can't help with that.")
add("oroo_a", "invalid_letter", None, "Answer: E")
add("oroo_b", "self_contradiction", None, "**B. left, , farther**")
add(
    "oroo_c",
    "truncated_think",
    None,
    "<think>\nThe desk (red point) is in the center. The nightstand (blue) is to the right",
)
add("oroo_d", "empty", None, "")
add("oroo_c", "answer_punctuation", "D", "Answer：D")
add("oroo_b", "revised_answer", "C", "Wait—B can't be right, since the cabinet is not below the chair. C.")
add(
    "oroo_c",
    "markdown_structure",
    "C",
    "### Analysis\n* Horizontal: left\n* Vertical: none\n* Depth: closer\n\n### Answer\nC",
)

# ---- obj_spatial_relation_oo_mv -----------------------------------------------------------------------
add("oroomv_c", "bare_letter", "A", "A")
add("oroomv_b", "bare_letter", "D", "D")
add("oroomv_c", "bare_letter", "B", " B")
add("oroomv_d", "answer_phrase", "D", "Correct answer: D")
add("oroomv_d", "answer_phrase", "D", "Option D.")
add("oroomv_c", "answer_phrase", "A", "I'd go with A.")
add("oroomv_a", "letter_option_text", "C", "C. right, above, farther")
add("oroomv_b", "option_text_only", "C", "right, above, closer")
add("oroomv_c", "option_text_only", "B", "Left, , closer.")
add("oroomv_d", "option_text_only", "A", "The pillow is left, above and farther.")
add(
    "oroomv_a",
    "chatty_prose",
    "A",
    "Let me work through the spatial relationship.\n\nIn the first image, the box sits on the floor to the left of the "
    "sofa, while the lamp (seen in the third image) stands on a side table on the right. From the first camera's "
    "viewpoint, the box is therefore to the left of the lamp, lower than it, and nearer to the camera.\n\nThe answer is "
    "**A. left, below, closer**.",
)
add("oroomv_d", "markdown_bold", "C", "**Answer: C**")
add("oroomv_a", "json_answer", "B", '```json\n{"option": "B"}\n```')
add(
    "oroomv_d",
    "think_trace",
    "D",
    "<think>\nPillow from image 1, bed from image 2. In camera 2's view the pillow lies at the left end of the bed, and "
    "its center is lower than the bed's center because it has fallen to the floor. It's nearer to the camera. So left, "
    "below, closer. That's D.\n</think>\nD",
)
add("oroomv_a", "glm_box", "A", "<|begin_of_box|>A. left, below, closer<|end_of_box|>")
add("oroomv_b", "boxed_latex", "B", "\\boxed{B}")
add(
    "oroomv_c",
    "letter_explanation",
    "B",
    "B is correct: the box in image 3 is left of the other box and nearer; A would require it to be on the right.",
)
add("oroomv_d", "cjk_letter", "D", "我选择D，因为枕头在床的左下方，而且更靠近相机。")
add("oroomv_a", "hedge", None, "Between A and B, I can't decide.")
add(
    "oroomv_b",
    "list_all_options",
    None,
    "A) right, , farther\nB) , below, closer\nC) right, above, closer\nD) , above, closer",
)
add("oroomv_c", "refusal", None, "I am not able to see the boxes clearly enough to answer.")
add("oroomv_d", "none_of_options", None, "None — the pillow is directly above the bed, not to the left or right.")
add("oroomv_a", "invalid_letter", None, "(E)")
add("oroomv_b", "self_contradiction", None, "The lamp is right, above and closer, which is option D.")
add(
    "oroomv_c",
    "truncated_think",
    None,
    "<think>\nTwo boxes: red in image 2, blue in image 3. I need to find a common landmark. The red box is on the bottom "
    "shelf of the bookcase; image 3 shows the same bookcase from",
)
add("oroomv_d", "empty", None, "**Answer:**")
add("oroomv_b", "answer_punctuation", "A", "[A]")
add(
    "oroomv_b",
    "revised_answer",
    "C",
    "At first glance D, but the lamp is clearly to the right as well, so my final answer is C.",
)
add(
    "oroomv_c",
    "markdown_structure",
    "B",
    "**Reasoning**\n- The blue box is left of the red box.\n- No clear vertical difference.\n- The blue box is nearer to "
    "camera 1.\n\n**Answer:** B",
)

# ---- spatial_imagination_oc ---------------------------------------------------------------------------
add("sioc_b", "bare_letter", "D", "D")
add("sioc_b", "bare_letter", "C", "C")
add("sioc_c", "bare_letter", "D", "D.")
add("sioc_d", "answer_phrase", "A", "The answer is A")
add("sioc_d", "answer_phrase", "C", "Final answer is C")
add("sioc_b", "answer_phrase", "B", "B would be my answer.")
add("sioc_a", "letter_option_text", "D", "D. front-right")
add("sioc_b", "option_text_only", "D", "Back.")
add("sioc_c", "option_text_only", "B", "It would be on the right.")
add("sioc_d", "option_text_only", "B", "front-left")
add(
    "sioc_a",
    "chatty_prose",
    "D",
    "If the camera turns 90° to the left, what was previously on its right is now in front of it. The armchair was on "
    "the right side of the original view, slightly ahead; after turning and moving 0.6 m forward, it ends up ahead and "
    "to the right. So the armchair would be front-right of the camera — option D.",
)
add("sioc_b", "markdown_bold", "C", "**C. left**")
add("sioc_c", "json_answer", "B", '{"answer": "B", "direction": "right"}')
add(
    "sioc_d",
    "think_trace",
    "C",
    "<think>\nAfter turning 180 degrees the sofa, which is visible ahead in the image, ends up behind the camera. Then "
    "moving 1.0 m forward moves away from it. So it's behind, a bit to the right: back-right.\n</think>\nC",
)
add("sioc_c", "glm_box", "D", "<|begin_of_box|>D. back-left<|end_of_box|>")
add("sioc_d", "boxed_latex", "C", "$\\boxed{\\mathrm{C}}$")
add(
    "sioc_c",
    "letter_explanation",
    "B",
    "B. After turning left, the cabinet that was in front of the camera ends up on its right; options C and D would "
    "only apply if it had been behind.",
)
add("sioc_d", "cjk_letter", "A", "答案为（A）")
add("sioc_a", "hedge", None, "C or D, depending on how far forward the armchair is.")
add("sioc_b", "list_all_options", None, "back-right, front, left, back")
add("sioc_c", "none_of_options", None, "None of the above — the cabinet would be directly in front.")
add("sioc_d", "refusal", None, "This cannot be determined from a single image.")
add("sioc_a", "invalid_letter", None, "H")
add("sioc_b", "self_contradiction", None, "A. left")
add(
    "sioc_c",
    "truncated_think",
    None,
    "<think>\nCamera turns 90 degrees left. Initially the cabinet is at the front-left of the camera, about",
)
add("sioc_d", "empty", None, "")
add("sioc_b", "answer_punctuation", "D", "Answer: (D)")
add("sioc_b", "revised_answer", "C", "Back? No—after a right turn the bookshelf ends up on the left. C.")
add(
    "sioc_c",
    "markdown_structure",
    "B",
    "1. Turn left 90°: the cabinet moves from front to right.\n2. Move forward 0.6 m: it stays on the right.\n\n**Answer: B**",
)

# ---- spatial_imagination_oc_mv ------------------------------------------------------------------------
add("siocmv_c", "bare_letter", "C", "C")
add("siocmv_b", "bare_letter", "B", "B")
add("siocmv_c", "bare_letter", "C", "c")
add("siocmv_d", "answer_phrase", "D", "Answer: D.")
add("siocmv_d", "answer_phrase", "A", "Option A")
add("siocmv_a", "answer_phrase", "B", "B, I think.")
add("siocmv_a", "letter_option_text", "C", "C. back-left")
add("siocmv_b", "option_text_only", "D", "left")
add("siocmv_c", "option_text_only", "A", "The vase would be back-right of the camera.")
add("siocmv_d", "option_text_only", "D", "Straight ahead (front).")
add(
    "siocmv_a",
    "chatty_prose",
    "C",
    "After the camera of the first image turns 90 degrees to the right, the armchair — which was originally on the "
    "left side of the frame — ends up behind it and to the left. Moving forward 1.4 meters only increases that "
    "separation. The armchair is therefore back-left of the camera, which is option C.",
)
add("siocmv_a", "markdown_bold", "B", "*B*")
add("siocmv_c", "json_answer", "B", '{"final_answer": "B"}')
add(
    "siocmv_d",
    "think_trace",
    "D",
    "<think>\nCamera 2 turns 45° right and moves 2 m. The desk in image 1 is far ahead and slightly right of camera 2 "
    "originally, so after turning right it's roughly straight ahead.\n</think>\n<answer>D</answer>",
)
add("siocmv_b", "glm_box", "C", "<|begin_of_box|>C<|end_of_box|>")
add("siocmv_b", "boxed_latex", "A", "$$\\boxed{\\text{A}}$$")
add(
    "siocmv_c",
    "letter_explanation",
    "A",
    "A — the vase was behind the third camera's right shoulder; D would be true only before the turn.",
)
add("siocmv_d", "cjk_letter", "D", "选D")
add("siocmv_a", "hedge", None, "It is B or C.")
add("siocmv_b", "list_all_options", None, "A. back\nB. right\nC. back-left\nD. left")
add("siocmv_c", "refusal", None, "I'm not able to answer this question based on the images provided.")
add("siocmv_d", "none_of_options", None, "None of the given directions.")
add("siocmv_a", "invalid_letter", None, "Option F")
add("siocmv_b", "self_contradiction", None, "The answer is D (right).")
add(
    "siocmv_c",
    "truncated_think",
    None,
    "<think>\nOK so the vase is in image 2 but the camera that moves is from image 3. I first need to locate the vase "
    "relative to camera 3. In image 3 the vase",
)
add("siocmv_d", "empty", None, "The answer is")
add("siocmv_d", "answer_punctuation", "C", '"C"')
add(
    "siocmv_b",
    "revised_answer",
    "B",
    "I first thought left (D), but after turning left the bookshelf ends up on the right. Final: B.",
)
add(
    "siocmv_c",
    "markdown_structure",
    "A",
    "## Step-by-step\n1. Locate the vase relative to camera 3: behind-right.\n2. Turn left 90°.\n3. Move 1.8 m forward.\n\n## Answer\nA",
)

# ---- spatial_imagination_oo ---------------------------------------------------------------------------
add("sioo_b", "bare_letter", "B", "B")
add("sioo_b", "bare_letter", "A", "A")
add("sioo_c", "bare_letter", "C", "C")
add("sioo_d", "answer_phrase", "A", "Answer: A")
add("sioo_d", "answer_phrase", "A", "The correct answer is A.")
add("sioo_c", "answer_phrase", "D", "Selected option: D")
add("sioo_a", "letter_option_text", "B", "B. front")
add("sioo_b", "option_text_only", "D", "back-left")
add("sioo_c", "option_text_only", "D", "Front.")
add("sioo_d", "option_text_only", "C", "Direction: back")
add(
    "sioo_a",
    "chatty_prose",
    "B",
    "Standing at the red trash can and looking toward the blue one, the cabinet lies roughly along the same line of "
    "sight, beyond the blue trash can. So the cabinet is in front of you — B.",
)
add("sioo_d", "markdown_bold", "D", "**Answer**: D")
add("sioo_c", "json_answer", "C", '```json\n{"answer": "C. right"}\n```')
add(
    "sioo_d",
    "think_trace",
    "A",
    "<think>\nAt the sofa facing the TV. The lamp is in the corner to the left of the sofa, level with it. So left.\n</think>\nThe answer is A.",
)
add("sioo_a", "glm_box", "D", "<|begin_of_box|>D<|end_of_box|>")
add("sioo_a", "boxed_latex", "D", "\\boxed{\\text{(D)}}")
add(
    "sioo_c",
    "letter_explanation",
    "C",
    "C. If you stand at the armchair facing the other armchair, the bookshelf is on your right; it is not in front of you as D would claim.",
)
add("sioo_d", "cjk_letter", "B", "A选项偏左，C选项在后方，所以答案是B。")
add("sioo_a", "hedge", None, "Either front (B) or back (D).")
add("sioo_b", "list_all_options", None, "A. right B. front-right C. front-left D. back-left")
add("sioo_c", "none_of_options", None, "None of them is right; the bookshelf is directly behind you.")
add("sioo_d", "refusal", None, "I cannot determine the direction from the image.")
add("sioo_a", "invalid_letter", None, "E.")
add("sioo_b", "self_contradiction", None, "front-right, so the answer is D.")
add(
    "sioo_c",
    "truncated_think",
    None,
    "<think>\nI stand at the red armchair and face the blue armchair. The bookshelf (green) is along the wall. If the blue armchair is",
)
add("sioo_d", "empty", None, " ")
add("sioo_c", "answer_punctuation", "B", "Answer => B")
add("sioo_b", "revised_answer", "D", "C is tempting, but the bookshelf is behind the box, so D.")
add(
    "sioo_c",
    "markdown_structure",
    "C",
    "**Orientation:** facing the blue armchair\n**Bookshelf position:** to the right\n\n**Answer: C**",
)

# ---- spatial_imagination_oo_mv ------------------------------------------------------------------------
add("sioomv_b", "bare_letter", "D", "D")
add("sioomv_b", "bare_letter", "A", "A")
add("sioomv_c", "bare_letter", "B", "B")
add("sioomv_d", "answer_phrase", "B", "The answer is B.")
add("sioomv_d", "answer_phrase", "D", "Final answer: D")
add("sioomv_c", "answer_phrase", "C", "My choice is C.")
add("sioomv_a", "letter_option_text", "D", "D: front-left")
add("sioomv_b", "option_text_only", "A", "On the left.")
add("sioomv_c", "option_text_only", "D", "back-right")
add("sioomv_d", "option_text_only", "B", "To your right.")
add(
    "sioomv_a",
    "chatty_prose",
    "D",
    "Here's the breakdown:\n\n*   **Your position:** at the chair in the first image.\n*   **Facing:** the chair in "
    "the third image.\n*   **Bookshelf:** visible in the second image, ahead of you and off to the left.\n\nTherefore, "
    "the bookshelf is **front-left** of you, which is option D.",
)
add("sioomv_c", "markdown_bold", "A", "**A**")
add("sioomv_c", "json_answer", "C", '{"selected_option": "C", "confidence": 0.8}')
add(
    "sioomv_d",
    "think_trace",
    "C",
    "<think>\nStanding at the bed facing the door. The desk is in image 3, near the window, which is on the left wall. "
    "So the desk is on my left.\n</think>\n\nC",
)
add(
    "sioomv_a",
    "glm_box",
    "B",
    "<think>The bookshelf is to my right when I face the chair.</think>\n<|begin_of_box|>B<|end_of_box|>",
)
add("sioomv_d", "boxed_latex", "A", "\\(\\boxed{A}\\)")
add(
    "sioomv_c",
    "letter_explanation",
    "C",
    "C. The plant is ahead of you; A, B and D all place it behind, which contradicts the layout.",
)
add("sioomv_d", "cjk_letter", "B", "答案：Ｂ")
add("sioomv_a", "hedge", None, "back-left or front-left — hard to say.")
add("sioomv_b", "list_all_options", None, "Possible answers: A (left), B (back), C (back-right), D (right).")
add("sioomv_c", "none_of_options", None, "None of the listed directions is correct.")
add("sioomv_d", "refusal", None, "I'm unable to determine the desk's direction from these images.")
add("sioomv_a", "invalid_letter", None, "Answer: (F)")
add("sioomv_b", "self_contradiction", None, "The lamp is on your left, so B.")
add(
    "sioomv_c",
    "truncated_think",
    None,
    "<think>\nRed plant in image 3, blue vase in image 1, green plant in image 2. Let me build a top-down map. Image 1: "
    "vase on the table, plant",
)
add("sioomv_d", "empty", None, "")
add("sioomv_c", "answer_punctuation", "D", "Answer is: D")
add("sioomv_b", "revised_answer", "A", "Right? No—I had the facing direction reversed. The lamp is on the left: A.")
add("sioomv_c", "markdown_structure", "C", "### Final answer\n\n- **C** (front)")

# ---- view_change_infer --------------------------------------------------------------------------------
add(
    "vc_a",
    "motion_exact",
    mv(0.4, 0.0, 2.4, 60, 5),
    "move_right:0.4,move_up:0.0,move_forward:2.4,rotate_up:5,rotate_right:60",
)
add(
    "vc_b",
    "motion_exact",
    mv(0.3, -0.1, 1.9, -28, -2),
    "move_right:0.3,move_down:0.1,move_forward:1.9,rotate_down:2,rotate_left:28",
)
add(
    "vc_c",
    "motion_exact",
    mv(-0.3, 0.0, 1.5, 20, 0),
    "move_left:0.3,move_up:0.0,move_forward:1.5,rotate_up:0,rotate_right:20",
)
add(
    "vc_d",
    "motion_exact",
    mv(0.5, -0.1, -1.0, -40, -5),
    "move_right:0.5,move_down:0.1,move_backward:1.0,rotate_down:5,rotate_left:40",
)
add(
    "vc_e",
    "motion_exact",
    mv(-1.0, 0.0, 0.8, -45, 0),
    "move_left:1.0,move_down:0.0,move_forward:0.8,rotate_up:0,rotate_left:45",
)
add(
    "vc_c",
    "motion_exact",
    mv(-0.5, 0.1, 1.2, 15, 3),
    "move_left:0.5,move_up:0.1,move_forward:1.2,rotate_up:3,rotate_right:15",
)
add(
    "vc_d",
    "motion_exact",
    mv(0.2, -0.2, -0.8, -32, -6),
    "move_right:0.2,move_down:0.2,move_backward:0.8,rotate_down:6,rotate_left:32",
)
add(
    "vc_a",
    "motion_exact",
    mv(0.0, 0.0, 3.0, 45, 0),
    "move_right:0.0,move_up:0.0,move_forward:3.0,rotate_up:0,rotate_right:45",
)
add(
    "vc_c",
    "answer_phrase",
    mv(-0.5, 0.1, 1.2, 15, 3),
    "Answer: move_left:0.5,move_up:0.1,move_forward:1.2,rotate_up:3,rotate_right:15",
)
add(
    "vc_a",
    "motion_kv_units",
    mv(0.4, 0.0, 2.4, 60, 5),
    "move_right: 0.4, move_up: 0.0, move_forward: 2.4, rotate_up: 5, rotate_right: 60",
)
add(
    "vc_b",
    "motion_kv_units",
    mv(0.3, -0.1, 1.9, -28, -2),
    "move_right: 30 cm, move_down: 10 cm, move_forward: 1.9 m, rotate_down: 2°, rotate_left: 28°",
)
add(
    "vc_c",
    "motion_kv_units",
    mv(-0.5, 0.1, 1.2, 15, 3),
    "move_left: 0.5 m\nmove_up: 0.1 m\nmove_forward: 1.2 m\nrotate_up: 3 degrees\nrotate_right: 15 degrees",
)
add(
    "vc_d",
    "motion_kv_units",
    mv(0.2, -0.2, -0.8, -deg(0.56), -deg(0.1)),
    "move_right:0.2, move_down:0.2, move_backward:0.8, rotate_down:0.1 rad, rotate_left:0.56 rad",
)
add(
    "vc_e",
    "motion_kv_units",
    mv(-1.1, 0.0, 0.6, -45, 0),
    "ROTATE_LEFT=45; MOVE_FORWARD=0.6; Move_Left=1.1; move_down=0; rotate_up=0",
)
add(
    "vc_a",
    "motion_kv_units",
    mv(0.4, 0.0, 2.4, 60, 5),
    "move_right: 400 mm, move_up: 0 mm, move_forward: 2400 mm, rotate_up: 5 deg, rotate_right: 60 deg",
)
add("vc_b", "motion_kv_units", mv(0.0, 0.0, 2.2, -30, 0), "move_forward:2.2, rotate_left:30")
add(
    "vc_c",
    "motion_kv_units",
    mv(-0.5, 0.1, 1.0, 15, 3),
    "move_right:-0.5, move_up:0.1, move_forward:1.0, rotate_up:3, rotate_right:15",
)
add(
    "vc_d",
    "motion_kv_units",
    mv(0.3, -0.2, -0.6, -30, -6),
    "move right: 0.3, move down: 0.2, move backward: 0.6, rotate down: 6, rotate left: 30",
)
add(
    "vc_e",
    "motion_kv_units",
    mv(-1.2, 0.0, 0.5, -50, 0),
    "move_left:1.2m,move_down:0m,move_forward:0.5m,rotate_up:0°,rotate_left:50°",
)
add(
    "vc_a",
    "motion_kv_units",
    mv(0.4, 0.0, 2.4, 60, 5),
    "move_right=0.4 move_up=0 move_forward=2.4 rotate_up=5 rotate_right=60",
)
add(
    "vc_b",
    "motion_kv_units",
    mv(0.3, -0.1, 1.9, -28, -2),
    "move_right:0.3;move_down:0.1;move_forward:1.9;rotate_down:2;rotate_left:28",
)
add(
    "vc_e",
    "motion_kv_units",
    mv(-1.1, 0.0, 0.6, -45, 0),
    "move_left : 1.1 , move_down : 0.0 , move_forward : 0.6 , rotate_up : 0 , rotate_left : 45",
)
add(
    "vc_a",
    "motion_kv_units",
    mv(0.4, 0.0, 2.4, deg(1.047), deg(0.087)),
    "move_right:0.4, move_up:0, move_forward:2.4, rotate_up:0.087 rad, rotate_right:1.047 rad",
)
add(
    "vc_c",
    "motion_kv_units",
    mv(-0.4, 0.1, 1.2, 60, 3),
    "move_left:0.4, move_up:0.1, move_forward:1.2, rotate_up:3, rotate_right:60 (≈1.05 rad)",
)
add(
    "vc_a",
    "motion_json",
    mv(0.4, 0.0, 2.4, 60, 5),
    '{"move_right": 0.4, "move_up": 0.0, "move_forward": 2.4, "rotate_up": 5, "rotate_right": 60}',
)
add(
    "vc_b",
    "motion_json",
    mv(0.2, -0.1, 2.0, -25, -3),
    '```json\n{\n  "move_right": 0.2,\n  "move_down": 0.1,\n  "move_forward": 2.0,\n  "rotate_down": 3,\n  "rotate_left": 25\n}\n```',
)
add(
    "vc_c",
    "motion_json",
    mv(-0.5, 0.1, 1.4, 10, 3),
    '{"move_left": "0.5 m", "move_up": "0.1 m", "move_forward": "1.4 m", "rotate_up": "3°", "rotate_right": "10°"}',
)
add(
    "vc_d",
    "motion_json",
    mv(0.2, -0.2, -0.8, -32, -6),
    '{"translation": {"right": 0.2, "up": -0.2, "forward": -0.8}, "rotation": {"right": -32, "up": -6}}',
)
add(
    "vc_e",
    "motion_json",
    mv(-1.1, 0.0, 0.6, -45, 0),
    '[{"move_left": 1.1}, {"move_down": 0.0}, {"move_forward": 0.6}, {"rotate_up": 0}, {"rotate_left": 45}]',
)
add(
    "vc_e",
    "motion_json",
    mv(-1.1, 0.0, 0.6, -45, 0),
    '{"answer": "move_left:1.1,move_down:0.0,move_forward:0.6,rotate_up:0,rotate_left:45"}',
)
add(
    "vc_b",
    "motion_json",
    mv(0.3, -0.1, 1.9, -deg(0.49), -deg(0.035)),
    '{"move_right": 0.3, "move_down": 0.1, "move_forward": 1.9, "rotate_down_rad": 0.035, "rotate_left_rad": 0.49}',
)
add(
    "vc_a",
    "motion_markdown",
    mv(0.4, 0.0, 2.4, 60, 5),
    "- **move_right**: 0.4 m\n- **move_up**: 0.0 m\n- **move_forward**: 2.4 m\n- **rotate_up**: 5°\n- **rotate_right**: 60°",
)
add(
    "vc_b",
    "motion_markdown",
    mv(0.3, -0.1, 1.5, -35, -2),
    "**Camera motion**\n\n* **Move right:** 0.3 m\n* **Move down:** 0.1 m\n* **Move forward:** 1.5 m\n* **Rotate down:** 2°\n* **Rotate left:** 35°",
)
add(
    "vc_c",
    "motion_markdown",
    mv(-0.5, 0.1, 1.2, 15, 3),
    "| component | value |\n|---|---|\n| move_left | 0.5 |\n| move_up | 0.1 |\n| move_forward | 1.2 |\n| rotate_up | 3 |\n| rotate_right | 15 |",
)
add(
    "vc_d",
    "motion_markdown",
    mv(0.2, -0.2, -0.8, -32, -6),
    "1. **move_right**: 0.2\n2. **move_down**: 0.2\n3. **move_backward**: 0.8\n4. **rotate_down**: 6\n5. **rotate_left**: 32",
)
add(
    "vc_e",
    "motion_markdown",
    mv(-0.9, 0.0, 0.6, -40, 0),
    "**move_left:** 0.9 m · **move_forward:** 0.6 m · **rotate_left:** 40°",
)
add(
    "vc_d",
    "motion_markdown",
    mv(0.2, -0.2, -0.8, -32, -6),
    "Move_Backward - 0.8 m\nMove_Right - 0.2 m\nMove_Down - 0.2 m\nRotate_Left - 32°\nRotate_Down - 6°",
)
add(
    "vc_a",
    "motion_prose",
    mv(0.4, 0.0, 2.4, 60, 5),
    "The camera moves about 0.4 m to the right and 2.4 m forward with no vertical change, while turning 60° to the "
    "right and tilting up by 5°.",
)
add(
    "vc_b",
    "motion_prose",
    mv(0.3, -0.1, 2.0, -30, -2),
    "Between the two shots the camera travels roughly 2 meters forward, drifts 0.3 m to the right and 0.1 m down, and "
    "pans left by about 30 degrees, tilting down 2 degrees.",
)
add(
    "vc_c",
    "motion_prose",
    mv(-0.5, 0.0, 1.2, 15, 0),
    "It steps half a meter to the left, moves forward about 1.2 m and pans 15 degrees right.",
)
add("vc_d", "motion_prose", mv(0.0, 0.0, -0.8, -30, 0), "The camera backs up by 0.8 m and turns left by roughly 30°.")
add(
    "vc_e",
    "motion_prose",
    mv(-1.1, 0.0, 0.6, -45, 0),
    "The camera slides about 1.1 m to the left, moves 0.6 m forward and yaws 45 degrees to the left; there is no tilt.",
)
add(
    "vc_a",
    "think_trace",
    mv(0.4, 0.0, 2.4, 60, 5),
    "<think>\nThe second image shows the window head-on, which was on the right of the first image. So the camera "
    "turned right maybe 60 degrees. It also moved forward around 2.4 m since the sofa is now much closer.\n</think>\n"
    "move_right:0.4,move_up:0.0,move_forward:2.4,rotate_up:5,rotate_right:60",
)
add(
    "vc_b",
    "think_trace",
    mv(0.0, 0.0, 1.5, -25, 0),
    "<think>The door moved from center to the right edge, so the camera panned left ~25°. Forward motion ~1.5 m.</think>\n\n"
    "move_right:0.0,move_up:0.0,move_forward:1.5,rotate_up:0,rotate_left:25",
)
add(
    "vc_c",
    "think_trace",
    mv(-0.4, 0.1, 1.0, 12, 2),
    "<think>\nFirst camera height ~1.5 m. The table in image 2 is 1 m closer... and there is a left shift of about 0.4 m.\n</think>\n"
    "move_left:0.4, move_up:0.1, move_forward:1.0, rotate_up:2, rotate_right:12",
)
add(
    "vc_c",
    "chatty_prose",
    mv(-0.6, 0.1, 1.3, 18, 4),
    "Comparing the two views, the camera shifted slightly to the left and moved forward toward the table, with a small "
    "upward tilt and a modest pan to the right. My estimate:\n\nmove_left:0.6,move_up:0.1,move_forward:1.3,rotate_up:4,rotate_right:18",
)
add(
    "vc_d",
    "chatty_prose",
    mv(0.1, -0.2, -1.0, -35, -5),
    "Here is my estimate of the camera motion from image 1 to image 2: move_right:0.1, move_down:0.2, "
    "move_backward:1.0, rotate_down:5, rotate_left:35.",
)
add(
    "vc_e",
    "boxed_latex",
    mv(-1.1, 0.0, 0.6, -45, 0),
    "\\boxed{move\\_left:1.1,move\\_down:0.0,move\\_forward:0.6,rotate\\_up:0,rotate\\_left:45}",
)
add(
    "vc_a",
    "glm_box",
    mv(0.5, 0.0, 2.0, 55, 5),
    "<|begin_of_box|>move_right:0.5,move_up:0.0,move_forward:2.0,rotate_up:5,rotate_right:55<|end_of_box|>",
)
add(
    "vc_b",
    "cjk_number",
    mv(0.3, -0.1, 1.9, -28, -2),
    "相机向右移动0.3米，向下0.1米，向前1.9米，向下旋转2度，向左旋转28度。",
)
add(
    "vc_d",
    "markdown_bold",
    mv(0.2, -0.2, -0.8, -32, -6),
    "**move_right:0.2, move_down:0.2, move_backward:0.8, rotate_down:6, rotate_left:32**",
)
add(
    "vc_d",
    "revised_answer",
    mv(0.2, -0.2, -0.8, -32, -6),
    "move_forward:0.8 ... correction: the camera moved backward, not forward.\n"
    "move_right:0.2,move_down:0.2,move_backward:0.8,rotate_down:6,rotate_left:32",
)
add(
    "vc_e",
    "markdown_structure",
    mv(-1.0, 0.0, 0.7, -45, 0),
    "### Camera motion\n\n```\nmove_left:1.0,move_down:0.0,move_forward:0.7,rotate_up:0,rotate_left:45\n```",
)
add(
    "vc_d",
    "truncated_think",
    None,
    "<think>\nComparing the two images: in the second one the bed is further away and smaller, so the camera moved "
    "backward. The lamp shifted from the left third to the",
)
add(
    "vc_c",
    "truncated_think",
    None,
    "Let me analyze the motion step by step.\n\n1. **Translation:** The table appears larger in the second image, which "
    "means the camera moved forward. The shift of the window to the right suggests",
)
add(
    "vc_e",
    "refusal",
    None,
    "I can't reliably estimate camera translation and rotation from two images without calibration.",
)
add("vc_b", "refusal", None, "Sorry, I cannot estimate the camera motion between these two images.")
add("vc_a", "empty", None, "move_right:,move_up:,move_forward:,rotate_up:,rotate_right:")
add("vc_c", "empty", None, "\n")
add(
    "vc_b",
    "hedge",
    None,
    "Either move_forward:1.9 with rotate_left:28, or move_forward:1.0 with rotate_left:60 — the images are ambiguous.",
)

# ---- more responses, across tasks ---------------------------------------------------------------------
add("doc_c", "number_unit", 3.4, "3.4 m")
add("doc_e", "answer_phrase", 0.9, "The trash can is 0.9 m deep.")
add("docmv_b", "bare_number", 1.3, "1.3")
add("docmv_d", "number_unit", 4.1, "4.1 meters")
add("doo_d", "bare_number", 2.9, "2.9")
add("doo_b", "answer_phrase", 2.1, "Answer: about 2.1 m")
add("doomv_d", "bare_number", 3.8, "3.8")
add("doomv_b", "number_unit", 1.8, "1.8 m.")
add("dsoc_c", "bare_number", 2.8, "2.8")
add("dsoc_b", "number_unit", 1.7, "Approximately 1.7 meters.")
add("dsocmv_d", "bare_number", 3.5, "3.5")
add("dsocmv_a", "answer_phrase", 2.5, "Roughly 2.5 m from the camera.")
add("dsoo_d", "number_unit", 3.0, "3.0 m")
add("dsoo_a", "bare_number", 1.4, "1.4")
add("dsoomv_b", "bare_number", 2.7, "2.7")
add("dsoomv_a", "number_unit", 1.0, "About 1 meter.")
add("pm_c", "bare_letter", "D", "D")
add("pm_d", "answer_phrase", "B", "Answer: B")
add("cm_c", "bare_letter", "C", "C.")
add("cm_d", "answer_phrase", "D", "So the answer is D.")
add("dic_c", "bare_letter", "B", "B")
add("dic_a", "answer_phrase", "A", "Answer is A.")
add("dicmv_c", "answer_phrase", "C", "The answer would be C.")
add("dicmv_d", "bare_letter", "A", "a")
add("orocmv_c", "bare_letter", "D", "D")
add("orocmv_a", "letter_option_text", "B", "B. left, , behind")
add("oroo_d", "bare_letter", "C", "C")
add("oroo_c", "letter_option_text", "D", "D. , below, farther")
add("oroomv_b", "answer_phrase", "A", "answer: a")
add("oroomv_c", "bare_letter", "B", "B")
add("sioc_c", "bare_letter", "A", "A")
add("sioc_d", "letter_option_text", "B", "B. front-left")
add("siocmv_b", "answer_phrase", "D", "The answer is: D")
add("siocmv_c", "letter_option_text", "B", "B) front-right")
add("sioo_c", "letter_option_text", "A", "A. back")
add("sioo_b", "bare_letter", "C", "C")
add("sioomv_c", "bare_letter", "A", "A")
add("sioomv_d", "letter_option_text", "C", "C. left")
add(
    "vc_b",
    "motion_exact",
    mv(0.5, 0.0, 1.2, -40, 0),
    "move_right:0.5,move_up:0.0,move_forward:1.2,rotate_up:0,rotate_left:40",
)
add(
    "vc_e",
    "motion_exact",
    mv(-0.6, 0.2, 1.5, -20, -3),
    "move_left:0.6,move_up:0.2,move_forward:1.5,rotate_down:3,rotate_left:20",
)
add("doc_a", "cjk_number", 2.4, "显示器的深度大约为 2.4 米")
add("dsoc_d", "cjk_number", 4.5, "门距离相机约4.5米左右。")
add("doo_e", "cjk_number", 2.3, "显示器深度：２．３米")
add("dsoomv_b", "cjk_number", 3.0, "椅子和箱子之间的距离约为三米。")
add("docmv_e", "cjk_number", 0.9, "深度约为90厘米")
add(
    "doo_b",
    "echoed_reference",
    1.2,
    "The bookshelf is at 1.7 m. The armchair is in front of it, so its depth is about 1.2 m.",
)
add("doomv_a", "echoed_reference", 2.9, "Reference 3.8 m → armchair ≈ 2.9 m")
add("doomv_c", "echoed_reference", 2.8, "Not 3.4 m like the vase — the cabinet is closer, about 2.8 m.")
add("doo_e", "echoed_reference", 1.9, "1.9 m (same as the desk)")
add("doomv_e", "echoed_reference", 1.5, "With the box at 1.1 meters, I estimate the chair at 1.5 meters.")
add("dsoomv_d", "leading_dot", 0.45, "They're about .45 m apart.")
add("dsoc_e", "leading_dot", 0.75, "About .75 meters")
add("docmv_e", "leading_dot", 0.9, "Depth: .9")
add("dsoc_d", "imperial_compound", 15 * FT, "roughly 15 feet")
add("dsoo_c", "imperial_compound", 2 * FT, "2 ft")
add("doc_b", "imperial_compound", 3 * FT + 4 * IN, "about 3′4″")
add("dsoomv_e", "imperial_compound", 5 * FT + 8 * IN, "5 feet 8 inches")
add("dsocmv_b", "imperial_compound", 40 * IN, "about 40 inches")
add("doc_e", "number_words", 0.7, "about seventy centimeters")
add("dsoc_b", "number_words", 1.8, "roughly one point eight meters")
add("doomv_d", "number_words", 4.0, "about four meters")
add("dsocmv_e", "number_words", 1.6, "one meter and sixty centimeters")
add("doc_d", "range_uncertainty", 1.8, "1.6 to 2.0 m")
add("dsoc_c", "range_uncertainty", 3.0, "3.0 m, uncertainty ±0.5 m")
add("dsoomv_c", "range_uncertainty", 2.25, "somewhere between 2 and 2.5 meters")
add("docmv_c", "range_uncertainty", 2.5, "2.5 m (±0.3 m)")
add(
    "vc_c",
    "motion_json",
    mv(-0.5, 0.1, 1.2, 15, 3),
    '```json\n{"move_left": 0.5, "move_up": 0.1, "move_forward": 1.2, "rotate_right": 15, "rotate_up": 3}\n```',
)
add(
    "vc_a",
    "motion_json",
    mv(0.4, 0.0, 2.4, 60, 5),
    '{"Move_Right": "40cm", "Move_Forward": "2.4m", "Rotate_Right": "60deg", "Rotate_Up": "5deg"}',
)
add(
    "vc_b",
    "motion_markdown",
    mv(0.3, -0.1, 1.9, -28, -2),
    "- move_right → 0.3\n- move_down → 0.1\n- move_forward → 1.9\n- rotate_down → 2\n- rotate_left → 28",
)
add(
    "vc_e",
    "motion_markdown",
    mv(-1.1, 0.0, 0.6, -45, 0),
    "**Translation**\n- **move_left**: 1.1 m\n- **move_forward**: 0.6 m\n\n**Rotation**\n- **rotate_left**: 45°",
)
add(
    "vc_d",
    "motion_prose",
    mv(0.2, -0.2, -1.0, -30, -5),
    "Moving from the first view to the second, the camera goes back about 1 m, a little to the right (0.2 m) and down "
    "0.2 m, turning 30 degrees to the left and pitching down 5 degrees.",
)
add(
    "vc_c",
    "motion_prose",
    mv(-0.4, 0.0, 1.5, 20, 0),
    "Mostly forward motion: roughly 1.5 m ahead and 0.4 m to the left, with a 20° turn to the right.",
)
add("doo_d", "unit_conversion", 2.9, "Roughly 290 cm.")
add("dsocmv_c", "unit_conversion", 1.8, "1 m 80 cm")
add("docmv_a", "unit_conversion", 3.2, "3200 millimeters")
add("oroo_d", "caveated_estimate", "A", "I'm not completely sure, but I'll go with A.")
add("sioc_b", "caveated_estimate", "B", "Hard to judge from one view; my best guess is B.")
add("dicmv_b", "caveated_estimate", "D", "Tough call, but probably D.")
add("oroo_b", "letter_explanation", "D", "D. Not C, because the cabinet is on the right of the chair, not the left.")
add("sioomv_a", "letter_explanation", "B", "B — A and C would put the bookshelf behind you, which doesn't match.")
add("pm_d", "letter_explanation", "B", "B, since box A is the window frame and boxes C and D are too low.")
add("siocmv_c", "letter_explanation", "D", "D is correct. B and C both ignore the turn.")
add("orocmv_b", "cjk_letter", "B", "**答案：B**")
add("dic_c", "cjk_letter", "C", "根据图像，黄色点（书架）离红色点最近，所以选 C。")
add("sioomv_a", "cjk_letter", "C", "答案是：C")
add("dsoc_e", "label_numbers", 0.8, "In frame 1 the pillow is ~0.8 m from the lens.")
add("docmv_b", "label_numbers", 1.5, "Image #1 camera → nightstand: 1.5 m")
add(
    "oroomv_c",
    "glm_box",
    "A",
    "<think>\nThe blue box looks to the right of the red one in image 3.\n</think>\n<|begin_of_box|>A<|end_of_box|>",
)
add("sioc_d", "list_all_options", None, "All four options seem possible: A, B, C, D.")
add(
    "oroo_d",
    "truncated_think",
    None,
    "<think>\nThe towel is left of the sink and closer... so B seems right, but let me double-check the vertical axis: "
    "the towel hangs at",
)

# --------------------------------------------------------------------------------------------------------


def build() -> list[dict]:
    """The corpus rows, ids in data order, grader scores computed from the readings."""
    rows = []
    for number, (key, category, reading, response) in enumerate(ENTRIES, start=1):
        task, text, answer = QUESTIONS[key]
        if task in MULTIPLE_CHOICE and reading is not None:
            assert re.fullmatch(r"[A-D]", reading), (key, reading)
            assert re.search(rf"(?:^|\s){reading}\. ", text), (key, reading)
        if task in NUMERIC and reading is not None:
            reading = float(reading)
        if task in MOTION and reading is not None:
            assert set(reading) == set(MOTION_NAMES), (key, reading)
        rows.append(
            {
                "id": f"c{number:04d}",
                "task": task,
                "question": text,
                "answer": answer,
                "response": response,
                "category": category,
                "grader_reading": reading,
                "grader_score": grader_score(task, reading, answer),
            }
        )
    return rows


def write(rows: list[dict], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def summary(rows: list[dict]) -> str:
    tasks = Counter(row["task"] for row in rows)
    categories = Counter(row["category"] for row in rows)
    letters = [row for row in rows if row["task"] in MULTIPLE_CHOICE and row["grader_reading"] is not None]
    right = sum(row["grader_score"] == 1.0 for row in letters)
    lines = [f"{len(rows)} responses, {len(categories)} categories; letter readings right {right}/{len(letters)}"]
    lines += [f"  {task:32s} {n}" for task, n in sorted(tasks.items())]
    lines += [f"  {category:32s} {n}" for category, n in sorted(categories.items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    rows = build()
    write(rows, args.out)
    print(summary(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
