"""The response journal: an append-only JSONL file of responses, keyed by `request_key`.

Each answer is written and flushed as it arrives, one line per write, so killing the process at any moment
loses at most the requests in flight. On open, a torn last line (a kill mid-write) is cut off, and a key
seen twice keeps its first entry; failed responses are kept for the record but do not count as answered,
so a rerun asks them again.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict
from pathlib import Path

from spar_bench.model_adapters.base import Response


class Journal:
    """Responses of one model, persisted as they arrive (thread-safe appends)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._answered: dict[str, Response] = {}
        self._lock = threading.Lock()
        self._load()
        self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def _load(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) != len(data):  # a torn last line: cut it so the next append starts clean
            with open(self.path, "r+b") as handle:
                handle.truncate(len(complete))
        for line in complete.decode("utf-8").splitlines():
            if not line.strip():
                continue
            response = Response(**json.loads(line))
            if not response.failed:
                self._answered.setdefault(response.key, response)

    def answered(self, key: str) -> Response | None:
        """The successful response stored under `key`, if any."""
        return self._answered.get(key)

    def __len__(self) -> int:
        return len(self._answered)

    def append(self, response: Response) -> None:
        """Write one response as one line and flush it to the OS; a repeated successful key is ignored."""
        line = json.dumps(asdict(response), ensure_ascii=False) + "\n"
        with self._lock:
            if not response.failed and response.key in self._answered:
                return
            self._handle.write(line)
            self._handle.flush()
            if not response.failed:
                self._answered[response.key] = response

    def close(self) -> None:
        with self._lock:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def answered_in(folder: str | Path) -> dict[str, Response]:
    """Successful responses of every journal file in a folder (one file per process of a distributed run)."""
    answered: dict[str, Response] = {}
    for path in sorted(Path(folder).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                response = Response(**json.loads(line))
            except (json.JSONDecodeError, TypeError):
                continue  # a torn last line: its owner cuts it when it opens the file
            if not response.failed:
                answered.setdefault(response.key, response)
    return answered
