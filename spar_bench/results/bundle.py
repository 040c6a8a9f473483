"""The submission bundle: its format (a `.tar.gz` of `manifest.json` and `predictions.jsonl`), the caps it is read
under, and the two ends of it: `write_bundle` (reproducible bytes) and `read_bundle` (an untrusted archive read
as a stream, nothing extracted to disk). Checking and re-scoring a bundle is `spar_bench.results.verify`.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spar_bench.errors import BundleError

BUNDLE_FORMAT = 1
MANIFEST = "manifest.json"
PREDICTIONS = "predictions.jsonl"
MEMBERS = (MANIFEST, PREDICTIONS)


@dataclass(frozen=True)
class Limits:
    """Caps applied before and while a bundle is read; every one is checked without trusting the bundle."""

    max_bundle_bytes: int = 200 * 2**20  # compressed file on disk
    max_decompressed_bytes: int = 40 * 2**20  # everything gzip yields, tar headers and padding included
    max_manifest_bytes: int = 1 * 2**20
    # The full benchmark's predictions take about 3 MB; the cap is checked on the member's header, before a byte
    # of it is inflated, and again as it is read.
    max_predictions_bytes: int = 32 * 2**20
    max_line_bytes: int = 64 * 2**10  # one predictions line
    max_lines: int = 200_000  # lines of predictions.jsonl, blank ones included
    max_json_depth: int = 16
    max_members: int = 8
    max_seconds: float = 10.0  # wall time to inflate and read the archive


DEFAULT_LIMITS = Limits()


class SubmissionError(BundleError):
    """A submission could not be prepared or checked for a reason outside the bundle itself."""


class PrepareError(SubmissionError):
    """A run folder that cannot be packed; the message says what to fix."""


class ReferenceDataRequired(SubmissionError):
    """The manifest names a dataset that is not embedded: the verifier must name the reference data."""


@dataclass(frozen=True)
class Rejection:
    """One reason a bundle is rejected: a stable `code` (tests and tools match on it) and a message."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def write_bundle(
    out_path: str | Path, manifest: bytes, predictions: bytes, extra: Sequence[tuple[str, bytes]] = ()
) -> Path:
    """A `.tar.gz` of the manifest and predictions bytes with fixed times and owners (reproducible).
    `extra` members exist for tests that build hostile bundles."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(out_path, "wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar,
    ):
        for name, data in ((MANIFEST, manifest), (PREDICTIONS, predictions), *extra):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return out_path


# ---------------------------------------------------------------- reading a bundle


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


class _CappedStream:
    """Decompressed bytes of a gzip file, counted as they are read; past `cap` bytes or `deadline` (a
    `time.monotonic()` value) the read raises, so a compression bomb costs at most `cap` bytes of work."""

    def __init__(self, raw: io.BufferedReader, cap: int, deadline: float = float("inf")):
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")
        self._cap = cap
        self._deadline = deadline
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        if time.monotonic() > self._deadline:
            raise _TooSlow
        room = self._cap + 1 - self.count
        want = min(room, 2**20) if size is None or size < 0 else min(size, room, 2**20)
        data = self._gzip.read(max(want, 1))
        self.count += len(data)
        if self.count > self._cap:
            raise _TooLarge
        return data


def _member_problem(member: tarfile.TarInfo) -> Rejection | None:
    name = member.name
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in re.split(r"[/\\]", name):
        return Rejection("unsafe_member_name", f"member {name!r} is an absolute path or climbs out with '..'")
    if member.issym() or member.islnk():
        return Rejection("link_member", f"member {name!r} is a link (to {member.linkname!r}); only files are accepted")
    if not member.isreg():
        return Rejection("special_member", f"member {name!r} is not a regular file (directory, device or fifo)")
    if name not in MEMBERS:
        return Rejection("unexpected_member", f"member {name!r} is not one of {', '.join(MEMBERS)}")
    return None


def read_bundle(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> tuple[dict[str, bytes], list[Rejection]]:
    """({member name: bytes} of the expected members, rejections) without extracting anything to disk.

    The archive is read as a stream: the file size is checked first, the decompressed size is counted as
    it is inflated, member headers are checked before their data is read, and reading stops at the first
    structural problem.
    """
    path = Path(path)
    if not path.is_file():
        return {}, [Rejection("not_a_file", f"{path} is not a regular file")]
    size = path.stat().st_size
    if size > limits.max_bundle_bytes:
        return {}, [Rejection("bundle_too_large", f"the bundle is {size} bytes; the cap is {limits.max_bundle_bytes}")]
    with open(path, "rb") as raw:
        magic = raw.read(4)
        if magic[:2] != b"\x1f\x8b":
            kind = "a zip archive" if magic == b"PK\x03\x04" else "not gzip-compressed"
            return {}, [
                Rejection(
                    "not_a_bundle", f"the bundle is {kind}; make one with `spar-bench submit prepare` (a .tar.gz)"
                )
            ]
        raw.seek(0)
        stream = _CappedStream(raw, limits.max_decompressed_bytes, time.monotonic() + limits.max_seconds)
        members: dict[str, bytes] = {}
        problems: list[Rejection] = []
        seen = 0
        try:
            # The stub asks for a whole file object; a stream read ("r|") only ever calls read().
            with tarfile.open(fileobj=stream, mode="r|") as tar:  # type: ignore[call-overload]
                for member in tar:
                    seen += 1
                    if seen > limits.max_members:
                        problems.append(Rejection("too_many_members", f"more than {limits.max_members} members"))
                        break
                    if problem := _member_problem(member):
                        problems.append(problem)
                        continue
                    if member.name in members:
                        problems.append(Rejection("unexpected_member", f"member {member.name!r} appears twice"))
                        continue
                    cap = limits.max_manifest_bytes if member.name == MANIFEST else limits.max_predictions_bytes
                    if member.size > cap:
                        problems.append(
                            Rejection(
                                "decompressed_too_large",
                                f"member {member.name!r} declares {member.size} bytes; the cap is {cap}",
                            )
                        )
                        break
                    handle = tar.extractfile(member)
                    members[member.name] = handle.read() if handle is not None else b""
        except _TooLarge:
            return {}, [
                Rejection(
                    "decompressed_too_large",
                    f"the bundle inflates to more than {limits.max_decompressed_bytes} bytes (compression bomb?)",
                )
            ]
        except _TooSlow:
            return {}, [Rejection("too_slow", f"the bundle took more than {limits.max_seconds:g} s to read")]
        except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
            return {}, [Rejection("corrupt_bundle", f"the archive cannot be read ({error})")]
    for name in MEMBERS:
        if name not in members and not problems:
            problems.append(Rejection("missing_member", f"the bundle has no {name}"))
    return members, problems


# ---------------------------------------------------------------- JSON under limits

_JSON_TOKEN = re.compile(r'\\.|["\[\]{}]')  # an escape pair, a quote or a bracket


def json_nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON text, brackets inside strings ignored; one linear
    scan without parsing, so a hostile document can exhaust neither the parser's recursion nor a regex."""
    depth = peak = 0
    in_string = False
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == '"':
            in_string = not in_string
        elif in_string or len(token) == 2:
            continue
        elif token in "[{":
            depth += 1
            peak = max(peak, depth)
        else:
            depth -= 1
    return peak


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"repeated key {next(k for k in keys if keys.count(k) > 1)!r}")
    return dict(pairs)


def load_json_limited(text: str, max_depth: int, where: str) -> tuple[Any, Rejection | None]:
    """(value, None) or (None, rejection): strict JSON (no NaN/Infinity, no repeated keys), at most
    `max_depth` levels of nesting."""
    if (depth := json_nesting_depth(text)) > max_depth:
        return None, Rejection("json_too_deep", f"{where}: nested {depth} levels deep; the cap is {max_depth}")
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys), None
    except (ValueError, RecursionError) as error:
        return None, Rejection("malformed_json", f"{where}: not valid JSON ({error})")
