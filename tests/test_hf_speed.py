"""The HF adapter's speed paths (sorted batches, preprocessing overlapped with generation, static KV cache)
answer token for token as the plain path under greedy decoding, on tiny random-weight checkpoints; and the
GPU benchmark's `--tiny` mode runs end to end on the CPU."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="the HF adapter needs torch (pip install 'spar-bench[hf]')")
pytest.importorskip("transformers", reason="the HF adapter needs transformers (pip install 'spar-bench[hf]')")

from conftest import png_bytes
from fixtures import tiny_checkpoints  # noqa: F401 - a pytest fixture, used by name
from fixtures.tiny_models import FAMILIES

from spar_bench.model_adapters.base import GenerationSettings, Request
from spar_bench.model_adapters.hf import (
    AUTO_BATCH_MAX,
    SORT_WINDOW_BATCHES,
    HFAdapter,
    HFAdapterError,
    batch_size_from_memory,
)

# ruff: noqa: F811 - pytest fixtures are parameters named like the imported fixture

REPO = Path(__file__).resolve().parents[1]
TASK = "obj_spatial_relation_oo"
# No stop strings, so every answer runs its full length (or to end-of-sequence) and all of it is compared.
GREEDY = GenerationSettings(max_new_tokens=8, stop=())
PLAIN = {"sort_by_length": False, "prefetch": False, "static_cache": False}


def mixed_requests(settings: GenerationSettings = GREEDY) -> list[Request]:
    """Seven requests of unequal prompt lengths and image counts, in an order that sorting changes."""
    shapes = [(1, 5), (3, 60), (0, 2), (2, 30), (1, 90), (2, 1), (3, 12)]  # (images, extra prompt bytes)
    return [
        Request(
            question_id,
            TASK,
            f"Question {question_id}: which is closer? " + "x" * extra + "\nA. left B. right",
            tuple(
                png_bytes((30 * k % 256, 90, 17 * question_id % 256), (20 + 7 * k, 16 + 3 * question_id))
                for k in range(n)
            ),
            settings,
        )
        for question_id, (n, extra) in enumerate(shapes)
    ]


def answers_with_tokens(adapter: HFAdapter, requests: list[Request], monkeypatch) -> tuple[list, dict]:
    """The responses in the order handed back, and each request's generated token ids (up to and including
    end-of-sequence, without padding) keyed by question id."""
    tokens: dict = {}
    outputs: list = []
    original_generate = adapter.model.generate
    original_batch = adapter._generate_batch

    def generate(**kwargs):
        output = original_generate(**kwargs)
        outputs.append(output[:, kwargs["input_ids"].shape[1] :].tolist())
        return output

    def generate_batch(prepared):
        responses = original_batch(prepared)
        for (_, request, _), row in zip(prepared.items, outputs.pop()):
            tokens[request.question_id] = row[: adapter._completion_tokens(row)]
        return responses

    monkeypatch.setattr(adapter.model, "generate", generate)
    monkeypatch.setattr(adapter, "_generate_batch", generate_batch)
    responses: list = []
    adapter.generate(requests, responses.append)
    monkeypatch.undo()
    return responses, tokens


@pytest.fixture(scope="module", params=FAMILIES)
def adapter(request, tiny_checkpoints) -> HFAdapter:
    return HFAdapter(str(tiny_checkpoints(request.param)), batch_size=3, **PLAIN)


@pytest.fixture
def plain_answers(adapter, monkeypatch):
    for name, value in PLAIN.items():
        monkeypatch.setattr(adapter, name, value)
    responses, tokens = answers_with_tokens(adapter, mixed_requests(), monkeypatch)
    return responses, tokens


@pytest.mark.parametrize(
    "option",
    [
        {"sort_by_length": True},
        {"prefetch": True},
        {"static_cache": True},
        {"sort_by_length": True, "prefetch": True, "static_cache": True},
    ],
    ids=["sorted", "prefetch", "static_cache", "all"],
)
def test_speed_paths_answer_token_for_token_as_the_plain_path(adapter, plain_answers, option, monkeypatch):
    plain, plain_tokens = plain_answers
    for name, value in {**PLAIN, **option}.items():
        monkeypatch.setattr(adapter, name, value)
    fast, fast_tokens = answers_with_tokens(adapter, mixed_requests(), monkeypatch)
    assert fast_tokens == plain_tokens
    assert all(len(row) > 0 for row in plain_tokens.values())
    assert [(r.question_id, r.text, r.usage, r.finish_reason) for r in fast] == [
        (r.question_id, r.text, r.usage, r.finish_reason) for r in plain
    ]


def test_sorted_answers_come_back_in_request_order(adapter, monkeypatch):
    monkeypatch.setattr(adapter, "sort_by_length", True)
    responses: list = []
    adapter.generate(mixed_requests(), responses.append)
    assert [r.question_id for r in responses] == list(range(7))


def test_batches_hold_requests_of_similar_length_longest_first(adapter, monkeypatch):
    monkeypatch.setattr(adapter, "sort_by_length", True)
    requests = mixed_requests()
    batches = adapter._plan_batches(requests)
    lengths = [adapter.estimated_length(request) for batch in batches for _, request in batch]
    assert lengths == sorted(lengths, reverse=True)
    assert [len(batch) for batch in batches] == [3, 3, 1]
    assert sorted(position for batch in batches for position, _ in batch) == list(range(7))


def test_sorting_stays_within_windows_of_batches(adapter, monkeypatch):
    monkeypatch.setattr(adapter, "sort_by_length", True)
    monkeypatch.setattr(adapter, "batch_size", 1)
    requests = mixed_requests() * (SORT_WINDOW_BATCHES // 7 + 2)
    batches = adapter._plan_batches(requests)
    first_window = {position for batch in batches[:SORT_WINDOW_BATCHES] for position, _ in batch}
    assert first_window == set(range(SORT_WINDOW_BATCHES))


def test_requests_with_other_settings_never_share_a_sorted_batch(adapter, monkeypatch):
    monkeypatch.setattr(adapter, "sort_by_length", True)
    other = GenerationSettings(max_new_tokens=4, stop=())
    requests = [
        r if r.question_id % 2 else Request(r.question_id, r.task, r.prompt, r.images, other) for r in mixed_requests()
    ]
    for batch in adapter._plan_batches(requests):
        assert len({request.settings for _, request in batch}) == 1


def test_an_undecodable_image_fails_alone_and_in_place_with_prefetch(adapter, monkeypatch):
    monkeypatch.setattr(adapter, "prefetch", True)
    monkeypatch.setattr(adapter, "sort_by_length", True)
    requests = mixed_requests()
    requests[3] = Request(3, TASK, "?", (b"not an image",), GREEDY)
    responses: list = []
    adapter.generate(requests, responses.append)
    assert [r.question_id for r in responses] == list(range(7))
    assert [r.question_id for r in responses if r.failed] == [3]
    assert "image decoding failed" in responses[3].error


def test_a_failing_batch_is_retried_alone_with_prefetch(adapter, monkeypatch):
    original = adapter.model.generate

    def fails_on_batches(**kwargs):
        if kwargs["input_ids"].shape[0] > 1:
            raise RuntimeError("out of memory for a batch")
        return original(**kwargs)

    monkeypatch.setattr(adapter, "prefetch", True)
    monkeypatch.setattr(adapter.model, "generate", fails_on_batches)
    responses: list = []
    adapter.generate(mixed_requests(), responses.append)
    assert [r.question_id for r in responses] == list(range(7))
    assert all(r.error is None for r in responses)


def test_static_cache_is_asked_of_generate_without_compile_by_default(adapter, monkeypatch):
    monkeypatch.setattr(adapter, "static_cache", True)
    kwargs = adapter._generate_kwargs(GREEDY)
    assert kwargs["cache_implementation"] == "static"
    assert kwargs["disable_compile"] is True
    monkeypatch.setattr(adapter, "static_cache", False)
    assert "cache_implementation" not in adapter._generate_kwargs(GREEDY)


def test_compile_without_static_cache_is_refused(tiny_checkpoints):
    with pytest.raises(HFAdapterError, match="static_cache=true"):
        HFAdapter(str(tiny_checkpoints("qwen2_vl")), compile="true")


def test_speed_options_leave_the_identity_unchanged(tiny_checkpoints):
    path = str(tiny_checkpoints("qwen2_vl"))
    plain = HFAdapter(path, **PLAIN)
    fast = HFAdapter(path, sort_by_length="true", prefetch="1", static_cache="true")
    assert plain.identity == fast.identity


@pytest.mark.parametrize("batch_size", [None, "auto", "None"])
def test_batch_size_left_unset_is_one_on_the_cpu(tiny_checkpoints, batch_size):
    assert HFAdapter(str(tiny_checkpoints("qwen2_vl")), batch_size=batch_size, device="cpu").batch_size == 1


def test_batch_size_from_memory_fills_its_share_of_free_memory():
    # 2 GiB free, 40% of it for KV: 1 MiB per request (1,024 tokens of 1 KiB) gives 819 requests, capped.
    assert batch_size_from_memory(2 << 30, 1024, 1024) == AUTO_BATCH_MAX
    # 100 MiB free: 40 MiB / 4 MiB per request = 10.
    assert batch_size_from_memory(100 << 20, 4096, 1024) == 10
    assert batch_size_from_memory(1 << 20, 4096, 1024) == 1  # never below one
    assert batch_size_from_memory(0, 4096, 1024) == 1


def test_kv_bytes_per_token_reads_the_text_config(adapter):
    text = adapter.model.config.get_text_config()
    head_dim = getattr(text, "head_dim", None) or text.hidden_size // text.num_attention_heads
    expected = 2 * text.num_hidden_layers * text.num_key_value_heads * head_dim * 4  # float32
    assert adapter._kv_bytes_per_token() == expected


def test_gpu_benchmark_tiny_mode_runs_on_the_cpu(tmp_path, capsys):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import bench_hf_gpu
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    report = bench_hf_gpu.main(
        ["--tiny", "--rounds", "1", "--questions", "4", "--max-new-tokens", "4", "--workdir", str(tmp_path)]
    )
    printed = capsys.readouterr().out
    spar = report["spar_hf"]
    assert spar["samples"] == 4 and spar["samples_per_s"] > 0 and spar["tokens_per_s"] > 0
    assert spar["ms_per_step"] > 0
    assert "spar_hf" in printed and "samples/s" in printed
    if "lmms_qwen2_5_vl" in report:  # lmms-eval's side could not run here (e.g. no decord): it says why
        assert report["lmms_qwen2_5_vl"]["skipped"] in printed  # the reason is printed, not swallowed
    else:
        lmms_sides = [key for key in report if key.startswith("lmms qwen2_5_vl batch")]
        assert lmms_sides and all(report[key]["samples"] == 4 for key in lmms_sides) and report["ratio"] > 0
