"""Prompts are the released construction, byte for byte (expected strings written out in full)."""

from spar_bench.prompts import build_prompt

QUESTION = "What is the depth of the chair (red point)?"


def test_numeric_prompt():
    assert build_prompt("depth_prediction_oc", QUESTION) == (
        "\nWhat is the depth of the chair (red point)?\nPlease answer the question using a single word or phrase."
    )


def test_numeric_prompt_for_api_models_keeps_the_released_typo():
    assert build_prompt("distance_prediction_oo_mv", QUESTION, variant="api") == (
        "\nWhat is the depth of the chair (red point)?\nDo not response anything other than a single number!"
    )


def test_multiple_choice_prompt_has_empty_middle_line():
    assert build_prompt("obj_spatial_relation_oo", "Where? A. left B. right") == (
        "\nWhere? A. left B. right\n\nAnswer with the option's letter from the given choices directly."
    )


def test_position_matching_prompt_explains_normalized_coordinates():
    assert build_prompt("position_matching", "Which box? A. [1, 2, 3, 4] B. [5, 6, 7, 8]") == (
        "\nWhich box? A. [1, 2, 3, 4] B. [5, 6, 7, 8]\n"
        "The values represent the bounding box coordinates normalized to a 0-1000 scale, "
        "with the top-left corner as the origin of the image.\n"
        "Answer with the option's letter from the given choices directly."
    )


def test_camera_motion_prompt_explains_normalized_coordinates():
    assert "normalized to a 0-1000 scale" in build_prompt("camera_motion_infer", "Q")


def test_multiple_choice_prompt_is_the_same_for_api_models():
    assert build_prompt("spatial_imagination_oc", "Q", variant="api") == build_prompt("spatial_imagination_oc", "Q")


def test_view_change_prompt_adds_no_instruction():
    assert build_prompt("view_change_infer", "How did the camera move?") == "\nHow did the camera move?\n\n"


def test_pre_prompt_comes_first():
    assert build_prompt("view_change_infer", "Q", pre_prompt="Look.") == "Look.\nQ\n\n"
