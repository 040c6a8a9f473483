"""Loading an image-text-to-text checkpoint for the Hugging Face adapter: its processor (which must carry a
chat template) and its model, and what its image processor will do with the pixel limits the adapter was given.

torch and transformers are imported inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from spar_bench.errors import ModelError

__all__ = ["DTYPES", "HFAdapterError", "image_processor_limits", "load_model", "load_processor", "resolution_kwargs"]

DTYPES = ("auto", "float32", "float16", "bfloat16")


class HFAdapterError(ModelError, ValueError):
    """A bad adapter argument or a checkpoint the adapter cannot use; the message says what to change."""


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


def load_processor(pretrained: str, load_kwargs: dict[str, Any]) -> Any:
    """The checkpoint's processor, its tokenizer set to pad on the left. Raises `HFAdapterError` when the
    processor has no chat template."""
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(pretrained, **load_kwargs)
    if getattr(processor, "chat_template", None) is None:
        raise HFAdapterError(f"{pretrained}: the processor has no chat template; this adapter needs one")
    tokenizer = getattr(processor, "tokenizer", processor)
    tokenizer.padding_side = "left"  # generation appends on the right, so padding goes left
    return processor


def load_model(
    pretrained: str,
    load_kwargs: dict[str, Any],
    *,
    dtype: str,
    device: str | None,
    device_map: str | dict | None,
    attn_implementation: str | None,
) -> Any:
    """The checkpoint's model in eval mode, on `device_map` when given, else on `device` (default: "cuda" if
    available, else "cpu")."""
    import torch
    from transformers import AutoModelForImageTextToText

    model_kwargs = dict(load_kwargs, dtype=dtype)
    if attn_implementation:
        model_kwargs["attn_implementation"] = attn_implementation
    if device_map:
        model_kwargs["device_map"] = device_map
    model = AutoModelForImageTextToText.from_pretrained(pretrained, **model_kwargs)
    if not device_map:
        # transformers types the wrapped `to` as unbound (self first): its stubs, not this call, are wrong.
        model.to(device or ("cuda" if torch.cuda.is_available() else "cpu"))  # type: ignore[arg-type]
    model.eval()
    return model


def resolution_kwargs(processor: Any, min_pixels: int | None, max_pixels: int | None) -> dict:
    """Per-call image processor arguments that apply the pixel limits (empty when none are given)."""
    if min_pixels is None and max_pixels is None:
        return {}
    image_processor = getattr(processor, "image_processor", None)
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


def image_processor_limits(processor: Any, image_kwargs: dict) -> dict:
    """The image processor's class and the resizing it will apply (with our per-call overrides)."""
    image_processor = getattr(processor, "image_processor", None)
    if image_processor is None:
        return {}
    limits: dict[str, Any] = {"class": type(image_processor).__name__}
    for name in ("size", "crop_size", "max_image_size", "min_pixels", "max_pixels", "do_image_splitting"):
        value = _plain(getattr(image_processor, name, None))
        if value is not None:
            limits[name] = value
    if "size" in image_kwargs:
        limits["size"] = image_kwargs["size"]
    return limits
