"""Served models behind the adapter interface: any OpenAI-compatible chat-completions server, vLLM first.

Requests -> this adapter (HTTP, retries, spread over one or several servers) -> `on_response` as each answer
arrives (usually a journal append). A request that cannot be answered comes back as `Response(text=None,
error=...)` and is never scored.

Why httpx and not the openai SDK: the SDK has its own retry policy (a fixed small count, its own backoff), wraps
every response in pydantic models (a real cost at hundreds of responses per second), hides the raw body we
classify as malformed, and tucks `reasoning_content` away in `model_extra`. With httpx we own the retry policy,
keep one connection pool for every base URL, set a total deadline per try, and tests swap the transport
(`httpx.MockTransport`) instead of monkeypatching.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import io
import json
import math
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from spar_bench.errors import ModelError, RequestError
from spar_bench.model_adapters.arguments import boolean
from spar_bench.model_adapters.base import GenerationSettings, Request, Response, request_key, truncate_at_stop
from spar_bench.model_adapters.health import AdapterStopped, ServerHealth
from spar_bench.redact import redact_text

__all__ = [
    "AdapterStopped",
    "ConfigurationError",
    "ConnectionFailure",
    "OpenAIAdapterError",
    "OpenAIServerAdapter",
    "ProtocolFailure",
    "RequestFailure",
    "StatusFailure",
    "TimeoutFailure",
    "UnsupportedSettingError",
    "image_data_url",
    "parse_retry_after",
    "sniff_image_mime",
]

IMAGE_POSITIONS = ("before", "after")


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


# --- images -----------------------------------------------------------------------------------------------------


def sniff_image_mime(data: bytes) -> str | None:
    """The MIME type named by the image's magic bytes: image/png, image/jpeg, image/gif or image/webp; None for
    anything else (including empty bytes)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _fitted_size(width: int, height: int, max_side: int | None, max_pixels: int | None) -> tuple[int, int]:
    """The largest size with the image's aspect ratio within both limits (never upscaled, at least 1x1)."""
    scale = 1.0
    if max_side is not None:
        scale = min(scale, max_side / max(width, height))
    if max_pixels is not None:
        scale = min(scale, math.sqrt(max_pixels / (width * height)))
    if scale >= 1.0:
        return width, height
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def image_data_url(data: bytes, *, max_side: int | None = None, max_pixels: int | None = None) -> str:
    """A base64 data URL of the image.

    The stored bytes are sent as they are (PNG, JPEG, GIF, WebP: the MIME type comes from the magic bytes)
    unless the image exceeds `max_side` (longest side, pixels) or `max_pixels` (width * height); then it is
    shrunk with its aspect ratio kept and re-encoded in its own format (JPEG at quality 95; others as PNG).
    Bytes of any other format Pillow can read are re-encoded as PNG, since servers accept only the four above.
    Raises `ValueError` for bytes that are no image.
    """
    mime = sniff_image_mime(data)
    if mime is not None and max_side is None and max_pixels is None:
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"

    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
        size = _fitted_size(image.width, image.height, max_side, max_pixels)
        if mime is not None and size == (image.width, image.height):
            return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        image.load()
    except Exception as exc:  # Pillow raises several types for undecodable bytes
        raise ValueError(f"image bytes could not be decoded ({len(data)} bytes): {exc}") from exc
    if size != (image.width, image.height):
        image = image.resize(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if mime == "image/jpeg":
        image.convert("RGB").save(buffer, format="JPEG", quality=95)
    else:
        mime = "image/png"
        image.save(buffer, format="PNG")
    return f"data:{mime};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


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


class _ServerPool:
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
        best = None
        for offset in range(count):
            index = (self._next + offset) % count
            if living and not self.alive[index]:
                continue
            if index == avoid and living > 1:
                continue
            if best is None or self.in_flight[index] < self.in_flight[best]:
                best = index
        self._next = (best + 1) % count
        self.in_flight[best] += 1
        self.sent[best] += 1
        return best

    def release(self, index: int) -> None:
        self.in_flight[index] -= 1


# --- the adapter ------------------------------------------------------------------------------------------------


def _split_base_urls(base_url: str | Sequence[str] | None) -> list[str]:
    if base_url is None:
        base_url = os.environ.get("OPENAI_BASE_URL")
    if base_url is None:
        return []
    if isinstance(base_url, str):
        # `|`, `;` and whitespace separate several URLs: commas already separate lmms-eval's model_args.
        parts = base_url.replace("|", " ").replace(";", " ").replace(",", " ").split()
    else:
        parts = [str(part).strip() for part in base_url]
    return [part for part in parts if part]


def _endpoint(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"base_url {base_url!r} is not an http(s) URL: give the server's OpenAI root, e.g. http://127.0.0.1:8000/v1"
        )
    root = base_url.rstrip("/")
    if parts.path in ("", "/"):  # vLLM and `transformers serve` both serve the API under /v1
        root += "/v1"
    return root + "/chat/completions"


def _api_key(given: str | None, path: str | None, variable: str) -> str | None:
    if given:
        return given
    if path:
        try:
            lines = Path(path).expanduser().read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigurationError(f"api_key_file {path!r} cannot be read: {exc}") from None
        return lines[0].strip() if lines and lines[0].strip() else None
    return os.environ.get(variable) or None


def _positive(name: str, value, *, allow_none: bool = False, allow_zero: bool = False):
    if value is None and allow_none:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a number, got {value!r}") from None
    if number < 0 or (number == 0 and not allow_zero):
        raise ConfigurationError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return number


def _boolean(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    try:
        return boolean(str(value))
    except ValueError:
        raise ConfigurationError(f"{name} must be true or false, got {value!r}") from None


class OpenAIServerAdapter:
    """Answers requests through one or several OpenAI-compatible chat-completions servers.

    Options (lmms-eval `--model_args` pass them as strings; they are converted):

    - `model`: the served model name (vLLM: `--served-model-name` or the path given to `vllm serve`;
      `transformers serve`: the model folder path).
    - `base_url`: the server's OpenAI root, e.g. `http://127.0.0.1:8000/v1`; several separated by `|`, `;`,
      spaces or commas (or a list) spread requests over several servers (data parallelism). Falls back to
      `$OPENAI_BASE_URL`. Not part of `identity`: the same model elsewhere gives the same answers.
    - `api_key`: sent as a bearer token. Read, in this order, from `api_key`, the file `api_key_file` (its
      first line), the environment variable named by `api_key_env` (default `OPENAI_API_KEY`); else none is sent.
      The key is never written to any file (results, journals, bundles, entries).
    - `max_concurrency`: requests in flight at once, over all servers (default 32).
    - `timeout_s`: total time allowed for one try of one request, body included (default 60: a VLM answering
      100 tokens takes seconds, even queued behind 31 others).
    - `max_retries`: tries after the first one, for 408, 429, 5xx, timeouts, dropped connections and
      malformed answers (default 5). Other 4xx, `content: null` and an oversized body are final.
    - `breaker_failures`: stop the whole run after this many tries in a row failed with no answer in between
      (default 10), naming what the server said. A server that refuses `dead_after` connections in a row
      (default 2) or answers 401/403/404 before any answer is taken out of the rotation; with none left the
      run stops at once.
    - `stall_timeout_s`: stop the run when no answer arrived for this long while requests wait (default 180).
      So a server that accepts connections and never answers ends a run within `stall_timeout_s`, and within
      `timeout_s` when at least `breaker_failures` requests are in flight.
    - `max_response_bytes`: cap on one response body (default 8 MiB; a 100-token answer is about 1 KB).
    - `backoff_base_s`, `backoff_max_s`: exponential backoff with full jitter, a wait drawn from
      [0, min(max, base * 2**retry)]; a `Retry-After` (or `retry-after-ms`) header is waited in full (capped at
      `retry_after_max_s`), plus a little jitter.
    - `max_image_side`, `max_image_pixels`: shrink images above these limits before sending (part of
      `identity`, since they change answers). Without them images are sent as their stored bytes.
    - `image_position`: `before` (default) or `after` the prompt text in the user message; images keep
      dataset order.
    - `send_stop`: send the stop strings to the server (default true). Answers are cut at the first stop string
      on this side too, so `send_stop=false` gives the same answers from a server that cannot take them
      (`transformers serve` 5.x fails with HTTP 500 on `stop` for vision-language processors); it only costs
      the tokens generated past the stop.
    - `seed`: sent as the request's `seed` (a request's own `settings.seed`, when the settings carry one, wins).
    - `extra_body`: extra JSON fields merged into every request body (e.g. vLLM's `top_k`,
      `chat_template_kwargs`); part of `identity`.
    - `transport`: an `httpx.AsyncBaseTransport` to use instead of the network (tests).
    """

    def __init__(
        self,
        model: str,
        base_url: str | Sequence[str] | None = None,
        *,
        api_key: str | None = None,
        api_key_file: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        max_concurrency: int | str = 32,
        timeout_s: float | str = 60.0,
        max_retries: int | str = 5,
        breaker_failures: int | str = 10,
        dead_after: int | str = 2,
        stall_timeout_s: float | str = 180.0,
        max_response_bytes: int | str = 8 * 2**20,
        backoff_base_s: float | str = 0.5,
        backoff_max_s: float | str = 30.0,
        retry_after_max_s: float | str = 120.0,
        max_image_side: int | str | None = None,
        max_image_pixels: int | str | None = None,
        image_position: str = "before",
        send_stop: bool | str = True,
        seed: int | str | None = None,
        extra_body: dict | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        warn: Callable[[str], None] | None = None,
    ):
        if not model or not str(model).strip():
            raise ConfigurationError(
                "no model name given: pass model=NAME, the name the server serves (vLLM: --served-model-name or "
                "the model path; transformers serve: the model folder); GET BASE_URL/models lists it"
            )
        urls = _split_base_urls(base_url)
        if not urls:
            raise ConfigurationError(
                "no base_url given: pass base_url=http://HOST:PORT/v1 (several separated by '|' for data "
                "parallelism over several servers) or set OPENAI_BASE_URL"
            )
        self.model = str(model).strip()
        self.base_urls = urls
        self._endpoints = [_endpoint(url) for url in urls]
        self.api_key = _api_key(api_key, api_key_file, api_key_env)
        self.max_concurrency = int(_positive("max_concurrency", max_concurrency))
        self.timeout_s = _positive("timeout_s", timeout_s)
        self.max_retries = int(_positive("max_retries", max_retries, allow_zero=True))
        self.breaker_failures = int(_positive("breaker_failures", breaker_failures))
        self.dead_after = int(_positive("dead_after", dead_after))
        self.stall_timeout_s = _positive("stall_timeout_s", stall_timeout_s)
        self.max_response_bytes = int(_positive("max_response_bytes", max_response_bytes))
        self._warn = warn or (lambda line: print(line, file=sys.stderr, flush=True))
        self.backoff_base_s = _positive("backoff_base_s", backoff_base_s, allow_zero=True)
        self.backoff_max_s = _positive("backoff_max_s", backoff_max_s, allow_zero=True)
        self.retry_after_max_s = _positive("retry_after_max_s", retry_after_max_s, allow_zero=True)
        side = _positive("max_image_side", max_image_side, allow_none=True)
        pixels = _positive("max_image_pixels", max_image_pixels, allow_none=True)
        self.max_image_side = None if side is None else int(side)
        self.max_image_pixels = None if pixels is None else int(pixels)
        if image_position not in IMAGE_POSITIONS:
            raise ConfigurationError(f"image_position must be one of {IMAGE_POSITIONS}, got {image_position!r}")
        self.image_position = image_position
        self.send_stop = _boolean("send_stop", send_stop)
        self.seed = None if seed is None else int(seed)
        if isinstance(extra_body, str):
            try:
                extra_body = json.loads(extra_body)
            except json.JSONDecodeError as exc:
                raise ConfigurationError(f"extra_body must be a JSON object, got {extra_body!r}: {exc}") from None
        if extra_body is not None and not isinstance(extra_body, dict):
            raise ConfigurationError(f"extra_body must be a JSON object (dict), got {type(extra_body).__name__}")
        self.extra_body = dict(extra_body or {})
        self._transport = transport
        self._ssl_context = None
        self._random = random.Random()
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            self._headers["Authorization"] = f"Bearer {self.api_key}"
        self.identity = {
            "adapter": "openai_server",
            "model": self.model,
            "max_image_side": self.max_image_side,
            "max_image_pixels": self.max_image_pixels,
            "image_position": self.image_position,
            **({"seed": self.seed} if self.seed is not None else {}),
            **({"extra_body": self.extra_body} if self.extra_body else {}),
        }
        self.requests_per_server: dict[str, int] = {}  # after `generate`: tries sent to each base URL
        self.answers_per_server: dict[str, int] = {}  # after `generate`: answers each base URL gave
        self._started: dict[int, float] = {}  # in-flight request -> when its first try began

    def in_flight(self) -> tuple[int, float]:
        """(requests in flight now, age in seconds of the oldest; 0.0 when none), for a progress line."""
        for _ in range(3):  # read from another thread (a progress bar) while the event loop changes the dict
            try:
                started = list(self._started.values())
                break
            except RuntimeError:
                continue
        else:
            return 0, 0.0
        return len(started), (time.monotonic() - min(started)) if started else 0.0

    # -- building a request body --

    def _sampling(self, settings: GenerationSettings) -> dict:
        if settings.num_beams != 1:
            raise UnsupportedSettingError(
                f"num_beams={settings.num_beams}: the chat-completions API has no beam search; use num_beams=1"
            )
        body = {
            "max_tokens": settings.max_new_tokens,
            # do_sample=False is greedy decoding, which the API spells temperature 0.
            "temperature": settings.temperature if settings.do_sample else 0.0,
            "top_p": settings.top_p,
        }
        if settings.stop and self.send_stop:
            body["stop"] = list(settings.stop)
        seed = getattr(settings, "seed", None)
        seed = self.seed if seed is None else seed
        if seed is not None:
            body["seed"] = seed
        return body

    def request_body(self, request: Request) -> bytes:
        """The JSON body sent for `request` (built once; every retry sends the same bytes). Raises `ValueError`
        for image bytes that cannot be sent, `UnsupportedSettingError` for settings the API cannot express."""
        images = [
            {
                "type": "image_url",
                "image_url": {
                    "url": image_data_url(image, max_side=self.max_image_side, max_pixels=self.max_image_pixels)
                },
            }
            for image in request.images
        ]
        text = [{"type": "text", "text": request.prompt}]
        content = images + text if self.image_position == "before" else text + images
        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": content}],
            **self._sampling(request.settings),
            **self.extra_body,
        }
        return json.dumps(body, ensure_ascii=False).encode("utf-8")

    # -- running --

    def generate(self, requests: Sequence[Request], on_response: Callable[[Response], None]) -> None:
        """Answer every request, calling `on_response` (in the calling thread's place, one call at a time) for
        each as it finishes, in completion order. Failed requests arrive with `text` None and `error` set.
        An exception raised by `on_response` stops the run and is raised here. Blocks until done; works when
        called from inside a running event loop too (it then runs on a private loop in a helper thread)."""
        requests = list(requests)
        for request in requests:
            self._sampling(request.settings)  # fail fast on settings the API cannot express
        if not requests:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(self._generate(requests, on_response))
            return
        outcome: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(self._generate(requests, on_response))
            except BaseException as exc:
                outcome.append(exc)

        # A daemon: Ctrl-C in the waiting thread must end the process, not wait for every request.
        thread = threading.Thread(target=run, name="spar-openai-adapter", daemon=True)
        thread.start()
        thread.join()
        if outcome:
            raise outcome[0]

    def _client(self) -> httpx.AsyncClient:
        # One client per worker, holding at most one connection per server: httpcore scans its whole pool on
        # every request, so one shared pool of N connections costs O(N) per request and fell to ~110 requests/s
        # at 64 in flight; small per-worker pools keep it O(servers) and connections still persist across
        # requests.
        per_worker = len(self._endpoints)
        limits = httpx.Limits(max_connections=per_worker, max_keepalive_connections=per_worker)
        timeout = httpx.Timeout(self.timeout_s, connect=min(self.timeout_s, 30.0), pool=None)
        if self._ssl_context is None:  # building one costs ~50 ms: once per adapter, not per client
            self._ssl_context = httpx.create_ssl_context()
        return httpx.AsyncClient(
            limits=limits, timeout=timeout, transport=self._transport, headers=self._headers, verify=self._ssl_context
        )

    async def _generate(self, requests: list[Request], on_response: Callable[[Response], None]) -> None:
        health = ServerHealth(
            [redact_text(url) for url in self.base_urls],
            breaker_failures=self.breaker_failures,
            dead_after=self.dead_after,
            stall_timeout_s=self.stall_timeout_s,
            warn=self._warn,
        )
        servers = _ServerPool(self._endpoints, health.alive)
        pending = iter(requests)  # shared by the workers: each takes the next request when it is free
        taken = 0
        stop = asyncio.Event()

        async def work(client: httpx.AsyncClient) -> None:
            nonlocal taken
            for request in pending:
                if health.stopped:
                    return
                taken += 1
                response = await self._answer(client, servers, health, request)
                if response is not None:
                    on_response(response)
                if health.stopped:
                    stop.set()
                    return

        async def worker() -> None:
            async with self._client() as client:
                await work(client)

        async def watchdog() -> None:  # the stall detector, and a wake-up for a stop decided inside a try
            while not health.stopped:
                await asyncio.sleep(min(1.0, self.stall_timeout_s / 4))
                health.check_stall(len(self._started))
            stop.set()

        count = min(self.max_concurrency, len(requests))
        shared = None
        if self._transport is not None:  # a given transport is one pool: share one client, closed once
            shared = self._client()
            workers = [asyncio.ensure_future(work(shared)) for _ in range(count)]
        else:
            workers = [asyncio.ensure_future(worker()) for _ in range(count)]
        everything = asyncio.gather(*workers)
        guard = asyncio.ensure_future(watchdog())
        stopped = asyncio.ensure_future(stop.wait())

        async def cancel_workers() -> None:
            everything.cancel()  # cancels every worker; the gathering future's own error is then retrieved
            await asyncio.gather(everything, *workers, return_exceptions=True)

        try:
            await asyncio.wait([everything, stopped], return_when=asyncio.FIRST_COMPLETED)
            if everything.done():
                everything.result()  # an exception of on_response is raised here
            else:  # stopped: requests in flight are abandoned (not journaled; a rerun asks them)
                await cancel_workers()
        except BaseException:
            await cancel_workers()
            raise
        finally:
            guard.cancel()
            stopped.cancel()
            await asyncio.gather(guard, stopped, return_exceptions=True)
            self._started.clear()
            self.requests_per_server = dict(zip(self.base_urls, servers.sent))
            self.answers_per_server = dict(zip(health.urls, health.answered))  # written to files: redacted
            if shared is not None:
                await shared.aclose()
        if health.stopped:
            raise AdapterStopped(health.stopped, unsent=len(requests) - taken)

    async def _answer(
        self, client: httpx.AsyncClient, servers: _ServerPool, health: ServerHealth, request: Request
    ) -> Response | None:
        """The response to one request; None when the run was stopped before it had one."""
        key = request_key(self.identity, request)
        start = time.perf_counter()

        def failed(error: str) -> Response:  # journaled: a URL's password or a key never goes in
            return Response(
                key,
                request.question_id,
                request.task,
                None,
                error=redact_text(error),
                latency_s=time.perf_counter() - start,
            )

        try:
            if request.images and (self.max_image_side or self.max_image_pixels):
                body = await asyncio.to_thread(self.request_body, request)  # resizing decodes: off the loop
            else:
                body = self.request_body(request)
        except ValueError as exc:
            return failed(f"request not sent: {exc}")

        failures: list[RequestFailure] = []
        avoid = None
        token = id(request) ^ id(failures)
        self._started[token] = time.monotonic()
        try:
            for retry in range(self.max_retries + 1):
                if retry:
                    await asyncio.sleep(self._delay(retry - 1, failures[-1].retry_after))
                if health.stopped:
                    return None
                server = servers.acquire(avoid)
                try:
                    text, reasoning, usage, finish_reason = await self._try(client, self._endpoints[server], body)
                    text = truncate_at_stop(text, request.settings.stop)
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
                return Response(
                    key,
                    request.question_id,
                    request.task,
                    text,
                    latency_s=time.perf_counter() - start,
                    reasoning=reasoning,
                    usage=usage,
                    finish_reason=finish_reason,
                )
        finally:
            self._started.pop(token, None)
        tries = len(failures)
        labels = ", ".join(failure.label for failure in failures)
        return failed(f"{failures[-1]} (after {tries} {'try' if tries == 1 else 'tries'}: {labels})")

    def _delay(self, retry: int, retry_after: float | None) -> float:
        backoff = self._random.uniform(0.0, min(self.backoff_max_s, self.backoff_base_s * 2**retry))
        if retry_after is None:
            return backoff
        # Waited in full; a little jitter on top so that requests told the same time do not return together.
        return min(retry_after, self.retry_after_max_s) + self._random.uniform(0.0, min(self.backoff_base_s, 0.1))

    async def _try(self, client: httpx.AsyncClient, endpoint: str, body: bytes):
        """One POST: (text, reasoning, usage, finish_reason), or a `RequestFailure` describing what went wrong. The
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
    def _parse_completion(data, endpoint: str):
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
        return (
            content,
            reasoning if isinstance(reasoning, str) and reasoning else None,
            usage if isinstance(usage, dict) else None,
            # "length": the token limit cut the answer (Response.truncated)
            choices[0].get("finish_reason") if isinstance(choices[0].get("finish_reason"), str) else None,
        )
