"""The adapter interface: requests (a prompt with images and generation settings) in, responses out.

An adapter never turns a failure into text: a request that could not be answered comes back with `error`
set and `text` None, so nothing downstream can score it as a wrong answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Protocol


@dataclass(frozen=True)
class GenerationSettings:
    """As released: at most 100 new tokens, greedy, stop at the first blank line."""

    max_new_tokens: int = 100
    temperature: float = 0.0
    top_p: float = 1.0
    num_beams: int = 1
    do_sample: bool = False
    stop: tuple[str, ...] = ("\n\n",)

    def as_dict(self) -> dict:
        return {**asdict(self), "stop": list(self.stop)}


def settings_from_gen_kwargs(gen_kwargs: dict) -> GenerationSettings:
    """lmms-eval's generation kwargs (a task YAML's generation_kwargs) as GenerationSettings."""
    default = GenerationSettings()
    until = gen_kwargs.get("until", list(default.stop))
    return GenerationSettings(
        max_new_tokens=int(gen_kwargs.get("max_new_tokens", default.max_new_tokens)),
        temperature=float(gen_kwargs.get("temperature", default.temperature)),
        top_p=float(gen_kwargs.get("top_p", default.top_p)),
        num_beams=int(gen_kwargs.get("num_beams", default.num_beams)),
        do_sample=bool(gen_kwargs.get("do_sample", default.do_sample)),
        stop=tuple([until] if isinstance(until, str) else until),
    )


@dataclass(frozen=True)
class Request:
    """One question to ask: the prompt text and the images (stored encoded bytes, dataset order)."""

    question_id: int | str
    task: str
    prompt: str
    images: tuple[bytes, ...]
    settings: GenerationSettings = field(default_factory=GenerationSettings)

    @cached_property
    def image_digests(self) -> tuple[str, ...]:
        """sha256 of each image's bytes (computed once per request)."""
        return tuple(hashlib.sha256(image).hexdigest() for image in self.images)


@dataclass(frozen=True)
class Response:
    """What came back for one request: the answer text, or the error that prevented one."""

    key: str
    question_id: int | str
    task: str
    text: str | None
    error: str | None = None
    latency_s: float | None = None
    reasoning: str | None = None  # reasoning content a server returned apart from the answer
    usage: dict | None = None  # token counts as reported by the model or server
    # Why generation stopped, in the OpenAI convention: "stop" (end of sequence or a stop string), "length"
    # (the token limit), ...; None when the adapter could not tell.
    finish_reason: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def truncated(self) -> bool | None:
        """True when the model stopped at the token limit; None when the finish reason is unknown."""
        return truncated_by(self.finish_reason)


def truncated_by(finish_reason: str | None) -> bool | None:
    """Whether a finish reason means the token limit cut the answer: True for "length", None for None
    (unknown, never counted as truncated), False for any other reason."""
    return None if finish_reason is None else finish_reason == "length"


def truncate_at_stop(text: str, stop: Sequence[str]) -> str:
    """`text` up to (not including) the earliest occurrence of any stop string; unchanged when none occurs.

    A model's `generate` may decode a token past a stop string, and a served model returns text cut there:
    cutting the decoded text here makes every adapter answer like lmms-eval's `until` handling. An empty stop
    string is ignored.
    """
    cut = len(text)
    for marker in stop:
        if marker and (position := text.find(marker)) != -1:
            cut = min(cut, position)
    return text[:cut]


def request_key(model_identity: dict, request: Request) -> str:
    """sha256 over the model identity, prompt, image digests and generation settings: a response journal's key.

    Two runs that would send the same bytes to the same model share keys, so a rerun finds its answers.
    """
    payload = {
        "model": model_identity,
        "prompt": request.prompt,
        "images": list(request.image_digests),
        "settings": request.settings.as_dict(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class ModelAdapter(Protocol):
    """Answers requests. `identity` names the model and every argument that changes its answers (it keys
    the journal and is recorded in results); `generate` calls `on_response` as each answer arrives."""

    identity: dict

    def generate(self, requests: Sequence[Request], on_response: Callable[[Response], None]) -> None: ...
