"""Every ```bash block of README.md and docs/*.md runs as written, so the docs cannot drift from the code.

A block that cannot run here (the hub, GPUs, vLLM, a fresh environment) is preceded by a visible
`<!-- not run: REASON -->` line; `<!-- run first: COMMAND -->` lines before a block make the files it reads.
Each document's blocks run in order in one temporary folder (a later block may read what an earlier wrote),
with the repository's venv first on PATH, offline.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^(?P<indent> *)```bash\s*$")
_NOT_RUN = re.compile(r"<!--\s*not run:\s*(?P<reason>.+?)\s*-->")
_RUN_FIRST = re.compile(r"<!--\s*run first:\s*(?P<command>.+?)\s*-->")


@dataclass(frozen=True)
class Block:
    document: str
    line: int  # of the opening fence, 1-based
    script: str
    setup: tuple[str, ...]
    not_run: str | None


def bash_blocks(path: Path) -> list[Block]:
    """The ```bash blocks of a markdown file with the markers on the lines just above each (blank lines between
    them allowed)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    k = 0
    while k < len(lines):
        match = _FENCE.match(lines[k])
        if not match:
            k += 1
            continue
        indent = len(match["indent"])
        body, j = [], k + 1
        while j < len(lines) and lines[j].strip() != "```":
            body.append(lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j])
            j += 1
        setup, not_run, m = [], None, k - 1
        while m >= 0 and (lines[m].strip().startswith("<!--") or not lines[m].strip()):
            if found := _NOT_RUN.search(lines[m]):
                not_run = found["reason"]
            if found := _RUN_FIRST.search(lines[m]):
                setup.insert(0, found["command"])
            m -= 1
        blocks.append(Block(path.name, k + 1, "\n".join(body), tuple(setup), not_run))
        k = j + 1
    return blocks


def _environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        SPAR_BENCH_JOURNAL_DIR=str(home / "journals"),
        HOME=str(home),
        HF_HOME=str(home / "hf"),
    )
    env.pop("VIRTUAL_ENV", None)
    return env


def _workspace(tmp: Path) -> Path:
    """A folder with what the docs' examples read relative to the repository root (the leaderboard's entries
    and the paper's table), but not the repository itself: nothing a command writes lands in the checkout."""
    work = tmp / "work"
    for part in ("leaderboard/entries", "leaderboard/reported"):
        shutil.copytree(ROOT / part, work / part)
    return work


def test_every_bash_block_is_run_or_says_why_not():
    blocks = [b for doc in DOCUMENTS for b in bash_blocks(doc)]
    assert len(blocks) >= 10
    for block in blocks:
        assert block.not_run is None or block.not_run.strip(), f"{block.document}:{block.line}: give a reason"
    assert sum(b.not_run is None for b in blocks) >= 6, "most examples must run"


def test_the_readme_main_job_is_a_block_that_runs():
    blocks = bash_blocks(ROOT / "README.md")
    main_job = [b for b in blocks if "spar-bench lmms-eval --model spar_frequency --tasks spar_bench_synth" in b.script]
    assert main_job and main_job[0].not_run is None


@pytest.mark.parametrize(
    "document", [d for d in DOCUMENTS if any(b.not_run is None for b in bash_blocks(d))], ids=lambda d: d.name
)
def test_documented_commands_run_as_written(document, tmp_path):
    work = _workspace(tmp_path)
    env = _environment(tmp_path)
    for block in bash_blocks(document):
        if block.not_run is not None:
            continue
        script = "set -euo pipefail\n" + "\n".join(block.setup) + "\n" + block.script
        done = subprocess.run(
            ["bash", "-c", script], cwd=work, env=env, check=False, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, (
            f"{block.document}:{block.line} failed (exit {done.returncode}):\n{block.script}\n"
            f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
        )
