"""Kept for imports written against 0.2; the code lives in spar_bench.results.bundle, .verify, .prepare and .add."""

from spar_bench.reference import Reference, load_reference
from spar_bench.results.add import add
from spar_bench.results.bundle import (
    BUNDLE_FORMAT,
    DEFAULT_LIMITS,
    MANIFEST,
    MEMBERS,
    PREDICTIONS,
    SHORT_SOURCES,
    Limits,
    PrepareError,
    ReferenceDataRequired,
    Rejection,
    SubmissionError,
    json_nesting_depth,
    load_json_limited,
    read_bundle,
    write_bundle,
)
from spar_bench.results.prepare import prepare
from spar_bench.results.verify import Verdict, _parse_predictions, check_bundle, verify

__all__ = [
    "BUNDLE_FORMAT",
    "DEFAULT_LIMITS",
    "MANIFEST",
    "MEMBERS",
    "PREDICTIONS",
    "SHORT_SOURCES",
    "Limits",
    "PrepareError",
    "Reference",
    "ReferenceDataRequired",
    "Rejection",
    "SubmissionError",
    "Verdict",
    "_parse_predictions",
    "add",
    "check_bundle",
    "json_nesting_depth",
    "load_json_limited",
    "load_reference",
    "prepare",
    "read_bundle",
    "verify",
    "write_bundle",
]
