"""Loading, row validation and fingerprints."""

import pytest
from conftest import hub_row, png_bytes, write_hub_parquet

from spar_bench.data import (
    DatasetError,
    DatasetRowError,
    DatasetUnavailableError,
    dataset_fingerprint,
    fingerprint,
    load_dataset,
    load_questions,
    row_problems,
    validate_rows,
)


def problems_of(row: dict) -> list[str]:
    return [str(problem) for problem in row_problems(row)]


def test_valid_row_has_no_problems():
    assert problems_of(hub_row(7)) == []


def test_unknown_task_is_named_with_row_id_and_field():
    assert problems_of(hub_row(7, task="depth_prediction_ocx")) == [
        "row id 7: field 'task': 'depth_prediction_ocx' is not a SPAR-Bench task"
    ]


def test_numeric_task_needs_a_number():
    (problem,) = problems_of(hub_row(3, answer="B"))
    assert problem.startswith("row id 3: field 'answer': 'B' is not a number in meters")


def test_choice_task_needs_an_option_letter():
    (problem,) = problems_of(hub_row(3, task="obj_spatial_relation_oo", answer="1.5"))
    assert "is not an option letter" in problem


def test_motion_answer_needs_known_keys_and_numbers():
    assert "known motion key" in problems_of(hub_row(1, task="view_change_infer", answer="move_sideways:1"))[0]
    assert "no numeric value" in problems_of(hub_row(1, task="view_change_infer", answer="move_left:far"))[0]
    assert problems_of(hub_row(1, task="view_change_infer", answer="move_left:0.5,rotate_up:10")) == []


def test_missing_images_are_reported():
    assert problems_of(hub_row(5, images=0)) == ["row id 5: field 'image': no images"]


def test_more_than_five_images_are_reported():
    assert "6 images" in problems_of(hub_row(5, images=6))[0]


def test_undecodable_image_is_reported():
    row = hub_row(5)
    row["image"] = [{"bytes": b"not an image", "path": None}]
    assert "image 0 cannot be decoded" in problems_of(row)[0]


def test_empty_question_is_reported():
    assert problems_of(hub_row(2, question="  ")) == ["row id 2: field 'question': empty"]


def test_duplicate_ids_are_reported():
    with pytest.raises(DatasetRowError, match="row id 4: field 'id': duplicate id"):
        validate_rows([hub_row(4), hub_row(4)], "test.parquet")


def test_row_error_names_the_source_and_every_problem():
    with pytest.raises(DatasetRowError) as error:
        validate_rows([hub_row(1, task="nope"), hub_row(2, answer="")], "bad.parquet")
    message = str(error.value)
    assert message.startswith("bad.parquet: 2 invalid row(s)")
    assert "row id 1: field 'task'" in message and "row id 2: field 'answer': answer is empty" in message


def test_local_parquet_loads_and_validates(tmp_path):
    path = write_hub_parquet(tmp_path / "mine.parquet", [hub_row(0), hub_row(1, task="position_matching", answer="C")])
    questions = load_questions(str(path))
    assert [q.id for q in questions] == [0, 1]
    assert questions[1].task == "position_matching"
    assert questions[0].images == (png_bytes(),)


def test_local_folder_loads(tmp_path):
    write_hub_parquet(tmp_path / "test-00000-of-00001.parquet", [hub_row(0)])
    assert len(load_dataset(str(tmp_path))) == 1


def test_bad_row_in_local_parquet_fails_the_load(tmp_path):
    path = write_hub_parquet(tmp_path / "bad.parquet", [hub_row(0), hub_row(9, task="depth_prediction_ocx")])
    with pytest.raises(DatasetRowError, match="row id 9: field 'task'"):
        load_dataset(str(path))


def test_missing_local_file_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="no such file or folder"):
        load_dataset(str(tmp_path / "absent.parquet"))


def test_unreachable_hub_dataset_explains_how_to_use_a_local_copy(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setattr("datasets.config.HF_HUB_OFFLINE", True, raising=False)
    with pytest.raises(DatasetUnavailableError) as error:
        load_dataset("jasonzhango/SPAR-Bench-Tiny")
    message = str(error.value)
    assert "no cached copy" in message
    assert "--local-dir DIR" in message and "pass the folder DIR" in message


def test_fingerprint_ignores_row_order():
    rows = [(2, "depth_prediction_oc", "q2", "1.0"), (1, "position_matching", "q1", "A")]
    assert fingerprint(rows) == fingerprint(list(reversed(rows)))


def test_fingerprint_changes_with_an_answer():
    rows = [(1, "position_matching", "q1", "A")]
    assert fingerprint(rows) != fingerprint([(1, "position_matching", "q1", "B")])


def test_fingerprint_is_the_documented_sha256():
    import hashlib

    expected = hashlib.sha256(b'[1, "position_matching", "q1", "A"]\n').hexdigest()
    assert fingerprint([(1, "position_matching", "q1", "A")]) == expected


def test_dataset_fingerprint_matches_row_fingerprint(tmp_path):
    path = write_hub_parquet(tmp_path / "mine.parquet", [hub_row(0), hub_row(1)])
    dataset = load_dataset(str(path))
    rows = [(r["id"], r["task"], r["question"], r["answer"]) for r in (hub_row(0), hub_row(1))]
    assert dataset_fingerprint(dataset) == fingerprint(rows)
