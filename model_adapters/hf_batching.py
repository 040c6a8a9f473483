"""Batching for the Hugging Face adapter: the batch size that fits in free memory, batches of similar prompt
length that never mix generation settings, the batch prepared (images decoded, processor run) ahead of its
turn, and the answers handed back in request order. No torch here: the adapter passes in what it measured.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from typing import Any

from spar_bench.model_adapters.base import GenerationSettings, Request, Response

__all__ = [
    "AUTO_BATCH_MAX",
    "AUTO_BATCH_MEMORY_SHARE",
    "PIXELS_PER_IMAGE_TOKEN",
    "SORT_WINDOW_BATCHES",
    "InOrder",
    "PreparedBatch",
    "batch_size_from_memory",
    "decode_image",
    "image_pixels",
    "kv_bytes_per_token",
    "plan_batches",
]

# Requests are sorted by length within windows of this many batches: long enough to group similar prompts,
# short enough that answers reach the journal while the run goes on (each window's answers wait for its end
# at worst).
SORT_WINDOW_BATCHES = 16
# Qwen-VL style processors give one image token per 28 x 28 pixels: only the batch order depends on this
# estimate, never an answer.
PIXELS_PER_IMAGE_TOKEN = 28 * 28
# The automatic batch size on CUDA: the KV cache of a batch at its longest may take this share of the free
# memory left after loading; the rest is for activations (vision tower, prefill, logits) and fragmentation.
AUTO_BATCH_MEMORY_SHARE = 0.4
AUTO_BATCH_MAX = 64


def batch_size_from_memory(free_bytes: int, kv_bytes_per_token: int, tokens_per_request: int) -> int:
    """The batch size whose KV cache at full length (`tokens_per_request` prompt and new tokens, each request)
    fills `AUTO_BATCH_MEMORY_SHARE` of `free_bytes`, between 1 and `AUTO_BATCH_MAX`.

    A heuristic: activations (the vision tower on a batch's images, the prefill, the logits) are left to the
    other share; a batch that still runs out of memory is retried one request at a time, so too large a guess
    costs time, never answers. Returns 1 when any argument is not positive.
    """
    if free_bytes <= 0 or kv_bytes_per_token <= 0 or tokens_per_request <= 0:
        return 1
    fitting = int(free_bytes * AUTO_BATCH_MEMORY_SHARE) // (kv_bytes_per_token * tokens_per_request)
    return max(1, min(AUTO_BATCH_MAX, fitting))


@dataclasses.dataclass
class PreparedBatch:
    """One batch after image decoding and preprocessing: the requests that are ready (with their position in
    the call), the answers of those whose images failed to decode, and the processor output or its error."""

    items: list[tuple[int, Request, list]]
    failures: list[tuple[int, Response]]
    inputs: Any = None
    error: BaseException | None = None
    seconds: float = 0.0


class InOrder:
    """Hands responses to `on_response` in request order, each as soon as every earlier one is known."""

    def __init__(self, on_response: Callable[[Response], None]):
        self._on_response = on_response
        self._waiting: dict[int, Response] = {}
        self._next = 0

    def __call__(self, position: int, response: Response) -> None:
        self._waiting[position] = response
        while self._next in self._waiting:
            self._on_response(self._waiting.pop(self._next))
            self._next += 1


def plan_batches(
    requests: list[Request], batch_size: int, *, sort_by_length: bool, estimated_length: Callable[[Request], int]
) -> list[list[tuple[int, Request]]]:
    """The batches to run, as (position in `requests`, request) lists: consecutive requests with equal
    settings, at most `batch_size` each; sorted longest first within each window when `sort_by_length`."""
    indexed = list(enumerate(requests))
    if sort_by_length:
        window = batch_size * SORT_WINDOW_BATCHES
        groups: dict[GenerationSettings, int] = {}
        ordered = []
        for begin in range(0, len(indexed), window):
            chunk = indexed[begin : begin + window]
            # Settings first (in order of appearance) so a window's batches never mix them; longest
            # first so a batch too large for memory fails at once, as lmms-eval orders its batches.
            ordered += sorted(
                chunk,
                key=lambda item: (
                    groups.setdefault(item[1].settings, len(groups)),
                    -estimated_length(item[1]),
                ),
            )
        indexed = ordered
    batches: list[list[tuple[int, Request]]] = []
    for item in indexed:
        if batches and len(batches[-1]) < batch_size and batches[-1][0][1].settings == item[1].settings:
            batches[-1].append(item)
        else:
            batches.append([item])
    return batches


def kv_bytes_per_token(config: Any, dtype_bytes: int) -> int:
    """Key and value bytes one token takes in the language model's cache (0 when the config lacks a size)."""
    text = getattr(config, "get_text_config", lambda: config)()
    layers = getattr(text, "num_hidden_layers", 0) or 0
    heads = getattr(text, "num_attention_heads", 0) or 0
    kv_heads = getattr(text, "num_key_value_heads", None) or heads
    head_dim = getattr(text, "head_dim", None) or (text.hidden_size // heads if heads else 0)
    return 2 * layers * kv_heads * head_dim * dtype_bytes


def image_pixels(data: bytes) -> int:
    """Width x height from the image header (nothing decoded); 0 when the header does not read."""
    from PIL import Image

    try:
        width, height = Image.open(io.BytesIO(data)).size
    except Exception:
        return 0
    return width * height


def decode_image(data: bytes):
    """Encoded image bytes (PNG, JPEG, ...) to an RGB PIL image, decoded now so a bad file fails here."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")
