"""Sending chat-completion bodies to OpenAI-compatible servers: one try (a total deadline, a cap on the body
read, the answer parsed), retries with backoff spread over the servers, and the failures a try can end in.

Bodies (`openai_requests`) -> this module -> a `Completion`, or the failures of every try, to the adapter
(`openai_server`), which turns them into responses. Every error of the served adapter is in this module's tree.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import random
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx

from spar_bench.errors import ModelError, RequestError
from spar_bench.model_adapters.health import ServerHealth
from spar_bench.redact import redact_text

__all__ = [
    "BodyTooLargeFailure",
    "ChatCompletionsClient",
    "Completion",
    "ConfigurationError",
    "ConnectionFailure",
    "NoAnswerFailure",
    "OpenAIAdapterError",
    "ProtocolFailure",
    "RequestFailure",
    "ServerPool",
    "StatusFailure",
    "TimeoutFailure",
    "UnsupportedSettingError",
    "parse_retry_after",
    "retries_summary",
]


# --- errors ---------------------------------------------------------------------------------------------------


class OpenAIAdapterError(ModelError):
    """Base of every error this module raises or records."""


class ConfigurationError(OpenAIAdapterError, ValueError):
    """The adapter was built with options that cannot work; the message says what to change."""


class UnsupportedSettingError(OpenAIAdapterError, ValueError):
    """A request asks for a generation setting the chat-completions API cannot express (e.g. beam search)."""


class RequestFailure(OpenAIAdapterError, RequestError):
    """One try of one request failed. `retryable` says whether another try may succeed; `retry_after` is the
    server's requested wait in seconds, if it sent one."""

    retryable = True
    label = "failure"

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class TimeoutFailure(RequestFailure):
    """No complete answer within the per-request timeout."""

    label = "timeout"


class ConnectionFailure(RequestFailure):
    """The connection could not be made or was dropped before a complete answer. `refused` when it could not
    be made at all (nothing listens there)."""

    label = "connection"

    def __init__(self, message: str, *, refused: bool = False):
        super().__init__(message)
        self.refused = refused


class ProtocolFailure(RequestFailure):
    """A 2xx answer that is not a chat completion: malformed JSON, or no choices."""

    label = "protocol"


class NoAnswerFailure(ProtocolFailure):
    """A well-formed completion that carries no answer (`content: null`, e.g. every token spent on reasoning).
    Final: greedy decoding would say the same again; a rerun of the command asks once more."""

    retryable = False
    label = "no answer"


class BodyTooLargeFailure(ProtocolFailure):
    """The response body passed `max_response_bytes`; reading stopped there, so memory stays bounded."""

    retryable = False
    label = "body too large"


class StatusFailure(RequestFailure):
    """An HTTP error status. Retryable for 408, 429 and 5xx; any other 4xx is the request's fault and final."""

    def __init__(self, status: int, message: str, *, retry_after: float | None = None):
        super().__init__(message, retry_after=retry_after)
        self.status = status
        self.retryable = status in (408, 429) or status >= 500
        self.label = str(status)


# --- retry timing -----------------------------------------------------------------------------------------------


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date. None when absent or
    unreadable; a date in the past gives 0.0."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _retry_after_of(headers: httpx.Headers) -> float | None:
    milliseconds = headers.get("retry-after-ms")  # OpenAI's own servers send this as well
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    return parse_retry_after(headers.get("retry-after"))


def _error_text(content: bytes, limit: int = 300) -> str:
    """What an error body says: `error.message` (OpenAI, vLLM), `message` or `detail` of a JSON body, else the
    text itself; at most `limit` characters, one line."""
    text = content[: 64 * 1024].decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error")
        for candidate in (
            error.get("message") if isinstance(error, dict) else error,
            data.get("message"),
            data.get("detail"),
        ):
            if isinstance(candidate, str) and candidate.strip():
                text = candidate
                break
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "")


# --- spreading over servers -------------------------------------------------------------------------------------


class ServerPool:
    """Least-loaded choice among base URLs, ties broken round-robin; a retry avoids the server that just failed
    when there is another."""

    def __init__(self, endpoints: Sequence[str], alive: list[bool] | None = None):
        self.endpoints = list(endpoints)
        self.alive = alive if alive is not None else [True] * len(self.endpoints)  # shared with ServerHealth
        self.in_flight = [0] * len(self.endpoints)
        self.sent = [0] * len(self.endpoints)
        self._next = 0

    def acquire(self, avoid: int | None = None) -> int:
        """The index of the server for the next try (a server taken out is never chosen while another lives)."""
        count = len(self.endpoints)
        living = sum(self.alive)
        best: int | None = None
        for offset in range(count):
            index = (self._next + offset) % count
            if living and not self.alive[index]:
                continue
            if index == avoid and living > 1:
                continue
            if best is None or self.in_flight[index] < self.in_flight[best]:
                best = index
        assert best is not None  # a lone server, or one taken out, is still chosen when no other lives
        self._next = (best + 1) % count
        self.in_flight[best] += 1
        self.sent[best] += 1
        return best

    def release(self, index: int) -> None:
        self.in_flight[index] -= 1


# --- the client -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    """What one chat completion answered. `finish_reason` "length" says the token limit cut the answer
    (`Response.truncated`)."""

    text: str
    reasoning: str | None
    usage: dict | None
    finish_reason: str | None


def retries_summary(failures: Sequence[RequestFailure]) -> str:
    """The error recorded for a request whose every try failed: the last failure, the count and each label."""
    tries = len(failures)
    labels = ", ".join(failure.label for failure in failures)
    return f"{failures[-1]} (after {tries} {'try' if tries == 1 else 'tries'}: {labels})"


class ChatCompletionsClient:
    """Posts bodies to the chat-completions endpoints of one or several servers, with retries.

    A try ends within `timeout_s`, body included, and reads at most `max_response_bytes`. A retryable failure
    is tried again up to `max_retries` times, on another server when there is one, after exponential backoff
    with full jitter (a wait drawn from [0, min(backoff_max_s, backoff_base_s * 2**retry)]); a Retry-After the
    server sent is waited in full (capped at `retry_after_max_s`), plus a little jitter. `transport` replaces
    the network (tests).
    """

    def __init__(
        self,
        endpoints: Sequence[str],
        *,
        headers: dict[str, str],
        timeout_s: float,
        max_response_bytes: int,
        max_retries: int,
        backoff_base_s: float,
        backoff_max_s: float,
        retry_after_max_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.endpoints = list(endpoints)
        self.headers = headers
        self.timeout_s = timeout_s
        self.max_response_bytes = max_response_bytes
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.retry_after_max_s = retry_after_max_s
        self.transport = transport
        self._ssl_context: ssl.SSLContext | None = None
        self._random = random.Random()

    def connection(self) -> httpx.AsyncClient:
        """A new httpx client for one worker: at most one connection per server, kept alive across requests."""
        # One client per worker, holding at most one connection per server: httpcore scans its whole pool on
        # every request, so one shared pool of N connections costs O(N) per request and fell to ~110 requests/s
        # at 64 in flight; small per-worker pools keep it O(servers) and connections still persist across
        # requests.
        per_worker = len(self.endpoints)
        limits = httpx.Limits(max_connections=per_worker, max_keepalive_connections=per_worker)
        timeout = httpx.Timeout(self.timeout_s, connect=min(self.timeout_s, 30.0), pool=None)
        if self._ssl_context is None:  # building one costs ~50 ms: once per adapter, not per client
            self._ssl_context = httpx.create_ssl_context()
        return httpx.AsyncClient(
            limits=limits, timeout=timeout, transport=self.transport, headers=self.headers, verify=self._ssl_context
        )

    async def complete(
        self, client: httpx.AsyncClient, servers: ServerPool, health: ServerHealth, body: bytes
    ) -> Completion | list[RequestFailure] | None:
        """The completion for `body`; the failures of every try when none succeeded (or one was final); None
        when the run was stopped before an answer. Every try's outcome is reported to `health`."""
        failures: list[RequestFailure] = []
        avoid = None
        for retry in range(self.max_retries + 1):
            if retry:
                await asyncio.sleep(self._delay(retry - 1, failures[-1].retry_after))
            if health.stopped:
                return None
            server = servers.acquire(avoid)
            try:
                completion = await self._try(client, self.endpoints[server], body)
            except RequestFailure as failure:
                failures.append(failure)
                avoid = server
                health.failure(
                    server,
                    message=redact_text(str(failure)),
                    refused=getattr(failure, "refused", False),
                    status=getattr(failure, "status", None),
                )
                if not failure.retryable:
                    break
                continue
            finally:
                servers.release(server)
            health.success(server)
            return completion
        return failures

    def _delay(self, retry: int, retry_after: float | None) -> float:
        backoff = self._random.uniform(0.0, min(self.backoff_max_s, self.backoff_base_s * 2**retry))
        if retry_after is None:
            return backoff
        # Waited in full; a little jitter on top so that requests told the same time do not return together.
        return min(retry_after, self.retry_after_max_s) + self._random.uniform(0.0, min(self.backoff_base_s, 0.1))

    async def _try(self, client: httpx.AsyncClient, endpoint: str, body: bytes) -> Completion:
        """One POST: its `Completion`, or a `RequestFailure` describing what went wrong. The
        whole try, body included, ends within `timeout_s`, and at most `max_response_bytes` of body are read."""
        try:
            status, reason, headers, content = await asyncio.wait_for(
                self._post(client, endpoint, body), self.timeout_s
            )
        except (asyncio.TimeoutError, httpx.TimeoutException):
            raise TimeoutFailure(f"no answer from {endpoint} within {self.timeout_s:g} s (timeout_s)") from None
        except httpx.ConnectError as exc:
            detail = str(exc) or type(exc).__name__
            raise ConnectionFailure(f"connection to {endpoint} refused or impossible: {detail}", refused=True) from None
        except httpx.TransportError as exc:
            detail = str(exc) or type(exc).__name__
            raise ConnectionFailure(f"connection to {endpoint} failed: {detail}") from None
        if status >= 300:
            raise StatusFailure(
                status,
                f"HTTP {status} from {endpoint}: {_error_text(content) or reason}",
                retry_after=_retry_after_of(headers),
            )
        try:
            data = json.loads(content)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ProtocolFailure(f"malformed JSON from {endpoint}: {exc}") from None
        return self._parse_completion(data, endpoint)

    async def _post(self, client: httpx.AsyncClient, endpoint: str, body: bytes):
        """(status, reason, headers, body bytes), reading the body as a stream under `max_response_bytes`."""
        cap = self.max_response_bytes
        async with client.stream("POST", endpoint, content=body) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise BodyTooLargeFailure(
                    f"answer from {endpoint} declares {declared} bytes; max_response_bytes is {cap}"
                )
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise BodyTooLargeFailure(
                        f"answer from {endpoint} passed max_response_bytes ({cap}); the rest was not read"
                    )
                chunks.append(chunk)
            return response.status_code, response.reason_phrase, response.headers, b"".join(chunks)

    @staticmethod
    def _parse_completion(data, endpoint: str) -> Completion:
        choices = data.get("choices") if isinstance(data, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            detail = data.get("error") if isinstance(data, dict) else None
            raise ProtocolFailure(f"answer from {endpoint} has no choices" + (f" (error: {detail})" if detail else ""))
        message = choices[0].get("message")
        if not isinstance(message, dict):
            raise ProtocolFailure(f"answer from {endpoint} has a choice without a message")
        content = message.get("content")
        if isinstance(content, list):  # some servers return content parts
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        if content is not None and not isinstance(content, str):
            raise ProtocolFailure(f"answer from {endpoint} has non-text content: {type(content).__name__}")
        reasoning = message.get("reasoning_content") or message.get("reasoning")
        usage = data.get("usage")
        if content is None:  # never scored as an (empty) answer: it says nothing about the question
            finish = choices[0].get("finish_reason")
            raise NoAnswerFailure(
                f"answer from {endpoint} has content null"
                + (f" (finish_reason {finish!r}" + (", reasoning only)" if reasoning else ")") if finish else "")
            )
        return Completion(
            content,
            reasoning if isinstance(reasoning, str) and reasoning else None,
            usage if isinstance(usage, dict) else None,
            choices[0].get("finish_reason") if isinstance(choices[0].get("finish_reason"), str) else None,
        )
