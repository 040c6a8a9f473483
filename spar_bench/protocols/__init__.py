"""Scoring protocols: a response and its reference answer in, a `SampleScore` out.

`official` reproduces the released scorer exactly; `strict` scores only the answer a response states and is
the default headline. Both are always computed from the same responses.
"""

from __future__ import annotations

from spar_bench.errors import ScoringInputError
from spar_bench.protocols.base import BatchScores, Parsed, SampleScore, ScoringProtocol
from spar_bench.protocols.official import OfficialProtocol
from spar_bench.protocols.strict import StrictProtocol

PROTOCOLS: dict[str, ScoringProtocol] = {"strict": StrictProtocol(), "official": OfficialProtocol()}
DEFAULT_PROTOCOL = "strict"
PROTOCOL_NAMES: tuple[str, ...] = tuple(PROTOCOLS)  # ("strict", "official"): the order every table shows them in
SCORER_VERSION = "+".join(f"{name}-{protocol.version}" for name, protocol in PROTOCOLS.items())


class UnknownProtocolError(ScoringInputError, ValueError):
    """A protocol name that is not `strict` or `official`."""


def get_protocol(name: str) -> ScoringProtocol:
    """The protocol called `name`; raises UnknownProtocolError (a ValueError) listing the known ones."""
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise UnknownProtocolError(
            f"unknown scoring protocol {name!r}; choose one of: {', '.join(PROTOCOLS)}"
        ) from None


__all__ = [
    "BatchScores",
    "DEFAULT_PROTOCOL",
    "PROTOCOLS",
    "SCORER_VERSION",
    "OfficialProtocol",
    "Parsed",
    "SampleScore",
    "ScoringProtocol",
    "StrictProtocol",
    "get_protocol",
]
