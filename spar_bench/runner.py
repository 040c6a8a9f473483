"""`spar-bench run`: questions -> prompts -> adapter -> journal -> both protocols -> results, resumable.

Everything a run produces lives in its output folder: `journal.jsonl` (every response as it arrived),
`predictions.jsonl` (one line per question: id, task, answer, prediction, latency, error) and
`results.json` (both protocols' summaries and the run's metadata). Running the same command again skips
every question the journal already answered.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.text import Text

from spar_bench import __version__
from spar_bench.data import Question, dataset_fingerprint, iter_questions, load_dataset
from spar_bench.journal import Journal
from spar_bench.model_adapters.base import GenerationSettings, ModelAdapter, Request, Response, request_key
from spar_bench.prompts import build_prompt
from spar_bench.protocols import SCORER_VERSION
from spar_bench.report import print_summary
from spar_bench.scoring import Predictions, protocol_names, score_predictions, summarize_scores, summary_json
from spar_bench.task_sets import resolve_task_set

BASELINE_MODELS = {"spar_frequency": "frequency", "spar_random": "random", "spar_oracle": "oracle"}


def parse_model_args(text: str) -> dict[str, str]:
    """`k=v,k2=v2` (lmms-eval's syntax) to a dict; raises ValueError naming a malformed item."""
    args = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--model-args item {item!r} is not key=value")
        args[key.strip()] = value.strip()
    return args


def make_adapter(model: str, model_args: dict[str, str], questions: Sequence[Question]) -> ModelAdapter:
    """The adapter for a model name: a baseline, `spar_hf` or `spar_openai`."""
    if model in BASELINE_MODELS:
        from spar_bench.model_adapters.baseline_adapter import BaselineAdapter
        from spar_bench.model_adapters.baselines import BaselineQuestion

        known = {"seed"}
        if unknown := set(model_args) - known:
            raise ValueError(f"{model} takes no model argument(s) {', '.join(sorted(unknown))}")
        baseline_questions = [BaselineQuestion(q.id, q.task, q.question, q.answer) for q in questions]
        return BaselineAdapter(BASELINE_MODELS[model], baseline_questions, seed=int(model_args.get("seed", 0)))
    if model == "spar_hf":
        from spar_bench.model_adapters.hf import HFAdapter

        return HFAdapter(**model_args)
    if model == "spar_openai":
        from spar_bench.model_adapters.openai_server import OpenAIServerAdapter

        return OpenAIServerAdapter(**model_args)
    raise ValueError(f"unknown model {model!r}; choose one of: {', '.join([*BASELINE_MODELS, 'spar_hf', 'spar_openai'])}")


@dataclass
class RunOutcome:
    results: dict
    failed_ids: list
    answered_now: int
    answered_before: int


def load_run_questions(tasks: Sequence[str], data: str | None) -> tuple[list[Question], str, str]:
    """(questions, data source, fingerprint) of the task sets named (one dataset per run)."""
    resolved = [resolve_task_set(name) for name in tasks]
    sources = {source for source, _ in resolved}
    if len(sources) > 1 and data is None:
        raise ValueError(f"--tasks mixes datasets ({', '.join(sorted(sources))}); run them separately")
    source = data or sources.pop()
    wanted = {task for _, task_ids in resolved for task in task_ids}
    dataset = load_dataset(source)
    dataset = dataset.filter(lambda task: task in wanted, input_columns="task")
    return list(iter_questions(dataset)), source, dataset_fingerprint(dataset)


def run(
    *,
    model: str,
    model_args: dict[str, str],
    tasks: Sequence[str],
    output: Path,
    data: str | None = None,
    settings: GenerationSettings = GenerationSettings(),
    limit: int | None = None,
    show_progress: bool = True,
    adapter_factory: Callable[..., ModelAdapter] | None = None,
) -> RunOutcome:
    """Ask every question not yet answered in the journal, then write predictions and results."""
    questions, source, fingerprint = load_run_questions(tasks, data)
    if limit is not None:
        questions = questions[:limit]
    adapter = (adapter_factory or make_adapter)(model, model_args, questions)
    requests = [Request(q.id, q.task, build_prompt(q.task, q.question), q.images, settings) for q in questions]
    keys = [request_key(adapter.identity, r) for r in requests]
    output.mkdir(parents=True, exist_ok=True)
    with Journal(output / "journal.jsonl") as journal, _progress(show_progress) as progress:
        bar = progress.add_task("answering", total=None, failures=0)
        responses, asked = ask_unanswered(
            adapter, requests, keys, journal,
            on_start=lambda pending: progress.update(bar, total=pending),
            on_response=lambda response, failures: progress.update(bar, advance=1, failures=failures),
        )
    failed_now = sum(1 for response in responses if response is not None and response.failed)

    predictions = _write_predictions(output / "predictions.jsonl", questions, responses)
    scored = score_predictions(predictions, protocol_names("both"))
    summaries = summarize_scores(scored)
    results = {
        "protocols": summary_json(summaries, predictions),
        "metadata": {
            "model": model,
            "model_args": model_args,
            "adapter": adapter.identity,
            "package_version": __version__,
            "scorer_version": SCORER_VERSION,
            "data_source": source,
            "dataset_fingerprint": fingerprint,
            "tasks": list(tasks),
            "n_questions": len(questions),
            "generation_settings": settings.as_dict(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    }
    (output / "results.json").write_text(json.dumps(results, indent=2))
    print_summary(summaries, title=f"SPAR-Bench: {model} on {', '.join(tasks)} (0-100, 95% intervals)")
    return RunOutcome(results, [f["id"] for f in predictions.failed], asked - failed_now, len(requests) - asked)


def ask_unanswered(
    adapter: ModelAdapter,
    requests: Sequence[Request],
    keys: Sequence[str],
    journal: Journal,
    *,
    earlier: dict[str, Response] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_response: Callable[[Response, int], None] | None = None,
) -> tuple[list[Response | None], int]:
    """(one response per request, how many were asked now).

    A request already answered in `earlier` or in the journal is not asked again; the others go to the adapter
    and every response is journaled as it arrives. A request whose try failed gets its failed response (the
    journal keeps failures for the record but never counts them as answered, so a rerun asks again).
    `on_start` gets the number of requests to ask; `on_response` each response and the failures so far.
    """
    earlier = earlier or {}
    failures: dict[str, Response] = {}
    pending = [r for r, key in zip(requests, keys) if key not in earlier and journal.answered(key) is None]
    if on_start:
        on_start(len(pending))

    def record(response: Response) -> None:
        journal.append(response)
        if response.failed:
            failures[response.key] = response
        else:
            failures.pop(response.key, None)
        if on_response:
            on_response(response, len(failures))

    if pending:
        adapter.generate(pending, record)
    return [earlier.get(key) or journal.answered(key) or failures.get(key) for key in keys], len(pending)


def _write_predictions(path: Path, questions: Sequence[Question], responses: Sequence[Response | None]) -> Predictions:
    predictions = Predictions()
    with open(path, "w", encoding="utf-8") as handle:
        for q, response in zip(questions, responses):
            error = "no response" if response is None else response.error
            text = None if response is None else response.text
            handle.write(json.dumps({
                "id": q.id, "task": q.task, "answer": q.answer, "prediction": text,
                "latency": None if response is None else response.latency_s, "error": error,
            }, ensure_ascii=False) + "\n")
            if error is not None:
                predictions.failed.append({"id": q.id, "task": q.task, "error": error})
                continue
            predictions.ids.append(q.id)
            predictions.tasks.append(q.task)
            predictions.answers.append(q.answer)
            predictions.predictions.append(text)
            predictions.questions.append(q.question)
    return predictions


class _RateColumn(ProgressColumn):
    def render(self, task) -> Text:
        return Text(f"{task.speed or 0.0:.1f} req/s")


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeRemainingColumn(),
        TextColumn("failures: {task.fields[failures]}"),
        disable=not enabled,
        transient=False,
    )
