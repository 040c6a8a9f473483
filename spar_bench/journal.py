"""The response journal: an append-only JSONL file of responses, keyed by `request_key`.

Each answer is written and flushed as it arrives, one line per write, so killing the process at any moment
loses at most the requests in flight. On open, a damaged line (torn by a kill mid-write, garbage, a NUL tail)
is moved to `<journal>.damaged` (never deleted) and reported with its file and line, and the run goes on; a key
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
        self._failed: dict[str, Response] = {}  # failures appended since open, by key
        self._new_answers = 0
        self.damaged: list[str] = []  # one message per damaged line set aside on open (file, line, reason)
        self._lock = threading.Lock()
        self._load()
        self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    @property
    def damaged_path(self) -> Path:
        return self.path.with_name(self.path.name + ".damaged")

    def _load(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        kept, responses, damaged = _split_damaged(data)
        self._answered = _successful(responses)
        if not damaged:
            return
        aside = self.damaged_path
        with open(aside, "ab") as handle:  # set aside first: nothing is lost if we die before the rewrite
            handle.writelines(raw if raw.endswith(b"\n") else raw + b"\n" for _, raw, _ in damaged)
            handle.flush()
            os.fsync(handle.fileno())
        rewritten = self.path.with_name(self.path.name + ".rewrite")
        with open(rewritten, "wb") as handle:
            handle.write(kept)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(rewritten, self.path)
        self.damaged = [
            f"{self.path}:{number}: damaged journal line ({reason}) set aside in {aside}; the run goes on"
            for number, _, reason in damaged
        ]

    def answered(self, key: str) -> Response | None:
        """The successful response stored under `key`, if any."""
        return self._answered.get(key)

    def failed(self, key: str) -> Response | None:
        """The last failed response appended under `key` since the journal was opened, if any."""
        return self._failed.get(key)

    def answered_keys(self) -> list[str]:
        """Keys of every successful response in the journal."""
        return list(self._answered)

    def answered_since_open(self) -> int:
        """Successful responses appended since the journal was opened."""
        return self._new_answers

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
            if response.failed:
                self._failed[response.key] = response
            else:
                self._answered[response.key] = response
                self._failed.pop(response.key, None)
                self._new_answers += 1

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

    Damaged lines are skipped and left alone here: the process that owns the file sets them aside when it
    opens the file.
    """
    answered: dict[str, Response] = {}
    for path in sorted(Path(folder).glob("*.jsonl")):
        _, responses, _ = _split_damaged(path.read_bytes())
        for key, response in _successful(responses).items():
            answered.setdefault(key, response)
    return answered


def count_answered(path: str | Path) -> int:
    """How many distinct keys a journal file holds a successful response for (0 when there is no file)."""
    path = Path(path)
    return len(_successful(_split_damaged(path.read_bytes())[1])) if path.exists() else 0


def _read_line(line: bytes) -> Response | str:
    """The response one complete journal line records, or why it is not a journal record."""
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return "not UTF-8 text"
    except (ValueError, RecursionError) as error:
        return f"not JSON: {str(error)[:80]}"
    if not isinstance(record, dict):
        return f"a JSON {type(record).__name__}, not a record"
    try:
        response = Response(**record)
    except TypeError as error:
        return f"not a response record: {error}"
    if not isinstance(record.get("key"), str):
        return "no key"
    return response


def _split_damaged(data: bytes) -> tuple[bytes, list[Response], list[tuple[int, bytes, str]]]:
    """(the good lines, the responses they record, [(line number, raw line, reason)] of the damaged ones, a torn
    last line included). Each line is parsed once."""
    good: list[bytes] = []
    responses: list[Response] = []
    damaged: list[tuple[int, bytes, str]] = []
    lines = data.split(b"\n")
    tail = lines.pop()  # after the last newline: empty, or a line torn before its newline was written
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        read = _read_line(raw)
        if isinstance(read, Response):
            good.append(raw + b"\n")
            responses.append(read)
        else:
            damaged.append((number, raw + b"\n", read))
    if tail:
        reason = "NUL bytes" if not tail.strip(b"\0") else "torn: no newline at its end (killed mid-write?)"
        damaged.append((len(lines) + 1, tail, reason))
    return b"".join(good), responses, damaged


def _successful(responses: list[Response]) -> dict[str, Response]:
    """{key: first successful response} of a journal's responses, in file order."""
    answered: dict[str, Response] = {}
    for response in responses:
        if not response.failed:
            answered.setdefault(response.key, response)
    return answered
