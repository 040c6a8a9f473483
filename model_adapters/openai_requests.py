"""Chat-completion request bodies for the served adapter: the user message (prompt and images as data URLs) and
the sampling fields that express a request's generation settings.

Requests -> this module (JSON bytes, built once per request) -> `openai_client` (sent, retried). No HTTP here.
"""

from __future__ import annotations

import base64
import io
import json
import math
from dataclasses import dataclass, field

from spar_bench.model_adapters.base import GenerationSettings, Request
from spar_bench.model_adapters.openai_client import UnsupportedSettingError

__all__ = ["IMAGE_POSITIONS", "ChatRequestFormat", "image_data_url", "sniff_image_mime"]

IMAGE_POSITIONS = ("before", "after")


def sniff_image_mime(data: bytes) -> str | None:
    """The MIME type named by the image's magic bytes: image/png, image/jpeg, image/gif or image/webp; None for
    anything else (including empty bytes)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _fitted_size(width: int, height: int, max_side: int | None, max_pixels: int | None) -> tuple[int, int]:
    """The largest size with the image's aspect ratio within both limits (never upscaled, at least 1x1)."""
    scale = 1.0
    if max_side is not None:
        scale = min(scale, max_side / max(width, height))
    if max_pixels is not None:
        scale = min(scale, math.sqrt(max_pixels / (width * height)))
    if scale >= 1.0:
        return width, height
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def image_data_url(data: bytes, *, max_side: int | None = None, max_pixels: int | None = None) -> str:
    """A base64 data URL of the image.

    The stored bytes are sent as they are (PNG, JPEG, GIF, WebP: the MIME type comes from the magic bytes)
    unless the image exceeds `max_side` (longest side, pixels) or `max_pixels` (width * height); then it is
    shrunk with its aspect ratio kept and re-encoded in its own format (JPEG at quality 95; others as PNG).
    Bytes of any other format Pillow can read are re-encoded as PNG, since servers accept only the four above.
    Raises `ValueError` for bytes that are no image.
    """
    mime = sniff_image_mime(data)
    if mime is not None and max_side is None and max_pixels is None:
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"

    from PIL import Image

    try:
        image: Image.Image = Image.open(io.BytesIO(data))
        size = _fitted_size(image.width, image.height, max_side, max_pixels)
        if mime is not None and size == (image.width, image.height):
            return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        image.load()
    except Exception as exc:  # Pillow raises several types for undecodable bytes
        raise ValueError(f"image bytes could not be decoded ({len(data)} bytes): {exc}") from exc
    if size != (image.width, image.height):
        image = image.resize(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if mime == "image/jpeg":
        image.convert("RGB").save(buffer, format="JPEG", quality=95)
    else:
        mime = "image/png"
        image.save(buffer, format="PNG")
    return f"data:{mime};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


@dataclass(frozen=True)
class ChatRequestFormat:
    """How the adapter's options shape every request body: the served model name, image limits and position,
    whether stop strings are sent, a default seed, and extra JSON fields merged in last."""

    model: str
    image_position: str = "before"
    max_image_side: int | None = None
    max_image_pixels: int | None = None
    send_stop: bool = True
    seed: int | None = None
    extra_body: dict = field(default_factory=dict)

    def sampling(self, settings: GenerationSettings) -> dict:
        """The sampling fields for `settings`. Raises `UnsupportedSettingError` for beam search."""
        if settings.num_beams != 1:
            raise UnsupportedSettingError(
                f"num_beams={settings.num_beams}: the chat-completions API has no beam search; use num_beams=1"
            )
        body = {
            "max_tokens": settings.max_new_tokens,
            # do_sample=False is greedy decoding, which the API spells temperature 0.
            "temperature": settings.temperature if settings.do_sample else 0.0,
            "top_p": settings.top_p,
        }
        if settings.stop and self.send_stop:
            body["stop"] = list(settings.stop)
        seed = getattr(settings, "seed", None)
        seed = self.seed if seed is None else seed
        if seed is not None:
            body["seed"] = seed
        return body

    def body(self, request: Request) -> bytes:
        """The JSON body sent for `request` (built once; every retry sends the same bytes). Raises `ValueError`
        for image bytes that cannot be sent, `UnsupportedSettingError` for settings the API cannot express."""
        images = [
            {
                "type": "image_url",
                "image_url": {
                    "url": image_data_url(image, max_side=self.max_image_side, max_pixels=self.max_image_pixels)
                },
            }
            for image in request.images
        ]
        text = [{"type": "text", "text": request.prompt}]
        content = images + text if self.image_position == "before" else text + images
        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": content}],
            **self.sampling(request.settings),
            **self.extra_body,
        }
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
