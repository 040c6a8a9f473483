"""The served adapter's options as the command lines give them (text) read into values: base URLs and their
chat-completions endpoints, the API key (argument, file or environment), positive numbers and booleans.

Every bad value raises `ConfigurationError` naming the option and what it must be.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from spar_bench.model_adapters.arguments import boolean
from spar_bench.model_adapters.openai_client import ConfigurationError

__all__ = ["boolean_option", "chat_endpoint", "positive_number", "read_api_key", "split_base_urls"]


def split_base_urls(base_url: str | Sequence[str] | None) -> list[str]:
    """The base URLs in `base_url` (a list, or one text holding several), else in `$OPENAI_BASE_URL`."""
    if base_url is None:
        base_url = os.environ.get("OPENAI_BASE_URL")
    if base_url is None:
        return []
    if isinstance(base_url, str):
        # `|`, `;` and whitespace separate several URLs: commas already separate lmms-eval's model_args.
        parts = base_url.replace("|", " ").replace(";", " ").replace(",", " ").split()
    else:
        parts = [str(part).strip() for part in base_url]
    return [part for part in parts if part]


def chat_endpoint(base_url: str) -> str:
    """The chat-completions URL under `base_url` (`/v1` added to a bare host); `ConfigurationError` for
    anything but an http(s) URL."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"base_url {base_url!r} is not an http(s) URL: give the server's OpenAI root, e.g. http://127.0.0.1:8000/v1"
        )
    root = base_url.rstrip("/")
    if parts.path in ("", "/"):  # vLLM and `transformers serve` both serve the API under /v1
        root += "/v1"
    return root + "/chat/completions"


def read_api_key(given: str | None, path: str | None, variable: str) -> str | None:
    """The key given, else the first line of the file at `path`, else the environment variable; None if none."""
    if given:
        return given
    if path:
        try:
            lines = Path(path).expanduser().read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigurationError(f"api_key_file {path!r} cannot be read: {exc}") from None
        return lines[0].strip() if lines and lines[0].strip() else None
    return os.environ.get(variable) or None


def positive_number(name: str, value, *, allow_none: bool = False, allow_zero: bool = False):
    """`value` (a number or its text) as a float > 0 (>= 0 with `allow_zero`; None passes with `allow_none`)."""
    if value is None and allow_none:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a number, got {value!r}") from None
    if number < 0 or (number == 0 and not allow_zero):
        raise ConfigurationError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return number


def boolean_option(name: str, value) -> bool:
    """`value` (a bool or its text, read by `arguments.boolean`) as a bool."""
    if isinstance(value, bool):
        return value
    try:
        return boolean(str(value))
    except ValueError:
        raise ConfigurationError(f"{name} must be true or false, got {value!r}") from None
