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
        complete = _complete_lines(data)
        if len(complete) != len(data):  # a torn last line: cut it so the next append starts clean
            with open(self.path, "r+b") as handle:
                handle.truncate(len(complete))
        self._answered = _successful(complete)

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
    """Successful responses of every journal file in a folder (one file per process of a distributed run).

    A torn last line is left alone here: the process that owns the file cuts it when it opens the file.
    """
    answered: dict[str, Response] = {}
    for path in sorted(Path(folder).glob("*.jsonl")):
        for key, response in _successful(_complete_lines(path.read_bytes())).items():
            answered.setdefault(key, response)
    return answered


def _complete_lines(data: bytes) -> bytes:
    """`data` up to and including its last newline: what a kill mid-write cannot have torn."""
    return data[: data.rfind(b"\n") + 1]


def _successful(data: bytes) -> dict[str, Response]:
    """{key: first successful response} of complete journal lines."""
    answered: dict[str, Response] = {}
    for line in data.decode("utf-8").splitlines():
        if line.strip():
            response = Response(**json.loads(line))
            if not response.failed:
                answered.setdefault(response.key, response)
    return answered
