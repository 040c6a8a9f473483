"""The official protocol must reproduce the released scorer, quirks included."""

import pytest

from spar_bench.metrics.choice import official_choice_match, option_letters
from spar_bench.metrics.mra import MRA_THRESHOLDS, mean_relative_accuracy
from spar_bench.metrics.numbers import official_first_number, official_last_number
from spar_bench.metrics.view_change import official_motion_vector
from spar_bench.protocols import OfficialProtocol, get_protocol

OFFICIAL = OfficialProtocol()


def test_every_released_behaviour_case_is_reproduced(behaviour_cases):
    assert len(behaviour_cases) == 33
    mismatches = [
        (case, OFFICIAL.score(case["task"], case["prediction"], case["answer"]).score)
        for case in behaviour_cases
        if OFFICIAL.score(case["task"], case["prediction"], case["answer"]).score
        != pytest.approx(case["official_score"], abs=1e-12)
    ]
    assert mismatches == []


def test_thresholds_are_the_ten_released_values():
    assert MRA_THRESHOLDS.tolist() == pytest.approx([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95])
    assert len(MRA_THRESHOLDS) == 10


def test_mra_float_slip_scores_1_8_against_1_5_as_0_6():
    assert float(mean_relative_accuracy(1.8, 1.5)) == pytest.approx(0.6)


def test_mra_tolerance_restores_the_decimal_boundary():
    assert float(mean_relative_accuracy(1.8, 1.5, tolerance=1e-9)) == pytest.approx(0.7)


def test_mra_uses_absolute_error_when_reference_is_zero():
    assert float(mean_relative_accuracy(0.04, 0.0)) == 1.0
    assert float(mean_relative_accuracy(0.5, 0.0)) == pytest.approx(0.1)


def test_mra_is_vectorized_over_arrays():
    scores = mean_relative_accuracy([1.5, 1.6, 3.0], [1.5, 1.5, 1.5])
    assert scores.tolist() == pytest.approx([1.0, 0.9, 0.0])


def test_mra_gives_nonfinite_estimates_zero():
    assert mean_relative_accuracy([float("nan"), float("inf")], 1.0).tolist() == [0.0, 0.0]


def test_released_number_regex_drops_signs_and_stops_at_caret():
    assert official_first_number("-0.5 m") == 0.5
    assert official_first_number("10^3") == 10.0
    assert official_first_number("no number") is None


def test_single_view_numeric_takes_first_number_multi_view_takes_last():
    assert official_first_number("Given 1.6 m, the towel is 1.5 m") == 1.6
    assert official_last_number("Given 1.6 m, the towel is 1.5 m") == 1.5


def test_multi_view_numeric_without_number_reads_minus_one():
    score = OFFICIAL.score("depth_prediction_oc_mv", "no idea", "1.0")
    assert score.parsed is None and score.unparsed_reason
    assert score.score == 0.0


def test_empty_choice_response_gets_credit_as_released():
    assert official_choice_match("", "C") == 1.0


def test_first_character_match_gets_credit_as_released():
    assert official_choice_match("answer: b", "A") == 1.0
    assert official_choice_match("(B)", "B") == 0.0


def test_choice_response_is_whitespace_stripped_before_matching():
    assert OFFICIAL.score("obj_spatial_relation_oo", "  B\n", "B").score == 1.0


def test_motion_parse_is_whitespace_sensitive():
    assert official_motion_vector("move_left:0.5, move_up:1").tolist() == [-0.5, 0, 0, 0, 0]


def test_motion_parse_rejects_item_without_colon():
    assert official_motion_vector("move_left 0.5") is None


def test_motion_components_are_positive_minus_negative_keys():
    assert official_motion_vector("move_right:1,move_left:0.25,rotate_down:10").tolist() == [0.75, 0, 0, 0, -10]


def test_official_view_change_divides_by_the_prediction():
    # reference 1.0, prediction 2.0: error 1.0 / |prediction| = 0.5 passes t=0.5 only; divided by the
    # reference it would be 1.0 and pass nothing.
    answer = "move_right:1.0,move_up:0,move_forward:0,rotate_right:0,rotate_up:0"
    prediction = "move_right:2.0,move_up:0,move_forward:0,rotate_right:0,rotate_up:0"
    assert OFFICIAL.score("view_change_infer", prediction, answer).score == pytest.approx((0.1 + 4) / 5)


def test_parsed_value_is_recorded_for_numbers_and_motions():
    assert OFFICIAL.score("depth_prediction_oc", "about 2 meters", "2.0").parsed == 2.0
    parsed = OFFICIAL.score("view_change_infer", "move_left:0.5", "move_left:0.5").parsed
    assert parsed == {"move_right": -0.5, "move_up": 0.0, "move_forward": 0.0, "rotate_right": 0.0, "rotate_up": 0.0}


def test_option_letters_are_read_from_the_question():
    question = "Which is closer? A. left, above, closer B. left, , closer C. right, below, farther D. right, , farther"
    assert option_letters(question) == ("A", "B", "C", "D")
    assert option_letters("a table. B is not an option") == ()


def test_unknown_protocol_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="choose one of: strict, official"):
        get_protocol("lenient")
