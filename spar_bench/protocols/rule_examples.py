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


_DEPTH_Q = (
    "With the counter (red point) having a depth of 1.6 meters, determine the depth of towel (blue point) in "
    "the same frame. Calculate or judge based on the 3D center points of these objects. The unit is meter."
)
_DIR_Q = (
    "Imagine the camera turns 90 degrees to the left and then moves 0.6 meters forward. In which direction is "
    "the armchair (red point) from the camera then? Pick the appropriate option from the choices available. "
    "A. left B. back C. back-right D. front-right"
)
_POINTS_Q = (
    "Which point is farthest from the lamp (red point)? A. blue point (armchair) B. green point (vase) "
    "C. yellow point (plant) D. purple point (box)"
)


def _choice(rule, why, prediction, answer, score, question=_Q, task="obj_spatial_relation_oo"):
    return RuleExample(rule, why, task, prediction, answer, score, question)


def _number(rule, why, prediction, answer, score, question="", task="depth_prediction_oc"):
    return RuleExample(rule, why, task, prediction, answer, score, question)


def _motion(rule, why, prediction, score, answer=_MOTION):
    return RuleExample(rule, why, "view_change_infer", prediction, answer, score, "")


# One example per line, as a table: the formatter leaves it as written.
# fmt: off
RULE_EXAMPLES: tuple[RuleExample, ...] = (
    # where the answer is
    _choice("empty response scores 0", "saying nothing is not an answer", "", "C", 0.0),
    _choice("reasoning is ignored", "letters inside <think> are not answers", "<think>A? or C?</think>B", "B", 1.0),
    _choice("an unclosed <think> leaves no answer", "the model stopped while reasoning", "<think>maybe B", "B", 0.0),
    _choice("`<answer>` tag wins", "the tagged answer is the stated one", "A is tempting, but <answer>C</answer>", "C", 1.0),
    _choice("`\\boxed{}` reads nested braces", "`\\text{C}` inside a box is C", "\\boxed{\\text{C}}", "C", 1.0),
    _choice("GLM box tokens are a container", "`<|begin_of_box|>` marks the answer",
            "<|begin_of_box|>D<|end_of_box|>", "D", 1.0),
    _choice("text before `Final answer:` is ignored", "only the final answer counts", "A looks right. Final answer: C",
            "C", 1.0),
    _choice("the last answer phrase wins", "a model that corrects itself ends on its answer",
            "The answer is A. Wait, looking again, the answer is C.", "C", 1.0),
    _choice("an answer phrase reads through markdown", "`**Answer:** B` is `Answer: B`", "**Answer:** B", "B", 1.0),
    _choice("a Chinese answer phrase is read", "`答案：B` is `Answer: B`", "\u7b54\u6848\uff1aB", "B", 1.0),
    _choice("a JSON answer field is read", "JSON mode answers `{\"answer\": ...}`", '```json\n{"answer": "D"}\n```',
            "D", 1.0),
    _choice("`the correct one is X` announces X", "the option called wrong before it is no claim",
            "C. right, below, farther is wrong; the correct one is B.", "B", 1.0),
    _choice("the explanation after the answer is not read", "`option A` in the explanation is not a second answer",
            "Answer: C\nExplanation: option A would need the point to be above.", "C", 1.0),
    # which option
    _choice("first letter is not an answer", "`because` does not assert option B", "because it moved", "B", 0.0,
            task="position_matching"),
    _choice("`Answer: X` is not matched by its first letter", "the answer is B, not A", "Answer: B", "A", 0.0),
    _choice("`(X)` is read", "a parenthesized option", "(B)", "B", 1.0),
    _choice("a letter with full-width punctuation is read", "`B。` is `B.`", "B\u3002", "B", 1.0),
    _choice("a leading letter with its reason is read", "`C because ...` states C", "C because the point is lower",
            "C", 1.0),
    _choice("`X is the correct answer` is read", "the letter comes before the phrase", "B is the correct answer.",
            "B", 1.0),
    _choice("a leading letter with its option text is read", "`**C. right, below, farther**`",
            "**C. right, below, farther**", "C", 1.0),
    _choice("a restated option text is its option", "the text names exactly one option",
            "The blue point is left, , closer.", "B", 1.0),
    _choice("an unshared part of an option names it", "`the yellow point` names only option C",
            "It is the yellow point.", "C", 1.0, question=_POINTS_Q, task="distance_infer_center_oo"),
    _choice("a hedge between two options scores 0", "`A or C` is not an answer", "It is either A or C.", "C", 0.0),
    _choice("two letters named without an answer phrase score 0", "no single option is asserted",
            "Option A fits the height, option C fits the depth.", "C", 0.0),
    _choice("listing every option scores 0", "a copy of the choices is not a choice",
            "A. left, above, closer\nB. left, , closer\nC. right, below, farther\nD. right, , farther", "A", 0.0),
    _choice("saying no option applies scores 0", "a refusal is not an answer", "None of the options is correct.",
            "A", 0.0),
    _choice("a letter that is not an option scores 0", "E is not among A-D", "E", "A", 0.0),
    _choice("the article `a` is not option A", "`a chair` names no option", "a chair is closer", "A", 0.0),
    _choice("the article `A` is not option A", "`A chair` names no option either", "A chair is closer", "A", 0.0),
    _choice("a self-correction reads as the correction", "the response ends on its answer",
            "B? No, the cabinet is not below the chair. C.", "C", 1.0),
    _choice("a letter whose own claim names another option's text scores 0", "the response contradicts itself",
            "The answer is D (left, , closer).", "D", 0.0),
    _choice("an explanation after `because` may name other options", "only the claim is checked",
            "C, because the point is not left, , closer.", "C", 1.0),
    _choice("a sentence-final letter is read", "`so B.` states B", "The cabinet is lower, so B.", "B", 1.0,
            question=_Q.replace("B. left, , closer", "B. left, below, closer")),
    _choice("a spatial description names the option that means it", "`below and in front` is `, below, front`",
            "Below and in front of the camera, with no clear horizontal offset.", "C", 1.0,
            question=_Q.replace("C. right, below, farther", "C. , below, front")),
    _choice("a direction described in words names its option", "`ahead of me and to the right` is front-right",
            "The armchair would be ahead of me and a little to the right.", "D", 1.0, question=_DIR_Q,
            task="spatial_imagination_oc"),
    _choice("two directions offered score 0", "`front or front-left` is a hedge", "front or front-left", "D", 0.0,
            question=_DIR_Q, task="spatial_imagination_oc"),
    _choice("restating the question is no claim", "the turn the question describes is not option `left`",
            "Turning 90 degrees to the left and moving 0.6 meters forward puts it behind me, so B.", "B", 1.0,
            question=_DIR_Q, task="spatial_imagination_oc"),
    _choice("options ruled out are not a hedge", "`it can't be A or D` explains the answer",
            "B. It is lower and farther; it can't be A or D since it isn't closer.", "B", 1.0),
    _choice("a second look replaces the first answer", "`looking again, ... B` ends on B",
            "C. right, below, farther. Looking again, it sits to the left at the same height and nearer: B.", "B", 1.0),
    _choice("a second option offered as also plausible scores 0", "`B, though A is also possible` leaves A open",
            "Probably B, though A is also possible since the heights are close.", "B", 0.0),
    _choice("two lettered options joined by `or` score 0", "`B. ... or D. ...` offers both",
            "B. left, , closer or D. right, , farther", "B", 0.0),
    _choice("an option under each condition scores 0", "`A if ..., B otherwise` states no one answer",
            "It's A if the lamp is higher than it looks, B otherwise.", "A", 0.0),
    _choice("a verdict on each option states the one marked yes", "`A: no ... C: yes` is C",
            "A: no\nB: no\nC: yes\nD: no", "C", 1.0),
    _choice("an option called wrong is not claimed", "`A is incorrect, so D` states D",
            "A is incorrect, so D.", "D", 1.0),
    _choice("both extremes labelled: the asked one is read", "the question asks for the farthest",
            "Nearest: green point (B). Farthest: yellow point (C).", "C", 1.0, question=_POINTS_Q,
            task="distance_infer_center_oo"),
    _choice("a fuller spatial description beats an option it contains", "`in front, to my right` is front-right",
            "It ends up in front of me, off to my right.", "D", 1.0,
            question=_DIR_Q.replace("A. left", "A. right"), task="spatial_imagination_oc"),
    _choice("option text with a second relation after `or` scores 0", "`right, or behind and to the right` is a hedge",
            "It will be on my right, or a little behind and to the right.", "A", 0.0,
            question=_DIR_Q.replace("A. left", "A. right"), task="spatial_imagination_oc"),
    _choice("a relation that leaves a slot unsaid scores 0 when two options fit", "`left, closer` fits A and B",
            "The blue point is left of it and closer.", "B", 0.0),
    _choice("options after `not` are ruled out, not named", "`not A, B or C` leaves D", "It's not A, B or C; D.",
            "D", 1.0),
    _choice("an option text after `not` scores 0", "`not the green point` names no answer",
            "The farthest one is not the green point.", "B", 0.0, question=_POINTS_Q, task="distance_infer_center_oo"),
    _choice("a conclusion from another option's description scores 0", "the sentence before `So` describes C",
            "It sits to the right of it, lower, and farther away. So the answer is D.", "D", 0.0),
    _choice("a claim whose whole meaning is its letter is no contradiction", "`behind me and on my right` is C",
            "It is behind me and on my right, so C.", "C", 1.0,
            question=_DIR_Q.replace("A. left", "A. right"), task="spatial_imagination_oc"),
    _choice("a correction to a tentative option scores 0", "`it might be C` settles on nothing",
            "B? Hmm, actually it might be C.", "C", 0.0),
    _choice("a hedge after options ruled out still scores 0", "`not A or D` then `either B or C`",
            "It can't be A or D, so it is either B or C.", "B", 0.0),
    _choice("a list of every letter is no answer", "`A, B, C and D` chooses none", "The options are A, B, C and D.",
            "A", 0.0),
    # numbers
    _number("the answer phrase's number is the answer", "numbers after it are context",
            "Final answer: 2.7 m (using the 3D centers)", "2.7", 1.0),
    _number("ordinals are not lengths", "`2nd` is a position", "1.9 m in the 2nd view", "1.9", 1.0),
    _number("labels are not lengths", "`image 3` is a name", "In image 3 the towel is 1.5 m away", "1.5", 1.0),
    _number("a number glued to CJK text is read", "`约为2.5米` is 2.5 m", "\u8ddd\u79bb\u7ea6\u4e3a2.5\u7c73", "2.5",
            1.0),
    _number("units inside a box are read", "`\\boxed{250 \\text{ cm}}` is 2.5 m", "\\boxed{250 \\text{ cm}}", "2.5", 1.0),
    _number("a leading number is the answer", "later numbers describe other things",
            "1.4 m. The camera is 1.6 m above the floor.", "1.4", 1.0),
    _number("an echoed reference is not the answer", "1.6 m is the question's own value",
            "Given 1.6 m for the counter, the towel is 1.5 m", "1.5", 1.0, question=_DEPTH_Q, task="depth_prediction_oo"),
    _number("a number in parentheses is context", "the answer stands outside them",
            "The towel is at 1.1 m (the red object is at 3.5 m depth)", "1.1", 1.0),
    _number("a `±` reads as its centre", "`1.5 ± 0.2 m` states 1.5", "1.5 \u00b1 0.2 m", "1.5", 1.0),
    _number("a range reads as its midpoint", "`1.5-2 m` states 1.75", "about 1.5-2 m", "1.75", 1.0),
    _number("the last number of reasoning is the answer", "reasoning ends on its result",
            "The lamp looks twice as far as the counter, so roughly 3.2 m", "3.2", 1.0),
    _number("a hedge between two values scores 0", "`1.4 m or 1.8 m` is not an answer", "Either 1.4 m or 1.8 m.",
            "1.4", 0.0),
    _number("a restatement that disagrees scores 0", "`0.7 m, i.e. about 150 cm` contradicts itself",
            "0.7 m, i.e. about 150 cm.", "0.7", 0.0),
    _number("a consistent restatement is fine", "`2 m (200 cm)` says one length twice", "2 m (200 cm)", "2.0", 1.0),
    _number("declining with only echoed numbers scores 0", "the 1.6 m is the question's, not an answer",
            "I can't determine the towel's depth; only the counter's (1.6 m) is given.", "1.6", 0.0,
            question=_DEPTH_Q, task="depth_prediction_oo"),
    _number("sizes are context", "`2 m long` describes the bed", "The lamp is 1.1 m away; the bed is 2 m long.",
            "1.1", 1.0, task="distance_prediction_oo"),
    _number("an arithmetic result is the answer", "`2.5 - 0.3 = 2.2` ends on 2.2", "2.5 - 0.3 = 2.2 m", "2.2", 1.0),
    _number("a self-correction reads as the correction", "the last value after `No` is the answer",
            "1.2 m? No, the nightstand is on the far side, so 1.7 m.", "1.7", 1.0),
    _number("a quoted number is not inches", "`\"3.1\"` is 3.1 m", 'Answer: "3.1"', "3.1", 1.0),
    _number("Chinese numerals with a unit count", "`三点二米` is 3.2 m", "\u7ea6\u4e09\u70b9\u4e8c\u7c73", "3.2", 1.0),
    _number("spoken Chinese lengths count", "`一米二` is 1.2 m", "\u5927\u7ea6\u4e00\u7c73\u4e8c", "1.2", 1.0),
    _number("feet then a bare number are feet and inches", "`5 ft 6` is 1.68 m", "About 5 ft 6", "1.7", 1.0,
            task="distance_prediction_oo"),
    _number("word lengths add up", "`one meter and sixty centimeters` is 1.6 m", "one meter and sixty centimeters",
            "1.6", 1.0, task="distance_prediction_oo"),
    _number("signs are kept", "-0.5 is not 0.5", "-0.5", "0.5", 0.0),
    _number("units convert to meters", "150 cm is 1.5 m", "150 cm", "1.5", 1.0, task="distance_prediction_oo"),
    _number("feet convert to meters", "5 feet is 1.524 m", "5 feet", "1.5", 1.0, task="distance_prediction_oo"),
    _number("compound units add up", "`4 meters 20 centimeters` is 4.2 m", "4 meters 20 centimeters", "4.2", 1.0,
            task="distance_prediction_oo"),
    _number("feet and inches add up", "`5'6\"` is 1.68 m", "5'6\"", "1.7", 1.0, task="distance_prediction_oo"),
    _number("a leading-dot decimal is read", "`.8 m` is 0.8 m", ".8 m", "0.8", 1.0),
    _number("a decimal comma is a decimal point", "1,5 is 1.5 in many locales", "1,5 m", "1.5", 1.0,
            task="distance_prediction_oo"),
    _number("a comma before three digits groups thousands", "1,500 mm is 1.5 m", "1,500 mm", "1.5", 1.0,
            task="distance_prediction_oo"),
    _number("number words count", "`two and a half meters` is 2.5", "about two and a half meters", "2.5", 1.0,
            task="distance_prediction_oo"),
    _number("a fraction word counts", "`half a meter` is 0.5", "half a meter", "0.5", 1.0, task="distance_prediction_oo"),
    _number("MRA boundaries use a 1e-9 tolerance", "a 20% error passes t=0.8 as its decimal value says", "1.8", "1.5",
            0.7, task="distance_prediction_oo"),
    _number("no number scores 0", "nothing to measure", "no idea", "1.0", 0.0, task="depth_prediction_oc_mv"),
    # motion
    _motion("motion items tolerate spaces and case", "`, ` and `Move_Right` are the same items",
            "Move_Right: 0.8, move_up: 0.0, move_forward: 2.4, rotate_up: 0, rotate_right: 30", 1.0),
    _motion("`move_back` is move_backward", "a common spelling", "move_right:0.8,move_back:-2.4,rotate_right:30", 1.0),
    _motion("motion items in JSON are read", "JSON mode answers an object",
            '{"move_right": 0.8, "move_forward": 2.4, "rotate_right": 30}', 1.0),
    _motion("motion items in a markdown list are read", "bold keys and units",
            "- **Move right:** 80 cm\n- **Move forward:** 2.4 m\n- **Rotate right:** 30\u00b0", 1.0),
    _motion("nested JSON groups are read", "`translation` and `rotation` objects",
            '{"translation": {"right": 0.8, "forward": 2.4}, "rotation": {"right": 30, "up": 0}}', 1.0),
    _motion("a markdown table is read", "`| move_right | 0.8 |` rows",
            "| key | value |\n|---|---|\n| move_right | 0.8 |\n| move_forward | 2.4 |\n| rotate_right | 30 |", 1.0),
    _motion("motion prose is read clause by clause", "one value and one direction per clause",
            "The camera moves 0.8 m to the right and 2.4 m forward, turning 30 degrees to the right.", 1.0),
    _motion("Chinese motion prose is read", "`向右移动0.8米` is move_right 0.8",
            "\u5411\u53f3\u79fb\u52a80.8\u7c73\uff0c\u5411\u524d2.4\u7c73\uff0c\u5411\u53f3\u65cb\u8f6c30\u5ea6", 1.0),
    _motion("a range in motion prose reads as its midpoint", "`between 2 and 2.8 meters forward` is 2.4",
            "It moves 0.8 m to the right, forward somewhere between 2 and 2.8 meters, and turns right by 30 degrees.",
            1.0),
    _motion("feet convert in motion items", "`move_forward: 8 ft` is 2.44 m",
            "move_right: 0.8 m, move_forward: 8 ft, rotate_right: 30", 1.0),
    _motion("two values for one component score 0", "a hedge is not an answer",
            "Either move_forward:2.4 or move_forward:1.0, with rotate_right:30.", 0.0),
    _motion("radians convert to degrees", "0.5236 rad is 30 degrees",
            "move_right: 0.8 m, move_forward: 2.4 m, rotate_right: 0.5236 rad", 1.0),
    _motion("motion error is relative to the ground truth", "the prediction must not set its own scale",
            "move_right:1.0,move_up:0,move_forward:2.0,rotate_up:0,rotate_right:30", 0.86),
    _motion("a response with no motion item scores 0", "nothing to measure", "I cannot tell", 0.0),
)
# fmt: on
