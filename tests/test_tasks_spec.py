import pytest

from spar_bench.tasks_spec import TASK_IDS, TASKS, Level, UnknownTaskError, ViewGroup, task_spec, tasks_in


def test_there_are_twenty_distinct_tasks():
    assert len(TASKS) == 20
    assert len(set(TASK_IDS)) == 20


def test_levels_hold_eight_three_and_nine_tasks():
    assert [len(tasks_in(level)) for level in Level] == [8, 3, 9]


def test_medium_level_includes_view_change_infer():
    assert tasks_in(Level.MEDIUM) == ("position_matching", "camera_motion_infer", "view_change_infer")


def test_view_groups_hold_eight_single_and_twelve_multi_view_tasks():
    assert len(tasks_in(ViewGroup.SINGLE)) == 8
    assert len(tasks_in(ViewGroup.MULTI)) == 12


def test_mv_suffix_matches_multi_view_group_for_object_tasks():
    for spec in TASKS:
        if spec.task_id.endswith("_mv"):
            assert spec.view is ViewGroup.MULTI


def test_unknown_task_error_names_the_id_and_lists_valid_ones():
    with pytest.raises(UnknownTaskError, match="'depth_prediction_ocx' is not a SPAR-Bench task.*depth_prediction_oc"):
        task_spec("depth_prediction_ocx")
