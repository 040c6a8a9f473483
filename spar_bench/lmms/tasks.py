"""The functions lmms-eval task YAMLs call (through the `tasks/utils.py` shim): rows in, prompts out, scores back.

process_results runs in lmms-eval's thread pool: everything here is stateless.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from spar_bench.data import REQUIRED_COLUMNS, undecoded_rows, validate_rows
from spar_bench.prompts import build_prompt
from spar_bench.protocols import OfficialProtocol, StrictProtocol
from spar_bench.scoring import sample_record
from spar_bench.tasks_spec import task_spec

if TYPE_CHECKING:
    import datasets
    from PIL import Image

_TEXT_COLUMNS = ("id", "task", "question", "answer")
_OFFICIAL = OfficialProtocol()
_STRICT = StrictProtocol()


def dataset_name(dataset: datasets.Dataset) -> str:
    """A name for error messages: the parquet/arrow files a dataset was read from, else its builder name."""
    files = sorted({entry["filename"] for entry in dataset.cache_files})
    return ", ".join(files) if files else (dataset.info.dataset_name or "dataset")


def select_task(dataset: datasets.Dataset, task_id: str) -> datasets.Dataset:
    """The rows of one SPAR task, after validating the whole dataset's text fields and this task's images.

    Raises DatasetRowError naming the row id and field of every bad row found.
    """
    source = dataset_name(dataset)
    validate_rows(undecoded_rows(dataset, _TEXT_COLUMNS), source)
    subset = dataset.filter(lambda task: task == task_id, input_columns="task")
    if len(subset):
        validate_rows(undecoded_rows(subset, REQUIRED_COLUMNS), source)
    return subset


def task_selector(task_id: str) -> Callable[[datasets.Dataset], datasets.Dataset]:
    """A `process_docs` function that keeps the rows of `task_id` (see select_task)."""
    task_spec(task_id)

    def process_docs(dataset: datasets.Dataset) -> datasets.Dataset:
        return select_task(dataset, task_id)

    process_docs.__name__ = f"process_docs_{task_id}"
    return process_docs


def doc_to_visual(doc: dict[str, Any]) -> list[Image.Image]:
    """All images of the row, in dataset order, as RGB."""
    return [image.convert("RGB") for image in doc["image"]]


def doc_to_text(doc: dict[str, Any], lmms_eval_specific_kwargs: dict[str, Any] | None = None) -> str:
    """The released prompt; the YAML's per-model kwargs choose `prompt_variant` and `pre_prompt`."""
    kwargs = lmms_eval_specific_kwargs or {}
    return build_prompt(
        doc["task"],
        doc["question"],
        variant=kwargs.get("prompt_variant", "default"),
        pre_prompt=kwargs.get("pre_prompt", ""),
    )


def process_results(doc: dict[str, Any], results: list[str]) -> dict[str, Any]:
    """Metric values (0-100) for one response under both protocols, plus what was parsed, for the samples log.

    `spar_score` and the task, level and view metrics carry the strict score; `spar_score_official` the
    released one; `spar_parse_failure_rate` is 100 when the strict protocol could not read the response.
    lmms-eval averages each within the task, and the group averages the task means unweighted: the
    benchmark's macro means. `spar_sample` is not a metric; it only lands in the samples log: id, task,
    question, answer, prediction and `scores`, each protocol's reading (score, parsed, unparsed_reason, span
    and rule, as `spar_bench.scoring.sample_record` writes them), which `spar-bench score` reads back.
    """
    spec = task_spec(doc["task"])
    prediction = results[0] if results else ""
    strict = _STRICT.score(spec.task_id, prediction, doc["answer"], doc["question"])
    official = _OFFICIAL.score(spec.task_id, prediction, doc["answer"], doc["question"])
    value = 100.0 * strict.score
    return {
        "spar_score": value,
        "spar_score_official": 100.0 * official.score,
        "spar_parse_failure_rate": 100.0 * strict.parse_failed,
        spec.task_id: value,
        f"spar_{spec.level.value}": value,
        f"spar_{spec.view.value}": value,
        "spar_sample": {
            "id": doc["id"],
            "task": spec.task_id,
            "question": doc["question"],
            "answer": doc["answer"],
            "prediction": prediction,
            "scores": {s.protocol: sample_record(s) for s in (strict, official)},
        },
    }


# ---------------------------------------------------------------- 3D grounding (spar_bench_synth_3d)

GROUNDING_METRICS = ("grounding_mean_iou", "grounding_acc_25", "grounding_acc_50", "grounding_parse_failure_rate")


def process_docs_grounding(dataset: datasets.Dataset) -> datasets.Dataset:
    """Checks that every row is a 3D grounding question with a readable reference box and 1-5 images."""
    from spar_bench.data import DatasetRowError, RowProblem, image_problem
    from spar_bench.metrics.iou3d import parse_box3d
    from spar_bench.tasks_spec import GROUNDING_TASK

    problems = []
    for row in undecoded_rows(dataset, ("id", "task", "answer", "image")):
        if row["task"] != GROUNDING_TASK:
            problems.append(RowProblem(row["id"], "task", f"{row['task']!r} is not {GROUNDING_TASK}"))
        if parse_box3d(row["answer"]) is None:
            problems.append(RowProblem(row["id"], "answer", f"{row['answer']!r} is not a box of 7 numbers"))
        if (problem := image_problem(row["image"])) is not None:
            problems.append(RowProblem(row["id"], "image", problem))
    if problems:
        raise DatasetRowError(dataset_name(dataset), problems[:20], total=len(problems))
    return dataset


def doc_to_text_grounding(doc: dict[str, Any], lmms_eval_specific_kwargs: dict[str, Any] | None = None) -> str:
    """The question with an instruction to answer with the box alone (there is no released prompt)."""
    from spar_bench.prompts import GROUNDING_POST_PROMPT

    pre_prompt = (lmms_eval_specific_kwargs or {}).get("pre_prompt", "")
    return f"{pre_prompt}\n{doc['question']}\n{GROUNDING_POST_PROMPT}"


def process_results_grounding(doc: dict[str, Any], results: list[str]) -> dict[str, Any]:
    """IoU metrics (0-100) of one response: mean IoU, Acc@0.25, Acc@0.5, and the unreadable-box rate."""
    from spar_bench.grounding import score_grounding

    prediction = results[0] if results else ""
    (scored,) = score_grounding([prediction], [doc["answer"]])
    return {
        "grounding_mean_iou": 100.0 * scored.iou,
        "grounding_acc_25": 100.0 * (scored.iou >= 0.25),
        "grounding_acc_50": 100.0 * (scored.iou >= 0.5),
        "grounding_parse_failure_rate": 100.0 * (scored.parsed is None),
        "spar_sample": {
            "id": doc["id"],
            "task": doc["task"],
            "answer": doc["answer"],
            "prediction": prediction,
            "iou": scored.iou,
            "parsed": scored.parsed,
            "unparsed_reason": scored.unparsed_reason,
        },
    }


LOWER_IS_BETTER = frozenset({"spar_parse_failure_rate", "grounding_parse_failure_rate"})


def metric_names(task_id: str) -> tuple[str, ...]:
    """The metric keys a task's lmms-eval block reports, in the order its YAML lists them."""
    spec = task_spec(task_id)
    return (
        "spar_score",
        "spar_score_official",
        "spar_parse_failure_rate",
        task_id,
        f"spar_{spec.level.value}",
        f"spar_{spec.view.value}",
    )
