from spar_bench.model_adapters.baselines import BaselineQuestion, FrequencyBaseline, OracleBaseline, RandomBaseline
from spar_bench.protocols import OfficialProtocol

CHOICE_Q = "Which? A. left B. right C. up"


def q(id_, task="position_matching", answer="A", question=CHOICE_Q):
    return BaselineQuestion(id_, task, question, answer)


def test_oracle_returns_reference_answers_and_scores_full_marks():
    questions = [q(0), q(1, "depth_prediction_oc", "1.5"), q(2, "view_change_infer", "move_left:0.5,rotate_up:3")]
    answers = OracleBaseline().answer(questions)
    assert [OfficialProtocol().score(x.task, a, x.answer).score for x, a in zip(questions, answers)] == [1.0, 1.0, 1.0]


def test_frequency_answers_the_most_frequent_answer_per_task():
    questions = [q(0, answer="B"), q(1, answer="B"), q(2, answer="C"), q(3, "depth_prediction_oc", "2.0")]
    assert FrequencyBaseline().answer(questions) == ["B", "B", "B", "2.0"]


def test_frequency_breaks_ties_by_smallest_answer_regardless_of_order():
    questions = [q(0, answer="C"), q(1, answer="B")]
    assert FrequencyBaseline().answer(questions) == ["B", "B"]
    assert FrequencyBaseline().answer(list(reversed(questions))) == ["B", "B"]


def test_random_choices_are_options_of_the_question():
    questions = [q(i) for i in range(200)]
    assert set(RandomBaseline(seed=1).answer(questions)) == {"A", "B", "C"}


def test_random_is_reproducible_and_order_independent():
    questions = [q(i) for i in range(50)]
    forward = RandomBaseline(seed=3).answer(questions)
    backward = RandomBaseline(seed=3).answer(list(reversed(questions)))
    assert forward == list(reversed(backward))
    assert forward != RandomBaseline(seed=4).answer(questions)


def test_random_numeric_answers_are_drawn_from_that_tasks_answers():
    questions = [q(i, "depth_prediction_oc", str(i / 10)) for i in range(10)] + [q(10, "distance_prediction_oo", "9.9")]
    answers = RandomBaseline().answer(questions)
    assert set(answers[:10]) <= {str(i / 10) for i in range(10)}
    assert answers[10] == "9.9"
