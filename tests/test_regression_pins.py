"""Regression guard: fixed prediction sets must score exactly as pinned under both protocols.

A failure here means a score changed. If the change is intended, rewrite the pins on purpose with
`python scripts/update_pins.py` and say in the commit which scores moved and why.
"""

from __future__ import annotations

import importlib.util
import json

import pytest
from conftest import REPO

PINS = REPO / "tests" / "pins"
_spec = importlib.util.spec_from_file_location("update_pins", REPO / "scripts" / "update_pins.py")
update_pins = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(update_pins)

HOW_TO_UPDATE = "a score changed; if intended, run `python scripts/update_pins.py` and commit the new pins"


@pytest.fixture(scope="module")
def built_sets() -> dict[str, list[dict]]:
    return update_pins.build_sets()


@pytest.mark.parametrize("name", update_pins.SETS)
def test_summaries_of_both_protocols_equal_the_pins(name):
    pinned = json.loads((PINS / "summaries.json").read_text())[name]
    summary, _ = update_pins.score_file(PINS / f"{name}.jsonl")
    assert set(summary) == {"strict", "official"}
    assert update_pins.differences(pinned, summary, name) == [], HOW_TO_UPDATE


@pytest.mark.parametrize("name", update_pins.SETS)
def test_every_sample_score_equals_the_pins(name):
    pinned = json.loads((PINS / "sample_scores.json").read_text())[name]
    _, samples = update_pins.score_file(PINS / f"{name}.jsonl")
    assert update_pins.differences(pinned, samples, name) == [], HOW_TO_UPDATE


@pytest.mark.parametrize("name", update_pins.SETS)
def test_pinned_prediction_sets_are_what_the_script_builds(name, built_sets):
    assert (PINS / f"{name}.jsonl").read_text(encoding="utf-8") == update_pins.jsonl(built_sets[name])


def test_pins_cover_every_task_and_known_reference_points():
    pinned = json.loads((PINS / "summaries.json").read_text())
    assert pinned["oracle"]["strict"]["overall"] == pinned["oracle"]["official"]["overall"] == 100.0
    for name in update_pins.SETS:
        assert len(pinned[name]["strict"]["tasks"]) == 20 and pinned[name]["strict"]["n_scored"] == 200
    messy = pinned["messy"]["strict"]["tasks"]
    assert any(task["parse_failure_rate"] > 0 for task in messy.values())  # the messy set exercises parsing


def test_a_change_beyond_the_tolerance_is_reported():
    pinned = {"overall": 50.0, "tasks": {"a": {"score": 10.0, "ci95": [1.0, 2.0]}}}
    moved = {"overall": 50.0 + 1e-12, "tasks": {"a": {"score": 10.0 + 1e-6, "ci95": [1.0, 2.0]}}}
    assert update_pins.differences(pinned, moved) == ["/tasks/a/score: pinned 10.0, now 10.000001"]
