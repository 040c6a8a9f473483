"""A change to a pinned score is a decision written in CHANGELOG.md: the newest Scores section names the digests
of the pin files it describes, so rewriting the pins without writing the change down fails here."""

from __future__ import annotations

import hashlib
import re

import pytest
from conftest import REPO

CHANGELOG = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
PINNED = ["tests/pins/summaries.json", "tests/pins/sample_scores.json"]


def _newest_scores_section() -> str:
    newest = CHANGELOG.split("\n## ", 2)[1]  # the first release heading and its body
    return newest.split("### Scores", 1)[1].split("\n### ", 1)[0]


@pytest.mark.parametrize("pin", PINNED)
def test_the_newest_scores_section_names_the_digest_of_each_pin_file(pin):
    digest = hashlib.sha256((REPO / pin).read_bytes()).hexdigest()
    named = dict(re.findall(r"`(tests/pins/[a-z_]+\.json)` sha256 `([0-9a-f]{64})`", _newest_scores_section()))
    assert named.get(pin) == digest, (
        f"{pin} changed (sha256 {digest}): say in CHANGELOG.md's Scores section what moved and by how much, "
        "bump the protocol version if scoring changed, and update the digest line there"
    )
