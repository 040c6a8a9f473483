"""Hugging Face transformers behind the adapter interface: any image-text-to-text checkpoint, local or on the hub.

Requests in, responses out (see `base`): the prompt and its images go through the checkpoint's own chat
template and processor, `generate` runs in left-padded batches of requests of similar length (answers are
handed back in request order), the next batch is preprocessed while the current one generates, and a batch
that fails is retried one request at a time so only the requests that really fail come back as errors.
torch and transformers are imported only here and in `hf_checkpoint` (loading), so the package core runs without
them. Batching lives in `hf_batching`, the arguments of `generate` and the reading of its rows in `hf_generation`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from spar_bench.model_adapters.arguments import boolean
from spar_bench.model_adapters.base import GenerationSettings, Request, Response, request_key, truncate_at_stop
from spar_bench.model_adapters.hf_batching import (
    AUTO_BATCH_MAX,
    AUTO_BATCH_MEMORY_SHARE,
    PIXELS_PER_IMAGE_TOKEN,
    SORT_WINDOW_BATCHES,
    InOrder,
    PreparedBatch,
    batch_size_from_memory,
    decode_image,
    image_pixels,
    kv_bytes_per_token,
    plan_batches,
)
from spar_bench.model_adapters.hf_checkpoint import (
    DTYPES,
    HFAdapterError,
    image_processor_limits,
    load_model,
    load_processor,
    resolution_kwargs,
)
from spar_bench.model_adapters.hf_generation import (
    completion_tokens,
    eos_token_ids,
    finish_reason,
    generate_kwargs,
    pad_token_id,
)
from spar_bench.model_adapters.hf_messages import IMAGE_PLACEHOLDER, IMAGE_PLACEMENTS, chat_messages

__all__ = [
    "AUTO_BATCH_MAX",
    "AUTO_BATCH_MEMORY_SHARE",
    "IMAGE_PLACEHOLDER",
    "IMAGE_PLACEMENTS",
    "SORT_WINDOW_BATCHES",
    "HFAdapter",
    "HFAdapterError",
    "batch_size_from_memory",
]


def _as_bool(value: bool | str) -> bool:
    """A bool, or its text as `arguments.boolean` reads it (lmms-eval passes model_args as strings). An empty text
    is refused: `spar-bench run` and lmms-eval both check model arguments against that reading before building the
    adapter, so no command line ever passed one here."""
    if isinstance(value, bool):
        return value
    try:
        return boolean(str(value))
    except ValueError:
        raise HFAdapterError(f"expected a boolean, got {value!r}") from None


def _as_optional_int(value: int | str | None, name: str) -> int | None:
    if value is None or value == "" or str(value).lower() == "none":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise HFAdapterError(f"{name} must be an integer, got {value!r}") from None
    if number <= 0:
        raise HFAdapterError(f"{name} must be positive, got {number}")
    return number


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


class HFAdapter:
    """An image-text-to-text checkpoint loaded with `AutoModelForImageTextToText` and `AutoProcessor`.

    Arguments (strings are accepted everywhere, as lmms-eval's `--model_args` passes them):

    - `pretrained`: a hub id or a local folder; `revision`: a hub branch, tag or commit.
    - `dtype`: "auto" (the checkpoint's), "float32", "float16" or "bfloat16".
    - `device`: where the model and inputs go when `device_map` is not given ("cuda" if available, else
      "cpu"); `device_map`: passed to `from_pretrained` (e.g. "auto" to spread a large model over GPUs).
    - `attn_implementation`: "eager", "sdpa", "flash_attention_2", ...; None lets transformers choose.
    - `min_pixels` / `max_pixels`: the image resolution limits of Qwen-VL style processors (each image is
      resized so its pixel count lies between them). They change scores; a processor without them refuses.
    - `image_placement`: "before" (all images, then the text: the released backends' order), "after" (text,
      then images) or "interleave" (see `build_messages`).
    - `blind`: drop every image (the text-only baseline); the prompt is unchanged.
    - `batch_size`: requests per `generate` call, left padded. None (or "auto"): on CUDA, chosen from the
      free memory at the first `generate` call (`batch_size_from_memory`); elsewhere 1.
    - `sort_by_length`: batch requests of similar estimated prompt length together (within windows of
      `SORT_WINDOW_BATCHES` batches); answers still come back in request order.
    - `prefetch`: decode and preprocess the next batch's images in a worker thread while the current batch
      generates.
    - `static_cache`: decode with a preallocated static KV cache (`cache_implementation="static"`);
      `compile`: with it, let transformers compile the decode step with torch.compile (CUDA only).

    `identity` holds the checkpoint, revision, resolved dtype and attention implementation, the effective
    image processor limits, the placement and the blind flag: everything that changes answers. Device,
    device map and batch size are left out, so a run resumed on other hardware finds its answers.
    """

    def __init__(
        self,
        pretrained: str,
        *,
        revision: str | None = None,
        dtype: str = "auto",
        device: str | None = None,
        device_map: str | dict | None = None,
        attn_implementation: str | None = None,
        min_pixels: int | str | None = None,
        max_pixels: int | str | None = None,
        image_placement: str = "before",
        blind: bool | str = False,
        batch_size: int | str | None = None,
        trust_remote_code: bool | str = False,
        sort_by_length: bool | str = True,
        prefetch: bool | str = True,
        static_cache: bool | str = False,
        compile: bool | str = False,
    ):
        if dtype not in DTYPES:
            raise HFAdapterError(f"dtype must be one of {', '.join(DTYPES)}; got {dtype!r}")
        if image_placement not in IMAGE_PLACEMENTS:
            raise HFAdapterError(
                f"image_placement must be one of {', '.join(IMAGE_PLACEMENTS)}; got {image_placement!r}"
            )
        # None until the first call on CUDA (chosen from free memory), else the given size or 1 (see below).
        self.batch_size = None if str(batch_size).lower() == "auto" else _as_optional_int(batch_size, "batch_size")
        self.sort_by_length = _as_bool(sort_by_length)
        self.prefetch = _as_bool(prefetch)
        self.static_cache = _as_bool(static_cache)
        self.compile = _as_bool(compile)
        if self.compile and not self.static_cache:
            raise HFAdapterError("compile=true needs static_cache=true (only a static cache is compiled)")
        self.image_placement = image_placement
        self.blind = _as_bool(blind)
        min_pixels = _as_optional_int(min_pixels, "min_pixels")
        max_pixels = _as_optional_int(max_pixels, "max_pixels")
        if min_pixels and max_pixels and min_pixels > max_pixels:
            raise HFAdapterError(f"min_pixels ({min_pixels}) is larger than max_pixels ({max_pixels})")
        trust_remote_code = _as_bool(trust_remote_code)

        load_kwargs: dict[str, Any] = {"revision": revision, "trust_remote_code": trust_remote_code}
        self.processor = load_processor(pretrained, load_kwargs)
        self.tokenizer = getattr(self.processor, "tokenizer", self.processor)
        self._image_kwargs = resolution_kwargs(self.processor, min_pixels, max_pixels)
        self.model = load_model(
            pretrained,
            load_kwargs,
            dtype=dtype,
            device=device,
            device_map=device_map,
            attn_implementation=attn_implementation,
        )
        if self.batch_size is None and self.model.device.type != "cuda":
            self.batch_size = 1  # the CPU default as before: no free-memory figure worth trusting there

        commit = getattr(self.model.config, "_commit_hash", None)
        self.identity = {
            "adapter": "hf",
            "checkpoint": str(pretrained),
            **({"revision": revision} if revision else {}),
            **({"commit": commit} if commit else {}),
            "dtype": str(self.model.dtype).removeprefix("torch."),
            "attn_implementation": getattr(self.model.config, "_attn_implementation", None),
            "min_pixels": min_pixels,
            "max_pixels": max_pixels,
            "image_processor": image_processor_limits(self.processor, self._image_kwargs),
            "image_placement": self.image_placement,
            "blind": self.blind,
        }
        json.dumps(self.identity)  # it keys the journal: fail here, not at the first response

    # --- prompts -----------------------------------------------------------------------------------------

    def build_messages(self, prompt: str, n_images: int) -> list[dict]:
        """The chat messages for one request with `n_images` images (0 in blind mode); see `chat_messages`."""
        return chat_messages(prompt, n_images, self.image_placement)

    def chat_text(self, request: Request, n_images: int) -> str:
        return self.processor.apply_chat_template(
            self.build_messages(request.prompt, n_images), add_generation_prompt=True, tokenize=False
        )

    # --- generation --------------------------------------------------------------------------------------

    def generate(self, requests: Sequence[Request], on_response: Callable[[Response], None]) -> None:
        """Answer `requests` in batches of at most `batch_size` requests sharing generation settings;
        `on_response` is called for each request in request order, as soon as it and every earlier request
        are answered.

        With `sort_by_length`, requests are batched by estimated prompt length within windows of
        `SORT_WINDOW_BATCHES` batches (less padding, same greedy answers); otherwise in the order given.
        With `prefetch`, the next batch is decoded and preprocessed in a worker thread meanwhile.

        A request whose images cannot be decoded fails alone. A batch whose preprocessing or `generate`
        raises is retried one request at a time; what still raises comes back with `error` set, never text.
        """
        requests = list(requests)
        if not requests:
            return
        if self.batch_size is None:
            self.batch_size = self._batch_size_from_free_memory(requests)
        emit = InOrder(on_response)
        batches = self._plan_batches(requests)
        if not self.prefetch:
            for batch in batches:
                self._run_batch(self._prepare(batch), emit)
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="spar-hf-preprocess") as pool:
            upcoming = pool.submit(self._prepare, batches[0])
            for following in [*batches[1:], None]:
                prepared = upcoming.result()  # _prepare records its errors; it does not raise
                if following is not None:
                    upcoming = pool.submit(self._prepare, following)
                self._run_batch(prepared, emit)

    # --- batching ----------------------------------------------------------------------------------------

    def _plan_batches(self, requests: list[Request]) -> list[list[tuple[int, Request]]]:
        return plan_batches(
            requests, self.batch_size, sort_by_length=self.sort_by_length, estimated_length=self.estimated_length
        )

    def estimated_length(self, request: Request) -> int:
        """The prompt's text tokens plus one per 28 x 28 image pixels (read from the image headers): a
        sorting key only. An image whose header does not read counts 0 (it fails later, alone)."""
        n_images = 0 if self.blind else len(request.images)
        length = len(self.tokenizer(self.chat_text(request, n_images), add_special_tokens=False)["input_ids"])
        if not self.blind:
            length += sum(image_pixels(data) for data in request.images) // PIXELS_PER_IMAGE_TOKEN
        return length

    def _batch_size_from_free_memory(self, requests: list[Request]) -> int:
        """On CUDA, `batch_size_from_memory` for the longest request of this call (estimated prompt plus
        `max_new_tokens`) with the free memory now; 1 when no KV size can be read from the config."""
        import torch

        free, _ = torch.cuda.mem_get_info(self.model.device)
        longest = max(self.estimated_length(r) + r.settings.max_new_tokens for r in requests)
        return batch_size_from_memory(free, self._kv_bytes_per_token(), longest)

    def _kv_bytes_per_token(self) -> int:
        return kv_bytes_per_token(self.model.config, self.model.dtype.itemsize)

    # --- one batch ---------------------------------------------------------------------------------------

    def _prepare(self, batch: list[tuple[int, Request]]) -> PreparedBatch:
        """Decode the batch's images and run the processor (in the worker thread when prefetching); every
        error is recorded in the result, for `_run_batch` to deal with."""
        start = time.perf_counter()
        prepared = PreparedBatch(items=[], failures=[])
        for position, request in batch:
            try:
                images = [] if self.blind else [decode_image(data) for data in request.images]
            except Exception as error:
                failure = self._failure(request, f"image decoding failed: {_describe(error)}", 0.0)
                prepared.failures.append((position, failure))
                continue
            prepared.items.append((position, request, images))
        if prepared.items:
            try:
                prepared.inputs = self._processor_inputs([(request, images) for _, request, images in prepared.items])
            except Exception as error:
                prepared.error = error
        prepared.seconds = time.perf_counter() - start
        return prepared

    def _run_batch(self, prepared: PreparedBatch, emit: Callable[[int, Response], None]) -> None:
        for position, failure in prepared.failures:
            emit(position, failure)
        if not prepared.items:
            return
        start = time.perf_counter()
        try:
            if prepared.error is not None:
                raise prepared.error
            responses = self._generate_batch(prepared)
        except Exception as error:
            if len(prepared.items) > 1:
                for position, request, _ in prepared.items:
                    self._run_batch(self._prepare([(position, request)]), emit)
                return
            latency = prepared.seconds + time.perf_counter() - start
            responses = [self._failure(prepared.items[0][1], _describe(error), latency)]
        for (position, _, _), response in zip(prepared.items, responses):
            emit(position, response)

    def _failure(self, request: Request, error: str, latency_s: float) -> Response:
        key = request_key(self.identity, request)
        return Response(key, request.question_id, request.task, None, error=error, latency_s=latency_s)

    def _processor_inputs(self, batch: list[tuple[Request, list]]):
        """The processor's tensors for a batch (on the CPU), left padded."""
        texts = [self.chat_text(request, len(images)) for request, images in batch]
        all_images = [images for _, images in batch]
        processor_kwargs: dict[str, Any] = {"text": texts, "padding": True, "return_tensors": "pt"}
        if any(all_images):
            # Nested lists (one per prompt) when every prompt has images; some processors (Idefics3) need
            # them. A mix with image-less prompts goes flat, which placeholder-counting processors accept.
            processor_kwargs["images"] = all_images if all(all_images) else [i for images in all_images for i in images]
            processor_kwargs.update(self._image_kwargs)
        return self.processor(**processor_kwargs)

    def _generate_batch(self, prepared: PreparedBatch) -> list[Response]:
        import torch

        start = time.perf_counter()
        settings = prepared.items[0][1].settings
        inputs = prepared.inputs.to(self.model.device)
        if "pixel_values" in inputs and torch.is_floating_point(inputs["pixel_values"]):
            inputs["pixel_values"] = inputs["pixel_values"].to(self.model.dtype)

        with torch.inference_mode():
            output = self.model.generate(**inputs, **self._generate_kwargs(settings))
        prompt_length = inputs["input_ids"].shape[1]
        generated = output[:, prompt_length:]
        prompt_tokens = inputs["attention_mask"].sum(dim=1).tolist()
        texts = self.tokenizer.batch_decode(generated, skip_special_tokens=True)
        # The batch's own work: its preprocessing (perhaps done meanwhile in the worker) and its generation.
        latency = prepared.seconds + time.perf_counter() - start

        responses = []
        for (_, request, _), text, row, n_prompt in zip(prepared.items, texts, generated.tolist(), prompt_tokens):
            usage = {"prompt_tokens": int(n_prompt), "completion_tokens": self._completion_tokens(row)}
            responses.append(
                Response(
                    request_key(self.identity, request),
                    request.question_id,
                    request.task,
                    truncate_at_stop(text, settings.stop),
                    latency_s=latency,
                    usage=usage,
                    finish_reason=self._finish_reason(row, text, usage["completion_tokens"], settings),
                )
            )
        return responses

    def _finish_reason(self, row: list[int], text: str, completion: int, settings: GenerationSettings) -> str:
        return finish_reason(row, text, completion, settings, eos_token_ids(self.model.generation_config))

    def _generate_kwargs(self, settings: GenerationSettings) -> dict:
        return generate_kwargs(
            settings,
            pad_token=self._pad_token_id(),
            tokenizer=self.tokenizer,
            static_cache=self.static_cache,
            compile=self.compile,
        )

    def _pad_token_id(self) -> int | None:
        return pad_token_id(self.tokenizer, self.model.generation_config)

    def _completion_tokens(self, row: list[int]) -> int:
        return completion_tokens(row, eos_token_ids(self.model.generation_config), self._pad_token_id())
