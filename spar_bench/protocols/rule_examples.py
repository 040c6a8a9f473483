"""One worked example per strict rule: the tests assert each strict score, and docs/scoring.md shows them
beside the official score (`python scripts/make_scoring_doc.py` writes that table)."""

from __future__ import annotations

from dataclasses import dataclass

_Q = "Which is closer? A. left, above, closer B. left, , closer C. right, below, farther D. right, , farther"
_MOTION = "move_right:0.8,move_up:0.0,move_forward:2.4,rotate_up:0,rotate_right:30"


@dataclass(frozen=True)
class RuleExample:
    rule: str
    why: str
    task: str
    prediction: str
    answer: str
    strict_score: float
    question: str = _Q


RULE_EXAMPLES: tuple[RuleExample, ...] = (
    RuleExample("empty response scores 0", "saying nothing is not an answer", "obj_spatial_relation_oo", "", "C", 0.0),
    RuleExample("first letter is not an answer", "`because` does not assert option B", "position_matching",
                "because it moved", "B", 0.0),
    RuleExample("`Answer: X` is read", "the common answer form", "obj_spatial_relation_oo", "Answer: B", "B", 1.0),
    RuleExample("`Answer: X` is not matched by its first letter", "the answer is B, not A", "obj_spatial_relation_oo",
                "Answer: B", "A", 0.0),
    RuleExample("`(X)` is read", "a parenthesized option", "obj_spatial_relation_oo", "(B)", "B", 1.0),
    RuleExample("`<answer>` tag wins", "the tagged answer is the stated one", "obj_spatial_relation_oo",
                "A is tempting, but <answer>C</answer>", "C", 1.0),
    RuleExample("`\\boxed{X}` wins", "the boxed answer is the stated one", "obj_spatial_relation_oo",
                "\\boxed{D}", "D", 1.0),
    RuleExample("reasoning is ignored", "letters inside <think> are not answers", "obj_spatial_relation_oo",
                "<think>A? or C?</think>B", "B", 1.0),
    RuleExample("text before `Final answer:` is ignored", "only the final answer counts", "obj_spatial_relation_oo",
                "A looks right. Final answer: C", "C", 1.0),
    RuleExample("two letters asserted scores 0", "a hedge is not an answer", "obj_spatial_relation_oo",
                "Answer: A. Actually the answer is C", "C", 0.0),
    RuleExample("a letter that is not an option scores 0", "E is not among A-D", "obj_spatial_relation_oo",
                "E", "A", 0.0),
    RuleExample("the article `a` is not option A", "`a chair` names no option", "obj_spatial_relation_oo",
                "a chair is closer", "A", 0.0),
    RuleExample("an option's exact text counts as that option", "the model repeated the option", "obj_spatial_relation_oo",
                "left, , closer", "B", 1.0),
    RuleExample("the last number is the answer", "earlier numbers echo the question's reference",
                "depth_prediction_oc", "Given 1.6 m, the towel is 1.5 m", "1.5", 1.0, ""),
    RuleExample("signs are kept", "-0.5 is not 0.5", "depth_prediction_oc", "-0.5", "0.5", 0.0, ""),
    RuleExample("units convert to meters", "150 cm is 1.5 m", "distance_prediction_oo", "150 cm", "1.5", 1.0, ""),
    RuleExample("feet convert to meters", "5 feet is 1.524 m", "distance_prediction_oo", "5 feet", "1.5", 1.0, ""),
    RuleExample("a decimal comma is a decimal point", "1,5 is 1.5 in many locales", "distance_prediction_oo",
                "1,5 m", "1.5", 1.0, ""),
    RuleExample("a comma before three digits groups thousands", "1,500 mm is 1.5 m", "distance_prediction_oo",
                "1,500 mm", "1.5", 1.0, ""),
    RuleExample("number words count", "`two meters` is 2", "distance_prediction_oo", "about two meters", "2.0", 1.0, ""),
    RuleExample("MRA boundaries use a 1e-9 tolerance", "a 20% error passes t=0.8 as its decimal value says",
                "distance_prediction_oo", "1.8", "1.5", 0.7, ""),
    RuleExample("no number scores 0", "nothing to measure", "depth_prediction_oc_mv", "no idea", "1.0", 0.0, ""),
    RuleExample("motion items tolerate spaces and case", "`, ` and `Move_Right` are the same items",
                "view_change_infer", "Move_Right: 0.8, move_up: 0.0, move_forward: 2.4, rotate_up: 0, rotate_right: 30",
                _MOTION, 1.0, ""),
    RuleExample("`move_back` is move_backward", "a common spelling", "view_change_infer",
                "move_right:0.8,move_back:-2.4,rotate_right:30", _MOTION, 1.0, ""),
    RuleExample("motion error is relative to the ground truth", "the prediction must not set its own scale",
                "view_change_infer", "move_right:1.0,move_up:0,move_forward:2.0,rotate_up:0,rotate_right:30",
                _MOTION, 0.86, ""),
    RuleExample("a response with no motion item scores 0", "nothing to measure", "view_change_infer",
                "I cannot tell", _MOTION, 0.0, ""),
)
