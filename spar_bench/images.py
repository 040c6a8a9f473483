"""The image cells of dataset rows: their stored bytes (`{"bytes", "path"}` dicts or bytes), and the check that
a row holds 1 to MAX_IMAGES readable images under the pixel cap, reading headers so a decompression bomb is
named, not decoded.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from pathlib import Path

from spar_bench.tasks_spec import MAX_IMAGES

__all__ = ["DEFAULT_MAX_IMAGE_PIXELS", "image_bytes", "image_problem", "max_image_pixels", "stored_images"]

# The largest image (width * height) a dataset may hold: SPAR-Bench's are under 2 MP; 40 MP keeps a decoded RGB
# image near 120 MB. Raise it with `validate --max-image-pixels N` or $SPAR_BENCH_MAX_IMAGE_PIXELS.
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000


def max_image_pixels() -> int:
    """The pixel cap in force: $SPAR_BENCH_MAX_IMAGE_PIXELS when set to a positive whole number, else the default."""
    value = os.environ.get("SPAR_BENCH_MAX_IMAGE_PIXELS", "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_MAX_IMAGE_PIXELS


def image_problem(images: object, *, decode: bool = False, pixel_cap: int | None = None) -> str | None:
    """Why a row's `image` cell is not 1 to MAX_IMAGES readable images, or None when it is.

    Every image's header is read and its size checked against `pixel_cap` (default `max_image_pixels()`), so
    a decompression bomb is named, not decoded; with `decode`, every image is also decoded in full, which
    finds truncated or corrupt data that a header read cannot.
    """
    from PIL import Image, ImageFile, UnidentifiedImageError

    if not isinstance(images, (list, tuple)) or not images:
        return "no images"
    if len(images) > MAX_IMAGES:
        return f"{len(images)} images; a row has 1 to {MAX_IMAGES}"
    cap = pixel_cap or max_image_pixels()
    for index, image in enumerate(images):
        data = image_bytes(image)
        if data is None:
            return f"image {index} has no bytes and no readable path"
        try:
            with Image.open(io.BytesIO(data)) as decoded:
                width, height = decoded.size
                if width * height > cap:
                    return _too_large(index, width, height, cap)
                if decode:
                    # Pillow's settings are process-wide, and lmms-eval sets LOAD_TRUNCATED_IMAGES on import
                    # (it would decode a truncated file as grey): both are set for this decode only.
                    previous = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
                    Image.MAX_IMAGE_PIXELS = max(cap, Image.MAX_IMAGE_PIXELS or 0)
                    ImageFile.LOAD_TRUNCATED_IMAGES = False
                    try:
                        decoded.load()
                    finally:
                        Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = previous
        except Image.DecompressionBombError as error:  # past Pillow's own limit: only the header was read
            size = re.search(r"\((\d+) pixels\)", str(error))
            return f"image {index} is {size.group(1) if size else 'too many'} pixels; the cap is {cap}" + _RAISE_CAP
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            return f"image {index} cannot be decoded ({error})"
    return None


_RAISE_CAP = " (raise it with `spar-bench validate --max-image-pixels N` or SPAR_BENCH_MAX_IMAGE_PIXELS)"


def _too_large(index: int, width: int, height: int, cap: int) -> str:
    return f"image {index} is {width}x{height} ({width * height} pixels); the cap is {cap}" + _RAISE_CAP


def image_bytes(image: object) -> bytes | None:
    """The encoded bytes of one image (bytes, or a dict with `bytes` or a readable `path`); None when there are none."""
    if isinstance(image, (bytes, bytearray)):
        return bytes(image)
    if isinstance(image, dict):
        if image.get("bytes"):
            return image["bytes"]
        path = image.get("path")
        if path and Path(path).is_file():
            return Path(path).read_bytes()
    return None


def stored_images(cell: Sequence[object]) -> tuple[bytes, ...]:
    """The stored encoded bytes of every image of a cell, in order (b"" for one without bytes or a readable path)."""
    return tuple(image_bytes(image) or b"" for image in cell)
