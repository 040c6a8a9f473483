"""The baselines as lmms-eval models (`spar_frequency`, `spar_random`, `spar_oracle`).

They read the question and answer of each request's row from the evaluated dataset (never the images), so
`--model spar_oracle --tasks spar_bench_synth` runs offline in seconds.
"""

from __future__ import annotations

from lmms_eval.api.instance import Instance
from lmms_eval.api.model import lmms

from spar_bench.model_adapters.baselines import (
    BaselineQuestion,
    FrequencyBaseline,
    OracleBaseline,
    RandomBaseline,
)


class _SparBaseline(lmms):
    """Answers every request of a run at once, so frequency is counted over the whole evaluated set."""

    # lmms-eval always passes batch_size, and max_batch_size / device when set; a baseline needs none of them.
    def __init__(self, batch_size: int | str = 1, max_batch_size=None, device=None, **kwargs) -> None:
        super().__init__()
        if kwargs:
            raise ValueError(f"{type(self).__name__} got unknown model_args: {', '.join(sorted(kwargs))}")
        self.baseline = self._make_baseline()
        self._rows: dict[tuple[str, str], dict[str, list]] = {}

    def _make_baseline(self):
        raise NotImplementedError

    def _question(self, request: Instance) -> BaselineQuestion:
        *_, doc_id, task, split = request.args
        if (task, split) not in self._rows:  # text columns only: no image is decoded
            columns = self.task_dict[task][split].select_columns(["id", "task", "question", "answer"])
            self._rows[(task, split)] = columns.to_dict()
        rows = self._rows[(task, split)]
        return BaselineQuestion(rows["id"][doc_id], rows["task"][doc_id], rows["question"][doc_id], rows["answer"][doc_id])

    def generate_until(self, requests: list[Instance]) -> list[str]:
        return self.baseline.answer([self._question(request) for request in requests])

    def loglikelihood(self, requests):
        raise NotImplementedError("SPAR-Bench baselines only generate answers")

    def generate_until_multi_round(self, requests):
        raise NotImplementedError("SPAR-Bench baselines only generate answers")


class SparOracle(_SparBaseline):
    def _make_baseline(self):
        return OracleBaseline()


class SparFrequency(_SparBaseline):
    def _make_baseline(self):
        return FrequencyBaseline()


class SparRandom(_SparBaseline):
    def __init__(self, seed: int | str = 0, **kwargs) -> None:
        self.seed = int(seed)
        super().__init__(**kwargs)

    def _make_baseline(self):
        return RandomBaseline(self.seed)
