"""The blind audit: text-only attacks on the synthetic multiple-choice questions stay at chance, and the audit
itself notices a set whose answers can be read off the text."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from spar_bench.synth import audit
from spar_bench.synth.blind_items import COMPASS
from spar_bench.synth.camera import make_camera
from spar_bench.synth.dataset import main as synth_main
from spar_bench.synth.plans import answer_universe
from spar_bench.synth.questions_relations import relation_triple
from spar_bench.tasks_spec import TASKS, AnswerKind

PER_TASK = 100
MAX_EXCESS = 0.08  # the bar: chance + 8 points at 100 questions per task
CHOICE_TASKS = [t.task_id for t in TASKS if t.answer_kind is AnswerKind.CHOICE]


@pytest.fixture(scope="module")
def seeds() -> tuple[list[audit.BlindItem], list[audit.BlindItem]]:
    # Two seeds the embedded set does not use; small renderings keep this fast (visibility is all they decide).
    return audit.generated_items(101, PER_TASK), audit.generated_items(102, PER_TASK)


@pytest.fixture(scope="module")
def results(seeds) -> list[audit.TaskAudit]:
    return audit.audit(*seeds)


def by_task(items: list[audit.BlindItem]) -> dict[str, list[audit.BlindItem]]:
    out: dict[str, list[audit.BlindItem]] = {}
    for item in items:
        out.setdefault(item.task, []).append(item)
    return out


# ---------------------------------------------------------------- the generated sets


def test_every_choice_task_is_audited(results):
    assert [r.task for r in results] == CHOICE_TASKS
    assert all(r.n == PER_TASK and r.chance == 0.25 for r in results)


@pytest.mark.parametrize("task", CHOICE_TASKS)
def test_text_alone_does_not_beat_chance_by_more_than_8_points(results, task):
    result = next(r for r in results if r.task == task)
    assert result.excess <= MAX_EXCESS, (
        f"{task}: {result.selected} answers {100 * result.accuracy:.1f} % from the text (chance "
        f"{100 * result.chance:.0f} %); every attack: {result.attacks}"
    )


@pytest.mark.parametrize("task", [t for t in CHOICE_TASKS if answer_universe(t)])
def test_correct_options_are_balanced_over_every_option_the_task_can_take(seeds, task):
    universe = answer_universe(task)
    for items in seeds:
        counts = Counter(it.options[it.answer] for it in by_task(items)[task])
        assert set(counts) == set(universe)
        assert max(counts.values()) - min(counts.values()) <= 1


@pytest.mark.parametrize("task", [t for t in CHOICE_TASKS if answer_universe(t)])
def test_every_option_is_offered_about_as_often_as_it_is_correct(seeds, task):
    # Distractors come from the same list as answers: an option's share among the offered equals its share
    # among the correct, so how often a text shows up says nothing about whether it is right.
    items = by_task(seeds[0])[task] + by_task(seeds[1])[task]
    offered = Counter(o for it in items for o in it.options)
    correct = Counter(it.options[it.answer] for it in items)
    for text in answer_universe(task):
        assert abs(correct[text] / len(items) - offered[text] / (4 * len(items))) < 0.06, text


def test_relations_to_a_camera_take_every_slot_value(seeds):
    slots = [set(), set(), set()]
    for it in by_task(seeds[0])["obj_spatial_relation_oc_mv"]:
        for i, value in enumerate(it.options[it.answer].split(",")):
            slots[i].add(value.strip())
    assert slots == [{"left", "right", ""}, {"above", "below", ""}, {"front", "behind"}]


def test_camera_motion_spots_are_not_special_by_place(seeds):
    # The classic leak: the true floor spot is the one nearest the bottom centre of the image.
    items = by_task(seeds[0])["camera_motion_infer"] + by_task(seeds[1])["camera_motion_infer"]
    nearest = [int(np.argmin([m["to_bottom_centre"] for m in audit.option_measures(it.options)])) for it in items]
    assert np.mean(np.array(nearest) == np.array([it.answer for it in items])) <= 0.25 + MAX_EXCESS


# ---------------------------------------------------------------- the audit itself


def _leaky(task: str, n: int, seed: int) -> list[audit.BlindItem]:
    """Direction questions whose answer is always the option farthest from the other three."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        answer = int(rng.integers(4))
        truth = int(rng.integers(8))
        near = [(truth + 4 + k) % 8 for k in (-1, 0, 1)]  # the three distractors bunch opposite the answer
        options = [COMPASS[d] for d in near]
        options.insert(answer, COMPASS[truth])
        out.append(audit.BlindItem(task, "Where is it?", tuple(options), answer))
    return out


def test_the_audit_catches_an_isolated_answer():
    result = audit.audit_task(_leaky("spatial_imagination_oo", 60, 0), _leaky("spatial_imagination_oo", 60, 1))
    assert result.accuracy > 0.9 and result.selected == "isolation (max or min)"


def test_the_audit_catches_a_prior_over_option_texts():
    def skewed(seed: int) -> list[audit.BlindItem]:
        rng = np.random.default_rng(seed)
        items = []
        for _ in range(80):
            answer = int(rng.integers(4))
            others = ["left, below, front", "right, , front", ", below, front"]
            options = [others[int(i)] for i in rng.permutation(3)]
            options.insert(answer, "left, above, behind" if rng.random() < 0.8 else "right, above, front")
            items.append(audit.BlindItem("obj_spatial_relation_oc_mv", "Where?", tuple(options), answer))
        return items

    assert audit.audit_task(skewed(0), skewed(1)).accuracy > 0.9


def test_always_letter_is_chance_on_balanced_letters():
    items = [audit.BlindItem("position_matching", "", ("a", "b", "c", "d"), i % 4) for i in range(40)]
    predict = audit.always_letter().fit(items)
    assert np.mean(predict(items) == np.array([it.answer for it in items])) == 0.25


def test_blind_item_reads_empty_slots_and_skips_numeric_questions():
    item = audit.blind_item(
        "obj_spatial_relation_oo",
        "Where? A. left, , closer B. right, above, farther C. , below, closer D. left, below, farther",
        "C",
    )
    assert item.options == ("left, , closer", "right, above, farther", ", below, closer", "left, below, farther")
    assert item.answer == 2 and item.stem == "Where?"
    assert audit.blind_item("depth_prediction_oc", "What is the depth of the lamp?", "1.5") is None


def test_audit_needs_two_seeds():
    with pytest.raises(ValueError, match="two seeds"):
        audit.audit_task([], _leaky("spatial_imagination_oo", 4, 0))


def test_synth_audit_command_prints_the_table(capsys):
    assert synth_main(["--audit", "--seed", "5", "--per-task", "8", "--max-excess", "100"]) == 0
    out = capsys.readouterr().out
    assert "| task |" in out and all(task in out for task in CHOICE_TASKS)


# ---------------------------------------------------------------- margins the questions keep


def test_closer_and_farther_are_not_asked_where_depth_and_distance_disagree():
    camera = make_camera((0.0, 0.0, 1.5), yaw=np.pi / 2, pitch=0.0)  # looking along +y
    anchor = np.array([3.0, 2.0, 1.5])  # 2 m deep, 3.6 m away
    deeper_but_nearer = np.array([0.0, 2.5, 1.5])  # 2.5 m deep, 2.5 m away
    assert relation_triple(camera, deeper_but_nearer, anchor) is None
    assert relation_triple(camera, np.array([0.0, 5.0, 1.5]), anchor) == "left, , farther"


def test_synth_audit_reads_two_parquet_files(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    for seed in (0, 1):
        items = _leaky("spatial_imagination_oo", 40, seed)
        rows = [
            {
                "task": it.task,
                "answer": "ABCD"[it.answer],
                "question": it.stem + " " + " ".join(f"{'ABCD'[i]}. {o}" for i, o in enumerate(it.options)),
            }
            for it in items
        ]
        pq.write_table(pa.Table.from_pylist(rows), tmp_path / f"{seed}.parquet")
    assert synth_main(["--audit-files", str(tmp_path / "0.parquet"), str(tmp_path / "1.parquet")]) == 1
    assert "spatial_imagination_oo" in capsys.readouterr().out


def test_the_answer_schedule_has_no_block_structure():
    # Balanced over the whole task, not block by block: blocks of four permutations would let the answers of
    # earlier rows tell which letters later rows can still take.
    import numpy as np

    from spar_bench.synth.dataset import balanced_letters

    letters = balanced_letters(np.random.default_rng(0), 400)
    assert {letters.count(letter) for letter in "ABCD"} == {100}
    blocks = [letters[i : i + 4] for i in range(0, 400, 4)]
    assert sum(sorted(block) == list("ABCD") for block in blocks) < 30  # about 9 of 100 by chance
