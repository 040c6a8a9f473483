"""Every model name spar-bench answers to, in one table: `spar-bench run`, lmms-eval's entry point and
docs/models.md (scripts/make_model_table.py) all read MODELS, so adding a model is one entry.

An entry names the class that answers (imported only when the model is used, so torch loads with `spar_hf`
alone); that class's keyword parameters are the model arguments both command lines accept. A baseline's class
is wrapped in `BaselineAdapter`; any other class is the adapter itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spar_bench.model_adapters.arguments import ModelArgsError, check_model_args, read_model_args

if TYPE_CHECKING:
    from spar_bench.data import Question
    from spar_bench.model_adapters.base import ModelAdapter
    from spar_bench.model_adapters.baselines import Baseline

# lmms-eval sets these itself (`--batch_size`, `--max_batch_size`, `--device`); given in --model_args too they
# would reach the constructor twice.
LMMS_INJECTED = {"batch_size": "--batch_size", "max_batch_size": "--max_batch_size"}
# What the journaled lmms-eval models take besides their adapter's arguments.
LMMS_JOURNAL_ARGS = ("journal",)


@dataclass(frozen=True)
class ModelEntry:
    """One model name (`--model NAME` on both command lines) and what each door needs to build it."""

    name: str
    description: str  # one line, for docs/models.md
    answerer: str  # "module:Class": the adapter, or the baseline a BaselineAdapter wraps
    lmms_class: str  # the lmms-eval model class `spar_bench.lmms.models` defines for this name
    baseline: bool = False  # answers from the questions' text; under lmms-eval, without a journal

    def target(self) -> Callable:
        """The class that answers; its keyword parameters are this model's arguments."""
        module, _, name = self.answerer.partition(":")
        return getattr(importlib.import_module(module), name)

    @property
    def lmms_extra(self) -> tuple[str, ...]:
        """Model arguments the lmms-eval class takes besides the answerer's."""
        return () if self.baseline else LMMS_JOURNAL_ARGS


_PACKAGE = "spar_bench.model_adapters"
MODELS: dict[str, ModelEntry] = {
    entry.name: entry
    for entry in (
        ModelEntry(
            "spar_frequency",
            "each task's most frequent answer in the evaluated set (the paper's \"Chance (Frequency)\" row)",
            f"{_PACKAGE}.baselines:FrequencyBaseline",
            "SparFrequency",
            baseline=True,
        ),
        ModelEntry(
            "spar_random",
            "a seeded uniform pick among a question's options, else among its task's answers",
            f"{_PACKAGE}.baselines:RandomBaseline",
            "SparRandom",
            baseline=True,
        ),
        ModelEntry(
            "spar_oracle",
            "the reference answer: 100 under both protocols",
            f"{_PACKAGE}.baselines:OracleBaseline",
            "SparOracle",
            baseline=True,
        ),
        ModelEntry(
            "spar_hf",
            "any Hugging Face image-text-to-text checkpoint, run locally (docs/adapters_hf.md)",
            f"{_PACKAGE}.hf:HFAdapter",
            "SparHF",
        ),
        ModelEntry(
            "spar_openai",
            "any OpenAI-compatible chat-completions server, vLLM first (docs/adapters_openai.md)",
            f"{_PACKAGE}.openai_server:OpenAIServerAdapter",
            "SparOpenAI",
        ),
    )
}


def check_model_args_of(model: str, args: Mapping[str, str], *, lmms_eval: bool = False) -> None:
    """`check_model_args` against `model`'s own answerer; a name that is not ours passes (the caller names it).

    Under lmms-eval (`lmms_eval=True`) `batch_size` and `max_batch_size` belong to lmms-eval's flags, and the
    journaled adapters also take `journal=DIR`.
    """
    entry = MODELS.get(model)
    if entry is None:
        return
    check_model_args(
        model,
        entry.target(),
        args,
        injected=LMMS_INJECTED if lmms_eval else None,
        extra=entry.lmms_extra if lmms_eval else (),
    )


def make_baseline(model: str, model_args: Mapping[str, str]) -> Baseline:
    """The baseline behind a baseline model name, built from its (checked) model arguments (`seed=3`)."""
    target = MODELS[model].target()
    return target(**read_model_args(target, model_args))


def make_adapter(model: str, model_args: dict[str, str], questions: Sequence[Question]) -> ModelAdapter:
    """The adapter for a model name: a baseline, `spar_hf` or `spar_openai`. Raises ModelArgsError (a
    ValueError) for a model argument the adapter does not take or cannot read, before anything is loaded."""
    check_model_args_of(model, model_args)
    entry = MODELS.get(model)
    if entry is None:
        raise ModelArgsError(f"unknown model {model!r}; choose one of: {', '.join(MODELS)}")
    if entry.baseline:
        from spar_bench.model_adapters.baseline_adapter import BaselineAdapter
        from spar_bench.model_adapters.baselines import BaselineQuestion

        baseline_questions = [BaselineQuestion(q.id, q.task, q.question, q.answer) for q in questions]
        return BaselineAdapter(make_baseline(model, model_args), baseline_questions)
    return entry.target()(**model_args)
