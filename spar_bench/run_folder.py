"""The bookkeeping of a `spar-bench run` output folder beside its journal: one writer at a time, the model
identity its answers belong to, and every server that answered.

`run.lock` holds the writer's pid under an advisory lock that the OS drops when the process dies, so a crashed
run never leaves a stale lock. `identity.json` is the adapter identity and generation settings of the folder's
answers; `servers.json` counts the answers each base URL gave, over every run into the folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from spar_bench.errors import RunFolderError

LOCK = "run.lock"
IDENTITY = "identity.json"
SERVERS = "servers.json"


class OutputLockedError(RunFolderError):
    """Another process is writing to the output folder."""


class OutputLock:
    """An exclusive, non-blocking lock on `folder/run.lock`; raises OutputLockedError naming the holder's pid."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK
        self._handle: TextIO | None = None

    def __enter__(self) -> OutputLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # closed in __exit__
        try:
            import fcntl
        except ImportError:  # not POSIX: no advisory locks; runs are then not guarded
            self._handle = handle
            return self
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise OutputLockedError(
                f"{self.path.parent} is in use by another run (pid {holder}); wait for it to end, or give this run "
                "another --output"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc) -> None:
        if self._handle is not None:
            self._handle.close()  # closing drops the lock; the file stays (removing it would race a new holder)
            self._handle = None


def identity_change(folder: Path, identity: Mapping) -> dict | None:
    """{field: (recorded, now)} for each top-level field of the recorded identity that differs from `identity`;
    None when nothing is recorded or nothing differs. Records `identity` when none is recorded yet."""
    path = Path(folder) / IDENTITY
    identity = json.loads(json.dumps(identity))  # tuples as lists, as they read back
    if not path.exists():
        record_identity(folder, identity)
        return None
    try:
        recorded = json.loads(path.read_text())
    except (OSError, ValueError):
        recorded = {}
    if recorded == identity:
        return None
    fields = sorted(set(recorded) | set(identity))
    return {f: (recorded.get(f), identity.get(f)) for f in fields if recorded.get(f) != identity.get(f)}


def record_identity(folder: Path, identity: Mapping) -> None:
    """Make `identity` the folder's recorded identity (after a run under a new one)."""
    (Path(folder) / IDENTITY).write_text(json.dumps(json.loads(json.dumps(identity)), indent=2, sort_keys=True))


def record_servers(folder: Path, answered: Mapping[str, int]) -> dict[str, int]:
    """Add this run's answers per base URL to `servers.json`; returns the totals over every run into the folder."""
    path = Path(folder) / SERVERS
    totals: dict[str, int] = {}
    if path.exists():
        try:
            totals = {str(k): int(v) for k, v in json.loads(path.read_text()).items()}
        except (OSError, ValueError, AttributeError, TypeError):
            totals = {}
    for url, count in answered.items():
        if count:
            totals[url] = totals.get(url, 0) + int(count)
    if totals:
        path.write_text(json.dumps(totals, indent=2, sort_keys=True))
    return totals
