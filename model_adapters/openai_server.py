"""Served models behind the adapter interface: any OpenAI-compatible chat-completions server, vLLM first.

Requests -> this adapter (bodies built by `openai_requests`, sent with retries over one or several servers by
`openai_client`) -> `on_response` as each answer arrives (usually a journal append). A request that cannot be answered comes back as `Response(text=None,
error=...)` and is never scored.

Why httpx and not the openai SDK: the SDK has its own retry policy (a fixed small count, its own backoff), wraps
every response in pydantic models (a real cost at hundreds of responses per second), hides the raw body we
classify as malformed, and tucks `reasoning_content` away in `model_extra`. With httpx we own the retry policy,
keep one connection pool for every base URL, set a total deadline per try, and tests swap the transport
(`httpx.MockTransport`) instead of monkeypatching.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from spar_bench.model_adapters.base import Request, Response, request_key, truncate_at_stop
from spar_bench.model_adapters.health import AdapterStopped, ServerHealth
from spar_bench.model_adapters.openai_client import (
    BodyTooLargeFailure,
    ChatCompletionsClient,
    Completion,
    ConfigurationError,
    ConnectionFailure,
    NoAnswerFailure,
    OpenAIAdapterError,
    ProtocolFailure,
    RequestFailure,
    ServerPool,
    StatusFailure,
    TimeoutFailure,
    UnsupportedSettingError,
    parse_retry_after,
    retries_summary,
)
from spar_bench.model_adapters.openai_options import (
    boolean_option,
    chat_endpoint,
    positive_number,
    read_api_key,
    split_base_urls,
)
from spar_bench.model_adapters.openai_requests import (
    IMAGE_POSITIONS,
    ChatRequestFormat,
    image_data_url,
    sniff_image_mime,
)
from spar_bench.redact import redact_text

__all__ = [
    "AdapterStopped",
    "BodyTooLargeFailure",
    "ConfigurationError",
    "ConnectionFailure",
    "NoAnswerFailure",
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
        urls = split_base_urls(base_url)
        if not urls:
            raise ConfigurationError(
                "no base_url given: pass base_url=http://HOST:PORT/v1 (several separated by '|' for data "
                "parallelism over several servers) or set OPENAI_BASE_URL"
            )
        self.model = str(model).strip()
        self.base_urls = urls
        self._endpoints = [chat_endpoint(url) for url in urls]
        self.api_key = read_api_key(api_key, api_key_file, api_key_env)
        self.max_concurrency = int(positive_number("max_concurrency", max_concurrency))
        self.timeout_s = positive_number("timeout_s", timeout_s)
        self.max_retries = int(positive_number("max_retries", max_retries, allow_zero=True))
        self.breaker_failures = int(positive_number("breaker_failures", breaker_failures))
        self.dead_after = int(positive_number("dead_after", dead_after))
        self.stall_timeout_s = positive_number("stall_timeout_s", stall_timeout_s)
        self.max_response_bytes = int(positive_number("max_response_bytes", max_response_bytes))
        self._warn = warn or (lambda line: print(line, file=sys.stderr, flush=True))
        self.backoff_base_s = positive_number("backoff_base_s", backoff_base_s, allow_zero=True)
        self.backoff_max_s = positive_number("backoff_max_s", backoff_max_s, allow_zero=True)
        self.retry_after_max_s = positive_number("retry_after_max_s", retry_after_max_s, allow_zero=True)
        side = positive_number("max_image_side", max_image_side, allow_none=True)
        pixels = positive_number("max_image_pixels", max_image_pixels, allow_none=True)
        self.max_image_side = None if side is None else int(side)
        self.max_image_pixels = None if pixels is None else int(pixels)
        if image_position not in IMAGE_POSITIONS:
            raise ConfigurationError(f"image_position must be one of {IMAGE_POSITIONS}, got {image_position!r}")
        self.image_position = image_position
        self.send_stop = boolean_option("send_stop", send_stop)
        self.seed = None if seed is None else int(seed)
        if isinstance(extra_body, str):
            try:
                extra_body = json.loads(extra_body)
            except json.JSONDecodeError as exc:
                raise ConfigurationError(f"extra_body must be a JSON object, got {extra_body!r}: {exc}") from None
        if extra_body is not None and not isinstance(extra_body, dict):
            raise ConfigurationError(f"extra_body must be a JSON object (dict), got {type(extra_body).__name__}")
        self.extra_body = dict(extra_body or {})
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        self._client = ChatCompletionsClient(
            self._endpoints,
            headers=headers,
            timeout_s=self.timeout_s,
            max_response_bytes=self.max_response_bytes,
            max_retries=self.max_retries,
            backoff_base_s=self.backoff_base_s,
            backoff_max_s=self.backoff_max_s,
            retry_after_max_s=self.retry_after_max_s,
            transport=transport,
        )
        self._format = ChatRequestFormat(
            self.model,
            image_position=self.image_position,
            max_image_side=self.max_image_side,
            max_image_pixels=self.max_image_pixels,
            send_stop=self.send_stop,
            seed=self.seed,
            extra_body=self.extra_body,
        )
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

    def request_body(self, request: Request) -> bytes:
        """The JSON body sent for `request` (built once; every retry sends the same bytes). Raises `ValueError`
        for image bytes that cannot be sent, `UnsupportedSettingError` for settings the API cannot express."""
        return self._format.body(request)

    # -- running --

    def generate(self, requests: Sequence[Request], on_response: Callable[[Response], None]) -> None:
        """Answer every request, calling `on_response` (in the calling thread's place, one call at a time) for
        each as it finishes, in completion order. Failed requests arrive with `text` None and `error` set.
        An exception raised by `on_response` stops the run and is raised here. Blocks until done; works when
        called from inside a running event loop too (it then runs on a private loop in a helper thread)."""
        requests = list(requests)
        for request in requests:
            self._format.sampling(request.settings)  # fail fast on settings the API cannot express
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

    async def _generate(self, requests: list[Request], on_response: Callable[[Response], None]) -> None:
        health = ServerHealth(
            [redact_text(url) for url in self.base_urls],
            breaker_failures=self.breaker_failures,
            dead_after=self.dead_after,
            stall_timeout_s=self.stall_timeout_s,
            warn=self._warn,
        )
        servers = ServerPool(self._endpoints, health.alive)
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
            async with self._client.connection() as client:
                await work(client)

        async def watchdog() -> None:  # the stall detector, and a wake-up for a stop decided inside a try
            while not health.stopped:
                await asyncio.sleep(min(1.0, self.stall_timeout_s / 4))
                health.check_stall(len(self._started))
            stop.set()

        count = min(self.max_concurrency, len(requests))
        shared = None
        if self._client.transport is not None:  # a given transport is one pool: share one client, closed once
            shared = self._client.connection()
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
            waiting: list[asyncio.Future[Any]] = [everything, stopped]
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
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
        self, client: httpx.AsyncClient, servers: ServerPool, health: ServerHealth, request: Request
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

        token = id(request) ^ id(body)
        self._started[token] = time.monotonic()
        try:
            outcome = await self._client.complete(client, servers, health, body)
        finally:
            self._started.pop(token, None)
        if outcome is None:
            return None
        if not isinstance(outcome, Completion):
            return failed(retries_summary(outcome))
        return Response(
            key,
            request.question_id,
            request.task,
            truncate_at_stop(outcome.text, request.settings.stop),
            latency_s=time.perf_counter() - start,
            reasoning=outcome.reasoning,
            usage=outcome.usage,
            finish_reason=outcome.finish_reason,
        )
