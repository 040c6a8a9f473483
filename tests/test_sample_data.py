"""The shipped offline sample: it loads through the row validator, covers every task in the task's format,
and is exactly what `scripts/make_sample.py` makes.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from spar_bench.data import Question, answer_problem, iter_questions, load_dataset, sample_path
from spar_bench.tasks_spec import MAX_IMAGES, TASK_IDS, TASKS_BY_ID, AnswerKind

REPO_ROOT = Path(__file__).parents[1]
SAMPLE_SCRIPT = REPO_ROOT / "scripts" / "make_sample.py"
MIN_ROWS_PER_TASK = 5


@pytest.fixture(scope="module")
def sample():
    return load_dataset("sample")


@pytest.fixture(scope="module")
def questions(sample) -> list[Question]:
    return list(iter_questions(sample))


def test_sample_loads_through_the_validator_with_unique_ids(sample):
    ids = sample["id"]
    assert len(ids) == len(set(ids)) >= MIN_ROWS_PER_TASK * len(TASK_IDS)


def test_sample_has_every_task_with_at_least_five_rows(questions):
    counts = Counter(q.task for q in questions)
    assert set(counts) == set(TASK_IDS)
    assert min(counts.values()) >= MIN_ROWS_PER_TASK


def test_sample_rows_have_one_to_max_images(questions):
    assert all(1 <= len(q.images) <= MAX_IMAGES for q in questions)


def test_sample_image_count_matches_the_task_spec(questions):
    wrong = [(q.id, q.task, len(q.images)) for q in questions if len(q.images) != TASKS_BY_ID[q.task].images]
    assert wrong == []


def test_sample_view_group_and_format_type_follow_the_task_spec(questions):
    spec = TASKS_BY_ID
    wrong = [
        q.id for q in questions if (q.img_type, q.format_type) != (spec[q.task].view.value, spec[q.task].format_type)
    ]
    assert wrong == []


def test_sample_answers_fit_their_task_format(questions):
    problems = [(q.id, answer_problem(q.task, q.answer)) for q in questions]
    assert [p for p in problems if p[1] is not None] == []


def test_sample_choice_answers_are_options_written_in_the_question(questions):
    choice = [q for q in questions if TASKS_BY_ID[q.task].answer_kind is AnswerKind.CHOICE]
    missing = [q.id for q in choice if not re.search(rf"(?:^|\s){re.escape(q.answer)}\. ", q.question)]
    assert choice and missing == []


def test_sample_images_decode_to_lists_of_pil_images():
    import datasets
    from PIL import Image

    raw = datasets.load_dataset("parquet", data_files={"test": str(sample_path())}, split="test")
    images = raw[0]["image"]
    assert isinstance(images, list) and images
    assert all(isinstance(image, Image.Image) for image in images)


def _content(path: Path) -> list[tuple]:
    """Rows with images as decoded pixels: what the file holds, independent of PNG and parquet encoders."""
    import numpy as np
    from PIL import Image

    rows = []
    for q in iter_questions(load_dataset(str(path))):
        pixels = tuple(np.asarray(Image.open(io.BytesIO(image))).tobytes() for image in q.images)
        rows.append((q.id, q.task, q.img_type, q.format_type, q.source, q.question, q.answer, pixels))
    return rows


def test_make_sample_script_reproduces_the_shipped_sample(tmp_path):
    out = tmp_path / "sample.parquet"
    subprocess.run([sys.executable, str(SAMPLE_SCRIPT), "--out", str(out)], check=True, capture_output=True)
    assert _content(out) == _content(sample_path()), (
        "the shipped sample is not what scripts/make_sample.py makes; regenerate it with `python scripts/make_sample.py`"
    )
