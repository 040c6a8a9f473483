"""`spar-bench run`: questions -> prompts -> adapter -> journal -> both protocols -> results, resumable.

Everything a run produces lives in its output folder: `journal.jsonl` (every response as it arrived),
`predictions.jsonl` (one line per question: id, task, question, answer, prediction, latency, error, finish
reason and each protocol's reading; `spar-bench score` on it gives the run's own scores) and `results.json`
(both protocols' summaries with their diagnostics, and the run's metadata). Running the same command again
skips every question the journal already answered.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.text import Text

from spar_bench import __version__
from spar_bench.aggregate import Summary
from spar_bench.data import Question, dataset_fingerprint, iter_questions, load_dataset
from spar_bench.errors import DataError
from spar_bench.journal import Journal
from spar_bench.model_adapters.arguments import parse_model_args  # noqa: F401 - 0.2's callers import it from here
from spar_bench.model_adapters.base import GenerationSettings, ModelAdapter, Request, Response, request_key
from spar_bench.model_adapters.registry import make_adapter
from spar_bench.prompts import build_prompt
from spar_bench.protocols import SCORER_VERSION, BatchScores
from spar_bench.redact import redact_args
from spar_bench.run_folder import OutputLock, identity_change, record_identity, record_servers
from spar_bench.scoring import (
    Predictions,
    TruncationCount,
    protocol_names,
    sample_record,
    score_predictions,
    summarize_scores,
    summary_json,
    truncation_counts,
)
from spar_bench.task_sets import resolve_task_set


@dataclass
class RunOutcome:
    results: dict
    failed_ids: list
    answered_now: int
    answered_before: int
    stopped: str | None = None  # why the adapter stopped early (the server's own words), if it did
    answered: int = 0  # questions of this run with an answer in the journal, now
    summaries: dict[str, Summary] | None = None  # per protocol, None when nothing was answered
    truncation: dict[str, TruncationCount] = field(default_factory=dict)  # per task: answers cut at the token limit
    synthetic: bool = False  # every question came from a synthetic set


def first_per_task(questions: Sequence[Question], limit: int | None) -> list[Question]:
    """The first `limit` questions of each task, in dataset order; all when `limit` is None. Raises DataError
    for a limit below 1."""
    if limit is None:
        return list(questions)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise DataError(f"--limit must be a whole number of questions per task, 1 or more; got {limit!r}")
    taken: dict[str, int] = {}
    kept = []
    for q in questions:
        if taken.get(q.task, 0) < limit:
            taken[q.task] = taken.get(q.task, 0) + 1
            kept.append(q)
    return kept


def load_run_questions(tasks: Sequence[str], data: str | None) -> tuple[list[Question], str, str]:
    """(questions, data source, fingerprint) of the task sets named (one dataset per run)."""
    resolved = [resolve_task_set(name) for name in tasks]
    sources = {source for source, _ in resolved}
    if len(sources) > 1 and data is None:
        raise DataError(f"--tasks mixes datasets ({', '.join(sorted(sources))}); run them separately")
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
    """Ask every question not yet answered in the journal, then write predictions and results.

    One run at a time per output folder (a second raises `OutputLockedError`). When the adapter stops early
    (`AdapterStopped`: its server cannot answer) the outcome says why in `stopped`; what was answered stays in
    the journal. A `results.json` of an earlier run is removed first, so a run that ends with failures never
    leaves stale scores beside its predictions; the new one says `"complete": false` when some failed.
    """
    questions, source, fingerprint = load_run_questions(tasks, data)
    questions = first_per_task(questions, limit)
    adapter = (adapter_factory or make_adapter)(model, model_args, questions)
    requests = [Request(q.id, q.task, build_prompt(q.task, q.question), q.images, settings) for q in questions]
    keys = [request_key(adapter.identity, r) for r in requests]
    output.mkdir(parents=True, exist_ok=True)
    with OutputLock(output), Journal(output / "journal.jsonl") as journal:
        for line in journal.damaged:
            print(f"spar-bench run: {line}", file=sys.stderr)
        identity = {"adapter": adapter.identity, "generation_settings": settings.as_dict()}
        if (change := identity_change(output, identity)) is not None:
            ignored = len(set(journal.answered_keys()) - set(keys))
            fields = ", ".join(f"{name} {old!r} -> {new!r}" for name, (old, new) in change.items())
            print(
                f"spar-bench run: {ignored} journaled answer(s) in {output} were made by another model identity "
                f"({fields}) and are ignored (they stay in the journal); give each model its own --output",
                file=sys.stderr,
            )
            record_identity(output, identity)
        (output / "results.json").unlink(missing_ok=True)
        answered_before = sum(1 for key in keys if journal.answered(key) is not None)
        with _progress(show_progress, adapter) as progress:
            bar = progress.add_task("answering", total=None, failures=0)
            responses, stopped = ask_unanswered(
                adapter,
                requests,
                keys,
                journal,
                on_start=lambda pending: progress.update(bar, total=pending),
                on_response=lambda response, failures: progress.update(bar, advance=1, failures=failures),
            )
        served = record_servers(output, getattr(adapter, "answers_per_server", {}) or {})

        predictions = _predictions(questions, responses)
        scored = score_predictions(predictions, protocol_names("both")) if predictions.ids else {}
        _write_predictions(output / "predictions.jsonl", questions, responses, scored)
        summaries = summarize_scores(scored) if scored else None
        results = {
            "complete": not predictions.failed,
            "n_failed": len(predictions.failed),
            "protocols": summary_json(summaries, predictions, diagnostics=True) if summaries else None,
            "metadata": {
                "model": model,
                "model_args": redact_args(model_args),
                "adapter": adapter.identity,
                "answered_by": served,
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
    failed_ids = [f["id"] for f in predictions.failed]
    answered = sum(1 for key in keys if journal.answered(key) is not None)
    return RunOutcome(
        results,
        failed_ids,
        journal.answered_since_open(),
        answered_before,
        stopped,
        answered,
        summaries=summaries,
        truncation=truncation_counts(predictions),
        synthetic=bool(questions) and all(q.source == "synthetic" for q in questions),
    )


def ask_unanswered(
    adapter: ModelAdapter,
    requests: Sequence[Request],
    keys: Sequence[str],
    journal: Journal,
    *,
    earlier: dict[str, Response] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_response: Callable[[Response, int], None] | None = None,
) -> tuple[list[Response | None], str | None]:
    """(one response per request, why the adapter stopped early or None).

    A request already answered in `earlier` or in the journal is not asked again; the others go to the adapter
    and every response is journaled as it arrives. A request whose try failed gets its failed response (the
    journal keeps failures for the record but never counts them as answered, so a rerun asks again). When the
    adapter stops early (`AdapterStopped`: its server cannot answer), the requests it did not answer get their
    last failed response or None, and the reason is returned. `on_start` gets the number of requests to ask;
    `on_response` each response and how many requests are failing so far.
    """
    from spar_bench.model_adapters.health import AdapterStopped

    earlier = earlier or {}
    pending = [r for r, key in zip(requests, keys) if key not in earlier and journal.answered(key) is None]
    if on_start:
        on_start(len(pending))
    failing: set[str] = set()

    def record(response: Response) -> None:
        journal.append(response)
        if response.failed:
            failing.add(response.key)
        else:
            failing.discard(response.key)
        if on_response:
            on_response(response, len(failing))

    stopped = None
    if pending:
        try:
            adapter.generate(pending, record)
        except AdapterStopped as stop:
            stopped = stop.reason
    return [earlier.get(key) or journal.answered(key) or journal.failed(key) for key in keys], stopped


def _predictions(questions: Sequence[Question], responses: Sequence[Response | None]) -> Predictions:
    """The answered questions, column by column, in question order; the others listed as failed."""
    predictions = Predictions()
    for q, response in zip(questions, responses):
        if response is None or response.failed:
            error = "no response" if response is None else response.error
            predictions.failed.append({"id": q.id, "task": q.task, "error": error})
            continue
        predictions.append(q.id, q.task, q.answer, response.text, q.question, response.truncated)
    return predictions


def _write_predictions(
    path: Path, questions: Sequence[Question], responses: Sequence[Response | None], scored: dict[str, BatchScores]
) -> None:
    """One line per question: id, task, question, answer, prediction, latency, error, finish_reason, truncated
    (null when unknown) and `scores`, each protocol's reading of the answer (`sample_record`: score, parsed,
    unparsed_reason, span, rule; null for a failed request). With the question text in it, `spar-bench score`
    on this file gives the run's own scores."""
    answered = 0
    with open(path, "w", encoding="utf-8") as handle:
        for q, response in zip(questions, responses):
            error = "no response" if response is None else response.error
            scores = None
            if error is None:
                scores = {name: sample_record(batch.sample(answered)) for name, batch in scored.items()}
                answered += 1
            handle.write(
                json.dumps(
                    {
                        "id": q.id,
                        "task": q.task,
                        "question": q.question,
                        "answer": q.answer,
                        "prediction": None if response is None else response.text,
                        "latency": None if response is None else response.latency_s,
                        "error": error,
                        "finish_reason": None if response is None else response.finish_reason,
                        "truncated": None if response is None else response.truncated,
                        "scores": scores,
                    },
                    ensure_ascii=False,
                    allow_nan=False,
                )
                + "\n"
            )


class _RateColumn(ProgressColumn):
    def render(self, task) -> Text:
        return Text(f"{task.speed or 0.0:.1f} req/s")


class _InFlightColumn(ProgressColumn):
    """Requests in flight and the age of the oldest, for adapters that tell (`in_flight()`): a stall shows."""

    def __init__(self, in_flight: Callable[[], tuple[int, float]]):
        super().__init__()
        self._in_flight = in_flight

    def render(self, task) -> Text:
        count, oldest = self._in_flight()
        return Text(f"in flight: {count}, oldest {oldest:.0f} s" if count else "in flight: 0")


def _progress(enabled: bool, adapter: ModelAdapter | None = None) -> Progress:
    in_flight = getattr(adapter, "in_flight", None)
    extra = [_InFlightColumn(in_flight)] if callable(in_flight) else []
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeRemainingColumn(),
        TextColumn("failures: {task.fields[failures]}"),
        *extra,
        disable=not enabled,
        transient=False,
    )
