import pytest

from spar_bench.grounding import score_grounding

REFERENCE = "[0.0, 0.5, 3.0, 1.0, 1.0, 1.0, 0.0]"


def test_exact_box_scores_iou_1():
    (score,) = score_grounding(["[0, 0.5, 3, 1, 1, 1, 0]"], [REFERENCE])
    assert score.iou == pytest.approx(1.0) and score.parsed == [0.0, 0.5, 3.0, 1.0, 1.0, 1.0, 0.0]


def test_half_shifted_box_scores_one_third():
    (score,) = score_grounding(["The box is [0.5, 0.5, 3.0, 1.0, 1.0, 1.0, 0.0]."], [REFERENCE])
    assert score.iou == pytest.approx(1 / 3)


def test_box_after_reasoning_is_the_stated_one():
    (score,) = score_grounding(["<think>[9, 9, 9, 1, 1, 1, 0]</think>[0, 0.5, 3, 1, 1, 1, 0]"], [REFERENCE])
    assert score.iou == pytest.approx(1.0)


def test_unreadable_box_scores_0_and_says_why():
    (score,) = score_grounding(["somewhere near the wall"], [REFERENCE])
    assert score.iou == 0.0 and score.parsed is None and "no box" in score.unparsed_reason


def test_malformed_reference_is_an_error():
    with pytest.raises(ValueError, match="reference box"):
        score_grounding(["[0, 0, 0, 1, 1, 1, 0]"], ["[1, 2]"])
