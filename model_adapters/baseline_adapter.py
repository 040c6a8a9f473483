"""The baselines behind the adapter interface, for `spar-bench run`.

A baseline answers from the questions' text and reference answers, which the runner hands over when it
builds the adapter; requests are matched to questions by id.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from spar_bench.model_adapters.arguments import ModelArgsError
from spar_bench.model_adapters.base import Request, Response, request_key
from spar_bench.model_adapters.baselines import BASELINES, BaselineQuestion


class BaselineAdapter:
    """`frequency`, `random` (`seed=N`) or `oracle`, answering the given questions."""

    def __init__(self, name: str, questions: Sequence[BaselineQuestion], *, seed: int = 0):
        if name not in BASELINES:
            raise ModelArgsError(f"unknown baseline {name!r}; choose one of: {', '.join(BASELINES)}")
        baseline = BASELINES[name](seed) if name == "random" else BASELINES[name]()
        # Answers are computed over the whole evaluated set at once (the frequency baseline needs it).
        self._answers = dict(zip((q.id for q in questions), baseline.answer(questions)))
        self.identity = {"adapter": "baseline", "baseline": name, **({"seed": seed} if name == "random" else {})}

    def generate(self, requests: Sequence[Request], on_response: Callable[[Response], None]) -> None:
        for request in requests:
            start = time.perf_counter()
            text = self._answers[request.question_id]
            key = request_key(self.identity, request)
            on_response(
                Response(
                    key,
                    request.question_id,
                    request.task,
                    text,
                    latency_s=time.perf_counter() - start,
                    finish_reason="stop",
                )
            )  # a baseline's answer is whole: never cut by a limit
