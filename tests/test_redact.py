"""Secrets never written: what `redact_args`, `redact_text` and `find_secrets` catch and what they leave alone."""

from __future__ import annotations

from spar_bench.redact import REDACTED, find_secrets, is_secret_name, redact_args, redact_text


def test_secret_names_are_redacted_whatever_their_value():
    assert redact_args({"api_key": "x", "hf_token": "y", "seed": "3"}) == {
        "api_key": REDACTED,
        "hf_token": REDACTED,
        "seed": "3",
    }


def test_names_that_only_look_close_are_kept():
    for name in ("max_new_tokens", "api_key_file", "api_key_env", "monkey", "key_frames"):
        assert not is_secret_name(name), name


def test_credential_looking_values_and_url_passwords_are_redacted_anywhere():
    text = "Bearer abcdefghijklmnop sk-abcdefghijklmnopqrstu http://bob:hunter2@127.0.0.1:9/v1"
    clean = redact_text(text)
    assert "abcdefghijklmnop" not in clean and "hunter2" not in clean and "bob:" in clean


def test_values_of_secret_environment_variables_are_redacted(monkeypatch):
    monkeypatch.setenv("MY_SERVICE_TOKEN", "tok-0123456789")
    assert redact_text("header tok-0123456789 sent") == f"header {REDACTED} sent"
    assert find_secrets('{"note": "tok-0123456789"}') == ["the value of a secret environment variable"]


def test_find_secrets_names_what_it_found_never_the_secret():
    found = find_secrets('{"model_args": "model=m,api_key=sk-live1234567890abcdefgh"}')
    assert found and all("1234567890" not in item for item in found)
    assert find_secrets('{"model_args": {"api_key": "<redacted>", "max_new_tokens": 100}}') == []
