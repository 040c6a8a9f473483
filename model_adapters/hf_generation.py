"""What the Hugging Face adapter passes to `model.generate` for a request's settings, and what it reads back
from each generated row: the completion's token count and why generation ended ("stop" or "length").

Plain functions over token ids and settings; the adapter runs `generate` itself.
"""

from __future__ import annotations

from typing import Any

from spar_bench.model_adapters.base import GenerationSettings

__all__ = ["completion_tokens", "eos_token_ids", "finish_reason", "generate_kwargs", "pad_token_id"]


def eos_token_ids(generation_config: Any) -> set[int]:
    """The end-of-sequence token ids of a generation config (one id or a list; empty when unset)."""
    eos = generation_config.eos_token_id
    return set(eos if isinstance(eos, list) else [eos]) - {None}


def pad_token_id(tokenizer: Any, generation_config: Any) -> int | None:
    """The tokenizer's pad token, else the (first) end-of-sequence token."""
    if tokenizer.pad_token_id is not None:
        return tokenizer.pad_token_id
    eos = generation_config.eos_token_id
    return eos[0] if isinstance(eos, list) else eos


def generate_kwargs(
    settings: GenerationSettings, *, pad_token: int | None, tokenizer: Any, static_cache: bool, compile: bool
) -> dict:
    """The keyword arguments of `model.generate` for `settings`."""
    kwargs: dict[str, Any] = {
        "max_new_tokens": settings.max_new_tokens,
        "num_beams": settings.num_beams,
        "do_sample": settings.do_sample,
        "pad_token_id": pad_token,
    }
    if settings.do_sample:
        kwargs.update(temperature=settings.temperature, top_p=settings.top_p)
    else:  # greedy: a checkpoint's sampling defaults would only raise warnings
        kwargs.update(temperature=None, top_p=None, top_k=None)
    if settings.stop:
        kwargs.update(stop_strings=list(settings.stop), tokenizer=tokenizer)
    if static_cache:
        kwargs["cache_implementation"] = "static"
        # transformers compiles a static-cache decode step by itself on CUDA; only `compile` allows it.
        kwargs["disable_compile"] = not compile
    return kwargs


def completion_tokens(row: list[int], eos_ids: set[int], pad: int | None) -> int:
    """Generated tokens up to and including the first end-of-sequence, else up to the right padding."""
    for position, token in enumerate(row):
        if token in eos_ids:
            return position + 1
    length = len(row)
    while length and row[length - 1] == pad:
        length -= 1
    return length


def finish_reason(row: list[int], text: str, completion: int, settings: GenerationSettings, eos_ids: set[int]) -> str:
    """ "stop" when generation ended on an end-of-sequence token or a stop string, "length" when it used every
    one of `max_new_tokens` without either (the answer may be cut)."""
    if any(token in eos_ids for token in row) or any(marker and marker in text for marker in settings.stop):
        return "stop"
    return "length" if completion >= settings.max_new_tokens else "stop"
