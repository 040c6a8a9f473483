"""The datasets shipped in the package are exactly what `spar_bench.synth` makes with the embedded parameters."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from PIL import Image

from spar_bench.data import embedded_path, iter_questions, load_dataset
from spar_bench.synth.audit import blind_item
from spar_bench.synth.dataset import EMBEDDED_SETTINGS, PARQUET, PARQUET_3D, generate_dataset
from spar_bench.tasks_spec import TASK_IDS, TASKS_BY_ID


def content(path: Path) -> list[tuple]:
    """Rows with images as decoded pixels: what a file holds, independent of the PNG and parquet encoders."""
    rows = pq.read_table(path).to_pylist()
    for row in rows:
        row["image"] = [np.asarray(Image.open(io.BytesIO(image["bytes"]))).tobytes() for image in row["image"]]
    return [tuple(sorted(row.items())) for row in rows]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("embedded")
    generate_dataset(
        EMBEDDED_SETTINGS["seed"],
        EMBEDDED_SETTINGS["per_task"],
        out,
        width=EMBEDDED_SETTINGS["width"],
        height=EMBEDDED_SETTINGS["height"],
    )
    return out


def test_embedded_set_validates_with_ten_questions_per_task():
    questions = list(iter_questions(load_dataset("synth")))
    counts = {task: sum(q.task == task for q in questions) for task in TASK_IDS}
    assert counts == dict.fromkeys(TASK_IDS, 10)
    assert all(len(q.images) == TASKS_BY_ID[q.task].images for q in questions)


def test_embedded_set_is_what_the_generator_makes(regenerated):
    assert content(regenerated / PARQUET) == content(embedded_path()), (
        "tasks/data/spar_bench_synth.parquet is stale: run python scripts/make_embedded_data.py"
    )


def test_embedded_3d_set_is_what_the_generator_makes(regenerated):
    assert content(regenerated / PARQUET_3D) == content(embedded_path().with_name(PARQUET_3D))


def test_embedded_sets_stay_small():
    assert embedded_path().stat().st_size < 5_000_000


def test_no_question_is_repeated():
    questions = list(iter_questions(load_dataset("synth")))
    assert len({(q.task, q.question, q.images) for q in questions}) == len(questions)


def test_no_two_rows_of_a_task_share_images_stem_and_correct_option():
    # Distractors aside: a row that repeats another's images, stem and correct option is the same question.
    rows = pq.read_table(embedded_path()).to_pylist()
    keys = set()
    for row in rows:
        item = blind_item(row["task"], row["question"], row["answer"])
        stem, correct = (row["question"], row["answer"]) if item is None else (item.stem, item.options[item.answer])
        keys.add((row["task"], tuple(image["bytes"] for image in row["image"]), stem, correct))
    assert len(keys) == len(rows)
