"""A small OpenAI-compatible chat server on loopback that injects faults, for testing the served-model adapter.

It speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies) over raw asyncio streams so that it can do
what a real framework will not: drop a connection without an answer, hang past the client's timeout, or send
broken JSON. Each chat request takes the next `Reply` of the script (then the `rule`, then `default`), is
answered with a text derived from the prompt, and is recorded (with the images it carried) for the tests.

In a test:   with FaultServer(script=[Reply.status(500), Reply.ok()]) as server: ... server.base_url ...
Standalone:  python tests/fault_server.py [--port 0] [--delay 0]   (prints its base URL; Ctrl-C stops it)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import json
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

_ANSWER_DIRECTIVE = re.compile(r"\[answer:\s*([^\]]*)\]")
_STATUS_TEXT = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    408: "Request Timeout",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def answer_for(prompt: str) -> str:
    """The deterministic answer to a prompt: the text of its first `[answer:X]` directive, else "A"."""
    match = _ANSWER_DIRECTIVE.search(prompt)
    return match.group(1).strip() if match else "A"


@dataclass(frozen=True)
class Reply:
    """What the server does with one chat request."""

    kind: str = "ok"  # ok | status | hang | drop | malformed | no_choices | empty_choices | null_content | endless
    delay_s: float = 0.0  # wait before acting (a slow but correct answer when kind is "ok")
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    reasoning: str | None = None  # sent apart from the answer, under `reasoning_field`
    reasoning_field: str = "reasoning_content"
    message: str | None = None  # the error text of a status reply (default "injected <status>")

    @classmethod
    def ok(cls, delay_s: float = 0.0, *, reasoning: str | None = None, reasoning_field: str = "reasoning_content"):
        return cls("ok", delay_s=delay_s, reasoning=reasoning, reasoning_field=reasoning_field)

    @classmethod
    def http_status(cls, status: int, retry_after: str | None = None, delay_s: float = 0.0):
        headers = (("Retry-After", retry_after),) if retry_after is not None else ()
        return cls("status", delay_s=delay_s, status=status, headers=headers)

    @classmethod
    def hang(cls, seconds: float = 30.0):
        """Accept the request and say nothing for `seconds`, then close (longer than any client timeout)."""
        return cls("hang", delay_s=seconds)

    @classmethod
    def drop(cls):
        """Close the connection without a byte of answer."""
        return cls("drop")

    @classmethod
    def malformed(cls):
        """A 200 whose body is not JSON."""
        return cls("malformed")

    @classmethod
    def no_choices(cls):
        """A 200 with a JSON body that has no choices."""
        return cls("no_choices")

    @classmethod
    def empty_choices(cls):
        """A 200 completion whose `choices` is an empty list."""
        return cls("empty_choices")

    @classmethod
    def null_content(cls):
        """A 200 completion whose message has `content: null`."""
        return cls("null_content")

    @classmethod
    def endless(cls, seconds: float = 30.0):
        """A 200 with a chunked body that never ends: 64 KiB chunks of spaces for up to `seconds`."""
        return cls("endless", delay_s=seconds)


@dataclass
class ReceivedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict | None
    reply: Reply
    received_at: float = field(default_factory=time.monotonic)
    received_wall: float = field(default_factory=time.time)  # for comparing with HTTP dates

    @property
    def prompt(self) -> str:
        """The text parts of the user message, joined."""
        content = self.body["messages"][-1]["content"]
        if isinstance(content, str):
            return content
        return "".join(part["text"] for part in content if part.get("type") == "text")

    @property
    def content_types(self) -> list[str]:
        """The user message's part types in order, e.g. ["image_url", "image_url", "text"]."""
        return [part["type"] for part in self.body["messages"][-1]["content"]]

    @property
    def image_urls(self) -> list[str]:
        return [
            part["image_url"]["url"] for part in self.body["messages"][-1]["content"] if part.get("type") == "image_url"
        ]

    @property
    def images(self) -> list[tuple[str, bytes]]:
        """(mime type, decoded bytes) of each data-URL image, in message order."""
        decoded = []
        for url in self.image_urls:
            header, payload = url.split(",", 1)
            decoded.append((header.removeprefix("data:").removesuffix(";base64"), base64.b64decode(payload)))
        return decoded


class FaultServer:
    """An OpenAI-compatible server in a background thread on 127.0.0.1 (ephemeral port unless given).

    Chat requests get, in order of precedence: the next `Reply` of `script` (consumed; `push` adds more),
    `rule(body)` when it returns a Reply, then `default`. `record=False` keeps no bodies (long benchmarks).
    """

    def __init__(
        self,
        script: Iterable[Reply] = (),
        *,
        default: Reply | None = None,
        rule: Callable[[dict], Reply | None] | None = None,
        port: int = 0,
        record: bool = True,
        model: str = "fault-server",
        capacity: int | None = None,
    ):
        self._script = collections.deque(script)
        self.default = default or Reply.ok()
        self.rule = rule
        self.port = port
        self.record = record
        self.model = model
        self.capacity = capacity  # requests answered at once (a GPU's batch); more wait their turn
        self._capacity: asyncio.Semaphore | None = None
        self.received: list[ReceivedRequest] = []
        self.chat_requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[asyncio.Task] = set()
        self._thread: threading.Thread | None = None
        self._completions = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def _next_reply(self, body: dict | None) -> Reply:
        with self._lock:
            if self._script:
                return self._script.popleft()
        if self.rule is not None and body is not None:
            reply = self.rule(body)
            if reply is not None:
                return reply
        return self.default

    # -- lifecycle --

    def start(self) -> FaultServer:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._serve_connection, "127.0.0.1", self.port, backlog=1024)
                )
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name=f"fault-server-{id(self):x}", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        """Close the listener and every open connection (cancelling hangs), then end the thread."""
        if self._loop is None or self._thread is None:
            return
        loop = self._loop

        async def shutdown() -> None:
            self._server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def chat_received(self) -> list[ReceivedRequest]:
        """The recorded chat-completion requests, in arrival order."""
        with self._lock:
            return [r for r in self.received if r.path.endswith("/chat/completions")]

    # -- HTTP --

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._connections.add(task)
        try:
            while True:
                request_line = await reader.readline()
                if not request_line.strip():
                    break
                method, path, _ = request_line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                raw = await reader.readexactly(length) if length else b""
                if not await self._respond(method, path, headers, raw, writer):
                    break
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, asyncio.CancelledError):
            pass  # a cancel comes from stop(): the connection just ends
        finally:
            self._connections.discard(task)
            writer.close()

    async def _respond(self, method: str, path: str, headers: dict, raw: bytes, writer) -> bool:
        """Answer one request; False when the connection must be closed."""
        if method == "GET" and path.rstrip("/").endswith("/models"):
            data = {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "fault-server"}]}
            await self._send(writer, 200, json.dumps(data).encode())
            return True
        if method != "POST" or not path.endswith("/chat/completions"):
            await self._send(writer, 404, b'{"error": {"message": "not found"}}')
            return True
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            body = None
        reply = self._next_reply(body)
        with self._lock:
            self.chat_requests += 1
            if self.record:
                self.received.append(ReceivedRequest(method, path, headers, body, reply))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if self.capacity is not None:
            self._capacity = self._capacity or asyncio.Semaphore(self.capacity)
            await self._capacity.acquire()
        try:
            if reply.kind == "endless":
                await self._send_endless(writer, reply.delay_s)
                return False
            if reply.delay_s:
                await asyncio.sleep(reply.delay_s)
            if reply.kind in ("hang", "drop"):
                return False
            if body is None:
                await self._send(writer, 400, b'{"error": {"message": "body is not JSON"}}')
                return True
            if reply.kind == "status":
                text = reply.message or f"injected {reply.status}"
                message = json.dumps({"error": {"message": text, "code": reply.status}})
                await self._send(writer, reply.status, message.encode(), reply.headers)
            elif reply.kind == "malformed":
                await self._send(writer, 200, b'{"id": "chatcmpl-broken", "choices": [{"mess')
            elif reply.kind in ("empty_choices", "null_content"):
                completion = json.loads(self._completion(body, reply))
                if reply.kind == "empty_choices":
                    completion["choices"] = []
                else:
                    completion["choices"][0]["message"]["content"] = None
                await self._send(writer, 200, json.dumps(completion).encode())
            elif reply.kind == "no_choices":
                await self._send(
                    writer, 200, json.dumps({"id": "chatcmpl-empty", "object": "chat.completion"}).encode()
                )
            else:
                await self._send(writer, 200, self._completion(body, reply))
            return True
        finally:
            if self._capacity is not None:
                self._capacity.release()
            with self._lock:
                self.in_flight -= 1

    def _completion(self, body: dict, reply: Reply) -> bytes:
        content = body["messages"][-1]["content"]
        prompt = (
            content
            if isinstance(content, str)
            else "".join(part.get("text", "") for part in content if part.get("type") == "text")
        )
        message = {"role": "assistant", "content": answer_for(prompt)}
        if reply.reasoning is not None:
            message[reply.reasoning_field] = reply.reasoning
        self._completions += 1
        prompt_tokens = len(prompt.split())
        return json.dumps(
            {
                "id": f"chatcmpl-{self._completions}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", self.model),
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 1, "total_tokens": prompt_tokens + 1},
            }
        ).encode()

    @staticmethod
    async def _send(writer, status: int, payload: bytes, headers: Iterable[tuple[str, str]] = ()) -> None:
        head = [
            f"HTTP/1.1 {status} {_STATUS_TEXT.get(status, 'Status')}",
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
        ]
        head += [f"{name}: {value}" for name, value in headers]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
        await writer.drain()

    @staticmethod
    async def _send_endless(writer, seconds: float) -> None:
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        writer.write(head.encode("latin-1"))
        chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:  # bounded in time: the loop ends when the client stops reading
            writer.write(chunk)
            await writer.drain()


REPLY_KINDS = {
    "ok": lambda delay: Reply.ok(delay),
    "500": lambda delay: Reply.http_status(500, delay_s=delay),
    "404": lambda delay: Reply("status", delay_s=delay, status=404, message="The model `fault-server` does not exist."),
    "hang": lambda delay: Reply.hang(max(delay, 3600.0)),
    "null_content": lambda delay: Reply.null_content(),
    "empty_choices": lambda delay: Reply.empty_choices(),
    "endless": lambda delay: Reply.endless(max(delay, 600.0)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description="OpenAI-compatible loopback server that answers at once (or late)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each answer")
    parser.add_argument("--reply", choices=sorted(REPLY_KINDS), default="ok", help="what every request gets")
    parser.add_argument("--capacity", type=int, help="requests answered at once (like a GPU's batch)")
    args = parser.parse_args()
    server = FaultServer(
        default=REPLY_KINDS[args.reply](args.delay), port=args.port, record=False, capacity=args.capacity
    ).start()
    print(server.base_url, flush=True)
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    server.stop()
    print(f"served {server.chat_requests} chat requests", flush=True)


if __name__ == "__main__":
    main()
