"""The served-model adapter against a local fault-injecting OpenAI-compatible server (tests/fault_server.py).

Every server listens on 127.0.0.1 and every test bounds its requests by count and by timeout_s * tries.
The last test runs against a real `transformers serve` process serving a tiny rigged checkpoint.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from conftest import png_bytes
from fault_server import FaultServer, Reply

from spar_bench.model_adapters.base import GenerationSettings, Request, request_key
from spar_bench.model_adapters.openai_server import (
    AdapterStopped,
    ConfigurationError,
    OpenAIServerAdapter,
    UnsupportedSettingError,
    image_data_url,
    parse_retry_after,
    sniff_image_mime,
)


def jpeg_bytes(color=(10, 120, 200), size=(10, 7)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def ask(letter: str = "B", question_id: int | str = 1, images: tuple[bytes, ...] = (), **settings) -> Request:
    return Request(
        question_id,
        "depth_prediction_oc",
        f"Which is closer? [answer:{letter}]",
        images,
        GenerationSettings(**settings),
    )


def fast_adapter(base_url, **options) -> OpenAIServerAdapter:
    """Short timeouts and backoff so that fault tests take fractions of a second."""
    defaults = {"timeout_s": 2.0, "max_retries": 3, "backoff_base_s": 0.01, "backoff_max_s": 0.05}
    return OpenAIServerAdapter("tiny-vlm", base_url, **{**defaults, **options})


def run(adapter: OpenAIServerAdapter, requests) -> list:
    responses = []
    adapter.generate(requests, responses.append)
    return responses


@pytest.fixture
def server():
    with FaultServer() as running:
        yield running


# --- success path -----------------------------------------------------------------------------------------------


def test_answers_come_back_with_key_text_and_latency(server):
    adapter = fast_adapter(server.base_url)
    requests = [ask(letter, question_id=i) for i, letter in enumerate("ABCD")]
    responses = run(adapter, requests)
    by_id = {response.question_id: response for response in responses}
    assert sorted(by_id) == [0, 1, 2, 3]
    for request in requests:
        response = by_id[request.question_id]
        assert response.text == "ABCD"[request.question_id]
        assert response.error is None and not response.failed
        assert response.key == request_key(adapter.identity, request)
        assert response.task == "depth_prediction_oc"
        assert response.latency_s is not None and response.latency_s > 0


def test_generation_settings_are_sent(server):
    run(fast_adapter(server.base_url, seed=7), [ask(max_new_tokens=100)])
    body = server.chat_received()[0].body
    assert body["model"] == "tiny-vlm"
    assert body["max_tokens"] == 100
    assert body["temperature"] == 0.0 and body["top_p"] == 1.0
    assert body["stop"] == ["\n\n"]
    assert body["seed"] == 7


def test_sampling_settings_are_sent_when_sampling(server):
    run(fast_adapter(server.base_url), [ask(do_sample=True, temperature=0.7, top_p=0.9, stop=())])
    body = server.chat_received()[0].body
    assert (body["temperature"], body["top_p"]) == (0.7, 0.9)
    assert "stop" not in body and "seed" not in body


def test_answers_are_cut_at_the_stop_string_even_when_it_is_not_sent(server):
    adapter = fast_adapter(server.base_url, send_stop="false")
    (response,) = run(adapter, [ask("C\n\nbecause it is nearer")])
    assert "stop" not in server.chat_received()[0].body
    assert response.text == "C"


def test_beam_search_is_refused_before_anything_is_sent(server):
    with pytest.raises(UnsupportedSettingError, match="num_beams"):
        run(fast_adapter(server.base_url), [ask(num_beams=3)])
    assert server.chat_requests == 0


def test_on_response_is_called_as_each_request_finishes():
    slow_first = FaultServer(rule=lambda body: Reply.ok(0.5) if "[answer:S]" in json.dumps(body) else Reply.ok())
    with slow_first:
        responses = run(fast_adapter(slow_first.base_url), [ask("S", 0), ask("F", 1), ask("G", 2)])
    assert [response.text for response in responses][-1] == "S"


def test_an_empty_request_list_sends_nothing(server):
    assert run(fast_adapter(server.base_url), []) == []
    assert server.chat_requests == 0


# --- images -----------------------------------------------------------------------------------------------------


def test_images_arrive_byte_identical_as_data_urls_with_their_mime_type(server):
    png, jpeg = png_bytes(), jpeg_bytes()
    run(fast_adapter(server.base_url), [ask(images=(png, jpeg, png_bytes((1, 2, 3))))])
    received = server.chat_received()[0]
    assert received.images == [("image/png", png), ("image/jpeg", jpeg), ("image/png", png_bytes((1, 2, 3)))]


def test_images_come_before_the_text_by_default(server):
    run(fast_adapter(server.base_url), [ask(images=(png_bytes(), jpeg_bytes()))])
    assert server.chat_received()[0].content_types == ["image_url", "image_url", "text"]


def test_images_come_after_the_text_when_asked(server):
    run(fast_adapter(server.base_url, image_position="after"), [ask(images=(png_bytes(),))])
    assert server.chat_received()[0].content_types == ["text", "image_url"]


def test_images_are_reencoded_only_when_over_a_size_limit(server):
    from PIL import Image

    large, small = png_bytes(size=(40, 20)), png_bytes(size=(8, 4))
    run(fast_adapter(server.base_url, max_image_side=10), [ask(images=(large, small))])
    (large_mime, large_sent), (_, small_sent) = server.chat_received()[0].images
    assert large_mime == "image/png" and Image.open(io.BytesIO(large_sent)).size == (10, 5)
    assert small_sent == small  # within the limit: the stored bytes, untouched


def test_a_pixel_limit_keeps_the_aspect_ratio_and_the_jpeg_format():
    from PIL import Image

    url = image_data_url(jpeg_bytes(size=(40, 10)), max_pixels=100)
    header, payload = url.split(",", 1)
    assert header == "data:image/jpeg;base64"
    assert Image.open(io.BytesIO(base64.b64decode(payload))).size == (20, 5)


def test_mime_types_are_sniffed_from_magic_bytes():
    assert sniff_image_mime(png_bytes()) == "image/png"
    assert sniff_image_mime(jpeg_bytes()) == "image/jpeg"
    assert sniff_image_mime(b"GIF89a....") == "image/gif"
    assert sniff_image_mime(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_image_mime(b"not an image") is None


def test_undecodable_image_bytes_fail_that_request_only(server):
    responses = run(fast_adapter(server.base_url), [ask("A", 0, images=(b"garbage",)), ask("B", 1)])
    by_id = {response.question_id: response for response in responses}
    assert by_id[0].text is None and "could not be decoded" in by_id[0].error
    assert by_id[1].text == "B"
    assert server.chat_requests == 1


# --- retries and failures ---------------------------------------------------------------------------------------


def test_a_500_is_retried_until_success():
    with FaultServer(script=[Reply.http_status(500), Reply.http_status(503)]) as server:
        (response,) = run(fast_adapter(server.base_url), [ask("C")])
    assert response.text == "C" and response.error is None
    assert server.chat_requests == 3


def test_a_429_waits_at_least_its_retry_after():
    with FaultServer(script=[Reply.http_status(429, retry_after="0.3")]) as server:
        (response,) = run(fast_adapter(server.base_url), [ask("D")])
    first, second = server.chat_received()
    assert response.text == "D"
    assert second.received_at - first.received_at >= 0.3


def test_a_429_with_an_http_date_is_honoured():
    # HTTP dates have whole-seconds resolution: the retry must not arrive before the (truncated) date.
    date = (datetime.now(timezone.utc) + timedelta(seconds=1.5)).replace(microsecond=0)
    with FaultServer(script=[Reply.http_status(429, retry_after=format_datetime(date, usegmt=True))]) as server:
        (response,) = run(fast_adapter(server.base_url), [ask("D")])
    _, second = server.chat_received()
    assert response.text == "D" and second.received_wall >= date.timestamp()


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("0.2") == 0.2
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_a_hang_times_out_and_fails_after_max_retries():
    with FaultServer(default=Reply.hang(30)) as server:
        start = time.monotonic()
        (response,) = run(fast_adapter(server.base_url, timeout_s=0.3, max_retries=2), [ask()])
        elapsed = time.monotonic() - start
    assert response.text is None
    assert "within 0.3 s" in response.error and "after 3 tries" in response.error
    assert server.chat_requests == 3
    assert 0.9 <= elapsed < 5


def test_a_hang_then_an_answer_succeeds():
    with FaultServer(script=[Reply.hang(30)]) as server:
        (response,) = run(fast_adapter(server.base_url, timeout_s=0.3), [ask("E")])
    assert response.text == "E" and server.chat_requests == 2


def test_a_dropped_connection_is_retried():
    with FaultServer(script=[Reply.drop(), Reply.drop()]) as server:
        (response,) = run(fast_adapter(server.base_url), [ask("B")])
    assert response.text == "B" and server.chat_requests == 3


def test_malformed_json_is_retried_then_reported():
    with FaultServer(default=Reply.malformed()) as server:
        (response,) = run(fast_adapter(server.base_url, max_retries=1), [ask()])
    assert response.text is None
    assert "malformed JSON" in response.error and "after 2 tries" in response.error
    assert server.chat_requests == 2


def test_an_answer_without_choices_is_retried():
    with FaultServer(script=[Reply.no_choices()]) as server:
        (response,) = run(fast_adapter(server.base_url), [ask("A")])
    assert response.text == "A" and server.chat_requests == 2


def test_a_400_is_not_retried():
    with FaultServer(default=Reply.http_status(400)) as server:
        (response,) = run(fast_adapter(server.base_url), [ask()])
    assert response.text is None
    assert "HTTP 400" in response.error and "after 1 try" in response.error
    assert server.chat_requests == 1


def test_a_408_is_retried():
    with FaultServer(script=[Reply.http_status(408)]) as server:
        (response,) = run(fast_adapter(server.base_url), [ask("A")])
    assert response.text == "A" and server.chat_requests == 2


def test_failures_come_back_as_errors_with_no_text_beside_the_answers():
    rule = lambda body: Reply.http_status(500) if "[answer:X]" in json.dumps(body) else None
    with FaultServer(rule=rule) as server:
        responses = run(fast_adapter(server.base_url, max_retries=1), [ask("X", 0), ask("B", 1), ask("X", 2)])
    by_id = {response.question_id: response for response in responses}
    assert len(responses) == 3
    assert by_id[1].text == "B" and not by_id[1].failed
    for failed in (by_id[0], by_id[2]):
        assert failed.failed and failed.text is None and "HTTP 500" in failed.error


def test_an_unreachable_server_stops_the_run_saying_the_connection_was_refused():
    with FaultServer() as server:
        url = server.base_url
    responses = []
    with pytest.raises(AdapterStopped, match="refused"):  # the server is gone: connection refused
        fast_adapter(url, max_retries=1).generate([ask()], responses.append)
    assert all(response.failed for response in responses), "nothing is recorded as an answer"


def test_a_dropped_connection_on_the_last_try_is_a_connection_failure():
    with FaultServer(default=Reply.drop()) as server:
        (response,) = run(fast_adapter(server.base_url, max_retries=1), [ask()])
    assert response.text is None and "connection" in response.error and "after 2 tries" in response.error


# --- spreading and concurrency ----------------------------------------------------------------------------------


def test_several_base_urls_all_receive_requests():
    with FaultServer(default=Reply.ok(0.02)) as first, FaultServer(default=Reply.ok(0.02)) as second:
        adapter = fast_adapter(f"{first.base_url}|{second.base_url}", max_concurrency=4)
        responses = run(adapter, [ask("A", i) for i in range(20)])
    assert all(response.text == "A" for response in responses)
    assert first.chat_requests + second.chat_requests == 20
    assert min(first.chat_requests, second.chat_requests) >= 6
    assert adapter.requests_per_server == {first.base_url: first.chat_requests, second.base_url: second.chat_requests}


def test_a_retry_goes_to_another_server():
    with FaultServer(default=Reply.drop()) as broken, FaultServer() as healthy:
        responses = run(
            fast_adapter([broken.base_url, healthy.base_url], max_retries=1), [ask("A", i) for i in range(6)]
        )
    assert all(response.text == "A" for response in responses)


def test_concurrency_bound_is_respected():
    with FaultServer(default=Reply.ok(0.05)) as server:
        run(fast_adapter(server.base_url, max_concurrency=4), [ask("A", i) for i in range(24)])
    assert server.max_in_flight == 4


# --- what else comes back ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_reasoning_content_is_kept_apart_from_the_answer(field):
    with FaultServer(default=Reply.ok(reasoning="the chair is nearer", reasoning_field=field)) as server:
        (response,) = run(fast_adapter(server.base_url), [ask("A")])
    assert response.text == "A" and response.reasoning == "the chair is nearer"


def test_usage_is_recorded(server):
    (response,) = run(fast_adapter(server.base_url), [ask("A")])
    assert response.usage == {"prompt_tokens": 4, "completion_tokens": 1, "total_tokens": 5}


# --- identity and configuration ---------------------------------------------------------------------------------


def test_identity_leaves_out_base_urls_but_keeps_image_limits():
    here = OpenAIServerAdapter("m", "http://127.0.0.1:8000/v1")
    there = OpenAIServerAdapter("m", "http://10.0.0.2:9000/v1|http://10.0.0.3:9000/v1", max_concurrency=8)
    limited = OpenAIServerAdapter("m", "http://127.0.0.1:8000/v1", max_image_side=512)
    assert here.identity == there.identity
    assert limited.identity != here.identity and limited.identity["max_image_side"] == 512
    assert OpenAIServerAdapter("other", "http://127.0.0.1:8000/v1").identity != here.identity


def test_missing_base_url_is_a_configuration_error(monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="base_url=http://HOST:PORT/v1"):
        OpenAIServerAdapter("m")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"base_url": "127.0.0.1:8000"}, "not an http"),
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"max_retries": -1}, "max_retries"),
        ({"image_position": "middle"}, "image_position"),
        ({"extra_body": "{not json"}, "extra_body"),
    ],
)
def test_bad_options_are_configuration_errors(options, message):
    with pytest.raises(ConfigurationError, match=message):
        OpenAIServerAdapter("m", **{"base_url": "http://127.0.0.1:8000/v1", **options})


def test_a_base_url_without_a_path_gets_v1(server):
    run(fast_adapter(server.base_url.removesuffix("/v1")), [ask()])
    assert server.chat_received()[0].path == "/v1/chat/completions"


def test_model_args_strings_are_converted():
    adapter = OpenAIServerAdapter(
        "m",
        "http://127.0.0.1:8000/v1",
        max_concurrency="8",
        timeout_s="2.5",
        max_image_pixels="1000",
        extra_body='{"top_k": 1}',
    )
    assert (adapter.max_concurrency, adapter.timeout_s, adapter.max_image_pixels) == (8, 2.5, 1000)
    assert adapter.identity["extra_body"] == {"top_k": 1}


# --- transports and event loops ---------------------------------------------------------------------------------


def test_the_transport_can_be_swapped_for_a_fake():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"choices": [{"message": {"content": "C"}}]})

    adapter = fast_adapter("http://fake.invalid/v1", transport=httpx.MockTransport(handler))
    responses = run(adapter, [ask("C", i) for i in range(3)])
    assert [response.text for response in responses] == ["C"] * 3 and len(seen) == 3
    assert all(response.usage is None and response.reasoning is None for response in responses)


def test_generate_works_inside_a_running_event_loop(server):
    async def inside() -> list:
        return run(fast_adapter(server.base_url), [ask("A")])

    (response,) = asyncio.run(inside())
    assert response.text == "A"


def test_an_error_in_on_response_stops_the_run(server):
    def explode(response):
        raise RuntimeError("journal is full")

    with pytest.raises(RuntimeError, match="journal is full"):
        fast_adapter(server.base_url).generate([ask("A", i) for i in range(5)], explode)


# --- opt-in: a real `transformers serve` process ----------------------------------------------------------------
#
# pytest tests/test_openai_adapter.py -k transformers_serve
# builds a tiny rigged Qwen2-VL checkpoint (tests/fixtures/tiny_models.py), serves it with `transformers serve`
# on 127.0.0.1 and asks it through the adapter (about 30 s on two cores).


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def transformers_serve(folder, *, startup_s: float = 90.0):
    """`transformers serve FOLDER` on 127.0.0.1; yields its base URL once /health answers, then stops it."""
    port = _free_port()
    executable = Path(sys.executable).with_name("transformers")
    command = [str(executable), "serve", str(folder), "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + startup_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"transformers serve exited: {process.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"transformers serve did not answer /health within {startup_s:g} s")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def test_transformers_serve_answers_through_the_adapter(tmp_path):
    pytest.importorskip("fastapi", reason="transformers serve needs transformers[serving] (the test extra has it)")
    from fixtures.tiny_models import build_rigged_model

    folder = build_rigged_model(tmp_path / "rigged", answer="B")
    # send_stop=false: transformers serve 5.x answers HTTP 500 to `stop` with a vision-language processor.
    requests = [ask("B", i, images=(png_bytes(size=(32, 32)),) * (1 + i % 2), max_new_tokens=5) for i in range(4)]
    with transformers_serve(folder) as base_url:
        adapter = OpenAIServerAdapter(
            str(folder), base_url, timeout_s=60, max_retries=1, max_concurrency=2, send_stop=False
        )
        responses = run(adapter, requests)
    assert sorted(response.question_id for response in responses) == [0, 1, 2, 3]
    assert all(response.error is None and response.text == "B" for response in responses), responses
    by_id = {response.question_id: response for response in responses}
    # Two images cost more prompt tokens than one: the images reached the model.
    assert by_id[1].usage["prompt_tokens"] > by_id[0].usage["prompt_tokens"]
