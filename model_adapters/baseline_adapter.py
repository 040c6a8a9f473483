"""The baselines behind the adapter interface, for `spar-bench run`.

A baseline answers from the questions' text and reference answers, which the runner hands over when it
builds the adapter; requests are matched to questions by id.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from spar_bench.model_adapters.base import Request, Response, request_key
from spar_bench.model_adapters.baselines import Baseline, BaselineQuestion


class BaselineAdapter:
    """A baseline (`registry.make_baseline`) answering the given questions."""

    def __init__(self, baseline: Baseline, questions: Sequence[BaselineQuestion]):
        # Answers are computed over the whole evaluated set at once (the frequency baseline needs it).
        self._answers = dict(zip((q.id for q in questions), baseline.answer(questions)))
        self.identity = {"adapter": "baseline", **baseline.identity}

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
