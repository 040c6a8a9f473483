"""The model registry: one entry per model name, read by `spar-bench run`, lmms-eval's entry point and docs/models.md."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
from conftest import REPO

from spar_bench.errors import ModelError
from spar_bench.model_adapters.arguments import ModelArgsError, boolean, parse_model_args, read_model_args
from spar_bench.model_adapters.baseline_adapter import BaselineAdapter
from spar_bench.model_adapters.baselines import BaselineQuestion, RandomBaseline
from spar_bench.model_adapters.registry import MODELS, check_model_args_of, make_adapter, make_baseline

NAMES = ["spar_frequency", "spar_random", "spar_oracle", "spar_hf", "spar_openai"]


def test_registry_lists_every_model_once_in_the_order_users_see():
    assert list(MODELS) == NAMES
    assert all(name == entry.name for name, entry in MODELS.items())
    assert len({entry.lmms_class for entry in MODELS.values()}) == len(MODELS)


def test_every_entry_names_a_class_that_can_be_imported_and_a_one_line_description():
    for entry in MODELS.values():
        assert inspect.isclass(entry.target()), entry.name
        assert entry.description and "\n" not in entry.description


def test_only_the_adapters_take_a_journal_under_lmms_eval():
    assert [entry.name for entry in MODELS.values() if entry.lmms_extra] == ["spar_hf", "spar_openai"]
    with pytest.raises(ModelArgsError, match="takes no model argument 'journal'"):
        check_model_args_of("spar_oracle", {"journal": "/tmp/j"}, lmms_eval=True)


def test_unknown_model_is_named_with_the_registry_choices():
    with pytest.raises(ModelArgsError, match=f"unknown model 'spar_gpt'; choose one of: {', '.join(NAMES)}$"):
        make_adapter("spar_gpt", {}, [])


def test_model_args_error_is_a_model_error_and_a_value_error():
    assert issubclass(ModelArgsError, ModelError) and issubclass(ModelArgsError, ValueError)


def test_a_baseline_model_is_its_baseline_behind_the_one_adapter():
    questions = [BaselineQuestion(1, "position_matching", "Which? A. x B. y", "B")]
    adapter = make_adapter("spar_random", {"seed": "3"}, questions)
    assert isinstance(adapter, BaselineAdapter)
    assert adapter.identity == {"adapter": "baseline", "baseline": "random", "seed": 3}
    assert make_adapter("spar_oracle", {}, questions).identity == {"adapter": "baseline", "baseline": "oracle"}


def test_make_baseline_reads_text_arguments_as_the_signature_says():
    baseline = make_baseline("spar_random", {"seed": "7"})
    assert isinstance(baseline, RandomBaseline) and baseline.seed == 7


def test_read_model_args_keeps_text_where_the_annotation_takes_text():
    def target(seed: int = 0, name: str = "", size: int | str | None = None, on: bool = False):
        return None

    assert read_model_args(target, {"seed": "3", "name": "7", "size": "8", "on": "yes"}) == {
        "seed": 3,
        "name": "7",
        "size": "8",
        "on": True,
    }


def test_parse_model_args_splits_items_and_names_a_malformed_one():
    assert parse_model_args("") == {}
    assert parse_model_args(" a = 1 ,b=x=y,") == {"a": "1", "b": "x=y"}
    with pytest.raises(ModelArgsError, match="--model-args item '=1' is not key=value"):
        parse_model_args("=1")


@pytest.mark.parametrize(("text", "value"), [("1", True), (" Yes ", True), ("ON", True), ("0", False), ("off", False)])
def test_boolean_reads_the_usual_words(text, value):
    assert boolean(text) is value


def test_boolean_passes_a_real_bool_and_rejects_anything_else():
    assert boolean(True) is True and boolean(False) is False
    for text in ("", "maybe", "2"):
        with pytest.raises(ValueError, match="not a boolean"):
            boolean(text)


def test_model_table_in_the_docs_is_what_the_registry_writes():
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_model_table.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_model_table_has_one_row_per_model():
    text = (REPO / "docs" / "models.md").read_text()
    for entry in MODELS.values():
        assert f"| `{entry.name}` | {entry.description} |" in text
