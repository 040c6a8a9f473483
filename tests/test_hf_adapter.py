"""The transformers adapter on tiny random-weight checkpoints built by code (no hub, no weights downloaded)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch", reason="the HF adapter needs torch (pip install 'spar-bench[hf]')")
pytest.importorskip("transformers", reason="the HF adapter needs transformers (pip install 'spar-bench[hf]')")

from conftest import png_bytes
from fixtures import tiny_checkpoints  # noqa: F401 - a pytest fixture, used by name
from fixtures.tiny_models import FAMILIES

from spar_bench.model_adapters.base import GenerationSettings, Request, request_key
from spar_bench.model_adapters.hf import HFAdapter, HFAdapterError
from spar_bench.protocols import OfficialProtocol

SHORT = GenerationSettings(max_new_tokens=6)  # random weights rarely stop: keep generation short
TASK = "obj_spatial_relation_oo"


def request(
    question_id: int, n_images: int, settings: GenerationSettings = SHORT, prompt: str | None = None
) -> Request:
    images = tuple(
        png_bytes((40 * k % 256, 90, 20 * question_id % 256), (12 + 9 * k, 20 + 5 * question_id))
        for k in range(n_images)
    )
    prompt = prompt if prompt is not None else f"\nWhich is closer, question {question_id}? A. left B. right\nAnswer."
    return Request(question_id, TASK, prompt, images, settings)


def answer_all(adapter: HFAdapter, requests: list[Request]) -> list:
    responses = []
    adapter.generate(requests, responses.append)
    return responses


# ruff: noqa: F811 - pytest fixtures are parameters named like the imported fixture


@pytest.fixture(scope="module", params=FAMILIES)
def random_adapter(request, tiny_checkpoints) -> HFAdapter:
    return HFAdapter(str(tiny_checkpoints(request.param)))


@pytest.fixture(scope="module", params=FAMILIES)
def rigged_adapter(request, tiny_checkpoints) -> HFAdapter:
    return HFAdapter(str(tiny_checkpoints(request.param, answer="B")))


@pytest.fixture
def generate_calls(random_adapter, monkeypatch) -> list[dict]:
    """The keyword arguments of every `model.generate` call the adapter makes."""
    calls: list[dict] = []
    original = random_adapter.model.generate

    def spy(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(random_adapter.model, "generate", spy)
    return calls


@pytest.mark.parametrize("n_images", [1, 3])
def test_questions_with_one_or_several_images_get_text(random_adapter, n_images):
    (response,) = answer_all(random_adapter, [request(1, n_images)])
    assert response.error is None
    assert isinstance(response.text, str)
    assert response.usage["completion_tokens"] <= SHORT.max_new_tokens
    assert response.latency_s > 0


def test_left_padded_batches_answer_as_one_at_a_time(random_adapter):
    requests = [request(1, 1), request(2, 3, prompt="short?"), request(3, 2), request(4, 1, prompt="x" * 40)]
    random_adapter.batch_size = 1
    alone = answer_all(random_adapter, requests)
    random_adapter.batch_size = 4
    try:
        batched = answer_all(random_adapter, requests)
    finally:
        random_adapter.batch_size = 1
    assert [r.text for r in batched] == [r.text for r in alone]
    assert [r.usage["prompt_tokens"] for r in batched] == [r.usage["prompt_tokens"] for r in alone]
    assert [r.key for r in batched] == [r.key for r in alone]


def test_images_are_sent_as_pixel_values(random_adapter, generate_calls):
    answer_all(random_adapter, [request(1, 2)])
    assert "pixel_values" in generate_calls[0]


def test_blind_mode_sends_no_pixel_values(random_adapter, generate_calls, monkeypatch):
    monkeypatch.setattr(random_adapter, "blind", True)
    (response,) = answer_all(random_adapter, [request(1, 2)])
    assert response.error is None
    assert "pixel_values" not in generate_calls[0]
    image_token = random_adapter.processor.tokenizer.convert_tokens_to_ids(random_adapter.processor.image_token)
    assert image_token not in generate_calls[0]["input_ids"].tolist()[0]


def test_blind_flag_is_part_of_identity(tiny_checkpoints):
    path = str(tiny_checkpoints("qwen2_vl"))
    seeing, blind = HFAdapter(path), HFAdapter(path, blind="true")
    assert (seeing.identity["blind"], blind.identity["blind"]) == (False, True)
    assert request_key(seeing.identity, request(1, 1)) != request_key(blind.identity, request(1, 1))


@pytest.mark.parametrize("family", FAMILIES)
def test_rigged_model_answers_exactly_and_scores_one(tiny_checkpoints, family):
    adapter = HFAdapter(str(tiny_checkpoints(family, answer="B")), batch_size=2)
    responses = answer_all(adapter, [request(i, n, GenerationSettings()) for i, n in enumerate([1, 3, 2])])
    assert [r.text for r in responses] == ["B", "B", "B"]
    assert all(r.usage["completion_tokens"] == 2 for r in responses)  # "B" and end-of-sequence
    assert [OfficialProtocol().score(TASK, r.text, "B").score for r in responses] == [1.0, 1.0, 1.0]


def test_stop_string_ends_generation_and_is_cut_off(tiny_checkpoints):
    adapter = HFAdapter(str(tiny_checkpoints("qwen2_vl", answer="BXYZ")))
    (plain,) = answer_all(adapter, [request(1, 1, GenerationSettings(stop=()))])
    (stopped,) = answer_all(adapter, [request(1, 1, GenerationSettings(stop=("XY",)))])
    assert plain.text == "BXYZ"
    assert stopped.text == "B"
    assert stopped.usage["completion_tokens"] == 3  # generation stopped at "XY", before "Z" and the end


def test_identity_records_pixel_limits_and_they_apply(tiny_checkpoints):
    path = str(tiny_checkpoints("qwen2_vl"))
    default, large = HFAdapter(path), HFAdapter(path, min_pixels=str(28 * 28 * 4), max_pixels=28 * 28 * 16)
    assert (large.identity["min_pixels"], large.identity["max_pixels"]) == (3136, 12544)
    assert large.identity["image_processor"]["size"] == {"shortest_edge": 3136, "longest_edge": 12544}
    assert default.identity["image_processor"]["size"] == {"shortest_edge": 784, "longest_edge": 3136}
    assert request_key(default.identity, request(1, 1)) != request_key(large.identity, request(1, 1))
    big_image = Request(1, TASK, "?", (png_bytes(size=(400, 300)),), SHORT)
    (small,) = answer_all(default, [big_image])
    (more,) = answer_all(large, [big_image])
    assert more.usage["prompt_tokens"] > small.usage["prompt_tokens"]  # more image tokens


def test_pixel_limits_are_refused_by_a_processor_without_them(tiny_checkpoints):
    with pytest.raises(HFAdapterError, match="no pixel limits"):
        HFAdapter(str(tiny_checkpoints("llava")), max_pixels=1000)


def test_identity_is_json_and_leaves_out_batch_size_and_device(tiny_checkpoints):
    path = str(tiny_checkpoints("llava"))
    one, four = HFAdapter(path, batch_size=1, device="cpu"), HFAdapter(path, batch_size="4")
    assert json.loads(json.dumps(one.identity)) == one.identity == four.identity
    assert one.identity["checkpoint"] == path
    assert one.identity["dtype"] == "float32"
    assert one.identity["image_placement"] == "before"


def test_generate_failure_yields_error_responses_not_text(random_adapter, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("CUDA out of memory (simulated)")

    monkeypatch.setattr(random_adapter.model, "generate", broken)
    monkeypatch.setattr(random_adapter, "batch_size", 2)
    responses = answer_all(random_adapter, [request(1, 1), request(2, 2), request(3, 1)])
    assert [r.question_id for r in responses] == [1, 2, 3]
    assert all(r.text is None and r.failed for r in responses)
    assert all("CUDA out of memory (simulated)" in r.error for r in responses)


def test_a_failed_batch_is_retried_one_request_at_a_time(random_adapter, monkeypatch):
    original = random_adapter.model.generate

    def fails_on_batches(**kwargs):
        if kwargs["input_ids"].shape[0] > 1:
            raise RuntimeError("out of memory for a batch")
        return original(**kwargs)

    monkeypatch.setattr(random_adapter.model, "generate", fails_on_batches)
    monkeypatch.setattr(random_adapter, "batch_size", 3)
    responses = answer_all(random_adapter, [request(1, 1), request(2, 1), request(3, 1)])
    assert all(r.error is None and isinstance(r.text, str) for r in responses)


def test_an_undecodable_image_fails_only_its_request(rigged_adapter):
    broken = Request(2, TASK, "?", (b"not an image",), SHORT)
    responses = answer_all(rigged_adapter, [request(1, 1), broken, request(3, 1)])
    assert [(r.question_id, r.text) for r in responses if not r.failed] == [(1, "B"), (3, "B")]
    (failure,) = [r for r in responses if r.failed]
    assert failure.question_id == 2 and failure.text is None and "image decoding failed" in failure.error


def test_images_come_before_the_text_by_default(random_adapter):
    content = random_adapter.build_messages("Q?", 2)[0]["content"]
    assert [part["type"] for part in content] == ["image", "image", "text"]


def test_interleave_labels_each_image_before_the_question(tiny_checkpoints):
    adapter = HFAdapter(str(tiny_checkpoints("qwen2_vl")), image_placement="interleave")
    content = adapter.build_messages("Which is closer?", 2)[0]["content"]
    assert content == [
        {"type": "text", "text": "Image 1:"},
        {"type": "image"},
        {"type": "text", "text": "Image 2:"},
        {"type": "image"},
        {"type": "text", "text": "Which is closer?"},
    ]
    (response,) = answer_all(adapter, [request(1, 2)])
    assert response.error is None


def test_interleave_puts_images_at_their_placeholders(tiny_checkpoints):
    adapter = HFAdapter(str(tiny_checkpoints("qwen2_vl")), image_placement="interleave")
    content = adapter.build_messages("First <image> then <image> which?", 2)[0]["content"]
    assert [part.get("text", part["type"]) for part in content] == ["First ", "image", " then ", "image", " which?"]


def test_unknown_arguments_are_refused_with_the_choices(tiny_checkpoints):
    with pytest.raises(HFAdapterError, match="before, after, interleave"):
        HFAdapter(str(tiny_checkpoints("qwen2_vl")), image_placement="middle")
