"""Hugging Face transformers behind the adapter interface: any image-text-to-text checkpoint, local or on the hub.

Requests in, responses out (see `base`): the prompt and its images go through the checkpoint's own chat
template and processor, `generate` runs in left-padded batches of requests of similar length (answers are
handed back in request order), the next batch is preprocessed while the current one generates, and a batch
that fails is retried one request at a time so only the requests that really fail come back as errors.
torch and transformers are imported here only, so the package core runs without them.
"""

from __future__ import annotations

import dataclasses
import io
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from spar_bench.errors import ModelError
from spar_bench.model_adapters.base import GenerationSettings, Request, Response, request_key, truncate_at_stop

IMAGE_PLACEMENTS = ("before", "after", "interleave")
# lmms-eval's image placeholder; in `interleave` mode a prompt holding exactly one per image is split there.
IMAGE_PLACEHOLDER = "<image>"
_DTYPES = ("auto", "float32", "float16", "bfloat16")
# Requests are sorted by length within windows of this many batches: long enough to group similar prompts,
# short enough that answers reach the journal while the run goes on (each window's answers wait for its end
# at worst).
SORT_WINDOW_BATCHES = 16
# Qwen-VL style processors give one image token per 28 x 28 pixels: only the batch order depends on this
# estimate, never an answer.
_PIXELS_PER_IMAGE_TOKEN = 28 * 28
# The automatic batch size on CUDA: the KV cache of a batch at its longest may take this share of the free
# memory left after loading; the rest is for activations (vision tower, prefill, logits) and fragmentation.
AUTO_BATCH_MEMORY_SHARE = 0.4
AUTO_BATCH_MAX = 64


class HFAdapterError(ModelError, ValueError):
    """A bad adapter argument or a checkpoint the adapter cannot use; the message says what to change."""


def _as_bool(value: bool | str) -> bool:
    """lmms-eval passes model_args as strings: "true"/"false"/"1"/"0" as well as real booleans."""
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise HFAdapterError(f"expected a boolean, got {value!r}")


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


def _plain(value: Any) -> Any:
    """A processor setting as JSON-ready data: SizeDict and other dataclasses or mappings become dicts
    without their unset (None) fields; tuples become lists; other values are returned as they are."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


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
class _PreparedBatch:
    """One batch after image decoding and preprocessing: the requests that are ready (with their position in
    the call), the answers of those whose images failed to decode, and the processor output or its error."""

    items: list[tuple[int, Request, list]]
    failures: list[tuple[int, Response]]
    inputs: Any = None
    error: BaseException | None = None
    seconds: float = 0.0


class _InOrder:
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
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        if dtype not in _DTYPES:
            raise HFAdapterError(f"dtype must be one of {', '.join(_DTYPES)}; got {dtype!r}")
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
        self.processor = AutoProcessor.from_pretrained(pretrained, **load_kwargs)
        if getattr(self.processor, "chat_template", None) is None:
            raise HFAdapterError(f"{pretrained}: the processor has no chat template; this adapter needs one")
        self.tokenizer = getattr(self.processor, "tokenizer", self.processor)
        self.tokenizer.padding_side = "left"  # generation appends on the right, so padding goes left
        self._image_kwargs = self._resolution_kwargs(min_pixels, max_pixels)

        model_kwargs = dict(load_kwargs, dtype=dtype)
        if attn_implementation:
            model_kwargs["attn_implementation"] = attn_implementation
        if device_map:
            model_kwargs["device_map"] = device_map
        self.model = AutoModelForImageTextToText.from_pretrained(pretrained, **model_kwargs)
        if not device_map:
            self.model.to(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.model.eval()
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
            "image_processor": self._image_processor_limits(),
            "image_placement": self.image_placement,
            "blind": self.blind,
        }
        json.dumps(self.identity)  # it keys the journal: fail here, not at the first response

    # --- image processor ---------------------------------------------------------------------------------

    def _resolution_kwargs(self, min_pixels: int | None, max_pixels: int | None) -> dict:
        """Per-call image processor arguments that apply the pixel limits (empty when none are given)."""
        if min_pixels is None and max_pixels is None:
            return {}
        image_processor = getattr(self.processor, "image_processor", None)
        accepted = getattr(getattr(image_processor, "valid_kwargs", None), "__annotations__", {})
        if "min_pixels" not in accepted:
            raise HFAdapterError(
                f"min_pixels/max_pixels apply to Qwen-VL style image processors; "
                f"{type(image_processor).__name__} has no pixel limits: drop them"
            )
        # transformers 5 spells the limits as size={"shortest_edge": min, "longest_edge": max}, in pixels.
        size = _plain(getattr(image_processor, "size", None)) or {}
        size = size if isinstance(size, dict) else {}
        if min_pixels is not None:
            size["shortest_edge"] = min_pixels
        if max_pixels is not None:
            size["longest_edge"] = max_pixels
        return {"size": size}

    def _image_processor_limits(self) -> dict:
        """The image processor's class and the resizing it will apply (with our per-call overrides)."""
        image_processor = getattr(self.processor, "image_processor", None)
        if image_processor is None:
            return {}
        limits: dict[str, Any] = {"class": type(image_processor).__name__}
        for name in ("size", "crop_size", "max_image_size", "min_pixels", "max_pixels", "do_image_splitting"):
            value = _plain(getattr(image_processor, name, None))
            if value is not None:
                limits[name] = value
        if "size" in self._image_kwargs:
            limits["size"] = self._image_kwargs["size"]
        return limits

    # --- prompts -----------------------------------------------------------------------------------------

    def build_messages(self, prompt: str, n_images: int) -> list[dict]:
        """The chat messages for one request with `n_images` images (0 in blind mode).

        before: every image, then the prompt. after: the prompt, then every image. interleave: when the
        prompt holds exactly one `<image>` placeholder per image, each image takes its placeholder's place;
        otherwise each image is preceded by a text label "Image k:" (k from 1, dataset order), all before the
        prompt, so "the second image" in a question has an anchor.
        """
        images = [{"type": "image"} for _ in range(n_images)]
        text = [{"type": "text", "text": prompt}]
        if self.image_placement == "after":
            content = text + images
        elif self.image_placement == "interleave" and n_images:
            pieces = prompt.split(IMAGE_PLACEHOLDER)
            if len(pieces) == n_images + 1:
                content = [{"type": "text", "text": pieces[0]}] if pieces[0] else []
                for piece in pieces[1:]:
                    content.append({"type": "image"})
                    if piece:
                        content.append({"type": "text", "text": piece})
            else:
                content = []
                for k in range(1, n_images + 1):
                    content += [{"type": "text", "text": f"Image {k}:"}, {"type": "image"}]
                content += text
        else:
            content = images + text
        return [{"role": "user", "content": content}]

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
        emit = _InOrder(on_response)
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
        """The batches to run, as (position in `requests`, request) lists: consecutive requests with equal
        settings, at most `batch_size` each; sorted longest first within each window when `sort_by_length`."""
        indexed = list(enumerate(requests))
        if self.sort_by_length:
            window = self.batch_size * SORT_WINDOW_BATCHES
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
                        -self.estimated_length(item[1]),
                    ),
                )
            indexed = ordered
        batches: list[list[tuple[int, Request]]] = []
        for item in indexed:
            if batches and len(batches[-1]) < self.batch_size and batches[-1][0][1].settings == item[1].settings:
                batches[-1].append(item)
            else:
                batches.append([item])
        return batches

    def estimated_length(self, request: Request) -> int:
        """The prompt's text tokens plus one per 28 x 28 image pixels (read from the image headers): a
        sorting key only. An image whose header does not read counts 0 (it fails later, alone)."""
        n_images = 0 if self.blind else len(request.images)
        length = len(self.tokenizer(self.chat_text(request, n_images), add_special_tokens=False)["input_ids"])
        if not self.blind:
            length += sum(_image_pixels(data) for data in request.images) // _PIXELS_PER_IMAGE_TOKEN
        return length

    def _batch_size_from_free_memory(self, requests: list[Request]) -> int:
        """On CUDA, `batch_size_from_memory` for the longest request of this call (estimated prompt plus
        `max_new_tokens`) with the free memory now; 1 when no KV size can be read from the config."""
        import torch

        free, _ = torch.cuda.mem_get_info(self.model.device)
        longest = max(self.estimated_length(r) + r.settings.max_new_tokens for r in requests)
        return batch_size_from_memory(free, self._kv_bytes_per_token(), longest)

    def _kv_bytes_per_token(self) -> int:
        """Key and value bytes one token takes in the language model's cache (0 when the config lacks a size)."""
        config = self.model.config
        text = getattr(config, "get_text_config", lambda: config)()
        layers = getattr(text, "num_hidden_layers", 0) or 0
        heads = getattr(text, "num_attention_heads", 0) or 0
        kv_heads = getattr(text, "num_key_value_heads", None) or heads
        head_dim = getattr(text, "head_dim", None) or (text.hidden_size // heads if heads else 0)
        return 2 * layers * kv_heads * head_dim * self.model.dtype.itemsize

    # --- one batch ---------------------------------------------------------------------------------------

    def _prepare(self, batch: list[tuple[int, Request]]) -> _PreparedBatch:
        """Decode the batch's images and run the processor (in the worker thread when prefetching); every
        error is recorded in the result, for `_run_batch` to deal with."""
        start = time.perf_counter()
        prepared = _PreparedBatch(items=[], failures=[])
        for position, request in batch:
            try:
                images = [] if self.blind else [_decode_image(data) for data in request.images]
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

    def _run_batch(self, prepared: _PreparedBatch, emit: Callable[[int, Response], None]) -> None:
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

    def _generate_batch(self, prepared: _PreparedBatch) -> list[Response]:
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

    def _finish_reason(self, row: list[int], text: str, completion_tokens: int, settings: GenerationSettings) -> str:
        """ "stop" when generation ended on an end-of-sequence token or a stop string, "length" when it used every
        one of `max_new_tokens` without either (the answer may be cut)."""
        eos = self.model.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos]) - {None}
        if any(token in eos_ids for token in row) or any(marker and marker in text for marker in settings.stop):
            return "stop"
        return "length" if completion_tokens >= settings.max_new_tokens else "stop"

    def _generate_kwargs(self, settings: GenerationSettings) -> dict:
        kwargs: dict[str, Any] = {
            "max_new_tokens": settings.max_new_tokens,
            "num_beams": settings.num_beams,
            "do_sample": settings.do_sample,
            "pad_token_id": self._pad_token_id(),
        }
        if settings.do_sample:
            kwargs.update(temperature=settings.temperature, top_p=settings.top_p)
        else:  # greedy: a checkpoint's sampling defaults would only raise warnings
            kwargs.update(temperature=None, top_p=None, top_k=None)
        if settings.stop:
            kwargs.update(stop_strings=list(settings.stop), tokenizer=self.tokenizer)
        if self.static_cache:
            kwargs["cache_implementation"] = "static"
            # transformers compiles a static-cache decode step by itself on CUDA; only `compile` allows it.
            kwargs["disable_compile"] = not self.compile
        return kwargs

    def _pad_token_id(self) -> int | None:
        if self.tokenizer.pad_token_id is not None:
            return self.tokenizer.pad_token_id
        eos = self.model.generation_config.eos_token_id
        return eos[0] if isinstance(eos, list) else eos

    def _completion_tokens(self, row: list[int]) -> int:
        """Generated tokens up to and including the first end-of-sequence, else up to the right padding."""
        eos = self.model.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos]) - {None}
        for position, token in enumerate(row):
            if token in eos_ids:
                return position + 1
        pad = self._pad_token_id()
        length = len(row)
        while length and row[length - 1] == pad:
            length -= 1
        return length


def _image_pixels(data: bytes) -> int:
    """Width x height from the image header (nothing decoded); 0 when the header does not read."""
    from PIL import Image

    try:
        width, height = Image.open(io.BytesIO(data)).size
    except Exception:
        return 0
    return width * height


def _decode_image(data: bytes):
    """Encoded image bytes (PNG, JPEG, ...) to an RGB PIL image, decoded now so a bad file fails here."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")
