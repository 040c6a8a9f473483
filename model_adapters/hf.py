"""Hugging Face transformers behind the adapter interface: any image-text-to-text checkpoint, local or on the hub.

Requests in, responses out (see `base`): the prompt and its images go through the checkpoint's own chat
template and processor, `generate` runs in left-padded batches, and a batch that fails is retried one request
at a time so only the requests that really fail come back as errors. torch and transformers are imported
here only, so the package core runs without them.
"""

from __future__ import annotations

import dataclasses
import io
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from spar_bench.model_adapters.base import GenerationSettings, Request, Response, request_key, truncate_at_stop

IMAGE_PLACEMENTS = ("before", "after", "interleave")
# lmms-eval's image placeholder; in `interleave` mode a prompt holding exactly one per image is split there.
IMAGE_PLACEHOLDER = "<image>"
_DTYPES = ("auto", "float32", "float16", "bfloat16")


class HFAdapterError(ValueError):
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
    - `batch_size`: requests per `generate` call, left padded.

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
        batch_size: int | str = 1,
        trust_remote_code: bool | str = False,
    ):
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        if dtype not in _DTYPES:
            raise HFAdapterError(f"dtype must be one of {', '.join(_DTYPES)}; got {dtype!r}")
        if image_placement not in IMAGE_PLACEMENTS:
            raise HFAdapterError(
                f"image_placement must be one of {', '.join(IMAGE_PLACEMENTS)}; got {image_placement!r}"
            )
        self.batch_size = _as_optional_int(batch_size, "batch_size") or 1
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
        """Answer `requests` in order, in batches of `batch_size` requests sharing generation settings;
        `on_response` is called for each request as its batch finishes.

        A request whose images cannot be decoded fails alone. A batch whose preprocessing or `generate`
        raises is retried one request at a time; what still raises comes back with `error` set, never text.
        """
        batch: list[tuple[Request, list]] = []
        for request in requests:
            try:
                images = [] if self.blind else [_decode_image(data) for data in request.images]
            except Exception as error:  # noqa: BLE001 - one bad image must not stop the run
                on_response(self._failure(request, f"image decoding failed: {_describe(error)}", 0.0))
                continue
            if batch and (len(batch) >= self.batch_size or batch[0][0].settings != request.settings):
                self._run_batch(batch, on_response)
                batch = []
            batch.append((request, images))
        if batch:
            self._run_batch(batch, on_response)

    def _run_batch(self, batch: list[tuple[Request, list]], on_response: Callable[[Response], None]) -> None:
        start = time.perf_counter()
        try:
            responses = self._generate_batch(batch)
        except Exception as error:  # noqa: BLE001 - recorded as failures below, never as answers
            if len(batch) > 1:
                for item in batch:
                    self._run_batch([item], on_response)
                return
            responses = [self._failure(batch[0][0], _describe(error), time.perf_counter() - start)]
        for response in responses:
            on_response(response)

    def _failure(self, request: Request, error: str, latency_s: float) -> Response:
        key = request_key(self.identity, request)
        return Response(key, request.question_id, request.task, None, error=error, latency_s=latency_s)

    def _generate_batch(self, batch: list[tuple[Request, list]]) -> list[Response]:
        import torch

        start = time.perf_counter()
        settings = batch[0][0].settings
        texts = [self.chat_text(request, len(images)) for request, images in batch]
        all_images = [images for _, images in batch]
        processor_kwargs: dict[str, Any] = {"text": texts, "padding": True, "return_tensors": "pt"}
        if any(all_images):
            # Nested lists (one per prompt) when every prompt has images; some processors (Idefics3) need
            # them. A mix with image-less prompts goes flat, which placeholder-counting processors accept.
            processor_kwargs["images"] = all_images if all(all_images) else [i for images in all_images for i in images]
            processor_kwargs.update(self._image_kwargs)
        inputs = self.processor(**processor_kwargs)
        inputs = inputs.to(self.model.device)
        if "pixel_values" in inputs and torch.is_floating_point(inputs["pixel_values"]):
            inputs["pixel_values"] = inputs["pixel_values"].to(self.model.dtype)

        with torch.inference_mode():
            output = self.model.generate(**inputs, **self._generate_kwargs(settings))
        prompt_length = inputs["input_ids"].shape[1]
        generated = output[:, prompt_length:]
        prompt_tokens = inputs["attention_mask"].sum(dim=1).tolist()
        texts = self.tokenizer.batch_decode(generated, skip_special_tokens=True)
        latency = time.perf_counter() - start

        responses = []
        for (request, _), text, row, n_prompt in zip(batch, texts, generated.tolist(), prompt_tokens):
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
        """"stop" when generation ended on an end-of-sequence token or a stop string, "length" when it used every
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


def _decode_image(data: bytes):
    """Encoded image bytes (PNG, JPEG, ...) to an RGB PIL image, decoded now so a bad file fails here."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")
