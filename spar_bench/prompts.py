"""The released prompt construction, byte for byte.

Every prompt is `pre_prompt + "\\n" + question + "\\n" + <instruction part>`; the images of the row go with
it in dataset order (the released model backends put them before the text). Models named `gpt4v` or
`gemini_api` get a different numeric instruction (its typo is part of the released text).
"""

from __future__ import annotations

from enum import Enum

from spar_bench.tasks_spec import NORMALIZED_COORDINATE_TASKS, AnswerKind, task_spec

NUMERIC_POST_PROMPT = "Please answer the question using a single word or phrase."
API_NUMERIC_POST_PROMPT = "Do not response anything other than a single number!"
CHOICE_POST_PROMPT = "Answer with the option's letter from the given choices directly."
NORMALIZED_COORDINATES_NOTE = (
    "The values represent the bounding box coordinates normalized to a 0-1000 scale, "
    "with the top-left corner as the origin of the image."
)


class PromptVariant(str, Enum):
    """Which released instruction set to use; `api` is what the release gives `gpt4v` and `gemini_api`."""

    DEFAULT = "default"
    API = "api"


# 3D grounding is not a released task; its instruction is ours.
GROUNDING_POST_PROMPT = "Answer with the box as a list of seven numbers only."

# lmms-eval model names that the release gives the API variant (the task YAMLs are generated from this).
API_MODEL_NAMES = frozenset({"gpt4v", "gemini_api"})


def build_prompt(
    task: str,
    question: str,
    *,
    variant: PromptVariant | str = PromptVariant.DEFAULT,
    pre_prompt: str = "",
) -> str:
    """The text prompt for one question, exactly as the released evaluation builds it.

    Numeric tasks: `pre + "\\n" + question + "\\n" + numeric instruction`. Multiple choice:
    `pre + "\\n" + question + "\\n" + middle + "\\n" + choice instruction`, where middle is the 0-1000
    coordinate note for position_matching and camera_motion_infer and empty otherwise. view_change_infer:
    `pre + "\\n" + question + "\\n\\n"` (no instruction). With an empty pre_prompt the text starts with a
    newline, as released.
    """
    spec = task_spec(task)
    variant = PromptVariant(variant)
    if spec.answer_kind is AnswerKind.NUMBER:
        instruction = API_NUMERIC_POST_PROMPT if variant is PromptVariant.API else NUMERIC_POST_PROMPT
        return f"{pre_prompt}\n{question}\n{instruction}"
    if spec.answer_kind is AnswerKind.CHOICE:
        middle = NORMALIZED_COORDINATES_NOTE if task in NORMALIZED_COORDINATE_TASKS else ""
        return f"{pre_prompt}\n{question}\n{middle}\n{CHOICE_POST_PROMPT}"
    return f"{pre_prompt}\n{question}\n\n"
