"""The strict protocol: one worked example per rule, parser details, and robustness on arbitrary text."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from spar_bench.metrics.choice import parse_options
from spar_bench.metrics.numbers import strict_numbers
from spar_bench.metrics.text import strip_reasoning, tagged_answer
from spar_bench.metrics.view_change import MOTION_NAMES
from spar_bench.protocols import PROTOCOLS, StrictProtocol
from spar_bench.protocols.reading import read_response
from spar_bench.protocols.rule_examples import RULE_EXAMPLES
from spar_bench.tasks_spec import TASKS, AnswerKind

STRICT = StrictProtocol()
ANSWERS = {
    AnswerKind.NUMBER: "1.5",
    AnswerKind.CHOICE: "B",
    AnswerKind.MOTION: "move_right:0.8,move_up:0.0,move_forward:2.4,rotate_up:0,rotate_right:30",
}
QUESTION = RULE_EXAMPLES[0].question


@pytest.mark.parametrize("example", RULE_EXAMPLES, ids=lambda ex: ex.rule)
def test_rule_example(example):
    score = STRICT.score(example.task, example.prediction, example.answer, example.question)
    assert score.score == pytest.approx(example.strict_score)


def test_scoring_doc_is_current():
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_scoring_doc.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_unparsable_response_records_why():
    score = STRICT.score("obj_spatial_relation_oo", "It is A or C.", "C", QUESTION)
    assert score.parsed is None and score.unparsed_reason == "hedges between A and C"
    assert STRICT.score("depth_prediction_oc", "far away", "1.0").unparsed_reason == "no number in the stated answer"


def test_every_reading_records_its_span_and_rule():
    response = "The towel is farther. **Answer:** (C), since option A is above."
    score = STRICT.score("obj_spatial_relation_oo", response, "C", QUESTION)
    start, end = score.span
    assert response[start:end] == "C" and score.rule == "answer phrase: leading letter"
    response = "<think>1.0 or 2.0?</think>It is about 2.5 m (250 cm)."
    score = STRICT.score("depth_prediction_oc", response, "2.5")
    assert response[score.span[0] : score.span[1]] == "2.5 m" and score.rule.endswith("number")


def test_spans_point_into_the_response_through_collapsed_whitespace_and_markup():
    response = "**Final   answer:**\n\n   \\boxed{\\text{  4.2 }}  "
    score = STRICT.score("distance_prediction_oo", response, "4.2")
    assert score.score == 1.0 and response[score.span[0] : score.span[1]] == "4.2"


def test_official_protocol_keeps_no_trace():
    score = PROTOCOLS["official"].score("obj_spatial_relation_oo", "B", "B", QUESTION)
    assert score.span is None and score.rule is None


def test_parsed_choice_is_the_capital_letter():
    assert STRICT.score("obj_spatial_relation_oo", "The answer is (d).", "D", QUESTION).parsed == "D"


def test_without_the_question_any_letter_a_to_h_is_an_option():
    assert STRICT.score("obj_spatial_relation_oo", "F", "F").score == 1.0


def test_options_are_read_from_the_last_alphabetical_run():
    question = "Point A. is red. Which? A. left B. right C. up"
    assert parse_options(question) == {"A": "left", "B": "right", "C": "up"}


def test_unclosed_think_leaves_no_answer():
    assert strip_reasoning("<think>maybe B") == ""
    assert STRICT.score("obj_spatial_relation_oo", "<think>maybe B", "B", QUESTION).score == 0.0


def test_final_answer_marker_is_case_insensitive_and_last_one_wins():
    assert STRICT.score("obj_spatial_relation_oo", "final answer: A. FINAL ANSWER: C", "C", QUESTION).score == 1.0


def test_final_answer_phrase_wins_over_a_later_plain_answer_phrase():
    response = "Final answer: B\n(The answer is not A.)"
    assert STRICT.score("obj_spatial_relation_oo", response, "B", QUESTION).score == 1.0


def test_later_tag_wins_between_boxed_and_answer_tags():
    assert tagged_answer("<answer>A</answer> then \\boxed{B}") == "B"
    assert tagged_answer("an unclosed <answer>A") == "A"
    assert tagged_answer("an unclosed \\boxed{A") is None


def test_numbers_scientific_notation_and_units():
    assert strict_numbers("1.5e3 mm") == [1.5]
    assert strict_numbers("12 inches") == pytest.approx([0.3048])
    assert strict_numbers("3 km") == [3000.0]


def test_range_hyphen_is_not_a_sign():
    assert strict_numbers("1-2 m") == [1.5]
    assert strict_numbers("1 - -2 m") == [1.0, -2.0]


def test_in_is_not_read_as_inches():
    assert strict_numbers("1.5 in the image") == [1.5]


def test_non_finite_number_is_unparsable():
    assert strict_numbers("1e999") == []
    assert STRICT.score("depth_prediction_oc", "1e999", "1.0").parse_failed


def test_number_words_only_when_no_digits():
    assert strict_numbers("two chairs at 1.5 m") == [1.5]
    assert strict_numbers("twenty meters") == [20.0]


def test_tagged_number_wins_over_later_numbers():
    assert STRICT.score("depth_prediction_oc", "<answer>1.5</answer> (not 3.0)", "1.5").score == 1.0


def test_motion_reads_any_order_and_surrounding_text():
    reading = read_response(AnswerKind.MOTION, "The camera: rotate_right=30 then MOVE FORWARD: 2.4; move_left 0.5.")
    assert [reading.value[name] for name in MOTION_NAMES] == [-0.5, 0.0, 2.4, 30.0, 0.0]


def test_motion_with_ground_truth_zero_uses_absolute_error():
    answer = "move_right:0,move_up:0,move_forward:0,rotate_up:0,rotate_right:0"
    assert STRICT.score("view_change_infer", "move_right:0.04", answer).score == 1.0
    assert STRICT.score("view_change_infer", "move_right:0.5", answer).score == pytest.approx((0.1 + 4) / 5)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400), spec=st.sampled_from(TASKS))
def test_no_response_makes_any_protocol_raise(text, spec):
    for protocol in PROTOCOLS.values():
        score = protocol.score(spec.task_id, text, ANSWERS[spec.answer_kind], QUESTION)
        assert 0.0 <= score.score <= 1.0


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet="AB()<>/thinkanswer:.,-0123456789 \n boxed{}emovrightup_", max_size=300))
def test_no_adversarial_mix_of_markers_makes_strict_raise(text):
    for spec in TASKS:
        assert 0.0 <= STRICT.score(spec.task_id, text, ANSWERS[spec.answer_kind], QUESTION).score <= 1.0


@pytest.mark.parametrize("spec", TASKS, ids=lambda spec: spec.task_id)
def test_megabyte_response_is_scored(spec):
    # Patterns that make backtracking regexes quadratic: long digit runs, open tags, repeated markers.
    response = ("1" * 200_000 + " <think> (A " + "move_right " * 20_000 + "answer is " * 20_000)[:1_000_000]
    for protocol in PROTOCOLS.values():
        assert 0.0 <= protocol.score(spec.task_id, response, ANSWERS[spec.answer_kind], QUESTION).score <= 1.0


# Shapes that make backtracking patterns quadratic: long runs of one character class, unclosed containers,
# nested braces, markers repeated without end. Each is read at 64 KiB and at 1 MiB.
ADVERSARIAL_SHAPES = {
    "answer phrase, spaces, letter": lambda n: "Answer: a" + " " * n + "x",
    "spaces": lambda n: " " * n,
    "one letter": lambda n: "A" * n,
    "letters and spaces": lambda n: "A " * (n // 2),
    "digits": lambda n: "1" * n,
    "digits and dots": lambda n: "1." * (n // 2),
    "unclosed think": lambda n: "<think>" * (n // 7),
    "unclosed boxes": lambda n: "\\boxed{" * (n // 7),
    "nested braces": lambda n: "\\boxed{" + "{" * n,
    "unclosed answer tags": lambda n: "<answer>" * (n // 8),
    "answer phrases": lambda n: "answer: " * (n // 8),
    "option markers": lambda n: "A. left, , closer " * (n // 18),
    "ranges": lambda n: "1-" * (n // 2),
    "plus-minus": lambda n: "1 \u00b1 " * (n // 4),
    "motion keys": lambda n: "move_right " * (n // 11),
    "newlines": lambda n: "\n" * n,
    "mixed markers": lambda n: "B or C 1.5 m (2.0) image 3 move_left: 4 cm \\text{ " * (n // 46),
    "negated list": lambda n: "not A, B, " * (n // 10),
    "objects and cameras": lambda n: "the box (red point) is 2.1 m from camera 2, if the tv is " * (n // 58),
}
# A question that names objects and cameras, so the rules that ask which object, camera and quantity a number
# is stated for run too.
_TIMED_QUESTION = (
    "What is the distance between the box (red point in the second image) and the tv (blue point in the first "
    "image)? Calculate or judge based on the 3D center points of these objects. The unit is meter."
)


def _read_time(response: str, repeats: int) -> float:
    from time import perf_counter

    from spar_bench.protocols.number_context import asked_of
    from spar_bench.protocols.reading_choice import read_choice_answer
    from spar_bench.protocols.reading_motion import read_motion_answer
    from spar_bench.protocols.reading_number import read_number_answer

    asked = asked_of(_TIMED_QUESTION)

    best = float("inf")
    for _ in range(repeats):
        start = perf_counter()
        read_choice_answer.__wrapped__(
            response, (("A", "left, above, closer"), ("B", "left, , closer"), ("C", "right"))
        )
        read_number_answer.__wrapped__(response, (1.6,), asked)
        read_motion_answer.__wrapped__(response)
        best = min(best, perf_counter() - start)
    return best


@pytest.mark.parametrize("shape", ADVERSARIAL_SHAPES, ids=str)
def test_reading_time_grows_linearly(shape):
    make = ADVERSARIAL_SHAPES[shape]
    small, large = _read_time(make(1 << 16), 3), _read_time(make(1 << 20), 1)
    # 16 times the text: linear is about 16 times the time, quadratic 256; the slack absorbs a loaded machine.
    assert large <= 48 * small + 0.05, f"{shape}: {small:.3f} s at 64 KiB, {large:.3f} s at 1 MiB"


@pytest.mark.parametrize(
    "response",
    [
        "B",
        "(b).",
        "B.",
        " C ",
        "[D]",
        "e",
        "1.5",
        "1.5 m",
        "-0.5",
        "2 meters.",
        "1.5m",
        "3 metres",
        "12",
        "+4.25",
        "Answer: B",
        "The answer is (c).",
        "answer: E",
    ],
)
def test_the_one_match_fast_path_reads_what_the_full_reading_reads(response, monkeypatch):
    import re

    from spar_bench.protocols import reading_choice, reading_number

    letter = not any(c.isdigit() for c in response)
    options = (("A", "left"), ("B", "right"), ("C", "up"), ("D", "down"))
    read = (
        (lambda r: reading_choice.read_choice_answer.__wrapped__(r, options))
        if letter
        else (lambda r: reading_number.read_number_answer.__wrapped__(r, ()))
    )
    fast = read(response)
    never = re.compile(r"(?!)")
    for module, name in (
        (reading_choice, "_BARE_LETTER"),
        (reading_number, "_BARE_NUMBER"),
        (reading_choice, "_ANSWER_LETTER"),
    ):
        monkeypatch.setattr(module, name, never)
    assert read(response) == fast


@pytest.mark.parametrize(
    "response",
    [
        "move_right:0.4,move_up:0.0,move_forward:2.4,rotate_up:5,rotate_right:60",
        "move_left:1.5, rotate_down:-3",
        "move_right:1,move_right:2",
        "move_right:0.8,move_left:0.2,move_forward:2.4",
        "move_right:0,move_left:0.5,rotate_up:3",
        "move_right:-0.5,move_left:0.5,rotate_right:10,rotate_left:-10",
        "move_right:1,move_right:1",
    ],
)
def test_the_requested_motion_form_is_read_as_the_full_reading_reads_it(response, monkeypatch):
    import re

    from spar_bench.protocols import reading_motion

    fast = reading_motion.read_motion_answer.__wrapped__(response)
    monkeypatch.setattr(reading_motion, "_PLAIN_MOTION", re.compile(r"(?!)"))
    assert reading_motion.read_motion_answer.__wrapped__(response) == fast
