"""Scoring protocols: a response and its reference answer in, a `SampleScore` out.

`official` reproduces the released scorer exactly.
"""

from __future__ import annotations

from spar_bench.protocols.base import Parsed, SampleScore, ScoringProtocol
from spar_bench.protocols.official import OfficialProtocol

PROTOCOLS: dict[str, ScoringProtocol] = {"official": OfficialProtocol()}
DEFAULT_PROTOCOL = "official"


def get_protocol(name: str) -> ScoringProtocol:
    """The protocol called `name`; raises ValueError listing the known ones."""
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise ValueError(f"unknown scoring protocol {name!r}; choose one of: {', '.join(PROTOCOLS)}") from None


__all__ = ["DEFAULT_PROTOCOL", "PROTOCOLS", "OfficialProtocol", "Parsed", "SampleScore", "ScoringProtocol", "get_protocol"]
