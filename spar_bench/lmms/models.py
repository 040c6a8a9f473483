"""The lmms-eval model classes, one per entry of `spar_bench.model_adapters.registry.MODELS` (`SparOracle` for
`spar_oracle`, ...): the baselines, and the journaled adapters (`spar_hf`, `spar_openai`).

The baselines read the question and answer of each request's row from the evaluated dataset (never the
images), so `--model spar_oracle --tasks spar_bench_synth` runs offline in seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

from lmms_eval.api.instance import Instance
from lmms_eval.api.model import lmms

from spar_bench.errors import RequestError
from spar_bench.model_adapters.arguments import ModelArgsError, settable_parameters
from spar_bench.model_adapters.base import ModelAdapter, Response
from spar_bench.model_adapters.baselines import BaselineQuestion
from spar_bench.model_adapters.registry import MODELS, ModelEntry, check_model_args_of, make_adapter, make_baseline


class FailedRequestsError(RequestError, RuntimeError):
    """Requests that failed even after the adapter's retries; they are journaled, never handed over to be scored."""


def _checked_model(cls, model: str, arg_string: str, additional_config: dict | None):
    """Build one of our models from lmms-eval's `--model_args` after checking them against the adapter's signature.

    A bad argument ends the process with one line and exit status 2: lmms-eval would print a traceback for
    any exception and exit 0 with nothing evaluated, but lets SystemExit through.
    """
    from lmms_eval import utils

    args = utils.simple_parse_args_string(arg_string or "")
    try:
        check_model_args_of(model, {k: str(v) for k, v in args.items()}, lmms_eval=True)
    except ModelArgsError as error:
        print(f"spar-bench: --model_args: {error}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    extra = {k: v for k, v in (additional_config or {}).items() if v is not None}
    return cls(**args, **extra)


class SparBaselineModel(lmms):
    """A baseline (`registry.make_baseline`) answering every request of a run at once, so frequency is counted
    over the whole evaluated set."""

    model_name = ""  # the registry's name, whose model arguments are checked before the model is built

    @classmethod
    def create_from_arg_string(cls, arg_string: str, additional_config: dict | None = None):
        return _checked_model(cls, cls.model_name, arg_string, additional_config)

    # lmms-eval always passes batch_size, and max_batch_size / device when set; a baseline needs none of them.
    def __init__(self, batch_size: int | str = 1, max_batch_size=None, device=None, **model_args) -> None:
        super().__init__()
        unknown = set(model_args) - set(settable_parameters(MODELS[self.model_name].target()))
        if unknown:
            raise ModelArgsError(f"{type(self).__name__} got unknown model_args: {', '.join(sorted(unknown))}")
        self.baseline = make_baseline(self.model_name, {key: str(value) for key, value in model_args.items()})
        self._rows: dict[tuple[str, str], dict[str, list]] = {}

    def _question(self, request: Instance) -> BaselineQuestion:
        *_, doc_id, task, split = request.args
        if (task, split) not in self._rows:  # text columns only: no image is decoded
            columns = self.task_dict[task][split].select_columns(["id", "task", "question", "answer"])
            self._rows[(task, split)] = columns.to_dict()
        rows = self._rows[(task, split)]
        return BaselineQuestion(
            rows["id"][doc_id], rows["task"][doc_id], rows["question"][doc_id], rows["answer"][doc_id]
        )

    def generate_until(self, requests: list[Instance]) -> list[str]:
        return self.baseline.answer([self._question(request) for request in requests])

    def loglikelihood(self, requests):
        raise NotImplementedError("SPAR-Bench baselines only generate answers")

    def generate_until_multi_round(self, requests):
        raise NotImplementedError("SPAR-Bench baselines only generate answers")


class SparAdapterModel(lmms):
    """A spar-bench adapter behind lmms-eval, journaled: `spar_hf`, `spar_openai`.

    Prompts are lmms-eval's contexts (our task YAMLs build the released prompt); images are the row's stored
    bytes, in dataset order. Every response is appended to a journal as it arrives (model arg
    `journal=DIR`, default `$SPAR_BENCH_JOURNAL_DIR` or `~/.cache/spar_bench/journals`, one file per rank),
    so a rerun of the same command answers from it. A request that still fails ends the evaluation with an
    error listing the failed ids instead of handing lmms-eval a text to score.
    """

    model_name = ""  # the `spar-bench run` model name whose adapter this wraps

    @classmethod
    def create_from_arg_string(cls, arg_string: str, additional_config: dict | None = None):
        return _checked_model(cls, cls.model_name, arg_string, additional_config)

    def __init__(
        self, batch_size: int | str = 1, max_batch_size=None, device=None, journal: str | None = None, **model_args
    ) -> None:
        super().__init__()
        import os

        import torch
        from accelerate import Accelerator

        cpu = not torch.cuda.is_available()
        # On CPU only cpu=True makes accelerate start a gloo group; without it each process thinks it is alone.
        self.accelerator = Accelerator(cpu=cpu)
        self._rank, self._world_size = self.accelerator.process_index, self.accelerator.num_processes
        self._device = torch.device("cpu" if cpu else f"cuda:{self.accelerator.local_process_index}")
        self.model_args = {key: str(value) for key, value in model_args.items()}
        takes_device = "device" in settable_parameters(MODELS[self.model_name].target())
        if takes_device and not cpu and not {"device", "device_map"} & set(self.model_args):
            self.model_args["device"] = str(self._device)  # one GPU per rank, not every rank on cuda:0
        if str(batch_size) not in ("1", "None") and "batch_size" not in self.model_args:
            self.model_args["batch_size"] = str(batch_size)
        default_dir = os.environ.get("SPAR_BENCH_JOURNAL_DIR", str(Path.home() / ".cache" / "spar_bench" / "journals"))
        self.journal_dir = Path(journal or default_dir)
        self._adapter: ModelAdapter | None = None

    @property
    def device(self):
        return self._device

    def generate_until(self, requests: list[Instance]) -> list[str]:
        from spar_bench.data import Question, stored_rows
        from spar_bench.journal import Journal, answered_in
        from spar_bench.model_adapters.base import Request, request_key, settings_from_gen_kwargs
        from spar_bench.runner import ask_unanswered

        by_split: dict[tuple[str, str], list[int]] = {}
        for request in requests:
            *_, doc_id, task, split = request.args
            by_split.setdefault((task, split), []).append(doc_id)
        rows = {
            (task, split, doc_id): row
            for (task, split), doc_ids in by_split.items()
            for doc_id, row in zip(doc_ids, stored_rows(self.task_dict[task][split], doc_ids))
        }
        questions, prepared = [], []
        for request in requests:
            context, gen_kwargs, _, doc_id, task, split = request.args
            row = rows[(task, split, doc_id)]
            questions.append(Question(row["id"], row["task"], row["question"], row["answer"], row["images"]))
            prepared.append(
                Request(row["id"], row["task"], context, row["images"], settings_from_gen_kwargs(gen_kwargs))
            )
        if self._adapter is None:
            self._adapter = make_adapter(self.model_name, self.model_args, questions)
        adapter = self._adapter
        keys = [request_key(adapter.identity, r) for r in prepared]
        folder = self.journal_dir / f"{self.model_name}-{_identity_digest(adapter.identity)}"
        # every rank's file: a rerun may use another number of processes
        with Journal(folder / f"rank{self._rank}.jsonl") as journal:
            for line in journal.damaged:
                print(f"spar-bench: {line}", file=sys.stderr)
            earlier = answered_in(folder)
            responses, stopped = ask_unanswered(adapter, prepared, keys, journal, earlier=earlier)
        failed = [r.question_id for r, response in zip(prepared, responses) if response is None or response.failed]
        if failed:
            message = (
                f"{len(failed)} request(s) failed and must not be scored: ids {failed[:50]}"
                + (f"; stopped sending requests: {stopped}" if stopped else "")
                + f"; the journal (with their errors) is {folder}; run the same command again to retry them"
            )
            _report_failure_at_exit(f"SPAR-Bench evaluation with {self.model_name} FAILED: {message}")
            raise FailedRequestsError(message)
        return [response.text for response in cast("list[Response]", responses)]  # a None is in `failed` above

    def loglikelihood(self, requests):
        raise NotImplementedError("SPAR-Bench tasks only generate answers")

    def generate_until_multi_round(self, requests):
        raise NotImplementedError("SPAR-Bench tasks only generate answers")


# Set by `spar-bench lmms-eval`, which turns a failure into its own exit status 1.
EXIT_STATUS_HANDLED = False
_failures: list[str] = []


def _report_failure_at_exit(message: str) -> None:
    """Repeat `message` as the last line of the process and, under `python -m lmms_eval` (which logs the error
    and exits 0), make the exit status 1: only when a SPAR-Bench evaluation failed, after every other exit
    handler ran. Set SPAR_BENCH_LMMS_EXIT_STATUS=0 to keep lmms-eval's exit status."""
    import atexit

    print(message, file=sys.stderr, flush=True)
    if not _failures:
        atexit.register(_at_exit)
    _failures.append(message)


def _at_exit() -> None:
    import atexit
    import os

    for message in _failures:
        print(f"\n{message}", file=sys.stderr, flush=True)
    if EXIT_STATUS_HANDLED or os.environ.get("SPAR_BENCH_LMMS_EXIT_STATUS") == "0":
        return
    program = Path(sys.argv[0] if sys.argv else "")
    if not (program.name.replace("-", "_").startswith("lmms_eval") or program.parent.name == "lmms_eval"):
        return  # not lmms-eval's CLI (a test, a notebook): never end someone else's process
    try:
        atexit.unregister(_at_exit)
        atexit._run_exitfuncs()  # the handlers registered before ours still run
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)


def _identity_digest(identity: dict) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


def _model_class(entry: ModelEntry) -> type[lmms]:
    """The lmms-eval class for one registry entry: a baseline or a journaled adapter, named as the entry says."""
    base = SparBaselineModel if entry.baseline else SparAdapterModel
    namespace = {"model_name": entry.name, "__module__": __name__, "__doc__": f"`{entry.name}`: {entry.description}."}
    return type(entry.lmms_class, (base,), namespace)


# The classes lmms-eval imports by name (`spar_bench.lmms.models.SparOracle`, ...), one per registry entry.
globals().update({entry.lmms_class: _model_class(entry) for entry in MODELS.values()})
