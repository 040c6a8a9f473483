"""Secrets kept out of every file a run, a bundle or a leaderboard entry writes.

Model arguments travel with results (they say how the model was asked), but an API key among them must not:
a key, a token or a password is replaced by `REDACTED` before anything is written, and `find_secrets` lets
`submit prepare` refuse a folder that still holds one (written by an older version or by lmms-eval).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

REDACTED = "<redacted>"

# Argument names whose values are secrets whatever they look like.
_SECRET_NAME = re.compile(
    r"(^|[_\-])(api[_\-]?key|apikey|access[_\-]?key|secret[_\-]?key|private[_\-]?key|token|secret|password|passwd|authorization|credentials?|bearer)$",
    re.IGNORECASE,
)
# Values that look like a credential wherever they appear: OpenAI/Anthropic-style keys, Hugging Face tokens,
# GitHub tokens, AWS access key ids, a bearer header.
_SECRET_VALUE = re.compile(
    r"(\bsk-[A-Za-z0-9_\-]{16,}|\bhf_[A-Za-z0-9]{20,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bAKIA[0-9A-Z]{16}\b"
    r"|\bBearer\s+[A-Za-z0-9._~+/=\-]{12,})"
)
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]+):([^@\s/]+)@")
_SECRET_ENV = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD)", re.IGNORECASE)
_MIN_ENV_SECRET = 8  # shorter environment values ("none", "1") are no secret and too common to match


def _environment_secrets() -> list[str]:
    return [value for name, value in os.environ.items() if _SECRET_ENV.search(name) and len(value) >= _MIN_ENV_SECRET]


def is_secret_name(name: str) -> bool:
    """True for an argument name that holds a secret: it ends in `api_key`, `access_key`, `token`, `secret`, `password`,
    ... (`hf_token`, `OPENAI_API_KEY`). `api_key_file`, `api_key_env` and `max_new_tokens` name no secret."""
    return bool(_SECRET_NAME.search(name))


def redact_text(text: str) -> str:
    """`text` with every credential-looking substring, URL password and value of a secret environment variable
    (a variable named like *KEY*, *TOKEN*, *SECRET*, *PASSWORD* whose value has 8 or more characters) replaced."""
    text = _SECRET_VALUE.sub(REDACTED, text)
    for value in _environment_secrets():
        text = text.replace(value, REDACTED)
    return _redact_url_password(text)


def _redact_url_password(text: str) -> str:
    return _URL_PASSWORD.sub(lambda m: f"{m.group(1)}:{REDACTED}@", text)


def redact_args(args: Mapping[str, object] | None) -> dict | None:
    """A copy of model arguments with secrets replaced by `REDACTED` (by name, then by value); None stays None."""
    if args is None:
        return None
    clean: dict[str, object] = {}
    for name, value in args.items():
        if is_secret_name(str(name)) and value not in (None, ""):
            clean[name] = REDACTED
        elif isinstance(value, str):
            clean[name] = redact_text(value)
        elif isinstance(value, Mapping):
            clean[name] = redact_args(value)
        else:
            clean[name] = value
    return clean


def find_secrets(text: str) -> list[str]:
    """Short descriptions of the secrets in `text` (never the secret itself): credential-looking values, values
    of secret environment variables, and `"name": "value"` / `name=value` pairs for a secret name that is not
    redacted. Empty when none."""
    found = [f"a value that looks like a credential ({m.group()[:5]}...)" for m in _SECRET_VALUE.finditer(text)]
    found += ["the value of a secret environment variable" for value in _environment_secrets() if value in text]
    pair = re.compile(r'["\']?([A-Za-z_][A-Za-z0-9_\-]*)["\']?\s*[:=]\s*["\']?([^"\',}\s]+)')
    for match in pair.finditer(text):
        name, value = match.groups()
        if is_secret_name(name) and value not in (REDACTED, "null", "None", "none", "") and REDACTED not in value:
            found.append(f"{name!r} with a value")
    return sorted(set(found))
