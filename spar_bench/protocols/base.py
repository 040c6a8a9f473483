"""What every scoring protocol returns for one response, and the interface it implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol as _Protocol
from typing import Union

# What a protocol extracted from a response: a number (meters), an option letter or normalized text,
# the five motion components keyed by name, or None when nothing could be read.
Parsed = Union[float, str, dict[str, float], None]


@dataclass(frozen=True)
class SampleScore:
    """The score of one response under one protocol.

    `score` is in [0, 1]. `parsed` is what the protocol read from the response; when it could read
    nothing, `parsed` is None and `unparsed_reason` says why (the response still gets a score: the released
    protocol gives some unparsable responses credit, and that is what it is for).
    """

    task: str
    protocol: str
    score: float
    parsed: Parsed
    unparsed_reason: str | None = None

    @property
    def parse_failed(self) -> bool:
        return self.unparsed_reason is not None


class ScoringProtocol(_Protocol):
    """A way of turning (task, response, reference answer) into a SampleScore."""

    name: str
    version: str

    def score(self, task: str, prediction: str, answer: str) -> SampleScore: ...
